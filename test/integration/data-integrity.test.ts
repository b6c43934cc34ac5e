/**
 * Data that cannot change silently, through the real copy activities, real databases and real files:
 * - text that is not valid UTF-8 is a rejected row named by its key (never copied with U+FFFD in its place);
 * - MariaDB targets compare text keys with a binary NO PAD collation, so 'a' and 'a ' stay two rows;
 * - names longer than the target keeps are shortened deterministically (and said at the gate), never truncated
 *   by the server into a collision;
 * - a MariaDB system-versioned table whose history the finalize cannot load (here: a run started before the finalize
 *   was given the source) keeps its current rows in a versioned table, and the finalize says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { ConnectorPool } from '../../activities/connections';
import type { Endpoint } from '../../connectors/types';
import type { EndpointRef } from '../../lib/migration';
import { fitName } from '../../lib/identifiers';
import { reachPolicy } from '../../lib/reach';
import { Sealer } from '../../lib/secrets';
import { MetadataStore } from '../../lib/store';
import type { MigrationPlan, TablePlan } from '../../lib/types';
import { createTempDatabase, mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { testReach } from '../helpers/reach';
import { tempDataDir } from '../helpers/temporal';

let dir: string;
let store: MetadataStore;
let pool: ConnectorPool;
let sealer: Sealer;
const databases: TempDatabase[] = [];

const ref = (e: Endpoint): EndpointRef => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: e.type, schema: e.schema });
const activities = () => createActivities(pool, store);
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(fn, ...args);

async function database(dialect: 'postgresql' | 'mysql'): Promise<TempDatabase> {
  const db = await createTempDatabase(dialect);
  databases.push(db);
  return db;
}

/** Plans a migration from source to target and creates its tables, through the activities. */
async function plan(source: EndpointRef, target: EndpointRef): Promise<MigrationPlan> {
  const a = activities();
  const schema = await run(a.analyzeSource, { source });
  const planned = await run(a.planMapping, { schema, target });
  await run(a.createTargetTables, { target, plan: planned, replace: true });
  return planned;
}

beforeAll(async () => {
  dir = tempDataDir();
  sealer = new Sealer('data integrity test');
  pool = new ConnectorPool(sealer, reachPolicy(testReach()));
  store = await MetadataStore.open({ dataDir: path.join(dir, 'store') });
});

