import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Client, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ClaimCheckCodec } from '../../lib/claim-check';
import { MetadataStore } from '../../lib/store';
import { endpointLabel } from '../../connectors/endpoint';
import type { Endpoint } from '../../connectors/types';
import type { MigrationInput, MigrationOptions, MigrationStatus } from '../../lib/migration';
import { Sealer } from '../../lib/secrets';
import type { Strategy } from '../../lib/types';
import { temporalBinary } from '../../workers/dev-server';
import { createWorker, type SenseiWorker } from '../../workers/worker';
import { migrationWorkflow, statusQuery } from '../../workflows/migration';
import { testReach } from './reach';

// Quiet logs: only errors of the worker reach the test output.
Runtime.install({ logger: new DefaultLogger('ERROR') });

/** A real Temporal dev server (the CLI built by scripts/install-temporal.sh): one per test file. */
export function createTestEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalBinary() },
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
      extraArgs,
    },
  });
}

/** A throwaway data dir (generated keys) for one test file. */
export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-test-'));
}

export function uniqueId(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export interface MigrationHarness {
  env: TestWorkflowEnvironment;
  client: Client;
  worker: SenseiWorker;
  running: Promise<void>;
  taskQueue: string;
  sealer: Sealer;
  /** The worker's metadata store (where claim-checked payloads are kept). */
  store: MetadataStore;
  close(): Promise<void>;
}

/** `databaseUrl`: a PostgreSQL metadata store for the worker and client (default: a SQLite file in a fresh data dir). */
export async function startHarness(env: TestWorkflowEnvironment, options: { databaseUrl?: string } = {}): Promise<MigrationHarness> {
  const dataDir = tempDataDir();
  const taskQueue = uniqueId('tq');
  const config = { namespace: 'default', taskQueue, encryptionKey: undefined, databaseUrl: options.databaseUrl, ...testReach(dataDir) };
  const worker = await createWorker(env.nativeConnection, config);
  const running = worker.run();
  // The worker keeps large payloads in the metadata store (lib/claim-check.ts): the tests' client reads them there.
  const store = await MetadataStore.open(config);
  const client = new Client({ connection: env.connection, namespace: 'default', dataConverter: { payloadCodecs: [new ClaimCheckCodec(store)] } });
  return {
    env,
    client,
    worker,
    running,
    taskQueue,
    sealer: Sealer.fromConfig(config),
    store,
    async close() {
      await worker.shutdown();
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startMigration(
  h: MigrationHarness,
  source: Endpoint & { tables?: string[]; excludeTables?: string[] },
  target: Endpoint,
  strategy: Strategy = 'balanced',
  options: MigrationOptions = { auto_approve_high_confidence: true },
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof migrationWorkflow>> {
  const id = uniqueId('mig');
  const ref = (e: Endpoint & { tables?: string[]; excludeTables?: string[] }) => ({
    type: e.type,
    sealedConnection: h.sealer.seal(e.connectionString),
    description: endpointLabel(e),
    ...(e.schema ? { schema: e.schema } : {}),
    ...(e.tables ? { tables: e.tables } : {}),
    ...(e.excludeTables ? { excludeTables: e.excludeTables } : {}),
  });
  const input: MigrationInput = {
    id,
    name: `test ${id}`,
    source: ref(source),
    target: ref(target),
    strategy,
    options,
    createdAt: new Date().toISOString(),
  };
  return h.client.workflow.start(migrationWorkflow, { taskQueue: h.taskQueue, workflowId: id, args: [input] });
}

/** Polls the status query until `done` holds (bounded). */
export async function waitForStatus(
  handle: WorkflowHandle<typeof migrationWorkflow>,
  done: (s: MigrationStatus) => boolean,
  timeoutMs = 90_000,
): Promise<MigrationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await handle.query(statusQuery);
    if (done(status)) return status;
    if (isOver(status)) throw new Error(`migration ended ${status.status} before the awaited state: ${JSON.stringify(status.failure)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting; last status ${status.status} in ${status.phase}: ${JSON.stringify(status.failure)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const isOver = (s: MigrationStatus) => ['completed', 'failed', 'cancelled'].includes(s.status);
