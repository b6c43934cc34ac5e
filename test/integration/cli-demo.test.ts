/**
 * `sensei demo` as a new user runs it (the compiled CLI, its own dev server and worker), its output piped: the copy
 * phase table by table in plain lines, then the pgloader-style summary (no console.table), exit 0. With --json, the
 * final status as JSON on stdout and the commentary on stderr.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDataDir } from '../helpers/temporal';

const CLI = path.resolve(__dirname, '../../dist/cli/sensei.js');

test('the demo shows the copy table by table and ends with the summary table', () => {
  const dataDir = tempDataDir();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, SENSEI_DATA_DIR: dataDir, SENSEI_LOG_LEVEL: 'warn' };
    delete env.TEMPORAL_ADDRESS;
    const demo = spawnSync(process.execPath, [CLI, 'demo', '--strategy', 'aggressive'], { env, encoding: 'utf8', timeout: 150_000 });
    expect({ exit: demo.status, stderr: demo.stderr }).toEqual({ exit: 0, stderr: '' });
    const out = demo.stdout;
    expect(out).not.toMatch(/\x1b\[/);
    expect(out).toContain('phase data_transfer');
    expect(out).toMatch(/^table Track: 3,503\/3,503 rows, done in [\d.]+s \([\d,]+ rows\/s\)$/m);
    expect(out).toMatch(/^table PlaylistTrack: 8,715\/8,715 rows, done in/m);
    expect(out).not.toContain('(index)');
    expect(out).toMatch(/^table\s+rows\s+bytes\s+time\s+rows\/s\s+validation$/m);
    // SQLite takes the row path: bytes are the size of the values as read (SQLite → SQLite reads each with its storage
    // class), the same on every run.
    expect(out).toMatch(/^InvoiceLine\s+2,240\s+41 kB\s+[\d.]+s\s+[\d,]+ rows\/s\s+ok \(2,240 → 2,240\)$/m);
    expect(out).toMatch(/^total \(11\/11 tables\)\s+15,607\s+\d+ kB\s+\S+\s+[\d,]+ rows\/s\s+passed \(5\/5 tiers\)$/m);
    expect(out).toMatch(/^certificate written to .*certificate\.json; check it offline with: node dist\/cli\/sensei\.js certificates verify /m);

    const json = spawnSync(process.execPath, [CLI, 'demo', '--json'], { env, encoding: 'utf8', timeout: 150_000 });
    // On failure the demo's own words (stderr, and the status on stdout) say why: show them, not only the exit code.
    expect({ exit: json.status, stdout: json.status === 0 ? '' : json.stdout.slice(-3000), stderr: json.status === 0 ? '' : json.stderr.slice(-3000) }).toEqual({ exit: 0, stdout: '', stderr: '' });
    const final = JSON.parse(json.stdout) as { status: string; progress: { rows_copied: number }; files: { certificate: string } };
    expect(final).toMatchObject({ status: 'completed', progress: { rows_copied: 15_607 } });
    expect(fs.existsSync(final.files.certificate)).toBe(true);
    // The commentary goes to stderr; SQLite → SQLite keeps every type, so no mapping is lossy and no gate waits.
    expect(json.stderr).toMatch(/^migration mig_\w+, strategy balanced$/m);
    expect(json.stderr).not.toContain('approval gate');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(`${dataDir}-demo`, { recursive: true, force: true });
  }
});
