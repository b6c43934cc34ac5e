/** PostgreSQL ⇄ canonical types. Pure: no driver imports. */
import type { CanonicalType, ColumnInfo, SpatialModifiers } from '../../lib/types';
import { fitName } from '../../lib/identifiers';
import { portableCheck } from '../../lib/typemap/check';
import { compact, portableAs, typeArgs, type TargetTypeChoice, type TargetTypeContext } from '../../lib/typemap/common';

/** A MySQL TIME (a duration up to ±838 hours) into a time of day (CanonicalType.duration). */
const DURATION_NOTE = 'a time of day from 00:00:00 to 24:00:00 here: a row whose value is negative or beyond (a duration) is rejected, named by its key';

export interface PostgresNativeType {
  /** format_type(atttypid, atttypmod), e.g. `character varying(160)`, `timestamp(3) with time zone`. */
  formatted: string;
  /** pg_type.typtype: 'b' base, 'e' enum, 'd' domain, … */
  typtype?: string;
  /** Labels of an enum type, in sort order. */
  enumLabels?: string[];
  /** attidentity is 'a' or 'd'. */
  identity?: boolean;
  /** Column default expression (serial columns default to nextval(…)). */
  default?: string | null;
  /** The column owns a sequence (serial); absent: a nextval(…) default is taken to be a serial's. */
  ownedSequence?: boolean;
  /** A domain's base type (typtype 'd'), itself read the same way (a domain over a domain has one too). */
  domainBase?: PostgresNativeType;
  /** A domain's CHECK constraints, as pg_get_constraintdef prints them (`CHECK ((VALUE > 0))`). */
  domainChecks?: string[];
}

/** Short names PostgreSQL accepts in DDL, as format_type() spells them (what toCanonical reads). */
const ALIASES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  int2: 'smallint',
  int8: 'bigint',
  decimal: 'numeric',
  float4: 'real',
  float8: 'double precision',
  float: 'double precision',
  bool: 'boolean',
  varchar: 'character varying',
  char: 'character',
  timestamp: 'timestamp without time zone',
  timestamptz: 'timestamp with time zone',
  time: 'time without time zone',
};

/** `varchar(40)` → `character varying(40)`, `timestamptz(3)` → `timestamp(3) with time zone`: a typed name as format_type spells it. */
export function formattedTypeName(typed: string): string {
  const t = typed.trim().toLowerCase().replace(/\s+/g, ' ');
  const m = /^([a-z0-9 ]+?)\s*(\([0-9, ]+\))?$/.exec(t);
  if (!m) return t;
  const name = ALIASES[m[1] as string] ?? (m[1] as string);
  const args = m[2] ?? '';
  // format_type puts a precision inside the name: timestamp(3) without time zone.
  const zoned = /^(timestamp|time) (with|without) time zone$/.exec(name);
  return zoned ? `${zoned[1]}${args} ${zoned[2]} time zone` : `${name}${args}`;
}

