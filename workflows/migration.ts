/**
 * One database migration, start to finish:
 *   created → schema_analysis → mapping → [approval gate] → schema_creation → data_transfer → validation
 *   → certification → completed   (or failed / cancelled)
 * Everything that touches a database is an activity; this file only decides what happens next.
 */
import * as wf from '@temporalio/workflow';
import type { MigrationActivities, RejectedRow } from '../activities';
import type { Certificate } from '../lib/certificate';
import {
  COPY_RETRY_DEFAULTS,
  MAX_ERRORS_KEPT,
  PHASES,
  approvalNeed,
  nextChunkSize,
  strategySettings,
  tablePartitions,
  type GateState,
  type KeyRangeProgress,
  type MigrationError,
  type MigrationInput,
  type MigrationOptions,
  type MigrationState,
  type MigrationStatus,
  type Phase,
  type StrategySettings,
  type TableProgress,
  type TierResult,
  type TimelineEvent,
  type ValidationReport,
  type ValidationState,
  type ValidationTier,
  VALIDATION_TIERS,
  diagnoseValidation,
} from '../lib/migration';
import { applyMappingEdits, mappingEditProblem, type MappingEdit } from '../lib/mapping-edit';
import type { ColumnMapping, Key, MigrationPlan, SchemaInfo, TablePlan } from '../lib/types';
import type { WebhookEvent } from '../lib/webhooks';
import { describeFailure, displayStatus, initialState, progressOf } from './state';
import { webhookDeliveryWorkflow } from './webhooks';

// ---- the contract: exported next to the workflow that handles it ----

export interface GateDecision {
  /** Who decided (user, key or pipeline name); recorded in the status. */
  by?: string;
  comment?: string;
}

/** Starts a created migration. Refused unless the migration is `created`. */
export const startUpdate = wf.defineUpdate<MigrationStatus>('start');
/** Opens the approval gate. Refused unless the migration waits at the gate. */
export const approveUpdate = wf.defineUpdate<GateState, [GateDecision]>('approve');
/** Closes the gate for good: the migration ends `cancelled`. Refused unless it waits at the gate. */
export const rejectUpdate = wf.defineUpdate<GateState, [GateDecision]>('reject');
/** Changes name, strategy or options of a migration that has not started. */
export const configureUpdate = wf.defineUpdate<MigrationStatus, [MigrationConfigPatch]>('configure');
/** Edits planned mappings while the gate waits; answers the edited mappings and the gate as it now stands. */
export const editMappingsUpdate = wf.defineUpdate<{ edited: ColumnMapping[]; gate: GateState }, [MappingEdit[]]>('editMappings');
/**
 * Which error an operator acts on. `error` is its record in the metadata store, for an error the workflow does not
 * keep (it keeps the first MAX_ERRORS_KEPT; the store keeps them all).
 */
export interface ErrorRequest {
  errorId: string;
  by: string;
  error?: MigrationError;
}

/** Marks an error resolved (an operator looked at it). */
export const resolveErrorUpdate = wf.defineUpdate<MigrationError, [ErrorRequest & { note?: string }]>('resolveError');

/** Copies a rejected row again (after its value was fixed at the source, or the target was changed). */
export const retryErrorUpdate = wf.defineUpdate<{ outcome: 'copied' | 'rejected_again' | 'gone_from_source'; error: MigrationError }, [ErrorRequest]>('retryError');

export interface MigrationConfigPatch {
  name?: string;
  strategy?: MigrationInput['strategy'];
  options?: MigrationInput['options'];
}

/** Holds copying still after the chunks in flight commit. */
export const pauseSignal = wf.defineSignal('pause');
export const resumeSignal = wf.defineSignal('resume');
/** Stops after the chunks in flight commit; the migration ends `cancelled`. */
export const cancelSignal = wf.defineSignal<[{ reason?: string }]>('cancel');
export const statusQuery = wf.defineQuery<MigrationStatus>('status');
export const planQuery = wf.defineQuery<MigrationPlan | null>('plan');
export const schemaQuery = wf.defineQuery<SchemaInfo | null>('schema');
/** The latest validation run: per-tier verdicts and full results (findings name tables, columns and keys). */
export const validationQuery = wf.defineQuery<ValidationReport | null>('validation');
/** The signed Behavioral Equivalence Certificate, once issued (null before, and after a failed re-run). */
export const certificateQuery = wf.defineQuery<Certificate | null>('certificate');

/** Who asked for a validation re-run (recorded in the workflow log), and why. */
export type RevalidateRequest = NonNullable<MigrationInput['revalidation']>;
/**
 * Runs the five tiers again, after the operator fixed the data. Accepted while validation failed and the
 * migration waits for a re-run (options.validation.failed_hold_seconds), or while a completed migration
 * still accepts re-runs (options.validation.completed_hold_seconds). Answers the validation state as it starts.
 */
export const revalidateUpdate = wf.defineUpdate<ValidationState, [RevalidateRequest]>('revalidate');
/**
 * The input a new run needs to carry on from where this one is (its state included): how a closed migration
 * is opened again for a validation re-run. Holds sealed connection references, never clear text.
 */
export const carryOnQuery = wf.defineQuery<MigrationInput>('carryOn');

// ---- activities, grouped by how they should time out and retry ----

const NON_RETRYABLE = ['UnknownDialect', 'DriverMissing', 'NotSupported', 'AuthenticationFailed', 'InvalidConnectionString', 'NotAllowed', 'SchemaNotFound', 'TableNotFound', 'TargetTableNotEmpty', 'WriteFailed'];

/** Schema work: a few quick retries, then the migration fails with the reason. */
const schemaWork = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s', maximumAttempts: 4, nonRetryableErrorTypes: NON_RETRYABLE },
});

