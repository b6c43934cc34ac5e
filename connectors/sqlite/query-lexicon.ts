import type { QueryLexicon } from '../dialect';

const READS_ONLY = 'a validation query only reads';

/** How SQLite reads a query (lib/validation/read-only-sql.ts): "…", `…` and […] identifiers. */
export const queryLexicon = {
  forbiddenWords: { INSERT: READS_ONLY, UPDATE: READS_ONLY, DELETE: READS_ONLY, INTO: READS_ONLY },
  forbiddenFunctions: /^(load_extension|readfile|writefile|edit|fts3_tokenizer)$/,
  dashDashNeedsSpace: false,
  hashComments: false,
  backslashEscapes: () => false,
  escapeStrings: false,
  doubleQuotedIdentifier: () => true,
  unicodeIdentifiers: false,
  backtickIdentifiers: true,
  bracketIdentifiers: true,
  dollarQuotes: false,
  nestedComments: false,
  executableComments: false,
} satisfies QueryLexicon;
