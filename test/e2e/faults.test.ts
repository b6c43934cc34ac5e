/**
 * Durability under faults, with real processes: two workers sharing the work and one killed, the Temporal
 * server restarted in the middle, and the source database dropping its connections in the middle.
 * Every scenario must end with source and target identical (row counts and content checksums).
 */
import fs from 'node:fs';
import { Client as PgClient } from 'pg';
import type { Endpoint } from '../../connectors/types';
import type { MigrationInput, MigrationStatus } from '../../lib/migration';
import { endpointLabel } from '../../connectors/endpoint';
import { Sealer } from '../../lib/secrets';
import { createConnector } from '../../connectors/registry';
import { migrationWorkflow, planQuery, resumeSignal, startUpdate, statusQuery } from '../../workflows/migration';
import { compareDatabases } from '../helpers/compare';
import { createTempDatabase, loadChinook } from '../helpers/databases';
import { answersOffDocument, watchAnswers } from '../helpers/openapi';
import { WorkerProcess, startStack, type Stack } from '../helpers/processes';
import { tempDataDir, uniqueId } from '../helpers/temporal';

type TempDb = Awaited<ReturnType<typeof createTempDatabase>>;

let stack: Stack;
let dataDir: string;
const workers: WorkerProcess[] = [];
const databases: TempDb[] = [];

beforeAll(async () => {
  dataDir = tempDataDir();
  stack = await startStack(dataDir);
  // Every answer the tests get from this API is checked against its OpenAPI document (the file's last test).
  watchAnswers(stack.baseUrl);
});

afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.kill('SIGTERM')));
  await stack?.close();
  await Promise.allSettled(databases.map((d) => d.drop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function startWorker(env: NodeJS.ProcessEnv = {}): WorkerProcess {
  const worker = new WorkerProcess({ ...stack.workerEnv, ...env });
  worker.start();
  workers.push(worker);
  return worker;
}

async function chinookPair(): Promise<{ source: Endpoint; target: Endpoint }> {
  const source = await createTempDatabase('postgresql');
  const target = await createTempDatabase('mysql');
  databases.push(source, target);
  await loadChinook('postgresql', source.endpoint);
  return { source: source.endpoint, target: target.endpoint };
}

/** Starts a migration through the Temporal client, as the API does (the API itself is covered elsewhere). */
async function migrate(source: Endpoint, target: Endpoint, options: MigrationInput['options']) {
  const sealer = new Sealer(stack.workerEnv.SENSEI_ENCRYPTION_KEY as string);
  const ref = (e: Endpoint) => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: endpointLabel(e) });
  const id = uniqueId('mig');
  const input: MigrationInput = {
    id,
    name: `faults ${id}`,
    source: ref(source),
    target: ref(target),
    strategy: 'aggressive',
    options,
    createdAt: new Date().toISOString(),
  };
  const handle = await stack.client.workflow.start(migrationWorkflow, {
    taskQueue: stack.workerEnv.SENSEI_TASK_QUEUE as string,
    workflowId: id,
    args: [input],
  });
  await handle.executeUpdate(startUpdate);
  return handle;
}

type Handle = Awaited<ReturnType<typeof migrate>>;

/**
 * Where a fault strikes: a random number of copied rows in the first two thirds of Chinook's 15,607, printed so a
 * failing run can be replayed (SENSEI_FAULT_AT fixes it).
 */
function randomPoint(fault: string): number {
  const at = Number(process.env.SENSEI_FAULT_AT) || 1500 + Math.floor(Math.random() * 9000);
  process.stderr.write(`[faults] ${fault} after ${at} rows (SENSEI_FAULT_AT=${at} replays it)\n`);
  return at;
}

