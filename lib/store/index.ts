import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { migrationSource } from './migrations';

/**
 * Sensei's own metadata: API keys (hashed), saved connections (sealed), webhook subscriptions, idempotency
 * records, and a listing index of migrations. The workflow stays the source of truth for a migration's state;
 * the index only lets the API list and filter without asking every workflow.
 * SQLite file in SENSEI_DATA_DIR by default (zero set-up); PostgreSQL with SENSEI_DATABASE_URL.
 */

export type Environment = 'live' | 'test';
export type Scope = 'read' | 'write' | 'admin';

export interface ApiKeyRecord {
  id: string;
  name: string;
  kind: 'api_key' | 'service_account';
  environment: Environment;
  prefix: string;
  scopes: Scope[];
  rate_limit_per_second: number | null;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ConnectionRecord {
  id: string;
  environment: Environment;
  name: string;
  type: string;
  sealed_connection: string;
  description: string;
  schema: string | null;
  created_by: string | null;
  created_at: string;
}

export interface WebhookRecord {
  id: string;
  environment: Environment;
  url: string;
  events: string[];
  sealed_secret: string;
  description: string | null;
  created_at: string;
}

export interface MigrationIndexRecord {
  id: string;
  environment: Environment;
  name: string;
  status: string;
  phase: string | null;
  strategy: string;
  source_type: string;
  target_type: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface MigrationListQuery {
  environment: Environment;
  status?: string;
  createdAfter?: string;
  createdBefore?: string;
  sort: { column: 'created_at' | 'name' | 'status' | 'updated_at'; direction: 'asc' | 'desc' };
  limit: number;
  offset: number;
}

export const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;
export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
const now = () => new Date().toISOString();

/** How long an X-Idempotency-Key is remembered: a retry a day later is a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export interface StoreConfig {
  databaseUrl?: string;
  dataDir: string;
}

export function knexConfig(config: StoreConfig): Knex.Config {
  if (config.databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) throw new Error('SENSEI_DATABASE_URL must be a postgresql:// URL');
    return { client: 'pg', connection: config.databaseUrl, pool: { min: 0, max: 5 } };
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  return {
    client: 'better-sqlite3',
    connection: { filename: path.join(config.dataDir, 'sensei.sqlite') },
    useNullAsDefault: true,
    pool: {
      // Several processes (API, workers) may share the file: WAL and a busy timeout let them take turns.
      afterCreate: (conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
        conn.pragma('journal_mode = WAL');
        conn.pragma('busy_timeout = 5000');
        done(null, conn);
      },
    },
  };
}

export class MetadataStore {
  private lastCounterPurge = 0;

  private constructor(readonly db: Knex) {}

  /** Opens the store and applies pending schema versions. */
  static async open(config: StoreConfig): Promise<MetadataStore> {
    const db = knexFactory(knexConfig(config));
    await db.migrate.latest({ migrationSource, tableName: 'sensei_schema_versions' });
    return new MetadataStore(db);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  // ---- API keys ----

  /** Creates a key and returns it in clear once; only its hash is kept. */
  async createApiKey(input: {
    name: string;
    kind: ApiKeyRecord['kind'];
    environment: Environment;
    scopes: Scope[];
    rateLimitPerSecond?: number;
    createdBy?: string;
  }): Promise<{ record: ApiKeyRecord; key: string }> {
    const prefix = input.kind === 'service_account' ? `sa_${input.environment}_` : `sk_${input.environment}_`;
    const key = prefix + randomBytes(24).toString('base64url');
    const record: ApiKeyRecord = {
      id: newId('key'),
      name: input.name,
      kind: input.kind,
      environment: input.environment,
      prefix: key.slice(0, prefix.length + 4),
      scopes: input.scopes,
      rate_limit_per_second: input.rateLimitPerSecond ?? null,
      created_by: input.createdBy ?? null,
      created_at: now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db('api_keys').insert({ ...record, scopes: JSON.stringify(record.scopes), hash: hashKey(key) });
    return { record, key };
  }

  async findApiKey(key: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db('api_keys').where({ hash: hashKey(key) }).first();
    return row ? apiKeyFromRow(row) : undefined;
  }

  async touchApiKey(id: string): Promise<void> {
    await this.db('api_keys').where({ id }).update({ last_used_at: now() });
  }

  async listApiKeys(environment: Environment, limit: number, offset: number) {
    const base = this.db('api_keys').where({ environment });
    const [{ n }] = (await base.clone().count({ n: '*' })) as { n: number | string }[];
    const rows = await base.clone().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset);
    return { total: Number(n), rows: rows.map(apiKeyFromRow) };
  }

  async getApiKey(id: string, environment: Environment): Promise<ApiKeyRecord | undefined> {
    const row = await this.db('api_keys').where({ id, environment }).first();
    return row ? apiKeyFromRow(row) : undefined;
  }

  async revokeApiKey(id: string, environment: Environment): Promise<ApiKeyRecord | undefined> {
    await this.db('api_keys').where({ id, environment }).whereNull('revoked_at').update({ revoked_at: now() });
    return this.getApiKey(id, environment);
  }

  // ---- connections ----

  async createConnection(input: Omit<ConnectionRecord, 'id' | 'created_at'>): Promise<ConnectionRecord> {
    const record: ConnectionRecord = { ...input, id: newId('conn'), created_at: now() };
    await this.db('connections').insert(record);
    return record;
  }

  async getConnection(id: string, environment: Environment): Promise<ConnectionRecord | undefined> {
    return this.db('connections').where({ id, environment }).first();
  }

  async listConnections(environment: Environment, limit: number, offset: number) {
    const base = this.db('connections').where({ environment });
    const [{ n }] = (await base.clone().count({ n: '*' })) as { n: number | string }[];
    const rows: ConnectionRecord[] = await base.clone().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset);
    return { total: Number(n), rows };
  }

