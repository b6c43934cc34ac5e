/**
 * node-oracledb in Thin mode (pure JavaScript, no Instant Client): the few parts Sensei uses, typed here (the package
 * ships no declarations), and the pool every Oracle connection of Sensei comes from.
 */
import type { CanonicalType } from '../../lib/types';
import { checkedAddress } from '../reach';
import { ConnectorError } from '../types';
import { SESSION_SETTINGS } from './sql';
import type { OracleUrl } from './url';

export interface OracleResult {
  rows?: unknown[][] | Record<string, unknown>[];
  rowsAffected?: number;
  batchErrors?: (Error & { errorNum?: number; offset?: number })[];
  resultSet?: { getRows(n: number): Promise<unknown[][]>; close(): Promise<void> };
}

export interface OracleConnection {
  execute(sql: string, binds?: unknown[] | Record<string, unknown>, options?: Record<string, unknown>): Promise<OracleResult>;
  executeMany(sql: string, binds: unknown[][], options?: Record<string, unknown>): Promise<OracleResult>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
  readonly oracleServerVersionString?: string;
}

export interface OraclePool {
  getConnection(): Promise<OracleConnection>;
  close(drainSeconds?: number): Promise<void>;
}

export interface OracleDb {
  createPool(options: Record<string, unknown>): Promise<OraclePool>;
  getConnection(options: Record<string, unknown>): Promise<OracleConnection>;
  OUT_FORMAT_ARRAY: number;
  OUT_FORMAT_OBJECT: number;
  STRING: number;
  BUFFER: number;
  DB_TYPE_NUMBER: unknown;
  DB_TYPE_BINARY_DOUBLE: unknown;
  DB_TYPE_CLOB: unknown;
  DB_TYPE_NCLOB: unknown;
  DB_TYPE_BLOB: unknown;
  DB_TYPE_JSON: unknown;
}

/** The package by name at run time (it ships no type declarations; OracleDb above types what Sensei uses). */
export async function loadOracleDb(): Promise<OracleDb> {
  const name = 'oracledb';
  const loaded = (await import(name)) as { default?: OracleDb } & OracleDb;
  return loaded.default ?? loaded;
}

/**
 * Numbers and LOBs are fetched as text and bytes: exact decimals (no JavaScript float in between), whole LOB values.
 * A LOB fetched this way is not streamed: Thin mode defines the column as LONG / LONG RAW and each value arrives whole
 * inside the fetch's answer, so a read holds every LOB value of its rows in memory (one value at most 2 GiB - 1 bytes,
 * and a CLOB no longer than the longest string V8 makes). Left out here, a LOB would come as a Lob locator, read by
 * round trips of its pieces, which the rows Sensei moves (whole values) cannot carry (the README's Databases section).
 */
export function fetchTypeHandler(db: OracleDb) {
  return (meta: { dbType: unknown }) => {
    if (meta.dbType === db.DB_TYPE_NUMBER || meta.dbType === db.DB_TYPE_CLOB || meta.dbType === db.DB_TYPE_NCLOB) return { type: db.STRING };
    if (meta.dbType === db.DB_TYPE_BLOB) return { type: db.BUFFER };
    return undefined;
  };
}

/**
 * How one INSERT column is bound for executeMany. LOB columns as LOBs: a string over 32 KiB cannot bind as VARCHAR2;
 * Thin mode writes each non-empty value into a temporary LOB of its own, whole, in one call. Floats as BINARY_DOUBLE
 * (a JavaScript number is an IEEE double, never sent through a decimal NUMBER), booleans as NUMBER (1/0), others as
 * text or bytes sized by the longest of `values` (at least 1).
 */
export function bindDefinition(db: OracleDb, targetType: string, canonical: CanonicalType, values: readonly unknown[]): Record<string, unknown> {
  const target = targetType.trim().toUpperCase();
  if (target === 'CLOB') return { type: db.DB_TYPE_CLOB };
  // A temporary CLOB holds the database character set: an NCLOB's value goes through the national one instead.
  if (target === 'NCLOB') return { type: db.DB_TYPE_NCLOB };
  if (target === 'BLOB') return { type: db.DB_TYPE_BLOB };
  if (canonical.kind === 'float32' || canonical.kind === 'float64') return { type: db.DB_TYPE_BINARY_DOUBLE };
  if (canonical.kind === 'boolean') return { type: db.DB_TYPE_NUMBER };
  const longest = values.reduce<number>((n, v) => Math.max(n, Buffer.isBuffer(v) ? v.length : typeof v === 'string' ? Buffer.byteLength(v) : 0), 1);
  return canonical.kind === 'binary' ? { type: db.BUFFER, maxSize: longest } : { type: db.STRING, maxSize: longest };
}

/** The driver's connection settings: the checked address, the session settings on every new connection. */
export async function connectionOptions(url: OracleUrl): Promise<Record<string, unknown>> {
  if (!url.user) throw new ConnectorError('InvalidConnectionString', 'oracle connection string must name a user: oracle://user:password@host:1521/service_name');
  const address = await checkedAddress(url.host);
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    user: url.user,
    password: url.password,
    connectString: `${host}:${url.port}/${url.service}`,
    sessionCallback: (conn: OracleConnection, _tag: string, done: (err?: Error) => void) => {
      (async () => {
        for (const statement of SESSION_SETTINGS) await conn.execute(statement);
      })().then(() => done(), done);
    },
  };
}
