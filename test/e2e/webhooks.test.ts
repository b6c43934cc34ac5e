/**
 * Webhooks end to end: a receiver on loopback gets every event of a migration, signed; a receiver that is
 * down when the events happen gets them once it comes back, and never holds the migration up.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { WEBHOOK_EVENTS, signPayload, verifySignature } from '../../lib/webhooks';
import { answersOffDocument, watchAnswers } from '../helpers/openapi';
import { WorkerProcess, freePort, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

interface Received {
  event: string;
  attempt: number;
  signature: string;
  body: string;
  json: { id: string; event: string; migration_id: string; [k: string]: unknown };
}

/** A webhook receiver on loopback that records what it is sent. */
class Receiver {
  received: Received[] = [];
  private server: http.Server | undefined;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        this.received.push({
          event: String(req.headers['sensei-event']),
          attempt: Number(req.headers['sensei-attempt']),
          signature: String(req.headers['sensei-signature']),
          body,
          json: JSON.parse(body),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise((r) => this.server?.close(r));
    this.server.closeAllConnections();
    await closed;
  }

  async waitFor(predicate: (r: Received[]) => boolean, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) throw new Error(`receiver got only: ${this.received.map((r) => r.event).join(', ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

let stack: Stack;
let worker: WorkerProcess;
let dataDir: string;
const receivers: Receiver[] = [];
const CHINOOK = path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite');

beforeAll(async () => {
  dataDir = tempDataDir();
  // The receivers listen on loopback, which webhooks may reach only when the operator allows it.
  stack = await startStack(dataDir, { env: { SENSEI_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  // Every answer the tests get from this API is checked against its OpenAPI document (the file's last test).
  watchAnswers(stack.baseUrl);
  worker = new WorkerProcess(stack.workerEnv);
  worker.start();
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await Promise.all(receivers.map((r) => r.stop()));
  await stack?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown) {
  const res = await fetch(stack.baseUrl + url, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

let n = 0;
async function runMigration(): Promise<string> {
  n += 1;
  const source = path.join(dataDir, `src-${n}.sqlite`);
  fs.copyFileSync(CHINOOK, source);
  const created = await call('POST', '/v1/migrations', {
    name: `hooked ${n}`,
    source: { type: 'sqlite', connection_string: source },
    target: { type: 'sqlite', connection_string: path.join(dataDir, `dst-${n}.sqlite`) },
    strategy: 'aggressive',
  });
  expect(created.status).toBe(201);
  expect((await call('POST', `/v1/migrations/${created.body.id}/start`)).status).toBe(202);
  return created.body.id as string;
}

async function waitCompleted(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await call('GET', `/v1/migrations/${id}/status`);
    if (s.status === 200 && ['completed', 'failed', 'cancelled'].includes(s.body.status)) return s.body;
    if (Date.now() > deadline) throw new Error(`migration ${id} did not finish: ${JSON.stringify(s.body?.status)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('subscriptions: the secret is shown once, never listed; bad subscriptions are 422', async () => {
  const created = await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['migration.completed'] });
  expect(created.status).toBe(201);
  expect(created.body.secret).toMatch(/^whsec_/);
  const listed = await call('GET', '/v1/webhooks');
  expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
  expect((await call('GET', `/v1/webhooks/${created.body.id}`)).body).not.toHaveProperty('secret');
  expect((await call('POST', '/v1/webhooks', { url: 'ftp://x', events: ['migration.completed'] })).status).toBe(422);
  expect((await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['migration.exploded'] })).body.error.details.field).toBe('events[0]');
  // The events a subscription may name are served (the console builds its form from them), and each is accepted.
  const doc = (await call('GET', '/v1/openapi.json')).body;
  expect(doc.components.schemas.WebhookEvent.enum).toEqual([...WEBHOOK_EVENTS]);
  const every = await call('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/all', events: doc.components.schemas.WebhookEvent.enum });
  expect(every.status).toBe(201);
  expect(every.body.events).toEqual([...WEBHOOK_EVENTS]);
  expect((await call('DELETE', `/v1/webhooks/${every.body.id}`)).status).toBe(204);
  expect((await call('DELETE', `/v1/webhooks/${created.body.id}`)).status).toBe(204);
  expect((await call('GET', `/v1/webhooks/${created.body.id}`)).status).toBe(404);
});

test('a live receiver gets every event of a migration, in order, signed over timestamp and body', async () => {
  const receiver = new Receiver(await freePort());
  receivers.push(receiver);
  await receiver.start();
  const secret = 'receiver-one-secret-0123456789';
  const sub = await call('POST', '/v1/webhooks', { url: `http://127.0.0.1:${receiver.port}/hooks`, events: ['*'], secret });
  expect(sub.status).toBe(201);

  const id = await runMigration();
  const final = await waitCompleted(id);
  await receiver.waitFor((r) => r.some((x) => x.json.migration_id === id && x.event === 'migration.completed'));
  const mine = receiver.received.filter((r) => r.json.migration_id === id);
  const events = mine.map((r) => r.event);
  expect(events).toEqual(expect.arrayContaining(['migration.created', 'migration.phase.started', 'migration.phase.completed', 'validation.completed', 'migration.completed']));
  expect(mine.filter((r) => r.event === 'migration.phase.started').map((r) => r.json.phase)).toEqual(expect.arrayContaining(['schema_analysis', 'data_transfer', 'validation']));
  if (final.certificate) expect(events).toContain('certificate.issued');
  for (const r of mine) {
    expect(verifySignature(r.body, r.signature, secret)).toBe(true);
    expect(verifySignature(r.body.replace('"migration_id"', '"migration_ID"'), r.signature, secret)).toBe(false);
    expect(verifySignature(r.body, r.signature, 'another-secret-000000000000')).toBe(false);
  }
  // A replayed delivery with an old timestamp fails a receiver's freshness check.
  const old = signPayload(mine[0]!.body, secret, Math.floor(Date.now() / 1000) - 3600);
  expect(verifySignature(mine[0]!.body, old, secret, 300)).toBe(false);
  // Event ids are unique.
  expect(new Set(mine.map((r) => r.json.id)).size).toBe(mine.length);
});

test('a receiver that is down neither slows nor fails the migration, and gets the events when it comes back', async () => {
  const receiver = new Receiver(await freePort());
  receivers.push(receiver);
  const secret = 'receiver-two-secret-0123456789';
  await call('POST', '/v1/webhooks', { url: `http://127.0.0.1:${receiver.port}/late`, events: ['migration.completed', 'migration.created'], secret });

  const started = Date.now();
  const id = await runMigration();
  const final = await waitCompleted(id);
  expect(final.status).toBe('completed');
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(receiver.received).toHaveLength(0);

  await receiver.start();
  const got = (event: string) => (r: Received[]) => r.some((x) => x.json.migration_id === id && x.event === event);
  await receiver.waitFor((r) => got('migration.completed')(r) && got('migration.created')(r));
  const late = receiver.received.filter((r) => r.json.migration_id === id);
  expect(late.every((r) => verifySignature(r.body, r.signature, secret))).toBe(true);
  // migration.created was first tried while nothing listened: it arrived on a retry.
  expect(late.find((r) => r.event === 'migration.created')?.attempt).toBeGreaterThan(1);
});

// Last in the file (tests run in order): every answer the tests above got from the API matched its OpenAPI document.
test('every answer of this file matches the OpenAPI document (paths, methods, status codes, required fields and types)', () => {
  expect(answersOffDocument()).toEqual([]);
});
