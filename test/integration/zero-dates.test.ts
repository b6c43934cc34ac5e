/**
 * MariaDB/MySQL "zero dates" ('0000-00-00', and dates with a zero month or day, which sql_mode lets a legacy database
 * hold) have no equal in any other dialect: read for PostgreSQL or SQLite they become NULL, as pgloader and AWS DMS make
 * them, and validation compares both sides in those terms, so the migration passes. In a NOT NULL column such a row is
 * rejected by key, saying why (the gate says so first), into PostgreSQL and SQLite; edited to text at the gate, a column
 * keeps them as they are, and validation compares them (a change is caught); MariaDB → MariaDB keeps them as they are.
 * A year-0 date that is not a zero date is 1 BC. The target is read with this test's own SQL.
 */
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import type { Endpoint } from '../../connectors/types';
import { expectChangesCaught, migrateApproving } from '../helpers/caught';
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';
import { approveUpdate, editMappingsUpdate, startUpdate } from '../../workflows/migration';

const suite = migrationSuite({ timeoutMs: 120_000 });

let source: Endpoint;
let strict: Endpoint;
let legacy: Endpoint;

async function load(endpoint: Endpoint, sql: string): Promise<void> {
  // One connection, so that its sql_mode (MariaDB's default refuses no zero date; MySQL's does) holds for the inserts.
  const conn = await mysql.createConnection({ uri: endpoint.connectionString, multipleStatements: true });
  try {
    await conn.query(`SET SESSION sql_mode = ''; ${sql}`);
  } finally {
    await conn.end();
  }
}

const ROWS = [
  { id: 1, d: null, dn: '2000-01-01', ts: null, t2: null, dp: null, note: 'zero' },
  { id: 2, d: '2020-01-02', dn: '2021-03-04', ts: '2020-01-02 03:04:05', t2: '2020-01-02 03:04:05', dp: null, note: 'partial' },
  { id: 3, d: null, dn: '2022-02-02', ts: null, t2: null, dp: null, note: 'nulls' },
];

beforeAll(async () => {
  source = (await suite.database('mysql')).endpoint;
  await load(
    source,
    `CREATE TABLE z (id INT PRIMARY KEY, d DATE, dn DATE NOT NULL, ts DATETIME, t2 TIMESTAMP NULL, dp DATE, note VARCHAR(20));
     INSERT INTO z VALUES
       (1, '0000-00-00', '2000-01-01', '0000-00-00 00:00:00', '0000-00-00 00:00:00', '2020-00-00', 'zero'),
       (2, '2020-01-02', '2021-03-04', '2020-01-02 03:04:05', '2020-01-02 03:04:05', '2020-05-00', 'partial'),
       (3, NULL, '2022-02-02', NULL, NULL, NULL, 'nulls');`,
  );
  strict = (await suite.database('mysql')).endpoint;
  await load(strict, `CREATE TABLE zn (id INT PRIMARY KEY, d DATE NOT NULL); INSERT INTO zn VALUES (1, '2020-01-01'), (2, '0000-00-00'), (3, '2020-03-00');`);
  legacy = (await suite.database('mysql')).endpoint;
  await load(
    legacy,
    `CREATE TABLE legacy (id INT PRIMARY KEY, created TIMESTAMP NOT NULL DEFAULT '0000-00-00 00:00:00', born DATE DEFAULT '0000-00-00', seen DATETIME NOT NULL DEFAULT '2000-01-01 00:00:00');
     INSERT INTO legacy (id, created, born) VALUES (1, '2020-01-01 00:00:00', DEFAULT), (2, '2021-02-03 04:05:06', '1990-05-06');`,
  );
});

test('MariaDB zero dates → PostgreSQL: NULL, and the migration validates', async () => {
  const target = (await suite.database('postgresql')).endpoint;
  const { status } = await migrateApproving(suite.harness, source, target);
  expect({ status: status.status, failure: status.failure, validation: status.validation?.status, errors: status.errors_total }).toEqual({
    status: 'completed',
    failure: null,
    validation: 'passed',
    errors: 0,
  });
  const rows = await pgRows(
    target,
    `SELECT id, d::text AS d, dn::text AS dn, to_char(ts, 'YYYY-MM-DD HH24:MI:SS') AS ts, to_char(t2 AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS t2, dp::text AS dp, note FROM z ORDER BY id`,
  );
  expect(rows).toEqual(ROWS);
});

