/**
 * SQLite keeps any value in any column: text in an INTEGER column, 3.7 in an INTEGER, an epoch number or 'garbage' in
 * a DATETIME, '2024/01/02' in a DATE. Before, into PostgreSQL such a row was refused in PostgreSQL's own words
 * ("invalid input syntax for type bigint"), and MariaDB changed it (3.7 became 4, caught only by validation). Now each
 * row holding a value not of its column's form is rejected by key before it is written, naming the column and what
 * the value is not (never the value); the other rows are copied. A table without a key fails, saying why.
 */
import Database from 'better-sqlite3';
import { sqlitePath } from '../../connectors/endpoint';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';

const suite = migrationSuite();
let keyed: TempDatabase;
let keyless: TempDatabase;

beforeAll(async () => {
  keyed = await suite.database('sqlite');
  const db = new Database(sqlitePath(keyed.endpoint.connectionString));
  db.exec(`CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME, d DATE, n INTEGER, price DECIMAL(10,2), u UUID, v VARCHAR);
    INSERT INTO ev VALUES (1, '2024-01-01 10:00:00', '2024-01-01', 5, 1.5, '0b7e7dee-87ac-4e2a-8b7c-9c1a8e0d3f10', 'a');
    INSERT INTO ev VALUES (2, '2024-01-01T10:00:00Z', '2024-01-02', '7', '2.50', NULL, 'b');
    INSERT INTO ev VALUES (3, 1704103200, '2024-01-03', 1, 1, NULL, 'c');
    INSERT INTO ev VALUES (4, NULL, NULL, 3.7, 3, NULL, NULL);
    INSERT INTO ev VALUES (5, 'garbage', NULL, NULL, NULL, NULL, 'e');
    INSERT INTO ev VALUES (6, NULL, '2024/01/02', NULL, NULL, NULL, 'f');
    INSERT INTO ev VALUES (7, NULL, NULL, 'abc', NULL, NULL, 'g');
    INSERT INTO ev VALUES (8, NULL, NULL, NULL, 'x', NULL, 'h');
    INSERT INTO ev VALUES (9, NULL, NULL, NULL, NULL, 'not-a-uuid', 'i');
    CREATE TABLE flags (id INTEGER PRIMARY KEY, ok BOOLEAN, amount DECIMAL(6,2));
    INSERT INTO flags VALUES (1, 1, 1.5), (2, 'true', 2), (3, 0, 0.25), (4, 2, 1), (5, 'maybe', 1), (6, 'f', 1.555), (7, NULL, 12345.6);`);
  db.close();
  keyless = await suite.database('sqlite');
  const loose = new Database(sqlitePath(keyless.endpoint.connectionString));
  loose.exec("CREATE TABLE readings (n INTEGER); INSERT INTO readings VALUES (1), ('two');");
  loose.close();
});

async function migrate(source: TempDatabase, target: TempDatabase) {
  return (await migrateOnce(suite, source, target, { chunkSize: 3 })).status;
}

const rejections = (target: string, types: Record<string, string>) => {
  const not = (id: number, column: string, what: string) => [
    [String(id)],
    `column ${column} holds a value that is not ${what} (SQLite keeps any value in any column), which ${target} ${types[column]} cannot hold: the row is not copied (a mapping to text would keep it)`,
  ];
  return [not(3, 'at', 'a timestamp'), not(4, 'n', 'an integer'), not(5, 'at', 'a timestamp'), not(6, 'd', 'a date'), not(7, 'n', 'an integer'), not(8, 'price', 'a decimal number that fits DECIMAL(10,2)'), not(9, 'u', 'a UUID')];
};

