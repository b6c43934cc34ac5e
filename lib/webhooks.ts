import { createHmac, timingSafeEqual } from 'node:crypto';

/** Every event Sensei sends to webhook subscribers. */
export const WEBHOOK_EVENTS = [
  'migration.created',
  'migration.phase.started',
  'migration.phase.completed',
  'migration.paused',
  'migration.resumed',
  'migration.completed',
  'migration.failed',
  'migration.cancelled',
  'validation.completed',
  'certificate.issued',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const SIGNATURE_HEADER = 'Sensei-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`: the timestamp is signed with the body, so a
 * receiver that checks it against its clock rejects replays of an old delivery.
 */
export function signPayload(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

export function verifySignature(body: string, header: string, secret: string, toleranceSeconds = 300, now = Date.now() / 1000): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isFinite(t) || !parts.v1 || Math.abs(now - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
