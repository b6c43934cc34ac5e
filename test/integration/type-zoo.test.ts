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

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let pgSource: TempDatabase;
let mariaSource: TempDatabase;
const targets: TempDatabase[] = [];

const PG_ROWS = 14;
const PG_ZOO = [
  `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
  `CREATE DOMAIN posint AS integer CHECK (VALUE > 0)`,
  `CREATE DOMAIN zip AS text CHECK (VALUE ~ '^[0-9]{5}$')`,
  `CREATE TYPE pair AS (a integer, b text)`,
  `CREATE TABLE zoo (
     id integer PRIMARY KEY,
     ints integer[], texts text[], grid integer[][],
     iv interval, addr inet, net cidr, mac macaddr, cash money, doc tsvector,
     bits bit(8), vbits bit varying(16), m mood, p posint, z zip,
     r int4range, pr pair, x xml, pt point, u uuid, j jsonb,
     amount numeric(10,2) CHECK (amount >= 0), made timestamptz DEFAULT now(),
     CONSTRAINT zoo_x_short CHECK (length(x::text) < 1000)
   )`,
  `CREATE INDEX zoo_doc ON zoo USING gin (doc)`,
  `CREATE INDEX zoo_ints ON zoo (ints)`,
  `CREATE INDEX zoo_lower_z ON zoo (lower(z))`,
  `CREATE INDEX zoo_amount ON zoo (amount)`,
  `INSERT INTO zoo SELECT i,
     ARRAY[i, NULL, -i], ARRAY['a' || i, 'b"q\\', NULL], ARRAY[[i, 2], [3, 4]],
     make_interval(years => i % 3, months => i, days => -i, hours => 25, mins => i, secs => i + 0.5),
     CASE WHEN i % 2 = 0 THEN ('2001:db8::' || i || '/64')::inet ELSE ('10.0.0.' || i)::inet END,
     ('10.' || i || '.0.0/16')::cidr, ('08:00:2b:01:02:' || lpad(to_hex(i), 2, '0'))::macaddr,
     (i * 1000.25)::numeric::money, to_tsvector('simple', 'the quick brown fox ' || i),
     i::bit(8), B'101' || i::bit(4), (enum_range(NULL::mood))[1 + i % 3], i, lpad(i::text, 5, '0'),
     int4range(i, i + 10), ROW(i, 'x' || i)::pair, ('<a n="' || i || '">t</a>')::xml, point(i, -i),
     md5(i::text)::uuid, jsonb_build_object('i', i, 'arr', jsonb_build_array(i, 'x')), i * 1.5
   FROM generate_series(1, ${PG_ROWS}) i`,
  `UPDATE zoo SET made = '2024-01-02 03:04:05.678+00'`,
  `INSERT INTO zoo (id) VALUES (100)`,
];

const MARIA_ROWS = 11;
const MARIA_ZOO = [
  `CREATE TABLE zoo (
     id INT PRIMARY KEY,
     s SET('read','write','admin'), g GEOMETRY, p POINT, b BIT(10), v4 INET4, v6 INET6, u UUID, y YEAR,
     e ENUM('small','medium','large'), ui INT UNSIGNED, ub BIGINT UNSIGNED, us SMALLINT UNSIGNED, j JSON,
     made DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3), KEY zoo_y (y)
   )`,
  `INSERT INTO zoo (id, s, g, p, b, v4, v6, u, y, e, ui, ub, us, j) SELECT seq, seq % 8,
     ST_GeomFromText(CONCAT('LINESTRING(0 0,', seq, ' ', seq, '.5)'), IF(seq % 2 = 1, 4326, 0)),
     ST_PointFromText(CONCAT('POINT(', seq, ' -', seq, ')')), seq * 37, CONCAT('10.1.2.', seq), CONCAT('2001:db8::', HEX(seq)),
     CONCAT('00000000-0000-0000-0000-', LPAD(seq, 12, '0')), 1990 + seq, 1 + seq % 3,
     4294967295 - seq, 1000000000000000 * seq, 65535 - seq, JSON_OBJECT('k', seq, 'l', JSON_ARRAY(seq, 'x'))
   FROM seq_1_to_${MARIA_ROWS}`,
  `INSERT INTO zoo (id, s) VALUES (100, NULL), (101, '')`,
];

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

/** The ISO-8601 text of make_interval(years => i % 3, months => i, days => -i, hours => 25, mins => i, secs => i + 0.5). */
function isoOf(i: number): string {
  const months = (i % 3) * 12 + i;
  return `P${Math.floor(months / 12)}Y${months % 12}M${-i}DT25H${i}M${i + 0.5}S`;
}

/** The PostgreSQL source's values as this test reads them (its own SQL), per id. */
async function pgSourceRows() {
  return pg(
    pgSource,
    `SELECT id, to_json(ints)::text ints, to_json(texts)::text texts, to_json(grid)::text grid, addr, net, mac,
            cash::numeric::text cash, doc::text doc, bits::text bits, vbits::text vbits, m::text m, p, z, r::text r, to_json(pr)::text pr,
            x, pt::text pt, u::text u, j::text j, amount::text amount
       FROM zoo ORDER BY id`,
  );
}

const json = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'object' ? v : JSON.parse(String(v)));

function expectSameAsPgSource(source: Record<string, unknown>[], target: Record<string, unknown>[]) {
  expect(target.length).toBe(source.length);
  source.forEach((s, n) => {
    const t = target[n];
    expect(Number(t.id)).toBe(s.id);
    for (const c of ['ints', 'texts', 'grid', 'pr', 'j']) expect({ id: s.id, c, v: json(t[c]) }).toEqual({ id: s.id, c, v: json(s[c]) });
    for (const c of ['addr', 'net', 'mac', 'doc', 'bits', 'vbits', 'm', 'z', 'r', 'x', 'pt', 'u']) {
      expect({ id: s.id, c, v: t[c] ?? null }).toEqual({ id: s.id, c, v: s[c] ?? null });
    }
    expect(t.p === null ? null : Number(t.p)).toBe(s.p);
    for (const c of ['cash', 'amount']) expect({ c, v: t[c] === null ? null : Number(t[c]).toFixed(2) }).toEqual({ c, v: s[c] === null ? null : Number(s[c]).toFixed(2) });
    const i = Number(s.id);
    expect(t.iv ?? null).toBe(i <= PG_ROWS ? isoOf(i) : null);
  });
}

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
  expect((plan.notes ?? []).join('\n')).toMatch(/index zoo_lower_z of zoo is not migrated, because it is an expression or partial index/);
  expect((plan.notes ?? []).join('\n')).toMatch(/check zoo_x_short of zoo is not migrated, because/);
}

test('PostgreSQL → MariaDB: every type maps, with its confidence and notes; values, CHECKs and enums arrive; a change per family is caught', async () => {
  const target = await createTempDatabase('mysql');
  targets.push(target);
  const run = await migrate(pgSource, target);
  expectPgPlanNotes(run);
  // MariaDB cannot index JSON or LONGTEXT without a prefix: those indexes are said, the others made.
  expect((run.plan.notes ?? []).join('\n')).toMatch(/index zoo_ints of zoo is not migrated, because mysql cannot index column ints \(JSON\)/);
  expect(run.mapping('m').targetType).toBe("ENUM('sad','ok','happy')");
  expect(run.mapping('addr').targetType).toBe('VARCHAR(43)');

  const rows = await maria(
    target,
    `SELECT id, ints, texts, grid, iv, addr, net, mac, CAST(cash AS CHAR) cash, doc, bits, vbits, m, p, z, r, pr, x, pt, u, j, CAST(amount AS CHAR) amount FROM zoo ORDER BY id`,
  );
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

  await expectChangesCaught(run.handle, (sql) => maria(target, sql), {
    1: `ints = '[1, null, -2]'`,
    2: `texts = '["a2"]'`,
    3: `iv = 'P0Y3M-3DT25H3M4S'`,
    4: `addr = '10.0.0.99'`,
    5: `mac = '08:00:2b:01:02:ff'`,
    6: `cash = 0.01`,
    7: `doc = '''zz'''`,
    8: `bits = '11111111'`,
    9: `m = 'happy'`,
    10: `p = 99`,
    11: `r = '[1,2)'`,
    12: `pr = '{"a": 12, "b": "changed"}'`,
    13: `x = '<a/>'`,
    14: `pt = '(0,0)'`,
  });
}, 600_000);

test('PostgreSQL → SQLite: every type maps; values and CHECKs arrive; a change per family is caught', async () => {
  const target = await createTempDatabase('sqlite');
  targets.push(target);
  const run = await migrate(pgSource, target);
  expectPgPlanNotes(run);
  const rows = lite(target, 'SELECT id, ints, texts, grid, iv, addr, net, mac, CAST(cash AS TEXT) cash, doc, bits, vbits, m, p, z, r, pr, x, pt, u, j, CAST(amount AS TEXT) amount FROM zoo ORDER BY id');
  expectSameAsPgSource(await pgSourceRows(), rows);
  expect(() => lite(target, 'UPDATE zoo SET p = 0 WHERE id = 1')).toThrow(/CHECK constraint failed/);
  expect(() => lite(target, "UPDATE zoo SET m = 'angry' WHERE id = 1")).toThrow(/CHECK constraint failed/);

  await expectChangesCaught(run.handle, async (sql) => lite(target, sql), {
    1: `ints = '[1, null, -2]'`,
    3: `iv = 'P0Y3M-3DT25H3M4S'`,
    4: `addr = '10.0.0.99'`,
    6: `cash = '0.01'`,
    7: `doc = '''zz'''`,
    8: `bits = '11111111'`,
    9: `m = 'happy'`,
    11: `r = '[1,2)'`,
    12: `pr = '{"a": 12, "b": "changed"}'`,
    14: `pt = '(0,0)'`,
  });
}, 600_000);

/** The MariaDB source's values as this test reads them, per id: the geometry as its WKB and SRID, BIT(10) as its digits. */
async function mariaSourceRows() {
  return maria(
    mariaSource,
    `SELECT id, s, LOWER(HEX(ST_AsWKB(g))) gw, ST_SRID(g) gs, LOWER(HEX(ST_AsWKB(p))) pw, ST_SRID(p) ps, LPAD(BIN(b), 10, '0') b,
            CAST(v4 AS CHAR) v4, CAST(v6 AS CHAR) v6, CAST(u AS CHAR) u, CAST(y AS UNSIGNED) y, e, CAST(ui AS CHAR) ui, CAST(ub AS CHAR) ub,
            CAST(us AS CHAR) us, j
       FROM zoo ORDER BY id`,
  );
}

/** WKB with its SRID as EWKB (this test's own reading of the format: the SRID flag in the type word, the SRID after it). */
function ewkbOf(wkbHex: string | null, srid: number | null): string | null {
  if (wkbHex === null) return null;
  if (!srid) return wkbHex;
  const wkb = Buffer.from(wkbHex, 'hex');
  const little = wkb[0] === 1;
  const head = Buffer.alloc(9);
  head[0] = wkb[0];
  const type = little ? wkb.readUInt32LE(1) : wkb.readUInt32BE(1);
  if (little) {
    head.writeUInt32LE(type | 0x20000000, 1);
    head.writeUInt32LE(srid, 5);
  } else {
    head.writeUInt32BE(type | 0x20000000, 1);
    head.writeUInt32BE(srid, 5);
  }
  return Buffer.concat([head, wkb.subarray(5)]).toString('hex');
}

function expectSameAsMariaSource(source: Record<string, unknown>[], target: Record<string, unknown>[], setOf: (v: unknown) => unknown) {
  expect(target.length).toBe(source.length);
  source.forEach((s, n) => {
    const t = target[n];
    const id = Number(s.id);
    expect(Number(t.id)).toBe(id);
    expect({ id, s: setOf(t.s) }).toEqual({ id, s: s.s === null ? null : String(s.s) === '' ? [] : String(s.s).split(',') });
    expect({ id, g: t.g ?? null }).toEqual({ id, g: ewkbOf(s.gw as string | null, s.gs as number | null) });
    expect({ id, p: t.p ?? null }).toEqual({ id, p: ewkbOf(s.pw as string | null, s.ps as number | null) });
    for (const c of ['b', 'v4', 'v6', 'u', 'e', 'ui', 'ub', 'us']) expect({ id, c, v: t[c] === null || t[c] === undefined ? null : String(t[c]) }).toEqual({ id, c, v: s[c] ?? null });
    expect({ id, y: t.y === null ? null : Number(t.y) }).toEqual({ id, y: s.y === null ? null : Number(s.y) });
    expect({ id, j: json(t.j) }).toEqual({ id, j: json(s.j) });
  });
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
  const rows = await pg(
    target,
    `SELECT id, s, encode(ST_AsEWKB(g), 'hex') g, encode(ST_AsEWKB(p), 'hex') p, b::text b, host(v4) v4, host(v6) v6, u::text u, y, e::text e, ui::text ui, ub::text ub, us::text us, j::text j FROM zoo ORDER BY id`,
  );
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
  });
}, 600_000);

test('MariaDB → SQLite: SET as a JSON array, GEOMETRY as EWKB, BIT(n) as its digits, YEAR with its CHECK', async () => {
  const target = await createTempDatabase('sqlite');
  targets.push(target);
  const run = await migrate(mariaSource, target);
  expectMariaPlanNotes(run);
  const rows = lite(target, `SELECT id, s, lower(hex(g)) g, lower(hex(p)) p, b, v4, v6, u, y, e, CAST(ui AS TEXT) ui, CAST(ub AS TEXT) ub, CAST(us AS TEXT) us, j FROM zoo ORDER BY id`).map(
    (r) => ({ ...r, g: r.g === '' ? null : r.g, p: r.p === '' ? null : r.p }),
  );
  expectSameAsMariaSource(await mariaSourceRows(), rows, json);
  expect(() => lite(target, 'UPDATE zoo SET y = 1800 WHERE id = 1')).toThrow(/CHECK constraint failed/);

  await expectChangesCaught(run.handle, async (sql) => lite(target, sql), {
    1: `s = '["write"]'`,
    2: `g = X'0101000000000000000000f03f000000000000f03f'`,
    4: `b = '1111111111'`,
    6: `v6 = '::1'`,
    7: `y = 2001`,
    8: `e = 'small'`,
  });
}, 600_000);
