/**
 * The SQL the validation tiers run inside each database. Pure text builders: no I/O. What differs by dialect
 * is the dialect's own (connectors/<dialect>/validation.ts); this file assembles it.
 * Every identifier is quoted (lib/quote.ts); no value is ever interpolated.
 */
import { dialectNamed, type ValidationSql } from '../../connectors/dialects';
import { quoteIdentifier, quoteQualified } from '../quote';
import type { CanonicalType, Dialect } from '../types';

export interface Place {
  dialect: Dialect;
  schema: string;
  /** Tables whose rows are their partitions' (PostgreSQL declarative partitioning): read whole, not as their own rows. */
  partitioned?: ReadonlySet<string>;
}

const q = (p: Place, name: string) => quoteIdentifier(p.dialect, name);

/**
 * A table as validation reads it: its own rows, as the copy reads them (a PostgreSQL parent without the rows of the
 * tables that inherit from it, which are validated as tables of their own), or a partitioned table whole.
 */
export function tableRef(p: Place, table: string): string {
  const ref = quoteQualified(p.dialect, p.schema, table);
  const ownRows = dialectNamed(p.dialect).validation?.ownRows;
  return ownRows && !p.partitioned?.has(table) ? ownRows(ref) : ref;
}

export type StatKind = 'numeric' | 'float' | 'temporal' | 'boolean' | 'text' | 'other';

export function statKind(type: CanonicalType): StatKind {
  // A type of another family (money read as numeric, an interval as text) aggregates differently in each database.
  if (type.family) return 'other';
  switch (type.kind) {
    case 'int16':
    case 'int32':
    case 'int64':
    case 'decimal':
      return 'numeric';
    case 'float32':
    case 'float64':
      return 'float';
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return 'temporal';
    case 'boolean':
      return 'boolean';
    case 'varchar':
    case 'text':
      return 'text';
    default:
      return 'other';
  }
}

/** The dialect's validation SQL; a dialect without it throws "not supported by <dialect>". */
export function validationSql(p: Place): ValidationSql {
  const sql = dialectNamed(p.dialect).validation;
  if (!sql) throw new Error(`in-database validation is not supported by ${p.dialect}`);
  return sql;
}

/** A key column as the top-N query orders it (see ValidationSql.keyOrder). */
function keyOrder(p: Place, column: string, type: CanonicalType | undefined): string {
  const own = dialectNamed(p.dialect).validation?.keyOrder;
  return own && type ? own(q(p, column), type) : q(p, column);
}

/** ` LIMIT n`, or the dialect's own clause for the first n rows of a query. */
export function firstRows(p: Place, n: number): string {
  const own = dialectNamed(p.dialect).validation?.firstRows;
  return own ? ` ${own(n)}` : ` LIMIT ${n}`;
}

export interface StatColumn {
  name: string;
  kind: StatKind;
  /** The canonical type (decimals are ordered by value where a dialect may store them as text). */
  type?: CanonicalType;
}


/**
 * One row of aggregates for a whole table: `n`, then per column i: `n<i>` non-null count, and by kind
 * `min<i>`, `max<i>`, `sum<i>`, `d<i>` (distinct count), `t<i>` (true count), `l<i>` (sum of character lengths).
 */
export function statisticsSql(p: Place, table: string, columns: StatColumn[]): string {
  const sql = validationSql(p);
  const floatAggregate = sql.floatAggregate;
  const parts = ['COUNT(*) AS n'];
  columns.forEach((c, i) => {
    const col = sql.aggregated ? sql.aggregated(q(p, c.name), c.type) : q(p, c.name);
    parts.push(`COUNT(${col}) AS n${i}`);
    if (c.kind === 'float') {
      parts.push(`${floatAggregate('MIN', col)} AS min${i}`, `${floatAggregate('MAX', col)} AS max${i}`, `${floatAggregate('SUM', col)} AS sum${i}`);
      parts.push(`COUNT(DISTINCT ${col}) AS d${i}`);
    } else if (c.kind === 'numeric' && sql.decimalExtreme && c.type?.kind === 'decimal') {
      parts.push(`${sql.decimalExtreme(tableRef(p, table), col, 'MIN')} AS min${i}`, `${sql.decimalExtreme(tableRef(p, table), col, 'MAX')} AS max${i}`);
      parts.push(`SUM(${col}) AS sum${i}`, `COUNT(DISTINCT ${col}) AS d${i}`);
    } else if (c.kind === 'numeric') {
      parts.push(`MIN(${col}) AS min${i}`, `MAX(${col}) AS max${i}`, `SUM(${col}) AS sum${i}`, `COUNT(DISTINCT ${col}) AS d${i}`);
    } else if (c.kind === 'temporal') {
      const extreme = (fn: 'MIN' | 'MAX') => (sql.temporalExtreme ? sql.temporalExtreme(col, fn) : sql.text(`${fn}(${col})`, c.type));
      parts.push(`${extreme('MIN')} AS min${i}`, `${extreme('MAX')} AS max${i}`, `COUNT(DISTINCT ${col}) AS d${i}`);
    } else if (c.kind === 'boolean') {
      parts.push(`SUM(CASE WHEN ${sql.isTrue ? sql.isTrue(col) : col} THEN 1 ELSE 0 END) AS t${i}`);
    } else if (c.kind === 'text') {
      parts.push(`SUM(${sql.charLength(col)}) AS l${i}`);
    }
  });
  return `SELECT ${parts.join(', ')} FROM ${tableRef(p, table)}`;
}

