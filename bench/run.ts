/**
 * npm run bench — Sensei's real migration path against the usual tools, side by side on one machine and one data set.
 *
 *   node dist/bench/run.js [--sizes 1000000,5000000] [--rows 1000000] [--only pg-pg,my-pg,pg-my] [--skip-peers] [--partitions n]
 *
 * Prints rows/s, the ratio to each peer, the worker's peak RSS and Temporal history events per million rows,
 * and writes them to bench/results/<timestamp>.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import type { Endpoint } from '../connectors/types';
import type { MigrationOptions } from '../lib/migration';
import { DB, TABLE, buildSources, freshMysqlDatabase, freshPgDatabase, mysqlUrl, pgUrl, withMysql, withPg } from './data';
import { copyPipe, ensurePgloader, mysqldumpPipe, pgloader, type PeerRun } from './peers';
import { SenseiBench, type SenseiRun } from './sensei';

const PAIRS = ['pg-pg', 'my-pg', 'pg-my'] as const;
type Pair = (typeof PAIRS)[number];

/** Goals from issue 5: Sensei's rows/s as a multiple of the peer's. */
const GOALS: Record<Pair, number> = { 'pg-pg': 0.8, 'my-pg': 1.5, 'pg-my': 1.0 };

interface Result {
  pair: Pair;
  rows: number;
  sensei: SenseiRun & { rowsPerSec: number; eventsPerMillionRows: number };
  peer: (PeerRun & { rowsPerSec: number }) | null;
  ratio: number | null;
  goal: number;
  meetsGoal: boolean | null;
}

const ROOT = path.resolve(__dirname, '../..');

async function main(): Promise<void> {
  const program = new Command()
    .option('--rows <n>', 'one size (rows); same as --sizes n')
    .option('--sizes <list>', 'comma-separated sizes', '1000000')
    .option('--only <pairs>', `comma-separated pairs of ${PAIRS.join(', ')}`, PAIRS.join(','))
    .option('--skip-peers', 'measure Sensei only')
    .option('--partitions <n>', "the migration's options.table_partitions (default: one range per million rows, at most the strategy's 6 lanes)")
    .parse();
  const opts = program.opts<{ rows?: string; sizes: string; only: string; skipPeers?: boolean; partitions?: string }>();
  const options = opts.partitions ? { table_partitions: Number(opts.partitions) } : {};
  const sizes = (opts.rows ?? opts.sizes).split(',').map((s) => Number(s.replace(/_/g, '')));
  const pairs = opts.only.split(',').map((s) => s.trim()) as Pair[];
  for (const p of pairs) if (!PAIRS.includes(p)) throw new Error(`unknown pair ${p}; known: ${PAIRS.join(', ')}`);
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error('sizes must be positive integers');
  if (!opts.skipPeers && pairs.includes('my-pg')) ensurePgloader();

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-bench-'));
  const sensei = await SenseiBench.start(dataDir);
  const results: Result[] = [];
  try {
    for (const rows of sizes) {
      const needPg = pairs.some((p) => p.startsWith('pg'));
      const needMysql = pairs.includes('my-pg') || (!opts.skipPeers && pairs.includes('pg-my'));
      log(`building ${rows.toLocaleString()} rows …`);
      const built = await buildSources(rows, { pg: needPg, mysql: needMysql });
      log(`  sources ready (PostgreSQL ${built.pgMs} ms, MariaDB ${built.mysqlMs} ms)`);
      for (const pair of pairs) {
        const result = await runPair(sensei, pair, rows, !opts.skipPeers, options);
        results.push(result);
        if (result.sensei.failure) log(`  ${pair}: note — the workflow ended ${result.sensei.failure}`);
        log(`  ${pair}: phases ${JSON.stringify(result.sensei.phaseMs)}, total with validation ${secs(result.sensei.totalMs)}`);
        log(`  ${pair}: activities ${JSON.stringify(result.sensei.activities)}`);
        log(
          `  ${pair}: Sensei ${rate(result.sensei.rowsPerSec)} rows/s (${secs(result.sensei.ms)})` +
            (result.peer ? `, ${result.peer.tool} ${rate(result.peer.rowsPerSec)} rows/s (${secs(result.peer.ms)}), ratio ${result.ratio?.toFixed(2)}×` : ''),
        );
      }
    }
  } finally {
    await sensei.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  printTable(results);
  const dir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version };
  fs.writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine, results }, null, 2) + '\n');
  log(`results written to ${path.relative(process.cwd(), file)}`);
}

