/**
 * Rejected rows are recorded where they are found: copyChunk writes a chunk's rejected rows to the metadata store in
 * one batch, named by table and key (a retried chunk records them once), and a store that does not answer does not
 * fail the chunk: the rows come back named but not stored, for the workflow to send.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, rowErrorId, type ChunkResult } from '../../activities';
import { ConnectorPool } from '../../activities/connections';
import type { Endpoint } from '../../connectors/types';
import { planMigration } from '../../lib/mapping';
import type { EndpointRef } from '../../lib/migration';
import { Sealer } from '../../lib/secrets';
import { MetadataStore } from '../../lib/store';
import type { TablePlan } from '../../lib/types';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';
import { tempDataDir } from '../helpers/temporal';
import { reachPolicy } from '../../lib/reach';
import { testReach } from '../helpers/reach';

let dir: string;
let targetDb: TempDatabase;
let pool: ConnectorPool;
let source: EndpointRef;
let target: EndpointRef;
let table: TablePlan;

beforeAll(async () => {
  dir = tempDataDir();
  const file = path.join(dir, 'people.sqlite');
  const db = new Database(file);
  db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, code VARCHAR(5) NOT NULL)');
  for (let i = 1; i <= 30; i++) db.prepare('INSERT INTO people VALUES (?, ?)').run(i, i % 10 === 3 ? 'much-too-long' : `c${i}`);
  db.close();
  targetDb = await createTempDatabase('postgresql');
  const sealer = new Sealer('rejected rows test');
  pool = new ConnectorPool(sealer, reachPolicy(testReach()));
  const ref = (e: Endpoint): EndpointRef => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: e.type, schema: e.schema });
  source = ref({ type: 'sqlite', connectionString: file });
  target = ref(targetDb.endpoint);
  const schema = await (await pool.get(source, 'source')).introspect({});
  const connector = await pool.get(target, 'target');
  [table] = planMigration(schema, 'postgresql', { targetSchema: connector.schema }).tables as [TablePlan];
  await connector.createTable(table, { replace: true });
});

afterAll(async () => {
  await pool?.closeAll();
  await targetDb?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const copy = (store: MetadataStore, migrationId: string): Promise<ChunkResult> =>
  new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') }).run(createActivities(pool, store).copyChunk, {
    migrationId,
    source,
    target,
    table,
    after: null,
    limit: 100,
  });

test('a chunk writes its rejected rows to the store in one batch; the same chunk again records them once', async () => {
  const store = await MetadataStore.open({ dataDir: path.join(dir, 'store') });
  try {
    const first = await copy(store, 'mig_rejects0001');
    expect(first).toMatchObject({ rows: 30, written: 27 });
    expect(first.rejected.map((r) => [r.key.map(String), r.errorId, r.stored])).toEqual(
      ['3', '13', '23'].map((k) => [[k], rowErrorId('people', first.rejected.find((r) => String(r.key[0]) === k)!.key), true]),
    );
    const again = await copy(store, 'mig_rejects0001');
    expect(again.rejected.map((r) => r.errorId)).toEqual(first.rejected.map((r) => r.errorId));
    const { total, rows } = await store.listErrors('mig_rejects0001', 100, 0);
    expect(total).toBe(3);
    expect(rows.map((e) => [e.id, e.code, e.phase, e.table, e.key?.map(String)])).toEqual(first.rejected.map((r) => [r.errorId, 'RowRejected', 'data_transfer', 'people', r.key.map(String)]));
    expect(rows[0].message).toBe(first.rejected[0].message);
  } finally {
    await store.close();
  }
});

test('a store that does not answer does not fail the chunk: its rows come back named, not stored', async () => {
  const store = await MetadataStore.open({ dataDir: path.join(dir, 'closed-store') });
  await store.close();
  const result = await copy(store, 'mig_rejects0002');
  expect(result).toMatchObject({ rows: 30, written: 27 });
  expect(result.rejected.map((r) => [String(r.key[0]), r.stored])).toEqual([
    ['3', false],
    ['13', false],
    ['23', false],
  ]);
  expect(result.rejected.every((r) => r.errorId?.startsWith('err_row_') && r.at)).toBe(true);
});
