import { mariadbRows } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';
import { MARIA_NATIVE_ROWS, MARIA_NATIVE_TABLES } from '../helpers/zoo';

const suite = migrationSuite();

test('probe', async () => {
  const source = await suite.database('mysql');
  for (const sql of [...Object.values(MARIA_NATIVE_TABLES), ...MARIA_NATIVE_ROWS]) await mariadbRows(source.endpoint, sql);
  for (const dialect of ['postgresql', 'sqlite'] as const) {
    const target = await suite.database(dialect);
    const { status } = await migrateOnce(suite, source, target, { chunkSize: 2 });
    console.log(dialect, status.status, JSON.stringify(status.failure)?.slice(0, 1500), JSON.stringify(status.errors.map((e) => [e.code, e.table, e.key, e.message.slice(0, 200)])).slice(0, 3000), status.progress.rows_copied);
  }
}, 300_000);
