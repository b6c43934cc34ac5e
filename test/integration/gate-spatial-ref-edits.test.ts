/**
 * Mapping edits at the approval gate of a PostGIS → PostgreSQL migration whose columns are in an SRID the source's
 * users added to spatial_ref_sys, into a database without PostGIS (its user a superuser), through the workflow on a
 * real Temporal dev server. The plan creates PostGIS, then adds the row; every PostGIS column edited to text at the
 * gate, the plan creates neither (the row's INSERT failed without PostGIS before), the gate's notes say so, and the
 * migration completes with validation passed. The target is read with this test's own SQL.
 */
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, editMappingsUpdate, planQuery, startUpdate } from '../../workflows/migration';
import { pgRows } from '../helpers/databases';
import { recordHistories } from '../helpers/histories';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite({ timeoutMs: 120_000 });

const SOURCE = [
  `CREATE EXTENSION postgis`,
  `INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) VALUES (990001, 'sensei', 1, NULL, '+proj=longlat +ellps=WGS84 +no_defs')`,
  `CREATE TABLE spots (id integer PRIMARY KEY, gg geography(Point,990001), gm geometry(Point,990001), label text)`,
  `INSERT INTO spots SELECT i, ST_GeogFromText('SRID=990001;POINT(' || i || '.25 -' || i || '.5)'), ST_GeomFromText('POINT(' || (10 + i) || ' ' || i || '.75)', 990001), 'spot ' || i
     FROM generate_series(1, 6) i`,
  `INSERT INTO spots (id) VALUES (100)`,
];

test('every column in a custom SRID edited to text at the gate: neither PostGIS nor its spatial_ref_sys row is created, and the migration completes', async () => {
  const source = (await suite.database('postgresql')).endpoint;
  for (const sql of SOURCE) await pgRows(source, sql);
  const target = (await suite.database('postgresql')).endpoint;
  const handle = await startMigration(suite.harness, source, target, 'balanced', { auto_approve_high_confidence: false });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  const planned = (await handle.query(planQuery)) as MigrationPlan;
  expect(planned.objects?.map((o) => `${o.kind} ${o.name}`)).toEqual(['extension postgis', 'spatial_ref_sys row 990001']);
  expect(planned.blockers).toEqual([]);

  // One column away: PostGIS and the row stay, for the other.
  await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'spots.gg', target_type: 'text' }]] });
  const one = (await handle.query(planQuery)) as MigrationPlan;
  expect(one.objects?.map((o) => [o.kind, o.name, o.neededBy])).toEqual([
    ['extension', 'postgis', ['spots.gm']],
    ['spatial_ref_sys row', '990001', ['spots.gm']],
  ]);
  await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'spots.gm', target_type: 'text' }]] });
  const both = (await handle.query(planQuery)) as MigrationPlan;
  expect(both.objects).toEqual([]);
  expect(both.notes).toContain('spatial_ref_sys row 990001 is not created: the plan no longer creates extension postgis, since no column needs it after the mapping edits');

  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 300_000);
  expect(status.failure).toBeNull();
  expect(status.progress.rows_copied).toBe(7);
  expect({ status: status.status, validation: status.validation?.status }).toEqual({ status: 'completed', validation: 'passed' });
  await recordHistories(suite.harness.client, handle.workflowId, 'gate-edits-prune-spatial-refs');

  expect(await pgRows(target, `SELECT extname FROM pg_extension WHERE extname = 'postgis'`)).toEqual([]);
  expect(await pgRows(target, `SELECT to_regclass('spatial_ref_sys') AS t`)).toEqual([{ t: null }]);
  const types = await pgRows(target, `SELECT a.attname c, format_type(a.atttypid, a.atttypmod) t FROM pg_attribute a WHERE a.attrelid = 'spots'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`);
  expect(types).toEqual([
    { c: 'id', t: 'integer' },
    { c: 'gg', t: 'text' },
    { c: 'gm', t: 'text' },
    { c: 'label', t: 'text' },
  ]);
  // Each value as the source's PostGIS writes it as text (hex EWKB, its SRID in it).
  const expected = await pgRows(source, 'SELECT id, gg::text gg, gm::text gm, label FROM spots ORDER BY id');
  expect(expected).toHaveLength(7);
  expect(await pgRows(target, 'SELECT id, gg, gm, label FROM spots ORDER BY id')).toEqual(expected);
}, 600_000);
