/**
 * MariaDB → MariaDB with system-versioned tables, through the workflow on a real Temporal dev server. Such a table was
 * made a plain one with the current rows only (one partitioned BY SYSTEM_TIME could not be created at all); now it is
 * versioned on the target with its history: every version of its rows with their row start and end, implicit or
 * declared, so that FOR SYSTEM_TIME queries answer on the target as on the source. Values of every kind of column
 * (bits, bytes, geometry, JSON, sets, …) are kept in every version. Transaction-id periods stay plain values. A
 * foreign key points at a versioned table. Everything is checked by this test's own SQL.
 */
import { mariadbRows, type TempDatabase } from '../helpers/databases';
import { migrateAndValidate, migrationSuite, seededDatabase } from '../helpers/suite';

const suite = migrationSuite();
const source = seededDatabase(suite, 'mysql', [
  'CREATE TABLE prices (id INT PRIMARY KEY, amount DECIMAL(10,2), KEY (amount)) WITH SYSTEM VERSIONING',
  'INSERT INTO prices VALUES (1, 1.00), (2, 2.00), (3, 3.00)',
  'UPDATE prices SET amount = 1.50 WHERE id = 1',
  'DELETE FROM prices WHERE id = 3',
  'CREATE TABLE orders (id INT PRIMARY KEY, price_id INT, FOREIGN KEY (price_id) REFERENCES prices (id))',
  'INSERT INTO orders VALUES (10, 1), (11, 2)',
  `CREATE TABLE slices (id INT PRIMARY KEY, v VARCHAR(10)) WITH SYSTEM VERSIONING
     PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH STARTS TIMESTAMP'2026-01-01 00:00:00' PARTITIONS 3`,
  "INSERT INTO slices VALUES (1, 'a'), (2, 'b')",
  "UPDATE slices SET v = 'c' WHERE id = 2",
  `CREATE TABLE periods (id INT AUTO_INCREMENT PRIMARY KEY, v INT, twice INT AS (v * 2) VIRTUAL, rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START,
     re TIMESTAMP(6) GENERATED ALWAYS AS ROW END, PERIOD FOR SYSTEM_TIME(rs, re)) WITH SYSTEM VERSIONING`,
  'INSERT INTO periods (v) VALUES (10), (20), (30)',
  'UPDATE periods SET v = 11 WHERE id = 1',
  'DELETE FROM periods WHERE id = 3',
  // Declared row start and end that SELECT * does not show, one with a comment.
  `CREATE TABLE hidden (id INT PRIMARY KEY, v INT, s TIMESTAMP(6) GENERATED ALWAYS AS ROW START INVISIBLE COMMENT 'since',
     e TIMESTAMP(6) GENERATED ALWAYS AS ROW END INVISIBLE, PERIOD FOR SYSTEM_TIME(s, e)) WITH SYSTEM VERSIONING`,
  'INSERT INTO hidden (id, v) VALUES (1, 1)',
  'UPDATE hidden SET v = 2',
  // Every kind of value in current and past versions, a keyless table too.
  `CREATE TABLE kinds (id INT PRIMARY KEY, b BIT(8), bl BLOB, g POINT, j JSON, e ENUM('x', 'y'), st SET('a', 'b'), t VARCHAR(20),
     d DATETIME(6), n DECIMAL(20,6), f DOUBLE, u BIGINT UNSIGNED, y YEAR) WITH SYSTEM VERSIONING`,
  `INSERT INTO kinds VALUES (1, b'10100101', X'00ff0a5c09', ST_GeomFromText('POINT(1 2)', 4326), '{"a": [1, "é"]}', 'y', 'a,b', 'naïve ☃\ttab',
     '2020-02-29 12:34:56.789012', 12345678901234.123456, 0.1, 18446744073709551615, 2024), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  "UPDATE kinds SET t = 'changed', b = b'1', bl = X'', f = -1e300 WHERE id = 1",
  'DELETE FROM kinds WHERE id = 2',
  'CREATE TABLE keyless (v VARCHAR(10)) WITH SYSTEM VERSIONING',
  "INSERT INTO keyless VALUES ('same'), ('same'), ('other')",
  "UPDATE keyless SET v = 'new' WHERE v = 'other'",
  // Transaction-precise: its row start and end are transaction ids, which no other server's history means.
  `CREATE TABLE trx (id INT PRIMARY KEY, x INT, s BIGINT UNSIGNED GENERATED ALWAYS AS ROW START INVISIBLE,
     e BIGINT UNSIGNED GENERATED ALWAYS AS ROW END INVISIBLE, PERIOD FOR SYSTEM_TIME(s, e)) WITH SYSTEM VERSIONING`,
  'INSERT INTO trx (id, x) VALUES (1, 1)',
]);

const rows = (db: TempDatabase, sql: string) => mariadbRows(db.endpoint, sql);
const tableTypes = (db: TempDatabase) =>
  mariadbRows(db.endpoint, 'SELECT TABLE_NAME t, TABLE_TYPE k FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [db.name]);

const at = (column: string) => `DATE_FORMAT(${column}, '%Y-%m-%d %H:%i:%s.%f')`;
const history = (period = 'row_start, row_end') => {
  const [start, end] = period.split(', ');
  return `${at(start)} s, ${at(end)} e`;
};

/** The test's own reads of every version of every versioned table (FOR SYSTEM_TIME ALL), and of the current rows. */
const READS = [
  `SELECT id, CAST(amount AS CHAR) a, ${history()} FROM prices FOR SYSTEM_TIME ALL ORDER BY id, row_end`,
  `SELECT id, v, ${history()} FROM slices FOR SYSTEM_TIME ALL ORDER BY id, row_end`,
  `SELECT id, v, twice, ${history('rs, re')} FROM periods FOR SYSTEM_TIME ALL ORDER BY id, re`,
  `SELECT id, HEX(b) b, HEX(bl) bl, HEX(ST_AsWKB(g)) g, ST_SRID(g) srid, j, e, st, HEX(t) t, ${at('d')} d, CAST(n AS CHAR) n, CAST(f AS CHAR) f, CAST(u AS CHAR) u, y, ${history()}
     FROM kinds FOR SYSTEM_TIME ALL ORDER BY id, row_end`,
  `SELECT v, ${history()} FROM keyless FOR SYSTEM_TIME ALL ORDER BY row_end, v`,
  'SELECT id, CAST(amount AS CHAR) a FROM prices ORDER BY id',
  'SELECT id, price_id FROM orders ORDER BY id',
  'SELECT id, x, CAST(e AS CHAR) e FROM trx',
  `SELECT id, v, ${history('s, e')} FROM hidden FOR SYSTEM_TIME ALL ORDER BY id, e`,
  "SELECT TABLE_NAME, COLUMN_NAME c, COLUMN_TYPE t, EXTRA x, GENERATION_EXPRESSION g, COLUMN_COMMENT k FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('periods', 'kinds', 'hidden') ORDER BY TABLE_NAME, ORDINAL_POSITION",
  "SELECT AUTO_INCREMENT a FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'periods'",
  "SELECT TABLE_NAME, INDEX_NAME i, COLUMN_NAME c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1, 2, SEQ_IN_INDEX",
];

test('MariaDB → MariaDB: system-versioned tables arrive versioned, with their history (partitioned by SYSTEM_TIME too)', async () => {
  const target = await suite.database('mysql');
  const plan = await migrateAndValidate(suite, source(), target, { recordAs: 'finalize-reads-source-history' });
  const kept = (t: string) =>
    `table ${t} is system-versioned: so is the target table (on MariaDB), with its history (every version of its rows, with their row start and end) ` +
    "where the target can take it, else with its current rows (the migration's errors then say why); validation compares the current rows, the versions are counted as they are loaded";
  expect(plan.notes).toEqual(
    expect.arrayContaining([
      kept('prices'),
      kept('slices'),
      kept('kinds'),
      kept('keyless'),
      kept('periods'),
      kept('hidden'),
      'table trx is system-versioned by transaction id: its current rows are migrated (row start and end columns (s, e) as plain values), not its history, and the target table is not versioned',
    ]),
  );
  expect(await tableTypes(target)).toEqual([
    { t: 'hidden', k: 'SYSTEM VERSIONED' },
    { t: 'keyless', k: 'SYSTEM VERSIONED' },
    { t: 'kinds', k: 'SYSTEM VERSIONED' },
    { t: 'orders', k: 'BASE TABLE' },
    { t: 'periods', k: 'SYSTEM VERSIONED' },
    { t: 'prices', k: 'SYSTEM VERSIONED' },
    { t: 'slices', k: 'SYSTEM VERSIONED' },
    { t: 'trx', k: 'BASE TABLE' },
  ]);
  for (const sql of READS) {
    const expected = await rows(source(), sql);
    expect(expected.length).toBeGreaterThan(0);
    expect({ sql, rows: await rows(target, sql) }).toEqual({ sql, rows: expected });
  }
  // Past versions: two of prices (1 before its update, 3 before its delete), and AS OF answers alike.
  expect(await rows(target, 'SELECT COUNT(*) n FROM prices FOR SYSTEM_TIME ALL WHERE row_end < (SELECT MAX(row_end) FROM prices)')).toEqual([{ n: '2' }]);
  const [{ s: firstVersion }] = (await rows(source(), `SELECT ${at('MIN(row_start)')} s FROM prices FOR SYSTEM_TIME ALL`)) as { s: string }[];
  const asOf = `SELECT id, CAST(amount AS CHAR) a FROM prices FOR SYSTEM_TIME AS OF TIMESTAMP'${firstVersion}' ORDER BY id`;
  expect(await rows(target, asOf)).toEqual([
    { id: 1, a: '1.00' },
    { id: 2, a: '2.00' },
    { id: 3, a: '3.00' },
  ]);
  // A change on the target is versioned on from there.
  await rows(target, 'UPDATE prices SET amount = 1.75 WHERE id = 1');
  expect(await rows(target, 'SELECT id, CAST(amount AS CHAR) a FROM prices FOR SYSTEM_TIME ALL ORDER BY id, row_end')).toEqual([
    { id: 1, a: '1.00' },
    { id: 1, a: '1.50' },
    { id: 1, a: '1.75' },
    { id: 2, a: '2.00' },
    { id: 3, a: '3.00' },
  ]);
  // No table of its own is left behind (the versioned twin took the table's name).
  expect((await tableTypes(target)).map((r) => r.t)).not.toContainEqual(expect.stringMatching(/^sensei_/));
  const [created] = (await rows(target, 'SHOW CREATE TABLE slices')) as { 'Create Table': string }[];
  expect(created['Create Table']).toMatch(/WITH SYSTEM VERSIONING\s+PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH STARTS TIMESTAMP'2026-01-01 00:00:00'\s+PARTITIONS 3/);
  expect(await rows(target, 'SELECT REFERENCED_TABLE_NAME r FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()')).toEqual([{ r: 'prices' }]);
}, 300_000);
