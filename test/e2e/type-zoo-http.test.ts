/**
 * The type zoos (test/helpers/zoo.ts: one per dialect, each a table holding the types its dialect has and the objects
 * around it: a child table with primary, unique and foreign keys, a secondary index, CHECKs, a view, a sequence where
 * the dialect has one) migrated through the HTTP API, a Temporal dev server and a worker process, in all nine
 * directions: PostgreSQL, MariaDB and SQLite, each into each. For every direction the migration is created, started,
 * approved at its gate and polled over HTTP; it completes and its validation passes; every column of every row of
 * the target is compared with the source by this test's own queries (pg, mysql2, better-sqlite3, never Sensei's
 * connectors), in the normal form the cross-dialect mapping gives each type (an array as JSON, a geometry as EWKB, …,
 * the same forms test/integration/type-zoo.test.ts and sqlite-zoo.test.ts assert); and the schema objects are counted
 * on the target with this test's own catalogue queries. Each same-dialect direction also migrates that dialect's native
 * zoo (the source of test/integration/*-native.test.ts: partitions, inheritance, identities, routines, triggers, …),
 * which must arrive as the source has it: column types, every value's text or bytes, and each catalogue's objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Endpoint } from '../../connectors/types';
import type { MigrationStatus } from '../../lib/migration';
import { createTempDatabase, mariadbRows, pgRows, uniqueName, type TempDatabase, type TestDialect } from '../helpers/databases';
import { apiCaller, isOver } from '../helpers/http';
import { WorkerProcess, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';
import {
  expectSameAsMariaSource,
  expectSameAsPgSource,
  expectSameAsSqliteSource,
  fillSqliteNative,
  fillSqliteZoo,
  json,
  MARIA_ROWS,
  MARIA_SOURCE_SQL,
  MARIA_ZOO,
  MARIA_ZOO_IN_PG_SQL,
  MARIA_ZOO_IN_SQLITE_SQL,
  MARIA_NATIVE_ROWS,
  MARIA_NATIVE_TABLES,
  MARIA_ZOO_OBJECTS,
  mariaZooInSqlite,
  PG_NATIVE_DDL,
  PG_ROWS,
  PG_SOURCE_SQL,
  PG_ZOO,
  PG_ZOO_IN_MARIADB_SQL,
  PG_ZOO_IN_SQLITE_SQL,
  PG_ZOO_OBJECTS,
  SQLITE_ROWS,
  SQLITE_ZOO_IN_MARIADB_SQL,
  SQLITE_ZOO_IN_PG_SQL,
  sqliteZooRows,
} from '../helpers/zoo';

let dir: string;
let stack: Stack;
let worker: WorkerProcess;
let http: ReturnType<typeof apiCaller>;
const databases: TempDatabase[] = [];
/** The type zoos (zoo and its objects), one per dialect, the source of every direction. */
const sources = {} as Record<TestDialect, TempDatabase>;
/** The native zoos (test/integration/*-native.test.ts): each dialect's own types and objects, migrated again into the same dialect. */
const natives = {} as Record<TestDialect, TempDatabase>;

async function database(dialect: TestDialect): Promise<TempDatabase> {
  // SQLite files the API may name live in SENSEI_SQLITE_DIR, the stack's dir.
  let db: TempDatabase;
  if (dialect === 'sqlite') {
    const name = uniqueName();
    const file = path.join(dir, `${name}.sqlite`);
    db = { name, endpoint: { type: 'sqlite', connectionString: file, schema: 'main' }, drop: async () => fs.rmSync(file, { force: true }) };
  } else db = await createTempDatabase(dialect);
  databases.push(db);
  return db;
}

const pg = (db: TempDatabase, sql: string, params: unknown[] = []) => pgRows(db.endpoint, sql, params);
const maria = (db: TempDatabase, sql: string, params: unknown[] = []) => mariadbRows(db.endpoint, sql, params);
function lite(db: TempDatabase, sql: string): Record<string, unknown>[] {
  const conn = new Database(db.endpoint.connectionString, { readonly: true });
  try {
    return conn.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    conn.close();
  }
}

