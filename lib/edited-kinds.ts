/**
 * Values of a column whose type a mapping edit at the gate changed to another kind of type (PATCH …/mappings,
 * lib/mapping-edit.ts): the copy converts each value into the edited kind before the target sees it, and the semantic
 * tier compares the source's value converted the same way with the target's. Pure: one place for both.
 *
 * The conversions and their canonical forms:
 * - boolean → integer: true → 1, false → 0;
 * - integer → boolean: 1 → true, 0 → false; any other number is a rejected row (it is no boolean);
 * - boolean → text: 'true' / 'false' (PostgreSQL's and JSON's spelling; not MySQL's '1' / '0');
 * - SET → text: its labels joined by commas, in the order the source keeps them (`read,write`: MariaDB's own text of
 *   a SET, never the JSON array the SET travels as to another dialect);
 * - JSON → text: the JSON text as the source server gives it (a PostgreSQL jsonb as normalised by PostgreSQL);
 * - ENUM → text: the label; UUID → text: lower case, 8-4-4-4-12;
 * - text → JSON: the text unchanged when it is valid JSON (RFC 8259), else a rejected row;
 * - text → ENUM: the text unchanged when it is one of the enum's labels (exactly, case included), else a rejected row.
 * Any other edit across kinds (an integer to text, …) is left to the target, as before. A rejected row is named by its
 * key and the column, never by its value (lib/redact.ts).
 */
import { dialectNamed } from '../connectors/dialects';
import { crossType } from './typemap/common';
import type { CanonicalType, ColumnMapping, Dialect, TablePlan } from './types';

/** The classes of types the conversions know. */
export type EditedClass = 'boolean' | 'integer' | 'text' | 'json' | 'enum' | 'uuid' | 'set';

export interface EditedConversion {
  column: string;
  from: EditedClass;
  to: EditedClass;
  /** The edited type, as the target's type map reads the column's target type: what the values are written and compared as. */
  type: CanonicalType;
  /** The column's target type as planned (rendered by the target's type map), for messages. */
  targetType: string;
}

export type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

/** How an edited mapping's note begins (lib/mapping-edit.ts applyMappingEdits). */
export const EDITED_NOTE = 'edited by hand';

/** Whether a mapping edit at the gate set this column's target type. */
export function isEditedByHand(c: ColumnMapping): boolean {
  return !!c.note?.startsWith(EDITED_NOTE);
}

const CONVERTED = new Set(['boolean>integer', 'integer>boolean', 'boolean>text', 'set>text', 'json>text', 'enum>text', 'uuid>text', 'text>json', 'text>enum']);

export function classOf(type: CanonicalType): EditedClass | null {
  if (type.family === 'set') return 'set';
  if (type.family) return null;
  switch (type.kind) {
    case 'boolean':
      return 'boolean';
    case 'int16':
    case 'int32':
    case 'int64':
      return 'integer';
    case 'char':
    case 'varchar':
    case 'text':
      return 'text';
    case 'json':
    case 'enum':
    case 'uuid':
      return type.kind;
    default:
      return null;
  }
}

/** The conversion from values of `source` (as the copy reads them) into `edited`, or null when none is needed or known. */
export function editedConversion(column: string, source: CanonicalType, edited: CanonicalType, targetType = ''): EditedConversion | null {
  const from = classOf(source);
  const to = classOf(edited);
  if (!from || !to || from === to) return null;
  return CONVERTED.has(`${from}>${to}`) ? { column, from, to, type: edited, targetType } : null;
}

/** A column's edited type as the target dialect's type map reads its (rendered) target type; null when it reads none. */
export function editedType(dialect: Dialect, c: ColumnMapping): CanonicalType | null {
  const types = dialectNamed(dialect).types;
  if (!types || !c.targetType) return null;
  const parsed = types.parseTypeName(c.targetType.trim());
  if (parsed.kind === 'unsupported') return null;
  return parsed.kind === 'native' && parsed.portable ? parsed.portable : parsed;
}

/**
 * Per column of the table (in plan order), the conversion its values take on the way to a `dialect` target, or null:
 * only columns edited at the gate to another kind of type have one.
 */
export function editedConversions(dialect: Dialect, table: TablePlan): (EditedConversion | null)[] {
  return table.columns.map((c) => {
    if (!isEditedByHand(c)) return null;
    const edited = editedType(dialect, c);
    if (!edited) return null;
    const source = table.native ? c.canonical : crossType(c.canonical);
    if (source.kind === 'native') return null;
    return editedConversion(c.column, source, edited, c.targetType);
  });
}