  async deleteConnection(id: string, environment: Environment): Promise<boolean> {
    return (await this.db('connections').where({ id, environment }).delete()) > 0;
  }

  // ---- migration index ----

  async indexMigration(record: Omit<MigrationIndexRecord, 'updated_at'>): Promise<void> {
    await this.db('migrations').insert({ ...record, updated_at: now() }).onConflict('id').ignore();
  }

  /** Called by the workflow (through an activity) at every status or phase change. */
  async updateMigrationStatus(id: string, status: string, phase: string | null): Promise<void> {
    await this.db('migrations').where({ id }).update({ status, phase, updated_at: now() });
  }

  async updateMigrationMeta(id: string, meta: { name: string; strategy: string }): Promise<void> {
    await this.db('migrations').where({ id }).update({ ...meta, updated_at: now() });
  }

  async getMigrationIndex(id: string): Promise<MigrationIndexRecord | undefined> {
    return this.db('migrations').where({ id }).first();
  }

  async listMigrations(q: MigrationListQuery): Promise<{ total: number; rows: MigrationIndexRecord[] }> {
    let base = this.db('migrations').where({ environment: q.environment });
    if (q.status) base = base.where({ status: q.status });
    if (q.createdAfter) base = base.where('created_at', '>=', q.createdAfter);
    if (q.createdBefore) base = base.where('created_at', '<', q.createdBefore);
    const [{ n }] = (await base.clone().count({ n: '*' })) as { n: number | string }[];
    const rows = await base.clone().orderBy(q.sort.column, q.sort.direction).orderBy('id', q.sort.direction).limit(q.limit).offset(q.offset);
    return { total: Number(n), rows };
  }

  // ---- webhooks ----

  async createWebhook(input: Omit<WebhookRecord, 'id' | 'created_at'>): Promise<WebhookRecord> {
    const record: WebhookRecord = { ...input, id: newId('wh'), created_at: now() };
    await this.db('webhooks').insert({ ...record, events: JSON.stringify(record.events) });
    return record;
  }

  async getWebhook(id: string, environment: Environment): Promise<WebhookRecord | undefined> {
    const row = await this.db('webhooks').where({ id, environment }).first();
    return row ? webhookFromRow(row) : undefined;
  }

  async listWebhooks(environment: Environment, limit: number, offset: number) {
    const base = this.db('webhooks').where({ environment });
    const [{ n }] = (await base.clone().count({ n: '*' })) as { n: number | string }[];
    const rows = await base.clone().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset);
    return { total: Number(n), rows: rows.map(webhookFromRow) };
  }

  async deleteWebhook(id: string, environment: Environment): Promise<boolean> {
    return (await this.db('webhooks').where({ id, environment }).delete()) > 0;
  }

  /** Subscriptions of an environment that want this event ("*" wants all). */
  async webhooksFor(environment: Environment, event: string): Promise<WebhookRecord[]> {
    const rows = await this.db('webhooks').where({ environment });
    return rows.map(webhookFromRow).filter((w) => w.events.includes(event) || w.events.includes('*'));
  }

