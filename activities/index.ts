import { createHash } from 'node:crypto';
import { Transform, pipeline, type TransformCallback } from 'node:stream';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { dialectNamed } from '../connectors/dialects';
import { compareDecimalText } from '../connectors/key-range';
import { ConnectorError, isTextChunkSource, isTextChunkTarget, passThroughFormat, type Connector, type ReadOptions } from '../connectors/types';
import { extensionsWanted, planMigration, withSpatialRefs } from '../lib/mapping';
import { keyPart } from '../lib/keys';
import type { DocumentRefs, EndpointRef, MigrationError, MigrationInput, MigrationStatus, RowCountCheck, TimelineEvent, ValidationReport } from '../lib/migration';
import type { Dialect, Key, MigrationPlan, Row, SchemaInfo, TablePlan } from '../lib/types';
import { withoutQuotedValues } from '../lib/redact';
import { invalidTextColumn, isTextKind } from '../lib/values';
import { formCheckedColumns, formRefusal, type FormCheck } from '../lib/value-forms';
import {
  integerCheckedColumns,
  integerRefusal,
  isDatedKind,
  keptAsText,
  nonFiniteCheckedColumns,
  nonFiniteRefusal,
  nulCheckedColumns,
  nulRefusal,
  rangeCheckedColumns,
  temporalRefusal,
  timeOfDayCheckedColumns,
  timeOfDayRefusal,
} from '../lib/temporal-range';
import { emptyLabelCheckedColumns, emptyLabelRefusal } from '../lib/enum-labels';
import { convertEditedRow, editedConversions, editedWritePlan, type EditedConversion } from '../lib/edited-kinds';
import type { MetadataStore } from '../lib/store';
import type { ConnectorPool } from './connections';
import { createPartitionActivities } from './partitions';
import { createWebhookActivities } from './webhooks';
import { planKeeper, type PlanCarrier, type TableCarrier } from './plans';
import { createValidationActivities } from './validation';

/** Failures no retry can fix: the workflow fails at once with the reason. */
const NON_RETRYABLE = new Set([
  'UnknownDialect',
  'DriverMissing',
  'NotSupported',
  'AuthenticationFailed',
  'InvalidConnectionString',
  'NotAllowed',
  'SchemaNotFound',
  'TableNotFound',
  'TargetTableNotEmpty',
  'WriteFailed',
]);

/** Turns a connector error into a typed Temporal failure; anything else stays retryable as it is. */
async function typed<T>(work: () => Promise<T>, onError?: () => Promise<void>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (onError) await onError();
    // The failure reaches the workflow's status, webhooks and logs: the values a driver quotes are cut out.
    if (err instanceof ConnectorError) {
      throw ApplicationFailure.create({ message: withoutQuotedValues(err.message), type: err.code, nonRetryable: NON_RETRYABLE.has(err.code) });
    }
    if (err instanceof Error) err.message = withoutQuotedValues(err.message);
    throw err;
  }
}

export interface ChunkInput {
  migrationId: string;
  source: EndpointRef;
  target: EndpointRef;
  table: TablePlan;
  after: Key | null;
  /**
   * The last key of the range this chunk belongs to (a partitioned table's key range, single integer key); null or
   * absent: to the end of the table. The chunk never goes past it, and is done when it reaches it.
   */
  until?: Key | null;
  limit: number;
}

/**
 * Small tables copied together (copyFirstChunks): each from its first row, up to its own limit. They are named; their
 * plans are read from the migration's plan, sent by reference (a batch of fifty whole table plans in every activity's
 * input made histories of megabytes).
 */
export interface SmallTablesInput extends PlanCarrier {
  migrationId: string;
  source: EndpointRef;
  target: EndpointRef;
  /** Source table names, as in the plan. */
  tables: { name: string; limit: number }[];
  /** The batch stops taking tables once the rows read reach this. */
  rowBudget: number;
}

/** Whether `key` lies past `until` (partitioned ranges have a single integer key, compared exactly as decimal text). */
function pastUntil(key: Key, until: Key | null | undefined): boolean {
  return !!until && compareDecimalText(String(key[0]), String(until[0])) > 0;
}

/** A row the target refused (value out of range, too long, constraint …), named by its key. */
export interface RejectedRow {
  key: Key;
  message: string;
  /** The error it is recorded as (copyChunk names it by table and key), and when; absent from copyRows, whose rows are errors already. */
  errorId?: string;
  at?: string;
  /** Whether copyChunk wrote it to the metadata store; when not, the workflow sends it with its next batch of results. */
  stored?: boolean;
}

/** A rejected row's error id: the same row rejected again (a retried chunk) is the same error. */
export function rowErrorId(table: string, key: Key): string {
  return `err_row_${createHash('sha256').update(`${table}\u0000${JSON.stringify(key)}`).digest('hex').slice(0, 20)}`;
}

export interface ChunkResult {
  /** Rows read from the source (fewer than the limit means the table is done). */
  rows: number;
  /** Rows committed to the target (rows minus rejected). */
  written: number;
  /**
   * Bytes read from the source, in the form they travelled: the loader text on the pass-through path, the values'
   * size on the row path (text as UTF-8, binary as is, a number 8, a boolean 1). Summed per table for the operators;
   * absent from the results of workers from before it.
   */
  bytes?: number;
  rejected: RejectedRow[];
  /** The checkpoint after this chunk: the key of its last row (unchanged when the chunk was empty). */
  lastKey: Key | null;
  done: boolean;
  durationMs: number;
  /**
   * Which attempt of this activity copied the chunk (Temporal's count, 1 the first): the workflow adds the attempts
   * before it to the table's chunk_retries. Absent from the results of workers from before it.
   */
  attempt?: number;
}

/** Rows read and written at a time inside a chunk (see copyChunk). */
const SLICE_ROWS = 20_000;

