/**
 * The bulk write paths (PostgreSQL COPY after a key-range delete, MySQL LOAD DATA LOCAL … REPLACE) keep
 * writeRows' contract: values arrive exactly, and a retried chunk replaces its rows instead of duplicating them.
 * The pass-through path (the source server renders the target's loader text) keeps the same contract, value for
 * value equal to the row path, and gives way to the row path for a chunk the target rejects a row of.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import mysql from 'mysql2/promise';
import { Client as PgClient } from 'pg';
import { createActivities, type ChunkResult } from '../../activities';
import { ConnectorPool } from '../../activities/connections';
import { createConnector } from '../../connectors/registry';
import {
  isTextChunkSource,
  isTextChunkTarget,
  passThroughFormat,
  type Connector,
  type Endpoint,
  type LoadTextFormat,
  type TextChunkSource,
  type TextChunkTarget,
} from '../../connectors/types';
import { compareDecimalText, keyRange } from '../../connectors/key-range';
import { copyTextToLoadData } from '../../connectors/text-load';
import { planMigration } from '../../lib/mapping';
import type { EndpointRef } from '../../lib/migration';
import { reachPolicy } from '../../lib/reach';
import { Sealer } from '../../lib/secrets';
import type { CanonicalType, Key, Row, TablePlan } from '../../lib/types';
import { canonicalRowText } from '../../lib/values';
import { testReach } from '../helpers/reach';
import { createTempDatabase, testDialects, type TempDatabase } from '../helpers/databases';

const dialects = testDialects().filter((d) => d !== 'sqlite');

function plan(connector: Connector, keyType: CanonicalType): TablePlan {
  const col = (name: string, canonical: CanonicalType, nullable = true) => ({
    id: `t.${name}`,
    table: 't',
    column: name,
    sourceType: '',
    canonical,
    targetType: connector.nativeType(canonical).sql,
    nullable,
    confidence: 1,
  });
  const columns = [
    col('id', keyType, false),
    col('txt', { kind: 'text' }),
    col('amount', { kind: 'decimal', precision: 12, scale: 2 }),
    col('flag', { kind: 'boolean' }),
    col('bytes', { kind: 'binary' }),
  ];
  return {
    source: {
      name: 't',
      columns: columns.map((c) => ({ name: c.column, nativeType: '', type: c.canonical, nullable: c.nullable, default: null })),
      primaryKey: ['id'],
      foreignKeys: [],
      uniqueConstraints: [],
      indexes: [],
      rowEstimate: 0,
    },
    target: 't',
    columns,
    keyColumns: ['id'],
    copyMode: 'keyset',
  };
}

const tricky = 'tab\there, newline\nthere, cr\r, backslash \\ and \\N, "quotes", émoji 🎉';

describe.each(dialects)('%s bulk writes', (dialect) => {
  let db: TempDatabase;
  let connector: Connector;
  beforeAll(async () => {
    db = await createTempDatabase(dialect);
    connector = await createConnector(db.endpoint);
  });
  afterAll(async () => {
    await connector.close();
    await db.drop();
  });

  const read = () => connector.readChunk('t', ['id', 'txt', 'amount', 'flag', 'bytes'], ['id'], null, 1000);

  test('values arrive exactly, and a retried chunk replaces its rows (integer key: range delete + bulk load)', async () => {
    const p = plan(connector, { kind: 'int64' });
    await connector.createTable(p, { replace: true });
    const rows: Row[] = [
      ['1', tricky, '12.50', true, Buffer.from([0, 9, 10, 92, 255])],
      ['2', '', '-0.01', false, Buffer.alloc(0)],
      ['9007199254740993', null, null, null, null],
    ];
    expect(await connector.writeRows(p, rows)).toBe(3);
    // A neighbouring chunk, committed after: a retry of the first chunk must leave it alone.
    await connector.writeRows(p, [['9007199254740994', 'next chunk', '1.00', true, null]]);
    const changed: Row[] = rows.map((r) => [...r]);
    changed[0][1] = 'changed on retry';
    expect(await connector.writeRows(p, changed)).toBe(3);
    const back = await read();
    expect(back).toHaveLength(4);
    expect(back[0]).toEqual(['1', 'changed on retry', '12.50', true, Buffer.from([0, 9, 10, 92, 255])]);
    expect(back[1]).toEqual(['2', '', '-0.01', false, Buffer.alloc(0)]);
    expect(back[2]).toEqual(['9007199254740993', null, null, null, null]);
    expect(back[3][1]).toBe('next chunk');
    expect(await connector.countRows('t')).toBe(4);
  });

  test('text keys are upserted, and tricky text survives whole_table replace', async () => {
    const p = plan(connector, { kind: 'varchar', length: 20 });
    await connector.createTable(p, { replace: true });
    await connector.writeRows(p, [['b', tricky, '1.00', true, null], ['a', 'x', '2.00', false, null]]);
    await connector.writeRows(p, [['b', 'again', '1.00', true, null]]);
    expect((await read()).map((r) => [r[0], r[1]])).toEqual([['a', 'x'], ['b', 'again']]);
    async function* batches() {
      yield [['k1', tricky, '3.33', true, Buffer.from('hi')]] as Row[];
      yield [['k2', null, null, null, null]] as Row[];
    }
    expect(await connector.replaceAllRows(p, batches())).toBe(2);
    const back = await read();
    expect(back).toEqual([['k1', tricky, '3.33', true, Buffer.from('hi')], ['k2', null, null, null, null]]);
  });
});

describe('key ranges for the delete-then-load path', () => {
  test('decimal text compares by value', () => {
    expect(compareDecimalText('10', '9')).toBe(1);
    expect(compareDecimalText('-10', '-9')).toBe(-1);
    expect(compareDecimalText('1.5', '1.50')).toBe(0);
    expect(compareDecimalText('0.05', '0.5')).toBe(-1);
  });
  test('first and last over unsorted rows; none for text keys', () => {
    const int: CanonicalType = { kind: 'int64' };
    expect(keyRange([['9'], ['10'], ['2']], [0], [int])).toEqual({ first: ['2'], last: ['10'] });
    expect(keyRange([['a'], ['b']], [0], [{ kind: 'varchar' }])).toBeNull();
    const ts: CanonicalType = { kind: 'timestamptz' };
    expect(keyRange([['2020-01-01 00:00:00.5Z'], ['2020-01-01 00:00:00Z']], [0], [ts])).toEqual({
      first: ['2020-01-01 00:00:00Z'],
      last: ['2020-01-01 00:00:00.5Z'],
    });
  });
});

// ------------------------------------------------------------------ the pass-through path

type SqlDialect = 'postgresql' | 'mysql';

/** Runs statements (with parameters) against a temp database as a plain client would. */
async function run(endpoint: Endpoint, statements: [string, unknown[]?][]): Promise<void> {
  if (endpoint.type === 'postgresql') {
    const client = new PgClient({ connectionString: endpoint.connectionString });
    await client.connect();
    try {
      await client.query("SET TimeZone = 'UTC'");
      for (const [sql, params] of statements) await client.query(sql, params);
    } finally {
      await client.end();
    }
  } else {
    const u = new URL(endpoint.connectionString);
    const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: u.username || 'root', database: endpoint.schema, charset: 'utf8mb4' });
    try {
      await conn.query("SET time_zone = '+00:00'");
      for (const [sql, params] of statements) await conn.query(sql, params);
    } finally {
      await conn.end();
    }
  }
}

