import type { QueryLexicon } from '../dialect';

const READS_ONLY = 'a validation query only reads';
const REACHES_OUT = 'a validation query may not lock, wait, run SQL of its own or reach files and other servers';

/**
 * How Oracle reads a query (lib/validation/read-only-sql.ts): "--" and /* *\/ comments (not nested), '…' literals with
 * doubled quotes and no backslash escapes, "…" names that are the upper-case word when written in upper case.
 * q'[…]' literals are refused (their delimiters are not read here), so are optimizer hints. The guard is the
 * database (connectors/oracle/user-query.ts): a read-only transaction around a statement that parses only as a query.
 * A PL/SQL function the account may call can still write through an autonomous transaction: the account Sensei
 * validates with should be granted only SELECT.
 */
export const queryLexicon = {
  forbiddenWords: {
    INSERT: READS_ONLY,
    UPDATE: 'it writes, or locks rows (FOR UPDATE)',
    DELETE: READS_ONLY,
    MERGE: READS_ONLY,
    INTO: 'SELECT … INTO belongs to PL/SQL',
    NEXTVAL: 'it advances a sequence',
    FUNCTION: 'a WITH clause may not declare PL/SQL',
    PROCEDURE: 'a WITH clause may not declare PL/SQL',
    DBMS_LOCK: REACHES_OUT,
    DBMS_PIPE: REACHES_OUT,
    DBMS_ALERT: REACHES_OUT,
    DBMS_AQ: REACHES_OUT,
    DBMS_SQL: REACHES_OUT,
    DBMS_SESSION: REACHES_OUT,
    DBMS_SCHEDULER: REACHES_OUT,
    DBMS_JOB: REACHES_OUT,
    DBMS_CLOUD: REACHES_OUT,
    UTL_HTTP: REACHES_OUT,
    UTL_TCP: REACHES_OUT,
    UTL_SMTP: REACHES_OUT,
    UTL_MAIL: REACHES_OUT,
    UTL_FILE: REACHES_OUT,
    UTL_INADDR: REACHES_OUT,
    HTTPURITYPE: REACHES_OUT,
  },
  forbiddenFunctions: /^(httpuritype|dburitype|sys_context_set)$/,
  dashDashNeedsSpace: false,
  hashComments: false,
  backslashEscapes: () => false,
  escapeStrings: false,
  doubleQuotedIdentifier: () => true,
  unicodeIdentifiers: false,
  backtickIdentifiers: false,
  bracketIdentifiers: false,
  dollarQuotes: false,
  nestedComments: false,
  // Refuses /*+ … */ hints (and /*! … */, which Oracle reads as a comment: refused the same, to be safe).
  executableComments: true,
  alternativeQuotes: true,
  quotedNamesFold: true,
  queryStarts: ['SELECT', 'WITH'],
} satisfies QueryLexicon;
