/**
 * The REST API v1 beyond migrations' core calls: keys and scopes, live/test separation, OAuth JWTs, saved
 * connections, listing, idempotency, rate limits, server-sent events and the OpenAPI document. Real HTTP,
 * real Temporal, a real worker process, real PostgreSQL for saved connections.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import type { ZodType } from 'zod';
import { recordHistories } from '../helpers/histories';
import { createTempDatabase } from '../helpers/databases';
import { undocumented } from '../helpers/openapi';
import { JWT_SECRET, WorkerProcess, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

let stack: Stack;
let worker: WorkerProcess;
let dataDir: string;
let pg: Awaited<ReturnType<typeof createTempDatabase>>;
const CHINOOK = path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite');

beforeAll(async () => {
  dataDir = tempDataDir();
  stack = await startStack(dataDir);
  worker = new WorkerProcess(stack.workerEnv);
  worker.start();
  pg = await createTempDatabase('postgresql');
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await stack?.close();
  await pg?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, url: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(stack.baseUrl + url, {
    method,
    headers: { authorization: `Bearer ${opts.key ?? stack.apiKey}`, 'content-type': 'application/json', ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  // Every answer this file sees must match the server's own OpenAPI document.
  if (url.startsWith('/v1/')) {
    openApi ??= (await (await fetch(`${stack.baseUrl}/v1/openapi.json`)).json()) as Parameters<typeof undocumented>[0];
    const problem = undocumented(openApi, method, url, res.status, res.headers.get('content-type'), body);
    if (problem) offDocument.push(problem);
  }
  return { status: res.status, body, text, headers: res.headers };
}

let openApi: Parameters<typeof undocumented>[0] | undefined;
/** Answers that did not match the OpenAPI document: checked by the file's last test, so each test says its own failure. */
const offDocument: string[] = [];

let n = 0;
function sqliteMigrationBody(name = 'chinook') {
  n += 1;
  const source = path.join(dataDir, `src-${n}.sqlite`);
  fs.copyFileSync(CHINOOK, source);
  return {
    name,
    source: { type: 'sqlite', connection_string: source },
    target: { type: 'sqlite', connection_string: path.join(dataDir, `dst-${n}.sqlite`) },
    strategy: 'aggressive',
  };
}

async function createKey(body: Record<string, unknown>, key = stack.apiKey) {
  const res = await call('POST', '/v1/api-keys', { key, body });
  expect(res.status).toBe(201);
  return res.body as { id: string; key: string; prefix: string; environment: string };
}

