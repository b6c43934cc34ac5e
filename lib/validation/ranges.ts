/**
 * Range digests and bisection for the semantic tier (after data-diff's segment checksums), with the I/O
 * injected: each side answers digests of integer key ranges computed inside its database (lib/validation/digest.ts).
 *
 * The leading key's span [lo, hi) (the union of both sides) is cut into segments of about `segmentRows`
 * rows; a window of segments is one query per side. Equal segments cost one digest each. A segment whose
 * digests differ is cut into `fanout` sub-ranges, digested again inside the databases, and so on until a
 * range holds at most `leafRows` rows on either side (or one key value); only then are its rows read from
 * both sides and compared in the worker, which names the differing keys.
 */
import { createHash } from 'node:crypto';
import type { TableContentHash } from '../migration';

export interface RangeDigest {
  count: number;
  /** md5 of the range's rows in normal form; null for an empty range. */
  digest: string | null;
  /** The database could not hash the whole range (MariaDB's GROUP_CONCAT limit): it must be split. */
  cut?: boolean;
}

export interface DigestSide {
  /** MIN and MAX of the leading key column (null when the table is empty) and the row count. */
  bounds(): Promise<{ min: bigint | null; max: bigint | null; count: number }>;
  /** Digests of [from + i·width, from + (i+1)·width) within [from, to), keyed by i; empty sub-ranges are absent. */
  digests(from: bigint, to: bigint, width: bigint): Promise<Map<bigint, RangeDigest>>;
}

export interface RangeOptions {
  /** Rows per top-level segment (one digest each in the content hash). Default 10,000. */
  segmentRows: number;
  /** Segments per query (one heartbeat each). Default 20. */
  windowSegments: number;
  /** Ranges at most this large (rows on either side) are read and compared row by row. Default 256. */
  leafRows: number;
  /** Sub-ranges a differing range is cut into per step. Default 16. */
  fanout: number;
}

export const DEFAULT_RANGE_OPTIONS: RangeOptions = { segmentRows: 10_000, windowSegments: 20, leafRows: 256, fanout: 16 };

/** Where a table's comparison stands; JSON-safe (heartbeat details). */
export interface RangeState {
  lo: string;
  hi: string;
  width: string;
  /** Index of the first segment not yet compared. */
  next: string;
}

export interface RangeCallbacks {
  /** Reads [from, to) from both sides, names its differing rows, and returns how many it found. */
  leaf(from: bigint, to: bigint): Promise<number>;
  /** After each window: the state to resume from and the table's hash so far. */
  progress(state: RangeState, hash: TableContentHash): void;
  /** A range whose digests differ although its rows compare equal in the worker (a normal-form disagreement). */
  unexplained(from: bigint, to: bigint): void;
}

