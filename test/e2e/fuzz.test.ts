/**
 * Fuzzing the REST API v1: every route of GET /v1/openapi.json (plus methods it does not declare) gets malformed,
 * oversized, wrongly typed and injection-shaped bodies, hostile query strings and bad headers. Every answer must be a
 * 4xx with the seeds' error body, no stack trace, no path, no secret; data stored before is unchanged afterwards.
 *
 * Deterministic: FUZZ_SEED (default below) drives a mulberry32 PRNG; FUZZ_CASES sets how many requests.
 * A failure prints the request that caused it (method, path, headers, body excerpt) with the answer.
 * No worker runs: ids are non-existent, so no answer may depend on one (503 would be a defect here).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5e115e1);
const CASES = Number(process.env.FUZZ_CASES ?? 1500);
const CHINOOK = path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite');

// ---- deterministic randomness ----

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
const chance = (p: number) => rand() < p;
/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD, as on the wire). */
const pct = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

// ---- raw HTTP, so headers, paths and bodies go out exactly as generated ----

interface FuzzRequest {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Public routes answer 200 whatever the query or headers. */
  expectOk?: boolean;
  /** Headers past Node's 16 KB limit: the HTTP parser answers 431 with no body before Express sees the request. */
  expect431?: boolean;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function send(baseUrl: string, r: FuzzRequest): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers: r.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    if (r.body !== undefined) req.end(r.body);
    else req.end();
  });
}

function describeRequest(r: FuzzRequest): string {
  const body = r.body === undefined ? '(none)' : r.body.length > 300 ? `${String(r.body).slice(0, 300)}… (${r.body.length} bytes)` : String(r.body);
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.length > 120 ? `${v.slice(0, 120)}… (${v.length} chars)` : v]));
  return `[${r.label}] ${r.method} ${r.path.length > 300 ? `${r.path.slice(0, 300)}…` : r.path}\n  headers: ${JSON.stringify(headers)}\n  body: ${JSON.stringify(body)}`;
}

// ---- what gets generated ----

const SQLI = [
  "' OR '1'='1",
  "'; DROP TABLE migrations; --",
  '1; DELETE FROM api_keys',
  "\" OR 1=1 --",
  "') UNION SELECT sealed_connection FROM connections --",
  '%27%20OR%201=1',
  "admin'--",
  '1 AND SLEEP(5)',
  "'||(SELECT name FROM sqlite_master)||'",
  '$where: 1',
];
const WEIRD = [
  '\u0000',
  'nul\u0000byte',
  '\ud800',
  '\udfff\ud800',
  '𝔪𝔦𝔤_💥',
  '\u202eRTL',
  'ａｄｍｉｎ',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '\r\nX-Injected: 1',
  ' ',
  '',
];
const STRINGS = [...SQLI, ...WEIRD];
const NUMBERS_RAW = ['1e309', '-1e309', '9007199254740993', '1e-400', '-0', '0.5', '1e21', '123456789012345678901234567890', '-1'];
const KEYS_PROTO = ['__proto__', 'constructor', 'prototype'];

