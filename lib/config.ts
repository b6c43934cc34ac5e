import path from 'node:path';

/** Every setting Sensei reads from the environment, with its default. README documents each. */
export interface SenseiConfig {
  /** PORT: HTTP port of the API (8080). */
  port: number;
  /** TEMPORAL_ADDRESS: host:port of a Temporal cluster; unset → the embedded dev server from temporal-dev.yaml. */
  temporalAddress: string | undefined;
  /** TEMPORAL_NAMESPACE (default). */
  namespace: string;
  /** SENSEI_TASK_QUEUE (sensei-migrations): workers poll it, the API starts workflows on it. */
  taskQueue: string;
  /** SENSEI_DATA_DIR (./.sensei): embedded state (Temporal dev server DB, generated keys). */
  dataDir: string;
  /** SENSEI_API_KEY: the bootstrap admin key; unset → one is generated into the data dir. */
  apiKey: string | undefined;
  /** SENSEI_ENCRYPTION_KEY: seals connection strings; unset → generated once into the data dir. */
  encryptionKey: string | undefined;
  /** SENSEI_LOG_LEVEL (info). */
  logLevel: string;
}

export const DEFAULT_TASK_QUEUE = 'sensei-migrations';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SenseiConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  return {
    port,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.SENSEI_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    dataDir: path.resolve(env.SENSEI_DATA_DIR || '.sensei'),
    apiKey: env.SENSEI_API_KEY || undefined,
    encryptionKey: env.SENSEI_ENCRYPTION_KEY || undefined,
    logLevel: env.SENSEI_LOG_LEVEL || 'info',
  };
}