describe('API keys and scopes', () => {
  test('a key is shown once; listings show its prefix only; read scope cannot write (403); revoked keys get 401', async () => {
    const reader = await createKey({ name: 'dashboard', scopes: ['read'] });
    expect(reader.key).toMatch(/^sk_test_/);
    expect(reader.environment).toBe('test');
    const listed = await call('GET', '/v1/api-keys');
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(reader.key);
    expect(listed.body.data.find((k: { id: string }) => k.id === reader.id)).toMatchObject({ prefix: reader.prefix, scopes: ['read'], revoked_at: null });

    expect((await call('GET', '/v1/migrations', { key: reader.key })).status).toBe(200);
    const write = await call('POST', '/v1/migrations', { key: reader.key, body: sqliteMigrationBody() });
    expect(write.status).toBe(403);
    expect(write.body.error).toMatchObject({ code: 'forbidden', details: { required_scope: 'write' } });
    expect((await call('GET', '/v1/api-keys', { key: reader.key })).status).toBe(403);

    expect((await call('POST', `/v1/api-keys/${reader.id}/revoke`)).body.revoked_at).not.toBeNull();
    const revoked = await call('GET', '/v1/migrations', { key: reader.key });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toContain('revoked');
  });

  test('service-account keys work; a made-up key is 401', async () => {
    const sa = await createKey({ name: 'ci', kind: 'service_account', scopes: ['read', 'write'] });
    expect(sa.key).toMatch(/^sa_test_/);
    expect((await call('GET', '/v1/migrations', { key: sa.key })).status).toBe(200);
    expect((await call('GET', '/v1/migrations', { key: 'sk_test_madeup' })).status).toBe(401);
  });

  test('OAuth JWTs are verified: a good token reads, a bad signature or an expired token is 401', async () => {
    const secret = new TextEncoder().encode(JWT_SECRET);
    const sa = await createKey({ name: 'jwt subject', kind: 'service_account', scopes: ['read', 'write'] });
    const mint = (claims: Record<string, unknown>, edit: (t: SignJWT) => SignJWT = (t) => t) =>
      edit(new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sa.id).setIssuer('sensei').setAudience('sensei-api').setExpirationTime('5m')).sign(secret);
    const good = await mint({ scope: 'sensei:read', sensei_env: 'test' });
    expect((await call('GET', '/v1/migrations', { key: good })).status).toBe(200);
    expect((await call('POST', '/v1/migrations', { key: good, body: {} })).status).toBe(403);
    const forged = await new SignJWT({ scope: 'sensei:admin', sensei_env: 'test' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sa.id).setIssuer('sensei').setAudience('sensei-api').setExpirationTime('5m').sign(new TextEncoder().encode('not-the-secret-at-all-0000000000'));
    expect((await call('GET', '/v1/migrations', { key: forged })).status).toBe(401);
    const expired = await mint({ scope: 'sensei:read', sensei_env: 'test' }, (t) => t.setExpirationTime(Math.floor(Date.now() / 1000) - 60));
    expect((await call('GET', '/v1/migrations', { key: expired })).status).toBe(401);
  });

  test('OAuth JWTs: algorithm pinned; exp, iss, aud and the environment claim required; Sensei scope names only; revoked keys refused', async () => {
    const secret = new TextEncoder().encode(JWT_SECRET);
    const sa = await createKey({ name: 'jwt rules', kind: 'service_account', scopes: ['read', 'write'] });
    const base = () => new SignJWT({ scope: 'sensei:read', sensei_env: 'test' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sa.id);
    const get = async (token: string) => (await call('GET', '/v1/migrations', { key: token })).status;
    expect(await get(await base().setIssuer('sensei').setAudience('sensei-api').setExpirationTime('5m').sign(secret))).toBe(200);
    // alg "none": an unsigned token with the same claims.
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { scope: 'sensei:admin', sensei_env: 'test', sub: sa.id, iss: 'sensei', aud: 'sensei-api', exp: now + 300 };
    expect(await get(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`)).toBe(401);
    expect(await get(await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).sign(secret))).toBe(401); // right key, other algorithm
    expect(await get(await base().setIssuer('sensei').setAudience('sensei-api').sign(secret))).toBe(401); // no exp
    expect(await get(await base().setAudience('sensei-api').setExpirationTime('5m').sign(secret))).toBe(401); // no iss
    expect(await get(await base().setIssuer('sensei').setExpirationTime('5m').sign(secret))).toBe(401); // no aud
    expect(await get(await base().setIssuer('sensei').setAudience('another-api').setExpirationTime('5m').sign(secret))).toBe(401);
    expect(await get(await base().setIssuer('someone-else').setAudience('sensei-api').setExpirationTime('5m').sign(secret))).toBe(401);
    const noEnv = await new SignJWT({ scope: 'sensei:read' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sa.id).setIssuer('sensei').setAudience('sensei-api').setExpirationTime('5m').sign(secret);
    const noEnvAnswer = await call('GET', '/v1/migrations', { key: noEnv });
    expect(noEnvAnswer.status).toBe(401);
    expect(noEnvAnswer.body.error.message).toContain('sensei_env');
    // A generic "read write admin" scope (another service's names) grants nothing here.
    const generic = await new SignJWT({ scope: 'read write admin', sensei_env: 'test' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sa.id).setIssuer('sensei').setAudience('sensei-api').setExpirationTime('5m').sign(secret);
    expect(await get(generic)).toBe(403);
    // More than the key holds is cut to what it holds: admin on a read/write key reaches no admin route.
    const greedy = await new SignJWT({ scope: 'sensei:admin sensei:write', sensei_env: 'test' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sa.id).setIssuer('sensei').setAudience('sensei-api').setExpirationTime('5m').sign(secret);
    expect((await call('GET', '/v1/api-keys', { key: greedy })).status).toBe(403);
    // A subject that is no key of this server, or of the other environment, is refused.
    const stranger = await new SignJWT({ scope: 'sensei:read', sensei_env: 'test' }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuer('sensei').setAudience('sensei-api').setExpirationTime('5m').sign(secret);
    expect(await get(stranger)).toBe(401);
    const otherEnv = await new SignJWT({ scope: 'sensei:read', sensei_env: 'live' }).setProtectedHeader({ alg: 'HS256' }).setSubject(sa.id).setIssuer('sensei').setAudience('sensei-api').setExpirationTime('5m').sign(secret);
    expect(await get(otherEnv)).toBe(401);
    // A token issued by POST /oauth/token stops working when its key is revoked.
    const granted = await fetch(`${stack.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_secret: sa.key }),
    });
    const token = ((await granted.json()) as { access_token: string }).access_token;
    expect(await get(token)).toBe(200);
    expect((await call('POST', `/v1/api-keys/${sa.id}/revoke`)).status).toBe(200);
    const afterRevoke = await call('GET', '/v1/migrations', { key: token });
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.body.error.message).toContain('revoked');
  });

  test('POST /oauth/token exchanges a service-account key for a short-lived JWT with its scopes (or fewer)', async () => {
    const sa = await createKey({ name: 'pipeline', kind: 'service_account', scopes: ['read', 'write'] });
    const form = (fields: Record<string, string>) =>
      fetch(`${stack.baseUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
    const granted = await form({ grant_type: 'client_credentials', client_secret: sa.key, scope: 'read' });
    expect(granted.status).toBe(200);
    const token = (await granted.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'sensei:read' });
    expect((await call('GET', '/v1/migrations', { key: token.access_token })).status).toBe(200);
    expect((await call('POST', '/v1/migrations', { key: token.access_token, body: sqliteMigrationBody() })).status).toBe(403);
    const wrong = await form({ grant_type: 'client_credentials', client_secret: 'sa_test_nope' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('invalid_client');
    expect((await form({ grant_type: 'password', client_secret: sa.key })).status).toBe(422);
    expect((await form({ grant_type: 'client_credentials', client_secret: sa.key, scope: 'admin' })).status).toBe(400);
  });

  test('live and test resources are kept apart', async () => {
    const liveKey = await stack.store.createApiKey({ name: 'live admin', kind: 'api_key', environment: 'live', scopes: ['admin'] });
    const created = await call('POST', '/v1/migrations', { key: liveKey.key, body: sqliteMigrationBody('live one') });
    expect(created.status).toBe(201);
    expect((await call('GET', `/v1/migrations/${created.body.id}`, { key: liveKey.key })).status).toBe(200);
    // The bootstrap key of the test stack is a test key: the live migration does not exist for it.
    expect((await call('GET', `/v1/migrations/${created.body.id}`)).status).toBe(404);
    const testList = await call('GET', '/v1/migrations?limit=100');
    expect(testList.body.data.map((m: { id: string }) => m.id)).not.toContain(created.body.id);
  });
});

describe('saved connections', () => {
  test('are created after a test, never shown back with their secret, usable by id, deletable', async () => {
    const secretUrl = pg.endpoint.connectionString.replace('postgres@', 'postgres:pw-never-shown@');
    const created = await call('POST', '/v1/connections', { body: { name: 'warehouse', type: 'postgresql', connection_string: secretUrl } });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain('pw-never-shown');
    expect(created.body).toMatchObject({ name: 'warehouse', type: 'postgresql' });
    const id = created.body.id as string;
    for (const url of [`/v1/connections/${id}`, '/v1/connections']) {
      const res = await call('GET', url);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('pw-never-shown');
      expect(res.text).not.toContain('sealed:');
    }
    const tested = await call('POST', `/v1/connections/${id}/test`);
    expect(tested.body).toMatchObject({ id, success: true });

    const migration = await call('POST', '/v1/migrations', {
      body: { name: 'from saved', source: { connection_id: id }, target: { type: 'sqlite', connection_string: path.join(dataDir, 'saved.sqlite') } },
    });
    expect(migration.status).toBe(201);
    expect(migration.body.source.type).toBe('postgresql');
    const unknown = await call('POST', '/v1/migrations', { body: { name: 'x', source: { connection_id: 'conn_nope' }, target: { connection_id: id } } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details.field).toBe('source.connection_id');

    expect((await call('DELETE', `/v1/connections/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/connections/${id}`)).status).toBe(404);
  });

  test('a connection that fails its test is not saved: 422 with the reason', async () => {
    const res = await call('POST', '/v1/connections', {
      body: { name: 'bad', type: 'mysql', connection_string: 'mysql://sensei_nobody:pw-never-shown@127.0.0.1:3306/test' },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details.field).toBe('connection_string');
    expect(res.text).not.toContain('pw-never-shown');
  });
});

describe('protocol', () => {
  test('X-Idempotency-Key: the same body replays the first answer; another body is refused', async () => {
    const body = sqliteMigrationBody('idempotent');
    const headers = { 'x-idempotency-key': `idem-${Date.now()}` };
    const first = await call('POST', '/v1/migrations', { body, headers });
    const again = await call('POST', '/v1/migrations', { body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await call('POST', '/v1/migrations', { body: { ...body, name: 'different' }, headers });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const named = await call('GET', '/v1/migrations?limit=100');
    expect(named.body.data.filter((m: { name: string }) => m.name === 'idempotent')).toHaveLength(1);
  });

  test('rate limits: headers on every answer, 429 with Retry-After past the key limit', async () => {
    const limited = await createKey({ name: 'slow', scopes: ['read'], rate_limit_per_second: 3 });
    // Align to the start of a second so all requests fall in one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await call('GET', '/v1/migrations', { key: limited.key }));
    expect(answers[0]?.headers.get('x-ratelimit-limit')).toBe('3');
    expect(answers[0]?.headers.get('x-ratelimit-remaining')).toBe('2');
    expect(Number(answers[0]?.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]?.headers.get('retry-after')).toBe('1');
    expect(refused[0]?.body.error.code).toBe('rate_limit_exceeded');
  });

  test('list: pagination, status filter, sort by name', async () => {
    for (const name of ['list-b', 'list-a', 'list-c']) expect((await call('POST', '/v1/migrations', { body: sqliteMigrationBody(name) })).status).toBe(201);
    const page1 = await call('GET', '/v1/migrations?limit=2&offset=0&sort=name');
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.pagination).toMatchObject({ limit: 2, offset: 0, has_more: true });
    const all = await call('GET', '/v1/migrations?limit=100&sort=name&status=created');
    const names = all.body.data.map((m: { name: string }) => m.name).filter((x: string) => x.startsWith('list-'));
    expect(names).toEqual(['list-a', 'list-b', 'list-c']);
    expect((await call('GET', '/v1/migrations?limit=500')).status).toBe(422);
    expect((await call('GET', '/v1/migrations?sort=password')).status).toBe(422);
    expect((await call('GET', '/v1/migrations?created_after=not-a-date')).body.error.details.field).toBe('created_after');
  });

  test('Accept: text/event-stream streams status changes until the migration ends; the index follows', async () => {
    const created = await call('POST', '/v1/migrations', { body: sqliteMigrationBody('streamed') });
    const id = created.body.id as string;
    // The stream is open (headers in, first event written) before the migration starts.
    const res = await fetch(`${stack.baseUrl}/v1/migrations/${id}/status`, { headers: { authorization: `Bearer ${stack.apiKey}`, accept: 'text/event-stream' } });
    expect((await call('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const events = text
      .split('\n\n')
      .filter((block) => block.includes('event: status'))
      .map((block) => JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1).status).toBe('completed');
    expect(text).toContain('event: end');
    const listed = await call('GET', '/v1/migrations?limit=100&status=completed');
    expect(listed.body.data.map((m: { id: string }) => m.id)).toContain(id);

    for (const route of ['schema/source', 'schema/target', 'mappings', 'logs', 'errors', 'tables']) {
      const res2 = await call('GET', `/v1/migrations/${id}/${route}`);
      expect([route, res2.status]).toEqual([route, 200]);
    }
    // Per-table progress a page at a time, in plan order: the pages put together are the status's tables.
    const pages = [await call('GET', `/v1/migrations/${id}/tables?limit=5`), await call('GET', `/v1/migrations/${id}/tables?limit=5&offset=5`), await call('GET', `/v1/migrations/${id}/tables?limit=5&offset=10`)];
    expect(pages.map((p) => [p.body.data.length, p.body.pagination.total, p.body.pagination.has_more])).toEqual([[5, 11, true], [5, 11, true], [1, 11, false]]);
    const finalStatus = await call('GET', `/v1/migrations/${id}/status`);
    expect(pages.flatMap((p) => p.body.data.map((t: { name: string }) => t.name))).toEqual(finalStatus.body.tables.map((t: { name: string }) => t.name));
    const mappings = await call('GET', `/v1/migrations/${id}/mappings?limit=100`);
    // Nothing in Chinook needs renaming: the plan's notes (tables and columns shortened to fit the target) are empty.
    expect(mappings.body.notes).toEqual([]);
    const first = mappings.body.data[0];
    expect((await call('GET', `/v1/migrations/${id}/mappings/${encodeURIComponent(first.id)}`)).body).toEqual(first);
  });

  test('GET /v1/dialects answers the one list of dialects, each with its label and whether this version migrates it', async () => {
    const { DIALECTS } = await import('../../connectors/dialects');
    const R = await import('../../api/responses');
    const res = await call('GET', '/v1/dialects');
    expect(res.status).toBe(200);
    expect(R.listOf(R.dialectResponse).safeParse(res.body).success).toBe(true);
    expect(res.body.pagination).toEqual({ total: DIALECTS.length, limit: 20, offset: 0, has_more: false });
    expect((await call('GET', '/v1/dialects?limit=1e309')).status).toBe(422);
    expect(res.body.data.map((d: { type: string }) => d.type)).toEqual([...DIALECTS]);
    expect(res.body.data.find((d: { type: string }) => d.type === 'sqlite')).toEqual({
      type: 'sqlite',
      label: 'SQLite',
      supported: true,
      url_schemes: ['sqlite', 'file'],
      file_extensions: ['sqlite', 'sqlite3', 'db'],
    });
    expect((await call('GET', '/v1/dialects', { key: 'sk_test_0123456789abcdef0123456789abcdef' })).status).toBe(401);
  });

  test('the OpenAPI document describes the routes and the request schemas', async () => {
    const res = await fetch(`${stack.baseUrl}/v1/openapi.json`);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, any> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/migrations', '/v1/connections', '/v1/api-keys', '/v1/migrations/{id}/certificate']));
    expect(doc.paths['/v1/migrations'].post.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['name', 'source', 'target']));
  });
});

describe('changing a migration before and during its run', () => {
  async function waitStatus(id: string, done: (s: any) => boolean) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await call('GET', `/v1/migrations/${id}/status`);
      if (s.status === 200 && done(s.body)) return s.body;
      if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(s.body?.status)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test('PATCH changes name and strategy before start, and is a conflict after', async () => {
    const created = await call('POST', '/v1/migrations', { body: { ...sqliteMigrationBody('before patch'), strategy: 'conservative' } });
    const id = created.body.id as string;
    const patched = await call('PATCH', `/v1/migrations/${id}`, { body: { name: 'after patch', strategy: 'aggressive', options: { chunk_size: 5000 } } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'after patch', strategy: 'aggressive' });
    expect((await call('GET', '/v1/migrations?limit=100')).body.data.find((m: { id: string }) => m.id === id)).toMatchObject({ name: 'after patch', strategy: 'aggressive' });
    expect((await call('PATCH', `/v1/migrations/${id}`, { body: {} })).status).toBe(422);
    await call('POST', `/v1/migrations/${id}/start`);
    // aggressive now: no gate to wait at.
    const done = await waitStatus(id, (s) => ['completed', 'failed'].includes(s.status));
    expect(done.status).toBe('completed');
    expect(done.gate.state).toBe('auto_approved');
    const late = await call('PATCH', `/v1/migrations/${id}`, { body: { name: 'too late' } });
    expect(late.status).toBe(409);
  });

  test('a migration whose workflow has closed re-runs validation on request: drift in the target fails at the tier that catches it, the repair gets a new certificate', async () => {
    const body = { ...sqliteMigrationBody('checked again later'), options: { validation: { failed_hold_seconds: 1 } } };
    const id = (await call('POST', '/v1/migrations', { body })).body.id as string;
    expect((await call('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
    await stack.client.workflow.getHandle(id).result(); // no completed hold by default: the workflow closes
    const first = (await call('GET', `/v1/migrations/${id}/status`)).body;
    expect(first).toMatchObject({ status: 'completed', validation: { attempt: 1, status: 'passed' } });

    const target = new Database(body.target.connection_string);
    const { Name: original } = target.prepare('SELECT "Name" FROM "Artist" WHERE "ArtistId" = 3').get() as { Name: string };
    target.prepare('UPDATE "Artist" SET "Name" = ? WHERE "ArtistId" = 3').run('Drifted');
    // Two re-runs at once: one opens the closed migration again, the other is told it is already under way.
    const [rerun, twin] = await Promise.all(['nightly drift check', 'the same, twice'].map((reason) => call('POST', `/v1/migrations/${id}/validation/rerun`, { body: { reason } })));
    expect([rerun.status, twin.status].sort()).toEqual([202, 409]);
    expect((rerun.status === 202 ? rerun : twin).body).toMatchObject({ attempt: 1, status: 'passed' });
    const failed = await waitStatus(id, (s) => s.status === 'failed' && s.validation?.attempt === 2);
    expect(failed.failure.code).toBe('ValidationFailed');
    expect(failed.validation.diagnosis.caught_by).toBe('semantic');
    // The failure (which webhooks and logs carry too) names the row by its key and the column, never the values;
    // the values are in the semantic tier's report, for the caller who may read it.
    expect(failed.failure.message).toContain('Artist row (ArtistId=3) differs in Name');
    expect(failed.failure.message).not.toContain('Drifted');
    expect(failed.failure.message).not.toContain(original);
    const semantic = (await call('GET', `/v1/migrations/${id}/validation/semantic`)).body;
    expect(JSON.stringify(semantic)).toContain('Drifted');
    expect((await call('GET', `/v1/migrations/${id}/certificate`)).status).toBe(404);
    expect((await call('GET', '/v1/migrations?status=failed&limit=100')).body.data.map((m: { id: string }) => m.id)).toContain(id);

    // The failed run holds for re-runs one second, then its workflow closes (failed): a re-run opens it again too.
    await expect(stack.client.workflow.getHandle(id).result()).rejects.toThrow();
    target.prepare('UPDATE "Artist" SET "Name" = ? WHERE "ArtistId" = 3').run(original);
    target.close();
    expect((await call('POST', `/v1/migrations/${id}/validation/rerun`, { body: { reason: 'repaired' } })).status).toBe(202);
    const passed = await waitStatus(id, (s) => s.status === 'completed' && s.validation?.attempt === 3);
    expect(passed.validation.status).toBe('passed');
    await stack.client.workflow.getHandle(id).result();
    await recordHistories(stack.client, id, 'reopened-validation-reruns');
    expect(passed.certificate.certificate_id).toMatch(/^cert_/);
    expect(passed.certificate.certificate_id).not.toBe(first.certificate.certificate_id);
    expect(passed.tables.reduce((n: number, t: { rows_copied: number }) => n + t.rows_copied, 0)).toBe(15607);
  });

  test('a cancelled migration cannot re-run validation', async () => {
    const id = (await call('POST', '/v1/migrations', { body: { ...sqliteMigrationBody('never run'), strategy: 'conservative' } })).body.id as string;
    expect((await call('DELETE', `/v1/migrations/${id}`)).status).toBeLessThan(300);
    await stack.client.workflow.getHandle(id).result();
    const rerun = await call('POST', `/v1/migrations/${id}/validation/rerun`, { body: {} });
    expect(rerun.status).toBe(409);
    expect(rerun.body.error.message).toMatch(/cancelled/);
  });

  test('a mapping edited at the gate is judged again: narrowing lowers its confidence, widening raises it, the target uses it', async () => {
    const body = sqliteMigrationBody('mapped by hand');
    const created = await call('POST', '/v1/migrations', { body: { ...body, strategy: 'conservative', source: { ...body.source, tables: ['Genre'] } } });
    const id = created.body.id as string;
    await call('POST', `/v1/migrations/${id}/start`);
    await waitStatus(id, (s) => s.status === 'awaiting_approval');
    const before = await call('GET', `/v1/migrations/${id}/mappings/Genre.Name`);
    expect(before.body.confidence).toBe(1);
    // The mapping resource speaks the API's snake_case, its canonical type too.
    expect(before.body).toEqual({
      id: 'Genre.Name',
      table: 'Genre',
      column: 'Name',
      source_type: 'NVARCHAR(120)',
      target_type: expect.any(String),
      canonical: expect.objectContaining({ kind: 'varchar', length: 120 }),
      nullable: true,
      confidence: 1,
      note: null,
    });
    const identity = await call('GET', `/v1/migrations/${id}/mappings/Genre.GenreId`);
    expect(identity.body.canonical).toMatchObject({ kind: 'int64' });
    expect(JSON.stringify(identity.body)).not.toMatch(/"[a-z]+[A-Z]\w*":/);

    const narrowed = await call('PATCH', `/v1/migrations/${id}/mappings/Genre.Name`, { body: { target_type: 'VARCHAR(5)' } });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body).toMatchObject({ id: 'Genre.Name', source_type: 'NVARCHAR(120)', target_type: 'VARCHAR(5)', confidence: 0.6 });
    expect(narrowed.body.gate).toMatchObject({ state: 'pending', min_confidence: 0.6 });

    const widened = await call('PATCH', `/v1/migrations/${id}/mappings`, { body: { mappings: [{ id: 'Genre.Name', target_type: 'TEXT' }] } });
    expect(widened.status).toBe(200);
    expect(widened.body.edited[0]).toMatchObject({ target_type: 'TEXT', confidence: 1 });
    expect(widened.body.gate.min_confidence).toBe(1);

    expect((await call('PATCH', `/v1/migrations/${id}/mappings/Genre.Name`, { body: { target_type: 'BANANA(' } })).status).toBe(422);
    expect((await call('PATCH', `/v1/migrations/${id}/mappings/Genre.Nope`, { body: { target_type: 'TEXT' } })).status).toBe(404);

    expect((await call('POST', `/v1/migrations/${id}/approve`, { body: { comment: 'text is fine' } })).status).toBe(200);
    const done = await waitStatus(id, (s) => ['completed', 'failed'].includes(s.status));
    expect(done.status).toBe('completed');
    const { default: Database } = await import('better-sqlite3');
    const target = new Database(body.target.connection_string, { readonly: true });
    const columns = target.prepare('PRAGMA table_info("Genre")').all() as { name: string; type: string }[];
    target.close();
    expect(columns.find((c) => c.name === 'Name')?.type).toBe('TEXT');
    expect((await call('PATCH', `/v1/migrations/${id}/mappings/Genre.Name`, { body: { target_type: 'TEXT' } })).status).toBe(409);
  });

  test('errors: rows the target rejected are listed with their keys and can be marked resolved once', async () => {
    const { default: Database } = await import('better-sqlite3');
    const file = path.join(dataDir, 'rejects.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, code VARCHAR(5) NOT NULL)');
    for (let i = 1; i <= 20; i++) db.prepare('INSERT INTO people VALUES (?, ?)').run(i, i === 13 ? 'much-too-long' : `c${i}`);
    db.close();
    const created = await call('POST', '/v1/migrations', {
      body: { name: 'rejects', source: { type: 'sqlite', connection_string: file }, target: { type: 'postgresql', connection_string: pg.endpoint.connectionString, schema: 'rejects_api' }, strategy: 'aggressive' },
    });
    const id = created.body.id as string;
    await call('POST', `/v1/migrations/${id}/start`);
    await waitStatus(id, (s) => ['completed', 'failed'].includes(s.status));
    const errors = await call('GET', `/v1/migrations/${id}/errors`);
    const rejected = errors.body.data.filter((e: { code: string }) => e.code === 'RowRejected');
    expect(rejected).toEqual([expect.objectContaining({ code: 'RowRejected', table: 'people', key: ['13'] })]);
    // The copy went on past the rejected row; validation then refuses to call the target equivalent.
    expect(errors.body.data.find((e: { code: string }) => e.code === 'ValidationFailed')?.message).toContain('id=13');
    const errorId = rejected[0].id as string;
    const resolved = await call('POST', `/v1/migrations/${id}/errors/${errorId}/resolve`, { body: { note: 'value fixed at the source' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ id: errorId, resolution_note: 'value fixed at the source', resolved_by: 'bootstrap' });
    expect((await call('POST', `/v1/migrations/${id}/errors/${errorId}/resolve`)).status).toBe(409);
    expect((await call('POST', `/v1/migrations/${id}/errors/err_999/resolve`)).status).toBe(404);
  });
});

describe('retrying a rejected row', () => {
  test('after the value is fixed at the source, retry re-copies it and a re-run of validation certifies the migration', async () => {
    const { default: Database } = await import('better-sqlite3');
    const file = path.join(dataDir, 'retry.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, code VARCHAR(5) NOT NULL)');
    for (let i = 1; i <= 20; i++) db.prepare('INSERT INTO people VALUES (?, ?)').run(i, i === 17 ? 'much-too-long' : `c${i}`);
    db.close();
    const created = await call('POST', '/v1/migrations', {
      body: { name: 'retry', source: { type: 'sqlite', connection_string: file }, target: { type: 'postgresql', connection_string: pg.endpoint.connectionString, schema: 'retry_api' }, strategy: 'aggressive' },
    });
    const id = created.body.id as string;
    await call('POST', `/v1/migrations/${id}/start`);
    const poll = async (done: (s: any) => boolean) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = await call('GET', `/v1/migrations/${id}/status`);
        if (s.status === 200 && done(s.body)) return s.body;
        if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(s.body?.failure)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const failed = await poll((s) => s.status === 'failed');
    expect(failed.failure.code).toBe('ValidationFailed');
    const error = failed.errors.find((e: { code: string }) => e.code === 'RowRejected');
    expect(error.key).toEqual(['17']);

    const stillBad = await call('POST', `/v1/migrations/${id}/errors/${error.id}/retry`);
    expect(stillBad.status).toBe(200);
    expect(stillBad.body.outcome).toBe('rejected_again');

    const fix = new Database(file);
    fix.prepare('UPDATE people SET code = ? WHERE id = 17').run('c17');
    fix.close();
    const retried = await call('POST', `/v1/migrations/${id}/errors/${error.id}/retry`);
    expect(retried.body).toMatchObject({ outcome: 'copied', error: { id: error.id, resolution_note: 're-copied' } });
    expect((await call('POST', `/v1/migrations/${id}/errors/${error.id}/retry`)).status).toBe(409);

    const rerun = await call('POST', `/v1/migrations/${id}/validation/rerun`, { body: { reason: 'row 17 fixed and re-copied' } });
    expect(rerun.status).toBe(202);
    const done = await poll((s) => s.status === 'completed');
    expect(done.validation.status).toBe('passed');
    expect(done.certificate.certificate_id).toMatch(/^cert_/);
    expect(done.tables[0]).toMatchObject({ rows_copied: 20, rows_rejected: 0 });
  });
});

describe('declared response schemas', () => {
  test('real answers parse with the schemas the OpenAPI document is built from', async () => {
    const R = await import('../../api/responses');
    const check = (schema: ZodType, body: unknown, what: string) => {
      const parsed = schema.safeParse(body);
      expect([what, parsed.success ? 'ok' : JSON.stringify(parsed.error.issues.slice(0, 3))]).toEqual([what, 'ok']);
    };
    const created = await call('POST', '/v1/migrations', { body: sqliteMigrationBody('schemas') });
    check(R.migrationResponse, created.body, 'create');
    const id = created.body.id as string;
    check(R.migrationResponse, (await call('POST', `/v1/migrations/${id}/start`)).body, 'start');
    const deadline = Date.now() + 60_000;
    while ((await call('GET', `/v1/migrations/${id}/status`)).body.status !== 'completed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    check(R.migrationStatusResponse, (await call('GET', `/v1/migrations/${id}/status`)).body, 'status');
    check(R.migrationDetailResponse, (await call('GET', `/v1/migrations/${id}`)).body, 'detail');
    check(R.listOf(R.migrationListItemResponse), (await call('GET', '/v1/migrations')).body, 'list');
    check(R.listOf(R.mappingResponse), (await call('GET', `/v1/migrations/${id}/mappings`)).body, 'mappings');
    check(R.listOf(R.migrationErrorResponse), (await call('GET', `/v1/migrations/${id}/errors`)).body, 'errors');
    check(R.errorResponse, (await call('GET', '/v1/migrations/mig_ffffffffffffffff')).body, 'error body');
    const connection = await call('POST', '/v1/connections', { body: { name: 'schemas', type: 'postgresql', connection_string: pg.endpoint.connectionString } });
    check(R.connectionResponse, connection.body, 'connection');
    check(R.listOf(R.connectionResponse), (await call('GET', '/v1/connections')).body, 'connections');
    check(R.apiKeyCreatedResponse, (await call('POST', '/v1/api-keys', { body: { name: 'schemas' } })).body, 'key created');
    check(R.listOf(R.apiKeyResponse), (await call('GET', '/v1/api-keys')).body, 'keys');
    // Not loopback: this stack does not allow webhooks there (test/e2e/reach.test.ts); the name never resolves.
    check(R.webhookCreatedResponse, (await call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.invalid/x', events: ['*'] } })).body, 'webhook created');
    check(R.listOf(R.webhookResponse), (await call('GET', '/v1/webhooks')).body, 'webhooks');
  });
});

// Last in the file (tests run in order): every answer the tests above saw matched the OpenAPI document.
test('every answer of this file matches the OpenAPI document (paths, methods, status codes, required fields and types)', () => {
  expect(openApi).toBeDefined();
  expect([...new Set(offDocument)]).toEqual([]);
});
