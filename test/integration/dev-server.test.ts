/**
 * The embedded Temporal dev server outlives no one: when the process that started it (`npm start`,
 * `npm run temporal`) is killed with -9, the server goes too, so a restart on the same port and state file
 * gets a server of its own, with the workflows the first one stored.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { connectClient } from '../../workers/temporal';
import { freePort, startDevServer } from '../../workers/dev-server';
import { tempDataDir } from '../helpers/temporal';

const DEV_SERVER = path.resolve(__dirname, '../../dist/workers/dev-server.js');

/** Running, as opposed to gone or a zombie nobody has reaped yet (its parent was killed). */
function alive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}

test('kill -9 of the process that started the dev server stops the server; a restart on the same state file finds what it stored', async () => {
  const dir = tempDataDir();
  const port = await freePort();
  const dbFile = path.join(dir, 'temporal.db');
  // The parent: a Node process that starts the server as `npm start` does, then prints the server's pid.
  const script = `require(${JSON.stringify(DEV_SERVER)}).startDevServer(${JSON.stringify(dir)}, { port: ${port}, dbFile: ${JSON.stringify(dbFile)}, ui: false })` +
    `.then((s) => console.log('pid=' + s.process.pid), (e) => { console.error(e); process.exit(1); })`;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const serverPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    parent.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /pid=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    parent.once('exit', (code) => reject(new Error(`parent exited with ${code} before the server was up`)));
  });
  const first = await connectClient(`127.0.0.1:${port}`, 'default');
  const before = await first.workflow.start('noSuchWorkflowType', { taskQueue: 'nobody-polls', workflowId: `kept-${port}` });
  await first.connection.close();

  parent.kill('SIGKILL');
  expect(await until(() => !alive(serverPid), 20_000)).toBe(true);

  const again = await startDevServer(dir, { port, dbFile, ui: false });
  try {
    const client = await connectClient(again.address, 'default');
    const described = await client.workflow.getHandle(before.workflowId).describe();
    expect(described.runId).toBe(before.firstExecutionRunId);
    await client.connection.close();
  } finally {
    await again.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
