/**
 * The MariaDB native zoo (test/helpers/zoo.ts: a table per type family, BIT and INET6 keys, a table without a key, a
 * system-versioned one, …) into PostgreSQL and SQLite, through the whole workflow on a real Temporal dev server, in
 * chunks of two rows. Every row a target can hold arrives; the ones it cannot (a TINYINT(1) holding 7 is no truth
 * value, a TIME past a day, an unsigned 64-bit integer past SQLite's) are rejected — by key, or in the keyless table by
 * their values — and the semantic tier names exactly those rows missing, nothing else. Found with it: a BIT(16) key
 * read for another dialect (its 16 binary digits) was bound as a string, which MariaDB compared as a decimal number
 * ('0000000000000011' as 11), so the keyset read after it skipped the row 7 without a word; and the keyless table's
 * comparison, made position by position, named the rows after a rejected one as changed. A SPATIAL index arrives in
 * PostgreSQL as a GiST index (it was a b-tree, which serves no spatial search).
 */
import Database from 'better-sqlite3';
import type { ValidationReport } from '../../lib/migration';
import { validationQuery } from '../../workflows/migration';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';
import { MARIA_NATIVE_ROWS, MARIA_NATIVE_TABLES } from '../helpers/zoo';

const suite = migrationSuite();
let source: TempDatabase;

beforeAll(async () => {
  source = await suite.database('mysql');
  for (const sql of [...Object.values(MARIA_NATIVE_TABLES), ...MARIA_NATIVE_ROWS]) await mariadbRows(source.endpoint, sql);
}, 120_000);

/** Migrates the zoo into `target`; answers the rows rejected (table, key) and what the semantic tier found missing or changed. */
async function migrate(target: TempDatabase) {
  const { status, workflowId } = await migrateOnce(suite, source, target, { chunkSize: 2 });
  const report = (await suite.harness.client.workflow.getHandle(workflowId).query(validationQuery)) as ValidationReport;
  // The tier writes a text key part as its JSON text ("A"); a number as its digits.
  const part = (v: unknown) => (String(v).startsWith('"') ? String(JSON.parse(String(v))) : String(v));
  const findings = (report.results.semantic?.findings ?? []).map((f) => [f.check, f.table, f.key ? Object.values(f.key).map(part) : null]);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected').map((e) => [e.table, e.key ? e.key.map(String) : null]);
  const counts = new Map<string, number>();
  for (const table of Object.keys(MARIA_NATIVE_TABLES)) counts.set(table, Number((await mariadbRows(source.endpoint, `SELECT COUNT(*) AS n FROM \`${table}\``))[0].n));
  // Every row is copied or rejected, none lost without a word.
  for (const t of status.tables) if (counts.has(t.name)) expect({ table: t.name, rows: t.rows_copied + t.rows_rejected }).toEqual({ table: t.name, rows: counts.get(t.name) });
  expect(status.tables.every((t) => t.status === 'completed')).toBe(true);
  return { status, findings, rejected };
}

const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

test('MariaDB native zoo → PostgreSQL: every row it can hold, the BIT key walked in order; validation names exactly the rejected rows', async () => {
  const target = await suite.database('postgresql');
  const { status, findings, rejected } = await migrate(target);
  expect(sorted(rejected)).toEqual(sorted([['bits', ['1']], ['loose', null], ['loose', null], ['odd', ['A']], ['odd', ['a']]]));
  expect(status.failure?.code).toBe('ValidationFailed');
  expect(sorted(findings)).toEqual(sorted(rejected.map(([table, key]) => ['row_missing', table, key])));
  const bits = await mariadbRows(source.endpoint, "SELECT LPAD(BIN(id), 16, '0') AS id, s FROM bitkeyed ORDER BY id");
  expect(await pgRows(target.endpoint, 'SELECT id::text AS id, s FROM bitkeyed ORDER BY id')).toEqual(bits.map((r) => ({ id: r.id, s: r.s === '' ? [] : String(r.s).split(',') })));
  // The FULLTEXT index is MariaDB's own (MATCH … AGAINST): said, not made.
  expect(status.errors.filter((e) => e.code !== 'RowRejected' && e.code !== 'ValidationFailed')).toEqual([]);
  expect(await pgRows(target.endpoint, "SELECT indexname n FROM pg_indexes WHERE tablename = 'docs'")).toEqual([{ n: 'docs_pkey' }]);
  // The SPATIAL index on the POINT column (PostGIS geometry(Point) here) is a GiST index, which spatial searches use.
  expect(await pgRows(target.endpoint, "SELECT indexname n, indexdef d FROM pg_indexes WHERE tablename = 'shapes' AND indexname <> 'shapes_pkey'")).toEqual([
    { n: 'shapes_p', d: expect.stringMatching(/ON public\.shapes USING gist \(p\)$/) },
  ]);
}, 300_000);

test('MariaDB native zoo → SQLite: every row it can hold; validation names exactly the rejected rows', async () => {
  const target = await suite.database('sqlite');
  const { status, findings, rejected } = await migrate(target);
  expect(sorted(rejected)).toEqual(sorted([['bits', ['1']], ['bits', ['18446744073709551615']], ['loose', null], ['loose', null]]));
  expect(status.failure?.code).toBe('ValidationFailed');
  expect(sorted(findings)).toEqual(sorted(rejected.map(([table, key]) => ['row_missing', table, key])));
  const db = new Database(target.endpoint.connectionString, { readonly: true });
  try {
    expect(db.prepare('SELECT id FROM bitkeyed ORDER BY id').all()).toEqual(
      (await mariadbRows(source.endpoint, "SELECT LPAD(BIN(id), 16, '0') AS id FROM bitkeyed ORDER BY id")).map((r) => ({ id: r.id })),
    );
  } finally {
    db.close();
  }
}, 300_000);
