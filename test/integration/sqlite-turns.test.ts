/**
 * A worker keeps one SQLite connector per database for all its activities, and a whole-table copy holds its
 * transaction open while it reads the next batch from the source. Two such copies into one SQLite file at once once
 * failed with "cannot start a transaction within a transaction"; now transactions take turns, and both tables land whole.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { createConnector } from '../../connectors/registry';
import { sqlitePath } from '../../connectors/endpoint';
import { planMigration } from '../../lib/mapping';
import type { Row } from '../../lib/types';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';

/** Batches that arrive slowly, as from a server over the network. */
async function* slowly(batches: Row[][]): AsyncIterable<Row[]> {
  for (const batch of batches) {
    await sleep(20);
    yield batch;
  }
}

describe('SQLite target shared by concurrent activities', () => {
  let source: TempDatabase;
  let target: TempDatabase;
  beforeAll(async () => {
    [source, target] = await Promise.all([createTempDatabase('sqlite'), createTempDatabase('sqlite')]);
    const db = new Database(sqlitePath(source.endpoint.connectionString));
    db.exec('CREATE TABLE a (v INTEGER, w TEXT); CREATE TABLE b (v INTEGER, w TEXT);');
    db.close();
  });
  afterAll(async () => {
    await Promise.all([source?.drop(), target?.drop()]);
  });

  test('two whole-table copies at once take turns and both land whole; a failing one rolls back only its own rows', async () => {
    const from = await createConnector(source.endpoint, { role: 'source' });
    const to = await createConnector(target.endpoint, { role: 'target' });
    try {
      const plan = planMigration(await from.introspect(), 'sqlite', { targetSchema: 'main' });
      const [a, b] = ['a', 'b'].map((name) => plan.tables.find((t) => t.source.name === name)!);
      expect([a.copyMode, b.copyMode]).toEqual(['whole_table', 'whole_table']);
      await to.createTable(a, { replace: false });
      await to.createTable(b, { replace: false });
      const batches = (tag: string): Row[][] => [0, 1, 2, 3].map((i) => [[i * 2, `${tag}${i * 2}`], [i * 2 + 1, `${tag}${i * 2 + 1}`]]);
      const written = await Promise.all([to.replaceAllRows(a, slowly(batches('a'))), to.replaceAllRows(b, slowly(batches('b')))]);
      expect(written).toEqual([8, 8]);

      // A copy whose source fails half-way leaves its table as it was, while another copy runs beside it.
      async function* broken(): AsyncIterable<Row[]> {
        yield* slowly([[[100, 'x']]]);
        throw new Error('source went away');
      }
      const outcomes = await Promise.allSettled([to.replaceAllRows(a, broken()), to.replaceAllRows(b, slowly(batches('c')))]);
      expect(outcomes[0].status).toBe('rejected');
      expect(outcomes[1]).toEqual({ status: 'fulfilled', value: 8 });

      const db = new Database(sqlitePath(target.endpoint.connectionString), { readonly: true });
      try {
        const read = (t: string) => db.prepare(`SELECT v, w FROM ${t} ORDER BY v`).all() as { v: number; w: string }[];
        expect(read('a').map((r) => r.w)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
        expect(read('b').map((r) => r.w)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
      } finally {
        db.close();
      }
    } finally {
      await Promise.all([from.close(), to.close()]);
    }
  });
});
