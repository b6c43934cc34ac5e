/**
 * The Python client (clients/python, standard library only) against the real API: python3 creates a SQLite Chinook
 * migration in the seeds' shape (`Sensei(api_key=…).migrations.create(source=…, target=…, strategy=…)`), starts it,
 * waits for it to complete; a made-up key is a SenseiApiError with the API's code; webhook signatures check out,
 * including one made by the server's own signer.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { signPayload } from '../../lib/webhooks';
import { WorkerProcess, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

const CHINOOK = path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite');
const SCRIPT = path.resolve(__dirname, '../../clients/python/test_sensei.py');

let stack: Stack;
let worker: WorkerProcess;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDataDir();
  stack = await startStack(dataDir);
  worker = new WorkerProcess(stack.workerEnv);
  worker.start();
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await stack?.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('create → start → wait_for completed from python3; errors and webhook signatures', async () => {
  const source = path.join(dataDir, 'py-src.sqlite');
  fs.copyFileSync(CHINOOK, source);
  const body = '{"event":"migration.completed","migration_id":"mig_abc"}';
  const header = signPayload(body, 'whsec_from_server', 1_760_000_000);
  // Not execFileSync: the API answers from this very process.
  const { stdout } = await promisify(execFile)('python3', [SCRIPT], {
    encoding: 'utf8',
    env: {
      ...process.env,
      SENSEI_API_URL: stack.baseUrl,
      SENSEI_API_KEY: stack.apiKey,
      SOURCE: source,
      TARGET: path.join(dataDir, 'py-dst.sqlite'),
      HOOK_BODY: body,
      HOOK_HEADER: header,
      HOOK_SECRET: 'whsec_from_server',
    },
  });
  const out = JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
  expect(out).toMatchObject({
    status: 'completed',
    rows: 15607,
    refused: { status: 401, code: 'unauthorized' },
    verified: 1_760_000_000,
    tampered: 'refused',
    server_signed: 1_760_000_000,
  });
  // The migration is the API's own: the TypeScript side sees it completed too.
  const res = await fetch(`${stack.baseUrl}/v1/migrations/${String(out.id)}/status`, { headers: { Authorization: `Bearer ${stack.apiKey}` } });
  expect(((await res.json()) as { status: string }).status).toBe('completed');
});
