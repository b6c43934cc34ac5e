/**
 * Dates and timestamps outside the years 1–9999: PostgreSQL's era text (0044-03-15 BC) read as ISO 8601 (-0043-03-15)
 * and written back with its era, 'infinity' kept, years past 9999 kept whole; SQLite's statistics order such text as
 * time (an in-memory database); what a target's date types cannot hold is said at the gate and refused on the copy;
 * a date edited to text keeps every value.
 */
import Database from 'better-sqlite3';
import { dialectNamed } from '../../connectors/dialects';
import { validation as sqliteValidation } from '../../connectors/sqlite/validation';
import { toCanonical } from '../../connectors/mysql/types';
import { planMigration } from '../../lib/mapping';
import { applyMappingEdits, editConfidence } from '../../lib/mapping-edit';
import { keptAsText, rangeCheckedColumns, temporalRangeNote, temporalRefusal } from '../../lib/temporal-range';
import type { ColumnMapping, SchemaInfo } from '../../lib/types';
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

  test('a date key orders as time (the generated suite orders its top rows by key)', () => {
    db.exec('DROP TABLE IF EXISTS k; CREATE TABLE k (day DATE PRIMARY KEY)');
    const days = ['-infinity', '-4712-01-01', '-0043-03-15', '0000-01-01', '0044-03-15', '2020-01-01', '12345-01-01', 'infinity'];
    for (const d of [...days].reverse()) db.prepare('INSERT INTO k VALUES (?)').run(d);
    const order = sqliteValidation.keyOrder('"day"', { kind: 'date' });
    expect(db.prepare(`SELECT day FROM k ORDER BY ${order}`).all()).toEqual(days.map((day) => ({ day })));
  });
});

