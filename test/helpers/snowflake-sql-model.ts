/**
 * The Snowflake functions Sensei's digest SQL uses (connectors/snowflake/validation.ts), modelled in JavaScript as
 * Snowflake's documentation describes them, for the expression evaluator of ./sql-expression.ts. NOT Snowflake: no
 * account is reachable where Sensei is built, so this is how the unit tests check that the pieces, put together as the
 * generated SQL puts them, give the same text as PostgreSQL's and MariaDB's digests. Where the model is wrong about
 * Snowflake, the tests are too; test/integration/snowflake-live.test.ts checks the real thing when
 * SENSEI_TEST_SNOWFLAKE_URL is set.
 *
 * Modelled (session TIMEZONE UTC):
 * - '' is a value, not NULL; || of a NULL is NULL;
 * - TO_VARCHAR(number): a NUMBER(p,s) with exactly s fraction digits ('1.50', '0.50', '-0.50'); with
 *   `leadingZero: false` the model prints none ('.50'), to show the SQL does not depend on it;
 * - TO_VARCHAR(datetime, mask) for YYYY, MM, DD, HH24, MI, SS, FF6 (the first six of nine fraction digits) and the
 *   punctuation - : . and space; TO_VARCHAR(binary, 'HEX'): upper-case hex; TO_VARCHAR(boolean): 'true'/'false';
 * - OCTET_LENGTH: UTF-8 bytes of text, bytes of binary; RTRIM(s, set), LOWER, SUBSTR (1-based), CONTAINS,
 *   STARTSWITH, NVL, CONVERT_TIMEZONE('UTC', t): the instant in UTC; MD5: lower-case hex of the text's UTF-8 bytes;
 * - CASE (the branches not taken are not evaluated), AND, OR, IS [NOT] NULL, comparisons of numbers and of texts, + - * /.
 */
import { createHash } from 'node:crypto';
import { evaluateWith, formatDateTime, type DateTimeFields, type Semantics, type Truth } from './sql-expression';

export type SValue = null | string | boolean | Buffer | SNumber | SDateTime;

/** A NUMBER(p,s), by its exact decimal text and its scale. */
export interface SNumber {
  t: 'num';
  v: string;
  scale: number;
}

/** DATE, TIME, TIMESTAMP_NTZ / _TZ / _LTZ; offset in minutes (TZ). */
export interface SDateTime extends DateTimeFields {
  t: 'ts';
  type: 'date' | 'time' | 'ntz' | 'tz' | 'ltz';
  offset?: number;
}

export const num = (v: string, scale = 0): SNumber => ({ t: 'num', v, scale });

/** A value from 'YYYY-MM-DD[ HH:MI:SS[.f]]' or 'HH:MI:SS[.f]' (TIME). */
export function dt(type: SDateTime['type'], text: string, offset?: number): SDateTime {
  const m = /^(?:(\d{4})-(\d{2})-(\d{2}))? ?(?:(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?$/.exec(text);
  if (!m) throw new Error(`bad datetime ${text}`);
  return {
    t: 'ts',
    type,
    year: Number(m[1] ?? 1970),
    month: Number(m[2] ?? 1),
    day: Number(m[3] ?? 1),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    frac: (m[7] ?? '').padEnd(9, '0'),
    ...(offset === undefined ? {} : { offset }),
  };
}

const isNum = (v: SValue): v is SNumber => v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && v.t === 'num';
const isDateTime = (v: SValue): v is SDateTime => v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && v.t === 'ts';

/** A NUMBER with exactly `scale` fraction digits (rounded half away from zero, as Snowflake rounds into a scale). */
function numberText(v: string, scale: number, leadingZero: boolean): string {
  const negative = v.startsWith('-');
  const [int, frac = ''] = v.replace(/^-/, '').split('.');
  let digits = BigInt((int || '0') + frac.padEnd(scale, '0').slice(0, scale));
  if (Number(frac[scale] ?? '0') >= 5) digits += 1n;
  const text = digits.toString().padStart(scale + 1, '0');
  const whole = text.slice(0, text.length - scale);
  const body = scale > 0 ? `${whole === '0' && !leadingZero ? '' : whole}.${text.slice(text.length - scale)}` : whole;
  return (negative && digits !== 0n ? '-' : '') + body;
}

/** The instant in UTC (an LTZ value is one already: the session is at UTC). */
function utc(v: SDateTime): SDateTime {
  const d = new Date(Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute - (v.offset ?? 0), v.second));
  return { ...v, type: 'tz', year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), offset: 0 };
}