async function runPair(sensei: SenseiBench, pair: Pair, rows: number, withPeer: boolean, options: MigrationOptions): Promise<Result> {
  const pgSource: Endpoint = { type: 'postgresql', connectionString: pgUrl(DB.source) };
  const mySource: Endpoint = { type: 'mysql', connectionString: mysqlUrl(DB.source) };
  const source = pair.startsWith('pg') ? pgSource : mySource;
  const toPg = pair.endsWith('pg');
  if (toPg) await freshPgDatabase(DB.sensei);
  else await freshMysqlDatabase(DB.sensei);
  const target: Endpoint = toPg ? { type: 'postgresql', connectionString: pgUrl(DB.sensei) } : { type: 'mysql', connectionString: mysqlUrl(DB.sensei) };

  const run = await sensei.migrate(source, target, TABLE, {}, options);
  const landed = toPg
    ? await withPg(DB.sensei, (c) => c.query(`SELECT count(*)::int AS n FROM ${TABLE}`).then((r) => r.rows[0].n as number))
    : await withMysql((c) => c.query(`SELECT COUNT(*) AS n FROM \`${DB.sensei}\`.${TABLE}`).then(([r]) => Number((r as { n: number }[])[0].n)));
  if (landed !== rows) throw new Error(`${pair}: the target holds ${landed} rows, expected ${rows}`);
  const senseiResult = { ...run, rowsPerSec: rows / (run.ms / 1000), eventsPerMillionRows: Math.round((run.historyEvents * 1_000_000) / rows) };

  let peer: Result['peer'] = null;
  if (withPeer) {
    if (toPg) await freshPgDatabase(DB.peer);
    else await freshMysqlDatabase(DB.peer);
    const p = pair === 'pg-pg' ? await copyPipe() : pair === 'my-pg' ? await pgloader() : await mysqldumpPipe();
    peer = { ...p, rowsPerSec: rows / (p.ms / 1000) };
  }
  // The targets are rebuilt next time; free the disk now.
  if (toPg) await withPg('postgres', (c) => c.query(`DROP DATABASE IF EXISTS ${DB.sensei} WITH (FORCE)`));
  const ratio = peer ? senseiResult.rowsPerSec / peer.rowsPerSec : null;
  return { pair, rows, sensei: senseiResult, peer, ratio, goal: GOALS[pair], meetsGoal: ratio === null ? null : ratio >= GOALS[pair] };
}

function printTable(results: Result[]): void {
  const header = ['pair', 'rows', 'Sensei s', 'Sensei rows/s', 'peer', 'peer s', 'peer rows/s', 'ratio', 'goal', 'worker peak MB: copy / all (start)', 'events/M rows', 'chunks'];
  const lines = results.map((r) => [
    r.pair,
    r.rows.toLocaleString('en-US'),
    secs(r.sensei.ms),
    rate(r.sensei.rowsPerSec),
    r.peer?.tool ?? '-',
    r.peer ? secs(r.peer.ms) : '-',
    r.peer ? rate(r.peer.rowsPerSec) : '-',
    r.ratio === null ? '-' : `${r.ratio.toFixed(2)}×`,
    `${r.goal}× ${r.meetsGoal === null ? '' : r.meetsGoal ? 'met' : 'NOT met'}`,
    `${r.sensei.copyPeakRssMb || '?'} / ${r.sensei.peakRssMb} (${r.sensei.startupPeakRssMb})`,
    String(r.sensei.eventsPerMillionRows),
    String(r.sensei.chunks),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  process.stdout.write('\n' + fmt(header) + '\n' + fmt(widths.map((w) => '-'.repeat(w))) + '\n' + lines.map(fmt).join('\n') + '\n\n');
}

const rate = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (line: string) => process.stderr.write(line + '\n');

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
