import type { Server } from 'node:http';
import { createApp } from '../api/app';
import type { AuthConfig } from '../api/auth';
import { loadOrCreateSigningKey, publicKeyPem } from '../lib/certificate';
import { scheduleBlobGc } from '../lib/blob-gc';
import { ClaimCheckCodec } from '../lib/claim-check';
import { MetadataStore } from '../lib/store';
import { loadConfig, type SenseiConfig } from '../lib/config';
import { createLogger, type Logger } from '../lib/logger';
import { reachPolicy } from '../lib/reach';
import { Sealer, loadOrCreateKeyFile } from '../lib/secrets';
import { openRateCounter } from '../api/rate-limit';
import { embeddedUiUrl } from './dev-server';
import { closeClient, connectClient } from './temporal';

/** The admin key: SENSEI_API_KEY, or one generated once into the data dir (its path is logged, never the key). */
export function resolveApiKey(config: SenseiConfig, log: Logger): string {
  if (config.apiKey) return config.apiKey;
  const key = loadOrCreateKeyFile(config.dataDir, 'api-key', 24, 'sk_live_');
  log.warn({ file: `${config.dataDir}/api-key` }, 'SENSEI_API_KEY is not set: using the key generated into this file');
  return key;
}

export function authConfig(config: SenseiConfig, log: Logger): AuthConfig {
  return {
    bootstrapKey: resolveApiKey(config, log),
    jwtSecret: config.jwtSecret,
    jwksUrl: config.jwksUrl,
    jwtIssuer: config.jwtIssuer,
    jwtAudience: config.jwtAudience,
    defaultRateLimit: config.rateLimit,
    rateTier: config.rateTier,
  };
}

/**
 * The API on `config.port`, reaching Temporal at `address`. `temporalUiUrl`: the Temporal Web UI the console links to
 * (SENSEI_TEMPORAL_UI_URL wins over it).
 */
export async function startApi(config: SenseiConfig, log: Logger, address: string, temporalUiUrl?: string): Promise<{ server: Server; close(): Promise<void> }> {
  const store = await MetadataStore.open(config);
  // The workers keep large payloads in the store (lib/claim-check.ts): the API reads them from there too.
  const client = await connectClient(address, config.namespace, undefined, { payloadCodecs: [new ClaimCheckCodec(store)] });
  // Counts shared by all API processes: Redis, or the store when it is a PostgreSQL every process reaches.
  const rateCounter = await openRateCounter({ redisUrl: config.redisUrl, sharedStore: config.databaseUrl ? store : undefined });
  const app = createApp({
    client,
    taskQueue: config.taskQueue,
    sealer: Sealer.fromConfig(config),
    store,
    auth: authConfig(config, log),
    log,
    certificatePublicKey: publicKeyPem(loadOrCreateSigningKey(config)),
    rateCounter,
    authFailureLimit: config.authFailureLimit,
    trustProxy: config.trustProxy,
    sseMaxStreamsPerKey: config.sseMaxStreams,
    sseMaxSeconds: config.sseMaxSeconds,
    reach: reachPolicy(config),
    temporalUiUrl: config.temporalUiUrl ?? temporalUiUrl,
    namespace: config.namespace,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = config.host ? app.listen(config.port, config.host, () => resolve(s)) : app.listen(config.port, () => resolve(s));
    s.once('error', reject);
  });
  // Large-payload blobs no history names any more are deleted (lib/blob-gc.ts); every API process may run it, safely.
  const blobGc = config.blobGcIntervalMs ? scheduleBlobGc(client, store, { intervalMs: config.blobGcIntervalMs, graceMs: config.blobGcGraceMs }, log) : undefined;
  const port = (server.address() as { port: number }).port;
  log.info({ port, temporal: address, namespace: config.namespace }, `API listening on http://localhost:${port}/v1, console at http://localhost:${port}/console/`);
  return {
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await blobGc?.stop();
      // A handler of a connection just cut may still wait on Temporal (a status query, up to its deadline).
      await closeClient(client);
      await rateCounter.close();
      await store.close();
    },
  };
}

async function main() {
  const config = loadConfig();
  const log = createLogger('sensei-api', config.logLevel);
  // Without TEMPORAL_ADDRESS this API uses the dev server of `npm run temporal`, whose UI is temporal-dev.yaml's.
  const api = await startApi(config, log, config.temporalAddress ?? '127.0.0.1:7233', config.temporalAddress ? undefined : embeddedUiUrl());
  const stop = async () => {
    log.info('API stopping');
    await api.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err) => {
    createLogger('sensei-api').fatal({ err }, 'API failed to start');
    process.exit(1);
  });
}
