/** The metadata store on both backends: the SQLite file of the data dir and PostgreSQL (SENSEI_DATABASE_URL). */
import fs from 'node:fs';
import knexFactory from 'knex';
import type { MigrationError, MigrationInput, MigrationStatus, ValidationReport } from '../../lib/migration';
import { MetadataStore, hashKey, knexConfig } from '../../lib/store';
import { migrationSource } from '../../lib/store/migrations';
import { BLOB_GC_DEFAULT_GRACE_MS } from '../../lib/blob-gc';
import { createTempDatabase } from '../helpers/databases';
import { tempDataDir } from '../helpers/temporal';

const backends: [string, () => Promise<{ store: MetadataStore; cleanup: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dataDir = tempDataDir();
      const store = await MetadataStore.open({ dataDir });
      return { store, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
    },
  ],
  [
    'postgresql',
    async () => {
      const db = await createTempDatabase('postgresql');
      const store = await MetadataStore.open({ dataDir: tempDataDir(), databaseUrl: db.endpoint.connectionString });
      return { store, cleanup: () => db.drop() };
    },
  ],
];

describe.each(backends)('metadata store on %s', (_name, open) => {
  let store: MetadataStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await open());
  });
  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  test('keys are stored hashed, found by the key, listed per environment, revoked', async () => {
    const { record, key } = await store.createApiKey({ name: 'ci', kind: 'service_account', environment: 'test', scopes: ['read', 'write'] });
    expect(key.startsWith('sa_test_')).toBe(true);
    const raw = await store.db('api_keys').where({ id: record.id }).first();
    expect(JSON.stringify(raw)).not.toContain(key);
    expect(raw.hash).toBe(hashKey(key));
    expect((await store.findApiKey(key))?.id).toBe(record.id);
    expect((await store.listApiKeys('live', 10, 0)).total).toBe(0);
    expect((await store.listApiKeys('test', 10, 0)).rows.map((r) => r.id)).toEqual([record.id]);
    expect((await store.revokeApiKey(record.id, 'test'))?.revoked_at).not.toBeNull();
  });

  test('the migration index lists with filters, sort and pages; status updates land', async () => {
    for (const [i, name] of ['b', 'a', 'c'].entries()) {
      await store.indexMigration({
        id: `mig_${name}${i}`,
        environment: 'live',
        name,
        status: 'created',
        phase: null,
        strategy: 'balanced',
        source_type: 'postgresql',
        target_type: 'mysql',
        created_by: null,
        created_at: `2026-01-0${i + 1}T00:00:00.000Z`,
      });
    }
    await store.updateMigrationStatus('mig_a1', 'completed', 'certification');
    const byName = await store.listMigrations({ environment: 'live', sort: { column: 'name', direction: 'asc' }, limit: 2, offset: 0 });
    expect(byName.total).toBe(3);
    expect(byName.rows.map((r) => r.name)).toEqual(['a', 'b']);
    const completed = await store.listMigrations({ environment: 'live', status: 'completed', sort: { column: 'created_at', direction: 'desc' }, limit: 10, offset: 0 });
    expect(completed.rows.map((r) => r.id)).toEqual(['mig_a1']);
    const window = await store.listMigrations({
      environment: 'live',
      createdAfter: '2026-01-02T00:00:00.000Z',
      createdBefore: '2026-01-03T00:00:00.000Z',
      sort: { column: 'created_at', direction: 'asc' },
      limit: 10,
      offset: 0,
    });
    expect(window.rows.map((r) => r.id)).toEqual(['mig_a1']);
  });

  test('an idempotency key is claimed once; the stored answer comes back', async () => {
    const claim = { principal: 'key_1', key: 'k-1', method: 'POST', path: '/v1/migrations', bodyHash: 'h' };
    expect(await store.claimIdempotencyKey(claim)).toBeUndefined();
    expect(await store.claimIdempotencyKey(claim)).toMatchObject({ status: null });
    await store.completeIdempotencyKey('key_1', 'k-1', 201, '{"id":"mig_x"}');
    expect(await store.claimIdempotencyKey(claim)).toMatchObject({ status: 201, response: '{"id":"mig_x"}', body_hash: 'h' });
  });

  test('every error is kept in the order recorded; a row rejected again stays one error; a page at a time', async () => {
    const id = 'mig_errors0001';
    const row = (n: number): MigrationError => ({ id: `err_row_${n}`, phase: 'data_transfer', table: 'people', key: [String(n), n], code: 'RowRejected', message: `row ${n} too long`, at: `2026-01-01T00:00:00.${String(n).padStart(3, '0')}Z` });
    await store.recordErrors(id, Array.from({ length: 600 }, (_, i) => row(i + 1)));
    await store.recordErrors(id, [{ ...row(7), message: 'rejected again' }]);
    await store.recordErrors(id, [{ id: 'err_601', phase: 'validation', code: 'ValidationFailed', message: 'caught by the semantic tier', at: '2026-01-01T00:00:01.000Z' }]);
    const first = await store.listErrors(id, 100, 0);
    expect(first.total).toBe(601);
    expect(first.rows[6]).toEqual(row(7));
    const last = await store.listErrors(id, 100, 600);
    // Absent fields stay absent, as the workflow's records have them.
    expect(last.rows).toEqual([{ id: 'err_601', phase: 'validation', code: 'ValidationFailed', message: 'caught by the semantic tier', at: '2026-01-01T00:00:01.000Z' }]);
    const all = [];
    for (let offset = 0; offset < 601; offset += 100) all.push(...(await store.listErrors(id, 100, offset)).rows);
    expect(new Set(all.map((e) => e.id)).size).toBe(601);
    expect((await store.listErrors('mig_other0001', 10, 0)).total).toBe(0);
    // A retry's outcome replaces the record.
    await store.recordErrors(id, [{ ...row(7), message: 'still too long', at: '2026-01-02T00:00:00.000Z' }], 'replace');
    expect(await store.getError(id, 'err_row_7')).toMatchObject({ message: 'still too long', at: '2026-01-02T00:00:00.000Z', key: ['7', 7] });
    expect((await store.errorsById(id, ['err_row_1', 'err_601', 'err_nope'])).map((e) => e.id).sort()).toEqual(['err_601', 'err_row_1']);
  });

  test('resolving an error changes its record and the final status that lists it, once', async () => {
    const id = 'mig_resolve0001';
    const error: MigrationError = { id: 'err_1', phase: 'data_transfer', table: 't', key: [1], code: 'RowRejected', message: 'bad', at: '2026-01-01T00:00:00.000Z' };
    await store.recordErrors(id, [error]);
    const status = { id, status: 'failed', errors: [error], errors_total: 1 } as unknown as MigrationStatus;
    await store.recordOutcome(id, { runId: 'run-1', status, carryOn: { id } as MigrationInput });
    const resolution = { resolved_at: '2026-01-03T00:00:00.000Z', resolved_by: 'key_1', resolution_note: 'fixed' };
    expect(await store.resolveError(id, 'err_1', resolution)).toEqual({ ...error, ...resolution });
    expect(await store.resolveError(id, 'err_1', resolution)).toBeUndefined();
    expect(await store.resolveError(id, 'err_nope', resolution)).toBeUndefined();
    expect((await store.getOutcome(id))?.status.errors).toEqual([{ ...error, ...resolution }]);
  });

  test('the log is the timeline with every error, by time; events recorded twice count once', async () => {
    const id = 'mig_log0001';
    const at = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
    await store.recordTimeline(id, [
      { id: 'ev_0', at: at(0), level: 'info', message: 'migration created' },
      { id: 'ev_1', at: at(1), level: 'info', message: 'phase data_transfer started' },
      { id: 'ev_2', at: at(3), level: 'info', message: 'table t: 9 rows in 1 chunk(s)' },
    ]);
    await store.recordTimeline(id, [{ id: 'ev_2', at: at(3), level: 'info', message: 'table t: 9 rows in 1 chunk(s)' }]);
    await store.recordErrors(id, [
      { id: 'err_a', phase: 'data_transfer', table: 't', key: [4], code: 'RowRejected', message: 'too long', at: at(2) },
      { id: 'err_b', phase: 'data_transfer', code: 'Timeout', message: 'slow', at: at(3) },
    ]);
    expect(await store.hasTimeline(id)).toBe(true);
    expect(await store.hasTimeline('mig_nolog0001')).toBe(false);
    const log = await store.listLog(id, 10, 0);
    expect(log.total).toBe(5);
    expect(log.rows).toEqual([
      { at: at(0), level: 'info', message: 'migration created' },
      { at: at(1), level: 'info', message: 'phase data_transfer started' },
      { at: at(2), level: 'error', message: 'RowRejected: too long' },
      { at: at(3), level: 'info', message: 'table t: 9 rows in 1 chunk(s)' },
      { at: at(3), level: 'error', message: 'Timeout: slow' },
    ]);
    expect((await store.listLog(id, 2, 3)).rows.map((r) => r.message)).toEqual(['table t: 9 rows in 1 chunk(s)', 'Timeout: slow']);
  });

  test('validation reports per attempt, certificates byte for byte, outcomes taken once and put back', async () => {
    const id = 'mig_results0001';
    const report = { status: 'passed', attempt: 2, results: { structural: { tier: 'structural', summary: 'ok ü' } } } as unknown as ValidationReport;
    await store.recordValidation(id, { ...report, status: 'failed' });
    await store.recordValidation(id, report);
    expect(await store.getValidation(id, 2)).toEqual(report);
    expect(await store.getValidation(id, 1)).toBeUndefined();

    const document = '{"certificate_id":"cert_1","signature":{"value":"ab+/=="},"text":"é\u2028"}';
    await store.recordCertificate(id, { certificate_id: 'cert_1', validation_attempt: 2, issued_at: '2026-01-01T00:00:00.000Z', sha256: 'x', document });
    expect(await store.getCertificate(id, 'cert_1')).toBe(document);
    expect(await store.getCertificate('mig_other0001', 'cert_1')).toBeUndefined();

    const status = { id, status: 'completed', errors: [] } as unknown as MigrationStatus;
    await store.recordOutcome(id, { runId: 'run-1', status, carryOn: { id, name: 'n' } as MigrationInput });
    expect(await store.getOutcome(id)).toMatchObject({ run_id: 'run-1', status });
    expect(await store.takeOutcome(id, 'run-0')).toBeUndefined();
    const taken = await store.takeOutcome(id, 'run-1');
    expect(JSON.parse(taken?.carry_on ?? '{}')).toEqual({ id, name: 'n' });
    expect(await store.takeOutcome(id, 'run-1')).toBeUndefined();
    expect(await store.getOutcome(id)).toBeUndefined();
    await store.putOutcomeBack(taken!);
    expect((await store.getOutcome(id))?.run_id).toBe('run-1');
    await store.recordOutcome(id, { runId: 'run-2', status: { ...status, status: 'failed' }, carryOn: { id } as MigrationInput });
    expect(await store.getOutcome(id)).toMatchObject({ run_id: 'run-2', status: { status: 'failed' } });
  });

  test('keeps large payloads by key, byte for byte, once', async () => {
    const bytes = Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.alloc(300_000, 7)]);
    await store.putBlob('k'.repeat(64), bytes);
    await store.putBlob('k'.repeat(64), bytes);
    expect(await store.getBlob('k'.repeat(64))).toEqual(bytes);
    expect(await store.getBlob('0'.repeat(64))).toBeUndefined();
  });

  test('putting a blob again marks it written now; the collector deletes only what was not written since its cutoff', async () => {
    const key = `plan:${'e'.repeat(64)}`; // a plan's key (activities/plans.ts): longer than a claim check's
    await store.putBlob(key, Buffer.from('{"plan":1}'));
    await store.db('payload_blobs').where({ key }).update({ touched_at: '2020-01-01T00:00:00.000Z' });
    expect((await store.listBlobs()).find((b) => b.key === key)).toEqual({ key, size: 10, touched_at: '2020-01-01T00:00:00.000Z' });
    await store.putBlob(key, Buffer.from('{"plan":1}'));
    const touched = (await store.listBlobs()).find((b) => b.key === key)?.touched_at ?? '';
    expect(touched > '2026-01-01').toBe(true);
    expect(await store.deleteBlobUntouched(key, '2021-01-01T00:00:00.000Z')).toBe(false);
    expect(await store.getBlob(key)).toEqual(Buffer.from('{"plan":1}'));
    expect(await store.deleteBlobUntouched(key, new Date(Date.now() + 1000).toISOString())).toBe(true);
    expect(await store.getBlob(key)).toBeUndefined();
  });

  test('opening again applies no schema version twice', async () => {
    const versions = await store.db('sensei_schema_versions').select('name');
    expect(versions.map((v: { name: string }) => v.name)).toEqual(['0001_initial', '0002_results', '0003_rate_counters', '0004_payload_blobs', '0005_webhook_deliveries', '0006_payload_blobs_touched']);
  });
});

