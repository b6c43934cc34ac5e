/**
 * The SQL Oracle runs for the validation tiers: statistics, the generated suite, and the semantic tier's in-database
 * range digests. Dates and timestamps are printed for the statistics and the suite with SYYYY masks (./years.ts
 * temporalText), never through the session's NLS formats or the driver's Dates (Thin mode builds a JavaScript Date:
 * milliseconds, and years 0–99 taken as 1900–1999), and their years turned into ISO 8601 years as they come back
 * (fromPrinted), so 44 BC is -0043 as in the canonical text, never 0044 (44 AD).
 *
 * NEVER RUN AGAINST A LIVE ORACLE SERVER. The digest below is written from Oracle's documentation and checked only by
 * unit tests of its SQL text and of a JavaScript model of what each piece returns (test/unit/oracle-digest.test.ts);
 * test/integration/oracle-live.test.ts compares it with PostgreSQL's digest of the same rows when
 * SENSEI_TEST_ORACLE_URL names a server. It is OFF unless SENSEI_ORACLE_IN_DATABASE_DIGEST=on: until a live server has
 * shown the same bytes, Oracle tables are hashed in the worker, from rows read out (the path checked end to end).
 *
 * The digest (lib/validation/digest.ts documents the form) is md5 over a range's row texts joined by newlines in key
 * order, the same bytes as PostgreSQL's md5(string_agg(…)) and MariaDB's MD5(GROUP_CONCAT(…)):
 * STANDARD_HASH(LISTAGG(row, CHR(10)) WITHIN GROUP (ORDER BY key), 'MD5'). LISTAGG returns a VARCHAR2 of at most 4,000
 * bytes (32,767 under MAX_STRING_SIZE = EXTENDED; 4,000 is assumed), so a pair with Oracle (rowHashes) aggregates each
 * row's md5 in hex (rowHash; PostgreSQL md5(row), MariaDB MD5(row)) in place of its text, on both sides: 33 bytes a
 * row, about 120 rows a digest, whatever the rows' width. Then:
 * - a range whose rows' texts add up to more than 4,000 bytes is said to be cut (the column after the md5, as
 *   MariaDB's GROUP_CONCAT limit is): lib/validation/ranges.ts splits it until it fits, or holds at most 256 rows (or
 *   one key), which are then compared in the worker.
 *   LISTAGG … ON OVERFLOW TRUNCATE (12.2 and later) keeps such a range from failing; its digest is not used;
 * - a row whose text could pass 4,000 bytes (long text, a LOB, a RAW's hex) is not rendered at all (a concatenation
 *   past 4,000 bytes fails, ORA-01489): an upper bound of its bytes is computed first (rowBytes) and the row is
 *   NULL past it, which also marks the range cut. A CLOB longer than 1,333 characters or a BLOB over 2,000 bytes is
 *   therefore always compared in the worker. A 10,000-row segment becomes ranges of about 40 rows (16 × 16): some
 *   17 grouped queries a segment where PostgreSQL needs one, still no row read out while ranges are equal.
 * Each piece of the form, by the native type that holds the value (value() below):
 * - integers: TO_CHAR(n); decimals: TO_CHAR(n), which prints no trailing fraction zeros (NUMBER keeps none) but no
 *   leading zero either (.5): the zero is put back. A decimal whose TO_CHAR would be scientific (more than 64
 *   characters: only NUMBER without precision, FLOAT or an extreme scale can hold one) makes its row too long
 *   (compared in the worker), never a wrong text;
 * - booleans stored as NUMBER(1): '1' when not 0;
 * - text (VARCHAR2, CHAR, NVARCHAR2, NCHAR, CLOB, NCLOB, an INTERVAL's text): LENGTHB, ':', the text, in the database
 *   character set, which must be AL32UTF8 (encodingCheck: then LENGTHB counts UTF-8 bytes and STANDARD_HASH hashes
 *   UTF-8). National text is TO_CHAR'd into it first (a concatenation with NVARCHAR2 would be NVARCHAR2, UTF-16).
 *   CHAR without trailing spaces; an all-blank CHAR is '' (Oracle's RTRIM gives NULL: NVL makes its length 0);
 * - uuid (VARCHAR2(36) text): lower case; time (VARCHAR2 text HH:MI:SS[.f], as the copy writes it): six fraction
 *   digits;
 * - date: TO_CHAR(d, 'YYYY-MM-DD'); timestamps: TO_CHAR(…, 'YYYY-MM-DD HH24:MI:SS.FF6') (a DATE: '.000000'), zoned
 *   ones through SYS_EXTRACT_UTC. FF6 is the mask the copy reads with, so a TIMESTAMP(9) prints as it was copied.
 *   A year BC prints as PostgreSQL's digest prints it, in ISO 8601 (44 BC is -0043: see bcYear);
 * - binary: LOWER(RAWTOHEX(…)) of a RAW or of a BLOB's bytes;
 * - NULL: '~', tested on the column (field), so an empty BLOB or CLOB (a LOB of length 0, not NULL) still renders as
 *   '' and '0:' as PostgreSQL's empty bytea and text do.
 * What it refuses (the table is then hashed in the worker; refusal below): BINARY_FLOAT/BINARY_DOUBLE (floats have no
 * SQL normal form anywhere), LONG and LONG RAW (no function takes them), JSON, BOOLEAN (23ai: not checked), ROWID, and
 * any native type that does not hold the canonical kind the way the copy writes it (a decimal in a VARCHAR2, …).
 * Text key parts are ordered by TO_CHAR(…) under NLS_SORT = BINARY: AL32UTF8 bytes, i.e. code points, as PostgreSQL's
 * COLLATE "C" and MariaDB's BINARY order them.
 * Known differences that would make a range hash differently although its rows compare equal in the worker (reported
 * as range_digest_differs): a time text not in the copy's canonical spelling, a CHAR key part ending in characters
 * below the space. None is known for values the copy wrote.
 */
