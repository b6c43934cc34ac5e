// One migration: live status, phases, tables, the approval gate with its mappings, errors, validation, certificate.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, download, followStatus } from './api.js';
import { verifyCertificate } from './certificate.js';
import { html, durationOf, ErrorNote, fmtDuration, fmtNumber, fmtTime, label, Loading, PHASES, ProgressBar, StatusBadge, TERMINAL } from './ui.js';

export function MigrationPage({ id, config }) {
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);
  const [, tick] = useState(0);
  useEffect(() => {
    setStatus(null);
    const stop = followStatus(
      id,
      (s) => {
        setStatus(s);
        setError(null);
      },
      setError,
    );
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => {
      stop();
      clearInterval(timer);
    };
  }, [id]);
  const refresh = () => api('GET', `/v1/migrations/${id}/status`).then(setStatus, setError);

  if (!status) return html`<h1>Migration <span class="mono">${id}</span></h1><${ErrorNote} error=${error} />${!error && html`<${Loading} what="the migration" />`}`;
  const s = status;
  const temporalUi = config && config.temporal_ui_url;
  return html`<div class="page-head">
      <div>
        <p class="crumbs"><a href="#/migrations">Migrations</a> /</p>
        <h1>${s.name}</h1>
        <p class="sub"><span class="mono">${s.id}</span> · ${s.source.description || s.source.type} → ${s.target.description || s.target.type} · ${s.strategy}</p>
      </div>
      <div class="head-side">
        <${StatusBadge} status=${s.status} />
        ${temporalUi &&
        html`<a href=${`${temporalUi}/namespaces/${encodeURIComponent(config.namespace || 'default')}/workflows/${encodeURIComponent(s.id)}`} target="_blank" rel="noopener noreferrer"
          >Workflow in the Temporal UI<span class="sr-only"> (opens in a new tab)</span> ↗</a
        >`}
      </div>
    </div>
    <${ErrorNote} error=${error} />
    <${Controls} s=${s} onChange=${refresh} />
    <section aria-labelledby="h-overview">
      <h2 id="h-overview">Overview</h2>
      <${ProgressBar}
        name="Overall progress"
        value=${s.progress.percent}
        text=${`${s.progress.percent}% · ${fmtNumber(s.progress.rows_copied)} of ${fmtNumber(s.progress.rows_estimated)} rows · ${s.progress.tables_completed}/${s.progress.tables_total} tables`}
      />
      <dl class="facts">
        <div><dt>Phase</dt><dd>${label(s.phase)}</dd></div>
        <div><dt>Created</dt><dd>${fmtTime(s.created_at)}</dd></div>
        <div><dt>Started</dt><dd>${fmtTime(s.started_at)}</dd></div>
        <div><dt>Duration</dt><dd>${fmtDuration(durationOf(s))}</dd></div>
        <div><dt>Errors</dt><dd>${fmtNumber(s.errors_total)}</dd></div>
      </dl>
      ${s.failure && html`<p class="error" role="alert"><strong>${s.failure.code}</strong>: ${s.failure.message}</p>`}
    </section>
    <${Phases} s=${s} />
    <${Gate} s=${s} onChange=${refresh} />
    <${Tables} s=${s} />
    <${Errors} s=${s} onChange=${refresh} />
    <${Validation} s=${s} />
    <${Certificate} s=${s} />
    <${Timeline} s=${s} />`;
}

/** The migration's log as the store keeps it (phases, gate, tables done, pauses, errors), newest last. */
function Timeline({ s }) {
  const [lines, setLines] = useState(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return;
    api('GET', `/v1/migrations/${s.id}/logs?limit=100`).then(
      (p) => setLines(p),
      () => setLines({ data: [], pagination: { total: 0 } }),
    );
  }, [open, s.status, s.phase, s.errors_total, s.progress.tables_completed]);
  return html`<section aria-labelledby="h-log">
    <details onToggle=${(e) => setOpen(e.currentTarget.open)}>
      <summary><h2 id="h-log" class="inline-heading">Activity log</h2></summary>
      ${open && !lines && html`<${Loading} what="the log" />`}
      ${lines &&
      html`<ol class="log">
        ${lines.data.map((l) => html`<li class=${`log-${l.level}`}><time datetime=${l.at}>${fmtTime(l.at)}</time> ${l.message}</li>`)}
      </ol>
      ${lines.pagination.total > lines.data.length && html`<p class="help">The first ${lines.data.length} of ${fmtNumber(lines.pagination.total)} lines.</p>`}`}
    </details>
  </section>`;
}

