import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { checkWebhookUrl, isNotAllowed, type ReachPolicy } from '../lib/reach';
import type { Sealer } from '../lib/secrets';
import type { MetadataStore, WebhookRecord } from '../lib/store';
import { WEBHOOK_EVENTS } from '../lib/webhooks';
import type { Principal } from './auth';
import type { webhookDeliveryResponse, webhookResponse } from './responses';
import { ApiError, notFound } from './errors';
import { pageQuery, envelope, parse } from './schemas';

/** One event a subscription may name; the OpenAPI document serves it (components.schemas.WebhookEvent), so clients such as the console read the list there. */
export const webhookEvent = z.enum(WEBHOOK_EVENTS).describe("An event Sensei sends to subscribers; a subscription names some of them, or '*' for every one");

export const createWebhookBody = z
  .object({
    url: z
      .string()
      .max(2000)
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
    events: z.array(z.enum([...WEBHOOK_EVENTS, '*'])).min(1).max(WEBHOOK_EVENTS.length + 1),
    /** The HMAC secret; generated (and shown once) when absent. */
    secret: z.string().min(16).max(200).optional(),
    description: z.string().max(500).optional(),
  })
  .strict();

/** A subscription as listed: never its secret. */
function webhookResource(w: WebhookRecord): z.infer<typeof webhookResponse> {
  return { id: w.id, url: w.url, events: w.events, description: w.description, environment: w.environment, created_at: w.created_at };
}

export function webhookRoutes(deps: { store: MetadataStore; sealer: Sealer; reach: ReachPolicy }): Router {
  const router = Router({ caseSensitive: true });
  const env = (res: { locals: Record<string, unknown> }) => (res.locals.principal as Principal).environment;

  router.post('/', async (req, res) => {
    const body = parse(createWebhookBody, req.body);
    // Resolved now; each delivery resolves and checks again as it connects (activities/webhooks.ts).
    try {
      await checkWebhookUrl(body.url, deps.reach);
    } catch (err) {
      if (!isNotAllowed(err)) throw err;
      throw new ApiError(422, 'validation_error', 'Sensei may not send webhooks to this URL', { field: 'url', reason: err.message });
    }
    const secret = body.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
    const saved = await deps.store.createWebhook({
      environment: env(res),
      url: body.url,
      events: body.events,
      sealed_secret: deps.sealer.seal(secret),
      description: body.description ?? null,
    });
    // The secret is returned once, here, so the receiver can verify Sensei-Signature.
    res.status(201).location(`/v1/webhooks/${saved.id}`).json({ ...webhookResource(saved), secret });
  });

  router.get('/', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const { total, rows } = await deps.store.listWebhooks(env(res), q.limit, q.offset);
    res.json(envelope(rows.map(webhookResource), total, q));
  });

  router.get('/:id', async (req, res) => {
    const found = await deps.store.getWebhook(String(req.params.id), env(res));
    if (!found) throw notFound('webhook', String(req.params.id));
    res.json(webhookResource(found));
  });

  /** The subscription's delivery attempts, newest first: when, which event, the receiver's HTTP status or why none. */
  router.get('/:id/deliveries', async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    const found = await deps.store.getWebhook(String(req.params.id), env(res));
    if (!found) throw notFound('webhook', String(req.params.id));
    const { total, rows } = await deps.store.listWebhookDeliveries(found.id, q.limit, q.offset);
    const data: z.infer<typeof webhookDeliveryResponse>[] = rows.map((d) => ({
      delivery_id: d.delivery_id,
      event: d.event,
      migration_id: d.migration_id,
      attempt: d.attempt,
      outcome: d.status_code !== null && d.status_code >= 200 && d.status_code < 300 ? 'delivered' : 'failed',
      status_code: d.status_code,
      error: d.error,
      at: d.at,
    }));
    res.json(envelope(data, total, q));
  });

  router.delete('/:id', async (req, res) => {
    if (!(await deps.store.deleteWebhook(String(req.params.id), env(res)))) throw notFound('webhook', String(req.params.id));
    res.status(204).end();
  });

  return router;
}
