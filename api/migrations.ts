import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createConnector } from '../connectors/registry';
import { endpointLabel } from '../connectors/endpoint';
import { ConnectorError, type Endpoint } from '../connectors/types';
import { TERMINAL_STATUSES, type EndpointRef, type MigrationInput, type MigrationStatus } from '../lib/migration';
import type { Sealer } from '../lib/secrets';
import type { Dialect } from '../lib/types';
import {
  approveUpdate,
  cancelSignal,
  migrationWorkflow,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  startUpdate,
  statusQuery,
} from '../workflows/migration';
import { displayStatus, initialState } from '../workflows/state';
import { ApiError, conflict, notFound } from './errors';
import { cancelBody, createMigrationBody, firstIssue, gateDecisionBody } from './schemas';
import type { z } from 'zod';

export interface MigrationRoutesDeps {
  client: Client;
  taskQueue: string;
  sealer: Sealer;
  /** Test source and target before accepting a migration (default true). */
  testConnections?: boolean;
}

const ID_PATTERN = /^mig_[a-z0-9]{8,40}$/;
const QUERY_DEADLINE_MS = 8_000;

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issue = firstIssue(result.error);
    throw new ApiError(422, 'validation_error', `Invalid request body: ${issue.field}: ${issue.reason}`, issue);
  }
  return result.data;
}

/** Connects once to prove the endpoint is usable; a failure names the field and the reason, never the secret. */
async function testEndpoint(field: 'source' | 'target', endpoint: Endpoint): Promise<void> {
  let reason: string | undefined;
  try {
    const connector = await createConnector(endpoint, { role: field });
    try {
      await connector.testConnection();
    } finally {
      await connector.close();
    }
  } catch (err) {
    reason = err instanceof ConnectorError ? err.message : 'the connection test failed';
  }
  if (reason) {
    throw new ApiError(422, 'validation_error', `${field === 'source' ? 'Source' : 'Target'} connection failed`, {
      field: `${field}.connection_string`,
      reason,
    });
  }
}

/** The migration as the seeds' resource shape, with the live status beside it. */
export function migrationResource(s: MigrationStatus) {
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
    links: {
      self: base,
      start: `${base}/start`,
      status: `${base}/status`,
      pause: `${base}/pause`,
      resume: `${base}/resume`,
      approve: `${base}/approve`,
      reject: `${base}/reject`,
    },
  };
}

export function migrationRoutes(deps: MigrationRoutesDeps): Router {
  const router = Router();
  const { client } = deps;

  function handleFor(req: Request): WorkflowHandle<typeof migrationWorkflow> {
    const id = String(req.params.id);
    if (!ID_PATTERN.test(id)) throw notFound('migration', id);
    return client.workflow.getHandle<typeof migrationWorkflow>(id);
  }

  async function statusOf(handle: WorkflowHandle<typeof migrationWorkflow>): Promise<MigrationStatus> {
    try {
      return await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(statusQuery));
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

  /** Runs an update; a refusal by the workflow's validator, or a closed workflow, is a 409 naming why. */
  async function update<R>(handle: WorkflowHandle<typeof migrationWorkflow>, run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) throw conflict(err.cause.message);
      if (err instanceof WorkflowNotFoundError) {
        // Not found: either no such id, or the workflow has already closed.
        const status = await statusOf(handle);
        throw conflict(`migration is ${status.status}`, { status: status.status });
      }
      throw err;
    }
  }

  router.post('/', async (req, res) => {
    const body = parse(createMigrationBody, req.body);
    const source: Endpoint = { type: body.source.type as Dialect, connectionString: body.source.connection_string, schema: body.source.schema };
    const target: Endpoint = { type: body.target.type as Dialect, connectionString: body.target.connection_string, schema: body.target.schema };
    if (deps.testConnections !== false) {
      await testEndpoint('source', source);
      await testEndpoint('target', target);
    }
    const ref = (e: Endpoint, tables?: string[]): EndpointRef => ({
      type: e.type,
      sealedConnection: deps.sealer.seal(e.connectionString),
      description: endpointLabel(e),
      ...(e.schema ? { schema: e.schema } : {}),
      ...(tables ? { tables } : {}),
    });
    const id = `mig_${randomBytes(8).toString('hex')}`;
    const input: MigrationInput = {
      id,
      name: body.name,
      source: ref(source, body.source.tables),
      target: ref(target),
      strategy: body.strategy,
      options: body.options,
      createdAt: new Date().toISOString(),
    };
    await client.workflow.start(migrationWorkflow, { taskQueue: deps.taskQueue, workflowId: id, args: [input] });
    // Answered from the input: a new migration is `created`, whether or not a worker is up yet.
    res.status(201).location(`/v1/migrations/${id}`).json(migrationResource(displayStatus(input, initialState(input))));
  });

  router.get('/:id', async (req, res) => {
    const status = await statusOf(handleFor(req));
    res.json({ ...migrationResource(status), phases: status.phases, tables: status.tables, validation: status.validation, certificate: null });
  });

  router.get('/:id/status', async (req, res) => {
    res.json(await statusOf(handleFor(req)));
  });

  router.post('/:id/start', async (req, res) => {
    const handle = handleFor(req);
    await statusOf(handle); // 404 before anything else
    const status = await update(handle, () => handle.executeUpdate(startUpdate));
    res.status(202).json(migrationResource(status));
  });

  for (const [path, definition] of [
    ['approve', approveUpdate],
    ['reject', rejectUpdate],
  ] as const) {
    router.post(`/:id/${path}`, async (req, res) => {
      const handle = handleFor(req);
      const decision = parse(gateDecisionBody, req.body);
      await statusOf(handle);
      const by = decision.approved_by ?? (res.locals.principal as string);
      const gate = await update(handle, () => handle.executeUpdate(definition, { args: [{ by, comment: decision.comment }] }));
      res.json({ id: handle.workflowId, gate });
    });
  }

  router.post('/:id/pause', async (req, res) => {
    const handle = handleFor(req);
    const before = await statusOf(handle);
    if (!['running', 'awaiting_approval', 'paused'].includes(before.status)) {
      throw conflict(`cannot pause a migration that is ${before.status}`, { status: before.status });
    }
    await handle.signal(pauseSignal);
    res.status(202).json(migrationResource(await statusOf(handle)));
  });

  router.post('/:id/resume', async (req, res) => {
    const handle = handleFor(req);
    const before = await statusOf(handle);
    if (before.status !== 'paused') throw conflict(`cannot resume a migration that is ${before.status}`, { status: before.status });
    await handle.signal(resumeSignal);
    res.status(202).json(migrationResource(await statusOf(handle)));
  });

  router.delete('/:id', async (req, res) => {
    const handle = handleFor(req);
    const { reason } = parse(cancelBody, req.body);
    const before = await statusOf(handle);
    if (TERMINAL_STATUSES.includes(before.status)) {
      throw conflict(`migration is already ${before.status}`, { status: before.status });
    }
    await handle.signal(cancelSignal, { reason });
    res.status(202).json(migrationResource(await statusOf(handle)));
  });

  return router;
}
