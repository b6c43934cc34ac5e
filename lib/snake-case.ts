/**
 * The API's field names are snake_case; the plan and the schema model are camelCase inside Sensei. These turn a value
 * of the model into the API's form at any depth (a canonical type nests its portable one, a table its columns), with
 * its type: `SnakeKeys<SchemaInfo>` is what GET …/schema/source answers.
 */

/** `autoIncrement` → `auto_increment`, at the type level. */
type Snake<S extends string> = S extends `${infer Head}${infer Tail}` ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${Snake<Tail>}` : S;

/** A type with every object key in snake_case, at any depth. */
export type SnakeKeys<T> = T extends readonly (infer U)[]
  ? SnakeKeys<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? Snake<K> : K]: SnakeKeys<T[K]> }
    : T;

/** A snake_case name for a camelCase one (autoIncrement → auto_increment). */
export const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A value with every object key in snake_case, at any depth; values themselves (strings in arrays too) are left alone. */
export function snakeKeys<T>(value: T): SnakeKeys<T> {
  if (Array.isArray(value)) return value.map(snakeKeys) as SnakeKeys<T>;
  if (value === null || typeof value !== 'object') return value as SnakeKeys<T>;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [snakeCase(key), snakeKeys(v)])) as SnakeKeys<T>;
}
