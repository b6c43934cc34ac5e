/**
 * The type zoo across dialects, through the whole workflow on a real Temporal dev server: a PostgreSQL table holding
 * every type only PostgreSQL has (arrays, interval, inet/cidr, macaddr, money, tsvector, bit/varbit, enum, domains,
 * range, composite, xml, point, uuid, jsonb) migrated to MariaDB and to SQLite, and a MariaDB table holding the types
 * only MariaDB has (SET, GEOMETRY/POINT with and without SRID, BIT(n), INET4/INET6, UUID, YEAR, ENUM, unsigned
 * integers, JSON) migrated to PostgreSQL (whose server offers PostGIS: the plan creates it) and to SQLite. Each run
 * stops at the approval gate (lossy mappings, one of low confidence) with its notes; once approved it completes and
 * validates; the values are compared by this test's own SQL; and one changed value per type family in the target is
 * caught by the semantic tier, which names its row.
 * (SQLite declares none of these types: the types SQLite schemas declare go to PostgreSQL and MariaDB in sqlite-zoo.test.ts.)
 */
import Database from 'better-sqlite3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, planQuery, startUpdate } from '../../workflows/migration';
import { expectChangesCaught } from '../helpers/caught';
import { createTempDatabase, mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { createTestEnv, isOver, startHarness, startMigration, waitForStatus, type MigrationHarness } from '../helpers/temporal';
import {
  expectSameAsMariaSource,
  expectSameAsPgSource,
  json,
  MARIA_SOURCE_SQL,
  MARIA_ZOO,
  MARIA_ZOO_IN_PG_SQL,
  MARIA_ZOO_IN_SQLITE_SQL,
  mariaZooInSqlite,
  PG_SOURCE_SQL,
  PG_ZOO,
  PG_ZOO_IN_MARIADB_SQL,
  PG_ZOO_IN_SQLITE_SQL,
} from '../helpers/zoo';

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let pgSource: TempDatabase;
let mariaSource: TempDatabase;
const targets: TempDatabase[] = [];

async function pg<T = Record<string, unknown>>(db: TempDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await pgRows(db.endpoint, sql, params)) as T[];
}

function maria(db: TempDatabase, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return mariadbRows(db.endpoint, sql, params);
}

function lite(db: TempDatabase, sql: string): Record<string, unknown>[] {
  const conn = new Database(db.endpoint.connectionString);
  try {
    if (/^\s*select/i.test(sql)) return conn.prepare(sql).all() as Record<string, unknown>[];
    conn.prepare(sql).run();
    return [];
  } finally {
    conn.close();
  }
}

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  pgSource = await createTempDatabase('postgresql');
  mariaSource = await createTempDatabase('mysql');
  for (const sql of PG_ZOO) await pg(pgSource, sql);
  for (const sql of MARIA_ZOO) await maria(mariaSource, sql);
}, 120_000);

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  for (const db of [pgSource, mariaSource, ...targets]) await db?.drop();
});

/**
 * Runs a migration to the approval gate (it must stop there: lossy mappings), approves it, and waits for it to
 * complete and validate. The run is held open so the test can change the target and validate again.
 */
async function migrate(source: TempDatabase, target: TempDatabase) {
  const hold = { completed_hold_seconds: 600, failed_hold_seconds: 600 };
  const handle = await startMigration(h, source.endpoint, target.endpoint, 'balanced', { auto_approve_high_confidence: true, chunk_size: 4, validation: hold });
  await handle.executeUpdate(startUpdate);
  const waiting = await waitForStatus(handle, (s) => s.status === 'awaiting_approval', 120_000);
  const plan = (await handle.query(planQuery)) as MigrationPlan;
  expect(plan.blockers).toEqual([]);
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  const mapping = (column: string) => plan.tables[0].columns.find((c) => c.column === column)!;
  return { handle, plan, waiting, mapping };
}

/** The PostgreSQL source's values as this test reads them (its own SQL), per id. */
async function pgSourceRows() {
  return pg(pgSource, PG_SOURCE_SQL);
}

/** One change per PostgreSQL type family, as a target that keeps them as text and JSON writes it (row id → SET clause). */
const PG_CHANGES_AS_TEXT: Record<number, string> = {
  1: `ints = '[1, null, -2]'`,
  2: `texts = '["a2"]'`,
  3: `iv = 'P0Y3M-3DT25H3M4S'`,
  4: `addr = '10.0.0.99'`,
  5: `mac = '08:00:2b:01:02:ff'`,
  6: `cash = '0.01'`,
  7: `doc = '''zz'''`,
  8: `bits = '11111111'`,
  9: `m = 'happy'`,
  10: `p = 99`,
  11: `r = '[1,2)'`,
  12: `pr = '{"a": 12, "b": "changed"}'`,
  13: `x = '<a/>'`,
  14: `pt = '(0,0)'`,
  15: `u = 'ffffffff-0000-0000-0000-000000000000'`,
  16: `j = '{"i": 16, "arr": [16, "y"]}'`,
  17: `grid = '[[17, 2], [3, 5]]'`,
  18: `net = '10.18.0.0/24'`,
  19: `vbits = '1010000'`,
  20: `z = '99999'`,
};

