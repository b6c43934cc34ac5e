/** PostgreSQL through node-postgres (pg). */
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { Pool, types as pgTypes, type PoolClient, type QueryConfig } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { quoteList, quoteLiteral } from '../../lib/quote';
import { databaseSocket } from '../../lib/reach';
import { enumTypeName, SPATIAL_REF_KIND, toCanonical } from './types';
import { insertSpatialRef, postgisOwnSrid, sameSpatialRef, SPATIAL_REF_COLUMNS, spatialRefAuthority, spatialRefOf } from './spatial-refs';
import { crossType } from '../../lib/typemap/common';
import { withEra } from '../../lib/values';
import type { CanonicalType, ColumnInfo, ForeignKeyInfo, KeyPart, MigrationPlan, OfferedExtension, PartitionInfo, Row, SchemaInfo, SchemaObject, SpatialModifiers, SpatialRef, TableGrant, TableInfo, TablePlan, ColumnMapping } from '../../lib/types';
import { hideSecrets } from '../endpoint';
import { keyRange, keyTypesOf, rangeSafe } from '../key-range';
import { batchesAsText, copyTextToLoadData, escapeField, rowsAsText, type FieldFormatter } from '../text-load';
import { SqlConnector, errorMessage, networkReason, type Exec } from '../sql-connector';
import {
  ConnectorError,
  type Endpoint,
  type FinalizedTable,
  type IntrospectOptions,
  type KeyRange,
  type LoadTextFormat,
  type ReadOptions,
  type TextChunkSource,
  type TextChunkTarget,
} from '../types';
import { parsePostgresUrl } from './url';
import { doubleQuoted } from '../dialect';
import {
  createExtension,
  defaultPrivilegesObject,
  extensionObjects,
  functionObjects,
  grantStatements,
  ownerStatements,
  rowSecurityObjects,
  schemaPrivilegesObject,
  sequenceObject,
  triggerObject,
  typeObjects,
  viewObject,
  type PgDefaultAclRow,
  type PgRowSecurityRow,
  type PgTypeRow,
} from './objects';

/**
 * Types read as the server's exact text (then normalised in lib/values): int8, numeric, date/time types,
 * json/jsonb. Set per pool, so pg's process-wide parsers stay untouched for everyone else.
 */
const RAW_TEXT_OIDS = new Set([20, 1700, 1082, 1083, 1114, 1184, 1266, 114, 3802]);
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    RAW_TEXT_OIDS.has(oid) ? (value: string) => value : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
};

