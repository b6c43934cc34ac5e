/**
 * One run of a migration's workflow: its state and the bookkeeping every step shares (timeline, errors, webhook
 * events, the listing index, results written to the metadata store). What happens next is decided elsewhere
 * (workflow.ts and the phase modules); this class only keeps the record straight.
 */
import * as wf from '@temporalio/workflow';
import type { KeylessRejectedRow, RejectedRow } from '../../activities';
import {
  MAX_ERRORS_KEPT,
  PHASES,
  strategySettings,
  type CarriedDocuments,
  type MigrationError,
  type MigrationInput,
  type MigrationState,
  type MigrationStatus,
  type Phase,
  type StrategySettings,
  type TableProgress,
  type TimelineEvent,
  type ValidationState,
} from '../../lib/migration';
import type { Key, MigrationPlan, TablePlan } from '../../lib/types';
import type { WebhookEvent } from '../../lib/webhooks';
import { displayStatus, initialState, shownStatusName } from '../state';
import { webhookDeliveryWorkflow } from '../webhooks';
import { copyActivities, indexWork, resultWork } from './activities';
import type { ErrorRequest, MigrationConfigPatch } from './contract';

/** Runs started before results were written to the metadata store replay without it (workflow versioning). */
const RESULTS_PATCH = 'results-in-store';
/** …but still write their final status there when they end. */
const OUTCOME_PATCH = 'outcome-in-store';

/** Thrown at a checkpoint once a cancel was asked for: the migration ends `cancelled`. */
export class MigrationCancelled extends Error {}

/** Fails the workflow (or refuses an update, from a validator) with a type clients can tell apart. */
export function refuse(type: string, message: string, details?: Record<string, unknown>): never {
  throw wf.ApplicationFailure.create({ message, type, nonRetryable: true, ...(details ? { details: [details] } : {}) });
}

export const now = () => new Date().toISOString();

export class MigrationRun {
  readonly state: MigrationState;
  /** Whether this run writes its results to the metadata store as they are produced (decided once: see RESULTS_PATCH). */
  readonly persists: boolean;
  settings: StrategySettings;
  copyWork: ReturnType<typeof copyActivities>;
  /** Whether a validation re-run is accepted now (open), or was asked for (requested). */
  revalidation: 'closed' | 'open' | 'requested' = 'closed';
  /** Row retries this run has handled (a closed migration opened again for them closes once they stop coming). */
  retriesHandled = 0;
  /**
   * Errors the state does not keep that this run changed (resolved, retried): until the store has them (with the next
   * batch), the request's copy of the store's record would be older than what happened here.
   */
  private readonly changedErrors = new Map<string, MigrationError>();
  /** The status|phase the listing index was last told. */
  private indexed = '';
  private settling = false;
  /** A batch of results is being written (continue-as-new waits for it: see workflow.ts). */
  writing = false;
  /**
   * The plan's key in the metadata store once validation kept it there (validation.ts planByReference): this run's only,
   * never carried (null: the store could not keep it, so the plan is sent whole).
   */
  planRef?: string | null;
  /** Set as the run ends (continue-as-new or close): what is left is carried on, or written with the outcome. */
  ending = false;
  /** The plan's tables by source name (tablePlan), for the plan they were read from. */
  private tablesOf?: { plan: MigrationPlan; byName: Map<string, TablePlan> };

  constructor(
    readonly input: MigrationInput,
    documents?: CarriedDocuments,
  ) {
    this.state = input.carried ?? initialState(input);
    // A run continued as new gets its schema and plan apart from the carried state (DOCUMENTS_APART_PATCH)…
    if (documents) Object.assign(this.state, { schema: documents.schema, plan: documents.plan });
    // …or, past the gate, only their keys (DocumentRefs): its activities are sent the plan's key.
    if (!this.state.plan && this.state.documentRefs) this.planRef = this.state.documentRefs.plan;
    this.persists = wf.patched(RESULTS_PATCH);
    this.settings = strategySettings(input.strategy, input.options);
    this.copyWork = copyActivities(input.options);
  }

  status(): MigrationStatus {
    return displayStatus(this.input, this.state);
  }

  /** The plan, in a run that holds it: the mapping phase and the gate, and every run but those past a continue-as-new. */
  plan(): MigrationPlan {
    return this.state.plan as MigrationPlan;
  }

