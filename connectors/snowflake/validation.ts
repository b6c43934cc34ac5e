/**
 * The SQL Snowflake runs for the validation tiers: statistics, the generated suite, and the semantic tier's in-database
 * range digests.
 *
 * NEVER RUN AGAINST A LIVE SNOWFLAKE ACCOUNT. The digest below is written from Snowflake's documentation and checked
 * only by unit tests of its SQL text and of a JavaScript model of what each piece returns
 * (test/unit/snowflake-digest.test.ts, test/helpers/snowflake-sql-model.ts). It is OFF unless
 * SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST=on: until a live account has shown the same bytes as PostgreSQL and MariaDB,
 * Snowflake tables are hashed in the worker, from rows read out (the path checked end to end).
 * test/integration/snowflake-live.test.ts compares it with PostgreSQL's digest of the same rows when
 * SENSEI_TEST_SNOWFLAKE_URL names an account.
 *
 * Not HASH_AGG: that is Snowflake's own 64-bit hash, equal only to another Snowflake's. The digest is the
 * cross-dialect one (lib/validation/digest.ts documents the form): md5 over a range's rows in key order, joined by
 * newlines: MD5(LISTAGG(row, CHR(10)) WITHIN GROUP (ORDER BY key)). A LISTAGG result is one VARCHAR, at most 16 MiB,
 * and passing it fails the query rather than cutting it short, so a pair with Snowflake aggregates each row's md5
 * (rowHashes: MD5(row), 32 hex digits) in place of its text, on both sides alike: 33 bytes a row, about 500,000 rows
 * a range, far above the engine's segments. A row whose text could pass 16 MiB (wide texts, large binaries) is
 * measured first (rowBytes) and not rendered past it (NULL), which marks the range cut: it is split, and such a row
 * is compared in the worker.
 * Each piece of the form, by the native type that holds the value (value() below):
 * - integers: TO_VARCHAR of a NUMBER(p,0);
 * - decimals: TO_VARCHAR of a NUMBER(p,s) prints its s fraction digits (1.50): trailing zeros and a bare point are
 *   trimmed (RTRIM), and a leading zero put back should the text start with a point;
 * - booleans: BOOLEAN, '1' or '0';
 * - text (VARCHAR; char, varchar, text, enum): OCTET_LENGTH (UTF-8 bytes: Snowflake text is UTF-8), ':', the text.
 *   A char's trailing spaces trimmed first (Snowflake pads none, the copy may have written them); uuid lower case;
 * - date: TO_VARCHAR(d, 'YYYY-MM-DD'); time: 'HH24:MI:SS.FF6'; TIMESTAMP_NTZ 'YYYY-MM-DD HH24:MI:SS.FF6';
 *   TIMESTAMP_TZ and _LTZ the same after CONVERT_TIMEZONE('UTC', …). FF6 is the mask the copy reads with, so a
 *   TIMESTAMP(9) prints as it was copied. Snowflake holds no year before 1 AD the copy would write;
 * - binary: LOWER(TO_VARCHAR(b, 'HEX'));
 * - NULL: '~' (COALESCE: Snowflake keeps '' apart from NULL).
 * What it refuses (the table is then hashed in the worker): FLOAT (floats have no SQL normal form anywhere), VARIANT,
 * OBJECT, ARRAY, GEOGRAPHY, GEOMETRY, and any native type that does not hold the canonical kind the way the copy
 * writes it (a date kept as VARCHAR, a decimal in a FLOAT, …).
 * Text key parts are ordered by TO_BINARY(…, 'UTF-8'): their UTF-8 bytes, i.e. code points, as PostgreSQL's
 * COLLATE "C" and MariaDB's BINARY order them, whatever collation the column has.
 */
import type { CanonicalType } from '../../lib/types';
import { digestSwitch, type DigestColumn, type DigestSql, type RangeQuery, type ValidationSql } from '../dialect';
import { MAX_VARCHAR } from './types';

/** The most bytes one VARCHAR holds (a row's text, LISTAGG's result). */
export const DIGEST_TEXT_BYTES = MAX_VARCHAR;

/** How a Snowflake native type holds values, for the digest's SQL. */
export type SnowflakeFamily = 'integer' | 'number' | 'text' | 'binary' | 'boolean' | 'date' | 'time' | 'ntz' | 'tz' | 'ltz' | 'other';