export function toCanonical(info: PostgresNativeType): CanonicalType {
  const type = baseType(info);
  if (type.kind === 'unsupported') return type;
  const serial = /^nextval\(/i.test(info.default ?? '') && info.ownedSequence !== false;
  if ((info.identity || serial) && ['int16', 'int32', 'int64'].includes(type.kind)) type.autoIncrement = true;
  return compact(type);
}

/** A type only PostgreSQL declares: carried as its own text to PostgreSQL targets, as `portable` to the others. */
function native(formatted: string, portable?: CanonicalType): CanonicalType {
  return { kind: 'native', readNote: `type ${formatted} exists only in PostgreSQL`, ...(portable ? { portable } : {}) };
}

/** Geometric types: kept as their PostgreSQL text elsewhere. */
const GEOMETRIC = new Set(['point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle']);

/**
 * How a type only PostgreSQL declares is kept by another dialect (see CanonicalType.portable): the closest common
 * type, its confidence and the note the gate shows. The source reads it in that form (index.ts portableReadSql).
 */
export function portableOf(info: PostgresNativeType, name: string): CanonicalType {
  const f = info.formatted;
  if (name.endsWith('[]')) {
    return portableAs('json', 'array', 0.9, `array ${f} stored as a JSON array (nested for more dimensions, NULL elements as null): elements keep their JSON form, the element type is not enforced`);
  }
  if (info.typtype === 'r' || info.typtype === 'm') {
    return portableAs('text', 'range', 0.7, `range ${f} stored as its PostgreSQL text ([1,10)): the target cannot query it as a range`);
  }
  if (info.typtype === 'c') {
    return portableAs('json', 'composite', 0.8, `composite ${f} stored as a JSON object of its fields: the target does not enforce the field types`);
  }
  const base = name.replace(/\(.*\)/, '').replace(/^interval\b.*$/, 'interval').trim();
  const [n] = typeArgs(name);
  switch (base) {
    case 'interval':
      return portableAs('text', 'interval', 0.9, `interval stored as ISO-8601 duration text (P1Y2M3DT4H5M6S): the target cannot do interval arithmetic on it`);
    case 'inet':
    case 'cidr':
      return portableAs('text', 'inet', 0.95, `${base} stored as its address text: the target no longer checks the address form`);
    case 'macaddr':
    case 'macaddr8':
      return portableAs('text', 'macaddr', 0.95, `${base} stored as text (08:00:2b:01:02:03): the target no longer checks its form`, { length: 23 });
    case 'money':
      return portableAs('decimal', 'money', 0.95, 'money stored as numeric(19,2): the currency symbol of lc_monetary is not kept', { precision: 19, scale: 2 });
    case 'tsvector':
    case 'tsquery':
      return portableAs('text', 'tsvector', 0.5, `${base} stored as its text (sorted lexemes with positions and weights): the target cannot search it, only show it`);
    case 'bit':
    case 'bit varying':
      return portableAs('text', 'bits', 0.9, `${f} stored as text of 0 and 1 digits: the target no longer checks it`, n !== undefined ? { length: n } : {});
    case 'xml':
      return portableAs('text', 'xml', 0.9, 'xml stored as text: the target no longer checks that it is well-formed');
    case 'geometry':
      return geometryPortable(f);
    case 'geography':
      return geographyPortable(f);
    default:
      if (GEOMETRIC.has(base)) return portableAs('text', 'geometric', 0.7, `${base} stored as its PostgreSQL text ((1,2)): the target cannot query it geometrically`);
      return portableAs('text', 'other', 0.7, `${f} stored as its PostgreSQL text`);
  }
}

/**
 * PostGIS geometry: read as EWKB (index.ts portableReadSql), which other dialects keep as their geometry or as bytes.
 * Its type modifier (`geometry(Point,4326)`: a subtype and an SRID, which PostGIS holds every value to) is kept for
 * targets that declare them (MariaDB POINT REF_SYSTEM_ID=4326); a plain `geometry` has none. The modifier must name a
 * subtype (as format_type spells every one): a typed name of a mapping edit cannot, and so reads as it always did.
 */
function geometryPortable(formatted: string): CanonicalType {
  const note = `PostGIS ${formatted} read as EWKB (WKB with its SRID)`;
  const m = /^geometry\s*\(\s*([A-Za-z]+)\s*(?:,\s*(\d+)\s*)?\)/i.exec(formatted.trim());
  if (!m) return portableAs('binary', 'geometry', 1, note);
  const subtype = m[1];
  const srid = m[2] !== undefined ? Number(m[2]) : 0;
  const spatial = { ...(subtype.toLowerCase() !== 'geometry' ? { subtype } : {}), ...(srid !== 0 ? { srid } : {}) };
  return portableAs('binary', 'geometry', 1, note, Object.keys(spatial).length ? { spatial } : {});
}

/** The SRID PostGIS gives a geography value or column that names none (WGS 84 longitude/latitude). */
export const GEOGRAPHY_DEFAULT_SRID = 4326;

/**
 * PostGIS geography (`geography`, `geography(Point,4326)`): read as EWKB of its geometry (index.ts portableReadSql),
 * with the subtype and SRID of its type modifier kept for targets that declare them (MariaDB POINT REF_SYSTEM_ID=4326).
 * No other dialect measures on the spheroid: that is said, and the read is below lossless so the gate shows it.
 */
function geographyPortable(formatted: string): CanonicalType {
  const m = /^geography\s*\(\s*([A-Za-z]+)\s*(?:,\s*(\d+)\s*)?\)/i.exec(formatted.trim());
  const subtype = m?.[1];
  const srid = m?.[2] !== undefined && Number(m[2]) !== 0 ? Number(m[2]) : GEOGRAPHY_DEFAULT_SRID;
  const spatial = { ...(subtype && subtype.toLowerCase() !== 'geometry' ? { subtype } : {}), srid, geodetic: true };
  return portableAs(
    'binary',
    'geometry',
    0.9,
    `PostGIS ${formatted} read as EWKB (WKB with its SRID, ${srid} when a value names none): its coordinates are longitude/latitude on the spheroid, where PostGIS measures distances and areas geodesically`,
    { spatial },
  );
}

/**
 * A typed name (a mapping edit at the gate, parsed inside running workflows: lib/mapping-edit.ts) read as a column of
 * that type is, except geography: an edit to it takes the portable form it had when edits began to use portable forms
 * (its text), so the edits a running workflow has recorded are judged the same when it replays. Columns of geography
 * read from a source take EWKB (geographyPortable); choosing geography by an edit is not supported as such.
 */
export function parseTypeName(text: string): CanonicalType {
  const formatted = formattedTypeName(text);
  const type = toCanonical({ formatted });
  if (type.kind !== 'native' || !type.portable?.spatial?.geodetic) return type;
  return { ...type, portable: portableAs('text', 'other', 0.7, `${formatted} stored as its PostgreSQL text`) };
}

function baseType(info: PostgresNativeType): CanonicalType {
  if (info.typtype === 'e') return { kind: 'enum', values: info.enumLabels ?? [] };
  if (info.typtype === 'd' && info.domainBase) {
    const base = baseType(info.domainBase);
    const checks = (info.domainChecks ?? []).map((c) => ({ text: c, portable: portableCheck(c) }));
    const kept = checks.filter((c) => c.portable !== null).map((c) => `(${c.portable})`);
    const lost = checks.filter((c) => c.portable === null).map((c) => c.text);
    const note =
      `domain ${info.formatted} over ${info.domainBase.formatted}: stored as its base type elsewhere` +
      (kept.length ? `, with its CHECK ${kept.join(' AND ')}` : '') +
      (lost.length ? `; not migrated, because the target cannot run PostgreSQL's expression: ${lost.join(', ')}` : '');
    const check = kept.length ? { check: kept.join(' AND ') } : {};
    if (base.kind === 'native') {
      const portable = base.portable ? { ...base.portable, readNote: `${note}; ${base.portable.readNote ?? ''}`.replace(/; $/, '') } : undefined;
      return native(info.formatted, portable && { ...portable, ...check });
    }
    return { ...base, ...check, readNote: base.readNote ? `${note}; ${base.readNote}` : note, ...(lost.length ? { readConfidence: Math.min(base.readConfidence ?? 1, 0.9) } : {}) };
  }
  const t = info.formatted.trim().toLowerCase();
  if (t.endsWith('[]')) return native(info.formatted, portableOf(info, t));
  const [a, b] = typeArgs(t);
  const name = t.replace(/\([^)]*\)/, '').replace(/\s+/g, ' ').trim();
  switch (name) {
    case 'smallint':
      return { kind: 'int16' };
    case 'integer':
      return { kind: 'int32' };
    case 'bigint':
      return { kind: 'int64' };
    case 'numeric':
      return { kind: 'decimal', precision: a, scale: a === undefined ? undefined : (b ?? 0) };
    case 'real':
      return { kind: 'float32' };
    case 'double precision':
      return { kind: 'float64' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'character':
      return { kind: 'char', length: a ?? 1 };
    case 'character varying':
      return { kind: 'varchar', length: a };
    case 'text':
    case 'citext':
    case 'name':
      return { kind: 'text' };
    case 'date':
      return { kind: 'date' };
    case 'time without time zone':
      return { kind: 'time', precision: a };
    case 'timestamp without time zone':
      return { kind: 'timestamp', precision: a };
    case 'timestamp with time zone':
      return { kind: 'timestamptz', precision: a };
    case 'json':
      return { kind: 'json' };
    case 'jsonb':
      return { kind: 'json', readNote: 'jsonb: key order and whitespace are normalised by PostgreSQL' };
    case 'uuid':
      return { kind: 'uuid' };
    case 'bytea':
      return { kind: 'binary' };
    default:
      return native(info.formatted, portableOf(info, t));
  }
}

/** PostgreSQL → PostgreSQL: every column keeps its own type, as format_type spells it (see the connector's search_path). */
export function sameDialect(column: ColumnInfo): TargetTypeChoice {
  return { sql: column.nativeType, confidence: 1 };
}

/** The enum type made for a column of another dialect's enum: `<table>_<column>`, a plain lower-case name (no quoting needed). */
export function enumTypeName(table: string, column: string): string {
  const plain = `${table}_${column}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  return fitName(/^[a-z_]/.test(plain) ? plain : `e_${plain}`, { maxNameBytes: 63 });
}

/** Extensions whose types familyType chooses when the target database has them (TypeMap.extensionTypes). */
export const EXTENSION_TYPES: Readonly<Record<string, readonly string[]>> = { postgis: ['geometry'] };

/** SchemaObject.kind of a spatial_ref_sys row the plan adds (index.ts spatialRefObjects); its name is the SRID. */
export const SPATIAL_REF_KIND = 'spatial_ref_sys row';

/** Types of other dialects' families that PostgreSQL has (MariaDB SET, INET4/INET6, BIT(n), GEOMETRY). */
function familyType(type: CanonicalType, context: TargetTypeContext): TargetTypeChoice | null {
  switch (type.family) {
    case 'set':
      return { sql: 'text[]', confidence: 0.95, note: 'SET stored as text[] of its labels: the target no longer limits them to the SET\'s' };
    case 'inet':
      return { sql: 'inet', confidence: 1 };
    case 'macaddr':
      return { sql: 'macaddr8', confidence: 1 };
    case 'bits':
      return { sql: type.length ? `bit(${type.length})` : 'bit varying', confidence: 1 };
    case 'geometry':
      if (context.extensions?.includes('postgis')) {
        if (type.spatial && !type.spatial.geodetic) return typedGeometry(type.spatial);
        // Each value keeps its own SRID (EWKB); the column takes every geometry type, as MariaDB's GEOMETRY does.
        return { sql: 'geometry', confidence: 1, note: 'stored as PostGIS geometry, each value with its SRID' };
      }
      return {
        sql: 'bytea',
        confidence: 0.8,
        note: 'the target has no PostGIS: stored as EWKB (WKB with its SRID) in bytea, which ST_GeomFromEWKB reads once PostGIS is installed',
      };
    default:
      return null;
  }
}

/** The largest SRID a PostGIS type modifier takes (SRID_MAXIMUM): a larger one is left off the column, not clamped. */
const MAX_TYPMOD_SRID = 999_999;

/**
 * Another dialect's spatial column that declares its subtype or SRID (MariaDB POINT REF_SYSTEM_ID=4326) as PostGIS
 * geometry with that type modifier (geometry(Point,4326)), which PostGIS holds every value to. MariaDB keeps a
 * column's subtype but not its SRID from the values (a POINT column of SRID 4326 may hold a point of SRID 3857):
 * PostGIS rejects such a value, and the copy names its row, so that is said and the mapping is below lossless.
 */
function typedGeometry(spatial: SpatialModifiers): TargetTypeChoice {
  const srid = spatial.srid !== undefined && spatial.srid > 0 && spatial.srid <= MAX_TYPMOD_SRID ? spatial.srid : undefined;
  if (!spatial.subtype && srid === undefined) return { sql: 'geometry', confidence: 1, note: 'stored as PostGIS geometry, each value with its SRID' };
  const sql = `geometry(${spatial.subtype ?? 'Geometry'}${srid === undefined ? '' : `,${srid}`})`;
  const notes = [`stored as PostGIS ${sql}, each value with its SRID`];
  if (srid !== undefined) notes.push(`a value whose SRID is not ${srid} (the source does not hold its values to the column's SRID) is rejected`);
  if (spatial.srid !== undefined && srid === undefined && spatial.srid !== 0) notes.push(`SRID ${spatial.srid} exceeds PostGIS's ${MAX_TYPMOD_SRID}: the column does not declare it`);
  return { sql, confidence: srid === undefined ? 1 : 0.95, note: notes.join('; ') };
}

export function fromCanonical(type: CanonicalType, context: TargetTypeContext = {}): TargetTypeChoice {
  const p = type.precision;
  const family = familyType(type, context);
  if (family) return family;
  switch (type.kind) {
    case 'int16':
      return { sql: 'smallint', confidence: 1 };
    case 'int32':
      return type.unsigned
        ? { sql: 'bigint', confidence: 1, note: 'unsigned 32-bit integer widened to bigint' }
        : { sql: 'integer', confidence: 1 };
    case 'int64':
      return type.unsigned
        ? { sql: 'numeric(20,0)', confidence: 0.95, note: 'BIGINT UNSIGNED has no PostgreSQL integer type: stored as numeric(20,0)' }
        : { sql: 'bigint', confidence: 1 };
    case 'decimal':
      if (p === undefined) return { sql: 'numeric', confidence: 1 };
      return { sql: `numeric(${p},${type.scale ?? 0})`, confidence: 1 };
    case 'float32':
      return { sql: 'real', confidence: 1 };
    case 'float64':
      return { sql: 'double precision', confidence: 1 };
    case 'boolean':
      return { sql: 'boolean', confidence: 1 };
    case 'char':
      return { sql: `character(${type.length ?? 1})`, confidence: 1 };
    case 'varchar':
      return { sql: type.length ? `character varying(${type.length})` : 'character varying', confidence: 1 };
    case 'text':
      return { sql: 'text', confidence: 1 };
    case 'date':
      return { sql: 'date', confidence: 1 };
    case 'time': {
      const sql = p === undefined ? 'time without time zone' : `time(${Math.min(p, 6)}) without time zone`;
      return type.duration ? { sql, confidence: 0.9, note: DURATION_NOTE } : { sql, confidence: 1 };
    }
    case 'timestamp':
      return { sql: p === undefined ? 'timestamp without time zone' : `timestamp(${Math.min(p, 6)}) without time zone`, confidence: 1 };
    case 'timestamptz':
      return { sql: p === undefined ? 'timestamp with time zone' : `timestamp(${Math.min(p, 6)}) with time zone`, confidence: 1 };
    case 'json':
      return { sql: 'jsonb', confidence: 1, note: 'stored as jsonb: key order and whitespace are normalised' };
    case 'uuid':
      return { sql: 'uuid', confidence: 1 };
    case 'binary':
      return { sql: 'bytea', confidence: 1 };
    case 'enum':
      if (context.table !== undefined && context.column !== undefined) {
        const name = enumTypeName(context.table, context.column);
        return { sql: name, confidence: 1, note: `created as enum type ${name} (${(type.values ?? []).join(', ')})`, createsType: true };
      }
      return { sql: 'text', confidence: 1, note: `text with CHECK (value IN (${(type.values ?? []).join(', ')}))` };
    default:
      return { sql: '', confidence: 0, note: type.readNote ?? 'not supported by Sensei' };
  }
}
