/**
 * What the Snowflake connector sends (connectors/snowflake/sql.ts, url.ts, catalog.ts): load files, PUT, COPY with
 * ON_ERROR, VALIDATE, the keyed replace, keyset reads, CREATE TABLE, connection strings and catalogue rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { redactConnectionString } from '../../connectors/endpoint';
import { tablesFromCatalogue as oracleTables, type OracleCatalogue } from '../../connectors/oracle/catalog';
import { SnowflakeConnector } from '../../connectors/snowflake';
import { tablesFromCatalogue } from '../../connectors/snowflake/catalog';
import { afterCondition, copySql, csvField, csvText, keysetRead, putSql, readExpression, rejectedSql, replaceFromStagingSql, stagingTableSql } from '../../connectors/snowflake/sql';
import { driverOptions, parseSnowflakeUrl } from '../../connectors/snowflake/url';
import { ConnectorError } from '../../connectors/types';
import { planMigration, planTable } from '../../lib/mapping';
import { portableCheck } from '../../lib/typemap/check';
import type { TablePlan } from '../../lib/types';

describe('load files', () => {
  test('NULL is an empty field, text is always quoted (so an empty text stays empty), binary is hex, zones are ISO', () => {
    expect(csvField(null, { kind: 'text' })).toBe('');
    expect(csvField('', { kind: 'text' })).toBe('""');
    expect(csvField('say "hi", then\nleave', { kind: 'varchar' })).toBe('"say ""hi"", then\nleave"');
    expect(csvField('12345678901234567890', { kind: 'int64' })).toBe('12345678901234567890');
    expect(csvField('-0.99', { kind: 'decimal' })).toBe('-0.99');
    expect(csvField(1.5, { kind: 'float64' })).toBe('1.5');
    expect(csvField(true, { kind: 'boolean' })).toBe('TRUE');
    expect(csvField(Buffer.from([0, 171, 255]), { kind: 'binary' })).toBe('00abff');
    expect(csvField('2009-01-01 00:00:00', { kind: 'timestamp' })).toBe('2009-01-01T00:00:00');
    expect(csvField('2009-01-01 10:00:00.5Z', { kind: 'timestamptz' })).toBe('2009-01-01T10:00:00.5+00:00');
    expect(csvField('{"a": [1, 2]}', { kind: 'json' })).toBe('"{""a"": [1, 2]}"');
    expect(csvText([['1', 'AC/DC'], ['2', null]], [{ kind: 'int32' }, { kind: 'varchar' }])).toBe('1,"AC/DC"\n2,\n');
  });

  test('PUT of the gzip file to the staging table stage, COPY with ON_ERROR = CONTINUE, VALIDATE of that COPY', () => {
    expect(putSql('/tmp/sensei-x/chunk-0.csv.gz', '@"DB"."S".%SENSEI_LOAD_AB')).toBe(`PUT 'file:///tmp/sensei-x/chunk-0.csv.gz' @"DB"."S".%SENSEI_LOAD_AB AUTO_COMPRESS = FALSE SOURCE_COMPRESSION = GZIP OVERWRITE = TRUE`);
    expect(() => putSql("/tmp/it's", '@x')).toThrow('quote');
    const copy = copySql('"DB"."S".SENSEI_LOAD_AB', '@"DB"."S".%SENSEI_LOAD_AB', 'chunk-0.csv.gz', ['ID', 'NAME']);
    expect(copy).toMatch(/^COPY INTO "DB"\."S"\.SENSEI_LOAD_AB \("ID", "NAME"\) FROM @"DB"\."S"\.%SENSEI_LOAD_AB FILES = \('chunk-0\.csv\.gz'\) FILE_FORMAT = \(TYPE = CSV COMPRESSION = GZIP /);
    expect(copy).toContain("FIELD_OPTIONALLY_ENCLOSED_BY = '\"' EMPTY_FIELD_AS_NULL = TRUE NULL_IF = ()");
    expect(copy).toContain('BINARY_FORMAT = HEX');
    expect(copy).toMatch(/ ON_ERROR = CONTINUE PURGE = TRUE$/);
    expect(rejectedSql('"DB"."S".SENSEI_LOAD_AB', '01b2c3d4-0000-1111-0000-000000000001')).toBe(
      `SELECT LINE, ERROR FROM TABLE(VALIDATE("DB"."S".SENSEI_LOAD_AB, JOB_ID => '01b2c3d4-0000-1111-0000-000000000001')) ORDER BY LINE`,
    );
    expect(() => rejectedSql('x', "'; DROP TABLE x; --")).toThrow('query id');
  });

  test('the staging table keeps semi-structured columns as text; the replace deletes the staged keys and inserts, in one transaction', () => {
    const columns = [
      { name: 'ID', type: 'NUMBER(10,0)' },
      { name: 'DOC', type: 'VARIANT' },
      { name: 'NAME', type: 'VARCHAR(40)' },
    ];
    expect(stagingTableSql('"DB"."S".SENSEI_LOAD_AB', columns)).toBe('CREATE OR REPLACE TEMPORARY TABLE "DB"."S".SENSEI_LOAD_AB ("ID" NUMBER(10,0), "DOC" VARCHAR, "NAME" VARCHAR(40))');
    expect(replaceFromStagingSql('"DB"."S"."T"', '"DB"."S".SENSEI_LOAD_AB', columns, ['ID'])).toEqual([
      'BEGIN',
      'DELETE FROM "DB"."S"."T" USING "DB"."S".SENSEI_LOAD_AB s WHERE "DB"."S"."T"."ID" = s."ID"',
      'INSERT INTO "DB"."S"."T" ("ID", "DOC", "NAME") SELECT s."ID", PARSE_JSON(s."DOC"), s."NAME" FROM "DB"."S".SENSEI_LOAD_AB s',
      'COMMIT',
    ]);
    expect(replaceFromStagingSql('"T"', 'S', columns, [])[1]).toBe('DELETE FROM "T"');
  });
});

describe('keyset reads', () => {
  test('binds, LIMIT, the expanded composite comparison; zoned timestamps in UTC; semi-structured values as JSON text', () => {
    expect(keysetRead('"DB"."S"."TRACK"', ['TRACKID', 'NAME'], ['NUMBER(38,0)', 'VARCHAR(200)'], ['TRACKID'], null, 1000)).toEqual({
      sql: 'SELECT "TRACKID", "NAME" FROM "DB"."S"."TRACK" ORDER BY "TRACKID" LIMIT 1000',
      params: [],
    });
    expect(keysetRead('"T"', ['A'], ['NUMBER(38,0)'], ['A'], ['5'], 10)).toEqual({ sql: 'SELECT "A" FROM "T" WHERE "A" > ? ORDER BY "A" LIMIT 10', params: ['5'] });
    const params: unknown[] = [];
    expect(afterCondition(['P', 'T'], ['1', '9'], params)).toBe('("P" > ? OR ("P" = ? AND "T" > ?))');
    expect(params).toEqual(['1', '1', '9']);
    expect(readExpression('AT', 'TIMESTAMP_TZ(9)')).toBe(`TO_CHAR(CONVERT_TIMEZONE('UTC', "AT"), 'YYYY-MM-DD HH24:MI:SS.FF6') || 'Z'`);
    expect(readExpression('DOC', 'VARIANT')).toBe('TO_JSON("DOC")');
    expect(readExpression('G', 'GEOGRAPHY')).toBe('ST_ASGEOJSON("G")::VARCHAR');
  });
});

describe('connection strings: password and key pair, never shown', () => {
  test('password authentication', () => {
    const url = parseSnowflakeUrl('snowflake://loader:s%40cret@myorg-acct1/SALES/PUBLIC?warehouse=LOAD_WH&role=LOADER');
    expect(url).toEqual({ account: 'myorg-acct1', user: 'loader', database: 'SALES', schema: 'PUBLIC', warehouse: 'LOAD_WH', role: 'LOADER', auth: { kind: 'password', password: 's@cret' } });
    expect(driverOptions(url)).toMatchObject({ account: 'myorg-acct1', username: 'loader', password: 's@cret', database: 'SALES', schema: 'PUBLIC', warehouse: 'LOAD_WH', role: 'LOADER' });
    expect(parseSnowflakeUrl('snowflake://u:p@myorg-acct1.snowflakecomputing.com/DB').account).toBe('myorg-acct1');
  });

  test('key pair (JWT): the key itself or a key file, with its passphrase', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----';
    const url = parseSnowflakeUrl(`snowflake://loader@acct/DB/S?authenticator=SNOWFLAKE_JWT&private_key=${encodeURIComponent(pem)}&private_key_pass=open%20sesame`);
    expect(url.auth).toEqual({ kind: 'key-pair', privateKey: pem, privateKeyPass: 'open sesame' });
    expect(driverOptions(url)).toMatchObject({ authenticator: 'SNOWFLAKE_JWT', privateKey: pem, privateKeyPass: 'open sesame' });
    expect(driverOptions(url)).not.toHaveProperty('password');
    expect(parseSnowflakeUrl('snowflake://loader@acct/DB?private_key_path=/keys/rsa.p8').auth).toEqual({ kind: 'key-pair', privateKeyPath: '/keys/rsa.p8' });
  });

  test('what is not understood is refused; credentials missing are said when connecting', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(ConnectorError);
        expect((err as Error).message).not.toContain('hunter2');
        return (err as ConnectorError).code;
      }
      return 'accepted';
    };
    expect(code(() => parseSnowflakeUrl('snowflake://u:hunter2@acct/DB?proxy=x'))).toBe('InvalidConnectionString');
    expect(code(() => parseSnowflakeUrl('snowflake://u:hunter2@acct'))).toBe('InvalidConnectionString');
    expect(code(() => parseSnowflakeUrl('snowflake://u:hunter2@acct/DB?authenticator=EXTERNALBROWSER'))).toBe('NotSupported');
    expect(code(() => parseSnowflakeUrl('snowflake://u@acct/DB?authenticator=SNOWFLAKE_JWT'))).toBe('InvalidConnectionString');
    expect(code(() => driverOptions(parseSnowflakeUrl('snowflake://u@acct/DB')))).toBe('InvalidConnectionString');
  });

  test('redaction hides the password, the private key and its passphrase', () => {
    const redacted = redactConnectionString('snowflake://u:hunter2@acct/DB?private_key=MIIEhunter2&private_key_pass=hunter2&warehouse=WH');
    expect(redacted).toBe('snowflake://u:***@acct/DB?private_key=***&private_key_pass=***&warehouse=WH');
    const connector = new SnowflakeConnector({ type: 'snowflake', connectionString: 'snowflake://u:hunter2@acct/DB/S' });
    expect(inspect(connector)).not.toContain('hunter2');
    expect(JSON.stringify(connector)).not.toContain('hunter2');
  });
});

describe('Snowflake catalogue rows and CREATE TABLE', () => {
  test('INFORMATION_SCHEMA and SHOW … KEYS rows read into the schema model', () => {
    const [album] = tablesFromCatalogue({
      tables: [{ TABLE_NAME: 'ALBUM', ROW_COUNT: 347 }],
      columns: [
        { TABLE_NAME: 'ALBUM', COLUMN_NAME: 'TITLE', DATA_TYPE: 'TEXT', NUMERIC_PRECISION: null, NUMERIC_SCALE: null, CHARACTER_MAXIMUM_LENGTH: 160, DATETIME_PRECISION: null, IS_NULLABLE: 'NO', COLUMN_DEFAULT: null, IS_IDENTITY: 'NO', ORDINAL_POSITION: 2 },
        { TABLE_NAME: 'ALBUM', COLUMN_NAME: 'ALBUMID', DATA_TYPE: 'NUMBER', NUMERIC_PRECISION: 38, NUMERIC_SCALE: 0, CHARACTER_MAXIMUM_LENGTH: null, DATETIME_PRECISION: null, IS_NULLABLE: 'NO', COLUMN_DEFAULT: null, IS_IDENTITY: 'NO', ORDINAL_POSITION: 1 },
        { TABLE_NAME: 'ALBUM', COLUMN_NAME: 'ARTISTID', DATA_TYPE: 'NUMBER', NUMERIC_PRECISION: 9, NUMERIC_SCALE: 0, CHARACTER_MAXIMUM_LENGTH: null, DATETIME_PRECISION: null, IS_NULLABLE: 'NO', COLUMN_DEFAULT: null, IS_IDENTITY: 'NO', ORDINAL_POSITION: 3 },
      ],
      primaryKeys: [{ table_name: 'ALBUM', column_name: 'ALBUMID', key_sequence: 1, constraint_name: 'PK_ALBUM' }],
      uniqueKeys: [],
      foreignKeys: [{ fk_table_name: 'ALBUM', fk_column_name: 'ARTISTID', pk_table_name: 'ARTIST', pk_column_name: 'ARTISTID', key_sequence: 1, fk_name: 'FK_ALBUMARTISTID', delete_rule: 'NO ACTION', update_rule: 'NO ACTION' }],
    });
    expect(album).toEqual({
      name: 'ALBUM',
      columns: [
        { name: 'ALBUMID', nativeType: 'NUMBER(38,0)', type: { kind: 'decimal', precision: 38, scale: 0 }, nullable: false, default: null },
        { name: 'TITLE', nativeType: 'VARCHAR(160)', type: { kind: 'varchar', length: 160 }, nullable: false, default: null },
        { name: 'ARTISTID', nativeType: 'NUMBER(9,0)', type: { kind: 'int32' }, nullable: false, default: null },
      ],
      primaryKey: ['ALBUMID'],
      primaryKeyName: 'PK_ALBUM',
      foreignKeys: [{ name: 'FK_ALBUMARTISTID', columns: ['ARTISTID'], referencedTable: 'ARTIST', referencedColumns: ['ARTISTID'] }],
      uniqueConstraints: [],
      indexes: [],
      rowEstimate: 347,
    });
  });

  class Ddl extends SnowflakeConnector {
    create(plan: TablePlan): string {
      return this.createTableSql(plan);
    }
  }

  test('Chinook planned into Snowflake: no blockers, its CREATE TABLE in three-part names, no CHECK', () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'oracle', 'chinook-catalogue.json'), 'utf8')) as OracleCatalogue & { owner: string };
    const plan = planMigration({ dialect: 'oracle', schema: 'CHINOOK', tables: oracleTables(fixture, fixture.owner) }, 'snowflake', { targetSchema: 'PUBLIC' });
    expect(plan.blockers).toEqual([]);
    const ddl = new Ddl({ type: 'snowflake', connectionString: 'snowflake://u:p@acct/CHINOOK/PUBLIC' });
    expect(ddl.create(plan.tables.find((t) => t.target === 'INVOICE') as TablePlan)).toBe(
      [
        'CREATE TABLE "CHINOOK"."PUBLIC"."INVOICE" (',
        '  "INVOICEID" NUMBER(38,10) NOT NULL,',
        '  "CUSTOMERID" NUMBER(38,10) NOT NULL,',
        '  "INVOICEDATE" TIMESTAMP_NTZ(0) NOT NULL,',
        '  "BILLINGADDRESS" VARCHAR(70),',
        '  "BILLINGCITY" VARCHAR(40),',
        '  "BILLINGSTATE" VARCHAR(40),',
        '  "BILLINGCOUNTRY" VARCHAR(40),',
        '  "BILLINGPOSTALCODE" VARCHAR(10),',
        '  "TOTAL" NUMBER(10,2) NOT NULL,',
        '  PRIMARY KEY ("INVOICEID")',
        ')',
      ].join('\n'),
    );
    const orders = planTable(
      {
        name: 'orders',
        columns: [
          { name: 'id', nativeType: 'integer', type: { kind: 'int32', autoIncrement: true }, nullable: false, default: "nextval('s')" },
          { name: 'status', nativeType: 'mood', type: { kind: 'enum', values: ['new', 'done'] }, nullable: false, default: "'new'::mood" },
          { name: 'paid', nativeType: 'boolean', type: { kind: 'boolean' }, nullable: false, default: 'false' },
          { name: 'doc', nativeType: 'jsonb', type: { kind: 'json' }, nullable: true, default: null },
        ],
        primaryKey: ['id'],
        foreignKeys: [],
        uniqueConstraints: [],
        indexes: [],
        rowEstimate: 0,
      },
      'snowflake',
    );
    expect(ddl.create(orders)).toBe(
      ['CREATE TABLE "CHINOOK"."PUBLIC"."orders" (', '  "id" NUMBER(10,0) NOT NULL,', `  "status" VARCHAR(4) DEFAULT 'new' NOT NULL,`, '  "paid" BOOLEAN DEFAULT FALSE NOT NULL,', '  "doc" VARIANT,', '  PRIMARY KEY ("id")', ')'].join('\n'),
    );
  });

  test('no CHECK is created (Snowflake enforces none); the plan says of each, table and column, that it is not migrated and why', () => {
    const items = {
      name: 'items',
      columns: [
        { name: 'id', nativeType: 'integer', type: { kind: 'int32' as const }, nullable: false, default: null },
        { name: 'qty', nativeType: 'positive_int', type: { kind: 'int32' as const, check: portableCheck('CHECK ((VALUE > 0))') ?? 'unreadable' }, nullable: false, default: null },
        { name: 'price', nativeType: 'numeric(10,2)', type: { kind: 'decimal' as const, precision: 10, scale: 2 }, nullable: true, default: null },
      ],
      primaryKey: ['id'],
      foreignKeys: [],
      uniqueConstraints: [{ name: 'items_price_key', columns: ['price'] }],
      indexes: [],
      checks: [
        { name: 'price_not_negative', definition: 'CHECK ((price >= (0)::numeric))' },
        { name: 'odd', definition: 'CHECK ((price ~ 5))' },
      ],
      rowEstimate: 0,
    };
    const plan = planMigration({ dialect: 'postgresql', schema: 'public', tables: [items] }, 'snowflake', { targetSchema: 'PUBLIC' });
    const ddl = new Ddl({ type: 'snowflake', connectionString: 'snowflake://u:p@acct/DB/PUBLIC' }).create(plan.tables[0]);
    expect(ddl).toBe(
      ['CREATE TABLE "DB"."PUBLIC"."items" (', '  "id" NUMBER(10,0) NOT NULL,', '  "qty" NUMBER(10,0) NOT NULL,', '  "price" NUMBER(10,2),', '  PRIMARY KEY ("id"),', '  UNIQUE ("price")', ')'].join('\n'),
    );
    expect(ddl).not.toMatch(/CHECK/);
    expect(plan.notes).toEqual(
      expect.arrayContaining([
        'check price_not_negative of items is not migrated, because Snowflake does not enforce CHECK constraints: CHECK ((price >= (0)::numeric))',
        'check odd of items is not migrated, because Snowflake does not enforce CHECK constraints: CHECK ((price ~ 5))',
        expect.stringMatching(/^the check of column qty of items is not migrated, because Snowflake does not enforce CHECK constraints: /),
      ]),
    );
    expect((plan.notes ?? []).filter((n) => /check/i.test(n))).toHaveLength(3);
    // Another target keeps the portable CHECK and says only of the other that it is not migrated.
    const intoOracle = planMigration({ dialect: 'postgresql', schema: 'public', tables: [items] }, 'oracle', { targetSchema: 'APP' });
    expect(intoOracle.tables[0].source.checks?.map((c) => c.name)).toEqual(['price_not_negative']);
    expect((intoOracle.notes ?? []).filter((n) => /check/i.test(n))).toEqual([expect.stringMatching(/^check odd of items is not migrated, because its expression uses/)]);
  });
});
