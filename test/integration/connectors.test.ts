/**
 * Connectors against the real PostgreSQL and MariaDB of this machine and SQLite files in a temp dir.
 * Dialects: SENSEI_TEST_DIALECTS (default "postgresql,mysql,sqlite").
 */
import { inspect } from 'node:util';
import { createConnector, describeEndpoint } from '../../connectors/registry';
import { ConnectorError, isTextChunkSource, isTextChunkTarget, passThroughFormat, type Connector, type Endpoint, type KeyRange } from '../../connectors/types';
import { planMigration } from '../../lib/mapping';
import { quoteIdentifier } from '../../lib/quote';
import type { Key, Row, TablePlan } from '../../lib/types';
import { canonicalRowText, tableChecksum } from '../../lib/values';
import { createTempDatabase, loadChinook, testDialects, type TempDatabase, type TestDialect } from '../helpers/databases';

const dialects = testDialects();

const CHINOOK: Record<TestDialect, { track: string; playlistTrack: string; album: string }> = {
  postgresql: { track: 'track', playlistTrack: 'playlist_track', album: 'album' },
  mysql: { track: 'Track', playlistTrack: 'PlaylistTrack', album: 'Album' },
  sqlite: { track: 'Track', playlistTrack: 'PlaylistTrack', album: 'Album' },
};

async function expectConnectorError(promise: Promise<unknown>, code: ConnectorError['code'], secret?: string): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  const ce = error as ConnectorError;
  expect(ce.code).toBe(code);
  if (secret) {
    expect(ce.message).not.toContain(secret);
    expect(inspect(ce)).not.toContain(secret);
  }
  return ce;
}

/** Reads a whole table by keyset chunks of `limit` rows. */
async function readByKeyset(c: Connector, table: string, columns: string[], key: string[], limit: number): Promise<Row[][]> {
  const chunks: Row[][] = [];
  let after: Key | null = null;
  for (;;) {
    const rows = await c.readChunk(table, columns, key, after, limit);
    if (rows.length === 0) return chunks;
    chunks.push(rows);
    const last = rows[rows.length - 1];
    after = key.map((k) => last[columns.indexOf(k)] as Key[number]);
  }
}

