/** PostgreSQL: names, identifier rules, capabilities, type map, validation SQL, row-error classification, query lexicon (pure; the driver-backed connector is ./index.ts). */
import { queryLexicon } from './query-lexicon';
import { validation } from './validation';
import { EXTENSION_TYPES, fromCanonical, parseTypeName, sameDialect, toCanonical } from './types';
import { fitName } from '../../lib/identifiers';
import { ansiLiteral, doubleQuoted, type DialectDefinition } from '../dialect';

/** PostgreSQL keeps 63 bytes of a name and silently cuts the rest: longer names are shortened here, deterministically. */
const limits = { maxNameBytes: 63 };

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
  identifiers: { quote: (name: string) => doubleQuoted(fitName(name, limits)), literal: ansiLiteral, caseFolding: 'lower', ...limits },
  types: { fromCanonical, parseTypeName, toCanonical, sameDialect, extensionTypes: EXTENSION_TYPES },
  validation,
  isRowRejection,
  queryLexicon,
} as const satisfies DialectDefinition;
