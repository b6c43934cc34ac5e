/**
 * Dates and timestamps a PostgreSQL source holds and not every target can: dates BC (4713 BC, the Ides of March of
 * 44 BC, 1 BC), 'infinity' and '-infinity', years past 9999, beside year 44 AD, which must stay AD. Through the whole
 * workflow on a real Temporal dev server:
 * - to SQLite (text) every value is kept, as ISO 8601 text (-0043-03-15, 'infinity'), and validation passes; from
 *   there back to PostgreSQL every value is the source's again;
 * - to MariaDB (DATE/DATETIME hold years 1–9999) the gate says it in the columns' notes, and a row holding such a
 *   value is rejected by key with the reason (never changed, never failing the table); the others are copied, and
 *   validation counts the rejected rows;
 * - to MariaDB with those columns edited to TEXT at the gate, every row is copied, each value as its ISO 8601 text, and
 *   validation passes;
 * - to MariaDB, a table without a key (whose rows cannot be rejected alone) fails its copy saying why, as its note
 *   said at the gate, and the other tables are copied;
 * - to PostgreSQL every value is kept; from SQLite into a column edited to text, the ISO 8601 text as it is;
 * and in both a value made 44 AD from 44 BC (or back) in the target is caught by the semantic tier.
 * The targets are read with this test's own SQL.
 */
