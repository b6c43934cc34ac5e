/**
 * What the SQL dialects share (after knex's client/dialect split): keyset reads, batched idempotent writes,
 * table DDL, indexes and foreign keys. Each dialect overrides only how it talks to its driver and what differs.
 */
import { fitName } from '../lib/identifiers';
import { TEMPORAL_DEFAULT_KINDS, checkTargetOf, columnCheckFor, indexFit, currentTimeDefault, enumLabelsChecked, portableDefault, zeroDateDefault } from '../lib/mapping';
import { isNotAllowed } from '../lib/reach';
import { quoteIdentifier, quoteList, quoteLiteral } from '../lib/quote';
import { targetType } from '../lib/typemap';
import { checkForTarget, renderCheck, renderIndexKey } from '../lib/typemap/check';
import { crossType } from '../lib/typemap/common';
import { toCanonicalValue } from '../lib/values';
import { keyPart, keyValue } from '../lib/keys';
import type { CanonicalType, ColumnInfo, ColumnMapping, Dialect, Key, KeyPart, Row, SchemaInfo, TableInfo, TablePlan } from '../lib/types';
import { dialectNamed } from './dialects';
import { endpointLabel, scrub } from './endpoint';
import { ConnectorError, type Connector, type Endpoint, type FinalizedTable, type IntrospectOptions, type KeyRange, type NativeTypeChoice, type ReadOptions } from './types';

/** Runs one statement and returns its rows as arrays (column order as selected). */
export type Exec = (sql: string, params?: unknown[]) => Promise<unknown[][]>;

