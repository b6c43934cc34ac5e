/**
 * The reach rules where the worker opens databases (activities/connections.ts ConnectorPool, the connectors and the
 * validation sessions), against this machine's PostgreSQL and MariaDB: URL options read or refused, TLS files only
 * from SENSEI_TLS_DIR, no metadata addresses, no SQLite file in the data dir.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ConnectorPool } from '../../activities/connections';
import { openSession } from '../../activities/validation';
import { createConnector } from '../../connectors/registry';
import { ConnectorError, type Endpoint } from '../../connectors/types';
import type { EndpointRef } from '../../lib/migration';
import { reachPolicy, type ReachSettings } from '../../lib/reach';
import { Sealer } from '../../lib/secrets';
import { MYSQL_ADMIN_URL, PG_ADMIN_URL } from '../helpers/databases';

let root: string;
let settings: ReachSettings;
const sealer = new Sealer('connector reach test');
const ref = (e: Endpoint): EndpointRef => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: e.type, ...(e.schema ? { schema: e.schema } : {}) });

/** `url` with these query options (and, given, this host). */
function withOptions(url: string, options: Record<string, string>, host?: string): string {
  const u = new URL(url);
  if (host) u.hostname = host;
  for (const [k, v] of Object.entries(options)) u.searchParams.set(k, v);
  return u.href;
}

/** The ConnectorError code and message a promise rejects with ('ok' when it resolves). */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof ConnectorError ? `${err.code}: ${err.message}` : `other: ${(err as Error).message}`;
  }
}

