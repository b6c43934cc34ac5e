/**
 * PostgreSQL → PostgreSQL keeps everything (issue 10 §2): a real source database with one table per type family and
 * one holding them all, plus defaults, identities, checks, indexes, comments, views, partitioning and inheritance,
 * migrated through the real workflow on a real Temporal dev server. The target is read with the tests' own queries:
 * every column's format_type and every value's text equal the source's.
 */
import { Client } from 'pg';
import type { ValidationReport } from '../../lib/migration';
import { approveUpdate, excludeTablesUpdate, planQuery, revalidateUpdate, startUpdate, validationQuery } from '../../workflows/migration';
import { createConnector } from '../../connectors/registry';
import { planMigration } from '../../lib/mapping';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';
import { PG_NATIVE_DDL } from '../helpers/zoo';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite({ timeoutMs: 120_000 });
let source: TempDatabase;
let target: TempDatabase;
let src: Client;
let dst: Client;

beforeAll(async () => {
  [source, target] = await Promise.all([suite.database('postgresql'), suite.database('postgresql')]);
  src = new Client({ connectionString: source.endpoint.connectionString });
  dst = new Client({ connectionString: target.endpoint.connectionString });
  suite.onTeardown(() => Promise.all([src.end(), dst.end()]));
  await Promise.all([src.connect(), dst.connect()]);
  await src.query(PG_NATIVE_DDL);
}, 120_000);

/** Every column of every table and view: `table.column` → format_type. */
async function columnTypes(c: Client): Promise<Record<string, string>> {
  const { rows } = await c.query(
    `SELECT c.relname || '.' || a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  return Object.fromEntries(rows.map((r) => [r.col, r.type]));
}

/** Every row of a table's own rows (ONLY), each value as its text, sorted. */
async function rowsAsText(c: Client, table: string): Promise<string[]> {
  const { rows: cols } = await c.query(
    `SELECT a.attname FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table],
  );
  const list = cols.map((r) => `"${r.attname}"::text`).join(', ');
  const { rows } = await c.query({ text: `SELECT ${list} FROM ONLY "${table}"`, rowMode: 'array' });
  return rows.map((r) => JSON.stringify(r)).sort();
}

async function one<T = Record<string, unknown>>(c: Client, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await c.query(sql, params)).rows as T[];
}

