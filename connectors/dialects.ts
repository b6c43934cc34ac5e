/**
 * THE list of dialects Sensei knows: the API's `type` enum, the OpenAPI document, the CLI's URL detection and the
 * connector registry all read it. Pure (no drivers): workflow code may import it. Adding a dialect = one folder
 * under connectors/ whose dialect.ts exports its definition (and whose index.ts, once supported, exports the
 * driver-backed parts) + one line here.
 */
import type { DialectDefinition } from './dialect';
import { mysql } from './mysql/dialect';
import { oracle } from './oracle/dialect';
import { postgres } from './postgres/dialect';
import { snowflake } from './snowflake/dialect';
import { sqlite } from './sqlite/dialect';

/** Each entry: the dialect's definition and its folder under connectors/ (the driver-backed part, loaded lazily). */
const ENTRIES = [
  { dialect: postgres, folder: 'postgres' },
  { dialect: mysql, folder: 'mysql' },
  { dialect: sqlite, folder: 'sqlite' },
  { dialect: oracle, folder: 'oracle' },
  { dialect: snowflake, folder: 'snowflake' },
] as const;

type Names<T extends readonly { dialect: { name: string } }[]> = { -readonly [K in keyof T]: T[K]['dialect']['name'] };

/** Dialect names as the API accepts them in `source.type` / `target.type`. */
export const DIALECTS = ENTRIES.map((e) => e.dialect.name) as Names<typeof ENTRIES>;
export type Dialect = (typeof DIALECTS)[number];

export type { DialectDefinition, DialectCapabilities, DigestColumn, DigestSql, IdentifierRules, LexOptions, QueryLexicon, RangeQuery, TypeMap, ValidationSql } from './dialect';

export function isDialect(name: unknown): name is Dialect {
  return typeof name === 'string' && (DIALECTS as readonly string[]).includes(name);
}

/** The definition of a known dialect; an unknown name throws, listing the known ones. */
export function dialectNamed(name: string): DialectDefinition<Dialect> {
  const entry = ENTRIES.find((e) => e.dialect.name === name);
  if (!entry) throw new Error(`unknown database type "${name}"; known: ${DIALECTS.join(', ')}`);
  return entry.dialect;
}

/** The folder under connectors/ that holds the dialect's driver-backed part. */
export function dialectFolder(name: Dialect): string {
  return (ENTRIES.find((e) => e.dialect.name === name) as (typeof ENTRIES)[number]).folder;
}

/** Dialects Sensei can read from and write to. */
export function supportedDialects(): Dialect[] {
  return DIALECTS.filter((d) => dialectNamed(d).capabilities.supported);
}

/** The dialect a connection URL or file name names (by scheme, then by file ending), or null. */
export function detectDialect(url: string): Dialect | null {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  const ending = /\.([a-z0-9]+)$/i.exec(url)?.[1]?.toLowerCase();
  for (const { dialect } of ENTRIES) {
    if (scheme && (dialect.urlSchemes as readonly string[]).includes(scheme)) return dialect.name;
  }
  for (const { dialect } of ENTRIES) {
    if (ending && (dialect.fileExtensions as readonly string[]).includes(ending)) return dialect.name;
  }
  return null;
}
