/** The mapping resource (api/mapping-resource.ts): a plan's column mapping in the API's snake_case, at every depth. */
import { mappingResource } from '../../api/mapping-resource';
import { snakeKeys } from '../../lib/snake-case';
import type { ColumnMapping } from '../../lib/types';

test('a mapping answers snake_case names, its canonical type (and the portable one it nests) too; no plan-only field', () => {
  const mapping: ColumnMapping = {
    id: 'items.tags',
    table: 'items',
    column: 'tags',
    sourceType: 'set(a,b)',
    canonical: { kind: 'native', family: 'set', values: ['a', 'b'], readConfidence: 0.9, readNote: 'kept as text', portable: { kind: 'text', autoIncrement: false } },
    targetType: 'text[]',
    nullable: false,
    confidence: 0.9,
    createdType: 'items_tags',
    checkName: 'items_tags_check',
  };
  expect(mappingResource(mapping)).toEqual({
    id: 'items.tags',
    table: 'items',
    column: 'tags',
    source_type: 'set(a,b)',
    target_type: 'text[]',
    canonical: { kind: 'native', family: 'set', values: ['a', 'b'], read_confidence: 0.9, read_note: 'kept as text', portable: { kind: 'text', auto_increment: false } },
    nullable: false,
    confidence: 0.9,
    note: null,
  });
  expect(mappingResource({ ...mapping, note: 'lossy' }).note).toBe('lossy');
});

test('snakeKeys leaves values alone: strings, numbers, arrays of strings, null', () => {
  expect(snakeKeys({ aB: ['keepThis', 1, null], cDeF: { gH: 'iJ' } })).toEqual({ a_b: ['keepThis', 1, null], c_de_f: { g_h: 'iJ' } });
});