test('PostgreSQL → PostgreSQL keeps every type, value and schema object', async () => {
  // Held open after it completes, so it can validate again once the target is changed.
  const hold = { completed_hold_seconds: 600, failed_hold_seconds: 600 };
  const handle = await startMigration(suite.harness, source.endpoint, target.endpoint, 'aggressive', { auto_approve_high_confidence: true, chunk_size: 20, validation: hold });
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver, 240_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');

  // Every column keeps its native type exactly, and its collation.
  const [sourceTypes, targetTypes] = await Promise.all([columnTypes(src), columnTypes(dst)]);
  expect(Object.keys(sourceTypes).length).toBeGreaterThan(100);
  expect(targetTypes).toEqual(sourceTypes);
  expect(await one(dst, `SELECT collation_name FROM information_schema.columns WHERE table_name = 't_textkey' AND column_name = 'name'`)).toEqual([{ collation_name: 'C' }]);

  // Every value of every table (each partition and each inheritance level on its own) compares equal as text.
  const tables = (await one<{ relname: string }>(src, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1`)).map((r) => r.relname);
  expect(tables).toEqual(expect.arrayContaining(['t_all', 't_array', 't_parted_2023', 't_parted_2024_a', 't_dog', 't_nokey', 't_textkey']));
  for (const table of tables) {
    const [s, t] = await Promise.all([rowsAsText(src, table), rowsAsText(dst, table)]);
    expect({ table, rows: t }).toEqual({ table, rows: s });
    expect(s.length).toBeGreaterThan(0);
  }
  // Inheritance: the parent's own rows and the child's, each exactly once.
  expect(await one(dst, 'SELECT (SELECT count(*) FROM ONLY t_animal)::int AS own, (SELECT count(*) FROM t_animal)::int AS all')).toEqual([{ own: 2, all: 4 }]);
  expect((await one(dst, `SELECT inhparent::regclass::text AS parent FROM pg_inherits WHERE inhrelid = 't_dog'::regclass`))[0]).toEqual({ parent: 't_animal' });
  // Partitioning: partitioned again, partitions with their bounds.
  const partitions = `SELECT c.relname, c.relkind, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_class c WHERE c.relispartition ORDER BY 1`;
  expect(await one(dst, partitions)).toEqual(await one(src, partitions));
  expect(await one(dst, `SELECT pg_get_partkeydef('t_parted'::regclass) AS key`)).toEqual([{ key: 'RANGE (at)' }]);
  // Its estimate is its partitions' (the copy may split it into key ranges).
  expect(status.tables.find((t) => t.name === 't_parted')?.rows_estimated).toBe(150);

  // Enums, domains (with CHECKs and defaults), composite and range types.
  const types = `SELECT t.typname, t.typtype, format_type(t.typbasetype, t.typtypmod) AS base, t.typnotnull, pg_get_expr(t.typdefaultbin, 0) AS dflt,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
       ARRAY(SELECT conname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.contypid = t.oid ORDER BY 1) AS checks,
       obj_description(t.oid, 'pg_type') AS comment
     FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'r', 'm')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') ORDER BY 1`;
  const sourceUserTypes = await one(src, types);
  expect(sourceUserTypes.map((t) => t.typname)).toEqual(['email', 'floatmultirange', 'floatrange', 'mood', 'posint', 'year']);
  expect(await one(dst, types)).toEqual(sourceUserTypes);
  const composite = `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_type t ON t.typrelid = a.attrelid WHERE t.typname = 'address' ORDER BY a.attnum`;
  expect(await one(dst, composite)).toEqual(await one(src, composite));
  expect(await one(dst, `SELECT extname FROM pg_extension WHERE extname IN ('citext', 'hstore') ORDER BY 1`)).toEqual([{ extname: 'citext' }, { extname: 'hstore' }]);

  // Defaults as expressions, identities (a serial becomes one), the sequence no column owns, checks, uniques, foreign keys.
  const columns = `SELECT c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity, a.attgenerated, a.attnotnull, col_description(c.oid, a.attnum) AS comment
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relname IN ('t_defaults', 't_child') AND a.attnum > 0 ORDER BY 1, a.attnum`;
  const serialAsIdentity = (rows: Record<string, unknown>[]) =>
    rows.map((r) => (r.attname === 's' && r.relname === 't_defaults' ? { ...r, dflt: null, attidentity: 'd' } : r));
  expect(await one(dst, columns)).toEqual(serialAsIdentity(await one(src, columns)));
  const constraints = `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'c', 'f', 'x') AND conrelid <> 0 ORDER BY 1, 2`;
  expect(await one(dst, constraints)).toEqual(await one(src, constraints));
  // Identity counters follow the copied rows; the shared sequence stands where the source's does.
  await dst.query(`INSERT INTO t_defaults (price, code) VALUES (99, 'new')`);
  expect(await one(dst, `SELECT id::int, s, n, total FROM t_defaults WHERE code = 'new'`)).toEqual([{ id: 26, s: 26, n: 235, total: 52 }]);
  await expect(dst.query(`INSERT INTO t_defaults (id, price) VALUES (100, 1)`)).rejects.toThrow(/non-DEFAULT value/);
  await expect(dst.query(`INSERT INTO t_domain VALUES (9, 1800, 1, NULL)`)).rejects.toThrow(/year_range/);
  expect(await one(dst, `SELECT obj_description('t_defaults'::regclass, 'pg_class') AS c`)).toEqual([{ c: 'defaults, checks and identities' }]);

  // A row copied again after the load (a retried error) is upserted into the GENERATED ALWAYS identity with its own value.
  const [reader, writer] = await Promise.all([createConnector(source.endpoint), createConnector(target.endpoint)]);
  try {
    const plan = planMigration(await reader.introspect({ tables: ['t_ident_text'] }), 'postgresql', { targetSchema: 'public' }).tables[0];
    const rows = await reader.readChunk('t_ident_text', ['k', 'n'], ['k'], null, 10);
    await dst.query(`UPDATE t_ident_text SET k = 'c' WHERE k = 'b'`);
    expect(await writer.writeRows(plan, rows)).toBe(2);
    expect(await one(dst, `SELECT k, n FROM t_ident_text ORDER BY k`)).toEqual([{ k: 'a', n: 1 }, { k: 'b', n: 2 }, { k: 'c', n: 2 }]);
    await dst.query(`DELETE FROM t_ident_text WHERE k = 'c'`);
  } finally {
    await Promise.all([reader.close(), writer.close()]);
  }

  // Secondary indexes, as defined on the source (partitioned tables' too).
  const indexes = `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`;
  expect(await one(dst, indexes)).toEqual(await one(src, indexes));

  // Views, after the tables, reading the same rows.
  const views = `SELECT relname, relkind, pg_get_viewdef(oid) AS def FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm') ORDER BY 1`;
  expect(await one(dst, views)).toEqual(await one(src, views));
  expect(await one(dst, 'SELECT * FROM v_cheap_codes ORDER BY 1')).toEqual(await one(src, 'SELECT * FROM v_cheap_codes ORDER BY 1'));
  // Triggers after the data (they did not fire during the copy: labels are the source's), and they fire now.
  const triggers = `SELECT tgname, pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`;
  expect(await one(dst, triggers)).toEqual(await one(src, triggers));
  await dst.query(`UPDATE t_defaults SET price = 98 WHERE code = 'new'`);
  expect(await one(dst, `SELECT label FROM t_defaults WHERE code = 'new'`)).toEqual([{ label: 'touched' }]);

  // One changed value in each type family is caught by the semantic tier, which names the row.
  const changes: Record<string, [string, string]> = {
    t_enum: ['1', `UPDATE t_enum SET ms = '{sad,happy}' WHERE id = 1`],
    t_domain: ['1', `UPDATE t_domain SET e = 'a@B.c' WHERE id = 1`],
    t_array: ['1', `UPDATE t_array SET c = '{{1,2},{3,5}}' WHERE id = 1`],
    t_text_search: ['2', `UPDATE t_text_search SET v = 'a:1A b:2B,4 ''it''''s'':4' WHERE id = 2`],
    t_interval: ['1', `UPDATE t_interval SET i = '1 year 2 mons 3 days 04:05:06.789013' WHERE id = 1`],
    t_net: ['1', `UPDATE t_net SET a = '192.168.1.5/25' WHERE id = 1`],
    t_money: ['2', `UPDATE t_money SET m = '-0.02' WHERE id = 2`],
    t_xml: ['1', `UPDATE t_xml SET x = '<a b="1">x &amp; y<c /></a>' WHERE id = 1`],
    t_bit: ['1', `UPDATE t_bit SET v = B'0' WHERE id = 1`],
    t_geo: ['1', `UPDATE t_geo SET po = '((0,0),(1,1),(1,0.5))' WHERE id = 1`],
    t_range: ['1', `UPDATE t_range SET m = '{[1,3),[5,9)}' WHERE id = 1`],
    t_oid: ['1', `UPDATE t_oid SET o = 4294967294 WHERE id = 1`],
    t_composite: ['1', `UPDATE t_composite SET aa = ARRAY[ROW('a', 2, NULL)::address, NULL] WHERE id = 1`],
    t_extension: ['1', `UPDATE t_extension SET h = 'a=>2, "b c"=>NULL' WHERE id = 1`],
    t_all: ['1', `UPDATE t_all SET c = '<(1,2),3.5>' WHERE id = 1`],
    t_textkey: ['"k7"', `UPDATE t_textkey SET r = numrange(7, 7.25) WHERE k = 'k7'`],
  };
  for (const [, sql] of Object.values(changes)) await dst.query(sql);
  await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test', reason: 'one value changed per type family' }] });
  const failed = await waitForStatus(handle, (s) => s.status === 'failed' && s.validation?.attempt === 2, 240_000);
  expect(failed.failure?.code).toBe('ValidationFailed');
  const report = (await handle.query(validationQuery)) as ValidationReport;
  const changed = (report.results.semantic?.findings ?? []).filter((f) => f.check === 'row_changed').map((f) => [f.table, Object.values(f.key ?? {}).map(String)]);
  expect(changed.sort()).toEqual(Object.entries(changes).map(([table, [key]]) => [table, [key]]).sort());
  await handle.terminate('test over');
}, 300_000);

test('an extension type the target may not create stops the plan at the gate, naming the columns and what to do; leaving its table out there migrates the rest', async () => {
  const [from, to] = await Promise.all([createTempDatabase('postgresql'), createTempDatabase('postgresql')]);
  const role = `${to.name}_user`;
  const admin = new Client({ connectionString: to.endpoint.connectionString });
  const seed = new Client({ connectionString: from.endpoint.connectionString });
  await Promise.all([admin.connect(), seed.connect()]);
  try {
    await seed.query(`CREATE EXTENSION hstore; CREATE TABLE tagged (id integer PRIMARY KEY, h hstore); INSERT INTO tagged VALUES (1, 'a=>1');
      CREATE TABLE plain (id integer PRIMARY KEY, a text[]); INSERT INTO plain VALUES (1, '{x,NULL}');
      CREATE VIEW v_both AS SELECT p.id FROM plain p JOIN tagged t USING (id)`);
    // A user who may create tables in the target's schema, but not extensions in its database.
    await admin.query(`CREATE ROLE ${role} LOGIN; GRANT CREATE ON SCHEMA public TO ${role}`);
    const url = new URL(to.endpoint.connectionString);
    url.username = role;
    const target = { ...to.endpoint, connectionString: url.toString() };

    // The aggressive strategy approves whatever can run: this cannot, so it waits.
    const handle = await startMigration(suite.harness, from.endpoint, target, 'aggressive');
    await handle.executeUpdate(startUpdate);
    const waiting = await waitForStatus(handle, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
    expect(waiting.status).toBe('awaiting_approval');
    const blocker =
      "tagged.h: type from extension hstore, which the target database lacks and the target's user may not create: have an administrator run CREATE EXTENSION hstore in it, or leave table tagged out of the migration";
    expect(waiting.gate).toMatchObject({ required: true, state: 'pending' });
    expect(waiting.gate?.reason).toContain(blocker);
    expect((await handle.query(planQuery))?.blockers).toEqual([expect.stringContaining(blocker)]);
    // Nothing was created on the target.
    expect((await admin.query(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace`)).rows).toEqual([{ n: 0 }]);
    await expect(handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] })).rejects.toMatchObject({ cause: { type: 'MappingBlocked' } });

    const left = await handle.executeUpdate(excludeTablesUpdate, { args: [{ tables: ['tagged'], by: 'test' }] });
    expect(left).toMatchObject({ excluded: ['tagged'], blockers: [], gate: { state: 'auto_approved', decided_by: 'sensei' } });
    const status = await waitForStatus(handle, isOver, 120_000);
    expect(status.failure).toBeNull();
    expect(status.status).toBe('completed');
    expect(status.tables.map((t) => t.name)).toEqual(['plain']);
    expect((await handle.query(planQuery))?.notes).toEqual(['view v_both is not created in the target: it reads tagged, which is not migrated']);
    expect((await admin.query(`SELECT a::text FROM plain`)).rows).toEqual([{ a: '{x,NULL}' }]);
    expect((await admin.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'tagged'`)).rows).toEqual([{ n: 0 }]);
  } finally {
    await Promise.all([admin.end(), seed.end()]);
    await Promise.all([from.drop(), to.drop()]);
    const root = new Client({ connectionString: source.endpoint.connectionString });
    await root.connect();
    await root.query(`DROP ROLE IF EXISTS ${role}`).finally(() => root.end());
  }
}, 240_000);

test('into another schema (a name that needs quoting): types, views and defaults resolve in the target schema', async () => {
  const [from, to] = await Promise.all([createTempDatabase('postgresql'), createTempDatabase('postgresql')]);
  const seed = new Client({ connectionString: from.endpoint.connectionString });
  const check = new Client({ connectionString: to.endpoint.connectionString });
  await Promise.all([seed.connect(), check.connect()]);
  try {
    await seed.query(`CREATE SCHEMA app;
      CREATE TYPE app.mood AS ENUM ('ok', 'sad');
      CREATE DOMAIN app.posint AS integer CHECK (VALUE > 0);
      CREATE TYPE app.pair AS (a app.mood, b app.posint[]);
      CREATE SEQUENCE app.counter START WITH 7;
      CREATE FUNCTION app.twice(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
      CREATE TABLE app.t (id integer PRIMARY KEY, m app.mood DEFAULT 'ok', p app.pair, ms app.mood[], n integer DEFAULT nextval('app.counter'),
        d integer DEFAULT app.twice(21) CHECK (d < app.twice(1000)));
      INSERT INTO app.t (id, p, ms) VALUES (1, ROW('sad', '{1,2}'), '{ok,NULL}'), (2, NULL, NULL);
      SET search_path = app;
      CREATE FUNCTION app.rows_of_t() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM t';
      CREATE FUNCTION app.ok_rows() RETURNS SETOF app.t LANGUAGE sql STABLE AS 'SELECT * FROM t WHERE m = ''ok''';
      CREATE VIEW app.v AS SELECT id, m FROM app.t WHERE m = 'ok'`);
    const target = { ...to.endpoint, schema: 'Copy Of' };
    const handle = await startMigration(suite.harness, { ...from.endpoint, schema: 'app' }, target, 'aggressive');
    await handle.executeUpdate(startUpdate);
    const status = await waitForStatus(handle, isOver, 120_000);
    expect(status.failure).toBeNull();
    expect(status.validation?.status).toBe('passed');

    const types = `SELECT t.typname, n.nspname, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typname IN ('mood', 'posint', 'pair') ORDER BY 1`;
    expect(await one(check, types)).toEqual([
      { typname: 'mood', nspname: 'Copy Of', typtype: 'e' },
      { typname: 'pair', nspname: 'Copy Of', typtype: 'c' },
      { typname: 'posint', nspname: 'Copy Of', typtype: 'd' },
    ]);
    const columns = `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, pg_get_expr(d.adbin, d.adrelid) AS dflt
      FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 ORDER BY a.attnum`;
    await seed.query(`SET search_path = app`);
    await check.query(`SET search_path = "Copy Of"`);
    expect(await one(check, columns, ['t'])).toEqual(await one(seed, columns, ['t']));
    const values = `SELECT id, m::text, p::text, ms::text, n, d FROM t ORDER BY id`;
    expect(await one(check, values)).toEqual(await one(seed, values));
    expect(await one(check, 'SELECT * FROM v')).toEqual([{ id: 1, m: 'ok' }, { id: 2, m: 'ok' }]);
    await check.query(`INSERT INTO t (id) VALUES (3)`);
    expect(await one(check, `SELECT m::text, n, d FROM t WHERE id = 3`)).toEqual([{ m: 'ok', n: 9, d: 42 }]);
    // Functions come along, in the target schema (bodies checked only when called).
    expect(await one(check, `SELECT rows_of_t()::int AS n, twice(4) AS t`)).toEqual([{ n: 3, t: 8 }]);
    // One returning the table's rows is made once the table is there.
    expect(await one(check, `SELECT count(*)::int AS n FROM ok_rows()`)).toEqual([{ n: 3 }]);
    await expect(check.query(`INSERT INTO t (id, d) VALUES (4, 2000)`)).rejects.toThrow(/check constraint/);
  } finally {
    await Promise.all([seed.end(), check.end()]);
    await Promise.all([from.drop(), to.drop()]);
  }
}, 240_000);
