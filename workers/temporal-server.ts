import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { startDevServer } from './dev-server';

/** `npm run temporal`: the embedded Temporal dev server from temporal-dev.yaml, until SIGINT/SIGTERM. */
async function main() {
  const config = loadConfig();
  const log = createLogger('sensei-temporal', config.logLevel);
  const server = await startDevServer(config.dataDir);
  log.info({ address: server.address, namespace: server.namespace, ui: server.uiUrl ?? 'off' }, 'Temporal dev server running');
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  server.process.once('exit', (code) => {
    log.error({ code }, 'Temporal dev server exited');
    process.exit(code ?? 1);
  });
}

main().catch((err) => {
  createLogger('sensei-temporal').fatal({ err }, 'cannot start the Temporal dev server');
  process.exit(1);
});
