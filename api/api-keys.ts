import type { z } from 'zod';
import { Router, type Request, type Response } from 'express';
import type { ApiKeyRecord, MetadataStore } from '../lib/store';
import { requireScope, type Principal } from './auth';
import type { apiKeyResponse } from './responses';
import { ApiError, notFound } from './errors';
import { createApiKeyBody, pageQuery, envelope, parse } from './schemas';

/** A key as listed: its prefix only; the key itself is shown once, when created, and never stored. */
function keyResource(k: ApiKeyRecord): z.infer<typeof apiKeyResponse> {
  return {
    id: k.id,
    name: k.name,
    kind: k.kind,
    environment: k.environment,
    prefix: k.prefix,
    scopes: k.scopes,
    rate_limit_per_second: k.rate_limit_per_second,
    created_at: k.created_at,
    last_used_at: k.last_used_at,
    revoked_at: k.revoked_at,
  };
}

/** /v1/api-keys: admin scope, required by the router itself for every route it has. Keys live in the caller's environment. */
export function apiKeyRoutes(store: MetadataStore): Router {
  const router = Router({ caseSensitive: true });
  router.use(requireScope('admin'));

  router.post('/', async (req, res) => {
    const principal = res.locals.principal as Principal;
    const body = parse(createApiKeyBody, req.body);
    const environment = body.environment ?? principal.environment;
    if (environment !== principal.environment) {
      throw new ApiError(403, 'forbidden', `A ${principal.environment} credential cannot create ${environment} keys`);
    }
    const { record, key } = await store.createApiKey({
      name: body.name,
      kind: body.kind,
      environment,
      scopes: body.scopes,
      rateLimitPerSecond: body.rate_limit_per_second,
      createdBy: principal.id,
    });
    res.status(201).json({ ...keyResource(record), key });
  });

  router.get('/', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const { total, rows } = await store.listApiKeys((res.locals.principal as Principal).environment, q.limit, q.offset);
    res.json(envelope(rows.map(keyResource), total, q));
  });

  router.get('/:id', async (req, res) => {
    const found = await store.getApiKey(String(req.params.id), (res.locals.principal as Principal).environment);
    if (!found) throw notFound('api_key', String(req.params.id));
    res.json(keyResource(found));
  });

  /** Revokes (the record stays, for audit); DELETE and POST …/revoke do the same. */
  const revoke = async (req: Request, res: Response) => {
    const revoked = await store.revokeApiKey(String(req.params.id), (res.locals.principal as Principal).environment);
    if (!revoked) throw notFound('api_key', String(req.params.id));
    res.json(keyResource(revoked));
  };
  router.delete('/:id', revoke);
  router.post('/:id/revoke', revoke);

  return router;
}
