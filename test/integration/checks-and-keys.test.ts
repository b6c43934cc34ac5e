/**
 * CHECK constraints and keys across dialects, through the whole workflow on a real Temporal dev server:
 * - a MariaDB TINYINT(1) with `CHECK (flag IN (0,1))` becomes a PostgreSQL boolean: its CHECK is written in booleans
 *   (or left out with a "not migrated, because …" note), never as boolean-vs-integer SQL that fails CREATE TABLE;
 * - two PostgreSQL tables holding CHECKs of the same name (allowed there, per table) migrate to MariaDB under names
 *   unique in the target schema (MySQL and Oracle name CHECKs per schema);
 * - a SQLite table whose primary key has no declared type, holding integers past 2^53 (read as BigInt), copies in
 *   keyset chunks to PostgreSQL and to SQLite: every row exactly, validation passes.
 * Values and constraints are read back with this test's own SQL.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Endpoint } from '../../connectors/types';
import { migrateApproving } from '../helpers/caught';
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';

const suite = migrationSuite({ timeoutMs: 120_000 });

const migrate = (source: Endpoint, target: Endpoint) => migrateApproving(suite.harness, source, target);

/** Whether a statement fails on the target (a CHECK that holds refuses the row). */
async function pgRefuses(endpoint: Endpoint, sql: string): Promise<boolean> {
  return pgRows(endpoint, sql).then(
    () => false,
    () => true,
  );
}

test('MariaDB TINYINT(1) with CHECK (flag IN (0,1)) to PostgreSQL boolean: created, copied, validated; the CHECKs hold in booleans', async () => {
  const source = await suite.database('mysql');
  await mariadbRows(
    source.endpoint,
    `CREATE TABLE flags (
       id INT PRIMARY KEY,
       flag TINYINT(1) NOT NULL CHECK (flag IN (0,1)),
       f2 TINYINT(1) CHECK (f2 = TRUE OR f2 = FALSE),
       f3 TINYINT(1),
       n INT,
       CONSTRAINT flag_on_when_n CHECK (n IS NULL OR n < 10 OR f3 = 1),
       CONSTRAINT n_small CHECK (n + f3 < 100),
       CONSTRAINT n_positive CHECK (n >= 0)
     )`,
  );
  await mariadbRows(source.endpoint, `INSERT INTO flags SELECT seq, seq % 2, IF(seq % 3 = 0, NULL, seq % 2 = 0), 1, seq % 50 FROM seq_1_to_250`);
  const target = await suite.database('postgresql');
  const { status, plan } = await migrate(source.endpoint, target.endpoint);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.progress.rows_copied).toBe(250);
  expect(plan.tables[0].columns.find((c) => c.column === 'flag')?.targetType).toBe('boolean');
  // n + f3 adds an integer to what is now a boolean: not writable in PostgreSQL, so it is said and left out.
  expect(plan.notes).toContainEqual(expect.stringMatching(/^check n_small of flags is not migrated, because .*f3.* boolean/));

  const rows = await pgRows(target.endpoint, 'SELECT id, flag, f2, n FROM flags ORDER BY id');
  expect(rows).toHaveLength(250);
  expect(rows.slice(0, 3)).toEqual([
    { id: 1, flag: true, f2: false, n: 1 },
    { id: 2, flag: false, f2: true, n: 2 },
    { id: 3, flag: true, f2: null, n: 3 },
  ]);
  const checks = await pgRows(target.endpoint, `SELECT conname AS name FROM pg_constraint WHERE contype = 'c' AND conrelid = 'flags'::regclass ORDER BY 1`);
  expect(checks.map((c) => String(c.name)).sort()).toEqual(['flags_f2', 'flags_flag', 'flags_flag_on_when_n', 'flags_n_positive']);
  // The translated CHECKs still hold: n >= 0, and n < 10 unless f3 is true.
  expect(await pgRefuses(target.endpoint, `INSERT INTO flags (id, flag, f3, n) VALUES (1000, true, true, -1)`)).toBe(true);
  expect(await pgRefuses(target.endpoint, `INSERT INTO flags (id, flag, f3, n) VALUES (1001, true, false, 50)`)).toBe(true);
  expect(await pgRefuses(target.endpoint, `INSERT INTO flags (id, flag, f3, n) VALUES (1002, false, true, 50)`)).toBe(false);
}, 300_000);

