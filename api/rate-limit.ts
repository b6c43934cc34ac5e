import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { MetadataStore } from '../lib/store';
import { ApiError, sendError } from './errors';

/**
 * Request quotas: per second, per minute and per day for each principal, and failed authentication per client
 * address. Counts live where every API process sees them: Redis (SENSEI_REDIS_URL), else the metadata store when it
 * is a shared PostgreSQL (SENSEI_DATABASE_URL), else this process's memory (the single-process default).
 */

export type RateTier = 'free' | 'starter' | 'professional' | 'enterprise';

export interface RateLimits {
  second: number;
  /** undefined: no limit for that window. */
  minute?: number;
  day?: number;
}

/**
 * The plans of the product's rate-limit table. Its two tables disagree (one gives per-second and per-day figures,
 * the other per-minute and per-day); per-second and per-day come from the first, per-minute from the second,
 * with Free's minute at the second table's lowest. Enterprise is "custom": SENSEI_RATE_LIMIT per second, no
 * minute or day cap, which is also the default for a self-hosted server.
 */
export const RATE_TIERS: Record<RateTier, RateLimits> = {
  free: { second: 10, minute: 60, day: 1_000 },
  starter: { second: 50, minute: 60, day: 50_000 },
  professional: { second: 200, minute: 300, day: 500_000 },
  enterprise: { second: 50 },
};

const WINDOW_SECONDS = { second: 1, minute: 60, day: 86_400 } as const;
type WindowName = keyof typeof WINDOW_SECONDS;

/** Counts hits in fixed windows; `hit` adds one to each bucket and returns the new counts, in order. */
export interface RateCounter {
  hit(buckets: { bucket: string; ttlSeconds: number }[]): Promise<number[]>;
  /** Adds nothing; the current counts (0 for an unknown bucket). */
  peek(buckets: string[]): Promise<number[]>;
  close(): Promise<void>;
}

export class MemoryCounter implements RateCounter {
  private readonly counts = new Map<string, { count: number; expires: number }>();

  async hit(buckets: { bucket: string; ttlSeconds: number }[]): Promise<number[]> {
    const now = Date.now();
    if (this.counts.size > 50_000) for (const [k, v] of this.counts) if (v.expires <= now) this.counts.delete(k);
    return buckets.map(({ bucket, ttlSeconds }) => {
      let entry = this.counts.get(bucket);
      if (!entry || entry.expires <= now) {
        entry = { count: 0, expires: now + ttlSeconds * 1000 };
        this.counts.set(bucket, entry);
      }
      entry.count += 1;
      return entry.count;
    });
  }

  async peek(buckets: string[]): Promise<number[]> {
    const now = Date.now();
    return buckets.map((b) => {
      const entry = this.counts.get(b);
      return entry && entry.expires > now ? entry.count : 0;
    });
  }

  async close(): Promise<void> {}
}

/** Counters in the metadata store (one upsert per request for all its windows). */
export class StoreCounter implements RateCounter {
  constructor(private readonly store: MetadataStore) {}

  hit(buckets: { bucket: string; ttlSeconds: number }[]): Promise<number[]> {
    return this.store.hitRateCounters(buckets);
  }

  peek(buckets: string[]): Promise<number[]> {
    return this.store.peekRateCounters(buckets);
  }

  async close(): Promise<void> {}
}

export class RedisCounter implements RateCounter {
  constructor(private readonly redis: Redis) {}

  async hit(buckets: { bucket: string; ttlSeconds: number }[]): Promise<number[]> {
    const multi = this.redis.multi();
    // EXPIRE … NX keeps the first expiry, so a window ends on time however many hits it gets.
    for (const { bucket, ttlSeconds } of buckets) multi.incr(bucket).expire(bucket, ttlSeconds + 1, 'NX');
    const results = (await multi.exec()) ?? [];
    return buckets.map((_, i) => {
      const [err, value] = results[i * 2] ?? [new Error('no answer'), 0];
      if (err) throw err;
      return Number(value);
    });
  }