/** The plan the target writes with: each converted column's values are of its edited type (see toDriverValue). */
export function editedWritePlan(table: TablePlan, conversions: readonly (EditedConversion | null)[]): TablePlan {
  if (!conversions.some(Boolean)) return table;
  return { ...table, columns: table.columns.map((c, i) => (conversions[i] ? { ...c, canonical: (conversions[i] as EditedConversion).type } : c)) };
}

const NOTES: Record<string, string> = {
  'boolean>integer': 'boolean stored as an integer: true → 1, false → 0',
  'integer>boolean': 'integer stored as a boolean: 1 → true, 0 → false; rows holding any other number are rejected',
  'boolean>text': "boolean stored as text: 'true' / 'false'",
  'set>text': 'SET stored as text: its labels joined by commas (a,b)',
  'json>text': 'JSON stored as text, as the source gives it: the target no longer checks its form',
  'enum>text': 'enum stored as text: its label',
  'uuid>text': 'uuid stored as text, in lower case',
  'text>json': 'text stored as JSON: rows whose text is not valid JSON are rejected',
  'text>enum': 'text stored as an enum: rows whose text is none of its labels are rejected',
};

/** What the gate says of a conversion (the edited mapping's note). */
export function conversionNote(c: EditedConversion): string {
  return NOTES[`${c.from}>${c.to}`] ?? `${c.from} converted to ${c.to}`;
}

const refused = (c: EditedConversion, why: string): Converted => ({
  ok: false,
  reason: `column ${c.column} (edited at the gate from ${c.from} to ${c.targetType || c.to}) ${why}: not copied`,
});

function integerText(value: unknown): string | null {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return BigInt(value.trim()).toString();
  return null;
}

function booleanOf(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  const n = integerText(value);
  if (n === '1') return true;
  if (n === '0') return false;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'true' || t === 't') return true;
    if (t === 'false' || t === 'f') return false;
  }
  return null;
}

/** A SET's value as read (a JSON array of labels across dialects, `a,b` natively) as its labels joined by commas. */
function setText(value: unknown): string {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  if (text.startsWith('[')) {
    try {
      const labels = JSON.parse(text) as unknown;
      if (Array.isArray(labels)) return labels.map(String).join(',');
    } catch {
      // Not a JSON array: the SET's own text.
    }
  }
  return text;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * One value converted into the edited kind (see the file comment); NULL stays NULL. Bytes that are not UTF-8 in a
 * text column are left as they are (the copy rejects them with its own reason first).
 */
export function convertEditedValue(value: unknown, c: EditedConversion): Converted {
  if (value === null || value === undefined) return { ok: true, value: null };
  if (Buffer.isBuffer(value) && c.from !== 'set') return { ok: true, value };
  switch (`${c.from}>${c.to}`) {
    case 'boolean>integer': {
      const b = booleanOf(value);
      return b === null ? refused(c, 'holds a value that is not a boolean') : { ok: true, value: b ? 1 : 0 };
    }
    case 'integer>boolean': {
      const n = integerText(value);
      if (n === '1') return { ok: true, value: true };
      if (n === '0') return { ok: true, value: false };
      return refused(c, 'holds a number other than 0 and 1, which is no boolean');
    }
    case 'boolean>text': {
      const b = booleanOf(value);
      return b === null ? refused(c, 'holds a value that is not a boolean') : { ok: true, value: b ? 'true' : 'false' };
    }
    case 'set>text':
      return { ok: true, value: setText(value) };
    case 'json>text':
      return { ok: true, value: typeof value === 'string' ? value : JSON.stringify(value) };
    case 'enum>text':
      return { ok: true, value: String(value) };
    case 'uuid>text':
      return { ok: true, value: String(value).toLowerCase() };
    case 'text>json': {
      const text = String(value);
      return isJson(text) ? { ok: true, value: text } : refused(c, 'holds text that is not valid JSON');
    }
    case 'text>enum': {
      const text = String(value);
      const labels = c.type.values ?? [];
      return labels.includes(text) ? { ok: true, value: text } : refused(c, `holds text that is none of the enum's labels (${labels.join(', ')})`);
    }
    default:
      return { ok: true, value };
  }
}

/** A value that could not be converted, as the semantic tier renders it: it equals no value of the target. */
export const UNCONVERTIBLE = '\u0000unconvertible';

/** One row's values converted (columns without a conversion as they are), or the first reason one cannot be. */
export function convertEditedRow<T>(row: readonly T[], conversions: readonly (EditedConversion | null)[]): { ok: true; row: T[] } | { ok: false; reason: string } {
  const out = [...row];
  for (const [i, c] of conversions.entries()) {
    if (!c) continue;
    const converted = convertEditedValue(row[i], c);
    if (!converted.ok) return converted;
    out[i] = converted.value as T;
  }
  return { ok: true, row: out };
}
