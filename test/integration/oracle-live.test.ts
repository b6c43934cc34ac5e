/**
 * Whole Chinook migrations through a live Oracle server, on a real Temporal dev server: SQLite → Oracle, then
 * Oracle → PostgreSQL, then PostgreSQL → Oracle; each must complete, pass its validation and hold the same rows
 * (test/helpers/compare.ts reads both sides independently of the migration).
 *
 * Runs only where SENSEI_TEST_ORACLE_URL names a server (oracle://user:password@host:1521/service; the user's schema
 * is written to, its Chinook tables replaced). No Oracle server can run on the machines Sensei is built on: there the
 * file says in one line that it did not run, and its tests are skipped, never counted as passed.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import path from 'node:path';
import { openReadOnlyRunner, runUserQuery, userQueryLimits } from '../../activities/user-queries';
import { bindExpression, bindValue, fromOracleYear } from '../../connectors/oracle/sql';
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
