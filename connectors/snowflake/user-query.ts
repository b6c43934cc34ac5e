/**
 * One user query on Snowflake: layers 2–5 of activities/user-queries.ts, without layer 3, because Snowflake has no
 * read-only transaction. What stands in for it:
 * 1. The lexical check (./query-lexicon.ts) lets through one SELECT or WITH query only, and none of the words that
 *    write (INSERT, UPDATE, DELETE, MERGE, INTO, CALL, NEXTVAL) or SYSTEM$ functions.
 * 2. The statement runs inside `SELECT * FROM (…)`, where Snowflake's parser accepts only a query, and its request
 *    allows exactly one statement (MULTI_STATEMENT_COUNT = 1).
 * 4. A session of its own, closed after.
 * 5. STATEMENT_TIMEOUT_IN_SECONDS in the session, a backstop that cancels the statement, the row cap as LIMIT cap + 1.
 * The account Sensei validates with should be granted only SELECT: that is the guard a read-only transaction would be.
 */
import type { Connection, RowStatement } from 'snowflake-sdk';
import type { Endpoint } from '../types';
import { closeWithin, overCap, timedOut, withBackstop, type ReadOnlyRunner, type UserQueryLimits } from '../user-query';
import { loadSdk, openSession, run } from './index';
import { parseSnowflakeUrl } from './url';

/** The statement as it is sent: inside a FROM (only a query parses there), at most cap + 1 rows. */
export function userQuerySql(statement: string, maxRows: number): string {
  // The newlines keep a trailing -- or // comment from eating the parenthesis.
  return `SELECT * FROM (\n${statement}\n) AS sensei_user_query LIMIT ${Math.floor(maxRows) + 1}`;
}

/** The session's bound on one statement, in whole seconds (at least one). */
export function timeoutSql(limits: UserQueryLimits): string {
  return `ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = ${Math.max(1, Math.ceil(limits.timeoutMs / 1000))}`;
}

export async function openUserQueryRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
  const conn = await openSession(await loadSdk(), parseSnowflakeUrl(endpoint.connectionString));
  const destroy = () => closeWithin(() => new Promise<void>((resolve) => conn.destroy(() => resolve())));
  try {
    await run(conn, timeoutSql(limits));
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    // Snowflake reads backslash escapes in every '…' literal (./query-lexicon.ts): no session setting changes that.
    lex: {},
    run: async (statement) => {
      let executing: RowStatement | undefined;
      const work = execute(conn, userQuerySql(statement, limits.maxRows), (s) => (executing = s));
      const rows = await withBackstop(work, limits, () => new Promise<void>((resolve) => (executing ? executing.cancel(() => resolve()) : resolve()))).catch((err: unknown) => {
        // 000630: the statement reached STATEMENT_TIMEOUT_IN_SECONDS.
        throw /^0*630$/.test(String((err as { code?: unknown })?.code ?? '')) ? timedOut(limits) : err;
      });
      if (rows.length > limits.maxRows) throw overCap(limits.maxRows);
      return rows;
    },
    close: destroy,
  };
}

function execute(conn: Connection, sql: string, started: (s: RowStatement) => void): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    const statement = conn.execute({
      sqlText: sql,
      rowMode: 'array',
      fetchAsString: ['Number', 'Date', 'JSON'],
      parameters: { MULTI_STATEMENT_COUNT: 1 },
      complete: (err, _statement, rows) => (err ? reject(err) : resolve((rows ?? []) as unknown[][])),
    });
    started(statement as RowStatement);
  });
}
