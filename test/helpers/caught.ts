import type { WorkflowHandle } from '@temporalio/client';
import type { ValidationReport } from '../../lib/migration';
import type { Endpoint } from '../../connectors/types';
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, planQuery, revalidateUpdate, startUpdate, validationQuery, type migrationWorkflow } from '../../workflows/migration';
import type { TempDatabase } from './databases';
import { isOver, startMigration, waitForStatus, type MigrationHarness } from './temporal';

/** Starts a migration, approves it at the gate when it stops there, and waits for it to end (whatever the end). */
export async function migrateApproving(harness: MigrationHarness, source: Endpoint, target: Endpoint) {
  const handle = await startMigration(harness, source, target, 'balanced', { auto_approve_high_confidence: true, chunk_size: 100 });
  await handle.executeUpdate(startUpdate);
  const gate = await waitForStatus(handle, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
  const plan = (await handle.query(planQuery)) as MigrationPlan;
  if (gate.status === 'awaiting_approval') await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);
  return { status, plan, workflowId: handle.workflowId };
}

/**
 * Runs a migration to its end, approving at the gate when it stops there, and holds it open (validation holds of 600 s)
 * so the test can change the target and validate again. It must complete with validation passed.
 */
export async function migrateHeldOpen(harness: MigrationHarness, source: TempDatabase, target: TempDatabase, chunkSize: number) {
  const hold = { completed_hold_seconds: 600, failed_hold_seconds: 600 };
  const handle = await startMigration(harness, source.endpoint, target.endpoint, 'balanced', { auto_approve_high_confidence: true, chunk_size: chunkSize, validation: hold });
  await handle.executeUpdate(startUpdate);
  const paused = await waitForStatus(handle, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
  const plan = (await handle.query(planQuery)) as MigrationPlan;
  expect(plan.blockers).toEqual([]);
  if (paused.status === 'awaiting_approval') await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  const mapping = (column: string) => plan.tables[0].columns.find((c) => c.column === column)!;
  return { handle, plan, mapping, gated: paused.status === 'awaiting_approval' };
}

/**
 * Changes one value per type family in the target (row id → `SET` clause of `UPDATE <table>`), validates the
 * held-open migration again, and expects the semantic tier to name exactly those rows; then ends the run.
 */
export async function expectChangesCaught(
  handle: WorkflowHandle<typeof migrationWorkflow>,
  change: (sql: string) => Promise<unknown>,
  changes: Record<number, string>,
  table = 'zoo',
): Promise<void> {
  for (const [id, set] of Object.entries(changes)) await change(`UPDATE ${table} SET ${set} WHERE id = ${id}`);
  await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test', reason: 'one value changed per type family' }] });
  const failed = await waitForStatus(handle, (s) => s.status === 'failed' && s.validation?.attempt === 2, 240_000);
  expect(failed.failure?.code).toBe('ValidationFailed');
  const report = (await handle.query(validationQuery)) as ValidationReport;
  const changed = (report.results.semantic?.findings ?? []).filter((f) => f.check === 'row_changed').map((f) => Number(Object.values(f.key ?? {})[0]));
  expect(changed.sort((a, b) => a - b)).toEqual(Object.keys(changes).map(Number));
  await handle.terminate('test over');
}
