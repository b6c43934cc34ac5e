import { createHash } from 'node:crypto';
import { createConnector } from '../../connectors/registry';
import type { Endpoint } from '../../connectors/types';
import { rowDigest } from '../../lib/values';

export interface TableComparison {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceChecksum: string;
  targetChecksum: string;
}

/**
 * Reads every row of every source table on both sides (independently of the migration's own validation)
 * and checksums them as a multiset, so the order a dialect's collation gives cannot matter.
 * Both sides render values with the source's canonical column types.
 */
export async function compareDatabases(source: Endpoint, target: Endpoint, tables?: string[]): Promise<TableComparison[]> {
  const [src, dst] = await Promise.all([createConnector(source), createConnector(target)]);
  try {
    const schema = await src.introspect(tables ? { tables } : {});
    const out: TableComparison[] = [];
    for (const table of schema.tables) {
      const columns = table.columns.map((c) => c.name);
      const types = table.columns.map((c) => c.type);
      const order = table.primaryKey.length ? table.primaryKey : columns;
      const sum = async (connector: typeof src) => {
        const digests: string[] = [];
        for await (const batch of connector.readAll(table.name, columns, order, 5_000)) {
          for (const row of batch) digests.push(rowDigest(row, types));
        }
        digests.sort();
        return { rows: digests.length, checksum: createHash('sha256').update(digests.join('\n')).digest('hex') };
      };
      const [s, t] = await Promise.all([sum(src), sum(dst)]);
      out.push({ table: table.name, sourceRows: s.rows, targetRows: t.rows, sourceChecksum: s.checksum, targetChecksum: t.checksum });
    }
    return out;
  } finally {
    await Promise.all([src.close(), dst.close()]);
  }
}
