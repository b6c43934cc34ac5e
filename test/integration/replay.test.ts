/**
 * Workflow versioning: histories recorded by earlier workflow code replay on today's without a nondeterminism error
 * (changes are guarded by patched()), and a history recorded now replays too. The fixtures in
 * test/fixtures/histories (recorded with test/helpers/histories.ts):
 * - recorded with the workflow code of d692213 (before results went to the metadata store): a completed migration
 *   with its certificate; a rejected row with validation failing and holding, an error resolved, the row retried
 *   twice and validation re-run; the gate paused, resumed and approved, then a cancel;
 * - recorded with the workflow code of e8a1396 (the last before it was split into workflows/migration/): two
 *   tables copied in two lanes across five continues-as-new (continue-as-new-run*), and a table split into three
 *   key ranges across four (key-ranges-continue-as-new-run*); of each, the first run, the second and the last.
 * - recorded with the split workflow and the listing-index-follows-status patch, by workflow-paths.test.ts (fake
 *   activities; histories do not tell): pause, resume and cancel as updates; retries running out into a pause,
 *   then resumed; a failed validation's hold running out (paths-*); with the chunk-retries patch, a chunk retried
 *   twice (paths-chunk-retried).
 * - recorded with the workflow code of e8a1396 by the e2e tests through the API: a closed migration opened again
 *   for validation re-runs, twice (reopened-validation-reruns-run*: the first run, one whose re-run fails and holds,
 *   one that passes), and one opened again to retry a rejected row after its workflow was deleted (reopened-row-retry).
 * - recorded by history.test.ts with the shorter-runs and documents-apart patches (the schema and plan sent apart
 *   from the carried state at each continue-as-new): documents-apart-continue-as-new-run* and
 *   documents-apart-key-ranges-run* (the first run, the second and the last).
 * - recorded with the plan-by-reference patch (validation activities sent the plan's key): the last runs of both
 *   history.test.ts chains (plan-by-reference-*), and by gate-extension-edits.test.ts, with the edits-prune-extensions
 *   patch: both geometry columns edited to bytea at the gate, PostGIS no longer created (gate-edits-prune-extension).
 * - recorded by gate-check-edits.test.ts with the edits-refresh-checks patch: a YEAR, a boolean and an ENUM edited at
 *   the gate, the plan's notes refreshed by each edit (gate-edits-refresh-checks).
 * - recorded by gate-spatial-ref-edits.test.ts with the edits-prune-extension-objects patch: PostGIS → PostgreSQL, the
 *   columns in an SRID the source's users added edited to text at the gate one by one, the spatial_ref_sys row and
 *   PostGIS no longer created (gate-edits-prune-spatial-refs).
 * - recorded by gate-constraint-names.test.ts with the edits-rename-constraints patch: MariaDB → PostgreSQL, an ENUM
 *   edited to text at the gate, the foreign key named as its CHECK renamed (gate-edits-rename-constraints).
 * - recorded by dates-beyond.test.ts with the edits-dates-as-text patch: PostgreSQL → MariaDB, dates and timestamps
 *   (BC, ±infinity, past 9999) edited to text at the gate, validated, a value changed and caught
 *   (gate-edits-dates-as-text).
 * - recorded by small-tables.test.ts with the small-tables-batched patch: 123 tables, the small ones copied in batches
 *   (copyFirstChunks), one whose estimate was stale handed back and copied on its own (small-tables-batched).
 * - recorded by mariadb-versioned.test.ts with the finalize-reads-source-history patch: MariaDB → MariaDB, system-versioned
 *   tables whose history the finalize reads from the source (finalize-reads-source-history).
 * - recorded by history.test.ts with the documents-by-reference patch: each continue-as-new carries the keys of the
 *   schema and the plan in the store, and the runs after it send activities the plan's key and a table's name
 *   (documents-by-reference-continue-as-new-run*, documents-by-reference-key-ranges-run*: the first run, the second and
 *   the last).
 * - recorded by index-key-length.test.ts with the blockers-wait-at-gate and edits-recheck-blockers patches: a plan whose
 *   blocker (a primary key past MariaDB's key bytes) holds the gate; an edit that leaves it, then the table left out
 *   at the gate (excludeTables: the source analysed and the mapping planned again), the rest migrated
 *   (gate-blockers-table-left-out); the key column edited to a type the key fits in, the blocker ended, approved
 *   (gate-blockers-edit-ends).
 * - recorded by dates-beyond.test.ts with the keyless-rows-rejected patch: a table without a key copied whole, its row
 *   BC rejected (named by its values' digest), the rest copied, validation failing on the row (keyless-rows-rejected).
 * - recorded by leave-out-native.test.ts with the leave-out-native-and-referenced patch: PostgreSQL → PostgreSQL, a
 *   unique key a foreign key references refused at the gate, a CHECK, two indexes and a default of a table migrated
 *   natively left out (gate-leave-out-native). */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowCodeOptions } from '../../workers/temporal';
