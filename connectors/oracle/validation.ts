/**
 * The SQL Oracle runs for the validation tiers: statistics and the generated suite. Sessions set the NLS formats
 * (./sql.ts SESSION_SETTINGS), so the text of a temporal aggregate is the canonical one. Oracle has no in-database
 * range digest yet: md5 over a range's rows needs a CLOB aggregate and DBMS_CRYPTO (not granted by default), so its
 * tables are hashed in the worker (capability inDatabaseDigest false).
 */
import type { ValidationSql } from '../dialect';

export const validation = {
  text: (expr: string) => `TO_CHAR(${expr})`,
  charLength: (expr: string) => `LENGTH(${expr})`,
  // BINARY_FLOAT sums accumulate in single precision: widen first.
  floatAggregate: (fn: 'MIN' | 'MAX' | 'SUM', col: string) => `${fn}(TO_BINARY_DOUBLE(${col}))`,
  firstRows: (n: number) => `FETCH FIRST ${n} ROWS ONLY`,
  // Booleans written into Oracle are NUMBER(1) (types.ts).
  isTrue: (col: string) => `${col} <> 0`,
} satisfies ValidationSql;
