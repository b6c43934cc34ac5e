import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import pinoHttp from 'pino-http';
import type { Client } from '@temporalio/client';
import type { Logger } from '../lib/logger';
import { secretEquals, type Sealer } from '../lib/secrets';
import { ApiError, errorHandler, sendError } from './errors';
import { migrationRoutes } from './migrations';

export interface ApiDeps {
  client: Client;
  taskQueue: string;
  sealer: Sealer;
  /** The admin key callers present as `Authorization: Bearer <key>`. */
  apiKey: string;
  log: Logger;
  testConnections?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestId(req: Request, res: Response, next: NextFunction) {
  const given = req.get('x-request-id');
  res.locals.requestId = given && REQUEST_ID.test(given) ? given : `req_${randomBytes(8).toString('hex')}`;
  res.set('X-Request-Id', res.locals.requestId as string);
  next();
}

function bearerAuth(apiKey: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return sendError(res, new ApiError(401, 'unauthorized', 'Missing bearer token: send Authorization: Bearer <api key>'));
    if (!secretEquals(match[1] as string, apiKey)) return sendError(res, new ApiError(401, 'unauthorized', 'Invalid API key'));
    res.locals.principal = 'admin';
    next();
  };
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
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
  app.use('/v1', bearerAuth(deps.apiKey));
  app.use('/v1', express.json({ limit: '1mb', strict: false }));
  app.use((req, _res, next) => {
    if (['POST', 'PATCH', 'PUT'].includes(req.method) && req.body !== undefined && (typeof req.body !== 'object' || Array.isArray(req.body))) {
      return next(new ApiError(400, 'invalid_body', 'The request body must be a JSON object'));
    }
    next();
  });
  app.use('/v1/migrations', migrationRoutes(deps));
  app.use((req, res) => sendError(res, new ApiError(404, 'not_found', `No route for ${req.method} ${req.path}`)));
  app.use(errorHandler(deps.log));
  return app;
}
