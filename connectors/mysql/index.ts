/** MySQL and MariaDB through mysql2/promise. The "schema" is the database. */
import type { Connection as CallbackConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import { isGeometryType, mysqlDefaultSql, nativeForm, spatialSridClause, toCanonical, ZERO_DATES_FOUND, ZERO_DATES_FOUND_CONFIDENCE } from './types';
import { isDated, longTextBound, withoutZeroDates } from './validation';
import { bitsAsDigits, digitsAsBits, ewkbAsGeometry, geometryAsEwkb, setAsJson } from './values';
import type { CanonicalType, ColumnInfo, ColumnMapping, ForeignKeyInfo, Row, SchemaInfo, SchemaObject, TableInfo, TablePlan } from '../../lib/types';
import { crossType } from '../../lib/typemap/common';
import { timestamptzToNaiveUtc, toCanonicalValue } from '../../lib/values';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { quoteList, quoteLiteral } from '../../lib/quote';
import { hideSecrets } from '../endpoint';
import { keyTypesOf, rangeSafe } from '../key-range';
import { batchesAsText, escapeField, rowsAsText, type FieldFormatter } from '../text-load';
import { SqlConnector, errorMessage, networkReason, type Exec } from '../sql-connector';
import {
  ConnectorError,
  type Connector,
  type Endpoint,
  type FinalizedTable,
  type IntrospectOptions,
  type KeyRange,
  type LoadTextFormat,
  type ReadOptions,
  type TextChunkSource,
  type TextChunkTarget,
} from '../types';
import { exactDoubles } from './type-cast';
import { mysqlDriverOptions, parseMysqlUrl } from './url';

/** Session settings every pooled connection gets before its first query. */
const SESSION_SQL =
  "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO', names utf8mb4";

export interface MysqlOptions {
  /** Connections kept by the pool (default 4). */
  poolSize?: number;
  /** Milliseconds to wait for a connection (default 8000). */
  connectTimeoutMs?: number;
}

const lit = (text: string) => quoteLiteral('mysql', text);

/** Engines a table keeps natively (TableInfo.storage): their tables are as durable as InnoDB's, if not transactional. */
const KEPT_ENGINES = ['myisam', 'aria'];

/** An implicit row start or end as a column of the copy (see keepVersions): TIMESTAMP(6), never NULL. */
function periodMapping(table: string, column: string): ColumnMapping {
  return { id: `${table}.${column}`, table, column, sourceType: 'timestamp(6)', targetType: 'timestamp(6)', canonical: { kind: 'timestamp', precision: 6 }, nullable: false, confidence: 1 };
}

/** The versioned twin of a table (see keepVersions), and the name the table takes while the twin takes its own. */
function twinNames(table: string): { twin: string; old: string } {
  const hash = createHash('sha256').update(table).digest('hex').slice(0, 24);
  return { twin: `sensei_v_${hash}`, old: `sensei_o_${hash}` };
}

/** A partitioning clause by system time, which only a versioned table takes (MariaDB). */
const SYSTEM_TIME_PARTITIONS = /^PARTITION BY SYSTEM_TIME\b/i;

/**
 * A versioned table's row start and end: the columns that declare them (information_schema.COLUMNS rows, whose
 * GENERATION_EXPRESSION, index 6, says ROW START or ROW END), else MariaDB's implicit row_start and row_end, which are
 * not listed there.
 */
function periodColumns(columns: unknown[][]): Required<Pick<TableInfo, 'periodColumns'>> {
  const declared = (end: string) => columns.find((c) => String(c[6] ?? '').toUpperCase() === `ROW ${end}`);
  const [start, end] = [declared('START'), declared('END')];
  if (!start || !end) return { periodColumns: { start: 'row_start', end: 'row_end', implicit: true } };
  // An INVISIBLE one is made so on a versioned target (a plain column so would need a default).
  const invisible = [start, end].filter((c) => /\bINVISIBLE\b/i.test(String(c[5] ?? ''))).map((c) => String(c[1]));
  return { periodColumns: { start: String(start[1]), end: String(end[1]), ...(invisible.length ? { invisible } : {}) } };
}

/** What the plan says of a table whose engine is made InnoDB in the target (TableInfo.storage.notKept). */
function otherEngine(engine: string): string {
  if (/^(mrg_myisam|merge)$/i.test(engine)) {
    return `is a MERGE table: its rows are those of the tables it merges, so a target that also gets those tables holds every row twice (exclude one or the other); it is made an InnoDB table`;
  }
  return `uses the ${engine} engine: the target table is InnoDB`;
}

/** A zero date as the row path reads it (dateStrings: '0000-00-00', '2020-05-00 10:00:00'), else null. */
const ZERO_DATE = /^\d{4}-(00-\d{2}|\d{2}-00)/;

/** Text with PostgreSQL COPY's escapes applied by the server: backslash first, then tab, newline, carriage return. */
function copyEscaped(expr: string): string {
  let out = expr;
  for (const [from, to] of [['\\', '\\\\'], ['\t', '\\t'], ['\n', '\\n'], ['\r', '\\r']]) out = `REPLACE(${out}, ${lit(from)}, ${lit(to)})`;
  return out;
}

/**
 * A column as PostgreSQL COPY text of its canonical value (what copyField in postgres/ writes for it), computed by
 * MySQL. Numbers, dates and times become text inside CONCAT_WS exactly as CAST(… AS CHAR) would make them, and the
 * result is sent in the connection's utf8mb4 whatever the column's character set: no CAST, no CONVERT (together they
 * cost the server more than twice the time of the whole query); null when the native type has no exact rendering here (bit strings, zerofill, year, …: the row path).
 * `native` is the column's COLUMN_TYPE.
 */
function copyTextExpression(c: ColumnMapping, q: (name: string) => string): string | null {
  // A type read in its portable form (a SET as a JSON array, GEOMETRY as EWKB) takes the row path (convertRows).
  if (c.canonical.family) return null;
  const col = q(c.column);
  const native = c.sourceType.trim().toLowerCase();
  switch (c.canonical.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
      return /^(tinyint|smallint|mediumint|int|integer|bigint)(\(\d+\))?( unsigned)?$/.test(native) ? col : null;
    case 'decimal':
      return /^decimal\(\d+,\d+\)( unsigned)?$/.test(native) ? col : null;
    case 'float32':
      // FLOAT as text has only six significant digits; as DOUBLE it is the stored single-precision value exactly.
      return /^float(\(\d+,\d+\))?( unsigned)?$/.test(native) ? `CAST(${col} AS DOUBLE)` : null;
    case 'float64':
      // The same text the server sends the row path (which parses it into a number and prints it again).
      return /^(float|double|real)(\(\d+,\d+\))?( unsigned)?$/.test(native) ? col : null;
    case 'boolean':
      // Another number in a TINYINT(1) is no truth value: the target refuses the chunk, and the row path names its row.
      return /^(tinyint\(1\)( unsigned)?|bit\(1\))$/.test(native) ? `CASE WHEN ${col} IS NULL THEN NULL WHEN ${col} = 1 THEN 't' WHEN ${col} = 0 THEN 'f' ELSE 'not a truth value' END` : null;
    case 'char':
    case 'varchar':
    case 'text':
    case 'json':
      return /^(char|varchar|tinytext|text|mediumtext|longtext|json|enum|set)\b/.test(native) ? copyEscaped(col) : null;
    case 'enum':
      return /^enum\b/.test(native) ? copyEscaped(col) : null;
    case 'uuid':
      return /^(uuid|char\(36\))$/.test(native) ? `LOWER(${col})` : null;
    case 'date':
      return native === 'date' ? withoutZeroDates(col) : null;
    case 'time':
      return /^time(\(\d\))?$/.test(native) ? col : null;
    case 'timestamp':
      return /^datetime(\(\d\))?$/.test(native) ? withoutZeroDates(col) : null;
    case 'timestamptz':
      // The session's time_zone is UTC (SESSION_SQL).
      return /^timestamp(\(\d\))?$/.test(native) ? `CONCAT(${withoutZeroDates(col)}, '+00')` : null;
    case 'binary':
      return /^(binary|varbinary|tinyblob|blob|mediumblob|longblob)\b/.test(native) ? `CONCAT(${lit('\\\\x')}, HEX(${col}))` : null;
    default:
      return null;
  }
}

/**
 * MariaDB/MySQL → MariaDB/MySQL (TablePlan.native, the column keeps its type): the column as LOAD DATA text of its
 * exact value, computed by the source server. BIT(n) as its number, binary strings and GEOMETRY as hex of their
 * bytes (the target loads them through CAST/UNHEX, see loadData), FLOAT widened to DOUBLE (its own text keeps six
 * digits), everything else as the server's own text with LOAD DATA's escapes. Null when the types differ.
 */
function loadTextExpression(c: ColumnMapping, q: (name: string) => string): string | null {
  const col = q(c.column);
  if (c.canonical.kind !== 'json' && c.sourceType.trim().toLowerCase() !== c.targetType.trim().toLowerCase()) return null;
  switch (nativeForm(c.sourceType)) {
    case 'bits':
      return `CAST(${col} + 0 AS CHAR)`;
    case 'bytes':
      return `HEX(${col})`;
    default:
      return c.canonical.kind === 'float32' ? `CAST(${col} AS DOUBLE)` : copyEscaped(col);
  }
}

/**
 * The ENUM columns of a native table (the same ENUM in source and target) that do not declare '' as a label: they may
 * hold '' all the same, the error value an invalid label was stored as outside strict mode (index 0). Loading it back
 * stores the same error value with a warning, "Data truncated for column …", which for these columns changes nothing.
 */
function errorValueColumns(plan: TablePlan): Set<string> {
  if (!plan.native) return new Set();
  return new Set(plan.columns.filter((c) => c.canonical.kind === 'enum' && !(c.canonical.values ?? []).includes('')).map((c) => c.column));
}

/** Whether a SHOW WARNINGS row is the warning loading an ENUM's error value gives (WARN_DATA_TRUNCATED on such a column). */
function isErrorValueWarning(warning: unknown[], columns: Set<string>): boolean {
  const column = Number(warning[1]) === 1265 ? /^Data truncated for column '(.+)' at row \d+$/.exec(String(warning[2]))?.[1] : undefined;
  return column !== undefined && columns.has(column);
}

/** How a value of a type only MariaDB/MySQL has, as the driver reads it (./type-cast.ts), becomes its portable form. */
function portableValue(type: CanonicalType): (v: unknown) => unknown {
  switch (type.family) {
    case 'set':
      return (v) => setAsJson(String(v));
    case 'bits':
      return (v) => bitsAsDigits(String(v), type.length);
    case 'geometry':
      return (v) => geometryAsEwkb(Buffer.from(String(v), 'hex'));
    default:
      return (v) => v;
  }
}

/** A column of another dialect's geometry (PostGIS, as EWKB) written to a GEOMETRY column: stored as MariaDB/MySQL keep it. */
function geometryColumn(plan: TablePlan, c: ColumnMapping): boolean {
  return !plan.native && c.canonical.family === 'geometry' && isGeometryType(c.targetType);
}

/**
 * A PostGIS spatial index (GiST, SP-GiST, BRIN) on one geometry column that is NOT NULL: a SPATIAL index here (an
 * R-tree, which MariaDB/MySQL build only on NOT NULL columns). Any other stays a plain index, as before.
 */
function spatialIndexed(plan: TablePlan, columns: string[], definition: string | undefined): boolean {
  if (columns.length !== 1 || !/^\s*USING\s+(gist|spgist|brin)\b/i.test(definition ?? '')) return false;
  const c = plan.columns.find((m) => m.column === columns[0]);
  return c !== undefined && !c.nullable && geometryColumn(plan, c);
}

/**
 * Another dialect's spatial column that declares its SRID (PostGIS geography(Point,4326)) keeps it on the column: the
 * attribute right after the type (`head`, how the definition starts), see spatialSridClause.
 */
function withSpatialSrid(definition: string, plan: TablePlan, c: ColumnMapping, head: string): string {
  const srid = c.canonical.spatial?.srid;
  const clause = srid === undefined ? '' : spatialSridClause(srid);
  if (!clause || !geometryColumn(plan, c) || !definition.startsWith(head)) return definition;
  return `${head} ${clause}${definition.slice(head.length)}`;
}

/**
 * An EWKB value as the stored geometry bytes (./values.ts). One that has no stored form (Z or M coordinates) is sent as
 * it is behind SRID 0: the server refuses it ("Cannot get geometry object …"), and the copy names that row as rejected.
 */
function storedGeometry(v: unknown): Buffer {
  const ewkb = Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'hex');
  try {
    return ewkbAsGeometry(ewkb);
  } catch {
    return Buffer.concat([Buffer.alloc(4), ewkb]);
  }
}