describe.each(dialects)('%s connector on Chinook', (dialect) => {
  let db: TempDatabase;
  let c: Connector;
  const names = CHINOOK[dialect];

  beforeAll(async () => {
    db = await createTempDatabase(dialect);
    await loadChinook(dialect, db.endpoint);
    c = await createConnector(db.endpoint);
  });
  afterAll(async () => {
    await c?.close();
    await db?.drop();
  });

  test('connects and reports the server version', async () => {
    const { serverVersion } = await c.testConnection();
    expect(serverVersion).toMatch(/\d+\.\d+/);
    // Exact-text parsing is per pool: pg's process-wide parsers still give Dates to everyone else.
    const { types } = await import('pg');
    expect(types.getTypeParser(1114, 'text')('2021-01-01 00:00:00')).toBeInstanceOf(Date);
  });

  test('introspects 11 tables with keys, foreign keys and indexes', async () => {
    const schema = await c.introspect();
    expect(schema.dialect).toBe(dialect);
    expect(schema.tables).toHaveLength(11);
    const tableNames = schema.tables.map((t) => t.name);
    expect(tableNames).toEqual([...tableNames].sort());
    const pt = schema.tables.find((t) => t.name === names.playlistTrack)!;
    expect(pt.primaryKey).toHaveLength(2);
    expect(pt.foreignKeys).toHaveLength(2);
    expect(schema.tables.reduce((n, t) => n + t.foreignKeys.length, 0)).toBe(11);
    expect(schema.tables.reduce((n, t) => n + t.indexes.length, 0)).toBe(11);
    const track = schema.tables.find((t) => t.name === names.track)!;
    expect(track.primaryKey).toHaveLength(1);
    expect(track.foreignKeys.map((f) => f.referencedTable).sort()).toEqual(
      dialect === 'postgresql' ? ['album', 'genre', 'media_type'] : ['Album', 'Genre', 'MediaType'],
    );
    const price = track.columns.find((col) => /unit_?price/i.test(col.name))!;
    expect(price.type).toMatchObject({ kind: 'decimal', precision: 10, scale: 2 });
    expect(track.columns.map((col) => col.name)[0]).toMatch(/track_?id/i);
    if (dialect === 'sqlite') expect(track.rowEstimate).toBe(3503);
    expect(await c.countRows(names.track)).toBe(3503);
  });

  test('keyset chunks cover every row exactly once, single and composite keys', async () => {
    const schema = await c.introspect({ tables: [names.track, names.playlistTrack] });
    for (const [table, limit] of [
      [names.track, 97],
      [names.playlistTrack, 700],
    ] as const) {
      const info = schema.tables.find((t) => t.name === table)!;
      const columns = info.columns.map((col) => col.name);
      const chunks = await readByKeyset(c, table, columns, info.primaryKey, limit);
      const rows = chunks.flat();
      expect(chunks.every((ch) => ch.length <= limit)).toBe(true);
      expect(rows).toHaveLength(await c.countRows(table));
      const keys = rows.map((r) => JSON.stringify(info.primaryKey.map((k) => r[columns.indexOf(k)])));
      expect(new Set(keys).size).toBe(rows.length);
    }
  });

  test('reads decimals exactly (0.99 stays "0.99")', async () => {
    const schema = await c.introspect({ tables: [names.track] });
    const info = schema.tables[0];
    const price = info.columns.find((col) => /unit_?price/i.test(col.name))!.name;
    const rows = await c.readChunk(names.track, [info.primaryKey[0], price], info.primaryKey, null, 1);
    expect(rows).toEqual([[1, '0.99']].map(([id, p]) => [dialect === 'sqlite' ? '1' : id, p]));
  });

  test('a table that does not exist → TableNotFound naming it', async () => {
    const e = await expectConnectorError(c.introspect({ tables: [names.album, 'no_such_table', 'nor this'] }), 'TableNotFound');
    expect(e.message).toContain('no_such_table');
    expect(e.message).toContain('nor this');
    expect(e.message).not.toContain(names.album + ',');
  });

  test('a schema that does not exist → SchemaNotFound', async () => {
    const missing = await createConnector({ ...db.endpoint, schema: 'sensei_no_such_schema' });
    try {
      await expectConnectorError(missing.introspect(), 'SchemaNotFound');
    } finally {
      await missing.close();
    }
  });
});

// ------------------------------------------------------------------ connection failures

