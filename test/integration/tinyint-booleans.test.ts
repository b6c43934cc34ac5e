/**
 * MariaDB's BOOLEAN is TINYINT(1), which holds any small integer: applications store 2 or -1 in it. Read as a boolean
 * for another dialect, 2 became true without a word (validation read the source the same way and passed). Now each row
 * holding a value other than 0 and 1 is rejected by key, naming the column; the gate's note says so beforehand.
 */
import Database from 'better-sqlite3';
import { sqlitePath } from '../../connectors/endpoint';
import type { MigrationPlan } from '../../lib/types';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';

const suite = migrationSuite();
let source: TempDatabase;

beforeAll(async () => {
  source = await suite.database('mysql');
  await mariadbRows(source.endpoint, 'CREATE TABLE flags (id INT PRIMARY KEY, active TINYINT(1), ok BOOLEAN)');
  await mariadbRows(source.endpoint, 'INSERT INTO flags VALUES (1, 1, 0), (2, 2, 1), (3, 0, -1), (4, NULL, NULL), (5, -1, 1)');
});

async function migrate(target: TempDatabase) {
  const { status, plan } = await migrateOnce(suite, source, target);
  return { status, plan: plan as MigrationPlan };
}

const notTruth = (id: number, column: string, type: string) => [
  [id],
  `column ${column} holds a value that is not a truth value (0, 1, true, false), which ${type} cannot hold: the row is not copied`,
];

test('MariaDB → PostgreSQL: 2 and -1 in a TINYINT(1) are rejected by key, not copied as true', async () => {
  const target = await suite.database('postgresql');
  const { status, plan } = await migrate(target);
  expect(plan.tables[0].columns.find((c) => c.column === 'active')?.note).toContain(
    'TINYINT(1) is read as boolean: a row holding a value other than 0 and 1 is rejected, named by its key',
  );
  expect(status.errors.filter((e) => e.code === 'RowRejected').map((e) => [e.key, e.message])).toEqual([
    notTruth(2, 'active', 'PostgreSQL boolean'),
    notTruth(3, 'ok', 'PostgreSQL boolean'),
    notTruth(5, 'active', 'PostgreSQL boolean'),
  ]);
  expect(await pgRows(target.endpoint, 'SELECT id, active, ok FROM flags ORDER BY id')).toEqual([
    { id: 1, active: true, ok: false },
    { id: 4, active: null, ok: null },
  ]);
}, 300_000);

test('MariaDB → SQLite: the same rows rejected; 0 and 1 copied as 0 and 1', async () => {
  const target = await suite.database('sqlite');
  const { status } = await migrate(target);
  expect(status.errors.filter((e) => e.code === 'RowRejected').map((e) => e.key)).toEqual([[2], [3], [5]]);
  const db = new Database(sqlitePath(target.endpoint.connectionString), { readonly: true });
  try {
    expect(db.prepare('SELECT id, active, ok FROM flags ORDER BY id').all()).toEqual([
      { id: 1, active: 1, ok: 0 },
      { id: 4, active: null, ok: null },
    ]);
  } finally {
    db.close();
  }
}, 300_000);