import type { CanonicalType } from '../../lib/types';
import { digestSwitch, type DigestColumn, type DigestSql, type RangeQuery, type ValidationSql } from '../dialect';
import { readExpressionOf, readsYears } from './read';
import { fromOracleYear, isOracleTemporal, temporalText } from './years';

/** The most bytes LISTAGG and a concatenation return under MAX_STRING_SIZE = STANDARD (the default). */
export const DIGEST_TEXT_BYTES = 4000;

/** How an Oracle native type holds values, for the digest's SQL. */
export type OracleFamily =
  | 'number'
  | 'text'
  | 'ntext'
  | 'clob'
  | 'nclob'
  | 'interval'
  | 'raw'
  | 'blob'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'timestampltz'
  | 'other';

export function oracleFamily(native: string): OracleFamily {
  const t = native.trim().toUpperCase().replace(/\s+/g, ' ');
  if (/^(NUMBER|FLOAT|INTEGER|INT|SMALLINT|DECIMAL|NUMERIC|DEC)\b/.test(t)) return 'number';
  if (/^(VARCHAR2|VARCHAR|CHAR|CHARACTER)\b/.test(t) && !/^CHAR(ACTER)? VARYING|^CHAR LARGE/.test(t)) return 'text';
  if (/^(NVARCHAR2|NCHAR)\b/.test(t)) return 'ntext';
  if (t === 'CLOB') return 'clob';
  if (t === 'NCLOB') return 'nclob';
  if (/^INTERVAL (YEAR|DAY)\b/.test(t)) return 'interval';
  if (/^RAW\b/.test(t)) return 'raw';
  if (t === 'BLOB') return 'blob';
  if (t === 'DATE') return 'date';
  if (/^TIMESTAMP(\(\d\))?$/.test(t)) return 'timestamp';
  if (/^TIMESTAMP(\(\d\))? WITH TIME ZONE$/.test(t)) return 'timestamptz';
  if (/^TIMESTAMP(\(\d\))? WITH LOCAL TIME ZONE$/.test(t)) return 'timestampltz';
  return 'other';
}

const TEXT_FAMILIES: readonly OracleFamily[] = ['text', 'ntext', 'clob', 'nclob'];
const TEMPORAL_FAMILIES: readonly OracleFamily[] = ['date', 'timestamp', 'timestamptz', 'timestampltz'];

