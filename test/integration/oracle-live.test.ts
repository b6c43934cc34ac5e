/**
 * Whole Chinook migrations through a live Oracle server, on a real Temporal dev server: SQLite → Oracle, then
 * Oracle → PostgreSQL, then PostgreSQL → Oracle; each must complete, pass its validation and hold the same rows
 * (test/helpers/compare.ts reads both sides independently of the migration). With the in-database digest (Oracle's
 * STANDARD_HASH over LISTAGG), the semantic tier of the last two digests Chinook inside both databases; a further test
 * compares Oracle's normal forms and range digests of every type it renders with PostgreSQL's for the same values.
 *
 * Runs only where SENSEI_TEST_ORACLE_URL names a server (oracle://user:password@host:1521/service; the user's schema
 * is written to, its Chinook tables replaced). No Oracle server can run on the machines Sensei is built on: there the
 * file says in one line that it did not run, and its tests are skipped, never counted as passed.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import path from 'node:path';
import { openReadOnlyRunner, runUserQuery, userQueryLimits } from '../../activities/user-queries';
import { openSession } from '../../activities/validation';
import { dialectNamed } from '../../connectors/dialects';
import { connectionOptions, loadOracleDb } from '../../connectors/oracle/driver';
import { bindExpression, bindValue, fromOracleYear } from '../../connectors/oracle/sql';
import { defaultOracleSchema, parseOracleUrl } from '../../connectors/oracle/url';
import { digestSessionSql, pairHashesRows, rangeDigestSql, rangeDigestsSql, rangeNormalFormsSql, type DigestTable } from '../../lib/validation/digest';
import type { Place } from '../../lib/validation/sql';
import { CASES, pgType, pgValue, type Case } from '../helpers/oracle-digest-cases';
import type { ODateTime, OLob, ONumber } from '../helpers/oracle-sql-model';
import type { Endpoint } from '../../connectors/types';
import { validation } from '../../connectors/oracle/validation';
import { temporalText } from '../../connectors/oracle/years';
import type { CanonicalType } from '../../lib/types';
import { compareDatabases } from '../helpers/compare';
import { createTempDatabase, loadChinook, type TempDatabase } from '../helpers/databases';
import { createTestEnv, isOver, startHarness, startMigration, waitForStatus, type MigrationHarness } from '../helpers/temporal';

const url = process.env.SENSEI_TEST_ORACLE_URL;
if (!url) process.stdout.write('oracle-live.test.ts did not run: SENSEI_TEST_ORACLE_URL is not set (no Oracle server on this machine)\n');
// The one skip the project's rules allow: a live server that is not there.
const live = url ? describe : describe.skip;
// Against a live server the in-database digest (off by default: never checked) is what these tests check.
if (url) process.env.SENSEI_ORACLE_IN_DATABASE_DIGEST ??= 'on';

live('Chinook through a live Oracle server', () => {
  const oracle: Endpoint = { type: 'oracle', connectionString: url ?? '' };
  const sqlite: Endpoint = { type: 'sqlite', connectionString: path.join(__dirname, '..', '..', 'fixtures', 'chinook', 'Chinook_Sqlite.sqlite'), schema: 'main' };
  let env: TestWorkflowEnvironment;
  let h: MigrationHarness;
  const temps: TempDatabase[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
    h = await startHarness(env);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await env?.teardown();
    for (const t of temps) await t.drop();
  });

  async function migrate(source: Endpoint & { tables?: string[] }, target: Endpoint): Promise<void> {
    const handle = await startMigration(h, source, target, 'aggressive', { replace_existing_tables: true });
    const status = await waitForStatus(handle, isOver, 900_000);
    expect(status.failure).toBeNull();
    expect(status.status).toBe('completed');
    expect(status.validation?.status).toBe('passed');
  }

  // The SQLite Chinook's tables as the first test writes them (the schema may hold other tables, the PostgreSQL ones too).
  const CHINOOK = ['Album', 'Artist', 'Customer', 'Employee', 'Genre', 'Invoice', 'InvoiceLine', 'MediaType', 'Playlist', 'PlaylistTrack', 'Track'];

  async function expectSameRows(source: Endpoint, target: Endpoint, only?: string[]): Promise<void> {
    const tables = await compareDatabases(source, target, only);
    expect(tables).toHaveLength(11);
    for (const t of tables) expect({ table: t.table, rows: t.targetRows, checksum: t.targetChecksum }).toEqual({ table: t.table, rows: t.sourceRows, checksum: t.sourceChecksum });
  }

  test('SQLite → Oracle', async () => {
    await migrate(sqlite, oracle);
    await expectSameRows(sqlite, oracle);
  }, 900_000);

  test('Oracle → PostgreSQL', async () => {
    const pg = await createTempDatabase('postgresql');
    temps.push(pg);
    await migrate({ ...oracle, tables: CHINOOK }, pg.endpoint);
    await expectSameRows(oracle, pg.endpoint, CHINOOK);
  }, 900_000);

  test('PostgreSQL → Oracle', async () => {
    const pg = await createTempDatabase('postgresql');
    temps.push(pg);
    await loadChinook('postgresql', pg.endpoint);
    await migrate(pg.endpoint, oracle);
    await expectSameRows(pg.endpoint, oracle);
  }, 900_000);
});

live("users' validation queries and years BC on a live Oracle server", () => {
  const oracle: Endpoint = { type: 'oracle', connectionString: url ?? '' };
  const limits = userQueryLimits({ timeout_seconds: 30, max_rows: 3 });

  test('a query reads; past the cap it fails; the server refuses what is not a query even without the lexical check', async () => {
    expect(await runUserQuery(oracle, 'select 1 as n from dual', limits)).toEqual([['1']]);
    await expect(runUserQuery(oracle, 'select level from dual connect by level <= 10', limits)).rejects.toThrow(/more than 3 rows/);
    await expect(runUserQuery(oracle, 'delete from dual', limits)).rejects.toThrow(/only a query may run/);
    // Layers 2–5 alone: inside the FROM a DELETE does not parse.
    const runner = await openReadOnlyRunner(oracle, limits);
    try {
      await expect(runner.run('delete from dual')).rejects.toThrow(/ORA-/);
    } finally {
      await runner.close();
    }
  }, 120_000);

  test('SYYYY masks keep a year BC both ways, and a year AD prints without a sign once trimmed', async () => {
    const read = (bound: string) => `LTRIM(TO_CHAR(${bound}, 'SYYYY-MM-DD HH24:MI:SS'))`;
    const rows = await runUserQuery(oracle, `select ${read(bindExpression(`'${bindValue('-0043-03-15', { kind: 'date' })}'`, { kind: 'date' }))}, ${read(bindExpression("'2020-01-02'", { kind: 'date' }))} from dual`, limits);
    expect(rows).toEqual([['-0044-03-15 00:00:00', '2020-01-02 00:00:00']]);
    expect(fromOracleYear(String(rows[0][0]))).toBe('-0043-03-15 00:00:00');
  }, 120_000);

  test('the validation tiers print dates and timestamps with SYYYY and read them as ISO 8601 years; a NULL stays NULL', async () => {
    const day = bindExpression(`'${bindValue('-0043-03-15', { kind: 'date' })}'`, { kind: 'date' });
    const zoned: CanonicalType = { kind: 'timestamptz', precision: 6 };
    const at = bindExpression(`'${bindValue('0000-12-31 23:00:00.25Z', zoned)}'`, zoned);
    const sql = `select ${temporalText(day, { kind: 'date' })}, ${temporalText(at, zoned)}, ${temporalText('CAST(NULL AS TIMESTAMP WITH TIME ZONE)', zoned)} from dual`;
    const [row] = await runUserQuery(oracle, sql, limits);
    expect(row.map((v, i) => (typeof v === 'string' ? validation.fromPrinted(v, i === 0 ? { kind: 'date' } : zoned) : v))).toEqual(['-0043-03-15', '0000-12-31 23:00:00.250000Z', null]);
  }, 120_000);
});

/** A case's value as an Oracle expression and its bind (test/helpers/oracle-digest-cases.ts holds them as Oracle's). */
function oracleBind(c: Case, binds: unknown[]): string {
  const { sql, bind } = oracleValue(c, `:${binds.length + 1}`);
  if (bind !== undefined) binds.push(bind);
  return sql;
}

