/**
 * The progress view of `sensei migrations watch` and `sensei demo`: fed one migration status after another, it shows
 * the phase and one bar per table (rows, rows/s, ETA). On a terminal the bars redraw in place (cli-progress); anywhere
 * else (a pipe, a CI log) it prints plain lines, one per event worth reading, and a table's progress at most every
 * few seconds.
 */
import cliProgress from 'cli-progress';
import type { MigrationStatus, TableProgress } from '../sdk/index';
import { RateMeter, averageRate, elapsedMs, etaMs, formatCount, formatDuration, formatEta, formatRate } from './format';

export interface ProgressViewOptions {
  /** Where to draw (standard output). */
  stream: NodeJS.WriteStream;
  /** Redraw in place; default: whether the stream is a terminal. */
  tty?: boolean;
  /** Plain lines: least time between two progress lines of one table; default 2 s. */
  plainIntervalMs?: number;
  /** The clock (ms), for rates and ETAs. */
  now?: () => number;
}

/** What one table's line says, bar aside. */
export interface TableLine {
  name: string;
  copied: number;
  /** The estimate, or the rows copied when the copy overtook the estimate. */
  total: number;
  percent: number;
  /**
   * "1,234 rows/s  ETA 3s" while copying, "done in 0.8s (4,379 rows/s)" when done, else the state; then the rows
   * rejected and the chunk retries, when there were any.
   */
  detail: string;
}

/** The line of one table at `nowMs`, given its current rate (null: not known yet). */
export function tableLine(t: TableProgress, rate: number | null, nowMs: number): TableLine {
  const total = Math.max(t.rows_estimated, t.rows_copied);
  const percent = total === 0 ? (t.status === 'completed' ? 100 : 0) : Math.floor((t.rows_copied * 100) / total);
  let detail: string;
  if (t.status === 'completed') {
    const took = elapsedMs(t.started_at, t.completed_at, nowMs);
    const avg = averageRate(t.rows_copied, t.started_at, t.completed_at);
    detail = `done in ${took === null ? '-' : formatDuration(took)}${avg === null ? '' : ` (${formatRate(avg)})`}`;
  } else if (t.status === 'copying') {
    detail = `${formatRate(rate)}  ${formatEta(etaMs(total - t.rows_copied, rate))}`;
  } else {
    detail = t.status;
  }
  if (t.rows_rejected > 0) detail += `  ${formatCount(t.rows_rejected)} rejected`;
  const retries = t.chunk_retries ?? 0;
  if (retries > 0) detail += `  ${formatCount(retries)} chunk ${retries === 1 ? 'retry' : 'retries'}`;
  return { name: t.name, copied: t.rows_copied, total, percent, detail };
}

/** The migration's one-line headline: status, phase, tables and rows so far, time since start. */
export function headline(s: MigrationStatus, nowMs: number): string {
  const p = s.progress;
  const parts = [s.status === 'running' ? `phase ${s.phase ?? '-'}` : s.phase ? `${s.status} (phase ${s.phase})` : s.status];
  if (p.tables_total > 0) parts.push(`tables ${p.tables_completed}/${p.tables_total}`);
  parts.push(`rows ${formatCount(p.rows_copied)}/${formatCount(Math.max(p.rows_estimated, p.rows_copied))}`);
  const took = elapsedMs(s.started_at, s.completed_at, nowMs);
  if (took !== null) parts.push(formatDuration(took));
  return parts.join('  ');
}

/** Which tables get a bar when there are more tables than lines: those copying, then the next pending, then done. */
export function visibleTables(tables: TableProgress[], slots: number): TableProgress[] {
  if (tables.length <= slots) return tables;
  const rank = (t: TableProgress) => (t.status === 'copying' || t.status === 'failed' ? 0 : t.status === 'pending' ? 1 : 2);
  const chosen = new Set(
    tables
      .map((t, i) => ({ t, i }))
      .sort((a, b) => rank(a.t) - rank(b.t) || (rank(a.t) === 2 ? b.i - a.i : a.i - b.i))
      .slice(0, slots)
      .map((x) => x.t),
  );
  return tables.filter((t) => chosen.has(t));
}

export class ProgressView {
  private readonly tty: boolean;
  private readonly now: () => number;
  private readonly plainIntervalMs: number;
  private readonly meters = new Map<string, RateMeter>();
  private last: MigrationStatus | undefined;
  // Terminal mode.
  private multibar: cliProgress.MultiBar | undefined;
  private header: cliProgress.SingleBar | undefined;
  private slots: cliProgress.SingleBar[] = [];
  // Plain mode.
  private readonly printedAt = new Map<string, number>();

  constructor(private readonly options: ProgressViewOptions) {
    this.tty = options.tty ?? options.stream.isTTY === true;
    this.now = options.now ?? Date.now;
    this.plainIntervalMs = options.plainIntervalMs ?? 2_000;
  }

  /** Shows a new status. */
  update(s: MigrationStatus): void {
    const now = this.now();
    for (const t of s.tables) {
      // Only while copying: time spent pending (or paused) is not the table's speed.
      if (t.status !== 'copying') {
        this.meters.delete(t.name);
        continue;
      }
      let meter = this.meters.get(t.name);
      if (!meter) this.meters.set(t.name, (meter = new RateMeter()));
      meter.add(now, t.rows_copied);
    }
    if (this.tty) this.draw(s, now);
    else this.print(s, now);
    this.last = s;
  }

