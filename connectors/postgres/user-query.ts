/** One user query on PostgreSQL: layers 2–5 of activities/user-queries.ts. */
import type { Client as PgClient, QueryArrayConfig } from 'pg';
import type { Endpoint } from '../types';
import { closeWithin, overCap, timedOut, withBackstop, type ReadOnlyRunner, type UserQueryLimits } from '../user-query';
import { pgSessionConfig } from './session';

export async function openUserQueryRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner> {
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
    // Both sides compared whole: a policy filtering the query fails it (see the connector's row_security).
    await client.query('SET LOCAL row_security = off');
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
