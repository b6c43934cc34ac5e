import { createHash } from 'node:crypto';
import type { TableContentHash } from '../../lib/migration';
import type { CanonicalType, ColumnInfo, TablePlan } from '../../lib/types';
import { inDatabaseRefusal } from '../../lib/validation/digest';
import { compareRanges, methodNote, planRanges, type DigestSide, type RangeState } from '../../lib/validation/ranges';
import { aggregateText, compareKeyTexts, compareResults, genericValueText, resultRowTexts, roundDecimalText, typeMatches } from '../../lib/validation/compare';
import { generatedSuite, hasOrderBy, tableRef, type Place } from '../../lib/validation/sql';
import { canonicalValueText } from '../../lib/values';

test('normalisation is explicit per type: decimals, time zones, booleans, JSON key order, CHAR padding', () => {
  expect(canonicalValueText('0.990', { kind: 'decimal', scale: 3 })).toBe(canonicalValueText(0.99, { kind: 'decimal', scale: 2 }));
  expect(canonicalValueText('2020-01-01 02:00:00+02', { kind: 'timestamptz' })).toBe(canonicalValueText('2020-01-01 00:00:00', { kind: 'timestamptz' }));
  expect(canonicalValueText('2020-01-01 02:00:00', { kind: 'timestamp' })).not.toBe(canonicalValueText('2020-01-01 00:00:00', { kind: 'timestamp' }));
  expect(canonicalValueText(1, { kind: 'boolean' })).toBe(canonicalValueText(true, { kind: 'boolean' }));
  expect(canonicalValueText('{"b":1,"a":2}', { kind: 'json' })).toBe(canonicalValueText({ a: 2, b: 1 }, { kind: 'json' }));
  expect(canonicalValueText('ab  ', { kind: 'char', length: 4 })).toBe(canonicalValueText('ab', { kind: 'char', length: 4 }));
  expect(canonicalValueText('ab  ', { kind: 'varchar' })).not.toBe(canonicalValueText('ab', { kind: 'varchar' }));
});

test('aggregates: decimal sums at the column scale, exact integers, floats to 12 digits', () => {
  expect(aggregateText(3680.9699999999, { kind: 'decimal', scale: 2 })).toBe('3680.97');
  expect(aggregateText('3680.97', { kind: 'decimal', scale: 2 })).toBe('3680.97');
  expect(aggregateText('9007199254740993', { kind: 'int64' })).toBe('9007199254740993');
  expect(roundDecimalText('-1.005', 2)).toBe('-1.01');
  expect(aggregateText(0.1 + 0.2, { kind: 'float64' })).toBe(aggregateText(0.3, { kind: 'float64' }));
  // float32: the widened single (PostgreSQL real::float8) and the shortest double a target kept agree; a real change does not.
  expect(aggregateText(0.10000000149011612, { kind: 'float32' })).toBe(aggregateText(0.1, { kind: 'float32' }));
  expect(aggregateText(0.3333333432674408, { kind: 'float32' })).toBe(aggregateText('0.33333334', { kind: 'float32' }));
  expect(aggregateText(0.1, { kind: 'float32' })).not.toBe(aggregateText(0.1001, { kind: 'float32' }));
  // A decimal without a declared scale keeps its fraction (it used to be rounded to a whole number).
  expect(aggregateText('0.14285714285714285714', { kind: 'decimal' })).toBe(aggregateText(0.14285714285714285, { kind: 'decimal' }));
  expect(aggregateText('0.142857', { kind: 'decimal' })).not.toBe(aggregateText('0.142858', { kind: 'decimal' }));
});

test('generic result values (user queries): numbers of any spelling, booleans, CHAR padding', () => {
  expect(genericValueText('12.50')).toBe(genericValueText(12.5));
  expect(genericValueText(true)).toBe(genericValueText(1));
  expect(genericValueText('x  ')).toBe(genericValueText('x'));
  expect(genericValueText('5.2000000000000000001')).toBe(genericValueText(5.2));
});

