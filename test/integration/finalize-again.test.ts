/**
 * Indexes are made once however often the finalisation runs (an activity retried, the indexes-then-foreign-keys passes
 * of finalizeTarget): MariaDB describes a UNIQUE index back as a UNIQUE constraint, so the second run took it for
 * missing and failed with "Duplicate key name".
 */
import Database from 'better-sqlite3';
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

test.each([
  ['postgresql', 'sqlite'],
  ['sqlite', 'postgresql'],
] as [TestDialect, TestDialect][])('%s → %s: partial indexes on the same columns, finalised twice, each made once', async (from, to) => {
  const source = await database(from);
  const ddl = [
    'CREATE TABLE job (id int PRIMARY KEY, owner int NOT NULL, state varchar(10) NOT NULL)',
    "CREATE INDEX job_open ON job (owner) WHERE state = 'open'",
    "CREATE INDEX job_closed ON job (owner) WHERE state = 'closed'",
    'CREATE INDEX job_owner ON job (owner)',
  ];
  if (from === 'postgresql') for (const sql of ddl) await pgRows(source.endpoint, sql);
  else {
    const db = new Database(source.endpoint.connectionString);
    db.exec(ddl.join(';\n'));
    db.close();
  }
  const target = await database(to);
  const [reader, writer] = [await createConnector(source.endpoint), await createConnector(target.endpoint, { role: 'target' })];
  try {
    const plan = planMigration(await reader.introspect(), to, { targetSchema: writer.schema });
    const [table] = plan.tables;
    expect(table.source.indexes.map((i) => [i.name, i.where ?? null])).toEqual([
      ['job_owner', null],
      ['job_closed', expect.stringMatching(/"state"\)? = 'closed'/)],
      ['job_open', expect.stringMatching(/"state"\)? = 'open'/)],
    ]);
    await writer.ensureSchema();
    await writer.createTable(table, { replace: false });
    // The first run stops after one partial index (a retried activity): the second makes the other, and only it.
    await writer.createIndexesAndForeignKeys({ ...table, source: { ...table.source, indexes: table.source.indexes.slice(0, 2) } });
    await writer.createIndexesAndForeignKeys(table);
    await writer.createIndexesAndForeignKeys(table);
    const made =
      to === 'sqlite'
        ? (() => {
            const db = new Database(target.endpoint.connectionString, { readonly: true });
            try {
              return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'job' AND sql IS NOT NULL ORDER BY name").pluck().all();
            } finally {
              db.close();
            }
          })()
        : (await pgRows(target.endpoint, "SELECT indexname FROM pg_indexes WHERE tablename = 'job' AND indexname <> 'job_pkey' ORDER BY 1")).map((r) => r.indexname);
    expect(made).toEqual(['job_closed', 'job_open', 'job_owner']);
  } finally {
    await reader.close();
    await writer.close();
  }
}, 120_000);
