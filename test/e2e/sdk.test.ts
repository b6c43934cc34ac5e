/**
 * The TypeScript SDK (sdk/) against the real API: a Temporal dev server, the API over loopback HTTP and a worker
 * process. A SQLite Chinook migration created, started, streamed and awaited through the SDK; listings walked page by
 * page; errors as SenseiApiError; connections and API keys round-trip; webhook signatures (no server needed).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { signPayload, verifySignature } from '../../lib/webhooks';
import {
  Migration,
  Sensei,
  SenseiApiError,
  WebhookSignatureError,
  checkWebhookSignature,
  parseEventStream,
  signWebhookPayload,
  verifyWebhookSignature,
  type MigrationStatus,
} from '../../sdk/index';
import { answersOffDocument, watchAnswers } from '../helpers/openapi';
import { WorkerProcess, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

const CHINOOK = path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite');

describe('webhook signatures (no server)', () => {
  const secret = 'whsec_test_0123456789';
  const payload = JSON.stringify({ event: 'migration.phase.completed', migration_id: 'mig_abc123', phase: 'schema_analysis' });
  const now = 1_760_000_000;

  test('a correct signature is accepted, as string or bytes, with several v1 values', () => {
    const header = signWebhookPayload(payload, secret, now);
    expect(header).toMatch(/^t=1760000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature({ payload, header, secret, toleranceSeconds: 300, now })).toEqual({ timestamp: now });
    expect(verifyWebhookSignature({ payload: Buffer.from(payload), header, secret, now: now + 299 })).toEqual({ timestamp: now });
    const rotated = `t=${now},v1=${'0'.repeat(64)},${header.split(',')[1]}`;
    expect(checkWebhookSignature({ payload, header: rotated, secret, now })).toEqual({ valid: true, timestamp: now });
  });

  test('interoperates with the server side signer (lib/webhooks)', () => {
    const t = Math.floor(Date.now() / 1000);
    expect(verifyWebhookSignature({ payload, header: signPayload(payload, secret, t), secret }).timestamp).toBe(t);
    expect(verifySignature(payload, signWebhookPayload(payload, secret, t), secret)).toBe(true);
    expect(signWebhookPayload(payload, secret, t)).toBe(signPayload(payload, secret, t));
  });

  test('a tampered body, a wrong secret, an old (replayed) or future timestamp, a malformed header are refused', () => {
    const header = signWebhookPayload(payload, secret, now);
    const reason = (o: Partial<Parameters<typeof checkWebhookSignature>[0]>) => {
      const r = checkWebhookSignature({ payload, header, secret, toleranceSeconds: 300, now, ...o });
      return r.valid ? 'valid' : r.reason;
    };
    expect(reason({ payload: payload.replace('mig_abc123', 'mig_abc124') })).toBe('signature_mismatch');
    expect(reason({ payload: `${payload} ` })).toBe('signature_mismatch');
    expect(reason({ secret: 'whsec_test_0123456788' })).toBe('signature_mismatch');
    expect(reason({ now: now + 301 })).toBe('timestamp_out_of_tolerance');
    expect(reason({ now: now - 301 })).toBe('timestamp_out_of_tolerance');
    // The timestamp is signed too: moving it forward to pass the tolerance breaks the signature.
    expect(reason({ header: header.replace(`t=${now}`, `t=${now + 1000}`), now: now + 1000 })).toBe('signature_mismatch');
    expect(reason({ header: undefined })).toBe('missing_header');
    expect(reason({ header: 'v1=abc' })).toBe('malformed_header');
    expect(reason({ header: `t=${now}` })).toBe('malformed_header');
    expect(reason({ header: `t=soon,v1=${'a'.repeat(64)}` })).toBe('malformed_header');
    expect(() => verifyWebhookSignature({ payload, header, secret: 'nope', now })).toThrow(WebhookSignatureError);
    // Default tolerance: 5 minutes against the real clock.
    const old = signWebhookPayload(payload, secret, Math.floor(Date.now() / 1000) - 3600);
    expect(() => verifyWebhookSignature({ payload, header: old, secret })).toThrow(/timestamp_out_of_tolerance/);
    expect(verifyWebhookSignature({ payload, header: signWebhookPayload(payload, secret), secret }).timestamp).toBeGreaterThan(0);
  });
});

describe('SSE parser (no server)', () => {
  test('fields, comments, multi-line data, CRLF and chunk boundaries in the middle of lines', async () => {
    const text = ': comment\r\nid: 1\r\nevent: status\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: no worker answered\n\nevent: end\ndata: {}\n\n';
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7));
        c.close();
      },
    });
    const events = [];
    for await (const e of parseEventStream(body)) events.push(e);
    expect(events).toEqual([
      { event: 'status', data: '{"a":\n1}', id: '1' },
      { event: 'end', data: '{}', id: '1' },
    ]);
  });
});

describe('against the real API', () => {
  let stack: Stack;
  let worker: WorkerProcess;
  let dataDir: string;
  let client: Sensei;
  let n = 0;
  /** A local webhook receiver: every delivery as received (raw body and headers). */
  let receiver: http.Server;
  let receiverUrl: string;
  const deliveries: { body: string; headers: http.IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    // The receivers listen on loopback, which webhooks may reach only when the operator allows it.
    stack = await startStack(dataDir, { env: { SENSEI_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    // Every answer the tests get from this API is checked against its OpenAPI document (the file's last test).
    watchAnswers(stack.baseUrl);
    worker = new WorkerProcess(stack.workerEnv);
    worker.start();
    client = new Sensei({ apiKey: stack.apiKey, baseUrl: stack.baseUrl });
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        deliveries.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
  });

  afterAll(async () => {
    receiver?.closeAllConnections();
    await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
    await worker?.kill('SIGTERM');
    await stack?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function chinook(name: string) {
    n += 1;
    const source = path.join(dataDir, `sdk-src-${n}.sqlite`);
    fs.copyFileSync(CHINOOK, source);
    return {
      name,
      source: { type: 'sqlite' as const, connection_string: source },
      target: { type: 'sqlite' as const, connection_string: path.join(dataDir, `sdk-dst-${n}.sqlite`) },
      strategy: 'aggressive' as const,
    };
  }

  test('the package: `npm pack` in sdk/ gives a tarball that installs into an empty project and migrates from there', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-sdk-pack-'));
    try {
      const sdkDir = path.resolve(__dirname, '../../sdk');
      const packed = execFileSync('npm', ['pack', '--pack-destination', work, '--json'], { cwd: sdkDir, encoding: 'utf8' });
      const [{ filename, files }] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
      expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/sdk/index.js', 'dist/sdk/index.d.ts', 'dist/lib/migration.d.ts']));
      // Nothing of the server's code travels: only the SDK's JavaScript and the declarations its types need.
      expect(files.filter((f) => f.path.endsWith('.js')).map((f) => f.path)).toEqual(['dist/sdk/index.js']);
      const project = path.join(work, 'app');
      fs.mkdirSync(project);
      fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
      execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(work, filename)], { cwd: project, encoding: 'utf8' });
      fs.writeFileSync(
        path.join(project, 'run.js'),
        `const { Sensei } = require('@sensei-ai/sdk');
(async () => {
  const client = new Sensei({ apiKey: process.env.KEY, baseUrl: process.env.BASE_URL });
  const migration = await client.migrations.create(JSON.parse(process.env.BODY));
  await migration.start();
  const done = await migration.waitFor('completed', { timeoutMs: 120000 });
  console.log(JSON.stringify({ status: done.status, rows: done.progress.rows_copied }));
})().catch((err) => { console.error(err); process.exit(1); });
`,
      );
      // Not execFileSync: the API answers from this very process, whose event loop must keep turning meanwhile.
      const { stdout } = await promisify(execFile)('node', ['run.js'], {
        cwd: project,
        encoding: 'utf8',
        env: { ...process.env, KEY: stack.apiKey, BASE_URL: stack.baseUrl, BODY: JSON.stringify(chinook('sdk from a tarball')) },
      });
      expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual({ status: 'completed', rows: 15607 });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('create → events() → start → waitFor completed; every read of the finished migration; signed webhooks verify', async () => {
    const hook = await client.webhooks.create({ url: receiverUrl, events: ['*'], description: 'sdk e2e' });
    expect(hook.secret).toMatch(/^whsec_/);
    const migration = await client.migrations.create(chinook('sdk chinook'), { requestId: 'sdk-create-1' });
    expect(migration).toBeInstanceOf(Migration);
    expect(migration.id).toMatch(/^mig_[0-9a-f]{16}$/);
    expect(migration.data).toMatchObject({ status: 'created', strategy: 'aggressive', source: { type: 'sqlite' } });

    // The stream opens before the start, so it sees the migration from `created` to `completed` and then `end`.
    const seen: MigrationStatus[] = [];
    const streamed = (async () => {
      for await (const s of migration.events()) seen.push(s);
    })();
    await migration.waitFor('created', { timeoutMs: 30_000 });
    const started = await migration.start();
    expect(['running', 'created', 'awaiting_approval']).toContain(started.status);

    const done = await migration.waitFor((s) => s.status === 'completed', { timeoutMs: 120_000, intervalMs: 250 });
    expect(done.progress.tables_completed).toBe(done.progress.tables_total);
    expect(done.progress.rows_copied).toBeGreaterThan(15_000);
    await streamed;
    // A fast migration may already be over when the stream opens: then its one event is the final one.
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.at(-1)?.status).toBe('completed');
    // Waiting for a state the ended migration will never reach fails at once, naming the end.
    await expect(migration.waitFor('paused', { timeoutMs: 5_000 })).rejects.toThrow(/ended completed/);

    const detail = await migration.refresh();
    expect(detail).toMatchObject({ id: migration.id, status: 'completed', links: { self: `/v1/migrations/${migration.id}` } });
    expect(migration.lastStatus).toBe('completed');
    expect((await client.migrations.get(migration.id)).tables.length).toBe(11);

    const logs = await migration.logs({ limit: 100 });
    expect(logs.data[0]).toMatchObject({ level: 'info', message: 'migration created' });
    const errors = await migration.listErrors();
    expect(errors.pagination.total).toBe(0);
    expect((await migration.sourceSchema()).tables.length).toBe(11);
    expect((await migration.targetSchema()).tables.length).toBe(11);
    const mappings = await migration.listMappings({ limit: 5 });
    expect(mappings.data).toHaveLength(5);
    expect(mappings.pagination.has_more).toBe(true);
    expect(await migration.getMapping(mappings.data[0]!.id)).toEqual(mappings.data[0]);

    const validation = await migration.validation();
    expect(validation.status).toBe('passed');
    expect((await migration.validationTier('structural')).verdict).toBe('passed');
    const cert = await migration.certificate();
    expect(typeof cert).toBe('string');
    expect(JSON.parse(cert)).toMatchObject({ migration: expect.objectContaining({ id: migration.id }) });
    expect((await client.publicKey()).public_key_pem).toContain('BEGIN PUBLIC KEY');
    expect((await client.dialects()).data.map((d) => d.type)).toEqual(expect.arrayContaining(['postgresql', 'mysql', 'sqlite']));

    const validations = await client.validations.list({ limit: 100 });
    // Served from the store (no workflow query per row): the completed run's report, passed.
    expect(validations.data.find((v) => v.migration_id === migration.id)).toMatchObject({ migration_status: 'completed', validation: { status: 'passed' } });

    // Control calls on an ended migration are refused with the seeds' error body.
    const cancel = await migration.cancel({ reason: 'too late' }).catch((e: unknown) => e);
    expect(cancel).toBeInstanceOf(SenseiApiError);
    expect(cancel).toMatchObject({ status: 409, code: 'conflict', details: { status: 'completed' } });
    expect((await client.migrations.listErrors(migration.id, { limit: 1 })).data).toEqual([]);

    const listed = await client.migrations.list({ status: 'completed', limit: 100 });
    expect(listed.data.map((m) => m.id)).toContain(migration.id);

    // Webhook deliveries of this migration carry Sensei-Signature; the SDK helper verifies each with the secret.
    const deadline = Date.now() + 30_000;
    const ours = () => deliveries.filter((d) => d.body.includes(migration.id));
    while (!ours().some((d) => d.headers['sensei-event'] === 'migration.completed') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(ours().map((d) => d.headers['sensei-event'])).toContain('migration.completed');
    for (const d of ours()) {
      const header = d.headers['sensei-signature'];
      expect(verifyWebhookSignature({ payload: d.body, header, secret: hook.secret, toleranceSeconds: 300 }).timestamp).toBeGreaterThan(0);
      expect(checkWebhookSignature({ payload: d.body, header, secret: 'whsec_wrong_secret_0000' })).toEqual({ valid: false, reason: 'signature_mismatch' });
    }
    await client.webhooks.delete(hook.id);
  });

  test('webhooks round-trip: create (secret shown once), get, list, delete', async () => {
    const created = await client.webhooks.create({ url: 'https://example.invalid/hook', events: ['migration.completed'], secret: 'my-own-secret-0123456789' });
    expect(created).toMatchObject({ url: 'https://example.invalid/hook', events: ['migration.completed'], secret: 'my-own-secret-0123456789' });
    const got = await client.webhooks.get(created.id);
    expect(got).not.toHaveProperty('secret');
    const listed = await client.webhooks.list({ limit: 100 });
    expect(listed.data.map((w) => w.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain('my-own-secret');
    await expect(client.webhooks.create({ url: 'ftp://x', events: ['*'] })).rejects.toMatchObject({ status: 422, code: 'validation_error', details: { field: 'url' } });
    await client.webhooks.delete(created.id);
    await expect(client.webhooks.get(created.id)).rejects.toMatchObject({ status: 404, code: 'webhook_not_found' });
  });

  test('iterate walks every page, with filters and sort; list honours limit/offset', async () => {
    const names = ['sdk-page-c', 'sdk-page-a', 'sdk-page-e', 'sdk-page-b', 'sdk-page-d'];
    for (const name of names) await client.migrations.create(chinook(name));
    const first = await client.migrations.list({ limit: 2, offset: 0, sort: 'name', status: 'created' });
    expect(first.data).toHaveLength(2);
    expect(first.pagination).toMatchObject({ limit: 2, offset: 0, has_more: true });

    const walked: string[] = [];
    let requests = 0;
    const spyClient = new Sensei({
      apiKey: stack.apiKey,
      baseUrl: `${stack.baseUrl}/v1/`,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    });
    for await (const m of spyClient.migrations.iterate({ status: 'created', sort: 'name', limit: 2 })) walked.push(m.name);
    const ours = walked.filter((x) => x.startsWith('sdk-page-'));
    expect(ours).toEqual([...names].sort());
    expect(requests).toBeGreaterThanOrEqual(3);
    expect(new Set(walked).size).toBe(walked.length);

    const after = new Date(Date.now() - 60_000);
    const recent: string[] = [];
    for await (const m of client.migrations.iterate({ created_after: after, sort: '-created_at' })) recent.push(m.name);
    expect(recent).toEqual(expect.arrayContaining(names));
    const none = await client.migrations.list({ created_after: new Date(Date.now() + 86_400_000) });
    expect(none).toMatchObject({ data: [], pagination: { total: 0, has_more: false } });
  });

  test('errors are SenseiApiError with status, code, message, details and request_id', async () => {
    const missing = await client.migrations.get('mig_0000000000000000', { requestId: 'sdk-missing-1' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SenseiApiError);
    expect(missing).toMatchObject({
      status: 404,
      code: 'migration_not_found',
      message: 'No migration exists with ID mig_0000000000000000',
      request_id: 'sdk-missing-1',
      method: 'GET',
    });

    const invalid = await client.migrations
      .create({ name: '', source: { type: 'sqlite', connection_string: '/nope' }, target: { type: 'sqlite', connection_string: '/nope' } })
      .catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 422, code: 'validation_error', details: { field: 'name' } });
    expect((invalid as SenseiApiError).request_id).toMatch(/^req_[0-9a-f]{16}$/);

    const badSource = await client.migrations
      .create({
        name: 'bad source',
        source: { type: 'sqlite', connection_string: path.join(dataDir, 'does-not-exist.sqlite') },
        target: { type: 'sqlite', connection_string: path.join(dataDir, 'x.sqlite') },
      })
      .catch((e: unknown) => e);
    expect(badSource).toMatchObject({ status: 422, code: 'validation_error', details: { field: 'source.connection_string' } });

    const unauthorized = await new Sensei({ apiKey: 'sk_test_not_a_real_key', baseUrl: stack.baseUrl }).migrations.list().catch((e: unknown) => e);
    expect(unauthorized).toMatchObject({ status: 401, code: 'unauthorized' });

    const tier = await client.migrations.validationTier('mig_0000000000000000', 'nonsense' as never).catch((e: unknown) => e);
    expect(tier).toMatchObject({ status: 404, code: 'validation tier_not_found' });

    expect(() => new Sensei({ apiKey: '', baseUrl: stack.baseUrl })).toThrow(/apiKey/);
  });

  test('idempotencyKey: a retried create returns the same migration', async () => {
    const body = chinook('sdk idempotent');
    const key = `sdk-idem-${Date.now()}`;
    const a = await client.migrations.create(body, { idempotencyKey: key });
    const b = await client.migrations.create(body, { idempotencyKey: key });
    expect(b.id).toBe(a.id);
    const reused = await client.migrations.create({ ...body, name: 'other' }, { idempotencyKey: key }).catch((e: unknown) => e);
    expect(reused).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
  });

  test('a migration can be cancelled through the SDK (DELETE)', async () => {
    const migration = await client.migrations.create(chinook('sdk cancel'));
    await migration.waitFor('created', { timeoutMs: 30_000 });
    // PATCH before start: the name and strategy change, in the resource and in the listing.
    const renamed = await migration.update({ name: 'sdk cancel (renamed)', strategy: 'conservative' });
    expect(renamed).toMatchObject({ name: 'sdk cancel (renamed)', strategy: 'conservative' });
    await expect(migration.update({})).rejects.toMatchObject({ status: 422, code: 'validation_error' });
    await expect(migration.resolveError('err_nope')).rejects.toMatchObject({ status: 404, code: 'error_not_found' });
    await expect(migration.editMapping('Album.Title', 'text')).rejects.toBeInstanceOf(SenseiApiError);
    const cancelled = await migration.cancel({ reason: 'changed my mind' });
    expect(['cancelled', 'created']).toContain(cancelled.status);
    const end = await migration.waitFor(['cancelled'], { timeoutMs: 30_000 });
    expect(end.status).toBe('cancelled');
    const pause = await migration.pause().catch((e: unknown) => e);
    expect(pause).toMatchObject({ status: 409, code: 'conflict' });
  });

  test('connections round-trip: create, get, list/iterate, test, delete; the connection string never comes back', async () => {
    const file = path.join(dataDir, 'saved-conn.sqlite');
    fs.copyFileSync(CHINOOK, file);
    const created = await client.connections.create({ name: 'sdk saved', type: 'sqlite', connection_string: file }, { idempotencyKey: `conn-${Date.now()}` });
    expect(created).toMatchObject({ name: 'sdk saved', type: 'sqlite', environment: 'test' });
    expect(JSON.stringify(created)).not.toContain('sealed:');
    expect(await client.connections.get(created.id)).toEqual(created);
    const page = await client.connections.list({ limit: 100 });
    expect(page.data.map((c) => c.id)).toContain(created.id);
    const all = [];
    for await (const c of client.connections.iterate({ limit: 1 })) all.push(c.id);
    expect(all).toContain(created.id);
    expect(await client.connections.test(created.id)).toMatchObject({ id: created.id, success: true });

    const fromSaved = await client.migrations.create({
      name: 'sdk from saved',
      source: { connection_id: created.id },
      target: { type: 'sqlite', connection_string: path.join(dataDir, 'from-saved.sqlite') },
    });
    expect(fromSaved.data?.source.type).toBe('sqlite');

    await expect(client.connections.delete(created.id)).resolves.toBeUndefined();
    await expect(client.connections.get(created.id)).rejects.toMatchObject({ status: 404, code: 'connection_not_found' });
    await expect(client.connections.delete(created.id)).rejects.toBeInstanceOf(SenseiApiError);
  });

  test('api-keys round-trip: create (key shown once), get, list, use, revoke', async () => {
    const created = await client.apiKeys.create({ name: 'sdk reader', scopes: ['read'] });
    expect(created.key).toMatch(/^sk_test_/);
    expect(await client.apiKeys.get(created.id)).toMatchObject({ id: created.id, prefix: created.prefix, scopes: ['read'], revoked_at: null });
    const ids = [];
    for await (const k of client.apiKeys.iterate({ limit: 2 })) ids.push(k.id);
    expect(ids).toContain(created.id);
    expect(JSON.stringify(await client.apiKeys.list({ limit: 100 }))).not.toContain(created.key);

    const reader = new Sensei({ apiKey: created.key, baseUrl: stack.baseUrl });
    expect((await reader.migrations.list({ limit: 1 })).pagination.total).toBeGreaterThan(0);
    await expect(reader.apiKeys.list()).rejects.toMatchObject({ status: 403, code: 'forbidden', details: { required_scope: 'admin' } });

    const revoked = await client.apiKeys.revoke(created.id);
    expect(revoked.revoked_at).not.toBeNull();
    await expect(reader.migrations.list()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });

    const other = await client.apiKeys.create({ name: 'sdk sa', kind: 'service_account' });
    expect(other.key).toMatch(/^sa_test_/);
    expect((await client.apiKeys.delete(other.id)).revoked_at).not.toBeNull();
  });

  test('openapi() returns the document; its paths are covered by the SDK', async () => {
    const doc = await client.openapi();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/migrations/{id}/validation/rerun', '/v1/api-keys/{id}/revoke', '/v1/validations']));
  });
});

// Last in the file (tests run in order).
test('every answer the SDK got matches the OpenAPI document (paths, methods, status codes, required fields and types)', () => {
  expect(answersOffDocument()).toEqual([]);
});
