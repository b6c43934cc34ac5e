/**
 * What the migration answers: a handler for every query, update and signal of the contract, each update with a
 * validator that refuses it (the client gets the reason) when it is not allowed now. The state they read and
 * change is the run's (run.ts).
 */
import * as wf from '@temporalio/workflow';
import { isEditedByHand } from '../../lib/edited-kinds';
import { approvalNeed, blockedReason, shownStatus, type GateState, type TableProgress, type ValidationState } from '../../lib/migration';
import { applyMappingEdits, mappingEditProblem, type EditOptions } from '../../lib/mapping-edit';
import { leaveOutObjects, leaveOutProblems, type LeaveOutRules } from '../../lib/object-mappings';
import type { Key, MigrationPlan } from '../../lib/types';
import { schemaWork } from './activities';
import { tableProgress } from './phases';
import { RETRIES_PATCH } from './transfer';
import {
  approveUpdate,
  cancelSignal,
  cancelUpdate,
  carryOnQuery,
  certificateQuery,
  configureUpdate,
  documentRefsQuery,
  editMappingsUpdate,
  excludeTablesUpdate,
  leaveOutObjectsUpdate,
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
  type ExcludeTablesRequest,
  type GateDecision,
  type LeaveOutRequest,
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

/** Edits check the plan's blockers again (lib/mapping-edit.ts EditOptions.recheckBlockers). */
const RECHECK_BLOCKERS_PATCH = 'edits-recheck-blockers';
/**
 * Objects of tables migrated natively may be left out at the gate where the target makes them from their lists, and a
 * unique key a foreign key references only with that key (lib/object-mappings.ts LeaveOutRules).
 */
const LEAVE_OUT_RULES_PATCH = 'leave-out-native-and-referenced';

/**
 * Which objects this run lets be left out at the gate. Asked once, as the handlers are set (an update's validator
 * does not run again on replay, so a patch asked there would leave its marker unmatched).
 */
function leaveOutRules(): LeaveOutRules {
  const now = wf.patched(LEAVE_OUT_RULES_PATCH);
  return { native: now, referenced: now };
}

/** How this run applies mapping edits: each option on for runs that reached its patch. */
function editOptions(): EditOptions {
  return {
    pruneExtensions: wf.patched(PRUNE_EXTENSIONS_PATCH),
    refreshChecks: wf.patched(REFRESH_CHECKS_PATCH),
    pruneExtensionObjects: wf.patched(PRUNE_EXTENSION_OBJECTS_PATCH),
    renameConstraints: wf.patched(RENAME_CONSTRAINTS_PATCH),
    datesAsText: wf.patched(DATES_AS_TEXT_PATCH),
    foreignKeyColumns: wf.patched(FOREIGN_KEY_COLUMNS_PATCH),
    foreignKeyTypes: wf.patched(FOREIGN_KEY_TYPES_PATCH),
    recheckBlockers: wf.patched(RECHECK_BLOCKERS_PATCH),
  };
}

/** Registers every handler: called before the workflow's first await, so no signal or update is lost. */
export function setHandlers(run: MigrationRun): void {
  const { input, state } = run;
  const leaveOut = leaveOutRules();
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
      const result = applyMappingEdits(state.plan as MigrationPlan, edits, editOptions());
      state.plan = result.plan;
      return { edited: result.edited, excluded: input.source.excludeTables ?? [], blockers: result.plan.blockers, gate: gateFollowsPlan() };
    },
    {
      validator: (edits) => {
        gateEditable('mappings can be edited');
        if (edits.length === 0) refuse('InvalidMapping', 'no mapping edits given');
        for (const edit of edits) {
          const problem = mappingEditProblem(state.plan as MigrationPlan, edit);
          if (problem) refuse('InvalidMapping', problem);
        }
      },
    },
  );

  /** Refuses a gate edit unless the gate waits, with a plan, and no other edit is being planned. */
  const gateEditable = (what: string) => {
    if (state.gate?.state !== 'pending' || !state.plan || state.cancelRequested) refuse('InvalidState', `${what} only while the approval gate waits`);
    if (replanning) refuse('InvalidState', 'the mapping is being planned again without the tables left out: try again in a moment');
  };
  /** The gate after its plan changed: its need and confidence follow; one nothing holds any more opens by itself. */
  const gateFollowsPlan = (): GateState => {
    const plan = state.plan as MigrationPlan;
    const need = approvalNeed(plan, input.strategy, input.options);
    const gate = state.gate as GateState;
    Object.assign(gate, { required: need.required, reason: need.reason, min_confidence: plan.minConfidence });
    // An edit that makes every mapping lossless (or ends the last blocker) can open a gate the strategy would open by itself.
    if (!need.required) {
      Object.assign(gate, { state: 'auto_approved', decided_by: 'sensei', decided_at: now() });
      run.note(`approval gate ${gate.state} by ${gate.decided_by}`, 'info', gate.decided_at);
    }
    return gate;
  };
  /** Set while excludeTablesUpdate plans the mapping again: the gate takes no other edit or decision meanwhile. */
  let replanning = false;
  /** The source analysed and the mapping planned again; a database that fails them refuses the update, saying why. */
  const replan = async (source: typeof input.source) => {
    try {
      const schema = await schemaWork.analyzeSource({ source });
      return { schema, planned: await schemaWork.planMapping({ schema, target: input.target }) };
    } catch (err) {
      const cause = err instanceof wf.ActivityFailure && err.cause ? err.cause.message : String(err);
      return refuse('ReplanFailed', `the mapping could not be planned again without those tables (nothing changed): ${cause}`);
    }
  };

  wf.setHandler(
    excludeTablesUpdate,
    async ({ tables, by, edits: asked = [] }: ExcludeTablesRequest) => {
      replanning = true;
      try {
        // Analysed and planned again as if the migration had been created without them: what the source's schema
        // holds for those tables alone (an extension only their columns use, a view that reads them) goes with them.
        const excluded = [...(input.source.excludeTables ?? []), ...tables];
        const source = { ...input.source, excludeTables: excluded };
        const { schema, planned } = await replan(source);
        // The edits made to the tables still in it are made again (their ids are table.column in every plan), then
        // those asked with this request: one change of the plan, so the gate follows it once.
        const leftOut = new Set(tables);
        const askedIds = new Set(asked.map((e) => e.id));
        const before = (state.plan as MigrationPlan).tables
          .flatMap((t) => t.columns)
          .filter((c) => isEditedByHand(c) && !leftOut.has(c.table) && !askedIds.has(c.id))
          .map((c) => ({ id: c.id, target_type: c.targetType }));
        const edits = [...before, ...asked];
        const result = edits.length ? applyMappingEdits(planned, edits, editOptions()) : { plan: planned, edited: [] };
        // The objects left out at the gate stay out, those of the tables still in it.
        const kept = state.plan?.leftOut ?? [];
        const problems = leaveOutProblems(result.plan, schema, kept, leaveOut);
        const leftOutObjects = kept.filter((_id, i) => problems[i] === null);
        const plan = leftOutObjects.length ? leaveOutObjects(result.plan, leftOutObjects) : result.plan;
        Object.assign(state, { schema, plan, tables: plan.tables.map((t) => tableProgress(t, run.settings, wf.patched(RETRIES_PATCH))) });
        input.source = source;
        run.note(`table(s) ${tables.join(', ')} left out of the migration at the gate by ${by}`);
        return { excluded, edited: result.edited.filter((c) => askedIds.has(c.id)), leftOut: plan.leftOut ?? [], blockers: plan.blockers, gate: gateFollowsPlan() };
      } finally {
        replanning = false;
      }
    },
    {
      validator: ({ tables, edits = [] }: ExcludeTablesRequest) => {
        gateEditable('tables can be left out');
        if (tables.length === 0) refuse('InvalidRequest', 'no tables given to leave out');
        const unknown = tables.filter((name) => !run.plans(name));
        if (unknown.length) refuse('TableNotFound', `the plan has no table ${unknown.join(', ')}`);
        for (const edit of edits) {
          const problem = mappingEditProblem(state.plan as MigrationPlan, edit);
          if (problem) refuse('InvalidMapping', problem);
          const table = state.plan?.tables.find((t) => t.columns.some((c) => c.id === edit.id))?.source.name;
          if (table && tables.includes(table)) refuse('InvalidMapping', `mapping ${edit.id} is of table ${table}, which this request leaves out`);
        }
        if (state.plan?.tables.every((t) => tables.includes(t.source.name))) {
          refuse('InvalidRequest', 'leaving out every table leaves nothing to migrate: reject the mapping instead');
        }
      },
    },
  );

  wf.setHandler(
    leaveOutObjectsUpdate,
    ({ ids, by }: LeaveOutRequest) => {
      state.plan = leaveOutObjects(state.plan as MigrationPlan, ids);
      run.note(`${ids.join(', ')} left out of the migration at the gate by ${by}`);
      return { leftOut: state.plan.leftOut ?? [], excluded: input.source.excludeTables ?? [], blockers: state.plan.blockers, gate: gateFollowsPlan() };
    },
    {
      validator: ({ ids }: LeaveOutRequest) => {
        gateEditable('schema objects can be left out');
        if (ids.length === 0) refuse('InvalidRequest', 'no object mappings given to leave out');
        for (const problem of leaveOutProblems(state.plan as MigrationPlan, state.schema, ids, leaveOut)) {
          if (problem) refuse(problem.startsWith('no object mapping') ? 'MappingNotFound' : 'InvalidMapping', problem);
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
    if (replanning) refuse('InvalidState', 'the mapping is being planned again without the tables left out: try again in a moment');
  };
  const approvable = (d: GateDecision) => {
    awaitingApproval(d);
    const blockers = state.plan?.blockers ?? [];
    // The first hundred in the details (GET …/mappings lists every one).
    if (blockers.length) refuse('MappingBlocked', blockedReason(blockers), { blockers: blockers.slice(0, 100), blockers_total: blockers.length });
  };
  wf.setHandler(approveUpdate, (d) => decide('approved', d), { validator: approvable });
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
