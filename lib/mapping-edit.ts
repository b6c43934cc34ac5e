/**
 * Editing a planned column mapping (PATCH …/mappings): the new target type is parsed by the target dialect's
 * own type map and its confidence judged against the source type, so an edit can raise a lossy mapping to
 * lossless (widening) or lower it (narrowing). Pure: the workflow applies edits in an update handler.
 */
import { dialectNamed } from '../connectors/dialects';
import { baseTypeName, checkTargetOf, columnCheckFor, enumLabelsChecked, indexFit, isKeyColumn, recheckedBlockers, renamedConstraints } from './mapping';
import { checkForTarget } from './typemap/check';
import { targetType } from './typemap';
import { keptAsText, temporalRangeNote } from './temporal-range';
import { crossType } from './typemap/common';
import { conversionNote, EDITED_NOTE, editedConversion, isEditedByHand } from './edited-kinds';
import type { CanonicalType, ColumnMapping, Dialect, MigrationPlan, SchemaObject, TablePlan } from './types';

export interface MappingEdit {
  /** `<table>.<column>`, as GET …/mappings lists it. */
  id: string;
  target_type: string;
}

/** An enum typed with its labels, `enum('a','b')` (MariaDB/MySQL): quoted labels, '' for a quote, no backslash. */
const ENUM_WITH_LABELS = /^enum\s*\(\s*'(?:[^'\\]|'')*'(?:\s*,\s*'(?:[^'\\]|'')*')*\s*\)$/i;

export function parseTargetType(dialect: Dialect, sql: string): CanonicalType {
  const text = sql.trim();
  const plain = /^[A-Za-z][A-Za-z0-9_ ]*(\([0-9, ]+\))?( unsigned)?( with(out)? time zone)?$/i.test(text);
  const labelled = !plain && ENUM_WITH_LABELS.test(text);
  if (!plain && !labelled) return { kind: 'unsupported', readNote: `"${sql}" is not a plain type name` };
  const types = dialectNamed(dialect).types;
  if (!types) return { kind: 'unsupported', readNote: `${dialect} targets are not supported` };
  const parsed = types.parseTypeName(text);
  // An enum typed with its labels only where the target's own type map reads it as one (MariaDB/MySQL ENUM).
  if (labelled && parsed.kind !== 'enum') return { kind: 'unsupported', readNote: `${dialect} has no enum type declared with its labels` };
  return parsed;
}

/**
 * A type the target's own type map parsed as one of its native types (PostGIS geometry, say) is written in its
 * portable form when the native one cannot be (across dialects): the type map renders that as the type typed, where
 * the target has what it needs (plan.targetExtensions), and these edits were refused before.
 */
function writableType(plan: MigrationPlan, proposed: CanonicalType): CanonicalType {
  if (proposed.kind !== 'native' || !proposed.portable) return proposed;
  return targetType(plan.targetDialect, proposed, { extensions: plan.targetExtensions }).sql ? proposed : proposed.portable;
}

const INTEGER_RANK: Partial<Record<CanonicalType['kind'], number>> = { int16: 1, int32: 2, int64: 3 };
const TEXT_KINDS = new Set(['char', 'varchar', 'text']);

/** Characters of the longest ISO 8601 text of a date, a timestamp (UTC, six fraction digits) and 'infinity'/'-infinity'. */
const ISO_TEXT_LENGTH: Partial<Record<CanonicalType['kind'], number>> = { date: 13, timestamp: 28, timestamptz: 29 };

/**
 * How faithfully `proposed` holds every value of `source` (1.0 = all of them, unchanged). `datesAsText`: a date or
 * timestamp edited to text long enough keeps every value as its ISO 8601 text (see EditOptions.datesAsText).
 */