/** A column as a result query selects it (see ValidationSql.column); `col` is quoted (and qualified) already. */
function selected(p: Place, col: string, type: CanonicalType): string {
  const own = dialectNamed(p.dialect).validation?.column;
  return own ? own(col, type) : col;
}

/** A value as the dialect printed it, in the canonical text's terms (see ValidationSql.fromPrinted). */
function fromPrinted(p: Place, value: unknown, type: CanonicalType | undefined): unknown {
  const own = dialectNamed(p.dialect).validation?.fromPrinted;
  return own && type && typeof value === 'string' ? own(value, type) : value;
}

/** A statisticsSql row as the comparison reads it: the MIN and MAX of temporal columns in the canonical text's terms. */
export function readStatistics(p: Place, row: Record<string, unknown>, columns: StatColumn[]): Record<string, unknown> {
  const out = { ...row };
  columns.forEach((c, i) => {
    if (c.kind !== 'temporal') return;
    out[`min${i}`] = fromPrinted(p, row[`min${i}`], c.type);
    out[`max${i}`] = fromPrinted(p, row[`max${i}`], c.type);
  });
  return out;
}

/** A generated query's rows as the comparison reads them (`types`: SuiteQuery.types; none: as they came). */
export function readResultRows(p: Place, rows: unknown[][], types?: readonly CanonicalType[]): unknown[][] {
  if (!types || !dialectNamed(p.dialect).validation?.fromPrinted) return rows;
  return rows.map((r) => r.map((v, i) => fromPrinted(p, v, types[i])));
}

/** Key values that occur more than once (at most `limit`), and how often. */
export function duplicateKeysSql(p: Place, table: string, columns: string[], limit: number): string {
  const cols = columns.map((c) => q(p, c)).join(', ');
  return `SELECT ${cols}, COUNT(*) AS n FROM ${tableRef(p, table)} WHERE ${columns.map((c) => `${q(p, c)} IS NOT NULL`).join(' AND ')} GROUP BY ${cols} HAVING COUNT(*) > 1${firstRows(p, limit)}`;
}

export interface ForeignKeyRef {
  child: string;
  columns: string[];
  parent: string;
  parentColumns: string[];
  /** The two sides are of different kinds of type (a mapping edited at the gate): joined as text. */
  asText?: boolean;
}

/** A foreign key's join condition between the parent `p` and the child `c`, as text where its sides differ in kind. */
function joinOn(p: Place, fk: { columns: string[]; parentColumns: string[]; asText?: boolean }): string {
  const side = (expr: string) => (fk.asText ? validationSql(p).text(expr) : expr);
  return fk.columns.map((c, i) => `${side(`p.${q(p, fk.parentColumns[i])}`)} = ${side(`c.${q(p, c)}`)}`).join(' AND ');
}

function orphanFrom(p: Place, fk: ForeignKeyRef): string {
  const on = joinOn(p, fk);
  const notNull = fk.columns.map((c) => `c.${q(p, c)} IS NOT NULL`).join(' AND ');
  return `FROM ${tableRef(p, fk.child)} c LEFT JOIN ${tableRef(p, fk.parent)} p ON ${on} WHERE ${notNull} AND p.${q(p, fk.parentColumns[0])} IS NULL`;
}

/** Child rows whose (non-null) foreign key finds no parent: count. */
export function orphanCountSql(p: Place, fk: ForeignKeyRef): string {
  return `SELECT COUNT(*) AS n ${orphanFrom(p, fk)}`;
}

/** Child rows whose foreign key finds no parent: the child's key and the dangling reference, at most `limit`. */
export function orphanSampleSql(p: Place, fk: ForeignKeyRef, childKey: string[], limit: number): string {
  const cols = [...new Set([...childKey, ...fk.columns])].map((c) => `c.${q(p, c)}`).join(', ');
  return `SELECT ${cols} ${orphanFrom(p, fk)}${firstRows(p, limit)}`;
}

// ---------------------------------------------------------------- behavioral suite

