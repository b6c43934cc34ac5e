import { approvalNeed, diagnoseValidation, nextChunkSize, strategySettings, tablePartitions, VALIDATION_TIERS, type ValidationState } from '../../lib/migration';
import { Sealer } from '../../lib/secrets';
import type { MigrationPlan } from '../../lib/types';

const plan = (confidences: number[]): MigrationPlan => ({
  sourceDialect: 'postgresql',
  targetDialect: 'mysql',
  targetSchema: 'db',
  minConfidence: Math.min(1, ...confidences),
  blockers: [],
  tables: [
    {
      source: { name: 't', columns: [], primaryKey: ['id'], foreignKeys: [], uniqueConstraints: [], indexes: [], rowEstimate: 0 },
      target: 't',
      keyColumns: ['id'],
      copyMode: 'keyset',
      columns: confidences.map((confidence, i) => ({
        id: `t.c${i}`,
        table: 't',
        column: `c${i}`,
        sourceType: 'x',
        canonical: { kind: 'int32' },
        targetType: 'INT',
        nullable: true,
        confidence,
      })),
    },
  ],
});

describe('approval gate', () => {
  test('balanced opens by itself only with auto_approve_high_confidence and every mapping lossless', () => {
    expect(approvalNeed(plan([1, 1]), 'balanced', { auto_approve_high_confidence: true }).required).toBe(false);
    expect(approvalNeed(plan([1, 0.9]), 'balanced', { auto_approve_high_confidence: true })).toEqual({
      required: true,
      reason: '1 mapping(s) have confidence below 1.0',
    });
    expect(approvalNeed(plan([1]), 'balanced', {}).required).toBe(true);
  });

  test('a plan with blockers waits whatever the strategy, saying what they are and how to end them', () => {
    const blocked = { ...plan([1]), blockers: ['t.c0: type xml is not supported by Sensei'] };
    for (const strategy of ['aggressive', 'balanced', 'conservative'] as const) {
      const need = approvalNeed(blocked, strategy, { auto_approve_high_confidence: true });
      expect(need.required).toBe(true);
      expect(need.reason).toBe(
        'the mapping has 1 blocker(s), which must be ended before it can be approved: t.c0: type xml is not supported by Sensei. ' +
          'Edit a mapping (PATCH …/mappings with its target_type) or leave its table out (PATCH …/mappings with exclude_tables)',
      );
    }
  });

  test('the reason names five blockers at most, and says how many more', () => {
    const blocked = { ...plan([1]), blockers: Array.from({ length: 1200 }, (_, i) => `t${i}.c: type xml is not supported by Sensei`) };
    const { reason } = approvalNeed(blocked, 'aggressive', {});
    expect(reason).toContain('the mapping has 1200 blocker(s)');
    expect(reason).toContain('t4.c: type xml is not supported by Sensei; and 1195 more (GET …/mappings lists them all).');
    expect(reason).not.toContain('t5.c');
  });

  test('conservative always waits; aggressive never does', () => {
    expect(approvalNeed(plan([1]), 'conservative', { auto_approve_high_confidence: true }).required).toBe(true);
    expect(approvalNeed(plan([0.5]), 'aggressive', {}).required).toBe(false);
  });
});

describe('chunk sizing', () => {
  const balanced = strategySettings('balanced', {});

  test('grows towards ~2 s chunks, at most doubling, within the strategy bounds', () => {
    expect(nextChunkSize(10_000, 10_000, 100, balanced)).toBe(20_000);
    expect(nextChunkSize(40_000, 40_000, 100, balanced)).toBe(50_000);
    expect(nextChunkSize(10_000, 10_000, 2_000, balanced)).toBe(10_000);
  });

  test('shrinks when chunks are slow, never below the minimum', () => {
    expect(nextChunkSize(10_000, 10_000, 8_000, balanced)).toBe(5_000);
    expect(nextChunkSize(1_000, 1_000, 60_000, balanced)).toBe(1_000);
  });

  test('a short last chunk or an explicit chunk_size leaves the size alone', () => {
    expect(nextChunkSize(10_000, 10, 1, balanced)).toBe(10_000);
    const fixed = strategySettings('aggressive', { chunk_size: 123 });
    expect(nextChunkSize(123, 123, 1, fixed)).toBe(123);
  });
});