/** Which native families each canonical kind may be digested from: how the copy writes it, or an Oracle source holds it. */
const FAMILIES_OF: Readonly<Record<string, readonly OracleFamily[]>> = {
  int16: ['number'],
  int32: ['number'],
  int64: ['number'],
  decimal: ['number'],
  boolean: ['number'],
  char: TEXT_FAMILIES,
  // An Oracle INTERVAL is read as its text (types.ts): a varchar.
  varchar: [...TEXT_FAMILIES, 'interval'],
  text: TEXT_FAMILIES,
  enum: TEXT_FAMILIES,
  uuid: ['text', 'ntext'],
  time: ['text', 'ntext'],
  date: ['date', 'timestamp'],
  timestamp: TEMPORAL_FAMILIES,
  timestamptz: TEMPORAL_FAMILIES,
  binary: ['raw', 'blob'],
};

/** Why Oracle's digest SQL does not spell this column (see the file comment), or null. */
export function digestRefusal(c: DigestColumn): string | null {
  const family = oracleFamily(c.native);
  const native = c.native.trim().toUpperCase();
  if (family === 'other') return `Oracle ${native} has no normal form in SQL here`;
  if (!(FAMILIES_OF[c.type.kind] ?? []).includes(family)) return `a ${c.type.kind} held as Oracle ${native} has no normal form in SQL here`;
  return null;
}

/** Text of a text family, in the database character set (national text converted), as VARCHAR2. */
function asText(family: OracleFamily, col: string): string {
  switch (family) {
    case 'ntext':
    case 'interval':
      return `TO_CHAR(${col})`;
    case 'clob':
      // At most 4,000 characters: rowBytes keeps longer CLOBs from being rendered at all.
      return `DBMS_LOB.SUBSTR(${col}, ${DIGEST_TEXT_BYTES}, 1)`;
    case 'nclob':
      return `TO_CHAR(DBMS_LOB.SUBSTR(${col}, ${DIGEST_TEXT_BYTES}, 1))`;
    default:
      return col;
  }
}

/** UTF-8 byte length, a colon, the text (an empty text, NULL in Oracle, is "0:"). */
const lengthText = (t: string) => `TO_CHAR(NVL(LENGTHB(${t}), 0)) || ':' || ${t}`;

const TIMESTAMP_FORM = 'YYYY-MM-DD HH24:MI:SS';

/**
 * The year of a date or timestamp before 1 AD in ISO 8601, as PostgreSQL's digest prints it (44 BC is -0043, 1 BC is
 * 0000): YYYY prints the year without its sign (Oracle's -44 as 0044).
 */
function bcYear(ts: string): string {
  return `CASE WHEN TO_CHAR(${ts}, 'YYYY') = '0001' THEN '0000' ELSE '-' || LPAD(TO_CHAR(TO_NUMBER(TO_CHAR(${ts}, 'YYYY')) - 1), 4, '0') END`;
}

/** A timestamp of a year BC as PostgreSQL's digest prints it: '-0043-03-15 01:02:03.500000'. `ts` is in UTC. */
function bcTimestamp(ts: string, fraction: boolean): string {
  return `${bcYear(ts)} || TO_CHAR(${ts}, '-MM-DD HH24:MI:SS') || ${fraction ? `'.' || TO_CHAR(${ts}, 'FF6')` : `'.000000'`}`;
}

/** A timestamp (UTC) with six fraction digits, a year BC as PostgreSQL prints it. */
function timestampText(ts: string, fraction: boolean): string {
  const ad = fraction ? `TO_CHAR(${ts}, '${TIMESTAMP_FORM}.FF6')` : `TO_CHAR(${ts}, '${TIMESTAMP_FORM}') || '.000000'`;
  return `CASE WHEN ${ts} < DATE '0001-01-01' THEN ${bcTimestamp(ts, fraction)} ELSE ${ad} END`;
}

