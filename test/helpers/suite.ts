import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTempDatabase, mariadbRows, pgRows, type TempDatabase, type TestDialect } from './databases';
import { recordHistories } from './histories';
import type { MigrationStatus } from '../../lib/migration';
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, planQuery, startUpdate } from '../../workflows/migration';
import { createTestEnv, isOver, startHarness, startMigration, tempDataDir, waitForStatus, type MigrationHarness } from './temporal';

/** What one integration test file migrates with; each part is there from the file's beforeAll on. */
export interface MigrationSuite {
  /** The file's Temporal dev server. */
  readonly env: TestWorkflowEnvironment;
  /** A worker on the file's own task queue, and a client that starts migrations on it. */
  readonly harness: MigrationHarness;
  /** A throwaway directory (SQLite files, exported data), removed after the file's tests. */
  readonly dir: string;
  /** An empty database on this machine's server for the dialect, dropped after the file's tests. */
  database(dialect: TestDialect): Promise<TempDatabase>;
  /** Runs before the stack stops (last registered first): a test's own connections must close before their databases drop. */
  onTeardown(fn: () => Promise<unknown> | void): void;
}

export interface MigrationSuiteOptions {
  /** Extra `temporal server start-dev` arguments (dynamic config). Default: none. */
  serverArgs?: string[];
  /** beforeAll's timeout in milliseconds. Default: jest's testTimeout. */
  timeoutMs?: number;
}

/**
 * Starts, in beforeAll, a Temporal dev server, a worker and a data dir for the test file that calls it, and stops
 * them in afterAll (a file's own beforeAll, declared after this call, runs once they are up): the worker first (its connector pool holds connections to the test databases), then the server,
 * then the databases made through `database()` and the data dir.
 */
export function migrationSuite(options: MigrationSuiteOptions = {}): MigrationSuite {
  let env: TestWorkflowEnvironment | undefined;
  let harness: MigrationHarness | undefined;
  let dir: string | undefined;
  const databases: TempDatabase[] = [];
  const teardowns: (() => Promise<unknown> | void)[] = [];
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} starts in beforeAll: use it inside a hook or a test`);
    return value;
  };
  const suite: MigrationSuite = {
    get env() {
      return ready(env, 'the Temporal dev server');
    },
    get harness() {
      return ready(harness, 'the worker');
    },
    get dir() {
      return ready(dir, 'the data dir');
    },
    async database(dialect) {
      const db = await createTempDatabase(dialect);
      databases.push(db);
      return db;
    },
    onTeardown(fn) {
      teardowns.push(fn);
    },
  };

  beforeAll(async () => {
    dir = tempDataDir();
    env = await createTestEnv(options.serverArgs);
    harness = await startHarness(env);
  }, options.timeoutMs);

  afterAll(async () => {
    const steps = [
      ...teardowns.reverse(),
      () => harness?.close(),
      () => env?.teardown(),
      () => Promise.all(databases.map((db) => db.drop())),
      () => dir && fs.rmSync(dir, { recursive: true, force: true }),
    ];
    // Every step runs even when one fails, so a failed teardown leaves no server or database behind.
    const failures: unknown[] = [];
    for (const step of steps) await Promise.resolve().then(step).catch((error: unknown) => failures.push(error));
    if (failures.length) throw failures[0];
  });

  return suite;
}

/**
 * Migrates `source` into `target` on the suite's worker (strategy balanced, high-confidence mappings approved, the gate
 * approved when a mapping stops there) until it is over, whatever its end; answers its last status and its plan (null
 * when it ended before the plan was made).
 */
export async function migrateOnce(
  suite: MigrationSuite,
  source: TempDatabase,
  target: TempDatabase,
  options: { excludeTables?: string[]; chunkSize?: number } = {},
): Promise<{ status: MigrationStatus; plan: MigrationPlan | null; rejected: [unknown, string][]; workflowId: string }> {
  const from = options.excludeTables ? { ...source.endpoint, excludeTables: options.excludeTables } : source.endpoint;
  const handle = await startMigration(suite.harness, from, target.endpoint, 'balanced', { auto_approve_high_confidence: true, chunk_size: options.chunkSize ?? 2 });
  await handle.executeUpdate(startUpdate);
  const waiting = await waitForStatus(handle, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
  if (waiting.status === 'awaiting_approval') await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 180_000);
  return { status, plan: ((await handle.query(planQuery)) as MigrationPlan | null) ?? null, rejected: rejectedRows(status), workflowId: handle.workflowId };
}

/** The rows rejected by key (of `table` when given), as [key, message]. */
export function rejectedRows(status: MigrationStatus, table?: string): [unknown, string][] {
  return status.errors.filter((e) => e.code === 'RowRejected' && (table === undefined || e.table === table)).map((e) => [e.key, e.message]);
}

/**
 * Migrates `source` into `target` (see migrateOnce) and expects it completed, validated, without an error; answers the
 * plan. `recordAs`: the name its history is kept under as a replay fixture when recording (see recordHistories).
 */
export async function migrateAndValidate(suite: MigrationSuite, source: TempDatabase, target: TempDatabase, options: { recordAs?: string } = {}): Promise<MigrationPlan> {
  const { status, plan, workflowId } = await migrateOnce(suite, source, target);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.errors).toEqual([]);
  if (options.recordAs) await recordHistories(suite.harness.client, workflowId, options.recordAs);
  return plan as MigrationPlan;
}

/**
 * A database of the suite made in the file's beforeAll and filled by `sql` (PostgreSQL: one multi-statement text;
 * MariaDB: its statements in order); answers a getter for it, for the file's tests.
 */
export function seededDatabase(suite: MigrationSuite, dialect: 'postgresql' | 'mysql', sql: string | string[]): () => TempDatabase {
  let db: TempDatabase | undefined;
  beforeAll(async () => {
    db = await suite.database(dialect);
    for (const statement of Array.isArray(sql) ? sql : [sql]) await (dialect === 'postgresql' ? pgRows(db.endpoint, statement) : mariadbRows(db.endpoint, statement));
  });
  return () => {
    if (!db) throw new Error('the seeded database is made in beforeAll');
    return db;
  };
}