/** More rejected rows than this in one chunk is not bad data but a broken mapping: the chunk fails instead. */
const MAX_REJECTED_PER_CHUNK = 100;

/** Whether a driver error of the target blames the data of the rows written (not the connection, the schema or the server). */
export function isRowRejection(target: Connector, cause: unknown): boolean {
  return dialectNamed(target.dialect).isRowRejection?.(cause) ?? false;
}

/**
 * Writes a chunk (rows checked already: see writeConverted); when the target rejects it for its data, bisects (each
 * half its own idempotent write) down to the single rows it refuses, so one bad row costs O(log n) writes and the rest
 * still lands.
 */
async function writeIsolating(target: Connector, table: TablePlan, rows: Row[], positions: number[], rejected: RejectedRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  try {
    return await target.writeRows(table, rows);
  } catch (err) {
    if (!(err instanceof ConnectorError) || !isRowRejection(target, err.cause)) throw err;
    if (rows.length === 1) {
      reject(table, rejected, { key: keyOf(rows[0] as Row, positions), message: withoutQuotedValues(err.message) });
      return 0;
    }
    const mid = rows.length >> 1;
    const first = await writeIsolating(target, table, rows.slice(0, mid), positions, rejected);
    return first + (await writeIsolating(target, table, rows.slice(mid), positions, rejected));
  }
}

/** A rejected row of a table without a key: no key to name it by (see keylessRejection). */
export type KeylessRejectedRow = Omit<RejectedRow, 'key'>;

function reject<R extends KeylessRejectedRow>(table: TablePlan, rejected: R[], row: R): void {
  rejected.push(row);
  if (rejected.length > MAX_REJECTED_PER_CHUNK) {
    throw ApplicationFailure.nonRetryable(
      `the target rejects more than ${MAX_REJECTED_PER_CHUNK} rows of one chunk of ${table.source.name}; first: ${rejected[0]?.message}`,
      'RowsRejected',
    );
  }
}

/**
 * Positions of a table's text columns (where a connector may hand over bytes that are not UTF-8). None natively: the
 * rows go to a database of the source's dialect as stored, and bytes there are the source's own (a SQLite BLOB in a
 * TEXT column), written back as bytes.
 */
function textPositions(table: TablePlan): number[] {
  if (table.native) return [];
  return table.columns.flatMap((c, i) => (isTextKind(c.canonical) ? [i] : []));
}

/** The rows whose text is all valid UTF-8; each other row is rejected by key with the column that is not. */
function withoutInvalidText(table: TablePlan, rows: Row[], positions: number[], rejected: RejectedRow[]): Row[] {
  const texts = textPositions(table);
  if (texts.length === 0 || rows.every((row) => invalidTextColumn(row, texts) < 0)) return rows;
  return rows.filter((row) => {
    const at = invalidTextColumn(row, texts);
    if (at < 0) return true;
    const column = table.columns[at]?.column;
    reject(table, rejected, { key: keyOf(row, positions), message: `column ${column} holds bytes that are not valid UTF-8: not copied (never replaced by U+FFFD)` });
    return false;
  });
}

/**
 * Writes rows read from the source to the target: the values of columns edited at the gate to another kind of type are
 * converted into it first (lib/edited-kinds.ts; each row that cannot be is rejected by key with the reason), then
 * written with the edited types (writeIsolating).
 */
async function writeConverted(source: Dialect, target: Connector, table: TablePlan, rows: Row[], positions: number[], rejected: RejectedRow[]): Promise<number> {
  const conversions = editedConversions(target.dialect, table);
  const valid = withoutInvalidText(table, rows, positions, rejected);
  if (!conversions.some(Boolean)) return writeIsolating(target, table, withoutUnholdable(source, target, table, valid, positions, rejected), positions, rejected);
  // What the target holds is judged of the converted values, in the edited types.
  const edited = editedWritePlan(table, conversions);
  const converted = withEditedValues(table, valid, positions, rejected, conversions);
  return writeIsolating(target, edited, withoutUnholdable(source, target, edited, converted, positions, rejected), positions, rejected);
}

/** The rows with their edited columns converted; each row that cannot be is rejected by its (source) key. */
function withEditedValues(table: TablePlan, rows: Row[], positions: number[], rejected: RejectedRow[], conversions: (EditedConversion | null)[]): Row[] {
  const out: Row[] = [];
  for (const row of rows) {
    const converted = convertEditedRow(row, conversions);
    if (converted.ok) out.push(converted.row as Row);
    else reject(table, rejected, { key: keyOf(row, positions), message: converted.reason });
  }
  return out;
}

/** A table copied whole converts its edited columns' values; a row that cannot be is rejected (keylessRejection). */
async function* convertedWhole(table: TablePlan, conversions: (EditedConversion | null)[], batches: AsyncIterable<Row[]>, rejected: KeylessRejectedRow[]): AsyncIterable<Row[]> {
  for await (const batch of batches) {
    const out: Row[] = [];
    for (const row of batch) {
      const converted = convertEditedRow(row, conversions);
      if (converted.ok) out.push(converted.row as Row);
      else reject(table, rejected, keylessRejection(table, row, converted.reason));
    }
    yield out;
  }
}

/**
 * Batches as they come, keeping the ApplicationFailure they end with for the caller (more rows rejected than one chunk
 * may have: the connector would report it as a failed write).
 */
function keepingFailure(batches: AsyncIterable<Row[]>): { batches: AsyncIterable<Row[]>; failure: () => ApplicationFailure | undefined } {
  let failure: ApplicationFailure | undefined;
  async function* kept(): AsyncIterable<Row[]> {
    try {
      yield* batches;
    } catch (err) {
      if (err instanceof ApplicationFailure) failure = err;
      throw err;
    }
  }
  return { batches: kept(), failure: () => failure };
}


