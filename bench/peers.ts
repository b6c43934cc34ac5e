/**
 * The tools Sensei is measured against, run as shell pipelines on the same machine and data:
 * psql \copy … to stdout | psql \copy … from stdin; pgloader; mysqldump | mysql.
 * Each runs under /usr/bin/time so its peak RSS (largest process of the pipeline) is known too.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DB, PG_DDL, TABLE, pgUrl, mysqlUrl } from './data';

export interface PeerRun {
  tool: string;
  ms: number;
  /** Peak RSS of the largest process in the pipeline, MB (null when /usr/bin/time is missing). */
  peakRssMb: number | null;
}

const MYSQL_ARGS = '-h 127.0.0.1 -P 3306 -u root';

/** Runs a bash pipeline with pipefail, each command wrapped in /usr/bin/time -f %M (peak kB). */
async function timed(tool: string, commands: string[]): Promise<PeerRun> {
  const haveTime = fs.existsSync('/usr/bin/time');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-bench-'));
  const files = commands.map((_, i) => path.join(dir, `rss-${i}`));
  const script = 'set -o pipefail; ' + commands.map((c, i) => (haveTime ? `/usr/bin/time -f %M -o ${files[i]} ${c}` : c)).join(' | ');
  const started = Date.now();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('exit', (c) => resolve({ code: c, stderr: err }));
  });
  const ms = Date.now() - started;
  if (code !== 0) throw new Error(`${tool} failed (exit ${code}): ${stderr.trim()}`);
  const peaks = haveTime ? files.map((f) => Number(fs.readFileSync(f, 'utf8').trim().split('\n').pop())) : [];
  fs.rmSync(dir, { recursive: true, force: true });
  return { tool, ms, peakRssMb: peaks.length ? Math.round(Math.max(...peaks) / 1024) : null };
}

/** PostgreSQL → PostgreSQL: the raw COPY pipe into a table created beforehand (with its primary key, as Sensei's). */
export async function copyPipe(): Promise<PeerRun> {
  const setup = spawnSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', pgUrl(DB.peer), '-c', `DROP TABLE IF EXISTS ${TABLE}`, '-c', PG_DDL], { encoding: 'utf8' });
  if (setup.status !== 0) throw new Error(`psql setup failed: ${setup.stderr}`);
  return timed('psql \\copy | psql \\copy', [
    `psql -q ${pgUrl(DB.source)} -c '\\copy ${TABLE} to stdout'`,
    `psql -q -v ON_ERROR_STOP=1 ${pgUrl(DB.peer)} -c '\\copy ${TABLE} from stdin'`,
  ]);
}

/** MariaDB → PostgreSQL with pgloader's defaults (it creates the schema, loads, then builds indexes). */
export async function pgloader(): Promise<PeerRun> {
  const run = await timed('pgloader', [`pgloader --quiet ${mysqlUrl(DB.source)}?useSSL=false ${pgUrl(DB.peer)}`]);
  return run;
}

/** MariaDB → MariaDB: mysqldump | mysql (the PostgreSQL → MariaDB peer: MariaDB's own dump and load of the same rows). */
export async function mysqldumpPipe(): Promise<PeerRun> {
  return timed('mysqldump | mysql', [`mysqldump ${MYSQL_ARGS} --single-transaction ${DB.source} ${TABLE}`, `mysql ${MYSQL_ARGS} ${DB.peer}`]);
}

/** Installs pgloader from Debian when missing (the benchmark needs it; the tests do not). */
export function ensurePgloader(): void {
  if (spawnSync('bash', ['-c', 'command -v pgloader']).status === 0) return;
  process.stderr.write('installing pgloader (apt-get install -y pgloader)…\n');
  const run = spawnSync('bash', ['-c', 'apt-get install -y pgloader || (apt-get update && apt-get install -y pgloader)'], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error('pgloader is missing and apt-get could not install it');
}
