/**
 * Sensei on a real cluster (scripts/cluster.sh, as README "Running on a cluster" tells a user): the Temporal server on
 * PostgreSQL persistence, the metadata store on PostgreSQL, two worker processes and two API processes behind one
 * address. A multi-table migration is driven over HTTP through that address while one worker and one API process
 * are killed with SIGKILL; it must finish with every row exactly once, validation passed and a signed certificate.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client as PgClient } from 'pg';
import { verifyCertificateText } from '../../lib/certificate';
import type { MigrationStatus } from '../../lib/migration';
import { connectClient } from '../../workers/temporal';
import { compareDatabases } from '../helpers/compare';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const CLUSTER = path.join(ROOT, 'scripts/cluster.sh');

/** Rows per source table: tens of thousands, copied in small chunks so the copy lasts long enough to kill into. */
const TABLES = { customers: 30_000, orders: 40_000, events: 25_000 } as const;
const TOTAL = Object.values(TABLES).reduce((a, b) => a + b, 0);

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-cluster-'));
/** The settings a user would export before `bash scripts/cluster.sh start` (README), unique to this run. */
const clusterEnv: NodeJS.ProcessEnv = {
  ...process.env,
  SENSEI_CLUSTER_DIR: runDir,
  SENSEI_CLUSTER_DB_PREFIX: `sensei_cl_${randomBytes(4).toString('hex')}`,
  SENSEI_CLUSTER_PORT: '0',
  SENSEI_LOG_LEVEL: 'info',
};
const databases: TempDatabase[] = [];
let baseUrl: string;
let apiKey: string;
let temporalAddress: string;

function cluster(command: 'start' | 'status' | 'stop' | 'destroy') {
  return run('bash', [CLUSTER, command], { env: clusterEnv, timeout: 240_000, maxBuffer: 4 << 20 });
}

/** KEY=VALUE lines of a file the cluster script writes in its run directory. */
function readEnvFile(name: string): Record<string, string> {
  const lines = fs.readFileSync(path.join(runDir, name), 'utf8').split('\n').filter((l) => l.includes('='));
  return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

function pidOf(name: string): number {
  return Number(fs.readFileSync(path.join(runDir, 'pids', `${name}.pid`), 'utf8').trim());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilDead(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still alive`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Requests that failed at the transport (a connection to an API process that was killed under it). */
let transportErrors = 0;

class TransportError extends Error {}

/**
 * One request on a connection of its own (no keep-alive), as many independent clients would make them: the proxy
 * spreads connections over the API processes in turn, so requests alternate between them.
 */
function api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      baseUrl + route,
      { method, agent: false, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null, text }));
        res.on('error', (err) => reject(new TransportError(err.message)));
      },
    );
    req.on('error', (err) => reject(new TransportError(err.message)));
    req.end(payload);
  });
}

/** A status poll that rides out what a client sees while processes die: a broken connection or a 503. */
async function status(id: string): Promise<MigrationStatus | undefined> {
  try {
    const res = await api('GET', `/v1/migrations/${id}/status`);
    if (res.status === 503) return undefined;
    expect(res.status).toBe(200);
    return res.body as MigrationStatus;
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    transportErrors += 1;
    return undefined;
  }
}

/** Status polls of migration `id` an API process logged (pino-http logs each request's URL). */
function polledBy(apiName: string, id: string): number {
  const log = fs.readFileSync(path.join(runDir, 'logs', `${apiName}.log`), 'utf8');
  return log.split('\n').filter((line) => line.includes(`/v1/migrations/${id}/status`)).length;
}

const over = (s: MigrationStatus) => ['completed', 'failed', 'cancelled'].includes(s.status);

async function poll(id: string, done: (s: MigrationStatus) => boolean, timeoutMs = 300_000): Promise<MigrationStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: MigrationStatus | undefined;
  for (;;) {
    const s = await status(id);
    if (s) last = s;
    if (s && done(s)) return s;
    if (s && over(s)) throw new Error(`migration ended ${s.status}: ${JSON.stringify(s.failure)}`);
    if (Date.now() > deadline) throw new Error(`timed out; last status ${last?.status} ${last?.phase} ${last?.progress.rows_copied} rows`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Three related tables (integer, bigint and text keys; numeric, timestamps, NULLs) filled by generate_series. */
async function fillSource(connectionString: string): Promise<void> {
  const pg = new PgClient({ connectionString });
  await pg.connect();
  try {
    await pg.query(`
      CREATE TABLE customers (id integer PRIMARY KEY, name text NOT NULL, email text, balance numeric(12,2), joined timestamptz);
      CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), amount numeric(12,2), note text);
      CREATE TABLE events (code text PRIMARY KEY, happened timestamptz NOT NULL, payload text);
      INSERT INTO customers SELECT g, 'customer ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'c' || g || '@example.com' END,
        (g * 37 % 100000) / 100.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute'
        FROM generate_series(1, ${TABLES.customers}) g;
      INSERT INTO orders SELECT g, 1 + g % ${TABLES.customers}, (g * 13 % 50000) / 100.0, CASE WHEN g % 5 = 0 THEN NULL ELSE repeat('n', g % 40) END
        FROM generate_series(1, ${TABLES.orders}) g;
      INSERT INTO events SELECT 'ev-' || lpad(g::text, 8, '0'), timestamptz '2025-06-01 00:00:00+00' + g * interval '1 second', md5(g::text)
        FROM generate_series(1, ${TABLES.events}) g;
    `);
  } finally {
    await pg.end();
  }
}

beforeAll(async () => {
  const started = await cluster('start');
  process.stderr.write(started.stdout);
  const ports = readEnvFile('ports.env');
  const keys = readEnvFile('keys.env');
  baseUrl = `http://127.0.0.1:${ports.PROXY_PORT}`;
  apiKey = keys.GENERATED_API_KEY;
  temporalAddress = `127.0.0.1:${ports.FRONTEND_PORT}`;
}, 300_000);

