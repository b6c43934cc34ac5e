/**
 * A PostgreSQL schema as real ones are, migrated to MariaDB, SQLite and PostgreSQL through the workflow. Each of these
 * once failed the whole migration:
 * - a table without columns (`CREATE TABLE nothing ()`): "syntax error" creating or copying it; now left out, said;
 * - a foreign key on a text column referencing a UNIQUE text column: MariaDB keyed the parent as VARCHAR(255) and left
 *   the child LONGTEXT, and creating the foreign key failed after the copy (errno 150); foreign-key columns are now
 *   key columns for the type map;
 * - a bigserial primary key into SQLite: created INTEGER (the rowid) while the plan said BIGINT, and the structural
 *   tier failed the migration.
 * Alongside: an identity ALWAYS key, an EXCLUDE constraint, a deferrable foreign key, arrays of enums and composites,
 * a domain over an array, a stored generated column and a partitioned table with a default partition.
 */
import Database from 'better-sqlite3';
import { sqlitePath } from '../../connectors/endpoint';
import type { MigrationPlan } from '../../lib/types';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateAndValidate, migrationSuite } from '../helpers/suite';

const suite = migrationSuite();
let source: TempDatabase;

const SOURCE = [
  `CREATE TYPE mood AS ENUM ('sad', 'ok')`,
  `CREATE TYPE pair AS (a int, b text)`,
  `CREATE DOMAIN tags AS text[] CHECK (cardinality(VALUE) < 5)`,
  `CREATE EXTENSION IF NOT EXISTS btree_gist`,
  `CREATE TABLE parent (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, code text UNIQUE NOT NULL, during tsrange, EXCLUDE USING gist (during WITH &&))`,
  `CREATE TABLE child (id bigserial PRIMARY KEY, parent_code text REFERENCES parent (code) DEFERRABLE INITIALLY DEFERRED, moods mood[], pairs pair[], t tags,
     total numeric GENERATED ALWAYS AS (id * 2) STORED)`,
  `CREATE TABLE nothing ()`,
  `CREATE TABLE events (id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)`,
  `CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')`,
  `CREATE TABLE events_other PARTITION OF events DEFAULT`,
  `INSERT INTO parent (code, during) VALUES ('a', '[2020-01-01,2020-02-01)'), ('b', '[2020-03-01,2020-04-01)')`,
  `INSERT INTO child (parent_code, moods, pairs, t) VALUES ('a', '{sad,ok}', ARRAY[ROW(1,'x')::pair, ROW(2,NULL)::pair], '{a,b}'), ('b', NULL, '{}', '{}'), (NULL, '{ok,NULL}', NULL, NULL)`,
  `INSERT INTO events VALUES (1, '2020-05-05'), (2, '2024-01-01'), (3, '1999-12-31')`,
];

beforeAll(async () => {
  source = await suite.database('postgresql');
  for (const sql of SOURCE) await pgRows(source.endpoint, sql);
});

async function migrate(target: TempDatabase): Promise<MigrationPlan> {
  const plan = await migrateAndValidate(suite, source, target);
  expect(plan.tables.map((t) => t.source.name).sort()).toEqual(['child', 'events', 'parent']);
  expect(plan.notes).toContain('table nothing is not migrated, because it has no columns');
  return plan;
}

const ROW_COUNTS = { parent: 2, child: 3, events: 3 };

test('PostgreSQL → MariaDB: the foreign key on text columns is created; every row arrives', async () => {
  const target = await suite.database('mysql');
  const plan = await migrate(target);
  const child = plan.tables.find((t) => t.source.name === 'child')!;
  expect(child.columns.find((c) => c.column === 'parent_code')?.targetType).toBe('VARCHAR(255)');
  const fks = await mariadbRows(target.endpoint, 'SELECT TABLE_NAME t, REFERENCED_TABLE_NAME r FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?', [target.name]);
  expect(fks).toEqual([{ t: 'child', r: 'parent' }]);
  for (const [table, n] of Object.entries(ROW_COUNTS)) {
    expect({ table, n: (await mariadbRows(target.endpoint, `SELECT CAST(COUNT(*) AS CHAR) n FROM \`${table}\``))[0].n }).toEqual({ table, n: String(n) });
  }
  expect(await mariadbRows(target.endpoint, 'SELECT parent_code p, moods m FROM child ORDER BY id')).toEqual([
    { p: 'a', m: ['sad', 'ok'] },
    { p: 'b', m: null },
    { p: null, m: ['ok', null] },
  ]);
}, 300_000);

test('PostgreSQL → SQLite: the bigserial key is the rowid, INTEGER in the plan too', async () => {
  const target = await suite.database('sqlite');
  const plan = await migrate(target);
  expect(plan.tables.find((t) => t.source.name === 'child')!.columns[0].targetType).toBe('INTEGER');
  const db = new Database(sqlitePath(target.endpoint.connectionString), { readonly: true });
  try {
    for (const [table, n] of Object.entries(ROW_COUNTS)) expect({ table, n: db.prepare(`SELECT COUNT(*) n FROM "${table}"`).get() }).toEqual({ table, n: { n } });
    expect(db.prepare("SELECT type FROM pragma_table_info('child') WHERE name = 'id'").get()).toEqual({ type: 'INTEGER' });
    expect(db.prepare('SELECT id, parent_code FROM child ORDER BY id').all()).toEqual([
      { id: 1, parent_code: 'a' },
      { id: 2, parent_code: 'b' },
      { id: 3, parent_code: null },
    ]);
  } finally {
    db.close();
  }
}, 300_000);

test('PostgreSQL → PostgreSQL: the rest as it was', async () => {
  const target = await suite.database('postgresql');
  await migrate(target);
  const read = (db: TempDatabase) => pgRows(db.endpoint, 'SELECT id, parent_code, moods::text m, pairs::text p, t::text t, total::text total FROM child ORDER BY id');
  expect(await read(target)).toEqual(await read(source));
  const excl = (db: TempDatabase) => pgRows(db.endpoint, "SELECT conname FROM pg_constraint WHERE contype = 'x' AND connamespace = 'public'::regnamespace");
  expect(await excl(target)).toEqual(await excl(source));
  const events = (db: TempDatabase) => pgRows(db.endpoint, 'SELECT tableoid::regclass::text p, id FROM events ORDER BY id');
  expect(await events(target)).toEqual(await events(source));
}, 300_000);