describe('connection failures', () => {
  const secret = 'S3cr3t-pa55word';
  const cases: Record<TestDialect, { bad: Endpoint; unreachable: Endpoint }> = {
    postgresql: {
      // Trust auth on this machine accepts any password, so a role that does not exist stands in for bad credentials.
      bad: { type: 'postgresql', connectionString: `postgresql://sensei_nobody:${secret}@127.0.0.1:5432/postgres` },
      unreachable: { type: 'postgresql', connectionString: `postgresql://postgres:${secret}@127.0.0.1:1/postgres` },
    },
    mysql: {
      bad: { type: 'mysql', connectionString: `mysql://root:${secret}@127.0.0.1:3306/mysql` },
      unreachable: { type: 'mysql', connectionString: `mysql://root:${secret}@127.0.0.1:1/mysql` },
    },
    sqlite: {
      bad: { type: 'sqlite', connectionString: '/nonexistent-dir/none.sqlite' },
      unreachable: { type: 'sqlite', connectionString: 'sqlite:///nonexistent-dir/missing.sqlite' },
    },
  };

  test.each(dialects)('%s: bad credentials and unreachable host give clear, secret-free errors', async (dialect) => {
    const { bad, unreachable } = cases[dialect];
    const badConnector = await createConnector(bad);
    const unreachableConnector = await createConnector(unreachable);
    try {
      expect(inspect(badConnector, { depth: 10 })).not.toContain(secret);
      expect(JSON.stringify(badConnector)).not.toContain(secret);
      const e1 = await expectConnectorError(badConnector.testConnection(), dialect === 'sqlite' ? 'ConnectionFailed' : 'AuthenticationFailed', secret);
      // A SQLite path is no secret; a server connection string is never echoed whole.
      if (dialect !== 'sqlite') expect(e1.message).not.toContain(bad.connectionString);
      const e2 = await expectConnectorError(unreachableConnector.testConnection(), 'ConnectionFailed', secret);
      expect(e2.message).toMatch(dialect === 'sqlite' ? /does not exist/ : /refused/);
    } finally {
      await badConnector.close();
      await unreachableConnector.close();
    }
  });

  test('describeEndpoint never shows the password', () => {
    const d = describeEndpoint({ type: 'postgresql', connectionString: `postgresql://app:${secret}@db.example:6543/sales`, schema: 'crm' });
    expect(d).toEqual({ type: 'postgresql', host: 'db.example', port: 6543, database: 'sales', user: 'app', schema: 'crm' });
  });

  test('registry refuses unknown dialects', async () => {
    const unknown = await expectConnectorError(createConnector({ type: 'db2' as never, connectionString: 'x' }), 'UnknownDialect');
    expect(unknown.message).toBe('unknown database type "db2"; known: postgresql, mysql, sqlite, oracle, snowflake');
  });
});

// ------------------------------------------------------------------ types zoo across every pair

const ZOO = 'Zoo "Table" order';
const NO_KEY = 'no key';
const BIG = '9223372036854775807';
const SMALL = '-9223372036854775808';
const ABOVE_2_53 = '9007199254740993';

