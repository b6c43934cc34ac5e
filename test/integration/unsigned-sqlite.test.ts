/**
 * MariaDB's BIGINT UNSIGNED holds up to 18446744073709551615, SQLite's integers up to 9223372036854775807. Into SQLite
 * a row holding a larger one failed its chunk with the driver's own words ("RangeError: The bound string, buffer, or
 * bigint is too big"), and a table without a key failed the migration so. Now such a row is rejected by key naming the
 * column (the gate's note says so before), the rest copied exactly, up to the largest SQLite holds; a table without a
 * key fails saying which column and why.
 */
import Database from 'better-sqlite3';
import { sqlitePath } from '../../connectors/endpoint';
import { mariadbRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite, rejectedRows } from '../helpers/suite';

const suite = migrationSuite();
let source: TempDatabase;

beforeAll(async () => {
  source = await suite.database('mysql');
  await mariadbRows(source.endpoint, 'CREATE TABLE counters (id int PRIMARY KEY, hits bigint unsigned, note varchar(10))');
  await mariadbRows(
    source.endpoint,
    "INSERT INTO counters VALUES (1, 5, 'a'), (2, 18446744073709551615, 'max'), (3, 9223372036854775807, 'fits'), (4, 9223372036854775808, 'one past'), (5, NULL, 'none'), (6, 0, 'zero')",
  );
});

const reason = 'column hits holds an integer past 9223372036854775807, which SQLite BIGINT cannot hold: the row is not copied (a mapping to text would keep it)';

test('MariaDB → SQLite: a BIGINT UNSIGNED past SQLite’s integers is rejected by key, the rest copied exactly', async () => {
  const target = await suite.database('sqlite');
  const { status, plan } = await migrateOnce(suite, source, target);
  expect(plan?.tables[0].columns.find((c) => c.column === 'hits')?.note).toMatch(/values above 9223372036854775807 do not fit/);
  expect(rejectedRows(status, 'counters')).toEqual([
    [[2], reason],
    [[4], reason],
  ]);
  const copied = status.tables.find((t) => t.name === 'counters');
  expect([copied?.status, copied?.rows_copied]).toEqual(['completed', 4]);
  const db = new Database(sqlitePath(target.endpoint.connectionString), { readonly: true });
  db.defaultSafeIntegers(true);
  try {
    expect(db.prepare('SELECT id, hits, typeof(hits) AS t, note FROM counters ORDER BY id').all()).toEqual([
      { id: 1n, hits: 5n, t: 'integer', note: 'a' },
      { id: 3n, hits: 9223372036854775807n, t: 'integer', note: 'fits' },
      { id: 5n, hits: null, t: 'null', note: 'none' },
      { id: 6n, hits: 0n, t: 'integer', note: 'zero' },
    ]);
  } finally {
    db.close();
  }
}, 300_000);

test('MariaDB → SQLite: a table without a key holding one rejects that row, saying which column; the other is copied', async () => {
  const keyless = await suite.database('mysql');
  await mariadbRows(keyless.endpoint, 'CREATE TABLE raw (hits bigint unsigned)');
  await mariadbRows(keyless.endpoint, 'INSERT INTO raw VALUES (7), (18446744073709551615)');
  const target = await suite.database('sqlite');
  const { status } = await migrateOnce(suite, keyless, target);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected');
  expect(rejected.map((e) => e.message)).toEqual([
    expect.stringMatching(/^column hits of a row holds an integer past 9223372036854775807, which SQLite BIGINT cannot hold .*: the row is not copied \(the table has no key/),
  ]);
  expect(status.tables.map((t) => [t.name, t.status, t.rows_copied, t.rows_rejected])).toEqual([['raw', 'completed', 1, 1]]);
  // Validation names the row missing, as for every rejected row.
  expect(status.failure?.code).toBe('ValidationFailed');
}, 300_000);
