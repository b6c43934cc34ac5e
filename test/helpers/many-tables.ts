/**
 * A schema of many small tables, PostgreSQL → MariaDB through the workflow on a real Temporal dev server
 * (test/integration/many-tables*.test.ts). Its source schema, plan and carried state are megabytes: before claim
 * checks (lib/claim-check.ts) the workflow task failed with "GRPC message too large" and was retried forever. Now
 * every payload in the history stays small, status queries answer within the API's deadline throughout, and the
 * migration completes, validated and certified, with every row in the target (counted by the test's own SQL). Small
 * tables are copied fifty to an activity (transfer.ts copyBatch), so the whole migration fits in a few events per table.
 */
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { ClaimCheckCodec } from '../../lib/claim-check';
import { QUERY_DEADLINE_MS, type DocumentRefs, type MigrationInput } from '../../lib/migration';
import { startUpdate, statusQuery, tablesQuery } from '../../workflows/migration';
import type { MigrationSuite } from './suite';
import { isOver, startMigration } from './temporal';

/** The largest `data` of any payload anywhere in a history (payloads are { metadata, data: Uint8Array }). */
export function largestPayload(node: unknown): number {
  if (!node || typeof node !== 'object') return 0;
  if (node instanceof Uint8Array) return 0;
  let largest = 0;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'data' && value instanceof Uint8Array) largest = Math.max(largest, value.length);
    else largest = Math.max(largest, largestPayload(value));
  }
  return largest;
}
const ROWS = 10;
/** Activities sent the plan by reference (activities/plans.ts). */
const PLAN_BY_REFERENCE = ['validateStructure', 'validateStatistics', 'validateReferences', 'validateContent', 'validateBehavior', 'compareRowCounts', 'issueCertificate'];

/** Whether a payload was claim-checked (lib/claim-check.ts): kept in the metadata store, its key in the history. */
const claimed = (payload: Payload | undefined) => Buffer.from(payload?.metadata?.encoding ?? []).toString() === 'sensei/claim-check';

/** A claim-checked payload's key in the metadata store (lib/claim-check.ts); fails for a payload sent inline. */
function claimKey(payload: Payload | undefined): string {
  expect(claimed(payload)).toBe(true);
  return Buffer.from(payload?.data ?? []).toString();
}

/**
 * Migrates tables ten-row tables and checks the outcome, the status queries' times, the history's payloads and size;
 * `continues`: the server suggests continue-as-new often enough that the run does, so the carried state is checked too.
 */
