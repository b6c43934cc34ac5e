/**
 * Oracle's in-database digest (connectors/oracle/validation.ts): the SQL it generates, and the normal form that SQL
 * gives, evaluated by a JavaScript model of the Oracle functions it uses (test/helpers/oracle-sql-model.ts), against
 * the normal form PostgreSQL and MariaDB print for the same canonical values (normalForm below, the form
 * lib/validation/digest.ts documents; test/integration/semantic-normal-form.test.ts and oracle-digest-pg.test.ts check
 * it against the live servers). No Oracle server runs here: the model is Oracle as its documentation describes it.
 */
import { createHash } from 'node:crypto';
import { dialectNamed } from '../../connectors/dialects';
import type { DigestColumn } from '../../connectors/dialect';
import { digestDatabaseRefusal, digestRowBytes, digestSwitchRefusal, oracleFamily } from '../../connectors/oracle/validation';
import { fromCanonical } from '../../connectors/oracle/types';
import { boundsSql, inDatabaseRefusal, pairHashesRows, rangeDigestSql, rangeDigestsSql, rangeRowsRead, rangeRowsSql, rowSql, valueSql, type DigestTable } from '../../lib/validation/digest';
import type { Place } from '../../lib/validation/sql';
import type { CanonicalType, ColumnInfo, TablePlan } from '../../lib/types';
import { evaluate, num, ts, type OValue } from '../helpers/oracle-sql-model';
import { CASES, dec, int32, normalForm, type Case } from '../helpers/oracle-digest-cases';

const ora: Place = { dialect: 'oracle', schema: 'CHINOOK' };
const pg: Place = { dialect: 'postgresql', schema: 'public' };
const my: Place = { dialect: 'mysql', schema: 'db' };

const column = (c: Case, name = 'c'): DigestColumn => ({ name, type: c.type, native: c.native });
const field = (c: Case, value: OValue): OValue => {
  const digest = dialectNamed('oracle').validation?.digest;
  if (!digest?.field) throw new Error('Oracle has no digest field');
  return evaluate(digest.field(valueSql(ora, column(c)), '"c"'), { c: value });
};

describe('the normal form of each Oracle type, as the generated SQL gives it, equals PostgreSQL and MariaDB’s', () => {
  test.each(CASES.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    // An empty field ('' of an empty BLOB) is NULL in Oracle: a row concatenates it as nothing, as '' elsewhere.
    expect(field(c, c.oracle) ?? '').toBe(normalForm(c.canonical, c.type, c.bc));
    // NULL is ~ whatever the type.
    expect(field(c, null)).toBe('~');
  });

  test('the JavaScript normal form is the one PostgreSQL and MariaDB print (semantic-normal-form.test.ts, row 1)', () => {
    expect(normalForm('1.50', dec)).toBe('1.5');
    expect(normalForm('2021-06-01 12:00:00.5', { kind: 'timestamptz' })).toBe('2021-06-01 12:00:00.500000');
    expect(normalForm('ab   ', { kind: 'char' })).toBe('2:ab');
    expect(normalForm('héllo 🌍 ✓', { kind: 'text' })).toBe('15:héllo 🌍 ✓');
    expect(normalForm('23:59:59.999999', { kind: 'time' })).toBe('23:59:59.999999');
    expect(normalForm(Buffer.alloc(0), { kind: 'binary' })).toBe('');
    // Years BC as PostgreSQL's digest prints them, in ISO 8601 (44 BC is -0043, 1 BC is 0000).
    expect(normalForm('0044-03-15 01:02:03', { kind: 'timestamp' }, true)).toBe('-0043-03-15 01:02:03.000000');
    expect(normalForm('0044-03-15 01:02:03.5', { kind: 'timestamp' }, true)).toBe('-0043-03-15 01:02:03.500000');
    expect(normalForm('0001-12-31 23:59:59', { kind: 'timestamp' }, true)).toBe('0000-12-31 23:59:59.000000');
    expect(normalForm('0044-03-15', { kind: 'date' }, true)).toBe('-0043-03-15');
  });

  test("what the copy changes, the form shows too: '' arrives in Oracle as NULL (the worker reports that row as well)", () => {
    const text: Case = { what: '', type: { kind: 'text' }, native: 'CLOB', oracle: null, canonical: '' };
    expect(normalForm('', { kind: 'text' })).toBe('0:');
    expect(field(text, null)).toBe('~');
  });
});

