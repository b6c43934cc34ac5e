/** MySQL / MariaDB ⇄ canonical types. Pure: no driver imports. */
import type { CanonicalType, ColumnInfo, SpatialModifiers } from '../../lib/types';
import { compact, portableAs, typeArgs, type TargetTypeChoice, type TargetTypeContext } from '../../lib/typemap/common';

export interface MysqlNativeType {
  /** information_schema.COLUMNS.COLUMN_TYPE, e.g. `int(10) unsigned`, `tinyint(1)`, `enum('a','b')`. */
  columnType: string;
  /** information_schema.COLUMNS.EXTRA, e.g. `auto_increment`. */
  extra?: string;
  /** MariaDB declares JSON as LONGTEXT with CHECK (json_valid(col)); true when that check exists. */
  jsonCheck?: boolean;
  /**
   * A spatial column's declared SRID as read from the database (MariaDB GEOMETRY_COLUMNS.SRID, its REF_SYSTEM_ID; 0:
   * none). Only columns read from a database have it: then their subtype and SRID are kept for other dialects
   * (SpatialModifiers); a typed name (a mapping edit, judged inside running workflows) has none and reads as it always did.
   */
  srid?: number;
  /** The column is NOT NULL (read from a database): a zero date, read as NULL for another dialect, cannot be copied. */
  notNull?: boolean;
}

/** What the gate says of every date, DATETIME and TIMESTAMP read for another dialect (index.ts reads them so). */
const ZERO_DATE = "a zero date ('0000-00-00', or a zero month or day) has no equal in other dialects: it is read as NULL";
const ZERO_DATES = `${ZERO_DATE} (mapped to text at the gate, the column keeps it as it is)`;

/** What the gate says of such a column that is NOT NULL: the NULL a zero date is read as cannot be written. */
const ZERO_DATES_NOT_NULL = `${ZERO_DATE}, which this NOT NULL column cannot take: a row holding one is rejected by key (mapped to text at the gate, the column keeps them as they are)`;

/** What the gate says of a NOT NULL column the analysis found holding zero dates (see MysqlConnector.markZeroDates). */
export const ZERO_DATES_FOUND = `${ZERO_DATE}, which this NOT NULL column cannot take, and the analysis found it holding some: each row holding one is rejected by key unless the column is mapped to text at the gate (it then keeps them as they are)`;

/** How sure a mapping of such a column is: below 1, so the gate waits for a person even with auto_approve_high_confidence. */
export const ZERO_DATES_FOUND_CONFIDENCE = 0.5;

/** MySQL quotes enum labels as 'a','b''c' (and MariaDB may escape with backslashes). */
export function parseEnumLabels(columnType: string): string[] {
  const body = columnType.slice(columnType.indexOf('(') + 1, columnType.lastIndexOf(')'));
  const labels: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    labels.push(m[1].replace(/''/g, "'").replace(/\\(.)/g, '$1'));
  }
  return labels;
}

export function toCanonical(info: MysqlNativeType): CanonicalType {
  const type = baseType(info);
  if (/auto_increment/i.test(info.extra ?? '') && type.kind.startsWith('int')) type.autoIncrement = true;
  return compact(type);
}

