import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { secretEquals } from '../lib/secrets';
import type { Environment, MetadataStore, Scope } from '../lib/store';
import { ApiError, sendError } from './errors';
import { RATE_TIERS, takeQuota, type AuthFailureGuard, type RateCounter, type RateLimits, type RateTier } from './rate-limit';

/** Who is calling, as every route sees it (res.locals.principal). */
export interface Principal {
  /** Key id, `bootstrap`, or `oauth:<sub>`. */
  id: string;
  kind: 'bootstrap' | 'api_key' | 'service_account' | 'oauth';
  environment: Environment;
  scopes: Scope[];
  /** Requests per second, minute and day this principal may make. */
  limits: RateLimits;
}

export interface AuthConfig {
  /** SENSEI_API_KEY: the bootstrap admin key (its prefix sk_test_ makes it a test-environment key). */
  bootstrapKey: string;
  /** SENSEI_JWT_SECRET (HS256) or SENSEI_JWKS_URL: how OAuth bearer JWTs are verified; neither → JWTs are refused. */
  jwtSecret?: string;
  jwksUrl?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
  /** SENSEI_RATE_LIMIT: requests per second per principal of the enterprise (custom) plan, unless a key says otherwise (50). */
  defaultRateLimit: number;
  /** SENSEI_RATE_TIER: the plan whose per-second, per-minute and per-day limits apply (enterprise: no minute or day cap). */
  rateTier?: RateTier;
}

/** A principal's limits: its plan's, with the key's own per-second figure when it has one. */
function limitsOf(config: AuthConfig, perSecond?: number | null): RateLimits {
  const tier = config.rateTier ?? 'enterprise';
  const plan = RATE_TIERS[tier];
  return { ...plan, second: perSecond ?? (tier === 'enterprise' ? config.defaultRateLimit : plan.second) };
}

const SCOPE_RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

/** Whether scopes held grant `needed` (admin ⊃ write ⊃ read). */
export function grants(held: readonly Scope[], needed: Scope): boolean {
  return held.some((s) => SCOPE_RANK[s] >= SCOPE_RANK[needed]);
}

/**
 * Refuses a request whose principal lacks `needed`. Mounted on the routers themselves (and, for read/write, on
 * /v1 by method), never decided from the path string: Express matches paths loosely (case, trailing slash,
 * encodings), so a check that reads the path can be side-stepped by a variant that still reaches the route.
 */
export function requireScope(needed: Scope | ((req: Request) => Scope)) {
  return (req: Request, res: Response, next: NextFunction) => {
    const principal = res.locals.principal as Principal | undefined;
    const scope = typeof needed === 'function' ? needed(req) : needed;
    if (!principal) return sendError(res, new ApiError(401, 'unauthorized', 'Missing bearer token: send Authorization: Bearer <api key>'));
    if (!grants(principal.scopes, scope)) {
      return sendError(res, new ApiError(403, 'forbidden', `This credential lacks the ${scope} scope`, { required_scope: scope, scopes: principal.scopes }));
    }
    next();
  };
}

