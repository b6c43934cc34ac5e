/** PostgreSQL through node-postgres (pg). */
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { Pool, types as pgTypes, type PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { quoteList } from '../../lib/quote';
import { databaseSocket } from '../../lib/reach';
import { toCanonical } from './types';
import type { CanonicalType, ForeignKeyInfo, Row, TableInfo, TablePlan, ColumnMapping } from '../../lib/types';
import { hideSecrets } from '../endpoint';
import { keyRange, keyTypesOf, rangeSafe } from '../key-range';
import { batchesAsText, copyTextToLoadData, escapeField, rowsAsText, type FieldFormatter } from '../text-load';
import { SqlConnector, errorMessage, networkReason, type Exec } from '../sql-connector';
import {
  ConnectorError,
  type Endpoint,
  type IntrospectOptions,
  type KeyRange,
  type LoadTextFormat,
  type TextChunkSource,
  type TextChunkTarget,
} from '../types';
import { parsePostgresUrl } from './url';

/**
 * Types read as the server's exact text (then normalised in lib/values): int8, numeric, date/time types,
 * json/jsonb. Set per pool, so pg's process-wide parsers stay untouched for everyone else.
 */
const RAW_TEXT_OIDS = new Set([20, 1700, 1082, 1083, 1114, 1184, 1266, 114, 3802]);
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    RAW_TEXT_OIDS.has(oid) ? (value: string) => value : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
};

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

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

