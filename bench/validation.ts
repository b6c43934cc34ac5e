/**
 * npm run bench:validation — the semantic tier on bench_rows (1,000,000 rows by default), equal tables:
 * in-database range digests against reading both tables out and comparing them in the worker.
 *
 *   node dist/bench/validation.js [--rows 1000000] [--only pg-pg,my-pg,my-my] [--skip-worker]
 *
 * Pairs: pg-pg (the PostgreSQL source copied with psql \copy into sensei_bench_validate; the copy's time is
 * the "move the data once" anchor), my-pg (MariaDB's bench_rows against PostgreSQL's, which bench/data.ts
 * generates with equal values), my-my (MariaDB's copied with INSERT … SELECT). Per method: wall time, rows
 * verified per second and bytes received from the database sockets. Then, per pair, 10 changed rows in
 * the target: the time and bytes of finding and naming them. Writes bench/results/validation-<timestamp>.json.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import mysqlCallbacks from 'mysql2';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { compareTableContent, compareTableInDatabase, openDigestSessions } from '../activities/validation';
import { createConnector } from '../connectors/registry';
import type { Connector, Endpoint } from '../connectors/types';
import { planMigration } from '../lib/mapping';
import type { TableContentHash } from '../lib/migration';
import { quoteList } from '../lib/quote';
import type { TablePlan } from '../lib/types';
import { digestSessionSql, digestTables, rowSql } from '../lib/validation/digest';
import { tableRef, type Place } from '../lib/validation/sql';
import { DB, MYSQL_DDL, PG_DDL, TABLE, buildSources, freshMysqlDatabase, freshPgDatabase, mysqlUrl, pgUrl, withMysql, withPg } from './data';

const PAIRS = ['pg-pg', 'my-pg', 'my-my'] as const;
type Pair = (typeof PAIRS)[number];
const TARGET_DB = 'sensei_bench_validate';
const ROOT = path.resolve(__dirname, '../..');
const CHANGED_ROWS = 10;

// ---------------------------------------------------------------- bytes received from every database socket

const sockets = new Set<net.Socket>();
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  sockets.add(this);
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;
const bytesReceived = () => [...sockets].reduce((n, s) => n + s.bytesRead, 0);

// ---------------------------------------------------------------- endpoints and data

const endpoint = (dialect: 'pg' | 'my', db: string): Endpoint =>
  dialect === 'pg' ? { type: 'postgresql', connectionString: pgUrl(db), schema: 'public' } : { type: 'mysql', connectionString: mysqlUrl(db), schema: db };

function sides(pair: Pair): { source: Endpoint; target: Endpoint } {
  if (pair === 'pg-pg') return { source: endpoint('pg', DB.source), target: endpoint('pg', TARGET_DB) };
  if (pair === 'my-pg') return { source: endpoint('my', DB.source), target: endpoint('pg', DB.source) };
  return { source: endpoint('my', DB.source), target: endpoint('my', TARGET_DB) };
}

/** Copies the source into the pair's target; returns the copy's time for pg-pg (the psql \copy pipe). */
async function prepareTarget(pair: Pair): Promise<number | null> {
  if (pair === 'pg-pg') {
    await freshPgDatabase(TARGET_DB);
    await withPg(TARGET_DB, (c) => c.query(PG_DDL));
    const started = Date.now();
    const r = spawnSync('bash', ['-c', `set -o pipefail; psql -q ${pgUrl(DB.source)} -c '\\copy ${TABLE} to stdout' | psql -q -v ON_ERROR_STOP=1 ${pgUrl(TARGET_DB)} -c '\\copy ${TABLE} from stdin'`], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`copy failed: ${r.stderr}`);
    const ms = Date.now() - started;
    await withPg(TARGET_DB, (c) => c.query(`VACUUM ANALYZE ${TABLE}`));
    return ms;
  }
  if (pair === 'my-my') {
    await freshMysqlDatabase(TARGET_DB);
    await withMysql(async (c) => {
      await c.query(`USE \`${TARGET_DB}\``);
      await c.query(MYSQL_DDL);
      await c.query(`INSERT INTO \`${TARGET_DB}\`.${TABLE} SELECT * FROM \`${DB.source}\`.${TABLE}`);
    });
  }
  return null;
}

/** Changes (or restores) one value in `CHANGED_ROWS` rows of the target spread over the key range. */
async function changeRows(pair: Pair, rows: number, restore: boolean): Promise<number[]> {
  const ids = Array.from({ length: CHANGED_ROWS }, (_, i) => Math.floor((i * rows) / CHANGED_ROWS) + 7);
  const target = sides(pair).target;
  const sql = restore ? `UPDATE ${TABLE} SET name = CONCAT('customer-', id) WHERE id IN (${ids.join(',')})` : `UPDATE ${TABLE} SET name = 'changed' WHERE id IN (${ids.join(',')})`;
  if (target.type === 'postgresql') await withPg(pair === 'pg-pg' ? TARGET_DB : DB.source, (c) => c.query(sql.replace("CONCAT('customer-', id)", "'customer-' || id")));
  else
    await withMysql(async (c) => {
      await c.query(`USE \`${TARGET_DB}\``);
      await c.query(sql);
    });
  return ids;
}

