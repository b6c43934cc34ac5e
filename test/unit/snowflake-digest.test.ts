/**
 * Snowflake's in-database digest (connectors/snowflake/validation.ts): the SQL it generates, and the normal form that
 * SQL gives, evaluated by a JavaScript model of the Snowflake functions it uses (test/helpers/snowflake-sql-model.ts),
 * against the normal form PostgreSQL and MariaDB print for the same canonical values (test/helpers/normal-form.ts).
 * No Snowflake account is reachable here: the model is Snowflake as its documentation describes it.
 */
import { createHash } from 'node:crypto';
import { dialectNamed } from '../../connectors/dialects';
import type { DigestColumn } from '../../connectors/dialect';
import { fromCanonical } from '../../connectors/snowflake/types';
import { digestAccountRefusal, digestRefusal, digestRowBytes, DIGEST_TEXT_BYTES } from '../../connectors/snowflake/validation';
import type { CanonicalType, TablePlan } from '../../lib/types';
import { boundsSql, inDatabaseRefusal, pairHashesRows, rangeDigestSql, rangeDigestsSql, rowSql, valueSql, type DigestTable } from '../../lib/validation/digest';
import type { Place } from '../../lib/validation/sql';
import { normalForm } from '../helpers/normal-form';
import { CASES, type SnowflakeCase } from '../helpers/snowflake-digest-cases';
import { dt, evaluate, num, type SValue } from '../helpers/snowflake-sql-model';

const sf: Place = { dialect: 'snowflake', schema: 'PUBLIC' };
const pg: Place = { dialect: 'postgresql', schema: 'public' };

const column = (c: SnowflakeCase, name = 'c'): DigestColumn => ({ name, type: c.type, native: c.native });
/** One field of a row as the generated SQL gives it: the value, or ~ for NULL. */
const field = (c: SnowflakeCase, value: SValue, leadingZero = true) => evaluate(rowSql(sf, [column(c)]), { c: value }, { leadingZero });

describe('the normal form of each Snowflake type, as the generated SQL gives it, equals PostgreSQL and MariaDB’s', () => {
  test.each(CASES.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    expect(field(c, c.snowflake)).toBe(normalForm(c.canonical, c.type));
    // Whether or not TO_VARCHAR prints a zero before the point ('0.50' or '.50'), the form is the same.
    expect(field(c, c.snowflake, false)).toBe(normalForm(c.canonical, c.type));
    expect(field(c, null)).toBe('~');
  });

  test('each case is of the type the copy creates for its canonical type, or one a Snowflake source holds (nine digits, NUMBER(38,s), _LTZ)', () => {
    for (const c of CASES) {
      expect({ what: c.what, refusal: digestRefusal(column(c)) }).toEqual({ what: c.what, refusal: null });
      if (!/\(9\)|NUMBER\(38,|_LTZ/.test(c.native)) expect({ what: c.what, native: fromCanonical(c.type).sql }).toEqual({ what: c.what, native: c.native });
    }
  });

  test('a changed value changes the form: one cent, one microsecond, one byte, a trailing space kept in text', () => {
    const dec = CASES.find((c) => c.what === 'decimal 1.50') as SnowflakeCase;
    expect(field(dec, num('1.51', 2))).not.toBe(field(dec, dec.snowflake));
    const ts = CASES.find((c) => c.what === 'timestamp') as SnowflakeCase;
    expect(field(ts, dt('ntz', '2020-01-02 03:04:05.000007'))).not.toBe(field(ts, ts.snowflake));
    const bin = CASES.find((c) => c.what === 'binary') as SnowflakeCase;
    expect(field(bin, Buffer.from('00ff11', 'hex'))).not.toBe(field(bin, bin.snowflake));
    const text = CASES.find((c) => c.what === 'text, multi-byte') as SnowflakeCase;
    expect(field(text, 'héllo 🌍 ✓ ')).toBe('16:héllo 🌍 ✓ ');
    // '' and NULL differ.
    expect(field(text, '')).toBe('0:');
  });
});

describe('what it refuses: the table is then hashed in the worker', () => {
  test.each<[string, CanonicalType, string, RegExp]>([
    ['a float', { kind: 'float64' }, 'FLOAT', /FLOAT/],
    ['JSON as VARIANT', { kind: 'json' }, 'VARIANT', /VARIANT has no normal form/],
    ['a geography', { kind: 'json' }, 'GEOGRAPHY', /GEOGRAPHY has no normal form/],
    ['a decimal held as FLOAT', { kind: 'decimal', precision: 10, scale: 2 }, 'FLOAT', /Snowflake FLOAT has no normal form/],
    ['a date kept as text', { kind: 'date', keptAsText: true }, 'VARCHAR(10)', /date held as Snowflake VARCHAR/],
    ['an integer held as text', { kind: 'int32' }, 'VARCHAR(11)', /int32 held as Snowflake VARCHAR/],
    ['a timestamp held as TIMESTAMP_TZ', { kind: 'timestamp' }, 'TIMESTAMP_TZ(6)', /timestamp held as Snowflake TIMESTAMP_TZ/],
  ])('%s', (_what, type, native, reason) => {
    expect(digestRefusal({ name: 'c', type, native })).toMatch(reason);
    expect(() => valueSql(sf, { name: 'c', type, native })).toThrow(/no SQL normal form/);
  });
});

