/**
 * Garbage collection of the metadata store's payload blobs (lib/claim-check.ts, activities/plans.ts), mark and sweep.
 * Blobs are written once per content and read back for as long as a history names them; nothing else deletes them.
 *
 * Mark: every workflow execution Temporal still keeps (open, or closed within the namespace's retention) is listed
 * and its history read with payloads as stored (undecoded): every claim-check key, and every `plan:<sha256>` in a
 * payload's data — in a claim-checked payload's stored bytes too (an activity input that carries a plan's key can
 * itself be large enough to be claim-checked) — and, for a running execution, in what it holds outside its history
 * (pending activities' heartbeat details). Query results and update arguments not yet accepted are never in a
 * history: they are read within minutes of being written, well inside the grace period.
 * Sweep: a blob is deleted only when no history names it AND nobody wrote it for `graceMs` (24 hours by default).
 * Writers refresh a blob's `touched_at` whenever they put it, and a claim-check codec trusts a key it stored for
 * CLAIM_CHECK_REMEMBER_MS only (10 minutes): a reference written while the collector runs names a blob written
 * minutes ago, which the sweep spares, and the delete itself re-checks `touched_at` in the same statement.
 * Fail closed: when the listing or a history read fails, nothing is deleted.
 */
import type { Client } from '@temporalio/client';
import { CLAIM_CHECK_ENCODING, CLAIM_CHECK_REMEMBER_MS } from './claim-check';
import type { Logger } from './logger';
import type { MetadataStore } from './store';

/** Default time a blob nobody references is kept after it was last written (24 hours). */
export const BLOB_GC_DEFAULT_GRACE_MS = 24 * 3_600_000;
/** The shortest grace allowed: well past the time a codec trusts a key it stored (see the module comment). */
export const BLOB_GC_MIN_GRACE_MS = 6 * CLAIM_CHECK_REMEMBER_MS;

const PLAN_KEY = /plan:[0-9a-f]{64}/g;
/** grpc status NOT_FOUND: a listed execution whose history retention removed before it was read. */
const NOT_FOUND = 5;

/** Blob keys named by histories. */
export interface BlobReferences {
  /** Keys of claim-checked payloads (64 hex digits). */
  claimChecks: Set<string>;
  /** Plan keys (`plan:` and 64 hex digits) found in payload data. */
  plans: Set<string>;
}

export const noReferences = (): BlobReferences => ({ claimChecks: new Set(), plans: new Set() });