export function editConfidence(source: CanonicalType, proposed: CanonicalType, datesAsText = false): { confidence: number; note?: string } {
  const s = source.kind;
  const p = proposed.kind;
  const isoLength = ISO_TEXT_LENGTH[s];
  if (datesAsText && isoLength !== undefined && TEXT_KINDS.has(p) && p !== 'char') {
    if (p !== 'text' && proposed.length !== undefined && proposed.length < isoLength) {
      return { confidence: 0.6, note: `at most ${proposed.length} characters: the ISO 8601 text of a ${s} takes up to ${isoLength}, longer values are rejected by the target` };
    }
    return {
      confidence: 0.9,
      note:
        `${s} stored as its ISO 8601 text (44 BC as -0043, a year past 9999 whole, 'infinity' and a MariaDB zero date as they are${s === 'timestamptz' ? ', in UTC' : ''}): ` +
        'every value is kept, but the target no longer checks its form or orders it as time',
    };
  }
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
    // A SET (read as a JSON array of its labels across dialects) is written as its labels joined by commas (lib/edited-kinds.ts).
    const set = source.family === 'set' ? editedConversion('', source, proposed) : null;
    if (fits && set) return { confidence: 0.9, note: conversionNote(set) };
    return fits ? { confidence: 0.9, note: `${s} stored as text: the target no longer checks its form` } : narrower('shorter than a UUID');
  }
  if (s === 'enum' && p === 'enum') {
    const missing = (source.values ?? []).filter((v) => !(proposed.values ?? []).includes(v));
    return missing.length === 0 ? { confidence: 1 } : narrower(`labels missing from the target enum: ${missing.join(', ')}`);
  }
  // Values the copy converts into the edited kind (lib/edited-kinds.ts): the note says how.
  const conversion = editedConversion('', crossType(source), proposed);
  if (conversion) return { confidence: 0.5, note: conversionNote(conversion) };
  if (s === p) {
    const same = (proposed.length ?? Infinity) >= (source.length ?? Infinity);
    return same ? { confidence: 1 } : narrower('a shorter type');
  }
  return { confidence: 0.5, note: `a different kind of type (${s} → ${p}): the target converts values and may reject some` };
}

export interface EditOptions {
  /**
   * Leave out of the plan an extension it would create (plan.objects) once no column needs it any more: every
   * column that needed it was edited to a type of no extension. Off for edits a workflow made before this existed.
   */
  pruneExtensions?: boolean;
  /**
   * Say at the gate what the edits make of the CHECKs the plan took from the source (see refreshedNotes): an edited
   * column's note says whether its own CHECK (a YEAR's, a domain's, an enum's labels) stays, and the plan's notes
   * which CHECKs no longer fit the edited types (the connector leaves those out). Off for edits a workflow made before this existed.
   */
  refreshChecks?: boolean;
  /**
   * With pruneExtensions: leave out too the objects that live in an extension's tables (SchemaObject.extension:
   * PostGIS's spatial_ref_sys rows) once the plan no longer creates that extension, or once every column they were
   * there for (neededBy) was edited to a type of no extension; the plan's notes name each. Off for edits a workflow
   * made before this existed.
   */
  pruneExtensionObjects?: boolean;
  /**
   * A date or timestamp edited to text (or VARCHAR long enough) is judged lossless but for its checks (confidence 0.9,
   * as JSON to text): the copy writes its ISO 8601 text, which holds what the target's date types may not (years BC,
   * ±infinity, years past 9999). Off for edits a workflow made before this existed (they were judged 0.5).
   */
  datesAsText?: boolean;
  /**
   * Name the plan's CHECKs and foreign keys again for the edited columns (lib/mapping.ts renamedConstraints): a constraint
   * whose name the target now gives one it names itself (PostgreSQL's `<table>_<column>_check` of an enum edited to text)
   * is renamed, said in the plan's notes. Off for edits a workflow made before this existed.
   */
  renameConstraints?: boolean;
  /**
   * A foreign key's columns count as key columns for the rendered type (lib/mapping.ts isKeyColumn): an edited
   * referencing text column gets the bounded type its key has on MariaDB. Off for edits a workflow made before this
   * existed (only primary and unique keys counted).
   */
  foreignKeyColumns?: boolean;
  /**
   * An edited column of a foreign key whose type no longer matches the column on the key's other side says so at the
   * gate: the target may refuse the key (it is then said, every row still copied). Off for edits a workflow made before
   * this existed.
   */
  foreignKeyTypes?: boolean;
  /**
   * The plan's blockers are checked again for the edited tables (lib/mapping.ts recheckedBlockers): an edit can end one
   * (a key column given a shorter type) or make one. Off for edits a workflow made before blockers waited at the gate.
   */
  recheckBlockers?: boolean;
}

