/**
 * Pure comparisons of the validation tiers: what the activities read goes in, findings come out.
 * Values are always compared through an explicit normalisation (lib/values canonicalValueText with the
 * SOURCE column's type), never as raw driver strings.
 */
import { dialectNamed, isDialect } from '../../connectors/dialects';
import { canonicalJson, sha256Hex } from '../certificate';
import { fitName } from '../identifiers';
import { indexFit } from '../mapping';
import { portableIndexKey } from '../typemap/check';
import type { TierResult, ValidationFinding, ValidationTier } from '../migration';
import type { CanonicalType, IndexInfo, MigrationPlan, SchemaInfo, TableInfo } from '../types';
import { canonicalDecimalText, canonicalValueText, formatFloat } from '../values';

/** Findings kept per tier result (the count of all of them is `failures`). */
export const MAX_FINDINGS = 50;

export function finishTier(
  tier: ValidationTier,
  startedAt: string,
  checks: number,
  findings: ValidationFinding[],
  summaryOk: string,
  extra: Pick<TierResult, 'tables' | 'queries'> & { /** Appended to the summary whatever the verdict. */ note?: string } = {},
  error?: string,
): TierResult {
  const { note, ...kept } = extra;
  const verdict: TierResult['verdict'] = error ? 'error' : findings.length > 0 ? 'failed' : 'passed';
  const summary =
    (error
      ? `could not run: ${error}`
      : findings.length > 0
        ? `${findings.length} difference(s); first: ${findings[0].message}`
        : summaryOk) + (note ? `; ${note}` : '');
  const result: Omit<TierResult, 'evidence_sha256'> = {
    tier,
    verdict,
    summary,
    checks,
    failures: findings.length,
    findings: findings.slice(0, MAX_FINDINGS),
    started_at: startedAt,
    completed_at: new Date().toISOString(),
    ...kept,
  };
  return { ...result, evidence_sha256: sha256Hex(canonicalJson(result)) };
}

// ---------------------------------------------------------------- structural

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, '');

/** Compares the names the target holds with the plan's (source) names, as the target keeps them (lib/identifiers). */
function namesAsTargetKeeps(plan: MigrationPlan): { same: (target: string, planned: string) => boolean; sameColumns: (target: readonly string[], planned: readonly string[]) => boolean } {
  const rules = isDialect(plan.targetDialect) ? dialectNamed(plan.targetDialect).identifiers : {};
  const same = (target: string, planned: string) => norm(target) === norm(fitName(planned, rules));
  return { same, sameColumns: (a, b) => a.length === b.length && a.every((c, i) => same(c, b[i] ?? '')) };
}

