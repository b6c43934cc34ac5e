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

export const PG_ROWS = 20;
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

export const MARIA_ROWS = 14;
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

// ---------------------------------------------------------------------------------------------------------------------
// The native zoos: each dialect's types and schema objects as a same-dialect migration must keep them
// (test/integration/*-native.test.ts, and the same-dialect directions of test/e2e/type-zoo-http.test.ts).

/**
 * PostgreSQL's native zoo: one table per type family and one holding them all, with defaults, identities, checks,
 * indexes, comments, views, a trigger, partitioning and inheritance (needs the citext and hstore extensions).
 */
export const PG_NATIVE_DDL = `
CREATE EXTENSION citext;
CREATE EXTENSION hstore;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'it''s "fine"');
CREATE DOMAIN year AS integer DEFAULT 2000 CONSTRAINT year_range CHECK (VALUE >= 1901 AND VALUE <= 2155);
CREATE DOMAIN posint AS integer NOT NULL CHECK (VALUE > 0);
CREATE DOMAIN email AS citext CHECK (VALUE ~ '@');
CREATE TYPE address AS (street text, zip integer, tags text[]);
CREATE TYPE floatrange AS RANGE (SUBTYPE = float8);
COMMENT ON TYPE mood IS 'how it feels';

CREATE TABLE t_enum (id serial PRIMARY KEY, m mood, ms mood[]);
INSERT INTO t_enum (m, ms) VALUES ('happy', '{sad,ok}'), ('it''s "fine"', ARRAY['it''s "fine"', NULL]::mood[]), (NULL, NULL), ('sad', '{}');

CREATE TABLE t_domain (id integer PRIMARY KEY, y year, p posint, e email);
INSERT INTO t_domain VALUES (1, 1999, 5, 'A@b.c'), (2, NULL, 1, NULL), (3, 2155, 2147483647, 'x@Y');

CREATE TABLE t_array (
  id integer PRIMARY KEY, a integer[], b text[], c integer[][], d numeric(10,2)[], e timestamptz[], f varchar(10)[],
  g jsonb[], h boolean[], i bytea[], j double precision[], k date[]
);
INSERT INTO t_array VALUES
  (1, '{1,2,NULL,4}', '{"a b","c,d","e\\"f","g\\\\h",NULL,"NULL",""}', '{{1,2},{3,4}}', '{1.50,-2.25}',
   '{"2024-01-02 03:04:05.123456+00","infinity"}', '{x,yy}', ARRAY['{"k": [1, 2]}', 'null']::jsonb[], '{t,f,NULL}',
   ARRAY['\\x00ff'::bytea, NULL], '{0.1,1e300,-0,NaN,-Infinity}', '{2024-02-29,-infinity}'),
  (2, '[0:2]={7,8,9}', '{}', '{{{1},{2}},{{3},{4}}}', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, '{NULL}', ARRAY[NULL]::text[], '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}');

CREATE TABLE t_text_search (id integer PRIMARY KEY, v tsvector, q tsquery);
INSERT INTO t_text_search VALUES
  (1, to_tsvector('english', 'The quick brown foxes jumped'), to_tsquery('english', 'fox & !dog')),
  (2, 'a:1A b:2B,3 ''it''''s'':4', 'a:* <-> (b | !c)'), (3, NULL, NULL), (4, '', '');

CREATE TABLE t_interval (id integer PRIMARY KEY, i interval, d interval day to second(3), m interval year to month);
INSERT INTO t_interval VALUES (1, '1 year 2 mons 3 days 04:05:06.789012', '3 days 01:02:03.456', '2 years 3 months'),
  (2, '-1 day +02:00', '-00:00:00.001', '-1 month'), (3, NULL, NULL, NULL), (4, '0', '0', '0');

CREATE TABLE t_net (id integer PRIMARY KEY, a inet, b cidr, c macaddr, d macaddr8);
INSERT INTO t_net VALUES (1, '192.168.1.5/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05'),
  (2, '::ffff:1.2.3.4', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00:00:00'), (3, NULL, NULL, NULL, NULL);

CREATE TABLE t_money (id integer PRIMARY KEY, m money);
INSERT INTO t_money VALUES (1, '1234567.89'), (2, '-0.01'), (3, NULL), (4, '92233720368547758.07');

CREATE TABLE t_xml (id integer PRIMARY KEY, x xml);
INSERT INTO t_xml VALUES (1, '<a b="1">x &amp; y<c/></a>'), (2, 'just text'), (3, NULL);

CREATE TABLE t_bit (id integer PRIMARY KEY, b bit(8), v bit varying(20));
INSERT INTO t_bit VALUES (1, B'10100101', B'1'), (2, B'00000000', B''), (3, NULL, NULL);

CREATE TABLE t_uuid_json (id integer PRIMARY KEY, u uuid, j json, jb jsonb);
INSERT INTO t_uuid_json VALUES (1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"b": 1,  "a": [true, null]}', '{"b": 1, "a": "é\\u00e9x"}'),
  (2, NULL, 'null', 'null'), (3, NULL, NULL, NULL);

CREATE TABLE t_geo (id integer PRIMARY KEY, p point, l line, s lseg, b box, pa path, po polygon, c circle);
INSERT INTO t_geo VALUES (1, '(1.5,-2)', '{1,-1,0}', '[(0,0),(1,1)]', '(2,2),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(0,0),2.5>'),
  (2, '(0.1,1e-300)', '{0,1,-3}', '[(1,2),(3,4)]', '(1,1),(1,1)', '((0,0),(1,1))', '((0,0))', '<(1,1),0>'), (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE t_range (id integer PRIMARY KEY, r int4range, n numrange, ts tstzrange, d daterange, m int4multirange, f floatrange);
INSERT INTO t_range VALUES (1, '[1,10)', '(1.5,2.25]', '[2024-01-01 00:00+00,infinity)', '[2024-01-01,2024-02-01)', '{[1,3),[5,8)}', '[0.5,1.5]'),
  (2, 'empty', '(,)', NULL, '[,2024-01-01]', '{}', 'empty'), (3, NULL, NULL, NULL, NULL, NULL, NULL);

CREATE TABLE t_oid (id integer PRIMARY KEY, o oid, c regclass, t regtype, p regproc, n name, ch "char");
INSERT INTO t_oid VALUES (1, 4294967295, 'pg_class', 'integer[]', 'now', 'a name', 'x'), (2, 0, NULL, 'mood', NULL, NULL, NULL);

CREATE TABLE t_composite (id integer PRIMARY KEY, a address, aa address[]);
INSERT INTO t_composite VALUES (1, ROW('Main St, 1', 12345, '{x,"y z"}'), ARRAY[ROW('a', 1, NULL)::address, NULL]),
  (2, ROW(NULL, NULL, NULL), '{}'), (3, NULL, NULL);

CREATE TABLE t_extension (id integer PRIMARY KEY, c citext, h hstore, cs citext[]);
INSERT INTO t_extension VALUES (1, 'MiXeD', 'a=>1, "b c"=>NULL', '{A,b}'), (2, NULL, '', NULL), (3, '', NULL, '{}');

CREATE TABLE t_all (
  id bigint PRIMARY KEY, m mood, y year, a integer[], v tsvector, q tsquery, i interval, n inet, ci cidr, ma macaddr,
  m8 macaddr8, mo money, x xml, b bit(3), vb varbit, u uuid, j json, jb jsonb, p point, l line, s lseg, bx box, pa path,
  po polygon, c circle, r int4range, mr datemultirange, o oid, ad address, ct citext, h hstore
);
INSERT INTO t_all VALUES (1, 'ok', 2001, '{{1,NULL},{3,4}}', 'x:1', 'x', '1 hour', '::1', '::/0', '01:02:03:04:05:06',
  '01:02:03:04:05:06:07:08', '1.5', '<x/>', B'101', B'11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '[1, 2]', '{"a": 1}',
  '(1,2)', '{1,2,3}', '[(1,2),(3,4)]', '(1,1),(0,0)', '((1,1),(2,2))', '((0,0),(0,1),(1,1))', '<(1,2),3>', '[1,2]',
  '{[2024-01-01,2024-01-05)}', 42, ROW('s', 1, '{}'), 'Ci', 'k=>v');
INSERT INTO t_all (id) VALUES (2);

-- A text key: copied by the row path (keyset chunks read and written as values), not the pass-through path.
CREATE TABLE t_textkey (k text PRIMARY KEY, a integer[], r numrange, i interval, p point, name text COLLATE "C", e mood);
INSERT INTO t_textkey SELECT 'k' || g, ARRAY[g, NULL], numrange(g, g + 0.5), g * interval '1 minute', point(g, -g), 'Ä' || g, 'ok' FROM generate_series(1, 45) g;
CREATE TABLE t_ident_text (k text PRIMARY KEY, n integer GENERATED ALWAYS AS IDENTITY);
INSERT INTO t_ident_text (k) VALUES ('a'), ('b');
CREATE TABLE t_booking (id integer PRIMARY KEY, during tstzrange, EXCLUDE USING gist (during WITH &&));
INSERT INTO t_booking VALUES (1, '[2024-01-01,2024-01-02)'), (2, '[2024-01-02,2024-01-03)');

-- No key: copied whole, ordered by every column's text.
CREATE TABLE t_nokey (a integer[], p point, x xml, r int4range);
INSERT INTO t_nokey VALUES ('{1}', '(1,1)', '<a/>', '[1,2)'), ('{1}', '(1,1)', '<a/>', '[1,2)'), (NULL, NULL, NULL, NULL);

-- Defaults as expressions, identities, serials, a sequence no column owns, CHECK, UNIQUE, foreign key actions.
CREATE SEQUENCE shared_seq START WITH 100 INCREMENT BY 5;
SELECT nextval('shared_seq'), nextval('shared_seq');
CREATE TABLE t_defaults (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  s serial,
  created timestamptz NOT NULL DEFAULT now(),
  stamp timestamp DEFAULT CURRENT_TIMESTAMP,
  n integer DEFAULT nextval('shared_seq'),
  label text DEFAULT 'it''s' || 'x',
  m mood DEFAULT 'ok',
  tags text[] DEFAULT '{}',
  price numeric(8,2) CONSTRAINT price_positive CHECK (price > 0),
  code text CONSTRAINT code_unique UNIQUE,
  total integer GENERATED ALWAYS AS (s * 2) STORED,
  CONSTRAINT code_or_price CHECK (code IS NOT NULL OR price IS NOT NULL)
);
INSERT INTO t_defaults (price, code) SELECT g, 'c' || g FROM generate_series(1, 25) g;
CREATE TABLE t_child (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  parent bigint REFERENCES t_defaults (id) ON DELETE CASCADE ON UPDATE RESTRICT,
  other bigint, FOREIGN KEY (other) REFERENCES t_defaults (id) MATCH FULL ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED);
INSERT INTO t_child (parent, other) VALUES (1, 2), (3, NULL);

-- Secondary indexes: multi-column, unique, partial, expression; comments; views after the tables.
CREATE INDEX t_defaults_label_created ON t_defaults (label, created DESC);
CREATE UNIQUE INDEX t_defaults_n_unique ON t_defaults (n);
CREATE INDEX t_defaults_cheap ON t_defaults (price) WHERE price < 10;
CREATE INDEX t_defaults_lower_code ON t_defaults (lower(code));
CREATE INDEX t_array_gin ON t_array USING gin (a);
COMMENT ON TABLE t_defaults IS 'defaults, checks and identities';
COMMENT ON COLUMN t_defaults.price IS 'in euros';
CREATE VIEW v_cheap AS SELECT id, code, price FROM t_defaults WHERE price < 10;
CREATE VIEW v_cheap_codes AS SELECT code FROM v_cheap;
CREATE MATERIALIZED VIEW mv_counts AS SELECT m, count(*) AS n FROM t_enum GROUP BY m;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.label := 'touched'; RETURN NEW; END $$;
CREATE TRIGGER t_defaults_touch BEFORE UPDATE ON t_defaults FOR EACH ROW EXECUTE FUNCTION touch();

-- Declarative partitioning (two levels) and inheritance: every row exactly once.
CREATE TABLE t_parted (id integer, at date NOT NULL, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE t_parted_2023 PARTITION OF t_parted FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE t_parted_2024 PARTITION OF t_parted FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (at);
CREATE TABLE t_parted_2024_a PARTITION OF t_parted_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-03-01');
CREATE TABLE t_parted_2024_rest PARTITION OF t_parted_2024 DEFAULT;
INSERT INTO t_parted SELECT g, date '2023-06-01' + g * 3, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END FROM generate_series(1, 150) g;
CREATE TABLE t_animal (id integer PRIMARY KEY, name text);
CREATE TABLE t_dog (id integer PRIMARY KEY, breed text) INHERITS (t_animal);
INSERT INTO t_animal VALUES (1, 'cat'), (2, 'cow');
INSERT INTO t_dog VALUES (3, 'rex', 'collie'), (4, 'fido', NULL);
ANALYZE;
`;

