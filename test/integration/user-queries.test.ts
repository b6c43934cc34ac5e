/**
 * Users' validation queries cannot write, and are bounded, on real PostgreSQL, MariaDB and SQLite: DML, a
 * data-modifying WITH, DDL, several statements in one string, flag flips (in one string and as separate entries),
 * COPY … TO PROGRAM, SELECT … INTO (a table, OUTFILE), locks, sequences, a sleep past the timeout and a result
 * past the row cap all fail cleanly, and afterwards the victim table holds the same rows and the databases the
 * same tables and columns, no file was created, and no query, lock or session of theirs is left on the server.
 * Each hostile query runs through every layer (runUserQuery) and through the database-enforced layers alone
 * (openReadOnlyRunner, without the lexical check). A plain read still works and compares equal in the tier.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { ConnectorPool } from '../../activities/connections';
import { UserQueryFailure, openReadOnlyRunner, runUserQuery, type UserQueryLimits } from '../../activities/user-queries';
import { createValidationActivities } from '../../activities/validation';
import { createConnector } from '../../connectors/registry';
import type { Endpoint } from '../../connectors/types';
import { planMigration } from '../../lib/mapping';
import type { EndpointRef, TierResult } from '../../lib/migration';
import { reachPolicy } from '../../lib/reach';
import { Sealer } from '../../lib/secrets';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';
import { testReach } from '../helpers/reach';

type Dialect = 'postgresql' | 'mysql' | 'sqlite';

const LIMITS: UserQueryLimits = { timeoutMs: 1_500, maxRows: 1_000 };
/** Files a hostile query would create on this machine (the database servers run here too). */
const marker = (name: string) => path.join(os.tmpdir(), `sensei-trust-${randomBytes(4).toString('hex')}-${name}`);
const FILES = { copy: marker('copy'), outfile: marker('outfile'), exec: marker('exec-comment'), attach: marker('attach.db'), vacuum: marker('vacuum.db') };

const databases: Record<Dialect, TempDatabase> = {} as never;

beforeAll(async () => {
  for (const dialect of ['postgresql', 'mysql', 'sqlite'] as const) databases[dialect] = await createTempDatabase(dialect);
  await asAdmin('postgresql', ['CREATE TABLE victim (id serial PRIMARY KEY, v text NOT NULL)', "INSERT INTO victim (v) VALUES ('a'), ('b'), ('c')"]);
  await asAdmin('mysql', [
    'CREATE TABLE victim (id int AUTO_INCREMENT PRIMARY KEY, v varchar(20) NOT NULL)',
    "INSERT INTO victim (v) VALUES ('a'), ('b'), ('c')",
    'CREATE SEQUENCE victim_seq',
  ]);
  await asAdmin('sqlite', ['CREATE TABLE victim (id integer PRIMARY KEY, v text NOT NULL)', "INSERT INTO victim (v) VALUES ('a'), ('b'), ('c')"]);
});

afterAll(async () => {
  await Promise.allSettled(Object.values(databases).map((d) => d.drop()));
  for (const file of Object.values(FILES)) fs.rmSync(file, { force: true });
});

/** Runs statements as the test's own administrator, outside Sensei. */
async function asAdmin(dialect: Dialect, statements: string[]): Promise<unknown[][][]> {
  const endpoint = databases[dialect].endpoint;
  const out: unknown[][][] = [];
  if (dialect === 'postgresql') {
    const c = new Client({ connectionString: endpoint.connectionString });
    await c.connect();
    for (const sql of statements) out.push((await c.query({ text: sql, rowMode: 'array' })).rows as unknown[][]);
    await c.end();
  } else if (dialect === 'mysql') {
    const c = await mysql.createConnection({ uri: endpoint.connectionString });
    for (const sql of statements) out.push((await c.query({ sql, rowsAsArray: true }))[0] as unknown[][]);
    await c.end();
  } else {
    const db = new Database(endpoint.connectionString);
    for (const sql of statements) {
      const stmt = db.prepare(sql);
      out.push(stmt.reader ? (stmt.raw(true).all() as unknown[][]) : (stmt.run(), []));
    }
    db.close();
  }
  return out;
}

