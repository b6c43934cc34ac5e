/**
 * Builds the migration plan: per column, the target type and how faithful it is; per table, how it is copied.
 * Pure: the plan is shown to an approver and crosses Temporal as JSON.
 */
import type { IdentifierRules } from '../connectors/dialect';
import { dialectNamed, isDialect } from '../connectors/dialects';
import { fitName } from './identifiers';
import { uniqueNames, type NameGiven } from './unique-names';
import { targetType } from './typemap';
import { checkForTarget, indexKeyProblem, mapsCase, portableCheck, portableIndexKey, renderCheck, type CheckTarget } from './typemap/check';
import { crossType } from './typemap/common';
import { isDatedKind, nonFiniteNote, temporalRangeNote } from './temporal-range';
import type { ColumnInfo, ColumnMapping, Dialect, IndexInfo, MigrationPlan, OfferedExtension, PartitionInfo, SchemaInfo, SchemaObject, TableInfo, TablePlan } from './types';

export interface PlanOptions {
  /** Schema (PostgreSQL), database (MySQL) or `main` (SQLite) to create the tables in. */
  targetSchema: string;
  /** Extensions the target database has (see TargetTypeContext.extensions): types of other dialects may map to theirs. */
  targetExtensions?: readonly string[];
  /**
   * Extensions the target server offers and its database lacks, that columns want (see extensionsWanted): created
   * before the tables when the target's user may, else the columns keep their form without it and the notes say so.
   */
  offeredExtensions?: readonly OfferedExtension[];
}

/** A default that means the same in every dialect; anything else (functions, sequences) is not copied. */
export type PortableDefault =
  | { kind: 'number'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'boolean'; value: boolean };

/**
 * Reads a default expression as any of the three dialects reports it: `0`, `(0)`, `'abc'`,
 * `'abc'::character varying`, `true`. Returns null for NULL, functions and everything else.
 */
export function portableDefault(expression: string | null): PortableDefault | null {
  if (expression === null) return null;
  let s = expression.trim();
  while (/^\(.*\)$/s.test(s)) s = s.slice(1, -1).trim();
  s = s.replace(/::[a-z ]+(\(\d+(,\d+)?\))?(\[\])?$/i, '').trim();
  while (/^\(.*\)$/s.test(s)) s = s.slice(1, -1).trim();
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s)) return { kind: 'number', text: s };
  if (/^(true|false)$/i.test(s)) return { kind: 'boolean', value: s.toLowerCase() === 'true' };
  const quoted = /^[nN]?'((?:[^'\\]|''|\\.)*)'$/s.exec(s);
  if (quoted) return { kind: 'string', text: quoted[1].replace(/''/g, "'") };
  return null;
}

/**
 * A MariaDB/MySQL zero date as a default (`'0000-00-00'`, `'0000-00-00 00:00:00'`, a zero month or day) of a date or
 * time column: no other dialect has one (the copy reads such values as NULL), so it is not migrated.
 */
export function zeroDateDefault(expression: string | null, kind: string): boolean {
  const d = portableDefault(expression);
  return d?.kind === 'string' && TEMPORAL_DEFAULT_KINDS.has(kind) && /^\d{4}-(00-\d{2}|\d{2}-00)/.test(d.text);
}

/**
 * A default that is the current time or date when the row is written, as any of the three dialects reports it (`now()`,
 * `CURRENT_TIMESTAMP(3)`, `current_timestamp()`, `CURRENT_DATE`, `curdate()`): every target has its own spelling of it.
 */
export function currentTimeDefault(expression: string | null): 'timestamp' | 'date' | null {
  if (expression === null) return null;
  let s = expression.trim();
  while (/^\(.*\)$/s.test(s)) s = s.slice(1, -1).trim();
  if (/^(now\(\)|current_timestamp(\(\d*\))?|localtimestamp(\(\d*\))?|transaction_timestamp\(\)|statement_timestamp\(\))$/i.test(s)) return 'timestamp';
  if (/^(current_date|curdate\(\))$/i.test(s)) return 'date';
  return null;
}

/** Kinds a current-time default means the same for. */
export const TEMPORAL_DEFAULT_KINDS: ReadonlySet<string> = new Set(['timestamp', 'timestamptz', 'date']);

/**
 * A column a key or a foreign key is made of: a target that cannot key an unbounded type (MariaDB TEXT/BLOB) gives it
 * a bounded one, the referencing columns the same as the referenced (a LONGTEXT child of a VARCHAR(255) key could not
 * be a foreign key: MariaDB errno 150, and the migration failed after the copy). `foreignKeys` false: only primary and
 * unique keys (mapping edits a workflow made before foreign keys and unique indexes counted).
 */
export function isKeyColumn(table: TableInfo, column: string, foreignKeys = true): boolean {
  return (
    table.primaryKey.includes(column) ||
    table.uniqueConstraints.some((u) => u.columns.includes(column)) ||
    (foreignKeys && table.foreignKeys.some((fk) => fk.columns.includes(column))) ||
    // A UNIQUE index may be what a foreign key references (counted with foreign keys, as edits made before did not).
    (foreignKeys && table.indexes.some((i) => i.unique && i.columns.includes(column)))
  );
}

function joinNotes(...notes: (string | undefined)[]): string | undefined {
  const present = [...new Set(notes.filter((n): n is string => !!n))];
  return present.length ? present.join('; ') : undefined;
}

/** Whether a migration from `source` to `target` keeps native types (the same dialect, one that migrates to itself natively). */
export function migratesNatively(source: Dialect, target: Dialect): boolean {
  return source === target && isDialect(target) && typeof dialectNamed(target).types?.sameDialect === 'function';
}

/**
 * One column's mapping. `native`: the target is of the source's dialect (see migratesNatively), so the column keeps
 * its native type, its default expression and every value as the database's own text of it.
 */
export function planColumn(
  table: TableInfo,
  column: ColumnInfo,
  targetDialect: Dialect,
  native = false,
  extensions?: readonly string[],
  sourceDialect?: Dialect,
): ColumnMapping {
  const same = native ? dialectNamed(targetDialect).types?.sameDialect?.(column) : undefined;
  // Across dialects a type only the source declares takes its portable form (a PostgreSQL array: a JSON array).
  const canonical = same ? column.type : crossType(column.type);
  const base = { id: `${table.name}.${column.name}`, table: table.name, column: column.name, sourceType: column.nativeType, canonical, nullable: column.nullable };
  if (same) return { ...base, targetType: same.sql, confidence: same.confidence, ...(same.note ? { note: same.note } : {}) };
  if (canonical.kind === 'unsupported' || canonical.kind === 'native') {
    return { ...base, targetType: '', confidence: 0, note: canonical.readNote ?? `type ${column.nativeType} is not supported by Sensei` };
  }
  const choice = targetType(targetDialect, canonical, {
    inKey: isKeyColumn(table, column.name),
    notNull: !column.nullable,
    table: table.name,
    column: column.name,
    ...(extensions?.length ? { extensions } : {}),
  });
  return {
    ...base,
    targetType: choice.sql,
    confidence: Math.min(canonical.readConfidence ?? 1, choice.confidence),
    note: joinNotes(
      canonical.readNote,
      choice.note,
      isDatedKind(canonical.kind) ? temporalRangeNote(sourceDialect, targetDialect, canonical, choice.sql, chooseKey(table).copyMode === 'whole_table') : undefined,
      nonFiniteNote(sourceDialect, targetDialect, canonical),
      defaultNote(column, canonical),
      column.generated ? `generated in the source (AS ${column.generated}): its values are copied, and the target does not compute them` : undefined,
    ),
  };
}

