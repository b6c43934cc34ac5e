/** SQLite through better-sqlite3 (synchronous; one connection per connector). The schema is always `main`. */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { affinity, toCanonical } from './types';
import { quoteList } from '../../lib/quote';
import { isUtf8 } from 'node:buffer';
import { isTextBytes, textBytes } from '../../lib/keys';
import { isTextKind, toCanonicalValue } from '../../lib/values';
import type { CanonicalType, ColumnMapping, ForeignKeyInfo, IndexInfo, KeyPart, Row, SchemaInfo, SchemaObject, TableInfo, TablePlan } from '../../lib/types';
import { hideSecrets, sqlitePath } from '../endpoint';
import { SqlConnector, errorMessage, foreignKeyActions, type Exec } from '../sql-connector';
import { ConnectorError, type Endpoint, type FinalizedTable, type IntrospectOptions, type ReadOptions } from '../types';

export interface SqliteOptions {
  /** `target` creates a missing file; `source` (default) requires it to exist. */
  role?: 'source' | 'target';
  /** Milliseconds to wait on a locked database (default 5000). */
  busyTimeoutMs?: number;
}

type Statement = Database.Statement<unknown[]>;

/** Truth values as SQLite applications store them in a BOOLEAN column (its NUMERIC affinity keeps any other value). */
const TRUTH_TEXT = new Set(['0', '1', 't', 'f', 'true', 'false', 'y', 'n', 'yes', 'no', 'on', 'off']);


/**
 * A value SQLite holds in a column that its canonical reading would change without a word (SQLite keeps any value in
 * any column): 2 or 'maybe' in a BOOLEAN would read as true, 1.555 in a DECIMAL(10,2) as 1.56. Such a value is handed
 * over as its own text, which is not of its column's form: the copy rejects its row by key (lib/value-forms.ts).
 * Null when the canonical reading keeps the value.
 */
function looseValue(value: unknown, type: CanonicalType | undefined): string | null {
  if (value === null || value === undefined || !type) return null;
  if (type.kind === 'boolean') {
    if (typeof value === 'number' || typeof value === 'bigint') return value === 0 || value === 1 || value === 0n || value === 1n ? null : String(value);
    return typeof value === 'string' && TRUTH_TEXT.has(value.trim().toLowerCase()) ? null : String(value);
  }
  if (type.kind === 'decimal' && typeof value === 'number' && type.scale !== undefined && Number.isFinite(value)) {
    // Its shortest exact text: more fraction digits than the scale would be rounded away by toFixed.
    const text = String(value);
    const fraction = /\.(\d+)$/.exec(text)?.[1] ?? '';
    return !/e/i.test(text) && fraction.length > type.scale ? text : null;
  }
  return null;
}

export class SqliteConnector extends SqlConnector {
  readonly dialect = 'sqlite' as const;
  readonly schema: string;
  /** SQLITE_MAX_VARIABLE_NUMBER since 3.32. */
  protected readonly maxParams = 32_766;
  private readonly path: string;
  private readonly role: 'source' | 'target';
  private readonly busyTimeoutMs: number;
  private handle: Database.Database | undefined;
  /** PRAGMA encoding is UTF-8 (see isUtf8Database); read once. */
  private utf8: boolean | undefined;
  private readonly statements = new Map<string, Statement>();
  /** Settles when the transaction in progress ends (see transaction). */
  private turn: Promise<void> = Promise.resolve();
  /** Each introspected column's affinity, by its canonical type object (what readChunk hands convertRows). */
  private readonly affinities = new WeakMap<CanonicalType, ReturnType<typeof affinity>>();

  constructor(endpoint: Endpoint, options: SqliteOptions = {}) {
    super(endpoint);
    this.schema = endpoint.schema ?? 'main';
    this.path = sqlitePath(endpoint.connectionString);
    this.role = options.role ?? 'source';
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    hideSecrets(this, endpoint, { endpoint });
  }

