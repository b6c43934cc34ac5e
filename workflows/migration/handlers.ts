/**
 * What the migration answers: a handler for every query, update and signal of the contract, each update with a
 * validator that refuses it (the client gets the reason) when it is not allowed now. The state they read and
 * change is the run's (run.ts).
 */
import * as wf from '@temporalio/workflow';
import { approvalNeed, shownStatus, type GateState, type TableProgress, type ValidationState } from '../../lib/migration';
import { applyMappingEdits, mappingEditProblem } from '../../lib/mapping-edit';
import type { Key, MigrationPlan } from '../../lib/types';
import {
  approveUpdate,
  cancelSignal,
  cancelUpdate,
  carryOnQuery,
  certificateQuery,
  configureUpdate,
  documentRefsQuery,
  editMappingsUpdate,
  pauseSignal,
  pauseUpdate,
  planQuery,
  rejectUpdate,
  resolveErrorUpdate,
  resumeSignal,
  resumeUpdate,
  retryErrorUpdate,
  revalidateUpdate,
  schemaQuery,
  startUpdate,
  statusQuery,
  tablesQuery,
  validationQuery,
  type GateDecision,
  type RevalidateRequest,
} from './contract';
import { cancelRefusal, pauseRefusal, resumeRefusal, rowRetryRefusal } from './rules';
import { now, refuse, type MigrationRun } from './run';

/**
 * Mapping edits leave out an extension the plan would create once no column needs it (lib/mapping-edit.ts,
 * EditOptions.pruneExtensions); edits made before this keep it (workflow versioning).
 */
const PRUNE_EXTENSIONS_PATCH = 'edits-prune-extensions';
/** Edits say at the gate what becomes of the CHECKs the plan took from the source (lib/mapping-edit.ts refreshChecks). */
const REFRESH_CHECKS_PATCH = 'edits-refresh-checks';
/**
 * Edits leave out the objects in an extension's tables (PostGIS's spatial_ref_sys rows) that no column needs any more,
 * or whose extension the plan no longer creates (lib/mapping-edit.ts pruneExtensionObjects).
 */
const PRUNE_EXTENSION_OBJECTS_PATCH = 'edits-prune-extension-objects';
/**
 * Edits name the plan's CHECKs and foreign keys again, apart from the names the target gives the constraints it names
 * itself (lib/mapping-edit.ts renameConstraints: a foreign key named `<table>_<column>_check` once that column, an enum,
 * is edited to text with its labels as a CHECK).
 */
const RENAME_CONSTRAINTS_PATCH = 'edits-rename-constraints';
/** A date or timestamp edited to text is judged as keeping every value (EditOptions.datesAsText). */
const DATES_AS_TEXT_PATCH = 'edits-dates-as-text';
/** An edited foreign-key column is rendered as a key column (EditOptions.foreignKeyColumns). */
const FOREIGN_KEY_COLUMNS_PATCH = 'edits-foreign-key-columns';
/** An edited foreign-key column whose type no longer matches the key's other side says so (EditOptions.foreignKeyTypes). */
const FOREIGN_KEY_TYPES_PATCH = 'edits-foreign-key-types';

