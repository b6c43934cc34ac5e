/**
 * Dates and timestamps one dialect holds and another cannot (a PostgreSQL date BC, 'infinity', a year past 9999, into
 * MariaDB's DATE): said at the gate in the column's note, and on the copy each row holding one is rejected by key with
 * the reason, never changed. Pure (the mapping runs it; the copy activity checks rows with it).
 */
import type { TemporalRange } from '../connectors/dialect';
import { dialectNamed, isDialect } from '../connectors/dialects';
import { isEditedByHand } from './edited-kinds';
import type { CanonicalType, ColumnMapping, Dialect } from './types';

const DATED: ReadonlySet<CanonicalType['kind']> = new Set(['date', 'timestamp', 'timestamptz']);

/** A date, timestamp or timestamptz: canonical ISO 8601 text that may hold any year, and ±infinity. */
export function isDatedKind(kind: CanonicalType['kind']): boolean {
  return DATED.has(kind);
}

const rangeOf = (range: TemporalRange, kind: CanonicalType['kind']) => (kind === 'date' ? range.date : range.timestamp);

function temporalRange(dialect: Dialect): TemporalRange | undefined {
  return isDialect(dialect) ? dialectNamed(dialect).types?.temporalRange : undefined;
}

function words(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')}, and ${parts[parts.length - 1]}`;
}

/**
 * What the gate says of a date or timestamp column whose source dialect holds values its target type cannot (years BC,
 * ±infinity, years past 9999), or nothing. `targetSql`: the column's target type (a type of no temporal kind, text
 * after a mapping edit, holds them all).
 */
export function temporalRangeNote(sourceDialect: Dialect | undefined, targetDialect: Dialect, type: CanonicalType, targetSql: string, keyless = false): string | undefined {
  if (!sourceDialect || !isDatedKind(type.kind) || sourceDialect === targetDialect) return undefined;
  const source = temporalRange(sourceDialect);
  const target = temporalRange(targetDialect);
  if (!source || !target || !holdsDates(targetDialect, targetSql)) return undefined;
  const s = rangeOf(source, type.kind);
  const t = rangeOf(target, type.kind);
  const parts: string[] = [];
  if (s.min < t.min) parts.push(t.min === 1 ? 'years BC' : `years before ${t.min}`);
  if (source.infinity && !target.infinity) parts.push("'infinity' and '-infinity'");
  if (s.max > t.max) parts.push(`years after ${t.max}`);
  if (parts.length === 0) return undefined;
  const label = (d: Dialect) => dialectNamed(d).label;
  const fate = keyless
    ? "a row holding one is rejected, never changed; the table has no key, so it is named by its values' digest and copied again only with its table (map the column to text to keep it)"
    : 'a row holding one is rejected by key, never changed';
  const year = (y: number) => (y < 1 ? `${1 - y} BC` : String(y));
  return `${words(parts)} (which ${label(sourceDialect)} holds) have no equal in ${label(targetDialect)} ${targetSql} (years ${year(t.min)} to ${year(t.max)}): ${fate}`;
}

/** Whether a target type of this dialect is one of its date or timestamp types (not text, after a mapping edit). */
function holdsDates(dialect: Dialect, sql: string): boolean {
  const types = dialectNamed(dialect).types;
  if (!types) return false;
  try {
    return isDatedKind(types.parseTypeName(sql).kind);
  } catch {
    return false;
  }
}

/** Whether a target type of this dialect is one of its text types. */
function holdsText(dialect: Dialect, sql: string): boolean {
  const types = dialectNamed(dialect).types;
  if (!types) return false;
  try {
    return ['text', 'varchar', 'char'].includes(types.parseTypeName(sql).kind);
  } catch {
    return false;
  }
}

/**
 * Why a target of `range` cannot hold a canonical date or timestamp (ISO 8601 text, UTC for a timestamptz), in words
 * that name no value: "a date BC", "'infinity' or '-infinity'", "a year after 9999"; null when it can.
 */
export function temporalRefusal(value: string, kind: CanonicalType['kind'], range: TemporalRange): string | null {
  if (value === 'infinity' || value === '-infinity') return range.infinity ? null : "'infinity' or '-infinity'";
  const m = /^(-?\d{4,})-/.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const r = rangeOf(range, kind);
  if (year < r.min) {
    if (r.min === 1) return `a ${kind === 'date' ? 'date' : 'timestamp'} BC`;
    return r.min < 1 ? `a year before ${1 - r.min} BC` : `a year before ${r.min}`;
  }
  if (year > r.max) return `a year after ${r.max}`;
  return null;
}

/**
 * Per column of a table plan: a date or timestamp a target of another dialect keeps as text (a mapping edit to text),
 * whose values are then read as the source's own text, all of them (a MariaDB zero date stays '0000-00-00').
 */
