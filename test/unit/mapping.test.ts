import { extensionsWanted, keyBytes, planMigration, portableDefault, withSpatialRefs } from '../../lib/mapping';
import { applyMappingEdits, mappingEditProblem } from '../../lib/mapping-edit';
import { targetType } from '../../lib/typemap';
import type { ColumnInfo, SchemaInfo, TableInfo } from '../../lib/types';
import * as mysql from '../../connectors/mysql/types';
import * as postgres from '../../connectors/postgres/types';
import { crossType } from '../../lib/typemap/common';

const col = (name: string, type: ColumnInfo['type'], nullable = false, dflt: string | null = null, nativeType = type.kind): ColumnInfo => ({
  name,
  nativeType,
  type,
  nullable,
  default: dflt,
});

const table = (name: string, columns: ColumnInfo[], extra: Partial<TableInfo> = {}): TableInfo => ({
  name,
  columns,
  primaryKey: [],
  foreignKeys: [],
  uniqueConstraints: [],
  indexes: [],
  rowEstimate: 0,
  ...extra,
});

const schema: SchemaInfo = {
  dialect: 'mysql',
  schema: 'shop',
  tables: [
    table('orders', [col('id', { kind: 'int64', autoIncrement: true }), col('paid', { kind: 'boolean', readConfidence: 0.9, readNote: 'TINYINT(1) read as boolean' }), col('at', { kind: 'timestamptz' }, true, 'current_timestamp()')], { primaryKey: ['id'] }),
    table('by_code', [col('code', { kind: 'varchar', length: 10 }), col('n', { kind: 'int32' }, true, '0')], { uniqueConstraints: [{ name: 'uq_code', columns: ['code'] }] }),
    table('loose', [col('a', { kind: 'int32' }, true), col('b', { kind: 'text' }, true)], { uniqueConstraints: [{ name: 'uq_a', columns: ['a'] }] }),
    table('docs', [col('id', { kind: 'int32' }), col('x', { kind: 'unsupported', readNote: 'type xml is not supported by Sensei' }, true, null, 'xml' as never)], { primaryKey: ['id'] }),
  ],
};

