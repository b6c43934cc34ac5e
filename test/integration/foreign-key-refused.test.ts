/**
 * A foreign key the target refuses as declared (here: its column retyped at the gate, so it no longer matches the key it
 * references) failed the whole migration after the copy ("errno: 150", "cannot be implemented"), leaving indexes and
 * the other foreign keys unmade. Now the gate says the edited column no longer matches the key; every row stays
 * copied, the rest of the schema is made, the key is recorded as an error with the target's reason, and the structural
 * tier names it missing.
 */
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrationSuite, seededDatabase } from '../helpers/suite';
import { approveUpdate, editMappingsUpdate, startUpdate } from '../../workflows/migration';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite();
const pg = seededDatabase(suite, 'postgresql', `CREATE TABLE parent (id int PRIMARY KEY, name text);
     CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent (id), other int REFERENCES parent (id), v varchar(10));
     CREATE INDEX child_v ON child (v);
     INSERT INTO parent VALUES (1, 'a'), (2, 'b');
     INSERT INTO child VALUES (1, 1, 2, 'x'), (2, 2, null, 'y'), (3, null, 1, 'z');`);

test('PostgreSQL → MariaDB, a key column retyped at the gate: the key said refused, everything else made, every row copied', async () => {
  const target = await suite.database('mysql');
  const handle = await startMigration(suite.harness, pg().endpoint, target.endpoint, 'balanced', { auto_approve_high_confidence: false });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  const { edited } = await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'child.pid', target_type: 'VARCHAR(20)' }]] });
  // The gate says it before the copy.
  expect(edited[0].note).toContain('foreign key child_pid_fkey child(pid) → parent(id) pairs it with id of type INT: the target may refuse the key');
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);

  expect(status.phases.find((p) => p.name === 'data_transfer')?.status).toBe('completed');
  const refused = status.errors.filter((e) => e.code === 'ForeignKeyNotCreated').map((e) => [e.phase, e.message]);
  expect(refused).toEqual([
    [
      'data_transfer',
      expect.stringMatching(
        /^foreign key child\.child_pid_fkey → parent not created: the target refused it \(adding foreign key child_pid_fkey failed on mysql .*errno: 150 .*\); every row is copied, and the key is to create by hand$/,
      ),
    ],
  ]);
  // The structural tier names the key missing; every other tier finds the rows equal.
  expect(status.status).toBe('failed');
  expect(status.failure?.code).toBe('ValidationFailed');
  expect(status.validation?.diagnosis?.caught_by).toBe('structural');
  expect(status.validation?.tiers.structural.summary).toBe('1 difference(s); first: foreign key child_pid_fkey child(pid) → parent(id) is missing');
  expect(status.validation?.tiers.semantic.verdict).toBe('passed');

  expect(await mariadbRows(target.endpoint, 'SELECT id, pid, other, v FROM child ORDER BY id')).toEqual([
    { id: 1, pid: '1', other: 2, v: 'x' },
    { id: 2, pid: '2', other: null, v: 'y' },
    { id: 3, pid: null, other: 1, v: 'z' },
  ]);
  // The other foreign key and the index are made.
  const keys = await mariadbRows(target.endpoint, "SELECT COLUMN_NAME AS col FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' AND REFERENCED_TABLE_NAME IS NOT NULL");
  expect(keys).toEqual([{ col: 'other' }]);
  const indexes = await mariadbRows(target.endpoint, "SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' AND COLUMN_NAME = 'v'");
  expect(indexes).toEqual([{ name: 'child_v' }]);
}, 300_000);

test('PostgreSQL → PostgreSQL, a key column retyped to text: only the structural tier fails (the key is missing); the others compare the key as text', async () => {
  const target = await suite.database('postgresql');
  const handle = await startMigration(suite.harness, pg().endpoint, target.endpoint, 'balanced', { auto_approve_high_confidence: false });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'child.pid', target_type: 'text' }]] });
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);

  expect(status.errors.filter((e) => e.code === 'ForeignKeyNotCreated').map((e) => e.message)).toEqual([
    expect.stringMatching(/^foreign key child\.child_pid_fkey → parent not created: the target refused it \(.*cannot be implemented\)/),
  ]);
  // Before, the statistical tier could not run (sum(text)), nor the referential and behavioral joins (integer = text).
  expect(status.validation?.diagnosis).toEqual({ caught_by: 'structural', finding: 'foreign key child_pid_fkey child(pid) → parent(id) is missing', also_failed: [] });
  const verdicts = Object.fromEntries(Object.entries(status.validation?.tiers ?? {}).map(([tier, r]) => [tier, r.verdict]));
  expect(verdicts).toEqual({ structural: 'failed', statistical: 'passed', referential: 'passed', semantic: 'passed', behavioral: 'passed' });
  expect(await pgRows(target.endpoint, 'SELECT id, pid, other FROM child ORDER BY id')).toEqual([
    { id: 1, pid: '1', other: 2 },
    { id: 2, pid: '2', other: null },
    { id: 3, pid: null, other: 1 },
  ]);
}, 300_000);