export function keptAsText(targetDialect: Dialect, table: { native?: boolean; columns: readonly ColumnMapping[] }): boolean[] {
  if (table.native || !isDialect(targetDialect)) return table.columns.map(() => false);
  const types = dialectNamed(targetDialect).types;
  // Edited: the type the target would declare holds dates, the column's does not; or a person mapped it to a text type
  // at the gate (SQLite declares a timestamptz TEXT of its own accord: that alone is not a column kept as text, and it
  // holds the timestamp's ISO-8601 form; mapped to TEXT by hand, the source's own text, zero dates included).
  return table.columns.map(
    (c) =>
      isDatedKind(c.canonical.kind) &&
      !holdsDates(targetDialect, c.targetType) &&
      !!types &&
      (holdsDates(targetDialect, types.fromCanonical(c.canonical).sql) || (isEditedByHand(c) && holdsText(targetDialect, c.targetType))),
  );
}

/**
 * The columns of a table plan whose values a target of another dialect checks against its date range (their target
 * type is one of its date or timestamp types), by position, with the words for its type; none when the target holds any.
 */
export function rangeCheckedColumns(targetDialect: Dialect, columns: readonly ColumnMapping[]): { position: number; range: TemporalRange; type: string }[] {
  const range = temporalRange(targetDialect);
  if (!range) return [];
  const label = dialectNamed(targetDialect).label;
  return columns.flatMap((c, position) =>
    isDatedKind(c.canonical.kind) && holdsDates(targetDialect, c.targetType) ? [{ position, range, type: `${label} ${c.targetType}` }] : [],
  );
}

/** Which of NaN and ±Infinity a dialect's float types hold (TypeMap.nonFinite; absent: both). */
function nonFinite(dialect: Dialect | undefined): { nan: boolean; infinity: boolean } {
  return (dialect && isDialect(dialect) ? dialectNamed(dialect).types?.nonFinite : undefined) ?? { nan: true, infinity: true };
}

const isFloatKind = (kind: string) => kind === 'float32' || kind === 'float64';

/** What a float column of the source may hold that the target's cannot (NaN, ±Infinity), said at the gate; else nothing. */
export function nonFiniteNote(sourceDialect: Dialect | undefined, targetDialect: Dialect, type: CanonicalType): string | undefined {
  if (!isFloatKind(type.kind)) return undefined;
  const [source, target] = [nonFinite(sourceDialect), nonFinite(targetDialect)];
  const lost = [source.nan && !target.nan ? 'NaN' : '', source.infinity && !target.infinity ? '±Infinity' : ''].filter(Boolean);
  if (lost.length === 0) return undefined;
  return `${lost.join(' and ')} cannot be held here: a row holding one is rejected, named by its key`;
}

/** The float columns of a table plan whose NaN or ±Infinity the target cannot hold, by position (see nonFiniteNote). */
export function nonFiniteCheckedColumns(targetDialect: Dialect, columns: readonly ColumnMapping[]): { position: number; nan: boolean; infinity: boolean }[] {
  const target = nonFinite(targetDialect);
  if (target.nan && target.infinity) return [];
  return columns.flatMap((c, position) => (isFloatKind(c.canonical.kind) ? [{ position, nan: !target.nan, infinity: !target.infinity }] : []));
}

/** What a float value is that a column checked by nonFiniteCheckedColumns cannot hold, or null. */
export function nonFiniteRefusal(value: unknown, check: { nan: boolean; infinity: boolean }): string | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?(NaN|Infinity)$/i.test(value) ? Number(value.replace(/^-?nan$/i, 'NaN')) : null;
  if (n === null || Number.isFinite(n)) return null;
  if (Number.isNaN(n)) return check.nan ? 'NaN' : null;
  return check.infinity ? (n > 0 ? 'Infinity' : '-Infinity') : null;
}

/** A JSON text's \u0000 escape: its backslash not itself escaped (an even run of backslashes before it). */
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/i;

/**
 * The columns of a table plan whose text the target cannot hold a NUL in (TypeMap.nulRefused), by position: every
 * column but binary ones (values of any kind travel as text); JSON into a type that refuses its \u0000 escape too.
 */
export function nulCheckedColumns(targetDialect: Dialect, columns: readonly ColumnMapping[]): { position: number; json: boolean }[] {
  const refused = isDialect(targetDialect) ? dialectNamed(targetDialect).types?.nulRefused : undefined;
  if (!refused) return [];
  const jsonTypes = new Set(refused.jsonTypes);
  return columns.flatMap((c, position) =>
    c.canonical.kind === 'binary' ? [] : [{ position, json: c.canonical.kind === 'json' && jsonTypes.has(c.targetType.toLowerCase()) }],
  );
}

