/**
 * The Oracle functions Sensei's digest SQL uses (connectors/oracle/validation.ts), modelled in JavaScript as Oracle's
 * documentation describes them, for the expression evaluator of ./sql-expression.ts. NOT Oracle: no server runs where
 * Sensei is built, so this is how the unit tests check that the pieces, put together as the generated SQL puts them,
 * give the same text as PostgreSQL's and MariaDB's digests. Where the model is wrong about Oracle, the tests are too;
 * test/integration/oracle-live.test.ts checks the real thing when SENSEI_TEST_ORACLE_URL is set.
 *
 * Modelled (database character set AL32UTF8, session TIME_ZONE UTC, NLS_NUMERIC_CHARACTERS '.,'):
 * - '' is NULL: every function and || result that is an empty string is NULL; || treats NULL as '';
 * - TO_CHAR(number): the shortest exact text, no trailing fraction zeros, no leading zero before the point ('.5',
 *   '-.5'), scientific notation when the text would pass 64 characters;
 * - TO_CHAR(datetime, mask) for YYYY (no sign: 44 BC is 0044), MM, DD, HH24, MI, SS, FF6 (the first six of nine
 *   fraction digits) and the punctuation - : . and space; a DATE has no fraction;
 * - LENGTHB: UTF-8 bytes; LENGTH: characters; RTRIM(s, set), LOWER, REPLACE, INSTR (1-based, 0 when absent),
 *   RPAD, SUBSTR (position 0 is 1, past the end NULL), NVL, NVL2, RAWTOHEX (upper case), DBMS_LOB.SUBSTR /
 *   GETLENGTH (characters of a CLOB, bytes of a BLOB; an empty LOB's SUBSTR is NULL), UTL_RAW.LENGTH,
 *   SYS_EXTRACT_UTC, CAST(… AS TIMESTAMP WITH TIME ZONE) of a local time zone value;
 * - STANDARD_HASH(text, 'MD5'): md5 of the text's UTF-8 bytes, a RAW;
 * - CASE (the branches not taken are not evaluated), AND, OR, IS [NOT] NULL, comparisons, + - * /.
 */
import { createHash } from 'node:crypto';
import { evaluateWith, formatDateTime, type DateTimeFields, type Semantics } from './sql-expression';

export type OValue = null | string | ONumber | ODateTime | Buffer | OLob | ONational | OInterval;

/** A NUMBER, as its exact decimal text ('-0.5', '100'). */
export interface ONumber {
  t: 'num';
  v: string;
}
/** DATE or TIMESTAMP [WITH [LOCAL] TIME ZONE]; year as Oracle counts it (-44 is 44 BC); offset in minutes when zoned. */
export interface ODateTime extends DateTimeFields {
  t: 'ts';
  date?: boolean;
  offset?: number;
  local?: boolean;
}
export interface OLob {
  t: 'clob' | 'nclob' | 'blob';
  v: string | Buffer;
}
/** NVARCHAR2 / NCHAR text (national character set). */
export interface ONational {
  t: 'nchar';
  v: string;
}
/** An INTERVAL, by the text TO_CHAR prints for it. */
export interface OInterval {
  t: 'interval';
  text: string;
}

export const num = (v: string): ONumber => ({ t: 'num', v });