export interface PostgresOptions {
  /** Connections kept by the pool (default 4). */
  poolSize?: number;
  /** Milliseconds to wait for a connection (default 8000). */
  connectTimeoutMs?: number;
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
      options: '-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=3',
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
            await client.query(`DELETE FROM ${this.qt(plan.target)} WHERE ${where}`, [...bounds.first, ...bounds.last]);
          }
          await this.copyIn(client, plan, rowsAsText(rows, plan.columns.map(() => copyField)));
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
          await client.query(`DELETE FROM ${this.qt(plan.target)}`);
          let written = 0;
          await this.copyIn(client, plan, batchesAsText(batches, plan.columns.map(() => copyField), (n) => (written += n)));
          return written;
        }),
      'WriteFailed',
    );
  }

  // ---- the pass-through path: COPY … TO STDOUT straight into the target's loader ----

  canRenderText(plan: TablePlan, format: LoadTextFormat): boolean {
    if (!rangeSafe(keyTypesOf(plan))) return false;
    // For these types the server's output text means the same value as the canonical text the row path sends (for
    // PostgreSQL targets: the same input; timestamptz as +00 instead of Z), so the target parses both alike.
    if (!plan.columns.every(textSafe)) return false;
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
      `COPY (SELECT ${exprs.join(', ')} FROM ${this.qt(plan.source.name)} WHERE ${this.rangeCondition(plan.keyColumns, keyTypes, range, null)}` +
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
          await client.query(`DELETE FROM ${this.qt(plan.target)} WHERE ${this.rangeCondition(plan.keyColumns, keyTypes, range, params)}`, params);
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
    await this.guard('create schema', () => this.exec(`CREATE SCHEMA IF NOT EXISTS ${this.q(this.schema)}`));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  protected toDriverValue(value: unknown, _type: CanonicalType): unknown {
    // pg binds strings, numbers, booleans and Buffers as the column needs; canonical values already fit.
    return value;
  }

  protected upsertClause(plan: TablePlan): string {
    const keys = plan.keyColumns.map((k) => this.q(k)).join(', ');
    const others = plan.columns.filter((c) => !plan.keyColumns.includes(c.column));
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

  protected async tableExists(table: string): Promise<boolean> {
    const rows = await this.exec('SELECT to_regclass($1) IS NOT NULL', [this.qt(table)]);
    return rows[0][0] === true;
  }

  protected async dropTable(table: string): Promise<void> {
    // CASCADE drops foreign keys of other tables that point here; they are re-created after the load.
    await this.exec(`DROP TABLE ${this.qt(table)} CASCADE`);
  }

  protected override async indexName(table: string, name: string): Promise<string> {
    const taken = await this.exec('SELECT to_regclass($1) IS NOT NULL', [`${this.q(this.schema)}.${this.q(name)}`]);
    return taken[0][0] === true ? this.fitName(`${table}_${name}`) : name;
  }

  protected override async afterLoad(plan: TablePlan): Promise<void> {
    for (const c of plan.columns) {
      if (!this.identityClause(plan, c)) continue;
      // The next generated value follows the copied rows instead of colliding with them.
      await this.exec(
        `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX(${this.q(c.column)}), 0) + 1, false) FROM ${this.qt(plan.target)}`,
        [this.qt(plan.target), this.fitName(c.column)],
      );
    }
  }

  async *readAll(table: string, columns: string[], orderBy: string[], batchSize: number): AsyncIterable<Row[]> {
    const types = await this.columnTypes(table, columns);
    const orderTypes = await this.columnTypes(table, orderBy);
    // json has no ordering operator; its text orders deterministically.
    const order = orderBy.map((c, i) => (orderTypes[i].kind === 'json' ? `${this.q(c)}::text` : this.q(c))).join(', ');
    const client: PoolClient = await this.guard(`read ${table}`, () => this.pool.connect());
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE sensei_all NO SCROLL CURSOR FOR SELECT ${columns.map((c) => this.q(c)).join(', ')} FROM ${this.qt(table)}${order ? ' ORDER BY ' + order : ''}`);
      for (;;) {
        const result = await this.guard(`read ${table}`, () => client.query({ text: `FETCH ${Math.max(1, batchSize)} FROM sensei_all`, rowMode: 'array' }));
        if (result.rows.length === 0) break;
        yield this.convertRows(result.rows as unknown[][], types);
      }
      await client.query('COMMIT');
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
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
    if (code === '3F000') return new ConnectorError('SchemaNotFound', `${action}: ${errorMessage(error)}`);
    return new ConnectorError('QueryFailed', `${action} failed on ${where}: ${errorMessage(error)}`);
  }

  // ---- introspection ----

  protected async introspectTables(options: IntrospectOptions): Promise<TableInfo[]> {
    const schemaRows = await this.exec('SELECT oid FROM pg_namespace WHERE nspname = $1', [this.schema]);
    if (schemaRows.length === 0) throw new ConnectorError('SchemaNotFound', `schema "${this.schema}" does not exist in ${this.label()}`);
    const filter = options.tables ?? null;
    const tableRows = await this.exec(
      `SELECT c.oid, c.relname, GREATEST(c.reltuples, 0)::bigint::text
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
        ORDER BY c.relname`,
      [this.schema, filter],
    );
    const oids = tableRows.map((r) => Number(r[0]));
    if (oids.length === 0) return [];
    const [columns, constraints, indexes] = await Promise.all([this.columnsOf(oids), this.constraintsOf(oids), this.indexesOf(oids)]);
    return tableRows.map((r) => {
      const oid = Number(r[0]);
      const cons = constraints.filter((c) => c.oid === oid);
      return {
        name: String(r[1]),
        columns: columns.filter((c) => c.oid === oid).map((c) => c.column),
        primaryKey: cons.find((c) => c.type === 'p')?.columns ?? [],
        foreignKeys: cons.filter((c) => c.type === 'f').map((c) => c.fk as ForeignKeyInfo),
        uniqueConstraints: cons.filter((c) => c.type === 'u').map((c) => ({ name: c.name, columns: c.columns })),
        indexes: indexes.filter((i) => i.oid === oid).map(({ oid: _oid, ...index }) => index),
        rowEstimate: Number(r[2]),
      };
    });
  }

  private async columnsOf(oids: number[]) {
    const rows = await this.exec(
      `SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
              pg_get_expr(d.adbin, d.adrelid), a.attidentity <> '', t.typtype,
              (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
         FROM pg_attribute a
         JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
      [oids],
    );
    return rows.map((r) => {
      const dflt = (r[4] as string | null) ?? null;
      const nativeType = String(r[2]);
      return {
        oid: Number(r[0]),
        column: {
          name: String(r[1]),
          nativeType,
          type: toCanonical({ formatted: nativeType, default: dflt, identity: r[5] === true, typtype: String(r[6]), enumLabels: (r[7] as string[] | null) ?? undefined }),
          nullable: r[3] !== true,
          default: dflt,
        },
      };
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
              c.confdeltype, c.confupdtype
         FROM pg_constraint c LEFT JOIN pg_class rc ON rc.oid = c.confrelid
        WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('p', 'u', 'f')
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
        fk:
          r[2] === 'f'
            ? {
                name: String(r[1]),
                columns,
                referencedTable: String(r[4]),
                referencedColumns: r[5] as string[],
                onDelete: FK_ACTIONS[String(r[6])],
                onUpdate: FK_ACTIONS[String(r[7])],
              }
            : undefined,
      };
    });
  }

  /** Secondary indexes on plain columns: not the primary key, not those behind constraints, no expression or partial ones. */
  private async indexesOf(oids: number[]) {
    const rows = await this.exec(
      `SELECT ix.indrelid, i.relname, ix.indisunique,
              ARRAY(SELECT a.attname::text FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, o)
                      JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o)
         FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
        WHERE ix.indrelid = ANY($1::oid[]) AND NOT ix.indisprimary AND ix.indpred IS NULL AND ix.indexprs IS NULL
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)
        ORDER BY ix.indrelid, i.relname`,
      [oids],
    );
    return rows.map((r) => ({ oid: Number(r[0]), name: String(r[1]), unique: r[2] === true, columns: r[3] as string[] }));
  }
}

export function createPostgresConnector(endpoint: Endpoint): PostgresConnector {
  return new PostgresConnector(endpoint);
}

/** The registry loads this folder lazily and calls this (connectors/registry.ts). */
export const createConnector = createPostgresConnector;
export { openValidationSession } from './session';
export { openUserQueryRunner } from './user-query';
