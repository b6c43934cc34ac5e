// Saved connections, webhooks and API keys. None of these pages ever shows a stored secret: connection strings and
// webhook secrets are write-only; a new API key (or a generated webhook secret) is shown once, right after creation.
import { useEffect, useState } from 'preact/hooks';
import { api, useDialects } from './api.js';
import { html, ErrorNote, fmtTime, Loading } from './ui.js';

function useList(path) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const load = () =>
    api('GET', path).then(
      (p) => {
        setRows(p.data);
        setError(null);
      },
      setError,
    );
  useEffect(() => {
    void load();
  }, [path]);
  return { rows, error, load };
}

/** Runs an action, shows its error; answers its result (undefined when it failed). */
function useAction() {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn) => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError(err);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

export function Connections() {
  const dialects = useDialects();
  const list = useList('/v1/connections?limit=100');
  const action = useAction();
  const [tests, setTests] = useState({});
  const create = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const body = { name: f.get('name'), type: f.get('type'), connection_string: f.get('connection_string'), test: f.get('test') === 'on' };
    if (f.get('schema')) body.schema = f.get('schema');
    if (await action.run(() => api('POST', '/v1/connections', body))) {
      form.reset();
      await list.load();
    }
  };
  const test = async (c) => {
    setTests({ ...tests, [c.id]: 'testing…' });
    const r = await action.run(() => api('POST', `/v1/connections/${c.id}/test`));
    setTests((all) => ({ ...all, [c.id]: r ? (r.success ? `OK · ${r.server_version} · ${r.latency_ms} ms` : `failed: ${r.error}`) : 'failed' }));
  };
  const remove = async (c) => {
    if (!confirm(`Delete the connection ${c.name}?`)) return;
    if ((await action.run(() => api('DELETE', `/v1/connections/${c.id}`))) !== undefined) await list.load();
  };
  return html`<h1>Connections</h1>
    <p class="help">Saved sources and targets. Their connection strings are sealed by the server and never shown again; a description without the password is.</p>
    <${ErrorNote} error=${list.error || action.error} />
    ${list.rows === null
      ? html`<${Loading} what="connections" />`
      : list.rows.length === 0
        ? html`<p class="empty">No saved connections.</p>`
        : html`<table class="list">
            <caption class="sr-only">Saved connections</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Where</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              ${list.rows.map(
                (c) => html`<tr>
                  <th scope="row">${c.name}<div class="sub mono">${c.id}</div></th>
                  <td>${c.type}</td>
                  <td class="mono">${c.description}${c.schema ? ` (schema ${c.schema})` : ''}</td>
                  <td>${fmtTime(c.created_at)}</td>
                  <td class="row-actions">
                    <button type="button" class="secondary" onClick=${() => test(c)} aria-label=${`Test ${c.name}`}>Test</button>
                    <button type="button" class="danger" onClick=${() => remove(c)} aria-label=${`Delete ${c.name}`}>Delete</button>
                    <span role="status">${tests[c.id] || ''}</span>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    <h2>Add a connection</h2>
    <form class="stack" onSubmit=${create}>
      <label for="c-name">Name</label>
      <input id="c-name" name="name" type="text" required maxlength="200" autocomplete="off" />
      <label for="c-type">Database type</label>
      <select id="c-type" name="type">${dialects.map((d) => html`<option value=${d.type}>${d.label}</option>`)}</select>
      <label for="c-url">Connection string</label>
      <input id="c-url" name="connection_string" type="password" required autocomplete="off" spellcheck="false" aria-describedby="c-url-help" />
      <p class="help" id="c-url-help">Write-only: stored sealed, never displayed.</p>
      <label for="c-schema">Schema <span class="optional">(optional)</span></label>
      <input id="c-schema" name="schema" type="text" autocomplete="off" />
      <label class="check"><input type="checkbox" name="test" checked /> Test the connection before saving</label>
      <div class="actions"><button type="submit" disabled=${action.busy}>Save connection</button></div>
    </form>`;
}

/** A secret shown once, right after it was made; gone when the operator dismisses it or leaves the page. */
function ShownOnce({ what, value, onDone }) {
  return html`<div class="once" role="alert">
    <p><strong>Copy the ${what} now:</strong> it is shown this once and cannot be read again.</p>
    <label for="once-value" class="sr-only">${what}</label>
    <input id="once-value" class="mono" type="text" readonly value=${value} onFocus=${(e) => e.currentTarget.select()} />
    <button type="button" class="secondary" onClick=${onDone}>Done, hide it</button>
  </div>`;
}

export function ApiKeys({ isAdmin }) {
  const list = useList('/v1/api-keys?limit=100');
  const action = useAction();
  const [created, setCreated] = useState(null);
  if (!isAdmin) return html`<h1>API keys</h1><p class="error">Managing API keys needs a key with the admin scope.</p>`;
  const create = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const scopes = ['read', 'write', 'admin'].filter((s) => f.get(`scope_${s}`) === 'on');
    const made = await action.run(() => api('POST', '/v1/api-keys', { name: f.get('name'), scopes }));
    if (made) {
      form.reset();
      setCreated(made);
      await list.load();
    }
  };
  const revoke = async (k) => {
    if (!confirm(`Revoke the key ${k.name}? Requests with it are refused from now on.`)) return;
    if (await action.run(() => api('POST', `/v1/api-keys/${k.id}/revoke`))) await list.load();
  };
  return html`<h1>API keys</h1>
    <${ErrorNote} error=${list.error || action.error} />
    ${created && html`<${ShownOnce} what=${`API key “${created.name}”`} value=${created.key} onDone=${() => setCreated(null)} />`}
    ${list.rows === null
      ? html`<${Loading} what="API keys" />`
      : html`<table class="list">
          <caption class="sr-only">API keys of this environment</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th></tr></thead>
          <tbody>
            ${list.rows.map(
              (k) => html`<tr>
                <th scope="row">${k.name}<div class="sub mono">${k.id}</div></th>
                <td class="mono">${k.prefix}…</td>
                <td>${k.scopes.join(', ')}</td>
                <td>${fmtTime(k.created_at)}</td>
                <td>${fmtTime(k.last_used_at)}</td>
                <td>
                  ${k.revoked_at
                    ? `revoked ${fmtTime(k.revoked_at)}`
                    : html`<button type="button" class="danger" onClick=${() => revoke(k)} aria-label=${`Revoke ${k.name}`}>Revoke</button>`}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>`}
    <h2>Create a key</h2>
    <form class="stack" onSubmit=${create}>
      <label for="k-name">Name</label>
      <input id="k-name" name="name" type="text" required maxlength="200" autocomplete="off" />
      <fieldset>
        <legend>Scopes</legend>
        <label class="check"><input type="checkbox" name="scope_read" checked /> read</label>
        <label class="check"><input type="checkbox" name="scope_write" checked /> write</label>
        <label class="check"><input type="checkbox" name="scope_admin" /> admin</label>
      </fieldset>
      <div class="actions"><button type="submit" disabled=${action.busy}>Create key</button></div>
    </form>`;
}

/** The events a subscription may name, as the API's OpenAPI document lists them (one list, lib/webhooks.ts), '*' first. */
function useWebhookEvents() {
  const [events, setEvents] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', '/v1/openapi.json').then((doc) => {
      const listed = doc?.components?.schemas?.WebhookEvent?.enum;
      if (Array.isArray(listed)) setEvents(['*', ...listed]);
      else setError(new Error('the API document lists no webhook events'));
    }, setError);
  }, []);
  return { events, error };
}

export function Webhooks() {
  const list = useList('/v1/webhooks?limit=100');
  const events = useWebhookEvents();
  const action = useAction();
  const [created, setCreated] = useState(null);
  const [open, setOpen] = useState(null);
  const create = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const events = f.getAll('events');
    const body = { url: f.get('url'), events: events.length ? events : ['*'] };
    if (f.get('description')) body.description = f.get('description');
    const made = await action.run(() => api('POST', '/v1/webhooks', body));
    if (made) {
      form.reset();
      setCreated(made);
      await list.load();
    }
  };
  const remove = async (w) => {
    if (!confirm(`Delete the webhook to ${w.url}?`)) return;
    if ((await action.run(() => api('DELETE', `/v1/webhooks/${w.id}`))) !== undefined) await list.load();
  };
  return html`<h1>Webhooks</h1>
    <${ErrorNote} error=${list.error || events.error || action.error} />
    ${created && html`<${ShownOnce} what="signing secret" value=${created.secret} onDone=${() => setCreated(null)} />`}
    ${list.rows === null
      ? html`<${Loading} what="webhooks" />`
      : list.rows.length === 0
        ? html`<p class="empty">No webhooks.</p>`
        : html`<table class="list">
            <caption class="sr-only">Webhook subscriptions</caption>
            <thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">Created</th><th scope="col">Actions</th></tr></thead>
            <tbody>
              ${list.rows.map(
                (w) => html`<tr>
                    <th scope="row" class="mono">${w.url}${w.description ? html`<div class="sub">${w.description}</div>` : ''}</th>
                    <td>${w.events.join(', ')}</td>
                    <td>${fmtTime(w.created_at)}</td>
                    <td class="row-actions">
                      <button type="button" class="secondary" aria-expanded=${open === w.id} onClick=${() => setOpen(open === w.id ? null : w.id)}>Deliveries</button>
                      <button type="button" class="danger" onClick=${() => remove(w)} aria-label=${`Delete the webhook to ${w.url}`}>Delete</button>
                    </td>
                  </tr>
                  ${open === w.id && html`<tr><td colspan="4"><${Deliveries} webhook=${w} /></td></tr>`}`,
              )}
            </tbody>
          </table>`}
    <h2>Add a webhook</h2>
    <form class="stack" onSubmit=${create}>
      <label for="w-url">URL</label>
      <input id="w-url" name="url" type="url" required maxlength="2000" autocomplete="off" />
      <fieldset>
        <legend>Events</legend>
        ${events.events === null
          ? html`<${Loading} what="events" />`
          : events.events.map((ev) => html`<label class="check"><input type="checkbox" name="events" value=${ev} checked=${ev === '*'} /> ${ev === '*' ? 'every event' : ev}</label>`)}
      </fieldset>
      <label for="w-desc">Description <span class="optional">(optional)</span></label>
      <input id="w-desc" name="description" type="text" maxlength="500" autocomplete="off" />
      <p class="help">A signing secret is generated and shown once; receivers check the Sensei-Signature header with it.</p>
      <div class="actions"><button type="submit" disabled=${action.busy}>Add webhook</button></div>
    </form>`;
}

function Deliveries({ webhook }) {
  const list = useList(`/v1/webhooks/${webhook.id}/deliveries?limit=50`);
  useEffect(() => {
    const timer = setInterval(list.load, 5000);
    return () => clearInterval(timer);
  }, [webhook.id]);
  if (list.error) return html`<${ErrorNote} error=${list.error} />`;
  if (list.rows === null) return html`<${Loading} what="deliveries" />`;
  if (list.rows.length === 0) return html`<p class="empty">No deliveries yet.</p>`;
  return html`<table class="list deliveries">
    <caption>Latest deliveries to ${webhook.url}</caption>
    <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Migration</th><th scope="col" class="num">Attempt</th><th scope="col">Outcome</th></tr></thead>
    <tbody>
      ${list.rows.map(
        (d) => html`<tr>
          <td>${fmtTime(d.at)}</td>
          <td class="mono">${d.event}</td>
          <td>${d.migration_id ? html`<a href=${`#/migrations/${d.migration_id}`} class="mono">${d.migration_id}</a>` : '—'}</td>
          <td class="num">${d.attempt}</td>
          <td><span class=${d.outcome === 'delivered' ? 'ok' : 'error'}>${d.outcome}</span>${d.status_code ? ` · HTTP ${d.status_code}` : ''}${d.error && d.outcome !== 'delivered' ? ` · ${d.error}` : ''}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}
