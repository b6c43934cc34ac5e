/**
 * Oracle's dates and timestamps as text, for the copy (./sql.ts) and the validation tiers (./validation.ts). Pure, with
 * no driver or Node import: the validation SQL is part of the dialect definition, which workflow code imports.
 *
 * Masks with SYYYY: a year before 1 AD is printed and read with its minus sign (YYYY would drop it and turn 44 BC
 * into 44 AD). TO_CHAR pads a year AD with a space where the sign would be, so reads LTRIM it. Oracle counts years
 * without a year 0 (-44 is 44 BC); the canonical text counts them as ISO 8601 does (0000 is 1 BC, -0043 is 44 BC):
 * fromOracleYear and toOracleYear move between the two.
 */
import type { CanonicalType } from '../../lib/types';

export const DATE_MASK = 'SYYYY-MM-DD';
export const DATE_TIME_MASK = 'SYYYY-MM-DD HH24:MI:SS';
export const TIMESTAMP_MASK = 'SYYYY-MM-DD HH24:MI:SS.FF6';
export const TIMESTAMP_READ_MASK = 'SYYYY-MM-DD HH24:MI:SS.FF';
/**
 * A UTC timestamp with its Z: the Z is quoted text inside the mask, so a NULL stays NULL (`… || 'Z'` would make it
 * 'Z': Oracle's || treats NULL as the empty string).
 */
export const UTC_TIMESTAMP_MASK = `${TIMESTAMP_MASK}"Z"`;

/**
 * Session formats for the conversions no mask is written for (a user's query comparing a column with a literal, or
 * TO_CHAR without a mask): signed years, so a year BC is neither printed nor read as a year AD. Sensei's own SQL
 * always writes its masks (readExpression, bindExpression, temporalText).
 */
export const NLS_DATE_FORMAT = DATE_TIME_MASK;
export const NLS_TIMESTAMP_FORMAT = TIMESTAMP_MASK;
export const NLS_TIMESTAMP_TZ_FORMAT = `${TIMESTAMP_MASK}TZH:TZM`;

/** A date or timestamp as Oracle's SYYYY mask printed it (year -44 is 44 BC) in ISO 8601 years (-0043); others unchanged. */
export function fromOracleYear(text: string): string {
  const m = /^-(\d{4,})(-.*)$/.exec(text);
  if (!m) return text;
  const iso = Number(m[1]) - 1;
  return `${iso === 0 ? '' : '-'}${String(iso).padStart(4, '0')}${m[2]}`;
}

/** A canonical date or timestamp (ISO 8601 years: 0000 is 1 BC) as Oracle's SYYYY mask reads it (year -1 is 1 BC). */
export function toOracleYear(text: string): string {
  const m = /^(-?)(\d{4,})(-.*)$/.exec(text);
  if (!m) return text;
  const iso = Number(m[2]) * (m[1] ? -1 : 1);
  return iso > 0 ? text : `-${String(1 - iso).padStart(4, '0')}${m[3]}`;
}

/** Canonical kinds Oracle holds as DATE or TIMESTAMP (a canonical time is VARCHAR2 text in Oracle: ./types.ts). */
export function isOracleTemporal(type: CanonicalType): boolean {
  return type.kind === 'date' || type.kind === 'timestamp' || type.kind === 'timestamptz';
}

/**
 * An expression of a canonical date or timestamp kind (a column, MIN(column)) as the text the validation tiers read:
 * SYYYY masks, a zoned value in UTC with a Z. By canonical kind, not native type, so it holds on both sides of a
 * migration: CAST to TIMESTAMP(9) takes a DATE (which has no fraction for FF6) and any TIMESTAMP(p) without rounding.
 * The years are Oracle's: fromOracleYear makes the text canonical (./validation.ts fromPrinted).
 * Undefined for other kinds.
 */
export function temporalText(expr: string, type: CanonicalType): string | undefined {
  switch (type.kind) {
    case 'date':
      return `LTRIM(TO_CHAR(${expr}, '${DATE_MASK}'))`;
    case 'timestamp':
      return `LTRIM(TO_CHAR(CAST(${expr} AS TIMESTAMP(9)), '${TIMESTAMP_MASK}'))`;
    case 'timestamptz':
      return `LTRIM(TO_CHAR(SYS_EXTRACT_UTC(CAST(${expr} AS TIMESTAMP(9) WITH TIME ZONE)), '${UTC_TIMESTAMP_MASK}'))`;
    default:
      return undefined;
  }
}
