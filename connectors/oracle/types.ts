/** Oracle ⇄ canonical types. Pure: no driver imports. */
import type { CanonicalType } from '../../lib/types';
import { compact, typeArgs, type TargetTypeChoice, type TargetTypeContext } from '../../lib/typemap/common';

/** One column as ALL_TAB_COLUMNS describes it (the columns Sensei reads of it). */
export interface OracleNativeType {
  /** DATA_TYPE: `NUMBER`, `VARCHAR2`, `TIMESTAMP(6) WITH TIME ZONE`, `INTERVAL DAY(2) TO SECOND(6)`, … */
  dataType: string;
  /** DATA_LENGTH: bytes. */
  dataLength?: number | null;
  /** DATA_PRECISION: decimal digits (NUMBER) or binary digits (FLOAT); null for a NUMBER declared without one. */
  dataPrecision?: number | null;
  /** DATA_SCALE; null for a NUMBER declared without precision and scale. */
  dataScale?: number | null;
  /** CHAR_LENGTH: characters of a text column. */
  charLength?: number | null;
  /** CHAR_USED: `B` (length in bytes) or `C` (in characters) for VARCHAR2/CHAR. */
  charUsed?: string | null;
  /** IDENTITY_COLUMN = 'YES'. */
  identity?: boolean;
}

/** Oracle's largest VARCHAR2 in bytes under MAX_STRING_SIZE = STANDARD (the default). */
export const MAX_VARCHAR2_BYTES = 4000;
/** Largest RAW and CHAR in bytes. */
const MAX_RAW_BYTES = 2000;
const MAX_CHAR_BYTES = 2000;

/** The type as a person reads it: `NUMBER(10,2)`, `VARCHAR2(160 BYTE)`, `TIMESTAMP(6) WITH TIME ZONE`. */
export function formatOracleType(t: OracleNativeType): string {
  const name = t.dataType.trim().toUpperCase();
  const semantics = t.charUsed === 'C' ? 'CHAR' : 'BYTE';
  switch (name) {
    case 'NUMBER':
      if (t.dataPrecision == null && t.dataScale == null) return 'NUMBER';
      if (t.dataPrecision == null) return `NUMBER(*,${t.dataScale})`;
      return t.dataScale ? `NUMBER(${t.dataPrecision},${t.dataScale})` : `NUMBER(${t.dataPrecision})`;
    case 'FLOAT':
      return t.dataPrecision == null ? 'FLOAT' : `FLOAT(${t.dataPrecision})`;
    case 'VARCHAR2':
    case 'CHAR':
      return `${name}(${semantics === 'CHAR' ? t.charLength : t.dataLength} ${semantics})`;
    case 'NVARCHAR2':
    case 'NCHAR':
      return `${name}(${t.charLength})`;
    case 'RAW':
      return `RAW(${t.dataLength})`;
    default:
      return name;
  }
}

export function toCanonical(info: OracleNativeType): CanonicalType {
  const type = baseType(info);
  if (info.identity && type.kind.startsWith('int')) type.autoIncrement = true;
  return compact(type);
}

