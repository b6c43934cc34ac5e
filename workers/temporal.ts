import fs from 'node:fs';
import { Connection, Client, type TLSConfig } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
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

/** Connects a client, waiting (bounded) for a server that is still starting to serve its namespace. */
export async function connectClient(address: string, namespace: string, timeoutMs = 60_000): Promise<Client> {
  const deadline = Date.now() + timeoutMs;
  const security = temporalSecurity();
  for (;;) {
    try {
      const connection = await Connection.connect({ address, ...security });
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } catch (err) {
        await connection.close();
        throw err;
      }
      return new Client({ connection, namespace });
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
