/**
 * npm run bench:api — GET …/status under load: concurrent pollers of one migration, through the API as it runs in
 * production (its own process, `npm run api`), a worker process and the Temporal dev server.
 *
 *   node dist/bench/api.js [--pollers 50] [--seconds 10] [--every 90]
 *
 * Each run is `--pollers` clients polling for `--seconds` (after a one-second warm-up), with a read-only API key of
 * their own (the default limit of 50 requests per second per key would cap them):
 * - GET /healthz, for reference: what the API process answers on this machine with no auth and no store;
 * - a completed migration's status through the API (its final status comes from the metadata store), and an open
 *   migration's (it waits at the approval gate; readers share one query per 250 ms): back to back (as fast as the
 *   API answers), and paced (each poller once per `--every` ms: 50 pollers every 90 ms ask about 555 times a second);
 * - for comparison, what each request cost before: one status query per request, straight to Temporal, for the
 *   closed workflow (a replay of its history on the worker) and for the open one.
 * Prints requests per second and latency percentiles; writes bench/results/api-<timestamp>.json (git-ignored).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { statusQuery } from '../workflows/migration';
import { freePort, startDevServer } from '../workers/dev-server';
import { connectClient, ensureWorkflowBundle } from '../workers/temporal';
import { WORKER_NODE_FLAGS } from '../workers/worker';
import { freshPgDatabase, pgUrl, withPg } from './data';

const ROOT = path.resolve(__dirname, '../..');
const SOURCE_DB = 'sensei_bench_api_src';
const TARGET_DB = 'sensei_bench_api_dst';
const ROWS = 10_000;

interface Run {
  what: string;
  requests: number;
  failed: number;
  perSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * `pollers` loops calling `once` for `seconds` (after a one-second warm-up that is not counted): back to back, or, with
 * `everyMs`, each poller once per `everyMs` (a slow answer delays its poller's next request, never piles up).
 */
async function load(what: string, pollers: number, seconds: number, once: () => Promise<boolean>, everyMs = 0): Promise<Run> {
  const loop = async (until: number, latencies: number[] | null, failures: { n: number }) => {
    // Pollers start spread over one interval, as independent clients would, then keep to their own ticks.
    let next = performance.now() + Math.random() * everyMs;
    while (Date.now() < until) {
      if (everyMs) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next = Math.max(next + everyMs, performance.now());
      }
      const started = performance.now();
      const ok = await once().catch(() => false);
      latencies?.push(performance.now() - started);
      if (!ok) failures.n += 1;
    }
  };
  await Promise.all(Array.from({ length: pollers }, () => loop(Date.now() + 1_000, null, { n: 0 })));
  const latencies: number[] = [];
  const failures = { n: 0 };
  const started = performance.now();
  await Promise.all(Array.from({ length: pollers }, () => loop(Date.now() + seconds * 1_000, latencies, failures)));
  const elapsed = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 10) / 10;
  return { what, requests: latencies.length, failed: failures.n, perSecond: Math.round(latencies.length / elapsed), p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1) };
}

function spawnProcess(script: string, env: NodeJS.ProcessEnv, flags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...flags, path.join(ROOT, script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForPollers(client: Client, taskQueue: string): Promise<void> {
  await until('worker polling', async () => {
    const counts = await Promise.all(
      [1, 2].map((taskQueueType) => client.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, taskQueueType }).then((r) => r.pollers?.length ?? 0)),
    );
    return counts.every((n) => n > 0) ? true : undefined;
  });
}

