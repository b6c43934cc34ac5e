/**
 * Plans by reference. A schema of thousands of tables makes a plan of megabytes, and the workflow sent it whole in the
 * input of every validation activity: six of them in one workflow task, each encoded by the workflow's own payload
 * converter (pure JavaScript) — 20 s of one task at 5,000 tables on a loaded machine, with status queries waiting
 * behind it. The workflow now keeps the plan in the metadata store once (keepPlan) and sends its key; an activity
 * reads it back (each worker keeps the last few it read). Every keep puts the plan again, which marks its blob
 * written now: the blob collector (lib/blob-gc.ts) spares it for its grace period even before a history names the key.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { MetadataStore } from '../lib/store';
import type { MigrationPlan, TablePlan } from '../lib/types';

/** An activity input that carries its plan whole, or (PlanRef) its key in the metadata store. */
export interface PlanCarrier {
  plan?: MigrationPlan;
  /** The key keepPlan answered: the plan is read from the metadata store. */
  planRef?: string;
}

/**
 * An activity input that carries its table's plan whole, or (a run that holds no plan: see CarriedDocuments) the
 * plan's key and the table's source name.
 */
export type TableCarrier<T> = Omit<T, 'table'> & ({ table: TablePlan } | { planRef: string; tableName: string });

/** Plans a worker keeps parsed (the latest ones read: one migration's validation reads the same plan six times). */
const PLANS_KEPT = 4;

export function planKeeper(store?: MetadataStore) {
  const kept = new Map<string, MigrationPlan>();
  const remember = (key: string, plan: MigrationPlan) => {
    kept.delete(key);
    kept.set(key, plan);
    for (const oldest of kept.keys()) {
      if (kept.size <= PLANS_KEPT) break;
      kept.delete(oldest);
    }
  };

  /**
   * Stores a plan, or another document the workflow carries by reference (the source schema), once per content, under
   * the plans' key form (the blob collector finds `plan:<sha256>` keys in histories); null without a store.
   */
  const keepDocument = async (document: unknown): Promise<string | null> => {
    if (!store) return null;
    const bytes = Buffer.from(JSON.stringify(document), 'utf8');
    const key = `plan:${createHash('sha256').update(bytes).digest('hex')}`;
    await store.putBlob(key, bytes);
    return key;
  };

  /** A document keepDocument stored, parsed (`what` names it in the error when the store lacks it). */
  const document = async <T>(key: string, what = 'document'): Promise<T> => {
    const bytes = await store?.getBlob(key);
    if (!bytes) throw new Error(`${what} ${key} is not in the metadata store: the store this migration wrote to is not the one configured`);
    return JSON.parse(bytes.toString('utf8')) as T;
  };

  const read = async (key: string): Promise<MigrationPlan> => {
    const plan = kept.get(key) ?? (await document<MigrationPlan>(key, 'plan'));
    remember(key, plan);
    return plan;
  };

  return {
    /** Stores a plan (once per content) and answers its key; null for a worker without a metadata store. */
    async keep(plan: MigrationPlan): Promise<string | null> {
      const key = await keepDocument(plan);
      if (key) remember(key, plan);
      return key;
    },

    /** The input with its plan whole: read from the store when it came by reference. */
    async resolve<T extends PlanCarrier>(input: T): Promise<T & { plan: MigrationPlan }> {
      if (input.plan) return input as T & { plan: MigrationPlan };
      const key = input.planRef;
      if (!key) throw new Error('an activity got neither a plan nor a plan reference');
      return { ...input, plan: await read(key) };
    },

    /** The input with its table's plan whole: found in the plan read from the store when it came by reference. */
    async resolveTable<T extends { table: TablePlan }>(input: TableCarrier<T>): Promise<T> {
      if ('table' in input) return input as unknown as T;
      const { planRef, tableName, ...rest } = input;
      const table = (await read(planRef)).tables.find((t) => t.source.name === tableName);
      if (!table) throw ApplicationFailure.create({ message: `table ${tableName} is not in the migration's plan`, type: 'TableNotFound', nonRetryable: true });
      return { ...rest, table } as unknown as T;
    },

    keepDocument,

    /** A document keepDocument (or keep) stored, parsed. */
    document: <T>(key: string) => document<T>(key),
  };
}

export type PlanKeeper = ReturnType<typeof planKeeper>;
