/**
 * One database migration, start to finish:
 *   created → schema_analysis → mapping → [approval gate] → schema_creation → data_transfer → validation
 *   → certification → completed   (or failed / cancelled)
 * Everything that touches a database is an activity; the workflow only decides what happens next.
 */
import * as wf from '@temporalio/workflow';
import { PHASES, type CarriedDocuments, type DocumentRefs, type MigrationInput, type MigrationState, type MigrationStatus } from '../../lib/migration';
import { describeFailure, progressOf } from '../state';
import { setHandlers } from './handlers';
import { schemaWork } from './activities';
import { runPhase } from './phases';
import { MigrationCancelled, MigrationRun, now } from './run';
import { reopenForValidation } from './validation';

/** A closed migration opened again to retry rejected rows waits this long for the first retry… */
const REOPENED_FIRST_RETRY_WAIT = '1 minute';
/** …and closes again once no retry came for this long (retries of several rows in a row share the run). */
const REOPENED_LINGER = '3 seconds';

/**
 * The listing index follows every status and phase in the background (run.followInIndex), not only the end (settle).
 * Before this patch the loop meant to do it ended at once (its condition read a variable before its declaration),
 * so runs started before it replay without the loop's activities.
 */
const INDEX_PATCH = 'listing-index-follows-status';

/**
 * A continue-as-new sends the source schema and the plan as a second argument (CarriedDocuments), not inside the
 * carried state: at 5,000 tables they were 11 of the state's 12 MB, stored again by the claim check at every one of
 * some 30 continue-as-new. Apart, their payloads are the same bytes each time, stored once. Runs started before it
 * replay carrying everything in the state.
 */
const DOCUMENTS_APART_PATCH = 'documents-apart';

/**
 * Past the gate a continue-as-new carries the keys of the source schema and the plan in the metadata store
 * (DocumentRefs), not the documents: apart (DOCUMENTS_APART_PATCH) they were still the next run's argument, which its
 * worker decodes whenever it replays it — at 5,000 tables 11 MB, 1–5 s of every status query that landed on a run
 * that had just closed. The run's activities are sent the plan's key and a table's name. Runs started before it
 * carry the documents apart; so does one whose store could not keep them.
 */
const DOCUMENTS_BY_REFERENCE_PATCH = 'documents-by-reference';

