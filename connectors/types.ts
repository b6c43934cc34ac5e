import type { Readable } from 'node:stream';
import type { Dialect, Key, MigrationPlan, OfferedExtension, Row, SchemaInfo, SchemaObject, SpatialRef, TablePlan, CanonicalType } from '../lib/types';

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
  /**
   * Tables the migration leaves out: still described (the caller drops them, naming unknown ones), but what only they
   * need is not (PostgreSQL: an extension only their columns or indexes use).
   */
  excludeTables?: string[];
  /**
   * Look into the rows, within a bounded time, for values a target of another dialect cannot take as the columns are
   * declared (a MariaDB zero date in a NOT NULL column): a column found holding some has its read confidence lowered
   * and says so, so the gate waits. For the source's analysis; a connector without such values ignores it.
   */
  probeValues?: boolean;
}

/** What finalising a table did besides what it was asked (see Connector.createIndexesAndForeignKeys). */
export interface FinalizedTable {
  /** Foreign keys (their source names) created without checking the rows already there: some break them. */
  unchecked: string[];
  /**
   * Foreign keys the target refused as declared (their columns' types differ after a mapping edit, …), each with the
   * target's reason: the rows are whole, and the key is for the user to create by hand.
   */
  refused: { name: string; reason: string }[];
  /**
   * Indexes the target refused for the rows copied (a value too long for an index entry), each with the target's
   * reason: the rows are whole, and the index is for the user to make otherwise (or to leave out at the gate).
   */
  refusedIndexes?: { name: string; reason: string }[];
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
/** How rows are read for a copy. */
export interface ReadOptions {
  /**
   * The rows go to a database of the source's own dialect (TablePlan.native): a value the canonical model would
   * narrow (a MariaDB TINYINT(1) holding 7, read as boolean) is read as it is stored.
   */
  native?: boolean;
  /**
   * Per column read (in the order asked for): a date or timestamp the target keeps as text (lib/temporal-range.ts
   * keptAsText), read as the source's own text, values no other dialect holds included (a MariaDB zero date stays
   * '0000-00-00', not NULL).
   */
  keptAsText?: readonly boolean[];
}

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
  readChunk(table: string, columns: string[], keyColumns: string[], after: Key | null, limit: number, options?: ReadOptions): Promise<Row[]>;

  /** The rows with exactly these keys (used to re-copy rows the target once rejected). */
  readKeys(table: string, columns: string[], keyColumns: string[], keys: Key[], options?: ReadOptions): Promise<Row[]>;

  /** Every row of a table in batches, ordered by `orderBy` (used for tables without a usable key). */
  readAll(table: string, columns: string[], orderBy: string[], batchSize: number, options?: ReadOptions): AsyncIterable<Row[]>;

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

  /**
   * After all data is in: secondary indexes, then foreign keys (referenced tables must exist), then identity/sequence
   * positions. A foreign key the rows already there break (orphans the source holds too: SQLite checks none unless
   * asked, MariaDB none with foreign_key_checks off) is created without checking them, where the target can
   * (PostgreSQL NOT VALID, MariaDB with its checks off), and named in `unchecked`; elsewhere the failure is thrown.
   */
  createIndexesAndForeignKeys(plan: TablePlan): Promise<FinalizedTable>;

  /**
   * Same dialect, once a table's rows are in and before its indexes are built: what the source keeps of the table
   * besides its current rows (MariaDB: a system-versioned table is versioned here too, with the history `source` holds).
   * Answers what could not be kept, with the reason.
   */
  keepVersions?(plan: TablePlan, source?: Connector): Promise<string[]>;

  /**
   * Same dialect (MigrationPlan.objects): creates the source's schema objects besides tables, in order. Objects of
   * stage after_data that cannot be created are skipped and returned with the reason; others throw.
   */
  createObjects?(objects: SchemaObject[]): Promise<{ skipped: string[] }>;

  /**
   * Extensions installed in the target database whose types its tables can use (PostgreSQL: from pg_extension, in the
   * target schema, public or pg_catalog): the mapping then maps other dialects' types to theirs (GEOMETRY → PostGIS).
   */
  installedExtensions?(): Promise<string[]>;

  /**
   * Of these extensions (those columns want: lib/mapping's extensionsWanted), the ones the target server offers and the
   * target database lacks, each with whether the target's user may create it (PostgreSQL: tried, then rolled back).
   */
  offeredExtensions?(names: string[]): Promise<OfferedExtension[]>;

