/**
 * The five validation tiers and the certificate on a real Temporal dev server: clean Chinook migrations
 * get a certificate that verifies offline; single corruptions of the target, followed by a re-run of
 * validation, fail the tier that should catch them and name the row.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Endpoint } from '../../connectors/types';
import { certificateText, verifyCertificateText } from '../../lib/certificate';
import type { MigrationOptions, ValidationReport } from '../../lib/migration';
import { certificateQuery, revalidateUpdate, startUpdate, validationQuery } from '../../workflows/migration';
import { createTempDatabase, loadChinook } from '../helpers/databases';
import { createTestEnv, isOver, startHarness, startMigration, tempDataDir, waitForStatus, type MigrationHarness } from '../helpers/temporal';

const CHINOOK = path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite');
const HOLD: MigrationOptions = { auto_approve_high_confidence: true, validation: { completed_hold_seconds: 600, failed_hold_seconds: 600 } };

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let dir: string;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  dir = tempDataDir();
  process.env.SENSEI_DATA_DIR = dir;
});

afterAll(async () => {
  await h?.close();
  await env?.teardown();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function sqlitePair(): { source: Endpoint; target: Endpoint } {
  n += 1;
  const sourceFile = path.join(dir, `source-${n}.sqlite`);
  fs.copyFileSync(CHINOOK, sourceFile);
  return { source: { type: 'sqlite', connectionString: sourceFile }, target: { type: 'sqlite', connectionString: path.join(dir, `target-${n}.sqlite`) } };
}

async function migrateClean(source: Endpoint, target: Endpoint, options: MigrationOptions = HOLD) {
  const handle = await startMigration(h, source, target, 'aggressive', options);
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, (s) => s.status === 'completed' && s.certificate !== null, 120_000);
  return { handle, status };
}

test('a clean SQLite → SQLite Chinook migration passes all five tiers and gets a certificate that verifies', async () => {
  const { source, target } = sqlitePair();
  const { handle, status } = await migrateClean(source, target);
  expect(status.validation?.status).toBe('passed');
  expect(Object.values(status.validation?.tiers ?? {}).map((t) => t.verdict)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed']);
  expect(status.phases.find((p) => p.name === 'certification')?.status).toBe('completed');

  const cert = await handle.query(certificateQuery);
  expect(cert).not.toBeNull();
  const text = certificateText(cert!);
  expect(status.certificate?.certificate_id).toBe(cert!.certificate_id);
  expect(cert!.tables).toHaveLength(11);
  expect(cert!.tables.reduce((s, t) => s + t.source_rows, 0)).toBe(15607);
  for (const t of cert!.tables) expect(t.target_content_sha256).toBe(t.source_content_sha256);
  expect(text).not.toContain(source.connectionString.slice(0, 0) + 'sealed:');
  const verified = verifyCertificateText(text);
  expect(verified.problems).toEqual([]);
  expect(verified.valid).toBe(true);

  // One altered byte anywhere fails verification.
  const i = text.indexOf('"source_rows":') + '"source_rows":'.length;
  const altered = text.slice(0, i) + String((Number(text[i]) + 1) % 10) + text.slice(i + 1);
  expect(verifyCertificateText(altered).valid).toBe(false);

  const report = (await handle.query(validationQuery)) as ValidationReport;
  expect(report.results.behavioral?.queries?.length).toBeGreaterThan(30);
  expect(report.results.behavioral?.queries?.every((q) => q.outcome === 'equal')).toBe(true);
  await handle.terminate('test over');
});

interface Corruption {
  name: string;
  sql: string[];
  tier: 'structural' | 'statistical' | 'referential' | 'semantic' | 'behavioral';
  check: string;
  table: string;
  key?: Record<string, string>;
}

const CORRUPTIONS: Corruption[] = [
  { name: 'one changed value', sql: [`UPDATE "Track" SET "Name" = 'Corrupted' WHERE "TrackId" = 42`], tier: 'semantic', check: 'row_changed', table: 'Track', key: { TrackId: '42' } },
  { name: 'one deleted row', sql: [`DELETE FROM "InvoiceLine" WHERE "InvoiceLineId" = 7`], tier: 'semantic', check: 'row_missing', table: 'InvoiceLine', key: { InvoiceLineId: '7' } },
  { name: 'one extra row', sql: [`INSERT INTO "Genre" ("GenreId", "Name") VALUES (99, 'Extra')`], tier: 'semantic', check: 'row_extra', table: 'Genre', key: { GenreId: '99' } },
  { name: 'one orphaned child', sql: [`UPDATE "Track" SET "GenreId" = 999 WHERE "TrackId" = 5`], tier: 'referential', check: 'orphaned_foreign_key', table: 'Track', key: { TrackId: '5' } },
  { name: 'one dropped index', sql: [`DROP INDEX "IFK_TrackGenreId"`], tier: 'structural', check: 'missing_index', table: 'Track' },
  { name: 'one changed time zone', sql: [`UPDATE "Invoice" SET "InvoiceDate" = datetime("InvoiceDate", '+5 hours') WHERE "InvoiceId" = 1`], tier: 'semantic', check: 'row_changed', table: 'Invoice', key: { InvoiceId: '1' } },
];

test.each(CORRUPTIONS)('$name in the target fails the $tier tier on re-run and names it', async (c) => {
  const { source, target } = sqlitePair();
  const { handle } = await migrateClean(source, target);
  const db = new Database(target.connectionString);
  db.pragma('foreign_keys = OFF');
  for (const sql of c.sql) db.exec(sql);
  db.close();

  await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test', reason: c.name }] });
  const failed = await waitForStatus(handle, (s) => s.status === 'failed' && s.validation?.attempt === 2, 120_000).catch(async () => {
    throw new Error(JSON.stringify(await handle.query(validationQuery)));
  });
  expect(failed.failure?.code).toBe('ValidationFailed');
  expect(failed.certificate).toBeNull();
  const report = (await handle.query(validationQuery)) as ValidationReport;
  const result = report.results[c.tier];
  expect(result?.verdict).toBe('failed');
  const finding = result?.findings.find((f) => f.check === c.check && f.table === c.table);
  expect(finding).toBeDefined();
  if (c.key) expect(finding?.key).toEqual(c.key);
  // Exactly one tier is named as having caught it; the others that noticed are listed after it.
  expect(report.diagnosis?.caught_by).toBe(c.tier);
  expect(report.diagnosis?.also_failed).not.toContain(c.tier);
  expect(failed.failure?.message).toMatch(new RegExp(`^caught by the ${c.tier} tier: `));
  expect(failed.failure?.message).toContain(result?.findings[0]?.message);
  const verdicts = Object.fromEntries(Object.entries(report.tiers).map(([k, v]) => [k, v.verdict]));
  console.info(`${c.name}: ${JSON.stringify(verdicts)} — ${failed.failure?.message.slice(0, 300)}`);
  expect(await handle.query(certificateQuery)).toBeNull();
  await handle.terminate('test over');
});

test('user queries through the workflow: a plain one compares equal; one that writes, one that drops on the target and one past the row cap fail the behavioral tier by name, and both databases are untouched', async () => {
  const { source, target } = sqlitePair();
  const queries = [
    { name: 'tracks', sql: 'select count(*) from "Track"' },
    { name: 'hostile', sql: 'delete from "Track" returning "TrackId"' },
    { name: 'drops on the target', sql: 'select 1', target_sql: 'drop table "Track"' },
    { name: 'too many rows', sql: 'select "TrackId" from "Track"' },
  ];
  const options: MigrationOptions = { ...HOLD, validation: { ...HOLD.validation, queries, max_query_rows: 1000 } };
  const handle = await startMigration(h, source, target, 'aggressive', options);
  await handle.executeUpdate(startUpdate);
  const failed = await waitForStatus(handle, (s) => s.status === 'failed', 120_000);
  expect(failed.failure?.code).toBe('ValidationFailed');
  const report = (await handle.query(validationQuery)) as ValidationReport;
  expect(report.diagnosis?.caught_by).toBe('behavioral');
  const user = Object.fromEntries((report.results.behavioral?.queries ?? []).filter((q) => q.origin === 'user').map((q) => [q.name, q]));
  expect(user.tracks).toMatchObject({ outcome: 'equal', source_rows: 1, target_rows: 1 });
  expect(user.hostile).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^on the source: refused: .*; on the target: refused: /) });
  expect(user['drops on the target']).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^on the target: refused: only a query may run .* not DROP/) });
  expect(user['too many rows']).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/returned more than 1000 rows/) });
  // Every other tier passed: the copy is intact on both sides.
  expect(Object.entries(report.tiers).filter(([, t]) => t.verdict !== 'passed').map(([name]) => name)).toEqual(['behavioral']);
  for (const file of [source.connectionString, target.connectionString]) {
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM "Track"').get()).toEqual({ n: 3503 });
    db.close();
  }
  await handle.terminate('test over');
});

/** Every kind of value the tiers normalise, with the awkward ones: JSON key order, CHAR padding, '' against NULL, zones. */
const ZOO_SQL = [
  `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
  `CREATE TABLE parent (id int PRIMARY KEY, name text NOT NULL)`,
  `CREATE TABLE zoo (
     id bigint PRIMARY KEY, parent_id int REFERENCES parent (id), small smallint, big bigint, dec numeric(20,6), free numeric,
     r real, d double precision, flag boolean, c char(10), v varchar(50), t text, j jsonb, js json, u uuid, b bytea,
     dt date, tm time, ts timestamp(6), tz timestamptz, m mood)`,
  `CREATE INDEX zoo_parent ON zoo (parent_id)`,
  `CREATE UNIQUE INDEX zoo_v ON zoo (v)`,
  `INSERT INTO parent VALUES (1, 'one'), (2, 'two')`,
  `INSERT INTO zoo SELECT g, 1 + g % 2, (g % 30000)::smallint, g::bigint * 1000000007, g * 1.123456, g / 7.0, g / 3.0, g::float8 / 3,
     g % 2 = 0, 'c' || g, 'v' || g, E'tab\\there\\nline ' || g || ' héllo ✓', ('{"b": ' || g || ', "a": [1, 2, {"z": 1, "y": 2}]}')::jsonb,
     ('{"b": ' || g || ', "a": 1}')::json, md5(g::text)::uuid, decode(md5(g::text), 'hex'), date '2020-01-01' + g,
     time '10:00:00' + g * interval '1 second', timestamp '2020-01-01 00:00:00.123456' + g * interval '1 minute',
     timestamptz '2020-06-01 12:00:00+05' + g * interval '1 hour', (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood
   FROM generate_series(1, 3000) g`,
  `INSERT INTO zoo (id, v, t, c) VALUES (5000, 'empty', '', ''), (5001, 'nulls', NULL, NULL), (5002, 'backslash', E'a\\\\b\\\\N', 'pad  ')`,
];

describe('PostgreSQL → MariaDB', () => {
  let pg: Awaited<ReturnType<typeof createTempDatabase>>;
  let my: Awaited<ReturnType<typeof createTempDatabase>>;
  const zooDatabases: Awaited<ReturnType<typeof createTempDatabase>>[] = [];
  beforeAll(async () => {
    pg = await createTempDatabase('postgresql');
    my = await createTempDatabase('mysql');
    await loadChinook('postgresql', pg.endpoint);
  });
  afterAll(async () => {
    // The worker's connector pool holds connections to these databases: stop it before dropping them.
    await h?.close();
    await pg?.drop();
    await my?.drop();
    await Promise.allSettled(zooDatabases.map((d) => d.drop()));
  });

  test('a table of every type the tiers normalise is certified on each hop: PostgreSQL → MariaDB → PostgreSQL', async () => {
    const hops = await Promise.all((['postgresql', 'mysql', 'postgresql'] as const).map((d) => createTempDatabase(d)));
    zooDatabases.push(...hops);
    const c = new Client({ connectionString: hops[0].endpoint.connectionString });
    await c.connect();
    for (const sql of ZOO_SQL) await c.query(sql);
    await c.end();
    for (const [from, to] of [[hops[0], hops[1]], [hops[1], hops[2]]]) {
      const handle = await startMigration(h, from.endpoint, to.endpoint, 'aggressive', { auto_approve_high_confidence: true, validation: { failed_hold_seconds: 600 } });
      await handle.executeUpdate(startUpdate);
      const status = await waitForStatus(handle, isOver, 120_000);
      const report = (await handle.query(validationQuery)) as ValidationReport | null;
      const findings = Object.values(report?.results ?? {}).flatMap((r) => r.findings.map((f) => `${r.tier}: ${f.message}`));
      expect({ hop: `${from.endpoint.type} → ${to.endpoint.type}`, status: status.status, failure: status.failure, findings }).toEqual({
        hop: `${from.endpoint.type} → ${to.endpoint.type}`,
        status: 'completed',
        failure: null,
        findings: [],
      });
      const cert = await handle.query(certificateQuery);
      expect(verifyCertificateText(certificateText(cert!)).problems).toEqual([]);
      expect(cert!.tables.find((t) => t.name === 'zoo')).toMatchObject({ source_rows: 3003, target_rows: 3003 });
    }
  });

  test('a clean Chinook migration gets a certificate that verifies', async () => {
    const { handle, status } = await migrateClean(pg.endpoint, my.endpoint, { ...HOLD, validation: { completed_hold_seconds: 0 } }).catch(async (err) => {
      throw err;
    });
    expect(status.validation?.status).toBe('passed');
    const cert = await handle.query(certificateQuery);
    const verified = verifyCertificateText(certificateText(cert!));
    expect(verified.problems).toEqual([]);
    expect(cert!.tables.reduce((s, t) => s + t.target_rows, 0)).toBe(15607);
    expect(isOver(status)).toBe(true);
  });
});