/** What PostgreSQL's plan must say about the zoo's lossy mappings and what it left out. */
function expectPgPlanNotes(run: Awaited<ReturnType<typeof migrate>>) {
  const { plan, waiting, mapping } = run;
  expect(waiting.gate?.reason ?? JSON.stringify(waiting)).toMatch(/confidence below 1\.0/);
  expect(mapping('doc')).toMatchObject({ confidence: 0.5, note: expect.stringMatching(/tsvector stored as its text/) });
  expect(plan.minConfidence).toBe(0.5);
  expect(mapping('iv').note).toMatch(/ISO-8601/);
  expect(mapping('ints').note).toMatch(/JSON array/);
  expect(mapping('cash')).toMatchObject({ canonical: { kind: 'decimal', precision: 19, scale: 2 } });
  expect(mapping('p').note).toMatch(/with its CHECK \(\(VALUE > 0\)\)/);
  expect(mapping('z').note).toMatch(/not migrated, because/);
  expect(mapping('r').note).toMatch(/range/);
  for (const c of plan.tables[0].columns) expect({ c: c.column, ok: c.targetType !== '' && c.confidence > 0 }).toEqual({ c: c.column, ok: true });
  expect((plan.notes ?? []).join('\n')).toMatch(/check zoo_x_short of zoo is not migrated, because/);
}

test('PostgreSQL → MariaDB: every type maps, with its confidence and notes; values, CHECKs and enums arrive; a change per family is caught', async () => {
  const target = await createTempDatabase('mysql');
  targets.push(target);
  const run = await migrate(pgSource, target);
  expectPgPlanNotes(run);
  expect((run.plan.notes ?? []).join('\n')).toMatch(/index zoo_lower_z of zoo is not migrated, because it is an expression index, which MariaDB\/MySQL does not have/);
  // MariaDB cannot index JSON or LONGTEXT without a prefix: those indexes are said, the others made.
  expect((run.plan.notes ?? []).join('\n')).toMatch(/index zoo_ints of zoo is not migrated, because mysql cannot index column ints \(JSON\)/);
  expect(run.mapping('m').targetType).toBe("ENUM('sad','ok','happy')");
  expect(run.mapping('addr').targetType).toBe('VARCHAR(43)');

  const rows = await maria(target, PG_ZOO_IN_MARIADB_SQL);
  expectSameAsPgSource(await pgSourceRows(), rows);
  const indexes = await maria(target, 'SELECT DISTINCT INDEX_NAME i FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY 1', [target.name]);
  expect(indexes.map((r) => r.i)).toEqual(['PRIMARY', 'zoo_amount']);
  // The domain's CHECK and the table's portable CHECK hold in the target.
  await expect(maria(target, 'UPDATE zoo SET p = 0 WHERE id = 1')).rejects.toThrow(/CONSTRAINT/i);
  await expect(maria(target, 'UPDATE zoo SET amount = -1 WHERE id = 1')).rejects.toThrow(/CONSTRAINT/i);
  // now() is the target's own current time.
  await maria(target, 'INSERT INTO zoo (id) VALUES (500)');
  expect(await maria(target, 'SELECT made IS NOT NULL AS set_ FROM zoo WHERE id = 500')).toEqual([{ set_: 1 }]);
  await maria(target, 'DELETE FROM zoo WHERE id = 500');

  // MariaDB takes the money's change as a number.
  await expectChangesCaught(run.handle, (sql) => maria(target, sql), { ...PG_CHANGES_AS_TEXT, 6: 'cash = 0.01' });
}, 600_000);

test('PostgreSQL → SQLite: every type maps; values and CHECKs arrive; a change per family is caught', async () => {
  const target = await createTempDatabase('sqlite');
  targets.push(target);
  const run = await migrate(pgSource, target);
  expectPgPlanNotes(run);
  // lower() of a text domain is an index SQLite can make.
  expect(run.plan.tables[0].source.indexes.find((i) => i.name === 'zoo_lower_z')).toEqual({ name: 'zoo_lower_z', columns: [], unique: false, keys: ['lower("z")'] });
  const rows = lite(target, PG_ZOO_IN_SQLITE_SQL);
  expectSameAsPgSource(await pgSourceRows(), rows);
  expect(() => lite(target, 'UPDATE zoo SET p = 0 WHERE id = 1')).toThrow(/CHECK constraint failed/);
  expect(() => lite(target, "UPDATE zoo SET m = 'angry' WHERE id = 1")).toThrow(/CHECK constraint failed/);

  await expectChangesCaught(run.handle, async (sql) => lite(target, sql), PG_CHANGES_AS_TEXT);
}, 600_000);

/** The MariaDB source's values as this test reads them, per id: the geometry as its WKB and SRID, BIT(10) as its digits. */
async function mariaSourceRows() {
  return maria(mariaSource, MARIA_SOURCE_SQL);
}