/** PostgreSQL's semantic-normal-form table after a PostgreSQL → Oracle copy (the types Oracle's fromCanonical chooses). */
const NF: { name: string; type: CanonicalType }[] = [
  { name: 'id', type: { kind: 'int32' } },
  { name: 'd', type: { kind: 'decimal', precision: 10, scale: 2 } },
  { name: 'ts', type: { kind: 'timestamp', precision: 6 } },
  { name: 'tstz', type: { kind: 'timestamptz', precision: 6 } },
  { name: 'b', type: { kind: 'boolean' } },
  { name: 't', type: { kind: 'text' } },
  { name: 'v', type: { kind: 'varchar', length: 20 } },
  { name: 'c', type: { kind: 'char', length: 5 } },
  { name: 'bin', type: { kind: 'binary' } },
  { name: 'dt', type: { kind: 'date' } },
  { name: 'tm', type: { kind: 'time', precision: 6 } },
  { name: 'u', type: { kind: 'uuid' } },
  { name: 'e', type: { kind: 'timestamptz', precision: 6 } },
];
const nfTable: DigestTable = { table: 'nf', key: ['id'], columns: NF.map((c) => ({ name: c.name, type: c.type, native: fromCanonical(c.type).sql })) };

describe('a whole row and a range digest', () => {
  // Row 1 of test/integration/semantic-normal-form.test.ts, with v = 'x' (an empty text would arrive as NULL).
  const oracleRow: Record<string, OValue> = {
    id: num('1'),
    d: num('1.5'),
    ts: ts('2020-01-02 03:04:05.000006'),
    tstz: ts('2020-01-02 03:04:05.123456', { offset: 0 }),
    b: num('1'),
    t: { t: 'clob', v: 'héllo 🌍 ✓' },
    v: 'x',
    c: 'ab   ',
    bin: { t: 'blob', v: Buffer.from('00ff', 'hex') },
    dt: ts('2020-02-29', { date: true }),
    tm: '23:59:59.999999',
    u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    e: ts('2021-06-01 12:00:00.5', { offset: 0 }),
  };
  const nullRow: Record<string, OValue> = Object.fromEntries(NF.map((c) => [c.name, c.name === 'id' ? num('2') : null]));
  // As PostgreSQL printed them (semantic-normal-form.test.ts expects a[0] and a[1]), v changed to 'x'.
  const PG_ROW_1 = '1|1.5|2020-01-02 03:04:05.000006|2020-01-02 03:04:05.123456|1|15:héllo 🌍 ✓|1:x|2:ab|00ff|2020-02-29|23:59:59.999999|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|2021-06-01 12:00:00.500000';
  const PG_ROW_2 = '2|~|~|~|~|~|~|~|~|~|~|~|~';

  test('the target types are the ones Oracle creates for them', () => {
    expect(nfTable.columns.map((c) => c.native)).toEqual([
      'NUMBER(10)',
      'NUMBER(10,2)',
      'TIMESTAMP(6)',
      'TIMESTAMP(6) WITH TIME ZONE',
      'NUMBER(1)',
      'CLOB',
      'VARCHAR2(20 CHAR)',
      'CHAR(5 CHAR)',
      'BLOB',
      'DATE',
      'VARCHAR2(15 CHAR)',
      'VARCHAR2(36 CHAR)',
      'TIMESTAMP(6) WITH TIME ZONE',
    ]);
  });

  test("rowSql gives PostgreSQL's row text, and md5 over the rows is PostgreSQL's md5(string_agg(…, '\\n'))", () => {
    const sql = rowSql(ora, nfTable.columns);
    expect(evaluate(sql, oracleRow)).toBe(PG_ROW_1);
    expect(evaluate(sql, nullRow)).toBe(PG_ROW_2);
    // An empty BLOB and an all-blank CHAR between other fields: '' and '0:', as PostgreSQL's empty bytea and CHAR.
    expect(evaluate(sql, { ...oracleRow, bin: { t: 'blob', v: Buffer.alloc(0) }, c: '     ' })).toBe(PG_ROW_1.replace('|2:ab|00ff|', '|0:||'));
    const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
    expect(md5([evaluate(sql, oracleRow), evaluate(sql, nullRow)].join('\n'))).toBe(md5(`${PG_ROW_1}\n${PG_ROW_2}`));
  });

  test("with rows hashed (a pair with Oracle), each row is PostgreSQL's md5(row) and MariaDB's MD5(row)", () => {
    expect(pairHashesRows(ora, pg)).toBe(true);
    expect(pairHashesRows(my, ora)).toBe(true);
    expect(pairHashesRows(pg, my)).toBe(false);
    const digest = dialectNamed('oracle').validation?.digest;
    const hashed = digest?.rowHash(rowSql(ora, nfTable.columns)) ?? '';
    const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
    expect(evaluate(hashed, oracleRow)).toBe(md5(PG_ROW_1));
    expect(evaluate(hashed, nullRow)).toBe(md5(PG_ROW_2));
    expect(dialectNamed('postgresql').validation?.digest?.rowHash('r')).toBe('md5(r)');
    expect(dialectNamed('mysql').validation?.digest?.rowHash('r')).toBe('MD5(r)');
    // The range statements aggregate the hashes, behind the same row bound.
    const sql = rangeDigestSql(ora, nfTable, 0n, 10n, true);
    expect(sql).toContain(`THEN LOWER(RAWTOHEX(STANDARD_HASH(${rowSql(ora, nfTable.columns)}, 'MD5'))) END AS "~row"`);
    expect(rangeDigestsSql(pg, { ...nfTable, columns: nfTable.columns.map((c) => ({ ...c, native: 'text' })) }, 0n, 10n, 5n, true)).toContain("string_agg(md5(concat_ws('|',");
  });

  test('the row bound: measured for the LOBs, and never below the row text it guards', () => {
    const bound = digestRowBytes(nfTable.columns.map((c) => ({ quoted: `"${c.name}"`, native: c.native, type: c.type })));
    expect(bound).toMatch(/DBMS_LOB\.GETLENGTH\("t"\), 0\) \* 3/);
    expect(bound).toMatch(/DBMS_LOB\.GETLENGTH\("bin"\), 0\) \* 2/);
    const b = evaluate(bound as string, oracleRow) as { v: string };
    expect(Number(b.v)).toBeGreaterThanOrEqual(Buffer.byteLength(PG_ROW_1));
    expect(Number(b.v)).toBeLessThan(4000);
    // A CLOB of 1,400 characters is past the bound: that row is compared in the worker, not rendered.
    const long = evaluate(bound as string, { ...oracleRow, t: { t: 'clob', v: 'x'.repeat(1400) } }) as { v: string };
    expect(Number(long.v)).toBeGreaterThan(4000);
  });

  test('no bound where declared types keep every row short; measured text where they do not; a scientific NUMBER is past it', () => {
    expect(digestRowBytes([{ quoted: '"ID"', native: 'NUMBER(10)' }, { quoted: '"NAME"', native: 'VARCHAR2(120 BYTE)' }, { quoted: '"AT"', native: 'DATE' }])).toBeUndefined();
    const wide = digestRowBytes([{ quoted: '"A"', native: 'VARCHAR2(4000 BYTE)' }, { quoted: '"B"', native: 'VARCHAR2(4000 BYTE)' }]) as string;
    expect(wide).toBe('(26 + NVL(LENGTHB("A"), 0) + NVL(LENGTHB("B"), 0))');
    const n = digestRowBytes([{ quoted: '"N"', native: 'NUMBER', type: { kind: 'decimal' } }]) as string;
    expect(Number((evaluate(n, { N: num('1' + '0'.repeat(70)) }) as { v: string }).v)).toBeGreaterThan(4000);
    expect(Number((evaluate(n, { N: num('-0.5') }) as { v: string }).v)).toBeLessThan(4000);
    // NUMBER(10,2) never prints in scientific notation.
    expect(digestRowBytes([{ quoted: '"N"', native: 'NUMBER(10,2)', type: dec }])).toBeUndefined();
  });
});