describe('planMigration', () => {
  const plan = planMigration(schema, 'postgresql', { targetSchema: 'public' });
  const t = (name: string) => plan.tables.find((x) => x.source.name === name)!;

  test('copies the header and finds the lowest confidence', () => {
    expect(plan).toMatchObject({ sourceDialect: 'mysql', targetDialect: 'postgresql', targetSchema: 'public' });
    expect(plan.minConfidence).toBe(0);
  });

  test('confidence is the lower of reading and writing, with both notes', () => {
    const paid = t('orders').columns.find((c) => c.column === 'paid')!;
    expect(paid).toMatchObject({ id: 'orders.paid', targetType: 'boolean', confidence: 0.9, nullable: false });
    expect(paid.note).toMatch(/TINYINT\(1\)/);
    const at = t('orders').columns.find((c) => c.column === 'at')!;
    // The current time means the same everywhere: each target writes its own (see currentTimeDefault).
    expect(at.note).toBeUndefined();
    expect(t('by_code').columns.find((c) => c.column === 'n')!.note).toBeUndefined();
  });

  test('key choice: primary key, else a non-null unique key, else the whole table', () => {
    expect(t('orders')).toMatchObject({ keyColumns: ['id'], copyMode: 'keyset' });
    expect(t('by_code')).toMatchObject({ keyColumns: ['code'], copyMode: 'keyset' });
    expect(t('by_code').copyNote).toMatch(/unique key uq_code/);
    expect(t('loose')).toMatchObject({
      keyColumns: [],
      copyMode: 'whole_table',
      copyNote: 'no primary key or non-null unique key: copied in one transaction ordered by all columns',
    });
  });

  test('unsupported types block the plan with a clear reason', () => {
    expect(plan.blockers).toEqual(['docs.x: type xml is not supported by Sensei']);
    expect(t('docs').columns[1]).toMatchObject({ confidence: 0, targetType: '' });
  });

  test('a MySQL target keys text columns as VARCHAR(255) and says so', () => {
    const toMysql = planMigration(
      { dialect: 'postgresql', schema: 'public', tables: [table('tags', [col('name', { kind: 'text' })], { primaryKey: ['name'] })] },
      'mysql',
      { targetSchema: 'shop' },
    );
    expect(toMysql.tables[0].columns[0]).toMatchObject({ targetType: 'VARCHAR(255)', confidence: 0.8 });
    expect(toMysql.minConfidence).toBe(0.8);
  });

  test('PostgreSQL → PostgreSQL keeps native types, defaults and schema objects; elsewhere native types are blockers', () => {
    const pg: SchemaInfo = {
      dialect: 'postgresql',
      schema: 'public',
      tables: [
        table('child', [col('id', { kind: 'int32' }), col('tags', { kind: 'native', readNote: 'type text[] exists only in PostgreSQL' }, true, "'{}'::text[]", 'text[]' as never)], {
          primaryKey: ['id'],
          inherits: ['parent', 'left_out'],
        }),
        table('parent', [col('id', { kind: 'int32' }), col('at', { kind: 'timestamptz' }, false, 'now()', 'timestamp with time zone' as never), { ...col('twice', { kind: 'int32' }, true), generated: '(id * 2)' }], {
          primaryKey: ['id'],
        }),
      ],
      objects: [{ kind: 'enum', name: 'mood', create: ["CREATE TYPE mood AS ENUM ('a')"], stage: 'before_tables' }],
    };
    const same = planMigration(pg, 'postgresql', { targetSchema: 'public' });
    expect(same.blockers).toEqual([]);
    expect(same.minConfidence).toBe(1);
    expect(same.objects).toEqual(pg.objects);
    // Parents first; a parent outside the migration is no longer named.
    expect(same.tables.map((t) => [t.source.name, t.native, t.source.inherits])).toEqual([
      ['parent', true, undefined],
      ['child', true, ['parent']],
    ]);
    expect(same.tables[1].columns[1]).toMatchObject({ sourceType: 'text[]', targetType: 'text[]', confidence: 1 });
    expect(same.tables[1].columns[1].note).toBeUndefined();
    // A generated column is created generated, not copied; a default expression is kept without a note.
    expect(same.tables[0].columns.map((c) => [c.column, c.targetType, c.note])).toEqual([
      ['id', 'int32', undefined],
      ['at', 'timestamp with time zone', undefined],
    ]);

    // Objects reading a table left out are left out too, and said; a view over a kept view stays.
    const views = planMigration(
      {
        ...pg,
        objects: [
          { kind: 'view', name: 'v1', create: ['…'], stage: 'after_data', reads: ['parent'] },
          { kind: 'view', name: 'v2', create: ['…'], stage: 'after_data', reads: ['v1', 'child'] },
          { kind: 'view', name: 'v3', create: ['…'], stage: 'after_data', reads: ['gone', 'v1'] },
          { kind: 'trigger', name: 'touch on gone', create: ['…'], stage: 'after_data', reads: ['gone'] },
          { kind: 'function', name: 'odd()', create: [], stage: 'after_data', problem: 'its definition could not be read (…)' },
        ],
      },
      'postgresql',
      { targetSchema: 'public' },
    );
    expect(views.objects?.map((o) => o.name)).toEqual(['v1', 'v2']);
    expect(views.notes).toEqual([
      'view v3 is not created in the target: it reads gone, which is not migrated',
      'trigger touch on gone is not created in the target: it reads gone, which is not migrated',
      'function odd() is not created in the target: its definition could not be read (…)',
    ]);

    const toMysql = planMigration(pg, 'mysql', { targetSchema: 'shop' });
    expect(toMysql.objects).toBeUndefined();
    expect(toMysql.tables.every((t) => !t.native)).toBe(true);
    expect(toMysql.blockers).toEqual(['child.tags: type text[] exists only in PostgreSQL']);

    // Across dialects the source's views, routines and triggers are not created: the gate lists them by kind.
    const secured: SchemaInfo['objects'] = [
      { kind: 'trigger', name: 't1', create: ['…'], stage: 'after_data' },
      { kind: 'row level security', name: 'child', create: ['…'], stage: 'after_data' },
      { kind: 'policy', name: 'own on child', create: ['…'], stage: 'after_data' },
      // A function comes in two parts (made before the tables, owned after the data): named once.
      { kind: 'function', name: 'touch()', create: ['…'], stage: 'before_tables' },
      { kind: 'function', name: 'touch()', create: ['…'], stage: 'after_data' },
    ];
    const viewsToMysql = planMigration({ ...pg, objects: [...(views.objects ?? []), ...secured] }, 'mysql', { targetSchema: 'shop' });
    expect(viewsToMysql.objects).toBeUndefined();
    expect((viewsToMysql.notes ?? []).filter((n) => /not migrated, because/.test(n))).toEqual([
      'views not migrated, because their definitions are postgresql SQL that mysql does not read (create them by hand on the target): v1, v2',
      'functions not migrated, because their definitions are postgresql SQL that mysql does not read (create them by hand on the target): touch()',
      'triggers not migrated, because their definitions are postgresql SQL that mysql does not read (create them by hand on the target): t1',
      'policies not migrated, because their definitions are postgresql SQL that mysql does not read (create them by hand on the target): own on child',
      'row level security settings (of tables) not migrated, because their definitions are postgresql SQL that mysql does not read (create them by hand on the target): child',
    ]);
    // A table without columns (PostgreSQL allows one) is left out in every direction, said; the rest migrate.
    const withEmpty: SchemaInfo = { ...pg, tables: [...pg.tables, table('nothing', [])] };
    for (const to of ['postgresql', 'mysql', 'sqlite'] as const) {
      const planned = planMigration(withEmpty, to, { targetSchema: 'x' });
      expect(planned.tables.map((t) => t.source.name)).toEqual(['parent', 'child']);
      expect(planned.notes).toContain('table nothing is not migrated, because it has no columns');
    }
    // Types the columns use are mapped with the columns, not listed.
    expect((toMysql.notes ?? []).some((n) => /not migrated, because/.test(n))).toBe(false);
  });
});

describe('portableDefault', () => {
  test.each([
    ['0', { kind: 'number', text: '0' }],
    ['(-1.5)', { kind: 'number', text: '-1.5' }],
    ["'abc'::character varying", { kind: 'string', text: 'abc' }],
    ["'it''s'", { kind: 'string', text: "it's" }],
    ['true', { kind: 'boolean', value: true }],
    ['now()', null],
    ["nextval('s'::regclass)", null],
    ['current_timestamp()', null],
    [null, null],
  ])('%s', (expression, expected) => {
    expect(portableDefault(expression)).toEqual(expected);
  });
});