// ---------------------------------------------------------------- methods

interface MethodRun {
  method: string;
  ms: number;
  rows: number;
  rowsPerSec: number;
  bytesReceived: number;
  bytesPerRow: number;
  equal: boolean;
  differingRows: number;
  named: string[];
}

function finish(method: string, started: number, bytes0: number, hash: TableContentHash, failures: number, named: string[]): MethodRun {
  const ms = Date.now() - started;
  const bytes = bytesReceived() - bytes0;
  return {
    method,
    ms,
    rows: hash.source_rows,
    rowsPerSec: Math.round(hash.source_rows / (ms / 1000)),
    bytesReceived: bytes,
    bytesPerRow: Number((bytes / Math.max(1, hash.source_rows)).toFixed(2)),
    equal: hash.source_sha256 === hash.target_sha256 && hash.source_rows === hash.target_rows && failures === 0,
    differingRows: failures,
    named,
  };
}

async function inDatabase(pair: Pair, plan: TablePlan, sp: Place, tp: Place): Promise<MethodRun> {
  const { source, target } = sides(pair);
  const digests = await openDigestSessions(source, target, sp, tp);
  if (!digests.sessions) throw new Error(`no in-database digest for ${pair}: ${digests.refusal}`);
  try {
    const bytes0 = bytesReceived();
    const started = Date.now();
    const r = await compareTableInDatabase(digests.sessions[0], digests.sessions[1], sp, tp, plan, null, null, () => undefined);
    return finish('in-database range digests', started, bytes0, r.hash, r.failures, r.findings.map((f) => JSON.stringify(f.key)));
  } finally {
    await digests.close();
  }
}

async function inWorker(source: Connector, target: Connector, plan: TablePlan): Promise<MethodRun> {
  const bytes0 = bytesReceived();
  const started = Date.now();
  const r = await compareTableContent(source, target, plan, null, null, () => undefined);
  return finish('export both, compare in the worker', started, bytes0, r.hash, r.failures, r.findings.map((f) => JSON.stringify(f.key)));
}

/**
 * The plainest full export: each database streams its whole table, ordered by key, already rendered in the
 * normal form (so the pair can differ in dialect), and the worker compares the two streams by sha256.
 * Lines are COPY text on PostgreSQL; MariaDB's values get the same escaping.
 */