/** The normal form of one value (NULL handled by field): see the file comment. */
export function digestValue(c: DigestColumn, col: string): string {
  const refusal = digestRefusal(c);
  if (refusal) throw new Error(`no SQL normal form for ${c.name}: ${refusal}`);
  const family = oracleFamily(c.native);
  switch (c.type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
      return `TO_CHAR(${col})`;
    case 'decimal':
      // TO_CHAR(0.5) is '.5' and TO_CHAR(-0.5) '-.5': put the zero back.
      return `CASE WHEN ${col} > -1 AND ${col} < 1 AND ${col} <> 0 THEN REPLACE(TO_CHAR(${col}), '.', '0.') ELSE TO_CHAR(${col}) END`;
    case 'boolean':
      return `CASE WHEN ${col} <> 0 THEN '1' ELSE '0' END`;
    case 'char': {
      const trimmed = `RTRIM(${asText(family, col)}, ' ')`;
      return lengthText(trimmed);
    }
    case 'varchar':
    case 'text':
    case 'enum':
      return lengthText(asText(family, col));
    case 'uuid':
      return `LOWER(${asText(family, col)})`;
    case 'time': {
      const t = asText(family, col);
      return `CASE WHEN INSTR(${t}, '.') = 0 THEN ${t} || '.000000' ELSE RPAD(${t}, INSTR(${t}, '.') + 6, '0') END`;
    }
    case 'date':
      return `CASE WHEN ${col} < DATE '0001-01-01' THEN ${bcYear(col)} || TO_CHAR(${col}, '-MM-DD') ELSE TO_CHAR(${col}, 'YYYY-MM-DD') END`;
    case 'timestamp':
    case 'timestamptz':
      if (family === 'date') return timestampText(col, false);
      if (family === 'timestamp') return timestampText(col, true);
      if (family === 'timestamptz') return timestampText(`SYS_EXTRACT_UTC(${col})`, true);
      return timestampText(`SYS_EXTRACT_UTC(CAST(${col} AS TIMESTAMP WITH TIME ZONE))`, true);
    case 'binary':
      return family === 'blob' ? `LOWER(RAWTOHEX(DBMS_LOB.SUBSTR(${col}, ${DIGEST_TEXT_BYTES / 2}, 1)))` : `LOWER(RAWTOHEX(${col}))`;
    default:
      throw new Error(`no SQL normal form for ${c.type.kind}`);
  }
}

/** The declared length of a VARCHAR2/CHAR/NVARCHAR2/NCHAR/RAW in bytes of its normal form, when it is declared. */
function declaredBytes(family: OracleFamily, native: string): number | undefined {
  const m = /\(\s*(\d+)\s*(BYTE|CHAR)?\s*\)/i.exec(native);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (family === 'raw') return 2 * n;
  if (family === 'ntext') return 3 * n; // n UTF-16 code units: at most three UTF-8 bytes each
  // BYTE semantics: n bytes; CHAR semantics, or none said (the creating session's NLS_LENGTH_SEMANTICS): 4n.
  if (family === 'text') return m[2]?.toUpperCase() === 'BYTE' ? n : 4 * n;
  return undefined;
}

/** A decimal column whose TO_CHAR may come out in scientific notation (over 64 characters): see the file comment. */
function mayPrintScientific(native: string): boolean {
  const m = /^NUMBER\s*\(\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?\)$/i.exec(native.trim());
  if (!m) return true;
  const p = Number(m[1]);
  const s = Number(m[2] ?? 0);
  return s < 0 ? p - s > 60 : s > 60;
}

/** One column's share of a row's bytes: fixed, declared (a bound from the type), measured (SQL), always measured (SQL). */
interface ColumnBytes {
  fixed: number;
  declared?: number;
  measured?: string;
  always?: string;
}

function columnBytes(c: { quoted: string; native: string; type?: CanonicalType }): ColumnBytes {
  const family = oracleFamily(c.native);
  const declared = declaredBytes(family, c.native);
  // The separator, and for text "4000:" and the like.
  const separator = 1;
  const prefix = 12;
  switch (family) {
    case 'number':
      return {
        fixed: separator + 66,
        ...(c.type?.kind === 'decimal' && mayPrintScientific(c.native) ? { always: `CASE WHEN INSTR(TO_CHAR(${c.quoted}), 'E') > 0 THEN 1000000 ELSE 0 END` } : {}),
      };
    case 'date':
    case 'timestamp':
    case 'timestamptz':
    case 'timestampltz':
    case 'interval':
      return { fixed: separator + 40 };
    case 'clob':
    case 'nclob':
      // Characters (UTF-16 code units in a multi-byte character set): at most three UTF-8 bytes each.
      return { fixed: separator + prefix, measured: `NVL(DBMS_LOB.GETLENGTH(${c.quoted}), 0) * 3` };
    case 'blob':
      return { fixed: separator, measured: `NVL(DBMS_LOB.GETLENGTH(${c.quoted}), 0) * 2` };
    case 'raw':
      return { fixed: separator, declared, measured: `NVL(UTL_RAW.LENGTH(${c.quoted}), 0) * 2` };
    case 'ntext':
      // LENGTHB of national text counts its own bytes (UTF-16: two per BMP character, three in UTF-8 at most).
      return { fixed: separator + prefix, declared, measured: `NVL(LENGTHB(${c.quoted}), 0) * 2` };
    default:
      return { fixed: separator + prefix, declared, measured: `NVL(LENGTHB(${c.quoted}), 0)` };
  }
}

