/**
 * Identifier and literal quoting, by the dialect's own rules (connectors/<dialect>/dialect.ts). Every identifier
 * Sensei sends is quoted, so reserved words, mixed case, spaces and quotes inside names all survive.
 */
import { dialectNamed } from '../connectors/dialects';
import type { Dialect } from './types';

/** Quotes one identifier by the dialect's rules. */
export function quoteIdentifier(dialect: Dialect, name: string): string {
  return dialectNamed(dialect).identifiers.quote(name);
}

/** `schema.table`, both parts quoted. SQLite's `main` is spelled out too (valid and unambiguous). */
export function quoteQualified(dialect: Dialect, schema: string, name: string): string {
  return `${quoteIdentifier(dialect, schema)}.${quoteIdentifier(dialect, name)}`;
}

/** Quoted list for column lists. */
export function quoteList(dialect: Dialect, names: readonly string[]): string {
  const { quote } = dialectNamed(dialect).identifiers;
  return names.map((n) => quote(n)).join(', ');
}

/** A string literal for DDL (defaults, CHECK lists), never for row values (those are bound parameters). */
export function quoteLiteral(dialect: Dialect, value: string): string {
  return dialectNamed(dialect).identifiers.literal(value);
}
