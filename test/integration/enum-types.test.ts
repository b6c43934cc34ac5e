/**
 * A MariaDB enum column becomes a PostgreSQL enum type named after its table and column. When the target schema
 * already has a type of that name with other labels, replacing may drop the migration's own target table and that
 * type, never a column of any other table (a DROP TYPE … CASCADE once did).
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createConnector } from '../../connectors/registry';
import { ConnectorError, type Connector } from '../../connectors/types';
import { planMigration } from '../../lib/mapping';
import type { TablePlan } from '../../lib/types';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';

let source: TempDatabase;
let target: TempDatabase;
let connector: Connector;
let plan: TablePlan;

async function onTarget<T>(sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: target.endpoint.connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  source = await createTempDatabase('mysql');
  target = await createTempDatabase('postgresql');
  const conn = await mysql.createConnection(source.endpoint.connectionString);
  await conn.query("CREATE TABLE t (id INT PRIMARY KEY, status ENUM('a', 'b') NOT NULL)");
  await conn.end();
  const reader = await createConnector(source.endpoint);
  try {
    plan = planMigration(await reader.introspect({ tables: ['t'] }), 'postgresql', { targetSchema: 'public' }).tables[0] as TablePlan;
  } finally {
    await reader.close();
  }
  connector = await createConnector(target.endpoint, { role: 'target' });
});

afterAll(async () => {
  await connector?.close();
  await source?.drop();
  await target?.drop();
});

test('a type of that name used by another table is refused, naming the table, and that table keeps its column and rows', async () => {
  expect(plan.columns.find((c) => c.column === 'status')?.targetType).toBe('t_status');
  await onTarget("CREATE TYPE t_status AS ENUM ('x', 'y'); CREATE TABLE other (id int, s t_status); INSERT INTO other VALUES (1, 'y')");
  const refused = await connector.createTable(plan, { replace: true }).then(
    () => null,
    (err: unknown) => err,
  );
  expect(refused).toBeInstanceOf(ConnectorError);
  expect((refused as ConnectorError).message).toMatch(/enum type public\.t_status .* is used by other; it is not dropped/);
  expect(await onTarget('SELECT id, s::text AS s FROM other')).toEqual([{ id: 1, s: 'y' }]);
  await onTarget('DROP TABLE other');
});

test("a type used only by the migration's own target table is replaced with the source's labels", async () => {
  await onTarget("CREATE TABLE t (id int PRIMARY KEY, status t_status NOT NULL); INSERT INTO t VALUES (1, 'x')");
  await connector.createTable(plan, { replace: true });
  const labels = await onTarget<{ l: string }>("SELECT enumlabel AS l FROM pg_enum WHERE enumtypid = 'public.t_status'::regtype ORDER BY enumsortorder");
  expect(labels.map((r) => r.l)).toEqual(['a', 'b']);
  expect(await onTarget('SELECT COUNT(*)::int AS n FROM t')).toEqual([{ n: 0 }]);
});
