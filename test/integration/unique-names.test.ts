/**
 * Names the plan gives what it creates in the target are unique there (issues 10 and 13), through the whole workflow
 * on real databases. A MariaDB source whose names meet once joined:
 * - ENUM `a_b`.`c` and ENUM `a`.`b_c` both want the PostgreSQL enum type `a_b_c`;
 * - ENUM `t`.`status` wants `t_status`, the name of table `t_status` (whose row type has it);
 * - CHECK `b_x` of `a` and CHECK `x` of `a_b` both want `a_b_x` (CHECK names are per schema in MySQL 8 and Oracle).
 * To PostgreSQL every type and CHECK is created under a name of its own (the first table, `a` as the source lists
 * them, keeps the plain names), the renamed ones said in the plan's notes;
 * to MariaDB (the same dialect: ENUMs inline, CHECKs per table) every name stays. Both validate, and every CHECK and
 * enum still refuses a bad value. And PostgreSQL foreign keys of one name on two tables (per table there) reach
 * MariaDB (per schema) under two names. A table's CHECK also takes no name its table holds beside it in the target:
 * into MariaDB, the name MariaDB gives a column's own CHECK (the column's: a domain's CHECK, JSON's json_valid) or a
 * foreign key's of its table; into PostgreSQL, a foreign key's of its table (a MariaDB column CHECK may share one) or
 * `<table>_<column>_check`, which PostgreSQL gives a YEAR column's CHECK. And an enum type is never named as one of
 * pg_catalog's (`pg`.`lsn`, `event`.`trigger`), which a column declared so would get. The target is read with this
 * test's own SQL.
 */
import type { Endpoint } from '../../connectors/types';
import { migrateApproving } from '../helpers/caught';
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';

const suite = migrationSuite({ timeoutMs: 120_000 });

const migrate = (source: Endpoint, target: Endpoint) => migrateApproving(suite.harness, source, target);

const refused = (run: Promise<unknown>): Promise<boolean> =>
  run.then(
    () => false,
    () => true,
  );

let source: Endpoint;

beforeAll(async () => {
  source = (await suite.database('mysql')).endpoint;
  for (const sql of [
    `CREATE TABLE a_b (id INT PRIMARY KEY, c ENUM('x', 'y') NOT NULL, x INT, CONSTRAINT x CHECK (x > 0))`,
    `CREATE TABLE a (id INT PRIMARY KEY, b_c ENUM('p', 'q', 'r'), b_x INT, CONSTRAINT b_x CHECK (b_x < 100))`,
    `CREATE TABLE t (id INT PRIMARY KEY, status ENUM('new', 'done') NOT NULL)`,
    `CREATE TABLE t_status (id INT PRIMARY KEY, label VARCHAR(20))`,
    `INSERT INTO a_b SELECT seq, IF(seq % 2, 'x', 'y'), seq FROM seq_1_to_120`,
    `INSERT INTO a SELECT seq, ELT(seq % 3 + 1, 'p', 'q', 'r'), seq % 90 FROM seq_1_to_90`,
    `INSERT INTO t SELECT seq, IF(seq % 4, 'new', 'done') FROM seq_1_to_40`,
    `INSERT INTO t_status SELECT seq, CONCAT('label ', seq) FROM seq_1_to_10`,
  ]) {
    await mariadbRows(source, sql);
  }
});

