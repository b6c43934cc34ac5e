/** PostgreSQL: names, identifier rules, capabilities, type map, validation SQL, row-error classification, query lexicon (pure; the driver-backed connector is ./index.ts). */
import { CATALOG_TYPES } from './catalog-types';
import { queryLexicon } from './query-lexicon';
import { validation } from './validation';
import { EXTENSION_TYPES, fromCanonical, parseTypeName, sameDialect, toCanonical } from './types';
import { fitName, utf8Length } from '../../lib/identifiers';
import { ansiLiteral, doubleQuoted, type DialectDefinition } from '../dialect';

/** PostgreSQL keeps 63 bytes of a name and silently cuts the rest: longer names are shortened here, deterministically. */
const limits = { maxNameBytes: 63 };

/** The first characters of a name that fit in `bytes` bytes of UTF-8, whole characters only (pg_mbcliplen). */
function clip(name: string, bytes: number): string {
  let out = '';
  for (const ch of name) {
    if (utf8Length(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}

/**
 * A name as PostgreSQL's makeObjectName makes it: `<name1>_<name2>_<label>` (or `<name1>_<label>`), the longer of the
 * two names cut first until the whole fits in 63 bytes.
 */
function objectName(name1: string, name2: string | null, label: string): string {
  const room = limits.maxNameBytes - (label.length + 1) - (name2 === null ? 0 : 1);
  let a = utf8Length(name1);
  let b = name2 === null ? 0 : utf8Length(name2);
  while (a + b > room) {
    if (a > b) a--;
    else b--;
  }
  return name2 === null ? `${clip(name1, a)}_${label}` : `${clip(name1, a)}_${clip(name2, b)}_${label}`;
}

/** The name PostgreSQL gives a column's unnamed CHECK: `<table>_<column>_check`, cut to fit as makeObjectName does. */
export function columnCheckName(table: string, column: string): string {
  return objectName(table, column, 'check');
}

/**
 * The names PostgreSQL gives a table's unnamed PRIMARY KEY (`<table>_pkey`) and UNIQUE constraints
 * (`<table>_<column>[_<column>…]_key`), as the CREATE TABLE across dialects writes them (connectors/sql-connector.ts
 * tableConstraints). Before any other relation of the schema holds them (PostgreSQL then adds a digit).
 */
export const keyNames = {
  primaryKey: (table: string) => objectName(table, null, 'pkey'),
  unique: (table: string, columns: readonly string[]) => objectName(table, columns.join('_'), 'key'),
};

/** Who holds a type name in pg_catalog (see CATALOG_TYPES), or undefined. */
export function builtinType(name: string): string | undefined {
  return CATALOG_TYPES.has(name.startsWith('_') ? name.slice(1) : name) ? `PostgreSQL's built-in type pg_catalog.${name}` : undefined;
}

/**
 * SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation), and program_limit_exceeded: a row's
 * value too large for an index entry (a long text under a UNIQUE key another dialect kept on its first characters).
 */
function isRowRejection(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (/^2[23][0-9A-Z]{3}$/.test(code) || code === '54000');
}

export const postgres = {
  name: 'postgresql',
  label: 'PostgreSQL',
  urlSchemes: ['postgres', 'postgresql'],
  fileExtensions: [],
  driver: 'pg',
  capabilities: { supported: true, schemas: true, enums: true, arrays: true, transactionalDdl: true, inDatabaseDigest: true, fileBased: false, strictBooleans: true, comments: true, partialIndexes: true, expressionIndexes: true, nativeObjectsLeftOut: true },
  identifiers: { quote: (name: string) => doubleQuoted(fitName(name, limits)), literal: ansiLiteral, caseFolding: 'lower', ...limits, tableConstraints: { columnCheck: columnCheckName, foreignKeys: true, keyNames }, builtinType },
  types: {
    fromCanonical,
    parseTypeName,
    toCanonical,
    sameDialect,
    extensionTypes: EXTENSION_TYPES,
    // 4713 BC to 5874897 AD (dates), to 294276 AD (timestamps), and ±infinity.
    temporalRange: { date: { min: -4712, max: 5874897 }, timestamp: { min: -4712, max: 294276 }, infinity: true },
    // "invalid byte sequence for encoding UTF8: 0x00"; jsonb: "unsupported Unicode escape sequence".
    nulRefused: { jsonTypes: ['jsonb'] },
    // time is a time of day: past 24:00:00 "date/time field value out of range", below 00:00:00 "invalid input syntax".
    timeOfDayMax: '24:00:00',
  },
  validation,
  isRowRejection,
  queryLexicon,
} as const satisfies DialectDefinition;