describe('what a target cannot hold', () => {
  const maria = dialectNamed('mysql').types!.temporalRange!;
  const pg = dialectNamed('postgresql').types!.temporalRange!;

  test.each([
    ['-0043-03-15', 'date', 'a date BC'],
    ['0000-12-31 10:00:00', 'timestamp', 'a timestamp BC'],
    ['infinity', 'date', "'infinity' or '-infinity'"],
    ['-infinity', 'timestamptz', "'infinity' or '-infinity'"],
    ['12345-01-01', 'date', 'a year after 9999'],
    ['10000-01-01 00:00:00Z', 'timestamptz', 'a year after 9999'],
    ['0001-01-01', 'date', null],
    ['0044-03-15 12:00:00', 'timestamp', null],
    ['9999-12-31 23:59:59.999999', 'timestamp', null],
  ] as const)('MariaDB: %s (%s) → %s', (value, kind, why) => {
    expect(temporalRefusal(value, kind, maria)).toBe(why);
  });

  test('PostgreSQL holds 4713 BC to its own ends, and ±infinity', () => {
    expect(temporalRefusal('-4712-01-01', 'date', pg)).toBeNull();
    expect(temporalRefusal('infinity', 'timestamptz', pg)).toBeNull();
    expect(temporalRefusal('-4713-12-31', 'date', pg)).toBe('a year before 4713 BC');
    expect(temporalRefusal('300000-01-01 00:00:00', 'timestamp', pg)).toBe('a year after 294276');
    expect(temporalRefusal('300000-01-01', 'date', pg)).toBeNull();
  });

  test('the gate says it for PostgreSQL → MariaDB dates and timestamps, never for text targets, SQLite or the same dialect', () => {
    expect(temporalRangeNote('postgresql', 'mysql', { kind: 'date' }, 'DATE')).toBe(
      "years BC, 'infinity' and '-infinity', and years after 9999 (which PostgreSQL holds) have no equal in MariaDB/MySQL DATE (years 1 to 9999): a row holding one is rejected by key, never changed",
    );
    expect(temporalRangeNote('postgresql', 'mysql', { kind: 'timestamptz' }, 'DATETIME(6)')).toContain('MariaDB/MySQL DATETIME(6) (years 1 to 9999)');
    expect(temporalRangeNote('postgresql', 'mysql', { kind: 'date' }, 'DATE', true)).toMatch(/: a row holding one is rejected, never changed; the table has no key, so it is named by its values' digest/);
    expect(temporalRangeNote('postgresql', 'mysql', { kind: 'date' }, 'LONGTEXT')).toBeUndefined();
    expect(temporalRangeNote('postgresql', 'mysql', { kind: 'time' }, 'TIME(6)')).toBeUndefined();
    expect(temporalRangeNote('postgresql', 'sqlite', { kind: 'date' }, 'DATE')).toBeUndefined();
    expect(temporalRangeNote('postgresql', 'postgresql', { kind: 'date' }, 'date')).toBeUndefined();
    // Oracle holds years BC (to 4713 BC), not ±infinity or years past 9999.
    expect(temporalRangeNote('postgresql', 'oracle', { kind: 'date' }, 'DATE')).toBe(
      "'infinity' and '-infinity', and years after 9999 (which PostgreSQL holds) have no equal in Oracle DATE (years 4713 BC to 9999): a row holding one is rejected by key, never changed",
    );
    // MariaDB's years all fit PostgreSQL's.
    expect(temporalRangeNote('mysql', 'postgresql', { kind: 'date' }, 'date')).toBeUndefined();
  });

  test('the copy checks the columns whose target type is a date or timestamp type', () => {
    const column = (name: string, kind: 'date' | 'timestamp' | 'text', targetType: string): ColumnMapping => ({
      id: `t.${name}`,
      table: 't',
      column: name,
      sourceType: kind,
      canonical: { kind },
      nullable: true,
      targetType,
      confidence: 1,
    });
    const columns = [column('a', 'date', 'DATE'), column('b', 'date', 'LONGTEXT'), column('c', 'timestamp', 'DATETIME(6)'), column('d', 'text', 'LONGTEXT')];
    expect(rangeCheckedColumns('mysql', columns).map((c) => [c.position, c.type])).toEqual([
      [0, 'MariaDB/MySQL DATE'],
      [2, 'MariaDB/MySQL DATETIME(6)'],
    ]);
    expect(rangeCheckedColumns('sqlite', columns)).toEqual([]);
    // Kept as text: edited so (the target would declare a date type); SQLite's own TEXT for a timestamptz is not.
    expect(keptAsText('mysql', { columns })).toEqual([false, true, false, false]);
    expect(keptAsText('mysql', { native: true, columns })).toEqual([false, false, false, false]);
    const tz = { ...column('t', 'timestamp', 'TEXT'), canonical: { kind: 'timestamptz' as const } };
    expect(keptAsText('sqlite', { columns: [tz, column('e', 'date', 'TEXT'), column('f', 'date', 'DATE')] })).toEqual([false, true, false]);
    // Mapped to TEXT by hand at the gate, it is: the source's own text, zero dates too (before, they were read as NULL).
    expect(keptAsText('sqlite', { columns: [{ ...tz, note: 'edited by hand: timestamp with time zone → TEXT' }, { ...tz, note: 'edited by hand', targetType: 'INTEGER' }] })).toEqual([true, false]);
    expect(keptAsText('postgresql', { columns: [column('g', 'date', 'text'), column('h', 'timestamp', 'timestamp(6) without time zone')] })).toEqual([true, false]);
  });

  test('a date or timestamp edited to text keeps every value (with the patch); too short a VARCHAR is said', () => {
    expect(editConfidence({ kind: 'date' }, { kind: 'text' }, true).confidence).toBe(0.9);
    expect(editConfidence({ kind: 'timestamptz' }, { kind: 'varchar', length: 29 }, true)).toEqual({ confidence: 0.9, note: expect.stringContaining(', in UTC') });
    expect(editConfidence({ kind: 'timestamp' }, { kind: 'varchar', length: 19 }, true)).toEqual({ confidence: 0.6, note: expect.stringContaining('at most 19 characters') });
    // Edits a workflow made before the patch are judged as they were.
    expect(editConfidence({ kind: 'date' }, { kind: 'text' })).toEqual({ confidence: 0.5, note: 'a different kind of type (date → text): the target converts values and may reject some' });
  });
});

describe('a MariaDB TIMESTAMP mapped to TEXT by hand for SQLite', () => {
  test('its note no longer says zero dates are read as NULL (its values are the source text now), from the first edit', () => {
    const schema: SchemaInfo = {
      dialect: 'mysql',
      schema: 'db',
      tables: [
        {
          name: 'grants',
          columns: [
            { name: 'id', nativeType: 'int', type: { kind: 'int32' }, nullable: false, default: null },
            { name: 'ts', nativeType: 'timestamp', type: toCanonical({ columnType: 'timestamp', notNull: true }), nullable: false, default: null },
          ],
          primaryKey: ['id'],
          foreignKeys: [],
          uniqueConstraints: [],
          indexes: [],
          rowEstimate: 1,
        },
      ],
    };
    const plan = planMigration(schema, 'sqlite', { targetSchema: 'main' });
    expect(plan.tables[0].columns[1]).toMatchObject({ targetType: 'TEXT', note: expect.stringMatching(/zero date/) });
    const { edited } = applyMappingEdits(plan, [{ id: 'grants.ts', target_type: 'TEXT' }], { datesAsText: true });
    expect(edited[0].note).toMatch(/^edited by hand/);
    expect(edited[0].note).not.toMatch(/rejected|NULL/);
    expect(keptAsText('sqlite', { columns: edited })).toEqual([true]);
  });
});
