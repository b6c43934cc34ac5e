/**
 * The schema objects of a plan's tables besides their columns — secondary indexes, unique constraints, CHECKs, foreign
 * keys and column defaults — as mappings the gate shows: each with what the source has, what the target gets (null
 * when nothing) and, when it is not migrated, why (the plan's own words). A person may leave one out at the gate
 * (leaveOutObjects): a CHECK the target's data would break, an index not wanted there; natively too where the target
 * makes a table from the lists of its objects (leaveOutProblems says where not).
 */
import { dialectNamed, isDialect } from '../connectors/dialects';
import { currentTimeDefault, indexFit, portableDefault, recheckedBlockers } from './mapping';
import type { Dialect, MigrationPlan, SchemaInfo, TableInfo, TablePlan } from './types';

export const OBJECT_KINDS = ['index', 'unique', 'check', 'foreign_key', 'default'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export interface ObjectMapping {
  /** `<kind>:<table>.<name>` (a default's name is its column's). */
  id: string;
  kind: ObjectKind;
  table: string;
  name: string;
  /** The object in the source, in short (an index's columns, a CHECK's expression, a key's columns and actions). */
  source: string;
  /** What the target gets (a CHECK in portable SQL), or null when it gets nothing. */
  target: string | null;
  migrated: boolean;
  /** Why it is not migrated, or what to know of how it is; null when nothing. */
  note: string | null;
}

/** How the plan's notes name an object of each kind ("index x of t is not migrated, because …"). */
const WORD: Record<ObjectKind, string> = { index: 'index', unique: 'unique constraint', check: 'check', foreign_key: 'foreign key', default: 'default' };

/** Said of an object left out at the gate, in the plan's notes and its mapping. */
const LEFT_OUT = 'it was left out at the gate';

export function objectId(kind: ObjectKind, table: string, name: string): string {
  return `${kind}:${table}.${name}`;
}

/**
 * The plan's notes by each start of theirs that could name an object (up to a space), the first note for each: what a
 * plan says of an object is then found at once, not by reading every note for every object.
 */
function notesByHead(plan: MigrationPlan, tables: readonly TableInfo[]): Map<string, string> {
  // The longest start that names an object ("foreign key <name> of <table> "): the longest names there are.
  let longestTable = 0;
  let longestObject = 0;
  for (const t of tables) {
    longestTable = Math.max(longestTable, t.name.length);
    for (const o of [...t.indexes, ...(t.expressionIndexes ?? []), ...t.uniqueConstraints, ...(t.checks ?? []), ...t.foreignKeys, ...t.columns]) longestObject = Math.max(longestObject, o.name.length);
  }
  const maxHead = longestTable + longestObject + 32;
  const byHead = new Map<string, string>();
  for (const note of plan.notes ?? []) {
    for (let at = note.indexOf(' '); at >= 0 && at < maxHead; at = note.indexOf(' ', at + 1)) {
      const head = note.slice(0, at + 1);
      if (!byHead.has(head)) byHead.set(head, note);
    }
  }
  return byHead;
}

/** What the plan's notes say of an object of `table`: the reason it is not migrated, or another note on it. */
function noteOf(notes: Map<string, string>, kind: ObjectKind, table: string, name: string): { reason?: string; note?: string } {
  const head = `${WORD[kind]} ${name} of ${table} `;
  const said = notes.get(head);
  if (!said) return {};
  const because = `${head}is not migrated, because `;
  return said.startsWith(because) ? { reason: said.slice(because.length) } : { note: said };
}

function mapping(notes: Map<string, string>, kind: ObjectKind, table: string, name: string, source: string, target: string | null): ObjectMapping {
  const { reason, note } = noteOf(notes, kind, table, name);
  const migrated = target !== null;
  return {
    id: objectId(kind, table, name),
    kind,
    table,
    name,
    source,
    target,
    migrated,
    note: migrated ? (note ?? null) : `not migrated, because ${reason ?? 'the plan leaves it out'}`,
  };
}

const columnsText = (columns: readonly string[]) => `(${columns.join(', ')})`;

function foreignKeyText(fk: TableInfo['foreignKeys'][number]): string {
  const actions = [fk.onDelete && `ON DELETE ${fk.onDelete}`, fk.onUpdate && `ON UPDATE ${fk.onUpdate}`].filter(Boolean).join(' ');
  return `${columnsText(fk.columns)} → ${fk.referencedTable}${columnsText(fk.referencedColumns)}${actions ? ` ${actions}` : ''}`;
}

/** A default as a target of another dialect gets it: the literal, the current time, or an identity's next value. */
function defaultTarget(expression: string, autoIncrement: boolean): string {
  if (autoIncrement) return 'the next value of an identity (auto-increment) column';
  const time = currentTimeDefault(expression);
  if (time) return `the current ${time === 'date' ? 'date' : 'timestamp'}`;
  const literal = portableDefault(expression);
  if (!literal) return expression;
  return literal.kind === 'boolean' ? String(literal.value) : literal.kind === 'string' ? `'${literal.text.replace(/'/g, "''")}'` : literal.text;
}

/** Every object of one planned table, as the source has it (`source`: the schema's description, else the plan's). */
function tableObjects(notes: Map<string, string>, t: TablePlan, source: TableInfo, planned: ReadonlySet<string>, targetDialect: Dialect): ObjectMapping[] {
  const name = t.source.name;
  const out: ObjectMapping[] = [];
  for (const index of [...source.indexes, ...(source.expressionIndexes ?? [])]) {
    const plain = `${index.unique ? 'UNIQUE ' : ''}${columnsText(index.columns)}`;
    const kept = t.source.indexes.some((i) => i.name === index.name) || (t.native === true && (t.source.expressionIndexes ?? []).some((i) => i.name === index.name));
    // Natively the index is made in the source's own words; across dialects on its columns or portable keys.
    const planned = t.source.indexes.find((i) => i.name === index.name);
    const fitted = planned ? indexFit(t, targetDialect, planned) : null;
    const across = fitted && 'index' in fitted ? `${index.unique ? 'UNIQUE ' : ''}(${(fitted.index.keys ?? fitted.index.columns).join(', ')})${fitted.index.where === undefined ? '' : ` WHERE ${fitted.index.where}`}` : null;
    out.push(mapping(notes, 'index', name, index.name, index.definition ?? plain, kept ? (t.native ? (index.definition ?? plain) : across) : null));
  }
  for (const unique of source.uniqueConstraints) {
    const kept = t.source.uniqueConstraints.some((u) => u.name === unique.name);
    out.push(mapping(notes, 'unique', name, unique.name, columnsText(unique.columns), kept ? columnsText(unique.columns) : null));
  }
  for (const check of source.checks ?? []) {
    const kept = (t.source.checks ?? []).find((c) => c.name === check.name);
    out.push(mapping(notes, 'check', name, check.name, check.definition, kept ? (kept.portable ?? kept.definition) : null));
  }
  for (const fk of source.foreignKeys) {
    const kept = t.source.foreignKeys.some((f) => f.name === fk.name);
    const m = mapping(notes, 'foreign_key', name, fk.name, foreignKeyText(fk), kept && planned.has(fk.referencedTable) ? foreignKeyText(fk) : null);
    if (kept && !planned.has(fk.referencedTable)) m.note = `not migrated, because it references table ${fk.referencedTable}, which is not part of this migration`;
    out.push(m);
  }
  for (const column of source.columns.filter((c) => c.default !== null && c.default !== undefined)) {
    const expression = column.default as string;
    const c = t.columns.find((m) => m.column === column.name);
    const plannedColumn = t.source.columns.find((x) => x.name === column.name);
    if (!c || !plannedColumn) continue;
    const notMigrated = `default ${expression} is not migrated, because `;
    const said = (c.note ?? '').split('; ').find((part) => part.startsWith(notMigrated));
    const leftOut = plannedColumn.default === null || plannedColumn.default === undefined;
    const m = mapping(notes, 'default', name, column.name, expression, said || leftOut ? null : t.native ? expression : defaultTarget(expression, c.canonical.autoIncrement === true));
    if (said) m.note = `not migrated, because ${said.slice(notMigrated.length)}`;
    out.push(m);
  }
  return out;
}

/** The plan's object mappings, table by table in plan order; `schema`: the source schema (what the plan left out of it). */
export function objectMappings(plan: MigrationPlan, schema: SchemaInfo | null): ObjectMapping[] {
  const planned = new Set(plan.tables.map((t) => t.source.name));
  const sources = new Map((schema?.tables ?? []).map((t) => [t.name, t]));
  const notes = notesByHead(plan, [...sources.values(), ...plan.tables.map((t) => t.source)]);
  return plan.tables.flatMap((t) => tableObjects(notes, t, sources.get(t.source.name) ?? t.source, planned, plan.targetDialect));
}

/** Which rules leaveOutProblems applies (a workflow that began before them judges as it did then). */
export interface LeaveOutRules {
  /** A natively migrated table's objects (or its indexes only) may be left out where its dialect makes them apart from the table (DialectCapabilities.nativeObjectsLeftOut). */
  native: boolean;
  /** A unique key or index a foreign key references stays unless that key is left out too. */
  referenced: boolean;
}

/**
 * Why each object cannot be left out at the gate, or null when it can: an unknown id, one not migrated anyway, one of a
 * table migrated natively by a dialect that makes it with the table, from the source's own DDL (drop it on the target
 * afterwards; where indexes are made apart from it, those may go), a unique key or index a foreign key still
 * references (the key could not be made). In the order of `ids`.
 */
export function leaveOutProblems(plan: MigrationPlan, schema: SchemaInfo | null, ids: readonly string[], rules: LeaveOutRules = { native: true, referenced: true }): (string | null)[] {
  const objects = new Map(objectMappings(plan, schema).map((o) => [o.id, o]));
  const leftOutNatively = rules.native && isDialect(plan.targetDialect) ? dialectNamed(plan.targetDialect).capabilities.nativeObjectsLeftOut : undefined;
  const native = new Set(plan.tables.filter((t) => t.native && leftOutNatively !== true).map((t) => t.source.name));
  const leaving = new Set(ids);
  return ids.map((id) => {
    const object = objects.get(id);
    if (!object) return `no object mapping ${id}`;
    if (!object.migrated) return `${id} is not migrated anyway (${object.note})`;
    if (native.has(object.table) && !(leftOutNatively === 'indexes' && object.kind === 'index')) {
      return `${id}: table ${object.table} is created as the source declares it (same dialect); drop the ${WORD[object.kind]} on the target once migrated`;
    }
    const referencing = rules.referenced ? referencingKeys(plan, object, leaving) : [];
    if (referencing.length) return `${id}: foreign key ${referencing.join(', ')} references its columns; leave ${referencing.length > 1 ? 'them' : 'it'} out too (foreign_key:<table>.<name>)`;
    return null;
  });
}

/** The foreign keys (`table.name`) of planned tables, not being left out, that reference a unique key or index's columns. */
function referencingKeys(plan: MigrationPlan, object: ObjectMapping, leaving: ReadonlySet<string>): string[] {
  if (object.kind !== 'unique' && object.kind !== 'index') return [];
  const table = plan.tables.find((t) => t.source.name === object.table)?.source;
  const key = object.kind === 'unique' ? table?.uniqueConstraints.find((u) => u.name === object.name) : table?.indexes.find((i) => i.name === object.name && i.unique && i.where === undefined);
  if (!key) return [];
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((c) => b.includes(c));
  return plan.tables.flatMap((t) =>
    t.source.foreignKeys
      .filter((fk) => fk.referencedTable === object.table && same(fk.referencedColumns, key.columns) && !leaving.has(objectId('foreign_key', t.source.name, fk.name)))
      .map((fk) => `${t.source.name}.${fk.name}`),
  );
}

/**
 * The plan with these objects left out of their tables, said in its notes and kept in `leftOut` (so a plan made again
 * at the gate leaves them out again); its blockers checked again (a unique key past the target's key bytes ends
 * with it).
 */
export function leaveOutObjects(plan: MigrationPlan, ids: readonly string[]): MigrationPlan {
  const wanted = new Set(ids);
  const notes: string[] = [];
  const tables = plan.tables.map((t) => {
    const name = t.source.name;
    const out = (kind: ObjectKind, object: string) => {
      if (!wanted.has(objectId(kind, name, object))) return false;
      notes.push(`${WORD[kind]} ${object} of ${name} is not migrated, because ${LEFT_OUT}`);
      return true;
    };
    const source: TableInfo = {
      ...t.source,
      indexes: t.source.indexes.filter((i) => !out('index', i.name)),
      // Natively, expression and partial indexes are made from their definitions (lib/mapping.ts keeps them so).
      ...(t.source.expressionIndexes ? { expressionIndexes: t.source.expressionIndexes.filter((i) => !out('index', i.name)) } : {}),
      uniqueConstraints: t.source.uniqueConstraints.filter((u) => !out('unique', u.name)),
      foreignKeys: t.source.foreignKeys.filter((f) => !out('foreign_key', f.name)),
      ...(t.source.checks ? { checks: t.source.checks.filter((c) => !out('check', c.name)) } : {}),
      columns: t.source.columns.map((c) => (c.default !== null && c.default !== undefined && out('default', c.name) ? { ...c, default: null } : c)),
    };
    return { ...t, source };
  });
  const leftOut = [...new Set([...(plan.leftOut ?? []), ...ids])];
  return { ...plan, tables, blockers: recheckedBlockers(plan, tables), notes: [...(plan.notes ?? []), ...notes], leftOut };
}