/** A PostgreSQL → Snowflake table: the source's types on one side, the ones the copy creates on the other. */
const NF: { name: string; type: CanonicalType }[] = [
  { name: 'id', type: { kind: 'int32' } },
  { name: 'd', type: { kind: 'decimal', precision: 10, scale: 2 } },
  { name: 'ts', type: { kind: 'timestamp', precision: 6 } },
  { name: 'tstz', type: { kind: 'timestamptz', precision: 6 } },
  { name: 'b', type: { kind: 'boolean' } },
  { name: 't', type: { kind: 'text' } },
  { name: 'c', type: { kind: 'char', length: 5 } },
  { name: 'bin', type: { kind: 'binary' } },
  { name: 'dt', type: { kind: 'date' } },
  { name: 'tm', type: { kind: 'time', precision: 6 } },
  { name: 'u', type: { kind: 'uuid' } },
];
const nfTable: DigestTable = { table: 'nf', key: ['id'], columns: NF.map((c) => ({ name: c.name, type: c.type, native: fromCanonical(c.type).sql })) };
const row: Record<string, SValue> = {
  id: num('1'),
  d: num('1.50', 2),
  ts: dt('ntz', '2020-01-02 03:04:05.000006'),
  tstz: dt('tz', '2020-01-02 03:04:05.123456', 0),
  b: true,
  t: '',
  c: 'ab   ',
  bin: Buffer.from('00ff', 'hex'),
  dt: dt('date', '2020-02-29'),
  tm: dt('time', '23:59:59.999999'),
  u: null,
};
/** The same row's normal form as PostgreSQL prints it (fields joined by |). */
const pgForm = [
  '1',
  '1.5',
  '2020-01-02 03:04:05.000006',
  '2020-01-02 03:04:05.123456',
  '1',
  '0:',
  '2:ab',
  '00ff',
  '2020-02-29',
  '23:59:59.999999',
  '~',
].join('|');

