/**
 * @sensei-ai/sdk — a typed TypeScript client for the Sensei REST API v1.
 *
 *   const client = new Sensei({ apiKey: process.env.SENSEI_API_KEY!, baseUrl: 'http://localhost:8080' });
 *   const migration = await client.migrations.create({ name, source, target, strategy: 'balanced' });
 *   await migration.start();
 *   for await (const status of migration.events()) console.log(status.status, status.progress.percent);
 *
 * Uses the global fetch (Node 20+) and node:crypto (webhook signatures); no dependencies.
 * Types come from the server's own contract (import type only: nothing of the server is loaded at run time).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type {
  GateState,
  MigrationError,
  MigrationOptions,
  MigrationStatus,
  MigrationStatusValue,
  TierResult,
  ValidationReport,
  ValidationState,
  ValidationTier,
  Phase,
  TableProgress,
  CertificateSummary,
  PauseReason,
} from '../lib/migration';
import type { ObjectKind, ObjectMapping } from '../lib/object-mappings';
import type { SnakeKeys } from '../lib/snake-case';
import type { Dialect, SchemaInfo, Strategy, TableInfo } from '../lib/types';

export type {
  ObjectKind,
  ObjectMapping,
  GateState,
  MigrationError,
  MigrationStatus,
  MigrationStatusValue,
  TierResult,
  ValidationReport,
  ValidationState,
  ValidationTier,
  Phase,
  TableProgress,
  CertificateSummary,
  Dialect,
  SchemaInfo,
  SnakeKeys,
  Strategy,
};

// ---------------------------------------------------------------------------------------------------------------
// Requests and responses
// ---------------------------------------------------------------------------------------------------------------

/** A source or target: a saved connection by id, or an inline type + connection string. */
export type EndpointInput =
  | { connection_id: string; schema?: string; tables?: string[]; exclude_tables?: string[] }
  | { type: Dialect; connection_string: string; schema?: string; tables?: string[]; exclude_tables?: string[] };

export interface CreateMigrationRequest {
  name: string;
  source: EndpointInput;
  /** `tables` is only accepted on the source. */
  target: EndpointInput;
  strategy?: Strategy;
  /** The same options the workflow takes (lib/migration.ts), validation queries included. */
  options?: MigrationOptions;
}

export interface Pagination {
  total: number;
  limit: number;
  offset: number;
  has_more: boolean;
}

export interface Page<T> {
  data: T[];
  pagination: Pagination;
}

export interface PageQuery {
  limit?: number;
  offset?: number;
}

export type MigrationSort =
  | 'created_at'
  | '-created_at'
  | 'name'
  | '-name'
  | 'status'
  | '-status'
  | 'updated_at'
  | '-updated_at';

export interface ListMigrationsQuery extends PageQuery {
  status?: MigrationStatusValue;
  /** ISO date (or a Date). */
  created_after?: string | Date;
  created_before?: string | Date;
  sort?: MigrationSort;
}

export interface MigrationLinks {
  self: string;
  start: string;
  status: string;
  pause: string;
  resume: string;
  approve: string;
  reject: string;
  mappings: string;
  errors: string;
  validation: string;
  certificate: string;
}

/** The migration resource (POST /v1/migrations, start, pause, resume, cancel). */
export interface MigrationResource {
  id: string;
  name: string;
  status: MigrationStatusValue;
  phase: Phase | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
  source: MigrationStatus['source'] & { estimated_rows: number | null };
  target: MigrationStatus['target'];
  strategy: Strategy;
  progress: MigrationStatus['progress'];
  gate: GateState | null;
  failure: { code: string; message: string } | null;
  /** Why it is paused (an operator, or Sensei after a chunk ran out of retries); null unless paused. */
  pause_reason: PauseReason | null;
  links: MigrationLinks;
}

/** GET /v1/migrations/{id}: the resource with phases, tables, validation and certificate summary. */
export interface MigrationDetail extends MigrationResource {
  phases: MigrationStatus['phases'];
  tables: TableProgress[];
  validation: ValidationState | null;
  certificate: CertificateSummary | null;
}

/** One row of GET /v1/migrations. */
export interface MigrationSummary {
  id: string;
  name: string;
  status: MigrationStatusValue;
  phase: Phase | null;
  strategy: Strategy;
  source: { type: Dialect };
  target: { type: Dialect };
  created_at: string;
  updated_at: string;
  links: { self: string };
}

/** PATCH /v1/migrations/{id}: configuration changes before start (at least one field). */
export interface UpdateMigrationRequest {
  name?: string;
  strategy?: Strategy;
  options?: CreateMigrationRequest['options'];
}

/** What an edit at the gate answers: the mappings edited, the tables left out so far, the blockers left and the gate. */
export interface GateEdits {
  edited: Mapping[];
  /** Object mappings left out at the gate so far. */
  left_out: string[];
  excluded_tables: string[];
  blockers: string[];
  gate: GateState;
}

/** One mapping edit at the gate: the column's new target type (parsed by the target's type map). */
export interface MappingEdit {
  id: string;
  target_type: string;
}

