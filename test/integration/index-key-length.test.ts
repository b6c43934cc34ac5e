/**
 * Index keys longer than InnoDB keeps (3072 bytes; utf8mb4 takes 4 a character), PostgreSQL → MariaDB, through the
 * whole workflow on a real Temporal dev server. Before, such an index failed the migration after the copy ("Specified
 * key was too long; max key length is 3072 bytes"), and a primary key that long failed the CREATE TABLE.
 * - A plain index past it is left out, said in the plan's notes; one that fits is made; every row is copied.
 * - A unique constraint past it is made as MariaDB makes one (a hash of its columns), said in the plan's notes.
 * - A primary key past it blocks at the gate, saying how to go on: with that table excluded, the rest migrates.
 */
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';

const suite = migrationSuite();
let wide: TempDatabase;
let longKey: TempDatabase;

beforeAll(async () => {
  wide = await suite.database('postgresql');
  await pgRows(
    wide.endpoint,
    `CREATE TABLE docs (id int PRIMARY KEY, a varchar(500), b varchar(500), body varchar(1000), title varchar(100), n int);
     CREATE INDEX docs_a_b ON docs (a, b);
     CREATE INDEX docs_body ON docs (body);
     CREATE INDEX docs_title_n ON docs (title, n);
     INSERT INTO docs SELECT i, repeat('a', 400) || i, repeat('b', 400), repeat('é', 900), 'title ' || i, i FROM generate_series(1, 25) i;
     CREATE TABLE labels (id int PRIMARY KEY, a varchar(500), b varchar(500), CONSTRAINT labels_ab UNIQUE (a, b));
     INSERT INTO labels SELECT i, repeat('x', 450) || i, repeat('y', 450) FROM generate_series(1, 5) i`,
  );
  longKey = await suite.database('postgresql');
  await pgRows(
    longKey.endpoint,
    `CREATE TABLE paths (path varchar(1000) PRIMARY KEY, size int);
     CREATE TABLE files (id int PRIMARY KEY, name varchar(200) NOT NULL);
     INSERT INTO paths VALUES ('/a', 1), ('/b', 2);
     INSERT INTO files SELECT i, 'file ' || i FROM generate_series(1, 7) i`,
  );
});

/** The target's indexes of `table` other than its primary key, each as its columns in order. */
async function indexedColumns(target: TempDatabase, table: string): Promise<string[][]> {
  const rows = (await mariadbRows(
    target.endpoint,
    `SELECT INDEX_NAME AS name, COLUMN_NAME AS col FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [target.name, table],
  )) as { name: string; col: string }[];
  const byName = new Map<string, string[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r.col]);
  return [...byName.values()];
}

test('a plain index past 3072 bytes is left out with its reason; the one that fits and a long unique key are made; every row copied and validated', async () => {
  const target = await suite.database('mysql');
  const { status, plan } = await migrateOnce(suite, wide, target, { chunkSize: 10 });
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.progress.rows_copied).toBe(30);
  expect(plan?.blockers).toEqual([]);
  expect(plan?.notes).toEqual(
    expect.arrayContaining([
      'index docs_a_b of docs is not migrated, because its key would take up to 4000 bytes, past the 3072 MariaDB/MySQL keeps',
      'index docs_body of docs is not migrated, because its key would take up to 4000 bytes, past the 3072 MariaDB/MySQL keeps',
      'unique constraint labels_ab of labels (a, b) would take up to 4000 bytes, past the 3072 MariaDB/MySQL keeps in a key: ' +
        'MariaDB keeps it as a hash of its columns (USING HASH), which no foreign key can reference; MySQL refuses it',
    ]),
  );
  expect(plan?.notes?.join('\n')).not.toMatch(/docs_title_n/);
  expect(await indexedColumns(target, 'docs')).toEqual([['title', 'n']]);
  expect(await mariadbRows(target.endpoint, 'SELECT count(*) AS n, sum(CHAR_LENGTH(body)) AS chars FROM docs')).toEqual([{ n: '25', chars: '22500' }]);
  expect(await indexedColumns(target, 'labels')).toEqual([['a', 'b']]);
  await expect(mariadbRows(target.endpoint, "INSERT INTO labels SELECT 99, a, b FROM labels WHERE id = 1")).rejects.toThrow(/Duplicate entry/);
}, 300_000);

test('a primary key past 3072 bytes blocks at the gate, saying so; with its table excluded the rest migrates', async () => {
  const blocked = await suite.database('mysql');
  const refused = await migrateOnce(suite, longKey, blocked);
  expect(refused.status.status).toBe('failed');
  expect(refused.status.failure?.code).toBe('UnsupportedColumnType');
  const blocker = 'primary key of paths (path) would take up to 4000 bytes in MariaDB/MySQL, past the 3072 it keeps: exclude the table (source.exclude_tables)';
  expect(refused.plan?.blockers).toEqual([blocker]);
  expect(refused.status.failure?.message).toContain(blocker);
  // Refused before anything was made in the target.
  expect(await mariadbRows(blocked.endpoint, 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [blocked.name])).toEqual([]);

  const target = await suite.database('mysql');
  const { status, plan } = await migrateOnce(suite, longKey, target, { excludeTables: ['paths'] });
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(plan?.blockers).toEqual([]);
  expect(status.tables.map((t) => t.name)).toEqual(['files']);
  expect(await mariadbRows(target.endpoint, 'SELECT count(*) AS n FROM files')).toEqual([{ n: '7' }]);
  expect(await mariadbRows(target.endpoint, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [target.name])).toEqual([{ t: 'files' }]);
}, 300_000);