function baseType(info: MysqlNativeType): CanonicalType {
  const t = info.columnType.trim().toLowerCase();
  // INET4/INET6 are names of their own; INT4, FLOAT8 and the like keep reading as INT/FLOAT, as they always did (this
  // parser also judges mapping edits inside running workflows, whose replays must see the same answer).
  const name = /^inet[46]\b/.test(t) ? t.slice(0, 5) : (/^[a-z]+/.exec(t)?.[0] ?? t);
  const unsigned = /\bunsigned\b/.test(t);
  const [a, b] = typeArgs(t);
  const zeroDates = info.notNull ? ZERO_DATES_NOT_NULL : ZERO_DATES;
  switch (name) {
    case 'tinyint':
      if (a === 1 && !unsigned) {
        return {
          kind: 'boolean',
          readConfidence: 0.9,
          readNote: 'TINYINT(1) is read as boolean: a row holding a value other than 0 and 1 is rejected, named by its key',
        };
      }
      return { kind: 'int16' };
    case 'bool':
    case 'boolean':
      return { kind: 'boolean', readConfidence: 0.9, readNote: 'BOOLEAN is TINYINT(1): a row holding a value other than 0 and 1 is rejected, named by its key' };
    case 'smallint':
      return unsigned ? { kind: 'int32' } : { kind: 'int16' };
    case 'mediumint':
      return { kind: 'int32' };
    case 'int':
    case 'integer':
      return unsigned ? { kind: 'int64' } : { kind: 'int32' };
    case 'bigint':
      return unsigned ? { kind: 'int64', unsigned: true } : { kind: 'int64' };
    case 'decimal':
    case 'numeric':
      return { kind: 'decimal', precision: a ?? 10, scale: b ?? 0 };
    case 'float':
      return { kind: 'float32' };
    case 'double':
    case 'real':
      return { kind: 'float64' };
    case 'bit':
      // BIT(n) is an unsigned number of n bits (its values travel as that number; see nativeForm); elsewhere as its n digits.
      return (a ?? 1) === 1
        ? { kind: 'boolean' }
        : { ...native(info.columnType, portableAs('text', 'bits', 1, `BIT(${a}) stored as its ${a} binary digits`, { length: a })), unsigned: true };
    case 'char':
      return { kind: 'char', length: a ?? 1 };
    case 'varchar':
      return { kind: 'varchar', length: a };
    case 'tinytext':
    case 'text':
    case 'mediumtext':
      return { kind: 'text' };
    case 'longtext':
      return info.jsonCheck ? { kind: 'json' } : { kind: 'text' };
    case 'json':
      return { kind: 'json' };
    case 'binary':
    case 'varbinary':
      return { kind: 'binary', length: a };
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return { kind: 'binary' };
    case 'date':
      return { kind: 'date', readNote: zeroDates };
    case 'time':
      return { kind: 'time', precision: a, duration: true, readNote: 'MySQL TIME may hold durations beyond 24 hours' };
    case 'datetime':
      return { kind: 'timestamp', precision: a, readNote: zeroDates };
    case 'timestamp':
      // Stored in UTC and shown in the session zone, which Sensei sets to +00:00.
      return { kind: 'timestamptz', precision: a, readNote: zeroDates };
    case 'year':
      return { kind: 'int16', check: 'VALUE = 0 OR VALUE BETWEEN 1901 AND 2155', readNote: 'YEAR stored as a small integer with CHECK (0 or 1901 to 2155)' };
    case 'enum':
      return { kind: 'enum', values: parseEnumLabels(info.columnType) };
    case 'uuid':
      return { kind: 'uuid' };
    case 'set':
      return native(info.columnType, portableAs('json', 'set', 1, 'SET stored as an array of its labels', { values: parseEnumLabels(info.columnType) }));
    case 'inet4':
    case 'inet6':
      return native(info.columnType, portableAs('text', 'inet', 1, `${name.toUpperCase()} stored as its address text`));
    default:
      if (GEOMETRY_TYPES.test(name)) {
        const spatial = info.srid === undefined ? undefined : declaredSpatial(name, info.srid);
        return native(info.columnType, portableAs('binary', 'geometry', 1, `${name.toUpperCase()} read as EWKB (WKB with its SRID)`, spatial ? { spatial } : {}));
      }
      return native(info.columnType, portableAs('text', 'other', 0.7, `${info.columnType} stored as its MariaDB/MySQL text`));
  }
}

const GEOMETRY_TYPES = /^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection|geomcollection)$/;