function Controls({ s, onChange }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const act = async (path, body) => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/v1/migrations/${s.id}/${path}`, body);
      await onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const over = TERMINAL.includes(s.status);
  const cancel = async (e) => {
    e.preventDefault();
    const reason = new FormData(e.currentTarget).get('reason');
    try {
      setBusy(true);
      setError(null);
      await api('DELETE', `/v1/migrations/${s.id}`, reason ? { reason } : undefined);
      setCancelling(false);
      await onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const rerunnable = s.status === 'completed' || (s.status === 'failed' && s.failure && s.failure.code === 'ValidationFailed');
  if (over && !rerunnable && !error) return null;
  return html`<section class="controls" aria-label="Controls">
    ${s.status === 'paused' &&
    s.pause_reason &&
    html`<p class="notice" role="status">
      Paused by ${s.pause_reason.by === 'operator' ? 'an operator' : 'Sensei'} at ${fmtTime(s.pause_reason.at)}: ${s.pause_reason.message}
      ${s.pause_reason.table ? ` (table ${s.pause_reason.table})` : ''} <span class="mono">${s.pause_reason.code}</span>
    </p>`}
    <div class="actions">
      ${s.status === 'created' && html`<button type="button" disabled=${busy} onClick=${() => act('start')}>Start</button>`}
      ${['running', 'awaiting_approval'].includes(s.status) && html`<button type="button" disabled=${busy} onClick=${() => act('pause')}>Pause</button>`}
      ${s.status === 'paused' && html`<button type="button" disabled=${busy} onClick=${() => act('resume')}>Resume</button>`}
      ${!over && !cancelling && html`<button type="button" class="danger" disabled=${busy} onClick=${() => setCancelling(true)}>Cancel migration…</button>`}
      ${rerunnable && html`<button type="button" class="secondary" disabled=${busy} onClick=${() => act('validation/rerun', {})}>Re-run validation</button>`}
    </div>
    ${cancelling &&
    html`<form class="inline" onSubmit=${cancel}>
      <label for="cancel-reason">Why cancel? <span class="optional">(optional)</span></label>
      <input id="cancel-reason" name="reason" type="text" maxlength="2000" autofocus />
      <button type="submit" class="danger" disabled=${busy}>Cancel the migration</button>
      <button type="button" class="secondary" onClick=${() => setCancelling(false)}>Keep it</button>
    </form>`}
    <${ErrorNote} error=${error} />
  </section>`;
}

function Phases({ s }) {
  const byName = new Map(s.phases.map((p) => [p.name, p]));
  return html`<section aria-labelledby="h-phases">
    <h2 id="h-phases">Phases</h2>
    <ol class="timeline">
      ${PHASES.map((name) => {
        const p = byName.get(name) || { status: 'pending' };
        const took = p.started_at ? (p.completed_at ? Date.parse(p.completed_at) : Date.now()) - Date.parse(p.started_at) : null;
        return html`<li class=${`phase phase-${p.status}`} aria-current=${s.phase === name && !TERMINAL.includes(s.status) ? 'step' : undefined}>
          <span class="phase-name">${label(name)}</span>
          <span class="phase-state">${label(p.status)}</span>
          <span class="phase-time">${p.started_at ? `${fmtTime(p.started_at)} · ${fmtDuration(took)}` : ''}</span>
        </li>`;
      })}
    </ol>
  </section>`;
}

/** The approval gate, and the mappings it is about (editable while it waits). */
function Gate({ s, onChange }) {
  const g = s.gate;
  const waiting = s.status === 'awaiting_approval' && g && g.state === 'pending';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const decide = async (e, decision) => {
    e.preventDefault();
    const comment = document.getElementById('gate-comment').value;
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/v1/migrations/${s.id}/${decision}`, comment ? { comment } : {});
      await onChange();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const planned = s.phases.some((p) => p.name === 'mapping' && p.status === 'completed') || !!g;
  return html`<section aria-labelledby="h-gate">
    <h2 id="h-gate">Approval gate and mappings</h2>
    ${!g && html`<p class="empty">The gate opens after the mapping phase.</p>`}
    ${g &&
    html`<p>
      <span class=${`badge gate-${g.state}`}>${label(g.state)}</span> ${g.reason}. Lowest confidence ${g.min_confidence}.
      ${g.decided_by && html` Decided by <span class="mono">${g.decided_by}</span> at ${fmtTime(g.decided_at)}${g.comment ? html`: “${g.comment}”` : ''}.`}
    </p>`}
    ${waiting &&
    html`<form class="gate" onSubmit=${(e) => decide(e, 'approve')}>
      <label for="gate-comment">Comment <span class="optional">(optional, kept with the decision)</span></label>
      <textarea id="gate-comment" name="comment" rows="2" maxlength="2000"></textarea>
      <div class="actions">
        <button type="submit" disabled=${busy}>Approve</button>
        <button type="button" class="danger" disabled=${busy} onClick=${(e) => decide(e, 'reject')}>Reject</button>
      </div>
      <${ErrorNote} error=${error} />
    </form>`}
    ${planned && html`<${Mappings} s=${s} editable=${waiting} onChange=${onChange} />`}
    ${planned && html`<${ObjectMappings} s=${s} editable=${waiting} onChange=${onChange} />`}
  </section>`;
}

