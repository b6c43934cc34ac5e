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
import { TERMINAL_STATUSES, type EndpointRef, type MigrationInput, type MigrationStatus } from '../lib/migration';
import type { ReachPolicy } from '../lib/reach';
import type { Sealer } from '../lib/secrets';
import type { MetadataStore } from '../lib/store';
import type { Dialect } from '../lib/types';
import {
  approveUpdate,
  cancelSignal,
  carryOnQuery,
  certificateQuery,
  configureUpdate,
  editMappingsUpdate,
  migrationWorkflow,
  resolveErrorUpdate,
  retryErrorUpdate,
  pauseSignal,
  planQuery,
  rejectUpdate,
  resumeSignal,
  revalidateUpdate,
  schemaQuery,
  startUpdate,
  statusQuery,
  validationQuery,
} from '../workflows/migration';
import { displayStatus, initialState } from '../workflows/state';
import type { Principal } from './auth';
import type { migrationResponse } from './responses';

type MigrationResponse = z.infer<typeof migrationResponse>;
import { allowedByReach, testEndpoint } from './connections';
import { ApiError, conflict, notFound } from './errors';
import {
  cancelBody,
  createMigrationBody,
  envelope,
  gateDecisionBody,
  listMigrationsQuery,
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
const QUERY_DEADLINE_MS = 8_000;
const TIERS = ['structural', 'statistical', 'referential', 'semantic', 'behavioral'] as const;

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
    source: { ...s.source, estimated_rows: s.tables.length ? s.progress.rows_estimated : null },
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

  /** The workflow of a migration the caller's environment owns; any other id is a 404. */
  async function handleFor(req: Request, res: Response): Promise<Handle> {
    const id = String(req.params.id);
    if (!ID_PATTERN.test(id)) throw notFound('migration', id);
    const indexed = await store.getMigrationIndex(id);
    if (!indexed || indexed.environment !== (res.locals.principal as Principal).environment) throw notFound('migration', id);
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

  const statusOf = (handle: Handle) => ask(handle, () => handle.query(statusQuery));

  /** The run the id names now, when it has ended (completed, failed, cancelled, terminated…); null while it runs. */
  const closedRun = (handle: Handle) =>
    handle.describe().then(
      (d) => (d.status.name === 'RUNNING' ? null : { runId: d.runId, status: d.status.name }),
      () => null,
    );

  /** Runs an update; a refusal by the workflow's validator, or a closed workflow, is a 409 naming why. */
  async function update<R>(handle: Handle, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) throw conflict(err.cause.message);
      // The workflow closed before the update arrived, or is closing under it (the server refuses updates then,
      // while describe still says RUNNING, but its status already says the migration is over).
      const closed = err instanceof WorkflowNotFoundError || (await closedRun(handle)) !== null;
      const status = await statusOf(handle);
      if (closed || TERMINAL_STATUSES.includes(status.status)) throw conflict(`migration is ${status.status}`, { status: status.status });
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
    given: { connection_id?: string; type?: string; connection_string?: string; schema?: string; tables?: string[] },
    principal: Principal,
  ): Promise<EndpointRef> {
    const extra = { ...(given.tables ? { tables: given.tables } : {}) };
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
    const status = await statusOf(await handleFor(req, res));
    res.json({ ...migrationResource(status), phases: status.phases, tables: status.tables, validation: status.validation, certificate: status.certificate });
  });

  router.get('/:id/status', async (req, res) => {
    const handle = await handleFor(req, res);
    if (!req.accepts('text/event-stream') || req.get('accept')?.includes('text/event-stream') !== true) {
      return res.json(await statusOf(handle));
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
    const first = await statusOf(handle);
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
      status = await statusOf(handle).catch(() => undefined);
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
    await store.updateMigrationMeta(handle.workflowId, { name: status.name, strategy: status.strategy });
    res.json(migrationResource(status));
  });

  router.post('/:id/start', async (req, res) => {
    const handle = await handleFor(req, res);
    await statusOf(handle);
    const status = await update(handle, () => handle.executeUpdate(startUpdate));
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
      res.json({ id: handle.workflowId, gate });
    });
  }

  router.post('/:id/pause', async (req, res) => {
    const handle = await handleFor(req, res);
    const before = await statusOf(handle);
    if (!['running', 'awaiting_approval', 'paused'].includes(before.status)) {
      throw conflict(`cannot pause a migration that is ${before.status}`, { status: before.status });
    }
    await handle.signal(pauseSignal);
    res.status(202).json(migrationResource(await statusOf(handle)));
  });

  router.post('/:id/resume', async (req, res) => {
    const handle = await handleFor(req, res);
    const before = await statusOf(handle);
    if (before.status !== 'paused') throw conflict(`cannot resume a migration that is ${before.status}`, { status: before.status });
    await handle.signal(resumeSignal);
    res.status(202).json(migrationResource(await statusOf(handle)));
  });

  router.delete('/:id', async (req, res) => {
    const handle = await handleFor(req, res);
    const { reason } = parse(cancelBody, req.body);
    const before = await statusOf(handle);
    if (TERMINAL_STATUSES.includes(before.status)) {
      throw conflict(`migration is already ${before.status}`, { status: before.status });
    }
    await handle.signal(cancelSignal, { reason });
    res.status(202).json(migrationResource(await statusOf(handle)));
  });

  // ---- what the migration found and planned ----

  router.get('/:id/schema/source', async (req, res) => {
    const handle = await handleFor(req, res);
    const schema = await ask(handle, () => handle.query(schemaQuery));
    if (!schema) throw new ApiError(404, 'not_available', 'The source schema is analysed when the migration starts');
    res.json(schema);
  });

  router.get('/:id/schema/target', async (req, res) => {
    const handle = await handleFor(req, res);
    const plan = await ask(handle, () => handle.query(planQuery));
    if (!plan) throw new ApiError(404, 'not_available', 'The target schema is planned in the mapping phase');
    res.json({
      dialect: plan.targetDialect,
      schema: plan.targetSchema,
      tables: plan.tables.map((t) => ({
        name: t.target,
        columns: t.columns.map((c) => ({ name: c.column, type: c.targetType, nullable: c.nullable })),
        primary_key: t.source.primaryKey,
        unique_constraints: t.source.uniqueConstraints,
        foreign_keys: t.source.foreignKeys,
        indexes: t.source.indexes,
        copy_mode: t.copyMode,
        key_columns: t.keyColumns,
        copy_note: t.copyNote ?? null,
      })),
    });
  });

  router.get('/:id/mappings', async (req, res) => {
    const handle = await handleFor(req, res);
    const q = parse(pageQuery, req.query, 'query');
    const plan = await ask(handle, () => handle.query(planQuery));
    if (!plan) throw new ApiError(404, 'not_available', 'Mappings are planned in the mapping phase');
    const all = plan.tables.flatMap((t) => t.columns);
    res.json({ ...page(all, all.length, q), min_confidence: plan.minConfidence, blockers: plan.blockers });
  });

  router.get('/:id/mappings/:mappingId', async (req, res) => {
    const handle = await handleFor(req, res);
    const plan = await ask(handle, () => handle.query(planQuery));
    const mapping = plan?.tables.flatMap((t) => t.columns).find((c) => c.id === req.params.mappingId);
    if (!mapping) throw notFound('mapping', String(req.params.mappingId));
    res.json(mapping);
  });

  /** Edits mappings while the gate waits: each new type is checked and judged; the gate follows the new confidences. */
  async function editMappings(req: Request, res: Response, edits: MappingEdit[]) {
    const handle = await handleFor(req, res);
    const plan = await ask(handle, () => handle.query(planQuery));
    if (!plan) throw conflict('mappings can be edited only once they are planned, while the approval gate waits');
    for (const edit of edits) {
      const problem = mappingEditProblem(plan, edit);
      if (problem?.startsWith('no mapping')) throw notFound('mapping', edit.id);
      if (problem) throw new ApiError(422, 'validation_error', problem, { field: 'target_type', reason: problem });
    }
    return update(handle, () => handle.executeUpdate(editMappingsUpdate, { args: [edits] }));
  }

  router.patch('/:id/mappings', async (req, res) => {
    const body = parse(patchMappingsBody, req.body);
    res.json(await editMappings(req, res, body.mappings));
  });

  router.patch('/:id/mappings/:mappingId', async (req, res) => {
    const body = parse(patchMappingBody, req.body);
    const result = await editMappings(req, res, [{ id: String(req.params.mappingId), target_type: body.target_type }]);
    res.json({ ...result.edited[0], gate: result.gate });
  });

  // ---- what happened ----

  router.get('/:id/errors', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const status = await statusOf(await handleFor(req, res));
    res.json(page(status.errors, status.errors.length, q));
  });

  router.get('/:id/errors/:errorId', async (req, res) => {
    const status = await statusOf(await handleFor(req, res));
    const error = status.errors.find((e) => e.id === req.params.errorId);
    if (!error) throw notFound('error', String(req.params.errorId));
    res.json(error);
  });

  router.post('/:id/errors/:errorId/resolve', async (req, res) => {
    const handle = await handleFor(req, res);
    const body = parse(resolveErrorBody, req.body);
    const status = await statusOf(handle);
    if (!status.errors.some((e) => e.id === req.params.errorId)) throw notFound('error', String(req.params.errorId));
    const by = (res.locals.principal as Principal).id;
    res.json(await update(handle, () => handle.executeUpdate(resolveErrorUpdate, { args: [{ errorId: String(req.params.errorId), by, note: body.note }] })));
  });

  /** Re-copies a rejected row through the workflow (after its value was fixed at the source). */
  router.post('/:id/errors/:errorId/retry', async (req, res) => {
    const handle = await handleFor(req, res);
    const status = await statusOf(handle);
    if (!status.errors.some((e) => e.id === req.params.errorId)) throw notFound('error', String(req.params.errorId));
    const by = (res.locals.principal as Principal).id;
    res.json(await update(handle, () => handle.executeUpdate(retryErrorUpdate, { args: [{ errorId: String(req.params.errorId), by }] })));
  });

  /** The migration's timeline, from its status: phases, gate decision, table completions, errors. */
  router.get('/:id/logs', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const s = await statusOf(await handleFor(req, res));
    const lines: { at: string; level: 'info' | 'warn' | 'error'; message: string }[] = [{ at: s.created_at, level: 'info', message: 'migration created' }];
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
    lines.sort((a, b) => a.at.localeCompare(b.at));
    res.json(page(lines, lines.length, q));
  });

  // ---- validation and certificate ----

  router.get('/:id/validation', async (req, res) => {
    const handle = await handleFor(req, res);
    const report = await ask(handle, () => handle.query(validationQuery));
    if (!report) throw new ApiError(404, 'not_available', 'Validation runs after the data transfer');
    res.json(report);
  });

  router.get('/:id/validation/:tier', async (req, res) => {
    const tier = String(req.params.tier);
    if (!(TIERS as readonly string[]).includes(tier)) throw notFound('validation tier', tier);
    const handle = await handleFor(req, res);
    const report = await ask(handle, () => handle.query(validationQuery));
    const result = report?.results[tier as (typeof TIERS)[number]];
    if (!result) throw new ApiError(404, 'not_available', `The ${tier} tier has not run for this migration`);
    res.json(result);
  });

  router.post('/:id/validation/rerun', async (req, res) => {
    const handle = await handleFor(req, res);
    const body = parse(cancelBody, req.body);
    const request = { by: (res.locals.principal as Principal).id, reason: body.reason };
    const before = await statusOf(handle);
    const reopens = before.status === 'completed' || (before.status === 'failed' && before.failure?.code === 'ValidationFailed');
    let closed = await closedRun(handle);
    if (!closed) {
      try {
        const state = await update(handle, () => handle.executeUpdate(revalidateUpdate, { args: [request] }));
        res.status(202).json(state);
        return;
      } catch (err) {
        // A workflow that ends right after its migration did (no hold) refuses the update while it closes.
        closed = reopens && err instanceof ApiError && err.status === 409 ? await closedWithin(handle, 5_000) : null;
        if (!closed) throw err;
      }
    }
    // Only a run that ended by itself is opened again: not a cancelled, terminated or timed-out one.
    if (!reopens || (closed.status !== 'COMPLETED' && closed.status !== 'FAILED')) {
      throw conflict(`validation cannot be re-run: migration is ${before.status}`, { status: before.status });
    }
    // A new run of the same id carries the closed run's state on and runs validation and certification again.
    const closedHandle = client.workflow.getHandle<typeof migrationWorkflow>(handle.workflowId, closed.runId);
    const carried = await ask(closedHandle, () => closedHandle.query(carryOnQuery));
    // Another re-run that started a newer run meanwhile wins: its state is the one to carry on.
    if ((await handle.describe()).runId !== closed.runId) throw conflict('validation is already being re-run');
    try {
      await client.workflow.start(migrationWorkflow, { taskQueue: deps.taskQueue, workflowId: handle.workflowId, args: [{ ...carried, revalidation: request }] });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict('validation is already being re-run');
      throw err;
    }
    res.status(202).json(before.validation);
  });

  router.get('/:id/certificate', async (req, res) => {
    const handle = await handleFor(req, res);
    const certificate = await ask(handle, () => handle.query(certificateQuery));
    if (!certificate) throw new ApiError(404, 'not_available', 'No certificate: one is issued only when all five validation tiers pass');
    // The exact signed bytes (RFC 8785 canonical JSON), so `sensei verify` checks what was downloaded.
    res
      .set('Content-Disposition', `attachment; filename="${handle.workflowId}-certificate.json"`)
      .type('application/json')
      .send(certificateText(certificate));
  });

  return router;
}
