/**
 * The data transfer: tables copied in parallel lanes (options.parallel_tables), each in keyset chunks from its last
 * committed checkpoint (or whole, for a table without a usable key); a large table with one integer key is split
 * into key ranges that lanes share. Pauses and cancels take effect between chunks. When the history grows long the
 * lanes drain and the workflow continues as new, carrying every checkpoint in the state.
 */
import * as wf from '@temporalio/workflow';
import { COPY_RETRY_DEFAULTS, nextChunkSize, tablePartitions, type KeyRangeProgress, type TableProgress } from '../../lib/migration';
import type { Key } from '../../lib/types';
import { describeFailure } from '../state';
import type { ChunkResult } from '../../activities';
import { retriesExhausted, schemaWork } from './activities';
import { MigrationCancelled, now, type MigrationRun } from './run';
import { planByReference } from './validation';

/** Beyond this many history events the workflow continues as new, carrying its checkpoints… */
const HISTORY_EVENTS_LIMIT = 8_000;
/**
 * …and, since SHORTER_RUNS_PATCH, beyond this many. A status query that races a continue-as-new is answered by the run
 * that just closed, which the worker must replay whole first: at 5,000 tables a run of 4,100 events (where Temporal
 * suggests continuing) took 7–20 s to replay on a loaded machine, long enough for queries to time out. Shorter runs
 * replay in a fraction of that; each continue-as-new costs about one workflow task.
 */
const SHORTER_RUNS_EVENTS_LIMIT = 1_500;
/** Runs started before it replay with the longer runs (workflow versioning). */
const SHORTER_RUNS_PATCH = 'shorter-runs';

/** Runs started before tables counted their bytes replay without it (workflow versioning). */
const BYTES_PATCH = 'table-bytes';
/** Runs started before tables counted their chunk retries replay without it (workflow versioning). */
export const RETRIES_PATCH = 'chunk-retries';

/** A table copied whole answers the rows it rejected (each by its values' digest), recorded as errors. */
const KEYLESS_REJECTED_PATCH = 'keyless-rows-rejected';
/**
 * Small tables are copied several at a time (copyFirstChunks): at 2,000 ten-row tables one activity per table made
 * 12,008 history events in 8 runs (705 in one run with batches), and a status query that raced a continue-as-new
 * waited for the worker to replay the run that just closed (5.5 s at 5,000 tables). Runs started before it copy every
 * table on its own.
 */
const SMALL_TABLES_PATCH = 'small-tables-batched';
/** Tables in one batch at most… */
const SMALL_TABLES_PER_BATCH = 50;

