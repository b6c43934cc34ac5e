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
 * value, text key parts by binary code-point order: PostgreSQL COLLATE "C", MariaDB BINARY).
 * Types with no safe normal form (floats, JSON, anything else) make the table fall back to hashing in the worker.
 */
import type { CanonicalType, TablePlan } from '../types';
import { quoteIdentifier } from '../quote';
import { tableRef, type Place } from './sql';

/** One column as one side stores it: the SOURCE canonical type (the meaning) and this side's native type. */
export interface DigestColumn {
  name: string;
  type: CanonicalType;
  native: string;
}

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

/**
 * Why a table cannot be digested inside the databases, or null when it can. The reason is shown in the
 * tier's summary next to the table (it is then hashed in the worker).
 */
export function inDatabaseRefusal(table: TablePlan, source: Place, target: Place): string | null {
  for (const p of [source, target]) {
    if (p.dialect !== 'postgresql' && p.dialect !== 'mysql') return `${p.dialect} has no in-database digest`;
  }
  if (table.copyMode !== 'keyset' || table.keyColumns.length === 0) return 'no key to split ranges on';
  const sourceTypes = table.columns.map((c) => table.source.columns.find((s) => s.name === c.column)?.type ?? c.canonical);
  const first = sourceTypes[table.columns.findIndex((c) => c.column === table.keyColumns[0])];
  if (!first || !INTEGER_KINDS.has(first.kind)) return 'the leading key column is not an integer';
  if (first.unsigned) return 'the leading key column is an unsigned 64-bit integer';
  for (const [i, c] of table.columns.entries()) {
    const kind = sourceTypes[i].kind;
    if (!SUPPORTED_KINDS.has(kind)) return `column ${c.column} (${kind}) has no cross-dialect normal form in SQL`;
    if (kind === 'time' && /with time zone/i.test(c.sourceType + ' ' + c.targetType)) return `column ${c.column} (time with time zone) has no normal form in SQL`;
  }
  return null;
}

/** The two sides of a table as the digest SQL sees them (source native types on the source, mapped ones on the target). */
export function digestTables(table: TablePlan): { source: DigestTable; target: DigestTable } {
  const types = table.columns.map((c) => table.source.columns.find((s) => s.name === c.column)?.type ?? c.canonical);
  return {
    source: { table: table.source.name, key: table.keyColumns, columns: table.columns.map((c, i) => ({ name: c.column, type: types[i], native: c.sourceType })) },
    target: { table: table.target, key: table.keyColumns, columns: table.columns.map((c, i) => ({ name: c.column, type: types[i], native: c.targetType })) },
  };
}

const hasZone = (native: string) => /with time zone|timestamptz/i.test(native);
const isPgBoolean = (native: string) => /^bool/i.test(native.trim());

/** Decimal scale declared by a native type such as numeric(12,2) / DECIMAL(10, 2); undefined when none is given. */
function declaredScale(native: string): number | undefined {
  const m = /\(\s*\d+\s*,\s*(\d+)\s*\)/.exec(native);
  if (m) return Number(m[1]);
  return /\(\s*\d+\s*\)/.test(native) ? 0 : undefined;
}

