/**
 * Names that differ only in case, which PostgreSQL keeps apart (quoted) and other targets do not: SQLite's table and
 * column names ignore ASCII case, MariaDB's column names ignore case. Before, such a migration failed half-way, at
 * CREATE TABLE ("table users already exists", "Duplicate column name"), after the gate.
 * - Tables: the later one gets a name of its own in the target (users_2), said at the gate; its rows, and a foreign
 *   key to it, go there.
 * - Columns of one table: a blocker that holds the gate before anything is created, naming the table, the two columns
 *   and what to do; excluding the table lets the rest migrate.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { sqlitePath } from '../../connectors/endpoint';
import type { MigrationPlan } from '../../lib/types';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';
import { approveUpdate, startUpdate } from '../../workflows/migration';

const suite = migrationSuite();
let pg: TempDatabase;

beforeAll(async () => {
  pg = await suite.database('postgresql');
  for (const sql of [
    'CREATE TABLE "Users" (id int PRIMARY KEY, who text)',
    'CREATE TABLE users (id int PRIMARY KEY, who text)',
    'CREATE TABLE visits (id int PRIMARY KEY, user_id int REFERENCES users (id))',
    `INSERT INTO "Users" VALUES (1, 'upper')`,
    `INSERT INTO users VALUES (1, 'lower one'), (2, 'lower two')`,
    'INSERT INTO visits VALUES (10, 2)',
    'CREATE TABLE people (id int PRIMARY KEY, "Name" text, name text)',
    `INSERT INTO people VALUES (1, 'Ada', 'ada')`,
  ]) await pgRows(pg.endpoint, sql);
});

async function migrate(target: TempDatabase, excludeTables?: string[]) {
  const { status, plan } = await migrateOnce(suite, pg, target, excludeTables ? { excludeTables } : {});
  return { status, plan: plan as MigrationPlan };
}

const PEOPLE_REFUSED = (label: string) =>
  `columns Name and name of people are one column name in ${label}, whose column names ignore case: exclude the table (source.exclude_tables) or rename one of them in the source`;

test.each([
  ['sqlite', 'SQLite'],
  ['mysql', 'MariaDB/MySQL'],
] as const)('PostgreSQL → %s: columns one name apart only in case hold the gate, before anything is created; approving is refused', async (dialect, label) => {
  const target = await suite.database(dialect);
  const handle = await startMigration(suite.harness, pg.endpoint, target.endpoint, 'aggressive');
  await handle.executeUpdate(startUpdate);
  const waiting = await waitForStatus(handle, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
  expect(waiting.status).toBe('awaiting_approval');
  expect(waiting.gate?.reason).toContain(PEOPLE_REFUSED(label));
  await expect(handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] })).rejects.toMatchObject({ cause: { type: 'MappingBlocked' } });
  // Nothing was created: SQLite's file was not even made.
  if (dialect === 'sqlite') expect(fs.existsSync(sqlitePath(target.endpoint.connectionString))).toBe(false);
  else expect(await mariadbRows(target.endpoint, 'SHOW TABLES')).toEqual([]);
  await handle.terminate('test over');
}, 300_000);

test('PostgreSQL → SQLite: "Users" and users are two tables (users as users_2), each with its rows, the foreign key to the right one', async () => {
  const target = await suite.database('sqlite');
  const { status, plan } = await migrate(target, ['people']);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(plan.tables.map((t) => [t.source.name, t.target])).toEqual(expect.arrayContaining([['Users', 'Users'], ['users', 'users_2']]));
  expect(plan.notes).toContain('table users is named users_2 in the target: SQLite table names ignore case, and table Users takes users there');
  const db = new Database(sqlitePath(target.endpoint.connectionString), { readonly: true });
  try {
    expect(db.prepare('SELECT id, who FROM "Users" ORDER BY id').all()).toEqual([{ id: 1, who: 'upper' }]);
    expect(db.prepare('SELECT id, who FROM users_2 ORDER BY id').all()).toEqual([
      { id: 1, who: 'lower one' },
      { id: 2, who: 'lower two' },
    ]);
    expect(db.prepare('SELECT "table", "to" FROM pragma_foreign_key_list(\'visits\')').all()).toEqual([{ table: 'users_2', to: 'id' }]);
  } finally {
    db.close();
  }
}, 300_000);
