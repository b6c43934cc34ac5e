/**
 * The SQL Snowflake runs for the validation tiers: statistics and the generated suite.
 *
 * No in-database range digest (capability inDatabaseDigest false: the semantic tier hashes Snowflake tables in the
 * worker, from rows read out). HASH_AGG is Snowflake's own 64-bit hash and matches only another Snowflake. The
 * cross-dialect digest (lib/validation/digest.ts: md5 of a range's row texts joined by newlines in key order) could be
 * spelled as MD5(LISTAGG(row, '\n') WITHIN GROUP (ORDER BY key)), but whether each piece prints the same bytes as
 * PostgreSQL and MariaDB (TO_VARCHAR of a NUMBER with a scale, of a TIMESTAMP's fraction, HEX_ENCODE's case,
 * OCTET_LENGTH, LISTAGG's order of text keys under a collation, its size limit on a wide range) has never been run
 * against an account. A digest that only looks right would call ranges equal or different on bytes nobody checked,
 * so none is declared until a live account (SENSEI_TEST_SNOWFLAKE_URL) has shown the same digest for the same rows.
 */
import type { ValidationSql } from '../dialect';

export const validation = {
  // Sessions set the output formats (./sql.ts SESSION_SETTINGS): the text is the canonical one.
  text: (expr: string) => `TO_VARCHAR(${expr})`,
  charLength: (expr: string) => `LENGTH(${expr})`,
  floatAggregate: (fn: 'MIN' | 'MAX' | 'SUM', col: string) => `${fn}(${col})`,
} satisfies ValidationSql;