const ZOO_SQL: Record<TestDialect, string[]> = {
  postgresql: [
    `CREATE TYPE "Mood" AS ENUM ('happy', 'sad', 'it''s complicated')`,
    `CREATE TABLE "Zoo ""Table"" order" (
      "order" bigint PRIMARY KEY, "Mixed Case" integer, small smallint, amount numeric(38,10), price numeric(10,2),
      ratio double precision, f32 real, flag boolean, code character(3), name varchar(100), "it's ""quoted""" text,
      born date, alarm time(6), seen_at timestamp(6), seen_tz timestamptz(6), doc jsonb, id_uuid uuid, "blob" bytea, mood "Mood")`,
    `INSERT INTO "Zoo ""Table"" order" VALUES
      (${BIG}, 2147483647, -32768, 1234567890123456789012345678.1234567891, 0.99, 3.141592653589793, 3.14, true, 'ab',
       'Zoë 🦄 中文', 'NULL', '2024-02-29', '23:59:59.999999', '2021-06-01 12:34:56.123456', '2021-06-01 12:00:00.5+05:30',
       '{"b": 1, "a": {"y": [1, 2, {"z": null}], "x": "é"}}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '\\x00ff00', 'it''s complicated'),
      (${SMALL}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (0, -1, 0, -0.0000000001, -12.50, -2.5e-300, -1.5, false, 'xyz', '', E'line1\\nline2 "q" \\\\ back', '1999-12-31', '00:00:00',
       '1999-12-31 23:59:59', '2000-01-01 00:00:00Z', '[]', 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '\\x', 'happy'),
      (${ABOVE_2_53}, 7, 7, 7, 7, 7, 7, true, 'a', 'a', 'a', '2000-01-01', '12:00:00.5', '2000-01-01 00:00:00.000001',
       '1970-01-01 00:00:01-08', '{"k": "v"}', 'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', '\\x0000', 'sad')`,
    `CREATE TABLE "no key" (n integer, label text)`,
    `INSERT INTO "no key" VALUES (1, 'a'), (1, 'a'), (2, NULL)`,
    `CREATE TABLE counter (id serial PRIMARY KEY, v text DEFAULT 'x', at timestamptz DEFAULT now())`,
    `INSERT INTO counter (id, v) VALUES (1, 'a'), (2, 'b'), (10, 'c')`,
  ],
  mysql: [
    "CREATE TABLE `Zoo \"Table\" order` (" +
      '`order` BIGINT PRIMARY KEY, `Mixed Case` INT, small SMALLINT, amount DECIMAL(38,10), price DECIMAL(10,2), ratio DOUBLE, ' +
      "f32 FLOAT, flag BOOLEAN, code CHAR(3), name VARCHAR(100), `it's \"quoted\"` TEXT, born DATE, alarm TIME(6), seen_at DATETIME(6), " +
      "seen_tz TIMESTAMP(6) NULL, doc JSON, id_uuid CHAR(36), `blob` LONGBLOB, mood ENUM('happy','sad','it''s complicated'))",
    "INSERT INTO `Zoo \"Table\" order` VALUES " +
      `(${BIG}, 2147483647, -32768, 1234567890123456789012345678.1234567891, 0.99, 3.141592653589793, 3.14, true, 'ab', ` +
      `'Zoë 🦄 中文', 'NULL', '2024-02-29', '23:59:59.999999', '2021-06-01 12:34:56.123456', '2021-06-01 06:30:00.5', ` +
      `'{"b": 1, "a": {"y": [1, 2, {"z": null}], "x": "é"}}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', X'00FF00', 'it''s complicated'), ` +
      `(${SMALL}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), ` +
      `(0, -1, 0, -0.0000000001, -12.50, -2.5e-300, -1.5, false, 'xyz', '', 'line1\\nline2 "q" \\\\ back', '1999-12-31', '00:00:00', ` +
      `'1999-12-31 23:59:59', '2000-01-01 00:00:00', '[]', 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', X'', 'happy'), ` +
      `(${ABOVE_2_53}, 7, 7, 7, 7, 7, 7, true, 'a', 'a', 'a', '2000-01-01', '12:00:00.5', '2000-01-01 00:00:00.000001', ` +
      `'1970-01-01 08:00:01', '{"k": "v"}', 'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', X'0000', 'sad')`,
    'CREATE TABLE `no key` (n INT, label TEXT)',
    "INSERT INTO `no key` VALUES (1, 'a'), (1, 'a'), (2, NULL)",
    "CREATE TABLE counter (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) DEFAULT 'x', at DATETIME DEFAULT CURRENT_TIMESTAMP)",
    "INSERT INTO counter (id, v) VALUES (1, 'a'), (2, 'b'), (10, 'c')",
  ],
  sqlite: [
    `CREATE TABLE "Zoo ""Table"" order" (
      "order" INTEGER PRIMARY KEY, "Mixed Case" INT, small SMALLINT, amount DECIMAL(38,10), price NUMERIC(10,2), ratio REAL,
      f32 REAL, flag BOOLEAN, code CHAR(3), name NVARCHAR(100), "it's ""quoted""" TEXT, born DATE, alarm TIME, seen_at DATETIME,
      seen_tz TIMESTAMPTZ, doc JSON, id_uuid UUID, "blob" BLOB, mood TEXT CHECK (mood IN ('happy', 'sad', 'it''s complicated')))`,
    `INSERT INTO "Zoo ""Table"" order" VALUES
      (${BIG}, 2147483647, -32768, 12345.6789012345, 0.99, 3.141592653589793, 3.14, 1, 'ab',
       'Zoë 🦄 中文', 'NULL', '2024-02-29', '23:59:59.999999', '2021-06-01 12:34:56.123456', '2021-06-01T12:00:00.5+05:30',
       '{"b": 1, "a": {"y": [1, 2, {"z": null}], "x": "é"}}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', X'00FF00', 'it''s complicated'),
      (${SMALL}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (0, -1, 0, -0.0000000001, -12.50, -2.5e-300, -1.5, 0, 'xyz', '', 'line1' || char(10) || 'line2 "q" \\ back', '1999-12-31', '00:00:00',
       '1999-12-31 23:59:59', '2000-01-01 00:00:00Z', '[]', 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', X'', 'happy'),
      (${ABOVE_2_53}, 7, 7, 7, 7, 7, 7, 1, 'a', 'a', 'a', '2000-01-01', '12:00:00.5', '2000-01-01 00:00:00.000001',
       '1970-01-01 00:00:01-08:00', '{"k": "v"}', 'c0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', X'0000', 'sad')`,
    `CREATE TABLE "no key" (n INTEGER, label TEXT)`,
    `INSERT INTO "no key" VALUES (1, 'a'), (1, 'a'), (2, NULL)`,
    `CREATE TABLE counter (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT DEFAULT 'x', at DATETIME DEFAULT CURRENT_TIMESTAMP)`,
    `INSERT INTO counter (id, v) VALUES (1, 'a'), (2, 'b'), (10, 'c')`,
  ],
};