test('MariaDB zero dates → SQLite: NULL, and the migration validates', async () => {
  const target = (await suite.database('sqlite')).endpoint;
  const { status } = await migrateApproving(suite.harness, source, target);
  expect({ status: status.status, validation: status.validation?.status, errors: status.errors_total }).toEqual({ status: 'completed', validation: 'passed', errors: 0 });
  const db = new Database(target.connectionString, { readonly: true });
  try {
    const rows = db.prepare('SELECT id, d, dn, ts, t2, dp, note FROM z ORDER BY id').all() as Record<string, unknown>[];
    // Timestamps keep their canonical text (a fraction only when there is one; t2, a TIMESTAMP, in UTC with its Z).
    expect(rows.map((r) => ({ ...r, ts: r.ts === null ? null : String(r.ts).slice(0, 19), t2: r.t2 === null ? null : String(r.t2).slice(0, 19) }))).toEqual(ROWS);
  } finally {
    db.close();
  }
});

test('MariaDB → MariaDB keeps zero dates as they are', async () => {
  const target = (await suite.database('mysql')).endpoint;
  const { status } = await migrateApproving(suite.harness, source, target);
  expect({ status: status.status, validation: status.validation?.status }).toEqual({ status: 'completed', validation: 'passed' });
  const rows = await mariadbRows(target, 'SELECT id, CAST(d AS CHAR) AS d, CAST(ts AS CHAR) AS ts, CAST(dp AS CHAR) AS dp FROM z ORDER BY id');
  expect(rows).toEqual([
    { id: 1, d: '0000-00-00', ts: '0000-00-00 00:00:00', dp: '2020-00-00' },
    { id: 2, d: '2020-01-02', ts: '2020-01-02 03:04:05', dp: '2020-05-00' },
    { id: 3, d: null, ts: null, dp: null },
  ]);
});

/** What the gate says of a NOT NULL column the analysis found holding zero dates (before, only that it might). */
const FOUND_NOTE =
  "a zero date ('0000-00-00', or a zero month or day) has no equal in other dialects: it is read as NULL, which this NOT NULL column cannot take, and the analysis found it holding some: each row holding one is rejected by key unless the column is mapped to text at the gate (it then keeps them as they are)";
const notNullReason = (target: string) =>
  `column d is NOT NULL, but this row's value is read as NULL for ${target} (a zero date ('0000-00-00', or a zero month or day) has no equal in other dialects): the row is not copied (a mapping to text would keep it)`;

test('a zero date in a NOT NULL column: the analysis finds it and the gate waits, saying so; that row is rejected by key, saying why; the others are copied', async () => {
  const target = (await suite.database('postgresql')).endpoint;
  const { status, plan } = await migrateApproving(suite.harness, strict, target);
  // Found in the analysis: the mapping is not sure (the gate waits for a person), and its note says what to do.
  expect(plan.tables[0].columns.find((c) => c.column === 'd')).toMatchObject({ confidence: 0.5, note: FOUND_NOTE });
  const rejected = status.errors.filter((e) => e.code === 'RowRejected');
  expect(rejected.map((e) => e.key).sort()).toEqual([[2], [3]]);
  for (const e of rejected) expect(e.message).toBe(notNullReason('PostgreSQL'));
  expect(status.tables[0]).toMatchObject({ name: 'zn', rows_copied: 1, rows_rejected: 2, status: 'completed' });
  expect(status.validation?.row_counts).toEqual([{ table: 'zn', source_rows: 3, target_rows: 1, rejected_rows: 2, match: true }]);
  expect(await pgRows(target, 'SELECT id, d::text AS d FROM zn ORDER BY id')).toEqual([{ id: 1, d: '2020-01-01' }]);
});

