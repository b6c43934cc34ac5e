/** A read-only SQL session for the SQL Sensei generates (validation tiers): one Snowflake session with Sensei's settings. */
import type { Endpoint, SessionOptions, SqlSession } from '../types';
import { loadSdk, openSession, run } from './index';
import { parseSnowflakeUrl } from './url';

export async function openValidationSession(endpoint: Endpoint, _options: SessionOptions = {}): Promise<SqlSession> {
  const url = parseSnowflakeUrl(endpoint.connectionString);
  const conn = await openSession(await loadSdk(), url);
  return {
    rows: async (sql) => (await run(conn, sql)).rows as unknown[][],
    // Sensei's aliases are unquoted lower case (n, min0, …), which Snowflake reports in upper case.
    object: async (sql) => {
      const row = ((await run(conn, sql, [], 'object')).rows[0] ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v]));
    },
    close: () => new Promise<void>((resolve) => conn.destroy(() => resolve())),
  };
}
