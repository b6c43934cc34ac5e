/**
 * The canonical model every dialect reads into and writes from.
 * Types here are plain data: they cross Temporal as JSON (workflow input, activity results, queries).
 */

/** Dialect names as the API accepts them in `source.type` / `target.type` (connectors/dialects.ts lists them). */
import type { Dialect } from '../connectors/dialects';

export type { Dialect };

export type CanonicalKind =
  | 'int16'
  | 'int32'
  | 'int64'
  | 'decimal'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'char'
  | 'varchar'
  | 'text'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'timestamptz'
  | 'json'
  | 'uuid'
  | 'binary'
  | 'enum'
  /**
   * A type only its own dialect declares (PostgreSQL arrays, ranges, tsvector, inet, composite types, …): its values
   * travel as the database's own text of them, to a database of the same dialect only (elsewhere the mapping refuses it).
   */
  | 'native'
  /** A native type Sensei cannot carry; the mapping phase refuses it with a clear reason. */
  | 'unsupported';

export interface CanonicalType {
  kind: CanonicalKind;
  /** char/varchar/binary length in characters or bytes; absent = unbounded. */
  length?: number;
  /** decimal precision; for time/timestamp/timestamptz the fractional-second digits. */
  precision?: number;
  /** decimal scale. */
  scale?: number;
  /** enum labels, in declaration order. */
  values?: string[];
  /** MySQL UNSIGNED integers (the range needs the next wider signed type elsewhere). */
  unsigned?: boolean;
  /** serial / identity / AUTO_INCREMENT / INTEGER PRIMARY KEY AUTOINCREMENT. */
  autoIncrement?: boolean;
  /** How reading this native type into the canonical one can lose information (1.0 = it cannot). */
  readConfidence?: number;
  readNote?: string;
  /**
   * A time that may be a duration rather than a time of day (MySQL TIME: −838:59:59 to 838:59:59): a target whose
   * time holds one day only says so (its rows beyond are rejected, by key).
   */
  duration?: boolean;
  /**
   * Validation only (never in a plan): a date or timestamp the target keeps as text (a mapping edit), whose values
   * are read as the source's own text, all of them: a MariaDB/MySQL zero date stays '0000-00-00' instead of NULL.
   */
  keptAsText?: boolean;
  /**
   * A type beyond the common kinds (arrays, SET, GEOMETRY, interval, inet, …): its family, by which a target of
   * another dialect picks its closest type (MariaDB INET6 → PostgreSQL inet, SET → text[]) and values are converted.
   */
  family?: TypeFamily;
  /**
   * For kind `native`: the common type its values take in a database of another dialect (its family set), read so by
   * the source whenever the rows do not go to a database of its own dialect (ReadOptions.native).
   */
  portable?: CanonicalType;
  /**
   * A CHECK every value satisfies (a domain's, YEAR's range), in portable SQL with the word VALUE for the column:
   * comparisons, AND/OR/NOT, BETWEEN, IN, IS NULL, numbers and '…' strings only (lib/typemap/check.ts).
   */
  check?: string;
  /** A spatial type's modifiers (family `geometry`), where the source declares them. */
  spatial?: SpatialModifiers;
}

/**
 * What a spatial column declares beyond its values' bytes: its geometry subtype (PostGIS spells them `Point`,
 * `MultiPolygon`, `PointZ`; absent or `Geometry`: any), the SRID its values take, whether its coordinates are
 * longitude/latitude on the spheroid (PostGIS geography: distances and areas are geodesic) and, when the SRID's
 * spatial_ref_sys row is one the source's users added, that row's authority (`custom:1`): only a PostgreSQL target
 * with PostGIS gets the row (SchemaInfo.spatialRefs); another dialect keeps just the number.
 */
export interface SpatialModifiers {
  subtype?: string;
  srid?: number;
  geodetic?: boolean;
  customSrs?: string;
}

/** Families of types only some dialects declare (see CanonicalType.family). */
export type TypeFamily =
  | 'array'
  | 'set'
  | 'geometry'
  | 'interval'
  | 'inet'
  | 'macaddr'
  | 'money'
  | 'tsvector'
  | 'bits'
  | 'range'
  | 'composite'
  | 'xml'
  | 'geometric'
  | 'other';

