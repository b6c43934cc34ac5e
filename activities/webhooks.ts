import http from 'node:http';
import https from 'node:https';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { checkLiteralHost, guardedLookup, isNotAllowed, type ReachPolicy } from '../lib/reach';
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

export function createWebhookActivities(store: MetadataStore | undefined, unseal: (sealed: string) => string, reach: ReachPolicy) {
  /** Keeps the attempt for the subscription's delivery list; a store that fails to take it never fails the delivery. */
  async function recordAttempt(input: Delivery, attempt: number, statusCode: number | null, error: string | null): Promise<void> {
    if (!store) return;
    try {
      await store.recordWebhookDelivery({
        webhook_id: input.target.id,
        delivery_id: input.deliveryId,
        event: input.event,
        migration_id: migrationOf(input.body),
        attempt,
        status_code: statusCode,
        error,
        at: new Date().toISOString(),
      });
    } catch (err) {
      Context.current().log.warn('webhook delivery not recorded', { webhook: input.target.id, error: (err as Error).message });
    }
  }

  return {
    /** The subscriptions of an environment that want an event. */
    async webhookTargets(input: { environment: Environment; event: string }): Promise<WebhookTarget[]> {
      if (!store) return [];
      const hooks = await store.webhooksFor(input.environment, input.event);
      return hooks.map((h) => ({ id: h.id, url: h.url, sealedSecret: h.sealed_secret }));
    },

    /**
     * One signed POST; anything but a 2xx throws, and Temporal retries with backoff. A receiver whose address the reach
     * rules refuse (lib/reach.ts; checked as the socket connects, whatever was checked when the subscription was made)
     * fails at once and for good: no retry makes it allowed.
     */
    async deliverWebhook(input: Delivery): Promise<{ status: number }> {
      const attempt = Context.current().info.attempt;
      let status: number;
      try {
        status = await post(
          new URL(input.target.url),
          {
            'content-type': 'application/json',
            'user-agent': 'Sensei-Webhooks/1',
            'sensei-event': input.event,
            'sensei-delivery': input.deliveryId,
            'sensei-attempt': String(attempt),
            // Signed at each attempt, so the timestamp is fresh and the receiver's replay window stays small.
            [SIGNATURE_HEADER]: signPayload(input.body, unseal(input.target.sealedSecret)),
          },
          input.body,
          reach,
        );
      } catch (err) {
        if (isNotAllowed(err)) {
          await recordAttempt(input, attempt, null, err.message);
          throw ApplicationFailure.nonRetryable(`webhook ${input.target.id} not delivered: ${err.message}`, 'WebhookNotAllowed');
        }
        await recordAttempt(input, attempt, null, `unreachable: ${(err as Error).message}`);
        throw ApplicationFailure.retryable(`webhook ${input.target.id} unreachable: ${(err as Error).message}`, 'WebhookUnreachable');
      }
      await recordAttempt(input, attempt, status, status < 200 || status >= 300 ? `answered ${status}` : null);
      if (status < 200 || status >= 300) {
        throw ApplicationFailure.retryable(`webhook ${input.target.id} answered ${status}`, 'WebhookRejected');
      }
      return { status };
    },
  };
}

/** The migration an event is about (every event body names it as migration_id). */
function migrationOf(body: string): string | null {
  try {
    const id = (JSON.parse(body) as { migration_id?: unknown }).migration_id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/**
 * POSTs `body` and answers the status. node:http rather than fetch: its `lookup` checks every address the host resolves
 * to and hands the socket only those, so the address checked is the one connected to (no DNS rebinding in between).
 * Redirects are not followed; a fresh connection each time (no pooled socket from an earlier check).
 */
function post(url: URL, headers: Record<string, string>, body: string, reach: ReachPolicy): Promise<number> {
  // net skips `lookup` for an IP address: that is checked here.
  checkLiteralHost(url.hostname, 'webhook', reach);
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup('webhook', reach),
        agent: false,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      },
      (res) => {
        res.on('error', reject);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.resume();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
