/**
 * What cannot be moved as planned stops at the gate, not half-way: through the API, a PostgreSQL database whose
 * tables MariaDB cannot take as they are (a primary key past the bytes InnoDB keeps in a key; two columns whose names
 * differ only in case) waits at the gate with the blockers listed, whatever the strategy; approving is refused while
 * any stands; an edit ends one, leaving a table out (PATCH …/mappings with exclude_tables) ends the other, and the same
 * migration then migrates the rest and validates. Real HTTP, real Temporal, a real worker process, real databases;
 * the rows are compared by the test's own queries.
 */
import mysql from 'mysql2/promise';
import { Client as PgClient } from 'pg';
import { apiCaller, createAndStart, isOver } from '../helpers/http';
import { stackSuite } from '../helpers/stack-suite';

const suite = stackSuite();

const LONG_KEY = 'primary key of paths (path) would take up to 4000 bytes in MariaDB/MySQL, past the 3072 it keeps: exclude the table (source.exclude_tables)';
const SAME_NAME = 'columns Name and name of people are one column name in MariaDB/MySQL, whose column names ignore case: exclude the table (source.exclude_tables) or rename one of them in the source';

test('blockers wait at the gate; an edit and a table left out end them; the same migration migrates the rest', async () => {
  const { stack } = suite;
  const [source, target] = [await suite.database('postgresql'), await suite.database('mysql')];
  const pg = new PgClient({ connectionString: source.endpoint.connectionString });
  await pg.connect();
  const my = await mysql.createConnection(target.endpoint.connectionString);
  try {
    await pg.query(`CREATE TABLE paths (path varchar(1000) PRIMARY KEY, size int);
      INSERT INTO paths SELECT '/data/' || g, g FROM generate_series(1, 50) g;
      CREATE TABLE people (id int PRIMARY KEY, "Name" text, name text);
      INSERT INTO people VALUES (1, 'Ada', 'ada'), (2, 'Grace', 'grace');
      CREATE TABLE visits (id int PRIMARY KEY, path varchar(1000) REFERENCES paths, at timestamptz NOT NULL);
      INSERT INTO visits SELECT g, '/data/' || (g % 50 + 1), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, 300) g`);

    const { api, poll } = apiCaller(stack);
    // Aggressive approves whatever can run: these cannot, so it waits all the same.
    const id = await createAndStart(api, { name: 'blockers at the gate', source, target, strategy: 'aggressive' });
    const waiting = await poll(id, (s) => s.status === 'awaiting_approval' || isOver(s));
    expect(waiting.status).toBe('awaiting_approval');
    expect(waiting.gate).toMatchObject({ required: true, state: 'pending' });
    expect(waiting.gate?.reason).toContain('the mapping has 2 blocker(s)');
    const mappings = await api('GET', `/v1/migrations/${id}/mappings`);
    expect(mappings.body.blockers).toEqual([SAME_NAME, LONG_KEY]);
    // Nothing is created while it waits.
    const [made] = await my.query('SELECT count(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
    expect(made).toEqual([{ n: 0 }]);

    const refused = await api('POST', `/v1/migrations/${id}/approve`, { comment: 'ship it' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(LONG_KEY);
    expect(refused.body.error.details).toEqual({ blockers: [SAME_NAME, LONG_KEY], blockers_total: 2 });

    // The key column in a type its key fits in: that blocker ends (the edit narrows the type: a person approves).
    const edited = await api('PATCH', `/v1/migrations/${id}/mappings`, { mappings: [{ id: 'paths.path', target_type: 'varchar(700)' }] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ excluded_tables: [], blockers: [SAME_NAME], gate: { state: 'pending', required: true } });
    // A table the plan does not have, an edit of a table the same request leaves out, an empty body: refused.
    const unknown = await api('PATCH', `/v1/migrations/${id}/mappings`, { exclude_tables: ['nope'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toMatchObject({ field: 'exclude_tables' });
    const both = await api('PATCH', `/v1/migrations/${id}/mappings`, { exclude_tables: ['people'], mappings: [{ id: 'people.id', target_type: 'bigint' }] });
    expect(both.status).toBe(422);
    expect(both.body.error.message).toBe('mapping people.id is of table people, which this request leaves out');
    expect((await api('PATCH', `/v1/migrations/${id}/mappings`, {})).status).toBe(422);
    expect((await api('GET', `/v1/migrations/${id}/mappings`)).body.blockers).toEqual([SAME_NAME]);

    // Planning again reads the source again: one that no longer has the table refuses the change, saying why.
    await pg.query('ALTER TABLE people RENAME TO people_gone');
    const gone = await api('PATCH', `/v1/migrations/${id}/mappings`, { exclude_tables: ['people'] });
    expect(gone.status).toBe(409);
    expect(gone.body.error.message).toBe(
      'the mapping could not be planned again without those tables (nothing changed): source.exclude_tables names tables the source does not have: people',
    );
    await pg.query('ALTER TABLE people_gone RENAME TO people');
    expect((await api('GET', `/v1/migrations/${id}/mappings`)).body.blockers).toEqual([SAME_NAME]);

    // The table left out and the foreign key's other side edited to match the key (else the target might refuse the
    // key), in one request: the source analysed and the mapping planned again, the earlier edit made again.
    const left = await api('PATCH', `/v1/migrations/${id}/mappings`, { exclude_tables: ['people'], mappings: [{ id: 'visits.path', target_type: 'varchar(700)' }] });
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ edited: [{ id: 'visits.path', target_type: 'VARCHAR(700)' }], excluded_tables: ['people'], blockers: [] });
    // Aggressive: with nothing blocking, the gate opens by itself.
    expect(left.body.gate).toMatchObject({ state: 'auto_approved', decided_by: 'sensei' });

    const done = await poll(id, isOver, 240_000);
    expect(done.failure).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.validation?.status).toBe('passed');
    expect(done.source.exclude_tables).toEqual(['people']);
    expect(done.tables.map((t) => t.name).sort()).toEqual(['paths', 'visits']);
    const after = await api('GET', `/v1/migrations/${id}/mappings`);
    expect(after.body.data.map((m: { id: string }) => m.id).sort()).toEqual(['paths.path', 'paths.size', 'visits.at', 'visits.id', 'visits.path']);
    expect(after.body.data.find((m: { id: string }) => m.id === 'paths.path')).toMatchObject({ target_type: 'VARCHAR(700)' });

    // Every row, as the source has it, by the test's own queries; the left-out table is not on the target.
    const [tables] = await my.query('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME');
    expect(tables).toEqual([{ t: 'paths' }, { t: 'visits' }]);
    const [paths] = await my.query('SELECT count(*) AS n, sum(size) AS total, max(CHAR_LENGTH(path)) AS longest FROM paths');
    const sourcePaths = (await pg.query('SELECT count(*)::int n, sum(size)::int total, max(length(path)) longest FROM paths')).rows[0];
    expect(paths).toEqual([{ n: sourcePaths.n, total: String(sourcePaths.total), longest: sourcePaths.longest }]);
    const [visits] = await my.query("SELECT count(*) AS n, sum(id) AS ids, min(path) AS first, count(DISTINCT path) AS paths FROM visits");
    expect(visits).toEqual([{ n: 300, ids: '45150', first: '/data/1', paths: 50 }]);
    const [keys] = await my.query("SELECT CONSTRAINT_NAME AS k FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'visits'");
    expect((keys as unknown[]).length).toBe(1);
  } finally {
    await Promise.allSettled([pg.end(), my.end()]);
  }
}, 420_000);

test("the tables' other objects are mappings too: listed with what the target gets and why not; one left out at the gate is not made", async () => {
  const { stack } = suite;
  const [source, target] = [await suite.database('postgresql'), await suite.database('mysql')];
  const pg = new PgClient({ connectionString: source.endpoint.connectionString });
  await pg.connect();
  const my = await mysql.createConnection(target.endpoint.connectionString);
  try {
    await pg.query(`CREATE TABLE owners (id int PRIMARY KEY, name varchar(40) NOT NULL DEFAULT 'anon');
      CREATE TABLE pets (id int PRIMARY KEY, owner int REFERENCES owners ON DELETE CASCADE, name varchar(40), weight numeric(6,2),
        CONSTRAINT pets_weight CHECK (weight < 100), CONSTRAINT pets_name_lower CHECK (name ~ '^[a-z]+$'));
      CREATE INDEX pets_name ON pets (name); CREATE INDEX pets_lower ON pets (lower(name));
      INSERT INTO owners SELECT g, 'owner' || g FROM generate_series(1, 10) g;
      INSERT INTO pets SELECT g, g % 10 + 1, 'pet', g * 3 FROM generate_series(1, 30) g`);

    const { api, poll } = apiCaller(stack);
    const id = await createAndStart(api, { name: 'object mappings', source, target, strategy: 'conservative' });
    expect((await poll(id, (s) => s.status === 'awaiting_approval' || isOver(s))).status).toBe('awaiting_approval');

    const objects = await api('GET', `/v1/migrations/${id}/mappings?kind=object&limit=100`);
    expect(objects.status).toBe(200);
    const byId = new Map((objects.body.data as { id: string }[]).map((o) => [o.id, o]));
    expect([...byId.keys()].sort()).toEqual(
      ['check:pets.pets_name_lower', 'check:pets.pets_weight', 'default:owners.name', 'foreign_key:pets.pets_owner_fkey', 'index:pets.pets_lower', 'index:pets.pets_name'].sort(),
    );
    expect(byId.get('index:pets.pets_lower')).toMatchObject({ kind: 'index', migrated: false, target: null, note: expect.stringContaining('is an expression index') });
    expect(byId.get('check:pets.pets_name_lower')).toMatchObject({ migrated: false, note: expect.stringMatching(/^not migrated, because /) });
    expect(byId.get('check:pets.pets_weight')).toEqual({
      id: 'check:pets.pets_weight',
      kind: 'check',
      table: 'pets',
      name: 'pets_weight',
      source: 'CHECK ((weight < (100)::numeric))',
      target: expect.stringContaining('weight'),
      migrated: true,
      note: null,
    });
    expect((await api('GET', `/v1/migrations/${id}/mappings?kind=foreign_key`)).body.data).toEqual([
      expect.objectContaining({ id: 'foreign_key:pets.pets_owner_fkey', source: '(owner) → owners(id) ON DELETE CASCADE ON UPDATE NO ACTION', migrated: true }),
    ]);
    expect((await api('GET', `/v1/migrations/${id}/mappings/index:pets.pets_name`)).body).toMatchObject({ source: 'USING btree (name)', target: '(name)', migrated: true });
    // The columns stay the default kind.
    expect((await api('GET', `/v1/migrations/${id}/mappings?limit=100`)).body.data.every((m: { source_type?: string }) => typeof m.source_type === 'string')).toBe(true);
    expect((await api('GET', `/v1/migrations/${id}/mappings?kind=view`)).status).toBe(422);

    // Refused: an unknown object, one not migrated anyway, leave_out with other edits in one request.
    expect((await api('PATCH', `/v1/migrations/${id}/mappings`, { leave_out: ['index:pets.nope'] })).status).toBe(404);
    const anyway = await api('PATCH', `/v1/migrations/${id}/mappings`, { leave_out: ['index:pets.pets_lower'] });
    expect(anyway.status).toBe(422);
    expect(anyway.body.error.message).toMatch(/^index:pets.pets_lower is not migrated anyway/);
    expect((await api('PATCH', `/v1/migrations/${id}/mappings`, { leave_out: ['index:pets.pets_name'], exclude_tables: ['owners'] })).status).toBe(422);

    const left = await api('PATCH', `/v1/migrations/${id}/mappings`, { leave_out: ['check:pets.pets_weight', 'index:pets.pets_name'] });
    expect(left.status).toBe(200);
    expect(left.body).toMatchObject({ left_out: ['check:pets.pets_weight', 'index:pets.pets_name'], excluded_tables: [], blockers: [], gate: { state: 'pending' } });
    const after = new Map(((await api('GET', `/v1/migrations/${id}/mappings?kind=object&limit=100`)).body.data as { id: string }[]).map((o) => [o.id, o]));
    expect(after.get('check:pets.pets_weight')).toMatchObject({ migrated: false, target: null, note: 'not migrated, because it was left out at the gate' });
    const owners = await api('GET', `/v1/migrations/${id}/mappings/default:owners.name`);
    expect(owners.body).toMatchObject({ source: "'anon'::character varying", target: "'anon'", migrated: true });

    // A table left out afterwards (the mapping planned again): the objects left out stay out; the key to it goes.
    const excluded = await api('PATCH', `/v1/migrations/${id}/mappings`, { exclude_tables: ['owners'] });
    expect(excluded.status).toBe(200);
    expect(excluded.body).toMatchObject({ excluded_tables: ['owners'], left_out: ['check:pets.pets_weight', 'index:pets.pets_name'] });
    const replanned = new Map(((await api('GET', `/v1/migrations/${id}/mappings?kind=object&limit=100`)).body.data as { id: string }[]).map((o) => [o.id, o]));
    expect([...replanned.keys()].sort()).toEqual(['check:pets.pets_name_lower', 'check:pets.pets_weight', 'foreign_key:pets.pets_owner_fkey', 'index:pets.pets_lower', 'index:pets.pets_name']);
    expect(replanned.get('check:pets.pets_weight')).toMatchObject({ migrated: false, note: 'not migrated, because it was left out at the gate' });
    expect(replanned.get('index:pets.pets_name')).toMatchObject({ migrated: false });
    expect(replanned.get('foreign_key:pets.pets_owner_fkey')).toMatchObject({ migrated: false, note: 'not migrated, because it references table owners, which is not part of this migration' });

    expect((await api('POST', `/v1/migrations/${id}/approve`, {})).status).toBe(200);
    const done = await poll(id, isOver, 240_000);
    expect(done.failure).toBeNull();
    expect(done.status).toBe('completed');
    expect(done.validation?.status).toBe('passed');
    // On the target: no CHECK, no pets_name index, no foreign key to the table left out, no owners.
    const [checks] = await my.query("SELECT CONSTRAINT_NAME n FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'pets'");
    expect(checks).toEqual([]);
    const [indexes] = await my.query("SELECT DISTINCT INDEX_NAME n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'pets' ORDER BY 1");
    expect((indexes as { n: string }[]).map((r) => r.n)).not.toContain('pets_name');
    const [keys] = await my.query("SELECT DELETE_RULE d FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()");
    expect(keys).toEqual([]);
    const [tables] = await my.query('SELECT TABLE_NAME t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
    expect(tables).toEqual([{ t: 'pets' }]);
    const [rows] = await my.query('SELECT count(*) AS n, sum(weight) AS w FROM pets');
    expect(rows).toEqual([{ n: 30, w: '1395.00' }]);
  } finally {
    await Promise.allSettled([pg.end(), my.end()]);
  }
}, 420_000);
