/**
 * The workflow's own paths in seconds, without databases: the real workflow code on a real Temporal dev server, with
 * activities faked. The fakes are typed as the real activities (MigrationActivities) and wrap them: the real ones
 * stay for what touches no database (the listing index and results, without a metadata store; webhook targets), and
 * whatever would read or write a database is replaced by a fake that copies a 1,000-row table in memory.
 * Beside the real-database tests (workflow.test.ts and the e2e tests), these cover the gate waiting, long pauses,
 * retries, retries running out, and a failure in each phase.
 */
import fs from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { ConnectorPool } from '../../activities/connections';
import { createActivities, type ChunkResult, type MigrationActivities } from '../../activities';
import { planMigration } from '../../lib/mapping';
import type { Certificate } from '../../lib/certificate';
import { VALIDATION_TIERS, type MigrationInput, type MigrationOptions, type MigrationStatus, type Phase, type TierResult } from '../../lib/migration';
import { reachPolicy } from '../../lib/reach';
import { Sealer } from '../../lib/secrets';
import type { SchemaInfo, Strategy } from '../../lib/types';
import { workflowCodeOptions } from '../../workers/temporal';
import { approveUpdate, cancelUpdate, migrationWorkflow, pauseUpdate, resumeUpdate, startUpdate, statusQuery } from '../../workflows/migration';
import { recordHistories } from '../helpers/histories';
import { testReach } from '../helpers/reach';
import { createTestEnv, isOver, tempDataDir, uniqueId, waitForStatus } from '../helpers/temporal';

const ROWS = 1000;

const schema: SchemaInfo = {
  dialect: 'postgresql',
  schema: 'public',
  tables: [
    {
      name: 'items',
      columns: [
        { name: 'id', nativeType: 'integer', type: { kind: 'int32' }, nullable: false, default: null },
        { name: 'name', nativeType: 'text', type: { kind: 'text' }, nullable: true, default: null },
      ],
      primaryKey: ['id'],
      foreignKeys: [],
      uniqueConstraints: [],
      indexes: [],
      rowEstimate: ROWS,
    },
  ],
};

/** What one migration's fakes do: a phase that fails, copy outages, and what was copied (every key once?). */
interface Scenario {
  failIn?: Phase;
  /** copyChunk fails (retryably) this many times in a row before it succeeds; Infinity: until `outage` is lifted. */
  chunkFailures?: number;
  outage?: boolean;
  chunkAttempts: number[];
  copiedKeys: number[];
  tablesCreated: number;
  /** What the listing index was told: status|phase. */
  indexed: string[];
}
const scenarios = new Map<string, Scenario>();
/** The fakes find their migration by the description of its endpoints (or its id). */
const scenarioOf = (id: string): Scenario => scenarios.get(id) as Scenario;

const failure = (phase: Phase) => ApplicationFailure.nonRetryable(`fake ${phase} failure`, `Fake_${phase}`);

const passed = (tier: TierResult['tier']): TierResult => {
  const at = new Date().toISOString();
  return { tier, verdict: 'passed', summary: 'fake: equal', checks: 1, failures: 0, findings: [], evidence_sha256: 'x'.repeat(64), started_at: at, completed_at: at };
};

function fakeActivities(real: MigrationActivities): MigrationActivities {
  const tier = (name: TierResult['tier']) => async (input: { migrationId: string }) => {
    const s = scenarioOf(input.migrationId);
    if (s.failIn === 'validation' && name === 'semantic') return { ...passed(name), verdict: 'failed' as const, summary: 'fake: 1 row differs', failures: 1 };
    return passed(name);
  };
  return {
    ...real,
    async recordMigrationStatus(input) {
      await real.recordMigrationStatus(input);
      scenarioOf(input.id).indexed.push(`${input.status}|${input.phase ?? ''}`);
    },
    async analyzeSource({ source }) {
      if (scenarioOf(source.description).failIn === 'schema_analysis') throw failure('schema_analysis');
      return schema;
    },
    async planMapping({ target }) {
      if (scenarioOf(target.description).failIn === 'mapping') throw failure('mapping');
      return planMigration(schema, 'postgresql', { targetSchema: 'public' });
    },
    async createTargetTables({ target }) {
      const s = scenarioOf(target.description);
      if (s.failIn === 'schema_creation') throw failure('schema_creation');
      s.tablesCreated += 1;
      return { skippedObjects: [] };
    },
    async copyChunk(input): Promise<ChunkResult> {
      const s = scenarioOf(input.migrationId);
      s.chunkAttempts.push(Context.current().info.attempt);
      if (s.failIn === 'data_transfer') throw failure('data_transfer');
      if (s.outage || (s.chunkFailures ?? 0) > 0) {
        s.chunkFailures = (s.chunkFailures ?? 0) - 1;
        throw ApplicationFailure.retryable('fake: the source is not accepting connections', 'QueryFailed');
      }
      const after = input.after ? Number(input.after[0]) : 0;
      const keys = Array.from({ length: Math.max(0, Math.min(input.limit, ROWS - after)) }, (_, i) => after + i + 1);
      s.copiedKeys.push(...keys);
      const last = keys.at(-1);
      const attempt = Context.current().info.attempt;
      return { rows: keys.length, written: keys.length, rejected: [], lastKey: last === undefined ? input.after : [String(last)], done: keys.length < input.limit, durationMs: 5, attempt };
    },
    async finalizeTarget() {
      return { skippedForeignKeys: [], skippedObjects: [], uncheckedForeignKeys: [], refusedForeignKeys: [] };
    },
    async compareRowCounts({ source }) {
      const copied = scenarioOf(source.description).copiedKeys.length;
      return [{ table: 'items', source_rows: ROWS, target_rows: copied, rejected_rows: 0, match: copied === ROWS }];
    },
    validateStructure: tier('structural'),
    validateStatistics: tier('statistical'),
    validateReferences: tier('referential'),
    validateContent: tier('semantic'),
    validateBehavior: tier('behavioral'),
    async issueCertificate(input) {
      if (scenarioOf(input.migration.id).failIn === 'certification') throw failure('certification');
      const summary = { certificate_id: `cert_${input.migration.id}`, issued_at: new Date().toISOString(), key_fingerprint: 'f'.repeat(64), sha256: 'e'.repeat(64) };
      // The fake's document: only its id matters to the workflow, which keeps it for certificateQuery.
      return { certificate: { certificate_id: summary.certificate_id } as Certificate, summary };
    },
  };
}

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let dir: string;
const taskQueue = uniqueId('tq_paths');
const sealer = () => Sealer.fromConfig({ dataDir: dir });

