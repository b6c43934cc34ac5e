/**
 * MariaDB → MariaDB keeps native types, through the whole workflow on a real Temporal dev server: a source with a
 * table per type family (SET/ENUM, BIT(n)/YEAR/unsigned integers, GEOMETRY and its subtypes, INET4/INET6/UUID, JSON,
 * a generated column, a secondary index, an AUTO_INCREMENT key, expression defaults). The target's COLUMN_TYPE equals
 * the source's per column, every value is equal by this test's own SQL (HEX of the stored bytes), the generated
 * column is generated again, and the AUTO_INCREMENT counter is past the highest copied value.
 */
import type { ValidationReport } from '../../lib/migration';
import type { MigrationPlan } from '../../lib/types';
import { planQuery, revalidateUpdate, startUpdate, validationQuery } from '../../workflows/migration';
import { mariadbRows, type TempDatabase } from '../helpers/databases';
import { migrationSuite } from '../helpers/suite';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite();
let sourceDb: TempDatabase;
let targetDb: TempDatabase;

const TABLES: Record<string, string> = {
  sets: `CREATE TABLE sets (
    id INT PRIMARY KEY,
    s SET('read','write','admin') NOT NULL DEFAULT 'read',
    e ENUM('small','medium','large') NULL,
    name VARCHAR(40) CHARACTER SET latin1 COLLATE latin1_swedish_ci
  )`,
  bits: `CREATE TABLE bits (
    id BIGINT UNSIGNED PRIMARY KEY,
    b8 BIT(8), b1 BIT(1), b64 BIT(64) NOT NULL DEFAULT b'101',
    y YEAR, ti TINYINT UNSIGNED, si SMALLINT UNSIGNED, mi MEDIUMINT UNSIGNED, i INT UNSIGNED, bi BIGINT UNSIGNED,
    flag TINYINT(1), f FLOAT, d DOUBLE, amount DECIMAL(12,3) UNSIGNED
  )`,
  shapes: `CREATE TABLE shapes (
    id INT PRIMARY KEY,
    g GEOMETRY, p POINT NOT NULL, l LINESTRING, pg POLYGON, mp MULTIPOINT, gc GEOMETRYCOLLECTION,
    SPATIAL INDEX shapes_p (p)
  )`,
  nets: `CREATE TABLE nets (id INT PRIMARY KEY, v4 INET4, v6 INET6, u UUID, UNIQUE KEY nets_u (u))`,
  docs: `CREATE TABLE docs (id INT PRIMARY KEY, doc JSON, note TEXT, CONSTRAINT docs_id_positive CHECK (id > 0))`,
  // Values a strict reading would refuse: zero dates, TIME past a day, ZEROFILL, a binary-collated key.
  odd: `CREATE TABLE odd (
    id VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY,
    dt DATETIME, d DATE, t TIME(2), z INT(6) UNSIGNED ZEROFILL, ts TIMESTAMP(6) NULL, bin VARBINARY(8), mt MEDIUMTEXT CHARACTER SET utf8mb3
  )`,
  // Keys of types only MariaDB has (walked in the server's order).
  ipkeyed: `CREATE TABLE ipkeyed (id INET6 PRIMARY KEY, n INT)`,
  bitkeyed: `CREATE TABLE bitkeyed (id BIT(16) PRIMARY KEY, s SET('p','q') NOT NULL)`,
  // No key: copied whole through the row path (read, then LOAD DATA), not the server-rendered text.
  loose: `CREATE TABLE loose (id INT, b BIT(12), s SET('x','y'), g GEOMETRY, v6 INET6, y YEAR, u BIGINT UNSIGNED, f FLOAT, t TEXT, dt DATETIME, d DATE, flag TINYINT(1), b1 BIT(1))`,
  items: `CREATE TABLE items (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    price DECIMAL(10,2) NOT NULL,
    qty INT NOT NULL CHECK (qty >= 0),
    total DECIMAL(12,2) AS (price * qty) STORED,
    label VARCHAR(60) AS (CONCAT('item-', id)) VIRTUAL,
    created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated DATETIME(3) NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP(3),
    code VARCHAR(200),
    KEY items_qty_code (qty, code(20))
  ) COMMENT 'priced items'`,
};

