/**
 * Tables keyed by bytes, through the whole workflow on a real Temporal dev server: a PostgreSQL bytea primary key, a
 * MariaDB BINARY(16) one (the usual UUID-as-bytes key) and a composite (integer, VARBINARY) one, a SQLite BLOB one, and
 * SQLite TEXT keys that are not UTF-8. Before, each failed the whole migration ("a key column holds bytes … cannot be a
 * keyset checkpoint"): a keyset checkpoint is JSON, and the key's bytes had no form in it. Now they travel as their hex
 * (lib/keys.ts) and are bound again as bytes (as TEXT where they were text), in chunks of two rows so the copy resumes
 * after a bytes key again and again; every row arrives, compared by this test's own queries, and validation passes.
 * Across dialects a text key that is not UTF-8 names its rejected row by those bytes; the other rows are copied (before
 * the fix of the read after such a key, bound as a BLOB, ordered past every text: the rest of the table was not read).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Endpoint } from '../../connectors/types';
import type { MigrationOptions } from '../../lib/migration';
import { retryErrorUpdate, startUpdate } from '../../workflows/migration';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite();
const ROWS = 25;

async function migrate(from: Endpoint, to: Endpoint, options: MigrationOptions = {}) {
  const handle = await startMigration(suite.harness, from, to, 'aggressive', { chunk_size: 2, ...options });
  await handle.executeUpdate(startUpdate);
  return Object.assign(await waitForStatus(handle, isOver, 180_000), { handle });
}

function expectDone(status: Awaited<ReturnType<typeof migrate>>, rows: number) {
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.errors).toEqual([]);
  expect(status.progress.rows_copied).toBe(rows);
}

const pgKeyed = async (db: TempDatabase) => pgRows(db.endpoint, `SELECT encode(id, 'hex') id, n FROM b ORDER BY id`);
const mariaKeyed = async (db: TempDatabase, table = 'b') => mariadbRows(db.endpoint, `SELECT LOWER(HEX(id)) id, n FROM ${table} ORDER BY id`);

test('PostgreSQL bytea primary key → PostgreSQL, MariaDB and SQLite: every row, validated', async () => {
  const source = await suite.database('postgresql');
  // Keys of every length, a zero byte, one a prefix of another, the empty key.
  await pgRows(
    source.endpoint,
    `CREATE TABLE b (id bytea PRIMARY KEY, n int NOT NULL);
     INSERT INTO b SELECT decode(md5(g::text), 'hex'), g FROM generate_series(1, ${ROWS - 4}) g;
     INSERT INTO b VALUES ('\\x00', 100), ('\\x0000', 101), ('\\xff', 102), ('', 103)`,
  );
  const expected = await pgKeyed(source);
  expect(expected).toHaveLength(ROWS);

  const pg = await suite.database('postgresql');
  expectDone(await migrate(source.endpoint, pg.endpoint), ROWS);
  expect(await pgKeyed(pg)).toEqual(expected);

  const maria = await suite.database('mysql');
  expectDone(await migrate(source.endpoint, maria.endpoint), ROWS);
  expect((await mariaKeyed(maria)).map((r) => ({ id: r.id, n: Number(r.n) }))).toEqual(expected);

  const lite: Endpoint = { type: 'sqlite', connectionString: path.join(suite.dir, 'bytea-keys.sqlite') };
  expectDone(await migrate(source.endpoint, lite), ROWS);
  const db = new Database(lite.connectionString, { readonly: true });
  try {
    expect(db.prepare("SELECT lower(hex(id)) id, n FROM b WHERE typeof(id) = 'blob' ORDER BY id").all()).toEqual(expected);
  } finally {
    db.close();
  }
}, 600_000);

test('MariaDB BINARY(16) and (INT, VARBINARY) primary keys → MariaDB and PostgreSQL: every row, validated', async () => {
  const source = await suite.database('mysql');
  await mariadbRows(source.endpoint, 'CREATE TABLE b (id BINARY(16) PRIMARY KEY, n INT NOT NULL)');
  await mariadbRows(source.endpoint, `INSERT INTO b SELECT UNHEX(MD5(seq)), seq FROM seq_1_to_${ROWS - 1}`);
  await mariadbRows(source.endpoint, `INSERT INTO b VALUES (UNHEX('00000000000000000000000000000000'), 0)`);
  await mariadbRows(source.endpoint, 'CREATE TABLE pairs (k INT, v VARBINARY(8), n INT, PRIMARY KEY (k, v))');
  await mariadbRows(source.endpoint, `INSERT INTO pairs SELECT seq % 3, UNHEX(LPAD(HEX(seq * 7), 2 * (1 + seq % 4), '0')), seq FROM seq_1_to_${ROWS}`);
  const pairs = (rows: Record<string, unknown>[]) => rows.map((r) => ({ k: Number(r.k), v: r.v, n: Number(r.n) }));
  const expected = await mariaKeyed(source);
  const expectedPairs = pairs(await mariadbRows(source.endpoint, 'SELECT k, LOWER(HEX(v)) v, n FROM pairs ORDER BY k, v'));
  expect(expected).toHaveLength(ROWS);

  const maria = await suite.database('mysql');
  expectDone(await migrate(source.endpoint, maria.endpoint), 2 * ROWS);
  expect(await mariaKeyed(maria)).toEqual(expected);
  expect(pairs(await mariadbRows(maria.endpoint, 'SELECT k, LOWER(HEX(v)) v, n FROM pairs ORDER BY k, v'))).toEqual(expectedPairs);

  const pg = await suite.database('postgresql');
  expectDone(await migrate(source.endpoint, pg.endpoint), 2 * ROWS);
  expect((await pgKeyed(pg)).map((r) => ({ id: r.id, n: String(r.n) }))).toEqual(expected.map((r) => ({ id: r.id, n: String(r.n) })));
  expect(pairs(await pgRows(pg.endpoint, "SELECT k, encode(v, 'hex') v, n FROM pairs ORDER BY k, v"))).toEqual(expectedPairs);
}, 600_000);

test('SQLite BLOB keys and TEXT keys that are not UTF-8: kept byte for byte in SQLite; across dialects the text ones are named, the rest copied', async () => {
  const source: Endpoint = { type: 'sqlite', connectionString: path.join(suite.dir, 'byte-keys-source.sqlite') };
  const bad = [Buffer.from([0x61, 0x80, 0x62]), Buffer.from([0xe2, 0x82]), Buffer.from([0xc0, 0xaf]), Buffer.from('café', 'latin1')];
  const db = new Database(source.connectionString);
  try {
    db.exec('CREATE TABLE blobs (id BLOB PRIMARY KEY, n INTEGER NOT NULL); CREATE TABLE codes (code TEXT PRIMARY KEY, n INTEGER NOT NULL)');
    const blob = db.prepare('INSERT INTO blobs VALUES (?, ?)');
    const code = db.prepare('INSERT INTO codes VALUES (CAST(? AS TEXT), ?)');
    for (let i = 1; i <= ROWS; i++) {
      blob.run(Buffer.from([i % 5, 0x80, i]), i);
      code.run(i % 6 === 0 ? bad[(i / 6) % 4] : Buffer.from(`code ${String(i).padStart(2, '0')}`), i);
    }
  } finally {
    db.close();
  }
  const read = (endpoint: Endpoint, sql: string) => {
    const conn = new Database(endpoint.connectionString, { readonly: true });
    try {
      return conn.prepare(sql).all();
    } finally {
      conn.close();
    }
  };
  const BLOBS = 'SELECT typeof(id) t, lower(hex(id)) id, n FROM blobs ORDER BY id';
  const CODES = 'SELECT typeof(code) t, lower(hex(code)) code, n FROM codes ORDER BY code';

  const copy: Endpoint = { type: 'sqlite', connectionString: path.join(suite.dir, 'byte-keys-copy.sqlite') };
  expectDone(await migrate(source, copy), 2 * ROWS);
  expect(read(copy, BLOBS)).toEqual(read(source, BLOBS));
  expect(read(copy, CODES)).toEqual(read(source, CODES));

  // PostgreSQL holds no text that is not UTF-8: those rows are rejected, each named by its key's bytes, and validation
  // finds exactly them missing (as every rejected row: fixed at the source, each can be retried by its key).
  const pg = await suite.database('postgresql');
  const status = await migrate(source, pg.endpoint, { validation: { failed_hold_seconds: 600 } });
  expect(status.status).toBe('failed');
  expect(status.failure?.code).toBe('ValidationFailed');
  expect(status.failure?.message).toContain('semantic: 4 difference(s)');
  expect(status.failure?.message).toContain('codes has 21 rows in the target, 25 in the source');
  const rejected = status.errors.filter((e) => e.code === 'RowRejected');
  const badRows = bad.length;
  expect(rejected.map((e) => JSON.stringify(e.key)).sort()).toEqual(bad.map((b) => JSON.stringify([{ hex: b.toString('hex') }])).sort());
  expect(rejected.every((e) => e.table === 'codes' && /not valid UTF-8/.test(e.message))).toBe(true);
  expect(await pgRows(pg.endpoint, "SELECT encode(id, 'hex') id, n FROM blobs ORDER BY id")).toEqual(
    // SQLite's INTEGER (no bound) becomes bigint, which pg reads as text.
    (read(source, BLOBS) as { id: string; n: bigint }[]).map((r) => ({ id: r.id, n: String(r.n) })),
  );
  expect(await pgRows(pg.endpoint, 'SELECT count(*)::int n FROM codes')).toEqual([{ n: ROWS - badRows }]);
  // A rejected row is found again by its key's bytes (bound as the text they are), and rejected again: still not UTF-8.
  const retried = await status.handle.executeUpdate(retryErrorUpdate, { args: [{ errorId: rejected[0].id, by: 'test' }] });
  expect(retried.outcome).toBe('rejected_again');
  await status.handle.terminate('test over');
}, 600_000);