  /** What of a plan this target cannot create (an extension the server lacks, …): blockers the mapping shows. */
  planProblems?(plan: MigrationPlan): Promise<string[]>;

  /**
   * Same dialect (PostgreSQL with PostGIS): the source's spatial_ref_sys rows its users added (SchemaInfo.spatialRefs)
   * that this target lacks, as objects the plan creates before the tables, with the notes and blockers they bring.
   */
  spatialRefObjects?(rows: SpatialRef[], plan: MigrationPlan): Promise<{ objects: SchemaObject[]; notes: string[]; blockers: string[] }>;

  close(): Promise<void>;
}

/**
 * What a bulk loader reads, with each value in the form the target would be sent by the row path (see text-load.ts):
 * `postgres-copy` and `mysql-load` are text (tab-separated fields, newline-ended lines, backslash escapes, NULL as
 * \\N) for PostgreSQL COPY … FROM STDIN and MySQL LOAD DATA LOCAL INFILE; `postgres-binary` is COPY's binary format,
 * only between columns of the very same PostgreSQL types (no text to print and parse again).
 */
export type LoadTextFormat = 'postgres-copy' | 'postgres-binary' | 'mysql-load';

/** A chunk's key range: after < key <= upTo (no lower bound when `after` is null). */
export interface KeyRange {
  after: Key | null;
  upTo: Key;
}

/**
 * The pass-through copy path (optional): the source server renders a chunk's rows as the target's loader text and the
 * worker forwards the bytes, with no row objects in between. Only for tables whose every column the source can render
 * exactly as the row path would write it, and whose key orders the same way in both dialects.
 */
export interface TextChunkSource {
  /** Whether every column of `plan` can be rendered as `format` text, value for value as the row path writes it. */
  canRenderText(plan: TablePlan, format: LoadTextFormat): boolean;
  /** The key of the `limit`-th row after `after` in key order, or of the last row when fewer remain; null when none. */
  chunkEnd(table: string, keyColumns: string[], after: Key | null, limit: number): Promise<Key | null>;
  /** The rows of `range` in key order as `format` text. The stream errors with a ConnectorError of this source. */
  readText(plan: TablePlan, range: KeyRange, format: LoadTextFormat): Promise<Readable>;
}

export interface TextChunkTarget {
  /** Formats this target loads, preferred first. */
  readonly loadFormats: readonly LoadTextFormat[];
  /** Whether this target can take `plan`'s chunks as text (a key that orders the same everywhere; the loader enabled). */
  canLoadText(plan: TablePlan): Promise<boolean>;
  /** In one transaction: delete the target rows of `range`, then bulk-load `text` (in `format`). Returns the rows loaded. */
  replaceRangeWithText(plan: TablePlan, range: KeyRange, text: Readable, format: LoadTextFormat): Promise<number>;
}

/** The target's most preferred format the source can render `plan` in; null when none (the row path then). */
export function passThroughFormat(source: TextChunkSource, target: TextChunkTarget, plan: TablePlan): LoadTextFormat | null {
  return target.loadFormats.find((f) => source.canRenderText(plan, f)) ?? null;
}

export function isTextChunkSource(c: Connector): c is Connector & TextChunkSource {
  return typeof (c as Partial<TextChunkSource>).readText === 'function';
}

export function isTextChunkTarget(c: Connector): c is Connector & TextChunkTarget {
  return typeof (c as Partial<TextChunkTarget>).replaceRangeWithText === 'function';
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
      /** A file or address Sensei may not reach for an API caller (lib/reach.ts). */
      | 'NotAllowed'
      | 'WriteFailed'
      | 'QueryFailed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConnectorError';
  }
}

/** A read-only SQL session for the SQL Sensei generates (validation tiers); a dialect opens one (connectors/<dialect>/session.ts). */
export interface SqlSession {
  rows(sql: string): Promise<unknown[][]>;
  object(sql: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface SessionOptions {
  /**
   * MySQL/MariaDB: run queries as prepared statements, whose binary results carry FLOAT values exactly (the text
   * protocol prints them with six significant digits). For a handful of distinct queries only: each one is kept
   * prepared on the server until the session closes.
   */
  exactFloats?: boolean;
}
