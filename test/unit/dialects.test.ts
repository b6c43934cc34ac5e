import { DIALECTS, detectDialect, dialectNamed, supportedDialects } from '../../connectors/dialects';
import { createConnector } from '../../connectors/registry';
import { openApiDocument } from '../../api/openapi';
import * as R from '../../api/responses';
import { createMigrationBody } from '../../api/schemas';
import fs from 'node:fs';
import path from 'node:path';

describe('connectors/dialects.ts is the one list of dialects', () => {
  test('names, in order; every listed dialect is supported', () => {
    expect(DIALECTS).toEqual(['postgresql', 'mysql', 'sqlite', 'oracle', 'snowflake']);
    expect(supportedDialects()).toEqual(['postgresql', 'mysql', 'sqlite', 'oracle', 'snowflake']);
  });

  test('identifier rules: quoting, literal quoting, case folding, name length in bytes', () => {
    expect(dialectNamed('postgresql').identifiers.maxNameBytes).toBe(63);
    expect(dialectNamed('mysql').identifiers.maxNameChars).toBe(64);
    expect(dialectNamed('sqlite').identifiers.maxNameBytes).toBeUndefined();
    expect(dialectNamed('postgresql').identifiers.caseFolding).toBe('lower');
    expect(dialectNamed('mysql').identifiers.literal("a\\'b")).toBe("'a\\\\''b'");
  });

  test('the API accepts exactly the listed types', () => {
    for (const type of DIALECTS) {
      expect(createMigrationBody.safeParse({ source: { type, connection_string: 'x://y' }, target: { type, connection_string: 'x://y' } }).error?.issues.find((i) => i.path.includes('type'))).toBeUndefined();
    }
    const refused = createMigrationBody.safeParse({ source: { type: 'db2', connection_string: 'x://y' }, target: { type: 'mysql', connection_string: 'x://y' } });
    expect(refused.success).toBe(false);
    expect(JSON.stringify(refused.error?.issues)).toContain(DIALECTS.join(', '));
  });

  test('the response schemas and the OpenAPI document list the same enum', () => {
    const text = JSON.stringify(openApiDocument());
    expect(text).toContain(JSON.stringify(DIALECTS));
    expect(JSON.stringify(R)).not.toContain('"db2"');
  });

  test('the CLI detection reads the schemes and file endings of the list', () => {
    expect(detectDialect('postgres://u@h/db')).toBe('postgresql');
    expect(detectDialect('postgresql://u@h/db')).toBe('postgresql');
    expect(detectDialect('mariadb://u@h/db')).toBe('mysql');
    expect(detectDialect('mysql://u@h/db')).toBe('mysql');
    expect(detectDialect('/tmp/x.sqlite3')).toBe('sqlite');
    expect(detectDialect('file:/tmp/x')).toBe('sqlite');
    expect(detectDialect('snowflake://acct')).toBe('snowflake');
    expect(detectDialect('/tmp/x.csv')).toBeNull();
    for (const name of DIALECTS) {
      for (const scheme of dialectNamed(name).urlSchemes) expect(detectDialect(`${scheme}://h/x`)).toBe(name);
    }
  });

  test('the registry refuses unknown types by the list', async () => {
    await expect(createConnector({ type: 'db2' as never, connectionString: 'x' })).rejects.toThrow(`known: ${DIALECTS.join(', ')}`);
  });

  test('the registry loads each supported dialect lazily from its folder', async () => {
    for (const type of supportedDialects()) {
      const connector = await createConnector({ type, connectionString: dialectNamed(type).capabilities.fileBased ? ':memory:' : `${dialectNamed(type).urlSchemes[0]}://127.0.0.1/x` }, { role: 'target' });
      expect(connector.dialect).toBe(type);
    }
  });
});

test('the pure half of every dialect (connectors/dialects.ts and what it imports) names no driver, package or Node built-in', () => {
  // The workflow bundle follows these imports (docs/ARCHITECTURE.md, "Why two halves"); `import type` is erased.
  const seen = new Set<string>();
  const outside: string[] = [];
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^;'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      if (!spec.startsWith('.')) {
        outside.push(`${path.relative(process.cwd(), file)} imports ${spec}`);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      walk(fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts'));
    }
  };
  walk(path.join(__dirname, '..', '..', 'connectors', 'dialects.ts'));
  expect(seen.size).toBeGreaterThan(10);
  expect(outside).toEqual([]);
});
