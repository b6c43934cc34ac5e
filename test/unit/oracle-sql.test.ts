/** The statements the Oracle connector and the validation tiers send to Oracle (connectors/oracle/sql.ts, lib/validation/sql.ts). */
import { redactConnectionString } from '../../connectors/endpoint';
import { afterCondition, bindExpression, bindValue, chunkWrite, firstRowsClause, fromOracleYear, keysetRead, readExpression, restartIdentitySql, toOracleYear, withIsoYears } from '../../connectors/oracle/sql';
import { defaultOracleSchema, parseOracleUrl } from '../../connectors/oracle/url';
import { ConnectorError } from '../../connectors/types';
import type { CanonicalType } from '../../lib/types';
import { SESSION_SETTINGS } from '../../connectors/oracle/sql';
import { NLS_TIMESTAMP_TZ_FORMAT } from '../../connectors/oracle/years';
import { compareStatistics, resultRowTexts } from '../../lib/validation/compare';
import { duplicateKeysSql, generatedSuite, orphanSampleSql, readResultRows, readStatistics, statisticsSql, type StatColumn } from '../../lib/validation/sql';
import { canonicalValueText } from '../../lib/values';

const int: CanonicalType = { kind: 'decimal' };
const text: CanonicalType = { kind: 'varchar', length: 40 };

describe('keyset reads', () => {
  const spec = { table: '"CHINOOK"."TRACK"', columns: ['TRACKID', 'NAME', 'SOLD'], nativeTypes: ['NUMBER', 'VARCHAR2(200 BYTE)', 'DATE'], keyColumns: ['TRACKID'], keyTypes: [int] };

  test('the first page: no condition, ordered by the key, FETCH FIRST', () => {
    expect(keysetRead(spec, null, 500)).toEqual({
      sql: `SELECT "TRACKID", "NAME", LTRIM(TO_CHAR("SOLD", 'SYYYY-MM-DD HH24:MI:SS')) FROM "CHINOOK"."TRACK" ORDER BY "TRACKID" FETCH FIRST 500 ROWS ONLY`,
      params: [],
    });
  });

  test('the next page binds the last key (no value in the text)', () => {
    const { sql, params } = keysetRead(spec, ['3503'], 500);
    expect(sql).toBe(`SELECT "TRACKID", "NAME", LTRIM(TO_CHAR("SOLD", 'SYYYY-MM-DD HH24:MI:SS')) FROM "CHINOOK"."TRACK" WHERE "TRACKID" > TO_NUMBER(:1) ORDER BY "TRACKID" FETCH FIRST 500 ROWS ONLY`);
    expect(params).toEqual(['3503']);
  });

  test('a composite key expands the row comparison Oracle lacks, each placeholder bound once', () => {
    const params: unknown[] = [];
    expect(afterCondition(['PLAYLISTID', 'TRACKID'], [int, int], ['1', '3402'], params)).toBe(
      '("PLAYLISTID" > TO_NUMBER(:1) OR ("PLAYLISTID" = TO_NUMBER(:2) AND "TRACKID" > TO_NUMBER(:3)))',
    );
    expect(params).toEqual(['1', '1', '3402']);
    const three: unknown[] = [];
    expect(afterCondition(['A', 'B', 'C'], [text, text, text], ['a', 'b', 'c'], three)).toBe('("A" > :1 OR ("A" = :2 AND "B" > :3) OR ("A" = :4 AND "B" = :5 AND "C" > :6))');
    expect(three).toEqual(['a', 'a', 'b', 'a', 'b', 'c']);
  });

  test('an offset page for the end of a chunk', () => {
    expect(firstRowsClause(1, 499)).toBe(' OFFSET 499 ROWS FETCH NEXT 1 ROWS ONLY');
    expect(firstRowsClause(1)).toBe(' FETCH FIRST 1 ROWS ONLY');
  });

  test('temporal values are read with explicit masks, zoned ones in UTC with a Z', () => {
    // SYYYY keeps the sign of a year BC; LTRIM drops the space TO_CHAR puts in its place for a year AD.
    expect(readExpression('D', 'DATE')).toBe(`LTRIM(TO_CHAR("D", 'SYYYY-MM-DD HH24:MI:SS'))`);
    expect(readExpression('T', 'TIMESTAMP(6)')).toBe(`LTRIM(TO_CHAR("T", 'SYYYY-MM-DD HH24:MI:SS.FF6'))`);
    // The Z is text inside the mask: TO_CHAR(NULL, …) stays NULL, where NULL || 'Z' would be 'Z'.
    expect(readExpression('T', 'TIMESTAMP(6) WITH TIME ZONE')).toBe(`LTRIM(TO_CHAR(SYS_EXTRACT_UTC("T"), 'SYYYY-MM-DD HH24:MI:SS.FF6"Z"'))`);
    expect(readExpression('T', 'TIMESTAMP(3) WITH LOCAL TIME ZONE')).toBe(`LTRIM(TO_CHAR(SYS_EXTRACT_UTC(CAST("T" AS TIMESTAMP WITH TIME ZONE)), 'SYYYY-MM-DD HH24:MI:SS.FF6"Z"'))`);
    expect(readExpression('I', 'INTERVAL DAY(2) TO SECOND(6)')).toBe('TO_CHAR("I")');
    expect(readExpression('J', 'JSON')).toBe('JSON_SERIALIZE("J" RETURNING CLOB)');
    expect(readExpression('N', 'NUMBER(10,2)')).toBe('"N"');
    expect(readExpression('C', 'CLOB')).toBe('"C"');
  });
});

