/**
 * Snowflake introspection: rows of INFORMATION_SCHEMA.TABLES and COLUMNS and of SHOW PRIMARY / UNIQUE / IMPORTED KEYS
 * (one schema) into Sensei's schema model. Pure, so recorded rows go through the same function as rows read live.
 * Snowflake declares keys but enforces only NOT NULL: Sensei still uses a declared primary key for keyset reads.
 */
import type { ForeignKeyInfo, TableInfo } from '../../lib/types';
import { formatSnowflakeType, toCanonical } from './types';

type Cell = string | number | null;
export type CatalogueRow = Record<string, Cell>;

export interface SnowflakeCatalogue {
  tables: CatalogueRow[];
  columns: CatalogueRow[];
  primaryKeys: CatalogueRow[];
  uniqueKeys: CatalogueRow[];
  foreignKeys: CatalogueRow[];
}

const str = (v: Cell | undefined) => (v === null || v === undefined ? '' : String(v));
const num = (v: Cell | undefined) => (v === null || v === undefined || v === '' ? null : Number(v));

/** Key columns by constraint, in key order (SHOW … KEYS rows: table_name, column_name, key_sequence, constraint_name). */
function keys(rows: CatalogueRow[], table: string): Map<string, string[]> {
  const out = new Map<string, { seq: number; column: string }[]>();
  for (const r of rows.filter((x) => str(x.table_name) === table)) {
    const name = str(r.constraint_name);
    out.set(name, [...(out.get(name) ?? []), { seq: num(r.key_sequence) ?? 0, column: str(r.column_name) }]);
  }
  return new Map([...out].map(([name, cols]) => [name, cols.sort((a, b) => a.seq - b.seq).map((c) => c.column)]));
}

function foreignKeys(rows: CatalogueRow[], table: string): ForeignKeyInfo[] {
  const byName = new Map<string, CatalogueRow[]>();
  for (const r of rows.filter((x) => str(x.fk_table_name) === table)) byName.set(str(r.fk_name), [...(byName.get(str(r.fk_name)) ?? []), r]);
  return [...byName].map(([name, parts]) => {
    parts.sort((a, b) => (num(a.key_sequence) ?? 0) - (num(b.key_sequence) ?? 0));
    const action = (rule: string) => (rule && rule !== 'NO ACTION' ? rule : undefined);
    const onDelete = action(str(parts[0].delete_rule));
    const onUpdate = action(str(parts[0].update_rule));
    return {
      name,
      columns: parts.map((p) => str(p.fk_column_name)),
      referencedTable: str(parts[0].pk_table_name),
      referencedColumns: parts.map((p) => str(p.pk_column_name)),
      ...(onDelete ? { onDelete } : {}),
      ...(onUpdate ? { onUpdate } : {}),
    };
  });
}

export function tablesFromCatalogue(c: SnowflakeCatalogue): TableInfo[] {
  return c.tables.map((t) => {
    const name = str(t.TABLE_NAME);
    const pk = [...keys(c.primaryKeys, name)][0];
    return {
      name,
      columns: c.columns
        .filter((r) => str(r.TABLE_NAME) === name)
        .sort((a, b) => (num(a.ORDINAL_POSITION) ?? 0) - (num(b.ORDINAL_POSITION) ?? 0))
        .map((r) => {
          const native = {
            dataType: str(r.DATA_TYPE),
            numericPrecision: num(r.NUMERIC_PRECISION),
            numericScale: num(r.NUMERIC_SCALE),
            characterMaximumLength: num(r.CHARACTER_MAXIMUM_LENGTH),
            datetimePrecision: num(r.DATETIME_PRECISION),
            identity: str(r.IS_IDENTITY) === 'YES',
          };
          return {
            name: str(r.COLUMN_NAME),
            nativeType: formatSnowflakeType(native),
            type: toCanonical(native),
            nullable: str(r.IS_NULLABLE) !== 'NO',
            default: native.identity ? null : r.COLUMN_DEFAULT === null ? null : str(r.COLUMN_DEFAULT),
            ...(native.identity ? { identity: 'by_default' as const } : {}),
          };
        }),
      primaryKey: pk?.[1] ?? [],
      ...(pk ? { primaryKeyName: pk[0] } : {}),
      foreignKeys: foreignKeys(c.foreignKeys, name),
      uniqueConstraints: [...keys(c.uniqueKeys, name)].map(([constraint, columns]) => ({ name: constraint, columns })),
      // Snowflake has no secondary indexes.
      indexes: [],
      rowEstimate: num(t.ROW_COUNT) ?? 0,
    };
  });
}