afterAll(async () => {
  await cluster('destroy').catch((err) => process.stderr.write(`cluster destroy: ${err}\n`));
  await Promise.allSettled(databases.map((d) => d.drop()));
  fs.rmSync(runDir, { recursive: true, force: true });
}, 120_000);

test('a migration survives SIGKILL of one worker and one API process, every row once, with a certificate', async () => {
  const source = await createTempDatabase('postgresql');
  const target = await createTempDatabase('postgresql');
  databases.push(source, target);
  await fillSource(source.endpoint.connectionString);

  // Everything through the one address: connections, the migration, its start.
  const connection = async (name: string, db: TempDatabase) => {
    const res = await api('POST', '/v1/connections', { name, type: 'postgresql', connection_string: db.endpoint.connectionString, schema: 'public' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const created = await api('POST', '/v1/migrations', {
    name: 'cluster',
    source: { connection_id: await connection('cluster source', source) },
    target: { connection_id: await connection('cluster target', target) },
    strategy: 'balanced',
    options: { chunk_size: 500, parallel_tables: 3, auto_approve_high_confidence: true },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
  const gate = await poll(id, (s) => s.status === 'awaiting_approval' || s.phase === 'data_transfer' || s.progress.rows_copied > 0);
  if (gate.status === 'awaiting_approval') expect((await api('POST', `/v1/migrations/${id}/approve`, { comment: 'cluster test' })).status).toBe(200);

  // Mid-copy: both workers have taken chunks; kill -9 one of them and one API process.
  const killAt = Math.round(TOTAL * 0.15);
  const before = await poll(id, (s) => s.progress.rows_copied >= killAt);
  expect(before.progress.rows_copied).toBeLessThan(TOTAL);
  const temporal = await connectClient(temporalAddress, 'default');
  try {
    const shared = await chunkWorkers(temporal, id);
    expect([...shared.keys()].map((identity) => Number(identity.split('@')[0])).sort()).toEqual([pidOf('worker-1'), pidOf('worker-2')].sort());

    // Both API processes have answered this client through the one address.
    expect(polledBy('api-1', id)).toBeGreaterThan(0);
    expect(polledBy('api-2', id)).toBeGreaterThan(0);

    // Kill a worker while it runs a chunk: the target's tables are locked against writes for a moment, so the
    // chunks in flight wait in their writes; the worker holding one of them is killed, then the lock is let go.
    // That chunk must be retried by the other worker (after the 30 s heartbeat timeout) and still land once.
    const lock = new PgClient({ connectionString: target.endpoint.connectionString });
    await lock.connect();
    let inFlight: { activityId: string; pid: number };
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE customers, orders, events IN EXCLUSIVE MODE');
      // A chunk that wrote just before the lock may still be reporting its completion: let that settle first.
      await new Promise((r) => setTimeout(r, 1500));
      inFlight = await chunkHeld(temporal, id);
      process.kill(inFlight.pid, 'SIGKILL');
      process.kill(pidOf('api-1'), 'SIGKILL');
      await Promise.all([waitUntilDead(inFlight.pid), waitUntilDead(pidOf('api-1'))]);
    } finally {
      await lock.query('COMMIT');
      await lock.end();
    }
    expect([pidOf('worker-1'), pidOf('worker-2')]).toContain(inFlight.pid);
    const survivorPid = [pidOf('worker-1'), pidOf('worker-2')].find((pid) => pid !== inFlight.pid) as number;

    // The one address keeps answering: new connections go to the API that lives. (A status query may answer 503
    // for a few seconds, until Temporal gives up the killed worker's sticky queue; polls ride that out.)
    for (let i = 0; i < 6; i++) {
      expect((await api('GET', '/healthz')).status).toBe(200);
      expect((await api('GET', '/v1/migrations')).body.data.map((m: { id: string }) => m.id)).toContain(id);
    }
    const during = await poll(id, () => true);
    expect(during.progress.rows_copied).toBeLessThan(TOTAL);
    const survivorPollsAtKill = polledBy('api-2', id);

    const done = await poll(id, over);
    expect(done.failure).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.progress.rows_copied).toBe(TOTAL);
    expect(done.validation?.status).toBe('passed');
    expect(done.certificate?.certificate_id).toMatch(/^cert_/);
    // Every poll since went to the API that lives.
    expect(polledBy('api-2', id)).toBeGreaterThan(survivorPollsAtKill);

    // The survivor took more chunks after the kill, among them the one the killed worker was running.
    const after = await chunkWorkers(temporal, id);
    const survivor = [...after.keys()].find((identity) => identity.startsWith(`${survivorPid}@`)) as string;
    expect(after.get(survivor)).toBeGreaterThan(shared.get(survivor) ?? 0);
    const retried = await lastStart(temporal, id, inFlight.activityId);
    expect(retried.attempt).toBeGreaterThanOrEqual(2);
    expect(retried.identity).toBe(survivor);
  } finally {
    await temporal.connection.close();
  }

  // Every row exactly once: counts and content checksums of each table, read independently of Sensei.
  const compared = await compareDatabases(source.endpoint, target.endpoint);
  expect(compared.map((t) => [t.table, t.sourceRows]).sort()).toEqual(Object.entries(TABLES).sort());
  for (const t of compared) {
    expect({ table: t.table, rows: t.targetRows, checksum: t.targetChecksum }).toEqual({ table: t.table, rows: t.sourceRows, checksum: t.sourceChecksum });
  }

  // The certificate a worker signed verifies with the public key the API serves: one signing key for all processes.
  const certificate = await api('GET', `/v1/migrations/${id}/certificate`);
  expect(certificate.status).toBe(200);
  const publicKey = (await api('GET', '/v1/certificates/public-key')).body.public_key_pem as string;
  expect(verifyCertificateText(certificate.text, { trustedKey: publicKey })).toMatchObject({ valid: true, problems: [] });
  process.stderr.write(`[cluster] ${transportErrors} status polls broke with the killed API's connections\n`);
}, 600_000);

test('stop ends every process of the cluster', async () => {
  // What the first test left running: the proxy, one API, one worker and the Temporal server.
  const names = ['proxy', 'api-1', 'api-2', 'worker-1', 'worker-2', 'temporal-server'];
  const pids = names.map(pidOf).filter(alive);
  expect(pids).toHaveLength(4);
  expect([pidOf('proxy'), pidOf('api-2'), pidOf('temporal-server')].every(alive)).toBe(true);
  await cluster('stop');
  expect(pids.filter(alive)).toEqual([]);
  await expect(cluster('status')).rejects.toMatchObject({ code: 1 });
  await expect(fetch(`${baseUrl}/healthz`)).rejects.toThrow();
}, 120_000);

/** Worker identities (pid@host) that started copyChunk activities, from the migration's history. */
async function chunkWorkers(temporal: Awaited<ReturnType<typeof connectClient>>, id: string): Promise<Map<string, number>> {
  const history = await temporal.workflow.getHandle(id).fetchHistory();
  const scheduled = new Set<string>();
  const byIdentity = new Map<string, number>();
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'copyChunk') scheduled.add(String(event.eventId));
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduled.has(String(started.scheduledEventId))) {
      byIdentity.set(started.identity ?? '?', (byIdentity.get(started.identity ?? '?') ?? 0) + 1);
    }
  }
  return byIdentity;
}

