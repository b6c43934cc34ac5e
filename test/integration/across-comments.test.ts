/**
 * Across dialects, through the whole workflow on a real Temporal dev server: the source's table and column comments
 * arrive as the target's own (PostgreSQL ↔ MariaDB; SQLite keeps none, which the plan says), and a generated column's
 * values are copied with a note that the target does not compute them. Before, comments were kept only between
 * databases of one dialect, and a generated column became a plain one without a word.
 */
import Database from 'better-sqlite3';
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';

const suite = migrationSuite();

test('PostgreSQL → MariaDB and SQLite: comments kept where the target keeps them, said where it does not; a generated column noted', async () => {
  const source = await suite.database('postgresql');
  await pgRows(
    source.endpoint,
    `CREATE TABLE items (id int PRIMARY KEY, price numeric(10,2) NOT NULL, qty int NOT NULL, total numeric(12,2) GENERATED ALWAYS AS (price * qty) STORED, label text);
     COMMENT ON TABLE items IS 'what we sell, it''s all here';
     COMMENT ON COLUMN items.price IS 'in euros';
     COMMENT ON COLUMN items.label IS 'shown to customers';
     INSERT INTO items (id, price, qty, label) SELECT g, g * 1.5, g, 'item ' || g FROM generate_series(1, 7) g`,
  );

  const maria = await suite.database('mysql');
  const { status, plan } = await migrateOnce(suite, source, maria);
  expect(status.failure).toBeNull();
  expect(status.validation?.status).toBe('passed');
  expect(plan?.tables[0].columns.find((c) => c.column === 'total')?.note).toBe(
    'generated in the source (AS (price * (qty)::numeric)): its values are copied, and the target does not compute them',
  );
  expect(await mariadbRows(maria.endpoint, "SELECT TABLE_COMMENT c FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'items'")).toEqual([
    { c: "what we sell, it's all here" },
  ]);
  expect(await mariadbRows(maria.endpoint, "SELECT COLUMN_NAME n, COLUMN_COMMENT c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'items' AND COLUMN_COMMENT <> '' ORDER BY 1")).toEqual([
    { n: 'label', c: 'shown to customers' },
    { n: 'price', c: 'in euros' },
  ]);
  expect(await mariadbRows(maria.endpoint, 'SELECT CAST(SUM(total) AS CHAR) t FROM items')).toEqual([{ t: '210.00' }]);

  const lite = await suite.database('sqlite');
  const copied = await migrateOnce(suite, source, lite);
  expect(copied.status.failure).toBeNull();
  expect(copied.plan?.notes).toContain('comments on 1 table(s) and 2 column(s) are not migrated, because SQLite keeps no comments');
  const db = new Database(lite.endpoint.connectionString, { readonly: true });
  try {
    expect(db.prepare('SELECT sum(total) t FROM items').get()).toEqual({ t: 210 });
  } finally {
    db.close();
  }
}, 300_000);

test('MariaDB → PostgreSQL: the table and column comments are the target\'s own; a generated column noted', async () => {
  const source = await suite.database('mysql');
  await mariadbRows(
    source.endpoint,
    "CREATE TABLE items (id INT PRIMARY KEY, price DECIMAL(10,2) NOT NULL COMMENT 'in euros', qty INT NOT NULL, total DECIMAL(12,2) AS (price * qty) STORED, note TEXT COMMENT 'free text, \\'quoted\\'') COMMENT 'what we sell'",
  );
  await mariadbRows(source.endpoint, 'INSERT INTO items (id, price, qty, note) SELECT seq, seq * 1.5, seq, NULL FROM seq_1_to_7');
  const pg = await suite.database('postgresql');
  const { status, plan } = await migrateOnce(suite, source, pg);
  expect(status.failure).toBeNull();
  expect(status.validation?.status).toBe('passed');
  expect(plan?.tables[0].columns.find((c) => c.column === 'total')?.note).toMatch(/^generated in the source \(AS .*price.*qty.*\): its values are copied, and the target does not compute them$/);
  expect(await pgRows(pg.endpoint, "SELECT obj_description('items'::regclass, 'pg_class') c")).toEqual([{ c: 'what we sell' }]);
  expect(
    await pgRows(pg.endpoint, "SELECT a.attname n, col_description(a.attrelid, a.attnum) c FROM pg_attribute a WHERE a.attrelid = 'items'::regclass AND col_description(a.attrelid, a.attnum) IS NOT NULL ORDER BY 1"),
  ).toEqual([
    { n: 'note', c: "free text, 'quoted'" },
    { n: 'price', c: 'in euros' },
  ]);
  expect(await pgRows(pg.endpoint, 'SELECT sum(total)::text t FROM items')).toEqual([{ t: '210.00' }]);
}, 300_000);
