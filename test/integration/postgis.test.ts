/**
 * Geometry with PostGIS, through the whole workflow on a real Temporal dev server (scripts/setup.sh installs PostGIS
 * for the local PostgreSQL):
 * - MariaDB GEOMETRY/POINT/POLYGON → a PostgreSQL database that has PostGIS: geometry, geometry(Point),
 *   geometry(Polygon) (the subtype kept as a type modifier), each value with its SRID;
 * - MariaDB POINT/POLYGON with a REF_SYSTEM_ID → PostGIS geometry(Point,4326)/geometry(Polygon,3857), and → MariaDB
 *   with the REF_SYSTEM_ID kept;
 * - the same source → a PostgreSQL database without the extension, whose user may create it (a superuser): the plan
 *   creates it before the tables and the columns are geometry, as the plan's notes say;
 * - the same source → a database whose user may not create it (its owner, not a superuser: PostGIS is not trusted):
 *   bytea holding EWKB, and the gate's notes name the columns and what an administrator could run;
 * - PostGIS → PostGIS: the extension is created in the target and every column keeps its type exactly
 *   (geometry(Point,4326), geometry(Polygon), geometry(Polygon,3857), geography(Point,4326));
 * - PostGIS → MariaDB: geometry(Point,4326) and geometry(Polygon,3857) as POINT/POLYGON with the SRID on the column
 *   (REF_SYSTEM_ID), geometry(Polygon) as POLYGON, plain geometry as GEOMETRY, each value with its SRID.
 * - PostGIS geography → MariaDB: POINT/POLYGON/GEOMETRY with the SRID on the column (REF_SYSTEM_ID) and in each value,
 *   stopped at the gate with the geodesic → planar note and the spatial_ref_sys row the source added named;
 *   → SQLite: EWKB in a BLOB; → PostgreSQL: the row the source's users added is added to the target's
 *   spatial_ref_sys before the tables (PostGIS would refuse the column without it);
 * - spatial_ref_sys rows the source's users added → PostgreSQL: added before the tables (after PostGIS, when the plan
 *   creates it), every column of them as the source has them, geography and geometry columns in such an SRID keep their
 *   type and values; a target row of the same SRID with another definition is kept, and the columns in it are named
 *   before anything is created; a target user who may not insert into spatial_ref_sys gets the column PostGIS would
 *   refuse named, with the GRANT an administrator could run.
 * Values are compared by this test's own SQL (ST_AsText and ST_SRID on MariaDB, ST_AsEWKT on PostgreSQL), the
 * migration's validation must pass, and a changed geometry in the target is caught by the semantic tier.
 */
import Database from 'better-sqlite3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expectChangesCaught, migrateHeldOpen } from '../helpers/caught';
import type { MigrationPlan } from '../../lib/types';
import { createTempDatabase, mariadbRows, pgRows, PG_ADMIN_URL, type TempDatabase } from '../helpers/databases';
import { createTestEnv, isOver, startHarness, startMigration, waitForStatus, type MigrationHarness } from '../helpers/temporal';
import { planQuery, startUpdate } from '../../workflows/migration';

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let mariaSource: TempDatabase;
let pgSource: TempDatabase;
let geogSource: TempDatabase;
let mariaSridSource: TempDatabase;
const targets: TempDatabase[] = [];

const MARIA_GEO = [
  `CREATE TABLE geo (id INT PRIMARY KEY, g GEOMETRY, p POINT, poly POLYGON)`,
  `INSERT INTO geo SELECT seq,
     ST_GeomFromText(CONCAT('LINESTRING(0 0,', seq, ' ', seq, '.5)'), IF(seq % 2 = 1, 4326, 0)),
     ST_PointFromText(CONCAT('POINT(', seq, ' -', seq, '.25)'), 4326),
     ST_PolygonFromText(CONCAT('POLYGON((0 0,', seq, ' 0,', seq, ' ', seq, ',0 0))'), IF(seq % 3 = 0, 0, 3857))
   FROM seq_1_to_9`,
  `INSERT INTO geo (id) VALUES (100)`,
];

const PG_GEO = [
  `CREATE EXTENSION postgis`,
  `CREATE TABLE geo (id integer PRIMARY KEY, p geometry(Point,4326), poly geometry(Polygon), any_g geometry, gg geography(Point,4326), merc geometry(Polygon,3857))`,
  `INSERT INTO geo SELECT i,
     ST_SetSRID(ST_MakePoint(i, -i - 0.25), 4326),
     ST_GeomFromText('POLYGON((0 0,' || i || ' 0,' || i || ' ' || i || ',0 0))'),
     CASE WHEN i % 2 = 0 THEN ST_GeomFromText('LINESTRING(0 0,' || i || ' 1)', 3857) ELSE ST_GeomFromText('MULTIPOINT((1 2),(3 ' || i || '))') END,
     ST_GeogFromText('SRID=4326;POINT(' || i || ' 45.5)'),
     ST_GeomFromText('POLYGON((0 0,' || (i * 1000) || ' 0,0 ' || (i * 500) || '.5,0 0))', 3857)
   FROM generate_series(1, 8) i`,
  `INSERT INTO geo (id) VALUES (100)`,
];

/** MariaDB spatial columns that declare an SRID (REF_SYSTEM_ID), and one that declares none. */
const MARIA_SRID = [
  `CREATE TABLE geo (id INT PRIMARY KEY, p POINT REF_SYSTEM_ID=4326, poly POLYGON REF_SYSTEM_ID=3857, g GEOMETRY)`,
  `INSERT INTO geo SELECT seq,
     ST_PointFromText(CONCAT('POINT(', seq, '.5 ', 40 + seq, '.125)'), 4326),
     ST_PolygonFromText(CONCAT('POLYGON((0 0,', seq * 1000, ' 0,0 ', seq * 500, ',0 0))'), 3857),
     ST_GeomFromText(CONCAT('LINESTRING(0 0,', seq, ' 1)'), IF(seq % 2 = 0, 4326, 0))
   FROM seq_1_to_7`,
  `INSERT INTO geo (id) VALUES (100)`,
];

