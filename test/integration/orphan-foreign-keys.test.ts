/**
 * Rows whose foreign key finds no parent, as real sources hold them: SQLite checks foreign keys only when a connection
 * asks (most do not), MariaDB not with foreign_key_checks off (a restored dump, a bulk load). Copied faithfully, they
 * broke the migration after the whole copy: PostgreSQL and MariaDB refused to add the key ("violates foreign key
 * constraint", errno 1452) and the migration failed; SQLite → SQLite failed the referential tier on the source's own
 * orphans. Now the key is created without checking the rows there (PostgreSQL NOT VALID, MariaDB with its checks off,
 * as mysqldump restores it), an error says so, and the referential tier fails only orphans the source does not hold.
 */
import Database from 'better-sqlite3';
import { sqlitePath } from '../../connectors/endpoint';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';
import { approveUpdate, startUpdate } from '../../workflows/migration';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite();
let sqlite: TempDatabase;
let mariadb: TempDatabase;
const CHILDREN = [
  [1, 1, 'x'],
  [2, 99, 'orphan'],
  [3, null, 'none'],
  [4, 2, 'y'],
];

beforeAll(async () => {
  sqlite = await suite.database('sqlite');
  const db = new Database(sqlitePath(sqlite.endpoint.connectionString));
  // better-sqlite3 turns foreign key checks on; most SQLite connections leave them off.
  db.pragma('foreign_keys = OFF');
  db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE child (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES parent(id), v TEXT)');
  db.exec("INSERT INTO parent VALUES (1, 'a'), (2, 'b')");
  const insert = db.prepare('INSERT INTO child VALUES (?, ?, ?)');
  for (const row of CHILDREN) insert.run(...row);
  db.close();
  mariadb = await suite.database('mysql');
  await mariadbRows(mariadb.endpoint, 'CREATE TABLE parent (id INT PRIMARY KEY, name TEXT)');
  await mariadbRows(mariadb.endpoint, 'CREATE TABLE child (id INT PRIMARY KEY, pid INT, v TEXT, CONSTRAINT fk_p FOREIGN KEY (pid) REFERENCES parent (id))');
  await mariadbRows(mariadb.endpoint, "INSERT INTO parent VALUES (1, 'a'), (2, 'b')");
  await mariadbRows(mariadb.endpoint, 'SET STATEMENT foreign_key_checks = 0 FOR INSERT INTO child VALUES ?', [CHILDREN]);
});

async function migrate(source: TempDatabase, target: TempDatabase) {
  const handle = await startMigration(suite.harness, source.endpoint, target.endpoint, 'balanced', { auto_approve_high_confidence: true, chunk_size: 2 });
  await handle.executeUpdate(startUpdate);
  const waiting = await waitForStatus(handle, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
  if (waiting.status === 'awaiting_approval') await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 180_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  return status;
}

/** Rows as CHILDREN has them (a SQLite INTEGER is a BIGINT in the target, which the drivers hand over as text). */
const asChildren = (rows: Record<string, unknown>[]) => rows.map((r) => [Number(r.id), r.pid === null ? null : Number(r.pid), r.v]);

const notValidated = (fk: string) => [
  `ForeignKeyNotValidated: foreign key child.${fk} → parent created without checking the rows copied: some of them reference no row, as they did in the source (the referential tier counts them on both sides); it holds for rows written from now on`,
];

describe.each([
  ['SQLite', () => sqlite, 'fk_child_0'],
  ['MariaDB', () => mariadb, 'fk_p'],
])('%s with an orphaned child row', (_name, source, fk) => {
  test('→ PostgreSQL: every row copied, the key created NOT VALID, said as an error', async () => {
    const target = await suite.database('postgresql');
    const status = await migrate(source(), target);
    expect(status.errors.map((e) => `${e.code}: ${e.message}`)).toEqual(notValidated(fk));
    expect(asChildren(await pgRows(target.endpoint, 'SELECT id, pid, v FROM child ORDER BY id'))).toEqual(CHILDREN);
    expect(await pgRows(target.endpoint, "SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND conrelid = 'child'::regclass")).toEqual([
      { conname: expect.stringContaining(fk), convalidated: false },
    ]);
    // It holds for rows written from now on.
    await expect(pgRows(target.endpoint, "INSERT INTO child VALUES (5, 77, 'new orphan')")).rejects.toThrow(/violates foreign key constraint/);
  }, 300_000);

  test('→ MariaDB: every row copied, the key created as mysqldump restores it, said as an error', async () => {
    const target = await suite.database('mysql');
    const status = await migrate(source(), target);
    expect(status.errors.map((e) => `${e.code}: ${e.message}`)).toEqual(notValidated(fk));
    expect(asChildren(await mariadbRows(target.endpoint, 'SELECT id, pid, v FROM child ORDER BY id'))).toEqual(CHILDREN);
    const keys = await mariadbRows(target.endpoint, "SELECT CONSTRAINT_NAME AS name FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'child'");
    expect(keys).toEqual([{ name: expect.stringContaining(fk) }]);
    await expect(mariadbRows(target.endpoint, "INSERT INTO child VALUES (5, 77, 'new orphan')")).rejects.toThrow(/foreign key constraint fails/);
  }, 300_000);
});

test('SQLite → SQLite: the source’s own orphans pass the referential tier, which says it holds them', async () => {
  const target = await suite.database('sqlite');
  const status = await migrate(sqlite, target);
  expect(status.errors).toEqual([]);
  expect(status.validation?.tiers.referential.summary).toMatch(/orphans only as the source holds them: child\.fk_child_0 \(1\)/);
}, 300_000);
