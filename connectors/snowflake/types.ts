/** Snowflake ⇄ canonical types. Pure: no driver imports. */
import type { CanonicalType } from '../../lib/types';
import { compact, typeArgs, type TargetTypeChoice, type TargetTypeContext } from '../../lib/typemap/common';

/** One column as INFORMATION_SCHEMA.COLUMNS describes it (the columns Sensei reads of it). */
export interface SnowflakeNativeType {
  /** DATA_TYPE: NUMBER, FLOAT, TEXT, BINARY, BOOLEAN, DATE, TIME, TIMESTAMP_NTZ/_TZ/_LTZ, VARIANT, ARRAY, OBJECT, GEOGRAPHY, … */
  dataType: string;
  numericPrecision?: number | null;
  numericScale?: number | null;
  /** CHARACTER_MAXIMUM_LENGTH: characters of TEXT, bytes of BINARY. */
  characterMaximumLength?: number | null;
  datetimePrecision?: number | null;
  /** IS_IDENTITY = 'YES' (or an AUTOINCREMENT default). */
  identity?: boolean;
}

/** Snowflake's longest VARCHAR in characters (16 MiB) and BINARY in bytes (8 MiB): also what VARCHAR alone means. */
export const MAX_VARCHAR = 16_777_216;
export const MAX_BINARY = 8_388_608;

/** The type as Snowflake shows it: NUMBER(38,0), VARCHAR(40), TIMESTAMP_TZ(9). */
export function formatSnowflakeType(t: SnowflakeNativeType): string {
  const name = canonicalName(t.dataType);
  switch (name) {
    case 'NUMBER':
      return `NUMBER(${t.numericPrecision ?? 38},${t.numericScale ?? 0})`;
    case 'VARCHAR':
      return t.characterMaximumLength == null ? 'VARCHAR' : `VARCHAR(${t.characterMaximumLength})`;
    case 'BINARY':
      return t.characterMaximumLength == null ? 'BINARY' : `BINARY(${t.characterMaximumLength})`;
    case 'TIME':
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_TZ':
    case 'TIMESTAMP_LTZ':
      return `${name}(${t.datetimePrecision ?? 9})`;
    default:
      return name;
  }
}