/**
 * Geography: typed Point and Polygon, an untyped column (one value in another geodetic SRID, NULLs), and a Point in an
 * SRID whose spatial_ref_sys row this database's user added (a longitude/latitude system of their own).
 */
const PG_GEOG = [
  `CREATE EXTENSION postgis`,
  `INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, proj4text, srtext) VALUES (990001, 'sensei', 1, '+proj=longlat +ellps=WGS84 +no_defs', NULL)`,
  `CREATE TABLE geo (id integer PRIMARY KEY, pt geography(Point,4326), area geography(Polygon,4326), anyg geography, local_pt geography(Point,990001))`,
  `INSERT INTO geo SELECT i,
     ST_GeogFromText('SRID=4326;POINT(' || i || '.5 ' || (40 + i) || '.25)'),
     ST_GeogFromText('POLYGON((0 0,' || i || ' 0,' || i || ' ' || i || ',0 0))'),
     CASE WHEN i % 3 = 0 THEN NULL
          WHEN i % 3 = 1 THEN ST_GeogFromText('LINESTRING(0 0,' || i || ' 1.5)')
          ELSE ST_GeogFromText('SRID=4269;POINT(-7' || i || ' 4' || i || ')') END,
     ST_GeogFromText('SRID=990001;POINT(' || i || ' -' || i || ')')
   FROM generate_series(1, 8) i`,
  `INSERT INTO geo (id) VALUES (100)`,
  `CREATE INDEX geo_pt ON geo USING gist (pt)`,
  `CREATE TABLE places (id integer PRIMARY KEY, loc geography(Point,4326) NOT NULL)`,
  `CREATE INDEX places_loc ON places USING gist (loc)`,
  `INSERT INTO places SELECT i, ST_GeogFromText('POINT(' || i || ' ' || i || ')') FROM generate_series(1, 5) i`,
];

async function pg<T = Record<string, unknown>>(db: TempDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await pgRows(db.endpoint, sql, params)) as T[];
}

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  mariaSource = await createTempDatabase('mysql');
  pgSource = await createTempDatabase('postgresql');
  for (const sql of MARIA_GEO) await mariadbRows(mariaSource.endpoint, sql);
  for (const sql of PG_GEO) await pg(pgSource, sql);
  geogSource = await createTempDatabase('postgresql');
  for (const sql of PG_GEOG) await pg(geogSource, sql);
  mariaSridSource = await createTempDatabase('mysql');
  for (const sql of MARIA_SRID) await mariadbRows(mariaSridSource.endpoint, sql);
}, 120_000);

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  for (const db of [mariaSource, pgSource, geogSource, mariaSridSource, ...targets]) await db?.drop();
});

async function newTarget(postgis: boolean): Promise<TempDatabase> {
  const target = await createTempDatabase('postgresql');
  targets.push(target);
  if (postgis) await pg(target, 'CREATE EXTENSION postgis');
  return target;
}

function migrate(source: TempDatabase, target: TempDatabase) {
  return migrateHeldOpen(h, source, target, 4);
}

/** Changes one geometry (row id → `SET` clause) and validates again: the semantic tier must name exactly that row. */
function expectCaught(handle: Awaited<ReturnType<typeof migrate>>['handle'], target: TempDatabase, changes: Record<number, string>) {
  const change = (sql: string) => (target.endpoint.type === 'postgresql' ? pg(target, sql) : mariadbRows(target.endpoint, sql));
  return expectChangesCaught(handle, change, changes, 'geo');
}

async function columnTypes(db: TempDatabase): Promise<Record<string, string>> {
  const rows = await pg<{ c: string; t: string }>(db, `SELECT a.attname c, format_type(a.atttypid, a.atttypmod) t FROM pg_attribute a WHERE a.attrelid = 'geo'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`);
  return Object.fromEntries(rows.map((r) => [r.c, r.t]));
}

/** The MariaDB source's geometries as EWKT (this test's own spelling: SRID=n; before the WKT when the SRID is not 0). */
async function mariaSourceEwkt(): Promise<Record<string, unknown>[]> {
  const rows = await mariadbRows(
    mariaSource.endpoint,
    `SELECT id, ST_AsText(g) g, ST_SRID(g) gs, ST_AsText(p) p, ST_SRID(p) ps, ST_AsText(poly) poly, ST_SRID(poly) polys FROM geo ORDER BY id`,
  );
  const ewkt = (wkt: unknown, srid: unknown) => (wkt === null ? null : Number(srid) ? `SRID=${Number(srid)};${String(wkt)}` : String(wkt));
  return rows.map((r) => ({ id: Number(r.id), g: ewkt(r.g, r.gs), p: ewkt(r.p, r.ps), poly: ewkt(r.poly, r.polys) }));
}

/** The MariaDB source's columns as planned into PostGIS: POINT and POLYGON keep their subtype; they declare no SRID. */
const MARIA_GEO_TYPES = { g: 'geometry', p: 'geometry(Point)', poly: 'geometry(Polygon)' };

function plannedTypes(run: Awaited<ReturnType<typeof migrate>>, columns: string[]): Record<string, { type: string; confidence: number }> {
  return Object.fromEntries(columns.map((c) => [c, { type: run.mapping(c).targetType, confidence: run.mapping(c).confidence }]));
}

