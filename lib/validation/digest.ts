/**
 * The semantic tier's in-database digests: SQL that renders every row of a key range into one explicit
 * cross-dialect normal form and hashes the range inside PostgreSQL or MariaDB/MySQL, so equal tables send
 * only digests over the network. Pure text builders: no I/O.
 *
 * The normal form of one row is its fields joined by `|`, in the plan's column order; a field is
 *   ~                        SQL NULL (no other field can be ~)
 *   -12 / 0                  integers
 *   1.5 / 10 / 0             decimals without trailing fraction zeros (1.50 → 1.5, 10.00 → 10)
 *   1 / 0                    booleans (PostgreSQL boolean, MariaDB TINYINT(1)/BIT(1) non-zero → 1)
 *   2020-01-02               dates
 *   10:00:00.000000          times, six fraction digits
 *   2020-01-02 03:04:05.000006  timestamps, six fraction digits; with a zone: in UTC
 *   5:héllo                  text (varchar, text, enum, uuid lower-cased, CHAR without trailing spaces):
 *                            UTF-8 byte length, a colon, the text; so '' (0:) differs from NULL and no
 *                            `|` inside a text can shift a field
 *   00ff                     binary as lower-case hex
 * A range's digest is md5 of its rows' normal forms joined by a newline, in key order (integer keys by
 * value, text key parts by binary code-point order: PostgreSQL COLLATE "C", MariaDB BINARY). Where one side
 * aggregates only short texts (Oracle), both sides join the rows' md5s (hex) instead (pairHashesRows).
 * Types with no safe normal form (floats, JSON, anything else) make the table fall back to hashing in the worker.
 * Each dialect that has the capability inDatabaseDigest spells the form in its own SQL (connectors/<dialect>/validation.ts).
 */
import { dialectNamed, type DigestColumn, type DigestSql, type RangeQuery } from '../../connectors/dialects';
import type { Dialect, TablePlan } from '../types';
import { keptAsText } from '../temporal-range';
import { quoteIdentifier } from '../quote';
import { tableRef, type Place } from './sql';

export type { DigestColumn } from '../../connectors/dialects';

export interface DigestTable {
  /** This side's table name. */
  table: string;
  columns: DigestColumn[];
  /** Key columns in key order; the first is an integer and splits ranges. */
  key: string[];
}

const INTEGER_KINDS = new Set(['int16', 'int32', 'int64']);
const TEXT_KINDS = new Set(['char', 'varchar', 'text', 'enum', 'uuid']);
const SUPPORTED_KINDS = new Set([...INTEGER_KINDS, 'decimal', 'boolean', ...TEXT_KINDS, 'date', 'time', 'timestamp', 'timestamptz', 'binary']);

/** The dialect's digest SQL; a dialect without the capability throws "not supported by <dialect>". */
function digestOf(p: Place): DigestSql {
  const digest = dialectNamed(p.dialect).validation?.digest;
  if (!digest) throw new Error(`an in-database digest is not supported by ${p.dialect}`);
  return digest;
}

/**
 * Why a table cannot be digested inside the databases, or null when it can. The reason is shown in the
 * tier's summary next to the table (it is then hashed in the worker).
 */
export function inDatabaseRefusal(table: TablePlan, source: Place, target: Place): string | null {
  for (const p of [source, target]) {
    if (!dialectNamed(p.dialect).capabilities.inDatabaseDigest) return `${p.dialect} has no in-database digest`;
  }
  if (table.copyMode !== 'keyset' || table.keyColumns.length === 0) return 'no key to split ranges on';
  const sourceTypes = table.columns.map((c) => table.source.columns.find((s) => s.name === c.column)?.type ?? c.canonical);
  const first = sourceTypes[table.columns.findIndex((c) => c.column === table.keyColumns[0])];
  if (!first || !INTEGER_KINDS.has(first.kind)) return 'the leading key column is not an integer';
  if (first.unsigned) return 'the leading key column is an unsigned 64-bit integer';
  for (const [i, c] of table.columns.entries()) {
    const kind = sourceTypes[i].kind;
    // A type only the dialect has is digested as its own text, which means the same value only in that dialect.
    if (kind === 'native' && source.dialect === target.dialect) continue;
    if (!SUPPORTED_KINDS.has(kind)) return `column ${c.column} (${kind}) has no cross-dialect normal form in SQL`;
    if (kind === 'time' && /with time zone/i.test(c.sourceType + ' ' + c.targetType)) return `column ${c.column} (time with time zone) has no normal form in SQL`;
  }
  // What each side's SQL cannot spell for its native types (Oracle: a BINARY_DOUBLE holding a decimal, a LONG, …).
  const sides = digestTables(table);
  for (const [p, t, side] of [[source, sides.source, 'source'], [target, sides.target, 'target']] as const) {
    const refusal = digestOf(p).refusal;
    if (!refusal) continue;
    for (const c of t.columns) {
      const why = refusal(c);
      if (why) return `column ${c.name} on the ${side}: ${why}`;
    }
  }
  return null;
}

/** The two sides of a table as the digest SQL sees them (source native types on the source, mapped ones on the target). */
export function digestTables(table: TablePlan, targetDialect?: Dialect): { source: DigestTable; target: DigestTable } {
  const kept = targetDialect ? keptAsText(targetDialect, table) : [];
  // A date the target keeps as text is digested as the source's own text of it (a MariaDB zero date too).
  const types = table.columns.map((c, i) => {
    const type = table.source.columns.find((s) => s.name === c.column)?.type ?? c.canonical;
    return kept[i] ? { ...type, keptAsText: true } : type;
  });
  return {
    source: { table: table.source.name, key: table.keyColumns, columns: table.columns.map((c, i) => ({ name: c.column, type: types[i], native: c.sourceType })) },
    target: { table: table.target, key: table.keyColumns, columns: table.columns.map((c, i) => ({ name: c.column, type: types[i], native: c.targetType })) },
  };
}