/** Why a column's default is not migrated to a target of another dialect, or nothing when it is. */
function defaultNote(column: ColumnInfo, canonical: ColumnInfo['type']): string | undefined {
  if (column.default === null || canonical.autoIncrement) return undefined;
  if (currentTimeDefault(column.default) && TEMPORAL_DEFAULT_KINDS.has(canonical.kind)) return undefined;
  if (portableDefault(column.default) === null) return `default ${column.default} is not migrated, because only literal and current-time defaults mean the same in every dialect`;
  if (zeroDateDefault(column.default, canonical.kind)) return `default ${column.default} is not migrated, because a zero date has no equal in other dialects`;
  if (canonical.family) return `default ${column.default} is not migrated, because the column's values change form in the target`;
  return undefined;
}

/**
 * Table names the target keeps apart: where its table names ignore case (SQLite: "Users" and "users" are one table),
 * a later table whose name is an earlier one's there gets `_2`, `_3`, … (lib/unique-names.ts), said in `notes`.
 */
function distinctTableNames(tables: TablePlan[], targetDialect: Dialect, notes: string[]): TablePlan[] {
  const rules = isDialect(targetDialect) ? dialectNamed(targetDialect).identifiers : undefined;
  const key = rules?.sameName?.tables;
  if (!rules || !key) return tables;
  const given = uniqueNames(
    tables.map((t) => ({ base: t.source.name, owner: t.source.name })),
    rules,
    { key },
  );
  return tables.map((t, i) => {
    const { name, renamed } = given[i];
    if (!renamed) return t;
    notes.push(`table ${t.source.name} is named ${name} in the target: ${dialectNamed(targetDialect).label} table names ignore case, and table ${renamed.takenBy} takes ${renamed.from} there`);
    return { ...t, target: name };
  });
}

/** The first limit on a row's columns (TypeMap.rowBytes) these columns pass, with the bytes they take of it; null: none. */
function rowPast(columns: readonly ColumnMapping[], targetDialect: Dialect): { bytes: number; maxBytes: number; what: string; bytesOf(type: string): number } | null {
  const limits = isDialect(targetDialect) ? (dialectNamed(targetDialect).types?.rowBytes?.limits ?? []) : [];
  for (const limit of limits) {
    const bytes = columns.reduce((sum, c) => sum + limit.bytesOf(c.targetType), 0) + Math.ceil(columns.length / 8);
    if (bytes > limit.maxBytes) return { ...limit, bytes };
  }
  return null;
}

/**
 * A table's columns fitted to what the target keeps of a row (TypeMap.rowBytes: MariaDB's 65,535 bytes, a VARCHAR(n)
 * counted at its most, and InnoDB's 8,126 in the page): past a limit, the column that takes most of it among those no
 * key, index or foreign key names is planned in a type that keeps its values out of the row (VARCHAR(1000) → TEXT),
 * and so on until it fits, said in the notes. The target refused such a table when it was created (a hundred
 * VARCHAR(1000), or forty VARCHAR(63), of PostgreSQL). One that still does not fit blocks at the gate (keyLengthProblems).
 */
function rowFitted(table: TableInfo, columns: ColumnMapping[], targetDialect: Dialect, notes: string[]): ColumnMapping[] {
  const outOfRow = isDialect(targetDialect) ? dialectNamed(targetDialect).types?.rowBytes?.outOfRow : undefined;
  const first = rowPast(columns, targetDialect);
  if (!outOfRow || !first) return columns;
  const keyed = new Set([
    ...table.primaryKey,
    ...table.uniqueConstraints.flatMap((u) => u.columns),
    ...table.indexes.flatMap((i) => i.columns),
    ...(table.expressionIndexes ?? []).flatMap((i) => i.columns),
    ...table.foreignKeys.flatMap((f) => f.columns),
  ]);
  const out = [...columns];
  const moved: string[] = [];
  for (let past: ReturnType<typeof rowPast> = first; past !== null; past = rowPast(out, targetDialect)) {
    const limit = past;
    // The column whose move frees most of the limit passed (the first of the widest).
    let best: { i: number; to: string; saved: number } | null = null;
    out.forEach((c, i) => {
      const to = keyed.has(c.column) || moved.includes(c.column) ? null : outOfRow(c.targetType);
      const saved = to === null ? 0 : limit.bytesOf(c.targetType) - limit.bytesOf(to);
      if (to !== null && saved > 0 && (best === null || saved > best.saved)) best = { i, to, saved };
    });
    if (best === null) break;
    const { i, to } = best as { i: number; to: string };
    const c = out[i] as ColumnMapping;
    out[i] = { ...c, targetType: to, note: [c.note, `${to} rather than ${c.targetType}: the table's columns take more of a row than ${dialectNamed(targetDialect).label} keeps (the values are kept; the length is no longer enforced)`].filter(Boolean).join('; ') };
    moved.push(c.column);
  }
  if (moved.length) {
    const shown = moved.length > 10 ? `${moved.slice(0, 10).join(', ')} and ${moved.length - 10} more` : moved.join(', ');
    notes.push(`table ${table.name}: columns ${shown} keep their values out of the row (TEXT, BLOB): as declared, they would take ${first.bytes} ${first.what}, past the ${first.maxBytes} ${dialectNamed(targetDialect).label} keeps`);
  }
  return out;
}

/** Primary key; else the first unique constraint whose columns are all NOT NULL; else none. */
function chooseKey(table: TableInfo): Pick<TablePlan, 'keyColumns' | 'copyMode' | 'copyNote'> {
  if (table.primaryKey.length > 0) {
    return { keyColumns: [...table.primaryKey], copyMode: 'keyset', copyNote: `keyset chunks on the primary key (${table.primaryKey.join(', ')})` };
  }
  const notNull = new Set(table.columns.filter((c) => !c.nullable).map((c) => c.name));
  const unique = table.uniqueConstraints.find((u) => u.columns.length > 0 && u.columns.every((c) => notNull.has(c)));
  if (unique) {
    return {
      keyColumns: [...unique.columns],
      copyMode: 'keyset',
      copyNote: `no primary key: keyset chunks on unique key ${unique.name} (${unique.columns.join(', ')}), whose columns are all NOT NULL`,
    };
  }
  return {
    keyColumns: [],
    copyMode: 'whole_table',
    copyNote: 'no primary key or non-null unique key: copied in one transaction ordered by all columns',
  };
}

export function planTable(table: TableInfo, targetDialect: Dialect, native = false, notes: string[] = [], extensions?: readonly string[], sourceDialect?: Dialect): TablePlan {
  const planned = table.columns.filter((c) => !(native && c.generated)).map((c) => planColumn(table, c, targetDialect, native, extensions, sourceDialect));
  const columns = native ? planned : rowFitted(table, planned, targetDialect, notes);
  return {
    source: native ? table : portableObjects(table, columns, targetDialect, notes, sourceDialect),
    target: isDialect(targetDialect) ? fitName(table.name, dialectNamed(targetDialect).identifiers) : table.name,
    // Natively, generated columns are created as generated (the target computes them), not copied.
    columns,
    ...chooseKey(table),
    ...(native ? { native: true } : {}),
  };
}

/**
 * A table's indexes and CHECKs as a target of another dialect can have them: a CHECK in portable SQL (lib/typemap/check.ts)
 * is kept, and so is a partial index on columns whose WHERE is (where the target has partial indexes); an index on
 * columns the target cannot index (JSON, unbounded text) or on expressions is left out; each thing left out is said in
 * `notes` ("not migrated, because …").
 */