/** MariaDB's native zoo: a table per type family, a generated column, indexes, AUTO_INCREMENT, views, routines, a trigger, a sequence, a system-versioned table, an event. */
export const MARIA_NATIVE_TABLES: Record<string, string> = {
  sets: `CREATE TABLE sets (
    id INT PRIMARY KEY,
    s SET('read','write','admin') NOT NULL DEFAULT 'read',
    e ENUM('small','medium','large') NULL,
    name VARCHAR(40) CHARACTER SET latin1 COLLATE latin1_swedish_ci
  )`,
  bits: `CREATE TABLE bits (
    id BIGINT UNSIGNED PRIMARY KEY,
    b8 BIT(8), b1 BIT(1), b64 BIT(64) NOT NULL DEFAULT b'101',
    y YEAR, ti TINYINT UNSIGNED, si SMALLINT UNSIGNED, mi MEDIUMINT UNSIGNED, i INT UNSIGNED, bi BIGINT UNSIGNED,
    flag TINYINT(1), f FLOAT, d DOUBLE, amount DECIMAL(12,3) UNSIGNED
  )`,
  shapes: `CREATE TABLE shapes (
    id INT PRIMARY KEY,
    g GEOMETRY, p POINT NOT NULL, l LINESTRING, pg POLYGON, mp MULTIPOINT, gc GEOMETRYCOLLECTION,
    SPATIAL INDEX shapes_p (p)
  )`,
  nets: `CREATE TABLE nets (id INT PRIMARY KEY, v4 INET4, v6 INET6, u UUID, UNIQUE KEY nets_u (u))`,
  docs: `CREATE TABLE docs (id INT PRIMARY KEY, doc JSON, note TEXT, CONSTRAINT docs_id_positive CHECK (id > 0), FULLTEXT KEY docs_note (note))`,
  // Values a strict reading would refuse: zero dates, TIME past a day, ZEROFILL, a binary-collated key.
  odd: `CREATE TABLE odd (
    id VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY,
    dt DATETIME, d DATE, t TIME(2), z INT(6) UNSIGNED ZEROFILL, ts TIMESTAMP(6) NULL, bin VARBINARY(8), mt MEDIUMTEXT CHARACTER SET utf8mb3
  )`,
  // Keys of types only MariaDB has (walked in the server's order).
  ipkeyed: `CREATE TABLE ipkeyed (id INET6 PRIMARY KEY, n INT)`,
  bitkeyed: `CREATE TABLE bitkeyed (id BIT(16) PRIMARY KEY, s SET('p','q') NOT NULL)`,
  // No key: copied whole through the row path (read, then LOAD DATA), not the server-rendered text.
  loose: `CREATE TABLE loose (id INT, b BIT(12), s SET('x','y'), g GEOMETRY, v6 INET6, y YEAR, u BIGINT UNSIGNED, f FLOAT, t TEXT, dt DATETIME, d DATE, flag TINYINT(1), b1 BIT(1))`,
  items: `CREATE TABLE items (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    price DECIMAL(10,2) NOT NULL,
    qty INT NOT NULL CHECK (qty >= 0),
    total DECIMAL(12,2) AS (price * qty) STORED,
    label VARCHAR(60) AS (CONCAT('item-', id)) VIRTUAL,
    created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated DATETIME(3) NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP(3),
    code VARCHAR(200),
    KEY items_qty_code (qty, code(20))
  ) COMMENT 'priced items'`,
  // Foreign keys with their actions (each kind once), to a primary and to a unique key; comments on a table and a column.
  owners: `CREATE TABLE owners (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL COMMENT 'short code, unique', UNIQUE KEY owners_code (code)) COMMENT 'who owns the pets'`,
  pets: `CREATE TABLE pets (
    id INT PRIMARY KEY, owner_id INT NULL, owner_code VARCHAR(10) NULL,
    CONSTRAINT pets_owner FOREIGN KEY (owner_id) REFERENCES owners (id) ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT pets_owner_code FOREIGN KEY (owner_code) REFERENCES owners (code) ON DELETE CASCADE ON UPDATE RESTRICT
  )`,
};

