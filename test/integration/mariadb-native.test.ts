/**
 * MariaDB → MariaDB keeps native types, through the whole workflow on a real Temporal dev server: a source with a
 * table per type family (SET/ENUM, BIT(n)/YEAR/unsigned integers, GEOMETRY and its subtypes, INET4/INET6/UUID, JSON,
 * a generated column, a secondary index, an AUTO_INCREMENT key, expression defaults). The target's COLUMN_TYPE equals
 * the source's per column, every value is equal by this test's own SQL (HEX of the stored bytes), the generated
 * column is generated again, the AUTO_INCREMENT counter is past the highest copied value, foreign keys keep their
 * actions and the key they reference (and act on the target), and the tables' and columns' comments are the source's.
 */
import type { ValidationReport } from '../../lib/migration';
import type { MigrationPlan } from '../../lib/types';
import { planQuery, revalidateUpdate, startUpdate, validationQuery } from '../../workflows/migration';
import { mariadbRows, type TempDatabase } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';
import { MARIA_NATIVE_ROWS, MARIA_NATIVE_TABLES } from '../helpers/zoo';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite();
let sourceDb: TempDatabase;
let targetDb: TempDatabase;

function query(db: TempDatabase, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return mariadbRows(db.endpoint, sql, params);
}

/** Columns of the database's tables (not its sequences'), a default naming a sequence of its own said as `DB`.`seq`. */
const columnsOf = async (db: TempDatabase) =>
  (
    await query(
      db,
      `SELECT c.TABLE_NAME t, COLUMN_NAME c, COLUMN_TYPE type, IS_NULLABLE n, COLUMN_DEFAULT d, EXTRA x, GENERATION_EXPRESSION g, COLLATION_NAME coll
         FROM information_schema.COLUMNS c JOIN information_schema.TABLES USING (TABLE_SCHEMA, TABLE_NAME)
        WHERE TABLE_SCHEMA = ? AND TABLE_TYPE <> 'SEQUENCE' ORDER BY c.TABLE_NAME, ORDINAL_POSITION`,
      [db.name],
    )
  ).map((r): Record<string, unknown> => ({ ...r, d: typeof r.d === 'string' ? r.d.split(`\`${db.name}\`.`).join('`DB`.') : r.d }));

/** Every row of a table as the test's own text of each stored value: HEX of the bytes (text columns in their own character set). */
async function contents(db: TempDatabase, table: string, columns: string[]): Promise<string[]> {
  const rows = await query(db, `SELECT CONCAT_WS('|', ${columns.map((c) => `IFNULL(HEX(\`${c}\`), 'NULL')`).join(', ')}) AS r FROM \`${table}\` ORDER BY id`);
  return rows.map((r) => String(r.r));
}

beforeAll(async () => {
  sourceDb = await suite.database('mysql');
  targetDb = await suite.database('mysql');
  for (const sql of [...Object.values(MARIA_NATIVE_TABLES), ...MARIA_NATIVE_ROWS]) await query(sourceDb, sql);
});