  /** Opens on first use, so construction never fails and testConnection reports a missing file clearly. */
  private db(): Database.Database {
    if (this.handle) return this.handle;
    const memory = this.path === ':memory:' || this.path === '';
    if (!memory && this.role === 'source' && !existsSync(this.path)) {
      throw new ConnectorError('ConnectionFailed', `sqlite file ${this.path} does not exist (a source file is never created)`);
    }
    try {
      if (!memory && this.role === 'target') mkdirSync(dirname(this.path), { recursive: true });
      const db = new Database(this.path, { fileMustExist: this.role === 'source', timeout: this.busyTimeoutMs });
      // 64-bit integers as BigInt: exact beyond 2^53.
      db.defaultSafeIntegers(true);
      // Tables load in any order and foreign keys are declared up front (SQLite cannot add them later).
      db.pragma('foreign_keys = OFF');
      this.handle = db;
      return db;
    } catch (error) {
      throw new ConnectorError('ConnectionFailed', `cannot open sqlite file ${this.path}: ${errorMessage(error)}`, { cause: error });
    }
  }

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db().prepare(sql);
      if (stmt.reader) stmt.raw(true);
      if (this.statements.size > 200) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  protected placeholder(): string {
    return '?';
  }

  protected exec: Exec = async (sql, params = []) => {
    const stmt = this.statement(sql);
    if (stmt.reader) return stmt.all(...params) as unknown[][];
    stmt.run(...params);
    return [];
  };

  /**
   * One connection serves every activity of the worker, and a transaction can wait on its source between statements
   * (replaceAllRows reads the next batch over the network): transactions take turns, or a second one would BEGIN
   * inside the first ("cannot start a transaction within a transaction").
   */
  protected async transaction<T>(fn: (exec: Exec) => Promise<T>): Promise<T> {
    const previous = this.turn;
    let done!: () => void;
    this.turn = new Promise<void>((resolve) => (done = resolve));
    await previous;
    const db = this.db();
    try {
      db.exec('BEGIN IMMEDIATE');
      const result = await fn(this.exec);
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    } finally {
      done();
    }
  }

  async testConnection(): Promise<{ serverVersion: string }> {
    return this.guard('connect', async () => {
      const rows = await this.exec('SELECT sqlite_version()');
      return { serverVersion: String(rows[0][0]) };
    });
  }

  async ensureSchema(): Promise<void> {
    await this.guard('open', async () => {
      this.checkSchema();
      this.db();
    });
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.handle?.close();
    this.handle = undefined;
  }

  private checkSchema(): void {
    if (this.schema !== 'main') {
      throw new ConnectorError('SchemaNotFound', `sqlite has only the schema "main", not "${this.schema}"`);
    }
  }

  /**
   * A key part that was TEXT not UTF-8 (marked so, or bytes of a text column) is bound as its bytes cast to TEXT: as a
   * BLOB it would order after every text, and the keyset read would end there.
   */
  protected override keyHolder(part: KeyPart, type: CanonicalType, params: unknown[]): string {
    const holder = super.keyHolder(part, type, params);
    const value = params[params.length - 1];
    return isTextBytes(value) || (Buffer.isBuffer(value) && isTextKind(type)) ? `CAST(${holder} AS TEXT)` : holder;
  }