function portableObjects(table: TableInfo, columns: ColumnMapping[], targetDialect: Dialect, notes: string[], sourceDialect?: Dialect): TableInfo {
  const types = isDialect(targetDialect) ? dialectNamed(targetDialect).types : undefined;
  const unindexable = (names: string[]) =>
    names.map((n) => columns.find((c) => c.column === n)).find((c) => c && types?.indexRefusal?.(c.targetType));
  const checkTarget = isDialect(targetDialect) ? checkTargetOf(columns, targetDialect) : undefined;
  const partialTarget = isDialect(targetDialect) ? partialIndexTarget(columns, targetDialect) : undefined;
  const partial: IndexInfo[] = [];
  for (const index of table.expressionIndexes ?? []) {
    const why = acrossIndexRefusal(index, table, targetDialect, partialTarget, sourceDialect);
    if (typeof why === 'string') notes.push(`index ${index.name} of ${table.name} is not migrated, because ${why} (${index.definition ?? index.name})`);
    else partial.push(why);
  }
  const indexes = [...table.indexes, ...partial].filter((index) => {
    if (index.nativeOnly) {
      notes.push(`index ${index.name} of ${table.name} is not migrated, because ${index.nativeOnly}`);
      return false;
    }
    const column = unindexable(index.columns);
    if (column) {
      notes.push(`index ${index.name} of ${table.name} is not migrated, because ${targetDialect} cannot index column ${column.column} (${column.targetType}): ${types?.indexRefusal?.(column.targetType)}`);
      return false;
    }
    // A plain index past the target's key length is left out (the target refused it after the copy); a UNIQUE one
    // is said instead (see keyLengthProblems).
    const bytes = index.unique ? null : keyBytes(index.columns, columns, targetDialect);
    const max = types?.indexKey?.maxBytes;
    if (bytes === null || max === undefined || bytes <= max) return true;
    notes.push(`index ${index.name} of ${table.name} is not migrated, because its key would take up to ${bytes} bytes, past the ${max} ${dialectNamed(targetDialect).label} keeps`);
    return false;
  });
  const checks: { name: string; definition: string; portable?: string }[] = [];
  if (types?.checkRefusal) {
    for (const check of table.checks ?? []) notes.push(`check ${check.name} of ${table.name} is not migrated, because ${types.checkRefusal}: ${check.definition}`);
    for (const c of columns.filter((x) => x.canonical.check)) notes.push(`the check of column ${c.column} of ${table.name} is not migrated, because ${types.checkRefusal}: ${c.canonical.check}`);
  }
  for (const check of types?.checkRefusal ? [] : (table.checks ?? [])) {
    const portable = portableCheck(check.definition, table.columns.map((c) => c.name));
    if (!portable) {
      notes.push(`check ${check.name} of ${table.name} is not migrated, because its expression uses what only the source's dialect has: ${check.definition}`);
      continue;
    }
    // Written for the columns' types in the target (a TINYINT(1) that is a boolean there is compared with TRUE/FALSE).
    const fitted = checkTarget ? checkForTarget(portable, checkTarget) : { portable };
    if ('portable' in fitted) checks.push({ ...check, portable: fitted.portable });
    else notes.push(`check ${check.name} of ${table.name} is not migrated, because ${fitted.reason}`);
  }
  const { expressionIndexes: _expressions, checks: _checks, ...rest } = table;
  return { ...rest, indexes, ...(checks.length ? { checks } : {}) };
}

/**
 * How a partial index's WHERE may use the columns in a target of another dialect (see CheckTarget.comparable): as a
 * CHECK's, and comparing only numbers, text and booleans that are so on both sides (not a date the target keeps as text,
 * nor an enum, whose order is its labels').
 */
export function partialIndexTarget(columns: ColumnMapping[], targetDialect: Dialect): CheckTarget {
  const target = checkTargetOf(columns, targetDialect);
  const classOf = (kind: string) => (kind === 'boolean' ? 'boolean' : NUMERIC_KINDS.has(kind) ? 'number' : TEXT_KINDS.has(kind) ? 'text' : null);
  const byName = new Map(columns.map((c) => [c.column, c]));
  return {
    ...target,
    comparable: (column) => {
      const c = byName.get(column);
      const from = c ? classOf(c.canonical.kind) : null;
      if (from === null) return false;
      const to = target.isBoolean(column) ? 'boolean' : target.isNumeric(column) ? 'number' : target.isText?.(column) ? 'text' : null;
      return from === to || (from === 'boolean' && to === 'number');
    },
  };
}

/**
 * A planned partial or expression index as the target makes it for the columns' final types: its WHERE written for
 * them, its keys checked against them; or why it no longer fits them (a column edited at the gate): it is then left
 * out, as a CHECK that no longer fits is (said in the notes).
 */
export function indexFit(t: Pick<TablePlan, 'columns' | 'native'>, targetDialect: Dialect, index: IndexInfo): { index: IndexInfo } | { reason: string } {
  if (t.native || !isDialect(targetDialect) || (index.where === undefined && !index.keys)) return { index };
  const target = partialIndexTarget(t.columns, targetDialect);
  for (const key of index.keys ?? []) {
    const problem = indexKeyProblem(key, target);
    if (problem) return { reason: problem };
  }
  if (index.where === undefined) return { index };
  const fitted = checkForTarget(index.where, target);
  return 'portable' in fitted ? { index: { ...index, where: fitted.portable } } : fitted;
}

/**
 * A partial or expression index as a target of another dialect makes it (its WHERE and keys in portable SQL), or why
 * it cannot be made there: its WHERE and keys must be portable (as a CHECK's, keys calling only FUNCTIONS of
 * lib/typemap/check.ts) and mean the same for the columns' types there, in a target that has such indexes; a UNIQUE one
 * keyed on lower() or upper() only where the target maps no more letters than the source (asciiCaseMapping).
 */
function acrossIndexRefusal(index: IndexInfo, table: TableInfo, targetDialect: Dialect, target: CheckTarget | undefined, sourceDialect?: Dialect): string | IndexInfo {
  if (!isDialect(targetDialect)) return `${targetDialect} is not a dialect Sensei knows`;
  const dialect = dialectNamed(targetDialect);
  const names = table.columns.map((c) => c.name);
  const keyed = index.columns.length === 0;
  let keys: string[] | undefined;
  if (keyed) {
    if (!dialect.capabilities.expressionIndexes) return `it is an expression index, which ${dialect.label} does not have`;
    const portable = (index.keys ?? []).map((k) => portableIndexKey(k, names));
    if (portable.length === 0 || portable.some((k) => k === null)) return "it is an expression index in the source's own SQL";
    keys = portable as string[];
    const problem = target ? keys.map((k) => indexKeyProblem(k, target)).find((p) => p !== null) : null;
    if (problem) return `its keys cannot mean the same there: ${problem}`;
    const sourceAscii = sourceDialect && isDialect(sourceDialect) ? dialectNamed(sourceDialect).capabilities.asciiCaseMapping === true : false;
    if (index.unique && sourceAscii && !dialect.capabilities.asciiCaseMapping && keys.some(mapsCase)) {
      return `it is UNIQUE on lower() or upper(), which ${dialect.label} applies to letters beyond ASCII that the source leaves as they are: values the source keeps apart could be one there`;
    }
  }
  const planned: IndexInfo = { name: index.name, columns: keyed ? [] : index.columns, unique: index.unique, ...(keys ? { keys } : {}) };
  if (index.where === undefined) return planned;
  if (!dialect.capabilities.partialIndexes) return `it is a partial index, which ${dialect.label} does not have`;
  const portable = portableCheck(index.where, names);
  if (!portable) return "its WHERE uses what only the source's dialect has";
  const fitted = target ? checkForTarget(portable, target) : { portable };
  return 'portable' in fitted ? { ...planned, where: fitted.portable } : `its WHERE cannot mean the same there: ${fitted.reason}`;
}