test('MariaDB → MariaDB: native types, values byte for byte, generated columns, indexes, AUTO_INCREMENT', async () => {
  // Held open after it completes, so it can validate again once the target is changed.
  const hold = { completed_hold_seconds: 600, failed_hold_seconds: 600 };
  const handle = await startMigration(suite.harness, sourceDb.endpoint, targetDb.endpoint, 'aggressive', { chunk_size: 2, validation: hold });
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver, 180_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  expect(status.validation?.status).toBe('passed');

  // Column types, nullability, defaults (expressions too), ON UPDATE, generation and collation as the source has them.
  const source = await columnsOf(sourceDb);
  const target = await columnsOf(targetDb);
  expect(target.length).toBe(source.length);
  expect(target).toEqual(source);
  expect(target.find((c) => c.t === 'docs' && c.c === 'doc')?.type).toBe('longtext');
  expect(target.find((c) => c.t === 'items' && c.c === 'total')).toMatchObject({ x: 'STORED GENERATED', g: '`price` * `qty`' });
  expect(target.find((c) => c.t === 'items' && c.c === 'label')?.x).toBe('VIRTUAL GENERATED');
  expect(target.find((c) => c.t === 'items' && c.c === 'updated')?.x).toMatch(/on update current_timestamp\(3\)/i);

  // Every value, as the stored bytes.
  for (const table of Object.keys(MARIA_NATIVE_TABLES)) {
    const columns = source.filter((c) => c.t === table).map((c) => String(c.c));
    expect({ table, rows: await contents(targetDb, table, columns) }).toEqual({ table, rows: await contents(sourceDb, table, columns) });
  }
  // The SRID is kept with the point (the stored bytes begin with it).
  const point = await query(targetDb, "SELECT HEX(p) = HEX(ST_GeomFromText('POINT(-71.0589 42.3601)', 4326)) same, ST_SRID(p) srid FROM shapes WHERE id = 1");
  expect(point).toEqual([{ same: 1, srid: 4326 }]);

  // The JSON column keeps MariaDB's CHECK (json_valid), the table-level CHECK is there.
  const checks = await query(targetDb, 'SELECT TABLE_NAME t, CONSTRAINT_NAME n, CHECK_CLAUSE c FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY 1, 2', [targetDb.name]);
  expect(checks).toEqual(await query(sourceDb, 'SELECT TABLE_NAME t, CONSTRAINT_NAME n, CHECK_CLAUSE c FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY 1, 2', [sourceDb.name]));

  // Secondary indexes with their kind and prefix lengths.
  const indexes = (db: TempDatabase) =>
    query(db, 'SELECT TABLE_NAME t, INDEX_NAME i, NON_UNIQUE u, COLUMN_NAME c, SUB_PART p, INDEX_TYPE k FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY 1, 2, SEQ_IN_INDEX', [db.name]);
  expect(await indexes(targetDb)).toEqual(await indexes(sourceDb));

  // Foreign keys with their actions and the key each references; the tables' and columns' comments.
  const foreignKeys = (db: TempDatabase) =>
    query(
      db,
      `SELECT r.TABLE_NAME t, r.CONSTRAINT_NAME n, r.REFERENCED_TABLE_NAME rt, r.UNIQUE_CONSTRAINT_NAME k, r.UPDATE_RULE u, r.DELETE_RULE d,
              GROUP_CONCAT(CONCAT(k.COLUMN_NAME, '>', k.REFERENCED_COLUMN_NAME) ORDER BY k.ORDINAL_POSITION) cols
         FROM information_schema.REFERENTIAL_CONSTRAINTS r
         JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.TABLE_NAME = r.TABLE_NAME AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME
        WHERE r.CONSTRAINT_SCHEMA = ? GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2`,
      [db.name],
    );
  expect(await foreignKeys(targetDb)).toEqual([
    { t: 'pets', n: 'pets_owner', rt: 'owners', k: 'PRIMARY', u: 'CASCADE', d: 'SET NULL', cols: 'owner_id>id' },
    { t: 'pets', n: 'pets_owner_code', rt: 'owners', k: 'owners_code', u: 'RESTRICT', d: 'CASCADE', cols: 'owner_code>code' },
  ]);
  expect(await foreignKeys(targetDb)).toEqual(await foreignKeys(sourceDb));
  const comments = (db: TempDatabase) =>
    query(
      db,
      `SELECT TABLE_NAME t, NULL c, TABLE_COMMENT note FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_COMMENT <> ''
       UNION ALL SELECT TABLE_NAME, COLUMN_NAME, COLUMN_COMMENT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND COLUMN_COMMENT <> '' ORDER BY 1, 2`,
      [db.name, db.name],
    );
  expect(await comments(targetDb)).toEqual(expect.arrayContaining([{ t: 'owners', c: null, note: 'who owns the pets' }, { t: 'owners', c: 'code', note: 'short code, unique' }, { t: 'items', c: null, note: 'priced items' }]));
  expect(await comments(targetDb)).toEqual(await comments(sourceDb));

  // Views, reading the target's own tables.
  const views = (db: TempDatabase) => query(db, 'SELECT TABLE_NAME t, CHECK_OPTION c FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY 1', [db.name]);
  expect(await views(targetDb)).toEqual([{ t: 'a_sum', c: 'NONE' }, { t: 'v_totals', c: 'CASCADED' }]);
  expect(await views(targetDb)).toEqual(await views(sourceDb));
  const sums = (db: TempDatabase) => query(db, 'SELECT CAST(n AS CHAR) n, CAST(s AS CHAR) s FROM a_sum');
  expect(await sums(targetDb)).toEqual([{ n: '3', s: '134.97' }]);
  expect(await sums(targetDb)).toEqual(await sums(sourceDb));
  expect(await query(targetDb, `SELECT VIEW_DEFINITION d FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'v_totals'`, [targetDb.name])).toEqual([
    { d: expect.stringContaining(`\`${targetDb.name}\`.\`items\``) },
  ]);

  // AUTO_INCREMENT: the counter is the source's (past the highest copied id and the deleted 100), and a new row takes it.
  const counterOf = (db: TempDatabase) => query(db, "SELECT AUTO_INCREMENT a FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'items'", [db.name]);
  const counter = await counterOf(targetDb);
  expect(Number(counter[0].a)).toBe(101);
  expect(counter).toEqual(await counterOf(sourceDb));
  await query(targetDb, 'INSERT INTO items (price, qty) VALUES (1, 2)');
  const added = await query(targetDb, 'SELECT id, CAST(total AS CHAR) total, label, code FROM items WHERE id > 40');
  // The trigger fires on the target's new row.
  expect(added).toEqual([{ id: Number(counter[0].a), total: '2.00', label: `item-${counter[0].a}`, code: 'auto-2' }]);
  const triggers = (db: TempDatabase) =>
    query(db, 'SELECT TRIGGER_NAME n, ACTION_TIMING t, EVENT_MANIPULATION e, ACTION_STATEMENT s, SQL_MODE m FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?', [db.name]);
  expect((await triggers(targetDb)).length).toBe(1);
  expect(await triggers(targetDb)).toEqual(await triggers(sourceDb));
  const routines = (db: TempDatabase) =>
    query(db, 'SELECT ROUTINE_NAME n, ROUTINE_TYPE t, ROUTINE_DEFINITION d, SQL_MODE m FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1', [db.name]);
  expect((await routines(targetDb)).map((r) => r.n)).toEqual(['add_item', 'auto_code', 'joined']);
  expect(await routines(targetDb)).toEqual(await routines(sourceDb));
  // Made under the source's sql_mode, the body still concatenates (under the target session's mode it would OR).
  expect(await query(targetDb, "SELECT joined('a', 'b') j")).toEqual([{ j: 'ab' }]);
  const events = (db: TempDatabase) =>
    query(
      db,
      `SELECT EVENT_NAME n, TIME_ZONE z, CAST(STARTS AS CHAR) s, STATUS st, SQL_MODE m, EVENT_DEFINITION d, INTERVAL_VALUE v, INTERVAL_FIELD f, ON_COMPLETION c, EVENT_COMMENT note
         FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1`,
      [db.name],
    );
  expect(await events(targetDb)).toEqual([
    expect.objectContaining({ n: 'purge_empty', z: '+05:00', s: '2030-01-01 03:00:00', st: 'DISABLED', d: 'DELETE FROM items WHERE qty = 0', note: 'nightly' }),
  ]);
  expect(await events(targetDb)).toEqual(await events(sourceDb));

  // The sequence hands out next what the source would (its next value not cached: 100 + 10 × 5), and the table's
  // default takes it from the target's own sequence.
  expect(await query(targetDb, 'SELECT id, note FROM tickets ORDER BY id')).toEqual([{ id: 105, note: 'first' }, { id: 110, note: 'second' }]);
  await query(targetDb, "INSERT INTO tickets (note) VALUES ('third')");
  expect(await query(targetDb, "SELECT id FROM tickets WHERE note = 'third'")).toEqual([{ id: 150 }]);
  expect(await query(targetDb, "SELECT COLUMN_DEFAULT d FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'tickets' AND COLUMN_NAME = 'id'", [targetDb.name])).toEqual([
    { d: `nextval(\`${targetDb.name}\`.\`ticket\`)` },
  ]);
  await query(targetDb, "DELETE FROM tickets WHERE note = 'third'");
  // The system-versioned table's rows, with its history, in a table versioned again, said in the plan's notes.
  expect(await query(targetDb, 'SELECT id, CAST(amount AS CHAR) a FROM prices ORDER BY id')).toEqual([{ id: 1, a: '1.50' }, { id: 2, a: '2.00' }]);
  expect(await query(targetDb, 'SELECT id, CAST(amount AS CHAR) a FROM prices FOR SYSTEM_TIME ALL ORDER BY id, row_end')).toEqual([
    { id: 1, a: '1.00' },
    { id: 1, a: '1.50' },
    { id: 2, a: '2.00' },
  ]);
  expect(await query(targetDb, "SELECT TABLE_TYPE k FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'prices'", [targetDb.name])).toEqual([{ k: 'SYSTEM VERSIONED' }]);
  const plan = (await handle.query(planQuery)) as MigrationPlan;
  expect(plan.notes).toContain(
    'table prices is system-versioned: so is the target table (on MariaDB), with its history (every version of its rows, with their row start and end) ' +
      "where the target can take it, else with its current rows (the migration's errors then say why); validation compares the current rows, the versions are counted as they are loaded",
  );
  await query(targetDb, 'CALL add_item(3.50)');
  expect(await query(targetDb, 'SELECT CAST(price AS CHAR) p, code FROM items WHERE id > 101')).toEqual([{ p: '3.50', code: 'auto-1' }]);
  await query(targetDb, 'DELETE FROM items WHERE id > 40');

  // One changed value in each type family is caught by the semantic tier, which names the row.
  const changes: Record<string, [string, string]> = {
    sets: ['1', "UPDATE sets SET s = 'read' WHERE id = 1"],
    bits: ['1', "UPDATE bits SET b8 = b'10100100' WHERE id = 1"],
    shapes: ['1', "UPDATE shapes SET pg = ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))') WHERE id = 1"],
    nets: ['2', "UPDATE nets SET v6 = '::ffff:10.0.0.2' WHERE id = 2"],
    docs: ['1', `UPDATE docs SET doc = '{"a": [1, 2.50, "y"], "b": null}' WHERE id = 1`],
    items: ['5', 'UPDATE items SET qty = 11 WHERE id = 5'],
  };
  for (const [, sql] of Object.values(changes)) await query(targetDb, sql);
  await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test', reason: 'one value changed per type family' }] });
  const failed = await waitForStatus(handle, (st) => st.status === 'failed' && st.validation?.attempt === 2, 180_000);
  expect(failed.failure?.code).toBe('ValidationFailed');
  const report = (await handle.query(validationQuery)) as ValidationReport;
  const changed = (report.results.semantic?.findings ?? []).filter((f) => f.check === 'row_changed').map((f) => [f.table, Object.values(f.key ?? {}).map(String)]);
  expect(changed.sort()).toEqual(Object.entries(changes).map(([table, [key]]) => [table, [key]]).sort());
  await handle.terminate('test over');

  // The keys act on the target as on the source: deleting an owner nulls one key of its pets and deletes the pets of the other.
  await query(targetDb, 'DELETE FROM owners WHERE id = 2');
  expect(await query(targetDb, 'SELECT id, owner_id o, owner_code c FROM pets ORDER BY id')).toEqual([
    { id: 1, o: 1, c: 'ann' },
    { id: 4, o: null, c: 'cy' },
    { id: 5, o: 3, c: null },
  ]);
  await expect(query(targetDb, "UPDATE owners SET code = 'ann2' WHERE id = 1")).rejects.toThrow(/foreign key constraint fails/);
  await query(targetDb, 'UPDATE owners SET id = 7 WHERE id = 1');
  expect(await query(targetDb, 'SELECT id, owner_id o FROM pets WHERE owner_code = ?', ['ann'])).toEqual([{ id: 1, o: 7 }]);
}, 300_000);