  protected toDriverValue(value: unknown, type: CanonicalType): unknown {
    if (value === null || value === undefined) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    // A column with no declared type (BLOB affinity) converts nothing it is compared with: a key read from one travels
    // as text (JSON has no 64-bit integer), and binds again as the INTEGER it was, so `id > ?` orders as the source does.
    if (typeof value === 'string' && this.affinities.get(type) === 'blob' && isInt64Text(value)) return BigInt(value);
    switch (type.kind) {
      case 'int16':
      case 'int32':
      case 'int64':
        // Integers bind as INTEGER; a REAL an INTEGER column keeps (3.5, 1e20: read natively) binds as the REAL it is.
        if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
        return typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value) : value;
      default:
        return value;
    }
  }

  /**
   * SQLite → SQLite: a row holding TEXT that is not UTF-8 (textBytes) is inserted on its own, those values bound as
   * their bytes and cast to TEXT (SQLite keeps the bytes as they are); the rows around it as usual, in their order.
   */
  protected override async insertRows(exec: Exec, plan: TablePlan, rows: Row[], upsert: boolean): Promise<number> {
    if (!plan.native || !rows.some((row) => row.some(isTextBytes))) return super.insertRows(exec, plan, rows, upsert);
    const columns = quoteList(this.dialect, plan.columns.map((c) => c.column));
    const conflict = upsert && plan.keyColumns.length ? ' ' + this.upsertClause(plan) : '';
    let written = 0;
    let run: Row[] = [];
    for (const row of rows) {
      if (!row.some(isTextBytes)) {
        run.push(row);
        continue;
      }
      if (run.length) written += await super.insertRows(exec, plan, run, upsert);
      run = [];
      if (row.length !== plan.columns.length) {
        throw new ConnectorError('WriteFailed', `row has ${row.length} values but table ${plan.target} is written with ${plan.columns.length} columns`);
      }
      const holders = row.map((v) => (isTextBytes(v) ? 'CAST(? AS TEXT)' : '?'));
      const params = row.map((v, i) => (isTextBytes(v) ? v : this.toDriverValue(v, this.writtenType(plan.columns[i]))));
      await exec(`INSERT INTO ${this.qt(plan.target)} (${columns}) VALUES (${holders.join(', ')})${conflict}`, params);
      written++;
    }
    if (run.length) written += await super.insertRows(exec, plan, run, upsert);
    return written;
  }

  protected upsertClause(plan: TablePlan): string {
    const keys = quoteList(this.dialect, plan.keyColumns);
    const others = plan.columns.filter((c) => !plan.keyColumns.includes(c.column));
    if (others.length === 0) return `ON CONFLICT (${keys}) DO NOTHING`;
    return `ON CONFLICT (${keys}) DO UPDATE SET ${others.map((c) => `${this.q(c.column)} = excluded.${this.q(c.column)}`).join(', ')}`;
  }

  private autoIncrementColumn(plan: TablePlan): ColumnMapping | undefined {
    if (plan.source.primaryKey.length !== 1) return undefined;
    const c = plan.columns.find((x) => x.column === plan.source.primaryKey[0]);
    return c?.canonical.autoIncrement && ['int16', 'int32', 'int64'].includes(c.canonical.kind) ? c : undefined;
  }

  protected override columnType(c: ColumnMapping): string {
    return c.canonical.autoIncrement && c.targetType !== '' && /INT/i.test(c.targetType) ? 'INTEGER' : super.columnType(c);
  }

  protected override identityClause(plan: TablePlan, c: ColumnMapping): string {
    // Only INTEGER PRIMARY KEY can autoincrement in SQLite, and it must be declared on the column.
    return this.autoIncrementColumn(plan) === c ? 'PRIMARY KEY AUTOINCREMENT' : '';
  }

  protected override tableConstraints(plan: TablePlan): string[] {
    const constraints = super.tableConstraints(plan);
    if (this.autoIncrementColumn(plan)) constraints.shift();
    for (const fk of plan.source.foreignKeys) {
      const actions = foreignKeyActions(fk);
      constraints.push(
        `CONSTRAINT ${this.q(fk.name)} FOREIGN KEY (${quoteList(this.dialect, fk.columns)}) REFERENCES ${this.q(fk.referencedTable)} (${quoteList(this.dialect, fk.referencedColumns)})${actions}`,
      );
    }
    return constraints;
  }

  protected override foreignKeySql(plan: TablePlan, fk: ForeignKeyInfo): string {
    throw new ConnectorError(
      'NotSupported',
      `adding foreign key ${fk.name} to existing table ${plan.target} is not supported by sqlite (declare it when the table is created)`,
    );
  }

  protected override createIndexSql(table: string, name: string, index: TableInfo['indexes'][number]): string {
    // SQLite qualifies the index name, never the table: CREATE INDEX "main"."i" ON "t" (…).
    return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${this.q(this.schema)}.${this.q(name)} ON ${this.q(table)} (${this.indexKeys(index)})${this.indexWhere(index)}`;
  }

  /**
   * Tables, views, indexes and triggers share one namespace in SQLite, where names differ only beyond ASCII case
   * (MariaDB names an index after its first column: `INDEX (Country)` of City meets the table Country).
   */
  protected override async indexName(table: string, name: string): Promise<string> {
    const taken = async (n: string) => (await this.exec('SELECT 1 FROM sqlite_schema WHERE name = ? COLLATE NOCASE', [n])).length > 0;
    if (!(await taken(name))) return name;
    let candidate = `${table}_${name}`;
    for (let n = 2; await taken(candidate); n++) candidate = `${table}_${name}_${n}`;
    return candidate;
  }

  protected async tableExists(table: string): Promise<boolean> {
    return (await this.exec("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", [table])).length > 0;
  }

  protected async dropTable(table: string): Promise<void> {
    this.statements.clear();
    await this.exec(`DROP TABLE ${this.qt(table)}`);
  }

  /**
   * Text columns are read as their bytes (better-sqlite3 would decode them with U+FFFD in place of bytes that are not
   * UTF-8, which SQLite stores as given): toCanonicalValue turns valid bytes into the string and leaves the rest for the
   * copy to reject. No alias, so ORDER BY and WHERE still name the stored column.
   */
  protected override selectList(columns: string[], types: CanonicalType[], options?: ReadOptions): string {
    // A UTF-16 database's text cast to BLOB is UTF-16 bytes: its text is read as text (it cannot hold bytes that are not text).
    const utf8 = this.isUtf8Database();
    // Natively each value comes with its storage class, its text as bytes (see convertRows).
    if (options?.native) {
      return columns.map((c) => (utf8 ? `typeof(${this.q(c)}), CASE typeof(${this.q(c)}) WHEN 'text' THEN CAST(${this.q(c)} AS BLOB) ELSE ${this.q(c)} END` : `typeof(${this.q(c)}), ${this.q(c)}`)).join(', ');
    }
    return columns.map((c, i) => (utf8 && types[i] && isTextKind(types[i]) ? `CAST(${this.q(c)} AS BLOB)` : this.q(c))).join(', ');
  }

  /** Whether the database keeps its text as UTF-8 (PRAGMA encoding; UTF-16le and UTF-16be are the others). */
  private isUtf8Database(): boolean {
    this.utf8 ??= String(this.db().pragma('encoding', { simple: true })).toUpperCase() === 'UTF-8';
    return this.utf8;
  }

  /**
   * SQLite → SQLite (ReadOptions.native): each value as its storage class holds it, whatever the column's declared
   * type: INTEGER as decimal text where the column's affinity turns that text back into the same INTEGER (so keys stay
   * JSON-safe), else as a BigInt; REAL as its double; TEXT as its string; BLOB as its bytes. TEXT that is not UTF-8
   * has no string to travel as: it travels as its bytes marked as text (textBytes), which insertRows writes as TEXT.
   */
  protected override convertRows(rows: unknown[][], types: CanonicalType[], options?: ReadOptions): Row[] {
    if (!options?.native) return rows.map((row) => row.map((v, i) => looseValue(v, types[i]) ?? toCanonicalValue(v, types[i])));
    return rows.map((row) => types.map((type, i) => this.storedValue(String(row[2 * i]), row[2 * i + 1], type)));
  }

  private storedValue(storageClass: string, value: unknown, type: CanonicalType): Row[number] {
    switch (storageClass) {
      case 'null':
        return null;
      case 'integer':
        // Text of an integer becomes that INTEGER again in INTEGER and NUMERIC columns (booleans, dates, decimals too).
        return this.affinityOf(type) === 'blob' ? (value as Row[number]) : String(value);
      case 'real':
        return Number(value);
      case 'text': {
        if (typeof value === 'string') return value;
        const bytes = value as Buffer;
        return isUtf8(bytes) ? bytes.toString('utf8') : textBytes(bytes);
      }
      default:
        return toCanonicalValue(value, { kind: 'binary' });
    }
  }

  /** The affinity of the column read with this type (columnTypes answers the introspected objects, see describeTable). */
  private affinityOf(type: CanonicalType): ReturnType<typeof affinity> {
    return this.affinities.get(type) ?? 'numeric';
  }

  async *readAll(table: string, columns: string[], orderBy: string[], batchSize: number, options?: ReadOptions): AsyncIterable<Row[]> {
    const types = this.readTypes(await this.columnTypes(table, columns), options);
    const sql = `SELECT ${this.selectList(columns, types, options)} FROM ${this.qt(table)}${orderBy.length ? ' ORDER BY ' + quoteList(this.dialect, orderBy) : ''}`;
    const stmt = this.db().prepare(sql).raw(true);
    let batch: unknown[][] = [];
    for (const row of stmt.iterate() as Iterable<unknown[]>) {
      batch.push(row);
      if (batch.length >= batchSize) {
        yield this.convertRows(batch, types, options);
        batch = [];
      }
    }
    if (batch.length) yield this.convertRows(batch, types, options);
  }

  protected classify(error: unknown, action: string): ConnectorError {
    const message = errorMessage(error);
    if (/no such table/i.test(message)) return new ConnectorError('TableNotFound', `${action}: ${message}`);
    if ((error as { code?: string }).code === 'SQLITE_CANTOPEN') return new ConnectorError('ConnectionFailed', `${action}: cannot open ${this.path}`);
    return new ConnectorError('QueryFailed', `${action} failed on ${this.label()}: ${message}`);
  }

  // ---- introspection ----

  protected async introspectTables(options: IntrospectOptions): Promise<TableInfo[]> {
    this.checkSchema();
    // A virtual table's shadow tables (FTS5's docs_data, docs_idx, …) are its storage, made with it: not tables to copy.
    const shadows = new Set((await this.exec("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'")).map((r) => String(r[0])));
    const rows = (await this.exec(
      "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )).filter((r) => !shadows.has(String(r[0])) && (!options.tables || options.tables.includes(String(r[0]))));
    const tables: TableInfo[] = [];
    for (const [name, sql] of rows as [string, string][]) tables.push(await this.describeTable(name, sql ?? ''));
    return tables;
  }

  private async describeTable(name: string, sql: string): Promise<TableInfo> {
    const info = (await this.exec('SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid', [name])) as [
      string,
      string,
      bigint,
      string | null,
      bigint,
    ][];
    const pk = info.filter((c) => Number(c[4]) > 0).sort((a, b) => Number(a[4]) - Number(b[4])).map((c) => c[0]);
    const autoIncrement = /\bAUTOINCREMENT\b/i.test(sql) && pk.length === 1;
    const columns = info.map(([col, declared, notnull, dflt]) => ({
      name: col,
      nativeType: declared,
      type: this.withAffinity(toCanonical({ declared, autoIncrement: autoIncrement && pk[0] === col && /^INTEGER$/i.test(declared.trim()) }), declared),
      // A rowid-alias INTEGER PRIMARY KEY can never be NULL even when not declared NOT NULL.
      nullable: Number(notnull) === 0 && !pk.includes(col),
      default: dflt,
    }));
    const fkRows = (await this.exec(
      'SELECT id, seq, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq',
      [name],
    )) as [bigint, bigint, string, string, string | null, string, string][];
    const fks = new Map<string, ForeignKeyInfo>();
    for (const [id, , table, from, to, onUpdate, onDelete] of fkRows) {
      const key = String(id);
      const fk = fks.get(key) ?? { name: `fk_${name}_${key}`, columns: [], referencedTable: table, referencedColumns: [], onDelete, onUpdate };
      fk.columns.push(from);
      fk.referencedColumns.push(to ?? '');
      fks.set(key, fk);
    }
    const named = this.constraintNames(sql);
    for (const fk of fks.values()) fk.name = named.get(fk.columns.join(',')) ?? fk.name;
    const uniqueConstraints: TableInfo['uniqueConstraints'] = [];
    const indexes: IndexInfo[] = [];
    // Partial and expression indexes: only a SQLite target makes them, from their CREATE INDEX as written.
    const expressionIndexes: IndexInfo[] = [];
    const list = (await this.exec(
      `SELECT l.name, l."unique", l.origin, l.partial, s.sql FROM pragma_index_list(?) l LEFT JOIN sqlite_schema s ON s.type = 'index' AND s.name = l.name ORDER BY l.name`,
      [name],
    )) as [string, bigint, string, bigint, string | null][];
    for (const [index, unique, origin, partial, definition] of list) {
      if (origin === 'pk') continue;
      const cols = (await this.exec('SELECT name FROM pragma_index_info(?) ORDER BY seqno', [index])).map((r) => r[0] as string | null);
      const own = definition ? { definition } : {};
      if (Number(partial) === 1 || cols.some((c) => c === null)) {
        // Its WHERE and, on expressions, its key parts, for another dialect that has partial or expression indexes.
        const where = definition ? indexPredicate(definition) : null;
        const keys = cols.some((c) => c === null) && definition ? indexKeyParts(definition) : null;
        // A partial index whose WHERE could not be read is kept as the source's own (never made whole elsewhere).
        const unread = Number(partial) === 1 && where === null;
        if (definition) {
          expressionIndexes.push({ name: index, columns: keys || unread ? [] : (cols as string[]), unique: Number(unique) === 1, definition, ...(where ? { where } : {}), ...(keys && !unread ? { keys } : {}) });
        }
      } else if (origin === 'u') uniqueConstraints.push({ name: index, columns: cols as string[] });
      else indexes.push({ name: index, columns: cols as string[], unique: Number(unique) === 1, ...own });
    }
    const count = await this.exec(`SELECT COUNT(*) FROM ${this.qt(name)}`);
    const checks = checkClauses(name, sql);
    return {
      name,
      columns,
      primaryKey: pk,
      foreignKeys: [...fks.values()],
      uniqueConstraints,
      indexes,
      ...(expressionIndexes.length ? { expressionIndexes } : {}),
      ...(checks.length ? { checks } : {}),
      ...(sql ? { definition: sql } : {}),
      ...(autoIncrement ? await this.nextAutoIncrement(name) : {}),
      rowEstimate: Number(count[0][0]),
    };
  }

  /** The AUTOINCREMENT counter's next value (sqlite_sequence: it may be past the highest row, rows deleted). */
  private async nextAutoIncrement(table: string): Promise<Pick<TableInfo, 'nextAutoIncrement'>> {
    const known = await this.exec("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'");
    if (!known.length) return {};
    const rows = await this.exec('SELECT seq FROM sqlite_sequence WHERE name = ?', [table]);
    return rows.length ? { nextAutoIncrement: (BigInt(rows[0][0] as bigint) + 1n).toString() } : {};
  }

  // ---- SQLite → SQLite: the source's own statements (TablePlan.native) ----

  /** Views and triggers as written, made after the data (a trigger made before would fire on every copied row). */
  override async introspect(options: IntrospectOptions = {}): Promise<SchemaInfo> {
    const schema = await this.describeTables(options);
    const rows = (await this.guard('introspect', () =>
      this.exec("SELECT type, name, sql FROM sqlite_schema WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY type = 'trigger', rowid"),
    )) as [string, string, string][];
    const tables = schema.tables.map((t) => t.name);
    const objects: SchemaObject[] = rows.map(([kind, name, sql]) => ({ kind, name, create: [sql], stage: 'after_data', reads: tables.filter((t) => mentions(sql, t)) }));
    return objects.length ? { ...schema, objects } : schema;
  }

  protected override createTableSql(plan: TablePlan): string {
    if (!plan.native || !plan.source.definition || !keepsSourceColumns(plan)) return super.createTableSql(plan);
    // SQLite keeps names of any length, so a table is renamed only by a caller's plan: the statement names it so.
    if (plan.target === plan.source.name) return plan.source.definition;
    const head = new RegExp(`^(\\s*CREATE\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?)${SQLITE_NAME}`, 'i');
    if (!head.test(plan.source.definition)) throw new ConnectorError('NotSupported', `table ${plan.source.name}: its CREATE TABLE could not be read to rename it ${plan.target}`);
    return plan.source.definition.replace(head, (_all, start: string) => `${start}${this.q(plan.target)}`);
  }

  override async createIndexesAndForeignKeys(plan: TablePlan): Promise<FinalizedTable> {
    if (!plan.native) return super.createIndexesAndForeignKeys(plan);
    await this.guard(`create indexes of ${plan.target}`, async () => {
      for (const index of [...plan.source.indexes, ...(plan.source.expressionIndexes ?? [])]) {
        // A retried finalisation finds its own indexes.
        if (!index.definition || (await this.exec("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?", [index.name])).length) continue;
        await this.exec(index.definition);
      }
    });
    // Foreign keys came with the table's definition: the shared pass finds them there, adds nothing, and sets the counter.
    const rest = plan.source.indexes.filter((i) => !i.definition);
    return super.createIndexesAndForeignKeys({ ...plan, source: { ...plan.source, indexes: rest } });
  }

  /** The AUTOINCREMENT counter where the source's was: copied rows moved it only as far as the highest of them. */
  protected override async afterLoad(plan: TablePlan): Promise<void> {
    const next = plan.native ? plan.source.nextAutoIncrement : undefined;
    if (!next || !/^\d+$/.test(next)) return;
    const seq = BigInt(next) - 1n;
    const updated = await this.exec('SELECT seq FROM sqlite_sequence WHERE name = ?', [plan.target]);
    if (!updated.length) await this.exec('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)', [plan.target, seq]);
    else if (BigInt(updated[0][0] as bigint) < seq) await this.exec('UPDATE sqlite_sequence SET seq = ? WHERE name = ?', [seq, plan.target]);
  }

  async createObjects(objects: SchemaObject[]): Promise<{ skipped: string[] }> {
    const skipped: string[] = [];
    for (const object of objects) {
      // A retried finalisation finds what it made.
      const exists = await this.guard('read schema', () => this.exec('SELECT 1 FROM sqlite_schema WHERE type = ? AND name = ?', [object.kind, object.name]));
      if (exists.length) continue;
      try {
        // prepare() runs one statement only: catalog text never runs as more.
        for (const sql of object.create) this.db().prepare(sql).run();
      } catch (error) {
        skipped.push(`${object.kind} ${object.name}: ${errorMessage(error)}`);
      }
    }
    return { skipped };
  }

  private withAffinity(type: CanonicalType, declared: string): CanonicalType {
    this.affinities.set(type, affinity(declared));
    return type;
  }

  /** Names given to foreign keys in CREATE TABLE (`CONSTRAINT "x" FOREIGN KEY ("a")`), by their column list. */
  private constraintNames(sql: string): Map<string, string> {
    const out = new Map<string, string>();
    const ident = `(?:"((?:[^"]|"")+)"|\\[([^\\]]+)\\]|\`((?:[^\`]|\`\`)+)\`|(\\w+))`;
    const re = new RegExp(`CONSTRAINT\\s+${ident}\\s+FOREIGN\\s+KEY\\s*\\(([^)]*)\\)`, 'gi');
    for (let m = re.exec(sql); m; m = re.exec(sql)) {
      const constraint = (m[1]?.replace(/""/g, '"') ?? m[2] ?? m[3]?.replace(/``/g, '`') ?? m[4]) as string;
      const cols = m[5].split(',').map((c) => c.trim().replace(/^["[`]|["\]`]$/g, '').replace(/""/g, '"'));
      out.set(cols.join(','), constraint);
    }
    return out;
  }
}

/** Index just past a quoted name, string or comment starting at i in a statement (or i itself when none starts there). */
function skipQuoted(sql: string, i: number): number {
  const c = sql[i];
  const close = c === '"' ? '"' : c === "'" ? "'" : c === '`' ? '`' : c === '[' ? ']' : null;
  if (close) {
    let j = i + 1;
    for (;;) {
      const k = sql.indexOf(close, j);
      if (k < 0) return sql.length;
      if (close !== ']' && sql[k + 1] === close) j = k + 2;
      else return k + 1;
    }
  }
  if (sql.startsWith('--', i)) {
    const k = sql.indexOf('\n', i);
    return k < 0 ? sql.length : k + 1;
  }
  if (sql.startsWith('/*', i)) {
    const k = sql.indexOf('*/', i + 2);
    return k < 0 ? sql.length : k + 2;
  }
  return i;
}

/** A statement with its comments made spaces (quoted names and strings kept as they are). */
function withoutComments(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const next = skipQuoted(sql, i);
    if (next === i) out += sql[i++];
    else {
      out += sql.startsWith('--', i) || sql.startsWith('/*', i) ? ' ' : sql.slice(i, next);
      i = next;
    }
  }
  return out;
}

/**
 * The WHERE clause of a CREATE INDEX statement (`… ON t (a, b) WHERE deleted IS NULL` → `deleted IS NULL`), or null
 * when it has none: what follows the parenthesised list of the index's columns. Quotes and comments are skipped over.
 */
export function indexPredicate(sql: string): string | null {
  let depth = 0;
  for (let i = 0; i < sql.length; ) {
    const next = skipQuoted(sql, i);
    if (next !== i) {
      i = next;
      continue;
    }
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) {
      const m = /^\s*WHERE\b\s*([\s\S]+?)\s*;?\s*$/i.exec(withoutComments(sql.slice(i + 1)));
      return m ? m[1] : null;
    }
    i++;
  }
  return null;
}

/**
 * The key parts of a CREATE INDEX statement (`… ON t (lower(a), b DESC)` → `lower(a)`, `b DESC`): the parenthesised
 * list after the table's name (the statement's first parenthesis), split at its own commas. Quotes and comments are
 * skipped over. null when the statement has no such list.
 */
export function indexKeyParts(sql: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < sql.length; ) {
    const next = skipQuoted(sql, i);
    if (next !== i) {
      i = next;
      continue;
    }
    const c = sql[i];
    if (c === '(' && depth++ === 0) start = i + 1;
    else if (c === ')' && --depth === 0) {
      parts.push(sql.slice(start, i));
      return parts.map((p) => withoutComments(p).trim());
    } else if (c === ',' && depth === 1) {
      parts.push(sql.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  return null;
}

/**
 * The CHECK constraints of a CREATE TABLE statement, column-level and table-level alike (SQLite keeps no catalogue of
 * them, only the text): each as `CHECK (…)` with its CONSTRAINT name, or `<table>_check`, `<table>_check1`, … as
 * PostgreSQL names unnamed ones. Quotes, comments and nested parentheses are skipped over, never matched.
 */
export function checkClauses(table: string, sql: string): { name: string; definition: string }[] {
  const out: { name: string; definition: string }[] = [];
  const body = sql.indexOf('(');
  if (body < 0) return out;
  const skip = (i: number) => skipQuoted(sql, i);
  let depth = 0;
  let unnamed = 0;
  let lastName: string | null = null;
  for (let i = body; i < sql.length; ) {
    const next = skip(i);
    if (next !== i) {
      i = next;
      continue;
    }
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',') lastName = null;
    else if (depth === 1 && /[A-Za-z_]/.test(c) && !/[\w$]/.test(sql[i - 1] ?? '')) {
      const word = /^[A-Za-z_][\w$]*/.exec(sql.slice(i))?.[0] ?? '';
      if (/^constraint$/i.test(word)) {
        const after = /^\s+/.exec(sql.slice(i + word.length))?.[0].length ?? 0;
        const start = i + word.length + after;
        const quoted = skip(start);
        const end = quoted !== start ? quoted : start + (/^[\w$]+/.exec(sql.slice(start))?.[0].length ?? 0);
        const raw = sql.slice(start, end);
        lastName = /^["`[']/.test(raw) ? raw.slice(1, -1).replace(/""/g, '"').replace(/``/g, '`') : raw;
        i = end;
        continue;
      }
      if (/^check$/i.test(word)) {
        const open = sql.indexOf('(', i + word.length);
        let j = open + 1;
        for (let d = 1; j < sql.length && d > 0; ) {
          const n = skip(j);
          if (n !== j) {
            j = n;
            continue;
          }
          if (sql[j] === '(') d++;
          else if (sql[j] === ')') d--;
          j++;
        }
        const name = lastName ?? (unnamed++ === 0 ? `${table}_check` : `${table}_check${unnamed - 1}`);
        out.push({ name, definition: `CHECK ${sql.slice(open, j)}` });
        lastName = null;
        i = j;
        continue;
      }
      i += word.length;
      continue;
    }
    i++;
  }
  return out;
}

