/**
 * Oracle introspection: the catalogue queries (ALL_TABLES, ALL_TAB_COLUMNS, ALL_CONSTRAINTS, ALL_CONS_COLUMNS,
 * ALL_INDEXES, ALL_IND_COLUMNS, ALL_SEQUENCES) and a pure function that turns their rows into Sensei's schema model.
 * Each query binds the owner as :owner and returns rows keyed by the catalogue's own column names, so rows recorded
 * from a real server (test/fixtures/oracle) go through the same function as rows read live.
 */
import type { ForeignKeyInfo, IndexInfo, SchemaObject, TableInfo } from '../../lib/types';
import { doubleQuoted } from '../dialect';
import { formatOracleType, toCanonical } from './types';

type Cell = string | number | null;
export type CatalogueRow = Record<string, Cell>;

export interface OracleCatalogue {
  tables: CatalogueRow[];
  columns: CatalogueRow[];
  constraints: CatalogueRow[];
  indexes: CatalogueRow[];
  sequences: CatalogueRow[];
}

/** The statements, by catalogue part; each binds :owner. */
export const CATALOGUE_SQL: Record<keyof OracleCatalogue, string> = {
  // Not: tables in the recycle bin, nested tables, secondary (domain index) tables, materialized views' containers.
  tables: `SELECT t.TABLE_NAME, t.NUM_ROWS FROM ALL_TABLES t
WHERE t.OWNER = :owner AND t.NESTED = 'NO' AND t.SECONDARY = 'N' AND t.DROPPED = 'NO'
  AND NOT EXISTS (SELECT 1 FROM ALL_MVIEWS m WHERE m.OWNER = t.OWNER AND m.MVIEW_NAME = t.TABLE_NAME)
ORDER BY t.TABLE_NAME`,
  columns: `SELECT c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.DATA_LENGTH, c.DATA_PRECISION, c.DATA_SCALE, c.CHAR_LENGTH,
  c.CHAR_USED, c.NULLABLE, c.DATA_DEFAULT, c.COLUMN_ID, c.IDENTITY_COLUMN, i.GENERATION_TYPE
FROM ALL_TAB_COLUMNS c
LEFT JOIN ALL_TAB_IDENTITY_COLS i ON i.OWNER = c.OWNER AND i.TABLE_NAME = c.TABLE_NAME AND i.COLUMN_NAME = c.COLUMN_NAME
WHERE c.OWNER = :owner
ORDER BY c.TABLE_NAME, c.COLUMN_ID`,
  // Primary keys, unique constraints and foreign keys with their columns in order; a foreign key's referenced
  // constraint is another row of this same result (same owner) or, across owners, named by R_OWNER.
  constraints: `SELECT c.TABLE_NAME, c.CONSTRAINT_NAME, c.CONSTRAINT_TYPE, c.R_OWNER, c.R_CONSTRAINT_NAME, c.DELETE_RULE,
  c.INDEX_NAME, cc.COLUMN_NAME, cc.POSITION
FROM ALL_CONSTRAINTS c
JOIN ALL_CONS_COLUMNS cc ON cc.OWNER = c.OWNER AND cc.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND cc.TABLE_NAME = c.TABLE_NAME
WHERE c.OWNER = :owner AND c.CONSTRAINT_TYPE IN ('P', 'U', 'R') AND c.STATUS = 'ENABLED'
ORDER BY c.TABLE_NAME, c.CONSTRAINT_NAME, cc.POSITION`,
  indexes: `SELECT i.TABLE_NAME, i.INDEX_NAME, i.UNIQUENESS, i.INDEX_TYPE, ic.COLUMN_NAME, ic.COLUMN_POSITION, ic.DESCEND
FROM ALL_INDEXES i
JOIN ALL_IND_COLUMNS ic ON ic.INDEX_OWNER = i.OWNER AND ic.INDEX_NAME = i.INDEX_NAME
WHERE i.TABLE_OWNER = :owner AND i.INDEX_TYPE <> 'LOB'
ORDER BY i.TABLE_NAME, i.INDEX_NAME, ic.COLUMN_POSITION`,
  // Sequences that back identity columns (ISEQ$$_…) come with their tables.
  sequences: `SELECT s.SEQUENCE_NAME, s.MIN_VALUE, s.MAX_VALUE, s.INCREMENT_BY, s.CYCLE_FLAG, s.CACHE_SIZE, s.LAST_NUMBER
FROM ALL_SEQUENCES s
WHERE s.SEQUENCE_OWNER = :owner AND s.SEQUENCE_NAME NOT LIKE 'ISEQ$$%'
ORDER BY s.SEQUENCE_NAME`,
};

const str = (v: Cell | undefined): string => (v === null || v === undefined ? '' : String(v));
const num = (v: Cell | undefined): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

