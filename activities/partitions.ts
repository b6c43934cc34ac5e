/**
 * Splitting a large table into key ranges that lanes (and so every worker polling the task queue) copy at once.
 */
import { Context } from '@temporalio/activity';
import type { EndpointRef } from '../lib/migration';
import type { Key, TablePlan } from '../lib/types';
import type { ConnectorPool } from './connections';
import type { PlanKeeper, TableCarrier } from './plans';

const INTEGER_KINDS = new Set(['int16', 'int32', 'int64']);

/** Whether a table can be split: one key column of an integer type (its ranges order alike in every dialect). */
export function splittable(table: TablePlan): boolean {
  if (table.copyMode !== 'keyset' || table.keyColumns.length !== 1) return false;
  const key = table.source.columns.find((c) => c.name === table.keyColumns[0]);
  return !!key && INTEGER_KINDS.has(key.type.kind);
}

export function createPartitionActivities(pool: ConnectorPool, plans: PlanKeeper) {
  return {
    /**
     * Up to parts - 1 keys that cut the table into ranges of about rowsEstimated / parts rows each, found by walking
     * the source's key index from one boundary to the next (together one pass over the index, no table scan).
     * Empty when the table cannot be split (see splittable) or is smaller than one range.
     */
    async splitKeyRange(request: TableCarrier<{ source: EndpointRef; table: TablePlan; parts: number; rowsEstimated: number }>): Promise<Key[]> {
      const input = await plans.resolveTable(request);
      if (!splittable(input.table) || input.parts < 2) return [];
      const connector = await pool.get(input.source, 'source');
      if (!('chunkEnd' in connector) || typeof connector.chunkEnd !== 'function') return [];
      const chunkEnd = connector.chunkEnd.bind(connector) as (table: string, keyColumns: string[], after: Key | null, limit: number) => Promise<Key | null>;
      const rowsPerRange = Math.ceil(input.rowsEstimated / input.parts);
      const bounds: Key[] = [];
      let after: Key | null = null;
      for (let i = 1; i < input.parts; i++) {
        Context.current().heartbeat({ bounds: bounds.length });
        const end: Key | null = await chunkEnd(input.table.source.name, input.table.keyColumns, after, rowsPerRange);
        // Fewer rows than estimated: the walk reached the table's last key, which ends the last range anyway.
        if (!end || (after && String(end[0]) === String(after[0]))) break;
        bounds.push(end);
        after = end;
      }
      // A boundary on the table's very last key would leave an empty last range: harmless, and kept simple.
      return bounds;
    },
  };
}
