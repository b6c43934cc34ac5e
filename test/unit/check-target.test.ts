/** CHECKs written for the target types of their columns (lib/typemap/check.ts checkForTarget) and their names in the target (lib/mapping.ts). */
import { dialectNamed } from '../../connectors/dialects';
import { planMigration } from '../../lib/mapping';
import { checkForTarget, portableCheck, type CheckTarget } from '../../lib/typemap/check';
import type { SchemaInfo, TableInfo } from '../../lib/types';

const target = (strictBooleans: boolean, booleans: string[], numbers: string[] = []): CheckTarget => ({
  strictBooleans,
  isBoolean: (c) => booleans.includes(c),
  isNumeric: (c) => numbers.includes(c),
});
const fit = (definition: string, t: CheckTarget) => {
  const portable = portableCheck(definition, ['flag', 'f2', 'n', 'name']);
  if (!portable) throw new Error(`not portable: ${definition}`);
  return checkForTarget(portable, t);
};

describe('checkForTarget, into a target with a boolean type (PostgreSQL)', () => {
  const pg = target(true, ['flag', 'f2'], ['n']);
  test.each([
    ['CHECK (`flag` in (0,1))', '"flag" IN (FALSE, TRUE)'],
    ['CHECK (`f2` = 1 or `f2` = 0)', '"f2" = TRUE OR "f2" = FALSE'],
    ['CHECK (1 = `flag` or `n` > 0)', 'TRUE = "flag" OR "n" > 0'],
    ['CHECK (`flag` between 0 and 1 and `n` < 5)', '"flag" BETWEEN FALSE AND TRUE AND "n" < 5'],
    ['CHECK (`flag` or `n` < 10)', '"flag" OR "n" < 10'],
    ['CHECK (not `flag` or `f2` is null)', 'NOT "flag" OR "f2" IS NULL'],
    ['CHECK (`n` in (TRUE, FALSE))', '"n" IN (1, 0)'],
    ['CHECK (`n` or `flag`)', '("n" <> 0) OR "flag"'],
    ['CHECK (`flag` IS TRUE)', '"flag" IS TRUE'],
  ])('%s → %s', (definition, expected) => {
    expect(fit(definition, pg)).toEqual({ portable: expected });
  });

  test.each([
    ['CHECK (`n` + `flag` < 100)', /column flag is boolean in the target/],
    ['CHECK (`flag` in (0,1,2))', /compares it with 2/],
    ['CHECK (`flag` = `n`)', /column flag is boolean/],
    ['CHECK (`name`)', /uses column name as a condition/],
  ])('%s is not migrated: %s', (definition, reason) => {
    const fitted = fit(definition, pg);
    expect('reason' in fitted && fitted.reason).toMatch(reason);
  });

  test('the answer for its own output is that output (the connector writes it again on the final types)', () => {
    const once = fit('CHECK (`flag` in (0,1))', pg);
    expect('portable' in once && checkForTarget(once.portable, pg)).toEqual(once);
  });
});

describe('checkForTarget, into a target whose booleans are numbers (MariaDB, SQLite, Oracle)', () => {
  const numbers = target(false, ['flag'], ['n']);
  test.each([
    ['CHECK (((flag = true) OR (n < 5)))', '(("flag" = 1) OR ("n" < 5))'],
    ['CHECK ((flag OR (n < 5)))', '(("flag" <> 0) OR ("n" < 5))'],
    ['CHECK ((NOT flag))', '(NOT ("flag" <> 0))'],
    ['CHECK ((n > 0) OR FALSE)', '("n" > 0) OR (1 = 0)'],
    ['CHECK (flag IN (false, true))', '"flag" IN (0, 1)'],
    ['CHECK (n BETWEEN 0 AND 10 AND flag)', '"n" BETWEEN 0 AND 10 AND ("flag" <> 0)'],
  ])('%s → %s', (definition, expected) => {
    expect(fit(definition, numbers)).toEqual({ portable: expected });
  });

  test('a column in parentheses of its own and compared (PostgreSQL prints a domain column so: ((n)::integer < 10)) is no condition: kept as it is', () => {
    const numbers = target(false, [], ['n']);
    expect(fit('CHECK (((n)::integer < 10))', numbers)).toEqual({ portable: '(("n") < 10)' });
    expect(fit('CHECK ((10 > (n)) AND (n) > 0)', numbers)).toEqual({ portable: '(10 > ("n")) AND ("n") > 0' });
    // Alone in its parentheses it still is one: written as a number's truth.
    expect(fit('CHECK ((n) OR (n) > 1)', numbers)).toEqual({ portable: '(("n" <> 0)) OR ("n") > 1' });
  });

  test('IS TRUE is not read alike where booleans are numbers: not migrated', () => {
    const fitted = fit('CHECK ((flag IS NOT TRUE))', numbers);
    expect('reason' in fitted && fitted.reason).toMatch(/IS TRUE\/FALSE/);
  });
});

describe('CHECK names in a target of another dialect', () => {
  const table = (name: string, checks: [string, string][]): TableInfo => ({
    name,
    columns: [
      { name: 'id', nativeType: 'integer', type: { kind: 'int32' }, nullable: false, default: null },
      { name: 'qty', nativeType: 'integer', type: { kind: 'int32' }, nullable: true, default: null },
    ],
    primaryKey: ['id'],
    uniqueConstraints: [],
    foreignKeys: [],
    indexes: [],
    checks: checks.map(([n, d]) => ({ name: n, definition: d })),
  } as unknown as TableInfo);

  test('same-named CHECKs of two tables, and a prefixed name that collides, get names unique in the schema', () => {
    const schema = {
      dialect: 'postgresql',
      tables: [
        table('orders', [['positive', 'CHECK ((qty > 0))'], ['positive_qty_check', 'CHECK ((qty < 100000))']]),
        table('orders_positive', [['orders_positive_qty_check', 'CHECK ((qty < 1000))']]),
        table('returns', [['positive', 'CHECK ((qty > 0))']]),
      ],
    } as unknown as SchemaInfo;
    const plan = planMigration(schema, 'mysql', { targetSchema: 'db' });
    expect(plan.tables.map((t) => (t.source.checks ?? []).map((c) => c.targetName))).toEqual([
      ['orders_positive', 'orders_positive_qty_check'],
      ['orders_positive_qty_check_2'],
      ['returns_positive'],
    ]);
  });

  test('a long name is fitted to the target, still unique', () => {
    const long = 'x'.repeat(60);
    const schema = { dialect: 'postgresql', tables: [table('a', [[long, 'CHECK ((qty > 0))']]), table('b', [[long, 'CHECK ((qty > 0))']])] } as unknown as SchemaInfo;
    const names = planMigration(schema, 'mysql', { targetSchema: 'db' }).tables.map((t) => t.source.checks?.[0].targetName ?? '');
    const rules = dialectNamed('mysql').identifiers;
    expect(names.every((n) => [...n].length <= (rules.maxNameChars ?? 64))).toBe(true);
    expect(new Set(names).size).toBe(2);
  });
});
