/**
 * When a client may act on a migration. The update validators (handlers.ts) refuse with these reasons while the
 * workflow runs; once it has closed, no validator answers, and the API tells the same reasons from the final
 * status (and opens a closed migration again only when these rules allow it).
 */
import { TERMINAL_STATUSES, type MigrationError, type MigrationStatus, type MigrationStatusValue } from '../../lib/migration';

/** A pause is taken while the migration runs or waits at the gate; a second one changes nothing. */
export function pauseRefusal(status: MigrationStatusValue): string | null {
  return status === 'running' || status === 'awaiting_approval' || status === 'paused' ? null : `cannot pause a migration that is ${status}`;
}

export function resumeRefusal(status: MigrationStatusValue): string | null {
  return status === 'paused' ? null : `cannot resume a migration that is ${status}`;
}

export function cancelRefusal(status: MigrationStatusValue): string | null {
  return TERMINAL_STATUSES.includes(status) ? `migration is already ${status}` : null;
}

/** How Temporal closed a run that ended by itself (not cancelled, terminated or timed out): only such a run is opened again. */
const ENDED_BY_ITSELF = ['COMPLETED', 'FAILED'];

/** A migration that completed, or whose validation failed, can run validation again, also once its workflow has closed. */
export function reopensForValidation(status: MigrationStatus): boolean {
  return status.status === 'completed' || (status.status === 'failed' && status.failure?.code === 'ValidationFailed');
}

/** Why a closed migration (its final status, and how Temporal closed its run) is not opened again for a validation re-run. */
export function revalidateReopenRefusal(status: MigrationStatus, closedAs: string): string | null {
  return reopensForValidation(status) && ENDED_BY_ITSELF.includes(closedAs) ? null : `validation cannot be re-run: migration is ${status.status}`;
}

/** Why this error's row cannot be copied again (the workflow's retryErrorUpdate validator checks the plan too). */
export function rowRetryRefusal(errorId: string, error: MigrationError): string | null {
  if (error.code === 'RowRejected' && error.table && !error.key) {
    return `error ${errorId} is a row of table ${error.table}, which has no key: it cannot be copied alone (fix it at the source, then migrate the table again)`;
  }
  if (error.code !== 'RowRejected' || !error.key || !error.table) return `error ${errorId} is not a rejected row; only rows can be retried`;
  if (error.resolved_at) return `error ${errorId} is already resolved`;
  return null;
}

/** Why a closed migration is not opened again to copy a rejected row again. */
export function retryReopenRefusal(status: MigrationStatus, closedAs: string): string | null {
  return (status.status === 'completed' || status.status === 'failed') && ENDED_BY_ITSELF.includes(closedAs) ? null : `rows cannot be retried: migration is ${status.status}`;
}
