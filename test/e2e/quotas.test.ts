/**
 * Secrets and quotas of the API: idempotency records sealed, expiring and claimed atomically; per-second, per-minute
 * and per-day limits; failed authentication limited per client address; counters shared by several API processes
 * through the PostgreSQL store and through Redis. Real HTTP over loopback, real PostgreSQL and Redis.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import Database from 'better-sqlite3';
import IORedis from 'ioredis';
import { createApp } from '../../api/app';
import { openRateCounter, type RateCounter } from '../../api/rate-limit';
import { loadOrCreateSigningKey, publicKeyPem } from '../../lib/certificate';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { reachPolicy } from '../../lib/reach';
import { Sealer } from '../../lib/secrets';
import { MetadataStore } from '../../lib/store';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';
import { answersOffDocument, watchAnswers } from '../helpers/openapi';
import { WorkerProcess, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

const REDIS_URL = process.env.SENSEI_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

let stack: Stack;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDataDir();
  stack = await startStack(dataDir, { authFailureLimit: 5, rateTier: 'free' });
  // Every answer the tests get from this API is checked against its OpenAPI document (the file's last test).
  watchAnswers(stack.baseUrl);
});

afterAll(async () => {
  await stack?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function call(base: string, method: string, url: string, key: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + url, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null, headers: res.headers };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idempotency records', () => {
  test('a stored answer holding a new key or webhook secret is sealed, and the replay still returns it', async () => {
    const headers = { 'x-idempotency-key': `seal-${Date.now()}` };
    const first = await call(stack.baseUrl, 'POST', '/v1/api-keys', stack.apiKey, { name: 'sealed', scopes: ['read'] }, headers);
    expect(first.status).toBe(201);
    const hook = await call(stack.baseUrl, 'POST', '/v1/webhooks', stack.apiKey, { url: 'https://hooks.example.com/x', events: ['*'] }, { 'x-idempotency-key': `hook-${Date.now()}` });
    expect(hook.status).toBe(201);
    const db = new Database(path.join(stack.dataDir, 'sensei.sqlite'), { readonly: true });
    const rows = db.prepare('select response from idempotency_records').all() as { response: string }[];
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const everything = rows.map((r) => r.response).join('\n');
    expect(everything).not.toContain(first.body.key);
    expect(everything).not.toContain(hook.body.secret);
    for (const r of rows) expect(r.response).toMatch(/^sealed:v1:/);
    // The whole file, not only the column: the clear key is nowhere on disk.
    const bytes = Buffer.concat([fs.readFileSync(path.join(stack.dataDir, 'sensei.sqlite')), fs.existsSync(path.join(stack.dataDir, 'sensei.sqlite-wal')) ? fs.readFileSync(path.join(stack.dataDir, 'sensei.sqlite-wal')) : Buffer.alloc(0)]);
    expect(bytes.includes(Buffer.from(first.body.key))).toBe(false);
    const replay = await call(stack.baseUrl, 'POST', '/v1/api-keys', stack.apiKey, { name: 'sealed', scopes: ['read'] }, headers);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.key).toBe(first.body.key);
  });

  test('a key is remembered for 24 hours, then the same request runs again', async () => {
    const key = `ttl-${Date.now()}`;
    const first = await call(stack.baseUrl, 'POST', '/v1/api-keys', stack.apiKey, { name: 'ttl', scopes: ['read'] }, { 'x-idempotency-key': key });
    const db = new Database(path.join(stack.dataDir, 'sensei.sqlite'));
    db.prepare('update idempotency_records set created_at = ? where idempotency_key = ?').run(new Date(Date.now() - 25 * 3600 * 1000).toISOString(), key);
    db.close();
    const later = await call(stack.baseUrl, 'POST', '/v1/api-keys', stack.apiKey, { name: 'ttl', scopes: ['read'] }, { 'x-idempotency-key': key });
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(later.body.id).not.toBe(first.body.id);
    // And once more at once: now a replay of the new answer.
    const replay = await call(stack.baseUrl, 'POST', '/v1/api-keys', stack.apiKey, { name: 'ttl', scopes: ['read'] }, { 'x-idempotency-key': key });
    expect(replay.body.id).toBe(later.body.id);
  });

  test('twenty requests with one key at once: exactly one runs', async () => {
    const key = `race-${Date.now()}`;
    const before = (await call(stack.baseUrl, 'GET', '/v1/api-keys?limit=1', stack.apiKey)).body.pagination.total as number;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => call(stack.baseUrl, 'POST', '/v1/api-keys', stack.apiKey, { name: 'raced', scopes: ['read'] }, { 'x-idempotency-key': key })),
    );
    const created = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
    expect(created).toHaveLength(1);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    expect((await call(stack.baseUrl, 'GET', '/v1/api-keys?limit=1', stack.apiKey)).body.pagination.total).toBe(before + 1);
  });
});

describe('rate limits', () => {
  test('the free plan: 10 per second, then 60 per minute; headers name the tightest window', async () => {
    const key = (await call(stack.baseUrl, 'POST', '/v1/api-keys', stack.apiKey, { name: 'free plan', scopes: ['read'] })).body.key as string;
    await sleep(1000 - (Date.now() % 1000) + 20);
    const first = await call(stack.baseUrl, 'GET', '/v1/migrations', key);
    expect(first.headers.get('x-ratelimit-limit')).toBe('10');
    const burst = await Promise.all(Array.from({ length: 14 }, () => call(stack.baseUrl, 'GET', '/v1/migrations', key)));
    const refused = burst.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.body.error.details).toMatchObject({ window: 'second', limit: 10 });
    expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Eight a second stay under the per-second limit; the minute's 60 run out first. Windows are fixed (whole clock
    // minutes): when one ends during the rounds its count starts again, so there are rounds enough for 60 after that.
    let minuteRefusal: Awaited<ReturnType<typeof call>> | undefined;
    for (let round = 0; round < 20 && !minuteRefusal; round += 1) {
      const answers = await Promise.all(Array.from({ length: 8 }, () => call(stack.baseUrl, 'GET', '/v1/migrations', key)));
      minuteRefusal = answers.find((a) => a.status === 429 && a.body.error.details.window === 'minute');
      await sleep(1000);
    }
    expect(minuteRefusal?.body.error.message).toContain('60 requests per minute');
    // Until the minute's window ends: 1 s when the refusal lands in its last second (it did once, under CI load).
    const retryAfter = Number(minuteRefusal?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  test('failed authentication is limited per client address, /oauth/token included, before any key is looked at', async () => {
    for (let i = 0; i < 3; i += 1) expect((await call(stack.baseUrl, 'GET', '/v1/migrations', `sk_test_wrong${i}`)).status).toBe(401);
    const token = await fetch(`${stack.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_secret: 'sa_test_guess' }),
    });
    expect(token.status).toBe(401);
    expect((await call(stack.baseUrl, 'GET', '/v1/migrations', 'sk_test_wrong4')).status).toBe(401);
    // Five failures this minute: the address is refused, even with the right key, until the minute ends.
    const blocked = await call(stack.baseUrl, 'GET', '/v1/migrations', stack.apiKey);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toContain('failed authentication');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const tokenBlocked = await fetch(`${stack.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_secret: 'sa_test_guess' }),
    });
    expect(tokenBlocked.status).toBe(429);
    await sleep((Number(blocked.headers.get('retry-after')) + 1) * 1000);
    expect((await call(stack.baseUrl, 'GET', '/v1/migrations', stack.apiKey)).status).toBe(200);
  }, 150_000);
});

describe('counters shared by several API processes', () => {
  let pg: TempDatabase;
  let store: MetadataStore;
  const servers: Server[] = [];
  const counters: RateCounter[] = [];

  beforeAll(async () => {
    pg = await createTempDatabase('postgresql');
    store = await MetadataStore.open({ databaseUrl: pg.endpoint.connectionString, dataDir });
  });

  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    for (const c of counters) await c.close();
    await store?.close();
    await pg?.drop();
  });

  /** Two API "processes" (apps with their own counter clients) over one store; returns their base URLs. */
  async function twoApis(counterOf: () => Promise<RateCounter>): Promise<string[]> {
    const urls: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const counter = await counterOf();
      counters.push(counter);
      const app = createApp({
        client: stack.client,
        taskQueue: 'unused',
        sealer: new Sealer('shared-counter-test-key'),
        store,
        auth: { bootstrapKey: `sk_test_${'b'.repeat(32)}`, defaultRateLimit: 1000 },
        log: createLogger('quota-test', 'silent'),
        certificatePublicKey: publicKeyPem(loadOrCreateSigningKey({ dataDir })),
        reach: reachPolicy(loadConfig(stack.workerEnv)),
        rateCounter: counter,
      });
      const server = await new Promise<Server>((resolve) => {
        const s = app.listen(0, '127.0.0.1', () => resolve(s));
      });
      servers.push(server);
      urls.push(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
    }
    return urls;
  }

  /** 12 requests spread over both APIs for a key of 3 per second: per one-second window, at most 3 get through. */
  async function expectOneAllowance(urls: string[]) {
    const { key } = await store.createApiKey({ name: 'shared', kind: 'api_key', environment: 'test', scopes: ['read'], rateLimitPerSecond: 3 });
    await sleep(1000 - (Date.now() % 1000) + 20);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => call(urls[i % 2] as string, 'GET', '/v1/api-keys/none', key)));
    const byWindow = new Map<string, number[]>();
    for (const a of answers) {
      const reset = a.headers.get('x-ratelimit-reset') as string;
      byWindow.set(reset, [...(byWindow.get(reset) ?? []), a.status]);
    }
    for (const statuses of byWindow.values()) {
      expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(3);
    }
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(6);
  }

  test('through the PostgreSQL metadata store', async () => {
    await expectOneAllowance(await twoApis(() => openRateCounter({ sharedStore: store })));
  });

  test('through Redis (SENSEI_REDIS_URL)', async () => {
    const probe = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await probe.connect();
    await probe.quit();
    await expectOneAllowance(await twoApis(() => openRateCounter({ redisUrl: REDIS_URL })));
  });
});

