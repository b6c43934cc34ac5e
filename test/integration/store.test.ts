/** The metadata store on both backends: the SQLite file of the data dir and PostgreSQL (SENSEI_DATABASE_URL). */
import fs from 'node:fs';
import { MetadataStore, hashKey } from '../../lib/store';
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

  test('opening again applies no schema version twice', async () => {
    const versions = await store.db('sensei_schema_versions').select('name');
    expect(versions.map((v: { name: string }) => v.name)).toEqual(['0001_initial', '0003_rate_counters']);
  });
});
