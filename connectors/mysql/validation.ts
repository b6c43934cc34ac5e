/** The SQL MariaDB/MySQL runs for the validation tiers, and its pieces of the digest normal form (lib/validation/digest.ts). */
import type { DigestColumn, ValidationSql } from '../dialect';
import type { CanonicalType } from '../../lib/types';
import { nativeForm } from './types';

/** Decimal scale declared by a native type such as DECIMAL(10, 2); undefined when none is given. */
function declaredScale(native: string): number | undefined {
  const m = /\(\s*\d+\s*,\s*(\d+)\s*\)/.exec(native);
  if (m) return Number(m[1]);
  return /\(\s*\d+\s*\)/.test(native) ? 0 : undefined;
}

const text = (expr: string) => `CONCAT(LENGTH(${expr}), ':', ${expr})`;

/**
 * A date, DATETIME or TIMESTAMP column as another dialect can hold it: MariaDB/MySQL keep "zero dates" ('0000-00-00',
 * or a zero month or day: '2020-05-00') where sql_mode allows them, which no other dialect has; they are read as NULL
 * (as pgloader and AWS DMS do), and said at the gate. Validation compares both sides in the same terms (./validation.ts).
 */
export function withoutZeroDates(col: string): string {
  return `IF(MONTH(${col}) = 0 OR DAYOFMONTH(${col}) = 0, NULL, ${col})`;
}


/** A text type (a date or timestamp column a mapping edit gave one). */
const isText = (native: string) => /^((tiny|medium|long)?text|(var)?char)\b/i.test(native.trim());

/** ISO 8601 timestamp text padded to six fraction digits, as the normal form has it; 'infinity' and '-infinity' as they are. */
function isoTimestampText(t: string): string {
  return `CASE WHEN ${t} IN ('infinity', '-infinity') THEN ${t} WHEN LOCATE('.', ${t}) = 0 THEN CONCAT(${t}, '.000000') ELSE RPAD(${t}, LOCATE('.', ${t}) + 6, '0') END`;
}

/** A number as its value: a ZEROFILL column prints its padding in a string context (INT(5) ZEROFILL 42 is '00042'). */
const numeric = (c: DigestColumn, col: string) => (/\bzerofill\b/i.test(c.native) ? `(${col} + 0)` : col);

function value(c: DigestColumn, col: string): string {
  switch (c.type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
      return `CAST(${numeric(c, col)} AS CHAR)`;
    case 'decimal':
      // MariaDB prints exactly the declared scale: trim fraction zeros, then a bare dot, only when there is a fraction.
      return declaredScale(c.native) === 0
        ? `CAST(${numeric(c, col)} AS CHAR)`
        : `TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM CAST(${numeric(c, col)} AS CHAR)))`;
    case 'boolean':
      return `CASE WHEN ${col} IS NULL THEN NULL WHEN ${col} <> 0 THEN '1' ELSE '0' END`;
    case 'char':
      return text(`TRIM(TRAILING ' ' FROM CONVERT(${col} USING utf8mb4))`);
    case 'uuid':
      return `LOWER(CONVERT(${col} USING utf8mb4))`;
    case 'varchar':
    case 'text':
    case 'enum':
      return text(`CONVERT(${col} USING utf8mb4)`);
    case 'date':
      // Kept as text (a mapping edit): its ISO 8601 text, as the copy wrote it (years BC, ±infinity).
      if (isText(c.native)) return `CONVERT(${col} USING utf8mb4)`;
      // Zero dates are NULL, as the copy reads them, unless the target keeps the column as text ('0000-00-00').
      return `DATE_FORMAT(${c.type.keptAsText ? col : withoutZeroDates(col)}, '%Y-%m-%d')`;
    case 'time':
      return `TIME_FORMAT(${col}, '%H:%i:%s.%f')`;
    case 'timestamp':
    case 'timestamptz':
      // Kept as text (a mapping edit): the copy's ISO 8601 text (UTC wall time) with six fraction digits.
      if (isText(c.native)) return isoTimestampText(`CONVERT(${col} USING utf8mb4)`);
      // Sessions run with time_zone +00:00: TIMESTAMP prints in UTC, DATETIME holds UTC wall time already.
      return `DATE_FORMAT(${c.type.keptAsText ? col : withoutZeroDates(col)}, '%Y-%m-%d %H:%i:%s.%f')`;
    case 'binary':
      return `LOWER(HEX(${col}))`;
    // A type only MariaDB/MySQL has (SET, BIT(n), GEOMETRY, INET6, …), compared with another of the same dialect only.
    case 'native':
      switch (nativeForm(c.native)) {
        case 'bits':
          return `CAST(${col} + 0 AS CHAR)`;
        case 'bytes':
          return `LOWER(HEX(${col}))`;
        default:
          return text(`CONVERT(${col} USING utf8mb4)`);
      }
    default:
      throw new Error(`no SQL normal form for ${c.type.kind}`);
  }
}

