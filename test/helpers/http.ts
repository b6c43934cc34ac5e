import type { MigrationStatus } from '../../lib/migration';
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