/** Upper bound of bytes per INSERT batch, well under every server's packet limit (MySQL max_allowed_packet ≥ 16 MiB). */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export abstract class SqlConnector implements Connector {
  abstract readonly dialect: Dialect;
  abstract readonly schema: string;
  /** Bound parameters one statement may carry. */
  protected abstract readonly maxParams: number;
  private readonly tableCache = new Map<string, TableInfo>();

  constructor(protected readonly endpoint: Endpoint) {}

  // ---- what each dialect provides ----
  abstract testConnection(): Promise<{ serverVersion: string }>;
  protected abstract introspectTables(options: IntrospectOptions): Promise<TableInfo[]>;
  abstract readAll(table: string, columns: string[], orderBy: string[], batchSize: number): AsyncIterable<Row[]>;
  abstract ensureSchema(): Promise<void>;
  abstract close(): Promise<void>;
  /** Placeholder for the i-th (0-based) parameter of a statement. */
  protected abstract placeholder(index: number): string;
  protected abstract exec: Exec;
  /** Runs fn inside one transaction on one connection. */
  protected abstract transaction<T>(fn: (exec: Exec) => Promise<T>): Promise<T>;
  /** `ON CONFLICT …` / `ON DUPLICATE KEY …` clause for an upsert on plan.keyColumns. */
  protected abstract upsertClause(plan: TablePlan): string;
  /** A canonical value as this driver must bind it for a column of canonical type `type`. */
  protected abstract toDriverValue(value: unknown, type: CanonicalType): unknown;
  protected abstract tableExists(table: string): Promise<boolean>;
  protected abstract dropTable(table: string): Promise<void>;
  /** Maps a driver error to a ConnectorError (message still to be scrubbed). */
  protected abstract classify(error: unknown, action: string): ConnectorError;

  // ---- shared behaviour ----

  q(name: string): string {
    return quoteIdentifier(this.dialect, name);
  }

  qt(table: string): string {
    return `${this.q(this.schema)}.${this.q(table)}`;
  }

  nativeType(type: CanonicalType, context: { inKey?: boolean } = {}): NativeTypeChoice {
    return targetType(this.dialect, type, context);
  }

  async introspect(options: IntrospectOptions = {}): Promise<SchemaInfo> {
    return this.describeTables(options);
  }

  /** The tables of introspect(), without the schema objects a dialect may add to it. */
  protected async describeTables(options: IntrospectOptions): Promise<SchemaInfo> {
    return this.guard('introspect', async () => {
      const tables = await this.introspectTables(options);
      if (options.tables) {
        const found = new Set(tables.map((t) => t.name));
        const missing = options.tables.filter((t) => !found.has(t));
        if (missing.length) {
          throw new ConnectorError(
            'TableNotFound',
            `table${missing.length > 1 ? 's' : ''} not found in ${this.dialect} schema "${this.schema}": ${missing.join(', ')}`,
          );
        }
      }
      for (const t of tables) this.tableCache.set(t.name, t);
      return { dialect: this.dialect, schema: this.schema, tables };
    });
  }

  /** One table's description, cached for the life of the connector (tables do not change during a copy). */
  protected async table(name: string): Promise<TableInfo> {
    const cached = this.tableCache.get(name);
    if (cached) return cached;
    const schema = await this.describeTables({ tables: [name] });
    return schema.tables[0];
  }

  /**
   * The types rows are read as: natively (ReadOptions.native) the columns' own; else a type only this dialect declares
   * is read in its portable form (CanonicalType.portable), as a database of another dialect keeps it.
   */
  protected readTypes(types: CanonicalType[], options?: ReadOptions): CanonicalType[] {
    return options?.native ? types : types.map(crossType);
  }

  protected async columnTypes(table: string, columns: string[]): Promise<CanonicalType[]> {
    const info = await this.table(table);
    return columns.map((c) => {
      const column = info.columns.find((x) => x.name === c) ?? info.columns.find((x) => x.name === this.fitName(c));
      if (!column) throw new ConnectorError('QueryFailed', `column "${c}" not found in table "${table}"`);
      return column.type;
    });
  }

  /** A table's own rows, as a copy reads them (rowsOf). */
  async countRows(table: string): Promise<number> {
    return this.guard(`count rows of ${table}`, async () => {
      const rows = await this.exec(`SELECT COUNT(*) FROM ${await this.rowsOf(table)}`);
      return Number(rows[0][0]);
    });
  }

  /** What an INSERT of copied rows says so the target takes their values for generated identities (PostgreSQL OVERRIDING SYSTEM VALUE). */
  protected insertOverride(_plan: TablePlan): string {
    return '';
  }

  /** The rows a copy reads of a table: its own, without those of tables that inherit from it (PostgreSQL ONLY). */
  protected async rowsOf(table: string): Promise<string> {
    return this.qt(table);
  }

  /** The SELECT list that reads these columns (a dialect may wrap a column whose plain text would lose precision). */
  protected selectList(columns: string[], _types: CanonicalType[], _options?: ReadOptions): string {
    return quoteList(this.dialect, columns);
  }

  protected convertRows(rows: unknown[][], types: CanonicalType[], _options?: ReadOptions): Row[] {
    return rows.map((row) => row.map((v, i) => toCanonicalValue(v, types[i])));
  }

  async readChunk(table: string, columns: string[], keyColumns: string[], after: Key | null, limit: number, options?: ReadOptions): Promise<Row[]> {
    return this.guard(`read ${table}`, async () => {
      if (keyColumns.length === 0) throw new ConnectorError('QueryFailed', 'readChunk needs key columns; use readAll for tables without a key');
      const types = this.readTypes(await this.columnTypes(table, columns), options);
      const keyTypes = await this.columnTypes(table, keyColumns);
      const params: unknown[] = [];
      const where = this.afterCondition(keyColumns, keyTypes, after, params);
      const sql =
        `SELECT ${this.selectList(columns, types, options)} FROM ${await this.rowsOf(table)}${where}` +
        ` ORDER BY ${quoteList(this.dialect, keyColumns)}${this.limitClause(Math.max(1, Math.floor(limit)))}`;
      return this.convertRows(await this.exec(sql, params), types, options);
    });
  }

  /** ` LIMIT n [OFFSET m]` after an ORDER BY; a dialect without LIMIT spells it its own way. */
  protected limitClause(limit: number, offset?: number): string {
    return ` LIMIT ${limit}${offset === undefined ? '' : ` OFFSET ${offset}`}`;
  }

  /** ` WHERE (k1, k2) > after` (row-value comparison), or nothing when after is null; values bound through `params`. */
  protected afterCondition(keyColumns: string[], keyTypes: CanonicalType[], after: Key | null, params: unknown[]): string {
    if (!after) return '';
    const holders = after.map((v, i) => this.keyHolder(v, keyTypes[i], params));
    return keyColumns.length === 1
      ? ` WHERE ${this.q(keyColumns[0])} > ${holders[0]}`
      : ` WHERE (${quoteList(this.dialect, keyColumns)}) > (${holders.join(', ')})`;
  }

  /**
   * `(k1, k2) > after AND (k1, k2) <= upTo` (no lower bound when after is null); values bound through `params`, or
   * inlined as quoted literals when `params` is null (COPY takes no parameters; range keys are numbers and dates only).
   */
  protected rangeCondition(keyColumns: string[], keyTypes: CanonicalType[], range: KeyRange, params: unknown[] | null): string {
    const keys = keyColumns.length === 1 ? this.q(keyColumns[0]) : `(${quoteList(this.dialect, keyColumns)})`;
    const values = (key: Key) => {
      const parts = key.map((v, i) => (params === null ? quoteLiteral(this.dialect, this.keyLiteralText(v, keyTypes[i])) : this.keyHolder(v, keyTypes[i], params)));
      return parts.length === 1 ? parts[0] : `(${parts.join(', ')})`;
    };
    // Lower bound first: MySQL's ? placeholders bind in order of appearance.
    const lower = range.after ? `${keys} > ${values(range.after)} AND ` : '';
    return `${lower}${keys} <= ${values(range.upTo)}`;
  }

  /** A key part bound through `params` as its column's value (bytes again as bytes: lib/keys.ts), and its placeholder. */
  protected keyHolder(part: KeyPart, type: CanonicalType, params: unknown[]): string {
    params.push(this.toDriverValue(keyValue(part), type));
    return this.placeholder(params.length - 1);
  }

  /** A key value as the text of a quoted literal (rangeCondition without parameters): its canonical text. */
  protected keyLiteralText(value: KeyPart, _type: CanonicalType): string {
    return String(value);
  }

  /** The key of the `limit`-th row after `after`, or of the last row when fewer remain (see TextChunkSource). */
  async chunkEnd(table: string, keyColumns: string[], after: Key | null, limit: number): Promise<Key | null> {
    return this.guard(`read ${table}`, async () => {
      const keyTypes = await this.columnTypes(table, keyColumns);
      const params: unknown[] = [];
      const where = this.afterCondition(keyColumns, keyTypes, after, params);
      const keys = quoteList(this.dialect, keyColumns);
      const from = `SELECT ${keys} FROM ${await this.rowsOf(table)}${where}`;
      // An index-only walk over the chunk's keys; the tail of the table has fewer rows than the limit.
      let rows = await this.exec(`${from} ORDER BY ${keys}${this.limitClause(1, Math.max(0, Math.floor(limit) - 1))}`, params);
      if (rows.length === 0) rows = await this.exec(`${from} ORDER BY ${keyColumns.map((k) => `${this.q(k)} DESC`).join(', ')}${this.limitClause(1)}`, params);
      return rows.length ? rows[0].map((v, i) => keyPart(toCanonicalValue(v, keyTypes[i]))) : null;
    });
  }

  /** The rows with exactly these keys (any order); keys with no row are simply absent. */
  async readKeys(table: string, columns: string[], keyColumns: string[], keys: Key[], options?: ReadOptions): Promise<Row[]> {
    return this.guard(`read keys of ${table}`, async () => {
      if (keyColumns.length === 0 || keys.length === 0) return [];
      const types = this.readTypes(await this.columnTypes(table, columns), options);
      const keyTypes = await this.columnTypes(table, keyColumns);
      const params: unknown[] = [];
      const matches = keys.map((key) => {
        const parts = keyColumns.map((column, i) => `${this.q(column)} = ${this.keyHolder(key[i], keyTypes[i], params)}`);
        return `(${parts.join(' AND ')})`;
      });
      const sql = `SELECT ${this.selectList(columns, types, options)} FROM ${await this.rowsOf(table)} WHERE ${matches.join(' OR ')}`;
      return this.convertRows(await this.exec(sql, params), types, options);
    });
  }

  /** Splits rows so each INSERT stays under the parameter limit and a few MiB. */
  protected *batches(rows: Row[], width: number): Generator<Row[]> {
    const maxRows = Math.max(1, Math.floor(this.maxParams / Math.max(1, width)));
    let batch: Row[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = row.reduce<number>((n, v) => n + (typeof v === 'string' || Buffer.isBuffer(v) ? v.length : 8), 0);
      if (batch.length > 0 && (batch.length >= maxRows || bytes + size > MAX_BATCH_BYTES)) {
        yield batch;
        batch = [];
        bytes = 0;
      }
      batch.push(row);
      bytes += size;
    }
    if (batch.length) yield batch;
  }

  /** The type a column's values are bound as when written (toDriverValue): its canonical type. */
  protected writtenType(c: ColumnMapping): CanonicalType {
    return c.canonical;
  }

  protected async insertRows(exec: Exec, plan: TablePlan, rows: Row[], upsert: boolean): Promise<number> {
    const columns = plan.columns.map((c) => c.column);
    const types = plan.columns.map((c) => this.writtenType(c));
    let written = 0;
    for (const batch of this.batches(rows, columns.length)) {
      const params: unknown[] = [];
      const tuples = batch.map((row) => {
        if (row.length !== columns.length) {
          throw new ConnectorError('WriteFailed', `row has ${row.length} values but table ${plan.target} is written with ${columns.length} columns`);
        }
        const holders = row.map((v, i) => {
          params.push(this.toDriverValue(v, types[i]));
          return this.placeholder(params.length - 1);
        });
        return `(${holders.join(', ')})`;
      });
      const conflict = upsert && plan.keyColumns.length ? ' ' + this.upsertClause(plan) : '';
      await exec(`INSERT INTO ${this.qt(plan.target)} (${quoteList(this.dialect, columns)})${this.insertOverride(plan)} VALUES ${tuples.join(', ')}${conflict}`, params);
      written += batch.length;
    }
    return written;
  }

  async writeRows(plan: TablePlan, rows: Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.guard(`write ${plan.target}`, () => this.transaction((exec) => this.insertRows(exec, plan, rows, true)), 'WriteFailed');
  }

  async replaceAllRows(plan: TablePlan, batches: AsyncIterable<Row[]>): Promise<number> {
    return this.guard(
      `replace rows of ${plan.target}`,
      () =>
        this.transaction(async (exec) => {
          await exec(`DELETE FROM ${this.qt(plan.target)}`);
          let written = 0;
          for await (const batch of batches) written += await this.insertRows(exec, plan, batch, false);
          return written;
        }),
      'WriteFailed',
    );
  }

  // ---- DDL ----

  async createTable(plan: TablePlan, options: { replace: boolean }): Promise<void> {
    await this.guard(`create table ${plan.target}`, async () => {
      if (await this.tableExists(plan.target)) {
        // Every row the table holds, its children's too: one described (and cached) now would be stale once recreated.
        const rows = Number((await this.exec(`SELECT COUNT(*) FROM ${this.qt(plan.target)}`))[0][0]);
        if (rows > 0 && !options.replace) {
          throw new ConnectorError(
            'TargetTableNotEmpty',
            `target table ${this.schema}.${plan.target} already holds ${rows} rows; set options.replace_existing_tables (demo: --replace) to drop and recreate it`,
          );
        }
        await this.dropTable(plan.target);
      }
      await this.exec(this.createTableSql(plan));
      await this.afterCreate(plan);
      this.tableCache.delete(plan.target);
    });
  }

  protected createTableSql(plan: TablePlan): string {
    const parts = plan.native ? this.sourceColumnDefinitions(plan) : plan.columns.map((c) => this.columnDefinition(plan, c));
    parts.push(...this.tableConstraints(plan));
    // Natively the source's own checks come too (another dialect's check text would mean nothing here).
    if (plan.native) for (const check of plan.source.checks ?? []) parts.push(`${check.name ? `CONSTRAINT ${this.q(check.name)} ` : ''}${check.definition}`);
    return `CREATE TABLE ${this.qt(plan.target)} (\n  ${parts.join(',\n  ')}\n)${this.tableOptions(plan)}`;
  }

  /**
   * Same dialect (TablePlan.native): every column in the source's order, the copied ones as planned and the generated
   * ones (not copied: the target computes them again) in the dialect's generated-column syntax.
   */
  private sourceColumnDefinitions(plan: TablePlan): string[] {
    const mapped = new Map(plan.columns.map((c) => [c.column, c]));
    const parts: string[] = [];
    for (const column of plan.source.columns) {
      const c = mapped.get(column.name);
      if (c) parts.push(this.columnDefinition(plan, c));
      else if (column.generated) parts.push(this.generatedColumnDefinition(column));
    }
    return parts;
  }

  /** A source's generated column, its expression in this dialect's words (the SQL standard form; STORED unless the source computes it on read). */
  protected generatedColumnDefinition(column: ColumnInfo): string {
    return `${this.q(column.name)} ${column.nativeType} GENERATED ALWAYS AS (${column.generated}) ${column.virtual ? 'VIRTUAL' : 'STORED'}`;
  }

  /** What follows a CREATE TABLE's closing parenthesis (engine, charset, inheritance, partitioning). */
  protected tableOptions(_plan: TablePlan): string {
    return '';
  }

  /** What a dialect creates with a table besides its CREATE TABLE (partitions, comments). */
  protected async afterCreate(_plan: TablePlan): Promise<void> {}

  protected tableConstraints(plan: TablePlan): string[] {
    const out: string[] = [];
    const pk = plan.source.primaryKey;
    if (pk.length) out.push(`PRIMARY KEY (${quoteList(this.dialect, pk)})`);
    for (const u of plan.source.uniqueConstraints) out.push(`UNIQUE (${quoteList(this.dialect, u.columns)})`);
    // Across dialects, the CHECKs the plan found portable (lib/mapping.ts), in this dialect's quoting.
    // Written again for the columns' final types (a mapping edited at the gate may have changed one); one that no longer
    // fits them is left out rather than failing the CREATE TABLE. Plans made before CHECKs had target names keep theirs.
    const target = checkTargetOf(plan.columns, this.dialect);
    for (const c of plan.native ? [] : (plan.source.checks ?? [])) {
      const fitted = c.portable ? checkForTarget(c.portable, target) : null;
      if (fitted && 'portable' in fitted) out.push(`CONSTRAINT ${this.q(c.targetName ?? this.fitName(c.name))} CHECK (${renderCheck(fitted.portable, (n) => this.q(n))})`);
    }
    return out;
  }

  /** Column type as planned, or the dialect's choice when the plan was made for another dialect. */
  protected columnType(c: ColumnMapping): string {
    return c.targetType || this.nativeType(c.canonical).sql;
  }

  /** A column comment written in its definition, where the dialect writes one there (MariaDB); none by default. */
  protected commentClause(_plan: TablePlan, _c: ColumnMapping): string {
    return '';
  }

  protected columnDefinition(plan: TablePlan, c: ColumnMapping): string {
    let def = `${this.q(c.column)} ${this.columnType(c)}`;
    const identity = this.identityClause(plan, c);
    if (identity) def += ' ' + identity;
    if (!c.nullable) def += ' NOT NULL';
    const source = plan.source.columns.find((x) => x.name === c.column);
    const dflt = identity ? null : this.defaultClause(c, source?.default ?? null);
    if (dflt) def += ' ' + dflt;
    def += this.commentClause(plan, c);
    // An enum kept as text keeps its labels as a CHECK (a target with enum types made one: see TargetTypeContext).
    if (enumLabelsChecked(c, this.columnType(c))) {
      const labels = (c.canonical.values ?? []).map((v) => quoteLiteral(this.dialect, v)).join(', ');
      if (labels) def += ` CHECK (${this.q(c.column)} IN (${labels}))`;
    }
    // A domain's or YEAR's CHECK, from another dialect (CanonicalType.check), for the column's final type: one that no
    // longer fits it (a mapping edited to text at the gate) is left out, as the gate's notes say (lib/mapping-edit.ts).
    const own = plan.native ? null : columnCheckFor(c, checkTargetOf(plan.columns, this.dialect));
    if (own && 'portable' in own) def += ` CHECK (${renderCheck(own.portable, (n) => this.q(n))})`;
    return def;
  }

  /** pg GENERATED BY DEFAULT AS IDENTITY, MySQL AUTO_INCREMENT, SQLite PRIMARY KEY AUTOINCREMENT; '' when none. */
  protected identityClause(_plan: TablePlan, _c: ColumnMapping): string {
    return '';
  }

  /** Only literal defaults are copied: they mean the same everywhere; functions are noted in the plan. */
  protected defaultClause(c: ColumnMapping, expression: string | null): string {
    const d = portableDefault(expression);
    const now = currentTimeDefault(expression);
    if (!d && now && TEMPORAL_DEFAULT_KINDS.has(c.canonical.kind)) return `DEFAULT ${this.currentTimeSql(now, c)}`;
    // A value whose form changes on the way (an interval as ISO text, a SET as an array) would keep its old form here;
    // a MariaDB/MySQL zero date has none at all.
    if (!d || c.canonical.family || zeroDateDefault(expression, c.canonical.kind)) return '';
    if (c.canonical.kind === 'boolean') {
      const truth = d.kind === 'boolean' ? d.value : d.kind === 'number' ? Number(d.text) !== 0 : ['t', 'true', '1', 'y'].includes(d.text.toLowerCase());
      return `DEFAULT ${this.booleanLiteral(truth)}`;
    }
    if (d.kind === 'boolean') return '';
    return `DEFAULT ${d.kind === 'number' ? d.text : quoteLiteral(this.dialect, d.text)}`;
  }

  protected booleanLiteral(value: boolean): string {
    return value ? '1' : '0';
  }

  /** The current time or date as this dialect writes it in a DEFAULT (see currentTimeDefault). */
  protected currentTimeSql(what: 'timestamp' | 'date', _c: ColumnMapping): string {
    return what === 'date' ? 'CURRENT_DATE' : 'CURRENT_TIMESTAMP';
  }

  async createIndexesAndForeignKeys(plan: TablePlan): Promise<FinalizedTable> {
    const unchecked: string[] = [];
    const refused: FinalizedTable['refused'] = [];
    const refusedIndexes: FinalizedTable['refused'] = [];
    await this.guard(`create indexes and foreign keys of ${plan.target}`, async () => {
      this.tableCache.delete(plan.target);
      const existing = await this.table(plan.target);
      // The plan names columns as the source does; the target may keep them shortened (lib/identifiers).
      const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === this.fitName(b[i] ?? ''));
      for (const index of plan.source.indexes) {
        // A partial or expression index, its WHERE written again and its keys checked for the columns' final types (as
        // a CHECK's: tableConstraints); one that no longer fits them is left out rather than failing after the copy (as
        // the plan's notes say since the edit).
        const fitted = indexFit(plan, this.dialect, index);
        if (!('index' in fitted)) continue;
        const plainIndex = index.where === undefined && !index.keys;
        if (plainIndex && existing.indexes.some((i) => same(i.columns, index.columns) && i.unique === index.unique)) continue;
        // A partial or expression index made already (a retry) is known by its name, as indexName gave it: two on the
        // same columns may differ only in their WHERE.
        if (!plainIndex && (existing.expressionIndexes ?? []).some((i) => this.ownIndexNames(plan.target, index.name).includes(i.name))) continue;
        // MariaDB describes a UNIQUE index it has back as a UNIQUE constraint: made already (a retry, a second pass).
        if (index.unique && plainIndex && existing.uniqueConstraints.some((u) => same(u.columns, index.columns))) continue;
        const name = await this.indexName(plan.target, this.fitName(index.name));
        try {
          await this.exec(this.createIndexSql(plan.target, name, fitted.index));
        } catch (error) {
          // The rows copied hold a value too long for the target's index entries (a long text another dialect indexed
          // whole): the copy is whole, so this is said rather than failing the migration after it.
          if (!this.refusesIndex(error)) throw error;
          refusedIndexes.push({ name: index.name, reason: this.connectorError(error, `creating index ${name}`).message });
        }
      }
      for (const fk of plan.source.foreignKeys) {
        if (existing.foreignKeys.some((f) => f.name === this.foreignKeyName(fk) || (same(f.columns, fk.columns) && f.referencedTable === fk.referencedTable))) continue;
        try {
          await this.exec(this.foreignKeySql(plan, fk));
        } catch (error) {
          // Rows copied as the source holds them break it (the source did not check them): kept, and the key declared as there.
          const unchecking = this.uncheckedForeignKey;
          if (unchecking && this.breaksForeignKey(error)) {
            await unchecking.call(this, this.foreignKeySql(plan, fk));
            unchecked.push(fk.name);
            continue;
          }
          // The key as declared cannot be made here (a column retyped at the gate): the copy is whole, so this is said
          // rather than failing the migration after it; the structural tier names the key missing.
          if (!this.refusesForeignKey(error)) throw error;
          refused.push({ name: fk.name, reason: this.connectorError(error, `adding foreign key ${this.foreignKeyName(fk)}`).message });
        }
      }
      await this.afterLoad(plan);
      this.tableCache.delete(plan.target);
    });
    return { unchecked, refused, ...(refusedIndexes.length ? { refusedIndexes } : {}) };
  }

  /** Whether a driver error creating an index says the rows already in the table hold values too large for its entries. */
  protected refusesIndex(_error: unknown): boolean {
    return false;
  }

  /** Whether a driver error adding a foreign key says rows already in the table break it. */
  protected breaksForeignKey(_error: unknown): boolean {
    return false;
  }

  /** Whether a driver error adding a foreign key says the target cannot make the key as declared (not a passing failure). */
  protected refusesForeignKey(_error: unknown): boolean {
    return false;
  }

  /** Runs a foreignKeySql statement without checking the rows already there (see createIndexesAndForeignKeys); absent: this target cannot. */
  protected uncheckedForeignKey?(sql: string): Promise<void>;

  protected createIndexSql(table: string, name: string, index: TableInfo['indexes'][number]): string {
    return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${this.q(name)} ON ${this.qt(table)} (${this.indexKeys(index)})${this.indexWhere(index)}`;
  }

  /** An index's key list in this dialect: its columns, or its expressions each in parentheses (the plan keeps them portable). */
  protected indexKeys(index: TableInfo['indexes'][number]): string {
    return index.keys ? index.keys.map((k) => `(${renderIndexKey(k, (n) => this.q(n))})`).join(', ') : quoteList(this.dialect, index.columns);
  }

  /** The names indexName may have given an index of `table` (its own, then the table in front, then numbered). */
  protected ownIndexNames(table: string, name: string): string[] {
    const own = this.fitName(name);
    return [own, this.fitName(`${table}_${own}`), ...Array.from({ length: 8 }, (_, n) => this.fitName(`${table}_${own}_${n + 2}`))];
  }

  /** A partial index's WHERE clause in this dialect's quoting (the plan keeps it portable), or nothing. */
  protected indexWhere(index: TableInfo['indexes'][number]): string {
    return index.where === undefined ? '' : ` WHERE ${renderCheck(index.where, (n) => this.q(n))}`;
  }

  /** A constraint or index name as the target keeps it: shortened deterministically when too long (lib/identifiers). */
  protected fitName(name: string): string {
    return fitName(name, dialectNamed(this.dialect).identifiers);
  }

  /** Index names are per schema in PostgreSQL and SQLite: a name used by another table gets the table prefixed. */
  protected async indexName(_table: string, name: string): Promise<string> {
    return name;
  }

  /** The plan's name where the target keeps foreign-key names per schema and the source's was taken; else the source's, fitted. */
  protected foreignKeyName(fk: TableInfo['foreignKeys'][number]): string {
    return fk.targetName ?? this.fitName(fk.name);
  }

  /** The statement adding a foreign key to a table that exists. */
  protected foreignKeySql(plan: TablePlan, fk: TableInfo['foreignKeys'][number]): string {
    const actions = foreignKeyActions(fk);
    return (
      `ALTER TABLE ${this.qt(plan.target)} ADD CONSTRAINT ${this.q(this.foreignKeyName(fk))} FOREIGN KEY (${quoteList(this.dialect, fk.columns)})` +
      ` REFERENCES ${this.qt(fk.referencedTable)} (${quoteList(this.dialect, fk.referencedColumns)})${actions}`
    );
  }

  /** Identity / sequence positions after the data is in. */
  protected async afterLoad(_plan: TablePlan): Promise<void> {}

  /** Runs an operation and turns any driver error into a ConnectorError whose message holds no secret. */
  protected async guard<T>(action: string, fn: () => Promise<T>, fallback: ConnectorError['code'] = 'QueryFailed'): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.connectorError(error, action, fallback);
    }
  }

  /** A driver error as this connector's ConnectorError (the driver's error kept as the cause, secrets scrubbed). */
  protected connectorError(error: unknown, action: string, fallback: ConnectorError['code'] = 'QueryFailed'): ConnectorError {
    if (error instanceof ConnectorError) return this.scrubbed(error);
    // The database socket refused the address (lib/reach.ts): no retry will make it allowed.
    if (isNotAllowed(error)) return this.scrubbed(new ConnectorError('NotAllowed', `cannot connect to ${this.label()}: ${error.message}`, { cause: error }));
    const classified = this.classify(error, action);
    const code = classified.code === 'QueryFailed' ? fallback : classified.code;
    return this.scrubbed(new ConnectorError(code, classified.message, { cause: error }));
  }

  private scrubbed(error: ConnectorError): ConnectorError {
    const message = scrub(error.message, this.endpoint.connectionString);
    if (message === error.message) return error;
    return new ConnectorError(error.code, message, { cause: error.cause });
  }

  protected label(): string {
    return endpointLabel(this.endpoint);
  }
}

/** Network failures every driver reports through Node's socket error codes. */
export function networkReason(error: unknown): string | undefined {
  const code = (error as { code?: string } | null)?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is the server running and listening on that port?)',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name could not be resolved',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ECONNRESET: 'connection reset by the server',
  };
  if (code && reasons[code]) return reasons[code];
  const message = error instanceof Error ? error.message : String(error);
  if (/timeout|timed out/i.test(message)) return 'connection timed out';
  return undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const FK_ACTIONS = new Set(['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION']);

/**
 * ` ON DELETE … ON UPDATE …` of a foreign key, from the five actions SQL knows only: the text comes from the source
 * database's catalog, and nothing read from outside reaches DDL unchecked. Another word is a ConnectorError.
 */
export function foreignKeyActions(fk: { name: string; onDelete?: string; onUpdate?: string }): string {
  const clause = (what: string, action: string | undefined) => {
    if (!action) return '';
    const normal = action.trim().toUpperCase().replace(/\s+/g, ' ');
    if (!FK_ACTIONS.has(normal)) throw new ConnectorError('NotSupported', `foreign key ${fk.name}: ${what} action ${JSON.stringify(action)} is not one of ${[...FK_ACTIONS].join(', ')}`);
    return ` ${what} ${normal}`;
  };
  return clause('ON DELETE', fk.onDelete) + clause('ON UPDATE', fk.onUpdate);
}