export const MARIA_NATIVE_ROWS = [
  `INSERT INTO sets VALUES (1, 'read,admin', 'large', 'Åsa'), (2, '', NULL, NULL), (3, 'read,write,admin', 'small', 'tab\there')`,
  `INSERT INTO bits VALUES
    (1, b'10100101', b'1', b'1111111111111111111111111111111111111111111111111111111111111111', 1901, 255, 65535, 16777215, 4294967295, 18446744073709551615, 7, 3.40282e38, 0.1, 999999999.999),
    (2, NULL, b'0', b'0', 2155, 0, 0, 0, 0, 0, 0, -1.5e-30, -2.2250738585072014e-308, 0),
    (18446744073709551615, b'0', NULL, DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `INSERT INTO shapes VALUES
    (1, ST_GeomFromText('POINT(1 2)', 4326), ST_GeomFromText('POINT(-71.0589 42.3601)', 4326), ST_GeomFromText('LINESTRING(0 0,1 1,2 0.5)'),
        ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2))'), ST_GeomFromText('MULTIPOINT(1 1,2 2)'),
        ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))')),
    (2, NULL, ST_GeomFromText('POINT(0.1 0.2)'), NULL, NULL, NULL, NULL)`,
  `INSERT INTO nets VALUES (1, '192.168.0.1', '2001:db8::ff00:42:8329', 'f47ac10b-58cc-4372-a567-0e02b2c3d479'), (2, '0.0.0.0', '::ffff:10.0.0.1', NULL), (3, NULL, NULL, '00000000-0000-0000-0000-000000000000')`,
  `INSERT INTO docs VALUES (1, '{"a": [1, 2.50, "x"], "b": null}', 'back\\\\slash\\nnewline'), (2, '[]', ''), (3, NULL, NULL)`,
  `INSERT INTO odd VALUES ('a', '0000-00-00 00:00:00', '2024-00-00', '-838:59:59.00', 42, '2038-01-19 03:14:07.999999', 0x00FF7F80, 'ü€'),
    ('A', '9999-12-31 23:59:59', '0000-00-00', '838:59:59.99', 0, NULL, '', ''), ('b ', NULL, NULL, '00:00:00.01', 4294967295, '1970-01-01 00:00:01', NULL, NULL)`,
  `INSERT INTO ipkeyed VALUES ('::1', 1), ('::ffff:1.2.3.4', 2), ('2001:db8::1', 3), ('fe80::1', 4), ('::', 5), ('ff02::2', 6), ('10::', 7)`,
  `INSERT INTO bitkeyed VALUES (b'0', 'p'), (b'1', ''), (b'10', 'q'), (b'1111111111111111', 'p,q'), (b'100000000', 'p'), (b'11', 'q'), (b'111', 'p')`,
  `INSERT INTO loose VALUES (1, b'111100001111', 'x,y', ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 3857), 'fe80::1', 1999, 18446744073709551615, 1.17549e-38, 'a\tb', '0000-00-00 00:00:00', '2024-00-00', 7, b'1'),
    (2, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (3, b'0', 'y', ST_GeomFromText('POINT(3 4)'), '::', 2000, 0, 0.3, '\\N', '2024-02-29 12:00:00', '0000-00-00', -128, b'0')`,
  `INSERT INTO items (id, price, qty, created, updated, code) VALUES
    (1, 9.99, 3, '2024-01-02 03:04:05', '2024-05-06 07:08:09.123', 'A-1'), (5, 0.50, 10, '2001-01-01 00:00:00', NULL, NULL),
    (40, 100.00, 1, '2030-12-31 23:59:59', '2030-12-31 23:59:59.999', REPEAT('x', 200)), (100, 1, 1, DEFAULT, DEFAULT, 'gone')`,
  // The counter stays past a deleted row (101), as the source's own.
  'DELETE FROM items WHERE id = 100',
  `INSERT INTO owners VALUES (1, 'ann'), (2, 'bo'), (3, 'cy')`,
  `INSERT INTO pets VALUES (1, 1, 'ann'), (2, 1, 'bo'), (3, 2, 'bo'), (4, NULL, 'cy'), (5, 3, NULL)`,
  // Views, one reading another (created after the data, in the target's database).
  'CREATE VIEW v_totals AS SELECT id, total, label FROM items WHERE qty > 0 WITH CHECK OPTION',
  'CREATE VIEW a_sum AS SELECT COUNT(*) AS n, SUM(total) AS s FROM v_totals',
  // A function a trigger calls, and the trigger (made after the data: the copy does not fire it).
  `CREATE FUNCTION auto_code(q INT) RETURNS VARCHAR(20) DETERMINISTIC RETURN CONCAT('auto-', q)`,
  `CREATE TRIGGER items_code BEFORE INSERT ON items FOR EACH ROW BEGIN
     IF NEW.code IS NULL THEN SET NEW.code = auto_code(NEW.qty); END IF;
   END`,
  `CREATE PROCEDURE add_item(IN p DECIMAL(10,2)) MODIFIES SQL DATA INSERT INTO items (price, qty) VALUES (p, 1)`,
  // A body that reads as its sql_mode says: || is CONCAT under PIPES_AS_CONCAT, OR otherwise.
  `SET STATEMENT sql_mode = 'PIPES_AS_CONCAT' FOR CREATE FUNCTION joined(a VARCHAR(10), b VARCHAR(10)) RETURNS VARCHAR(20) DETERMINISTIC RETURN a || b`,
  // A sequence (advanced past its start) a column's default takes values from, and a system-versioned table with history.
  'CREATE SEQUENCE ticket START WITH 100 INCREMENT BY 5 CACHE 10',
  'SELECT NEXT VALUE FOR ticket',
  'CREATE TABLE tickets (id INT PRIMARY KEY DEFAULT (NEXT VALUE FOR ticket), note VARCHAR(10))',
  "INSERT INTO tickets (note) VALUES ('first'), ('second')",
  'CREATE TABLE prices (id INT PRIMARY KEY, amount DECIMAL(10,2)) WITH SYSTEM VERSIONING',
  'INSERT INTO prices VALUES (1, 1.00), (2, 2.00)',
  'UPDATE prices SET amount = 1.50 WHERE id = 1',
  // An event, made in another time zone than the target's sessions (its STARTS is in that zone).
  `SET STATEMENT time_zone = '+05:00' FOR CREATE EVENT purge_empty ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' DISABLE COMMENT 'nightly' DO DELETE FROM items WHERE qty = 0`,
];

