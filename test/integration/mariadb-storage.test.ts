/**
 * MariaDB → MariaDB keeps what a table is beyond its columns, as mysqldump does: an INVISIBLE column stays invisible, a
 * partitioned table keeps its partitions, a MyISAM or Aria table its engine. Before, each was lost without a word (the
 * table made visible, unpartitioned, InnoDB).
 */
import { mariadbRows } from '../helpers/databases';
import { migrateAndValidate, migrationSuite, seededDatabase } from '../helpers/suite';

const suite = migrationSuite();
const source = seededDatabase(suite, 'mysql', [
    'CREATE TABLE inv (id int PRIMARY KEY, a int, secret int INVISIBLE DEFAULT 7, later int AS (a + 1) VIRTUAL INVISIBLE)',
    'INSERT INTO inv (id, a, secret) VALUES (1, 1, 10), (2, 2, 20)',
    'CREATE TABLE parts (id int NOT NULL, y int NOT NULL, PRIMARY KEY (id, y)) PARTITION BY RANGE (y) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)',
    'INSERT INTO parts VALUES (1, 1999), (2, 2020), (3, 1500)',
    'CREATE TABLE hashed (id int PRIMARY KEY, v varchar(10)) PARTITION BY HASH (id) PARTITIONS 3',
    "INSERT INTO hashed VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')",
    'CREATE TABLE myi (id int PRIMARY KEY, v int) ENGINE=MyISAM',
    'CREATE TABLE ari (id int PRIMARY KEY, v int) ENGINE=Aria',
    'INSERT INTO myi VALUES (1, 1)',
    'INSERT INTO ari VALUES (1, 1), (2, 2)',
  ]);

const invisible = "SELECT COLUMN_NAME AS col FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND EXTRA LIKE '%INVISIBLE%' ORDER BY 1";
const partitions =
  'SELECT TABLE_NAME AS t, PARTITION_NAME AS p, PARTITION_METHOD AS method, PARTITION_DESCRIPTION AS bound, TABLE_ROWS AS n FROM information_schema.PARTITIONS ' +
  'WHERE TABLE_SCHEMA = DATABASE() AND PARTITION_NAME IS NOT NULL ORDER BY 1, 2';
const engines = 'SELECT TABLE_NAME AS t, ENGINE AS engine FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1';

test('invisible columns, partitions and MyISAM/Aria engines are kept; every row copied and validated', async () => {
  const target = await suite.database('mysql');
  await migrateAndValidate(suite, source(), target);
  expect((await mariadbRows(target.endpoint, invisible)).map((r) => r.col)).toEqual(['later', 'secret']);
  expect(await mariadbRows(target.endpoint, 'SELECT * FROM inv ORDER BY id')).toEqual([
    { id: 1, a: 1 },
    { id: 2, a: 2 },
  ]);
  expect(await mariadbRows(target.endpoint, 'SELECT id, secret, later FROM inv ORDER BY id')).toEqual([
    { id: 1, secret: 10, later: 2 },
    { id: 2, secret: 20, later: 3 },
  ]);
  const made = await mariadbRows(target.endpoint, partitions);
  expect(made.map(({ t, p, method, bound }) => [t, p, method, bound])).toEqual([
    ['hashed', 'p0', 'HASH', null],
    ['hashed', 'p1', 'HASH', null],
    ['hashed', 'p2', 'HASH', null],
    ['parts', 'p0', 'RANGE', '2000'],
    ['parts', 'p1', 'RANGE', 'MAXVALUE'],
  ]);
  expect(await mariadbRows(target.endpoint, 'SELECT id FROM parts PARTITION (p0) ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
  expect(await mariadbRows(target.endpoint, engines)).toEqual(await mariadbRows(source().endpoint, engines));
  expect((await mariadbRows(target.endpoint, engines)).filter((r) => r.engine !== 'InnoDB')).toEqual([
    { t: 'ari', engine: 'Aria' },
    { t: 'myi', engine: 'MyISAM' },
  ]);
}, 300_000);

test('→ PostgreSQL: the partitioned tables are said to be made unpartitioned; every row copied and validated', async () => {
  const target = await suite.database('postgresql');
  const plan = await migrateAndValidate(suite, source(), target);
  expect((plan.notes ?? []).filter((n) => /partitioned/.test(n))).toEqual([
    'table hashed is partitioned in the source: the target table is not (every row is copied into it)',
    'table parts is partitioned in the source: the target table is not (every row is copied into it)',
  ]);
}, 300_000);

const engined = seededDatabase(suite, 'mysql', [
  'CREATE TABLE mem (id int PRIMARY KEY, v varchar(10)) ENGINE=MEMORY',
  "INSERT INTO mem VALUES (1, 'a'), (2, 'b')",
  'CREATE TABLE csv_rows (id int NOT NULL, v varchar(10) NOT NULL) ENGINE=CSV',
  "INSERT INTO csv_rows VALUES (1, 'x'), (2, 'y')",
  'CREATE TABLE m1 (id int NOT NULL, KEY (id)) ENGINE=MyISAM',
  'CREATE TABLE m2 (id int NOT NULL, KEY (id)) ENGINE=MyISAM',
  'INSERT INTO m1 VALUES (1), (2)',
  'INSERT INTO m2 VALUES (3)',
  'CREATE TABLE merged (id int NOT NULL, KEY (id)) ENGINE=MERGE UNION=(m1, m2)',
]);

test('other engines (MEMORY, CSV, MERGE) are made InnoDB, and the plan says so; every row copied and validated', async () => {
  const target = await suite.database('mysql');
  const plan = await migrateAndValidate(suite, engined(), target);
  expect((plan.notes ?? []).filter((n) => /engine|MERGE/.test(n))).toEqual([
    'table csv_rows uses the CSV engine: the target table is InnoDB',
    'table mem uses the MEMORY engine: the target table is InnoDB',
    'table merged is a MERGE table: its rows are those of the tables it merges, so a target that also gets those tables holds every row twice (exclude one or the other); it is made an InnoDB table',
  ]);
  expect(await mariadbRows(target.endpoint, engines)).toEqual([
    { t: 'csv_rows', engine: 'InnoDB' },
    { t: 'm1', engine: 'MyISAM' },
    { t: 'm2', engine: 'MyISAM' },
    { t: 'mem', engine: 'InnoDB' },
    { t: 'merged', engine: 'InnoDB' },
  ]);
  expect(await mariadbRows(target.endpoint, 'SELECT id FROM merged ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  expect(await mariadbRows(target.endpoint, 'SELECT * FROM mem ORDER BY id')).toEqual([
    { id: 1, v: 'a' },
    { id: 2, v: 'b' },
  ]);
}, 300_000);
