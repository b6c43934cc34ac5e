import type { LexOptions, QueryLexicon } from '../dialect';

const READS_ONLY = 'a validation query only reads';

/** How PostgreSQL reads a query (lib/validation/read-only-sql.ts): nested comments, E'' and dollar quotes, U&"…". */
export const queryLexicon = {
  forbiddenWords: { INSERT: READS_ONLY, UPDATE: READS_ONLY, DELETE: READS_ONLY, MERGE: READS_ONLY, INTO: 'SELECT … INTO creates a table' },
  /**
   * Functions that write, change the session or the server, take locks that outlive the statement, or read and
   * write files or other databases, though they are called from a SELECT. Read-only transactions stop some of them
   * (nextval, set_config of transaction_read_only) and not others (lo_export, pg_file_write, dblink_exec,
   * pg_terminate_backend, query_to_xml of COPY is stopped only by its volatility check).
   */
  forbiddenFunctions:
    /^(nextval|setval|set_config|pg_notify|query_to_xml\w*|dblink\w*|lo_\w+|loread|lowrite|pg_(try_)?advisory_\w+|pg_stat_reset\w*|pg_stat_statements_reset|pg_(create|drop|copy)_\w+|pg_replication_origin_\w+|pg_logical_\w+|pg_switch_wal|pg_reload_conf|pg_rotate_logfile\w*|pg_promote|pg_terminate_backend|pg_cancel_backend|pg_file_\w+|pg_read_(binary_)?file|pg_ls_\w+|pg_stat_file|pg_import_system_collations)$/,
  dashDashNeedsSpace: false,
  hashComments: false,
  backslashEscapes: (options: LexOptions, escapeString: boolean) => escapeString || options.standardStrings === false,
  escapeStrings: true,
  doubleQuotedIdentifier: () => true,
  unicodeIdentifiers: true,
  backtickIdentifiers: false,
  bracketIdentifiers: false,
  dollarQuotes: true,
  nestedComments: true,
  executableComments: false,
} satisfies QueryLexicon;
