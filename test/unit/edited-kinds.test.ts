import {
  UNCONVERTIBLE,
  conversionNote,
  convertEditedRow,
  convertEditedValue,
  editedConversion,
  editedConversions,
  editedWritePlan,
  type EditedConversion,
} from '../../lib/edited-kinds';
import { editConfidence, mappingEditProblem, parseTargetType } from '../../lib/mapping-edit';
import { planMigration } from '../../lib/mapping';
import type { CanonicalType, ColumnInfo, SchemaInfo, TablePlan } from '../../lib/types';

const conv = (from: CanonicalType, to: CanonicalType) => editedConversion('c', from, to, 'edited') as EditedConversion;
const ok = (value: unknown) => ({ ok: true, value });
const BOOL: CanonicalType = { kind: 'boolean' };
const INT: CanonicalType = { kind: 'int32' };
const TEXT: CanonicalType = { kind: 'text' };
const JSON_T: CanonicalType = { kind: 'json' };

describe('which edits convert', () => {
  test.each([
    [BOOL, INT, 'boolean', 'integer'],
    [{ kind: 'int64' }, BOOL, 'integer', 'boolean'],
    [BOOL, { kind: 'varchar', length: 5 }, 'boolean', 'text'],
    [{ kind: 'json', family: 'set', values: ['a', 'b'] }, TEXT, 'set', 'text'],
    [JSON_T, TEXT, 'json', 'text'],
    [{ kind: 'enum', values: ['a'] }, TEXT, 'enum', 'text'],
    [{ kind: 'uuid' }, { kind: 'char', length: 36 }, 'uuid', 'text'],
    [TEXT, JSON_T, 'text', 'json'],
    [{ kind: 'varchar', length: 9 }, { kind: 'enum', values: ['a'] }, 'text', 'enum'],
  ] as [CanonicalType, CanonicalType, string, string][])('%j → %j converts %s → %s', (from, to, f, t) => {
    expect(editedConversion('c', from, to)).toMatchObject({ column: 'c', from: f, to: t, type: to });
  });

  test.each([
    [INT, { kind: 'int64' }],
    [TEXT, { kind: 'varchar', length: 3 }],
    [INT, TEXT],
    [{ kind: 'date' }, TEXT],
    [TEXT, BOOL],
    [{ kind: 'json', family: 'array' }, TEXT],
  ] as [CanonicalType, CanonicalType][])('%j → %j: no conversion (the same kind, or left to the target)', (from, to) => {
    expect(editedConversion('c', from, to)).toBeNull();
  });
});

describe('convertEditedValue', () => {
  test('boolean ↔ integer', () => {
    const toInt = conv(BOOL, INT);
    expect([true, false, null].map((v) => convertEditedValue(v, toInt))).toEqual([ok(1), ok(0), ok(null)]);
    const toBool = conv(INT, BOOL);
    expect([1, 0, '1', '0', 1n, null].map((v) => convertEditedValue(v, toBool))).toEqual([ok(true), ok(false), ok(true), ok(false), ok(true), ok(null)]);
    for (const v of [2, -1, '7', 0.5]) {
      expect(convertEditedValue(v, toBool)).toEqual({ ok: false, reason: 'column c (edited at the gate from integer to edited) holds a number other than 0 and 1, which is no boolean: not copied' });
    }
  });

  test("boolean → text is 'true' / 'false'", () => {
    const c = conv(BOOL, TEXT);
    expect([true, false, 1, 0].map((v) => convertEditedValue(v, c))).toEqual([ok('true'), ok('false'), ok('true'), ok('false')]);
  });

  test('SET → text: labels joined by commas, from the JSON array it travels as or its own text', () => {
    const c = conv({ kind: 'json', family: 'set', values: ['read', 'write'] }, TEXT);
    expect(convertEditedValue('["read","write"]', c)).toEqual(ok('read,write'));
    expect(convertEditedValue('[]', c)).toEqual(ok(''));
    expect(convertEditedValue('read,write', c)).toEqual(ok('read,write'));
  });

  test('JSON, ENUM and UUID → text', () => {
    expect(convertEditedValue('{"b": 1, "a": [2]}', conv(JSON_T, TEXT))).toEqual(ok('{"b": 1, "a": [2]}'));
    expect(convertEditedValue({ a: 1 }, conv(JSON_T, TEXT))).toEqual(ok('{"a":1}'));
    expect(convertEditedValue('small', conv({ kind: 'enum', values: ['small'] }, TEXT))).toEqual(ok('small'));
    expect(convertEditedValue('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', conv({ kind: 'uuid' }, TEXT))).toEqual(ok('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'));
  });

  test('text → JSON: valid JSON unchanged, anything else refused with the column and no value', () => {
    const c = conv(TEXT, JSON_T);
    expect(['{"a": 1}', '[1,2]', '"x"', '3', 'null'].map((v) => convertEditedValue(v, c))).toEqual(['{"a": 1}', '[1,2]', '"x"', '3', 'null'].map(ok));
    const refused = convertEditedValue("{'a': 1}", c);
    expect(refused).toEqual({ ok: false, reason: 'column c (edited at the gate from text to edited) holds text that is not valid JSON: not copied' });
    expect(JSON.stringify(refused)).not.toContain("'a'");
  });

  test("text → enum: a label unchanged (exactly), anything else refused naming the enum's labels", () => {
    const c = conv(TEXT, { kind: 'enum', values: ['small', 'large'] });
    expect(convertEditedValue('small', c)).toEqual(ok('small'));
    for (const v of ['Small', 'medium', '']) {
      expect(convertEditedValue(v, c)).toEqual({ ok: false, reason: "column c (edited at the gate from text to edited) holds text that is none of the enum's labels (small, large): not copied" });
    }
  });

  test('bytes that are not UTF-8 are left for the copy to reject with its own reason', () => {
    const bytes = Buffer.from([0xff, 0xfe]);
    expect(convertEditedValue(bytes, conv(TEXT, JSON_T))).toEqual(ok(bytes));
  });
});

