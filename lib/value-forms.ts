/**
 * The form each typed canonical kind's values have (lib/values.ts toCanonicalValue), for sources whose columns hold
 * values of any kind (DialectCapabilities.looseValues: SQLite). A value read from such a column that is not of its
 * column's form (the text 'abc' or the number 3.7 in an INTEGER column, an epoch number or 'garbage' in a DATETIME)
 * would be refused by the target in its own words, or changed by it (MariaDB rounds 3.7 to 4): its row is rejected
 * by key instead, naming the column and what it holds (never the value).
 */
import { dialectNamed, isDialect } from '../connectors/dialects';
import type { CanonicalType, CanonicalValue, ColumnMapping, Dialect } from './types';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?\d+(\.\d+)?$/;
const DATE = /^-?\d{4,}-\d{2}-\d{2}$/;
const TIME = /^-?\d{2,3}:\d{2}:\d{2}(\.\d+)?$/;
const TIMESTAMP = /^-?\d{4,}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Whether decimal text fits a DECIMAL(p,s): at most s fraction digits (trailing zeros aside), p − s before the point. */
function fitsDecimal(v: string, type: CanonicalType): boolean {
  const m = DECIMAL.exec(v);
  if (!m) return false;
  if (type.scale === undefined && type.precision === undefined) return true;
  const scale = type.scale ?? 0;
  const [whole, fraction = ''] = v.replace(/^[+-]/, '').split('.');
  const digits = whole.replace(/^0+/, '').length;
  return fraction.replace(/0+$/, '').length <= scale && (type.precision === undefined || digits <= type.precision - scale);
}

const integer = (v: CanonicalValue) => (typeof v === 'number' ? Number.isInteger(v) : typeof v === 'string' && INTEGER.test(v));
const number = (v: CanonicalValue) => typeof v === 'number' && !Number.isNaN(v);
const infinite = (v: string) => v === 'infinity' || v === '-infinity';

/** What a value of each checked kind is, for people ("an integer"), and whether a canonical value has its form. */
const FORMS: Record<string, { what: (type: CanonicalType) => string; fits: (v: CanonicalValue, type: CanonicalType) => boolean }> = {
  int16: { what: () => 'an integer', fits: integer },
  int32: { what: () => 'an integer', fits: integer },
  int64: { what: () => 'an integer', fits: (v) => typeof v === 'string' && INTEGER.test(v) },
  decimal: {
    what: (t) => (t.scale !== undefined || t.precision !== undefined ? `a decimal number that fits DECIMAL(${t.precision ?? ''}${t.scale !== undefined ? `,${t.scale}` : ''})` : 'a decimal number'),
    fits: (v, t) => typeof v === 'string' && fitsDecimal(v, t),
  },
  // Text that is no number reads as NaN (SQLite's REAL never holds NaN: it stores NULL).
  float32: { what: () => 'a number', fits: number },
  float64: { what: () => 'a number', fits: number },
  // The source's reader hands over anything that is no truth value as it is (see the SQLite connector's convertRows).
  boolean: { what: () => 'a truth value (0, 1, true, false)', fits: (v) => typeof v === 'boolean' },
  date: { what: () => 'a date', fits: (v) => typeof v === 'string' && (DATE.test(v) || infinite(v)) },
  time: { what: () => 'a time of day', fits: (v) => typeof v === 'string' && TIME.test(v) },
  timestamp: { what: () => 'a timestamp', fits: (v) => typeof v === 'string' && (TIMESTAMP.test(v) || infinite(v)) },
  timestamptz: { what: () => 'a timestamp', fits: (v) => typeof v === 'string' && (TIMESTAMP.test(v.replace(/Z$/, '')) || infinite(v)) },
  uuid: { what: () => 'a UUID', fits: (v) => typeof v === 'string' && UUID.test(v) },
};

export interface FormCheck {
  position: number;
  /** Why the source holds such a value (its dialect keeps any value in any column), or ''. */
  why: string;
  /** Whether a column edited to text keeps such a value (a loose source's own text): said as the remedy. */
  textKeeps: boolean;
  what: string;
  fits: (v: CanonicalValue) => boolean;
}

/**
 * The columns whose values are checked for their form, by position: booleans from any source (a TINYINT(1) holding 7
 * is handed over as its text, not as true); where the source's values are loose, each column of a typed kind whose
 * target type is of that kind too (a column edited to text at the gate keeps any
 * value: that is the way to keep them).
 */
export function formCheckedColumns(sourceDialect: Dialect, targetDialect: Dialect, columns: readonly ColumnMapping[]): FormCheck[] {
  if (!isDialect(sourceDialect) || !isDialect(targetDialect)) return [];
  const loose = dialectNamed(sourceDialect).capabilities.looseValues === true;
  const why = loose ? ` (${dialectNamed(sourceDialect).label} keeps any value in any column)` : '';
  const types = dialectNamed(targetDialect).types;
  const kindThere = (c: ColumnMapping): string | undefined => {
    try {
      return types?.parseTypeName(c.targetType).kind;
    } catch {
      return undefined;
    }
  };
  return columns.flatMap((c, position) => {
    // Any source: a boolean read from an integer column (MariaDB's TINYINT(1)) that held another number.
    if (!loose && c.canonical.kind !== 'boolean') return [];
    const form = FORMS[c.canonical.kind];
    const there = kindThere(c);
    // The same family of kinds there (an int32 into BIGINT, a timestamp into DATETIME): values of another form do not fit.
    return form && there && FORMS[there] ? [{ position, why, textKeeps: loose, what: form.what(c.canonical), fits: (v: CanonicalValue) => form.fits(v, c.canonical) }] : [];
  });
}

/** What a value of a column checked by formCheckedColumns fails to be ("an integer"), or null when it fits (NULL does). */
export function formRefusal(value: CanonicalValue, check: FormCheck): string | null {
  return value === null || check.fits(value) ? null : check.what;
}
