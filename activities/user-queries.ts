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
import { spawn } from 'node:child_process';
import type { Connection as MysqlConnection } from 'mysql2';
import type * as Pg from 'pg';
import type { Client as PgClient, QueryArrayConfig } from 'pg';
import { sqlitePath } from '../connectors/endpoint';
import { mysqlDriverOptions, parseMysqlUrl, type MysqlUrl } from '../connectors/mysql/url';
import type { Endpoint } from '../connectors/types';
import { USER_QUERY_DEFAULTS } from '../lib/migration';
import { databaseSocket } from '../lib/reach';
import { checkReadQuery, type LexOptions, type QueryDialect } from '../lib/validation/read-only-sql';

export interface UserQueryLimits {
  /** Per query and side, enforced inside the server. */
  timeoutMs: number;
  /** Rows a query may return per side; one more fails it. */
  maxRows: number;
}

export function userQueryLimits(options: { timeout_seconds?: number; max_rows?: number } = {}): UserQueryLimits {
  return {
    timeoutMs: (options.timeout_seconds ?? USER_QUERY_DEFAULTS.timeout_seconds) * 1000,
    maxRows: options.max_rows ?? USER_QUERY_DEFAULTS.max_rows,
  };
}

/** A user query that returned no rows to compare: refused by a guard, over a bound, or the database's error. */
export class UserQueryFailure extends Error {}

/** How long past the server's own timeout the backstop waits before it cancels the query itself. */
const BACKSTOP_GRACE_MS = 5_000;
/** How long closing a connection may take after a query was abandoned (the socket is left to the OS after). */
const CLOSE_WAIT_MS = 2_000;

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
  if (endpoint.type === 'postgresql' || endpoint.type === 'mysql' || endpoint.type === 'sqlite') return endpoint.type;
  throw new UserQueryFailure(`validation queries are not supported by ${endpoint.type}`);
}

/** Layers 2–5 for one statement: what the database enforces, without the lexical check. */
export interface ReadOnlyRunner {
  /** The session's literal rules, for the lexical check. */
  lex: LexOptions;
  run(statement: string): Promise<unknown[][]>;
  close(): Promise<void>;
}

/** A connection (SQLite: a process per run) for one user query. Exported so tests can show layers 2–5 hold alone. */
export async function openReadOnlyRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
  switch (queryDialect(endpoint)) {
    case 'postgresql':
      return postgresRunner(endpoint, limits);
    case 'mysql':
      return mysqlRunner(endpoint, limits);
    case 'sqlite':
      return sqliteRunner(endpoint, limits);
  }
}

// ---------------------------------------------------------------- values read alike on every path

/** pg type ids handed over as text: date, time, timestamp, timestamptz, timetz (never a JS Date). */
const PG_TEXT_TYPES = new Set([1082, 1083, 1114, 1184, 1266]);

/**
 * The pg client settings of validation sessions and user queries, so both read values alike; the socket connects only
 * to addresses allowed for databases (lib/reach.ts).
 */