/** SQLite's native zoo: declared types as written (none too), values of every storage class, defaults, AUTOINCREMENT, CHECK, UNIQUE, foreign keys, partial and expression indexes, a view, a trigger. */
export const SQLITE_NATIVE_DDL = `
CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE, children INTEGER NOT NULL DEFAULT 0);
CREATE TABLE kinds (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  i INTEGER,
  r REAL,
  n NUMERIC(10,2),
  t TEXT,
  b BLOB,
  u,
  flag BOOLEAN DEFAULT (1 = 1),
  made DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  label VARCHAR(20) DEFAULT 'none',
  score INTEGER CHECK (score >= 0),
  twice INTEGER GENERATED ALWAYS AS (score * 2) VIRTUAL,
  parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE ON UPDATE SET NULL,
  CONSTRAINT one_label_per_parent UNIQUE (parent_id, label)
);
CREATE INDEX kinds_high_scores ON kinds (score) WHERE score > 10;
CREATE INDEX kinds_lower_label ON kinds (lower(label), score DESC);
CREATE VIEW high_scores AS SELECT k.id, k.score, p.name FROM kinds k JOIN parent p ON p.id = k.parent_id WHERE k.score > 10;
CREATE TRIGGER kinds_count AFTER INSERT ON kinds BEGIN UPDATE parent SET children = children + 1 WHERE id = new.parent_id; END;
`;