describe('sealed connection strings', () => {
  test('round-trip, never contain the secret, and refuse another key', () => {
    const a = new Sealer('key-a');
    const sealed = a.seal('postgresql://app:hunter22@db/x');
    expect(sealed).not.toContain('hunter22');
    expect(a.unseal(sealed)).toBe('postgresql://app:hunter22@db/x');
    expect(a.seal('same')).not.toBe(a.seal('same'));
    expect(() => new Sealer('key-b').unseal(sealed)).toThrow(/SENSEI_ENCRYPTION_KEY differs/);
    expect(() => a.unseal(sealed.slice(0, -3) + 'AAA')).toThrow();
  });
});

describe('splitting a large table into key ranges', () => {
  const aggressive = strategySettings('aggressive', {});
  const conservative = strategySettings('conservative', {});

  test('by default one range per million rows, at most the strategy’s lanes', () => {
    expect(tablePartitions(1_500_000, {}, aggressive)).toBe(1);
    expect(tablePartitions(2_000_000, {}, aggressive)).toBe(2);
    expect(tablePartitions(50_000_000, {}, aggressive)).toBe(aggressive.parallelTables);
    expect(tablePartitions(50_000_000, {}, conservative)).toBe(1);
  });

  test('table_partitions asks for more, down to 50,000 rows a range; 1 turns it off', () => {
    expect(tablePartitions(240_000, { table_partitions: 4 }, aggressive)).toBe(4);
    expect(tablePartitions(120_000, { table_partitions: 4 }, aggressive)).toBe(2);
    expect(tablePartitions(40_000, { table_partitions: 4 }, aggressive)).toBe(1);
    expect(tablePartitions(50_000_000, { table_partitions: 1 }, aggressive)).toBe(1);
  });
});

describe('which tier caught a failed validation', () => {
  const tiers = (failed: Partial<Record<(typeof VALIDATION_TIERS)[number], 'failed' | 'error'>>): ValidationState['tiers'] =>
    Object.fromEntries(VALIDATION_TIERS.map((t) => [t, { verdict: failed[t] ?? 'passed', summary: `${t} summary`, failures: failed[t] ? 1 : 0 }])) as ValidationState['tiers'];
  const finding = (t: string) => (t === 'error' ? undefined : `${t} finding`);

  test('the most specific failed tier is named, the others follow in diagnosis order', () => {
    expect(diagnoseValidation(tiers({ behavioral: 'failed', statistical: 'failed', semantic: 'failed', referential: 'failed' }), finding)).toEqual({
      caught_by: 'referential',
      finding: 'referential finding',
      also_failed: ['semantic', 'statistical', 'behavioral'],
    });
    expect(diagnoseValidation(tiers({ semantic: 'failed', structural: 'failed' }), finding)?.caught_by).toBe('structural');
    expect(diagnoseValidation(tiers({ behavioral: 'failed' }), finding)).toEqual({ caught_by: 'behavioral', finding: 'behavioral finding', also_failed: [] });
  });

  test('a tier that could not run counts as failed and is described by its summary; all passed is no diagnosis', () => {
    expect(diagnoseValidation(tiers({ statistical: 'error' }), () => undefined)).toEqual({ caught_by: 'statistical', finding: 'statistical summary', also_failed: [] });
    expect(diagnoseValidation(tiers({}), finding)).toBeNull();
  });

  test('a tier that found differences is named before one that could not run', () => {
    expect(diagnoseValidation(tiers({ structural: 'error', semantic: 'failed' }), finding)).toEqual({
      caught_by: 'semantic',
      finding: 'semantic finding',
      also_failed: ['structural'],
    });
  });
});