import Database from 'better-sqlite3';
import type { Endpoint } from '../../connectors/types';
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, editMappingsUpdate, planQuery, rowRetryRefusal, startUpdate } from '../../workflows/migration';
import { expectChangesCaught, migrateApproving, migrateHeldOpen } from '../helpers/caught';
import { mariadbRows, pgRows } from '../helpers/databases';
import { recordHistories } from '../helpers/histories';
import { migrationSuite } from '../helpers/suite';
import { startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite({ timeoutMs: 120_000 });

let source: Endpoint;

const SOURCE = [
  `CREATE TABLE events (id integer PRIMARY KEY, d date, ts timestamp(6), tz timestamptz, dn date NOT NULL, note text)`,
  `INSERT INTO events VALUES
     (1, '2020-01-02', '2020-01-02 03:04:05.5', '2020-01-02 03:04:05+00', '2000-01-01', 'ordinary'),
     (2, '4713-01-01 BC', '0044-03-15 12:00:00.25 BC', '0044-03-15 12:00:00+00 BC', '0001-12-31 BC', 'bc'),
     (3, 'infinity', '-infinity', 'infinity', '-infinity', 'infinite'),
     (4, '12345-01-01', '10000-01-01 00:00:00', '12345-06-07 01:02:03+00', '2001-01-01', 'far'),
     (5, NULL, NULL, NULL, '0044-03-15 BC', 'not null bc'),
     (6, '0044-03-15', '0044-03-15 12:00:00', '0044-03-15 12:00:00+00', '0044-03-15', 'year 44 AD')`,
];

beforeAll(async () => {
  source = (await suite.database('postgresql')).endpoint;
  for (const sql of SOURCE) await pgRows(source, sql);
});

test('PostgreSQL → SQLite: dates BC, ±infinity and years past 9999 are kept as ISO 8601 text, and the migration validates', async () => {
  const target = (await suite.database('sqlite')).endpoint;
  const { status } = await migrateApproving(suite.harness, source, target);
  expect({ status: status.status, failure: status.failure, validation: status.validation?.status, errors: status.errors_total }).toEqual({
    status: 'completed',
    failure: null,
    validation: 'passed',
    errors: 0,
  });
  const db = new Database(target.connectionString, { readonly: true });
  try {
    expect(db.prepare('SELECT id, d, ts, tz, dn FROM events ORDER BY id').all()).toEqual([
      { id: 1, d: '2020-01-02', ts: '2020-01-02 03:04:05.5', tz: '2020-01-02 03:04:05Z', dn: '2000-01-01' },
      { id: 2, d: '-4712-01-01', ts: '-0043-03-15 12:00:00.25', tz: '-0043-03-15 12:00:00Z', dn: '0000-12-31' },
      { id: 3, d: 'infinity', ts: '-infinity', tz: 'infinity', dn: '-infinity' },
      { id: 4, d: '12345-01-01', ts: '10000-01-01 00:00:00', tz: '12345-06-07 01:02:03Z', dn: '2001-01-01' },
      { id: 5, d: null, ts: null, tz: null, dn: '-0043-03-15' },
      { id: 6, d: '0044-03-15', ts: '0044-03-15 12:00:00', tz: '0044-03-15 12:00:00Z', dn: '0044-03-15' },
    ]);
  } finally {
    db.close();
  }

  // And back: SQLite → PostgreSQL gives every date and timestamp of the source again (SQLite keeps the timestamptz as
  // TEXT, which comes back as text).
  const back = (await suite.database('postgresql')).endpoint;
  const again = await migrateApproving(suite.harness, target, back);
  expect({ status: again.status.status, failure: again.status.failure, validation: again.status.validation?.status }).toEqual({ status: 'completed', failure: null, validation: 'passed' });
  const dated = `SELECT id, pg_typeof(d)::text AS dt, d::text AS d, pg_typeof(ts)::text AS tst, ts::text AS ts, dn::text AS dn FROM events ORDER BY id`;
  expect(await pgRows(back, dated)).toEqual(await pgRows(source, dated));
});

test('PostgreSQL → MariaDB: the gate says which values cannot be held; each row holding one is rejected by key with the reason, the others are copied', async () => {
  const target = (await suite.database('mysql')).endpoint;
  const { status, plan } = await migrateApproving(suite.harness, source, target);
  const notes = Object.fromEntries(plan.tables[0].columns.map((c) => [c.column, c.note ?? '']));
  const said = (type: string) =>
    `years BC, 'infinity' and '-infinity', and years after 9999 (which PostgreSQL holds) have no equal in MariaDB/MySQL ${type} (years 1 to 9999): a row holding one is rejected by key, never changed`;
  expect(notes).toEqual({
    id: '',
    d: said('DATE'),
    ts: said('DATETIME(6)'),
    tz: expect.stringContaining(said('DATETIME(6)')),
    dn: said('DATE'),
    note: '',
  });
  const rejected = status.errors.filter((e) => e.code === 'RowRejected');
  expect(rejected.map((e) => e.key)).toEqual([[2], [3], [4], [5]]);
  const reason = (column: string, what: string, type: string) => `column ${column} holds ${what}, which MariaDB/MySQL ${type} cannot hold: the row is not copied (a mapping to text would keep it)`;
  expect(Object.fromEntries(rejected.map((e) => [String(e.key?.[0]), e.message]))).toEqual({
    2: reason('d', 'a date BC', 'DATE'),
    3: reason('d', "'infinity' or '-infinity'", 'DATE'),
    4: reason('d', 'a year after 9999', 'DATE'),
    5: reason('dn', 'a date BC', 'DATE'),
  });
  expect(await mariadbRows(target, 'SELECT id, CAST(d AS CHAR) AS d, CAST(ts AS CHAR) AS ts, CAST(tz AS CHAR) AS tz, CAST(dn AS CHAR) AS dn FROM events ORDER BY id')).toEqual([
    { id: 1, d: '2020-01-02', ts: '2020-01-02 03:04:05.500000', tz: '2020-01-02 03:04:05.000000', dn: '2000-01-01' },
    { id: 6, d: '0044-03-15', ts: '0044-03-15 12:00:00.000000', tz: '0044-03-15 12:00:00.000000', dn: '0044-03-15' },
  ]);
  expect(status.tables[0]).toMatchObject({ name: 'events', rows_copied: 2, rows_rejected: 4, status: 'completed' });
  // Validation counts the rejected rows (row counts match) and names them: the target is not the source, no certificate.
  expect(status.validation?.row_counts).toEqual([{ table: 'events', source_rows: 6, target_rows: 2, rejected_rows: 4, match: true }]);
  expect({ status: status.status, code: status.failure?.code, certificate: status.certificate }).toEqual({ status: 'failed', code: 'ValidationFailed', certificate: null });
});

test('PostgreSQL → MariaDB with the columns edited to TEXT at the gate: every value is kept as its ISO 8601 text, and the migration validates', async () => {
  const target = (await suite.database('mysql')).endpoint;
  const hold = { completed_hold_seconds: 600, failed_hold_seconds: 600 };
  const handle = await startMigration(suite.harness, source, target, 'balanced', { auto_approve_high_confidence: false, chunk_size: 100, validation: hold });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  const { edited } = await handle.executeUpdate(editMappingsUpdate, {
    args: [['d', 'ts', 'tz', 'dn'].map((c) => ({ id: `events.${c}`, target_type: c === 'd' ? 'VARCHAR(13)' : 'TEXT' }))],
  });
  expect(edited.map((c) => [c.column, c.targetType, c.confidence])).toEqual([
    ['d', 'VARCHAR(13)', 0.9],
    ['ts', 'LONGTEXT', 0.9],
    ['tz', 'LONGTEXT', 0.9],
    ['dn', 'LONGTEXT', 0.9],
  ]);
  expect(edited[0].note).toBe(
    "edited by hand; date stored as its ISO 8601 text (44 BC as -0043, a year past 9999 whole, 'infinity' and a MariaDB zero date as they are): every value is kept, but the target no longer checks its form or orders it as time",
  );
  // Too short for every date: said, and judged so.
  const short = await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'events.ts', target_type: 'VARCHAR(19)' }]] });
  expect([short.edited[0].confidence, short.edited[0].note]).toEqual([0.6, expect.stringContaining('at most 19 characters')]);
  // Back to a date type: what it cannot hold is said again.
  const back = await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'events.ts', target_type: 'DATETIME(6)' }]] });
  expect(back.edited[0].note).toBe(
    "edited by hand; years BC, 'infinity' and '-infinity', and years after 9999 (which PostgreSQL holds) have no equal in MariaDB/MySQL DATETIME(6) (years 1 to 9999): a row holding one is rejected by key, never changed",
  );
  await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'events.ts', target_type: 'TEXT' }]] });
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, (s) => s.status === 'completed' || s.status === 'failed', 240_000);
  expect({ status: status.status, failure: status.failure, validation: status.validation?.status, errors: status.errors_total }).toEqual({
    status: 'completed',
    failure: null,
    validation: 'passed',
    errors: 0,
  });
  const rows = await mariadbRows(target, 'SELECT id, d, ts, tz, dn FROM events ORDER BY id');
  // 44 BC made 44 AD, and 44 AD made 44 BC, in the text: the semantic tier names both rows.
  await expectChangesCaught(handle, (sql) => mariadbRows(target, sql), { 2: "ts = '0044-03-15 12:00:00.25'", 6: "d = '-0043-03-15'" }, 'events');
  await recordHistories(suite.harness.client, handle.workflowId, 'gate-edits-dates-as-text');
  expect(rows).toEqual([
    { id: 1, d: '2020-01-02', ts: '2020-01-02 03:04:05.5', tz: '2020-01-02 03:04:05', dn: '2000-01-01' },
    { id: 2, d: '-4712-01-01', ts: '-0043-03-15 12:00:00.25', tz: '-0043-03-15 12:00:00', dn: '0000-12-31' },
    { id: 3, d: 'infinity', ts: '-infinity', tz: 'infinity', dn: '-infinity' },
    { id: 4, d: '12345-01-01', ts: '10000-01-01 00:00:00', tz: '12345-06-07 01:02:03', dn: '2001-01-01' },
    { id: 5, d: null, ts: null, tz: null, dn: '-0043-03-15' },
    { id: 6, d: '0044-03-15', ts: '0044-03-15 12:00:00', tz: '0044-03-15 12:00:00', dn: '0044-03-15' },
  ]);
  expect(((await handle.query(planQuery)) as MigrationPlan).tables[0].columns.map((c) => c.targetType)).toEqual(['INT', 'VARCHAR(13)', 'LONGTEXT', 'LONGTEXT', 'LONGTEXT', 'LONGTEXT']);
});