export interface ColumnInfo {
  name: string;
  /** The type as the source declares it, e.g. `character varying(160)`, `tinyint(1)`, `NVARCHAR(120)`. */
  nativeType: string;
  type: CanonicalType;
  nullable: boolean;
  /** The default expression as the source reports it, verbatim; null when none. */
  default: string | null;
  /** An identity column's kind (GENERATED ALWAYS or BY DEFAULT), where the dialect has them. */
  identity?: 'always' | 'by_default';
  /** The column's comment, where the dialect keeps them. */
  comment?: string;
  /** A generated (computed, stored) column's expression in the dialect's own words: its values are not copied. */
  generated?: string;
  /** A generated column computed on read (VIRTUAL) rather than stored, where the dialect has both. */
  virtual?: boolean;
  /** A column `SELECT *` leaves out (MariaDB INVISIBLE): a target of the same dialect declares it so too. */
  invisible?: boolean;
  /** The expression a column takes when its row is updated (`ON UPDATE current_timestamp()`), where the dialect has them. */
  onUpdate?: string;
  /** The column's collation when it is not its type's default, in the dialect's own words (`pg_catalog."C"`). */
  collation?: string;
}

export interface ForeignKeyInfo {
  name: string;
  /**
   * Its name in a target of another dialect when that keeps foreign-key names per schema (IdentifierRules.foreignKeyNames)
   * and the source's name was another's there first (lib/mapping.ts); absent: the source's name, fitted.
   */
  targetName?: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete?: string;
  onUpdate?: string;
  /** The constraint in its dialect's own words (MATCH, DEFERRABLE …), for a target of the same dialect. */
  definition?: string;
}

export interface IndexInfo {
  name: string;
  /** Plain columns in index order (empty for an expression index). */
  columns: string[];
  unique: boolean;
  /**
   * An expression index's key parts in order, each a column or an expression, in the source's SQL (`lower(email)`;
   * ASC/DESC left out). Across dialects, in portable SQL (lib/typemap/check.ts portableIndexKey) once planned for a
   * target that has expression indexes.
   */
  keys?: string[];
  /**
   * Why only a target of the source's dialect can make this index (a MariaDB FULLTEXT index: its searches are that
   * dialect's own): another dialect leaves it out, saying so.
   */
  nativeOnly?: string;
  /**
   * The index in its dialect's own words after the table name (PostgreSQL: `USING btree (lower(name)) WHERE …`),
   * for a target of the same dialect.
   */
  definition?: string;
  /**
   * A partial index: the rows it covers, in the source's SQL (`deleted_at IS NULL`). Across dialects, in portable SQL
   * (lib/typemap/check.ts) once planned for a target that has partial indexes.
   */
  where?: string;
}

/** Privileges granted on a table, or on some of its columns, to one role (`grantee`; null: PUBLIC), with or without the grant option. */
export interface TableGrant {
  grantee: string | null;
  /** In the dialect's words: SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER. */
  privileges: string[];
  grantable: boolean;
  /** Granted on these columns only (column privileges); absent: on the whole table. */
  columns?: string[];
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  /** Primary-key columns in key order; empty when the table has none. */
  primaryKey: string[];
  foreignKeys: ForeignKeyInfo[];
  /** `definition`: the key parts in the dialect's own words (MariaDB prefix lengths), for a target of the same dialect. */
  uniqueConstraints: { name: string; columns: string[]; definition?: string }[];
  /** Secondary indexes (not the primary key, not the ones that back unique constraints). */
  indexes: IndexInfo[];
  /** Indexes on expressions or with a predicate (partial): only a target of the same dialect re-creates them from their definition. */
  expressionIndexes?: IndexInfo[];
  /** The primary key constraint's name, where the dialect names it. */
  primaryKeyName?: string;
  /** CHECK (and EXCLUDE) constraints in the dialect's own words (`CHECK ((price > (0)::numeric))`), for a target of the same dialect. */
  /** `portable`: the CHECK in portable SQL (across dialects); `targetName`: its name in the target, unique in its schema (lib/mapping.ts). */
  checks?: { name: string; definition: string; portable?: string; targetName?: string }[];
  /** The table's comment, where the dialect keeps them. */
  comment?: string;
  /** The next value the table's auto-increment column takes (MariaDB AUTO_INCREMENT), in decimal, for a target of the same dialect. */
  nextAutoIncrement?: string;
  /**
   * The table's own storage and partitioning in the dialect's words, for a target of the same dialect (MariaDB/MySQL: a
   * MyISAM or Aria engine, `PARTITION BY RANGE (...) (...)` as SHOW CREATE TABLE prints it; PostgreSQL: UNLOGGED, storage
   * parameters).
   */
  storage?: {
    engine?: string;
    partitionBy?: string;
    /** What of the table's storage no target keeps, in words after the table's name (the plan's notes say it). */
    notKept?: string;
    /** PostgreSQL: an UNLOGGED table (not written to the WAL). */
    unlogged?: boolean;
    /** PostgreSQL: its storage parameters as `name=value` (`fillfactor=70`, `toast.autovacuum_enabled=false`). */
    parameters?: string[];
  };
  /**
   * A partitioned table (PostgreSQL declarative partitioning): its rows are read and written through it, and a target
   * of the same dialect re-creates it partitioned, with its partitions.
   */
  partitioning?: { by: string; partitions: PartitionInfo[] };
  /** Tables this one inherits from (PostgreSQL table inheritance): their rows are read without this table's. */
  inherits?: string[];
  /**
   * Privileges on the table granted to roles other than its owner (PostgreSQL): a target of the same dialect grants
   * them to those of the roles that exist there; the plan's notes say what becomes of them.
   */
  grants?: TableGrant[];
  /**
   * Its owner (PostgreSQL), when not the source's connection user: a target of the same dialect gives it that role
   * where the role exists and the target's user may act as it.
   */
  owner?: string;
  /**
   * A system-versioned table (MariaDB WITH SYSTEM VERSIONING). Into MariaDB its target table is versioned too, with
   * its history where the target can take it (see Connector.keepVersions); elsewhere its current rows arrive in a
   * plain table. The plan's notes say which.
   */
  systemVersioned?: boolean;
  /**
   * A system-versioned table's row start and end: the columns that declare them (GENERATED ALWAYS AS ROW START/END),
   * or MariaDB's hidden row_start and row_end (`implicit`). Absent from plans made before it was read: such a table is
   * left as those plans said (a plain one).
   */
  periodColumns?: { start: string; end: string; implicit?: boolean; invisible?: string[] };
  /**
   * The table's CREATE statement as the database keeps it, written by its author (SQLite's sqlite_schema.sql): a target
   * of the same dialect creates the table from it, with every column type, default, CHECK, key and collation as written.
   */
  definition?: string;
  /** The database's own estimate (statistics), not an exact count. */
  rowEstimate: number;
}

