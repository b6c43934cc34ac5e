/**
 * A whole Chinook migration PostgreSQL → Snowflake through a live Snowflake account, on a real Temporal dev server:
 * it must complete, pass its validation and hold the same rows (read back through the Snowflake connector's keyset
 * reads and INFORMATION_SCHEMA introspection, independently of the migration).
 *
 * Runs only where SENSEI_TEST_SNOWFLAKE_URL names an account (snowflake://user:password@account/DATABASE/SCHEMA
 * ?warehouse=WH, or key-pair options); the schema's Chinook tables are replaced. No Snowflake account can be reached
 * from the machines Sensei is built on: there the file says in one line that it did not run, and its test is
 * skipped, never counted as passed.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { openReadOnlyRunner, runUserQuery, userQueryLimits } from '../../activities/user-queries';
import type { Endpoint } from '../../connectors/types';
import { compareDatabases } from '../helpers/compare';
import { createTempDatabase, loadChinook, type TempDatabase } from '../helpers/databases';
import { createTestEnv, isOver, startHarness, startMigration, waitForStatus, type MigrationHarness } from '../helpers/temporal';

const url = process.env.SENSEI_TEST_SNOWFLAKE_URL;
if (!url) process.stdout.write('snowflake-live.test.ts did not run: SENSEI_TEST_SNOWFLAKE_URL is not set (no Snowflake account reachable from this machine)\n');
// The one skip the project's rules allow: a live server that is not there.
const live = url ? describe : describe.skip;

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
