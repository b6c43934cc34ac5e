import { planMigration } from '../../lib/mapping';
import { indexKeyProblem, portableCheck, portableIndexKey } from '../../lib/typemap/check';
import { compareStructure } from '../../lib/validation/compare';
import { applyMappingEdits } from '../../lib/mapping-edit';
import { leaveOutObjects, leaveOutProblems, objectMappings } from '../../lib/object-mappings';
import type { ColumnInfo, SchemaInfo, TableInfo } from '../../lib/types';

const col = (name: string, type: ColumnInfo['type'], dflt: string | null = null, nativeType: string = type.kind): ColumnInfo => ({ name, nativeType, type, nullable: true, default: dflt });
const table = (name: string, columns: ColumnInfo[], extra: Partial<TableInfo> = {}): TableInfo => ({
  name,
  columns,
  primaryKey: ['id'],
  foreignKeys: [],
  uniqueConstraints: [],
  indexes: [],
  rowEstimate: 0,
  ...extra,
});

const schema: SchemaInfo = {
  dialect: 'postgresql',
  schema: 'public',
  tables: [
    table('owners', [col('id', { kind: 'int32' })]),
    table(
      'pets',
      [col('id', { kind: 'int32' }), col('owner', { kind: 'int32' }), col('name', { kind: 'varchar', length: 40 }, "'rex'::character varying", 'character varying(40)'), col('born', { kind: 'date' }, "(now() - '1 day'::interval)")],
      {
        indexes: [{ name: 'pets_name', columns: ['name'], unique: false }],
        expressionIndexes: [{ name: 'pets_lower_name', columns: [], unique: false, definition: 'USING btree (lower((name)::text))' }],
        uniqueConstraints: [{ name: 'pets_owner_name', columns: ['owner', 'name'] }],
        checks: [
          { name: 'pets_id_positive', definition: 'CHECK ((id > 0))' },
          { name: 'pets_name_pattern', definition: "CHECK (((name)::text ~ '^[a-z]+$'::text))" },
        ],
        foreignKeys: [{ name: 'pets_owner_fk', columns: ['owner'], referencedTable: 'owners', referencedColumns: ['id'], onDelete: 'CASCADE' }],
      },
    ),
  ],
};

