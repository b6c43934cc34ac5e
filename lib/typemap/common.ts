import type { CanonicalType } from '../types';

/** How a canonical type is declared in a target dialect, and how faithful that is (1 = lossless). */
export interface TargetTypeChoice {
  sql: string;
  confidence: number;
  note?: string;
  /**
   * `sql` names a type the target creates for this column (PostgreSQL enum types), in the schema's namespace of types
   * and tables: the plan keeps such names unique (lib/mapping.ts).
   */
  createsType?: boolean;
}

/** What the type of a column must additionally satisfy in the target. */
export interface TargetTypeContext {
  /** The column is part of the primary key or a unique constraint (MySQL cannot index unbounded TEXT/BLOB). */
  inKey?: boolean;
  /** The column is NOT NULL (a target that stores '' as NULL then rejects empty text). */
  notNull?: boolean;
  /** Where the column is (`table`, `column`): names a type the target creates for it (PostgreSQL enum types). */
  table?: string;
  column?: string;
  /**
   * Extensions the target database has installed where its tables see them (PostgreSQL: `postgis`), or that the plan
   * creates there before the tables, as the mapping activity found them; absent: none known (mapping edits inside the
   * workflow judge types without them).
   */
  extensions?: readonly string[];
}

export function unsupported(nativeName: string): CanonicalType {
  return { kind: 'unsupported', readConfidence: 0, readNote: `type ${nativeName} is not supported by Sensei` };
}

/** "numeric(10,2)" → [10, 2]; "varchar(40)" → [40]; no parentheses → []. */
export function typeArgs(native: string): number[] {
  const m = /\(([^)]*)\)/.exec(native);
  if (!m) return [];
  return m[1]
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isFinite(n));
}

/** Drops undefined members so plans stay small and compare cleanly. */
export function compact(type: CanonicalType): CanonicalType {
  const out = { ...type } as Record<string, unknown>;
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as unknown as CanonicalType;
}

/** The type a column's values take in a database of another dialect: a native type's portable one, else the type itself. */
export function crossType(type: CanonicalType): CanonicalType {
  return type.kind === 'native' && type.portable ? type.portable : type;
}

/** The common type a native type's values take elsewhere, with how faithful that is. */
export function portableAs(kind: CanonicalType['kind'], family: NonNullable<CanonicalType['family']>, confidence: number, note: string, extra: Partial<CanonicalType> = {}): CanonicalType {
  return { kind, family, ...extra, ...(confidence < 1 ? { readConfidence: confidence } : {}), readNote: note };
}
