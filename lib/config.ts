import path from 'node:path';
import { parseCidr } from './reach';

/** Every setting Sensei reads from the environment, with its default. README documents each. */
export interface SenseiConfig {
  /** PORT: HTTP port of the API (8080). */
  port: number;
  /** HOST: the address the API listens on; unset → every interface. */
  host: string | undefined;
  /** TEMPORAL_ADDRESS: host:port of a Temporal cluster; unset → the embedded dev server from temporal-dev.yaml. */
  temporalAddress: string | undefined;
  /**
   * SENSEI_TEMPORAL_UI_URL: the Temporal Web UI the console links each migration's workflow to; unset → the embedded
   * dev server's UI when it is on (temporal-dev.yaml), else no link.
   */
  temporalUiUrl: string | undefined;
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
  /** SENSEI_DATABASE_URL: metadata store in PostgreSQL; unset → SQLite file in the data dir. */
  databaseUrl: string | undefined;
  /** SENSEI_SIGNING_KEY: Ed25519 private key (PEM) for certificates; unset → generated once into the data dir. */
  signingKey: string | undefined;
  /** SENSEI_JWT_SECRET (HS256) / SENSEI_JWKS_URL, SENSEI_JWT_ISSUER, SENSEI_JWT_AUDIENCE: OAuth bearer JWTs. */
  jwtSecret: string | undefined;
  jwksUrl: string | undefined;
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  /** SENSEI_RATE_LIMIT: requests per second per key unless the key says otherwise (50). */
  rateLimit: number;
  /** SENSEI_RATE_TIER: free, starter, professional or enterprise (default: no minute or day cap, SENSEI_RATE_LIMIT per second). */
  rateTier: 'free' | 'starter' | 'professional' | 'enterprise';
  /** SENSEI_REDIS_URL: request counters shared by every API process in Redis; unset → the PostgreSQL store when set, else memory. */
  redisUrl: string | undefined;
  /** SENSEI_AUTH_FAILURE_LIMIT: failed authentications per client address and minute before it is refused (20). */
  authFailureLimit: number;
  /** SENSEI_TRUST_PROXY: Express's trust proxy setting, so X-Forwarded-For names the client (unset: the socket's address). */
  trustProxy: string | undefined;
  /** SENSEI_SSE_MAX_STREAMS (5) and SENSEI_SSE_MAX_SECONDS (3600): status streams per principal, and how long one lasts. */
  sseMaxStreams: number;
  sseMaxSeconds: number;
  /** SENSEI_WORKER_ACTIVITIES: activities (chunks, validation tiers …) one worker process runs at once (8). */
  workerActivities: number;
  /**
   * SENSEI_SQLITE_DIR: the directory SQLite files named in connection strings must lie in (symlinks resolved; never
   * the data dir). Unset → connection strings may name no SQLite file: API and workers refuse them (lib/reach.ts).
   */
  sqliteDir: string | undefined;
  /** SENSEI_TLS_DIR: the directory certificate and key files named in connection strings must lie in; unset → none. */
  tlsDir: string | undefined;
  /** SENSEI_WEBHOOK_ALLOW_PRIVATE (false): webhooks may go to loopback and private addresses. */
  webhookAllowPrivate: boolean;
  /** SENSEI_WEBHOOK_ALLOW_CIDRS: comma-separated loopback/private ranges webhooks may go to (none). */
  webhookAllowCidrs: string[];
  /**
   * SENSEI_BLOB_GC_INTERVAL (24h): how often the API deletes large-payload blobs no history names any more
   * (lib/blob-gc.ts; the first run one interval after start); `off` → never (run `sensei gc-blobs` instead).
   */
  blobGcIntervalMs: number | undefined;
  /** SENSEI_BLOB_GC_GRACE (24h, at least 1h): unreferenced blobs written within this long are kept. */
  blobGcGraceMs: number;
}