/** Temporal's PendingActivityState.PENDING_ACTIVITY_STATE_STARTED: a worker holds the task. */
const PENDING_ACTIVITY_STARTED = 2;

/** Waits (bounded) until a worker process runs a copyChunk of the migration: the activity and the worker's pid. */
async function chunkHeld(temporal: Awaited<ReturnType<typeof connectClient>>, id: string): Promise<{ activityId: string; pid: number }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { raw } = await temporal.workflow.getHandle(id).describe();
    const running = (raw.pendingActivities ?? []).find(
      (a) => a.activityType?.name === 'copyChunk' && Number(a.state) === PENDING_ACTIVITY_STARTED && a.lastWorkerIdentity && a.activityId,
    );
    if (running) return { activityId: running.activityId as string, pid: Number((running.lastWorkerIdentity as string).split('@')[0]) };
    if (Date.now() > deadline) throw new Error('no worker ran a chunk within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The attempt and worker of the last start of activity `activityId` (the start recorded when it ended). */
async function lastStart(temporal: Awaited<ReturnType<typeof connectClient>>, id: string, activityId: string): Promise<{ attempt: number; identity: string }> {
  const history = await temporal.workflow.getHandle(id).fetchHistory();
  const scheduled = new Set<string>();
  let last = { attempt: 0, identity: '' };
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityId === activityId) scheduled.add(String(event.eventId));
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduled.has(String(started.scheduledEventId))) last = { attempt: started.attempt ?? 0, identity: started.identity ?? '' };
  }
  return last;
}