export async function migrateManyTables(suite: MigrationSuite, tables: number, continues: boolean): Promise<void> {
  const source = await suite.database('postgresql');
  const client = new pg.Client({ connectionString: source.endpoint.connectionString });
  await client.connect();
  // In transactions of 500 tables: one transaction creating thousands runs out of lock slots (max_locks_per_transaction).
  for (let from = 1; from <= tables; from += 500) {
    await client.query(`DO $$ BEGIN FOR i IN ${from}..${Math.min(from + 499, tables)} LOOP
      EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, name varchar(40) NOT NULL, amount numeric(10,2), noted_at timestamptz)', i);
      EXECUTE format('INSERT INTO t%s SELECT g, ''n'' || g, g * 1.5, now() FROM generate_series(1, ${ROWS}) g', i);
    END LOOP; END $$`);
  }
  await client.end();
  const target = await suite.database('mysql');

  const handle = await startMigration(suite.harness, source.endpoint, target.endpoint, 'aggressive');
  await handle.executeUpdate(startUpdate);
  // Polled as the API polls it: every status query of the run (continues-as-new included) answers within the
  // API's deadline, past which a caller would get 503.
  let slowest = 0;
  const slow: string[] = [];
  let status = await handle.query(statusQuery);
  for (const deadline = Date.now() + 1_200_000; !isOver(status) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    const asked = Date.now();
    const before = status.phase;
    status = await handle.query(statusQuery);
    const took = Date.now() - asked;
    slowest = Math.max(slowest, took);
    if (took >= 1000) slow.push(`${took} ms (${before} → ${status.phase}, ${status.progress.tables_completed} tables done)`);
  }
  console.log(`${tables} tables: the slowest status query took ${slowest} ms; those of 1 s or more: ${slow.join('; ') || 'none'}`);
  expect(slowest).toBeLessThan(QUERY_DEADLINE_MS);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.progress).toMatchObject({ tables_total: tables, tables_completed: tables, rows_copied: tables * ROWS });
  expect(status.validation?.status).toBe('passed');
  expect(status.certificate?.certificate_id).toMatch(/^cert_/);
  // The status shows 100 tables; the tables query pages through all of them, in plan order (the last page here).
  expect(status.tables).toHaveLength(100);
  const page = await handle.query(tablesQuery, tables - 10, 100);
  expect(page.total).toBe(tables);
  expect(page.tables.map((t) => t.status)).toEqual(Array(10).fill('completed'));

  const conn = await mysql.createConnection(target.endpoint.connectionString);
  try {
    let rows = 0;
    for (let from = 1; from <= tables; from += 250) {
      const names = Array.from({ length: Math.min(250, tables - from + 1) }, (_, i) => `SELECT COUNT(*) AS n FROM t${from + i}`);
      const [result] = await conn.query(`SELECT SUM(n) AS total FROM (${names.join(' UNION ALL ')}) counts`);
      rows += Number((result as { total: string }[])[0]?.total);
    }
    expect(rows).toBe(tables * ROWS);
  } finally {
    await conn.end();
  }

  // Every run of the chain (continue-as-new included): no payload near Temporal's limits.
  let largest = 0;
  let events = 0;
  const continuations: Payload[][] = [];
  const planInputs: Payload[] = [];
  for (let runId: string | undefined = handle.firstExecutionRunId; runId; ) {
    const history: temporal.api.history.v1.IHistory = await suite.harness.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    largest = Math.max(largest, largestPayload(history));
    events += history.events?.length ?? 0;
    for (const e of history.events ?? []) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled && PLAN_BY_REFERENCE.includes(scheduled.activityType?.name ?? '')) planInputs.push(...((scheduled.input?.payloads ?? []) as Payload[]));
    }
    const continued: temporal.api.history.v1.IWorkflowExecutionContinuedAsNewEventAttributes | null | undefined = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    if (continued) continuations.push((continued.input?.payloads ?? []) as Payload[]);
    runId = continued?.newExecutionRunId ?? undefined;
  }
  expect(largest).toBeGreaterThan(0);
  expect(largest).toBeLessThan(256 * 1024);
  // One activity per table (six events and more each) made some 15 events a table; batches make it well under one.
  console.log(`${tables} tables: ${events} history events in ${continuations.length + 1} runs`);
  expect(events).toBeLessThan(tables);
  // Validation activities are sent the plan by its key in the store, not whole (a plan names its sourceDialect).
  expect(planInputs.length).toBeGreaterThanOrEqual(PLAN_BY_REFERENCE.length);
  for (const p of planInputs) {
    const text = Buffer.from(claimed(p) ? ((await suite.harness.store.getBlob(claimKey(p))) ?? []) : (p.data ?? [])).toString('utf8');
    expect(text).toMatch(/"planRef":"plan:[0-9a-f]{64}"/);
    expect(text).not.toContain('"sourceDialect"');
  }

  // Each continue-as-new carries the per-table progress and counters, and the schema and plan by their keys in the
  // store (the same keys every time): no run after the first holds (or, replayed, decodes) the documents, several
  // times the carried state's size.
  if (!continues) return;
  expect(continuations.length).toBeGreaterThan(0);
  const carriedTexts = await Promise.all(continuations.map(async ([carried, ...rest]) => {
    expect(rest).toHaveLength(0);
    const [payload] = await new ClaimCheckCodec(suite.harness.store).decode([carried as Payload]);
    return Buffer.from(payload?.data ?? []).toString('utf8');
  }));
  const refs = new Set(carriedTexts.map((text) => JSON.stringify((JSON.parse(text) as MigrationInput).carried?.documentRefs)));
  expect(refs.size).toBe(1);
  const { plan: planKey, schema: schemaKey } = JSON.parse([...refs][0] as string) as DocumentRefs;
  const documentsBytes = ((await suite.harness.store.getBlob(planKey))?.length ?? 0) + ((await suite.harness.store.getBlob(schemaKey))?.length ?? 0);
  for (const text of carriedTexts) {
    expect(text).not.toContain('"sourceDialect"');
    expect(Buffer.byteLength(text)).toBeLessThan(documentsBytes / 4);
  }
}
