/**
 * source.exclude_tables: the tables a user leaves behind (one that cannot be moved yet, say) stay out, and the rest
 * migrates, validated and certified; a name the source does not have fails the migration with the reason (a typo
 * must not silently copy a table meant to stay behind). Real Temporal dev server, SQLite Chinook.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Endpoint } from '../../connectors/types';
import { startUpdate } from '../../workflows/migration';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const CHINOOK = path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite');

const suite = migrationSuite();

function pair(name: string): { source: Endpoint; target: Endpoint } {
  const file = path.join(suite.dir, `${name}-source.sqlite`);
  fs.copyFileSync(CHINOOK, file);
  return { source: { type: 'sqlite', connectionString: file }, target: { type: 'sqlite', connectionString: path.join(suite.dir, `${name}-target.sqlite`) } };
}

test('the excluded tables stay behind; the other nine migrate, validated and certified', async () => {
  const { source, target } = pair('some');
  const handle = await startMigration(suite.harness, { ...source, excludeTables: ['InvoiceLine', 'PlaylistTrack'] }, target, 'aggressive');
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.certificate?.certificate_id).toMatch(/^cert_/);
  expect(status.tables.map((t) => t.name).sort()).toEqual(['Album', 'Artist', 'Customer', 'Employee', 'Genre', 'Invoice', 'MediaType', 'Playlist', 'Track']);
  const db = new Database(target.connectionString, { readonly: true });
  try {
    const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    expect(names).not.toContain('InvoiceLine');
    expect(names).not.toContain('PlaylistTrack');
    expect(db.prepare('SELECT COUNT(*) AS n FROM "Track"').get()).toEqual({ n: 3503 });
  } finally {
    db.close();
  }
});

test('a table name the source does not have fails the migration, naming it', async () => {
  const { source, target } = pair('typo');
  const handle = await startMigration(suite.harness, { ...source, excludeTables: ['Invoice_Line'] }, target, 'aggressive');
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver);
  expect(status.status).toBe('failed');
  expect(status.failure?.message).toContain('source.exclude_tables names tables the source does not have: Invoice_Line');
  // It failed in the analysis: nothing was created in the target.
  expect(status.phases.find((p) => p.name === 'schema_analysis')?.status).toBe('failed');
  expect(status.phases.find((p) => p.name === 'schema_creation')?.status).toBe('pending');
});
