/**
 * Pure formatting for the CLI: aligned text tables (pgloader's summary style), counts, bytes, durations, rates and
 * ETAs. No I/O here, so every rule is unit-tested (test/unit/cli-format.test.ts).
 */

export interface Column {
  header: string;
  /** Numbers read best right-aligned; default left. */
  align?: 'left' | 'right';
}

/** Characters a terminal gives a string (code points; the CLI prints no wide or combining characters of its own). */
const width = (s: string) => [...s].length;

function pad(s: string, w: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
}

/**
 * A plain-text table: a header, a dashed rule under it, the rows, and optional footer rows (totals) under a second
 * rule. Columns are two spaces apart; trailing spaces are trimmed.
 */
export function renderTable(columns: Column[], rows: string[][], footer: string[][] = []): string {
  const all = [columns.map((c) => c.header), ...rows, ...footer];
  const widths = columns.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    columns
      .map((c, i) => pad(cells[i] ?? '', widths[i] ?? 0, c.align))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(columns.map((c) => c.header)), rule, ...rows.map(line)];
  if (footer.length > 0) out.push(rule, ...footer.map(line));
  return out.join('\n');
}

/** 15607 → "15,607". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes in binary units as pgloader prints them: "512 B", "3.4 kB", "1.2 MB". */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A duration for people: "0.8s", "42s", "3m05s", "2h04m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  return `${Math.floor(s / 3600)}h${two(Math.floor((s % 3600) / 60))}m`;
}

/** Rows per second, rounded: "12,345 rows/s"; "-" when unknown. */
export function formatRate(perSecond: number | null): string {
  return perSecond === null || !Number.isFinite(perSecond) ? '-' : `${formatCount(perSecond)} rows/s`;
}

/**
 * Milliseconds until `remaining` rows are copied at `perSecond`: 0 when nothing remains, null when it cannot be told
 * (no rate yet, or a stalled one).
 */
export function etaMs(remaining: number, perSecond: number | null): number | null {
  if (remaining <= 0) return 0;
  if (perSecond === null || !(perSecond > 0)) return null;
  return (remaining / perSecond) * 1000;
}

export function formatEta(ms: number | null): string {
  return ms === null ? 'ETA -' : `ETA ${formatDuration(ms)}`;
}

/**
 * A rate over a sliding window of samples (time in ms, a growing count). The window keeps a paused or stalled copy
 * from showing its old speed for long, and one slow poll from swinging the figure.
 */
export class RateMeter {
  private samples: { at: number; value: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  add(at: number, value: number): void {
    const last = this.samples.at(-1);
    // A count that went back (a re-copied range after a retry) restarts the window.
    if (last && value < last.value) this.samples = [];
    this.samples.push({ at, value });
    while (this.samples.length > 2 && (this.samples[1]?.at ?? at) <= at - this.windowMs) this.samples.shift();
  }

  /** Per second across the window; null until two samples at least 1/4 s apart. */
  perSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 250) return null;
    return ((last.value - first.value) * 1000) / (last.at - first.at);
  }
}

/** Rows per second between two ISO instants (a table's start and end); null when either is missing. */
export function averageRate(rows: number, startedAt: string | null, endedAt: string | null): number | null {
  if (!startedAt || !endedAt) return null;
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  if (!(ms > 0)) return null;
  return (rows * 1000) / ms;
}

/** The time between two ISO instants, or from `startedAt` to `nowMs`. */
export function elapsedMs(startedAt: string | null, endedAt: string | null, nowMs: number): number | null {
  if (!startedAt) return null;
  return (endedAt ? Date.parse(endedAt) : nowMs) - Date.parse(startedAt);
}