afterAll(async () => {
  await pool?.closeAll();
  await store?.close();
  for (const db of databases) await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('text that is not valid UTF-8', () => {
  let source: EndpointRef;
  let targetDb: TempDatabase;
  let target: EndpointRef;
  let planned: MigrationPlan;

  beforeAll(async () => {
    const file = path.join(dir, 'notes.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, title VARCHAR(20))');
    db.exec('CREATE TABLE loose (body TEXT, n INTEGER)');
    const insert = db.prepare('INSERT INTO notes VALUES (?, CAST(? AS TEXT), ?)');
    for (let i = 1; i <= 20; i++) insert.run(i, Buffer.from(`note ${i} — ok`), `t${i}`);
    // Bytes SQLite stores as text without checking them: a lone continuation byte, a truncated sequence, an overlong '/'.
    insert.run(21, Buffer.from([0x61, 0x80, 0x62]), 'bad1');
    insert.run(22, Buffer.from([0xe2, 0x82]), 'bad2');
    insert.run(23, Buffer.from([0xc0, 0xaf]), 'bad3');
    // A real U+FFFD in valid UTF-8 is data like any other and is copied.
    insert.run(24, Buffer.from('keeps \uFFFD as written'), 't24');
    db.prepare('INSERT INTO loose VALUES (CAST(? AS TEXT), 1)').run(Buffer.from('fine'));
    db.prepare('INSERT INTO loose VALUES (CAST(? AS TEXT), 2)').run(Buffer.from([0xff, 0xfe]));
    db.close();
    source = ref({ type: 'sqlite', connectionString: file });
    targetDb = await database('postgresql');
    target = ref(targetDb.endpoint);
    planned = await plan(source, target);
  });

  test('each such row is rejected by key with the reason; every other row is copied exactly', async () => {
    const table = planned.tables.find((t) => t.source.name === 'notes') as TablePlan;
    const result = await run(activities().copyChunk, { migrationId: 'mig_utf8check01', source, target, table, after: null, limit: 100 });
    expect(result).toMatchObject({ rows: 24, written: 21 });
    expect(result.rejected.map((r) => [String(r.key[0]), r.message])).toEqual(
      ['21', '22', '23'].map((k) => [k, 'column body holds bytes that are not valid UTF-8: not copied (never replaced by U+FFFD)']),
    );
    const rows = await pgRows(targetDb.endpoint, 'SELECT id, body FROM notes ORDER BY id');
    expect(rows.map((r) => Number(r.id))).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 24]);
    expect(rows.at(-1)?.body).toBe('keeps \uFFFD as written');
    expect(rows[0]?.body).toBe('note 1 — ok');
    expect(rows.filter((r) => String(r.body).includes('\uFFFD'))).toHaveLength(1);
    const { rows: errors } = await store.listErrors('mig_utf8check01', 10, 0);
    expect(errors.map((e) => [e.code, e.key?.map(String)])).toEqual([
      ['RowRejected', ['21']],
      ['RowRejected', ['22']],
      ['RowRejected', ['23']],
    ]);
  });

  test('a table without a key: such a row is rejected, named by its values, and the others are written', async () => {
    const table = planned.tables.find((t) => t.source.name === 'loose') as TablePlan;
    expect(table.copyMode).toBe('whole_table');
    const result = (await run(activities().copyWholeTable, { source, target, table, batchSize: 100 })) as { rows: number; rejected: { message: string; errorId: string }[] };
    expect(result.rejected.length).toBeGreaterThan(0);
    for (const r of result.rejected) {
      expect(r.message).toMatch(/^column body of a row holds bytes that are not valid UTF-8: the row is not copied \(the table has no key: the row is named by its values' SHA-256 [0-9a-f]{16}/);
    }
    const written = await pgRows(targetDb.endpoint, 'SELECT count(*)::int AS n FROM loose');
    expect(written).toEqual([{ n: result.rows }]);
    expect(result.rows).toBeGreaterThan(0);
    // Copied again (a retried activity), each row is the same error.
    const again = (await run(activities().copyWholeTable, { source, target, table, batchSize: 100 })) as { rejected: { errorId: string }[] };
    expect(again.rejected.map((r) => r.errorId)).toEqual(result.rejected.map((r) => r.errorId));
  });
});

describe('MariaDB targets keep text keys that differ only in trailing spaces', () => {
  test("'a', 'a ', 'a  ' and 'A' stay four rows, also when a chunk is copied again", async () => {
    const sourceDb = await database('postgresql');
    await pgRows(sourceDb.endpoint, `CREATE TABLE tags (name text PRIMARY KEY, n int NOT NULL)`);
    await pgRows(sourceDb.endpoint, `INSERT INTO tags VALUES ('a', 1), ('a ', 2), ('A', 3), ('a  ', 4), ('b', 5)`);
    const targetDb = await database('mysql');
    const source = ref(sourceDb.endpoint);
    const target = ref(targetDb.endpoint);
    const planned = await plan(source, target);
    const table = planned.tables[0] as TablePlan;
    const result = await run(activities().copyChunk, { migrationId: 'mig_nopadkeys01', source, target, table, after: null, limit: 100 });
    expect(result).toMatchObject({ rows: 5, written: 5, rejected: [] });
    // Copying the same chunk again (a retried activity) replaces rows instead of merging or duplicating them.
    await run(activities().copyChunk, { migrationId: 'mig_nopadkeys01', source, target, table, after: null, limit: 100 });
    const conn = await mysql.createConnection(targetDb.endpoint.connectionString);
    try {
      const [rows] = await conn.query(`SELECT CONCAT('[', name, ']') AS k, n FROM tags ORDER BY n`);
      expect((rows as { k: string; n: number }[]).map((r) => [r.k, r.n])).toEqual([
        ['[a]', 1],
        ['[a ]', 2],
        ['[A]', 3],
        ['[a  ]', 4],
        ['[b]', 5],
      ]);
      const [[created]] = (await conn.query('SHOW CREATE TABLE tags')) as unknown as [[Record<string, string>]];
      expect(created['Create Table']).toMatch(/COLLATE=utf8mb4_nopad_bin/);
    } finally {
      await conn.end();
    }
  });
});

describe('names longer than the target keeps', () => {
  const prefix = 'quarterly_revenue_by_region_and_product_category_for_the_board_';
  const parent = `${prefix}parent`;
  const child = `${prefix}child`;
  const index = `${prefix}index_on_amount`;

  test('are shortened deterministically, said in the plan, and tables, keys and indexes still connect', async () => {
    const file = path.join(dir, 'long.sqlite');
    const db = new Database(file);
    db.exec(`CREATE TABLE "${parent}" (id INTEGER PRIMARY KEY, label TEXT)`);
    db.exec(`CREATE TABLE "${child}" (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES "${parent}" (id), amount INTEGER)`);
    db.exec(`CREATE INDEX "${index}" ON "${child}" (amount)`);
    db.exec(`INSERT INTO "${parent}" VALUES (1, 'one'), (2, 'two')`);
    db.exec(`INSERT INTO "${child}" VALUES (10, 1, 100), (11, 2, 200), (12, 2, 300)`);
    db.close();
    const source = ref({ type: 'sqlite', connectionString: file });
    const targetDb = await database('postgresql');
    const target = ref(targetDb.endpoint);
    const planned = await plan(source, target);

    const names = planned.tables.map((t) => t.target);
    expect(names.every((n) => Buffer.byteLength(n) <= 63)).toBe(true);
    expect(new Set(names).size).toBe(2);
    expect(planned.notes).toEqual(planned.tables.map((t) => `table ${t.source.name} is named ${t.target} in the target: its name is longer than the target's 63 bytes`));
    // The same schema plans the same names (a re-run, another worker).
    const again = await run(activities().planMapping, { schema: await run(activities().analyzeSource, { source }), target });
    expect(again.tables.map((t) => t.target)).toEqual(names);

    for (const table of planned.tables) {
      await run(activities().copyChunk, { migrationId: 'mig_longnames01', source, target, table, after: null, limit: 100 });
    }
    await run(activities().finalizeTarget, { target, plan: planned });
    const childTarget = planned.tables.find((t) => t.source.name === child)?.target;
    const parentTarget = planned.tables.find((t) => t.source.name === parent)?.target;
    expect(await pgRows(targetDb.endpoint, `SELECT count(*)::int AS n FROM "${childTarget}"`)).toEqual([{ n: 3 }]);
    const fks = await pgRows(
      targetDb.endpoint,
      `SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`,
    );
    expect(fks).toEqual([{ child: childTarget, parent: parentTarget }]);
    const indexes = await pgRows(targetDb.endpoint, `SELECT indexname FROM pg_indexes WHERE tablename = '${childTarget}' AND indexname NOT LIKE '%pkey'`);
    expect(indexes).toHaveLength(1);
    expect(Buffer.byteLength(String(indexes[0]?.indexname))).toBeLessThanOrEqual(63);
    expect(String(indexes[0]?.indexname).startsWith(prefix.slice(0, 40))).toBe(true);
  });

  test('a column name too long for the target is shortened the same way and said in the plan', async () => {
    const file = path.join(dir, 'longcol.sqlite');
    const db = new Database(file);
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, "${prefix}column" TEXT)`);
    db.close();
    const targetDb = await database('postgresql');
    const schema = await run(activities().analyzeSource, { source: ref({ type: 'sqlite', connectionString: file }) });
    const planned = await run(activities().planMapping, { schema, target: ref(targetDb.endpoint) });
    expect(planned.blockers).toEqual([]);
    expect(planned.notes).toEqual([
      `column t.${prefix}column is named ${fitName(`${prefix}column`, { maxNameBytes: 63 })} in the target: its name is longer than the target's 63 bytes`,
    ]);
  });
});

