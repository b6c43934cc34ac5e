import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Environment, MetadataStore } from '../lib/store';
import { SIGNATURE_HEADER, signPayload } from '../lib/webhooks';

export interface WebhookTarget {
  id: string;
  url: string;
  sealedSecret: string;
}

export interface Delivery {
  deliveryId: string;
  event: string;
  target: WebhookTarget;
  /** The JSON body, exactly as it will be sent and signed. */
  body: string;
}

/** How long one delivery attempt may take before it counts as failed and is retried. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export function createWebhookActivities(store: MetadataStore | undefined, unseal: (sealed: string) => string) {
  return {
    /** The subscriptions of an environment that want an event. */
    async webhookTargets(input: { environment: Environment; event: string }): Promise<WebhookTarget[]> {
      if (!store) return [];
      const hooks = await store.webhooksFor(input.environment, input.event);
      return hooks.map((h) => ({ id: h.id, url: h.url, sealedSecret: h.sealed_secret }));
    },

    /** One signed POST; anything but a 2xx throws, and Temporal retries with backoff. */
    async deliverWebhook(input: Delivery): Promise<{ status: number }> {
      const attempt = Context.current().info.attempt;
      let response: Response;
      try {
        response = await fetch(input.target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Sensei-Webhooks/1',
            'sensei-event': input.event,
            'sensei-delivery': input.deliveryId,
            'sensei-attempt': String(attempt),
            // Signed at each attempt, so the timestamp is fresh and the receiver's replay window stays small.
            [SIGNATURE_HEADER]: signPayload(input.body, unseal(input.target.sealedSecret)),
          },
          body: input.body,
          redirect: 'manual',
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
      } catch (err) {
        throw ApplicationFailure.retryable(`webhook ${input.target.id} unreachable: ${(err as Error).message}`, 'WebhookUnreachable');
      }
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) {
        throw ApplicationFailure.retryable(`webhook ${input.target.id} answered ${response.status}`, 'WebhookRejected');
      }
      return { status: response.status };
    },
  };
}
