import { ApplicationFailure, Context } from '@temporalio/activity';
import { ConnectorError } from '../connectors/types';
import { planMigration } from '../lib/mapping';
import type { EndpointRef, RowCountCheck } from '../lib/migration';
import type { Key, KeyPart, MigrationPlan, Row, SchemaInfo, TablePlan } from '../lib/types';
import type { ConnectorPool } from './connections';
import { createValidationActivities } from './validation';

/** Failures no retry can fix: the workflow fails at once with the reason. */
const NON_RETRYABLE = new Set([
  'UnknownDialect',
  'DriverMissing',
  'NotSupported',
  'AuthenticationFailed',
  'InvalidConnectionString',
  'SchemaNotFound',
  'TableNotFound',
  'TargetTableNotEmpty',
  'WriteFailed',
]);

/** Turns a connector error into a typed Temporal failure; anything else stays retryable as it is. */
async function typed<T>(work: () => Promise<T>, onError?: () => Promise<void>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (onError) await onError();
    if (err instanceof ConnectorError) {
      throw ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: NON_RETRYABLE.has(err.code) });
    }
    throw err;
  }
}

export interface ChunkInput {
  migrationId: string;
  source: EndpointRef;
  target: EndpointRef;
  table: TablePlan;
  after: Key | null;
  limit: number;
}

export interface ChunkResult {
  rows: number;
  /** The checkpoint after this chunk: the key of its last row (unchanged when the chunk was empty). */
  lastKey: Key | null;
  done: boolean;
  durationMs: number;
}

function keyOf(row: Row, positions: number[]): Key {
  return positions.map((i): KeyPart => {
    const v = row[i];
    if (Buffer.isBuffer(v)) {
      throw ApplicationFailure.nonRetryable('binary key columns cannot be used as a keyset checkpoint', 'NotSupported');
    }
    return v ?? null;
  });
}

async function* heartbeating(batches: AsyncIterable<Row[]>): AsyncIterable<Row[]> {
  let rows = 0;
  for await (const batch of batches) {
    rows += batch.length;
    Context.current().heartbeat({ rows });
    yield batch;
  }
}

/** Activities are built around one ConnectorPool per worker process. */
export function createActivities(pool: ConnectorPool) {
  return {
    ...createValidationActivities(pool),
    async analyzeSource(input: { source: EndpointRef }): Promise<SchemaInfo> {
      return typed(async () => {
        const connector = await pool.get(input.source, 'source');
        const schema = await connector.introspect({ tables: input.source.tables });
        Context.current().log.info('source analysed', { tables: schema.tables.length, source: input.source.description });
        return schema;
      });
    },

    async planMapping(input: { schema: SchemaInfo; target: EndpointRef }): Promise<MigrationPlan> {
      return typed(async () => {
        const connector = await pool.get(input.target, 'target');
        return planMigration(input.schema, input.target.type, { targetSchema: connector.schema });
      });
    },

    async createTargetTables(input: { target: EndpointRef; plan: MigrationPlan; replace: boolean }): Promise<void> {
      return typed(async () => {
        const connector = await pool.get(input.target, 'target');
        await connector.ensureSchema();
        for (const table of input.plan.tables) {
          Context.current().heartbeat({ table: table.target });
          await connector.createTable(table, { replace: input.replace });
        }
      });
    },

    async copyChunk(input: ChunkInput): Promise<ChunkResult> {
      const started = Date.now();
      return typed(
        async () => {
          const ctx = Context.current();
          ctx.heartbeat({ after: input.after });
          const [source, target] = await Promise.all([pool.get(input.source, 'source'), pool.get(input.target, 'target')]);
          const columns = input.table.columns.map((c) => c.column);
          const rows = await source.readChunk(input.table.source.name, columns, input.table.keyColumns, input.after, input.limit);
          ctx.heartbeat({ after: input.after, read: rows.length });
          if (rows.length > 0) await target.writeRows(input.table, rows);
          const positions = input.table.keyColumns.map((k) => columns.indexOf(k));
          const last = rows.at(-1);
          return {
            rows: rows.length,
            lastKey: last ? keyOf(last, positions) : input.after,
            done: rows.length < input.limit,
            durationMs: Date.now() - started,
          };
        },
        async () => {
          // A broken connection must not be reused by the retry.
          await Promise.all([pool.discard(input.source, 'source'), pool.discard(input.target, 'target')]);
        },
      );
    },

    async copyWholeTable(input: { source: EndpointRef; target: EndpointRef; table: TablePlan; batchSize: number }): Promise<{ rows: number }> {
      return typed(async () => {
        const [source, target] = await Promise.all([pool.get(input.source, 'source'), pool.get(input.target, 'target')]);
        const columns = input.table.columns.map((c) => c.column);
        const batches = source.readAll(input.table.source.name, columns, columns, input.batchSize);
        const rows = await target.replaceAllRows(input.table, heartbeating(batches));
        return { rows };
      });
    },

    async finalizeTarget(input: { target: EndpointRef; plan: MigrationPlan }): Promise<{ skippedForeignKeys: string[] }> {
      return typed(async () => {
        const connector = await pool.get(input.target, 'target');
        const migrated = new Set(input.plan.tables.map((t) => t.source.name));
        const skippedForeignKeys: string[] = [];
        for (const table of input.plan.tables) {
          Context.current().heartbeat({ table: table.target });
          // A foreign key to a table outside this migration cannot be created in the target.
          const foreignKeys = table.source.foreignKeys.filter((fk) => {
            const keep = migrated.has(fk.referencedTable);
            if (!keep) skippedForeignKeys.push(`${table.source.name}.${fk.name} → ${fk.referencedTable}`);
            return keep;
          });
          await connector.createIndexesAndForeignKeys({ ...table, source: { ...table.source, foreignKeys } });
        }
        return { skippedForeignKeys };
      });
    },

    async compareRowCounts(input: { source: EndpointRef; target: EndpointRef; plan: MigrationPlan }): Promise<RowCountCheck[]> {
      return typed(async () => {
        const [source, target] = await Promise.all([pool.get(input.source, 'source'), pool.get(input.target, 'target')]);
        const checks: RowCountCheck[] = [];
        for (const table of input.plan.tables) {
          Context.current().heartbeat({ table: table.target });
          const [sourceRows, targetRows] = await Promise.all([source.countRows(table.source.name), target.countRows(table.target)]);
          checks.push({ table: table.source.name, source_rows: sourceRows, target_rows: targetRows, match: sourceRows === targetRows });
        }
        return checks;
      });
    },
  };
}

export type MigrationActivities = ReturnType<typeof createActivities>;