/**
 * An upper bound (SQL) of one row's normal form in bytes, or undefined when the declared types keep every row within
 * DIGEST_TEXT_BYTES. Fixed for numbers and dates, declared lengths where they fit, measured for LOBs, undeclared
 * lengths and text too long declared; a huge number for a decimal that prints in scientific notation (such a row is
 * compared in the worker, never rendered).
 */
export function digestRowBytes(columns: { quoted: string; native: string; type?: CanonicalType }[]): string | undefined {
  const parts = columns.map(columnBytes);
  const fixed = parts.reduce((n, p) => n + p.fixed, 0);
  const always = parts.flatMap((p) => (p.always ? [p.always] : []));
  const everyDeclared = parts.every((p) => p.measured === undefined || p.declared !== undefined);
  const declared = fixed + parts.reduce((n, p) => n + (p.declared ?? 0), 0);
  if (everyDeclared && declared <= DIGEST_TEXT_BYTES && always.length === 0) return undefined;
  // Declared lengths where they fit together; past the limit on them alone (three VARCHAR2(4000)), every value measured.
  const useDeclared = declared <= DIGEST_TEXT_BYTES;
  const terms = parts.flatMap((p) => (p.measured === undefined ? [] : useDeclared && p.declared !== undefined ? [] : [p.measured]));
  const base = useDeclared ? declared : fixed;
  return `(${[String(base), ...terms, ...always].join(' + ')})`;
}

/** The row text as a derived table's column, with the key columns the ORDER BY names (a name no table column has). */
const ROW = '"~row"';

/** The range's rows: each row's text, NULL where its bound passes DIGEST_TEXT_BYTES (never rendered: ORA-01489). */
function rowsOf(q: RangeQuery): string {
  const row = q.rowBytes ? `CASE WHEN ${q.rowBytes} <= ${DIGEST_TEXT_BYTES} THEN ${q.row} END` : q.row;
  return `(SELECT ${[...q.keys, `${row} AS ${ROW}`].join(', ')} FROM ${q.table} WHERE ${q.where})`;
}

/** count, md5, cut: cut when a row was not rendered or the rows' texts and newlines pass what LISTAGG returns. */
function aggregates(q: RangeQuery): string {
  const listagg = `LISTAGG(${ROW}, CHR(10) ON OVERFLOW TRUNCATE WITHOUT COUNT) WITHIN GROUP (ORDER BY ${q.order})`;
  const cut = `CASE WHEN COUNT(${ROW}) < COUNT(*) OR SUM(LENGTHB(${ROW})) + COUNT(*) - 1 > ${DIGEST_TEXT_BYTES} THEN 1 ELSE 0 END`;
  // No hash where a row was left out (its digest is not used; STANDARD_HASH is never given a NULL).
  return `COUNT(*), CASE WHEN COUNT(${ROW}) = COUNT(*) THEN LOWER(RAWTOHEX(STANDARD_HASH(${listagg}, 'MD5'))) END, ${cut}`;
}

/** The database character set and version: AL32UTF8 (the bytes md5 must hash) and 12.2 or later (ON OVERFLOW). */
const ENCODING_SQL =
  "SELECT MAX(CASE WHEN parameter = 'NLS_CHARACTERSET' THEN value END) AS charset, " +
  "MAX(CASE WHEN parameter = 'NLS_RDBMS_VERSION' THEN value END) AS version FROM nls_database_parameters";

