/**
 * The payload-blob garbage collector (lib/blob-gc.ts) on a real Temporal dev server and a PostgreSQL metadata store:
 * a migration of a schema wide enough to be claim-checked (and whose validation keeps its plan by reference) runs to
 * the end; its blobs are made to look a day old, so only the histories that name them keep them. Blobs no history
 * names go once untouched for the grace period, and not before; nothing goes when Temporal cannot be listed; once the
 * histories are gone (retention), their blobs go too, and a later migration of the same schema puts them back. The
 * API's periodic run does the same on its interval. A listed execution whose history retention removed before it
 * was read names nothing (its blobs go), and one whose history cannot be read for another reason deletes nothing.
 * A running execution's pending activities' heartbeat details keep the blobs they name (a claim-checked one, and
 * the plan key in its stored bytes), which no history holds yet.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import pino from 'pino';
import { collectBlobGarbage, scheduleBlobGc, BLOB_GC_DEFAULT_GRACE_MS } from '../../lib/blob-gc';
import { ClaimCheckCodec } from '../../lib/claim-check';
import { PAYLOAD_CONVERTER_PATH } from '../../workers/temporal';
import type { HeartbeatingActivities } from '../fixtures/workflows/heartbeating';
import { MetadataStore } from '../../lib/store';
import { startUpdate, statusQuery } from '../../workflows/migration';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';
import { createTestEnv, isOver, startHarness, startMigration, tempDataDir, waitForStatus, type MigrationHarness } from '../helpers/temporal';

const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../dist/cli/sensei.js');

let env: TestWorkflowEnvironment;
let storeDb: TempDatabase;
let harness: MigrationHarness;
/** A store of the test's own (the harness's store closes with its worker). */
let store: MetadataStore;
const databases: TempDatabase[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  storeDb = await createTempDatabase('postgresql');
  harness = await startHarness(env, { databaseUrl: storeDb.endpoint.connectionString });
  store = await MetadataStore.open({ dataDir: tempDataDir(), databaseUrl: storeDb.endpoint.connectionString });
});

afterAll(async () => {
  await harness?.close();
  await store?.close();
  await env?.teardown();
  await Promise.all([...databases, storeDb].filter(Boolean).map((db) => db.drop()));
});