export async function migrationWorkflow(input: MigrationInput, documents?: CarriedDocuments): Promise<MigrationStatus> {
  const run = new MigrationRun(input, documents);
  const { state } = run;
  // Before any handler is set, so a signal delivered with the first task already sees the migration running.
  if (input.revalidation) reopenForValidation(run, input.revalidation);
  if (input.errorRetry) wf.log.info('closed migration opened again to retry rejected rows', { by: input.errorRetry.by ?? 'unknown' });
  setHandlers(run);
  if (wf.patched(INDEX_PATCH)) run.followInIndex();
  run.writeResultsAsTheyCome();

  if (input.errorRetry) return await takeRetriesWhileClosed(run);
  try {
    if (!input.carried) await run.emit('migration.created', { name: input.name });
    await wf.condition(() => state.status !== 'created' || state.cancelRequested);
    for (const phase of PHASES) {
      if (state.phases[phase].status === 'completed' || state.phases[phase].status === 'skipped') continue;
      await run.checkpoint();
      run.beginPhase(phase);
      const outcome = await runPhase(run, phase);
      if (outcome === 'continue_as_new') {
        // Before the handlers are waited for: one that starts while the documents are kept finishes in this run too.
        const refs = wf.patched(DOCUMENTS_BY_REFERENCE_PATCH) ? await documentsByReference(run) : null;
        await wf.condition(wf.allHandlersFinished);
        // A batch in flight finishes first; what is not written yet is carried in the state.
        run.ending = true;
        await wf.condition(() => !run.writing);
        state.runs += 1;
        if (refs) {
          const carried: MigrationState = { ...state, schema: null, plan: null, documentRefs: refs };
          return await wf.continueAsNew<typeof migrationWorkflow>({ ...input, carried });
        }
        if (wf.patched(DOCUMENTS_APART_PATCH)) {
          const { carried, documents } = setDocumentsApart(state);
          return await wf.continueAsNew<typeof migrationWorkflow>({ ...input, carried }, documents);
        }
        return await wf.continueAsNew<typeof migrationWorkflow>({ ...input, carried: state });
      }
      run.endPhase(phase, outcome);
    }
    await run.settle('completed');
    state.completed_at = now();
    run.note('migration completed', 'info', state.completed_at);
    await run.emit('migration.completed', { rows_copied: progressOf(state.tables).rows_copied, duration_ms: run.status().duration_ms });
    await run.recordOutcome();
    return run.status();
  } catch (err) {
    if (wf.isCancellation(err) || err instanceof MigrationCancelled) {
      run.endActivePhase('cancelled');
      state.failure ??= { code: 'Cancelled', message: 'cancelled on request' };
      await run.settle('cancelled');
      state.completed_at = now();
      run.note(`migration cancelled: ${state.failure.message}`, 'warn', state.completed_at);
      await run.emit('migration.cancelled', { reason: state.failure.message });
      await run.recordOutcome();
      if (err instanceof MigrationCancelled) return run.status();
      throw err;
    }
    if (err instanceof wf.ContinueAsNew) throw err;
    const failure = describeFailure(err);
    run.recordError(failure.code, failure.message);
    run.endActivePhase('failed');
    state.failure = failure;
    await run.settle('failed');
    state.completed_at = now();
    run.note(`migration failed: ${failure.code}`, 'error', state.completed_at);
    if (state.phase === 'validation') await run.emit('validation.completed', { validation_status: 'failed', message: failure.message });
    await run.emit('migration.failed', { phase: state.phase, error: failure });
    await run.recordOutcome();
    // The workflow itself fails too, so Temporal's own tools show the failure; queries still answer.
    throw wf.ApplicationFailure.create({ message: failure.message, type: failure.code, nonRetryable: true });
  }
}

/** The keys of the schema and the plan in the metadata store (kept there once); null when the store could not keep them. */
async function documentsByReference(run: MigrationRun): Promise<DocumentRefs | null> {
  const { state } = run;
  if (state.documentRefs) return state.documentRefs;
  if (!state.schema || !state.plan) return null;
  return await schemaWork.keepDocuments({ schema: state.schema, plan: state.plan }).catch((err: unknown) => {
    wf.log.warn('schema and plan not kept in the metadata store: the next run is sent them whole', { error: String(err) });
    return null;
  });
}

/** The state to carry without its schema and plan, and those two as the next run's second argument. */
function setDocumentsApart(state: MigrationState): { carried: MigrationState; documents: CarriedDocuments } {
  return { carried: { ...state, schema: null, plan: null }, documents: { schema: state.schema, plan: state.plan } };
}

/**
 * A closed migration opened again to copy rejected rows again: it takes the retries (retryErrorUpdate) while they
 * come, then closes again as it was, completed or failed, with the retries' outcomes in its final status.
 */
async function takeRetriesWhileClosed(run: MigrationRun): Promise<MigrationStatus> {
  let seen = 0;
  let came = await wf.condition(() => run.retriesHandled > seen, REOPENED_FIRST_RETRY_WAIT);
  while (came) {
    seen = run.retriesHandled;
    came = await wf.condition(() => run.retriesHandled > seen, REOPENED_LINGER);
  }
  await wf.condition(wf.allHandlersFinished);
  await run.recordOutcome();
  const failure = run.state.failure;
  if (run.state.status === 'failed' && failure) throw wf.ApplicationFailure.create({ message: failure.message, type: failure.code, nonRetryable: true });
  return run.status();
}
