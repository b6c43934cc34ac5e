/** Oracle's type map both ways (connectors/oracle/types.ts), its name limits and the errors that blame a row. */
import { dialectNamed } from '../../connectors/dialects';
import { planMigration } from '../../lib/mapping';
import { approvalNeed } from '../../lib/migration';
import { formatOracleType, fromCanonical, maxNameBytesFor, parseTypeName, toCanonical, type OracleNativeType } from '../../connectors/oracle/types';

const read = (t: OracleNativeType) => toCanonical(t);

describe('Oracle types read into the canonical model', () => {
  test('NUMBER without precision and scale is an unconstrained decimal, never a float', () => {
    const t = read({ dataType: 'NUMBER', dataPrecision: null, dataScale: null });
    expect(t.kind).toBe('decimal');
    expect(t.precision).toBeUndefined();
    expect(t.readNote).toMatch(/38 significant digits/);
  });

  test('NUMBER(p) and NUMBER(p,0) are integers by digits; NUMBER(*,0) is a 38-digit integer decimal', () => {
    expect(read({ dataType: 'NUMBER', dataPrecision: 4, dataScale: 0 }).kind).toBe('int16');
    expect(read({ dataType: 'NUMBER', dataPrecision: 5, dataScale: 0 }).kind).toBe('int32');
    expect(read({ dataType: 'NUMBER', dataPrecision: 9, dataScale: 0 }).kind).toBe('int32');
    expect(read({ dataType: 'NUMBER', dataPrecision: 10, dataScale: 0 }).kind).toBe('int64');
    expect(read({ dataType: 'NUMBER', dataPrecision: 18, dataScale: 0 }).kind).toBe('int64');
    expect(read({ dataType: 'NUMBER', dataPrecision: 19, dataScale: 0 })).toEqual({ kind: 'decimal', precision: 19, scale: 0 });
    expect(read({ dataType: 'NUMBER', dataPrecision: null, dataScale: 0 })).toEqual({ kind: 'decimal', precision: 38, scale: 0 });
  });

  test('NUMBER(p,s) is a decimal; a negative scale rounds to an integer decimal', () => {
    expect(read({ dataType: 'NUMBER', dataPrecision: 10, dataScale: 2 })).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
    const negative = read({ dataType: 'NUMBER', dataPrecision: 5, dataScale: -2 });
    expect(negative).toMatchObject({ kind: 'decimal', precision: 7, scale: 0 });
    expect(negative.readNote).toMatch(/rounds to 10\^2/);
  });

  test('FLOAT is a decimal NUMBER (binary digits), BINARY_FLOAT and BINARY_DOUBLE are IEEE', () => {
    const f = read({ dataType: 'FLOAT', dataPrecision: 126 });
    expect(f.kind).toBe('decimal');
    expect(f.readNote).toMatch(/126 binary digits/);
    expect(read({ dataType: 'BINARY_FLOAT' })).toEqual({ kind: 'float32' });
    expect(read({ dataType: 'BINARY_DOUBLE' })).toEqual({ kind: 'float64' });
  });

  test('VARCHAR2 and CHAR in BYTE and CHAR semantics, NVARCHAR2 and NCHAR by characters', () => {
    expect(read({ dataType: 'VARCHAR2', dataLength: 160, charLength: 160, charUsed: 'B' })).toEqual({ kind: 'varchar', length: 160 });
    // 40 CHAR in AL32UTF8: DATA_LENGTH is 160 bytes, the declared length is 40 characters.
    expect(read({ dataType: 'VARCHAR2', dataLength: 160, charLength: 40, charUsed: 'C' })).toEqual({ kind: 'varchar', length: 40 });
    expect(read({ dataType: 'CHAR', dataLength: 3, charLength: 3, charUsed: 'B' })).toEqual({ kind: 'char', length: 3 });
    expect(read({ dataType: 'CHAR', dataLength: 12, charLength: 3, charUsed: 'C' })).toEqual({ kind: 'char', length: 3 });
    expect(read({ dataType: 'NVARCHAR2', dataLength: 200, charLength: 100 })).toEqual({ kind: 'varchar', length: 100 });
    expect(read({ dataType: 'NCHAR', dataLength: 20, charLength: 10 })).toEqual({ kind: 'char', length: 10 });
  });

  test('CLOB, NCLOB, LONG are text; BLOB, LONG RAW, RAW are binary', () => {
    expect(read({ dataType: 'CLOB' })).toEqual({ kind: 'text' });
    expect(read({ dataType: 'NCLOB' })).toEqual({ kind: 'text' });
    expect(read({ dataType: 'LONG' }).readNote).toMatch(/deprecated/);
    expect(read({ dataType: 'BLOB' })).toEqual({ kind: 'binary' });
    expect(read({ dataType: 'LONG RAW' })).toEqual({ kind: 'binary' });
    expect(read({ dataType: 'RAW', dataLength: 16 })).toEqual({ kind: 'binary', length: 16 });
  });

  test('DATE carries a time: it is read as a timestamp to the second', () => {
    const t = read({ dataType: 'DATE', dataLength: 7 });
    expect(t).toMatchObject({ kind: 'timestamp', precision: 0 });
    expect(t.readNote).toMatch(/time of day/);
  });

  test('TIMESTAMP, WITH TIME ZONE (zone not kept, said), WITH LOCAL TIME ZONE; nine fraction digits are cut to six', () => {
    expect(read({ dataType: 'TIMESTAMP(6)' })).toEqual({ kind: 'timestamp', precision: 6 });
    expect(read({ dataType: 'TIMESTAMP(3)' })).toEqual({ kind: 'timestamp', precision: 3 });
    const nine = read({ dataType: 'TIMESTAMP(9)' });
    expect(nine).toMatchObject({ kind: 'timestamp', precision: 6, readConfidence: 0.95 });
    const tz = read({ dataType: 'TIMESTAMP(6) WITH TIME ZONE' });
    expect(tz).toMatchObject({ kind: 'timestamptz', precision: 6, readConfidence: 0.95 });
    expect(tz.readNote).toMatch(/converted to UTC/);
    expect(read({ dataType: 'TIMESTAMP(6) WITH LOCAL TIME ZONE' })).toEqual({ kind: 'timestamptz', precision: 6 });
  });

  test('INTERVALs are read as their text, with a lower confidence', () => {
    for (const dataType of ['INTERVAL YEAR(2) TO MONTH', 'INTERVAL DAY(2) TO SECOND(6)']) {
      const t = read({ dataType });
      expect(t).toMatchObject({ kind: 'varchar', readConfidence: 0.8 });
      expect(t.readNote).toMatch(/text/);
    }
  });

  test('JSON (21c) and BOOLEAN (23ai)', () => {
    expect(read({ dataType: 'JSON' })).toEqual({ kind: 'json' });
    expect(read({ dataType: 'BOOLEAN' })).toEqual({ kind: 'boolean' });
  });

  test('ROWID and UROWID are refused with a reason; an unknown type is unsupported', () => {
    for (const dataType of ['ROWID', 'UROWID']) {
      const t = read({ dataType });
      expect(t.kind).toBe('unsupported');
      expect(t.readNote).toMatch(/physical address .* means nothing in another database/);
    }
    expect(read({ dataType: 'SDO_GEOMETRY' }).kind).toBe('unsupported');
  });

  test('identity columns of integer type are auto-increment', () => {
    expect(read({ dataType: 'NUMBER', dataPrecision: 10, dataScale: 0, identity: true })).toEqual({ kind: 'int64', autoIncrement: true });
  });

  test('types are shown as Oracle prints them', () => {
    expect(formatOracleType({ dataType: 'NUMBER' })).toBe('NUMBER');
    expect(formatOracleType({ dataType: 'NUMBER', dataPrecision: 10, dataScale: 2 })).toBe('NUMBER(10,2)');
    expect(formatOracleType({ dataType: 'NUMBER', dataPrecision: 10, dataScale: 0 })).toBe('NUMBER(10)');
    expect(formatOracleType({ dataType: 'NUMBER', dataPrecision: null, dataScale: 0 })).toBe('NUMBER(*,0)');
    expect(formatOracleType({ dataType: 'VARCHAR2', dataLength: 160, charLength: 160, charUsed: 'B' })).toBe('VARCHAR2(160 BYTE)');
    expect(formatOracleType({ dataType: 'VARCHAR2', dataLength: 160, charLength: 40, charUsed: 'C' })).toBe('VARCHAR2(40 CHAR)');
    expect(formatOracleType({ dataType: 'NVARCHAR2', charLength: 40 })).toBe('NVARCHAR2(40)');
    expect(formatOracleType({ dataType: 'RAW', dataLength: 16 })).toBe('RAW(16)');
    expect(formatOracleType({ dataType: 'TIMESTAMP(6) WITH TIME ZONE' })).toBe('TIMESTAMP(6) WITH TIME ZONE');
  });

  test('type names as people type them', () => {
    expect(parseTypeName('number')).toMatchObject({ kind: 'decimal' });
    expect(parseTypeName('number(10,2)')).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
    expect(parseTypeName('number(9)')).toEqual({ kind: 'int32' });
    expect(parseTypeName('integer')).toEqual({ kind: 'decimal', precision: 38, scale: 0 });
    expect(parseTypeName('varchar2(40 char)')).toEqual({ kind: 'varchar', length: 40 });
    expect(parseTypeName('raw(16)')).toEqual({ kind: 'binary', length: 16 });
    expect(parseTypeName('timestamp(3) with time zone')).toMatchObject({ kind: 'timestamptz', precision: 3 });
    expect(parseTypeName('binary_double')).toEqual({ kind: 'float64' });
  });
});

