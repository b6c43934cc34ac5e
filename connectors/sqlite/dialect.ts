/** SQLite: names, identifier rules, capabilities, type map, validation SQL (pure; the driver-backed connector is ./index.ts). */
import { validation } from './validation';
import { fromCanonical, toCanonical } from './types';
import { ansiLiteral, doubleQuoted, type DialectDefinition } from '../dialect';

export const sqlite = {
  name: 'sqlite',
  label: 'SQLite',
  urlSchemes: ['sqlite', 'file'],
  fileExtensions: ['sqlite', 'sqlite3', 'db'],
  driver: 'better-sqlite3',
  capabilities: { supported: true, schemas: false, enums: false, arrays: false, transactionalDdl: true, inDatabaseDigest: false, fileBased: true },
  identifiers: { quote: doubleQuoted, literal: ansiLiteral, caseFolding: 'none' },
  types: { fromCanonical, parseTypeName: (text: string) => toCanonical({ declared: text }), toCanonical },
  validation,
} as const satisfies DialectDefinition;
