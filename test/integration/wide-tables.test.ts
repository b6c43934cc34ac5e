/**
 * Wide tables through the whole workflow on a real Temporal dev server, with every validation tier: PostgreSQL's
 * limit of 1,600 columns (PostgreSQL→PostgreSQL), and 1,000 columns both ways between PostgreSQL and MariaDB (InnoDB
 * keeps at most 1,017). Values differ per row and column, a few are NULL, and one row's text column holds 2 MB.
 */
import pg from 'pg';
import mysql from 'mysql2/promise';
import { QUERY_DEADLINE_MS } from '../../lib/migration';
import { startUpdate, statusQuery } from '../../workflows/migration';
import { compareDatabases } from '../helpers/compare';
import type { TempDatabase } from '../helpers/databases';
import { largestPayload } from '../helpers/many-tables';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration } from '../helpers/temporal';

const suite = migrationSuite();

const ROWS = 40;

/**
 * Column i, in a cycle of eight small types: a row must fit in one 8 kB page in both databases (PostgreSQL's heap
 * tuple, InnoDB's row-size check at CREATE TABLE counts each column's widest value).
 */
const TYPES = ['integer', 'boolean', 'smallint', 'varchar(8)', 'smallint', 'boolean', 'numeric(8,3)', 'date'] as const;

function columnType(i: number): string {
  return TYPES[i % TYPES.length] as string;
}

function valueSql(i: number, row: number): string {
  if ((row + i) % 17 === 0) return 'NULL';
  switch (TYPES[i % TYPES.length]) {
    case 'integer':
      return String(row * 100_000 + i);
    case 'smallint':
      return String((row * 100 + i) % 32_000);
    case 'boolean':
      return (row + i) % 2 === 0 ? 'true' : 'false';
    case 'varchar(8)':
      return `'r${row}c${i}'`;
    case 'numeric(8,3)':
      return `${row}.${String(i % 1000).padStart(3, '0')}`;
    default:
      return `'2024-01-${String((row % 28) + 1).padStart(2, '0')}'`;
  }
}

async function wideSource(dialect: 'postgresql' | 'mysql', columns: number): Promise<TempDatabase> {
  const db = await suite.database(dialect);
  const defs = Array.from({ length: columns - 2 }, (_, i) => `c${i} ${columnType(i)}`);
  const create = `CREATE TABLE wide (id integer PRIMARY KEY, big ${dialect === 'postgresql' ? 'text' : 'longtext'}, ${defs.join(', ')})`;
  const inserts = Array.from({ length: ROWS }, (_, r) => {
    const big = r === 7 ? `'${'x'.repeat(2 * 1024 * 1024)}'` : `'row ${r}'`;
    return `INSERT INTO wide VALUES (${r + 1}, ${big}, ${Array.from({ length: columns - 2 }, (_, i) => valueSql(i, r + 1)).join(', ')})`;
  });
  if (dialect === 'postgresql') {
    const client = new pg.Client({ connectionString: db.endpoint.connectionString });
    await client.connect();
    try {
      await client.query(create);
      for (const s of inserts) await client.query(s);
    } finally {
      await client.end();
    }
  } else {
    const conn = await mysql.createConnection(db.endpoint.connectionString);
    try {
      await conn.query(`${create} ROW_FORMAT=DYNAMIC`);
      for (const s of inserts) await conn.query(s);
    } finally {
      await conn.end();
    }
  }
  return db;
}

test.each([
  ['postgresql', 'postgresql', 1600],
  ['postgresql', 'mysql', 1000],
  ['mysql', 'postgresql', 1000],
] as const)('%s → %s, %i columns: every value, every tier passes, a certificate', async (from, to, columns) => {
  const source = await wideSource(from, columns);
  const target = await suite.database(to);
  const handle = await startMigration(suite.harness, source.endpoint, target.endpoint, 'aggressive', { chunk_size: 10 });
  await handle.executeUpdate(startUpdate);
  // Polled as the API polls it: every status query answers within the API's deadline.
  let slowest = 0;
  let status = await handle.query(statusQuery);
  for (const deadline = Date.now() + 300_000; !isOver(status) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    const asked = Date.now();
    status = await handle.query(statusQuery);
    slowest = Math.max(slowest, Date.now() - asked);
  }
  expect(slowest).toBeLessThan(QUERY_DEADLINE_MS);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.certificate?.certificate_id).toMatch(/^cert_/);
  const [compared] = await compareDatabases(source.endpoint, target.endpoint);
  expect(compared).toMatchObject({ table: 'wide', sourceRows: ROWS, targetRows: ROWS });
  expect(compared?.targetChecksum).toBe(compared?.sourceChecksum);
  // Bounded: no payload in the history near Temporal's limits (a table plan of 1,600 columns goes by the claim check),
  // and a few events per chunk.
  const history = await suite.harness.client.workflow.getHandle(handle.workflowId).fetchHistory();
  expect(largestPayload(history)).toBeLessThan(256 * 1024);
  expect(history.events?.length ?? 0).toBeLessThan(400);
}, 400_000);
