/**
 * SQLite → PostgreSQL and SQLite → MariaDB through the whole workflow on a real Temporal dev server: a table declaring
 * the types SQLite schemas are written with (INTEGER, BIGINT, TINYINT, REAL, DOUBLE, FLOAT, NUMERIC, DECIMAL(p,s),
 * BOOLEAN, DATE, DATETIME, TEXT, VARCHAR(n), NCHAR(n), CLOB, BLOB, JSON), integers past 2^53, text beyond the BMP and
 * bytes that are not text. Values are compared by this test's own SQL on both sides, validation passes, and one changed
 * value per family in the target is caught by the semantic tier, which names its row.
 */
import { expectChangesCaught, migrateHeldOpen } from '../helpers/caught';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';
import { expectSameAsSqliteSource, fillSqliteZoo, SQLITE_ZOO_IN_MARIADB_SQL, SQLITE_ZOO_IN_PG_SQL, sqliteZooRows } from '../helpers/zoo';

const suite = migrationSuite();
async function migrate(source: TempDatabase, target: TempDatabase) {
  const run = await migrateHeldOpen(suite.harness, source, target, 5);
  for (const c of run.plan.tables[0].columns) expect({ c: c.column, ok: c.targetType !== '' && c.confidence > 0 }).toEqual({ c: c.column, ok: true });
  return run;
}

const CHANGES = {
  1: 'i = 0',
  2: 'bi = 9007199254740992',
  3: 'r = 3.5',
  4: 'd = 1.0',
  5: 'dc = 0.01',
  6: 'b = NOT b',
  7: `dt = '1999-12-31'`,
  8: `t = 'changed'`,
  9: `j = '{"k": 0}'`,
};

test('SQLite → PostgreSQL: every declared type maps; values arrive; the CHECK holds; a change per family is caught', async () => {
  const source = await suite.database('sqlite');
  fillSqliteZoo(source.endpoint.connectionString);
  const target = await suite.database('postgresql');
  const { handle } = await migrate(source, target);
  const rows = await pgRows(target.endpoint, SQLITE_ZOO_IN_PG_SQL);
  expectSameAsSqliteSource(sqliteZooRows(source.endpoint.connectionString), rows);
  await expect(pgRows(target.endpoint, 'UPDATE zoo SET dc = -1 WHERE id = 1')).rejects.toThrow(/check constraint/i);
  await expectChangesCaught(handle, (sql) => pgRows(target.endpoint, sql), CHANGES);
}, 600_000);

test('SQLite → MariaDB: every declared type maps; values arrive; the CHECK holds; a change per family is caught', async () => {
  const source = await suite.database('sqlite');
  fillSqliteZoo(source.endpoint.connectionString);
  const target = await suite.database('mysql');
  const { handle } = await migrate(source, target);
  const rows = await mariadbRows(target.endpoint, SQLITE_ZOO_IN_MARIADB_SQL);
  expectSameAsSqliteSource(sqliteZooRows(source.endpoint.connectionString), rows);
  await expect(mariadbRows(target.endpoint, 'UPDATE zoo SET dc = -1 WHERE id = 1')).rejects.toThrow(/CONSTRAINT/i);
  await expectChangesCaught(handle, (sql) => mariadbRows(target.endpoint, sql), CHANGES);
}, 600_000);
