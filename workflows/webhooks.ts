/** Delivers one event to every subscription that wants it, each with its own retries, apart from the migration. */
import * as wf from '@temporalio/workflow';
import type { MigrationActivities } from '../activities';

export interface WebhookEventInput {
  eventId: string;
  environment: 'live' | 'test';
  event: string;
  /** The JSON body every subscriber receives. */
  body: string;
}

const lookup = wf.proxyActivities<MigrationActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

/** A receiver that is down is retried with backoff for a day; it never holds up the migration that sent the event. */
const deliver = wf.proxyActivities<MigrationActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function webhookDeliveryWorkflow(input: WebhookEventInput): Promise<{ delivered: number; failed: number }> {
  const targets = await lookup.webhookTargets({ environment: input.environment, event: input.event });
  const results = await Promise.allSettled(
    targets.map((target) => deliver.deliverWebhook({ deliveryId: `${input.eventId}:${target.id}`, event: input.event, target, body: input.body })),
  );
  return { delivered: results.filter((r) => r.status === 'fulfilled').length, failed: results.filter((r) => r.status === 'rejected').length };
}