async function plainExport(pair: Pair, plan: TablePlan, sp: Place, tp: Place): Promise<MethodRun> {
  const { source, target } = sides(pair);
  const tables = digestTables(plan);
  const stream = async (e: Endpoint, p: Place, which: 'source' | 'target'): Promise<{ sha256: string; rows: number }> => {
    const t = tables[which];
    const sql = `SELECT ${rowSql(p, t.columns)} FROM ${tableRef(p, t.table)} ORDER BY ${quoteList(p.dialect, t.key)}`;
    const hash = createHash('sha256');
    let rows = 0;
    if (e.type === 'postgresql') {
      const c = new Client({ connectionString: e.connectionString });
      await c.connect();
      try {
        for (const s of digestSessionSql(p)) await c.query(s);
        const out = c.query(copyTo(`COPY (${sql}) TO STDOUT`));
        for await (const chunk of out as AsyncIterable<Buffer>) {
          hash.update(chunk);
          for (const b of chunk) if (b === 10) rows++;
        }
      } finally {
        await c.end();
      }
    } else {
      const c = mysqlCallbacks.createConnection({ uri: e.connectionString, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
      try {
        for (const s of digestSessionSql(p)) await c.promise().query(s);
        const copyText = (v: string) => (/[\\\n\r\t]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t') : v);
        for await (const row of c.query({ sql, rowsAsArray: true }).stream() as AsyncIterable<unknown[]>) {
          hash.update(copyText(String(row[0])) + '\n');
          rows++;
        }
      } finally {
        await c.promise().end();
      }
    }
    return { sha256: hash.digest('hex'), rows };
  };
  const bytes0 = bytesReceived();
  const started = Date.now();
  const [a, b] = await Promise.all([stream(source, sp, 'source'), stream(target, tp, 'target')]);
  const hash: TableContentHash = { ...emptyHash(plan), source_rows: a.rows, target_rows: b.rows, source_sha256: a.sha256, target_sha256: b.sha256 };
  return finish('plain export of both (normal form), sha256 in the worker', started, bytes0, hash, a.sha256 === b.sha256 ? 0 : 1, []);
}

function emptyHash(plan: TablePlan): TableContentHash {
  return { table: plan.source.name, target: plan.target, source_rows: 0, target_rows: 0, chunks: 0, differing_chunks: 0, source_sha256: '', target_sha256: '' };
}

// ---------------------------------------------------------------- main

interface PairResult {
  pair: Pair;
  rows: number;
  copyMs: number | null;
  equal: MethodRun[];
  changed: MethodRun | null;
}

async function runPair(pair: Pair, rows: number, worker: boolean): Promise<PairResult> {
  const copyMs = await prepareTarget(pair);
  const { source: se, target: te } = sides(pair);
  const [source, target] = await Promise.all([createConnector(se), createConnector(te, { role: 'target' })]);
  try {
    const schema = await source.introspect({ tables: [TABLE] });
    const plan = planMigration(schema, te.type, { targetSchema: target.schema }).tables[0];
    const sp: Place = { dialect: source.dialect, schema: source.schema };
    const tp: Place = { dialect: target.dialect, schema: target.schema };
    const equal: MethodRun[] = [];
    const measure = async (run: Promise<MethodRun>, label?: string) => {
      const m = await run;
      if (label) m.method = label;
      equal.push(m);
      log(`  ${pair}: ${line(m)}`);
    };
    // Twice: the first pass right after the copy may meet a cold cache.
    await measure(inDatabase(pair, plan, sp, tp), 'in-database range digests (1st pass)');
    await measure(inDatabase(pair, plan, sp, tp), 'in-database range digests (2nd pass)');
    await measure(plainExport(pair, plan, sp, tp));
    if (worker) await measure(inWorker(source, target, plan));
    await changeRows(pair, rows, false);
    let changed: MethodRun | null = null;
    try {
      changed = await inDatabase(pair, plan, sp, tp);
      changed.method = `in-database, ${CHANGED_ROWS} rows changed`;
      log(`  ${pair}: ${line(changed)}`);
    } finally {
      await changeRows(pair, rows, true);
    }
    return { pair, rows, copyMs, equal, changed };
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
}

const log = (s: string) => process.stderr.write(s + '\n');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (b: number) => `${(b / 1e6).toFixed(b < 1e6 ? 3 : 1)} MB`;
const line = (m: MethodRun) =>
  `${m.method}: ${secs(m.ms)}, ${m.rowsPerSec.toLocaleString('en-US')} rows/s, ${mb(m.bytesReceived)} received (${m.bytesPerRow} B/row), ` +
  (m.equal ? 'equal' : `${m.differingRows} differing rows`);

function printTable(results: PairResult[]): void {
  const rows = [['pair', 'method', 'time', 'rows/s', 'received', 'B/row', 'outcome']];
  for (const r of results) {
    for (const m of [...r.equal, ...(r.changed ? [r.changed] : [])]) {
      rows.push([r.pair, m.method, secs(m.ms), m.rowsPerSec.toLocaleString('en-US'), mb(m.bytesReceived), String(m.bytesPerRow), m.equal ? 'equal' : `${m.differingRows} rows named`]);
    }
    if (r.copyMs !== null) rows.push([r.pair, 'anchor: psql \\copy | psql \\copy (move once)', secs(r.copyMs), Math.round(r.rows / (r.copyMs / 1000)).toLocaleString('en-US'), '', '', '']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [i, r] of rows.entries()) {
    process.stdout.write(r.map((c, j) => c.padEnd(widths[j])).join('  ') + '\n');
    if (i === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  }
}

async function main(): Promise<void> {
  const opts = new Command()
    .option('--rows <n>', 'rows in bench_rows', '1000000')
    .option('--only <pairs>', `comma-separated pairs of ${PAIRS.join(', ')}`, PAIRS.join(','))
    .option('--skip-worker', 'measure only the in-database digests')
    .parse()
    .opts<{ rows: string; only: string; skipWorker?: boolean }>();
  const rows = Number(opts.rows.replace(/_/g, ''));
  const pairs = opts.only.split(',').map((s) => s.trim()) as Pair[];
  for (const p of pairs) if (!PAIRS.includes(p)) throw new Error(`unknown pair ${p}; known: ${PAIRS.join(', ')}`);
  log(`building ${rows.toLocaleString('en-US')} rows (reused when present) …`);
  const built = await buildSources(rows, { pg: true, mysql: pairs.some((p) => p.startsWith('my')) });
  log(`  sources ready (PostgreSQL ${built.pgMs} ms, MariaDB ${built.mysqlMs} ms)`);
  const results: PairResult[] = [];
  for (const pair of pairs) results.push(await runPair(pair, rows, !opts.skipWorker));
  printTable(results);
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `validation-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  fs.writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2) + '\n');
  log(`wrote ${path.relative(ROOT, file)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
