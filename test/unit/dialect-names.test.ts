/**
 * Nothing outside connectors/ names a dialect: no 'postgresql' / 'mysql' / 'sqlite' / 'oracle' / 'snowflake'
 * literal, no switch or comparison on one. Code outside asks the dialect object (connectors/dialects.ts) for a
 * capability, an identifier rule, a type map or a piece of SQL instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DIALECTS } from '../../connectors/dialects';

const ROOT = path.resolve(__dirname, '..', '..');
// bench/ picks the databases it measures, as tests do.
// The web console's own scripts too (console/assets): they build their type pickers from GET /v1/dialects.
const SCANNED = ['activities', 'api', 'cli', 'lib', 'sdk', 'workers', 'workflows', 'console'];

function files(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!fs.existsSync(full)) return [];
  return fs.readdirSync(full, { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    // Build output (sdk/dist after `npm pack`) is compiled from the sources scanned here.
    if (e.isDirectory()) return e.name === 'dist' || e.name === 'node_modules' || e.name === 'vendor' ? [] : files(rel);
    return /\.(ts|js)$/.test(e.name) ? [rel] : [];
  });
}

function naming(text: string): string[] {
  const names = DIALECTS.join('|');
  // A quoted name ('mysql', "sqlite", `oracle`) as a whole literal: comparisons, cases, unions, object keys.
  const literal = new RegExp(`(['"\`])(${names})\\1`, 'g');
  // A dialect name as a bare object key or case label: { postgresql: … }, case mysql:
  const key = new RegExp(`(?:[{,]\\s*|\\bcase\\s+)(${names})\\s*:(?!//)`, 'g');
  return [...text.matchAll(literal), ...text.matchAll(key)].map((m) => m[0]);
}

describe('dialects are named only inside connectors/', () => {
  const found = new Map<string, string[]>();
  for (const dir of SCANNED) {
    for (const file of files(dir)) {
      const hits = naming(fs.readFileSync(path.join(ROOT, file), 'utf8'));
      if (hits.length > 0) found.set(file, hits);
    }
  }

  test('no file outside connectors/ names a dialect', () => {
    expect([...found.entries()]).toEqual([]);
  });

  test('the scan finds what it looks for', () => {
    expect(naming(`if (d === 'mysql') x; switch (d) { case "sqlite": } const L = { postgresql: 1 };`)).toHaveLength(3);
    expect(naming(`const url = 'postgresql://x'; // mysql is fine in a comment, and so is 'a, mysql://… URL'`)).toHaveLength(0);
  });
});
