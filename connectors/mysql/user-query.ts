/** One user query on MariaDB/MySQL: layers 2–5 of activities/user-queries.ts. */
import type { Connection as MysqlConnection } from 'mysql2';
import type { Endpoint } from '../types';
import { UserQueryFailure, closeWithin, overCap, timedOut, withBackstop, type ReadOnlyRunner, type UserQueryLimits } from '../user-query';
import { mysqlSessionConfig } from './session';
import { parseMysqlUrl } from './url';

interface PreparedStatement {
  columns: unknown[];
  parameters: unknown[];
  execute(values: unknown[]): NodeJS.EventEmitter;
  close(): void;
}

function callback<T>(start: (done: (err: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}

export async function openUserQueryRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
  const mysql = await import('mysql2');
  const url = parseMysqlUrl(endpoint.connectionString);
  // rowsAsArray on the connection: a prepared statement's execute takes its options from there.
  const conn = mysql.createConnection({ ...mysqlSessionConfig(url), rowsAsArray: true });
  // A dropped connection (past the row cap, after a KILL) must not become an uncaught 'error' event.
  conn.on('error', () => undefined);
  const query = (sql: string) => callback<unknown>((done) => conn.query(sql, (err, rows) => done(err, rows)));
  try {
    await callback<void>((done) => conn.connect((err) => done(err, undefined)));
    await query("SET time_zone = '+00:00'");
    const [[version, mode]] = (await query('SELECT @@version, @@sql_mode')) as [[string, string]];
    const mariadb = /mariadb/i.test(version);
    const lockWait = Math.max(1, Math.ceil(limits.timeoutMs / 1000));
    // MySQL's max_execution_time (ms, SELECT only) is a session setting; MariaDB's limit is per statement below.
    if (!mariadb) await query(`SET SESSION max_execution_time = ${Math.ceil(limits.timeoutMs)}, lock_wait_timeout = ${lockWait}`);
    const modes = mode.toUpperCase().split(',');
    let dropped = false;
    const drop = () => {
      dropped = true;
      conn.destroy();
    };
    return {
      lex: { backslashEscapes: !modes.includes('NO_BACKSLASH_ESCAPES'), ansiQuotes: modes.includes('ANSI_QUOTES') },
      run: (statement) => {
        const bounded = mariadb ? `SET STATEMENT max_statement_time = ${limits.timeoutMs / 1000}, lock_wait_timeout = ${lockWait} FOR ${statement}` : statement;
        return runMysql(conn, bounded, limits, drop, () => killMysqlQuery(endpoint, conn.threadId));
      },
      // A dropped connection never answers end().
      close: async () => (dropped ? undefined : closeWithin(() => callback<void>((done) => conn.end((err) => done(err ?? null, undefined))))),
    };
  } catch (err) {
    conn.destroy();
    throw err;
  }
}

async function runMysql(conn: MysqlConnection, sql: string, limits: UserQueryLimits, drop: () => void, kill: () => Promise<void>): Promise<unknown[][]> {
  const statement = (await callback<unknown>((done) => conn.prepare(sql, (err, s) => done(err, s)))) as PreparedStatement;
  // A statement that returns no result set is not a query. DDL would commit the read-only transaction and run
  // outside it, so it must never reach execute.
  if (statement.columns.length === 0) throw new UserQueryFailure('refused: not a query (the statement returns no rows, so it would write, lock or change the session)');
  if (statement.parameters.length > 0) throw new UserQueryFailure('refused: placeholders (?) cannot be bound in a validation query');
  await callback<unknown>((done) => conn.query('START TRANSACTION READ ONLY', (err) => done(err, undefined)));
  let answered = true;
  try {
    const rows = new Promise<unknown[][]>((resolve, reject) => {
      const out: unknown[][] = [];
      const execution = statement.execute([]);
      execution.on('result', (row: unknown[]) => {
        if (out.length < limits.maxRows) {
          out.push(row);
        } else if (answered) {
          // Past the cap: drop the connection rather than read the rest (the server stops when it cannot send).
          answered = false;
          drop();
          reject(overCap(limits.maxRows));
        }
      });
      execution.on('error', (err: { errno?: number }) => reject(err.errno === 1969 || err.errno === 3024 ? timedOut(limits) : err));
      execution.on('end', () => resolve(out));
    });
    return await withBackstop(rows, limits, async () => {
      answered = false;
      try {
        await kill();
      } finally {
        drop();
      }
    });
  } finally {
    if (answered) await callback<unknown>((done) => conn.query('ROLLBACK', (err) => done(err, undefined))).catch(() => undefined);
  }
}

async function killMysqlQuery(endpoint: Endpoint, threadId: number | null): Promise<void> {
  if (threadId === null) return;
  const mysql = await import('mysql2/promise');
  const other = await mysql.createConnection(mysqlSessionConfig(parseMysqlUrl(endpoint.connectionString)));
  try {
    await other.query(`KILL QUERY ${Number(threadId)}`);
  } finally {
    other.destroy();
  }
}
