/**
 * Oracle introspection from catalogue rows (connectors/oracle/catalog.ts): the Chinook Oracle script's tables as
 * ALL_TABLES / ALL_TAB_COLUMNS / ALL_CONSTRAINTS / ALL_INDEXES rows (test/fixtures/oracle/chinook-catalogue.json),
 * read into Sensei's schema model and compared with the SQLite Chinook the other tests migrate.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CATALOGUE_SQL, sequencesFromCatalogue, tablesFromCatalogue, type OracleCatalogue } from '../../connectors/oracle/catalog';
import { planMigration } from '../../lib/mapping';
import type { TableInfo } from '../../lib/types';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'oracle', 'chinook-catalogue.json'), 'utf8')) as OracleCatalogue & { owner: string };
const tables = tablesFromCatalogue(fixture, fixture.owner);
const byName = (name: string) => tables.find((t) => t.name === name) as TableInfo;

/** The SQLite Chinook's tables, columns, keys and foreign keys, names in upper case as Oracle folds them. */
function sqliteChinook() {
  const db = new Database(path.join(__dirname, '..', '..', 'fixtures', 'chinook', 'Chinook_Sqlite.sqlite'), { readonly: true });
  try {
    const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    return names.map((name) => {
      const cols = db.prepare('SELECT name, "notnull", pk FROM pragma_table_info(?) ORDER BY cid').all(name) as { name: string; notnull: number; pk: number }[];
      const fks = db.prepare('SELECT "table", "from", "to" FROM pragma_foreign_key_list(?)').all(name) as { table: string; from: string; to: string }[];
      return {
        name: name.toUpperCase(),
        columns: cols.map((c) => [c.name.toUpperCase(), c.notnull === 1 || c.pk > 0]),
        primaryKey: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name.toUpperCase()),
        foreignKeys: fks.map((f) => [f.from.toUpperCase(), f.table.toUpperCase(), f.to.toUpperCase()]).sort(),
      };
    });
  } finally {
    db.close();
  }
}

describe('the Chinook Oracle catalogue read into the schema model', () => {
  test('the same tables, columns, nullability, primary and foreign keys as the SQLite Chinook', () => {
    const oracle = tables.map((t) => ({
      name: t.name,
      columns: t.columns.map((c) => [c.name, !c.nullable]),
      primaryKey: t.primaryKey,
      foreignKeys: t.foreignKeys.map((f) => [f.columns[0], f.referencedTable, f.referencedColumns[0]]).sort(),
    }));
    expect(oracle).toEqual(sqliteChinook());
  });

  test('native types as Oracle prints them, canonical types as the type map reads them', () => {
    const invoice = byName('INVOICE');
    expect(invoice.columns.map((c) => [c.name, c.nativeType, c.type.kind])).toEqual([
      ['INVOICEID', 'NUMBER', 'decimal'],
      ['CUSTOMERID', 'NUMBER', 'decimal'],
      ['INVOICEDATE', 'DATE', 'timestamp'],
      ['BILLINGADDRESS', 'VARCHAR2(70 BYTE)', 'varchar'],
      ['BILLINGCITY', 'VARCHAR2(40 BYTE)', 'varchar'],
      ['BILLINGSTATE', 'VARCHAR2(40 BYTE)', 'varchar'],
      ['BILLINGCOUNTRY', 'VARCHAR2(40 BYTE)', 'varchar'],
      ['BILLINGPOSTALCODE', 'VARCHAR2(10 BYTE)', 'varchar'],
      ['TOTAL', 'NUMBER(10,2)', 'decimal'],
    ]);
    expect(invoice.columns.find((c) => c.name === 'TOTAL')?.type).toEqual({ kind: 'decimal', precision: 10, scale: 2 });
  });

  test('constraint names, row estimates; indexes backing keys are not secondary indexes', () => {
    const track = byName('TRACK');
    expect(track.primaryKeyName).toBe('PK_TRACK');
    expect(track.foreignKeys.map((f) => f.name).sort()).toEqual(['FK_TRACKALBUMID', 'FK_TRACKGENREID', 'FK_TRACKMEDIATYPEID']);
    expect(track.indexes).toEqual([]);
    expect(track.rowEstimate).toBe(3503);
    expect(byName('PLAYLISTTRACK').primaryKey).toEqual(['PLAYLISTID', 'TRACKID']);
  });

  test('Chinook plans into PostgreSQL and MariaDB with the keys, decimals and timestamps of their Chinook', () => {
    const schema = { dialect: 'oracle' as const, schema: fixture.owner, tables };
    const pg = planMigration(schema, 'postgresql', { targetSchema: 'public' });
    expect(pg.blockers).toEqual([]);
    const pgInvoice = pg.tables.find((t) => t.target === 'INVOICE');
    expect(pgInvoice?.columns.map((c) => c.targetType)).toEqual([
      'numeric',
      'numeric',
      'timestamp(0) without time zone',
      'character varying(70)',
      'character varying(40)',
      'character varying(40)',
      'character varying(40)',
      'character varying(10)',
      'numeric(10,2)',
    ]);
    expect(pgInvoice?.keyColumns).toEqual(['INVOICEID']);
    // Each DATE column says it carries a time.
    expect(pgInvoice?.columns[2].note).toMatch(/time of day/);

    const maria = planMigration(schema, 'mysql', { targetSchema: 'chinook' });
    expect(maria.blockers).toEqual([]);
    const mariaTrack = maria.tables.find((t) => t.target === 'TRACK');
    expect(mariaTrack?.columns.find((c) => c.column === 'UNITPRICE')?.targetType).toBe('DECIMAL(10,2)');
    expect(mariaTrack?.columns.find((c) => c.column === 'NAME')?.targetType).toBe('VARCHAR(200)');
    // NUMBER without precision is wider than MariaDB's DECIMAL(65,30): said, with a lower confidence.
    const id = mariaTrack?.columns.find((c) => c.column === 'TRACKID');
    expect(id).toMatchObject({ targetType: 'DECIMAL(65,30)', confidence: 0.8 });
  });

  test("into Oracle, the NOT NULL text columns of a Chinook say that '' would be rejected", () => {
    const schema = { dialect: 'oracle' as const, schema: fixture.owner, tables };
    const plan = planMigration(schema, 'oracle', { targetSchema: 'COPY' });
    const customer = plan.tables.find((t) => t.target === 'CUSTOMER');
    const email = customer?.columns.find((c) => c.column === 'EMAIL');
    expect(email?.note).toMatch(/rejected by this NOT NULL column/);
    expect(customer?.columns.find((c) => c.column === 'COMPANY')?.note).toMatch(/'' arrives as NULL/);
    expect(customer?.columns.find((c) => c.column === 'CUSTOMERID')?.targetType).toBe('NUMBER');
  });
});

