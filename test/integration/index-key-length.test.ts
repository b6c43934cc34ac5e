/**
 * Index keys longer than InnoDB keeps (3072 bytes; utf8mb4 takes 4 a character), PostgreSQL → MariaDB, through the
 * whole workflow on a real Temporal dev server. Before, such an index failed the migration after the copy ("Specified
 * key was too long; max key length is 3072 bytes"), and a primary key that long failed the CREATE TABLE.
 * - A plain index past it is left out, said in the plan's notes; one that fits is made; every row is copied.
 * - A unique constraint past it is made as MariaDB makes one (a hash of its columns), said in the plan's notes.
 * - A primary key past it blocks at the gate, whatever the strategy, saying how to go on: with that table left out at
 *   the gate, the rest migrates; with its column edited to a type the key fits in, both do.
 */
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';
import { recordHistories } from '../helpers/histories';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';
import { approveUpdate, editMappingsUpdate, excludeTablesUpdate, planQuery, startUpdate } from '../../workflows/migration';

const suite = migrationSuite();
let wide: TempDatabase;
let longKey: TempDatabase;

beforeAll(async () => {
  wide = await suite.database('postgresql');
  await pgRows(
    wide.endpoint,
    `CREATE TABLE docs (id int PRIMARY KEY, a varchar(500), b varchar(500), body varchar(1000), title varchar(100), n int);
     CREATE INDEX docs_a_b ON docs (a, b);
     CREATE INDEX docs_body ON docs (body);
     CREATE INDEX docs_title_n ON docs (title, n);
     INSERT INTO docs SELECT i, repeat('a', 400) || i, repeat('b', 400), repeat('é', 900), 'title ' || i, i FROM generate_series(1, 25) i;
     CREATE TABLE labels (id int PRIMARY KEY, a varchar(500), b varchar(500), CONSTRAINT labels_ab UNIQUE (a, b));
     INSERT INTO labels SELECT i, repeat('x', 450) || i, repeat('y', 450) FROM generate_series(1, 5) i`,
  );
  longKey = await suite.database('postgresql');
  await pgRows(
    longKey.endpoint,
    `CREATE TABLE paths (path varchar(1000) PRIMARY KEY, size int);
     CREATE TABLE files (id int PRIMARY KEY, name varchar(200) NOT NULL);
     INSERT INTO paths VALUES ('/a', 1), ('/b', 2);
     INSERT INTO files SELECT i, 'file ' || i FROM generate_series(1, 7) i`,
  );
});

