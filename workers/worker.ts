import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { ConnectorPool } from '../activities/connections';
import { ClaimCheckCodec } from '../lib/claim-check';
import { loadConfig, type SenseiConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { reachPolicy, type ReachSettings } from '../lib/reach';
import { Sealer } from '../lib/secrets';
import { MetadataStore } from '../lib/store';
import { PAYLOAD_CONVERTER_PATH, connectWorker, installRuntimeLogging, workflowCodeOptions } from './temporal';

/**
 * V8 flags the worker process is started with (`npm run worker`, the benchmark). A young generation of 4 MB per
 * semi-space instead of V8's 16: the copy streams bytes, so little survives a scavenge, and the heap V8 keeps around
 * for short-lived garbage stays small (1,000,000 rows: worker peak about 195 MB instead of 240–260 MB; no measurable
 * slowdown in the benchmark). Processes that run a worker in-process (start.js, the CLI demo) can pass them in NODE_OPTIONS.
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=4'];

export interface SenseiWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown() or a fatal error). */
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

/** A worker that runs migration workflows and their activities on the configured task queue. */
export async function createWorker(
  connection: NativeConnection,
  config: Pick<SenseiConfig, 'namespace' | 'taskQueue' | 'dataDir' | 'encryptionKey' | 'databaseUrl' | keyof ReachSettings> &
    Partial<Pick<SenseiConfig, 'workerActivities'>>,
): Promise<SenseiWorker> {
  const pool = new ConnectorPool(Sealer.fromConfig(config), reachPolicy(config));
  const store = await MetadataStore.open(config);
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    ...workflowCodeOptions(),
    // Payloads of megabytes (the plan of thousands of tables) go through the metadata store, not Temporal's history.
    // …and JSON payloads are encoded by the runtime's own UTF-8 encoder (lib/payload-converter.ts).
    dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH, payloadCodecs: [new ClaimCheckCodec(store)] },
    activities: createActivities(pool, store),
    // Chunks are I/O bound; a few at once per worker (8 by default) keeps two cores busy without starving the workflow tasks.
    maxConcurrentActivityTaskExecutions: config.workerActivities ?? 8,
  });
  let running: Promise<void> | undefined;
  return {
    worker,
    run() {
      running ??= worker.run().finally(() => Promise.all([pool.closeAll(), store.close()]));
      return running;
    },
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

async function main() {
  const config = loadConfig();
  const log = createLogger('sensei-worker', config.logLevel);
  installRuntimeLogging(log);
  const address = config.temporalAddress ?? '127.0.0.1:7233';
  const connection = await connectWorker(address);
  const worker = await createWorker(connection, config);
  log.info({ address, namespace: config.namespace, taskQueue: config.taskQueue }, 'worker polling');
  // Worker.run() already stops gracefully on SIGINT/SIGTERM (in-flight activities finish first).
  await worker.run();
  await connection.close();
  log.info('worker stopped');
}

if (require.main === module) {
  main().catch((err) => {
    createLogger('sensei-worker').fatal({ err }, 'worker failed');
    process.exit(1);
  });
}
