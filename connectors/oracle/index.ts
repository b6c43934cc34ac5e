/**
 * Oracle through node-oracledb in Thin mode (pure JavaScript). Reads are keyset pages with bind variables and FETCH
 * FIRST; a chunk is written in one transaction as executeMany DELETEs of its keys then executeMany INSERTs with
 * batchErrors, so a row the database refuses is named (by its key, through the copy's isolation) and nothing of the
 * chunk is kept. Never run against a live server on the machines Sensei is built on: see the README's table.
 */
import type { CanonicalType, ColumnMapping, Key, Row, SchemaInfo, TableInfo, TablePlan } from '../../lib/types';
import { ansiLiteral } from '../dialect';
import { hideSecrets } from '../endpoint';
import { SqlConnector, errorMessage, networkReason, type Exec } from '../sql-connector';
import { ConnectorError, type Endpoint, type IntrospectOptions, type ReadOptions } from '../types';
import { CATALOGUE_SQL, sequencesFromCatalogue, tablesFromCatalogue, type CatalogueRow, type OracleCatalogue } from './catalog';
import { bindDefinition, connectionOptions, fetchTypeHandler, loadOracleDb, type OracleConnection, type OracleDb, type OraclePool } from './driver';
import { afterCondition, bindExpression, bindValue, chunkWrite, firstRowsClause, keysetRead, placeholder, readExpression, restartIdentitySql, withIsoYears } from './sql';
import { maxNameBytesFor } from './types';
import { defaultOracleSchema, parseOracleUrl, type OracleUrl } from './url';
import { utf8Length } from '../../lib/identifiers';
import { renderCheck } from '../../lib/typemap/check';
import { checkTargetOf, columnCheckFor } from '../../lib/mapping';
import { keyValue } from '../../lib/keys';

export class OracleConnector extends SqlConnector {
  readonly dialect = 'oracle' as const;
  readonly schema: string;
  /** Oracle binds at most 65,535 values per statement; executeMany binds one row at a time. */
  protected readonly maxParams = 65_535;
  private readonly url: OracleUrl;
  private pool: Promise<{ db: OracleDb; pool: OraclePool }> | undefined;
  private version: string | undefined;

  constructor(endpoint: Endpoint) {
    super(endpoint);
    this.url = parseOracleUrl(endpoint.connectionString);
    this.schema = endpoint.schema ?? defaultOracleSchema(this.url.user);
    hideSecrets(this, endpoint, { url: this.url });
  }

  private driver(): Promise<{ db: OracleDb; pool: OraclePool }> {
    this.pool ??= (async () => {
      const db = await loadOracleDb();
      const pool = await db.createPool({ ...(await connectionOptions(this.url)), poolMin: 0, poolMax: 4, poolIncrement: 1 });
      return { db, pool };
    })();
    this.pool.catch(() => (this.pool = undefined));
    return this.pool;
  }

  private async withConnection<T>(fn: (conn: OracleConnection, db: OracleDb) => Promise<T>): Promise<T> {
    const { db, pool } = await this.driver();
    const conn = await pool.getConnection();
    try {
      return await fn(conn, db);
    } finally {
      await conn.close();
    }
  }

  private static run(conn: OracleConnection, db: OracleDb, sql: string, params: unknown[] = []): Promise<unknown[][]> {
    return conn.execute(sql, params, { outFormat: db.OUT_FORMAT_ARRAY, fetchTypeHandler: fetchTypeHandler(db) }).then((r) => (r.rows ?? []) as unknown[][]);
  }

  protected placeholder(index: number): string {
    return placeholder(index);
  }

  protected exec: Exec = (sql, params = []) => this.withConnection((conn, db) => OracleConnector.run(conn, db, sql, params).then(async (rows) => (await conn.commit(), rows)));

  protected async transaction<T>(fn: (exec: Exec) => Promise<T>): Promise<T> {
    return this.withConnection(async (conn, db) => {
      try {
        const result = await fn((sql, params = []) => OracleConnector.run(conn, db, sql, params));
        await conn.commit();
        return result;
      } catch (error) {
        await conn.rollback().catch(() => undefined);
        throw error;
      }
    });
  }

