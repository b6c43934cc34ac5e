import { aggregateText, compareKeyTexts, compareResults, genericValueText, resultRowTexts, roundDecimalText, typeMatches } from '../../lib/validation/compare';
import { hasOrderBy } from '../../lib/validation/sql';
import { canonicalValueText } from '../../lib/values';

test('normalisation is explicit per type: decimals, time zones, booleans, JSON key order, CHAR padding', () => {
  expect(canonicalValueText('0.990', { kind: 'decimal', scale: 3 })).toBe(canonicalValueText(0.99, { kind: 'decimal', scale: 2 }));
  expect(canonicalValueText('2020-01-01 02:00:00+02', { kind: 'timestamptz' })).toBe(canonicalValueText('2020-01-01 00:00:00', { kind: 'timestamptz' }));
  expect(canonicalValueText('2020-01-01 02:00:00', { kind: 'timestamp' })).not.toBe(canonicalValueText('2020-01-01 00:00:00', { kind: 'timestamp' }));
  expect(canonicalValueText(1, { kind: 'boolean' })).toBe(canonicalValueText(true, { kind: 'boolean' }));
  expect(canonicalValueText('{"b":1,"a":2}', { kind: 'json' })).toBe(canonicalValueText({ a: 2, b: 1 }, { kind: 'json' }));
  expect(canonicalValueText('ab  ', { kind: 'char', length: 4 })).toBe(canonicalValueText('ab', { kind: 'char', length: 4 }));
  expect(canonicalValueText('ab  ', { kind: 'varchar' })).not.toBe(canonicalValueText('ab', { kind: 'varchar' }));
});

test('aggregates: decimal sums at the column scale, exact integers, floats to 12 digits', () => {
  expect(aggregateText(3680.9699999999, { kind: 'decimal', scale: 2 })).toBe('3680.97');
  expect(aggregateText('3680.97', { kind: 'decimal', scale: 2 })).toBe('3680.97');
  expect(aggregateText('9007199254740993', { kind: 'int64' })).toBe('9007199254740993');
  expect(roundDecimalText('-1.005', 2)).toBe('-1.01');
  expect(aggregateText(0.1 + 0.2, { kind: 'float64' })).toBe(aggregateText(0.3, { kind: 'float64' }));
});

test('generic result values (user queries): numbers of any spelling, booleans, CHAR padding', () => {
  expect(genericValueText('12.50')).toBe(genericValueText(12.5));
  expect(genericValueText(true)).toBe(genericValueText(1));
  expect(genericValueText('x  ')).toBe(genericValueText('x'));
  expect(genericValueText('5.2000000000000000001')).toBe(genericValueText(5.2));
});

test('result sets compare as multisets without ORDER BY, in order with it', () => {
  const a = resultRowTexts([[1, 'a'], [2, 'b']]);
  const b = resultRowTexts([[2, 'b'], [1, 'a']]);
  expect(compareResults(a, b, false).equal).toBe(true);
  const ordered = compareResults(a, b, true);
  expect(ordered.equal).toBe(false);
  const diff = compareResults(a, resultRowTexts([[1, 'a'], [3, 'c']]), false);
  expect(diff).toMatchObject({ equal: false, only_in_source: [['2', '"b"']], only_in_target: [['3', '"c"']] });
  expect(hasOrderBy('SELECT * FROM t ORDER BY id')).toBe(true);
  expect(hasOrderBy('SELECT * FROM (SELECT * FROM t ORDER BY id LIMIT 3) x')).toBe(false);
  expect(hasOrderBy("SELECT 'order by' FROM t")).toBe(false);
});

test('keys order numerically for integers; catalog spellings of types match the plan', () => {
  const int = [{ kind: 'int32' as const }];
  expect(compareKeyTexts(['9'], ['10'], int)).toBeLessThan(0);
  expect(typeMatches('INTEGER', 'integer')).toBe(true);
  expect(typeMatches('int', 'int(11)')).toBe(true);
  expect(typeMatches('VARCHAR(160)', 'character varying(160)')).toBe(true);
  expect(typeMatches('NUMERIC(10,2)', 'decimal(10,2)')).toBe(true);
  expect(typeMatches('varchar(160)', 'varchar(120)')).toBe(false);
});