/** The normal form of one value as SQL text (NULL stays NULL; rowSql turns it into ~). */
export function valueSql(p: Place, c: DigestColumn): string {
  const col = quoteIdentifier(p.dialect, c.name);
  const pg = p.dialect === 'postgresql';
  const text = (expr: string) => (pg ? `(octet_length(${expr}) || ':' || ${expr})` : `CONCAT(LENGTH(${expr}), ':', ${expr})`);
  switch (c.type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
      return pg ? `${col}::text` : `CAST(${col} AS CHAR)`;
    case 'decimal':
      if (pg) return `trim_scale(${col})::text`;
      // MariaDB prints exactly the declared scale: trim fraction zeros, then a bare dot, only when there is a fraction.
      return declaredScale(c.native) === 0 ? `CAST(${col} AS CHAR)` : `TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(${col} AS CHAR)))`;
    case 'boolean':
      if (pg && isPgBoolean(c.native)) return `${col}::int::text`;
      return `CASE WHEN ${col} IS NULL THEN NULL WHEN ${col} <> 0 THEN '1' ELSE '0' END`;
    case 'char':
      return text(pg ? `rtrim(${col}::text, ' ')` : `TRIM(TRAILING ' ' FROM CONVERT(${col} USING utf8mb4))`);
    case 'uuid':
      return pg ? `lower(${col}::text)` : `LOWER(CONVERT(${col} USING utf8mb4))`;
    case 'varchar':
    case 'text':
    case 'enum':
      return text(pg ? `${col}::text` : `CONVERT(${col} USING utf8mb4)`);
    case 'date':
      return pg ? `to_char(${col}, 'YYYY-MM-DD')` : `DATE_FORMAT(${col}, '%Y-%m-%d')`;
    case 'time':
      return pg ? `to_char(${col}, 'HH24:MI:SS.US')` : `TIME_FORMAT(${col}, '%H:%i:%s.%f')`;
    case 'timestamp':
    case 'timestamptz': {
      // MariaDB sessions run with time_zone +00:00: TIMESTAMP prints in UTC, DATETIME holds UTC wall time already.
      if (!pg) return `DATE_FORMAT(${col}, '%Y-%m-%d %H:%i:%s.%f')`;
      // The ISO text (DateStyle is set by digestSessionSql) padded to six fraction digits: the same text as
      // to_char(…, 'YYYY-MM-DD HH24:MI:SS.US') for years 1–9999, at about a fifth less CPU per row.
      const text = hasZone(c.native) ? `(${col} AT TIME ZONE 'UTC')::text` : `${col}::text`;
      return `(${text} || substr('.000000', length(${text}) - 18))`;
    }
    case 'binary':
      return pg ? `encode(${col}, 'hex')` : `LOWER(HEX(${col}))`;
    default:
      throw new Error(`no SQL normal form for ${c.type.kind}`);
  }
}

/** One row's normal form (see the file comment). */
export function rowSql(p: Place, columns: DigestColumn[]): string {
  const fields = columns.map((c) => `COALESCE(${valueSql(p, c)}, '~')`);
  return p.dialect === 'postgresql' ? `concat_ws('|', ${fields.join(', ')})` : `CONCAT_WS('|', ${fields.join(', ')})`;
}

