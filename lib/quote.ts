/**
 * Identifier and literal quoting per dialect. Every identifier Sensei sends is quoted, so reserved words,
 * mixed case, spaces and quotes inside names all survive.
 */
import type { Dialect } from './types';

/** Quotes one identifier: PostgreSQL/SQLite "a""b", MySQL `a``b`. */
export function quoteIdentifier(dialect: Dialect, name: string): string {
  if (name.length === 0) throw new Error('an empty identifier cannot be quoted');
  // NUL ends a C string in every server: a name holding one would silently be cut.
  if (name.includes('\u0000')) throw new Error('an identifier cannot contain the NUL character');
  if (dialect === 'mysql') return '`' + name.replace(/`/g, '``') + '`';
  return '"' + name.replace(/"/g, '""') + '"';
}

/** `schema.table`, both parts quoted. SQLite's `main` is spelled out too (valid and unambiguous). */
export function quoteQualified(dialect: Dialect, schema: string, name: string): string {
  return `${quoteIdentifier(dialect, schema)}.${quoteIdentifier(dialect, name)}`;
}

/** Quoted list for column lists: `"a", "b"`. */
export function quoteList(dialect: Dialect, names: readonly string[]): string {
  return names.map((n) => quoteIdentifier(dialect, n)).join(', ');
}

/**
 * A string literal for DDL (defaults, CHECK lists), never for row values (those are bound parameters).
 * MySQL treats backslash as an escape character unless NO_BACKSLASH_ESCAPES is set, so it is doubled there.
 */
export function quoteLiteral(dialect: Dialect, value: string): string {
  if (value.includes('\u0000')) throw new Error('a SQL literal cannot contain the NUL character');
  let body = value.replace(/'/g, "''");
  if (dialect === 'mysql') body = body.replace(/\\/g, '\\\\');
  return `'${body}'`;
}