/**
 * The most bytes an index key on `names` takes in the target (TypeMap.indexKey), the columns typed as planned: the
 * target refuses a longer key, which it found only when the index was made after the copy. null where the target keeps
 * no such limit or a column's size is not known there (TEXT and JSON are refused in indexes, or bounded in keys, before:
 * indexRefusal, isKeyColumn).
 */
export function keyBytes(names: readonly string[], columns: readonly ColumnMapping[], targetDialect: Dialect): number | null {
  const indexKey = isDialect(targetDialect) ? dialectNamed(targetDialect).types?.indexKey : undefined;
  if (!indexKey) return null;
  let total = 0;
  for (const name of names) {
    const column = columns.find((c) => c.column === name);
    const bytes = column?.targetType ? indexKey.bytesOf(column.targetType) : null;
    if (bytes === null) return null;
    total += bytes;
  }
  return total;
}

/**
 * A table's keys whose key would take more bytes than the target keeps (see keyBytes). A primary key past it blocks at
 * the gate, saying how to go on without the table (the target refuses the table itself). A unique constraint or index
 * past it blocks too, unless the target says what it does with one (indexKey.longUnique): then it is created as it is,
 * and the plan says so.
 */
function keyLengthProblems(t: TablePlan, targetDialect: Dialect, rowLimits: boolean): { blockers: string[]; notes: string[] } {
  const dialect = dialectNamed(targetDialect);
  const max = dialect.types?.indexKey?.maxBytes;
  if (max === undefined || t.native) return { blockers: [], notes: [] };
  const row = rowLimits ? rowPast(t.columns, targetDialect) : null;
  const rowBlocker = row
    ? [`table ${t.source.name}: its columns as planned would take ${row.bytes} ${row.what} in ${dialect.label}, past the ${row.maxBytes} it keeps: map some of them to TEXT or BLOB at the gate, or exclude the table (source.exclude_tables)`]
    : [];
  const past = (columns: string[]) => {
    const bytes = keyBytes(columns, t.columns, targetDialect);
    return bytes !== null && bytes > max ? bytes : null;
  };
  const blockers: string[] = [];
  const primary = t.source.primaryKey.length ? past(t.source.primaryKey) : null;
  if (primary !== null) {
    blockers.push(
      `primary key of ${t.source.name} (${t.source.primaryKey.join(', ')}) would take up to ${primary} bytes in ${dialect.label}, past the ${max} it keeps: exclude the table (source.exclude_tables)`,
    );
  }
  const unique = [
    ...t.source.uniqueConstraints.map((u) => ({ what: `unique constraint ${u.name}`, columns: u.columns })),
    ...t.source.indexes.filter((i) => i.unique).map((i) => ({ what: `unique index ${i.name}`, columns: i.columns })),
  ];
  const longUnique = dialect.types?.indexKey?.longUnique;
  const notes: string[] = [];
  for (const { what, columns } of unique) {
    const bytes = past(columns);
    if (bytes === null) continue;
    const said = `${what} of ${t.source.name} (${columns.join(', ')}) would take up to ${bytes} bytes`;
    if (longUnique) notes.push(`${said}, past the ${max} ${dialect.label} keeps in a key: ${longUnique}`);
    else blockers.push(`${said} in ${dialect.label}, past the ${max} it keeps: exclude the table (source.exclude_tables)`);
  }
  return { blockers: [...blockers, ...rowBlocker], notes };
}

/** How a target of another dialect holds the columns of a table as planned (or as edited since): see checkForTarget. */
export function checkTargetOf(columns: ColumnMapping[], targetDialect: Dialect): CheckTarget {
  const dialect = dialectNamed(targetDialect);
  const kindOf = (c: ColumnMapping): string => {
    if (!c.targetType || !dialect.types) return c.canonical.kind;
    try {
      return dialect.types.parseTypeName(c.targetType).kind;
    } catch {
      return 'unsupported';
    }
  };
  const kinds = new Map(columns.map((c) => [c.column, kindOf(c)]));
  return {
    strictBooleans: dialect.capabilities.strictBooleans,
    isBoolean: (column) => kinds.get(column) === 'boolean',
    isNumeric: (column) => NUMERIC_KINDS.has(kinds.get(column) ?? 'unsupported'),
    isText: (column) => TEXT_KINDS.has(kinds.get(column) ?? 'unsupported'),
  };
}

const NUMERIC_KINDS: ReadonlySet<string> = new Set(['int16', 'int32', 'int64', 'decimal', 'float32', 'float64']);
const TEXT_KINDS: ReadonlySet<string> = new Set(['char', 'varchar', 'text']);

/**
 * A column's own CHECK (a domain's, a YEAR's: CanonicalType.check) as the target can hold it for the column's type
 * there (after any mapping edit), VALUE written as the column: see checkForTarget. null when it has none.
 */
