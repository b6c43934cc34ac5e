import type { LexOptions, QueryLexicon } from '../dialect';

const READS_ONLY = 'a validation query only reads';

/** How MariaDB/MySQL reads a query (lib/validation/read-only-sql.ts): # and "-- " comments, backslash escapes, sql_mode. */
export const queryLexicon = {
  forbiddenWords: {
    INSERT: READS_ONLY,
    UPDATE: READS_ONLY,
    DELETE: READS_ONLY,
    INTO: 'SELECT … INTO writes a file (OUTFILE, DUMPFILE) or variables',
    LOCK: 'locking reads are refused',
  },
  // Read-only transactions do not stop GET_LOCK.
  forbiddenFunctions: /^(get_lock|release_lock|release_all_locks|load_file|sys_exec|sys_eval|nextval|setval|lastval)$/,
  dashDashNeedsSpace: true,
  hashComments: true,
  backslashEscapes: (options: LexOptions) => options.backslashEscapes !== false,
  escapeStrings: false,
  doubleQuotedIdentifier: (options: LexOptions) => options.ansiQuotes === true,
  unicodeIdentifiers: false,
  backtickIdentifiers: true,
  bracketIdentifiers: false,
  dollarQuotes: false,
  nestedComments: false,
  executableComments: true,
} satisfies QueryLexicon;
