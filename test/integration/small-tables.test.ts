/**
 * Small tables are copied in batches (copyFirstChunks): one activity copies the first chunk of up to fifty tables
 * whose row estimates fit in a chunk. PostgreSQL → MariaDB on a real Temporal dev server, with tables a batch must
 * hand back: one whose estimate is stale (never analysed, thousands of rows), one without a key (copied whole, never
 * batched), and one with a row the target rejects (named, and caught by validation). Every other row arrives (counted
 * by the test's own SQL), and the history shows the batches.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { temporal } from '@temporalio/proto';
import { approveUpdate, startUpdate } from '../../workflows/migration';
import { recordHistories } from '../helpers/histories';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const SMALL = 120;
const GROWN_ROWS = 2_500;
const CHUNK = 1_000;

const suite = migrationSuite();

/** The activities scheduled in every run of the workflow's chain, by type. */
async function activitiesScheduled(workflowId: string, firstRunId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history: temporal.api.history.v1.IHistory = await suite.harness.client.workflow.getHandle(workflowId, runId).fetchHistory();
    for (const e of history.events ?? []) {
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return counts;
}

test(`${SMALL} small tables go in batches; a stale estimate, a table without a key and a rejected row are copied whole`, async () => {
  const source = await suite.database('postgresql');
  const client = new pg.Client({ connectionString: source.endpoint.connectionString });
  await client.connect();
  try {
    await client.query(`DO $$ BEGIN FOR i IN 1..${SMALL} LOOP
      EXECUTE format('CREATE TABLE s%s (id int PRIMARY KEY, name varchar(20) NOT NULL)', i);
      EXECUTE format('INSERT INTO s%s SELECT g, ''row '' || g FROM generate_series(1, 1 + %s %% 7) g', i, i);
    END LOOP; END $$`);
    // Never analysed (autovacuum off): its estimate says 0 rows, so a batch takes it and must hand it back.
    await client.query('CREATE TABLE grown (id int PRIMARY KEY, note text) WITH (autovacuum_enabled = false)');
    await client.query(`INSERT INTO grown SELECT g, 'note ' || g FROM generate_series(1, ${GROWN_ROWS}) g`);
    await client.query("CREATE TABLE keyless (label text, amount numeric(8,2)); INSERT INTO keyless VALUES ('a', 1.5), ('b', NULL), ('a', 1.5)");
    // MariaDB's DATETIME stops at year 9999: the row with the later timestamp is rejected and named, the rest arrive.
    await client.query("CREATE TABLE dated (id int PRIMARY KEY, at timestamp); INSERT INTO dated VALUES (1, '2020-01-02 03:04:05'), (2, '12000-01-01 00:00:00'), (3, NULL)");
    await client.query('ANALYZE s1, s2, s3, keyless, dated');
  } finally {
    await client.end();
  }
  const target = await suite.database('mysql');

  const handle = await startMigration(suite.harness, source.endpoint, target.endpoint, 'aggressive', { auto_approve_high_confidence: true, chunk_size: CHUNK });
  await handle.executeUpdate(startUpdate);
  const waiting = await waitForStatus(handle, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
  if (waiting.status === 'awaiting_approval') await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 300_000);
  await recordHistories(suite.harness.client, handle.workflowId, 'small-tables-batched');
  // Every table copied; validation then fails for the one rejected row, and only for it.
  expect(status.phases.find((p) => p.name === 'data_transfer')?.status).toBe('completed');
  expect(status.failure?.code).toBe('ValidationFailed');
  expect(status.failure?.message).toMatch(/^caught by the semantic tier: dated row \(id=2\) is missing in the target/);
  expect(status.progress).toMatchObject({ tables_total: SMALL + 3, tables_completed: SMALL + 3 });

  // The test's own counts on the target.
  const conn = await mysql.createConnection(target.endpoint.connectionString);
  try {
    const counts = Array.from({ length: SMALL }, (_, i) => `SELECT ${i + 1} AS t, COUNT(*) AS n FROM s${i + 1}`).join(' UNION ALL ');
    const [rows] = await conn.query(counts);
    for (const { t, n } of rows as { t: number; n: number }[]) expect([t, Number(n)]).toEqual([t, 1 + (t % 7)]);
    const [[grown]] = (await conn.query('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids, MAX(id) AS top FROM grown')) as unknown as [{ n: number; ids: number; top: number }[]];
    expect([Number(grown?.n), Number(grown?.ids), Number(grown?.top)]).toEqual([GROWN_ROWS, GROWN_ROWS, GROWN_ROWS]);
    const [keyless] = await conn.query('SELECT label, amount FROM keyless ORDER BY label, amount');
    expect((keyless as { label: string; amount: string | null }[]).map((r) => [r.label, r.amount])).toEqual([['a', '1.50'], ['a', '1.50'], ['b', null]]);
    const [dated] = await conn.query('SELECT id FROM dated ORDER BY id');
    expect((dated as { id: number }[]).map((r) => r.id)).toEqual([1, 3]);
  } finally {
    await conn.end();
  }
  const tables = new Map(status.tables.map((t) => [t.name, t]));
  expect(tables.get('dated')).toMatchObject({ status: 'completed', rows_copied: 2, rows_rejected: 1 });
  expect(status.errors.filter((e) => e.code === 'RowRejected').map((e) => [e.table, e.key])).toEqual([['dated', [2]]]);

  // A handful of batches copied the small tables (not one activity per table); the grown table went on alone after
  // its first chunk; the keyless one was copied whole.
  const activities = await activitiesScheduled(handle.workflowId, handle.firstExecutionRunId);
  const batches = activities.get('copyFirstChunks') ?? 0;
  expect(batches).toBeGreaterThanOrEqual(Math.ceil(SMALL / 50));
  expect(batches).toBeLessThan(SMALL / 5);
  expect(activities.get('copyChunk') ?? 0).toBeLessThan(SMALL / 5);
  expect(activities.get('copyWholeTable')).toBe(1);
  expect(tables.get('grown')).toMatchObject({ status: 'completed', rows_copied: GROWN_ROWS });
  expect(tables.get('grown')?.chunks).toBeGreaterThan(1);
}, 600_000);
