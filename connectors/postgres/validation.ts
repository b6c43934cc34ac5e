/** The SQL PostgreSQL runs for the validation tiers, and its pieces of the digest normal form (lib/validation/digest.ts). */
import type { DigestColumn, ValidationSql } from '../dialect';

const hasZone = (native: string) => /with time zone|timestamptz/i.test(native);
const isPgBoolean = (native: string) => /^bool/i.test(native.trim());
const text = (expr: string) => `(octet_length(${expr}) || ':' || ${expr})`;

/**
 * A date or timestamp (`wall`: without a zone) outside the years 1–9999 in the normal form, ISO 8601 as the canonical
 * text (lib/values.ts) has it: 'infinity' and '-infinity' as they are, a year before 1 in astronomical numbering
 * (44 BC is -0043, 1 BC is 0000), a year past 9999 with all its digits. NULL stays NULL.
 */
function outOfEra(wall: string, type: 'DATE' | 'TIMESTAMP', rest: string): string {
  const year = `to_char(${wall}, 'YYYY')`;
  return (
    `CASE WHEN NOT isfinite(${wall}) THEN ${wall}::text ` +
    `WHEN ${wall} >= ${type} '0001-01-01' THEN ${year} || to_char(${wall}, '${rest}') ` +
    `WHEN ${year} = '0001' THEN '0000' || to_char(${wall}, '${rest}') ` +
    `ELSE '-' || lpad((${year}::int - 1)::text, 4, '0') || to_char(${wall}, '${rest}') END`
  );
}

/** A text type (a date or timestamp column a mapping edit gave one). */
const isText = (native: string) => /^(text|character|varchar|char|citext)\b/i.test(native.trim());

/** ISO 8601 timestamp text padded to six fraction digits, as the normal form has it; 'infinity' and '-infinity' as they are. */
function isoTimestampText(t: string): string {
  return `CASE WHEN ${t} IN ('infinity', '-infinity') THEN ${t} WHEN strpos(${t}, '.') = 0 THEN ${t} || '.000000' ELSE rpad(${t}, strpos(${t}, '.') + 6, '0') END`;
}

function value(c: DigestColumn, col: string): string {
  switch (c.type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
      return `${col}::text`;
    case 'decimal':
      return `trim_scale(${col})::text`;
    case 'boolean':
      if (isPgBoolean(c.native)) return `${col}::int::text`;
      return `CASE WHEN ${col} IS NULL THEN NULL WHEN ${col} <> 0 THEN '1' ELSE '0' END`;
    case 'char':
      return text(`rtrim(${col}::text, ' ')`);
    case 'uuid':
      return `lower(${col}::text)`;
    case 'varchar':
    case 'text':
    case 'enum':
    // A type only PostgreSQL has: its own text, compared with another PostgreSQL's (see inDatabaseRefusal).
    case 'native':
      return text(`${col}::text`);
    case 'date':
      // Kept as text (a mapping edit): the ISO 8601 text the copy wrote (a MariaDB zero date as '0000-00-00').
      if (isText(c.native)) return `${col}::text`;
      // Years 1 and later as to_char writes them (five digits past 9999); before year 1, and ±infinity, see outOfEra.
      return `CASE WHEN ${col} >= DATE '0001-01-01' AND ${col} < DATE 'infinity' THEN to_char(${col}, 'YYYY-MM-DD') ELSE ${outOfEra(col, 'DATE', '-MM-DD')} END`;
    case 'time':
      return `to_char(${col}, 'HH24:MI:SS.US')`;
    case 'timestamp':
    case 'timestamptz': {
      // Kept as text (a mapping edit): the copy's ISO 8601 text, UTC without its Z, six fraction digits.
      if (isText(c.native)) return isoTimestampText(`regexp_replace(${col}::text, 'Z$', '')`);
      // The ISO text (DateStyle is set by the session) padded to six fraction digits: the same text as
      // to_char(…, 'YYYY-MM-DD HH24:MI:SS.US') for years 1–9999, at about a fifth less CPU per row.
      const wall = hasZone(c.native) ? `(${col} AT TIME ZONE 'UTC')` : col;
      const iso = `${wall}::text`;
      // Years 1 to 9999 only: the text of other years is longer (five digits) or has an era (BC), see outOfEra.
      return (
        `CASE WHEN ${wall} >= TIMESTAMP '0001-01-01' AND ${wall} < TIMESTAMP '10000-01-01' THEN (${iso} || substr('.000000', length(${iso}) - 18)) ` +
        `ELSE ${outOfEra(wall, 'TIMESTAMP', '-MM-DD HH24:MI:SS.US')} END`
      );
    }
    case 'binary':
      return `encode(${col}, 'hex')`;
    default:
      throw new Error(`no SQL normal form for ${c.type.kind}`);
  }
}

/**
 * concat_ws('|', …) of the fields. A PostgreSQL function takes at most 100 arguments and a table up to 1,600 columns,
 * so wide rows nest: every field is COALESCEd (never NULL), so concat_ws of concat_ws of groups is the same text.
 */
function joinedFields(fields: string[]): string {
  if (fields.length <= 99) return `concat_ws('|', ${fields.join(', ')})`;
  const groups: string[] = [];
  for (let i = 0; i < fields.length; i += 99) groups.push(joinedFields(fields.slice(i, i + 99)));
  return joinedFields(groups);
}

export const validation = {
  text: (expr: string) => `(${expr})::text`,
  ownRows: (ref: string) => `ONLY ${ref}`,
  charLength: (expr: string) => `CHAR_LENGTH(${expr})`,
  // real sums accumulate in single precision: widen before aggregating.
  floatAggregate: (fn: 'MIN' | 'MAX' | 'SUM', col: string) => (fn === 'SUM' ? `SUM(${col}::float8)` : `(${fn}(${col}))::float8`),
  digest: {
    value,
    row: (fields: string[]) => joinedFields(fields),
    rowHash: (row: string) => `md5(${row})`,
    binaryOrder: (col: string) => `${col}::text COLLATE "C"`,
    integerText: (expr: string) => `${expr}::text`,
    // The separator is a raw newline inside the literal: no escape syntax (E'') is involved.
    rangeDigests: (q, from, width) =>
      `SELECT ((${q.key}::bigint - ${from}) / ${width}) AS s, COUNT(*), md5(string_agg(${q.row}, '\n' ORDER BY ${q.order})) FROM ${q.table} WHERE ${q.where} GROUP BY 1`,
    rangeDigest: (q) => `SELECT COUNT(*), md5(string_agg(${q.row}, '\n' ORDER BY ${q.order})) FROM ${q.table} WHERE ${q.where}`,
    // A window's rows are sorted by range and key before they are aggregated: in memory, not in temp files.
    session: ["SET DateStyle = 'ISO, YMD'", "SET TIME ZONE 'UTC'", "SET work_mem = '64MB'"],
    windowBySubRange: false,
    // md5 hashes the database's bytes: only UTF-8 matches MariaDB's utf8mb4 (and another UTF-8 PostgreSQL).
    encodingCheck: {
      sql: 'SHOW server_encoding',
      refusal: (row: Record<string, unknown>) => {
        const encoding = String(row.server_encoding);
        return encoding.toUpperCase() !== 'UTF8' ? `the PostgreSQL server encoding is ${encoding}, not UTF8` : null;
      },
    },
  },
} satisfies ValidationSql;
