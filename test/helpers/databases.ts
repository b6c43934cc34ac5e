/**
 * Real, disposable databases for integration and end-to-end tests.
 *
 *   const db = await createTempDatabase('postgresql');   // empty database sensei_t_<random>
 *   await loadChinook('postgresql', db.endpoint);         // optional: the Chinook sample (11 tables)
 *   …
 *   await db.drop();
 *
 * Servers come from SENSEI_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres) and
 * SENSEI_TEST_MYSQL_URL (default mysql://root@127.0.0.1:3306/); SQLite files live in a fresh temp dir.
 * Dialects under test: SENSEI_TEST_DIALECTS (default "postgresql,mysql,sqlite").
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import type { Endpoint } from '../../connectors/types';

export type TestDialect = 'postgresql' | 'mysql' | 'sqlite';

export const PG_ADMIN_URL = process.env.SENSEI_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN_URL = process.env.SENSEI_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'chinook');

/** Dialects named by SENSEI_TEST_DIALECTS, in the order given. */
export function testDialects(): TestDialect[] {
  const raw = process.env.SENSEI_TEST_DIALECTS ?? 'postgresql,mysql,sqlite';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is TestDialect => s === 'postgresql' || s === 'mysql' || s === 'sqlite');
}

export interface TempDatabase {
  /** Connection for the connectors (PostgreSQL schema `public`, MySQL database = the temp name, SQLite `main`). */
  endpoint: Endpoint;
  /** sensei_t_<random>; for SQLite the file name without extension. */
  name: string;
  /** Drops the database (or removes the SQLite directory). Safe to call twice. */
  drop(): Promise<void>;
}

export function uniqueName(prefix = 'sensei_t_'): string {
  return prefix + randomBytes(6).toString('hex');
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}

/** An empty database with a unique name on this machine's server for `dialect`. */
export async function createTempDatabase(dialect: TestDialect): Promise<TempDatabase> {
  const name = uniqueName();
  if (dialect === 'postgresql') {
    await withPgAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    return {
      name,
      endpoint: { type: 'postgresql', connectionString: withDatabase(PG_ADMIN_URL, name), schema: 'public' },
      drop: async () => {
        await withPgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      },
    };
  }
  if (dialect === 'mysql') {
    await withMysqlAdmin((c) => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`));
    return {
      name,
      endpoint: { type: 'mysql', connectionString: withDatabase(MYSQL_ADMIN_URL, name), schema: name },
      drop: async () => {
        await withMysqlAdmin((c) => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'sensei-test-'));
  return {
    name,
    endpoint: { type: 'sqlite', connectionString: join(dir, `${name}.sqlite`), schema: 'main' },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function withPgAdmin<T>(fn: (client: Client) => Promise<T>, url = PG_ADMIN_URL): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function withMysqlAdmin<T>(fn: (conn: mysql.Connection) => Promise<T>, database?: string): Promise<T> {
  const u = new URL(MYSQL_ADMIN_URL);
  const conn = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database,
    multipleStatements: true,
    charset: 'utf8mb4',
  });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** The fixture script without the lines that would leave the temp database (DROP/CREATE DATABASE, \c, USE). */
export function chinookScript(dialect: 'postgresql' | 'mysql'): string {
  const file = dialect === 'postgresql' ? 'Chinook_PostgreSql.sql' : 'Chinook_MySql.sql';
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*(DROP DATABASE|CREATE DATABASE|\\c\b|USE\s)/i.test(line))
    .join('\n');
}

/**
 * Loads Chinook into an (empty) temp database: PostgreSQL tables are snake_case (album, playlist_track),
 * MySQL and SQLite PascalCase (Album, PlaylistTrack).
 */
export async function loadChinook(dialect: TestDialect, endpoint: Endpoint): Promise<void> {
  if (dialect === 'postgresql') {
    // No parameters: pg uses the simple query protocol, which runs many statements in one round trip.
    await withPgAdmin((c) => c.query(chinookScript('postgresql')), endpoint.connectionString);
  } else if (dialect === 'mysql') {
    await withMysqlAdmin((c) => c.query(chinookScript('mysql')), endpoint.schema);
  } else {
    copyFileSync(join(FIXTURES, 'Chinook_Sqlite.sqlite'), endpoint.connectionString);
  }
}

/**
 * Rows of one MariaDB/MySQL query as the test's own reading of a database (not Sensei's): dates as written, big
 * numbers and decimals as exact strings.
 */
export async function mariadbRows(endpoint: Endpoint, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const conn = await mysql.createConnection({ uri: endpoint.connectionString, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  try {
    const [rows] = await conn.query(sql, params);
    return rows as Record<string, unknown>[];
  } finally {
    await conn.end();
  }
}

/** The test's own read of a PostgreSQL database (never through Sensei's connectors). */
export async function pgRows(endpoint: Endpoint, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: endpoint.connectionString });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
