import type { MigrationStatus } from '../../lib/migration';
import type { TempDatabase } from './databases';
import type { Stack } from './processes';

export interface ApiAnswer {
  status: number;
  body: any;
  text: string;
}

/** A caller of the stack's API over loopback HTTP with its bootstrap key, as an API consumer would call it. */
export function apiCaller(stack: Stack) {
  async function api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const res = await fetch(stack.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  }

  /** Polls the status until `done`; a 503 (no worker polling yet) is waited out, any other non-200 fails. */
  async function poll(id: string, done: (s: MigrationStatus) => boolean, timeoutMs = 180_000): Promise<MigrationStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await api('GET', `/v1/migrations/${id}/status`);
      if (res.status !== 503 || Date.now() > deadline) {
        if (res.status !== 200) throw new Error(`GET status answered ${res.status}: ${res.text}`);
        const s = res.body as MigrationStatus;
        if (done(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out: ${s.status} ${s.phase} ${JSON.stringify(s.failure)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  return { api, poll };
}

export const isOver = (s: MigrationStatus) => ['completed', 'failed', 'cancelled'].includes(s.status);

/**
 * Creates a migration of `source` into `target` through the API (inline connection strings), starts it, and answers
 * its id; each answer is expected as the API documents it (201, then 202).
 */
export async function createAndStart(
  api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>,
  migration: { name: string; source: TempDatabase; target: TempDatabase; strategy: string; options?: Record<string, unknown> },
): Promise<string> {
  const endpoint = (db: TempDatabase) => ({ type: db.endpoint.type, connection_string: db.endpoint.connectionString });
  const created = await api('POST', '/v1/migrations', {
    name: migration.name,
    source: endpoint(migration.source),
    target: endpoint(migration.target),
    strategy: migration.strategy,
    ...(migration.options ? { options: migration.options } : {}),
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
  return id;
}