/** A JSON text of a value; numbers given as raw strings stay raw (1e309 and friends). */
function jsonOf(v: unknown): string {
  if (v instanceof RawNumber) return v.raw;
  if (Array.isArray(v)) return `[${v.map(jsonOf).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonOf(x)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
class RawNumber {
  constructor(readonly raw: string) {}
}
/** An object literal that keeps a key such as __proto__ as an own key when serialised. */
function withKey(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) copy[k] = v;
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

function hostileValue(depth = 0): unknown {
  switch (int(depth > 1 ? 4 : 7)) {
    case 0:
      return pick(STRINGS);
    case 1:
      return new RawNumber(pick(NUMBERS_RAW));
    case 2:
      return pick([true, false, null, 0, -1]);
    case 3:
      return 'x'.repeat(pick([201, 2001, 4097, 70_000]));
    case 4:
      return [hostileValue(depth + 1), hostileValue(depth + 1)];
    case 5:
      return withKey({ a: hostileValue(depth + 1) }, pick(KEYS_PROTO), { polluted: 'yes', admin: true });
    default:
      return {};
  }
}

function deep(depth: number, open: string, close: string, leaf = '1'): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

/** Bodies any route must refuse (invalid whatever the route: not an object, bad JSON, too big, or an unknown field). */
function genericBody(): { body: string | Buffer; contentType?: string; encoding?: string; label: string } {
  switch (int(13)) {
    case 12:
      return { label: 'bad content-encoding', body: pick(['{"a":1}', '\x1f\x8b garbage']), encoding: pick(['gzip', 'deflate', 'br', 'compress', 'identity, gzip']) };
    case 0:
      return { label: 'malformed json', body: pick(['{', '{"a":', '[1,2', "{'a':1}", '{"a":1}}', '{"name": undefined}', 'NaN', '{"a":NaN}', '\u0000', '{"a":"\\x00"}', '{,}', '"unterminated', '\ufeff{"a":1}x']) };
    case 1:
      return { label: 'not an object', body: pick(['[]', '[{}]', '"str"', '123', 'true', '1e309', `[${'{}'.repeat(1).split('').join(',')}]`, '[[],[]]']) };
    case 2:
      return { label: 'oversized > 1 MB', body: `{"name":"${'a'.repeat(1_048_600 + int(50_000))}"}` };
    case 3:
      return { label: 'oversized array > 1 MB', body: `[${'1,'.repeat(600_000)}1]` };
    case 4:
      return { label: 'deeply nested object', body: `{"name":"x","nested":${deep(pick([1_000, 20_000, 60_000]), '{"a":', '}')}}` };
    case 5:
      return { label: 'deeply nested array', body: deep(pick([1_000, 100_000]), '[', ']') };
    case 6:
      return { label: 'proto keys', body: jsonOf(withKey({ unexpected_field: 1 }, pick(KEYS_PROTO), { polluted: 'yes', isAdmin: true })) };
    case 7:
      return { label: 'huge number', body: `{"unexpected_field":${pick(NUMBERS_RAW)},"limit":${pick(NUMBERS_RAW)}}` };
    case 8:
      return { label: 'wrong charset', body: '{"a":1}', contentType: pick(['application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset=bogus']) };
    case 9:
      return { label: 'invalid utf-8', body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]) };
    case 10:
      return { label: 'many keys', body: `{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`).join(',')}}` };
    default:
      return { label: 'unknown field with injection', body: jsonOf({ [pick(SQLI)]: hostileValue() }) };
  }
}

const VALID_MIGRATION = (dataDir: string) => ({
  name: 'fuzz',
  source: { type: 'sqlite', connection_string: path.join(dataDir, 'missing-source.sqlite') },
  target: { type: 'sqlite', connection_string: path.join(dataDir, 'fuzz-target.sqlite') },
  strategy: 'balanced',
  options: {},
});
const VALID_CONNECTION = { name: 'fuzz', type: 'sqlite', connection_string: '/tmp/x.sqlite', test: false };
const VALID_KEY = { name: 'fuzz', kind: 'api_key', scopes: ['read'] };
const VALID_WEBHOOK = { url: 'https://example.invalid/hook', events: ['*'] };

/** Sets a dotted path in a deep copy. */
function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>;
  const parts = dotted.split('.');
  let at: Record<string, unknown> = copy;
  for (const p of parts.slice(0, -1)) {
    if (!at[p] || typeof at[p] !== 'object') at[p] = {};
    at = at[p] as Record<string, unknown>;
  }
  const last = parts.at(-1) as string;
  if (value === undefined) delete at[last];
  else if (KEYS_PROTO.includes(last)) Object.defineProperty(at, last, { value, enumerable: true, configurable: true, writable: true });
  else at[last] = value;
  return copy;
}

/**
 * A create body that is valid but for one deliberate fault (wrong type, missing field, unknown key, out of range),
 * with hostile strings injected into the other fields. Migration bodies that happen to pass validation still fail:
 * their source is a SQLite file that does not exist (422 from the connection test).
 */
