/** MariaDB/MySQL: names, identifier rules, capabilities, type map, validation SQL (pure; the driver-backed connector is ./index.ts). */
import { validation } from './validation';
import { fromCanonical, toCanonical } from './types';
import { ansiLiteral, checkIdentifier, type DialectDefinition } from '../dialect';

export const mysql = {
  name: 'mysql',
  label: 'MariaDB/MySQL',
  urlSchemes: ['mysql', 'mariadb'],
  fileExtensions: [],
  driver: 'mysql2',
  capabilities: { supported: true, schemas: false, enums: true, arrays: false, transactionalDdl: false, inDatabaseDigest: true, fileBased: false },
  identifiers: {
    quote: (name: string) => {
      checkIdentifier(name);
      return '`' + name.replace(/`/g, '``') + '`';
    },
    // Backslash escapes unless NO_BACKSLASH_ESCAPES is set, so it is doubled.
    literal: (value: string) => ansiLiteral(value.replace(/\\/g, '\\\\')),
    caseFolding: 'none',
    maxNameBytes: 64,
  },
  types: { fromCanonical, parseTypeName: (text: string) => toCanonical({ columnType: text.toLowerCase() }), toCanonical },
  validation,
} as const satisfies DialectDefinition;
