import type { WorkflowHandle } from '@temporalio/client';
import type { ValidationReport } from '../../lib/migration';
import { revalidateUpdate, validationQuery, type migrationWorkflow } from '../../workflows/migration';
import { waitForStatus } from './temporal';

/**
 * Changes one value per type family in the target (row id → `SET` clause of `UPDATE zoo`), validates the held-open
 * migration again, and expects the semantic tier to name exactly those rows; then ends the run.
 */
export async function expectChangesCaught(
  handle: WorkflowHandle<typeof migrationWorkflow>,
  change: (sql: string) => Promise<unknown>,
  changes: Record<number, string>,
): Promise<void> {
  for (const [id, set] of Object.entries(changes)) await change(`UPDATE zoo SET ${set} WHERE id = ${id}`);
  await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test', reason: 'one value changed per type family' }] });
  const failed = await waitForStatus(handle, (s) => s.status === 'failed' && s.validation?.attempt === 2, 240_000);
  expect(failed.failure?.code).toBe('ValidationFailed');
  const report = (await handle.query(validationQuery)) as ValidationReport;
  const changed = (report.results.semantic?.findings ?? []).filter((f) => f.check === 'row_changed').map((f) => Number(Object.values(f.key ?? {})[0]));
  expect(changed.sort((a, b) => a - b)).toEqual(Object.keys(changes).map(Number));
  await handle.terminate('test over');
}
