import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { secretEquals } from '../lib/secrets';
import type { Environment, MetadataStore, Scope } from '../lib/store';
import { ApiError, sendError } from './errors';

/** Who is calling, as every route sees it (res.locals.principal). */
export interface Principal {
  /** Key id, `bootstrap`, or `oauth:<sub>`. */
  id: string;
  kind: 'bootstrap' | 'api_key' | 'service_account' | 'oauth';
  environment: Environment;
  scopes: Scope[];
  /** Requests per second this principal may make. */
  rateLimit: number;
}

export interface AuthConfig {
  /** SENSEI_API_KEY: the bootstrap admin key (its prefix sk_test_ makes it a test-environment key). */
  bootstrapKey: string;
  /** SENSEI_JWT_SECRET (HS256) or SENSEI_JWKS_URL: how OAuth bearer JWTs are verified; neither → JWTs are refused. */
  jwtSecret?: string;
  jwksUrl?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  /** SENSEI_RATE_LIMIT: requests per second per principal unless the key says otherwise (default 50). */
  defaultRateLimit: number;
}

const SCOPE_RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

export function hasScope(principal: Principal, needed: Scope): boolean {
  return principal.scopes.some((s) => SCOPE_RANK[s] >= SCOPE_RANK[needed]);
}

/** The scope a request needs: admin for key management, read for reads, write for everything else. */
export function scopeFor(method: string, path: string): Scope {
  if (path.startsWith('/v1/api-keys')) return 'admin';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

function environmentOfKey(key: string): Environment {
  return /^(sk|sa)_test_/.test(key) ? 'test' : 'live';
}

export function authenticator(store: MetadataStore, config: AuthConfig) {
  let jwks: JWTVerifyGetKey | undefined;
  const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;

  async function fromJwt(token: string): Promise<Principal> {
    if (!secret && !config.jwksUrl) throw new ApiError(401, 'unauthorized', 'OAuth tokens are not accepted by this server (no JWKS or secret configured)');
    jwks ??= config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
    const options = { issuer: config.jwtIssuer, audience: config.jwtAudience };
    try {
      const { payload } = secret ? await jwtVerify(token, secret, options) : await jwtVerify(token, jwks as JWTVerifyGetKey, options);
      const claimed = String(payload.scope ?? payload.scp ?? 'read').split(/[\s,]+/);
      const scopes = claimed.filter((s): s is Scope => s === 'read' || s === 'write' || s === 'admin');
      return {
        id: `oauth:${payload.sub ?? 'unknown'}`,
        kind: 'oauth',
        environment: payload.sensei_env === 'test' ? 'test' : 'live',
        scopes,
        rateLimit: config.defaultRateLimit,
      };
    } catch {
      throw new ApiError(401, 'unauthorized', 'Invalid or expired OAuth token');
    }
  }

  async function identify(token: string): Promise<Principal> {
    if (secretEquals(token, config.bootstrapKey)) {
      return { id: 'bootstrap', kind: 'bootstrap', environment: environmentOfKey(token), scopes: ['admin'], rateLimit: config.defaultRateLimit };
    }
    if (/^(sk_live|sk_test|sa_live|sa_test)_/.test(token)) {
      const record = await store.findApiKey(token);
      if (!record) throw new ApiError(401, 'unauthorized', 'Invalid API key');
      if (record.revoked_at) throw new ApiError(401, 'unauthorized', 'This API key has been revoked');
      void store.touchApiKey(record.id).catch(() => undefined);
      return {
        id: record.id,
        kind: record.kind,
        environment: record.environment,
        scopes: record.scopes,
        rateLimit: record.rate_limit_per_second ?? config.defaultRateLimit,
      };
    }
    if (token.split('.').length === 3) return fromJwt(token);
    throw new ApiError(401, 'unauthorized', 'Unrecognised credential: use an sk_live_/sk_test_ key, an sa_ service-account key or an OAuth JWT');
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      if (!match) throw new ApiError(401, 'unauthorized', 'Missing bearer token: send Authorization: Bearer <api key>');
      const principal = await identify(match[1] as string);
      const needed = scopeFor(req.method, req.originalUrl.split('?')[0] as string);
      if (!hasScope(principal, needed)) {
        throw new ApiError(403, 'forbidden', `This credential lacks the ${needed} scope`, { required_scope: needed, scopes: principal.scopes });
      }
      res.locals.principal = principal;
      next();
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, err);
      next(err);
    }
  };
}

/**
 * Requests per second per principal, in a fixed one-second window, with the seeds' headers.
 * Kept in this API process's memory: several API processes each allow the limit.
 */
export function rateLimiter() {
  const windows = new Map<string, { second: number; count: number }>();
  return (_req: Request, res: Response, next: NextFunction) => {
    const principal = res.locals.principal as Principal;
    const second = Math.floor(Date.now() / 1000);
    let w = windows.get(principal.id);
    if (!w || w.second !== second) {
      w = { second, count: 0 };
      windows.set(principal.id, w);
      if (windows.size > 10_000) for (const [id, old] of windows) if (old.second < second) windows.delete(id);
    }
    w.count += 1;
    res.set('X-RateLimit-Limit', String(principal.rateLimit));
    res.set('X-RateLimit-Remaining', String(Math.max(0, principal.rateLimit - w.count)));
    res.set('X-RateLimit-Reset', String(second + 1));
    if (w.count > principal.rateLimit) {
      res.set('Retry-After', '1');
      return sendError(res, new ApiError(429, 'rate_limit_exceeded', `Rate limit of ${principal.rateLimit} requests per second exceeded`));
    }
    next();
  };
}