function baseType(t: OracleNativeType): CanonicalType {
  const name = t.dataType.trim().toUpperCase();
  if (name === 'NUMBER') return number(t.dataPrecision ?? null, t.dataScale ?? null);
  if (name === 'FLOAT') {
    return {
      kind: 'decimal',
      readNote: `Oracle ${formatOracleType(t)} is a decimal NUMBER with up to ${t.dataPrecision ?? 126} binary digits (not IEEE): read as an exact decimal`,
    };
  }
  if (name === 'BINARY_FLOAT') return { kind: 'float32' };
  if (name === 'BINARY_DOUBLE') return { kind: 'float64' };
  if (name === 'VARCHAR2' || name === 'CHAR') {
    // BYTE semantics: at most n bytes, so at most n characters; CHAR semantics: n characters.
    const length = (t.charUsed === 'C' ? t.charLength : t.dataLength) ?? t.charLength ?? undefined;
    return { kind: name === 'CHAR' ? 'char' : 'varchar', length: length ?? undefined };
  }
  if (name === 'NVARCHAR2') return { kind: 'varchar', length: t.charLength ?? undefined };
  if (name === 'NCHAR') return { kind: 'char', length: t.charLength ?? undefined };
  if (name === 'CLOB' || name === 'NCLOB') return { kind: 'text' };
  if (name === 'LONG') return { kind: 'text', readNote: 'LONG is deprecated in Oracle: read as text' };
  if (name === 'BLOB' || name === 'LONG RAW') return { kind: 'binary' };
  if (name === 'RAW') return { kind: 'binary', length: t.dataLength ?? undefined };
  if (name === 'DATE') {
    return { kind: 'timestamp', precision: 0, readNote: 'Oracle DATE carries a time of day to the second: read as a timestamp, not a date' };
  }
  const ts = /^TIMESTAMP(?:\((\d)\))?( WITH LOCAL TIME ZONE| WITH TIME ZONE)?$/.exec(name);
  if (ts) return timestamp(ts[1] === undefined ? 6 : Number(ts[1]), ts[2]?.trim());
  if (/^INTERVAL YEAR(\(\d\))? TO MONTH$/.test(name)) {
    return { kind: 'varchar', length: 32, readConfidence: 0.8, readNote: `${name} has no canonical type: read as its text (+YY-MM), a duration the target keeps as text` };
  }
  if (/^INTERVAL DAY(\(\d\))? TO SECOND(\(\d\))?$/.test(name)) {
    return { kind: 'varchar', length: 32, readConfidence: 0.8, readNote: `${name} has no canonical type: read as its text (+DD HH:MI:SS.FF), a duration the target keeps as text` };
  }
  if (name === 'JSON') return { kind: 'json' };
  if (name === 'BOOLEAN') return { kind: 'boolean' };
  if (name === 'ROWID' || name === 'UROWID') {
    return { kind: 'unsupported', readConfidence: 0, readNote: `${name} is the physical address of a row in this Oracle database: it means nothing in another database, so it is not migrated` };
  }
  return { kind: 'unsupported', readConfidence: 0, readNote: `type ${name} is not supported by Sensei` };
}

/** NUMBER(p,s): integers by digits, decimals by precision and scale; NUMBER alone is a decimal of up to 38 digits, never a float. */
function number(precision: number | null, scale: number | null): CanonicalType {
  if (precision === null && scale === null) {
    return { kind: 'decimal', readNote: 'NUMBER without precision or scale is a decimal of up to 38 significant digits: read as an unconstrained decimal' };
  }
  if (precision === null) return { kind: 'decimal', precision: 38, scale: scale ?? 0 };
  const s = scale ?? 0;
  if (s < 0) return { kind: 'decimal', precision: precision - s, scale: 0, readNote: `NUMBER(${precision},${s}) rounds to 10^${-s}: read as an integer decimal` };
  if (s === 0 && precision <= 4) return { kind: 'int16' };
  if (s === 0 && precision <= 9) return { kind: 'int32' };
  if (s === 0 && precision <= 18) return { kind: 'int64' };
  return { kind: 'decimal', precision, scale: s };
}

function timestamp(precision: number, zone: string | undefined): CanonicalType {
  const cut = precision > 6 ? { readConfidence: 0.95, readNote: `fractions beyond microseconds (TIMESTAMP(${precision})) are cut to six digits` } : {};
  if (zone === 'WITH TIME ZONE') {
    const note = 'each value is converted to UTC: its own time zone (offset or region) is not kept';
    return { kind: 'timestamptz', precision: Math.min(precision, 6), readConfidence: Math.min(cut.readConfidence ?? 1, 0.95), readNote: cut.readNote ? `${cut.readNote}; ${note}` : note };
  }
  if (zone === 'WITH LOCAL TIME ZONE') return { kind: 'timestamptz', precision: Math.min(precision, 6), ...cut };
  return { kind: 'timestamp', precision: Math.min(precision, 6), ...cut };
}

