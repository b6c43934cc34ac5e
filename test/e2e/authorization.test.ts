/**
 * Authorization as an attacker would probe it: every route of the OpenAPI document × every kind of credential
 * (none, made-up, revoked, read, write, admin, the other environment's admin), and the same routes spelled with other
 * letter case, a trailing slash, a doubled slash or percent-encoded letters. A credential that lacks the route's scope
 * never gets past 401/403/404, whatever the spelling; nothing is created or changed by such a request.
 * No worker runs: ids that exist belong to resources that need none.
 */
import fs from 'node:fs';
import http from 'node:http';
import { startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

type Scope = 'read' | 'write' | 'admin';

let stack: Stack;
let dataDir: string;
const keys: Record<'read' | 'write' | 'admin' | 'revoked' | 'live', string> = { read: '', write: '', admin: '', revoked: '', live: '' };
/** Ids of real test-environment resources, for the other environment's probes. */
const owned: Record<string, string> = {};

function send(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; text: string }> {
  const url = new URL(stack.baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        agent: false,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function json(method: string, path: string, token: string, body?: unknown) {
  const r = await send(method, path, token, body);
  return { status: r.status, body: r.text ? JSON.parse(r.text) : null };
}

interface Route {
  method: string;
  template: string;
  scope: Scope;
}

/** Every authenticated route of the API's own OpenAPI document, with the scope it needs. */
async function routes(): Promise<Route[]> {
  const doc = (await json('GET', '/v1/openapi.json', keys.admin)).body as { paths: Record<string, Record<string, unknown>> };
  const out: Route[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    // Public: the document itself, the certificate key, and the token endpoint (authenticated by its body).
    if (template === '/v1/openapi.json' || template === '/v1/certificates/public-key' || template.startsWith('/oauth/')) continue;
    for (const method of Object.keys(ops)) {
      const m = method.toUpperCase();
      const scope: Scope = template.startsWith('/v1/api-keys') ? 'admin' : m === 'GET' ? 'read' : 'write';
      out.push({ method: m, template, scope });
    }
  }
  return out;
}

/** Ids that exist nowhere: a route that lets the caller through answers 404 or 422, never a change. */
function concrete(template: string, ids: Record<string, string> = {}): string {
  return template
    .replace('{tier}', 'structural')
    .replace('{mapping_id}', 'map_missing')
    .replace('{error_id}', 'err_missing')
    .replace('{id}', () => {
      const resource = template.split('/')[2] as string;
      return ids[resource] ?? `${resource.slice(0, 3)}_0000000000000000`;
    });
}

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };
const allowed = (held: Scope, needed: Scope) => RANK[held] >= RANK[needed];

beforeAll(async () => {
  dataDir = tempDataDir();
  stack = await startStack(dataDir);
  keys.admin = stack.apiKey;
  for (const scope of ['read', 'write'] as const) {
    const created = await json('POST', '/v1/api-keys', keys.admin, { name: `${scope} key`, scopes: [scope] });
    keys[scope] = created.body.key;
  }
  const doomed = await json('POST', '/v1/api-keys', keys.admin, { name: 'revoked admin', scopes: ['admin'] });
  keys.revoked = doomed.body.key;
  expect((await json('POST', `/v1/api-keys/${doomed.body.id}/revoke`, keys.admin)).status).toBe(200);
  keys.live = (await stack.store.createApiKey({ name: 'live admin', kind: 'api_key', environment: 'live', scopes: ['admin'] })).key;

  owned['api-keys'] = doomed.body.id;
  const connection = await json('POST', '/v1/connections', keys.admin, { name: 'pg', type: 'postgresql', connection_string: 'postgresql://postgres@127.0.0.1:5432/postgres', test: false });
  expect(connection.status).toBe(201);
  owned.connections = connection.body.id;
  const hook = await json('POST', '/v1/webhooks', keys.admin, { url: 'https://hooks.example.com/sensei', events: ['*'] });
  expect(hook.status).toBe(201);
  owned.webhooks = hook.body.id;
});

afterAll(async () => {
  await stack?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('every route × every credential: 401 without a valid key, 403 without the scope, through with it', async () => {
  const table = await routes();
  expect(table.length).toBeGreaterThan(30);
  const wrong: string[] = [];
  for (const r of table) {
    const path = concrete(r.template);
    const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : {};
    for (const [who, token] of [['none', undefined], ['made-up', 'sk_test_0123456789abcdef0123456789abcdef'], ['revoked', keys.revoked]] as const) {
      const { status } = await send(r.method, path, token, body);
      if (status !== 401) wrong.push(`${who} ${r.method} ${path} → ${status}, expected 401`);
    }
    for (const held of ['read', 'write', 'admin'] as const) {
      const { status, text } = await send(r.method, path, keys[held], body);
      if (allowed(held, r.scope)) {
        if (status === 401 || status === 403) wrong.push(`${held} ${r.method} ${path} → ${status}, expected to pass the scope check: ${text}`);
      } else {
        // 403 naming a scope this credential lacks (a read key meets the write check of POST before the admin one).
        const named = /"required_scope":"(\w+)"/.exec(text)?.[1] as Scope | undefined;
        if (status !== 403 || !named || allowed(held, named)) wrong.push(`${held} ${r.method} ${path} → ${status}, expected 403 naming a scope beyond ${held}: ${text}`);
      }
    }
  }
  expect(wrong).toEqual([]);
});

test('case, trailing-slash, doubled-slash and percent-encoded spellings never lift a scope', async () => {
  const table = await routes();
  const before = (await json('GET', '/v1/api-keys?limit=100', keys.admin)).body.total as number;
  const variants = (path: string) => [
    path.toUpperCase(),
    path.replace(/[a-z]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)),
    path.replace('/v1/', '/V1/'),
    `${path}/`,
    path.replace('/v1/', '/v1//'),
    path.replace(/^\/v1\/(.)/, (_m, c: string) => `/v1/%${c.charCodeAt(0).toString(16)}`),
    `${path}/.`,
    `${path}?x=/v1/webhooks`,
  ];
  const wrong: string[] = [];
  for (const r of table) {
    const body = r.method === 'GET' || r.method === 'DELETE' ? { name: 'x', scopes: ['admin'] } : { name: 'escalated', scopes: ['admin'] };
    for (const path of variants(concrete(r.template))) {
      for (const held of ['read', 'write'] as const) {
        if (allowed(held, r.scope)) continue;
        const { status, text } = await send(r.method, path, keys[held], body);
        if (![401, 403, 404, 405].includes(status)) wrong.push(`${held} ${r.method} ${path} → ${status}: ${text.slice(0, 200)}`);
      }
      const anonymous = await send(r.method, path, undefined, body);
      if (![401, 404].includes(anonymous.status)) wrong.push(`anonymous ${r.method} ${path} → ${anonymous.status}`);
    }
  }
  expect(wrong).toEqual([]);
  // The classic escalation: a write key creating an admin key under another spelling.
  for (const path of ['/v1/API-Keys', '/v1/api-keys/', '/v1/Api-keys/', '/V1/api-keys', '/v1//api-keys']) {
    const { status } = await send('POST', path, keys.write, { name: 'escalated', scopes: ['admin'] });
    expect([403, 404]).toContain(status);
    expect((await send('GET', path, keys.read)).status).not.toBe(200);
  }
  expect((await json('GET', '/v1/api-keys?limit=100', keys.admin)).body.total).toBe(before);
});

test("the other environment's admin key finds none of these resources", async () => {
  for (const resource of ['connections', 'webhooks', 'api-keys']) {
    const path = `/v1/${resource}/${owned[resource]}`;
    expect((await send('GET', path, keys.admin)).status).toBe(200);
    expect((await send('GET', path, keys.live)).status).toBe(404);
    expect((await send('DELETE', path, keys.live)).status).toBe(404);
    expect((await send('GET', path, keys.admin)).status).toBe(200);
    const listed = await json('GET', `/v1/${resource}?limit=100`, keys.live);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(owned[resource]);
  }
  expect((await send('POST', `/v1/connections/${owned.connections}/test`, keys.live)).status).toBe(404);
  expect((await send('POST', `/v1/api-keys/${owned['api-keys']}/revoke`, keys.live)).status).toBe(404);
});

test('a gate decision is recorded as the caller; a body naming someone else is refused', async () => {
  const answer = await json('POST', '/v1/migrations/mig_0000000000000000/approve', keys.write, { approved_by: 'the-cto', comment: 'ok' });
  expect(answer.status).toBe(422);
  expect(answer.body.error.details.field).toBe('approved_by');
});
