/**
 * What the Snowflake connector sends, as pure builders: a chunk's rows as gzip-ready CSV for an internal stage, the
 * COPY INTO a temporary table with ON_ERROR = CONTINUE, VALIDATE for the rows it refused, and the one transaction
 * that replaces the chunk's keys in the target. Keyset reads use `?` binds and LIMIT.
 */
import type { CanonicalType, Key, Row } from '../../lib/types';
import { doubleQuoted } from '../dialect';
import { keyValue } from '../../lib/keys';

const q = doubleQuoted;
const qList = (names: readonly string[]) => names.map(q).join(', ');

/** Sessions: UTC, and timestamps printed in one format the canonical readers take. */
export const SESSION_SETTINGS = [
  "ALTER SESSION SET TIMEZONE = 'UTC'",
  "ALTER SESSION SET TIMESTAMP_NTZ_OUTPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6'",
  "ALTER SESSION SET TIMESTAMP_TZ_OUTPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6TZH:TZM'",
  "ALTER SESSION SET TIMESTAMP_LTZ_OUTPUT_FORMAT = 'YYYY-MM-DD HH24:MI:SS.FF6TZH:TZM'",
  "ALTER SESSION SET TIME_OUTPUT_FORMAT = 'HH24:MI:SS.FF6'",
  "ALTER SESSION SET DATE_OUTPUT_FORMAT = 'YYYY-MM-DD'",
  "ALTER SESSION SET BINARY_OUTPUT_FORMAT = 'HEX'",
] as const;

/**
 * One value as a CSV field of the load file: NULL is an empty unquoted field (EMPTY_FIELD_AS_NULL), every text is
 * quoted (so '' stays an empty string), binary as hex, timestamps in ISO 8601 with a zone where they have one.
 */
export function csvField(value: unknown, type: CanonicalType): string {
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : quoted(String(value));
  const text = String(value);
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'decimal':
    case 'date':
    case 'time':
      return text;
    case 'timestamp':
      return text.replace(' ', 'T');
    case 'timestamptz':
      return text.replace(' ', 'T').replace(/Z$/i, '+00:00');
    default:
      return quoted(text);
  }
}