function groupBy(rows: CatalogueRow[], key: string): Map<string, CatalogueRow[]> {
  const out = new Map<string, CatalogueRow[]>();
  for (const r of rows) {
    const k = str(r[key]);
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return out;
}

/** DATA_DEFAULT as Oracle keeps it: the text typed after DEFAULT, often with a trailing newline or space. */
function defaultOf(row: CatalogueRow): string | null {
  const text = str(row.DATA_DEFAULT).trim();
  if (text === '' || /^null$/i.test(text)) return null;
  return text;
}

function column(row: CatalogueRow): TableInfo['columns'][number] {
  const native = {
    dataType: str(row.DATA_TYPE),
    dataLength: num(row.DATA_LENGTH),
    dataPrecision: num(row.DATA_PRECISION),
    dataScale: num(row.DATA_SCALE),
    charLength: num(row.CHAR_LENGTH),
    charUsed: row.CHAR_USED === null ? null : str(row.CHAR_USED),
    identity: str(row.IDENTITY_COLUMN) === 'YES',
  };
  const identity = native.identity ? (str(row.GENERATION_TYPE) === 'ALWAYS' ? 'always' : 'by_default') : undefined;
  return {
    name: str(row.COLUMN_NAME),
    nativeType: formatOracleType(native),
    type: toCanonical(native),
    nullable: str(row.NULLABLE) !== 'N',
    // An identity's default is its sequence's NEXTVAL: not a default to copy.
    default: identity ? null : defaultOf(row),
    ...(identity ? { identity } : {}),
  };
}

interface Constraint {
  table: string;
  name: string;
  type: string;
  rConstraint: string;
  rOwner: string;
  deleteRule: string;
  index: string;
  columns: string[];
}

function constraintsOf(rows: CatalogueRow[]): Map<string, Constraint> {
  const out = new Map<string, Constraint>();
  for (const r of rows) {
    const name = str(r.CONSTRAINT_NAME);
    const c = out.get(name) ?? {
      table: str(r.TABLE_NAME),
      name,
      type: str(r.CONSTRAINT_TYPE),
      rConstraint: str(r.R_CONSTRAINT_NAME),
      rOwner: str(r.R_OWNER),
      deleteRule: str(r.DELETE_RULE),
      index: str(r.INDEX_NAME),
      columns: [],
    };
    c.columns.push(str(r.COLUMN_NAME));
    out.set(name, c);
  }
  return out;
}

/** ON DELETE as Oracle's DELETE_RULE says it (Oracle has no ON UPDATE: it never cascades key updates). */
function deleteAction(rule: string): string | undefined {
  return rule === 'CASCADE' || rule === 'SET NULL' ? rule : undefined;
}

function foreignKeys(table: string, constraints: Map<string, Constraint>, owner: string): ForeignKeyInfo[] {
  const out: ForeignKeyInfo[] = [];
  for (const c of constraints.values()) {
    if (c.table !== table || c.type !== 'R') continue;
    const parent = constraints.get(c.rConstraint);
    // A reference into another owner's table names a table this schema does not hold: left out.
    if (!parent || (c.rOwner && c.rOwner !== owner)) continue;
    const onDelete = deleteAction(c.deleteRule);
    out.push({ name: c.name, columns: c.columns, referencedTable: parent.table, referencedColumns: parent.columns, ...(onDelete ? { onDelete } : {}) });
  }
  return out;
}

/** Secondary indexes: not those backing a key; an index on an expression (function-based) is left out. */
function indexes(table: string, rows: CatalogueRow[], backing: Set<string>): IndexInfo[] {
  const out: IndexInfo[] = [];
  for (const [name, parts] of groupBy(rows.filter((r) => str(r.TABLE_NAME) === table), 'INDEX_NAME')) {
    if (backing.has(name)) continue;
    if (parts.some((p) => /FUNCTION-BASED/.test(str(p.INDEX_TYPE)) || /^SYS_NC\d+\$$/.test(str(p.COLUMN_NAME)))) continue;
    out.push({ name, columns: parts.map((p) => str(p.COLUMN_NAME)), unique: str(parts[0].UNIQUENESS) === 'UNIQUE' });
  }
  return out;
}

/** The tables of one owner, from its catalogue rows. */
export function tablesFromCatalogue(catalogue: OracleCatalogue, owner: string): TableInfo[] {
  const columnsByTable = groupBy(catalogue.columns, 'TABLE_NAME');
  const constraints = constraintsOf(catalogue.constraints);
  const backing = new Set([...constraints.values()].filter((c) => c.type !== 'R' && c.index).map((c) => c.index));
  return catalogue.tables.map((t) => {
    const name = str(t.TABLE_NAME);
    const own = [...constraints.values()].filter((c) => c.table === name);
    const pk = own.find((c) => c.type === 'P');
    return {
      name,
      columns: (columnsByTable.get(name) ?? []).sort((a, b) => (num(a.COLUMN_ID) ?? 0) - (num(b.COLUMN_ID) ?? 0)).map(column),
      primaryKey: pk?.columns ?? [],
      ...(pk ? { primaryKeyName: pk.name } : {}),
      foreignKeys: foreignKeys(name, constraints, owner),
      uniqueConstraints: own.filter((c) => c.type === 'U').map((c) => ({ name: c.name, columns: c.columns })),
      indexes: indexes(name, catalogue.indexes, backing),
      rowEstimate: num(t.NUM_ROWS) ?? 0,
    };
  });
}

/** Sequences besides those of identity columns, as Oracle would create them again (for an Oracle target). */
export function sequencesFromCatalogue(rows: CatalogueRow[], quote: (name: string) => string = doubleQuoted): SchemaObject[] {
  return rows.map((s) => {
    const name = str(s.SEQUENCE_NAME);
    const cycle = str(s.CYCLE_FLAG) === 'Y' ? ' CYCLE' : ' NOCYCLE';
    const cache = (num(s.CACHE_SIZE) ?? 0) > 1 ? ` CACHE ${num(s.CACHE_SIZE)}` : ' NOCACHE';
    return {
      kind: 'sequence',
      name,
      create: [
        `CREATE SEQUENCE ${quote(name)} START WITH ${str(s.LAST_NUMBER)} INCREMENT BY ${str(s.INCREMENT_BY)} MINVALUE ${str(s.MIN_VALUE)} MAXVALUE ${str(s.MAX_VALUE)}${cycle}${cache}`,
      ],
      stage: 'before_tables' as const,
    };
  });
}
