/**
 * The semantic tier against real PostgreSQL and MariaDB targets, where it digests ranges inside the
 * databases: fresh Chinook migrations MariaDB → PostgreSQL and PostgreSQL → MariaDB pass with equal content
 * hashes on both sides; one changed value, one deleted row and one extra row in the target each fail the
 * semantic tier after a re-run of validation and name the row's key with both values; an orphaned child, a
 * dropped index and a shifted timestamp are each caught by the tier that should (the diagnosis names it).
 */
import fs from 'node:fs';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Endpoint } from '../../connectors/types';
import { certificateText, verifyCertificateText } from '../../lib/certificate';
import type { MigrationOptions, ValidationReport } from '../../lib/migration';
import { certificateQuery, revalidateUpdate, startUpdate, validationQuery } from '../../workflows/migration';
import { createTempDatabase, loadChinook, type TempDatabase } from '../helpers/databases';
import { createTestEnv, startHarness, startMigration, tempDataDir, waitForStatus, type MigrationHarness } from '../helpers/temporal';

const HOLD: MigrationOptions = { auto_approve_high_confidence: true, validation: { completed_hold_seconds: 600, failed_hold_seconds: 600 } };

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let dir: string;
const databases: TempDatabase[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  dir = tempDataDir();
  process.env.SENSEI_DATA_DIR = dir;
});

