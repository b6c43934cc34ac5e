/**
 * Snowflake through snowflake-sdk. A chunk is written as a gzip CSV file PUT to a temporary table's stage, COPY INTO
 * that table with ON_ERROR = CONTINUE (VALIDATE names the refused lines, so the rows by key), then one transaction
 * that deletes the chunk's keys from the target and inserts the staged rows: a retried chunk replaces its own rows.
 * Reads are keyset pages with `?` binds; readAll streams. Never run against a live account where Sensei is built:
 * see the README's table of databases.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type * as SnowflakeSdk from 'snowflake-sdk';
import type { Bind, Connection, Pool, RowStatement } from 'snowflake-sdk';
import type { CanonicalType, ColumnMapping, Key, Row, SchemaInfo, TableInfo, TablePlan } from '../../lib/types';
import { hideSecrets } from '../endpoint';
import { checkedAddress } from '../reach';
import { SqlConnector, errorMessage, networkReason, foreignKeyActions, type Exec } from '../sql-connector';
import { ConnectorError, type Endpoint, type FinalizedTable, type IntrospectOptions, type ReadOptions } from '../types';
import { quoteList } from '../../lib/quote';
import { CATALOGUE_SQL as SQL, copySql, csvText, keysetRead, putSql, readExpression, rejectedSql, replaceFromStagingSql, SESSION_SETTINGS, stagingTableSql, afterCondition } from './sql';
import { tablesFromCatalogue, type CatalogueRow } from './catalog';
import { driverOptions, parseSnowflakeUrl, type SnowflakeUrl } from './url';
import { keyValue } from '../../lib/keys';

/** Rows a COPY refused: the copy's isolation then names each by its key (isRowRejection in ./dialect.ts). */
export class SnowflakeRowRejection extends Error {
  override readonly name = 'SnowflakeRowRejection';
  constructor(
    message: string,
    readonly lines: number[],
  ) {
    super(message);
  }
}

type Sdk = typeof SnowflakeSdk;

/** Runs one statement on a connection; rows as arrays (or objects for SHOW), numbers and dates as text. */
export function run(conn: Connection, sql: string, binds: unknown[] = [], rowMode: 'array' | 'object' = 'array'): Promise<{ rows: unknown[]; statement: RowStatement }> {
  return new Promise((resolve, reject) => {
    conn.execute({
      sqlText: sql,
      binds: binds as Bind[],
      rowMode,
      fetchAsString: ['Number', 'Date', 'JSON'],
      complete: (err, statement, rows) => (err ? reject(err) : resolve({ rows: rows ?? [], statement: statement as RowStatement })),
    });
  });
}

/** A connected session with Sensei's settings (UTC, output formats), for the pool and for validation sessions. */
export async function openSession(sdk: Sdk, url: SnowflakeUrl): Promise<Connection> {
  await checkedAddress(`${url.account}.snowflakecomputing.com`);
  const conn = sdk.createConnection(driverOptions(url) as Parameters<Sdk['createConnection']>[0]);
  await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  for (const statement of SESSION_SETTINGS) await run(conn, statement);
  return conn;
}

export async function loadSdk(): Promise<Sdk> {
  const sdk = (await import('snowflake-sdk')) as Sdk & { default?: Sdk };
  const loaded = sdk.default ?? sdk;
  // The driver's own log could carry connection details: Sensei logs for it.
  loaded.configure({ logLevel: 'OFF' });
  return loaded;
}

export class SnowflakeConnector extends SqlConnector {
  readonly dialect = 'snowflake' as const;
  readonly schema: string;
  protected readonly maxParams = 16_384;
  private readonly url: SnowflakeUrl;
  private pool: Promise<Pool<Connection>> | undefined;
  /** Pooled sessions that have Sensei's settings already. */
  private readonly prepared = new WeakSet<Connection>();

  constructor(endpoint: Endpoint) {
    super(endpoint);
    this.url = parseSnowflakeUrl(endpoint.connectionString);
    this.schema = endpoint.schema ?? this.url.schema ?? 'PUBLIC';
    hideSecrets(this, endpoint, { url: this.url });
  }

  /** A few sessions: a transaction belongs to its session, so two chunks never share one. */
  private sessions(): Promise<Pool<Connection>> {
    // The account's host is checked once (lib/reach.ts rules), before the first session.
    this.pool ??= checkedAddress(`${this.url.account}.snowflakecomputing.com`).then(loadSdk).then((sdk) =>
      sdk.createPool({ ...(driverOptions(this.url) as object), account: this.url.account } as Parameters<Sdk['createPool']>[0], {
        max: 4,
        min: 0,
      }) as Pool<Connection>,
    );
    return this.pool;
  }

