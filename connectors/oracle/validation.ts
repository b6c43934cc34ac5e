/**
 * The SQL Oracle runs for the validation tiers: statistics and the generated suite. Dates and timestamps are printed
 * with SYYYY masks (./years.ts temporalText), never through the session's NLS formats or the driver's Dates (Thin
 * mode builds a JavaScript Date: milliseconds, and years 0–99 taken as 1900–1999), and their years turned into ISO
 * 8601 years as they come back (fromPrinted), so 44 BC is -0043 as in the canonical text, never 0044 (44 AD).
 *
 * No in-database range digest (capability inDatabaseDigest false: the semantic tier hashes Oracle tables in the
 * worker, from rows read out). The cross-dialect digest (lib/validation/digest.ts) is md5 over a whole range's row
 * texts joined by newlines in key order, and Oracle cannot be shown to produce the same bytes:
 * - md5 cannot be aggregated row by row, so the range's text must be one value. LISTAGG returns VARCHAR2, at most
 *   4,000 bytes (32,767 with MAX_STRING_SIZE = EXTENDED), and fails past it; a CLOB aggregate (XMLAGG, JSON_ARRAYAGG
 *   … RETURNING CLOB) needs DBMS_CRYPTO.HASH for md5, whose EXECUTE right is not granted by default, and
 *   STANDARD_HASH takes no LOB. ORA_HASH is another hash, never equal to md5.
 * - the normal form's pieces differ in ways only a server can settle: TO_CHAR(0.5) is '.5', CHAR pads in bytes or
 *   characters by the column's semantics, LENGTHB counts the database character set's bytes (UTF-8 only in AL32UTF8),
 *   and '' is NULL (the form's "0:" never occurs).
 * Declaring a digest that no server has checked would risk a range called equal or different on bytes nobody saw;
 * reading the rows out is slower and right. With a live server (SENSEI_TEST_ORACLE_URL), a DBMS_CRYPTO-based digest
 * can be built and checked against PostgreSQL's for the same rows before the capability is turned on.
 */
import type { CanonicalType } from '../../lib/types';
import type { ValidationSql } from '../dialect';
import { fromOracleYear, isOracleTemporal, temporalText } from './years';

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
} satisfies ValidationSql;