test('MariaDB GEOMETRY/POINT/POLYGON → PostgreSQL with PostGIS: geometry, geometry(Point), geometry(Polygon), each value with its SRID; a changed geometry is caught', async () => {
  const target = await newTarget(true);
  const run = await migrate(mariaSource, target);
  expect(plannedTypes(run, ['g', 'p', 'poly'])).toEqual({ g: { type: 'geometry', confidence: 1 }, p: { type: 'geometry(Point)', confidence: 1 }, poly: { type: 'geometry(Polygon)', confidence: 1 } });
  expect(run.mapping('g').note).toMatch(/PostGIS geometry, each value with its SRID/);
  expect(run.mapping('p').note).toMatch(/PostGIS geometry\(Point\), each value with its SRID/);
  expect(await columnTypes(target)).toEqual({ id: 'integer', ...MARIA_GEO_TYPES });

  const rows = await pg(target, `SELECT id, ST_AsEWKT(g) g, ST_AsEWKT(p) p, ST_AsEWKT(poly) poly FROM geo ORDER BY id`);
  const expected = await mariaSourceEwkt();
  expect(expected).toHaveLength(10);
  expect(expected[0]).toEqual({ id: 1, g: 'SRID=4326;LINESTRING(0 0,1 1.5)', p: 'SRID=4326;POINT(1 -1.25)', poly: 'SRID=3857;POLYGON((0 0,1 0,1 1,0 0))' });
  expect(rows).toEqual(expected);
  // The target can query them as geometry.
  expect(await pg(target, `SELECT round(ST_Area(poly)::numeric, 1)::text a FROM geo WHERE id = 4`)).toEqual([{ a: '8.0' }]);

  await expectCaught(run.handle, target, { 3: 'p = ST_SetSRID(ST_MakePoint(3, -3.5), 4326)' });
}, 600_000);

/** The MariaDB source's geometries as ST_AsText and ST_SRID spell them (this test's own SQL on each side). */
const TEXT_AND_SRID = `SELECT id, ST_AsText(g) g, ST_SRID(g) gs, ST_AsText(p) p, ST_SRID(p) ps, ST_AsText(poly) poly, ST_SRID(poly) polys FROM geo ORDER BY id`;

function plainRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : k === 'id' || k.endsWith('s') ? Number(v) : String(v)])));
}

test('MariaDB GEOMETRY → a PostgreSQL database without PostGIS whose user may create it: the plan creates the extension, geometry columns, each value with its SRID', async () => {
  const target = await newTarget(false);
  const run = await migrate(mariaSource, target);
  expect(plannedTypes(run, ['g', 'p', 'poly'])).toEqual({ g: { type: 'geometry', confidence: 1 }, p: { type: 'geometry(Point)', confidence: 1 }, poly: { type: 'geometry(Polygon)', confidence: 1 } });
  expect(run.mapping('g').note).toMatch(/PostGIS geometry, each value with its SRID; extension postgis will be created in the target database for it/);
  expect(run.plan.objects).toEqual([{ kind: 'extension', name: 'postgis', create: ['CREATE EXTENSION IF NOT EXISTS "postgis"'], stage: 'before_tables', neededBy: ['geo.g', 'geo.p', 'geo.poly'] }]);
  expect(run.plan.notes).toContain(
    "extension postgis will be created in the target database before the tables (the target server offers it and the target's user may create it): columns geo.g, geo.p, geo.poly take its type geometry",
  );
  // Every mapping is lossless: the balanced strategy with auto-approval did not stop at the gate.
  expect(run.gated).toBe(false);
  expect(await pg(target, `SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'`)).toEqual([{ nspname: 'public' }]);
  expect(await columnTypes(target)).toEqual({ id: 'integer', ...MARIA_GEO_TYPES });

  const source = plainRows(await mariadbRows(mariaSource.endpoint, TEXT_AND_SRID));
  expect(source).toHaveLength(10);
  expect(source[0]).toEqual({ id: 1, g: 'LINESTRING(0 0,1 1.5)', gs: 4326, p: 'POINT(1 -1.25)', ps: 4326, poly: 'POLYGON((0 0,1 0,1 1,0 0))', polys: 3857 });
  expect(plainRows(await pg(target, TEXT_AND_SRID))).toEqual(source);
  await expectCaught(run.handle, target, { 7: `poly = ST_GeomFromText('POLYGON((0 0,7 0,7 7,0 0))', 4326)` });
}, 600_000);

