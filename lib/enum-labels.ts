/**
 * MariaDB/MySQL ENUM columns hold '' where a value that is none of their labels was stored outside strict mode (the
 * "error value", index 0). A target that holds only the labels (a PostgreSQL enum type, text with a CHECK of them, a
 * MariaDB ENUM written from another dialect) refuses it: each row holding one is rejected by key with the reason, never
 * changed. Pure (the copy activity checks rows with it).
 */
import { dialectNamed, isDialect } from '../connectors/dialects';
import { enumLabelsChecked } from './mapping';
import { targetType } from './typemap';
import type { ColumnMapping, Dialect } from './types';

/**
 * Whether an enum column's target type holds its labels only: the target's own enum type for it (created or declared
 * with the labels: parsed back as an enum) or text with a CHECK of its labels, where the target enforces CHECKs. Not an
 * Oracle VARCHAR2 (its CHECK passes '', which Oracle keeps as NULL), nor Snowflake's VARCHAR (it enforces no CHECK).
 */
function holdsOnlyLabels(dialect: Dialect, c: ColumnMapping): boolean {
  const types = dialectNamed(dialect).types;
  if (!types) return false;
  if (c.createdType !== undefined && c.createdType === c.targetType) return true;
  const own = targetType(dialect, c.canonical, { table: c.table, column: c.column });
  if (own.createsType && own.sql === c.targetType) return true;
  if (enumLabelsChecked(c, c.targetType)) return types.checkRefusal === undefined;
  try {
    return types.parseTypeName(c.targetType).kind === 'enum';
  } catch {
    return false;
  }
}

/** The enum columns of a table plan whose labels do not include '' and whose target holds only them, by position. */
export function emptyLabelCheckedColumns(targetDialect: Dialect, columns: readonly ColumnMapping[]): number[] {
  if (!isDialect(targetDialect)) return [];
  return columns.flatMap((c, position) =>
    c.canonical.kind === 'enum' && c.canonical.values && !c.canonical.values.includes('') && holdsOnlyLabels(targetDialect, c) ? [position] : [],
  );
}

/** What a value of a column checked by emptyLabelCheckedColumns holds that is none of its labels, or null. */
export function emptyLabelRefusal(value: unknown): string | null {
  return value === '' ? 'the empty string, which is not one of its labels' : null;
}
