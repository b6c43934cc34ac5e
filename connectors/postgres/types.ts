/** PostgreSQL ⇄ canonical types. Pure: no driver imports. */
import type { CanonicalType, ColumnInfo } from '../../lib/types';
import { compact, typeArgs, type TargetTypeChoice, type TargetTypeContext } from '../../lib/typemap/common';

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

/** A type only PostgreSQL declares: carried as its own text to PostgreSQL targets. */
function native(formatted: string): CanonicalType {
  return { kind: 'native', readNote: `type ${formatted} exists only in PostgreSQL: it is carried to PostgreSQL targets only` };
}

function baseType(info: PostgresNativeType): CanonicalType {
  if (info.typtype === 'e') return { kind: 'enum', values: info.enumLabels ?? [] };
  if (info.typtype === 'd' && info.domainBase) {
    const base = baseType(info.domainBase);
    if (base.kind === 'native') return native(info.formatted);
    const note = `domain ${info.formatted} over ${info.domainBase.formatted}: stored as its base type elsewhere, without the domain's constraints`;
    return { ...base, readNote: base.readNote ? `${note}; ${base.readNote}` : note };
  }
  const t = info.formatted.trim().toLowerCase();
  if (t.endsWith('[]')) return native(info.formatted);
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
      return native(info.formatted);
  }
}

/** PostgreSQL → PostgreSQL: every column keeps its own type, as format_type spells it (see the connector's search_path). */
export function sameDialect(column: ColumnInfo): TargetTypeChoice {
  return { sql: column.nativeType, confidence: 1 };
}

export function fromCanonical(type: CanonicalType, _context: TargetTypeContext = {}): TargetTypeChoice {
  const p = type.precision;
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
    case 'time':
      return { sql: p === undefined ? 'time without time zone' : `time(${Math.min(p, 6)}) without time zone`, confidence: 1 };
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
      return { sql: 'text', confidence: 1, note: `text with CHECK (value IN (${(type.values ?? []).join(', ')}))` };
    default:
      return { sql: '', confidence: 0, note: type.readNote ?? 'not supported by Sensei' };
  }
}