async function runStatements(dialect: TestDialect, endpoint: Endpoint, statements: string[]): Promise<void> {
  if (dialect === 'sqlite') {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(endpoint.connectionString);
    try {
      for (const s of statements) db.exec(s);
    } finally {
      db.close();
    }
  } else if (dialect === 'postgresql') {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: endpoint.connectionString });
    await client.connect();
    try {
      for (const s of statements) await client.query(s);
    } finally {
      await client.end();
    }
  } else {
    const mysql = (await import('mysql2/promise')).default;
    const u = new URL(endpoint.connectionString);
    const conn = await mysql.createConnection({ host: u.hostname, port: Number(u.port), user: u.username, database: endpoint.schema, charset: 'utf8mb4' });
    try {
      await conn.query("SET time_zone = '+00:00'");
      for (const s of statements) await conn.query(s);
    } finally {
      await conn.end();
    }
  }
}

describe('types zoo copied across every dialect pair', () => {
  const dbs = new Map<TestDialect, TempDatabase>();
  const sources = new Map<TestDialect, Connector>();
  const targets = new Map<TestDialect, Connector>();
  const pairs = dialects.flatMap((s) => dialects.map((t) => [s, t] as [TestDialect, TestDialect]));

  beforeAll(async () => {
    for (const d of dialects) {
      const db = await createTempDatabase(d);
      dbs.set(d, db);
      await runStatements(d, db.endpoint, ZOO_SQL[d]);
      sources.set(d, await createConnector(db.endpoint));
      targets.set(d, await createConnector(db.endpoint, { role: 'target' }));
    }
  });
  afterAll(async () => {
    for (const c of [...sources.values(), ...targets.values()]) await c.close();
    for (const db of dbs.values()) await db.drop();
  });

  test.each(dialects)('%s source reads exact canonical values', async (dialect) => {
    const c = sources.get(dialect)!;
    const info = (await c.introspect({ tables: [ZOO] })).tables[0];
    const columns = info.columns.map((col) => col.name);
    expect(columns).toEqual([
      'order', 'Mixed Case', 'small', 'amount', 'price', 'ratio', 'f32', 'flag', 'code', 'name', `it's "quoted"`,
      'born', 'alarm', 'seen_at', 'seen_tz', 'doc', 'id_uuid', 'blob', 'mood',
    ]);
    const rows = (await readByKeyset(c, ZOO, columns, ['order'], 3)).flat();
    expect(rows.map((r) => r[0])).toEqual([SMALL, '0', ABOVE_2_53, BIG]);
    const top = Object.fromEntries(columns.map((col, i) => [col, rows[3][i]]));
    expect(top).toMatchObject({
      'Mixed Case': 2147483647,
      small: -32768,
      amount: dialect === 'sqlite' ? '12345.6789012345' : '1234567890123456789012345678.1234567891',
      price: '0.99',
      ratio: 3.141592653589793,
      flag: true,
      name: 'Zoë 🦄 中文',
      [`it's "quoted"`]: 'NULL',
      born: '2024-02-29',
      alarm: '23:59:59.999999',
      seen_at: '2021-06-01 12:34:56.123456',
      seen_tz: '2021-06-01 06:30:00.5Z',
      id_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      mood: "it's complicated",
    });
    expect(JSON.parse(top.doc as string)).toEqual({ b: 1, a: { y: [1, 2, { z: null }], x: 'é' } });
    expect(top.blob).toEqual(Buffer.from([0, 255, 0]));
    expect(rows[0].slice(1).every((v) => v === null)).toBe(true);
    const third = Object.fromEntries(columns.map((col, i) => [col, rows[2][i]]));
    expect(third).toMatchObject({ seen_tz: '1970-01-01 08:00:01Z', seen_at: '2000-01-01 00:00:00.000001', alarm: '12:00:00.5' });
  });

  test.each(pairs)('%s → %s: keyset copy, retried chunk, values equal', async (from, to) => {
    const source = sources.get(from)!;
    const target = targets.get(to)!;
    const plan = planMigration(await source.introspect({ tables: [ZOO, NO_KEY, 'counter'] }), to, { targetSchema: target.schema });
    expect(plan.blockers).toEqual([]);
    const zoo: TablePlan = { ...plan.tables.find((t) => t.source.name === ZOO)!, target: `copy of ${from} "zoo"` };
    expect(zoo.copyMode).toBe('keyset');
    await target.ensureSchema();
    await target.createTable(zoo, { replace: false });
    const columns = zoo.columns.map((col) => col.column);
    const copied: Row[] = [];
    for (const chunk of await readByKeyset(source, ZOO, columns, zoo.keyColumns, 2)) {
      expect(await target.writeRows(zoo, chunk)).toBe(chunk.length);
      copied.push(...chunk);
    }
    await target.writeRows(zoo, copied.slice(0, 2));
    expect(await target.countRows(zoo.target)).toBe(4);
    await target.createIndexesAndForeignKeys(zoo);
    await target.createIndexesAndForeignKeys(zoo);
    const types = zoo.columns.map((col) => col.canonical);
    const back = await target.readChunk(zoo.target, columns, zoo.keyColumns, null, 100);
    expect(back.map((r) => canonicalRowText(r, types))).toEqual(copied.map((r) => canonicalRowText(r, types)));
    await expectConnectorError(target.createTable(zoo, { replace: false }), 'TargetTableNotEmpty');

    const noKey: TablePlan = { ...plan.tables.find((t) => t.source.name === NO_KEY)!, target: `copy of ${from} no key` };
    expect(noKey.copyMode).toBe('whole_table');
    expect(noKey.copyNote).toBe('no primary key or non-null unique key: copied in one transaction ordered by all columns');
    await target.createTable(noKey, { replace: true });
    const noKeyColumns = noKey.columns.map((col) => col.column);
    for (let i = 0; i < 2; i++) {
      const written = await target.replaceAllRows(noKey, source.readAll(NO_KEY, noKeyColumns, noKeyColumns, 2));
      expect(written).toBe(3);
    }
    const noKeyTypes = noKey.columns.map((col) => col.canonical);
    const all: Row[] = [];
    for await (const batch of target.readAll(noKey.target, noKeyColumns, noKeyColumns, 10)) all.push(...batch);
    expect(all.map((r) => canonicalRowText(r, noKeyTypes)).sort()).toEqual([['1', '"a"'], ['1', '"a"'], ['2', 'NULL']].sort());

    // Auto-increment carries over and continues after the copied rows; literal defaults are kept, functions noted.
    const counter: TablePlan = { ...plan.tables.find((t) => t.source.name === 'counter')!, target: `counter from ${from}` };
    expect(counter.columns[0].canonical.autoIncrement).toBe(true);
    // The current time is a default every dialect writes its own way (natively: the expression itself): nothing said of it.
    expect(counter.columns.find((col) => col.column === 'at')!.note ?? '').not.toMatch(/default/);
    await target.createTable(counter, { replace: false });
    const counterColumns = counter.columns.map((col) => col.column);
    await target.writeRows(counter, await source.readChunk('counter', counterColumns, ['id'], null, 10));
    await target.createIndexesAndForeignKeys(counter);
    const q = (name: string) => quoteIdentifier(to, name);
    await runStatements(to, dbs.get(to)!.endpoint, [`INSERT INTO ${q(counter.target)} (${q('at')}) VALUES (NULL)`]);
    const counted = await target.readChunk(counter.target, ['id', 'v'], ['id'], [10], 10);
    expect(counted.map((r) => [Number(r[0]), r[1]])).toEqual([[11, 'x']]);
    await runStatements(to, dbs.get(to)!.endpoint, [`INSERT INTO ${q(counter.target)} (${q('v')}) VALUES ('y')`]);
    const stamped = await target.readChunk(counter.target, ['id', 'at'], ['id'], [11], 10);
    expect(stamped.map((r) => [Number(r[0]), r[1] !== null])).toEqual([[12, true]]);
  });
  const textPairs = pairs.filter(([from, to]) => from !== 'sqlite' && to !== 'sqlite' && !(from === 'mysql' && to === 'mysql'));
  test.each(textPairs)('%s → %s: the pass-through path lands the same values as the row path, and a retried chunk replaces', async (from, to) => {
    const source = sources.get(from)!;
    const target = targets.get(to)!;
    if (!isTextChunkSource(source) || !isTextChunkTarget(target)) throw new Error('both connectors should offer the pass-through path');
    const plan = planMigration(await source.introspect({ tables: [ZOO] }), to, { targetSchema: target.schema });
    const zoo: TablePlan = { ...plan.tables[0], target: `text copy of ${from} "zoo"` };
    // PostgreSQL to PostgreSQL would be binary COPY, but the enum column becomes text: COPY text then.
    const format = passThroughFormat(source, target, zoo);
    expect(format).toBe(to === 'mysql' ? 'mysql-load' : 'postgres-copy');
    if (!format) return;
    expect(await target.canLoadText(zoo)).toBe(true);
    await target.ensureSchema();
    await target.createTable(zoo, { replace: true });
    const columns = zoo.columns.map((col) => col.column);
    let after: Key | null = null;
    const ranges: KeyRange[] = [];
    for (let upTo = await source.chunkEnd(ZOO, zoo.keyColumns, after, 3); upTo; upTo = await source.chunkEnd(ZOO, zoo.keyColumns, after, 3)) {
      ranges.push({ after, upTo });
      await target.replaceRangeWithText(zoo, { after, upTo }, await source.readText(zoo, { after, upTo }, format), format);
      after = upTo;
    }
    expect(ranges.map((r) => r.upTo)).toEqual([[ABOVE_2_53], [BIG]]);
    // The first chunk again, as a retry would run it.
    expect(await target.replaceRangeWithText(zoo, ranges[0], await source.readText(zoo, ranges[0], format), format)).toBe(3);
    const twin: TablePlan = { ...zoo, target: `row copy of ${from} "zoo"` };
    await target.createTable(twin, { replace: true });
    await target.writeRows(twin, await source.readChunk(ZOO, columns, zoo.keyColumns, null, 100));
    const byText = await target.readChunk(zoo.target, columns, zoo.keyColumns, null, 100);
    expect(byText).toHaveLength(4);
    expect(byText).toEqual(await target.readChunk(twin.target, columns, zoo.keyColumns, null, 100));
  });
});

