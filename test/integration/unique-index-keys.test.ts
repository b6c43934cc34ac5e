/**
 * A foreign key may reference columns a UNIQUE index keys, not only a primary key or UNIQUE constraint (PostgreSQL and
 * MariaDB both accept it, and schemas made with `CREATE UNIQUE INDEX` have them). PostgreSQL names that index in the
 * foreign key's conindid too, so the introspection took it for an index behind a constraint and left it out: the target
 * got no unique index, and adding the foreign key after the copy failed the migration ("there is no unique constraint
 * matching given keys for referenced table", MariaDB errno 150). The child table sorts before its parent here, so its
 * key is added before the parent's indexes unless every table's indexes come first.
 */
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrateAndValidate, migrationSuite, seededDatabase } from '../helpers/suite';

const suite = migrationSuite();
const pg = seededDatabase(suite, 'postgresql', `CREATE TABLE b_parent (id int PRIMARY KEY, code text NOT NULL, region int NOT NULL, name text);
     CREATE UNIQUE INDEX b_parent_code ON b_parent (code);
     CREATE UNIQUE INDEX b_parent_region_name ON b_parent (region, name);
     CREATE TABLE a_child (id int PRIMARY KEY, parent_code text REFERENCES b_parent (code) ON DELETE CASCADE, region int, name text,
       CONSTRAINT a_child_pair FOREIGN KEY (region, name) REFERENCES b_parent (region, name));
     INSERT INTO b_parent VALUES (1, 'x', 1, 'one'), (2, 'y', 2, 'two');
     INSERT INTO a_child VALUES (1, 'x', 1, 'one'), (2, 'y', null, null), (3, null, 2, 'two');`);

const CHILDREN = [
  { id: 1, parent_code: 'x', region: 1, name: 'one' },
  { id: 2, parent_code: 'y', region: null, name: null },
  { id: 3, parent_code: null, region: 2, name: 'two' },
];

test('PostgreSQL → PostgreSQL: the unique indexes and both foreign keys made, every row copied', async () => {
  const target = await suite.database('postgresql');
  await migrateAndValidate(suite, pg(), target);
  expect(await pgRows(target.endpoint, 'SELECT id, parent_code, region, name FROM a_child ORDER BY id')).toEqual(CHILDREN);
  const unique = await pgRows(target.endpoint, "SELECT indexdef FROM pg_indexes WHERE tablename = 'b_parent' AND indexdef LIKE 'CREATE UNIQUE%' AND indexname NOT LIKE '%pkey' ORDER BY indexdef");
  expect(unique.map((r) => String(r.indexdef).replace(/ ON \S+ /, ' ON b_parent '))).toEqual([
    'CREATE UNIQUE INDEX b_parent_code ON b_parent USING btree (code)',
    'CREATE UNIQUE INDEX b_parent_region_name ON b_parent USING btree (region, name)',
  ]);
  const keys = await pgRows(target.endpoint, "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND conrelid = 'a_child'::regclass ORDER BY 1");
  expect(keys.map((k) => k.def)).toEqual(['FOREIGN KEY (parent_code) REFERENCES b_parent(code) ON DELETE CASCADE', 'FOREIGN KEY (region, name) REFERENCES b_parent(region, name)']);
  await expect(pgRows(target.endpoint, "INSERT INTO a_child VALUES (9, 'nope', null, null)")).rejects.toThrow(/violates foreign key constraint/);
}, 300_000);

test('PostgreSQL → MariaDB: the unique indexes and both foreign keys made, every row copied', async () => {
  const target = await suite.database('mysql');
  await migrateAndValidate(suite, pg(), target);
  expect(await mariadbRows(target.endpoint, 'SELECT id, parent_code, region, name FROM a_child ORDER BY id')).toEqual(CHILDREN);
  const unique = await mariadbRows(
    target.endpoint,
    "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'b_parent' AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY' GROUP BY INDEX_NAME ORDER BY cols",
  );
  expect(unique.map((r) => r.cols)).toEqual(['code', 'region,name']);
  const keys = await mariadbRows(target.endpoint, "SELECT REFERENCED_TABLE_NAME AS parent, DELETE_RULE AS on_delete FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'a_child' ORDER BY DELETE_RULE");
  expect(keys).toEqual([
    { parent: 'b_parent', on_delete: 'CASCADE' },
    { parent: 'b_parent', on_delete: 'NO ACTION' },
  ]);
  await expect(mariadbRows(target.endpoint, "INSERT INTO a_child VALUES (9, 'nope', null, null)")).rejects.toThrow(/foreign key constraint fails/);
}, 300_000);