  protected override limitClause(limit: number, offset?: number): string {
    return firstRowsClause(limit, offset);
  }

  async testConnection(): Promise<{ serverVersion: string }> {
    return this.guard('connect', async () => {
      // VERSION (every release; VERSION_FULL only since 18c) is enough to tell a 12.1 server's 30-byte names.
      const rows = await this.exec("SELECT VERSION FROM PRODUCT_COMPONENT_VERSION WHERE PRODUCT LIKE 'Oracle%' AND ROWNUM = 1");
      this.version = String(rows[0]?.[0] ?? '');
      return { serverVersion: this.version };
    });
  }

  /** 128 bytes, or 30 on a 12.1 server: a name over the limit is refused before anything is created. */
  private async checkNameLength(names: string[]): Promise<void> {
    if (this.version === undefined) await this.testConnection();
    const limit = maxNameBytesFor(this.version ?? '');
    const long = names.filter((n) => utf8Length(n) > limit);
    if (long.length) {
      throw new ConnectorError('NotSupported', `this Oracle server (${this.version}) keeps names of at most ${limit} bytes: ${long.join(', ')} ${long.length > 1 ? 'are' : 'is'} longer`);
    }
  }

  async ensureSchema(): Promise<void> {
    await this.guard('find the schema', async () => {
      const rows = await this.exec('SELECT 1 FROM ALL_USERS WHERE USERNAME = :1', [this.schema]);
      // An Oracle schema is a user: creating one needs rights Sensei should not ask for.
      if (rows.length === 0) throw new ConnectorError('SchemaNotFound', `oracle schema (user) ${this.schema} does not exist; create the user first`);
    });
  }

  async close(): Promise<void> {
    const pending = this.pool;
    this.pool = undefined;
    if (pending) await (await pending.catch(() => undefined))?.pool.close(0);
  }

  protected toDriverValue(value: unknown, type: CanonicalType): unknown {
    return bindValue(value, type);
  }

  protected upsertClause(): string {
    throw new ConnectorError('NotSupported', 'oracle writes a chunk as DELETE of its keys then INSERT (writeRows), not as an upsert clause');
  }

  // ---- reads ----

  private async nativeTypes(table: string, columns: string[]): Promise<string[]> {
    const info = await this.table(table);
    return columns.map((c) => info.columns.find((x) => x.name === c)?.nativeType ?? '');
  }

  protected override selectList(columns: string[]): string {
    throw new ConnectorError('QueryFailed', `selectList needs native types in oracle (${columns.length} columns)`);
  }

  override async readChunk(table: string, columns: string[], keyColumns: string[], after: Key | null, limit: number, options?: ReadOptions): Promise<Row[]> {
    return this.guard(`read ${table}`, async () => {
      const types = await this.columnTypes(table, columns);
      const spec = { table: this.qt(table), columns, nativeTypes: await this.nativeTypes(table, columns), keyColumns, keyTypes: await this.columnTypes(table, keyColumns) };
      const { sql, params } = keysetRead(spec, after, Math.max(1, Math.floor(limit)));
      return this.convertRows(withIsoYears(await this.exec(sql, params), spec.nativeTypes), types, options);
    });
  }

  override async readKeys(table: string, columns: string[], keyColumns: string[], keys: Key[], options?: ReadOptions): Promise<Row[]> {
    return this.guard(`read keys of ${table}`, async () => {
      if (keyColumns.length === 0 || keys.length === 0) return [];
      const types = await this.columnTypes(table, columns);
      const keyTypes = await this.columnTypes(table, keyColumns);
      const natives = await this.nativeTypes(table, columns);
      const select = columns.map((c, i) => readExpression(c, natives[i])).join(', ');
      const params: unknown[] = [];
      const matches = keys.map((key) => `(${keyColumns.map((k, i) => (params.push(bindValue(keyValue(key[i]), keyTypes[i])), `${this.q(k)} = ${bindExpression(placeholder(params.length - 1), keyTypes[i])}`)).join(' AND ')})`);
      return this.convertRows(withIsoYears(await this.exec(`SELECT ${select} FROM ${this.qt(table)} WHERE ${matches.join(' OR ')}`, params), natives), types, options);
    });
  }