describe('catalogue rows of every kind', () => {
  const catalogue: OracleCatalogue = {
    tables: [{ TABLE_NAME: 'Orders', NUM_ROWS: null }, { TABLE_NAME: 'LINES', NUM_ROWS: 10 }],
    columns: [
      { TABLE_NAME: 'Orders', COLUMN_NAME: 'ID', DATA_TYPE: 'NUMBER', DATA_LENGTH: 22, DATA_PRECISION: 10, DATA_SCALE: 0, CHAR_LENGTH: 0, CHAR_USED: null, NULLABLE: 'N', DATA_DEFAULT: '"CHINOOK"."ISEQ$$_7".nextval', COLUMN_ID: 1, IDENTITY_COLUMN: 'YES', GENERATION_TYPE: 'ALWAYS' },
      { TABLE_NAME: 'Orders', COLUMN_NAME: 'status', DATA_TYPE: 'VARCHAR2', DATA_LENGTH: 40, DATA_PRECISION: null, DATA_SCALE: null, CHAR_LENGTH: 10, CHAR_USED: 'C', NULLABLE: 'Y', DATA_DEFAULT: "'new' ", COLUMN_ID: 3, IDENTITY_COLUMN: 'NO', GENERATION_TYPE: null },
      { TABLE_NAME: 'Orders', COLUMN_NAME: 'AT', DATA_TYPE: 'TIMESTAMP(6) WITH TIME ZONE', DATA_LENGTH: 13, DATA_PRECISION: null, DATA_SCALE: 6, CHAR_LENGTH: 0, CHAR_USED: null, NULLABLE: 'Y', DATA_DEFAULT: 'SYSTIMESTAMP', COLUMN_ID: 2, IDENTITY_COLUMN: 'NO', GENERATION_TYPE: null },
      { TABLE_NAME: 'Orders', COLUMN_NAME: 'R', DATA_TYPE: 'ROWID', DATA_LENGTH: 10, DATA_PRECISION: null, DATA_SCALE: null, CHAR_LENGTH: 0, CHAR_USED: null, NULLABLE: 'Y', DATA_DEFAULT: null, COLUMN_ID: 4, IDENTITY_COLUMN: 'NO', GENERATION_TYPE: null },
      { TABLE_NAME: 'LINES', COLUMN_NAME: 'ORDER_ID', DATA_TYPE: 'NUMBER', DATA_LENGTH: 22, DATA_PRECISION: 10, DATA_SCALE: 0, CHAR_LENGTH: 0, CHAR_USED: null, NULLABLE: 'N', DATA_DEFAULT: null, COLUMN_ID: 1, IDENTITY_COLUMN: 'NO', GENERATION_TYPE: null },
      { TABLE_NAME: 'LINES', COLUMN_NAME: 'NO', DATA_TYPE: 'NUMBER', DATA_LENGTH: 22, DATA_PRECISION: 4, DATA_SCALE: 0, CHAR_LENGTH: 0, CHAR_USED: null, NULLABLE: 'N', DATA_DEFAULT: null, COLUMN_ID: 2, IDENTITY_COLUMN: 'NO', GENERATION_TYPE: null },
      { TABLE_NAME: 'LINES', COLUMN_NAME: 'SKU', DATA_TYPE: 'NVARCHAR2', DATA_LENGTH: 40, DATA_PRECISION: null, DATA_SCALE: null, CHAR_LENGTH: 20, CHAR_USED: 'C', NULLABLE: 'Y', DATA_DEFAULT: null, COLUMN_ID: 3, IDENTITY_COLUMN: 'NO', GENERATION_TYPE: null },
    ],
    constraints: [
      { TABLE_NAME: 'Orders', CONSTRAINT_NAME: 'ORDERS_PK', CONSTRAINT_TYPE: 'P', R_OWNER: null, R_CONSTRAINT_NAME: null, DELETE_RULE: null, INDEX_NAME: 'ORDERS_PK', COLUMN_NAME: 'ID', POSITION: 1 },
      { TABLE_NAME: 'LINES', CONSTRAINT_NAME: 'LINES_FK', CONSTRAINT_TYPE: 'R', R_OWNER: 'SHOP', R_CONSTRAINT_NAME: 'ORDERS_PK', DELETE_RULE: 'CASCADE', INDEX_NAME: null, COLUMN_NAME: 'ORDER_ID', POSITION: 1 },
      { TABLE_NAME: 'LINES', CONSTRAINT_NAME: 'LINES_PK', CONSTRAINT_TYPE: 'P', R_OWNER: null, R_CONSTRAINT_NAME: null, DELETE_RULE: null, INDEX_NAME: 'LINES_PK', COLUMN_NAME: 'ORDER_ID', POSITION: 1 },
      { TABLE_NAME: 'LINES', CONSTRAINT_NAME: 'LINES_PK', CONSTRAINT_TYPE: 'P', R_OWNER: null, R_CONSTRAINT_NAME: null, DELETE_RULE: null, INDEX_NAME: 'LINES_PK', COLUMN_NAME: 'NO', POSITION: 2 },
      { TABLE_NAME: 'LINES', CONSTRAINT_NAME: 'LINES_SKU_UK', CONSTRAINT_TYPE: 'U', R_OWNER: null, R_CONSTRAINT_NAME: null, DELETE_RULE: null, INDEX_NAME: 'LINES_SKU_UK', COLUMN_NAME: 'SKU', POSITION: 1 },
      { TABLE_NAME: 'LINES', CONSTRAINT_NAME: 'LINES_OTHER_FK', CONSTRAINT_TYPE: 'R', R_OWNER: 'ELSEWHERE', R_CONSTRAINT_NAME: 'ORDERS_PK', DELETE_RULE: 'NO ACTION', INDEX_NAME: null, COLUMN_NAME: 'NO', POSITION: 1 },
    ],
    indexes: [
      { TABLE_NAME: 'Orders', INDEX_NAME: 'ORDERS_PK', UNIQUENESS: 'UNIQUE', INDEX_TYPE: 'NORMAL', COLUMN_NAME: 'ID', COLUMN_POSITION: 1, DESCEND: 'ASC' },
      { TABLE_NAME: 'Orders', INDEX_NAME: 'ORDERS_STATUS_AT', UNIQUENESS: 'NONUNIQUE', INDEX_TYPE: 'NORMAL', COLUMN_NAME: 'status', COLUMN_POSITION: 1, DESCEND: 'ASC' },
      { TABLE_NAME: 'Orders', INDEX_NAME: 'ORDERS_STATUS_AT', UNIQUENESS: 'NONUNIQUE', INDEX_TYPE: 'NORMAL', COLUMN_NAME: 'AT', COLUMN_POSITION: 2, DESCEND: 'ASC' },
      { TABLE_NAME: 'Orders', INDEX_NAME: 'ORDERS_UPPER', UNIQUENESS: 'NONUNIQUE', INDEX_TYPE: 'FUNCTION-BASED NORMAL', COLUMN_NAME: 'SYS_NC00005$', COLUMN_POSITION: 1, DESCEND: 'ASC' },
      { TABLE_NAME: 'LINES', INDEX_NAME: 'LINES_SKU_UK', UNIQUENESS: 'UNIQUE', INDEX_TYPE: 'NORMAL', COLUMN_NAME: 'SKU', COLUMN_POSITION: 1, DESCEND: 'ASC' },
    ],
    sequences: [{ SEQUENCE_NAME: 'INVOICE_SEQ', MIN_VALUE: 1, MAX_VALUE: '9999999999999999999999999999', INCREMENT_BY: 1, CYCLE_FLAG: 'N', CACHE_SIZE: 20, LAST_NUMBER: 413 }],
  };
  const [orders, lines] = tablesFromCatalogue(catalogue, 'SHOP');

  test('columns in COLUMN_ID order; identity kind; the identity default not copied; quoted names keep their case', () => {
    expect(orders.columns.map((c) => c.name)).toEqual(['ID', 'AT', 'status', 'R']);
    expect(orders.columns[0]).toMatchObject({ identity: 'always', default: null, nullable: false, type: { kind: 'int64', autoIncrement: true } });
    expect(orders.columns[2]).toMatchObject({ nativeType: 'VARCHAR2(10 CHAR)', default: "'new'", type: { kind: 'varchar', length: 10 } });
    expect(orders.columns[3].type.kind).toBe('unsupported');
    expect(orders.rowEstimate).toBe(0);
  });

  test('keys, unique constraints, foreign keys within the owner, secondary indexes without expression ones', () => {
    expect(lines.primaryKey).toEqual(['ORDER_ID', 'NO']);
    expect(lines.uniqueConstraints).toEqual([{ name: 'LINES_SKU_UK', columns: ['SKU'] }]);
    expect(lines.foreignKeys).toEqual([{ name: 'LINES_FK', columns: ['ORDER_ID'], referencedTable: 'Orders', referencedColumns: ['ID'], onDelete: 'CASCADE' }]);
    expect(lines.indexes).toEqual([]);
    expect(orders.indexes).toEqual([{ name: 'ORDERS_STATUS_AT', columns: ['status', 'AT'], unique: false }]);
  });

  test('a ROWID column blocks the plan with its reason', () => {
    const plan = planMigration({ dialect: 'oracle', schema: 'SHOP', tables: [orders] }, 'postgresql', { targetSchema: 'public' });
    expect(plan.blockers).toEqual([expect.stringMatching(/^Orders\.R: .*ROWID/)]);
  });

  test('sequences other than identities are described for an Oracle target', () => {
    expect(sequencesFromCatalogue(catalogue.sequences)).toEqual([
      { kind: 'sequence', name: 'INVOICE_SEQ', stage: 'before_tables', create: ['CREATE SEQUENCE "INVOICE_SEQ" START WITH 413 INCREMENT BY 1 MINVALUE 1 MAXVALUE 9999999999999999999999999999 NOCYCLE CACHE 20'] },
    ]);
  });

  test('every catalogue query reads its ALL_ view for the owner bound as :owner', () => {
    const views: Record<keyof OracleCatalogue, string[]> = {
      tables: ['ALL_TABLES'],
      columns: ['ALL_TAB_COLUMNS', 'ALL_TAB_IDENTITY_COLS'],
      constraints: ['ALL_CONSTRAINTS', 'ALL_CONS_COLUMNS'],
      indexes: ['ALL_INDEXES', 'ALL_IND_COLUMNS'],
      sequences: ['ALL_SEQUENCES'],
    };
    for (const [part, sql] of Object.entries(CATALOGUE_SQL) as [keyof OracleCatalogue, string][]) {
      for (const view of views[part]) expect(sql).toMatch(new RegExp(`\\b(FROM|JOIN) ${view}\\b`));
      expect(sql).toMatch(/OWNER = :owner/);
      // Every column the reader uses is selected.
      const used = Object.keys(part === 'sequences' ? catalogue.sequences[0] : (catalogue[part][0] as object));
      for (const column of used) expect(sql).toContain(column);
    }
  });
});