/** The victim's rows, every table and column of the database, and the sequences' positions. */
async function state(dialect: Dialect): Promise<unknown> {
  const name = databases[dialect].name;
  const statements = {
    postgresql: [
      'SELECT id, v FROM victim ORDER BY id',
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
      'SELECT last_value, is_called FROM victim_id_seq',
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'",
    ],
    mysql: [
      'SELECT id, v FROM victim ORDER BY id',
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = '${name}' ORDER BY 1, 2`,
      'SELECT next_not_cached_value FROM victim_seq',
      "SELECT IS_USED_LOCK('sensei_trust')",
    ],
    sqlite: ['SELECT id, v FROM victim ORDER BY id', "SELECT type, name, sql FROM sqlite_master ORDER BY name"],
  }[dialect];
  return asAdmin(dialect, statements);
}

const VICTIM_ROWS = [
  [1, 'a'],
  [2, 'b'],
  [3, 'c'],
];

/** Hostile queries per dialect; each entry of a list is one query (one entry of options.validation.queries). */
const HOSTILE: Record<Dialect, string[][]> = {
  postgresql: [
    ['delete from victim returning id'],
    ['with d as (delete from victim returning id) select * from d'],
    ['drop table victim'],
    ['create table created_by_user (a int)'],
    ['select 1; delete from victim'],
    ['SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; DELETE FROM victim RETURNING id'],
    ['SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', 'DELETE FROM victim RETURNING id'],
    [`COPY (select 1) TO PROGRAM 'touch ${FILES.copy}'`],
    ['select * into created_by_user from victim'],
    ["select nextval('victim_id_seq')"],
    ["select set_config('transaction_read_only', 'off', true), (select count(*) from victim)"],
    ['do $$ begin delete from victim; end $$'],
    ['select pg_advisory_lock(42)'],
    ['/* /* */ select */ delete from victim returning id'],
  ],
  mysql: [
    ['delete from victim returning id'],
    ['drop table victim'],
    ['create table created_by_user (a int)'],
    ['select 1; delete from victim'],
    ['SET SESSION TRANSACTION READ WRITE; DELETE FROM victim'],
    ['SET SESSION TRANSACTION READ WRITE', 'DELETE FROM victim'],
    ['SET @@SESSION.transaction_read_only = 0', 'DELETE FROM victim'],
    [`select 1 into outfile '${FILES.outfile}'`],
    [`select 1 /*! into outfile '${FILES.exec}' */`],
    ['lock tables victim write'],
    ["select get_lock('sensei_trust', 0)"],
    ['select nextval(victim_seq)'],
  ],
  sqlite: [
    ['delete from victim returning id'],
    ['with d as (select 9) insert into victim (id, v) select 9, \'x\' from d'],
    ['drop table victim'],
    ['create table created_by_user (a int)'],
    ['select 1; delete from victim'],
    [`attach database '${FILES.attach}' as other`],
    [`vacuum into '${FILES.vacuum}'`],
    ['pragma writable_schema = 1', 'delete from victim'],
  ],
};

describe.each(['postgresql', 'mysql', 'sqlite'] as const)('%s', (dialect) => {
  let before: unknown;
  beforeAll(async () => {
    before = await state(dialect);
    expect((before as unknown[][][])[0]).toEqual(VICTIM_ROWS);
  });

  afterEach(async () => {
    // Whatever a test ran, nothing of it is left: same rows, same tables and columns, sequences, locks, no files.
    expect(await state(dialect)).toEqual(before);
    for (const file of Object.values(FILES)) expect({ file, exists: fs.existsSync(file) }).toEqual({ file, exists: false });
  });

  test('a plain read returns its rows', async () => {
    expect(await runUserQuery(databases[dialect].endpoint, 'select id, v from victim order by id;', LIMITS)).toEqual(VICTIM_ROWS);
  });

  test.each(HOSTILE[dialect].map((queries) => [queries.join(' ⟶ '), queries]))('every layer refuses: %s', async (_, queries) => {
    for (const sql of queries) {
      await expect(runUserQuery(databases[dialect].endpoint, sql, LIMITS)).rejects.toThrow(UserQueryFailure);
    }
  });

  test.each(HOSTILE[dialect].map((queries) => [queries.join(' ⟶ '), queries]))('the database-enforced layers alone change nothing: %s', async (_, queries) => {
    for (const sql of queries) {
      const runner = await openReadOnlyRunner(databases[dialect].endpoint, LIMITS);
      // GET_LOCK and pg_advisory_lock do run here; the lock goes with the connection (the state check shows it).
      await runner.run(sql).catch(() => undefined);
      await runner.close();
    }
  });

  const SLEEP = { postgresql: 'select pg_sleep(600)', mysql: 'select sleep(600)', sqlite: 'with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c' };
  test('a query past the timeout is stopped by the database (SQLite: its process is killed) and fails saying so', async () => {
    const started = Date.now();
    await expect(runUserQuery(databases[dialect].endpoint, SLEEP[dialect], LIMITS)).rejects.toThrow(/timed out after 1.5 s/);
    expect(Date.now() - started).toBeLessThan(LIMITS.timeoutMs + 4_000);
    await expectNoQueryLeft(dialect, SLEEP[dialect]);
  });

  // generate_series in the select list streams its rows; in FROM, PostgreSQL would build all of them before the first.
  const HUGE = {
    postgresql: 'select generate_series(1, 100000000)',
    mysql: 'select seq from seq_1_to_100000000',
    sqlite: 'with recursive c(x) as (select 1 union all select x + 1 from c limit 100000000) select x from c',
  };
  test('a result past the row cap fails saying so, without reading the rest', async () => {
    const started = Date.now();
    await expect(runUserQuery(databases[dialect].endpoint, HUGE[dialect], LIMITS)).rejects.toThrow(/returned more than 1000 rows/);
    expect(Date.now() - started).toBeLessThan(LIMITS.timeoutMs);
    await expectNoQueryLeft(dialect, HUGE[dialect]);
  });
});

/** The server runs nothing of the test's query any more (SQLite runs in the child process, which is gone). */
async function expectNoQueryLeft(dialect: Dialect, sql: string): Promise<void> {
  if (dialect === 'sqlite') return;
  for (let i = 0; ; i++) {
    const [running] =
      dialect === 'postgresql'
        ? await asAdmin('postgresql', [`SELECT count(*)::int FROM pg_stat_activity WHERE query LIKE '%${sql.slice(7, 30)}%' AND pid <> pg_backend_pid()`])
        : await asAdmin('mysql', [`SELECT count(*) FROM information_schema.processlist WHERE info LIKE '%${sql.slice(7, 30)}%' AND id <> CONNECTION_ID()`]);
    if (Number(running[0][0]) === 0) return;
    // The server notices a dropped connection when it next writes to it: allow it a moment.
    if (i === 20) throw new Error(`${dialect} still runs ${sql}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('MariaDB: a query that lifts its own time limit is cancelled by the backstop (KILL QUERY from a second connection)', async () => {
  const runner = await openReadOnlyRunner(databases.mysql.endpoint, LIMITS);
  const started = Date.now();
  // Only the database-enforced layers: the lexical one refuses a statement that begins with SET.
  await expect(runner.run('SET STATEMENT max_statement_time = 0 FOR select sleep(600)')).rejects.toThrow(/timed out/);
  await runner.close();
  expect(Date.now() - started).toBeLessThan(LIMITS.timeoutMs + 10_000);
  await expectNoQueryLeft('mysql', 'select sleep(600)');
});

test('the behavioral tier: hostile user queries fail by name, a plain one compares equal PostgreSQL → MariaDB, and nothing changed', async () => {
  const sealer = new Sealer('user queries test');
  const ref = (e: Endpoint): EndpointRef => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: e.type, schema: e.schema });
  const pool = new ConnectorPool(sealer, reachPolicy(testReach()));
  const source = await createConnector(databases.postgresql.endpoint);
  const plan = planMigration(await source.introspect({ tables: ['victim'] }), 'mysql', { targetSchema: databases.mysql.name });
  await source.close();
  const before = await Promise.all([state('postgresql'), state('mysql')]);
  const queries = [
    { name: 'plain', sql: 'select id, v from victim order by id' },
    { name: 'delete', sql: 'delete from victim returning id' },
    { name: 'flip', sql: 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE', target_sql: 'SET SESSION TRANSACTION READ WRITE' },
    { name: 'then delete', sql: 'delete from victim' },
    { name: 'huge', sql: 'select generate_series(1, 100000000)', target_sql: 'select seq from seq_1_to_100000000' },
  ];
  const env = new MockActivityEnvironment();
  const input = { migrationId: 'user-queries', source: ref(databases.postgresql.endpoint), target: ref(databases.mysql.endpoint), plan, queries, queryLimits: { max_rows: 1_000 } };
  const result = (await env.run(createValidationActivities(pool).validateBehavior, input)) as TierResult;
  await pool.closeAll();

  const user = Object.fromEntries((result.queries ?? []).filter((q) => q.origin === 'user').map((q) => [q.name, q]));
  expect(user.plain).toMatchObject({ outcome: 'equal', source_rows: 3, target_rows: 3 });
  for (const name of ['delete', 'flip', 'then delete']) expect(user[name]).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/refused/) });
  expect(user.huge).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/more than 1000 rows/) });
  expect(result.verdict).toBe('failed');
  expect(result.findings.filter((f) => f.check === 'query_failed').map((f) => f.message)).toEqual([
    expect.stringMatching(/^query "delete" failed: on the source: refused: .*; on the target: refused: /),
    expect.stringMatching(/^query "flip" failed/),
    expect.stringMatching(/^query "then delete" failed/),
    expect.stringMatching(/^query "huge" failed/),
  ]);
  // The generated suite still ran on the tiers' own sessions, and compared equal.
  expect((result.queries ?? []).filter((q) => q.origin === 'generated').every((q) => q.outcome === 'equal')).toBe(true);
  expect(await Promise.all([state('postgresql'), state('mysql')])).toEqual(before);
});
