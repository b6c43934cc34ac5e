/**
 * Plans by reference. A schema of thousands of tables makes a plan of megabytes, and the workflow sent it whole in the
 * input of every validation activity: six of them in one workflow task, each encoded by the workflow's own payload
 * converter (pure JavaScript) — 20 s of one task at 5,000 tables on a loaded machine, with status queries waiting
 * behind it. The workflow now keeps the plan in the metadata store once (keepPlan) and sends its key; an activity
 * reads it back (each worker keeps the last few it read). Every keep puts the plan again, which marks its blob
 * written now: the blob collector (lib/blob-gc.ts) spares it for its grace period even before a history names the key.
 */
import { createHash } from 'node:crypto';
import type { MetadataStore } from '../lib/store';
import type { MigrationPlan } from '../lib/types';

/** An activity input that carries its plan whole, or (PlanRef) its key in the metadata store. */
export interface PlanCarrier {
  plan?: MigrationPlan;
  /** The key keepPlan answered: the plan is read from the metadata store. */
  planRef?: string;
}

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

  return {
    /** Stores a plan (once per content) and answers its key; null for a worker without a metadata store. */
    async keep(plan: MigrationPlan): Promise<string | null> {
      if (!store) return null;
      const bytes = Buffer.from(JSON.stringify(plan), 'utf8');
      const key = `plan:${createHash('sha256').update(bytes).digest('hex')}`;
      await store.putBlob(key, bytes);
      remember(key, plan);
      return key;
    },

    /** The input with its plan whole: read from the store when it came by reference. */
    async resolve<T extends PlanCarrier>(input: T): Promise<T & { plan: MigrationPlan }> {
      if (input.plan) return input as T & { plan: MigrationPlan };
      const key = input.planRef;
      if (!key) throw new Error('an activity got neither a plan nor a plan reference');
      let plan = kept.get(key);
      if (!plan) {
        const bytes = await store?.getBlob(key);
        if (!bytes) throw new Error(`plan ${key} is not in the metadata store: the store this migration wrote to is not the one configured`);
        plan = JSON.parse(bytes.toString('utf8')) as MigrationPlan;
      }
      remember(key, plan);
      return { ...input, plan };
    },
  };
}

export type PlanKeeper = ReturnType<typeof planKeeper>;