/** Ends the plan notes refreshedNotes writes, so that the next edit replaces them. */
const AFTER_EDITS = ' (after mapping edits at the gate)';

/**
 * Applies edits to a plan: each edited mapping gets the new type, a confidence and a note; the plan's minimum follows.
 * A type of an extension the plan's target has or creates (plan.targetExtensions) is chosen as at planning.
 */
export function applyMappingEdits(plan: MigrationPlan, edits: MappingEdit[], options: EditOptions = {}): { plan: MigrationPlan; edited: ColumnMapping[] } {
  const byId = new Map(edits.map((e) => [e.id, e]));
  const edited: ColumnMapping[] = [];
  let tables = plan.tables.map((t) => ({
    ...t,
    columns: t.columns.map((c) => {
      const edit = byId.get(c.id);
      if (!edit) return c;
      const proposed = writableType(plan, parseTargetType(plan.targetDialect, edit.target_type));
      const judged = editConfidence(c.canonical, proposed, options.datesAsText);
      const confidence = Math.min(judged.confidence, c.canonical.readConfidence ?? 1);
      // What reaches DDL is the target type map's own rendering of the parsed type, never the text the user typed.
      const rendered = targetType(plan.targetDialect, proposed, { inKey: isKeyColumn(t.source, c.column, options.foreignKeyColumns ?? false), extensions: plan.targetExtensions }).sql;
      // A date kept as text keeps every value: what its source's note said of reading it (a MariaDB zero date read as
      // NULL) no longer holds.
      const kept = options.datesAsText && keptAsText(plan.targetDialect, { columns: [{ ...c, targetType: rendered, note: EDITED_NOTE }] })[0];
      const read = kept ? { ...c, canonical: { ...c.canonical, readNote: undefined } } : c;
      const notes = options.refreshChecks ? checkNotes(plan.targetDialect, read, rendered, judged.note) : [judged.note, read.canonical.readNote];
      // A date type again: what it cannot hold of the source's dates is said again (as planned, lib/mapping.ts).
      const range = options.datesAsText ? temporalRangeNote(plan.sourceDialect, plan.targetDialect, c.canonical, rendered, t.copyMode === 'whole_table') : undefined;
      const note = [EDITED_NOTE, ...notes, range].filter(Boolean).join('; ');
      const next: ColumnMapping = { ...c, targetType: rendered, confidence, note };
      edited.push(next);
      return next;
    }),
  }));
  if (options.foreignKeyTypes) {
    tables = withForeignKeyTypeNotes(tables);
    const now = new Map(tables.flatMap((t) => t.columns.map((c) => [c.id, c])));
    edited.splice(0, edited.length, ...edited.map((c) => now.get(c.id) ?? c));
  }
  const minConfidence = Math.min(1, ...tables.flatMap((t) => t.columns.map((c) => c.confidence)));
  if (options.renameConstraints) {
    const renamed = renamedConstraints(plan, tables);
    tables = renamed.tables;
    plan = { ...plan, notes: renamed.notes };
    const now = new Map(tables.flatMap((t) => t.columns.map((c) => [c.id, c])));
    edited.splice(0, edited.length, ...edited.map((c) => now.get(c.id) ?? c));
  }
  const notes: { notes?: string[] } = options.refreshChecks ? { notes: refreshedNotes(plan, tables) } : options.renameConstraints ? { notes: plan.notes ?? [] } : {};
  if (options.recheckBlockers) plan = { ...plan, blockers: recheckedBlockers(plan, tables) };
  if (!options.pruneExtensions || !plan.objects) return { plan: { ...plan, tables, minConfidence, ...notes }, edited };
  const extensions = stillNeeded(plan, plan.objects, tables, edited);
  const { objects, dropped } = options.pruneExtensionObjects ? withoutOrphans(plan, extensions, tables, edited) : { objects: extensions, dropped: [] };
  // An extension the plan no longer creates is no longer the target's: its types are refused to later edits.
  const gone = new Set(plan.objects.filter((o) => !objects.some((kept) => kept.name === o.name && kept.kind === o.kind)).map((o) => o.name));
  const targetExtensions = plan.targetExtensions?.filter((e) => !gone.has(e));
  const withDropped = dropped.length ? { notes: [...(notes.notes ?? plan.notes ?? []), ...dropped] } : notes;
  return { plan: { ...plan, tables, minConfidence, objects, ...withDropped, ...(targetExtensions ? { targetExtensions } : {}) }, edited };
}