test('PostgreSQL → PostgreSQL keeps every value; the semantic tier tells 44 BC from 44 AD (its digest dropped the era)', async () => {
  const db = await suite.database('postgresql');
  const target = await suite.database('postgresql');
  for (const sql of SOURCE) await pgRows(db.endpoint, sql);
  const { handle } = await migrateHeldOpen(suite.harness, db, target, 100);
  const dated = `SELECT id, d::text AS d, ts::text AS ts, tz::text AS tz, dn::text AS dn FROM events ORDER BY id`;
  expect(await pgRows(target.endpoint, dated)).toEqual(await pgRows(db.endpoint, dated));
  await expectChangesCaught(
    handle,
    (sql) => pgRows(target.endpoint, sql),
    { 2: "d = '4713-01-01', tz = '0044-03-15 12:00:00+00'", 4: "d = '2345-01-01'", 6: "dn = '0044-03-15 BC'" },
    'events',
  );
});

test('PostgreSQL → MariaDB, a table without a key: the gate says a row BC would be rejected; it is, named by its values, and the rest of every table is copied', async () => {
  const db = await suite.database('postgresql');
  await pgRows(db.endpoint, `CREATE TABLE logbook (d date, note text)`);
  await pgRows(db.endpoint, `INSERT INTO logbook VALUES ('2020-01-01', 'a'), ('0044-03-15 BC', 'b'), ('2021-02-03', 'c')`);
  await pgRows(db.endpoint, `CREATE TABLE fine (id int PRIMARY KEY, d date)`);
  await pgRows(db.endpoint, `INSERT INTO fine VALUES (1, '2020-01-01')`);
  const target = (await suite.database('mysql')).endpoint;
  const { status, plan, workflowId } = await migrateApproving(suite.harness, db.endpoint, target);
  await recordHistories(suite.harness.client, workflowId, 'keyless-rows-rejected');
  const note = (table: string) => plan.tables.find((t) => t.source.name === table)?.columns.find((c) => c.column === 'd')?.note;
  expect(note('logbook')).toMatch(/: a row holding one is rejected, never changed; the table has no key, so it is named by its values' digest and copied again only with its table \(map the column to text to keep it\)$/);
  expect(note('fine')).toMatch(/: a row holding one is rejected by key, never changed$/);
  expect(status.tables.map((t) => [t.name, t.status, t.rows_copied, t.rows_rejected])).toEqual([
    ['fine', 'completed', 1, 0],
    ['logbook', 'completed', 2, 1],
  ]);
  const rejected = status.errors.filter((e) => e.code === 'RowRejected');
  expect(rejected).toHaveLength(1);
  expect(rejected[0].table).toBe('logbook');
  expect(rejected[0].key).toBeUndefined();
  expect(rejected[0].message).toMatch(
    /^column d of a row holds a date BC, which MariaDB\/MySQL DATE cannot hold \(a mapping to text would keep it\): the row is not copied \(the table has no key: the row is named by its values' SHA-256 [0-9a-f]{16}, and is fixed at the source and copied again with its table, not alone\)$/,
  );
  expect(await mariadbRows(target, 'SELECT CAST(d AS CHAR) d, note FROM logbook ORDER BY d')).toEqual([
    { d: '2020-01-01', note: 'a' },
    { d: '2021-02-03', note: 'c' },
  ]);
  // Validation names the row missing, as for every rejected row; this one cannot be retried alone.
  expect(status.failure?.code).toBe('ValidationFailed');
  expect(rowRetryRefusal(rejected[0].id, rejected[0])).toBe(
    `error ${rejected[0].id} is a row of table logbook, which has no key: it cannot be copied alone (fix it at the source, then migrate the table again)`,
  );
});

test('a date primary key holding such dates: to SQLite every row, in time order for validation; to MariaDB the rows are rejected by their ISO 8601 keys', async () => {
  const db = await suite.database('postgresql');
  await pgRows(db.endpoint, `CREATE TABLE days (day date PRIMARY KEY, n int)`);
  await pgRows(
    db.endpoint,
    `INSERT INTO days VALUES ('4713-01-01 BC', 1), ('0044-03-15 BC', 2), ('0001-01-01 BC', 3), ('0044-03-15', 4), ('2020-01-01', 5), ('12345-01-01', 6), ('infinity', 7), ('-infinity', 8)`,
  );
  const lite = (await suite.database('sqlite')).endpoint;
  const toLite = await migrateApproving(suite.harness, db.endpoint, lite);
  // The generated suite's "top 10 days by key" orders SQLite's text as time (it came out in text order, and failed).
  expect({ status: toLite.status.status, failure: toLite.status.failure, validation: toLite.status.validation?.status }).toEqual({ status: 'completed', failure: null, validation: 'passed' });
  const file = new Database(lite.connectionString, { readonly: true });
  try {
    expect(file.prepare('SELECT day, n FROM days ORDER BY n').all()).toEqual([
      { day: '-4712-01-01', n: 1 },
      { day: '-0043-03-15', n: 2 },
      { day: '0000-01-01', n: 3 },
      { day: '0044-03-15', n: 4 },
      { day: '2020-01-01', n: 5 },
      { day: '12345-01-01', n: 6 },
      { day: 'infinity', n: 7 },
      { day: '-infinity', n: 8 },
    ]);
  } finally {
    file.close();
  }

  const maria = (await suite.database('mysql')).endpoint;
  const { status } = await migrateApproving(suite.harness, db.endpoint, maria);
  expect(status.errors.filter((e) => e.code === 'RowRejected').map((e) => e.key)).toEqual([['-infinity'], ['-4712-01-01'], ['-0043-03-15'], ['0000-01-01'], ['12345-01-01'], ['infinity']]);
  expect(await mariadbRows(maria, 'SELECT CAST(day AS CHAR) AS day, n FROM days ORDER BY day')).toEqual([
    { day: '0044-03-15', n: 4 },
    { day: '2020-01-01', n: 5 },
  ]);
  expect(status.validation?.row_counts).toEqual([{ table: 'days', source_rows: 8, target_rows: 2, rejected_rows: 6, match: true }]);
});

test('SQLite → PostgreSQL with a date column edited to text at the gate: its ISO 8601 text is kept as it is (44 BC as -0043-03-15), and the migration validates', async () => {
  const lite = (await suite.database('sqlite')).endpoint;
  const file = new Database(lite.connectionString);
  try {
    file.exec(`CREATE TABLE dated (id INTEGER PRIMARY KEY, d DATE, e DATE); INSERT INTO dated VALUES (1, '-0043-03-15', '-0043-03-15'), (2, '2020-01-02', 'infinity');`);
    // Keyed by text: written by INSERT … ON CONFLICT, not COPY (text keys have no range both dialects order alike).
    file.exec(`CREATE TABLE named (code TEXT PRIMARY KEY, d DATE); INSERT INTO named VALUES ('a', '-0043-03-15'), ('b', '0000-01-01');`);
  } finally {
    file.close();
  }
  const target = (await suite.database('postgresql')).endpoint;
  const handle = await startMigration(suite.harness, lite, target, 'balanced', { auto_approve_high_confidence: false, chunk_size: 100 });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  await handle.executeUpdate(editMappingsUpdate, {
    args: [
      [
        { id: 'dated.d', target_type: 'text' },
        { id: 'named.d', target_type: 'text' },
      ],
    ],
  });
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, (s) => s.status === 'completed' || s.status === 'failed', 240_000);
  expect({ status: status.status, failure: status.failure, validation: status.validation?.status, errors: status.errors_total }).toEqual({
    status: 'completed',
    failure: null,
    validation: 'passed',
    errors: 0,
  });
  // d is text: the ISO text; e stayed a date: 44 BC and infinity as PostgreSQL holds them.
  expect(await pgRows(target, 'SELECT id::int AS id, pg_typeof(d)::text AS dt, d, e::text AS e FROM dated ORDER BY id')).toEqual([
    { id: 1, dt: 'text', d: '-0043-03-15', e: '0044-03-15 BC' },
    { id: 2, dt: 'text', d: '2020-01-02', e: 'infinity' },
  ]);
  expect(await pgRows(target, 'SELECT code, d FROM named ORDER BY code')).toEqual([
    { code: 'a', d: '-0043-03-15' },
    { code: 'b', d: '0000-01-01' },
  ]);
});
