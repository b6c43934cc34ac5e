/**
 * What one dialect is, as plain data and pure functions: names, URL schemes, capabilities, identifier rules.
 * Each connectors/<dialect>/dialect.ts exports one such object; connectors/dialects.ts lists them. Nothing here
 * imports a driver or a Node built-in, so workflow code (bundled for Temporal's sandbox) may use it.
 */
import type { CanonicalType } from '../lib/types';
import type { TargetTypeChoice, TargetTypeContext } from '../lib/typemap/common';

/** What a dialect's databases can hold or do; Sensei branches on these, never on a dialect's name. */
export interface DialectCapabilities {
  /** Sensei can connect, read, write and validate (false: known name, "not supported yet"). */
  supported: boolean;
  /** Namespaces inside one database (PostgreSQL schemas); false where the database is the namespace or there is one. */
  schemas: boolean;
  /** Native enum types. */
  enums: boolean;
  /** Native array types. */
  arrays: boolean;
  /** CREATE/ALTER/DROP inside a transaction roll back with it. */
  transactionalDdl: boolean;
  /** Digests ranges of rows inside the database (semantic validation tier) instead of reading them out. */
  inDatabaseDigest: boolean;
  /** The connection string names a local file (the CLI resolves relative paths, the API checks the file's place). */
  fileBased: boolean;
}

/** Identifier and literal rules. Every identifier Sensei sends is quoted, so reserved words, case and spaces survive. */
export interface IdentifierRules {
  /** One identifier, quoted and escaped. */
  quote(name: string): string;
  /** A string literal for DDL (defaults, CHECK lists), never for row values (those are bound parameters). */
  literal(value: string): string;
  /** How the database folds unquoted names. */
  caseFolding: 'lower' | 'upper' | 'none';
  /** Longest name the database keeps, in bytes of UTF-8 (absent: no limit). */
  maxNameBytes?: number;
}

/** A dialect's type map both ways (connectors/<dialect>/types.ts); its connector reads catalogs with its own toCanonical. */
export interface TypeMap {
  /** A column as the dialect's catalog describes it (a shape of its own: PostgresNativeType, …) read into the canonical model. */
  toCanonical(info: never): CanonicalType;
  /** The native type the dialect declares for a canonical type, and how faithful that is. */
  fromCanonical(type: CanonicalType, context?: TargetTypeContext): TargetTypeChoice;
  /** A type name as a person types it (`varchar(40)`, `timestamptz(3)`, `int unsigned`) read into the canonical model. */
  parseTypeName(text: string): CanonicalType;
}

export interface DialectDefinition<Name extends string = string> {
  /** `type` in the API, the CLI and stored connections. */
  name: Name;
  /** For people: "PostgreSQL", "MariaDB/MySQL". */
  label: string;
  /** URL schemes (without `:`) that name this dialect, for the CLI's detection. */
  urlSchemes: readonly string[];
  /** File name endings (without the dot) that name this dialect, for file-based dialects. */
  fileExtensions: readonly string[];
  /** npm package of the driver (absent until the dialect is supported). */
  driver?: string;
  capabilities: DialectCapabilities;
  identifiers: IdentifierRules;
  /** Absent until the dialect is supported. */
  types?: TypeMap;
}

/** Rejects names no server keeps whole. */
export function checkIdentifier(name: string): void {
  if (name.length === 0) throw new Error('an empty identifier cannot be quoted');
  // NUL ends a C string in every server: a name holding one would silently be cut.
  if (name.includes('\u0000')) throw new Error('an identifier cannot contain the NUL character');
}

/** ANSI quoting: "a""b". */
export function doubleQuoted(name: string): string {
  checkIdentifier(name);
  return '"' + name.replace(/"/g, '""') + '"';
}

/** ANSI literal: 'it''s'. */
export function ansiLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('a SQL literal cannot contain the NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

/** The capabilities of a dialect Sensei knows by name only. */
export const NOT_SUPPORTED: DialectCapabilities = {
  supported: false,
  schemas: false,
  enums: false,
  arrays: false,
  transactionalDdl: false,
  inDatabaseDigest: false,
  fileBased: false,
};