const ROWS = [
  `INSERT INTO sets VALUES (1, 'read,admin', 'large', 'Åsa'), (2, '', NULL, NULL), (3, 'read,write,admin', 'small', 'tab\there')`,
  `INSERT INTO bits VALUES
    (1, b'10100101', b'1', b'1111111111111111111111111111111111111111111111111111111111111111', 1901, 255, 65535, 16777215, 4294967295, 18446744073709551615, 7, 3.40282e38, 0.1, 999999999.999),
    (2, NULL, b'0', b'0', 2155, 0, 0, 0, 0, 0, 0, -1.5e-30, -2.2250738585072014e-308, 0),
    (18446744073709551615, b'0', NULL, DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  `INSERT INTO shapes VALUES
    (1, ST_GeomFromText('POINT(1 2)', 4326), ST_GeomFromText('POINT(-71.0589 42.3601)', 4326), ST_GeomFromText('LINESTRING(0 0,1 1,2 0.5)'),
        ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2))'), ST_GeomFromText('MULTIPOINT(1 1,2 2)'),
        ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))')),
    (2, NULL, ST_GeomFromText('POINT(0.1 0.2)'), NULL, NULL, NULL, NULL)`,
  `INSERT INTO nets VALUES (1, '192.168.0.1', '2001:db8::ff00:42:8329', 'f47ac10b-58cc-4372-a567-0e02b2c3d479'), (2, '0.0.0.0', '::ffff:10.0.0.1', NULL), (3, NULL, NULL, '00000000-0000-0000-0000-000000000000')`,
  `INSERT INTO docs VALUES (1, '{"a": [1, 2.50, "x"], "b": null}', 'back\\\\slash\\nnewline'), (2, '[]', ''), (3, NULL, NULL)`,
  `INSERT INTO odd VALUES ('a', '0000-00-00 00:00:00', '2024-00-00', '-838:59:59.00', 42, '2038-01-19 03:14:07.999999', 0x00FF7F80, 'ü€'),
    ('A', '9999-12-31 23:59:59', '0000-00-00', '838:59:59.99', 0, NULL, '', ''), ('b ', NULL, NULL, '00:00:00.01', 4294967295, '1970-01-01 00:00:01', NULL, NULL)`,
  `INSERT INTO ipkeyed VALUES ('::1', 1), ('::ffff:1.2.3.4', 2), ('2001:db8::1', 3), ('fe80::1', 4), ('::', 5), ('ff02::2', 6), ('10::', 7)`,
  `INSERT INTO bitkeyed VALUES (b'0', 'p'), (b'1', ''), (b'10', 'q'), (b'1111111111111111', 'p,q'), (b'100000000', 'p'), (b'11', 'q'), (b'111', 'p')`,
  `INSERT INTO loose VALUES (1, b'111100001111', 'x,y', ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))', 3857), 'fe80::1', 1999, 18446744073709551615, 1.17549e-38, 'a\tb', '0000-00-00 00:00:00', '2024-00-00', 7, b'1'),
    (2, NULL, '', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (3, b'0', 'y', ST_GeomFromText('POINT(3 4)'), '::', 2000, 0, 0.3, '\\N', '2024-02-29 12:00:00', '0000-00-00', -128, b'0')`,
  `INSERT INTO items (id, price, qty, created, updated, code) VALUES
    (1, 9.99, 3, '2024-01-02 03:04:05', '2024-05-06 07:08:09.123', 'A-1'), (5, 0.50, 10, '2001-01-01 00:00:00', NULL, NULL),
    (40, 100.00, 1, '2030-12-31 23:59:59', '2030-12-31 23:59:59.999', REPEAT('x', 200)), (100, 1, 1, DEFAULT, DEFAULT, 'gone')`,
  // The counter stays past a deleted row (101), as the source's own.
  'DELETE FROM items WHERE id = 100',
  // Views, one reading another (created after the data, in the target's database).
  'CREATE VIEW v_totals AS SELECT id, total, label FROM items WHERE qty > 0 WITH CHECK OPTION',
  'CREATE VIEW a_sum AS SELECT COUNT(*) AS n, SUM(total) AS s FROM v_totals',
  // A function a trigger calls, and the trigger (made after the data: the copy does not fire it).
  `CREATE FUNCTION auto_code(q INT) RETURNS VARCHAR(20) DETERMINISTIC RETURN CONCAT('auto-', q)`,
  `CREATE TRIGGER items_code BEFORE INSERT ON items FOR EACH ROW BEGIN
     IF NEW.code IS NULL THEN SET NEW.code = auto_code(NEW.qty); END IF;
   END`,
  `CREATE PROCEDURE add_item(IN p DECIMAL(10,2)) MODIFIES SQL DATA INSERT INTO items (price, qty) VALUES (p, 1)`,
  // A body that reads as its sql_mode says: || is CONCAT under PIPES_AS_CONCAT, OR otherwise.
  `SET STATEMENT sql_mode = 'PIPES_AS_CONCAT' FOR CREATE FUNCTION joined(a VARCHAR(10), b VARCHAR(10)) RETURNS VARCHAR(20) DETERMINISTIC RETURN a || b`,
  // A sequence (advanced past its start) a column's default takes values from, and a system-versioned table with history.
  'CREATE SEQUENCE ticket START WITH 100 INCREMENT BY 5 CACHE 10',
  'SELECT NEXT VALUE FOR ticket',
  'CREATE TABLE tickets (id INT PRIMARY KEY DEFAULT (NEXT VALUE FOR ticket), note VARCHAR(10))',
  "INSERT INTO tickets (note) VALUES ('first'), ('second')",
  'CREATE TABLE prices (id INT PRIMARY KEY, amount DECIMAL(10,2)) WITH SYSTEM VERSIONING',
  'INSERT INTO prices VALUES (1, 1.00), (2, 2.00)',
  'UPDATE prices SET amount = 1.50 WHERE id = 1',
  // An event, made in another time zone than the target's sessions (its STARTS is in that zone).
  `SET STATEMENT time_zone = '+05:00' FOR CREATE EVENT purge_empty ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' DISABLE COMMENT 'nightly' DO DELETE FROM items WHERE qty = 0`,
];

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
  for (const sql of [...Object.values(TABLES), ...ROWS]) await query(sourceDb, sql);
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
  for (const table of Object.keys(TABLES)) {
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
  // The system-versioned table's current rows, said in the plan's notes.
  expect(await query(targetDb, 'SELECT id, CAST(amount AS CHAR) a FROM prices ORDER BY id')).toEqual([{ id: 1, a: '1.50' }, { id: 2, a: '2.00' }]);
  const plan = (await handle.query(planQuery)) as MigrationPlan;
  expect(plan.notes).toContain('table prices is system-versioned: its current rows are migrated (row start and end columns as plain values), not its history, and the target table is not versioned');
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
}, 300_000);