describe('mapping edits reach DDL re-rendered from the parsed type', () => {
  const toMysql = planMigration(schema, 'mysql', { targetSchema: 'shop' });
  const toPg = planMigration(schema, 'postgresql', { targetSchema: 'public' });

  test('whatever follows a type name is dropped: the target type map renders the type', () => {
    const { edited } = applyMappingEdits(toMysql, [{ id: 'by_code.n', target_type: 'int not null default 7' }]);
    expect(edited[0]?.targetType).toBe(mysqlTypeOf(toMysql, { kind: 'int32' }));
    expect(edited[0]?.targetType).not.toMatch(/default|null/i);
    const widened = applyMappingEdits(toPg, [{ id: 'by_code.code', target_type: '  varchar(40)  ' }]).edited[0];
    expect(widened).toMatchObject({ targetType: 'character varying(40)', confidence: 1 });
  });

  test('text that is no type is refused before it reaches the plan', () => {
    for (const typed of ['int); drop table users; --', "varchar(10) check (1=1)", 'text collate "C"', 'int primary key']) {
      const problem = mappingEditProblem(toPg, { id: 'by_code.n', target_type: typed });
      if (problem === null) {
        // Accepted only as the bare type the map renders, never with the rest.
        const rendered = applyMappingEdits(toPg, [{ id: 'by_code.n', target_type: typed }]).edited[0]?.targetType ?? '';
        expect(rendered).toMatch(/^[a-z ]+(\(\d+(,\d+)?\))?$/i);
        expect(rendered.toLowerCase()).not.toContain('primary');
      }
    }
    expect(mappingEditProblem(toPg, { id: 'by_code.n', target_type: 'int); drop table users; --' })).not.toBeNull();
  });
});

describe('an edited foreign-key column into MariaDB (foreignKeyColumns, versioned in the workflow)', () => {
  const parent = table('parents', [col('code', { kind: 'varchar', length: 40 })], { primaryKey: ['code'] });
  const child = table('children', [col('id', { kind: 'int32' }), col('parent', { kind: 'varchar', length: 40 }, true)], {
    primaryKey: ['id'],
    foreignKeys: [{ name: 'fk_parent', columns: ['parent'], referencedTable: 'parents', referencedColumns: ['code'] }],
  });
  const plan = planMigration({ dialect: 'postgresql', schema: 'public', tables: [parent, child] }, 'mysql', { targetSchema: 'shop' });
  const edit = [{ id: 'children.parent', target_type: 'text' }];

  test('is rendered as a key column, bounded as the key it references', () => {
    const keyed = applyMappingEdits(plan, [{ id: 'parents.code', target_type: 'text' }], { foreignKeyColumns: true }).edited[0]?.targetType;
    const referencing = applyMappingEdits(plan, edit, { foreignKeyColumns: true }).edited[0]?.targetType;
    expect(referencing).toBe(keyed);
    expect(referencing).not.toMatch(/text/i);
  });

  test('stays unbounded for an edit a workflow made before foreign keys counted', () => {
    expect(applyMappingEdits(plan, edit).edited[0]?.targetType).toMatch(/text/i);
  });
});

function mysqlTypeOf(plan: ReturnType<typeof planMigration>, type: ColumnInfo['type']): string {
  return targetType(plan.targetDialect, type).sql;
}