describe('status streams (server-sent events)', () => {
  let sse: Stack;
  let sseDir: string;
  let worker: WorkerProcess;
  let source: TempDatabase;
  let target: TempDatabase;

  beforeAll(async () => {
    sseDir = tempDataDir();
    sse = await startStack(sseDir, { sseMaxStreamsPerKey: 2, sseMaxSeconds: 3 });
    worker = new WorkerProcess({ ...sse.workerEnv, SENSEI_LOG_LEVEL: 'info' });
    worker.start();
    await worker.ready();
    [source, target] = await Promise.all([createTempDatabase('postgresql'), createTempDatabase('postgresql')]);
  });

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await sse?.close();
    await source?.drop();
    await target?.drop();
    fs.rmSync(sseDir, { recursive: true, force: true });
  });

  /** Reads a stream until it ends; returns its text. */
  async function readAll(res: Response): Promise<string> {
    return new Response(res.body).text();
  }

  test('a key holds at most the configured number of streams, and each ends after the maximum duration', async () => {
    const created = await call(sse.baseUrl, 'POST', '/v1/migrations', sse.apiKey, {
      name: 'streamed',
      source: { type: 'postgresql', connection_string: source.endpoint.connectionString },
      target: { type: 'postgresql', connection_string: target.endpoint.connectionString },
    });
    expect(created.status).toBe(201);
    const open = () => fetch(`${sse.baseUrl}/v1/migrations/${created.body.id}/status`, { headers: { authorization: `Bearer ${sse.apiKey}`, accept: 'text/event-stream' } });
    const started = Date.now();
    const [a, b] = await Promise.all([open(), open()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await open();
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('too_many_streams');
    // A created migration never ends by itself: the streams end at the three-second limit, telling the client why.
    const [ta, tb] = await Promise.all([readAll(a), readAll(b)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    for (const text of [ta, tb]) {
      expect(text).toContain('event: status');
      expect(text).toContain('event: end\ndata: {"reason":"max_duration"}');
    }
    // Both places are free again.
    const again = await open();
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });
});

// Last in the file (tests run in order): every answer the tests above got from the API matched its OpenAPI document.
test('every answer of this file matches the OpenAPI document (paths, methods, status codes, required fields and types)', () => {
  expect(answersOffDocument()).toEqual([]);
});
