/** MariaDB/MySQL: names, identifier rules, capabilities, type map, validation SQL, row-error classification, query lexicon (pure; the driver-backed connector is ./index.ts). */
import { fitName } from '../../lib/identifiers';
import { queryLexicon } from './query-lexicon';
import { validation } from './validation';
import { fromCanonical, INDEX_KEY_MAX_BYTES, indexKeyBytes, indexRefusal, outOfRowType, ROW_LIMITS, sameDialect, toCanonical } from './types';
import { ansiLiteral, checkIdentifier, type DialectDefinition } from '../dialect';

/** Errors that blame a row's data: null, duplicate, out of range, truncated, bad value, too long, FK, CHECK, not a geometry. */
const ROW_ERRNOS = new Set([1048, 1062, 1264, 1265, 1292, 1366, 1406, 1416, 1451, 1452, 1690, 3819, 4025]);

function isRowRejection(cause: unknown): boolean {
  const errno = (cause as { errno?: unknown } | undefined)?.errno;
  return typeof errno === 'number' && ROW_ERRNOS.has(errno);
}

export const mysql = {
  name: 'mysql',
  label: 'MariaDB/MySQL',
  urlSchemes: ['mysql', 'mariadb'],
  fileExtensions: [],
  driver: 'mysql2',
  capabilities: { supported: true, schemas: false, enums: true, arrays: false, transactionalDdl: false, inDatabaseDigest: true, fileBased: false, strictBooleans: false, comments: true, nativeObjectsLeftOut: true },
  identifiers: {
    quote: (name: string) => {
      checkIdentifier(name);
      // MariaDB and MySQL refuse names past 64 characters: longer names are shortened here, deterministically.
      return '`' + fitName(name, { maxNameChars: 64 }).replace(/`/g, '``') + '`';
    },
    // Backslash escapes unless NO_BACKSLASH_ESCAPES is set, so it is doubled.
    literal: (value: string) => ansiLiteral(value.replace(/\\/g, '\\\\')),
    caseFolding: 'none',
    // Column names ignore case (table names follow lower_case_table_names: on Linux, 0, they do not).
    sameName: { columns: (name: string) => name.toLowerCase() },
    maxNameChars: 64,
    // InnoDB keeps a foreign key's name in the database: a second table cannot use it.
    foreignKeyNames: 'schema',
    // MariaDB names a column's own CHECK (JSON's json_valid too) after the column, in its table's namespace of CHECKs.
    tableConstraints: { columnCheck: (_table: string, column: string) => fitName(column, { maxNameChars: 64 }), checkedTypes: ['json'], foreignKeys: true },
  },
  types: {
    fromCanonical,
    parseTypeName: (text: string) => toCanonical({ columnType: text.toLowerCase() }),
    toCanonical,
    sameDialect,
    indexRefusal,
    // InnoDB keeps 3072 bytes of an index key: one past it is refused ("Specified key was too long").
    rowBytes: { limits: ROW_LIMITS, outOfRow: outOfRowType },
    indexKey: {
      maxBytes: INDEX_KEY_MAX_BYTES,
      bytesOf: indexKeyBytes,
      longUnique: 'MariaDB keeps it as a hash of its columns (USING HASH), which no foreign key can reference; MySQL refuses it',
    },
    // DATE and DATETIME: years 1 to 9999 (MariaDB documents 1000 on; earlier years are stored and read back as given).
    temporalRange: { date: { min: 1, max: 9999 }, timestamp: { min: 1, max: 9999 }, infinity: false },
    // FLOAT and DOUBLE hold finite numbers only.
    nonFinite: { nan: false, infinity: false },
  },
  validation,
  isRowRejection,
  queryLexicon,
} as const satisfies DialectDefinition;
