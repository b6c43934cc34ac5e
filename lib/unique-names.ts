/**
 * Names the plan gives objects it creates in the target (CHECK constraints, PostgreSQL enum types), unique in the
 * namespace the target keeps them in. Two source objects can come out with one name (`a`.`b_x` and `a_b`.`x` both
 * `a_b_x`; two long names whose fitted forms meet; a name a table of the plan has), which would fail the migration at
 * CREATE: here the first object (in the plan's order) keeps its name and each later one gets `_2`, `_3`, … (fitted to
 * the target's length, so a long name is shortened first). Names the target holds itself (its built-in types) and names
 * an object's own smaller namespace holds (a CHECK's table: the names the database gives its other constraints) are
 * never given either. Deterministic, and an object whose name is its own keeps it exactly: no suffix is one another
 * object's own name. Pure JavaScript (bundled into workflows with lib/mapping).
 */
import { fitName } from './identifiers';

type Limits = Parameters<typeof fitName>[1];

export interface NameRequest {
  /** The name the object would have without any other object (before fitting to the target's length). */
  base: string;
  /** Who asks, for people: `check b_x of a`, `the enum type of column a.b_c`. */
  owner: string;
  /** Names taken where only this object meets them (its table's other constraints), and by whom. */
  taken?: ReadonlyMap<string, string>;
}

export interface NameGiven {
  name: string;
  /** When the object's own name was taken: that name, and who has it. */
  renamed?: { from: string; takenBy: string };
}

/**
 * Unique names for `requests`, in their order, beside `reserved` (names already taken in the namespace, by whom).
 * `key` says which names are one in the target (MySQL compares constraint names case-insensitively: lower-case);
 * `builtin` who holds a name in the target before any object of the plan (undefined: nobody).
 */
export function uniqueNames(
  requests: NameRequest[],
  rules: Limits,
  options: { reserved?: Map<string, string>; key?: (name: string) => string; builtin?: (name: string) => string | undefined } = {},
): NameGiven[] {
  const key = options.key ?? ((n: string) => n);
  const holders = new Map<string, string>();
  for (const [name, owner] of options.reserved ?? []) if (!holders.has(key(name))) holders.set(key(name), owner);
  const taken = requests.map((r) => new Map([...(r.taken ?? [])].map(([name, owner]) => [key(name), owner])));
  const holder = (name: string, i: number): string | undefined => taken[i].get(key(name)) ?? options.builtin?.(name) ?? holders.get(key(name));
  // First pass: every object that is the first to want its own name has it, so no suffix below can take it.
  const own = requests.map((r) => fitName(r.base, rules));
  const keeps = own.map((name, i) => {
    if (holder(name, i) !== undefined) return false;
    holders.set(key(name), requests[i].owner);
    return true;
  });
  return requests.map((r, i) => {
    if (keeps[i]) return { name: own[i] };
    let name = own[i];
    for (let n = 2; holder(name, i) !== undefined; n++) name = fitName(`${r.base}_${n}`, rules);
    const takenBy = holder(own[i], i) as string;
    holders.set(key(name), r.owner);
    return { name, renamed: { from: own[i], takenBy } };
  });
}
