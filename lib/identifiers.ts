/**
 * Names that fit the target. A database keeps names up to a limit (PostgreSQL 63 bytes, MariaDB 64 characters) and
 * PostgreSQL silently truncates longer ones, so two long names that share a prefix would collide. Sensei shortens such
 * names itself, deterministically: the longest prefix that fits beside `_` and 8 hex digits of the full name's SHA-256.
 */
import { createHash } from 'node:crypto';
import type { IdentifierRules } from '../connectors/dialect';

const HASH_CHARS = 8;

type Limits = Pick<IdentifierRules, 'maxNameBytes' | 'maxNameChars'>;

export function nameFits(name: string, rules: Limits): boolean {
  if (rules.maxNameBytes !== undefined && Buffer.byteLength(name, 'utf8') > rules.maxNameBytes) return false;
  if (rules.maxNameChars !== undefined && [...name].length > rules.maxNameChars) return false;
  return true;
}

/** The name itself when it fits; else its shortened form (same input, same output, on every run and machine). */
export function fitName(name: string, rules: Limits): string {
  if (nameFits(name, rules)) return name;
  const suffix = '_' + createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HASH_CHARS);
  let prefix = '';
  // Whole code points only, so a multi-byte character is never cut in half.
  for (const ch of name) {
    if (!nameFits(prefix + ch + suffix, rules)) break;
    prefix += ch;
  }
  return prefix + suffix;
}
