/**
 * Mapping edits at the approval gate to another kind of type, through the workflow on a real Temporal dev server: the
 * copy converts each value into the edited kind (lib/edited-kinds.ts) and the semantic tier compares the source's
 * value converted the same way with the target's, so a faithful edit passes and a changed value is caught.
 * - MariaDB → PostgreSQL: TINYINT(1) → integer, TINYINT(1) → text, INT → boolean, ENUM → text, SET → text, text → jsonb,
 *   JSON → text, UUID → text, and in a table without a key (copied whole) TINYINT(1) → integer and text → jsonb;
 *   validation passes, then one changed value per edited kind is caught (a boolean compared as the source's type read 5
 *   as true, and passed);
 * - PostgreSQL → MariaDB: text → ENUM('…') typed with its labels, text → JSON, integer → boolean: a value none of the
 *   enum's labels, text that is not JSON and a 2 are rejected rows naming the key and the column, the rest is copied.
 * The targets are read with this test's own SQL.
 */
import type { MigrationError, ValidationReport } from '../../lib/migration';
import type { MigrationPlan } from '../../lib/types';
import { approveUpdate, editMappingsUpdate, planQuery, revalidateUpdate, startUpdate, validationQuery } from '../../workflows/migration';
import { mariadbRows, pgRows } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite({ timeoutMs: 120_000 });
const UUID1 = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
const UUID2 = '123e4567-e89b-12d3-a456-426614174000';