/** Who decided is the caller's credential, never a field of the request. */
export interface GateDecisionRequest {
  comment?: string;
}

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface TargetSchema {
  dialect: Dialect;
  schema: string;
  tables: {
    name: string;
    columns: { name: string; type: string; nullable: boolean }[];
    primary_key: string[];
    unique_constraints: SnakeKeys<TableInfo['uniqueConstraints']>;
    foreign_keys: SnakeKeys<TableInfo['foreignKeys']>;
    indexes: SnakeKeys<TableInfo['indexes']>;
    copy_mode: 'keyset' | 'whole_table';
    key_columns: string[];
    copy_note: string | null;
  }[];
}

/** A database the server knows (GET /v1/dialects). */
export interface DialectInfo {
  type: Dialect;
  label: string;
  /** False for one this version accepts by name but cannot migrate yet. */
  supported: boolean;
  url_schemes: string[];
  file_extensions: string[];
}

/** A column's mapping: how the plan takes it to the target, with its confidence and what can be lost (note). */
export interface Mapping {
  /** `<table>.<column>`. */
  id: string;
  table: string;
  column: string;
  source_type: string;
  target_type: string;
  /** The type both sides are read as (kind, length, precision, scale, …; snake_case). */
  canonical: { kind: string } & Record<string, unknown>;
  nullable: boolean;
  /** 1.0 = lossless; lower when precision, range, time zone or semantics may change. */
  confidence: number;
  note: string | null;
}

export interface MappingsPage<M = Mapping> extends Page<M> {
  min_confidence: number;
  blockers: string[];
  /** What the approver should know about the plan as a whole (tables renamed to fit the target's name limit …). */
  notes: string[];
}

export interface CreateConnectionRequest {
  name: string;
  type: Dialect;
  connection_string: string;
  schema?: string;
  /** Test the connection before saving it (default true). */
  test?: boolean;
}

/** A saved connection; the connection string is never shown back. */
export interface Connection {
  id: string;
  name: string;
  type: Dialect;
  description: string;
  schema: string | null;
  environment: 'live' | 'test';
  created_at: string;
  links: { self: string; test: string };
}

export type ConnectionTestResult =
  | { id: string; success: true; server_version: string; latency_ms: number }
  | { id: string; success: false; error: string };

export type Scope = 'read' | 'write' | 'admin';

export interface CreateApiKeyRequest {
  name: string;
  kind?: 'api_key' | 'service_account';
  environment?: 'live' | 'test';
  scopes?: Scope[];
  rate_limit_per_second?: number;
}

export interface ApiKey {
  id: string;
  name: string;
  kind: 'api_key' | 'service_account';
  environment: 'live' | 'test';
  prefix: string;
  scopes: Scope[];
  rate_limit_per_second: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** POST /v1/api-keys: the key itself is in `key`, shown this once. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

/** Events a webhook subscription can ask for ('*' for all). */
export type WebhookEventName =
  | 'migration.created'
  | 'migration.phase.started'
  | 'migration.phase.completed'
  | 'migration.paused'
  | 'migration.resumed'
  | 'migration.completed'
  | 'migration.failed'
  | 'migration.cancelled'
  | 'validation.completed'
  | 'certificate.issued'
  | '*';

export interface CreateWebhookRequest {
  /** http(s) URL that receives signed POSTs. */
  url: string;
  events: WebhookEventName[];
  /** The HMAC secret (16–200 characters); generated and shown once when absent. */
  secret?: string;
  description?: string;
}

/** A webhook subscription; its secret is never shown back. */
export interface Webhook {
  id: string;
  url: string;
  events: WebhookEventName[];
  description: string | null;
  environment: 'live' | 'test';
  created_at: string;
}

/** POST /v1/webhooks: `secret` is shown this once (verify deliveries with verifyWebhookSignature). */
export interface CreatedWebhook extends Webhook {
  secret: string;
}

export interface ValidationSummary {
  migration_id: string;
  name: string;
  migration_status: MigrationStatusValue;
  validation: ValidationReport | 'unavailable' | null;
}

export interface PublicKey {
  algorithm: 'Ed25519';
  public_key_pem: string;
}

/** The seeds' error body. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; request_id?: string; documentation_url?: string };
}

// ---------------------------------------------------------------------------------------------------------------
// Client plumbing
// ---------------------------------------------------------------------------------------------------------------

export interface SenseiOptions {
  /** sk_live_/sk_test_ key, sa_ service-account key or an OAuth JWT. */
  apiKey: string;
  /** Where the API is served, e.g. http://localhost:8080 (a trailing /v1 is accepted). Default https://api.sensei.ai. */
  baseUrl?: string;
  /** Per-request timeout (default 30 s); streams (events) have none unless a signal is given. */
  timeoutMs?: number;
  /** Retries of a 429 (honouring Retry-After) and of network errors on GET; default 2. */
  maxRetries?: number;
  /** Headers added to every request. */
  headers?: Record<string, string>;
  /** A fetch implementation (default: the global fetch). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Sent as X-Request-Id (1–128 of A-Z a-z 0-9 . _ : -; the server replaces anything else with its own). */
  requestId?: string;
  /** Sent as X-Idempotency-Key on POSTs: a retry with the same key and body replays the first answer. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Any non-2xx answer of the API: status plus the seeds' error body. */
export class SenseiApiError extends Error {
  override readonly name = 'SenseiApiError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  /** The server's request id (body, else the X-Request-Id header). */
  readonly request_id: string | undefined;
  readonly method: string;
  readonly path: string;
  /** Seconds, from Retry-After (429). */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: Record<string, unknown>;
    request_id?: string;
    method: string;
    path: string;
    retryAfter?: number;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.request_id = init.request_id;
    this.method = init.method;
    this.path = init.path;
    this.retryAfter = init.retryAfter;
  }