function createBody(route: string, dataDir: string): { body: string; label: string } {
  const base: Record<string, unknown> =
    route === '/v1/migrations' ? VALID_MIGRATION(dataDir) : route === '/v1/connections' ? VALID_CONNECTION : route === '/v1/api-keys' ? VALID_KEY : VALID_WEBHOOK;
  const faults: Record<string, [string, unknown][]> = {
    '/v1/migrations': [
      ['name', undefined],
      ['name', ''],
      ['name', 'x'.repeat(201)],
      ['name', 42],
      ['source', []],
      ['source', 'sqlite:///etc/passwd'],
      ['source.type', "sqlite'; DROP TABLE migrations; --"],
      ['source.type', ['sqlite']],
      ['source.connection_id', 'conn_x'],
      ['source.tables', []],
      ['source.tables', 'Album'],
      ['source.tables', [pick(SQLI).slice(0, 0)]],
      ['target', null],
      ['target.tables', ['Album']],
      ['target.connection_string', { $gt: '' }],
      ['strategy', pick(SQLI)],
      ['strategy', new RawNumber('1e309')],
      ['options', []],
      ['options.chunk_size', new RawNumber(pick(['1e309', '0', '-1', '1.5', '9007199254740993']))],
      ['options.parallel_tables', new RawNumber('65')],
      ['options.max_rejected_rows', '10'],
      ['options.notify_on_completion', [pick(SQLI)]],
      ['options.sql', 'DROP TABLE x'],
      ['options.__proto__', { polluted: 'yes' }],
      ['source.__proto__', { type: 'sqlite' }],
      ['constructor', { prototype: { polluted: 'yes' } }],
      ['extra', 1],
    ],
    '/v1/connections': [
      ['name', undefined],
      ['name', ''],
      ['name', ['a']],
      ['type', pick(SQLI)],
      ['type', 'SQLITE'],
      ['type', null],
      ['connection_string', ''],
      ['connection_string', 'x'.repeat(4097)],
      ['connection_string', { host: 'x' }],
      ['schema', ''],
      ['schema', 'x'.repeat(129)],
      ['test', 'false'],
      ['test', new RawNumber('0')],
      ['__proto__', { polluted: 'yes' }],
      ['constructor', { prototype: { polluted: 'yes' } }],
      ['id', 'conn_0000000000000000'],
    ],
    '/v1/api-keys': [
      ['name', undefined],
      ['name', ''],
      ['kind', 'root'],
      ['environment', 'live'],
      ['environment', pick(SQLI)],
      ['scopes', []],
      ['scopes', 'admin'],
      ['scopes', ['superuser']],
      ['scopes', ['read', 'write', 'admin', 'admin']],
      ['rate_limit_per_second', new RawNumber(pick(['1e309', '0', '-5', '1.5', '100001', '1e21']))],
      ['rate_limit_per_second', '10'],
      ['__proto__', { polluted: 'yes', scopes: ['admin'] }],
      ['constructor', { prototype: { polluted: 'yes' } }],
      ['key', 'sk_test_chosen_by_caller'],
    ],
    '/v1/webhooks': [
      ['url', 'ftp://example.invalid'],
      ['url', 'javascript:alert(1)'],
      ['url', `https://${'a'.repeat(2001)}.invalid`],
      ['url', pick(SQLI)],
      ['events', []],
      ['events', ['migration.deleted']],
      ['events', '*'],
      ['secret', 'short'],
      ['secret', 'x'.repeat(201)],
      ['__proto__', { polluted: 'yes' }],
      ['id', 'wh_x'],
    ],
  };
  const [field, value] = pick(faults[route] ?? faults['/v1/webhooks']!);
  // The fault first, then hostile strings in string fields, except those the fault relies on for validity.
  let body = base;
  const stringFields = Object.entries(base)
    .filter(([k, v]) => typeof v === 'string' && k !== field)
    .map(([k]) => k);
  if (chance(0.6) && stringFields.length) {
    const f = pick(stringFields);
    // Hostile but in-range strings: the fault alone makes the body invalid.
    const candidates = STRINGS.filter((s) => s.length > 0 && s.length < 100);
    if (f === 'name' || f === 'description') body = setPath(body, f, pick(candidates));
  }
  body = setPath(body, field, value);
  return { body: jsonOf(body), label: `create ${route}: ${field} = ${jsonOf(value).slice(0, 60)}` };
}

