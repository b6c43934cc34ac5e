import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import pinoHttp from 'pino-http';
import type { Client } from '@temporalio/client';
import type { Logger } from '../lib/logger';
import type { ReachPolicy } from '../lib/reach';
import type { Sealer } from '../lib/secrets';
import type { MetadataStore } from '../lib/store';
import { apiKeyRoutes } from './api-keys';
import { authenticator, rateLimiter, requireScope, scopeOfMethod, type AuthConfig, type Principal } from './auth';
import { connectionRoutes } from './connections';
import { consoleRoutes } from './console';
import { ApiError, errorHandler, sendError } from './errors';
import { idempotency } from './idempotency';
import { migrationRoutes } from './migrations';
import { oauthRoutes } from './oauth';
import { authFailureGuard, MemoryCounter, type RateCounter } from './rate-limit';
import { openApiDocument } from './openapi';
import { envelope, pageQuery, parse } from './schemas';
import { webhookRoutes } from './webhooks';
import type { z } from 'zod';
import type { dialectResponse } from './responses';
import { DIALECTS, dialectNamed } from '../connectors/dialects';

export interface ApiDeps {
  client: Client;
  taskQueue: string;
  sealer: Sealer;
  store: MetadataStore;
  auth: AuthConfig;
  log: Logger;
  /** PEM of the Ed25519 key that verifies certificates. */
  certificatePublicKey: string;
  /** What connection strings and webhooks may reach (lib/reach.ts: reachPolicy(config)). */
  reach: ReachPolicy;
  testConnections?: boolean;
  /** Where request counts live (api/rate-limit.ts openRateCounter); this process's memory when absent. */
  rateCounter?: RateCounter;
  /** Failed authentications per client address and minute before the address is refused (SENSEI_AUTH_FAILURE_LIMIT, 20). */
  authFailureLimit?: number;
  /** SENSEI_TRUST_PROXY, as Express's `trust proxy` (which hops' X-Forwarded-For to believe for the client address). */
  trustProxy?: string;
  sseMaxStreamsPerKey?: number;
  sseMaxSeconds?: number;
  /** The Temporal Web UI's base URL, linked from the console (each migration links to its workflow there); none → no links. */
  temporalUiUrl?: string;
  /** The Temporal namespace the migrations' workflows run in (default), for those links. */
  namespace?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestId(req: Request, res: Response, next: NextFunction) {
  const given = req.get('x-request-id');
  res.locals.requestId = given && REQUEST_ID.test(given) ? given : `req_${randomBytes(8).toString('hex')}`;
  res.set('X-Request-Id', res.locals.requestId as string);
  next();
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // One spelling per route: /v1/API-Keys is not /v1/api-keys (scopes are checked where routers are mounted anyway).
  app.set('case sensitive routing', true);
  if (deps.trustProxy) app.set('trust proxy', /^\d+$/.test(deps.trustProxy) ? Number(deps.trustProxy) : deps.trustProxy);
  app.set('query parser', 'simple');
  app.use(requestId);
  app.use(
    pinoHttp({
      logger: deps.log,
      genReqId: (_req, res) => (res as Response).locals.requestId as string,
      // Bodies are never logged: they carry connection strings.
      serializers: { req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, url: req.url }) },
    }),
  );
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  const openapi = openApiDocument();
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  // The web console: static files, no credentials needed to load them; it signs in against /v1 with an API key.
  app.use('/console', consoleRoutes({ temporalUiUrl: deps.temporalUiUrl, namespace: deps.namespace ?? 'default' }));
  app.get('/v1/certificates/public-key', (_req, res) => {
    res.json({ algorithm: 'Ed25519', public_key_pem: deps.certificatePublicKey });
  });

  const counter = deps.rateCounter ?? new MemoryCounter();
  const failures = authFailureGuard(counter, { failures: deps.authFailureLimit ?? 20, windowSeconds: 60 });
  app.use('/oauth', failures.check, oauthRoutes({ store: deps.store, jwtSecret: deps.auth.jwtSecret, jwtIssuer: deps.auth.jwtIssuer, jwtAudience: deps.auth.jwtAudience, counter, failures }));
  app.use('/v1', failures.check, authenticator(deps.store, deps.auth, failures));
  app.use('/v1', rateLimiter(counter));
  app.use('/v1', requireScope(scopeOfMethod));
  app.use('/v1', express.json({ limit: '1mb', strict: false }));
  app.use((req, _res, next) => {
    const hasBody = req.body !== undefined && req.body !== null && Number(req.get('content-length') ?? 0) > 0;
    if (['POST', 'PATCH', 'PUT', 'DELETE'].includes(req.method) && hasBody && (typeof req.body !== 'object' || Array.isArray(req.body))) {
      return next(new ApiError(400, 'invalid_body', 'The request body must be a JSON object'));
    }
    next();
  });
  app.use('/v1', idempotency(deps.store, deps.sealer));
  app.use('/v1/migrations', migrationRoutes(deps));
  app.use('/v1/connections', connectionRoutes(deps));
  app.use('/v1/api-keys', apiKeyRoutes(deps.store));
  app.use('/v1/webhooks', webhookRoutes(deps));

  /** The databases this version knows, from the one list of dialects (the console builds its type pickers from it). */
  app.get('/v1/dialects', (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const all: z.infer<typeof dialectResponse>[] = DIALECTS.map((type) => {
      const d = dialectNamed(type);
      return { type, label: d.label, supported: d.capabilities.supported, url_schemes: [...d.urlSchemes], file_extensions: [...d.fileExtensions] };
    });
    res.json(envelope(all.slice(q.offset, q.offset + q.limit), all.length, q));
  });

  /** Validation summaries, newest first, of the caller's migrations that have reached validation. */
  app.get('/v1/validations', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const environment = (res.locals.principal as Principal).environment;
    const { total, rows } = await deps.store.listMigrations({
      environment,
      sort: { column: 'created_at', direction: 'desc' },
      limit: q.limit,
      offset: q.offset,
    });
    // One store query for the page, never a workflow query per row: reports are stored as each validation run ends.
    const reports = await deps.store.latestValidations(rows.map((r) => r.id));
    const data = rows.map((r) => ({ migration_id: r.id, name: r.name, migration_status: r.status, validation: reports.get(r.id) ?? null }));
    res.json(envelope(data, total, q));
  });

  app.use((req, res) => sendError(res, new ApiError(404, 'not_found', `No route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.log));
  return app;
}
