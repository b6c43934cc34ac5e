/**
 * Times chunks through the connectors alone (no Temporal): where a chunk's time goes, on either copy path.
 *   node dist/bench/chunk-profile.js [--pair pg-pg|my-pg|pg-my] [--rows 200000] [--chunks 3] [--path text|rows] [--format postgres-copy|…]
 * `text` is the pass-through path (key range fixed first, the source renders loader text, bytes forwarded);
 * `rows` reads rows as canonical values and writes them (the fallback path).
 */
import { Command } from 'commander';
import { createConnector } from '../connectors/registry';
import { isTextChunkSource, isTextChunkTarget, passThroughFormat, type Connector, type Endpoint, type LoadTextFormat } from '../connectors/types';
import { planMigration } from '../lib/mapping';
import type { Key } from '../lib/types';
import { DB, TABLE, freshMysqlDatabase, freshPgDatabase, mysqlUrl, pgUrl } from './data';

async function main(): Promise<void> {
  const opts = new Command()
    .option('--pair <p>', 'pg-pg, my-pg or pg-my', 'pg-pg')
    .option('--rows <n>', 'rows per chunk', '200000')
    .option('--chunks <n>', 'chunks', '3')
    .option('--path <p>', 'text (pass-through) or rows', 'text')
    .option('--format <f>', 'pass-through format (default: the first the target prefers that the source can render)')
    .parse()
    .opts<{ pair: string; rows: string; chunks: string; path: string; format?: LoadTextFormat }>();
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
  const text = opts.path === 'text';
  const format = isTextChunkSource(src) && isTextChunkTarget(dst) ? (opts.format ?? passThroughFormat(src, dst, table)) : null;
  if (text && !format) throw new Error(`${opts.pair}: the pass-through path does not apply to ${TABLE}`);
  if (text) process.stdout.write(`pass-through format ${format}\n`);
  let after: Key | null = null;
  for (let i = 0; i < Number(opts.chunks); i++) {
    const t0 = performance.now();
    let rows: number;
    let t1: number;
    if (text && format && isTextChunkSource(src) && isTextChunkTarget(dst)) {
      const upTo = await src.chunkEnd(TABLE, table.keyColumns, after, limit);
      if (!upTo) break;
      t1 = performance.now();
      rows = await dst.replaceRangeWithText(table, { after, upTo }, await src.readText(table, { after, upTo }, format), format);
      after = upTo;
    } else {
      const read = await src.readChunk(TABLE, columns, table.keyColumns, after, limit);
      t1 = performance.now();
      rows = await dst.writeRows(table, read);
      after = [read.at(-1)![0] as string];
    }
    const t2 = performance.now();
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    const phases = text ? `key range ${Math.round(t1 - t0)} ms, stream ${Math.round(t2 - t1)} ms` : `read ${Math.round(t1 - t0)} ms, write ${Math.round(t2 - t1)} ms`;
    process.stdout.write(`chunk ${i}: ${rows} rows, ${phases}, rss ${rss} MB\n`);
  }
  await src.close();
  await dst.close();
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exitCode = 1;
});
