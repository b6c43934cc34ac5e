import type { z } from 'zod';
import { Router } from 'express';
import { endpointLabel } from '../connectors/endpoint';
import { allowedEndpoint } from '../connectors/reach';
import { createConnector } from '../connectors/registry';
import { ConnectorError, type Endpoint } from '../connectors/types';
import type { ReachPolicy } from '../lib/reach';
import type { Sealer } from '../lib/secrets';
import type { ConnectionRecord, MetadataStore } from '../lib/store';
import type { Dialect } from '../lib/types';
import type { Principal } from './auth';
import type { connectionResponse } from './responses';
import { ApiError, notFound } from './errors';
import { createConnectionBody, pageQuery, envelope, parse } from './schemas';

/** `source` → `source.connection_string`; a saved connection's own field is `connection_string`. */
function connectionField(field: string): string {
  return field === 'source' || field === 'target' ? `${field}.connection_string` : 'connection_string';
}

function fieldLabel(field: string): string {
  return field === 'source' ? 'Source' : field === 'target' ? 'Target' : 'The';
}

/**
 * The endpoint as the reach rules allow it (lib/reach.ts: files inside SENSEI_SQLITE_DIR / SENSEI_TLS_DIR and never in
 * the data dir, no metadata or link-local address, only options Sensei knows), or a 422 naming the field and why.
 */
export function allowedByReach(field: string, endpoint: Endpoint, reach: ReachPolicy): Endpoint {
  try {
    return allowedEndpoint(endpoint, reach);
  } catch (err) {
    if (!(err instanceof ConnectorError)) throw err;
    throw new ApiError(422, 'validation_error', `${fieldLabel(field)} connection string is not allowed`, { field: connectionField(field), reason: err.message });
  }
}

/** Connects once to prove the endpoint is usable; a failure names the field and the reason, never the secret. */
export async function testEndpoint(field: string, endpoint: Endpoint): Promise<{ serverVersion: string; latencyMs: number }> {
  const started = Date.now();
  let reason: string;
  try {
    const connector = await createConnector(endpoint, { role: field === 'source' ? 'source' : 'target' });
    try {
      const { serverVersion } = await connector.testConnection();
      return { serverVersion, latencyMs: Date.now() - started };
    } finally {
      await connector.close();
    }
  } catch (err) {
    reason = err instanceof ConnectorError ? err.message : 'the connection test failed';
  }
  throw new ApiError(422, 'validation_error', `${fieldLabel(field)} connection failed`, { field: connectionField(field), reason });
}

/** A saved connection as the API shows it: never the connection string, sealed or clear. */
function connectionResource(c: ConnectionRecord): z.infer<typeof connectionResponse> {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    description: c.description,
    schema: c.schema,
    environment: c.environment,
    created_at: c.created_at,
    links: { self: `/v1/connections/${c.id}`, test: `/v1/connections/${c.id}/test` },
  };
}

export function connectionRoutes(deps: { store: MetadataStore; sealer: Sealer; reach: ReachPolicy; testConnections?: boolean }): Router {
  const router = Router({ caseSensitive: true });
  const env = (res: { locals: Record<string, unknown> }) => (res.locals.principal as Principal).environment;

  router.post('/', async (req, res) => {
    const body = parse(createConnectionBody, req.body);
    const endpoint: Endpoint = { type: body.type as Dialect, connectionString: body.connection_string, schema: body.schema };
    // Checked whether or not it is tested; what is saved is checked again by the worker that opens it.
    const allowed = allowedByReach('connection', endpoint, deps.reach);
    if (body.test && deps.testConnections !== false) await testEndpoint('connection', allowed);
    const saved = await deps.store.createConnection({
      environment: env(res),
      name: body.name,
      type: body.type,
      sealed_connection: deps.sealer.seal(body.connection_string),
      description: endpointLabel(endpoint),
      schema: body.schema ?? null,
      created_by: (res.locals.principal as Principal).id,
    });
    res.status(201).location(`/v1/connections/${saved.id}`).json(connectionResource(saved));
  });

  router.get('/', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const { total, rows } = await deps.store.listConnections(env(res), q.limit, q.offset);
    res.json(envelope(rows.map(connectionResource), total, q));
  });

  router.get('/:id', async (req, res) => {
    const found = await deps.store.getConnection(String(req.params.id), env(res));
    if (!found) throw notFound('connection', String(req.params.id));
    res.json(connectionResource(found));
  });

  router.delete('/:id', async (req, res) => {
    if (!(await deps.store.deleteConnection(String(req.params.id), env(res)))) throw notFound('connection', String(req.params.id));
    res.status(204).end();
  });

  router.post('/:id/test', async (req, res) => {
    const found = await deps.store.getConnection(String(req.params.id), env(res));
    if (!found) throw notFound('connection', String(req.params.id));
    const endpoint: Endpoint = { type: found.type as Dialect, connectionString: deps.sealer.unseal(found.sealed_connection), schema: found.schema ?? undefined };
    try {
      const result = await testEndpoint('connection', allowedByReach('connection', endpoint, deps.reach));
      res.json({ id: found.id, success: true, server_version: result.serverVersion, latency_ms: result.latencyMs });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      res.json({ id: found.id, success: false, error: err.details?.reason ?? err.message });
    }
  });

  return router;
}
