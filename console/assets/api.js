// The console's only way to the server: the public REST API (/v1), with the API key the operator signed in with.
// The key lives in this tab's sessionStorage (gone when the tab closes), is sent only as a bearer token, and is
// never written into the page.
import { useEffect, useState } from 'preact/hooks';

const KEY = 'sensei.apiKey';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  signIn: (key) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

/** An answer other than 2xx, with the API's error code and message (never the request's body). */
export class ApiError extends Error {
  constructor(status, body) {
    const err = body && body.error ? body.error : {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || 'http_error';
    this.details = err.details;
  }
}

function headers(extra = {}) {
  const h = { accept: 'application/json', ...extra };
  const key = session.key();
  if (key) h.authorization = `Bearer ${key}`;
  return h;
}

/** Calls the API; answers the parsed JSON body (null for 204), throws ApiError otherwise. */
export async function api(method, path, body, { key } = {}) {
  const h = headers(body === undefined ? {} : { 'content-type': 'application/json' });
  if (key) h.authorization = `Bearer ${key}`;
  const res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (res.status === 401 && !key) onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, parsed);
  return parsed;
}

let unauthorized = () => {};
function onUnauthorized() {
  unauthorized();
}
/** What to do when the key stops working (revoked, expired): the app signs out. */
export function whenUnauthorized(fn) {
  unauthorized = fn;
}

/** A file the API serves (the certificate), saved through the browser's download. Answers the bytes' text. */
export async function download(path, filename) {
  const res = await fetch(path, { headers: headers(), cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return blob.text();
}

/**
 * Follows a migration's status over the API's server-sent events (GET …/status, Accept: text/event-stream).
 * EventSource cannot send an Authorization header, so the stream is read with fetch. Reconnects when the server ends
 * a long stream; falls back to polling when the credential holds too many streams. Answers a function that stops it.
 */
export function followStatus(id, onStatus, onError = () => {}) {
  const controller = new AbortController();
  let stopped = false;
  const path = `/v1/migrations/${encodeURIComponent(id)}/status`;

  async function poll() {
    while (!stopped) {
      try {
        const s = await api('GET', path);
        onStatus(s);
        if (['completed', 'failed', 'cancelled'].includes(s.status)) return;
      } catch (err) {
        if (!stopped) onError(err);
      }
      await sleep(2000);
    }
  }

  async function stream() {
    while (!stopped) {
      let res;
      try {
        res = await fetch(path, { headers: headers({ accept: 'text/event-stream' }), signal: controller.signal, cache: 'no-store' });
      } catch (err) {
        if (stopped) return;
        onError(err);
        await sleep(2000);
        continue;
      }
      if (res.status === 429) return poll();
      if (!res.ok) {
        onError(new ApiError(res.status, await res.json().catch(() => null)));
        if (res.status === 401 || res.status === 404) return;
        await sleep(2000);
        continue;
      }
      const ended = await readEvents(res.body, (event, data) => {
        if (event === 'status') onStatus(JSON.parse(data));
        return event === 'end' ? JSON.parse(data || '{}') : undefined;
      }).catch(() => undefined);
      // The server closes a stream when the migration is over ({}), or after its longest duration (reconnect).
      if (ended && !ended.reason) return;
      await sleep(500);
    }
  }

  void stream();
  return () => {
    stopped = true;
    controller.abort();
  };
}

/** Reads `event:`/`data:` blocks until the stream ends or `onEvent` answers something (which is then answered). */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return undefined;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length === 0) continue;
      const answer = onEvent(event, data.join('\n'));
      if (answer !== undefined) {
        await reader.cancel().catch(() => {});
        return answer;
      }
    }
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let dialectList = null;

/**
 * The databases the API knows (GET /v1/dialects: the server's one list of dialects), asked once a page load; empty
 * until they arrive, and while the API does not answer.
 */
export function useDialects() {
  const [list, setList] = useState([]);
  useEffect(() => {
    dialectList ??= api('GET', '/v1/dialects').then(
      (r) => r.data,
      (err) => {
        dialectList = null;
        throw err;
      },
    );
    dialectList.then(setList, () => setList([]));
  }, []);
  return list;
}
