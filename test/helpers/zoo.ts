/**
 * The type zoos, one per dialect, shared by the tests that migrate them: through the workflow harness
 * (test/integration/type-zoo.test.ts, sqlite-zoo.test.ts) and through the HTTP API in all nine directions
 * (test/e2e/type-zoo-http.test.ts). Each zoo is a table `zoo` holding the types its dialect has; `*_ZOO_OBJECTS`
 * adds the schema objects around it (a child table with its primary, unique and foreign keys, a secondary index, a
 * CHECK, a view, a sequence where the dialect has them), which only the HTTP test creates.
 *
 * Also here: the test's own reading of each zoo (SQL run by pgRows / mariadbRows / better-sqlite3, never by Sensei) and
 * the comparison of a target's rows with the source's, in the normal form each cross-dialect mapping gives a value.
 */
import Database from 'better-sqlite3';

// ---------------------------------------------------------------------------------------------------------------------
// PostgreSQL: arrays, interval, inet/cidr, macaddr, money, tsvector, bit/varbit, enum, domains, range, composite, xml,
// point, uuid, jsonb.

export const PG_ROWS = 14;
export const PG_ZOO = [
  `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
  `CREATE DOMAIN posint AS integer CHECK (VALUE > 0)`,
  `CREATE DOMAIN zip AS text CHECK (VALUE ~ '^[0-9]{5}$')`,
  `CREATE TYPE pair AS (a integer, b text)`,
  `CREATE TABLE zoo (
     id integer PRIMARY KEY,
     ints integer[], texts text[], grid integer[][],
     iv interval, addr inet, net cidr, mac macaddr, cash money, doc tsvector,
     bits bit(8), vbits bit varying(16), m mood, p posint, z zip,
     r int4range, pr pair, x xml, pt point, u uuid, j jsonb,
     amount numeric(10,2) CHECK (amount >= 0), made timestamptz DEFAULT now(),
     CONSTRAINT zoo_x_short CHECK (length(x::text) < 1000)
   )`,
  `CREATE INDEX zoo_doc ON zoo USING gin (doc)`,
  `CREATE INDEX zoo_ints ON zoo (ints)`,
  `CREATE INDEX zoo_lower_z ON zoo (lower(z))`,
  `CREATE INDEX zoo_amount ON zoo (amount)`,
  `INSERT INTO zoo SELECT i,
     ARRAY[i, NULL, -i], ARRAY['a' || i, 'b"q\\', NULL], ARRAY[[i, 2], [3, 4]],
     make_interval(years => i % 3, months => i, days => -i, hours => 25, mins => i, secs => i + 0.5),
     CASE WHEN i % 2 = 0 THEN ('2001:db8::' || i || '/64')::inet ELSE ('10.0.0.' || i)::inet END,
     ('10.' || i || '.0.0/16')::cidr, ('08:00:2b:01:02:' || lpad(to_hex(i), 2, '0'))::macaddr,
     (i * 1000.25)::numeric::money, to_tsvector('simple', 'the quick brown fox ' || i),
     i::bit(8), B'101' || i::bit(4), (enum_range(NULL::mood))[1 + i % 3], i, lpad(i::text, 5, '0'),
     int4range(i, i + 10), ROW(i, 'x' || i)::pair, ('<a n="' || i || '">t</a>')::xml, point(i, -i),
     md5(i::text)::uuid, jsonb_build_object('i', i, 'arr', jsonb_build_array(i, 'x')), i * 1.5
   FROM generate_series(1, ${PG_ROWS}) i`,
  `UPDATE zoo SET made = '2024-01-02 03:04:05.678+00'`,
  `INSERT INTO zoo (id) VALUES (100)`,
];

/** The objects around the PostgreSQL zoo: a child table (primary, unique and foreign key, index, CHECK), a view, a sequence. */
export const PG_ZOO_OBJECTS = [
  `CREATE SEQUENCE zoo_ticket START WITH 100 INCREMENT BY 5`,
  `CREATE TABLE zoo_child (
     id integer PRIMARY KEY, zoo_id integer NOT NULL REFERENCES zoo (id) ON DELETE CASCADE, code varchar(20) NOT NULL,
     CONSTRAINT zoo_child_code UNIQUE (code), CONSTRAINT zoo_child_positive CHECK (id > 0)
   )`,
  `CREATE INDEX zoo_child_zoo ON zoo_child (zoo_id)`,
  `INSERT INTO zoo_child SELECT i, i, 'c' || i FROM generate_series(1, ${PG_ROWS}) i`,
  `CREATE VIEW zoo_happy AS SELECT id, m FROM zoo WHERE m = 'happy'`,
];

/** The PostgreSQL zoo's values as a test reads them from the source (its own SQL), per id. */
export const PG_SOURCE_SQL = `SELECT id, to_json(ints)::text ints, to_json(texts)::text texts, to_json(grid)::text grid, addr, net, mac,
            cash::numeric::text cash, doc::text doc, bits::text bits, vbits::text vbits, m::text m, p, z, r::text r, to_json(pr)::text pr,
            x, pt::text pt, u::text u, j::text j, amount::text amount
       FROM zoo ORDER BY id`;
/** The PostgreSQL zoo read back from MariaDB. */
export const PG_ZOO_IN_MARIADB_SQL = `SELECT id, ints, texts, grid, iv, addr, net, mac, CAST(cash AS CHAR) cash, doc, bits, vbits, m, p, z, r, pr, x, pt, u, j, CAST(amount AS CHAR) amount FROM zoo ORDER BY id`;
/** The PostgreSQL zoo read back from SQLite. */
export const PG_ZOO_IN_SQLITE_SQL = `SELECT id, ints, texts, grid, iv, addr, net, mac, CAST(cash AS TEXT) cash, doc, bits, vbits, m, p, z, r, pr, x, pt, u, j, CAST(amount AS TEXT) amount FROM zoo ORDER BY id`;

export const json = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'object' ? v : JSON.parse(String(v)));

/** The ISO-8601 text of make_interval(years => i % 3, months => i, days => -i, hours => 25, mins => i, secs => i + 0.5). */
export function isoOf(i: number): string {
  const months = (i % 3) * 12 + i;
  return `P${Math.floor(months / 12)}Y${months % 12}M${-i}DT25H${i}M${i + 0.5}S`;
}

/**
 * A target's rows of the PostgreSQL zoo (MariaDB or SQLite) against the source's: arrays, composites and jsonb as JSON,
 * the types kept as their text (inet, cidr, macaddr, tsvector, bit, enum, domain, range, xml, point, uuid) as that
 * text, money and numeric to two places, the interval as ISO-8601.
 */
export function expectSameAsPgSource(source: Record<string, unknown>[], target: Record<string, unknown>[]) {
  expect(target.length).toBe(source.length);
  source.forEach((s, n) => {
    const t = target[n];
    expect(Number(t.id)).toBe(s.id);
    for (const c of ['ints', 'texts', 'grid', 'pr', 'j']) expect({ id: s.id, c, v: json(t[c]) }).toEqual({ id: s.id, c, v: json(s[c]) });
    for (const c of ['addr', 'net', 'mac', 'doc', 'bits', 'vbits', 'm', 'z', 'r', 'x', 'pt', 'u']) {
      expect({ id: s.id, c, v: t[c] ?? null }).toEqual({ id: s.id, c, v: s[c] ?? null });
    }
    expect(t.p === null ? null : Number(t.p)).toBe(s.p);
    for (const c of ['cash', 'amount']) expect({ c, v: t[c] === null ? null : Number(t[c]).toFixed(2) }).toEqual({ c, v: s[c] === null ? null : Number(s[c]).toFixed(2) });
    const i = Number(s.id);
    expect(t.iv ?? null).toBe(i <= PG_ROWS ? isoOf(i) : null);
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// MariaDB: SET, GEOMETRY/POINT with and without SRID, BIT(n), INET4/INET6, UUID, YEAR, ENUM, unsigned integers, JSON.

export const MARIA_ROWS = 11;
export const MARIA_ZOO = [
  `CREATE TABLE zoo (
     id INT PRIMARY KEY,
     s SET('read','write','admin'), g GEOMETRY, p POINT, b BIT(10), v4 INET4, v6 INET6, u UUID, y YEAR,
     e ENUM('small','medium','large'), ui INT UNSIGNED, ub BIGINT UNSIGNED, us SMALLINT UNSIGNED, j JSON,
     made DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3), KEY zoo_y (y)
   )`,
  `INSERT INTO zoo (id, s, g, p, b, v4, v6, u, y, e, ui, ub, us, j) SELECT seq, seq % 8,
     ST_GeomFromText(CONCAT('LINESTRING(0 0,', seq, ' ', seq, '.5)'), IF(seq % 2 = 1, 4326, 0)),
     ST_PointFromText(CONCAT('POINT(', seq, ' -', seq, ')')), seq * 37, CONCAT('10.1.2.', seq), CONCAT('2001:db8::', HEX(seq)),
     CONCAT('00000000-0000-0000-0000-', LPAD(seq, 12, '0')), 1990 + seq, 1 + seq % 3,
     4294967295 - seq, 1000000000000000 * seq, 65535 - seq, JSON_OBJECT('k', seq, 'l', JSON_ARRAY(seq, 'x'))
   FROM seq_1_to_${MARIA_ROWS}`,
  `INSERT INTO zoo (id, s) VALUES (100, NULL), (101, '')`,
];

/** The objects around the MariaDB zoo: a child table (primary, unique and foreign key, index, CHECK), a view, a sequence. */
export const MARIA_ZOO_OBJECTS = [
  `CREATE TABLE zoo_child (
     id INT PRIMARY KEY, zoo_id INT NOT NULL, code VARCHAR(20) NOT NULL,
     UNIQUE KEY zoo_child_code (code), KEY zoo_child_zoo (zoo_id),
     CONSTRAINT zoo_child_fk FOREIGN KEY (zoo_id) REFERENCES zoo (id) ON DELETE CASCADE,
     CONSTRAINT zoo_child_positive CHECK (id > 0)
   )`,
  `INSERT INTO zoo_child SELECT seq, seq, CONCAT('c', seq) FROM seq_1_to_${MARIA_ROWS}`,
  `CREATE VIEW zoo_large AS SELECT id, e FROM zoo WHERE e = 'large'`,
  `CREATE SEQUENCE zoo_ticket START WITH 100 INCREMENT BY 5`,
];

/** The MariaDB zoo's values as a test reads them from the source, per id: the geometry as its WKB and SRID, BIT(10) as its digits. */
export const MARIA_SOURCE_SQL = `SELECT id, s, LOWER(HEX(ST_AsWKB(g))) gw, ST_SRID(g) gs, LOWER(HEX(ST_AsWKB(p))) pw, ST_SRID(p) ps, LPAD(BIN(b), 10, '0') b,
            CAST(v4 AS CHAR) v4, CAST(v6 AS CHAR) v6, CAST(u AS CHAR) u, CAST(y AS UNSIGNED) y, e, CAST(ui AS CHAR) ui, CAST(ub AS CHAR) ub,
            CAST(us AS CHAR) us, j
       FROM zoo ORDER BY id`;
/** The MariaDB zoo read back from PostgreSQL (PostGIS geometry as EWKB). */
export const MARIA_ZOO_IN_PG_SQL = `SELECT id, s, encode(ST_AsEWKB(g), 'hex') g, encode(ST_AsEWKB(p), 'hex') p, b::text b, host(v4) v4, host(v6) v6, u::text u, y, e::text e, ui::text ui, ub::text ub, us::text us, j::text j FROM zoo ORDER BY id`;
/** The MariaDB zoo read back from SQLite (run it through `mariaZooInSqlite`: an empty BLOB's hex is '', read as NULL). */
export const MARIA_ZOO_IN_SQLITE_SQL = `SELECT id, s, lower(hex(g)) g, lower(hex(p)) p, b, v4, v6, u, y, e, CAST(ui AS TEXT) ui, CAST(ub AS TEXT) ub, CAST(us AS TEXT) us, j FROM zoo ORDER BY id`;
export const mariaZooInSqlite = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, g: r.g === '' ? null : r.g, p: r.p === '' ? null : r.p }));

/** WKB with its SRID as EWKB (this test's own reading of the format: the SRID flag in the type word, the SRID after it). */
export function ewkbOf(wkbHex: string | null, srid: number | null): string | null {
  if (wkbHex === null) return null;
  if (!srid) return wkbHex;
  const wkb = Buffer.from(wkbHex, 'hex');
  const little = wkb[0] === 1;
  const head = Buffer.alloc(9);
  head[0] = wkb[0];
  const type = little ? wkb.readUInt32LE(1) : wkb.readUInt32BE(1);
  if (little) {
    head.writeUInt32LE(type | 0x20000000, 1);
    head.writeUInt32LE(srid, 5);
  } else {
    head.writeUInt32BE(type | 0x20000000, 1);
    head.writeUInt32BE(srid, 5);
  }
  return Buffer.concat([head, wkb.subarray(5)]).toString('hex');
}

/**
 * A target's rows of the MariaDB zoo (PostgreSQL or SQLite) against the source's: the SET as the list `setOf` reads
 * from the target (text[] in PostgreSQL, a JSON array in SQLite), geometry as EWKB, BIT(n) as its digits, the others
 * as their text, YEAR as a number, JSON parsed.
 */
export function expectSameAsMariaSource(source: Record<string, unknown>[], target: Record<string, unknown>[], setOf: (v: unknown) => unknown) {
  expect(target.length).toBe(source.length);
  source.forEach((s, n) => {
    const t = target[n];
    const id = Number(s.id);
    expect(Number(t.id)).toBe(id);
    expect({ id, s: setOf(t.s) }).toEqual({ id, s: s.s === null ? null : String(s.s) === '' ? [] : String(s.s).split(',') });
    expect({ id, g: t.g ?? null }).toEqual({ id, g: ewkbOf(s.gw as string | null, s.gs as number | null) });
    expect({ id, p: t.p ?? null }).toEqual({ id, p: ewkbOf(s.pw as string | null, s.ps as number | null) });
    for (const c of ['b', 'v4', 'v6', 'u', 'e', 'ui', 'ub', 'us']) expect({ id, c, v: t[c] === null || t[c] === undefined ? null : String(t[c]) }).toEqual({ id, c, v: s[c] ?? null });
    expect({ id, y: t.y === null ? null : Number(t.y) }).toEqual({ id, y: s.y === null ? null : Number(s.y) });
    expect({ id, j: json(t.j) }).toEqual({ id, j: json(s.j) });
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// SQLite: the types SQLite schemas are declared with, integers past 2^53, text beyond the BMP, bytes that are not text.

export const SQLITE_ROWS = 12;
export const SQLITE_ZOO = `CREATE TABLE zoo (
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

/** The objects around the SQLite zoo: a child table (primary, unique and foreign key, index, CHECK) and a view. */
export const SQLITE_ZOO_OBJECTS = `
CREATE TABLE zoo_child (
  id INTEGER PRIMARY KEY, zoo_id INTEGER NOT NULL REFERENCES zoo (id) ON DELETE CASCADE, code VARCHAR(20) NOT NULL UNIQUE,
  CHECK (id > 0)
);
CREATE INDEX zoo_child_zoo ON zoo_child (zoo_id);
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ${SQLITE_ROWS}) INSERT INTO zoo_child SELECT i, i, 'c' || i FROM k;
CREATE VIEW zoo_true AS SELECT id, t FROM zoo WHERE b = 1;
`;

/** Creates the SQLite zoo in `file` and fills it (and its objects, with `objects`). */
export function fillSqliteZoo(file: string, objects = false): void {
  const db = new Database(file);
  try {
    db.exec(SQLITE_ZOO);
    const insert = db.prepare(`INSERT INTO zoo VALUES (@id, @i, @bi, @ti, @si, @r, @d, @f, @n, @dc, @b, @dt, @dtt, @t, @vc, @nc, @cl, @bl, @j)`);
    for (let k = 1; k <= SQLITE_ROWS; k++) {
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
    if (objects) db.exec(SQLITE_ZOO_OBJECTS);
  } finally {
    db.close();
  }
}

/** The SQLite zoo's values as a test reads them, with numbers as text where SQLite can print them exactly. */
export function sqliteZooRows(file: string): Record<string, unknown>[] {
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

/** The SQLite zoo read back from PostgreSQL. */
export const SQLITE_ZOO_IN_PG_SQL = `SELECT id, i::text i, bi::text bi, ti::text ti, si::text si, r, d, f, n::text n, dc, b, dt::text dt, dtt::text dtt, t, vc, nc, cl, encode(bl, 'hex') bl, j::text j FROM zoo ORDER BY id`;
/** The SQLite zoo read back from MariaDB. */
export const SQLITE_ZOO_IN_MARIADB_SQL = `SELECT id, CAST(i AS CHAR) i, CAST(bi AS CHAR) bi, CAST(ti AS CHAR) ti, CAST(si AS CHAR) si, r, d, f, CAST(n AS CHAR) n, dc, b, CAST(dt AS CHAR) dt,
            CAST(dtt AS CHAR) dtt, t, vc, nc, cl, LOWER(HEX(bl)) bl, j FROM zoo ORDER BY id`;

/** A target's rows of the SQLite zoo (PostgreSQL or MariaDB) against the source's, value by value, each family in its own terms. */
export function expectSameAsSqliteSource(source: Record<string, unknown>[], target: Record<string, unknown>[]): void {
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
