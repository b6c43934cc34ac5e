/**
 * PostgreSQL floats hold NaN and ±Infinity; MariaDB's hold neither, SQLite's REAL no NaN (it stores NULL in its place,
 * silently). Migrated there, the gate says so on each float column, and each row holding such a value is rejected by
 * its key with the reason (naming the column, never the value), the other rows copied. Before, SQLite got NULL where
 * PostgreSQL had NaN, and MariaDB refused the row with its own words.
 */
import Database from 'better-sqlite3';
import { sqlitePath } from '../../connectors/endpoint';
import { mariadbRows, pgRows, type TempDatabase } from '../helpers/databases';
import { migrateOnce, migrationSuite } from '../helpers/suite';

const suite = migrationSuite();
let source: TempDatabase;

beforeAll(async () => {
  source = await suite.database('postgresql');
  await pgRows(source.endpoint, 'CREATE TABLE readings (id int PRIMARY KEY, f float8, r real)');
  await pgRows(source.endpoint, "INSERT INTO readings VALUES (1, 'NaN', 1), (2, 2.5, 'Infinity'), (3, '-Infinity', 3), (4, 4.25, NULL), (5, -0.5, 5)");
});

test('PostgreSQL → MariaDB: NaN and ±Infinity said at the gate, their rows rejected by key, the rest copied', async () => {
  const target = await suite.database('mysql');
  const { status, plan, rejected } = await migrateOnce(suite, source, target);
  const note = (c: string) => plan?.tables[0].columns.find((x) => x.column === c)?.note;
  expect(note('f')).toBe('NaN and ±Infinity cannot be held here: a row holding one is rejected, named by its key');
  expect(rejected).toEqual([
    [[1], 'column f holds NaN, which MariaDB/MySQL DOUBLE cannot hold: the row is not copied'],
    [[2], 'column r holds Infinity, which MariaDB/MySQL FLOAT cannot hold: the row is not copied'],
    [[3], 'column f holds -Infinity, which MariaDB/MySQL DOUBLE cannot hold: the row is not copied'],
  ]);
  // Rejected rows are missing in the target: validation says so.
  expect(status.status).toBe('failed');
  expect(await mariadbRows(target.endpoint, 'SELECT id, f FROM readings ORDER BY id')).toEqual([
    { id: 4, f: 4.25 },
    { id: 5, f: -0.5 },
  ]);
}, 300_000);

test('PostgreSQL → SQLite: NaN is not stored as NULL; ±Infinity is kept', async () => {
  const target = await suite.database('sqlite');
  const { plan, rejected } = await migrateOnce(suite, source, target);
  expect(plan?.tables[0].columns.find((x) => x.column === 'f')?.note).toBe('NaN cannot be held here: a row holding one is rejected, named by its key');
  expect(rejected).toEqual([[[1], 'column f holds NaN, which SQLite REAL cannot hold: the row is not copied']]);
  const db = new Database(sqlitePath(target.endpoint.connectionString), { readonly: true });
  try {
    expect(db.prepare('SELECT id, f, r FROM readings ORDER BY id').all()).toEqual([
      { id: 2, f: 2.5, r: Infinity },
      { id: 3, f: -Infinity, r: 3 },
      { id: 4, f: 4.25, r: null },
      { id: 5, f: -0.5, r: 5 },
    ]);
  } finally {
    db.close();
  }
}, 300_000);