describe('chunk writes', () => {
  const columns = ['INVOICEID', 'INVOICEDATE', 'BILLINGCITY', 'TOTAL', 'PAID_AT'];
  const types: CanonicalType[] = [int, { kind: 'timestamp', precision: 0 }, text, { kind: 'decimal', precision: 10, scale: 2 }, { kind: 'timestamptz', precision: 6 }];

  test('DELETE of the chunk keys and an INSERT, both for executeMany, values converted by masks', () => {
    expect(chunkWrite('"APP"."INVOICE"', columns, types, ['INVOICEID'])).toEqual({
      deleteSql: 'DELETE FROM "APP"."INVOICE" WHERE "INVOICEID" = TO_NUMBER(:1)',
      insertSql:
        `INSERT INTO "APP"."INVOICE" ("INVOICEID", "INVOICEDATE", "BILLINGCITY", "TOTAL", "PAID_AT") VALUES ` +
        `(TO_NUMBER(:1), TO_TIMESTAMP(:2, 'SYYYY-MM-DD HH24:MI:SS.FF'), :3, TO_NUMBER(:4), FROM_TZ(TO_TIMESTAMP(:5, 'SYYYY-MM-DD HH24:MI:SS.FF'), 'UTC'))`,
    });
    expect(chunkWrite('"APP"."PT"', ['P', 'T'], [int, int], ['P', 'T']).deleteSql).toBe('DELETE FROM "APP"."PT" WHERE "P" = TO_NUMBER(:1) AND "T" = TO_NUMBER(:2)');
  });

  test('canonical values as the driver binds them', () => {
    expect(bindValue('12345678901234567890', { kind: 'int64' })).toBe('12345678901234567890');
    expect(bindValue('0.99', { kind: 'decimal' })).toBe('0.99');
    expect(bindValue(true, { kind: 'boolean' })).toBe(1);
    expect(bindValue(false, { kind: 'boolean' })).toBe(0);
    expect(bindValue('2009-01-01 00:00:00', { kind: 'timestamp' })).toBe('2009-01-01 00:00:00.0');
    expect(bindValue('2009-01-01 10:00:00.25Z', { kind: 'timestamptz' })).toBe('2009-01-01 10:00:00.25');
    expect(bindValue('2009-01-01', { kind: 'date' })).toBe('2009-01-01');
    expect(bindValue(null, { kind: 'date' })).toBeNull();
    expect(bindValue(1.5, { kind: 'float64' })).toBe(1.5);
    const bytes = Buffer.from([0, 255]);
    expect(bindValue(bytes, { kind: 'binary' })).toBe(bytes);
    expect(bindExpression(':7', { kind: 'date' })).toBe(`TO_DATE(:7, 'SYYYY-MM-DD')`);
    expect(bindExpression(':7', { kind: 'json' })).toBe(':7');
  });

  test('years BC keep their sign both ways: ISO 8601 years in the canonical text, Oracle years (no year 0) in the database', () => {
    // Written: 0000 is 1 BC (Oracle -1), -0043 is 44 BC (Oracle -44); years AD are unchanged.
    expect(bindValue('-0043-03-15', { kind: 'date' })).toBe('-0044-03-15');
    expect(bindValue('0000-12-31', { kind: 'date' })).toBe('-0001-12-31');
    expect(bindValue('0001-01-01', { kind: 'date' })).toBe('0001-01-01');
    expect(bindValue('-4712-01-01 00:00:00', { kind: 'timestamp' })).toBe('-4713-01-01 00:00:00.0');
    expect(bindValue('-0043-03-15 12:00:00.5Z', { kind: 'timestamptz' })).toBe('-0044-03-15 12:00:00.5');
    // Read: what SYYYY printed (after LTRIM) back to ISO years.
    expect(fromOracleYear('-0044-03-15 00:00:00')).toBe('-0043-03-15 00:00:00');
    expect(fromOracleYear('-0001-12-31 00:00:00')).toBe('0000-12-31 00:00:00');
    expect(fromOracleYear('2020-01-02 03:04:05')).toBe('2020-01-02 03:04:05');
    for (const iso of ['-0043-03-15', '0000-01-01', '0001-01-01', '2024-02-29', '-4712-01-01 10:00:00']) expect(fromOracleYear(toOracleYear(iso))).toBe(iso);
    // Only date and timestamp columns are converted, where they are strings.
    const rows = [['-0044-03-15 00:00:00', '-0044', '-0001-01-01 00:00:00.000000Z', null]];
    expect(withIsoYears(rows, ['DATE', 'NUMBER', 'TIMESTAMP(6) WITH TIME ZONE', 'DATE'])).toEqual([['-0043-03-15 00:00:00', '-0044', '0000-01-01 00:00:00.000000Z', null]]);
  });

  test('an identity continues after the copied values', () => {
    expect(restartIdentitySql('"APP"."T"', 'ID')).toBe('ALTER TABLE "APP"."T" MODIFY ("ID" GENERATED BY DEFAULT ON NULL AS IDENTITY (START WITH LIMIT VALUE))');
  });
});

