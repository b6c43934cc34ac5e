/**
 * The statements the Oracle connector sends for a copy, as pure text builders: keyset reads with bind variables and
 * FETCH FIRST, writes as a DELETE of the chunk's keys and an INSERT run with executeMany. Values cross the driver as
 * the canonical text (numbers, dates, times) and are converted by explicit format masks here, so no NLS setting of the
 * server changes what is read or written.
 */
import type { CanonicalType, Key } from '../../lib/types';
import { normalizeDate } from '../../lib/values';
import { doubleQuoted } from '../dialect';
import { DATE_MASK, fromOracleYear, NLS_DATE_FORMAT, NLS_TIMESTAMP_FORMAT, TIMESTAMP_READ_MASK, toOracleYear } from './years';
import { readExpression, readsYears } from './read';
import { keyValue } from '../../lib/keys';

export { readExpression, readExpressionOf, readsYears } from './read';

export { fromOracleYear, toOracleYear } from './years';

/**
 * What every connection of Sensei's sets first: UTC, a dot for decimals, binary (code point) order for text keys, and
 * date formats with signed years for conversions without a mask (./years.ts).
 */
export const SESSION_SETTINGS = [
  "ALTER SESSION SET TIME_ZONE = '+00:00'",
  "ALTER SESSION SET NLS_NUMERIC_CHARACTERS = '.,'",
  "ALTER SESSION SET NLS_SORT = 'BINARY'",
  "ALTER SESSION SET NLS_COMP = 'BINARY'",
  `ALTER SESSION SET NLS_DATE_FORMAT = '${NLS_DATE_FORMAT}'`,
  `ALTER SESSION SET NLS_TIMESTAMP_FORMAT = '${NLS_TIMESTAMP_FORMAT}'`,
] as const;

/** Oracle's own placeholders: :1, :2, … (bound by position). */
export const placeholder = (index: number): string => `:${index + 1}`;

const q = doubleQuoted;
const qList = (names: readonly string[]) => names.map(q).join(', ');

/** Rows as read with readExpression: dates and timestamps given ISO 8601 years (fromOracleYear). */
export function withIsoYears(rows: unknown[][], nativeTypes: readonly string[]): unknown[][] {
  const at = nativeTypes.flatMap((t, i) => (readsYears(t) ? [i] : []));
  if (at.length === 0) return rows;
  for (const row of rows) for (const i of at) if (typeof row[i] === 'string') row[i] = fromOracleYear(row[i] as string);
  return rows;
}

/** ` FETCH FIRST n ROWS ONLY`, after an ORDER BY (12c and later); with an offset ` OFFSET m ROWS FETCH NEXT n ROWS ONLY`. */
export function firstRowsClause(limit: number, offset?: number): string {
  return offset === undefined ? ` FETCH FIRST ${limit} ROWS ONLY` : ` OFFSET ${offset} ROWS FETCH NEXT ${limit} ROWS ONLY`;
}

/** A bound canonical value converted to the column's type inside the statement (the mask says how the text reads). */
export function bindExpression(holder: string, type: CanonicalType): string {
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'decimal':
      // Canonical decimals are plain notation with a dot; every session sets NLS_NUMERIC_CHARACTERS to '.,' (SESSION_SETTINGS).
      return `TO_NUMBER(${holder})`;
    case 'date':
      return `TO_DATE(${holder}, '${DATE_MASK}')`;
    case 'timestamp':
      return `TO_TIMESTAMP(${holder}, '${TIMESTAMP_READ_MASK}')`;
    case 'timestamptz':
      return `FROM_TZ(TO_TIMESTAMP(${holder}, '${TIMESTAMP_READ_MASK}'), 'UTC')`;
    default:
      return holder;
  }
}

/**
 * A canonical value as the driver binds it for bindExpression: numbers as their text, timestamps always with a
 * fraction and without the Z (FROM_TZ says UTC), booleans as 1/0 (NUMBER(1)), binary as a Buffer.
 */
export function bindValue(value: unknown, type: CanonicalType): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'decimal':
      return String(value);
    case 'timestamp':
    case 'timestamptz': {
      const text = toOracleYear(String(value).replace(/Z$/i, '').replace('T', ' '));
      return /\.\d+$/.test(text) ? text : `${text}.0`;
    }
    case 'date':
      return toOracleYear(normalizeDate(String(value)));
    default:
      return value;
  }
}

/**
 * `k > :1` for one key column; for several, the expanded form Oracle needs (it has no row-value `>`):
 * `(k1 > :1) OR (k1 = :2 AND k2 > :3)` — each placeholder bound once, in order, so `after` values repeat in params.
 */
export function afterCondition(keyColumns: readonly string[], keyTypes: readonly CanonicalType[], after: Key, params: unknown[]): string {
  const bind = (i: number) => {
    params.push(bindValue(keyValue(after[i]), keyTypes[i]));
    return bindExpression(placeholder(params.length - 1), keyTypes[i]);
  };
  const ors = keyColumns.map((_, depth) => {
    const parts: string[] = [];
    for (let i = 0; i < depth; i++) parts.push(`${q(keyColumns[i])} = ${bind(i)}`);
    parts.push(`${q(keyColumns[depth])} > ${bind(depth)}`);
    return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
  });
  return ors.length === 1 ? ors[0] : `(${ors.join(' OR ')})`;
}

export interface ReadSpec {
  /** `"OWNER"."TABLE"`. */
  table: string;
  columns: readonly string[];
  /** Native types of `columns` (for their read expressions). */
  nativeTypes: readonly string[];
  keyColumns: readonly string[];
  keyTypes: readonly CanonicalType[];
}

/** The next `limit` rows after `after` in key order (all from the start when after is null), and the binds. */
export function keysetRead(spec: ReadSpec, after: Key | null, limit: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const select = spec.columns.map((c, i) => readExpression(c, spec.nativeTypes[i] ?? '')).join(', ');
  const where = after ? ` WHERE ${afterCondition(spec.keyColumns, spec.keyTypes, after, params)}` : '';
  return { sql: `SELECT ${select} FROM ${spec.table}${where} ORDER BY ${qList(spec.keyColumns)}${firstRowsClause(limit)}`, params };
}

/** The statements of one chunk's write (run with executeMany): delete the rows of these keys, insert the rows. */
export function chunkWrite(table: string, columns: readonly string[], types: readonly CanonicalType[], keyColumns: readonly string[]): { deleteSql: string; insertSql: string } {
  const keyTypes = keyColumns.map((k) => types[columns.indexOf(k)]);
  const match = keyColumns.map((k, i) => `${q(k)} = ${bindExpression(placeholder(i), keyTypes[i])}`).join(' AND ');
  const values = columns.map((_, i) => bindExpression(placeholder(i), types[i])).join(', ');
  return {
    deleteSql: `DELETE FROM ${table} WHERE ${match}`,
    insertSql: `INSERT INTO ${table} (${qList(columns)}) VALUES (${values})`,
  };
}

/** An identity column continues after the copied values (12c: START WITH LIMIT VALUE reads the column's maximum). */
export function restartIdentitySql(table: string, column: string): string {
  return `ALTER TABLE ${table} MODIFY (${q(column)} GENERATED BY DEFAULT ON NULL AS IDENTITY (START WITH LIMIT VALUE))`;
}