/**
 * Copying: a chunk is idempotent, so it is retried patiently through database blips and worker crashes, within
 * the migration's retry budget (options.copy_retry; what happens when it runs out: see transferData).
 */
function copyActivities(options: MigrationOptions) {
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
function retriesExhausted(err: unknown): boolean {
  return (
    err instanceof wf.ActivityFailure &&
    (err.retryState === 'MAXIMUM_ATTEMPTS_REACHED' || err.retryState === 'TIMEOUT')
  );
}

/** Validation tiers: long reads that heartbeat per table or chunk and resume from their heartbeat after a crash. */
const validationWork = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '4 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
});

/** A failed validation waits this long for a re-run before the migration ends failed (7 days). */
const DEFAULT_FAILED_HOLD_SECONDS = 7 * 24 * 3600;

/** The listing index in the metadata store: quick, few retries, never blocks or fails a migration. */
const indexWork = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', maximumAttempts: 3 },
});

/**
 * Results users keep (timeline, errors, validation reports, the final status) go to the metadata store: patient
 * retries, since they must outlive the workflow, but a store that stays away never fails a migration.
 */
const resultWork = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

/** Runs started before results were written to the metadata store replay without it (workflow versioning). */
const RESULTS_PATCH = 'results-in-store';
/** …but still write their final status there when they end. */
const OUTCOME_PATCH = 'outcome-in-store';

/** A closed migration opened again to retry rejected rows waits this long for the first retry… */
const REOPENED_FIRST_RETRY_WAIT = '1 minute';
/** …and closes again once no retry came for this long (retries of several rows in a row share the run). */
const REOPENED_LINGER = '3 seconds';

/** Beyond this many history events the workflow continues as new, carrying its checkpoints. */
const HISTORY_EVENTS_LIMIT = 8_000;

class MigrationCancelled extends Error {}

