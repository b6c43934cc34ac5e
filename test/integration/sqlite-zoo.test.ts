/**
 * SQLite → PostgreSQL and SQLite → MariaDB through the whole workflow on a real Temporal dev server: a table declaring
 * the types SQLite schemas are written with (INTEGER, BIGINT, TINYINT, REAL, DOUBLE, FLOAT, NUMERIC, DECIMAL(p,s),
 * BOOLEAN, DATE, DATETIME, TEXT, VARCHAR(n), NCHAR(n), CLOB, BLOB, JSON), integers past 2^53, text beyond the BMP and
 * bytes that are not text. Values are compared by this test's own SQL on both sides, validation passes, and one changed
 * value per family in the target is caught by the semantic tier, which names its row.
 */
import Database from 'better-sqlite3';
import { expectChangesCaught, migrateHeldOpen } from '../helpers/caught';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';

const suite = migrationSuite();
const ROWS = 12;

const ZOO = `CREATE TABLE zoo (
  id INTEGER PRIMARY KEY,
  i INT, bi BIGINT, ti TINYINT, si SMALLINT,
  r REAL, d DOUBLE, f FLOAT,
  n NUMERIC, dc DECIMAL(10,2),
  b BOOLEAN,
  dt DATE, dtt DATETIME,
  t TEXT NOT NULL, vc VARCHAR(50), nc NCHAR(10), cl CLOB,
  bl BLOB, j JSON,
  CHECK (dc >= 0)
)`;

function fill(file: string): void {
  const db = new Database(file);
  try {
    db.exec(ZOO);
    const insert = db.prepare(`INSERT INTO zoo VALUES (@id, @i, @bi, @ti, @si, @r, @d, @f, @n, @dc, @b, @dt, @dtt, @t, @vc, @nc, @cl, @bl, @j)`);
    for (let k = 1; k <= ROWS; k++) {
      insert.run({
        id: k,
        i: k * 7 - 40,
        bi: 9007199254740993n + BigInt(k) * 1000n,
        ti: k,
        si: -k * 300,
        r: k + 0.25,
        d: k / 3,
        f: 1.5 * k,
        n: k * 10,
        dc: (k * 125) / 100,
        b: k % 2,
        dt: `2024-01-${String(k).padStart(2, '0')}`,
        dtt: `2024-02-03 04:05:${String(k).padStart(2, '0')}`,
        t: `line ${k} é 😀\ttab`,
        vc: `v${k}`,
        nc: `n${k}`,
        cl: `first\nsecond ${k}`,
        bl: Buffer.from([0, 255, k, 0x80, 0xc3]),
        j: JSON.stringify({ k, list: [k, 'x', null] }),
      });
    }
    // A row of NULLs (but the NOT NULL text).
    db.prepare(`INSERT INTO zoo (id, t) VALUES (100, '')`).run();
  } finally {
    db.close();
  }
}

/** The source's values as this test reads them, with numbers as text where SQLite can print them exactly. */
function sourceRows(file: string): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true });
  try {
    db.defaultSafeIntegers(true);
    return db
      .prepare(`SELECT id, i, bi, ti, si, r, d, f, n, dc, b, dt, dtt, t, vc, nc, cl, CASE WHEN bl IS NULL THEN NULL ELSE lower(hex(bl)) END bl, j FROM zoo ORDER BY id`)
      .all()
      .map((r) => Object.fromEntries(Object.entries(r as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])));
  } finally {
    db.close();
  }
}