/** A type name as a person types it (`number(10,2)`, `varchar2(40 char)`, `timestamp(3) with time zone`). */
export function parseTypeName(text: string): CanonicalType {
  const t = text.trim().toUpperCase().replace(/\s+/g, ' ');
  const name = /^[A-Z_0-9]+(?: [A-Z]+)*/.exec(t.replace(/\(.*?\)/g, ''))?.[0] ?? t;
  // `(40 CHAR)`: the number before the length semantics.
  const args = typeArgs(t.replace(/\s+(BYTE|CHAR)\)/, ')'));
  const semantics = /\bCHAR\)/.test(t) ? 'C' : 'B';
  if (/^NUMBER/.test(t)) {
    const star = /^NUMBER\(\s*\*\s*(?:,\s*(-?\d+))?\)/.exec(t);
    if (star) return toCanonical({ dataType: 'NUMBER', dataPrecision: null, dataScale: Number(star[1] ?? 0) });
    return toCanonical({ dataType: 'NUMBER', dataPrecision: args[0] ?? null, dataScale: args.length ? (args[1] ?? 0) : null });
  }
  if (/^INTEGER|^INT\b|^SMALLINT/.test(t)) return toCanonical({ dataType: 'NUMBER', dataPrecision: null, dataScale: 0 });
  if (/^TIMESTAMP|^INTERVAL/.test(t)) return toCanonical({ dataType: t });
  return toCanonical({
    dataType: name.replace(/ (BYTE|CHAR)$/, ''),
    dataLength: args[0] ?? null,
    charLength: args[0] ?? null,
    dataPrecision: args[0] ?? null,
    charUsed: semantics,
  });
}

/** Oracle keeps '' as NULL: what that means for a text column written into Oracle. */
function emptyStringNote(context: TargetTypeContext): { confidence: number; note: string } {
  return context.notNull
    ? { confidence: 0.9, note: "Oracle stores an empty string as NULL: a row whose value here is '' is rejected by this NOT NULL column" }
    : { confidence: 0.95, note: "Oracle stores an empty string as NULL: '' arrives as NULL" };
}

function withEmptyString(choice: TargetTypeChoice, context: TargetTypeContext): TargetTypeChoice {
  const e = emptyStringNote(context);
  return { sql: choice.sql, confidence: Math.min(choice.confidence, e.confidence), note: choice.note ? `${choice.note}; ${e.note}` : e.note };
}

export function fromCanonical(type: CanonicalType, context: TargetTypeContext = {}): TargetTypeChoice {
  const p = Math.min(type.precision ?? 6, 9);
  switch (type.kind) {
    case 'int16':
      return { sql: 'NUMBER(5)', confidence: 1 };
    case 'int32':
      return { sql: 'NUMBER(10)', confidence: 1 };
    case 'int64':
      return { sql: type.unsigned ? 'NUMBER(20)' : 'NUMBER(19)', confidence: 1 };
    case 'decimal':
      return decimal(type);
    case 'float32':
      return { sql: 'BINARY_FLOAT', confidence: 1 };
    case 'float64':
      return { sql: 'BINARY_DOUBLE', confidence: 1 };
    case 'boolean':
      return { sql: 'NUMBER(1)', confidence: 0.95, note: 'Oracle before 23ai has no SQL BOOLEAN: stored as NUMBER(1), 1 for true and 0 for false' };
    case 'char':
    case 'varchar':
    case 'text':
    case 'enum':
    case 'uuid':
      return withEmptyString(text(type, context), context);
    case 'date':
      return { sql: 'DATE', confidence: 1, note: 'Oracle DATE also holds a time of day: midnight here' };
    case 'time':
      return { sql: 'VARCHAR2(15 CHAR)', confidence: 0.8, note: 'Oracle has no TIME type: stored as its text HH:MI:SS[.ffffff]' };
    case 'timestamp':
      return { sql: `TIMESTAMP(${p})`, confidence: 1 };
    case 'timestamptz':
      return { sql: `TIMESTAMP(${p}) WITH TIME ZONE`, confidence: 1 };
    case 'json':
      return { sql: 'CLOB', confidence: 0.95, note: 'stored as CLOB holding the JSON text (the JSON type needs Oracle 21c)' };
    case 'binary':
      if (type.length !== undefined && type.length <= MAX_RAW_BYTES) return { sql: `RAW(${type.length})`, confidence: 1 };
      if (context.inKey) return { sql: `RAW(${MAX_RAW_BYTES})`, confidence: 0.8, note: `key column: Oracle cannot key a BLOB; values over ${MAX_RAW_BYTES} bytes would fail` };
      return { sql: 'BLOB', confidence: 1 };
    default:
      return { sql: '', confidence: 0, note: type.readNote ?? 'not supported by Sensei' };
  }
}