test('MariaDB GEOMETRY → PostgreSQL whose user may not create PostGIS: bytea holding EWKB, and the gate names the columns and what an administrator could run', async () => {
  const target = await newTarget(false);
  // The database's owner (CREATE in it and in its public schema), not a superuser: PostGIS is not a trusted extension.
  const role = `${target.name}_owner`;
  await pg(target, `CREATE ROLE ${role} LOGIN`);
  try {
    await pg(target, `ALTER DATABASE ${target.name} OWNER TO ${role}`);
    const url = new URL(target.endpoint.connectionString);
    url.username = role;
    const asOwner = { ...target, endpoint: { ...target.endpoint, connectionString: url.toString() } };
    const run = await migrate(mariaSource, asOwner);
    expect(run.gated).toBe(true);
    const advice = 'an administrator could run CREATE EXTENSION postgis in the target database to get geometry';
    expect(run.mapping('g')).toMatchObject({
      targetType: 'bytea',
      confidence: 0.8,
      note: expect.stringMatching(/the target has no PostGIS: stored as EWKB.*; the target server offers extension postgis, but the target's user may not create it: an administrator could run CREATE EXTENSION postgis/),
    });
    expect(run.plan.objects).toBeUndefined();
    expect(run.plan.notes).toEqual([
      "columns geo.g, geo.p, geo.poly are stored without extension postgis, which the target server offers but the target's user may not create in the target database" +
        ` (permission denied to create extension "postgis": Must be superuser to create this extension.): ${advice}`,
    ]);
    expect(await columnTypes(target)).toEqual({ id: 'integer', g: 'bytea', p: 'bytea', poly: 'bytea' });
    // Asking the server left nothing behind.
    expect(await pg(target, `SELECT count(*)::int n FROM pg_extension WHERE extname = 'postgis'`)).toEqual([{ n: 0 }]);
    await run.handle.terminate('test over');
    // Installing PostGIS afterwards reads the bytes as the same geometries.
    await pg(target, 'CREATE EXTENSION postgis');
    const rows = await pg(target, `SELECT id, ST_AsEWKT(ST_GeomFromEWKB(g)) g, ST_AsEWKT(ST_GeomFromEWKB(p)) p, ST_AsEWKT(ST_GeomFromEWKB(poly)) poly FROM geo ORDER BY id`);
    expect(rows).toEqual(await mariaSourceEwkt());
  } finally {
    await target.drop();
    await pgRows({ ...target.endpoint, connectionString: PG_ADMIN_URL }, `DROP ROLE IF EXISTS ${role}`);
  }
}, 600_000);

test('MariaDB POINT/POLYGON with a REF_SYSTEM_ID → PostgreSQL: geometry(Point,4326) and geometry(Polygon,3857), stopped at the gate (MariaDB does not hold values to the SRID, PostGIS does); every value kept; a changed point is caught', async () => {
  const target = await newTarget(true);
  const run = await migrate(mariaSridSource, target);
  expect(run.gated).toBe(true);
  expect(plannedTypes(run, ['p', 'poly', 'g'])).toEqual({
    p: { type: 'geometry(Point,4326)', confidence: 0.95 },
    poly: { type: 'geometry(Polygon,3857)', confidence: 0.95 },
    g: { type: 'geometry', confidence: 1 },
  });
  expect(run.mapping('p').canonical).toMatchObject({ kind: 'binary', family: 'geometry', spatial: { subtype: 'Point', srid: 4326 } });
  expect(run.mapping('p').note).toMatch(
    /^POINT read as EWKB \(WKB with its SRID\); stored as PostGIS geometry\(Point,4326\), each value with its SRID; a value whose SRID is not 4326 \(the source does not hold its values to the column's SRID\) is rejected$/,
  );
  expect(await columnTypes(target)).toEqual({ id: 'integer', p: 'geometry(Point,4326)', poly: 'geometry(Polygon,3857)', g: 'geometry' });
  expect(await pg(target, `SELECT f_geometry_column c, type, srid FROM geometry_columns WHERE f_table_name = 'geo' ORDER BY 1`)).toEqual([
    { c: 'g', type: 'GEOMETRY', srid: 0 },
    { c: 'p', type: 'POINT', srid: 4326 },
    { c: 'poly', type: 'POLYGON', srid: 3857 },
  ]);

  const source = plainRows(await mariadbRows(mariaSridSource.endpoint, TEXT_AND_SRID));
  expect(source).toHaveLength(8);
  expect(source[1]).toEqual({ id: 2, g: 'LINESTRING(0 0,2 1)', gs: 4326, p: 'POINT(2.5 42.125)', ps: 4326, poly: 'POLYGON((0 0,2000 0,0 1000,0 0))', polys: 3857 });
  expect(plainRows(await pg(target, TEXT_AND_SRID))).toEqual(source);
  // PostGIS holds the column to its SRID.
  await expect(pg(target, `UPDATE geo SET p = ST_SetSRID(ST_MakePoint(1, 1), 3857) WHERE id = 1`)).rejects.toThrow(/SRID/);

  await expectCaught(run.handle, target, { 2: `p = ST_SetSRID(ST_MakePoint(2.5, 42.1250001), 4326)` });
}, 600_000);

test('MariaDB → MariaDB: spatial columns keep their REF_SYSTEM_ID (which COLUMN_TYPE leaves out) and every value', async () => {
  const target = await createTempDatabase('mysql');
  targets.push(target);
  const run = await migrate(mariaSridSource, target);
  expect(run.plan.tables[0].native).toBe(true);
  expect(await mariaSpatialColumns(mariaSridSource)).toEqual({ p: ['point', 4326], poly: ['polygon', 3857], g: ['geometry', 0] });
  expect(await mariaSpatialColumns(target)).toEqual(await mariaSpatialColumns(mariaSridSource));
  expect(plainRows(await mariadbRows(target.endpoint, TEXT_AND_SRID))).toEqual(plainRows(await mariadbRows(mariaSridSource.endpoint, TEXT_AND_SRID)));
  await run.handle.terminate('test over');
}, 600_000);

test('PostGIS → PostgreSQL: the extension is created in the target, every column keeps its type and every value; a changed geometry is caught', async () => {
  const target = await newTarget(false);
  const run = await migrate(pgSource, target);
  expect(run.plan.tables[0].native).toBe(true);
  const types = { id: 'integer', p: 'geometry(Point,4326)', poly: 'geometry(Polygon)', any_g: 'geometry', gg: 'geography(Point,4326)', merc: 'geometry(Polygon,3857)' };
  expect(Object.fromEntries(run.plan.tables[0].columns.map((c) => [c.column, c.targetType]))).toEqual(types);
  expect(await columnTypes(target)).toEqual(types);
  expect(await pg(target, `SELECT count(*)::int n FROM pg_extension WHERE extname = 'postgis'`)).toEqual([{ n: 1 }]);
  const read = `SELECT id, ST_AsEWKT(p) p, ST_AsEWKT(poly) poly, ST_AsEWKT(any_g) any_g, ST_AsEWKT(gg) gg, ST_AsEWKT(merc) merc FROM geo ORDER BY id`;
  const source = await pg(pgSource, read);
  expect(source).toHaveLength(9);
  expect(source[1]).toEqual({
    id: 2,
    p: 'SRID=4326;POINT(2 -2.25)',
    poly: 'POLYGON((0 0,2 0,2 2,0 0))',
    any_g: 'SRID=3857;LINESTRING(0 0,2 1)',
    gg: 'SRID=4326;POINT(2 45.5)',
    merc: 'SRID=3857;POLYGON((0 0,2000 0,0 1000.5,0 0))',
  });
  expect(await pg(target, read)).toEqual(source);
  await expect(pg(target, `UPDATE geo SET p = ST_SetSRID(ST_MakePoint(1, 1), 3857) WHERE id = 1`)).rejects.toThrow(/SRID/);

  await expectCaught(run.handle, target, { 4: `any_g = ST_GeomFromText('LINESTRING(0 0,5 1)', 3857)` });
}, 600_000);

/** Each spatial column of a MariaDB database's table `geo`: its type and the SRID it declares (GEOMETRY_COLUMNS.SRID, 0: none). */
async function mariaSpatialColumns(db: TempDatabase): Promise<Record<string, [string, number]>> {
  const rows = await mariadbRows(
    db.endpoint,
    `SELECT c.COLUMN_NAME c, c.DATA_TYPE t, g.SRID s FROM information_schema.COLUMNS c
       JOIN information_schema.GEOMETRY_COLUMNS g ON g.G_TABLE_SCHEMA = c.TABLE_SCHEMA AND g.G_TABLE_NAME = c.TABLE_NAME AND g.G_GEOMETRY_COLUMN = c.COLUMN_NAME
      WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = 'geo' ORDER BY c.ORDINAL_POSITION`,
    [db.name],
  );
  return Object.fromEntries(rows.map((r) => [String(r.c), [String(r.t).toLowerCase(), Number(r.s)]]));
}

test('PostGIS → MariaDB: geometry(Point,4326) and geometry(Polygon,3857) as POINT/POLYGON with the SRID on the column, geometry(Polygon) as POLYGON, geometry as GEOMETRY, each value with its SRID; a changed geometry is caught', async () => {
  const target = await createTempDatabase('mysql');
  targets.push(target);
  const run = await migrate(pgSource, target);
  // Plain geometry (its values might have Z or M coordinates) and geography (geodesic → planar) are below lossless.
  expect(run.gated).toBe(true);
  expect(plannedTypes(run, ['p', 'poly', 'any_g', 'merc', 'gg'])).toEqual({
    p: { type: 'POINT', confidence: 1 },
    poly: { type: 'POLYGON', confidence: 1 },
    any_g: { type: 'GEOMETRY', confidence: 0.95 },
    merc: { type: 'POLYGON', confidence: 1 },
    gg: { type: 'POINT', confidence: 0.9 },
  });
  expect(run.mapping('p').canonical).toMatchObject({ kind: 'binary', family: 'geometry', spatial: { subtype: 'Point', srid: 4326 } });
  expect(run.mapping('p').note).toBe('PostGIS geometry(Point,4326) read as EWKB (WKB with its SRID); stored as POINT with SRID 4326 (MariaDB REF_SYSTEM_ID), each value with its SRID');
  expect(run.mapping('merc').note).toMatch(/stored as POLYGON with SRID 3857 \(MariaDB REF_SYSTEM_ID\)/);
  expect(run.mapping('any_g').note).toMatch(/stored as GEOMETRY, each value with its SRID/);
  expect(await mariaSpatialColumns(target)).toEqual({ p: ['point', 4326], poly: ['polygon', 0], any_g: ['geometry', 0], gg: ['point', 4326], merc: ['polygon', 3857] });

  // Compared as WKB and SRID (the two servers spell MULTIPOINT's WKT differently).
  const read = (wkb: (c: string) => string) =>
    `SELECT id, ${['p', 'poly', 'any_g', 'merc'].map((c) => `${wkb(c)} ${c}, ST_SRID(${c}) ${c}s`).join(', ')} FROM geo ORDER BY id`;
  const source = await pg(pgSource, read((c) => `encode(ST_AsBinary(${c}), 'hex')`));
  const copied = await mariadbRows(target.endpoint, read((c) => `LOWER(HEX(ST_AsWKB(${c})))`));
  expect(plainRows(source)).toHaveLength(9);
  expect(plainRows(source)[1]).toMatchObject({ id: 2, ps: 4326, polys: 0, any_gs: 3857, mercs: 3857 });
  expect(plainRows(copied)).toEqual(plainRows(source));
  expect(await mariadbRows(target.endpoint, `SELECT ST_AsText(p) p, ST_SRID(p) s, ST_AsText(merc) m, ST_SRID(merc) ms FROM geo WHERE id = 2`)).toEqual([
    { p: 'POINT(2 -2.25)', s: 4326, m: 'POLYGON((0 0,2000 0,0 1000.5,0 0))', ms: 3857 },
  ]);
  // The column is typed: MariaDB refuses another geometry type in it.
  await expect(mariadbRows(target.endpoint, `UPDATE geo SET p = ST_GeomFromText('LINESTRING(0 0,1 1)', 4326) WHERE id = 1`)).rejects.toThrow(/Incorrect POINT value/);

  await expectCaught(run.handle, target, { 5: `poly = ST_GeomFromText('POLYGON((0 0,9 0,9 9,0 0))')`, 6: `merc = ST_GeomFromText('POLYGON((0 0,6000 0,0 3000,0 0))', 3857)` });
}, 600_000);

test('PostGIS → SQLite: geometry as EWKB in a BLOB, each value with its SRID', async () => {
  const target = await createTempDatabase('sqlite');
  targets.push(target);
  const run = await migrate(pgSource, target);
  expect(run.mapping('p')).toMatchObject({ targetType: 'BLOB', canonical: expect.objectContaining({ kind: 'binary', family: 'geometry' }) });
  expect(run.mapping('merc')).toMatchObject({ targetType: 'BLOB', canonical: expect.objectContaining({ spatial: { subtype: 'Polygon', srid: 3857 } }) });
  const conn = new Database(target.endpoint.connectionString, { readonly: true });
  const copied = conn.prepare(`SELECT id, lower(hex(p)) p, lower(hex(poly)) poly, lower(hex(any_g)) any_g, lower(hex(merc)) merc FROM geo ORDER BY id`).all() as Record<string, unknown>[];
  conn.close();
  const source = await pg(
    pgSource,
    `SELECT id, encode(ST_AsEWKB(p), 'hex') p, encode(ST_AsEWKB(poly), 'hex') poly, encode(ST_AsEWKB(any_g), 'hex') any_g, encode(ST_AsEWKB(merc), 'hex') merc FROM geo ORDER BY id`,
  );
  // POINT(1 -1.25) with SRID 4326, little-endian EWKB.
  expect(source[0].p).toBe('0101000020e6100000000000000000f03f000000000000f4bf');
  expect(copied.map((r) => ({ ...r, p: r.p || null, poly: r.poly || null, any_g: r.any_g || null, merc: r.merc || null }))).toEqual(source);
  await run.handle.terminate('test over');
}, 600_000);

/** This test's own reading of the geography source: each value's WKT and SRID (its geometry: the same coordinates). */
const GEOG_SOURCE_TEXT = `SELECT id, ST_AsText(pt::geometry) pt, ST_SRID(pt) pts, ST_AsText(area::geometry) area, ST_SRID(area) areas,
  ST_AsText(anyg::geometry) anyg, ST_SRID(anyg) anygs, ST_AsText(local_pt::geometry) local_pt, ST_SRID(local_pt) local_pts FROM geo ORDER BY id`;
const GEOG_TARGET_TEXT = `SELECT id, ST_AsText(pt) pt, ST_SRID(pt) pts, ST_AsText(area) area, ST_SRID(area) areas,
  ST_AsText(anyg) anyg, ST_SRID(anyg) anygs, ST_AsText(local_pt) local_pt, ST_SRID(local_pt) local_pts FROM geo ORDER BY id`;

test('PostGIS geography → MariaDB: POINT/POLYGON/GEOMETRY with the SRID on the column and in each value, stopped at the gate (geodesic becomes planar); a changed coordinate is caught', async () => {
  const target = await createTempDatabase('mysql');
  targets.push(target);
  const run = await migrate(geogSource, target);
  // Lossy by meaning (geodesic → planar): balanced with auto-approval stops at the gate.
  expect(run.gated).toBe(true);
  const planned = Object.fromEntries(['pt', 'area', 'anyg', 'local_pt'].map((c) => [c, { type: run.mapping(c).targetType, confidence: run.mapping(c).confidence }]));
  expect(planned).toEqual({
    pt: { type: 'POINT', confidence: 0.9 },
    area: { type: 'POLYGON', confidence: 0.9 },
    anyg: { type: 'GEOMETRY', confidence: 0.9 },
    local_pt: { type: 'POINT', confidence: 0.9 },
  });
  expect(run.mapping('pt').canonical).toMatchObject({ kind: 'binary', family: 'geometry', spatial: { subtype: 'Point', srid: 4326, geodetic: true } });
  expect(run.mapping('pt').note).toMatch(/PostGIS geography\(Point,4326\) read as EWKB.*stored as POINT with SRID 4326 \(MariaDB REF_SYSTEM_ID\).*planar/);
  expect(run.mapping('local_pt').note).toMatch(/SRID 990001 is a spatial_ref_sys row the source's users added \(sensei:1\): its definition is not migrated/);
  expect(run.plan.notes).toContain('spatial_ref_sys rows the source\'s users added are not migrated: SRID 990001 (sensei:1), used by geo.local_pt');

  const columns = await mariadbRows(
    target.endpoint,
    `SELECT c.COLUMN_NAME c, c.DATA_TYPE t, g.SRID s FROM information_schema.COLUMNS c
       LEFT JOIN information_schema.GEOMETRY_COLUMNS g ON g.G_TABLE_SCHEMA = c.TABLE_SCHEMA AND g.G_TABLE_NAME = c.TABLE_NAME AND g.G_GEOMETRY_COLUMN = c.COLUMN_NAME
      WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = 'geo' ORDER BY c.ORDINAL_POSITION`,
    [target.name],
  );
  expect(columns.map((r) => [r.c, String(r.t).toLowerCase(), r.s === null ? null : Number(r.s)])).toEqual([
    ['id', 'int', null],
    ['pt', 'point', 4326],
    ['area', 'polygon', 4326],
    ['anyg', 'geometry', 4326],
    // MariaDB declares a column's SRID only up to 32767 (a larger one would be stored as 32767): not declared; the values keep it.
    ['local_pt', 'point', 0],
  ]);
  expect(run.mapping('local_pt').note).toMatch(/each value with its SRID 990001 \(MariaDB declares a column's SRID only up to 32767: the column does not\)/);

  const source = plainRows(await pg(geogSource, GEOG_SOURCE_TEXT));
  expect(source).toHaveLength(9);
  expect(source[1]).toEqual({ id: 2, pt: 'POINT(2.5 42.25)', pts: 4326, area: 'POLYGON((0 0,2 0,2 2,0 0))', areas: 4326, anyg: 'POINT(-72 42)', anygs: 4269, local_pt: 'POINT(2 -2)', local_pts: 990001 });
  expect(source[2]).toMatchObject({ id: 3, anyg: null, anygs: null });
  expect(source[8]).toEqual({ id: 100, pt: null, pts: null, area: null, areas: null, anyg: null, anygs: null, local_pt: null, local_pts: null });
  expect(plainRows(await mariadbRows(target.endpoint, GEOG_TARGET_TEXT))).toEqual(source);
  // A GiST index on a NOT NULL column is a SPATIAL index (MariaDB builds R-trees only on NOT NULL columns); on a nullable one a plain index.
  const indexes = await mariadbRows(target.endpoint, `SELECT INDEX_NAME n, INDEX_TYPE t FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND INDEX_NAME <> 'PRIMARY' ORDER BY 1`, [target.name]);
  expect(indexes).toEqual([
    { n: 'geo_pt', t: 'BTREE' },
    { n: 'places_loc', t: 'SPATIAL' },
  ]);
  expect(await mariadbRows(target.endpoint, `SELECT id FROM places WHERE MBRContains(ST_GeomFromText('POLYGON((1.5 1.5,3.5 1.5,3.5 3.5,1.5 3.5,1.5 1.5))', 4326), loc) ORDER BY id`)).toEqual([{ id: 2 }, { id: 3 }]);
  // MariaDB can query them spatially (on the plane).
  expect(await mariadbRows(target.endpoint, `SELECT id FROM geo WHERE ST_Contains(area, ST_GeomFromText('POINT(3.5 1)', 4326)) ORDER BY id`)).toEqual([4, 5, 6, 7, 8].map((id) => ({ id })));

  await expectCaught(run.handle, target, { 3: `pt = ST_GeomFromText('POINT(3.5 43.2500001)', 4326)` });
}, 600_000);

test('PostGIS geography → SQLite: EWKB in a BLOB, each value with its SRID', async () => {
  const target = await createTempDatabase('sqlite');
  targets.push(target);
  const run = await migrate(geogSource, target);
  expect(run.gated).toBe(true);
  for (const c of ['pt', 'area', 'anyg', 'local_pt']) expect({ c, type: run.mapping(c).targetType, confidence: run.mapping(c).confidence }).toEqual({ c, type: 'BLOB', confidence: 0.9 });
  expect(run.mapping('pt').note).toMatch(/stored as EWKB \(WKB with its SRID, 4326\) in a BLOB/);
  const conn = new Database(target.endpoint.connectionString, { readonly: true });
  const copied = conn.prepare(`SELECT id, lower(hex(pt)) pt, lower(hex(area)) area, lower(hex(anyg)) anyg, lower(hex(local_pt)) local_pt FROM geo ORDER BY id`).all() as Record<string, unknown>[];
  conn.close();
  const source = await pg(
    geogSource,
    `SELECT id, encode(ST_AsEWKB(pt::geometry), 'hex') pt, encode(ST_AsEWKB(area::geometry), 'hex') area, encode(ST_AsEWKB(anyg::geometry), 'hex') anyg,
            encode(ST_AsEWKB(local_pt::geometry), 'hex') local_pt FROM geo ORDER BY id`,
  );
  // POINT(1.5 41.25) with SRID 4326, little-endian EWKB.
  expect(source[0].pt).toBe('0101000020e6100000000000000000f83f0000000000a04440');
  expect(copied.map((r) => ({ ...r, pt: r.pt || null, area: r.area || null, anyg: r.anyg || null, local_pt: r.local_pt || null }))).toEqual(source);
  await run.handle.terminate('test over');
}, 600_000);

test('PostGIS geography → PostgreSQL with PostGIS: the spatial_ref_sys row the source\'s users added is added to the target\'s before the tables; every column keeps its type and every value', async () => {
  const target = await newTarget(true);
  const run = await migrate(geogSource, target);
  expect(run.plan.objects?.filter((o) => o.kind === 'spatial_ref_sys row')).toEqual([
    {
      kind: 'spatial_ref_sys row',
      name: '990001',
      create: [`INSERT INTO "public".spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) VALUES (990001, 'sensei', 1, NULL, '+proj=longlat +ellps=WGS84 +no_defs') ON CONFLICT (srid) DO NOTHING`],
      stage: 'before_tables',
      extension: 'postgis',
      neededBy: ['geo.local_pt'],
    },
  ]);
  expect(run.plan.notes).toContain(`spatial_ref_sys rows the source's users added will be added to the target's "public".spatial_ref_sys before the tables: SRID 990001 (sensei:1), used by geo.local_pt`);
  const types = { id: 'integer', pt: 'geography(Point,4326)', area: 'geography(Polygon,4326)', anyg: 'geography', local_pt: 'geography(Point,990001)' };
  expect(await columnTypes(target)).toEqual(types);
  const read = `SELECT id, ST_AsEWKT(pt) pt, ST_AsEWKT(area) area, ST_AsEWKT(anyg) anyg, ST_AsEWKT(local_pt) local_pt FROM geo ORDER BY id`;
  expect(await pg(target, read)).toEqual(await pg(geogSource, read));
  await run.handle.terminate('test over');
}, 600_000);

/**
 * A database whose users added two spatial_ref_sys rows: a longitude/latitude system that a geography and a geometry
 * column use, and a projection no column uses (the rows migrate whole, as pg_dump dumps them).
 */
const CUSTOM_SRS = [
  `CREATE EXTENSION postgis`,
  `INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) VALUES
     (900914, 'sensei', 900914, 'GEOGCS["Sensei lon/lat",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]', '+proj=longlat +ellps=WGS84 +no_defs'),
     (900915, 'sensei', 900915, NULL, '+proj=merc +lon_0=10 +ellps=WGS84 +units=m +no_defs')`,
  `CREATE TABLE spots (id integer PRIMARY KEY, gg geography(Point,900914), gm geometry(Point,900914))`,
  `INSERT INTO spots SELECT i, ST_GeogFromText('SRID=900914;POINT(' || i || '.25 -' || i || '.5)'), ST_GeomFromText('POINT(' || (10 + i) || ' ' || i || '.75)', 900914)
     FROM generate_series(1, 6) i`,
  `INSERT INTO spots (id) VALUES (100)`,
];
const SPOTS_TEXT = `SELECT id, ST_AsText(gg) gg, ST_SRID(gg) ggs, ST_AsText(gm) gm, ST_SRID(gm) gms FROM spots ORDER BY id`;
const CUSTOM_ROWS = `SELECT srid, auth_name, auth_srid, srtext, proj4text FROM spatial_ref_sys WHERE srid IN (900914, 900915) ORDER BY srid`;

async function customSource(): Promise<TempDatabase> {
  const source = await createTempDatabase('postgresql');
  targets.push(source);
  for (const sql of CUSTOM_SRS) await pg(source, sql);
  return source;
}

test('PostGIS → PostgreSQL without PostGIS: the plan creates the extension, then adds the spatial_ref_sys rows the source\'s users added; geography and geometry columns in such an SRID migrate; validation passes', async () => {
  const source = await customSource();
  const target = await newTarget(false);
  const run = await migrateHeldOpen(h, source, target, 4);
  expect(run.plan.objects?.map((o) => `${o.kind} ${o.name}`)).toEqual(['extension postgis', 'spatial_ref_sys row 900914', 'spatial_ref_sys row 900915']);
  expect(run.plan.notes).toContain(
    `spatial_ref_sys rows the source's users added will be added to the target's "public".spatial_ref_sys before the tables: SRID 900914 (sensei:900914), used by spots.gg, spots.gm; SRID 900915 (sensei:900915)`,
  );
  expect(run.plan.blockers).toEqual([]);
  // The rows as the source has them, every column of them.
  const rows = await pg(source, CUSTOM_ROWS);
  expect(rows).toHaveLength(2);
  expect(await pg(target, CUSTOM_ROWS)).toEqual(rows);
  expect(await columnTypes2(target, 'spots')).toEqual({ id: 'integer', gg: 'geography(Point,900914)', gm: 'geometry(Point,900914)' });
  const values = plainRows(await pg(source, SPOTS_TEXT));
  expect(values).toHaveLength(7);
  expect(values[1]).toEqual({ id: 2, gg: 'POINT(2.25 -2.5)', ggs: 900914, gm: 'POINT(12 2.75)', gms: 900914 });
  expect(plainRows(await pg(target, SPOTS_TEXT))).toEqual(values);
  // The target's PostGIS reads them in the added system: a transform to WGS 84 is the identity for this longitude/latitude one.
  expect(await pg(target, `SELECT ST_AsText(ST_Transform(gm, 4326)) t FROM spots WHERE id = 2`)).toEqual([{ t: 'POINT(12 2.75)' }]);
  await expectChangesCaught(run.handle, (sql) => pg(target, sql), { 3: `gm = ST_GeomFromText('POINT(13 3.7500001)', 900914)` }, 'spots');
}, 600_000);

test('PostGIS → PostgreSQL whose spatial_ref_sys has the SRID with another definition: named before anything is created, and the target\'s row is not overwritten', async () => {
  const source = await customSource();
  const target = await newTarget(true);
  await pg(target, `INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, proj4text) VALUES (900914, 'other', 4, '+proj=longlat +ellps=GRS80 +no_defs')`);
  const before = await pg(target, CUSTOM_ROWS);
  const refused = await startMigration(h, source.endpoint, target.endpoint);
  await refused.executeUpdate(startUpdate);
  const status = await waitForStatus(refused, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
  expect(status.gate).toMatchObject({ required: true, state: 'pending' });
  const differs =
    `SRID 900914 is defined otherwise in the target's "public".spatial_ref_sys (other:4: +proj=longlat +ellps=GRS80 +no_defs) than in the source's (sensei:900914: +proj=longlat +ellps=WGS84 +no_defs)`;
  expect(status.gate?.reason).toContain(`spots.gg: ${differs}, and PostGIS would read the column's values in the target's definition`);
  expect(status.gate?.reason).toContain(`spots.gm: ${differs}`);
  const plan = (await refused.query(planQuery)) as MigrationPlan;
  expect(plan.notes).toContain(`${differs}: the target's row is kept, not overwritten`);
  // The row no column needs is still added by a plan that runs; this one ran nothing.
  expect(plan.notes).toContain(`spatial_ref_sys rows the source's users added will be added to the target's "public".spatial_ref_sys before the tables: SRID 900915 (sensei:900915)`);
  expect(await pg(target, CUSTOM_ROWS)).toEqual(before);
  expect(await pg(target, `SELECT count(*)::int n FROM pg_tables WHERE tablename = 'spots'`)).toEqual([{ n: 0 }]);
  await refused.terminate('test over');
}, 600_000);

test('PostGIS geography → PostgreSQL whose user may not insert into spatial_ref_sys: the column is named before anything is created, with what an administrator could run; migrated once granted', async () => {
  const target = await newTarget(true);
  const role = `${target.name}_owner`;
  await pg(target, `CREATE ROLE ${role} LOGIN`);
  try {
    await pg(target, `ALTER DATABASE ${target.name} OWNER TO ${role}`);
    const url = new URL(target.endpoint.connectionString);
    url.username = role;
    const asOwner = { ...target, endpoint: { ...target.endpoint, connectionString: url.toString() } };
    const refused = await startMigration(h, geogSource.endpoint, asOwner.endpoint);
    await refused.executeUpdate(startUpdate);
    const status = await waitForStatus(refused, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
    expect(status.gate).toMatchObject({ required: true, state: 'pending' });
    expect(status.gate?.reason).toContain(
      "geo.local_pt: geography(Point,990001) needs SRID 990001 in the target's spatial_ref_sys, a row the source's users added (sensei:1) that the plan does not add (see its notes)",
    );
    const plan = (await refused.query(planQuery)) as MigrationPlan;
    expect(plan.notes).toContain(
      `spatial_ref_sys rows the source's users added are not added to the target: its user (${role}) may not insert into "public".spatial_ref_sys: SRID 990001 (sensei:1), used by geo.local_pt.` +
        ` An administrator could run GRANT INSERT ON "public".spatial_ref_sys TO "${role}" (the plan then adds them), or add the rows as the source has them`,
    );
    expect(await pg(target, `SELECT count(*)::int n FROM pg_tables WHERE tablename = 'geo'`)).toEqual([{ n: 0 }]);
    await refused.terminate('blocked at the gate');

    // As the notes say.
    await pg(target, `GRANT INSERT ON public.spatial_ref_sys TO ${role}`);
    const run = await migrate(geogSource, asOwner);
    expect(await pg(target, `SELECT srid, auth_name, proj4text FROM spatial_ref_sys WHERE srid = 990001`)).toEqual([{ srid: 990001, auth_name: 'sensei', proj4text: '+proj=longlat +ellps=WGS84 +no_defs' }]);
    const read = `SELECT id, ST_AsEWKT(local_pt) local_pt FROM geo ORDER BY id`;
    expect(await pg(target, read)).toEqual(await pg(geogSource, read));
    await run.handle.terminate('test over');
  } finally {
    await target.drop();
    await pgRows({ ...target.endpoint, connectionString: PG_ADMIN_URL }, `DROP ROLE IF EXISTS ${role}`);
  }
}, 600_000);

async function columnTypes2(db: TempDatabase, table: string): Promise<Record<string, string>> {
  const rows = await pg<{ c: string; t: string }>(db, `SELECT a.attname c, format_type(a.atttypid, a.atttypmod) t FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, [table]);
  return Object.fromEntries(rows.map((r) => [r.c, r.t]));
}
