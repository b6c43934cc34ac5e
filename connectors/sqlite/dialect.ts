/** SQLite: names, identifier rules, capabilities, type map, validation SQL, row-error classification, query lexicon (pure; the driver-backed connector is ./index.ts). */
import { queryLexicon } from './query-lexicon';
import { validation } from './validation';
import { fromCanonical, sameDialect, toCanonical } from './types';
import { ansiLiteral, doubleQuoted, type DialectDefinition } from '../dialect';

function isRowRejection(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/.test(code)) return true;
  // better-sqlite3 refuses to bind a value SQLite cannot hold (a BIGINT UNSIGNED above 2^63-1) before it runs anything.
  // By name, not instanceof: a native addon's RangeError may come from another realm (jest's, for one).
  const e = cause as { name?: unknown; message?: unknown } | undefined;
  return e?.name === 'RangeError' && /too big/i.test(String(e.message));
}

/** A name with its ASCII letters in lower case (as SQLite compares names). */
const asciiLower = (name: string): string => name.replace(/[A-Z]+/g, (m) => m.toLowerCase());

export const sqlite = {
  name: 'sqlite',
  label: 'SQLite',
  urlSchemes: ['sqlite', 'file'],
  fileExtensions: ['sqlite', 'sqlite3', 'db'],
  driver: 'better-sqlite3',
  capabilities: { supported: true, schemas: false, enums: false, arrays: false, transactionalDdl: true, inDatabaseDigest: false, fileBased: true, strictBooleans: false, looseValues: true, partialIndexes: true, expressionIndexes: true, asciiCaseMapping: true, nativeObjectsLeftOut: 'indexes' },
  // "Users" and "users" are one table, "Name" and "name" one column (SQLite folds ASCII letters only).
  identifiers: { quote: doubleQuoted, literal: ansiLiteral, caseFolding: 'none', sameName: { tables: asciiLower, columns: asciiLower } },
  // A REAL holds ±Infinity; NaN is stored as NULL.
  types: { fromCanonical, parseTypeName: (text: string) => toCanonical({ declared: text }), toCanonical, sameDialect, nonFinite: { nan: false, infinity: true }, integerMax: '9223372036854775807' },
  validation,
  isRowRejection,
  queryLexicon,
} as const satisfies DialectDefinition;
