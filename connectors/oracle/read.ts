/**
 * How the copy reads Oracle columns as text: pure (no driver, no Node built-in), since the validation SQL of the
 * dialect definition, which workflow code imports, reads the rows of a differing range the same way (./validation.ts).
 */
import { doubleQuoted } from '../dialect';
import { DATE_TIME_MASK, TIMESTAMP_MASK, UTC_TIMESTAMP_MASK } from './years';

/** Whether a column of this native type is read through a SYYYY mask (its values then go through fromOracleYear). */
export function readsYears(nativeType: string): boolean {
  return /^(DATE|TIMESTAMP\b)/.test(nativeType.trim().toUpperCase());
}

/**
 * One column of a SELECT list, by its native type, as the text of the canonical value: temporal values printed with
 * explicit SYYYY masks (./years.ts; a zoned timestamp in UTC with a Z), intervals and JSON as text; everything else as
 * the driver reads it.
 */
export function readExpression(column: string, nativeType: string): string {
  return readExpressionOf(doubleQuoted(column), nativeType);
}

/** readExpression of a column already quoted (the validation tiers quote names themselves). */
export function readExpressionOf(col: string, nativeType: string): string {
  const native = nativeType.trim().toUpperCase();
  if (native === 'DATE') return `LTRIM(TO_CHAR(${col}, '${DATE_TIME_MASK}'))`;
  if (/^TIMESTAMP(\(\d\))? WITH LOCAL TIME ZONE$/.test(native)) {
    return `LTRIM(TO_CHAR(SYS_EXTRACT_UTC(CAST(${col} AS TIMESTAMP WITH TIME ZONE)), '${UTC_TIMESTAMP_MASK}'))`;
  }
  if (/^TIMESTAMP(\(\d\))? WITH TIME ZONE$/.test(native)) return `LTRIM(TO_CHAR(SYS_EXTRACT_UTC(${col}), '${UTC_TIMESTAMP_MASK}'))`;
  if (/^TIMESTAMP(\(\d\))?$/.test(native)) return `LTRIM(TO_CHAR(${col}, '${TIMESTAMP_MASK}'))`;
  if (/^INTERVAL /.test(native)) return `TO_CHAR(${col})`;
  if (native === 'JSON') return `JSON_SERIALIZE(${col} RETURNING CLOB)`;
  return col;
}