/** One name as SQLite accepts it: "double quoted", [bracketed], `backquoted`, 'single quoted' or bare. */
const SQLITE_NAME = '(?:"(?:[^"]|"")*"|\\[[^\\]]*\\]|`(?:[^`]|``)*`|\'(?:[^\']|\'\')*\'|[^\\s(]+)';

/** Whether a statement names the table (quoted in any of SQLite's ways, or bare), so a view or trigger reads it. */
function mentions(sql: string, table: string): boolean {
  const escaped = table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const forms = [`"${escaped.replace(/"/g, '""')}"`, `\\[${escaped}\\]`, `\`${escaped}\``, `'${escaped}'`, `(?<![\\w$])${escaped}(?![\\w$])`];
  return new RegExp(forms.join('|'), 'i').test(sql);
}

export function createSqliteConnector(endpoint: Endpoint, options: SqliteOptions = {}): SqliteConnector {
  return new SqliteConnector(endpoint, options);
}

/** The registry loads this folder lazily and calls this (connectors/registry.ts). */
export const createConnector = createSqliteConnector;
export { openValidationSession } from './session';
export { openUserQueryRunner } from './user-query';

/**
 * Whether a same-dialect plan still copies every source column as declared: a mapping edited at the gate (another
 * type) or a column left out means the source's own CREATE TABLE text no longer describes the target table.
 */
function keepsSourceColumns(plan: TablePlan): boolean {
  const planned = new Map(plan.columns.map((c) => [c.column, c.targetType]));
  return plan.source.columns.every((column) => column.generated || planned.get(column.name) === column.nativeType);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Whether the text is an integer as SQLite prints an INTEGER (no sign but minus, no leading zero) within 64 bits. */
function isInt64Text(text: string): boolean {
  if (!/^-?(0|[1-9]\d{0,18})$/.test(text)) return false;
  const n = BigInt(text);
  return n >= INT64_MIN && n <= INT64_MAX;
}