/** Ends what withForeignKeyTypeNotes says of a column, so that the next edit says it again or not. */
const PAIRED_ENDING = ': the target may refuse the key (said then, every row still copied)';

/**
 * The tables with a note on each column edited by hand that a foreign key pairs with a column of another type in the
 * target: the referencing and referenced columns of a key must match (MariaDB refuses INT against BIGINT, PostgreSQL
 * integer against text), so the target may refuse the key after the copy. Said again after each edit: an edit that
 * makes the two sides match again takes it away.
 */
function withForeignKeyTypeNotes(tables: TablePlan[]): TablePlan[] {
  const edited = new Set(tables.flatMap((t) => t.columns.filter(isEditedByHand).map((c) => c.id)));
  const notes = new Map<string, string[]>();
  const bySource = new Map(tables.map((t) => [t.source.name, t]));
  for (const t of tables) {
    for (const fk of t.source.foreignKeys) {
      const parent = bySource.get(fk.referencedTable);
      if (!parent) continue;
      const key = `foreign key ${fk.name} ${t.source.name}(${fk.columns.join(', ')}) → ${fk.referencedTable}(${fk.referencedColumns.join(', ')})`;
      fk.columns.forEach((name, i) => {
        const child = t.columns.find((c) => c.column === name);
        const referenced = parent.columns.find((c) => c.column === fk.referencedColumns[i]);
        if (!child || !referenced || child.targetType.trim().toLowerCase() === referenced.targetType.trim().toLowerCase()) return;
        for (const [self, other] of [
          [child, referenced],
          [referenced, child],
        ]) {
          if (!edited.has(self.id)) continue;
          const said = `${key} pairs it with ${other.column} of type ${other.targetType}${PAIRED_ENDING}`;
          notes.set(self.id, [...(notes.get(self.id) ?? []), said]);
        }
      });
    }
  }
  return tables.map((t) => ({
    ...t,
    columns: t.columns.map((c) => {
      const kept = (c.note ?? '').split('; ').filter((part) => !part.endsWith(PAIRED_ENDING));
      if (!notes.has(c.id) && kept.length === (c.note ?? '').split('; ').length) return c;
      const note = [...kept, ...(notes.get(c.id) ?? [])].filter(Boolean).join('; ');
      return { ...c, note };
    }),
  }));
}

/**
 * What an edited column's note says beside the edit's own judgement: the CHECK the plan took from its source column,
 * as the connector writes it for the new type (connectors/sql-connector.ts columnDefinition). A YEAR's or a domain's
 * CHECK stays where it fits the new type and is left out where it does not (a YEAR edited to text); the note read from
 * the source said how the planned type held it, and goes. An enum edited to text keeps its labels as a CHECK.
 */
