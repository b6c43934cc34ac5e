/** A read-only SQL session for the SQL Sensei generates (validation tiers): one Thin-mode connection, read only, UTC. */
import type { Endpoint, SessionOptions, SqlSession } from '../types';
import { connectionOptions, fetchTypeHandler, loadOracleDb } from './driver';
import { SESSION_SETTINGS } from './sql';
import { NLS_TIMESTAMP_TZ_FORMAT } from './years';
import { parseOracleUrl } from './url';

export async function openValidationSession(endpoint: Endpoint, _options: SessionOptions = {}): Promise<SqlSession> {
  const db = await loadOracleDb();
  const { sessionCallback: _callback, ...options } = await connectionOptions(parseOracleUrl(endpoint.connectionString));
  const conn = await db.getConnection(options);
  try {
    for (const statement of SESSION_SETTINGS) await conn.execute(statement);
    await conn.execute(`ALTER SESSION SET NLS_TIMESTAMP_TZ_FORMAT = '${NLS_TIMESTAMP_TZ_FORMAT}'`);
    await conn.execute('SET TRANSACTION READ ONLY');
  } catch (error) {
    await conn.close().catch(() => undefined);
    throw error;
  }
  const run = (sql: string, outFormat: number) => conn.execute(sql, [], { outFormat, fetchTypeHandler: fetchTypeHandler(db) });
  return {
    rows: async (sql) => ((await run(sql, db.OUT_FORMAT_ARRAY)).rows ?? []) as unknown[][],
    // Sensei's aliases are unquoted lower case (n, min0, …), which Oracle reports in upper case.
    object: async (sql) => {
      const row = ((await run(sql, db.OUT_FORMAT_OBJECT)).rows?.[0] ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(row).map(([k, v]) => [k.toLowerCase(), v]));
    },
    close: () => conn.close(),
  };
}
