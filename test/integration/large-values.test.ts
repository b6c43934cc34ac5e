/**
 * Values of many megabytes and a table without a primary key, through the whole workflow on a real Temporal dev
 * server, PostgreSQL → MariaDB and MariaDB → PostgreSQL: a 12 MB text, a 10 MB binary value, and a keyless table of
 * 30,000 rows where many rows appear twice or three times (a keyless table is a multiset: duplicates must arrive as
 * often as they are in the source) and a few rows carry 3 MB each. The comparison is the test's own SQL on each side
 * (digests computed by the databases), not Sensei's readers.
 */
import mysql from 'mysql2/promise';
import { startUpdate } from '../../workflows/migration';
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite();

const MB = 1024 * 1024;
const LOG_ROWS = 30_000;

/** `docs` by id: digests of both large columns (hex, lower case) and their lengths in bytes. */
const PG_DOCS = `SELECT id, md5(body) AS body, octet_length(body) AS body_bytes, md5(data) AS data, octet_length(data) AS data_bytes FROM docs ORDER BY id`;
const MY_DOCS = `SELECT id, MD5(body) AS body, OCTET_LENGTH(body) AS body_bytes, MD5(data) AS data, OCTET_LENGTH(data) AS data_bytes FROM docs ORDER BY id`;
/** `log_lines` as a multiset: each distinct row's digest with how often it occurs. */
const PG_LOG = `SELECT md5(batch::text || '|' || coalesce(level, '~') || '|' || coalesce(message, '~') || '|' || coalesce(md5(payload), '~')) AS h, count(*)::int AS n
                  FROM log_lines GROUP BY 1 ORDER BY 1`;
const MY_LOG = `SELECT MD5(CONCAT(batch, '|', COALESCE(level, '~'), '|', COALESCE(message, '~'), '|', COALESCE(MD5(payload), '~'))) AS h, CAST(COUNT(*) AS SIGNED) AS n
                  FROM log_lines GROUP BY 1 ORDER BY 1`;

type Doc = { id: number; body: string | null; body_bytes: number | null; data: string | null; data_bytes: number | null };
type LogGroup = { h: string; n: number };

const normalDocs = (rows: Record<string, unknown>[]): Doc[] =>
  rows.map((r) => ({
    id: Number(r.id),
    body: r.body === null ? null : String(r.body),
    body_bytes: r.body_bytes === null ? null : Number(r.body_bytes),
    data: r.data === null ? null : String(r.data),
    data_bytes: r.data_bytes === null ? null : Number(r.data_bytes),
  }));
const normalLog = (rows: Record<string, unknown>[]): LogGroup[] => rows.map((r) => ({ h: String(r.h), n: Number(r.n) }));

async function migrate(source: { endpoint: Parameters<typeof startMigration>[1] }, target: { endpoint: Parameters<typeof startMigration>[2] }) {
  const handle = await startMigration(suite.harness, source.endpoint, target.endpoint, 'balanced', { auto_approve_high_confidence: true });
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver, 600_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  return status;
}