  private async withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const pool = await this.sessions();
    return pool.use(async (conn: Connection) => {
      if (!this.prepared.has(conn)) {
        for (const statement of SESSION_SETTINGS) await run(conn, statement);
        this.prepared.add(conn);
      }
      return fn(conn);
    }) as Promise<T>;
  }

  protected placeholder(): string {
    return '?';
  }

  protected exec: Exec = (sql, params = []) => this.withSession(async (conn) => (await run(conn, sql, params)).rows as unknown[][]);

  protected async transaction<T>(fn: (exec: Exec) => Promise<T>): Promise<T> {
    return this.withSession(async (conn) => {
      await run(conn, 'BEGIN');
      try {
        const result = await fn(async (sql, params = []) => (await run(conn, sql, params)).rows as unknown[][]);
        await run(conn, 'COMMIT');
        return result;
      } catch (error) {
        await run(conn, 'ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async testConnection(): Promise<{ serverVersion: string }> {
    return this.guard('connect', async () => ({ serverVersion: String((await this.exec('SELECT CURRENT_VERSION()'))[0][0]) }));
  }

  async ensureSchema(): Promise<void> {
    await this.guard('create schema', () => this.exec(`CREATE SCHEMA IF NOT EXISTS ${this.q(this.url.database)}.${this.q(this.schema)}`).then(() => undefined));
  }

  override qt(table: string): string {
    return `${this.q(this.url.database)}.${this.q(this.schema)}.${this.q(table)}`;
  }

  async close(): Promise<void> {
    const pending = this.pool;
    this.pool = undefined;
    if (pending) {
      const pool = await pending.catch(() => undefined);
      await pool?.drain();
      await pool?.clear();
    }
  }

  protected toDriverValue(value: unknown, _type: CanonicalType): unknown {
    if (Buffer.isBuffer(value)) return value.toString('hex');
    return value;
  }

  protected upsertClause(): string {
    throw new ConnectorError('NotSupported', 'snowflake writes a chunk through a stage and a key-range replace (writeRows), not an upsert clause');
  }

  protected override afterCondition(keyColumns: string[], _keyTypes: CanonicalType[], after: Key | null, params: unknown[]): string {
    return after ? ` WHERE ${afterCondition(keyColumns, after, params)}` : '';
  }

  // ---- reads ----

  private async nativeTypes(table: string, columns: string[]): Promise<string[]> {
    const info = await this.table(table);
    return columns.map((c) => info.columns.find((x) => x.name === c)?.nativeType ?? '');
  }

  override async readChunk(table: string, columns: string[], keyColumns: string[], after: Key | null, limit: number, options?: ReadOptions): Promise<Row[]> {
    return this.guard(`read ${table}`, async () => {
      const types = await this.columnTypes(table, columns);
      const { sql, params } = keysetRead(this.qt(table), columns, await this.nativeTypes(table, columns), keyColumns, after, Math.max(1, Math.floor(limit)));
      return this.convertRows(await this.exec(sql, params), types, options);
    });
  }

  override async readKeys(table: string, columns: string[], keyColumns: string[], keys: Key[], options?: ReadOptions): Promise<Row[]> {
    return this.guard(`read keys of ${table}`, async () => {
      if (keyColumns.length === 0 || keys.length === 0) return [];
      const types = await this.columnTypes(table, columns);
      const natives = await this.nativeTypes(table, columns);
      const params: unknown[] = [];
      const matches = keys.map((key) => `(${keyColumns.map((k, i) => (params.push(keyValue(key[i])), `${this.q(k)} = ?`)).join(' AND ')})`);
      const select = columns.map((c, i) => readExpression(c, natives[i])).join(', ');
      return this.convertRows(await this.exec(`SELECT ${select} FROM ${this.qt(table)} WHERE ${matches.join(' OR ')}`, params), types, options);
    });
  }

  async *readAll(table: string, columns: string[], orderBy: string[], batchSize: number, options?: ReadOptions): AsyncIterable<Row[]> {
    const types = await this.columnTypes(table, columns);
    const natives = await this.nativeTypes(table, columns);
    const sql = `SELECT ${columns.map((c, i) => readExpression(c, natives[i])).join(', ')} FROM ${this.qt(table)}${orderBy.length ? ` ORDER BY ${quoteList(this.dialect, orderBy)}` : ''}`;
    const sdk = await loadSdk();
    const conn = await this.guard(`read ${table}`, () => openSession(sdk, this.url));
    try {
      const statement = conn.execute({ sqlText: sql, streamResult: true, rowMode: 'array', fetchAsString: ['Number', 'Date', 'JSON'] });
      let batch: unknown[][] = [];
      for await (const row of statement.streamRows()) {
        batch.push(row as unknown[]);
        if (batch.length >= batchSize) {
          yield this.convertRows(batch, types, options);
          batch = [];
        }
      }
      if (batch.length) yield this.convertRows(batch, types, options);
    } catch (error) {
      throw this.connectorError(error, `read ${table}`);
    } finally {
      await new Promise<void>((resolve) => conn.destroy(() => resolve()));
    }
  }

  // ---- writes ----

  override async writeRows(plan: TablePlan, rows: Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.guard(`write ${plan.target}`, () => this.load(plan, [rows], plan.keyColumns), 'WriteFailed');
  }

  override async replaceAllRows(plan: TablePlan, batches: AsyncIterable<Row[]>): Promise<number> {
    const all: Row[][] = [];
    for await (const batch of batches) all.push(batch);
    return this.guard(`replace rows of ${plan.target}`, () => this.load(plan, all, []), 'WriteFailed');
  }

  /** Each batch staged (PUT + COPY into a temporary table), then the target's keys replaced in one transaction. */
  private async load(plan: TablePlan, batches: Row[][], keyColumns: string[]): Promise<number> {
    const columns = plan.columns.map((c) => ({ name: c.column, type: this.columnType(c) }));
    const types = plan.columns.map((c) => c.canonical);
    const stagingName = `SENSEI_LOAD_${randomBytes(6).toString('hex').toUpperCase()}`;
    const staging = `${this.q(this.url.database)}.${this.q(this.schema)}.${stagingName}`;
    const stage = `@${this.q(this.url.database)}.${this.q(this.schema)}.%${stagingName}`;
    return this.withSession(async (conn) => {
      await run(conn, stagingTableSql(staging, columns));
      try {
        let loaded = 0;
        for (const [index, rows] of batches.entries()) {
          if (rows.length === 0) continue;
          loaded += await this.stageBatch(conn, staging, stage, `chunk-${index}.csv.gz`, columns.map((c) => c.name), rows, types, plan);
        }
        for (const statement of replaceFromStagingSql(this.qt(plan.target), staging, columns, keyColumns)) await run(conn, statement);
        return loaded;
      } catch (error) {
        await run(conn, 'ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        await run(conn, `DROP TABLE IF EXISTS ${staging}`).catch(() => undefined);
      }
    });
  }

  private async stageBatch(conn: Connection, staging: string, stage: string, file: string, columns: string[], rows: Row[], types: CanonicalType[], plan: TablePlan): Promise<number> {
    const dir = await fs.mkdtemp(join(tmpdir(), 'sensei-snowflake-'));
    const local = join(dir, file);
    try {
      await fs.writeFile(local, gzipSync(csvText(rows, types)));
      await run(conn, putSql(local, stage));
      const copy = await run(conn, copySql(staging, stage, file, columns), [], 'object');
      const result = (copy.rows[0] ?? {}) as Record<string, unknown>;
      const errors = Number(result.errors_seen ?? result.ERRORS_SEEN ?? 0);
      if (errors > 0) {
        const refused = (await run(conn, rejectedSql(staging, copy.statement.getQueryId()))).rows as [number, string][];
        const keyAt = (line: number) => plan.keyColumns.map((k) => String(rows[line - 1]?.[plan.columns.findIndex((c) => c.column === k)])).join(', ');
        const named = refused.slice(0, 10).map(([line, error]) => `key (${keyAt(Number(line))}): ${error}`);
        throw new ConnectorError('WriteFailed', `${errors} of ${rows.length} rows refused by ${plan.target}: ${named.join('; ')}`, {
          cause: new SnowflakeRowRejection(String(refused[0]?.[1] ?? result.first_error ?? 'row refused'), refused.map(([line]) => Number(line))),
        });
      }
      return Number(result.rows_loaded ?? result.ROWS_LOADED ?? rows.length);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  // ---- DDL ----

  /** Snowflake has no secondary indexes; foreign keys are declared (not enforced), once. */
  override async createIndexesAndForeignKeys(plan: TablePlan): Promise<FinalizedTable> {
    // Declared only, never checked: no row breaks one.
    await this.guard(`create foreign keys of ${plan.target}`, async () => {
      const existing = await this.withSession(async (conn) => (await run(conn, `SHOW IMPORTED KEYS IN TABLE ${this.qt(plan.target)}`, [], 'object')).rows as CatalogueRow[]);
      for (const fk of plan.source.foreignKeys) {
        if (existing.some((r) => String(r.fk_name) === this.fitName(fk.name))) continue;
        await this.exec(
          `ALTER TABLE ${this.qt(plan.target)} ADD CONSTRAINT ${this.q(this.fitName(fk.name))} FOREIGN KEY (${quoteList(this.dialect, fk.columns)}) REFERENCES ${this.qt(fk.referencedTable)} (${quoteList(this.dialect, fk.referencedColumns)})${foreignKeyActions(fk)}`,
        );
      }
    });
    return { unchecked: [], refused: [] };
  }

  protected override booleanLiteral(value: boolean): string {
    return value ? 'TRUE' : 'FALSE';
  }

  /** Keys only: Snowflake has no CHECK constraint, and the plan says of each CHECK that it is not migrated (TypeMap.checkRefusal). */
  protected override tableConstraints(plan: TablePlan): string[] {
    const out: string[] = [];
    if (plan.source.primaryKey.length) out.push(`PRIMARY KEY (${quoteList(this.dialect, plan.source.primaryKey)})`);
    for (const u of plan.source.uniqueConstraints) out.push(`UNIQUE (${quoteList(this.dialect, u.columns)})`);
    return out;
  }

  /** Type, DEFAULT, NOT NULL. No CHECK (Snowflake has none: an enum's labels are said in the plan instead) and no identity (copied values are kept as they are). */
  protected override columnDefinition(plan: TablePlan, c: ColumnMapping): string {
    const source = plan.source.columns.find((x) => x.name === c.column);
    const dflt = c.canonical.autoIncrement ? '' : this.defaultClause(c, source?.default ?? null);
    return `${this.q(c.column)} ${this.columnType(c)}${dflt ? ' ' + dflt : ''}${c.nullable ? '' : ' NOT NULL'}`;
  }

  protected async tableExists(table: string): Promise<boolean> {
    return (await this.exec(`SELECT 1 FROM ${this.q(this.url.database)}.INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, [this.schema, table])).length > 0;
  }

  protected async dropTable(table: string): Promise<void> {
    await this.exec(`DROP TABLE ${this.qt(table)}`);
  }

  protected classify(error: unknown, action: string): ConnectorError {
    const message = errorMessage(error);
    const code = String((error as { code?: unknown }).code ?? '');
    if (code === '390100' || code === '390144' || /JWT token is invalid|Incorrect username or password/i.test(message)) {
      return new ConnectorError('AuthenticationFailed', `${action}: ${this.label()} refused the credentials`);
    }
    if (code === '2003' || code === '002003') return new ConnectorError('TableNotFound', `${action}: ${message}`);
    const network = networkReason(error);
    if (network) return new ConnectorError('ConnectionFailed', `cannot connect to ${this.label()}: ${network}`);
    return new ConnectorError('QueryFailed', `${action} failed on ${this.label()}: ${message}`);
  }

  // ---- introspection ----

  override async introspect(options: IntrospectOptions = {}): Promise<SchemaInfo> {
    return this.describeTables(options);
  }

  protected async introspectTables(options: IntrospectOptions): Promise<TableInfo[]> {
    const info = `${this.q(this.url.database)}.INFORMATION_SCHEMA`;
    const scope = `${this.q(this.url.database)}.${this.q(this.schema)}`;
    const catalogue = await this.withSession(async (conn) => ({
      tables: (await run(conn, SQL.tables.replace('INFORMATION_SCHEMA', info), [this.schema], 'object')).rows as CatalogueRow[],
      columns: (await run(conn, SQL.columns.replace('INFORMATION_SCHEMA', info), [this.schema], 'object')).rows as CatalogueRow[],
      primaryKeys: (await run(conn, `${SQL.primaryKeys} ${scope}`, [], 'object')).rows as CatalogueRow[],
      uniqueKeys: (await run(conn, `${SQL.uniqueKeys} ${scope}`, [], 'object')).rows as CatalogueRow[],
      foreignKeys: (await run(conn, `${SQL.foreignKeys} ${scope}`, [], 'object')).rows as CatalogueRow[],
    }));
    const tables = tablesFromCatalogue(catalogue);
    return options.tables ? tables.filter((t) => options.tables?.includes(t.name)) : tables;
  }
}

export function createSnowflakeConnector(endpoint: Endpoint): SnowflakeConnector {
  return new SnowflakeConnector(endpoint);
}

/** The registry loads this folder lazily and calls this (connectors/registry.ts). */
export const createConnector = createSnowflakeConnector;
export { openValidationSession } from './session';
export { openUserQueryRunner } from './user-query';
