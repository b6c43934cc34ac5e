/**
 * LOAD DATA LOCAL reads the rows from a stream the source renders. When the source broke off before the load began
 * (MariaDB refusing to render a row: "Illegal mix of collations for operation 'concat_ws'" on a table mixing latin1
 * and ucs2 columns), mysql2 waited forever for the stream's end: the chunk, its activity and the migration hung in
 * data_transfer. Now the load fails at once, nothing is written, and the chunk goes on by the row path.
 */
import { PassThrough, Readable } from 'node:stream';
import { createConnector } from '../../connectors/registry';
import { ConnectorError, isTextChunkTarget } from '../../connectors/types';
import { planMigration } from '../../lib/mapping';
import { createTempDatabase, mariadbRows, type TempDatabase } from '../helpers/databases';
import { createTestEnv, isOver, startHarness, startMigration, waitForStatus, type MigrationHarness } from '../helpers/temporal';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startUpdate } from '../../workflows/migration';

const MIXED = `CREATE TABLE mixed (id INT PRIMARY KEY, lat VARCHAR(10) CHARACTER SET latin1, u2 VARCHAR(10) CHARACTER SET ucs2,
  e ENUM('', 'a'), b64 BIT(64), t TIME(6), dt DATETIME(6), ls LINESTRING)`;
const ROWS = `INSERT INTO mixed VALUES (1, 'café', 'ü', '', b'1111111111111111111111111111111111111111111111111111111111111111', '-838:59:59',
  '1000-01-01 00:00:00.000001', ST_GeomFromText('LINESTRING(0 0,1 1,2 0)')), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`;

let source: TempDatabase;
let target: TempDatabase;
beforeAll(async () => {
  [source, target] = await Promise.all([createTempDatabase('mysql'), createTempDatabase('mysql')]);
  await mariadbRows(source.endpoint, MIXED);
  await mariadbRows(source.endpoint, ROWS);
});
afterAll(async () => {
  await Promise.all([source?.drop(), target?.drop()]);
});

test('a load whose rows failed before it began fails at once and writes nothing', async () => {
  const from = await createConnector(source.endpoint, { role: 'source' });
  const to = await createConnector(target.endpoint, { role: 'target' });
  try {
    const plan = planMigration(await from.introspect(), 'mysql', { targetSchema: target.name });
    const table = { ...plan.tables[0], target: 'loaded' };
    await to.createTable(table, { replace: false });
    if (!isTextChunkTarget(to)) throw new Error('MariaDB loads text');
    const range = { after: null, upTo: [10] };
    // Failed before the load began (the source refused while the range was being deleted)…
    const failed = new PassThrough();
    failed.on('error', () => undefined);
    failed.destroy(new Error('source refused to render the rows'));
    await new Promise((resolve) => setImmediate(resolve));
    const error = await to.replaceRangeWithText(table, range, failed, 'mysql-load').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toMatch(/source refused to render the rows/);
    // …or closed without an error: the same.
    const closed = Readable.from([]);
    closed.destroy();
    await expect(to.replaceRangeWithText(table, range, closed, 'mysql-load')).rejects.toThrow(/closed before the load began/);
    expect(await mariadbRows(target.endpoint, 'SELECT CAST(COUNT(*) AS CHAR) n FROM loaded')).toEqual([{ n: '0' }]);
    // The connection is not left mid-load: the next load on it goes through.
    const good = Readable.from([Buffer.from('3\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n')]);
    expect(await to.replaceRangeWithText(table, range, good, 'mysql-load')).toBe(1);
  } finally {
    await Promise.all([from.close(), to.close()]);
  }
});

describe('through the workflow', () => {
  let env: TestWorkflowEnvironment;
  let h: MigrationHarness;
  beforeAll(async () => {
    env = await createTestEnv();
    h = await startHarness(env);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await env?.teardown();
  });

  test('MariaDB → MariaDB: a table the source cannot render as text completes by the row path, every value equal', async () => {
    const handle = await startMigration(h, source.endpoint, target.endpoint, 'balanced', { auto_approve_high_confidence: true, chunk_size: 4 });
    await handle.executeUpdate(startUpdate);
    const status = await waitForStatus(handle, isOver, 120_000);
    expect(status.failure).toBeNull();
    expect(status.status).toBe('completed');
    expect(status.validation?.status).toBe('passed');
    const hexes = (db: TempDatabase) =>
      mariadbRows(db.endpoint, "SELECT id, CONCAT_WS('|', HEX(lat), HEX(u2), HEX(e), HEX(b64), HEX(t), HEX(dt), HEX(ls)) v FROM mixed ORDER BY id");
    expect(await hexes(target)).toEqual(await hexes(source));
    expect((await hexes(target)).length).toBe(2);
  }, 180_000);
});