export async function transferData(run: MigrationRun): Promise<'finished' | 'drained'> {
  const { input, state } = run;
  /** How a table is copied (a run past a continue-as-new holds only the plan's key: its progress says). */
  const copyMode = (progress: TableProgress) => run.tablePlan(progress.name)?.copyMode ?? progress.copy_mode;
  /** Work a lane takes: a whole table (part null), or one key range of a partitioned table. */
  type Work = { progress: TableProgress; part: number | null };
  // Tables interrupted by a continue-as-new go first, so they finish before new ones start.
  const pending: Work[] = state.tables
    .filter((t) => t.status !== 'completed')
    .sort((a, b) => Number(b.status === 'copying') - Number(a.status === 'copying'))
    .flatMap((progress): Work[] =>
      progress.partitions
        ? progress.partitions.flatMap((p, part) => (p.status === 'completed' ? [] : [{ progress, part }]))
        : [{ progress, part: null }],
    );
  /** Sum the bytes each chunk read (ChunkResult.bytes) per table: what `sensei`'s summary shows. */
  const weighs = wf.patched(BYTES_PATCH);
  const weigh = (progress: TableProgress, bytes: number | undefined) => {
    if (weighs && bytes !== undefined) progress.bytes_copied = (progress.bytes_copied ?? 0) + bytes;
  };
  const counts = wf.patched(RETRIES_PATCH);
  /**
   * Chunks (their cursors) whose copy activity ran out of attempts: whatever copies one of them next, after the
   * resume, is a retry from its first attempt on. Kept in memory: lost (one retry uncounted) across a continue-as-new.
   */
  const exhausted = new Set<object>();
  /** Adds the attempts before the one that copied the chunk (ChunkResult.attempt) to the table's chunk_retries. */
  const countRetries = (progress: TableProgress, cursor: object, attempt: number | undefined) => {
    if (!counts || attempt === undefined) return;
    const afterExhausted = exhausted.delete(cursor) ? 1 : 0;
    progress.chunk_retries = (progress.chunk_retries ?? 0) + attempt - 1 + afterExhausted;
  };
  let drained = false;
  let stop = false;
  /** Tables being split right now: their ranges are about to join `pending`, so idle lanes wait for them. */
  let splitting = 0;
  const eventsLimit = wf.patched(SHORTER_RUNS_PATCH) ? SHORTER_RUNS_EVENTS_LIMIT : HISTORY_EVENTS_LIMIT;
  const mustDrain = () => {
    const info = wf.workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > eventsLimit;
  };

  /**
   * Splits a large table with a single integer key into key ranges of about equal rows (the source finds the
   * boundaries by walking its key index), queues all but the first for other lanes and answers the first.
   * Best effort: a table that cannot be split is copied as one range.
   */
  const split = async (progress: TableProgress): Promise<number | null> => {
    const parts = tablePartitions(progress.rows_estimated, input.options, run.settings);
    if (parts < 2 || progress.last_key !== null || progress.chunks > 0) return null;
    splitting += 1;
    try {
      const bounds = await schemaWork.splitKeyRange({ source: input.source, ...run.tableCarrier(progress.name), parts, rowsEstimated: progress.rows_estimated });
      if (bounds.length === 0) return null;
      const ranges = [null, ...bounds].map((from, i): KeyRangeProgress => ({
        from,
        until: bounds[i] ?? null,
        status: 'pending',
        rows_copied: 0,
        chunks: 0,
        chunk_size: progress.chunk_size,
        last_key: from,
      }));
      progress.partitions = ranges;
      pending.unshift(...ranges.slice(1).map((_, i): Work => ({ progress, part: i + 1 })));
      return 0;
    } catch (err) {
      wf.log.warn('table not split; copied as one key range', { table: progress.name, error: String(err) });
      return null;
    } finally {
      splitting -= 1;
    }
  };

  /**
   * A copied chunk into the checkpoint and counters of its table, or of its key range (and the table's totals).
   * Answers whether the table or range is done; if not, its next chunk's size follows this one's throughput.
   */
  const recordChunk = (progress: TableProgress, range: KeyRangeProgress | null, chunk: ChunkResult): boolean => {
    const cursor = range ?? progress;
    countRetries(progress, cursor, chunk.attempt);
    cursor.rows_copied += chunk.written;
    weigh(progress, chunk.bytes);
    cursor.last_key = chunk.lastKey;
    cursor.chunks += 1;
    if (range) {
      progress.rows_copied += chunk.written;
      progress.chunks += 1;
    }
    run.acceptRejected(progress, chunk.rejected);
    if (chunk.done) return true;
    cursor.chunk_size = nextChunkSize(cursor.chunk_size, chunk.rows, chunk.durationMs, run.settings);
    return false;
  };

  const complete = (progress: TableProgress): void => {
    progress.status = 'completed';
    progress.completed_at = now();
    run.note(`table ${progress.name}: ${progress.rows_copied} rows in ${progress.chunks} chunk(s)`, 'info', progress.completed_at);
  };

  const copyTable = async ({ progress, part }: Work): Promise<void> => {
    const table = run.tableCarrier(progress.name);
    progress.status = 'copying';
    progress.started_at ??= now();
    try {
      if (copyMode(progress) === 'whole_table') {
        for (;;) {
          await run.checkpoint();
          const result = await patiently(progress, progress, () =>
            run.copyWork.copyWholeTable({ source: input.source, target: input.target, ...table, batchSize: progress.chunk_size }),
          );
          if (!result) continue;
          countRetries(progress, progress, result.attempt);
          // Rows of a table without a key the target cannot take are rejected, the rest copied (before: they failed it).
          if (result.rejected?.length && wf.patched(KEYLESS_REJECTED_PATCH)) run.acceptRejected(progress, result.rejected);
          progress.rows_copied = result.rows;
          progress.chunks = 1;
          if (weighs && result.bytes !== undefined) progress.bytes_copied = result.bytes;
          break;
        }
      } else {
        if (part === null && !progress.partitions) part = await split(progress);
        const range = part === null ? null : (progress.partitions as KeyRangeProgress[])[part];
        const cursor = range ?? progress;
        if (range) range.status = 'copying';
        for (;;) {
          await run.checkpoint();
          if (stop) return;
          if (mustDrain()) {
            drained = true;
            return;
          }
          const chunk = await patiently(progress, cursor, () =>
            run.copyWork.copyChunk({
              migrationId: input.id,
              source: input.source,
              target: input.target,
              ...table,
              after: cursor.last_key,
              until: range?.until ?? null,
              limit: cursor.chunk_size,
            }),
          );
          if (!chunk) continue;
          if (recordChunk(progress, range, chunk)) break;
        }
        if (range) {
          range.status = 'completed';
          // The table is done with its last range; the lanes of the others move on.
          if (progress.partitions?.some((p) => p.status !== 'completed')) return;
        }
      }
      complete(progress);
    } catch (err) {
      if (!(err instanceof MigrationCancelled) && !wf.isCancellation(err)) {
        progress.status = 'failed';
        const failure = describeFailure(err);
        run.recordError(failure.code, `table ${progress.name}: ${failure.message}`, progress.name);
      }
      throw err;
    }
  };

  /**
   * Runs one copy activity. When it ran out of retries (a database stayed unreachable longer than the budget)
   * and options.copy_retry.on_exhausted is `pause`, the migration pauses itself at the table's last committed
   * checkpoint, says why in pause_reason and under errors, and answers null: the caller waits at its
   * checkpoint and tries the same chunk again once someone resumes. Anything else propagates.
   */
  const patiently = async <T>(progress: TableProgress, cursor: { last_key: Key | null; rows_copied: number }, copy: () => Promise<T>): Promise<T | null> => {
    try {
      return await copy();
    } catch (err) {
      const attempts = input.options.copy_retry?.max_attempts ?? COPY_RETRY_DEFAULTS.max_attempts;
      if (counts && retriesExhausted(err)) {
        // Every attempt but the chunk's first was a retry; one after a resume will be one too (countRetries).
        if ((err as wf.ActivityFailure).retryState === 'MAXIMUM_ATTEMPTS_REACHED') progress.chunk_retries = (progress.chunk_retries ?? 0) + attempts - 1;
        exhausted.add(cursor);
      }
      const onExhausted = input.options.copy_retry?.on_exhausted ?? COPY_RETRY_DEFAULTS.on_exhausted;
      if (!retriesExhausted(err) || onExhausted !== 'pause' || state.cancelRequested) throw err;
      const failure = describeFailure(err);
      const at = cursor.last_key ? `after key ${JSON.stringify(cursor.last_key)}` : 'from its first row';
      const message = `table ${progress.name}: gave up after ${attempts} attempt(s): ${failure.message}. Paused at the last committed checkpoint (${progress.rows_copied} rows copied, next chunk ${at}); resume to continue from there`;
      run.recordError(failure.code, message, progress.name);
      if (!state.paused) {
        state.paused = true;
        state.pause_reason = { by: 'sensei', code: failure.code, message, at: now(), table: progress.name };
        run.note(`migration paused by sensei: ${failure.code}`, 'warn', state.pause_reason.at);
        await run.emit('migration.paused', { phase: state.phase, reason: state.pause_reason });
      }
      return null;
    }
  };

  /**
   * A table a batch may take: fresh (nothing copied, not split), copied by key, and expected to fit in one chunk.
   * Its estimate may be stale: copyFirstChunks stops at a row budget, and a table its first chunk did not finish
   * goes on alone.
   */
  const small = ({ progress, part }: Work): boolean =>
    part === null &&
    !progress.partitions &&
    progress.status === 'pending' &&
    progress.last_key === null &&
    progress.chunks === 0 &&
    copyMode(progress) !== 'whole_table' &&
    progress.rows_estimated < progress.chunk_size &&
    tablePartitions(progress.rows_estimated, input.options, run.settings) < 2;

  /** `first` and the small tables after it in the queue, up to one chunk's rows (by their estimates) in all. */
  const takeBatch = (first: Work): Work[] => {
    const batch = [first];
    let rows = first.progress.rows_estimated;
    for (let i = 0; i < pending.length && batch.length < SMALL_TABLES_PER_BATCH; ) {
      const work = pending[i] as Work;
      if (small(work) && rows + work.progress.rows_estimated < first.progress.chunk_size) {
        rows += work.progress.rows_estimated;
        batch.push(...pending.splice(i, 1));
      } else i += 1;
    }
    return batch;
  };

  /**
   * Copies the first chunk of each table of a batch in one activity. A table its chunk finished is completed; the
   * others (a stale estimate, a chunk that failed, one the batch did not reach) go back to the front of the queue
   * and are copied on their own from where they are, with their own retries and errors.
   */
  const copyBatch = async (batch: Work[]): Promise<void> => {
    await run.checkpoint();
    if (stop || mustDrain()) {
      drained ||= !stop;
      return;
    }
    for (const { progress } of batch) {
      progress.status = 'copying';
      progress.started_at ??= now();
    }
    let results: ChunkResult[] = [];
    let failed: string | null = null;
    let everyAlone = false;
    try {
      ({ copied: results, failed } = await run.copyWork.copyFirstChunks({
        migrationId: input.id,
        source: input.source,
        target: input.target,
        ...(await planByReference(run)),
        tables: batch.map(({ progress }) => ({ name: progress.name, limit: progress.chunk_size })),
        rowBudget: batch[0]?.progress.chunk_size ?? 0,
      }));
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      // Out of attempts (a database away for long): each table is tried alone, where a pause can wait for it.
      wf.log.warn('batch of small tables not copied; each is copied on its own', { tables: batch.length, error: String(err) });
      everyAlone = true;
    }
    const again: Work[] = [];
    batch.forEach((work, i) => {
      const { progress } = work;
      const chunk = results[i];
      if (!chunk) {
        // The table whose chunk failed goes on its own; those the batch did not reach (it stopped at that table or
        // spent its rows budget) are small again and may join another batch.
        const alone = everyAlone || (failed === progress.name && i === results.length);
        if (!alone) progress.status = 'pending';
        again.push(work);
        return;
      }
      if (recordChunk(progress, null, chunk)) complete(progress);
      else again.push(work);
    });
    pending.unshift(...again);
  };

  const batches = wf.patched(SMALL_TABLES_PATCH);

  const lane = async (): Promise<void> => {
    for (;;) {
      // A lane with nothing to do waits while a table is being split: its ranges are work for every lane.
      await wf.condition(() => pending.length > 0 || splitting === 0 || stop);
      const next = pending.shift();
      if (!next || drained || stop) return;
      try {
        const batch = batches && small(next) ? takeBatch(next) : [next];
        if (batch.length > 1) await copyBatch(batch);
        else await copyTable(next);
      } catch (err) {
        stop = true;
        throw err;
      }
    }
  };

  const lanes = Array.from({ length: Math.max(1, run.settings.parallelTables) }, lane);
  const results = await Promise.allSettled(lanes);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return drained ? 'drained' : 'finished';
}