/** Why the in-database digest on Oracle is off, or null: off unless asked for (the switch that turns it on). */
// No live Oracle server has shown it gives PostgreSQL's and MariaDB's bytes (see above).
export const digestSwitchRefusal = digestSwitch(
  'SENSEI_ORACLE_IN_DATABASE_DIGEST',
  'the in-database digest on Oracle is off (never checked against a live server; SENSEI_ORACLE_IN_DATABASE_DIGEST=on turns it on)',
);

/** Why this Oracle database's tables cannot be digested inside it, or null. */
export function digestDatabaseRefusal(row: Record<string, unknown>): string | null {
  const charset = String(row.charset ?? '');
  if (charset.toUpperCase() !== 'AL32UTF8') return `the Oracle database character set is ${charset || 'unknown'}, not AL32UTF8`;
  const [major, minor] = String(row.version ?? '').split('.').map(Number);
  if (!Number.isFinite(major) || major < 12 || (major === 12 && (minor ?? 0) < 2)) {
    return `Oracle ${String(row.version ?? 'of an unknown version')} has no LISTAGG … ON OVERFLOW (12.2 and later)`;
  }
  return null;
}

export const digest = {
  value: digestValue,
  field: (value: string, quoted: string) => `CASE WHEN ${quoted} IS NULL THEN '~' ELSE ${value} END`,
  refusal: digestRefusal,
  row: (fields: string[]) => fields.join(" || '|' || "),
  rowHash: (row: string) => `LOWER(RAWTOHEX(STANDARD_HASH(${row}, 'MD5')))`,
  // LISTAGG holds 4,000 bytes: a pair with Oracle joins the rows' md5s (33 bytes a row), about 120 rows a digest.
  rowHashes: true,
  // Under NLS_SORT = BINARY: the database character set's bytes (national text converted into it).
  binaryOrder: (col: string) => `TO_CHAR(${col})`,
  integerText: (expr: string) => `TO_CHAR(${expr})`,
  rowBytes: digestRowBytes,
  // Oracle has no GROUP BY position: the sub-range's expression is repeated.
  rangeDigests: (q, from, width) => {
    const s = `FLOOR((${q.key} - ${from}) / ${width})`;
    return `SELECT ${s} AS s, ${aggregates(q)} FROM ${rowsOf(q)} GROUP BY ${s}`;
  },
  rangeDigest: (q) => `SELECT ${aggregates(q)} FROM ${rowsOf(q)}`,
  // The rows of a differing range read as the copy reads them: SYYYY masks, intervals as text (./sql.ts).
  readColumn: (c: DigestColumn, quoted: string) => readExpressionOf(quoted, c.native),
  fromRead: (value: unknown, c: DigestColumn) => (typeof value === 'string' && readsYears(c.native) ? fromOracleYear(value) : value),
  // The copy's connections set these too (./sql.ts SESSION_SETTINGS); the calendar is the one TO_CHAR's masks read.
  session: [
    "ALTER SESSION SET TIME_ZONE = '+00:00'",
    "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,'",
    "ALTER SESSION SET NLS_SORT = 'BINARY'",
    "ALTER SESSION SET NLS_COMP = 'BINARY'",
    "ALTER SESSION SET NLS_CALENDAR = 'GREGORIAN'",
  ],
  // One grouped query per window (the cut column is its fourth).
  windowBySubRange: false,
  encodingCheck: { sql: ENCODING_SQL, refusal: (row: Record<string, unknown>) => digestDatabaseRefusal(row) },
  off: digestSwitchRefusal,
} satisfies DigestSql;

export const validation = {
  text: (expr: string, type?: CanonicalType) => (type && temporalText(expr, type)) ?? `TO_CHAR(${expr})`,
  column: (col: string, type: CanonicalType) => temporalText(col, type) ?? col,
  fromPrinted: (value: string, type: CanonicalType) => (isOracleTemporal(type) ? fromOracleYear(value) : value),
  charLength: (expr: string) => `LENGTH(${expr})`,
  // BINARY_FLOAT sums accumulate in single precision: widen first.
  floatAggregate: (fn: 'MIN' | 'MAX' | 'SUM', col: string) => `${fn}(TO_BINARY_DOUBLE(${col}))`,
  firstRows: (n: number) => `FETCH FIRST ${n} ROWS ONLY`,
  // Booleans written into Oracle are NUMBER(1) (types.ts).
  isTrue: (col: string) => `${col} <> 0`,
  digest,
} satisfies ValidationSql;
