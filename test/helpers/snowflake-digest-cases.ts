/**
 * Values of every Snowflake type the digest renders, as Snowflake holds them (test/helpers/snowflake-sql-model.ts), as
 * a Snowflake SQL literal, and as PostgreSQL/MariaDB hold the same canonical values. Shared by
 * test/unit/snowflake-digest.test.ts (against the JavaScript normal form) and test/integration/snowflake-live.test.ts
 * (against a live account and PostgreSQL).
 */
import type { CanonicalType } from '../../lib/types';
import { dt, num, type SValue } from './snowflake-sql-model';

export interface SnowflakeCase {
  what: string;
  type: CanonicalType;
  /** The column's Snowflake type, as the copy creates it (connectors/snowflake/types.ts fromCanonical). */
  native: string;
  /** The value as Snowflake holds it. */
  snowflake: SValue;
  /** The same value as a Snowflake SQL expression. */
  literal: string;
  /** The value in canonical text (timestamptz in UTC), as PostgreSQL/MariaDB hold it; null: NULL. */
  canonical: string | Buffer | null;
}

const dec: CanonicalType = { kind: 'decimal', precision: 10, scale: 2 };
const decimal = (text: string): SnowflakeCase => ({ what: `decimal ${text}`, type: dec, native: 'NUMBER(10,2)', snowflake: num(text, 2), literal: `${text}::NUMBER(10,2)`, canonical: text });

export const CASES: SnowflakeCase[] = [
  { what: 'int32', type: { kind: 'int32' }, native: 'NUMBER(10,0)', snowflake: num('-42'), literal: '-42', canonical: '-42' },
  { what: 'int64 at its least', type: { kind: 'int64' }, native: 'NUMBER(19,0)', snowflake: num('-9223372036854775808'), literal: '-9223372036854775808', canonical: '-9223372036854775808' },
  decimal('1.50'),
  decimal('0.50'),
  decimal('-0.05'),
  decimal('10.00'),
  decimal('0.00'),
  decimal('-12.34'),
  {
    what: 'unconstrained decimal (NUMBER(38,10))',
    type: { kind: 'decimal' },
    native: 'NUMBER(38,10)',
    snowflake: num('123.456', 10),
    literal: '123.456::NUMBER(38,10)',
    canonical: '123.456',
  },
  { what: 'decimal of scale 0', type: { kind: 'decimal', precision: 38, scale: 0 }, native: 'NUMBER(38,0)', snowflake: num('12345678901234567890123456789012345678'), literal: '12345678901234567890123456789012345678', canonical: '12345678901234567890123456789012345678' },
  { what: 'boolean true', type: { kind: 'boolean' }, native: 'BOOLEAN', snowflake: true, literal: 'TRUE', canonical: 'true' },
  { what: 'boolean false', type: { kind: 'boolean' }, native: 'BOOLEAN', snowflake: false, literal: 'FALSE', canonical: 'false' },
  { what: 'text, multi-byte', type: { kind: 'text' }, native: 'VARCHAR', snowflake: 'héllo 🌍 ✓', literal: "'héllo 🌍 ✓'", canonical: 'héllo 🌍 ✓' },
  { what: 'text, empty', type: { kind: 'text' }, native: 'VARCHAR', snowflake: '', literal: "''", canonical: '' },
  { what: 'text holding | and ~', type: { kind: 'varchar', length: 20 }, native: 'VARCHAR(20)', snowflake: 'a|b~', literal: "'a|b~'", canonical: 'a|b~' },
  { what: 'char with trailing spaces', type: { kind: 'char', length: 5 }, native: 'VARCHAR(5)', snowflake: 'ab   ', literal: "'ab   '", canonical: 'ab   ' },
  { what: 'enum', type: { kind: 'enum', values: ['small', 'large'] }, native: 'VARCHAR(5)', snowflake: 'large', literal: "'large'", canonical: 'large' },
  {
    what: 'uuid in upper case',
    type: { kind: 'uuid' },
    native: 'VARCHAR(36)',
    snowflake: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
    literal: "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'",
    canonical: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  },
  { what: 'time', type: { kind: 'time', precision: 6 }, native: 'TIME(6)', snowflake: dt('time', '23:59:59.999999'), literal: "'23:59:59.999999'::TIME(6)", canonical: '23:59:59.999999' },
  { what: 'time without a fraction', type: { kind: 'time', precision: 6 }, native: 'TIME(6)', snowflake: dt('time', '10:00:00'), literal: "'10:00:00'::TIME(6)", canonical: '10:00:00' },
  { what: 'date, leap day', type: { kind: 'date' }, native: 'DATE', snowflake: dt('date', '2020-02-29'), literal: "'2020-02-29'::DATE", canonical: '2020-02-29' },
  { what: 'date, year 1', type: { kind: 'date' }, native: 'DATE', snowflake: dt('date', '0001-01-01'), literal: "'0001-01-01'::DATE", canonical: '0001-01-01' },
  {
    what: 'timestamp',
    type: { kind: 'timestamp', precision: 6 },
    native: 'TIMESTAMP_NTZ(6)',
    snowflake: dt('ntz', '2020-01-02 03:04:05.000006'),
    literal: "'2020-01-02 03:04:05.000006'::TIMESTAMP_NTZ(6)",
    canonical: '2020-01-02 03:04:05.000006',
  },
  {
    what: 'timestamp of nine digits (a Snowflake source: read cut to six)',
    type: { kind: 'timestamp', precision: 6 },
    native: 'TIMESTAMP_NTZ(9)',
    snowflake: dt('ntz', '2020-01-02 03:04:05.123456789'),
    literal: "'2020-01-02 03:04:05.123456789'::TIMESTAMP_NTZ(9)",
    canonical: '2020-01-02 03:04:05.123456',
  },
  {
    what: 'timestamptz written at +02:00',
    type: { kind: 'timestamptz', precision: 6 },
    native: 'TIMESTAMP_TZ(6)',
    snowflake: dt('tz', '2021-06-01 14:00:00.5', 120),
    literal: "'2021-06-01 14:00:00.5 +02:00'::TIMESTAMP_TZ(6)",
    canonical: '2021-06-01 12:00:00.5',
  },
  {
    what: 'timestamptz across midnight',
    type: { kind: 'timestamptz', precision: 6 },
    native: 'TIMESTAMP_TZ(6)',
    snowflake: dt('tz', '2021-01-01 01:30:00', 180),
    literal: "'2021-01-01 01:30:00 +03:00'::TIMESTAMP_TZ(6)",
    canonical: '2020-12-31 22:30:00',
  },
  {
    what: 'timestamptz as TIMESTAMP_LTZ',
    type: { kind: 'timestamptz', precision: 6 },
    native: 'TIMESTAMP_LTZ(6)',
    snowflake: dt('ltz', '2022-03-04 05:06:07.08', 0),
    literal: "'2022-03-04 05:06:07.08 +00:00'::TIMESTAMP_LTZ(6)",
    canonical: '2022-03-04 05:06:07.08',
  },
  { what: 'binary', type: { kind: 'binary' }, native: 'BINARY', snowflake: Buffer.from('00ff10', 'hex'), literal: "TO_BINARY('00ff10', 'HEX')", canonical: Buffer.from('00ff10', 'hex') },
  { what: 'binary, empty', type: { kind: 'binary' }, native: 'BINARY', snowflake: Buffer.alloc(0), literal: "TO_BINARY('', 'HEX')", canonical: Buffer.alloc(0) },
];
