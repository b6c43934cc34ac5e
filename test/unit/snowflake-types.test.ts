/** Snowflake's type map both ways (connectors/snowflake/types.ts) and its identifier rules. */
import { dialectNamed } from '../../connectors/dialects';
import { formatSnowflakeType, fromCanonical, parseTypeName, toCanonical } from '../../connectors/snowflake/types';

describe('canonical types declared in Snowflake', () => {
  test('every canonical kind, with its confidence', () => {
    const cases: [Parameters<typeof fromCanonical>[0], string, number][] = [
      [{ kind: 'int16' }, 'NUMBER(5,0)', 1],
      [{ kind: 'int32' }, 'NUMBER(10,0)', 1],
      [{ kind: 'int64' }, 'NUMBER(19,0)', 1],
      [{ kind: 'int64', unsigned: true }, 'NUMBER(20,0)', 1],
      [{ kind: 'decimal', precision: 10, scale: 2 }, 'NUMBER(10,2)', 1],
      [{ kind: 'decimal' }, 'NUMBER(38,10)', 0.7],
      [{ kind: 'decimal', precision: 65, scale: 30 }, 'NUMBER(38,30)', 0.7],
      [{ kind: 'float32' }, 'FLOAT', 1],
      [{ kind: 'float64' }, 'FLOAT', 1],
      [{ kind: 'boolean' }, 'BOOLEAN', 1],
      [{ kind: 'char', length: 3 }, 'VARCHAR(3)', 0.95],
      [{ kind: 'varchar', length: 160 }, 'VARCHAR(160)', 1],
      [{ kind: 'text' }, 'VARCHAR', 1],
      [{ kind: 'enum', values: ['new', 'shipped'] }, 'VARCHAR(7)', 0.95],
      [{ kind: 'uuid' }, 'VARCHAR(36)', 0.95],
      [{ kind: 'date' }, 'DATE', 1],
      [{ kind: 'time', precision: 3 }, 'TIME(3)', 1],
      [{ kind: 'timestamp', precision: 6 }, 'TIMESTAMP_NTZ(6)', 1],
      [{ kind: 'timestamp' }, 'TIMESTAMP_NTZ(6)', 1],
      [{ kind: 'timestamptz', precision: 6 }, 'TIMESTAMP_TZ(6)', 1],
      [{ kind: 'json' }, 'VARIANT', 0.95],
      [{ kind: 'binary', length: 16 }, 'BINARY(16)', 1],
      [{ kind: 'binary' }, 'BINARY', 0.95],
    ];
    for (const [type, sql, confidence] of cases) expect([type.kind, fromCanonical(type)]).toEqual([type.kind, expect.objectContaining({ sql, confidence })]);
    expect(fromCanonical({ kind: 'decimal' }).note).toMatch(/NUMBER alone would be an integer/);
    expect(fromCanonical({ kind: 'char', length: 3 }).note).toMatch(/not padded/);
  });

  test('what Snowflake cannot hold is refused with the reason', () => {
    expect(fromCanonical({ kind: 'native', readNote: 'type int4range exists only in PostgreSQL' })).toEqual({ sql: '', confidence: 0, note: 'type int4range exists only in PostgreSQL' });
  });
});

