/**
 * source.exclude_tables: the tables a user leaves behind (one that cannot be moved yet, say) stay out, and the rest
 * migrates, validated and certified; a name the source does not have fails the migration with the reason (a typo
 * must not silently copy a table meant to stay behind). Real Temporal dev server, SQLite Chinook.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Endpoint } from '../../connectors/types';
import { planQuery, startUpdate } from '../../workflows/migration';
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

test('what the target cannot be given (a foreign key to an excluded table, a view over another schema) is listed under errors; the rest completes', async () => {
  const source = await suite.database('postgresql');
  const client = new pg.Client({ connectionString: source.endpoint.connectionString });
  await client.connect();
  try {
    await client.query(`CREATE TABLE authors (id int PRIMARY KEY, name text NOT NULL);
      CREATE TABLE books (id int PRIMARY KEY, author_id int REFERENCES authors (id), title text NOT NULL);
      INSERT INTO authors VALUES (1, 'Le Guin'), (2, 'Lem');
      INSERT INTO books VALUES (1, 1, 'The Dispossessed'), (2, 2, 'Solaris'), (3, NULL, 'Anonymous');
      CREATE VIEW titles AS SELECT title FROM books;
      CREATE VIEW author_names AS SELECT name FROM authors;
      CREATE SCHEMA aux;
      CREATE TABLE aux.prices (book_id int PRIMARY KEY, price numeric(8,2));
      CREATE VIEW priced AS SELECT b.title, p.price FROM books b JOIN aux.prices p ON p.book_id = b.id;`);
  } finally {
    await client.end();
  }
  const target = await suite.database('postgresql');
  const handle = await startMigration(suite.harness, { ...source.endpoint, excludeTables: ['authors'] }, target.endpoint, 'aggressive');
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver, 120_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  const codes = status.errors.map((e) => `${e.code}: ${e.message}`);
  expect(codes).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^ForeignKeyNotCreated: foreign key books\.\S+ → authors not created/),
      // The target database has no schema aux: the view fails at creation, and says so.
      expect.stringMatching(/^ObjectNotCreated: not created on the target: view priced: .*aux/),
    ]),
  );
  expect(codes.some((c) => c.includes('titles'))).toBe(false);
  // A view over the excluded table is left out by the plan already, with its reason at the gate.
  expect(codes.some((c) => c.includes('author_names'))).toBe(false);
  const plan = await handle.query(planQuery);
  expect(plan?.notes?.join('\n')).toMatch(/author_names/);

  const check = new pg.Client({ connectionString: target.endpoint.connectionString });
  await check.connect();
  try {
    const views = await check.query(`SELECT table_name FROM information_schema.views WHERE table_schema = 'public' ORDER BY 1`);
    expect(views.rows.map((r: { table_name: string }) => r.table_name)).toEqual(['titles']);
    expect((await check.query('SELECT count(*)::int AS n FROM books')).rows[0]).toEqual({ n: 3 });
  } finally {
    await check.end();
  }
});