afterAll(async () => {
  // The worker's connector pool holds connections to these databases: stop it before dropping them.
  await h?.close();
  await env?.teardown();
  await Promise.allSettled(databases.map((d) => d.drop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function database(dialect: 'postgresql' | 'mysql', chinook = false): Promise<Endpoint> {
  const db = await createTempDatabase(dialect);
  databases.push(db);
  if (chinook) await loadChinook(dialect, db.endpoint);
  return db.endpoint;
}

/** Runs the statements in one session that checks no foreign keys (so a test can orphan a row). */
async function corrupt(target: Endpoint, sql: string[]): Promise<void> {
  if (target.type === 'postgresql') {
    const c = new Client({ connectionString: target.connectionString });
    await c.connect();
    await c.query('SET session_replication_role = replica');
    for (const statement of sql) await c.query(statement);
    await c.end();
  } else {
    const c = await mysql.createConnection({ uri: target.connectionString });
    await c.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const statement of sql) await c.query(statement);
    await c.end();
  }
}

async function migrateClean(source: Endpoint, target: Endpoint) {
  const handle = await startMigration(h, source, target, 'aggressive', HOLD);
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, (s) => s.status === 'completed' && s.certificate !== null, 120_000).catch(async (err: unknown) => {
    throw new Error(`${String(err)}: ${JSON.stringify(await handle.query(validationQuery))}`);
  });
  return { handle, status };
}

interface Pair {
  name: string;
  source: 'postgresql' | 'mysql';
  target: 'postgresql' | 'mysql';
  changed: string;
  deleted: string;
  extra: string;
  orphaned: string[];
  droppedIndex: string[];
  shiftedZone: string;
  key: (table: TableRole) => string;
}

type TableRole = 'track' | 'line' | 'genre' | 'invoice';

const PAIRS: Pair[] = [
  {
    name: 'MariaDB → PostgreSQL',
    source: 'mysql',
    target: 'postgresql',
    changed: `UPDATE "Track" SET "UnitPrice" = 0.98 WHERE "TrackId" = 42`,
    deleted: `DELETE FROM "InvoiceLine" WHERE "InvoiceLineId" = 7`,
    extra: `INSERT INTO "Genre" ("GenreId", "Name") VALUES (99, 'Extra')`,
    orphaned: [`UPDATE "Track" SET "GenreId" = 999 WHERE "TrackId" = 5`],
    droppedIndex: [`DROP INDEX "IFK_TrackGenreId"`],
    shiftedZone: `UPDATE "Invoice" SET "InvoiceDate" = "InvoiceDate" + interval '5 hours' WHERE "InvoiceId" = 1`,
    key: (t) => ({ track: 'TrackId', line: 'InvoiceLineId', genre: 'GenreId', invoice: 'InvoiceId' })[t],
  },
  {
    name: 'PostgreSQL → MariaDB',
    source: 'postgresql',
    target: 'mysql',
    changed: "UPDATE `track` SET `name` = 'Corrupted' WHERE `track_id` = 42",
    deleted: 'DELETE FROM `invoice_line` WHERE `invoice_line_id` = 7',
    extra: "INSERT INTO `genre` (`genre_id`, `name`) VALUES (99, 'Extra')",
    orphaned: ['UPDATE `track` SET `genre_id` = 999 WHERE `track_id` = 5'],
    // InnoDB keeps an index a foreign key needs: the constraint goes first (structural names both).
    droppedIndex: ['ALTER TABLE `track` DROP FOREIGN KEY `track_genre_id_fkey`', 'DROP INDEX `track_genre_id_idx` ON `track`'],
    shiftedZone: 'UPDATE `invoice` SET `invoice_date` = `invoice_date` + INTERVAL 5 HOUR WHERE `invoice_id` = 1',
    key: (t) => ({ track: 'track_id', line: 'invoice_line_id', genre: 'genre_id', invoice: 'invoice_id' })[t],
  },
];

describe.each(PAIRS)('$name', (pair) => {
  const tableName = (t: TableRole) =>
    pair.source === 'postgresql'
      ? { track: 'track', line: 'invoice_line', genre: 'genre', invoice: 'invoice' }[t]
      : { track: 'Track', line: 'InvoiceLine', genre: 'Genre', invoice: 'Invoice' }[t];
  let source: Endpoint;
  beforeAll(async () => {
    source = await database(pair.source, true);
  });

  test('a clean Chinook migration: every table digested inside both databases, equal hashes, a certificate that verifies', async () => {
    const { handle, status } = await migrateClean(source, await database(pair.target));
    expect(status.validation?.status).toBe('passed');
    const report = (await handle.query(validationQuery)) as ValidationReport;
    const semantic = report.results.semantic!;
    expect(semantic.verdict).toBe('passed');
    expect(semantic.summary).toMatch(/^15607 rows in 11 tables equal on both sides; digested range by range inside both databases: /);
    expect(semantic.summary).not.toContain('in the worker');
    for (const t of semantic.tables ?? []) {
      expect(t.target_sha256).toBe(t.source_sha256);
      expect(t.differing_chunks).toBe(0);
    }
    const cert = await handle.query(certificateQuery);
    expect(verifyCertificateText(certificateText(cert!)).problems).toEqual([]);
    expect(cert!.tables.reduce((s, t) => s + t.target_rows, 0)).toBe(15607);
    await handle.terminate('test over');
  });

  const cases = [
    { what: 'one changed value', sql: () => pair.changed, check: 'row_changed', table: 'track' as const, id: '42' },
    { what: 'one deleted row', sql: () => pair.deleted, check: 'row_missing', table: 'line' as const, id: '7' },
    { what: 'one extra row', sql: () => pair.extra, check: 'row_extra', table: 'genre' as const, id: '99' },
  ];

  test.each(cases)('$what in the target fails the semantic tier and names the row', async (c) => {
    const target = await database(pair.target);
    const { handle } = await migrateClean(source, target);
    await corrupt(target, [c.sql()]);
    await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test', reason: c.what }] });
    const failed = await waitForStatus(handle, (s) => s.status === 'failed' && s.validation?.attempt === 2, 120_000);
    expect(failed.failure?.code).toBe('ValidationFailed');
    expect(failed.certificate).toBeNull();
    const report = (await handle.query(validationQuery)) as ValidationReport;
    expect(report.diagnosis?.caught_by).toBe('semantic');
    const semantic = report.results.semantic!;
    expect(semantic.verdict).toBe('failed');
    expect(semantic.summary).toContain('digested range by range inside both databases');
    const table = tableName(c.table);
    // Exactly one row differs, and it is named by its key.
    expect(semantic.findings.filter((f) => f.table === table)).toHaveLength(1);
    const finding = semantic.findings.find((f) => f.check === c.check && f.table === table);
    expect(finding?.key).toEqual({ [pair.key(c.table)]: c.id });
    const hash = semantic.tables?.find((t) => t.target === table);
    expect(hash?.differing_chunks).toBe(1);
    expect(hash?.target_sha256).not.toBe(hash?.source_sha256);
    // Other tables still hash equal.
    for (const t of semantic.tables ?? []) if (t.target !== table) expect(t.target_sha256).toBe(t.source_sha256);
    if (c.check === 'row_changed') {
      const column = pair.target === 'postgresql' ? 'UnitPrice' : 'name';
      expect(finding?.source).toEqual({ [column]: pair.target === 'postgresql' ? '0.99' : JSON.stringify('Right Through You') });
      expect(finding?.target).toEqual({ [column]: pair.target === 'postgresql' ? '0.98' : JSON.stringify('Corrupted') });
    }
    if (c.check === 'row_missing') expect(finding?.source).toMatchObject({ [pair.key('line')]: '7' });
    if (c.check === 'row_extra') expect(finding?.target).toMatchObject({ [pair.key('genre')]: '99' });
    await handle.terminate('test over');
  });

  const others = [
    { what: 'one orphaned child', sql: () => pair.orphaned, tier: 'referential' as const, check: 'orphaned_foreign_key', table: 'track' as const, id: '5' },
    { what: 'one dropped index', sql: () => pair.droppedIndex, tier: 'structural' as const, check: 'missing_index', table: 'track' as const, id: null },
    { what: 'one changed time zone', sql: () => [pair.shiftedZone], tier: 'semantic' as const, check: 'row_changed', table: 'invoice' as const, id: '1' },
  ];

  test.each(others)('$what in the target is caught by the $tier tier, which names it', async (c) => {
    const target = await database(pair.target);
    const { handle } = await migrateClean(source, target);
    await corrupt(target, c.sql());
    await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test', reason: c.what }] });
    const failed = await waitForStatus(handle, (s) => s.status === 'failed' && s.validation?.attempt === 2, 120_000);
    expect(failed.failure?.code).toBe('ValidationFailed');
    const report = (await handle.query(validationQuery)) as ValidationReport;
    expect(report.diagnosis?.caught_by).toBe(c.tier);
    expect(failed.failure?.message).toMatch(new RegExp(`^caught by the ${c.tier} tier: `));
    const table = tableName(c.table);
    const finding = report.results[c.tier]?.findings.find((f) => f.check === c.check && f.table === table);
    expect(finding).toBeDefined();
    if (c.id) expect(finding?.key).toEqual({ [pair.key(c.table)]: c.id });
    if (c.tier === 'structural') expect(report.diagnosis?.also_failed).toEqual([]);
    if (c.check === 'row_changed') {
      // Only the shifted timestamp is named as differing.
      const column = pair.target === 'postgresql' ? 'InvoiceDate' : 'invoice_date';
      expect(Object.keys(finding?.target as object)).toEqual([column]);
      expect(finding?.target).not.toEqual(finding?.source);
    }
    await handle.terminate('test over');
  });
});