export const DEFAULT_TASK_QUEUE = 'sensei-migrations';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SenseiConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  if (env.SENSEI_JWKS_URL && !(env.SENSEI_JWT_ISSUER && env.SENSEI_JWT_AUDIENCE)) {
    // Without both, any token the identity provider signs for another application would be accepted here.
    throw new Error('SENSEI_JWKS_URL needs SENSEI_JWT_ISSUER and SENSEI_JWT_AUDIENCE: tokens must name this API');
  }
  if (env.SENSEI_JWT_SECRET && env.SENSEI_JWT_SECRET.length < 32) {
    throw new Error('SENSEI_JWT_SECRET must be at least 32 characters (it is the HS256 signing key)');
  }
  return {
    port,
    host: env.HOST || undefined,
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalUiUrl: httpUrl(env.SENSEI_TEMPORAL_UI_URL, 'SENSEI_TEMPORAL_UI_URL'),
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: env.SENSEI_TASK_QUEUE || DEFAULT_TASK_QUEUE,
    dataDir: path.resolve(env.SENSEI_DATA_DIR || '.sensei'),
    apiKey: env.SENSEI_API_KEY || undefined,
    encryptionKey: env.SENSEI_ENCRYPTION_KEY || undefined,
    logLevel: env.SENSEI_LOG_LEVEL || 'info',
    databaseUrl: env.SENSEI_DATABASE_URL || undefined,
    signingKey: env.SENSEI_SIGNING_KEY || undefined,
    jwtSecret: env.SENSEI_JWT_SECRET || undefined,
    jwksUrl: env.SENSEI_JWKS_URL || undefined,
    jwtIssuer: env.SENSEI_JWT_ISSUER || undefined,
    jwtAudience: env.SENSEI_JWT_AUDIENCE || undefined,
    rateLimit: positiveInt(env.SENSEI_RATE_LIMIT, 50, 'SENSEI_RATE_LIMIT'),
    rateTier: rateTier(env.SENSEI_RATE_TIER),
    redisUrl: env.SENSEI_REDIS_URL || undefined,
    authFailureLimit: positiveInt(env.SENSEI_AUTH_FAILURE_LIMIT, 20, 'SENSEI_AUTH_FAILURE_LIMIT'),
    trustProxy: env.SENSEI_TRUST_PROXY || undefined,
    sseMaxStreams: positiveInt(env.SENSEI_SSE_MAX_STREAMS, 5, 'SENSEI_SSE_MAX_STREAMS'),
    sseMaxSeconds: positiveInt(env.SENSEI_SSE_MAX_SECONDS, 3600, 'SENSEI_SSE_MAX_SECONDS'),
    workerActivities: positiveInt(env.SENSEI_WORKER_ACTIVITIES, 8, 'SENSEI_WORKER_ACTIVITIES'),
    sqliteDir: env.SENSEI_SQLITE_DIR ? path.resolve(env.SENSEI_SQLITE_DIR) : undefined,
    tlsDir: env.SENSEI_TLS_DIR ? path.resolve(env.SENSEI_TLS_DIR) : undefined,
    webhookAllowPrivate: flag(env.SENSEI_WEBHOOK_ALLOW_PRIVATE, 'SENSEI_WEBHOOK_ALLOW_PRIVATE'),
    webhookAllowCidrs: cidrs(env.SENSEI_WEBHOOK_ALLOW_CIDRS, 'SENSEI_WEBHOOK_ALLOW_CIDRS'),
    blobGcIntervalMs: /^off$/i.test(env.SENSEI_BLOB_GC_INTERVAL ?? '') ? undefined : duration(env.SENSEI_BLOB_GC_INTERVAL, DAY_MS, 'SENSEI_BLOB_GC_INTERVAL'),
    blobGcGraceMs: duration(env.SENSEI_BLOB_GC_GRACE, DAY_MS, 'SENSEI_BLOB_GC_GRACE', 3_600_000),
  };
}

const DAY_MS = 86_400_000;

function duration(value: string | undefined, fallback: number, name: string, least = 1_000): number {
  if (value === undefined || value === '') return fallback;
  const ms = parseDuration(value, name);
  if (ms < least) throw new Error(`${name} must be at least ${least / 1_000} s, got "${value}"`);
  return ms;
}

/** "90s", "30m", "24h", "7d", or combined ("1d12h"), in milliseconds. */
export function parseDuration(text: string, name = 'a duration'): number {
  const units: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const trimmed = text.trim();
  if (!/^(\d+[smhd])+$/.test(trimmed)) throw new Error(`${name} must be a duration, got "${text}": write e.g. 90s, 30m, 24h, 7d or 1d12h`);
  let ms = 0;
  for (const [, n, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) ms += Number(n) * (units[unit as string] as number);
  return ms;
}

function httpUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^https?:\/\/[^\s]+$/i.test(value) || !URL.canParse(value)) throw new Error(`${name} must be an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

function flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === '' || /^(false|0|no)$/i.test(value)) return false;
  if (/^(true|1|yes)$/i.test(value)) return true;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

function cidrs(value: string | undefined, name: string): string[] {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const cidr of list) {
    try {
      parseCidr(cidr);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  return list;
}

function rateTier(value: string | undefined): SenseiConfig['rateTier'] {
  if (value === undefined || value === '') return 'enterprise';
  if (value === 'free' || value === 'starter' || value === 'professional' || value === 'enterprise') return value;
  throw new Error(`SENSEI_RATE_TIER must be free, starter, professional or enterprise, got "${value}"`);
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got "${value}"`);
  return n;
}