test('to PostgreSQL: three enum types and two CHECKs under distinct names, renamed ones noted; validated; each still refuses a bad value', async () => {
  const target = (await suite.database('postgresql')).endpoint;
  const { status, plan } = await migrate(source, target);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.progress.rows_copied).toBe(260);
  expect(plan.notes).toEqual(
    expect.arrayContaining([
      'the type of column a_b.c is named a_b_c_2, because a_b_c is the name of the type of column a.b_c in the target',
      'the type of column t.status is named t_status_2, because t_status is the name of table t_status in the target',
      'check x of a_b is named a_b_x_2 in the target, because a_b_x is the name of check b_x of a there',
    ]),
  );

  const types = await pgRows(
    target,
    `SELECT t.typname AS name, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = current_schema()::regnamespace GROUP BY t.typname ORDER BY 1`,
  );
  expect(types).toEqual([
    { name: 'a_b_c', labels: 'p,q,r' },
    { name: 'a_b_c_2', labels: 'x,y' },
    { name: 't_status_2', labels: 'new,done' },
  ]);
  const columns = await pgRows(
    target,
    `SELECT table_name AS t, column_name AS c, udt_name AS type FROM information_schema.columns
      WHERE table_schema = current_schema() AND data_type = 'USER-DEFINED' ORDER BY 1, 2`,
  );
  expect(columns).toEqual([
    { t: 'a', c: 'b_c', type: 'a_b_c' },
    { t: 'a_b', c: 'c', type: 'a_b_c_2' },
    { t: 't', c: 'status', type: 't_status_2' },
  ]);
  const checks = await pgRows(
    target,
    `SELECT conrelid::regclass::text AS t, conname AS name FROM pg_constraint
      WHERE contype = 'c' AND connamespace = current_schema()::regnamespace ORDER BY 1, 2`,
  );
  expect(checks).toEqual([
    { t: 'a', name: 'a_b_x' },
    { t: 'a_b', name: 'a_b_x_2' },
  ]);
  expect(await pgRows(target, `SELECT b_c::text AS v, COUNT(*)::int AS n FROM a GROUP BY 1 ORDER BY 1`)).toEqual([
    { v: 'p', n: 30 },
    { v: 'q', n: 30 },
    { v: 'r', n: 30 },
  ]);

  expect(await refused(pgRows(target, `INSERT INTO a (id, b_c, b_x) VALUES (1000, 'p', 100)`))).toBe(true);
  expect(await refused(pgRows(target, `INSERT INTO a_b (id, c, x) VALUES (1000, 'x', 0)`))).toBe(true);
  expect(await refused(pgRows(target, `INSERT INTO a (id, b_c, b_x) VALUES (1001, 'x', 1)`))).toBe(true);
  expect(await refused(pgRows(target, `INSERT INTO a_b (id, c, x) VALUES (1001, 'p', 1)`))).toBe(true);
  expect(await refused(pgRows(target, `INSERT INTO t (id, status) VALUES (1000, 'x')`))).toBe(true);
  expect(await refused(pgRows(target, `INSERT INTO a (id, b_c, b_x) VALUES (1002, 'r', 99)`))).toBe(false);
}, 300_000);

test('to MariaDB: ENUMs inline and CHECKs per table keep their names; validated; each still refuses a bad value', async () => {
  const target = (await suite.database('mysql')).endpoint;
  const { status } = await migrate(source, target);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.progress.rows_copied).toBe(260);

  const checks = await mariadbRows(
    target,
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS name FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2`,
  );
  expect(checks.map((c) => [c.t, c.name])).toEqual([
    ['a', 'b_x'],
    ['a_b', 'x'],
  ]);
  const enums = await mariadbRows(
    target,
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE = 'enum' ORDER BY 1, 2`,
  );
  expect(enums.map((e) => [e.t, e.c, e.type])).toEqual([
    ['a', 'b_c', "enum('p','q','r')"],
    ['a_b', 'c', "enum('x','y')"],
    ['t', 'status', "enum('new','done')"],
  ]);

  expect(await refused(mariadbRows(target, `INSERT INTO a (id, b_c, b_x) VALUES (1000, 'p', 100)`))).toBe(true);
  expect(await refused(mariadbRows(target, `INSERT INTO a_b (id, c, x) VALUES (1000, 'x', 0)`))).toBe(true);
  expect(await refused(mariadbRows(target, `INSERT INTO a (id, b_c, b_x) VALUES (1001, 'x', 1)`))).toBe(true);
  expect(await refused(mariadbRows(target, `INSERT INTO a (id, b_c, b_x) VALUES (1002, 'r', 99)`))).toBe(false);
}, 300_000);

