/**
 * Times one chunk's read and write through the connectors alone (no Temporal): where a chunk's time goes.
 *   node dist/bench/chunk-profile.js [--pair pg-pg|my-pg|pg-my] [--rows 200000]
 */
import { Command } from 'commander';
import { createConnector } from '../connectors/registry';
import type { Connector, Endpoint } from '../connectors/types';
import { planMigration } from '../lib/mapping';
import { DB, TABLE, freshMysqlDatabase, freshPgDatabase, mysqlUrl, pgUrl } from './data';

async function main(): Promise<void> {
  const opts = new Command().option('--pair <p>', 'pg-pg, my-pg or pg-my', 'pg-pg').option('--rows <n>', 'rows per chunk', '200000').option('--chunks <n>', 'chunks', '3').parse().opts();
  const limit = Number(opts.rows);
  const toPg = String(opts.pair).endsWith('pg');
  const source: Endpoint = String(opts.pair).startsWith('pg') ? { type: 'postgresql', connectionString: pgUrl(DB.source) } : { type: 'mysql', connectionString: mysqlUrl(DB.source) };
  if (toPg) await freshPgDatabase(DB.peer);
  else await freshMysqlDatabase(DB.peer);
  const target: Endpoint = toPg ? { type: 'postgresql', connectionString: pgUrl(DB.peer) } : { type: 'mysql', connectionString: mysqlUrl(DB.peer) };
  const src: Connector = await createConnector(source);
  const dst: Connector = await createConnector(target);
  const schema = await src.introspect({ tables: [TABLE] });
  const plan = planMigration(schema, target.type, { targetSchema: dst.schema });
  const table = plan.tables[0];
  await dst.createTable(table, { replace: true });
  const columns = table.columns.map((c) => c.column);
  let after: (string | number | boolean | null)[] | null = null;
  for (let i = 0; i < Number(opts.chunks); i++) {
    const t0 = performance.now();
    const rows = await src.readChunk(TABLE, columns, table.keyColumns, after, limit);
    const t1 = performance.now();
    await dst.writeRows(table, rows);
    const t2 = performance.now();
    after = [rows.at(-1)![0] as string];
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    process.stdout.write(`chunk ${i}: ${rows.length} rows, read ${Math.round(t1 - t0)} ms, write ${Math.round(t2 - t1)} ms, rss ${rss} MB\n`);
  }
  await src.close();
  await dst.close();
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exitCode = 1;
});
