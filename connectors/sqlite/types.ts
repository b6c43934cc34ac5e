/**
 * SQLite ⇄ canonical types. Pure: no driver imports.
 * SQLite stores values by storage class and derives a column "affinity" from the declared type name
 * (https://www.sqlite.org/datatype3.html §3.1); well-known names are read for their intent first.
 */
import type { CanonicalType, ColumnInfo } from '../../lib/types';
import { compact, typeArgs, type TargetTypeChoice, type TargetTypeContext } from '../../lib/typemap/common';

export interface SqliteNativeType {
  /** The declared type as PRAGMA table_info reports it, e.g. `NVARCHAR(120)`, `NUMERIC(10,2)`, ``. */
  declared: string;
  /** INTEGER PRIMARY KEY AUTOINCREMENT. */
  autoIncrement?: boolean;
}

const NUMERIC_NOTE =
  'SQLite NUMERIC affinity stores decimals as REAL when they are not integers: more than 15 significant digits may have been rounded on insert';

export function toCanonical(info: SqliteNativeType): CanonicalType {
  const type = byName(info.declared) ?? byAffinity(info.declared);
  if (info.autoIncrement && type.kind.startsWith('int')) type.autoIncrement = true;
  return compact(type);
}

function byName(declared: string): CanonicalType | undefined {
  const t = declared.trim().toUpperCase();
  const name = t.replace(/\(.*$/, '').replace(/\s+/g, ' ').trim();
  const [a, b] = typeArgs(t);
  switch (name) {
    case 'BOOLEAN':
    case 'BOOL':
      return { kind: 'boolean' };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT2':
      return { kind: 'int16' };
    case 'INT':
    case 'INT4':
    case 'MEDIUMINT':
      return { kind: 'int32' };
    case 'INTEGER':
    case 'BIGINT':
    case 'INT8':
      return { kind: 'int64' };
    case 'UNSIGNED BIG INT':
      return { kind: 'int64', unsigned: true };
    case 'DECIMAL':
    case 'NUMERIC':
      return {
        kind: 'decimal',
        precision: a,
        scale: a === undefined ? undefined : (b ?? 0),
        readConfidence: 0.9,
        readNote: NUMERIC_NOTE,
      };
    case 'REAL':
    case 'DOUBLE':
    case 'DOUBLE PRECISION':
    case 'FLOAT':
      return { kind: 'float64' };
    case 'DATE':
      return { kind: 'date' };
    case 'TIME':
      return { kind: 'time' };
    case 'DATETIME':
    case 'TIMESTAMP':
      return { kind: 'timestamp' };
    case 'TIMESTAMPTZ':
    case 'TIMESTAMP WITH TIME ZONE':
    case 'DATETIMEOFFSET':
      return { kind: 'timestamptz' };
    case 'JSON':
    case 'JSONB':
      return { kind: 'json' };
    case 'UUID':
    case 'GUID':
    case 'UNIQUEIDENTIFIER':
      return { kind: 'uuid' };
    case 'CHAR':
    case 'NCHAR':
    case 'CHARACTER':
      return { kind: 'char', length: a ?? 1, readNote: 'SQLite does not enforce lengths' };
    case 'VARCHAR':
    case 'NVARCHAR':
    case 'VARYING CHARACTER':
    case 'NATIVE CHARACTER':
    case 'CHARACTER VARYING':
      return { kind: 'varchar', length: a, readNote: a === undefined ? undefined : 'SQLite does not enforce lengths' };
    case 'TEXT':
    case 'CLOB':
      return { kind: 'text' };
    case 'BLOB':
      return { kind: 'binary' };
    case 'ANY':
      // A STRICT table's ANY column keeps every value as given (elsewhere ANY has NUMERIC affinity, and text that is
      // no number stays text): read as text, as a column without a declared type.
      return {
        kind: 'text',
        readConfidence: 0.5,
        readNote: 'column declared ANY: values of any storage class are read as text',
      };
    default:
      return undefined;
  }
}

/** SQLite's own five rules, in its order. */
function byAffinity(declared: string): CanonicalType {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return { kind: 'int64' };
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return { kind: 'text' };
  if (t.trim() === '') {
    return {
      kind: 'text',
      readConfidence: 0.5,
      readNote: 'column has no declared type: values of any storage class are read as text',
    };
  }
  if (t.includes('BLOB')) return { kind: 'binary' };
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return { kind: 'float64' };
  return { kind: 'decimal', readConfidence: 0.9, readNote: `${declared} has NUMERIC affinity: ${NUMERIC_NOTE}` };
}

/** Significant digits SQLite keeps when NUMERIC affinity turns text into REAL. */
const REAL_DIGITS = 15;

export function fromCanonical(type: CanonicalType, _context: TargetTypeContext = {}): TargetTypeChoice {
  if (type.family === 'geometry' && type.spatial?.geodetic) {
    // PostGIS geography, as another dialect's geometry: its EWKB bytes, the SRID inside each value.
    return {
      sql: 'BLOB',
      confidence: 0.9,
      note: `stored as EWKB (WKB with its SRID, ${type.spatial.srid ?? 4326}) in a BLOB: SQLite has no spatial type, so nothing measures it, geodesically or otherwise`,
    };
  }
  switch (type.kind) {
    case 'int16':
      return { sql: 'SMALLINT', confidence: 1 };
    case 'int32':
      return { sql: 'INT', confidence: 1 };
    case 'int64':
      if (type.unsigned) return { sql: 'BIGINT', confidence: 0.8, note: 'SQLite integers are signed 64-bit: values above 9223372036854775807 do not fit' };
      // An auto-increment key is declared INTEGER, as the table is created (only INTEGER PRIMARY KEY is the rowid): 64-bit.
      return { sql: type.autoIncrement ? 'INTEGER' : 'BIGINT', confidence: 1 };
    case 'decimal':
      if (type.precision !== undefined && type.precision <= REAL_DIGITS) {
        return { sql: `NUMERIC(${type.precision},${type.scale ?? 0})`, confidence: 1 };
      }
      return {
        sql: 'TEXT',
        confidence: 0.9,
        note: 'SQLite NUMERIC keeps only 15 significant digits: stored as exact decimal text (MIN, MAX and ORDER BY on it compare as text)',
      };
    case 'float32':
    case 'float64':
      return { sql: 'REAL', confidence: 1 };
    case 'boolean':
      return { sql: 'BOOLEAN', confidence: 1, note: 'stored as 1/0' };
    case 'char':
      return { sql: `CHAR(${type.length ?? 1})`, confidence: 1 };
    case 'varchar':
      return { sql: type.length ? `VARCHAR(${type.length})` : 'TEXT', confidence: 1 };
    case 'text':
      return { sql: 'TEXT', confidence: 1 };
    case 'date':
      return { sql: 'DATE', confidence: 1, note: "stored as text 'YYYY-MM-DD'" };
    case 'time':
      return { sql: 'TIME', confidence: 1, note: "stored as text 'HH:MM:SS[.ffffff]'" };
    case 'timestamp':
      return { sql: 'DATETIME', confidence: 1, note: "stored as text 'YYYY-MM-DD HH:MM:SS[.ffffff]'" };
    case 'timestamptz':
      return {
        sql: 'TEXT',
        confidence: 0.95,
        note: "SQLite has no time-zone type: stored as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]Z'",
      };
    case 'json':
      return { sql: 'TEXT', confidence: 0.95, note: 'SQLite has no JSON type: stored as JSON text (json functions still apply)' };
    case 'uuid':
      return { sql: 'TEXT', confidence: 0.95, note: 'uuid stored as text (lower case)' };
    case 'binary':
      return { sql: 'BLOB', confidence: 1 };
    case 'enum':
      return { sql: 'TEXT', confidence: 1, note: `TEXT with CHECK (value IN (${(type.values ?? []).join(', ')}))` };
    default:
      return { sql: '', confidence: 0, note: type.readNote ?? 'not supported by Sensei' };
  }
}

/** A column's affinity, by SQLite's five rules in its order (https://www.sqlite.org/datatype3.html §3.1). */
export function affinity(declared: string): 'integer' | 'text' | 'blob' | 'real' | 'numeric' {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'text';
  // ANY (a STRICT table's any-value column) converts nothing either: values bind as the class they are.
  if (t.includes('BLOB') || t.trim() === '' || t.trim() === 'ANY') return 'blob';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'real';
  return 'numeric';
}

/** SQLite → SQLite: every column keeps its declared type as written (none, when it has none), and so its affinity. */
export function sameDialect(column: ColumnInfo): TargetTypeChoice {
  return { sql: column.nativeType, confidence: 1 };
}
