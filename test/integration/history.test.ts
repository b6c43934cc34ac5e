/**
 * History stays bounded: a server that suggests continue-as-new early makes the migration carry its
 * checkpoints into a new run in the middle of a table, and the copy still ends with every row exactly once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DocumentRefs, MigrationInput } from '../../lib/migration';
import type { MigrationPlan, SchemaInfo } from '../../lib/types';
import { documentRefsQuery, planQuery, startUpdate } from '../../workflows/migration';
import { Client as PgClient } from 'pg';
import { compareDatabases } from '../helpers/compare';
import { createTempDatabase } from '../helpers/databases';
import { recordHistories } from '../helpers/histories';
import { createTestEnv, isOver, startHarness, startMigration, tempDataDir, waitForStatus, type MigrationHarness } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let dir: string;

beforeAll(async () => {
  // The server suggests continue-as-new once a run's history passes 150 events.
  env = await createTestEnv(['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=150']);
  h = await startHarness(env);
  dir = tempDataDir();
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('continues as new in the middle of a table and finishes with every row exactly once', async () => {
  const source = { type: 'sqlite' as const, connectionString: path.join(dir, 'source.sqlite') };
  fs.copyFileSync(path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite'), source.connectionString);
  const target = { type: 'sqlite' as const, connectionString: path.join(dir, 'target.sqlite') };

  const handle = await startMigration(h, { ...source, tables: ['PlaylistTrack', 'Track'] }, target, 'aggressive', { chunk_size: 100, parallel_tables: 2 });
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver, 120_000);

  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  const description = await handle.describe();
  expect(description.runId).not.toBe(handle.firstExecutionRunId);
  // Every run's history stayed near the suggestion, far below what one run copying 12,218 rows in 100-row chunks would need.
  expect(description.historyLength).toBeLessThan(400);

  const copied = await compareDatabases(source, target, ['PlaylistTrack', 'Track']);
  expect(copied).toHaveLength(2);
  expect(copied.map((t) => t.targetRows)).toEqual(copied.map((t) => t.sourceRows));
  expect(copied.map((t) => t.targetChecksum)).toEqual(copied.map((t) => t.sourceChecksum));
  expect(status.progress.rows_copied).toBe(8715 + 3503);

  // Past the gate a continue-as-new carries the keys of the schema and the plan in the store, not the documents.
  const first = await h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
  const continued = first.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
  const payloads = continued?.input?.payloads ?? [];
  expect(payloads).toHaveLength(1);
  const next = JSON.parse(Buffer.from(payloads[0]?.data ?? []).toString('utf8')) as MigrationInput;
  expect(next.carried).toMatchObject({ schema: null, plan: null, documentRefs: { schema: expect.stringMatching(/^plan:[0-9a-f]{64}$/), plan: expect.stringMatching(/^plan:[0-9a-f]{64}$/) } });
  const refs = next.carried?.documentRefs as DocumentRefs;
  const kept = async <T>(key: string) => JSON.parse(((await h.store.getBlob(key)) as Buffer).toString('utf8')) as T;
  expect((await kept<SchemaInfo>(refs.schema)).tables.map((t) => t.name).sort()).toEqual(['PlaylistTrack', 'Track']);
  expect((await kept<MigrationPlan>(refs.plan)).tables.map((t) => t.target).sort()).toEqual(['PlaylistTrack', 'Track']);
  // The last run held only those keys; the outcome kept in the store has the documents whole (it outlives their blobs).
  expect(await handle.query(planQuery)).toBeNull();
  expect(await handle.query(documentRefsQuery)).toEqual(refs);
  const outcome = JSON.parse((await h.store.getStoredOutcome(handle.workflowId))?.carry_on as string) as MigrationInput;
  expect(outcome.carried?.documentRefs).toBeUndefined();
  expect(outcome.carried?.plan).toEqual(await kept<MigrationPlan>(refs.plan));
  expect(outcome.carried?.schema).toEqual(await kept<SchemaInfo>(refs.schema));
  await recordHistories(h.client, handle.workflowId, 'continue-as-new');
});

test('a table split into key ranges carries every range checkpoint across continue-as-new', async () => {
  const sourceDb = await createTempDatabase('postgresql');
  const targetDb = await createTempDatabase('postgresql');
  try {
    const rows = 200_000;
    const admin = new PgClient({ connectionString: sourceDb.endpoint.connectionString });
    await admin.connect();
    await admin.query('CREATE TABLE readings (id integer PRIMARY KEY, value numeric(10,3), at timestamptz)');
    await admin.query(`INSERT INTO readings SELECT g * 2, g / 3.0, timestamptz '2024-06-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, ${rows}) g`);
    await admin.query('ANALYZE readings');
    await admin.end();

    const handle = await startMigration(h, sourceDb.endpoint, targetDb.endpoint, 'aggressive', { chunk_size: 2_000, parallel_tables: 3, table_partitions: 3 });
    await handle.executeUpdate(startUpdate);
    const status = await waitForStatus(handle, isOver, 180_000);

    expect(status.failure).toBeNull();
    expect(status.status).toBe('completed');
    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    const [readings] = status.tables;
    expect(readings.partitions?.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(readings.rows_copied).toBe(rows);
    const copied = await compareDatabases(sourceDb.endpoint, targetDb.endpoint);
    expect(copied.map((t) => [t.targetRows, t.targetChecksum])).toEqual(copied.map((t) => [t.sourceRows, t.sourceChecksum]));
    await recordHistories(h.client, handle.workflowId, 'key-ranges-continue-as-new');
  } finally {
    await Promise.allSettled([sourceDb.drop(), targetDb.drop()]);
  }
});