describe('the statements', () => {
  const table: DigestTable = {
    table: 'Track',
    key: ['TrackId', 'Name'],
    columns: [
      { name: 'TrackId', type: { kind: 'int32' }, native: 'NUMBER(10)' },
      { name: 'Name', type: { kind: 'varchar', length: 200 }, native: 'VARCHAR2(200 CHAR)' },
      { name: 'Notes', type: { kind: 'text' }, native: 'CLOB' },
    ],
  };

  test('one range: count, md5 of LISTAGG in key order (text parts in binary order), cut when a row or the total is too long', () => {
    const sql = rangeDigestSql(ora, table, 0n, 100n);
    expect(sql).toBe(
      'SELECT COUNT(*), CASE WHEN COUNT("~row") = COUNT(*) THEN LOWER(RAWTOHEX(STANDARD_HASH(' +
        'LISTAGG("~row", CHR(10) ON OVERFLOW TRUNCATE WITHOUT COUNT) WITHIN GROUP (ORDER BY "TrackId", TO_CHAR("Name")), \'MD5\'))) END, ' +
        'CASE WHEN COUNT("~row") < COUNT(*) OR SUM(LENGTHB("~row")) + COUNT(*) - 1 > 4000 THEN 1 ELSE 0 END ' +
        `FROM (SELECT "TrackId", "Name", CASE WHEN ${digestRowBytes(table.columns.map((c) => ({ quoted: `"${c.name}"`, native: c.native, type: c.type })))} <= 4000 THEN ${rowSql(ora, table.columns)} END AS "~row" ` +
        'FROM "CHINOOK"."Track" WHERE "TrackId" >= 0 AND "TrackId" < 100)',
    );
  });

  test('sub-ranges: grouped by the repeated expression (Oracle has no GROUP BY position), with the cut as a fourth column', () => {
    const sql = rangeDigestsSql(ora, table, 1000n, 2000n, 250n);
    expect(sql).toMatch(/^SELECT FLOOR\(\("TrackId" - 1000\) \/ 250\) AS s, COUNT\(\*\), CASE WHEN COUNT\("~row"\) = COUNT\(\*\) THEN /);
    expect(sql).toMatch(/ GROUP BY FLOOR\(\("TrackId" - 1000\) \/ 250\)$/);
    expect(sql).not.toMatch(/GROUP BY 1/);
    expect(sql).toContain('THEN 1 ELSE 0 END FROM (SELECT "TrackId", "Name", CASE WHEN');
  });

  test('bounds as text; the session; one grouped query per window', () => {
    expect(boundsSql(ora, table)).toBe('SELECT TO_CHAR(MIN("TrackId")), TO_CHAR(MAX("TrackId")), COUNT(*) FROM "CHINOOK"."Track"');
    const digest = dialectNamed('oracle').validation?.digest;
    expect(digest?.session).toEqual([
      "ALTER SESSION SET TIME_ZONE = '+00:00'",
      "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,'",
      "ALTER SESSION SET NLS_SORT = 'BINARY'",
      "ALTER SESSION SET NLS_COMP = 'BINARY'",
      "ALTER SESSION SET NLS_CALENDAR = 'GREGORIAN'",
    ]);
    expect(digest?.windowBySubRange).toBe(false);
  });

  test('the rows of a differing range are read as the copy reads them, with ISO 8601 years', () => {
    const dated: DigestTable = {
      table: 'T',
      key: ['ID'],
      columns: [
        { name: 'ID', type: int32, native: 'NUMBER(10)' },
        { name: 'AT', type: { kind: 'timestamp', precision: 0 }, native: 'DATE' },
        { name: 'SPAN', type: { kind: 'varchar', length: 32 }, native: 'INTERVAL DAY(2) TO SECOND(6)' },
      ],
    };
    expect(rangeRowsSql(ora, dated, 0n, 10n)).toBe(
      `SELECT "ID", LTRIM(TO_CHAR("AT", 'SYYYY-MM-DD HH24:MI:SS')), TO_CHAR("SPAN") FROM "CHINOOK"."T" WHERE "ID" >= 0 AND "ID" < 10 ORDER BY "ID"`,
    );
    expect(rangeRowsRead(ora, dated, [['1', '-0044-03-15 00:00:00', '+01 00:00:00.000000']])).toEqual([['1', '-0043-03-15 00:00:00', '+01 00:00:00.000000']]);
    // Other dialects read their rows as they are.
    const rows = [['1', 'x']];
    expect(rangeRowsRead(pg, { ...dated, columns: dated.columns.slice(0, 2) }, rows)).toBe(rows);
  });
});