function text(type: CanonicalType, context: TargetTypeContext): TargetTypeChoice {
  if (type.kind === 'uuid') return { sql: 'VARCHAR2(36 CHAR)', confidence: 0.95, note: 'uuid stored as VARCHAR2(36) text (lower case)' };
  if (type.kind === 'enum') {
    const longest = Math.max(1, ...(type.values ?? []).map((v) => [...v].length));
    return { sql: `VARCHAR2(${longest} CHAR)`, confidence: 1, note: 'enum stored as VARCHAR2 with a CHECK of its labels' };
  }
  if (type.kind === 'char' && (type.length ?? 1) <= MAX_CHAR_BYTES / 4) return { sql: `CHAR(${type.length ?? 1} CHAR)`, confidence: 1 };
  const length = type.kind === 'text' ? undefined : type.length;
  if (length !== undefined && length <= MAX_VARCHAR2_BYTES) {
    // n CHAR still holds at most 4000 bytes: four-byte UTF-8 text longer than 1000 characters may not fit.
    if (length <= MAX_VARCHAR2_BYTES / 4) return { sql: `VARCHAR2(${length} CHAR)`, confidence: 1 };
    return { sql: `VARCHAR2(${length} CHAR)`, confidence: 0.95, note: `VARCHAR2 holds at most ${MAX_VARCHAR2_BYTES} bytes: text of ${length} characters may not fit when it is not ASCII` };
  }
  if (context.inKey) {
    return { sql: `VARCHAR2(${MAX_VARCHAR2_BYTES} CHAR)`, confidence: 0.8, note: `key column: Oracle cannot key a CLOB; values over ${MAX_VARCHAR2_BYTES} bytes would fail` };
  }
  return { sql: 'CLOB', confidence: 1 };
}

function decimal(type: CanonicalType): TargetTypeChoice {
  const p = type.precision;
  const s = type.scale ?? 0;
  if (p === undefined) {
    return { sql: 'NUMBER', confidence: 0.9, note: 'unconstrained decimal stored as NUMBER: more than 38 significant digits are rounded' };
  }
  if (p <= 38 && s >= -84 && s <= 127) return { sql: s ? `NUMBER(${p},${s})` : `NUMBER(${p})`, confidence: 1 };
  return { sql: `NUMBER(38,${Math.min(s, 38)})`, confidence: 0.7, note: `decimal(${p},${s}) exceeds Oracle's 38 digits: larger values fail and extra digits are rounded` };
}

/** How many bytes a name may take in an Oracle server of this version: 128 since 12.2, 30 before. */
export function maxNameBytesFor(serverVersion: string): number {
  const [major, minor] = serverVersion.split('.').map((n) => Number(n));
  if (!Number.isFinite(major)) return 128;
  return major > 12 || (major === 12 && (minor ?? 0) >= 2) ? 128 : 30;
}