/** ORDER BY of the key in binary order on both sides (text parts compared as bytes). */
function keyOrder(p: Place, t: DigestTable): string {
  return t.key
    .map((k) => {
      const c = t.columns.find((x) => x.name === k);
      const col = quoteIdentifier(p.dialect, k);
      if (!c || !TEXT_KINDS.has(c.type.kind)) return col;
      return p.dialect === 'postgresql' ? `${col}::text COLLATE "C"` : `CAST(${col} AS BINARY)`;
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
  const text = (e: string) => (p.dialect === 'postgresql' ? `${e}::text` : `CAST(${e} AS CHAR)`);
  return `SELECT ${text(`MIN(${k})`)}, ${text(`MAX(${k})`)}, COUNT(*) FROM ${tableRef(p, t.table)}`;
}

/**
 * Digests of the sub-ranges [from + i·width, from + (i+1)·width) inside [from, to): one row per non-empty
 * sub-range: i, row count, md5 of the rows' normal forms in key order. Bounds are integers the engine computed.
 */
export function rangeDigestsSql(p: Place, t: DigestTable, from: bigint, to: bigint, width: bigint): string {
  const k = quoteIdentifier(p.dialect, t.key[0]);
  const row = rowSql(p, t.columns);
  const order = keyOrder(p, t);
  const where = `${k} >= ${int(from)} AND ${k} < ${int(to)}`;
  // The separator is a raw newline inside the literal: no escape syntax (E'', NO_BACKSLASH_ESCAPES) is involved.
  if (p.dialect === 'postgresql') {
    const bucket = `((${k}::bigint - ${int(from)}) / ${int(width)})`;
    return `SELECT ${bucket} AS s, COUNT(*), md5(string_agg(${row}, '\n' ORDER BY ${order})) FROM ${tableRef(p, t.table)} WHERE ${where} GROUP BY 1`;
  }
  const bucket = `((CAST(${k} AS SIGNED) - ${int(from)}) DIV ${int(width)})`;
  return `SELECT ${bucket} AS s, COUNT(*), MD5(GROUP_CONCAT(${row} ORDER BY ${order} SEPARATOR '\n')) FROM ${tableRef(p, t.table)} WHERE ${where} GROUP BY 1`;
}

/**
 * The digest of one range [from, to) without GROUP BY: row count and md5 as in rangeDigestsSql (MariaDB: and
 * whether the text was cut). MariaDB computes a window faster as one of these per sub-range than as one grouped
 * query (no temporary table).
 */
export function rangeDigestSql(p: Place, t: DigestTable, from: bigint, to: bigint): string {
  const k = quoteIdentifier(p.dialect, t.key[0]);
  const row = rowSql(p, t.columns);
  const where = `${k} >= ${int(from)} AND ${k} < ${int(to)}`;
  if (p.dialect === 'postgresql') return `SELECT COUNT(*), md5(string_agg(${row}, '\n' ORDER BY ${keyOrder(p, t)})) FROM ${tableRef(p, t.table)} WHERE ${where}`;
  // GROUP_CONCAT silently stops at max_allowed_packet (a session cannot raise it): the third column says the
  // range's text reached that length, so the digest covers only part of it and the range must be split.
  const agg = `SELECT COUNT(*) AS n, GROUP_CONCAT(${row} ORDER BY ${keyOrder(p, t)} SEPARATOR '\n') AS g FROM ${tableRef(p, t.table)} WHERE ${where}`;
  return `SELECT n, MD5(g), LENGTH(g) >= LEAST(@@group_concat_max_len, @@max_allowed_packet) FROM (${agg}) d`;
}

/** The rows of [from, to) in key order, columns in plan order (for naming the differing rows in the worker). */
export function rangeRowsSql(p: Place, t: DigestTable, from: bigint, to: bigint): string {
  const k = quoteIdentifier(p.dialect, t.key[0]);
  const cols = t.columns.map((c) => quoteIdentifier(p.dialect, c.name)).join(', ');
  return `SELECT ${cols} FROM ${tableRef(p, t.table)} WHERE ${k} >= ${int(from)} AND ${k} < ${int(to)} ORDER BY ${keyOrder(p, t)}`;
}

/** The normal form of every row of [from, to) (tests and diagnostics: what the digest hashes). */
export function rangeNormalFormsSql(p: Place, t: DigestTable, from: bigint, to: bigint): string {
  const k = quoteIdentifier(p.dialect, t.key[0]);
  return `SELECT ${rowSql(p, t.columns)} FROM ${tableRef(p, t.table)} WHERE ${k} >= ${int(from)} AND ${k} < ${int(to)} ORDER BY ${keyOrder(p, t)}`;
}

/** Session settings the digest SQL relies on. */
export function digestSessionSql(p: Place): string[] {
  // A window's rows are sorted by range and key before they are aggregated: in memory, not in temp files.
  if (p.dialect === 'postgresql') return ["SET DateStyle = 'ISO, YMD'", "SET TIME ZONE 'UTC'", "SET work_mem = '64MB'"];
  // One range's concatenated rows must never be cut short (a cut digest would only ever look different).
  return ["SET time_zone = '+00:00'", 'SET SESSION group_concat_max_len = 4294967295'];
}
