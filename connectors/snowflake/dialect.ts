/** Snowflake: names, identifier rules, capabilities, type map, validation SQL, row-error classification (pure; the driver-backed connector is ./index.ts). */
import { fitName } from '../../lib/identifiers';
import { ansiLiteral, doubleQuoted, type DialectDefinition } from '../dialect';
import { fromCanonical, parseTypeName, toCanonical } from './types';
import { queryLexicon } from './query-lexicon';
import { validation } from './validation';

/** Snowflake keeps names of up to 255 characters; unquoted ones fold to upper case (Sensei quotes every name). */
const limits = { maxNameChars: 255 };

/** A COPY's refused rows (SnowflakeRowRejection in ./index.ts) or a data error (SQLSTATE classes 22 and 23). */
function isRowRejection(cause: unknown): boolean {
  const e = cause as { name?: unknown; sqlState?: unknown } | undefined;
  return e?.name === 'SnowflakeRowRejection' || (typeof e?.sqlState === 'string' && /^2[23]/.test(e.sqlState));
}

export const snowflake = {
  name: 'snowflake',
  label: 'Snowflake',
  urlSchemes: ['snowflake'],
  fileExtensions: [],
  driver: 'snowflake-sdk',
  // Schemas inside a database; DDL commits implicitly; no enums; ARRAY is semi-structured, not a typed array.
  capabilities: { supported: true, schemas: true, enums: false, arrays: false, transactionalDdl: false, inDatabaseDigest: true, fileBased: false, strictBooleans: true },
  identifiers: { quote: (name: string) => doubleQuoted(fitName(name, limits)), literal: ansiLiteral, caseFolding: 'upper', ...limits },
  // TIME is a time of day up to 23:59:59.999999999 (no 24:00:00, no duration).
  types: { fromCanonical, parseTypeName, toCanonical, checkRefusal: 'Snowflake does not enforce CHECK constraints', timeOfDayMax: '23:59:59.999999999' },
  validation,
  queryLexicon,
  isRowRejection,
} as const satisfies DialectDefinition;
