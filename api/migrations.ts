import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { Router, type Request, type Response } from 'express';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { endpointLabel } from '../connectors/endpoint';
import { certificateText } from '../lib/certificate';
import { mappingEditProblem, type MappingEdit } from '../lib/mapping-edit';
import { leaveOutProblems, objectMappings, OBJECT_KINDS } from '../lib/object-mappings';
import {
  QUERY_DEADLINE_MS,
  TERMINAL_STATUSES,
  shownStatus,
  type EndpointRef,
  type MigrationError,
  type MigrationInput,
  type MigrationStatus,
  type ValidationReport,
} from '../lib/migration';
import type { ReachPolicy } from '../lib/reach';
import type { Sealer } from '../lib/secrets';
import { snakeKeys } from '../lib/snake-case';
import type { LogLine, MetadataStore } from '../lib/store';
import type { Dialect } from '../lib/types';
import {
  approveUpdate,
  cancelRefusal,
  cancelUpdate,
  carryOnQuery,
  certificateQuery,
  configureUpdate,
  documentRefsQuery,
  editMappingsUpdate,
  excludeTablesUpdate,
  leaveOutObjectsUpdate,
  migrationWorkflow,
  resolveErrorUpdate,
  retryErrorUpdate,
  pauseRefusal,
  pauseUpdate,
  planQuery,
  rejectUpdate,
  reopensForValidation,
  resumeRefusal,
  resumeUpdate,
  retryReopenRefusal,
  revalidateReopenRefusal,
  revalidateUpdate,
  rowRetryRefusal,
  schemaQuery,
  startUpdate,
  statusQuery,
  tablesQuery,
  validationQuery,
} from '../workflows/migration';
import { displayStatus, initialState } from '../workflows/state';
import type { Principal } from './auth';
import type { migrationResponse } from './responses';
import { mappingResource } from './mapping-resource';

type MigrationResponse = z.infer<typeof migrationResponse>;
import { allowedByReach, testEndpoint } from './connections';
import { ApiError, conflict, notFound } from './errors';
import {
  cancelBody,
  createMigrationBody,
  envelope,
  gateDecisionBody,
  listMigrationsQuery,
  mappingsQuery,
  page,
  pageQuery,
  parse,
  patchMappingBody,
  patchMappingsBody,
  patchMigrationBody,
  resolveErrorBody,
} from './schemas';

export interface MigrationRoutesDeps {
  client: Client;
  taskQueue: string;
  sealer: Sealer;
  store: MetadataStore;
  /** What connection strings may name (lib/reach.ts); checked whether or not connections are tested. */
  reach: ReachPolicy;
  /** Test source and target before accepting a migration (default true). */
  testConnections?: boolean;
  /** SENSEI_SSE_MAX_STREAMS: status streams one principal may hold open at once, per API process (5). */
  sseMaxStreamsPerKey?: number;
  /** SENSEI_SSE_MAX_SECONDS: how long one status stream lasts before it ends and the client reconnects (3600). */
  sseMaxSeconds?: number;
}

const ID_PATTERN = /^mig_[a-z0-9]{8,40}$/;
/**
 * Readers of a migration's status (pollers, dashboards, event streams) share one answer for this long: an open
 * migration's is a status query, a round trip through Temporal to a worker; a closed one's is read from the store.
 */
const STATUS_SHARED_MS = 250;
const TIERS = ['structural', 'statistical', 'referential', 'semantic', 'behavioral'] as const;
/** Migrations whose environment this process remembers (it starts over past this many). */
const ENVIRONMENTS_KEPT = 10_000;

type Handle = WorkflowHandle<typeof migrationWorkflow>;

/** The migration as the seeds' resource shape, with the live status beside it. */
export function migrationResource(s: MigrationStatus): MigrationResponse {
  const base = `/v1/migrations/${s.id}`;
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    phase: s.phase,
    created_at: s.created_at,
    started_at: s.started_at,
    completed_at: s.completed_at,
    duration_ms: s.duration_ms,
    source: { ...s.source, exclude_tables: s.source.exclude_tables ?? null, estimated_rows: s.tables.length ? s.progress.rows_estimated : null },
    target: s.target,
    strategy: s.strategy,
    progress: s.progress,
    gate: s.gate,
    failure: s.failure,
    pause_reason: s.pause_reason,
    links: {
      self: base,
      start: `${base}/start`,
      status: `${base}/status`,
      pause: `${base}/pause`,
      resume: `${base}/resume`,
      approve: `${base}/approve`,
      reject: `${base}/reject`,
      mappings: `${base}/mappings`,
      errors: `${base}/errors`,
      validation: `${base}/validation`,
      certificate: `${base}/certificate`,
    },
  };
}

