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
import { apiCaller, isOver } from '../helpers/http';
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
    const created = await api('POST', '/v1/migrations', {
      name: 'blockers at the gate',
      source: { type: 'postgresql', connection_string: source.endpoint.connectionString },
      target: { type: 'mysql', connection_string: target.endpoint.connectionString },
      // Aggressive approves whatever can run: these cannot, so it waits all the same.
      strategy: 'aggressive',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
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
    expect(refused.body.error.details).toEqual({ blockers: [SAME_NAME, LONG_KEY] });

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