beforeAll(async () => {
  env = await createTestEnv();
  dir = tempDataDir();
  const real = createActivities(new ConnectorPool(sealer(), reachPolicy(testReach(dir))));
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue, ...workflowCodeOptions(), activities: fakeActivities(real) });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(scenario: Partial<Scenario>, strategy: Strategy = 'aggressive', options: MigrationOptions = {}) {
  const id = uniqueId('mig');
  scenarios.set(id, { chunkAttempts: [], copiedKeys: [], tablesCreated: 0, indexed: [], ...scenario });
  const ref = { type: 'postgresql' as const, sealedConnection: sealer().seal('postgresql://fake'), description: id };
  const input: MigrationInput = { id, name: id, source: ref, target: ref, strategy, options: { chunk_size: 100, ...options }, createdAt: new Date().toISOString() };
  const handle = await env.client.workflow.start(migrationWorkflow, { taskQueue, workflowId: id, args: [input] });
  await handle.executeUpdate(startUpdate);
  return { handle, scenario: scenarioOf(id) };
}

const phaseOf = (s: MigrationStatus, name: Phase) => s.phases.find((p) => p.name === name)?.status;

test('with every activity succeeding, the story runs to a certificate, every key copied once', async () => {
  const { handle, scenario } = await start({});
  const done = await waitForStatus(handle, isOver, 30_000);
  expect(done.status).toBe('completed');
  expect(done.certificate?.certificate_id).toBe(`cert_${handle.workflowId}`);
  expect(done.progress.rows_copied).toBe(ROWS);
  expect(scenario.copiedKeys).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  expect(done.tables[0].chunk_retries).toBe(0);
  // The listing index followed it (patch listing-index-follows-status), the end told before the status query said it.
  expect(scenario.indexed).toContain('running|data_transfer');
  expect(scenario.indexed.at(-1)).toBe('completed|certification');
});

test('the gate has no timeout: it waits, nothing is created meanwhile; approve lets the migration finish', async () => {
  const { handle, scenario } = await start({}, 'conservative');
  await waitForStatus(handle, (s) => s.status === 'awaiting_approval', 30_000);
  await new Promise((r) => setTimeout(r, 3000));
  // A client listing migrations that wait for approval finds it (patch listing-index-follows-status).
  expect(scenario.indexed.at(-1)).toBe('awaiting_approval|mapping');
  const waiting = await handle.query(statusQuery);
  expect(waiting.status).toBe('awaiting_approval');
  expect(phaseOf(waiting, 'schema_creation')).toBe('pending');
  expect(scenario.tablesCreated).toBe(0);
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] });
  const done = await waitForStatus(handle, isOver, 30_000);
  expect(done.status).toBe('completed');
  expect(scenario.tablesCreated).toBe(1);
});

test('a cancel at the gate ends the migration cancelled before anything is created', async () => {
  const { handle, scenario } = await start({}, 'conservative');
  await waitForStatus(handle, (s) => s.status === 'awaiting_approval', 30_000);
  await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'not today' }] });
  const done = await waitForStatus(handle, isOver, 30_000);
  expect(done.status).toBe('cancelled');
  expect(done.failure).toEqual({ code: 'Cancelled', message: 'cancelled: not today' });
  expect(scenario.tablesCreated).toBe(0);
  await recordHistories(env.client, handle.workflowId, 'paths-gate-cancel-update');
});