/** Two tables of 800 columns with long names: the source schema and the plan are each past the 256 kB claim-check threshold. */
async function wideSource(): Promise<TempDatabase> {
  const db = await createTempDatabase('postgresql');
  databases.push(db);
  const client = new pg.Client({ connectionString: db.endpoint.connectionString });
  await client.connect();
  try {
    for (const table of ['wide_a', 'wide_b']) {
      const columns = Array.from({ length: 800 }, (_, i) => `a_column_with_a_rather_long_descriptive_name_${i} integer`);
      await client.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, ${columns.join(', ')})`);
      await client.query(`INSERT INTO ${table} (id) VALUES (1), (2)`);
    }
  } finally {
    await client.end();
  }
  return db;
}

async function migrate(h: MigrationHarness, source: TempDatabase): Promise<string> {
  const target = await createTempDatabase('postgresql');
  databases.push(target);
  const handle = await startMigration(h, source.endpoint, target.endpoint);
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver, 240_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  // Closed: its histories name no more blobs than now (the status says completed a few activities before the end).
  await handle.result();
  return handle.workflowId;
}

const claimed = (p: Payload) => Buffer.from(p.metadata?.encoding ?? []).toString() === 'sensei/claim-check';

/** The blob keys the histories of a workflow id name, found the plain way: every payload of every run, claimed ones read. */
async function keysNamedBy(workflowId: string): Promise<{ claims: Set<string>; plans: Set<string> }> {
  const claims = new Set<string>();
  const plans = new Set<string>();
  const visit = async (node: unknown): Promise<void> => {
    if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
    const p = node as Payload;
    if (p.data instanceof Uint8Array && p.metadata) {
      const text = claimed(p) ? ((await store.getBlob(Buffer.from(p.data).toString())) ?? Buffer.alloc(0)).toString('latin1') : Buffer.from(p.data).toString('latin1');
      if (claimed(p)) claims.add(Buffer.from(p.data).toString());
      for (const m of text.matchAll(/plan:[0-9a-f]{64}/g)) plans.add(m[0]);
      return;
    }
    for (const value of Object.values(node)) await visit(value);
  };
  for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    await visit(await harness.client.workflow.getHandle(workflowId, run.runId).fetchHistory());
  }
  return { claims, plans };
}

const dayAgo = () => new Date(Date.now() - BLOB_GC_DEFAULT_GRACE_MS - 3_600_000).toISOString();
const keys = async () => new Set((await store.listBlobs()).map((b) => b.key));
/** A client of its own, without payload codec, as `sensei gc-blobs` connects. */
const gcClient = (namespace = 'default') => new Client({ connection: env.connection, namespace });

let source: TempDatabase;
let firstId: string;

test('histories keep the blobs they name; unnamed blobs go after the grace period, not before; a failed listing deletes nothing', async () => {
  source = await wideSource();
  firstId = await migrate(harness, source);
  const named = await keysNamedBy(firstId);
  expect(named.claims.size).toBeGreaterThan(0);
  expect(named.plans.size).toBe(1);

  // Every blob so far looks a day old: only being named can keep it.
  await store.db('payload_blobs').update({ touched_at: dayAgo() });
  await store.putBlob('a'.repeat(64), Buffer.from('nobody names this, written a day ago'));
  await store.db('payload_blobs').where({ key: 'a'.repeat(64) }).update({ touched_at: dayAgo() });
  await store.putBlob('b'.repeat(64), Buffer.from('nobody names this either, written just now'));
  const before = await keys();

  // Temporal unreachable for the namespace: the collection fails and the store is as it was.
  await expect(collectBlobGarbage(gcClient('no-such-namespace'), store)).rejects.toThrow();
  expect(await keys()).toEqual(before);

  // `sensei gc-blobs --dry-run`, configured as an operator's shell would be: it counts, and deletes nothing.
  const { stdout } = await run(process.execPath, [CLI, 'gc-blobs', '--dry-run'], {
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', SENSEI_DATABASE_URL: storeDb.endpoint.connectionString, SENSEI_DATA_DIR: tempDataDir() },
  });
  expect({ stdout }).toEqual({ stdout: expect.stringContaining(`kept ${named.claims.size + 1} blobs (`) });
  expect(stdout).toMatch(/kept 1 blob \(\d+ B\) written within the grace period/);
  expect(stdout).toMatch(/would delete 1 blob \(36 B\)/);
  expect(await keys()).toEqual(before);

  const report = await collectBlobGarbage(gcClient(), store);
  const after = await keys();
  expect(report).toMatchObject({ dryRun: false, deleted: { blobs: 1 }, fresh: { blobs: 1 }, referenced: { blobs: named.claims.size + 1 }, missing: [] });
  expect(report.executions).toBeGreaterThanOrEqual(1);
  expect(after.has('a'.repeat(64))).toBe(false);
  expect(after.has('b'.repeat(64))).toBe(true);
  for (const key of [...named.claims, ...named.plans]) expect(after.has(key)).toBe(true);
  expect(after.size).toBe(before.size - 1);
}, 300_000);

test('once retention has removed the histories their blobs go; a migration of the same schema puts them back and completes', async () => {
  const named = await keysNamedBy(firstId);
  // What the namespace's retention does to a closed workflow: its runs and their histories are deleted.
  for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${firstId}'` })) {
    await harness.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: firstId, runId: run.runId } });
  }
  // The server deletes in the background, and its visibility store follows later still (on a loaded machine, well
  // over 30 s): a run still listed is asked for again every 5 s.
  for (let listed = 1, waited = 0; listed > 0; waited += 200) {
    if (waited > 180_000) throw new Error(`${listed} deleted runs still listed after 180 s`);
    await new Promise((r) => setTimeout(r, 200));
    listed = 0;
    for await (const run of harness.client.workflow.list({ query: `WorkflowId = '${firstId}'` })) {
      listed += 1;
      if (waited > 0 && waited % 5_000 === 0) {
        await harness.client.workflowService
          .deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: firstId, runId: run.runId } })
          .catch(() => undefined);
      }
    }
  }
  const report = await collectBlobGarbage(gcClient(), store);
  const after = await keys();
  for (const key of [...named.claims, ...named.plans]) expect(after.has(key)).toBe(false);
  expect(report.deleted.blobs).toBeGreaterThanOrEqual(named.claims.size + 1);

  // A worker started later (whose codec remembers no key) migrates the same schema: the same content is stored again.
  await harness.close();
  harness = await startHarness(env, { databaseUrl: storeDb.endpoint.connectionString });
  const secondId = await migrate(harness, source);
  const again = await keysNamedBy(secondId);
  const stored = await keys();
  for (const key of [...again.claims, ...again.plans]) expect(stored.has(key)).toBe(true);
  expect([...named.claims].some((key) => again.claims.has(key))).toBe(true);
  // A closed run's query replays its history on the new worker, decoding each claim-checked payload from the store.
  expect((await harness.client.workflow.getHandle(secondId).query(statusQuery)).status).toBe('completed');
}, 300_000);

