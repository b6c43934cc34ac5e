import { CERTIFICATE_FORMAT, type CertificateBody } from '../../lib/certificate';

const tier = { verdict: 'passed' as const, evidence_sha256: 'ab'.repeat(32), checks: 3, summary: 'ok' };

/** A certificate body whose five tiers passed, for signing and verifying in tests. */
export function sampleCertificateBody(overrides: Partial<CertificateBody> = {}): CertificateBody {
  return {
    format: CERTIFICATE_FORMAT,
    certificate_id: 'cert_1',
    migration: { id: 'mig_1', name: 'm', workflow_id: 'mig_1', run_id: 'run', validation_attempt: 1 },
    environment: 'test',
    source: { type: 'sqlite', description: 'sqlite file a', schema: 'main' },
    target: { type: 'postgresql', description: 'postgresql app@db:5432/x', schema: 'public' },
    schema_fingerprint: 'cd'.repeat(32),
    tables: [{ name: 'T', target: 'T', source_rows: 12, target_rows: 12, source_content_sha256: 'e'.repeat(64), target_content_sha256: 'e'.repeat(64) }],
    tiers: { structural: tier, statistical: tier, referential: tier, semantic: tier, behavioral: tier },
    timestamps: { migration_started_at: null, validation_started_at: 't0', validation_completed_at: 't1', issued_at: 't2' },
    ...overrides,
  };
}
