/**
 * What a client can say to a migration and ask it: its updates, signals and queries, with their argument types.
 * The API, the CLI, the SDK's server side and the tests import these; the workflow registers their handlers
 * (handlers.ts). The rules of when each is allowed are in rules.ts.
 */
import * as wf from '@temporalio/workflow';
import type { Certificate } from '../../lib/certificate';
import type { DocumentRefs, GateState, MigrationError, MigrationInput, MigrationStatus, TableProgress, ValidationReport, ValidationState } from '../../lib/migration';
import type { MappingEdit } from '../../lib/mapping-edit';
import type { ColumnMapping, MigrationPlan, SchemaInfo } from '../../lib/types';

export interface GateDecision {
  /** Who decided (user, key or pipeline name); recorded in the status. */
  by?: string;
  comment?: string;
}

export interface MigrationConfigPatch {
  name?: string;
  strategy?: MigrationInput['strategy'];
  options?: MigrationInput['options'];
}

/**
 * Which error an operator acts on. `error` is its record in the metadata store, for an error the workflow does not
 * keep (it keeps the first MAX_ERRORS_KEPT; the store keeps them all).
 */
export interface ErrorRequest {
  errorId: string;
  by: string;
  error?: MigrationError;
}

/** Who asked for a validation re-run (recorded in the workflow log), and why. */
export type RevalidateRequest = NonNullable<MigrationInput['revalidation']>;

// ---- updates: answered once the workflow took them; a validator refuses one that is not allowed now ----

/** Starts a created migration. Refused unless the migration is `created`. */
export const startUpdate = wf.defineUpdate<MigrationStatus>('start');
/** Changes name, strategy or options of a migration that has not started. */
export const configureUpdate = wf.defineUpdate<MigrationStatus, [MigrationConfigPatch]>('configure');
/** Opens the approval gate. Refused unless the migration waits at the gate. */
export const approveUpdate = wf.defineUpdate<GateState, [GateDecision]>('approve');
/** Closes the gate for good: the migration ends `cancelled`. Refused unless it waits at the gate. */
export const rejectUpdate = wf.defineUpdate<GateState, [GateDecision]>('reject');
/**
 * Edits planned mappings while the gate waits; answers the edited mappings, the tables left out, the plan's blockers
 * and the gate as they now stand.
 */
export const editMappingsUpdate = wf.defineUpdate<{ edited: ColumnMapping[]; excluded?: string[]; blockers?: string[]; gate: GateState }, [MappingEdit[]]>('editMappings');
/** Which source tables to leave out of a migration waiting at the gate, who asked, and edits to make with it. */
export interface ExcludeTablesRequest {
  tables: string[];
  by: string;
  /** Mapping edits of the other tables, made in the same change of the plan. */
  edits?: MappingEdit[];
}
/**
 * Leaves tables out while the gate waits: the source is analysed and the mapping planned again without them (mapping
 * edits of the other tables kept, and those asked with it made); answers the tables left out so far, the edited
 * mappings, the blockers that remain and the gate as it now stands.
 */
export const excludeTablesUpdate = wf.defineUpdate<{ excluded: string[]; edited?: ColumnMapping[]; leftOut?: string[]; blockers: string[]; gate: GateState }, [ExcludeTablesRequest]>('excludeTables');
/** Object mappings (lib/object-mappings.ts: an index, a CHECK, …) to leave out at the gate, and who asked. */
export interface LeaveOutRequest {
  ids: string[];
  by: string;
}
/** Leaves schema objects out while the gate waits; answers those left out so far, the blockers left and the gate. */
export const leaveOutObjectsUpdate = wf.defineUpdate<{ leftOut: string[]; excluded?: string[]; blockers: string[]; gate: GateState }, [LeaveOutRequest]>('leaveOutObjects');
/** Holds copying still after the chunks in flight commit. Refused unless the migration runs, waits at the gate or is paused. */
export const pauseUpdate = wf.defineUpdate<MigrationStatus>('pauseMigration');
/** Lets a paused migration carry on from its checkpoints. Refused unless it is paused. */
export const resumeUpdate = wf.defineUpdate<MigrationStatus>('resumeMigration');
/** Stops after the chunks in flight commit; the migration ends `cancelled`. Refused once it is over. */
export const cancelUpdate = wf.defineUpdate<MigrationStatus, [{ reason?: string }]>('cancelMigration');
/** Marks an error resolved (an operator looked at it). */
export const resolveErrorUpdate = wf.defineUpdate<MigrationError, [ErrorRequest & { note?: string }]>('resolveError');
/** Copies a rejected row again (after its value was fixed at the source, or the target was changed). */
export const retryErrorUpdate = wf.defineUpdate<{ outcome: 'copied' | 'rejected_again' | 'gone_from_source'; error: MigrationError }, [ErrorRequest]>('retryError');
/**
 * Runs the five tiers again, after the operator fixed the data. Accepted while validation failed and the
 * migration waits for a re-run (options.validation.failed_hold_seconds), or while a completed migration
 * still accepts re-runs (options.validation.completed_hold_seconds). Answers the validation state as it starts.
 */
export const revalidateUpdate = wf.defineUpdate<ValidationState, [RevalidateRequest]>('revalidate');

// ---- signals: what pause, resume and cancel were before they were updates ----
// Still handled, like the updates but without their refusals: histories of runs that got them replay, and a
// client of that time still works. New callers use pauseUpdate, resumeUpdate and cancelUpdate.

export const pauseSignal = wf.defineSignal('pause');
export const resumeSignal = wf.defineSignal('resume');
export const cancelSignal = wf.defineSignal<[{ reason?: string }]>('cancel');

// ---- queries ----

export const statusQuery = wf.defineQuery<MigrationStatus>('status');
/** A page of per-table progress, in plan order: [offset, limit]. */
export const tablesQuery = wf.defineQuery<{ total: number; tables: TableProgress[] }, [number, number]>('tables');
export const planQuery = wf.defineQuery<MigrationPlan | null>('plan');
export const schemaQuery = wf.defineQuery<SchemaInfo | null>('schema');
/** The keys of the schema and the plan in the metadata store, in a run that holds only those (planQuery and schemaQuery answer null there). */
export const documentRefsQuery = wf.defineQuery<DocumentRefs | null>('document-refs');
/** The latest validation run: per-tier verdicts and full results (findings name tables, columns and keys). */
export const validationQuery = wf.defineQuery<ValidationReport | null>('validation');
/** The signed Behavioral Equivalence Certificate, once issued (null before, and after a failed re-run). */
export const certificateQuery = wf.defineQuery<Certificate | null>('certificate');
/**
 * The input a new run needs to carry on from where this one is (its state included): how a closed migration
 * is opened again for a validation re-run. Holds sealed connection references, never clear text.
 */
export const carryOnQuery = wf.defineQuery<MigrationInput>('carryOn');
