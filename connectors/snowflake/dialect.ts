/** Snowflake: known by name, not supported yet (connecting throws "not supported"). */
import { NOT_SUPPORTED, ansiLiteral, doubleQuoted, type DialectDefinition } from '../dialect';

export const snowflake = {
  name: 'snowflake',
  label: 'Snowflake',
  urlSchemes: ['snowflake'],
  fileExtensions: [],
  capabilities: NOT_SUPPORTED,
  identifiers: { quote: doubleQuoted, literal: ansiLiteral, caseFolding: 'upper', maxNameBytes: 255 },
} as const satisfies DialectDefinition;