function checkNotes(dialect: Dialect, c: ColumnMapping, rendered: string, judged: string | undefined): (string | undefined)[] {
  if (dialectNamed(dialect).types?.checkRefusal) return [judged, c.canonical.readNote];
  if (enumLabelsChecked(c, rendered)) return [`enum stored as text with CHECK (${c.column} IN (${(c.canonical.values ?? []).join(', ')}))`];
  const own = columnCheckFor({ ...c, targetType: rendered }, checkTargetOf([{ ...c, targetType: rendered }], dialect));
  if (!own) return [judged, c.canonical.readNote];
  return [judged, 'portable' in own ? `its CHECK (${c.canonical.check}) is kept` : `its CHECK (${c.canonical.check}) is not migrated, because ${own.reason}`];
}

/**
 * The plan's notes as the edited mappings leave them: a CHECK of a table (or of a column) that no longer fits its
 * columns' types is said not to be migrated (the connector leaves it out rather than fail the CREATE TABLE), and the
 * name the plan gave it, or the enum type a column no longer uses, is no longer said. Notes of earlier edits are
 * written again, so one that a later edit undoes goes.
 */
function refreshedNotes(plan: MigrationPlan, tables: TablePlan[]): string[] {
  if (dialectNamed(plan.targetDialect).types?.checkRefusal) return plan.notes ?? [];
  const stale = new Set<string>();
  const added: string[] = [];
  for (const t of tables) {
    if (t.native) continue;
    const target = checkTargetOf(t.columns, plan.targetDialect);
    for (const check of t.source.checks ?? []) {
      const fitted = check.portable ? checkForTarget(check.portable, target) : null;
      if (!fitted || 'portable' in fitted) continue;
      added.push(`check ${check.name} of ${t.source.name} is not migrated, because ${fitted.reason}${AFTER_EDITS}`);
      stale.add(`check ${check.name} of ${t.source.name} is named `);
    }
    for (const index of t.source.indexes) {
      const fitted = indexFit(t, plan.targetDialect, index);
      if ('reason' in fitted) added.push(`index ${index.name} of ${t.source.name} is not migrated, because ${fitted.reason}${AFTER_EDITS}`);
    }
    for (const c of t.columns) {
      const own = columnCheckFor(c, target);
      if (own && 'reason' in own) added.push(`the check of column ${c.column} of ${t.source.name} is not migrated, because ${own.reason}${AFTER_EDITS}`);
      if (own && 'reason' in own) stale.add(`the check of column ${c.table}.${c.column} is named `);
      if (c.createdType && c.targetType !== c.createdType) stale.add(`the type of column ${c.table}.${c.column} is named `);
    }
  }
  const kept = (plan.notes ?? []).filter((n) => !n.endsWith(AFTER_EDITS) && ![...stale].some((prefix) => n.startsWith(prefix)));
  return [...kept, ...added];
}

/**
 * The plan's objects as the edits leave them: an extension of the target's type map (TypeMap.extensionTypes) the plan
 * creates is needed by the columns (neededBy) not edited now, whatever their type (PostGIS geography, say), and by
 * those edited to one of its types; it goes when none is left.
 */
function stillNeeded(plan: MigrationPlan, objects: SchemaObject[], tables: TablePlan[], edited: ColumnMapping[]): SchemaObject[] {
  const typesOf = dialectNamed(plan.targetDialect).types?.extensionTypes ?? {};
  const out: SchemaObject[] = [];
  for (const o of objects) {
    const types = typesOf[o.name];
    if (o.kind !== 'extension' || !o.neededBy?.length || !types) {
      out.push(o);
      continue;
    }
    const neededBy = stillNeededBy(o.neededBy, types, tables, edited);
    if (neededBy.length) out.push({ ...o, neededBy });
  }
  return out;
}

/**
 * Of the columns an object is needed by, those that still need it after the edits, in the plan's order: a column not
 * edited now, whatever its type, and one edited to one of `types` (the extension's).
 */
function stillNeededBy(neededBy: string[], types: readonly string[], tables: TablePlan[], edited: ColumnMapping[]): string[] {
  const editedTo = new Map(edited.map((c) => [c.id, baseTypeName(c.targetType)]));
  const order = tables.flatMap((t) => t.columns.map((c) => c.id));
  return order.filter((id) => (editedTo.has(id) ? types.includes(editedTo.get(id) as string) : neededBy.includes(id)));
}

