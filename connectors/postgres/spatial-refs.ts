/**
 * PostGIS's spatial_ref_sys: which of its rows came with the extension and which its users added. Pure: the text is
 * the extension's configuration condition (pg_extension.extcondition), which pg_dump uses to dump the users' rows only.
 */

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
