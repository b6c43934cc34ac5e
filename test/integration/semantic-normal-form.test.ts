/**
 * The semantic tier's SQL normal form is the same text in PostgreSQL and MariaDB for the same canonical
 * values, however each side stores them (numeric(10,2) against DECIMAL(12,4), boolean against TINYINT(1),
 * timestamptz against DATETIME(6) in UTC, padded CHAR, upper-case UUID text), and so are the range digests.
 */
import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { openSession, type SqlSession } from '../../activities/validation';
import { digestSessionSql, rangeDigestSql, rangeDigestsSql, rangeNormalFormsSql, type DigestColumn, type DigestTable } from '../../lib/validation/digest';
import type { Place } from '../../lib/validation/sql';
import type { CanonicalType } from '../../lib/types';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';

let pg: TempDatabase;
let my: TempDatabase;
let ps: SqlSession;
let ms: SqlSession;
const pp: Place = { dialect: 'postgresql', schema: 'public' };
let mp: Place;

const PG_DDL = `CREATE TABLE nf (
  id integer PRIMARY KEY, d numeric(10,2), ts timestamp(6), tstz timestamptz(6), b boolean, t text, v varchar(20),
  c character(5), bin bytea, dt date, tm time(6), u uuid, e timestamptz(6))`;
const MY_DDL = `CREATE TABLE nf (
  id int PRIMARY KEY, d decimal(12,4), ts datetime(6), tstz datetime(6), b tinyint(1), t text, v varchar(20),
  c char(5), bin varbinary(16), dt date, tm time(6), u char(36), e timestamp(6) NULL) DEFAULT CHARSET=utf8mb4`;

/** Column meaning (the source's canonical type) with each side's native type. */
const COLUMNS: { name: string; type: CanonicalType; pg: string; my: string }[] = [
  { name: 'id', type: { kind: 'int32' }, pg: 'integer', my: 'INT' },
  { name: 'd', type: { kind: 'decimal', precision: 10, scale: 2 }, pg: 'numeric(10,2)', my: 'DECIMAL(12,4)' },
  { name: 'ts', type: { kind: 'timestamp', precision: 6 }, pg: 'timestamp(6) without time zone', my: 'DATETIME(6)' },
  { name: 'tstz', type: { kind: 'timestamptz', precision: 6 }, pg: 'timestamp(6) with time zone', my: 'DATETIME(6)' },
  { name: 'b', type: { kind: 'boolean' }, pg: 'boolean', my: 'TINYINT(1)' },
  { name: 't', type: { kind: 'text' }, pg: 'text', my: 'TEXT' },
  { name: 'v', type: { kind: 'varchar', length: 20 }, pg: 'character varying(20)', my: 'VARCHAR(20)' },
  { name: 'c', type: { kind: 'char', length: 5 }, pg: 'character(5)', my: 'CHAR(5)' },
  { name: 'bin', type: { kind: 'binary' }, pg: 'bytea', my: 'VARBINARY(16)' },
  { name: 'dt', type: { kind: 'date' }, pg: 'date', my: 'DATE' },
  { name: 'tm', type: { kind: 'time', precision: 6 }, pg: 'time(6) without time zone', my: 'TIME(6)' },
  { name: 'u', type: { kind: 'uuid' }, pg: 'uuid', my: 'CHAR(36)' },
  // A text column on the source whose values the target keeps as MariaDB TIMESTAMP would not be mapped
  // that way; `e` only checks that a MariaDB TIMESTAMP prints in UTC like a timestamptz in PostgreSQL.
  { name: 'e', type: { kind: 'timestamptz', precision: 6 }, pg: 'timestamp with time zone', my: 'TIMESTAMP(6)' },
];

const side = (which: 'pg' | 'my'): DigestTable => ({
  table: 'nf',
  key: ['id'],
  columns: COLUMNS.map((c): DigestColumn => ({ name: c.name, type: c.type, native: c[which] })),
});

