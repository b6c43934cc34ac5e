import type { CanonicalType } from '../../lib/types';
import {
  canonicalDecimalText,
  canonicalRowText,
  formatFloat,
  normalizeDate,
  normalizeDecimal,
  normalizeTime,
  normalizeTimestamp,
  normalizeTimestamptz,
  rowDigest,
  TableChecksum,
  tableChecksum,
  timestamptzToNaiveUtc,
  toCanonicalValue,
} from '../../lib/values';

const t = (kind: CanonicalType['kind'], extra: Partial<CanonicalType> = {}): CanonicalType => ({ kind, ...extra });

describe('dates and times', () => {
  test('timestamps drop zero fractions and keep significant ones', () => {
    expect(normalizeTimestamp('2021-01-01 00:00:00')).toBe('2021-01-01 00:00:00');
    expect(normalizeTimestamp('2021-01-01 00:00:00.000000')).toBe('2021-01-01 00:00:00');
    expect(normalizeTimestamp('2021-01-01T10:00:00.500')).toBe('2021-01-01 10:00:00.5');
    expect(normalizeTimestamp('2021-01-01 10:00:00.000001')).toBe('2021-01-01 10:00:00.000001');
    expect(normalizeTimestamp('2021-01-01')).toBe('2021-01-01 00:00:00');
  });

  test('timestamptz converts any offset to UTC and keeps microseconds exact', () => {
    expect(normalizeTimestamptz('2021-01-01 10:00:00.5+00')).toBe('2021-01-01 10:00:00.5Z');
    expect(normalizeTimestamptz('2021-06-01 12:00:00.123456+05:30')).toBe('2021-06-01 06:30:00.123456Z');
    expect(normalizeTimestamptz('2021-12-31T23:30:00-01:00')).toBe('2022-01-01 00:30:00Z');
    expect(normalizeTimestamptz('1970-01-01 00:00:01-0800')).toBe('1970-01-01 08:00:01Z');
    expect(normalizeTimestamptz('2021-01-01 10:00:00')).toBe('2021-01-01 10:00:00Z');
    expect(normalizeTimestamptz('0099-03-01 00:30:00+01')).toBe('0099-02-28 23:30:00Z');
    expect(timestamptzToNaiveUtc('2021-01-01 10:00:00.5+02')).toBe('2021-01-01 08:00:00.5');
  });

  test('dates and times', () => {
    expect(normalizeDate('2024-02-29')).toBe('2024-02-29');
    expect(normalizeDate('2024-02-29 00:00:00')).toBe('2024-02-29');
    expect(normalizeTime('23:59:59.999999')).toBe('23:59:59.999999');
    expect(normalizeTime('12:00:00.500000')).toBe('12:00:00.5');
    expect(normalizeTime('12:00')).toBe('12:00:00');
    expect(normalizeTime('838:59:59')).toBe('838:59:59');
  });
});

