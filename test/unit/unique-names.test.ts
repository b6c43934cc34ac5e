/**
 * Names the plan gives what it creates in the target (lib/unique-names.ts, lib/mapping.ts): unique in their namespace,
 * the same on every run, a name that collides with nothing kept exactly, and within the target's length.
 */
import { dialectNamed } from '../../connectors/dialects';
import { OracleConnector } from '../../connectors/oracle';
import { utf8Length } from '../../lib/identifiers';
import { planMigration } from '../../lib/mapping';
import { applyMappingEdits } from '../../lib/mapping-edit';
import type { ColumnInfo, Dialect, SchemaInfo, TableInfo } from '../../lib/types';
import { uniqueNames } from '../../lib/unique-names';

const pg = dialectNamed('postgresql').identifiers;
const maria = dialectNamed('mysql').identifiers;
const oracle = dialectNamed('oracle').identifiers;

const ask = (...bases: string[]) => bases.map((base, i) => ({ base, owner: `object ${i}` }));

describe('uniqueNames', () => {
  test('names that collide with nothing are kept exactly, in any order', () => {
    expect(uniqueNames(ask('a_b_x', 'a_b_y', 'c'), pg).map((g) => g.name)).toEqual(['a_b_x', 'a_b_y', 'c']);
    expect(uniqueNames(ask('a_b_x', 'a_b_y', 'c'), pg).every((g) => g.renamed === undefined)).toBe(true);
  });

  test('the first keeps a shared name, later ones get _2, _3 and say whose it was', () => {
    const given = uniqueNames(ask('a_b_x', 'a_b_x', 'a_b_x'), pg);
    expect(given.map((g) => g.name)).toEqual(['a_b_x', 'a_b_x_2', 'a_b_x_3']);
    expect(given[2].renamed).toEqual({ from: 'a_b_x', takenBy: 'object 0' });
  });

  test("a suffix never takes another object's own name: that object keeps it", () => {
    // The second `t` would become t_2, which the third asks for as its own: it skips to t_3.
    expect(uniqueNames(ask('t', 't', 't_2'), pg).map((g) => g.name)).toEqual(['t', 't_3', 't_2']);
  });

  test('a reserved name (a table of the plan) is never given; the key folds case where the target does', () => {
    const reserved = new Map([['a_b_c', 'table a_b_c']]);
    expect(uniqueNames(ask('a_b_c'), pg, { reserved })[0]).toEqual({ name: 'a_b_c_2', renamed: { from: 'a_b_c', takenBy: 'table a_b_c' } });
    expect(uniqueNames(ask('A_B', 'a_b'), maria).map((g) => g.name)).toEqual(['A_B', 'a_b']);
    expect(uniqueNames(ask('A_B', 'a_b'), maria, { key: (n) => n.toLowerCase() }).map((g) => g.name)).toEqual(['A_B', 'a_b_2']);
  });

  test("a name taken in the object's own namespace (its table's) or by the target itself is never given; others may have it", () => {
    const taken = new Map([['T_X', 'the check of column t.T_X']]);
    const given = uniqueNames([{ base: 't_x', owner: 'check x of t', taken }, { base: 't_x', owner: 'check x of u' }], maria, { key: (n) => n.toLowerCase() });
    // The second asks beside no column named so: it is the first to keep t_x.
    expect(given).toEqual([{ name: 't_x_2', renamed: { from: 't_x', takenBy: 'the check of column t.T_X' } }, { name: 't_x' }]);
    const builtin = (name: string) => (name === 'pg_lsn' || name === 'pg_lsn_2' ? 'pg_catalog' : undefined);
    expect(uniqueNames(ask('pg_lsn', 'pg_lsnx'), pg, { builtin })).toEqual([{ name: 'pg_lsn_3', renamed: { from: 'pg_lsn', takenBy: 'pg_catalog' } }, { name: 'pg_lsnx' }]);
  });

  test.each([
    ['PostgreSQL, 63 bytes', pg, 63, (n: string) => utf8Length(n)],
    ['MariaDB, 64 characters', maria, 64, (n: string) => [...n].length],
    ['Oracle, 128 bytes', oracle, 128, (n: string) => utf8Length(n)],
  ])('%s: the same long name twice, and two that meet once fitted, come out distinct and within the limit', (_label, rules, limit, size) => {
    const long = 'x'.repeat(limit + 10);
    const given = uniqueNames(ask(long, long, long + '_a', long + '_b'), rules).map((g) => g.name);
    expect(new Set(given).size).toBe(4);
    for (const name of given) expect(size(name)).toBeLessThanOrEqual(limit);
    // Exactly at the limit: kept; its collision is shortened first, then suffixed.
    const exact = 'y'.repeat(limit);
    const [first, second] = uniqueNames(ask(exact, exact), rules).map((g) => g.name);
    expect(first).toBe(exact);
    expect(size(second)).toBeLessThanOrEqual(limit);
    expect(second).not.toBe(exact);
    // The same input gives the same names.
    expect(uniqueNames(ask(long, long, long + '_a', long + '_b'), rules).map((g) => g.name)).toEqual(given);
  });

  test('multibyte names are cut on whole characters, within 63 bytes', () => {
    const long = 'é'.repeat(40);
    const given = uniqueNames(ask(long, long), pg).map((g) => g.name);
    expect(given[0]).not.toBe(given[1]);
    for (const name of given) {
      expect(utf8Length(name)).toBeLessThanOrEqual(63);
      expect(Buffer.from(name).toString('utf8')).toBe(name);
    }
    const fits = 'é'.repeat(31);
    const [a, b] = uniqueNames(ask(fits, fits), pg).map((g) => g.name);
    expect(a).toBe(fits);
    expect(utf8Length(b)).toBeLessThanOrEqual(63);
    expect(Buffer.from(b).toString('utf8')).toBe(b);
  });
});