/** One partition of a partitioned table, in its dialect's own words (`FOR VALUES FROM (…) TO (…)`, `DEFAULT`). */
export interface PartitionInfo {
  name: string;
  bound: string;
  /** The partition's own `PARTITION BY …` when it is partitioned again. */
  by?: string;
  partitions?: PartitionInfo[];
}

/**
 * A schema object besides the tables (extension, enum/domain/composite/range type, sequence, view), in its dialect's
 * own words: only a target of the same dialect creates it. Names in `create` are resolved in the target's schema.
 */
export interface SchemaObject {
  /** For people: `extension`, `enum`, `domain`, `composite type`, `range type`, `sequence`, `view`, … */
  kind: string;
  name: string;
  /** The statements that create it, one statement each. */
  create: string[];
  /** Created before the tables (extensions, types, sequences) or after the data and indexes (views). */
  stage: 'before_tables' | 'after_data';
  /** Columns (`table.column`) whose type needs it (extensions), to name them when it cannot be created. */
  neededBy?: string[];
  /** Tables and views it reads or belongs to (views, triggers), by source name: left out when one of them is not migrated. */
  reads?: string[];
  /** Why it cannot be re-created (said in the plan's notes; `create` is then empty). */
  problem?: string;
  /**
   * The extension whose own tables it lives in (PostGIS for a spatial_ref_sys row): it can be created only where that
   * extension is (see lib/mapping-edit.ts pruneExtensionObjects).
   */
  extension?: string;
  /**
   * Present when it sets privileges other than the defaults: the roles it grants them to (PUBLIC as itself; none when
   * it only takes PUBLIC's away), granted where the role exists on the target (the plan's notes say so).
   */
  grantees?: string[];
  /** Its owner (PostgreSQL), when not the source's connection user: given that role on the target where it may be. */
  owner?: string;
}

/**
 * An extension the target server offers and the target database lacks, whose types would hold some columns better
 * (PostgreSQL: PostGIS geometry for another dialect's GEOMETRY), as the mapping activity found it.
 */
export interface OfferedExtension {
  name: string;
  /** The statements that create it, when the target's user may (the server said so): the plan then creates it. */
  create?: string[];
  /** Why the target's user may not create it (the server's own refusal), when it may not. */
  refusal?: string;
}

export interface SchemaInfo {
  dialect: Dialect;
  /** Schema (PostgreSQL), database (MySQL) or `main` (SQLite). */
  schema: string;
  tables: TableInfo[];
  /** Schema objects besides the tables, where the dialect describes them (see SchemaObject). */
  objects?: SchemaObject[];
  /** PostgreSQL with PostGIS: the spatial_ref_sys rows the source's users added (not those PostGIS installs), by SRID. */
  spatialRefs?: SpatialRef[];
}