async function waitFor(handle: Handle, done: (s: MigrationStatus) => boolean, timeoutMs = 180_000): Promise<MigrationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const s = await stack.client.connection.withDeadline(Date.now() + 5_000, () => handle.query(statusQuery));
      if (done(s)) return s;
      if (['completed', 'failed', 'cancelled'].includes(s.status)) throw new Error(`ended ${s.status}: ${JSON.stringify(s.failure)}`);
    } catch (err) {
      // While the server restarts or no worker lives, queries fail: keep polling until the deadline.
      if (err instanceof Error && err.message.startsWith('ended ')) throw err;
    }
    if (Date.now() > deadline) throw new Error(`timed out\n${workers.map((w) => w.output.slice(-1500)).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const over = (s: MigrationStatus) => ['completed', 'failed', 'cancelled'].includes(s.status);

async function expectIdentical(source: Endpoint, target: Endpoint) {
  const compared = await compareDatabases(source, target);
  expect(compared).toHaveLength(11);
  for (const t of compared) {
    expect({ table: t.table, rows: t.targetRows, checksum: t.targetChecksum }).toEqual({ table: t.table, rows: t.sourceRows, checksum: t.sourceChecksum });
  }
}

/** Which worker identities ran copyChunk activities, from the workflow's own history. */
async function chunkWorkers(handle: Handle): Promise<Map<string, number>> {
  const history = await handle.fetchHistory();
  const copyChunkScheduled = new Set<string>();
  const byIdentity = new Map<string, number>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'copyChunk') copyChunkScheduled.add(String(event.eventId));
    const started = event.activityTaskStartedEventAttributes;
    if (started && copyChunkScheduled.has(String(started.scheduledEventId))) {
      byIdentity.set(started.identity ?? '?', (byIdentity.get(started.identity ?? '?') ?? 0) + 1);
    }
  }
  return byIdentity;
}

/** Attempts after the first of every copyChunk the workflow's history records (Temporal's own count of retries). */
async function chunkRetriesInHistory(handle: Handle): Promise<number> {
  const history = await handle.fetchHistory();
  const copyChunkScheduled = new Set<string>();
  let retries = 0;
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'copyChunk') copyChunkScheduled.add(String(event.eventId));
    const started = event.activityTaskStartedEventAttributes;
    if (started && copyChunkScheduled.has(String(started.scheduledEventId))) retries += (started.attempt ?? 1) - 1;
  }
  return retries;
}

test('two workers share the chunks; one is killed -9 and the other finishes, nothing lost or duplicated', async () => {
  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  const a = startWorker({ SENSEI_LOG_LEVEL: 'info' });
  const b = startWorker({ SENSEI_LOG_LEVEL: 'info' });
  await Promise.all([a.ready(), b.ready()]);
  const { source, target } = await chinookPair();
  const handle = await migrate(source, target, { chunk_size: 100, parallel_tables: 4 });
  const killAt = randomPoint('kill -9 of worker a');
  await waitFor(handle, (s) => s.progress.rows_copied >= killAt);
  const sharedBeforeKill = await chunkWorkers(handle);
  await a.kill('SIGKILL');
  const done = await waitFor(handle, over);
  expect(done.failure).toBeNull();
  expect(done.status).toBe('completed');
  expect(done.progress.rows_copied).toBe(15607);
  await expectIdentical(source, target);

  // Both processes did transfer work before the kill; the survivor did the rest.
  expect(sharedBeforeKill.size).toBe(2);
  const after = await chunkWorkers(handle);
  const survivor = [...after.keys()].find((id) => id.startsWith(`${b.pid}@`));
  expect(survivor).toBeDefined();
  expect(after.get(survivor as string)).toBeGreaterThan(sharedBeforeKill.get(survivor as string) ?? 0);
  await b.kill('SIGTERM');
});

test('the Temporal server stopped and restarted (same state file) in the middle: the migration continues', async () => {
  const worker = startWorker();
  const { source, target } = await chinookPair();
  const handle = await migrate(source, target, { chunk_size: 100, parallel_tables: 2 });
  const restartAt = randomPoint('Temporal server restart');
  await waitFor(handle, (s) => s.progress.rows_copied >= restartAt);
  await stack.restartTemporal(2000);
  const done = await waitFor(handle, over);
  expect(done.failure).toBeNull();
  expect(done.status).toBe('completed');
  expect(done.progress.rows_copied).toBe(15607);
  await expectIdentical(source, target);
  await worker.kill('SIGTERM');
});

test('the source drops every connection in the middle: chunks retry with backoff and the copy completes', async () => {
  startWorker();
  const { source, target } = await chinookPair();
  const handle = await migrate(source, target, { chunk_size: 100, parallel_tables: 2 });
  await waitFor(handle, (s) => s.progress.rows_copied >= 2000);
  const database = new URL(source.connectionString).pathname.slice(1);
  const admin = new PgClient({ connectionString: source.connectionString });
  await admin.connect();
  const killed = await admin.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  await admin.end();
  expect(killed.rowCount).toBeGreaterThan(0);
  const done = await waitFor(handle, over);
  expect(done.failure).toBeNull();
  expect(done.status).toBe('completed');
  expect(done.progress.rows_copied).toBe(15607);
  await expectIdentical(source, target);
  // The tables' chunk retries add up to the retries Temporal made (how many chunks the cut hit varies by run).
  expect(done.tables.reduce((n, t) => n + (t.chunk_retries ?? 0), 0)).toBe(await chunkRetriesInHistory(handle));
});

/** A PostgreSQL database goes away: no new connections, and the open ones are cut, until end(). */
async function sourceOutage(endpoint: Endpoint): Promise<{ end(): Promise<void> }> {
  const database = new URL(endpoint.connectionString).pathname.slice(1);
  const admin = new PgClient({ connectionString: endpoint.connectionString.replace(`/${database}`, '/postgres') });
  await admin.connect();
  await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
  return {
    async end() {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
      await admin.end();
    },
  };
}

/** Every table of the target holds exactly the rows its checkpoint counts (chunks here are smaller than one write). */
async function expectTargetMatchesCheckpoints(handle: Handle, target: Endpoint, status: MigrationStatus) {
  const plan = await handle.query(planQuery);
  const counter = await createConnector(target);
  try {
    for (const t of status.tables) {
      const targetName = plan?.tables.find((p) => p.source.name === t.name)?.target as string;
      expect({ table: t.name, rows: await counter.countRows(targetName) }).toEqual({ table: t.name, rows: t.rows_copied });
    }
  } finally {
    await counter.close();
  }
}

test('an outage longer than the retry budget pauses the migration at its checkpoint with the reason; resume finishes it exactly', async () => {
  startWorker();
  const { source, target } = await chinookPair();
  const handle = await migrate(source, target, {
    chunk_size: 100,
    parallel_tables: 2,
    copy_retry: { max_attempts: 3, max_interval_seconds: 1 },
  });
  await waitFor(handle, (s) => s.progress.rows_copied >= 2000);
  const outage = await sourceOutage(source);
  let pausedTable: string | undefined;
  try {
    const paused = await waitFor(handle, (s) => s.status === 'paused', 120_000);
    expect(paused.pause_reason).toMatchObject({ by: 'sensei', code: 'QueryFailed' });
    expect(paused.pause_reason?.message).toMatch(/gave up after 3 attempt\(s\).*not currently accepting connections.*resume to continue/s);
    expect(paused.pause_reason?.message).not.toContain(source.connectionString);
    const table = paused.pause_reason?.table as string;
    pausedTable = table;
    expect(paused.tables.find((t) => t.name === table)?.status).toBe('copying');
    expect(paused.errors.some((e) => e.table === table && /gave up after 3 attempt/.test(e.message))).toBe(true);
    // The chunk that gave up was retried twice (attempts 2 and 3) before the pause.
    expect(paused.tables.find((t) => t.name === table)?.chunk_retries).toBeGreaterThanOrEqual(2);

    // Held still while paused: nothing moves, and what is in the target is what the checkpoints say.
    await new Promise((r) => setTimeout(r, 3_000));
    const still = await waitFor(handle, () => true);
    expect(still.status).toBe('paused');
    expect(still.progress.rows_copied).toBe(paused.progress.rows_copied);
    await expectTargetMatchesCheckpoints(handle, target, still);
  } finally {
    await outage.end();
  }
  await handle.signal(resumeSignal);
  const done = await waitFor(handle, over);
  expect(done.failure).toBeNull();
  expect(done.status).toBe('completed');
  expect(done.pause_reason).toBeNull();
  expect(done.progress.rows_copied).toBe(15607);
  // Its re-run after the resume is one more retry of the same chunk.
  expect(done.tables.find((t) => t.name === pausedTable)?.chunk_retries).toBeGreaterThanOrEqual(3);
  await expectIdentical(source, target);
});

test("with on_exhausted 'fail' the same outage ends the migration failed with the reason and the table's checkpoint", async () => {
  startWorker();
  const { source, target } = await chinookPair();
  const handle = await migrate(source, target, {
    chunk_size: 100,
    parallel_tables: 1,
    copy_retry: { max_attempts: 2, max_interval_seconds: 1, on_exhausted: 'fail' },
  });
  await waitFor(handle, (s) => s.progress.rows_copied >= 1000);
  const outage = await sourceOutage(source);
  try {
    await expect(waitFor(handle, () => false, 120_000)).rejects.toThrow(/ended failed: .*not currently accepting connections/);
  } finally {
    await outage.end();
  }
  const failed = await handle.query(statusQuery);
  expect(failed.status).toBe('failed');
  const table = failed.tables.find((t) => t.status === 'failed');
  expect(table).toBeDefined();
  expect(failed.errors.some((e) => e.table === table?.name && /not currently accepting connections/.test(e.message))).toBe(true);
  // Each table's checkpoint says exactly what is in the target: nothing half-written.
  expect(failed.progress.rows_copied).toBeGreaterThanOrEqual(1000);
  await expectTargetMatchesCheckpoints(handle, target, failed);
});

test('one large table is split into key ranges that both workers copy at once; every row arrives exactly once', async () => {
  // Only these two workers poll the queue (earlier tests' workers stop); two chunks at a time each: four ranges
  // copied at once need both of them.
  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  const a = startWorker({ SENSEI_WORKER_ACTIVITIES: '2', SENSEI_LOG_LEVEL: 'info' });
  const b = startWorker({ SENSEI_WORKER_ACTIVITIES: '2', SENSEI_LOG_LEVEL: 'info' });
  await Promise.all([a.ready(), b.ready()]);
  const sourceDb = await createTempDatabase('postgresql');
  const targetDb = await createTempDatabase('mysql');
  databases.push(sourceDb, targetDb);
  const rows = 240_000;
  const admin = new PgClient({ connectionString: sourceDb.endpoint.connectionString });
  await admin.connect();
  try {
    // Sparse keys (every third integer, and a gap) so ranges are cut by rows, not by key values.
    await admin.query(`CREATE TABLE events (id bigint PRIMARY KEY, kind varchar(20) NOT NULL, amount numeric(12,2), at timestamp(6), note text)`);
    await admin.query(
      `INSERT INTO events SELECT CASE WHEN g <= ${rows / 2} THEN g * 3 ELSE g * 3 + 5000000 END, 'k' || (g % 7), (g % 1000) / 7.0, timestamp '2024-01-01' + g * interval '1.5 second', CASE WHEN g % 10 = 0 THEN NULL ELSE 'n' || g END FROM generate_series(1, ${rows}) g`,
    );
    await admin.query('ANALYZE events');
  } finally {
    await admin.end();
  }
  const handle = await migrate(sourceDb.endpoint, targetDb.endpoint, { chunk_size: 10_000, parallel_tables: 4, table_partitions: 4 });
  const done = await waitFor(handle, over, 240_000);
  expect(done.failure).toBeNull();
  expect(done.status).toBe('completed');
  const [events] = done.tables;
  expect(events.rows_copied).toBe(rows);
  expect(events.partitions).toHaveLength(4);
  for (const range of events.partitions ?? []) {
    expect(range.status).toBe('completed');
    // Ranges are cut by rows: each holds about a quarter.
    expect(range.rows_copied).toBeGreaterThan(rows / 8);
  }
  expect((events.partitions ?? []).reduce((n, r) => n + r.rows_copied, 0)).toBe(rows);
  const compared = await compareDatabases(sourceDb.endpoint, targetDb.endpoint);
  expect(compared.map((t) => [t.table, t.targetRows, t.targetChecksum])).toEqual(compared.map((t) => [t.table, t.sourceRows, t.sourceChecksum]));

  // Both worker processes copied chunks of the one table.
  const byWorker = await chunkWorkers(handle);
  expect([...byWorker.keys()].some((id) => id.startsWith(`${a.pid}@`))).toBe(true);
  expect([...byWorker.keys()].some((id) => id.startsWith(`${b.pid}@`))).toBe(true);
  await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
});

// Last in the file (tests run in order): every answer the tests above got from the API matched its OpenAPI document.
test('every answer of this file matches the OpenAPI document (paths, methods, status codes, required fields and types)', () => {
  expect(answersOffDocument()).toEqual([]);
});
