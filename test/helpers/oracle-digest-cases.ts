/**
 * Values of every Oracle type the digest renders, as Oracle holds them (test/helpers/oracle-sql-model.ts) and as
 * PostgreSQL/MariaDB hold the same canonical values, with the normal form PostgreSQL and MariaDB print for them
 * (lib/validation/digest.ts). Shared by test/unit/oracle-digest.test.ts (against the JavaScript normal form) and
 * test/integration/oracle-digest-pg.test.ts (against a live PostgreSQL).
 */
import type { CanonicalType } from '../../lib/types';
import { num, ts, type OValue } from './oracle-sql-model';

export { normalForm } from './normal-form';

export interface Case {
  what: string;
  type: CanonicalType;
  native: string;
  /** The value as Oracle holds it. */
  oracle: OValue;
  /** The same value as PostgreSQL/MariaDB hold it, in canonical text (null: NULL); a year BC as its positive year. */
  canonical: string | Buffer | null;
  /** A year BC (PostgreSQL's literal: canonical + ' BC'). */
  bc?: boolean;
}

export const int32: CanonicalType = { kind: 'int32' };
export const dec: CanonicalType = { kind: 'decimal', precision: 10, scale: 2 };
export const CASES: Case[] = [
  { what: 'a negative integer', type: int32, native: 'NUMBER(10)', oracle: num('-12'), canonical: '-12' },
  { what: 'zero', type: int32, native: 'NUMBER(10)', oracle: num('0'), canonical: '0' },
  { what: 'the largest bigint', type: { kind: 'int64' }, native: 'NUMBER(19)', oracle: num('9223372036854775807'), canonical: '9223372036854775807' },
  { what: 'a decimal under one (TO_CHAR prints .5)', type: dec, native: 'NUMBER(10,2)', oracle: num('0.50'), canonical: '0.50' },
  { what: 'a negative decimal under one (-.01)', type: dec, native: 'NUMBER(10,2)', oracle: num('-0.01'), canonical: '-0.0100' },
  { what: 'a decimal with zero fraction', type: dec, native: 'NUMBER(10,2)', oracle: num('100.00'), canonical: '100.00' },
  { what: 'a decimal zero', type: dec, native: 'NUMBER(10,2)', oracle: num('0'), canonical: '0.00' },
  { what: 'NUMBER without precision, 29 digits', type: { kind: 'decimal' }, native: 'NUMBER', oracle: num('12345678901234567890.123456789'), canonical: '12345678901234567890.123456789' },
  { what: 'FLOAT (a decimal NUMBER)', type: { kind: 'decimal' }, native: 'FLOAT(126)', oracle: num('-1234.5'), canonical: '-1234.5' },
  { what: 'true as NUMBER(1)', type: { kind: 'boolean' }, native: 'NUMBER(1)', oracle: num('1'), canonical: 'true' },
  { what: 'false as NUMBER(1)', type: { kind: 'boolean' }, native: 'NUMBER(1)', oracle: num('0'), canonical: 'false' },
  { what: 'UTF-8 text of four-byte characters', type: { kind: 'varchar', length: 20 }, native: 'VARCHAR2(20 CHAR)', oracle: 'héllo 🌍 ✓', canonical: 'héllo 🌍 ✓' },
  { what: 'text holding | and a newline', type: { kind: 'text' }, native: 'VARCHAR2(4000 BYTE)', oracle: 'a|b\nc', canonical: 'a|b\nc' },
  { what: 'text "~" (not NULL)', type: { kind: 'varchar', length: 20 }, native: 'VARCHAR2(20 BYTE)', oracle: '~', canonical: '~' },
  { what: 'text with a trailing space', type: { kind: 'varchar', length: 20 }, native: 'VARCHAR2(20 CHAR)', oracle: 'x y ', canonical: 'x y ' },
  { what: 'NVARCHAR2 (converted to the database character set)', type: { kind: 'varchar', length: 20 }, native: 'NVARCHAR2(20)', oracle: { t: 'nchar', v: 'héllo 🌍' }, canonical: 'héllo 🌍' },
  { what: 'CHAR padded', type: { kind: 'char', length: 5 }, native: 'CHAR(5 CHAR)', oracle: 'ab   ', canonical: 'ab' },
  { what: 'CHAR all blank (RTRIM gives NULL in Oracle)', type: { kind: 'char', length: 5 }, native: 'CHAR(5 BYTE)', oracle: '     ', canonical: '' },
  { what: 'NCHAR padded', type: { kind: 'char', length: 5 }, native: 'NCHAR(5)', oracle: { t: 'nchar', v: 'é    ' }, canonical: 'é' },
  { what: 'a CLOB', type: { kind: 'text' }, native: 'CLOB', oracle: { t: 'clob', v: 'x y ✓' }, canonical: 'x y ✓' },
  { what: 'an empty CLOB (a LOB of length 0, not NULL)', type: { kind: 'text' }, native: 'CLOB', oracle: { t: 'clob', v: '' }, canonical: '' },
  { what: 'an NCLOB', type: { kind: 'text' }, native: 'NCLOB', oracle: { t: 'nclob', v: 'ü🌍' }, canonical: 'ü🌍' },
  { what: 'an INTERVAL DAY TO SECOND read as its text', type: { kind: 'varchar', length: 32 }, native: 'INTERVAL DAY(2) TO SECOND(6)', oracle: { t: 'interval', text: '+01 02:03:04.500000' }, canonical: '+01 02:03:04.500000' },
  { what: 'an INTERVAL YEAR TO MONTH read as its text', type: { kind: 'varchar', length: 32 }, native: 'INTERVAL YEAR(2) TO MONTH', oracle: { t: 'interval', text: '-02-03' }, canonical: '-02-03' },
  { what: 'an enum label', type: { kind: 'enum', values: ['sad', 'ok'] }, native: 'VARCHAR2(3 CHAR)', oracle: 'ok', canonical: 'ok' },
  { what: 'a uuid written lower case', type: { kind: 'uuid' }, native: 'VARCHAR2(36 CHAR)', oracle: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', canonical: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' },
  { what: 'a time with a fraction (text)', type: { kind: 'time', precision: 6 }, native: 'VARCHAR2(15 CHAR)', oracle: '12:30:00.25', canonical: '12:30:00.25' },
  { what: 'a time without one', type: { kind: 'time', precision: 6 }, native: 'VARCHAR2(15 CHAR)', oracle: '23:59:59', canonical: '23:59:59' },
  { what: 'a date (Oracle DATE at midnight)', type: { kind: 'date' }, native: 'DATE', oracle: ts('2020-02-29', { date: true }), canonical: '2020-02-29' },
  { what: 'a date of year 1', type: { kind: 'date' }, native: 'DATE', oracle: ts('0001-01-01', { date: true }), canonical: '0001-01-01' },
  { what: 'a date BC (Oracle -44 is 44 BC)', type: { kind: 'date' }, native: 'DATE', oracle: ts('-0044-03-15', { date: true }), canonical: '0044-03-15', bc: true },
  { what: 'an Oracle DATE read as a timestamp', type: { kind: 'timestamp', precision: 0 }, native: 'DATE', oracle: ts('2020-01-02 03:04:05', { date: true }), canonical: '2020-01-02 03:04:05' },
  { what: 'a TIMESTAMP(6) with a tenth', type: { kind: 'timestamp', precision: 6 }, native: 'TIMESTAMP(6)', oracle: ts('1970-01-01 00:00:00.1'), canonical: '1970-01-01 00:00:00.1' },
  { what: 'a TIMESTAMP(6) microsecond', type: { kind: 'timestamp', precision: 6 }, native: 'TIMESTAMP(6)', oracle: ts('2020-01-02 03:04:05.000006'), canonical: '2020-01-02 03:04:05.000006' },
  {
    what: 'a TIMESTAMP(9) as the copy read it (FF6)',
    type: { kind: 'timestamp', precision: 6 },
    native: 'TIMESTAMP(9)',
    oracle: ts('2020-01-02 03:04:05.123456789'),
    canonical: '2020-01-02 03:04:05.123456',
  },
  {
    what: 'a TIMESTAMP WITH TIME ZONE at +02:00, in UTC',
    type: { kind: 'timestamptz', precision: 6 },
    native: 'TIMESTAMP(6) WITH TIME ZONE',
    oracle: ts('2020-01-02 05:04:05.123456', { offset: 120 }),
    canonical: '2020-01-02 03:04:05.123456',
  },
  {
    what: 'a TIMESTAMP WITH LOCAL TIME ZONE',
    type: { kind: 'timestamptz', precision: 6 },
    native: 'TIMESTAMP(6) WITH LOCAL TIME ZONE',
    oracle: ts('2021-06-01 12:00:00.5', { offset: 0, local: true }),
    canonical: '2021-06-01 12:00:00.5',
  },
  { what: 'a timestamp BC with a fraction', type: { kind: 'timestamp', precision: 6 }, native: 'TIMESTAMP(6)', oracle: ts('-0044-03-15 01:02:03.5'), canonical: '0044-03-15 01:02:03.5', bc: true },
  { what: 'a timestamp BC without one', type: { kind: 'timestamp', precision: 6 }, native: 'TIMESTAMP(6)', oracle: ts('-0044-03-15 01:02:03'), canonical: '0044-03-15 01:02:03', bc: true },
  { what: 'a DATE BC read as a timestamp', type: { kind: 'timestamp', precision: 0 }, native: 'DATE', oracle: ts('-0001-12-31 23:59:59', { date: true }), canonical: '0001-12-31 23:59:59', bc: true },
  { what: 'a timestamp BC of six fraction digits', type: { kind: 'timestamp', precision: 6 }, native: 'TIMESTAMP(6)', oracle: ts('-0044-03-15 01:02:03.123456'), canonical: '0044-03-15 01:02:03.123456', bc: true },
  { what: 'RAW', type: { kind: 'binary', length: 16 }, native: 'RAW(16)', oracle: Buffer.from('00ff', 'hex'), canonical: Buffer.from('00ff', 'hex') },
  { what: 'a BLOB', type: { kind: 'binary' }, native: 'BLOB', oracle: { t: 'blob', v: Buffer.from('deadbeef', 'hex') }, canonical: Buffer.from('deadbeef', 'hex') },
  { what: 'an empty BLOB (not NULL)', type: { kind: 'binary' }, native: 'BLOB', oracle: { t: 'blob', v: Buffer.alloc(0) }, canonical: Buffer.alloc(0) },
];

/** The PostgreSQL type that holds a case's canonical value. */
export function pgType(t: CanonicalType): string {
  switch (t.kind) {
    case 'int16':
      return 'smallint';
    case 'int32':
      return 'integer';
    case 'int64':
      return 'bigint';
    case 'decimal':
      return t.precision === undefined ? 'numeric' : `numeric(${t.precision},${t.scale ?? 0})`;
    case 'char':
      return `character(${t.length ?? 1})`;
    case 'varchar':
      return t.length === undefined ? 'text' : `varchar(${t.length})`;
    case 'time':
      return 'time(6)';
    case 'timestamp':
      return 'timestamp(6)';
    case 'timestamptz':
      return 'timestamptz(6)';
    case 'binary':
      return 'bytea';
    case 'enum':
      return 'text';
    default:
      return t.kind;
  }
}

/** The canonical value as a PostgreSQL parameter (a year BC with BC, a zoned one in UTC). */
export function pgValue(c: Case): string | Buffer | null {
  if (c.canonical === null || Buffer.isBuffer(c.canonical)) return c.canonical;
  if (c.type.kind === 'timestamptz') return `${c.canonical}+00`;
  return c.bc ? `${c.canonical} BC` : c.canonical;
}
