/**
 * Users' validation queries (options.validation.queries) run so that they can only read, and only so much. A
 * migration tool must never write to its source, nor to its target through a user's SQL.
 *
 * Layers, outermost first; each holds on its own, none is trusted alone:
 * 1. Lexical (lib/validation/read-only-sql.ts): one statement, a query, no word or function that writes, locks
 *    or reaches outside, read under the session's own literal rules (MySQL sql_mode, standard_conforming_strings).
 * 2. One statement as the server parses it. PostgreSQL gets it inside `SELECT * FROM (…) LIMIT n` through the
 *    extended protocol, so its own parser refuses whatever is not a query (COPY … TO PROGRAM, DO, SET, SELECT …
 *    INTO, a data-modifying WITH, a second statement). MySQL/MariaDB prepare it (no multi-statements), and a
 *    statement whose prepared form returns no result set (DDL, which would commit a read-only transaction and
 *    escape it; SET; LOCK TABLES; CALL; SELECT … INTO OUTFILE; DML) is refused before it runs. SQLite prepares it
 *    (better-sqlite3 refuses several) and refuses one that is not a reader or not read-only.
 * 3. A read-only transaction per query, rolled back after (SQLite: the file is opened read-only).
 * 4. A connection per query (SQLite: a process), closed after: no flag, variable or lock of one query outlives
 *    it, so `SET SESSION … READ WRITE` in one entry cannot help the next.
 * 5. Bounds: a statement timeout inside the server (PostgreSQL statement_timeout, MariaDB max_statement_time,
 *    MySQL max_execution_time), a backstop that cancels from a second connection when the server does not answer
 *    in time (SQLite: the process is killed), and a row cap (PostgreSQL: LIMIT cap + 1 around the query; MySQL and
 *    SQLite: counted as rows arrive, the query abandoned past the cap).
 *
 * Sensei's own generated SQL does not come here: it runs on the tiers' read-only sessions (openSession).
 */
import { dialectNamed, isDialect } from '../connectors/dialects';
import { loadDialectRuntime } from '../connectors/registry';
import type { Endpoint } from '../connectors/types';
import { UserQueryFailure, type ReadOnlyRunner, type UserQueryLimits } from '../connectors/user-query';
import { USER_QUERY_DEFAULTS } from '../lib/migration';
import { checkReadQuery, isQueryDialect, type LexOptions, type QueryDialect } from '../lib/validation/read-only-sql';

export { UserQueryFailure, type ReadOnlyRunner, type UserQueryLimits };

export function userQueryLimits(options: { timeout_seconds?: number; max_rows?: number } = {}): UserQueryLimits {
  return {
    timeoutMs: (options.timeout_seconds ?? USER_QUERY_DEFAULTS.timeout_seconds) * 1000,
    maxRows: options.max_rows ?? USER_QUERY_DEFAULTS.max_rows,
  };
}

/** One user query on one side, through every layer; the rows as arrays, values read as openSession reads them. */
export async function runUserQuery(endpoint: Endpoint, sql: string, limits: UserQueryLimits): Promise<unknown[][]> {
  const dialect = queryDialect(endpoint);
  // The servers' default literal rules first, so a refused query costs no connection.
  refuseUnlessRead(sql, dialect, {});
  const runner = await openReadOnlyRunner(endpoint, limits);
  try {
    return await runner.run(refuseUnlessRead(sql, dialect, runner.lex));
  } finally {
    await runner.close();
  }
}

function refuseUnlessRead(sql: string, dialect: QueryDialect, lex: LexOptions): string {
  const check = checkReadQuery(sql, dialect, lex);
  if (!check.ok) throw new UserQueryFailure(`refused: ${check.problem}`);
  return check.statement;
}

function queryDialect(endpoint: Endpoint): QueryDialect {
  const type = endpoint.type;
  if (isDialect(type) && dialectNamed(type).capabilities.supported && isQueryDialect(type)) return type;
  throw new UserQueryFailure(`validation queries are not supported by ${endpoint.type}`);
}

/** A connection (SQLite: a process per run) for one user query. Exported so tests can show layers 2–5 hold alone. */
export async function openReadOnlyRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
  return (await loadDialectRuntime(queryDialect(endpoint))).openUserQueryRunner(endpoint, limits);
}
