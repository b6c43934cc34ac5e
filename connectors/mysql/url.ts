/**
 * MySQL / MariaDB connection strings: `mysql://user:password@host:3306/database?ssl-mode=verify-identity&ssl-ca=ca.pem`.
 * The query string is never handed to mysql2 (its URI options would let a connection string turn on
 * multipleStatements, packet debug logging, a socketPath …): the options Sensei reads are an explicit list, and an
 * unknown one is refused, never ignored. Certificate and key files are checked by lib/reach.ts before a worker or the
 * API gets here, and read here.
 */
import fs from 'node:fs';
import type { ConnectionOptions, SslOptions } from 'mysql2';
import { bareHost, databaseSocket } from '../../lib/reach';
import { ConnectorError } from '../types';

/** Options whose value is a file: the CA bundle, the client certificate, its key (PEM). */
export const MYSQL_FILE_OPTIONS = ['ssl-ca', 'ssl-cert', 'ssl-key'] as const;
export type MysqlFileOption = (typeof MYSQL_FILE_OPTIONS)[number];

/**
 * `disabled`: no TLS (also when no option is given, as before TLS options were read). `required`: TLS without checking
 * the server's certificate (MySQL's REQUIRED). `verify-ca`: the certificate must chain to `ssl-ca` (or the system's
 * CAs). `verify-identity`: that, and the certificate must name the host. `preferred` is refused: mysql2 cannot fall
 * back to plain text, and a connection should not silently be less than asked for.
 */
export type MysqlSslMode = 'disabled' | 'required' | 'verify-ca' | 'verify-identity';

/** MySQL's spellings (either case, `-` or `_`) and libpq's. */
const SSL_MODES: Record<string, MysqlSslMode> = {
  disabled: 'disabled',
  disable: 'disabled',
  required: 'required',
  require: 'required',
  'verify-ca': 'verify-ca',
  'verify-identity': 'verify-identity',
  'verify-full': 'verify-identity',
};
const SSL_MODE_OPTIONS = ['ssl-mode', 'sslmode'];

export interface MysqlUrl {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
  sslMode: MysqlSslMode;
  /** The file options given, as written. */
  files: Partial<Record<MysqlFileOption, string>>;
  /** The connection string with these file options replaced (by the real paths that were checked). */
  withFiles(files: Partial<Record<MysqlFileOption, string>>): string;
}

export function parseMysqlUrl(connectionString: string): MysqlUrl {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new ConnectorError('InvalidConnectionString', 'mysql connection string must look like mysql://user:password@host:3306/database');
  }
  if (!['mysql:', 'mariadb:'].includes(url.protocol)) {
    throw new ConnectorError('InvalidConnectionString', `mysql connection string must start with mysql:// or mariadb://, not ${url.protocol}//`);
  }
  const files: Partial<Record<MysqlFileOption, string>> = {};
  let mode: string | undefined;
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    if (values.length > 1) throw new ConnectorError('InvalidConnectionString', `mysql connection string gives the option ${key} more than once`);
    const value = values[0] as string;
    if ((MYSQL_FILE_OPTIONS as readonly string[]).includes(key)) files[key as MysqlFileOption] = value;
    else if (SSL_MODE_OPTIONS.includes(key)) {
      if (mode !== undefined) throw new ConnectorError('InvalidConnectionString', 'mysql connection string gives ssl-mode more than once');
      mode = value;
    } else {
      const known = [SSL_MODE_OPTIONS[0], ...MYSQL_FILE_OPTIONS].join(', ');
      throw new ConnectorError('InvalidConnectionString', `the mysql option "${key}" is not supported (supported: ${known})`);
    }
  }
  return {
    host: bareHost(url.hostname) || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
    sslMode: sslMode(mode, files),
    files,
    withFiles(replaced) {
      const copy = new URL(url.href);
      for (const [key, value] of Object.entries(replaced)) copy.searchParams.set(key, value);
      return copy.href;
    },
  };
}

function sslMode(given: string | undefined, files: Partial<Record<MysqlFileOption, string>>): MysqlSslMode {
  const withFiles = Object.keys(files).length > 0;
  // Certificates without a mode ask for TLS: the strictest mode then, never plain text.
  if (given === undefined) return withFiles ? 'verify-identity' : 'disabled';
  const mode = SSL_MODES[given.toLowerCase().replace(/_/g, '-')];
  if (given.toLowerCase() === 'preferred' || given.toLowerCase() === 'prefer') {
    throw new ConnectorError('NotSupported', 'ssl-mode=preferred is not supported (the driver cannot fall back to plain text): use required, verify-ca, verify-identity or disabled');
  }
  if (!mode) throw new ConnectorError('InvalidConnectionString', `ssl-mode takes disabled, required, verify-ca or verify-identity, not "${given}"`);
  if (mode === 'disabled' && withFiles) throw new ConnectorError('InvalidConnectionString', 'ssl-mode=disabled contradicts ssl-ca, ssl-cert and ssl-key');
  // REQUIRED checks no certificate: a CA given with it would be silently unused.
  if (mode === 'required' && files['ssl-ca'] !== undefined) {
    throw new ConnectorError('InvalidConnectionString', 'ssl-mode=required does not check the server certificate, so ssl-ca would be unused: use verify-ca or verify-identity');
  }
  return mode;
}

/**
 * How mysql2 connects for this URL: host, credentials, TLS as the URL asks (files read now), and a socket that connects
 * only to addresses allowed for databases (lib/reach.ts). No default database: the connector qualifies every name.
 */
export function mysqlDriverOptions(url: MysqlUrl): Pick<ConnectionOptions, 'host' | 'port' | 'user' | 'password' | 'ssl' | 'stream'> {
  return {
    host: url.host,
    port: url.port,
    user: url.user,
    password: url.password,
    ssl: sslOptions(url),
    stream: () => databaseSocket().connect(url.port, url.host),
  };
}

function sslOptions(url: MysqlUrl): SslOptions | undefined {
  if (url.sslMode === 'disabled') return undefined;
  const read = (option: MysqlFileOption) => {
    const file = url.files[option];
    if (file === undefined) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new ConnectorError('InvalidConnectionString', `cannot read the ${option} file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const ssl: SslOptions = { cert: read('ssl-cert'), key: read('ssl-key') };
  if (url.sslMode === 'required') return { ...ssl, rejectUnauthorized: false };
  return { ...ssl, ca: read('ssl-ca'), rejectUnauthorized: true, verifyIdentity: url.sslMode === 'verify-identity' };
}