function expectMariaPlanNotes(run: Awaited<ReturnType<typeof migrate>>) {
  const { plan, mapping } = run;
  expect(plan.blockers).toEqual([]);
  expect(mapping('s').note).toMatch(/SET stored as/);
  expect(mapping('g').note).toMatch(/EWKB/);
  expect(mapping('y').note).toMatch(/YEAR stored as a small integer with CHECK/);
  expect(mapping('ub').canonical).toMatchObject({ kind: 'int64', unsigned: true });
  expect(mapping('s').confidence).toBeLessThan(1);
}

test('MariaDB → PostgreSQL: SET as text[], GEOMETRY/POINT as PostGIS geometry/geometry(Point) (the plan creates the extension), BIT(n) as bit(n), INET as inet, ENUM as an enum type, YEAR with its CHECK', async () => {
  const target = await createTempDatabase('postgresql');
  targets.push(target);
  const run = await migrate(mariaSource, target);
  expectMariaPlanNotes(run);
  expect(run.mapping('s').targetType).toBe('text[]');
  // The target's user (a superuser) may create PostGIS, which its server offers: the plan creates it before the tables.
  expect(run.mapping('g').targetType).toBe('geometry');
  // A POINT column keeps its subtype (it declares no SRID: each value keeps its own).
  expect(run.mapping('p')).toMatchObject({ targetType: 'geometry(Point)', confidence: 1 });
  expect(run.plan.objects?.map((o) => o.name)).toEqual(['postgis']);
  expect(run.mapping('b').targetType).toBe('bit(10)');
  expect(run.mapping('v6').targetType).toBe('inet');
  expect(run.mapping('e').targetType).toBe('zoo_e');
  expect(run.mapping('ui').targetType).toBe('bigint');
  expect(run.mapping('ub').targetType).toBe('numeric(20,0)');

  const types = await pg(target, `SELECT a.attname c, format_type(a.atttypid, a.atttypmod) t FROM pg_attribute a WHERE a.attrelid = 'zoo'::regclass AND a.attnum > 0 ORDER BY a.attnum`);
  expect(Object.fromEntries(types.map((r) => [r.c, r.t]))).toMatchObject({ s: 'text[]', g: 'geometry', p: 'geometry(Point)', b: 'bit(10)', v4: 'inet', v6: 'inet', u: 'uuid', y: 'smallint', e: 'zoo_e' });
  expect(await pg(target, `SELECT enum_range(NULL::zoo_e)::text r`)).toEqual([{ r: '{small,medium,large}' }]);
  const rows = await pg(target, MARIA_ZOO_IN_PG_SQL);
  expectSameAsMariaSource(await mariaSourceRows(), rows, (v) => v);
  await expect(pg(target, 'UPDATE zoo SET y = 1800 WHERE id = 1')).rejects.toThrow(/check constraint/);
  // CURRENT_TIMESTAMP(3) is the target's own current time.
  expect(await pg(target, `SELECT pg_get_expr(adbin, adrelid) d FROM pg_attrdef WHERE adrelid = 'zoo'::regclass`)).toEqual([{ d: 'CURRENT_TIMESTAMP' }]);

  await expectChangesCaught(run.handle, (sql) => pg(target, sql), {
    1: `s = '{write}'`,
    2: `g = ST_GeomFromEWKB(decode('0101000000000000000000f03f000000000000f03f', 'hex'))`,
    3: `p = ST_GeomFromEWKB(decode('0101000000000000000000f03f000000000000f03f', 'hex'))`,
    4: `b = B'1111111111'`,
    5: `v4 = '10.9.9.9'`,
    6: `v6 = '::1'`,
    7: `y = 2001`,
    8: `e = 'small'`,
    9: `ui = 1`,
    10: `ub = 1`,
    11: `j = '{"k": 0}'`,
    12: `u = 'ffffffff-0000-0000-0000-000000000000'`,
    13: `us = 1`,
  });
}, 600_000);

test('MariaDB → SQLite: SET as a JSON array, GEOMETRY as EWKB, BIT(n) as its digits, YEAR with its CHECK', async () => {
  const target = await createTempDatabase('sqlite');
  targets.push(target);
  const run = await migrate(mariaSource, target);
  expectMariaPlanNotes(run);
  const rows = mariaZooInSqlite(lite(target, MARIA_ZOO_IN_SQLITE_SQL));
  expectSameAsMariaSource(await mariaSourceRows(), rows, json);
  expect(() => lite(target, 'UPDATE zoo SET y = 1800 WHERE id = 1')).toThrow(/CHECK constraint failed/);

  await expectChangesCaught(run.handle, async (sql) => lite(target, sql), {
    1: `s = '["write"]'`,
    2: `g = X'0101000000000000000000f03f000000000000f03f'`,
    4: `b = '1111111111'`,
    3: `p = X'0101000000000000000000f03f000000000000f03f'`,
    5: `v4 = '10.9.9.9'`,
    6: `v6 = '::1'`,
    7: `y = 2001`,
    8: `e = 'small'`,
    9: `ui = 1`,
    10: `ub = 1`,
    11: `j = '{"k": 0}'`,
    12: `u = 'ffffffff-0000-0000-0000-000000000000'`,
    13: `us = 1`,
  });
}, 600_000);