const col = (name: string, type: ColumnInfo['type'], nativeType = 'int'): ColumnInfo => ({ name, nativeType, type, nullable: false, default: null }) as ColumnInfo;
const table = (name: string, columns: ColumnInfo[], checks: [string, string][] = []): TableInfo =>
  ({
    name,
    columns: [col('id', { kind: 'int32' }), ...columns],
    primaryKey: ['id'],
    uniqueConstraints: [],
    foreignKeys: [],
    indexes: [],
    rowEstimate: 0,
    ...(checks.length ? { checks: checks.map(([n, definition]) => ({ name: n, definition })) } : {}),
  }) as TableInfo;
const enumColumn = (name: string) => col(name, { kind: 'enum', values: ['s', 'm'] }, "enum('s','m')");
// From a source of another dialect than the target's (a same-dialect plan keeps every name the source has).
const plan = (tables: TableInfo[], target: Dialect) =>
  planMigration({ dialect: target === 'postgresql' ? 'mysql' : 'postgresql', tables } as SchemaInfo, target, { targetSchema: 'public' });
const typeOf = (p: ReturnType<typeof plan>, table: string, column: string) => p.tables.find((t) => t.source.name === table)?.columns.find((c) => c.column === column);

describe('enum types a PostgreSQL target creates', () => {
  test('a_b.c and a.b_c: the first keeps a_b_c, the second is a_b_c_2, said in its note and the plan notes', () => {
    const p = plan([table('a_b', [enumColumn('c')]), table('a', [enumColumn('b_c')])], 'postgresql');
    expect(typeOf(p, 'a_b', 'c')).toMatchObject({ targetType: 'a_b_c' });
    expect(typeOf(p, 'a_b', 'c')?.createdType).toBeUndefined();
    const renamed = typeOf(p, 'a', 'b_c');
    expect(renamed).toMatchObject({ targetType: 'a_b_c_2', createdType: 'a_b_c_2', confidence: 1 });
    expect(renamed?.note).toBe('created as enum type a_b_c_2 (s, m); named a_b_c_2, because a_b_c is the name of the type of column a_b.c in the target');
    expect(p.notes).toContain('the type of column a.b_c is named a_b_c_2, because a_b_c is the name of the type of column a_b.c in the target');
    expect(p.blockers).toEqual([]);
  });

  test("a type is never named as a table of the plan (a table's row type has its name), whichever comes first", () => {
    for (const order of [
      ['x', 'x_status'],
      ['x_status', 'x'],
    ]) {
      const tables = order.map((n) => (n === 'x' ? table('x', [enumColumn('status')]) : table('x_status', [])));
      const p = plan(tables, 'postgresql');
      expect(typeOf(p, 'x', 'status')?.targetType).toBe('x_status_2');
      expect(p.notes).toContain('the type of column x.status is named x_status_2, because x_status is the name of table x_status in the target');
    }
  });

  test('names that only meet after the 63-byte cut, or after the type name drops characters, are distinct', () => {
    const long = 't'.repeat(70);
    const p = plan([table(long, [enumColumn('c')]), table(`${long}_c`, []), table('Ab', [enumColumn('c')]), table('ab', [enumColumn('c')])], 'postgresql');
    const names = [typeOf(p, long, 'c'), typeOf(p, 'Ab', 'c'), typeOf(p, 'ab', 'c')].map((c) => c?.targetType ?? '');
    expect(new Set([...names, ...p.tables.map((t) => t.target)]).size).toBe(names.length + p.tables.length);
    for (const name of names) expect(utf8Length(name)).toBeLessThanOrEqual(63);
    expect(names[1]).toBe('ab_c');
    expect(names[2]).toBe('ab_c_2');
  });

  test("a type is never named as one of pg_catalog's (which the search path reads first), its array types and catalogs' row types too", () => {
    const p = plan([table('pg', [enumColumn('lsn')]), table('txid', [enumColumn('snapshot')]), table('_pg', [enumColumn('class')]), table('int', [enumColumn('4')]), table('pgx', [enumColumn('lsn')])], 'postgresql');
    expect(p.tables.map((t) => t.columns[1].targetType)).toEqual(['pg_lsn_2', 'txid_snapshot_2', '_pg_class_2', 'int_4', 'pgx_lsn']);
    expect(p.notes).toContain("the type of column pg.lsn is named pg_lsn_2, because pg_lsn is the name of PostgreSQL's built-in type pg_catalog.pg_lsn in the target");
    expect(typeOf(p, 'pg', 'lsn')).toMatchObject({ createdType: 'pg_lsn_2', note: "created as enum type pg_lsn_2 (s, m); named pg_lsn_2, because pg_lsn is the name of PostgreSQL's built-in type pg_catalog.pg_lsn in the target" });
    for (const name of ['int4', '_int4', 'text', 'point', 'event_trigger', 'pg_class', 'pg_stat_activity']) expect(pg.builtinType?.(name)).toBeDefined();
    for (const name of ['int_4', 'points', 'pgx_lsn', 'my_text']) expect(pg.builtinType?.(name)).toBeUndefined();
  });

  test('no collision: the plan is as it was (no createdType, no note), and a MariaDB target keeps inline ENUMs', () => {
    const p = plan([table('a', [enumColumn('b')]), table('c', [enumColumn('d')])], 'postgresql');
    expect(p.tables.flatMap((t) => t.columns.filter((c) => c.canonical.kind === 'enum').map((c) => [c.targetType, c.createdType]))).toEqual([
      ['a_b', undefined],
      ['c_d', undefined],
    ]);
    expect(p.notes).toEqual([]);
    const maria = plan([table('a_b', [enumColumn('c')]), table('a', [enumColumn('b_c')])], 'sqlite');
    expect(maria.tables.flatMap((t) => t.columns.map((c) => c.createdType))).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('CHECK names', () => {
  const positive = (c: string): [string, string] => [c, `CHECK (${c.split('_').pop()} > 0)`];

  test.each<[Dialect]>([['postgresql'], ['mysql'], ['oracle'], ['sqlite']])('%s: check b_x of a and check x of a_b come out distinct, the second renamed with a note', (dialect) => {
    const p = plan([table('a', [col('b_x', { kind: 'int32' }), col('x', { kind: 'int32' })], [positive('b_x')]), table('a_b', [col('x', { kind: 'int32' })], [positive('x')])], dialect);
    expect(p.tables.map((t) => t.source.checks?.map((c) => c.targetName))).toEqual([['a_b_x'], ['a_b_x_2']]);
    expect(p.notes).toContain('check x of a_b is named a_b_x_2 in the target, because a_b_x is the name of check b_x of a there');
  });

  test('Oracle: two CHECK names that meet only after the 128-byte cut are distinct and fit', () => {
    const long = 'c'.repeat(130);
    const p = plan([table('a', [col('x', { kind: 'int32' })], [[`${long}1`, 'CHECK (x > 0)'], [`${long}2`, 'CHECK (x > 1)'], [`${long}1`.toUpperCase(), 'CHECK (x > 2)']])], 'oracle');
    const names = p.tables[0].source.checks?.map((c) => c.targetName ?? '') ?? [];
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3);
    for (const name of names) expect(utf8Length(name)).toBeLessThanOrEqual(128);
  });

  test("Oracle names a column's own CHECK in the schema too: a.b_y and a_b.y (YEAR) come out distinct in its CREATE TABLE", () => {
    const year = (name: string) => col(name, { kind: 'int16', check: 'VALUE = 0 OR VALUE BETWEEN 1901 AND 2155' }, 'year(4)');
    const tables = [table('a', [year('b_y')]), table('a_b', [year('y')], [['y_CK', 'CHECK (y > 0)']])];
    const p = planMigration({ dialect: 'mysql', tables } as SchemaInfo, 'oracle', { targetSchema: 'APP' });
    // The table's own CHECK keeps its name (table CHECKs come first); both column CHECKs wanted it.
    expect(p.tables[1].source.checks?.map((c) => c.targetName)).toEqual(['a_b_y_CK']);
    expect(p.tables.map((t) => t.columns.map((c) => c.checkName))).toEqual([
      [undefined, 'a_b_y_CK_2'],
      [undefined, 'a_b_y_CK_3'],
    ]);
    expect(p.notes).toContain('the check of column a.b_y is named a_b_y_CK_2 in the target, because a_b_y_CK is the name of check y_CK of a_b there');
    class Ddl extends OracleConnector {
      create(t: (typeof p.tables)[number]): string {
        return this.createTableSql(t);
      }
    }
    const ddl = new Ddl({ type: 'oracle', connectionString: 'oracle://app:secret@127.0.0.1:1521/FREEPDB1' });
    const names = p.tables.flatMap((t) => [...ddl.create(t).matchAll(/CONSTRAINT "([^"]+)"/g)].map((m) => m[1]));
    expect(names.sort()).toEqual(['a_b_y_CK', 'a_b_y_CK_2', 'a_b_y_CK_3']);
    // Without a collision, and on a target that names column CHECKs itself, nothing changes.
    expect(planMigration({ dialect: 'mysql', tables: [table('a', [year('b_y')])] } as SchemaInfo, 'oracle', { targetSchema: 'APP' }).tables[0].columns[1].checkName).toBeUndefined();
    expect(plan(tables, 'postgresql').tables.flatMap((t) => t.columns.map((c) => c.checkName))).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe("a table's CHECK names beside the names its table holds in the target", () => {
  const year = (name: string) => col(name, { kind: 'int16', check: 'VALUE = 0 OR VALUE BETWEEN 1901 AND 2155' }, 'year(4)');
  const withKey = (t: TableInfo, name: string): TableInfo => ({ ...t, foreignKeys: [{ name, columns: ['p'], referencedTable: 'parent', referencedColumns: ['id'] }] });

  test("MariaDB names a column's own CHECK after the column (a domain's CHECK, JSON's json_valid): a table CHECK of that name is renamed, case aside", () => {
    const t = table('t', [col('T_Y', { kind: 'int32', check: 'VALUE > 0' }), col('t_doc', { kind: 'json' }, 'jsonb'), col('z', { kind: 'int32' })], [
      ['y', 'CHECK (T_Y < 10)'],
      ['doc', 'CHECK (t_doc IS NOT NULL)'],
      ['z', 'CHECK (z > 0)'],
    ]);
    const p = plan([t], 'mysql');
    expect(p.tables[0].source.checks?.map((c) => c.targetName)).toEqual(['t_y_2', 't_doc_2', 't_z']);
    expect(p.notes).toContain('check y of t is named t_y_2 in the target, because t_y is the name of the check of column t.T_Y there');
    expect(p.notes).toContain('check doc of t is named t_doc_2 in the target, because t_doc is the name of the check of column t.t_doc there');
    // Another table's column of that name takes nothing from this table's CHECK.
    const other = plan([table('t', [col('x', { kind: 'int32' })], [['u_x', 'CHECK (x > 0)']]), table('u', [col('u_x', { kind: 'int32', check: 'VALUE > 0' })])], 'mysql');
    expect(other.tables[0].source.checks?.map((c) => c.targetName)).toEqual(['t_u_x']);
  });

  test('MariaDB and PostgreSQL: a CHECK named as a foreign key of its table (as the target names it) is renamed; the key keeps its name', () => {
    const child = withKey(table('c', [col('p', { kind: 'int32' })], [['pos', 'CHECK (p > 0)']]), 'c_pos');
    for (const target of ['mysql', 'postgresql'] as Dialect[]) {
      const p = plan([table('parent', []), child], target);
      expect(p.tables[1].source.checks?.map((c) => c.targetName)).toEqual(['c_pos_2']);
      expect(p.tables[1].source.foreignKeys.map((fk) => fk.targetName ?? fk.name)).toEqual(['c_pos']);
      expect(p.notes).toContain('check pos of c is named c_pos_2 in the target, because c_pos is the name of foreign key c_pos of c there');
    }
    // MariaDB renames the second of two keys named so (per schema): the CHECK meets the renamed key's name, not the source's.
    const two = plan([table('parent', []), withKey(table('b', [col('p', { kind: 'int32' })]), 'c_pos'), child], 'mysql');
    expect(two.tables[2].source.foreignKeys.map((fk) => fk.targetName)).toEqual(['c_pos_2']);
    expect(two.tables[2].source.checks?.map((c) => c.targetName)).toEqual(['c_pos']);
    // A key to a table left out is not created: it takes no name from the CHECK.
    expect(plan([child], 'postgresql').tables[0].source.checks?.map((c) => c.targetName)).toEqual(['c_pos']);
  });

  test("PostgreSQL names a column's own CHECK <table>_<column>_check (cut as makeObjectName cuts it): a table CHECK of that name is renamed", () => {
    const p = plan([table('c', [year('y')], [['y_check', 'CHECK (y > 1950)']])], 'postgresql');
    expect(p.tables[0].source.checks?.map((c) => c.targetName)).toEqual(['c_y_check_2']);
    expect(p.notes).toContain('check y_check of c is named c_y_check_2 in the target, because c_y_check is the name of the check of column c.y there');
    const long = 'l'.repeat(60);
    expect(pg.tableConstraints?.columnCheck(long, 'y')).toBe(`${'l'.repeat(55)}_y_check`);
    expect(pg.tableConstraints?.columnCheck(long, long)).toBe(`${'l'.repeat(28)}_${'l'.repeat(28)}_check`);
    // Without a column CHECK, nothing changes.
    expect(plan([table('c', [col('y', { kind: 'int16' })], [['y_check', 'CHECK (y > 1950)']])], 'postgresql').tables[0].source.checks?.map((c) => c.targetName)).toEqual(['c_y_check']);
  });
});

describe('foreign-key names', () => {
  const child = (name: string, fk: string, references = 'parent'): TableInfo => ({
    ...table(name, [col('parent_id', { kind: 'int32' })]),
    foreignKeys: [{ name: fk, columns: ['parent_id'], referencedTable: references, referencedColumns: ['id'] }],
  });
  const fkNames = (p: ReturnType<typeof plan>) => p.tables.flatMap((t) => t.source.foreignKeys.map((fk) => fk.targetName ?? fk.name));

  test('MariaDB keeps them per schema: one name on two tables becomes fk_parent and fk_parent_2, noted; a key to a table left out takes no name', () => {
    const p = plan([table('parent', []), child('child_a', 'fk_parent'), child('child_b', 'FK_PARENT'), child('child_c', 'fk_parent', 'elsewhere')], 'mysql');
    expect(fkNames(p)).toEqual(['fk_parent', 'FK_PARENT_2', 'fk_parent']);
    expect(p.notes).toContain('foreign key FK_PARENT of child_b is named FK_PARENT_2 in the target, because FK_PARENT is the name of foreign key fk_parent of child_a there');
  });

  test('Oracle keeps every constraint name per schema: a foreign key named as a CHECK is renamed, the CHECK keeps its name', () => {
    const p = plan([table('parent', [col('x', { kind: 'int32' })], [['x_pos', 'CHECK (x > 0)']]), child('child_a', 'parent_x_pos')], 'oracle');
    expect(p.tables[0].source.checks?.map((c) => c.targetName)).toEqual(['parent_x_pos']);
    expect(fkNames(p)).toEqual(['parent_x_pos_2']);
  });

  test("PostgreSQL names a table's primary key, UNIQUE constraints and columns' CHECKs itself: a foreign key named so is renamed, noted", () => {
    const c: TableInfo = {
      ...table('c', [col('parent_id', { kind: 'int32' }), col('a', { kind: 'int32' }), col('b', { kind: 'int32' }), col('y', { kind: 'int16', check: 'VALUE > 1900' }, 'year(4)')]),
      uniqueConstraints: [{ name: 'uq_ab', columns: ['a', 'b'] }],
      foreignKeys: ['c_pkey', 'c_a_b_key', 'c_y_check', 'fk_ok', 'c_b_key'].map((name) => ({ name, columns: ['parent_id'], referencedTable: 'parent', referencedColumns: ['id'] })),
    };
    const p = plan([table('parent', []), c], 'postgresql');
    expect(fkNames(p)).toEqual(['c_pkey_2', 'c_a_b_key_2', 'c_y_check_2', 'fk_ok', 'c_b_key']);
    expect(p.notes).toEqual([
      'foreign key c_pkey of c is named c_pkey_2 in the target, because c_pkey is the name of the primary key of c there',
      'foreign key c_a_b_key of c is named c_a_b_key_2 in the target, because c_a_b_key is the name of unique constraint uq_ab of c there',
      'foreign key c_y_check of c is named c_y_check_2 in the target, because c_y_check is the name of the check of column c.y there',
    ]);
    // The same plan again: the same names. A table of another name holds none of them.
    expect(fkNames(plan([table('parent', []), c], 'postgresql'))).toEqual(fkNames(p));
    expect(fkNames(plan([table('parent', []), { ...c, name: 'd' }], 'postgresql'))).toEqual(['c_pkey', 'c_a_b_key', 'c_y_check', 'fk_ok', 'c_b_key']);
    // MariaDB names its keys PRIMARY and after their columns, in another namespace than its foreign keys': nothing renamed.
    expect(plan([table('parent', []), c], 'mysql').tables[1].source.foreignKeys.map((fk) => fk.targetName)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  test("PostgreSQL: a CHECK named as the table's primary key or a UNIQUE constraint is renamed (the key would have taken <name>1)", () => {
    const t: TableInfo = { ...table('t', [col('a', { kind: 'int32' })], [['pkey', 'CHECK (a > 0)'], ['a_key', 'CHECK (a < 9)']]), uniqueConstraints: [{ name: 'ua', columns: ['a'] }] };
    const p = plan([t], 'postgresql');
    expect(p.tables[0].source.checks?.map((x) => x.targetName)).toEqual(['t_pkey_2', 't_a_key_2']);
    expect(p.notes).toContain('check pkey of t is named t_pkey_2 in the target, because t_pkey is the name of the primary key of t there');
    // Cut as makeObjectName cuts them.
    const long = 'k'.repeat(62);
    expect(pg.tableConstraints?.keyNames?.primaryKey(long)).toBe(`${'k'.repeat(58)}_pkey`);
    expect(pg.tableConstraints?.keyNames?.unique(long, ['a', 'b'])).toBe(`${'k'.repeat(55)}_a_b_key`);
  });

  test('a mapping edit that gives a column a CHECK PostgreSQL names itself (an enum edited to text) renames the foreign key named so, noted; edited again to a type without that CHECK, the key has its name back', () => {
    const c: TableInfo = {
      ...table('c', [col('parent_id', { kind: 'int32' }), enumColumn('e')]),
      foreignKeys: [{ name: 'c_e_check', columns: ['parent_id'], referencedTable: 'parent', referencedColumns: ['id'] }],
    };
    const p = plan([table('parent', []), c], 'postgresql');
    expect(fkNames(p)).toEqual(['c_e_check']);
    const options = { refreshChecks: true, renameConstraints: true };
    const edited = applyMappingEdits(p, [{ id: 'c.e', target_type: 'text' }], options).plan;
    expect(fkNames(edited)).toEqual(['c_e_check_2']);
    expect(edited.notes).toEqual(['foreign key c_e_check of c is named c_e_check_2 in the target, because c_e_check is the name of the check of column c.e there']);
    const undone = applyMappingEdits(edited, [{ id: 'c.e', target_type: 'bytea' }], options).plan;
    expect(fkNames(undone)).toEqual(['c_e_check']);
    expect(undone.notes).toEqual([]);
    // An edit that changes no name leaves the plan's notes as they were, in their order.
    const withNotes = { ...edited, notes: ['a note before', ...(edited.notes ?? []), 'a note after'] };
    expect(applyMappingEdits(withNotes, [{ id: 'c.parent_id', target_type: 'bigint' }], options).plan.notes).toEqual(withNotes.notes);
    // Edits made before the patch leave the names as planned.
    expect(fkNames(applyMappingEdits(p, [{ id: 'c.e', target_type: 'text' }], { refreshChecks: true }).plan)).toEqual(['c_e_check']);
  });

  test('PostgreSQL and SQLite keep them per table: the names stay the source\'s, no targetName', () => {
    for (const target of ['postgresql', 'sqlite'] as Dialect[]) {
      const p = plan([table('parent', []), child('child_a', 'fk_parent'), child('child_b', 'fk_parent')], target);
      expect(p.tables.flatMap((t) => t.source.foreignKeys.map((fk) => fk.targetName))).toEqual([undefined, undefined]);
    }
  });
});
