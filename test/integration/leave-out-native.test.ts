/**
 * Objects left out at the gate of tables migrated natively, through the workflow on a real Temporal dev server:
 * PostgreSQL → PostgreSQL and MariaDB → MariaDB make a table from the lists of its objects, so a CHECK the target's
 * rows would break, an expression or plain index and a default left out are not made, and the migration validates.
 * A unique key a foreign key references is refused unless that key goes too. SQLite → SQLite makes a table from its own
 * CREATE TABLE and its indexes apart: those may be left out, a CHECK may not. Before, every object of a table migrated
 * natively was refused ("drop it on the target once migrated"). The target is read with this test's own SQL.
 */
import Database from 'better-sqlite3';
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, leaveOutObjectsUpdate, planQuery, startUpdate } from '../../workflows/migration';
import { mariadbRows, pgRows } from '../helpers/databases';
import { recordHistories } from '../helpers/histories';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite({ timeoutMs: 120_000 });

async function atGate(source: Parameters<typeof startMigration>[1], target: Parameters<typeof startMigration>[2]) {
  const handle = await startMigration(suite.harness, source, target, 'conservative', {});
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  return handle;
}

test('PostgreSQL → PostgreSQL: a CHECK, an expression index, a plain index and a default left out are not made', async () => {
  const source = (await suite.database('postgresql')).endpoint;
  await pgRows(
    source,
    `CREATE TABLE owners (id int PRIMARY KEY, code text NOT NULL CONSTRAINT owners_code UNIQUE);
     CREATE TABLE pets (id int PRIMARY KEY, owner_code text REFERENCES owners (code), name text NOT NULL DEFAULT 'rex',
       CONSTRAINT pets_name_short CHECK (length(name) < 10));
     CREATE INDEX pets_lower ON pets (lower(name)); CREATE INDEX pets_name ON pets (name);
     INSERT INTO owners VALUES (1, 'a'); INSERT INTO pets VALUES (1, 'a', 'fido')`,
  );
  const target = (await suite.database('postgresql')).endpoint;
  const handle = await atGate(source, target);
  // The foreign key references owners_code: refused alone, taken with it.
  await expect(handle.executeUpdate(leaveOutObjectsUpdate, { args: [{ ids: ['unique:owners.owners_code'], by: 'test' }] })).rejects.toMatchObject({
    cause: { type: 'InvalidMapping', message: expect.stringContaining('unique:owners.owners_code: foreign key pets.pets_owner_code_fkey references its columns; leave it out too') },
  });
  const left = await handle.executeUpdate(leaveOutObjectsUpdate, {
    args: [{ ids: ['check:pets.pets_name_short', 'index:pets.pets_lower', 'index:pets.pets_name', 'default:pets.name'], by: 'test' }],
  });
  expect(left.leftOut).toHaveLength(4);
  expect(((await handle.query(planQuery)) as MigrationPlan).notes).toContain('check pets_name_short of pets is not migrated, because it was left out at the gate');
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);
  expect({ status: status.status, validation: status.validation?.status }).toEqual({ status: 'completed', validation: 'passed' });
  await recordHistories(suite.harness.client, handle.workflowId, 'gate-leave-out-native');
  expect(await pgRows(target, "SELECT conname FROM pg_constraint WHERE conrelid = 'pets'::regclass ORDER BY 1")).toEqual([{ conname: 'pets_owner_code_fkey' }, { conname: 'pets_pkey' }]);
  expect(await pgRows(target, "SELECT indexname FROM pg_indexes WHERE tablename = 'pets' ORDER BY 1")).toEqual([{ indexname: 'pets_pkey' }]);
  expect(await pgRows(target, "SELECT column_default FROM information_schema.columns WHERE table_name = 'pets' AND column_name = 'name'")).toEqual([{ column_default: null }]);
  // The CHECK is gone: a long name is taken.
  await pgRows(target, "INSERT INTO pets VALUES (2, 'a', 'a very long name indeed')");
}, 300_000);

test('MariaDB → MariaDB: a CHECK and an index left out are not made', async () => {
  const source = (await suite.database('mysql')).endpoint;
  await mariadbRows(source, `CREATE TABLE pets (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, KEY pets_name (name), CONSTRAINT pets_name_short CHECK (CHAR_LENGTH(name) < 10))`);
  await mariadbRows(source, `INSERT INTO pets VALUES (1, 'fido')`);
  const target = (await suite.database('mysql')).endpoint;
  const handle = await atGate(source, target);
  await handle.executeUpdate(leaveOutObjectsUpdate, { args: [{ ids: ['check:pets.pets_name_short', 'index:pets.pets_name'], by: 'test' }] });
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);
  expect({ status: status.status, validation: status.validation?.status }).toEqual({ status: 'completed', validation: 'passed' });
  expect(await mariadbRows(target, "SELECT CONSTRAINT_NAME n FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'pets'")).toEqual([]);
  expect(await mariadbRows(target, "SELECT DISTINCT INDEX_NAME n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'pets'")).toEqual([{ n: 'PRIMARY' }]);
}, 300_000);

test('SQLite → SQLite: indexes (plain, partial, on expressions) left out are not made; a CHECK, made with the table, is refused', async () => {
  const source = (await suite.database('sqlite')).endpoint;
  const db = new Database(source.connectionString);
  try {
    db.exec(`CREATE TABLE pets (id INTEGER PRIMARY KEY, name TEXT NOT NULL CONSTRAINT pets_name_short CHECK (length(name) < 10), gone TEXT);
      CREATE INDEX pets_name ON pets (name); CREATE INDEX pets_lower ON pets (lower(name)); CREATE INDEX pets_live ON pets (name) WHERE gone IS NULL;
      CREATE INDEX pets_kept ON pets (gone);
      INSERT INTO pets VALUES (1, 'fido', NULL), (2, 'rex', '2026-01-01');`);
  } finally {
    db.close();
  }
  const target = (await suite.database('sqlite')).endpoint;
  const handle = await atGate(source, target);
  await expect(handle.executeUpdate(leaveOutObjectsUpdate, { args: [{ ids: ['check:pets.pets_name_short'], by: 'test' }] })).rejects.toMatchObject({
    cause: { type: 'InvalidMapping', message: expect.stringContaining('table pets is created as the source declares it (same dialect); drop the check on the target once migrated') },
  });
  await handle.executeUpdate(leaveOutObjectsUpdate, { args: [{ ids: ['index:pets.pets_name', 'index:pets.pets_lower', 'index:pets.pets_live'], by: 'test' }] });
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);
  expect({ status: status.status, validation: status.validation?.status }).toEqual({ status: 'completed', validation: 'passed' });
  const made = new Database(target.connectionString, { readonly: true });
  try {
    expect(made.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'pets' ORDER BY name").all()).toEqual([{ name: 'pets_kept' }]);
    expect(made.prepare('SELECT id, name, gone FROM pets ORDER BY id').all()).toEqual([
      { id: 1, name: 'fido', gone: null },
      { id: 2, name: 'rex', gone: '2026-01-01' },
    ]);
  } finally {
    made.close();
  }
}, 300_000);
