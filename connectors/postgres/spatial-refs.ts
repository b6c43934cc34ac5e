/**
 * PostGIS's spatial_ref_sys: which of its rows came with the extension and which its users added (read from the
 * extension's configuration condition, pg_extension.extcondition, which pg_dump uses to dump the users' rows only), and
 * how a PostgreSQL target gets the users' rows. Pure.
 */
import type { SpatialRef } from '../../lib/types';

/**
 * Whether an SRID's row is one PostGIS installs, read from its condition for the users' rows
 * (`WHERE NOT (srid BETWEEN 2000 AND 2217 OR srid = 3812 OR …)`): evaluated here rather than run as SQL. Null when the
 * text is not of that form (another PostGIS version's): nothing is then said about the rows.
 */
export function postgisOwnSrid(condition: string): ((srid: number) => boolean) | null {
  const body = /^\s*WHERE\s+NOT\s*\(([\s\S]*)\)\s*$/i.exec(condition)?.[1];
  if (body === undefined) return null;
  const ranges: [number, number][] = [];
  for (const term of body.split(/\bOR\b/i)) {
    const between = /^\s*srid\s+BETWEEN\s+(\d+)\s+AND\s+(\d+)\s*$/i.exec(term);
    const equal = /^\s*srid\s*=\s*(\d+)\s*$/i.exec(term);
    if (between) ranges.push([Number(between[1]), Number(between[2])]);
    else if (equal) ranges.push([Number(equal[1]), Number(equal[1])]);
    else return null;
  }
  return (srid) => ranges.some(([low, high]) => srid >= low && srid <= high);
}

/** The columns of spatial_ref_sys a row is copied with (PostGIS's own order). */
export const SPATIAL_REF_COLUMNS = 'srid, auth_name, auth_srid, srtext, proj4text';

/** `srid, auth_name, auth_srid, srtext, proj4text` of a spatial_ref_sys row read in that order. */
export function spatialRefOf(row: unknown[]): SpatialRef {
  const text = (v: unknown) => (v === null ? null : String(v));
  return { srid: Number(row[0]), authName: text(row[1]), authSrid: row[2] === null ? null : Number(row[2]), srtext: text(row[3]), proj4text: text(row[4]) };
}

/** Whether two rows define the same spatial reference system (every column alike). */
export function sameSpatialRef(a: SpatialRef, b: SpatialRef): boolean {
  return a.srid === b.srid && a.authName === b.authName && a.authSrid === b.authSrid && a.srtext === b.srtext && a.proj4text === b.proj4text;
}

/** A row's authority and its code there (`sensei:1`), as SpatialModifiers.customSrs says it. */
export function spatialRefAuthority(row: SpatialRef): string {
  return `${row.authName ?? 'no authority'}:${row.authSrid ?? ''}`;
}

/**
 * The statement that adds a row to spatial_ref_sys (`table`: quoted, qualified) unless one with its SRID is there:
 * a row the target has is never overwritten, and the statement can run again. `literal` quotes a string.
 */
export function insertSpatialRef(table: string, row: SpatialRef, literal: (value: string) => string): string {
  const value = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : literal(v));
  return (
    `INSERT INTO ${table} (${SPATIAL_REF_COLUMNS}) VALUES (${[row.srid, row.authName, row.authSrid, row.srtext, row.proj4text].map(value).join(', ')})` +
    ' ON CONFLICT (srid) DO NOTHING'
  );
}
