/**
 * MariaDB's TIME is a duration (−838:59:59 to 838:59:59), PostgreSQL's time a time of day (00:00:00 to 24:00:00).
 * Into PostgreSQL each row whose TIME is negative or past 24:00:00 is rejected by its key with the reason (naming the
 * column, never the value), the other rows copied exactly; before, PostgreSQL refused such a row in its own words
 * ("invalid input syntax for type time", "date/time field value out of range").
 */
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite, rejectedRows } from '../helpers/suite';

const suite = migrationSuite();
let source: TempDatabase;

const TIMES: [number, string | null][] = [
  [1, '00:00:00'],
  [2, '23:59:59.999999'],
  [3, '24:00:00'],
  [4, '-01:00:00'],
  [5, '838:59:59'],
  [6, '12:34:56.5'],
  [7, '-00:00:00.5'],
  [8, '24:00:00.000001'],
  [9, null],
];

beforeAll(async () => {
  source = await suite.database('mysql');
  await mariadbRows(source.endpoint, 'CREATE TABLE durations (id INT PRIMARY KEY, t TIME(6))');
  for (const [id, t] of TIMES) await mariadbRows(source.endpoint, 'INSERT INTO durations VALUES (?, ?)', [id, t]);
});

test('MariaDB → PostgreSQL: a TIME negative or past 24:00:00 is rejected by key; the times of day are copied exactly', async () => {
  const target = await suite.database('postgresql');
  const { status, plan } = await migrateOnce(suite, source, target);
  const column = plan?.tables[0].columns.find((c) => c.column === 't');
  expect(column?.targetType).toBe('time(6) without time zone');
  const reason = (what: string) => `column t holds ${what}, which PostgreSQL time(6) without time zone cannot hold: the row is not copied (a mapping to text would keep it)`;
  expect(rejectedRows(status)).toEqual([
    [[4], reason('a negative duration')],
    [[5], reason('a duration past 24:00:00')],
    [[7], reason('a negative duration')],
    [[8], reason('a duration past 24:00:00')],
  ]);
  // The copy does not fail: the table is copied but for those rows, which validation then finds missing and names.
  expect(status.phases.find((p) => p.name === 'data_transfer')?.status).toBe('completed');
  expect(status.tables.find((t) => t.name === 'durations')).toMatchObject({ status: 'completed', rows_copied: 5, rows_rejected: 4 });
  expect(status.failure?.code).toBe('ValidationFailed');
  expect(await pgRows(target.endpoint, 'SELECT id, t::text AS t FROM durations ORDER BY id')).toEqual([
    { id: 1, t: '00:00:00' },
    { id: 2, t: '23:59:59.999999' },
    { id: 3, t: '24:00:00' },
    { id: 6, t: '12:34:56.5' },
    { id: 9, t: null },
  ]);
}, 300_000);
