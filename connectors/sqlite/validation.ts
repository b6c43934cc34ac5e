/** The SQL SQLite runs for the validation tiers (it has no in-database digest: its tables are hashed in the worker). */
import type { ValidationSql } from '../dialect';

/** Kinds read as text (as lib/values.ts isTextKind; not imported: this object is bundled into workflows, that file uses Node). */
const TEXT_KINDS: ReadonlySet<string> = new Set(['char', 'varchar', 'text', 'enum', 'json']);
/** The validation session's function counting every character of a text, NULs included (session.ts registers it). */
export const CHAR_LENGTH_FUNCTION = 'sensei_char_length';
/** Significant digits a REAL keeps (as types.ts: a wider decimal is stored as text). */
const REAL_DIGITS = 15;

/** ISO 8601 text of a year before 1 (-0043-03-15) or '-infinity': before every year of four digits. */
const early = (c: string) => `(typeof(${c}) = 'text' AND (${c} = '-infinity' OR ${c} GLOB '-[0-9]*'))`;
/** ISO 8601 text of a year after 9999 (12345-01-01) or 'infinity': after every year of four digits. */
const late = (c: string) => `(typeof(${c}) = 'text' AND (${c} = 'infinity' OR ${c} GLOB '[0-9][0-9][0-9][0-9][0-9]*-*'))`;

/**
 * Such a value as text that orders as time does: a class (-infinity, a year, infinity), then the signed year as eight
 * digits (offset), then the rest of the text (fixed widths: -MM-DD HH:MM:SS…); '|' and the value itself last.
 */
/** The signed year of ISO 8601 text (-0043 of -0043-03-15, 12345 of 12345-01-01), as text. */
const yearOf = (c: string) => `CASE WHEN substr(${c}, 1, 1) = '-' THEN '-' || substr(${c}, 2, instr(substr(${c}, 2), '-') - 1) ELSE substr(${c}, 1, instr(${c}, '-') - 1) END`;

/** Date and timestamp kinds (canonical ISO 8601 text). */
const DATED_KINDS: ReadonlySet<string> = new Set(['date', 'timestamp', 'timestamptz']);

/**
 * ORDER BY terms that order a date or timestamp key as time, as the other database orders it: -infinity, years before 1
 * (by year, then as text), every other value as before (as stored), years after 9999 (by year, then as text), infinity.
 */
function timeOrderBy(c: string): string {
  const group = `CASE WHEN ${c} = '-infinity' THEN 0 WHEN ${early(c)} THEN 1 WHEN ${c} = 'infinity' THEN 4 WHEN ${late(c)} THEN 3 ELSE 2 END`;
  return `${group}, CASE WHEN ${early(c)} OR ${late(c)} THEN CAST(${yearOf(c)} AS INTEGER) ELSE 0 END, ${c}`;
}

function timeOrdered(c: string): string {
  const year = yearOf(c);
  return (
    `CASE WHEN ${c} = '-infinity' THEN '0' WHEN ${c} = 'infinity' THEN '2' ` +
    `ELSE '1' || printf('%08d', 50000000 + CAST(${year} AS INTEGER)) || substr(${c}, length(${year}) + 1) END || '|' || ${c}`
  );
}

/** The value inside the time-ordered text of an aggregate of timeOrdered (NULL stays NULL). */
const unordered = (agg: string) => `substr(${agg}, instr(${agg}, '|') + 1)`;

export const validation = {
  // The text of dates and timestamps orders as time for years 1–9999 only: earlier and later ones (and ±infinity, as a
  // PostgreSQL source has them) are ordered apart, and the extreme is the earliest (latest) of the three groups.
  temporalExtreme: (col: string, fn: 'MIN' | 'MAX') => {
    const among = (which: (c: string) => string) => unordered(`${fn}(CASE WHEN ${which(col)} THEN ${timeOrdered(col)} END)`);
    const ordinary = `${fn}(CASE WHEN NOT (${early(col)} OR ${late(col)}) THEN ${col} END)`;
    return fn === 'MIN' ? `COALESCE(${among(early)}, ${ordinary}, ${among(late)})` : `COALESCE(${among(late)}, ${ordinary}, ${among(early)})`;
  },
  // SQLite hands temporal values over as the text it stores.
  text: (expr: string) => expr,
  // LENGTH counts the characters before the first NUL only (SQLite's own rule): a text holding one is counted whole by
  // the session's function (session.ts), as CHAR_LENGTH counts it in the other dialects.
  charLength: (expr: string) => `CASE WHEN instr(${expr}, char(0)) > 0 THEN ${CHAR_LENGTH_FUNCTION}(${expr}) ELSE LENGTH(${expr}) END`,
  // Wide decimals are kept as exact text (types.ts): SQLite sums them as REAL, and MIN/MAX compare them as text.
  inexactAggregates: (type) => type.kind === 'decimal' && !(type.precision !== undefined && type.precision <= REAL_DIGITS),
  floatAggregate: (fn: 'MIN' | 'MAX' | 'SUM', col: string) => `${fn}(${col})`,
  // Wide decimals are kept as exact text (types.ts): the extreme row by value, in its exact spelling.
  decimalExtreme: (table: string, col: string, fn: 'MIN' | 'MAX') =>
    `(SELECT ${col} FROM ${table} WHERE ${col} IS NOT NULL ORDER BY CAST(${col} AS REAL) ${fn === 'MIN' ? 'ASC' : 'DESC'} LIMIT 1)`,
  keyOrder: (col, type) => (TEXT_KINDS.has(type.kind) ? `CAST(${col} AS TEXT)` : DATED_KINDS.has(type.kind) ? timeOrderBy(col) : col),
} satisfies ValidationSql;