beforeAll(async () => {
  dir = tempDataDir();
  stack = await startStack(dir);
  http = apiCaller(stack);
  worker = new WorkerProcess(stack.workerEnv);
  worker.start();
  sources.postgresql = await database('postgresql');
  sources.mysql = await database('mysql');
  sources.sqlite = await database('sqlite');
  for (const sql of [...PG_ZOO, ...PG_ZOO_OBJECTS]) await pg(sources.postgresql, sql);
  for (const sql of [...MARIA_ZOO, ...MARIA_ZOO_OBJECTS]) await maria(sources.mysql, sql);
  fillSqliteZoo(sources.sqlite.endpoint.connectionString, true);
  natives.postgresql = await database('postgresql');
  natives.mysql = await database('mysql');
  natives.sqlite = await database('sqlite');
  await pg(natives.postgresql, PG_NATIVE_DDL);
  for (const sql of [...Object.values(MARIA_NATIVE_TABLES), ...MARIA_NATIVE_ROWS]) await maria(natives.mysql, sql);
  fillSqliteNative(natives.sqlite.endpoint.connectionString);
}, 120_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await stack?.close();
  await Promise.allSettled(databases.map((d) => d.drop()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Migrates `source` into an empty database of `dialect` over HTTP: POST /v1/migrations, start, approve at the gate
 * when the plan stops there, poll the status to its end. It must complete with validation passed.
 */
async function migrate(source: TempDatabase, dialect: TestDialect): Promise<{ id: string; target: TempDatabase; gated: boolean; done: MigrationStatus }> {
  const target = await database(dialect);
  const endpoint = (e: Endpoint) => ({ type: e.type, connection_string: e.connectionString });
  const created = await http.api('POST', '/v1/migrations', {
    name: `type zoo ${source.endpoint.type} → ${dialect}`,
    source: endpoint(source.endpoint),
    target: endpoint(target.endpoint),
    strategy: 'balanced',
    options: { auto_approve_high_confidence: true, chunk_size: 5 },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await http.api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
  const gate = await http.poll(id, (s) => isOver(s) || s.status === 'awaiting_approval' || s.phase === 'data_transfer' || s.phase === 'validation', 120_000);
  const gated = gate.status === 'awaiting_approval';
  if (gated) {
    const approved = await http.api('POST', `/v1/migrations/${id}/approve`, { comment: 'type zoo' });
    expect(approved.status).toBe(200);
    expect(approved.body.gate.state).toBe('approved');
  }
  const done = await http.poll(id, isOver, 240_000);
  expect({ status: done.status, failure: done.failure, validation: done.validation?.status }).toEqual({ status: 'completed', failure: null, validation: 'passed' });
  // A type zoo's rows: the zoo's (with its row of NULLs) and its child table's.
  const zooRows = { postgresql: PG_ROWS + 1 + PG_ROWS, mysql: MARIA_ROWS + 2 + MARIA_ROWS, sqlite: SQLITE_ROWS + 1 + SQLITE_ROWS };
  const zoo = (Object.keys(sources) as TestDialect[]).find((d) => sources[d] === source);
  if (zoo) expect(done.progress.rows_copied).toBe(zooRows[zoo]);
  return { id, target, gated, done };
}

/** The plan's notes, over HTTP (what it says it leaves out). */
async function notesOf(id: string): Promise<string> {
  const mappings = await http.api('GET', `/v1/migrations/${id}/mappings`);
  expect(mappings.status).toBe(200);
  return (mappings.body.notes as string[]).join('\n');
}

// ---------------------------------------------------------------------------------------------------------------------
// The test's own catalogue reads: what each target holds, by kind.

interface Objects {
  tables: string[];
  primaryKeys: number;
  uniqueKeys: number;
  foreignKeys: number;
  /** Secondary indexes: neither a primary nor a unique key's. */
  indexes: string[];
  checks: number;
  views: string[];
  sequences?: string[];
  enums?: string[];
  domains?: string[];
}

/** PostgreSQL's schema `public`, leaving out what an extension owns (PostGIS's spatial_ref_sys). */
async function pgObjects(db: TempDatabase): Promise<Objects> {
  const own = `SELECT c.oid, c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;
  const names = async (kinds: string) => (await pg(db, `WITH own AS (${own}) SELECT relname n FROM own WHERE relkind IN (${kinds}) ORDER BY 1`)).map((r) => String(r.n));
  const constraints = async (type: string) =>
    Number((await pg(db, `WITH own AS (${own}) SELECT count(*)::int n FROM pg_constraint k JOIN own ON own.oid = k.conrelid WHERE k.contype = $1`, [type]))[0].n);
  const indexes = await pg(
    db,
    `WITH own AS (${own}) SELECT ic.relname n FROM pg_index i JOIN own ON own.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1`,
  );
  const types = async (kind: string) =>
    (
      await pg(
        db,
        `SELECT t.typname n FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype = $1
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e') ORDER BY 1`,
        [kind],
      )
    ).map((r) => String(r.n));
  return {
    tables: await names(`'r', 'p'`),
    primaryKeys: await constraints('p'),
    uniqueKeys: await constraints('u'),
    foreignKeys: await constraints('f'),
    indexes: indexes.map((r) => String(r.n)),
    checks: await constraints('c'),
    views: await names(`'v', 'm'`),
    sequences: (
      await pg(
        db,
        `WITH own AS (${own}) SELECT relname n FROM own WHERE relkind = 'S'
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = own.oid AND d.deptype IN ('a', 'i')) ORDER BY 1`,
      )
    ).map((r) => String(r.n)),
    enums: await types('e'),
    domains: await types('d'),
  };
}

/** A MariaDB database; its CHECKs but those MariaDB adds itself to a JSON column (json_valid). */
async function mariaObjects(db: TempDatabase): Promise<Objects> {
  const schema = [db.name];
  const names = async (sql: string) => (await maria(db, sql, schema)).map((r) => String(r.n));
  const constraints = async (type: string) =>
    Number((await maria(db, `SELECT COUNT(*) n FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND CONSTRAINT_TYPE = ?`, [db.name, type]))[0].n);
  return {
    tables: await names(`SELECT TABLE_NAME n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY 1`),
    primaryKeys: await constraints('PRIMARY KEY'),
    uniqueKeys: await constraints('UNIQUE'),
    foreignKeys: await constraints('FOREIGN KEY'),
    indexes: await names(`SELECT DISTINCT INDEX_NAME n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND NON_UNIQUE = 1 ORDER BY 1`),
    checks: Number(
      (await maria(db, `SELECT COUNT(*) n FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND CHECK_CLAUSE NOT LIKE 'json_valid(%'`, schema))[0].n,
    ),
    views: await names(`SELECT TABLE_NAME n FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY 1`),
    sequences: await names(`SELECT TABLE_NAME n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'SEQUENCE' ORDER BY 1`),
  };
}

/** A SQLite file: keys and indexes by pragma, its CHECKs counted in the tables' CREATE statements (SQLite keeps no other record). */
function liteObjects(db: TempDatabase): Objects {
  const tables = lite(db, `SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`) as { name: string; sql: string }[];
  const indexList = tables.flatMap((t) => lite(db, `SELECT name, origin FROM pragma_index_list('${t.name}')`) as { name: string; origin: string }[]);
  // An INTEGER PRIMARY KEY is the rowid (no index of its own): a table's primary key is in its columns' pk.
  const primaryKeys = tables.filter((t) => (lite(db, `SELECT COUNT(*) n FROM pragma_table_info('${t.name}') WHERE pk > 0`)[0].n as number) > 0).length;
  return {
    tables: tables.map((t) => t.name),
    primaryKeys,
    uniqueKeys: indexList.filter((i) => i.origin === 'u').length,
    foreignKeys: tables.reduce((n, t) => n + lite(db, `SELECT DISTINCT id FROM pragma_foreign_key_list('${t.name}')`).length, 0),
    indexes: indexList
      .filter((i) => i.origin === 'c')
      .map((i) => i.name)
      .sort(),
    checks: tables.reduce((n, t) => n + (t.sql.match(/\bCHECK\s*\(/gi) ?? []).length, 0),
    views: lite(db, `SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name`).map((r) => String(r.name)),
  };
}

/** The child table's rows as text (all its columns: id, zoo_id, code), the same in every dialect. */
async function childRows(db: TempDatabase): Promise<string[][]> {
  const sql = 'SELECT id, zoo_id, code FROM zoo_child ORDER BY id';
  const rows = db.endpoint.type === 'postgresql' ? await pg(db, sql) : db.endpoint.type === 'mysql' ? await maria(db, sql) : lite(db, sql);
  return rows.map((r) => [String(r.id), String(r.zoo_id), String(r.code)]);
}

async function expectChildRows(source: TempDatabase, target: TempDatabase, count: number) {
  const rows = await childRows(source);
  expect(rows).toHaveLength(count);
  expect(await childRows(target)).toEqual(rows);
}

/**
 * A timestamp's text in one form, 'YYYY-MM-DD HH:MM:SS.ffffff' (microseconds): a PostgreSQL timestamptz arrives in
 * MariaDB as a DATETIME holding UTC and in SQLite as UTC text ending in Z (the plans' notes say so); no other offset
 * is expected.
 */
const stamp = (v: unknown) => {
  if (v === null || v === undefined) return null;
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|\+00(?::?00)?)?$/.exec(String(v));
  if (!m) throw new Error(`not a UTC timestamp: ${String(v)}`);
  return `${m[1]} ${m[2]}.${(m[3] ?? '').padEnd(6, '0')}`;
};

// ---------------------------------------------------------------------------------------------------------------------
// PostgreSQL → …

/** Every column of a PostgreSQL table, each value as its text, per row in key order (the test's own reading). */
async function pgRowsAsText(db: TempDatabase, table: string): Promise<unknown[]> {
  const cols = await pg(db, `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [table]);
  const list = cols.map((r) => `"${String(r.attname)}"::text`).join(', ');
  return (await pg(db, `SELECT json_build_array(${list})::text r FROM ONLY "${table}" ORDER BY 1`)).map((r) => r.r);
}

/** The source zoo's `made` (every row but the last was set to one instant; the last took now()) in UTC. */
async function pgMade(): Promise<(string | null)[]> {
  return (await pg(sources.postgresql, `SELECT to_char(made AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') made FROM zoo ORDER BY id`)).map((r) => stamp(r.made));
}

/** What the PostgreSQL zoo's objects become in MariaDB and SQLite: both keys, its foreign key, the portable CHECKs. */
const PG_ZOO_ACROSS = {
  tables: ['zoo', 'zoo_child'],
  primaryKeys: 2,
  uniqueKeys: 1,
  foreignKeys: 1,
  // No view across dialects (its definition is PostgreSQL's SQL: the plan says so).
  views: [],
};

test('PostgreSQL → PostgreSQL over HTTP: the type zoo and the native zoo, every column type and value as the source has it; keys, indexes, CHECKs, views, sequence, enum, domains, partitions, inheritance, trigger', async () => {
  const source = sources.postgresql;
  const { target } = await migrate(source, 'postgresql');
  const types = `SELECT c.relname || '.' || a.attname col, format_type(a.atttypid, a.atttypmod) t FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1`;
  expect(await pg(target, types)).toEqual(await pg(source, types));
  for (const [table, count] of [['zoo', PG_ROWS + 1], ['zoo_child', PG_ROWS]] as const) {
    const rows = await pgRowsAsText(source, table);
    expect(rows).toHaveLength(count);
    expect({ table, rows: await pgRowsAsText(target, table) }).toEqual({ table, rows });
  }
  const expected: Objects = {
    tables: ['zoo', 'zoo_child'],
    primaryKeys: 2,
    uniqueKeys: 1,
    foreignKeys: 1,
    indexes: ['zoo_amount', 'zoo_child_zoo', 'zoo_doc', 'zoo_ints', 'zoo_lower_z'],
    // zoo's CHECK on amount and zoo_x_short, zoo_child_positive (the domains' CHECKs are the domains').
    checks: 3,
    views: ['zoo_happy'],
    sequences: ['zoo_ticket'],
    enums: ['mood'],
    domains: ['posint', 'zip'],
  };
  expect(await pgObjects(source)).toEqual(expected);
  expect(await pgObjects(target)).toEqual(expected);
  expect(await pg(target, 'SELECT id, m::text m FROM zoo_happy ORDER BY id')).toEqual(await pg(source, 'SELECT id, m::text m FROM zoo_happy ORDER BY id'));

  // The native zoo (postgres-native.test.ts): every type family, identities, partitions, inheritance, views, a trigger.
  const native = natives.postgresql;
  const { target: copy } = await migrate(native, 'postgresql');
  expect(await pg(copy, types)).toEqual(await pg(native, types));
  const tables = (await pg(native, `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1`)).map((r) => String(r.relname));
  expect(tables).toHaveLength(27);
  for (const table of tables) {
    const rows = await pgRowsAsText(native, table);
    expect({ table, rows: await pgRowsAsText(copy, table) }).toEqual({ table, rows });
  }
  const nativeObjects: Objects = {
    // 25 tables (t_parted partitioned, its four partitions, t_animal and its child t_dog among them) and the two levels of partitioned tables.
    tables: expect.arrayContaining(['t_all', 't_animal', 't_dog', 't_parted', 't_parted_2023', 't_parted_2024', 't_parted_2024_a', 't_parted_2024_rest']),
    // Every table but t_nokey, each partition with its own.
    primaryKeys: 28,
    uniqueKeys: 1,
    foreignKeys: 2,
    indexes: ['t_array_gin', 't_defaults_cheap', 't_defaults_label_created', 't_defaults_lower_code', 't_defaults_n_unique'],
    checks: 2,
    views: ['mv_counts', 'v_cheap', 'v_cheap_codes'],
    sequences: ['shared_seq'],
    enums: ['mood'],
    domains: ['email', 'posint', 'year'],
  };
  const [nativeFound, copied] = [await pgObjects(native), await pgObjects(copy)];
  expect(nativeFound).toEqual(nativeObjects);
  expect(nativeFound.tables).toHaveLength(29);
  expect(copied).toEqual(nativeFound);
  for (const catalogue of [
    `SELECT conrelid::regclass::text tbl, conname, pg_get_constraintdef(oid) def FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'c', 'f', 'x') ORDER BY 1, 2`,
    `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2`,
    `SELECT relname, pg_get_viewdef(oid) def FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm') ORDER BY 1`,
    `SELECT tgname, pg_get_triggerdef(oid) def FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`,
    `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) bound FROM pg_class c WHERE c.relispartition ORDER BY 1`,
    `SELECT inhrelid::regclass::text child, inhparent::regclass::text parent FROM pg_inherits ORDER BY 1`,
    `SELECT extname FROM pg_extension WHERE extname IN ('citext', 'hstore') ORDER BY 1`,
  ]) {
    const found = await pg(native, catalogue);
    expect(found.length).toBeGreaterThan(0);
    expect(await pg(copy, catalogue)).toEqual(found);
  }
}, 300_000);

test('PostgreSQL → MariaDB over HTTP: arrays, composites and jsonb as JSON, interval as ISO-8601, the rest as text; keys, CHECKs and indexes MariaDB can have', async () => {
  const { id, target, gated } = await migrate(sources.postgresql, 'mysql');
  // Lossy mappings (tsvector as text, confidence 0.5) stop the plan at the gate.
  expect(gated).toBe(true);
  expectSameAsPgSource(await pg(sources.postgresql, PG_SOURCE_SQL), await maria(target, PG_ZOO_IN_MARIADB_SQL));
  expect((await maria(target, `SELECT DATE_FORMAT(made, '%Y-%m-%d %H:%i:%s.%f') made FROM zoo ORDER BY id`)).map((r) => stamp(r.made))).toEqual(await pgMade());
  await expectChildRows(sources.postgresql, target, PG_ROWS);
  expect(await mariaObjects(target)).toEqual({
    ...PG_ZOO_ACROSS,
    // zoo_ints (JSON) and zoo_doc (LONGTEXT) cannot be indexed in MariaDB, zoo_lower_z is an expression index.
    indexes: ['zoo_amount', 'zoo_child_zoo'],
    // amount >= 0, posint's VALUE > 0 on p, zoo_child_positive; zoo_x_short (length of xml::text) and zip's regex are PostgreSQL's own.
    checks: 3,
    sequences: [],
  });
  // Across dialects the view and the sequence are not migrated: the plan says so.
  const notes = await notesOf(id);
  expect(notes).toMatch(/views not migrated, because their definitions are postgresql SQL .*: zoo_happy/);
  expect(notes).toMatch(/sequences not migrated, because .*: zoo_ticket/);
}, 300_000);

test('PostgreSQL → SQLite over HTTP: the same forms as text; keys, CHECKs (the enum as one) and indexes', async () => {
  const { id, target, gated } = await migrate(sources.postgresql, 'sqlite');
  expect(gated).toBe(true);
  expectSameAsPgSource(await pg(sources.postgresql, PG_SOURCE_SQL), lite(target, PG_ZOO_IN_SQLITE_SQL));
  expect(lite(target, 'SELECT made FROM zoo ORDER BY id').map((r) => stamp(r.made))).toEqual(await pgMade());
  await expectChildRows(sources.postgresql, target, PG_ROWS);
  expect(liteObjects(target)).toEqual({
    ...PG_ZOO_ACROSS,
    // SQLite indexes any column, and lower(z) too.
    indexes: ['zoo_amount', 'zoo_child_zoo', 'zoo_doc', 'zoo_ints', 'zoo_lower_z'],
    // amount >= 0, posint's VALUE > 0 on p, the enum mood's labels on m, zoo_child_positive.
    checks: 4,
  });
  // Across dialects the view and the sequence are not migrated: the plan says so.
  const notes = await notesOf(id);
  expect(notes).toMatch(/views not migrated, because their definitions are postgresql SQL .*: zoo_happy/);
  expect(notes).toMatch(/sequences not migrated, because .*: zoo_ticket/);
}, 300_000);

// ---------------------------------------------------------------------------------------------------------------------
// MariaDB → …

/** Every column of a MariaDB table as HEX of its stored bytes, per row in key order (the test's own reading). */
async function mariaRowsAsHex(db: TempDatabase, table: string): Promise<string[]> {
  const cols = await maria(db, 'SELECT COLUMN_NAME c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [db.name, table]);
  const list = cols.map((r) => `IFNULL(HEX(\`${String(r.c)}\`), 'NULL')`).join(', ');
  return (await maria(db, `SELECT CONCAT_WS('|', ${list}) r FROM \`${table}\` ORDER BY id`)).map((r) => String(r.r));
}

/** The MariaDB zoo's DATETIME(3) `made` (its default, the current time). */
async function mariaMade(): Promise<(string | null)[]> {
  return (await maria(sources.mysql, `SELECT DATE_FORMAT(made, '%Y-%m-%d %H:%i:%s.%f') made FROM zoo ORDER BY id`)).map((r) => stamp(r.made));
}

const MARIA_ZOO_ACROSS = { tables: ['zoo', 'zoo_child'], primaryKeys: 2, uniqueKeys: 1, foreignKeys: 1, views: [] };

test('MariaDB → MariaDB over HTTP: the type zoo and the native zoo, every COLUMN_TYPE and every stored byte as the source has it; keys, indexes, CHECKs, views, sequences, routines, trigger, event', async () => {
  const source = sources.mysql;
  const { target } = await migrate(source, 'mysql');
  const types = `SELECT TABLE_NAME t, COLUMN_NAME c, COLUMN_TYPE type, IS_NULLABLE n FROM information_schema.COLUMNS c JOIN information_schema.TABLES USING (TABLE_SCHEMA, TABLE_NAME)
                  WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1, ORDINAL_POSITION`;
  expect(await maria(target, types, [target.name])).toEqual(await maria(source, types, [source.name]));
  for (const [table, count] of [['zoo', MARIA_ROWS + 2], ['zoo_child', MARIA_ROWS]] as const) {
    const rows = await mariaRowsAsHex(source, table);
    expect(rows).toHaveLength(count);
    expect({ table, rows: await mariaRowsAsHex(target, table) }).toEqual({ table, rows });
  }
  const expected: Objects = { ...MARIA_ZOO_ACROSS, indexes: ['zoo_child_zoo', 'zoo_y'], checks: 1, views: ['zoo_large'], sequences: ['zoo_ticket'] };
  expect(await mariaObjects(source)).toEqual(expected);
  expect(await mariaObjects(target)).toEqual(expected);
  expect(await maria(target, 'SELECT id, e FROM zoo_large ORDER BY id')).toEqual(await maria(source, 'SELECT id, e FROM zoo_large ORDER BY id'));

  // The native zoo (mariadb-native.test.ts): a table per type family, generated columns, views, routines, a trigger, a sequence, an event.
  const native = natives.mysql;
  const { target: copy } = await migrate(native, 'mysql');
  const tables = Object.keys(MARIA_NATIVE_TABLES);
  const typesOf = (db: TempDatabase) => maria(db, `SELECT TABLE_NAME t, COLUMN_NAME c, COLUMN_TYPE type, IS_NULLABLE n, EXTRA x FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?) ORDER BY 1, ORDINAL_POSITION`, [db.name, tables]);
  expect(await typesOf(copy)).toEqual(await typesOf(native));
  for (const table of tables) {
    const rows = await mariaRowsAsHex(native, table);
    expect(rows.length).toBeGreaterThan(0);
    expect({ table, rows: await mariaRowsAsHex(copy, table) }).toEqual({ table, rows });
  }
  // The sequence's table and the system-versioned one (its current rows; its history too, see mariadb-versioned.test.ts).
  for (const sql of ['SELECT id, note FROM tickets ORDER BY id', 'SELECT id, CAST(amount AS CHAR) a FROM prices ORDER BY id']) expect(await maria(copy, sql)).toEqual(await maria(native, sql));
  const nativeObjects: Objects = {
    tables: ['bitkeyed', 'bits', 'docs', 'ipkeyed', 'items', 'loose', 'nets', 'odd', 'owners', 'pets', 'prices', 'sets', 'shapes', 'tickets'],
    // Every table but loose.
    primaryKeys: 13,
    uniqueKeys: 2,
    foreignKeys: 2,
    // With the ones InnoDB makes for the foreign keys, named after them.
    indexes: ['docs_note', 'items_qty_code', 'pets_owner', 'pets_owner_code', 'shapes_p'],
    // docs_id_positive and items' CHECK on qty.
    checks: 2,
    views: ['a_sum', 'v_totals'],
    sequences: ['ticket'],
  };
  expect(await mariaObjects(native)).toEqual(nativeObjects);
  expect(await mariaObjects(copy)).toEqual(nativeObjects);
  const code = (db: TempDatabase) =>
    maria(
      db,
      `SELECT 'trigger' k, TRIGGER_NAME n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
        UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1, 2`,
      [db.name, db.name, db.name],
    );
  expect(await code(copy)).toEqual([
    { k: 'event', n: 'purge_empty' },
    { k: 'function', n: 'auto_code' },
    { k: 'function', n: 'joined' },
    { k: 'procedure', n: 'add_item' },
    { k: 'trigger', n: 'items_code' },
  ]);
}, 300_000);

test('MariaDB → PostgreSQL over HTTP: SET as text[], geometry as PostGIS EWKB, BIT(n), INET, UUID, ENUM as an enum type, YEAR with its CHECK; keys and index', async () => {
  const { id, target, gated } = await migrate(sources.mysql, 'postgresql');
  expect(gated).toBe(true);
  expectSameAsMariaSource(await maria(sources.mysql, MARIA_SOURCE_SQL), await pg(target, MARIA_ZOO_IN_PG_SQL), (v) => v);
  expect((await pg(target, `SELECT to_char(made, 'YYYY-MM-DD HH24:MI:SS.US') made FROM zoo ORDER BY id`)).map((r) => stamp(r.made))).toEqual(await mariaMade());
  await expectChildRows(sources.mysql, target, MARIA_ROWS);
  const objects = await pgObjects(target);
  expect(objects).toEqual({
    ...MARIA_ZOO_ACROSS,
    indexes: ['zoo_child_zoo', 'zoo_y'],
    // YEAR's range on y, zoo_child_positive.
    checks: 2,
    sequences: [],
    // The ENUM column's type (the plan names it after its table and column).
    enums: ['zoo_e'],
    domains: [],
  });
  // Across dialects the view and the sequence are not migrated: the plan says so.
  const notes = await notesOf(id);
  expect(notes).toMatch(/views not migrated, because their definitions are mysql SQL .*: zoo_large/);
  expect(notes).toMatch(/sequences not migrated, because .*: zoo_ticket/);
}, 300_000);

test('MariaDB → SQLite over HTTP: SET as a JSON array, geometry as EWKB, BIT(n) as its digits, YEAR with its CHECK; keys and index', async () => {
  const { id, target, gated } = await migrate(sources.mysql, 'sqlite');
  expect(gated).toBe(true);
  expectSameAsMariaSource(await maria(sources.mysql, MARIA_SOURCE_SQL), mariaZooInSqlite(lite(target, MARIA_ZOO_IN_SQLITE_SQL)), json);
  expect(lite(target, 'SELECT made FROM zoo ORDER BY id').map((r) => stamp(r.made))).toEqual(await mariaMade());
  await expectChildRows(sources.mysql, target, MARIA_ROWS);
  expect(liteObjects(target)).toEqual({
    ...MARIA_ZOO_ACROSS,
    indexes: ['zoo_child_zoo', 'zoo_y'],
    // YEAR's range on y, the ENUM's labels on e, zoo_child_positive.
    checks: 3,
  });
  // Across dialects the view and the sequence are not migrated: the plan says so.
  const notes = await notesOf(id);
  expect(notes).toMatch(/views not migrated, because their definitions are mysql SQL .*: zoo_large/);
  expect(notes).toMatch(/sequences not migrated, because .*: zoo_ticket/);
}, 300_000);

// ---------------------------------------------------------------------------------------------------------------------
// SQLite → …

/**
 * Every stored value of a SQLite table as `storage class:exact text` (hex for TEXT and BLOB, the double's bits for
 * REAL, integers to the last digit), per row in rowid order.
 */
function liteContents(db: TempDatabase, table: string): string[][] {
  const conn = new Database(db.endpoint.connectionString, { readonly: true });
  try {
    conn.defaultSafeIntegers(true);
    const columns = (conn.prepare(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).all() as { name: string }[]).map((c) => c.name);
    const select = columns.map((c) => `typeof("${c}"), CASE WHEN typeof("${c}") IN ('text', 'blob') THEN hex("${c}") ELSE "${c}" END`).join(', ');
    const rows = conn.prepare(`SELECT ${select} FROM "${table}" ORDER BY rowid`).raw(true).all() as unknown[][];
    return rows.map((row) =>
      columns.map((_c, i) => {
        const [kind, value] = [row[2 * i], row[2 * i + 1]];
        if (kind !== 'real') return `${String(kind)}:${String(value)}`;
        const bits = Buffer.alloc(8);
        bits.writeDoubleBE(value as number);
        return `real:${bits.toString('hex')}`;
      }),
    );
  } finally {
    conn.close();
  }
}

const SQLITE_ZOO_ACROSS: Omit<Objects, 'checks'> = { tables: ['zoo', 'zoo_child'], primaryKeys: 2, uniqueKeys: 1, foreignKeys: 1, views: [], indexes: ['zoo_child_zoo'] };

test('SQLite → SQLite over HTTP: the type zoo and the native zoo, the schema as written, every value with its storage class and bytes; keys, indexes, CHECKs, views, trigger, AUTOINCREMENT', async () => {
  const source = sources.sqlite;
  const { target } = await migrate(source, 'sqlite');
  const schema = `SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name`;
  expect(lite(target, schema)).toEqual(lite(source, schema));
  for (const [table, count] of [['zoo', SQLITE_ROWS + 1], ['zoo_child', SQLITE_ROWS]] as const) {
    const rows = liteContents(source, table);
    expect(rows).toHaveLength(count);
    expect({ table, rows: liteContents(target, table) }).toEqual({ table, rows });
  }
  const expected: Objects = { ...SQLITE_ZOO_ACROSS, checks: 2, views: ['zoo_true'] };
  expect(liteObjects(source)).toEqual(expected);
  expect(liteObjects(target)).toEqual(expected);
  expect(lite(target, 'SELECT * FROM zoo_true ORDER BY id')).toEqual(lite(source, 'SELECT * FROM zoo_true ORDER BY id'));

  // The native zoo (sqlite-native.test.ts): values of every storage class in any column, AUTOINCREMENT, partial and expression indexes, a trigger.
  const native = natives.sqlite;
  const { target: copy } = await migrate(native, 'sqlite');
  expect(lite(copy, schema)).toEqual(lite(native, schema));
  for (const table of ['parent', 'kinds']) {
    const rows = liteContents(native, table);
    expect(rows.length).toBeGreaterThan(0);
    expect({ table, rows: liteContents(copy, table) }).toEqual({ table, rows });
  }
  const nativeObjects: Objects = {
    tables: ['kinds', 'parent'],
    primaryKeys: 2,
    // parent's name, kinds' one_label_per_parent.
    uniqueKeys: 2,
    foreignKeys: 1,
    indexes: ['kinds_high_scores', 'kinds_lower_label'],
    checks: 1,
    views: ['high_scores'],
  };
  expect(liteObjects(native)).toEqual(nativeObjects);
  expect(liteObjects(copy)).toEqual(nativeObjects);
  expect(lite(copy, `SELECT name FROM sqlite_schema WHERE type = 'trigger'`)).toEqual([{ name: 'kinds_count' }]);
  expect(lite(copy, `SELECT seq FROM sqlite_sequence WHERE name = 'kinds'`)).toEqual([{ seq: 6 }]);
}, 300_000);

test('SQLite → PostgreSQL over HTTP: each declared type in its PostgreSQL form; keys, index, CHECKs', async () => {
  const { id, target } = await migrate(sources.sqlite, 'postgresql');
  expectSameAsSqliteSource(sqliteZooRows(sources.sqlite.endpoint.connectionString), await pg(target, SQLITE_ZOO_IN_PG_SQL));
  await expectChildRows(sources.sqlite, target, SQLITE_ROWS);
  expect(await pgObjects(target)).toEqual({ ...SQLITE_ZOO_ACROSS, checks: 2, sequences: [], enums: [], domains: [] });
  // Across dialects the view is not migrated: the plan says so.
  const notes = await notesOf(id);
  expect(notes).toMatch(/views not migrated, because their definitions are sqlite SQL .*: zoo_true/);
}, 300_000);

test('SQLite → MariaDB over HTTP: each declared type in its MariaDB form; keys, index, CHECKs', async () => {
  const { id, target } = await migrate(sources.sqlite, 'mysql');
  expectSameAsSqliteSource(sqliteZooRows(sources.sqlite.endpoint.connectionString), await maria(target, SQLITE_ZOO_IN_MARIADB_SQL));
  await expectChildRows(sources.sqlite, target, SQLITE_ROWS);
  expect(await mariaObjects(target)).toEqual({ ...SQLITE_ZOO_ACROSS, checks: 2, sequences: [] });
  // Across dialects the view is not migrated: the plan says so.
  const notes = await notesOf(id);
  expect(notes).toMatch(/views not migrated, because their definitions are sqlite SQL .*: zoo_true/);
}, 300_000);
