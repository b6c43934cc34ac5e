/**
 * MariaDB → MariaDB with system-versioned tables, through the workflow on a real Temporal dev server. A table the
 * source versions with implicit row start and end was made a plain one (as mariadb-dump keeps it, it is versioned on
 * the target now); one partitioned BY SYSTEM_TIME could not be created at all (a plain table takes no such
 * partitioning). Row start and end declared as timestamp columns keep their values in a versioned table (they were
 * plain values in a plain one); transaction ids stay plain values. A foreign key points at a versioned table. Values and versioning are checked by this test's own SQL.
 */
import type { MigrationPlan } from '../../lib/types';
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
  // Transaction-precise: its row start and end are transaction ids, which no other server's history means.
  `CREATE TABLE trx (id INT PRIMARY KEY, x INT, s BIGINT UNSIGNED GENERATED ALWAYS AS ROW START INVISIBLE,
     e BIGINT UNSIGNED GENERATED ALWAYS AS ROW END INVISIBLE, PERIOD FOR SYSTEM_TIME(s, e)) WITH SYSTEM VERSIONING`,
  'INSERT INTO trx (id, x) VALUES (1, 1)',
]);

const rows = (db: TempDatabase, sql: string) => mariadbRows(db.endpoint, sql);
const tableTypes = (db: TempDatabase) =>
  mariadbRows(db.endpoint, 'SELECT TABLE_NAME t, TABLE_TYPE k FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [db.name]);

test('MariaDB → MariaDB: system-versioned tables are versioned on the target (partitioned by SYSTEM_TIME too), with their current rows and declared row start and end', async () => {
  const target = await suite.database('mysql');
  const plan: MigrationPlan = await migrateAndValidate(suite, source(), target);
  expect(plan.notes).toEqual(
    expect.arrayContaining([
      "table prices is system-versioned: so is the target table (on MariaDB), with the current rows; the source's history is not migrated, the target's begins with the migration",
      "table slices is system-versioned: so is the target table (on MariaDB), with the current rows; the source's history is not migrated, the target's begins with the migration",
      "table periods is system-versioned: so is the target table (on MariaDB), with the current rows and their row start and end (rs, re); on MariaDB before 10.11 a plain table with those as values; the source's history is not migrated, the target's begins with the migration",
      'table trx is system-versioned: its current rows are migrated (row start and end columns (s, e) as plain values), not its history, and the target table is not versioned',
    ]),
  );
  expect(await tableTypes(target)).toEqual([
    { t: 'orders', k: 'BASE TABLE' },
    { t: 'periods', k: 'SYSTEM VERSIONED' },
    { t: 'prices', k: 'SYSTEM VERSIONED' },
    { t: 'slices', k: 'SYSTEM VERSIONED' },
    { t: 'trx', k: 'BASE TABLE' },
  ]);
  for (const sql of [
    'SELECT id, CAST(amount AS CHAR) a FROM prices ORDER BY id',
    'SELECT id, price_id FROM orders ORDER BY id',
    'SELECT id, v FROM slices ORDER BY id',
    "SELECT id, v, twice, DATE_FORMAT(rs, '%Y-%m-%d %H:%i:%s.%f') rs, DATE_FORMAT(re, '%Y-%m-%d %H:%i:%s.%f') re FROM periods ORDER BY id",
    'SELECT id, x, CAST(e AS CHAR) e FROM trx',
    "SELECT COLUMN_NAME c, COLUMN_TYPE t, EXTRA x, GENERATION_EXPRESSION g FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'periods' ORDER BY ORDINAL_POSITION",
    "SELECT AUTO_INCREMENT a FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'periods'",
  ]) {
    expect({ sql, rows: await rows(target, sql) }).toEqual({ sql, rows: await rows(source(), sql) });
  }
  // No history yet (the copy's rows are all current), and a change on the target is versioned from now on.
  expect(await rows(target, 'SELECT COUNT(*) n FROM prices FOR SYSTEM_TIME ALL')).toEqual([{ n: '2' }]);
  await rows(target, 'UPDATE prices SET amount = 1.75 WHERE id = 1');
  expect(await rows(target, 'SELECT id, CAST(amount AS CHAR) a FROM prices FOR SYSTEM_TIME ALL ORDER BY id, amount')).toEqual([
    { id: 1, a: '1.50' },
    { id: 1, a: '1.75' },
    { id: 2, a: '2.00' },
  ]);
  expect(await rows(target, 'SELECT COUNT(*) n FROM periods FOR SYSTEM_TIME ALL')).toEqual([{ n: '2' }]);
  await rows(target, 'UPDATE periods SET v = 12 WHERE id = 1');
  expect(await rows(target, 'SELECT id, v FROM periods FOR SYSTEM_TIME ALL ORDER BY id, v')).toEqual([
    { id: 1, v: 11 },
    { id: 1, v: 12 },
    { id: 2, v: 20 },
  ]);
  // No table of its own is left behind (the versioned twin took the table's name).
  expect((await tableTypes(target)).map((r) => r.t)).not.toContainEqual(expect.stringMatching(/^sensei_/));
  const [created] = (await rows(target, 'SHOW CREATE TABLE slices')) as { 'Create Table': string }[];
  expect(created['Create Table']).toMatch(/WITH SYSTEM VERSIONING\s+PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH STARTS TIMESTAMP'2026-01-01 00:00:00'\s+PARTITIONS 3/);
  // The secondary index and the foreign key to the versioned table were made on it.
  expect(await rows(target, "SELECT INDEX_NAME i FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'prices' ORDER BY 1")).toEqual(
    await rows(source(), "SELECT INDEX_NAME i FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'prices' ORDER BY 1"),
  );
  expect(await rows(target, 'SELECT REFERENCED_TABLE_NAME r FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()')).toEqual([{ r: 'prices' }]);
}, 300_000);