describe('rows and plans', () => {
  test('convertEditedRow converts the edited columns only, or says why a row cannot be', () => {
    const conversions = [null, conv(BOOL, INT), conv(TEXT, JSON_T)];
    expect(convertEditedRow([7, true, '{}'], conversions)).toEqual({ ok: true, row: [7, 1, '{}'] });
    expect(convertEditedRow([8, false, 'nope'], conversions)).toMatchObject({ ok: false, reason: expect.stringContaining('not valid JSON') });
    expect(UNCONVERTIBLE).not.toBe('');
  });

  const column = (name: string, type: CanonicalType, nativeType: string): ColumnInfo => ({ name, type, nativeType, nullable: true, default: null }) as ColumnInfo;
  const schema: SchemaInfo = {
    dialect: 'mysql',
    schema: 'src',
    tables: [
      {
        name: 't',
        columns: [
          column('id', { kind: 'int32' }, 'int'),
          column('flag', { kind: 'boolean' }, 'tinyint(1)'),
          column('s', { kind: 'native', portable: { kind: 'json', family: 'set', values: ['x', 'y'] } }, "set('x','y')"),
          column('doc', { kind: 'text' }, 'text'),
          column('n', { kind: 'int32' }, 'int'),
        ],
        primaryKey: ['id'],
        uniqueConstraints: [],
        foreignKeys: [],
        indexes: [],
      } as unknown as SchemaInfo['tables'][number],
    ],
  };

  test('editedConversions: only the columns edited at the gate to another kind, read by the target dialect', () => {
    const plan = planMigration(schema, 'postgresql', { targetSchema: 'public' });
    const table = plan.tables[0];
    const edit = (id: string, targetType: string) => (c: TablePlan['columns'][number]) => (c.id === id ? { ...c, targetType, note: 'edited by hand; …' } : c);
    const edited: TablePlan = {
      ...table,
      columns: table.columns.map(edit('t.flag', 'integer')).map(edit('t.s', 'text')).map(edit('t.doc', 'jsonb')).map((c) => (c.id === 't.n' ? { ...c, targetType: 'text' } : c)),
    };
    const conversions = editedConversions('postgresql', edited);
    expect(conversions.map((c) => c && `${c.from}>${c.to}`)).toEqual([null, 'boolean>integer', 'set>text', 'text>json', null]);
    // The target writes the converted columns with their edited types.
    expect(editedWritePlan(edited, conversions).columns.map((c) => c.canonical.kind)).toEqual(['int32', 'int32', 'text', 'json', 'int32']);
    expect(editedWritePlan(table, editedConversions('postgresql', table))).toBe(table);
  });

  test('an enum can be typed with its labels at the gate (MariaDB), and the note says what the copy does', () => {
    expect(parseTargetType('mysql', "ENUM('small','it''s')")).toEqual({ kind: 'enum', values: ['small', "it's"] });
    expect(parseTargetType('mysql', "enum('a\\'); DROP TABLE x; --')")).toMatchObject({ kind: 'unsupported' });
    expect(editConfidence(TEXT, { kind: 'enum', values: ['a'] })).toEqual({ confidence: 0.5, note: 'text stored as an enum: rows whose text is none of its labels are rejected' });
    expect(editConfidence(BOOL, INT)).toEqual({ confidence: 0.5, note: 'boolean stored as an integer: true → 1, false → 0' });
    expect(editConfidence({ kind: 'native', portable: { kind: 'json', family: 'set' } }, TEXT)).toEqual({ confidence: 0.5, note: 'SET stored as text: its labels joined by commas (a,b)' });
    expect(editConfidence({ kind: 'json', family: 'set' }, { kind: 'varchar', length: 20 })).toEqual({ confidence: 0.9, note: 'SET stored as text: its labels joined by commas (a,b)' });
    expect(conversionNote(conv(TEXT, JSON_T))).toBe('text stored as JSON: rows whose text is not valid JSON are rejected');
    const plan = planMigration({ ...schema, dialect: 'postgresql' }, 'mysql', { targetSchema: 'tgt' });
    expect(mappingEditProblem(plan, { id: 't.doc', target_type: "enum('a','b')" })).toBeNull();
    // Elsewhere no type is declared so: refused at the gate, never written as something else.
    for (const target of ['postgresql', 'sqlite'] as const) {
      const other = planMigration(schema, target, { targetSchema: 'public' });
      expect(mappingEditProblem(other, { id: 't.doc', target_type: "enum('a','b')" })).toBe(
        `enum('a','b') is not a ${target} type Sensei can write (${target} has no enum type declared with its labels)`,
      );
    }
  });
});
