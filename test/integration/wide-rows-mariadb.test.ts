/**
 * PostgreSQL tables whose rows MariaDB cannot declare as they are, through the workflow on a real Temporal dev server.
 * MariaDB keeps at most 65,535 bytes of a row's declared columns (a VARCHAR(1000) counts 4,002 in utf8mb4) and InnoDB
 * 8,126 of it in its page (a VARCHAR(63) counts 253, a TEXT its 20-byte pointer): a hundred VARCHAR(1000) and forty
 * VARCHAR(63) made MariaDB refuse the table at its creation ("Row size too large"), failing the migration. Now the
 * widest columns no key or index names are planned as TEXT until the row fits, said in the plan and in each column's
 * note; every value arrives; a table that cannot fit even so (500 VARCHAR(20)) waits at the gate, saying why.
 */
import type { MigrationPlan } from '../../lib/types';
import { planQuery, startUpdate } from '../../workflows/migration';
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';
import { startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite({ timeoutMs: 120_000 });

test('PostgreSQL → MariaDB: a hundred VARCHAR(1000) and forty VARCHAR(63) fit as TEXT where unindexed; every value arrives', async () => {
  const source = await suite.database('postgresql');
  const long = Array.from({ length: 100 }, (_, i) => `l${i} varchar(1000)`);
  const short = Array.from({ length: 40 }, (_, i) => `s${i} varchar(63)`);
  await pgRows(source.endpoint, `CREATE TABLE wide (id int PRIMARY KEY, ${[...long, ...short].join(', ')}); CREATE INDEX wide_l0 ON wide (l0)`);
  const values = (row: number) => [...long.map((_, i) => `repeat(md5('${row}-${i}'), 31)`), ...short.map((_, i) => `left(md5('${row}+${i}'), ${20 + (i % 40)})`)];
  for (const row of [1, 2, 3]) await pgRows(source.endpoint, `INSERT INTO wide VALUES (${row}, ${values(row).join(', ')})`);
  await pgRows(source.endpoint, `INSERT INTO wide (id, l0) VALUES (4, NULL)`);

  const target = await suite.database('mysql');
  const { status, plan } = await migrateOnce(suite, source, target);
  expect({ status: status.status, validation: status.validation?.status, errors: status.errors }).toEqual({ status: 'completed', validation: 'passed', errors: [] });
  expect(plan?.notes).toEqual(
    expect.arrayContaining([expect.stringMatching(/^table wide: columns l1, l2, .* keep their values out of the row \(TEXT, BLOB\): as declared, they would take \d+ bytes of a row's declared columns, past the 65000 MariaDB\/MySQL keeps$/)]),
  );
  const types = await mariadbRows(target.endpoint, "SELECT COLUMN_NAME c, DATA_TYPE t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'wide'");
  const typeOf = new Map(types.map((r) => [String(r.c), String(r.t)]));
  // The indexed column keeps its type; enough of the others are TEXT that the row fits both limits.
  expect(typeOf.get('l0')).toBe('varchar');
  const text = types.filter((r) => r.t === 'text').length;
  expect(text).toBeGreaterThanOrEqual(85);
  expect(plan?.tables[0].columns.filter((c) => c.targetType === 'TEXT').every((c) => /^TEXT rather than VARCHAR\(\d+\): the table's columns take more of a row than MariaDB\/MySQL keeps/.test(c.note ?? ''))).toBe(true);
  // Every value, read by this test's own SQL on each side.
  const columns = ['id', ...long, ...short].map((c) => c.split(' ')[0]);
  const pgValues = await pgRows(source.endpoint, `SELECT ${columns.join(', ')} FROM wide ORDER BY id`);
  expect(pgValues).toHaveLength(4);
  expect(await mariadbRows(target.endpoint, `SELECT ${columns.map((c) => `\`${c}\``).join(', ')} FROM wide ORDER BY id`)).toEqual(pgValues);
}, 300_000);

test('PostgreSQL → MariaDB: 500 VARCHAR(20) cannot fit InnoDB\'s page even as TEXT: the gate waits, saying why', async () => {
  const source = await suite.database('postgresql');
  await pgRows(source.endpoint, `CREATE TABLE narrow (id int PRIMARY KEY, ${Array.from({ length: 500 }, (_, i) => `c${i} varchar(20)`).join(', ')}); CREATE TABLE fine (id int PRIMARY KEY)`);
  const target = await suite.database('mysql');
  const handle = await startMigration(suite.harness, source.endpoint, target.endpoint, 'aggressive', {});
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  const plan = (await handle.query(planQuery)) as MigrationPlan;
  expect(plan.blockers).toEqual([
    expect.stringMatching(/^table narrow: its columns as planned would take \d+ bytes of a row's part InnoDB keeps in its page in MariaDB\/MySQL, past the 8000 it keeps: map some of them to TEXT or BLOB at the gate, or exclude the table/),
  ]);
  // Nothing is created meanwhile.
  expect(await mariadbRows(target.endpoint, 'SELECT COUNT(*) n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()')).toEqual([{ n: '0' }]);
}, 300_000);