/** Compares a target's rows with the source's, value by value, each family in its own terms. */
function expectSame(source: Record<string, unknown>[], target: Record<string, unknown>[]): void {
  expect(target.length).toBe(source.length);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  // An exact decimal's text without the zeros a declared scale adds (NUMERIC becomes DECIMAL(65,30) in MariaDB).
  const decimal = (v: unknown) => (v === null || v === undefined ? null : String(v).replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1'));
  const day = (v: unknown) => (v === null || v === undefined ? null : String(v).slice(0, 10));
  const stamp = (v: unknown) => (v === null || v === undefined ? null : String(v).replace('T', ' ').slice(0, 19));
  const bool = (v: unknown) => (v === null || v === undefined ? null : v === true || v === 't' || Number(v) === 1);
  source.forEach((s, n) => {
    const t = target[n];
    const id = Number(s.id);
    const row = (f: (v: unknown) => unknown, cols: string[]) =>
      expect(Object.fromEntries(cols.map((c) => [c, f(t[c])]))).toEqual(Object.fromEntries(cols.map((c) => [c, f(s[c])])));
    expect(Number(t.id)).toBe(id);
    row(str, ['i', 'bi', 'ti', 'si', 't', 'vc', 'cl', 'bl']);
    row(decimal, ['n']);
    row(num, ['r', 'd', 'f', 'dc']);
    row(bool, ['b']);
    row(day, ['dt']);
    row(stamp, ['dtt']);
    expect({ id, nc: str(t.nc)?.trimEnd() ?? null }).toEqual({ id, nc: str(s.nc) });
    expect({ id, j: t.j === null || t.j === undefined ? null : typeof t.j === 'object' ? t.j : JSON.parse(String(t.j)) }).toEqual({
      id,
      j: s.j === null ? null : JSON.parse(String(s.j)),
    });
  });
}

async function migrate(source: TempDatabase, target: TempDatabase) {
  const run = await migrateHeldOpen(suite.harness, source, target, 5);
  for (const c of run.plan.tables[0].columns) expect({ c: c.column, ok: c.targetType !== '' && c.confidence > 0 }).toEqual({ c: c.column, ok: true });
  return run;
}

const CHANGES = {
  1: 'i = 0',
  2: 'bi = 9007199254740992',
  3: 'r = 3.5',
  4: 'd = 1.0',
  5: 'dc = 0.01',
  6: 'b = NOT b',
  7: `dt = '1999-12-31'`,
  8: `t = 'changed'`,
  9: `j = '{"k": 0}'`,
};

test('SQLite → PostgreSQL: every declared type maps; values arrive; the CHECK holds; a change per family is caught', async () => {
  const source = await suite.database('sqlite');
  fill(source.endpoint.connectionString);
  const target = await suite.database('postgresql');
  const { handle } = await migrate(source, target);
  const rows = await pgRows(
    target.endpoint,
    `SELECT id, i::text i, bi::text bi, ti::text ti, si::text si, r, d, f, n::text n, dc, b, dt::text dt, dtt::text dtt, t, vc, nc, cl, encode(bl, 'hex') bl, j::text j FROM zoo ORDER BY id`,
  );
  expectSame(sourceRows(source.endpoint.connectionString), rows);
  await expect(pgRows(target.endpoint, 'UPDATE zoo SET dc = -1 WHERE id = 1')).rejects.toThrow(/check constraint/i);
  await expectChangesCaught(handle, (sql) => pgRows(target.endpoint, sql), CHANGES);
}, 600_000);

test('SQLite → MariaDB: every declared type maps; values arrive; the CHECK holds; a change per family is caught', async () => {
  const source = await suite.database('sqlite');
  fill(source.endpoint.connectionString);
  const target = await suite.database('mysql');
  const { handle } = await migrate(source, target);
  const rows = await mariadbRows(
    target.endpoint,
    `SELECT id, CAST(i AS CHAR) i, CAST(bi AS CHAR) bi, CAST(ti AS CHAR) ti, CAST(si AS CHAR) si, r, d, f, CAST(n AS CHAR) n, dc, b, CAST(dt AS CHAR) dt,
            CAST(dtt AS CHAR) dtt, t, vc, nc, cl, LOWER(HEX(bl)) bl, j FROM zoo ORDER BY id`,
  );
  expectSame(sourceRows(source.endpoint.connectionString), rows);
  await expect(mariadbRows(target.endpoint, 'UPDATE zoo SET dc = -1 WHERE id = 1')).rejects.toThrow(/CONSTRAINT/i);
  await expectChangesCaught(handle, (sql) => mariadbRows(target.endpoint, sql), CHANGES);
}, 600_000);
