import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { MigrationError, MigrationInput, MigrationStatus, TimelineEvent, ValidationReport } from '../migration';
import { migrationSource } from './migrations';

/**
 * Sensei's own metadata: API keys (hashed), saved connections (sealed), webhook subscriptions, idempotency
 * records, a listing index of migrations, and the results a migration leaves that users keep (every error, the
 * timeline, validation reports, certificates, the final status). A running workflow is the source of truth for its
 * migration's progress; its results are written here by activities as they are produced, so they outlive the
 * workflow (Temporal drops closed workflows after the namespace's retention).
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

/** One attempt to deliver an event to a subscription: an HTTP status, or why no answer came. */
export interface WebhookDeliveryRecord {
  seq: number;
  webhook_id: string;
  /** `<event id>:<webhook id>`, the Sensei-Delivery header: the same for every attempt of one delivery. */
  delivery_id: string;
  event: string;
  migration_id: string | null;
  /** 1 for the first attempt; Temporal's retries count up. */
  attempt: number;
  status_code: number | null;
  error: string | null;
  at: string;
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

/** One line of GET …/logs: a timeline event, or an error at the time it was recorded. */
export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** How a migration's workflow run ended: its final status, served once the workflow is closed or gone. */
export interface MigrationOutcome {
  run_id: string;
  status: MigrationStatus;
  closed_at: string;
}

/** An outcome as stored, with the input a new run of the migration starts from when it is opened again. */
export interface StoredOutcome {
  migration_id: string;
  run_id: string;
  status: string;
  final_status: string;
  carry_on: string;
  closed_at: string;
}

/** Rows per INSERT: well below SQLite's bound variables, and one round trip for a chunk's rejected rows. */
const INSERT_BATCH = 500;

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

/** Any fixed number: the PostgreSQL advisory lock that Sensei processes take to apply schema versions one at a time. */
const SCHEMA_LOCK = 0x5e15e1;

/**
 * Applies pending schema versions. API and worker processes of a cluster start at once against one PostgreSQL store;
 * knex's own migration lock does not cover creating its bookkeeping tables, and a process that finds the lock taken
 * fails instead of waiting. So on PostgreSQL they queue on an advisory lock, held by a transaction of its own while
 * knex applies the versions on other connections of the pool; each process after the first finds nothing to do.
 */
async function applySchemaVersions(db: Knex, shared: boolean): Promise<void> {
  const latest = () => db.migrate.latest({ migrationSource, tableName: 'sensei_schema_versions' });
  if (!shared) {
    await latest();
    return;
  }
  await db.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [SCHEMA_LOCK]);
    await latest();
  });
}

/** A key in use is marked used at most this often per process: a write per request would queue every read behind it. */
const TOUCH_INTERVAL_MS = 60_000;

export class MetadataStore {
  private lastCounterPurge = 0;
  /** When this process last marked each key used. */
  private readonly touched = new Map<string, number>();

  private constructor(readonly db: Knex) {}