/** MariaDB/MySQL spatial types as PostGIS spells them for SpatialModifiers.subtype (GEOMETRY: any, none). */
const POSTGIS_SUBTYPES: Readonly<Record<string, string>> = {
  point: 'Point',
  linestring: 'LineString',
  polygon: 'Polygon',
  multipoint: 'MultiPoint',
  multilinestring: 'MultiLineString',
  multipolygon: 'MultiPolygon',
  geometrycollection: 'GeometryCollection',
  geomcollection: 'GeometryCollection',
};

/** What a spatial column declares beyond GEOMETRY (its subtype, an SRID other than 0), or nothing. */
function declaredSpatial(name: string, srid: number): SpatialModifiers | undefined {
  const subtype = POSTGIS_SUBTYPES[name];
  if (!subtype && !srid) return undefined;
  return { ...(subtype ? { subtype } : {}), ...(srid ? { srid } : {}) };
}

/** Whether a declared type (`GEOMETRY`, `point`) is one of the spatial types. */
export function isGeometryType(sql: string): boolean {
  return GEOMETRY_TYPES.test(sql.trim().toLowerCase());
}

/** A type only MariaDB/MySQL declares: carried as its own value to MariaDB/MySQL targets, as `portable` to the others. */
function native(columnType: string, portable: CanonicalType): CanonicalType {
  return { kind: 'native', readNote: `type ${columnType} exists only in MariaDB/MySQL`, portable };
}

/**
 * How a value of this native type travels between two MariaDB/MySQL servers, exactly: `bits` (BIT(n), as its
 * unsigned number), `bytes` (binary strings and GEOMETRY, as hex of their stored bytes) or `text` (the server's own text).
 */
export function nativeForm(columnType: string): 'bits' | 'bytes' | 'text' {
  const name = /^[a-z]+/.exec(columnType.trim().toLowerCase())?.[0] ?? '';
  if (name === 'bit') return 'bits';
  if (/^(binary|varbinary|tinyblob|blob|mediumblob|longblob|geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection)$/.test(name)) return 'bytes';
  return 'text';
}

/**
 * A MySQL 8 column default as SQL, the way MariaDB reports it (a literal quoted, an expression as written): MySQL
 * reports a literal unquoted and an expression (EXTRA DEFAULT_GENERATED) without its parentheses.
 */
export function mysqlDefaultSql(raw: string, extra: string, columnType: string): string {
  if (/\bDEFAULT_GENERATED\b/i.test(extra)) return /^current_timestamp(\(\d*\))?$/i.test(raw.trim()) ? raw : `(${raw})`;
  if (/^b'[01]*'$/i.test(raw) || /^0x[0-9a-f]*$/i.test(raw)) return raw;
  const numeric = /^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|float|double|real|year)\b/i.test(columnType.trim());
  if (numeric && /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw)) return raw;
  return `'${raw.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** MariaDB/MySQL → MariaDB/MySQL: every column keeps its COLUMN_TYPE (JSON as JSON: MariaDB's LONGTEXT with its json_valid CHECK). */
export function sameDialect(column: ColumnInfo): TargetTypeChoice {
  return { sql: column.type.kind === 'json' ? 'JSON' : column.nativeType, confidence: 1 };
}

/** Longest VARCHAR that still fits MySQL's 65,535-byte row limit in utf8mb4 with room for other columns. */
const MAX_VARCHAR = 16_383;

function quoteLabel(label: string): string {
  return `'${label.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Types of other dialects' families, kept as text of a bounded length here (PostgreSQL inet, macaddr, interval, bit). */
