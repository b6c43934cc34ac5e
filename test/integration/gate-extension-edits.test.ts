/**
 * Mapping edits at the approval gate when the plan creates an extension (PostGIS for MariaDB GEOMETRY into a
 * PostgreSQL database that lacks it, its user a superuser), through the workflow on a real Temporal dev server:
 * - every geometry column edited to bytea: the plan no longer creates PostGIS, the target database ends without it,
 *   the columns are bytea holding each value's EWKB (compared by this test's SQL) and validation passes;
 * - a column edited to geometry is accepted where the plan creates PostGIS, refused where the database has no PostGIS
 *   and the plan does not create it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { GateState } from '../../lib/migration';
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, editMappingsUpdate, planQuery, startUpdate } from '../../workflows/migration';
import { createTempDatabase, mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { recordHistories } from '../helpers/histories';
import { createTestEnv, isOver, startHarness, startMigration, waitForStatus, type MigrationHarness } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let source: TempDatabase;
const targets: TempDatabase[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  source = await createTempDatabase('mysql');
  await mariadbRows(source.endpoint, 'CREATE TABLE geo (id INT PRIMARY KEY, g GEOMETRY, p POINT)');
  await mariadbRows(
    source.endpoint,
    `INSERT INTO geo SELECT seq, ST_GeomFromText(CONCAT('LINESTRING(0 0,', seq, ' 1)'), IF(seq % 2 = 1, 4326, 0)),
       ST_PointFromText(CONCAT('POINT(', seq, ' 2.5)'), 3857) FROM seq_1_to_6`,
  );
  await mariadbRows(source.endpoint, 'INSERT INTO geo (id) VALUES (100)');
}, 120_000);

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  await source?.drop();
  for (const t of targets) await t.drop();
});

async function atTheGate(target: TempDatabase) {
  const handle = await startMigration(h, source.endpoint, target.endpoint, 'balanced', { auto_approve_high_confidence: false });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  return handle;
}

async function newTarget(): Promise<TempDatabase> {
  const target = await createTempDatabase('postgresql');
  targets.push(target);
  return target;
}

test('every geometry column edited to bytea at the gate: PostGIS is not created, EWKB in bytea, validation passes', async () => {
  const target = await newTarget();
  const handle = await atTheGate(target);
  const planned = (await handle.query(planQuery)) as MigrationPlan;
  expect(planned.objects?.map((o) => [o.kind, o.name, o.neededBy])).toEqual([['extension', 'postgis', ['geo.g', 'geo.p']]]);

  const first = await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'geo.g', target_type: 'bytea' }]] });
  expect(first.edited.map((c) => c.targetType)).toEqual(['bytea']);
  expect(((await handle.query(planQuery)) as MigrationPlan).objects?.[0]?.neededBy).toEqual(['geo.p']);
  await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'geo.p', target_type: 'bytea' }]] });
  expect(((await handle.query(planQuery)) as MigrationPlan).objects).toEqual([]);

  const gate: GateState = await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  expect(gate.state).toBe('approved');
  const status = await waitForStatus(handle, isOver, 300_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');

  await recordHistories(h.client, handle.workflowId, 'gate-edits-prune-extension');
  expect(await pgRows(target.endpoint, `SELECT extname FROM pg_extension WHERE extname = 'postgis'`)).toEqual([]);
  const types = await pgRows(target.endpoint, `SELECT a.attname c, format_type(a.atttypid, a.atttypmod) t FROM pg_attribute a WHERE a.attrelid = 'geo'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`);
  expect(types).toEqual([
    { c: 'id', t: 'integer' },
    { c: 'g', t: 'bytea' },
    { c: 'p', t: 'bytea' },
  ]);
  // Each bytea value is EWKB: MariaDB's own WKB of the value with its SRID set in (no PostGIS here to read it).
  const expected = await mariadbRows(source.endpoint, 'SELECT id, HEX(ST_AsWKB(g)) g, ST_SRID(g) gs, HEX(ST_AsWKB(p)) p, ST_SRID(p) ps FROM geo ORDER BY id');
  const written = await pgRows(target.endpoint, 'SELECT id, upper(encode(g, \'hex\')) g, upper(encode(p, \'hex\')) p FROM geo ORDER BY id');
  expect(written).toHaveLength(expected.length);
  for (const [i, row] of expected.entries()) {
    const got = written[i] as { id: number; g: string | null; p: string | null };
    expect(got.id).toBe(row.id);
    expect(stripSrid(got.g)).toEqual({ wkb: row.g, srid: row.g === null ? null : Number(row.gs) });
    expect(stripSrid(got.p)).toEqual({ wkb: row.p, srid: row.p === null ? null : Number(row.ps) });
  }
}, 600_000);

test('a column edited to geometry: accepted where the plan creates PostGIS, refused where nothing gives it', async () => {
  const creates = await atTheGate(await newTarget());
  await creates.executeUpdate(editMappingsUpdate, { args: [[{ id: 'geo.g', target_type: 'bytea' }]] });
  const back = await creates.executeUpdate(editMappingsUpdate, { args: [[{ id: 'geo.g', target_type: 'geometry' }]] });
  expect(back.edited.map((c) => c.targetType)).toEqual(['geometry']);
  expect(((await creates.query(planQuery)) as MigrationPlan).objects?.[0]?.neededBy).toEqual(['geo.g', 'geo.p']);
  await creates.cancel();

  // Every geometry column edited away: the plan creates no PostGIS any more, and geometry is refused from then on.
  const without = await atTheGate(await newTarget());
  await without.executeUpdate(editMappingsUpdate, { args: [[{ id: 'geo.g', target_type: 'bytea' }, { id: 'geo.p', target_type: 'bytea' }]] });
  expect(((await without.query(planQuery)) as MigrationPlan).objects).toEqual([]);
  await expect(without.executeUpdate(editMappingsUpdate, { args: [[{ id: 'geo.g', target_type: 'geometry' }]] })).rejects.toThrow();
  expect(((await without.query(planQuery)) as MigrationPlan).tables[0]?.columns.map((c) => c.targetType)).toEqual(['integer', 'bytea', 'bytea']);
  await without.cancel();
}, 600_000);

/** EWKB (hex) as the WKB MariaDB writes plus its SRID: the SRID flag (0x20000000 in the type word) and 4 bytes out. */
function stripSrid(hex: string | null): { wkb: string | null; srid: number | null } {
  if (hex === null) return { wkb: null, srid: null };
  const bytes = Buffer.from(hex, 'hex');
  const little = bytes[0] === 1;
  const type = little ? bytes.readUInt32LE(1) : bytes.readUInt32BE(1);
  if (!(type & 0x20000000)) return { wkb: hex, srid: 0 };
  const srid = little ? bytes.readUInt32LE(5) : bytes.readUInt32BE(5);
  const plain = Buffer.concat([bytes.subarray(0, 1), Buffer.alloc(4), bytes.subarray(9)]);
  if (little) plain.writeUInt32LE(type & ~0x20000000, 1);
  else plain.writeUInt32BE(type & ~0x20000000, 1);
  return { wkb: plain.toString('hex').toUpperCase(), srid };
}
