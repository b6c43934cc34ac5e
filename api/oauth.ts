import express, { Router } from 'express';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { MetadataStore, Scope } from '../lib/store';
import { grants, jwtIdentity, oauthScopeName, scopesOfClaim } from './auth';
import { takeQuota, type AuthFailureGuard, type RateCounter } from './rate-limit';
import { ApiError, sendError } from './errors';
import { parse } from './schemas';

const tokenRequest = z
  .object({
    grant_type: z.literal('client_credentials'),
    /** The service-account (or API) key. */
    client_secret: z.string().min(1).max(200),
    client_id: z.string().max(200).optional(),
    scope: z.string().max(200).optional(),
  })
  .strict();

const TOKEN_SECONDS = 3600;

/**
 * OAuth 2.0 client-credentials grant (`POST /oauth/token`): a key is exchanged for a short-lived HS256 JWT that the
 * API accepts as a bearer token, with the key's environment and its scopes as `sensei:read|write|admin` (or fewer, when `scope` asks for fewer),
 * issuer and audience (SENSEI_JWT_ISSUER / _AUDIENCE, else `sensei` / `sensei-api`). The API refuses such a token
 * once its key is revoked.
 * Only where SENSEI_JWT_SECRET is set: with a JWKS the tokens come from the organisation's own identity provider.
 */
/** Token requests one client address may make: a key is a secret worth guessing, so few and slow. */
const TOKEN_REQUEST_LIMITS = { second: 5, minute: 60 };

export function oauthRoutes(deps: { store: MetadataStore; jwtSecret?: string; jwtIssuer?: string; jwtAudience?: string; counter: RateCounter; failures: AuthFailureGuard }): Router {
  const router = Router({ caseSensitive: true });
  router.use(express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' }));
  router.post('/token', async (req, res) => {
    try {
      const refused = await takeQuota(deps.counter, { id: `oauth-token:${req.ip ?? req.socket.remoteAddress}`, limits: TOKEN_REQUEST_LIMITS }, res);
      if (refused) throw refused;
      if (!deps.jwtSecret) throw new ApiError(400, 'unsupported_grant_type', 'This server issues no tokens: SENSEI_JWT_SECRET is not set');
      const body = parse(tokenRequest, req.body);
      const key = await deps.store.findApiKey(body.client_secret);
      if (!key || key.revoked_at) {
        await deps.failures.failed(req);
        throw new ApiError(401, 'invalid_client', 'Unknown or revoked client secret');
      }
      // Asked as `read` or `sensei:read`; granted only what the key holds (an admin key may ask for less).
      const asked = body.scope === undefined ? key.scopes : scopesOfClaim(body.scope.split(/\s+/).map((s) => (s.includes(':') ? s : oauthScopeName(s as Scope))));
      const scopes = asked.filter((s) => grants(key.scopes, s));
      if (scopes.length === 0) throw new ApiError(400, 'invalid_scope', `The key grants ${key.scopes.map(oauthScopeName).join(' ')}`);
      const identity = jwtIdentity(deps) as { issuer: string; audience: string };
      const scope = scopes.map(oauthScopeName).join(' ');
      const token = await new SignJWT({ scope, sensei_env: key.environment })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(key.id)
        .setIssuer(identity.issuer)
        .setAudience(identity.audience)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_SECONDS}s`)
        .sign(new TextEncoder().encode(deps.jwtSecret));
      res.set('Cache-Control', 'no-store').json({
        access_token: token,
        token_type: 'Bearer',
        expires_in: TOKEN_SECONDS,
        scope,
      });
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, err);
      throw err;
    }
  });
  return router;
}
