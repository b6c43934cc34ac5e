/**
 * The e2e files' common frame: in beforeAll a Temporal dev server, the API over loopback HTTP and one worker process
 * (startStack), and in afterAll the worker stopped, the stack closed, the databases made through `database()` dropped
 * and the data dir removed.
 */
import fs from 'node:fs';
import { createTempDatabase, type TestDialect } from './databases';
import { WorkerProcess, startStack, type Stack, type StackOptions } from './processes';
import { tempDataDir } from './temporal';

type TempDb = Awaited<ReturnType<typeof createTempDatabase>>;

export interface StackSuite {
  readonly stack: Stack;
  readonly worker: WorkerProcess;
  /** An empty database on this machine's server for the dialect, dropped after the file's tests. */
  database(dialect: TestDialect): Promise<TempDb>;
}

/** `started`: called once the stack answers, before the worker starts (a file that watches every answer hooks in here). */
export function stackSuite(options: StackOptions = {}, started?: (stack: Stack) => void): StackSuite {
  let stack: Stack | undefined;
  let worker: WorkerProcess | undefined;
  let dataDir: string | undefined;
  const databases: TempDb[] = [];

  beforeAll(async () => {
    dataDir = tempDataDir();
    stack = await startStack(dataDir, options);
    started?.(stack);
    worker = new WorkerProcess(stack.workerEnv);
    worker.start();
  });

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await stack?.close();
    await Promise.allSettled(databases.map((d) => d.drop()));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} starts in beforeAll: use it inside a hook or a test`);
    return value;
  };
  return {
    get stack() {
      return ready(stack, 'the stack');
    },
    get worker() {
      return ready(worker, 'the worker');
    },
    async database(dialect) {
      const db = await createTempDatabase(dialect);
      databases.push(db);
      return db;
    },
  };
}
