/**
 * A MariaDB ENUM holds '' where a value none of its labels was stored outside strict mode (the "error value"). Into
 * PostgreSQL, whose enum type holds only the labels, each row holding it is rejected by its key with the reason, the
 * other rows copied; before, PostgreSQL refused it in its own words ("invalid input value for enum"). MariaDB → MariaDB
 * keeps it (before, each such row was rejected: "Data truncated").
 */
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';

const suite = migrationSuite();
let source: TempDatabase;

beforeAll(async () => {
  source = await suite.database('mysql');
  await mariadbRows(source.endpoint, "CREATE TABLE invoices (id INT PRIMARY KEY, state ENUM('draft', 'sent', 'paid'))");
  await mariadbRows(source.endpoint, "INSERT INTO invoices VALUES (1, 'draft'), (2, 'sent'), (5, 'paid'), (6, NULL)");
  // Outside strict mode an invalid label is stored as the error value '' (with a warning), as is '' itself.
  await mariadbRows(source.endpoint, "SET STATEMENT sql_mode = '' FOR INSERT INTO invoices VALUES (3, 'bogus'), (4, '')");
  expect(await mariadbRows(source.endpoint, 'SELECT id, state, state + 0 AS n FROM invoices WHERE id IN (3, 4) ORDER BY id')).toEqual([
    { id: 3, state: '', n: 0 },
    { id: 4, state: '', n: 0 },
  ]);
});

test("MariaDB → PostgreSQL: an ENUM's '' is rejected by key; its labels are copied", async () => {
  const target = await suite.database('postgresql');
  const { status, plan, rejected } = await migrateOnce(suite, source, target);
  const type = plan?.tables[0].columns.find((c) => c.column === 'state')?.targetType;
  expect(type).toBe('invoices_state');
  const reason = `column state holds the empty string, which is not one of its labels, and PostgreSQL ${type} holds only those: the row is not copied`;
  expect(rejected).toEqual([
    [[3], reason],
    [[4], reason],
  ]);
  // The copy does not fail: the table is copied but for those rows, which validation then finds missing and names.
  expect(status.tables.find((t) => t.name === 'invoices')).toMatchObject({ status: 'completed', rows_copied: 4, rows_rejected: 2 });
  expect(status.failure?.code).toBe('ValidationFailed');
  expect(await pgRows(target.endpoint, 'SELECT id, state::text AS state FROM invoices ORDER BY id')).toEqual([
    { id: 1, state: 'draft' },
    { id: 2, state: 'sent' },
    { id: 5, state: 'paid' },
    { id: 6, state: null },
  ]);
}, 300_000);

test("MariaDB → MariaDB: an ENUM's '' is kept as the error value it is, every row copied and validated", async () => {
  const target = await suite.database('mysql');
  const { status, rejected } = await migrateOnce(suite, source, target);
  expect(rejected).toEqual([]);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(await mariadbRows(target.endpoint, 'SELECT id, state, state + 0 AS n FROM invoices ORDER BY id')).toEqual([
    { id: 1, state: 'draft', n: 1 },
    { id: 2, state: 'sent', n: 2 },
    { id: 3, state: '', n: 0 },
    { id: 4, state: '', n: 0 },
    { id: 5, state: 'paid', n: 3 },
    { id: 6, state: null, n: null },
  ]);
}, 300_000);
