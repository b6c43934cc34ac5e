/** When a client may act on a migration: the rules the update validators refuse with, and the API tells for a closed migration. */
import type { MigrationError, MigrationStatus } from '../../lib/migration';
import {
  cancelRefusal,
  pauseRefusal,
  resumeRefusal,
  retryReopenRefusal,
  revalidateReopenRefusal,
  rowRetryRefusal,
} from '../../workflows/migration/rules';

const ended = (status: MigrationStatus['status'], failureCode?: string) =>
  ({ status, failure: failureCode ? { code: failureCode, message: 'x' } : null }) as MigrationStatus;

test('pause is taken while the migration runs, waits at the gate or is paused already', () => {
  expect(['running', 'awaiting_approval', 'paused'].map((s) => pauseRefusal(s as MigrationStatus['status']))).toEqual([null, null, null]);
  expect(pauseRefusal('created')).toBe('cannot pause a migration that is created');
  expect(pauseRefusal('completed')).toBe('cannot pause a migration that is completed');
});

test('resume only of a paused migration; cancel until it is over', () => {
  expect(resumeRefusal('paused')).toBeNull();
  expect(resumeRefusal('running')).toBe('cannot resume a migration that is running');
  expect(cancelRefusal('created')).toBeNull();
  expect(cancelRefusal('awaiting_approval')).toBeNull();
  expect(cancelRefusal('failed')).toBe('migration is already failed');
  expect(cancelRefusal('cancelled')).toBe('migration is already cancelled');
});

test('a closed migration opens again for a validation re-run only if it completed or its validation failed, and its run ended by itself', () => {
  expect(revalidateReopenRefusal(ended('completed'), 'COMPLETED')).toBeNull();
  expect(revalidateReopenRefusal(ended('failed', 'ValidationFailed'), 'FAILED')).toBeNull();
  expect(revalidateReopenRefusal(ended('failed', 'RowsRejected'), 'FAILED')).toBe('validation cannot be re-run: migration is failed');
  expect(revalidateReopenRefusal(ended('cancelled'), 'COMPLETED')).toBe('validation cannot be re-run: migration is cancelled');
  expect(revalidateReopenRefusal(ended('completed'), 'TERMINATED')).toBe('validation cannot be re-run: migration is completed');
});

test('a row is retried only when it is an unresolved rejected row of a migration that ended by itself', () => {
  const row: MigrationError = { id: 'err_1', phase: 'data_transfer', code: 'RowRejected', table: 't', key: ['7'], message: 'too long', at: '2026-01-01T00:00:00Z' };
  expect(rowRetryRefusal('err_1', row)).toBeNull();
  expect(rowRetryRefusal('err_1', { ...row, resolved_at: '2026-01-02T00:00:00Z' })).toBe('error err_1 is already resolved');
  expect(rowRetryRefusal('err_2', { ...row, code: 'ValidationFailed', key: undefined })).toBe('error err_2 is not a rejected row; only rows can be retried');
  expect(retryReopenRefusal(ended('failed', 'RowsRejected'), 'FAILED')).toBeNull();
  expect(retryReopenRefusal(ended('cancelled'), 'COMPLETED')).toBe('rows cannot be retried: migration is cancelled');
  expect(retryReopenRefusal(ended('completed'), 'TERMINATED')).toBe('rows cannot be retried: migration is completed');
});