/** read for reads (GET, HEAD), write for everything else; routers that need more add their own requireScope. */
export const scopeOfMethod = (req: Request): Scope => (req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write');

/** OAuth scope names: Sensei's own, so a token minted for another service's generic "write" grants nothing here. */
export const OAUTH_SCOPE_PREFIX = 'sensei:';

export function oauthScopeName(scope: Scope): string {
  return `${OAUTH_SCOPE_PREFIX}${scope}`;
}

/** The Sensei scopes a token's scope claim (space- or comma-separated, or an array as `scp`) grants. */
export function scopesOfClaim(claim: unknown): Scope[] {
  const names = Array.isArray(claim) ? claim.map(String) : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  const scopes = names.filter((n) => n.startsWith(OAUTH_SCOPE_PREFIX)).map((n) => n.slice(OAUTH_SCOPE_PREFIX.length));
  return [...new Set(scopes.filter((s): s is Scope => s === 'read' || s === 'write' || s === 'admin'))];
}

/** Asymmetric algorithms an identity provider's JWKS may sign with; HS256 only with SENSEI_JWT_SECRET. */
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function environmentOfKey(key: string): Environment {
  return /^(sk|sa)_test_/.test(key) ? 'test' : 'live';
}

/** Issuer and audience Sensei's own tokens carry (POST /oauth/token), unless SENSEI_JWT_ISSUER / _AUDIENCE say otherwise. */
export const DEFAULT_JWT_ISSUER = 'sensei';
export const DEFAULT_JWT_AUDIENCE = 'sensei-api';

/**
 * The issuer and audience every accepted JWT must name. With SENSEI_JWT_SECRET the tokens are Sensei's own and
 * default ones apply; with a JWKS both must be configured (lib/config.ts refuses to start otherwise).
 */
export function jwtIdentity(config: Pick<AuthConfig, 'jwtSecret' | 'jwtIssuer' | 'jwtAudience'>): { issuer: string; audience: string } | undefined {
  const issuer = config.jwtIssuer ?? (config.jwtSecret ? DEFAULT_JWT_ISSUER : undefined);
  const audience = config.jwtAudience ?? (config.jwtSecret ? DEFAULT_JWT_AUDIENCE : undefined);
  return issuer && audience ? { issuer, audience } : undefined;
}

/** Authenticates /v1 requests (res.locals.principal); scopes are checked by requireScope where routes are mounted. */
export function authenticator(store: MetadataStore, config: AuthConfig, failures?: AuthFailureGuard) {
  let jwks: JWTVerifyGetKey | undefined;
  const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
  const identity = jwtIdentity(config);

  async function fromJwt(token: string): Promise<Principal> {
    if ((!secret && !config.jwksUrl) || !identity) throw new ApiError(401, 'unauthorized', 'OAuth tokens are not accepted by this server (no JWKS or secret configured)');
    jwks ??= config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
    const options = { ...identity, requiredClaims: ['exp', 'iss', 'aud'] };
    let payload: JWTPayload;
    try {
      payload = secret
        ? (await jwtVerify(token, secret, { ...options, algorithms: ['HS256'] })).payload
        : (await jwtVerify(token, jwks as JWTVerifyGetKey, { ...options, algorithms: JWKS_ALGORITHMS })).payload;
    } catch {
      throw new ApiError(401, 'unauthorized', 'Invalid or expired OAuth token');
    }
    const environment = payload.sensei_env;
    if (environment !== 'live' && environment !== 'test') throw new ApiError(401, 'unauthorized', 'The OAuth token names no Sensei environment (claim sensei_env: live or test)');
    let scopes = scopesOfClaim(payload.scope ?? payload.scp);
    let perSecond: number | null = null;
    if (secret) {
      // Tokens signed with the shared secret are the ones POST /oauth/token issued for a key: that key must still
      // exist in the token's environment and be unrevoked, and grants no more than it holds now.
      const key = typeof payload.sub === 'string' ? await store.getApiKey(payload.sub, environment) : undefined;
      if (!key) throw new ApiError(401, 'unauthorized', 'The OAuth token was not issued for a key of this server');
      if (key.revoked_at) throw new ApiError(401, 'unauthorized', 'The key this OAuth token was issued for has been revoked');
      scopes = scopes.filter((s) => grants(key.scopes, s));
      perSecond = key.rate_limit_per_second;
    }
    return { id: `oauth:${payload.sub ?? 'unknown'}`, kind: 'oauth', environment, scopes, limits: limitsOf(config, perSecond) };
  }

  async function identify(token: string): Promise<Principal> {
    // The bootstrap key is the operator's own: SENSEI_RATE_LIMIT per second, no plan limits (they are for the keys it creates).
    if (secretEquals(token, config.bootstrapKey)) {
      return { id: 'bootstrap', kind: 'bootstrap', environment: environmentOfKey(token), scopes: ['admin'], limits: { second: config.defaultRateLimit } };
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
        limits: limitsOf(config, record.rate_limit_per_second),
      };
    }
    if (token.split('.').length === 3) return fromJwt(token);
    throw new ApiError(401, 'unauthorized', 'Unrecognised credential: use an sk_live_/sk_test_ key, an sa_ service-account key or an OAuth JWT');
  }

  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
      if (!match) throw new ApiError(401, 'unauthorized', 'Missing bearer token: send Authorization: Bearer <api key>');
      res.locals.principal = await identify(match[1] as string);
      next();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) await failures?.failed(req).catch(() => undefined);
      if (err instanceof ApiError) return sendError(res, err);
      next(err);
    }
  };
}

/** Each request of a principal counts against its per-second, per-minute and per-day limits (api/rate-limit.ts). */
export function rateLimiter(counter: RateCounter) {
  return async (_req: Request, res: Response, next: NextFunction) => {
    try {
      const principal = res.locals.principal as Principal;
      const refused = await takeQuota(counter, { id: principal.id, limits: principal.limits }, res);
      if (refused) return sendError(res, refused);
      next();
    } catch (err) {
      next(err);
    }
  };
}