async function main() {
  const opts = new Command()
    .option('--pollers <n>', 'concurrent pollers', '50')
    .option('--seconds <n>', 'seconds per run', '10')
    .option('--every <ms>', 'interval of each poller in the paced runs (50 pollers every 90 ms: about 555 requests/s)', '90')
    .parse()
    .opts();
  const pollers = Number(opts.pollers);
  const seconds = Number(opts.seconds);

  await freshPgDatabase(SOURCE_DB);
  await freshPgDatabase(TARGET_DB);
  await withPg(SOURCE_DB, async (c) => {
    await c.query('CREATE TABLE readings (id integer PRIMARY KEY, value numeric(10,3) NOT NULL, at timestamptz NOT NULL)');
    await c.query(`INSERT INTO readings SELECT g, g / 3.0, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, ${ROWS}) g`);
  });

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-bench-api-'));
  const server = await startDevServer(dataDir, { port: await freePort(), dbFile: '', ui: false });
  const client = await connectClient(server.address, 'default');
  await ensureWorkflowBundle();
  const apiKey = `sk_test_${randomBytes(16).toString('hex')}`;
  const port = await freePort();
  const env = {
    TEMPORAL_ADDRESS: server.address,
    SENSEI_TASK_QUEUE: `bench-api-${randomBytes(4).toString('hex')}`,
    SENSEI_ENCRYPTION_KEY: randomBytes(24).toString('base64url'),
    SENSEI_DATA_DIR: dataDir,
    SENSEI_API_KEY: apiKey,
    SENSEI_LOG_LEVEL: 'warn',
    PORT: String(port),
  };
  const worker = spawnProcess('dist/workers/worker.js', env, WORKER_NODE_FLAGS);
  const profile = process.env.SENSEI_BENCH_CPU_PROF;
  const api = spawnProcess('dist/workers/api.js', env, profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []);
  const base = `http://127.0.0.1:${port}`;
  const call = async (method: string, url: string, key = apiKey, body?: unknown) => {
    const res = await fetch(base + url, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  try {
    await waitForPollers(client, env.SENSEI_TASK_QUEUE);
    await until('API listening', () => fetch(`${base}/healthz`).then((r) => (r.ok ? true : undefined)));
    const reader = await call('POST', '/v1/api-keys', apiKey, { name: 'bench pollers', scopes: ['read'], rate_limit_per_second: 100_000 });
    const readKey = reader.body.key as string;
    const migration = async (strategy: string) => {
      const created = await call('POST', '/v1/migrations', apiKey, {
        name: `bench api ${strategy}`,
        source: { type: 'postgresql', connection_string: pgUrl(SOURCE_DB) },
        target: { type: 'postgresql', connection_string: pgUrl(TARGET_DB), schema: `bench_${strategy}` },
        strategy,
      });
      const id = created.body.id as string;
      await call('POST', `/v1/migrations/${id}/start`);
      return id;
    };
    const closed = await migration('aggressive');
    await client.workflow.getHandle(closed).result();
    const open = await migration('conservative');
    await until('open migration at its gate', async () => ((await call('GET', `/v1/migrations/${open}/status`)).body?.status === 'awaiting_approval' ? true : undefined));

    // node:http with keep-alive: fetch (undici) costs the load generator itself several times more per request.
    const agent = new http.Agent({ keepAlive: true, maxSockets: pollers });
    const poll = (id: string | null) => () =>
      new Promise<boolean>((resolve, reject) => {
        const url = id ? `/v1/migrations/${id}/status` : '/healthz';
        const req = http.get({ host: '127.0.0.1', port, path: url, agent, headers: { authorization: `Bearer ${readKey}` } }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode === 200));
        });
        req.on('error', reject);
      });
    const query = (id: string) => async () => {
      await client.workflow.getHandle(id).query(statusQuery);
      return true;
    };
    const runs: Run[] = [];
    const paced = `each poller every ${opts.every} ms`;
    for (const [what, once, every] of [
      ['GET /healthz (no auth, no store): the API process on this machine, for reference', poll(null), 0],
      ['completed migration, through the API, back to back', poll(closed), 0],
      ['open migration (at its gate), through the API, back to back', poll(open), 0],
      [`completed migration, through the API, ${paced}`, poll(closed), Number(opts.every)],
      [`open migration (at its gate), through the API, ${paced}`, poll(open), Number(opts.every)],
      ['before: a status query per request, completed (closed workflow), back to back', query(closed), 0],
      ['before: a status query per request, open workflow, back to back', query(open), 0],
    ] as const) {
      const run = await load(what, pollers, seconds, once, every);
      runs.push(run);
      console.log(`${what}: ${run.perSecond} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms (${run.requests} requests, ${run.failed} failed)`);
    }
    agent.destroy();
    await call('DELETE', `/v1/migrations/${open}`, apiKey, { reason: 'bench over' });

    console.log(`\n${pollers} pollers, ${seconds} s per run, ${os.cpus().length} cores\n`);
    console.log('| what | requests | req/s | p50 ms | p90 ms | p99 ms | max ms | failed |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of runs) console.log(`| ${r.what} | ${r.requests} | ${r.perSecond} | ${r.p50Ms} | ${r.p90Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.failed} |`);
    const out = path.join(ROOT, 'bench/results', `api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ pollers, seconds, cores: os.cpus().length, runs }, null, 2));
    console.log(`\nwritten to ${path.relative(ROOT, out)}`);
  } finally {
    await Promise.all([stop(api), stop(worker)]);
    await client.connection.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
