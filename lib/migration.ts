/**
 * The migration contract shared by the workflow, the activities, the API and the CLI.
 * Pure data and pure functions only: the workflow bundle imports this file.
 */
import type { Certificate } from './certificate';
import type { Dialect, Key, MigrationPlan, SchemaInfo, Strategy } from './types';

export const PHASES = [
  'schema_analysis',
  'mapping',
  'schema_creation',
  'data_transfer',
  'validation',
  'certification',
] as const;
export type Phase = (typeof PHASES)[number];

export type MigrationStatusValue =
  | 'created'
  | 'running'
  | 'awaiting_approval'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'cancelled';

export const TERMINAL_STATUSES: readonly MigrationStatusValue[] = ['completed', 'failed', 'cancelled'];

/** A source or target as the workflow sees it: the connection string only sealed (lib/secrets.ts). */
export interface EndpointRef {
  type: Dialect;
  sealedConnection: string;
  /** Secret-free description for status and logs, e.g. "postgresql://app@db.internal:5432/hr". */
  description: string;
  schema?: string;
  /** Only these tables; all when absent. */
  tables?: string[];
  /** Not these tables (each must exist): what cannot be moved stays behind, the rest migrates. */
  excludeTables?: string[];
}

/** Options a migration accepts (API `options`), with defaults. */
export interface MigrationOptions {
  /** Open the approval gate by itself when every mapping is lossless (confidence 1.0). Default false. */
  auto_approve_high_confidence?: boolean;
  /** Rows per chunk; overrides the strategy's starting size (adaptive sizing stays within its bounds). */
  chunk_size?: number;
  /** Tables copied at once; overrides the strategy. */
  parallel_tables?: number;
  /**
   * Rows the target may refuse (each recorded under errors with its key) before the migration fails.
   * Default by strategy: conservative 0 (the first rejected row stops it), balanced 100, aggressive 10,000.
   */
  max_rejected_rows?: number;
  /** Drop and recreate target tables that already hold rows. Default false: such a table fails the migration. */
  replace_existing_tables?: boolean;
  /** E-mail addresses to tell on completion (accepted and recorded; delivery arrives with webhooks). */
  notify_on_completion?: string[];
  /** Validation tiers: user queries for the behavioral tier, how long a failed or completed migration accepts re-runs. */
  validation?: ValidationOptions;
  /**
   * Key ranges a large table with a single integer key is split into and copied at once, spread over every worker
   * polling the task queue; they share the strategy's parallel lanes with the other tables. Each range holds at least
   * PARTITION_RANGE_MIN_ROWS rows. Default: one range per DEFAULT_RANGE_ROWS estimated rows, at most the strategy's
   * parallel tables (so a table under two million rows is not split: on one small machine ranges copied at once only
   * compete for the same cores; the split pays with more workers). 1 turns splitting off.
   */
  table_partitions?: number;
  /** How patiently copying rides out an unreachable database, and what happens when that patience runs out. */
  copy_retry?: CopyRetryOptions;
}

/**
 * The retry budget of one chunk (or one whole-table copy): attempts with exponential backoff from 1 s up to
 * `max_interval_seconds`. When a chunk exhausts it (the source or target stayed unreachable), `on_exhausted`
 * decides: `pause` (default) holds the migration paused at its last committed checkpoint, with the reason in
 * `pause_reason`, until someone resumes it; `fail` ends it failed with the reason (the checkpoint is still
 * reported per table). Either way nothing half-written stays behind: each chunk commits whole or not at all.
 */
export interface CopyRetryOptions {
  /** Attempts per chunk, the first included. Default 15 (about ten minutes of outage). */
  max_attempts?: number;
  /** Longest wait between attempts. Default 60. */
  max_interval_seconds?: number;
  on_exhausted?: 'pause' | 'fail';
}

/** Each key range of a split table holds at least about this many rows (whatever table_partitions asks). */
export const PARTITION_RANGE_MIN_ROWS = 50_000;
/** Without table_partitions, a table gets one key range per this many estimated rows. */
export const DEFAULT_RANGE_ROWS = 1_000_000;