/** Registers every handler: called before the workflow's first await, so no signal or update is lost. */
export function setHandlers(run: MigrationRun): void {
  const { input, state } = run;
  /** The status clients see, for refusals that name it. */
  const shown = () => run.status().status;

  wf.setHandler(statusQuery, () => shownStatus(run.status()));
  wf.setHandler(tablesQuery, (offset, limit) => ({ total: state.tables.length, tables: state.tables.slice(offset, offset + limit) }));
  wf.setHandler(planQuery, () => state.plan);
  wf.setHandler(schemaQuery, () => state.schema);
  wf.setHandler(documentRefsQuery, () => (state.plan ? null : (state.documentRefs ?? null)));
  wf.setHandler(validationQuery, () => (state.validation ? { ...state.validation, results: state.validationResults ?? {} } : null));
  wf.setHandler(certificateQuery, () => state.certificate ?? null);
  // Without the last run's full tier results and certificate, which a re-run replaces anyway: they can be large.
  wf.setHandler(carryOnQuery, () => ({ ...input, revalidation: undefined, carried: { ...state, validationResults: {}, certificate: null, certificateSummary: null } }));

  wf.setHandler(
    revalidateUpdate,
    (request) => {
      wf.log.info('validation re-run requested', { by: request?.by ?? 'unknown', reason: request?.reason });
      run.note(`validation re-run requested by ${request?.by ?? 'unknown'}${request?.reason ? `: ${request.reason}` : ''}`);
      run.revalidation = 'requested';
      return state.validation as ValidationState;
    },
    {
      validator: (_request: RevalidateRequest) => {
        if (run.revalidation !== 'open') refuse('InvalidState', `validation can be re-run only after it failed or while a completed migration accepts re-runs (status ${shown()})`);
      },
    },
  );

  wf.setHandler(
    startUpdate,
    () => {
      state.status = 'running';
      state.started_at = now();
      run.note('migration started', 'info', state.started_at);
      return run.status();
    },
    {
      validator: () => {
        if (state.status !== 'created') refuse('InvalidState', `migration is ${shown()}, not created`);
      },
    },
  );

  wf.setHandler(
    configureUpdate,
    (patch) => {
      run.configure(patch);
      return run.status();
    },
    {
      validator: (_patch) => {
        if (state.status !== 'created') refuse('InvalidState', `only a created migration can be reconfigured; this one is ${shown()}`);
      },
    },
  );

  wf.setHandler(
    editMappingsUpdate,
    (edits) => {
      const result = applyMappingEdits(state.plan as MigrationPlan, edits, {
        pruneExtensions: wf.patched(PRUNE_EXTENSIONS_PATCH),
        refreshChecks: wf.patched(REFRESH_CHECKS_PATCH),
        pruneExtensionObjects: wf.patched(PRUNE_EXTENSION_OBJECTS_PATCH),
        renameConstraints: wf.patched(RENAME_CONSTRAINTS_PATCH),
        datesAsText: wf.patched(DATES_AS_TEXT_PATCH),
        foreignKeyColumns: wf.patched(FOREIGN_KEY_COLUMNS_PATCH),
        foreignKeyTypes: wf.patched(FOREIGN_KEY_TYPES_PATCH),
      });
      state.plan = result.plan;
      const need = approvalNeed(result.plan, input.strategy, input.options);
      const gate = state.gate as GateState;
      Object.assign(gate, { required: need.required, reason: need.reason, min_confidence: result.plan.minConfidence });
      // An edit that makes every mapping lossless can open a gate the strategy would open by itself.
      if (!need.required) {
        Object.assign(gate, { state: 'auto_approved', decided_by: 'sensei', decided_at: now() });
        run.note(`approval gate ${gate.state} by ${gate.decided_by}`, 'info', gate.decided_at);
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

  wf.setHandler(
    resolveErrorUpdate,
    (request) => {
      const error = run.errorToChange(request);
      Object.assign(error, { resolved_at: now(), resolved_by: request.by, resolution_note: request.note });
      run.errorChanged(error);
      return error;
    },
    {
      validator: (request) => {
        const error = run.errorOf(request);
        if (!error) refuse('ErrorNotFound', `no error ${request.errorId}`);
        if (error.resolved_at) refuse('InvalidState', `error ${request.errorId} is already resolved`);
      },
    },
  );

  wf.setHandler(
    retryErrorUpdate,
    async (request) => {
      const { by } = request;
      const error = run.errorToChange(request);
      const progress = state.tables.find((t) => t.name === error.table) as TableProgress;
      try {
        const result = await run.copyWork.copyRows({ source: input.source, target: input.target, ...run.tableCarrier(error.table as string), keys: [error.key as Key] });
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
        run.errorChanged(error);
        run.retriesHandled += 1;
      }
    },
    {
      validator: (request) => {
        const error = run.errorOf(request);
        if (!error) refuse('ErrorNotFound', `no error ${request.errorId}`);
        const refusal = rowRetryRefusal(request.errorId, error);
        if (refusal) refuse('InvalidState', refusal);
        if (!error.table || !run.plans(error.table)) refuse('InvalidState', `table ${error.table} is not in the plan`);
      },
    },
  );

  const decide = (decision: 'approved' | 'rejected', d: GateDecision): GateState => {
    const gate = state.gate as GateState;
    Object.assign(gate, { state: decision, decided_by: d.by ?? 'unknown', comment: d.comment, decided_at: now() });
    run.note(`approval gate ${gate.state} by ${gate.decided_by}`, 'info', gate.decided_at);
    return gate;
  };
  const awaitingApproval = (_decision: GateDecision) => {
    if (state.gate?.state !== 'pending' || state.cancelRequested) refuse('InvalidState', `migration is not awaiting approval (status ${shown()})`);
  };
  wf.setHandler(approveUpdate, (d) => decide('approved', d), { validator: awaitingApproval });
  wf.setHandler(rejectUpdate, (d) => decide('rejected', d), { validator: awaitingApproval });

  wf.setHandler(pauseSignal, () => run.pause());
  wf.setHandler(resumeSignal, () => run.resume());
  wf.setHandler(cancelSignal, (args) => run.cancel(args?.reason));

  /** A refusal by a rule of rules.ts: the status it judged goes with it (the API answers it in the error's details). */
  const allowedBy = (rule: (status: ReturnType<typeof shown>) => string | null) => (..._args: unknown[]) => {
    const status = shown();
    const refusal = rule(status);
    if (refusal) refuse('InvalidState', refusal, { status });
  };
  wf.setHandler(
    pauseUpdate,
    async () => {
      await run.pause();
      return run.status();
    },
    { validator: allowedBy(pauseRefusal) },
  );
  wf.setHandler(
    resumeUpdate,
    async () => {
      await run.resume();
      return run.status();
    },
    { validator: allowedBy(resumeRefusal) },
  );
  wf.setHandler(
    cancelUpdate,
    (args) => {
      run.cancel(args?.reason);
      return run.status();
    },
    { validator: allowedBy(cancelRefusal) },
  );
}