/** The normal form of one value as SQL text (NULL stays NULL; rowSql turns it into ~). */
export function valueSql(p: Place, c: DigestColumn): string {
  return digestOf(p).value(c, quoteIdentifier(p.dialect, c.name));
}

/** One row's normal form (see the file comment). */
export function rowSql(p: Place, columns: DigestColumn[]): string {
  const digest = digestOf(p);
  return digest.row(
    columns.map((c) => {
      const value = valueSql(p, c);
      return digest.field ? digest.field(value, quoteIdentifier(p.dialect, c.name)) : `COALESCE(${value}, '~')`;
    }),
  );
}

/** ORDER BY of the key in binary order on both sides (text parts compared as bytes). */
function keyOrder(p: Place, t: DigestTable): string {
  return t.key
    .map((k) => {
      const c = t.columns.find((x) => x.name === k);
      const col = quoteIdentifier(p.dialect, k);
      if (!c || !TEXT_KINDS.has(c.type.kind)) return col;
      return digestOf(p).binaryOrder(col);
    })
    .join(', ');
}

const INTEGER = /^-?\d+$/;

function int(v: bigint): string {
  const s = v.toString();
  if (!INTEGER.test(s)) throw new Error(`not an integer: ${s}`);
  return s;
}

/** MIN, MAX (as text) and COUNT of the leading key column. */
export function boundsSql(p: Place, t: DigestTable): string {
  const k = quoteIdentifier(p.dialect, t.key[0]);
  const text = digestOf(p).integerText;
  return `SELECT ${text(`MIN(${k})`)}, ${text(`MAX(${k})`)}, COUNT(*) FROM ${tableRef(p, t.table)}`;
}

/**
 * Whether a pair digests each row's md5 rather than its normal form (a side whose aggregate holds only short texts:
 * DigestSql.rowHashes). Both sides must be told the same: the digests are then md5 over the rows' md5s, in key order.
 */
export function pairHashesRows(source: Place, target: Place): boolean {
  return [source, target].some((p) => dialectNamed(p.dialect).validation?.digest?.rowHashes === true);
}

function rangeQuery(p: Place, t: DigestTable, from: bigint, to: bigint, hashRows: boolean): RangeQuery {
  const key = quoteIdentifier(p.dialect, t.key[0]);
  const rowBytes = digestOf(p).rowBytes?.(t.columns.map((c) => ({ quoted: quoteIdentifier(p.dialect, c.name), native: c.native, type: c.type })));
  return {
    key,
    keys: t.key.map((k) => quoteIdentifier(p.dialect, k)),
    row: hashRows ? digestOf(p).rowHash(rowSql(p, t.columns)) : rowSql(p, t.columns),
    order: keyOrder(p, t),
    table: tableRef(p, t.table),
    where: `${key} >= ${int(from)} AND ${key} < ${int(to)}`,
    ...(rowBytes ? { rowBytes } : {}),
  };
}

/**
 * Digests of the sub-ranges [from + i·width, from + (i+1)·width) inside [from, to): one row per non-empty
 * sub-range: i, row count, md5 of the rows' normal forms in key order. Bounds are integers the engine computed.
 */
export function rangeDigestsSql(p: Place, t: DigestTable, from: bigint, to: bigint, width: bigint, hashRows = false): string {
  return digestOf(p).rangeDigests(rangeQuery(p, t, from, to, hashRows), int(from), int(width));
}

/**
 * The digest of one range [from, to) without GROUP BY: row count and md5 as in rangeDigestsSql (MariaDB: and
 * whether the text was cut). MariaDB computes a window faster as one of these per sub-range than as one grouped
 * query (no temporary table).
 */
export function rangeDigestSql(p: Place, t: DigestTable, from: bigint, to: bigint, hashRows = false): string {
  return digestOf(p).rangeDigest(rangeQuery(p, t, from, to, hashRows));
}

/** The rows of [from, to) in key order, columns in plan order (for naming the differing rows in the worker). */
export function rangeRowsSql(p: Place, t: DigestTable, from: bigint, to: bigint): string {
  const k = quoteIdentifier(p.dialect, t.key[0]);
  const read = digestOf(p).readColumn;
  const cols = t.columns
    .map((c) => {
      const quoted = quoteIdentifier(p.dialect, c.name);
      return read ? read(c, quoted) : quoted;
    })
    .join(', ');
  return `SELECT ${cols} FROM ${tableRef(p, t.table)} WHERE ${k} >= ${int(from)} AND ${k} < ${int(to)} ORDER BY ${keyOrder(p, t)}`;
}

/** The rows rangeRowsSql read, as the copy reads them (the dialect's fromRead; in place). */
export function rangeRowsRead(p: Place, t: DigestTable, rows: unknown[][]): unknown[][] {
  const fromRead = digestOf(p).fromRead;
  if (!fromRead) return rows;
  for (const row of rows) t.columns.forEach((c, i) => (row[i] = fromRead(row[i], c)));
  return rows;
}

/** The normal form of every row of [from, to) (tests and diagnostics: what the digest hashes). */
export function rangeNormalFormsSql(p: Place, t: DigestTable, from: bigint, to: bigint): string {
  const k = quoteIdentifier(p.dialect, t.key[0]);
  return `SELECT ${rowSql(p, t.columns)} FROM ${tableRef(p, t.table)} WHERE ${k} >= ${int(from)} AND ${k} < ${int(to)} ORDER BY ${keyOrder(p, t)}`;
}

/** Session settings the digest SQL relies on. */
export function digestSessionSql(p: Place): string[] {
  return [...digestOf(p).session];
}