/** The tables' indexes, unique constraints, CHECKs, foreign keys and defaults: what the target gets, and why not. */
function ObjectMappings({ s, editable, onChange }) {
  const [objects, setObjects] = useState(null);
  const [error, setError] = useState(null);
  const [said, setSaid] = useState('');
  const key = `${s.gate ? s.gate.state : ''}/${s.gate ? s.gate.reason : ''}`;
  const load = async () => {
    try {
      const { rows } = await allPages(`/v1/migrations/${s.id}/mappings?kind=object`);
      setObjects(rows);
      setError(null);
    } catch (err) {
      setError(err.status === 404 ? null : err);
    }
  };
  useEffect(() => {
    void load();
  }, [s.id, key]);
  const leaveOut = async (e) => {
    e.preventDefault();
    const ids = [...new FormData(e.currentTarget).getAll('leave_object')];
    if (!ids.length) return setSaid('No object ticked');
    try {
      setSaid('Leaving out…');
      const answer = await api('PATCH', `/v1/migrations/${s.id}/mappings`, { leave_out: ids });
      setSaid(`Left out: ${answer.left_out.join(', ')}`);
      await load();
      await onChange();
    } catch (err) {
      setError(err);
    }
  };
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!objects || objects.length === 0) return null;
  const table = html`<table class="list objects">
    <caption>${objects.length} indexes, keys, checks and defaults; ${objects.filter((o) => !o.migrated).length} not migrated</caption>
    <thead>
      <tr>
        ${editable && html`<th scope="col">Leave out</th>`}
        <th scope="col">Object</th>
        <th scope="col">Source</th>
        <th scope="col">Target</th>
        <th scope="col">Note</th>
      </tr>
    </thead>
    <tbody>
      ${objects.map(
        (o) => html`<tr class=${o.migrated ? '' : 'lossy'}>
          ${editable &&
          html`<td>${o.migrated ? html`<input type="checkbox" name="leave_object" value=${o.id} aria-label=${`Leave out ${o.id}`} />` : ''}</td>`}
          <th scope="row" class="mono">${o.id}</th>
          <td class="mono">${o.source}</td>
          <td class="mono">${o.target ?? '—'}</td>
          <td>${o.note || ''}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
  return editable
    ? html`<form onSubmit=${leaveOut}>
        ${table}
        <div class="actions"><button type="submit" class="secondary">Leave the ticked objects out</button><span role="status">${said}</span></div>
      </form>`
    : table;
}