// ------------------------------------------------------------------ Chinook across every pair

describe('Chinook copied across every dialect pair', () => {
  const sources = new Map<TestDialect, { db: TempDatabase; c: Connector }>();
  const pairs = dialects.flatMap((s) => dialects.map((t) => [s, t] as [TestDialect, TestDialect]));

  beforeAll(async () => {
    for (const d of dialects) {
      const db = await createTempDatabase(d);
      await loadChinook(d, db.endpoint);
      sources.set(d, { db, c: await createConnector(db.endpoint) });
    }
  });
  afterAll(async () => {
    for (const { db, c } of sources.values()) {
      await c.close();
      await db.drop();
    }
  });

  test.each(pairs)('%s → %s: rows, checksums, indexes and foreign keys', async (from, to) => {
    const source = sources.get(from)!.c;
    const db = await createTempDatabase(to);
    const target = await createConnector(db.endpoint, { role: 'target' });
    try {
      const plan = planMigration(await source.introspect(), to, { targetSchema: target.schema });
      expect(plan.blockers).toEqual([]);
      await target.ensureSchema();
      for (const t of plan.tables) await target.createTable(t, { replace: false });
      for (const t of plan.tables) {
        const columns = t.columns.map((col) => col.column);
        for (const chunk of await readByKeyset(source, t.source.name, columns, t.keyColumns, 1000)) await target.writeRows(t, chunk);
      }
      for (const t of plan.tables) await target.createIndexesAndForeignKeys(t);
      // A retried schema phase must not fail on what already exists.
      for (const t of plan.tables) await target.createIndexesAndForeignKeys(t);

      const copied = await target.introspect();
      expect(copied.tables.map((t) => t.name)).toEqual(plan.tables.map((t) => t.target));
      expect(copied.tables.reduce((n, t) => n + t.foreignKeys.length, 0)).toBe(11);
      for (const t of plan.tables) {
        const columns = t.columns.map((col) => col.column);
        const types = t.columns.map((col) => col.canonical);
        const sourceRows = (await readByKeyset(source, t.source.name, columns, t.keyColumns, 5000)).flat();
        const targetRows = (await readByKeyset(target, t.target, columns, t.keyColumns, 5000)).flat();
        expect(targetRows).toHaveLength(sourceRows.length);
        expect(tableChecksum(targetRows, types)).toBe(tableChecksum(sourceRows, types));
        const info = copied.tables.find((x) => x.name === t.target)!;
        expect(info.primaryKey).toEqual(t.source.primaryKey);
        for (const index of t.source.indexes) expect(info.indexes.concat(info.uniqueConstraints.map((u) => ({ ...u, unique: true }))).some((i) => i.columns.join() === index.columns.join())).toBe(true);
      }
    } finally {
      await target.close();
      await db.drop();
    }
  });
});

