/**
 * node-oracledb in Thin mode (pure JavaScript, no Instant Client): the few parts Sensei uses, typed here (the package
 * ships no declarations), and the pool every Oracle connection of Sensei comes from.
 */
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

/** Numbers and LOBs are fetched as text and bytes: exact decimals (no JavaScript float in between), whole LOB values. */
export function fetchTypeHandler(db: OracleDb) {
  return (meta: { dbType: unknown }) => {
    if (meta.dbType === db.DB_TYPE_NUMBER || meta.dbType === db.DB_TYPE_CLOB || meta.dbType === db.DB_TYPE_NCLOB) return { type: db.STRING };
    if (meta.dbType === db.DB_TYPE_BLOB) return { type: db.BUFFER };
    return undefined;
  };
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