test('MariaDB → PostgreSQL: edits to another kind of type convert every value, validation passes, and a changed value is caught', async () => {
  const source = (await suite.database('mysql')).endpoint;
  await mariadbRows(
    source,
    `CREATE TABLE z (id INT PRIMARY KEY, flag TINYINT(1) NOT NULL, b TINYINT(1), n INT, e ENUM('a', 'b'), s SET('x', 'y', 'z'),
       doc TEXT, j JSON, u UUID)`,
  );
  await mariadbRows(source, `INSERT INTO z VALUES
    (1, 1, 1, 1, 'a', 'x,y', '{"b": 1, "a": [1, 2]}', '{"k": "v"}', '${UUID1.toUpperCase()}'),
    (2, 0, 0, 0, 'b', '', '[1, "two", null]', '[]', '${UUID2}'),
    (3, 1, NULL, 1, NULL, 'z', '"text"', NULL, NULL),
    (4, 0, 1, NULL, 'a', 'x,y,z', '{}', '{"a": {"b": [true, false]}}', '${UUID1}')`);
  // A table without a key is copied whole (and compared as a multiset of rows).
  await mariadbRows(source, `CREATE TABLE nk (flag TINYINT(1), doc TEXT)`);
  await mariadbRows(source, `INSERT INTO nk VALUES (1, '{"z": 1, "a": 2}'), (0, '[]'), (NULL, NULL)`);
  const target = (await suite.database('postgresql')).endpoint;
  const hold = { completed_hold_seconds: 600, failed_hold_seconds: 600 };
  const handle = await startMigration(suite.harness, source, target, 'balanced', { auto_approve_high_confidence: false, validation: hold });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);

  const edits = { flag: 'integer', b: 'text', n: 'boolean', e: 'text', s: 'text', doc: 'jsonb', j: 'text', u: 'text' };
  const { edited } = await handle.executeUpdate(editMappingsUpdate, { args: [Object.entries(edits).map(([c, t]) => ({ id: `z.${c}`, target_type: t }))] });
  await handle.executeUpdate(editMappingsUpdate, {
    args: [
      [
        { id: 'nk.flag', target_type: 'integer' },
        { id: 'nk.doc', target_type: 'jsonb' },
      ],
    ],
  });
  // The gate says what the copy does with each value.
  expect(Object.fromEntries(edited.map((c) => [c.column, [c.targetType, c.note]]))).toEqual({
    flag: ['integer', 'edited by hand; boolean stored as an integer: true → 1, false → 0; TINYINT(1) is read as boolean: a row holding a value other than 0 and 1 is rejected, named by its key'],
    b: ['text', "edited by hand; boolean stored as text: 'true' / 'false'; TINYINT(1) is read as boolean: a row holding a value other than 0 and 1 is rejected, named by its key"],
    n: ['boolean', 'edited by hand; integer stored as a boolean: 1 → true, 0 → false; rows holding any other number are rejected'],
    e: ['text', 'edited by hand; enum stored as text with CHECK (e IN (a, b))'],
    s: ['text', expect.stringMatching(/^edited by hand; SET stored as text: its labels joined by commas \(a,b\)/)],
    doc: ['jsonb', 'edited by hand; text stored as JSON: rows whose text is not valid JSON are rejected'],
    j: ['text', expect.stringMatching(/^edited by hand; json stored as text/)],
    u: ['text', 'edited by hand; uuid stored as text: the target no longer checks its form'],
  });
  expect(((await handle.query(planQuery)) as MigrationPlan).blockers).toEqual([]);

  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, (s) => isOver(s) || (s.status === 'completed' && s.validation?.status === 'passed'), 240_000);
  expect(status.progress.rows_copied).toBe(7);
  expect((status.errors ?? []).filter((e) => e.phase !== 'validation')).toEqual([]);
  const tiers = Object.values(status.validation?.tiers ?? {}).filter((t) => t.verdict !== 'passed');
  expect({ status: status.status, validation: status.validation?.status, tiers }).toEqual({ status: 'completed', validation: 'passed', tiers: [] });

  // The target's own types and values, read with this test's SQL.
  const types = await pgRows(target, `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = 'z' ORDER BY ordinal_position`);
  expect(types.map((r) => `${r.c} ${r.t}`)).toEqual(['id integer', 'flag integer', 'b text', 'n boolean', 'e text', 's text', 'doc jsonb', 'j text', 'u text']);
  expect(await pgRows(target, `SELECT id, flag, b, n, e, s, doc::text AS doc, j, u FROM z ORDER BY id`)).toEqual([
    { id: 1, flag: 1, b: 'true', n: true, e: 'a', s: 'x,y', doc: '{"a": [1, 2], "b": 1}', j: '{"k": "v"}', u: UUID1 },
    { id: 2, flag: 0, b: 'false', n: false, e: 'b', s: '', doc: '[1, "two", null]', j: '[]', u: UUID2 },
    { id: 3, flag: 1, b: null, n: true, e: null, s: 'z', doc: '"text"', j: null, u: null },
    { id: 4, flag: 0, b: 'true', n: null, e: 'a', s: 'x,y,z', doc: '{}', j: '{"a": {"b": [true, false]}}', u: UUID1 },
  ]);
  expect(await pgRows(target, `SELECT flag, doc::text AS doc FROM nk ORDER BY flag NULLS LAST`)).toEqual([
    { flag: 0, doc: '[]' },
    { flag: 1, doc: '{"a": 2, "z": 1}' },
    { flag: null, doc: null },
  ]);
  // The semantic tier compared the edited table in the worker, each source value converted into the edited kind.
  const passed = (await handle.query(validationQuery)) as ValidationReport;
  expect(passed.results.semantic?.summary).toContain(
    'z (column flag was edited at the gate from boolean to integer: compared in the worker, each source value converted as the copy converts it)',
  );

  // One changed value per edited kind is caught by the semantic tier, which names the row and the column.
  await pgRows(target, `UPDATE z SET flag = 5 WHERE id = 1`);
  await pgRows(target, `UPDATE z SET doc = '[1, "two"]' WHERE id = 2`);
  await pgRows(target, `UPDATE z SET b = 'false', n = false WHERE id = 3`);
  await pgRows(target, `UPDATE z SET s = 'x,z', e = 'b' WHERE id = 4`);
  await pgRows(target, `UPDATE nk SET flag = 2 WHERE flag = 1`);
  await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test', reason: 'one value changed per edited kind' }] });
  await waitForStatus(handle, (st) => st.validation?.attempt === 2 && st.validation.status === 'failed', 180_000);
  const report = (await handle.query(validationQuery)) as ValidationReport;
  const changed = (report.results.semantic?.findings ?? []).filter((f) => f.check === 'row_changed').map((f) => [String(f.key?.id), f.message]);
  expect(changed).toEqual([
    ['1', 'z row (id=1) differs in flag'],
    ['2', 'z row (id=2) differs in doc'],
    ['3', 'z row (id=3) differs in b, n'],
    ['4', 'z row (id=4) differs in e, s'],
  ]);
  // Without a key, the changed row is one the source has and the target not, and the other way round.
  const unkeyed = (report.results.semantic?.findings ?? []).filter((f) => f.table === 'nk').map((f) => [f.check, f.source ?? f.target]);
  expect(unkeyed).toEqual([
    ['row_missing', ['1', '{"a":2,"z":1}']],
    ['row_extra', ['2', '{"a":2,"z":1}']],
  ]);
  await handle.terminate('test over');
}, 420_000);

