/**
 * The migration workflow on a real Temporal dev server with a real worker: SQLite Chinook into a fresh
 * SQLite file (no database server needed), plus PostgreSQL sources for the failure cases.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Endpoint } from '../../connectors/types';
import { approveUpdate, cancelUpdate, pauseUpdate, planQuery, rejectUpdate, resumeUpdate, startUpdate, statusQuery } from '../../workflows/migration';
import type { MigrationPlan } from '../../lib/types';
import { compareDatabases } from '../helpers/compare';
import { createTempDatabase } from '../helpers/databases';
import { createTestEnv, isOver, startHarness, startMigration, tempDataDir, waitForStatus, type MigrationHarness } from '../helpers/temporal';

const CHINOOK = path.resolve(__dirname, '../../fixtures/chinook/Chinook_Sqlite.sqlite');

let env: TestWorkflowEnvironment;
let h: MigrationHarness;
let dir: string;

beforeAll(async () => {
  env = await createTestEnv();
  h = await startHarness(env);
  dir = tempDataDir();
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

test('migrates all 11 Chinook tables SQLite → SQLite, every row equal, validated, certified', async () => {
  const { source, target } = sqlitePair();
  const handle = await startMigration(h, source, target, 'aggressive');
  expect((await handle.query(statusQuery)).status).toBe('created');
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver);

  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.tables).toHaveLength(11);
  expect(status.tables.every((t) => t.status === 'completed')).toBe(true);
  expect(status.validation?.status).toBe('passed');
  expect(status.validation?.row_counts.every((c) => c.match)).toBe(true);
  expect(status.validation?.status).toBe('passed');
  expect(status.phases.find((p) => p.name === 'certification')?.status).toBe('completed');
  expect(status.certificate?.certificate_id).toMatch(/^cert_/);
  expect(status.progress.rows_copied).toBe(15607);

  const compared = await compareDatabases(source, target);
  expect(compared).toHaveLength(11);
  for (const t of compared) {
    expect({ table: t.table, rows: t.targetRows, sum: t.targetChecksum }).toEqual({ table: t.table, rows: t.sourceRows, sum: t.sourceChecksum });
  }
  // The status never carries a connection string, not even sealed.
  expect(JSON.stringify(status)).not.toContain('sealed:');
});

test('a second start is refused with the reason', async () => {
  const { source, target } = sqlitePair();
  const handle = await startMigration(h, source, target, 'aggressive');
  await handle.executeUpdate(startUpdate);
  await expect(handle.executeUpdate(startUpdate)).rejects.toThrow(WorkflowUpdateFailedError);
  await waitForStatus(handle, isOver);
});

test('conservative waits at the approval gate; approve opens it once; a second approve is refused', async () => {
  const { source, target } = sqlitePair();
  const handle = await startMigration(h, source, target, 'conservative', { auto_approve_high_confidence: true });
  await handle.executeUpdate(startUpdate);
  const waiting = await waitForStatus(handle, (s) => s.status === 'awaiting_approval');
  expect(waiting.phase).toBe('mapping');
  expect(waiting.gate).toMatchObject({ required: true, state: 'pending' });
  // Nothing is created in the target before approval.
  expect(fs.existsSync(target.connectionString) ? fs.statSync(target.connectionString).size : 0).toBeLessThan(8192);

  const gate = await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice', comment: 'looks right' }] });
  expect(gate).toMatchObject({ state: 'approved', decided_by: 'alice', comment: 'looks right' });
  await expect(handle.executeUpdate(approveUpdate, { args: [{ by: 'bob' }] })).rejects.toThrow(WorkflowUpdateFailedError);
  const done = await waitForStatus(handle, isOver);
  expect(done.status).toBe('completed');
});

test('reject ends the migration cancelled, with who and why', async () => {
  const { source, target } = sqlitePair();
  const handle = await startMigration(h, source, target, 'conservative');
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.status === 'awaiting_approval');
  await handle.executeUpdate(rejectUpdate, { args: [{ by: 'carol', comment: 'wrong target' }] });
  const done = await waitForStatus(handle, isOver);
  expect(done.status).toBe('cancelled');
  expect(done.failure).toEqual({ code: 'MappingRejected', message: 'mapping rejected by carol: wrong target' });
  expect(done.phases.find((p) => p.name === 'schema_creation')?.status).toBe('pending');
});

test('pause holds copying still; resume continues from the checkpoint and finishes with every row once', async () => {
  const { source, target } = sqlitePair();
  const handle = await startMigration(h, { ...source, tables: ['PlaylistTrack'] }, target, 'aggressive', { chunk_size: 200, parallel_tables: 1 });
  // Not paused yet: resume is refused with the reason (the update's validator).
  await expect(handle.executeUpdate(resumeUpdate)).rejects.toMatchObject({ cause: { message: 'cannot resume a migration that is created', details: [{ status: 'created' }] } });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.progress.rows_copied >= 400);
  expect((await handle.executeUpdate(pauseUpdate)).status).toBe('paused');
  expect((await handle.query(statusQuery)).status).toBe('paused');
  // Let the chunk in flight commit, then copying must stand still.
  await new Promise((r) => setTimeout(r, 1500));
  const held = (await handle.query(statusQuery)).progress.rows_copied;
  await new Promise((r) => setTimeout(r, 2500));
  const still = await handle.query(statusQuery);
  expect(still.status).toBe('paused');
  expect(still.progress.rows_copied).toBe(held);
  expect(held).toBeLessThan(8715);

  expect((await handle.executeUpdate(resumeUpdate)).status).toBe('running');
  const done = await waitForStatus(handle, isOver);
  expect(done.status).toBe('completed');
  expect(done.tables[0]).toMatchObject({ name: 'PlaylistTrack', rows_copied: 8715, status: 'completed' });
  const [compared] = await compareDatabases(source, target, ['PlaylistTrack']);
  expect(compared?.targetRows).toBe(8715);
  expect(compared?.targetChecksum).toBe(compared?.sourceChecksum);
});

test('cancel stops after the chunk in flight and ends cancelled with the reason', async () => {
  const { source, target } = sqlitePair();
  const handle = await startMigration(h, { ...source, tables: ['PlaylistTrack'] }, target, 'aggressive', { chunk_size: 100, parallel_tables: 1 });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.progress.rows_copied >= 200);
  await handle.executeUpdate(cancelUpdate, { args: [{ reason: 'maintenance window over' }] });
  const done = await waitForStatus(handle, isOver);
  expect(done.status).toBe('cancelled');
  expect(done.failure?.message).toBe('cancelled: maintenance window over');
  expect(done.progress.rows_copied).toBeLessThan(8715);
  expect(done.phases.find((p) => p.name === 'data_transfer')?.status).toBe('cancelled');
});

describe('failures say why', () => {
  let pg: Awaited<ReturnType<typeof createTempDatabase>>;
  beforeAll(async () => {
    pg = await createTempDatabase('postgresql');
  });
  afterAll(async () => {
    await pg?.drop();
  });

  async function failedStatus(source: Endpoint & { tables?: string[] }) {
    const { target } = sqlitePair();
    const handle = await startMigration(h, source, target, 'aggressive');
    await handle.executeUpdate(startUpdate);
    const status = await waitForStatus(handle, isOver);
    await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
    return status;
  }

  test('a missing source schema', async () => {
    const status = await failedStatus({ ...pg.endpoint, schema: 'no_such_schema' });
    expect(status.status).toBe('failed');
    expect(status.failure?.code).toBe('SchemaNotFound');
    expect(status.failure?.message).toContain('no_such_schema');
    expect(status.errors[0]).toMatchObject({ phase: 'schema_analysis', code: 'SchemaNotFound' });
  });

  test('an unknown table in source.tables', async () => {
    const status = await failedStatus({ ...pg.endpoint, tables: ['ghost_table'] });
    expect(status.failure?.code).toBe('TableNotFound');
    expect(status.failure?.message).toContain('ghost_table');
  });

  test('a column type only PostgreSQL declares (int[]) is not refused: it arrives in SQLite as a JSON array, with a note', async () => {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: pg.endpoint.connectionString });
    await client.connect();
    await client.query('CREATE TABLE odd (id int PRIMARY KEY, shape int[])');
    await client.query(`INSERT INTO odd VALUES (1, '{1,NULL,3}'), (2, NULL)`);
    await client.end();
    const { target } = sqlitePair();
    const handle = await startMigration(h, { ...pg.endpoint, tables: ['odd'] }, target, 'aggressive');
    await handle.executeUpdate(startUpdate);
    const status = await waitForStatus(handle, isOver);
    expect(status.failure).toBeNull();
    expect(status.validation?.status).toBe('passed');
    const plan = (await handle.query(planQuery)) as MigrationPlan;
    expect(plan.tables[0].columns[1]).toMatchObject({ targetType: 'TEXT', confidence: 0.9, note: expect.stringMatching(/JSON array/) });
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(target.connectionString, { readonly: true });
    expect(db.prepare('SELECT id, shape FROM odd ORDER BY id').all()).toEqual([{ id: 1, shape: '[1,null,3]' }, { id: 2, shape: null }]);
    db.close();
  });

  test('an unreachable source host fails after bounded retries with a clear reason and no password', async () => {
    const status = await failedStatus({ type: 'postgresql', connectionString: 'postgresql://u:s3cretpw@127.0.0.1:1/db' });
    expect(status.failure?.code).toBe('ConnectionFailed');
    expect(JSON.stringify(status)).not.toContain('s3cretpw');
  });
});

describe('rows the target rejects', () => {
  let pg: Awaited<ReturnType<typeof createTempDatabase>>;
  beforeAll(async () => {
    pg = await createTempDatabase('postgresql');
  });
  afterAll(async () => {
    await pg?.drop();
  });

  /** SQLite does not enforce VARCHAR lengths; PostgreSQL refuses two of these 50 rows (value too long). */
  async function sourceWithTwoBadRows(): Promise<Endpoint> {
    const { default: Database } = await import('better-sqlite3');
    n += 1;
    const file = path.join(dir, `bad-rows-${n}.sqlite`);
    const db = new Database(file);
    db.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, code VARCHAR(5) NOT NULL)');
    const insert = db.prepare('INSERT INTO people (id, code) VALUES (?, ?)');
    for (let id = 1; id <= 50; id++) insert.run(id, id === 7 || id === 23 ? 'much-too-long' : `c${id}`);
    db.close();
    return { type: 'sqlite', connectionString: file };
  }

  test('are recorded under errors with their keys; the rest lands; validation then names them and no certificate is issued', async () => {
    const source = await sourceWithTwoBadRows();
    const target = { ...pg.endpoint, schema: 'rejects_ok' };
    const handle = await startMigration(h, source, target, 'aggressive', { chunk_size: 20 });
    await handle.executeUpdate(startUpdate);
    const status = await waitForStatus(handle, isOver);
    expect(status.phases.find((p) => p.name === 'data_transfer')?.status).toBe('completed');
    expect(status.tables[0]).toMatchObject({ name: 'people', rows_copied: 48, rows_rejected: 2, status: 'completed' });
    const rejected = status.errors.filter((e) => e.code === 'RowRejected');
    expect(rejected.map((e) => e.key)).toEqual([['7'], ['23']]);
    expect(rejected[0]?.message).toMatch(/too long/);
    // Row counts expect the two rejected rows to be missing …
    expect(status.validation?.row_counts).toEqual([{ table: 'people', source_rows: 50, target_rows: 48, rejected_rows: 2, match: true }]);
    // … but the target is not equivalent to the source: validation fails naming the rows, and no certificate is claimed.
    expect(status.status).toBe('failed');
    expect(status.failure?.code).toBe('ValidationFailed');
    expect(status.failure?.message).toContain('id=7');
    expect(status.certificate).toBeNull();
  });

  test('past the allowance (max_rejected_rows) the migration fails and says which row', async () => {
    const source = await sourceWithTwoBadRows();
    const target = { ...pg.endpoint, schema: 'rejects_stop' };
    const handle = await startMigration(h, source, target, 'aggressive', { chunk_size: 20, max_rejected_rows: 1 });
    await handle.executeUpdate(startUpdate);
    const status = await waitForStatus(handle, isOver);
    expect(status.status).toBe('failed');
    expect(status.failure?.code).toBe('RowsRejected');
    expect(status.failure?.message).toContain('key ["23"]');
    expect(status.errors.filter((e) => e.code === 'RowRejected').map((e) => e.key)).toEqual([['7'], ['23']]);
  });
});
