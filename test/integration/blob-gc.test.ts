/**
 * The payload-blob garbage collector (lib/blob-gc.ts) on a real Temporal dev server and a PostgreSQL metadata store:
 * a migration of a schema wide enough to be claim-checked (and whose validation keeps its plan by reference) runs to
 * the end; its blobs are made to look a day old, so only the histories that name them keep them. Blobs no history
 * names go once untouched for the grace period, and not before; nothing goes when Temporal cannot be listed; once the
 * histories are gone (retention), their blobs go too, and a later migration of the same schema puts them back. The
 * API's periodic run does the same on its interval.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pg from 'pg';
import pino from 'pino';
import { collectBlobGarbage, scheduleBlobGc, BLOB_GC_DEFAULT_GRACE_MS } from '../../lib/blob-gc';
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
  for (let listed = 1, waited = 0; listed > 0; waited += 200) {
    if (waited > 30_000) throw new Error(`${listed} deleted runs still listed after 30 s`);
    await new Promise((r) => setTimeout(r, 200));
    listed = 0;
    for await (const _ of harness.client.workflow.list({ query: `WorkflowId = '${firstId}'` })) listed += 1;
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