  /** Alias of request_id. */
  get requestId(): string | undefined {
    return this.request_id;
  }
}

/** The network failed, or a request timed out, before any answer. */
export class SenseiConnectionError extends Error {
  override readonly name = 'SenseiConnectionError';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** waitFor gave up. */
export class SenseiTimeoutError extends Error {
  override readonly name = 'SenseiTimeoutError';
  constructor(
    message: string,
    readonly lastStatus?: MigrationStatus,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | Date | undefined | null>;

interface Call extends RequestOptions {
  query?: Query;
  body?: unknown;
  accept?: string;
  /** 'json' (default), 'text', 'none' (204) or 'response' (the raw Response, for streams). */
  as?: 'json' | 'text' | 'none' | 'response';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function queryString(q: Query | undefined): string {
  if (!q) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null) continue;
    params.append(k, v instanceof Date ? v.toISOString() : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

const seg = (s: string) => encodeURIComponent(s);

/** Transport: auth, headers, timeouts, retries of 429, error bodies → SenseiApiError. Shared by every resource. */
export class Transport {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: SenseiOptions) {
    if (!options.apiKey) throw new TypeError('Sensei: apiKey is required');
    this.baseUrl = (options.baseUrl ?? 'https://api.sensei.ai').replace(/\/+$/, '').replace(/\/v1$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    if (!this.fetchImpl) throw new TypeError('Sensei: no fetch available (Node 20+ or pass options.fetch)');
  }

  async request<T>(method: string, path: string, call: Call = {}): Promise<T> {
    const url = this.baseUrl + path + queryString(call.query);
    const headers: Record<string, string> = {
      accept: call.accept ?? 'application/json',
      'user-agent': 'sensei-sdk-typescript/0.1.0',
      ...this.options.headers,
      authorization: `Bearer ${this.options.apiKey}`,
    };
    if (call.requestId) headers['x-request-id'] = call.requestId;
    if (call.idempotencyKey) headers['x-idempotency-key'] = call.idempotencyKey;
    let body: string | undefined;
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    }
    const streaming = call.as === 'response';
    const timeoutMs = call.timeoutMs ?? (streaming ? undefined : (this.options.timeoutMs ?? 30_000));
    const maxRetries = this.options.maxRetries ?? 2;

    for (let attempt = 0; ; attempt++) {
      const signals = [call.signal, timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined].filter((s): s is AbortSignal => !!s);
      const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
      let res: Response;
      try {
        res = await this.fetchImpl(url, { method, headers, body, signal });
      } catch (err) {
        if (call.signal?.aborted) throw err;
        // Only reads are retried on network errors: a POST may have been applied (unless it carries an idempotency key).
        if (attempt < maxRetries && (method === 'GET' || call.idempotencyKey)) {
          await sleep(200 * 2 ** attempt, call.signal);
          continue;
        }
        const timedOut = (err as Error)?.name === 'TimeoutError';
        throw new SenseiConnectionError(timedOut ? `${method} ${path} timed out after ${timeoutMs} ms` : `${method} ${path} failed: ${(err as Error)?.message}`, err);
      }
      if (res.ok) {
        if (call.as === 'response') return res as unknown as T;
        if (call.as === 'none' || res.status === 204) {
          await res.arrayBuffer().catch(() => undefined);
          return undefined as T;
        }
        const text = await res.text();
        if (call.as === 'text') return text as T;
        return (text ? JSON.parse(text) : undefined) as T;
      }
      const error = await errorFrom(res, method, path);
      if (res.status === 429 && attempt < maxRetries) {
        await sleep(Math.min(10, error.retryAfter ?? 1) * 1000, call.signal);
        continue;
      }
      throw error;
    }
  }
}

async function errorFrom(res: Response, method: string, path: string): Promise<SenseiApiError> {
  const text = await res.text().catch(() => '');
  let parsed: Partial<ApiErrorBody> | undefined;
  try {
    parsed = text ? (JSON.parse(text) as ApiErrorBody) : undefined;
  } catch {
    parsed = undefined;
  }
  const e = parsed?.error;
  const retry = Number(res.headers.get('retry-after'));
  return new SenseiApiError({
    status: res.status,
    code: typeof e?.code === 'string' ? e.code : `http_${res.status}`,
    message: typeof e?.message === 'string' ? e.message : `${method} ${path}: HTTP ${res.status} ${res.statusText}`,
    details: e?.details,
    request_id: e?.request_id ?? res.headers.get('x-request-id') ?? undefined,
    method,
    path,
    retryAfter: Number.isFinite(retry) && retry > 0 ? retry : undefined,
  });
}

/** Walks a limit/offset listing page by page. */
async function* paginate<T>(fetchPage: (q: { limit: number; offset: number }) => Promise<Page<T>>, query: PageQuery = {}): AsyncGenerator<T> {
  const limit = query.limit ?? 100;
  let offset = query.offset ?? 0;
  for (;;) {
    const page = await fetchPage({ limit, offset });
    for (const item of page.data) yield item;
    if (!page.pagination.has_more || page.data.length === 0) return;
    offset += page.data.length;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Server-sent events
// ---------------------------------------------------------------------------------------------------------------

export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
}

/** Parses a text/event-stream body (WHATWG rules: fields, comments, multi-line data, CR/LF/CRLF). */
export async function* parseEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let nl: RegExpExecArray | null;
      const lineEnd = /\r\n|\r|\n/g;
      let consumed = 0;
      while ((nl = lineEnd.exec(buffer))) {
        // A lone \r at the end of the buffer may be the first half of \r\n: wait for more.
        if (nl[0] === '\r' && nl.index === buffer.length - 1 && !done) break;
        const line = buffer.slice(consumed, nl.index);
        consumed = nl.index + nl[0].length;
        if (line === '') {
          if (data.length > 0 || event) yield { event: event || 'message', data: data.join('\n'), ...(id !== undefined ? { id } : {}) };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value2 = colon === -1 ? '' : line.slice(colon + 1);
        if (value2.startsWith(' ')) value2 = value2.slice(1);
        if (field === 'event') event = value2;
        else if (field === 'data') data.push(value2);
        else if (field === 'id') id = value2;
      }
      buffer = buffer.slice(consumed);
      if (done) return;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Migrations
// ---------------------------------------------------------------------------------------------------------------

export interface WaitForOptions {
  /** Default 10 minutes. */
  timeoutMs?: number;
  /** Between polls; default 500 ms. */
  intervalMs?: number;
  signal?: AbortSignal;
  /** Throw when the migration ends (completed, failed, cancelled) without satisfying the predicate; default true. */
  throwOnTerminal?: boolean;
}

const TERMINAL: readonly MigrationStatusValue[] = ['completed', 'failed', 'cancelled'];

export class MigrationsResource {
  constructor(private readonly t: Transport) {}

  /** POST /v1/migrations → a Migration bound to the new id. */
  async create(body: CreateMigrationRequest, options: RequestOptions = {}): Promise<Migration> {
    const created = await this.t.request<MigrationResource>('POST', '/v1/migrations', { ...options, body });
    return new Migration(this, created.id, created);
  }

  /** A Migration object for an id, without a request. */
  handle(id: string): Migration {
    return new Migration(this, id);
  }

  /** GET /v1/migrations/{id} → a Migration with its detail loaded. */
  async retrieve(id: string, options: RequestOptions = {}): Promise<Migration> {
    return new Migration(this, id, await this.get(id, options));
  }

  list(query: ListMigrationsQuery = {}, options: RequestOptions = {}): Promise<Page<MigrationSummary>> {
    return this.t.request('GET', '/v1/migrations', { ...options, query: { ...query } });
  }

  /** Every migration matching the filters, page by page: `for await (const m of client.migrations.iterate({ status: 'completed' }))`. */
  iterate(query: ListMigrationsQuery = {}, options: RequestOptions = {}): AsyncGenerator<MigrationSummary> {
    return paginate((p) => this.list({ ...query, ...p }, options), query);
  }

  get(id: string, options: RequestOptions = {}): Promise<MigrationDetail> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}`, options);
  }

  status(id: string, options: RequestOptions = {}): Promise<MigrationStatus> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/status`, options);
  }

  /** PATCH /v1/migrations/{id}: name, strategy or options, before start (409 after). */
  update(id: string, patch: UpdateMigrationRequest, options: RequestOptions = {}): Promise<MigrationResource> {
    return this.t.request('PATCH', `/v1/migrations/${seg(id)}`, { ...options, body: patch });
  }

  /**
   * PATCH …/mappings: edit target types while the approval gate waits; answers the edited mappings, the tables left
   * out, the blockers that remain and the gate.
   */
  editMappings(id: string, mappings: MappingEdit[], options: RequestOptions = {}): Promise<GateEdits> {
    return this.t.request('PATCH', `/v1/migrations/${seg(id)}/mappings`, { ...options, body: { mappings } });
  }

  /**
   * PATCH …/mappings with exclude_tables: leaves source tables out while the approval gate waits (the mapping is
   * planned again without them, the other tables' edits kept): how a blocker that no edit ends is ended.
   */
  excludeTables(id: string, tables: string[], options: RequestOptions = {}): Promise<GateEdits> {
    return this.t.request('PATCH', `/v1/migrations/${seg(id)}/mappings`, { ...options, body: { exclude_tables: tables } });
  }

  /** PATCH …/mappings/{mapping_id}: edit one mapping's target type. */
  editMapping(id: string, mappingId: string, targetType: string, options: RequestOptions = {}): Promise<Mapping & { gate: GateState }> {
    return this.t.request('PATCH', `/v1/migrations/${seg(id)}/mappings/${seg(mappingId)}`, { ...options, body: { target_type: targetType } });
  }

  /** POST …/errors/{error_id}/resolve: marks an error resolved (an operator looked at it). */
  resolveError(id: string, errorId: string, body: { note?: string } = {}, options: RequestOptions = {}): Promise<MigrationError> {
    return this.t.request('POST', `/v1/migrations/${seg(id)}/errors/${seg(errorId)}/resolve`, { ...options, body });
  }

  /** POST …/errors/{error_id}/retry: re-copies a rejected row through the workflow. */
  retryError(
    id: string,
    errorId: string,
    options: RequestOptions = {},
  ): Promise<{ outcome: 'copied' | 'rejected_again' | 'gone_from_source'; error: MigrationError }> {
    return this.t.request('POST', `/v1/migrations/${seg(id)}/errors/${seg(errorId)}/retry`, options);
  }

  start(id: string, options: RequestOptions = {}): Promise<MigrationResource> {
    return this.t.request('POST', `/v1/migrations/${seg(id)}/start`, options);
  }

  pause(id: string, options: RequestOptions = {}): Promise<MigrationResource> {
    return this.t.request('POST', `/v1/migrations/${seg(id)}/pause`, options);
  }

  resume(id: string, options: RequestOptions = {}): Promise<MigrationResource> {
    return this.t.request('POST', `/v1/migrations/${seg(id)}/resume`, options);
  }

  approve(id: string, decision: GateDecisionRequest = {}, options: RequestOptions = {}): Promise<{ id: string; gate: GateState }> {
    return this.t.request('POST', `/v1/migrations/${seg(id)}/approve`, { ...options, body: decision });
  }

  reject(id: string, decision: GateDecisionRequest = {}, options: RequestOptions = {}): Promise<{ id: string; gate: GateState }> {
    return this.t.request('POST', `/v1/migrations/${seg(id)}/reject`, { ...options, body: decision });
  }

  /** DELETE /v1/migrations/{id}: asks the migration to stop (202); it ends `cancelled`. */
  cancel(id: string, body: { reason?: string } = {}, options: RequestOptions = {}): Promise<MigrationResource> {
    return this.t.request('DELETE', `/v1/migrations/${seg(id)}`, { ...options, body });
  }

  logs(id: string, query: PageQuery = {}, options: RequestOptions = {}): Promise<Page<LogLine>> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/logs`, { ...options, query: { ...query } });
  }

  /** GET …/tables: per-table progress a page at a time, in plan order (the status shows at most 100 tables). */
  tables(id: string, query: PageQuery = {}, options: RequestOptions = {}): Promise<Page<TableProgress>> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/tables`, { ...options, query: { ...query } });
  }