export function migrationRoutes(deps: MigrationRoutesDeps): Router {
  const router = Router({ caseSensitive: true });
  const { client, store } = deps;
  // The environment a migration belongs to never changes: known ones are not read again for every request.
  const environments = new Map<string, string>();

  /** The workflow of a migration the caller's environment owns; any other id is a 404. */
  async function handleFor(req: Request, res: Response): Promise<Handle> {
    const id = String(req.params.id);
    if (!ID_PATTERN.test(id)) throw notFound('migration', id);
    const environment = environments.get(id) ?? (await store.getMigrationIndex(id))?.environment;
    if (environment === undefined || environment !== (res.locals.principal as Principal).environment) throw notFound('migration', id);
    if (environments.size >= ENVIRONMENTS_KEPT) environments.clear();
    environments.set(id, environment);
    return client.workflow.getHandle<typeof migrationWorkflow>(id);
  }

  /** Runs a query with a deadline; a workflow nobody answers for is a 503, an unknown one a 404. */
  async function ask<T>(handle: Handle, query: () => Promise<T>): Promise<T> {
    try {
      return await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, query);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound('migration', handle.workflowId);
      const missing = await handle.describe().then(
        () => false,
        (e) => e instanceof WorkflowNotFoundError,
      );
      if (missing) throw notFound('migration', handle.workflowId);
      throw new ApiError(503, 'worker_unavailable', 'No worker answered for this migration; is a Sensei worker running?');
    }
  }

  /**
   * A migration's status: once its workflow has ended, the final status the workflow left in the store (served
   * after Temporal dropped the workflow too); while it runs, its status query.
   */
  async function statusOf(handle: Handle): Promise<MigrationStatus> {
    const outcome = await store.getOutcome(handle.workflowId);
    return outcome ? shownStatus(outcome.status) : ask(handle, () => handle.query(statusQuery));
  }

  // Status answers shared by concurrent readers of one migration (STATUS_SHARED_MS), in this process only.
  const sharedStatuses = new Map<string, Promise<MigrationStatus>>();
  const sharedKey = (handle: Handle, res: Response) => `${(res.locals.principal as Principal).environment}/${handle.workflowId}`;

  /**
   * statusOf for reads: readers of one migration within STATUS_SHARED_MS share one answer (and its failure): one
   * status query of an open workflow, one read of a closed one's final status.
   */
  async function sharedStatusOf(handle: Handle, res: Response): Promise<MigrationStatus> {
    const key = sharedKey(handle, res);
    const shared = sharedStatuses.get(key);
    if (shared) return shared;
    const answer = statusOf(handle);
    sharedStatuses.set(key, answer);
    const forget = () => {
      if (sharedStatuses.get(key) === answer) sharedStatuses.delete(key);
    };
    void answer.then(() => setTimeout(forget, STATUS_SHARED_MS).unref(), forget);
    return answer;
  }

  /** After a change made through this process, the next reader asks the workflow again. */
  const forgetStatus = (handle: Handle, res: Response) => sharedStatuses.delete(sharedKey(handle, res));

  interface ClosedRun {
    runId: string;
    /** Temporal's status of the run: COMPLETED, FAILED, CANCELED, TERMINATED… */
    status: string;
    /** Temporal dropped the workflow (retention, or deleted): only the store's outcome remains. */
    gone: boolean;
  }

  /**
   * The run the id names now, when it has ended (completed, failed, cancelled, terminated…); null while it runs.
   * A workflow Temporal no longer has is the closed run whose outcome the store kept (null without one).
   */
  async function closedRun(handle: Handle): Promise<ClosedRun | null> {
    try {
      const d = await handle.describe();
      return d.status.name === 'RUNNING' ? null : { runId: d.runId, status: d.status.name, gone: false };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) return null;
      const outcome = await store.getOutcome(handle.workflowId);
      if (!outcome) return null;
      const status = { completed: 'COMPLETED', failed: 'FAILED' }[outcome.status.status as string] ?? 'CANCELED';
      return { runId: outcome.run_id, status, gone: true };
    }
  }

  /**
   * Opens a closed migration again: a new run of its workflow id starts from where the closed run ended (the
   * outcome it left in the store, with the errors as the store has them now; for a run that ended before outcomes
   * were kept, its carryOnQuery), with `why` (a validation re-run, or rejected rows to retry). Answers the new run's
   * id. A newer run than the closed one (another request opened it meanwhile) is a 409.
   */
  async function reopen(handle: Handle, closed: ClosedRun, why: Pick<MigrationInput, 'revalidation' | 'errorRetry'>, busy: string): Promise<string> {
    const id = handle.workflowId;
    const stored = await store.getStoredOutcome(id);
    let carried: MigrationInput;
    if (stored?.run_id === closed.runId) {
      carried = JSON.parse(stored.carry_on) as MigrationInput;
      const state = carried.carried;
      if (state) {
        // Resolved through the store while the workflow was closed: the new run knows it.
        const current = new Map((await store.errorsById(id, state.errors.map((e) => e.id))).map((e) => [e.id, e]));
        state.errors = state.errors.map((e) => current.get(e.id) ?? e);
      }
    } else if (closed.gone) {
      throw conflict('the migration cannot be opened again: its workflow is gone and its final state was not kept');
    } else {
      const closedHandle = client.workflow.getHandle<typeof migrationWorkflow>(id, closed.runId);
      carried = await ask(closedHandle, () => closedHandle.query(carryOnQuery));
    }
    // Another request that started a newer run meanwhile wins: its state is the one to carry on.
    const current = await handle.describe().then(
      (d) => d.runId,
      (err) => (err instanceof WorkflowNotFoundError ? null : Promise.reject(err)),
    );
    if (current !== null && current !== closed.runId) throw conflict(busy);
    const taken = stored?.run_id === closed.runId ? await store.takeOutcome(id, closed.runId) : undefined;
    if (stored?.run_id === closed.runId && !taken) throw conflict(busy);
    try {
      const started = await client.workflow.start(migrationWorkflow, { taskQueue: deps.taskQueue, workflowId: id, args: [{ ...carried, ...why }] });
      return started.firstExecutionRunId;
    } catch (err) {
      // The closed run still describes the migration.
      if (taken) await store.putOutcomeBack(taken);
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict(busy);
      throw err;
    }
  }

  /**
   * Runs an update; a refusal by the workflow's validator, or a closed workflow, is a 409 naming why. A closed
   * workflow has no validator to ask: `rule` (the validator's rule, workflows/migration/rules.ts) says why from
   * its final status, when the update has one.
   */
  async function update<R>(handle: Handle, run: () => Promise<R>, rule?: (status: MigrationStatus['status']) => string | null): Promise<R> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        const [details] = (err.cause.details ?? []) as (Record<string, unknown> | undefined)[];
        throw conflict(err.cause.message, details);
      }
      // The workflow closed before the update arrived, or is closing under it (the server refuses updates then,
      // while describe still says RUNNING, but its status already says the migration is over).
      const closed = err instanceof WorkflowNotFoundError || (await closedRun(handle)) !== null;
      const status = await statusOf(handle);
      if (closed || TERMINAL_STATUSES.includes(status.status)) {
        throw conflict(rule?.(status.status) ?? `migration is ${status.status}`, { status: status.status });
      }
      throw err;
    }
  }

  /** Waits a few seconds for a workflow whose migration is over to close; answers the closed run, or null. */
  async function closedWithin(handle: Handle, ms: number) {
    const deadline = Date.now() + ms;
    for (;;) {
      const closed = await closedRun(handle);
      if (closed || Date.now() > deadline) return closed;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** A saved connection (by id, in the caller's environment) or an inline one, sealed for the workflow. */
  async function endpointRef(
    field: 'source' | 'target',
    given: { connection_id?: string; type?: string; connection_string?: string; schema?: string; tables?: string[]; exclude_tables?: string[] },
    principal: Principal,
  ): Promise<EndpointRef> {
    const extra = { ...(given.tables ? { tables: given.tables } : {}), ...(given.exclude_tables ? { excludeTables: given.exclude_tables } : {}) };
    if (given.connection_id) {
      const saved = await store.getConnection(given.connection_id, principal.environment);
      if (!saved) {
        throw new ApiError(422, 'validation_error', `No connection exists with ID ${given.connection_id}`, {
          field: `${field}.connection_id`,
          reason: 'not found',
        });
      }
      const schema = given.schema ?? saved.schema ?? undefined;
      // Saved before the rules (or the server's directories) were what they are now: checked again as it is used.
      const endpoint = { type: saved.type as Dialect, connectionString: deps.sealer.unseal(saved.sealed_connection), schema };
      try {
        allowedByReach(field, endpoint, deps.reach);
      } catch (err) {
        if (err instanceof ApiError) throw new ApiError(422, 'validation_error', `Connection ${saved.id} is not allowed`, { ...err.details, field: `${field}.connection_id` });
        throw err;
      }
      return { type: saved.type as Dialect, sealedConnection: saved.sealed_connection, description: saved.description, ...(schema ? { schema } : {}), ...extra };
    }
    const endpoint = { type: given.type as Dialect, connectionString: given.connection_string as string, schema: given.schema };
    const allowed = allowedByReach(field, endpoint, deps.reach);
    if (deps.testConnections !== false) await testEndpoint(field, allowed);
    return {
      type: endpoint.type,
      sealedConnection: deps.sealer.seal(endpoint.connectionString),
      description: endpointLabel(endpoint),
      ...(endpoint.schema ? { schema: endpoint.schema } : {}),
      ...extra,
    };
  }

  router.post('/', async (req, res) => {
    const principal = res.locals.principal as Principal;
    const body = parse(createMigrationBody, req.body);
    const source = await endpointRef('source', body.source, principal);
    const target = await endpointRef('target', body.target, principal);
    const id = `mig_${randomBytes(8).toString('hex')}`;
    const input: MigrationInput = {
      id,
      name: body.name,
      source,
      target,
      strategy: body.strategy,
      options: body.options,
      createdAt: new Date().toISOString(),
      environment: principal.environment,
    };
    // Indexed first: the workflow's own status reports update this row, so it must exist before they arrive.
    await store.indexMigration({
      id,
      environment: principal.environment,
      name: input.name,
      status: 'created',
      phase: null,
      strategy: input.strategy,
      source_type: source.type,
      target_type: target.type,
      created_by: principal.id,
      created_at: input.createdAt,
    });
    await store.recordTimeline(id, [{ id: 'ev_0', at: input.createdAt, level: 'info', message: 'migration created' }]);
    await client.workflow.start(migrationWorkflow, { taskQueue: deps.taskQueue, workflowId: id, args: [input] });
    // Answered from the input: a new migration is `created`, whether or not a worker is up yet.
    res.status(201).location(`/v1/migrations/${id}`).json(migrationResource(displayStatus(input, initialState(input))));
  });

  router.get('/', async (req, res) => {
    const q = parse(listMigrationsQuery, req.query, 'query');
    const descending = q.sort.startsWith('-');
    const { total, rows } = await store.listMigrations({
      environment: (res.locals.principal as Principal).environment,
      status: q.status,
      createdAfter: q.created_after ? new Date(q.created_after).toISOString() : undefined,
      createdBefore: q.created_before ? new Date(q.created_before).toISOString() : undefined,
      sort: { column: q.sort.replace(/^-/, '') as 'created_at', direction: descending ? 'desc' : 'asc' },
      limit: q.limit,
      offset: q.offset,
    });
    const data = rows.map((r) => ({
      id: r.id,
      name: r.name,
      status: r.status,
      phase: r.phase,
      strategy: r.strategy,
      source: { type: r.source_type },
      target: { type: r.target_type },
      created_at: r.created_at,
      updated_at: r.updated_at,
      links: { self: `/v1/migrations/${r.id}` },
    }));
    res.json(envelope(data, total, q));
  });

  router.get('/:id', async (req, res) => {
    const status = await sharedStatusOf(await handleFor(req, res), res);
    res.json({ ...migrationResource(status), phases: status.phases, tables: status.tables, validation: status.validation, certificate: status.certificate });
  });

  router.get('/:id/status', async (req, res) => {
    const handle = await handleFor(req, res);
    if (!req.accepts('text/event-stream') || req.get('accept')?.includes('text/event-stream') !== true) {
      return res.json(await sharedStatusOf(handle, res));
    }
    await streamStatus(handle, req, res);
  });

  /** Open status streams per principal, in this API process. */
  const streams = new Map<string, number>();
  const maxStreams = deps.sseMaxStreamsPerKey ?? 5;
  const maxStreamMs = (deps.sseMaxSeconds ?? 3600) * 1000;

  /**
   * Server-sent events: one `status` event at once and at every change, until the migration ends. A principal may
   * hold a few streams at once (429 past that), and a stream ends after a maximum duration with
   * `event: end` / `{"reason":"max_duration"}`: the client reconnects (EventSource does) and gets the status again.
   */
  async function streamStatus(handle: Handle, req: Request, res: Response) {
    const who = (res.locals.principal as Principal).id;
    if ((streams.get(who) ?? 0) >= maxStreams) {
      throw new ApiError(429, 'too_many_streams', `This credential already holds ${maxStreams} status streams; close one or poll GET …/status`, { limit: maxStreams });
    }
    const first = await sharedStatusOf(handle, res);
    streams.set(who, (streams.get(who) ?? 0) + 1);
    const deadline = Date.now() + maxStreamMs;
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.flushHeaders();
    let closed = false;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (streams.get(who) ?? 1) - 1;
      if (left > 0) streams.set(who, left);
      else streams.delete(who);
    };
    req.on('close', () => {
      closed = true;
      release();
    });
    try {
      await pumpStatus(handle, res, first, () => closed, deadline);
    } finally {
      release();
    }
  }

  async function pumpStatus(handle: Handle, res: Response, first: MigrationStatus, isClosed: () => boolean, deadline: number) {
    let last = '';
    let n = 0;
    let status: MigrationStatus | undefined = first;
    while (!isClosed()) {
      if (Date.now() >= deadline) {
        res.write('event: end\ndata: {"reason":"max_duration"}\n\n');
        res.end();
        return;
      }
      if (status) {
        const text = JSON.stringify(status);
        if (text !== last) {
          last = text;
          res.write(`id: ${++n}\nevent: status\ndata: ${text}\n\n`);
        }
        if (TERMINAL_STATUSES.includes(status.status)) break;
      } else {
        res.write(': no worker answered; retrying\n\n');
      }
      await new Promise((r) => setTimeout(r, 500));
      // The client may have gone while this stream slept (or the API is shutting down): no query for nobody.
      if (isClosed()) break;
      status = await sharedStatusOf(handle, res).catch(() => undefined);
    }
    if (!isClosed()) {
      res.write('event: end\ndata: {}\n\n');
      res.end();
    }
  }

  /** Configuration changes before start (name, strategy, options). */
  router.patch('/:id', async (req, res) => {
    const handle = await handleFor(req, res);
    const patch = parse(patchMigrationBody, req.body);
    await statusOf(handle);
    const status = await update(handle, () => handle.executeUpdate(configureUpdate, { args: [patch] }));
    forgetStatus(handle, res);
    await store.updateMigrationMeta(handle.workflowId, { name: status.name, strategy: status.strategy });
    res.json(migrationResource(status));
  });

  router.post('/:id/start', async (req, res) => {
    const handle = await handleFor(req, res);
    await statusOf(handle);
    const status = await update(handle, () => handle.executeUpdate(startUpdate));
    forgetStatus(handle, res);
    res.status(202).json(migrationResource(status));
  });

  for (const [path, definition] of [
    ['approve', approveUpdate],
    ['reject', rejectUpdate],
  ] as const) {
    router.post(`/:id/${path}`, async (req, res) => {
      const decision = parse(gateDecisionBody, req.body);
      const handle = await handleFor(req, res);
      await statusOf(handle);
      const by = (res.locals.principal as Principal).id;
      const gate = await update(handle, () => handle.executeUpdate(definition, { args: [{ by, comment: decision.comment }] }));
      forgetStatus(handle, res);
      res.json({ id: handle.workflowId, gate });
    });
  }

  // Pause, resume and cancel: the workflow's validators decide whether they are allowed now (rules.ts). Asking the
  // status first answers 503 when no worker runs (an update would wait for one).
  router.post('/:id/pause', async (req, res) => {
    const handle = await handleFor(req, res);
    await statusOf(handle);
    const status = await update(handle, () => handle.executeUpdate(pauseUpdate), pauseRefusal);
    forgetStatus(handle, res);
    res.status(202).json(migrationResource(status));
  });

  router.post('/:id/resume', async (req, res) => {
    const handle = await handleFor(req, res);
    await statusOf(handle);
    const status = await update(handle, () => handle.executeUpdate(resumeUpdate), resumeRefusal);
    forgetStatus(handle, res);
    res.status(202).json(migrationResource(status));
  });

  router.delete('/:id', async (req, res) => {
    const handle = await handleFor(req, res);
    const { reason } = parse(cancelBody, req.body);
    await statusOf(handle);
    const status = await update(handle, () => handle.executeUpdate(cancelUpdate, { args: [{ reason }] }), cancelRefusal);
    forgetStatus(handle, res);
    res.status(202).json(migrationResource(status));
  });

  // ---- what the migration found and planned ----

  /** The state a closed migration's workflow ended with (kept in the store with its outcome); undefined while it runs. */
  async function endState(handle: Handle) {
    const stored = await store.getStoredOutcome(handle.workflowId);
    return stored ? (JSON.parse(stored.carry_on) as MigrationInput).carried : undefined;
  }
  /**
   * The schema or the plan of a running migration: from its workflow, or (a run past a continue-as-new that holds
   * only their keys: DocumentRefs) from the metadata store.
   */
  async function documentOf<T>(handle: Handle, held: () => Promise<T | null>, which: 'schema' | 'plan'): Promise<T | null> {
    const document = await ask(handle, held);
    if (document) return document;
    const refs = await ask(handle, () => handle.query(documentRefsQuery));
    const bytes = refs ? await store.getBlob(refs[which]) : undefined;
    return bytes ? (JSON.parse(bytes.toString('utf8')) as T) : null;
  }
  const planOf = async (handle: Handle) => {
    const ended = await endState(handle);
    return ended ? ended.plan : documentOf(handle, () => handle.query(planQuery), 'plan');
  };

  const sourceSchemaOf = async (handle: Handle) => {
    const ended = await endState(handle);
    return ended ? ended.schema : documentOf(handle, () => handle.query(schemaQuery), 'schema');
  };

  router.get('/:id/schema/source', async (req, res) => {
    const handle = await handleFor(req, res);
    const schema = await sourceSchemaOf(handle);
    if (!schema) throw new ApiError(404, 'not_available', 'The source schema is analysed when the migration starts');
    res.json(snakeKeys(schema));
  });

  router.get('/:id/schema/target', async (req, res) => {
    const handle = await handleFor(req, res);
    const plan = await planOf(handle);
    if (!plan) throw new ApiError(404, 'not_available', 'The target schema is planned in the mapping phase');
    res.json({
      dialect: plan.targetDialect,
      schema: plan.targetSchema,
      tables: plan.tables.map((t) => ({
        name: t.target,
        columns: t.columns.map((c) => ({ name: c.column, type: c.targetType, nullable: c.nullable })),
        primary_key: t.source.primaryKey,
        unique_constraints: snakeKeys(t.source.uniqueConstraints),
        foreign_keys: snakeKeys(t.source.foreignKeys),
        indexes: snakeKeys(t.source.indexes),
        copy_mode: t.copyMode,
        key_columns: t.keyColumns,
        copy_note: t.copyNote ?? null,
      })),
    });
  });

  /** Per-table progress a page at a time, in plan order (the status shows at most STATUS_TABLES_SHOWN of them). */
  router.get('/:id/tables', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const handle = await handleFor(req, res);
    const outcome = await store.getOutcome(handle.workflowId);
    if (outcome) return res.json(page(outcome.status.tables, outcome.status.tables.length, q));
    const { total, tables } = await ask(handle, () => handle.query(tablesQuery, q.offset, q.limit));
    res.json(envelope(tables, total, q));
  });

  /**
   * The columns' type mappings (kind=column, the default), or the tables' other objects (kind=index, unique, check,
   * foreign_key, default; kind=object: all of them), each with what the target gets and why not.
   */
  router.get('/:id/mappings', async (req, res) => {
    const handle = await handleFor(req, res);
    const q = parse(mappingsQuery, req.query, 'query');
    const plan = await planOf(handle);
    if (!plan) throw new ApiError(404, 'not_available', 'Mappings are planned in the mapping phase');
    const all =
      q.kind === 'column'
        ? plan.tables.flatMap((t) => t.columns).map(mappingResource)
        : objectMappings(plan, await sourceSchemaOf(handle)).filter((o) => q.kind === 'object' || o.kind === q.kind);
    res.json({ ...page<unknown>(all, all.length, q), min_confidence: plan.minConfidence, blockers: plan.blockers, notes: plan.notes ?? [] });
  });

  router.get('/:id/mappings/:mappingId', async (req, res) => {
    const handle = await handleFor(req, res);
    const plan = await planOf(handle);
    const id = String(req.params.mappingId);
    const mapping = plan?.tables.flatMap((t) => t.columns).find((c) => c.id === id);
    if (mapping) return res.json(mappingResource(mapping));
    const object = plan && OBJECT_KINDS.some((k) => id.startsWith(`${k}:`)) ? objectMappings(plan, await sourceSchemaOf(handle)).find((o) => o.id === id) : undefined;
    if (!object) throw notFound('mapping', id);
    res.json(object);
  });

  /**
   * Edits mappings while the gate waits: each new type is checked and judged; the gate follows the new confidences and
   * blockers. Tables to leave out are left out first: the workflow plans the mapping again without them.
   */
  async function editMappings(req: Request, res: Response, edits: MappingEdit[], excludeTables: string[] = [], leaveOut: string[] = []) {
    const handle = await handleFor(req, res);
    const plan = await planOf(handle);
    if (!plan) throw conflict('mappings can be edited only once they are planned, while the approval gate waits');
    if (leaveOut.length) {
      const problems = leaveOutProblems(plan, await sourceSchemaOf(handle), leaveOut);
      for (const [i, id] of leaveOut.entries()) {
        const problem = problems[i];
        if (problem?.startsWith('no object mapping')) throw notFound('mapping', id);
        if (problem) throw new ApiError(422, 'validation_error', problem, { field: 'leave_out', reason: problem });
      }
      const by = (res.locals.principal as Principal).id;
      const left = await update(handle, () => handle.executeUpdate(leaveOutObjectsUpdate, { args: [{ ids: leaveOut, by }] }));
      forgetStatus(handle, res);
      return { edited: [], left_out: left.leftOut, excluded_tables: left.excluded ?? [], blockers: left.blockers, gate: left.gate };
    }
    const unknown = excludeTables.filter((name) => !plan.tables.some((t) => t.source.name === name));
    if (unknown.length) {
      const reason = `the migration's plan has no table ${unknown.join(', ')}`;
      throw new ApiError(422, 'validation_error', reason, { field: 'exclude_tables', reason });
    }
    for (const edit of edits) {
      const problem = mappingEditProblem(plan, edit);
      if (problem?.startsWith('no mapping')) throw notFound('mapping', edit.id);
      if (problem) throw new ApiError(422, 'validation_error', problem, { field: 'target_type', reason: problem });
      const table = plan.tables.find((t) => t.columns.some((c) => c.id === edit.id))?.source.name;
      if (table && excludeTables.includes(table)) {
        const reason = `mapping ${edit.id} is of table ${table}, which this request leaves out`;
        throw new ApiError(422, 'validation_error', reason, { field: 'mappings', reason });
      }
    }
    // Tables left out, with the edits asked alongside: one update, so the gate follows the plan once.
    if (excludeTables.length) {
      const by = (res.locals.principal as Principal).id;
      const left = await update(handle, () => handle.executeUpdate(excludeTablesUpdate, { args: [{ tables: excludeTables, by, ...(edits.length ? { edits } : {}) }] }));
      forgetStatus(handle, res);
      return { edited: (left.edited ?? []).map(mappingResource), left_out: left.leftOut ?? [], excluded_tables: left.excluded, blockers: left.blockers, gate: left.gate };
    }
    const { edited, excluded, blockers, gate } = await update(handle, () => handle.executeUpdate(editMappingsUpdate, { args: [edits] }));
    forgetStatus(handle, res);
    // A run from before edits answered blockers has none: it was refused at mapping when it had any.
    return { edited: edited.map(mappingResource), left_out: plan.leftOut ?? [], excluded_tables: excluded ?? [], blockers: blockers ?? [], gate };
  }

  router.patch('/:id/mappings', async (req, res) => {
    const body = parse(patchMappingsBody, req.body);
    res.json(await editMappings(req, res, body.mappings ?? [], body.exclude_tables, body.leave_out));
  });

  router.patch('/:id/mappings/:mappingId', async (req, res) => {
    const body = parse(patchMappingBody, req.body);
    const result = await editMappings(req, res, [{ id: String(req.params.mappingId), target_type: body.target_type }]);
    res.json({ ...result.edited[0], gate: result.gate });
  });

  // ---- what happened: errors, timeline, validation and certificate come from the store (they outlive the workflow) ----

  /**
   * The error a request names: the store's record, or (a migration from before the store kept errors) the
   * status's; `stored` says which.
   */
  async function errorNamed(handle: Handle, errorId: string): Promise<{ error: MigrationError; stored: boolean }> {
    const stored = await store.getError(handle.workflowId, errorId);
    const error = stored ?? (await statusOf(handle)).errors.find((e) => e.id === errorId);
    if (!error) throw notFound('error', errorId);
    return { error, stored: stored !== undefined };
  }

  /** Every error, in the order recorded, a page at a time. */
  router.get('/:id/errors', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const handle = await handleFor(req, res);
    const { total, rows } = await store.listErrors(handle.workflowId, q.limit, q.offset);
    if (total === 0) {
      // A migration from before the store kept errors: its workflow still has the first MAX_ERRORS_KEPT.
      const status = await sharedStatusOf(handle, res);
      return res.json(page(status.errors, status.errors.length, q));
    }
    res.json(envelope(rows, total, q));
  });

  router.get('/:id/errors/:errorId', async (req, res) => {
    const handle = await handleFor(req, res);
    res.json((await errorNamed(handle, String(req.params.errorId))).error);
  });

  /**
   * Marks an error resolved. While the workflow runs it is told too (its status lists its first errors); once it is
   * closed, or gone, the store's record (and the final status it keeps) is the one to change.
   */
  router.post('/:id/errors/:errorId/resolve', async (req, res) => {
    const handle = await handleFor(req, res);
    const body = parse(resolveErrorBody, req.body);
    const errorId = String(req.params.errorId);
    const { error, stored } = await errorNamed(handle, errorId);
    if (error.resolved_at) throw conflict(`error ${errorId} is already resolved`);
    const by = (res.locals.principal as Principal).id;
    if (await store.getOutcome(handle.workflowId)) {
      const resolved = await store.resolveError(handle.workflowId, errorId, { resolved_at: new Date().toISOString(), resolved_by: by, resolution_note: body.note });
      if (!resolved) throw conflict(`error ${errorId} is already resolved`);
      forgetStatus(handle, res);
      return res.json(resolved);
    }
    const resolved = await update(handle, () => handle.executeUpdate(resolveErrorUpdate, { args: [{ errorId, by, note: body.note, error }] }));
    forgetStatus(handle, res);
    // The workflow sends it with its next batch too; written now, the next read of the errors already shows it.
    if (stored) await store.recordErrors(handle.workflowId, [resolved], 'replace');
    res.json(resolved);
  });

  /**
   * Re-copies a rejected row through the workflow (after its value was fixed at the source). A closed migration is
   * opened again for it, as a validation re-run opens it, and closes again as it was once the retries are done.
   */
  router.post('/:id/errors/:errorId/retry', async (req, res) => {
    const handle = await handleFor(req, res);
    const errorId = String(req.params.errorId);
    const { error, stored } = await errorNamed(handle, errorId);
    const by = (res.locals.principal as Principal).id;
    const retry = async (target: Handle) => {
      const outcome = await update(target, () => target.executeUpdate(retryErrorUpdate, { args: [{ errorId, by, error }] }));
      forgetStatus(handle, res);
      // The workflow sends it with its next batch too; written now, the next read of the errors already shows it.
      if (stored) await store.recordErrors(handle.workflowId, [outcome.error], 'replace');
      return outcome;
    };
    const closed = await closedRun(handle);
    if (!closed) {
      res.json(await retry(handle));
      return;
    }
    const before = await statusOf(handle);
    const closedRefusal = retryReopenRefusal(before, closed.status);
    if (closedRefusal) throw conflict(closedRefusal, { status: before.status });
    // Checked here, since the opened run would only wait for a retry it refuses.
    const rowRefusal = rowRetryRefusal(errorId, error);
    if (rowRefusal) throw conflict(rowRefusal);
    const runId = await reopen(handle, closed, { errorRetry: { by } }, 'the migration is being opened again by another request');
    res.json(await retry(client.workflow.getHandle<typeof migrationWorkflow>(handle.workflowId, runId)));
  });

  /** The migration's timeline: phases, gate decision, table completions, pauses, re-runs, and every error. */
  router.get('/:id/logs', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const handle = await handleFor(req, res);
    if (await store.hasTimeline(handle.workflowId)) {
      const { total, rows } = await store.listLog(handle.workflowId, q.limit, q.offset);
      return res.json(envelope(rows, total, q));
    }
    // A migration from before the store kept its timeline: rebuilt from its status.
    const lines = timelineOf(await sharedStatusOf(handle, res));
    res.json(page(lines, lines.length, q));
  });

  // ---- validation and certificate ----

  /**
   * The latest validation report: a finished run's from the store (written when its last tier answered), the one
   * under way (or one the store does not have) from the workflow.
   */
  async function validationOf(handle: Handle, res: Response): Promise<ValidationReport | null> {
    const validation = (await sharedStatusOf(handle, res)).validation;
    if (!validation) return null;
    if (validation.status === 'passed' || validation.status === 'failed') {
      const stored = await store.getValidation(handle.workflowId, validation.attempt);
      if (stored) return stored;
    }
    return ask(handle, () => handle.query(validationQuery));
  }

  router.get('/:id/validation', async (req, res) => {
    const handle = await handleFor(req, res);
    const report = await validationOf(handle, res);
    if (!report) throw new ApiError(404, 'not_available', 'Validation runs after the data transfer');
    res.json(report);
  });

  router.get('/:id/validation/:tier', async (req, res) => {
    const tier = String(req.params.tier);
    if (!(TIERS as readonly string[]).includes(tier)) throw notFound('validation tier', tier);
    const handle = await handleFor(req, res);
    const report = await validationOf(handle, res);
    const result = report?.results[tier as (typeof TIERS)[number]];
    if (!result) throw new ApiError(404, 'not_available', `The ${tier} tier has not run for this migration`);
    res.json(result);
  });

  router.post('/:id/validation/rerun', async (req, res) => {
    const handle = await handleFor(req, res);
    const body = parse(cancelBody, req.body);
    const request = { by: (res.locals.principal as Principal).id, reason: body.reason };
    const before = await statusOf(handle);
    const reopens = reopensForValidation(before);
    let closed = await closedRun(handle);
    if (!closed) {
      try {
        const state = await update(handle, () => handle.executeUpdate(revalidateUpdate, { args: [request] }));
        forgetStatus(handle, res);
        res.status(202).json(state);
        return;
      } catch (err) {
        // A workflow that ends right after its migration did (no hold) refuses the update while it closes.
        closed = reopens && err instanceof ApiError && err.status === 409 ? await closedWithin(handle, 5_000) : null;
        if (!closed) throw err;
      }
    }
    // Only a run that ended by itself is opened again: not a cancelled, terminated or timed-out one.
    const refusal = revalidateReopenRefusal(before, closed.status);
    if (refusal) throw conflict(refusal, { status: before.status });
    // A new run of the same id carries the closed run's state on and runs validation and certification again.
    await reopen(handle, closed, { revalidation: request }, 'validation is already being re-run');
    forgetStatus(handle, res);
    res.status(202).json(before.validation);
  });

  /** The signed certificate the status names, byte for byte as it was signed (kept in the store when issued). */
  router.get('/:id/certificate', async (req, res) => {
    const handle = await handleFor(req, res);
    const summary = (await sharedStatusOf(handle, res)).certificate;
    let text = summary ? await store.getCertificate(handle.workflowId, summary.certificate_id) : undefined;
    if (summary && !text) {
      // Issued before the store kept certificates: the workflow still has it.
      const certificate = await ask(handle, () => handle.query(certificateQuery));
      text = certificate ? certificateText(certificate) : undefined;
    }
    if (!text) throw new ApiError(404, 'not_available', 'No certificate: one is issued only when all five validation tiers pass');
    // The exact signed bytes (RFC 8785 canonical JSON), so `sensei verify` checks what was downloaded.
    res.set('Content-Disposition', `attachment; filename="${handle.workflowId}-certificate.json"`).type('application/json').send(text);
  });

  return router;
}

/** The timeline of a migration from before the store kept one, rebuilt from its status. */
function timelineOf(s: MigrationStatus): LogLine[] {
  const lines: LogLine[] = [{ at: s.created_at, level: 'info', message: 'migration created' }];
  if (s.started_at) lines.push({ at: s.started_at, level: 'info', message: 'migration started' });
  for (const p of s.phases) {
    if (p.started_at) lines.push({ at: p.started_at, level: 'info', message: `phase ${p.name} started` });
    if (p.completed_at) lines.push({ at: p.completed_at, level: p.status === 'failed' ? 'error' : 'info', message: `phase ${p.name} ${p.status}` });
  }
  if (s.gate?.decided_at) lines.push({ at: s.gate.decided_at, level: 'info', message: `approval gate ${s.gate.state} by ${s.gate.decided_by}` });
  for (const t of s.tables) {
    if (t.completed_at) lines.push({ at: t.completed_at, level: 'info', message: `table ${t.name}: ${t.rows_copied} rows in ${t.chunks} chunk(s)` });
  }
  for (const e of s.errors) lines.push({ at: e.at, level: 'error', message: `${e.code}: ${e.message}` });
  return lines.sort((a, b) => a.at.localeCompare(b.at));
}