export function snowflakeFamily(native: string): SnowflakeFamily {
  const t = native.trim().toUpperCase().replace(/\s+/g, ' ');
  const number = /^(NUMBER|DECIMAL|NUMERIC)\s*(?:\(\s*\d+\s*(?:,\s*(\d+)\s*)?\))?$/.exec(t);
  if (number) return Number(number[2] ?? 0) === 0 ? 'integer' : 'number';
  if (/^(INT|INTEGER|BIGINT|SMALLINT|TINYINT|BYTEINT)$/.test(t)) return 'integer';
  if (/^(VARCHAR|TEXT|STRING|CHAR|CHARACTER|NCHAR|NVARCHAR|NVARCHAR2|CHAR VARYING|NCHAR VARYING)\b/.test(t)) return 'text';
  if (/^(BINARY|VARBINARY)\b/.test(t)) return 'binary';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'DATE') return 'date';
  if (/^TIME(\(\d\))?$/.test(t)) return 'time';
  if (/^(TIMESTAMP_NTZ|DATETIME|TIMESTAMP)(\(\d\))?$/.test(t)) return 'ntz';
  if (/^TIMESTAMP_TZ(\(\d\))?$/.test(t)) return 'tz';
  if (/^TIMESTAMP_LTZ(\(\d\))?$/.test(t)) return 'ltz';
  return 'other';
}

/** Which native families each canonical kind may be digested from: how the copy writes it, or a Snowflake source holds it. */
const FAMILIES_OF: Readonly<Record<string, readonly SnowflakeFamily[]>> = {
  int16: ['integer'],
  int32: ['integer'],
  int64: ['integer'],
  decimal: ['integer', 'number'],
  boolean: ['boolean'],
  char: ['text'],
  varchar: ['text'],
  text: ['text'],
  enum: ['text'],
  uuid: ['text'],
  time: ['time'],
  date: ['date'],
  timestamp: ['ntz'],
  timestamptz: ['tz', 'ltz'],
  binary: ['binary'],
};

/** Why Snowflake's digest SQL does not spell this column (see the file comment), or null. */
export function digestRefusal(c: DigestColumn): string | null {
  const family = snowflakeFamily(c.native);
  const native = c.native.trim().toUpperCase();
  if (family === 'other') return `Snowflake ${native} has no normal form in SQL here`;
  if (c.type.keptAsText || !(FAMILIES_OF[c.type.kind] ?? []).includes(family)) return `a ${c.type.kind} held as Snowflake ${native} has no normal form in SQL here`;
  return null;
}

/** UTF-8 byte length, a colon, the text. */
const lengthText = (t: string) => `TO_VARCHAR(OCTET_LENGTH(${t})) || ':' || ${t}`;

/** TO_VARCHAR of a NUMBER with a scale, without trailing fraction zeros or a bare point, with a leading zero. */
function decimalText(col: string): string {
  const printed = `TO_VARCHAR(${col})`;
  const trimmed = `CASE WHEN CONTAINS(${printed}, '.') THEN RTRIM(RTRIM(${printed}, '0'), '.') ELSE ${printed} END`;
  // Nothing left of '.00' (a zero printed without its leading zero) is 0.
  return `CASE WHEN ${trimmed} = '' THEN '0' WHEN STARTSWITH(${trimmed}, '.') THEN '0' || ${trimmed} WHEN STARTSWITH(${trimmed}, '-.') THEN '-0' || SUBSTR(${trimmed}, 2) ELSE ${trimmed} END`;
}

const TIMESTAMP_MASK = "'YYYY-MM-DD HH24:MI:SS.FF6'";

/** The normal form of one value (NULL stays NULL: the row's COALESCE makes it ~). */
export function digestValue(c: DigestColumn, col: string): string {
  const refusal = digestRefusal(c);
  if (refusal) throw new Error(`no SQL normal form for ${c.name}: ${refusal}`);
  const family = snowflakeFamily(c.native);
  switch (c.type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
      return `TO_VARCHAR(${col})`;
    case 'decimal':
      return family === 'integer' ? `TO_VARCHAR(${col})` : decimalText(col);
    case 'boolean':
      // NULL stays NULL (the row's COALESCE makes it ~), never '0'.
      return `CASE WHEN ${col} IS NULL THEN NULL WHEN ${col} THEN '1' ELSE '0' END`;
    case 'char':
      return lengthText(`RTRIM(${col}, ' ')`);
    case 'varchar':
    case 'text':
    case 'enum':
      return lengthText(col);
    case 'uuid':
      return `LOWER(${col})`;
    case 'time':
      return `TO_VARCHAR(${col}, 'HH24:MI:SS.FF6')`;
    case 'date':
      return `TO_VARCHAR(${col}, 'YYYY-MM-DD')`;
    case 'timestamp':
      return `TO_VARCHAR(${col}, ${TIMESTAMP_MASK})`;
    case 'timestamptz':
      return `TO_VARCHAR(CONVERT_TIMEZONE('UTC', ${col}), ${TIMESTAMP_MASK})`;
    case 'binary':
      return `LOWER(TO_VARCHAR(${col}, 'HEX'))`;
    default:
      throw new Error(`no SQL normal form for ${c.type.kind}`);
  }
}

/** One column's share of a row's bytes: fixed, declared (a bound from the type), measured (SQL). */
interface ColumnBytes {
  fixed: number;
  declared?: number;
  measured?: string;
}