export interface SuiteQuery {
  name: string;
  sql: string;
  ordered: boolean;
  /** Canonical types of the result columns, when known (generated queries), for exact normalisation. */
  types?: CanonicalType[];
}

export interface SuiteTable {
  name: string;
  /** countOnly: no aggregates of its own, not in the top N (a type a mapping edit changed to another kind: see activities/validation.ts). */
  columns: { name: string; type: CanonicalType; countOnly?: boolean }[];
  primaryKey: string[];
  foreignKeys: { name: string; columns: string[]; parent: string; parentColumns: string[]; asText?: boolean }[];
}

const COUNT_TYPE: CanonicalType = { kind: 'int64' };
const TOP_N = 10;

/**
 * The generated suite, for one side (`names` maps a source table name to that side's table name).
 * Counts per table, counts per foreign-key group, aggregates over exact numeric columns, top-N by key,
 * and joins along every foreign key grouped by the parent's key.
 */
export function generatedSuite(p: Place, tables: SuiteTable[], names: (table: string) => string): SuiteQuery[] {
  const out: SuiteQuery[] = [];
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const t of tables) {
    const ref = tableRef(p, names(t.name));
    out.push({ name: `count ${t.name}`, sql: `SELECT COUNT(*) FROM ${ref}`, ordered: true, types: [COUNT_TYPE] });
    for (const fk of t.foreignKeys) {
      const cols = fk.columns.map((c) => q(p, c)).join(', ');
      const types = fk.columns.map((c) => t.columns.find((x) => x.name === c)?.type ?? { kind: 'text' as const });
      const shown = fk.columns.map((c, j) => selected(p, q(p, c), types[j])).join(', ');
      out.push({
        name: `count ${t.name} per ${fk.columns.join(', ')}`,
        sql: `SELECT ${shown}, COUNT(*) FROM ${ref} GROUP BY ${cols}`,
        ordered: false,
        types: [...types, COUNT_TYPE],
      });
      const parent = byName.get(fk.parent);
      if (parent && parent.primaryKey.length > 0) {
        const on = joinOn(p, fk);
        const pk = parent.primaryKey.map((c) => `p.${q(p, c)}`).join(', ');
        const pkTypes = parent.primaryKey.map((c) => parent.columns.find((x) => x.name === c)?.type ?? { kind: 'text' as const });
        const shown = parent.primaryKey.map((c, j) => selected(p, `p.${q(p, c)}`, pkTypes[j])).join(', ');
        out.push({
          name: `join ${t.name} → ${fk.parent} on ${fk.columns.join(', ')}`,
          sql: `SELECT ${shown}, COUNT(*) FROM ${ref} c JOIN ${tableRef(p, names(fk.parent))} p ON ${on} GROUP BY ${pk}`,
          ordered: false,
          types: [...pkTypes, COUNT_TYPE],
        });
      }
    }
    for (const c of t.columns) {
      if (c.countOnly || statKind(c.type) !== 'numeric') continue;
      const col = q(p, c.name);
      out.push({
        name: `aggregates ${t.name}.${c.name}`,
        sql: `SELECT MIN(${col}), MAX(${col}), SUM(${col}), COUNT(${col}) FROM ${ref}`,
        ordered: true,
        types: [c.type, c.type, sumType(c.type), COUNT_TYPE],
      });
    }
    // Columns of types only one dialect has are read raw here, each database in its own form, and columns edited at the
    // gate to another kind of type are each side's own kind: the semantic tier compares them (converted: lib/edited-kinds.ts).
    const plain = t.columns.filter((c) => !c.type.family && !c.countOnly);
    // A table whose every column is of such a type has nothing to show here (SELECT with no column is no query).
    if (t.primaryKey.length > 0 && plain.length > 0) {
      const cols = plain.map((c) => selected(p, q(p, c.name), c.type)).join(', ');
      out.push({
        name: `top ${TOP_N} ${t.name} by key`,
        sql: `SELECT ${cols} FROM ${ref} ORDER BY ${t.primaryKey.map((c) => keyOrder(p, c, t.columns.find((x) => x.name === c)?.type)).join(', ')}${firstRows(p, TOP_N)}`,
        ordered: true,
        types: plain.map((c) => c.type),
      });
    }
  }
  return out;
}

/** The type a SUM comes back as: integers stay integral (wider), decimals keep their scale. */
function sumType(type: CanonicalType): CanonicalType {
  return type.kind === 'decimal' ? { kind: 'decimal', scale: type.scale } : { kind: 'int64' };
}

/** Whether a user query fixes its row order (a top-level ORDER BY), so results compare in order. */
export function hasOrderBy(sql: string): boolean {
  // Strip quoted text and parenthesised sub-queries; what is left is the top level.
  let s = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`/g, "''");
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/\([^()]*\)/g, '()');
  }
  return /\border\s+by\b/i.test(s);
}