export function columnCheckFor(c: ColumnMapping, target: CheckTarget): { portable: string } | { reason: string } | null {
  if (!c.canonical.check) return null;
  return checkForTarget(renderCheck(c.canonical.check, (n) => '"' + n.replace(/"/g, '""') + '"', c.column), target);
}

/** Whether the connector keeps an enum's labels as a CHECK on a column of this type (an enum kept as, or edited to, text). */
export function enumLabelsChecked(c: Pick<ColumnMapping, 'canonical'>, type: string): boolean {
  return c.canonical.kind === 'enum' && /^(text|character varying)/i.test(type);
}

/**
 * Names for the CHECKs of a plan for a target of another dialect, unique in the target schema (MySQL and Oracle name
 * CHECKs per schema, PostgreSQL and MariaDB per table): `<target table>_<check>` (the name alone when it starts so
 * already), fitted to the target's length; one whose name another CHECK had first (in the plan's order) gets `_2`, `_3`,
 * … (lib/unique-names.ts), said in `notes`. Where the target names columns' own CHECKs in the same namespace (Oracle:
 * IdentifierRules.columnCheckName), those come after every table's CHECKs and get a `checkName` only when theirs was
 * taken. Where it keeps foreign-key names per schema (IdentifierRules.foreignKeyNames), foreign keys between migrated
 * tables keep the source's names, unique among themselves (MySQL) or beside the CHECKs too (Oracle), and get a
 * `targetName` only when theirs was taken. A table's CHECK also avoids the names its table holds in the target beside it
 * (IdentifierRules.tableConstraints: its columns' own CHECKs as the target names them, its foreign keys). The names are
 * compared without case (MySQL does). Deterministic.
 */
function nameConstraints(tables: TablePlan[], rules: IdentifierRules, notes: string[]): TablePlan[] {
  const crossDialect = tables.filter((t) => !t.native);
  const named = rules.columnCheckName;
  const columnChecks = named
    ? crossDialect.flatMap((t) => t.columns.filter((c) => c.canonical.check).map((c) => ({ column: c, base: named(t.target, c.column), owner: `the check of column ${t.source.name}.${c.column}` })))
    : [];
  const migrated = new Set(tables.map((t) => t.source.name));
  const foreignKeys = rules.foreignKeyNames
    ? crossDialect.flatMap((t) =>
        t.source.foreignKeys.filter((fk) => migrated.has(fk.referencedTable)).map((fk) => ({ fk, table: t.source.name, base: fk.name, owner: `foreign key ${fk.name} of ${t.source.name}` })),
      )
    : [];
  const key = { key: (n: string) => n.toLowerCase() };
  const shared = rules.foreignKeyNames === 'constraints';
  const ownForeignKeys = shared ? [] : uniqueNames(foreignKeys, rules, key);
  const fkName = new Map(foreignKeys.map((r, i) => [r.fk, ownForeignKeys[i]?.name ?? fitName(r.fk.name, rules)]));
  // Where foreign keys are named per table beside the constraints the database names itself (PostgreSQL: `<table>_pkey`,
  // `<table>_<columns>_key`, `<table>_<column>_check`), one named so (or as another of its table, once fitted) is renamed.
  const perTable = !rules.foreignKeyNames && rules.tableConstraints?.foreignKeys ? crossDialect.flatMap((t) => namedInTable(t, rules, migrated)) : [];
  for (const r of perTable) fkName.set(r.fk, r.given.name);
  const tableChecks = crossDialect.flatMap((t) => {
    const taken = takenInTable(t, rules, migrated, fkName);
    return (t.source.checks ?? []).map((c) => ({
      base: c.name.startsWith(`${t.target}_`) ? c.name : `${t.target}_${c.name}`,
      owner: `check ${c.name} of ${t.source.name}`,
      ...(taken.size ? { taken } : {}),
    }));
  });
  const given = uniqueNames([...tableChecks, ...columnChecks, ...(shared ? foreignKeys : [])], rules, key);
  const givenForeignKeys = shared ? given.slice(tableChecks.length + columnChecks.length) : ownForeignKeys;

  const renamedAs = <T>(requests: ({ owner: string } & T)[], names: typeof given, what: (r: T) => string) => {
    const out = new Map<T, string>();
    requests.forEach((r, i) => {
      const { name, renamed } = names[i];
      if (!renamed) return;
      notes.push(`${what(r)} is named ${name} in the target, because ${renamed.from} is the name of ${renamed.takenBy} there`);
      out.set(r, name);
    });
    return out;
  };
  const columnNames = new Map(
    [...renamedAs(columnChecks, given.slice(tableChecks.length), (r) => `the check of column ${r.column.table}.${r.column.column}`)].map(([r, n]) => [r.column, n]),
  );
  const foreignKeyNames = new Map([...renamedAs(foreignKeys, givenForeignKeys, (r) => `foreign key ${r.fk.name} of ${r.table}`)].map(([r, n]) => [r.fk, n]));
  for (const r of perTable) {
    if (!r.given.renamed) continue;
    notes.push(`foreign key ${r.fk.name} of ${r.table} is named ${r.given.name} in the target, because ${r.given.renamed.from} is the name of ${r.given.renamed.takenBy} there`);
    foreignKeyNames.set(r.fk, r.given.name);
  }

  let next = 0;
  return tables.map((t) => {
    if (t.native) return t;
    const checks = t.source.checks?.map((c) => {
      const { name, renamed } = given[next++];
      if (renamed) notes.push(`check ${c.name} of ${t.source.name} is named ${name} in the target, because ${renamed.from} is the name of ${renamed.takenBy} there`);
      return { ...c, targetName: name };
    });
    const columns = columnNames.size ? t.columns.map((c) => (columnNames.has(c) ? { ...c, checkName: columnNames.get(c) } : c)) : t.columns;
    const fks = foreignKeyNames.size ? t.source.foreignKeys.map((fk) => (foreignKeyNames.has(fk) ? { ...fk, targetName: foreignKeyNames.get(fk) } : fk)) : t.source.foreignKeys;
    if (!checks?.length && columns === t.columns && fks === t.source.foreignKeys) return t;
    return { ...t, columns, source: { ...t.source, foreignKeys: fks, ...(checks?.length ? { checks } : {}) } };
  });
}

/**
 * The names the target gives constraints of table `t` it names itself, each with who has it
 * (IdentifierRules.tableConstraints): its columns' own CHECKs and, where it says how, its primary key and its UNIQUE
 * constraints (PostgreSQL: `<table>_pkey`, `<table>_<columns>_key`), as the CREATE TABLE across dialects writes them.
 */
function automaticNames(t: TablePlan, rules: IdentifierRules): Map<string, string> {
  const taken = new Map<string, string>();
  const shares = rules.tableConstraints;
  if (!shares) return taken;
  const checked = new Set(shares.checkedTypes ?? []);
  for (const c of t.columns) {
    // The CHECKs the connector writes inside a column's definition (connectors/sql-connector.ts columnDefinition).
    if (c.canonical.check || enumLabelsChecked(c, c.targetType) || checked.has(baseTypeName(c.targetType))) {
      taken.set(shares.columnCheck(t.target, fitName(c.column, rules)), `the check of column ${t.source.name}.${c.column}`);
    }
  }
  const keys = shares.keyNames;
  if (keys && t.source.primaryKey.length) taken.set(keys.primaryKey(t.target), `the primary key of ${t.source.name}`);
  for (const u of keys ? t.source.uniqueConstraints : []) {
    const name = keys?.unique(t.target, u.columns.map((c) => fitName(c, rules))) as string;
    if (!taken.has(name)) taken.set(name, `unique constraint ${u.name} of ${t.source.name}`);
  }
  return taken;
}

/**
 * Names for the foreign keys of table `t` to migrated tables where the target names them per table, beside the
 * constraints it names itself (automaticNames): the source's, unless one of those has it, or another foreign key of the
 * table once fitted; then `_2`, `_3`, … (lib/unique-names.ts).
 */
function namedInTable(t: TablePlan, rules: IdentifierRules, migrated: ReadonlySet<string>): { fk: TableInfo['foreignKeys'][number]; table: string; given: NameGiven }[] {
  const fks = t.source.foreignKeys.filter((fk) => migrated.has(fk.referencedTable));
  if (fks.length === 0) return [];
  const taken = automaticNames(t, rules);
  const given = uniqueNames(
    fks.map((fk) => ({ base: fk.name, owner: `foreign key ${fk.name} of ${t.source.name}`, ...(taken.size ? { taken } : {}) })),
    rules,
  );
  return fks.map((fk, i) => ({ fk, table: t.source.name, given: given[i] }));
}

/** Whether a plan note says a constraint is named apart in the target (nameConstraints). */
const CONSTRAINT_RENAMED = /^(check .+ of .+|foreign key .+ of .+|the check of column .+) is named .+ in the target, because .+ is the name of .+ there$/s;

/**
 * The names of the constraints of a plan's tables (CHECKs, foreign keys) given again for the tables as they are now
 * (a mapping edit at the gate may give a column a CHECK the target names itself: an enum edited to text): each as
 * nameConstraints gives it from the source's names, and the plan's notes of such names replaced by those that still
 * hold. Across dialects only; deterministic.
 */
export function renamedConstraints(plan: MigrationPlan, tables: TablePlan[]): { tables: TablePlan[]; notes: string[] } {
  const notes: string[] = [];
  const unnamed = tables.map((t) =>
    t.native
      ? t
      : {
          ...t,
          columns: t.columns.map(({ checkName: _checkName, ...c }) => c),
          source: { ...t.source, foreignKeys: t.source.foreignKeys.map(({ targetName: _targetName, ...fk }) => fk) },
        },
  );
  const named = nameConstraints(unnamed, dialectNamed(plan.targetDialect).identifiers, notes);
  // The new notes where the old ones were (planning wrote them together), so a plan whose names stay reads as it did.
  const old = plan.notes ?? [];
  const at = old.findIndex((n) => CONSTRAINT_RENAMED.test(n));
  const kept = old.filter((n) => !CONSTRAINT_RENAMED.test(n));
  const before = at < 0 ? kept.length : old.slice(0, at).filter((n) => !CONSTRAINT_RENAMED.test(n)).length;
  return { tables: named, notes: [...kept.slice(0, before), ...notes, ...kept.slice(before)] };
}

/**
 * The names a CHECK of table `t` may not have in the target besides those of the schema's other CHECKs
 * (IdentifierRules.tableConstraints): those the target gives its columns' own CHECKs, and its foreign keys' (their
 * names in the target: `fkName`, for the keys to migrated tables, which alone are created), each with who has it.
 */
function takenInTable(t: TablePlan, rules: IdentifierRules, migrated: ReadonlySet<string>, fkName: ReadonlyMap<TableInfo['foreignKeys'][number], string>): Map<string, string> {
  const taken = automaticNames(t, rules);
  const shares = rules.tableConstraints;
  if (!shares) return taken;
  if (shares.foreignKeys) {
    for (const fk of t.source.foreignKeys) if (migrated.has(fk.referencedTable)) taken.set(fkName.get(fk) ?? fitName(fk.name, rules), `foreign key ${fk.name} of ${t.source.name}`);
  }
  return taken;
}

/**
 * Names of the types the target creates for columns (PostgreSQL enum types, `<table>_<column>`), unique among the
 * target schema's types, which tables share (a table has a row type of its name), and apart from the database's own
 * (IdentifierRules.builtinType: a column declared `pg_lsn` is pg_catalog's, whatever the target schema has): a type whose
 * name a table of the plan, a built-in type or an earlier column's type has gets `_2`, `_3`, … (lib/unique-names.ts), kept in the column's `createdType`
 * (which tells the connector to create it) and said in its note and the plan's `notes`. Deterministic.
 */
function nameCreatedTypes(tables: TablePlan[], targetDialect: Dialect, notes: string[]): TablePlan[] {
  const rules = dialectNamed(targetDialect).identifiers;
  const created = (t: TablePlan, c: ColumnMapping): boolean => {
    if (t.native || !c.targetType) return false;
    const choice = targetType(targetDialect, c.canonical, { table: c.table, column: c.column });
    return choice.createsType === true && choice.sql === c.targetType;
  };
  const reserved = new Map(tables.map((t) => [t.target, `table ${t.source.name}`]));
  const wanted = tables.flatMap((t) => t.columns.filter((c) => created(t, c)));
  if (wanted.length === 0) return tables;
  const given = uniqueNames(
    wanted.map((c) => ({ base: c.targetType, owner: `the type of column ${c.table}.${c.column}` })),
    rules,
    { reserved, builtin: rules.builtinType },
  );
  const renamed = new Map<ColumnMapping, { name: string; from: string; takenBy: string }>();
  wanted.forEach((c, i) => {
    const g = given[i];
    if (g.renamed) renamed.set(c, { name: g.name, ...g.renamed });
  });
  if (renamed.size === 0) return tables;
  return tables.map((t) => ({
    ...t,
    columns: t.columns.map((c) => {
      const r = renamed.get(c);
      if (!r) return c;
      const why = `named ${r.name}, because ${r.from} is the name of ${r.takenBy} in the target`;
      notes.push(`the type of column ${c.table}.${c.column} is ${why}`);
      const note = c.note?.split(`type ${r.from} `).join(`type ${r.name} `);
      return { ...c, targetType: r.name, createdType: r.name, note: joinNotes(note, why) };
    }),
  }));
}

/**
 * Tables in an order that puts each after the tables it inherits from (PostgreSQL inheritance), which the target
 * creates first; a parent left out of the migration is no longer named.
 */
export function parentsFirst(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const out: TableInfo[] = [];
  const placed = new Set<string>();
  const place = (t: TableInfo, path: Set<string>) => {
    if (placed.has(t.name) || path.has(t.name)) return;
    path.add(t.name);
    const parents = (t.inherits ?? []).filter((p) => byName.has(p));
    for (const p of parents) place(byName.get(p) as TableInfo, path);
    placed.add(t.name);
    if (!t.inherits) out.push(t);
    else {
      const { inherits: _all, ...rest } = t;
      out.push(parents.length ? { ...rest, inherits: parents } : rest);
    }
  };
  for (const t of tables) place(t, new Set());
  return out;
}

/** A type's name without its modifiers, as TypeMap.extensionTypes lists them: `geometry(Point,4326)` → `geometry`. */
export function baseTypeName(sql: string): string {
  return sql.replace(/\(.*$/s, '').trim().toLowerCase();
}

/**
 * Across dialects: the extensions of the target's type map (TypeMap.extensionTypes) the target database lacks and
 * some column would take a type of, each with those columns (`table.column`). The mapping activity asks the target
 * server about just these: whether it offers them and whether the target's user may create them.
 */
export function extensionsWanted(schema: SchemaInfo, targetDialect: Dialect, installed: readonly string[] = []): { name: string; columns: string[] }[] {
  if (!isDialect(targetDialect) || migratesNatively(schema.dialect, targetDialect)) return [];
  const typesOf = dialectNamed(targetDialect).types?.extensionTypes ?? {};
  const missing = Object.keys(typesOf).filter((e) => !installed.includes(e));
  if (missing.length === 0) return [];
  const wanted = new Map<string, string[]>();
  for (const table of schema.tables) {
    for (const column of table.columns) {
      const mapping = planColumn(table, column, targetDialect, false, [...installed, ...missing]);
      const extension = missing.find((e) => typesOf[e].includes(baseTypeName(mapping.targetType)));
      if (extension) wanted.set(extension, [...(wanted.get(extension) ?? []), mapping.id]);
    }
  }
  return [...wanted].map(([name, columns]) => ({ name, columns }));
}

/**
 * The offered extensions (PlanOptions.offeredExtensions) columns want: one the target's user may create becomes an
 * object created before the tables; one it may not leaves its columns as mapped without it. Either way the plan's
 * notes and the columns' own notes say which, so the approver sees it at the gate.
 */
function offeredExtensions(schema: SchemaInfo, targetDialect: Dialect, options: PlanOptions, tables: TablePlan[], notes: string[]): { tables: TablePlan[]; objects: SchemaObject[] } {
  const offered = options.offeredExtensions ?? [];
  if (offered.length === 0) return { tables, objects: [] };
  const wanted = extensionsWanted(schema, targetDialect, options.targetExtensions);
  const typesOf = (isDialect(targetDialect) ? dialectNamed(targetDialect).types?.extensionTypes : undefined) ?? {};
  const columnNotes = new Map<string, string>();
  const objects: SchemaObject[] = [];
  for (const extension of offered) {
    const columns = wanted.find((w) => w.name === extension.name)?.columns ?? [];
    if (columns.length === 0) continue;
    const named = `column${columns.length > 1 ? 's' : ''} ${columns.join(', ')}`;
    const types = (typesOf[extension.name] ?? []).join(', ');
    if (extension.create) {
      objects.push({ kind: 'extension', name: extension.name, create: extension.create, stage: 'before_tables', neededBy: columns });
      notes.push(`extension ${extension.name} will be created in the target database before the tables (the target server offers it and the target's user may create it): ${named} take its type ${types}`);
      for (const id of columns) columnNotes.set(id, `extension ${extension.name} will be created in the target database for it`);
    } else {
      const advice = `an administrator could run CREATE EXTENSION ${extension.name} in the target database to get ${types}`;
      notes.push(
        `${named} are stored without extension ${extension.name}, which the target server offers but the target's user may not create in the target database` +
          `${extension.refusal ? ` (${extension.refusal})` : ''}: ${advice}`,
      );
      for (const id of columns) columnNotes.set(id, `the target server offers extension ${extension.name}, but the target's user may not create it: ${advice}`);
    }
  }
  const noted = (c: ColumnMapping): ColumnMapping => (columnNotes.has(c.id) ? { ...c, note: joinNotes(c.note, columnNotes.get(c.id)) } : c);
  return { tables: tables.map((t) => ({ ...t, columns: t.columns.map(noted) })), objects };
}

/**
 * The spatial_ref_sys rows the source's users added that columns use (SpatialModifiers.customSrs), into another
 * dialect: not migrated (it keeps just the SRID number). A PostgreSQL target says what becomes of them itself (see
 * withSpatialRefs).
 */
function customSpatialRefNotes(schema: SchemaInfo): string[] {
  const used = new Map<number, { srs: string; columns: string[] }>();
  for (const t of schema.tables) {
    for (const c of t.columns) {
      const spatial = crossType(c.type).spatial;
      if (spatial?.srid === undefined || !spatial.customSrs) continue;
      const entry = used.get(spatial.srid) ?? { srs: spatial.customSrs, columns: [] };
      entry.columns.push(`${t.name}.${c.name}`);
      used.set(spatial.srid, entry);
    }
  }
  if (used.size === 0) return [];
  const rows = [...used.entries()].sort(([a], [b]) => a - b).map(([srid, u]) => `SRID ${srid} (${u.srs}), used by ${u.columns.join(', ')}`);
  return [`spatial_ref_sys rows the source's users added are not migrated: ${rows.join('; ')}`];
}

/** Kinds of schema object whose definition is the source dialect's own SQL: another dialect cannot create them from it. */
const CODE_OBJECTS = ['view', 'materialized view', 'function', 'procedure', 'trigger', 'event', 'sequence', 'policy', 'row level security'];

/** How the gate names several objects of a kind. */
const PLURALS: Record<string, string> = { policy: 'policies', 'row level security': 'row level security settings (of tables)' };

/**
 * Across dialects, the source's views, routines, triggers, events and free sequences are not migrated (their bodies are
 * the source's SQL): the gate lists them by kind, so the user knows what to create by hand on the target.
 */
function codeObjectNotes(schema: SchemaInfo, targetDialect: Dialect): string[] {
  // An object may come in several parts (a function and the owner it is given): named once.
  const byKind = new Map<string, Set<string>>();
  for (const o of schema.objects ?? []) {
    if (!CODE_OBJECTS.includes(o.kind)) continue;
    byKind.set(o.kind, (byKind.get(o.kind) ?? new Set()).add(o.name));
  }
  const shown = (names: string[]) => (names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', '));
  return CODE_OBJECTS.filter((kind) => byKind.has(kind)).map(
    (kind) =>
      `${PLURALS[kind] ?? `${kind}s`} not migrated, because their definitions are ${schema.dialect} SQL that ${targetDialect} does not read (create them by hand on the target): ${shown([...byKind.get(kind)!])}`,
  );
}

/**
 * What becomes of a system-versioned table (MariaDB), as Connector.keepVersions does it. Natively, with timestamp
 * periods, the target versions its table too, with the source's history where it can take it (what it could not take
 * is recorded among the migration's errors). Transaction-id periods, other dialects, and a schema read before row start
 * and end were: the current rows in a plain table, declared row start and end as plain values.
 */
function systemVersionedNote(t: TableInfo, native: boolean): string {
  const period = t.periodColumns;
  const declared = period && !period.implicit ? period : undefined;
  const transactions = declared && !/^timestamp/i.test(t.columns.find((c) => c.name === declared.start)?.nativeType ?? '');
  if (native && period && !transactions) {
    return (
      `table ${t.name} is system-versioned: so is the target table (on MariaDB), with its history (every version of its rows, with their row start and end) ` +
      "where the target can take it, else with its current rows (the migration's errors then say why); validation compares the current rows, the versions are counted as they are loaded"
    );
  }
  const kept = declared ? ` (row start and end columns (${declared.start}, ${declared.end}) as plain values)` : '';
  const partitions = native && SYSTEM_TIME_PARTITIONED.test(t.storage?.partitionBy ?? '') ? ', nor partitioned BY SYSTEM_TIME' : '';
  return `table ${t.name} is system-versioned${transactions ? ' by transaction id' : ''}: its current rows are migrated${kept}, not its history, and the target table is not versioned${partitions}`;
}

/** A partitioning clause by system time, which only a versioned table takes (MariaDB). */
const SYSTEM_TIME_PARTITIONED = /^PARTITION BY SYSTEM_TIME\b/i;

/** Across dialects, the source's table and column comments a target that keeps none (SQLite) does not get. */
function commentNotes(schema: SchemaInfo, targetDialect: Dialect): string[] {
  if (isDialect(targetDialect) && dialectNamed(targetDialect).capabilities.comments) return [];
  const tables = schema.tables.filter((t) => t.comment !== undefined).length;
  const columns = schema.tables.reduce((n, t) => n + t.columns.filter((c) => c.comment !== undefined).length, 0);
  if (tables + columns === 0) return [];
  const label = isDialect(targetDialect) ? dialectNamed(targetDialect).label : targetDialect;
  return [`comments on ${tables} table(s) and ${columns} column(s) are not migrated, because ${label} keeps no comments`];
}

/**
 * What becomes of the privileges granted on the source's tables and other objects (its schema, sequences, functions,
 * types) and of its schema's default privileges: natively they are granted again to the roles that exist on the target
 * (roles are not created, and everything belongs to the target's user); across dialects they are not.
 */
function grantNotes(schema: SchemaInfo, native: boolean): string[] {
  const notes: string[] = [];
  const granted = schema.tables.filter((t) => t.grants?.length);
  if (granted.length > 0) {
    const roles = [...new Set(granted.flatMap((t) => (t.grants ?? []).map((g) => g.grantee ?? 'PUBLIC')))].sort();
    const on = `privileges on ${granted.length} table(s) granted to ${roles.join(', ')}`;
    notes.push(
      native
        ? `${on} are granted on the target to those of these roles that exist there: roles are not created`
        : `${on} are not migrated: grant them on the target`,
    );
  }
  // A function is listed twice (before the tables and after the data): once here.
  const objects = [...new Map((schema.objects ?? []).filter((o) => o.grantees !== undefined).map((o) => [`${o.kind}\u0000${o.name}`, o])).values()];
  const defaults = objects.filter((o) => o.kind === 'default privileges');
  const others = objects.filter((o) => o.kind !== 'default privileges');
  if (others.length > 0) {
    const counts = new Map<string, number>();
    for (const o of others) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
    const what = [...counts].map(([kind, n]) => (kind === 'schema privileges' ? 'the schema' : `${n} ${kind}(s)`)).join(', ');
    const roles = [...new Set(others.flatMap((o) => o.grantees ?? []))].sort();
    const on = `privileges on ${what}${roles.length ? ` granted to ${roles.join(', ')}` : ''}`;
    notes.push(native ? `${on} are granted on the target to those of these roles that exist there` : `${on} are not migrated: grant them on the target`);
  }
  const owners = [...new Set([...schema.tables.map((t) => t.owner), ...(schema.objects ?? []).map((o) => o.owner)].filter((o): o is string => o !== undefined))].sort();
  if (owners.length > 0) {
    notes.push(
      native
        ? `what ${owners.join(', ')} own(s) on the source, and not its connection's user, is given to the same role on the target where it exists and the target's user may act as it (a superuser may); the rest belongs to the target's user`
        : `ownership (${owners.join(', ')}) is not migrated: everything belongs to the target's user`,
    );
  }
  if (defaults.length > 0) {
    const what = defaults.map((o) => o.name).join('; ');
    notes.push(
      native
        ? `the schema's default privileges (${what}) are set on the target's schema where those roles exist there`
        : `the schema's default privileges (${what}) are not migrated`,
    );
  }
  return notes;
}

export function planMigration(schema: SchemaInfo, targetDialect: Dialect, options: PlanOptions): MigrationPlan {
  const native = migratesNatively(schema.dialect, targetDialect);
  const notes: string[] = [];
  // Extensions the plan creates before the tables hold columns as installed ones do.
  const creatable = (options.offeredExtensions ?? []).filter((e) => e.create).map((e) => e.name);
  const extensions = [...(options.targetExtensions ?? []), ...creatable];
  // A table without columns (PostgreSQL allows one) is no table MariaDB, SQLite or a copy can make: said, left out.
  for (const t of schema.tables.filter((x) => x.columns.length === 0)) notes.push(`table ${t.name} is not migrated, because it has no columns`);
  const planned = distinctTableNames(
    parentsFirst(schema.tables.filter((t) => t.columns.length > 0)).map((t) => planTable(t, targetDialect, native, notes, extensions, schema.dialect)),
    targetDialect,
    notes,
  );
  const crossDialect = !native && isDialect(targetDialect);
  const named = crossDialect ? nameCreatedTypes(nameConstraints(planned, dialectNamed(targetDialect).identifiers, notes), targetDialect, notes) : planned;
  const { tables, objects: extensionObjects } = crossDialect ? offeredExtensions(schema, targetDialect, options, named, notes) : { tables: named, objects: [] };
  const columns = tables.flatMap((t) => t.columns);
  if (!(native && schema.spatialRefs?.length)) notes.push(...customSpatialRefNotes(schema));
  if (!native) notes.push(...codeObjectNotes(schema, targetDialect));
  // Another dialect cannot read the source's partitioning clause: every row is copied into one table.
  if (!native) for (const t of schema.tables.filter((x) => x.storage?.partitionBy)) notes.push(`table ${t.name} is partitioned in the source: the target table is not (every row is copied into it)`);
  for (const t of schema.tables.filter((x) => x.storage?.notKept)) notes.push(`table ${t.name} ${t.storage?.notKept}`);
  notes.push(...grantNotes(schema, native));
  if (!native) notes.push(...commentNotes(schema, targetDialect));
  for (const t of schema.tables.filter((x) => x.systemVersioned)) notes.push(systemVersionedNote(t, native));
  const checked = planProblems(tables, targetDialect, true);
  notes.push(...checked.notes);
  const { blockers } = checked;
  return {
    sourceDialect: schema.dialect,
    targetDialect,
    targetSchema: options.targetSchema,
    tables,
    minConfidence: columns.reduce((min, c) => Math.min(min, c.confidence), 1),
    blockers,
    notes,
    ...(native && schema.objects?.length ? { objects: objectsFor(schema.objects, tables, notes) } : {}),
    ...(extensionObjects.length ? { objects: extensionObjects } : {}),
    ...(crossDialect && extensions.length ? { targetExtensions: extensions } : {}),
    rowLimits: true,
  };
}

/**
 * What of a plan's tables the target cannot be given as planned (a type with no equivalent, two names that become one,
 * a key past the bytes the target keeps), as blockers the gate shows, with the notes these checks add. A pure function
 * of the tables: mapping edits at the gate run it again (recheckedBlockers).
 */
export function planProblems(tables: TablePlan[], targetDialect: Dialect, rowLimits = false): { blockers: string[]; notes: string[] } {
  const notes: string[] = [];
  // Natively a column may have no declared type at all (SQLite): the target declares it as the source does.
  const blockers = tables
    .flatMap((t) => t.columns.filter((c) => c.canonical.kind === 'unsupported' || (!c.targetType && !(t.native && c.sourceType === ''))))
    .map((c) => `${c.table}.${c.column}: ${c.canonical.kind === 'unsupported' ? `type ${c.sourceType} is not supported by Sensei` : (c.note ?? `type ${c.sourceType} has no ${targetDialect} equivalent`)}`);
  if (!isDialect(targetDialect) || !dialectNamed(targetDialect).capabilities.supported) {
    blockers.unshift(`target ${targetDialect} is not supported by this version of Sensei yet`);
  } else {
    const rules = dialectNamed(targetDialect).identifiers;
    const taken = new Map<string, string>();
    for (const t of tables) {
      if (fitName(t.source.name, rules) !== t.source.name) notes.push(`table ${t.source.name} is named ${t.target} in the target: its name is longer than ${limitText(rules)}`);
      const other = taken.get(t.target);
      if (other !== undefined) blockers.push(`tables ${other} and ${t.source.name} would both be named ${t.target} in the target`);
      taken.set(t.target, t.source.name);
    }
    const columnKey = rules.sameName?.columns ?? ((n: string) => n);
    for (const t of tables) {
      const columnsTaken = new Map<string, string>();
      for (const c of t.columns) {
        const name = fitName(c.column, rules);
        if (name !== c.column) notes.push(`column ${t.source.name}.${c.column} is named ${name} in the target: its name is longer than ${limitText(rules)}`);
        const other = columnsTaken.get(columnKey(name));
        if (other !== undefined) {
          blockers.push(
            fitName(other, rules) === name
              ? `columns ${other} and ${c.column} of ${t.source.name} would both be named ${name} in the target`
              : `columns ${other} and ${c.column} of ${t.source.name} are one column name in ${dialectNamed(targetDialect).label}, whose column names ignore case: ` +
                  'exclude the table (source.exclude_tables) or rename one of them in the source',
          );
        }
        columnsTaken.set(columnKey(name), c.column);
      }
    }
    for (const t of tables) {
      const problems = keyLengthProblems(t, targetDialect, rowLimits);
      blockers.push(...problems.blockers);
      notes.push(...problems.notes);
    }
  }
  return { blockers, notes };
}

/**
 * A plan's blockers after edits changed its tables: those planProblems gave the tables as they were are given again
 * for the tables as they are now (an edit may end one or make one); the others (what the target database itself lacks)
 * are kept.
 */
export function recheckedBlockers(plan: MigrationPlan, tables: TablePlan[]): string[] {
  // A plan made before the row limits were checked is checked again without them (its workflow replays so).
  const rowLimits = plan.rowLimits === true;
  const before = new Set(planProblems(plan.tables, plan.targetDialect, rowLimits).blockers);
  return [...planProblems(tables, plan.targetDialect, rowLimits).blockers, ...plan.blockers.filter((b) => !before.has(b))];
}

/**
 * A same-dialect plan with the spatial_ref_sys rows the target adds (the target connector's spatialRefObjects): created
 * right after the extensions (PostGIS among them), before the types and tables; their notes and blockers with the plan's.
 */
export function withSpatialRefs(plan: MigrationPlan, refs: { objects: SchemaObject[]; notes: string[]; blockers: string[] }): MigrationPlan {
  const objects = plan.objects ?? [];
  const after = objects.filter((o) => o.kind === 'extension').length;
  const all = [...objects.slice(0, after), ...refs.objects, ...objects.slice(after)];
  return { ...plan, notes: [...(plan.notes ?? []), ...refs.notes], blockers: [...plan.blockers, ...refs.blockers], ...(all.length ? { objects: all } : {}) };
}

/**
 * The schema objects of a same-dialect plan: those reading a table (or view) that is not migrated are left out, each
 * said in `notes` (a view over a table left out could not be created).
 */
export function objectsFor(objects: SchemaObject[], tables: TablePlan[], notes: string[]): SchemaObject[] {
  const present = new Set<string>();
  const addPartitions = (partitions: PartitionInfo[] = []) => {
    for (const p of partitions) {
      present.add(p.name);
      addPartitions(p.partitions);
    }
  };
  for (const t of tables) {
    present.add(t.source.name);
    addPartitions(t.source.partitioning?.partitions);
  }
  const kept: SchemaObject[] = [];
  for (const o of objects) {
    if (o.problem) {
      notes.push(`${o.kind} ${o.name} is not created in the target: ${o.problem}`);
      continue;
    }
    const missing = (o.reads ?? []).filter((r) => !present.has(r));
    if (missing.length) {
      notes.push(`${o.kind} ${o.name} is not created in the target: it reads ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not migrated`);
      continue;
    }
    kept.push(o);
    present.add(o.name);
  }
  return kept;
}

function limitText(rules: { maxNameBytes?: number; maxNameChars?: number }): string {
  return rules.maxNameBytes !== undefined ? `the target's ${rules.maxNameBytes} bytes` : `the target's ${rules.maxNameChars} characters`;
}
