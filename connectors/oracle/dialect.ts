/** Oracle: known by name, not supported yet (connecting throws "not supported"). */
import { NOT_SUPPORTED, ansiLiteral, doubleQuoted, type DialectDefinition } from '../dialect';

export const oracle = {
  name: 'oracle',
  label: 'Oracle',
  urlSchemes: ['oracle'],
  fileExtensions: [],
  capabilities: NOT_SUPPORTED,
  identifiers: { quote: doubleQuoted, literal: ansiLiteral, caseFolding: 'upper', maxNameBytes: 128 },
} as const satisfies DialectDefinition;