test('a long pause holds copying still; resume finishes with every key copied once', async () => {
  const { handle, scenario } = await start({}, 'aggressive', { chunk_size: 50, parallel_tables: 1 });
  await waitForStatus(handle, (s) => s.progress.rows_copied >= 100, 30_000);
  expect((await handle.executeUpdate(pauseUpdate)).status).toBe('paused');
  await new Promise((r) => setTimeout(r, 1000));
  const held = scenario.copiedKeys.length;
  await new Promise((r) => setTimeout(r, 4000));
  expect(scenario.copiedKeys.length).toBe(held);
  expect((await handle.query(statusQuery)).status).toBe('paused');
  await handle.executeUpdate(resumeUpdate);
  const done = await waitForStatus(handle, isOver, 60_000);
  expect(done.status).toBe('completed');
  expect(done.progress.rows_copied).toBe(ROWS);
  expect(scenario.copiedKeys).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  await recordHistories(env.client, handle.workflowId, 'paths-pause-resume-updates');
});

test('a chunk that fails twice is retried and the copy goes on from the same checkpoint', async () => {
  const { handle, scenario } = await start({ chunkFailures: 2 });
  const done = await waitForStatus(handle, isOver, 30_000);
  expect(done.status).toBe('completed');
  expect(scenario.chunkAttempts.slice(0, 3)).toEqual([1, 2, 3]);
  expect(scenario.copiedKeys).toHaveLength(ROWS);
  expect(done.errors).toEqual([]);
  // The table counts the two retries of its first chunk (patch chunk-retries); every other chunk went at once.
  expect(scenario.chunkAttempts.filter((a) => a > 1)).toHaveLength(2);
  expect(done.tables[0].chunk_retries).toBe(2);
  await recordHistories(env.client, handle.workflowId, 'paths-chunk-retried');
});

test('retries that run out pause the migration at its checkpoint with the reason; resume after the outage finishes it', async () => {
  const { handle, scenario } = await start({ outage: true }, 'aggressive', { copy_retry: { max_attempts: 2, max_interval_seconds: 1 } });
  const paused = await waitForStatus(handle, (s) => s.status === 'paused', 30_000);
  expect(paused.pause_reason).toMatchObject({ by: 'sensei', code: 'QueryFailed', table: 'items' });
  expect(paused.pause_reason?.message).toMatch(/gave up after 2 attempt\(s\).*not accepting connections.*from its first row/);
  expect(scenario.chunkAttempts).toEqual([1, 2]);
  // The attempt that ran out was a retry; the chunk's first attempt after the resume will be the next.
  expect(paused.tables[0].chunk_retries).toBe(1);
  scenario.outage = false;
  await handle.executeUpdate(resumeUpdate);
  const done = await waitForStatus(handle, isOver, 30_000);
  expect(done.status).toBe('completed');
  expect(done.pause_reason).toBeNull();
  expect(scenario.copiedKeys).toHaveLength(ROWS);
  // The first chunk took three attempts in all (two before the pause, one after): two retries.
  expect(scenario.chunkAttempts.slice(0, 3)).toEqual([1, 2, 1]);
  expect(done.tables[0].chunk_retries).toBe(2);
  await recordHistories(env.client, handle.workflowId, 'paths-retries-exhausted-paused-resumed');
});

test.each(['schema_analysis', 'mapping', 'schema_creation', 'data_transfer', 'certification'] as Phase[])(
  'a failure in %s fails the migration there, with the reason',
  async (phase) => {
    const { handle } = await start({ failIn: phase });
    const done = await waitForStatus(handle, isOver, 30_000);
    expect(done.status).toBe('failed');
    expect(done.phase).toBe(phase);
    expect(phaseOf(done, phase)).toBe('failed');
    expect(done.failure).toEqual({ code: `Fake_${phase}`, message: expect.stringContaining(`fake ${phase} failure`) });
    expect(done.errors.at(-1)).toMatchObject({ phase, code: `Fake_${phase}` });
    await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
  },
);

test('a failed validation holds for a re-run, then ends failed once the hold is over', async () => {
  const { handle } = await start({ failIn: 'validation' }, 'aggressive', { validation: { failed_hold_seconds: 2 } });
  const holding = await waitForStatus(handle, (s) => s.status === 'failed', 30_000);
  expect(holding.failure?.code).toBe('ValidationFailed');
  expect(holding.validation?.tiers.semantic.verdict).toBe('failed');
  expect(VALIDATION_TIERS.filter((t) => holding.validation?.tiers[t].verdict === 'passed')).toHaveLength(4);
  await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
  const done = await handle.query(statusQuery);
  expect(done.status).toBe('failed');
  expect(phaseOf(done, 'validation')).toBe('failed');
  expect(done.certificate).toBeNull();
  await recordHistories(env.client, handle.workflowId, 'paths-validation-hold-ran-out');
});