/** A row of PostGIS's spatial_ref_sys: a spatial reference system, as the table spells it. */
export interface SpatialRef {
  srid: number;
  authName: string | null;
  authSrid: number | null;
  srtext: string | null;
  proj4text: string | null;
}

/**
 * A value as it travels between connectors, inside one activity (rows never cross Temporal):
 * - int16/int32: number; int64: string of decimal digits (exact beyond 2^53)
 * - decimal: string in plain notation ("0.99", "-12.50")
 * - float32/float64: number
 * - boolean: boolean
 * - char/varchar/text/enum/uuid: string (uuid in lower case)
 * - date: "YYYY-MM-DD"; time: "HH:MM:SS[.ffffff]"; timestamp: "YYYY-MM-DD HH:MM:SS[.ffffff]"
 * - timestamptz: "YYYY-MM-DD HH:MM:SS[.ffffff]Z", always converted to UTC
 * - json: string holding the JSON text
 * - binary: Buffer
 * - SQL NULL: null
 */
export type CanonicalValue = string | number | boolean | Buffer | null;
export type Row = CanonicalValue[];

/** A key column's bytes as a key part (lib/keys.ts): their hex; `text` when they were a text value's (SQLite TEXT not UTF-8). */
export interface KeyBytes {
  hex: string;
  text?: true;
}
/** One part of a keyset checkpoint: JSON-safe (int64 and decimal keys travel as strings, bytes as KeyBytes). */
export type KeyPart = string | number | boolean | null | KeyBytes;
export type Key = KeyPart[];

export type Strategy = 'conservative' | 'balanced' | 'aggressive';

/** A column as it will exist in the target, with how faithful the mapping is. */
export interface ColumnMapping {
  /** Stable id, `<table>.<column>`. */
  id: string;
  table: string;
  column: string;
  sourceType: string;
  canonical: CanonicalType;
  targetType: string;
  nullable: boolean;
  /** 1.0 = lossless; lower when precision, range, time zone or semantics may change; 0 = cannot be migrated. */
  confidence: number;
  note?: string;
  /**
   * The name of the type the target creates for this column (a PostgreSQL enum type) when it is not the type map's
   * own: another object of the plan had that name first (lib/mapping.ts). The column's `targetType` while it uses it.
   */
  createdType?: string;
  /**
   * The name of the column's own CHECK (CanonicalType.check) when the target names it in the schema's namespace of
   * CHECKs (IdentifierRules.columnCheckName) and that name was another CHECK's first (lib/mapping.ts).
   */
  checkName?: string;
}

export type CopyMode =
  /** keyset chunks on the primary key (or a non-null unique key) */
  | 'keyset'
  /** no usable key: the whole table is copied in one target transaction, ordered by all columns */
  | 'whole_table';

export interface TablePlan {
  source: TableInfo;
  /** Target table name (same as source unless renamed). */
  target: string;
  /** Columns in copy order, with their mappings. */
  columns: ColumnMapping[];
  /** Key columns used for keyset pagination (empty for whole_table). */
  keyColumns: string[];
  copyMode: CopyMode;
  /** Why the copy mode was chosen, for the plan shown to the approver. */
  copyNote?: string;
  /**
   * The target is of the source's dialect: columns keep their native types, and the table is created with the
   * source's own defaults, checks, indexes, comments and partitioning.
   */
  native?: boolean;
}

export interface MigrationPlan {
  sourceDialect: Dialect;
  targetDialect: Dialect;
  targetSchema: string;
  tables: TablePlan[];
  /** Lowest column confidence in the plan (1 when every mapping is lossless). */
  minConfidence: number;
  /**
   * What cannot be moved as planned (a type Sensei cannot read, a key past the target's bytes …): the gate waits
   * until edits or tables left out end each (runs from before that failed with them).
   */
  blockers: string[];
  /** Object mappings (lib/object-mappings.ts) left out at the gate: a plan made again there leaves them out again. */
  leftOut?: string[];
  /**
   * Made with the target's row limits checked (TypeMap.rowBytes): edits at the gate check them again. Absent on plans
   * made before, whose workflows replay their edits without them.
   */
  rowLimits?: true;
  /** What the approver should know about the plan as a whole (tables renamed to fit the target's name limit …). */
  notes?: string[];
  /**
   * Same dialect: the source's schema objects besides the tables, created on the target (see SchemaObject). Across
   * dialects: the extensions the target's user may create whose types the columns take (PostGIS for GEOMETRY).
   */
  objects?: SchemaObject[];
  /**
   * Across dialects: the target's extensions the columns may take types of (installed in the target database, or
   * created by the plan): a mapping edited at the gate may choose their types too (PostGIS geometry).
   */
  targetExtensions?: string[];
}