function familyType(type: CanonicalType, context: TargetTypeContext): TargetTypeChoice | null {
  switch (type.family) {
    case 'inet':
      // 39 characters of IPv6, 4 of a /128 mask: every inet/cidr text fits. INET6 would lose the mask and IPv4's form.
      return { sql: 'VARCHAR(43)', confidence: 1 };
    case 'macaddr':
      return { sql: 'VARCHAR(23)', confidence: 1 };
    case 'interval':
      return { sql: 'VARCHAR(100)', confidence: 1 };
    case 'bits':
      if (type.length !== undefined && type.length <= MAX_VARCHAR) return { sql: `VARCHAR(${type.length})`, confidence: 1 };
      return text(context);
    case 'geometry':
      if (type.spatial?.geodetic) return geographyType(type.spatial);
      if (type.spatial) return typedGeometry(type.spatial);
      // PostGIS geometry (EWKB): the values keep their SRID; the column takes every geometry type, as PostGIS's does.
      return {
        sql: 'GEOMETRY',
        confidence: 0.95,
        note: "stored as GEOMETRY, each value with its SRID: a PostGIS type modifier (geometry(Point,4326)) is not enforced, and geometries with Z or M coordinates are rejected (MariaDB/MySQL geometry is 2D)",
      };
    default:
      return null;
  }
}

/** PostGIS subtypes (`Point`, `MultiPolygonZ`) as MariaDB/MySQL spatial types, without the Z/M suffix those have no form for. */
const SUBTYPES: Readonly<Record<string, string>> = {
  point: 'POINT',
  linestring: 'LINESTRING',
  polygon: 'POLYGON',
  multipoint: 'MULTIPOINT',
  multilinestring: 'MULTILINESTRING',
  multipolygon: 'MULTIPOLYGON',
  geometrycollection: 'GEOMETRYCOLLECTION',
};

/** A PostGIS subtype (`Point`, `MultiPolygonZ`) as the spatial type of its 2D form, with the Z/M suffix it had, if any. */
function subtypeOf(spatial: SpatialModifiers): { sql: string; dimensions?: string } {
  const name = (spatial.subtype ?? '').toLowerCase();
  const dimensions = /^(.+?)(zm|z|m)$/.exec(name);
  const sql = SUBTYPES[dimensions ? (dimensions[1] as string) : name] ?? 'GEOMETRY';
  return { sql, ...(dimensions ? { dimensions: dimensions[2].toUpperCase() } : {}) };
}

/** How the column keeps an SRID: declared (REF_SYSTEM_ID, see spatialSridClause) when it can be, and in every value. */
function sridDeclared(srid: number): string {
  return spatialSridClause(srid)
    ? `with SRID ${srid} (MariaDB REF_SYSTEM_ID), each value with its SRID`
    : `each value with its SRID ${srid} (MariaDB declares a column's SRID only up to ${MAX_COLUMN_SRID}: the column does not)`;
}

/**
 * PostGIS geography: its subtype's spatial type, the SRID kept on the column (the connector declares it: see
 * spatialSridClause) and in every value. MariaDB/MySQL compute on the plane: what was geodesic is said at the gate.
 */
function geographyType(spatial: SpatialModifiers): TargetTypeChoice {
  const { sql, dimensions } = subtypeOf(spatial);
  const srid = spatial.srid ?? 4326;
  const notes = [
    `stored as ${sql} ${sridDeclared(srid)}: MariaDB/MySQL compute on the plane, so distances, areas and ` +
      `intersections that PostGIS measured on the spheroid (metres) become planar in degrees`,
  ];
  if (dimensions) notes.push(`its ${dimensions} coordinates have no MariaDB/MySQL form (2D only): every value is rejected`);
  if (spatial.customSrs) notes.push(`SRID ${srid} is a spatial_ref_sys row the source's users added (${spatial.customSrs}): its definition is not migrated`);
  return { sql, confidence: dimensions ? 0.3 : 0.9, note: notes.join('; ') };
}

/**
 * PostGIS geometry with a type modifier (geometry(Point,4326)): its subtype's spatial type, the SRID (if any) kept on
 * the column as for geography and in every value. A Z or M subtype has no 2D form here: every value is rejected.
 */