test('result sets compare as multisets without ORDER BY, in order with it', () => {
  const a = resultRowTexts([[1, 'a'], [2, 'b']]);
  const b = resultRowTexts([[2, 'b'], [1, 'a']]);
  expect(compareResults(a, b, false).equal).toBe(true);
  const ordered = compareResults(a, b, true);
  expect(ordered.equal).toBe(false);
  const diff = compareResults(a, resultRowTexts([[1, 'a'], [3, 'c']]), false);
  expect(diff).toMatchObject({ equal: false, only_in_source: [['2', '"b"']], only_in_target: [['3', '"c"']] });
  expect(hasOrderBy('SELECT * FROM t ORDER BY id')).toBe(true);
  expect(hasOrderBy('SELECT * FROM (SELECT * FROM t ORDER BY id LIMIT 3) x')).toBe(false);
  expect(hasOrderBy("SELECT 'order by' FROM t")).toBe(false);
});

test('keys order numerically for integers; catalog spellings of types match the plan', () => {
  const int = [{ kind: 'int32' as const }];
  expect(compareKeyTexts(['9'], ['10'], int)).toBeLessThan(0);
  expect(typeMatches('INTEGER', 'integer')).toBe(true);
  expect(typeMatches('int', 'int(11)')).toBe(true);
  expect(typeMatches('VARCHAR(160)', 'character varying(160)')).toBe(true);
  expect(typeMatches('NUMERIC(10,2)', 'decimal(10,2)')).toBe(true);
  expect(typeMatches('varchar(160)', 'varchar(120)')).toBe(false);
});

// ---------------------------------------------------------------- range digests and bisection (lib/validation/ranges)

/** A side whose "database" is a key → row-text map; digests are computed the way the SQL does (md5 of rows in key order). */
function memorySide(rows: Map<bigint, string>, cutAbove = Infinity) {
  const queries = { digests: 0, rowsHashed: 0 };
  const side: DigestSide = {
    async bounds() {
      const keys = [...rows.keys()];
      if (keys.length === 0) return { min: null, max: null, count: 0 };
      return { min: keys.reduce((a, b) => (a < b ? a : b)), max: keys.reduce((a, b) => (a > b ? a : b)), count: keys.length };
    },
    async digests(from, to, width) {
      queries.digests++;
      const groups = new Map<bigint, string[]>();
      for (const k of [...rows.keys()].filter((k) => k >= from && k < to).sort((a, b) => (a < b ? -1 : 1))) {
        queries.rowsHashed++;
        const i = (k - from) / width;
        groups.set(i, [...(groups.get(i) ?? []), `${k}|${rows.get(k)}`]);
      }
      // Like MariaDB's GROUP_CONCAT at max_allowed_packet: past `cutAbove` rows the text is cut, and said so.
      return new Map(
        [...groups].map(([i, lines]) => [
          i,
          { count: lines.length, digest: createHash('md5').update(lines.slice(0, cutAbove).join('\n')).digest('hex'), cut: lines.length > cutAbove },
        ]),
      );
    },
  };
  return { side, queries };
}

function table(n: number, step = 1n): Map<bigint, string> {
  return new Map(Array.from({ length: n }, (_, i) => [BigInt(i + 1) * step, `row ${i + 1}`] as [bigint, string]));
}

async function runRanges(s: Map<bigint, string>, t: Map<bigint, string>, resumeAt?: number, sourceCutAbove?: number) {
  const a = memorySide(s, sourceCutAbove);
  const b = memorySide(t);
  const leaves: [bigint, bigint][] = [];
  const named: string[] = [];
  const hash: TableContentHash = { table: 't', target: 't', source_rows: 0, target_rows: 0, chunks: 0, differing_chunks: 0, source_sha256: '', target_sha256: '' };
  const states: { state: RangeState; hash: TableContentHash }[] = [];
  const cb = {
    async leaf(from: bigint, to: bigint) {
      leaves.push([from, to]);
      let n = 0;
      for (const k of new Set([...s.keys(), ...t.keys()])) {
        if (k >= from && k < to && s.get(k) !== t.get(k)) {
          named.push(String(k));
          n++;
        }
      }
      return n;
    },
    progress: (state: RangeState, h: TableContentHash) => states.push({ state, hash: { ...h } }),
    unexplained: (from: bigint, to: bigint) => named.push(`unexplained ${from}-${to}`),
  };
  const options = { segmentRows: 1_000, windowSegments: 4, leafRows: 50, fanout: 8 };
  await compareRanges(a.side, b.side, options, hash, null, cb);
  let resumed: TableContentHash | undefined;
  if (resumeAt !== undefined) {
    // A retry after a crash: start from the heartbeat of window `resumeAt`, with the hash as it was then.
    const from = states[resumeAt];
    resumed = { ...from.hash };
    await compareRanges(a.side, b.side, options, resumed, from.state, { ...cb, progress: () => undefined });
  }
  return { hash, resumed, leaves, named, source: a.queries, target: b.queries };
}

