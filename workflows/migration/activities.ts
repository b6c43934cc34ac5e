/** The activities the migration calls, grouped by how they should time out and retry. */
import * as wf from '@temporalio/workflow';
import type { MigrationActivities } from '../../activities';
import { COPY_RETRY_DEFAULTS, type MigrationOptions } from '../../lib/migration';

const NON_RETRYABLE = ['UnknownDialect', 'DriverMissing', 'NotSupported', 'AuthenticationFailed', 'InvalidConnectionString', 'NotAllowed', 'SchemaNotFound', 'TableNotFound', 'TargetTableNotEmpty', 'WriteFailed'];

/** Schema work: a few quick retries, then the migration fails with the reason. */
export const schemaWork = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 4, nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * Finalizing the target (indexes, foreign keys, a versioned table's history): as schema work, with the time a large
 * table's index builds and history load take; it heartbeats while they run.
 */
export const finalizeWork = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 4, nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * Copying: a chunk is idempotent, so it is retried patiently through database blips and worker crashes, within
 * the migration's retry budget (options.copy_retry; what happens when it runs out: see transfer.ts).
 */
export function copyActivities(options: MigrationOptions) {
  const retry = { ...COPY_RETRY_DEFAULTS, ...options.copy_retry };
  return wf.proxyActivities<MigrationActivities>({
    startToCloseTimeout: '30 minutes',
    // A chunk heartbeats before its read and before its write; a killed worker's chunk is retried after this.
    heartbeatTimeout: '30s',
    retry: {
      initialInterval: '1s',
      backoffCoefficient: 2,
      maximumInterval: `${retry.max_interval_seconds}s`,
      maximumAttempts: retry.max_attempts,
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
}

/** A copy activity that ran out of attempts or time (the database stayed away), as opposed to one that cannot succeed. */
export function retriesExhausted(err: unknown): boolean {
  return err instanceof wf.ActivityFailure && (err.retryState === 'MAXIMUM_ATTEMPTS_REACHED' || err.retryState === 'TIMEOUT');
}

/** Validation tiers: long reads that heartbeat per table or chunk and resume from their heartbeat after a crash. */
export const validationWork = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
});

/** The listing index in the metadata store: quick, few retries, never blocks or fails a migration. */
export const indexWork = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', maximumAttempts: 3 },
});

/**
 * Results users keep (timeline, errors, validation reports, the final status) go to the metadata store: patient
 * retries, since they must outlive the workflow, but a store that stays away never fails a migration.
 */
export const resultWork = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});