/** Every table, column (mapped type, nullability), key, unique constraint, foreign key and index of the plan, found in the target. */
export function compareStructure(plan: MigrationPlan, target: SchemaInfo): { checks: number; findings: ValidationFinding[] } {
  const findings: ValidationFinding[] = [];
  let checks = 0;
  const { same, sameColumns } = namesAsTargetKeeps(plan);
  const migrated = new Set(plan.tables.map((t) => t.source.name));
  const byName = new Map(target.tables.map((t) => [norm(t.name), t]));
  const targetName = new Map(plan.tables.map((t) => [t.source.name, t.target]));
  for (const tp of plan.tables) {
    checks++;
    const actual = byName.get(norm(tp.target));
    if (!actual) {
      findings.push({ check: 'missing_table', table: tp.target, message: `table ${tp.target} is missing in the target` });
      continue;
    }
    for (const cm of tp.columns) {
      checks++;
      const col = actual.columns.find((c) => same(c.name, cm.column));
      if (!col) {
        findings.push({ check: 'missing_column', table: tp.target, column: cm.column, message: `column ${tp.target}.${cm.column} is missing` });
        continue;
      }
      // MariaDB's JSON is LONGTEXT with CHECK (json_valid(…)): its catalog says longtext, the connector reads json.
      const sameJson = col.type.kind === 'json' && canonicalTypeText(cm.targetType) === 'json';
      if (!typeMatches(cm.targetType, col.nativeType) && !sameJson) {
        findings.push({
          check: 'column_type',
          table: tp.target,
          column: cm.column,
          source: cm.targetType,
          target: col.nativeType,
          message: `column ${tp.target}.${cm.column} is ${col.nativeType}, the plan maps it to ${cm.targetType}`,
        });
      }
      if (col.nullable !== cm.nullable) {
        findings.push({
          check: 'column_nullability',
          table: tp.target,
          column: cm.column,
          message: `column ${tp.target}.${cm.column} is ${col.nullable ? 'nullable' : 'NOT NULL'}, the plan says ${cm.nullable ? 'nullable' : 'NOT NULL'}`,
        });
      }
    }
    checks++;
    if (!sameColumns(actual.primaryKey, tp.source.primaryKey)) {
      findings.push({
        check: 'primary_key',
        table: tp.target,
        source: tp.source.primaryKey,
        target: actual.primaryKey,
        message: `primary key of ${tp.target} is (${actual.primaryKey.join(', ')}), expected (${tp.source.primaryKey.join(', ')})`,
      });
    }
    const uniques = [...actual.uniqueConstraints.map((u) => u.columns), ...actual.indexes.filter((i) => i.unique).map((i) => i.columns)];
    for (const u of tp.source.uniqueConstraints) {
      checks++;
      if (!uniques.some((cols) => sameColumns(cols, u.columns))) {
        findings.push({ check: 'missing_unique', table: tp.target, source: u, message: `unique constraint ${u.name} (${u.columns.join(', ')}) is missing on ${tp.target}` });
      }
    }
    for (const fk of tp.source.foreignKeys) {
      if (!migrated.has(fk.referencedTable)) continue;
      checks++;
      const parent = targetName.get(fk.referencedTable) ?? fk.referencedTable;
      const found = actual.foreignKeys.some(
        (f) => sameColumns(f.columns, fk.columns) && same(f.referencedTable, parent) && sameColumns(f.referencedColumns, fk.referencedColumns),
      );
      if (!found) {
        findings.push({
          check: 'missing_foreign_key',
          table: tp.target,
          source: fk,
          message: `foreign key ${fk.name} ${tp.target}(${fk.columns.join(', ')}) → ${parent}(${fk.referencedColumns.join(', ')}) is missing`,
        });
      }
    }
    // A unique index may come back as a unique constraint (MySQL lists UNIQUE KEYs so), and serves as an index.
    const indexes = [...actual.indexes, ...actual.uniqueConstraints.map((u) => ({ columns: u.columns, unique: true }))];
    // A partial or expression index is found among the target's own (on its columns or the same keys read back as
    // portable SQL, with a WHERE or none as planned), each standing for one.
    const actualNames = actual.columns.map((c) => c.name);
    const keysOf = (i: IndexInfo) => (i.keys ?? []).map((k) => portableIndexKey(k, actualNames));
    const sameKeys = (a: (string | null)[], b: string[]) => a.length === b.length && a.every((k, n) => k === b[n]);
    // A copy: the target's description may be a connector's cached one.
    const special = [...(actual.expressionIndexes ?? [])];
    for (const ix of tp.source.indexes) {
      // One whose WHERE or keys no longer fit its columns' types (edited at the gate) is not made, as the plan's notes say.
      if ((ix.where !== undefined || ix.keys) && isDialect(plan.targetDialect) && !('index' in indexFit(tp, plan.targetDialect, ix))) continue;
      checks++;
      const plainIndex = ix.where === undefined && !ix.keys;
      const at = plainIndex
        ? -1
        : special.findIndex(
            (i) => i.unique === ix.unique && (i.where === undefined) === (ix.where === undefined) && (ix.keys ? sameKeys(keysOf(i), ix.keys) : !i.keys && sameColumns(i.columns, ix.columns)),
          );
      if (at >= 0) special.splice(at, 1);
      const found = plainIndex ? indexes.some((i) => sameColumns(i.columns, ix.columns) && (i.unique || !ix.unique)) : at >= 0;
      if (!found) {
        findings.push({
          check: 'missing_index',
          table: tp.target,
          source: ix,
          message: `index ${ix.name} on ${tp.target}(${(ix.keys ?? ix.columns).join(', ')})${ix.unique ? ' (unique)' : ''}${ix.where === undefined ? '' : ` WHERE ${ix.where}`} is missing`,
        });
      }
    }
  }
  return { checks, findings };
}