function oracleValue(c: Case, p: string): { sql: string; bind?: unknown } {
  const v = c.oracle;
  if (v === null) return { sql: 'NULL' };
  if (typeof v === 'string') return { sql: p, bind: v };
  if (Buffer.isBuffer(v)) return { sql: `HEXTORAW(${p})`, bind: v.toString('hex') };
  switch (v.t) {
    case 'num':
      return { sql: `TO_NUMBER(${p})`, bind: (v as ONumber).v };
    case 'nchar':
      return { sql: `TO_NCHAR(${p})`, bind: v.v };
    case 'interval':
      return /^[+-]\d+ /.test(v.text) ? { sql: `TO_DSINTERVAL(${p})`, bind: v.text } : { sql: `TO_YMINTERVAL(${p})`, bind: v.text };
    case 'clob':
    case 'nclob':
    case 'blob': {
      const lob = v as OLob;
      const empty = { clob: 'EMPTY_CLOB()', nclob: 'TO_NCLOB(EMPTY_CLOB())', blob: 'EMPTY_BLOB()' }[lob.t];
      if ((Buffer.isBuffer(lob.v) ? lob.v.length : lob.v.length) === 0) return { sql: empty };
      if (lob.t === 'blob') return { sql: `TO_BLOB(HEXTORAW(${p}))`, bind: (lob.v as Buffer).toString('hex') };
      return { sql: lob.t === 'clob' ? `TO_CLOB(${p})` : `TO_NCLOB(${p})`, bind: lob.v };
    }
    case 'ts': {
      const d = v as ODateTime;
      const text = `${d.year < 0 ? '-' : ''}${String(Math.abs(d.year)).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')} ${[d.hour, d.minute, d.second].map((n) => String(n).padStart(2, '0')).join(':')}`;
      if (d.date) return { sql: `TO_DATE(${p}, 'SYYYY-MM-DD HH24:MI:SS')`, bind: text };
      const timestamp = `TO_TIMESTAMP(${p}, 'SYYYY-MM-DD HH24:MI:SS.FF9')`;
      const full = `${text}.${d.frac}`;
      if (d.offset === undefined) return { sql: timestamp, bind: full };
      const sign = d.offset < 0 ? '-' : '+';
      const zone = `${sign}${String(Math.floor(Math.abs(d.offset) / 60)).padStart(2, '0')}:${String(Math.abs(d.offset) % 60).padStart(2, '0')}`;
      const zoned = `FROM_TZ(${timestamp}, '${zone}')`;
      return { sql: d.local ? `CAST(${zoned} AS TIMESTAMP WITH LOCAL TIME ZONE)` : zoned, bind: full };
    }
    default:
      throw new Error(`no Oracle bind for ${JSON.stringify(v)}`);
  }
}

