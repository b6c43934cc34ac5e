/** PostgreSQL: names, identifier rules, capabilities, type map, validation SQL (pure; the driver-backed connector is ./index.ts). */
import { validation } from './validation';
import { formattedTypeName, fromCanonical, toCanonical } from './types';
import { ansiLiteral, doubleQuoted, type DialectDefinition } from '../dialect';

export const postgres = {
  name: 'postgresql',
  label: 'PostgreSQL',
  urlSchemes: ['postgres', 'postgresql'],
  fileExtensions: [],
  driver: 'pg',
  capabilities: { supported: true, schemas: true, enums: true, arrays: true, transactionalDdl: true, inDatabaseDigest: true, fileBased: false },
  identifiers: { quote: doubleQuoted, literal: ansiLiteral, caseFolding: 'lower', maxNameBytes: 63 },
  types: { fromCanonical, parseTypeName: (text: string) => toCanonical({ formatted: formattedTypeName(text) }), toCanonical },
  validation,
} as const satisfies DialectDefinition;
