import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { Connection, Client, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type TLSConfig } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode, type LogLevel, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

/**
 * TLS and API-key options for a Temporal cluster, from the environment:
 * TEMPORAL_TLS=true (server TLS), TEMPORAL_TLS_CA (CA file), TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (mTLS client pair),
 * TEMPORAL_TLS_SERVER_NAME (SNI override), TEMPORAL_API_KEY (e.g. Temporal Cloud). None set → plain gRPC (dev server).
 */
export function temporalSecurity(env: NodeJS.ProcessEnv = process.env): { tls?: TLSConfig | boolean; apiKey?: string } {
  const read = (file: string | undefined) => (file ? fs.readFileSync(file) : undefined);
  const cert = read(env.TEMPORAL_TLS_CERT);
  const key = read(env.TEMPORAL_TLS_KEY);
  if ((cert && !key) || (key && !cert)) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS client pair)');
  const ca = read(env.TEMPORAL_TLS_CA);
  const wantsTls = env.TEMPORAL_TLS === 'true' || !!cert || !!ca || !!env.TEMPORAL_TLS_SERVER_NAME;
  const tls: TLSConfig | undefined = wantsTls
    ? {
        ...(ca ? { serverRootCACertificate: ca } : {}),
        ...(cert && key ? { clientCertPair: { crt: cert, key } } : {}),
        ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
      }
    : undefined;
  return { ...(tls ? { tls } : {}), ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY, tls: tls ?? true } : {}) };
}

/**
 * The calls a client's connection has in flight, its retries of a call included: the counting interceptor stands
 * outside the retrying one. A call cut by closing the connection is retried on a timer, and that retry throws outside
 * any handler ("Channel has been shut down"), killing the process: closeClient waits for them first.
 */
const inFlight = new WeakMap<object, { calls: number }>();

function countingInterceptor(count: { calls: number }): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, _listener, next) {
        count.calls++;
        let ended = false;
        next(metadata, {
          onReceiveStatus(status, nextStatus) {
            if (!ended) count.calls--;
            ended = true;
            nextStatus(status);
          },
        });
      },
    });
}

/** Closes a client's connection once its calls in flight have ended (at most `waitMs`), see inFlight. */
export async function closeClient(client: Client, waitMs = 15_000): Promise<void> {
  const count = inFlight.get(client.connection);
  for (const deadline = Date.now() + waitMs; count && count.calls > 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
  await client.connection.close();
}

/** Connects a client, waiting (bounded) for a server that is still starting to serve its namespace. */
export async function connectClient(address: string, namespace: string, timeoutMs = 60_000, dataConverter?: DataConverter): Promise<Client> {
  const deadline = Date.now() + timeoutMs;
  const security = temporalSecurity();
  for (;;) {
    try {
      const count = { calls: 0 };
      const connection = await Connection.connect({ address, ...security, interceptors: [countingInterceptor(count), makeGrpcRetryInterceptor(defaultGrpcRetryOptions())] });
      inFlight.set(connection, count);
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } catch (err) {
        await connection.close();
        throw err;
      }
      return new Client({ connection, namespace, ...(dataConverter ? { dataConverter } : {}) });
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`cannot reach Temporal at ${address} (namespace ${namespace})`, { cause: err });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

export async function connectWorker(address: string, timeoutMs = 60_000): Promise<NativeConnection> {
  const deadline = Date.now() + timeoutMs;
  const security = temporalSecurity();
  for (;;) {
    try {
      return await NativeConnection.connect({ address, ...security });
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`cannot reach Temporal at ${address}`, { cause: err });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Sends the Temporal SDK's own logs (worker, workflow and activity loggers) through the process logger. Call once, first. */
export function installRuntimeLogging(log: Logger, level: LogLevel = 'INFO'): void {
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      log[PINO_LEVEL[l]]({ ...meta }, message);
    }),
  });
}

// ---- the workflow bundle ----

/**
 * The workflow code bundled ahead of time (scripts/bundle-workflows.sh, run by `npm run build` and setup.sh after tsc).
 * Bundling at worker start runs webpack inside the worker: about 240 MB of peak memory and seconds of CPU before
 * the first poll. Beside the compiled code only (dist/workflow-bundle.js): a worker run from the TypeScript sources
 * (tests) never picks it up.
 */
const BUNDLE_FILE = path.resolve(__dirname, '..', 'workflow-bundle.js');
const BUNDLE_DIGEST_FILE = path.resolve(__dirname, '..', 'workflow-bundle.json');
/** What workflow code may import (DESIGN.md: workflows import only pure helpers of lib/). */
const WORKFLOW_INPUTS = ['workflows', 'lib'].map((dir) => path.resolve(__dirname, '..', dir));

/** sha256 over the compiled JavaScript the bundle is made of (names and contents), to tell a stale bundle. */
export function workflowInputsDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    const entries = fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : [];
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.js')) hash.update(file).update('\0').update(fs.readFileSync(file)).update('\0');
    }
  };
  WORKFLOW_INPUTS.forEach(walk);
  return hash.digest('hex');
}

/** The payload converter of workers, in activities and in the workflow bundle (lib/payload-converter.ts). */
export const PAYLOAD_CONVERTER_PATH = require.resolve('../lib/payload-converter');

/** Bundles the compiled workflows into dist/workflow-bundle.js (with the digest of its inputs beside it). */
export async function writeWorkflowBundle(): Promise<{ file: string; bytes: number }> {
  const digest = workflowInputsDigest();
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), payloadConverterPath: PAYLOAD_CONVERTER_PATH });
  fs.writeFileSync(BUNDLE_FILE, code);
  fs.writeFileSync(BUNDLE_DIGEST_FILE, JSON.stringify({ digest }) + '\n');
  return { file: BUNDLE_FILE, bytes: Buffer.byteLength(code) };
}

/** Bundles again when the bundle is missing or stale (a launcher's step before it starts workers). */
export async function ensureWorkflowBundle(): Promise<boolean> {
  if (workflowCodeOptions().workflowBundle) return false;
  await writeWorkflowBundle();
  return true;
}

/**
 * The worker's workflow code: the prebuilt bundle when it exists and matches the compiled workflows (a plain `tsc`
 * after an edit leaves it stale, and the worker then bundles at start as before), else the workflows' path.
 */
export function workflowCodeOptions(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  try {
    const { digest } = JSON.parse(fs.readFileSync(BUNDLE_DIGEST_FILE, 'utf8')) as { digest?: string };
    if (digest && fs.existsSync(BUNDLE_FILE) && digest === workflowInputsDigest()) return { workflowBundle: { codePath: BUNDLE_FILE } };
  } catch {
    // No bundle (running from sources, or never built): bundle at start.
  }
  return { workflowsPath: require.resolve('../workflows') };
}
