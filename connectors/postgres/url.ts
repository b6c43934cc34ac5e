/**
 * What a PostgreSQL connection string may say. node-postgres hands every query option of the URL to the client (a
 * `host` or `options` there would override the host or Sensei's session settings) and reads `sslrootcert`, `sslcert`
 * and `sslkey` from disk itself, so the options are an explicit list and the files are checked (lib/reach.ts) first.
 */
import { ConnectorError } from '../types';

/** Options whose value is a file node-postgres reads. */
export const PG_FILE_OPTIONS = ['sslrootcert', 'sslcert', 'sslkey'] as const;
export type PgFileOption = (typeof PG_FILE_OPTIONS)[number];

/** Every other option Sensei passes on, with the values it takes (undefined: any). node-postgres gives their meaning. */
const PG_OPTIONS: Record<string, readonly string[] | undefined> = {
  sslmode: ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'],
  ssl: ['true', '1', '0', 'no-verify'],
  uselibpqcompat: ['true', 'false'],
  application_name: undefined,
};

/** Options libpq has that node-postgres would ignore: refused, so a connection never silently checks less. */
const PG_UNSUPPORTED: Record<string, string> = {
  sslcrl: 'node-postgres does not check certificate revocation lists',
  sslcrldir: 'node-postgres does not check certificate revocation lists',
};

export interface PostgresUrl {
  /** The host as written ('' when the URL names none: the driver's default, localhost). */
  host: string;
  /** The file options given, as written. */
  files: Partial<Record<PgFileOption, string>>;
  /** The connection string with these file options replaced (by the real paths that were checked). */
  withFiles(files: Partial<Record<PgFileOption, string>>): string;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parsePostgresUrl(connectionString: string): PostgresUrl {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new ConnectorError('InvalidConnectionString', 'postgresql connection string must look like postgresql://user:password@host:5432/database');
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol)) {
    throw new ConnectorError('InvalidConnectionString', `postgresql connection string must start with postgresql:// or postgres://, not ${url.protocol}//`);
  }
  const host = decoded(url.hostname);
  if (host.startsWith('/')) {
    throw new ConnectorError('NotAllowed', 'Unix domain sockets are files of the Sensei host and cannot be connected to; name a host and port');
  }
  const files: Partial<Record<PgFileOption, string>> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    if (values.length > 1) throw new ConnectorError('InvalidConnectionString', `postgresql connection string gives the option ${key} more than once`);
    const value = values[0] as string;
    if ((PG_FILE_OPTIONS as readonly string[]).includes(key)) {
      files[key as PgFileOption] = value;
      continue;
    }
    if (PG_UNSUPPORTED[key]) throw new ConnectorError('NotSupported', `the postgresql option ${key} is not supported: ${PG_UNSUPPORTED[key]}`);
    if (!(key in PG_OPTIONS)) {
      const known = [...Object.keys(PG_OPTIONS), ...PG_FILE_OPTIONS].join(', ');
      throw new ConnectorError('InvalidConnectionString', `the postgresql option "${key}" is not supported (supported: ${known})`);
    }
    const allowed = PG_OPTIONS[key];
    if (allowed && !allowed.includes(value)) {
      throw new ConnectorError('InvalidConnectionString', `the postgresql option ${key} takes ${allowed.join(', ')}, not "${value}"`);
    }
  }
  return {
    host,
    files,
    withFiles(replaced) {
      const copy = new URL(url.href);
      for (const [key, value] of Object.entries(replaced)) copy.searchParams.set(key, value);
      return copy.href;
    },
  };
}