  /** A line of its own, above the bars on a terminal. */
  note(line: string): void {
    if (this.multibar) this.multibar.log(`${line}\n`);
    else this.options.stream.write(`${line}\n`);
  }

  /** Leaves the last frame on screen (terminal) and gives the cursor back. */
  stop(): void {
    process.removeListener('SIGINT', this.onInterrupt);
    if (this.multibar) {
      if (this.last) this.draw(this.last, this.now());
      this.multibar.stop();
    }
    this.multibar = undefined;
  }

  /** Ctrl-C while the bars hide the cursor: give it back before leaving (the migration itself carries on). */
  private readonly onInterrupt = () => {
    this.stop();
    this.options.stream.write('interrupted; the migration carries on\n');
    process.exit(130);
  };

  private rate(t: TableProgress, now: number): number | null {
    // Before the window has two samples: the average since the table started, once it has rows to average.
    return this.meters.get(t.name)?.perSecond() ?? (t.rows_copied > 0 ? averageRate(t.rows_copied, t.started_at, new Date(now).toISOString()) : null);
  }

  private draw(s: MigrationStatus, now: number): void {
    const rows = this.options.stream.rows ?? 24;
    // The headline, the bars, and a line for the cursor must fit, or the terminal scrolls and redraws pile up.
    const room = Math.max(1, Math.min(s.tables.length, rows - 3));
    if (!this.multibar) {
      this.multibar = new cliProgress.MultiBar({
        stream: this.options.stream,
        hideCursor: true,
        linewrap: false,
        fps: 10,
        barsize: 24,
        barCompleteChar: '█',
        barIncompleteChar: '░',
        format: (options, params, payload: { text?: string; label?: string; tail?: string }) =>
          payload.text ?? `${payload.label ?? ''} ${cliProgress.Format.BarFormat(params.progress, options)} ${payload.tail ?? ''}`,
      });
      this.header = this.multibar.create(1, 0, { text: '' });
      process.once('SIGINT', this.onInterrupt);
    }
    while (this.slots.length < room) this.slots.push(this.multibar.create(1, 0, { text: '' }));
    const shown = visibleTables(s.tables, this.slots.length);
    // The status carries at most 100 tables: the others count as not shown too.
    const hidden = Math.max(s.tables.length, s.progress.tables_total) - shown.length;
    const nameWidth = Math.min(32, Math.max(5, ...shown.map((t) => t.name.length)));
    this.header?.update(0, { text: `${s.name}  ${headline(s, now)}${hidden > 0 ? `  (${hidden} more tables not shown)` : ''}` });
    this.slots.forEach((bar, i) => {
      const t = shown[i];
      if (!t) return bar.update(0, { text: '' });
      const line = tableLine(t, this.rate(t, now), now);
      bar.setTotal(Math.max(1, line.total));
      bar.update(line.total === 0 && t.status === 'completed' ? 1 : line.copied, {
        text: undefined,
        label: `  ${fit(t.name, nameWidth)}`,
        tail: `${String(line.percent).padStart(3)}%  ${`${formatCount(line.copied)}/${formatCount(line.total)}`.padStart(19)}  ${line.detail}`,
      });
    });
  }

  private print(s: MigrationStatus, now: number): void {
    const out = (line: string) => this.options.stream.write(`${line}\n`);
    const prev = this.last;
    const before = new Map(prev?.tables.map((t) => [t.name, t]) ?? []);
    const lines = s.tables.map((t) => ({ t, was: before.get(t.name), line: tableLine(t, this.rate(t, now), now) }));
    const counts = (line: TableLine) => `${formatCount(line.copied)}/${formatCount(line.total)} rows`;
    // What ended since the last look comes first, then what changed now (status, phase), then what is under way.
    for (const { t, was, line } of lines) {
      if (t.status === 'completed' && was?.status !== 'completed') out(`table ${t.name}: ${counts(line)}, ${line.detail}`);
      if (t.status === 'failed' && was?.status !== 'failed') out(`table ${t.name}: failed after ${counts(line)}`);
    }
    if (!prev) out(`migration ${s.id} "${s.name}": ${s.status}${s.phase ? `, phase ${s.phase}` : ''}`);
    else {
      if (s.status !== prev.status) out(`status ${s.status}${s.status === 'paused' && s.pause_reason ? ` (${s.pause_reason.by}: ${s.pause_reason.message})` : ''}`);
      if (s.phase !== prev.phase && s.phase) out(`phase ${s.phase}`);
    }
    for (const { t, was, line } of lines) {
      if (t.status !== 'copying') continue;
      const at = this.printedAt.get(t.name);
      const due = was?.status !== 'copying' || at === undefined || now - at >= this.plainIntervalMs;
      // A table that did not move (paused, a slow chunk) is not repeated.
      if (!due || (at !== undefined && was?.rows_copied === t.rows_copied)) continue;
      out(`table ${t.name}: ${counts(line)} ${line.percent}%  ${line.detail}`);
      this.printedAt.set(t.name, now);
    }
  }
}

function fit(name: string, w: number): string {
  return name.length > w ? `${name.slice(0, w - 1)}…` : name.padEnd(w);
}