  async *readAll(table: string, columns: string[], orderBy: string[], batchSize: number, options?: ReadOptions): AsyncIterable<Row[]> {
    const types = await this.columnTypes(table, columns);
    const natives = await this.nativeTypes(table, columns);
    const sql = `SELECT ${columns.map((c, i) => readExpression(c, natives[i])).join(', ')} FROM ${this.qt(table)}${orderBy.length ? ` ORDER BY ${orderBy.map((c) => this.q(c)).join(', ')}` : ''}`;
    const { db, pool } = await this.guard(`read ${table}`, () => this.driver());
    const conn = await this.guard(`read ${table}`, () => pool.getConnection());
    try {
      const result = await this.guard(`read ${table}`, () => conn.execute(sql, [], { outFormat: db.OUT_FORMAT_ARRAY, resultSet: true, fetchTypeHandler: fetchTypeHandler(db) }));
      const rs = result.resultSet as NonNullable<typeof result.resultSet>;
      try {
        for (;;) {
          const rows = await this.guard(`read ${table}`, () => rs.getRows(batchSize));
          if (rows.length === 0) break;
          yield this.convertRows(withIsoYears(rows as unknown[][], natives), types, options);
        }
      } finally {
        await rs.close();
      }
    } finally {
      await conn.close();
    }
  }

  // ---- writes ----

  /** One chunk in one transaction: the rows of its keys deleted, then its rows inserted; any row error rolls back all of it. */
  override async writeRows(plan: TablePlan, rows: Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.guard(`write ${plan.target}`, () => this.withConnection((conn) => this.writeInTransaction(conn, plan, rows, true)), 'WriteFailed');
  }

  override async replaceAllRows(plan: TablePlan, batches: AsyncIterable<Row[]>): Promise<number> {
    return this.guard(
      `replace rows of ${plan.target}`,
      () =>
        this.withConnection(async (conn) => {
          try {
            await conn.execute(`DELETE FROM ${this.qt(plan.target)}`);
            let written = 0;
            for await (const batch of batches) written += await this.insertBatch(conn, plan, batch);
            await conn.commit();
            return written;
          } catch (error) {
            await conn.rollback().catch(() => undefined);
            throw error;
          }
        }),
      'WriteFailed',
    );
  }

  private async writeInTransaction(conn: OracleConnection, plan: TablePlan, rows: Row[], replaceKeys: boolean): Promise<number> {
    try {
      const columns = plan.columns.map((c) => c.column);
      const types = plan.columns.map((c) => c.canonical);
      if (replaceKeys && plan.keyColumns.length) {
        const { deleteSql } = chunkWrite(this.qt(plan.target), columns, types, plan.keyColumns);
        const positions = plan.keyColumns.map((k) => columns.indexOf(k));
        await conn.executeMany(
          deleteSql,
          rows.map((r) => positions.map((p) => bindValue(r[p], types[p]))),
          { autoCommit: false },
        );
      }
      const written = await this.insertBatch(conn, plan, rows);
      await conn.commit();
      return written;
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    }
  }

  /** executeMany with batchErrors: every row is tried; the first row error (with the rows' offsets) fails the chunk. */
  private async insertBatch(conn: OracleConnection, plan: TablePlan, rows: Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    const columns = plan.columns.map((c) => c.column);
    const types = plan.columns.map((c) => c.canonical);
    const { insertSql } = chunkWrite(this.qt(plan.target), columns, types, plan.keyColumns);
    for (const row of rows) {
      if (row.length !== columns.length) throw new ConnectorError('WriteFailed', `row has ${row.length} values but table ${plan.target} is written with ${columns.length} columns`);
    }
    const binds = rows.map((r) => r.map((v, i) => bindValue(v, types[i])));
    const result = await conn.executeMany(insertSql, binds, { autoCommit: false, batchErrors: true, bindDefs: this.bindDefs(plan, binds, await loadOracleDbCached()) });
    const errors = result.batchErrors ?? [];
    if (errors.length) {
      const offsets = errors.map((e) => e.offset).filter((o) => o !== undefined);
      const first = errors[0];
      throw new ConnectorError('WriteFailed', `${errors.length} of ${rows.length} rows refused by ${plan.target} (rows ${offsets.slice(0, 10).join(', ')} of the batch): ${first.message}`, { cause: first });
    }
    return rows.length;
  }