  /** The plan as an activity is sent it: by its key once the run has one (planByReference, DocumentRefs), else whole. */
  planCarrier(): { plan: MigrationPlan } | { planRef: string } {
    return this.planRef ? { planRef: this.planRef } : { plan: this.plan() };
  }

  /** A table's plan as an activity is sent it: whole where the run holds the plan, else the plan's key and its name. */
  tableCarrier(name: string): { table: TablePlan } | { planRef: string; tableName: string } {
    const table = this.tablePlan(name);
    if (table) return { table };
    return { planRef: this.planRef as string, tableName: name };
  }

  /** A source table's plan, where the run holds the plan (looked up by name: lanes ask for thousands of tables). */
  tablePlan(name: string): TablePlan | undefined {
    const { plan } = this.state;
    if (!plan) return undefined;
    if (this.tablesOf?.plan !== plan) this.tablesOf = { plan, byName: new Map(plan.tables.map((t) => [t.source.name, t])) };
    return this.tablesOf.byName.get(name);
  }

  /** Whether the plan has this source table. */
  plans(name: string): boolean {
    return this.state.plan ? this.tablePlan(name) !== undefined : this.state.tables.some((t) => t.name === name);
  }

  isOver(): boolean {
    return this.state.status === 'completed' || this.state.status === 'failed' || this.state.status === 'cancelled';
  }

  /** Between steps: hold while paused, stop if cancelled. */
  async checkpoint(): Promise<void> {
    await wf.condition(() => !this.state.paused || this.state.cancelRequested);
    if (this.state.cancelRequested) throw new MigrationCancelled();
  }

  // ---- what clients change ----

  configure(patch: MigrationConfigPatch): void {
    const { input } = this;
    if (patch.name !== undefined) input.name = patch.name;
    if (patch.strategy !== undefined) input.strategy = patch.strategy;
    if (patch.options !== undefined) input.options = { ...input.options, ...patch.options };
    this.settings = strategySettings(input.strategy, input.options);
    this.copyWork = copyActivities(input.options);
  }

  async pause(): Promise<void> {
    const { state } = this;
    if (this.isOver()) return wf.log.warn('pause ignored: migration is over');
    if (state.paused) return;
    state.paused = true;
    state.pause_reason = { by: 'operator', code: 'PauseRequested', message: 'paused on request', at: now() };
    this.note('migration paused on request', 'info', state.pause_reason.at);
    await this.emit('migration.paused', { phase: state.phase, reason: state.pause_reason });
  }

  async resume(): Promise<void> {
    const { state } = this;
    if (!state.paused) return;
    state.paused = false;
    state.pause_reason = null;
    this.note('migration resumed');
    await this.emit('migration.resumed', { phase: state.phase });
  }

  cancel(reason?: string): void {
    const { state } = this;
    if (this.isOver()) return wf.log.warn('cancel ignored: migration is over');
    state.cancelRequested = true;
    state.failure = { code: 'Cancelled', message: reason ? `cancelled: ${reason}` : 'cancelled on request' };
    this.note(`cancel requested: ${state.failure.message}`, 'warn');
  }

  /** The error a request names: the workflow's own record, or (one it does not keep) the store's. */
  errorOf({ errorId, error }: ErrorRequest): MigrationError | undefined {
    return this.state.errors.find((e) => e.id === errorId) ?? this.changedErrors.get(errorId) ?? (error?.id === errorId ? error : undefined);
  }

  /** The error a request names, held for this run's later requests when the state does not keep it. */
  errorToChange(request: ErrorRequest): MigrationError {
    const error = this.errorOf(request) as MigrationError;
    if (!this.state.errors.includes(error)) this.changedErrors.set(error.id, error);
    return error;
  }

  // ---- the listing index (metadata store) follows the status, best effort ----

  /**
   * Evaluated after every activation (followInIndex's condition): only the status and phase, never the whole status
   * (progress over thousands of tables made each activation, and each replay, seconds slower).
   */
  private indexKey(): string {
    return `${shownStatusName(this.state)}|${this.state.phase ?? ''}`;
  }