/** Why the target cannot hold a row as read, naming the column and what it holds (never the value), and what would keep it. */
interface Unholdable {
  reason: string;
  advice?: string;
}

/**
 * What of a row the target cannot hold as read, or null when it can. A date or timestamp outside the target's range
 * (a PostgreSQL date BC, 'infinity' or a year past 9999 into MariaDB's DATE), a MySQL TIME duration into a time of day
 * (negative, or past 24:00:00 in PostgreSQL) or a MariaDB ENUM's '' into a type holding only its labels would be
 * refused by the target or, worse, changed; a NULL in a column that is NOT NULL in the source is a value the read could
 * not give another dialect (a MariaDB zero date: see its note), which the target would refuse.
 */
function unholdable(
  table: TablePlan,
  checked: ReturnType<typeof rangeCheckedColumns>,
  floats: ReturnType<typeof nonFiniteCheckedColumns>,
  nuls: ReturnType<typeof nulCheckedColumns>,
  times: ReturnType<typeof timeOfDayCheckedColumns>,
  integers: ReturnType<typeof integerCheckedColumns>,
  labelled: number[],
  forms: FormCheck[],
  required: number[],
  targetLabel: string,
  row: Row,
): Unholdable | null {
  for (const form of forms) {
    const what = formRefusal(row[form.position], form);
    if (!what) continue;
    const column = table.columns[form.position];
    // The target would refuse it in its own words, or change it (MariaDB rounds 3.7 into an integer column).
    const reason = `column ${column.column} holds a value that is not ${what}${form.why}, which ${targetLabel} ${column.targetType} cannot hold`;
    return form.textKeeps ? { reason, advice: 'a mapping to text would keep it' } : { reason };
  }
  for (const float of floats) {
    const what = nonFiniteRefusal(row[float.position], float);
    // SQLite would store NaN as NULL, MariaDB refuse it: said, never changed.
    if (what) return { reason: `column ${table.columns[float.position].column} holds ${what}, which ${targetLabel} ${table.columns[float.position].targetType} cannot hold` };
  }
  for (const nul of nuls) {
    const what = nulRefusal(row[nul.position], nul);
    // PostgreSQL would refuse it in its own words (and the whole of a table copied in one transaction): said, never stripped.
    if (what) return { reason: `column ${table.columns[nul.position].column} holds ${what}, which ${targetLabel} ${table.columns[nul.position].targetType} cannot hold` };
  }
  for (const { position, range, type } of checked) {
    const v = row[position];
    if (typeof v !== 'string') continue;
    const column = table.columns[position];
    const what = temporalRefusal(v, column.canonical.kind, range);
    if (what) return { reason: `column ${column.column} holds ${what}, which ${type} cannot hold`, advice: 'a mapping to text would keep it' };
  }
  for (const time of times) {
    const what = timeOfDayRefusal(row[time.position], time);
    const column = table.columns[time.position];
    // PostgreSQL refuses '-01:00:00' and '25:00:00' in its own words: said, never wrapped into a day.
    if (what) return { reason: `column ${column.column} holds ${what}, which ${targetLabel} ${column.targetType} cannot hold`, advice: 'a mapping to text would keep it' };
  }
  for (const integer of integers) {
    const what = integerRefusal(row[integer.position], integer);
    const column = table.columns[integer.position];
    // SQLite's integers are signed 64-bit: the driver refuses a larger one ("too big"), for the whole of a keyless table.
    if (what) return { reason: `column ${column.column} holds ${what}, which ${targetLabel} ${column.targetType} cannot hold`, advice: 'a mapping to text would keep it' };
  }
  for (const position of labelled) {
    const what = emptyLabelRefusal(row[position]);
    const column = table.columns[position];
    // MariaDB's error value (stored for an invalid label outside strict mode): the target's enum type or CHECK refuses it.
    if (what) return { reason: `column ${column.column} holds ${what}, and ${targetLabel} ${column.targetType} holds only those` };
  }
  for (const position of required) {
    if (row[position] !== null) continue;
    const column = table.columns[position];
    // The read note's first clause says which values (a zero date … has no equal in other dialects).
    const which = column.canonical.readNote?.split(': ')[0];
    const reason = `column ${column.column} is NOT NULL, but this row's value is read as NULL for ${targetLabel}${which ? ` (${which})` : ''}`;
    // A date read as NULL (a MariaDB zero date) is kept as it is by a column mapped to text (see keptAsText).
    return isDatedKind(column.canonical.kind) ? { reason, advice: 'a mapping to text would keep it' } : { reason };
  }
  return null;
}

/** Checks rows against what the target holds (see unholdable); nothing to check natively (the rows are the source's own). */
function holdableCheck(source: Dialect, target: Connector, table: TablePlan): ((row: Row) => Unholdable | null) | null {
  if (table.native) return null;
  // Made once per table plan (a chunk's slices share it): finding the checked columns parses their types.
  const made = holdableChecks.get(table);
  if (made !== undefined && made.source === source && made.target === target.dialect) return made.check;
  const check = newHoldableCheck(source, target, table);
  holdableChecks.set(table, { source, target: target.dialect, check });
  return check;
}

const holdableChecks = new WeakMap<TablePlan, { source: Dialect; target: Dialect; check: ((row: Row) => Unholdable | null) | null }>();

function newHoldableCheck(source: Dialect, target: Connector, table: TablePlan): ((row: Row) => Unholdable | null) | null {
  const checked = rangeCheckedColumns(target.dialect, table.columns);
  const floats = nonFiniteCheckedColumns(target.dialect, table.columns);
  const nuls = nulCheckedColumns(target.dialect, table.columns);
  const times = timeOfDayCheckedColumns(target.dialect, table.columns);
  const integers = integerCheckedColumns(target.dialect, table.columns);
  const labelled = emptyLabelCheckedColumns(target.dialect, table.columns);
  const forms = formCheckedColumns(source, target.dialect, table.columns);
  const required = table.columns.flatMap((c, i) => (c.nullable ? [] : [i]));
  if ([checked, floats, nuls, times, integers, labelled, forms, required].every((c) => c.length === 0)) return null;
  const label = dialectNamed(target.dialect).label;
  return (row) => unholdable(table, checked, floats, nuls, times, integers, labelled, forms, required, label, row);
}