import { retryErrorUpdate, resolveErrorUpdate, revalidateUpdate, startUpdate } from '../../workflows/migration';
import { createTempDatabase } from '../helpers/databases';
import { createTestEnv, startHarness, startMigration, tempDataDir, waitForStatus, type MigrationHarness } from '../helpers/temporal';

const FIXTURES = path.resolve(__dirname, '../fixtures/histories');

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let dir: string;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  dir = tempDataDir();
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function replay(history: unknown, workflowId: string): Promise<void> {
  await Worker.runReplayHistory({ ...workflowCodeOptions(), replayName: workflowId }, history, workflowId);
}

test.each(fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json') || f.endsWith('.json.gz')))('a history recorded by earlier workflow code replays: %s', async (file) => {
  // Stored as History.toObject (longs, enums and bytes as strings; gzipped when recorded by test/helpers/histories.ts): read back with fromObject.
  const bytes = fs.readFileSync(path.join(FIXTURES, file));
  const history = temporal.api.history.v1.History.fromObject(JSON.parse((file.endsWith('.gz') ? zlib.gunzipSync(bytes) : bytes).toString('utf8')));
  expect(history.events?.length).toBeGreaterThan(20);
  await replay(history, file);
});

test('a history recorded now, with results written to the store and an error resolved and retried, replays', async () => {
  const pg = await createTempDatabase('postgresql');
  try {
    const file = path.join(dir, 'people.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, code VARCHAR(5) NOT NULL)');
    for (let i = 1; i <= 20; i++) db.prepare('INSERT INTO people VALUES (?, ?)').run(i, i === 5 ? 'much-too-long' : `c${i}`);
    db.close();
    const handle = await startMigration(h, { type: 'sqlite', connectionString: file }, { ...pg.endpoint, schema: 'replay_now' }, 'aggressive', { validation: { failed_hold_seconds: 600 } });
    await handle.executeUpdate(startUpdate);
    const failed = await waitForStatus(handle, (s) => s.status === 'failed');
    const row = failed.errors.find((e) => e.code === 'RowRejected');
    const validation = failed.errors.find((e) => e.code === 'ValidationFailed');
    await handle.executeUpdate(resolveErrorUpdate, { args: [{ errorId: validation!.id, by: 'test' }] });
    const fix = new Database(file);
    fix.prepare('UPDATE people SET code = ? WHERE id = 5').run('c5');
    fix.close();
    expect((await handle.executeUpdate(retryErrorUpdate, { args: [{ errorId: row!.id, by: 'test' }] })).outcome).toBe('copied');
    await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test' }] });
    expect((await handle.result()).status).toBe('completed');

    const history = await handle.fetchHistory();
    const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    expect(markers.length).toBeGreaterThanOrEqual(1);
    const activities = (history.events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(activities).toEqual(expect.arrayContaining(['recordResults', 'recordValidation', 'recordOutcome']));
    await replay(history, handle.workflowId);
  } finally {
    await pg.drop();
  }
});