describe('decimals and floats', () => {
  test('plain notation, exact strings, scale for SQLite REALs', () => {
    expect(normalizeDecimal('1234567890123456789012345678.1234567891')).toBe('1234567890123456789012345678.1234567891');
    expect(normalizeDecimal('1.5E-7')).toBe('0.00000015');
    expect(normalizeDecimal('-2.5e3')).toBe('-2500');
    expect(normalizeDecimal('+.5')).toBe('0.5');
    expect(normalizeDecimal(0.99, 2)).toBe('0.99');
    expect(normalizeDecimal(12.5, 2)).toBe('12.50');
    expect(normalizeDecimal(1e-7)).toBe('0.0000001');
    expect(normalizeDecimal(12345678901234567890n)).toBe('12345678901234567890');
  });

  test('comparable decimal text ignores trailing zeros and the sign of zero', () => {
    expect(canonicalDecimalText('-12.50')).toBe('-12.5');
    expect(canonicalDecimalText('007.000')).toBe('7');
    expect(canonicalDecimalText('-0.000')).toBe('0');
    expect(canonicalDecimalText('0.000000000100000000')).toBe('0.0000000001');
  });

  test('floats: shortest round-trip text; float32 at single precision', () => {
    expect(formatFloat(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(formatFloat(Math.fround(3.14), true)).toBe('3.14');
    expect(formatFloat(3.14, true)).toBe('3.14');
    expect(formatFloat(-0)).toBe('0');
    expect(formatFloat(NaN)).toBe('NaN');
    expect(formatFloat(-Infinity)).toBe('-Infinity');
  });
});

describe('toCanonicalValue', () => {
  test('integers beyond 2^53 stay exact strings; small ones are numbers', () => {
    expect(toCanonicalValue(9223372036854775807n, t('int64'))).toBe('9223372036854775807');
    expect(toCanonicalValue('-9223372036854775808', t('int64'))).toBe('-9223372036854775808');
    expect(toCanonicalValue(42n, t('int32'))).toBe(42);
    expect(toCanonicalValue(9007199254740993n, t('int32'))).toBe('9007199254740993');
  });

  test('booleans, uuids, binary, json', () => {
    expect(toCanonicalValue(1, t('boolean'))).toBe(true);
    expect(toCanonicalValue(0n, t('boolean'))).toBe(false);
    expect(toCanonicalValue('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', t('uuid'))).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(toCanonicalValue(new Uint8Array([0, 1]), t('binary'))).toEqual(Buffer.from([0, 1]));
    expect(toCanonicalValue({ a: 1 }, t('json'))).toBe('{"a":1}');
    expect(toCanonicalValue(null, t('text'))).toBeNull();
  });
});

describe('canonicalRowText and checksums', () => {
  const types = [t('int64'), t('text'), t('boolean'), t('binary'), t('json'), t('decimal'), t('float32'), t('char'), t('timestamptz')];

  test('one stable string per value', () => {
    expect(
      canonicalRowText(['1', 'NULL', true, Buffer.from([0, 255]), '{"b":1,"a":{"d":2,"c":[3]}}', '1.50', 3.14, 'ab  ', '2021-01-01 10:00:00+02'], types),
    ).toEqual(['1', '"NULL"', 'true', '\\x00ff', '{"a":{"c":[3],"d":2},"b":1}', '1.5', '3.14', '"ab"', '2021-01-01 08:00:00Z']);
  });

  test('NULL differs from the string "NULL"', () => {
    const [a] = canonicalRowText([null], [t('text')]);
    const [b] = canonicalRowText(['NULL'], [t('text')]);
    expect(a).toBe('NULL');
    expect(b).not.toBe(a);
  });

  test('the same value written by different dialects renders the same', () => {
    const kinds = [t('boolean'), t('int64'), t('decimal'), t('timestamptz'), t('json'), t('uuid')];
    const fromPg = [true, '9223372036854775807', '12.50', '2021-06-01 06:30:00.5Z', '{"a": 1, "b": [1]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'];
    const fromMysql = [1, 9223372036854775807n, '12.500000', '2021-06-01 06:30:00.500000', '{"b":[1],"a":1}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'];
    expect(canonicalRowText(fromMysql, kinds)).toEqual(canonicalRowText(fromPg, kinds));
    expect(rowDigest(fromMysql, kinds)).toBe(rowDigest(fromPg, kinds));
  });

  test('table checksum depends on every value and on row order', () => {
    const cols = [t('int32'), t('text')];
    const rows = [
      [1, 'a'],
      [2, null],
    ];
    const digest = tableChecksum(rows, cols);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(new TableChecksum(cols).add(rows.slice(0, 1)).add(rows.slice(1)).digest()).toBe(digest);
    expect(tableChecksum([rows[1], rows[0]], cols)).not.toBe(digest);
    expect(tableChecksum([[1, 'a'], [2, 'NULL']], cols)).not.toBe(digest);
    expect(() => canonicalRowText([1], cols)).toThrow(/2 column types/);
  });
});