test('two PostgreSQL tables with same-named CHECKs to MariaDB: names unique in the target schema, both CHECKs hold', async () => {
  const source = await suite.database('postgresql');
  await pgRows(
    source.endpoint,
    `CREATE TABLE orders (id integer PRIMARY KEY, qty integer, active boolean, CONSTRAINT positive CHECK (qty > 0), CONSTRAINT on_flag CHECK (active OR qty < 5), CONSTRAINT positive_qty_check CHECK (qty < 100000));
     CREATE TABLE returns (id integer PRIMARY KEY, qty integer, CONSTRAINT positive CHECK (qty > 0));
     CREATE TABLE "orders_positive" (id integer PRIMARY KEY, qty integer CHECK (qty < 1000));
     INSERT INTO orders SELECT i, i, i >= 3 FROM generate_series(1, 120) i;
     INSERT INTO returns SELECT i, i FROM generate_series(1, 30) i;
     INSERT INTO orders_positive SELECT i, i FROM generate_series(1, 3) i;`,
  );
  const target = await suite.database('mysql');
  const { status } = await migrate(source.endpoint, target.endpoint);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.progress.rows_copied).toBe(153);

  const checks = await mariadbRows(
    target.endpoint,
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS name FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2`,
  );
  const names = checks.map((c) => String(c.name));
  expect(new Set(names).size).toBe(names.length);
  expect(checks.map((c) => [c.t, c.name])).toEqual([
    ['orders', 'orders_on_flag'],
    ['orders', 'orders_positive'],
    ['orders', 'orders_positive_qty_check'],
    ['orders_positive', 'orders_positive_qty_check_2'],
    ['returns', 'returns_positive'],
  ]);
  const refuses = (sql: string) =>
    mariadbRows(target.endpoint, sql).then(
      () => false,
      () => true,
    );
  expect(await refuses(`INSERT INTO orders (id, qty, active) VALUES (1000, 0, 1)`)).toBe(true);
  expect(await refuses(`INSERT INTO returns (id, qty) VALUES (1000, 0)`)).toBe(true);
  expect(await refuses(`INSERT INTO orders (id, qty, active) VALUES (1001, 50, 0)`)).toBe(true);
  expect(await refuses(`INSERT INTO orders (id, qty, active) VALUES (1002, 50, 1)`)).toBe(false);
}, 300_000);

describe('a SQLite primary key with no declared type, past 2^53', () => {
  const big = [9007199254740993n, 9223372036854775807n, -9223372036854775808n, 2n ** 60n + 7n];
  let source: Endpoint;
  let expected: { id: string; v: string | null }[];

  beforeAll(() => {
    const file = path.join(suite.dir, 'untyped.sqlite');
    const db = new Database(file);
    db.defaultSafeIntegers(true);
    db.exec('CREATE TABLE t (id PRIMARY KEY, v)');
    const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
    for (let i = 1n; i <= 300n; i++) insert.run(i, i % 7n === 0n ? null : `v${i}`);
    for (const id of big) insert.run(id, `big ${id}`);
    expected = (db.prepare('SELECT CAST(id AS TEXT) AS id, v FROM t ORDER BY id').all() as { id: string; v: string | null }[]).map((r) => ({ id: r.id, v: r.v }));
    db.close();
    source = { type: 'sqlite', connectionString: file };
  });

  test('to PostgreSQL: every row exactly, validated', async () => {
    const target = await suite.database('postgresql');
    const { status } = await migrate(source, target.endpoint);
    expect(status.failure).toBeNull();
    expect(status.status).toBe('completed');
    expect(status.validation?.status).toBe('passed');
    expect(status.progress.rows_copied).toBe(304);
    const rows = (await pgRows(target.endpoint, 'SELECT id::text AS id, v::text AS v FROM t')) as { id: string; v: string | null }[];
    const byNumber = (a: { id: string }, b: { id: string }) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);
    expect(rows.sort(byNumber)).toEqual([...expected].sort(byNumber));
    for (const id of big) expect(rows.map((r) => r.id)).toContain(id.toString());
  }, 300_000);

  test('to SQLite: every row exactly, as the integers they are, validated', async () => {
    const target = await suite.database('sqlite');
    const { status } = await migrate(source, target.endpoint);
    expect(status.failure).toBeNull();
    expect(status.status).toBe('completed');
    expect(status.validation?.status).toBe('passed');
    expect(status.progress.rows_copied).toBe(304);
    const db = new Database(target.endpoint.connectionString, { readonly: true });
    try {
      const rows = db.prepare('SELECT typeof(id) AS k, CAST(id AS TEXT) AS id, v FROM t ORDER BY id').all() as { k: string; id: string; v: string | null }[];
      expect(rows.map((r) => r.k)).toEqual(rows.map(() => 'integer'));
      expect(rows.map(({ id, v }) => ({ id, v }))).toEqual(expected);
    } finally {
      db.close();
    }
  }, 300_000);
});
