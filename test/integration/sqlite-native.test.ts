/**
 * SQLite → SQLite keeps everything, through the whole workflow on a real Temporal dev server: each column's declared
 * type as written (none too), every value with its storage class and bytes (a TEXT value in an INTEGER column, a REAL
 * one there, BLOBs, REALs to the last bit, integers at the 64-bit edge), defaults as expressions, AUTOINCREMENT with its
 * counter, CHECK, UNIQUE, foreign keys with their actions, partial and expression indexes, a view and a trigger. Values
 * are compared by this test's own queries (typeof and hex of every stored value), not by Sensei's.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Endpoint } from '../../connectors/types';
import type { ValidationReport } from '../../lib/migration';
import { revalidateUpdate, startUpdate, validationQuery } from '../../workflows/migration';
import { migrationSuite } from '../helpers/suite';
import { fillSqliteNative } from '../helpers/zoo';
import { isOver, startMigration, waitForStatus } from '../helpers/temporal';

const suite = migrationSuite();

let dir: string;
let source: Endpoint;
let target: Endpoint;

beforeAll(() => {
  dir = suite.dir;
  source = { type: 'sqlite', connectionString: path.join(dir, 'source.sqlite') };
  target = { type: 'sqlite', connectionString: path.join(dir, 'target.sqlite') };
  fillSqliteNative(source.connectionString);
});

function open(endpoint: Endpoint): Database.Database {
  const db = new Database(endpoint.connectionString, { readonly: true });
  db.defaultSafeIntegers(true);
  return db;
}

/** Every stored value of a table as `storage class:exact text` (hex for TEXT and BLOB, the double's bits for REAL). */
function contents(db: Database.Database, table: string): string[][] {
  const columns = (db.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string }[]).map((c) => c.name);
  const select = columns.map((c) => `typeof("${c}"), CASE WHEN typeof("${c}") IN ('text', 'blob') THEN hex("${c}") ELSE "${c}" END`).join(', ');
  const rows = db.prepare(`SELECT ${select} FROM "${table}" ORDER BY rowid`).raw(true).all() as unknown[][];
  return rows.map((row) =>
    columns.map((_c, i) => {
      const [kind, value] = [row[2 * i], row[2 * i + 1]];
      if (kind === 'real') {
        const bits = Buffer.alloc(8);
        bits.writeDoubleBE(value as number);
        return `real:${bits.toString('hex')}`;
      }
      return `${kind}:${String(value)}`;
    }),
  );
}

/** What sqlite_schema holds, as written: tables, indexes, views and triggers with their statements. */
function schemaOf(db: Database.Database): unknown[] {
  return db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name").all();
}

/** Migrates `from` into `to` through the workflow, approved, and expects it completed; answers its last status. */
async function migrate(from: Endpoint, to: Endpoint, chunkSize: number) {
  const handle = await startMigration(suite.harness, from, to, 'aggressive', { auto_approve_high_confidence: true, chunk_size: chunkSize });
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, isOver, 120_000);
  expect(status.failure).toBeNull();
  expect(status.status).toBe('completed');
  return status;
}

