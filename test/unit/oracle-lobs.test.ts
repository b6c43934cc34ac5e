/**
 * How Oracle LOBs cross node-oracledb (Thin mode) in the copy: fetched whole as text and bytes, bound as LOBs. Checked
 * against the installed driver's own type constants; no server is involved (the values themselves are not sent).
 */
import { bindDefinition, fetchTypeHandler, loadOracleDb, type OracleDb } from '../../connectors/oracle/driver';

let db: OracleDb;

beforeAll(async () => {
  db = await loadOracleDb();
});

describe('reads', () => {
  test('CLOB and NCLOB come as strings, BLOB as a Buffer, NUMBER as its text; no LOB column is left a Lob locator', () => {
    const handler = fetchTypeHandler(db);
    expect(handler({ dbType: db.DB_TYPE_CLOB })).toEqual({ type: db.STRING });
    expect(handler({ dbType: db.DB_TYPE_NCLOB })).toEqual({ type: db.STRING });
    expect(handler({ dbType: db.DB_TYPE_BLOB })).toEqual({ type: db.BUFFER });
    expect(handler({ dbType: db.DB_TYPE_NUMBER })).toEqual({ type: db.STRING });
    // Types the driver hands over as they are (text, doubles; dates are always read through TO_CHAR masks).
    const other = db as unknown as Record<string, unknown>;
    for (const name of ['DB_TYPE_VARCHAR', 'DB_TYPE_NVARCHAR', 'DB_TYPE_RAW', 'DB_TYPE_BINARY_DOUBLE', 'DB_TYPE_DATE']) {
      expect(other[name]).toBeDefined();
      expect(handler({ dbType: other[name] })).toBeUndefined();
    }
  });
});

describe('writes', () => {
  const text = { kind: 'text' as const };

  test('LOB columns bind as LOBs of their kind, whatever the values', () => {
    expect(bindDefinition(db, 'CLOB', text, ['x'.repeat(40_000)])).toEqual({ type: db.DB_TYPE_CLOB });
    expect(bindDefinition(db, 'nclob', text, ['ü'])).toEqual({ type: db.DB_TYPE_NCLOB });
    expect(bindDefinition(db, 'BLOB', { kind: 'binary' }, [Buffer.alloc(3)])).toEqual({ type: db.DB_TYPE_BLOB });
    // JSON is written into a CLOB (types.ts): bound as one too.
    expect(bindDefinition(db, 'CLOB', { kind: 'json' }, ['{}'])).toEqual({ type: db.DB_TYPE_CLOB });
  });

  test('other columns bind by kind, text and bytes sized by their longest value in bytes', () => {
    expect(bindDefinition(db, 'BINARY_DOUBLE', { kind: 'float64' }, [1.5])).toEqual({ type: db.DB_TYPE_BINARY_DOUBLE });
    expect(bindDefinition(db, 'NUMBER(1)', { kind: 'boolean' }, [1, 0])).toEqual({ type: db.DB_TYPE_NUMBER });
    expect(bindDefinition(db, 'VARCHAR2(10 CHAR)', { kind: 'varchar', length: 10 }, ['ab', 'é€', null])).toEqual({ type: db.STRING, maxSize: 5 });
    expect(bindDefinition(db, 'RAW(16)', { kind: 'binary', length: 16 }, [Buffer.alloc(16), null])).toEqual({ type: db.BUFFER, maxSize: 16 });
    expect(bindDefinition(db, 'VARCHAR2(10 CHAR)', { kind: 'varchar', length: 10 }, [null, null])).toEqual({ type: db.STRING, maxSize: 1 });
  });
});
