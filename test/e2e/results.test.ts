/**
 * Results outlive the workflow: once Temporal drops a closed migration's workflow (retention, or deleted as here),
 * every GET still answers as it did (the certificate byte for byte), every error is listed page by page, errors are
 * resolved and rows retried, and validation re-runs. Real HTTP, real Temporal, a real worker process, PostgreSQL and
 * MariaDB temp databases.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import type { ZodType } from 'zod';
import * as R from '../../api/responses';
import { certificateText, verifyCertificateText } from '../../lib/certificate';
import type { MigrationStatus } from '../../lib/migration';
import { certificateQuery, statusQuery, validationQuery } from '../../workflows/migration';
import { recordHistories } from '../helpers/histories';
import { loadChinook } from '../helpers/databases';
import { answersOffDocument, watchAnswers } from '../helpers/openapi';
import { stackSuite } from '../helpers/stack-suite';

// Every answer the tests get from this API is checked against its OpenAPI document (the file's last test).
const suite = stackSuite({}, (stack) => watchAnswers(stack.baseUrl));
const TIERS = ['structural', 'statistical', 'referential', 'semantic', 'behavioral'];
const tempDb = (dialect: 'postgresql' | 'mysql') => suite.database(dialect);

/** One HTTP answer as the client gets it: status and the exact bytes of the body. */
async function get(path: string) {
  const res = await fetch(suite.stack.baseUrl + path, { headers: { authorization: `Bearer ${suite.stack.apiKey}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), text: bytes.toString('utf8'), bytes };
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(suite.stack.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${suite.stack.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function poll(id: string, done: (s: MigrationStatus) => boolean, timeoutMs = 180_000): Promise<MigrationStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api('GET', `/v1/migrations/${id}/status`);
    if (res.status === 200 && done(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`timed out: ${res.status} ${JSON.stringify(res.body?.status ?? res.body)}\nworker: ${suite.worker.output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every list page of `…/{list}` (100 at a time). */
async function pages(id: string, list: 'errors' | 'logs') {
  const answers = [];
  for (let offset = 0; ; offset += 100) {
    const answer = await get(`/v1/migrations/${id}/${list}?limit=100&offset=${offset}`);
    answers.push({ path: `${list}?offset=${offset}`, ...answer });
    if (answer.status !== 200 || !JSON.parse(answer.text).pagination.has_more) return answers;
  }
}

/** Every GET a client can make about one migration, answered now: path → status and exact body. */
async function everyAnswer(id: string): Promise<Record<string, { status: number; type: string | null; text: string }>> {
  const answers: Record<string, { status: number; type: string | null; text: string }> = {};
  // An error body names its request, which differs from one request to the next.
  const keep = (path: string, a: { status: number; type: string | null; text: string }) => {
    answers[path] = { status: a.status, type: a.type, text: a.status < 400 ? a.text : a.text.replace(/"request_id":"req_[0-9a-f]+"/, '"request_id":"…"') };
  };
  for (const path of ['', '/status', '/certificate', '/validation', ...TIERS.map((t) => `/validation/${t}`), '/schema/source', '/schema/target', '/mappings?limit=100']) {
    keep(path, await get(`/v1/migrations/${id}${path}`));
  }
  for (const list of ['errors', 'logs'] as const) for (const page of await pages(id, list)) keep(page.path, page);
  const errorIds = Object.entries(answers)
    .filter(([path]) => path.startsWith('errors?'))
    .flatMap(([, a]) => (JSON.parse(a.text).data as { id: string }[]).map((e) => e.id));
  for (const errorId of errorIds) keep(`/errors/${errorId}`, await get(`/v1/migrations/${id}/errors/${errorId}`));
  return answers;
}

/** Answers served from the store parse with the schemas the OpenAPI document declares. */
function expectDeclared(schema: ZodType, text: string, what: string) {
  const parsed = schema.safeParse(JSON.parse(text));
  expect([what, parsed.success ? 'ok' : JSON.stringify(parsed.error.issues.slice(0, 3))]).toEqual([what, 'ok']);
}

/**
 * Drops the workflow from Temporal, as namespace retention does, and waits until Temporal no longer knows it.
 * Deletion runs in the background, and a workflow that closed a moment ago is often not deleted on the first
 * request (its close is still being processed): asked again each second, by run.
 */
async function deleteWorkflow(id: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (let attempt = 0; ; attempt++) {
    const runId = await suite.stack.client.workflow
      .getHandle(id)
      .describe()
      .then(
        (d) => d.runId,
        (err) => (err instanceof WorkflowNotFoundError ? null : Promise.reject(err)),
      );
    if (runId === null) return;
    if (Date.now() > deadline) throw new Error(`workflow ${id} still known to Temporal`);
    if (attempt % 4 === 0) {
      await suite.stack.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: id, runId } }).catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a completed migration answers every GET as before once Temporal dropped its workflow, the certificate byte for byte; validation re-runs', async () => {
  const source = await tempDb('postgresql');
  await loadChinook('postgresql', source.endpoint);
  const target = await tempDb('mysql');
  const created = await api('POST', '/v1/migrations', {
    name: 'kept after retention',
    source: { type: 'postgresql', connection_string: source.endpoint.connectionString },
    target: { type: 'mysql', connection_string: target.endpoint.connectionString },
    strategy: 'aggressive',
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
  const handle = suite.stack.client.workflow.getHandle(id);
  expect((await handle.result()).status).toBe('completed');

  const before = await everyAnswer(id);
  const status = JSON.parse(before['/status'].text) as MigrationStatus;
  expect(status).toMatchObject({ status: 'completed', progress: { rows_copied: 15607 }, validation: { status: 'passed', attempt: 1 } });
  // What the store serves is what the workflow itself answers while Temporal still has it.
  expect(status).toEqual(await handle.query(statusQuery));
  expect(JSON.parse(before['/validation'].text)).toEqual(await handle.query(validationQuery));
  const certificate = await handle.query(certificateQuery);
  expect(certificate?.certificate_id).toBe(status.certificate?.certificate_id);
  expect(before['/certificate'].text).toBe(certificateText(certificate!));
  const publicKey = (await api('GET', '/v1/certificates/public-key')).body.public_key_pem as string;
  expect(verifyCertificateText(before['/certificate'].text, { trustedKey: publicKey })).toMatchObject({ valid: true, problems: [] });
  for (const tier of TIERS) expect([tier, before[`/validation/${tier}`].status]).toEqual([tier, 200]);
  const log = JSON.parse(before['logs?offset=0'].text).data.map((l: { message: string }) => l.message);
  expect(log).toEqual(expect.arrayContaining(['migration created', 'migration started', 'phase data_transfer completed', 'table track: 3503 rows in 1 chunk(s)', 'migration completed']));
  expect(before['errors?offset=0'].text).toBe(JSON.stringify({ data: [], pagination: { total: 0, limit: 100, offset: 0, has_more: false } }));

  await deleteWorkflow(id);
  const after = await everyAnswer(id);
  expect(after).toEqual(before);
  expectDeclared(R.migrationStatusResponse, after['/status'].text, 'status');
  expectDeclared(R.migrationDetailResponse, after[''].text, 'detail');
  expectDeclared(R.listOf(R.logLineResponse), after['logs?offset=0'].text, 'logs');
  expectDeclared(R.listOf(R.mappingResponse), after['/mappings?limit=100'].text, 'mappings');
  const certificateBytes = (await get(`/v1/migrations/${id}/certificate`)).bytes;
  expect(certificateBytes.equals(Buffer.from(certificateText(certificate!), 'utf8'))).toBe(true);
  expect((await api('GET', '/v1/migrations?limit=100&status=completed')).body.data.map((m: { id: string }) => m.id)).toContain(id);
  // A gone workflow is still a completed migration: a change is a conflict, not a 404.
  const pause = await api('POST', `/v1/migrations/${id}/pause`);
  expect([pause.status, pause.body.error.message]).toEqual([409, 'cannot pause a migration that is completed']);

  // The re-run opens the migration again from the state the store kept, and certifies the target as it is now.
  const rerun = await api('POST', `/v1/migrations/${id}/validation/rerun`, { reason: 'checked after retention' });
  expect(rerun.status).toBe(202);
  const again = await poll(id, (s) => s.status === 'completed' && s.validation?.attempt === 2);
  expect(again.certificate?.certificate_id).not.toBe(status.certificate?.certificate_id);
  expect(again.progress.rows_copied).toBe(15607);
  await handle.result();
  const renewed = await get(`/v1/migrations/${id}/certificate`);
  expect(verifyCertificateText(renewed.text, { trustedKey: publicKey })).toMatchObject({ valid: true });
  expect(JSON.parse(renewed.text)).toMatchObject({ certificate_id: again.certificate?.certificate_id, migration: { validation_attempt: 2 } });
  expect((await suite.stack.store.getOutcome(id))?.status).toEqual(await handle.query(statusQuery));
  const rerunLog = JSON.parse((await get(`/v1/migrations/${id}/logs?limit=100`)).text).data.map((l: { message: string }) => l.message);
  expect(rerunLog).toContain('validation re-run requested by bootstrap: checked after retention');
});

test('more than 500 rejected rows are all listed page by page; after the workflow is gone, an error is resolved and a row retried', async () => {
  const source = await tempDb('postgresql');
  const target = await tempDb('postgresql');
  const admin = new PgClient({ connectionString: source.endpoint.connectionString });
  await admin.connect();
  admin.on('error', () => undefined); // dropped with its database at the end
  await admin.query('CREATE TABLE people (id integer PRIMARY KEY, code varchar(20) NOT NULL)');
  // Even ids hold codes too long for the varchar(5) the mapping is narrowed to: 550 rows the target refuses.
  await admin.query(`INSERT INTO people SELECT g, CASE WHEN g % 2 = 0 THEN 'too-long-' || g ELSE 'c' || g END FROM generate_series(1, 1100) g`);
  const created = await api('POST', '/v1/migrations', {
    name: 'many rejects',
    source: { type: 'postgresql', connection_string: source.endpoint.connectionString },
    target: { type: 'postgresql', connection_string: target.endpoint.connectionString },
    strategy: 'conservative',
    options: { chunk_size: 100, max_rejected_rows: 1000, validation: { failed_hold_seconds: 1 } },
  });
  const id = created.body.id as string;
  expect((await api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
  await poll(id, (s) => s.status === 'awaiting_approval');
  const narrowed = await api('PATCH', `/v1/migrations/${id}/mappings/people.code`, { target_type: 'character varying(5)' });
  expect([narrowed.status, narrowed.body]).toEqual([200, expect.objectContaining({ confidence: 0.6 })]);
  expect((await api('POST', `/v1/migrations/${id}/approve`, { comment: 'narrow on purpose' })).status).toBe(200);
  const handle = suite.stack.client.workflow.getHandle(id);
  await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'ValidationFailed' } });
  await recordHistories(suite.stack.client, id, 'reopened-row-retry');

  const status = (await api('GET', `/v1/migrations/${id}/status`)).body as MigrationStatus;
  expect(status).toMatchObject({ status: 'failed', failure: { code: 'ValidationFailed' }, tables: [{ rows_copied: 550, rows_rejected: 550 }] });
  // The workflow keeps the first 500; the store keeps them all.
  expect(status.errors).toHaveLength(500);
  const listed = (await pages(id, 'errors')).flatMap((p) => JSON.parse(p.text).data as { id: string; code: string; key?: string[] }[]);
  expect(listed).toHaveLength(status.errors_total);
  expect(new Set(listed.map((e) => e.id)).size).toBe(listed.length);
  const rows = listed.filter((e) => e.code === 'RowRejected');
  expect(rows.map((e) => Number(e.key?.[0])).sort((a, b) => a - b)).toEqual(Array.from({ length: 550 }, (_, i) => 2 * (i + 1)));
  expect(listed.filter((e) => e.code === 'ValidationFailed').length).toBeGreaterThanOrEqual(1);
  expect(listed.slice(0, 500)).toEqual(status.errors);

  const before = await everyAnswer(id);
  expect(before['/certificate'].status).toBe(404);
  expect(JSON.parse(before['/validation'].text)).toMatchObject({ status: 'failed', attempt: 1, diagnosis: { caught_by: 'semantic' } });
  const log = (await pages(id, 'logs')).flatMap((p) => JSON.parse(p.text).data as { level: string; message: string }[]);
  expect(log.filter((l) => l.level === 'error' && l.message.startsWith('RowRejected: '))).toHaveLength(550);
  expect(log.map((l) => l.message)).toEqual(expect.arrayContaining(['approval gate approved by bootstrap', 'phase validation failed', 'migration failed: ValidationFailed']));

  await deleteWorkflow(id);
  const after = await everyAnswer(id);
  expect(after).toEqual(before);
  for (const [path, answer] of Object.entries(after)) {
    if (path.startsWith('errors?')) expectDeclared(R.listOf(R.migrationErrorResponse), answer.text, path);
    if (path.startsWith('/errors/')) expectDeclared(R.migrationErrorResponse, answer.text, path);
    if (path.startsWith('logs?')) expectDeclared(R.listOf(R.logLineResponse), answer.text, path);
  }
  expectDeclared(R.migrationStatusResponse, after['/status'].text, 'status');

  // Resolved through the store: one the workflow kept (the final status shows it too) and one beyond its 500.
  const kept = rows[10];
  const beyond = rows[540];
  for (const error of [kept, beyond]) {
    const resolved = await api('POST', `/v1/migrations/${id}/errors/${error.id}/resolve`, { note: 'looked at' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ id: error.id, resolved_by: 'bootstrap', resolution_note: 'looked at', resolved_at: expect.any(String) });
    expect((await api('POST', `/v1/migrations/${id}/errors/${error.id}/resolve`)).status).toBe(409);
    expect((await api('GET', `/v1/migrations/${id}/errors/${error.id}`)).body).toEqual(resolved.body);
  }
  expect((await api('GET', `/v1/migrations/${id}/status`)).body.errors[10]).toMatchObject({ id: kept.id, resolution_note: 'looked at' });
  expect((await api('POST', `/v1/migrations/${id}/errors/err_nope/resolve`)).status).toBe(404);

  // A row beyond the first 500, fixed at the source: the retry opens the migration again, copies it, and it closes as it was.
  const retried = rows[530];
  const key = Number(retried.key?.[0]);
  await admin.query('UPDATE people SET code = $1 WHERE id = $2', ['ok', key]);
  await admin.end();
  const retry = await api('POST', `/v1/migrations/${id}/errors/${retried.id}/retry`);
  expect(retry.status).toBe(200);
  expect(retry.body).toMatchObject({ outcome: 'copied', error: { id: retried.id, resolution_note: 're-copied', resolved_by: 'bootstrap' } });
  expectDeclared(R.retryErrorResponse, JSON.stringify(retry.body), 'retry');
  const copied = new PgClient({ connectionString: target.endpoint.connectionString });
  await copied.connect();
  const { rows: landed } = await copied.query('SELECT code FROM people WHERE id = $1', [key]);
  await copied.end();
  expect(landed).toEqual([{ code: 'ok' }]);
  expect((await api('POST', `/v1/migrations/${id}/errors/${retried.id}/retry`)).status).toBe(409);

  await expect(handle.result()).rejects.toMatchObject({ cause: { type: 'ValidationFailed' } });
  const closedAgain = (await api('GET', `/v1/migrations/${id}/status`)).body as MigrationStatus;
  expect(closedAgain).toMatchObject({ status: 'failed', failure: { code: 'ValidationFailed' }, tables: [{ rows_copied: 551, rows_rejected: 549 }] });
  expect(closedAgain).toEqual((await suite.stack.store.getOutcome(id))?.status);
  expect(closedAgain.errors[10]).toMatchObject({ id: kept.id, resolution_note: 'looked at' });
  expect((await api('GET', `/v1/migrations/${id}/errors/${retried.id}`)).body).toEqual(retry.body.error);
  await deleteWorkflow(id);
  expect((await api('GET', `/v1/migrations/${id}/status`)).body).toEqual(closedAgain);
  expect((await api('GET', `/v1/migrations/${id}/errors/${beyond.id}`)).body).toMatchObject({ resolution_note: 'looked at' });
});

// Last in the file (tests run in order): every answer the tests above got from the API matched its OpenAPI document.
test('every answer of this file matches the OpenAPI document (paths, methods, status codes, required fields and types)', () => {
  expect(answersOffDocument()).toEqual([]);
});