async function allPages(path, max = 2000) {
  const out = [];
  for (let offset = 0; offset < max; offset += 100) {
    const page = await api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100&offset=${offset}`);
    out.push(...page.data);
    if (!page.pagination.has_more) return { rows: out, page };
  }
  return { rows: out, page: null };
}

function Mappings({ s, editable, onChange }) {
  const [mappings, setMappings] = useState(null);
  const [blockers, setBlockers] = useState([]);
  const [notes, setNotes] = useState([]);
  const [error, setError] = useState(null);
  const [edits, setEdits] = useState({});
  const [saved, setSaved] = useState('');
  const key = `${s.gate ? s.gate.state : ''}/${s.gate ? s.gate.min_confidence : ''}`;
  // Reloads overlap (a save reloads, and so does the gate changing under it): only the latest one's answer is shown,
  // so a slower, older answer cannot put back the types from before a save.
  const loads = useRef(0);
  const load = async () => {
    const mine = ++loads.current;
    try {
      const { rows, page } = await allPages(`/v1/migrations/${s.id}/mappings`);
      if (mine !== loads.current) return;
      // The riskiest first: lowest confidence, then by table and column.
      rows.sort((a, b) => a.confidence - b.confidence || a.id.localeCompare(b.id));
      setMappings(rows);
      setBlockers((page && page.blockers) || []);
      setNotes((page && page.notes) || []);
      setError(null);
    } catch (err) {
      if (mine === loads.current) setError(err.status === 404 ? null : err);
    }
  };
  useEffect(() => {
    void load();
  }, [s.id, key]);
  const save = async (e) => {
    e.preventDefault();
    const changed = Object.entries(edits)
      .filter(([id, type]) => type && mappings.find((m) => m.id === id).target_type !== type)
      .map(([id, target_type]) => ({ id, target_type }));
    if (!changed.length) return setSaved('Nothing changed');
    try {
      setSaved('Saving…');
      const answer = await api('PATCH', `/v1/migrations/${s.id}/mappings`, { mappings: changed });
      // The saved types show at once, and the next edit is compared with them, not with the types before this save
      // (until the reload below answers, the old list would say the edit back to an earlier type changes nothing).
      const edited = new Map(answer.edited.map((m) => [m.id, m]));
      loads.current += 1;
      setMappings((rows) => rows.map((m) => edited.get(m.id) ?? m));
      setEdits({});
      setSaved(`Saved ${changed.length} mapping${changed.length === 1 ? '' : 's'}`);
      await load();
      await onChange();
    } catch (err) {
      setError(err);
    }
  };
  /** Leaves the tables ticked out of the migration: the mapping is planned again without them. */
  const leaveOut = async (e) => {
    e.preventDefault();
    const tables = [...new FormData(e.currentTarget).getAll('leave_out')];
    if (!tables.length) return setSaved('No table ticked');
    try {
      setSaved('Planning again without them…');
      const answer = await api('PATCH', `/v1/migrations/${s.id}/mappings`, { exclude_tables: tables });
      setEdits({});
      setSaved(`Left out: ${answer.excluded_tables.join(', ')}`);
      await load();
      await onChange();
    } catch (err) {
      setError(err);
    }
  };
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!mappings) return html`<${Loading} what="mappings" />`;
  const tables = [...new Set(mappings.map((m) => m.table))].sort();
  const table = html`<table class="list mappings">
    <caption>${mappings.length} column mappings, lowest confidence first${editable ? '; target types can be changed until the gate is decided' : ''}</caption>
    <thead>
      <tr>
        <th scope="col">Column</th>
        <th scope="col">Source type</th>
        <th scope="col">Target type</th>
        <th scope="col">Confidence</th>
        <th scope="col">Note</th>
      </tr>
    </thead>
    <tbody>
      ${mappings.map(
        (m) => html`<tr class=${m.confidence < 1 ? 'lossy' : ''}>
          <th scope="row" class="mono">${m.table}.${m.column}</th>
          <td class="mono">${m.source_type}</td>
          <td class="mono">
            ${editable
              ? html`<label class="sr-only" for=${`map-${m.id}`}>Target type of ${m.table}.${m.column}</label>
                  <input id=${`map-${m.id}`} type="text" value=${edits[m.id] ?? m.target_type} onInput=${(e) => {
                      setSaved('');
                      setEdits({ ...edits, [m.id]: e.currentTarget.value });
                    }} />`
              : m.target_type}
          </td>
          <td><span class=${`confidence ${m.confidence >= 1 ? 'high' : m.confidence >= 0.8 ? 'mid' : 'low'}`}>${m.confidence.toFixed(2)}</span></td>
          <td>${m.note || ''}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
  return html`${blockers.length > 0 && html`<div class="error" role="alert"><p>Blockers:</p><ul>${blockers.map((b) => html`<li>${typeof b === 'string' ? b : JSON.stringify(b)}</li>`)}</ul></div>`}
    ${notes.length > 0 && html`<div class="notice"><p>About this plan:</p><ul>${notes.map((n) => html`<li>${n}</li>`)}</ul></div>`}
    ${editable
      ? html`<form onSubmit=${save}>
            ${table}
            <div class="actions"><button type="submit" class="secondary">Save mapping changes</button><span role="status">${saved}</span></div>
          </form>
          <form class="leave-out" onSubmit=${leaveOut}>
            <fieldset>
              <legend>Leave tables out of this migration (the mapping is planned again without them)</legend>
              ${tables.map(
                (t) => html`<label class="check"><input type="checkbox" name="leave_out" value=${t} /> <span class="mono">${t}</span></label>`,
              )}
            </fieldset>
            <div class="actions"><button type="submit" class="secondary">Leave the ticked tables out</button></div>
          </form>`
      : table}`;
}

/** Rows per second of a table: over its copy so far (or the whole of it once done). */
function throughput(t) {
  if (!t.started_at || !t.rows_copied) return null;
  const ms = (t.completed_at ? Date.parse(t.completed_at) : Date.now()) - Date.parse(t.started_at);
  return ms > 0 ? (t.rows_copied / ms) * 1000 : null;
}

const TABLES_PAGE = 100;

/**
 * Per-table progress. The status carries at most 100 tables (those being copied first); a migration of more is
 * read a page at a time in plan order from GET …/tables when the operator asks for every table.
 */
function Tables({ s }) {
  const [all, setAll] = useState(false);
  const [offset, setOffset] = useState(0);
  const [paged, setPaged] = useState(null);
  const [error, setError] = useState(null);
  const total = s.progress.tables_total;
  const partial = total > s.tables.length;
  useEffect(() => {
    if (!all) return;
    api('GET', `/v1/migrations/${s.id}/tables?limit=${TABLES_PAGE}&offset=${offset}`).then((p) => {
      setPaged(p);
      setError(null);
    }, setError);
  }, [all, offset, s.progress.rows_copied, s.progress.tables_completed, s.status]);
  if (!s.tables.length) return null;
  const rows = all && paged ? paged.data : s.tables;
  return html`<section aria-labelledby="h-tables">
    <h2 id="h-tables">Tables <span class="count">(${fmtNumber(s.progress.tables_completed)} of ${fmtNumber(total)} done)</span></h2>
    ${partial &&
    html`<div class="actions">
      <p class="help">
        ${all && paged
          ? `Tables ${fmtNumber(offset + 1)}–${fmtNumber(offset + paged.data.length)} of ${fmtNumber(paged.pagination.total)}, in plan order.`
          : `The ${fmtNumber(s.tables.length)} tables being copied come first; ${fmtNumber(total - s.tables.length)} more are not shown.`}
      </p>
      <button type="button" class="secondary" aria-pressed=${all} onClick=${() => { setAll(!all); setOffset(0); }}>${all ? 'Show active tables' : 'Show every table'}</button>
      ${all && paged && html`<button type="button" class="secondary" disabled=${offset === 0} onClick=${() => setOffset(Math.max(0, offset - TABLES_PAGE))}>Previous page</button>
        <button type="button" class="secondary" disabled=${!paged.pagination.has_more} onClick=${() => setOffset(offset + TABLES_PAGE)}>Next page</button>`}
    </div>`}
    <${ErrorNote} error=${error} />
    <${TableRows} rows=${rows} />
  </section>`;
}

function TableRows({ rows }) {
  return html`<table class="list tables">
      <caption class="sr-only">Copy progress per table</caption>
      <thead>
        <tr>
          <th scope="col">Table</th>
          <th scope="col">Status</th>
          <th scope="col">Progress</th>
          <th scope="col" class="num">Rows copied</th>
          <th scope="col" class="num">Estimated</th>
          <th scope="col" class="num">Rows/s</th>
          <th scope="col">ETA</th>
          <th scope="col" class="num">Chunks</th>
          <th scope="col" class="num" title="Chunks tried again after a failed attempt">Chunk retries</th>
          <th scope="col" class="num">Rejected</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map((t) => {
          const rate = throughput(t);
          const left = Math.max(0, t.rows_estimated - t.rows_copied);
          const eta = t.status === 'completed' ? 'done' : rate && t.status === 'copying' && t.rows_estimated > 0 ? fmtDuration((left / rate) * 1000) : '—';
          const max = Math.max(t.rows_estimated, t.rows_copied, 1);
          return html`<tr>
            <th scope="row" class="mono">${t.name}</th>
            <td>${label(t.status)}</td>
            <td>
              <${ProgressBar}
                name=${`Rows of ${t.name}`}
                value=${t.status === 'completed' ? max : t.rows_estimated > 0 || t.status === 'pending' ? t.rows_copied : undefined}
                max=${max}
              />
            </td>
            <td class="num">${fmtNumber(t.rows_copied)}</td>
            <td class="num">${fmtNumber(t.rows_estimated)}</td>
            <td class="num">${rate ? fmtNumber(Math.round(rate)) : '—'}</td>
            <td>${eta}</td>
            <td class="num">${fmtNumber(t.chunks)}</td>
            <td class="num">${t.chunk_retries === undefined ? '—' : fmtNumber(t.chunk_retries)}</td>
            <td class="num">${fmtNumber(t.rows_rejected)}</td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}

function Errors({ s, onChange }) {
  const [errors, setErrors] = useState(null);
  const [problem, setProblem] = useState(null);
  const load = () =>
    api('GET', `/v1/migrations/${s.id}/errors?limit=100`).then(
      (p) => setErrors(p),
      (err) => setProblem(err),
    );
  useEffect(() => {
    void load();
  }, [s.id, s.errors_total, s.errors.filter((e) => e.resolved_at).length]);
  if (!s.errors_total && !(errors && errors.data.length)) return null;
  const act = async (e, error, action) => {
    e.preventDefault();
    const note = action === 'resolve' ? new FormData(e.currentTarget.form || e.currentTarget).get('note') : undefined;
    try {
      setProblem(null);
      await api('POST', `/v1/migrations/${s.id}/errors/${error.id}/${action}`, note ? { note } : {});
      await load();
      await onChange();
    } catch (err) {
      setProblem(err);
    }
  };
  return html`<section aria-labelledby="h-errors">
    <h2 id="h-errors">Errors <span class="count">(${fmtNumber(s.errors_total)})</span></h2>
    <${ErrorNote} error=${problem} />
    ${!errors
      ? html`<${Loading} what="errors" />`
      : html`<table class="list errors">
          <caption class="sr-only">Error records, in the order recorded</caption>
          <thead>
            <tr><th scope="col">When</th><th scope="col">Where</th><th scope="col">Error</th><th scope="col">State</th><th scope="col">Actions</th></tr>
          </thead>
          <tbody>
            ${errors.data.map(
              (er) => html`<tr>
                <td>${fmtTime(er.at)}</td>
                <td>${label(er.phase)}${er.table ? html` · <span class="mono">${er.table}</span>` : ''}${er.key ? html`<div class="sub mono">${JSON.stringify(er.key)}</div>` : ''}</td>
                <td><span class="mono">${er.code}</span>: ${er.message}</td>
                <td>${er.resolved_at ? html`resolved by <span class="mono">${er.resolved_by}</span>${er.resolution_note ? `: ${er.resolution_note}` : ''}` : 'open'}</td>
                <td>
                  ${!er.resolved_at &&
                  html`<form class="row-actions" onSubmit=${(e) => act(e, er, 'resolve')}>
                    <label class="sr-only" for=${`note-${er.id}`}>Resolution note for ${er.id}</label>
                    <input id=${`note-${er.id}`} name="note" type="text" placeholder="note" maxlength="2000" />
                    <button type="submit" class="secondary">Resolve</button>
                    ${er.code === 'RowRejected' && er.key && html`<button type="button" class="secondary" onClick=${(e) => act(e, er, 'retry')}>Retry row</button>`}
                  </form>`}
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${errors.pagination.has_more && html`<p class="help">Showing the first ${errors.data.length} of ${fmtNumber(errors.pagination.total)}.</p>`}`}
  </section>`;
}

const TIERS = ['structural', 'statistical', 'referential', 'semantic', 'behavioral'];

function Validation({ s }) {
  const v = s.validation;
  const [report, setReport] = useState(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!open) return;
    api('GET', `/v1/migrations/${s.id}/validation`).then(setReport, setError);
  }, [open, v && v.status, v && v.attempt]);
  if (!v) return null;
  return html`<section aria-labelledby="h-validation">
    <h2 id="h-validation">Validation <span class=${`badge badge-${v.status === 'passed' ? 'completed' : v.status === 'failed' ? 'failed' : 'running'}`}>${label(v.status)}</span></h2>
    <p class="sub">Attempt ${v.attempt}${v.completed_at ? ` · finished ${fmtTime(v.completed_at)}` : v.started_at ? ` · started ${fmtTime(v.started_at)}` : ''}</p>
    ${v.diagnosis &&
    html`<p class="error" role="alert">
      Caught by the <strong>${v.diagnosis.caught_by}</strong> tier: ${v.diagnosis.finding}${v.diagnosis.also_failed.length ? ` (also failed: ${v.diagnosis.also_failed.join(', ')})` : ''}
    </p>`}
    <table class="list tiers">
      <caption class="sr-only">The five validation tiers</caption>
      <thead><tr><th scope="col">Tier</th><th scope="col">Verdict</th><th scope="col">Summary</th><th scope="col" class="num">Failures</th></tr></thead>
      <tbody>
        ${TIERS.map((name) => {
          const t = v.tiers[name] || { verdict: 'pending', summary: null, failures: 0 };
          return html`<tr>
            <th scope="row">${name}</th>
            <td><span class=${`verdict verdict-${t.verdict}`}>${t.verdict}</span></td>
            <td>${t.summary || '—'}</td>
            <td class="num">${fmtNumber(t.failures)}</td>
          </tr>`;
        })}
      </tbody>
    </table>
    <details onToggle=${(e) => setOpen(e.currentTarget.open)}>
      <summary>Evidence</summary>
      <${ErrorNote} error=${error} />
      ${open && !report && !error && html`<${Loading} what="the evidence" />`}
      ${report &&
      TIERS.filter((n) => report.results[n]).map((n) => {
        const r = report.results[n];
        return html`<div class="evidence">
          <h3>${n}: ${r.verdict}</h3>
          <p>${r.summary} · ${fmtNumber(r.checks)} checks · evidence sha256 <span class="mono">${r.evidence_sha256}</span></p>
          ${r.findings.length > 0 && html`<ul>${r.findings.map((f) => html`<li><span class="mono">${f.check}</span>${f.table ? ` ${f.table}${f.column ? `.${f.column}` : ''}` : ''}: ${f.message}</li>`)}</ul>`}
        </div>`;
      })}
    </details>
  </section>`;
}

function Certificate({ s }) {
  const c = s.certificate;
  const [verdict, setVerdict] = useState(null);
  const [error, setError] = useState(null);
  const busy = useRef(false);
  if (!c) return null;
  const get = async () => {
    if (busy.current) return;
    busy.current = true;
    setError(null);
    try {
      const text = await download(`/v1/migrations/${s.id}/certificate`, `${s.id}-certificate.json`);
      setVerdict(await verifyCertificate(text, c));
    } catch (err) {
      setError(err);
    } finally {
      busy.current = false;
    }
  };
  return html`<section aria-labelledby="h-certificate">
    <h2 id="h-certificate">Certificate</h2>
    <dl class="facts">
      <div><dt>Certificate</dt><dd class="mono">${c.certificate_id}</dd></div>
      <div><dt>Issued</dt><dd>${fmtTime(c.issued_at)}</dd></div>
      <div><dt>Key fingerprint</dt><dd class="mono wrap">${c.key_fingerprint}</dd></div>
      <div><dt>File sha256</dt><dd class="mono wrap">${c.sha256}</dd></div>
    </dl>
    <div class="actions">
      <button type="button" onClick=${get}>Download and verify the certificate</button>
      <span role="status" class=${verdict ? (verdict.ok ? 'ok' : 'error') : ''}>${verdict ? verdict.message : ''}</span>
    </div>
    <${ErrorNote} error=${error} />
  </section>`;
}
