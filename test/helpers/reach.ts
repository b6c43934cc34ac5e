import os from 'node:os';
import path from 'node:path';
import type { ReachSettings } from '../../lib/reach';

/**
 * The reach settings of in-process test workers and connector pools: SQLite files anywhere under the OS temp dir,
 * where the tests make them; the worker's own data dir stays refused.
 */
export function testReach(dataDir = path.join(os.tmpdir(), 'sensei-test-no-data-dir')): ReachSettings {
  return { sqliteDir: os.tmpdir(), tlsDir: undefined, dataDir, webhookAllowPrivate: false, webhookAllowCidrs: [] };
}
