/**
 * The PostgreSQL types the type zoo (test/helpers/zoo.ts) does not hold, across dialects, through the whole workflow
 * on a real Temporal dev server: multiranges, the other ranges (numeric, timestamp, timestamptz, date, int8, open
 * bounds), macaddr8, tsquery, the geometric types (line, lseg, box, open and closed path, polygon, circle), oid,
 * regclass, regtype, pg_lsn, timetz, "char", name, and the extension types citext and hstore, migrated to MariaDB and to
 * SQLite. Each run completes and validates; every value on the target is the source's own text (its bytes for bytea),
 * compared by this test's queries; and one changed value per type family on the target is caught by the semantic tier,
 * which names its row.
 */
import Database from 'better-sqlite3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { expectChangesCaught, migrateHeldOpen } from '../helpers/caught';
import { createTempDatabase, mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { createTestEnv, startHarness, type MigrationHarness } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let source: TempDatabase;
const targets: TempDatabase[] = [];

const ROWS = 6;
/** The columns compared as their PostgreSQL text (everything but the key and the bytes). */
const TEXT_COLUMNS = ['mr', 'dmr', 'm8', 'q', 'ln', 'ls', 'bx', 'pa', 'pc', 'pg', 'ci', 'o', 'rc', 'rt', 'lsn', 'ct', 'hs', 'nr', 'tr', 'tzr', 'dr', 'x8', 'tt', 'ch', 'nm'];

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  source = await createTempDatabase('postgresql');
  await pgRows(
    source.endpoint,
    `CREATE EXTENSION IF NOT EXISTS citext; CREATE EXTENSION IF NOT EXISTS hstore;
     ALTER DATABASE ${source.name} SET timezone TO 'UTC';
     CREATE TABLE exotic (
       id int PRIMARY KEY, mr int4multirange, dmr datemultirange, m8 macaddr8, q tsquery,
       ln line, ls lseg, bx box, pa path, pc path, pg polygon, ci circle,
       o oid, rc regclass, rt regtype, lsn pg_lsn, ct citext, hs hstore,
       nr numrange, tr tsrange, tzr tstzrange, dr daterange, x8 int8range, tt timetz, ch "char", nm name, by bytea);
     INSERT INTO exotic SELECT i,
       int4multirange(int4range(i, i + 2), int4range(i + 5, i + 9)), datemultirange(daterange('2024-01-01'::date + i, '2024-02-01'::date + i), daterange('2025-01-01', NULL)),
       ('08:00:2b:01:02:03:04:' || lpad(to_hex(i), 2, '0'))::macaddr8, to_tsquery('simple', 'fat:AB & !(rat:* | cat' || i || ') <-> mouse'),
       line(point(0, i), point(1, i + 1.5)), lseg(point(0, 0), point(i, -i)), box(point(0, 0), point(i, i * 0.25)),
       ('[(0,0),(' || i || ',1),(2,' || i || ')]')::path, ('((0,0),(' || i || ',1),(2,' || i || '))')::path,
       ('((0,0),(' || i || ',0),(0,' || i || '))')::polygon, circle(point(i, -i), i + 0.5),
       (4000000000 + i)::oid, 'pg_class'::regclass, 'double precision'::regtype, ('16/B374D8' || lpad(to_hex(i), 2, '0'))::pg_lsn,
       'MiXeD Case ' || i, ('a=>' || i || ', "b c"=>NULL, "quo\\"te"=>"x,y"')::hstore,
       numrange(i / 3.0, i * 1.25, '[]'), tsrange('2024-01-01 00:00'::timestamp + i * interval '90 minutes', NULL),
       tstzrange('2024-01-01 00:00+02'::timestamptz, 'infinity'), CASE WHEN i % 2 = 0 THEN 'empty'::daterange ELSE daterange(NULL, '2024-05-05'::date + i) END,
       int8range(i * 10000000000, NULL), ('12:34:56.789+0' || (i % 9))::timetz, chr(65 + i)::"char", 'name_' || i,
       decode(md5(i::text), 'hex') || '\\x00ff'::bytea
     FROM generate_series(1, ${ROWS - 1}) i;
     INSERT INTO exotic (id) VALUES (100);
     ANALYZE exotic`,
  );
}, 120_000);

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  await Promise.allSettled([source?.drop(), ...targets.map((t) => t.drop())]);
});

/** The source's rows: every column as its text, the bytes as hex, per id. */
async function sourceRows(): Promise<Record<string, unknown>[]> {
  const columns = TEXT_COLUMNS.map((c) => `${c}::text AS ${c}`).join(', ');
  return pgRows(source.endpoint, `SELECT id, ${columns}, encode(by, 'hex') AS by FROM exotic ORDER BY id`) as Promise<Record<string, unknown>[]>;
}

function expectSameRows(target: Record<string, unknown>[], expected: Record<string, unknown>[]) {
  expect(target).toHaveLength(ROWS);
  expect(target.map((r) => ({ ...r, id: Number(r.id) }))).toEqual(expected);
}

/** One changed value per type family: multiranges and ranges, geometry, network and search, catalogue types, extension types. */
const CHANGES = {
  1: `mr = '{[1,3),[6,11)}'`,
  2: `pc = '((0,0),(2,1),(2,2.000001))'`,
  3: `q = '''fat'':AB & !( ''rat'':* | ''cat3'' ) <-> ''mice'''`,
  4: `lsn = '16/B374D805'`,
  5: `ct = 'mixed case 5'`,
};

test('PostgreSQL → MariaDB: every value as the source writes it; validation passes; a changed value per family is caught', async () => {
  const target = await createTempDatabase('mysql');
  targets.push(target);
  const run = await migrateHeldOpen(h, source, target, 2);
  expect(run.gated).toBe(true);
  expect(run.mapping('q')).toMatchObject({ targetType: 'LONGTEXT', confidence: 0.5 });
  expect(run.mapping('hs').note).toBe('hstore stored as its PostgreSQL text');
  const columns = TEXT_COLUMNS.join(', ');
  const rows = await mariadbRows(target.endpoint, `SELECT id, ${columns}, LOWER(HEX(\`by\`)) AS \`by\` FROM exotic ORDER BY id`);
  expectSameRows(rows, await sourceRows());
  await expectChangesCaught(run.handle, (sql) => mariadbRows(target.endpoint, sql), CHANGES, 'exotic');
}, 600_000);

test('PostgreSQL → SQLite: every value as the source writes it; validation passes; a changed value per family is caught', async () => {
  const target = await createTempDatabase('sqlite');
  targets.push(target);
  const run = await migrateHeldOpen(h, source, target, 2);
  expect(run.mapping('mr')).toMatchObject({ targetType: 'TEXT', confidence: 0.7 });
  const columns = TEXT_COLUMNS.join(', ');
  const db = new Database(target.endpoint.connectionString, { readonly: true });
  let rows: Record<string, unknown>[];
  try {
    rows = db.prepare(`SELECT id, ${columns}, CASE WHEN "by" IS NOT NULL THEN lower(hex("by")) END AS "by" FROM exotic ORDER BY id`).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
  expectSameRows(rows, await sourceRows());
  await expectChangesCaught(
    run.handle,
    async (sql) => {
      const rw = new Database(target.endpoint.connectionString);
      try {
        rw.prepare(sql).run();
      } finally {
        rw.close();
      }
    },
    CHANGES,
    'exotic',
  );
}, 600_000);