/** A JSON array of labels (MariaDB SET, read portably) as a PostgreSQL text[] literal: {"a","b"}. */
export function textArrayLiteral(json: string): string {
  const labels = JSON.parse(json) as unknown[];
  if (!Array.isArray(labels)) throw new ConnectorError('WriteFailed', `not a JSON array of labels: ${json.slice(0, 80)}`);
  return `{${labels.map((l) => `"${String(l).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** A value as this column's COPY text: a SET's labels as a text[] literal, anything else by copyField. */
function copyFieldOf(c: ColumnMapping): FieldFormatter {
  if (c.canonical.family === 'set') return (v) => escapeField(textArrayLiteral(String(v)));
  // A canonical date or timestamp before year 1 is ISO text (-0043-03-15), which PostgreSQL's date types read only with
  // its era; a column kept as text (a mapping edit) takes the ISO text as it is.
  if (DATED_KINDS.has(c.canonical.kind) && !keptAsTextHere(c)) {
    return (v) => (typeof v === 'string' ? escapeField(withEra(v)) : copyField(v));
  }
  // PostGIS geometry reads hex EWKB as its text input (bytea's \x prefix would not parse).
  if (c.canonical.family === 'geometry' && isGeometryType(c.targetType)) return (v) => (Buffer.isBuffer(v) ? v.toString('hex') : escapeField(String(v)));
  return copyField;
}

/** A PostGIS geometry column type: `geometry`, `geometry(Point,4326)`. */
function isGeometryType(sql: string): boolean {
  return /^geometry\b/i.test(sql.trim());
}

/**
 * A column of a type only PostgreSQL declares, read for another dialect (CanonicalType.portable): arrays and composite
 * values as JSON, money as numeric, an interval as ISO-8601 (P1Y2M3DT4H5M6.5S, each part signed as PostgreSQL keeps it),
 * anything else as its own text.
 */
function portableReadSql(type: CanonicalType, col: string): string {
  switch (type.family) {
    case 'array':
    case 'composite':
      return `to_json(${col})::text`;
    case 'money':
      return `${col}::numeric`;
    case 'interval': {
      const part = (field: string) => `extract(${field} FROM ${col})::bigint`;
      return (
        `CASE WHEN ${col} IS NULL THEN NULL ELSE 'P' || ${part('year')} || 'Y' || ${part('month')} || 'M' || ${part('day')} || 'DT' || ` +
        `${part('hour')} || 'H' || ${part('minute')} || 'M' || trim_scale(extract(second FROM ${col}))::text || 'S' END`
      );
    }
    case 'geometry':
      // PostGIS: EWKB, the SRID inside (ST_AsEWKB writes little-endian WKB, as MariaDB stores it). A geography has no
      // ST_AsEWKB of its own: its geometry is the same coordinates with the same SRID.
      return type.spatial?.geodetic ? `ST_AsEWKB(${col}::geometry)` : `ST_AsEWKB(${col})`;
    case 'inet':
      // The type's output (10.0.0.1, 10.0.0.0/8), as the server shows it: a cast to text always adds the mask (10.0.0.1/32).
      return `CASE WHEN ${col} IS NULL THEN NULL ELSE format('%s', ${col}) END`;
    default:
      return `${col}::text`;
  }
}

/** A column this database keeps as text (its target type is one of PostgreSQL's text types). */
const keptAsTextHere = (c: ColumnMapping) => /^(text|character|varchar|char|citext)\b/i.test(c.targetType.trim());

/** Kinds whose canonical text may hold a year before 1 (see withEra). */
const DATED_KINDS: ReadonlySet<CanonicalType['kind']> = new Set(['date', 'timestamp', 'timestamptz']);

/** A canonical value as COPY text (what pg would send for it as a text parameter, escaped for COPY). */
const copyField: FieldFormatter = (v) => {
  if (typeof v === 'string') return escapeField(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  // bytea hex input, its backslash escaped for COPY.
  if (Buffer.isBuffer(v)) return '\\\\x' + v.toString('hex');
  return escapeField(String(v));
};

/**
 * Native types (format_type) whose text output means the canonical value exactly, per canonical kind: the types the
 * pass-through path renders on the server (see TextChunkSource). Anything else (money, domains, …) takes the row path.
 */
const TEXT_SAFE_TYPES: Partial<Record<CanonicalType['kind'], RegExp>> = {
  int16: /^smallint$/,
  int32: /^integer$/,
  int64: /^bigint$/,
  decimal: /^numeric(\(\d+(,\d+)?\))?$/,
  float32: /^real$/,
  float64: /^double precision$/,
  boolean: /^boolean$/,
  char: /^character(\(\d+\))?$/,
  varchar: /^character varying(\(\d+\))?$/,
  text: /^(text|character varying|character)(\(\d+\))?$/,
  date: /^date$/,
  time: /^time(\(\d\))? without time zone$/,
  timestamp: /^timestamp(\(\d\))? without time zone$/,
  timestamptz: /^timestamp(\(\d\))? with time zone$/,
  json: /^jsonb?$/,
  uuid: /^uuid$/,
  binary: /^bytea$/,
  enum: /./,
};

function textSafe(c: ColumnMapping): boolean {
  // A type of another family (an array read as JSON, money as numeric) is read in its portable form: the row path.
  if (c.canonical.family) return false;
  return TEXT_SAFE_TYPES[c.canonical.kind]?.test(c.sourceType.trim().toLowerCase()) ?? false;
}

const sameType = (a: string, b: string) => a.trim().toLowerCase().replace(/\s+/g, ' ') === b.trim().toLowerCase().replace(/\s+/g, ' ');

/** A column as PostgreSQL COPY text of its canonical value: its own output (an enum's label as text). */
function copyExpression(c: ColumnMapping, q: (name: string) => string): string {
  return c.canonical.kind === 'enum' ? `${q(c.column)}::text` : q(c.column);
}

/** A column as the text MySQL LOAD DATA takes for its canonical value (what loadFormatters in mysql/ write). */
function loadDataExpression(c: ColumnMapping, q: (name: string) => string): string {
  const col = q(c.column);
  switch (c.canonical.kind) {
    case 'boolean':
      return `${col}::int`;
    case 'timestamptz':
      return `(${col} AT TIME ZONE 'UTC')`;
    case 'binary':
      return `encode(${col}, 'hex')`;
    case 'enum':
      return `${col}::text`;
    default:
      return col;
  }
}

/** The search path of a connector working in `schema`: the schema, then public (where extensions usually live). */
function searchPath(schema: string): string {
  return schema === 'public' ? 'public' : `${doubleQuoted(schema)}, public`;
}

/** A value inside the startup packet's `options`: spaces and backslashes escaped with a backslash. */
export function startupOption(value: string): string {
  return value.replace(/[\\ ]/g, (c) => `\\${c}`);
}

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

export interface PostgresOptions {
  /** Connections kept by the pool (default 4). */
  poolSize?: number;
  /** Milliseconds to wait for a connection (default 8000). */
  connectTimeoutMs?: number;
}

/** The definition createIndexesAndForeignKeys gives another dialect's spatial index: made USING gist (createIndexSql). */
const GIST = 'USING gist';

/** Another dialect's SPATIAL index (MariaDB/MySQL's R-tree) on one column that is PostGIS geometry or geography here. */
function spatialIndex(plan: TablePlan, columns: string[], definition: string | undefined): boolean {
  if (columns.length !== 1 || !/^\s*SPATIAL\s+INDEX\b/i.test(definition ?? '')) return false;
  const c = plan.columns.find((m) => m.column === columns[0]);
  return c !== undefined && c.canonical.family === 'geometry' && /^(geometry|geography)\b/i.test(c.targetType);
}

export class PostgresConnector extends SqlConnector implements TextChunkSource, TextChunkTarget {
  readonly dialect = 'postgresql' as const;
  readonly loadFormats = ['postgres-binary', 'postgres-copy'] as const;
  readonly schema: string;
  protected readonly maxParams = 65_535;
  private declare pool: Pool;

  constructor(endpoint: Endpoint, options: PostgresOptions = {}) {
    super(endpoint);
    this.schema = endpoint.schema ?? 'public';
    // Options node-postgres would pass on unchecked (a host, session options, files to read) are refused here.
    parsePostgresUrl(endpoint.connectionString);
    const pool = new Pool({
      connectionString: endpoint.connectionString,
      // Connects only to addresses allowed for databases (lib/reach.ts), checked after DNS resolution.
      stream: databaseSocket,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 8000,
      idleTimeoutMillis: 10_000,
      application_name: 'sensei',
      // Session zone UTC: timestamptz text arrives as +00 and is normalised to the canonical "…Z". ISO dates and
      // exact float text whatever the server's defaults (the row path parses them; the pass-through path forwards them).
      // The connector's schema first on the search path: the catalog text read from a source (format_type, defaults,
      // view definitions) names the schema's own types and tables without the schema, and a target of the same
      // dialect creates and finds them in its own schema (PostgreSQL → PostgreSQL keeps native types; ./objects.ts).
      // row_security off, as pg_dump sets it: a read a policy would filter fails saying so, rather than copying (and
      // validating) only the rows the user may see.
      options: `-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3 -c row_security=off -c search_path=${startupOption(searchPath(this.schema))}`,
      types: typeParsers,
    });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    hideSecrets(this, endpoint, { pool, endpoint });
  }

  protected placeholder(index: number): string {
    return `$${index + 1}`;
  }

  protected exec: Exec = async (sql, params = []) => {
    const result = await this.pool.query({ text: sql, values: params, rowMode: 'array' });
    return result.rows as unknown[][];
  };

  protected async transaction<T>(fn: (exec: Exec) => Promise<T>): Promise<T> {
    return this.clientTransaction((client) =>
      fn(async (sql, params = []) => (await client.query({ text: sql, values: params, rowMode: 'array' })).rows as unknown[][]),
    );
  }

  private async clientTransaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  // ---- bulk writes: COPY … FROM STDIN ----

  /**
   * One transaction: delete the chunk's key range (first..last key, row-value comparison), then COPY the rows in.
   * A retried chunk finds its own rows in that range and replaces them, so nothing is duplicated. Keys whose
   * order may differ between dialects (text: collations) have no safe range: those chunks are upserted.
   */
  override async writeRows(plan: TablePlan, rows: Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    const columns = plan.columns.map((c) => c.column);
    const positions = plan.keyColumns.map((k) => columns.indexOf(k));
    let range: ReturnType<typeof keyRange> = null;
    if (plan.keyColumns.length) {
      if (positions.includes(-1)) return super.writeRows(plan, rows);
      range = keyRange(rows, positions, positions.map((p) => plan.columns[p].canonical));
      if (!range) return super.writeRows(plan, rows);
    }
    const bounds = range;
    return this.guard(
      `write ${plan.target}`,
      () =>
        this.clientTransaction(async (client) => {
          if (bounds) {
            const keys = quoteList(this.dialect, plan.keyColumns);
            const n = plan.keyColumns.length;
            const holders = (offset: number) => plan.keyColumns.map((_, i) => `$${offset + i + 1}`).join(', ');
            const where = n === 1 ? `${keys} >= $1 AND ${keys} <= $2` : `(${keys}) >= (${holders(0)}) AND (${keys}) <= (${holders(n)})`;
            await client.query(`DELETE FROM ${this.ownRows(plan)} WHERE ${where}`, [...bounds.first, ...bounds.last]);
          }
          await this.copyIn(client, plan, rowsAsText(rows, plan.columns.map(copyFieldOf)));
          return rows.length;
        }),
      'WriteFailed',
    );
  }

  override async replaceAllRows(plan: TablePlan, batches: AsyncIterable<Row[]>): Promise<number> {
    return this.guard(
      `replace rows of ${plan.target}`,
      () =>
        this.clientTransaction(async (client) => {
          await client.query(`DELETE FROM ${this.ownRows(plan)}`);
          let written = 0;
          await this.copyIn(client, plan, batchesAsText(batches, plan.columns.map(copyFieldOf), (n) => (written += n)));
          return written;
        }),
      'WriteFailed',
    );
  }

  // ---- the pass-through path: COPY … TO STDOUT straight into the target's loader ----

  canRenderText(plan: TablePlan, format: LoadTextFormat): boolean {
    if (!rangeSafe(keyTypesOf(plan))) return false;
    // PostgreSQL → PostgreSQL, every column of the very same type: COPY's text out is COPY's text in, for any type
    // (both sessions print with the same settings: UTC, ISO dates, exact floats).
    if (format === 'postgres-copy' && plan.native && plan.columns.every((c) => sameType(c.sourceType, c.targetType))) return true;
    // For these types the server's output text means the same value as the canonical text the row path sends (for
    // PostgreSQL targets: the same input; timestamptz as +00 instead of Z), so the target parses both alike.
    if (!plan.columns.every(textSafe)) return false;
    // A date or timestamp a MariaDB/MySQL target keeps as text (a mapping edit) takes the canonical ISO 8601 text the
    // row path writes, which the server's own text of a year BC (0044-03-15 BC) is not.
    if (format === 'mysql-load' && plan.columns.some((c) => DATED_KINDS.has(c.canonical.kind) && !/^(date|datetime|timestamp)\b/i.test(c.targetType.trim()))) return false;
    // Binary COPY data is the type's own wire form: only the very same type reads it back.
    if (format === 'postgres-binary') return plan.columns.every((c) => c.canonical.kind !== 'enum' && sameType(c.sourceType, c.targetType));
    return format === 'postgres-copy' || format === 'mysql-load';
  }

  async canLoadText(plan: TablePlan): Promise<boolean> {
    return rangeSafe(keyTypesOf(plan));
  }

  async readText(plan: TablePlan, range: KeyRange, format: LoadTextFormat): Promise<Readable> {
    const action = `read ${plan.source.name}`;
    const keyTypes = keyTypesOf(plan);
    const q = (n: string) => this.q(n);
    const exprs = plan.columns.map((c) => (format === 'mysql-load' ? loadDataExpression(c, q) : format === 'postgres-copy' ? copyExpression(c, q) : q(c.column)));
    const sql =
      `COPY (SELECT ${exprs.join(', ')} FROM ${await this.rowsOf(plan.source.name)} WHERE ${this.rangeCondition(plan.keyColumns, keyTypes, range, null)}` +
      ` ORDER BY ${quoteList(this.dialect, plan.keyColumns)}) TO STDOUT${format === 'postgres-binary' ? ' (FORMAT binary)' : ''}`;
    const client = await this.guard(action, () => this.pool.connect());
    let released = false;
    let ended = false;
    // A COPY abandoned half way leaves the connection mid-protocol: it is closed, not returned to the pool.
    const release = () => {
      if (released) return;
      released = true;
      client.release(ended ? undefined : true);
    };
    const copy = client.query(copyTo(sql));
    const out: Transform = format === 'mysql-load' ? copyTextToLoadData() : new PassThrough();
    copy.on('end', () => {
      ended = true;
      release();
    });
    copy.on('close', release);
    copy.on('error', (err) => {
      release();
      out.destroy(this.connectorError(err, action));
    });
    out.on('close', () => {
      if (!ended) copy.destroy();
    });
    copy.pipe(out);
    return out;
  }

  async replaceRangeWithText(plan: TablePlan, range: KeyRange, text: Readable, format: LoadTextFormat): Promise<number> {
    if (format === 'mysql-load') throw new ConnectorError('NotSupported', `loading ${format} is not supported by postgresql`);
    const keyTypes = keyTypesOf(plan);
    return this.guard(
      `write ${plan.target}`,
      () =>
        this.clientTransaction(async (client) => {
          const params: unknown[] = [];
          await client.query(`DELETE FROM ${this.ownRows(plan)} WHERE ${this.rangeCondition(plan.keyColumns, keyTypes, range, params)}`, params);
          const sql = `COPY ${this.qt(plan.target)} (${quoteList(this.dialect, plan.columns.map((c) => c.column))}) FROM STDIN`;
          const copy = client.query(copyFrom(format === 'postgres-binary' ? `${sql} (FORMAT binary)` : sql));
          await pipeline(text, copy);
          return copy.rowCount;
        }),
      'WriteFailed',
    );
  }

  private async copyIn(client: PoolClient, plan: TablePlan, text: Readable): Promise<void> {
    const sql = `COPY ${this.qt(plan.target)} (${quoteList(this.dialect, plan.columns.map((c) => c.column))}) FROM STDIN`;
    await pipeline(text, client.query(copyFrom(sql)));
  }

  async testConnection(): Promise<{ serverVersion: string }> {
    return this.guard('connect', async () => {
      const rows = await this.exec('SHOW server_version');
      return { serverVersion: String(rows[0][0]) };
    });
  }

  async ensureSchema(): Promise<void> {
    await this.guard('create schema', async () => {
      // CREATE SCHEMA IF NOT EXISTS needs the right to create schemas even when the schema is there.
      const exists = await this.exec('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
      if (exists.length === 0) await this.exec(`CREATE SCHEMA IF NOT EXISTS ${this.q(this.schema)}`);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  protected toDriverValue(value: unknown, type: CanonicalType): unknown {
    // pg binds strings, numbers, booleans and Buffers as the column needs; canonical values already fit (a SET's labels: a text[] literal).
    if (type.family === 'set' && typeof value === 'string') return textArrayLiteral(value);
    if (DATED_KINDS.has(type.kind) && typeof value === 'string') return withEra(value);
    return value;
  }

  /** A date or timestamp column kept as text (a mapping edit) is written its ISO 8601 text as it is (see copyFieldOf). */
  protected override writtenType(c: ColumnMapping): CanonicalType {
    return DATED_KINDS.has(c.canonical.kind) && keptAsTextHere(c) ? { kind: 'text' } : c.canonical;
  }

  protected override keyLiteralText(value: KeyPart, type: CanonicalType): string {
    return DATED_KINDS.has(type.kind) && typeof value === 'string' ? withEra(value) : String(value);
  }

  protected upsertClause(plan: TablePlan): string {
    const keys = plan.keyColumns.map((k) => this.q(k)).join(', ');
    // A GENERATED ALWAYS identity can only be updated to DEFAULT: a row copied again keeps the value it was copied with.
    const always = new Set(plan.native ? plan.source.columns.filter((c) => c.identity === 'always').map((c) => c.name) : []);
    const others = plan.columns.filter((c) => !plan.keyColumns.includes(c.column) && !always.has(c.column));
    if (others.length === 0) return `ON CONFLICT (${keys}) DO NOTHING`;
    return `ON CONFLICT (${keys}) DO UPDATE SET ${others.map((c) => `${this.q(c.column)} = EXCLUDED.${this.q(c.column)}`).join(', ')}`;
  }

  protected override identityClause(plan: TablePlan, c: ColumnMapping): string {
    const integer = ['smallint', 'integer', 'bigint'].includes(this.columnType(c));
    return c.canonical.autoIncrement && integer ? 'GENERATED BY DEFAULT AS IDENTITY' : '';
  }

  protected override booleanLiteral(value: boolean): string {
    return value ? 'TRUE' : 'FALSE';
  }

  /**
   * Another dialect's enum columns get enum types of their own (see enumTypeName; the plan's `createdType` when that
   * name was another's), made before the table.
   */
  override async createTable(plan: TablePlan, options: { replace: boolean }): Promise<void> {
    if (!plan.native) await this.guard(`create enum types of ${plan.target}`, () => this.createEnumTypes(plan, options));
    await super.createTable(plan, options);
  }

  private async createEnumTypes(plan: TablePlan, options: { replace: boolean }): Promise<void> {
    for (const c of plan.columns) {
      // A column whose mapping was edited (to text) no longer uses the type: none is made.
      if (c.canonical.kind !== 'enum' || c.targetType !== (c.createdType ?? enumTypeName(plan.source.name, c.column))) continue;
      const labels = c.canonical.values ?? [];
      const found = await this.exec(
        `SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           LEFT JOIN pg_enum e ON e.enumtypid = t.oid WHERE n.nspname = $1 AND t.typname = $2 GROUP BY t.oid`,
        [this.schema, c.targetType],
      );
      const type = `${this.q(this.schema)}.${this.q(c.targetType)}`;
      if (found.length) {
        if (JSON.stringify(found[0][0] ?? []) === JSON.stringify(labels)) continue;
        if (!options.replace) {
          throw new ConnectorError('TargetTableNotEmpty', `enum type ${this.schema}.${c.targetType} already exists with other labels; set options.replace_existing_tables to replace it`);
        }
        // Replacing may drop this migration's own target table (which used the old type), never anything else: a
        // CASCADE would silently drop the column of every other table that uses a type of this name.
        if (await this.tableExists(plan.target)) await this.dropTable(plan.target);
        const inUse = await this.exec(
          `SELECT string_agg(DISTINCT a.attrelid::regclass::text, ', ') FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
             JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2 AND NOT a.attisdropped`,
          [this.schema, c.targetType],
        );
        const users = inUse[0]?.[0] as string | null | undefined;
        if (users) {
          throw new ConnectorError('NotSupported', `enum type ${this.schema}.${c.targetType} for column ${plan.source.name}.${c.column} already exists with other labels and is used by ${users}; it is not dropped: rename the type or edit the mapping (PATCH …/mappings) to text`);
        }
        await this.exec(`DROP TYPE ${type}`);
      }
      await this.exec(`CREATE TYPE ${type} AS ENUM (${labels.map((l) => quoteLiteral(this.dialect, l)).join(', ')})`);
    }
  }

  protected async tableExists(table: string): Promise<boolean> {
    const rows = await this.exec('SELECT to_regclass($1) IS NOT NULL', [this.qt(table)]);
    return rows[0][0] === true;
  }

  protected async dropTable(table: string): Promise<void> {
    // CASCADE drops foreign keys of other tables that point here; they are re-created after the load.
    await this.exec(`DROP TABLE ${this.qt(table)} CASCADE`);
  }

  /** Indexes share their schema's namespace with its tables, views and sequences: a taken name gets the table in front. */
  protected override async indexName(table: string, name: string): Promise<string> {
    const taken = async (n: string) => (await this.exec('SELECT to_regclass($1) IS NOT NULL', [`${this.q(this.schema)}.${this.q(n)}`]))[0][0] === true;
    if (!(await taken(name))) return name;
    let candidate = this.fitName(`${table}_${name}`);
    for (let n = 2; await taken(candidate); n++) candidate = this.fitName(`${table}_${name}_${n}`);
    return candidate;
  }

  protected override async afterLoad(plan: TablePlan): Promise<void> {
    for (const c of plan.columns) {
      if (!this.identityClause(plan, c)) continue;
      // The next generated value follows the copied rows instead of colliding with them.
      await this.exec(
        `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(${this.q(c.column)}), 0) + 1, false) FROM ${this.qt(plan.target)}`,
        [this.qt(plan.target), this.fitName(c.column)],
      );
      // Copied rows carry their values; GENERATED ALWAYS refuses them, so it is set once they are in.
      const always = plan.native && plan.source.columns.find((x) => x.name === c.column)?.identity === 'always';
      if (always) await this.exec(`ALTER TABLE ${this.qt(plan.target)} ALTER COLUMN ${this.q(c.column)} SET GENERATED ALWAYS`);
    }
  }

  /** A native table's GENERATED ALWAYS identity (set after the load) still takes the copied rows' values when a row is copied again later. */
  protected override insertOverride(plan: TablePlan): string {
    return plan.native && plan.source.columns.some((c) => c.identity === 'always') ? ' OVERRIDING SYSTEM VALUE' : '';
  }

  // ---- PostgreSQL → PostgreSQL: the source's own DDL (TablePlan.native) ----

  /** Key and unique constraints with their names; index names are per schema, so a renamed table's are the server's. */
  protected override tableConstraints(plan: TablePlan): string[] {
    if (!plan.native) return super.tableConstraints(plan);
    const source = plan.source;
    const keyName = (name: string | undefined) => (name && plan.target === source.name ? `CONSTRAINT ${this.q(name)} ` : '');
    const out: string[] = [];
    if (source.primaryKey.length) out.push(`${keyName(source.primaryKeyName)}PRIMARY KEY (${quoteList(this.dialect, source.primaryKey)})`);
    for (const u of source.uniqueConstraints) out.push(`${keyName(u.name)}UNIQUE (${quoteList(this.dialect, u.columns)})`);
    return out;
  }

  protected override tableOptions(plan: TablePlan): string {
    if (!plan.native) return '';
    const inherits = plan.source.inherits?.length ? ` INHERITS (${plan.source.inherits.map((t) => this.qt(t)).join(', ')})` : '';
    const partitioned = plan.source.partitioning ? ` PARTITION BY ${plan.source.partitioning.by}` : '';
    // Storage parameters (fillfactor, autovacuum_*, toast.*) as the source sets them, each value a literal.
    const parameters = (plan.source.storage?.parameters ?? []).map((p) => {
      const at = p.indexOf('=');
      return `${p.slice(0, at)} = ${quoteLiteral(this.dialect, p.slice(at + 1))}`;
    });
    return `${inherits}${partitioned}${parameters.length ? ` WITH (${parameters.join(', ')})` : ''}`;
  }

  /** Natively an UNLOGGED table stays one (not written to the WAL, emptied after a crash: the source's choice). */
  protected override createTableSql(plan: TablePlan): string {
    const sql = super.createTableSql(plan);
    return plan.native && plan.source.storage?.unlogged ? sql.replace(/^CREATE TABLE /, 'CREATE UNLOGGED TABLE ') : sql;
  }

  protected override columnDefinition(plan: TablePlan, c: ColumnMapping): string {
    if (!plan.native) return super.columnDefinition(plan, c);
    const source = plan.source.columns.find((x) => x.name === c.column);
    let def = `${this.q(c.column)} ${this.columnType(c)}`;
    // A collation of the source's own (read as catalog-quoted names); kept only while the type is the source's.
    if (source?.collation && sameType(source.nativeType, c.targetType)) def += ` COLLATE ${source.collation}`;
    const identity = this.identityClause(plan, c);
    if (identity) def += ' ' + identity;
    if (!c.nullable) def += ' NOT NULL';
    // The source's own default expression (now(), CURRENT_TIMESTAMP, nextval of a sequence no column owns, …).
    if (!identity && source?.default != null) def += ` DEFAULT ${source.default}`;
    return def;
  }

  /** A native table's partitions (at every level), privileges and owner; any table's comments. */
  protected override async afterCreate(plan: TablePlan): Promise<void> {
    if (plan.native) await this.afterNativeCreate(plan);
    if (plan.source.comment !== undefined) await this.exec(`COMMENT ON TABLE ${this.qt(plan.target)} IS ${quoteLiteral(this.dialect, plan.source.comment)}`);
    const created = new Set(plan.columns.map((c) => c.column));
    for (const column of plan.source.columns) {
      if (column.comment === undefined || !created.has(column.name)) continue;
      await this.exec(`COMMENT ON COLUMN ${this.qt(plan.target)}.${this.q(column.name)} IS ${quoteLiteral(this.dialect, column.comment)}`);
    }
  }

  private async afterNativeCreate(plan: TablePlan): Promise<void> {
    const create = async (parent: string, partitions: PartitionInfo[]) => {
      for (const p of partitions) {
        await this.exec(`CREATE TABLE ${this.qt(p.name)} PARTITION OF ${this.qt(parent)} ${p.bound}${p.by ? ` PARTITION BY ${p.by}` : ''}`);
        if (p.partitions) await create(p.name, p.partitions);
      }
    };
    await create(plan.target, plan.source.partitioning?.partitions ?? []);
    await this.grant(plan);
    // The source's owner, its partitions' too (see ownerStatements).
    const owned = (partitions: PartitionInfo[]): string[] => partitions.flatMap((p) => [p.name, ...owned(p.partitions ?? [])]);
    for (const table of [plan.target, ...owned(plan.source.partitioning?.partitions ?? [])]) {
      for (const statement of ownerStatements(`TABLE ${this.qt(table)}`, plan.source.owner)) await this.exec(statement);
    }
  }

  /** The source's privileges on a native table, granted to those of its grantees that exist here (see grantStatements). */
  private async grant(plan: TablePlan): Promise<void> {
    for (const statement of grantStatements(this.qt(plan.target), plan.source.grants ?? [])) await this.exec(statement);
  }

  /**
   * A native table's indexes as the source defines them (expression and partial ones too), then the shared rest.
   * Across dialects, a MariaDB/MySQL SPATIAL index on a column that is PostGIS geometry here is a GiST index (a b-tree
   * serves no spatial search).
   */
  override async createIndexesAndForeignKeys(plan: TablePlan): Promise<FinalizedTable> {
    if (!plan.native) {
      const indexes = plan.source.indexes.map(({ definition, ...index }) => (spatialIndex(plan, index.columns, definition) ? { ...index, definition: GIST } : index));
      return super.createIndexesAndForeignKeys({ ...plan, source: { ...plan.source, indexes } });
    }
    await this.guard(`create indexes of ${plan.target}`, async () => {
      // A retried finalisation finds its own indexes, also those indexName renamed (ownIndex).
      const existing = (
        await this.exec(
          `SELECT i.relname, x.indisunique, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = to_regclass($1)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x'))`,
          [this.qt(plan.target)],
        )
      ).map((r) => ({ name: String(r[0]), unique: r[1] === true, definition: indexDefinitionAfterTable(String(r[2])) }));
      const claimed = new Set<string>();
      for (const index of [...plan.source.indexes, ...(plan.source.expressionIndexes ?? [])]) {
        if (!index.definition) continue;
        const own = ownIndex(existing, index, claimed, (n) => this.fitName(n < 2 ? `${plan.target}_${index.name}` : `${plan.target}_${index.name}_${n}`));
        if (own !== undefined) {
          claimed.add(own);
          continue;
        }
        const name = await this.indexName(plan.target, index.name);
        await this.exec(`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${this.q(name)} ON ${this.qt(plan.target)} ${index.definition}`);
        claimed.add(name);
      }
    });
    const rest = plan.source.indexes.filter((i) => !i.definition);
    return super.createIndexesAndForeignKeys({ ...plan, source: { ...plan.source, indexes: rest } });
  }

  /** A native table's foreign key as the source defines it (MATCH FULL, DEFERRABLE, …), when it names the referenced table as the target does. */
  protected override foreignKeySql(plan: TablePlan, fk: ForeignKeyInfo): string {
    if (!plan.native || !fk.definition || this.q(fk.referencedTable) !== doubleQuoted(fk.referencedTable)) return super.foreignKeySql(plan, fk);
    return `ALTER TABLE ${this.qt(plan.target)} ADD CONSTRAINT ${this.q(fk.name)} ${fk.definition}`;
  }

  /** foreign_key_violation: a row already in the table references no row. */
  protected override breaksForeignKey(error: unknown): boolean {
    return (error as { code?: unknown }).code === '23503';
  }

  /** invalid_foreign_key (no unique key on the referenced columns), datatype_mismatch (the columns' types differ). */
  protected override refusesForeignKey(error: unknown): boolean {
    return ['42830', '42804'].includes(String((error as { code?: unknown }).code));
  }

  protected override createIndexSql(table: string, name: string, index: TableInfo['indexes'][number]): string {
    if (index.definition === GIST) return `CREATE INDEX ${this.q(name)} ON ${this.qt(table)} USING gist (${this.q(index.columns[0] as string)})`;
    return super.createIndexSql(table, name, index);
  }

  /** program_limit_exceeded: a row's value makes an index entry past what a page holds (a long text indexed whole). */
  protected override refusesIndex(error: unknown): boolean {
    return (error as { code?: unknown }).code === '54000';
  }

  /** NOT VALID: the key holds for every row written from now on; VALIDATE CONSTRAINT checks the others once they are fixed. */
  protected override async uncheckedForeignKey(sql: string): Promise<void> {
    await this.exec(/\bNOT VALID$/i.test(sql) ? sql : `${sql} NOT VALID`);
  }

  /**
   * Same dialect: creates the source's schema objects (extensions, types, sequences and functions before the tables, views and triggers after the data),
   * each in one transaction. A type that exists already is kept. A view that cannot be created (it reads a table left
   * out of the migration, …) does not fail the migration: it is returned with the reason.
   */
  async createObjects(objects: SchemaObject[]): Promise<{ skipped: string[] }> {
    const skipped: string[] = [];
    for (const object of objects) {
      const action = `create ${object.kind} ${object.name}`;
      if (/type|enum|domain/.test(object.kind)) {
        const exists = await this.guard(action, () =>
          this.exec('SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2', [this.schema, object.name]),
        );
        if (exists.length) continue;
      }
      try {
        await this.clientTransaction(async (client) => {
          // One statement per query (the extended protocol refuses several): catalog text never runs as more.
          for (const sql of object.create) await client.query({ text: sql, queryMode: 'extended' } as QueryConfig);
        });
      } catch (error) {
        const reason = errorMessage(error);
        // A function is made again after the data (a row type in its signature may not exist before the tables).
        const again = object.stage === 'before_tables' && (object.kind === 'function' || object.kind === 'procedure');
        if (again) continue;
        if (object.stage === 'after_data') {
          skipped.push(`${object.kind} ${object.name}: ${reason}`);
          continue;
        }
        if (object.kind === 'extension') {
          throw new ConnectorError(
            'NotSupported',
            `${action} on ${this.label()} failed: ${reason}. Column${(object.neededBy ?? []).length > 1 ? 's' : ''} ${(object.neededBy ?? []).join(', ')} need${(object.neededBy ?? []).length > 1 ? '' : 's'} it:` +
              ` have an administrator run CREATE EXTENSION ${object.name} in the target database, or leave those tables out of the migration`,
            { cause: error },
          );
        }
        throw this.connectorError(error, action);
      }
    }
    return { skipped };
  }

  /** Extensions installed where this connector's tables resolve type names (its schema, public, pg_catalog: see searchPath). */
  async installedExtensions(): Promise<string[]> {
    const rows = await this.guard('list extensions', () =>
      this.exec(
        `SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
          WHERE n.nspname = ANY($1::text[]) ORDER BY e.extname`,
        [[this.schema, 'public', 'pg_catalog']],
      ),
    );
    return rows.map((r) => String(r[0]));
  }

  /**
   * Of `names`, the extensions the target server offers (pg_available_extensions) and the target database has not
   * installed in any schema (one installed off the search path is not made again), each with whether this connection
   * may create it (see extensionRefusal).
   */
  async offeredExtensions(names: string[]): Promise<OfferedExtension[]> {
    if (names.length === 0) return [];
    const rows = await this.guard('list offered extensions', () =>
      this.exec('SELECT a.name FROM pg_available_extensions a WHERE a.name = ANY($1::text[]) AND a.installed_version IS NULL ORDER BY a.name', [names]),
    );
    const offered: OfferedExtension[] = [];
    for (const [name] of rows) {
      const refusal = await this.extensionRefusal(String(name));
      offered.push(refusal === null ? { name: String(name), create: [createExtension(String(name))] } : { name: String(name), refusal });
    }
    return offered;
  }

  /**
   * Why this connection may not create extension `name` in the target database, or null when it may. PostgreSQL lets
   * a superuser create any extension, and whoever may CREATE in the database one whose control file marks it trusted
   * (PostGIS is not); managed services add roles and allow-lists of their own (rds_superuser, azure.extensions). So the
   * server is asked: the extension is created in a transaction that is always rolled back, so nothing of it stays
   * (about a second for PostGIS). A lost connection is an error the activity retries, not a refusal.
   */
  private async extensionRefusal(name: string): Promise<string | null> {
    const action = `try creating extension ${name}`;
    const client = await this.guard(action, () => this.pool.connect());
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '10s'`);
      await client.query(createExtension(name));
      return null;
    } catch (error) {
      const { code, hint } = error as { code?: unknown; hint?: unknown };
      if (typeof code !== 'string' || /^(08|57P)/.test(code)) throw this.connectorError(error, action);
      return `${errorMessage(error)}${typeof hint === 'string' && hint ? `: ${hint}` : ''}`;
    } finally {
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      // A connection that could not even roll back is not handed out again.
      client.release(!rolledBack);
    }
  }

  /**
   * What the target server cannot create of a plan's extensions: those it does not have, or that this connection may
   * not create (see extensionRefusal).
   */
  async planProblems(plan: MigrationPlan): Promise<string[]> {
    return [...(await this.extensionProblems(plan)), ...(await this.spatialRefProblems(plan))];
  }

  /**
   * Geography columns whose SRID is a spatial_ref_sys row the source's users added (SpatialModifiers.customSrs) that
   * the target's spatial_ref_sys lacks and the plan does not add (see spatialRefObjects: the target's user may not):
   * PostGIS refuses such a column at CREATE TABLE (a geometry column takes any SRID, so only the notes name those).
   */
  private async spatialRefProblems(plan: MigrationPlan): Promise<string[]> {
    const added = new Set((plan.objects ?? []).filter((o) => o.kind === SPATIAL_REF_KIND).map((o) => Number(o.name)));
    const needing = plan.tables.flatMap((t) =>
      t.native ? t.columns.flatMap((c) => {
        const spatial = crossType(c.canonical).spatial;
        return spatial?.geodetic && spatial.customSrs && spatial.srid !== undefined && !added.has(spatial.srid) ? [{ table: t.source.name, column: c, srid: spatial.srid, srs: spatial.customSrs }] : [];
      }) : [],
    );
    if (needing.length === 0) return [];
    const srids = [...new Set(needing.map((n) => n.srid))];
    const present = await this.guard('check spatial_ref_sys', async () => {
      const target = await this.targetSpatialRefs(srids);
      return new Set((target?.present ?? []).map((r) => r.srid));
    });
    return needing
      .filter((n) => !present.has(n.srid))
      .map(
        (n) =>
          `${n.table}.${n.column.column}: ${n.column.sourceType} needs SRID ${n.srid} in the target's spatial_ref_sys, a row the source's users added (${n.srs}) ` +
          `that the plan does not add (see its notes), and PostGIS refuses the column without it: add the row there (as the source has it, once PostGIS is installed), or leave table ${n.table} out of the migration`,
      );
  }

  /**
   * The target's PostGIS as the source's spatial_ref_sys rows meet it: its spatial_ref_sys (quoted, qualified), whether
   * this connection may insert into it, and its rows of these SRIDs. Null when the target database has no PostGIS.
   */
  private async targetSpatialRefs(srids: number[]): Promise<{ table: string; insert: boolean; user: string; present: SpatialRef[] } | null> {
    const where = await this.exec(
      `SELECT n.nspname, has_table_privilege(format('%I.spatial_ref_sys', n.nspname), 'INSERT'), current_user::text
         FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'`,
    );
    if (where.length === 0) return null;
    const table = `${this.q(String(where[0][0]))}.spatial_ref_sys`;
    const present = (await this.exec(`SELECT ${SPATIAL_REF_COLUMNS} FROM ${table} WHERE srid = ANY($1::int[]) ORDER BY srid`, [srids])).map(spatialRefOf);
    return { table, insert: where[0][1] === true, user: String(where[0][2]), present };
  }

  /**
   * The spatial_ref_sys rows the source's users added (SchemaInfo.spatialRefs) as this target gets them. Where it has
   * PostGIS or the plan creates it (in this connector's schema: see createExtension), each row it lacks becomes an
   * object created before the tables, whose INSERT never overwrites a row of the same SRID (insertSpatialRef). A row it
   * has with another definition is kept and named, and every column in that SRID is a blocker (PostGIS would read its
   * values in the target's definition). When this connection may not insert into spatial_ref_sys, the notes say what
   * an administrator could run (and spatialRefProblems names the geography columns PostGIS would refuse).
   */
  async spatialRefObjects(rows: SpatialRef[], plan: MigrationPlan): Promise<{ objects: SchemaObject[]; notes: string[]; blockers: string[] }> {
    const used = new Map<number, string[]>();
    for (const t of plan.tables) {
      for (const c of t.columns) {
        const srid = crossType(c.canonical).spatial?.srid;
        if (srid !== undefined) used.set(srid, [...(used.get(srid) ?? []), `${t.source.name}.${c.column}`]);
      }
    }
    const named = (r: SpatialRef) => `SRID ${r.srid} (${spatialRefAuthority(r)})${used.has(r.srid) ? `, used by ${(used.get(r.srid) as string[]).join(', ')}` : ''}`;
    const target = await this.guard('check spatial_ref_sys', () => this.targetSpatialRefs(rows.map((r) => r.srid)));
    const creates = (plan.objects ?? []).some((o) => o.kind === 'extension' && o.name === 'postgis');
    if (!target && !creates) {
      return { objects: [], notes: [`spatial_ref_sys rows the source's users added are not migrated (the target database has no PostGIS, and the plan does not create it): ${rows.map(named).join('; ')}`], blockers: [] };
    }
    const table = target?.table ?? `${this.q(this.schema)}.spatial_ref_sys`;
    const present = new Map((target?.present ?? []).map((r) => [r.srid, r]));
    const missing = rows.filter((r) => !present.has(r.srid));
    const objects: SchemaObject[] = [];
    const notes: string[] = [];
    const blockers: string[] = [];
    if (missing.length && (!target || target.insert)) {
      for (const r of missing) {
        const create = [insertSpatialRef(table, r, (v) => quoteLiteral(this.dialect, v))];
        objects.push({ kind: SPATIAL_REF_KIND, name: String(r.srid), create, stage: 'before_tables', extension: 'postgis', ...(used.has(r.srid) ? { neededBy: used.get(r.srid) } : {}) });
      }
      notes.push(`spatial_ref_sys rows the source's users added will be added to the target's ${table} before the tables: ${missing.map(named).join('; ')}`);
    } else if (missing.length && target) {
      notes.push(
        `spatial_ref_sys rows the source's users added are not added to the target: its user (${target.user}) may not insert into ${table}: ${missing.map(named).join('; ')}.` +
          ` An administrator could run GRANT INSERT ON ${table} TO ${this.q(target.user)} (the plan then adds them), or add the rows as the source has them`,
      );
    }
    for (const r of rows) {
      const theirs = present.get(r.srid);
      if (!theirs || sameSpatialRef(r, theirs)) continue;
      const differs = `SRID ${r.srid} is defined otherwise in the target's ${table} (${spatialRefAuthority(theirs)}: ${theirs.proj4text ?? theirs.srtext ?? 'no definition'}) than in the source's (${spatialRefAuthority(r)}: ${r.proj4text ?? r.srtext ?? 'no definition'})`;
      notes.push(`${differs}: the target's row is kept, not overwritten`);
      for (const column of used.get(r.srid) ?? []) {
        blockers.push(`${column}: ${differs}, and PostGIS would read the column's values in the target's definition: make the two rows agree, or leave table ${column.split('.')[0]} out of the migration`);
      }
    }
    return { objects, notes, blockers };
  }

  /** Extensions a same-dialect plan creates that the target server lacks or this connection may not create. */
  private async extensionProblems(plan: MigrationPlan): Promise<string[]> {
    const extensions = (plan.objects ?? []).filter((o) => o.kind === 'extension');
    if (extensions.length === 0) return [];
    const rows = await this.guard('check extensions', () =>
      this.exec(
        `SELECT x.name,
                EXISTS (SELECT 1 FROM pg_extension e WHERE e.extname = x.name),
                EXISTS (SELECT 1 FROM pg_available_extensions a WHERE a.name = x.name)
           FROM unnest($1::text[]) x(name)`,
        [extensions.map((e) => e.name)],
      ),
    );
    const problems: string[] = [];
    for (const [name, installed, available] of rows) {
      if (installed === true) continue;
      const needed = extensions.find((e) => e.name === name)?.neededBy ?? [];
      const tables = [...new Set(needed.map((c) => c.split('.')[0]))];
      const leaveOut = `or leave table${tables.length > 1 ? 's' : ''} ${tables.join(', ')} out of the migration`;
      if (available !== true) {
        problems.push(`${needed.join(', ')}: type from extension ${String(name)}, which the target server does not have: install it there, ${leaveOut}`);
        continue;
      }
      const refusal = await this.extensionRefusal(String(name));
      if (refusal !== null) {
        problems.push(
          `${needed.join(', ')}: type from extension ${String(name)}, which the target database lacks and the target's user may not create:` +
            ` have an administrator run CREATE EXTENSION ${String(name)} in it, ${leaveOut} (the server said: ${refusal})`,
        );
      }
    }
    return problems;
  }

  /**
   * A table's own rows: ONLY, so a parent's copy leaves out the rows of tables that inherit from it (each copied with its
   * own table: every row exactly once). A partitioned table has no rows of its own: all of its partitions' are read.
   */
  protected override async rowsOf(table: string): Promise<string> {
    return (await this.table(table)).partitioning ? this.qt(table) : `ONLY ${this.qt(table)}`;
  }

  /** The target table's own rows, as rowsOf reads the source's (the plan's table is created alike). */
  private ownRows(plan: TablePlan): string {
    return plan.source.partitioning ? this.qt(plan.target) : `ONLY ${this.qt(plan.target)}`;
  }

  /** Types only PostgreSQL has (arrays, ranges, …) are read as their own text, the form a PostgreSQL target takes them in. */
  protected override selectList(columns: string[], types: CanonicalType[]): string {
    return columns
      .map((c, i) => (types[i]?.kind === 'native' ? `${this.q(c)}::text` : types[i]?.family ? portableReadSql(types[i], this.q(c)) : this.q(c)))
      .join(', ');
  }

  async *readAll(table: string, columns: string[], orderBy: string[], batchSize: number, options?: ReadOptions): AsyncIterable<Row[]> {
    const types = this.readTypes(await this.columnTypes(table, columns), options);
    const orderTypes = await this.columnTypes(table, orderBy);
    // json, and many types only PostgreSQL has (point, xml, …), have no ordering operator; their text orders deterministically.
    const order = orderBy.map((c, i) => (['json', 'native'].includes(orderTypes[i].kind) ? `${this.q(c)}::text` : this.q(c))).join(', ');
    const client: PoolClient = await this.guard(`read ${table}`, () => this.pool.connect());
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE sensei_all NO SCROLL CURSOR FOR SELECT ${this.selectList(columns, types)} FROM ${await this.rowsOf(table)}${order ? ' ORDER BY ' + order : ''}`);
      for (;;) {
        const result = await this.guard(`read ${table}`, () => client.query({ text: `FETCH ${Math.max(1, batchSize)} FROM sensei_all`, rowMode: 'array' }));
        if (result.rows.length === 0) break;
        yield this.convertRows(result.rows as unknown[][], types);
      }
      await client.query('COMMIT');
    } finally {
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      // A connection that could not even roll back is not handed out again.
      client.release(!rolledBack);
    }
  }

  protected classify(error: unknown, action: string): ConnectorError {
    const code = (error as { code?: string }).code;
    const where = this.label();
    if (code === '28P01' || code === '28000') {
      return new ConnectorError('AuthenticationFailed', `authentication failed for ${where}: ${errorMessage(error)}`);
    }
    if (code === '3D000') return new ConnectorError('ConnectionFailed', `cannot connect to ${where}: ${errorMessage(error)}`);
    const network = networkReason(error);
    if (network && !code?.match(/^[0-9A-Z]{5}$/)) return new ConnectorError('ConnectionFailed', `cannot connect to ${where}: ${network}`);
    if (code === '42P01') return new ConnectorError('TableNotFound', `${action}: ${errorMessage(error)}`);
    // row_security off (see the pool's options): a policy would have shown this user only some of the rows.
    const policed = code === '42501' ? /row-level security policy for table "(.+)"/.exec(errorMessage(error))?.[1] : undefined;
    if (policed !== undefined) {
      return new ConnectorError(
        'NotAllowed',
        `${action} failed on ${where}: table ${policed} has row-level security, which would show this user only some of its rows: ` +
          'connect as its owner, a superuser or a role with BYPASSRLS',
      );
    }
    if (code === '3F000') return new ConnectorError('SchemaNotFound', `${action}: ${errorMessage(error)}`);
    return new ConnectorError('QueryFailed', `${action} failed on ${where}: ${errorMessage(error)}`);
  }

  // ---- introspection ----

  protected async introspectTables(options: IntrospectOptions): Promise<TableInfo[]> {
    return (await this.introspectSchema(options)).tables;
  }

  /** Tables, and the schema objects a PostgreSQL target re-creates (see ./objects.ts). */
  override async introspect(options: IntrospectOptions = {}): Promise<SchemaInfo> {
    const schema = await this.describeTables(options);
    const excluded = new Set(options.excludeTables ?? []);
    const objects = await this.guard('introspect', () => this.objectsOf(schema.tables.filter((t) => !excluded.has(t.name))));
    const spatialRefs = await this.guard('introspect', () => this.customSpatialRefs());
    return { ...schema, ...(objects.length ? { objects } : {}), ...(spatialRefs.length ? { spatialRefs } : {}) };
  }

  private async schemaOid(): Promise<number> {
    const schemaRows = await this.exec('SELECT oid FROM pg_namespace WHERE nspname = $1', [this.schema]);
    if (schemaRows.length === 0) throw new ConnectorError('SchemaNotFound', `schema "${this.schema}" does not exist in ${this.label()}`);
    return Number(schemaRows[0][0]);
  }

  private async introspectSchema(options: IntrospectOptions): Promise<{ tables: TableInfo[] }> {
    await this.schemaOid();
    const filter = options.tables ?? null;
    // Partitions are reached through their partitioned table (every row once); they are part of its description.
    const tableRows = await this.exec(
      // A partitioned table's estimate is its leaf partitions' (it holds no rows of its own).
      `SELECT c.oid, c.relname,
              (CASE WHEN c.relkind = 'p'
                    THEN (SELECT COALESCE(SUM(GREATEST(l.reltuples, 0)), 0) FROM pg_partition_tree(c.oid) pt JOIN pg_class l ON l.oid = pt.relid WHERE pt.isleaf)
                    ELSE GREATEST(c.reltuples, 0) END)::bigint::text,
              obj_description(c.oid, 'pg_class'),
              CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
              ARRAY(SELECT p.relname::text FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = c.oid ORDER BY i.inhseqno),
              c.relpersistence = 'u',
              c.reloptions::text[] || ARRAY(SELECT 'toast.' || o FROM pg_class t, unnest(t.reloptions) o WHERE t.oid = c.reltoastrelid),
              NULLIF(pg_get_userbyid(c.relowner), current_user::text)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          -- An extension's own tables (PostGIS spatial_ref_sys) come with the extension, which the target creates.
          AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
          AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
        ORDER BY c.relname`,
      [this.schema, filter],
    );
    const oids = tableRows.map((r) => Number(r[0]));
    if (oids.length === 0) return { tables: [] };
    const [columns, constraints, indexes, partitions, grants] = await Promise.all([
      this.columnsOf(oids),
      this.constraintsOf(oids),
      this.indexesOf(oids),
      this.partitionsOf(oids),
      this.grantsOf(oids),
    ]);
    await this.markCustomSpatialRefs(columns.map((c) => c.column));
    const tables = tableRows.map((r): TableInfo => {
      const oid = Number(r[0]);
      const cons = constraints.filter((c) => c.oid === oid);
      const own = indexes.filter((i) => i.oid === oid).map(({ oid: _oid, plain: _plain, ...index }) => index);
      const plain = indexes.filter((i) => i.oid === oid && i.plain).map(({ oid: _oid, plain: _plain, ...index }) => index);
      const pk = cons.find((c) => c.type === 'p');
      const inherits = r[5] as string[];
      const storage = tableStorage(r[6] === true, (r[7] as string[] | null) ?? []);
      return {
        name: String(r[1]),
        columns: columns.filter((c) => c.oid === oid).map((c) => c.column),
        primaryKey: pk?.columns ?? [],
        foreignKeys: cons.filter((c) => c.type === 'f').map((c) => c.fk as ForeignKeyInfo),
        uniqueConstraints: cons.filter((c) => c.type === 'u').map((c) => ({ name: c.name, columns: c.columns })),
        indexes: plain,
        rowEstimate: Number(r[2]),
        ...(own.length > plain.length ? { expressionIndexes: own.filter((i) => !plain.some((p) => p.name === i.name)) } : {}),
        ...(pk ? { primaryKeyName: pk.name } : {}),
        ...(cons.some((c) => c.type === 'c' || c.type === 'x') ? { checks: cons.filter((c) => c.type === 'c' || c.type === 'x').map((c) => ({ name: c.name, definition: c.definition })) } : {}),
        ...(r[3] !== null ? { comment: String(r[3]) } : {}),
        ...(r[4] !== null ? { partitioning: { by: String(r[4]), partitions: partitionsUnder(partitions, oid) } } : {}),
        ...(inherits.length ? { inherits } : {}),
        ...(storage ? { storage } : {}),
        ...(grants.has(oid) ? { grants: grants.get(oid) } : {}),
        ...(r[8] !== null ? { owner: String(r[8]) } : {}),
      };
    });
    return { tables };
  }

  /**
   * Spatial columns whose SRID (geography(Point,990001)) is a spatial_ref_sys row the source's users added, not one
   * PostGIS installs: their type says so (SpatialModifiers.customSrs, the row's authority), and the plan says what becomes of the row (a
   * PostgreSQL target with PostGIS gets it: see spatialRefObjects; another dialect keeps just the number).
   */
  private async markCustomSpatialRefs(columns: ColumnInfo[]): Promise<void> {
    const spatial = columns.map((c) => crossType(c.type).spatial).filter((s): s is SpatialModifiers => s?.srid !== undefined);
    if (spatial.length === 0) return;
    const postgis = await this.postgisSrids();
    if (!postgis) return;
    const srids = [...new Set(spatial.map((s) => s.srid as number))].filter((srid) => !postgis.own(srid));
    if (srids.length === 0) return;
    const rows = await this.exec(`SELECT ${SPATIAL_REF_COLUMNS} FROM ${postgis.table} WHERE srid = ANY($1::int[])`, [srids]);
    const authority = new Map(rows.map(spatialRefOf).map((r) => [r.srid, spatialRefAuthority(r)]));
    for (const s of spatial) if (authority.has(s.srid as number)) s.customSrs = authority.get(s.srid as number);
  }

  /**
   * This database's PostGIS: its spatial_ref_sys (quoted, qualified) and which SRIDs are rows it installs (see
   * postgisOwnSrid). Null without PostGIS, or when its condition is not of the form read (nothing is then said).
   */
  private async postgisSrids(): Promise<{ table: string; own: (srid: number) => boolean } | null> {
    const config = await this.exec(
      `SELECT n.nspname, e.extcondition[array_position(e.extconfig, c.oid)]
         FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         JOIN pg_class c ON c.relnamespace = e.extnamespace AND c.relname = 'spatial_ref_sys'
        WHERE e.extname = 'postgis'`,
    );
    const own = config.length && config[0][1] !== null ? postgisOwnSrid(String(config[0][1])) : null;
    return own ? { table: `${this.q(String(config[0][0]))}.spatial_ref_sys`, own } : null;
  }

  /** The spatial_ref_sys rows this database's users added (SchemaInfo.spatialRefs), by SRID: all of them, as pg_dump dumps them. */
  private async customSpatialRefs(): Promise<SpatialRef[]> {
    const postgis = await this.postgisSrids();
    if (!postgis) return [];
    const srids = (await this.exec(`SELECT srid FROM ${postgis.table}`)).map((r) => Number(r[0])).filter((srid) => !postgis.own(srid));
    if (srids.length === 0) return [];
    return (await this.exec(`SELECT ${SPATIAL_REF_COLUMNS} FROM ${postgis.table} WHERE srid = ANY($1::int[]) ORDER BY srid`, [srids])).map(spatialRefOf);
  }

  private async columnsOf(oids: number[]) {
    const rows = await this.exec(
      `WITH RECURSIVE dom(oid, base, mod) AS (
         SELECT t.oid, t.typbasetype, t.typtypmod FROM pg_type t WHERE t.typtype = 'd'
         UNION ALL
         SELECT d.oid, b.typbasetype, b.typtypmod FROM dom d JOIN pg_type b ON b.oid = d.base WHERE b.typtype = 'd')
       SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              pg_get_expr(d.adbin, d.adrelid), a.attidentity, t.typtype,
              (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
              format_type(bt.oid, dm.mod), bt.typtype,
              (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = bt.oid),
              col_description(a.attrelid, a.attnum),
              (SELECT x.extname::text FROM pg_depend dp JOIN pg_extension x ON x.oid = dp.refobjid
                WHERE dp.classid = 'pg_type'::regclass AND dp.refclassid = 'pg_extension'::regclass AND dp.deptype = 'e'
                  AND dp.objid IN (t.oid, t.typelem, COALESCE(bt.oid, 0), COALESCE(bt.typelem, 0)) LIMIT 1),
              a.attgenerated,
              EXISTS (SELECT 1 FROM pg_depend sd JOIN pg_class s ON s.oid = sd.objid AND s.relkind = 'S'
                       WHERE sd.classid = 'pg_class'::regclass AND sd.refobjid = a.attrelid AND sd.refobjsubid = a.attnum AND sd.deptype IN ('a', 'i')),
              (SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
                WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation),
              (SELECT array_agg(pg_get_constraintdef(k.oid) ORDER BY k.conname) FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c')
         FROM pg_attribute a
         JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN dom dm ON dm.oid = t.oid AND NOT EXISTS (SELECT 1 FROM pg_type x WHERE x.oid = dm.base AND x.typtype = 'd')
         LEFT JOIN pg_type bt ON bt.oid = dm.base
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
      [oids],
    );
    return rows.map((r) => {
      const generated = r[13] === 's';
      // A generated column's expression is not a default (see ColumnInfo.generated).
      const dflt = generated ? null : ((r[4] as string | null) ?? null);
      const nativeType = String(r[2]);
      const identity = r[5] === 'a' ? 'always' : r[5] === 'd' ? 'by_default' : undefined;
      const domainBase = r[8] === null ? undefined : { formatted: String(r[8]), typtype: String(r[9]), enumLabels: (r[10] as string[] | null) ?? undefined };
      const column: ColumnInfo = {
        name: String(r[1]),
        nativeType,
        type: toCanonical({
          formatted: nativeType,
          default: dflt,
          identity: identity !== undefined,
          ownedSequence: r[14] === true,
          typtype: String(r[6]),
          enumLabels: (r[7] as string[] | null) ?? undefined,
          domainBase,
          domainChecks: (r[16] as string[] | null) ?? undefined,
        }),
        nullable: r[3] !== true,
        default: dflt,
        ...(identity ? { identity } : {}),
        ...(r[11] !== null ? { comment: String(r[11]) } : {}),
        ...(generated ? { generated: String(r[4]) } : {}),
        ...(r[15] !== null ? { collation: String(r[15]) } : {}),
      };
      return { oid: Number(r[0]), column, extension: (r[12] as string | null) ?? null };
    });
  }

  private async constraintsOf(oids: number[]) {
    const rows = await this.exec(
      `SELECT c.conrelid, c.conname, c.contype,
              ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o),
              rc.relname::text,
              ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o),
              c.confdeltype, c.confupdtype, pg_get_constraintdef(c.oid)
         FROM pg_constraint c LEFT JOIN pg_class rc ON rc.oid = c.confrelid
        WHERE c.conrelid = ANY($1::oid[]) AND (c.contype IN ('p', 'u', 'f', 'x') OR (c.contype = 'c' AND c.conislocal))
        ORDER BY c.conrelid, c.conname`,
      [oids],
    );
    return rows.map((r) => {
      const columns = r[3] as string[];
      return {
        oid: Number(r[0]),
        name: String(r[1]),
        type: String(r[2]),
        columns,
        definition: String(r[8]),
        fk:
          r[2] === 'f'
            ? {
                name: String(r[1]),
                columns,
                referencedTable: String(r[4]),
                referencedColumns: r[5] as string[],
                onDelete: FK_ACTIONS[String(r[6])],
                onUpdate: FK_ACTIONS[String(r[7])],
                definition: String(r[8]),
              }
            : undefined,
      };
    });
  }

  /**
   * Secondary indexes (not the primary key, not those behind constraints), each with its definition after the table
   * (`USING btree (lower(name)) WHERE …`); `plain`: on columns only, no expression and no predicate, which every
   * dialect can create. A partial index on columns only (no expression) keeps its columns and its predicate (`where`),
   * which a target of another dialect with partial indexes can make when the predicate is portable.
   */
  private async indexesOf(oids: number[]) {
    const rows = await this.exec(
      `SELECT ix.indrelid, i.relname, ix.indisunique,
              -- Its key columns only: an INCLUDE column is carried, not keyed (UNIQUE (a) INCLUDE (b) is unique on a).
              ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n WHERE k.o <= ix.indnkeyatts ORDER BY k.o),
              ix.indpred IS NULL AND ix.indexprs IS NULL, pg_get_indexdef(ix.indexrelid), pg_get_expr(ix.indpred, ix.indrelid),
              -- An expression index's key parts, each a column or an expression, where none has an operator class or a
              -- collation of its own (pg_get_indexdef of one key leaves them out: such a key is the source's own).
              CASE WHEN ix.indexprs IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM unnest(ix.indclass::oid[]) c JOIN pg_opclass o ON o.oid = c WHERE NOT o.opcdefault)
                    AND NOT EXISTS (SELECT 1 FROM unnest(ix.indcollation::oid[]) c WHERE c NOT IN (0, 100))
                   THEN ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) FROM generate_series(1, ix.indnkeyatts::int) k ORDER BY k) END,
              ix.indexprs IS NOT NULL
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
        WHERE ix.indrelid = ANY($1::oid[]) AND NOT ix.indisprimary
          -- Only the table's own key, unique and exclusion constraints stand behind an index: a foreign key of another
          -- table names the unique index it references in conindid too, and that index is the table's own.
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid AND c.contype IN ('p', 'u', 'x'))
        ORDER BY ix.indrelid, i.relname`,
      [oids],
    );
    return rows.map((r) => {
      const definition = indexDefinitionAfterTable(String(r[5]));
      return {
        oid: Number(r[0]),
        name: String(r[1]),
        unique: r[2] === true,
        columns: r[8] === true ? [] : (r[3] as string[]),
        plain: r[4] === true,
        ...(definition ? { definition } : {}),
        ...(r[6] !== null ? { where: String(r[6]) } : {}),
        ...(r[7] !== null ? { keys: r[7] as string[] } : {}),
      };
    });
  }

  /**
   * The privileges on each table granted to roles other than its owner (TableInfo.grants), by table oid: one entry per
   * grantee and grant option, PUBLIC as null.
   */
  private async grantsOf(oids: number[]): Promise<Map<number, TableGrant[]>> {
    const grantee = 'CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END';
    const rows = await this.exec(
      `SELECT c.oid, ${grantee}, a.is_grantable, array_agg(a.privilege_type ORDER BY a.privilege_type), NULL::text[]
         FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = ANY($1::oid[]) AND a.grantee <> c.relowner
        GROUP BY 1, 2, 3
       UNION ALL
       SELECT c.oid, ${grantee}, a.is_grantable, ARRAY[a.privilege_type], array_agg(t.attname::text ORDER BY t.attnum)
         FROM pg_class c JOIN pg_attribute t ON t.attrelid = c.oid AND t.attnum > 0 AND NOT t.attisdropped, aclexplode(t.attacl) a
        WHERE c.oid = ANY($1::oid[]) AND a.grantee <> c.relowner
        GROUP BY 1, 2, 3, a.privilege_type
       ORDER BY 1, 5 NULLS FIRST, 2 NULLS FIRST, 3, 4`,
      [oids],
    );
    const out = new Map<number, TableGrant[]>();
    for (const r of rows) {
      const grant: TableGrant = {
        grantee: r[1] === null ? null : String(r[1]),
        privileges: (r[3] as string[]).map(String),
        grantable: r[2] === true,
        ...(r[4] !== null ? { columns: (r[4] as string[]).map(String) } : {}),
      };
      out.set(Number(r[0]), [...(out.get(Number(r[0])) ?? []), grant]);
    }
    return out;
  }

  /**
   * The privileges on objects of a catalog whose ACL is not the default one, by oid: each grant to a role other than
   * the owner, PUBLIC as null ([] when only the owner's remain, as after REVOKE ALL … FROM PUBLIC). An object whose ACL
   * is the default (NULL) has no entry.
   */
  private async aclsOf(catalog: 'pg_class' | 'pg_proc' | 'pg_type' | 'pg_namespace', oids: number[]): Promise<Map<number, TableGrant[]>> {
    const [acl, owner] = ACL_COLUMNS[catalog];
    const rows = await this.exec(
      `SELECT o.oid, a.grantee IS NULL, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END, a.is_grantable,
              array_agg(a.privilege_type::text ORDER BY a.privilege_type)
         FROM ${catalog} o LEFT JOIN LATERAL aclexplode(o.${acl}) a ON a.grantee <> o.${owner}
        WHERE o.oid = ANY($1::oid[]) AND o.${acl} IS NOT NULL
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 3 NULLS FIRST, 4`,
      [oids],
    );
    const out = new Map<number, TableGrant[]>();
    for (const r of rows) {
      const grants = out.get(Number(r[0])) ?? [];
      if (r[1] !== true) grants.push({ grantee: r[2] === null ? null : String(r[2]), privileges: (r[4] as string[]).map(String), grantable: r[3] === true });
      out.set(Number(r[0]), grants);
    }
    return out;
  }

  /** The schema's own default privileges (pg_default_acl rows of this schema; a role's global ones are not the schema's). */
  private async defaultAclsOf(schemaOid: number): Promise<PgDefaultAclRow[]> {
    const rows = await this.exec(
      `SELECT pg_get_userbyid(d.defaclrole), d.defaclobjtype::text, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END, a.is_grantable,
              array_agg(a.privilege_type::text ORDER BY a.privilege_type)
         FROM pg_default_acl d, aclexplode(d.defaclacl) a
        WHERE d.defaclnamespace = $1
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3 NULLS FIRST, 4`,
      [schemaOid],
    );
    const out = new Map<string, PgDefaultAclRow>();
    for (const r of rows) {
      const key = `${String(r[0])}\u0000${String(r[1])}`;
      const row = out.get(key) ?? { role: String(r[0]), objectType: String(r[1]), grants: [] };
      row.grants.push({ grantee: r[2] === null ? null : String(r[2]), privileges: (r[4] as string[]).map(String), grantable: r[3] === true });
      out.set(key, row);
    }
    return [...out.values()];
  }

  /** The partitions under the partitioned tables among `oids`, at every level, with their bounds. */
  private async partitionsOf(oids: number[]): Promise<PartitionRow[]> {
    const rows = await this.exec(
      `WITH RECURSIVE part(oid, parent) AS (
         SELECT i.inhrelid, i.inhparent FROM pg_inherits i WHERE i.inhparent = ANY($1::oid[])
         UNION ALL
         SELECT i.inhrelid, i.inhparent FROM pg_inherits i JOIN part p ON i.inhparent = p.oid)
       SELECT p.oid, p.parent, c.relname, pg_get_expr(c.relpartbound, c.oid), CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END
         FROM part p JOIN pg_class c ON c.oid = p.oid
        WHERE c.relispartition
        ORDER BY c.relname`,
      [oids],
    );
    return rows.map((r) => ({ oid: Number(r[0]), parent: Number(r[1]), name: String(r[2]), bound: String(r[3]), by: r[4] === null ? undefined : String(r[4]) }));
  }

  /** Extensions the tables' column types belong to, the schema's own types, sequences no column owns, and views. */
  private async objectsOf(tables: TableInfo[]): Promise<SchemaObject[]> {
    if (tables.length === 0) return [];
    const schemaOid = await this.schemaOid();
    const oids = (await this.exec('SELECT c.oid FROM pg_class c WHERE c.relnamespace = $1 AND c.relname = ANY($2::text[])', [schemaOid, tables.map((t) => t.name)])).map((r) => Number(r[0]));
    const needs = (await this.columnsOf(oids)).filter((c) => c.extension !== null && c.extension !== 'plpgsql');
    const tableOf = new Map<number, string>();
    for (const r of await this.exec('SELECT oid, relname FROM pg_class WHERE oid = ANY($1::oid[])', [oids])) tableOf.set(Number(r[0]), String(r[1]));
    const typed = extensionObjects(needs.map((c) => ({ extension: c.extension as string, column: `${tableOf.get(c.oid)}.${c.column.name}` })));
    // Extensions the tables use besides their columns' types: an operator class of an index or exclusion constraint
    // (btree_gist, pg_trgm's gin_trgm_ops), a function of a default or CHECK (uuid-ossp's uuid_generate_v4()). Without
    // them the target refused the table, or its index after the copy. Needed by no column, so no edit leaves them out.
    const used = await this.exec(
      `WITH parts AS (
         SELECT 'pg_class'::regclass AS classid, ix.indexrelid AS objid FROM pg_index ix WHERE ix.indrelid = ANY($1::oid[])
         UNION ALL SELECT 'pg_attrdef'::regclass, ad.oid FROM pg_attrdef ad WHERE ad.adrelid = ANY($1::oid[])
         UNION ALL SELECT 'pg_constraint'::regclass, c.oid FROM pg_constraint c WHERE c.conrelid = ANY($1::oid[]))
       SELECT DISTINCT x.extname::text
         FROM parts p
         JOIN pg_depend d ON d.classid = p.classid AND d.objid = p.objid
         JOIN pg_depend m ON m.classid = d.refclassid AND m.objid = d.refobjid AND m.refclassid = 'pg_extension'::regclass AND m.deptype = 'e'
         JOIN pg_extension x ON x.oid = m.refobjid
        WHERE x.extname <> 'plpgsql'
        ORDER BY 1`,
      [oids],
    );
    const untyped = used.map((r) => String(r[0])).filter((name) => !typed.some((o) => o.name === name));
    const extensions: SchemaObject[] = [...typed, ...untyped.map((name) => ({ kind: 'extension' as const, name, create: [createExtension(name)], stage: 'before_tables' as const }))];
    const memberOfExtension = (classid: string, objid: string) =>
      `NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '${classid}'::regclass AND x.objid = ${objid} AND x.deptype = 'e')`;
    const typeRows = await this.exec(
      `SELECT t.oid, t.typname::text, t.typtype,
              ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
              CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END, t.typnotnull, pg_get_expr(t.typdefaultbin, 0),
              ARRAY(SELECT 'CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid)
                      FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname),
              ARRAY(SELECT quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                      FROM pg_attribute a WHERE a.attrelid = t.typrelid AND t.typrelid <> 0 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
              format_type(r.rngsubtype, NULL),
              (SELECT m.typname::text FROM pg_type m WHERE m.oid = (to_jsonb(r) ->> 'rngmultitypid')::oid),
              ARRAY(SELECT CASE WHEN x.typcategory = 'A' THEN x.typelem ELSE x.oid END FROM pg_type x
                     WHERE x.oid = t.typbasetype OR x.oid = r.rngsubtype
                        OR x.oid IN (SELECT a.atttypid FROM pg_attribute a WHERE a.attrelid = t.typrelid AND t.typrelid <> 0 AND a.attnum > 0)),
              obj_description(t.oid, 'pg_type'), NULLIF(pg_get_userbyid(t.typowner), current_user::text)
         FROM pg_type t LEFT JOIN pg_range r ON r.rngtypid = t.oid
        WHERE t.typnamespace = $1
          AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
          AND ${memberOfExtension('pg_type', 't.oid')}
        ORDER BY t.oid`,
      [schemaOid],
    );
    const typeAcls = await this.aclsOf('pg_type', typeRows.map((r) => Number(r[0])));
    const types: PgTypeRow[] = typeRows.map((r) => ({
      oid: Number(r[0]),
      name: String(r[1]),
      typtype: String(r[2]),
      enumLabels: r[3] as string[],
      domainBase: r[4] === null ? null : String(r[4]),
      domainNotNull: r[5] === true,
      domainDefault: r[6] === null ? null : String(r[6]),
      domainChecks: r[7] as string[],
      attributes: r[8] as string[],
      rangeSubtype: r[9] === null ? null : String(r[9]),
      multirange: r[10] === null ? null : String(r[10]),
      dependsOn: (r[11] as (string | number)[]).map(Number),
      comment: r[12] === null ? null : String(r[12]),
      ...(typeAcls.has(Number(r[0])) ? { grants: typeAcls.get(Number(r[0])) } : {}),
      ...(r[13] !== null ? { owner: String(r[13]) } : {}),
    }));
    // Sequences a column owns (serial) become the target column's identity; the others are created as they are.
    const sequenceRows = await this.exec(
      `SELECT c.relname::text, format_type(s.seqtypid, NULL), s.seqstart::text, s.seqincrement::text, s.seqmin::text, s.seqmax::text,
              s.seqcache::text, s.seqcycle, pg_sequence_last_value(c.oid)::text, c.oid,
              NULLIF(pg_get_userbyid(c.relowner), current_user::text)
         FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid
        WHERE c.relnamespace = $1 AND c.relkind = 'S' AND ${memberOfExtension('pg_class', 'c.oid')}
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
        ORDER BY c.relname`,
      [schemaOid],
    );
    const sequenceAcls = await this.aclsOf('pg_class', sequenceRows.map((r) => Number(r[9])));
    const sequences = sequenceRows.map((r) =>
      sequenceObject({
        name: String(r[0]),
        type: String(r[1]),
        start: String(r[2]),
        increment: String(r[3]),
        min: String(r[4]),
        max: String(r[5]),
        cache: String(r[6]),
        cycle: r[7] === true,
        last: r[8] === null ? null : String(r[8]),
        ...(sequenceAcls.has(Number(r[9])) ? { grants: sequenceAcls.get(Number(r[9])) } : {}),
        ...(r[10] !== null ? { owner: String(r[10]) } : {}),
      }),
    );
    // Functions and procedures (not aggregates), for the defaults, checks and views that call them.
    const functionRows = await this.exec(
      `SELECT p.proname::text, quote_ident(n.nspname) || '.' || quote_ident(p.proname), pg_get_functiondef(p.oid),
              p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', pg_get_function_identity_arguments(p.oid), p.oid,
              NULLIF(pg_get_userbyid(p.proowner), current_user::text)
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.pronamespace = $1 AND p.prokind IN ('f', 'p') AND ${memberOfExtension('pg_proc', 'p.oid')}
        ORDER BY p.oid`,
      [schemaOid],
    );
    const functionAcls = await this.aclsOf('pg_proc', functionRows.map((r) => Number(r[5])));
    const functions = functionRows.map((r) =>
      renderable('function', String(r[3]), () =>
        functionObjects({
          name: String(r[0]),
          qualified: String(r[1]),
          definition: String(r[2]),
          signature: String(r[3]),
          arguments: String(r[4]),
          ...(functionAcls.has(Number(r[5])) ? { grants: functionAcls.get(Number(r[5])) } : {}),
          ...(r[6] !== null ? { owner: String(r[6]) } : {}),
        }),
      ),
    );
    // Views in creation order: a view is created after those it reads.
    const viewRows = await this.exec(
      `SELECT c.relname::text, c.relkind = 'm', pg_get_viewdef(c.oid), obj_description(c.oid, 'pg_class'),
              ARRAY(SELECT DISTINCT t.relname::text FROM pg_rewrite rw JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                      JOIN pg_class t ON t.oid = d.refobjid AND d.refclassid = 'pg_class'::regclass
                     WHERE rw.ev_class = c.oid AND t.oid <> c.oid AND t.relnamespace = c.relnamespace ORDER BY 1),
              c.oid, NULLIF(pg_get_userbyid(c.relowner), current_user::text)
         FROM pg_class c WHERE c.relnamespace = $1 AND c.relkind IN ('v', 'm') AND ${memberOfExtension('pg_class', 'c.oid')}
        ORDER BY c.oid`,
      [schemaOid],
    );
    const viewGrants = await this.grantsOf(viewRows.map((r) => Number(r[5])));
    const views = viewRows.map((r) =>
      viewObject({
        name: String(r[0]),
        materialized: r[1] === true,
        definition: String(r[2]),
        comment: r[3] === null ? null : String(r[3]),
        reads: r[4] as string[],
        grants: viewGrants.get(Number(r[5])) ?? [],
        ...(r[6] !== null ? { owner: String(r[6]) } : {}),
      }),
    );
    // Triggers of the schema's tables (not those PostgreSQL makes for foreign keys, nor a partition's clone of its parent's).
    const triggerRows = await this.exec(
      `SELECT t.tgname::text, c.relname::text, pg_get_triggerdef(t.oid, true)
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = $1 AND NOT t.tgisinternal AND t.tgconstraint = 0 AND COALESCE((to_jsonb(t) ->> 'tgparentid')::oid, 0) = 0
        ORDER BY c.relname, t.tgname`,
      [schemaOid],
    );
    const triggers = triggerRows.flatMap((r) => renderable('trigger', `${String(r[0])} on ${String(r[1])}`, () => [triggerObject({ name: String(r[0]), table: String(r[1]), definition: String(r[2]) })]));
    // Row-level security and its policies (pg_dump keeps them; left out, the target's table was open to every reader).
    const securityRows = await this.exec(
      `SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity,
              COALESCE((SELECT json_agg(json_build_object(
                        'name', p.polname, 'permissive', p.polpermissive, 'command', p.polcmd,
                        'roles', ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END FROM unnest(p.polroles) r),
                        'using', pg_get_expr(p.polqual, p.polrelid), 'withCheck', pg_get_expr(p.polwithcheck, p.polrelid)) ORDER BY p.polname)
                  FROM pg_policy p WHERE p.polrelid = c.oid), '[]'::json)
         FROM pg_class c
        WHERE c.oid = ANY($1::oid[]) AND (c.relrowsecurity OR c.relforcerowsecurity OR EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
        ORDER BY c.relname`,
      [oids],
    );
    const security = securityRows.flatMap((r) =>
      renderable('policy', String(r[0]), () =>
        rowSecurityObjects({
          table: String(r[0]),
          enabled: r[1] === true,
          forced: r[2] === true,
          // json is read as its text (the connector parses no JSON itself).
          policies: (typeof r[3] === 'string' ? JSON.parse(r[3]) : r[3]) as PgRowSecurityRow['policies'],
        }),
      ),
    );
    // The schema's own privileges and default privileges (pg_dump keeps both; left out, the roles the source let in
    // found the target's schema closed, and its new tables without the grants the source's would have had).
    const schemaGrants = (await this.aclsOf('pg_namespace', [schemaOid])).get(schemaOid) ?? [];
    // The public schema as every database is made (USAGE to PUBLIC, from PostgreSQL 15) has nothing of its own to give.
    const builtIn = this.schema === 'public' && schemaGrants.length === 1 && schemaGrants[0]?.grantee === null && schemaGrants[0].privileges.join() === 'USAGE' && !schemaGrants[0].grantable;
    const schemaPrivileges = builtIn ? null : schemaPrivilegesObject(this.schema, schemaGrants);
    const defaults = (await this.defaultAclsOf(schemaOid)).flatMap((d) => renderable('default privileges', d.role, () => [defaultPrivilegesObject(d)]));
    const before = (o: SchemaObject) => o.stage === 'before_tables';
    return [
      ...extensions,
      ...typeObjects(types),
      ...sequences,
      ...functions.flat().filter(before),
      ...functions.flat().filter((o) => !before(o)),
      ...views,
      ...triggers,
      ...security,
      ...(schemaPrivileges ? [schemaPrivileges] : []),
      ...defaults,
    ];
  }
}

/** An object whose catalog text is not in the form expected is not re-created, and says why: one odd function never stops the analysis. */
function renderable(kind: string, name: string, render: () => SchemaObject[]): SchemaObject[] {
  try {
    return render();
  } catch (error) {
    return [{ kind, name, create: [], stage: 'after_data', problem: `its definition could not be read (${errorMessage(error)})` }];
  }
}

/** Each catalog's ACL and owner columns (aclsOf). */
const ACL_COLUMNS = {
  pg_class: ['relacl', 'relowner'],
  pg_proc: ['proacl', 'proowner'],
  pg_type: ['typacl', 'typowner'],
  pg_namespace: ['nspacl', 'nspowner'],
} as const;

interface PartitionRow {
  oid: number;
  parent: number;
  name: string;
  bound: string;
  by?: string;
}

/** A table's storage a PostgreSQL target keeps (TableInfo.storage), or undefined when it has none of its own. */
function tableStorage(unlogged: boolean, parameters: string[]): TableInfo['storage'] {
  // A parameter's name is a word (toast.-qualified); one of another form would not be spelled here, so it is not kept.
  const kept = parameters.filter((p) => /^[a-z_]+(\.[a-z_]+)?=/.test(p));
  if (!unlogged && kept.length === 0) return undefined;
  return { ...(unlogged ? { unlogged } : {}), ...(kept.length ? { parameters: kept } : {}) };
}

/** The partitions directly under `parent`, each with its own (when it is partitioned again). */
function partitionsUnder(rows: PartitionRow[], parent: number): PartitionInfo[] {
  return rows
    .filter((r) => r.parent === parent)
    .map((r) => ({ name: r.name, bound: r.bound, ...(r.by ? { by: r.by, partitions: partitionsUnder(rows, r.oid) } : {}) }));
}

/** `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING …` → `USING …` (the part that names no table). */
export function indexDefinitionAfterTable(indexdef: string): string | null {
  const at = indexdef.indexOf(' USING ');
  return at < 0 ? null : indexdef.slice(at + 1);
}

/** How many renamed forms of an index name (indexName: the table in front, then `_2`, `_3`, …) a retry looks for. */
const RENAMED_INDEX_FORMS = 1000;

/**
 * Which index already on the target table (not one behind a constraint) is the copy an earlier attempt made of the
 * source's `index`, if any: the one of its name, or one of the names indexName gives when that name is taken
 * (`renamed(1)` is the table in front, `renamed(n)` the same with `_n`) and with the same definition. An index that
 * another of the source's indexes took already (`claimed`) is never it: a table may have both `status_idx` and
 * `orders_status_idx`, which is not `status_idx` renamed.
 */
export function ownIndex(
  existing: readonly { name: string; unique: boolean; definition: string | null }[],
  index: { name: string; unique: boolean; definition?: string },
  claimed: ReadonlySet<string>,
  renamed: (n: number) => string,
): string | undefined {
  const free = existing.filter((e) => !claimed.has(e.name));
  if (free.some((e) => e.name === index.name)) return index.name;
  const same = free.filter((e) => e.unique === index.unique && e.definition === index.definition);
  if (same.length === 0) return undefined;
  for (let n = 1; n <= RENAMED_INDEX_FORMS; n++) {
    const name = renamed(n);
    if (same.some((e) => e.name === name)) return name;
  }
  return undefined;
}

export function createPostgresConnector(endpoint: Endpoint): PostgresConnector {
  return new PostgresConnector(endpoint);
}

/** The registry loads this folder lazily and calls this (connectors/registry.ts). */
export const createConnector = createPostgresConnector;
export { openValidationSession } from './session';
export { openUserQueryRunner } from './user-query';
