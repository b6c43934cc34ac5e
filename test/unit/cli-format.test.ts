/** The CLI's pure formatting: tables, counts, bytes, durations, rates, ETAs, table lines and which tables get a bar. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { RateMeter, averageRate, etaMs, formatBytes, formatCount, formatDuration, formatEta, formatRate, renderTable } from '../../cli/format';
import { ProgressView, headline, tableLine, visibleTables } from '../../cli/progress';
import { clientFrom, createRequest, endpointFrom } from '../../cli/commands';
import type { MigrationStatus, TableProgress } from '../../sdk/index';

const table = (over: Partial<TableProgress>): TableProgress => ({
  name: 'items',
  status: 'copying',
  copy_mode: 'keyset',
  rows_copied: 0,
  rows_rejected: 0,
  rows_estimated: 0,
  chunks: 0,
  chunk_size: 1000,
  last_key: null,
  started_at: null,
  completed_at: null,
  ...over,
});

describe('renderTable', () => {
  test('aligns columns two spaces apart, numbers right, a rule under the header and above the footer', () => {
    const text = renderTable(
      [{ header: 'table' }, { header: 'rows', align: 'right' }, { header: 'validation' }],
      [
        ['Track', '3,503', 'ok'],
        ['PlaylistTrack', '8,715', 'MISMATCH'],
      ],
      [['total', '12,218', 'failed']],
    );
    expect(text.split('\n')).toEqual([
      'table            rows  validation',
      '-------------  ------  ----------',
      'Track           3,503  ok',
      'PlaylistTrack   8,715  MISMATCH',
      '-------------  ------  ----------',
      'total          12,218  failed',
    ]);
  });

  test('counts characters, not UTF-16 units; missing cells are blank; no footer, no second rule', () => {
    const text = renderTable([{ header: 'a' }, { header: 'b', align: 'right' }], [['→ é', '1'], ['x']]);
    expect(text.split('\n')).toEqual(['a    b', '---  -', '→ é  1', 'x']);
  });
});

describe('numbers', () => {
  test('counts, bytes, durations, rates', () => {
    expect(formatCount(15607)).toBe('15,607');
    expect(formatCount(1234567.6)).toBe('1,234,568');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 kB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatBytes(3 * 1024 ** 4)).toBe('3.0 TB');
    expect(formatDuration(800)).toBe('0.8s');
    expect(formatDuration(9_949)).toBe('9.9s');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(2 * 3600_000 + 4 * 60_000 + 59_000)).toBe('2h04m');
    expect(formatDuration(-1)).toBe('-');
    expect(formatDuration(Number.NaN)).toBe('-');
    expect(formatRate(12345.4)).toBe('12,345 rows/s');
    expect(formatRate(null)).toBe('-');
  });

  test('ETA: remaining rows over the rate; 0 when done; unknown without a rate or with a stalled one', () => {
    expect(etaMs(10_000, 2_000)).toBe(5_000);
    expect(formatEta(etaMs(10_000, 2_000))).toBe('ETA 5.0s');
    expect(formatEta(etaMs(1_000_000, 1_000))).toBe('ETA 16m40s');
    expect(etaMs(0, null)).toBe(0);
    expect(etaMs(-5, 10)).toBe(0);
    expect(etaMs(100, null)).toBeNull();
    expect(etaMs(100, 0)).toBeNull();
    expect(formatEta(null)).toBe('ETA -');
  });

  test('average rate between two instants', () => {
    expect(averageRate(5_000, '2026-01-01T00:00:00Z', '2026-01-01T00:00:02Z')).toBe(2_500);
    expect(averageRate(5_000, null, '2026-01-01T00:00:02Z')).toBeNull();
    expect(averageRate(5_000, '2026-01-01T00:00:02Z', '2026-01-01T00:00:02Z')).toBeNull();
  });
});

describe('RateMeter', () => {
  test('a rate over the window; unknown until two samples 1/4 s apart', () => {
    const m = new RateMeter(10_000);
    m.add(0, 0);
    expect(m.perSecond()).toBeNull();
    m.add(100, 50);
    expect(m.perSecond()).toBeNull();
    m.add(1_000, 1_000);
    expect(m.perSecond()).toBe(1_000);
  });

  test('old samples leave the window, so a stall shows as a falling rate, then 0', () => {
    const m = new RateMeter(10_000);
    for (let t = 0; t <= 10_000; t += 1_000) m.add(t, t); // 1,000 rows/s
    expect(m.perSecond()).toBe(1_000);
    for (let t = 11_000; t <= 30_000; t += 1_000) m.add(t, 10_000); // stalled
    expect(m.perSecond()).toBe(0);
  });

  test('a count that goes back (a re-copied range) restarts the window', () => {
    const m = new RateMeter();
    m.add(0, 0);
    m.add(1_000, 5_000);
    m.add(2_000, 3_000);
    expect(m.perSecond()).toBeNull();
    m.add(3_000, 4_000);
    expect(m.perSecond()).toBe(1_000);
  });
});

describe('table lines', () => {
  const now = Date.parse('2026-01-01T00:01:00Z');
  test('copying: percent, rate and ETA against the estimate', () => {
    const line = tableLine(table({ rows_copied: 25_000, rows_estimated: 100_000 }), 5_000, now);
    expect(line).toEqual({ name: 'items', copied: 25_000, total: 100_000, percent: 25, detail: '5,000 rows/s  ETA 15s' });
  });

  test('a copy past its estimate counts against the rows copied; rejected rows are named', () => {
    const line = tableLine(table({ rows_copied: 1_200, rows_estimated: 1_000, rows_rejected: 3 }), null, now);
    expect(line).toMatchObject({ total: 1_200, percent: 100, detail: '-  ETA 0.0s  3 rejected' });
  });

  test('chunk retries are named when there were any, none when there were none or the run did not count them', () => {
    expect(tableLine(table({ rows_copied: 500, rows_estimated: 1_000, chunk_retries: 1 }), 100, now).detail).toBe('100 rows/s  ETA 5.0s  1 chunk retry');
    expect(tableLine(table({ rows_copied: 500, rows_estimated: 1_000, rows_rejected: 2, chunk_retries: 1_204 }), 100, now).detail).toBe('100 rows/s  ETA 5.0s  2 rejected  1,204 chunk retries');
    expect(tableLine(table({ rows_copied: 500, rows_estimated: 1_000, chunk_retries: 0 }), 100, now).detail).toBe('100 rows/s  ETA 5.0s');
    expect(tableLine(table({ rows_copied: 500, rows_estimated: 1_000 }), 100, now).detail).toBe('100 rows/s  ETA 5.0s');
  });

  test('done: time and average rate; an empty table done is 100%; pending says so', () => {
    const done = table({ status: 'completed', rows_copied: 3_503, rows_estimated: 3_400, started_at: '2026-01-01T00:00:00Z', completed_at: '2026-01-01T00:00:02Z' });
    expect(tableLine(done, 10, now)).toMatchObject({ percent: 100, detail: 'done in 2.0s (1,752 rows/s)' });
    expect(tableLine(table({ status: 'completed' }), null, now)).toMatchObject({ percent: 100, detail: 'done in -' });
    expect(tableLine(table({ status: 'pending', rows_estimated: 10 }), null, now)).toMatchObject({ percent: 0, detail: 'pending' });
  });

  test('more tables than lines: those copying first, then the next pending, then the latest done; in plan order', () => {
    const tables = ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) => table({ name, status: (['completed', 'completed', 'copying', 'pending', 'pending', 'copying'] as const)[i] }));
    expect(visibleTables(tables, 3).map((t) => t.name)).toEqual(['c', 'd', 'f']);
    expect(visibleTables(tables, 5).map((t) => t.name)).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(visibleTables(tables, 6)).toBe(tables);
  });

  test('headline: phase while running, status otherwise; tables, rows, time', () => {
    const s = {
      status: 'running',
      phase: 'data_transfer',
      progress: { tables_total: 11, tables_completed: 3, rows_copied: 7_000, rows_estimated: 15_607, percent: 44 },
      started_at: '2026-01-01T00:00:00Z',
      completed_at: null,
    } as unknown as MigrationStatus;
    expect(headline(s, Date.parse('2026-01-01T00:00:42Z'))).toBe('phase data_transfer  tables 3/11  rows 7,000/15,607  42s');
    expect(headline({ ...s, status: 'paused' }, Date.parse('2026-01-01T00:03:05Z'))).toBe('paused (phase data_transfer)  tables 3/11  rows 7,000/15,607  3m05s');
  });
});

describe('create request from flags', () => {
  test('connection ids, connection strings typed by their form, tables, options merged with their flags', () => {
    expect(endpointFrom('source', 'conn_abc123', undefined, 'sales')).toEqual({ connection_id: 'conn_abc123', schema: 'sales' });
    expect(endpointFrom('target', 'postgresql://u:p@h/db', undefined, undefined)).toEqual({ type: 'postgresql', connection_string: 'postgresql://u:p@h/db' });
    expect(() => endpointFrom('source', 'somewhere', undefined, undefined)).toThrow('pass --source-type');
    const body = createRequest({
      name: 'n',
      source: 'mysql://root@h/db',
      target: 'conn_x1',
      tables: 'a, b,,c',
      strategy: 'aggressive',
      replace: true,
      chunkSize: 500,
      options: '{"max_rejected_rows": 5, "chunk_size": 1}',
    });
    expect(body).toEqual({
      name: 'n',
      source: { type: 'mysql', connection_string: 'mysql://root@h/db', tables: ['a', 'b', 'c'] },
      target: { connection_id: 'conn_x1' },
      strategy: 'aggressive',
      options: { max_rejected_rows: 5, chunk_size: 500, replace_existing_tables: true },
    });
    expect(() => createRequest({ name: 'n', source: 'conn_a', target: 'conn_b', strategy: 'balanced', options: '[1]' })).toThrow('--options must be a JSON object');
    expect(() => createRequest({ name: 'n', source: 'conn_a', target: 'conn_b', strategy: 'balanced', options: '{' })).toThrow(/--options must be a JSON object: /);
  });
});

describe('ProgressView, plain lines (not a terminal)', () => {
  const status = (over: Partial<MigrationStatus>, tables: Partial<TableProgress>[]): MigrationStatus =>
    ({
      id: 'mig_1',
      name: 'demo',
      status: 'running',
      phase: 'data_transfer',
      pause_reason: null,
      progress: { tables_total: tables.length, tables_completed: 0, rows_copied: 0, rows_estimated: 0, percent: 0 },
      tables: tables.map(table),
      ...over,
    }) as MigrationStatus;

  test('what ended first, then status and phase changes, then progress at most every interval, unmoved tables not repeated', () => {
    let now = 0;
    let text = '';
    const stream = { isTTY: false, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
    const view = new ProgressView({ stream, plainIntervalMs: 2_000, now: () => now });
    view.update(status({ status: 'awaiting_approval', phase: 'mapping' }, [{ name: 'a', status: 'pending', rows_estimated: 10_000 }]));
    now = 1_000;
    view.update(status({}, [{ name: 'a', rows_estimated: 10_000, rows_copied: 0 }]));
    now = 2_000;
    view.update(status({}, [{ name: 'a', rows_estimated: 10_000, rows_copied: 1_000 }])); // within 2 s of the last line
    now = 3_000;
    view.update(status({}, [{ name: 'a', rows_estimated: 10_000, rows_copied: 2_000 }]));
    now = 6_000;
    view.update(status({ status: 'paused', pause_reason: { by: 'operator', code: 'paused', message: 'maintenance', at: '' } }, [{ name: 'a', rows_estimated: 10_000, rows_copied: 2_000 }]));
    now = 7_000;
    view.update(
      status({ phase: 'validation' }, [
        { name: 'a', status: 'completed', rows_estimated: 10_000, rows_copied: 10_000, started_at: '2026-01-01T00:00:00Z', completed_at: '2026-01-01T00:00:04Z' },
      ]),
    );
    view.stop();
    expect(text.split('\n')).toEqual([
      'migration mig_1 "demo": awaiting_approval, phase mapping',
      'status running',
      'phase data_transfer',
      'table a: 0/10,000 rows 0%  -  ETA -',
      'table a: 2,000/10,000 rows 20%  1,000 rows/s  ETA 8.0s',
      'status paused (operator: maintenance)',
      'table a: 10,000/10,000 rows, done in 4.0s (2,500 rows/s)',
      'status running',
      'phase validation',
      '',
    ]);
  });
});

test('the API address and key: flags, then the environment; an address with credentials or no URL at all is refused', () => {
  expect(clientFrom({ apiUrl: 'http://127.0.0.1:9/' }, { SENSEI_API_KEY: 'sk_test_x' }).baseUrl).toBe('http://127.0.0.1:9');
  expect(clientFrom({}, { SENSEI_API_KEY: 'sk_test_x', SENSEI_API_URL: 'https://sensei.example.com/v1' }).baseUrl).toBe('https://sensei.example.com');
  expect(clientFrom({}, { SENSEI_API_KEY: 'sk_test_x', PORT: '9999' }).baseUrl).toBe('http://localhost:9999');
  expect(() => clientFrom({ apiUrl: 'https://ops:hunter2@sensei.example.com' }, { SENSEI_API_KEY: 'k' })).toThrow('the API address may not hold a user or password');
  expect(() => clientFrom({ apiUrl: 'sensei.example.com' }, { SENSEI_API_KEY: 'k' })).toThrow('the API address is not a URL');
  expect(() => clientFrom({}, { SENSEI_DATA_DIR: '/nonexistent-sensei-dir' })).toThrow('no API key: set SENSEI_API_KEY or pass --api-key');
  // Without SENSEI_API_KEY, the key a local `npm start` generated into its data dir.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-cli-'));
  try {
    fs.writeFileSync(path.join(dir, 'api-key'), 'sk_live_generated\n');
    expect(clientFrom({}, { SENSEI_DATA_DIR: dir }).baseUrl).toBe('http://localhost:8080');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ProgressView on a terminal: a headline and as many bars as the screen has room for, the rest counted', () => {
  let text = '';
  const stream = Object.assign(new Writable({ write: (c: Buffer, _e: string, cb: () => void) => ((text += c.toString()), cb()) }), {
    isTTY: true,
    rows: 5,
    columns: 120,
    cursorTo: (_x: number, _y?: number) => true,
    moveCursor: (_dx: number, _dy: number) => true,
    clearLine: () => true,
    clearScreenDown: () => true,
  }) as unknown as NodeJS.WriteStream;
  const tables = ['a', 'b', 'c', 'd'].map((name, i) => table({ name, status: i === 0 ? 'completed' : 'copying', rows_estimated: 100, rows_copied: i === 0 ? 100 : 50 }));
  const view = new ProgressView({ stream, now: () => 0 });
  view.update({
    id: 'mig_1',
    name: 'many',
    status: 'running',
    phase: 'data_transfer',
    progress: { tables_total: 104, tables_completed: 1, rows_copied: 250, rows_estimated: 400, percent: 1 },
    tables,
    started_at: null,
    completed_at: null,
  } as unknown as MigrationStatus);
  view.stop();
  // 5 rows: the headline, 2 bars (copying first), a line for the cursor; 102 of the 104 tables not shown.
  expect(text).toContain('many  phase data_transfer  tables 1/104  rows 250/400  (102 more tables not shown)');
  expect(text).toMatch(/ {2}b +█{12}░{12} +50% +50\/100 /);
  expect(text).toMatch(/ {2}c +█{12}░{12} +50% +50\/100 /);
  expect(text).not.toMatch(/ {2}a +█/);
  expect(text).not.toMatch(/ {2}d +█/);
});
