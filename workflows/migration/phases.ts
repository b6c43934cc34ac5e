/** What each phase does, in the order of PHASES; data transfer and validation have their own modules. */
import * as wf from '@temporalio/workflow';
import { approvalNeed, type Phase, type StrategySettings, type TableProgress } from '../../lib/migration';
import type { SchemaInfo, TablePlan } from '../../lib/types';
import { finalizeWork, schemaWork } from './activities';
import { MigrationCancelled, refuse, type MigrationRun } from './run';
import { RETRIES_PATCH, transferData } from './transfer';
import { acceptRevalidationWhileCompleted, certify, validateUntilPassed } from './validation';

export async function runPhase(run: MigrationRun, phase: Phase): Promise<'completed' | 'skipped' | 'continue_as_new'> {
  const { input, state } = run;
  switch (phase) {
    case 'schema_analysis':
      state.schema = await schemaWork.analyzeSource({ source: input.source });
      if (state.schema.tables.length === 0) refuse('NoTables', `no tables found in source schema "${state.schema.schema}"`);
      return 'completed';
    case 'mapping':
      await mapAndAwaitApproval(run);
      return 'completed';
    case 'schema_creation': {
      const created = await schemaWork.createTargetTables({
        target: input.target,
        plan: run.plan(),
        replace: input.options.replace_existing_tables ?? false,
      });
      if (wf.patched(NOT_CREATED_PATCH)) recordNotCreated(run, created?.skippedObjects ?? [], []);
      return 'completed';
    }
    case 'data_transfer': {
      if ((await transferData(run)) === 'drained') return 'continue_as_new';
      const history = wf.patched(HISTORY_PATCH);
      const finalized = await (history ? finalizeWork : schemaWork).finalizeTarget({ target: input.target, ...run.planCarrier(), ...(history ? { source: input.source } : {}) });
      if (wf.patched(NOT_CREATED_PATCH)) recordNotCreated(run, finalized?.skippedObjects ?? [], finalized?.skippedForeignKeys ?? []);
      if (wf.patched(UNCHECKED_PATCH)) recordUnchecked(run, finalized?.uncheckedForeignKeys ?? []);
      if (wf.patched(REFUSED_PATCH)) recordRefused(run, finalized?.refusedForeignKeys ?? []);
      return 'completed';
    }
    case 'validation':
      await validateUntilPassed(run);
      return 'completed';
    case 'certification':
      await certify(run);
      await acceptRevalidationWhileCompleted(run);
      return 'completed';
  }
}

/**
 * Runs started before the finalize read a system-versioned table's history from the source (with the time and the
 * heartbeats that takes: finalizeWork) replay without it.
 */
const HISTORY_PATCH = 'finalize-reads-source-history';

/**
 * Runs started before schema objects the target refused (a view, a trigger, a foreign key to a table left out) were
 * recorded replay without it (workflow versioning): those were only in the worker's log.
 */
const NOT_CREATED_PATCH = 'objects-not-created-recorded';

/**
 * What the target could not be given, as errors (GET …/errors, the status's errors) the migration still completes
 * with: the tables and their rows are whole, and the user sees what to create by hand.
 */
/** Foreign keys the target made without checking the rows copied are recorded as errors (finalizeTarget's uncheckedForeignKeys). */
const UNCHECKED_PATCH = 'foreign-keys-unchecked-recorded';

function recordUnchecked(run: MigrationRun, foreignKeys: string[]): void {
  for (const fk of foreignKeys) {
    run.recordError(
      'ForeignKeyNotValidated',
      `foreign key ${fk} created without checking the rows copied: some of them reference no row, as they did in the source (the referential tier counts them on both sides); it holds for rows written from now on`,
    );
  }
}

/** Foreign keys the target refused as declared are recorded as errors (finalizeTarget's refusedForeignKeys). */
const REFUSED_PATCH = 'foreign-keys-refused-recorded';

function recordRefused(run: MigrationRun, foreignKeys: string[]): void {
  for (const fk of foreignKeys) {
    const [key, ...reason] = fk.split(': ');
    run.recordError('ForeignKeyNotCreated', `foreign key ${key} not created: the target refused it (${reason.join(': ')}); every row is copied, and the key is to create by hand`);
  }
}

function recordNotCreated(run: MigrationRun, objects: string[], foreignKeys: string[]): void {
  for (const object of objects) run.recordError('ObjectNotCreated', `not created on the target: ${object}`);
  for (const fk of foreignKeys) run.recordError('ForeignKeyNotCreated', `foreign key ${fk} not created: the referenced table is not part of this migration`);
}

/**
 * A plan with blockers waits at the gate, whatever the strategy, until edits or tables left out end them (handlers.ts);
 * runs started before this failed at once (`UnsupportedColumnType`).
 */
const BLOCKERS_AT_GATE_PATCH = 'blockers-wait-at-gate';

/**
 * Plans the mapping; when the strategy wants a person to look at it, or the plan has blockers, waits at the approval
 * gate.
 */
async function mapAndAwaitApproval(run: MigrationRun): Promise<void> {
  const { input, state } = run;
  const mapped = await schemaWork.planMapping({ schema: state.schema as SchemaInfo, target: input.target });
  state.plan = mapped;
  // What cannot be moved as planned waits at the gate (approvalNeed), where an edit or leaving a table out ends it.
  if (mapped.blockers.length > 0 && !wf.patched(BLOCKERS_AT_GATE_PATCH)) {
    refuse('UnsupportedColumnType', `the mapping cannot run: ${mapped.blockers.join('; ')}`);
  }
  const countsRetries = wf.patched(RETRIES_PATCH);
  state.tables = mapped.tables.map((t) => tableProgress(t, run.settings, countsRetries));
  const need = approvalNeed(mapped, input.strategy, input.options);
  state.gate = {
    required: need.required,
    state: need.required ? 'pending' : 'auto_approved',
    reason: need.reason,
    min_confidence: mapped.minConfidence,
  };
  if (!need.required) return;
  await run.emit('migration.phase.completed', { phase: 'mapping', next_phase: 'schema_creation', requires_approval: true, gate: state.gate });
  await wf.condition(() => state.gate?.state !== 'pending' || state.cancelRequested);
  if (state.cancelRequested) throw new MigrationCancelled();
  if (state.gate.state === 'rejected') {
    state.cancelRequested = true;
    state.failure = { code: 'MappingRejected', message: `mapping rejected by ${state.gate.decided_by}${state.gate.comment ? `: ${state.gate.comment}` : ''}` };
    throw new MigrationCancelled();
  }
}

/** A table's progress before its copy; `countsRetries`: whether this run counts chunk retries (see transfer.ts). */
export function tableProgress(table: TablePlan, settings: StrategySettings, countsRetries: boolean): TableProgress {
  return {
    name: table.source.name,
    status: 'pending',
    copy_mode: table.copyMode,
    rows_copied: 0,
    rows_estimated: Math.max(0, table.source.rowEstimate),
    rows_rejected: 0,
    chunks: 0,
    ...(countsRetries ? { chunk_retries: 0 } : {}),
    chunk_size: settings.chunkRows,
    last_key: null,
    started_at: null,
    completed_at: null,
  };
}