describe('canonical types declared in Oracle', () => {
  test('integers, decimals and floats', () => {
    expect(fromCanonical({ kind: 'int16' }).sql).toBe('NUMBER(5)');
    expect(fromCanonical({ kind: 'int32' }).sql).toBe('NUMBER(10)');
    expect(fromCanonical({ kind: 'int64' }).sql).toBe('NUMBER(19)');
    expect(fromCanonical({ kind: 'int64', unsigned: true }).sql).toBe('NUMBER(20)');
    expect(fromCanonical({ kind: 'decimal', precision: 10, scale: 2 })).toEqual({ sql: 'NUMBER(10,2)', confidence: 1 });
    expect(fromCanonical({ kind: 'decimal', precision: 12, scale: 0 })).toEqual({ sql: 'NUMBER(12)', confidence: 1 });
    expect(fromCanonical({ kind: 'decimal' })).toMatchObject({ sql: 'NUMBER', confidence: 0.9 });
    const wide = fromCanonical({ kind: 'decimal', precision: 65, scale: 30 });
    expect(wide).toMatchObject({ sql: 'NUMBER(38,30)', confidence: 0.7 });
    expect(wide.note).toMatch(/38 digits/);
    expect(fromCanonical({ kind: 'float32' }).sql).toBe('BINARY_FLOAT');
    expect(fromCanonical({ kind: 'float64' }).sql).toBe('BINARY_DOUBLE');
  });

  test('booleans are NUMBER(1), said so', () => {
    const b = fromCanonical({ kind: 'boolean' });
    expect(b).toMatchObject({ sql: 'NUMBER(1)', confidence: 0.95 });
    expect(b.note).toMatch(/23ai/);
  });

  test('text in CHAR semantics, CLOB past 4000 bytes, the byte limit said for long VARCHAR2', () => {
    expect(fromCanonical({ kind: 'varchar', length: 160 }).sql).toBe('VARCHAR2(160 CHAR)');
    const long = fromCanonical({ kind: 'varchar', length: 3000 });
    expect(long).toMatchObject({ sql: 'VARCHAR2(3000 CHAR)', confidence: 0.95 });
    expect(long.note).toMatch(/4000 bytes/);
    expect(fromCanonical({ kind: 'varchar', length: 10_000 }).sql).toBe('CLOB');
    expect(fromCanonical({ kind: 'text' }).sql).toBe('CLOB');
    expect(fromCanonical({ kind: 'text' }, { inKey: true })).toMatchObject({ sql: 'VARCHAR2(4000 CHAR)', confidence: 0.8 });
    expect(fromCanonical({ kind: 'char', length: 3 }).sql).toBe('CHAR(3 CHAR)');
    expect(fromCanonical({ kind: 'uuid' }).sql).toBe('VARCHAR2(36 CHAR)');
    expect(fromCanonical({ kind: 'enum', values: ['small', 'medium'] }).sql).toBe('VARCHAR2(6 CHAR)');
  });

  test("every text column says that Oracle keeps '' as NULL; a NOT NULL one says such rows are rejected", () => {
    for (const kind of ['char', 'varchar', 'text', 'enum', 'uuid'] as const) {
      const nullable = fromCanonical({ kind, length: 10, values: ['a'] });
      expect(nullable.note).toMatch(/empty string as NULL: '' arrives as NULL/);
      expect(nullable.confidence).toBeLessThanOrEqual(0.95);
      const notNull = fromCanonical({ kind, length: 10, values: ['a'] }, { notNull: true });
      expect(notNull.note).toMatch(/rejected by this NOT NULL column/);
      expect(notNull.confidence).toBeLessThanOrEqual(0.9);
    }
    expect(fromCanonical({ kind: 'int32' }, { notNull: true }).note).toBeUndefined();
  });

  test('dates, times, timestamps, JSON, binary', () => {
    expect(fromCanonical({ kind: 'date' }).sql).toBe('DATE');
    expect(fromCanonical({ kind: 'time', precision: 3 })).toMatchObject({ sql: 'VARCHAR2(15 CHAR)', confidence: 0.8 });
    expect(fromCanonical({ kind: 'timestamp', precision: 3 }).sql).toBe('TIMESTAMP(3)');
    expect(fromCanonical({ kind: 'timestamp' }).sql).toBe('TIMESTAMP(6)');
    expect(fromCanonical({ kind: 'timestamptz', precision: 6 }).sql).toBe('TIMESTAMP(6) WITH TIME ZONE');
    expect(fromCanonical({ kind: 'json' })).toMatchObject({ sql: 'CLOB', confidence: 0.95 });
    expect(fromCanonical({ kind: 'binary', length: 16 }).sql).toBe('RAW(16)');
    expect(fromCanonical({ kind: 'binary' }).sql).toBe('BLOB');
    expect(fromCanonical({ kind: 'binary' }, { inKey: true })).toMatchObject({ sql: 'RAW(2000)', confidence: 0.8 });
  });

  test('what Oracle cannot hold is refused with the reason', () => {
    expect(fromCanonical({ kind: 'native', readNote: 'type int4range exists only in PostgreSQL' })).toEqual({ sql: '', confidence: 0, note: 'type int4range exists only in PostgreSQL' });
  });
});