export async function migrationWorkflow(input: MigrationInput): Promise<MigrationStatus> {
  const state: MigrationState = input.carried ?? initialState(input);
  // Whether this run writes its results to the metadata store as they are produced (decided once: see RESULTS_PATCH).
  const persists = wf.patched(RESULTS_PATCH);
  let settings = strategySettings(input.strategy, input.options);
  let copyWork = copyActivities(input.options);
  const status = (): MigrationStatus => displayStatus(input, state);
  const now = () => new Date().toISOString();
  // Before any handler is set, so a signal delivered with the first task already sees the migration running.
  if (input.revalidation) reopenForValidation(input.revalidation);
  if (input.errorRetry) wf.log.info('closed migration opened again to retry rejected rows', { by: input.errorRetry.by ?? 'unknown' });

  // ---- handlers first, so no signal or update is lost ----
  wf.setHandler(statusQuery, status);
  wf.setHandler(planQuery, () => state.plan);
  wf.setHandler(schemaQuery, () => state.schema);
  wf.setHandler(validationQuery, () => (state.validation ? { ...state.validation, results: state.validationResults ?? {} } : null));
  wf.setHandler(certificateQuery, () => state.certificate ?? null);
  // Without the last run's full tier results and certificate, which a re-run replaces anyway: they can be large.
  wf.setHandler(carryOnQuery, () => ({ ...input, revalidation: undefined, carried: { ...state, validationResults: {}, certificate: null, certificateSummary: null } }));
  let revalidation: 'closed' | 'open' | 'requested' = 'closed';
  wf.setHandler(
    revalidateUpdate,
    (request) => {
      wf.log.info('validation re-run requested', { by: request?.by ?? 'unknown', reason: request?.reason });
      note(`validation re-run requested by ${request?.by ?? 'unknown'}${request?.reason ? `: ${request.reason}` : ''}`);
      revalidation = 'requested';
      return state.validation as ValidationState;
    },
    {
      validator: (_request: RevalidateRequest) => {
        if (revalidation !== 'open') refuse('InvalidState', `validation can be re-run only after it failed or while a completed migration accepts re-runs (status ${displayStatus(input, state).status})`);
      },
    },
  );

  wf.setHandler(
    startUpdate,
    () => {
      state.status = 'running';
      state.started_at = now();
      note('migration started', 'info', state.started_at);
      return status();
    },
    {
      validator: () => {
        if (state.status !== 'created') refuse('InvalidState', `migration is ${displayStatus(input, state).status}, not created`);
      },
    },
  );

  const decide = (decision: 'approved' | 'rejected', d: GateDecision): GateState => {
    const gate = state.gate as GateState;
    Object.assign(gate, { state: decision, decided_by: d.by ?? 'unknown', comment: d.comment, decided_at: now() });
    note(`approval gate ${gate.state} by ${gate.decided_by}`, 'info', gate.decided_at);
    return gate;
  };
  const gateValidator = (_decision: GateDecision) => {
    if (state.gate?.state !== 'pending' || state.cancelRequested) {
      refuse('InvalidState', `migration is not awaiting approval (status ${displayStatus(input, state).status})`);
    }
  };
  wf.setHandler(
    configureUpdate,
    (patch) => {
      if (patch.name !== undefined) input.name = patch.name;
      if (patch.strategy !== undefined) input.strategy = patch.strategy;
      if (patch.options !== undefined) input.options = { ...input.options, ...patch.options };
      settings = strategySettings(input.strategy, input.options);
      copyWork = copyActivities(input.options);
      return status();
    },
    {
      validator: (_patch) => {
        if (state.status !== 'created') refuse('InvalidState', `only a created migration can be reconfigured; this one is ${displayStatus(input, state).status}`);
      },
    },
  );

  wf.setHandler(
    editMappingsUpdate,
    (edits) => {
      const result = applyMappingEdits(state.plan as MigrationPlan, edits);
      state.plan = result.plan;
      const need = approvalNeed(result.plan, input.strategy, input.options);
      const gate = state.gate as GateState;
      Object.assign(gate, { required: need.required, reason: need.reason, min_confidence: result.plan.minConfidence });
      // An edit that makes every mapping lossless can open a gate the strategy would open by itself.
      if (!need.required) {
        Object.assign(gate, { state: 'auto_approved', decided_by: 'sensei', decided_at: now() });
        note(`approval gate ${gate.state} by ${gate.decided_by}`, 'info', gate.decided_at);
      }
      return { edited: result.edited, gate };
    },
    {
      validator: (edits) => {
        if (state.gate?.state !== 'pending' || !state.plan) refuse('InvalidState', 'mappings can be edited only while the approval gate waits');
        if (edits.length === 0) refuse('InvalidMapping', 'no mapping edits given');
        for (const edit of edits) {
          const problem = mappingEditProblem(state.plan, edit);
          if (problem) refuse('InvalidMapping', problem);
        }
      },
    },
  );

  /**
   * Errors the state does not keep that this run changed (resolved, retried): until the store has them (with the next
   * batch), the request's copy of the store's record would be older than what happened here.
   */
  const changedErrors = new Map<string, MigrationError>();
  /** The error a request names: the workflow's own record, or (one it does not keep) the store's. */
  const errorOf = ({ errorId, error }: ErrorRequest): MigrationError | undefined =>
    state.errors.find((e) => e.id === errorId) ?? changedErrors.get(errorId) ?? (error?.id === errorId ? error : undefined);
  /** The error a request names, held for this run's later requests when the state does not keep it. */
  const errorToChange = (request: ErrorRequest): MigrationError => {
    const error = errorOf(request) as MigrationError;
    if (!state.errors.includes(error)) changedErrors.set(error.id, error);
    return error;
  };

  wf.setHandler(
    resolveErrorUpdate,
    (request) => {
      const error = errorToChange(request);
      Object.assign(error, { resolved_at: now(), resolved_by: request.by, resolution_note: request.note });
      outbox().errors.push(error);
      return error;
    },
    {
      validator: (request) => {
        const error = errorOf(request);
        if (!error) refuse('ErrorNotFound', `no error ${request.errorId}`);
        if (error.resolved_at) refuse('InvalidState', `error ${request.errorId} is already resolved`);
      },
    },
  );

  let retriesHandled = 0;
  wf.setHandler(
    retryErrorUpdate,
    async (request) => {
      const { by } = request;
      const error = errorToChange(request);
      const table = plan().tables.find((t) => t.source.name === error.table) as TablePlan;
      const progress = state.tables.find((t) => t.name === error.table) as TableProgress;
      try {
        const result = await copyWork.copyRows({ source: input.source, target: input.target, table, keys: [error.key as Key] });
        const at = now();
        if (result.read === 0) {
          Object.assign(error, { resolved_at: at, resolved_by: by, resolution_note: 'the row no longer exists in the source' });
          progress.rows_rejected -= 1;
          return { outcome: 'gone_from_source' as const, error };
        }
        if (result.written === 1) {
          Object.assign(error, { resolved_at: at, resolved_by: by, resolution_note: 're-copied' });
          progress.rows_rejected -= 1;
          progress.rows_copied += 1;
          return { outcome: 'copied' as const, error };
        }
        Object.assign(error, { message: result.rejected[0]?.message ?? error.message, at });
        return { outcome: 'rejected_again' as const, error };
      } finally {
        outbox().errors.push(error);
        retriesHandled += 1;
      }
    },
    {
      validator: (request) => {
        const { errorId } = request;
        const error = errorOf(request);
        if (!error) refuse('ErrorNotFound', `no error ${errorId}`);
        if (error.code !== 'RowRejected' || !error.key || !error.table) refuse('InvalidState', `error ${errorId} is not a rejected row; only rows can be retried`);
        if (error.resolved_at) refuse('InvalidState', `error ${errorId} is already resolved`);
        if (!state.plan?.tables.some((t) => t.source.name === error.table)) refuse('InvalidState', `table ${error.table} is not in the plan`);
      },
    },
  );

  wf.setHandler(approveUpdate, (d) => decide('approved', d), { validator: gateValidator });
  wf.setHandler(rejectUpdate, (d) => decide('rejected', d), { validator: gateValidator });

  wf.setHandler(pauseSignal, async () => {
    if (isOver()) return wf.log.warn('pause ignored: migration is over');
    if (state.paused) return;
    state.paused = true;
    state.pause_reason = { by: 'operator', code: 'PauseRequested', message: 'paused on request', at: now() };
    note('migration paused on request', 'info', state.pause_reason.at);
    await emit('migration.paused', { phase: state.phase, reason: state.pause_reason });
  });
  wf.setHandler(resumeSignal, async () => {
    if (!state.paused) return;
    state.paused = false;
    state.pause_reason = null;
    note('migration resumed');
    await emit('migration.resumed', { phase: state.phase });
  });
  wf.setHandler(cancelSignal, (args) => {
    if (isOver()) return wf.log.warn('cancel ignored: migration is over');
    state.cancelRequested = true;
    state.failure = { code: 'Cancelled', message: args?.reason ? `cancelled: ${args.reason}` : 'cancelled on request' };
    note(`cancel requested: ${state.failure.message}`, 'warn');
  });

  function isOver() {
    return state.status === 'completed' || state.status === 'failed' || state.status === 'cancelled';
  }

  /** Between steps: hold while paused, stop if cancelled. */
  async function checkpoint(): Promise<void> {
    await wf.condition(() => !state.paused || state.cancelRequested);
    if (state.cancelRequested) throw new MigrationCancelled();
  }

  // ---- the listing index (metadata store) follows the status, best effort ----
  let indexed = '';
  const indexKey = () => {
    const s = displayStatus(input, state);
    return `${s.status}|${s.phase ?? ''}`;
  };
  async function reportIndex(key = indexKey()): Promise<void> {
    if (key === indexed) return;
    indexed = key;
    const [status, phase] = key.split('|') as [string, string];
    try {
      await indexWork.recordMigrationStatus({ id: input.id, status, phase: phase || null });
    } catch (err) {
      wf.log.warn('listing index not updated', { error: String(err) });
    }
  }
  void (async () => {
    for (;;) {
      await wf.condition(() => !settling && indexKey() !== indexed);
      await reportIndex();
    }
  })().catch(() => undefined);
  let settling = false;
  /**
   * Moves to a status a client acts on (completed, failed, cancelled): the listing index learns it first, so a
   * client that saw it in the status query also finds the migration listed with it.
   */
  async function settle(status: 'completed' | 'failed' | 'cancelled'): Promise<void> {
    settling = true;
    try {
      await wf.CancellationScope.nonCancellable(() => reportIndex(`${status}|${state.phase ?? ''}`));
    } finally {
      settling = false;
    }
    state.status = status;
  }

  // ---- results users keep: written to the metadata store in batches as they are produced, so they outlive the workflow ----
  function outbox() {
    state.outbox ??= { events: [], errors: [] };
    return state.outbox;
  }
  /** A line of the timeline (GET …/logs). */
  function note(message: string, level: TimelineEvent['level'] = 'info', at = now()) {
    state.timeline_events = (state.timeline_events ?? 0) + 1;
    outbox().events.push({ id: `ev_${state.timeline_events}`, at, level, message });
  }
  let writing = false;
  /** Set as the run ends (continue-as-new or close): what is left is carried on, or written with the outcome. */
  let ending = false;
  const unwritten = () => outbox().events.length > 0 || outbox().errors.length > 0;
  /** Sends what the outbox holds in one activity; whatever arrives meanwhile goes with the next batch. */
  async function writeResults(): Promise<void> {
    writing = true;
    const batch = { events: outbox().events.splice(0), errors: outbox().errors.splice(0) };
    try {
      // Not cancellable: a cancelled migration's last events are results too.
      await wf.CancellationScope.nonCancellable(() => resultWork.recordResults({ migrationId: input.id, ...batch }));
    } catch (err) {
      // Kept for the next batch, or the final write, rather than lost.
      outbox().events.unshift(...batch.events);
      outbox().errors.unshift(...batch.errors);
      wf.log.warn('results not written to the metadata store yet', { error: String(err) });
    } finally {
      writing = false;
    }
  }
  if (persists) {
    void (async () => {
      for (;;) {
        await wf.condition(() => !writing && !ending && unwritten());
        await writeResults();
      }
    })().catch(() => undefined);
  }
  /** What a new run of this migration starts from, when it is opened again after it closed (see carryOnQuery). */
  const carryOn = (): MigrationInput => ({
    ...input,
    revalidation: undefined,
    errorRetry: undefined,
    // Without the full tier results and the certificate document: the store keeps them, and they can be large.
    carried: { ...state, validationResults: {}, certificate: null, outbox: { events: [], errors: [] } },
  });
  /**
   * The end of this run: the rest of the outbox, the final status and carryOn go to the metadata store, which serves
   * them once the workflow is closed or gone. A store that stays away costs only that: the workflow still closes.
   */
  async function recordOutcome(): Promise<void> {
    if (!persists && !wf.patched(OUTCOME_PATCH)) return;
    ending = true;
    await wf.CancellationScope.nonCancellable(async () => {
      await wf.condition(() => !writing);
      const batch = { events: outbox().events.splice(0), errors: outbox().errors.splice(0) };
      try {
        await resultWork.recordOutcome({ migrationId: input.id, runId: wf.workflowInfo().runId, status: status(), carryOn: carryOn(), ...batch });
      } catch (err) {
        wf.log.warn('final status not written to the metadata store; it is answered by the workflow while Temporal keeps it', { error: String(err) });
      }
    });
  }
  /** Every tier has answered: the report is a result users keep. */
  async function recordValidation(): Promise<void> {
    if (!persists) return;
    try {
      await resultWork.recordValidation({ migrationId: input.id, report: { ...(state.validation as ValidationState), results: state.validationResults ?? {} } });
    } catch (err) {
      wf.log.warn('validation report not written to the metadata store', { error: String(err) });
    }
  }

  // ---- webhook events: each one a child workflow that outlives this one, so a dead receiver never holds it up ----
  async function emit(event: WebhookEvent, data: Record<string, unknown> = {}): Promise<void> {
    state.events_emitted = (state.events_emitted ?? 0) + 1;
    const eventId = `${input.id}-evt-${state.events_emitted}`;
    const body = JSON.stringify({ id: eventId, event, created_at: now(), migration_id: input.id, status: displayStatus(input, state).status, ...data });
    try {
      await wf.CancellationScope.nonCancellable(() =>
        wf.startChild(webhookDeliveryWorkflow, {
          workflowId: eventId,
          args: [{ eventId, environment: input.environment ?? 'live', event, body }],
          parentClosePolicy: wf.ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      );
    } catch (err) {
      wf.log.warn('webhook event not sent', { event, error: String(err) });
    }
  }

  // ---- the story ----
  if (input.errorRetry) return await takeRetriesWhileClosed();
  try {
    if (!input.carried) await emit('migration.created', { name: input.name });
    await wf.condition(() => state.status !== 'created' || state.cancelRequested);
    for (const phase of PHASES) {
      if (state.phases[phase].status === 'completed' || state.phases[phase].status === 'skipped') continue;
      await checkpoint();
      beginPhase(phase);
      const outcome = await runPhase(phase);
      if (outcome === 'continue_as_new') {
        await wf.condition(wf.allHandlersFinished);
        // A batch in flight finishes first; what is not written yet is carried in the state.
        ending = true;
        await wf.condition(() => !writing);
        state.runs += 1;
        return await wf.continueAsNew<typeof migrationWorkflow>({ ...input, carried: state });
      }
      endPhase(phase, outcome);
    }
    await settle('completed');
    state.completed_at = now();
    note('migration completed', 'info', state.completed_at);
    await emit('migration.completed', { rows_copied: progressOf(state.tables).rows_copied, duration_ms: status().duration_ms });
    await recordOutcome();
    return status();
  } catch (err) {
    if (wf.isCancellation(err) || err instanceof MigrationCancelled) {
      endActivePhase('cancelled');
      state.failure ??= { code: 'Cancelled', message: 'cancelled on request' };
      await settle('cancelled');
      state.completed_at = now();
      note(`migration cancelled: ${state.failure.message}`, 'warn', state.completed_at);
      await emit('migration.cancelled', { reason: state.failure.message });
      await recordOutcome();
      if (err instanceof MigrationCancelled) return status();
      throw err;
    }
    if (err instanceof wf.ContinueAsNew) throw err;
    const failure = describeFailure(err);
    recordError(failure.code, failure.message);
    endActivePhase('failed');
    state.failure = failure;
    await settle('failed');
    state.completed_at = now();
    note(`migration failed: ${failure.code}`, 'error', state.completed_at);
    if (state.phase === 'validation') await emit('validation.completed', { validation_status: 'failed', message: failure.message });
    await emit('migration.failed', { phase: state.phase, error: failure });
    await recordOutcome();
    // The workflow itself fails too, so Temporal's own tools show the failure; queries still answer.
    throw wf.ApplicationFailure.create({ message: failure.message, type: failure.code, nonRetryable: true });
  }

  /**
   * A closed migration opened again to copy rejected rows again: it takes the retries (retryErrorUpdate) while they
   * come, then closes again as it was, completed or failed, with the retries' outcomes in its final status.
   */
  async function takeRetriesWhileClosed(): Promise<MigrationStatus> {
    let seen = 0;
    let came = await wf.condition(() => retriesHandled > seen, REOPENED_FIRST_RETRY_WAIT);
    while (came) {
      seen = retriesHandled;
      came = await wf.condition(() => retriesHandled > seen, REOPENED_LINGER);
    }
    await wf.condition(wf.allHandlersFinished);
    await recordOutcome();
    const failure = state.failure;
    if (state.status === 'failed' && failure) throw wf.ApplicationFailure.create({ message: failure.message, type: failure.code, nonRetryable: true });
    return status();
  }

  // ---- phases ----

  async function runPhase(phase: Phase): Promise<'completed' | 'skipped' | 'continue_as_new'> {
    switch (phase) {
      case 'schema_analysis':
        state.schema = await schemaWork.analyzeSource({ source: input.source });
        if (state.schema.tables.length === 0) refuse('NoTables', `no tables found in source schema "${state.schema.schema}"`);
        return 'completed';
      case 'mapping':
        await mapAndAwaitApproval();
        return 'completed';
      case 'schema_creation':
        await schemaWork.createTargetTables({
          target: input.target,
          plan: plan(),
          replace: input.options.replace_existing_tables ?? false,
        });
        return 'completed';
      case 'data_transfer':
        if ((await transferData()) === 'drained') return 'continue_as_new';
        await schemaWork.finalizeTarget({ target: input.target, plan: plan() });
        return 'completed';
      case 'validation':
        await validateUntilPassed();
        return 'completed';
      case 'certification':
        await certify();
        await acceptRevalidationWhileCompleted();
        return 'completed';
    }
  }

  async function mapAndAwaitApproval(): Promise<void> {
    const mapped = await schemaWork.planMapping({ schema: state.schema as SchemaInfo, target: input.target });
    state.plan = mapped;
    if (mapped.blockers.length > 0) {
      refuse('UnsupportedColumnType', `the mapping cannot run: ${mapped.blockers.join('; ')}`);
    }
    state.tables = mapped.tables.map((t) => tableProgress(t, settings));
    const need = approvalNeed(mapped, input.strategy, input.options);
    state.gate = {
      required: need.required,
      state: need.required ? 'pending' : 'auto_approved',
      reason: need.reason,
      min_confidence: mapped.minConfidence,
    };
    if (!need.required) return;
    await emit('migration.phase.completed', { phase: 'mapping', next_phase: 'schema_creation', requires_approval: true, gate: state.gate });
    await wf.condition(() => state.gate?.state !== 'pending' || state.cancelRequested);
    if (state.cancelRequested) throw new MigrationCancelled();
    if (state.gate.state === 'rejected') {
      state.cancelRequested = true;
      state.failure = { code: 'MappingRejected', message: `mapping rejected by ${state.gate.decided_by}${state.gate.comment ? `: ${state.gate.comment}` : ''}` };
      throw new MigrationCancelled();
    }
  }

  async function transferData(): Promise<'finished' | 'drained'> {
    const byName = new Map(plan().tables.map((t) => [t.source.name, t]));
    /** Work a lane takes: a whole table (part null), or one key range of a partitioned table. */
    type Work = { progress: TableProgress; part: number | null };
    // Tables interrupted by a continue-as-new go first, so they finish before new ones start.
    const pending: Work[] = state.tables
      .filter((t) => t.status !== 'completed')
      .sort((a, b) => Number(b.status === 'copying') - Number(a.status === 'copying'))
      .flatMap((progress): Work[] =>
        progress.partitions
          ? progress.partitions.flatMap((p, part) => (p.status === 'completed' ? [] : [{ progress, part }]))
          : [{ progress, part: null }],
      );
    let drained = false;
    let stop = false;
    /** Tables being split right now: their ranges are about to join `pending`, so idle lanes wait for them. */
    let splitting = 0;
    const mustDrain = () => {
      const info = wf.workflowInfo();
      return info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_LIMIT;
    };

    /**
     * Splits a large table with a single integer key into key ranges of about equal rows (the source finds the
     * boundaries by walking its key index), queues all but the first for other lanes and answers the first.
     * Best effort: a table that cannot be split is copied as one range.
     */
    const split = async (progress: TableProgress, table: TablePlan): Promise<number | null> => {
      const parts = tablePartitions(progress.rows_estimated, input.options, settings);
      if (parts < 2 || progress.last_key !== null || progress.chunks > 0) return null;
      splitting += 1;
      try {
        const bounds = await schemaWork.splitKeyRange({ source: input.source, table, parts, rowsEstimated: progress.rows_estimated });
        if (bounds.length === 0) return null;
        const ranges = [null, ...bounds].map((from, i): KeyRangeProgress => ({
          from,
          until: bounds[i] ?? null,
          status: 'pending',
          rows_copied: 0,
          chunks: 0,
          chunk_size: progress.chunk_size,
          last_key: from,
        }));
        progress.partitions = ranges;
        pending.unshift(...ranges.slice(1).map((_, i): Work => ({ progress, part: i + 1 })));
        return 0;
      } catch (err) {
        wf.log.warn('table not split; copied as one key range', { table: progress.name, error: String(err) });
        return null;
      } finally {
        splitting -= 1;
      }
    };

    const copyTable = async ({ progress, part }: Work): Promise<void> => {
      const table = byName.get(progress.name) as TablePlan;
      progress.status = 'copying';
      progress.started_at ??= now();
      try {
        if (table.copyMode === 'whole_table') {
          for (;;) {
            await checkpoint();
            const result = await patiently(progress, progress, () =>
              copyWork.copyWholeTable({ source: input.source, target: input.target, table, batchSize: progress.chunk_size }),
            );
            if (!result) continue;
            progress.rows_copied = result.rows;
            progress.chunks = 1;
            break;
          }
        } else {
          if (part === null && !progress.partitions) part = await split(progress, table);
          const range = part === null ? null : (progress.partitions as KeyRangeProgress[])[part];
          const cursor = range ?? progress;
          if (range) range.status = 'copying';
          for (;;) {
            await checkpoint();
            if (stop) return;
            if (mustDrain()) {
              drained = true;
              return;
            }
            const chunk = await patiently(progress, cursor, () =>
              copyWork.copyChunk({
                migrationId: input.id,
                source: input.source,
                target: input.target,
                table,
                after: cursor.last_key,
                until: range?.until ?? null,
                limit: cursor.chunk_size,
              }),
            );
            if (!chunk) continue;
            cursor.rows_copied += chunk.written;
            cursor.last_key = chunk.lastKey;
            cursor.chunks += 1;
            if (range) {
              progress.rows_copied += chunk.written;
              progress.chunks += 1;
            }
            acceptRejected(progress, chunk.rejected);
            if (chunk.done) break;
            cursor.chunk_size = nextChunkSize(cursor.chunk_size, chunk.rows, chunk.durationMs, settings);
          }
          if (range) {
            range.status = 'completed';
            // The table is done with its last range; the lanes of the others move on.
            if (progress.partitions?.some((p) => p.status !== 'completed')) return;
          }
        }
        progress.status = 'completed';
        progress.completed_at = now();
        note(`table ${progress.name}: ${progress.rows_copied} rows in ${progress.chunks} chunk(s)`, 'info', progress.completed_at);
      } catch (err) {
        if (!(err instanceof MigrationCancelled) && !wf.isCancellation(err)) {
          progress.status = 'failed';
          const failure = describeFailure(err);
          recordError(failure.code, `table ${progress.name}: ${failure.message}`, progress.name);
        }
        throw err;
      }
    };

    /**
     * Runs one copy activity. When it ran out of retries (a database stayed unreachable longer than the budget)
     * and options.copy_retry.on_exhausted is `pause`, the migration pauses itself at the table's last committed
     * checkpoint, says why in pause_reason and under errors, and answers null: the caller waits at its
     * checkpoint and tries the same chunk again once someone resumes. Anything else propagates.
     */
    const patiently = async <T>(progress: TableProgress, cursor: { last_key: Key | null; rows_copied: number }, copy: () => Promise<T>): Promise<T | null> => {
      try {
        return await copy();
      } catch (err) {
        const onExhausted = input.options.copy_retry?.on_exhausted ?? COPY_RETRY_DEFAULTS.on_exhausted;
        if (!retriesExhausted(err) || onExhausted !== 'pause' || state.cancelRequested) throw err;
        const failure = describeFailure(err);
        const attempts = input.options.copy_retry?.max_attempts ?? COPY_RETRY_DEFAULTS.max_attempts;
        const at = cursor.last_key ? `after key ${JSON.stringify(cursor.last_key)}` : 'from its first row';
        const message = `table ${progress.name}: gave up after ${attempts} attempt(s): ${failure.message}. Paused at the last committed checkpoint (${progress.rows_copied} rows copied, next chunk ${at}); resume to continue from there`;
        recordError(failure.code, message, progress.name);
        if (!state.paused) {
          state.paused = true;
          state.pause_reason = { by: 'sensei', code: failure.code, message, at: now(), table: progress.name };
          note(`migration paused by sensei: ${failure.code}`, 'warn', state.pause_reason.at);
          await emit('migration.paused', { phase: state.phase, reason: state.pause_reason });
        }
        return null;
      }
    };

    const lane = async (): Promise<void> => {
      for (;;) {
        // A lane with nothing to do waits while a table is being split: its ranges are work for every lane.
        await wf.condition(() => pending.length > 0 || splitting === 0 || stop);
        const next = pending.shift();
        if (!next || drained || stop) return;
        try {
          await copyTable(next);
        } catch (err) {
          stop = true;
          throw err;
        }
      }
    };

    const lanes = Array.from({ length: Math.max(1, settings.parallelTables) }, lane);
    const results = await Promise.allSettled(lanes);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return drained ? 'drained' : 'finished';
  }

  /**
   * Runs the five tiers (in parallel: none depends on another) until they all pass. When one fails, the
   * migration stops here with status failed and waits for revalidateUpdate (the operator fixed the data),
   * or ends after the hold.
   */
  async function validateUntilPassed(): Promise<void> {
    for (;;) {
      const failedTiers = await runValidation();
      if (failedTiers.length === 0) return;
      const message = validationFailureMessage(failedTiers);
      recordError('ValidationFailed', message);
      state.failure = { code: 'ValidationFailed', message };
      state.phases.validation.status = 'failed';
      note('phase validation failed', 'error');
      await settle('failed');
      state.completed_at = now();
      revalidation = 'open';
      const holdSeconds = input.options.validation?.failed_hold_seconds ?? DEFAULT_FAILED_HOLD_SECONDS;
      const rerun = await wf.condition(() => revalidation === 'requested', holdSeconds * 1000);
      revalidation = 'closed';
      if (!rerun) refuse('ValidationFailed', message);
      state.status = 'running';
      state.failure = null;
      state.completed_at = null;
      beginPhase('validation');
    }
  }

  /** One run of every tier; answers the tiers that did not pass. */
  async function runValidation(): Promise<ValidationTier[]> {
    const startedAt = now();
    state.certificate = null;
    state.certificateSummary = null;
    state.validationResults = {};
    const validation: ValidationState = {
      status: 'running',
      method: 'five_tiers',
      attempt: (state.validation?.attempt ?? 0) + 1,
      row_counts: [],
      tiers: Object.fromEntries(VALIDATION_TIERS.map((t) => [t, { verdict: 'running', summary: null, failures: 0 }])) as ValidationState['tiers'],
      diagnosis: null,
      started_at: startedAt,
      completed_at: null,
    };
    state.validation = validation;
    const v = input.options.validation;
    const tierInput = {
      migrationId: input.id,
      source: input.source,
      target: input.target,
      plan: plan(),
      queries: v?.queries,
      queryLimits: { timeout_seconds: v?.query_timeout_seconds, max_rows: v?.max_query_rows },
    };
    const rejected = Object.fromEntries(state.tables.map((t) => [t.name, t.rows_rejected]));
    const rowCounts = schemaWork.compareRowCounts({ source: input.source, target: input.target, plan: plan(), rejected }).then((checks) => {
      validation.row_counts = checks;
    });
    const runs: Record<ValidationTier, Promise<TierResult>> = {
      structural: validationWork.validateStructure(tierInput),
      statistical: validationWork.validateStatistics(tierInput),
      referential: validationWork.validateReferences(tierInput),
      semantic: validationWork.validateContent(tierInput),
      behavioral: validationWork.validateBehavior(tierInput),
    };
    await Promise.all(
      VALIDATION_TIERS.map(async (tier) => {
        let result: TierResult;
        try {
          result = await runs[tier];
        } catch (err) {
          const failure = describeFailure(err);
          result = { tier, verdict: 'error', summary: `could not run: ${failure.message}`, checks: 0, failures: 0, findings: [], evidence_sha256: '', started_at: startedAt, completed_at: now() };
        }
        (state.validationResults as Partial<Record<ValidationTier, TierResult>>)[tier] = result;
        validation.tiers[tier] = { verdict: result.verdict, summary: result.summary, failures: result.failures };
      }),
    );
    await rowCounts.catch(() => undefined);
    validation.completed_at = now();
    const failed = VALIDATION_TIERS.filter((t) => validation.tiers[t].verdict !== 'passed');
    validation.status = failed.length === 0 ? 'passed' : 'failed';
    validation.diagnosis = diagnoseValidation(validation.tiers, (t) => state.validationResults?.[t]?.findings[0]?.message);
    await recordValidation();
    return failed;
  }

  /** Leads with the tier that caught it and its first finding, then every failed tier's summary. */
  function validationFailureMessage(failed: ValidationTier[]): string {
    const diagnosis = state.validation?.diagnosis;
    const lead = diagnosis
      ? `caught by the ${diagnosis.caught_by} tier: ${diagnosis.finding}` +
        (diagnosis.also_failed.length ? ` (also seen by ${diagnosis.also_failed.join(', ')})` : '')
      : 'validation failed';
    const parts = failed.map((t) => `${t}: ${state.validation?.tiers[t].summary ?? 'failed'}`);
    return `${lead} — ${failed.length} tier(s) failed: ${parts.join(' | ')}`.slice(0, 2000);
  }

  /** Signs the certificate (every tier passed). The document stays in workflow state for certificateQuery. */
  async function certify(): Promise<void> {
    const validation = state.validation as ValidationState;
    const info = wf.workflowInfo();
    const issued = await validationWork.issueCertificate({
      migration: { id: input.id, name: input.name, workflow_id: info.workflowId, run_id: info.firstExecutionRunId, validation_attempt: validation.attempt },
      environment: input.environment ?? 'live',
      source: { type: input.source.type, description: input.source.description, schema: state.schema?.schema ?? input.source.schema ?? null },
      target: { type: input.target.type, description: input.target.description, schema: plan().targetSchema ?? input.target.schema ?? null },
      plan: plan(),
      results: state.validationResults ?? {},
      timestamps: { migration_started_at: state.started_at, validation_started_at: validation.started_at as string, validation_completed_at: validation.completed_at as string },
    });
    state.certificate = issued.certificate;
    state.certificateSummary = issued.summary;
  }

  /**
   * A completed migration may keep accepting re-runs for options.validation.completed_hold_seconds (default 0):
   * a re-run checks the target again and, when every tier still passes, issues a new certificate.
   */
  async function acceptRevalidationWhileCompleted(): Promise<void> {
    const holdSeconds = input.options.validation?.completed_hold_seconds ?? 0;
    if (holdSeconds <= 0) return;
    for (;;) {
      state.phase = 'certification';
      await settle('completed');
      state.phases.certification = { ...state.phases.certification, status: 'completed', completed_at: now() };
      state.completed_at = now();
      revalidation = 'open';
      let rerun = false;
      try {
        rerun = await wf.condition(() => revalidation === 'requested', holdSeconds * 1000);
      } catch (err) {
        // Cancelling the workflow now only ends the hold: the migration stays completed.
        if (wf.isCancellation(err)) return;
        throw err;
      }
      revalidation = 'closed';
      if (!rerun) return;
      state.status = 'running';
      state.completed_at = null;
      beginPhase('validation');
      await validateUntilPassed();
      endPhase('validation', 'completed');
      beginPhase('certification');
      await certify();
    }
  }

  /** A closed migration opened again: validation and certification run once more, on the target as it is now. */
  function reopenForValidation(request: RevalidateRequest): void {
    wf.log.info('validation re-run requested on a closed migration', { by: request.by ?? 'unknown', reason: request.reason });
    input.revalidation = undefined;
    note(`validation re-run requested by ${request.by ?? 'unknown'}${request.reason ? `: ${request.reason}` : ''}`);
    state.status = 'running';
    state.failure = null;
    state.completed_at = null;
    // The previous certificate is no longer the migration's (a passing re-run issues a new one).
    state.certificateSummary = null;
    for (const phase of ['validation', 'certification'] as const) state.phases[phase] = { status: 'pending', started_at: null, completed_at: null };
  }

  // ---- bookkeeping ----

  function plan(): MigrationPlan {
    return state.plan as MigrationPlan;
  }

  function beginPhase(phase: Phase) {
    state.phase = phase;
    state.phases[phase] = { status: 'running', started_at: state.phases[phase].started_at ?? now(), completed_at: null };
    note(`phase ${phase} started`);
    void emit('migration.phase.started', { phase });
  }

  function endPhase(phase: Phase, outcome: 'completed' | 'skipped') {
    state.phases[phase].status = outcome;
    state.phases[phase].completed_at = now();
    note(`phase ${phase} ${outcome}`, 'info', state.phases[phase].completed_at as string);
    if (phase === 'mapping' && state.gate?.required) return; // announced when the gate opened (requires_approval)
    const next = PHASES[PHASES.indexOf(phase) + 1] ?? null;
    void emit('migration.phase.completed', { phase, outcome, next_phase: next, requires_approval: false });
    if (phase === 'validation') void emit('validation.completed', { validation_status: state.validation?.status ?? null });
    if (phase === 'certification' && state.certificateSummary) void emit('certificate.issued', { certificate: state.certificateSummary });
  }

  function endActivePhase(outcome: 'failed' | 'cancelled') {
    if (state.phase && state.phases[state.phase].status === 'running') {
      state.phases[state.phase].status = outcome;
      state.phases[state.phase].completed_at = now();
      note(`phase ${state.phase} ${outcome}`, outcome === 'failed' ? 'error' : 'info', state.phases[state.phase].completed_at as string);
    }
  }

  /**
   * Counts an error and keeps the first MAX_ERRORS_KEPT in the state. The metadata store gets every one: `named` is
   * a rejected row as the copy activity named it (and, if `stored`, wrote it there already); the others go with
   * the next batch.
   */
  function recordError(code: string, message: string, table?: string, key?: Key, named?: { id: string; at: string; stored: boolean }) {
    state.errors_total += 1;
    const error: MigrationError = { id: named?.id ?? `err_${state.errors_total}`, phase: state.phase ?? 'schema_analysis', table, key, code, message, at: named?.at ?? now() };
    if (!named?.stored) outbox().errors.push(error);
    if (state.errors.length >= MAX_ERRORS_KEPT) return;
    state.errors.push(error);
  }

  /** Rows the target refused are recorded with their keys; past the strategy's allowance the migration stops. */
  function acceptRejected(progress: TableProgress, rejected: RejectedRow[]) {
    if (rejected.length === 0) return;
    progress.rows_rejected += rejected.length;
    for (const row of rejected) {
      const named = row.errorId && row.at ? { id: row.errorId, at: row.at, stored: row.stored === true } : undefined;
      recordError('RowRejected', row.message, progress.name, row.key, named);
    }
    const total = state.tables.reduce((n, t) => n + t.rows_rejected, 0);
    if (total > settings.maxRejectedRows) {
      refuse(
        'RowsRejected',
        `the target rejected ${total} row(s), more than the ${settings.maxRejectedRows} allowed (strategy ${input.strategy}, option max_rejected_rows); ` +
          `first: ${progress.name} key ${JSON.stringify(rejected[0]?.key)}: ${rejected[0]?.message}`,
      );
    }
  }
}

function refuse(type: string, message: string): never {
  throw wf.ApplicationFailure.create({ message, type, nonRetryable: true });
}

function tableProgress(table: TablePlan, settings: StrategySettings): TableProgress {
  return {
    name: table.source.name,
    status: 'pending',
    copy_mode: table.copyMode,
    rows_copied: 0,
    rows_rejected: 0,
    rows_estimated: Math.max(0, table.source.rowEstimate),
    chunks: 0,
    chunk_size: settings.chunkRows,
    last_key: null,
    started_at: null,
    completed_at: null,
  };
}

export { progressOf };
