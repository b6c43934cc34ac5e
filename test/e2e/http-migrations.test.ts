/**
 * End to end over HTTP: Chinook in PostgreSQL → MariaDB and back, through the API, a real Temporal dev server
 * and worker processes, with pause/resume and a kill -9 of the worker in the middle of the transfer.
 */
import fs from 'node:fs';
import type { Endpoint } from '../../connectors/types';
import type { MigrationStatus } from '../../lib/migration';
import { compareDatabases } from '../helpers/compare';
import { createTempDatabase, loadChinook } from '../helpers/databases';
import { answersOffDocument, watchAnswers } from '../helpers/openapi';
import { WorkerProcess, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

type TempDb = Awaited<ReturnType<typeof createTempDatabase>>;

let stack: Stack;
let worker: WorkerProcess;
let dataDir: string;
const databases: TempDb[] = [];

async function tempDb(dialect: 'postgresql' | 'mysql', chinook = false): Promise<TempDb> {
  const db = await createTempDatabase(dialect);
  databases.push(db);
  if (chinook) await loadChinook(dialect, db.endpoint);
  return db;
}

beforeAll(async () => {
  dataDir = tempDataDir();
  stack = await startStack(dataDir);
  // Every answer the tests get from this API is checked against its OpenAPI document (the file's last test).
  watchAnswers(stack.baseUrl);
  worker = new WorkerProcess(stack.workerEnv);
  worker.start();
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await stack?.close();
  await Promise.allSettled(databases.map((d) => d.drop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(stack.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text, headers: res.headers };
}

async function poll(id: string, done: (s: MigrationStatus) => boolean, timeoutMs = 120_000): Promise<MigrationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api('GET', `/v1/migrations/${id}/status`);
    // 503 while a (re)started worker is not polling yet; anything else but 200 is a failure.
    if (res.status === 503 && Date.now() < deadline) continue;
    expect(res.status).toBe(200);
    const s = res.body as MigrationStatus;
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out: ${s.status} ${s.phase} ${JSON.stringify(s.failure)}\nworker: ${worker.output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const over = (s: MigrationStatus) => ['completed', 'failed', 'cancelled'].includes(s.status);

/** Creates and starts a migration; approves the gate if the mapping needs a human. */
async function createAndStart(source: Endpoint, target: Endpoint, options: Record<string, unknown>): Promise<string> {
  const created = await api('POST', '/v1/migrations', {
    name: 'Chinook e2e',
    source: { type: source.type, connection_string: source.connectionString },
    target: { type: target.type, connection_string: target.connectionString },
    strategy: 'balanced',
    options: { auto_approve_high_confidence: true, ...options },
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ status: 'created', strategy: 'balanced', source: { type: source.type }, target: { type: target.type } });
  expect(created.body.id).toMatch(/^mig_[0-9a-f]{16}$/);
  expect(created.text).not.toContain(source.connectionString);
  expect(created.text).not.toContain(target.connectionString);
  const id = created.body.id as string;
  expect((await api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
  return id;
}

async function approveIfAsked(id: string): Promise<void> {
  const s = await poll(id, (x) => x.phase !== null && x.phase !== 'schema_analysis' && (x.status !== 'running' || x.phase !== 'mapping'));
  if (s.status === 'awaiting_approval') {
    const approved = await api('POST', `/v1/migrations/${id}/approve`, { comment: 'e2e' });
    expect(approved.status).toBe(200);
    expect(approved.body.gate.state).toBe('approved');
  }
}

async function expectIdentical(source: Endpoint, target: Endpoint) {
  const compared = await compareDatabases(source, target);
  expect(compared).toHaveLength(11);
  for (const t of compared) {
    expect({ table: t.table, rows: t.targetRows, checksum: t.targetChecksum }).toEqual({ table: t.table, rows: t.sourceRows, checksum: t.sourceChecksum });
  }
}

test('PostgreSQL → MariaDB over HTTP: pause holds copying still, resume finishes, all 11 tables equal', async () => {
  const source = await tempDb('postgresql', true);
  const target = await tempDb('mysql');
  const id = await createAndStart(source.endpoint, target.endpoint, { chunk_size: 250, parallel_tables: 1 });
  await approveIfAsked(id);
  await poll(id, (s) => s.progress.rows_copied >= 500);

  const paused = await api('POST', `/v1/migrations/${id}/pause`);
  expect(paused.status).toBe(202);
  expect(paused.body.status).toBe('paused');
  await new Promise((r) => setTimeout(r, 1500));
  const held = (await api('GET', `/v1/migrations/${id}/status`)).body as MigrationStatus;
  await new Promise((r) => setTimeout(r, 3000));
  const still = (await api('GET', `/v1/migrations/${id}/status`)).body as MigrationStatus;
  expect(still.status).toBe('paused');
  expect(still.progress.rows_copied).toBe(held.progress.rows_copied);
  expect(still.progress.rows_copied).toBeLessThan(15607);
  expect((await api('POST', `/v1/migrations/${id}/pause`)).status).toBe(202);

  expect((await api('POST', `/v1/migrations/${id}/resume`)).status).toBe(202);
  const done = await poll(id, over);
  expect(done.failure).toBeNull();
  expect(done.status).toBe('completed');
  expect(done.validation?.status).toBe('passed');
  expect(done.progress.rows_copied).toBe(15607);
  await expectIdentical(source.endpoint, target.endpoint);

  // A completed migration cannot be started, paused, resumed or cancelled again.
  for (const [method, path] of [['POST', 'start'], ['POST', 'pause'], ['POST', 'resume'], ['POST', 'approve']] as const) {
    const res = await api(method, `/v1/migrations/${id}/${path}`);
    expect([path, res.status]).toEqual([path, 409]);
    expect(res.body.error.code).toBe('conflict');
  }
  expect((await api('DELETE', `/v1/migrations/${id}`)).status).toBe(409);
  const got = await api('GET', `/v1/migrations/${id}`);
  expect(got.body).toMatchObject({ id, status: 'completed', certificate: { certificate_id: expect.stringMatching(/^cert_/) } });
});

test('MariaDB → PostgreSQL over HTTP: all 11 tables equal', async () => {
  const source = await tempDb('mysql', true);
  const target = await tempDb('postgresql');
  const id = await createAndStart(source.endpoint, target.endpoint, { chunk_size: 1000 });
  await approveIfAsked(id);
  const done = await poll(id, over);
  expect(done.failure).toBeNull();
  expect(done.status).toBe('completed');
  expect(done.progress.rows_copied).toBe(15607);
  await expectIdentical(source.endpoint, target.endpoint);
});

test('kill -9 of the worker in the middle of the transfer, then a restart: finishes with no row lost or duplicated', async () => {
  const source = await tempDb('postgresql', true);
  const target = await tempDb('mysql');
  const id = await createAndStart(source.endpoint, target.endpoint, { chunk_size: 100, parallel_tables: 2 });
  await approveIfAsked(id);
  const before = await poll(id, (s) => s.progress.rows_copied >= 1500);
  await worker.kill('SIGKILL');
  expect(before.progress.rows_copied).toBeLessThan(15607);
  // With no worker alive, nobody can answer for the migration: the API says so instead of hanging (once the answer
  // the last poll shares with concurrent readers, for 250 ms, has expired).
  await new Promise((r) => setTimeout(r, 300));
  const orphaned = await api('GET', `/v1/migrations/${id}/status`);
  expect(orphaned.status).toBe(503);
  expect(orphaned.body.error.code).toBe('worker_unavailable');
  worker = new WorkerProcess(stack.workerEnv);
  worker.start();
  const done = await poll(id, over, 180_000);
  expect(done.failure).toBeNull();
  expect(done.status).toBe('completed');
  expect(done.progress.rows_copied).toBe(15607);
  await expectIdentical(source.endpoint, target.endpoint);
});

describe('bad input gets a clear error', () => {
  let pg: TempDb;
  beforeAll(async () => {
    pg = await tempDb('postgresql', true);
  });

  const body = (over: Record<string, unknown> = {}) => ({
    name: 'bad',
    source: { type: 'postgresql', connection_string: pg.endpoint.connectionString },
    target: { type: 'sqlite', connection_string: `${dataDir}/bad-target.sqlite` },
    ...over,
  });

  function expectErrorBody(res: { status: number; body: { error: Record<string, unknown> } }, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.body.error).toMatchObject({ code, message: expect.any(String), request_id: expect.stringMatching(/^req_|^client-/) });
  }

  test('no key, a wrong key: 401', async () => {
    expectErrorBody(await api('GET', '/v1/migrations/mig_0000000000000000', undefined, { authorization: '' }), 401, 'unauthorized');
    expectErrorBody(await api('GET', '/v1/migrations/mig_0000000000000000', undefined, { authorization: 'Bearer sk_test_wrong' }), 401, 'unauthorized');
  });

  test('malformed JSON: 400; a body that is not an object: 400', async () => {
    expectErrorBody(await api('POST', '/v1/migrations', '{"name": "x",'), 400, 'invalid_json');
    expectErrorBody(await api('POST', '/v1/migrations', '[1,2]'), 400, 'invalid_body');
  });

  test('unknown database type, missing fields, unknown options: 422 naming the field', async () => {
    const unknownType = await api('POST', '/v1/migrations', body({ target: { type: 'db2', connection_string: 'db2://x' } }));
    expectErrorBody(unknownType, 422, 'validation_error');
    expect(unknownType.body.error.details.field).toBe('target.type');
    expect(unknownType.body.error.message).toContain('postgresql');
    const missing = await api('POST', '/v1/migrations', { name: 'x' });
    expectErrorBody(missing, 422, 'validation_error');
    expect(missing.body.error.details.field).toBe('source');
    const extra = await api('POST', '/v1/migrations', body({ options: { turbo: true } }));
    expect(extra.body.error.details.field).toBe('options.turbo');
  });

  test('a validation query that writes, or holds two statements: 422 naming the query; no migration is created', async () => {
    const before = (await api('GET', '/v1/migrations?limit=100')).body.pagination.total;
    const writes = await api('POST', '/v1/migrations', body({ options: { validation: { queries: [{ name: 'hostile', sql: 'delete from album returning album_id' }] } } }));
    expectErrorBody(writes, 422, 'validation_error');
    expect(writes.body.error.details).toEqual({ field: 'options.validation.queries[0].sql', reason: expect.stringMatching(/^not a read query: only a query may run .* not DELETE/) });
    const queries = [
      { name: 'fine', sql: 'select count(*) from album' },
      { name: 'two', sql: 'select 1', target_sql: 'select 1; drop table "Album"' },
    ];
    const two = await api('POST', '/v1/migrations', body({ options: { validation: { queries } } }));
    expectErrorBody(two, 422, 'validation_error');
    expect(two.body.error.details).toEqual({ field: 'options.validation.queries[1].target_sql', reason: expect.stringMatching(/several statements/) });
    expect((await api('GET', '/v1/migrations?limit=100')).body.pagination.total).toBe(before);
  });

  test('unreachable host and wrong password: 422 naming the connection, never echoing it', async () => {
    const unreachable = await api('POST', '/v1/migrations', body({ source: { type: 'postgresql', connection_string: 'postgresql://app:hunter22@127.0.0.1:1/none' } }));
    expectErrorBody(unreachable, 422, 'validation_error');
    expect(unreachable.body.error.details.field).toBe('source.connection_string');
    expect(unreachable.text).not.toContain('hunter22');
    const wrongPassword = await api('POST', '/v1/migrations', body({ target: { type: 'mysql', connection_string: 'mysql://sensei_nobody:hunter22@127.0.0.1:3306/test' } }));
    expectErrorBody(wrongPassword, 422, 'validation_error');
    expect(wrongPassword.body.error.details.field).toBe('target.connection_string');
    expect(wrongPassword.text).not.toContain('hunter22');
  });

  test('unknown migration id: 404 with the seeds body; X-Request-Id is echoed', async () => {
    const res = await api('GET', '/v1/migrations/mig_ffffffffffffffff', undefined, { 'x-request-id': 'client-abc-1' });
    expectErrorBody(res, 404, 'migration_not_found');
    expect(res.headers.get('x-request-id')).toBe('client-abc-1');
    expect(res.body.error.request_id).toBe('client-abc-1');
    expectErrorBody(await api('POST', '/v1/migrations/not-an-id/start'), 404, 'migration_not_found');
    expectErrorBody(await api('GET', '/v1/nothing-here'), 404, 'not_found');
  });

  test('a missing source schema: the migration fails and its status says why', async () => {
    const created = await api('POST', '/v1/migrations', body({ source: { type: 'postgresql', connection_string: pg.endpoint.connectionString, schema: 'nowhere' } }));
    expect(created.status).toBe(201);
    expect((await api('POST', `/v1/migrations/${created.body.id}/start`)).status).toBe(202);
    const done = await poll(created.body.id, over);
    expect(done.status).toBe('failed');
    expect(done.failure?.code).toBe('SchemaNotFound');
    expect(done.failure?.message).toContain('nowhere');
  });

  test('DELETE cancels a migration that waits; a second DELETE is a conflict', async () => {
    const created = await api('POST', '/v1/migrations', { ...body(), strategy: 'conservative' });
    const id = created.body.id as string;
    await api('POST', `/v1/migrations/${id}/start`);
    await poll(id, (s) => s.status === 'awaiting_approval');
    expect((await api('DELETE', `/v1/migrations/${id}`, { reason: 'changed plans' })).status).toBe(202);
    const done = await poll(id, over);
    expect(done.status).toBe('cancelled');
    expect(done.failure?.message).toBe('cancelled: changed plans');
    expect((await api('DELETE', `/v1/migrations/${id}`)).status).toBe(409);
  });
});

// Last in the file (tests run in order): every answer the tests above got from the API matched its OpenAPI document.
test('every answer of this file matches the OpenAPI document (paths, methods, status codes, required fields and types)', () => {
  expect(answersOffDocument()).toEqual([]);
});