function quoted(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** The load file's text: one line per row, fields in plan order. */
export function csvText(rows: readonly Row[], types: readonly CanonicalType[]): string {
  return rows.map((row) => row.map((v, i) => csvField(v, types[i])).join(',') + '\n').join('');
}

/** The file format every load uses (the file is gzip-compressed before PUT). */
export const FILE_FORMAT =
  "TYPE = CSV COMPRESSION = GZIP FIELD_DELIMITER = ',' RECORD_DELIMITER = '\\n' FIELD_OPTIONALLY_ENCLOSED_BY = '\"' " +
  'EMPTY_FIELD_AS_NULL = TRUE NULL_IF = () ESCAPE_UNENCLOSED_FIELD = NONE BINARY_FORMAT = HEX ' +
  "TIMESTAMP_FORMAT = AUTO DATE_FORMAT = 'YYYY-MM-DD' TIME_FORMAT = AUTO ERROR_ON_COLUMN_COUNT_MISMATCH = TRUE";

/** A temporary table with the target's columns, semi-structured ones as VARCHAR (a plain COPY can then be VALIDATEd). */
export function stagingTableSql(staging: string, columns: readonly { name: string; type: string }[]): string {
  const defs = columns.map((c) => `${q(c.name)} ${/^(VARIANT|OBJECT|ARRAY|GEOGRAPHY|GEOMETRY)$/i.test(c.type) ? 'VARCHAR' : c.type}`);
  return `CREATE OR REPLACE TEMPORARY TABLE ${staging} (${defs.join(', ')})`;
}

/** PUT of the local gzip file to the staging table's own stage (`@%table`); the file stays compressed as it is. */
export function putSql(localPath: string, stage: string): string {
  if (/['\n]/.test(localPath)) throw new Error('the load file path cannot hold a quote or a newline');
  return `PUT 'file://${localPath}' ${stage} AUTO_COMPRESS = FALSE SOURCE_COMPRESSION = GZIP OVERWRITE = TRUE`;
}

/** COPY of the staged file into the staging table; a refused row is skipped and reported (VALIDATE), the rest loaded. */
export function copySql(staging: string, stage: string, file: string, columns: readonly string[]): string {
  return `COPY INTO ${staging} (${qList(columns)}) FROM ${stage} FILES = ('${file.replace(/'/g, "''")}') FILE_FORMAT = (${FILE_FORMAT}) ON_ERROR = CONTINUE PURGE = TRUE`;
}

/** The lines (1-based, of the load file) a COPY refused, and why. */
export function rejectedSql(staging: string, queryId: string): string {
  if (!/^[0-9a-f-]+$/i.test(queryId)) throw new Error(`not a Snowflake query id: ${queryId}`);
  return `SELECT LINE, ERROR FROM TABLE(VALIDATE(${staging}, JOB_ID => '${queryId}')) ORDER BY LINE`;
}

/**
 * In one transaction: the target rows whose keys are in the staging table deleted, the staged rows inserted
 * (semi-structured columns parsed back from their JSON text). A retried chunk replaces exactly its own rows.
 */
export function replaceFromStagingSql(target: string, staging: string, columns: readonly { name: string; type: string }[], keyColumns: readonly string[]): string[] {
  const match = keyColumns.map((k) => `${target}.${q(k)} = s.${q(k)}`).join(' AND ');
  const select = columns.map((c) => (/^(VARIANT|OBJECT|ARRAY)$/i.test(c.type) ? `PARSE_JSON(s.${q(c.name)})` : /^(GEOGRAPHY|GEOMETRY)$/i.test(c.type) ? `TO_${c.type.toUpperCase()}(s.${q(c.name)})` : `s.${q(c.name)}`));
  return [
    'BEGIN',
    ...(keyColumns.length ? [`DELETE FROM ${target} USING ${staging} s WHERE ${match}`] : [`DELETE FROM ${target}`]),
    `INSERT INTO ${target} (${qList(columns.map((c) => c.name))}) SELECT ${select.join(', ')} FROM ${staging} s`,
    'COMMIT',
  ];
}

/** ` WHERE k > ?` or, for a composite key, the expanded comparison; binds appended to `params` in order. */
export function afterCondition(keyColumns: readonly string[], after: Key, params: unknown[]): string {
  const ors = keyColumns.map((_, depth) => {
    const parts: string[] = [];
    for (let i = 0; i < depth; i++) {
      params.push(keyValue(after[i]));
      parts.push(`${q(keyColumns[i])} = ?`);
    }
    params.push(keyValue(after[depth]));
    parts.push(`${q(keyColumns[depth])} > ?`);
    return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
  });
  return ors.length === 1 ? ors[0] : `(${ors.join(' OR ')})`;
}

/** A column as read: text of semi-structured and spatial values, everything else as the driver hands it over as text. */
export function readExpression(column: string, nativeType: string): string {
  const native = nativeType.toUpperCase();
  if (/^(VARIANT|OBJECT|ARRAY)$/.test(native)) return `TO_JSON(${q(column)})`;
  if (/^(GEOGRAPHY|GEOMETRY)$/.test(native)) return `ST_ASGEOJSON(${q(column)})::VARCHAR`;
  if (/^TIMESTAMP_(TZ|LTZ)/.test(native)) return `TO_CHAR(CONVERT_TIMEZONE('UTC', ${q(column)}), 'YYYY-MM-DD HH24:MI:SS.FF6') || 'Z'`;
  return q(column);
}

/** The next `limit` rows after `after` in key order. */
export function keysetRead(table: string, columns: readonly string[], nativeTypes: readonly string[], keyColumns: readonly string[], after: Key | null, limit: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where = after ? ` WHERE ${afterCondition(keyColumns, after, params)}` : '';
  const select = columns.map((c, i) => readExpression(c, nativeTypes[i] ?? '')).join(', ');
  return { sql: `SELECT ${select} FROM ${table}${where} ORDER BY ${qList(keyColumns)} LIMIT ${limit}`, params };
}

/** INFORMATION_SCHEMA queries of one schema (bound: the schema name). */
export const CATALOGUE_SQL = {
  tables: "SELECT TABLE_NAME, ROW_COUNT FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
  columns:
    'SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE, CHARACTER_MAXIMUM_LENGTH, DATETIME_PRECISION, IS_NULLABLE, COLUMN_DEFAULT, IS_IDENTITY, ORDINAL_POSITION ' +
    'FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION',
  // Key columns come from SHOW commands (INFORMATION_SCHEMA has the constraints but not their columns).
  primaryKeys: 'SHOW PRIMARY KEYS IN SCHEMA',
  uniqueKeys: 'SHOW UNIQUE KEYS IN SCHEMA',
  foreignKeys: 'SHOW IMPORTED KEYS IN SCHEMA',
} as const;
