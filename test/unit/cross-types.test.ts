/**
 * Across dialects, every type has a mapping (issue 10 §3): the portable form a type only one dialect declares takes,
 * the target type each dialect picks for it with its confidence and note, portable CHECKs, and the value conversions.
 */
import * as mysql from '../../connectors/mysql/types';
import { bitsAsDigits, digitsAsBits, ewkbAsGeometry, geometryAsEwkb, setAsJson } from '../../connectors/mysql/values';
import * as postgres from '../../connectors/postgres/types';
import { textArrayLiteral } from '../../connectors/postgres/index';
import { insertSpatialRef, postgisOwnSrid, sameSpatialRef, spatialRefAuthority } from '../../connectors/postgres/spatial-refs';
import { currentTimeDefault, planMigration, withSpatialRefs } from '../../lib/mapping';
import { applyMappingEdits, mappingEditProblem } from '../../lib/mapping-edit';
import { targetType } from '../../lib/typemap';
import { portableCheck, renderCheck } from '../../lib/typemap/check';
import { crossType } from '../../lib/typemap/common';
import type { CanonicalType, ColumnInfo, SchemaInfo, SchemaObject, SpatialRef, TableInfo } from '../../lib/types';

const pgCross = (formatted: string, extra: Partial<postgres.PostgresNativeType> = {}) => crossType(postgres.toCanonical({ formatted, ...extra }));
const myCross = (columnType: string) => crossType(mysql.toCanonical({ columnType }));

