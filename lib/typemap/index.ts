/** Target type choice by dialect name: each dialect's own type map (connectors/<dialect>/types.ts). */
import { dialectNamed } from '../../connectors/dialects';
import type { CanonicalType, Dialect } from '../types';
import type { TargetTypeChoice, TargetTypeContext } from './common';

export type { TargetTypeChoice, TargetTypeContext } from './common';

export function targetType(dialect: Dialect, type: CanonicalType, context: TargetTypeContext = {}): TargetTypeChoice {
  const types = dialectNamed(dialect).types;
  if (!types) return { sql: '', confidence: 0, note: `${dialect} is not supported by this version of Sensei yet` };
  return types.fromCanonical(type, context);
}