test('SQLite → PostgreSQL: each row with a value not of its column’s form is rejected by key; the rest copied', async () => {
  const target = await suite.database('postgresql');
  const status = await migrate(keyed, target);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected' && e.table === 'ev').map((e) => [e.key, e.message]);
  expect(rejected).toEqual(
    rejections('PostgreSQL', { at: 'timestamp without time zone', d: 'date', n: 'bigint', price: 'numeric(10,2)', u: 'uuid' }),
  );
  // Missing rows fail validation, which names them.
  expect(status.status).toBe('failed');
  expect(await pgRows(target.endpoint, 'SELECT id::int, at::text, d::text, n::int, price::text, v FROM ev ORDER BY id')).toEqual([
    { id: 1, at: '2024-01-01 10:00:00', d: '2024-01-01', n: 5, price: '1.50', v: 'a' },
    { id: 2, at: '2024-01-01 10:00:00', d: '2024-01-02', n: 7, price: '2.50', v: 'b' },
  ]);
}, 300_000);

test('SQLite → PostgreSQL: 2 or "maybe" in a BOOLEAN is not read as true, 1.555 in a DECIMAL(6,2) not rounded, 12345.6 not refused in PostgreSQL’s words', async () => {
  const target = await suite.database('postgresql');
  const status = await migrate(keyed, target);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected' && e.table === 'flags').map((e) => [e.key, e.message]);
  const not = (id: number, column: string, what: string, type: string) => [
    [String(id)],
    `column ${column} holds a value that is not ${what} (SQLite keeps any value in any column), which PostgreSQL ${type} cannot hold: the row is not copied (a mapping to text would keep it)`,
  ];
  expect(rejected).toEqual([
    not(4, 'ok', 'a truth value (0, 1, true, false)', 'boolean'),
    not(5, 'ok', 'a truth value (0, 1, true, false)', 'boolean'),
    not(6, 'amount', 'a decimal number that fits DECIMAL(6,2)', 'numeric(6,2)'),
    not(7, 'amount', 'a decimal number that fits DECIMAL(6,2)', 'numeric(6,2)'),
  ]);
  expect(await pgRows(target.endpoint, 'SELECT id::int, ok, amount::text FROM flags ORDER BY id')).toEqual([
    { id: 1, ok: true, amount: '1.50' },
    { id: 2, ok: true, amount: '2.00' },
    { id: 3, ok: false, amount: '0.25' },
  ]);
}, 300_000);

test('SQLite → MariaDB: 3.7 in an INTEGER column is rejected, not rounded to 4', async () => {
  const target = await suite.database('mysql');
  const status = await migrate(keyed, target);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected' && e.table === 'ev').map((e) => [e.key, e.message]);
  // A UUID is CHAR(36) text in MariaDB: any text fits it, as in the source.
  expect(rejected).toEqual(rejections('MariaDB/MySQL', { at: 'DATETIME(6)', d: 'DATE', n: 'BIGINT', price: 'DECIMAL(10,2)' }).slice(0, -1));
  expect((await mariadbRows(target.endpoint, 'SELECT id, u FROM ev ORDER BY id')).map((r) => [Number(r.id), r.u])).toEqual([
    [1, '0b7e7dee-87ac-4e2a-8b7c-9c1a8e0d3f10'],
    [2, null],
    [9, 'not-a-uuid'],
  ]);
}, 300_000);

test('SQLite → PostgreSQL: a table without a key holding such a value rejects that row, saying why; the rest is copied', async () => {
  const target = await suite.database('postgresql');
  const status = await migrate(keyless, target);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected');
  expect(rejected.length).toBeGreaterThan(0);
  for (const e of rejected) {
    expect(e.table).toBe('readings');
    expect(e.key).toBeUndefined();
    expect(e.message).toMatch(/ which PostgreSQL bigint cannot hold.*: the row is not copied \(the table has no key: the row is named by its values' SHA-256 [0-9a-f]{16}/);
  }
  expect(rejected[0].message).toMatch(/^column n of a row holds a value that is not an integer \(SQLite keeps any value in any column\)/);
  const progress = status.tables.find((t) => t.name === 'readings');
  expect(progress).toMatchObject({ status: 'completed', rows_rejected: rejected.length });
  expect(await pgRows(target.endpoint, 'SELECT count(*)::int AS n FROM readings')).toEqual([{ n: progress?.rows_copied }]);
  expect(progress?.rows_copied).toBeGreaterThan(0);
}, 300_000);