/**
 * The plan's objects without those living in an extension's tables (SchemaObject.extension: a spatial_ref_sys
 * row PostGIS holds) that the edits leave without a reason to be: the plan created the extension and no longer does
 * (the INSERT would fail on a target without it), or every column the object was there for (neededBy) was edited to
 * a type of no extension (the user's column, say geography(Point,990001), became text). An object no column was
 * needing (a row the source's users added and no column uses) stays while the extension does. Each one left out is
 * named in `dropped`, a note for the plan.
 */
function withoutOrphans(plan: MigrationPlan, objects: SchemaObject[], tables: TablePlan[], edited: ColumnMapping[]): { objects: SchemaObject[]; dropped: string[] } {
  const types = dialectNamed(plan.targetDialect).types;
  const created = (list: SchemaObject[], name: string) => list.some((o) => o.kind === 'extension' && o.name === name);
  const kept: SchemaObject[] = [];
  const dropped: string[] = [];
  for (const o of objects) {
    const extension = o.extension;
    if (!extension) {
      kept.push(o);
      continue;
    }
    if (created(plan.objects ?? [], extension) && !created(objects, extension)) {
      dropped.push(`${o.kind} ${o.name} is not created: the plan no longer creates extension ${extension}, since no column needs it after the mapping edits`);
      continue;
    }
    if (!o.neededBy?.length) {
      kept.push(o);
      continue;
    }
    const neededBy = stillNeededBy(o.neededBy, types?.extensionTypes?.[extension] ?? [], tables, edited);
    if (neededBy.length) kept.push({ ...o, neededBy });
    else dropped.push(`${o.kind} ${o.name} is not created: no column needs it after the mapping edits (${o.neededBy.join(', ')} no longer of ${extension}'s types)`);
  }
  return { objects: kept, dropped };
}

/** Why an edit cannot be applied (unknown mapping, type the target cannot hold), or null when it can. */
export function mappingEditProblem(plan: MigrationPlan, edit: MappingEdit): string | null {
  const mapping = plan.tables.flatMap((t) => t.columns).find((c) => c.id === edit.id);
  if (!mapping) return `no mapping ${edit.id}`;
  // No target type makes a value Sensei cannot read: the column's table can only be left out.
  if (mapping.canonical.kind === 'unsupported') {
    return `${edit.id}: Sensei cannot read the source's ${mapping.sourceType} values, whatever the target type; exclude table ${mapping.table} at the gate (exclude_tables) to migrate the rest`;
  }
  const parsed = parseTargetType(plan.targetDialect, edit.target_type);
  const proposed = writableType(plan, parsed);
  if (proposed.kind === 'unsupported') return `${edit.target_type} is not a ${plan.targetDialect} type Sensei can write (${proposed.readNote ?? 'unsupported'})`;
  const extension = extensionOf(plan.targetDialect, edit.target_type);
  if (extension && !plan.targetExtensions?.includes(extension)) return `${edit.target_type} needs extension ${extension}, which the target database does not have and the plan does not create`;
  const rendered = targetType(plan.targetDialect, proposed, { extensions: plan.targetExtensions }).sql;
  if (!rendered) return `${edit.target_type} is not a ${plan.targetDialect} type Sensei can write`;
  // A native type written in its portable form must come out as the type typed (geometry), not as another (text).
  const typed = baseTypeName(edit.target_type.trim().toLowerCase());
  if (proposed !== parsed && baseTypeName(rendered.toLowerCase()) !== typed) {
    return `${edit.target_type} is not a ${plan.targetDialect} type Sensei can write across dialects (it would be ${rendered})`;
  }
  return null;
}

/** The extension of the target's type map (TypeMap.extensionTypes) whose type this is, if any. */
function extensionOf(dialect: Dialect, typed: string): string | undefined {
  const base = baseTypeName(typed.trim().toLowerCase());
  return Object.entries(dialectNamed(dialect).types?.extensionTypes ?? {}).find(([, types]) => types.includes(base))?.[0];
}