describe('validation SQL in Oracle', () => {
  const place = { dialect: 'oracle' as const, schema: 'CHINOOK' };

  test('statistics widen floats, count booleans stored as NUMBER(1), sum text lengths', () => {
    const sql = statisticsSql(place, 'T', [
      { name: 'F', kind: 'float' },
      { name: 'B', kind: 'boolean' },
      { name: 'S', kind: 'text' },
      { name: 'D', kind: 'temporal' },
    ]);
    expect(sql).toBe(
      'SELECT COUNT(*) AS n, COUNT("F") AS n0, MIN(TO_BINARY_DOUBLE("F")) AS min0, MAX(TO_BINARY_DOUBLE("F")) AS max0, SUM(TO_BINARY_DOUBLE("F")) AS sum0, ' +
        'COUNT(DISTINCT "F") AS d0, COUNT("B") AS n1, SUM(CASE WHEN "B" <> 0 THEN 1 ELSE 0 END) AS t1, COUNT("S") AS n2, SUM(LENGTH("S")) AS l2, ' +
        'COUNT("D") AS n3, TO_CHAR(MIN("D")) AS min3, TO_CHAR(MAX("D")) AS max3, COUNT(DISTINCT "D") AS d3 FROM "CHINOOK"."T"',
    );
  });

  const date: CanonicalType = { kind: 'date' };
  const stamp: CanonicalType = { kind: 'timestamp', precision: 6 };
  const zoned: CanonicalType = { kind: 'timestamptz', precision: 6 };

  test('MIN and MAX of dates and timestamps are printed with SYYYY masks by canonical kind, never through NLS formats', () => {
    const sql = statisticsSql(place, 'T', [
      { name: 'D', kind: 'temporal', type: date },
      { name: 'TS', kind: 'temporal', type: stamp },
      { name: 'TZ', kind: 'temporal', type: zoned },
      // A canonical time is VARCHAR2 text in Oracle: no mask applies.
      { name: 'HM', kind: 'temporal', type: { kind: 'time' } },
    ]);
    expect(sql).toBe(
      'SELECT COUNT(*) AS n, ' +
        `COUNT("D") AS n0, LTRIM(TO_CHAR(MIN("D"), 'SYYYY-MM-DD')) AS min0, LTRIM(TO_CHAR(MAX("D"), 'SYYYY-MM-DD')) AS max0, COUNT(DISTINCT "D") AS d0, ` +
        `COUNT("TS") AS n1, LTRIM(TO_CHAR(CAST(MIN("TS") AS TIMESTAMP(9)), 'SYYYY-MM-DD HH24:MI:SS.FF6')) AS min1, ` +
        `LTRIM(TO_CHAR(CAST(MAX("TS") AS TIMESTAMP(9)), 'SYYYY-MM-DD HH24:MI:SS.FF6')) AS max1, COUNT(DISTINCT "TS") AS d1, ` +
        `COUNT("TZ") AS n2, LTRIM(TO_CHAR(SYS_EXTRACT_UTC(CAST(MIN("TZ") AS TIMESTAMP(9) WITH TIME ZONE)), 'SYYYY-MM-DD HH24:MI:SS.FF6"Z"')) AS min2, ` +
        `LTRIM(TO_CHAR(SYS_EXTRACT_UTC(CAST(MAX("TZ") AS TIMESTAMP(9) WITH TIME ZONE)), 'SYYYY-MM-DD HH24:MI:SS.FF6"Z"')) AS max2, COUNT(DISTINCT "TZ") AS d2, ` +
        'COUNT("HM") AS n3, TO_CHAR(MIN("HM")) AS min3, TO_CHAR(MAX("HM")) AS max3, COUNT(DISTINCT "HM") AS d3 FROM "CHINOOK"."T"',
    );
  });

  test("sessions print and read dates without a mask with signed years (Sensei's SQL writes its masks)", () => {
    expect(SESSION_SETTINGS).toContain("ALTER SESSION SET NLS_DATE_FORMAT = 'SYYYY-MM-DD HH24:MI:SS'");
    expect(SESSION_SETTINGS).toContain("ALTER SESSION SET NLS_TIMESTAMP_FORMAT = 'SYYYY-MM-DD HH24:MI:SS.FF6'");
    expect(NLS_TIMESTAMP_TZ_FORMAT).toBe('SYYYY-MM-DD HH24:MI:SS.FF6TZH:TZM');
    expect(SESSION_SETTINGS.some((s) => /'YYYY/.test(s))).toBe(false);
  });

  test('what Oracle printed for the statistics reads as the canonical text: ISO 8601 years, 0000 is 1 BC', () => {
    const columns: StatColumn[] = [
      { name: 'D', kind: 'temporal', type: date },
      { name: 'TS', kind: 'temporal', type: stamp },
      { name: 'TZ', kind: 'temporal', type: zoned },
      { name: 'N', kind: 'numeric', type: int },
    ];
    // As Oracle prints them (after LTRIM): its year -44 is 44 BC, -1 is 1 BC; a numeric MIN is never touched.
    const printed = { n: '2', min0: '-0044-03-15', max0: '0044-03-15', min1: '-0001-12-31 23:59:59.500000', max1: '2020-01-02 03:04:05.000000', min2: '-0044-03-15 10:00:00.250000Z', max2: null, min3: '-44' };
    const read = readStatistics(place, printed, columns);
    expect([0, 1, 2].flatMap((i) => [canonicalValueText(read[`min${i}`], columns[i].type as CanonicalType), canonicalValueText(read[`max${i}`], columns[i].type as CanonicalType)])).toEqual([
      '-0043-03-15',
      '0044-03-15',
      '0000-12-31 23:59:59.5',
      '2020-01-02 03:04:05',
      '-0043-03-15 10:00:00.25Z',
      'NULL',
    ]);
    expect(read.min3).toBe('-44');
    // Other dialects' values are as printed.
    expect(readStatistics({ dialect: 'postgresql', schema: 'public' }, printed, columns)).toEqual(printed);
  });

  test('44 BC and 44 AD are different minimums between two Oracle databases, equal years are equal', () => {
    const table = { table: 'T', columns: [{ name: 'D', type: date, kind: 'temporal', lossless: true }] };
    const columns: StatColumn[] = [{ name: 'D', kind: 'temporal', type: date }];
    const side = (min: string) => readStatistics(place, { n: '1', n0: '1', min0: min, max0: min, d0: '1' }, columns);
    const differs = compareStatistics(table, side('-0044-03-15'), side('0044-03-15'));
    expect(differs.findings.map((f) => [f.check, f.source, f.target])).toEqual([
      ['min', '-0043-03-15', '0044-03-15'],
      ['max', '-0043-03-15', '0044-03-15'],
    ]);
    expect(compareStatistics(table, side('-0044-03-15'), side('-0044-03-15')).findings).toEqual([]);
  });

  test("the generated suite selects dates and timestamps with masks (Thin mode's Dates keep milliseconds and read year 44 as 1944)", () => {
    const tables = [
      { name: 'DAY', columns: [{ name: 'D', type: date }, { name: 'NOTE', type: text }], primaryKey: ['D'], foreignKeys: [] },
      {
        name: 'EVENT',
        columns: [{ name: 'ID', type: int }, { name: 'D', type: date }, { name: 'AT', type: zoned }],
        primaryKey: ['ID'],
        foreignKeys: [{ name: 'FK', columns: ['D'], parent: 'DAY', parentColumns: ['D'] }],
      },
    ];
    const suite = generatedSuite(place, tables, (t) => t);
    const sqlOf = (name: string) => suite.find((q) => q.name === name)?.sql;
    expect(sqlOf('top 10 DAY by key')).toBe(`SELECT LTRIM(TO_CHAR("D", 'SYYYY-MM-DD')), "NOTE" FROM "CHINOOK"."DAY" ORDER BY "D" FETCH FIRST 10 ROWS ONLY`);
    expect(sqlOf('top 10 EVENT by key')).toBe(
      `SELECT "ID", LTRIM(TO_CHAR("D", 'SYYYY-MM-DD')), LTRIM(TO_CHAR(SYS_EXTRACT_UTC(CAST("AT" AS TIMESTAMP(9) WITH TIME ZONE)), 'SYYYY-MM-DD HH24:MI:SS.FF6"Z"')) FROM "CHINOOK"."EVENT" ORDER BY "ID" FETCH FIRST 10 ROWS ONLY`,
    );
    // Grouped by the column, selected as its text.
    expect(sqlOf('count EVENT per D')).toBe(`SELECT LTRIM(TO_CHAR("D", 'SYYYY-MM-DD')), COUNT(*) FROM "CHINOOK"."EVENT" GROUP BY "D"`);
    expect(sqlOf('join EVENT → DAY on D')).toBe(`SELECT LTRIM(TO_CHAR(p."D", 'SYYYY-MM-DD')), COUNT(*) FROM "CHINOOK"."EVENT" c JOIN "CHINOOK"."DAY" p ON p."D" = c."D" GROUP BY p."D"`);
    // Other dialects select the columns themselves.
    const pg = generatedSuite({ dialect: 'postgresql', schema: 'public' }, tables, (t) => t);
    expect(pg.find((q) => q.name === 'top 10 EVENT by key')?.sql).toBe('SELECT "ID", "D", "AT" FROM ONLY "public"."EVENT" ORDER BY "ID" LIMIT 10');

    // What Oracle printed for the top rows, read back: only the typed temporal columns are converted, not text.
    const top = suite.find((q) => q.name === 'top 10 EVENT by key');
    const rows = readResultRows(place, [['7', '-0001-01-01', '-0044-03-15 12:00:00.000000Z']], top?.types);
    expect(resultRowTexts(rows, top?.types)).toEqual([['7', '0000-01-01', '-0043-03-15 12:00:00Z']]);
    const day = suite.find((q) => q.name === 'top 10 DAY by key');
    expect(readResultRows(place, [['-0044-03-15', '-0044-03-15']], day?.types)).toEqual([['-0043-03-15', '-0044-03-15']]);
  });

  test('samples end with FETCH FIRST, not LIMIT', () => {
    expect(duplicateKeysSql(place, 'T', ['ID'], 20)).toBe('SELECT "ID", COUNT(*) AS n FROM "CHINOOK"."T" WHERE "ID" IS NOT NULL GROUP BY "ID" HAVING COUNT(*) > 1 FETCH FIRST 20 ROWS ONLY');
    expect(orphanSampleSql(place, { child: 'C', columns: ['P_ID'], parent: 'P', parentColumns: ['ID'] }, ['ID'], 5)).toMatch(/ FETCH FIRST 5 ROWS ONLY$/);
    const suite = generatedSuite(place, [{ name: 'T', columns: [{ name: 'ID', type: { kind: 'int32' } }], primaryKey: ['ID'], foreignKeys: [] }], (t) => t);
    expect(suite.find((q) => q.name.startsWith('top'))?.sql).toBe('SELECT "ID" FROM "CHINOOK"."T" ORDER BY "ID" FETCH FIRST 10 ROWS ONLY');
    expect(suite.some((q) => / LIMIT /.test(q.sql))).toBe(false);
  });

  test('other dialects keep LIMIT', () => {
    expect(duplicateKeysSql({ dialect: 'postgresql', schema: 'public' }, 't', ['id'], 20)).toMatch(/ LIMIT 20$/);
  });
});

describe('Oracle connection strings', () => {
  test('user, password, host, port and service; the default schema is the user, folded to upper case', () => {
    expect(parseOracleUrl('oracle://chinook:s%40cret@db.example:1522/FREEPDB1')).toEqual({ host: 'db.example', port: 1522, service: 'FREEPDB1', user: 'chinook', password: 's@cret' });
    expect(parseOracleUrl('oracle://app:pw@db/ORCL').port).toBe(1521);
    expect(defaultOracleSchema('chinook')).toBe('CHINOOK');
    expect(defaultOracleSchema('Mixed Case')).toBe('Mixed Case');
  });

  test('what is not understood is refused, never ignored; the password never appears in the message', () => {
    const refused = (cs: string) => {
      try {
        parseOracleUrl(cs);
      } catch (err) {
        expect(err).toBeInstanceOf(ConnectorError);
        expect((err as Error).message).not.toContain('hunter2');
        return (err as ConnectorError).code;
      }
      return 'accepted';
    };
    expect(refused('oracle://app:hunter2@db/ORCL?wallet_location=/tmp')).toBe('InvalidConnectionString');
    expect(refused('oracle://app:hunter2@db')).toBe('InvalidConnectionString');
    expect(refused('postgresql://app:hunter2@db/x')).toBe('InvalidConnectionString');
    expect(refused('not a url hunter2')).toBe('InvalidConnectionString');
    expect(redactConnectionString('oracle://app:hunter2@db:1521/ORCL')).toBe('oracle://app:***@db:1521/ORCL');
  });
});