  private async reportIndex(key = this.indexKey()): Promise<void> {
    if (key === this.indexed) return;
    this.indexed = key;
    const [status, phase] = key.split('|') as [string, string];
    try {
      await indexWork.recordMigrationStatus({ id: this.input.id, status, phase: phase || null });
    } catch (err) {
      wf.log.warn('listing index not updated', { error: String(err) });
    }
  }

  /** Keeps the listing index told of every status and phase, in the background for the whole run. */
  followInIndex(): void {
    void (async () => {
      for (;;) {
        await wf.condition(() => !this.settling && this.indexKey() !== this.indexed);
        await this.reportIndex();
      }
    })().catch(() => undefined);
  }

  /**
   * Moves to a status a client acts on (completed, failed, cancelled): the listing index learns it first, so a
   * client that saw it in the status query also finds the migration listed with it.
   */
  async settle(status: 'completed' | 'failed' | 'cancelled'): Promise<void> {
    this.settling = true;
    try {
      await wf.CancellationScope.nonCancellable(() => this.reportIndex(`${status}|${this.state.phase ?? ''}`));
    } finally {
      this.settling = false;
    }
    this.state.status = status;
  }

  // ---- results users keep: written to the metadata store in batches as they are produced, so they outlive the workflow ----

  private outbox() {
    this.state.outbox ??= { events: [], errors: [] };
    return this.state.outbox;
  }

  /** A line of the timeline (GET …/logs). */
  note(message: string, level: TimelineEvent['level'] = 'info', at = now()): void {
    this.state.timeline_events = (this.state.timeline_events ?? 0) + 1;
    this.outbox().events.push({ id: `ev_${this.state.timeline_events}`, at, level, message });
  }

  /** An error changed by a client (resolved, retried): it goes to the store with the next batch. */
  errorChanged(error: MigrationError): void {
    this.outbox().errors.push(error);
  }

  private unwritten(): boolean {
    return this.outbox().events.length > 0 || this.outbox().errors.length > 0;
  }

  /** Sends what the outbox holds in one activity; whatever arrives meanwhile goes with the next batch. */
  private async writeResults(): Promise<void> {
    this.writing = true;
    const batch = { events: this.outbox().events.splice(0), errors: this.outbox().errors.splice(0) };
    try {
      // Not cancellable: a cancelled migration's last events are results too.
      await wf.CancellationScope.nonCancellable(() => resultWork.recordResults({ migrationId: this.input.id, ...batch }));
    } catch (err) {
      // Kept for the next batch, or the final write, rather than lost.
      this.outbox().events.unshift(...batch.events);
      this.outbox().errors.unshift(...batch.errors);
      wf.log.warn('results not written to the metadata store yet', { error: String(err) });
    } finally {
      this.writing = false;
    }
  }

  /** Writes results in the background as they come, one batch in flight at a time (runs that persist them). */
  writeResultsAsTheyCome(): void {
    if (!this.persists) return;
    void (async () => {
      for (;;) {
        await wf.condition(() => !this.writing && !this.ending && this.unwritten());
        await this.writeResults();
      }
    })().catch(() => undefined);
  }

  /** What a new run of this migration starts from, when it is opened again after it closed (see carryOnQuery). */
  private carryOn(): MigrationInput {
    return {
      ...this.input,
      revalidation: undefined,
      errorRetry: undefined,
      // Without the full tier results and the certificate document: the store keeps them, and they can be large.
      carried: { ...this.state, validationResults: {}, certificate: null, outbox: { events: [], errors: [] } },
    };
  }

  /**
   * The end of this run: the rest of the outbox, the final status and carryOn go to the metadata store, which serves
   * them once the workflow is closed or gone. A store that stays away costs only that: the workflow still closes.
   */
  async recordOutcome(): Promise<void> {
    if (!this.persists && !wf.patched(OUTCOME_PATCH)) return;
    this.ending = true;
    await wf.CancellationScope.nonCancellable(async () => {
      await wf.condition(() => !this.writing);
      const batch = { events: this.outbox().events.splice(0), errors: this.outbox().errors.splice(0) };
      try {
        await resultWork.recordOutcome({ migrationId: this.input.id, runId: wf.workflowInfo().runId, status: this.status(), carryOn: this.carryOn(), ...batch });
      } catch (err) {
        wf.log.warn('final status not written to the metadata store; it is answered by the workflow while Temporal keeps it', { error: String(err) });
      }
    });
  }

