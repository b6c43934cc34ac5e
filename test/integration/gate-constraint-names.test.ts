/**
 * Constraint names PostgreSQL gives itself, through the workflow on a real Temporal dev server, MariaDB into
 * PostgreSQL: foreign keys named as the table's primary key (`c_pkey`) and UNIQUE constraint (`c_a_key`), and a CHECK
 * named `pkey` (`d_pkey` in the target), are renamed `_2` by the plan, which says so at the gate; a foreign key named
 * `c_e_check` is renamed only once the ENUM column e is edited to text at the gate (its labels then a CHECK PostgreSQL
 * names `c_e_check`): patched edits-rename-constraints. Each failed its CREATE or ALTER TABLE before ("constraint … for
 * relation … already exists"). The target is read with this test's own SQL.
 */
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, editMappingsUpdate, planQuery, startUpdate } from '../../workflows/migration';
import { mariadbRows, pgRows } from '../helpers/databases';
import { recordHistories } from '../helpers/histories';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite({ timeoutMs: 120_000 });

test('foreign keys and CHECKs named as constraints PostgreSQL names itself are renamed, at planning and after an edit, and the gate says so', async () => {
  const source = (await suite.database('mysql')).endpoint;
  await mariadbRows(source, `CREATE TABLE parent (id INT PRIMARY KEY)`);
  await mariadbRows(
    source,
    `CREATE TABLE c (id INT PRIMARY KEY, parent_id INT, a INT, e ENUM('s', 'm'), UNIQUE KEY uq_a (a),
       CONSTRAINT c_pkey FOREIGN KEY (parent_id) REFERENCES parent (id),
       CONSTRAINT c_a_key FOREIGN KEY (a) REFERENCES parent (id),
       CONSTRAINT c_e_check FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE)`,
  );
  await mariadbRows(source, `CREATE TABLE d (id INT PRIMARY KEY, n INT, CONSTRAINT pkey CHECK (n > 0))`);
  await mariadbRows(source, `INSERT INTO parent SELECT seq FROM seq_1_to_3`);
  await mariadbRows(source, `INSERT INTO c SELECT seq, 1 + seq % 3, seq, IF(seq % 2, 's', 'm') FROM seq_1_to_3`);
  await mariadbRows(source, `INSERT INTO d SELECT seq, seq FROM seq_1_to_3`);
  const target = (await suite.database('postgresql')).endpoint;
  const handle = await startMigration(suite.harness, source, target, 'balanced', { auto_approve_high_confidence: false });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  const planned = [
    // Foreign keys in the order the source's catalogue lists them (by name).
    'foreign key c_a_key of c is named c_a_key_2 in the target, because c_a_key is the name of unique constraint uq_a of c there',
    'foreign key c_pkey of c is named c_pkey_2 in the target, because c_pkey is the name of the primary key of c there',
    'check pkey of d is named d_pkey_2 in the target, because d_pkey is the name of the primary key of d there',
  ];
  expect(((await handle.query(planQuery)) as MigrationPlan).notes).toEqual(planned);

  // The enum edited to text keeps its labels as a CHECK, which PostgreSQL names c_e_check: the foreign key goes apart.
  await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'c.e', target_type: 'text' }]] });
  const plan = (await handle.query(planQuery)) as MigrationPlan;
  // The constraints' names are given again, in the plan's order, for the tables as the edit leaves them.
  expect(plan.notes).toEqual([
    planned[0],
    'foreign key c_e_check of c is named c_e_check_2 in the target, because c_e_check is the name of the check of column c.e there',
    ...planned.slice(1),
  ]);
  expect(plan.tables.find((t) => t.source.name === 'c')?.source.foreignKeys.map((fk) => fk.targetName ?? fk.name)).toEqual(['c_a_key_2', 'c_e_check_2', 'c_pkey_2']);

  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);
  expect(status.failure).toBeNull();
  expect({ status: status.status, validation: status.validation?.status, rows: status.progress.rows_copied }).toEqual({ status: 'completed', validation: 'passed', rows: 9 });
  expect(status.errors ?? []).toEqual([]);
  await recordHistories(suite.harness.client, handle.workflowId, 'gate-edits-rename-constraints');

  const constraints = await pgRows(
    target,
    `SELECT conrelid::regclass::text AS t, conname AS name, contype AS type FROM pg_constraint
      WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text IN ('c', 'd') ORDER BY 1, 2`,
  );
  expect(constraints).toEqual([
    { t: 'c', name: 'c_a_key', type: 'u' },
    { t: 'c', name: 'c_a_key_2', type: 'f' },
    { t: 'c', name: 'c_e_check', type: 'c' },
    { t: 'c', name: 'c_e_check_2', type: 'f' },
    { t: 'c', name: 'c_pkey', type: 'p' },
    { t: 'c', name: 'c_pkey_2', type: 'f' },
    { t: 'd', name: 'd_pkey', type: 'p' },
    { t: 'd', name: 'd_pkey_2', type: 'c' },
  ]);
  // The renamed foreign key keeps its action.
  expect(await pgRows(target, `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'c_e_check_2'`)).toEqual([
    { def: 'FOREIGN KEY (parent_id) REFERENCES parent(id) ON UPDATE RESTRICT ON DELETE CASCADE' },
  ]);
  expect(await pgRows(target, `SELECT id, parent_id, a, e FROM c ORDER BY id`)).toEqual([
    { id: 1, parent_id: 2, a: 1, e: 's' },
    { id: 2, parent_id: 3, a: 2, e: 'm' },
    { id: 3, parent_id: 1, a: 3, e: 's' },
  ]);
}, 300_000);
