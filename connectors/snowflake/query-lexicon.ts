import type { QueryLexicon } from '../dialect';

const READS_ONLY = 'a validation query only reads';

/**
 * How Snowflake reads a query (lib/validation/read-only-sql.ts): "--", "//" and /* *\/ comments, '…' literals with
 * backslash escapes and doubled quotes, $$…$$ literals, "…" names that are the upper-case word when written in upper
 * case. Snowflake has no read-only transaction: what guards the account is that only one SELECT or WITH query passes
 * this check, and that connectors/snowflake/user-query.ts runs it inside `SELECT * FROM (…)`, where Snowflake's own
 * parser accepts only a query, as the one statement of its request (MULTI_STATEMENT_COUNT = 1). A SELECT may still
 * call a function that reaches outside (an external function): the account should be granted only SELECT.
 */
export const queryLexicon = {
  forbiddenWords: {
    INSERT: READS_ONLY,
    UPDATE: READS_ONLY,
    DELETE: READS_ONLY,
    MERGE: READS_ONLY,
    INTO: 'SELECT … INTO belongs to Snowflake Scripting',
    NEXTVAL: 'it advances a sequence',
    CALL: READS_ONLY,
  },
  // SYSTEM$ functions cancel queries, abort sessions, change clustering, send notifications.
  forbiddenFunctions: /^system\$\w*$/,
  dashDashNeedsSpace: false,
  hashComments: false,
  backslashEscapes: () => true,
  escapeStrings: false,
  doubleQuotedIdentifier: () => true,
  unicodeIdentifiers: false,
  backtickIdentifiers: false,
  bracketIdentifiers: false,
  dollarQuotes: true,
  nestedComments: false,
  executableComments: false,
  slashSlashComments: true,
  quotedNamesFold: true,
  queryStarts: ['SELECT', 'WITH'],
} satisfies QueryLexicon;
