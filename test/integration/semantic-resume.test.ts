/**
 * The semantic tier's activity on its own (MockActivityEnvironment) over a PostgreSQL source and a MariaDB
 * target of 250,000 rows (two windows of range digests): it heartbeats after each window, and a retry that
 * starts from one of those heartbeats ends with the same hashes and names each differing row exactly once.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { ConnectorPool } from '../../activities/connections';
import { createValidationActivities, type TierInput } from '../../activities/validation';
import { createConnector } from '../../connectors/registry';
import type { Endpoint } from '../../connectors/types';
import { planMigration } from '../../lib/mapping';
import type { EndpointRef, TierResult } from '../../lib/migration';
import { reachPolicy } from '../../lib/reach';
import { Sealer } from '../../lib/secrets';
import { testReach } from '../helpers/reach';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';

const ROWS = 250_000;
let pg: TempDatabase;
let my: TempDatabase;
let pool: ConnectorPool;
let input: TierInput;
let wideInput: TierInput;

beforeAll(async () => {
  pg = await createTempDatabase('postgresql');
  my = await createTempDatabase('mysql');
  const c = new Client({ connectionString: pg.endpoint.connectionString });
  await c.connect();
  await c.query('CREATE TABLE t (id bigint PRIMARY KEY, v varchar(40) NOT NULL, amount numeric(10,2), seen timestamptz(6), ok boolean)');
  await c.query(
    `INSERT INTO t SELECT g, 'row ' || g, (g % 1000) / 8.0, timestamptz '2024-03-01 12:00:00+01' + g * interval '1.5 second', g % 2 = 0 FROM generate_series(1, ${ROWS}) g`,
  );
  await c.query('CREATE TABLE wide (id integer PRIMARY KEY, body text NOT NULL)');
  await c.query('INSERT INTO wide SELECT g, repeat(md5(g::text), 3125) FROM generate_series(1, 300) g');
  await c.end();
  const m = await mysql.createConnection({ uri: my.endpoint.connectionString });
  await m.query("SET time_zone = '+00:00'");
  await m.query('CREATE TABLE t (id bigint PRIMARY KEY, v varchar(40) NOT NULL, amount decimal(10,2), seen datetime(6), ok tinyint(1))');
  await m.query(
    `INSERT INTO t SELECT seq, CONCAT('row ', seq), (seq % 1000) / 8.0, TIMESTAMPADD(MICROSECOND, seq * 1500000, '2024-03-01 11:00:00'), seq % 2 = 0 FROM seq_1_to_${ROWS}`,
  );
  // 30 MB of text in one range: more than MariaDB's GROUP_CONCAT can hold (max_allowed_packet, 16 MB here).
  await m.query('CREATE TABLE wide (id int PRIMARY KEY, body longtext NOT NULL)');
  await m.query('INSERT INTO wide SELECT seq, REPEAT(MD5(seq), 3125) FROM seq_1_to_300');
  // One row differs in each window of range digests.
  await m.query(`UPDATE t SET amount = amount + 0.01 WHERE id = 100`);
  await m.query(`UPDATE t SET ok = 1 - ok WHERE id = 240000`);
  await m.end();

  const sealer = new Sealer('semantic resume test');
  const ref = (e: Endpoint): EndpointRef => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: e.type, schema: e.schema });
  pool = new ConnectorPool(sealer, reachPolicy(testReach()));
  const source = await createConnector(pg.endpoint);
  const schema = await source.introspect({ tables: ['t', 'wide'] });
  await source.close();
  const plan = planMigration(schema, 'mysql', { targetSchema: my.name });
  const only = (name: string) => ({ ...plan, tables: plan.tables.filter((x) => x.source.name === name) });
  input = { migrationId: 'resume-test', source: ref(pg.endpoint), target: ref(my.endpoint), plan: only('t') };
  wideInput = { ...input, plan: only('wide') };
});

afterAll(async () => {
  await pool?.closeAll();
  await pg?.drop();
  await my?.drop();
});

async function run(heartbeatDetails?: unknown, tierInput = input): Promise<{ result: TierResult; beats: Record<string, unknown>[] }> {
  const env = new MockActivityEnvironment(heartbeatDetails === undefined ? {} : { heartbeatDetails, attempt: 2 });
  const beats: Record<string, unknown>[] = [];
  // As Temporal would keep them: serialised when sent.
  env.on('heartbeat', (d: unknown) => beats.push(JSON.parse(JSON.stringify(d)) as Record<string, unknown>));
  const result = (await env.run(createValidationActivities(pool).validateContent, tierInput)) as TierResult;
  return { result, beats };
}

test('heartbeats after each window; a retry from a mid-table heartbeat gives the same hashes and names each row once', async () => {
  const straight = await run();
  expect(straight.result.verdict).toBe('failed');
  expect(straight.result.summary).toContain('digested range by range inside both databases: t');
  expect(straight.result.findings.map((f) => f.key)).toEqual([{ id: '100' }, { id: '240000' }]);
  expect(straight.result.findings[0]).toMatchObject({ check: 'row_changed', source: { amount: '12.5' }, target: { amount: '12.51' } });
  expect(straight.result.findings[1]).toMatchObject({ check: 'row_changed', source: { ok: 'true' }, target: { ok: 'false' } });
  const table = straight.result.tables![0];
  expect(table).toMatchObject({ source_rows: ROWS, target_rows: ROWS, chunks: 25, differing_chunks: 2 });

  // The heartbeat sent once the first window (segments 0–19) was compared.
  const mid = straight.beats.find((b) => (b.ranges as { next?: string } | null)?.next === '20');
  expect(mid).toBeDefined();
  expect(mid!.failures).toBe(1);
  const resumed = await run(mid);
  expect(resumed.result.findings.map((f) => f.key)).toEqual([{ id: '100' }, { id: '240000' }]);
  expect(resumed.result.failures).toBe(2);
  expect(resumed.result.tables).toEqual(straight.result.tables);
  expect(resumed.result.checks).toBe(straight.result.checks);
  // Only the second window was digested again.
  expect(resumed.beats.filter((b) => b.ranges !== null).length).toBeLessThan(straight.beats.filter((b) => b.ranges !== null).length);
});

test('a range too large for MariaDB to hash at once is split on both sides: equal wide rows pass with equal hashes', async () => {
  const { result } = await run(undefined, wideInput);
  expect(result.findings).toEqual([]);
  expect(result.verdict).toBe('passed');
  expect(result.summary).toContain('digested range by range inside both databases: wide');
  const table = result.tables![0];
  expect(table).toMatchObject({ source_rows: 300, target_rows: 300, differing_chunks: 0 });
  expect(table.target_sha256).toBe(table.source_sha256);
});