test('API and worker processes opening one new PostgreSQL store at once all start, and each schema version runs once', async () => {
  const db = await createTempDatabase('postgresql');
  const dataDir = tempDataDir();
  try {
    const opened = await Promise.allSettled(
      Array.from({ length: 4 }, () => MetadataStore.open({ dataDir, databaseUrl: db.endpoint.connectionString })),
    );
    const stores = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    await Promise.all(stores.map((s) => s.close()));
    expect(opened.map((o) => (o.status === 'rejected' ? String(o.reason) : 'opened'))).toEqual(Array(4).fill('opened'));
    const check = await MetadataStore.open({ dataDir, databaseUrl: db.endpoint.connectionString });
    const versions = await check.db('sensei_schema_versions').select('name');
    await check.close();
    expect(versions.map((v: { name: string }) => v.name)).toEqual(['0001_initial', '0002_results', '0003_rate_counters', '0004_payload_blobs', '0005_webhook_deliveries', '0006_payload_blobs_touched']);
  } finally {
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

/**
 * A store a Sensei of schema version 0005 made (payload_blobs without touched_at) holding blobs, opened by this one:
 * 0006 keeps every row byte for byte and marks each written at the upgrade, not when it was first written: before
 * 0006 a put of content already kept changed nothing, so created_at says nothing of the last write, and a blob put
 * again (by a codec that will name it in a history minutes later) must not look a month old to the collector.
 */
describe.each(['sqlite', 'postgresql'])('a %s store of schema version 0005 with blobs, upgraded', (backend) => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  let drop: () => Promise<void> = async () => undefined;
  const old = '2020-01-01T00:00:00.000Z';
  const blobs = [
    { key: '1'.repeat(64), bytes: Buffer.concat([Buffer.from([0, 255, 1]), Buffer.alloc(1000, 9)]), created_at: old },
    { key: '2'.repeat(64), bytes: Buffer.from('{"a":1}'), created_at: '2026-11-30T12:00:00.000Z' },
  ];

  beforeAll(async () => {
    dataDir = tempDataDir();
    if (backend === 'postgresql') {
      const db = await createTempDatabase('postgresql');
      databaseUrl = db.endpoint.connectionString;
      drop = () => db.drop();
    }
    // Schema versions up to 0005, as the Sensei before 0006 applied them, and blobs as it wrote them.
    const knex = knexFactory(knexConfig({ dataDir, databaseUrl }));
    try {
      const upTo0005 = { ...migrationSource, getMigrations: async () => (await migrationSource.getMigrations([])).filter((name) => name < '0006') };
      await knex.migrate.latest({ migrationSource: upTo0005, tableName: 'sensei_schema_versions' });
      expect(await knex.schema.hasColumn('payload_blobs', 'touched_at')).toBe(false);
      await knex('payload_blobs').insert(blobs);
    } finally {
      await knex.destroy();
    }
  });

  afterAll(async () => {
    await drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('keeps every row, marks each written at the upgrade; the collector spares them for the grace period', async () => {
    const before = new Date().toISOString();
    const store = await MetadataStore.open({ dataDir, databaseUrl });
    try {
      const after = new Date().toISOString();
      const versions = await store.db('sensei_schema_versions').select('name');
      expect(versions.map((v: { name: string }) => v.name).at(-1)).toBe('0006_payload_blobs_touched');
      for (const blob of blobs) expect(await store.getBlob(blob.key)).toEqual(blob.bytes);
      const listed = (await store.listBlobs()).sort((a, b) => a.key.localeCompare(b.key));
      expect(listed.map((b) => [b.key, b.size])).toEqual(blobs.map((b) => [b.key, b.bytes.length]));
      for (const b of listed) expect(b.touched_at >= before && b.touched_at <= after).toBe(true);
      expect((await store.db('payload_blobs').select('created_at').orderBy('key')).map((r: { created_at: string }) => r.created_at)).toEqual(blobs.map((b) => b.created_at));
      // The collector's cutoff a grace period ago: neither goes, however old its created_at.
      const cutoff = new Date(Date.now() - BLOB_GC_DEFAULT_GRACE_MS).toISOString();
      for (const b of blobs) expect(await store.deleteBlobUntouched(b.key, cutoff)).toBe(false);
      // A row written without touched_at (a Sensei of 0005 still running beside this one during the upgrade) is taken.
      await store.db('payload_blobs').insert({ key: '3'.repeat(64), bytes: Buffer.from('x'), created_at: old });
      expect((await store.listBlobs()).find((b) => b.key === '3'.repeat(64))?.touched_at).toEqual(expect.any(String));
      // And the store works as one made at 0006: a put refreshes, an untouched blob goes past its cutoff.
      await store.putBlob(blobs[0].key, blobs[0].bytes);
      expect(await store.deleteBlobUntouched(blobs[1].key, new Date(Date.now() + 1000).toISOString())).toBe(true);
      expect((await store.listBlobs()).map((b) => b.key).sort()).toEqual([blobs[0].key, '3'.repeat(64)]);
    } finally {
      await store.close();
    }
  });
});