function typedGeometry(spatial: SpatialModifiers): TargetTypeChoice {
  const { sql, dimensions } = subtypeOf(spatial);
  const notes = [spatial.srid === undefined ? `stored as ${sql}, each value with its SRID` : `stored as ${sql} ${sridDeclared(spatial.srid)}`];
  if (dimensions) notes.push(`its ${dimensions} coordinates have no MariaDB/MySQL form (2D only): every value is rejected`);
  if (spatial.customSrs && spatial.srid !== undefined) {
    notes.push(`SRID ${spatial.srid} is a spatial_ref_sys row the source's users added (${spatial.customSrs}): its definition is not migrated`);
  }
  return { sql, confidence: dimensions ? 0.3 : 1, note: notes.join('; ') };
}

/**
 * The column attribute that declares a spatial column's SRID, as an executable comment MariaDB runs
 * (`REF_SYSTEM_ID=4326`) and MySQL skips. MySQL 8 says `SRID 4326` instead, which MariaDB refuses; there a geographic
 * SRID also makes the server check the values and measure on the spheroid, which Sensei has not run, so it is not written.
 */
export function spatialSridClause(srid: number): string {
  return Number.isInteger(srid) && srid >= 0 && srid <= MAX_COLUMN_SRID ? `/*M! REF_SYSTEM_ID=${srid} */` : '';
}

/** MariaDB keeps a column's REF_SYSTEM_ID in 15 bits: a larger one is silently stored as 32767 (values keep any SRID). */
const MAX_COLUMN_SRID = 32_767;

export function fromCanonical(type: CanonicalType, context: TargetTypeContext = {}): TargetTypeChoice {
  const p = type.precision;
  const fsp = p === undefined ? 6 : Math.min(p, 6);
  const family = familyType(type, context);
  if (family) return family;
  switch (type.kind) {
    case 'int16':
      return { sql: 'SMALLINT', confidence: 1 };
    case 'int32':
      return { sql: type.unsigned ? 'INT UNSIGNED' : 'INT', confidence: 1 };
    case 'int64':
      return { sql: type.unsigned ? 'BIGINT UNSIGNED' : 'BIGINT', confidence: 1 };
    case 'decimal':
      return decimal(type);
    case 'float32':
      return { sql: 'FLOAT', confidence: 1 };
    case 'float64':
      return { sql: 'DOUBLE', confidence: 1 };
    case 'boolean':
      return { sql: 'TINYINT(1)', confidence: 1, note: 'MySQL BOOLEAN is TINYINT(1) (1/0)' };
    case 'char':
      return (type.length ?? 1) <= 255
        ? { sql: `CHAR(${type.length ?? 1})`, confidence: 1 }
        : { sql: `VARCHAR(${type.length})`, confidence: 1, note: 'CHAR longer than 255 stored as VARCHAR' };
    case 'varchar':
      if (type.length !== undefined && type.length <= MAX_VARCHAR) return { sql: `VARCHAR(${type.length})`, confidence: 1 };
      return text(context);
    case 'text':
      return text(context);
    case 'date':
      return { sql: 'DATE', confidence: 1 };
    case 'time':
      return { sql: `TIME(${fsp})`, confidence: 1 };
    case 'timestamp':
      return { sql: `DATETIME(${fsp})`, confidence: 1 };
    case 'timestamptz':
      return {
        sql: `DATETIME(${fsp})`,
        confidence: 0.9,
        note: 'MySQL has no time-zone-aware type with the full range: stored as DATETIME holding UTC',
      };
    case 'json':
      return { sql: 'JSON', confidence: 1 };
    case 'uuid':
      return { sql: 'CHAR(36)', confidence: 0.95, note: 'uuid stored as CHAR(36) text (lower case)' };
    case 'binary':
      if (type.length !== undefined && type.length <= 65_535 && !context.inKey) return { sql: `VARBINARY(${type.length})`, confidence: 1 };
      if (context.inKey) {
        return { sql: 'VARBINARY(255)', confidence: 0.8, note: 'key column: MySQL cannot key an unbounded BLOB; values over 255 bytes would fail' };
      }
      return { sql: 'LONGBLOB', confidence: 1 };
    case 'enum':
      return { sql: `ENUM(${(type.values ?? []).map(quoteLabel).join(',')})`, confidence: 1 };
    default:
      return { sql: '', confidence: 0, note: type.readNote ?? 'not supported by Sensei' };
  }
}

