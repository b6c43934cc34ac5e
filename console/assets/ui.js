// Small shared pieces of the console: formatting, the status badge, the progress bar, notices.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

export const STATUSES = ['created', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled'];
export const TERMINAL = ['completed', 'failed', 'cancelled'];
export const PHASES = ['schema_analysis', 'mapping', 'schema_creation', 'data_transfer', 'validation', 'certification'];

export const label = (name) => (name ? String(name).replaceAll('_', ' ') : '—');

const number = new Intl.NumberFormat('en');
export const fmtNumber = (n) => (n === null || n === undefined ? '—' : number.format(n));

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function fmtDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** How long a migration has run: its final duration, or since it started while it runs. */
export function durationOf(s) {
  if (!s) return null;
  if (s.duration_ms !== null && s.duration_ms !== undefined) return s.duration_ms;
  if (!s.started_at) return null;
  return (s.completed_at ? Date.parse(s.completed_at) : Date.now()) - Date.parse(s.started_at);
}

export function StatusBadge({ status }) {
  return html`<span class=${`badge badge-${status}`}>${label(status)}</span>`;
}

/**
 * A labelled progress bar; screen readers get the figure through aria-valuetext. Without a value (nothing to measure
 * against yet) it is indeterminate.
 */
export function ProgressBar({ value, max = 100, text, name }) {
  const pct = value !== undefined && max > 0 ? Math.min(100, Math.round((value / max) * 1000) / 10) : 0;
  if (value === undefined) {
    return html`<div class="progress">
      <progress aria-label=${name} aria-valuetext=${text ?? 'in progress'}></progress>
      <span class="progress-text" aria-hidden="true">${text ?? ''}</span>
    </div>`;
  }
  return html`<div class="progress">
    <progress value=${value} max=${max || 1} aria-label=${name} aria-valuetext=${text ?? `${pct}%`}></progress>
    <span class="progress-text" aria-hidden="true">${text ?? `${pct}%`}</span>
  </div>`;
}

/** An error of the API, as a message for the operator. */
export function ErrorNote({ error }) {
  if (!error) return null;
  const reason = error.details && error.details.reason ? `: ${error.details.reason}` : '';
  return html`<p class="error" role="alert">${error.message}${reason}</p>`;
}

export function Loading({ what }) {
  return html`<p class="loading" role="status">Loading ${what}…</p>`;
}
