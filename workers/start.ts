import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { startApi } from './api';
import { startDevServer, type DevServer } from './dev-server';
import { connectWorker, installRuntimeLogging } from './temporal';
import { createWorker } from './worker';

/**
 * `npm start`: everything on one machine. The Temporal dev server (unless TEMPORAL_ADDRESS is set),
 * one worker and the API; SIGINT/SIGTERM stops them in reverse order.
 */
async function main() {
  const config = loadConfig();
  const log = createLogger('sensei', config.logLevel);
  installRuntimeLogging(log);
  let devServer: DevServer | undefined;
  if (!config.temporalAddress) {
    devServer = await startDevServer(config.dataDir);
    log.info({ address: devServer.address, ui: devServer.uiUrl ?? 'off' }, 'Temporal dev server started');
  }
  const address = config.temporalAddress ?? (devServer as DevServer).address;
  const connection = await connectWorker(address);
  const worker = await createWorker(connection, config);
  const running = worker.run();
  const api = await startApi(config, log, address, devServer?.uiUrl);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await api.close();
    await worker.shutdown();
    await connection.close();
    await devServer?.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  running.catch((err) => {
    log.fatal({ err }, 'worker failed');
    process.exit(1);
  });
  devServer?.process.once('exit', (code) => {
    if (!stopping) {
      log.fatal({ code }, 'the Temporal dev server exited');
      process.exit(1);
    }
  });
}

main().catch((err) => {
  createLogger('sensei').fatal({ err }, 'cannot start Sensei');
  process.exit(1);
});