describe('object mappings: what the target gets of each index, key, CHECK and default, and why not', () => {
  const plan = planMigration(schema, 'mysql', { targetSchema: 'db' });

  test('each object with its source, its target (null when nothing) and the reason from the plan', () => {
    const objects = objectMappings(plan, schema);
    const byId = new Map(objects.map((o) => [o.id, o]));
    expect(objects.map((o) => o.id)).toEqual([
      'index:pets.pets_name',
      'index:pets.pets_lower_name',
      'unique:pets.pets_owner_name',
      'check:pets.pets_id_positive',
      'check:pets.pets_name_pattern',
      'foreign_key:pets.pets_owner_fk',
      'default:pets.name',
      'default:pets.born',
    ]);
    expect(byId.get('index:pets.pets_name')).toMatchObject({ kind: 'index', source: '(name)', target: '(name)', migrated: true, note: null });
    expect(byId.get('index:pets.pets_lower_name')).toMatchObject({
      migrated: false,
      target: null,
      note: 'not migrated, because it is an expression index, which MariaDB/MySQL does not have (USING btree (lower((name)::text)))',
    });
    expect(byId.get('check:pets.pets_id_positive')).toMatchObject({ migrated: true, target: expect.stringContaining('id') });
    expect(byId.get('check:pets.pets_name_pattern')).toMatchObject({ migrated: false, note: expect.stringMatching(/^not migrated, because /) });
    expect(byId.get('foreign_key:pets.pets_owner_fk')).toMatchObject({ source: '(owner) → owners(id) ON DELETE CASCADE', migrated: true });
    expect(byId.get('default:pets.name')).toMatchObject({ source: "'rex'::character varying", target: "'rex'", migrated: true });
    expect(byId.get('default:pets.born')).toMatchObject({ migrated: false, note: 'not migrated, because only literal and current-time defaults mean the same in every dialect' });
  });

  test('a foreign key to a table not in the migration is not migrated, and says so', () => {
    const without = planMigration({ ...schema, tables: schema.tables.filter((t) => t.name !== 'owners') }, 'mysql', { targetSchema: 'db' });
    expect(objectMappings(without, schema).find((o) => o.kind === 'foreign_key')).toMatchObject({
      migrated: false,
      note: 'not migrated, because it references table owners, which is not part of this migration',
    });
  });

  test('a unique key a foreign key references is left out only with that key', () => {
    const keyed: SchemaInfo = {
      ...schema,
      tables: [
        table('owners', [col('id', { kind: 'int32' }), col('code', { kind: 'varchar', length: 10 })], { uniqueConstraints: [{ name: 'owners_code', columns: ['code'] }], indexes: [{ name: 'owners_code_idx', columns: ['code'], unique: true }] }),
        table('pets', [col('id', { kind: 'int32' }), col('owner_code', { kind: 'varchar', length: 10 })], {
          foreignKeys: [{ name: 'pets_owner_fk', columns: ['owner_code'], referencedTable: 'owners', referencedColumns: ['code'] }],
        }),
      ],
    };
    const p = planMigration(keyed, 'mysql', { targetSchema: 'db' });
    expect(leaveOutProblems(p, keyed, ['unique:owners.owners_code', 'index:owners.owners_code_idx'])).toEqual([
      'unique:owners.owners_code: foreign key pets.pets_owner_fk references its columns; leave it out too (foreign_key:<table>.<name>)',
      'index:owners.owners_code_idx: foreign key pets.pets_owner_fk references its columns; leave it out too (foreign_key:<table>.<name>)',
    ]);
    expect(leaveOutProblems(p, keyed, ['unique:owners.owners_code', 'foreign_key:pets.pets_owner_fk'])).toEqual([null, null]);
    expect(leaveOutProblems(p, keyed, ['unique:owners.owners_code'], { native: true, referenced: false })).toEqual([null]);
  });

  test('left out at the gate: gone from the plan, said in its notes and the mapping, kept in leftOut', () => {
    const ids = ['check:pets.pets_id_positive', 'index:pets.pets_name', 'foreign_key:pets.pets_owner_fk', 'unique:pets.pets_owner_name', 'default:pets.name'];
    const left = leaveOutObjects(plan, ids);
    const pets = left.tables.find((t) => t.source.name === 'pets')!;
    expect(pets.source.checks?.map((c) => c.name)).toEqual([]);
    expect(pets.source.indexes).toEqual([]);
    expect(pets.source.foreignKeys).toEqual([]);
    expect(pets.source.uniqueConstraints).toEqual([]);
    expect(pets.source.columns.find((c) => c.name === 'name')?.default).toBeNull();
    expect(left.leftOut).toEqual(ids);
    expect(left.notes).toContain('check pets_id_positive of pets is not migrated, because it was left out at the gate');
    for (const o of objectMappings(left, schema).filter((x) => ids.includes(x.id))) expect(o).toMatchObject({ migrated: false, target: null, note: 'not migrated, because it was left out at the gate' });
    // The original plan is untouched.
    expect(plan.tables[1].source.indexes).toHaveLength(1);
  });

  test('what cannot be left out: an unknown id, one not migrated anyway, one of a table migrated natively', () => {
    expect(leaveOutProblems(plan, schema, ['index:pets.nope', 'index:pets.pets_lower_name', 'index:pets.pets_name'])).toEqual([
      'no object mapping index:pets.nope',
      expect.stringMatching(/^index:pets.pets_lower_name is not migrated anyway/),
      null,
    ]);
    // Natively, where the target makes a table from the lists of its objects (PostgreSQL, MariaDB), they may be left out;
    // SQLite makes it from the source's own CREATE TABLE.
    const native = planMigration(schema, 'postgresql', { targetSchema: 'public' });
    expect(leaveOutProblems(native, schema, ['index:pets.pets_name', 'index:pets.pets_lower_name'])).toEqual([null, null]);
    expect(leaveOutProblems(native, schema, ['index:pets.pets_name'], { native: false, referenced: true })).toEqual([
      'index:pets.pets_name: table pets is created as the source declares it (same dialect); drop the index on the target once migrated',
    ]);
    const lite = { ...schema, dialect: 'sqlite' as const };
    // SQLite makes a table from its own CREATE TABLE, its indexes apart: only those may go.
    expect(leaveOutProblems(planMigration(lite, 'sqlite', { targetSchema: 'main' }), lite, ['index:pets.pets_name', 'check:pets.pets_name_pattern'])).toEqual([
      null,
      'check:pets.pets_name_pattern: table pets is created as the source declares it (same dialect); drop the check on the target once migrated',
    ]);
    const left = leaveOutObjects(native, ['index:pets.pets_lower_name', 'check:pets.pets_name_pattern']).tables[1].source;
    expect([left.expressionIndexes, left.checks?.map((c) => c.name)]).toEqual([[], ['pets_id_positive']]);
  });
});