describe('a system-versioned table whose history cannot be loaded', () => {
  test('the finalize keeps the current rows (declared row start and end with their values), versioned, and says why', async () => {
    const sourceDb = await database('mysql');
    for (const sql of [
      'CREATE TABLE prices (id INT PRIMARY KEY, amount DECIMAL(10,2)) WITH SYSTEM VERSIONING',
      'INSERT INTO prices VALUES (1, 1.00), (2, 2.00)',
      'UPDATE prices SET amount = 1.50 WHERE id = 1',
      `CREATE TABLE periods (id INT PRIMARY KEY, v INT, rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START, re TIMESTAMP(6) GENERATED ALWAYS AS ROW END,
         PERIOD FOR SYSTEM_TIME(rs, re)) WITH SYSTEM VERSIONING`,
      'INSERT INTO periods (id, v) VALUES (1, 10)',
      'UPDATE periods SET v = 11',
    ]) {
      await mariadbRows(sourceDb.endpoint, sql);
    }
    const targetDb = await database('mysql');
    const [source, target] = [ref(sourceDb.endpoint), ref(targetDb.endpoint)];
    const planned = await plan(source, target);
    for (const table of planned.tables) await run(activities().copyChunk, { migrationId: 'mig_versioned01', source, target, table, after: null, limit: 100 });
    // As a run started before the finalize was given the source calls it.
    const finalized = await run(activities().finalizeTarget, { target, plan: planned });
    const why = "(its rows' past versions), because the finalize was not given the source (a migration started before it was)";
    expect(finalized.skippedObjects.sort()).toEqual([`history of table periods ${why}`, `history of table prices ${why}`]);
    const rows = (db: TempDatabase, sql: string) => mariadbRows(db.endpoint, sql);
    expect(await rows(targetDb, "SELECT TABLE_NAME t, TABLE_TYPE k FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1")).toEqual([
      { t: 'periods', k: 'SYSTEM VERSIONED' },
      { t: 'prices', k: 'SYSTEM VERSIONED' },
    ]);
    for (const sql of ['SELECT id, CAST(amount AS CHAR) a FROM prices ORDER BY id', "SELECT id, v, DATE_FORMAT(rs, '%Y-%m-%d %H:%i:%s.%f') rs FROM periods ORDER BY id"]) {
      expect({ sql, rows: await rows(targetDb, sql) }).toEqual({ sql, rows: await rows(sourceDb, sql) });
    }
    // The current rows only: no version of the source's history.
    expect(await rows(targetDb, 'SELECT COUNT(*) n FROM prices FOR SYSTEM_TIME ALL')).toEqual([{ n: '2' }]);
    expect(await rows(targetDb, 'SELECT COUNT(*) n FROM periods FOR SYSTEM_TIME ALL')).toEqual([{ n: '1' }]);
    // A finalize run again finds the tables versioned and leaves them.
    expect((await run(activities().finalizeTarget, { target, plan: planned, source })).skippedObjects).toEqual([]);
    expect(await rows(targetDb, 'SELECT COUNT(*) n FROM prices FOR SYSTEM_TIME ALL')).toEqual([{ n: '2' }]);
  });
});