async function testConnection(endpoint: Endpoint): Promise<string> {
  const started = Date.now();
  let connector;
  try {
    connector = await createConnector(endpoint);
  } catch (err) {
    return outcome(Promise.reject(err));
  }
  try {
    const result = await outcome(connector.testConnection());
    // A refusal happens before any packet leaves: never a connect timeout.
    if (result.startsWith('NotAllowed')) expect(Date.now() - started).toBeLessThan(2_000);
    return result;
  } finally {
    await connector.close();
  }
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-conn-reach-'));
  for (const d of ['tls', 'dbs', 'dbs/state']) fs.mkdirSync(path.join(root, d));
  settings = { sqliteDir: path.join(root, 'dbs'), tlsDir: path.join(root, 'tls'), dataDir: path.join(root, 'dbs/state'), webhookAllowPrivate: false, webhookAllowCidrs: [] };
  // The server's own certificate as the trusted root (Debian's snakeoil certificate names localhost).
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const certFile = String((await admin.query('SHOW ssl_cert_file')).rows[0].ssl_cert_file);
    fs.copyFileSync(certFile, path.join(root, 'tls', 'server-root.pem'));
  } finally {
    await admin.end();
  }
  // Any other CA: the server's certificate does not chain to it.
  const other = fs.readdirSync('/etc/ssl/certs').find((f) => f.endsWith('.pem') && !f.includes('snakeoil')) as string;
  fs.copyFileSync(path.join('/etc/ssl/certs', other), path.join(root, 'tls', 'other-root.pem'));
  fs.copyFileSync(path.join('/etc/ssl/certs', other), path.join(root, 'outside-root.pem'));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('PostgreSQL', () => {
  test('sslrootcert inside SENSEI_TLS_DIR is used (verify-full against the server certificate), by connector and validation session', async () => {
    const pool = new ConnectorPool(sealer, reachPolicy(settings));
    const tls = ref({ type: 'postgresql', connectionString: withOptions(PG_ADMIN_URL, { sslmode: 'verify-full', sslrootcert: 'server-root.pem' }, 'localhost') });
    try {
      expect(await outcome((await pool.get(tls, 'source')).testConnection())).toBe('ok');
      const session = await openSession(pool.endpoint(tls));
      try {
        expect(await session.object('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).toEqual({ ssl: true });
      } finally {
        await session.close();
      }
      // The same URL with a CA the server's certificate does not chain to: refused by the TLS check, so the file is read.
      const wrong = ref({ type: 'postgresql', connectionString: withOptions(PG_ADMIN_URL, { sslmode: 'verify-full', sslrootcert: 'other-root.pem' }, 'localhost') });
      expect(await outcome((await pool.get(wrong, 'source')).testConnection())).toMatch(/certificate/i);
    } finally {
      await pool.closeAll();
    }
  });

  test('TLS files outside SENSEI_TLS_DIR, or without one, are refused before anything is read', async () => {
    const outside = ref({ type: 'postgresql', connectionString: withOptions(PG_ADMIN_URL, { sslmode: 'verify-full', sslrootcert: path.join(root, 'outside-root.pem') }) });
    const pool = new ConnectorPool(sealer, reachPolicy(settings));
    expect(await outcome(pool.get(outside, 'source'))).toMatch(/^NotAllowed: sslrootcert: the file lies outside the directory SENSEI_TLS_DIR allows$/);
    const noTls = new ConnectorPool(sealer, reachPolicy({ ...settings, tlsDir: undefined }));
    const inside = ref({ type: 'postgresql', connectionString: withOptions(PG_ADMIN_URL, { sslrootcert: 'server-root.pem' }) });
    expect(await outcome(noTls.get(inside, 'source'))).toMatch(/^NotAllowed: sslrootcert: .*SENSEI_TLS_DIR/);
    // Validation sessions are opened from the same checked endpoint.
    expect(() => pool.endpoint(outside)).toThrow(/outside the directory SENSEI_TLS_DIR/);
  });

  test('options node-postgres would pass on unchecked are refused (a session zone would corrupt timestamps)', async () => {
    expect(await testConnection({ type: 'postgresql', connectionString: withOptions(PG_ADMIN_URL, { options: '-c TimeZone=Asia/Tokyo' }) })).toBe(
      'InvalidConnectionString: the postgresql option "options" is not supported (supported: sslmode, ssl, uselibpqcompat, application_name, sslrootcert, sslcert, sslkey)',
    );
    expect(await outcome(createConnector({ type: 'postgresql', connectionString: withOptions(PG_ADMIN_URL, { host: '/var/run/postgresql' }) }))).toMatch(/^InvalidConnectionString: .*"host"/);
  });

  test('a metadata or link-local host is refused at once, with no secret in the message', async () => {
    for (const host of ['169.254.169.254', '[::ffff:169.254.169.254]', '[fe80::1]']) {
      const u = new URL(PG_ADMIN_URL);
      u.hostname = host;
      u.password = 'pg-secret-123';
      const result = await testConnection({ type: 'postgresql', connectionString: u.href });
      expect([host, result]).toEqual([host, expect.stringMatching(/^NotAllowed: cannot connect to postgresql postgres@.*: the host .* is a link-local address/)]);
      expect(result).not.toContain('pg-secret-123');
    }
  });
});

describe('MySQL / MariaDB', () => {
  test('ssl-mode is honoured: required fails on a server without TLS (it connected in plain text before), disabled connects', async () => {
    const ssl = (mode: string) => ({ type: 'mysql' as const, connectionString: withOptions(MYSQL_ADMIN_URL, { 'ssl-mode': mode }), schema: 'mysql' });
    const serverTls = await outcome(
      (async () => {
        const session = await openSession(ssl('disabled'));
        try {
          const row = await session.object("SHOW VARIABLES LIKE 'have_ssl'");
          if (row?.Value !== 'YES') throw new Error(String(row?.Value));
        } finally {
          await session.close();
        }
      })(),
    );
    expect(await testConnection(ssl('disabled'))).toBe('ok');
    if (serverTls === 'ok') {
      // A server with TLS: required encrypts without checking; verify-identity checks against the system CAs.
      expect(await testConnection(ssl('required'))).toBe('ok');
    } else {
      expect(await testConnection(ssl('required'))).toMatch(/^ConnectionFailed: cannot connect to mysql root@127.0.0.1:3306.* over TLS: .*secure connection/);
      expect(await testConnection(ssl('VERIFY_IDENTITY'))).toMatch(/^ConnectionFailed: .* over TLS/);
      // The validation sessions read the same options.
      expect(await outcome(openSession(ssl('required')))).toMatch(/secure connection/);
    }
    expect(await outcome(createConnector(ssl('preferred')))).toMatch(/^NotSupported: ssl-mode=preferred/);
  });

  test('unknown options are refused instead of ignored; TLS files only from SENSEI_TLS_DIR', async () => {
    expect(await outcome(createConnector({ type: 'mysql', connectionString: withOptions(MYSQL_ADMIN_URL, { charset: 'latin1' }), schema: 'mysql' }))).toMatch(
      /^InvalidConnectionString: the mysql option "charset" is not supported \(supported: ssl-mode, ssl-ca, ssl-cert, ssl-key\)/,
    );
    const pool = new ConnectorPool(sealer, reachPolicy(settings));
    const outside = ref({ type: 'mysql', connectionString: withOptions(MYSQL_ADMIN_URL, { 'ssl-mode': 'verify-ca', 'ssl-ca': '/etc/ssl/certs/ca-certificates.crt' }) });
    expect(await outcome(pool.get(outside, 'source'))).toMatch(/^NotAllowed: ssl-ca: the file lies outside/);
    // Inside the directory: read and used (the server has no TLS, or its certificate does not chain to this CA).
    const inside = ref({ type: 'mysql', connectionString: withOptions(MYSQL_ADMIN_URL, { 'ssl-mode': 'verify-ca', 'ssl-ca': 'other-root.pem' }), schema: 'mysql' });
    try {
      expect(await outcome((await pool.get(inside, 'source')).testConnection())).toMatch(/^ConnectionFailed: .* over TLS/);
    } finally {
      await pool.closeAll();
    }
  });

  test('a metadata host is refused at once', async () => {
    const u = new URL(MYSQL_ADMIN_URL);
    u.hostname = '169.254.169.254';
    u.pathname = '/app';
    expect(await testConnection({ type: 'mysql', connectionString: u.href })).toMatch(/^NotAllowed: cannot connect to mysql root@169.254.169.254.*link-local/);
  });
});

describe('SQLite', () => {
  test('the worker opens no file of its data dir, not even one a sealed connection names, and creates none there', async () => {
    const pool = new ConnectorPool(sealer, reachPolicy(settings));
    const target = path.join(root, 'dbs/state/planted.sqlite');
    expect(await outcome(pool.get(ref({ type: 'sqlite', connectionString: target }), 'target'))).toMatch(/^NotAllowed: the sqlite file: .*data directory/);
    expect(fs.existsSync(target)).toBe(false);
    const none = new ConnectorPool(sealer, reachPolicy({ ...settings, sqliteDir: undefined }));
    expect(await outcome(none.get(ref({ type: 'sqlite', connectionString: path.join(root, 'dbs/ok.sqlite') }), 'target'))).toMatch(/SENSEI_SQLITE_DIR/);
    const ok = await pool.get(ref({ type: 'sqlite', connectionString: 'ok.sqlite' }), 'target');
    expect(await outcome(ok.testConnection())).toBe('ok');
    expect(fs.existsSync(path.join(root, 'dbs/ok.sqlite'))).toBe(true);
    await pool.closeAll();
  });
});