describe('MariaDB FLOAT keeps its stored single-precision value', () => {
  // As text the server sends FLOAT with six significant digits (1.2345678 → "1.23457", 16777216 → "16777200").
  const values = [1.2345678, 16777216, 0.1, -3.4e38, 1e-40];
  let db: TempDatabase;
  let source: Connector;
  beforeAll(async () => {
    db = await createTempDatabase('mysql');
    await runStatements('mysql', db.endpoint, [
      'CREATE TABLE f (id INT PRIMARY KEY, v FLOAT)',
      `INSERT INTO f VALUES ${values.map((v, i) => `(${i + 1}, ${v})`).join(', ')}`,
    ]);
    source = await createConnector(db.endpoint);
  });
  afterAll(async () => {
    await source?.close();
    await db?.drop();
  });

  test('the row path reads every value as the float it is', async () => {
    const rows = await source.readChunk('f', ['id', 'v'], ['id'], null, 10);
    expect(rows.map((r) => Math.fround(r[1] as number))).toEqual(values.map((v) => Math.fround(v)));
  });

  test('the pass-through path renders them exactly too', async () => {
    if (!isTextChunkSource(source)) throw new Error('MariaDB should offer the pass-through path');
    const plan = planMigration(await source.introspect({ tables: ['f'] }), 'postgresql', { targetSchema: 'public' }).tables[0];
    expect(source.canRenderText(plan, 'postgres-copy')).toBe(true);
    const text = await source.readText(plan, { after: null, upTo: [String(values.length)] }, 'postgres-copy');
    let body = '';
    for await (const piece of text) body += String(piece);
    const read = body.trim().split('\n').map((line) => Math.fround(Number(line.split('\t')[1])));
    expect(read).toEqual(values.map((v) => Math.fround(v)));
  });
});
