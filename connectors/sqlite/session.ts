/** A read-only SQL session for the SQL Sensei generates: the file opened read-only. */
import { sqlitePath } from '../endpoint';
import type { Endpoint, SessionOptions, SqlSession } from '../types';

export async function openValidationSession(endpoint: Endpoint, _options: SessionOptions = {}): Promise<SqlSession> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(sqlitePath(endpoint.connectionString), { readonly: true, fileMustExist: true });
  return {
    rows: async (sql) => db.prepare(sql).raw(true).all() as unknown[][],
    object: async (sql) => db.prepare(sql).get() as Record<string, unknown>,
    close: async () => {
      db.close();
    },
  };
}
