/**
 * The PostgreSQL types the type zoo (test/helpers/zoo.ts) does not hold, across dialects, through the HTTP API, a real
 * Temporal dev server and a worker process: multiranges, the other ranges (numeric, timestamp, timestamptz, date, int8, open
 * bounds), macaddr8, tsquery, the geometric types (line, lseg, box, open and closed path, polygon, circle), oid,
 * regclass, regtype, pg_lsn, timetz, "char", name, and the extension types citext and hstore, migrated to MariaDB and to
 * SQLite. Each run stops at the gate (lossy mappings), is approved, completes and validates; every value on the target
 * is the source's own text (its bytes for bytea), compared by this test's queries; and, one value changed per type
 * family on the target, a validation re-run (POST …/validation/rerun) fails with the semantic tier naming those rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { mariadbRows, pgRows, uniqueName, type TempDatabase } from '../helpers/databases';
import { apiCaller, createAndStart } from '../helpers/http';
import { stackSuite } from '../helpers/stack-suite';

const suite = stackSuite();
let source: TempDatabase;

const ROWS = 6;
/** The columns compared as their PostgreSQL text (everything but the key and the bytes). */
const TEXT_COLUMNS = ['mr', 'dmr', 'm8', 'q', 'ln', 'ls', 'bx', 'pa', 'pc', 'pg', 'ci', 'o', 'rc', 'rt', 'lsn', 'ct', 'hs', 'nr', 'tr', 'tzr', 'dr', 'x8', 'tt', 'ch', 'nm'];

beforeAll(async () => {
  source = await suite.database('postgresql');
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

/**
 * Migrates the source into `target` through the API (held open after it completes), approves it at its gate, expects
 * it completed and validated, and answers a function that changes one value per family with `change` and expects a
 * re-run to fail naming exactly those rows.
 */
async function migrate(target: TempDatabase) {
  const { api, poll } = apiCaller(suite.stack);
  const hold = { completed_hold_seconds: 600, failed_hold_seconds: 600 };
  const id = await createAndStart(api, { name: `exotic → ${target.endpoint.type}`, source, target, strategy: 'balanced', options: { chunk_size: 2, validation: hold } });
  const gate = await poll(id, (s) => s.status === 'awaiting_approval' || ['completed', 'failed', 'cancelled'].includes(s.status));
  expect(gate.status).toBe('awaiting_approval');
  expect((await api('POST', `/v1/migrations/${id}/approve`, {})).status).toBe(200);
  const done = await poll(id, (s) => s.status === 'completed' || s.status === 'failed', 240_000);
  expect(done.failure).toBeNull();
  expect(done.validation?.status).toBe('passed');
  const mappings = (await api('GET', `/v1/migrations/${id}/mappings?limit=100`)).body.data as { column: string; target_type: string; confidence: number; note: string | null }[];
  return {
    mapping: (column: string) => mappings.find((m) => m.column === column),
    async expectChangesCaught(change: (sql: string) => Promise<unknown>) {
      for (const [key, set] of Object.entries(CHANGES)) await change(`UPDATE exotic SET ${set} WHERE id = ${key}`);
      expect((await api('POST', `/v1/migrations/${id}/validation/rerun`, { reason: 'one value changed per type family' })).status).toBe(202);
      const failed = await poll(id, (s) => s.status === 'failed' && s.validation?.attempt === 2, 240_000);
      expect(failed.failure?.code).toBe('ValidationFailed');
      const semantic = (await api('GET', `/v1/migrations/${id}/validation/semantic`)).body as { findings: { check: string; key?: Record<string, unknown> }[] };
      const changed = semantic.findings.filter((f) => f.check === 'row_changed').map((f) => Number(Object.values(f.key ?? {})[0]));
      expect(changed.sort((a, b) => a - b)).toEqual(Object.keys(CHANGES).map(Number));
      await suite.stack.client.workflow.getHandle(id).terminate('test over');
    },
  };
}

test('PostgreSQL → MariaDB: every value as the source writes it; validation passes; a changed value per family is caught', async () => {
  const target = await suite.database('mysql');
  const run = await migrate(target);
  expect(run.mapping('q')).toMatchObject({ target_type: 'LONGTEXT', confidence: 0.5 });
  expect(run.mapping('hs')?.note).toBe('hstore stored as its PostgreSQL text');
  const columns = TEXT_COLUMNS.join(', ');
  const rows = await mariadbRows(target.endpoint, `SELECT id, ${columns}, LOWER(HEX(\`by\`)) AS \`by\` FROM exotic ORDER BY id`);
  expectSameRows(rows, await sourceRows());
  await run.expectChangesCaught((sql) => mariadbRows(target.endpoint, sql));
}, 600_000);

test('PostgreSQL → SQLite: every value as the source writes it; validation passes; a changed value per family is caught', async () => {
  // SQLite files the API may name live in the stack's SENSEI_SQLITE_DIR.
  const file = path.join(path.dirname(suite.stack.dataDir), `${uniqueName()}.sqlite`);
  const target: TempDatabase = { name: 'exotic', endpoint: { type: 'sqlite', connectionString: file, schema: 'main' }, drop: async () => fs.rmSync(file, { force: true }) };
  const run = await migrate(target);
  expect(run.mapping('mr')).toMatchObject({ target_type: 'TEXT', confidence: 0.7 });
  const columns = TEXT_COLUMNS.join(', ');
  const db = new Database(file, { readonly: true });
  let rows: Record<string, unknown>[];
  try {
    rows = db.prepare(`SELECT id, ${columns}, CASE WHEN "by" IS NOT NULL THEN lower(hex("by")) END AS "by" FROM exotic ORDER BY id`).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
  expectSameRows(rows, await sourceRows());
  await run.expectChangesCaught(async (sql) => {
    const rw = new Database(file);
    try {
      rw.prepare(sql).run();
    } finally {
      rw.close();
    }
  });
}, 600_000);
