/** The SQL SQLite runs for the validation tiers (it has no in-database digest: its tables are hashed in the worker). */
import type { ValidationSql } from '../dialect';

/** Kinds read as text (as lib/values.ts isTextKind; not imported: this object is bundled into workflows, that file uses Node). */
const TEXT_KINDS: ReadonlySet<string> = new Set(['char', 'varchar', 'text', 'enum', 'json']);
/** Significant digits a REAL keeps (as types.ts: a wider decimal is stored as text). */
const REAL_DIGITS = 15;

export const validation = {
  // SQLite hands temporal values over as the text it stores.
  text: (expr: string) => expr,
  charLength: (expr: string) => `LENGTH(${expr})`,
  // Wide decimals are kept as exact text (types.ts): SQLite sums them as REAL, and MIN/MAX compare them as text.
  inexactAggregates: (type) => type.kind === 'decimal' && !(type.precision !== undefined && type.precision <= REAL_DIGITS),
  floatAggregate: (fn: 'MIN' | 'MAX' | 'SUM', col: string) => `${fn}(${col})`,
  // Wide decimals are kept as exact text (types.ts): the extreme row by value, in its exact spelling.
  decimalExtreme: (table: string, col: string, fn: 'MIN' | 'MAX') =>
    `(SELECT ${col} FROM ${table} WHERE ${col} IS NOT NULL ORDER BY CAST(${col} AS REAL) ${fn === 'MIN' ? 'ASC' : 'DESC'} LIMIT 1)`,
  keyOrder: (col, type) => (TEXT_KINDS.has(type.kind) ? `CAST(${col} AS TEXT)` : col),
} satisfies ValidationSql;
