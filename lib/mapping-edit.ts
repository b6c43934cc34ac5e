/**
 * Editing a planned column mapping (PATCH …/mappings): the new target type is parsed by the target dialect's
 * own type map and its confidence judged against the source type, so an edit can raise a lossy mapping to
 * lossless (widening) or lower it (narrowing). Pure: the workflow applies edits in an update handler.
 */
import { toCanonical as mysqlType } from './typemap/mysql';
import { formattedTypeName, toCanonical as postgresType } from './typemap/postgres';
import { toCanonical as sqliteType } from './typemap/sqlite';
import { isKeyColumn } from './mapping';
import { targetType } from './typemap';
import type { CanonicalType, ColumnMapping, Dialect, MigrationPlan } from './types';

export interface MappingEdit {
  /** `<table>.<column>`, as GET …/mappings lists it. */
  id: string;
  target_type: string;
}

export function parseTargetType(dialect: Dialect, sql: string): CanonicalType {
  const text = sql.trim();
  if (!/^[A-Za-z][A-Za-z0-9_ ]*(\([0-9, ]+\))?( unsigned)?( with(out)? time zone)?$/i.test(text)) {
    return { kind: 'unsupported', readNote: `"${sql}" is not a plain type name` };
  }
  switch (dialect) {
    case 'postgresql':
      return postgresType({ formatted: formattedTypeName(text) });
    case 'mysql':
      return mysqlType({ columnType: text.toLowerCase() });
    case 'sqlite':
      return sqliteType({ declared: text });
    default:
      return { kind: 'unsupported', readNote: `${dialect} targets are not supported` };
  }
}

const INTEGER_RANK: Partial<Record<CanonicalType['kind'], number>> = { int16: 1, int32: 2, int64: 3 };
const TEXT_KINDS = new Set(['char', 'varchar', 'text']);

/** How faithfully `proposed` holds every value of `source` (1.0 = all of them, unchanged). */
export function editConfidence(source: CanonicalType, proposed: CanonicalType): { confidence: number; note?: string } {
  const s = source.kind;
  const p = proposed.kind;
  const narrower = (what: string) => ({ confidence: 0.6, note: `${what}: values that do not fit are rejected by the target` });
  if (p === 'unsupported') return { confidence: 0, note: proposed.readNote ?? 'unsupported type' };
  if (INTEGER_RANK[s] && INTEGER_RANK[p]) {
    const extra = source.unsigned && INTEGER_RANK[p] === INTEGER_RANK[s] ? 1 : 0;
    return (INTEGER_RANK[p] as number) >= (INTEGER_RANK[s] as number) + extra ? { confidence: 1 } : narrower('a smaller integer type');
  }
  if (INTEGER_RANK[s] && p === 'decimal') {
    const digits = { int16: 5, int32: 10, int64: 19 }[s as 'int16'] ?? 19;
    return (proposed.precision ?? 38) - (proposed.scale ?? 0) >= digits ? { confidence: 1 } : narrower('too few decimal digits');
  }
  if (s === 'decimal' && p === 'decimal') {
    const sInt = (source.precision ?? 38) - (source.scale ?? 0);
    const pInt = (proposed.precision ?? 38) - (proposed.scale ?? 0);
    if (pInt >= sInt && (proposed.scale ?? 0) >= (source.scale ?? 0)) return { confidence: 1 };
    return narrower('less precision or scale than the source');
  }
  if ((s === 'float32' || s === 'float64') && (p === 'float32' || p === 'float64')) {
    return s === 'float64' && p === 'float32' ? { confidence: 0.6, note: 'single precision: values are rounded' } : { confidence: 1 };
  }
  if (TEXT_KINDS.has(s) && TEXT_KINDS.has(p)) {
    if (p === 'text' || proposed.length === undefined) return { confidence: 1 };
    if (source.length !== undefined && proposed.length >= source.length) return { confidence: 1 };
    return narrower(`at most ${proposed.length} characters`);
  }
  if (s === p && ['date', 'time', 'timestamp', 'timestamptz'].includes(s)) {
    return (proposed.precision ?? 6) >= (source.precision ?? 6) ? { confidence: 1 } : { confidence: 0.8, note: 'fewer fractional-second digits: values are rounded' };
  }
  if (s === 'timestamptz' && p === 'timestamp') return { confidence: 0.8, note: 'time zone dropped: values are stored in UTC' };
  if ((s === 'json' || s === 'uuid' || s === 'enum') && TEXT_KINDS.has(p)) {
    const fits = p === 'text' || proposed.length === undefined || s !== 'uuid' || proposed.length >= 36;
    return fits ? { confidence: 0.9, note: `${s} stored as text: the target no longer checks its form` } : narrower('shorter than a UUID');
  }
  if (s === 'enum' && p === 'enum') {
    const missing = (source.values ?? []).filter((v) => !(proposed.values ?? []).includes(v));
    return missing.length === 0 ? { confidence: 1 } : narrower(`labels missing from the target enum: ${missing.join(', ')}`);
  }
  if (s === p) {
    const same = (proposed.length ?? Infinity) >= (source.length ?? Infinity);
    return same ? { confidence: 1 } : narrower('a shorter type');
  }
  return { confidence: 0.5, note: `a different kind of type (${s} → ${p}): the target converts values and may reject some` };
}

/** Applies edits to a plan: each edited mapping gets the new type, a confidence and a note; the plan's minimum follows. */
export function applyMappingEdits(plan: MigrationPlan, edits: MappingEdit[]): { plan: MigrationPlan; edited: ColumnMapping[] } {
  const byId = new Map(edits.map((e) => [e.id, e]));
  const edited: ColumnMapping[] = [];
  const tables = plan.tables.map((t) => ({
    ...t,
    columns: t.columns.map((c) => {
      const edit = byId.get(c.id);
      if (!edit) return c;
      const proposed = parseTargetType(plan.targetDialect, edit.target_type);
      const judged = editConfidence(c.canonical, proposed);
      const confidence = Math.min(judged.confidence, c.canonical.readConfidence ?? 1);
      const note = ['edited by hand', judged.note, c.canonical.readNote].filter(Boolean).join('; ');
      // What reaches DDL is the target type map's own rendering of the parsed type, never the text the user typed.
      const rendered = targetType(plan.targetDialect, proposed, { inKey: isKeyColumn(t.source, c.column) }).sql;
      const next: ColumnMapping = { ...c, targetType: rendered, confidence, note };
      edited.push(next);
      return next;
    }),
  }));
  const minConfidence = Math.min(1, ...tables.flatMap((t) => t.columns.map((c) => c.confidence)));
  return { plan: { ...plan, tables, minConfidence }, edited };
}

/** Why an edit cannot be applied (unknown mapping, type the target cannot hold), or null when it can. */
export function mappingEditProblem(plan: MigrationPlan, edit: MappingEdit): string | null {
  const mapping = plan.tables.flatMap((t) => t.columns).find((c) => c.id === edit.id);
  if (!mapping) return `no mapping ${edit.id}`;
  const proposed = parseTargetType(plan.targetDialect, edit.target_type);
  if (proposed.kind === 'unsupported') return `${edit.target_type} is not a ${plan.targetDialect} type Sensei can write (${proposed.readNote ?? 'unsupported'})`;
  if (!targetType(plan.targetDialect, proposed).sql) return `${edit.target_type} is not a ${plan.targetDialect} type Sensei can write`;
  return null;
}
