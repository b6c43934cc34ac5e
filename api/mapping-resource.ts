/** The mapping resource (GET/PATCH …/mappings): a plan's column mapping in the API's snake_case. */
import type { z } from 'zod';
import { snakeKeys } from '../lib/snake-case';
import type { ColumnMapping } from '../lib/types';
import type { mappingResponse } from './responses';

type MappingResponse = z.infer<typeof mappingResponse>;

/** A column's mapping as the API answers it: the API's snake_case names, not the plan's own. */
export function mappingResource(m: ColumnMapping): MappingResponse {
  return {
    id: m.id,
    table: m.table,
    column: m.column,
    source_type: m.sourceType,
    target_type: m.targetType,
    canonical: snakeKeys(m.canonical),
    nullable: m.nullable,
    confidence: m.confidence,
    note: m.note ?? null,
  };
}