/** The rows the target can hold as read (see unholdable); each other row is rejected by key with the reason. */
function withoutUnholdable(source: Dialect, target: Connector, table: TablePlan, rows: Row[], positions: number[], rejected: RejectedRow[]): Row[] {
  const check = rows.length === 0 ? null : holdableCheck(source, target, table);
  if (!check) return rows;
  return rows.filter((row) => {
    const why = check(row);
    if (why === null) return true;
    reject(table, rejected, { key: keyOf(row, positions), message: `${why.reason}: the row is not copied${why.advice ? ` (${why.advice})` : ''}` });
    return false;
  });
}

/**
 * A row of a table without a key that the target cannot take: rejected, the rest of the table copied. It has no key
 * to be named or retried by: its message names it by the SHA-256 of its values (the same on every attempt, which is
 * also its error's id), never by the values themselves.
 */
function keylessRejection(table: TablePlan, row: Row, reason: string): KeylessRejectedRow {
  const digest = createHash('sha256').update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).digest('hex');
  return {
    message: `${reason.replace(/^column (\S+) (holds|is)/, 'column $1 of a row $2')}: the row is not copied (the table has no key: the row is named by its values' SHA-256 ${digest.slice(0, 16)}, and is fixed at the source and copied again with its table, not alone)`,
    errorId: rowErrorId(table.source.name, [`sha256:${digest}`]),
    at: new Date().toISOString(),
  };
}

/**
 * A table copied whole has no key to name a row by: a row with bytes that are not UTF-8, or a value the target cannot
 * hold (see unholdable), is rejected by its values (keylessRejection); the others are copied.
 */
async function* checkedText(source: Dialect, target: Connector, table: TablePlan, batches: AsyncIterable<Row[]>, rejected: KeylessRejectedRow[]): AsyncIterable<Row[]> {
  const texts = textPositions(table);
  const check = holdableCheck(source, target, table);
  for await (const batch of batches) {
    const out: Row[] = [];
    for (const row of batch) {
      const at = invalidTextColumn(row, texts);
      const why = at >= 0 ? { reason: `column ${table.columns[at]?.column} holds bytes that are not valid UTF-8` } : check?.(row);
      if (why) reject(table, rejected, keylessRejection(table, row, `${why.reason}${why.advice ? ` (${why.advice})` : ''}`));
      else out.push(row);
    }
    yield out;
  }
}

/** Runs `work`, heartbeating `details` every 10 s meanwhile: one statement may take longer than the heartbeat timeout. */
async function whileBeating<T>(details: unknown, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const beat = setInterval(() => context.heartbeat(details), 10_000);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}

/**
 * A row's key as it travels (lib/keys.ts): bytes (a binary key, SQLite TEXT that is not UTF-8) as their hex, a 64-bit
 * integer the driver hands over as a BigInt (SQLite, natively) as its decimal text: exact, and JSON-safe.
 */
function keyOf(row: Row, positions: number[]): Key {
  return positions.map((i) => keyPart(row[i] as Row[number] | bigint));
}

async function* heartbeating(batches: AsyncIterable<Row[]>): AsyncIterable<Row[]> {
  let rows = 0;
  for await (const batch of batches) {
    rows += batch.length;
    Context.current().heartbeat({ rows });
    yield batch;
  }
}

type CopiedChunk = Pick<ChunkResult, 'rows' | 'written' | 'rejected' | 'lastKey' | 'bytes'>;

/** What a row weighs as values (see ChunkResult.bytes). */
function rowBytes(rows: Row[]): number {
  let n = 0;
  for (const row of rows) {
    for (const v of row as (Row[number] | bigint)[]) {
      if (typeof v === 'string') n += Buffer.byteLength(v, 'utf8');
      else if (typeof v === 'number' || typeof v === 'bigint') n += 8;
      else if (typeof v === 'boolean') n += 1;
      else if (v !== null) n += v.length;
    }
  }
  return n;
}

/** Passes a stream's bytes through unchanged, counting them. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

/**
 * The pass-through path: the chunk's last key is fixed first, then the source server renders the rows of that key
 * range as the target's loader text and the worker forwards the bytes into a range delete + bulk load (one target
 * transaction, so a retry replaces instead of duplicating). No row objects, no value conversion in the worker.
 * Null when the table does not qualify (see TextChunkSource), when the source refuses to render it (NotSupported), or
 * when the target rejects a row of this chunk: the row path then copies it again (and bisects down to the rows to name;
 * the failed attempt's target transaction was rolled back).
 */
