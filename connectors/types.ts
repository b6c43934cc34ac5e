import type { Dialect, Key, Row, SchemaInfo, TablePlan, CanonicalType } from '../lib/types';

/** Where a connector points. The connection string is a secret: never log or return it. */
export interface Endpoint {
  type: Dialect;
  /** postgresql://…, mysql://… (also mariadb://…), or for SQLite a file path / sqlite:///abs/path / file:path. */
  connectionString: string;
  /** PostgreSQL schema (default `public`); MySQL database (default: the one in the URL); SQLite: `main`. */
  schema?: string;
}

export interface IntrospectOptions {
  /** Only these tables (names as in the source); all base tables when absent. Unknown names throw. */
  tables?: string[];
}

/** How a canonical type is declared in a dialect, and how faithful that is. */
export interface NativeTypeChoice {
  sql: string;
  confidence: number;
  note?: string;
}

/**
 * One database. A connector owns one small pool; `close()` releases it.
 * Values read and written are CanonicalValue (see lib/types.ts): each dialect converts at its edge.
 */
export interface Connector {
  readonly dialect: Dialect;
  /** The schema/database the connector works in (resolved default). */
  readonly schema: string;

  /** Connects and runs a trivial query; throws ConnectorError with a clear, secret-free message. */
  testConnection(): Promise<{ serverVersion: string }>;

  /** Tables, columns (native + canonical type, nullability, default), keys, FKs, uniques, indexes, row estimates. */
  introspect(options?: IntrospectOptions): Promise<SchemaInfo>;

  /** Exact row count of one table. */
  countRows(table: string): Promise<number>;

  // ---- source side ----

  /**
   * Rows with key > `after` (row-value comparison over keyColumns; all rows when after is null),
   * ordered by keyColumns ascending, at most `limit`. `columns` fixes the order of values in each row.
   * Never OFFSET.
   */
  readChunk(table: string, columns: string[], keyColumns: string[], after: Key | null, limit: number): Promise<Row[]>;

  /** The rows with exactly these keys (used to re-copy rows the target once rejected). */
  readKeys(table: string, columns: string[], keyColumns: string[], keys: Key[]): Promise<Row[]>;

  /** Every row of a table in batches, ordered by `orderBy` (used for tables without a usable key). */
  readAll(table: string, columns: string[], orderBy: string[], batchSize: number): AsyncIterable<Row[]>;

  // ---- target side ----

  /** The native type this dialect declares for a canonical type. Pure, no I/O. */
  nativeType(type: CanonicalType): NativeTypeChoice;

  /** Creates the schema/database if missing (PostgreSQL schema; MySQL database; SQLite: nothing). */
  ensureSchema(): Promise<void>;

  /**
   * Creates the target table: columns (plan.columns[].targetType, nullability), primary key, unique constraints.
   * No foreign keys and no secondary indexes (see createIndexesAndForeignKeys).
   * When the table exists and is empty it is dropped and created again; when it holds rows this throws
   * ConnectorError('TargetTableNotEmpty') unless `replace` is true.
   */
  createTable(plan: TablePlan, options: { replace: boolean }): Promise<void>;

  /**
   * Writes rows idempotently in one transaction: a row whose key already exists is replaced (upsert on plan.keyColumns),
   * so a retried chunk never duplicates. Rows are in plan.columns order. Returns rows written.
   */
  writeRows(plan: TablePlan, rows: Row[]): Promise<number>;

  /** whole_table copy: in one transaction, delete every row of the target table, then insert all batches. */
  replaceAllRows(plan: TablePlan, batches: AsyncIterable<Row[]>): Promise<number>;

  /** After all data is in: secondary indexes, then foreign keys (referenced tables must exist), then identity/sequence positions. */
  createIndexesAndForeignKeys(plan: TablePlan): Promise<void>;

  close(): Promise<void>;
}

/** A connector failure with a stable code (used as the ApplicationFailure type) and a secret-free message. */
export class ConnectorError extends Error {
  constructor(
    readonly code:
      | 'UnknownDialect'
      | 'DriverMissing'
      | 'NotSupported'
      | 'ConnectionFailed'
      | 'AuthenticationFailed'
      | 'SchemaNotFound'
      | 'TableNotFound'
      | 'TargetTableNotEmpty'
      | 'InvalidConnectionString'
      | 'WriteFailed'
      | 'QueryFailed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConnectorError';
  }
}
