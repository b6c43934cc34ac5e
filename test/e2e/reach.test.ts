/**
 * What an API caller can make Sensei reach, end to end over HTTP with a worker process: SQLite files only inside
 * SENSEI_SQLITE_DIR and never in the data dir (which here lies inside it), no metadata or link-local database hosts,
 * no webhooks to loopback, private or metadata addresses (this stack has no allowance), refused when subscribed and
 * again at every delivery. Each refusal is a 422 naming the field and the reason, or a failure that says why.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { MigrationInput, MigrationStatus } from '../../lib/migration';
import { Sealer } from '../../lib/secrets';
import { migrationWorkflow, startUpdate, statusQuery } from '../../workflows/migration';
import { answersOffDocument, watchAnswers } from '../helpers/openapi';
import { WorkerProcess, freePort, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

let dir: string;
let stack: Stack;
let worker: WorkerProcess;
let sealer: Sealer;
const CHINOOK = path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite');

beforeAll(async () => {
  dir = tempDataDir();
  stack = await startStack(dir);
  // Every answer the tests get from this API is checked against its OpenAPI document (the file's last test).
  watchAnswers(stack.baseUrl);
  sealer = new Sealer(String(stack.workerEnv.SENSEI_ENCRYPTION_KEY));
  worker = new WorkerProcess(stack.workerEnv);
  worker.start();
  fs.copyFileSync(CHINOOK, path.join(dir, 'chinook.sqlite'));
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await stack?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown) {
  const res = await fetch(stack.baseUrl + url, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: (text ? JSON.parse(text) : null) as any };
}

/** The 422 a refused request must get: the API's error body, naming the field, with a reason matching `why`. */
function expectRefused(answer: { status: number; body: any }, field: string, why: RegExp) {
  expect([answer.status, answer.body?.error?.code, answer.body?.error?.details?.field]).toEqual([422, 'validation_error', field]);
  expect(answer.body.error.details.reason).toMatch(why);
}

const sqliteMigration = (source: string, target: string) => ({
  name: 'reach',
  source: { type: 'sqlite', connection_string: source },
  target: { type: 'sqlite', connection_string: target },
});