/** Every plan key in some bytes (JSON text, or a claim-checked payload's stored form). */
export function planKeysIn(bytes: Uint8Array, into: Set<string>): void {
  for (const match of Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').matchAll(PLAN_KEY)) into.add(match[0]);
}

const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;

/**
 * Collects the blob keys named anywhere in a tree of history events as the service sends them: any object with
 * `data` bytes and a `metadata` map is a payload (inputs, results, memos, headers, failure details, signal and update
 * arguments alike).
 */
export function collectReferences(node: unknown, into: BlobReferences): void {
  if (!node || typeof node !== 'object' || isBytes(node)) return;
  if (Array.isArray(node)) {
    for (const item of node) collectReferences(item, into);
    return;
  }
  const { data, metadata } = node as { data?: unknown; metadata?: unknown };
  if (isBytes(data) && metadata && typeof metadata === 'object') {
    const encoding = (metadata as Record<string, unknown>).encoding;
    if (isBytes(encoding) && Buffer.from(encoding).toString() === CLAIM_CHECK_ENCODING) into.claimChecks.add(Buffer.from(data).toString());
    else planKeysIn(data, into.plans);
    return;
  }
  for (const value of Object.values(node)) collectReferences(value, into);
}

/** What a collection found and did (bytes as stored). */
export interface BlobGcReport {
  dryRun: boolean;
  /** Histories read. */
  executions: number;
  /** Listed executions whose history was gone by the time it was read (retention): they name nothing any more. */
  vanished: number;
  /** Blobs kept because a history names them. */
  referenced: { blobs: number; bytes: number };
  /** Blobs no history names, kept because they were written within the grace period. */
  fresh: { blobs: number; bytes: number };
  /** Blobs deleted (with dryRun: that would be deleted). */
  deleted: { blobs: number; bytes: number };
  /** Keys histories name that the store does not hold (a history that cannot be decoded any more). */
  missing: string[];
}

export interface BlobGcOptions {
  /** Report only; delete nothing (false). */
  dryRun?: boolean;
  /** Keep unreferenced blobs written within this many milliseconds (BLOB_GC_DEFAULT_GRACE_MS; at least BLOB_GC_MIN_GRACE_MS). */
  graceMs?: number;
}

/** Every blob key the histories of the client's namespace name. Throws when any listing or read fails. */
export async function markReferences(client: Client, store: Pick<MetadataStore, 'getBlob'>): Promise<{ references: BlobReferences; executions: number; vanished: number }> {
  const references = noReferences();
  let executions = 0;
  let vanished = 0;
  // The listing pages through visibility; an error on any page ends the iteration with that error.
  for await (const execution of client.workflow.list()) {
    let nextPageToken: Uint8Array | undefined;
    try {
      do {
        const page = await client.workflowService.getWorkflowExecutionHistory({
          namespace: client.options.namespace,
          execution: { workflowId: execution.workflowId, runId: execution.runId },
          nextPageToken,
        });
        collectReferences(page.history?.events ?? [], references);
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
      if (execution.status.name === 'RUNNING') {
        // What a running execution holds outside its history: its pending activities' last heartbeat details.
        collectReferences(await client.workflowService.describeWorkflowExecution({ namespace: client.options.namespace, execution: { workflowId: execution.workflowId, runId: execution.runId } }), references);
      }
      executions += 1;
    } catch (err) {
      if ((err as { code?: unknown }).code !== NOT_FOUND) {
        throw new Error(`reading the history of ${execution.workflowId} (run ${execution.runId}) failed: no blob is deleted`, { cause: err });
      }
      vanished += 1;
    }
  }
  // A claim-checked payload may carry plan keys in its stored bytes (an activity input with a planRef and more).
  for (const key of references.claimChecks) {
    const bytes = await store.getBlob(key);
    if (bytes) planKeysIn(bytes, references.plans);
  }
  return { references, executions, vanished };
}

/** Marks what the histories name, then deletes (unless dryRun) every other blob untouched for the grace period. */
export async function collectBlobGarbage(client: Client, store: MetadataStore, options: BlobGcOptions = {}): Promise<BlobGcReport> {
  const graceMs = options.graceMs ?? BLOB_GC_DEFAULT_GRACE_MS;
  if (!(graceMs >= BLOB_GC_MIN_GRACE_MS)) {
    throw new Error(`the blob grace period must be at least ${BLOB_GC_MIN_GRACE_MS / 60_000} minutes (writers trust a stored key for ${CLAIM_CHECK_REMEMBER_MS / 60_000})`);
  }
  // Taken before the mark: a blob written while histories are read is younger than this, whatever its references.
  const untouchedBefore = new Date(Date.now() - graceMs).toISOString();
  const { references, executions, vanished } = await markReferences(client, store);
  const report: BlobGcReport = {
    dryRun: options.dryRun ?? false,
    executions,
    vanished,
    referenced: { blobs: 0, bytes: 0 },
    fresh: { blobs: 0, bytes: 0 },
    deleted: { blobs: 0, bytes: 0 },
    missing: [],
  };
  const kept = new Set<string>();
  for (const blob of await store.listBlobs()) {
    let tally: { blobs: number; bytes: number };
    if (references.claimChecks.has(blob.key) || references.plans.has(blob.key)) {
      kept.add(blob.key);
      tally = report.referenced;
    } else if (blob.touched_at >= untouchedBefore) {
      tally = report.fresh;
    } else if (report.dryRun) {
      tally = report.deleted;
    } else {
      // False when a writer put it again since the listing: it is fresh now.
      tally = (await store.deleteBlobUntouched(blob.key, untouchedBefore)) ? report.deleted : report.fresh;
    }
    tally.blobs += 1;
    tally.bytes += blob.size;
  }
  report.missing = [...references.claimChecks, ...references.plans].filter((key) => !kept.has(key)).sort();
  return report;
}

/**
 * Runs the collector every `intervalMs` (the first run one interval from now), logging each report; a failed run is
 * logged and deleted nothing (fail closed), and the next one comes on time. stop() waits for a run in progress.
 */
export function scheduleBlobGc(client: Client, store: MetadataStore, options: { intervalMs: number; graceMs: number }, log: Logger): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const next = () => {
    if (stopped) return;
    // setTimeout takes at most 2^31-1 ms (about 24.8 days).
    timer = setTimeout(run, Math.min(options.intervalMs, 2 ** 31 - 1));
    timer.unref();
  };
  const run = () => {
    running = collectBlobGarbage(client, store, { graceMs: options.graceMs })
      .then((report) => log.info({ blobGc: { ...report, missing: report.missing.length } }, 'payload blobs collected'))
      .catch((err: unknown) => log.error({ err }, 'payload blob collection failed: nothing was deleted'))
      .finally(next);
  };
  next();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
