/** Target type choice by dialect name. */
import type { CanonicalType, Dialect } from '../types';
import type { TargetTypeChoice, TargetTypeContext } from './common';
import * as mysql from './mysql';
import * as postgres from './postgres';
import * as sqlite from './sqlite';

export type { TargetTypeChoice, TargetTypeContext } from './common';
export { postgres, mysql, sqlite };

/** Dialects Sensei can create tables in. */
export const TARGET_DIALECTS: readonly Dialect[] = ['postgresql', 'mysql', 'sqlite'];

export function targetType(dialect: Dialect, type: CanonicalType, context: TargetTypeContext = {}): TargetTypeChoice {
  switch (dialect) {
    case 'postgresql':
      return postgres.fromCanonical(type, context);
    case 'mysql':
      return mysql.fromCanonical(type, context);
    case 'sqlite':
      return sqlite.fromCanonical(type, context);
    default:
      return { sql: '', confidence: 0, note: `${dialect} is not supported by this version of Sensei yet` };
  }
}
