/**
 * The key range a chunk covers, for the "delete the range, then bulk load" write path.
 *
 * Deleting by range is only safe when the target orders keys exactly as the source did: a wider range in the
 * target would delete rows committed by neighbouring chunks. Numbers, dates and times order the same in every
 * dialect; text does not (collations differ), so text-like keys get no range and the caller upserts instead.
 */
import type { CanonicalType, Key, KeyPart, Row, TablePlan } from '../lib/types';

/** -1, 0, 1; null when the two values cannot be ordered safely. */
type Compare = (a: KeyPart, b: KeyPart) => number | null;

const UNSIGNED_INTEGER = /^(0|[1-9]\d*)$/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
/** Years 0000–9999 without a sign: their canonical text orders as the values do (once a trailing Z is dropped). */
const PLAIN_DATE_TIME = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?Z?$/;
const PLAIN_TIME = /^\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** Exact comparison of two plain decimal texts ("-12.50", "7"). */
export function compareDecimalText(a: string, b: string): number {
  const negA = a.startsWith('-');
  const negB = b.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const sign = negA ? -1 : 1;
  const [ia, fa = ''] = (negA ? a.slice(1) : a).split('.');
  const [ib, fb = ''] = (negB ? b.slice(1) : b).split('.');
  const ta = ia.replace(/^0+(?=\d)/, '');
  const tb = ib.replace(/^0+(?=\d)/, '');
  if (ta.length !== tb.length) return sign * (ta.length < tb.length ? -1 : 1);
  if (ta !== tb) return sign * (ta < tb ? -1 : 1);
  const width = Math.max(fa.length, fb.length);
  const pa = fa.padEnd(width, '0');
  const pb = fb.padEnd(width, '0');
  if (pa === pb) return 0;
  return sign * (pa < pb ? -1 : 1);
}

function comparator(type: CanonicalType): Compare | null {
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'decimal':
      return (a, b) => {
        if (typeof a === 'number' && typeof b === 'number') return Number.isFinite(a) && Number.isFinite(b) ? Math.sign(a - b) : null;
        const sa = String(a);
        const sb = String(b);
        // The usual key: non-negative integer text without leading zeros, ordered by length then digits.
        if (UNSIGNED_INTEGER.test(sa) && UNSIGNED_INTEGER.test(sb)) {
          return sa.length !== sb.length ? (sa.length < sb.length ? -1 : 1) : sa === sb ? 0 : sa < sb ? -1 : 1;
        }
        if (!PLAIN_NUMBER.test(sa) || !PLAIN_NUMBER.test(sb)) return null;
        return compareDecimalText(sa, sb);
      };
    case 'date':
    case 'timestamp':
    case 'timestamptz':
    case 'time': {
      const shape = type.kind === 'time' ? PLAIN_TIME : PLAIN_DATE_TIME;
      return (a, b) => {
        if (typeof a !== 'string' || typeof b !== 'string' || !shape.test(a) || !shape.test(b)) return null;
        const sa = a.replace(/Z$/, '');
        const sb = b.replace(/Z$/, '');
        return sa === sb ? 0 : sa < sb ? -1 : 1;
      };
    }
    case 'boolean':
      return (a, b) => (typeof a === 'boolean' && typeof b === 'boolean' ? Number(a) - Number(b) : null);
    default:
      return null;
  }
}

/** The canonical types of a plan's key columns (empty when a key column is not among the copied columns). */
export function keyTypesOf(plan: TablePlan): CanonicalType[] {
  const types = plan.keyColumns.map((k) => plan.columns.find((c) => c.column === k)?.canonical);
  return types.every((t): t is CanonicalType => t !== undefined) ? types : [];
}

/** Whether keys of these types order the same way in every dialect, so a key range means the same rows everywhere. */
export function rangeSafe(types: CanonicalType[]): boolean {
  return types.length > 0 && types.every((t) => comparator(t) !== null);
}

/**
 * The smallest and largest key among `rows` (tuple order over the key columns), or null when a key column's
 * type cannot be ordered the same way in every dialect, a key is NULL, or there are no rows.
 */
export function keyRange(rows: Row[], positions: number[], types: CanonicalType[]): { first: Key; last: Key } | null {
  if (rows.length === 0 || positions.length === 0) return null;
  const compares = types.map(comparator);
  if (compares.some((c) => c === null)) return null;
  const cmp = compares as Compare[];
  const keyOf = (row: Row): Key | null => {
    const key: Key = [];
    for (const p of positions) {
      const v = row[p];
      if (v === null || v === undefined || Buffer.isBuffer(v)) return null;
      key.push(v);
    }
    return key;
  };
  const compareKeys = (a: Key, b: Key): number | null => {
    for (let i = 0; i < a.length; i++) {
      const c = cmp[i](a[i], b[i]);
      if (c === null || c !== 0) return c;
    }
    return 0;
  };
  let first = keyOf(rows[0]);
  if (!first) return null;
  let last = first;
  for (let r = 1; r < rows.length; r++) {
    const key = keyOf(rows[r]);
    if (!key) return null;
    const toLast = compareKeys(key, last);
    if (toLast === null) return null;
    if (toLast > 0) {
      // The usual case: rows arrive in key order, so each key is the new last.
      last = key;
      continue;
    }
    const toFirst = compareKeys(key, first);
    if (toFirst === null) return null;
    if (toFirst < 0) first = key;
  }
  return { first, last };
}