/** Each row: i, r, n, t, b, u, flag, label, score, parent_id (id and made take their defaults). */
export const SQLITE_NATIVE_ROWS: unknown[][] = [
  [1n, 1.5, '12.50', 'plain', Buffer.from([0, 255, 1]), 7n, 1n, 'a', 1n, 1n],
  // TEXT in an INTEGER column, a REAL in one, a REAL with every bit set, BLOB and TEXT in the untyped column.
  ['not a number', 0.1 + 0.2, '1e400', 'ünïcödé ✓', Buffer.alloc(0), 'text in an untyped column', 0n, 'b', 20n, 1n],
  // A BLOB in the TEXT column (bytes that are not UTF-8), a REAL in the INTEGER one.
  [3.75, 1e308, 7n, Buffer.from([0xca, 0xfe]), Buffer.from('bytes'), Buffer.from([0xde, 0xad]), 7n, 'c', 30n, 2n],
  [9223372036854775807n, -0.0, 3.25, '  spaces  ', null, 1.0, null, null, null, null],
  [-9223372036854775808n, 5e-324, 'abc', '123', Buffer.from([0]), 42.5, '2024-01-01', 'e', 11n, 2n],
];

/** Creates SQLite's native zoo in `file`: its tables, index, view and trigger, its rows, the AUTOINCREMENT counter past a deleted row. */
export function fillSqliteNative(file: string): void {
  const db = new Database(file);
  try {
    db.exec(SQLITE_NATIVE_DDL);
    db.prepare("INSERT INTO parent (id, name) VALUES (1, 'one'), (2, 'two'), (3, 'three')").run();
    const insert = db.prepare('INSERT INTO kinds (i, r, n, t, b, u, flag, label, score, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const row of SQLITE_NATIVE_ROWS) insert.run(...row);
    // A deleted last row leaves the AUTOINCREMENT counter past the highest id.
    db.prepare('INSERT INTO kinds (label) VALUES (?)').run('gone');
    db.prepare("DELETE FROM kinds WHERE label = 'gone'").run();
  } finally {
    db.close();
  }
}