live('the in-database digest on a live Oracle server against PostgreSQL, for the same values', () => {
  const oracle: Endpoint = { type: 'oracle', connectionString: url ?? '' };
  const pp: Place = { dialect: 'postgresql', schema: 'public' };
  const op: Place = { dialect: 'oracle', schema: url ? defaultOracleSchema(parseOracleUrl(url).user) : '' };
  const TABLE = 'SENSEI_DIGEST_CASES';
  const columns = (which: 'oracle' | 'pg'): DigestTable => ({
    table: TABLE,
    key: ['ID'],
    columns: [
      { name: 'ID', type: { kind: 'int32' }, native: which === 'oracle' ? 'NUMBER(10)' : 'integer' },
      ...CASES.map((c, i) => ({ name: `C${i}`, type: c.type, native: which === 'oracle' ? c.native : pgType(c.type) })),
    ],
  });
  let pg: TempDatabase;

  beforeAll(async () => {
    const db = await loadOracleDb();
    const { sessionCallback: _callback, ...options } = await connectionOptions(parseOracleUrl(url ?? ''));
    const conn = await db.getConnection(options);
    try {
      await conn.execute(`BEGIN EXECUTE IMMEDIATE 'DROP TABLE "${TABLE}" PURGE'; EXCEPTION WHEN OTHERS THEN NULL; END;`);
      await conn.execute(`CREATE TABLE "${TABLE}" ("ID" NUMBER(10) PRIMARY KEY, ${CASES.map((c, i) => `"C${i}" ${c.native}`).join(', ')})`);
      // Placeholders numbered in order of appearance, bound by position.
      const binds: unknown[] = [];
      const values = CASES.map((c) => oracleBind(c, binds));
      await conn.execute(`INSERT INTO "${TABLE}" VALUES (1, ${values.join(', ')})`, binds);
      await conn.execute(`INSERT INTO "${TABLE}" ("ID") VALUES (2)`);
      await conn.commit();
    } finally {
      await conn.close();
    }
    pg = await createTempDatabase('postgresql');
    const { Client } = await import('pg');
    const client = new Client({ connectionString: pg.endpoint.connectionString });
    await client.connect();
    await client.query(`CREATE TABLE "${TABLE}" ("ID" integer PRIMARY KEY, ${CASES.map((c, i) => `"C${i}" ${pgType(c.type)}`).join(', ')})`);
    await client.query(`INSERT INTO "${TABLE}" VALUES (1, ${CASES.map((_, i) => `$${i + 1}`).join(', ')})`, CASES.map(pgValue));
    await client.query(`INSERT INTO "${TABLE}" ("ID") VALUES (2)`);
    await client.end();
  }, 120_000);

  afterAll(async () => {
    await pg?.drop();
  });

  test("Oracle's normal forms and range digests equal PostgreSQL's; the session is AL32UTF8, 12.2 or later, and read only", async () => {
    const [os, ps] = await Promise.all([openSession(oracle), openSession(pg.endpoint)]);
    try {
      for (const sql of digestSessionSql(op)) await os.rows(sql);
      for (const sql of digestSessionSql(pp)) await ps.rows(sql);
      const check = dialectNamed('oracle').validation?.digest?.encodingCheck;
      expect(check?.refusal(await os.object(check.sql))).toBeNull();
      const forms = async () => [
        (await os.rows(rangeNormalFormsSql(op, columns('oracle'), 0n, 100n))).map((r) => String(r[0])),
        (await ps.rows(rangeNormalFormsSql(pp, columns('pg'), 0n, 100n))).map((r) => String(r[0])),
      ];
      const [o, p] = await forms();
      expect(o).toHaveLength(2);
      expect(o).toEqual(p);
      // Sub-ranges of one key each, and one range of both, of the rows and of their md5s (as a pair with Oracle
      // digests them): count and md5 equal, Oracle's cut flag 0.
      expect(pairHashesRows(op, pp)).toBe(true);
      for (const hashRows of [false, true]) {
        for (const width of [1n, 100n]) {
          const od = (await os.rows(rangeDigestsSql(op, columns('oracle'), 0n, 100n, width, hashRows))).map((r) => r.map(String));
          const pd = (await ps.rows(rangeDigestsSql(pp, columns('pg'), 0n, 100n, width, hashRows))).map((r) => r.map(String));
          expect(od.map((r) => r.slice(0, 3)).sort()).toEqual(pd.sort());
          expect(od.map((r) => r[3])).toEqual(od.map(() => '0'));
        }
        // One range without GROUP BY: count, md5, cut.
        const [one] = await os.rows(rangeDigestSql(op, columns('oracle'), 0n, 100n, hashRows));
        const [whole] = await ps.rows(rangeDigestSql(pp, columns('pg'), 0n, 100n, hashRows));
        expect(one.map(String)).toEqual([String(whole[0]), String(whole[1]), '0']);
      }
      // The validation session is read only: SET TRANSACTION READ ONLY (ORA-01456 on a write).
      await expect(os.rows(`INSERT INTO "${TABLE}" ("ID") VALUES (3)`)).rejects.toThrow(/ORA-01456/);
    } finally {
      await Promise.allSettled([os.close(), ps.close()]);
    }
  }, 120_000);
});