test('a zero date in a NOT NULL column → SQLite: that row is rejected by key, saying why; the others are copied', async () => {
  const target = (await suite.database('sqlite')).endpoint;
  const { status, plan } = await migrateApproving(suite.harness, strict, target);
  expect(plan.tables[0].columns.find((c) => c.column === 'd')).toMatchObject({ confidence: 0.5, note: `${FOUND_NOTE}; stored as text 'YYYY-MM-DD'` });
  expect(plan.minConfidence).toBe(0.5);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected');
  expect(rejected.map((e) => [e.key, e.message])).toEqual([
    [[2], notNullReason('SQLite')],
    [[3], notNullReason('SQLite')],
  ]);
  expect(status.tables[0]).toMatchObject({ name: 'zn', rows_copied: 1, rows_rejected: 2, status: 'completed' });
  const db = new Database(target.connectionString, { readonly: true });
  try {
    expect(db.prepare('SELECT id, d FROM zn ORDER BY id').all()).toEqual([{ id: 1, d: '2020-01-01' }]);
  } finally {
    db.close();
  }
});

test('a legacy zero-date default (TIMESTAMP NOT NULL DEFAULT \'0000-00-00 00:00:00\') is not migrated, said in the plan; the table is created', async () => {
  const target = (await suite.database('postgresql')).endpoint;
  const { status, plan } = await migrateApproving(suite.harness, legacy, target);
  expect({ status: status.status, failure: status.failure, validation: status.validation?.status }).toEqual({ status: 'completed', failure: null, validation: 'passed' });
  const notes = Object.fromEntries(plan.tables[0].columns.map((c) => [c.column, c.note ?? '']));
  expect(notes.created).toContain("default '0000-00-00 00:00:00' is not migrated, because a zero date has no equal in other dialects");
  expect(notes.born).toContain("default '0000-00-00' is not migrated");
  expect(notes.seen).not.toContain('is not migrated');
  // NOT NULL, a zero date its default, but none in its rows: nothing was found, and the mapping is sure.
  expect(plan.tables[0].columns.find((c) => c.column === 'created')).toMatchObject({ confidence: 1, note: expect.not.stringContaining('the analysis found') });
  const columns = await pgRows(target, "SELECT column_name, column_default, is_nullable FROM information_schema.columns WHERE table_name = 'legacy' ORDER BY ordinal_position");
  expect(columns).toEqual([
    { column_name: 'id', column_default: null, is_nullable: 'NO' },
    { column_name: 'created', column_default: null, is_nullable: 'NO' },
    { column_name: 'born', column_default: null, is_nullable: 'YES' },
    { column_name: 'seen', column_default: "'2000-01-01 00:00:00'::timestamp without time zone", is_nullable: 'NO' },
  ]);
  expect(await pgRows(target, 'SELECT id, born::text AS born FROM legacy ORDER BY id')).toEqual([
    { id: 1, born: null },
    { id: 2, born: '1990-05-06' },
  ]);
});

test('a year-0 date that is not a zero date is 1 BC: PostgreSQL holds it with its era, and the migration validates', async () => {
  const y0 = (await suite.database('mysql')).endpoint;
  await load(y0, `CREATE TABLE y0 (id INT PRIMARY KEY, d DATE NOT NULL, ts DATETIME NOT NULL); INSERT INTO y0 VALUES (1, '0000-03-15', '0000-12-31 23:59:59'), (2, '0044-03-15', '0044-03-15 12:00:00');`);
  const target = (await suite.database('postgresql')).endpoint;
  const { status } = await migrateApproving(suite.harness, y0, target);
  expect({ status: status.status, failure: status.failure, validation: status.validation?.status, errors: status.errors_total }).toEqual({
    status: 'completed',
    failure: null,
    validation: 'passed',
    errors: 0,
  });
  expect(await pgRows(target, 'SELECT id, d::text AS d, ts::text AS ts FROM y0 ORDER BY id')).toEqual([
    { id: 1, d: '0001-03-15 BC', ts: '0001-12-31 23:59:59 BC' },
    { id: 2, d: '0044-03-15', ts: '0044-03-15 12:00:00' },
  ]);
});