describe('Snowflake types read into the canonical model', () => {
  test('NUMBER by precision and scale; FLOAT is double', () => {
    expect(toCanonical({ dataType: 'NUMBER', numericPrecision: 38, numericScale: 0 })).toEqual({ kind: 'decimal', precision: 38, scale: 0 });
    expect(toCanonical({ dataType: 'NUMBER', numericPrecision: 9, numericScale: 0 })).toEqual({ kind: 'int32' });
    expect(toCanonical({ dataType: 'NUMBER', numericPrecision: 18, numericScale: 0 })).toEqual({ kind: 'int64' });
    expect(toCanonical({ dataType: 'NUMBER', numericPrecision: 10, numericScale: 2 })).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
    expect(toCanonical({ dataType: 'FLOAT' })).toEqual({ kind: 'float64' });
  });

  test('TEXT of the full length is text; a shorter one is varchar; BINARY likewise', () => {
    expect(toCanonical({ dataType: 'TEXT', characterMaximumLength: 16_777_216 })).toEqual({ kind: 'text' });
    expect(toCanonical({ dataType: 'TEXT', characterMaximumLength: 40 })).toEqual({ kind: 'varchar', length: 40 });
    expect(toCanonical({ dataType: 'BINARY', characterMaximumLength: 8_388_608 })).toEqual({ kind: 'binary' });
    expect(toCanonical({ dataType: 'BINARY', characterMaximumLength: 16 })).toEqual({ kind: 'binary', length: 16 });
  });

  test('dates, times and the three timestamps (TZ keeps no offset, said; nine digits cut to six, said)', () => {
    expect(toCanonical({ dataType: 'DATE' })).toEqual({ kind: 'date' });
    expect(toCanonical({ dataType: 'TIME', datetimePrecision: 3 })).toEqual({ kind: 'time', precision: 3 });
    expect(toCanonical({ dataType: 'TIMESTAMP_NTZ', datetimePrecision: 9 })).toMatchObject({ kind: 'timestamp', precision: 6, readConfidence: 0.95 });
    expect(toCanonical({ dataType: 'TIMESTAMP_LTZ', datetimePrecision: 6 })).toEqual({ kind: 'timestamptz', precision: 6 });
    const tz = toCanonical({ dataType: 'TIMESTAMP_TZ', datetimePrecision: 6 });
    expect(tz).toMatchObject({ kind: 'timestamptz', readConfidence: 0.95 });
    expect(tz.readNote).toMatch(/offset is not kept/);
  });

  test('VARIANT, ARRAY, OBJECT as JSON text; GEOGRAPHY as GeoJSON, said', () => {
    for (const dataType of ['VARIANT', 'ARRAY', 'OBJECT']) expect(toCanonical({ dataType }).kind).toBe('json');
    const geo = toCanonical({ dataType: 'GEOGRAPHY' });
    expect(geo).toMatchObject({ kind: 'json', readConfidence: 0.8 });
    expect(geo.readNote).toMatch(/GeoJSON/);
    expect(toCanonical({ dataType: 'VECTOR' }).kind).toBe('unsupported');
  });

  test('identity columns; types shown and parsed as people write them', () => {
    expect(toCanonical({ dataType: 'NUMBER', numericPrecision: 10, numericScale: 0, identity: true })).toEqual({ kind: 'int64', autoIncrement: true });
    expect(formatSnowflakeType({ dataType: 'NUMBER', numericPrecision: 10, numericScale: 2 })).toBe('NUMBER(10,2)');
    expect(formatSnowflakeType({ dataType: 'TEXT', characterMaximumLength: 40 })).toBe('VARCHAR(40)');
    expect(formatSnowflakeType({ dataType: 'TIMESTAMP_TZ', datetimePrecision: 9 })).toBe('TIMESTAMP_TZ(9)');
    expect(parseTypeName('number(10,2)')).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
    expect(parseTypeName('int')).toEqual({ kind: 'decimal', precision: 38, scale: 0 });
    expect(parseTypeName('varchar(40)')).toEqual({ kind: 'varchar', length: 40 });
    expect(parseTypeName('timestamp_ntz(3)')).toEqual({ kind: 'timestamp', precision: 3 });
    expect(parseTypeName('variant')).toMatchObject({ kind: 'json' });
  });

  test('every type Snowflake is given reads back as the same kind', () => {
    for (const type of [{ kind: 'int32' }, { kind: 'decimal', precision: 10, scale: 2 }, { kind: 'varchar', length: 40 }, { kind: 'boolean' }, { kind: 'date' }, { kind: 'timestamp', precision: 6 }, { kind: 'binary', length: 16 }] as const) {
      expect(parseTypeName(fromCanonical(type).sql).kind).toBe(type.kind === 'int32' ? 'int64' : type.kind);
    }
  });
});

describe('Snowflake names and row errors', () => {
  test('quoted names keep their case; unquoted ones would fold to upper case; 255 characters', () => {
    const rules = dialectNamed('snowflake').identifiers;
    expect(rules.caseFolding).toBe('upper');
    expect(rules.quote('album')).toBe('"album"');
    expect([...rules.quote('é'.repeat(300))].length - 2).toBe(255);
  });

  test('a COPY refusal and SQLSTATE 22/23 are row rejections', () => {
    const isRow = dialectNamed('snowflake').isRowRejection as (c: unknown) => boolean;
    expect(isRow({ name: 'SnowflakeRowRejection' })).toBe(true);
    expect(isRow({ sqlState: '22018' })).toBe(true);
    expect(isRow({ sqlState: '08001' })).toBe(false);
  });
});