describe('a whole row and a range digest', () => {
  test("a row's normal form and its md5 are PostgreSQL's", () => {
    expect(evaluate(rowSql(sf, nfTable.columns), row)).toBe(pgForm);
    const hash = dialectNamed('snowflake').validation?.digest?.rowHash(rowSql(sf, nfTable.columns)) as string;
    expect(evaluate(hash, row)).toBe(createHash('md5').update(pgForm, 'utf8').digest('hex'));
  });

  test('a pair with Snowflake digests md5s of rows, on both sides', () => {
    expect(pairHashesRows(pg, sf)).toBe(true);
    expect(pairHashesRows(sf, pg)).toBe(true);
    expect(rangeDigestsSql(pg, { ...nfTable, columns: nfTable.columns.map((c) => ({ ...c, native: 'text' })) }, 0n, 100n, 10n, true)).toContain('md5(concat_ws(');
  });

  test('the range SQL: MD5 of LISTAGG in key order, sub-ranges by exact integer arithmetic, a cut flag', () => {
    const grouped = rangeDigestsSql(sf, nfTable, 1000n, 2000n, 100n, true);
    expect(grouped).toMatch(/^SELECT \(\(\("id" - 1000\) - MOD\(\("id" - 1000\), 100\)\) \/ 100\)::NUMBER\(38,0\) AS s, COUNT\(\*\), /);
    expect(grouped).toContain(`CASE WHEN COUNT("~row") = COUNT(*) THEN MD5(LISTAGG("~row", CHR(10)) WITHIN GROUP (ORDER BY "id")) END`);
    expect(grouped).toContain(`CASE WHEN COUNT("~row") < COUNT(*) THEN 1 ELSE 0 END`);
    expect(grouped).toMatch(/FROM \(SELECT "id", CASE WHEN \(.*\) <= 16777216 THEN MD5\(.*\) END AS "~row" FROM "PUBLIC"\."nf" WHERE "id" >= 1000 AND "id" < 2000\) GROUP BY 1$/);
    const one = rangeDigestSql(sf, nfTable, 1000n, 2000n, true);
    expect(one).toMatch(/^SELECT COUNT\(\*\), CASE WHEN COUNT\("~row"\) = COUNT\(\*\) THEN MD5\(LISTAGG/);
    expect(boundsSql(sf, nfTable)).toBe('SELECT TO_VARCHAR(MIN("id")), TO_VARCHAR(MAX("id")), COUNT(*) FROM "PUBLIC"."nf"');
  });

  test('text key parts are ordered by their UTF-8 bytes', () => {
    const t: DigestTable = { table: 'k', key: ['id', 'name'], columns: [{ name: 'id', type: { kind: 'int32' }, native: 'NUMBER(10,0)' }, { name: 'name', type: { kind: 'varchar', length: 10 }, native: 'VARCHAR(10)' }] };
    expect(rangeDigestSql(sf, t, 0n, 10n, true)).toContain(`WITHIN GROUP (ORDER BY "id", TO_BINARY("name", 'UTF-8'))`);
  });
});

describe("a row's bound in bytes (rows past 16 MiB are not rendered: the range is cut and compared in the worker)", () => {
  const bound = (columns: { name: string; native: string }[], values: Record<string, SValue>) => {
    const sql = digestRowBytes(columns.map((c) => ({ quoted: `"${c.name}"`, native: c.native })));
    return sql === undefined ? undefined : Number((evaluate(sql, values) as { v: string }).v);
  };

  test('none when the declared types keep every row short', () => {
    expect(digestRowBytes([{ quoted: '"a"', native: 'NUMBER(10,0)' }, { quoted: '"b"', native: 'VARCHAR(40)' }, { quoted: '"c"', native: 'TIMESTAMP_TZ(6)' }])).toBeUndefined();
  });

  test('a text or binary without a declared length is measured, and the bound is never below the row text', () => {
    const columns = [{ name: 'id', native: 'NUMBER(10,0)' }, { name: 't', native: 'VARCHAR' }, { name: 'b', native: 'BINARY' }, { name: 'v', native: 'VARCHAR(10)' }];
    const values: Record<string, SValue> = { id: num('-2147483648'), t: '🌍'.repeat(1000), b: Buffer.alloc(3000, 7), v: 'ééééééééé' };
    const table: DigestColumn[] = [
      { name: 'id', type: { kind: 'int32' }, native: 'NUMBER(10,0)' },
      { name: 't', type: { kind: 'text' }, native: 'VARCHAR' },
      { name: 'b', type: { kind: 'binary' }, native: 'BINARY' },
      { name: 'v', type: { kind: 'varchar', length: 10 }, native: 'VARCHAR(10)' },
    ];
    const text = evaluate(rowSql(sf, table), values) as string;
    const b = bound(columns, values) as number;
    expect(b).toBeGreaterThanOrEqual(Buffer.byteLength(text, 'utf8'));
    // Measured, not declared: far below 16 MiB for this row.
    expect(b).toBeLessThan(20_000);
  });

  test('declared lengths that together pass the limit: every text and binary measured', () => {
    const wide = Array.from({ length: 3 }, (_, i) => ({ name: `c${i}`, native: 'VARCHAR(16777216)' }));
    expect(bound(wide, { c0: 'a', c1: '', c2: null })).toBeLessThan(100);
    expect(bound(wide, { c0: 'a'.repeat(DIGEST_TEXT_BYTES), c1: '', c2: null })).toBeGreaterThan(DIGEST_TEXT_BYTES);
  });
});

describe('off until a live account has shown the same bytes', () => {
  test('the switch refuses unless SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST is on', () => {
    expect(digestAccountRefusal({})).toMatch(/off \(never checked against a live account; SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST=on turns it on\)/);
    expect(digestAccountRefusal({ SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST: 'off' })).not.toBeNull();
    expect(digestAccountRefusal({ SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST: 'on' })).toBeNull();
    expect(dialectNamed('snowflake').capabilities.inDatabaseDigest).toBe(true);
    // Asked before any session is opened: no login to an account whose digest would not be used.
    expect(dialectNamed('snowflake').validation?.digest?.off).toBe(digestAccountRefusal);
    expect(dialectNamed('snowflake').validation?.digest?.encodingCheck).toBeUndefined();
  });

  test('a PostgreSQL → Snowflake table of these types may be digested in the databases (when the switch is on)', () => {
    const plan = {
      keyColumns: ['id'],
      copyMode: 'keyset',
      source: { name: 'nf', columns: NF.map((c) => ({ name: c.name, type: c.type })) },
      target: 'nf',
      columns: NF.map((c) => ({ column: c.name, canonical: c.type, sourceType: 'text', targetType: fromCanonical(c.type).sql })),
    } as unknown as TablePlan;
    expect(inDatabaseRefusal(plan, pg, sf)).toBeNull();
    const floating = { ...plan, columns: [...plan.columns, { column: 'f', canonical: { kind: 'float64' }, sourceType: 'double precision', targetType: 'FLOAT' }] } as unknown as TablePlan;
    expect(inDatabaseRefusal(floating, pg, sf)).toMatch(/column f \(float64\)/);
  });
});