test('PostgreSQL → MariaDB: a 12 MB text, a 10 MB bytea and a keyless table with duplicate rows arrive whole', async () => {
  const source = await suite.database('postgresql');
  await pgRows(
    source.endpoint,
    `CREATE TABLE docs (id int PRIMARY KEY, body text, data bytea);
     INSERT INTO docs SELECT 1, string_agg(md5(g::text) || 'é', ''), NULL FROM generate_series(1, ${Math.floor((12 * MB) / 34)}) g;
     INSERT INTO docs SELECT 2, NULL, decode(string_agg(md5(g::text), ''), 'hex') FROM generate_series(1, ${Math.floor((10 * MB) / 16)}) g;
     INSERT INTO docs SELECT g, repeat('x', g), decode(md5(g::text), 'hex') FROM generate_series(3, 200) g;
     CREATE TABLE log_lines (batch int NOT NULL, level text, message text, payload bytea);
     INSERT INTO log_lines SELECT g % 9000, CASE WHEN g % 7 = 0 THEN NULL ELSE 'info' END, 'line ' || (g % 9000), decode(md5((g % 9000)::text), 'hex')
       FROM generate_series(1, ${LOG_ROWS - 4}) g;
     INSERT INTO log_lines SELECT -g, 'big', 'three megabytes', decode(string_agg(md5((g * 1000000 + h)::text), ''), 'hex')
       FROM generate_series(1, 4) g, generate_series(1, ${Math.floor((3 * MB) / 16)}) h GROUP BY g;`,
  );
  const target = await suite.database('mysql');

  const status = await migrate(source, target);
  expect(status.progress).toMatchObject({ tables_total: 2, tables_completed: 2, rows_copied: 200 + LOG_ROWS });

  const sourceDocs = normalDocs(await pgRows(source.endpoint, PG_DOCS));
  expect(sourceDocs[0]?.body_bytes).toBeGreaterThan(11.9 * MB);
  expect(sourceDocs[1]?.data_bytes).toBeGreaterThan(9 * MB);
  expect(normalDocs(await mariadbRows(target.endpoint, MY_DOCS))).toEqual(sourceDocs);

  const sourceLog = normalLog(await pgRows(source.endpoint, PG_LOG));
  expect(sourceLog.some((g) => g.n > 1)).toBe(true);
  expect(sourceLog.reduce((n, g) => n + g.n, 0)).toBe(LOG_ROWS);
  expect(normalLog(await mariadbRows(target.endpoint, MY_LOG))).toEqual(sourceLog);
}, 700_000);

test('MariaDB → PostgreSQL: LONGTEXT and LONGBLOB values of megabytes and a keyless table with duplicate rows arrive whole', async () => {
  const source = await suite.database('mysql');
  const conn = await mysql.createConnection({ uri: source.endpoint.connectionString, multipleStatements: true });
  try {
    await conn.query(`CREATE TABLE docs (id int PRIMARY KEY, body LONGTEXT, data LONGBLOB) CHARACTER SET utf8mb4;
      CREATE TABLE log_lines (batch int NOT NULL, level varchar(10), message varchar(100), payload MEDIUMBLOB);`);
    // Built in the server (REPEAT, the Sequence engine's seq_1_to_n tables), so the test's own packets stay small.
    await conn.query(`INSERT INTO docs VALUES (1, REPEAT(CONCAT(MD5('a'), 'é'), ${Math.floor((12 * MB) / 34)}), NULL)`);
    await conn.query(`INSERT INTO docs VALUES (2, NULL, REPEAT(UNHEX(MD5('b')), ${Math.floor((10 * MB) / 16)}))`);
    await conn.query(`INSERT INTO docs SELECT seq, REPEAT('x', seq), UNHEX(MD5(seq)) FROM seq_3_to_200`);
    await conn.query(`INSERT INTO log_lines SELECT seq % 9000, IF(seq % 7 = 0, NULL, 'info'), CONCAT('line ', seq % 9000), UNHEX(MD5(seq % 9000)) FROM seq_1_to_${LOG_ROWS - 4}`);
    for (let g = 1; g <= 4; g += 1) {
      await conn.query(`INSERT INTO log_lines VALUES (${-g}, 'big', 'three megabytes', REPEAT(UNHEX(MD5(${g})), ${Math.floor((3 * MB) / 16)}))`);
    }
  } finally {
    await conn.end();
  }
  const target = await suite.database('postgresql');

  const status = await migrate(source, target);
  expect(status.progress).toMatchObject({ tables_total: 2, tables_completed: 2, rows_copied: 200 + LOG_ROWS });

  const sourceDocs = normalDocs(await mariadbRows(source.endpoint, MY_DOCS));
  expect(sourceDocs[0]?.body_bytes).toBeGreaterThan(11.9 * MB);
  expect(normalDocs(await pgRows(target.endpoint, PG_DOCS))).toEqual(sourceDocs);

  const sourceLog = normalLog(await mariadbRows(source.endpoint, MY_LOG));
  expect(sourceLog.some((g) => g.n > 1)).toBe(true);
  expect(sourceLog.reduce((n, g) => n + g.n, 0)).toBe(LOG_ROWS);
  expect(normalLog(await pgRows(target.endpoint, PG_LOG))).toEqual(sourceLog);
}, 700_000);
