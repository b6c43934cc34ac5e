/**
 * Indexes are made once however often the finalisation runs (an activity retried, the indexes-then-foreign-keys passes
 * of finalizeTarget): MariaDB describes a UNIQUE index back as a UNIQUE constraint, so the second run took it for
 * missing and failed with "Duplicate key name".
 */
import { createConnector } from '../../connectors/registry';
import { planMigration } from '../../lib/mapping';
import { createTempDatabase, mariadbRows, pgRows, type TempDatabase, type TestDialect } from '../helpers/databases';

const dropped: TempDatabase[] = [];
afterAll(async () => {
  for (const db of dropped) await db.drop();
});

async function database(dialect: TestDialect): Promise<TempDatabase> {
  const db = await createTempDatabase(dialect);
  dropped.push(db);
  return db;
}

test.each([['postgresql'], ['mysql']] as [TestDialect][])('%s → MariaDB: finalised twice, each index made once', async (from) => {
  const source = await database(from);
  const ddl = ['CREATE TABLE item (id int PRIMARY KEY, code varchar(20) NOT NULL, a int, b int)', 'CREATE UNIQUE INDEX item_code ON item (code)', 'CREATE INDEX item_ab ON item (a, b)'];
  for (const sql of ddl) await (from === 'postgresql' ? pgRows(source.endpoint, sql) : mariadbRows(source.endpoint, sql));
  const target = await database('mysql');
  const [reader, writer] = [await createConnector(source.endpoint), await createConnector(target.endpoint, { role: 'target' })];
  try {
    const plan = planMigration(await reader.introspect(), 'mysql', { targetSchema: writer.schema });
    expect(plan.blockers).toEqual([]);
    await writer.ensureSchema();
    const [table] = plan.tables;
    await writer.createTable(table, { replace: false });
    await writer.createIndexesAndForeignKeys(table);
    await writer.createIndexesAndForeignKeys(table);
    const indexes = await mariadbRows(
      target.endpoint,
      "SELECT NON_UNIQUE AS non_unique, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'item' GROUP BY INDEX_NAME, NON_UNIQUE ORDER BY cols",
    );
    expect(indexes).toEqual([
      { non_unique: '1', cols: 'a,b' },
      { non_unique: '0', cols: 'code' },
      { non_unique: '0', cols: 'id' },
    ]);
  } finally {
    await reader.close();
    await writer.close();
  }
}, 120_000);