describe('PostgreSQL types in their portable forms', () => {
  test.each([
    ['integer[]', 'json', 'array', 0.9],
    ['text[]', 'json', 'array', 0.9],
    ['interval', 'text', 'interval', 0.9],
    ['interval day to second(3)', 'text', 'interval', 0.9],
    ['inet', 'text', 'inet', 0.95],
    ['cidr', 'text', 'inet', 0.95],
    ['macaddr', 'text', 'macaddr', 0.95],
    ['money', 'decimal', 'money', 0.95],
    ['tsvector', 'text', 'tsvector', 0.5],
    ['bit(8)', 'text', 'bits', 0.9],
    ['bit varying(16)', 'text', 'bits', 0.9],
    ['xml', 'text', 'xml', 0.9],
    ['point', 'text', 'geometric', 0.7],
    ['polygon', 'text', 'geometric', 0.7],
    ['pg_lsn', 'text', 'other', 0.7],
  ])('%s → %s (%s), confidence %s', (formatted, kind, family, confidence) => {
    const t = pgCross(formatted);
    expect(t).toMatchObject({ kind, family, readConfidence: confidence });
    expect(t.readNote).toBeTruthy();
    // The same dialect keeps the native type (PostgreSQL → PostgreSQL).
    expect(postgres.toCanonical({ formatted }).kind).toBe('native');
  });

  test('ranges, multiranges and composite types by their typtype; money keeps numeric(19,2); bit keeps its length', () => {
    expect(pgCross('int4range', { typtype: 'r' })).toMatchObject({ kind: 'text', family: 'range' });
    expect(pgCross('int4multirange', { typtype: 'm' })).toMatchObject({ kind: 'text', family: 'range' });
    expect(pgCross('pair', { typtype: 'c' })).toMatchObject({ kind: 'json', family: 'composite' });
    expect(pgCross('money')).toMatchObject({ precision: 19, scale: 2 });
    expect(pgCross('bit(8)').length).toBe(8);
  });

  test('a domain is its base type with its portable CHECKs; a CHECK only PostgreSQL can run is said, not kept', () => {
    const posint = postgres.toCanonical({ formatted: 'posint', typtype: 'd', domainBase: { formatted: 'integer', typtype: 'b' }, domainChecks: ['CHECK ((VALUE > 0))'] });
    expect(posint).toMatchObject({ kind: 'int32', check: '((VALUE > 0))' });
    const zip = postgres.toCanonical({ formatted: 'zip', typtype: 'd', domainBase: { formatted: 'text', typtype: 'b' }, domainChecks: ["CHECK ((VALUE ~ '^[0-9]{5}$'::text))"] });
    expect(zip.check).toBeUndefined();
    expect(zip.readNote).toMatch(/not migrated, because the target cannot run PostgreSQL's expression/);
    expect(zip.readConfidence).toBe(0.9);
    // A domain over an array: native here, a JSON array with the domain's note elsewhere.
    const tags = postgres.toCanonical({ formatted: 'tags', typtype: 'd', domainBase: { formatted: 'text[]', typtype: 'b' } });
    expect(tags.kind).toBe('native');
    expect(crossType(tags)).toMatchObject({ kind: 'json', family: 'array', readNote: expect.stringMatching(/^domain tags over text\[\]/) });
  });
});

describe('MariaDB types in their portable forms', () => {
  test('SET, GEOMETRY and subtypes, BIT(n), INET4/INET6, YEAR', () => {
    expect(myCross("set('a','b')")).toMatchObject({ kind: 'json', family: 'set', values: ['a', 'b'] });
    for (const g of ['geometry', 'point', 'polygon', 'multipolygon', 'geometrycollection']) expect(myCross(g)).toMatchObject({ kind: 'binary', family: 'geometry' });
    expect(myCross('bit(10)')).toMatchObject({ kind: 'text', family: 'bits', length: 10 });
    expect(myCross('inet4')).toMatchObject({ kind: 'text', family: 'inet' });
    expect(myCross('inet6')).toMatchObject({ kind: 'text', family: 'inet' });
    expect(myCross('year')).toMatchObject({ kind: 'int16', check: 'VALUE = 0 OR VALUE BETWEEN 1901 AND 2155' });
    // Natively they stay what they are.
    for (const t of ["set('a','b')", 'geometry', 'bit(10)', 'inet6']) expect(mysql.toCanonical({ columnType: t }).kind).toBe('native');
  });

  test('TIME, a duration up to ±838 hours, is said to be one where the target keeps a time of day only', () => {
    const time = myCross('time(3)');
    expect(time).toMatchObject({ kind: 'time', precision: 3, duration: true });
    expect(targetType('postgresql', time)).toMatchObject({ sql: 'time(3) without time zone', confidence: 0.9, note: expect.stringMatching(/rejected, named by its key/) });
    expect(targetType('snowflake', time)).toMatchObject({ confidence: 0.9 });
    expect(targetType('sqlite', time)).toMatchObject({ confidence: 1 });
    expect(targetType('mysql', time)).toMatchObject({ sql: 'TIME(3)', confidence: 1 });
    // A PostgreSQL time is a time of day: nothing to say.
    expect(targetType('postgresql', pgCross('time(3) without time zone'))).toMatchObject({ confidence: 1 });
  });

  test('unsigned integers take the next wider type', () => {
    expect(targetType('postgresql', myCross('smallint unsigned')).sql).toBe('integer');
    expect(targetType('postgresql', myCross('int unsigned')).sql).toBe('bigint');
    expect(targetType('postgresql', myCross('bigint unsigned')).sql).toBe('numeric(20,0)');
  });
});

describe('target types for every family', () => {
  const cases: [string, CanonicalType, string, string, string][] = [
    ['array', pgCross('integer[]'), 'JSON', 'TEXT', ''],
    ['interval', pgCross('interval'), 'VARCHAR(100)', 'TEXT', ''],
    ['inet', pgCross('inet'), 'VARCHAR(43)', 'TEXT', ''],
    ['macaddr', pgCross('macaddr'), 'VARCHAR(23)', 'TEXT', ''],
    ['money', pgCross('money'), 'DECIMAL(19,2)', 'TEXT', ''],
    ['tsvector', pgCross('tsvector'), 'LONGTEXT', 'TEXT', ''],
    ['bits', pgCross('bit(8)'), 'VARCHAR(8)', 'TEXT', ''],
    ['SET', myCross("set('a','b')"), '', 'TEXT', 'text[]'],
    ['GEOMETRY', myCross('point'), '', 'BLOB', 'bytea'],
    ['BIT(10)', myCross('bit(10)'), '', 'TEXT', 'bit(10)'],
    ['INET6', myCross('inet6'), '', 'TEXT', 'inet'],
    ['YEAR', myCross('year'), '', 'SMALLINT', 'smallint'],
  ];
  test.each(cases)('%s', (_name, type, onMysql, onSqlite, onPostgres) => {
    if (onMysql) expect(targetType('mysql', type).sql).toBe(onMysql);
    expect(targetType('sqlite', type).sql).toBe(onSqlite);
    if (onPostgres) expect(targetType('postgresql', type).sql).toBe(onPostgres);
  });

  test('GEOMETRY is PostGIS geometry on a PostgreSQL target whose database has PostGIS; PostGIS geometry is GEOMETRY on MariaDB', () => {
    expect(targetType('postgresql', myCross('point'), { extensions: ['plpgsql', 'postgis'] })).toMatchObject({ sql: 'geometry', confidence: 1 });
    expect(targetType('postgresql', myCross('point'), { extensions: ['plpgsql'] })).toMatchObject({ sql: 'bytea', confidence: 0.8, note: expect.stringMatching(/no PostGIS/) });
    const postgis = pgCross('geometry');
    expect(postgis).toMatchObject({ kind: 'binary', family: 'geometry', readNote: expect.stringMatching(/EWKB/) });
    expect(targetType('mysql', postgis)).toMatchObject({ sql: 'GEOMETRY', confidence: 0.95, note: expect.stringMatching(/Z or M coordinates are rejected/) });
    expect(targetType('sqlite', postgis).sql).toBe('BLOB');
    // Without the target's extensions (mapping edits judge types so inside the workflow) nothing changes.
    expect(targetType('postgresql', myCross('geometry')).sql).toBe('bytea');
  });

  test('PostGIS geography: read as EWKB with its subtype and SRID (4326 when it names none); MariaDB POINT/POLYGON/GEOMETRY, SQLite BLOB, each below lossless', () => {
    expect(pgCross('geography(Point,4326)')).toMatchObject({ kind: 'binary', family: 'geometry', readConfidence: 0.9, spatial: { subtype: 'Point', srid: 4326, geodetic: true } });
    expect(pgCross('geography').spatial).toEqual({ srid: 4326, geodetic: true });
    expect(pgCross('geography(MultiPolygon,4269)').spatial).toEqual({ subtype: 'MultiPolygon', srid: 4269, geodetic: true });
    const onMaria = (formatted: string) => targetType('mysql', pgCross(formatted));
    expect(onMaria('geography(Point,4326)')).toMatchObject({ sql: 'POINT', confidence: 0.9, note: expect.stringMatching(/SRID 4326 \(MariaDB REF_SYSTEM_ID\).*on the plane/) });
    expect(onMaria('geography(MultiPolygon,4269)').sql).toBe('MULTIPOLYGON');
    expect(onMaria('geography').sql).toBe('GEOMETRY');
    expect(onMaria('geography(PointZ,4326)')).toMatchObject({ sql: 'POINT', confidence: 0.3, note: expect.stringMatching(/Z coordinates have no MariaDB\/MySQL form/) });
    expect(onMaria('geography(Point,990001)').note).toMatch(/SRID 990001 \(MariaDB declares a column's SRID only up to 32767/);
    expect([4326, 32767, 32768, 990001].map(mysql.spatialSridClause)).toEqual(['/*M! REF_SYSTEM_ID=4326 */', '/*M! REF_SYSTEM_ID=32767 */', '', '']);
    expect(targetType('sqlite', pgCross('geography(Polygon,4326)'))).toMatchObject({ sql: 'BLOB', confidence: 0.9, note: expect.stringMatching(/EWKB.*4326/) });
  });

  const onMaria = (formatted: string) => targetType('mysql', pgCross(formatted));

  test('PostGIS geometry with a type modifier: read as EWKB with its subtype and SRID (none when 0), losslessly', () => {
    expect(pgCross('geometry(Point,4326)')).toEqual({ kind: 'binary', family: 'geometry', spatial: { subtype: 'Point', srid: 4326 }, readNote: 'PostGIS geometry(Point,4326) read as EWKB (WKB with its SRID)' });
    expect(pgCross('geometry(Polygon)').spatial).toEqual({ subtype: 'Polygon' });
    expect(pgCross('geometry(Geometry,3857)').spatial).toEqual({ srid: 3857 });
    expect(pgCross('geometry(MultiPolygonZ,4269)').spatial).toEqual({ subtype: 'MultiPolygonZ', srid: 4269 });
    expect(pgCross('geometry')).toEqual({ kind: 'binary', family: 'geometry', readNote: 'PostGIS geometry read as EWKB (WKB with its SRID)' });
  });

  test('PostGIS geometry(Point,4326) → MariaDB POINT with REF_SYSTEM_ID 4326, each subtype its spatial type; Z/M below lossless; an SRID above 32767 only in the values', () => {
    expect(onMaria('geometry(Point,4326)')).toEqual({ sql: 'POINT', confidence: 1, note: 'stored as POINT with SRID 4326 (MariaDB REF_SYSTEM_ID), each value with its SRID' });
    expect(onMaria('geometry(Polygon,3857)')).toMatchObject({ sql: 'POLYGON', confidence: 1 });
    expect(onMaria('geometry(Polygon)')).toEqual({ sql: 'POLYGON', confidence: 1, note: 'stored as POLYGON, each value with its SRID' });
    const subtypes = ['LineString', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection', 'Geometry'].map((t) => onMaria(`geometry(${t},4326)`).sql);
    expect(subtypes).toEqual(['LINESTRING', 'MULTIPOINT', 'MULTILINESTRING', 'MULTIPOLYGON', 'GEOMETRYCOLLECTION', 'GEOMETRY']);
    for (const [subtype, dims] of [['PointZ', 'Z'], ['PointM', 'M'], ['PointZM', 'ZM']]) {
      expect(onMaria(`geometry(${subtype},4326)`)).toEqual({
        sql: 'POINT',
        confidence: 0.3,
        note: `stored as POINT with SRID 4326 (MariaDB REF_SYSTEM_ID), each value with its SRID; its ${dims} coordinates have no MariaDB/MySQL form (2D only): every value is rejected`,
      });
    }
    expect(onMaria('geometry(Point,990001)')).toMatchObject({ sql: 'POINT', confidence: 1, note: expect.stringMatching(/each value with its SRID 990001 \(MariaDB declares a column's SRID only up to 32767: the column does not\)/) });
    const custom = pgCross('geometry(Point,990001)');
    (custom.spatial as { customSrs?: string }).customSrs = 'sensei:1';
    expect(targetType('mysql', custom).note).toMatch(/SRID 990001 is a spatial_ref_sys row the source's users added \(sensei:1\)/);
    // Plain geometry stays GEOMETRY, as before; SQLite keeps EWKB whatever the modifier.
    expect(onMaria('geometry').sql).toBe('GEOMETRY');
    expect(targetType('sqlite', pgCross('geometry(Point,4326)'))).toMatchObject({ sql: 'BLOB', confidence: 1 });
  });

  test('MariaDB POINT with REF_SYSTEM_ID=4326 → PostGIS geometry(Point,4326), below lossless (MariaDB does not hold values to it); without an SRID geometry(Point)', () => {
    const read = (columnType: string, srid: number) => crossType(mysql.toCanonical({ columnType, srid }));
    const onPg = (columnType: string, srid: number) => targetType('postgresql', read(columnType, srid), { extensions: ['postgis'] });
    expect(read('point', 4326).spatial).toEqual({ subtype: 'Point', srid: 4326 });
    expect(read('geometry', 0).spatial).toBeUndefined();
    expect(onPg('point', 4326)).toEqual({
      sql: 'geometry(Point,4326)',
      confidence: 0.95,
      note: "stored as PostGIS geometry(Point,4326), each value with its SRID; a value whose SRID is not 4326 (the source does not hold its values to the column's SRID) is rejected",
    });
    expect(onPg('point', 0)).toEqual({ sql: 'geometry(Point)', confidence: 1, note: 'stored as PostGIS geometry(Point), each value with its SRID' });
    expect(onPg('multipolygon', 3857).sql).toBe('geometry(MultiPolygon,3857)');
    expect(onPg('geometrycollection', 0).sql).toBe('geometry(GeometryCollection)');
    expect(onPg('linestring', 0).sql).toBe('geometry(LineString)');
    expect(onPg('geometry', 4326).sql).toBe('geometry(Geometry,4326)');
    expect(onPg('geometry', 0)).toEqual({ sql: 'geometry', confidence: 1, note: 'stored as PostGIS geometry, each value with its SRID' });
    expect(targetType('postgresql', read('point', 4326)).sql).toBe('bytea');
    expect(targetType('sqlite', read('point', 4326)).sql).toBe('BLOB');
  });

  test('a typed name (a mapping edit, judged inside running workflows) reads and renders as before: no subtype or SRID', () => {
    expect(mysql.toCanonical({ columnType: 'point' })).toEqual({ kind: 'native', readNote: 'type point exists only in MariaDB/MySQL', portable: { kind: 'binary', family: 'geometry', readNote: 'POINT read as EWKB (WKB with its SRID)' } });
    expect(postgres.parseTypeName('geometry')).toEqual(postgres.toCanonical({ formatted: 'geometry' }));
    expect(crossType(postgres.parseTypeName('geometry')).spatial).toBeUndefined();
    // The edit PATCH accepts only plain names (geometry, POINT), and they render as on main.
    expect(targetType('mysql', crossType(mysql.toCanonical({ columnType: 'point' }))).sql).toBe('GEOMETRY');
    expect(targetType('postgresql', crossType(postgres.parseTypeName('geometry')), { extensions: ['postgis'] }).sql).toBe('geometry');
    const geo: TableInfo = {
      name: 'geo',
      columns: [
        { name: 'id', nativeType: 'integer', type: { kind: 'int32' }, nullable: false, default: null },
        { name: 'p', nativeType: 'geometry(Point,4326)', type: postgres.toCanonical({ formatted: 'geometry(Point,4326)' }), nullable: true, default: null },
      ],
      primaryKey: ['id'],
      foreignKeys: [],
      uniqueConstraints: [],
      indexes: [],
      rowEstimate: 0,
    };
    const plan = planMigration({ dialect: 'postgresql', schema: 'public', tables: [geo] }, 'mysql', { targetSchema: 't' });
    expect(plan.tables[0].columns[1]).toMatchObject({ targetType: 'POINT', confidence: 1 });
    expect(mappingEditProblem(plan, { id: 'geo.p', target_type: 'POINT' })).toBe('POINT is not a mysql type Sensei can write across dialects (it would be GEOMETRY)');
    expect(applyMappingEdits(plan, [{ id: 'geo.p', target_type: 'GEOMETRY' }]).edited[0]).toMatchObject({ targetType: 'GEOMETRY', confidence: 1 });
  });

  test('spatial_ref_sys rows the source added: PostGIS\'s condition for them read as SRID ranges; the plan names the rows columns use', () => {
    const own = postgisOwnSrid('WHERE NOT (\nsrid BETWEEN 2000 AND 2217\nOR srid = 3857\nOR srid BETWEEN 4326 AND 4415\n)');
    expect([2000, 2217, 2218, 3857, 4326, 990001].map((srid) => own?.(srid))).toEqual([true, true, false, true, true, false]);
    expect(postgisOwnSrid('WHERE srid > 0; DROP TABLE x')).toBeNull();
    expect(postgisOwnSrid('WHERE NOT (srid BETWEEN 1 AND 2 OR true)')).toBeNull();
    const type = postgres.toCanonical({ formatted: 'geography(Point,990001)' });
    (crossType(type).spatial as { customSrs?: string }).customSrs = 'sensei:1';
    const column: ColumnInfo = { name: 'local_pt', nativeType: 'geography(Point,990001)', type, nullable: true, default: null };
    const id: ColumnInfo = { name: 'id', nativeType: 'integer', type: { kind: 'int32' }, nullable: false, default: null };
    const table: TableInfo = { name: 'geo', columns: [id, column], primaryKey: ['id'], foreignKeys: [], uniqueConstraints: [], indexes: [], rowEstimate: 0 };
    const schema: SchemaInfo = { dialect: 'postgresql', schema: 'public', tables: [table] };
    const plan = planMigration(schema, 'mysql', { targetSchema: 't' });
    expect(plan.notes).toContain("spatial_ref_sys rows the source's users added are not migrated: SRID 990001 (sensei:1), used by geo.local_pt");
    expect(plan.tables[0].columns[1].note).toMatch(/SRID 990001 is a spatial_ref_sys row the source's users added \(sensei:1\)/);
  });

  test('spatial_ref_sys rows the source added, into PostgreSQL: an INSERT that never overwrites, made right after the extensions; the target connector speaks for them', () => {
    const row: SpatialRef = { srid: 900914, authName: "o'brien", authSrid: 7, srtext: null, proj4text: '+proj=longlat +ellps=GRS80 +no_defs' };
    expect(insertSpatialRef('"public".spatial_ref_sys', row, (v) => `'${v.replace(/'/g, "''")}'`)).toBe(
      `INSERT INTO "public".spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) VALUES (900914, 'o''brien', 7, NULL, '+proj=longlat +ellps=GRS80 +no_defs') ON CONFLICT (srid) DO NOTHING`,
    );
    expect(sameSpatialRef(row, { ...row })).toBe(true);
    expect(sameSpatialRef(row, { ...row, proj4text: '+proj=longlat +ellps=WGS84 +no_defs' })).toBe(false);
    expect(spatialRefAuthority({ ...row, authName: null, authSrid: null })).toBe('no authority:');

    const type = postgres.toCanonical({ formatted: 'geometry(Point,900914)' });
    (crossType(type).spatial as { customSrs?: string }).customSrs = "o'brien:7";
    const table: TableInfo = {
      name: 'geo',
      columns: [{ name: 'id', nativeType: 'integer', type: { kind: 'int32' }, nullable: false, default: null }, { name: 'p', nativeType: 'geometry(Point,900914)', type, nullable: true, default: null }],
      primaryKey: ['id'],
      foreignKeys: [],
      uniqueConstraints: [],
      indexes: [],
      rowEstimate: 0,
    };
    const postgis: SchemaObject = { kind: 'extension', name: 'postgis', create: ['CREATE EXTENSION IF NOT EXISTS "postgis"'], stage: 'before_tables', neededBy: ['geo.p'] };
    const view: SchemaObject = { kind: 'view', name: 'v', create: ['CREATE VIEW v AS SELECT 1'], stage: 'after_data', reads: ['geo'] };
    const plan = planMigration({ dialect: 'postgresql', schema: 'public', tables: [table], objects: [postgis, view], spatialRefs: [row] }, 'postgresql', { targetSchema: 'public' });
    expect(plan.notes).toEqual([]);
    const added: SchemaObject = { kind: 'spatial_ref_sys row', name: '900914', create: ['INSERT …'], stage: 'before_tables', neededBy: ['geo.p'] };
    const withRows = withSpatialRefs(plan, { objects: [added], notes: ['added'], blockers: [] });
    expect(withRows.objects?.map((o) => `${o.kind} ${o.name}`)).toEqual(['extension postgis', 'spatial_ref_sys row 900914', 'view v']);
    expect(withRows.notes).toEqual(['added']);
    expect(withSpatialRefs({ ...plan, objects: undefined }, { objects: [], notes: [], blockers: ['b'] })).toMatchObject({ objects: undefined, blockers: ['b'] });
  });

  test('an enum becomes an enum type of its own on PostgreSQL, named after its table and column', () => {
    const e: CanonicalType = { kind: 'enum', values: ['s', 'm'] };
    expect(targetType('postgresql', e, { table: 'Shirts', column: 'size' })).toMatchObject({ sql: 'shirts_size', confidence: 1 });
    expect(postgres.enumTypeName('t', '1 odd name')).toBe('t_1_odd_name');
    expect(postgres.enumTypeName('9t', 'c')).toBe('e_9t_c');
    // Without a place (a mapping edit), text with its CHECK.
    expect(targetType('postgresql', e).sql).toBe('text');
  });
});

describe('portable CHECKs', () => {
  test.each([
    ['CHECK ((VALUE > 0))', '(VALUE > 0)'],
    ['CHECK ((amount >= (0)::numeric))', '("amount" >= (0))'],
    ["CHECK ((mac <> '00:00:00:00:00:00'::macaddr))", `("mac" <> '00:00:00:00:00:00')`],
    // PostgreSQL keeps IN (…) and NOT IN (…) so: read as they were written.
    ["CHECK (((kind)::text = ANY ((ARRAY['a'::character varying, 'b''c'::character varying])::text[])))", `(("kind") IN ('a', 'b''c'))`],
    ['CHECK ((qty <> ALL (ARRAY[1, 2])))', '("qty" NOT IN (1, 2))'],
    ['CHECK ((qty = ALL (ARRAY[1, 2])))', null],
    ["CHECK ((s = ANY (ARRAY['a]'::text])))", null],
    // SQLite's own spellings: == is =; IS with a value and a bare NOT NULL are not portable.
    ['CHECK (qty == 1)', '"qty" = 1'],
    ['CHECK (qty IS 0)', null],
    ['CHECK (qty NOT NULL)', null],
    ['CHECK (qty IS NOT NULL AND s IS NOT TRUE)', '"qty" IS NOT NULL AND "s" IS NOT TRUE'],
    ["CHECK ((z ~ '^[0-9]+$'::text))", null],
    ['CHECK (`qty` >= 0 AND `qty` <= 10)', '"qty" >= 0 AND "qty" <= 10'],
    ['CHECK (length(x) < 5)', null],
    ['CHECK ((other > 0))', null],
    ["CHECK (s IN ('a', 'b''c'))", `"s" IN ('a', 'b''c')`],
  ])('%s', (definition, portable) => {
    expect(portableCheck(definition, ['amount', 'mac', 'kind', 'z', 'qty', 'x', 's'])).toBe(portable);
  });

  test('rendered in the target quoting, VALUE as the column', () => {
    expect(renderCheck('((VALUE > 0))', (n) => '`' + n + '`', 'p')).toBe('((`p` > 0))');
    expect(renderCheck('"a b" BETWEEN 1 AND 2', (n) => '[' + n + ']')).toBe('[a b] BETWEEN 1 AND 2');
  });
});

describe('values in their portable forms', () => {
  test('SET as a JSON array; BIT(n) as n digits; PostgreSQL text[] literal of labels', () => {
    expect(setAsJson('read,admin')).toBe('["read","admin"]');
    expect(setAsJson('')).toBe('[]');
    expect(bitsAsDigits('5', 10)).toBe('0000000101');
    expect(bitsAsDigits('18446744073709551615', 64)).toBe('1'.repeat(64));
    // And back, only from exactly n digits (a key bound so compares as the number, not '0011' as eleven).
    expect(digitsAsBits('0011', 4)).toBe(3n);
    expect(digitsAsBits('1'.repeat(64), 64)).toBe(18446744073709551615n);
    expect([digitsAsBits('011', 4), digitsAsBits('0021', 4), digitsAsBits('0011', undefined)]).toEqual([null, null, null]);
    expect(textArrayLiteral('["a","b\\"q\\\\",""]')).toBe('{"a","b\\"q\\\\",""}');
    expect(() => textArrayLiteral('{"a":1}')).toThrow(/not a JSON array/);
  });

  test('GEOMETRY as EWKB: the SRID flag and SRID after the type word, in the WKB byte order; SRID 0 is plain WKB', () => {
    const wkb = Buffer.from('0101000000000000000000f03f0000000000000040', 'hex'); // POINT(1 2), little-endian
    const stored = (srid: number) => Buffer.concat([Buffer.from([srid & 0xff, (srid >> 8) & 0xff, 0, 0]), wkb]);
    expect(geometryAsEwkb(stored(0)).toString('hex')).toBe(wkb.toString('hex'));
    expect(geometryAsEwkb(stored(4326)).toString('hex')).toBe('0101000020e6100000000000000000f03f0000000000000040');
    const big = Buffer.from('00000000013ff00000000000004000000000000000', 'hex'); // the same point, big-endian
    expect(geometryAsEwkb(Buffer.concat([Buffer.from([0xe6, 0x10, 0, 0]), big])).toString('hex')).toBe('0020000001000010e63ff00000000000004000000000000000');
    expect(() => geometryAsEwkb(Buffer.alloc(3))).toThrow(/too short/);
  });

  test('EWKB (PostGIS) as MariaDB stores a geometry: the SRID in front, the WKB without it; the inverse of geometryAsEwkb', () => {
    const wkb = '0101000000000000000000f03f0000000000000040'; // POINT(1 2), little-endian
    expect(ewkbAsGeometry(Buffer.from('0101000020e6100000000000000000f03f0000000000000040', 'hex')).toString('hex')).toBe('e6100000' + wkb);
    expect(ewkbAsGeometry(Buffer.from(wkb, 'hex')).toString('hex')).toBe('00000000' + wkb);
    const big = '00000000013ff00000000000004000000000000000';
    expect(ewkbAsGeometry(Buffer.from('0020000001000010e63ff00000000000004000000000000000', 'hex')).toString('hex')).toBe('e6100000' + big);
    for (const stored of ['e6100000' + wkb, '00000000' + wkb, 'e6100000' + big, '110f0000' + '010300000001000000040000000000000000000000000000000000000000000000000000400000000000000000000000000000004000000000000000000000000000000000']) {
      expect(ewkbAsGeometry(geometryAsEwkb(Buffer.from(stored, 'hex'))).toString('hex')).toBe(stored);
    }
    // Z or M coordinates (the EWKB flags or ISO's 1000s) have no MariaDB form.
    expect(() => ewkbAsGeometry(Buffer.from('0101000080000000000000f03f00000000000000400000000000000840', 'hex'))).toThrow(/Z or M/);
    expect(() => ewkbAsGeometry(Buffer.from('01e9030000000000000000f03f00000000000000400000000000000840', 'hex'))).toThrow(/Z or M/);
    expect(() => ewkbAsGeometry(Buffer.from('7b', 'hex'))).toThrow(/not EWKB/);
  });
});

describe('the plan across dialects', () => {
  const column = (name: string, nativeType: string, type: CanonicalType, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({ name, nativeType, type, nullable: true, default: null, ...extra });
  const table: TableInfo = {
    name: 'zoo',
    columns: [
      column('id', 'integer', { kind: 'int32' }, { nullable: false }),
      column('tags', 'text[]', postgres.toCanonical({ formatted: 'text[]' }), { default: "'{}'::text[]" }),
      column('doc', 'tsvector', postgres.toCanonical({ formatted: 'tsvector' })),
      column('iv', 'interval', postgres.toCanonical({ formatted: 'interval' }), { default: "'1 day'::interval" }),
      column('qty', 'integer', { kind: 'int32' }),
    ],
    primaryKey: ['id'],
    foreignKeys: [],
    uniqueConstraints: [],
    indexes: [
      { name: 'zoo_doc', columns: ['doc'], unique: false },
      { name: 'zoo_qty', columns: ['qty'], unique: false },
    ],
    expressionIndexes: [{ name: 'zoo_lower', columns: [], unique: false, definition: 'USING btree (lower(doc::text))' }],
    checks: [
      { name: 'zoo_qty_check', definition: 'CHECK ((qty >= 0))' },
      { name: 'zoo_doc_check', definition: 'CHECK ((length(doc) > 0))' },
    ],
    rowEstimate: 0,
  };
  const schema: SchemaInfo = { dialect: 'postgresql', schema: 'public', tables: [table] };

  test('no blocker; the lowest confidence is tsvector’s; what is not migrated is said, with why', () => {
    const plan = planMigration(schema, 'mysql', { targetSchema: 'db' });
    expect(plan.blockers).toEqual([]);
    expect(plan.minConfidence).toBe(0.5);
    const t = plan.tables[0];
    expect(t.columns.map((c) => c.targetType)).toEqual(['INT', 'JSON', 'LONGTEXT', 'VARCHAR(100)', 'INT']);
    expect(t.columns[1].note).toMatch(/default '\{\}'::text\[\] is not migrated, because/);
    expect(t.columns[3].note).toMatch(/default '1 day'::interval is not migrated, because the column's values change form/);
    expect(t.source.indexes.map((i) => i.name)).toEqual(['zoo_qty']);
    expect(t.source.expressionIndexes).toBeUndefined();
    expect(t.source.checks).toEqual([{ name: 'zoo_qty_check', definition: 'CHECK ((qty >= 0))', portable: '("qty" >= 0)', targetName: 'zoo_qty_check' }]);
    const notes = (plan.notes ?? []).join('\n');
    expect(notes).toMatch(/index zoo_doc of zoo is not migrated, because mysql cannot index column doc \(LONGTEXT\)/);
    expect(notes).toMatch(/index zoo_lower of zoo is not migrated, because it is an expression index/);
    expect(notes).toMatch(/check zoo_doc_check of zoo is not migrated, because/);
  });

  test('PostgreSQL → PostgreSQL keeps the native types and the source objects untouched', () => {
    const plan = planMigration(schema, 'postgresql', { targetSchema: 'public' });
    expect(plan.tables[0].columns.map((c) => c.targetType)).toEqual(['integer', 'text[]', 'tsvector', 'interval', 'integer']);
    expect(plan.tables[0].source).toBe(table);
    expect(plan.minConfidence).toBe(1);
  });

  test('SQLite indexes any column: only the expression index is left out', () => {
    const plan = planMigration(schema, 'sqlite', { targetSchema: 'main' });
    expect(plan.tables[0].source.indexes.map((i) => i.name)).toEqual(['zoo_doc', 'zoo_qty']);
  });
});

describe('current-time defaults', () => {
  test.each([
    ['now()', 'timestamp'],
    ['CURRENT_TIMESTAMP', 'timestamp'],
    ['current_timestamp()', 'timestamp'],
    ['current_timestamp(3)', 'timestamp'],
    ['(CURRENT_TIMESTAMP)', 'timestamp'],
    ['LOCALTIMESTAMP', 'timestamp'],
    ['CURRENT_DATE', 'date'],
    ['curdate()', 'date'],
    ["'2020-01-01'", null],
    ["nextval('s'::regclass)", null],
    [null, null],
  ])('%s', (expression, what) => {
    expect(currentTimeDefault(expression)).toBe(what);
  });
});
