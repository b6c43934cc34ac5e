/**
 * The `sensei` CLI as an operator runs it: the compiled dist/cli/sensei.js as a child process against the real API
 * (a Temporal dev server, the API over loopback HTTP and a worker process). A PostgreSQL → PostgreSQL migration is
 * created, started, approved at the gate and watched to completion; another is cancelled while watched; --json output
 * parses; a bad key is one clear line and exit 1; no key or password is ever printed but a new key, once.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';
import { WorkerProcess, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

const CLI = path.resolve(__dirname, '../../dist/cli/sensei.js');
const ANSI_CURSOR = /\x1b\[\d*[ABGKJ]/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI run in progress: its outcome, and what it has printed so far. */
type Running = Promise<Run> & { printed: () => string };

/** Runs the CLI without blocking this process (the API answers from it). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}, command: string[] = [process.execPath, CLI]): Running {
  let stdout = '';
  const done = new Promise<Run>((resolve, reject) => {
    const [file, ...pre] = command;
    const child = spawn(file as string, [...pre, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return Object.assign(done, { printed: () => stdout });
}

describe('sensei CLI against the real API', () => {
  let stack: Stack;
  let worker: WorkerProcess;
  let dataDir: string;
  let source: TempDatabase;
  const targets: TempDatabase[] = [];
  let env: NodeJS.ProcessEnv;
  const run = (...args: string[]) => cli(args, env);
  const json = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => {
    const r = await run(...args, '--json');
    if (r.code !== 0) throw new Error(`sensei ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const target = async () => {
    const db = await createTempDatabase('postgresql');
    targets.push(db);
    return db.endpoint.connectionString;
  };

  beforeAll(async () => {
    dataDir = tempDataDir();
    stack = await startStack(dataDir);
    worker = new WorkerProcess({ ...stack.workerEnv, SENSEI_LOG_LEVEL: 'info' });
    worker.start();
    source = await createTempDatabase('postgresql');
    const pg = new Client({ connectionString: source.endpoint.connectionString });
    await pg.connect();
    try {
      await pg.query(`CREATE TABLE items (id integer PRIMARY KEY, label text NOT NULL, price numeric(10,2), added timestamptz NOT NULL DEFAULT now())`);
      await pg.query(`INSERT INTO items (id, label, price) SELECT g, 'item ' || g, g / 100.0 FROM generate_series(1, 40000) g`);
      await pg.query(`CREATE TABLE tags (id integer PRIMARY KEY, name varchar(40) NOT NULL)`);
      await pg.query(`INSERT INTO tags SELECT g, 'tag ' || g FROM generate_series(1, 300) g`);
      await pg.query('ANALYZE');
    } finally {
      await pg.end();
    }
    // SENSEI_DATA_DIR points where no api-key file lies: the key comes from SENSEI_API_KEY only.
    env = { SENSEI_API_URL: stack.baseUrl, SENSEI_API_KEY: stack.apiKey, SENSEI_DATA_DIR: path.join(dataDir, 'cli-none') };
    await worker.ready();
  });

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await stack?.close();
    await source?.drop();
    for (const t of targets) await t.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('create → start → approve at the gate → watch to completion (exit 0, plain lines); --json parses', async () => {
    const targetUrl = await target();
    const created = await json<{ id: string; status: string }>(
      'migrations', 'create', '--name', 'cli items', '--source', source.endpoint.connectionString, '--target', targetUrl, '--chunk-size', '2000',
    );
    expect(created).toMatchObject({ status: 'created' });
    const id = created.id;
    expect((await json<{ status: string }>('migrations', 'start', id)).status).toMatch(/running|created/);

    // The watcher runs from the start; it sees the gate, waits through it, and ends with the migration.
    const watching = run('migrations', 'watch', id, '--interval', '200');
    const deadline = Date.now() + 60_000;
    let shown: { status: string; gate: { state: string } | null };
    do {
      await new Promise((r) => setTimeout(r, 300));
      shown = await json('migrations', 'show', id);
    } while (shown.status !== 'awaiting_approval' && Date.now() < deadline);
    expect(shown).toMatchObject({ status: 'awaiting_approval', gate: { state: 'pending' } });

    const mappings = await json<{ data: { id: string; confidence: number }[]; min_confidence: number }>('mappings', 'ls', id);
    expect(mappings.data.map((m) => m.id)).toEqual(expect.arrayContaining(['items.id', 'items.price', 'tags.name']));
    const human = await run('mappings', 'ls', id);
    expect(human.stdout).toMatch(/^mapping\s+source type\s+target type\s+confidence/m);

    // An edit at the gate: text to a bounded varchar, judged against the source and shown with its confidence.
    const edited = await run('mappings', 'set', id, 'items.label=varchar(100)');
    expect(edited.code).toBe(0);
    expect(edited.stdout).toMatch(/^items\.label: text → (varchar|character varying)\(100\) \(confidence 0\.\d+\) .*at most 100 characters/m);
    expect(edited.stdout).toMatch(/^gate pending: /m);
    const refused = await run('mappings', 'set', id, 'items.label');
    expect(refused).toMatchObject({ code: 1, stderr: 'sensei: an edit is <mapping id>=<target type>, got "items.label"\n' });

    const approved = await run('migrations', 'approve', id, '--comment', 'checked by the cli test');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain(`${id}: gate approved`);

    const watched = await watching;
    expect(watched.stderr).toBe('');
    expect(watched.code).toBe(0);
    const out = watched.stdout;
    // Not a terminal: plain lines, no cursor movement.
    expect(out).not.toMatch(ANSI_CURSOR);
    expect(out).toMatch(/(status |: )awaiting_approval/);
    expect(out).toContain(`sensei migrations approve ${id}`);
    expect(out).toContain('phase data_transfer');
    expect(out).toMatch(/^table items: 40,000\/40,000 rows, done in [\d.]+s/m);
    expect(out).toMatch(/^table tags: 300\/300 rows, done in/m);
    expect(out).toMatch(new RegExp(`^migration ${id} completed in .*2/2 tables, 40,300 rows$`, 'm'));
    // The pgloader-style summary closes the watch.
    expect(out).toMatch(/^table\s+rows\s+bytes\s+time\s+rows\/s\s+validation$/m);
    // PostgreSQL → PostgreSQL takes the pass-through path: its bytes are the COPY stream's.
    expect(out).toMatch(/^items\s+40,000\s+[\d.]+ (kB|MB)\s+\S+\s+[\d,]+ rows\/s\s+ok \(40,000 → 40,000\)$/m);

    const pg = new Client({ connectionString: targetUrl });
    await pg.connect();
    try {
      expect((await pg.query('SELECT count(*)::int AS n FROM items')).rows[0].n).toBe(40_000);
    } finally {
      await pg.end();
    }

    // Every read command answers JSON that parses.
    const listed = await json<{ data: { id: string }[] }>('migrations', 'ls', '--status', 'completed');
    expect(listed.data.map((m) => m.id)).toContain(id);
    const logs = await json<{ message: string }[]>('migrations', 'logs', id);
    expect(logs[0]).toMatchObject({ message: 'migration created' });
    expect(await json('migrations', 'errors', id)).toEqual([]);
    const detail = await run('migrations', 'show', id);
    expect(detail.stdout).toMatch(/status\s+completed/);
    expect(detail.stdout).toMatch(/^items\s+completed\s+40,000/m);
    // A watch of a migration that already ended answers at once, with its outcome; --json gives one status line.
    const again = await run('migrations', 'watch', id, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1) as string)).toMatchObject({ id, status: 'completed' });

    // The certificate, downloaded and verified offline against the API's key.
    const certFile = path.join(dataDir, 'cli-cert.json');
    const download = await run('certificates', 'download', id, '--out', certFile);
    expect(download.code).toBe(0);
    const pemFile = path.join(dataDir, 'cli-key.pem');
    expect((await run('certificates', 'public-key', '--out', pemFile)).code).toBe(0);
    const verified = await run('certificates', 'verify', certFile, '--public-key', pemFile);
    expect(verified.stdout).toContain('valid: signed by the trusted key');
    expect(verified.code).toBe(0);
    const alias = await run('verify', certFile, '--json');
    expect(alias.code).toBe(2);
    expect(JSON.parse(alias.stdout)).toMatchObject({ valid: true, key_trusted: false });
  });

  test('mappings exclude leaves a table out at the gate: the mapping is planned again and the rest migrates', async () => {
    const targetUrl = await target();
    const created = await json<{ id: string }>('migrations', 'create', '--name', 'cli exclude', '--source', source.endpoint.connectionString, '--target', targetUrl, '--strategy', 'conservative', '--start');
    const id = created.id;
    const deadline = Date.now() + 60_000;
    let shown: { status: string };
    do {
      await new Promise((r) => setTimeout(r, 300));
      shown = await json('migrations', 'show', id);
    } while (shown.status !== 'awaiting_approval' && Date.now() < deadline);
    expect(shown.status).toBe('awaiting_approval');

    // The tables' other objects: a PostgreSQL → PostgreSQL table keeps them as the source declares them, and one may
    // be left out (the target makes the table from the lists of its objects).
    const objects = await json<{ id: string; migrated: boolean; target: string | null }[]>('mappings', 'objects', id);
    expect(objects).toEqual([expect.objectContaining({ id: 'default:items.added', migrated: true, target: 'now()' })]);
    expect((await run('mappings', 'objects', id)).stdout).toMatch(/^default:items\.added\s+now\(\)\s+now\(\)/m);
    const nope = await run('mappings', 'leave-out', id, 'default:items.nope');
    expect(nope.code).toBe(1);
    expect(nope.stderr).toMatch(/\(HTTP 404\)/);
    const native = await run('mappings', 'leave-out', id, 'default:items.added');
    expect(native.code).toBe(0);
    expect(native.stdout).toBe('left out: default:items.added\nno blockers left\ngate pending: the conservative strategy always waits for a human (lowest confidence 1)\n');
    expect(await json('mappings', 'objects', id)).toEqual([expect.objectContaining({ id: 'default:items.added', migrated: false, target: null })]);

    const left = await run('mappings', 'exclude', id, 'items');
    expect(left.code).toBe(0);
    expect(left.stdout).toBe('left out: items\nno blockers left\ngate pending: the conservative strategy always waits for a human (lowest confidence 1)\n');
    const mappings = await json<{ data: { id: string }[] }>('mappings', 'ls', id);
    expect(mappings.data.map((m) => m.id).sort()).toEqual(['tags.id', 'tags.name']);
    const unknown = await run('mappings', 'exclude', id, 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no table nope');

    expect((await run('migrations', 'approve', id)).code).toBe(0);
    const watched = await run('migrations', 'watch', id, '--interval', '200');
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(new RegExp(`^migration ${id} completed in .*1/1 tables, 300 rows$`, 'm'));
    const pg = new Client({ connectionString: targetUrl });
    await pg.connect();
    try {
      expect((await pg.query(`SELECT count(*)::int AS n FROM tags`)).rows[0].n).toBe(300);
      expect((await pg.query(`SELECT to_regclass('items') IS NULL AS gone`)).rows[0].gone).toBe(true);
    } finally {
      await pg.end();
    }
  });

  test('on a terminal, watch redraws one bar per table in place and ends with the outcome', async () => {
    const targetUrl = await target();
    const created = await json<{ id: string }>(
      'migrations', 'create', '--name', 'cli tty', '--source', source.endpoint.connectionString, '--target', targetUrl, '--strategy', 'aggressive', '--chunk-size', '2000', '--start',
    );
    // script(1) gives the CLI a pseudo-terminal of 30 rows and 120 columns; its exit code is the CLI's.
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const line = [process.execPath, CLI, 'migrations', 'watch', created.id, '--interval', '200'].map(quote).join(' ');
    const tty = await cli([], env, ['script', '-qfec', `stty rows 30 cols 120; ${line}`, '/dev/null']);
    expect(tty.code).toBe(0);
    const screen = tty.stdout;
    expect(screen).toMatch(/\x1b\[\d+A/); // the cursor goes back up to redraw
    expect(screen).toMatch(/phase data_transfer {2}tables \d\/2/);
    expect(screen).toMatch(/ {2}items +█+░* +\d+% +[\d,]+\/40,000 {2}[\d,]+ rows\/s {2}ETA /);
    expect(screen).toMatch(/ {2}items +█{24} 100% +40,000\/40,000 {2}done in /);
    expect(screen).toContain(`migration ${created.id} completed`);
  });

  test('watch waits out an API that cannot be reached for a while and still ends with the outcome', async () => {
    const targetUrl = await target();
    const created = await json<{ id: string }>('migrations', 'create', '--name', 'cli outage', '--source', source.endpoint.connectionString, '--target', targetUrl, '--start');
    const id = created.id;
    // The watcher reaches the API through a loopback TCP relay that the test takes down and brings back.
    const api = new URL(stack.baseUrl);
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((client) => {
      const upstream = net.connect(Number(api.port), api.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as net.AddressInfo).port;
    const watching = cli(['migrations', 'watch', id, '--interval', '200'], { ...env, SENSEI_API_URL: `http://127.0.0.1:${port}` });
    const deadline = Date.now() + 60_000;
    while ((await json<{ status: string }>('migrations', 'show', id)).status !== 'awaiting_approval' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 300));
    // close() waits for open connections: they are cut first (a keep-alive one would hold it open).
    const closed = new Promise((r) => relay.close(r));
    for (const s of sockets) s.destroy();
    await closed;
    await new Promise((r) => setTimeout(r, 3000));
    await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
    try {
      expect((await run('migrations', 'approve', id)).code).toBe(0);
      const watched = await watching;
      expect(watched.code).toBe(0);
      expect(watched.stdout).toMatch(new RegExp(`cannot reach the API at http://127\\.0\\.0\\.1:${port}: .*; still watching\\n`));
      expect(watched.stdout).toContain('the API answers again');
      expect(watched.stdout).toMatch(new RegExp(`^migration ${id} completed`, 'm'));
    } finally {
      relay.close();
      for (const s of sockets) s.destroy();
    }
  });

  test('paused and resumed during the copy, then cancelled, while watched: watch shows the pause and exits 4', async () => {
    const targetUrl = await target();
    // Small chunks, one table at a time: the copy lasts long enough to be paused in the middle.
    const created = await json<{ id: string }>(
      'migrations', 'create', '--name', 'cli pause', '--source', source.endpoint.connectionString, '--target', targetUrl,
      '--auto-approve', '--chunk-size', '100', '--parallel-tables', '1', '--start',
    );
    const id = created.id;
    const watching = run('migrations', 'watch', id, '--interval', '200');
    const deadline = Date.now() + 60_000;
    const status = () => json<{ status: string; phase: string; progress: { rows_copied: number } }>('migrations', 'show', id);
    let s = await status();
    while (!(s.phase === 'data_transfer' && s.progress.rows_copied > 0) && Date.now() < deadline) s = await status();
    const paused = await run('migrations', 'pause', id);
    expect(paused).toMatchObject({ code: 0, stderr: '' });
    expect(paused.stdout).toMatch(new RegExp(`^${id}: (running|paused)`));
    while ((s = await status()).status !== 'paused' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(s.status).toBe('paused');
    // watch polls on its own clock: the pause is resumed once watch has shown it (a loaded CI machine can
    // make one poll outlast the whole pause otherwise).
    while (!/^status paused/m.test(watching.printed()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const resumed = await json<{ status: string }>('migrations', 'resume', id);
    expect(resumed.status).toMatch(/running|paused/);
    const cancelled = await run('migrations', 'cancel', id, '--reason', 'cli test');
    expect(cancelled.code).toBe(0);
    const watched = await watching;
    expect(watched.code).toBe(4);
    expect(watched.stdout).toMatch(/^status paused \(operator: .+\)$/m);
    expect(watched.stdout).toMatch(/^table items: [\d,]+\/40,000 rows \d+%/m);
    expect(watched.stdout).toMatch(new RegExp(`^migration ${id} cancelled`, 'm'));

    const late = await run('migrations', 'resume', id);
    expect(late.code).toBe(1);
    expect(late.stdout).toBe('');
    expect(late.stderr.trim().split('\n')).toHaveLength(1);
    expect(late.stderr).toMatch(/^sensei: conflict \(HTTP 409\): .+\[request \S+\]\n$/);
    const lateJson = await run('migrations', 'resume', id, '--json');
    expect(lateJson.code).toBe(1);
    expect(JSON.parse(lateJson.stderr)).toMatchObject({ error: { code: 'conflict', status: 409 } });
  });

  test('more tables than the status carries (100): show and the summary after watch list every one', async () => {
    const many = await createTempDatabase('postgresql');
    targets.push(many);
    const pg = new Client({ connectionString: many.endpoint.connectionString });
    await pg.connect();
    try {
      const names = Array.from({ length: 103 }, (_, i) => `t${String(i).padStart(3, '0')}`);
      await pg.query(names.map((n, i) => `CREATE TABLE ${n} (id integer PRIMARY KEY, v text); INSERT INTO ${n} SELECT g, 'v' || g FROM generate_series(1, ${i + 1}) g;`).join('\n'));
    } finally {
      await pg.end();
    }
    const created = await json<{ id: string }>('migrations', 'create', '--name', 'cli many', '--source', many.endpoint.connectionString, '--target', await target(), '--strategy', 'aggressive', '--start');
    const watched = await run('migrations', 'watch', created.id, '--interval', '500');
    expect(watched.code).toBe(0);
    const summary = watched.stdout.slice(watched.stdout.search(/^table\s+rows\s+bytes/m));
    expect(summary.match(/^t\d{3}\s+\d+\s/gm)).toHaveLength(103);
    expect(summary).toMatch(/^t102\s+103\s+/m);
    expect(summary).toMatch(/^total \(103\/103 tables\)\s+5,356\s/m);
    const shown = await run('migrations', 'show', created.id);
    expect(shown.stdout.match(/^t\d{3}\s+completed\s/gm)).toHaveLength(103);
  }, 300_000);

  test('a bad key, no key, an unreachable API, bad input: one clear line, exit 1, the key never echoed', async () => {
    const badKey = 'sk_test_0000000000000000deadbeefdeadbeef';
    const bad = await cli(['migrations', 'ls'], { ...env, SENSEI_API_KEY: badKey });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^sensei: \w+ \(HTTP 401\): .+\n$/);
    expect(bad.stderr + bad.stdout).not.toContain(badKey);
    const badJson = await cli(['migrations', 'ls', '--json', '--api-key', badKey], env);
    expect(badJson.code).toBe(1);
    expect(JSON.parse(badJson.stderr)).toMatchObject({ error: { status: 401 } });
    expect(badJson.stderr).not.toContain(badKey);

    const none = await cli(['migrations', 'ls'], { ...env, SENSEI_API_KEY: '' });
    expect(none).toMatchObject({ code: 1, stderr: 'sensei: no API key: set SENSEI_API_KEY or pass --api-key\n' });
    const down = await cli(['migrations', 'ls'], { ...env, SENSEI_API_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^sensei: cannot reach the API at http:\/\/127\.0\.0\.1:9: /);

    const unknown = await run('migrations', 'show', 'mig_0000000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^sensei: migration_not_found \(HTTP 404\)/);
    const undetectable = await run('migrations', 'create', '--name', 'x', '--source', 'somewhere', '--target', 'postgresql://postgres:pw-9f3k@127.0.0.1/x');
    expect(undetectable).toMatchObject({ code: 1, stderr: 'sensei: cannot tell the database type of the source from its connection string: pass --source-type\n' });
    const invalid = await run('migrations', 'create', '--name', 'x', '--source', source.endpoint.connectionString, '--target', 'postgresql://postgres:pw-9f3k@127.0.0.1:1/x', '--strategy', 'reckless');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('reckless');
    expect(invalid.stderr).not.toContain('pw-9f3k');
  });

  test('connections add/ls/test/rm and keys create/ls/revoke: the password never shown, a new key shown once', async () => {
    const u = new URL(source.endpoint.connectionString);
    u.username = 'postgres';
    u.password = 'cli-secret-pw';
    const added = await json<{ id: string; name: string }>('connections', 'add', 'cli source', u.toString());
    expect(added.name).toBe('cli source');
    const ls = await run('connections', 'ls');
    expect(ls.stdout).toContain(added.id);
    const tested = await run('connections', 'test', added.id);
    expect(tested).toMatchObject({ code: 0 });
    expect(tested.stdout).toMatch(new RegExp(`^${added.id}: ok, `));
    for (const r of [ls, tested, await run('connections', 'ls', '--json')]) expect(r.stdout + r.stderr).not.toContain('cli-secret-pw');
    expect((await run('connections', 'rm', added.id)).code).toBe(0);
    expect((await run('connections', 'test', added.id)).code).toBe(1);

    const created = await run('keys', 'create', 'cli reader', '--scopes', 'read');
    expect(created.code).toBe(0);
    const key = /^key: (\S+)$/m.exec(created.stdout)?.[1] as string;
    expect(key).toMatch(/^sk_(live|test)_/);
    const keyId = created.stdout.split(/\s/)[0] as string;
    const keys = await run('keys', 'ls');
    expect(keys.stdout).toContain(keyId);
    expect(keys.stdout).not.toContain(key);
    expect(keys.stdout).not.toContain(stack.apiKey);
    // The new read-only key works for reads and is refused a write, with the API's reason.
    expect((await cli(['migrations', 'ls'], { ...env, SENSEI_API_KEY: key })).code).toBe(0);
    const write = await cli(['keys', 'create', 'nope'], { ...env, SENSEI_API_KEY: key });
    expect(write.code).toBe(1);
    expect(write.stderr).toMatch(/\(HTTP 403\)/);
    expect((await run('keys', 'revoke', keyId)).stdout).toMatch(new RegExp(`^${keyId}: revoked`));
    expect((await cli(['migrations', 'ls'], { ...env, SENSEI_API_KEY: key })).code).toBe(1);
  });
});