/** Spellings the catalogs give for what the DDL said. */
const ALIASES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  int2: 'smallint',
  int8: 'bigint',
  bool: 'boolean',
  float8: 'doubleprecision',
  double: 'doubleprecision',
  float4: 'real',
  varchar: 'charactervarying',
  char: 'character',
  decimal: 'numeric',
  timestamp: 'timestampwithouttimezone',
  timestamptz: 'timestampwithtimezone',
  time: 'timewithouttimezone',
  timetz: 'timewithtimezone',
};

function canonicalTypeText(native: string): string {
  let s = norm(native);
  const m = /^([a-z0-9_]+)(.*)$/.exec(s);
  if (m) {
    let [, base, rest] = m;
    // MySQL prints display widths (int(11)) that the DDL never said.
    if (/^(tinyint|smallint|mediumint|int|integer|bigint)$/.test(base) && /^\(\d+\)/.test(rest) && base !== 'tinyint') rest = rest.replace(/^\(\d+\)/, '');
    base = ALIASES[base] ?? base;
    s = base + rest;
  }
  return s
    .replace(/^timestamp\((\d)\)withouttimezone/, 'timestampwithouttimezone($1)')
    .replace(/^timestamp\((\d)\)withtimezone/, 'timestampwithtimezone($1)')
    .replace(/charactervarying/, 'charactervarying')
    .replace(/collate\w+$/, '');
}

export function typeMatches(planned: string, actual: string): boolean {
  return canonicalTypeText(planned) === canonicalTypeText(actual);
}

// ---------------------------------------------------------------- statistical

export type Aggregates = Record<string, unknown>;

function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'bigint' ? Number(v) : Number(String(v));
  return Number.isFinite(n) ? n : null;
}

function exactCount(v: unknown): string {
  return v === null || v === undefined ? '0' : BigInt(String(v).split('.')[0]).toString();
}

/** A numeric aggregate as comparable text: integers exact, decimals at the column's scale, floats to 12 significant digits. */
export function aggregateText(v: unknown, type: CanonicalType): string {
  if (v === null || v === undefined) return 'NULL';
  if (type.kind === 'decimal') {
    // No declared scale (PostgreSQL numeric): a side may hold it as text or as a double (SQLite), so twelve
    // significant digits, not a rounding to whole numbers that would hide every fraction.
    if (type.scale === undefined) {
      const n = num(v);
      return n === null ? String(v) : formatFloat(Number(n.toPrecision(12)));
    }
    if (typeof v === 'number') return canonicalDecimalText(v.toFixed(type.scale));
    return canonicalDecimalText(roundDecimalText(String(v), type.scale));
  }
  if (type.kind === 'float32' || type.kind === 'float64') {
    const n = num(v);
    if (n === null) return String(v);
    // A single-precision value holds ~7 digits, and a target may keep it as the shortest double that reads back
    // to it (0.1 for 0.100000001490116): six digits is the tolerance float32 justifies; sums of doubles get twelve.
    return formatFloat(type.kind === 'float32' ? Number(Math.fround(n).toPrecision(6)) : Number(n.toPrecision(12)));
  }
  if (typeof v === 'number' && !Number.isInteger(v)) return canonicalDecimalText(String(v));
  return canonicalDecimalText(typeof v === 'bigint' ? v.toString() : String(v));
}