/** Runs a migration that stops at the gate, edits these columns to text there, approves it, and waits for its end. */
async function migrateEditedToText(from: Endpoint, to: Endpoint, ids: string[], held = false) {
  const validation = held ? { validation: { completed_hold_seconds: 600, failed_hold_seconds: 600 } } : {};
  const handle = await startMigration(suite.harness, from, to, 'balanced', { auto_approve_high_confidence: false, chunk_size: 100, ...validation });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  const { edited } = await handle.executeUpdate(editMappingsUpdate, { args: [ids.map((id) => ({ id, target_type: 'text' }))] });
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, (s) => isOver(s) || (held && (s.status === 'completed' || s.status === 'failed')), 240_000);
  return { edited, status, handle };
}

test('zero dates kept: the columns edited to text at the gate hold them as they are, NOT NULL too, and the migration validates', async () => {
  const target = (await suite.database('postgresql')).endpoint;
  const { edited, status, handle } = await migrateEditedToText(source, target, ['z.d', 'z.dn', 'z.ts', 'z.t2', 'z.dp'], true);
  // The note no longer says zero dates are read as NULL.
  expect(edited.find((c) => c.column === 'dn')?.note).toBe(
    "edited by hand; date stored as its ISO 8601 text (44 BC as -0043, a year past 9999 whole, 'infinity' and a MariaDB zero date as they are): every value is kept, but the target no longer checks its form or orders it as time",
  );
  expect({ status: status.status, failure: status.failure, validation: status.validation?.status, errors: status.errors_total }).toEqual({
    status: 'completed',
    failure: null,
    validation: 'passed',
    errors: 0,
  });
  expect(await pgRows(target, 'SELECT id, d, dn, ts, t2, dp FROM z ORDER BY id')).toEqual([
    { id: 1, d: '0000-00-00', dn: '2000-01-01', ts: '0000-00-00 00:00:00', t2: '0000-00-00 00:00:00Z', dp: '2020-00-00' },
    { id: 2, d: '2020-01-02', dn: '2021-03-04', ts: '2020-01-02 03:04:05', t2: '2020-01-02 03:04:05Z', dp: '2020-05-00' },
    { id: 3, d: null, dn: '2022-02-02', ts: null, t2: null, dp: null },
  ]);
  // A zero date made NULL, or another date, in the target is caught by the semantic tier.
  await expectChangesCaught(handle, (sql) => pgRows(target, sql), { 1: 'd = NULL', 2: "dp = '2020-05-01'" }, 'z');

  // A NOT NULL column holding zero dates, into PostgreSQL and SQLite: every row, none rejected.
  const pg = (await suite.database('postgresql')).endpoint;
  const toPg = await migrateEditedToText(strict, pg, ['zn.d']);
  expect({ status: toPg.status.status, validation: toPg.status.validation?.status, errors: toPg.status.errors_total }).toEqual({ status: 'completed', validation: 'passed', errors: 0 });
  expect(await pgRows(pg, 'SELECT id, d FROM zn ORDER BY id')).toEqual([
    { id: 1, d: '2020-01-01' },
    { id: 2, d: '0000-00-00' },
    { id: 3, d: '2020-03-00' },
  ]);
  const lite = (await suite.database('sqlite')).endpoint;
  const toLite = await migrateEditedToText(strict, lite, ['zn.d']);
  expect({ status: toLite.status.status, validation: toLite.status.validation?.status, errors: toLite.status.errors_total }).toEqual({ status: 'completed', validation: 'passed', errors: 0 });
  const db = new Database(lite.connectionString, { readonly: true });
  try {
    expect(db.prepare('SELECT id, d FROM zn ORDER BY id').all()).toEqual([
      { id: 1, d: '2020-01-01' },
      { id: 2, d: '0000-00-00' },
      { id: 3, d: '2020-03-00' },
    ]);
  } finally {
    db.close();
  }
});
