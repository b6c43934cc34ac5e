/** A read-only SQL session for the SQL Sensei generates, and the client settings user queries share with it. */
import type { Endpoint, SessionOptions, SqlSession } from '../types';
import { exactDoubles } from './type-cast';
import { mysqlDriverOptions, parseMysqlUrl, type MysqlUrl } from './url';

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
    // The statements a session prepares (exact floats: the binary protocol) stay on the server until closed; the
    // driver keeps 16,000 a connection. The server's limit is 16,382 for all its connections (max_prepared_stmt_count):
    // validating a thousand tables in a few sessions reached it ("Can't create more than max_prepared_stmt_count
    // statements"). The least recently used past these few are closed.
    maxPreparedStatements: 32,
  };
}

/** Read-only: SET SESSION TRANSACTION READ ONLY; UTC. */
export async function openValidationSession(endpoint: Endpoint, options: SessionOptions = {}): Promise<SqlSession> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection(mysqlSessionConfig(parseMysqlUrl(endpoint.connectionString)));
  await conn.query('SET SESSION TRANSACTION READ ONLY');
  await conn.query("SET time_zone = '+00:00'");
  // exactDoubles is for the text protocol only (it reads the field's text); prepared statements carry binary doubles.
  const run = (sql: string) => (options.exactFloats ? conn.execute({ sql, rowsAsArray: true }) : conn.query({ sql, rowsAsArray: true, typeCast: exactDoubles }));
  return {
    rows: async (sql) => (await run(sql))[0] as unknown[][],
    object: async (sql) => ((await conn.query({ sql, typeCast: exactDoubles }))[0] as Record<string, unknown>[])[0],
    close: () => conn.end(),
  };
}