test('SQLite → SQLite: declared types, values with their storage class and bytes, defaults, keys, indexes, view and trigger', async () => {
  const status = await migrate(source, target, 2);
  expect(status.validation?.status).toBe('passed');

  const src = open(source);
  const dst = open(target);
  try {
    // The schema as written: CREATE TABLE (types, defaults, CHECK, UNIQUE, FKs, generated column), indexes, view, trigger.
    expect(schemaOf(dst)).toEqual(schemaOf(src));
    expect((schemaOf(dst) as { type: string }[]).map((o) => o.type).sort()).toEqual(['index', 'index', 'table', 'table', 'trigger', 'view']);
    const columns = (db: Database.Database) => db.prepare("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo('kinds')").all();
    expect(columns(dst)).toEqual(columns(src));
    const foreignKeys = (db: Database.Database) => db.prepare("SELECT * FROM pragma_foreign_key_list('kinds')").all();
    expect(foreignKeys(dst)).toEqual([expect.objectContaining({ table: 'parent', from: 'parent_id', to: 'id', on_delete: 'CASCADE', on_update: 'SET NULL' })]);
    expect(foreignKeys(dst)).toEqual(foreignKeys(src));

    // Every value with its storage class and bytes; the generated column computed again.
    for (const table of ['parent', 'kinds']) expect({ table, rows: contents(dst, table) }).toEqual({ table, rows: contents(src, table) });
    const classes = (db: Database.Database) => db.prepare('SELECT typeof(i) i, typeof(t) t, typeof(u) u FROM kinds ORDER BY id').all();
    expect(classes(dst)).toEqual(classes(src));
    expect(classes(dst)).toEqual([
      { i: 'integer', t: 'text', u: 'integer' },
      { i: 'text', t: 'text', u: 'text' },
      { i: 'real', t: 'blob', u: 'blob' },
      { i: 'integer', t: 'text', u: 'real' },
      { i: 'integer', t: 'text', u: 'real' },
    ]);
    expect(dst.prepare('SELECT r FROM kinds WHERE id = 2').get()).toEqual({ r: 0.1 + 0.2 });
    expect(dst.prepare("SELECT twice FROM kinds WHERE label = 'c'").get()).toEqual({ twice: 60n });
    // The view reads the target's tables.
    expect(dst.prepare('SELECT id, score, name FROM high_scores ORDER BY id').all()).toEqual(src.prepare('SELECT id, score, name FROM high_scores ORDER BY id').all());
    // The AUTOINCREMENT counter is the source's, past the deleted row.
    const counter = (db: Database.Database) => db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kinds'").get();
    expect(counter(dst)).toEqual({ seq: 6n });
  } finally {
    src.close();
    dst.close();
  }

  // On the target: the trigger fires, the default expressions apply, the counter goes on, CHECK and UNIQUE refuse.
  const db = new Database(target.connectionString);
  db.defaultSafeIntegers(true);
  try {
    db.pragma('foreign_keys = ON');
    db.prepare("INSERT INTO kinds (label, score, parent_id) VALUES ('new', 5, 3)").run();
    expect(db.prepare("SELECT id, flag, made IS NOT NULL made FROM kinds WHERE label = 'new'").get()).toEqual({ id: 7n, flag: 1n, made: 1n });
    expect(db.prepare('SELECT children FROM parent WHERE id = 3').get()).toEqual({ children: 1n });
    expect(() => db.prepare("INSERT INTO kinds (label, score) VALUES ('neg', -1)").run()).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare("INSERT INTO kinds (label, parent_id) VALUES ('a', 1)").run()).toThrow(/UNIQUE constraint failed/);
    expect(() => db.prepare("INSERT INTO parent (name) VALUES ('ONE')").run()).toThrow(/UNIQUE constraint failed/);
    // ON DELETE CASCADE: the parent's rows go with it.
    db.prepare('DELETE FROM parent WHERE id = 2').run();
    expect(db.prepare('SELECT COUNT(*) n FROM kinds WHERE parent_id = 2').get()).toEqual({ n: 0n });
    // The partial and expression indexes serve the queries they were made for (INDEXED BY fails when an index cannot).
    expect(db.prepare('SELECT id FROM kinds INDEXED BY kinds_high_scores WHERE score > 10 ORDER BY id').all()).toEqual([{ id: 2n }]);
    expect(db.prepare("SELECT id FROM kinds INDEXED BY kinds_lower_label WHERE lower(label) = 'a'").all()).toEqual([{ id: 1n }]);
  } finally {
    db.close();
  }
});

test('SQLite → SQLite: TEXT that is not UTF-8 is kept byte for byte, as TEXT, in keyed and keyless tables (it failed the copy)', async () => {
  const from: Endpoint = { type: 'sqlite', connectionString: path.join(dir, 'bytes-source.sqlite') };
  const to: Endpoint = { type: 'sqlite', connectionString: path.join(dir, 'bytes-target.sqlite') };
  const db = new Database(from.connectionString);
  try {
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, n INTEGER, anything, b BLOB)');
    db.exec('CREATE TABLE loose (body TEXT, n NUMERIC)');
    const insert = db.prepare('INSERT INTO notes VALUES (?, CAST(? AS TEXT), ?, ?, ?)');
    // A lone continuation byte, a truncated sequence, an overlong '/', Latin-1 text; in TEXT, INTEGER and untyped columns.
    const bad = [Buffer.from([0x61, 0x80, 0x62]), Buffer.from([0xe2, 0x82]), Buffer.from([0xc0, 0xaf]), Buffer.from('café', 'latin1')];
    for (let i = 1; i <= 12; i++) insert.run(i, i % 3 === 0 ? bad[i % 4] : Buffer.from(`note ${i}`), i, i % 4 === 0 ? `plain ${i}` : null, Buffer.from([i, 0x80]));
    db.prepare('UPDATE notes SET n = CAST(? AS TEXT), anything = CAST(? AS TEXT) WHERE id = 5').run(bad[0], bad[3]);
    // The same bytes as a BLOB stay a BLOB.
    db.prepare('UPDATE notes SET b = ? WHERE id = 6').run(bad[1]);
    const loose = db.prepare('INSERT INTO loose VALUES (CAST(? AS TEXT), ?)');
    for (const [i, value] of [Buffer.from('fine'), bad[0], bad[0], Buffer.from([0xff, 0xfe])].entries()) loose.run(value, i);
  } finally {
    db.close();
  }
  const status = await migrate(from, to, 5);
  expect(status.validation?.status).toBe('passed');
  expect(status.errors).toEqual([]);
  const src = open(from);
  const dst = open(to);
  try {
    expect(contents(dst, 'notes')).toEqual(contents(src, 'notes'));
    // A table without a key is copied in the order of its values (its rowids are not kept).
    const sorted = (d: Database.Database) => contents(d, 'loose').map((r) => r.join(' ')).sort();
    expect(sorted(dst)).toEqual(sorted(src));
    const texts = (d: Database.Database) => d.prepare("SELECT id, typeof(body) t, hex(body) h FROM notes WHERE id IN (3, 5, 6, 9) ORDER BY id").all();
    expect(texts(dst)).toEqual(texts(src));
    expect(dst.prepare("SELECT typeof(n) n, hex(n) h, typeof(anything) a, typeof(b) b FROM notes WHERE id = 5").get()).toEqual({ n: 'text', h: '618062', a: 'text', b: 'blob' });
    expect(dst.prepare("SELECT typeof(b) b, hex(b) h FROM notes WHERE id = 6").get()).toEqual({ b: 'blob', h: 'E282' });
    expect(dst.prepare("SELECT COUNT(*) n FROM loose WHERE typeof(body) = 'text'").get()).toEqual({ n: 4n });
  } finally {
    src.close();
    dst.close();
  }
});