describe('extensions the target server offers and its database lacks (PostGIS for MariaDB GEOMETRY)', () => {
  const geometry = (nativeType: string): ColumnInfo['type'] => crossType(mysql.toCanonical({ columnType: nativeType }));
  const spatial: SchemaInfo = {
    dialect: 'mysql',
    schema: 'geo',
    tables: [
      table('places', [col('id', { kind: 'int32' }), col('g', geometry('geometry'), true, null, 'geometry' as never), col('p', geometry('point'), true, null, 'point' as never)], { primaryKey: ['id'] }),
      table('plain', [col('id', { kind: 'int32' })], { primaryKey: ['id'] }),
    ],
  };
  const types = (plan: ReturnType<typeof planMigration>) => Object.fromEntries(plan.tables.flatMap((t) => t.columns.map((c) => [c.id, c.targetType])));

  test('are wanted only for the columns whose type they would give, and only when the database lacks them', () => {
    expect(extensionsWanted(spatial, 'postgresql')).toEqual([{ name: 'postgis', columns: ['places.g', 'places.p'] }]);
    expect(extensionsWanted(spatial, 'postgresql', ['postgis'])).toEqual([]);
    expect(extensionsWanted({ ...spatial, tables: [spatial.tables[1]] }, 'postgresql')).toEqual([]);
    expect(extensionsWanted(spatial, 'mysql')).toEqual([]);
  });

  test('one the target user may create: geometry columns, the extension created before the tables, and the notes say so', () => {
    const plan = planMigration(spatial, 'postgresql', { targetSchema: 'public', offeredExtensions: [{ name: 'postgis', create: ['CREATE EXTENSION IF NOT EXISTS "postgis"'] }] });
    expect(types(plan)).toEqual({ 'places.id': 'integer', 'places.g': 'geometry', 'places.p': 'geometry', 'plain.id': 'integer' });
    expect(plan.objects).toEqual([
      { kind: 'extension', name: 'postgis', create: ['CREATE EXTENSION IF NOT EXISTS "postgis"'], stage: 'before_tables', neededBy: ['places.g', 'places.p'] },
    ]);
    expect(plan.notes).toContain(
      "extension postgis will be created in the target database before the tables (the target server offers it and the target's user may create it): columns places.g, places.p take its type geometry",
    );
    expect(plan.tables[0].columns[1].note).toMatch(/PostGIS geometry, each value with its SRID; extension postgis will be created in the target database for it/);
    expect(plan.minConfidence).toBe(1);
  });

  test('one the target user may not create: bytea as without it, and the notes name the columns and what an administrator could do', () => {
    const refusal = 'permission denied to create extension "postgis": Must be superuser to create this extension.';
    const plan = planMigration(spatial, 'postgresql', { targetSchema: 'public', offeredExtensions: [{ name: 'postgis', refusal }] });
    expect(types(plan)).toEqual({ 'places.id': 'integer', 'places.g': 'bytea', 'places.p': 'bytea', 'plain.id': 'integer' });
    expect(plan.objects).toBeUndefined();
    expect(plan.notes).toContain(
      `columns places.g, places.p are stored without extension postgis, which the target server offers but the target's user may not create in the target database (${refusal}):` +
        ' an administrator could run CREATE EXTENSION postgis in the target database to get geometry',
    );
    expect(plan.tables[0].columns[2].note).toMatch(/stored as EWKB .*; the target server offers extension postgis, but the target's user may not create it: an administrator could run CREATE EXTENSION postgis/);
  });

  test('an edit to geography is refused at the gate (it would be text), and an edit already accepted replays as it was applied', () => {
    const installed = planMigration(spatial, 'postgresql', { targetSchema: 'public', targetExtensions: ['postgis'], offeredExtensions: [] });
    // The validator refuses it now; a refused update leaves nothing in a history, so replays are unaffected.
    expect(mappingEditProblem(installed, { id: 'places.p', target_type: 'geography' })).toBe('geography is not a postgresql type Sensei can write across dialects (it would be text)');
    // The handler still applies it as it did, for a history that recorded it accepted.
    const edited = applyMappingEdits(installed, [{ id: 'places.p', target_type: 'geography' }], { pruneExtensions: true }).edited[0];
    expect(edited).toMatchObject({ targetType: 'text', confidence: 0.5 });
  });

  test('at the gate, an edit may choose the extension type the target has or gets; edited away, the extension is no longer created', () => {
    const created = planMigration(spatial, 'postgresql', { targetSchema: 'public', offeredExtensions: [{ name: 'postgis', create: ['CREATE EXTENSION IF NOT EXISTS "postgis"'] }] });
    expect(created.targetExtensions).toEqual(['postgis']);
    const prune = { pruneExtensions: true };
    const oneAway = applyMappingEdits(created, [{ id: 'places.g', target_type: 'bytea' }], prune).plan;
    expect(types(oneAway)['places.g']).toBe('bytea');
    expect(oneAway.objects?.[0]?.neededBy).toEqual(['places.p']);
    const bothAway = applyMappingEdits(oneAway, [{ id: 'places.p', target_type: 'bytea' }], prune).plan;
    expect(bothAway.objects).toEqual([]);
    // No longer created, so no longer the target's: geometry is refused from then on.
    expect(bothAway.targetExtensions).toEqual([]);
    expect(mappingEditProblem(bothAway, { id: 'places.g', target_type: 'geometry' })).toMatch(/^geometry needs extension postgis/);
    // Edited to geometry again: the column needs it still.
    const back = applyMappingEdits(oneAway, [{ id: 'places.g', target_type: 'geometry' }], prune);
    expect(back.edited[0]?.targetType).toBe('geometry');
    expect(back.plan.objects?.[0]?.neededBy).toEqual(['places.g', 'places.p']);
    // Edits a workflow made before pruning existed keep the extension.
    expect(applyMappingEdits(oneAway, [{ id: 'places.p', target_type: 'bytea' }]).plan.objects).toEqual(oneAway.objects);

    const installed = planMigration(spatial, 'postgresql', { targetSchema: 'public', targetExtensions: ['postgis'], offeredExtensions: [] });
    const asBytes = applyMappingEdits(installed, [{ id: 'places.g', target_type: 'bytea' }]).plan;
    expect(applyMappingEdits(asBytes, [{ id: 'places.g', target_type: 'geometry' }]).edited[0]?.targetType).toBe('geometry');

    const refusal = 'permission denied to create extension "postgis": Must be superuser to create this extension.';
    const without = planMigration(spatial, 'postgresql', { targetSchema: 'public', offeredExtensions: [{ name: 'postgis', refusal }] });
    expect(without.targetExtensions).toBeUndefined();
    expect(mappingEditProblem(without, { id: 'places.g', target_type: 'geometry' })).toBe(
      'geometry needs extension postgis, which the target database does not have and the plan does not create',
    );
    expect(mappingEditProblem(created, { id: 'places.g', target_type: 'geometry' })).toBeNull();
    // A native type whose portable form is another type (geography → text, tsvector → text) is refused, not rewritten.
    expect(mappingEditProblem(created, { id: 'places.g', target_type: 'geography' })).toMatch(/^geography is not a postgresql type Sensei can write across dialects \(it would be text\)$/);
    expect(mappingEditProblem(created, { id: 'places.g', target_type: 'tsvector' })).toMatch(/^tsvector is not a postgresql type Sensei can write across dialects/);
  });

  test('an installed one needs nothing created', () => {
    const plan = planMigration(spatial, 'postgresql', { targetSchema: 'public', targetExtensions: ['postgis'], offeredExtensions: [] });
    expect(types(plan)['places.g']).toBe('geometry');
    expect(plan.objects).toBeUndefined();
    expect(plan.notes).toEqual([]);
  });
});

describe('spatial_ref_sys rows a PostgreSQL plan adds, after edits at the gate (pruneExtensionObjects)', () => {
  const pgColumn = (name: string, formatted: string): ColumnInfo => col(name, postgres.toCanonical({ formatted }), true, null, formatted as never);
  const source: SchemaInfo = {
    dialect: 'postgresql',
    schema: 'public',
    tables: [
      table('spots', [col('id', { kind: 'int32' }, false, null, 'integer' as never), pgColumn('gg', 'geography(Point,900914)'), pgColumn('gm', 'geometry(Point,900914)')], { primaryKey: ['id'] }),
      table('roads', [col('id', { kind: 'int32' }, false, null, 'integer' as never), pgColumn('line', 'geometry(LineString,4326)')], { primaryKey: ['id'] }),
    ],
    objects: [{ kind: 'extension', name: 'postgis', create: ['CREATE EXTENSION IF NOT EXISTS "postgis"'], stage: 'before_tables', neededBy: ['spots.gg', 'spots.gm', 'roads.line'] }],
  };
  const row = (srid: number, neededBy?: string[]) => ({
    kind: 'spatial_ref_sys row',
    name: String(srid),
    create: [`INSERT INTO "public".spatial_ref_sys (srid) VALUES (${srid}) ON CONFLICT (srid) DO NOTHING`],
    stage: 'before_tables' as const,
    extension: 'postgis',
    ...(neededBy ? { neededBy } : {}),
  });
  const planned = withSpatialRefs(planMigration(source, 'postgresql', { targetSchema: 'public' }), { objects: [row(900914, ['spots.gg', 'spots.gm']), row(900915)], notes: [], blockers: [] });
  const options = { pruneExtensions: true, refreshChecks: true, pruneExtensionObjects: true };
  const objects = (plan: ReturnType<typeof planMigration>) => plan.objects?.map((o) => `${o.kind} ${o.name}${o.neededBy ? ` (${o.neededBy.join(', ')})` : ''}`);

  test('planned: PostGIS, then the rows', () => {
    expect(objects(planned)).toEqual(['extension postgis (spots.gg, spots.gm, roads.line)', 'spatial_ref_sys row 900914 (spots.gg, spots.gm)', 'spatial_ref_sys row 900915']);
  });

  test('every column of a row edited to text: the row goes, named in the notes; the extension and a row no column used stay', () => {
    const one = applyMappingEdits(planned, [{ id: 'spots.gg', target_type: 'text' }], options).plan;
    expect(objects(one)).toEqual(['extension postgis (spots.gm, roads.line)', 'spatial_ref_sys row 900914 (spots.gm)', 'spatial_ref_sys row 900915']);
    expect(one.notes).toEqual(planned.notes);
    const both = applyMappingEdits(one, [{ id: 'spots.gm', target_type: 'text' }], options).plan;
    expect(objects(both)).toEqual(['extension postgis (roads.line)', 'spatial_ref_sys row 900915']);
    expect(both.notes).toEqual([...(planned.notes ?? []), "spatial_ref_sys row 900914 is not created: no column needs it after the mapping edits (spots.gm no longer of postgis's types)"]);
    // The note stays through later edits (the row is not planned again).
    const later = applyMappingEdits(both, [{ id: 'roads.id', target_type: 'bigint' }], options).plan;
    expect(later.notes).toEqual(both.notes);
    expect(objects(later)).toEqual(objects(both));
  });

  test('an edit to no type of PostGIS of a column of another table leaves the rows as they were', () => {
    const edited = applyMappingEdits(planned, [{ id: 'roads.line', target_type: 'text' }], options).plan;
    expect(objects(edited)).toEqual(['extension postgis (spots.gg, spots.gm)', 'spatial_ref_sys row 900914 (spots.gg, spots.gm)', 'spatial_ref_sys row 900915']);
    expect(edited.notes).toEqual(planned.notes);
  });

  test('the last PostGIS column edited away: PostGIS is no longer created, nor any row it would hold', () => {
    const edits = ['spots.gg', 'spots.gm', 'roads.line'].map((id) => ({ id, target_type: id === 'spots.gg' ? 'text' : 'bytea' }));
    const plan = applyMappingEdits(planned, edits, options).plan;
    expect(plan.objects).toEqual([]);
    expect(plan.notes).toEqual([
      ...(planned.notes ?? []),
      'spatial_ref_sys row 900914 is not created: the plan no longer creates extension postgis, since no column needs it after the mapping edits',
      'spatial_ref_sys row 900915 is not created: the plan no longer creates extension postgis, since no column needs it after the mapping edits',
    ]);
    expect(plan.tables.flatMap((t) => t.columns.map((c) => c.targetType))).toEqual(['integer', 'text', 'bytea', 'integer', 'bytea']);
  });

  test('a target that has PostGIS (the plan does not create it): a row no column needs goes, the others stay', () => {
    const installed = { ...planned, objects: planned.objects?.filter((o) => o.kind !== 'extension') };
    const edits = ['spots.gg', 'spots.gm', 'roads.line'].map((id) => ({ id, target_type: 'text' }));
    expect(objects(applyMappingEdits(installed, edits, options).plan)).toEqual(['spatial_ref_sys row 900915']);
  });

  test('edits a workflow made before this existed keep the rows', () => {
    const edits = ['spots.gg', 'spots.gm', 'roads.line'].map((id) => ({ id, target_type: 'text' }));
    const before = applyMappingEdits(planned, edits, { pruneExtensions: true, refreshChecks: true }).plan;
    expect(objects(before)).toEqual(['spatial_ref_sys row 900914 (spots.gg, spots.gm)', 'spatial_ref_sys row 900915']);
    expect(before.notes).toEqual(planned.notes);
  });
});

describe('mapping edits and the CHECKs taken from the source (refreshChecks)', () => {
  const column = (name: string, type: ColumnInfo['type'], nativeType: string): ColumnInfo => ({ name, nativeType, type, nullable: true, default: null }) as ColumnInfo;
  const table = (name: string, columns: ColumnInfo[], checks: { name: string; definition: string }[] = []): TableInfo =>
    ({ name, columns: [column('id', { kind: 'int32' }, 'int'), ...columns], primaryKey: ['id'], uniqueConstraints: [], foreignKeys: [], indexes: [], rowEstimate: 0, checks }) as TableInfo;
  const year = column('y', { kind: 'int16', check: 'VALUE = 0 OR VALUE BETWEEN 1901 AND 2155', readNote: 'YEAR stored as a small integer with CHECK (0 or 1901 to 2155)' }, 'year(4)');
  const e = column('e', { kind: 'enum', values: ['a', 'b'] }, "enum('a','b')");
  const planned = planMigration(
    { dialect: 'mysql', tables: [table('z', [year, e], [{ name: 'yy', definition: 'CHECK (`y` > 1950)' }]), table('z_e', [])] } as SchemaInfo,
    'postgresql',
    { targetSchema: 'public' },
  );

  test('a YEAR kept numeric keeps its CHECK; edited to text it loses it and its table CHECK, said in its note and the plan notes; an edit back takes them away', () => {
    expect(planned.notes).toEqual(['the type of column z.e is named z_e_2, because z_e is the name of table z_e in the target']);
    const wider = applyMappingEdits(planned, [{ id: 'z.y', target_type: 'integer' }], { refreshChecks: true });
    expect(wider.edited[0].note).toBe('edited by hand; its CHECK (VALUE = 0 OR VALUE BETWEEN 1901 AND 2155) is kept');
    expect(wider.plan.notes).toEqual(planned.notes);
    const text = applyMappingEdits(planned, [{ id: 'z.y', target_type: 'text' }], { refreshChecks: true });
    expect(text.edited[0].note).toMatch(/; its CHECK \(VALUE = 0 OR VALUE BETWEEN 1901 AND 2155\) is not migrated, because it compares column y, which is text in the target, with a number$/);
    expect(text.plan.notes).toEqual([
      ...(planned.notes ?? []),
      'check yy of z is not migrated, because it compares column y, which is text in the target, with a number (after mapping edits at the gate)',
      'the check of column y of z is not migrated, because it compares column y, which is text in the target, with a number (after mapping edits at the gate)',
    ]);
    expect(applyMappingEdits(text.plan, [{ id: 'z.y', target_type: 'smallint' }], { refreshChecks: true }).plan.notes).toEqual(planned.notes);
  });

  test('an enum edited to text keeps its labels as a CHECK, and the name of the type it no longer uses is no longer said', () => {
    const { plan, edited } = applyMappingEdits(planned, [{ id: 'z.e', target_type: 'text' }], { refreshChecks: true });
    expect(edited[0].note).toBe('edited by hand; enum stored as text with CHECK (e IN (a, b))');
    expect(plan.notes).toEqual([]);
  });

  test('without refreshChecks (edits a workflow made before it), notes are as they were', () => {
    const { plan, edited } = applyMappingEdits(planned, [{ id: 'z.y', target_type: 'text' }]);
    expect(plan.notes).toEqual(planned.notes);
    expect(edited[0].note).toMatch(/; YEAR stored as a small integer with CHECK \(0 or 1901 to 2155\)$/);
  });
});

describe('index keys past the target\'s length (TypeMap.indexKey: InnoDB keeps 3072 bytes)', () => {
  const pg = (name: string, length: number, nullable = true): ColumnInfo => col(name, { kind: 'varchar', length }, nullable, null, `character varying(${length})` as never);
  const source: SchemaInfo = {
    dialect: 'postgresql',
    schema: 'public',
    tables: [
      table('wide', [col('id', { kind: 'int32' }), pg('a', 500), pg('b', 500), pg('c', 1000), col('n', { kind: 'int32' }, true)], {
        primaryKey: ['id'],
        indexes: [
          { name: 'wide_ab', columns: ['a', 'b'], unique: false },
          { name: 'wide_c', columns: ['c'], unique: false },
          { name: 'wide_an', columns: ['a', 'n'], unique: false },
          { name: 'wide_uc', columns: ['c'], unique: true },
        ],
      }),
      table('long_key', [pg('k', 1000, false), pg('u1', 400), pg('u2', 400)], { primaryKey: ['k'], uniqueConstraints: [{ name: 'long_key_u', columns: ['u1', 'u2'] }] }),
      table('text_key', [col('k', { kind: 'text' }, false, null, 'text')], { primaryKey: ['k'] }),
    ],
  };

  test('a plain index past it is left out with its reason; one that fits stays; a unique key past it is said, a primary key blocks', () => {
    const plan = planMigration(source, 'mysql', { targetSchema: 'shop' });
    const wide = plan.tables.find((t) => t.source.name === 'wide')!;
    expect(wide.source.indexes.map((i) => i.name)).toEqual(['wide_an', 'wide_uc']);
    const hashed = 'MariaDB keeps it as a hash of its columns (USING HASH), which no foreign key can reference; MySQL refuses it';
    expect(plan.notes).toEqual([
      'index wide_ab of wide is not migrated, because its key would take up to 4000 bytes, past the 3072 MariaDB/MySQL keeps',
      'index wide_c of wide is not migrated, because its key would take up to 4000 bytes, past the 3072 MariaDB/MySQL keeps',
      `unique index wide_uc of wide (c) would take up to 4000 bytes, past the 3072 MariaDB/MySQL keeps in a key: ${hashed}`,
      `unique constraint long_key_u of long_key (u1, u2) would take up to 3200 bytes, past the 3072 MariaDB/MySQL keeps in a key: ${hashed}`,
    ]);
    expect(plan.blockers).toEqual([
      'primary key of long_key (k) would take up to 4000 bytes in MariaDB/MySQL, past the 3072 it keeps: exclude the table (source.exclude_tables)',
    ]);
  });

  test('keyBytes sums the columns as typed in the target; a target without the limit, or an unknown size, gives null', () => {
    const plan = planMigration(source, 'mysql', { targetSchema: 'shop' });
    const wide = plan.tables.find((t) => t.source.name === 'wide')!;
    expect(keyBytes(['a', 'n'], wide.columns, 'mysql')).toBe(2004);
    // An unbounded text key is VARCHAR(255) in MariaDB (isKeyColumn): 1020 bytes.
    expect(keyBytes(['k'], plan.tables.find((t) => t.source.name === 'text_key')!.columns, 'mysql')).toBe(1020);
    expect(keyBytes(['a', 'missing'], wide.columns, 'mysql')).toBeNull();
    const intoSqlite = planMigration(source, 'sqlite', { targetSchema: 'main' });
    expect(keyBytes(['a', 'b'], intoSqlite.tables[0].columns, 'sqlite')).toBeNull();
    expect(intoSqlite.blockers).toEqual([]);
  });
});

describe('an edited foreign-key column whose type no longer matches the other side (foreignKeyTypes)', () => {
  const source: SchemaInfo = {
    dialect: 'postgresql',
    schema: 'public',
    tables: [
      table('parent', [col('id', { kind: 'int32' })], { primaryKey: ['id'] }),
      table('child', [col('id', { kind: 'int32' }), col('pid', { kind: 'int32' }, true)], {
        primaryKey: ['id'],
        foreignKeys: [{ name: 'child_pid_fkey', columns: ['pid'], referencedTable: 'parent', referencedColumns: ['id'] }],
      }),
    ],
  };
  const plan = planMigration(source, 'mysql', { targetSchema: 'shop' });
  const options = { foreignKeyTypes: true, foreignKeyColumns: true };
  const noteOf = (p: typeof plan, id: string) => p.tables.flatMap((t) => t.columns).find((c) => c.id === id)?.note ?? '';
  const paired = 'foreign key child_pid_fkey child(pid) → parent(id) pairs it with id of type INT: the target may refuse the key (said then, every row still copied)';

  test('says so on the edited column; an edit that makes both sides match again takes it away', () => {
    const once = applyMappingEdits(plan, [{ id: 'child.pid', target_type: 'BIGINT' }], options);
    expect(once.edited.map((c) => c.note)).toEqual([expect.stringContaining(paired)]);
    expect(noteOf(once.plan, 'parent.id')).toBe('');
    const matched = applyMappingEdits(once.plan, [{ id: 'parent.id', target_type: 'BIGINT' }], options);
    expect(noteOf(matched.plan, 'child.pid')).not.toContain('pairs it with');
    expect(noteOf(matched.plan, 'parent.id')).not.toContain('pairs it with');
    expect(noteOf(matched.plan, 'child.pid')).toMatch(/^edited by hand/);
  });

  test('an edit that keeps the sides matching, or a workflow from before, says nothing of it', () => {
    expect(applyMappingEdits(plan, [{ id: 'child.pid', target_type: 'INT' }], options).edited[0].note).not.toContain('pairs it with');
    expect(applyMappingEdits(plan, [{ id: 'child.pid', target_type: 'BIGINT' }], { foreignKeyColumns: true }).edited[0].note).not.toContain('pairs it with');
  });
});

describe('blockers at the gate: checked again after edits (recheckBlockers, versioned in the workflow)', () => {
  const keyed = (length: number) =>
    planMigration({ dialect: 'postgresql', schema: 'public', tables: [table('paths', [col('path', { kind: 'varchar', length })], { primaryKey: ['path'] })] }, 'mysql', { targetSchema: 'db' });
  const blocker = 'primary key of paths (path) would take up to 4000 bytes in MariaDB/MySQL, past the 3072 it keeps: exclude the table (source.exclude_tables)';

  test('a key column edited to a type the key fits in ends its blocker; one edited past it makes one', () => {
    expect(keyed(1000).blockers).toEqual([blocker]);
    const fits = applyMappingEdits(keyed(1000), [{ id: 'paths.path', target_type: 'varchar(700)' }], { recheckBlockers: true }).plan;
    expect(fits.blockers).toEqual([]);
    // A workflow from before kept the plan's blockers as they were.
    expect(applyMappingEdits(keyed(1000), [{ id: 'paths.path', target_type: 'varchar(700)' }]).plan.blockers).toEqual([blocker]);
    expect(keyed(100).blockers).toEqual([]);
    expect(applyMappingEdits(keyed(100), [{ id: 'paths.path', target_type: 'varchar(1000)' }], { recheckBlockers: true }).plan.blockers).toEqual([blocker]);
  });

  test("what the target database lacks (the mapping activity's blockers) stays until its table is left out", () => {
    const lacking = 'paths.path: type from extension citext, which the target database lacks';
    const plan = { ...keyed(1000), blockers: [blocker, lacking] };
    expect(applyMappingEdits(plan, [{ id: 'paths.path', target_type: 'varchar(700)' }], { recheckBlockers: true }).plan.blockers).toEqual([lacking]);
  });

  test('a column of a type Sensei cannot read is not edited: its table can only be left out', () => {
    const toPg = planMigration(schema, 'postgresql', { targetSchema: 'public' });
    expect(toPg.blockers).toEqual(['docs.x: type xml is not supported by Sensei']);
    expect(mappingEditProblem(toPg, { id: 'docs.x', target_type: 'text' })).toBe(
      "docs.x: Sensei cannot read the source's xml values, whatever the target type; exclude table docs at the gate (exclude_tables) to migrate the rest",
    );
  });
});

describe('rows MariaDB can declare (TypeMap.rowBytes)', () => {
  test('what a column takes of a row and of InnoDB\'s page, and the type that keeps it out of the row', () => {
    expect([mysql.rowBytesOf('VARCHAR(1000)'), mysql.rowBytesOf('VARCHAR(63)'), mysql.rowBytesOf('TEXT'), mysql.rowBytesOf('INT'), mysql.rowBytesOf('VARBINARY(300)')]).toEqual([4002, 253, 12, 4, 302]);
    expect([mysql.pageBytesOf('VARCHAR(1000)'), mysql.pageBytesOf('VARCHAR(63)'), mysql.pageBytesOf('LONGTEXT'), mysql.pageBytesOf('BIGINT'), mysql.pageBytesOf('CHAR(10)')]).toEqual([21, 253, 21, 8, 41]);
    expect([mysql.outOfRowType('VARCHAR(1000)'), mysql.outOfRowType('VARCHAR(20000)'), mysql.outOfRowType('VARCHAR(10) COLLATE utf8mb4_bin'), mysql.outOfRowType('VARBINARY(16)'), mysql.outOfRowType('INT')]).toEqual([
      'TEXT',
      'MEDIUMTEXT',
      'TEXT COLLATE utf8mb4_bin',
      'BLOB',
      null,
    ]);
  });

  const varchars = (n: number, length: number) => Array.from({ length: n }, (_, i) => col(`c${i}`, { kind: 'varchar', length }, true));

  test('past 65,535 bytes the widest unkeyed columns become TEXT until the row fits; an edit back past it blocks', () => {
    const schema: SchemaInfo = { dialect: 'postgresql', schema: 'public', tables: [table('wide', [col('id', { kind: 'int32' }), ...varchars(100, 1000)], { indexes: [{ name: 'i', columns: ['c5'], unique: false }] })] };
    const plan = planMigration(schema, 'mysql', { targetSchema: 'db' });
    const text = plan.tables[0].columns.filter((c) => c.targetType === 'TEXT').map((c) => c.column);
    expect(text).toHaveLength(85);
    expect(text).not.toContain('c5');
    expect(plan.blockers).toEqual([]);
    expect(plan.notes).toContain(`table wide: columns ${text.slice(0, 10).join(', ')} and 75 more keep their values out of the row (TEXT, BLOB): as declared, they would take 400217 bytes of a row's declared columns, past the 65000 MariaDB/MySQL keeps`);
    // Into PostgreSQL nothing changes.
    expect(planMigration(schema, 'postgresql', { targetSchema: 'public' }).tables[0].columns.every((c) => !/TEXT/i.test(c.targetType) || c.column === 'id')).toBe(true);
    const edited = applyMappingEdits(plan, text.slice(0, 5).map((c) => ({ id: `wide.${c}`, target_type: 'VARCHAR(1000)' })), { recheckBlockers: true }).plan;
    expect(edited.blockers).toEqual([expect.stringMatching(/^table wide: its columns as planned would take \d+ bytes of a row's declared columns in MariaDB\/MySQL, past the 65000 it keeps/)]);
    // A plan made before the limits were checked (a workflow replaying its edits) is checked again without them.
    const { rowLimits: _made, ...before } = plan;
    expect(applyMappingEdits(before, text.slice(0, 5).map((c) => ({ id: `wide.${c}`, target_type: 'VARCHAR(1000)' })), { recheckBlockers: true }).plan.blockers).toEqual([]);
  });
});