  /** Each column's bind type (driver.ts bindDefinition). */
  private bindDefs(plan: TablePlan, binds: unknown[][], db: OracleDb): Record<string, unknown>[] {
    return plan.columns.map((c, i) => bindDefinition(db, this.columnType(c), c.canonical, binds.map((r) => r[i])));
  }

  // ---- DDL ----

  override async createTable(plan: TablePlan, options: { replace: boolean }): Promise<void> {
    await this.guard(`create table ${plan.target}`, () => this.checkNameLength([plan.target, ...plan.columns.map((c) => c.column)]));
    await super.createTable(plan, options);
  }

  protected override identityClause(plan: TablePlan, c: ColumnMapping): string {
    // BY DEFAULT ON NULL: copied values are taken as they are; the position is moved past them after the load.
    return c.canonical.autoIncrement && plan.columns.filter((x) => x.canonical.autoIncrement).indexOf(c) === 0 ? 'GENERATED BY DEFAULT ON NULL AS IDENTITY' : '';
  }

  /** Oracle's order: type, identity, DEFAULT, then constraints (NOT NULL, CHECK); DEFAULT after NOT NULL is a syntax error. */
  protected override columnDefinition(plan: TablePlan, c: ColumnMapping): string {
    let def = `${this.q(c.column)} ${this.columnType(c)}`;
    const identity = this.identityClause(plan, c);
    if (identity) def += ' ' + identity;
    const source = plan.source.columns.find((x) => x.name === c.column);
    const dflt = identity ? '' : this.defaultClause(c, source?.default ?? null);
    if (dflt) def += ' ' + dflt;
    if (!c.nullable) def += ' NOT NULL';
    const labels = c.canonical.kind === 'enum' ? (c.canonical.values ?? []).map((v) => ansiLiteral(v)).join(', ') : '';
    if (labels) def += ` CHECK (${this.q(c.column)} IN (${labels}))`;
    // A domain's or YEAR's CHECK from another dialect (CanonicalType.check), named so the name is unique in the schema;
    // left out where it no longer fits the column's final type (see SqlConnector.columnDefinition).
    const own = plan.native ? null : columnCheckFor(c, checkTargetOf(plan.columns, this.dialect));
    if (own && 'portable' in own) {
      // The plan's name when it had to differ from checkName's (another CHECK of the schema had it: lib/mapping.ts).
      const name = c.checkName ?? checkName(plan.target, `${c.column}_CK`, this.fitName.bind(this));
      def += ` CONSTRAINT ${this.q(name)} CHECK (${renderCheck(own.portable, (n) => this.q(n))})`;
    }
    return def;
  }

  /**
   * Keys as the base writes them; the portable CHECKs named with their table in front: a constraint's name is unique
   * in an Oracle schema, while PostgreSQL and MariaDB keep check names per table.
   */
  protected override tableConstraints(plan: TablePlan): string[] {
    const out: string[] = [];
    const pk = plan.source.primaryKey;
    if (pk.length) out.push(`PRIMARY KEY (${pk.map((c) => this.q(c)).join(', ')})`);
    for (const u of plan.source.uniqueConstraints) out.push(`UNIQUE (${u.columns.map((c) => this.q(c)).join(', ')})`);
    for (const c of plan.native ? [] : (plan.source.checks ?? [])) {
      // The plan's name is unique in the schema (lib/mapping.ts nameChecks); plans made before it had one are named here.
      const name = c.targetName ?? checkName(plan.target, c.name, this.fitName.bind(this));
      if (c.portable) out.push(`CONSTRAINT ${this.q(name)} CHECK (${renderCheck(c.portable, (n) => this.q(n))})`);
    }
    return out;
  }

