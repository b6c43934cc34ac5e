/**
 * One user query on Oracle: layers 2–5 of activities/user-queries.ts.
 * 2. The statement runs inside `SELECT * FROM (…)`, where Oracle's parser accepts only a query, as the one statement
 *    of an execute (node-oracledb runs one statement per call).
 * 3. `SET TRANSACTION READ ONLY` first, a ROLLBACK after: DML fails (ORA-01456). DDL cannot parse inside the FROM.
 * 4. A connection of its own, closed after.
 * 5. callTimeout (the driver breaks the call at the timeout) and a backstop that breaks it from here; the row cap
 *    as FETCH FIRST cap + 1 ROWS.
 */
import type { Endpoint } from '../types';
import { closeWithin, overCap, timedOut, withBackstop, type ReadOnlyRunner, type UserQueryLimits } from '../user-query';
import { fetchTypeHandler, loadOracleDb, connectionOptions, type OracleConnection } from './driver';
import { SESSION_SETTINGS } from './sql';
import { parseOracleUrl } from './url';

/** The statement as it is sent: inside a FROM (only a query parses there), at most cap + 1 rows. */
export function userQuerySql(statement: string, maxRows: number): string {
  // The newlines keep a trailing -- comment from eating the parenthesis.
  return `SELECT * FROM (\n${statement}\n) sensei_user_query FETCH FIRST ${Math.floor(maxRows) + 1} ROWS ONLY`;
}

/** What each user query's transaction begins with (it ends with a ROLLBACK). */
export const READ_ONLY_BEGIN = 'SET TRANSACTION READ ONLY';

interface Breakable extends OracleConnection {
  callTimeout: number;
  breakExecution(): Promise<void>;
}

export async function openUserQueryRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
  const db = await loadOracleDb();
  const { sessionCallback: _callback, ...options } = await connectionOptions(parseOracleUrl(endpoint.connectionString));
  const conn = (await db.getConnection(options)) as Breakable;
  try {
    for (const statement of SESSION_SETTINGS) await conn.execute(statement);
  } catch (error) {
    await closeWithin(() => conn.close());
    throw error;
  }
  return {
    lex: {},
    run: async (statement) => {
      await conn.execute(READ_ONLY_BEGIN);
      let answered = true;
      try {
        conn.callTimeout = Math.ceil(limits.timeoutMs);
        const work = conn.execute(userQuerySql(statement, limits.maxRows), [], { outFormat: db.OUT_FORMAT_ARRAY, fetchTypeHandler: fetchTypeHandler(db) });
        const result = await withBackstop(work, limits, async () => {
          answered = false;
          await conn.breakExecution();
        }).catch((err: unknown) => {
          throw isTimeout(err) ? timedOut(limits) : err;
        });
        const rows = (result.rows ?? []) as unknown[][];
        if (rows.length > limits.maxRows) throw overCap(limits.maxRows);
        return rows;
      } finally {
        conn.callTimeout = 0;
        if (answered) await conn.rollback().catch(() => undefined);
      }
    },
    close: () => closeWithin(() => conn.close()),
  };
}

/** NJS-123 (callTimeout), ORA-01013 (the call was broken). */
function isTimeout(err: unknown): boolean {
  const e = err as { code?: unknown; errorNum?: unknown };
  return e?.code === 'NJS-123' || e?.errorNum === 1013;
}