test("SQLite → SQLite: a UTF-16 database's text arrives as the same text (its bytes, cast to BLOB, are UTF-16)", async () => {
  const from: Endpoint = { type: 'sqlite', connectionString: path.join(dir, 'utf16-source.sqlite') };
  const to: Endpoint = { type: 'sqlite', connectionString: path.join(dir, 'utf16-target.sqlite') };
  const db = new Database(from.connectionString);
  const texts = ['ab', 'é', '☃ snow', '', 'x\u0000y'];
  try {
    db.pragma("encoding = 'UTF-16le'");
    db.exec('CREATE TABLE words (id INTEGER PRIMARY KEY, body TEXT, anything)');
    const insert = db.prepare('INSERT INTO words VALUES (?, ?, ?)');
    for (const [i, text] of texts.entries()) insert.run(i + 1, text, text);
    expect(db.pragma('encoding', { simple: true })).toBe('UTF-16le');
  } finally {
    db.close();
  }
  const status = await migrate(from, to, 2);
  const dst = open(to);
  try {
    expect(dst.prepare('SELECT id, body, anything, typeof(body) t FROM words ORDER BY id').all()).toEqual(
      texts.map((text, i) => ({ id: BigInt(i + 1), body: text, anything: text, t: 'text' })),
    );
  } finally {
    dst.close();
  }
  expect(status.validation?.status).toBe('passed');
});

test('SQLite → SQLite: a changed value in each storage class is caught by the semantic tier, which names its row', async () => {
  const to: Endpoint = { type: 'sqlite', connectionString: path.join(dir, 'changed-target.sqlite') };
  // Held open after it completes, so it can validate again once the target is changed.
  const hold = { completed_hold_seconds: 600, failed_hold_seconds: 600 };
  const handle = await startMigration(suite.harness, source, to, 'aggressive', { auto_approve_high_confidence: true, chunk_size: 2, validation: hold });
  await handle.executeUpdate(startUpdate);
  const status = await waitForStatus(handle, (s) => s.status === 'completed', 120_000);
  expect(status.validation?.status).toBe('passed');

  const changes: Record<string, [string, string]> = {
    // An INTEGER, a REAL by its last bit (0.1 + 0.2 → 0.3), a BLOB by one byte, TEXT in a NUMERIC column.
    'kinds 1': ['1', 'UPDATE kinds SET i = 2 WHERE id = 1'],
    'kinds 2': ['2', 'UPDATE kinds SET r = 0.3 WHERE id = 2'],
    'kinds 3': ['3', "UPDATE kinds SET t = x'cafd' WHERE id = 3"],
    // The same number in another storage class: the REAL 1.0 of an untyped column as the INTEGER 1.
    'kinds 4': ['4', 'UPDATE kinds SET u = 1 WHERE id = 4'],
    'kinds 5': ['5', "UPDATE kinds SET n = 'abd' WHERE id = 5"],
    // TEXT by its case, in a NOCASE column (equal to SQLite's comparisons, not to the source's bytes).
    'parent 1': ['1', "UPDATE parent SET name = 'One' WHERE id = 1"],
  };
  const db = new Database(to.connectionString);
  try {
    for (const [, sql] of Object.values(changes)) db.prepare(sql).run();
    expect(db.prepare('SELECT typeof(u) u FROM kinds WHERE id = 4').get()).toEqual({ u: 'integer' });
  } finally {
    db.close();
  }
  await handle.executeUpdate(revalidateUpdate, { args: [{ by: 'test', reason: 'one value changed per storage class' }] });
  const failed = await waitForStatus(handle, (s) => s.status === 'failed' && s.validation?.attempt === 2, 120_000);
  expect(failed.failure?.code).toBe('ValidationFailed');
  const report = (await handle.query(validationQuery)) as ValidationReport;
  const changed = (report.results.semantic?.findings ?? []).filter((f) => f.check === 'row_changed').map((f) => `${f.table} ${Object.values(f.key ?? {}).map(String).join()}`);
  expect(changed.sort()).toEqual(Object.keys(changes).sort());
  await handle.terminate('test over');
});
