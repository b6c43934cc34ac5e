import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import canonicalize from 'canonicalize';
import type { Sealer } from '../lib/secrets';
import type { MetadataStore } from '../lib/store';
import type { Principal } from './auth';
import { ApiError, sendError } from './errors';

/** How often the API drops expired idempotency records. */
const PURGE_EVERY_MS = 10 * 60 * 1000;

/**
 * At-most-once POST (the seeds' X-Idempotency-Key): the first request with a key runs and its answer is stored;
 * the same key with the same body replays that answer; the same key with another body is refused (422);
 * while the first is still running, a second gets 409. A key is remembered for 24 hours. The stored answer is
 * sealed (AES-256-GCM, like connection strings): it may hold a new API key or a webhook secret shown once.
 */
export function idempotency(store: MetadataStore, sealer: Sealer) {
  let lastPurge = 0;
  return async (req: Request, res: Response, next: NextFunction) => {
    if (Date.now() - lastPurge > PURGE_EVERY_MS) {
      lastPurge = Date.now();
      void store.purgeIdempotencyKeys().catch(() => undefined);
    }
    const key = req.get('x-idempotency-key');
    if (req.method !== 'POST' || key === undefined) return next();
    try {
      if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
        throw new ApiError(400, 'invalid_idempotency_key', 'X-Idempotency-Key must be 1–255 visible ASCII characters');
      }
      const principal = (res.locals.principal as Principal).id;
      let canonical: string;
      try {
        canonical = canonicalize(req.body ?? null) ?? 'null';
      } catch {
        // Canonicalisation recurses (a body nested thousands deep exhausts the stack) and refuses non-finite numbers (1e309).
        throw new ApiError(400, 'invalid_body', 'The request body cannot be canonicalised: nested too deeply, or a number JSON cannot represent');
      }
      const bodyHash = createHash('sha256').update(canonical).digest('hex');
      const path = req.originalUrl.split('?')[0] as string;
      const previous = await store.claimIdempotencyKey({ principal, key, method: req.method, path, bodyHash });
      if (previous) {
        if (previous.body_hash !== bodyHash || previous.path !== path) {
          throw new ApiError(422, 'idempotency_key_reused', 'This X-Idempotency-Key was used with a different request', { field: 'X-Idempotency-Key' });
        }
        if (previous.status === null) throw new ApiError(409, 'idempotency_in_progress', 'A request with this X-Idempotency-Key is still running');
        res.status(previous.status).set('Idempotent-Replayed', 'true').type('application/json').send(sealer.unseal(previous.response as string));
        return;
      }
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        const status = res.statusCode;
        const stored = status < 500 ? store.completeIdempotencyKey(principal, key, status, sealer.seal(JSON.stringify(body))) : store.releaseIdempotencyKey(principal, key);
        // The answer goes out only once it is stored, so a replay can never miss it.
        stored.then(
          () => json(body),
          (err: unknown) => next(err),
        );
        return res;
      };
      next();
    } catch (err) {
      if (err instanceof ApiError) return sendError(res, err);
      next(err);
    }
  };
}
