import { foreignKeyActions } from '../../connectors/sql-connector';
import { quoteIdentifier, quoteLiteral, quoteQualified } from '../../lib/quote';

describe('quoteIdentifier', () => {
  test.each([
    ['postgresql', 'order', '"order"'],
    ['postgresql', 'MixedCase', '"MixedCase"'],
    ['postgresql', 'with space', '"with space"'],
    ['postgresql', 'say "hi"', '"say ""hi"""'],
    ['sqlite', 'select', '"select"'],
    ['sqlite', 'a"b', '"a""b"'],
    ['mysql', 'order', '`order`'],
    ['mysql', 'a`b', '`a``b`'],
    ['mysql', 'it\'s "x"', '`it\'s "x"`'],
    ['mysql', 'Mixed Case', '`Mixed Case`'],
  ] as const)('%s %j → %s', (dialect, name, quoted) => {
    expect(quoteIdentifier(dialect, name)).toBe(quoted);
  });

  test('refuses empty names and NUL', () => {
    expect(() => quoteIdentifier('postgresql', '')).toThrow(/empty/);
    expect(() => quoteIdentifier('mysql', 'a\u0000b')).toThrow(/NUL/);
  });

  test('qualified names quote both parts', () => {
    expect(quoteQualified('postgresql', 'My Schema', 'order')).toBe('"My Schema"."order"');
    expect(quoteQualified('mysql', 'db', 'ta`ble')).toBe('`db`.`ta``ble`');
  });
});

describe('quoteLiteral', () => {
  test('doubles quotes; MySQL also doubles backslashes', () => {
    expect(quoteLiteral('postgresql', "it's \\")).toBe("'it''s \\'");
    expect(quoteLiteral('sqlite', "it's")).toBe("'it''s'");
    expect(quoteLiteral('mysql', "it's \\n")).toBe("'it''s \\\\n'");
  });
});

describe('foreign-key actions reach DDL only as one of the five SQL actions', () => {
  test('known actions are normalised; anything else is refused', () => {
    expect(foreignKeyActions({ name: 'fk', onDelete: 'cascade', onUpdate: 'no  action' })).toBe(' ON DELETE CASCADE ON UPDATE NO ACTION');
    expect(foreignKeyActions({ name: 'fk' })).toBe('');
    expect(() => foreignKeyActions({ name: 'fk', onDelete: 'CASCADE; DROP TABLE users' })).toThrow(/not one of/);
    expect(() => foreignKeyActions({ name: 'fk', onUpdate: 'SET NULL DEFERRABLE' })).toThrow(/not one of/);
  });
});