function numberValue(v: SValue): number {
  if (isNum(v)) return Number(v.v);
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

function model(leadingZero: boolean): Semantics<SValue> {
  /** A value where text is expected (|| and the string functions convert as TO_VARCHAR does without a format). */
  const text = (v: SValue): string | null => {
    if (v === null) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (isNum(v)) return numberText(v.v, v.scale, leadingZero);
    throw new Error(`text of ${Buffer.isBuffer(v) ? 'BINARY' : 'a datetime'} without a format is not modelled (the session's output formats)`);
  };
  const strict = (v: SValue): string => {
    const s = text(v);
    if (s === null) throw new Error('NULL where the digest never passes one');
    return s;
  };
  const functions: Record<string, (args: SValue[]) => SValue> = {
    TO_VARCHAR: ([v, format]) => {
      if (v === null) return null;
      if (format === undefined) return text(v);
      if (Buffer.isBuffer(v)) {
        if (format !== 'HEX') throw new Error(`binary format ${String(format)} is not modelled`);
        return v.toString('hex').toUpperCase();
      }
      if (!isDateTime(v)) throw new Error('a format for a value that is not a datetime or binary');
      if (v.type === 'tz' && v.offset !== 0) throw new Error('a TIMESTAMP_TZ printed in its own offset (convert it to UTC first)');
      return formatDateTime(v, String(format));
    },
    OCTET_LENGTH: ([v]) => (v === null ? null : num(String(Buffer.isBuffer(v) ? v.length : Buffer.byteLength(strict(v), 'utf8')))),
    RTRIM: ([v, set]) => {
      const s = text(v);
      if (s === null) return null;
      let end = s.length;
      while (end > 0 && strict(set ?? ' ').includes(s[end - 1])) end--;
      return s.slice(0, end);
    },
    LOWER: ([v]) => (v === null ? null : strict(v).toLowerCase()),
    SUBSTR: ([v, pos, len]) => {
      if (v === null) return null;
      const s = strict(v);
      const p = Math.max(1, numberValue(pos));
      return len === undefined ? s.slice(p - 1) : s.slice(p - 1, p - 1 + numberValue(len));
    },
    CONTAINS: ([v, sub]) => (v === null ? null : strict(v).includes(strict(sub))),
    STARTSWITH: ([v, prefix]) => (v === null ? null : strict(v).startsWith(strict(prefix))),
    NVL: ([a, b]) => (a === null ? b : a),
    COALESCE: (args) => args.find((a) => a !== null) ?? null,
    CONVERT_TIMEZONE: ([zone, v]) => {
      if (zone !== 'UTC') throw new Error(`CONVERT_TIMEZONE to ${String(zone)} is not modelled`);
      if (v === null) return null;
      if (!isDateTime(v) || (v.type !== 'tz' && v.type !== 'ltz')) throw new Error('CONVERT_TIMEZONE of one argument pair takes a TIMESTAMP_TZ or _LTZ here');
      return utc(v);
    },
    MD5: ([v]) => createHash('md5').update(strict(v), 'utf8').digest('hex'),
  };
  return {
    literal: (s) => s,
    number: (s) => num(s, s.includes('.') ? s.split('.')[1].length : 0),
    concat: (a, b) => (a === null || b === null ? null : strict(a) + strict(b)),
    arithmetic: (op, a, b) => {
      if (a === null || b === null) return null;
      const [x, y] = [numberValue(a), numberValue(b)];
      return num(String(op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y));
    },
    compare: (a, b) => (typeof a === 'string' && typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : numberValue(a) - numberValue(b)),
    isNull: (v) => v === null,
    nullValue: null,
    truth: (v): Truth => (v === null ? 'UNKNOWN' : v === true ? 'TRUE' : v === false ? 'FALSE' : (() => {
      throw new Error(`not a condition: ${JSON.stringify(v)}`);
    })()),
    fromTruth: (t) => (t === 'UNKNOWN' ? null : t === 'TRUE'),
    functions,
  };
}

const MODELS = { true: model(true), false: model(false) };

/** Evaluates one expression with these column values (by name, as quoted in the SQL). */
export function evaluate(sql: string, columns: Record<string, SValue>, options: { leadingZero?: boolean } = {}): SValue {
  return evaluateWith(MODELS[options.leadingZero === false ? 'false' : 'true'], sql, columns);
}
