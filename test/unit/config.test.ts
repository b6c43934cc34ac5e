import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { temporalSecurity } from '../../workers/temporal';

describe('configuration from the environment', () => {
  test('defaults, and bad numbers refused with the variable named', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, namespace: 'default', taskQueue: 'sensei-migrations', rateLimit: 50, temporalAddress: undefined, host: undefined });
    expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ SENSEI_RATE_LIMIT: '0' })).toThrow(/SENSEI_RATE_LIMIT/);
  });

  test('blob collection: daily with a day of grace by default, off, and a grace under an hour refused', () => {
    expect(loadConfig({})).toMatchObject({ blobGcIntervalMs: 86_400_000, blobGcGraceMs: 86_400_000 });
    expect(loadConfig({ SENSEI_BLOB_GC_INTERVAL: 'off', SENSEI_BLOB_GC_GRACE: '2d' })).toMatchObject({ blobGcIntervalMs: undefined, blobGcGraceMs: 172_800_000 });
    expect(loadConfig({ SENSEI_BLOB_GC_INTERVAL: '6h' }).blobGcIntervalMs).toBe(21_600_000);
    expect(() => loadConfig({ SENSEI_BLOB_GC_GRACE: '30m' })).toThrow(/SENSEI_BLOB_GC_GRACE must be at least 3600 s/);
    expect(() => loadConfig({ SENSEI_BLOB_GC_INTERVAL: 'daily' })).toThrow(/SENSEI_BLOB_GC_INTERVAL must be a duration/);
  });

  test('Temporal TLS and API key options', () => {
    expect(temporalSecurity({})).toEqual({});
    expect(temporalSecurity({ TEMPORAL_API_KEY: 'k' })).toEqual({ apiKey: 'k', tls: true });
    expect(temporalSecurity({ TEMPORAL_TLS: 'true' })).toEqual({ tls: {} });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-'));
    fs.writeFileSync(path.join(dir, 'c.pem'), 'CERT');
    fs.writeFileSync(path.join(dir, 'k.pem'), 'KEY');
    const mtls = temporalSecurity({ TEMPORAL_TLS_CERT: path.join(dir, 'c.pem'), TEMPORAL_TLS_KEY: path.join(dir, 'k.pem'), TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' });
    expect(mtls.tls).toMatchObject({ serverNameOverride: 'temporal.internal', clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') } });
    expect(() => temporalSecurity({ TEMPORAL_TLS_CERT: path.join(dir, 'c.pem') })).toThrow(/go together/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