// Same canonical values, spelled the way each side stores them.
const PG_ROWS = [
  `(1, 1.50, '2020-01-02 03:04:05.000006', '2020-01-02 05:04:05.123456+02', true, 'héllo 🌍 ✓', '', 'ab   ', '\\x00ff', '2020-02-29', '23:59:59.999999', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2021-06-01 12:00:00.5+00')`,
  `(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `(3, 100.00, '2020-01-01 00:00:00', '2019-12-31 19:00:00-05', false, '', '~', '', '\\x', '1999-12-31', '00:00:00', NULL, NULL)`,
  `(4, -0.01, '1970-01-01 00:00:00.1', '1970-01-01 00:00:00.000001+00', true, 'a|b' || chr(10) || 'c', 'x y ', 'é', '\\xdeadbeef', '0001-01-01', '12:30:00.25', NULL, NULL)`,
  `(5, 0, '2038-01-19 03:14:08', '2038-01-19 03:14:08+00', false, '2:ab|', 'NULL', 'a b', NULL, '2000-01-01', '01:02:03', NULL, NULL)`,
];
const MY_ROWS = [
  `(1, 1.5, '2020-01-02 03:04:05.000006', '2020-01-02 03:04:05.123456', 1, 'héllo 🌍 ✓', '', 'ab', X'00FF', '2020-02-29', '23:59:59.999999', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '2021-06-01 12:00:00.5')`,
  `(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `(3, 100, '2020-01-01 00:00:00', '2020-01-01 00:00:00', 0, '', '~', '', X'', '1999-12-31', '00:00:00', NULL, NULL)`,
  `(4, -0.0100, '1970-01-01 00:00:00.1', '1970-01-01 00:00:00.000001', 1, CONCAT('a|b', CHAR(10), 'c'), 'x y ', 'é', X'DEADBEEF', '0001-01-01', '12:30:00.25', NULL, NULL)`,
  `(5, 0.0000, '2038-01-19 03:14:08', '2038-01-19 03:14:08', 0, '2:ab|', 'NULL', 'a b', NULL, '2000-01-01', '01:02:03', NULL, NULL)`,
];

beforeAll(async () => {
  pg = await createTempDatabase('postgresql');
  my = await createTempDatabase('mysql');
  mp = { dialect: 'mysql', schema: my.name };
  const c = new Client({ connectionString: pg.endpoint.connectionString });
  await c.connect();
  await c.query(PG_DDL);
  await c.query(`INSERT INTO nf VALUES ${PG_ROWS.join(', ')}`);
  await c.end();
  const m = await mysql.createConnection({ uri: my.endpoint.connectionString, charset: 'utf8mb4' });
  await m.query("SET time_zone = '+00:00'");
  await m.query(MY_DDL);
  await m.query(`INSERT INTO nf VALUES ${MY_ROWS.join(', ')}`);
  await m.end();
  ps = await openSession(pg.endpoint);
  ms = await openSession(my.endpoint);
  for (const sql of digestSessionSql(pp)) await ps.rows(sql);
  for (const sql of digestSessionSql(mp)) await ms.rows(sql);
});

afterAll(async () => {
  await ps?.close();
  await ms?.close();
  await pg?.drop();
  await my?.drop();
});

async function forms(): Promise<[string[], string[]]> {
  const a = (await ps.rows(rangeNormalFormsSql(pp, side('pg'), 0n, 100n))).map((r) => String(r[0]));
  const b = (await ms.rows(rangeNormalFormsSql(mp, side('my'), 0n, 100n))).map((r) => String(r[0]));
  return [a, b];
}

test('tricky values render to the same normal form in PostgreSQL and MariaDB', async () => {
  const [a, b] = await forms();
  expect(a).toHaveLength(5);
  expect(b).toEqual(a);
  // What the form looks like (documented in lib/validation/digest.ts).
  expect(a[0]).toBe(
    '1|1.5|2020-01-02 03:04:05.000006|2020-01-02 03:04:05.123456|1|15:héllo 🌍 ✓|0:|2:ab|00ff|2020-02-29|23:59:59.999999|' +
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|2021-06-01 12:00:00.500000',
  );
  expect(a[1]).toBe('2|~|~|~|~|~|~|~|~|~|~|~|~');
  // Empty text is not NULL, '~' text is not NULL, an empty binary is not NULL.
  expect(a[2]).toBe('3|100|2020-01-01 00:00:00.000000|2020-01-01 00:00:00.000000|0|0:|1:~|0:||1999-12-31|00:00:00.000000|~|~');
  expect(a[3]).toContain('|-0.01|');
  expect(a[3]).toContain(`|5:a|b\nc|4:x y |2:é|deadbeef|`);
  expect(a[4]).toContain('|0|');
});

test('range digests agree on equal data and differ on one changed value', async () => {
  const digests = async () =>
    Promise.all([ps.rows(rangeDigestsSql(pp, side('pg'), 0n, 100n, 2n)), ms.rows(rangeDigestsSql(mp, side('my'), 0n, 100n, 2n))]).then(([x, y]) =>
      [x, y].map((rows) => rows.map((r) => `${String(r[0])}:${String(r[1])}:${String(r[2])}`).sort()),
    );
  const [a, b] = await digests();
  expect(a).toEqual(['0:1:' + a[0].split(':')[2], expect.stringMatching(/^1:2:[0-9a-f]{32}$/), expect.stringMatching(/^2:2:[0-9a-f]{32}$/)]);
  expect(b).toEqual(a);
  // The ungrouped form of one range (MariaDB's per-range query) gives the same digest as the grouped one.
  for (const [session, place, which] of [[ps, pp, 'pg'], [ms, mp, 'my']] as const) {
    const [single] = await session.rows(rangeDigestSql(place, side(which), 2n, 4n));
    expect(`1:${String(single[0])}:${String(single[1])}`).toBe(a[1]);
  }

  // Rows hashed (the form of a pair with Oracle, whose LISTAGG holds 4,000 bytes): md5 over the rows' md5s, equal
  // on both sides, and not the digest of the rows themselves.
  const hashed = await Promise.all([ps.rows(rangeDigestsSql(pp, side('pg'), 0n, 100n, 2n, true)), ms.rows(rangeDigestsSql(mp, side('my'), 0n, 100n, 2n, true))]).then(([x, y]) =>
    [x, y].map((rows) => rows.map((r) => `${String(r[0])}:${String(r[1])}:${String(r[2])}`).sort()),
  );
  expect(hashed[1]).toEqual(hashed[0]);
  expect(hashed[0]).toHaveLength(3);
  expect(hashed[0].filter((x) => a.includes(x))).toEqual([]);
  const [forms] = await Promise.all([ps.rows(rangeNormalFormsSql(pp, side('pg'), 2n, 4n))]);
  const md5 = (x: string) => createHash('md5').update(x, 'utf8').digest('hex');
  expect(hashed[0][1]).toBe(`1:2:${md5(forms.map((r) => md5(String(r[0]))).join('\n'))}`);

  // One microsecond, one trailing space inside a VARCHAR, one boolean: each changes the digest of its range.
  for (const change of [
    `UPDATE nf SET ts = '2020-01-02 03:04:05.000007' WHERE id = 1`,
    `UPDATE nf SET v = 'x y' WHERE id = 4`,
    `UPDATE nf SET b = 1 WHERE id = 5`,
  ]) {
    const m = await mysql.createConnection({ uri: my.endpoint.connectionString });
    for (const sql of digestSessionSql(mp)) await m.query(sql);
    await m.query('START TRANSACTION');
    await m.query(change);
    const [rows] = await m.query({ sql: rangeDigestsSql(mp, side('my'), 0n, 100n, 2n), rowsAsArray: true });
    await m.query('ROLLBACK');
    await m.end();
    const changed = (rows as unknown[][]).map((r) => `${String(r[0])}:${String(r[1])}:${String(r[2])}`).sort();
    expect(changed).not.toEqual(a);
    expect(changed.filter((x) => !a.includes(x))).toHaveLength(1);
  }
});