/** Text that every escape of both loaders touches: tab, newline, CR, backslash, \N, form feed, vertical tab, unicode. */
const trickiest = 'tab\there\nnewline, cr\r, backslash \\ and \\N and \\\\t, form\ffeed, vtab\vx, "quotes", \'single\', émoji 🎉 中文';

const PASS_SQL: Record<SqlDialect, string> = {
  postgresql: `CREATE TABLE pass (id bigint PRIMARY KEY, txt text, name varchar(20), amount numeric(12,2), big numeric(38,10),
    at timestamp(6), tz timestamptz(6), day date, flag boolean, bytes bytea)`,
  mysql: `CREATE TABLE pass (id BIGINT PRIMARY KEY, txt TEXT, name VARCHAR(20), amount DECIMAL(12,2), big DECIMAL(38,10),
    at DATETIME(6), tz TIMESTAMP(6) NULL, day DATE, flag TINYINT(1), bytes LONGBLOB) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
};

/** id, txt, name, amount, big, at, tz (UTC), day, flag, bytes */
const PASS_ROWS: unknown[][] = [
  [1, trickiest, '', '12.50', '1234567890123456789012345678.1234567891', '2021-06-01 12:34:56.123456', '2021-06-01 12:00:00.000001', '2024-02-29', true, Buffer.from([0, 9, 10, 13, 92, 12, 255])],
  [2, '', null, '-0.01', '0.0000000001', '1999-12-31 23:59:59', '2000-01-01 00:00:00', '1999-12-31', false, Buffer.alloc(0)],
  [3, null, null, null, null, null, null, null, null, null],
  [4, '\\N', 'NULL', '0.00', '-7', '2000-01-01 00:00:00.000001', '1970-01-01 00:00:01.5', '2000-01-01', true, Buffer.from('\\x41')],
  ...Array.from({ length: 8 }, (_, i) => [10 + i, `row ${10 + i}\t`, `n${i}`, `${i}.0${i}`, `${i}`, '2020-02-02 02:02:02.000200', null, '2020-02-02', i % 2 === 0, null]),
];

const PAIRS: [SqlDialect, SqlDialect][] = (
  [
    ['postgresql', 'postgresql'],
    ['mysql', 'postgresql'],
    ['postgresql', 'mysql'],
  ] as [SqlDialect, SqlDialect][]
).filter(([s, t]) => dialects.includes(s) && dialects.includes(t));

/** Every format each pair can move the pass-through table in (PostgreSQL to PostgreSQL: binary preferred, text too). */
const FORMATS: [SqlDialect, SqlDialect, LoadTextFormat][] = (
  [
    ['postgresql', 'postgresql', 'postgres-binary'],
    ['postgresql', 'postgresql', 'postgres-copy'],
    ['mysql', 'postgresql', 'postgres-copy'],
    ['postgresql', 'mysql', 'mysql-load'],
  ] as [SqlDialect, SqlDialect, LoadTextFormat][]
).filter(([s, t]) => dialects.includes(s) && dialects.includes(t));

describe.each(FORMATS)('pass-through copy %s → %s as %s (the source renders what the loader reads)', (sourceDialect, targetDialect, format) => {
  let sourceDb: TempDatabase;
  let targetDb: TempDatabase;
  let source: Connector & TextChunkSource;
  let target: Connector & TextChunkTarget;
  let table: TablePlan;
  const columns = ['id', 'txt', 'name', 'amount', 'big', 'at', 'tz', 'day', 'flag', 'bytes'];

  beforeAll(async () => {
    sourceDb = await createTempDatabase(sourceDialect);
    targetDb = await createTempDatabase(targetDialect);
    const holders = (n: number) => Array.from({ length: n }, (_, i) => (sourceDialect === 'postgresql' ? `$${i + 1}` : '?')).join(', ');
    await run(sourceDb.endpoint, [[PASS_SQL[sourceDialect]], ...PASS_ROWS.map((r): [string, unknown[]] => [`INSERT INTO pass VALUES (${holders(r.length)})`, r])]);
    const s = await createConnector(sourceDb.endpoint);
    const t = await createConnector(targetDb.endpoint);
    if (!isTextChunkSource(s) || !isTextChunkTarget(t)) throw new Error('both connectors should offer the pass-through path');
    source = s;
    target = t;
    const schema = await source.introspect({ tables: ['pass'] });
    table = planMigration(schema, targetDialect, { targetSchema: target.schema }).tables[0];
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    await sourceDb?.drop();
    await targetDb?.drop();
  });

  /** Copies the table in chunks of `limit` rows through the pass-through path, as copyChunk does. */
  async function copyAsText(plan: TablePlan, limit: number): Promise<Key[]> {
    const ends: Key[] = [];
    let after: Key | null = null;
    for (;;) {
      const upTo = await source.chunkEnd('pass', plan.keyColumns, after, limit);
      if (!upTo) return ends;
      const rows = await target.replaceRangeWithText(plan, { after, upTo }, await source.readText(plan, { after, upTo }, format), format);
      expect(rows).toBeGreaterThan(0);
      ends.push(upTo);
      after = upTo;
    }
  }

  const readAllOf = (name: string) => target.readChunk(name, columns, ['id'], null, 1000);

  test('applies to these columns, and values arrive exactly as the row path writes them', async () => {
    expect(source.canRenderText(table, format)).toBe(true);
    expect(passThroughFormat(source, target, table)).toBe(sourceDialect === targetDialect ? 'postgres-binary' : format);
    expect(await target.canLoadText(table)).toBe(true);
    await target.createTable(table, { replace: true });
    expect(await copyAsText(table, 3)).toEqual([['3'], ['11'], ['14'], ['17']]);
    // The same rows through the row path (read as canonical values, written by writeRows) into a twin table.
    const twin = { ...table, target: 'pass_rows' };
    await target.createTable(twin, { replace: true });
    await target.writeRows(twin, await source.readChunk('pass', columns, ['id'], null, 1000));
    const fast = await readAllOf('pass');
    expect(fast).toEqual(await readAllOf('pass_rows'));
    // And as validation compares them: the source's canonical text, value for value.
    const types = table.columns.map((c) => c.canonical);
    const sourceRows = await source.readChunk('pass', columns, ['id'], null, 1000);
    expect(fast.map((r) => canonicalRowText(r, types))).toEqual(sourceRows.map((r) => canonicalRowText(r, types)));
    expect(fast).toHaveLength(PASS_ROWS.length);
    expect(fast[0]).toEqual([
      '1',
      trickiest,
      '',
      '12.50',
      '1234567890123456789012345678.1234567891',
      '2021-06-01 12:34:56.123456',
      // MySQL keeps a timestamptz as DATETIME(6) in UTC: read back, it carries no zone.
      targetDialect === 'mysql' ? '2021-06-01 12:00:00.000001' : '2021-06-01 12:00:00.000001Z',
      '2024-02-29',
      true,
      Buffer.from([0, 9, 10, 13, 92, 12, 255]),
    ]);
    expect(fast[1].slice(0, 3)).toEqual(['2', '', null]);
    expect(fast[2]).toEqual(['3', null, null, null, null, null, null, null, null, null]);
    expect(fast[3].slice(1, 3)).toEqual(['\\N', 'NULL']);
  });

  test('a retried chunk replaces its rows instead of duplicating them, and leaves its neighbours alone', async () => {
    await target.createTable(table, { replace: true });
    await copyAsText(table, 3);
    await run(sourceDb.endpoint, [["UPDATE pass SET txt = 'changed before the retry' WHERE id = 2"]]);
    // The second chunk (ids 10 and 11) is committed; the first (ids 1–3) runs again.
    const first = { after: null, upTo: ['3'] };
    const again = await target.replaceRangeWithText(table, first, await source.readText(table, first, format), format);
    expect(again).toBe(3);
    expect(await target.countRows('pass')).toBe(PASS_ROWS.length);
    const back = await readAllOf('pass');
    expect(back[1][1]).toBe('changed before the retry');
    expect(back.map((r) => r[0])).toEqual(PASS_ROWS.map((r) => String(r[0])));
    await run(sourceDb.endpoint, [["UPDATE pass SET txt = '' WHERE id = 2"]]);
  });
});

const quietActivityEnvironment = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN') });

describe.each(PAIRS)('copyChunk %s → %s', (sourceDialect, targetDialect) => {
  let sourceDb: TempDatabase;
  let targetDb: TempDatabase;
  let pool: ConnectorPool;
  let table: TablePlan;
  const sealer = new Sealer('bulk test');
  // Sealing is randomised: each endpoint is sealed once, so the pool hands the activity the connectors the test spies on.
  const refs = new Map<Endpoint, EndpointRef>();
  const ref = (e: Endpoint): EndpointRef => {
    if (!refs.has(e)) refs.set(e, { type: e.type, sealedConnection: sealer.seal(e.connectionString), description: e.type, schema: e.schema });
    return refs.get(e) as EndpointRef;
  };
  const activities = () => createActivities(pool);
  const input = (limit: number, after: Key | null = null) => ({
    migrationId: 'm1',
    source: ref(sourceDb.endpoint),
    target: ref(targetDb.endpoint),
    table,
    after,
    limit,
  });

  beforeAll(async () => {
    sourceDb = await createTempDatabase(sourceDialect);
    targetDb = await createTempDatabase(targetDialect);
    const holders = (n: number) => Array.from({ length: n }, (_, i) => (sourceDialect === 'postgresql' ? `$${i + 1}` : '?')).join(', ');
    await run(sourceDb.endpoint, [[PASS_SQL[sourceDialect]], ...PASS_ROWS.map((r): [string, unknown[]] => [`INSERT INTO pass VALUES (${holders(r.length)})`, r])]);
    pool = new ConnectorPool(sealer, reachPolicy(testReach()));
    const connector = await pool.get(ref(sourceDb.endpoint), 'source');
    const schema = await connector.introspect({ tables: ['pass'] });
    table = planMigration(schema, targetDialect, { targetSchema: (await pool.get(ref(targetDb.endpoint), 'target')).schema }).tables[0];
  });
  afterAll(async () => {
    await pool?.closeAll();
    await sourceDb?.drop();
    await targetDb?.drop();
  });

  test('moves whole chunks as text: counts and keys only, done at the end, no rows read as values', async () => {
    const target = await pool.get(ref(targetDb.endpoint), 'target');
    await target.createTable(table, { replace: true });
    const source = await pool.get(ref(sourceDb.endpoint), 'source');
    const readChunk = jest.spyOn(source, 'readChunk');
    const env = quietActivityEnvironment();
    const first: ChunkResult = await env.run(activities().copyChunk, input(5));
    expect(first).toMatchObject({ rows: 5, written: 5, rejected: [], lastKey: ['10'], done: false });
    const rest: ChunkResult = await env.run(activities().copyChunk, input(100, first.lastKey));
    expect(rest).toMatchObject({ rows: PASS_ROWS.length - 5, written: PASS_ROWS.length - 5, rejected: [], lastKey: ['17'], done: true });
    const empty: ChunkResult = await env.run(activities().copyChunk, input(100, rest.lastKey));
    expect(empty).toMatchObject({ rows: 0, written: 0, lastKey: ['17'], done: true });
    expect(readChunk).not.toHaveBeenCalled();
    readChunk.mockRestore();
    expect(await target.countRows('pass')).toBe(PASS_ROWS.length);
  });

  test('a chunk with a row the target rejects falls back to the row path, which names that row', async () => {
    const target = await pool.get(ref(targetDb.endpoint), 'target');
    await target.createTable(table, { replace: true });
    // The target refuses one value the source holds (a CHECK the source does not have).
    await run(targetDb.endpoint, [['ALTER TABLE pass ADD CONSTRAINT no_twelve_fifty CHECK (amount <> 12.50)']]);
    const textWrite = jest.spyOn(target as Connector & TextChunkTarget, 'replaceRangeWithText');
    const result: ChunkResult = await quietActivityEnvironment().run(activities().copyChunk, input(100));
    expect(textWrite).toHaveBeenCalledTimes(1);
    textWrite.mockRestore();
    expect(result.rows).toBe(PASS_ROWS.length);
    expect(result.written).toBe(PASS_ROWS.length - 1);
    expect(result.rejected.map((r) => r.key)).toEqual([['1']]);
    expect(result.done).toBe(true);
    expect(await target.countRows('pass')).toBe(PASS_ROWS.length - 1);
  });
});

describe('PostgreSQL COPY text as LOAD DATA text', () => {
  test('\\f and \\v become raw bytes again, other escapes stay, also when an escape is split between pieces', async () => {
    const pieces = ['a\\f', 'b\\', 'vc\\\\f\\N\t\\t\\', 'n\n'].map((p) => Buffer.from(p, 'latin1'));
    const out: Buffer[] = [];
    const transform = copyTextToLoadData();
    transform.on('data', (b: Buffer) => out.push(b));
    await pipeline(Readable.from(pieces), transform);
    expect(Buffer.concat(out).toString('latin1')).toBe('a\fb\vc\\\\f\\N\t\\t\\n\n');
  });
});

describe('a value the SQLite target cannot hold', () => {
  test('a BIGINT UNSIGNED above 2^63-1 is a rejected row named by its key, and the rest of the chunk lands', async () => {
    const sourceDb = await createTempDatabase('mysql');
    const targetDb = await createTempDatabase('sqlite');
    const sealer = new Sealer('bulk test');
    const pool = new ConnectorPool(sealer, reachPolicy(testReach()));
    const ref = (e: Endpoint): EndpointRef => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: e.type, schema: e.schema });
    try {
      await run(sourceDb.endpoint, [['CREATE TABLE wide (id INT PRIMARY KEY, u BIGINT UNSIGNED)'], ['INSERT INTO wide VALUES (1, 5), (2, 18446744073709551615), (3, 7)']]);
      const [source, target] = [ref(sourceDb.endpoint), ref(targetDb.endpoint)];
      const schema = await (await pool.get(source, 'source')).introspect({ tables: ['wide'] });
      const targetConnector = await pool.get(target, 'target');
      const table = planMigration(schema, 'sqlite', { targetSchema: targetConnector.schema }).tables[0];
      await targetConnector.createTable(table, { replace: true });
      const result: ChunkResult = await quietActivityEnvironment().run(createActivities(pool).copyChunk, { migrationId: 'm1', source, target, table, after: null, limit: 100 });
      expect(result).toMatchObject({ rows: 3, written: 2, done: true });
      expect(result.rejected.map((r) => r.key.map(String))).toEqual([['2']]);
      expect(result.rejected[0].message).toBe('column u holds an integer past 9223372036854775807, which SQLite BIGINT cannot hold: the row is not copied (a mapping to text would keep it)');
      expect(await targetConnector.countRows('wide')).toBe(2);
    } finally {
      await pool.closeAll();
      await sourceDb.drop();
      await targetDb.drop();
    }
  });
});
