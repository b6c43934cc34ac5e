/**
 * Mapping edits at the approval gate that change what the CHECKs taken from the source can be, through the workflow
 * on a real Temporal dev server, MariaDB into PostgreSQL: a YEAR column (smallint with CHECK 0 or 1901 to 2155, and a
 * table CHECK y > 1950) and a TINYINT(1) flag (boolean, in two table CHECKs) edited to text, an ENUM edited to text.
 * The CHECKs that compare text with numbers no longer fit: the target is created without them instead of failing its
 * CREATE TABLE, and the gate says so (the edited columns' notes and the plan's notes, refreshed by each edit); the
 * enum's labels stay a CHECK, as its note says. The target is read with this test's own SQL.
 */
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, editMappingsUpdate, planQuery, startUpdate } from '../../workflows/migration';
import { mariadbRows, pgRows } from '../helpers/databases';
import { recordHistories } from '../helpers/histories';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite({ timeoutMs: 120_000 });

test('YEAR, boolean and ENUM edited to text: CHECKs that no longer fit are left out and the gate says so; the enum keeps its labels as a CHECK', async () => {
  const source = (await suite.database('mysql')).endpoint;
  await mariadbRows(
    source,
    `CREATE TABLE z (id INT PRIMARY KEY, y YEAR, flag TINYINT(1) NOT NULL, n INT, e ENUM('a', 'b'),
       CONSTRAINT fl CHECK (flag OR n > 0), CONSTRAINT fl2 CHECK (flag IN (0, 1)), CONSTRAINT yy CHECK (y > 1950), CONSTRAINT nn CHECK (n < 100))`,
  );
  await mariadbRows(source, `INSERT INTO z SELECT seq, 1990 + seq, seq % 2, seq, IF(seq % 2, 'a', 'b') FROM seq_1_to_6`);
  const target = (await suite.database('postgresql')).endpoint;
  const handle = await startMigration(suite.harness, source, target, 'balanced', { auto_approve_high_confidence: false });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  expect(((await handle.query(planQuery)) as MigrationPlan).notes).toEqual([]);

  // First the flag to text, then back to boolean: the notes the first edit wrote go again.
  await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'z.flag', target_type: 'text' }]] });
  expect(((await handle.query(planQuery)) as MigrationPlan).notes).toEqual([
    // MariaDB keeps `flag OR n > 0` as flag <> 0 OR n > 0.
    'check fl of z is not migrated, because it compares column flag, which is text in the target, with a number (after mapping edits at the gate)',
    'check fl2 of z is not migrated, because it compares column flag, which is text in the target, with a number (after mapping edits at the gate)',
  ]);
  await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'z.flag', target_type: 'boolean' }]] });
  expect(((await handle.query(planQuery)) as MigrationPlan).notes).toEqual([]);

  const { edited } = await handle.executeUpdate(editMappingsUpdate, {
    args: [
      [
        { id: 'z.y', target_type: 'text' },
        { id: 'z.e', target_type: 'text' },
      ],
    ],
  });
  expect(edited.map((c) => [c.id, c.note])).toEqual([
    [
      'z.y',
      'edited by hand; a different kind of type (int16 → text): the target converts values and may reject some; its CHECK (VALUE = 0 OR VALUE BETWEEN 1901 AND 2155) is not migrated, because it compares column y, which is text in the target, with a number',
    ],
    ['z.e', 'edited by hand; enum stored as text with CHECK (e IN (a, b))'],
  ]);
  const plan = (await handle.query(planQuery)) as MigrationPlan;
  expect(plan.notes).toEqual([
    'check yy of z is not migrated, because it compares column y, which is text in the target, with a number (after mapping edits at the gate)',
    'the check of column y of z is not migrated, because it compares column y, which is text in the target, with a number (after mapping edits at the gate)',
  ]);

  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);
  // The tables are created and every row copied (CREATE TABLE failed with "operator does not exist: text = integer"
  // before), and validation passes: a column edited to another kind of type (the YEAR to text) is aggregated by count
  // only (it was summed as text, sum(text), and failed), its values compared by the semantic tier.
  expect(status.progress.rows_copied).toBe(6);
  expect({ status: status.status, validation: status.validation?.status }).toEqual({ status: 'completed', validation: 'passed' });
  expect((status.errors ?? []).filter((e) => e.phase !== 'validation')).toEqual([]);
  expect(status.failure?.code).not.toBe('QueryFailed');
  await recordHistories(suite.harness.client, handle.workflowId, 'gate-edits-refresh-checks');

  const checks = await pgRows(target, `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'c' AND conrelid = 'z'::regclass ORDER BY 1`);
  expect(checks).toEqual([
    { name: 'z_e_check', def: "CHECK ((e = ANY (ARRAY['a'::text, 'b'::text])))" },
    { name: 'z_fl', def: 'CHECK (((flag <> false) OR (n > 0)))' },
    { name: 'z_fl2', def: 'CHECK ((flag = ANY (ARRAY[false, true])))' },
    { name: 'z_nn', def: 'CHECK ((n < 100))' },
  ]);
  expect(await pgRows(target, `SELECT y, e FROM z ORDER BY id LIMIT 2`)).toEqual([
    { y: '1991', e: 'a' },
    { y: '1992', e: 'b' },
  ]);
}, 300_000);