export function chainDigest(previous: string, line: string): string {
  return createHash('sha256').update(previous + line).digest('hex');
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** The segmentation of a table: the same on both sides whenever the two tables are equal. */
export function planRanges(
  s: { min: bigint | null; max: bigint | null; count: number },
  t: { min: bigint | null; max: bigint | null; count: number },
  segmentRows: number,
): RangeState | null {
  const mins = [s.min, t.min].filter((x): x is bigint => x !== null);
  const maxs = [s.max, t.max].filter((x): x is bigint => x !== null);
  if (mins.length === 0) return null;
  const lo = mins.reduce(min);
  const hi = maxs.reduce(max) + 1n;
  const segments = BigInt(Math.max(1, Math.ceil(Math.max(s.count, t.count) / segmentRows)));
  const width = max(1n, ceilDiv(hi - lo, segments));
  return { lo: lo.toString(), hi: hi.toString(), width: width.toString(), next: '0' };
}

/**
 * Compares one table range by range. `hash` is updated in place (rows, chunks, differing chunks, and the
 * chains of segment digests that become the table's content hashes); pass the resumed one after a retry.
 */
export async function compareRanges(
  source: DigestSide,
  target: DigestSide,
  options: RangeOptions,
  hash: TableContentHash,
  resume: RangeState | null,
  cb: RangeCallbacks,
): Promise<void> {
  let state = resume;
  if (!state) {
    const [sb, tb] = await Promise.all([source.bounds(), target.bounds()]);
    state = planRanges(sb, tb, options.segmentRows);
    if (!state) return;
    const seed = `in-database md5 ranges lo=${state.lo} width=${state.width}`;
    hash.source_sha256 = chainDigest('', seed);
    hash.target_sha256 = chainDigest('', seed);
  }
  const lo = BigInt(state.lo);
  const hi = BigInt(state.hi);
  const width = BigInt(state.width);
  const window = BigInt(options.windowSegments);
  for (let next = BigInt(state.next); lo + next * width < hi; next += window) {
    const from = lo + next * width;
    const to = min(hi, from + window * width);
    const [sd, td] = await Promise.all([source.digests(from, to, width), target.digests(from, to, width)]);
    for (const i of unionSorted(sd, td)) {
      const a = sd.get(i);
      const b = td.get(i);
      const g = next + i;
      const segFrom = from + i * width;
      if (a?.cut || b?.cut) {
        await compareSplit(source, target, options, hash, segFrom, min(to, segFrom + width), String(g), cb, a, b);
        continue;
      }
      if (a) {
        hash.source_sha256 = chainDigest(hash.source_sha256, `${g}:${a.count}:${a.digest}`);
        hash.source_rows += a.count;
      }
      if (b) {
        hash.target_sha256 = chainDigest(hash.target_sha256, `${g}:${b.count}:${b.digest}`);
        hash.target_rows += b.count;
      }
      hash.chunks++;
      if (same(a, b)) continue;
      hash.differing_chunks++;
      await bisect(source, target, options, segFrom, min(to, segFrom + width), a?.count ?? 0, b?.count ?? 0, cb);
    }
    state = { ...state, next: (next + window).toString() };
    cb.progress(state, hash);
  }
}

/**
 * A segment one side could not hash whole: it is cut into sub-ranges small enough for both sides, and those
 * digests go into both content hashes in its place (so equal tables still hash equal). A range still too large
 * to hash once it holds at most `leafRows` rows on either side (or one key value) is compared row by row in the
 * worker, whole: not split further down to single keys, one query each (Oracle's digest hashes at most 4,000
 * bytes of rows, so ranges of long rows are cut all the way down).
 */
async function compareSplit(
  source: DigestSide,
  target: DigestSide,
  o: RangeOptions,
  hash: TableContentHash,
  from: bigint,
  to: bigint,
  label: string,
  cb: RangeCallbacks,
  whole?: RangeDigest,
  wholeTarget?: RangeDigest,
): Promise<void> {
  const pieces: { from: bigint; to: bigint; a?: RangeDigest; b?: RangeDigest }[] = [];
  const small = (a?: RangeDigest, b?: RangeDigest) => Math.max(a?.count ?? 0, b?.count ?? 0) <= o.leafRows;
  const split = async (f: bigint, t: bigint): Promise<void> => {
    const width = max(1n, ceilDiv(t - f, BigInt(o.fanout)));
    const [sd, td] = await Promise.all([source.digests(f, t, width), target.digests(f, t, width)]);
    for (const i of unionSorted(sd, td)) {
      const pf = f + i * width;
      const pt = min(t, pf + width);
      const a = sd.get(i);
      const b = td.get(i);
      if ((a?.cut || b?.cut) && pt - pf > 1n && !small(a, b)) await split(pf, pt);
      else pieces.push({ from: pf, to: pt, a, b });
    }
  };
  if ((whole || wholeTarget) && small(whole, wholeTarget)) pieces.push({ from, to, a: whole, b: wholeTarget });
  else await split(from, to);
  hash.chunks++;
  let differs = false;
  for (const p of pieces) {
    hash.source_rows += p.a?.count ?? 0;
    hash.target_rows += p.b?.count ?? 0;
    let sLine = `${label}/${p.from}:${p.a?.count ?? 0}:${p.a?.digest ?? null}`;
    let tLine = `${label}/${p.from}:${p.b?.count ?? 0}:${p.b?.digest ?? null}`;
    if (p.a?.cut || p.b?.cut) {
      // Rows (at most leafRows, or one key value) that exceed what the database can hash at once: compared in the worker.
      const n = await cb.leaf(p.from, p.to);
      sLine = `${label}/${p.from}:${p.a?.count ?? 0}:compared`;
      tLine = `${label}/${p.from}:${p.b?.count ?? 0}:compared${n > 0 ? ':differs' : ''}`;
      differs ||= n > 0;
    } else if (!same(p.a, p.b)) {
      differs = true;
      await bisect(source, target, o, p.from, p.to, p.a?.count ?? 0, p.b?.count ?? 0, cb);
    }
    if (p.a) hash.source_sha256 = chainDigest(hash.source_sha256, sLine);
    if (p.b) hash.target_sha256 = chainDigest(hash.target_sha256, tLine);
  }
  if (differs) hash.differing_chunks++;
}

function same(a: RangeDigest | undefined, b: RangeDigest | undefined): boolean {
  return (a?.count ?? 0) === (b?.count ?? 0) && (a?.digest ?? null) === (b?.digest ?? null);
}

function unionSorted(a: Map<bigint, RangeDigest>, b: Map<bigint, RangeDigest>): bigint[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

async function bisect(
  source: DigestSide,
  target: DigestSide,
  o: RangeOptions,
  from: bigint,
  to: bigint,
  sourceRows: number,
  targetRows: number,
  cb: RangeCallbacks,
): Promise<void> {
  if (Math.max(sourceRows, targetRows) <= o.leafRows || to - from <= 1n) {
    if ((await cb.leaf(from, to)) === 0) cb.unexplained(from, to);
    return;
  }
  const width = max(1n, ceilDiv(to - from, BigInt(o.fanout)));
  const [sd, td] = await Promise.all([source.digests(from, to, width), target.digests(from, to, width)]);
  let differing = 0;
  for (const i of unionSorted(sd, td)) {
    const a = sd.get(i);
    const b = td.get(i);
    if (same(a, b)) continue;
    differing++;
    const subFrom = from + i * width;
    await bisect(source, target, o, subFrom, min(to, subFrom + width), a?.count ?? 0, b?.count ?? 0, cb);
  }
  // The whole range differed but no part of it does: compare it row by row rather than pass it.
  if (differing === 0 && (await cb.leaf(from, to)) === 0) cb.unexplained(from, to);
}

/** How the semantic tier compared one table. */
export interface TableMethod {
  table: string;
  method: 'database' | 'worker';
  reason?: string;
}

/** Which tables were digested inside the databases and which in the worker (and why), for the tier's summary. */
export function methodNote(methods: TableMethod[]): string {
  const list = (names: string[]) => (names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', '));
  const inDb = methods.filter((m) => m.method === 'database').map((m) => m.table);
  const inWorker = methods.filter((m) => m.method === 'worker').map((m) => `${m.table} (${m.reason ?? 'no key'})`);
  const parts: string[] = [];
  if (inDb.length > 0) parts.push(`digested range by range inside both databases: ${list(inDb)}`);
  if (inWorker.length > 0) parts.push(`read and hashed in the worker: ${list(inWorker)}`);
  return parts.join('; ');
}
