import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { reachPolicy } from '../../lib/reach';
import { Sealer } from '../../lib/secrets';
import { MetadataStore } from '../../lib/store';
import { loadOrCreateSigningKey, publicKeyPem } from '../../lib/certificate';
import { freePort, startDevServer, type DevServer } from '../../workers/dev-server';
import { closeClient, connectClient } from '../../workers/temporal';

const ROOT = path.resolve(__dirname, '../..');

/** A worker as its own OS process (the compiled dist/workers/worker.js), so a test can kill -9 it. */
export class WorkerProcess {
  private child: ChildProcess | undefined;
  output = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  start(): void {
    this.child = spawn(process.execPath, [path.join(ROOT, 'dist/workers/worker.js')], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  /** Resolves once the worker says it polls the task queue. */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes('worker polling')) {
      if (Date.now() > deadline) throw new Error(`worker not polling after ${timeoutMs} ms:\n${this.output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** kill -9: no graceful shutdown, in-flight activities are lost mid-chunk. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }
}

/** The HS256 secret the test API accepts OAuth JWTs with. */
export const JWT_SECRET = 'sensei-test-jwt-secret-0123456789abcdef';

export interface Stack {
  /** Sensei's data dir (SENSEI_DATA_DIR): a subdirectory of the test's dir, which is SENSEI_SQLITE_DIR. */
  dataDir: string;
  store: MetadataStore;
  devServer: DevServer;
  /** Stops the Temporal dev server and starts it again on the same port and state file. */
  restartTemporal(downMs?: number): Promise<void>;
  client: Client;
  baseUrl: string;
  apiKey: string;
  workerEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Failed authentications per address and minute (tests probing with bad keys need many: default 100,000). */
  authFailureLimit?: number;
  /** Plan limits of every principal (default: enterprise, 1,000 per second). */
  rateTier?: 'free' | 'starter' | 'professional' | 'enterprise';
  sseMaxStreamsPerKey?: number;
  sseMaxSeconds?: number;
  /** Settings for API and workers, as environment variables (e.g. the webhook allowances of lib/reach.ts). */
  env?: Record<string, string>;
  /** Turn on the dev server's Web UI (on a free loopback port) and link the console to it (default off). */
  temporalUi?: boolean;
}

/**
 * Temporal dev server + API over loopback HTTP; workers are started by the test as processes. `dir` is the test's
 * SENSEI_SQLITE_DIR (its SQLite files go there); Sensei's own data dir is `dir`/sensei-data, inside it, as the reach
 * rules must keep it out of reach even then.
 */
export async function startStack(dir: string, options: StackOptions = {}): Promise<Stack> {
  const dataDir = path.join(dir, 'sensei-data');
  fs.mkdirSync(dataDir, { recursive: true });
  const settings: Record<string, string> = { SENSEI_DATA_DIR: dataDir, SENSEI_SQLITE_DIR: dir, ...options.env };
  const serverOptions = {
    port: await freePort(),
    dbFile: path.join(dataDir, 'temporal.db'),
    ui: options.temporalUi ?? false,
    ...(options.temporalUi ? { uiPort: await freePort() } : {}),
  };
  let devServer = await startDevServer(dataDir, serverOptions);
  const client = await connectClient(devServer.address, 'default');
  const taskQueue = `e2e-${randomBytes(4).toString('hex')}`;
  const encryptionKey = randomBytes(24).toString('base64url');
  const apiKey = `sk_test_${randomBytes(16).toString('hex')}`;
  const log = createLogger('sensei-api-test', 'silent');
  const store = await MetadataStore.open({ dataDir });
  const app = createApp({
    client,
    taskQueue,
    sealer: new Sealer(encryptionKey),
    store,
    auth: { bootstrapKey: apiKey, defaultRateLimit: 1_000, jwtSecret: JWT_SECRET, rateTier: options.rateTier },
    authFailureLimit: options.authFailureLimit ?? 100_000,
    sseMaxStreamsPerKey: options.sseMaxStreamsPerKey,
    sseMaxSeconds: options.sseMaxSeconds,
    log,
    certificatePublicKey: publicKeyPem(loadOrCreateSigningKey({ dataDir })),
    reach: reachPolicy(loadConfig(settings)),
    temporalUiUrl: devServer.uiUrl,
    namespace: 'default',
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as { port: number }).port;
  return {
    dataDir,
    store,
    get devServer() {
      return devServer;
    },
    async restartTemporal(downMs = 1000) {
      await devServer.stop();
      await new Promise((r) => setTimeout(r, downMs));
      devServer = await startDevServer(dataDir, serverOptions);
    },
    client,
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    workerEnv: {
      ...settings,
      TEMPORAL_ADDRESS: devServer.address,
      SENSEI_TASK_QUEUE: taskQueue,
      SENSEI_ENCRYPTION_KEY: encryptionKey,
      SENSEI_LOG_LEVEL: 'warn',
    },
    async close() {
      const closed = new Promise((r) => server.close(r));
      server.closeAllConnections();
      await closed;
      // Handlers of the connections just cut (a status stream between two polls) finish their last Temporal call
      // first (closeClient): a status query to a migration whose worker the test already stopped waits out its
      // deadline. A fixed 5 s wait here was once too short.
      await closeClient(client);
      await store.close();
      await devServer.stop();
    },
  };
}

export { freePort };
