import { checkClauses, indexKeyParts, indexPredicate } from '../../connectors/sqlite';

describe('checkClauses: the CHECKs of a SQLite CREATE TABLE, read from its text', () => {
  test('column-level and table-level, named and unnamed (named as PostgreSQL names them)', () => {
    const sql = `CREATE TABLE zoo (id INTEGER PRIMARY KEY, dc DECIMAL(10,2) CHECK (dc >= 0), "we(ird" TEXT CONSTRAINT "c,1" CHECK (length("we(ird") < 5),
      x TEXT DEFAULT 'check (x)', CHECK (dc < 100 AND (id > 0)), CONSTRAINT named CHECK (x IN ('a', 'b)')))`;
    expect(checkClauses('zoo', sql)).toEqual([
      { name: 'zoo_check', definition: 'CHECK (dc >= 0)' },
      { name: 'c,1', definition: 'CHECK (length("we(ird") < 5)' },
      { name: 'zoo_check1', definition: 'CHECK (dc < 100 AND (id > 0))' },
      { name: 'named', definition: "CHECK (x IN ('a', 'b)'))" },
    ]);
  });

  test('comments, strings and quoted names that mention CHECK are not constraints', () => {
    const sql = `CREATE TABLE t (a int -- check (a)
      , b int /* CHECK (b) */ CHECK(b<>0), [check] int, "CHECK" text DEFAULT 'CHECK (1)')`;
    expect(checkClauses('t', sql)).toEqual([{ name: 't_check', definition: 'CHECK (b<>0)' }]);
  });

  test('a table without CHECKs has none', () => {
    expect(checkClauses('t', 'CREATE TABLE t (checked int, rechecks text)')).toEqual([]);
  });
});

describe('indexPredicate: the WHERE of a CREATE INDEX as SQLite keeps it', () => {
  test('what follows the column list, quotes and comments skipped over', () => {
    expect(indexPredicate('CREATE INDEX i ON t (a, b) WHERE deleted IS NULL')).toBe('deleted IS NULL');
    expect(indexPredicate('CREATE UNIQUE INDEX "i (x)" ON "t (y)" ("a)", b)\n  where (a > 1) AND b = \'WHERE )\' -- why\n')).toBe("(a > 1) AND b = 'WHERE )'");
    expect(indexPredicate('CREATE INDEX i ON t (a);')).toBeNull();
    expect(indexPredicate('CREATE INDEX i ON t (lower(a))')).toBeNull();
    // No space after WHERE: still its WHERE (a partial index must never be taken for a whole one).
    expect(indexPredicate('CREATE UNIQUE INDEX ux ON t(email) WHERE(deleted_at IS NULL)')).toBe('(deleted_at IS NULL)');
  });
});

describe('indexKeyParts: the key list of a CREATE INDEX as SQLite keeps it', () => {
  test('each key part, split at the list\'s own commas, quotes and comments skipped over', () => {
    expect(indexKeyParts('CREATE INDEX i ON t (lower(a), b DESC)')).toEqual(['lower(a)', 'b DESC']);
    expect(indexKeyParts('CREATE UNIQUE INDEX "i (x" ON "t(y)" (coalesce(a, \'x,)\') /* p, q */, "b,c", (n + 1)) WHERE n > 0')).toEqual([
      "coalesce(a, 'x,)')",
      '"b,c"',
      '(n + 1)',
    ]);
    expect(indexKeyParts('CREATE INDEX i ON t')).toBeNull();
  });
});
