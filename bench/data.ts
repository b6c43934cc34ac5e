/**
 * The benchmark's databases and its synthetic table, generated inside each server (no rows cross Node):
 * bench_rows(id bigint key, name varchar(64), amount numeric(12,2), created_at timestamp(6), active boolean, note text).
 * PostgreSQL and MariaDB hold the same values, so every pair copies the same data.
 */
import mysql from 'mysql2/promise';
import { Client } from 'pg';

export const PG_URL = process.env.SENSEI_BENCH_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432';
export const MYSQL_URL = process.env.SENSEI_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export const TABLE = 'bench_rows';
/** Source databases (one per server) and the targets each contender loads into. */
export const DB = { source: 'sensei_bench_src', sensei: 'sensei_bench_sensei', peer: 'sensei_bench_peer' } as const;

export const pgUrl = (db: string) => `${PG_URL}/${db}`;
export const mysqlUrl = (db: string) => `${MYSQL_URL}/${db}`;

export async function withPg<T>(db: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: pgUrl(db) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function withMysql<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const conn = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: false });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** Drops and creates an empty PostgreSQL database. */
export async function freshPgDatabase(db: string): Promise<void> {
  await withPg('postgres', async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${db}`);
  });
}

export async function freshMysqlDatabase(db: string): Promise<void> {
  await withMysql(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await c.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4`);
  });
}

export const PG_DDL = `CREATE TABLE ${TABLE} (
  id bigint PRIMARY KEY, name varchar(64) NOT NULL, amount numeric(12,2) NOT NULL,
  created_at timestamp(6) NOT NULL, active boolean NOT NULL, note text)`;

export const MYSQL_DDL = `CREATE TABLE ${TABLE} (
  id bigint PRIMARY KEY, name varchar(64) NOT NULL, amount decimal(12,2) NOT NULL,
  created_at datetime(6) NOT NULL, active tinyint(1) NOT NULL, note text) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/** Builds the source table with `rows` rows in both servers (skipped when it already holds exactly that many). */
export async function buildSources(rows: number, servers: { pg: boolean; mysql: boolean }): Promise<{ pgMs: number; mysqlMs: number }> {
  let pgMs = 0;
  let mysqlMs = 0;
  if (servers.pg) {
    const started = Date.now();
    const have = await withPg('postgres', async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB.source])).rowCount);
    const count = have ? await withPg(DB.source, (c) => c.query(`SELECT count(*)::int AS n FROM ${TABLE}`).then((r) => r.rows[0].n as number, () => -1)) : -1;
    if (count !== rows) {
      await freshPgDatabase(DB.source);
      await withPg(DB.source, async (c) => {
        await c.query(PG_DDL);
        // Same expressions as the MariaDB side below: equal values on both servers.
        await c.query(
          `INSERT INTO ${TABLE}
           SELECT g, 'customer-' || g, ((g * 7919) % 10000000) / 100.0,
                  timestamp '2020-01-01 00:00:00' + (g * 1000001) * interval '1 microsecond',
                  g % 3 = 0, CASE WHEN g % 10 = 0 THEN NULL ELSE md5(g::text) || ' note ' || (g % 977) END
             FROM generate_series(1, $1::bigint) g`,
          [rows],
        );
        await c.query(`VACUUM ANALYZE ${TABLE}`);
      });
    }
    pgMs = Date.now() - started;
  }
  if (servers.mysql) {
    const started = Date.now();
    const count = await withMysql((c) =>
      c.query(`SELECT COUNT(*) AS n FROM \`${DB.source}\`.${TABLE}`).then(([r]) => Number((r as { n: number }[])[0].n), () => -1),
    );
    if (count !== rows) {
      await freshMysqlDatabase(DB.source);
      await withMysql(async (c) => {
        await c.query(`USE \`${DB.source}\``);
        await c.query(MYSQL_DDL);
        // MariaDB's SEQUENCE engine (seq_1_to_N) generates the keys server-side.
        await c.query(
          `INSERT INTO ${TABLE}
           SELECT seq, CONCAT('customer-', seq), ((seq * 7919) % 10000000) / 100.0,
                  TIMESTAMPADD(MICROSECOND, seq * 1000001, '2020-01-01 00:00:00'),
                  seq % 3 = 0, CASE WHEN seq % 10 = 0 THEN NULL ELSE CONCAT(MD5(seq), ' note ', seq % 977) END
             FROM seq_1_to_${Math.floor(rows)}`,
        );
      });
    }
    mysqlMs = Date.now() - started;
  }
  return { pgMs, mysqlMs };
}
