/** Plans by reference (activities/plans.ts), against a real metadata store (SQLite in a temporary data dir). */
import fs from 'node:fs';
import { planKeeper } from '../../activities/plans';
import { MetadataStore } from '../../lib/store';
import type { MigrationPlan } from '../../lib/types';
import { tempDataDir } from '../helpers/temporal';

let dataDir: string;
let store: MetadataStore;

beforeAll(async () => {
  dataDir = tempDataDir();
  store = await MetadataStore.open({ dataDir });
});

afterAll(async () => {
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const plan = (tables: number): MigrationPlan =>
  ({
    sourceDialect: 'postgresql',
    targetDialect: 'mysql',
    targetSchema: 'x',
    tables: Array.from({ length: tables }, (_, i) => ({ source: { name: `t${i}`, columns: [] }, target: `t${i}`, columns: [] })),
    minConfidence: 1,
    blockers: [],
  }) as unknown as MigrationPlan;

test('a plan kept once is read back whole by its key, by any worker of the same store', async () => {
  const kept = planKeeper(store);
  const key = await kept.keep(plan(3));
  expect(key).toMatch(/^plan:[0-9a-f]{64}$/);
  expect(await kept.keep(plan(3))).toBe(key);
  expect(await kept.keep(plan(4))).not.toBe(key);
  // Another worker (nothing kept in its memory) reads it from the store.
  const other = planKeeper(store);
  const resolved = await other.resolve({ migrationId: 'mig_1', planRef: key as string });
  expect(resolved).toEqual({ migrationId: 'mig_1', planRef: key, plan: plan(3) });
});

test('a plan sent whole is used as sent; a missing key or neither is a clear error', async () => {
  const kept = planKeeper(store);
  const whole = plan(2);
  expect((await kept.resolve({ plan: whole })).plan).toBe(whole);
  await expect(kept.resolve({ planRef: 'plan:0000' })).rejects.toThrow(/plan plan:0000 is not in the metadata store/);
  await expect(kept.resolve({})).rejects.toThrow(/neither a plan nor a plan reference/);
});

test('a worker without a metadata store keeps nothing: the workflow sends the plan whole', async () => {
  expect(await planKeeper(undefined).keep(plan(1))).toBeNull();
});

test("a table's plan sent by the plan's key and its name is found in the kept plan; a name not in it is TableNotFound", async () => {
  const kept = planKeeper(store);
  const key = (await kept.keep(plan(5))) as string;
  const other = planKeeper(store);
  const resolved = await other.resolveTable<{ migrationId: string; table: MigrationPlan['tables'][number] }>({ migrationId: 'mig_2', planRef: key, tableName: 't3' });
  expect(resolved).toEqual({ migrationId: 'mig_2', table: plan(5).tables[3] });
  const whole = plan(1).tables[0] as MigrationPlan['tables'][number];
  expect((await other.resolveTable({ table: whole })).table).toBe(whole);
  await expect(other.resolveTable({ planRef: key, tableName: 'nope' })).rejects.toMatchObject({ type: 'TableNotFound', message: "table nope is not in the migration's plan" });
});

test('the source schema is kept as a document under the same key form, read back whole', async () => {
  const kept = planKeeper(store);
  const schema = { dialect: 'postgresql', schema: 'public', tables: [{ name: 'a', columns: [] }] };
  const key = (await kept.keepDocument(schema)) as string;
  expect(key).toMatch(/^plan:[0-9a-f]{64}$/);
  expect(await planKeeper(store).document(key)).toEqual(schema);
  await expect(kept.document('plan:0000')).rejects.toThrow(/document plan:0000 is not in the metadata store/);
});
