/** The pgloader-style summary of a finished migration: one row per table and a total, as `sensei demo` and `watch` end. */
import type { MigrationStatus } from '../sdk/index';
import { averageRate, elapsedMs, formatBytes, formatCount, formatDuration, formatRate, renderTable } from './format';

/** A table's validation cell: its row count check (source vs target), or the validation's state before one exists. */
function validationCell(s: MigrationStatus, table: string): string {
  const check = s.validation?.row_counts.find((c) => c.table === table);
  if (check) {
    const counts = `${formatCount(check.source_rows)} → ${formatCount(check.target_rows)}`;
    return check.match ? `ok (${counts})` : `MISMATCH (${counts}${check.rejected_rows ? `, ${formatCount(check.rejected_rows)} rejected` : ''})`;
  }
  return s.validation ? s.validation.status : 'not run';
}

export function summaryTable(s: MigrationStatus): string {
  const right = { align: 'right' as const };
  const rows = s.tables.map((t) => {
    const took = elapsedMs(t.started_at, t.completed_at, Date.parse(s.completed_at ?? new Date().toISOString()));
    const rate = averageRate(t.rows_copied, t.started_at, t.completed_at);
    return [t.name, formatCount(t.rows_copied), t.bytes_copied === undefined ? '-' : formatBytes(t.bytes_copied), took === null ? '-' : formatDuration(took), rate === null ? '-' : formatRate(rate), validationCell(s, t.name)];
  });
  // Runs from before bytes were counted have none.
  const weighed = s.tables.some((t) => t.bytes_copied !== undefined);
  const bytes = s.tables.reduce((n, t) => n + (t.bytes_copied ?? 0), 0);
  const copyPhase = s.phases.find((p) => p.name === 'data_transfer');
  const copyMs = elapsedMs(copyPhase?.started_at ?? null, copyPhase?.completed_at ?? null, Date.now());
  const totalRate = averageRate(s.progress.rows_copied, copyPhase?.started_at ?? null, copyPhase?.completed_at ?? null);
  const verdict = s.validation ? `${s.validation.status} (${Object.values(s.validation.tiers).filter((t) => t.verdict === 'passed').length}/5 tiers)` : 'not run';
  return renderTable(
    [{ header: 'table' }, { header: 'rows', ...right }, { header: 'bytes', ...right }, { header: 'time', ...right }, { header: 'rows/s', ...right }, { header: 'validation' }],
    rows,
    [[`total (${s.progress.tables_completed}/${s.progress.tables_total} tables)`, formatCount(s.progress.rows_copied), weighed ? formatBytes(bytes) : '-', copyMs === null ? '-' : formatDuration(copyMs), totalRate === null ? '-' : formatRate(totalRate), verdict]],
  );
}
