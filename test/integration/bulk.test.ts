/**
 * The bulk write paths (PostgreSQL COPY after a key-range delete, MySQL LOAD DATA LOCAL … REPLACE) keep
 * writeRows' contract: values arrive exactly, and a retried chunk replaces its rows instead of duplicating them.
 */
import { createConnector } from '../../connectors/registry';
import type { Connector } from '../../connectors/types';
import { compareDecimalText, keyRange } from '../../connectors/key-range';
import type { CanonicalType, Row, TablePlan } from '../../lib/types';
import { createTempDatabase, testDialects, type TempDatabase } from '../helpers/databases';

const dialects = testDialects().filter((d) => d !== 'sqlite');

function plan(connector: Connector, keyType: CanonicalType): TablePlan {
  const col = (name: string, canonical: CanonicalType, nullable = true) => ({
    id: `t.${name}`,
    table: 't',
    column: name,
    sourceType: '',
    canonical,
    targetType: connector.nativeType(canonical).sql,
    nullable,
    confidence: 1,
  });
  const columns = [
    col('id', keyType, false),
    col('txt', { kind: 'text' }),
    col('amount', { kind: 'decimal', precision: 12, scale: 2 }),
    col('flag', { kind: 'boolean' }),
    col('bytes', { kind: 'binary' }),
  ];
  return {
    source: {
      name: 't',
      columns: columns.map((c) => ({ name: c.column, nativeType: '', type: c.canonical, nullable: c.nullable, default: null })),
      primaryKey: ['id'],
      foreignKeys: [],
      uniqueConstraints: [],
      indexes: [],
      rowEstimate: 0,
    },
    target: 't',
    columns,
    keyColumns: ['id'],
    copyMode: 'keyset',
  };
}

const tricky = 'tab\there, newline\nthere, cr\r, backslash \\ and \\N, "quotes", émoji 🎉';

describe.each(dialects)('%s bulk writes', (dialect) => {
  let db: TempDatabase;
  let connector: Connector;
  beforeAll(async () => {
    db = await createTempDatabase(dialect);
    connector = await createConnector(db.endpoint);
  });
  afterAll(async () => {
    await connector.close();
    await db.drop();
  });

  const read = () => connector.readChunk('t', ['id', 'txt', 'amount', 'flag', 'bytes'], ['id'], null, 1000);

  test('values arrive exactly, and a retried chunk replaces its rows (integer key: range delete + bulk load)', async () => {
    const p = plan(connector, { kind: 'int64' });
    await connector.createTable(p, { replace: true });
    const rows: Row[] = [
      ['1', tricky, '12.50', true, Buffer.from([0, 9, 10, 92, 255])],
      ['2', '', '-0.01', false, Buffer.alloc(0)],
      ['9007199254740993', null, null, null, null],
    ];
    expect(await connector.writeRows(p, rows)).toBe(3);
    // A neighbouring chunk, committed after: a retry of the first chunk must leave it alone.
    await connector.writeRows(p, [['9007199254740994', 'next chunk', '1.00', true, null]]);
    const changed: Row[] = rows.map((r) => [...r]);
    changed[0][1] = 'changed on retry';
    expect(await connector.writeRows(p, changed)).toBe(3);
    const back = await read();
    expect(back).toHaveLength(4);
    expect(back[0]).toEqual(['1', 'changed on retry', '12.50', true, Buffer.from([0, 9, 10, 92, 255])]);
    expect(back[1]).toEqual(['2', '', '-0.01', false, Buffer.alloc(0)]);
    expect(back[2]).toEqual(['9007199254740993', null, null, null, null]);
    expect(back[3][1]).toBe('next chunk');
    expect(await connector.countRows('t')).toBe(4);
  });

  test('text keys are upserted, and tricky text survives whole_table replace', async () => {
    const p = plan(connector, { kind: 'varchar', length: 20 });
    await connector.createTable(p, { replace: true });
    await connector.writeRows(p, [['b', tricky, '1.00', true, null], ['a', 'x', '2.00', false, null]]);
    await connector.writeRows(p, [['b', 'again', '1.00', true, null]]);
    expect((await read()).map((r) => [r[0], r[1]])).toEqual([['a', 'x'], ['b', 'again']]);
    async function* batches() {
      yield [['k1', tricky, '3.33', true, Buffer.from('hi')]] as Row[];
      yield [['k2', null, null, null, null]] as Row[];
    }
    expect(await connector.replaceAllRows(p, batches())).toBe(2);
    const back = await read();
    expect(back).toEqual([['k1', tricky, '3.33', true, Buffer.from('hi')], ['k2', null, null, null, null]]);
  });
});

describe('key ranges for the delete-then-load path', () => {
  test('decimal text compares by value', () => {
    expect(compareDecimalText('10', '9')).toBe(1);
    expect(compareDecimalText('-10', '-9')).toBe(-1);
    expect(compareDecimalText('1.5', '1.50')).toBe(0);
    expect(compareDecimalText('0.05', '0.5')).toBe(-1);
  });
  test('first and last over unsorted rows; none for text keys', () => {
    const int: CanonicalType = { kind: 'int64' };
    expect(keyRange([['9'], ['10'], ['2']], [0], [int])).toEqual({ first: ['2'], last: ['10'] });
    expect(keyRange([['a'], ['b']], [0], [{ kind: 'varchar' }])).toBeNull();
    const ts: CanonicalType = { kind: 'timestamptz' };
    expect(keyRange([['2020-01-01 00:00:00.5Z'], ['2020-01-01 00:00:00Z']], [0], [ts])).toEqual({
      first: ['2020-01-01 00:00:00Z'],
      last: ['2020-01-01 00:00:00.5Z'],
    });
  });
});