test("the API process's periodic run deletes on its interval, logs each report, and stops", async () => {
  await store.putBlob('c'.repeat(64), Buffer.from('left behind'));
  await store.db('payload_blobs').where({ key: 'c'.repeat(64) }).update({ touched_at: dayAgo() });
  const reports: { msg: string; blobGc?: { deleted: { blobs: number } } }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => reports.push(JSON.parse(line)) });
  const gc = scheduleBlobGc(gcClient(), store, { intervalMs: 300, graceMs: BLOB_GC_DEFAULT_GRACE_MS }, log);
  try {
    for (const deadline = Date.now() + 30_000; (await keys()).has('c'.repeat(64)) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await gc.stop();
  }
  expect((await keys()).has('c'.repeat(64))).toBe(false);
  expect(reports.find((r) => r.msg === 'payload blobs collected')?.blobGc?.deleted.blobs).toBe(1);
}, 60_000);

/** Every execution the namespace lists now. */
async function listing(client: Client): Promise<WorkflowExecutionInfo[]> {
  const executions: WorkflowExecutionInfo[] = [];
  for await (const e of client.workflow.list()) executions.push(e);
  return executions;
}

/**
 * The collector's client as it is, but its listing is `executions`: what visibility said a moment before retention
 * removed some of them (histories are read after the listing, so one listed can be gone by then).
 */
function listingThen(client: Client, executions: WorkflowExecutionInfo[]): Client {
  const workflow = Object.assign(Object.create(client.workflow) as Client['workflow'], {
    list: () =>
      (async function* () {
        yield* executions;
      })(),
  });
  return Object.assign(Object.create(client) as Client, { workflow });
}

/** A table of a few rows: its migration keeps its plan by key (activities/plans.ts) and claim-checks nothing. */
async function smallSource(): Promise<TempDatabase> {
  const db = await createTempDatabase('postgresql');
  databases.push(db);
  const client = new pg.Client({ connectionString: db.endpoint.connectionString });
  await client.connect();
  try {
    await client.query('CREATE TABLE small (id integer PRIMARY KEY, name text)');
    await client.query(`INSERT INTO small SELECT i, 'n' || i FROM generate_series(1, 5) i`);
  } finally {
    await client.end();
  }
  return db;
}

test('an execution listed but gone by the time its history is read (retention) is counted vanished and names nothing: its blobs go', async () => {
  const id = await migrate(harness, await smallSource());
  const named = await keysNamedBy(id);
  expect(named.plans.size).toBe(1);
  const plan = [...named.plans][0] as string;
  const listed = await listing(gcClient());
  const runs = listed.filter((e) => e.workflowId === id);
  expect(runs.length).toBeGreaterThanOrEqual(1);

  // Retention removes it after the listing: its runs are deleted, and no longer listed.
  for (const r of runs) await harness.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: id, runId: r.runId } });
  // As above: deleted in the background, unlisted later still on a loaded machine.
  for (let waited = 0; (await listing(gcClient())).some((e) => e.workflowId === id); waited += 200) {
    if (waited > 180_000) throw new Error('deleted runs still listed after 180 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  await store.db('payload_blobs').update({ touched_at: dayAgo() });

  const report = await collectBlobGarbage(listingThen(gcClient(), listed), store);
  expect(report.vanished).toBe(runs.length);
  expect(report.executions).toBe(listed.length - runs.length);
  expect((await keys()).has(plan)).toBe(false);
  expect(report.missing).toEqual([]);
}, 300_000);

