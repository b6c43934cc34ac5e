/** Oracle: names, identifier rules, capabilities, type map, validation SQL, row-error classification (pure; the driver-backed connector is ./index.ts). */
import { fitName } from '../../lib/identifiers';
import { ansiLiteral, doubleQuoted, type DialectDefinition } from '../dialect';
import { fromCanonical, parseTypeName, toCanonical } from './types';
import { queryLexicon } from './query-lexicon';
import { validation } from './validation';

/** 128 bytes since 12.2; a 12.1 server keeps 30, which the connector checks once it knows the version (types.ts maxNameBytesFor). */
const limits = { maxNameBytes: 128 };

/**
 * ORA- errors that blame a row's data: unique key (1), NULL into NOT NULL (1400, 1407), number too large (1438),
 * invalid number (1722), date and time text (1830, 1839, 1840, 1841, 1843, 1847, 1850-1852, 1858, 1861, 1877, 1878),
 * CHECK (2290), parent key missing (2291), value too long (12899).
 */
const ROW_ERRORS = new Set([1, 1400, 1407, 1438, 1722, 1830, 1839, 1840, 1841, 1843, 1847, 1850, 1851, 1852, 1858, 1861, 1877, 1878, 2290, 2291, 12899]);

function isRowRejection(cause: unknown): boolean {
  const errorNum = (cause as { errorNum?: unknown } | undefined)?.errorNum;
  return typeof errorNum === 'number' && ROW_ERRORS.has(errorNum);
}

export const oracle = {
  name: 'oracle',
  label: 'Oracle',
  urlSchemes: ['oracle'],
  fileExtensions: [],
  driver: 'oracledb',
  // DDL commits implicitly in Oracle; no enums or arrays. The in-database digest has never run on a live server
  // (./validation.ts; off unless SENSEI_ORACLE_IN_DATABASE_DIGEST=on).
  capabilities: { supported: true, schemas: true, enums: false, arrays: false, transactionalDdl: false, inDatabaseDigest: true, fileBased: false, strictBooleans: false },
  identifiers: {
    quote: (name: string) => doubleQuoted(fitName(name, limits)),
    literal: ansiLiteral,
    caseFolding: 'upper',
    ...limits,
    // A constraint's name is unique in an Oracle schema: a column's CHECK is named with its table (see the connector).
    columnCheckName: (table: string, column: string) => (`${column}_CK`.startsWith(`${table}_`) ? `${column}_CK` : `${table}_${column}_CK`),
    foreignKeyNames: 'constraints',
  },
  types: {
    fromCanonical,
    parseTypeName,
    toCanonical,
    // DATE and TIMESTAMP: 4713 BC (ISO year -4712) to 9999 AD, no ±infinity. Declared from Oracle's documentation only.
    temporalRange: { date: { min: -4712, max: 9999 }, timestamp: { min: -4712, max: 9999 }, infinity: false },
  },
  validation,
  queryLexicon,
  isRowRejection,
} as const satisfies DialectDefinition;
