/** Pure helpers of the migration workflow: its initial state, the status it reports, failure descriptions. */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { PHASES, type MigrationInput, type MigrationState, type MigrationStatus, type TableProgress } from '../lib/migration';

export function initialState(input: MigrationInput): MigrationState {
  return {
    status: 'created',
    phase: null,
    phases: Object.fromEntries(PHASES.map((p) => [p, { status: 'pending', started_at: null, completed_at: null }])) as MigrationState['phases'],
    paused: false,
    cancelRequested: false,
    started_at: null,
    completed_at: null,
    schema: null,
    plan: null,
    gate: null,
    tables: [],
    validation: null,
    errors: [],
    errors_total: 0,
    failure: null,
    runs: input.carried?.runs ?? 0,
  };
}

export function progressOf(tables: TableProgress[]): MigrationStatus['progress'] {
  const rowsCopied = tables.reduce((n, t) => n + t.rows_copied, 0);
  // An estimate can be stale: once copying passes it, the copied count is the better estimate.
  const rowsEstimated = tables.reduce((n, t) => n + (t.status === 'completed' ? t.rows_copied : Math.max(t.rows_estimated, t.rows_copied)), 0);
  const completed = tables.filter((t) => t.status === 'completed').length;
  const percent = tables.length === 0 ? 0 : rowsEstimated === 0 ? (100 * completed) / tables.length : (100 * rowsCopied) / rowsEstimated;
  return {
    tables_total: tables.length,
    tables_completed: completed,
    rows_copied: rowsCopied,
    rows_estimated: rowsEstimated,
    percent: Math.round(Math.min(100, percent) * 10) / 10,
  };
}

/** The status clients see (paused and awaiting_approval are states of `running`): cheap, unlike displayStatus. */
export function shownStatusName(state: MigrationState): MigrationStatus['status'] {
  if (state.status !== 'running') return state.status;
  if (state.paused && !state.cancelRequested) return 'paused';
  if (state.gate?.state === 'pending') return 'awaiting_approval';
  return state.status;
}

/** The source schema's name and the target's, as the status and the certificate show them (the run may hold only DocumentRefs). */
export function schemaNames(input: MigrationInput, state: MigrationState): { source: string | null; target: string | null } {
  const refs = state.documentRefs;
  return {
    source: state.schema?.schema ?? refs?.sourceSchema ?? input.source.schema ?? null,
    target: state.plan?.targetSchema ?? refs?.targetSchema ?? input.target.schema ?? null,
  };
}

export function displayStatus(input: MigrationInput, state: MigrationState): MigrationStatus {
  const status = shownStatusName(state);
  const completedAt = state.completed_at;
  return {
    id: input.id,
    name: input.name,
    status,
    phase: state.phase,
    strategy: input.strategy,
    source: {
      type: input.source.type,
      description: input.source.description,
      schema: schemaNames(input, state).source,
      tables: input.source.tables ?? null,
      exclude_tables: input.source.excludeTables ?? null,
    },
    target: { type: input.target.type, description: input.target.description, schema: schemaNames(input, state).target },
    phases: PHASES.map((name) => ({ name, ...state.phases[name] })),
    gate: state.gate,
    progress: progressOf(state.tables),
    tables: state.tables,
    validation: state.validation,
    certificate: state.certificateSummary ?? null,
    errors: state.errors,
    errors_total: state.errors_total,
    failure: state.failure,
    pause_reason: status === 'paused' ? (state.pause_reason ?? null) : null,
    created_at: input.createdAt,
    started_at: state.started_at,
    completed_at: completedAt,
    duration_ms: state.started_at && completedAt ? Date.parse(completedAt) - Date.parse(state.started_at) : null,
  };
}

/** A failure's type and message as the status shows them: the innermost application failure says why. */
export function describeFailure(err: unknown): { code: string; message: string } {
  let current: unknown = err;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure) return { code: current.type ?? 'ApplicationFailure', message: current.message };
  if (current instanceof TimeoutFailure) return { code: 'Timeout', message: `activity timed out (${current.timeoutType})` };
  if (current instanceof Error) return { code: current.name || 'Error', message: current.message };
  return { code: 'Error', message: String(current) };
}
