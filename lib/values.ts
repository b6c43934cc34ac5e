/**
 * Pure value normalisers shared by every connector and by validation.
 * The canonical in-memory representation is documented on CanonicalValue in ./types.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { CanonicalType, CanonicalValue, Row } from './types';

// ---------------------------------------------------------------- dates and times

const DATE_RE = /^(-?\d{4,})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(-?\d{2,3}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?$/;
const TIMESTAMP_RE =
  /^(-?\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/i;

/** Fraction digits without trailing zeros, with the dot; "" when nothing is left. */
function fraction(digits: string | undefined): string {
  const trimmed = (digits ?? '').replace(/0+$/, '');
  return trimmed ? '.' + trimmed : '';
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** PostgreSQL's era suffix of a date or timestamp before year 1 ("0044-03-15 BC", "0044-03-15 12:00:00+00 BC"). */
const BC_RE = /\s+BC$/i;

/**
 * A year of the proleptic Gregorian calendar as ISO 8601 writes it (astronomical numbering: year 0 is 1 BC, -0043 is
 * 44 BC), four digits at least.
 */
function isoYear(year: number): string {
  return year < 0 ? '-' + pad(-year, 4) : pad(year, 4);
}

/**
 * Text before year 1 as ISO 8601 (`-0043-03-15`, year 0000 for 1 BC) where a dialect prints an era instead (PostgreSQL:
 * `0044-03-15 BC`); any other text unchanged. Canonical dates and timestamps are ISO text, so every dialect that keeps
 * text (SQLite) holds a date BC as the same value, and one that does not (MariaDB) is told apart from year 44.
 */
function withoutEra(s: string): string {
  if (!BC_RE.test(s)) return s;
  const m = /^(\d{4,})(-.*?)\s+BC$/i.exec(s);
  return m ? isoYear(1 - Number(m[1])) + m[2] : s;
}

/**
 * A canonical date or timestamp as PostgreSQL reads it: a year before 1 (ISO `-0043-03-15`, `0000-…`) with its era
 * (`0044-03-15 BC`, `0001-… BC`), which is all PostgreSQL's input takes; anything else unchanged ('infinity' too).
 */
export function withEra(text: string): string {
  if (!(text.startsWith('-') || text.startsWith('0000'))) return text;
  const m = /^(-?\d{4,})(-\d{2}-\d{2}.*)$/.exec(text);
  if (!m) return text;
  const year = Number(m[1]);
  return year > 0 ? text : `${pad(1 - year, 4)}${m[2]} BC`;
}

/** "YYYY-MM-DD" (a timestamp's date part is accepted and kept); a date BC as ISO 8601 (-0043-03-15); 'infinity' as is. */
export function normalizeDate(input: string): string {
  const s = withoutEra(input.trim());
  if (DATE_RE.test(s)) return s;
  const ts = TIMESTAMP_RE.exec(s);
  return ts ? `${ts[1]}-${ts[2]}-${ts[3]}` : s;
}

/** "HH:MM:SS[.ffffff]" with trailing fraction zeros removed. MySQL's extended TIME range is kept as is. */
export function normalizeTime(input: string): string {
  const s = input.trim();
  const m = TIME_RE.exec(s);
  if (!m) return s;
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}${fraction(m[4])}`;
}

interface ParsedTimestamp {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: string;
  /** Minutes east of UTC, or null when the text carries no zone. */
  offsetMinutes: number | null;
}

function parseOffset(zone: string | undefined): number | null {
  if (!zone) return null;
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(/:/g, '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  const seconds = Number(digits.slice(4, 6) || '0');
  return sign * (hours * 60 + minutes + seconds / 60);
}

function parseTimestamp(input: string): ParsedTimestamp | null {
  const m = TIMESTAMP_RE.exec(withoutEra(input.trim()));
  if (!m) return null;
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    fraction: fraction(m[7]),
    offsetMinutes: parseOffset(m[8]),
  };
}

/** Shifts a wall-clock time to UTC. The fraction is carried as text so microseconds never meet a float. */
function toUtc(t: ParsedTimestamp): ParsedTimestamp {
  if (!t.offsetMinutes) return { ...t, offsetMinutes: 0 };
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, 0);
  const shifted = new Date(d.getTime() - Math.round(t.offsetMinutes * 60_000));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    fraction: t.fraction,
    offsetMinutes: 0,
  };
}

function formatTimestamp(t: ParsedTimestamp): string {
  const year = isoYear(t.year);
  return `${year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${t.fraction}`;
}

/** "YYYY-MM-DD HH:MM:SS[.ffffff]". A zone in the input (Z or an offset) is applied, giving UTC wall time. */
export function normalizeTimestamp(input: string): string {
  const t = parseTimestamp(input);
  if (!t) return input.trim();
  return formatTimestamp(t.offsetMinutes === null ? t : toUtc(t));
}

/** "YYYY-MM-DD HH:MM:SS[.ffffff]Z" in UTC. Text without a zone is taken to be UTC already (MySQL DATETIME(6)). */
export function normalizeTimestamptz(input: string): string {
  const t = parseTimestamp(input);
  if (!t) return input.trim();
  return formatTimestamp(toUtc(t)) + 'Z';
}

/** "YYYY-MM-DD HH:MM:SS.ffffff" as MySQL DATETIME(6) wants a canonical timestamptz (UTC, no zone marker). */
export function timestamptzToNaiveUtc(input: string): string {
  return normalizeTimestamptz(input).replace(/Z$/, '');
}

// ---------------------------------------------------------------- numbers

/** "1.5e-7" → "0.00000015"; plain input is returned unchanged (apart from a leading "+"). */
function expandExponent(s: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?e([+-]?\d+)$/i.exec(s);
  if (!m) return s.replace(/^\+/, '');
  const sign = m[1] === '-' ? '-' : '';
  let intPart = m[2] || '0';
  let frac = m[3] ?? '';
  let exp = Number(m[4]);
  while (exp > 0) {
    intPart += frac.charAt(0) || '0';
    frac = frac.slice(1);
    exp--;
  }
  while (exp < 0) {
    frac = intPart.charAt(intPart.length - 1) + frac;
    intPart = intPart.slice(0, -1) || '0';
    exp++;
  }
  intPart = intPart.replace(/^0+(?=\d)/, '');
  return sign + intPart + (frac ? '.' + frac : '');
}

/**
 * A decimal in plain notation. Strings and bigints are exact; a number only arrives from a SQLite REAL
 * (NUMERIC affinity), and is then printed with the column's scale so 0.99 stays "0.99".
 */
export function normalizeDecimal(value: string | number | bigint, scale?: number): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    if (scale !== undefined && scale <= 100 && Math.abs(value) < 1e21) return value.toFixed(scale);
    return expandExponent(String(value));
  }
  let s = value.trim();
  if (/^[+-]?\./.test(s)) s = s.replace('.', '0.');
  return expandExponent(s);
}

/** A decimal's comparable form: no trailing fraction zeros, no leading zeros, no "-0". */
export function canonicalDecimalText(value: string | number | bigint): string {
  let s = normalizeDecimal(value);
  if (!/^-?\d+(\.\d+)?$/.test(s)) return s;
  const negative = s.startsWith('-');
  if (negative) s = s.slice(1);
  let [intPart, frac = ''] = s.split('.');
  intPart = intPart.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const body = frac ? `${intPart}.${frac}` : intPart;
  return negative && body !== '0' ? '-' + body : body;
}

/** Shortest text that reads back to the same float (for float32: the same single-precision value). */
export function formatFloat(value: number, single = false): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return '0';
  if (!single) return String(value);
  const target = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const text = String(Number(target.toPrecision(digits)));
    if (Math.fround(Number(text)) === target) return text;
  }
  return String(target);
}

// ---------------------------------------------------------------- driver value → canonical value

function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  if (Buffer.isBuffer(value)) return value.some((b) => b !== 0); // MySQL BIT(1)
  const s = String(value).trim().toLowerCase();
  return !['0', 'f', 'false', 'n', 'no', 'off', ''].includes(s);
}

function toText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) return JSON.stringify(value);
  return String(value);
}

function toIntegerText(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  const s = String(value).trim();
  return /^[+-]?\d+$/.test(s) ? BigInt(s).toString() : canonicalDecimalText(s);
}

/** int16/int32 as numbers, unless a value does not fit exactly (it then stays a digit string). */
function toSmallInteger(value: unknown): number | string {
  if (typeof value === 'number') return value;
  const text = toIntegerText(value);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/**
 * Coerces what a driver returned into the canonical representation of `type`.
 * Drivers are configured to hand over exact text; this is where every dialect's text meets one shape.
 */
export function toCanonicalValue(value: unknown, type: CanonicalType): CanonicalValue {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'int16':
    case 'int32':
      return toSmallInteger(value);
    case 'int64':
      return toIntegerText(value);
    case 'decimal':
      return normalizeDecimal(typeof value === 'boolean' ? Number(value) : (value as string | number | bigint), type.scale);
    case 'float32':
    case 'float64':
      return typeof value === 'number' ? value : Number(value);
    case 'boolean':
      return toBoolean(value);
    case 'uuid':
      return toText(value).toLowerCase();
    case 'date':
      return normalizeDate(toText(value));
    case 'time':
      return normalizeTime(toText(value));
    case 'timestamp':
      return normalizeTimestamp(toText(value));
    case 'timestamptz':
      return normalizeTimestamptz(toText(value));
    case 'json':
      return toStrictText(value);
    case 'binary':
      if (Buffer.isBuffer(value)) return value;
      if (value instanceof Uint8Array) return Buffer.from(value);
      return Buffer.from(toText(value), 'utf8');
    default:
      return toStrictText(value);
  }
}

/** Canonical kinds whose values are text (a string in memory), which a connector may hand over as bytes. */
const TEXT_KINDS: ReadonlySet<CanonicalType['kind']> = new Set(['char', 'varchar', 'text', 'enum', 'json']);

export function isTextKind(type: CanonicalType): boolean {
  return TEXT_KINDS.has(type.kind);
}

/**
 * Text read as bytes becomes a string only when the bytes are valid UTF-8. Anything else stays a Buffer, which no
 * text column otherwise holds: the copy rejects that row with the reason (invalidTextColumn) instead of writing
 * U+FFFD in place of the bytes, which would change the data silently.
 */
function toStrictText(value: unknown): string | Buffer {
  if (Buffer.isBuffer(value)) return isUtf8(value) ? value.toString('utf8') : value;
  return toText(value);
}

/** The first text column of a row that holds bytes that are not valid UTF-8 (see toStrictText), or -1. */
export function invalidTextColumn(row: Row, textPositions: readonly number[]): number {
  for (const i of textPositions) if (Buffer.isBuffer(row[i])) return i;
  return -1;
}

// ---------------------------------------------------------------- canonical text for comparison and hashing

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function jsonText(value: unknown): string {
  try {
    const parsed = typeof value === 'string' ? JSON.parse(value) : value;
    return JSON.stringify(sortKeys(parsed));
  } catch {
    return JSON.stringify(toText(value));
  }
}

/**
 * One stable string for one value, read as `type` (use the SOURCE column's canonical type on both sides,
 * so a boolean stored as 1 in the target still reads "true"). SQL NULL is the bare word NULL; text is
 * JSON-quoted, so the string "NULL" renders as "\"NULL\"".
 */
export function canonicalValueText(value: unknown, type: CanonicalType): string {
  if (value === null || value === undefined) return 'NULL';
  const v = toCanonicalValue(value, type);
  if (v === null) return 'NULL';
  // Text that is not valid UTF-8 never equals a string (least of all one with U+FFFD in its place).
  if (Buffer.isBuffer(v) && isTextKind(type)) return 'invalid-utf8:\\x' + v.toString('hex');
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
      return toIntegerText(v);
    case 'decimal':
      return canonicalDecimalText(v as string);
    case 'float32':
      return formatFloat(v as number, true);
    case 'float64':
      return formatFloat(v as number);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'binary':
      return '\\x' + (v as Buffer).toString('hex');
    case 'json':
      return jsonText(v);
    case 'char':
      // CHAR pads with spaces in PostgreSQL and is trimmed on read by MySQL: padding is not data.
      return JSON.stringify(String(v).replace(/ +$/, ''));
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return String(v);
    default:
      return JSON.stringify(String(v));
  }
}

/** A row rendered value by value (see canonicalValueText). */
export function canonicalRowText(values: readonly unknown[], types: readonly CanonicalType[]): string[] {
  if (values.length !== types.length) {
    throw new Error(`row has ${values.length} values but ${types.length} column types were given`);
  }
  return values.map((v, i) => canonicalValueText(v, types[i]));
}

/** sha256 (hex) of one row's canonical text. */
export function rowDigest(values: readonly unknown[], types: readonly CanonicalType[]): string {
  return createHash('sha256').update(JSON.stringify(canonicalRowText(values, types))).digest('hex');
}

/** Incremental table checksum: feed rows in key order, then read `digest()` (sha256 hex) and `rows`. */
export class TableChecksum {
  private readonly hash = createHash('sha256');
  rows = 0;

  constructor(private readonly types: readonly CanonicalType[]) {}

  add(rows: readonly Row[] | readonly unknown[][]): this {
    for (const row of rows) {
      this.hash.update(JSON.stringify(canonicalRowText(row, this.types)) + '\n');
      this.rows++;
    }
    return this;
  }

  digest(): string {
    return this.hash.copy().digest('hex');
  }
}

/** Checksum of rows already in key order. Equal tables (under the same column types) give equal digests. */
export function tableChecksum(rows: readonly Row[] | readonly unknown[][], types: readonly CanonicalType[]): string {
  return new TableChecksum(types).add(rows).digest();
}