  // ---- idempotency ----

  /**
   * Claims an idempotency key, atomically: of two requests with one key, one inserts the record and owns it, the
   * other reads it. A record older than `ttlMs` (24 h by default) no longer counts: it is taken over in one
   * conditional UPDATE, so two late requests cannot both take it. Returns the live record when the key was used
   * before (replay or conflict), or undefined when this request now owns it.
   */
  async claimIdempotencyKey(input: { principal: string; key: string; method: string; path: string; bodyHash: string }, ttlMs = IDEMPOTENCY_TTL_MS) {
    const fresh = { method: input.method, path: input.path, body_hash: input.bodyHash, status: null, response: null, created_at: now() };
    const where = { principal: input.principal, idempotency_key: input.key };
    const inserted = await this.db('idempotency_records')
      .insert({ ...where, ...fresh })
      .onConflict(['principal', 'idempotency_key'])
      .ignore()
      .returning('principal');
    if (inserted.length > 0) return undefined;
    const cutoff = new Date(Date.now() - ttlMs).toISOString();
    const takenOver = await this.db('idempotency_records').where(where).where('created_at', '<', cutoff).update(fresh);
    if (takenOver > 0) return undefined;
    const row = await this.db('idempotency_records').where(where).first();
    if (!row) throw new Error('idempotency record vanished');
    return row as { method: string; path: string; body_hash: string; status: number | null; response: string | null };
  }

  /** Drops idempotency records past their time (called now and then by the API; claims ignore them anyway). */
  async purgeIdempotencyKeys(ttlMs = IDEMPOTENCY_TTL_MS): Promise<number> {
    return this.db('idempotency_records')
      .where('created_at', '<', new Date(Date.now() - ttlMs).toISOString())
      // Answers stored in clear by earlier versions (they could hold a new key or webhook secret) go at once.
      .orWhere((q) => q.whereNotNull('response').whereNot('response', 'like', 'sealed:%'))
      .delete();
  }

  // ---- rate counters ----

  /** Adds one to each bucket (created with its time to live) in one statement; returns the new counts in order. */
  async hitRateCounters(buckets: { bucket: string; ttlSeconds: number }[]): Promise<number[]> {
    if (buckets.length === 0) return [];
    const now = Date.now();
    if (now - this.lastCounterPurge > 60_000) {
      this.lastCounterPurge = now;
      void this.db('rate_counters').where('expires_at', '<', now).delete().catch(() => undefined);
    }
    const rows = await this.db('rate_counters')
      .insert(buckets.map((b) => ({ bucket: b.bucket, count: 1, expires_at: now + b.ttlSeconds * 1000 })))
      .onConflict('bucket')
      .merge({ count: this.db.raw('rate_counters.count + 1') })
      .returning(['bucket', 'count']);
    const counts = new Map((rows as { bucket: string; count: number | string }[]).map((r) => [r.bucket, Number(r.count)]));
    return buckets.map((b) => counts.get(b.bucket) ?? 1);
  }

  async peekRateCounters(buckets: string[]): Promise<number[]> {
    if (buckets.length === 0) return [];
    const rows = (await this.db('rate_counters').whereIn('bucket', buckets).where('expires_at', '>', Date.now()).select('bucket', 'count')) as { bucket: string; count: number | string }[];
    const counts = new Map(rows.map((r) => [r.bucket, Number(r.count)]));
    return buckets.map((b) => counts.get(b) ?? 0);
  }

  async completeIdempotencyKey(principal: string, key: string, status: number, response: string): Promise<void> {
    await this.db('idempotency_records').where({ principal, idempotency_key: key }).update({ status, response });
  }

  /** A request that failed before answering gives its key back, so the client can retry. */
  async releaseIdempotencyKey(principal: string, key: string): Promise<void> {
    await this.db('idempotency_records').where({ principal, idempotency_key: key }).whereNull('status').delete();
  }
}

function apiKeyFromRow(row: Record<string, unknown>): ApiKeyRecord {
  const { hash: _hash, ...rest } = row;
  return { ...(rest as unknown as ApiKeyRecord), scopes: JSON.parse(String(row.scopes)) as Scope[] };
}

function webhookFromRow(row: Record<string, unknown>): WebhookRecord {
  return { ...(row as unknown as WebhookRecord), events: JSON.parse(String(row.events)) as string[] };
}