describe('what is refused, and why (the table is then hashed in the worker)', () => {
  const col = (name: string, type: CanonicalType, native: string): ColumnInfo => ({ name, nativeType: native, type, nullable: true, default: null });
  const plan = (columns: ColumnInfo[], targetTypes: string[], key = ['ID']): TablePlan => ({
    source: { name: 'T', columns, primaryKey: key, foreignKeys: [], uniqueConstraints: [], indexes: [], rowEstimate: 0 },
    target: 't',
    columns: columns.map((c, i) => ({ id: `T.${c.name}`, table: 'T', column: c.name, sourceType: c.nativeType, canonical: c.type, targetType: targetTypes[i], nullable: true, confidence: 1 })),
    keyColumns: key,
    copyMode: 'keyset',
  });
  const id = col('ID', { kind: 'int32' }, 'NUMBER(10)');

  test('Oracle to PostgreSQL and MariaDB, and PostgreSQL to Oracle: digested', () => {
    const p = plan([id, col('NAME', { kind: 'varchar', length: 120 }, 'NVARCHAR2(120)'), col('AT', { kind: 'timestamp', precision: 0 }, 'DATE'), col('N', { kind: 'decimal' }, 'NUMBER')], ['integer', 'varchar(120)', 'timestamp(0)', 'numeric']);
    expect(inDatabaseRefusal(p, ora, pg)).toBeNull();
    expect(inDatabaseRefusal(plan(p.source.columns, ['INT', 'VARCHAR(120)', 'DATETIME', 'DECIMAL(65,30)']), ora, my)).toBeNull();
    const fromPg = plan([col('ID', { kind: 'int64' }, 'bigint'), col('B', { kind: 'boolean' }, 'boolean'), col('U', { kind: 'uuid' }, 'uuid')], ['NUMBER(19)', 'NUMBER(1)', 'VARCHAR2(36 CHAR)']);
    expect(inDatabaseRefusal(fromPg, pg, ora)).toBeNull();
  });

  test('floats, JSON and the rest as for every dialect; LONG, BOOLEAN, JSON, a decimal edited into text or a float: by Oracle', () => {
    expect(inDatabaseRefusal(plan([id, col('F', { kind: 'float64' }, 'BINARY_DOUBLE')], ['integer', 'double precision']), ora, pg)).toBe('column F (float64) has no cross-dialect normal form in SQL');
    expect(inDatabaseRefusal(plan([id, col('L', { kind: 'text' }, 'LONG')], ['integer', 'text']), ora, pg)).toBe('column L on the source: Oracle LONG has no normal form in SQL here');
    expect(inDatabaseRefusal(plan([col('ID', { kind: 'int32' }, 'integer'), col('B', { kind: 'boolean' }, 'boolean')], ['NUMBER(10)', 'BOOLEAN']), pg, ora)).toBe(
      'column B on the target: Oracle BOOLEAN has no normal form in SQL here',
    );
    expect(inDatabaseRefusal(plan([col('ID', { kind: 'int32' }, 'integer'), col('D', dec, 'numeric(10,2)')], ['NUMBER(10)', 'VARCHAR2(20 CHAR)']), pg, ora)).toBe(
      'column D on the target: a decimal held as Oracle VARCHAR2(20 CHAR) has no normal form in SQL here',
    );
    expect(inDatabaseRefusal(plan([col('ID', { kind: 'int32' }, 'integer'), col('D', dec, 'numeric(10,2)')], ['NUMBER(10)', 'BINARY_DOUBLE']), pg, ora)).toBe(
      'column D on the target: Oracle BINARY_DOUBLE has no normal form in SQL here',
    );
  });

  test('the families the digest reads native types as', () => {
    expect(['NUMBER(*,2)', 'float(63)', 'VARCHAR2(10 CHAR)', 'char(2)', 'nvarchar2(5)', 'NCLOB', 'RAW(2000)', 'TIMESTAMP(9) WITH LOCAL TIME ZONE', 'INTERVAL YEAR(4) TO MONTH', 'LONG RAW', 'XMLTYPE'].map(oracleFamily)).toEqual([
      'number',
      'number',
      'text',
      'text',
      'ntext',
      'nclob',
      'raw',
      'timestampltz',
      'interval',
      'other',
      'other',
    ]);
  });

  test('a database that is not AL32UTF8, a server before 12.2, or the switch turned off: every table in the worker', () => {
    expect(digestDatabaseRefusal({ charset: 'AL32UTF8', version: '19.0.0.0.0' })).toBeNull();
    expect(digestDatabaseRefusal({ charset: 'AL32UTF8', version: '12.2.0.1.0' })).toBeNull();
    expect(digestDatabaseRefusal({ charset: 'WE8MSWIN1252', version: '19.0.0.0.0' })).toBe('the Oracle database character set is WE8MSWIN1252, not AL32UTF8');
    expect(digestDatabaseRefusal({ charset: 'UTF8', version: '19.0.0.0.0' })).toBe('the Oracle database character set is UTF8, not AL32UTF8');
    expect(digestDatabaseRefusal({ charset: 'AL32UTF8', version: '12.1.0.2.0' })).toBe('Oracle 12.1.0.2.0 has no LISTAGG … ON OVERFLOW (12.2 and later)');
    // Off unless asked for (never checked against a live server); the switch is asked before any session opens.
    expect(digestSwitchRefusal({ SENSEI_ORACLE_IN_DATABASE_DIGEST: 'off' })).toMatch(/is off/);
    expect(digestSwitchRefusal({})).toMatch(/never checked against a live server/);
    expect(digestSwitchRefusal({ SENSEI_ORACLE_IN_DATABASE_DIGEST: 'on' })).toBeNull();
    expect(dialectNamed('oracle').validation?.digest?.off).toBe(digestSwitchRefusal);
    expect(dialectNamed('oracle').validation?.digest?.encodingCheck?.sql).toBe(
      "SELECT MAX(CASE WHEN parameter = 'NLS_CHARACTERSET' THEN value END) AS charset, MAX(CASE WHEN parameter = 'NLS_RDBMS_VERSION' THEN value END) AS version FROM nls_database_parameters",
    );
  });
});