describe('Oracle names and row errors', () => {
  test('128 bytes since 12.2, 30 before', () => {
    expect(maxNameBytesFor('23.4.0.24.05')).toBe(128);
    expect(maxNameBytesFor('19.3.0.0.0')).toBe(128);
    expect(maxNameBytesFor('12.2.0.1.0')).toBe(128);
    expect(maxNameBytesFor('12.1.0.2.0')).toBe(30);
    expect(maxNameBytesFor('11.2.0.4.0')).toBe(30);
  });

  test('identifiers are quoted (case kept) and names over 128 bytes shortened', () => {
    const rules = dialectNamed('oracle').identifiers;
    expect(rules.caseFolding).toBe('upper');
    expect(rules.quote('Album')).toBe('"Album"');
    expect(rules.quote('say "hi"')).toBe('"say ""hi"""');
    const long = rules.quote('x'.repeat(200));
    expect(long.length - 2).toBe(128);
  });

  test('ORA- errors about a row are row rejections; others are not', () => {
    const isRow = dialectNamed('oracle').isRowRejection as (cause: unknown) => boolean;
    for (const errorNum of [1, 1400, 1438, 1722, 1861, 2290, 2291, 12899]) expect(isRow({ errorNum })).toBe(true);
    for (const errorNum of [942, 1017, 12514]) expect(isRow({ errorNum })).toBe(false);
    expect(isRow(new Error('x'))).toBe(false);
  });
});

