/**
 * PostgreSQL → PostgreSQL: extensions a schema uses besides its columns' types. An exclusion constraint over an integer
 * needs btree_gist's operator class, a trigram index pg_trgm's, a uuid_generate_v4() default uuid-ossp. Only extensions
 * of column types were created, so the target refused the table ("data type integer has no default operator class"),
 * its default, or its index after the copy, and the migration failed. Now each is created before the tables.
 */
import { pgRows } from '../helpers/databases';
import { migrateAndValidate, migrationSuite, seededDatabase } from '../helpers/suite';

const suite = migrationSuite();
const pg = seededDatabase(suite, 'postgresql', `CREATE EXTENSION btree_gist; CREATE EXTENSION pg_trgm; CREATE EXTENSION "uuid-ossp";
     CREATE TABLE room (id int PRIMARY KEY, name text NOT NULL);
     CREATE TABLE booking (id int PRIMARY KEY, room_id int NOT NULL REFERENCES room (id), during tstzrange NOT NULL,
       EXCLUDE USING gist (room_id WITH =, during WITH &&));
     CREATE TABLE doc (id uuid DEFAULT uuid_generate_v4() PRIMARY KEY, title text);
     CREATE INDEX doc_title_trgm ON doc USING gin (title gin_trgm_ops);
     INSERT INTO room VALUES (1, 'a'), (2, 'b');
     INSERT INTO booking VALUES (1, 1, '[2020-01-01,2020-01-02)'), (2, 1, '[2020-01-02,2020-01-03)'), (3, 2, '[2020-01-01,2020-01-03)');
     INSERT INTO doc (title) VALUES ('hello'), ('world');`);

test('the extensions an index, an exclusion constraint and a default use are created, and what uses them made', async () => {
  const target = await suite.database('postgresql');
  await migrateAndValidate(suite, pg(), target);
  expect((await pgRows(target.endpoint, "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1")).map((r) => r.extname)).toEqual([
    'btree_gist',
    'pg_trgm',
    'uuid-ossp',
  ]);
  expect(await pgRows(target.endpoint, "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'x'")).toEqual([{ def: 'EXCLUDE USING gist (room_id WITH =, during WITH &&)' }]);
  await expect(pgRows(target.endpoint, "INSERT INTO booking VALUES (4, 1, '[2020-01-01 12:00,2020-01-01 13:00)')")).rejects.toThrow(/conflicting key value violates exclusion constraint/);
  expect(await pgRows(target.endpoint, "SELECT indexdef FROM pg_indexes WHERE indexname = 'doc_title_trgm'")).toEqual([
    { indexdef: expect.stringMatching(/USING gin \(title gin_trgm_ops\)$/) },
  ]);
  expect(await pgRows(target.endpoint, "INSERT INTO doc (title) VALUES ('new') RETURNING length(id::text) AS n")).toEqual([{ n: 36 }]);
  expect((await pgRows(target.endpoint, 'SELECT title FROM doc ORDER BY title')).map((r) => r.title)).toEqual(['hello', 'new', 'world']);
}, 300_000);