/** Query strings no listing accepts: each has at least one invalid parameter, among other junk. */
function badQuery(): string {
  const invalid = pick([
    'limit=-1',
    'limit=0',
    'limit=1e309',
    'limit=abc',
    'limit=101',
    'limit=1.5',
    'limit=%00',
    'limit=1&limit=2',
    'offset=-1',
    'offset=1e400',
    'offset=99999999999',
    'offset=1&offset=1',
    `limit=${'9'.repeat(400)}`,
  ]);
  const junk = [
    'sort=%3BDROP%20TABLE%20migrations',
    'sort=created_at%3B--',
    'sort=name&sort=-name',
    'status=deleted',
    `status=${pct("' OR 1=1--")}`,
    'status=created&status=running',
    'created_after=not-a-date',
    'created_before=%00',
    '__proto__[polluted]=yes',
    'constructor[prototype][polluted]=yes',
    'limit[]=1',
    `q=${pct(pick(STRINGS))}`,
    `x=${'y'.repeat(2000)}`,
  ];
  const parts = [invalid, ...Array.from({ length: int(3) }, () => pick(junk))];
  return parts.sort(() => rand() - 0.5).join('&');
}

/** Queries only the migrations listing refuses (sort, status, dates are its own). */
function badMigrationQuery(): string {
  return pick([
    'sort=%3BDROP%20TABLE%20migrations',
    'sort=created_at%3B--',
    'sort=name&sort=-name',
    'sort=password_hash',
    'status=deleted',
    `status=${pct("' OR 1=1--")}`,
    'status=created&status=running',
    'created_after=not-a-date',
    'created_before=%00',
    'created_after=2024-01-01&created_after=2024-01-02',
    badQuery(),
  ]);
}

const BAD_AUTH = (apiKey: string) => [
  '',
  'Bearer',
  'Bearer ',
  'bearer',
  'Basic dXNlcjpwYXNz',
  `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`,
  `Token ${apiKey}`,
  apiKey,
  `Bearer ${apiKey}x`,
  `Bearer ${apiKey.slice(0, -1)}`,
  `Bearer ${apiKey} extra`,
  `Bearer sk_test_${hex(32)}`,
  `Bearer sk_live_${hex(32)}`,
  `Bearer sa_test_${hex(32)}`,
  "Bearer sk_live_'OR'1'='1",
  'Bearer a.b.c',
  'Bearer eyJhbGciOiJub25lIn0.eyJzY29wZSI6ImFkbWluIiwic2Vuc2VpX2VudiI6InRlc3QifQ.',
  'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6ImFkbWluIn0.' + 'A'.repeat(43),
  `Bearer ${'A'.repeat(8000)}`,
  `Bearer ${'a.'.repeat(3000)}a`,
  'Bearer \u00ff\u00fe',
];

