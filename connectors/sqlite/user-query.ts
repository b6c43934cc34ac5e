/** One user query on SQLite: layers 2–5 of activities/user-queries.ts (a process per query). */
import { spawn } from 'node:child_process';
import { sqlitePath } from '../endpoint';
import type { Endpoint } from '../types';
import { UserQueryFailure, overCap, timedOut, type ReadOnlyRunner, type UserQueryLimits } from '../user-query';

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

export async function openUserQueryRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
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