/** INFORMATION_SCHEMA says TEXT for VARCHAR and may say DECIMAL/INT for NUMBER; the synonyms read as one name. */
function canonicalName(dataType: string): string {
  const name = dataType.trim().toUpperCase();
  if (['TEXT', 'STRING', 'CHAR', 'CHARACTER', 'NCHAR', 'NVARCHAR', 'NVARCHAR2', 'CHAR VARYING', 'NCHAR VARYING', 'VARCHAR'].includes(name)) return 'VARCHAR';
  if (['DECIMAL', 'NUMERIC', 'INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'BYTEINT', 'NUMBER'].includes(name)) return 'NUMBER';
  if (['FLOAT', 'FLOAT4', 'FLOAT8', 'DOUBLE', 'DOUBLE PRECISION', 'REAL'].includes(name)) return 'FLOAT';
  if (name === 'VARBINARY') return 'BINARY';
  if (name === 'DATETIME' || name === 'TIMESTAMP') return 'TIMESTAMP_NTZ';
  return name;
}

export function toCanonical(info: SnowflakeNativeType): CanonicalType {
  const type = baseType(info);
  if (info.identity && type.kind.startsWith('int')) type.autoIncrement = true;
  return compact(type);
}

function baseType(t: SnowflakeNativeType): CanonicalType {
  const name = canonicalName(t.dataType);
  const precision = t.datetimePrecision ?? 9;
  const cut = precision > 6 ? { readConfidence: 0.95, readNote: `fractions beyond microseconds (${name}(${precision})) are cut to six digits` } : {};
  switch (name) {
    case 'NUMBER':
      return number(t.numericPrecision ?? 38, t.numericScale ?? 0);
    case 'FLOAT':
      return { kind: 'float64' };
    case 'VARCHAR':
      // VARCHAR alone is VARCHAR(16777216): as long as any text.
      return t.characterMaximumLength == null || t.characterMaximumLength >= MAX_VARCHAR ? { kind: 'text' } : { kind: 'varchar', length: t.characterMaximumLength };
    case 'BINARY':
      return t.characterMaximumLength == null || t.characterMaximumLength >= MAX_BINARY ? { kind: 'binary' } : { kind: 'binary', length: t.characterMaximumLength };
    case 'BOOLEAN':
      return { kind: 'boolean' };
    case 'DATE':
      return { kind: 'date' };
    case 'TIME':
      return { kind: 'time', precision: Math.min(precision, 6), ...cut };
    case 'TIMESTAMP_NTZ':
      return { kind: 'timestamp', precision: Math.min(precision, 6), ...cut };
    case 'TIMESTAMP_LTZ':
      return { kind: 'timestamptz', precision: Math.min(precision, 6), ...cut };
    case 'TIMESTAMP_TZ': {
      const note = 'each value is converted to UTC: its own offset is not kept';
      return { kind: 'timestamptz', precision: Math.min(precision, 6), readConfidence: 0.95, readNote: cut.readNote ? `${cut.readNote}; ${note}` : note };
    }
    case 'VARIANT':
      return { kind: 'json', readNote: 'VARIANT read as its JSON text' };
    case 'ARRAY':
    case 'OBJECT':
      return { kind: 'json', readNote: `${name} read as its JSON text` };
    case 'GEOGRAPHY':
    case 'GEOMETRY':
      return { kind: 'json', readConfidence: 0.8, readNote: `${name} read as GeoJSON text: the target keeps JSON, not a spatial type` };
    default:
      return { kind: 'unsupported', readConfidence: 0, readNote: `type ${name} is not supported by Sensei` };
  }
}

function number(precision: number, scale: number): CanonicalType {
  if (scale === 0 && precision <= 4) return { kind: 'int16' };
  if (scale === 0 && precision <= 9) return { kind: 'int32' };
  if (scale === 0 && precision <= 18) return { kind: 'int64' };
  return { kind: 'decimal', precision, scale };
}

/** A type name as a person types it: `number(10,2)`, `varchar(40)`, `timestamp_tz(3)`. */
export function parseTypeName(text: string): CanonicalType {
  const t = text.trim().toUpperCase();
  const name = t.replace(/\(.*$/, '').trim();
  const [a, b] = typeArgs(t);
  const canonical = canonicalName(name);
  if (canonical === 'NUMBER') {
    // INT, BIGINT, … are NUMBER(38,0) in Snowflake.
    if (/^(INT|INTEGER|BIGINT|SMALLINT|TINYINT|BYTEINT)$/.test(name)) return toCanonical({ dataType: 'NUMBER', numericPrecision: 38, numericScale: 0 });
    return toCanonical({ dataType: 'NUMBER', numericPrecision: a ?? 38, numericScale: b ?? 0 });
  }
  if (/^TIME|^TIMESTAMP|^DATETIME/.test(canonical)) return toCanonical({ dataType: canonical, datetimePrecision: a ?? 9 });
  return toCanonical({ dataType: canonical, characterMaximumLength: a ?? null });
}

export function fromCanonical(type: CanonicalType, _context: TargetTypeContext = {}): TargetTypeChoice {
  const p = Math.min(type.precision ?? 6, 9);
  switch (type.kind) {
    case 'int16':
      return { sql: 'NUMBER(5,0)', confidence: 1 };
    case 'int32':
      return { sql: 'NUMBER(10,0)', confidence: 1 };
    case 'int64':
      return { sql: type.unsigned ? 'NUMBER(20,0)' : 'NUMBER(19,0)', confidence: 1 };
    case 'decimal':
      return decimal(type);
    case 'float32':
      return { sql: 'FLOAT', confidence: 1, note: 'Snowflake FLOAT is double precision: single-precision values are kept exactly' };
    case 'float64':
      return { sql: 'FLOAT', confidence: 1 };
    case 'boolean':
      return { sql: 'BOOLEAN', confidence: 1 };
    case 'char':
      return { sql: `VARCHAR(${type.length ?? 1})`, confidence: 0.95, note: 'Snowflake CHAR is VARCHAR: trailing spaces are not padded' };
    case 'varchar':
      return type.length !== undefined && type.length <= MAX_VARCHAR ? { sql: `VARCHAR(${type.length})`, confidence: 1 } : { sql: 'VARCHAR', confidence: 1 };
    case 'text':
      return { sql: 'VARCHAR', confidence: 1, note: 'Snowflake VARCHAR holds at most 16 MiB' };
    case 'enum':
      return { sql: `VARCHAR(${Math.max(1, ...(type.values ?? []).map((v) => [...v].length))})`, confidence: 0.95, note: 'Snowflake has no enum: its labels are kept as text, not checked (Snowflake enforces no CHECK)' };
    case 'uuid':
      return { sql: 'VARCHAR(36)', confidence: 0.95, note: 'uuid stored as VARCHAR(36) text (lower case)' };
    case 'date':
      return { sql: 'DATE', confidence: 1 };
    case 'time':
      return type.duration
        ? { sql: `TIME(${p})`, confidence: 0.9, note: 'a time of day up to 23:59:59.999999999 here: a row whose value is negative or beyond (a duration) is rejected, named by its key' }
        : { sql: `TIME(${p})`, confidence: 1 };
    case 'timestamp':
      return { sql: `TIMESTAMP_NTZ(${p})`, confidence: 1 };
    case 'timestamptz':
      return { sql: `TIMESTAMP_TZ(${p})`, confidence: 1, note: 'values are written in UTC (offset +00:00)' };
    case 'json':
      return { sql: 'VARIANT', confidence: 0.95, note: 'JSON stored as VARIANT: key order and number spelling follow Snowflake' };
    case 'binary':
      return type.length !== undefined && type.length <= MAX_BINARY ? { sql: `BINARY(${type.length})`, confidence: 1 } : { sql: 'BINARY', confidence: 0.95, note: 'Snowflake BINARY holds at most 8 MiB' };
    default:
      return { sql: '', confidence: 0, note: type.readNote ?? 'not supported by Sensei' };
  }
}

function decimal(type: CanonicalType): TargetTypeChoice {
  const p = type.precision;
  const s = type.scale ?? 0;
  if (p === undefined) {
    return { sql: 'NUMBER(38,10)', confidence: 0.7, note: 'unconstrained decimal stored as NUMBER(38,10): more than 28 integer or 10 fraction digits do not fit (NUMBER alone would be an integer)' };
  }
  if (p <= 38 && s <= 37) return { sql: `NUMBER(${p},${s})`, confidence: 1 };
  return { sql: `NUMBER(38,${Math.min(s, 37)})`, confidence: 0.7, note: `decimal(${p},${s}) exceeds Snowflake's 38 digits: larger values fail and extra digits are rounded` };
}