/** The target's indexes of `table` other than its primary key, each as its columns in order. */
async function indexedColumns(target: TempDatabase, table: string): Promise<string[][]> {
  const rows = (await mariadbRows(
    target.endpoint,
    `SELECT INDEX_NAME AS name, COLUMN_NAME AS col FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME <> 'PRIMARY' ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [target.name, table],
  )) as { name: string; col: string }[];
  const byName = new Map<string, string[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r.col]);
  return [...byName.values()];
}

test('a plain index past 3072 bytes is left out with its reason; the one that fits and a long unique key are made; every row copied and validated', async () => {
  const target = await suite.database('mysql');
  const { status, plan } = await migrateOnce(suite, wide, target, { chunkSize: 10 });
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.progress.rows_copied).toBe(30);
  expect(plan?.blockers).toEqual([]);
  expect(plan?.notes).toEqual(
    expect.arrayContaining([
      'index docs_a_b of docs is not migrated, because its key would take up to 4000 bytes, past the 3072 MariaDB/MySQL keeps',
      'index docs_body of docs is not migrated, because its key would take up to 4000 bytes, past the 3072 MariaDB/MySQL keeps',
      'unique constraint labels_ab of labels (a, b) would take up to 4000 bytes, past the 3072 MariaDB/MySQL keeps in a key: ' +
        'MariaDB keeps it as a hash of its columns (USING HASH), which no foreign key can reference; MySQL refuses it',
    ]),
  );
  expect(plan?.notes?.join('\n')).not.toMatch(/docs_title_n/);
  expect(await indexedColumns(target, 'docs')).toEqual([['title', 'n']]);
  expect(await mariadbRows(target.endpoint, 'SELECT count(*) AS n, sum(CHAR_LENGTH(body)) AS chars FROM docs')).toEqual([{ n: '25', chars: '22500' }]);
  expect(await indexedColumns(target, 'labels')).toEqual([['a', 'b']]);
  await expect(mariadbRows(target.endpoint, "INSERT INTO labels SELECT 99, a, b FROM labels WHERE id = 1")).rejects.toThrow(/Duplicate entry/);
}, 300_000);

const blocker = 'primary key of paths (path) would take up to 4000 bytes in MariaDB/MySQL, past the 3072 it keeps: exclude the table (source.exclude_tables)';

/** Starts a migration of longKey into `target` and waits at its gate, which its blocker holds whatever the strategy. */
async function blockedAtGate(target: TempDatabase, strategy: 'aggressive' | 'balanced') {
  const handle = await startMigration(suite.harness, longKey.endpoint, target.endpoint, strategy, { auto_approve_high_confidence: true });
  await handle.executeUpdate(startUpdate);
  const waiting = await waitForStatus(handle, (s) => s.status === 'awaiting_approval' || isOver(s), 120_000);
  expect(waiting.status).toBe('awaiting_approval');
  expect(waiting.gate).toMatchObject({ required: true, state: 'pending' });
  expect(waiting.gate?.reason).toContain(blocker);
  expect((await handle.query(planQuery))?.blockers).toEqual([blocker]);
  // Held before anything was made in the target; approving is refused while the blocker stands.
  expect(await mariadbRows(target.endpoint, 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [target.name])).toEqual([]);
  await expect(handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] })).rejects.toMatchObject({ cause: { type: 'MappingBlocked', message: expect.stringContaining(blocker) } });
  return handle;
}

test('a primary key past 3072 bytes blocks at the gate, saying so, and approving is refused; with its table left out there the rest migrates', async () => {
  const target = await suite.database('mysql');
  const handle = await blockedAtGate(target, 'aggressive');
  // An edit that leaves the key as long ends nothing.
  const edited = await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'files.name', target_type: 'varchar(300)' }]] });
  expect(edited.blockers).toEqual([blocker]);
  expect(edited.gate.state).toBe('pending');
  await expect(handle.executeUpdate(excludeTablesUpdate, { args: [{ tables: ['nope'], by: 'test' }] })).rejects.toMatchObject({ cause: { type: 'TableNotFound' } });
  await expect(handle.executeUpdate(excludeTablesUpdate, { args: [{ tables: ['paths', 'files'], by: 'test' }] })).rejects.toMatchObject({ cause: { type: 'InvalidRequest' } });

  const left = await handle.executeUpdate(excludeTablesUpdate, { args: [{ tables: ['paths'], by: 'test' }] });
  expect(left).toMatchObject({ excluded: ['paths'], blockers: [], gate: { state: 'auto_approved' } });
  const status = await waitForStatus(handle, isOver, 180_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(status.tables.map((t) => t.name)).toEqual(['files']);
  // The edit made before the table was left out still holds.
  expect((await handle.query(planQuery))?.tables[0].columns.find((c) => c.column === 'name')?.targetType).toBe('VARCHAR(300)');
  expect(await mariadbRows(target.endpoint, 'SELECT count(*) AS n FROM files')).toEqual([{ n: '7' }]);
  expect(await mariadbRows(target.endpoint, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [target.name])).toEqual([{ t: 'files' }]);
  expect(await mariadbRows(target.endpoint, "SELECT CHARACTER_MAXIMUM_LENGTH AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'files' AND COLUMN_NAME = 'name'", [target.name])).toEqual([{ n: '300' }]);
  await recordHistories(suite.harness.client, handle.workflowId, 'gate-blockers-table-left-out');
}, 300_000);

test('a key column edited at the gate to a type the key fits in ends the blocker: both tables migrate', async () => {
  const target = await suite.database('mysql');
  const handle = await blockedAtGate(target, 'balanced');
  const edited = await handle.executeUpdate(editMappingsUpdate, { args: [[{ id: 'paths.path', target_type: 'varchar(700)' }]] });
  expect(edited.blockers).toEqual([]);
  // A narrower type is lossy: the balanced strategy still waits, now for a person, no longer for a blocker.
  expect(edited.gate).toMatchObject({ required: true, state: 'pending', reason: '1 mapping(s) have confidence below 1.0' });
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 180_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');
  expect(await mariadbRows(target.endpoint, 'SELECT path, size FROM paths ORDER BY path')).toEqual([
    { path: '/a', size: 1 },
    { path: '/b', size: 2 },
  ]);
  await recordHistories(suite.harness.client, handle.workflowId, 'gate-blockers-edit-ends');
}, 300_000);
