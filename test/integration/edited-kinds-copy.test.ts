/**
 * The copy activities with columns edited at the gate to another kind of type (lib/edited-kinds.ts), SQLite into
 * PostgreSQL: a table without a key is copied whole, and one value that cannot be converted fails it before its one
 * transaction commits (no key to name the row by), saying which column and why; rows copied again by key (copyRows,
 * the retry of a rejected row) are converted too, a row that still does not fit rejected by key.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, type RejectedRow } from '../../activities';
import { ConnectorPool } from '../../activities/connections';
import type { Endpoint } from '../../connectors/types';
import { planMigration } from '../../lib/mapping';
import { applyMappingEdits } from '../../lib/mapping-edit';
import type { EndpointRef } from '../../lib/migration';
import { reachPolicy } from '../../lib/reach';
import { Sealer } from '../../lib/secrets';
import type { MigrationPlan, TablePlan } from '../../lib/types';
import { createTempDatabase, pgRows, type TempDatabase } from '../helpers/databases';
import { testReach } from '../helpers/reach';
import { tempDataDir } from '../helpers/temporal';

let dir: string;
let targetDb: TempDatabase;
let pool: ConnectorPool;
let source: EndpointRef;
let target: EndpointRef;
let plan: MigrationPlan;

beforeAll(async () => {
  dir = tempDataDir();
  const file = path.join(dir, 'edited.sqlite');
  const db = new Database(file);
  db.exec(`CREATE TABLE loose (flag BOOLEAN, doc TEXT);
    INSERT INTO loose VALUES (1, '{"a": 1}'), (0, 'not json'), (NULL, NULL);
    CREATE TABLE keyed (id INTEGER PRIMARY KEY, n INTEGER);
    INSERT INTO keyed VALUES (1, 1), (2, 2), (3, 0);`);
  db.close();
  targetDb = await createTempDatabase('postgresql');
  const sealer = new Sealer('edited kinds copy test');
  pool = new ConnectorPool(sealer, reachPolicy(testReach()));
  const ref = (e: Endpoint): EndpointRef => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: e.type, schema: e.schema });
  source = ref({ type: 'sqlite', connectionString: file });
  target = ref(targetDb.endpoint);
  const schema = await (await pool.get(source, 'source')).introspect({});
  const connector = await pool.get(target, 'target');
  const planned = planMigration(schema, 'postgresql', { targetSchema: connector.schema });
  const edits = [
    { id: 'loose.flag', target_type: 'integer' },
    { id: 'loose.doc', target_type: 'jsonb' },
    { id: 'keyed.n', target_type: 'boolean' },
  ];
  plan = applyMappingEdits(planned, edits, { refreshChecks: true, renameConstraints: true }).plan;
  for (const table of plan.tables) await connector.createTable(table, { replace: true });
});

afterAll(async () => {
  await pool?.closeAll();
  await targetDb?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tableOf = (name: string) => plan.tables.find((t) => t.source.name === name) as TablePlan;
const activities = () => createActivities(pool);
const env = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

test('a table copied whole rejects the row whose value cannot be converted, naming the column; the others are written', async () => {
  const copying = (await env().run(activities().copyWholeTable, { source, target, table: tableOf('loose'), batchSize: 100 })) as unknown as { rows: number; rejected: { message: string }[] };
  expect(copying.rows).toBe(2);
  expect(copying.rejected.map((r) => r.message)).toEqual([
    expect.stringMatching(
      /^column doc \(edited at the gate from text to jsonb\) holds text that is not valid JSON: not copied: the row is not copied \(the table has no key: the row is named by its values' SHA-256 [0-9a-f]{16}, and is fixed at the source and copied again with its table, not alone\)$/,
    ),
  ]);
  expect(await pgRows(targetDb.endpoint, 'SELECT count(*)::int AS n FROM loose')).toEqual([{ n: 2 }]);
  // Once the source's value is fixed, the whole table is copied, each value converted.
  const db = new Database(path.join(dir, 'edited.sqlite'));
  db.exec(`UPDATE loose SET doc = '"not json"' WHERE doc = 'not json'`);
  db.close();
  await pool.closeAll();
  const copied = (await env().run(activities().copyWholeTable, { source, target, table: tableOf('loose'), batchSize: 100 })) as { rows: number };
  expect(copied.rows).toBe(3);
  expect(await pgRows(targetDb.endpoint, 'SELECT flag, doc::text AS doc FROM loose ORDER BY flag NULLS LAST')).toEqual([
    { flag: 0, doc: '"not json"' },
    { flag: 1, doc: '{"a": 1}' },
    { flag: null, doc: null },
  ]);
});

test('rows copied again by key are converted; one that still does not fit is rejected by key with the reason', async () => {
  const result = (await env().run(activities().copyRows, { source, target, table: tableOf('keyed'), keys: [[1], [2], [3]] })) as { read: number; written: number; rejected: RejectedRow[] };
  expect(result.read).toBe(3);
  expect(result.written).toBe(2);
  expect(result.rejected.map((r) => [r.key.map(String), r.message])).toEqual([
    [['2'], 'column n (edited at the gate from integer to boolean) holds a number other than 0 and 1, which is no boolean: not copied'],
  ]);
  expect(await pgRows(targetDb.endpoint, 'SELECT id::int AS id, n FROM keyed ORDER BY id')).toEqual([
    { id: 1, n: true },
    { id: 3, n: false },
  ]);
});
