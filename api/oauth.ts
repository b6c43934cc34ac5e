import express, { Router } from 'express';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { MetadataStore } from '../lib/store';
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
 * API accepts as a bearer token, with the key's environment and its scopes (or fewer, when `scope` asks for fewer).
 * Only where SENSEI_JWT_SECRET is set: with a JWKS the tokens come from the organisation's own identity provider.
 */
export function oauthRoutes(deps: { store: MetadataStore; jwtSecret?: string; issuer?: string; audience?: string }): Router {
  const router = Router();
  router.use(express.json({ limit: '16kb' }), express.urlencoded({ extended: false, limit: '16kb' }));
  router.post('/token', async (req, res) => {
    try {
      if (!deps.jwtSecret) throw new ApiError(400, 'unsupported_grant_type', 'This server issues no tokens: SENSEI_JWT_SECRET is not set');
      const body = parse(tokenRequest, req.body);
      const key = await deps.store.findApiKey(body.client_secret);
      if (!key || key.revoked_at) throw new ApiError(401, 'invalid_client', 'Unknown or revoked client secret');
      const asked = body.scope?.split(/\s+/).filter(Boolean) ?? key.scopes;
      const scopes = asked.filter((s) => (key.scopes as string[]).includes(s) || (key.scopes.includes('admin') && ['read', 'write'].includes(s)));
      if (scopes.length === 0) throw new ApiError(400, 'invalid_scope', `The key grants ${key.scopes.join(' ')}`);
      let token = new SignJWT({ scope: scopes.join(' '), sensei_env: key.environment })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(key.id)
        .setIssuedAt()
        .setExpirationTime(`${TOKEN_SECONDS}s`);
      if (deps.issuer) token = token.setIssuer(deps.issuer);
      if (deps.audience) token = token.setAudience(deps.audience);
      res.set('Cache-Control', 'no-store').json({
        access_token: await token.sign(new TextEncoder().encode(deps.jwtSecret)),
        token_type: 'Bearer',
        expires_in: TOKEN_SECONDS,
        scope: scopes.join(' '),
      });
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, err);
      throw err;
    }
  });
  return router;
}