  /** Index names are unique per schema: a name another table's index has gets the table prefixed. */
  protected override async indexName(table: string, name: string): Promise<string> {
    const taken = await this.exec('SELECT 1 FROM ALL_INDEXES WHERE OWNER = :1 AND INDEX_NAME = :2', [this.schema, name]);
    return taken.length ? this.fitName(`${table}_${name}`) : name;
  }

  protected override afterCondition(keyColumns: string[], keyTypes: CanonicalType[], after: Key | null, params: unknown[]): string {
    return after ? ` WHERE ${afterCondition(keyColumns, keyTypes, after, params)}` : '';
  }

  protected override booleanLiteral(value: boolean): string {
    return value ? '1' : '0';
  }

  protected override async afterLoad(plan: TablePlan): Promise<void> {
    const identity = plan.columns.find((c) => this.identityClause(plan, c) !== '');
    if (identity) await this.exec(restartIdentitySql(this.qt(plan.target), identity.column));
  }

  protected async tableExists(table: string): Promise<boolean> {
    return (await this.exec('SELECT 1 FROM ALL_TABLES WHERE OWNER = :1 AND TABLE_NAME = :2', [this.schema, table])).length > 0;
  }

  protected async dropTable(table: string): Promise<void> {
    await this.exec(`DROP TABLE ${this.qt(table)} CASCADE CONSTRAINTS PURGE`);
  }

  protected classify(error: unknown, action: string): ConnectorError {
    const message = errorMessage(error);
    const errorNum = (error as { errorNum?: number }).errorNum;
    if (errorNum === 1017) return new ConnectorError('AuthenticationFailed', `${action}: ${this.label()} refused the user name or password`);
    if (errorNum === 942) return new ConnectorError('TableNotFound', `${action}: ${message}`);
    if (errorNum === 12514 || errorNum === 12505) return new ConnectorError('ConnectionFailed', `${action}: ${this.label()} does not know that service`);
    const network = networkReason(error) ?? (/NJS-50[0-9]|NJS-040|ECONNREFUSED/.test(message) ? 'cannot reach the server' : undefined);
    if (network) return new ConnectorError('ConnectionFailed', `cannot connect to ${this.label()}: ${network}`);
    return new ConnectorError('QueryFailed', `${action} failed on ${this.label()}: ${message}`);
  }

  // ---- introspection ----

  override async introspect(options: IntrospectOptions = {}): Promise<SchemaInfo> {
    const schema = await this.describeTables(options);
    const sequences = await this.guard('introspect', () => this.catalogue('sequences'));
    return { ...schema, objects: sequencesFromCatalogue(sequences) };
  }

  private async catalogue(part: keyof OracleCatalogue): Promise<CatalogueRow[]> {
    return this.withConnection(async (conn, db) => (await conn.execute(CATALOGUE_SQL[part], { owner: this.schema }, { outFormat: db.OUT_FORMAT_OBJECT, fetchTypeHandler: fetchTypeHandler(db) })).rows as CatalogueRow[]);
  }

  protected async introspectTables(options: IntrospectOptions): Promise<TableInfo[]> {
    const catalogue: OracleCatalogue = {
      tables: await this.catalogue('tables'),
      columns: await this.catalogue('columns'),
      constraints: await this.catalogue('constraints'),
      indexes: await this.catalogue('indexes'),
      sequences: [],
    };
    const tables = tablesFromCatalogue(catalogue, this.schema);
    return options.tables ? tables.filter((t) => options.tables?.includes(t.name)) : tables;
  }
}

/** `<table>_<name>` (the name alone when it already starts with the table's), fitted to the name limit. */
export function checkName(table: string, name: string, fit: (name: string) => string): string {
  return fit(name.startsWith(`${table}_`) ? name : `${table}_${name}`);
}

let cachedDb: Promise<OracleDb> | undefined;
function loadOracleDbCached(): Promise<OracleDb> {
  cachedDb ??= loadOracleDb();
  return cachedDb;
}

export function createOracleConnector(endpoint: Endpoint): OracleConnector {
  return new OracleConnector(endpoint);
}

/** The registry loads this folder lazily and calls this (connectors/registry.ts). */
export const createConnector = createOracleConnector;
export { openValidationSession } from './session';
export { openUserQueryRunner } from './user-query';