/**
 * An upper bound of a row's text (SQL) when it has columns that can hold megabytes (TEXT, BLOB, JSON): twice their
 * bytes (hex and escapes at most double them; one CONCAT_WS, not a sum, so a thousand columns stay one shallow
 * expression; NULL when even that passes max_allowed_packet) plus InnoDB's row limit for every other column, doubled,
 * and 48 bytes a column for lengths and separators. Undefined when there is no such column. Shared with the copy's
 * text path (./index.ts readText).
 */
export function longTextBound(columns: { quoted: string; native: string }[]): string | undefined {
  const large = columns.filter((c) => /^(tiny|medium|long)?(text|blob)\b|^json\b/i.test(c.native.trim()));
  if (large.length === 0) return undefined;
  return `(2 * COALESCE(LENGTH(CONCAT_WS('', ${large.map((c) => c.quoted).join(', ')})), @@max_allowed_packet) + ${2 * 65_535 + 48 * columns.length})`;
}

/** A date, DATETIME or TIMESTAMP: a column that may hold zero dates. */
export const isDated = (type: CanonicalType | undefined) => type?.kind === 'date' || type?.kind === 'timestamp' || type?.kind === 'timestamptz';

/** A date column whose zero dates are read as NULL: not one the target keeps as text (CanonicalType.keptAsText). */
const nullsZeroDates = (type: CanonicalType | undefined) => isDated(type) && !type?.keptAsText;

export const validation = {
  text: (expr: string) => `CAST(${expr} AS CHAR)`,
  // A zero date is NULL wherever validation reads a date (as the copy reads it for another dialect): in the statistics
  // and the generated suite's queries as in the digest.
  aggregated: (col: string, type: CanonicalType | undefined) => (nullsZeroDates(type) ? withoutZeroDates(col) : col),
  column: (col: string, type: CanonicalType) => (nullsZeroDates(type) ? withoutZeroDates(col) : col),
  charLength: (expr: string) => `CHAR_LENGTH(${expr})`,
  // MariaDB prints a FLOAT's MIN/MAX with six significant digits: widen to double.
  floatAggregate: (fn: 'MIN' | 'MAX' | 'SUM', col: string) => (fn !== 'SUM' ? `(${fn}(${col}) + 0e0)` : `${fn}(${col})`),
  digest: {
    value,
    row: (fields: string[]) => `CONCAT_WS('|', ${fields.join(', ')})`,
    rowHash: (row: string) => `MD5(${row})`,
    binaryOrder: (col: string) => `CAST(${col} AS BINARY)`,
    integerText: (expr: string) => `CAST(${expr} AS CHAR)`,
    // The separator is a raw newline inside the literal: no escape syntax (NO_BACKSLASH_ESCAPES) is involved.
    rangeDigests: (q, from, width) =>
      `SELECT ((CAST(${q.key} AS SIGNED) - ${from}) DIV ${width}) AS s, COUNT(*), MD5(GROUP_CONCAT(${q.row} ORDER BY ${q.order} SEPARATOR '\n')) FROM ${q.table} WHERE ${q.where} GROUP BY 1`,
    // GROUP_CONCAT silently stops at max_allowed_packet (a session cannot raise it): the third column says the
    // range's text reached that length, so the digest covers only part of it and the range must be split. A single
    // row's normal form past that length comes out NULL (a 10 MB BLOB's hex): the third column says so too, and
    // such a row is compared in the worker (lib/validation/ranges.ts).
    rowBytes: longTextBound,
    rangeDigest: (q) =>
      `SELECT n, MD5(g), LENGTH(g) >= LEAST(@@group_concat_max_len, @@max_allowed_packet) OR widest >= @@max_allowed_packet FROM (SELECT COUNT(*) AS n, GROUP_CONCAT(${q.row} ORDER BY ${q.order} SEPARATOR '\n') AS g, ${q.rowBytes ? `MAX(${q.rowBytes})` : '0'} AS widest FROM ${q.table} WHERE ${q.where}) d`,
    // One range's concatenated rows must never be cut short (a cut digest would only ever look different).
    session: ["SET time_zone = '+00:00'", 'SET SESSION group_concat_max_len = 4294967295'],
    // A window is faster as one rangeDigest per sub-range than as one grouped query (no temporary table).
    windowBySubRange: true,
  },
} satisfies ValidationSql;