function text(context: TargetTypeContext): TargetTypeChoice {
  if (context.inKey) {
    return {
      sql: 'VARCHAR(255)',
      confidence: 0.8,
      note: 'key column: MySQL cannot key unbounded TEXT; values over 255 characters would fail',
    };
  }
  return { sql: 'LONGTEXT', confidence: 1 };
}

function decimal(type: CanonicalType): TargetTypeChoice {
  const p = type.precision;
  const s = type.scale ?? 0;
  if (p === undefined) {
    return {
      sql: 'DECIMAL(65,30)',
      confidence: 0.8,
      note: 'unconstrained numeric stored as DECIMAL(65,30): more than 35 integer or 30 fraction digits do not fit',
    };
  }
  if (p <= 65 && s <= 30) return { sql: `DECIMAL(${p},${s})`, confidence: 1 };
  return {
    sql: `DECIMAL(65,${Math.min(s, 30)})`,
    confidence: 0.7,
    note: `numeric(${p},${s}) exceeds MySQL's DECIMAL(65,30): larger values fail and extra fraction digits are rounded`,
  };
}

/** MariaDB/MySQL indexes TEXT, BLOB and JSON columns only by a prefix of each value, which a copied index does not have. */
export function indexRefusal(sql: string): string | null {
  return /^(json|(tiny|medium|long)?(text|blob))$/i.test(sql.trim()) ? 'MariaDB/MySQL indexes TEXT, BLOB and JSON columns only by a prefix length' : null;
}

/** The bytes InnoDB keeps of one index key (DYNAMIC rows, 16 KB pages): a longer key is refused ("Specified key was too long"). */
export const INDEX_KEY_MAX_BYTES = 3072;

/** Bytes MariaDB/MySQL packs the 0 to 8 digits beyond a run of nine (four bytes) of a DECIMAL into. */
const DECIMAL_LEFTOVER_BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4];

/** Bytes of `digits` decimal digits as DECIMAL stores them: four for each nine, the rest packed. */
function decimalDigitBytes(digits: number): number {
  return Math.floor(digits / 9) * 4 + (DECIMAL_LEFTOVER_BYTES[digits % 9] as number);
}

/** Fixed sizes in an index key of the types whose size does not hang on their arguments. */
const FIXED_KEY_BYTES: Readonly<Record<string, number>> = {
  tinyint: 1,
  bool: 1,
  boolean: 1,
  year: 1,
  smallint: 2,
  mediumint: 3,
  int: 4,
  integer: 4,
  bigint: 8,
  double: 8,
  real: 8,
  date: 3,
  inet4: 4,
  inet6: 16,
  uuid: 16,
};

/**
 * The most bytes a column of this declared type (as fromCanonical writes it, or as edited) takes in an index key, in
 * utf8mb4 (4 bytes a character, as every table here is made): how an index past INDEX_KEY_MAX_BYTES is found before the
 * copy, where the CREATE INDEX after it failed the migration. null for what no plain index holds whole (TEXT, BLOB, JSON:
 * see indexRefusal; GEOMETRY, indexed SPATIAL) or what this does not read.
 */
