/**
 * The NUL character (U+0000) in text: MariaDB and SQLite hold it, PostgreSQL's text cannot (nor jsonb its \u0000 escape).
 * - Into PostgreSQL, a row holding one is rejected by its key with the reason (naming the column, never the value), the
 *   other rows copied; before, PostgreSQL refused it in its own words ("invalid byte sequence for encoding UTF8: 0x00").
 *   A table without a key fails, saying why, with nothing of it copied.
 * - SQLite's LENGTH stops at the first NUL: the statistics tier counted such a text shorter in SQLite than in MariaDB,
 *   and a faithful copy failed validation. Every character is counted now.
 */
import Database from 'better-sqlite3';
import { sqlitePath } from '../../connectors/endpoint';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateAndValidate, migrateOnce, migrationSuite } from '../helpers/suite';

const suite = migrationSuite();
let mariadb: TempDatabase;
let sqlite: TempDatabase;
let keyless: TempDatabase;

const TEXTS = ['plain', 'a\u0000b', '\u0000', 'é\u0000ü\u0000', null];

beforeAll(async () => {
  mariadb = await suite.database('mysql');
  await mariadbRows(mariadb.endpoint, 'CREATE TABLE notes (id INT PRIMARY KEY, t VARCHAR(20), j JSON)');
  for (const [i, t] of TEXTS.entries()) {
    await mariadbRows(mariadb.endpoint, 'INSERT INTO notes VALUES (?, ?, ?)', [i + 1, t, i === 0 ? '{"k": "a\\u0000b"}' : '{"k": "a\\\\u0000b"}']);
  }
  sqlite = await suite.database('sqlite');
  const db = new Database(sqlitePath(sqlite.endpoint.connectionString));
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, t TEXT)');
  const insert = db.prepare('INSERT INTO notes VALUES (?, ?)');
  TEXTS.forEach((t, i) => insert.run(i + 1, t));
  db.close();
  keyless = await suite.database('sqlite');
  const loose = new Database(sqlitePath(keyless.endpoint.connectionString));
  loose.exec('CREATE TABLE loose (t TEXT)');
  loose.prepare('INSERT INTO loose VALUES (?)').run('x\u0000y');
  loose.close();
});

async function migrate(source: TempDatabase, target: TempDatabase) {
  return (await migrateOnce(suite, source, target)).status;
}

test('MariaDB → PostgreSQL: a row with a NUL in its text, or the \\u0000 escape in its JSON, is rejected by key; the rest copied', async () => {
  const target = await suite.database('postgresql');
  const status = await migrate(mariadb, target);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected').map((e) => [e.key, e.message]);
  expect(rejected).toEqual([
    [[1], 'column j holds the JSON escape \\u0000, which PostgreSQL jsonb cannot hold: the row is not copied'],
    [[2], 'column t holds the NUL character (U+0000), which PostgreSQL character varying(20) cannot hold: the row is not copied'],
    [[3], 'column t holds the NUL character (U+0000), which PostgreSQL character varying(20) cannot hold: the row is not copied'],
    [[4], 'column t holds the NUL character (U+0000), which PostgreSQL character varying(20) cannot hold: the row is not copied'],
  ]);
  // The escaped backslash (\\u0000 in the JSON text) is no NUL: that row is copied.
  expect(await pgRows(target.endpoint, "SELECT id, t, j->>'k' AS k FROM notes ORDER BY id")).toEqual([{ id: 5, t: null, k: 'a\\u0000b' }]);
}, 300_000);

test('SQLite → PostgreSQL: a table without a key holding a NUL: that row is rejected, named by its values, the others copied', async () => {
  const target = await suite.database('postgresql');
  const status = await migrate(keyless, target);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected');
  expect(rejected.map((e) => [e.table, e.key])).toEqual(Array.from({ length: rejected.length }, () => ['loose', undefined]));
  expect(rejected.length).toBeGreaterThan(0);
  for (const e of rejected) {
    expect(e.message).toMatch(/^column t of a row holds the NUL character \(U\+0000\), which PostgreSQL text cannot hold: the row is not copied \(the table has no key: the row is named by its values' SHA-256 [0-9a-f]{16}/);
  }
  // Each rejected row is its own error (its values' digest is its id).
  expect(new Set(rejected.map((e) => e.id)).size).toBe(rejected.length);
  const source = new Database(sqlitePath(keyless.endpoint.connectionString), { readonly: true });
  let total: number;
  try {
    total = Number((source.prepare('SELECT count(*) AS n FROM loose').get() as { n: number | bigint }).n);
  } finally {
    source.close();
  }
  expect(await pgRows(target.endpoint, 'SELECT count(*)::int AS n FROM loose')).toEqual([{ n: total - rejected.length }]);
  expect(status.tables.find((t) => t.name === 'loose')).toMatchObject({ status: 'completed', rows_rejected: rejected.length, rows_copied: total - rejected.length });
}, 300_000);

test('SQLite → MariaDB: text holding NULs is copied whole and passes validation (every character counted)', async () => {
  const target = await suite.database('mysql');
  await migrateAndValidate(suite, sqlite, target);
  const rows = await mariadbRows(target.endpoint, 'SELECT id, t, CHAR_LENGTH(t) AS n FROM notes ORDER BY id');
  expect(rows.map((r) => r.t)).toEqual(TEXTS);
  expect(rows.map((r) => r.n)).toEqual([5, 3, 1, 4, null]);
}, 300_000);