test('PostgreSQL foreign keys of one name on two tables (names are per table there) to MariaDB, where they are per schema: both created, validated', async () => {
  const pgSource = (await suite.database('postgresql')).endpoint;
  await pgRows(
    pgSource,
    `CREATE TABLE parent (id integer PRIMARY KEY);
     CREATE TABLE child_a (id integer PRIMARY KEY, parent_id integer, CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id));
     CREATE TABLE child_b (id integer PRIMARY KEY, parent_id integer, CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id));
     INSERT INTO parent SELECT i FROM generate_series(1, 10) i;
     INSERT INTO child_a SELECT i, i % 10 + 1 FROM generate_series(1, 30) i;
     INSERT INTO child_b SELECT i, i % 10 + 1 FROM generate_series(1, 20) i;`,
  );
  const target = (await suite.database('mysql')).endpoint;
  const { status, plan } = await migrate(pgSource, target);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.errors ?? []).toEqual([]);
  expect(status.validation?.status).toBe('passed');
  expect(plan.notes).toContain('foreign key fk_parent of child_b is named fk_parent_2 in the target, because fk_parent is the name of foreign key fk_parent of child_a there');
  const fks = await mariadbRows(
    target,
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS name FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2`,
  );
  expect(fks.map((f) => [f.t, f.name])).toEqual([
    ['child_a', 'fk_parent'],
    ['child_b', 'fk_parent_2'],
  ]);
  expect(await refused(mariadbRows(target, `INSERT INTO child_b (id, parent_id) VALUES (1000, 99)`))).toBe(true);
}, 300_000);

test("to MariaDB: a table's CHECK named as MariaDB names a column's own CHECK (a domain's, JSON's json_valid) or as a foreign key of its table is renamed; validated; each still refuses a bad value", async () => {
  const pgSource = (await suite.database('postgresql')).endpoint;
  await pgRows(
    pgSource,
    `CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
     CREATE TABLE parent (id integer PRIMARY KEY);
     CREATE TABLE t (id integer PRIMARY KEY, t_y positive, t_doc jsonb, parent_id integer, other integer,
       CONSTRAINT y CHECK (t_y < 1000), CONSTRAINT doc CHECK (t_doc IS NOT NULL), CONSTRAINT pos CHECK (parent_id > 0),
       CONSTRAINT other CHECK (other >= 0), CONSTRAINT t_pos FOREIGN KEY (parent_id) REFERENCES parent (id));
     INSERT INTO parent SELECT i FROM generate_series(1, 10) i;
     INSERT INTO t SELECT i, i * 10, jsonb_build_object('n', i), i % 10 + 1, i FROM generate_series(1, 30) i;`,
  );
  const target = (await suite.database('mysql')).endpoint;
  const { status, plan } = await migrate(pgSource, target);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.errors ?? []).toEqual([]);
  expect(status.validation?.status).toBe('passed');
  expect(status.progress.rows_copied).toBe(40);
  expect(plan.notes).toEqual(
    expect.arrayContaining([
      'check y of t is named t_y_2 in the target, because t_y is the name of the check of column t.t_y there',
      'check doc of t is named t_doc_2 in the target, because t_doc is the name of the check of column t.t_doc there',
      'check pos of t is named t_pos_2 in the target, because t_pos is the name of foreign key t_pos of t there',
    ]),
  );
  const checks = await mariadbRows(
    target,
    `SELECT CONSTRAINT_NAME AS name, LEVEL AS level FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 't' ORDER BY 1`,
  );
  // A CHECK that meets nothing keeps its name (t_other).
  expect(checks.map((c) => [c.name, c.level])).toEqual([
    ['t_doc', 'Column'],
    ['t_doc_2', 'Table'],
    ['t_other', 'Table'],
    ['t_pos_2', 'Table'],
    ['t_y', 'Column'],
    ['t_y_2', 'Table'],
  ]);
  const fks = await mariadbRows(target, `SELECT CONSTRAINT_NAME AS name FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()`);
  expect(fks.map((f) => f.name)).toEqual(['t_pos']);
  const insert = (values: string) => mariadbRows(target, `INSERT INTO t (id, t_y, t_doc, parent_id, other) VALUES ${values}`);
  expect(await refused(insert(`(1000, 2000, '{}', 1, 1)`))).toBe(true);
  expect(await refused(insert(`(1001, 0, '{}', 1, 1)`))).toBe(true);
  expect(await refused(insert(`(1002, 5, NULL, 1, 1)`))).toBe(true);
  expect(await refused(insert(`(1003, 5, 'not json', 1, 1)`))).toBe(true);
  expect(await refused(insert(`(1004, 5, '{}', 99, 1)`))).toBe(true);
  expect(await refused(insert(`(1005, 5, '{}', 1, 1)`))).toBe(false);
}, 300_000);

test('to PostgreSQL: a CHECK named as a foreign key of its table or as PostgreSQL names a column CHECK is renamed, and enum types named as built-in types (pg_lsn, event_trigger) get names of their own; validated', async () => {
  const mariaSource = (await suite.database('mysql')).endpoint;
  for (const sql of [
    `CREATE TABLE p (id INT PRIMARY KEY)`,
    // MariaDB keeps a column's own CHECK (named c_pid, as the column) beside a foreign key of that name.
    `CREATE TABLE c (id INT PRIMARY KEY, c_pid INT CHECK (c_pid > 0), y YEAR, CONSTRAINT y_check CHECK (y > 1950), CONSTRAINT c_pid FOREIGN KEY (c_pid) REFERENCES p (id))`,
    `CREATE TABLE pg (id INT PRIMARY KEY, lsn ENUM('a', 'b') NOT NULL)`,
    'CREATE TABLE event (id INT PRIMARY KEY, `trigger` ENUM(\'on\', \'off\'))',
    `INSERT INTO p SELECT seq FROM seq_1_to_10`,
    `INSERT INTO c SELECT seq, seq % 10 + 1, 1990 + seq FROM seq_1_to_20`,
    `INSERT INTO pg SELECT seq, IF(seq % 2, 'a', 'b') FROM seq_1_to_12`,
    'INSERT INTO event SELECT seq, IF(seq % 3, \'on\', \'off\') FROM seq_1_to_9',
  ]) {
    await mariadbRows(mariaSource, sql);
  }
  const target = (await suite.database('postgresql')).endpoint;
  const { status, plan } = await migrate(mariaSource, target);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.errors ?? []).toEqual([]);
  expect(status.validation?.status).toBe('passed');
  expect(status.progress.rows_copied).toBe(51);
  expect(plan.notes).toEqual(
    expect.arrayContaining([
      'check c_pid of c is named c_pid_2 in the target, because c_pid is the name of foreign key c_pid of c there',
      'check y_check of c is named c_y_check_2 in the target, because c_y_check is the name of the check of column c.y there',
      "the type of column pg.lsn is named pg_lsn_2, because pg_lsn is the name of PostgreSQL's built-in type pg_catalog.pg_lsn in the target",
      "the type of column event.trigger is named event_trigger_2, because event_trigger is the name of PostgreSQL's built-in type pg_catalog.event_trigger in the target",
    ]),
  );
  const constraints = await pgRows(
    target,
    `SELECT conname AS name, contype AS type FROM pg_constraint WHERE conrelid = 'c'::regclass AND contype IN ('c', 'f') ORDER BY 1`,
  );
  expect(constraints.map((c) => [c.name, c.type])).toEqual([
    ['c_pid', 'f'],
    ['c_pid_2', 'c'],
    ['c_y_check', 'c'],
    ['c_y_check_2', 'c'],
  ]);
  const columns = await pgRows(
    target,
    `SELECT table_name AS t, column_name AS c, udt_schema = current_schema() AS own, udt_name AS type FROM information_schema.columns
      WHERE table_schema = current_schema() AND data_type = 'USER-DEFINED' ORDER BY 1, 2`,
  );
  expect(columns).toEqual([
    { t: 'event', c: 'trigger', own: true, type: 'event_trigger_2' },
    { t: 'pg', c: 'lsn', own: true, type: 'pg_lsn_2' },
  ]);
  expect(await pgRows(target, `SELECT lsn::text AS v, COUNT(*)::int AS n FROM pg GROUP BY 1 ORDER BY 1`)).toEqual([
    { v: 'a', n: 6 },
    { v: 'b', n: 6 },
  ]);
  expect(await refused(pgRows(target, `INSERT INTO c (id, c_pid, y) VALUES (1000, 0, 2000)`))).toBe(true);
  expect(await refused(pgRows(target, `INSERT INTO c (id, c_pid, y) VALUES (1001, 1, 1940)`))).toBe(true);
  expect(await refused(pgRows(target, `INSERT INTO c (id, c_pid, y) VALUES (1002, 99, 2000)`))).toBe(true);
  expect(await refused(pgRows(target, `INSERT INTO pg (id, lsn) VALUES (1000, 'c')`))).toBe(true);
  expect(await refused(pgRows(target, `INSERT INTO c (id, c_pid, y) VALUES (1003, 1, 2000)`))).toBe(false);
}, 300_000);