describe('SQLite files', () => {
  test("the data dir's metadata store cannot be named, by a connection, a connection test or a migration (it was 201)", async () => {
    const store = path.join(stack.dataDir, 'sensei.sqlite');
    expect(fs.existsSync(store)).toBe(true);
    for (const cs of [store, `sqlite://${store}`, `file:${store}`, 'sensei-data/sensei.sqlite']) {
      for (const test of [false, true]) {
        const saved = await call('POST', '/v1/connections', { name: 'store', type: 'sqlite', connection_string: cs, test });
        expectRefused(saved, 'connection_string', /data directory \(SENSEI_DATA_DIR\)/);
      }
    }
    expectRefused(await call('POST', '/v1/migrations', sqliteMigration(`sqlite://${store}`, path.join(dir, 'out.sqlite'))), 'source.connection_string', /data directory/);
    const planted = path.join(stack.dataDir, 'planted.sqlite');
    expectRefused(await call('POST', '/v1/migrations', sqliteMigration(path.join(dir, 'chinook.sqlite'), planted)), 'target.connection_string', /data directory/);
    expect(fs.existsSync(planted)).toBe(false);
    expect((await call('GET', '/v1/connections')).body.data).toEqual([]);
  });

  test("'..' escapes, symlinks out and files outside SENSEI_SQLITE_DIR are refused; inside it, a connection is saved", async () => {
    fs.symlinkSync(path.join(stack.dataDir, 'sensei.sqlite'), path.join(dir, 'innocent.sqlite'));
    expectRefused(await call('POST', '/v1/connections', { name: 'x', type: 'sqlite', connection_string: `${dir}/x/../sensei-data/sensei.sqlite` }), 'connection_string', /'\.\.'/);
    expectRefused(await call('POST', '/v1/connections', { name: 'x', type: 'sqlite', connection_string: path.join(dir, 'innocent.sqlite') }), 'connection_string', /data directory/);
    expectRefused(await call('POST', '/v1/connections', { name: 'x', type: 'sqlite', connection_string: '/etc/passwd' }), 'connection_string', /outside the directory SENSEI_SQLITE_DIR allows/);
    const ok = await call('POST', '/v1/connections', { name: 'chinook', type: 'sqlite', connection_string: path.join(dir, 'chinook.sqlite'), test: true });
    expect(ok.status).toBe(201);
    expect((await call('POST', `/v1/connections/${ok.body.id}/test`)).body.success).toBe(true);
  });

  test('a connection saved before the rules cannot be used, nor tested', async () => {
    const saved = await stack.store.createConnection({
      environment: 'test',
      name: 'saved long ago',
      type: 'sqlite',
      sealed_connection: sealer.seal(path.join(stack.dataDir, 'sensei.sqlite')),
      description: 'sqlite',
      schema: null,
      created_by: null,
    });
    const created = await call('POST', '/v1/migrations', {
      name: 'from the old connection',
      source: { connection_id: saved.id },
      target: { type: 'sqlite', connection_string: path.join(dir, 'from-old.sqlite') },
    });
    expectRefused(created, 'source.connection_id', /data directory/);
    const tested = await call('POST', `/v1/connections/${saved.id}/test`);
    expect([tested.status, tested.body.success, tested.body.error]).toEqual([200, false, expect.stringMatching(/data directory/)]);
  });

  test('the worker refuses a sealed data-dir file in a workflow the API never saw: the migration fails saying why', async () => {
    const id = `mig_${randomBytes(8).toString('hex')}`;
    const planted = path.join(stack.dataDir, 'planted-by-workflow.sqlite');
    const ref = (file: string) => ({ type: 'sqlite' as const, sealedConnection: sealer.seal(file), description: 'sqlite' });
    const input: MigrationInput = {
      id,
      name: 'straight to Temporal',
      source: ref(path.join(dir, 'chinook.sqlite')),
      target: ref(planted),
      strategy: 'aggressive',
      options: { auto_approve_high_confidence: true },
      createdAt: new Date().toISOString(),
      environment: 'test',
    };
    const handle = await stack.client.workflow.start(migrationWorkflow, { taskQueue: String(stack.workerEnv.SENSEI_TASK_QUEUE), workflowId: id, args: [input] });
    await handle.executeUpdate(startUpdate);
    let status: MigrationStatus;
    const deadline = Date.now() + 60_000;
    do {
      await new Promise((r) => setTimeout(r, 250));
      status = await handle.query(statusQuery);
    } while (!['completed', 'failed', 'cancelled'].includes(status.status) && Date.now() < deadline);
    expect(status.status).toBe('failed');
    expect(status.failure).toEqual({ code: 'NotAllowed', message: expect.stringMatching(/the sqlite file: the file lies in Sensei's data directory/) });
    expect(fs.existsSync(planted)).toBe(false);
  });
});

describe('database hosts and options', () => {
  test('a link-local / metadata host is refused, tested or not, and the password never comes back', async () => {
    for (const cs of ['postgresql://postgres:pg-s3cret-pw@169.254.169.254:5432/app', 'postgresql://postgres:pg-s3cret-pw@[::ffff:169.254.169.254]:5432/app']) {
      for (const test of [false, true]) {
        const answer = await call('POST', '/v1/connections', { name: 'imds', type: 'postgresql', connection_string: cs, test });
        expectRefused(answer, 'connection_string', /the host .* is a link-local address/);
        expect(answer.text).not.toContain('pg-s3cret-pw');
      }
    }
    const migration = await call('POST', '/v1/migrations', {
      name: 'to metadata',
      source: { type: 'sqlite', connection_string: path.join(dir, 'chinook.sqlite') },
      target: { type: 'mysql', connection_string: 'mysql://root:my-s3cret-pw@[fd00:ec2::254]:3306/app' },
    });
    expectRefused(migration, 'target.connection_string', /cloud metadata address/);
    expect(migration.text).not.toContain('my-s3cret-pw');
  });

  test('certificate files need SENSEI_TLS_DIR (unset here); unknown options are refused, not ignored', async () => {
    const tls = await call('POST', '/v1/connections', {
      name: 'tls',
      type: 'postgresql',
      connection_string: 'postgresql://postgres@127.0.0.1:5432/postgres?sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt',
    });
    expectRefused(tls, 'connection_string', /^sslrootcert: certificate and key files are turned off on this server .*SENSEI_TLS_DIR/);
    const key = await call('POST', '/v1/connections', { name: 'tls', type: 'mysql', connection_string: `mysql://root@127.0.0.1:3306/app?ssl-key=${stack.dataDir}/encryption.key` });
    expectRefused(key, 'connection_string', /^ssl-key: /);
    const unknown = await call('POST', '/v1/connections', { name: 'opts', type: 'mysql', connection_string: 'mysql://root@127.0.0.1:3306/app?socketPath=/run/mysqld/mysqld.sock' });
    expectRefused(unknown, 'connection_string', /the mysql option "socketPath" is not supported/);
  });
});

describe('webhooks', () => {
  /** A receiver on loopback that counts what reaches it. */
  async function receiver(): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      hits.push(String(req.headers['sensei-event']));
      res.writeHead(204).end();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return {
      port,
      hits,
      close: async () => {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      },
    };
  }

  test('subscriptions to metadata, loopback (by name too), unspecified and private addresses are refused without the allowance', async () => {
    const cases: [string, RegExp][] = [
      ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', /link-local/],
      ['http://[::ffff:169.254.169.254]/latest/meta-data/', /link-local/],
      ['http://[::ffff:a9fe:a9fe]/', /link-local/],
      ['http://[fd00:ec2::254]/', /metadata/],
      ['http://localhost:8080/hook', /the host localhost resolves to a loopback address/],
      ['http://127.0.0.1:8080/hook', /loopback/],
      ['http://[::ffff:127.0.0.1]:8080/hook', /loopback/],
      ['http://[::1]:8080/hook', /loopback/],
      ['http://2130706433:8080/hook', /loopback/],
      ['http://0.0.0.0:8080/hook', /unspecified/],
      ['http://[::]:8080/hook', /unspecified/],
      ['https://10.0.0.7/hook', /private/],
      ['https://192.168.1.1/hook', /private/],
    ];
    for (const [url, why] of cases) {
      const answer = await call('POST', '/v1/webhooks', { url, events: ['*'], secret: 'hook-secret-0123456789' });
      expect([url, answer.status]).toEqual([url, 422]);
      expectRefused(answer, 'url', why);
      expect(answer.text).not.toContain('hook-secret-0123456789');
    }
    expect((await call('GET', '/v1/webhooks')).body.data).toEqual([]);
  });

  test('a subscription stored when its host was allowed is refused at delivery, for good and at once; nothing arrives', async () => {
    const r = await receiver();
    const secret = 'stored-hook-secret-0123456789';
    try {
      // As if subscribed while the allowance was on (or while the name resolved elsewhere): straight into the store.
      const hook = await stack.store.createWebhook({
        environment: 'test',
        url: `http://localhost:${r.port}/hook`,
        events: ['migration.created'],
        sealed_secret: sealer.seal(secret),
        description: null,
      });
      expect((await call('GET', `/v1/webhooks/${hook.id}`)).status).toBe(200);

      const created = await call('POST', '/v1/migrations', sqliteMigration(path.join(dir, 'chinook.sqlite'), path.join(dir, 'hooked.sqlite')));
      expect(created.status).toBe(201);
      // migration.created is the workflow's first event: its delivery is the child workflow <id>-evt-1.
      const delivery = stack.client.workflow.getHandle(`${created.body.id}-evt-1`);
      const deadline = Date.now() + 60_000;
      let result: { delivered: number; failed: number } | undefined;
      while (!result) {
        result = await delivery.result().catch(async (err) => {
          if (Date.now() > deadline) throw err;
          await new Promise((res) => setTimeout(res, 250));
          return undefined;
        });
      }
      expect(result).toEqual({ delivered: 0, failed: 1 });

      const failures: { type?: string | null; message?: string | null; nonRetryable?: boolean | null }[] = [];
      let attempts = 0;
      for (const event of (await delivery.fetchHistory()).events ?? []) {
        if (event.activityTaskStartedEventAttributes) attempts = Math.max(attempts, event.activityTaskStartedEventAttributes.attempt ?? 0);
        const failure = event.activityTaskFailedEventAttributes?.failure;
        if (failure) failures.push({ type: failure.applicationFailureInfo?.type, message: failure.message, nonRetryable: failure.applicationFailureInfo?.nonRetryable });
      }
      expect(failures).toEqual([
        { type: 'WebhookNotAllowed', message: `webhook ${hook.id} not delivered: the host localhost resolves to a loopback address (SENSEI_WEBHOOK_ALLOW_PRIVATE or SENSEI_WEBHOOK_ALLOW_CIDRS on the server would allow it)`, nonRetryable: true },
      ]);
      // One attempt: a retry would only be refused again.
      expect(attempts).toBe(1);
      expect(JSON.stringify(failures)).not.toContain(secret);
      expect(r.hits).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

// Last in the file (tests run in order): every answer the tests above got from the API matched its OpenAPI document.
test('every answer of this file matches the OpenAPI document (paths, methods, status codes, required fields and types)', () => {
  expect(answersOffDocument()).toEqual([]);
});
