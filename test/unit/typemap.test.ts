import * as mysql from '../../connectors/mysql/types';
import { exactDoubles } from '../../connectors/mysql/type-cast';
import * as postgres from '../../connectors/postgres/types';
import * as sqlite from '../../connectors/sqlite/types';
import { targetType } from '../../lib/typemap';
import type { CanonicalType } from '../../lib/types';

describe('PostgreSQL → canonical', () => {
  test.each([
    ['smallint', { kind: 'int16' }],
    ['integer', { kind: 'int32' }],
    ['bigint', { kind: 'int64' }],
    ['numeric(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
    ['numeric', { kind: 'decimal' }],
    ['real', { kind: 'float32' }],
    ['double precision', { kind: 'float64' }],
    ['boolean', { kind: 'boolean' }],
    ['character(3)', { kind: 'char', length: 3 }],
    ['character varying(160)', { kind: 'varchar', length: 160 }],
    ['text', { kind: 'text' }],
    ['date', { kind: 'date' }],
    ['time(6) without time zone', { kind: 'time', precision: 6 }],
    ['timestamp without time zone', { kind: 'timestamp' }],
    ['timestamp(3) with time zone', { kind: 'timestamptz', precision: 3 }],
    ['json', { kind: 'json' }],
    ['uuid', { kind: 'uuid' }],
    ['bytea', { kind: 'binary' }],
  ])('%s', (formatted, expected) => {
    expect(postgres.toCanonical({ formatted })).toMatchObject(expected);
  });

  test('serial and identity are autoIncrement; enums carry labels; types only PostgreSQL has are native', () => {
    expect(postgres.toCanonical({ formatted: 'integer', default: "nextval('t_id_seq'::regclass)" })).toEqual({ kind: 'int32', autoIncrement: true });
    // nextval of a sequence the column does not own is a default like any other.
    expect(postgres.toCanonical({ formatted: 'integer', default: "nextval('shared'::regclass)", ownedSequence: false })).toEqual({ kind: 'int32' });
    expect(postgres.toCanonical({ formatted: 'bigint', identity: true })).toEqual({ kind: 'int64', autoIncrement: true });
    expect(postgres.toCanonical({ formatted: 'mood', typtype: 'e', enumLabels: ['a', 'b'] })).toEqual({ kind: 'enum', values: ['a', 'b'] });
    expect(postgres.toCanonical({ formatted: 'xml' })).toMatchObject({ kind: 'native', readNote: 'type xml exists only in PostgreSQL' });
    for (const formatted of ['integer[]', 'text[][]', 'tsvector', 'interval', 'inet', 'money', 'bit(8)', 'point', 'int4range', 'hstore']) {
      expect(postgres.toCanonical({ formatted }).kind).toBe('native');
    }
  });

  test('a domain reads as its base type (through domains over domains), with a note; over a native type it is native', () => {
    expect(postgres.toCanonical({ formatted: 'year', typtype: 'd', domainBase: { formatted: 'integer', typtype: 'b' } })).toEqual({
      kind: 'int32',
      readNote: 'domain year over integer: stored as its base type elsewhere',
    });
    expect(postgres.toCanonical({ formatted: 'feeling', typtype: 'd', domainBase: { formatted: 'mood', typtype: 'e', enumLabels: ['a'] } })).toMatchObject({ kind: 'enum', values: ['a'] });
    expect(postgres.toCanonical({ formatted: 'tags', typtype: 'd', domainBase: { formatted: 'text[]', typtype: 'b' } }).kind).toBe('native');
  });

  test('PostgreSQL → PostgreSQL keeps the native type as format_type spells it', () => {
    const column = { name: 'a', nativeType: 'integer[]', type: { kind: 'native' as const }, nullable: true, default: null };
    expect(postgres.sameDialect(column)).toEqual({ sql: 'integer[]', confidence: 1 });
    // Elsewhere a native type has no mapping (yet): the plan names it.
    expect(targetType('mysql', { kind: 'native', readNote: 'type integer[] exists only in PostgreSQL' })).toMatchObject({ sql: '', confidence: 0 });
  });
});

describe('MySQL → canonical', () => {
  test.each([
    ['tinyint(4)', { kind: 'int16' }],
    ['smallint(5) unsigned', { kind: 'int32' }],
    ['int(11)', { kind: 'int32' }],
    ['int(10) unsigned', { kind: 'int64' }],
    ['bigint(20)', { kind: 'int64' }],
    ['bigint(20) unsigned', { kind: 'int64', unsigned: true }],
    ['decimal(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
    ['float', { kind: 'float32' }],
    ['double', { kind: 'float64' }],
    ['char(36)', { kind: 'char', length: 36 }],
    ['varchar(160)', { kind: 'varchar', length: 160 }],
    ['longtext', { kind: 'text' }],
    ['json', { kind: 'json' }],
    ['varbinary(16)', { kind: 'binary', length: 16 }],
    ['longblob', { kind: 'binary' }],
    ['date', { kind: 'date' }],
    ['datetime(6)', { kind: 'timestamp', precision: 6 }],
    ['timestamp(6)', { kind: 'timestamptz', precision: 6 }],
  ])('%s', (columnType, expected) => {
    expect(mysql.toCanonical({ columnType })).toMatchObject(expected);
  });

  test('TINYINT(1) is a boolean read at confidence 0.9 with a note', () => {
    const type = mysql.toCanonical({ columnType: 'tinyint(1)' });
    expect(type).toMatchObject({ kind: 'boolean', readConfidence: 0.9 });
    expect(type.readNote).toMatch(/TINYINT\(1\)/);
  });

  test('AUTO_INCREMENT, ENUM labels, MariaDB JSON, types only MariaDB/MySQL has are native', () => {
    expect(mysql.toCanonical({ columnType: 'int(11)', extra: 'auto_increment' })).toEqual({ kind: 'int32', autoIncrement: true });
    expect(mysql.toCanonical({ columnType: "enum('a','it''s','b,c')" })).toEqual({ kind: 'enum', values: ['a', "it's", 'b,c'] });
    expect(mysql.toCanonical({ columnType: 'longtext', jsonCheck: true })).toEqual({ kind: 'json' });
    expect(mysql.toCanonical({ columnType: 'geometry' })).toMatchObject({ kind: 'native', readNote: 'type geometry exists only in MariaDB/MySQL' });
    for (const columnType of ["set('a','b')", 'bit(8)', 'point', 'polygon', 'inet4', 'inet6', 'multipolygon']) expect(mysql.toCanonical({ columnType }).kind).toBe('native');
    expect(mysql.toCanonical({ columnType: 'bit(1)' }).kind).toBe('boolean');
    expect(mysql.toCanonical({ columnType: 'bit(12)' })).toMatchObject({ kind: 'native', unsigned: true });
  });

  test('MariaDB → MariaDB keeps COLUMN_TYPE (JSON as JSON); values travel as bits, bytes or text', () => {
    const column = (nativeType: string, type: CanonicalType) => ({ name: 'c', nativeType, type, nullable: true, default: null });
    expect(mysql.sameDialect(column('int(10) unsigned zerofill', { kind: 'int64' }))).toEqual({ sql: 'int(10) unsigned zerofill', confidence: 1 });
    expect(mysql.sameDialect(column("set('a','b')", { kind: 'native' }))).toEqual({ sql: "set('a','b')", confidence: 1 });
    expect(mysql.sameDialect(column('longtext', { kind: 'json' }))).toEqual({ sql: 'JSON', confidence: 1 });
    expect(['bit(1)', 'bit(64)', 'point', 'geometry', 'varbinary(4)', 'longblob', 'inet6', 'year(4)', "enum('x')", 'text'].map(mysql.nativeForm)).toEqual([
      'bits', 'bits', 'bytes', 'bytes', 'bytes', 'bytes', 'text', 'text', 'text', 'text',
    ]);
  });

  test("MySQL 8's reported defaults made SQL as MariaDB reports them", () => {
    expect(mysql.mysqlDefaultSql('abc', '', 'varchar(10)')).toBe("'abc'");
    expect(mysql.mysqlDefaultSql("it's a\\b", '', 'text')).toBe("'it''s a\\\\b'");
    expect(mysql.mysqlDefaultSql('5', '', 'varchar(3)')).toBe("'5'");
    expect(mysql.mysqlDefaultSql('-1.5', '', 'decimal(4,1)')).toBe('-1.5');
    expect(mysql.mysqlDefaultSql("b'101'", '', 'bit(3)')).toBe("b'101'");
    expect(mysql.mysqlDefaultSql('CURRENT_TIMESTAMP(3)', 'DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)', 'datetime(3)')).toBe('CURRENT_TIMESTAMP(3)');
    expect(mysql.mysqlDefaultSql('(rand() * 10)', 'DEFAULT_GENERATED', 'double')).toBe('((rand() * 10))');
    expect(mysql.mysqlDefaultSql('uuid()', 'DEFAULT_GENERATED', 'char(36)')).toBe('(uuid())');
  });

  test('the driver reads BIT(n) as its number and GEOMETRY as hex; BIT(1) and other types as mysql2 does', () => {
    const field = (type: string, bytes: Buffer | null, length = 8) => ({ type, length, string: () => bytes?.toString('utf8') ?? null, buffer: () => bytes });
    const next = () => 'mysql2';
    expect(exactDoubles(field('BIT', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 64), next)).toBe('18446744073709551615');
    expect(exactDoubles(field('BIT', Buffer.from([0x02, 0xaa]), 10), next)).toBe('682');
    expect(exactDoubles(field('BIT', null, 10), next)).toBeNull();
    expect(exactDoubles(field('BIT', Buffer.from([1]), 1), next)).toBe('mysql2');
    expect(exactDoubles(field('GEOMETRY', Buffer.from([0xe6, 0x10, 0, 0, 1])), next)).toBe('e610000001');
    expect(exactDoubles(field('DOUBLE', Buffer.from('90.33333333333333')), next)).toBe(90.33333333333333);
    expect(exactDoubles(field('VAR_STRING', Buffer.from('x')), next)).toBe('mysql2');
  });
});

describe('MariaDB/MySQL index key bytes (InnoDB keeps 3072)', () => {
  test.each([
    ['VARCHAR(500)', 2000],
    ['varchar(768)', 3072],
    ['CHAR(36)', 144],
    ['CHAR', 4],
    ['VARBINARY(255)', 255],
    ['BINARY(16)', 16],
    ['DECIMAL(10,2)', 5],
    ['DECIMAL(65,30)', 30],
    ['DECIMAL(18,9)', 8],
    ['decimal', 5],
    ['BIT(1)', 1],
    ['BIT(12)', 2],
    ['TINYINT(1)', 1],
    ['SMALLINT', 2],
    ['INT UNSIGNED', 4],
    ['BIGINT UNSIGNED', 8],
    ['FLOAT', 4],
    ['float(30)', 8],
    ['DOUBLE', 8],
    ['DATE', 3],
    ['TIME(6)', 6],
    ['DATETIME(6)', 8],
    ['DATETIME(3)', 7],
    ['timestamp', 4],
    ['YEAR', 1],
    ["ENUM('a','b')", 1],
    ['inet6', 16],
    ['uuid', 16],
  ])('%s takes up to %i bytes', (sql, bytes) => {
    expect(mysql.indexKeyBytes(sql)).toBe(bytes);
  });

  test('what no plain index holds whole, or an unknown type, is not counted (indexRefusal refuses TEXT, BLOB and JSON)', () => {
    for (const sql of ['LONGTEXT', 'text', 'LONGBLOB', 'JSON', 'GEOMETRY', 'POINT', 'VARCHAR', 'mystery(3)']) expect(mysql.indexKeyBytes(sql)).toBeNull();
    expect(mysql.INDEX_KEY_MAX_BYTES).toBe(3072);
  });

  test('ENUM and SET count their members', () => {
    const labels = (n: number) => Array.from({ length: n }, (_, i) => `'l${i}'`).join(',');
    expect(mysql.indexKeyBytes(`ENUM(${labels(256)})`)).toBe(2);
    expect(mysql.indexKeyBytes(`set(${labels(9)})`)).toBe(2);
    expect(mysql.indexKeyBytes(`set(${labels(33)})`)).toBe(8);
  });
});

describe('SQLite → canonical (declared names, then affinity rules)', () => {
  test.each([
    ['INTEGER', { kind: 'int64' }],
    ['INT', { kind: 'int32' }],
    ['NVARCHAR(120)', { kind: 'varchar', length: 120 }],
    ['NUMERIC(10,2)', { kind: 'decimal', precision: 10, scale: 2, readConfidence: 0.9 }],
    ['DATETIME', { kind: 'timestamp' }],
    ['TIMESTAMPTZ', { kind: 'timestamptz' }],
    ['BOOLEAN', { kind: 'boolean' }],
    ['JSON', { kind: 'json' }],
    ['UUID', { kind: 'uuid' }],
    ['BLOB', { kind: 'binary' }],
    ['REAL', { kind: 'float64' }],
    // affinity rules
    ['UNSIGNED MEDIUMINTEGER', { kind: 'int64' }],
    ['VARYING CHARS', { kind: 'text' }],
    ['BLOBBY', { kind: 'binary' }],
    ['FLOATING', { kind: 'float64' }],
    ['MONEY', { kind: 'decimal' }],
    ['', { kind: 'text', readConfidence: 0.5 }],
  ])('%j', (declared, expected) => {
    expect(sqlite.toCanonical({ declared })).toMatchObject(expected);
  });

  test('AUTOINCREMENT', () => {
    expect(sqlite.toCanonical({ declared: 'INTEGER', autoIncrement: true })).toEqual({ kind: 'int64', autoIncrement: true });
  });
});

describe('canonical → every target dialect', () => {
  const cases: [CanonicalType, string, string, string][] = [
    [{ kind: 'int16' }, 'smallint', 'SMALLINT', 'SMALLINT'],
    [{ kind: 'int32' }, 'integer', 'INT', 'INT'],
    [{ kind: 'int64' }, 'bigint', 'BIGINT', 'BIGINT'],
    [{ kind: 'decimal', precision: 10, scale: 2 }, 'numeric(10,2)', 'DECIMAL(10,2)', 'NUMERIC(10,2)'],
    [{ kind: 'decimal', precision: 38, scale: 10 }, 'numeric(38,10)', 'DECIMAL(38,10)', 'TEXT'],
    [{ kind: 'float32' }, 'real', 'FLOAT', 'REAL'],
    [{ kind: 'float64' }, 'double precision', 'DOUBLE', 'REAL'],
    [{ kind: 'boolean' }, 'boolean', 'TINYINT(1)', 'BOOLEAN'],
    [{ kind: 'char', length: 3 }, 'character(3)', 'CHAR(3)', 'CHAR(3)'],
    [{ kind: 'varchar', length: 40 }, 'character varying(40)', 'VARCHAR(40)', 'VARCHAR(40)'],
    [{ kind: 'text' }, 'text', 'LONGTEXT', 'TEXT'],
    [{ kind: 'date' }, 'date', 'DATE', 'DATE'],
    [{ kind: 'time', precision: 6 }, 'time(6) without time zone', 'TIME(6)', 'TIME'],
    [{ kind: 'timestamp' }, 'timestamp without time zone', 'DATETIME(6)', 'DATETIME'],
    [{ kind: 'timestamptz' }, 'timestamp with time zone', 'DATETIME(6)', 'TEXT'],
    [{ kind: 'json' }, 'jsonb', 'JSON', 'TEXT'],
    [{ kind: 'uuid' }, 'uuid', 'CHAR(36)', 'TEXT'],
    [{ kind: 'binary' }, 'bytea', 'LONGBLOB', 'BLOB'],
    [{ kind: 'enum', values: ['a', "it's"] }, 'text', "ENUM('a','it''s')", 'TEXT'],
  ];
  test.each(cases)('%j → pg %s, mysql %s, sqlite %s', (type, pg, my, lite) => {
    expect(targetType('postgresql', type).sql).toBe(pg);
    expect(targetType('mysql', type).sql).toBe(my);
    expect(targetType('sqlite', type).sql).toBe(lite);
  });

  test('lossy choices say so', () => {
    const tz = mysql.fromCanonical({ kind: 'timestamptz' });
    expect(tz.confidence).toBeLessThan(1);
    expect(tz.note).toMatch(/UTC/);
    expect(mysql.fromCanonical({ kind: 'uuid' })).toMatchObject({ confidence: 0.95, note: expect.stringMatching(/CHAR\(36\)/) });
    expect(sqlite.fromCanonical({ kind: 'timestamptz' }).confidence).toBeLessThan(1);
    expect(mysql.fromCanonical({ kind: 'decimal' })).toMatchObject({ sql: 'DECIMAL(65,30)', confidence: 0.8 });
    expect(postgres.fromCanonical({ kind: 'int64', unsigned: true })).toMatchObject({ sql: 'numeric(20,0)' });
    expect(postgres.fromCanonical({ kind: 'int32', unsigned: true }).sql).toBe('bigint');
    expect(mysql.fromCanonical({ kind: 'text' }, { inKey: true })).toMatchObject({ sql: 'VARCHAR(255)', confidence: 0.8 });
  });

  test('every dialect reads its own declaration back as the same kind', () => {
    for (const [type] of cases) {
      expect(postgres.toCanonical({ formatted: postgres.fromCanonical(type).sql, typtype: type.kind === 'enum' ? 'b' : undefined }).kind).toBe(
        type.kind === 'enum' ? 'text' : type.kind,
      );
      const myRead = mysql.toCanonical({ columnType: mysql.fromCanonical(type).sql }).kind;
      expect(myRead).toBe(({ uuid: 'char', timestamptz: 'timestamp' } as Record<string, string>)[type.kind] ?? type.kind);
    }
  });
});