/** How many key ranges a keyset table of `rowsEstimated` rows is copied in (1: not split). */
export function tablePartitions(rowsEstimated: number, options: MigrationOptions, settings: StrategySettings): number {
  const wanted = options.table_partitions ?? Math.min(settings.parallelTables, Math.floor(rowsEstimated / DEFAULT_RANGE_ROWS));
  return Math.max(1, Math.min(wanted, Math.floor(rowsEstimated / PARTITION_RANGE_MIN_ROWS)));
}

export const COPY_RETRY_DEFAULTS: Required<CopyRetryOptions> = { max_attempts: 15, max_interval_seconds: 60, on_exhausted: 'pause' };

/** Why a migration is paused: an operator's request, or Sensei itself after a chunk ran out of retries. */
export interface PauseReason {
  by: 'operator' | 'sensei';
  code: string;
  message: string;
  at: string;
  /** The table whose chunk ran out of retries (sensei pauses only). */
  table?: string;
}

/**
 * The source schema and the plan, sent to the next run apart from the carried state when the workflow continues as
 * new. Neither changes once the gate is passed, so each is one payload with the same bytes run after run: the claim
 * check (lib/claim-check.ts) keeps it once in the metadata store and every later run's history holds only its key,
 * while the carried state that changes holds only per-table progress and counters.
 */
export interface CarriedDocuments {
  schema: SchemaInfo | null;
  plan: MigrationPlan | null;
}

/**
 * The source schema and the plan by their keys in the metadata store (activities/plans.ts), with the two names the
 * status shows. A run that continues as new once the gate is passed (DOCUMENTS_BY_REFERENCE in
 * workflows/migration/workflow.ts) carries these instead of the documents: what the next run's worker decodes when
 * it replays (a status query that lands on a run that just closed waits for that) is its per-table progress and
 * counters, not the 11 MB schema and plan of 5,000 tables. Its activities are sent the plan's key and a table's name;
 * the API reads the documents from the store.
 */
export interface DocumentRefs {
  schema: string;
  plan: string;
  sourceSchema: string | null;
  targetSchema: string | null;
}

export interface MigrationInput {
  id: string;
  name: string;
  source: EndpointRef;
  target: EndpointRef;
  strategy: Strategy;
  options: MigrationOptions;
  createdAt: string;
  /** live or test: the environment of the key that created it (resources of one never show in the other). */
  environment?: 'live' | 'test';
  /**
   * Set when the workflow continues as new: everything it had done so far (since DOCUMENTS_APART, without the source
   * schema and the plan, which travel as the workflow's second argument: see CarriedDocuments).
   */
  carried?: MigrationState;
  /**
   * Set (with carried) when a closed migration, completed or failed in validation, is opened again in a new run
   * of its workflow id to re-run validation against its target as it is now.
   */
  revalidation?: {
    /** Who asked (recorded in the workflow log). */
    by?: string;
    reason?: string;
  };
  /**
   * Set (with carried) when a closed migration, completed or failed, is opened again in a new run of its workflow id
   * to copy rejected rows again (retryErrorUpdate): the run takes the retries, then closes again as it was.
   */
  errorRetry?: {
    /** Who asked first (recorded in the workflow log). */
    by?: string;
  };
}

export type PhaseState = 'pending' | 'running' | 'completed' | 'skipped' | 'failed' | 'cancelled';

export interface TableProgress {
  name: string;
  status: 'pending' | 'copying' | 'completed' | 'failed';
  copy_mode: 'keyset' | 'whole_table';
  rows_copied: number;
  /** Rows the target refused (see errors for their keys). */
  rows_rejected: number;
  rows_estimated: number;
  /**
   * Bytes read from the source for the rows copied: the loader text on the pass-through path, the values' size on the
   * row path. Absent for runs from before it was counted.
   */
  bytes_copied?: number;
  chunks: number;
  /**
   * Times a chunk of this table was tried again after a failed attempt (a dropped connection, a lock that timed
   * out, a worker that died mid-chunk): each attempt after a chunk's first, whether Temporal retried it or a resume
   * after its retries ran out. 0 when every chunk went through at once; absent for runs from before it was counted.
   */
  chunk_retries?: number;
  chunk_size: number;
  /** Last committed key (the checkpoint); null before the first chunk. Partitioned tables: see partitions. */
  last_key: Key | null;
  /**
   * A large table with a single integer key is split into key ranges copied at once, each by whichever worker
   * takes its chunks, each with its own checkpoint. Absent for a table copied as one range.
   */
  partitions?: KeyRangeProgress[];
  started_at: string | null;
  completed_at: string | null;
}