  async peek(buckets: string[]): Promise<number[]> {
    if (buckets.length === 0) return [];
    return (await this.redis.mget(...buckets)).map((v) => Number(v ?? 0));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

/** The counter the configuration asks for: Redis, the shared PostgreSQL store, or memory. */
export async function openRateCounter(config: { redisUrl?: string; sharedStore?: MetadataStore }): Promise<RateCounter> {
  if (config.redisUrl) {
    const { default: IORedis } = await import('ioredis');
    const redis = new IORedis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, keyPrefix: 'sensei:rl:' });
    await redis.connect();
    return new RedisCounter(redis);
  }
  if (config.sharedStore) return new StoreCounter(config.sharedStore);
  return new MemoryCounter();
}

export interface Quota {
  /** Who is counted: a principal id. */
  id: string;
  limits: RateLimits;
}

/**
 * One request against every window of a quota. Headers describe the window closest to its limit; past any limit
 * the answer is 429 with Retry-After until that window ends.
 */
export async function takeQuota(counter: RateCounter, quota: Quota, res: Response): Promise<ApiError | undefined> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const windows = (Object.keys(WINDOW_SECONDS) as WindowName[]).filter((w) => quota.limits[w] !== undefined);
  const buckets = windows.map((w) => {
    const length = WINDOW_SECONDS[w];
    const start = nowSeconds - (nowSeconds % length);
    return { window: w, limit: quota.limits[w] as number, reset: start + length, bucket: `q:${quota.id}:${w}:${start}`, ttlSeconds: length };
  });
  const counts = await counter.hit(buckets);
  const state = buckets.map((b, i) => ({ ...b, remaining: b.limit - (counts[i] as number) }));
  const tightest = state.reduce((a, b) => (b.remaining < a.remaining ? b : a));
  res.set('X-RateLimit-Limit', String(tightest.limit));
  res.set('X-RateLimit-Remaining', String(Math.max(0, tightest.remaining)));
  res.set('X-RateLimit-Reset', String(tightest.reset));
  const exceeded = state.find((s) => s.remaining < 0);
  if (!exceeded) return undefined;
  res.set('Retry-After', String(Math.max(1, exceeded.reset - nowSeconds)));
  return new ApiError(429, 'rate_limit_exceeded', `Rate limit of ${exceeded.limit} requests per ${exceeded.window} exceeded`, {
    limit: exceeded.limit,
    window: exceeded.window,
  });
}

export interface AuthFailureLimit {
  /** Failed authentications one client address may make per window before it is refused (20). */
  failures: number;
  windowSeconds: number;
}

/** The client address a request is counted under (Express's req.ip: the socket, or X-Forwarded-For with trust proxy). */
function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * Limits failed authentication per client address: once an address has failed `failures` times in a window, every
 * request from it that needs authentication is refused with 429 until the window ends, before its credential is
 * even looked at. Mounted before the authenticator; the authenticator and /oauth/token report failures.
 */
export function authFailureGuard(counter: RateCounter, limit: AuthFailureLimit) {
  const bucketOf = (req: Request) => {
    const now = Math.floor(Date.now() / 1000);
    const start = now - (now % limit.windowSeconds);
    return { bucket: `authfail:${clientAddress(req)}:${start}`, ttlSeconds: limit.windowSeconds, reset: start + limit.windowSeconds, now };
  };
  return {
    async check(req: Request, res: Response, next: NextFunction) {
      try {
        const b = bucketOf(req);
        const [failures] = await counter.peek([b.bucket]);
        if ((failures as number) >= limit.failures) {
          res.set('Retry-After', String(Math.max(1, b.reset - b.now)));
          return sendError(res, new ApiError(429, 'rate_limit_exceeded', 'Too many failed authentication attempts from this address; try again later'));
        }
        next();
      } catch (err) {
        next(err);
      }
    },
    /** Counts one failed authentication of this request's address. */
    async failed(req: Request): Promise<void> {
      const b = bucketOf(req);
      await counter.hit([{ bucket: b.bucket, ttlSeconds: b.ttlSeconds }]);
    },
  };
}

export type AuthFailureGuard = ReturnType<typeof authFailureGuard>;