/** Bytes of text gathered before a piece of a text chunk is handed on. */
const TEXT_PIECE_CHARS = 256 * 1024;

/** An already validated SQL literal for mysql2's escaper (keeps exact decimals out of string/double comparison). */
function rawLiteral(text: string): { toSqlString: () => string } {
  return { toSqlString: () => text };
}

/**
 * The rows for LOAD DATA LOCAL as the driver can read them. mysql2 waits for the stream's 'end' or 'error' once the
 * server asks for the file: one that failed or was destroyed before (the source broke off while the range was being
 * deleted) sends neither again, and the load, the chunk and the connection hung for good. Such a stream is replaced by
 * one that fails with its error, so the server gets the end of the file and the load fails.
 */
function loadable(text: Readable): Readable {
  if (!text.destroyed && !text.errored) return text;
  const failed = new Readable({ read() {} });
  process.nextTick(() => failed.destroy(text.errored ?? new Error('the rows to load were closed before the load began')));
  return failed;
}

/** A CREATE statement as SHOW CREATE prints it, without its DEFINER (the target's user makes the object). */
function withoutDefiner(create: string): string {
  return create.replace(/^CREATE\s+DEFINER=(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|[^@\s]+)@(?:`(?:[^`]|``)*`|'(?:[^']|'')*'|\S+)\s+/i, 'CREATE ');
}

/** Whether a value read from a TINYINT(1) or BIT(1) column is 0, 1 or NULL (BIT(1) comes as bytes: always one). */
function isTruthValue(raw: unknown): boolean {
  if (raw === null || raw === undefined || Buffer.isBuffer(raw) || typeof raw === 'boolean') return true;
  const n = Number(raw);
  return n === 0 || n === 1;
}

/**
 * Why a FULLTEXT index stays in MariaDB/MySQL: it serves MATCH … AGAINST, which another dialect searches its own way;
 * made there as a plain index on whole texts it would serve nothing, and a long text would make the target refuse it.
 */
const FULLTEXT_ACROSS = 'it is a FULLTEXT index, for MATCH … AGAINST, which another dialect searches its own way (create its text search there by hand)';

export class MysqlConnector extends SqlConnector implements TextChunkSource, TextChunkTarget {
  readonly dialect = 'mysql' as const;
  readonly loadFormats = ['mysql-load'] as const;
  readonly schema: string;
  protected readonly maxParams = 65_535;
  private declare pool: mysql.Pool;
  private mariadb: boolean | undefined;
  /** The binary collation new tables get (see binaryCollation()). */
  private collation: string | undefined;

  constructor(endpoint: Endpoint, options: MysqlOptions = {}) {
    super(endpoint);
    const url = parseMysqlUrl(endpoint.connectionString);
    const schema = endpoint.schema ?? url.database;
    if (!schema) throw new ConnectorError('InvalidConnectionString', 'mysql connection string names no database and no schema was given');
    this.schema = schema;
    const pool = mysql.createPool({
      ...mysqlDriverOptions(url),
      // No default database: names are always qualified, and a target database may not exist yet.
      connectTimeout: options.connectTimeoutMs ?? 8000,
      connectionLimit: options.poolSize ?? 4,
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      dateStrings: true,
      jsonStrings: true,
      timezone: 'Z',
      // Text protocol only (it reads the field's text): this connector never prepares statements.
      typeCast: exactDoubles,
    });
    // The pool hands the callback-style connection to this event; its queue runs the SET before any user query.
    pool.on('connection', (conn) => {
      (conn as unknown as { query(sql: string, callback: (error: unknown) => void): void }).query(SESSION_SQL, () => undefined);
    });
    hideSecrets(this, endpoint, { pool, endpoint });
  }

  /**
   * Natively (see ReadOptions), a TINYINT(1) keeps its number: as a boolean, 7 would arrive as 1. BIT(1) stays boolean.
   * Read for another dialect, a type only MariaDB/MySQL has takes its portable form first (./values.ts).
   */
  protected override convertRows(rows: unknown[][], types: CanonicalType[], options?: ReadOptions): Row[] {
    if (!options?.native && types.some(isDated)) {
      // A column the target keeps as text keeps its zero dates as they are ('0000-00-00').
      const dated = types.map((t, i) => isDated(t) && !options?.keptAsText?.[i]);
      rows = rows.map((row) => row.map((v, i) => (dated[i] && typeof v === 'string' && ZERO_DATE.test(v) ? null : v)));
    }
    if (!options?.native && types.some((t) => t.family)) {
      const portable = types.map(portableValue);
      rows = rows.map((row) => row.map((v, i) => (v === null || v === undefined ? v : portable[i](v))));
    }
    if (!options?.native) {
      const canonical = super.convertRows(rows, types);
      if (!types.some((t) => t.kind === 'boolean')) return canonical;
      // A TINYINT(1) holding 7 is no truth value: handed over as its text, its row is rejected (lib/value-forms.ts), never read as true.
      return canonical.map((row, r) => row.map((v, i) => (types[i]?.kind === 'boolean' && !isTruthValue(rows[r][i]) ? String(rows[r][i]) : v)));
    }
    if (!types.some((t) => t.kind === 'boolean')) return super.convertRows(rows, types);
    return rows.map((row) =>
      row.map((v, i) => (types[i]?.kind === 'boolean' && v !== null && v !== undefined && !Buffer.isBuffer(v) ? Number(v) : toCanonicalValue(v, types[i]))),
    );
  }

  /** FLOAT columns are read as DOUBLE: their text form keeps six significant digits, the double the exact stored value. */
  protected override selectList(columns: string[], types: CanonicalType[]): string {
    return columns.map((c, i) => (types[i]?.kind === 'float32' ? `CAST(${this.q(c)} AS DOUBLE) AS ${this.q(c)}` : this.q(c))).join(', ');
  }

  protected placeholder(): string {
    return '?';
  }

  protected exec: Exec = async (sql, params = []) => {
    const [rows] = await this.pool.query({ sql, rowsAsArray: true }, params);
    return Array.isArray(rows) ? (rows as unknown[][]) : [];
  };

  protected async transaction<T>(fn: (exec: Exec) => Promise<T>): Promise<T> {
    return this.connectionTransaction((conn) =>
      fn(async (sql, params = []) => {
        const [rows] = await conn.query({ sql, rowsAsArray: true }, params);
        return Array.isArray(rows) ? (rows as unknown[][]) : [];
      }),
    );
  }

  private async connectionTransaction<T>(fn: (conn: mysql.PoolConnection) => Promise<T>): Promise<T> {
    const conn = await this.pool.getConnection();
    // A connection that cannot even roll back (the driver closed it when a LOAD DATA stream broke off) must not go
    // back to the pool: the next chunk, a retry, would get it and fail with "connection is in closed state".
    let reusable = true;
    try {
      await conn.beginTransaction();
      const result = await fn(conn);
      await conn.commit();
      return result;
    } catch (error) {
      await conn.rollback().catch(() => {
        reusable = false;
      });
      throw error;
    } finally {
      if (reusable) conn.release();
      else conn.destroy();
    }
  }

  // ---- bulk writes: LOAD DATA LOCAL INFILE from a stream ----

  /** Whether the server accepts LOAD DATA LOCAL (local_infile=ON); asked once. */
  private localInfile: Promise<boolean> | undefined;

  private async canLoadLocal(): Promise<boolean> {
    this.localInfile ??= this.exec('SELECT @@local_infile').then(
      (rows) => Number(rows[0]?.[0]) === 1,
      () => false,
    );
    return this.localInfile;
  }

  /**
   * The rows streamed through LOAD DATA LOCAL INFILE … REPLACE in one transaction: a row whose key exists is
   * replaced, so a retried chunk never duplicates (the same contract as the upsert). Servers with local_infile=OFF
   * get the multi-row INSERT … ON DUPLICATE KEY UPDATE batches.
   */
  override async writeRows(plan: TablePlan, rows: Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    if (!(await this.canLoadLocal())) return super.writeRows(plan, rows);
    return this.guard(
      `write ${plan.target}`,
      () =>
        this.connectionTransaction(async (conn) => {
          await this.loadData(conn, plan, rowsAsText(rows, this.loadFormatters(plan)), plan.keyColumns.length > 0);
          return rows.length;
        }),
      'WriteFailed',
    );
  }

  override async replaceAllRows(plan: TablePlan, batches: AsyncIterable<Row[]>): Promise<number> {
    if (!(await this.canLoadLocal())) return super.replaceAllRows(plan, batches);
    return this.guard(
      `replace rows of ${plan.target}`,
      () =>
        this.connectionTransaction(async (conn) => {
          await conn.query(`DELETE FROM ${this.qt(plan.target)}`);
          let written = 0;
          await this.loadData(conn, plan, batchesAsText(batches, this.loadFormatters(plan), (n) => (written += n)), false);
          return written;
        }),
      'WriteFailed',
    );
  }

  /** How a column's LOAD DATA field is stored: as text, as hex of its bytes (UNHEX) or as a BIT's number. */
  private loadForm(plan: TablePlan, c: ColumnMapping): 'bits' | 'bytes' | 'text' {
    if (plan.native) return nativeForm(c.targetType);
    return c.canonical.kind === 'binary' ? 'bytes' : 'text';
  }

  /** Canonical values as LOAD DATA text: what the INSERT path would bind, without quoting. */
  private loadFormatters(plan: TablePlan): FieldFormatter[] {
    return plan.columns.map((c): FieldFormatter => {
      const form = this.loadForm(plan, c);
      // Natively, BIT(n) and GEOMETRY values are read as their number and hex already (./type-cast.ts).
      // BIT(1) is read as a boolean.
      if (form === 'bits') return (v) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
      if (geometryColumn(plan, c)) return (v) => storedGeometry(v).toString('hex');
      if (form === 'bytes') return (v) => (Buffer.isBuffer(v) ? v.toString('hex') : String(v));
      switch (c.canonical.kind) {
        case 'boolean':
          // Natively, a TINYINT(1) arrives as its number (see convertRows).
          return (v) => String(this.toDriverValue(v, c.canonical));
        case 'timestamptz':
          return (v) => timestamptzToNaiveUtc(String(v));
        case 'binary':
          // Loaded into a user variable as hex and UNHEXed: raw bytes would pass through the utf8mb4 conversion.
          return (v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8')).toString('hex');
        default:
          return (v) => (typeof v === 'number' || typeof v === 'bigint' ? String(v) : escapeField(String(v)));
      }
    });
  }

  private async loadData(conn: mysql.PoolConnection, plan: TablePlan, text: Readable, replace: boolean): Promise<number> {
    const forms = plan.columns.map((c) => this.loadForm(plan, c));
    const targets = plan.columns.map((c, i) => (forms[i] === 'text' ? this.q(c.column) : `@b${i}`));
    const sets = plan.columns.flatMap((c, i) =>
      forms[i] === 'bytes' ? [`${this.q(c.column)} = UNHEX(@b${i})`] : forms[i] === 'bits' ? [`${this.q(c.column)} = CAST(@b${i} AS UNSIGNED)`] : [],
    );
    const sql =
      `LOAD DATA LOCAL INFILE ${quoteLiteral(this.dialect, 'sensei-rows')}${replace ? ' REPLACE' : ''} INTO TABLE ${this.qt(plan.target)}` +
      String.raw` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'` +
      ` (${targets.join(', ')})${sets.length ? ' SET ' + sets.join(', ') : ''}`;
    const errorValues = errorValueColumns(plan);
    // Every warning is read where some may be an ENUM's error value (see errorValueColumns).
    if (errorValues.size) await conn.query('SET SESSION max_error_count = 65535');
    const [header] = await conn.query({ sql, infileStreamFactory: () => loadable(text) });
    // LOCAL turns data errors into warnings (the server cannot stop the client mid-file): any warning fails the chunk.
    const count = (header as mysql.ResultSetHeader).warningStatus;
    if (count > 0) {
      const [warnings] = await conn.query({ sql: errorValues.size ? 'SHOW WARNINGS' : 'SHOW WARNINGS LIMIT 3', rowsAsArray: true });
      const listed = warnings as unknown[][];
      // Unless every warning was listed, one not listed may be serious.
      const serious = listed.filter((w) => w[0] !== 'Note' && !(listed.length >= count && isErrorValueWarning(w, errorValues)));
      if (serious.length) {
        const message = `loading ${plan.target} would change values: ${serious.map((w) => String(w[2])).join('; ')}`;
        // The warning's code as the cause's errno, as the server would have raised it without LOCAL: a row's data
        // (out of range, truncated, duplicate …) is then told apart from the rest, and the rows to blame can be isolated.
        throw new ConnectorError('WriteFailed', message, { cause: Object.assign(new Error(message), { errno: Number(serious[0][1]) }) });
      }
    }
    return (header as mysql.ResultSetHeader).affectedRows;
  }

  // ---- the pass-through path (see TextChunkSource) ----

  canRenderText(plan: TablePlan, format: LoadTextFormat): boolean {
    if (!rangeSafe(keyTypesOf(plan))) return false;
    if (format === 'mysql-load') return !!plan.native && plan.columns.every((c) => loadTextExpression(c, (n) => this.q(n)) !== null);
    // A date the target keeps as text (a mapping edit) keeps its zero dates: the row path reads them so (convertRows).
    if (plan.columns.some((c) => isDated(c.canonical) && /^(text|character|varchar|char)\b/i.test(c.targetType.trim()))) return false;
    return format === 'postgres-copy' && plan.columns.every((c) => copyTextExpression(c, (n) => this.q(n)) !== null);
  }

  /**
   * A second column for readText: 1 when a row's text may be longer than max_allowed_packet. TEXT, BLOB and JSON values
   * are counted twice (escapes or hex at most double them); every other column together stays under InnoDB's row
   * limit of 65,535 bytes, also doubled (longTextBound). A constant 0 when the table has no such column (no cost).
   */
  private tooLongForText(plan: TablePlan): string {
    const bound = longTextBound(plan.columns.map((c) => ({ quoted: this.q(c.column), native: c.sourceType })));
    return bound ? `, ${bound} >= @@max_allowed_packet` : ', 0';
  }

  async canLoadText(plan: TablePlan): Promise<boolean> {
    return rangeSafe(keyTypesOf(plan)) && (await this.canLoadLocal());
  }

  /** MySQL renders each row as one COPY line (CONCAT_WS of the columns' COPY text, NULL as \\N); the worker only joins lines. */
  async readText(plan: TablePlan, range: KeyRange, format: LoadTextFormat): Promise<Readable> {
    const render = format === 'postgres-copy' ? copyTextExpression : format === 'mysql-load' && plan.native ? loadTextExpression : null;
    if (!render) throw new ConnectorError('NotSupported', `rendering ${format} text is not supported by mysql`);
    const fields = this.textFields(plan, plan.columns, render, format);
    const params: unknown[] = [];
    const where = this.rangeCondition(plan.keyColumns, keyTypesOf(plan), range, params);
    const sql =
      `SELECT CONCAT_WS(${lit('\t')}, ${fields.join(', ')})${this.tooLongForText(plan)} FROM ${this.qt(plan.source.name)} WHERE ${where}` +
      ` ORDER BY ${quoteList(this.dialect, plan.keyColumns)}`;
    return this.textLines(plan, sql, params);
  }

  /**
   * MariaDB → MariaDB: every version of a system-versioned table's rows, its history too (FOR SYSTEM_TIME ALL), as
   * LOAD DATA lines of `columns` (the plan's, and its implicit row start and end), in no particular order.
   */
  async readVersionsText(plan: TablePlan, columns: ColumnMapping[]): Promise<Readable> {
    const fields = this.textFields(plan, columns, loadTextExpression, 'mysql-load');
    const sql = `SELECT CONCAT_WS(${lit('\t')}, ${fields.join(', ')})${this.tooLongForText({ ...plan, columns })} FROM ${this.qt(plan.source.name)} FOR SYSTEM_TIME ALL`;
    return this.textLines(plan, sql, []);
  }

  /** Each column's text expression for CONCAT_WS (see readText), by `render`. */
  private textFields(plan: TablePlan, columns: ColumnMapping[], render: (c: ColumnMapping, q: (name: string) => string) => string | null, format: LoadTextFormat): string[] {
    return columns.map((c) => {
      const expr = render(c, (n) => this.q(n));
      if (expr === null) throw new ConnectorError('NotSupported', `column ${c.column} of ${plan.source.name} cannot be rendered as ${format} text`);
      // CONCAT_WS skips NULLs, which would shift the fields: NULL is written as \N (a zero date of a NOT NULL column
      // too: the target then refuses that row, by key).
      return c.nullable || isDated(c.canonical) ? `COALESCE(${expr}, ${lit('\\N')})` : expr;
    });
  }

  /** The lines a `SELECT CONCAT_WS(…), tooLong` query renders, streamed (see readText). */
  private async textLines(plan: TablePlan, sql: string, params: unknown[]): Promise<Readable> {
    const action = `read ${plan.source.name}`;
    const conn = await this.guard(action, () => this.pool.getConnection());
    const core = (conn as unknown as { connection: CallbackConnection }).connection;
    const connectorError = (err: unknown) =>
      // MySQL may refuse to concatenate columns of different collations (MariaDB converts): the row path then.
      [1267, 1270, 1271].includes(Number((err as { errno?: unknown }).errno))
        ? new ConnectorError('NotSupported', `rendering rows of ${plan.source.name} as text is not supported by this server: ${errorMessage(err)}`, { cause: err })
        : this.connectorError(err, action);
    // Rows are taken from the query's events and joined into pieces; the socket is paused while the consumer is full
    // (no per-row stream or promise: at ~200,000 rows a chunk those dominated the worker's time).
    let text = '';
    let finished = false;
    let settled = false;
    const out = new Readable({ read: () => core.resume() });
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      // A result abandoned half way cannot go back to the pool.
      if (finished) conn.release();
      else conn.destroy();
      if (error) out.destroy(connectorError(error));
    };
    const query = core.query({ sql, values: params, rowsAsArray: true });
    query.on('result', (row: unknown) => {
      const [line, tooLong] = row as [string | null, unknown];
      // The row's text would pass max_allowed_packet: the server makes such a value NULL (a silent \N) instead of
      // failing. The chunk is copied on the row path instead, where values arrive as they are stored.
      if (line === null || Number(tooLong) === 1) {
        settle(new ConnectorError('NotSupported', `a row of ${plan.source.name} is longer as text than the server's max_allowed_packet`));
        return;
      }
      text += line + '\n';
      if (text.length >= TEXT_PIECE_CHARS) {
        const more = out.push(Buffer.from(text, 'utf8'));
        text = '';
        if (!more) core.pause();
      }
    });
    query.on('error', (err: unknown) => settle(err));
    query.on('end', () => {
      if (settled) return;
      if (text) out.push(Buffer.from(text, 'utf8'));
      text = '';
      out.push(null);
      finished = true;
      settle();
    });
    out.on('close', () => settle());
    return out;
  }

  async replaceRangeWithText(plan: TablePlan, range: KeyRange, text: Readable, format: LoadTextFormat): Promise<number> {
    if (format !== 'mysql-load') throw new ConnectorError('NotSupported', `loading ${format} is not supported by mysql`);
    return this.guard(
      `write ${plan.target}`,
      () =>
        this.connectionTransaction(async (conn) => {
          const params: unknown[] = [];
          await conn.query(`DELETE FROM ${this.qt(plan.target)} WHERE ${this.rangeCondition(plan.keyColumns, keyTypesOf(plan), range, params)}`, params);
          return this.loadData(conn, plan, text, false);
        }),
      'WriteFailed',
    );
  }

  async testConnection(): Promise<{ serverVersion: string }> {
    return this.guard('connect', async () => {
      const rows = await this.exec('SELECT VERSION()');
      return { serverVersion: String(rows[0][0]) };
    });
  }

  async ensureSchema(): Promise<void> {
    await this.guard('create database', () => this.exec(`CREATE DATABASE IF NOT EXISTS ${this.q(this.schema)} CHARACTER SET utf8mb4`));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** The row path writes other dialects' geometries (EWKB) as the stored geometry bytes, as LOAD DATA does (loadFormatters). */
  protected override insertRows(exec: Exec, plan: TablePlan, rows: Row[], upsert: boolean): Promise<number> {
    const geometry = plan.columns.map((c) => geometryColumn(plan, c));
    if (!geometry.includes(true)) return super.insertRows(exec, plan, rows, upsert);
    const stored = rows.map((row) => row.map((v, i) => (geometry[i] && v !== null && v !== undefined ? storedGeometry(v) : v)));
    return super.insertRows(exec, plan, stored, upsert);
  }

  protected toDriverValue(value: unknown, type: CanonicalType): unknown {
    if (value === null || value === undefined) return null;
    // BIT(n) read for another dialect travels as its n binary digits (a keyset checkpoint too): bound as the number
    // they are. As a string, MariaDB compared the column with it as a decimal number: '0011' as 11, skipping 7.
    const bits = type.family === 'bits' ? type : type.portable?.family === 'bits' ? type.portable : undefined;
    const number = bits && typeof value === 'string' ? digitsAsBits(value, bits.length) : null;
    if (number !== null) return number;
    switch (type.kind) {
      case 'boolean':
        // A number is a TINYINT(1)'s own, read natively (see convertRows): kept as it is.
        if (typeof value === 'number') return value;
        return value === true || value === '1' || value === 't' || value === 'true' ? 1 : 0;
      case 'int64':
        // Unquoted: MySQL compares an integer column with a quoted string as doubles, which breaks above 2^53.
        return /^-?\d+$/.test(String(value)) ? BigInt(String(value)) : value;
      case 'decimal':
        return /^-?\d+(\.\d+)?$/.test(String(value)) ? rawLiteral(String(value)) : value;
      case 'timestamptz':
        return timestamptzToNaiveUtc(String(value));
      case 'native':
        // BIT(n), read as its number: compared and stored as that number, not as a string's bytes.
        return type.unsigned && /^\d+$/.test(String(value)) ? BigInt(String(value)) : value;
      default:
        return value;
    }
  }

  protected upsertClause(plan: TablePlan): string {
    const others = plan.columns.filter((c) => !plan.keyColumns.includes(c.column));
    // VALUES(col) rather than the MySQL 8 row alias: MariaDB has no row alias.
    const sets = others.length
      ? others.map((c) => `${this.q(c.column)} = VALUES(${this.q(c.column)})`)
      : [`${this.q(plan.keyColumns[0])} = ${this.q(plan.keyColumns[0])}`];
    return `ON DUPLICATE KEY UPDATE ${sets.join(', ')}`;
  }

  protected override identityClause(plan: TablePlan, c: ColumnMapping): string {
    // AUTO_INCREMENT must lead a key; the primary key's first column is the case that carries over (natively, a
    // UNIQUE constraint's first column too: both are made with the table).
    const leads = plan.source.primaryKey[0] === c.column || (!!plan.native && plan.source.uniqueConstraints.some((u) => u.columns[0] === c.column));
    return c.canonical.autoIncrement && leads && /INT/i.test(this.columnType(c)) ? 'AUTO_INCREMENT' : '';
  }

  // ---- MariaDB/MySQL → MariaDB/MySQL: the source's own column definitions (TablePlan.native) ----

  protected override generatedColumnDefinition(column: ColumnInfo): string {
    const collate = column.collation ? ` COLLATE ${column.collation}` : '';
    const comment = column.comment ? ` COMMENT ${lit(column.comment)}` : '';
    return `${this.q(column.name)} ${column.nativeType}${collate} AS (${column.generated}) ${column.virtual ? 'VIRTUAL' : 'STORED'}${comment}${column.invisible ? ' INVISIBLE' : ''}`;
  }

  protected override tableConstraints(plan: TablePlan): string[] {
    if (!plan.native) return super.tableConstraints(plan);
    const pk = plan.source.primaryKey;
    // Unique keys keep their names (index names are per table here) and their prefix lengths.
    const unique = plan.source.uniqueConstraints.map((u) => `CONSTRAINT ${this.q(u.name)} UNIQUE (${u.definition ?? quoteList(this.dialect, u.columns)})`);
    return [...(pk.length ? [`PRIMARY KEY (${quoteList(this.dialect, pk)})`] : []), ...unique];
  }

  /** Another dialect's column comment, as the column's own (before its CHECK: MariaDB wants it there). */
  protected override commentClause(plan: TablePlan, c: ColumnMapping): string {
    const comment = plan.source.columns.find((x) => x.name === c.column)?.comment;
    return comment ? ` COMMENT ${lit(comment)}` : '';
  }

  protected override columnDefinition(plan: TablePlan, c: ColumnMapping): string {
    if (!plan.native) return withSpatialSrid(super.columnDefinition(plan, c), plan, c, this.q(c.column) + ' ' + this.columnType(c));
    const source = plan.source.columns.find((x) => x.name === c.column);
    let def = `${this.q(c.column)} ${this.columnType(c)}`;
    // A spatial column's SRID (MariaDB REF_SYSTEM_ID), which its COLUMN_TYPE leaves out.
    const srid = crossType(c.canonical).spatial?.srid;
    if (srid !== undefined && isGeometryType(this.columnType(c)) && spatialSridClause(srid)) def += ` ${spatialSridClause(srid)}`;
    // The source's own collation: the target's table default (a binary NO PAD one) would change comparisons.
    if (source?.collation && c.canonical.kind !== 'json') def += ` COLLATE ${source.collation}`;
    if (!c.nullable) def += ' NOT NULL';
    const identity = this.identityClause(plan, c);
    // MariaDB reports defaults as SQL (quoted literals, current_timestamp(), b'101', …).
    // A sequence's default names it without a database (see introspectTables): here, the target's.
    if (!identity && source?.default != null) def += ` DEFAULT ${source.default.split('nextval(`').join(`nextval(${this.q(this.schema)}.\``)}`;
    if (source?.onUpdate) def += ` ON UPDATE ${source.onUpdate}`;
    if (identity) def += ' ' + identity;
    if (source?.comment) def += ` COMMENT ${lit(source.comment)}`;
    if (source?.invisible) def += ' INVISIBLE';
    return def;
  }

  override async createIndexesAndForeignKeys(plan: TablePlan): Promise<FinalizedTable> {
    // Another dialect's index definitions mean nothing here: its indexes are made from their columns.
    if (plan.native) return super.createIndexesAndForeignKeys(plan);
    const indexes = plan.source.indexes.map(({ definition, ...index }) =>
      spatialIndexed(plan, index.columns, definition) ? { ...index, definition: `SPATIAL INDEX %NAME% ON %TABLE% (${this.q(index.columns[0] as string)})` } : index,
    );
    return super.createIndexesAndForeignKeys({ ...plan, source: { ...plan.source, indexes } });
  }

  /** ER_NO_REFERENCED_ROW_2: a row already in the table references no row. */
  protected override breaksForeignKey(error: unknown): boolean {
    return (error as { errno?: unknown }).errno === 1452;
  }

  /**
   * The key cannot be made as declared: "errno: 150" (ER_CANT_CREATE_TABLE, ER_ERROR_ON_RENAME: incorrectly formed),
   * ER_CANNOT_ADD_FOREIGN, ER_FK_NO_INDEX_PARENT, ER_FK_INCOMPATIBLE_COLUMNS.
   */
  protected override refusesForeignKey(error: unknown): boolean {
    const { errno, message } = error as { errno?: unknown; message?: unknown };
    if (errno === 1215 || errno === 1822 || errno === 3780) return true;
    return (errno === 1005 || errno === 1025) && /errno: 150\b/.test(String(message));
  }

  /** As mysqldump restores one: with foreign_key_checks off for this session, the key is declared, the rows there not read. */
  protected override async uncheckedForeignKey(sql: string): Promise<void> {
    const conn = await this.pool.getConnection();
    let reusable = false;
    try {
      await conn.query('SET SESSION foreign_key_checks = 0');
      await conn.query(sql);
      await conn.query('SET SESSION foreign_key_checks = 1');
      reusable = true;
    } finally {
      // A connection whose checks may still be off never goes back to the pool.
      if (reusable) conn.release();
      else conn.destroy();
    }
  }

  protected override createIndexSql(table: string, name: string, index: TableInfo['indexes'][number]): string {
    // Natively (see createIndexesAndForeignKeys): the source's index kind (SPATIAL, FULLTEXT) and key parts with their prefix lengths.
    if (index.definition) return `CREATE ${index.definition.replace('%NAME%', this.q(name)).replace('%TABLE%', this.qt(table))}`;
    return super.createIndexSql(table, name, index);
  }

  /** DATETIME(n) takes CURRENT_TIMESTAMP(n) (MySQL refuses another precision); a date an expression default. */
  protected override currentTimeSql(what: 'timestamp' | 'date', c: ColumnMapping): string {
    if (what === 'date') return '(CURRENT_DATE)';
    const fsp = /\((\d)\)/.exec(this.columnType(c))?.[1];
    return fsp ? `CURRENT_TIMESTAMP(${fsp})` : 'CURRENT_TIMESTAMP';
  }

  protected override defaultClause(c: ColumnMapping, expression: string | null): string {
    const clause = super.defaultClause(c, expression);
    // MySQL 8 takes TEXT/BLOB/JSON defaults only as expressions: DEFAULT ('x') (MariaDB accepts both forms).
    if (clause && /TEXT|BLOB|JSON/i.test(this.columnType(c))) return clause.replace(/^DEFAULT (.*)$/s, 'DEFAULT ($1)');
    return clause;
  }

  override async createTable(plan: TablePlan, options: { replace: boolean }): Promise<void> {
    this.collation ??= await this.guard('read collations', () => this.binaryCollation());
    await super.createTable(plan, options);
  }

  /**
   * A binary NO PAD collation keeps PostgreSQL/SQLite semantics for text keys: 'a' and 'A' differ, and so do 'a' and
   * 'a ' (a PAD SPACE collation such as utf8mb4_bin compares them equal, so REPLACE / ON DUPLICATE KEY would merge two
   * source rows into one). MariaDB has utf8mb4_nopad_bin, MySQL 8 utf8mb4_0900_bin; a server with neither is refused.
   */
  private async binaryCollation(): Promise<string> {
    const rows = await this.exec("SHOW COLLATION WHERE Collation IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')");
    const names = new Set(rows.map((r) => String(r[0])));
    const found = ['utf8mb4_nopad_bin', 'utf8mb4_0900_bin'].find((n) => names.has(n));
    if (!found) {
      throw new ConnectorError(
        'NotSupported',
        'this server has no binary NO PAD collation (utf8mb4_nopad_bin or utf8mb4_0900_bin): text keys that differ only in trailing spaces would merge; MariaDB 10.2+ or MySQL 8 is required as a target',
      );
    }
    return found;
  }

  /**
   * MariaDB → MariaDB, once a system-versioned table's rows are in and before its indexes are built: the table is
   * versioned here too, and partitioned by SYSTEM_TIME as the source is (tableOptions leaves that out until then).
   *
   * With `source` (a MariaDB) and a target that writes row start and end (system_versioning_insert_history, 10.11+,
   * secure_timestamp NO; timestamp periods; LOCAL INFILE; every column of the source's own type; both servers ending
   * current rows at the same time), every version of the source's rows, its history too, is loaded into a versioned
   * twin of the table, which then takes its name: the copied current rows give way to the same rows with their row
   * start. The twin's versions are counted against the lines read. Otherwise the copied rows become current ones:
   * ADD SYSTEM VERSIONING in place for implicit row start and end, and for declared ones (which that would set anew) a
   * twin filled from the table, where the target takes their values; elsewhere the table stays plain. Transaction-id
   * periods stay plain values. Answers what was not kept, and why (the migration records it as an error).
   *
   * Run again (a resumed finalize), it finds the table versioned (and drops what a cut-short run left), or a twin left
   * half-way to drop; two attempts at once take turns on a lock named after the twin. A plan made before row start
   * and end were read (no periodColumns) leaves the table plain, as that plan said.
   */
  async keepVersions(plan: TablePlan, source?: Connector): Promise<string[]> {
    const period = plan.source.periodColumns;
    if (!plan.native || !plan.source.systemVersioned || !period) return [];
    return this.guard(`version ${plan.target}`, async () => {
      if (!(await this.isMariadb())) return [];
      const names = twinNames(plan.target);
      const conn = await this.pool.getConnection();
      // A connection left in the history-insert mode, or half-way through a load, is not handed back to the pool.
      let clean = false;
      try {
        const [[locked]] = (await conn.query({ sql: 'SELECT GET_LOCK(?, 3600)', values: [names.twin], rowsAsArray: true })) as [unknown[][], unknown];
        if (Number(locked[0]) !== 1) throw new ConnectorError('QueryFailed', `versioning ${plan.target}: another attempt has held it for an hour`);
        const [[state]] = (await conn.query({
          sql: 'SELECT TABLE_TYPE, CREATE_OPTIONS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
          values: [this.schema, plan.target],
          rowsAsArray: true,
        })) as [unknown[][], unknown];
        const [type, options] = state ?? [];
        const done = type === 'SYSTEM VERSIONED';
        const outcome = done ? { versioned: true, lost: [] } : await this.versionRows(conn, plan, period, source instanceof MysqlConnector ? source : undefined);
        const partitionBy = plan.source.storage?.partitionBy;
        const byTime = !!partitionBy && SYSTEM_TIME_PARTITIONS.test(partitionBy);
        if (outcome.versioned) {
          // A finalize cut short after the twin took the table's name left the table it replaced, and the partitioning.
          await conn.query(`DROP TABLE IF EXISTS ${this.qt(names.old)}`);
          const partitioned = done && /\bpartitioned\b/i.test(String(options ?? ''));
          if (byTime && !partitioned) await conn.query(`ALTER TABLE ${this.qt(plan.target)} ${partitionBy}`);
        } else if (byTime) {
          outcome.lost.push(`partitions BY SYSTEM_TIME of table ${plan.source.name}, because the target table is not versioned`);
        }
        await conn.query('SELECT RELEASE_LOCK(?)', [names.twin]);
        clean = true;
        return outcome.lost;
      } finally {
        if (clean) conn.release();
        else {
          conn.destroy();
          await this.exec(`DROP TABLE IF EXISTS ${this.qt(names.twin)}`).catch(() => undefined);
        }
      }
    });
  }

  /** keepVersions' work on a table not versioned yet, on `conn` (holding the twin's lock): whether it is now, and what was not kept. */
  private async versionRows(
    conn: mysql.PoolConnection,
    plan: TablePlan,
    period: NonNullable<TableInfo['periodColumns']>,
    source?: MysqlConnector,
  ): Promise<{ versioned: boolean; lost: string[] }> {
    const table = this.qt(plan.target);
    const typeOf = (name: string) => plan.source.columns.find((c) => c.name === name)?.nativeType ?? '';
    if (!period.implicit && !/^timestamp/i.test(typeOf(period.start))) return { versioned: false, lost: [] };
    const insertsHistory = await this.takesHistory();
    const refusal = await this.historyRefusal(plan, source, insertsHistory);
    const lost = refusal ? [`history of table ${plan.source.name} (its rows' past versions), because ${refusal}`] : [];
    if (refusal && period.implicit) {
      await conn.query(`ALTER TABLE ${table} ADD SYSTEM VERSIONING`);
      return { versioned: true, lost };
    }
    if (refusal && !insertsHistory) return { versioned: false, lost };
    const names = twinNames(plan.target);
    const twin = this.qt(names.twin);
    await conn.query(`DROP TABLE IF EXISTS ${twin}`);
    await conn.query(`CREATE TABLE ${twin} LIKE ${table}`);
    const declared = (name: string, end: 'START' | 'END') => {
      const column = plan.source.columns.find((c) => c.name === name);
      const comment = column?.comment ? ` COMMENT ${lit(column.comment)}` : '';
      return `MODIFY ${this.q(name)} ${typeOf(name)} GENERATED ALWAYS AS ROW ${end}${period.invisible?.includes(name) ? ' INVISIBLE' : ''}${comment}`;
    };
    await conn.query(
      period.implicit
        ? `ALTER TABLE ${twin} ADD SYSTEM VERSIONING`
        : `ALTER TABLE ${twin} ${declared(period.start, 'START')}, ${declared(period.end, 'END')}, ADD PERIOD FOR SYSTEM_TIME (${this.q(period.start)}, ${this.q(period.end)}), ADD SYSTEM VERSIONING`,
    );
    // The source's next AUTO_INCREMENT value, which may be past the highest row (CREATE … LIKE leaves it).
    if (/^\d+$/.test(plan.source.nextAutoIncrement ?? '')) await conn.query(`ALTER TABLE ${twin} AUTO_INCREMENT = ${plan.source.nextAutoIncrement}`);
    await conn.query('SET SESSION system_versioning_insert_history = 1');
    let loaded = false;
    if (!refusal) {
      try {
        await this.loadVersions(conn, plan, period, names.twin, source as MysqlConnector);
        loaded = true;
      } catch (error) {
        // A row the load refuses (one the copy rejected too), or one too long to render: the current rows, said so.
        if (!(error instanceof ConnectorError) || !['NotSupported', 'WriteFailed'].includes(error.code)) throw error;
        lost.push(`history of table ${plan.source.name} (its rows' past versions), because ${error.message}`);
        await conn.query(`DELETE HISTORY FROM ${twin}`);
        await conn.query(`DELETE FROM ${twin}`);
        await conn.query(`DELETE HISTORY FROM ${twin}`);
      }
    }
    if (!loaded) {
      const columns = quoteList(this.dialect, plan.columns.map((c) => c.column));
      await conn.query(`INSERT INTO ${twin} (${columns}) SELECT ${columns} FROM ${table}`);
    }
    await conn.query('SET SESSION system_versioning_insert_history = 0');
    await conn.query(`RENAME TABLE ${table} TO ${this.qt(names.old)}, ${twin} TO ${table}`);
    return { versioned: true, lost };
  }

  /** Why the source's history cannot be loaded here (see keepVersions), or null when it can. */
  private async historyRefusal(plan: TablePlan, source: MysqlConnector | undefined, insertsHistory: boolean): Promise<string | null> {
    if (!source || !(await source.isMariadb())) return 'the finalize was not given the source (a migration started before it was)';
    if (!insertsHistory) return 'the target does not take row start and end values (MariaDB 10.11 or later with secure_timestamp NO does)';
    if (!(await this.canLoadLocal())) return 'the target does not take LOAD DATA LOCAL INFILE (local_infile)';
    const edited = plan.columns.find((c) => loadTextExpression(c, (n) => this.q(n)) === null);
    if (edited) return `column ${edited.column} is of another type than the source's (edited at the gate)`;
    const [ends, sourceEnds] = [await this.currentRowEnd(), await source.currentRowEnd()];
    if (ends !== sourceEnds) return `the source ends current rows at ${sourceEnds} and the target at ${ends} (MariaDB 11.5 moved it)`;
    return null;
  }

  /** The row end a current row has: MariaDB 11.5 moved it from 2038 to 2106 (64-bit TIMESTAMP). */
  private async currentRowEnd(): Promise<string> {
    const version = String((await this.exec('SELECT VERSION()'))[0][0]);
    const [major, minor] = version.split('.').map(Number);
    return major > 11 || (major === 11 && minor >= 5) ? '2106-02-07 06:28:15.999999' : '2038-01-19 03:14:07.999999';
  }

  /**
   * Every version of the source's rows, its history too, loaded into the versioned twin (see keepVersions) on `conn`,
   * in the history-insert mode; each version is one line of text (a value's newline is escaped), counted on its way
   * against what the twin then holds.
   */
  private async loadVersions(conn: mysql.PoolConnection, plan: TablePlan, period: NonNullable<TableInfo['periodColumns']>, twin: string, source: MysqlConnector): Promise<void> {
    // Implicit row start and end are no columns of the plan: they are named as MariaDB names them.
    const columns = [...plan.columns, ...(period.implicit ? [period.start, period.end].map((name) => periodMapping(plan.source.name, name)) : [])];
    let read = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) read++;
        done(null, chunk);
      },
    });
    const text = await source.readVersionsText(plan, columns);
    // A failed read fails the load that reads `counted` (pipeline destroys it with the error); a failed load ends the read.
    void pipeline(text, counted).catch(() => undefined);
    try {
      await this.loadData(conn, { ...plan, target: twin, columns }, counted, false);
    } finally {
      text.destroy();
      counted.destroy();
    }
    const [[loaded]] = (await conn.query({ sql: `SELECT COUNT(*) FROM ${this.qt(twin)} FOR SYSTEM_TIME ALL`, rowsAsArray: true })) as [unknown[][], unknown];
    if (Number(loaded[0]) !== read) {
      throw new ConnectorError('WriteFailed', `the history of ${plan.source.name}: ${read} versions of its rows read from the source, ${String(loaded[0])} loaded`);
    }
  }

  /** Whether this server writes row start and end values into a versioned table (system_versioning_insert_history, MariaDB 10.11+). */
  private async takesHistory(): Promise<boolean> {
    // The variable exists from 10.11 on; the server lets a session set its row start and end only as it lets it set
    // @@timestamp (secure_timestamp NO, the default).
    const exists = (await this.exec("SHOW VARIABLES LIKE 'system\\_versioning\\_insert\\_history'")).length > 0;
    return exists && String((await this.exec('SELECT @@secure_timestamp'))[0][0]).toUpperCase() === 'NO';
  }

  /**
   * Each table's engine where it is one kept natively (MyISAM, Aria: not transactional, and said so by the source's
   * choice), and its partitioning as SHOW CREATE TABLE prints it (its clause from PARTITION BY on), by table name.
   * `tables`: information_schema.TABLES rows (name, comment, AUTO_INCREMENT, ENGINE, CREATE_OPTIONS).
   */
  private async tableStorage(tables: unknown[][]): Promise<Map<string, NonNullable<TableInfo['storage']>>> {
    const out = new Map<string, NonNullable<TableInfo['storage']>>();
    for (const t of tables) {
      const name = String(t[0]);
      const engine = String(t[3] ?? '');
      const kept = KEPT_ENGINES.includes(engine.toLowerCase());
      const storage: NonNullable<TableInfo['storage']> = kept ? { engine } : {};
      // Any other engine but InnoDB is made InnoDB: said in the plan (a MERGE table's rows are its underlying tables').
      if (!kept && engine && !/^innodb$/i.test(engine)) storage.notKept = otherEngine(engine);
      if (/\bpartitioned\b/i.test(String(t[4] ?? ''))) {
        const [[, ddl]] = (await this.exec(`SHOW CREATE TABLE ${this.qt(name)}`)) as [unknown, string][];
        const at = String(ddl).search(/\bPARTITION BY\b/);
        if (at >= 0) storage.partitionBy = String(ddl).slice(at).replace(/\s*\*\/\s*$/, '');
      }
      if (storage.engine || storage.partitionBy || storage.notKept) out.set(name, storage);
    }
    return out;
  }

  protected override tableOptions(plan: TablePlan): string {
    // Natively a MyISAM or Aria table stays one (TableInfo.storage); every other table is InnoDB.
    const engine = (plan.native && plan.source.storage?.engine) || 'InnoDB';
    const options = ` ENGINE=${engine} DEFAULT CHARSET=utf8mb4 COLLATE=${this.collation ?? 'utf8mb4_nopad_bin'}`;
    if (!plan.native) return plan.source.comment ? `${options} COMMENT=${lit(plan.source.comment)}` : options;
    // The source's next AUTO_INCREMENT value (it may be past the highest row: rows deleted); the load moves it on when a copied row is past it.
    const counter = /^\d+$/.test(plan.source.nextAutoIncrement ?? '') ? ` AUTO_INCREMENT=${plan.source.nextAutoIncrement}` : '';
    const comment = plan.source.comment ? ` COMMENT=${lit(plan.source.comment)}` : '';
    // A table not versioned (yet: keepVersions) cannot be partitioned by SYSTEM_TIME.
    const partitionBy = plan.source.storage?.partitionBy;
    const partitions = partitionBy && !SYSTEM_TIME_PARTITIONS.test(partitionBy) ? ` ${partitionBy}` : '';
    return `${options}${counter}${comment}${partitions}`;
  }

  protected async tableExists(table: string): Promise<boolean> {
    const rows = await this.exec('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [this.schema, table]);
    return rows.length > 0;
  }

  protected async dropTable(table: string): Promise<void> {
    const conn = await this.pool.getConnection();
    try {
      // Other tables' foreign keys may point here; they are re-created after the load.
      await conn.query('SET FOREIGN_KEY_CHECKS = 0');
      await conn.query(`DROP TABLE ${this.qt(table)}`);
    } finally {
      await conn.query('SET FOREIGN_KEY_CHECKS = 1').catch(() => undefined);
      conn.release();
    }
  }

  async *readAll(table: string, columns: string[], orderBy: string[], batchSize: number, options?: ReadOptions): AsyncIterable<Row[]> {
    const types = this.readTypes(await this.columnTypes(table, columns), options);
    const conn = await this.guard(`read ${table}`, () => this.pool.getConnection());
    try {
      const sql = `SELECT ${this.selectList(columns, types)} FROM ${this.qt(table)}${orderBy.length ? ' ORDER BY ' + orderBy.map((c) => this.q(c)).join(', ') : ''}`;
      // The callback connection streams rows as they arrive, so a large keyless table never sits in memory.
      const core = (conn as unknown as { connection: CallbackConnection }).connection;
      const stream = core.query({ sql, rowsAsArray: true }).stream();
      let batch: unknown[][] = [];
      for await (const row of stream) {
        batch.push(row as unknown[]);
        if (batch.length >= batchSize) {
          yield this.convertRows(batch, types, options);
          batch = [];
        }
      }
      if (batch.length) yield this.convertRows(batch, types, options);
    } finally {
      conn.release();
    }
  }

  protected classify(error: unknown, action: string): ConnectorError {
    const code = (error as { code?: string }).code ?? '';
    const where = this.label();
    if (['ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'].includes(code)) {
      return new ConnectorError('AuthenticationFailed', `authentication failed for ${where}: ${errorMessage(error)}`);
    }
    if (code === 'ER_BAD_DB_ERROR') return new ConnectorError('SchemaNotFound', `database "${this.schema}" does not exist in ${where}`);
    if (code === 'ER_NO_SUCH_TABLE') return new ConnectorError('TableNotFound', `${action}: ${errorMessage(error)}`);
    // ssl-mode asked for TLS: a server without it, or a certificate that fails the check, is no connection at all.
    if (code === 'HANDSHAKE_NO_SSL_SUPPORT' || code === 'HANDSHAKE_SSL_ERROR' || /CERT|SELF_SIGNED|ERR_TLS/.test(code)) {
      return new ConnectorError('ConnectionFailed', `cannot connect to ${where} over TLS: ${errorMessage(error)}`);
    }
    const network = networkReason(error);
    if (network && !code.startsWith('ER_')) return new ConnectorError('ConnectionFailed', `cannot connect to ${where}: ${network}`);
    // mysql2's word for a connection it closed (a broken stream, a killed session): the connection, not the data.
    if (/connection is in closed state/i.test(errorMessage(error))) return new ConnectorError('ConnectionFailed', `${action}: the connection to ${where} was closed`);
    return new ConnectorError('QueryFailed', `${action} failed on ${where}: ${errorMessage(error)}`);
  }

  // ---- introspection ----

  /** The tables, and the views a target of the same dialect creates after the data (MigrationPlan.objects). */
  override async introspect(options: IntrospectOptions = {}): Promise<SchemaInfo> {
    const schema = await this.describeTables(options);
    if (options.probeValues) await this.guard('look for zero dates', () => this.markZeroDates(schema.tables));
    const objects = [
      ...(await this.guard('introspect sequences', () => this.sequences())),
      ...(await this.guard('introspect routines', () => this.routines())),
      ...(await this.guard('introspect views', () => this.views())),
      ...(await this.guard('introspect triggers', () => this.triggers())),
      ...(await this.guard('introspect events', () => this.events())),
    ];
    return objects.length ? { ...schema, objects } : schema;
  }

  /**
   * NOT NULL DATE, DATETIME and TIMESTAMP columns holding zero dates, which another dialect reads as NULL and so cannot
   * write (each such row would be rejected at the copy): found by one read of each table that has such columns, each
   * read cut off after ZERO_DATE_PROBE_SECONDS and all of them after ZERO_DATE_PROBE_BUDGET_MS (a table not read
   * through keeps the note saying what may be). A column found holding some is marked (ZERO_DATES_FOUND): its mapping's
   * confidence drops, so the gate waits for a person, saying which columns and what to do.
   */
  private async markZeroDates(tables: TableInfo[]): Promise<void> {
    const mariadb = await this.isMariadb();
    const started = Date.now();
    for (const table of tables) {
      const dated = table.columns.filter((c) => !c.nullable && !c.generated && isDated(c.type));
      if (dated.length === 0) continue;
      if (Date.now() - started > ZERO_DATE_PROBE_BUDGET_MS) return;
      const found = dated.map((c) => `MAX(MONTH(${this.q(c.name)}) = 0 OR DAYOFMONTH(${this.q(c.name)}) = 0)`).join(', ');
      const select = mariadb
        ? `SET STATEMENT max_statement_time = ${ZERO_DATE_PROBE_SECONDS} FOR SELECT ${found} FROM ${this.qt(table.name)}`
        : `SELECT /*+ MAX_EXECUTION_TIME(${ZERO_DATE_PROBE_SECONDS * 1000}) */ ${found} FROM ${this.qt(table.name)}`;
      let row: unknown[] | undefined;
      try {
        row = (await this.exec(select))[0];
      } catch {
        // Cut off (or refused): not known, and the column's note says what may be.
        continue;
      }
      dated.forEach((c, i) => {
        if (Number(row?.[i] ?? 0) !== 1) return;
        c.type = { ...c.type, readConfidence: Math.min(c.type.readConfidence ?? 1, ZERO_DATES_FOUND_CONFIDENCE), readNote: ZERO_DATES_FOUND };
      });
    }
  }

  /**
   * The database's views as `CREATE OR REPLACE VIEW … AS <body>`, the body as SHOW CREATE VIEW prints it with this
   * database as the default one (its own name left out, so the body reads the target's tables). The DEFINER is not
   * kept: the target's user creates the view.
   */
  private async views(): Promise<SchemaObject[]> {
    const names = await this.exec('SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [this.schema]);
    return (await this.showCreates(names, ([name]) => `SHOW CREATE VIEW ${this.q(String(name))}`)).flatMap(([[name], shown]) => {
      const text = String(shown[1] ?? '');
      const marker = ` VIEW ${this.q(String(name))} AS `;
      const at = text.indexOf(marker);
      if (at < 0) return [];
      return [{ kind: 'view', name: String(name), stage: 'after_data' as const, create: [`CREATE OR REPLACE VIEW ${this.q(String(name))} AS ${text.slice(at + marker.length)}`] }];
    });
  }

  /**
   * SHOW CREATE of each named object, with this database as the default one (so what it prints leaves its name out),
   * beside its row of names; one the source itself cannot show (a view reading a table dropped since, a routine whose
   * body this user may not read) is left out.
   */
  private async showCreates(names: unknown[][], statement: (row: unknown[]) => string): Promise<[unknown[], unknown[]][]> {
    if (names.length === 0) return [];
    const conn = await this.pool.getConnection();
    try {
      await conn.query(`USE ${this.q(this.schema)}`);
      const out: [unknown[], unknown[]][] = [];
      for (const row of names) {
        const shown = await conn.query({ sql: statement(row), rowsAsArray: true }).then(
          ([r]) => (r as unknown[][])[0],
          () => undefined,
        );
        if (shown) out.push([row, shown]);
      }
      return out;
    } finally {
      conn.release();
    }
  }

  /**
   * The database's stored functions and procedures as SHOW CREATE prints them (with this database as the default
   * one), without the DEFINER; made after the data, before the views and triggers that may call them. One this user
   * may not read the body of is left out.
   */
  private async routines(): Promise<SchemaObject[]> {
    const names = await this.exec(
      "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE') ORDER BY ROUTINE_NAME",
      [this.schema],
    );
    return (await this.showCreates(names, ([name, type]) => `SHOW CREATE ${String(type)} ${this.q(String(name))}`)).flatMap(([[name, type], [, mode, text]]) =>
      typeof text === 'string' && text
        ? [{ kind: String(type).toLowerCase(), name: String(name), stage: 'after_data' as const, create: [...this.underMode(mode), withoutDefiner(text)] }]
        : [],
    );
  }

  /**
   * The database's triggers, made after the data (so the copy fires none of them), in their order per table and
   * event. The DEFINER is not kept; the body is the source's, resolved in the target's database.
   */
  private async triggers(): Promise<SchemaObject[]> {
    const rows = await this.exec(
      `SELECT TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_STATEMENT, SQL_MODE
         FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY EVENT_OBJECT_TABLE, EVENT_MANIPULATION, ACTION_TIMING, ACTION_ORDER`,
      [this.schema],
    );
    const timings = new Set(['BEFORE', 'AFTER']);
    const events = new Set(['INSERT', 'UPDATE', 'DELETE']);
    return rows
      .filter((r) => timings.has(String(r[1])) && events.has(String(r[2])))
      .map((r) => ({
        kind: 'trigger',
        name: String(r[0]),
        stage: 'after_data' as const,
        create: [
          ...this.underMode(r[5]),
          `CREATE TRIGGER ${this.q(String(r[0]))} ${String(r[1])} ${String(r[2])} ON ${this.q(String(r[3]))} FOR EACH ROW ${String(r[4])}`,
        ],
      }));
  }

  /**
   * The database's sequences (MariaDB CREATE SEQUENCE) as SHOW CREATE SEQUENCE prints them, made before the tables (a
   * column's default may take NEXT VALUE FOR one), then set to hand out next the value the source would (its
   * next_not_cached_value: values a source session holds cached are never handed out twice).
   */
  private async sequences(): Promise<SchemaObject[]> {
    const names = await this.exec("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'SEQUENCE' ORDER BY TABLE_NAME", [this.schema]);
    const out: SchemaObject[] = [];
    for (const [name] of names) {
      const q = this.qt(String(name));
      const [[, text]] = (await this.exec(`SHOW CREATE SEQUENCE ${q}`)) as [[unknown, unknown]];
      const [[next]] = (await this.exec(`SELECT next_not_cached_value FROM ${q}`)) as [[unknown]];
      if (typeof text !== 'string' || !text) continue;
      const create = text.replace(/^CREATE SEQUENCE `(?:[^`]|``)*`\.`/i, 'CREATE SEQUENCE `');
      out.push({ kind: 'sequence', name: String(name), stage: 'before_tables', create: [create, `SELECT SETVAL(${this.q(String(name))}, ${BigInt(String(next))}, 0)`] });
    }
    return out;
  }

  /**
   * The database's events as SHOW CREATE EVENT prints them, without the DEFINER, made after the data under the
   * sql_mode and time zone they were created in (their STARTS and ENDS are in that zone), ENABLED or DISABLED as the
   * source's are: the target runs them once the event scheduler is on, as mysqldump --events would have them.
   */
  private async events(): Promise<SchemaObject[]> {
    const names = await this.exec('SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY EVENT_NAME', [this.schema]);
    return (await this.showCreates(names, ([name]) => `SHOW CREATE EVENT ${this.q(String(name))}`)).flatMap(([[name], [, mode, zone, text]]) => {
      if (typeof text !== 'string' || !text) return [];
      const inZone = typeof zone === 'string' && zone && zone !== 'SYSTEM' ? [`SET SESSION time_zone = ${quoteLiteral('mysql', zone)}`] : [];
      return [{ kind: 'event', name: String(name), stage: 'after_data' as const, create: [...this.underMode(mode), ...inZone, withoutDefiner(text)] }];
    });
  }

  /** The statement that puts a session in the sql_mode an object was created under (it decides how its body reads). */
  private underMode(mode: unknown): string[] {
    return typeof mode === 'string' ? [`SET SESSION sql_mode = ${quoteLiteral('mysql', mode)}`] : [];
  }

  /**
   * Same dialect: the source's routines, views and triggers, in this database (the default one of the session that creates them). A view
   * may read another: each pass creates what it can until none is left or a pass creates nothing; a view that still
   * fails (it reads a table left out of the migration, …) is skipped with the reason.
   */
  async createObjects(objects: SchemaObject[]): Promise<{ skipped: string[] }> {
    const conn = await this.guard('create views', () => this.pool.getConnection());
    const reasons = new Map<SchemaObject, string>();
    let pending = [...objects];
    try {
      await conn.query(`USE ${this.q(this.schema)}`);
      // An object may set the session's sql_mode and time zone it was made under: each next one starts from these.
      const [[mode, zone]] = (await conn.query({ sql: 'SELECT @@SESSION.sql_mode, @@SESSION.time_zone', rowsAsArray: true }))[0] as string[][];
      while (pending.length) {
        const failed: SchemaObject[] = [];
        for (const object of pending) {
          try {
            for (const sql of object.create) await conn.query(sql);
          } catch (error) {
            failed.push(object);
            reasons.set(object, this.connectorError(error, `create ${object.kind} ${object.name}`).message);
          } finally {
            await conn.query('SET SESSION sql_mode = ?, time_zone = ?', [mode, zone]);
          }
        }
        if (failed.length === pending.length) break;
        pending = failed;
      }
    } finally {
      conn.release();
    }
    const fatal = pending.find((o) => o.stage !== 'after_data');
    if (fatal) throw new ConnectorError('QueryFailed', reasons.get(fatal) ?? `create ${fatal.kind} ${fatal.name} failed`);
    return { skipped: pending.map((o) => `${o.kind} ${o.name}: ${reasons.get(o)}`) };
  }

  private async isMariadb(): Promise<boolean> {
    if (this.mariadb === undefined) this.mariadb = /mariadb/i.test(String((await this.exec('SELECT VERSION()'))[0][0]));
    return this.mariadb;
  }

  protected async introspectTables(options: IntrospectOptions): Promise<TableInfo[]> {
    const exists = await this.exec('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [this.schema]);
    if (exists.length === 0) throw new ConnectorError('SchemaNotFound', `database "${this.schema}" does not exist in ${this.label()}`);
    const s = this.schema;
    // A few named tables (one table's description during copy and finalize): the catalogue reads only those, not the
    // whole schema's rows once per table (5,000 tables made that quadratic: minutes of information_schema reads).
    const only = options.tables && options.tables.length <= NAMED_TABLES_MAX ? options.tables : undefined;
    const named = inTables(only);
    const params = only ? [s, ...only] : [s];
    const wanted = options.tables ? new Set(options.tables) : undefined;
    const tableRows = (await this.exec(
      // A system-versioned table (MariaDB) is a table too: its current rows are migrated (TableInfo.systemVersioned).
      `SELECT TABLE_NAME, TABLE_ROWS, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')${named}`,
      params,
    )).filter((r) => !wanted || wanted.has(String(r[0])));
    tableRows.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));
    if (tableRows.length === 0) return [];
    const [columns, stats, fks, jsonChecks] = await Promise.all([
      this.exec(
        `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLLATION_NAME, COLUMN_COMMENT
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?${named} ORDER BY TABLE_NAME, ORDINAL_POSITION`,
        params,
      ),
      this.exec(
        `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE
           FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?${named} ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
        params,
      ),
      this.foreignKeyRows(only),
      this.jsonColumns(only),
    ]);
    const mariadb = await this.isMariadb();
    const [checks, comments, srids] = await Promise.all([
      this.checkConstraints(only),
      this.exec(`SELECT TABLE_NAME, TABLE_COMMENT, AUTO_INCREMENT, ENGINE, CREATE_OPTIONS FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?${named}`, params),
      this.spatialSrids(columns, only),
    ]);
    const columnsOf = groupBy(columns, (c) => String(c[0]));
    const statsOf = groupBy(stats, (x) => String(x[0]));
    const fksOf = groupBy(fks, (x) => String(x[0]));
    const checksOf = groupBy(checks, (x) => x.table);
    const aboutOf = new Map(comments.map((x) => [String(x[0]), x]));
    const storage = await this.tableStorage(comments);
    return tableRows.map((r) => {
      const name = String(r[0]);
      const cols: ColumnInfo[] = (columnsOf.get(name) ?? [])
        .map((c) => {
          // A system-versioned table's row start and end (GENERATED ALWAYS AS ROW START/END) are plain values elsewhere.
          const period = /^ROW (START|END)$/i.test(String(c[6] ?? ''));
          const extra = period ? '' : String(c[5] ?? '');
          const invisible = /\bINVISIBLE\b/i.test(extra);
          const generated = /\bGENERATED\b/i.test(extra) && c[6] !== null ? String(c[6]) : undefined;
          // Defaults as SQL: MariaDB reports them so; MySQL's are made so (an unquoted literal is no SQL).
          const reported = generated || c[4] === null || (mariadb && c[4] === 'NULL') ? null : String(c[4]);
          // A sequence's default names it in this database (nextval(`db`.`seq`)): said without it, the target names its own.
          const local = reported?.split(`nextval(${this.q(s)}.`).join('nextval(') ?? null;
          const rawDefault = local === null || mariadb ? local : mysqlDefaultSql(local, extra, String(c[2]));
          const onUpdate = /\bon update (.+)$/i.exec(extra)?.[1];
          return {
            name: String(c[1]),
            nativeType: String(c[2]),
            type: toCanonical({
              columnType: String(c[2]),
              extra,
              jsonCheck: jsonChecks.has(`${name}.${c[1]}`),
              ...(c[3] === 'YES' ? {} : { notNull: true }),
              ...(isGeometryType(String(c[2])) ? { srid: srids.get(`${name}.${c[1]}`) ?? 0 } : {}),
            }),
            nullable: c[3] === 'YES',
            default: rawDefault,
            ...(generated ? { generated, ...(/VIRTUAL/i.test(extra) ? { virtual: true } : {}) } : {}),
            ...(onUpdate ? { onUpdate } : {}),
            ...(c[7] !== null ? { collation: String(c[7]) } : {}),
            ...(c[8] ? { comment: String(c[8]) } : {}),
            ...(invisible ? { invisible: true } : {}),
          };
        });
      const indexes = new Map<string, { unique: boolean; columns: (string | null)[]; parts: string[]; kind: string }>();
      for (const st of statsOf.get(name) ?? []) {
        const entry = indexes.get(String(st[1])) ?? { unique: Number(st[2]) === 0, columns: [], parts: [], kind: String(st[5] ?? '') };
        entry.columns.push(st[3] === null ? null : String(st[3]));
        // A SPATIAL index reports a SUB_PART of its own that it refuses in DDL.
        const prefix = st[4] === null || entry.kind === 'SPATIAL' ? '' : `(${Number(st[4])})`;
        if (st[3] !== null) entry.parts.push(`${this.q(String(st[3]))}${prefix}`);
        indexes.set(String(st[1]), entry);
      }
      const plain = [...indexes.entries()].filter(([, v]) => v.columns.every((c) => c !== null)) as [
        string,
        { unique: boolean; columns: string[]; parts: string[]; kind: string },
      ][];
      // The index as MariaDB/MySQL itself would create it (for a target of the same dialect): kind and prefix lengths.
      const definition = (v: { unique: boolean; parts: string[]; kind: string }) =>
        `${v.kind === 'SPATIAL' || v.kind === 'FULLTEXT' ? v.kind + ' ' : v.unique ? 'UNIQUE ' : ''}INDEX %NAME% ON %TABLE% (${v.parts.join(', ')})`;
      const about = aboutOf.get(name);
      const tableComment = String(about?.[1] ?? '');
      const counter = about?.[2] == null ? undefined : String(about[2]);
      const foreignKeys = new Map<string, ForeignKeyInfo>();
      for (const fk of fksOf.get(name) ?? []) {
        const key = String(fk[1]);
        const entry = foreignKeys.get(key) ?? {
          name: key,
          columns: [],
          referencedTable: String(fk[3]),
          referencedColumns: [],
          onDelete: String(fk[5]),
          onUpdate: String(fk[6]),
        };
        entry.columns.push(String(fk[2]));
        entry.referencedColumns.push(String(fk[4]));
        foreignKeys.set(key, entry);
      }
      return {
        name,
        columns: cols,
        primaryKey: indexes.get('PRIMARY')?.columns.filter((c): c is string => c !== null) ?? [],
        foreignKeys: [...foreignKeys.values()],
        uniqueConstraints: plain.filter(([n, v]) => n !== 'PRIMARY' && v.unique).map(([n, v]) => ({ name: n, columns: v.columns, definition: v.parts.join(', ') })),
        indexes: plain
          .filter(([, v]) => !v.unique)
          .map(([n, v]) => ({ name: n, columns: v.columns, unique: false, definition: definition(v), ...(v.kind === 'FULLTEXT' ? { nativeOnly: FULLTEXT_ACROSS } : {}) })),
        checks: (checksOf.get(name) ?? []).map((x) => ({ name: x.name, definition: x.definition })),
        ...(tableComment ? { comment: tableComment } : {}),
        ...(counter ? { nextAutoIncrement: counter } : {}),
        ...(r[2] === 'SYSTEM VERSIONED' ? { systemVersioned: true, ...periodColumns(columnsOf.get(name) ?? []) } : {}),
        ...(storage.get(name) ? { storage: storage.get(name) } : {}),
        rowEstimate: Number(r[1] ?? 0),
      };
    });
  }

  /**
   * Foreign-key columns with their actions: TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME,
   * REFERENCED_COLUMN_NAME, DELETE_RULE, UPDATE_RULE. Two reads joined here: MariaDB opens every table of the schema for
   * REFERENTIAL_CONSTRAINTS in a join, even when both sides name the tables (200 ms a table at 5,000 tables).
   */
  private async foreignKeyRows(only?: string[]): Promise<unknown[][]> {
    const params = [this.schema, ...(only ?? [])];
    const [columns, rules] = await Promise.all([
      this.exec(
        `SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
           FROM information_schema.KEY_COLUMN_USAGE
          WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL${inTables(only)}
          ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
        params,
      ),
      this.exec(`SELECT TABLE_NAME, CONSTRAINT_NAME, DELETE_RULE, UPDATE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?${inTables(only)}`, params),
    ]);
    const actions = new Map(rules.map((r) => [`${String(r[0])}\u0000${String(r[1])}`, [r[2], r[3]]]));
    return columns.flatMap((c) => {
      const rule = actions.get(`${String(c[0])}\u0000${String(c[1])}`);
      return rule ? [[...c, ...rule]] : [];
    });
  }

  /**
   * CHECK constraints (MariaDB), as `CHECK (…)` for a target of the same dialect; a column-level one (named after its
   * column) is made at table level under the same name. JSON's json_valid(`col`) is left out: the JSON type brings it.
   */
  private async checkConstraints(only?: string[]): Promise<{ table: string; name: string; definition: string }[]> {
    if (!(await this.isMariadb())) return [];
    const rows = await this.exec(
      `SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?${inTables(only)}`,
      [this.schema, ...(only ?? [])],
    );
    return rows
      .filter((r) => String(r[2]) !== `json_valid(${this.q(String(r[1]))})`)
      .map((r) => ({ table: String(r[0]), name: String(r[1]), definition: `CHECK (${String(r[2])})` }));
  }

  /**
   * The SRID each spatial column declares (`table.column` → MariaDB's REF_SYSTEM_ID, which COLUMN_TYPE and SHOW
   * CREATE TABLE leave out), read only when there are spatial columns. MySQL's (COLUMNS.SRS_ID, 8.0 on) is not read:
   * its columns keep their subtype across dialects, each value its own SRID.
   */
  private async spatialSrids(columns: unknown[][], only?: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!columns.some((c) => isGeometryType(String(c[2]))) || !(await this.isMariadb())) return out;
    const rows = await this.exec(
      `SELECT G_TABLE_NAME, G_GEOMETRY_COLUMN, SRID FROM information_schema.GEOMETRY_COLUMNS WHERE G_TABLE_SCHEMA = ?${only ? ` AND G_TABLE_NAME IN (${only.map(() => '?').join(', ')})` : ''}`,
      [this.schema, ...(only ?? [])],
    );
    for (const r of rows) out.set(`${r[0]}.${r[1]}`, Number(r[2]));
    return out;
  }

  /** MariaDB's JSON is LONGTEXT plus CHECK (json_valid(`col`)): "table.column" of each such column. */
  private async jsonColumns(only?: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (!(await this.isMariadb())) return out;
    const rows = await this.exec(
      `SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND CHECK_CLAUSE LIKE 'json_valid(%'${inTables(only)}`,
      [this.schema, ...(only ?? [])],
    );
    for (const r of rows) {
      const m = /^json_valid\(`((?:[^`]|``)+)`\)$/.exec(String(r[1]));
      if (m) out.add(`${r[0]}.${m[1].replace(/``/g, '`')}`);
    }
    return out;
  }
}

/** Up to this many tables named in an introspection are read by name; more read the whole schema, then filter. */
const NAMED_TABLES_MAX = 100;

/** How long one table's read for zero dates may take (markZeroDates), in seconds, and all of them, in milliseconds. */
const ZERO_DATE_PROBE_SECONDS = 5;
const ZERO_DATE_PROBE_BUDGET_MS = 60_000;

function inTables(only: string[] | undefined): string {
  return only ? ` AND TABLE_NAME IN (${only.map(() => '?').join(', ')})` : '';
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

export function createMysqlConnector(endpoint: Endpoint): MysqlConnector {
  return new MysqlConnector(endpoint);
}

/** The registry loads this folder lazily and calls this (connectors/registry.ts). */
export const createConnector = createMysqlConnector;
export { openValidationSession } from './session';
export { openUserQueryRunner } from './user-query';
