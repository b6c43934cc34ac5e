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
 * The name PostgreSQL gives a column's unnamed CHECK, as its makeObjectName does: `<table>_<column>_check`, the longer
 * of the two names cut first until it fits in 63 bytes.
 */
export function columnCheckName(table: string, column: string): string {
  const label = 'check';
  const room = limits.maxNameBytes - (label.length + 2);
  let a = utf8Length(table);
  let b = utf8Length(column);
  while (a + b > room) {
    if (a > b) a--;
    else b--;
  }
  return `${clip(table, a)}_${clip(column, b)}_${label}`;
}

/** Who holds a type name in pg_catalog (see CATALOG_TYPES), or undefined. */
export function builtinType(name: string): string | undefined {
  return CATALOG_TYPES.has(name.startsWith('_') ? name.slice(1) : name) ? `PostgreSQL's built-in type pg_catalog.${name}` : undefined;
}

// SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation).
function isRowRejection(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

export const postgres = {
  name: 'postgresql',
  label: 'PostgreSQL',
  urlSchemes: ['postgres', 'postgresql'],
  fileExtensions: [],
  driver: 'pg',
  capabilities: { supported: true, schemas: true, enums: true, arrays: true, transactionalDdl: true, inDatabaseDigest: true, fileBased: false, strictBooleans: true },
  identifiers: { quote: (name: string) => doubleQuoted(fitName(name, limits)), literal: ansiLiteral, caseFolding: 'lower', ...limits, tableConstraints: { columnCheck: columnCheckName, foreignKeys: true }, builtinType },
  types: {
    fromCanonical,
    parseTypeName,
    toCanonical,
    sameDialect,
    extensionTypes: EXTENSION_TYPES,
    // 4713 BC to 5874897 AD (dates), to 294276 AD (timestamps), and ±infinity.
    temporalRange: { date: { min: -4712, max: 5874897 }, timestamp: { min: -4712, max: 294276 }, infinity: true },
  },
  validation,
  isRowRejection,
  queryLexicon,
} as const satisfies DialectDefinition;