/** Rounds a plain decimal string half away from zero to `scale` digits, exactly (no floats). */
export function roundDecimalText(s: string, scale: number): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s.trim());
  if (!m) return s;
  const [, sign, intPart = '0', frac = ''] = m;
  if (frac.length <= scale) return s;
  const digits = BigInt((intPart || '0') + frac.slice(0, scale));
  const rounded = Number(frac.charAt(scale)) >= 5 ? digits + 1n : digits;
  const text = rounded.toString().padStart(scale + 1, '0');
  const out = scale > 0 ? `${text.slice(0, -scale)}.${text.slice(-scale)}` : text;
  return sign + out;
}

export interface StatTable {
  table: string;
  columns: { name: string; type: CanonicalType; kind: string; lossless: boolean }[];
}

/** Compares one table's aggregates (statisticsSql layout) from both sides. */
export function compareStatistics(t: StatTable, source: Aggregates, target: Aggregates): { checks: number; findings: ValidationFinding[] } {
  const findings: ValidationFinding[] = [];
  let checks = 1;
  const sRows = exactCount(source.n);
  const tRows = exactCount(target.n);
  if (sRows !== tRows) {
    findings.push({ check: 'row_count', table: t.table, source: Number(sRows), target: Number(tRows), message: `${t.table} has ${tRows} rows in the target, ${sRows} in the source` });
  }
  t.columns.forEach((c, i) => {
    const diff = (check: string, s: string, d: string, what: string) => {
      checks++;
      if (s === d) return;
      findings.push({ check, table: t.table, column: c.name, source: s, target: d, message: `${t.table}.${c.name}: ${what} is ${d} in the target, ${s} in the source` });
    };
    const sNulls = (BigInt(sRows) - BigInt(exactCount(source[`n${i}`]))).toString();
    const tNulls = (BigInt(tRows) - BigInt(exactCount(target[`n${i}`]))).toString();
    diff('null_count', sNulls, tNulls, 'the NULL count');
    if (c.kind === 'numeric' || c.kind === 'float') {
      diff('min', aggregateText(source[`min${i}`], c.type), aggregateText(target[`min${i}`], c.type), 'MIN');
      diff('max', aggregateText(source[`max${i}`], c.type), aggregateText(target[`max${i}`], c.type), 'MAX');
      const sumType: CanonicalType = c.type.kind === 'decimal' ? c.type : c.kind === 'float' ? c.type : { kind: 'int64' };
      diff('sum', aggregateText(source[`sum${i}`], sumType), aggregateText(target[`sum${i}`], sumType), 'SUM');
      diff('distinct_count', exactCount(source[`d${i}`]), exactCount(target[`d${i}`]), 'the distinct count');
    } else if (c.kind === 'temporal') {
      diff('min', canonicalValueText(source[`min${i}`], c.type), canonicalValueText(target[`min${i}`], c.type), 'MIN');
      diff('max', canonicalValueText(source[`max${i}`], c.type), canonicalValueText(target[`max${i}`], c.type), 'MAX');
      diff('distinct_count', exactCount(source[`d${i}`]), exactCount(target[`d${i}`]), 'the distinct count');
    } else if (c.kind === 'boolean') {
      diff('true_count', exactCount(source[`t${i}`]), exactCount(target[`t${i}`]), 'the TRUE count');
    } else if (c.kind === 'text' && c.lossless) {
      diff('text_length_sum', exactCount(source[`l${i}`]), exactCount(target[`l${i}`]), 'the sum of character lengths');
    }
  });
  return { checks, findings };
}

// ---------------------------------------------------------------- keys and rows (semantic)

/** The key of a row as comparable text parts (canonical text under the source types). */
export function keyTexts(row: readonly unknown[], positions: number[], types: readonly CanonicalType[]): string[] {
  return positions.map((p) => canonicalValueText(row[p], types[p]));
}

/**
 * Orders two keys the way the databases order them for integer, decimal and temporal keys.
 * Text keys compare by code point, which matches binary collations (the keyset read order of most targets);
 * see the README's gaps for case-insensitive collations.
 */