describe('partial indexes across dialects', () => {
  const partial: SchemaInfo = {
    dialect: 'postgresql',
    schema: 'public',
    tables: [
      table('accounts', [col('id', { kind: 'int32' }), col('email', { kind: 'varchar', length: 200 }), col('active', { kind: 'boolean' }), col('deleted_at', { kind: 'timestamptz' })], {
        expressionIndexes: [
          { name: 'live_email', columns: ['email'], unique: true, where: '(deleted_at IS NULL)', definition: 'USING btree (email) WHERE (deleted_at IS NULL)' },
          { name: 'active_ids', columns: ['id'], unique: false, where: 'active', definition: 'USING btree (id) WHERE active' },
          { name: 'example', columns: ['email'], unique: false, where: "((email)::text ~ 'x'::text)", definition: "USING btree (email) WHERE ((email)::text ~ 'x'::text)" },
          { name: 'lower_email', columns: [], unique: false, definition: 'USING btree (lower((email)::text))' },
          { name: 'recent', columns: ['id'], unique: false, where: "(deleted_at > '2024-01-01 00:00:00+00'::timestamp with time zone)", definition: 'USING btree (id) WHERE …' },
        ],
      }),
    ],
  };

  test('into a target with partial indexes: a portable WHERE is kept, written for the target\'s types; the rest said', () => {
    const plan = planMigration(partial, 'sqlite', { targetSchema: 'main' });
    expect(plan.tables[0].source.indexes).toEqual([
      { name: 'live_email', columns: ['email'], unique: true, where: '("deleted_at" IS NULL)' },
      { name: 'active_ids', columns: ['id'], unique: false, where: '("active" <> 0)' },
    ]);
    expect(plan.notes).toEqual(
      expect.arrayContaining([
        "index example of accounts is not migrated, because its WHERE uses what only the source's dialect has (USING btree (email) WHERE ((email)::text ~ 'x'::text))",
        "index lower_email of accounts is not migrated, because it is an expression index in the source's own SQL (USING btree (lower((email)::text)))",
        // SQLite keeps a timestamptz as ISO-8601 text: compared with PostgreSQL's text of one, it would cover other rows.
        'index recent of accounts is not migrated, because its WHERE cannot mean the same there: it compares column deleted_at, whose values the target may compare otherwise than the source (USING btree (id) WHERE …)',
      ]),
    );
    const objects = new Map(objectMappings(plan, partial).map((o) => [o.id, o]));
    expect(objects.get('index:accounts.live_email')).toMatchObject({ source: 'USING btree (email) WHERE (deleted_at IS NULL)', target: 'UNIQUE (email) WHERE ("deleted_at" IS NULL)', migrated: true, note: null });
    expect(objects.get('index:accounts.example')).toMatchObject({ migrated: false, note: expect.stringMatching(/^not migrated, because its WHERE uses what only/) });
    // Left out at the gate like any other index.
    expect(leaveOutObjects(plan, ['index:accounts.live_email']).tables[0].source.indexes.map((i) => i.name)).toEqual(['active_ids']);
  });

  test('a column edited at the gate so that the WHERE no longer fits: the index is said not to be migrated', () => {
    const plan = planMigration(partial, 'sqlite', { targetSchema: 'main' });
    const { plan: edited } = applyMappingEdits(plan, [{ id: 'accounts.deleted_at', target_type: 'INTEGER' }], { refreshChecks: true });
    expect(edited.notes).not.toContain(expect.stringMatching(/^index live_email/));
    const active = applyMappingEdits(plan, [{ id: 'accounts.active', target_type: 'BLOB' }], { refreshChecks: true }).plan;
    expect(active.notes).toContain('index active_ids of accounts is not migrated, because it compares column active, whose values the target may compare otherwise than the source (after mapping edits at the gate)');
    expect(objectMappings(active, partial).find((o) => o.id === 'index:accounts.active_ids')).toMatchObject({ migrated: false, target: null });
  });

  test('into a target without partial indexes: each is said, none made', () => {
    const plan = planMigration(partial, 'mysql', { targetSchema: 'db' });
    expect(plan.tables[0].source.indexes).toEqual([]);
    expect(plan.notes).toContain('index live_email of accounts is not migrated, because it is a partial index, which MariaDB/MySQL does not have (USING btree (email) WHERE (deleted_at IS NULL))');
  });

  test('a note is found for its own object only, whatever the names hold', () => {
    const odd: SchemaInfo = {
      ...partial,
      tables: [table('t of u', [col('id', { kind: 'int32' }), col('d', { kind: 'int32' })], { expressionIndexes: [{ name: 'i of t', columns: [], unique: false, definition: 'USING btree ((d + 1))' }] })],
    };
    const objects = objectMappings(planMigration(odd, 'sqlite', { targetSchema: 'main' }), odd);
    expect(objects).toEqual([expect.objectContaining({ id: 'index:t of u.i of t', migrated: false, note: expect.stringMatching(/^not migrated, because it is an expression index/) })]);
    // Names as long as SQLite allows: the note is still found.
    const long = 't'.repeat(400);
    const huge: SchemaInfo = { ...odd, tables: [{ ...odd.tables[0], name: long, expressionIndexes: [{ name: 'i'.repeat(300), columns: [], unique: false, definition: 'USING btree ((d + 1))' }] }] };
    expect(objectMappings(planMigration(huge, 'sqlite', { targetSchema: 'main' }), huge)[0].note).toMatch(/^not migrated, because it is an expression index/);
  });
});

