/**
 * The reach rules (lib/reach.ts) on real files, symlinks and DNS answers of this machine, and as the connectors'
 * endpoint check applies them (connectors/reach.ts): what a connection string or a webhook may name.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { allowedEndpoint } from '../../connectors/reach';
import { ConnectorError, type Endpoint } from '../../connectors/types';
import { loadConfig } from '../../lib/config';
import {
  allowedFile,
  checkWebhookUrl,
  databaseSocket,
  guardedLookup,
  isNotAllowed,
  reachPolicy,
  refusedAddress,
  type ReachPolicy,
  type ReachSettings,
} from '../../lib/reach';

let root: string;
let sqliteDir: string;
let dataDir: string;
let tlsDir: string;
let outside: string;

const settings = (extra: Partial<ReachSettings> = {}): ReachSettings => ({
  sqliteDir,
  tlsDir,
  dataDir,
  webhookAllowPrivate: false,
  webhookAllowCidrs: [],
  ...extra,
});
const policy = (extra: Partial<ReachSettings> = {}): ReachPolicy => reachPolicy(settings(extra));

/** The NotAllowed message of `fn`, or a failure when it did not refuse. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isNotAllowed(err) || (err instanceof ConnectorError && err.code === 'NotAllowed')) return (err as Error).message;
    throw err;
  }
  throw new Error('expected a refusal');
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-reach-'));
  // The data dir inside the SQLite dir, as the e2e stack has it: still refused.
  sqliteDir = path.join(root, 'dbs');
  dataDir = path.join(sqliteDir, 'state');
  tlsDir = path.join(root, 'tls');
  outside = path.join(root, 'elsewhere');
  for (const d of [sqliteDir, dataDir, tlsDir, outside, path.join(sqliteDir, 'real')]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'sensei.sqlite'), 'state');
  fs.writeFileSync(path.join(dataDir, 'encryption.key'), 'key');
  fs.writeFileSync(path.join(sqliteDir, 'app.sqlite'), '');
  fs.writeFileSync(path.join(outside, 'secret.sqlite'), '');
  fs.writeFileSync(path.join(tlsDir, 'ca.pem'), 'CA');
  fs.symlinkSync(path.join(dataDir, 'sensei.sqlite'), path.join(sqliteDir, 'to-state.sqlite'));
  fs.symlinkSync(path.join(outside, 'secret.sqlite'), path.join(sqliteDir, 'to-outside.sqlite'));
  fs.symlinkSync(path.join(outside, 'not-yet.sqlite'), path.join(sqliteDir, 'dangling.sqlite'));
  fs.symlinkSync(outside, path.join(sqliteDir, 'out-dir'));
  fs.symlinkSync(path.join(sqliteDir, 'real'), path.join(sqliteDir, 'alias'));
  fs.symlinkSync(dataDir, path.join(tlsDir, 'state-link'));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('files a connection string may name', () => {
  test('SQLite files only inside SENSEI_SQLITE_DIR, by their real path; relative paths are taken from that directory', () => {
    const p = policy();
    expect(allowedFile(path.join(sqliteDir, 'app.sqlite'), 'sqlite', 'f', p)).toBe(fs.realpathSync(path.join(sqliteDir, 'app.sqlite')));
    expect(allowedFile('app.sqlite', 'sqlite', 'f', p)).toBe(fs.realpathSync(path.join(sqliteDir, 'app.sqlite')));
    // A target that does not exist yet, in directories that do not exist yet: judged by its nearest existing ancestor.
    expect(allowedFile('new/deeper/t.sqlite', 'sqlite', 'f', p)).toBe(path.join(fs.realpathSync(sqliteDir), 'new/deeper/t.sqlite'));
    // A symlink that stays inside is followed: the real path is what gets opened.
    expect(allowedFile(path.join(sqliteDir, 'alias', 'x.sqlite'), 'sqlite', 'f', p)).toBe(path.join(fs.realpathSync(sqliteDir), 'real', 'x.sqlite'));
  });

  test("Sensei's data directory is refused even inside SENSEI_SQLITE_DIR, however it is named", () => {
    const p = policy();
    for (const given of [
      path.join(dataDir, 'sensei.sqlite'),
      'state/sensei.sqlite',
      path.join(dataDir, 'fresh.sqlite'),
      path.join(sqliteDir, 'to-state.sqlite'),
      `${sqliteDir}//state/./sensei.sqlite`,
    ]) {
      expect([given, refusal(() => allowedFile(given, 'sqlite', 'the sqlite file', p))]).toEqual([given, expect.stringMatching(/data directory \(SENSEI_DATA_DIR\)/)]);
    }
  });

  test("outside paths, '..' escapes and symlinks out (dangling ones too) are refused", () => {
    const p = policy();
    expect(refusal(() => allowedFile(path.join(outside, 'secret.sqlite'), 'sqlite', 'f', p))).toMatch(/outside the directory SENSEI_SQLITE_DIR allows/);
    expect(refusal(() => allowedFile('/etc/passwd', 'sqlite', 'f', p))).toMatch(/outside/);
    expect(refusal(() => allowedFile(`${sqliteDir}/../elsewhere/secret.sqlite`, 'sqlite', 'f', p))).toMatch(/'\.\.'/);
    expect(refusal(() => allowedFile('real/../../elsewhere/x.sqlite', 'sqlite', 'f', p))).toMatch(/'\.\.'/);
    expect(refusal(() => allowedFile(path.join(sqliteDir, 'to-outside.sqlite'), 'sqlite', 'f', p))).toMatch(/outside/);
    expect(refusal(() => allowedFile(path.join(sqliteDir, 'out-dir', 'new.sqlite'), 'sqlite', 'f', p))).toMatch(/outside/);
    // SQLite would create the file wherever the link points.
    expect(refusal(() => allowedFile(path.join(sqliteDir, 'dangling.sqlite'), 'sqlite', 'f', p))).toMatch(/broken or looping symlink/);
    expect(refusal(() => allowedFile(sqliteDir, 'sqlite', 'f', p))).toMatch(/outside/);
  });

  test('no SENSEI_SQLITE_DIR: no SQLite file at all, and the message says which setting opens it', () => {
    expect(refusal(() => allowedFile(path.join(sqliteDir, 'app.sqlite'), 'sqlite', 'the sqlite file', policy({ sqliteDir: undefined })))).toMatch(
      /the sqlite file: SQLite files are turned off on this server .*SENSEI_SQLITE_DIR/,
    );
  });

  test('TLS files: inside SENSEI_TLS_DIR and existing; whether a file exists is never told for a path outside', () => {
    const p = policy();
    expect(allowedFile('ca.pem', 'tls', 'sslrootcert', p)).toBe(fs.realpathSync(path.join(tlsDir, 'ca.pem')));
    expect(refusal(() => allowedFile('missing.pem', 'tls', 'sslrootcert', p))).toMatch(/no such file/);
    const existing = refusal(() => allowedFile('/etc/passwd', 'tls', 'sslrootcert', p));
    const missing = refusal(() => allowedFile('/etc/no-such-file-here', 'tls', 'sslrootcert', p));
    expect(existing).toBe(missing);
    expect(refusal(() => allowedFile('state-link/encryption.key', 'tls', 'sslkey', p))).toMatch(/outside/);
    expect(refusal(() => allowedFile('dbs/state/encryption.key', 'tls', 'sslkey', policy({ tlsDir: root })))).toMatch(/data directory/);
    expect(refusal(() => allowedFile('ca.pem', 'tls', 'sslrootcert', policy({ tlsDir: undefined })))).toMatch(/SENSEI_TLS_DIR/);
    // A SQLite file may not be made among the certificates and keys.
    expect(refusal(() => allowedFile(path.join(tlsDir, 'x.sqlite'), 'sqlite', 'f', policy({ sqliteDir: root })))).toMatch(/TLS directory/);
  });
});

describe('addresses', () => {
  test('link-local, metadata and unspecified addresses are refused for databases and webhooks, in every IPv6 form', () => {
    const p = policy({ webhookAllowPrivate: true, webhookAllowCidrs: ['169.254.0.0/16', '::/0'] });
    for (const a of ['169.254.169.254', '169.254.0.1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', 'fe80::1', 'febf::1', 'fd00:ec2::254', '100.100.100.200', '168.63.129.16', '::ffff:168.63.129.16', '0.0.0.0', '0.1.2.3', '::', '::ffff:0.0.0.0']) {
      expect([a, refusedAddress(a, 'database')]).toEqual([a, expect.any(String)]);
      // No allowance reaches these.
      expect([a, refusedAddress(a, 'webhook', p)]).toEqual([a, expect.any(String)]);
    }
  });

  test('loopback and private ranges: allowed for databases, refused for webhooks unless the operator allows them', () => {
    const loopbackAndPrivate = ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '64:ff9b::7f00:1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', 'fc00::1', 'fd12:3456::1'];
    for (const a of loopbackAndPrivate) {
      expect([a, refusedAddress(a, 'database')]).toEqual([a, undefined]);
      expect([a, refusedAddress(a, 'webhook', policy())]).toEqual([a, expect.stringMatching(/loopback|private/)]);
      expect([a, refusedAddress(a, 'webhook', policy({ webhookAllowPrivate: true }))]).toEqual([a, undefined]);
    }
    const cidrs = policy({ webhookAllowCidrs: ['127.0.0.0/8', '10.1.0.0/16'] });
    expect(refusedAddress('127.0.0.1', 'webhook', cidrs)).toBeUndefined();
    expect(refusedAddress('::ffff:127.0.0.1', 'webhook', cidrs)).toBeUndefined();
    expect(refusedAddress('10.1.9.9', 'webhook', cidrs)).toBeUndefined();
    expect(refusedAddress('10.2.0.1', 'webhook', cidrs)).toMatch(/private/);
    expect(refusedAddress('::1', 'webhook', cidrs)).toMatch(/loopback/);
    for (const a of ['8.8.8.8', '172.32.0.1', '2001:db8::1', '192.169.0.1']) expect([a, refusedAddress(a, 'webhook', policy())]).toEqual([a, undefined]);
  });

  test('settings: CIDR lists and the private allowance are read strictly', () => {
    expect(loadConfig({ SENSEI_WEBHOOK_ALLOW_CIDRS: '10.0.0.0/8, ::1/128,127.0.0.1' }).webhookAllowCidrs).toEqual(['10.0.0.0/8', '::1/128', '127.0.0.1']);
    expect(() => loadConfig({ SENSEI_WEBHOOK_ALLOW_CIDRS: '10.0.0.0/33' })).toThrow(/SENSEI_WEBHOOK_ALLOW_CIDRS/);
    expect(() => loadConfig({ SENSEI_WEBHOOK_ALLOW_CIDRS: 'localhost' })).toThrow(/SENSEI_WEBHOOK_ALLOW_CIDRS/);
    expect(loadConfig({}).webhookAllowPrivate).toBe(false);
    expect(loadConfig({ SENSEI_WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
    expect(() => loadConfig({ SENSEI_WEBHOOK_ALLOW_PRIVATE: 'sure' })).toThrow(/SENSEI_WEBHOOK_ALLOW_PRIVATE/);
    expect(loadConfig({ SENSEI_SQLITE_DIR: 'dbs' }).sqliteDir).toBe(path.resolve('dbs'));
    expect(loadConfig({}).sqliteDir).toBeUndefined();
  });

  test('the guarded lookup judges what DNS answers: localhost is a database host, not a webhook host', async () => {
    const lookup = (purpose: 'database' | 'webhook', all: boolean) =>
      new Promise<unknown>((resolve, reject) =>
        (guardedLookup(purpose, policy()) as unknown as (h: string, o: object, cb: (e: Error | null, a: unknown) => void) => void)('localhost', { all }, (err, address) =>
          err ? reject(err) : resolve(address),
        ),
      );
    expect(await lookup('database', false)).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(await lookup('database', true)).toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) })]));
    await expect(lookup('webhook', false)).rejects.toThrow(/the host localhost resolves to a loopback address/);
  });

  test('a database socket refuses a metadata address before any packet leaves, and connects to an allowed one', async () => {
    const outcome = (host: string, port: number) =>
      new Promise<string>((resolve) => {
        const socket = databaseSocket();
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (err) => resolve(isNotAllowed(err) ? `refused: ${err.message}` : `error: ${(err as NodeJS.ErrnoException).code}`));
        socket.connect(port, host);
      });
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(await outcome('127.0.0.1', port)).toBe('connected');
      expect(await outcome('localhost', port)).toBe('connected');
      expect(await outcome('169.254.169.254', 80)).toMatch(/^refused: the host 169.254.169.254 is a link-local address/);
      expect(await outcome('[::ffff:169.254.169.254]', 80)).toMatch(/^refused: .*link-local/);
      expect(await outcome('0.0.0.0', port)).toMatch(/^refused: .*unspecified/);
      expect(await outcome('::', port)).toMatch(/^refused: .*unspecified/);
      // pg connects Unix sockets as connect(path).
      const unix = await new Promise<string>((resolve) => {
        const socket = databaseSocket();
        socket.once('error', (err) => resolve(err.message));
        (socket.connect as unknown as (p: string) => void)('/var/run/postgresql/.s.PGSQL.5432');
      });
      expect(unix).toMatch(/Unix domain sockets/);
    } finally {
      server.close();
    }
  });

  test('webhook URLs: checked after resolution; a name that does not resolve is left to each delivery', async () => {
    const p = policy();
    const refused = async (url: string, q = p) => {
      try {
        await checkWebhookUrl(url, q);
      } catch (err) {
        if (isNotAllowed(err)) return err.message;
        throw err;
      }
      return 'accepted';
    };
    expect(await refused('http://169.254.169.254/latest/meta-data/')).toMatch(/link-local/);
    expect(await refused('http://[::ffff:169.254.169.254]/')).toMatch(/link-local/);
    expect(await refused('http://[fd00:ec2::254]/')).toMatch(/metadata/);
    expect(await refused('http://localhost:8080/hook')).toMatch(/localhost resolves to a loopback address/);
    expect(await refused('http://[::ffff:127.0.0.1]:8080/hook')).toMatch(/loopback/);
    expect(await refused('http://2130706433/')).toMatch(/loopback/);
    expect(await refused('http://0.0.0.0:8080/')).toMatch(/unspecified/);
    expect(await refused('http://localhost:8080/hook', policy({ webhookAllowPrivate: true }))).toBe('accepted');
    expect(await refused('http://169.254.169.254/', policy({ webhookAllowPrivate: true }))).toMatch(/link-local/);
    expect(await refused('https://example.invalid/hook')).toBe('accepted');
  });
});

describe('endpoints as the API and the worker check them', () => {
  const sqlite = (connectionString: string): Endpoint => ({ type: 'sqlite', connectionString });
  const pg = (connectionString: string): Endpoint => ({ type: 'postgresql', connectionString });
  const my = (connectionString: string): Endpoint => ({ type: 'mysql', connectionString });
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'ok';
    } catch (err) {
      return err instanceof ConnectorError ? `${err.code}: ${err.message}` : `other: ${(err as Error).message}`;
    }
  };

  test('SQLite in every spelling: what is opened is the checked real path', () => {
    const p = policy();
    const real = fs.realpathSync(path.join(sqliteDir, 'app.sqlite'));
    for (const cs of [path.join(sqliteDir, 'app.sqlite'), `sqlite://${sqliteDir}/app.sqlite`, `sqlite:${sqliteDir}/app.sqlite`, `file:${sqliteDir}/app.sqlite`, 'app.sqlite']) {
      expect([cs, allowedEndpoint(sqlite(cs), p).connectionString]).toEqual([cs, real]);
    }
    for (const cs of [`sqlite://${dataDir}/sensei.sqlite`, `file://${dataDir}/sensei.sqlite`, `sqlite:${sqliteDir}/%2E%2E/elsewhere/secret.sqlite`]) {
      expect([cs, code(() => allowedEndpoint(sqlite(cs), p))]).toEqual([cs, expect.stringMatching(/^NotAllowed: the sqlite file: /)]);
    }
    expect(allowedEndpoint(sqlite(':memory:'), p).connectionString).toBe(':memory:');
  });

  test('PostgreSQL: known options only; files inside SENSEI_TLS_DIR, replaced by their real paths; no sockets, no metadata hosts', () => {
    const p = policy();
    const ok = allowedEndpoint(pg('postgresql://u:pw@db.internal:5432/app?sslmode=verify-full&sslrootcert=ca.pem&application_name=x'), p);
    expect(new URL(ok.connectionString).searchParams.get('sslrootcert')).toBe(fs.realpathSync(path.join(tlsDir, 'ca.pem')));
    expect(new URL(ok.connectionString).password).toBe('pw');
    const plain = 'postgresql://u:pw@127.0.0.1:5432/app';
    expect(allowedEndpoint(pg(plain), p).connectionString).toBe(plain);
    expect(code(() => allowedEndpoint(pg('postgresql://u@h/app?sslrootcert=/etc/ssl/certs/ca-certificates.crt'), p))).toMatch(/^NotAllowed: sslrootcert: the file lies outside the directory SENSEI_TLS_DIR allows/);
    expect(code(() => allowedEndpoint(pg(`postgresql://u@h/app?sslkey=${dataDir}/encryption.key`), policy({ tlsDir: root })))).toMatch(/^NotAllowed: sslkey: .*data directory/);
    expect(code(() => allowedEndpoint(pg('postgresql://u@h/app?sslcert=c.pem'), policy({ tlsDir: undefined })))).toMatch(/^NotAllowed: sslcert: .*SENSEI_TLS_DIR/);
    expect(code(() => allowedEndpoint(pg('postgresql://u@h/app?sslcrl=crl.pem'), p))).toMatch(/^NotSupported: .*revocation/);
    expect(code(() => allowedEndpoint(pg('postgresql://u@h/app?options=-c%20TimeZone%3DAsia/Tokyo'), p))).toMatch(/^InvalidConnectionString: the postgresql option "options" is not supported/);
    expect(code(() => allowedEndpoint(pg('postgresql://u@h/app?host=/var/run/postgresql'), p))).toMatch(/^InvalidConnectionString: .*"host"/);
    expect(code(() => allowedEndpoint(pg('postgresql://u@%2Fvar%2Frun%2Fpostgresql/app'), p))).toMatch(/^NotAllowed: Unix domain sockets/);
    expect(code(() => allowedEndpoint(pg('socket:/var/run/postgresql?db=app'), p))).toMatch(/^InvalidConnectionString/);
    expect(code(() => allowedEndpoint(pg('postgresql://u@h/app?sslmode=allow-everything'), p))).toMatch(/^InvalidConnectionString: .*sslmode takes/);
    expect(code(() => allowedEndpoint(pg('postgresql://u:pw@169.254.169.254:5432/app'), p))).toMatch(/^NotAllowed: the host 169.254.169.254 is a link-local address/);
    expect(code(() => allowedEndpoint(pg('postgresql://u:pw@[::ffff:169.254.169.254]:5432/app'), p))).toMatch(/^NotAllowed: .*link-local/);
  });

  test('MySQL: ssl-mode and TLS files read from the URL; anything else refused', () => {
    const p = policy();
    const ok = allowedEndpoint(my('mysql://root:pw@127.0.0.1:3306/app?ssl-mode=VERIFY_IDENTITY&ssl-ca=ca.pem'), p);
    expect(new URL(ok.connectionString).searchParams.get('ssl-ca')).toBe(fs.realpathSync(path.join(tlsDir, 'ca.pem')));
    expect(code(() => allowedEndpoint(my('mysql://root@h/app?ssl-ca=/etc/ssl/certs/ca-certificates.crt'), p))).toMatch(/^NotAllowed: ssl-ca: .*outside/);
    expect(code(() => allowedEndpoint(my('mysql://root@h/app?ssl-key=../state/encryption.key'), p))).toMatch(/^NotAllowed: ssl-key: .*'\.\.'/);
    expect(code(() => allowedEndpoint(my('mysql://root@h/app?charset=latin1'), p))).toMatch(/^InvalidConnectionString: the mysql option "charset" is not supported/);
    expect(code(() => allowedEndpoint(my('mysql://root@h/app?socketPath=/run/mysqld/mysqld.sock'), p))).toMatch(/^InvalidConnectionString: .*"socketPath"/);
    expect(code(() => allowedEndpoint(my('mysql://root@h/app?ssl-mode=preferred'), p))).toMatch(/^NotSupported: ssl-mode=preferred/);
    expect(code(() => allowedEndpoint(my('mysql://root@h/app?ssl-mode=required&ssl-ca=ca.pem'), p))).toMatch(/^InvalidConnectionString: .*ssl-ca would be unused/);
    expect(code(() => allowedEndpoint(my('mysql://root@h/app?ssl-mode=disabled&ssl-cert=ca.pem'), p))).toMatch(/^InvalidConnectionString: .*contradicts/);
    expect(code(() => allowedEndpoint(my('mariadb://root@[fe80::1]:3306/app'), p))).toMatch(/^NotAllowed: .*link-local/);
  });
});