  /** Every tier has answered: the report is a result users keep. */
  async recordValidation(): Promise<void> {
    if (!this.persists) return;
    try {
      await resultWork.recordValidation({ migrationId: this.input.id, report: { ...(this.state.validation as ValidationState), results: this.state.validationResults ?? {} } });
    } catch (err) {
      wf.log.warn('validation report not written to the metadata store', { error: String(err) });
    }
  }

  // ---- webhook events: each one a child workflow that outlives this one, so a dead receiver never holds it up ----

  async emit(event: WebhookEvent, data: Record<string, unknown> = {}): Promise<void> {
    const { input, state } = this;
    state.events_emitted = (state.events_emitted ?? 0) + 1;
    const eventId = `${input.id}-evt-${state.events_emitted}`;
    const body = JSON.stringify({ id: eventId, event, created_at: now(), migration_id: input.id, status: this.status().status, ...data });
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

  // ---- phases and errors ----

  beginPhase(phase: Phase): void {
    const { state } = this;
    state.phase = phase;
    state.phases[phase] = { status: 'running', started_at: state.phases[phase].started_at ?? now(), completed_at: null };
    this.note(`phase ${phase} started`);
    void this.emit('migration.phase.started', { phase });
  }

  endPhase(phase: Phase, outcome: 'completed' | 'skipped'): void {
    const { state } = this;
    state.phases[phase].status = outcome;
    state.phases[phase].completed_at = now();
    this.note(`phase ${phase} ${outcome}`, 'info', state.phases[phase].completed_at as string);
    if (phase === 'mapping' && state.gate?.required) return; // announced when the gate opened (requires_approval)
    const next = PHASES[PHASES.indexOf(phase) + 1] ?? null;
    void this.emit('migration.phase.completed', { phase, outcome, next_phase: next, requires_approval: false });
    if (phase === 'validation') void this.emit('validation.completed', { validation_status: state.validation?.status ?? null });
    if (phase === 'certification' && state.certificateSummary) void this.emit('certificate.issued', { certificate: state.certificateSummary });
  }

  endActivePhase(outcome: 'failed' | 'cancelled'): void {
    const { state } = this;
    if (state.phase && state.phases[state.phase].status === 'running') {
      state.phases[state.phase].status = outcome;
      state.phases[state.phase].completed_at = now();
      this.note(`phase ${state.phase} ${outcome}`, outcome === 'failed' ? 'error' : 'info', state.phases[state.phase].completed_at as string);
    }
  }

  /**
   * Counts an error and keeps the first MAX_ERRORS_KEPT in the state. The metadata store gets every one: `named` is
   * a rejected row as the copy activity named it (and, if `stored`, wrote it there already); the others go with
   * the next batch.
   */
  recordError(code: string, message: string, table?: string, key?: Key, named?: { id: string; at: string; stored: boolean }): void {
    const { state } = this;
    state.errors_total += 1;
    const error: MigrationError = { id: named?.id ?? `err_${state.errors_total}`, phase: state.phase ?? 'schema_analysis', table, key, code, message, at: named?.at ?? now() };
    if (!named?.stored) this.outbox().errors.push(error);
    if (state.errors.length >= MAX_ERRORS_KEPT) return;
    state.errors.push(error);
  }

  /** Rows the target refused are recorded with their keys; past the strategy's allowance the migration stops. */
  acceptRejected(progress: TableProgress, rejected: (RejectedRow | KeylessRejectedRow)[]): void {
    if (rejected.length === 0) return;
    progress.rows_rejected += rejected.length;
    for (const row of rejected) {
      const named = row.errorId && row.at ? { id: row.errorId, at: row.at, stored: row.stored === true } : undefined;
      this.recordError('RowRejected', row.message, progress.name, 'key' in row ? row.key : undefined, named);
    }
    const total = this.state.tables.reduce((n, t) => n + t.rows_rejected, 0);
    if (total > this.settings.maxRejectedRows) {
      refuse(
        'RowsRejected',
        `the target rejected ${total} row(s), more than the ${this.settings.maxRejectedRows} allowed (strategy ${this.input.strategy}, option max_rejected_rows); ` +
          `first: ${progress.name}${'key' in rejected[0] ? ` key ${JSON.stringify(rejected[0].key)}` : ''}: ${rejected[0]?.message}`,
      );
    }
  }
}
