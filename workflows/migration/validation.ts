/**
 * Validation and certification: the five tiers run in parallel until every one passes; a failure holds the
 * migration for a re-run (revalidateUpdate) after the operator fixed the data. The certificate is signed once all
 * pass, and a completed migration may keep accepting re-runs for a while.
 */
import * as wf from '@temporalio/workflow';
import { VALIDATION_TIERS, diagnoseValidation, type MigrationState, type TierResult, type ValidationState, type ValidationTier } from '../../lib/migration';
import type { MigrationPlan } from '../../lib/types';
import { describeFailure, schemaNames } from '../state';
import { schemaWork, validationWork } from './activities';
import type { RevalidateRequest } from './contract';
import { now, refuse, type MigrationRun } from './run';

/**
 * Validation activities are sent the plan by its key in the metadata store (activities/plans.ts), kept there once,
 * instead of whole in each of their inputs: at 5,000 tables the plan is 8 MB, and six copies encoded in one workflow
 * task held it (and every status query) for up to 20 s. Runs started before it replay sending it whole.
 */
const PLAN_BY_REFERENCE_PATCH = 'plan-by-reference';

/** A failed validation waits this long for a re-run before the migration ends failed (7 days). */
const DEFAULT_FAILED_HOLD_SECONDS = 7 * 24 * 3600;

/**
 * Runs the five tiers (in parallel: none depends on another) until they all pass. When one fails, the
 * migration stops here with status failed and waits for revalidateUpdate (the operator fixed the data),
 * or ends after the hold.
 */
export async function validateUntilPassed(run: MigrationRun): Promise<void> {
  const { input, state } = run;
  for (;;) {
    const failedTiers = await runValidation(run);
    if (failedTiers.length === 0) return;
    const message = validationFailureMessage(state, failedTiers);
    run.recordError('ValidationFailed', message);
    state.failure = { code: 'ValidationFailed', message };
    state.phases.validation.status = 'failed';
    run.note('phase validation failed', 'error');
    await run.settle('failed');
    state.completed_at = now();
    run.revalidation = 'open';
    const holdSeconds = input.options.validation?.failed_hold_seconds ?? DEFAULT_FAILED_HOLD_SECONDS;
    const rerun = await wf.condition(() => run.revalidation === 'requested', holdSeconds * 1000);
    run.revalidation = 'closed';
    if (!rerun) refuse('ValidationFailed', message);
    state.status = 'running';
    state.failure = null;
    state.completed_at = null;
    run.beginPhase('validation');
  }
}

/**
 * The plan as validation activities (since PLAN_BY_REFERENCE_PATCH) and batches of small tables (transfer.ts) are sent
 * it: its key in the metadata store (kept there once a run: the plan does not change after the gate), or whole when
 * the store could not keep it.
 */
export async function planByReference(run: MigrationRun): Promise<{ plan: MigrationPlan } | { planRef: string }> {
  run.planRef ??= await schemaWork.keepPlan({ plan: run.plan() }).catch((err: unknown) => {
    wf.log.warn('plan not kept in the metadata store: validation activities are sent it whole', { error: String(err) });
    return null;
  });
  return run.planRef ? { planRef: run.planRef } : { plan: run.plan() };
}

/** One run of every tier; answers the tiers that did not pass. */
async function runValidation(run: MigrationRun): Promise<ValidationTier[]> {
  const { input, state } = run;
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
  // Without the patch, no await here: the commands of this activation keep their order in earlier histories.
  const plan = wf.patched(PLAN_BY_REFERENCE_PATCH) ? await planByReference(run) : { plan: run.plan() };
  const tierInput = {
    migrationId: input.id,
    source: input.source,
    target: input.target,
    ...plan,
    queries: v?.queries,
    queryLimits: { timeout_seconds: v?.query_timeout_seconds, max_rows: v?.max_query_rows },
  };
  const rejected = Object.fromEntries(state.tables.map((t) => [t.name, t.rows_rejected]));
  const rowCounts = schemaWork.compareRowCounts({ source: input.source, target: input.target, ...plan, rejected }).then((checks) => {
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
  await run.recordValidation();
  return failed;
}

/** Leads with the tier that caught it and its first finding, then every failed tier's summary. */
function validationFailureMessage(state: MigrationState, failed: ValidationTier[]): string {
  const diagnosis = state.validation?.diagnosis;
  const lead = diagnosis
    ? `caught by the ${diagnosis.caught_by} tier: ${diagnosis.finding}` +
      (diagnosis.also_failed.length ? ` (also seen by ${diagnosis.also_failed.join(', ')})` : '')
    : 'validation failed';
  const parts = failed.map((t) => `${t}: ${state.validation?.tiers[t].summary ?? 'failed'}`);
  return `${lead} — ${failed.length} tier(s) failed: ${parts.join(' | ')}`.slice(0, 2000);
}

/** Signs the certificate (every tier passed). The document stays in workflow state for certificateQuery. */
export async function certify(run: MigrationRun): Promise<void> {
  const { input, state } = run;
  const validation = state.validation as ValidationState;
  const info = wf.workflowInfo();
  const issued = await validationWork.issueCertificate({
    migration: { id: input.id, name: input.name, workflow_id: info.workflowId, run_id: info.firstExecutionRunId, validation_attempt: validation.attempt },
    environment: input.environment ?? 'live',
    source: { type: input.source.type, description: input.source.description, schema: schemaNames(input, state).source },
    target: { type: input.target.type, description: input.target.description, schema: schemaNames(input, state).target },
    ...(wf.patched(PLAN_BY_REFERENCE_PATCH) ? await planByReference(run) : { plan: run.plan() }),
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
export async function acceptRevalidationWhileCompleted(run: MigrationRun): Promise<void> {
  const { input, state } = run;
  const holdSeconds = input.options.validation?.completed_hold_seconds ?? 0;
  if (holdSeconds <= 0) return;
  for (;;) {
    state.phase = 'certification';
    await run.settle('completed');
    state.phases.certification = { ...state.phases.certification, status: 'completed', completed_at: now() };
    state.completed_at = now();
    run.revalidation = 'open';
    let rerun = false;
    try {
      rerun = await wf.condition(() => run.revalidation === 'requested', holdSeconds * 1000);
    } catch (err) {
      // Cancelling the workflow now only ends the hold: the migration stays completed.
      if (wf.isCancellation(err)) return;
      throw err;
    }
    run.revalidation = 'closed';
    if (!rerun) return;
    state.status = 'running';
    state.completed_at = null;
    run.beginPhase('validation');
    await validateUntilPassed(run);
    run.endPhase('validation', 'completed');
    run.beginPhase('certification');
    await certify(run);
  }
}

/** A closed migration opened again: validation and certification run once more, on the target as it is now. */
export function reopenForValidation(run: MigrationRun, request: RevalidateRequest): void {
  const { input, state } = run;
  wf.log.info('validation re-run requested on a closed migration', { by: request.by ?? 'unknown', reason: request.reason });
  input.revalidation = undefined;
  run.note(`validation re-run requested by ${request.by ?? 'unknown'}${request.reason ? `: ${request.reason}` : ''}`);
  state.status = 'running';
  state.failure = null;
  state.completed_at = null;
  // The previous certificate is no longer the migration's (a passing re-run issues a new one).
  state.certificateSummary = null;
  for (const phase of ['validation', 'certification'] as const) state.phases[phase] = { status: 'pending', started_at: null, completed_at: null };
}