export function pgSessionConfig(pg: typeof Pg, connectionString: string) {
  return {
    connectionString,
    stream: databaseSocket,
    types: { getTypeParser: ((oid: number, format?: string) => (PG_TEXT_TYPES.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text'))) as never },
  };
}

/**
 * The mysql2 settings of validation sessions and user queries: the URL as the connector reads it (no URI options
 * passed through; its TLS options honoured; the socket connects only to addresses allowed for databases).
 */
export function mysqlSessionConfig(url: MysqlUrl) {
  return {
    ...mysqlDriverOptions(url),
    database: url.database,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  };
}

// ---------------------------------------------------------------- bounds

function overCap(maxRows: number): UserQueryFailure {
  return new UserQueryFailure(`returned more than ${maxRows} rows, the cap (options.validation.max_query_rows): narrow the query or raise the cap`);
}

function timedOut(limits: UserQueryLimits): UserQueryFailure {
  return new UserQueryFailure(`timed out after ${limits.timeoutMs / 1000} s (options.validation.query_timeout_seconds)`);
}

/** The server stops a query at the timeout; this stops waiting for one that does not, and has it cancelled. */
async function withBackstop<T>(work: Promise<T>, limits: UserQueryLimits, cancel: () => Promise<void>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cancel().catch(() => undefined);
      reject(timedOut(limits));
    }, limits.timeoutMs + BACKSTOP_GRACE_MS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function closeWithin(close: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([close().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
  clearTimeout(timer);
}

// ---------------------------------------------------------------- PostgreSQL

async function postgresRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
  const pg = await import('pg');
  const client = new pg.Client(pgSessionConfig(pg, endpoint.connectionString));
  // A connection the server ends (a cancelled or terminated backend) must not become an uncaught 'error' event.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const session = (await client.query("SELECT current_setting('standard_conforming_strings') AS scs, pg_backend_pid() AS pid")).rows[0] as { scs: string; pid: number };
    return {
      lex: { standardStrings: session.scs === 'on' },
      run: (statement) => runPostgres(client, statement, limits, () => cancelPostgres(endpoint, session.pid)),
      close: () => closeWithin(() => client.end()),
    };
  } catch (err) {
    await closeWithin(() => client.end());
    throw err;
  }
}

async function runPostgres(client: PgClient, statement: string, limits: UserQueryLimits, cancel: () => Promise<void>): Promise<unknown[][]> {
  await client.query('BEGIN READ ONLY');
  let answered = true;
  try {
    await client.query(`SET LOCAL statement_timeout = ${Math.ceil(limits.timeoutMs)}`);
    // Inside a FROM only a query parses; the newlines keep a trailing -- comment from eating the parenthesis.
    const config: QueryArrayConfig & { queryMode: 'extended' } = {
      text: `SELECT * FROM (\n${statement}\n) AS sensei_user_query LIMIT ${limits.maxRows + 1}`,
      rowMode: 'array',
      queryMode: 'extended',
    };
    const result = await withBackstop(client.query(config), limits, async () => {
      answered = false;
      await cancel();
    }).catch((err: unknown) => {
      throw (err as { code?: string }).code === '57014' ? timedOut(limits) : err;
    });
    if (result.rows.length > limits.maxRows) throw overCap(limits.maxRows);
    return result.rows;
  } finally {
    // An abandoned query still holds the connection: the rollback would wait behind it, and close() ends it anyway.
    if (answered) await client.query('ROLLBACK').catch(() => undefined);
  }
}

async function cancelPostgres(endpoint: Endpoint, pid: number): Promise<void> {
  const pg = await import('pg');
  const other = new pg.Client({ connectionString: endpoint.connectionString });
  try {
    await other.connect();
    await other.query('SELECT pg_cancel_backend($1)', [pid]);
  } finally {
    await closeWithin(() => other.end());
  }
}

// ---------------------------------------------------------------- MySQL / MariaDB

interface PreparedStatement {
  columns: unknown[];
  parameters: unknown[];
  execute(values: unknown[]): NodeJS.EventEmitter;
  close(): void;
}

function callback<T>(start: (done: (err: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}

async function mysqlRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
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

// ---------------------------------------------------------------- SQLite

/**
 * The child process that runs one SQLite query (`node -e`). better-sqlite3 has no interrupt, and a worker thread
 * cannot be stopped while SQLite steps inside native code, so a process that can be killed is the only timeout.
 * It opens the file read-only, prepares the one statement, refuses one that is not a reader or writes, and sends
 * back at most maxRows + 1 rows. Plain JavaScript, as node runs it; better-sqlite3 comes by absolute path.
 */
const SQLITE_CHILD = `
const Database = require(process.argv[1]);
process.once('message', ({ file, sql, maxRows }) => {
  let reply;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    const stmt = db.prepare(sql);
    if (!stmt.reader) reply = { refused: 'not a query (the statement returns no rows)' };
    else if (!stmt.readonly) reply = { refused: 'the statement writes to the database' };
    else {
      const rows = [];
      for (const row of stmt.raw(true).iterate()) {
        rows.push(row);
        if (rows.length > maxRows) break;
      }
      reply = { rows };
    }
    db.close();
  } catch (err) {
    reply = { error: String((err && err.message) || err) };
  }
  process.send(reply, () => process.exit(0));
});
`;

interface SqliteReply {
  rows?: unknown[][];
  refused?: string;
  error?: string;
}

async function sqliteRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
  const file = sqlitePath(endpoint.connectionString);
  return { lex: {}, run: (statement) => runSqlite(file, statement, limits), close: async () => undefined };
}

async function runSqlite(file: string, sql: string, limits: UserQueryLimits): Promise<unknown[][]> {
  // No environment: the child needs none, and the worker's secrets have no business there.
  const child = spawn(process.execPath, ['-e', SQLITE_CHILD, require.resolve('better-sqlite3')], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    env: {},
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await new Promise<SqliteReply>((resolve, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(timedOut(limits));
      }, limits.timeoutMs);
      child.once('message', (m) => resolve(m as SqliteReply));
      child.once('error', reject);
      // 'close', not 'exit': it comes after the IPC channel delivered the reply.
      child.once('close', (code, signal) => reject(new UserQueryFailure(`the SQLite query process ended (${signal ?? `exit ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`)));
      child.send({ file, sql, maxRows: limits.maxRows });
    });
    if (reply.refused) throw new UserQueryFailure(`refused: ${reply.refused}`);
    if (reply.error !== undefined) throw new UserQueryFailure(reply.error);
    const rows = reply.rows ?? [];
    if (rows.length > limits.maxRows) throw overCap(limits.maxRows);
    // Structured clone hands Buffers over as Uint8Arrays.
    return rows.map((row) => row.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v)));
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
