/**
 * A SQLite database as applications make them, migrated to PostgreSQL, MariaDB and SQLite through the workflow:
 * - an FTS5 full-text table: its shadow tables (docs_data, docs_idx, …) were taken for tables of their own, copied as
 *   such across dialects, and SQLite → SQLite failed (creating the virtual table makes them, "already holds 1 rows");
 *   now they are left out, the virtual table's rows are copied (across dialects as a plain table);
 * - a STRICT table's ANY column: read as NUMERIC (its affinity elsewhere), a text value in it was a rejected row; now
 *   read as text, as a column without a declared type;
 * - a WITHOUT ROWID table, a table named by a reserved word with a quoted column name, a virtual generated column,
 *   AUTOINCREMENT, and ANALYZE's sqlite_stat1.
 * Every run completes with validation passed; values are compared by the test's own reads.
 */
import Database from 'better-sqlite3';
import { sqlitePath } from '../../connectors/endpoint';
import type { MigrationPlan } from '../../lib/types';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateAndValidate, migrationSuite } from '../helpers/suite';

const suite = migrationSuite();
let source: TempDatabase;

beforeAll(async () => {
  source = await suite.database('sqlite');
  const db = new Database(sqlitePath(source.endpoint.connectionString));
  db.exec(`
    CREATE TABLE "order" ("weird ""name""" TEXT, id INTEGER PRIMARY KEY, at DATETIME, ok BOOLEAN, g AS (id * 2) VIRTUAL);
    INSERT INTO "order" VALUES ('x', 1, '2024-01-01 10:00:00', 1), ('y', 2, NULL, 0);
    CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
    INSERT INTO kv VALUES ('a', x'00ff'), ('b', NULL);
    CREATE TABLE strict_t (id INTEGER PRIMARY KEY, r REAL, t TEXT, a ANY) STRICT;
    INSERT INTO strict_t VALUES (1, 1.5, 't', 3), (2, NULL, NULL, 'text'), (3, 2.0, 'u', x'01');
    CREATE VIRTUAL TABLE docs USING fts5(title, body);
    INSERT INTO docs VALUES ('hello', 'world'), ('foo', 'bar baz');
    CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
    INSERT INTO auto (v) VALUES ('a'), ('b');
    ANALYZE;
  `);
  db.close();
});

async function migrate(target: TempDatabase): Promise<MigrationPlan> {
  const plan = await migrateAndValidate(suite, source, target);
  expect(plan.tables.map((t) => t.source.name).sort()).toEqual(['auto', 'docs', 'kv', 'order', 'strict_t']);
  return plan;
}

test('SQLite → PostgreSQL', async () => {
  const target = await suite.database('postgresql');
  const plan = await migrate(target);
  expect(plan.tables.find((t) => t.source.name === 'strict_t')!.columns.find((c) => c.column === 'a')).toMatchObject({ targetType: 'text' });
  expect(await pgRows(target.endpoint, 'SELECT title, body FROM docs ORDER BY title')).toEqual([
    { title: 'foo', body: 'bar baz' },
    { title: 'hello', body: 'world' },
  ]);
  expect(await pgRows(target.endpoint, 'SELECT id::int id, a FROM strict_t ORDER BY id')).toEqual([
    { id: 1, a: '3' },
    { id: 2, a: 'text' },
    { id: 3, a: expect.any(String) },
  ]);
  expect(await pgRows(target.endpoint, 'SELECT "weird ""name""" w, id::int id FROM "order" ORDER BY id')).toEqual([
    { w: 'x', id: 1 },
    { w: 'y', id: 2 },
  ]);
}, 300_000);

test('SQLite → MariaDB', async () => {
  const target = await suite.database('mysql');
  await migrate(target);
  expect(await mariadbRows(target.endpoint, 'SELECT title, body FROM docs ORDER BY title')).toEqual([
    { title: 'foo', body: 'bar baz' },
    { title: 'hello', body: 'world' },
  ]);
  expect(await mariadbRows(target.endpoint, 'SELECT k, HEX(v) v FROM kv ORDER BY k')).toEqual([
    { k: 'a', v: '00FF' },
    { k: 'b', v: null },
  ]);
}, 300_000);

test('SQLite → SQLite: the full-text table is created as one, searchable', async () => {
  const target = await suite.database('sqlite');
  await migrate(target);
  const db = new Database(sqlitePath(target.endpoint.connectionString), { readonly: true });
  try {
    expect(db.prepare("SELECT title FROM docs WHERE docs MATCH 'baz'").all()).toEqual([{ title: 'foo' }]);
    expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'docs'").get()).toEqual({ sql: 'CREATE VIRTUAL TABLE docs USING fts5(title, body)' });
    expect(db.prepare('SELECT id, a, typeof(a) t FROM strict_t ORDER BY id').all()).toEqual([
      { id: 1, a: 3, t: 'integer' },
      { id: 2, a: 'text', t: 'text' },
      { id: 3, a: Buffer.from([1]), t: 'blob' },
    ]);
  } finally {
    db.close();
  }
}, 300_000);