test('an execution whose history cannot be read for another reason fails the collection: nothing is deleted', async () => {
  await store.putBlob('d'.repeat(64), Buffer.from('nobody names this'));
  await store.db('payload_blobs').update({ touched_at: dayAgo() });
  const before = await keys();
  const listed = await listing(gcClient());
  // A run id that is no run id at all: the service refuses the read (INVALID_ARGUMENT), which is not retention.
  const broken = { ...(listed[0] as WorkflowExecutionInfo), runId: 'not-a-run-id' };
  await expect(collectBlobGarbage(listingThen(gcClient(), [...listed, broken]), store)).rejects.toThrow(/reading the history of .* \(run not-a-run-id\) failed: no blob is deleted/);
  expect(await keys()).toEqual(before);
  expect((await collectBlobGarbage(gcClient(), store)).deleted.blobs).toBeGreaterThanOrEqual(1);
  expect((await keys()).has('d'.repeat(64))).toBe(false);
}, 120_000);

test("a running execution's pending activities' heartbeat details keep the blobs they name, claim-checked or not", async () => {
  const smallPlan = `plan:${'5'.repeat(64)}`;
  const bigPlan = `plan:${'6'.repeat(64)}`;
  for (const key of [smallPlan, bigPlan]) await store.putBlob(key, Buffer.from(`{"plan":"${key}"}`));
  const taskQueue = `heartbeats-${Date.now()}`;
  // Progress as an activity reports it: one small (the plan key in its JSON), one of 256 kB and more (claim-checked).
  const details = [{ planRef: smallPlan, next: 3 }, { planRef: bigPlan, findings: 'x'.repeat(300_000) }];
  let heartbeats = 0;
  const activities: HeartbeatingActivities = {
    async holdWithProgress(which) {
      const ctx = Context.current();
      ctx.heartbeat(details[which]);
      heartbeats += 1;
      await ctx.cancelled.catch(() => undefined);
    },
  };
  // The worker encodes as Sensei's do: details of 256 kB and more are kept in the store, their key in Temporal.
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../fixtures/workflows/heartbeating'),
    activities,
    dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH, payloadCodecs: [new ClaimCheckCodec(store)] },
    shutdownGraceTime: '1s',
  });
  const running = worker.run();
  const claimedBefore = await keys();
  const handle = await harness.client.workflow.start('heartbeatingWorkflow', { taskQueue, workflowId: `heartbeats-${Date.now()}`, args: [details.length] });
  try {
    // Both activities have heartbeated, and the service holds their details.
    for (const deadline = Date.now() + 60_000; ; ) {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      if (heartbeats === 2 && pending.filter((a) => a.heartbeatDetails?.payloads?.length).length === 2) break;
      if (Date.now() > deadline) throw new Error(`heartbeat details not seen: ${heartbeats} heartbeats, ${pending.length} pending`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const claimedDetails = [...(await keys())].filter((k) => !claimedBefore.has(k));
    expect(claimedDetails).toHaveLength(1);
    // No history names any of them yet.
    const inHistory = JSON.stringify(await handle.fetchHistory());
    for (const key of [smallPlan, bigPlan, ...claimedDetails]) expect(inHistory.includes(key)).toBe(false);
    await store.putBlob('e'.repeat(64), Buffer.from('nobody names this'));
    await store.db('payload_blobs').update({ touched_at: dayAgo() });

    const report = await collectBlobGarbage(gcClient(), store);
    const after = await keys();
    for (const key of [smallPlan, bigPlan, ...claimedDetails]) expect(after.has(key)).toBe(true);
    expect(after.has('e'.repeat(64))).toBe(false);
    expect(report.missing).toEqual([]);
  } finally {
    await handle.terminate('test over');
    worker.shutdown();
    await running;
  }
}, 300_000);