function deepBody(depth: number): string {
  return `{"name":"x","nested":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
}

describe('fuzzing every route of the OpenAPI document', () => {
  let stack: Stack;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = tempDataDir();
    stack = await startStack(dataDir);
  });

  afterAll(async () => {
    await stack?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function api(method: string, url: string, body?: unknown) {
    const res = await fetch(stack.baseUrl + url, {
      method,
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  /** Everything stored, as listed, minus fields that legitimately move (last use, last status report). */
  async function snapshot() {
    const out: Record<string, unknown> = {};
    for (const url of ['/v1/connections?limit=100', '/v1/api-keys?limit=100', '/v1/migrations?limit=100', '/v1/webhooks?limit=100']) {
      const res = await api('GET', url);
      if (url.startsWith('/v1/webhooks') && res.status === 404) continue;
      expect([url, res.status]).toEqual([url, 200]);
      out[url] = JSON.parse(JSON.stringify(res.body), (k, v) => (k === 'last_used_at' || k === 'updated_at' ? undefined : v));
    }
    return out;
  }

  test(`${CASES} hostile requests (seed ${SEED}): 4xx with the error body, no stack, no path, no secret; stored data unchanged`, async () => {
    // Something stored to protect: a saved connection, a key, a migration (no worker: it stays `created`).
    const source = path.join(dataDir, 'seed-src.sqlite');
    fs.copyFileSync(CHINOOK, source);
    expect((await api('POST', '/v1/connections', { name: 'kept', type: 'sqlite', connection_string: source })).status).toBe(201);
    expect((await api('POST', '/v1/api-keys', { name: 'kept', scopes: ['read'] })).status).toBe(201);
    const seeded = await api('POST', '/v1/migrations', {
      name: 'kept',
      source: { type: 'sqlite', connection_string: source },
      target: { type: 'sqlite', connection_string: path.join(dataDir, 'seed-dst.sqlite') },
    });
    expect(seeded.status).toBe(201);
    const before = await snapshot();
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

    const doc = (await (await fetch(`${stack.baseUrl}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ template: p, method: m.toUpperCase() })));
    expect(routes.length).toBeGreaterThanOrEqual(30);
    const PUBLIC = new Set(['/v1/openapi.json', '/v1/certificates/public-key']);

    const idFor = (template: string, name: string): string => {
      const prefix = name === 'id' ? (template.startsWith('/v1/migrations') ? 'mig_' : template.startsWith('/v1/connections') ? 'conn_' : template.startsWith('/v1/webhooks') ? 'wh_' : 'key_') : '';
      switch (int(9)) {
        case 0:
          return `${prefix}0000000000000000`;
        case 1:
        case 2:
          return `${prefix}${hex(16)}`;
        case 3:
          return pct(pick(SQLI));
        case 4:
          return pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
        case 5:
          return pick(['%2E%2E%2F%2E%2E%2Fetc%2Fhosts', '..%2F..', '%00', '%E0%A4%A', '%', `${prefix}${'a'.repeat(5000)}`, '%F0%9D%94%AA%F0%9D%94%A6']);
        case 6:
          return name === 'tier' ? pick(['structural', 'behavioral', 'rerun', 'STRUCTURAL']) : `${prefix}${hex(8)}`;
        case 7:
          return pct(pick(WEIRD.filter((w) => w.length > 0)));
        default:
          return `${prefix.toUpperCase()}${hex(16)}`;
      }
    };
    const concrete = (template: string) => template.replace(/\{(\w+)\}/g, (_m, name: string) => idFor(template, name));

    const cases: FuzzRequest[] = [];
    const auth = { authorization: `Bearer ${stack.apiKey}` };
    for (let i = 0; i < CASES; i++) {
      const route = routes[i % routes.length]!;
      const isPublic = PUBLIC.has(route.template);
      const hasIds = route.template.includes('{');
      const isCreate = route.method === 'POST' && !hasIds;
      const isList = route.method === 'GET' && !hasIds && !isPublic;
      const kinds = [
        'auth',
        'header',
        'method',
        ...(hasIds ? ['path', 'path'] : []),
        ...(route.method !== 'GET' ? ['body', 'body', 'content-type'] : []),
        ...(isCreate ? ['create', 'create', 'create'] : []),
        ...(isList ? ['query', 'query'] : []),
        ...(route.method === 'GET' && hasIds ? ['query'] : []),
      ];
      const kind = pick(kinds);
      const p = concrete(route.template);
      const r: FuzzRequest = { label: `${kind} ${route.method} ${route.template}`, method: route.method, path: p, headers: { ...auth } };
      switch (kind) {
        case 'auth': {
          const value = pick(BAD_AUTH(stack.apiKey));
          if (value === '' && chance(0.5)) delete r.headers.authorization;
          else r.headers.authorization = value;
          r.expectOk = isPublic && route.method === 'GET';
          if (route.method !== 'GET') {
            r.headers['content-type'] = 'application/json';
            r.body = isCreate ? createBody(route.template, dataDir).body : '{}';
          }
          break;
        }
        case 'header': {
          const which = int(6);
          if (which === 0) r.headers['x-request-id'] = 'r'.repeat(8000);
          else if (which === 1) r.headers['x-request-id'] = pick(['../../etc', '<script>', 'a b', '\u00ff', ';DROP', '%00']);
          else if (which === 2) r.headers['x-idempotency-key'] = pick(['', ' ', 'a'.repeat(256), 'k\u00e9y', 'a\tb', 'a b']);
          else if (which === 3) r.headers['accept'] = pick(['text/event-stream', 'application/xml', '*/*;q=abc', '']);
          else if (which === 4) {
            r.headers['x-request-id'] = 'x'.repeat(20_000);
            r.expect431 = true;
          } else r.headers['x-forwarded-for'] = `${pick(SQLI)}`;
          r.expectOk = isPublic && route.method === 'GET' && which !== 4;
          if (!r.expectOk && !r.expect431) {
            // Something else must make the request fail: a bad body, a non-existent id or a bad query.
            if (route.method !== 'GET') {
              r.headers['content-type'] = 'application/json';
              r.body = isCreate ? createBody(route.template, dataDir).body : genericBody().body;
            } else if (isList) r.path = `${p}?${route.template === '/v1/migrations' ? badMigrationQuery() : badQuery()}`;
          }
          break;
        }
        case 'method': {
          r.method = pick(['PUT', 'PATCH', ...(route.method === 'GET' ? ['POST', 'DELETE'] : ['GET'])].filter((m) => m !== route.method));
          // Declared methods of the path are not what is being fuzzed here.
          const declared = Object.keys(doc.paths[route.template] ?? {}).map((m) => m.toUpperCase());
          if (declared.includes(r.method)) r.method = 'PATCH';
          r.label = `method ${r.method} ${route.template}`;
          if (r.method !== 'GET') {
            r.headers['content-type'] = 'application/json';
            r.body = '{}';
          }
          break;
        }
        case 'path':
          break;
        case 'body': {
          const b = genericBody();
          r.label = `body(${b.label}) ${route.method} ${route.template}`;
          r.headers['content-type'] = b.contentType ?? 'application/json';
          if (b.encoding) r.headers['content-encoding'] = b.encoding;
          r.body = b.body;
          if (chance(0.3)) r.headers['x-idempotency-key'] = `fuzz-${hex(12)}`;
          break;
        }
        case 'content-type': {
          r.headers['content-type'] = pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16le', '']);
          r.body = isCreate ? createBody(route.template, dataDir).body : pick(['name=x&scopes=admin', '<a/>', '{}', '']);
          r.label = `content-type(${r.headers['content-type']}) ${route.method} ${route.template}`;
          break;
        }
        case 'create': {
          const b = createBody(route.template, dataDir);
          r.label = `${b.label}`;
          r.headers['content-type'] = 'application/json';
          r.body = b.body;
          if (chance(0.3)) r.headers['x-idempotency-key'] = `fuzz-${hex(12)}`;
          break;
        }
        case 'query':
          r.path = `${p}?${route.template === '/v1/migrations' ? badMigrationQuery() : badQuery()}`;
          r.expectOk = isPublic;
          break;
      }
      if (r.body !== undefined) r.headers['content-length'] = String(Buffer.byteLength(r.body));
      cases.push(r);
    }
    // The answer to the same idempotency key with another body: refused, not replayed.
    cases.push({
      label: 'idempotency key reused with another body',
      method: 'POST',
      path: '/v1/api-keys',
      headers: { ...auth, 'content-type': 'application/json', 'x-idempotency-key': 'fuzz-fixed-key' },
      body: jsonOf({ name: '' }),
    });
    cases.push({
      label: 'idempotency key reused with another body',
      method: 'POST',
      path: '/v1/api-keys',
      headers: { ...auth, 'content-type': 'application/json', 'x-idempotency-key': 'fuzz-fixed-key' },
      body: jsonOf({ name: 'x', scopes: [] }),
    });

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const secrets = [stack.apiKey, 'sealed:', 'password'];
    const started = Date.now();
    for (const r of cases) {
      let a: Answer;
      try {
        a = await send(stack.baseUrl, r);
      } catch (err) {
        failures.push(`${describeRequest(r)}\n  → network error: ${(err as Error).message}`);
        continue;
      }
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      const problems: string[] = [];
      // A long path and long headers together can also pass Node's 16 KB header limit: its bare 431 is fine there.
      const headerBytes = r.path.length + Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + String(v).length + 4, 0);
      if (a.status === 431 && headerBytes > 12_000) {
        // answered by Node's HTTP parser before the API: nothing reached a route
      } else if (r.expect431) {
        if (a.status !== 431) problems.push(`status ${a.status}, expected 431`);
      } else if (r.expectOk) {
        if (a.status !== 200) problems.push(`status ${a.status}, expected 200 (public route)`);
      } else {
        if (a.status < 400 || a.status > 499) problems.push(`status ${a.status}, expected 4xx`);
        let body: { error?: { code?: unknown; message?: unknown; request_id?: unknown } } | undefined;
        try {
          body = JSON.parse(a.text);
        } catch {
          problems.push('body is not JSON');
        }
        if (body) {
          const e = body.error;
          if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || typeof e.request_id !== 'string') {
            problems.push('body is not {error:{code,message,request_id}}');
          } else {
            if (e.request_id !== a.headers['x-request-id']) problems.push('request_id differs from the X-Request-Id header');
            const given = r.headers['x-request-id'];
            if (given !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(given) && !/^req_[0-9a-f]{16}$/.test(e.request_id)) {
              problems.push('an invalid X-Request-Id came back');
            }
          }
        }
      }
      if (/\n\s+at /.test(a.text) || /\bat .+\.(ts|js):\d+/.test(a.text)) problems.push('stack trace in the answer');
      // A path the caller sent may come back in a validation reason (its own input); any other path is a leak.
      const reflected = (x: string) => String(r.body ?? '').includes(x) || r.path.includes(x);
      if (a.text.includes('/work/') || a.text.includes('node_modules') || (a.text.includes(dataDir) && !reflected(dataDir))) problems.push('a file path in the answer');
      for (const s of secrets) if (a.text.toLowerCase().includes(s.toLowerCase()) && !String(r.body ?? '').toLowerCase().includes(s.toLowerCase()) && !r.path.toLowerCase().includes(s.toLowerCase())) problems.push(`secret "${s === stack.apiKey ? 'the API key' : s}" in the answer`);
      if (problems.length) failures.push(`${describeRequest(r)}\n  → ${a.status} ${a.text.slice(0, 400)}\n  problems: ${problems.join('; ')}`);
    }
    const elapsed = Date.now() - started;
    console.log(
      `fuzz: seed ${SEED}, ${cases.length} requests over ${routes.length} routes in ${elapsed} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])))}; ${failures.length} failures`,
    );
    if (failures.length) console.log(`first failures (FUZZ_SEED=${SEED} reproduces):\n\n${failures.slice(0, 15).join('\n\n')}`);

    // Nothing stored moved, and nothing leaked into Object.prototype of the API's process (it runs in this one).
    expect(await snapshot()).toEqual(before);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(failures).toEqual([]);
  });

  // Regression: these were 500s (canonicalize in api/idempotency.ts threw on Infinity and on deep nesting), fixed in ba248ed.
  for (const [what, body] of [
    ['a number JSON cannot represent (1e309)', '{"name":"x","rate_limit_per_second":1e309}'],
    ['nesting 20,000 deep', deepBody(20_000)],
  ] as const) {
    test(`POST with X-Idempotency-Key and ${what} is a 400 invalid_body, not a 500`, async () => {
      const a = await send(stack.baseUrl, {
        label: what,
        method: 'POST',
        path: '/v1/api-keys',
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json', 'x-idempotency-key': `known-${hex(8)}`, 'content-length': String(Buffer.byteLength(body)) },
        body,
      });
      expect([a.status, JSON.parse(a.text).error.code]).toEqual([400, 'invalid_body']);
    });
  }

  test('the same bodies without X-Idempotency-Key are refused with a 4xx', async () => {
    for (const body of ['{"name":"x","rate_limit_per_second":1e309}', deepBody(20_000)]) {
      const a = await send(stack.baseUrl, {
        label: 'no key',
        method: 'POST',
        path: '/v1/api-keys',
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        body,
      });
      expect([a.status, JSON.parse(a.text).error.code]).toEqual([422, 'validation_error']);
    }
  });
});
