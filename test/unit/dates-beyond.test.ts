/**
 * Dates and timestamps outside the years 1–9999: PostgreSQL's era text (0044-03-15 BC) read as ISO 8601 (-0043-03-15)
 * and written back with its era, 'infinity' kept, years past 9999 kept whole; SQLite's statistics order such text as
 * time (an in-memory database).
 */
import Database from 'better-sqlite3';
import { validation as sqliteValidation } from '../../connectors/sqlite/validation';
import { canonicalValueText, normalizeDate, normalizeTimestamp, normalizeTimestamptz, timestamptzToNaiveUtc, withEra } from '../../lib/values';

describe('PostgreSQL era text as ISO 8601', () => {
  test.each([
    ['0044-03-15 BC', '-0043-03-15'],
    ['4713-01-01 BC', '-4712-01-01'],
    ['0001-12-31 BC', '0000-12-31'],
    ['0044-03-15', '0044-03-15'],
    ['12345-01-01', '12345-01-01'],
    ['infinity', 'infinity'],
    ['-infinity', '-infinity'],
    ['-0043-03-15', '-0043-03-15'],
  ])('date %s → %s', (text, iso) => {
    expect(normalizeDate(text)).toBe(iso);
  });

  test.each([
    ['0044-03-15 12:00:00.25 BC', '-0043-03-15 12:00:00.25'],
    ['0001-01-01 00:00:00 BC', '0000-01-01 00:00:00'],
    ['10000-01-01 00:00:00', '10000-01-01 00:00:00'],
    ['-infinity', '-infinity'],
  ])('timestamp %s → %s', (text, iso) => {
    expect(normalizeTimestamp(text)).toBe(iso);
  });

  test.each([
    ['0044-03-15 12:00:00+00 BC', '-0043-03-15 12:00:00Z'],
    // An offset crosses the day (and the year) as time does, BC too.
    ['0001-01-01 01:00:00+02 BC', '-0001-12-31 23:00:00Z'],
    ['12345-06-07 01:02:03+00', '12345-06-07 01:02:03Z'],
    ['infinity', 'infinity'],
  ])('timestamptz %s → %s', (text, iso) => {
    expect(normalizeTimestamptz(text)).toBe(iso);
  });

  test('validation compares the ISO text: 44 BC is never 44 AD', () => {
    expect(canonicalValueText('0044-03-15 BC', { kind: 'date' })).toBe('-0043-03-15');
    expect(canonicalValueText('-0043-03-15', { kind: 'date' })).toBe('-0043-03-15');
    expect(canonicalValueText('0044-03-15', { kind: 'date' })).not.toBe(canonicalValueText('0044-03-15 BC', { kind: 'date' }));
    expect(timestamptzToNaiveUtc('0044-03-15 12:00:00+00 BC')).toBe('-0043-03-15 12:00:00');
  });

  test.each([
    ['-0043-03-15', '0044-03-15 BC'],
    ['0000-12-31', '0001-12-31 BC'],
    ['-4712-01-01 00:00:00.5', '4713-01-01 00:00:00.5 BC'],
    ['-0043-03-15 12:00:00Z', '0044-03-15 12:00:00Z BC'],
    ['0044-03-15', '0044-03-15'],
    ['2020-01-02 03:04:05', '2020-01-02 03:04:05'],
    ['12345-01-01', '12345-01-01'],
    ['infinity', 'infinity'],
    ['-infinity', '-infinity'],
  ])('written to PostgreSQL: %s as %s', (iso, text) => {
    expect(withEra(iso)).toBe(text);
  });
});

describe('SQLite statistics order ISO text of any year as time', () => {
  const db = new Database(':memory:');
  afterAll(() => db.close());
  const extremes = (values: (string | number | null)[]) => {
    db.exec('DROP TABLE IF EXISTS t; CREATE TABLE t (c TEXT)');
    for (const v of values) db.prepare('INSERT INTO t VALUES (?)').run(v);
    return db.prepare(`SELECT ${sqliteValidation.temporalExtreme('"c"', 'MIN')} AS min, ${sqliteValidation.temporalExtreme('"c"', 'MAX')} AS max FROM t`).get();
  };

  test.each([
    [['2020-01-01', '1999-12-31 10:00:00'], '1999-12-31 10:00:00', '2020-01-01'],
    [['2020-01-01', '-0043-03-15', '-4712-01-01', '12345-01-01', '10000-01-01', '0044-03-15', null], '-4712-01-01', '12345-01-01'],
    [['-0043-03-15 12:00:00', '-0043-03-15 09:00:00', '0000-01-01'], '-0043-03-15 09:00:00', '0000-01-01'],
    [['infinity', '-infinity', '2020-01-01'], '-infinity', 'infinity'],
    [['-0043-03-15', '-0044-01-01'], '-0044-01-01', '-0043-03-15'],
    [[null], null, null],
  ])('%j: MIN %s, MAX %s', (values, min, max) => {
    expect(extremes(values)).toEqual({ min, max });
  });
});