/** One key range of a partitioned table: keys after `from` (null: from the first) up to `until` (null: to the last). */
export interface KeyRangeProgress {
  from: Key | null;
  until: Key | null;
  status: 'pending' | 'copying' | 'completed';
  rows_copied: number;
  chunks: number;
  chunk_size: number;
  /** Last committed key of this range (its checkpoint); null before its first chunk. */
  last_key: Key | null;
}

export interface MigrationError {
  id: string;
  phase: Phase;
  table?: string;
  /** The primary key of the row concerned, for rows the target rejected. */
  key?: Key;
  resolved_at?: string;
  resolved_by?: string;
  resolution_note?: string;
  code: string;
  message: string;
  at: string;
}

/** One line of a migration's timeline (GET …/logs), besides its errors. */
export interface TimelineEvent {
  /** `ev_<n>`, numbered by the workflow: unique within the migration, so a retried write records it once. */
  id: string;
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** Timeline events and errors the workflow recorded and the metadata store has not been sent yet. */
export interface ResultsOutbox {
  events: TimelineEvent[];
  /** New errors, and errors changed since (resolved, retried): written as they are now. */
  errors: MigrationError[];
}

export interface GateState {
  required: boolean;
  state: 'pending' | 'approved' | 'rejected' | 'auto_approved';
  reason: string;
  min_confidence: number;
  decided_by?: string;
  comment?: string;
  decided_at?: string;
}

export interface RowCountCheck {
  table: string;
  source_rows: number;
  target_rows: number;
  /** Rows the target refused during the copy: the target is expected to hold source_rows - rejected_rows. */
  rejected_rows: number;
  match: boolean;
}

export const VALIDATION_TIERS = ['structural', 'statistical', 'referential', 'semantic', 'behavioral'] as const;
export type ValidationTier = (typeof VALIDATION_TIERS)[number];

/**
 * The tiers from the most specific diagnosis to the least: a missing schema object explains differing rows,
 * an orphan or a duplicate key is a sharper statement than "this row differs", differing rows explain
 * differing aggregates, and those explain differing query results. A query that differs while every other
 * tier passes is a behavioural difference of its own (collation, NULL order, type semantics).
 */
export const DIAGNOSIS_ORDER: readonly ValidationTier[] = ['structural', 'referential', 'semantic', 'statistical', 'behavioral'];

/** Which tier caught a failed validation, and which others saw the same difference from further away. */
export interface ValidationDiagnosis {
  caught_by: ValidationTier;
  /** The catching tier's first finding (or its summary when it could not run). */
  finding: string;
  /** The other tiers that did not pass: those that found differences in diagnosis order, then those that could not run. */
  also_failed: ValidationTier[];
}

/**
 * null when every tier passed (or none has ended yet). A tier that found differences is named before one
 * that could not run (`error`): a refused connection says nothing about the data.
 */
export function diagnoseValidation(tiers: ValidationState['tiers'], firstFinding: (tier: ValidationTier) => string | undefined): ValidationDiagnosis | null {
  const failed = [
    ...DIAGNOSIS_ORDER.filter((t) => tiers[t].verdict === 'failed'),
    ...DIAGNOSIS_ORDER.filter((t) => tiers[t].verdict === 'error'),
  ];
  if (failed.length === 0) return null;
  const [caught, ...others] = failed;
  return { caught_by: caught, finding: firstFinding(caught) ?? tiers[caught].summary ?? 'failed', also_failed: others };
}

/** `error`: the tier could not run to the end (the reason is its summary); it counts as not passed. */
export type TierVerdict = 'pending' | 'running' | 'passed' | 'failed' | 'error';

/** One difference a tier found, small enough to cross Temporal (samples are bounded). */
export interface ValidationFinding {
  /** What was checked, e.g. `missing_index`, `null_count`, `orphaned_foreign_key`, `row_changed`, `result_differs`. */
  check: string;
  table?: string;
  column?: string;
  /** The row's primary key, column → value (canonical text), when the finding is about one row. */
  key?: Record<string, string>;
  /** Source / target side, as canonical text (values) or a small object (aggregates, rows). */
  source?: unknown;
  target?: unknown;
  message: string;
}

/** A tier's full outcome (served by validationQuery). Findings are capped; `failures` counts them all. */
export interface TierResult {
  tier: ValidationTier;
  verdict: 'passed' | 'failed' | 'error';
  summary: string;
  checks: number;
  failures: number;
  findings: ValidationFinding[];
  /** sha256 of the RFC 8785 form of this result without this field (the certificate's evidence hash). */
  evidence_sha256: string;
  started_at: string;
  completed_at: string;
  /** Semantic tier: per-table row counts and content hashes on both sides. */
  tables?: TableContentHash[];
  /** Behavioral tier: each query's outcome. */
  queries?: BehavioralQueryResult[];
}

export interface TableContentHash {
  table: string;
  target: string;
  source_rows: number;
  target_rows: number;
  chunks: number;
  differing_chunks: number;
  source_sha256: string;
  target_sha256: string;
}

export interface BehavioralQueryResult {
  name: string;
  origin: 'generated' | 'user';
  ordered: boolean;
  outcome: 'equal' | 'different' | 'failed';
  source_rows?: number;
  target_rows?: number;
  /** sha256 of the normalised result set (sorted unless ordered); equal outcomes have equal hashes. */
  source_sha256?: string;
  target_sha256?: string;
  /** Up to 5 rows only on each side (different), or why it failed. */
  only_in_source?: string[][];
  only_in_target?: string[][];
  error?: string;
}

/** A read query the behavioral tier runs on both sides (options.validation.queries). */
export interface ValidationQuery {
  name: string;
  /** SQL for the source; also used on the target unless target_sql is given. */
  sql: string;
  /** SQL for the target where the dialects differ. */
  target_sql?: string;
}

/** Bounds of each user query (options.validation.queries), per query and side. */
export const USER_QUERY_DEFAULTS = { timeout_seconds: 60, max_rows: 100_000 } as const;

/** Options of the validation phase (options.validation), with defaults. */
export interface ValidationOptions {
  /**
   * Extra read queries for the behavioral tier. Default none (the generated suite always runs). Each runs alone, as
   * one statement that must be a query, in a read-only transaction rolled back after, on a connection of its own;
   * one that would write, lock or change the session is refused and fails the tier.
   */
  queries?: ValidationQuery[];
  /** Seconds each user query may run on each side before the database stops it (a failed query). Default 60. */
  query_timeout_seconds?: number;
  /** Rows each user query may return on each side; a query returning more fails, saying so. Default 100,000. */
  max_query_rows?: number;
  /** After a failed tier, how long the migration waits for a re-run (revalidateUpdate) before it ends failed. Default 7 days. */
  failed_hold_seconds?: number;
  /** After the certificate, how long a completed migration still accepts a re-run of validation. Default 0: it ends at once. */
  completed_hold_seconds?: number;
}

export interface ValidationState {
  status: 'pending' | 'running' | 'passed' | 'failed';
  method: 'five_tiers';
  /** 1 for the first run; each re-run (revalidateUpdate) adds one. */
  attempt: number;
  row_counts: RowCountCheck[];
  /** Per tier: verdict, one-line summary and failure count (full results: validationQuery). */
  tiers: Record<ValidationTier, { verdict: TierVerdict; summary: string | null; failures: number }>;
  /** Set when validation failed: the tier that caught it (see DIAGNOSIS_ORDER). */
  diagnosis?: ValidationDiagnosis | null;
  started_at: string | null;
  completed_at: string | null;
}

/** What validationQuery answers: the state plus every tier's full result. */
export interface ValidationReport extends ValidationState {
  results: Partial<Record<ValidationTier, TierResult>>;
}

/** What the status shows once a certificate is issued (the document itself: certificateQuery). */
export interface CertificateSummary {
  certificate_id: string;
  issued_at: string;
  /** sha256 of the signing public key (SPKI DER). */
  key_fingerprint: string;
  /** sha256 of the certificate file's bytes. */
  sha256: string;
}

export interface MigrationState {
  status: MigrationStatusValue;
  phase: Phase | null;
  phases: Record<Phase, { status: PhaseState; started_at: string | null; completed_at: string | null }>;
  paused: boolean;
  /** Why it is paused (null while not paused). */
  pause_reason?: PauseReason | null;
  cancelRequested: boolean;
  started_at: string | null;
  completed_at: string | null;
  schema: SchemaInfo | null;
  plan: MigrationPlan | null;
  /** Set, with schema and plan null, in a run that holds them by reference (see DocumentRefs). */
  documentRefs?: DocumentRefs;
  gate: GateState | null;
  tables: TableProgress[];
  validation: ValidationState | null;
  /** Full tier results of the latest validation run (absent before validation). */
  validationResults?: Partial<Record<ValidationTier, TierResult>>;
  /** The signed certificate document, once issued. */
  certificate?: Certificate | null;
  certificateSummary?: CertificateSummary | null;
  /** The first MAX_ERRORS_KEPT errors; later ones are only counted here (the metadata store keeps every one). */
  errors: MigrationError[];
  errors_total: number;
  /** What the metadata store has yet to be sent: written in batches by an activity, carried across continue-as-new. */
  outbox?: ResultsOutbox;
  /** Timeline events numbered so far (their ids stay unique across continue-as-new and re-opened runs). */
  timeline_events?: number;
  failure: { code: string; message: string } | null;
  /** Webhook events sent so far (their ids are numbered, and stay unique across continue-as-new). */
  events_emitted?: number;
  /** How many times the workflow continued as new (history stays bounded). */
  runs: number;
}

/** How long the API waits for a workflow query (the status, above all) before it answers 503 worker_unavailable. */
export const QUERY_DEADLINE_MS = 8_000;

/** Tables the status query shows at most (progress.tables_total counts them all; GET …/tables pages through them). */
export const STATUS_TABLES_SHOWN = 100;

/** The status as the status query answers it: per-table progress cut to STATUS_TABLES_SHOWN, the active tables first. */
export function shownStatus(status: MigrationStatus): MigrationStatus {
  if (status.tables.length <= STATUS_TABLES_SHOWN) return status;
  const active = (t: TableProgress) => t.status === 'copying' || t.status === 'failed';
  const tables = [...status.tables.filter(active), ...status.tables.filter((t) => !active(t))].slice(0, STATUS_TABLES_SHOWN);
  return { ...status, tables };
}

/** What the `status` query answers (and the API shapes into its responses). */
export interface MigrationStatus {
  id: string;
  name: string;
  status: MigrationStatusValue;
  phase: Phase | null;
  strategy: Strategy;
  /** tables: the source tables asked for (null: all); exclude_tables: those left out, at creation or at the gate. */
  source: { type: Dialect; description: string; schema: string | null; tables: string[] | null; exclude_tables: string[] | null };
  target: { type: Dialect; description: string; schema: string | null };
  phases: { name: Phase; status: PhaseState; started_at: string | null; completed_at: string | null }[];
  gate: GateState | null;
  progress: { tables_total: number; tables_completed: number; rows_copied: number; rows_estimated: number; percent: number };
  /**
   * Per-table progress. The status query answers at most STATUS_TABLES_SHOWN of them (tables being copied or failed
   * first), so a schema of thousands of tables keeps the status small; the tables query pages through all of them.
   */
  tables: TableProgress[];
  validation: ValidationState | null;
  certificate: CertificateSummary | null;
  errors: MigrationError[];
  errors_total: number;
  failure: { code: string; message: string } | null;
  /** Why the migration is paused: set while status is paused, null otherwise. */
  pause_reason: PauseReason | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  duration_ms: number | null;
}

/** Strategy defaults (DESIGN.md): chunk rows, its adaptive bounds, tables in parallel. */
export interface StrategySettings {
  chunkRows: number;
  minChunkRows: number;
  maxChunkRows: number;
  parallelTables: number;
  /** Rows the target may reject before the migration fails. */
  maxRejectedRows: number;
}

export const STRATEGIES: Record<Strategy, StrategySettings> = {
  conservative: { chunkRows: 1_000, minChunkRows: 1_000, maxChunkRows: 1_000, parallelTables: 1, maxRejectedRows: 0 },
  balanced: { chunkRows: 10_000, minChunkRows: 1_000, maxChunkRows: 50_000, parallelTables: 3, maxRejectedRows: 100 },
  aggressive: { chunkRows: 50_000, minChunkRows: 5_000, maxChunkRows: 200_000, parallelTables: 6, maxRejectedRows: 10_000 },
};

/** Errors kept in workflow state (and the status); beyond this they are counted in errors_total (and listed from the store). */
export const MAX_ERRORS_KEPT = 500;

export function strategySettings(strategy: Strategy, options: MigrationOptions): StrategySettings {
  const base = STRATEGIES[strategy];
  const chunkRows = options.chunk_size ?? base.chunkRows;
  return {
    chunkRows,
    // An explicit chunk size is honoured exactly: it is the operator's bound on chunk (and pause) latency.
    minChunkRows: options.chunk_size ? chunkRows : base.minChunkRows,
    maxChunkRows: options.chunk_size ? chunkRows : base.maxChunkRows,
    parallelTables: options.parallel_tables ?? base.parallelTables,
    maxRejectedRows: options.max_rejected_rows ?? base.maxRejectedRows,
  };
}

/** Chunks aim at this duration: long enough to amortise a round trip through Temporal, short enough to pause quickly. */
const TARGET_CHUNK_MS = 2_000;

/** Next chunk size from the last chunk's throughput, within the strategy's bounds. */
export function nextChunkSize(current: number, rows: number, durationMs: number, s: StrategySettings): number {
  if (rows < current || durationMs <= 0) return current;
  const ideal = Math.round((rows * TARGET_CHUNK_MS) / durationMs);
  // Grow or shrink by at most 2x per step so one odd chunk cannot swing the size.
  const bounded = Math.min(Math.max(ideal, Math.floor(current / 2)), current * 2);
  return Math.min(Math.max(bounded, s.minChunkRows), s.maxChunkRows);
}

/** Blockers the gate's reason names at most (the status stays small; GET …/mappings lists every one). */
const BLOCKERS_NAMED = 5;

/** The gate's reason while a plan has blockers: what they are and how to end them. */
export function blockedReason(blockers: readonly string[]): string {
  const more = blockers.length - BLOCKERS_NAMED;
  const named = blockers.slice(0, BLOCKERS_NAMED).join('; ') + (more > 0 ? `; and ${more} more (GET …/mappings lists them all)` : '');
  return (
    `the mapping has ${blockers.length} blocker(s), which must be ended before it can be approved: ${named}. ` +
    'Edit a mapping (PATCH …/mappings with its target_type) or leave its table out (PATCH …/mappings with exclude_tables)'
  );
}

/** Whether the approval gate waits for a human, and why. */
export function approvalNeed(
  plan: MigrationPlan,
  strategy: Strategy,
  options: MigrationOptions,
): { required: boolean; reason: string } {
  const lossless = plan.minConfidence >= 1;
  // Whatever the strategy: nothing is created until each blocker is ended by an edit or by leaving its table out.
  if (plan.blockers.length > 0) return { required: true, reason: blockedReason(plan.blockers) };
  if (strategy === 'conservative') return { required: true, reason: 'the conservative strategy always waits for a human' };
  if (strategy === 'aggressive') return { required: false, reason: 'the aggressive strategy approves every mapping that can run' };
  if (!options.auto_approve_high_confidence) {
    return { required: true, reason: 'auto_approve_high_confidence is off' };
  }
  if (!lossless) {
    const lossy = plan.tables.flatMap((t) => t.columns).filter((c) => c.confidence < 1).length;
    return { required: true, reason: `${lossy} mapping(s) have confidence below 1.0` };
  }
  return { required: false, reason: 'every mapping is lossless and auto_approve_high_confidence is on' };
}
