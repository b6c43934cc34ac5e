/** A read-only SQL session for the SQL Sensei generates: the file opened read-only. */
import { sqlitePath } from '../endpoint';
import type { Endpoint, SessionOptions, SqlSession } from '../types';
import { CHAR_LENGTH_FUNCTION } from './validation';

/**
 * An integer as the other dialects' sessions give it: a number while exact, else its decimal text (a JS number would
 * round 9007199254740993 to …992, and the statistics would differ from a target that printed it exactly).
 */
function exact(v: unknown): unknown {
  if (typeof v !== 'bigint') return v;
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** Characters (code points) of a text, every one counted: SQLite's LENGTH stops at the first NUL. */
function charLength(value: unknown): number | null {
  if (value === null) return null;
  // As LENGTH: a BLOB's bytes, a number's text.
  if (Buffer.isBuffer(value)) return value.length;
  if (typeof value !== 'string') return String(value).length;
  let n = 0;
  for (const _ of value) n++;
  return n;
}

export async function openValidationSession(endpoint: Endpoint, _options: SessionOptions = {}): Promise<SqlSession> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(sqlitePath(endpoint.connectionString), { readonly: true, fileMustExist: true });
  db.function(CHAR_LENGTH_FUNCTION, { deterministic: true }, charLength);
  return {
    rows: async (sql) => (db.prepare(sql).safeIntegers(true).raw(true).all() as unknown[][]).map((row) => row.map(exact)),
    object: async (sql) => {
      const row = db.prepare(sql).safeIntegers(true).get() as Record<string, unknown> | undefined;
      return (row && Object.fromEntries(Object.entries(row).map(([k, v]) => [k, exact(v)]))) as Record<string, unknown>;
    },
    close: async () => {
      db.close();
    },
  };
}