describe("'' is NULL in Oracle: said at the approval gate", () => {
  test('every NOT NULL text column planned into Oracle carries the note and keeps the gate shut, even with auto-approval on', () => {
    const table = {
      name: 'people',
      columns: [
        { name: 'id', nativeType: 'integer', type: { kind: 'int32' as const }, nullable: false, default: null },
        { name: 'name', nativeType: 'character varying(40)', type: { kind: 'varchar' as const, length: 40 }, nullable: false, default: null },
        { name: 'code', nativeType: 'character(3)', type: { kind: 'char' as const, length: 3 }, nullable: false, default: null },
        { name: 'bio', nativeType: 'text', type: { kind: 'text' as const }, nullable: false, default: null },
        { name: 'nick', nativeType: 'text', type: { kind: 'text' as const }, nullable: true, default: null },
      ],
      primaryKey: ['id'],
      foreignKeys: [],
      uniqueConstraints: [],
      indexes: [],
      rowEstimate: 0,
    };
    const plan = planMigration({ dialect: 'postgresql', schema: 'public', tables: [table] }, 'oracle', { targetSchema: 'APP' });
    const byName = new Map(plan.tables[0].columns.map((c) => [c.column, c]));
    for (const name of ['name', 'code', 'bio']) {
      expect(byName.get(name)?.note).toMatch(/Oracle stores an empty string as NULL: a row whose value here is '' is rejected by this NOT NULL column/);
      expect(byName.get(name)?.confidence).toBeLessThan(1);
    }
    expect(byName.get('nick')?.note).toMatch(/'' arrives as NULL/);
    expect(byName.get('id')?.note).toBeUndefined();
    expect(approvalNeed(plan, 'balanced', { auto_approve_high_confidence: true })).toEqual({ required: true, reason: '4 mapping(s) have confidence below 1.0' });
    // The same table into PostgreSQL keeps '' and needs no approval.
    const same = planMigration({ dialect: 'postgresql', schema: 'public', tables: [table] }, 'postgresql', { targetSchema: 'public' });
    expect(approvalNeed(same, 'balanced', { auto_approve_high_confidence: true }).required).toBe(false);
  });
});
