/**
 * The SQL Snowflake runs for the validation tiers: statistics and the generated suite. No in-database range digest:
 * the cross-dialect digest is md5 over a range's rows joined in key order, and Snowflake's HASH_AGG is another hash
 * (it matches only another Snowflake), so its tables are hashed in the worker (capability inDatabaseDigest false).
 */
import type { ValidationSql } from '../dialect';

export const validation = {
  // Sessions set the output formats (./sql.ts SESSION_SETTINGS): the text is the canonical one.
  text: (expr: string) => `TO_VARCHAR(${expr})`,
  charLength: (expr: string) => `LENGTH(${expr})`,
  floatAggregate: (fn: 'MIN' | 'MAX' | 'SUM', col: string) => `${fn}(${col})`,
} satisfies ValidationSql;
