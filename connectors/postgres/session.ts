/** A read-only SQL session for the SQL Sensei generates, and the client settings user queries share with it. */
import type * as Pg from 'pg';
import { databaseSocket } from '../../lib/reach';
import type { Endpoint, SessionOptions, SqlSession } from '../types';

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

/** Read-only: default_transaction_read_only; row_security off (a policy filtering a read fails it, see the connector). */
export async function openValidationSession(endpoint: Endpoint, _options: SessionOptions = {}): Promise<SqlSession> {
  const pg = await import('pg');
  const client = new pg.Client(pgSessionConfig(pg, endpoint.connectionString));
  await client.connect();
  await client.query('SET default_transaction_read_only = on');
  await client.query('SET row_security = off');
  return {
    rows: async (sql) => (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][],
    object: async (sql) => (await client.query(sql)).rows[0] as Record<string, unknown>,
    close: () => client.end(),
  };
}