describe('expression indexes across dialects', () => {
  const columns = [col('id', { kind: 'int32' }), col('email', { kind: 'varchar', length: 200 }), col('n', { kind: 'int32' }), col('doc', { kind: 'json' })];
  const accounts = (dialect: 'postgresql' | 'sqlite', expressionIndexes: TableInfo['expressionIndexes']): SchemaInfo => ({ dialect, schema: dialect === 'sqlite' ? 'main' : 'public', tables: [table('accounts', columns, { expressionIndexes })] });

  test('portable keys: columns, numbers, the functions both dialects have; casts, outer parentheses and order dropped', () => {
    const names = ['email', 'n'];
    expect(portableIndexKey('lower(email::text)', names)).toBe('lower("email")');
    expect(portableIndexKey('lower((email)::text)', names)).toBe('lower("email")');
    expect(portableIndexKey('((n + 1))', names)).toBe('"n" + 1');
    expect(portableIndexKey('coalesce((n), 0) DESC NULLS LAST', names)).toBe('coalesce("n", 0)');
    // Not portable: an operator class, a collation, a function of one dialect, a column called, an unknown column.
    for (const key of ['lower(email) text_pattern_ops', 'upper(email) COLLATE "C"', 'md5(email)', 'n(1)', 'lower(other)']) expect(portableIndexKey(key, names)).toBeNull();
    // A CHECK still calls no function.
    expect(portableCheck('lower(email) = email', names)).toBeNull();
    // An operator of one dialect is not read as portable ones (`->>` is not `-`, `>`, `>`); a sign may follow one.
    expect(portableCheck("(email ->> 'k') = 'x'", names)).toBeNull();
    expect(portableIndexKey("email || 'x'", names)).toBeNull();
    expect(portableCheck('n>-1', names)).toBe('"n" > - 1');
    expect(portableCheck('n*-1 < 5', names)).toBe('"n" * - 1 < 5');
    expect(portableCheck('n--1', names)).toBeNull();
    // An IN list of one keeps its parentheses.
    expect(portableIndexKey('(n IN (1))', names)).toBe('"n" IN (1)');
  });

  test('PostgreSQL → SQLite: portable keys kept (UNIQUE on lower() too: SQLite maps fewer letters), the rest said', () => {
    const plan = planMigration(
      accounts('postgresql', [
        { name: 'lower_email', columns: [], unique: true, keys: ['lower(email::text)'], definition: 'USING btree (lower((email)::text))' },
        { name: 'live_n', columns: [], unique: false, keys: ['abs(n)', 'email'], where: '(n > 0)', definition: 'USING btree (abs(n), email) WHERE (n > 0)' },
        { name: 'doc_key', columns: [], unique: false, keys: ["(doc ->> 'k'::text)"], definition: "USING btree ((doc ->> 'k'::text))" },
        { name: 'abs_email', columns: [], unique: false, keys: ['abs(email)'], definition: 'USING btree (abs(email))' },
      ]),
      'sqlite',
      { targetSchema: 'main' },
    );
    expect(plan.tables[0].source.indexes).toEqual([
      { name: 'lower_email', columns: [], unique: true, keys: ['lower("email")'] },
      { name: 'live_n', columns: [], unique: false, keys: ['abs("n")', '"email"'], where: '("n" > 0)' },
    ]);
    expect(plan.notes).toEqual(
      expect.arrayContaining([
        "index doc_key of accounts is not migrated, because it is an expression index in the source's own SQL (USING btree ((doc ->> 'k'::text)))",
        'index abs_email of accounts is not migrated, because its keys cannot mean the same there: abs() takes a number, and column email is not so in the target (USING btree (abs(email)))',
      ]),
    );
    const objects = objectMappings(plan, accounts('postgresql', plan.tables[0].source.indexes));
    expect(objects.find((o) => o.id === 'index:accounts.live_n')).toMatchObject({ migrated: true, target: '(abs("n"), "email") WHERE ("n" > 0)' });
    // Edited at the gate so that a key no longer fits: left out, and said.
    const edited = applyMappingEdits(plan, [{ id: 'accounts.email', target_type: 'INTEGER' }], { refreshChecks: true }).plan;
    expect(edited.notes).toContain("index lower_email of accounts is not migrated, because lower() takes text, and column email is not so in the target (after mapping edits at the gate)");
  });

  test('keys whose type the target decides otherwise are refused: comparisons, booleans, text in arithmetic, coalesce of two kinds', () => {
    const target = { isBoolean: (c: string) => c === 'flag', isNumeric: (c: string) => c === 'n', isText: (c: string) => c === 'email' };
    expect(indexKeyProblem('("n" = 1)', target)).toBe('it compares or tests values, whose result each dialect types its own way');
    expect(indexKeyProblem('"flag" + 0', target)).toBe('it uses column flag, a boolean in the target');
    expect(indexKeyProblem('coalesce("email", 0)', target)).toMatch(/^coalesce\(\) takes arguments of one kind/);
    expect(indexKeyProblem('"email" + 1', target)).toBe('it computes with column email, which is not a number in the target');
    expect(indexKeyProblem('lower("n")', target)).toBe('lower() takes text, and column n is not so in the target');
    for (const fine of ['coalesce("n", 0)', "coalesce(\"email\", '')", '"n" * 2 + 1', 'abs("n" - 3)', 'lower("email")']) expect(indexKeyProblem(fine, target)).toBeNull();
  });

  test('SQLite → PostgreSQL: a UNIQUE index on lower() is refused (PostgreSQL maps letters SQLite leaves), a plain one kept; MariaDB has none', () => {
    const source = accounts('sqlite', [
      { name: 'u_lower', columns: [], unique: true, keys: ['lower(email)'], definition: 'CREATE UNIQUE INDEX u_lower ON accounts (lower(email))' },
      { name: 'i_lower', columns: [], unique: false, keys: ['lower(email)'], definition: 'CREATE INDEX i_lower ON accounts (lower(email))' },
      { name: 'u_sum', columns: [], unique: true, keys: ['n + id'], definition: 'CREATE UNIQUE INDEX u_sum ON accounts (n + id)' },
    ]);
    const pg = planMigration(source, 'postgresql', { targetSchema: 'public' });
    expect(pg.tables[0].source.indexes.map((i) => [i.name, i.keys])).toEqual([
      ['i_lower', ['lower("email")']],
      ['u_sum', ['"n" + "id"']],
    ]);
    expect(pg.notes).toContain(
      'index u_lower of accounts is not migrated, because it is UNIQUE on lower() or upper(), which PostgreSQL applies to letters beyond ASCII that the source leaves as they are: values the source keeps apart could be one there (CREATE UNIQUE INDEX u_lower ON accounts (lower(email)))',
    );
    const maria = planMigration(source, 'mysql', { targetSchema: 'db' });
    expect(maria.tables[0].source.indexes).toEqual([]);
    expect(maria.notes).toContain('index i_lower of accounts is not migrated, because it is an expression index, which MariaDB/MySQL does not have (CREATE INDEX i_lower ON accounts (lower(email)))');
  });

  test('the structural tier finds each planned one by its keys read back from the target, and names the one missing', () => {
    const source = accounts('postgresql', [
      { name: 'lower_email', columns: [], unique: true, keys: ['lower(email::text)'], definition: 'USING btree (lower((email)::text))' },
      { name: 'n_plus', columns: [], unique: false, keys: ['(n + 1)'], where: '(n > 0)', definition: 'USING btree ((n + 1)) WHERE (n > 0)' },
    ]);
    const plan = planMigration(source, 'sqlite', { targetSchema: 'main' });
    const made = (expressionIndexes: TableInfo['expressionIndexes']): SchemaInfo => ({ dialect: 'sqlite', schema: 'main', tables: [table('accounts', columns, { expressionIndexes })] });
    const both = made([
      { name: 'lower_email', columns: [], unique: true, keys: ['(lower("email"))'] },
      { name: 'n_plus', columns: [], unique: false, keys: ['("n" + 1)'], where: '("n" > 0)' },
    ]);
    const missing = (schema: SchemaInfo) => compareStructure(plan, schema).findings.filter((f) => f.check === 'missing_index').map((f) => f.message);
    expect(missing(both)).toEqual([]);
    // The target's description is not changed by the comparison (a connector may keep it cached): twice the same.
    expect(missing(both)).toEqual([]);
    expect(both.tables[0].expressionIndexes).toHaveLength(2);
    // Not unique, or on another expression: not the planned index.
    expect(missing(made([{ name: 'lower_email', columns: [], unique: false, keys: ['lower("email")'] }, { name: 'n_plus', columns: [], unique: false, keys: ['"n" + 2'], where: '("n" > 0)' }]))).toEqual([
      'index lower_email on accounts(lower("email")) (unique) is missing',
      'index n_plus on accounts("n" + 1) WHERE ("n" > 0) is missing',
    ]);
  });
});