async function copyChunkAsText(source: Connector, target: Connector, input: ChunkInput): Promise<CopiedChunk | null> {
  if (!isTextChunkSource(source) || !isTextChunkTarget(target)) return null;
  // Values of a column edited to another kind of type are converted in the worker (lib/edited-kinds.ts).
  if (editedConversions(target.dialect, input.table).some(Boolean)) return null;
  const format = passThroughFormat(source, target, input.table);
  if (!format || !(await target.canLoadText(input.table))) return null;
  const end = await source.chunkEnd(input.table.source.name, input.table.keyColumns, input.after, input.limit);
  if (!end) return { rows: 0, written: 0, rejected: [], lastKey: input.after, bytes: 0 };
  const upTo = input.until && pastUntil(end, input.until) ? input.until : end;
  const range = { after: input.after, upTo };
  const text = await source.readText(input.table, range, format);
  // The source may fail before the target reads (while it deletes the range): the stream keeps the error for the
  // target's read to throw, instead of an 'error' event with no listener taking the worker down.
  let sourceFailure: unknown;
  text.on('error', (err) => {
    sourceFailure ??= err;
  });
  // The source's error reaches the target's read through the counter (pipeline destroys it with that error).
  const counted = new ByteCounter();
  counted.on('error', () => undefined);
  pipeline(text, counted, () => undefined);
  try {
    const rows = await target.replaceRangeWithText(input.table, range, counted, format);
    Context.current().heartbeat({ after: input.after, copied: rows });
    return { rows, written: rows, rejected: [], lastKey: upTo, bytes: counted.bytes };
  } catch (caught) {
    // When the source broke off (a dropped connection …), that is the failure, with its retries, whatever the target
    // made of the stream that stopped (MariaDB's driver can report it as a write on a closed connection, not retried).
    const err = sourceFailure ?? caught;
    if (!(err instanceof ConnectorError)) throw err;
    if (err.code === 'NotSupported') {
      Context.current().log.warn('the source cannot render this chunk as text: copying it row by row', { table: input.table.source.name, reason: err.message });
      return null;
    }
    if (sourceFailure !== undefined || !isRowRejection(target, err.cause)) throw err;
    Context.current().log.info('the target rejects a row of this chunk: copying it row by row to name it', { table: input.table.source.name, after: input.after });
    return null;
  } finally {
    // An unfinished read holds a source connection mid-COPY until destroyed.
    text.destroy();
    counted.destroy();
  }
}

/** Rows copied to a database of the source's dialect are read as stored (see ReadOptions). */
function readOptions(table: TablePlan, target: Connector): ReadOptions | undefined {
  if (table.native) return { native: true };
  // A date or timestamp the target keeps as text is read as the source's own text (a MariaDB zero date too).
  const kept = keptAsText(target.dialect, table);
  return kept.some(Boolean) ? { keptAsText: kept } : undefined;
}

/**
 * The row path: the chunk moves in slices, pipelined: the next slice is read from the source (rows converted to
 * canonical values) while the last one is written to the target (two connections); at most two slices in memory.
 */
async function copyChunkByRows(source: Connector, target: Connector, input: ChunkInput): Promise<CopiedChunk> {
  const ctx = Context.current();
  const columns = input.table.columns.map((c) => c.column);
  const positions = input.table.keyColumns.map((k) => columns.indexOf(k));
  const rejected: RejectedRow[] = [];
  const read = (after: Key | null, limit: number) =>
    source.readChunk(input.table.source.name, columns, input.table.keyColumns, after, limit, readOptions(input.table, target)).then((rows) => ({ rows, limit }));
  let total = 0;
  let written = 0;
  let bytes = 0;
  let lastKey = input.after;
  let next: Promise<{ rows: Row[]; limit: number }> | null = read(input.after, Math.min(SLICE_ROWS, input.limit));
  while (next) {
    const slice: { rows: Row[]; limit: number } = await next;
    // Rows past the range's end belong to the next range.
    const rows = input.until ? slice.rows.filter((row) => !pastUntil(keyOf(row, positions), input.until)) : slice.rows;
    total += rows.length;
    bytes += rowBytes(rows);
    const last = rows.at(-1);
    if (last) lastKey = keyOf(last, positions);
    const remaining = input.limit - total;
    next = slice.rows.length === slice.limit && rows.length === slice.rows.length && remaining > 0 ? read(lastKey, Math.min(SLICE_ROWS, remaining)) : null;
    // A failed read must not surface as an unhandled rejection while the write is awaited.
    next?.catch(() => undefined);
    if (rows.length > 0) written += await writeConverted(source.dialect, target, input.table, rows, positions, rejected);
    ctx.heartbeat({ after: input.after, copied: total });
  }
  return { rows: total, written, rejected, lastKey, bytes };
}

/**
 * Rows a chunk's target refused, named as errors and written to the metadata store in one batch. A store that does
 * not answer does not fail the chunk (its rows are committed): the rows say they are not stored, and the workflow
 * sends them with its next batch of results, under the same ids.
 */
async function recordRejected(store: MetadataStore | undefined, migrationId: string, table: string, rejected: RejectedRow[]): Promise<RejectedRow[]> {
  if (rejected.length === 0) return rejected;
  const at = new Date().toISOString();
  const named = rejected.map((row) => ({ ...row, errorId: rowErrorId(table, row.key), at, stored: false }));
  if (!store) return named;
  const errors = named.map((row): MigrationError => ({ id: row.errorId, phase: 'data_transfer', table, key: row.key, code: 'RowRejected', message: row.message, at }));
  try {
    await store.recordErrors(migrationId, errors, 'keep');
    return named.map((row) => ({ ...row, stored: true }));
  } catch (err) {
    Context.current().log.warn('rejected rows not written to the metadata store: the workflow sends them later', { table, rows: rejected.length, error: String(err) });
    return named;
  }
}