export function indexKeyBytes(sql: string): number | null {
  const t = sql.trim().toLowerCase();
  const name = /^[a-z0-9]+/.exec(t)?.[0] ?? '';
  const [a, b] = typeArgs(t);
  switch (name) {
    case 'char':
      return 4 * (a ?? 1);
    case 'varchar':
      return a === undefined ? null : 4 * a;
    case 'binary':
      return a ?? 1;
    case 'varbinary':
      return a ?? null;
    case 'decimal':
    case 'numeric': {
      const precision = a ?? 10;
      const scale = b ?? 0;
      return decimalDigitBytes(precision - scale) + decimalDigitBytes(scale);
    }
    case 'bit':
      return Math.ceil((a ?? 1) / 8);
    // Fractional seconds take one byte for each two digits.
    case 'time':
      return 3 + Math.ceil((a ?? 0) / 2);
    case 'datetime':
      return 5 + Math.ceil((a ?? 0) / 2);
    case 'timestamp':
      return 4 + Math.ceil((a ?? 0) / 2);
    case 'enum':
      return parseEnumLabels(t).length > 255 ? 2 : 1;
    case 'set': {
      const members = parseEnumLabels(t).length;
      return members > 32 ? 8 : Math.max(1, Math.ceil(members / 8));
    }
    // FLOAT(p) past 24 bits of precision is a DOUBLE.
    case 'float':
      return a !== undefined && a > 24 ? 8 : 4;
    default:
      return FIXED_KEY_BYTES[name] ?? null;
  }
}

/**
 * The limits on a row's declared columns (ER_TOO_BIG_ROWSIZE at CREATE TABLE), each less a little room for the NULL
 * bits and headers: 65,535 bytes of the row, and InnoDB's 8,126 of it in the page (strict mode, DYNAMIC rows).
 */
export const ROW_LIMITS = [
  { maxBytes: 65_000, bytesOf: rowBytesOf, what: "bytes of a row's declared columns" },
  { maxBytes: 8_000, bytesOf: pageBytesOf, what: "bytes of a row's part InnoDB keeps in its page" },
];

/**
 * What a column of a declared type takes of a row's 65,535 bytes: a VARCHAR(n) or VARBINARY(n) its most (four bytes a
 * character in utf8mb4) and its length bytes, a TEXT, BLOB or JSON the pointer that stays in the row, another type its
 * fixed size.
 */
export function rowBytesOf(sql: string): number {
  const t = sql.trim().toLowerCase();
  const name = /^[a-z0-9]+/.exec(t)?.[0] ?? '';
  const [a] = typeArgs(t);
  if (name === 'varchar' && a !== undefined) return 4 * a + (4 * a > 255 ? 2 : 1);
  if (name === 'varbinary' && a !== undefined) return a + (a > 255 ? 2 : 1);
  if (/^(tiny|medium|long)?(text|blob)$|^json$/.test(name)) return 12;
  return indexKeyBytes(t) ?? 8;
}

/**
 * What a column of a declared type takes of InnoDB's in-page part of a row: one whose values may take more than 255
 * bytes (TEXT, BLOB, JSON, a long VARCHAR) may be kept off the page, behind a 20-byte pointer (measured: 380 TEXT
 * columns fit, 390 do not); a shorter one its most.
 */
export function pageBytesOf(sql: string): number {
  const t = sql.trim().toLowerCase();
  const name = /^[a-z0-9]+/.exec(t)?.[0] ?? '';
  const [a] = typeArgs(t);
  const most = name === 'varchar' || name === 'char' ? (a === undefined ? null : 4 * a) : name === 'varbinary' || name === 'binary' ? (a ?? null) : null;
  if (/^(tiny|medium|long)?(text|blob)$|^json$/.test(name) || (most !== null && most > 255)) return 21;
  if (most !== null) return most + 1;
  return indexKeyBytes(t) ?? 8;
}

/** The type that keeps a VARCHAR's or VARBINARY's values out of the row: TEXT (65,535 bytes) or MEDIUMTEXT, BLOB or MEDIUMBLOB. */
export function outOfRowType(sql: string): string | null {
  const t = sql.trim().toLowerCase();
  const name = /^[a-z0-9]+/.exec(t)?.[0] ?? '';
  const [a] = typeArgs(t);
  if (a === undefined) return null;
  const collation = /\b(COLLATE\s+\S+)/i.exec(sql)?.[1];
  if (name === 'varchar') return `${4 * a <= 65_535 ? 'TEXT' : 'MEDIUMTEXT'}${collation ? ` ${collation}` : ''}`;
  if (name === 'varbinary') return a <= 65_535 ? 'BLOB' : 'MEDIUMBLOB';
  return null;
}
