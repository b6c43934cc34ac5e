// The migrations list (live) and the form that creates one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, followStatus, useDialects } from './api.js';
import { html, durationOf, ErrorNote, fmtDuration, fmtTime, label, Loading, ProgressBar, STATUSES, StatusBadge, TERMINAL } from './ui.js';

/** Status streams the list holds at once: the API allows a credential a few (SENSEI_SSE_MAX_STREAMS, 5), and a migration page needs one. */
const LIST_STREAMS = 3;
const PAGE = 25;

export function MigrationList() {
  const [filter, setFilter] = useState(new URLSearchParams(location.hash.split('?')[1] || '').get('status') || '');
  const [rows, setRows] = useState(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState(null);
  const [statuses, setStatuses] = useState({});
  const [, tick] = useState(0);
  const streams = useRef(new Map());

  // The list itself: again every few seconds, for migrations created elsewhere.
  useEffect(() => {
    let stop = false;
    const load = async () => {
      try {
        const q = new URLSearchParams({ limit: String(PAGE) });
        if (filter) q.set('status', filter);
        const page = await api('GET', `/v1/migrations?${q}`);
        if (stop) return;
        setRows(page.data);
        setTotal(page.pagination.total);
        setError(null);
      } catch (err) {
        if (!stop) setError(err);
      }
    };
    void load();
    const timer = setInterval(load, 5000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [filter]);

  // Each row's live status: streamed for the first few open migrations, read once for closed ones, polled for the rest.
  useEffect(() => {
    if (!rows) return;
    const open = rows.filter((r) => !TERMINAL.includes(r.status));
    const streamed = new Set(open.slice(0, LIST_STREAMS).map((r) => r.id));
    for (const [id, stop] of streams.current) {
      if (!streamed.has(id)) {
        stop();
        streams.current.delete(id);
      }
    }
    const put = (s) => setStatuses((all) => ({ ...all, [s.id]: s }));
    for (const id of streamed) {
      if (!streams.current.has(id)) streams.current.set(id, followStatus(id, put));
    }
    for (const r of rows) {
      if (streamed.has(r.id)) continue;
      const known = statuses[r.id];
      if (known && TERMINAL.includes(known.status)) continue;
      api('GET', `/v1/migrations/${r.id}`).then(put, () => {});
    }
  }, [rows]);
  useEffect(
    () => () => {
      for (const stop of streams.current.values()) stop();
      streams.current.clear();
    },
    [],
  );
  // Durations of running migrations count up.
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);

  const choose = (e) => {
    const value = e.currentTarget.value;
    setFilter(value);
    setRows(null);
    history.replaceState(null, '', value ? `#/migrations?status=${value}` : '#/migrations');
  };

  return html`<div class="page-head">
      <h1>Migrations</h1>
      <a class="button" href="#/migrations/new">New migration</a>
    </div>
    <div class="filters">
      <label for="status-filter">Status</label>
      <select id="status-filter" value=${filter} onChange=${choose}>
        <option value="">All</option>
        ${STATUSES.map((s) => html`<option value=${s}>${label(s)}</option>`)}
      </select>
      <span class="count" aria-live="polite">${rows ? `${total} migration${total === 1 ? '' : 's'}` : ''}</span>
    </div>
    <${ErrorNote} error=${error} />
    ${rows === null
      ? html`<${Loading} what="migrations" />`
      : rows.length === 0
        ? html`<p class="empty">No migrations${filter ? ` with status ${label(filter)}` : ''} yet. <a href="#/migrations/new">Create one</a>.</p>`
        : html`<table class="list migrations">
            <caption class="sr-only">Migrations, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Source → target</th>
                <th scope="col">Status</th>
                <th scope="col">Phase</th>
                <th scope="col">Progress</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              ${rows.map((r) => html`<${Row} row=${r} status=${statuses[r.id]} />`)}
            </tbody>
          </table>`}`;
}

function Row({ row, status }) {
  const s = status || row;
  const progress = status && status.progress;
  const source = status ? status.source.description || status.source.type : row.source.type;
  const target = status ? status.target.description || status.target.type : row.target.type;
  return html`<tr data-id=${row.id}>
    <th scope="row"><a href=${`#/migrations/${row.id}`}>${row.name}</a><div class="sub mono">${row.id}</div></th>
    <td class="endpoints">${source}<span class="to">→ ${target}</span></td>
    <td><${StatusBadge} status=${s.status} /></td>
    <td>${label(s.phase)}</td>
    <td>
      ${progress
        ? html`<${ProgressBar}
            name=${`Progress of ${row.name}`}
            value=${progress.percent}
            text=${`${progress.percent}%`}
          />`
        : '—'}
    </td>
    <td class="when">${fmtTime(status && status.started_at)}</td>
    <td class="when">${fmtDuration(durationOf(status))}</td>
  </tr>`;
}

/** One side of a new migration: a saved connection, or a type and a connection string typed here (never shown again). */
function EndpointFields({ side, connections }) {
  const [mode, setMode] = useState(connections.length ? 'saved' : 'inline');
  const dialects = useDialects();
  const id = (f) => `${side}-${f}`;
  return html`<fieldset>
    <legend>${side === 'source' ? 'Source' : 'Target'}</legend>
    <div class="radio-row" role="radiogroup" aria-label=${`How to reach the ${side}`}>
      <label><input type="radio" name=${`${side}_mode`} value="saved" checked=${mode === 'saved'} disabled=${!connections.length} onChange=${() => setMode('saved')} /> Saved connection</label>
      <label><input type="radio" name=${`${side}_mode`} value="inline" checked=${mode === 'inline'} onChange=${() => setMode('inline')} /> Connection string</label>
    </div>
    ${mode === 'saved'
      ? html`<label for=${id('connection')}>Connection</label>
          <select id=${id('connection')} name=${`${side}_connection_id`} required>
            ${connections.map((c) => html`<option value=${c.id}>${c.name} (${c.type}: ${c.description})</option>`)}
          </select>`
      : html`<label for=${id('type')}>Database type</label>
          <select id=${id('type')} name=${`${side}_type`}>
            ${dialects.map((d) => html`<option value=${d.type}>${d.label}</option>`)}
          </select>
          <label for=${id('url')}>Connection string</label>
          <input id=${id('url')} name=${`${side}_connection_string`} type="password" autocomplete="off" spellcheck="false" required
            aria-describedby=${id('url-help')} />
          <p class="help" id=${id('url-help')}>Sent once, sealed by the server; never shown again.</p>`}
    ${side === 'source' &&
    html`<label for=${id('tables')}>Tables <span class="optional">(optional, comma-separated; all when empty)</span></label>
      <input id=${id('tables')} name="source_tables" type="text" autocomplete="off" />`}
  </fieldset>`;
}

export function NewMigration() {
  const [connections, setConnections] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api('GET', '/v1/connections?limit=100').then(
      (p) => setConnections(p.data),
      () => setConnections([]),
    );
  }, []);

  const endpoint = (f, side) => {
    const saved = f.get(`${side}_connection_id`);
    if (f.get(`${side}_mode`) === 'saved' && saved) return { connection_id: saved };
    return { type: f.get(`${side}_type`), connection_string: f.get(`${side}_connection_string`) };
  };

  const submit = async (e) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const source = endpoint(f, 'source');
    const tables = String(f.get('source_tables') || '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (tables.length) source.tables = tables;
    const options = { auto_approve_high_confidence: f.get('auto_approve') === 'on' };
    const chunk = Number(f.get('chunk_size'));
    if (chunk) options.chunk_size = chunk;
    const body = { name: f.get('name'), source, target: endpoint(f, 'target'), strategy: f.get('strategy'), options };
    setBusy(true);
    setError(null);
    try {
      const created = await api('POST', '/v1/migrations', body);
      if (f.get('start_now') === 'on') await api('POST', `/v1/migrations/${created.id}/start`);
      // The connection strings typed here leave the page with the form.
      form.reset();
      location.hash = `#/migrations/${created.id}`;
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (connections === null) return html`<h1>New migration</h1><${Loading} what="connections" />`;
  return html`<h1>New migration</h1>
    <form class="stack" onSubmit=${submit}>
      <label for="m-name">Name</label>
      <input id="m-name" name="name" type="text" required maxlength="200" autocomplete="off" />
      <div class="two">
        <${EndpointFields} side="source" connections=${connections} />
        <${EndpointFields} side="target" connections=${connections} />
      </div>
      <label for="m-strategy">Strategy</label>
      <select id="m-strategy" name="strategy" aria-describedby="m-strategy-help">
        <option value="balanced">balanced</option>
        <option value="conservative">conservative</option>
        <option value="aggressive">aggressive</option>
      </select>
      <p class="help" id="m-strategy-help">Conservative always waits for approval; aggressive approves every mapping that can run.</p>
      <label for="m-chunk">Chunk size <span class="optional">(rows, optional)</span></label>
      <input id="m-chunk" name="chunk_size" type="number" min="1" step="1" />
      <label class="check"><input type="checkbox" name="auto_approve" /> Approve on its own when every mapping is lossless</label>
      <label class="check"><input type="checkbox" name="start_now" checked /> Start at once</label>
      <div class="actions">
        <button type="submit" disabled=${busy}>${busy ? 'Creating…' : 'Create migration'}</button>
        <a href="#/migrations">Cancel</a>
      </div>
      <${ErrorNote} error=${error} />
    </form>`;
}