test('PostgreSQL → MariaDB: text → ENUM, text → JSON and integer → boolean reject the values that do not fit, naming key and column', async () => {
  const source = (await suite.database('postgresql')).endpoint;
  await pgRows(source, `CREATE TABLE w (id int PRIMARY KEY, size text, doc text, n integer, flag boolean, u uuid)`);
  await pgRows(
    source,
    `INSERT INTO w VALUES
      (1, 'small', '{"a": 1}', 1, true, '${UUID1}'),
      (2, 'large', '[]', 0, false, NULL),
      (3, 'medium', '{}', 1, NULL, '${UUID2}'),
      (4, NULL, '{oops', 0, true, NULL),
      (5, 'small', NULL, 2, false, NULL),
      (6, 'Small', 'null', NULL, true, NULL)`,
  );
  const target = (await suite.database('mysql')).endpoint;
  const handle = await startMigration(suite.harness, source, target, 'balanced', { auto_approve_high_confidence: false });
  await handle.executeUpdate(startUpdate);
  await waitForStatus(handle, (s) => s.gate?.state === 'pending', 120_000);
  const { edited } = await handle.executeUpdate(editMappingsUpdate, {
    args: [
      [
        { id: 'w.size', target_type: "enum('small','large')" },
        { id: 'w.doc', target_type: 'json' },
        { id: 'w.n', target_type: 'boolean' },
        { id: 'w.flag', target_type: 'int' },
      ],
    ],
  });
  expect(edited.map((c) => [c.column, c.targetType])).toEqual([
    ['size', "ENUM('small','large')"],
    ['doc', 'JSON'],
    ['n', 'TINYINT(1)'],
    ['flag', 'INT'],
  ]);
  await handle.executeUpdate(approveUpdate, { args: [{ by: 'test' }] });
  const status = await waitForStatus(handle, isOver, 240_000);

  // Every row that fits is copied; each other one is a rejected row named by its key, with the column and why.
  expect(status.progress.rows_copied).toBe(2);
  const rejected = (status.errors ?? []).filter((e: MigrationError) => e.code === 'RowRejected').map((e) => [e.key?.map(String), e.message]);
  expect(rejected.sort()).toEqual([
    [['3'], "column size (edited at the gate from text to ENUM('small','large')) holds text that is none of the enum's labels (small, large): not copied"],
    [['4'], 'column doc (edited at the gate from text to JSON) holds text that is not valid JSON: not copied'],
    [['5'], 'column n (edited at the gate from integer to TINYINT(1)) holds a number other than 0 and 1, which is no boolean: not copied'],
    [['6'], "column size (edited at the gate from text to ENUM('small','large')) holds text that is none of the enum's labels (small, large): not copied"],
  ]);
  // No value reaches a message.
  expect(JSON.stringify(rejected)).not.toMatch(/medium|oops/);
  expect(await mariadbRows(target, `SELECT id, size, CAST(doc AS CHAR) AS doc, n, flag FROM w ORDER BY id`)).toEqual([
    { id: 1, size: 'small', doc: '{"a": 1}', n: 1, flag: 1 },
    { id: 2, size: 'large', doc: '[]', n: 0, flag: 0 },
  ]);
  const columns = await mariadbRows(target, `SELECT COLUMN_NAME c, COLUMN_TYPE t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'w' ORDER BY ORDINAL_POSITION`);
  expect(columns.map((r) => `${r.c} ${r.t}`)).toEqual(['id int(11)', "size enum('small','large')", 'doc longtext', 'n tinyint(1)', 'flag int(11)', 'u char(36)']);
  // The rows the copy rejected are what the semantic tier misses; the rows copied compare equal in their edited kinds.
  const report = (await handle.query(validationQuery)) as ValidationReport;
  const semantic = report.results.semantic?.findings ?? [];
  expect(semantic.filter((f) => f.check !== 'row_missing')).toEqual([]);
  expect(semantic.map((f) => String(f.key?.id)).sort()).toEqual(['3', '4', '5', '6']);
}, 300_000);
