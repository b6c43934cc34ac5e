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
 * MariaDB (per schema) under two names. The target is read with this test's own SQL.
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