test('equal tables: one digest per segment on each side, equal content hashes, no rows read', async () => {
  const r = await runRanges(table(20_000), table(20_000));
  expect(r.hash).toMatchObject({ source_rows: 20_000, target_rows: 20_000, chunks: 20, differing_chunks: 0 });
  expect(r.hash.target_sha256).toBe(r.hash.source_sha256);
  expect(r.leaves).toEqual([]);
  expect(r.source.digests).toBe(5);
});

test('bisection names exactly the changed, missing and extra keys, reading only small ranges', async () => {
  const s = table(20_000);
  const t = table(20_000);
  t.set(4_242n, 'changed');
  t.delete(17_001n);
  t.set(20_005n, 'extra');
  const r = await runRanges(s, t);
  expect(r.named.sort()).toEqual(['17001', '20005', '4242']);
  expect(r.hash.differing_chunks).toBe(3);
  expect(r.hash.target_sha256).not.toBe(r.hash.source_sha256);
  for (const [from, to] of r.leaves) expect(Number(to - from)).toBeLessThanOrEqual(50);
  // A few re-digested ranges, not a second pass over the table.
  expect(r.source.rowsHashed).toBeLessThan(20_000 + 3 * 1_000 * 3);
});

test('sparse keys and a key range wider than the rows still split evenly and bisect to the row', async () => {
  const s = table(3_000, 1_000_003n);
  const t = new Map(s);
  t.set(1_000_003n * 1_500n, 'changed');
  const r = await runRanges(s, t);
  expect(r.named).toEqual([String(1_000_003n * 1_500n)]);
});

test('a run resumed from a heartbeat ends with the same content hash as one that never stopped', async () => {
  const s = table(20_000);
  const t = table(20_000);
  t.set(19_999n, 'changed');
  const r = await runRanges(s, t, 2);
  expect(r.resumed).toEqual(r.hash);
});

test('one side empty: every row is extra or missing, and the ranges still agree', async () => {
  const r = await runRanges(table(300), new Map());
  expect(r.named).toHaveLength(300);
  expect(planRanges({ min: null, max: null, count: 0 }, { min: null, max: null, count: 0 }, 10)).toBeNull();
});

test('the summary says which tables were digested in the databases and which in the worker, and why', () => {
  expect(
    methodNote([
      { table: 'a', method: 'database' },
      { table: 'b', method: 'worker', reason: 'column x (float64) has no cross-dialect normal form in SQL' },
    ]),
  ).toBe('digested range by range inside both databases: a; read and hashed in the worker: b (column x (float64) has no cross-dialect normal form in SQL)');
});

test('ranges one side cannot hash whole (MariaDB GROUP_CONCAT at max_allowed_packet) are split on both sides, hashes still agree', async () => {
  const equal = await runRanges(table(20_000), table(20_000), undefined, 300);
  expect(equal.named).toEqual([]);
  expect(equal.leaves).toEqual([]);
  expect(equal.hash).toMatchObject({ source_rows: 20_000, target_rows: 20_000, chunks: 20, differing_chunks: 0 });
  expect(equal.hash.target_sha256).toBe(equal.hash.source_sha256);

  const t = table(20_000);
  t.set(12_345n, 'changed');
  const changed = await runRanges(table(20_000), t, undefined, 300);
  expect(changed.named).toEqual(['12345']);
  expect(changed.hash.differing_chunks).toBe(1);
  expect(changed.hash.target_sha256).not.toBe(changed.hash.source_sha256);

  // Not even one row can be hashed whole: the segment (at most leafRows rows) is compared in the worker in one read,
  // not key by key, and equal rows pass.
  const tiny = await runRanges(table(40), table(40), undefined, 0);
  expect(tiny.named).toEqual([]);
  expect(tiny.leaves).toEqual([[1n, 41n]]);
  expect(tiny.hash.target_sha256).toBe(tiny.hash.source_sha256);

  // 2,000 rows none of which can be hashed whole: split only until ranges hold at most leafRows (50 here) rows, each
  // read once (not 2,000 reads of one key); a changed row among them is named.
  const long = table(2_000);
  long.set(1_234n, 'changed');
  const cut = await runRanges(table(2_000), long, undefined, 0);
  expect(cut.named).toEqual(['1234']);
  expect(cut.leaves.length).toBeLessThan(2_000 / 8);
  for (const [from, to] of cut.leaves) expect(Number(to - from)).toBeLessThanOrEqual(50);
  expect(cut.hash.target_sha256).not.toBe(cut.hash.source_sha256);
});

