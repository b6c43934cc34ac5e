/**
 * A whole Chinook migration PostgreSQL → Snowflake through a live Snowflake account, on a real Temporal dev server:
 * it must complete, pass its validation and hold the same rows (read back through the Snowflake connector's keyset
 * reads and INFORMATION_SCHEMA introspection, independently of the migration).
 *
 * Runs only where SENSEI_TEST_SNOWFLAKE_URL names an account (snowflake://user:password@account/DATABASE/SCHEMA
 * ?warehouse=WH, or key-pair options); the schema's Chinook tables are replaced. No Snowflake account can be reached
 * from the machines Sensei is built on: there the file says in one line that it did not run, and its test is
 * skipped, never counted as passed.
 *
 * With the in-database digest (MD5 over LISTAGG of the rows' md5s; off by default, on here), the semantic tier of
 * the migration digests Chinook inside both databases; a further test compares Snowflake's normal forms and range
 * digests of every type it renders (test/helpers/snowflake-digest-cases.ts) with PostgreSQL's for the same values.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openReadOnlyRunner, runUserQuery, userQueryLimits } from '../../activities/user-queries';
import { openSession } from '../../activities/validation';
import { dialectNamed } from '../../connectors/dialects';
import { parseSnowflakeUrl } from '../../connectors/snowflake/url';
import type { Endpoint } from '../../connectors/types';
import { digestSessionSql, pairHashesRows, rangeDigestSql, rangeDigestsSql, rangeNormalFormsSql, type DigestTable } from '../../lib/validation/digest';
import type { Place } from '../../lib/validation/sql';
import { pgType } from '../helpers/oracle-digest-cases';
import { CASES } from '../helpers/snowflake-digest-cases';
import { compareDatabases } from '../helpers/compare';
import { createTempDatabase, loadChinook, type TempDatabase } from '../helpers/databases';
import { createTestEnv, isOver, startHarness, startMigration, waitForStatus, type MigrationHarness } from '../helpers/temporal';

const url = process.env.SENSEI_TEST_SNOWFLAKE_URL;
if (!url) process.stdout.write('snowflake-live.test.ts did not run: SENSEI_TEST_SNOWFLAKE_URL is not set (no Snowflake account reachable from this machine)\n');
// The one skip the project's rules allow: a live server that is not there.
const live = url ? describe : describe.skip;
// Against a live account the in-database digest (off by default: never checked) is what these tests check.
if (url) process.env.SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST ??= 'on';

live('Chinook into a live Snowflake account', () => {
  const snowflake: Endpoint = { type: 'snowflake', connectionString: url ?? '' };
  let env: TestWorkflowEnvironment;
  let h: MigrationHarness;
  let pg: TempDatabase | undefined;

  beforeAll(async () => {
    env = await createTestEnv();
    h = await startHarness(env);
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await env?.teardown();
    await pg?.drop();
  });

  test('PostgreSQL → Snowflake', async () => {
    pg = await createTempDatabase('postgresql');
    await loadChinook('postgresql', pg.endpoint);
    const handle = await startMigration(h, pg.endpoint, snowflake, 'aggressive', { replace_existing_tables: true });
    const status = await waitForStatus(handle, isOver, 1_800_000);
    expect(status.failure).toBeNull();
    expect(status.status).toBe('completed');
    expect(status.validation?.status).toBe('passed');
    const tables = await compareDatabases(pg.endpoint, snowflake);
    expect(tables).toHaveLength(11);
    for (const t of tables) expect({ table: t.table, rows: t.targetRows, checksum: t.targetChecksum }).toEqual({ table: t.table, rows: t.sourceRows, checksum: t.sourceChecksum });
  }, 1_800_000);
});

live("users' validation queries on a live Snowflake account (no read-only transaction there)", () => {
  const snowflake: Endpoint = { type: 'snowflake', connectionString: url ?? '' };
  const limits = userQueryLimits({ timeout_seconds: 30, max_rows: 3 });

  test('a query reads; past the cap it fails; the server refuses what is not a query even without the lexical check', async () => {
    expect(await runUserQuery(snowflake, 'select 1 as n', limits)).toEqual([['1']]);
    await expect(runUserQuery(snowflake, 'select seq4() from table(generator(rowcount => 10))', limits)).rejects.toThrow(/more than 3 rows/);
    await expect(runUserQuery(snowflake, 'create table sensei_never (a int)', limits)).rejects.toThrow(/only a query may run/);
    // Layers 2, 4 and 5 alone: inside the FROM a CREATE does not parse.
    const runner = await openReadOnlyRunner(snowflake, limits);
    try {
      await expect(runner.run('create table sensei_never (a int)')).rejects.toThrow();
    } finally {
      await runner.close();
    }
  }, 120_000);
});

live('the in-database digest on a live Snowflake account against PostgreSQL, for the same values', () => {
  const snowflake: Endpoint = { type: 'snowflake', connectionString: url ?? '' };
  const pp: Place = { dialect: 'postgresql', schema: 'public' };
  const sp: Place = { dialect: 'snowflake', schema: url ? (parseSnowflakeUrl(url).schema ?? 'PUBLIC') : '' };
  const TABLE = 'SENSEI_DIGEST_CASES';
  const columns = (which: 'snowflake' | 'pg'): DigestTable => ({
    table: TABLE,
    key: ['ID'],
    columns: [
      { name: 'ID', type: { kind: 'int32' }, native: which === 'snowflake' ? 'NUMBER(10,0)' : 'integer' },
      ...CASES.map((c, i) => ({ name: `C${i}`, type: c.type, native: which === 'snowflake' ? c.native : pgType(c.type) })),
    ],
  });
  let pg: TempDatabase;

  beforeAll(async () => {
    const session = await openSession(snowflake);
    try {
      const table = `"${sp.schema}"."${TABLE}"`;
      await session.rows(`CREATE OR REPLACE TABLE ${table} ("ID" NUMBER(10,0) PRIMARY KEY, ${CASES.map((c, i) => `"C${i}" ${c.native}`).join(', ')})`);
      await session.rows(`INSERT INTO ${table} SELECT 1, ${CASES.map((c) => c.literal).join(', ')}`);
      await session.rows(`INSERT INTO ${table} ("ID") VALUES (2)`);
    } finally {
      await session.close();
    }
    pg = await createTempDatabase('postgresql');
    const { Client } = await import('pg');
    const client = new Client({ connectionString: pg.endpoint.connectionString });
    await client.connect();
    await client.query(`CREATE TABLE "${TABLE}" ("ID" integer PRIMARY KEY, ${CASES.map((c, i) => `"C${i}" ${pgType(c.type)}`).join(', ')})`);
    const values = CASES.map((c) => (typeof c.canonical === 'string' && c.type.kind === 'timestamptz' ? `${c.canonical}+00` : c.canonical));
    await client.query(`INSERT INTO "${TABLE}" VALUES (1, ${CASES.map((_, i) => `$${i + 1}`).join(', ')})`, values);
    await client.query(`INSERT INTO "${TABLE}" ("ID") VALUES (2)`);
    await client.end();
  }, 120_000);

  afterAll(async () => {
    await pg?.drop();
  });

  test("Snowflake's normal forms and range digests equal PostgreSQL's", async () => {
    const [ss, ps] = await Promise.all([openSession(snowflake), openSession(pg.endpoint)]);
    try {
      for (const sql of digestSessionSql(sp)) await ss.rows(sql);
      for (const sql of digestSessionSql(pp)) await ps.rows(sql);
      expect(dialectNamed('snowflake').validation?.digest?.off?.({ SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST: 'on' })).toBeNull();
      const s = (await ss.rows(rangeNormalFormsSql(sp, columns('snowflake'), 0n, 100n))).map((r) => String(r[0]));
      const p = (await ps.rows(rangeNormalFormsSql(pp, columns('pg'), 0n, 100n))).map((r) => String(r[0]));
      expect(s).toHaveLength(2);
      expect(s).toEqual(p);
      // A pair with Snowflake digests the rows' md5s: sub-ranges of one key each and one of both, count and md5 equal.
      expect(pairHashesRows(sp, pp)).toBe(true);
      for (const width of [1n, 100n]) {
        const sd = (await ss.rows(rangeDigestsSql(sp, columns('snowflake'), 0n, 100n, width, true))).map((r) => r.map(String));
        const pd = (await ps.rows(rangeDigestsSql(pp, columns('pg'), 0n, 100n, width, true))).map((r) => r.map(String));
        expect(sd.map((r) => r.slice(0, 3)).sort()).toEqual(pd.sort());
        expect(sd.map((r) => r[3])).toEqual(sd.map(() => '0'));
      }
      const [one] = await ss.rows(rangeDigestSql(sp, columns('snowflake'), 0n, 100n, true));
      const [whole] = await ps.rows(rangeDigestSql(pp, columns('pg'), 0n, 100n, true));
      expect(one.map(String)).toEqual([String(whole[0]), String(whole[1]), '0']);
    } finally {
      await Promise.allSettled([ss.close(), ps.close()]);
    }
  }, 120_000);
});