/** What a value of a column checked by nulCheckedColumns holds that the target cannot, or null. */
export function nulRefusal(value: unknown, check: { json: boolean }): string | null {
  if (typeof value !== 'string') return null;
  if (value.includes('\u0000')) return 'the NUL character (U+0000)';
  return check.json && NUL_ESCAPE.test(value) ? 'the JSON escape \\u0000' : null;
}

/** A time as MySQL's TIME spells it (a duration: '-01:00:00', '838:59:59.5'), in parts; null when it is not one. */
function durationParts(text: string): { negative: boolean; parts: [number, number, number]; fraction: string } | null {
  const m = /^(-)?(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  return { negative: m[1] === '-', parts: [Number(m[2]), Number(m[3]), Number(m[4])], fraction: (m[5] ?? '').replace(/0+$/, '') };
}

/** -1, 0 or 1 as duration a is shorter, as long, or longer than b (fractions compared digit by digit, as text). */
function compareDurations(a: NonNullable<ReturnType<typeof durationParts>>, b: NonNullable<ReturnType<typeof durationParts>>): number {
  for (let i = 0; i < 3; i++) if (a.parts[i] !== b.parts[i]) return a.parts[i] < b.parts[i] ? -1 : 1;
  const width = Math.max(a.fraction.length, b.fraction.length);
  const [fa, fb] = [a.fraction.padEnd(width, '0'), b.fraction.padEnd(width, '0')];
  return fa === fb ? 0 : fa < fb ? -1 : 1;
}

/** Whether a target type of this dialect is its time type (not text, after a mapping edit). */
function holdsTimes(dialect: Dialect, sql: string): boolean {
  try {
    return dialectNamed(dialect).types?.parseTypeName(sql).kind === 'time';
  } catch {
    return false;
  }
}

/**
 * The time columns of a table plan whose source holds durations (MySQL's TIME: CanonicalType.duration) and whose target
 * type is a time of day (TypeMap.timeOfDayMax), by position, with the latest time it holds; none when the target's
 * time holds durations, or the column was mapped to text.
 */
export function timeOfDayCheckedColumns(targetDialect: Dialect, columns: readonly ColumnMapping[]): { position: number; max: string }[] {
  const max = isDialect(targetDialect) ? dialectNamed(targetDialect).types?.timeOfDayMax : undefined;
  if (!max) return [];
  return columns.flatMap((c, position) => (c.canonical.kind === 'time' && c.canonical.duration && holdsTimes(targetDialect, c.targetType) ? [{ position, max }] : []));
}

/**
 * What a duration of a column checked by timeOfDayCheckedColumns is that a time of day cannot hold ("a negative
 * duration", "a duration past 24:00:00"), or null: PostgreSQL refuses either in its own words (and the whole of a table
 * copied in one transaction).
 */
export function timeOfDayRefusal(value: unknown, check: { max: string }): string | null {
  if (typeof value !== 'string') return null;
  const time = durationParts(value);
  const max = durationParts(check.max);
  if (!time || !max) return null;
  const zero = { negative: false, parts: [0, 0, 0] as [number, number, number], fraction: '' };
  if (time.negative && compareDurations(time, zero) > 0) return 'a negative duration';
  return compareDurations(time, max) > 0 ? `a duration past ${check.max}` : null;
}

/** Whether a target type of this dialect is one of its integer types (not text or a decimal, after a mapping edit). */
function holdsIntegers(dialect: Dialect, sql: string): boolean {
  try {
    const kind = dialectNamed(dialect).types?.parseTypeName(sql).kind;
    return kind === 'int16' || kind === 'int32' || kind === 'int64';
  } catch {
    return false;
  }
}

/**
 * The unsigned 64-bit integer columns of a table plan whose target integer type holds less (TypeMap.integerMax), by
 * position, with the largest it holds; none where the column was mapped to text or a decimal.
 */
export function integerCheckedColumns(targetDialect: Dialect, columns: readonly ColumnMapping[]): { position: number; max: bigint }[] {
  const max = isDialect(targetDialect) ? dialectNamed(targetDialect).types?.integerMax : undefined;
  if (max === undefined) return [];
  return columns.flatMap((c, position) => (c.canonical.kind === 'int64' && c.canonical.unsigned && holdsIntegers(targetDialect, c.targetType) ? [{ position, max: BigInt(max) }] : []));
}

/** What an integer of a column checked by integerCheckedColumns is that the target cannot hold, or null. */
export function integerRefusal(value: unknown, check: { max: bigint }): string | null {
  const n = typeof value === 'bigint' ? value : typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : null;
  return n !== null && n > check.max ? `an integer past ${check.max}` : null;
}