test('tables without a SQL normal form, an integer leading key or a digesting dialect fall back to the worker, saying why', () => {
  const col = (name: string, type: CanonicalType, native: string): ColumnInfo => ({ name, nativeType: native, type, nullable: true, default: null });
  const plan = (columns: ColumnInfo[], key: string[]): TablePlan => ({
    source: { name: 't', columns, primaryKey: key, foreignKeys: [], uniqueConstraints: [], indexes: [], rowEstimate: 0 },
    target: 't',
    columns: columns.map((c) => ({ id: `t.${c.name}`, table: 't', column: c.name, sourceType: c.nativeType, canonical: c.type, targetType: c.nativeType, nullable: true, confidence: 1 })),
    keyColumns: key,
    copyMode: key.length > 0 ? 'keyset' : 'whole_table',
  });
  const pg: Place = { dialect: 'postgresql', schema: 'public' };
  const my: Place = { dialect: 'mysql', schema: 'db' };
  const id = col('id', { kind: 'int64' }, 'bigint');
  expect(inDatabaseRefusal(plan([id, col('d', { kind: 'decimal', scale: 2 }, 'numeric(10,2)')], ['id']), pg, my)).toBeNull();
  expect(inDatabaseRefusal(plan([id], ['id']), pg, { dialect: 'sqlite', schema: 'main' })).toBe('sqlite has no in-database digest');
  expect(inDatabaseRefusal(plan([id, col('f', { kind: 'float64' }, 'double precision')], ['id']), pg, my)).toBe('column f (float64) has no cross-dialect normal form in SQL');
  expect(inDatabaseRefusal(plan([id, col('j', { kind: 'json' }, 'jsonb')], ['id']), pg, pg)).toBe('column j (json) has no cross-dialect normal form in SQL');
  expect(inDatabaseRefusal(plan([col('code', { kind: 'varchar', length: 3 }, 'varchar(3)'), id], ['code']), pg, my)).toBe('the leading key column is not an integer');
  expect(inDatabaseRefusal(plan([id], []), pg, my)).toBe('no key to split ranges on');
});

test("validation reads a table's own rows as the copy does: a PostgreSQL parent without its children's, a partitioned table whole", () => {
  const pg: Place = { dialect: 'postgresql', schema: 'public', partitioned: new Set(['measurement']) };
  expect(tableRef(pg, 'person')).toBe('ONLY "public"."person"');
  expect(tableRef(pg, 'measurement')).toBe('"public"."measurement"');
  expect(tableRef({ dialect: 'mysql', schema: 'world' }, 'City')).toBe('`world`.`City`');
  expect(tableRef({ dialect: 'sqlite', schema: 'main' }, 'person')).toBe('"main"."person"');
});

describe('the behavioral tier\'s generated queries', () => {
  test('a table whose every column is of a type one dialect has (a BIT key, a SET) gets no top-N query, not SELECT of nothing', () => {
    const bits: CanonicalType = { kind: 'varchar', family: 'bits' };
    const set: CanonicalType = { kind: 'text', family: 'set' };
    const suite = generatedSuite({ dialect: 'mysql', schema: 'db' }, [{ name: 'bitkeyed', columns: [{ name: 'id', type: bits }, { name: 's', type: set }], primaryKey: ['id'], foreignKeys: [] }], (t) => t);
    expect(suite.map((q) => q.name)).toEqual(['count bitkeyed']);
    expect(suite.every((q) => !/SELECT\s+FROM/i.test(q.sql))).toBe(true);
  });
});