  listErrors(id: string, query: PageQuery = {}, options: RequestOptions = {}): Promise<Page<MigrationError>> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/errors`, { ...options, query: { ...query } });
  }

  getError(id: string, errorId: string, options: RequestOptions = {}): Promise<MigrationError> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/errors/${seg(errorId)}`, options);
  }

  /** The source schema as analysed: the schema model with the API's snake_case field names (`native_type`, `row_estimate`, …). */
  sourceSchema(id: string, options: RequestOptions = {}): Promise<SnakeKeys<SchemaInfo>> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/schema/source`, options);
  }

  targetSchema(id: string, options: RequestOptions = {}): Promise<TargetSchema> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/schema/target`, options);
  }

  listMappings(id: string, query: PageQuery = {}, options: RequestOptions = {}): Promise<MappingsPage> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/mappings`, { ...options, query: { ...query } });
  }

  /**
   * GET …/mappings?kind=…: the tables' other objects (indexes, unique constraints, CHECKs, foreign keys, defaults;
   * `object`: all of them), each with what the target gets and, when nothing, why.
   */
  listObjectMappings(id: string, query: PageQuery & { kind?: 'object' | ObjectKind } = {}, options: RequestOptions = {}): Promise<MappingsPage<ObjectMapping>> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/mappings`, { ...options, query: { kind: 'object', ...query } });
  }

  /** PATCH …/mappings with leave_out: leaves object mappings (an index, a CHECK, …) out while the gate waits. */
  leaveOut(id: string, objectIds: string[], options: RequestOptions = {}): Promise<GateEdits> {
    return this.t.request('PATCH', `/v1/migrations/${seg(id)}/mappings`, { ...options, body: { leave_out: objectIds } });
  }

  getMapping(id: string, mappingId: string, options: RequestOptions = {}): Promise<Mapping> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/mappings/${seg(mappingId)}`, options);
  }

  validation(id: string, options: RequestOptions = {}): Promise<ValidationReport> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/validation`, options);
  }

  validationTier(id: string, tier: ValidationTier, options: RequestOptions = {}): Promise<TierResult> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/validation/${seg(tier)}`, options);
  }

  rerunValidation(id: string, body: { reason?: string } = {}, options: RequestOptions = {}): Promise<ValidationState> {
    return this.t.request('POST', `/v1/migrations/${seg(id)}/validation/rerun`, { ...options, body });
  }

  /** The Behavioral Equivalence Certificate as its exact signed bytes (canonical JSON text), for `sensei verify`. */
  certificate(id: string, options: RequestOptions = {}): Promise<string> {
    return this.t.request('GET', `/v1/migrations/${seg(id)}/certificate`, { ...options, as: 'text' });
  }

  /** Status changes over server-sent events, until the server's `end` event (the migration ended). */
  async *events(id: string, options: Omit<RequestOptions, 'idempotencyKey'> = {}): AsyncGenerator<MigrationStatus> {
    const res = await this.t.request<Response>('GET', `/v1/migrations/${seg(id)}/status`, {
      ...options,
      accept: 'text/event-stream',
      as: 'response',
    });
    if (!res.body) return;
    if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      // A server that answered with plain JSON: one status, no stream.
      yield (await res.json()) as MigrationStatus;
      return;
    }
    for await (const ev of parseEventStream(res.body)) {
      if (ev.event === 'end') return;
      if (ev.event === 'status') yield JSON.parse(ev.data) as MigrationStatus;
    }
  }

  /** Polls the status until the predicate (or one of the statuses) holds. A 503 (no worker yet) is waited out. */
  async waitFor(
    id: string,
    until: MigrationStatusValue | readonly MigrationStatusValue[] | ((s: MigrationStatus) => boolean),
    options: WaitForOptions = {},
  ): Promise<MigrationStatus> {
    const predicate =
      typeof until === 'function' ? until : (s: MigrationStatus) => (typeof until === 'string' ? [until] : until).includes(s.status);
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    const interval = options.intervalMs ?? 500;
    let last: MigrationStatus | undefined;
    for (;;) {
      try {
        last = await this.status(id, { signal: options.signal });
        if (predicate(last)) return last;
        if ((options.throwOnTerminal ?? true) && TERMINAL.includes(last.status)) {
          throw new SenseiTimeoutError(
            `migration ${id} ended ${last.status}${last.failure ? ` (${last.failure.code}: ${last.failure.message})` : ''} without reaching the awaited state`,
            last,
          );
        }
      } catch (err) {
        if (!(err instanceof SenseiApiError && err.status === 503)) throw err;
      }
      if (Date.now() + interval > deadline) {
        throw new SenseiTimeoutError(`timed out waiting for migration ${id} (last status: ${last?.status ?? 'unknown'})`, last);
      }
      await sleep(interval, options.signal);
    }
  }
}

/** A migration bound to its id; `data` holds the last resource the API answered with. */
export class Migration {
  constructor(
    private readonly migrations: MigrationsResource,
    readonly id: string,
    public data?: MigrationResource | MigrationDetail,
  ) {}

  /** The last known status value (from data), if any. */
  get lastStatus(): MigrationStatusValue | undefined {
    return this.data?.status;
  }

  private keep<T extends MigrationResource>(r: T): T {
    this.data = r;
    return r;
  }

  async start(options?: RequestOptions) {
    return this.keep(await this.migrations.start(this.id, options));
  }
  async pause(options?: RequestOptions) {
    return this.keep(await this.migrations.pause(this.id, options));
  }
  async resume(options?: RequestOptions) {
    return this.keep(await this.migrations.resume(this.id, options));
  }
  approve(decision?: GateDecisionRequest, options?: RequestOptions) {
    return this.migrations.approve(this.id, decision, options);
  }
  reject(decision?: GateDecisionRequest, options?: RequestOptions) {
    return this.migrations.reject(this.id, decision, options);
  }
  async cancel(body?: { reason?: string }, options?: RequestOptions) {
    return this.keep(await this.migrations.cancel(this.id, body, options));
  }
  /** The live status (GET …/status). */
  status(options?: RequestOptions) {
    return this.migrations.status(this.id, options);
  }
  async update(patch: UpdateMigrationRequest, options?: RequestOptions) {
    return this.keep(await this.migrations.update(this.id, patch, options));
  }
  editMappings(mappings: MappingEdit[], options?: RequestOptions) {
    return this.migrations.editMappings(this.id, mappings, options);
  }
  editMapping(mappingId: string, targetType: string, options?: RequestOptions) {
    return this.migrations.editMapping(this.id, mappingId, targetType, options);
  }
  excludeTables(tables: string[], options?: RequestOptions) {
    return this.migrations.excludeTables(this.id, tables, options);
  }
  resolveError(errorId: string, body?: { note?: string }, options?: RequestOptions) {
    return this.migrations.resolveError(this.id, errorId, body, options);
  }
  retryError(errorId: string, options?: RequestOptions) {
    return this.migrations.retryError(this.id, errorId, options);
  }
  /** Reloads the detail (GET /v1/migrations/{id}) into data. */
  async refresh(options?: RequestOptions): Promise<MigrationDetail> {
    return this.keep(await this.migrations.get(this.id, options));
  }
  waitFor(until: Parameters<MigrationsResource['waitFor']>[1], options?: WaitForOptions) {
    return this.migrations.waitFor(this.id, until, options);
  }
  events(options?: Omit<RequestOptions, 'idempotencyKey'>) {
    return this.migrations.events(this.id, options);
  }
  logs(query?: PageQuery, options?: RequestOptions) {
    return this.migrations.logs(this.id, query, options);
  }
  listErrors(query?: PageQuery, options?: RequestOptions) {
    return this.migrations.listErrors(this.id, query, options);
  }
  getError(errorId: string, options?: RequestOptions) {
    return this.migrations.getError(this.id, errorId, options);
  }
  sourceSchema(options?: RequestOptions) {
    return this.migrations.sourceSchema(this.id, options);
  }
  targetSchema(options?: RequestOptions) {
    return this.migrations.targetSchema(this.id, options);
  }
  listMappings(query?: PageQuery, options?: RequestOptions) {
    return this.migrations.listMappings(this.id, query, options);
  }
  listObjectMappings(query?: PageQuery & { kind?: 'object' | ObjectKind }, options?: RequestOptions) {
    return this.migrations.listObjectMappings(this.id, query, options);
  }
  leaveOut(objectIds: string[], options?: RequestOptions) {
    return this.migrations.leaveOut(this.id, objectIds, options);
  }
  getMapping(mappingId: string, options?: RequestOptions) {
    return this.migrations.getMapping(this.id, mappingId, options);
  }
  validation(options?: RequestOptions) {
    return this.migrations.validation(this.id, options);
  }
  validationTier(tier: ValidationTier, options?: RequestOptions) {
    return this.migrations.validationTier(this.id, tier, options);
  }
  rerunValidation(body?: { reason?: string }, options?: RequestOptions) {
    return this.migrations.rerunValidation(this.id, body, options);
  }
  certificate(options?: RequestOptions) {
    return this.migrations.certificate(this.id, options);
  }
  toJSON() {
    return this.data ?? { id: this.id };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Connections, API keys, validations
// ---------------------------------------------------------------------------------------------------------------

export class ConnectionsResource {
  constructor(private readonly t: Transport) {}

  create(body: CreateConnectionRequest, options: RequestOptions = {}): Promise<Connection> {
    return this.t.request('POST', '/v1/connections', { ...options, body });
  }
  list(query: PageQuery = {}, options: RequestOptions = {}): Promise<Page<Connection>> {
    return this.t.request('GET', '/v1/connections', { ...options, query: { ...query } });
  }
  iterate(query: PageQuery = {}, options: RequestOptions = {}): AsyncGenerator<Connection> {
    return paginate((p) => this.list(p, options), query);
  }
  get(id: string, options: RequestOptions = {}): Promise<Connection> {
    return this.t.request('GET', `/v1/connections/${seg(id)}`, options);
  }
  delete(id: string, options: RequestOptions = {}): Promise<void> {
    return this.t.request('DELETE', `/v1/connections/${seg(id)}`, { ...options, as: 'none' });
  }
  /** Connects with the saved connection; a failure is `success: false` with the reason, not an exception. */
  test(id: string, options: RequestOptions = {}): Promise<ConnectionTestResult> {
    return this.t.request('POST', `/v1/connections/${seg(id)}/test`, options);
  }
}

export class ApiKeysResource {
  constructor(private readonly t: Transport) {}

  /** The answer's `key` is the secret, shown this once. Needs the admin scope. */
  create(body: CreateApiKeyRequest, options: RequestOptions = {}): Promise<CreatedApiKey> {
    return this.t.request('POST', '/v1/api-keys', { ...options, body });
  }
  list(query: PageQuery = {}, options: RequestOptions = {}): Promise<Page<ApiKey>> {
    return this.t.request('GET', '/v1/api-keys', { ...options, query: { ...query } });
  }
  iterate(query: PageQuery = {}, options: RequestOptions = {}): AsyncGenerator<ApiKey> {
    return paginate((p) => this.list(p, options), query);
  }
  get(id: string, options: RequestOptions = {}): Promise<ApiKey> {
    return this.t.request('GET', `/v1/api-keys/${seg(id)}`, options);
  }
  /** Revokes (POST …/revoke; the record stays, for audit). */
  revoke(id: string, options: RequestOptions = {}): Promise<ApiKey> {
    return this.t.request('POST', `/v1/api-keys/${seg(id)}/revoke`, options);
  }
  /** DELETE /v1/api-keys/{id}: the same as revoke. */
  delete(id: string, options: RequestOptions = {}): Promise<ApiKey> {
    return this.t.request('DELETE', `/v1/api-keys/${seg(id)}`, options);
  }
}

export class WebhooksResource {
  constructor(private readonly t: Transport) {}

  create(body: CreateWebhookRequest, options: RequestOptions = {}): Promise<CreatedWebhook> {
    return this.t.request('POST', '/v1/webhooks', { ...options, body });
  }
  list(query: PageQuery = {}, options: RequestOptions = {}): Promise<Page<Webhook>> {
    return this.t.request('GET', '/v1/webhooks', { ...options, query: { ...query } });
  }
  iterate(query: PageQuery = {}, options: RequestOptions = {}): AsyncGenerator<Webhook> {
    return paginate((p) => this.list(p, options), query);
  }
  get(id: string, options: RequestOptions = {}): Promise<Webhook> {
    return this.t.request('GET', `/v1/webhooks/${seg(id)}`, options);
  }
  /** Unsubscribes (204). */
  delete(id: string, options: RequestOptions = {}): Promise<void> {
    return this.t.request('DELETE', `/v1/webhooks/${seg(id)}`, { ...options, as: 'none' });
  }
}

export class ValidationsResource {
  constructor(private readonly t: Transport) {}

  list(query: PageQuery = {}, options: RequestOptions = {}): Promise<Page<ValidationSummary>> {
    return this.t.request('GET', '/v1/validations', { ...options, query: { ...query } });
  }
  iterate(query: PageQuery = {}, options: RequestOptions = {}): AsyncGenerator<ValidationSummary> {
    return paginate((p) => this.list(p, options), query);
  }
}

/** The Sensei API client. */
export class Sensei {
  readonly migrations: MigrationsResource;
  readonly connections: ConnectionsResource;
  readonly apiKeys: ApiKeysResource;
  readonly validations: ValidationsResource;
  readonly webhooks: WebhooksResource;
  private readonly transport: Transport;

  constructor(options: SenseiOptions) {
    this.transport = new Transport(options);
    this.migrations = new MigrationsResource(this.transport);
    this.connections = new ConnectionsResource(this.transport);
    this.apiKeys = new ApiKeysResource(this.transport);
    this.validations = new ValidationsResource(this.transport);
    this.webhooks = new WebhooksResource(this.transport);
  }

  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /** GET /v1/openapi.json. */
  openapi(options: RequestOptions = {}): Promise<{ openapi: string; info: Record<string, unknown>; paths: Record<string, Record<string, unknown>> }> {
    return this.transport.request('GET', '/v1/openapi.json', options);
  }

  /** GET /v1/dialects: the databases this server knows (the `type` of an endpoint), and whether it migrates them yet. */
  dialects(query: PageQuery = {}, options: RequestOptions = {}): Promise<Page<DialectInfo>> {
    return this.transport.request('GET', '/v1/dialects', { ...options, query: { ...query } });
  }

  /** GET /v1/certificates/public-key: the Ed25519 key that verifies certificates. */
  publicKey(options: RequestOptions = {}): Promise<PublicKey> {
    return this.transport.request('GET', '/v1/certificates/public-key', options);
  }

  /** Escape hatch: any request, with the client's auth and error handling. */
  request<T = unknown>(method: string, path: string, call: RequestOptions & { query?: Query; body?: unknown } = {}): Promise<T> {
    return this.transport.request<T>(method, path, call);
  }

  static verifyWebhookSignature = verifyWebhookSignature;
}

export default Sensei;

// ---------------------------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------------------------

export const SIGNATURE_HEADER = 'Sensei-Signature';

export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received (not re-serialized JSON). */
  payload: string | Uint8Array;
  /** The Sensei-Signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (several v1= are allowed, for secret rotation). */
  header: string | string[] | null | undefined;
  /** The subscription's signing secret. */
  secret: string;
  /** How old (or how far in the future) the timestamp may be; default 300 s. */
  toleranceSeconds?: number;
  /** Now, in unix seconds (for tests). */
  now?: number;
}

export type WebhookVerification = { valid: true; timestamp: number } | { valid: false; reason: 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'signature_mismatch' };

/** The header value for a payload (what the server sends; useful for tests). */
export function signWebhookPayload(payload: string | Uint8Array, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(payload).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** Checks a webhook's Sensei-Signature without throwing; see verifyWebhookSignature. */
export function checkWebhookSignature(options: VerifyWebhookOptions): WebhookVerification {
  const raw = Array.isArray(options.header) ? options.header.join(',') : options.header;
  if (!raw) return { valid: false, reason: 'missing_header' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of raw.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't') {
      if (!/^\d{1,12}$/.test(v)) return { valid: false, reason: 'malformed_header' };
      timestamp = Number(v);
    } else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) {
      signatures.push(v.toLowerCase());
    }
  }
  if (timestamp === undefined || signatures.length === 0) return { valid: false, reason: 'malformed_header' };
  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > tolerance) return { valid: false, reason: 'timestamp_out_of_tolerance' };
  const expected = Buffer.from(createHmac('sha256', options.secret).update(`${timestamp}.`).update(options.payload).digest('hex'), 'utf8');
  const ok = signatures.some((s) => {
    const given = Buffer.from(s, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return ok ? { valid: true, timestamp } : { valid: false, reason: 'signature_mismatch' };
}

export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
  constructor(readonly reason: Exclude<WebhookVerification, { valid: true }>['reason']) {
    super(`invalid webhook signature: ${reason}`);
  }
}

/**
 * Verifies a webhook: the HMAC-SHA256 over "<t>.<raw body>" with the secret, compared in constant time, and the
 * timestamp within toleranceSeconds of now (a replayed old delivery is refused). Returns the timestamp; throws
 * WebhookSignatureError otherwise.
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): { timestamp: number } {
  const result = checkWebhookSignature(options);
  if (!result.valid) throw new WebhookSignatureError(result.reason);
  return { timestamp: result.timestamp };
}