/** Activities are built around one ConnectorPool per worker process. */
export function createActivities(pool: ConnectorPool, store?: MetadataStore) {
  const plans = planKeeper(store);

  /** One keyset chunk of a table: read on the source, loaded into the target in one transaction that replaces its range. */
  async function copyOneChunk(input: ChunkInput): Promise<ChunkResult> {
    const started = Date.now();
    Context.current().heartbeat({ table: input.table.source.name, after: input.after });
    const [source, target] = await Promise.all([pool.get(input.source, 'source'), pool.get(input.target, 'target')]);
    const copied = (await copyChunkAsText(source, target, input)) ?? (await copyChunkByRows(source, target, input));
    const reachedUntil = !!input.until && copied.lastKey !== null && !pastUntil(input.until, copied.lastKey);
    // Rejected rows are recorded where they are found, all of them: the workflow keeps only the first few hundred.
    const rejected = await recordRejected(store, input.migrationId, input.table.source.name, copied.rejected);
    const attempt = Context.current().info.attempt;
    return { ...copied, rejected, done: copied.rows < input.limit || reachedUntil, durationMs: Date.now() - started, attempt };
  }

  /**
   * The outcome a closed migration is served from (its schema and plan: GET …/mappings) and opened again from keeps
   * them whole: a run that held them by reference (DocumentRefs) outlives the blobs' grace period once it is closed.
   */
  async function withDocuments(carryOn: MigrationInput): Promise<MigrationInput> {
    const refs = carryOn.carried?.documentRefs;
    if (!carryOn.carried || !refs || carryOn.carried.plan) return carryOn;
    const [schema, plan] = await Promise.all([plans.document<SchemaInfo>(refs.schema), plans.document<MigrationPlan>(refs.plan)]);
    return { ...carryOn, carried: { ...carryOn.carried, schema, plan, documentRefs: undefined } };
  }

  /** A broken connection must not be reused by the retry. */
  async function discardPair(input: { source: EndpointRef; target: EndpointRef }): Promise<void> {
    await Promise.all([pool.discard(input.source, 'source'), pool.discard(input.target, 'target')]);
  }

  return {
    ...createWebhookActivities(store, (sealed) => pool.unseal(sealed), pool.reach),
    /** Keeps a plan in the metadata store and answers its key (activities/plans.ts); null without a store. */
    async keepPlan(input: { plan: MigrationPlan }): Promise<string | null> {
      return plans.keep(input.plan);
    },
    /**
     * Keeps the source schema and the plan in the metadata store and answers their keys: a run that continues as new
     * once the gate is passed carries these keys instead of the documents (see CarriedDocuments); null without a store.
     */
    async keepDocuments(input: { schema: SchemaInfo; plan: MigrationPlan }): Promise<DocumentRefs | null> {
      const [schema, plan] = await Promise.all([plans.keepDocument(input.schema), plans.keep(input.plan)]);
      if (!schema || !plan) return null;
      return { schema, plan, sourceSchema: input.schema.schema ?? null, targetSchema: input.plan.targetSchema ?? null };
    },
    /** Keeps the API's listing index current (a worker without a metadata store skips it). */
    async recordMigrationStatus(input: { id: string; status: string; phase: string | null }): Promise<void> {
      await store?.updateMigrationStatus(input.id, input.status, input.phase);
    },

    /** Timeline events and errors the workflow recorded, in one batch (errors as they are now: new, resolved or retried). */
    async recordResults(input: { migrationId: string; events: TimelineEvent[]; errors: MigrationError[] }): Promise<void> {
      await store?.recordTimeline(input.migrationId, input.events);
      await store?.recordErrors(input.migrationId, input.errors, 'replace');
    },

    /** A validation run's report, once every tier has answered. */
    async recordValidation(input: { migrationId: string; report: ValidationReport }): Promise<void> {
      await store?.recordValidation(input.migrationId, input.report);
    },

    /**
     * The end of a workflow run: what is left of its timeline and errors, its final status, and the input a new run
     * starts from if the migration is opened again (sealed connection references only, never clear text).
     */
    async recordOutcome(input: { migrationId: string; runId: string; status: MigrationStatus; carryOn: MigrationInput; events: TimelineEvent[]; errors: MigrationError[] }): Promise<void> {
      await store?.recordTimeline(input.migrationId, input.events);
      await store?.recordErrors(input.migrationId, input.errors, 'replace');
      await store?.recordOutcome(input.migrationId, { runId: input.runId, status: input.status, carryOn: await withDocuments(input.carryOn) });
    },

    ...createValidationActivities(pool, store, plans),
    ...createPartitionActivities(pool, plans),
    async analyzeSource(input: { source: EndpointRef }): Promise<SchemaInfo> {
      return typed(async () => {
        const connector = await pool.get(input.source, 'source');
        const schema = await connector.introspect({ tables: input.source.tables, excludeTables: input.source.excludeTables, probeValues: true });
        const excluded = new Set(input.source.excludeTables ?? []);
        if (excluded.size > 0) {
          const unknown = [...excluded].filter((name) => !schema.tables.some((t) => t.name === name));
          if (unknown.length > 0) {
            throw ApplicationFailure.nonRetryable(`source.exclude_tables names tables the source does not have: ${unknown.join(', ')}`, 'TableNotFound');
          }
          schema.tables = schema.tables.filter((t) => !excluded.has(t.name));
        }
        Context.current().log.info('source analysed', { tables: schema.tables.length, source: input.source.description });
        return schema;
      });
    },

    async planMapping(input: { schema: SchemaInfo; target: EndpointRef }): Promise<MigrationPlan> {
      return typed(async () => {
        const connector = await pool.get(input.target, 'target');
        const sameDialect = input.schema.dialect === input.target.type;
        // Across dialects, the target database's extensions may hold a source type better (MariaDB GEOMETRY → PostGIS geometry).
        const extensions = !sameDialect && connector.installedExtensions ? await connector.installedExtensions() : [];
        // One it lacks but its server offers is created before the tables when the target's user may, else the gate says so.
        const wanted = extensionsWanted(input.schema, input.target.type, extensions).map((w) => w.name);
        const offered = wanted.length && connector.offeredExtensions ? await connector.offeredExtensions(wanted) : [];
        const planned = planMigration(input.schema, input.target.type, { targetSchema: connector.schema, targetExtensions: extensions, offeredExtensions: offered });
        // Same dialect: the spatial_ref_sys rows the source's users added that the target lacks are added before the tables.
        const refs = sameDialect && input.schema.spatialRefs?.length && connector.spatialRefObjects ? await connector.spatialRefObjects(input.schema.spatialRefs, planned) : null;
        const plan = refs ? withSpatialRefs(planned, refs) : planned;
        // Same dialect: what the target server cannot create (an extension it lacks) is named before anything is made.
        const problems = sameDialect && plan.objects?.length && connector.planProblems ? await connector.planProblems(plan) : [];
        return problems.length ? { ...plan, blockers: [...plan.blockers, ...problems] } : plan;
      });
    },

    /** Answers the schema objects that could not be created (each "kind name: reason"): the workflow records them. */
    async createTargetTables(input: { target: EndpointRef; plan: MigrationPlan; replace: boolean }): Promise<{ skippedObjects: string[] }> {
      return typed(async () => {
        const connector = await pool.get(input.target, 'target');
        await connector.ensureSchema();
        // Same dialect: extensions, types and sequences the tables use come first.
        const before = (input.plan.objects ?? []).filter((o) => o.stage === 'before_tables');
        const skippedObjects = before.length && connector.createObjects ? (await connector.createObjects(before)).skipped : [];
        if (skippedObjects.length) Context.current().log.warn('schema objects not created on the target', { objects: skippedObjects });
        // A foreign key declared with its table (SQLite) names the referenced table as the target does (users_2 of a
        // users beside a Users: see lib/mapping.ts distinctTableNames).
        const targets = new Map(input.plan.tables.map((t) => [t.source.name, t.target]));
        for (const table of input.plan.tables) {
          Context.current().heartbeat({ table: table.target });
          const foreignKeys = table.source.foreignKeys.map((fk) => ({ ...fk, referencedTable: targets.get(fk.referencedTable) ?? fk.referencedTable }));
          await connector.createTable({ ...table, source: { ...table.source, foreignKeys } }, { replace: input.replace });
        }
        return { skippedObjects };
      });
    },

    copyChunk(input: TableCarrier<ChunkInput>): Promise<ChunkResult> {
      return typed(async () => copyOneChunk(await plans.resolveTable(input)), () => discardPair(input));
    },

    /**
     * The first chunk of each of several small tables, one after another, in one activity: a schema of thousands of
     * small tables costs a round trip through Temporal (and six history events) per batch instead of per table. Stops
     * at the table whose chunk fails (named in `failed`: the workflow copies it on its own, with its own retries and
     * errors) and once the rows read reach `rowBudget` (a table whose row estimate was stale cannot make the batch
     * long). Answers one result per table copied, in order; the tables after them were not touched.
     */
    async copyFirstChunks(input: SmallTablesInput): Promise<{ copied: ChunkResult[]; failed: string | null }> {
      const { plan } = await plans.resolve(input);
      const byName = new Map(plan.tables.map((t) => [t.source.name, t]));
      const results: ChunkResult[] = [];
      let rowsRead = 0;
      for (const { name, limit } of input.tables) {
        const table = byName.get(name);
        if (!table) throw ApplicationFailure.create({ message: `table ${name} is not in the migration's plan`, type: 'TableNotFound', nonRetryable: true });
        if (rowsRead >= input.rowBudget) break;
        const chunk = { migrationId: input.migrationId, source: input.source, target: input.target, table, after: null, limit };
        try {
          results.push(await copyOneChunk(chunk));
        } catch (err) {
          await discardPair(chunk);
          Context.current().log.warn('table left out of its batch: copied on its own next', { table: name, error: withoutQuotedValues(String(err)) });
          return { copied: results, failed: name };
        }
        rowsRead += results.at(-1)?.rows ?? 0;
      }
      return { copied: results, failed: null };
    },

    /** Copies the rows with these keys again (rows the target rejected before): upsert, each rejection named. */
    async copyRows(request: TableCarrier<{ source: EndpointRef; target: EndpointRef; table: TablePlan; keys: Key[] }>): Promise<{ read: number; written: number; rejected: RejectedRow[] }> {
      return typed(async () => {
        const input = await plans.resolveTable(request);
        const [source, target] = await Promise.all([pool.get(input.source, 'source'), pool.get(input.target, 'target')]);
        const columns = input.table.columns.map((c) => c.column);
        const positions = input.table.keyColumns.map((k) => columns.indexOf(k));
        const rows = await source.readKeys(input.table.source.name, columns, input.table.keyColumns, input.keys, readOptions(input.table, target));
        const rejected: RejectedRow[] = [];
        const written = rows.length > 0 ? await writeConverted(source.dialect, target, input.table, rows, positions, rejected) : 0;
        return { read: rows.length, written, rejected };
      });
    },

    /** Answers the rows and bytes copied, and which attempt copied them (see ChunkResult.attempt). */
    async copyWholeTable(request: TableCarrier<{ source: EndpointRef; target: EndpointRef; table: TablePlan; batchSize: number }>): Promise<{ rows: number; bytes: number; attempt?: number; rejected?: KeylessRejectedRow[] }> {
      return typed(async () => {
        const input = await plans.resolveTable(request);
        const [source, target] = await Promise.all([pool.get(input.source, 'source'), pool.get(input.target, 'target')]);
        const columns = input.table.columns.map((c) => c.column);
        const batches = source.readAll(input.table.source.name, columns, columns, input.batchSize, readOptions(input.table, target));
        let bytes = 0;
        async function* weighed(all: AsyncIterable<Row[]>): AsyncIterable<Row[]> {
          for await (const batch of all) {
            bytes += rowBytes(batch);
            yield batch;
          }
        }
        const conversions = editedConversions(target.dialect, input.table);
        const rejected: KeylessRejectedRow[] = [];
        const checked = checkedText(source.dialect, target, input.table, weighed(batches), rejected);
        const converted = keepingFailure(conversions.some(Boolean) ? convertedWhole(input.table, conversions, checked, rejected) : checked);
        let rows: number;
        try {
          rows = await target.replaceAllRows(editedWritePlan(input.table, conversions), heartbeating(converted.batches));
        } catch (err) {
          // The connector reports the stream's failure as a failed write: the reason a row failed the table is the failure.
          throw converted.failure() ?? err;
        }
        return { rows, bytes, attempt: Context.current().info.attempt, rejected };
      });
    },

    /**
     * Indexes, foreign keys and views once the rows are in. `uncheckedForeignKeys`: created without checking the rows
     * already there, which break them as they broke them in the source (see Connector.createIndexesAndForeignKeys).
     */
    async finalizeTarget(request: {
      target: EndpointRef;
      /** What the target keeps besides the rows is read from it (a system-versioned table's history); absent in runs started before. */
      source?: EndpointRef;
    } & PlanCarrier): Promise<{ skippedForeignKeys: string[]; skippedObjects: string[]; uncheckedForeignKeys: string[]; refusedForeignKeys: string[] }> {
      return typed(async () => {
        const input = await plans.resolve(request);
        const connector = await pool.get(input.target, 'target');
        const source = input.source && input.plan.tables.some((t) => t.native && t.source.systemVersioned) ? await pool.get(input.source, 'source') : undefined;
        // Foreign keys point at the referenced table's target name (which may be shortened to fit the target).
        const targets = new Map(input.plan.tables.map((t) => [t.source.name, t.target]));
        const skippedForeignKeys: string[] = [];
        const uncheckedForeignKeys: string[] = [];
        const refusedForeignKeys: string[] = [];
        // Every table's indexes first: a foreign key may reference a UNIQUE index of a table that comes later.
        const notKept: string[] = [];
        const refusedIndexes = new Map<string, string[]>();
        for (const table of input.plan.tables) {
          Context.current().heartbeat({ table: table.target });
          notKept.push(...((await whileBeating({ table: table.target }, async () => connector.keepVersions?.(table, source))) ?? []));
          const made = await whileBeating({ table: table.target }, () => connector.createIndexesAndForeignKeys({ ...table, source: { ...table.source, foreignKeys: [] } }));
          for (const { name, reason } of made.refusedIndexes ?? []) {
            refusedIndexes.set(table.source.name, [...(refusedIndexes.get(table.source.name) ?? []), name]);
            notKept.push(`index ${name} of ${table.source.name}: the target refused it for the rows copied (${reason}); every row is copied, and the index is to make otherwise by hand (or to leave out at the gate)`);
          }
        }
        for (const table of input.plan.tables) {
          if (table.source.foreignKeys.length === 0) continue;
          Context.current().heartbeat({ table: table.target });
          // A foreign key to a table outside this migration cannot be created in the target.
          const foreignKeys = table.source.foreignKeys.flatMap((fk) => {
            const referenced = targets.get(fk.referencedTable);
            if (referenced === undefined) skippedForeignKeys.push(`${table.source.name}.${fk.name} → ${fk.referencedTable}`);
            return referenced === undefined ? [] : [{ ...fk, referencedTable: referenced }];
          });
          // Its indexes are there (found, not made again; one the target refused is not tried twice).
          const indexes = table.source.indexes.filter((i) => !(refusedIndexes.get(table.source.name) ?? []).includes(i.name));
          const { unchecked, refused } = await whileBeating({ table: table.target }, () =>
            connector.createIndexesAndForeignKeys({ ...table, source: { ...table.source, indexes, foreignKeys } }),
          );
          for (const { name, reason } of refused) {
            const fk = table.source.foreignKeys.find((f) => f.name === name);
            refusedForeignKeys.push(`${table.source.name}.${name} → ${fk?.referencedTable ?? '?'}: ${reason}`);
          }
          for (const name of unchecked) {
            const fk = table.source.foreignKeys.find((f) => f.name === name);
            uncheckedForeignKeys.push(`${table.source.name}.${name} → ${fk?.referencedTable ?? '?'}`);
          }
        }
        // Same dialect: views, once the tables they read hold their rows.
        const after = (input.plan.objects ?? []).filter((o) => o.stage === 'after_data');
        const skippedObjects = [...notKept, ...(after.length && connector.createObjects ? (await connector.createObjects(after)).skipped : [])];
        if (skippedObjects.length) Context.current().log.warn('schema objects not created on the target', { objects: skippedObjects });
        if (uncheckedForeignKeys.length) Context.current().log.warn('foreign keys created without checking the rows copied', { foreignKeys: uncheckedForeignKeys });
        if (refusedForeignKeys.length) Context.current().log.warn('foreign keys the target refused', { foreignKeys: refusedForeignKeys });
        return { skippedForeignKeys, skippedObjects, uncheckedForeignKeys, refusedForeignKeys };
      });
    },

    async compareRowCounts(request: {
      source: EndpointRef;
      target: EndpointRef;
      /** Rows the target refused during the copy, per source table. */
      rejected?: Record<string, number>;
    } & PlanCarrier): Promise<RowCountCheck[]> {
      return typed(async () => {
        const input = await plans.resolve(request);
        const [source, target] = await Promise.all([pool.get(input.source, 'source'), pool.get(input.target, 'target')]);
        const checks: RowCountCheck[] = [];
        for (const table of input.plan.tables) {
          Context.current().heartbeat({ table: table.target });
          const [sourceRows, targetRows] = await Promise.all([source.countRows(table.source.name), target.countRows(table.target)]);
          const rejectedRows = input.rejected?.[table.source.name] ?? 0;
          checks.push({
            table: table.source.name,
            source_rows: sourceRows,
            target_rows: targetRows,
            rejected_rows: rejectedRows,
            match: sourceRows - rejectedRows === targetRows,
          });
        }
        return checks;
      });
    },
  };
}

export type MigrationActivities = ReturnType<typeof createActivities>;
