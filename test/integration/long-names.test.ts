/**
 * Names longer than the target keeps, through the whole workflow on a real Temporal dev server: a SQLite source (no
 * name limit) whose tables, columns, index and foreign key have names past PostgreSQL's 63 bytes and MariaDB's 64
 * characters. The target gets shortened names (deterministic; said in the plan's notes), every row, a passing
 * validation and a certificate; nothing is truncated by the server into a collision.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { dialectNamed } from '../../connectors/dialects';
import type { Endpoint } from '../../connectors/types';
import { fitName } from '../../lib/identifiers';
import { startUpdate } from '../../workflows/migration';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const prefix = 'quarterly_revenue_by_region_and_product_category_for_the_board_';
const parent = `${prefix}regions`;
const child = `${prefix}figures`;
const longColumn = `${prefix}amount_in_euro_cents`;
const otherLongColumn = `${prefix}amount_in_dollar_cents`;
const multiByte = 'größe_'.repeat(12);

const suite = migrationSuite();
let source: Endpoint;

beforeAll(async () => {
  const file = path.join(suite.dir, 'long.sqlite');
  const db = new Database(file);
  db.exec(`CREATE TABLE "${parent}" (id INTEGER PRIMARY KEY, "${multiByte}" TEXT NOT NULL)`);
  db.exec(
    `CREATE TABLE "${child}" (id INTEGER PRIMARY KEY, region_id INTEGER NOT NULL REFERENCES "${parent}" (id), ` +
      `"${longColumn}" INTEGER, "${otherLongColumn}" INTEGER)`,
  );
  db.exec(`CREATE INDEX "${prefix}index_on_amount" ON "${child}" ("${longColumn}", "${otherLongColumn}")`);
  const insertParent = db.prepare(`INSERT INTO "${parent}" VALUES (?, ?)`);
  for (let i = 1; i <= 5; i++) insertParent.run(i, `region ${i}`);
  const insertChild = db.prepare(`INSERT INTO "${child}" VALUES (?, ?, ?, ?)`);
  for (let i = 1; i <= 500; i++) insertChild.run(i, (i % 5) + 1, i * 100, i * 110);
  db.close();
  source = { type: 'sqlite', connectionString: file };
});

test.each(['postgresql', 'mysql'] as const)('into %s: shortened names, every row, validated and certified', async (dialect) => {
  const targetDb = await suite.database(dialect);
  const handle = await startMigration(suite.harness, source, targetDb.endpoint, 'aggressive', { chunk_size: 100 });
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver, 120_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.certificate?.certificate_id).toMatch(/^cert_/);
  expect(status.progress.rows_copied).toBe(505);

  if (dialect !== 'postgresql') return;
  const rules = dialectNamed('postgresql').identifiers;
  const client = new pg.Client({ connectionString: targetDb.endpoint.connectionString });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    const byTable = new Map<string, string[]>();
    for (const r of columns.rows as { table_name: string; column_name: string }[]) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);
    expect(byTable.get(fitName(child, rules))).toEqual(['id', 'region_id', fitName(longColumn, rules), fitName(otherLongColumn, rules)]);
    expect(byTable.get(fitName(parent, rules))).toEqual(['id', fitName(multiByte, rules)]);
    const sum = await client.query(`SELECT sum("${fitName(longColumn, rules)}")::int AS a, sum("${fitName(otherLongColumn, rules)}")::int AS b FROM "${fitName(child, rules)}"`);
    expect(sum.rows).toEqual([{ a: 100 * 250 * 501, b: 110 * 250 * 501 }]);
    const fks = await client.query(`SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`);
    expect(fks.rows).toEqual([{ n: 1 }]);
  } finally {
    await client.end();
  }
});