export function compareKeyTexts(a: readonly string[], b: readonly string[], types: readonly CanonicalType[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareOne(a[i], b[i], types[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function compareOne(a: string, b: string, type: CanonicalType): number {
  if (a === b) return 0;
  if (a === 'NULL') return -1;
  if (b === 'NULL') return 1;
  if (type.kind === 'int16' || type.kind === 'int32' || type.kind === 'int64') {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type.kind === 'decimal' || type.kind === 'float32' || type.kind === 'float64') return Number(a) - Number(b);
  return a < b ? -1 : 1;
}

export function keyObject(names: string[], texts: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n, i) => [n, texts[i]]));
}

// ---------------------------------------------------------------- behavioral

/**
 * A result value as comparable text when the column type is not known (user queries): numbers of any
 * spelling become plain decimals (12 significant digits for non-integers, as AVG and float sums differ in
 * their last digits across engines), booleans 1/0 (MySQL has no boolean), dates ISO text, binary hex,
 * JSON with sorted keys, text with CHAR padding removed.
 */
export function genericValueText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? canonicalDecimalText(BigInt(v).toString()) : canonicalDecimalText(String(Number(v.toPrecision(12))));
  if (Buffer.isBuffer(v)) return '\\x' + v.toString('hex');
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return canonicalJson(v);
  const s = String(v);
  if (/^-?\d+$/.test(s.trim())) return canonicalDecimalText(s.trim());
  if (/^-?\d*\.\d+$/.test(s.trim())) {
    const text = canonicalDecimalText(s.trim());
    return text.replace(/\D/g, '').replace(/^0+/, '').length > 12 ? canonicalDecimalText(String(Number(Number(text).toPrecision(12)))) : text;
  }
  return JSON.stringify(s.replace(/ +$/, ''));
}

export function resultRowTexts(rows: readonly (readonly unknown[])[], types?: readonly CanonicalType[]): string[][] {
  return rows.map((r) => r.map((v, i) => (types?.[i] ? typedResultText(v, types[i]) : genericValueText(v))));
}

function typedResultText(v: unknown, type: CanonicalType): string {
  if (statKindOf(type) === 'numeric') return aggregateText(v, type);
  return canonicalValueText(v, type);
}

function statKindOf(type: CanonicalType): string {
  return ['int16', 'int32', 'int64', 'decimal'].includes(type.kind) ? 'numeric' : 'other';
}

export interface ResultComparison {
  equal: boolean;
  source_sha256: string;
  target_sha256: string;
  only_in_source: string[][];
  only_in_target: string[][];
}

/** Compares two result sets: in order when the query orders them, otherwise as multisets. */
export function compareResults(source: string[][], target: string[][], ordered: boolean, sample = 5): ResultComparison {
  const lines = (rows: string[][]) => {
    const l = rows.map((r) => JSON.stringify(r));
    return ordered ? l : l.sort();
  };
  const s = lines(source);
  const t = lines(target);
  const hash = (l: string[]) => sha256Hex(l.join('\n'));
  const onlyIn = (a: string[], b: string[]) => {
    const counts = new Map<string, number>();
    for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
    const out: string[][] = [];
    a.forEach((x, i) => {
      const n = counts.get(x) ?? 0;
      const positional = ordered && b[i] !== x;
      if (n > 0 && !positional) counts.set(x, n - 1);
      else if (out.length < sample) out.push(JSON.parse(x) as string[]);
    });
    return out;
  };
  const equal = s.length === t.length && s.every((x, i) => x === t[i]);
  return {
    equal,
    source_sha256: hash(s),
    target_sha256: hash(t),
    only_in_source: equal ? [] : onlyIn(s, t),
    only_in_target: equal ? [] : onlyIn(t, s),
  };
}

export function tableInfoOf(schema: SchemaInfo, name: string): TableInfo | undefined {
  return schema.tables.find((t) => t.name === name);
}
