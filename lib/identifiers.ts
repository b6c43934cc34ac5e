/**
 * Names that fit the target. A database keeps names up to a limit (PostgreSQL 63 bytes, MariaDB 64 characters) and
 * PostgreSQL silently truncates longer ones, so two long names that share a prefix would collide. Sensei shortens such
 * names itself, deterministically: the longest prefix that fits beside `_` and 8 hex digits of a hash of the full name.
 * Pure JavaScript (no Buffer, no node:crypto): the mapping code that imports this is also bundled into workflows.
 */
import type { IdentifierRules } from '../connectors/dialect';

type Limits = Pick<IdentifierRules, 'maxNameBytes' | 'maxNameChars'>;

/** Bytes of the name in UTF-8. */
export function utf8Length(name: string): number {
  let bytes = 0;
  for (const ch of name) {
    const cp = ch.codePointAt(0) ?? 0;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

export function nameFits(name: string, rules: Limits): boolean {
  if (rules.maxNameBytes !== undefined && utf8Length(name) > rules.maxNameBytes) return false;
  if (rules.maxNameChars !== undefined && [...name].length > rules.maxNameChars) return false;
  return true;
}

/** 32 bits of FNV-1a over the name's code points, as 8 hex digits: the same on every run, machine and version. */
function nameHash(name: string): string {
  let h = 0x811c9dc5;
  for (const ch of name) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The name itself when it fits; else its shortened form (same input, same output). */
export function fitName(name: string, rules: Limits): string {
  if (nameFits(name, rules)) return name;
  const suffix = '_' + nameHash(name);
  let prefix = '';
  // Whole code points only, so a multi-byte character is never cut in half.
  for (const ch of name) {
    if (!nameFits(prefix + ch + suffix, rules)) break;
    prefix += ch;
  }
  return prefix + suffix;
}