/** A DATE or TIMESTAMP from 'SYYYY-MM-DD HH24:MI:SS[.fffffffff]' (Oracle years). */
export function ts(text: string, extra: Partial<ODateTime> = {}): ODateTime {
  const m = /^(-?\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?$/.exec(text);
  if (!m) throw new Error(`bad datetime ${text}`);
  return {
    t: 'ts',
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    frac: (m[7] ?? '').padEnd(9, '0'),
    ...extra,
  };
}

const isObj = (v: OValue, t: string): boolean => v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && (v as { t: string }).t === t;
const nul = (s: string | null): string | null => (s === '' ? null : s);

function numberValue(v: OValue): number {
  if (v === null) throw new Error('NULL in arithmetic');
  if (typeof v === 'string') return Number(v);
  if (isObj(v, 'num')) return Number((v as ONumber).v);
  throw new Error(`not a number: ${JSON.stringify(v)}`);
}

/** TO_CHAR of a NUMBER without a mask (see the file comment). */
export function oracleNumberText(v: string): string {
  let [int, frac = ''] = v.replace(/^-/, '').split('.');
  int = int.replace(/^0+/, '');
  frac = frac.replace(/0+$/, '');
  const negative = v.startsWith('-') && (int !== '' || frac !== '');
  const body = frac ? `${int}.${frac}` : int || '0';
  const text = (negative ? '-' : '') + body;
  if (text.length <= 64) return text;
  const digits = (int + frac).replace(/^0+/, '');
  const exponent = int ? int.length - 1 : -(frac.length - frac.replace(/^0+/, '').length) - 1;
  return `${negative ? '-' : ''}${digits[0]}.${digits.slice(1).replace(/0+$/, '')}E${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function toText(v: OValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('hex').toUpperCase();
  switch (v.t) {
    case 'num':
      return oracleNumberText(v.v);
    case 'nchar':
      return v.v;
    case 'interval':
      return v.text;
    case 'clob':
    case 'nclob':
      return String(v.v);
    default:
      throw new Error(`TO_CHAR of ${v.t} without a mask is not modelled`);
  }
}

function utc(v: ODateTime): ODateTime {
  if (v.offset === undefined) return v;
  const ms = Date.UTC(2000, v.month - 1, v.day, v.hour, v.minute - v.offset, v.second);
  const d = new Date(ms);
  // Shift within the year only (the tests' zoned values are AD and away from year boundaries' edge cases).
  const yearShift = d.getUTCFullYear() - 2000;
  return { ...v, year: v.year + yearShift, month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), offset: undefined, local: undefined };
}

/** TO_CHAR(datetime, mask): YYYY prints the year without its sign (44 BC is 0044); a DATE has no FF. */
function formatOracle(v: ODateTime, mask: string): string {
  if (mask.includes('FF') && v.date) throw new Error('ORA-01821: date format not recognized (FF on a DATE)');
  return formatDateTime(v, mask, (y) => String(Math.abs(y)).padStart(4, '0'));
}

function compare(a: OValue, b: OValue): number {
  if (isObj(a, 'ts') && isObj(b, 'ts')) {
    const key = (x: ODateTime) => [x.year, x.month, x.day, x.hour, x.minute, x.second, Number(x.frac)];
    const [ka, kb] = [key(utc(a as ODateTime)), key(utc(b as ODateTime))];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const x = numberValue(a);
  const y = numberValue(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const FUNCTIONS: Record<string, (args: OValue[]) => OValue> = {
  TO_CHAR: ([v, mask]) => {
    if (v === null) return null;
    if (mask !== undefined) return nul(formatOracle(v as ODateTime, String(mask)));
    return nul(toText(v));
  },
  LENGTHB: ([v]) => (v === null ? null : num(String(Buffer.byteLength(toText(v) ?? '', 'utf8')))),
  LENGTH: ([v]) => (v === null ? null : num(String([...(toText(v) ?? '')].length))),
  NVL: ([a, b]) => (a === null ? b : a),
  NVL2: ([a, b, c]) => (a === null ? c : b),
  RTRIM: ([v, set]) => {
    const s = toText(v);
    if (s === null) return null;
    let end = s.length;
    while (end > 0 && String(set ?? ' ').includes(s[end - 1])) end--;
    return nul(s.slice(0, end));
  },
  LOWER: ([v]) => (v === null ? null : nul((toText(v) ?? '').toLowerCase())),
  REPLACE: ([v, a, b]) => (v === null ? null : nul((toText(v) ?? '').split(String(a)).join(b === null ? '' : String(b)))),
  INSTR: ([v, sub]) => (v === null ? null : num(String((toText(v) ?? '').indexOf(String(sub)) + 1))),
  RPAD: ([v, n, pad]) => {
    const s = toText(v);
    if (s === null) return null;
    const width = numberValue(n);
    return nul(s.length >= width ? s.slice(0, width) : s + String(pad ?? ' ').repeat(width).slice(0, width - s.length));
  },
  SUBSTR: ([v, pos, len]) => {
    const s = toText(v);
    if (s === null) return null;
    const p = Math.max(1, numberValue(pos));
    return nul(len === undefined ? s.slice(p - 1) : s.slice(p - 1, p - 1 + numberValue(len)));
  },
  RAWTOHEX: ([v]) => (v === null ? null : nul((v as Buffer).toString('hex').toUpperCase())),
  'DBMS_LOB.SUBSTR': ([v, amount, offset]) => {
    if (v === null) return null;
    const lob = v as OLob;
    const from = numberValue(offset) - 1;
    if (Buffer.isBuffer(lob.v)) {
      const part = lob.v.subarray(from, from + numberValue(amount));
      return part.length === 0 ? null : Buffer.from(part);
    }
    const part = [...lob.v].slice(from, from + numberValue(amount)).join('');
    return lob.t === 'nclob' ? (part ? { t: 'nchar', v: part } : null) : nul(part);
  },
  'DBMS_LOB.GETLENGTH': ([v]) => (v === null ? null : num(String(Buffer.isBuffer((v as OLob).v) ? (v as OLob).v.length : [...String((v as OLob).v)].length))),
  'UTL_RAW.LENGTH': ([v]) => (v === null ? null : num(String((v as Buffer).length))),
  SYS_EXTRACT_UTC: ([v]) => (v === null ? null : utc(v as ODateTime)),
  STANDARD_HASH: ([v, algorithm]) => {
    if (algorithm !== 'MD5') throw new Error(`STANDARD_HASH ${String(algorithm)} is not modelled`);
    if (v === null) throw new Error('STANDARD_HASH of NULL is not modelled (the digest never passes one)');
    return createHash('md5').update(toText(textOf(v)) ?? '', 'utf8').digest();
  },
  FLOOR: ([v]) => (v === null ? null : num(String(Math.floor(numberValue(v))))),
  TO_NUMBER: ([v]) => (v === null ? null : num(String(Number(toText(v))))),
  LPAD: ([v, n, pad]) => {
    const s = toText(v);
    if (s === null) return null;
    const width = numberValue(n);
    return nul(s.length >= width ? s.slice(0, width) : String(pad ?? ' ').repeat(width).slice(0, width - s.length) + s);
  },
};

const SEMANTICS: Semantics<OValue> = {
  literal: nul,
  number: num,
  // || treats NULL as ''; a result of '' is NULL.
  concat: (a, b) => nul((toText(textOf(a)) ?? '') + (toText(textOf(b)) ?? '')),
  arithmetic: (op, a, b) => {
    if (a === null || b === null) return null;
    const [x, y] = [numberValue(a), numberValue(b)];
    return num(String(op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y));
  },
  compare,
  isNull: (v) => v === null,
  nullValue: null,
  truth: (v) => (v === 'TRUE' || v === 'FALSE' || v === 'UNKNOWN' ? v : v === null ? 'UNKNOWN' : 'TRUE'),
  fromTruth: (t) => t,
  functions: FUNCTIONS,
  typedLiteral: (type, text) => {
    if (type !== 'DATE') throw new Error(`${type} literals are not modelled`);
    return ts(text, { date: true });
  },
  cast: (v, type) => {
    if (type !== 'TIMESTAMP WITH TIME ZONE') throw new Error(`CAST AS ${type} is not modelled`);
    // A local time zone value in a session at UTC: its UTC time with offset 0.
    const d = v as ODateTime | null;
    return d === null ? null : { ...utc(d), offset: 0 };
  },
};

/** Evaluates one expression with these column values (by name, as quoted in the SQL). */
export function evaluate(sql: string, columns: Record<string, OValue>): OValue {
  return evaluateWith(SEMANTICS, sql, columns);
}

/** Concatenation converts national text to the database character set only through TO_CHAR; a bare one would be NVARCHAR2. */
function textOf(v: OValue): OValue {
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && (v.t === 'nchar' || v.t === 'clob' || v.t === 'nclob')) {
    throw new Error(`${v.t} concatenated without TO_CHAR/DBMS_LOB.SUBSTR: the result would not be VARCHAR2 in the database character set`);
  }
  return v;
}