  /** Opens the store and applies pending schema versions. */
  static async open(config: StoreConfig): Promise<MetadataStore> {
    const db = knexFactory(knexConfig(config));
    try {
      await applySchemaVersions(db, Boolean(config.databaseUrl));
    } catch (err) {
      await db.destroy();
      throw err;
    }
    return new MetadataStore(db);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  // ---- large Temporal payloads (lib/claim-check.ts) ----

  /** Keeps bytes under their key; putting a key already kept only marks it written now (see lib/blob-gc.ts). */
  async putBlob(key: string, bytes: Buffer): Promise<void> {
    const at = now();
    await this.db('payload_blobs').insert({ key, bytes, created_at: at, touched_at: at }).onConflict('key').merge(['touched_at']);
  }

  /** Every kept blob: its key, size in bytes and when it was last written (the bytes themselves stay in the store). */
  async listBlobs(): Promise<{ key: string; size: number; touched_at: string }[]> {
    const rows = (await this.db('payload_blobs').select('key', 'touched_at', this.db.raw('length(bytes) as size'))) as { key: string; size: number | string; touched_at: string }[];
    return rows.map((r) => ({ key: r.key, size: Number(r.size), touched_at: r.touched_at }));
  }

  /**
   * Deletes a blob unless it was written at `untouchedBefore` or later: a writer that put the same bytes again while
   * the garbage collector decided wins (one statement, so PostgreSQL re-checks the row a concurrent put updated).
   */
  async deleteBlobUntouched(key: string, untouchedBefore: string): Promise<boolean> {
    return (await this.db('payload_blobs').where({ key }).andWhere('touched_at', '<', untouchedBefore).del()) > 0;
  }

  async getBlob(key: string): Promise<Buffer | undefined> {
    const row = (await this.db('payload_blobs').where({ key }).first('bytes')) as { bytes: Buffer } | undefined;
    return row ? Buffer.from(row.bytes) : undefined;
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

  /** Marks a key used (last_used_at), at most once a minute per key and process. */
  async touchApiKey(id: string): Promise<void> {
    const last = this.touched.get(id);
    if (last !== undefined && Date.now() - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(id, Date.now());
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

  // ---- results a migration leaves (written by activities when produced; served once the workflow is gone) ----

  /**
   * Records errors. `keep`: an error already recorded stays as it is (a retried chunk rejects the same row again);
   * `replace`: its message and resolution are replaced (the workflow's record after a retry or a resolve).
   */
  async recordErrors(migrationId: string, errors: MigrationError[], mode: 'keep' | 'replace' = 'keep'): Promise<void> {
    for (let i = 0; i < errors.length; i += INSERT_BATCH) {
      const insert = this.db('migration_errors')
        .insert(errors.slice(i, i + INSERT_BATCH).map((e) => errorRow(migrationId, e)))
        .onConflict(['migration_id', 'error_id']);
      await (mode === 'keep' ? insert.ignore() : insert.merge(['message', 'at', 'resolved_at', 'resolved_by', 'resolution_note']));
    }
  }

  /** Every error of a migration, in the order recorded: one page and the total. */
  async listErrors(migrationId: string, limit: number, offset: number): Promise<{ total: number; rows: MigrationError[] }> {
    const base = this.db('migration_errors').where({ migration_id: migrationId });
    const [{ n }] = (await base.clone().count({ n: '*' })) as { n: number | string }[];
    const rows = await base.clone().orderBy('seq').limit(limit).offset(offset);
    return { total: Number(n), rows: rows.map(errorFromRow) };
  }

  async getError(migrationId: string, errorId: string): Promise<MigrationError | undefined> {
    const row = await this.db('migration_errors').where({ migration_id: migrationId, error_id: errorId }).first();
    return row ? errorFromRow(row) : undefined;
  }

  async errorsById(migrationId: string, errorIds: string[]): Promise<MigrationError[]> {
    const found: MigrationError[] = [];
    for (let i = 0; i < errorIds.length; i += INSERT_BATCH) {
      const rows = await this.db('migration_errors').where({ migration_id: migrationId }).whereIn('error_id', errorIds.slice(i, i + INSERT_BATCH));
      found.push(...rows.map(errorFromRow));
    }
    return found;
  }

  /**
   * Marks an unresolved error resolved, in its record and in the stored final status that lists it. Undefined when
   * there is no such error or it is resolved already.
   */
  async resolveError(migrationId: string, errorId: string, resolution: { resolved_at: string; resolved_by: string; resolution_note?: string }): Promise<MigrationError | undefined> {
    return this.db.transaction(async (trx) => {
      const changed = await trx('migration_errors')
        .where({ migration_id: migrationId, error_id: errorId })
        .whereNull('resolved_at')
        .update({ ...resolution, resolution_note: resolution.resolution_note ?? null });
      if (changed === 0) return undefined;
      const error = errorFromRow(await trx('migration_errors').where({ migration_id: migrationId, error_id: errorId }).first());
      const outcome = await trx('migration_outcomes').where({ migration_id: migrationId }).first('final_status');
      if (outcome) {
        const status = JSON.parse(String(outcome.final_status)) as MigrationStatus;
        const listed = status.errors.findIndex((e) => e.id === errorId);
        if (listed >= 0) {
          status.errors[listed] = error;
          await trx('migration_outcomes').where({ migration_id: migrationId }).update({ final_status: JSON.stringify(status) });
        }
      }
      return error;
    });
  }

  /** Timeline events; one already recorded (a retried write) is recorded once. */
  async recordTimeline(migrationId: string, events: TimelineEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += INSERT_BATCH) {
      const rows = events.slice(i, i + INSERT_BATCH).map((e) => ({ migration_id: migrationId, event_id: e.id, at: e.at, level: e.level, message: e.message }));
      await this.db('migration_timeline').insert(rows).onConflict(['migration_id', 'event_id']).ignore();
    }
  }

  async hasTimeline(migrationId: string): Promise<boolean> {
    return (await this.db('migration_timeline').where({ migration_id: migrationId }).first('seq')) !== undefined;
  }

  /** The timeline with every error in it, oldest first (at equal times: events, then errors, each as recorded). */
  async listLog(migrationId: string, limit: number, offset: number): Promise<{ total: number; rows: LogLine[] }> {
    const result: unknown = await this.db.raw(
      `SELECT "at", "level", "message" FROM (
         SELECT "at", "level", "message", 0 AS kind, "seq" FROM migration_timeline WHERE migration_id = ?
         UNION ALL
         SELECT "at", 'error' AS "level", "code" || ': ' || "message" AS "message", 1 AS kind, "seq" FROM migration_errors WHERE migration_id = ?
       ) lines ORDER BY "at", kind, "seq" LIMIT ? OFFSET ?`,
      [migrationId, migrationId, limit, offset],
    );
    const rows = (Array.isArray(result) ? result : (result as { rows: LogLine[] }).rows) as LogLine[];
    const count = async (table: string) => {
      const [{ n }] = (await this.db(table).where({ migration_id: migrationId }).count({ n: '*' })) as { n: number | string }[];
      return Number(n);
    };
    const [events, errors] = await Promise.all([count('migration_timeline'), count('migration_errors')]);
    return { total: events + errors, rows: rows.map((r) => ({ at: r.at, level: r.level, message: r.message })) };
  }

  /** A validation run's report (state and every tier's full result), once the run is over. */
  async recordValidation(migrationId: string, report: ValidationReport): Promise<void> {
    await this.db('migration_validations')
      .insert({ migration_id: migrationId, attempt: report.attempt, status: report.status, report: JSON.stringify(report) })
      .onConflict(['migration_id', 'attempt'])
      .merge(['status', 'report']);
  }

  async getValidation(migrationId: string, attempt: number): Promise<ValidationReport | undefined> {
    const row = await this.db('migration_validations').where({ migration_id: migrationId, attempt }).first('report');
    return row ? (JSON.parse(String(row.report)) as ValidationReport) : undefined;
  }

  /** The newest validation report of each migration that has one, in one query (GET /v1/validations). */
  async latestValidations(migrationIds: string[]): Promise<Map<string, ValidationReport>> {
    if (migrationIds.length === 0) return new Map();
    const newest = this.db('migration_validations').select('migration_id').max('attempt as attempt').whereIn('migration_id', migrationIds).groupBy('migration_id').as('newest');
    const rows = (await this.db('migration_validations as v')
      .join(newest, (j) => j.on('v.migration_id', '=', 'newest.migration_id').andOn('v.attempt', '=', 'newest.attempt'))
      .select('v.migration_id', 'v.report')) as { migration_id: string; report: string }[];
    return new Map(rows.map((r) => [r.migration_id, JSON.parse(String(r.report)) as ValidationReport]));
  }

  /** A signed certificate: `document` is the exact text that was signed and is served. */
  async recordCertificate(
    migrationId: string,
    certificate: { certificate_id: string; validation_attempt: number; issued_at: string; sha256: string; document: string },
  ): Promise<void> {
    await this.db('migration_certificates').insert({ migration_id: migrationId, ...certificate }).onConflict('certificate_id').ignore();
  }

  async getCertificate(migrationId: string, certificateId: string): Promise<string | undefined> {
    const row = await this.db('migration_certificates').where({ migration_id: migrationId, certificate_id: certificateId }).first('document');
    return row ? String(row.document) : undefined;
  }

  /** How a workflow run ended: its final status, and the input a new run starts from when the migration is opened again. */
  async recordOutcome(migrationId: string, outcome: { runId: string; status: MigrationStatus; carryOn: MigrationInput }): Promise<void> {
    const row: StoredOutcome = {
      migration_id: migrationId,
      run_id: outcome.runId,
      status: outcome.status.status,
      final_status: JSON.stringify(outcome.status),
      carry_on: JSON.stringify(outcome.carryOn),
      closed_at: now(),
    };
    await this.db('migration_outcomes').insert(row).onConflict('migration_id').merge(['run_id', 'status', 'final_status', 'carry_on', 'closed_at']);
  }

  /** The final status of a migration whose workflow has ended (undefined while it runs, or if it ended before outcomes were kept). */
  async getOutcome(migrationId: string): Promise<MigrationOutcome | undefined> {
    const row = await this.db('migration_outcomes').where({ migration_id: migrationId }).first('run_id', 'final_status', 'closed_at');
    return row ? { run_id: String(row.run_id), status: JSON.parse(String(row.final_status)) as MigrationStatus, closed_at: String(row.closed_at) } : undefined;
  }

  async getStoredOutcome(migrationId: string): Promise<StoredOutcome | undefined> {
    return this.db('migration_outcomes').where({ migration_id: migrationId }).first();
  }

  /**
   * A closed run is opened again: its outcome no longer describes the migration, and is taken out (answered, so it
   * can be put back if the new run does not start). Undefined when that run's outcome is not there: another request
   * opened it first.
   */
  async takeOutcome(migrationId: string, runId: string): Promise<StoredOutcome | undefined> {
    return this.db.transaction(async (trx) => {
      const row: StoredOutcome | undefined = await trx('migration_outcomes').where({ migration_id: migrationId, run_id: runId }).first();
      if (!row) return undefined;
      const taken = await trx('migration_outcomes').where({ migration_id: migrationId, run_id: runId }).delete();
      return taken > 0 ? row : undefined;
    });
  }

  async putOutcomeBack(row: StoredOutcome): Promise<void> {
    await this.db('migration_outcomes').insert(row).onConflict('migration_id').ignore();
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
    const deleted = (await this.db('webhooks').where({ id, environment }).delete()) > 0;
    if (deleted) await this.db('webhook_deliveries').where({ webhook_id: id }).delete();
    return deleted;
  }

  /** Subscriptions of an environment that want this event ("*" wants all). */
  async webhooksFor(environment: Environment, event: string): Promise<WebhookRecord[]> {
    const rows = await this.db('webhooks').where({ environment });
    return rows.map(webhookFromRow).filter((w) => w.events.includes(event) || w.events.includes('*'));
  }

  /** One delivery attempt, as it ended (kept for the subscription's delivery list; removed with the subscription). */
  async recordWebhookDelivery(d: Omit<WebhookDeliveryRecord, 'seq'>): Promise<void> {
    await this.db('webhook_deliveries').insert(d);
  }

  /** A subscription's delivery attempts, newest first. */
  async listWebhookDeliveries(webhookId: string, limit: number, offset: number) {
    const base = this.db('webhook_deliveries').where({ webhook_id: webhookId });
    const [{ n }] = (await base.clone().count({ n: '*' })) as { n: number | string }[];
    const rows = (await base.clone().orderBy('seq', 'desc').limit(limit).offset(offset)) as WebhookDeliveryRecord[];
    return { total: Number(n), rows: rows.map((r) => ({ ...r, seq: Number(r.seq), attempt: Number(r.attempt), status_code: r.status_code === null ? null : Number(r.status_code) })) };
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

function errorRow(migrationId: string, e: MigrationError) {
  return {
    migration_id: migrationId,
    error_id: e.id,
    phase: e.phase,
    table_name: e.table ?? null,
    row_key: e.key ? JSON.stringify(e.key) : null,
    code: e.code,
    message: e.message,
    at: e.at,
    resolved_at: e.resolved_at ?? null,
    resolved_by: e.resolved_by ?? null,
    resolution_note: e.resolution_note ?? null,
  };
}

/** The record as the workflow keeps it: absent fields absent (not null), in the same order. */
function errorFromRow(row: Record<string, unknown>): MigrationError {
  const optional = (value: unknown) => (value === null || value === undefined ? undefined : String(value));
  const error: MigrationError = {
    id: String(row.error_id),
    phase: row.phase as MigrationError['phase'],
    table: optional(row.table_name),
    key: row.row_key === null || row.row_key === undefined ? undefined : (JSON.parse(String(row.row_key)) as MigrationError['key']),
    code: String(row.code),
    message: String(row.message),
    at: String(row.at),
    resolved_at: optional(row.resolved_at),
    resolved_by: optional(row.resolved_by),
    resolution_note: optional(row.resolution_note),
  };
  for (const field of Object.keys(error) as (keyof MigrationError)[]) if (error[field] === undefined) delete error[field];
  return error;
}

function webhookFromRow(row: Record<string, unknown>): WebhookRecord {
  return { ...(row as unknown as WebhookRecord), events: JSON.parse(String(row.events)) as string[] };
}