function columnBytes(c: { quoted: string; native: string }): ColumnBytes {
  const family = snowflakeFamily(c.native);
  const length = /\(\s*(\d+)\s*\)/.exec(c.native);
  const declared = length ? Number(length[1]) : undefined;
  // The separator, and for text "16777216:".
  if (family === 'text') return { fixed: 1 + 9, declared: declared === undefined ? undefined : 4 * declared, measured: `NVL(OCTET_LENGTH(${c.quoted}), 0)` };
  if (family === 'binary') return { fixed: 1, declared: declared === undefined ? undefined : 2 * declared, measured: `NVL(2 * OCTET_LENGTH(${c.quoted}), 0)` };
  // Numbers (38 digits, a sign and a point), booleans, dates, times, timestamps.
  return { fixed: 1 + 41 };
}

/**
 * An upper bound (SQL) of one row's text in bytes, or undefined when the declared types keep every row within
 * DIGEST_TEXT_BYTES. Declared lengths where they fit together; text without one (VARCHAR: 16 MiB) measured, and
 * every text and binary measured once the declared lengths alone pass the limit.
 */
export function digestRowBytes(columns: { quoted: string; native: string; type?: CanonicalType }[]): string | undefined {
  const parts = columns.map(columnBytes);
  const fixed = parts.reduce((n, p) => n + p.fixed, 0);
  const declared = fixed + parts.reduce((n, p) => n + (p.declared ?? 0), 0);
  const everyDeclared = parts.every((p) => p.measured === undefined || p.declared !== undefined);
  if (everyDeclared && declared <= DIGEST_TEXT_BYTES) return undefined;
  const useDeclared = declared <= DIGEST_TEXT_BYTES;
  const terms = parts.flatMap((p) => (p.measured === undefined || (useDeclared && p.declared !== undefined) ? [] : [p.measured]));
  return `(${[String(useDeclared ? declared : fixed), ...terms].join(' + ')})`;
}

/** The row text as a derived table's column, with the key columns the ORDER BY names (a name no table column has). */
const ROW = '"~row"';

/** The range's rows: each row's text (its md5 in a pair with Snowflake), NULL where its bound passes the limit. */
function rowsOf(q: RangeQuery): string {
  const row = q.rowBytes ? `CASE WHEN ${q.rowBytes} <= ${DIGEST_TEXT_BYTES} THEN ${q.row} END` : q.row;
  return `(SELECT ${[...q.keys, `${row} AS ${ROW}`].join(', ')} FROM ${q.table} WHERE ${q.where})`;
}

/** count, md5, cut: no md5 and cut where a row was not rendered. */
function aggregates(q: RangeQuery): string {
  const listagg = `LISTAGG(${ROW}, CHR(10)) WITHIN GROUP (ORDER BY ${q.order})`;
  return `COUNT(*), CASE WHEN COUNT(${ROW}) = COUNT(*) THEN MD5(${listagg}) END, CASE WHEN COUNT(${ROW}) < COUNT(*) THEN 1 ELSE 0 END`;
}

/** Why the in-database digest on Snowflake is off, or null: off unless asked for (the switch that turns it on). */
export const digestAccountRefusal = digestSwitch(
  'SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST',
  'the in-database digest on Snowflake is off (never checked against a live account; SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST=on turns it on)',
);

export const digest = {
  value: digestValue,
  refusal: digestRefusal,
  row: (fields: string[]) => fields.join(" || '|' || "),
  rowHash: (row: string) => `MD5(${row})`,
  // LISTAGG's VARCHAR fails past 16 MiB: a pair with Snowflake joins the rows' md5s (33 bytes a row).
  rowHashes: true,
  binaryOrder: (col: string) => `TO_BINARY(${col}, 'UTF-8')`,
  integerText: (expr: string) => `TO_VARCHAR(${expr})`,
  rowBytes: digestRowBytes,
  // The sub-range's index by exact integer arithmetic: a NUMBER division keeps six fraction digits, rounded, so
  // FLOOR((k - from) / width) could put the last key of a sub-range into the next.
  rangeDigests: (q, from, width) => {
    const offset = `(${q.key} - ${from})`;
    return `SELECT ((${offset} - MOD(${offset}, ${width})) / ${width})::NUMBER(38,0) AS s, ${aggregates(q)} FROM ${rowsOf(q)} GROUP BY 1`;
  },
  rangeDigest: (q) => `SELECT ${aggregates(q)} FROM ${rowsOf(q)}`,
  // The copy's sessions set these too (./sql.ts SESSION_SETTINGS); the masks above name every format they print.
  session: ["ALTER SESSION SET TIMEZONE = 'UTC'"],
  windowBySubRange: false,
  // Snowflake text is always UTF-8: no encoding check, only the switch.
  off: digestAccountRefusal,
} satisfies DigestSql;

export const validation = {
  // Sessions set the output formats (./sql.ts SESSION_SETTINGS): the text is the canonical one.
  text: (expr: string) => `TO_VARCHAR(${expr})`,
  charLength: (expr: string) => `LENGTH(${expr})`,
  floatAggregate: (fn: 'MIN' | 'MAX' | 'SUM', col: string) => `${fn}(${col})`,
  digest,
} satisfies ValidationSql;
