/** Secret-free views of an endpoint, for messages, logs and inspect(). */
import { inspect } from 'node:util';
import type { Endpoint } from './types';

export interface EndpointDescription {
  type: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  schema?: string;
  /** SQLite file path. */
  file?: string;
}

/** Replaces the password (and private keys, passcodes, tokens) in URL and key=value connection strings with ***. */
export function redactConnectionString(s: string): string {
  return s
    .replace(/(\/\/[^/:@]*:)[^@]*@/, '$1***@')
    .replace(/((?:^|[?&\s;])(?:password|pwd|pass|private_key|private_key_pass|privatekey|passcode|token)=)('[^']*'|[^&\s;]*)/gi, '$1***');
}

/** SQLite endpoints: plain path, sqlite:///abs/path, sqlite://relative, file:path (query string dropped). */
export function sqlitePath(connectionString: string): string {
  const s = connectionString.trim();
  if (s.startsWith('sqlite://')) return decodeURIComponent(s.slice('sqlite://'.length).split('?')[0]);
  if (s.startsWith('sqlite:')) return decodeURIComponent(s.slice('sqlite:'.length).split('?')[0]);
  if (s.startsWith('file:')) {
    const rest = s.slice('file:'.length).split('?')[0];
    return decodeURIComponent(rest.startsWith('//') ? rest.slice(2) : rest);
  }
  return s;
}

function tryUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/** type, host, port, database, user, schema — never the password. */
export function describeEndpoint(endpoint: Endpoint): EndpointDescription {
  if (endpoint.type === 'sqlite') return { type: 'sqlite', file: sqlitePath(endpoint.connectionString), schema: 'main' };
  const url = tryUrl(endpoint.connectionString);
  if (!url) return { type: endpoint.type, schema: endpoint.schema };
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
  const description: EndpointDescription = {
    type: endpoint.type,
    host: url.hostname || undefined,
    port: url.port ? Number(url.port) : undefined,
    database,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    schema: endpoint.schema,
  };
  for (const key of Object.keys(description) as (keyof EndpointDescription)[]) {
    if (description[key] === undefined) delete description[key];
  }
  return description;
}

/** "postgresql postgres@127.0.0.1:5432/app" — for error messages. */
export function endpointLabel(endpoint: Endpoint): string {
  const d = describeEndpoint(endpoint);
  if (d.file !== undefined) return `sqlite file ${d.file}`;
  const who = d.user ? `${d.user}@` : '';
  const where = `${d.host ?? 'localhost'}${d.port ? ':' + d.port : ''}`;
  return `${d.type} ${who}${where}${d.database ? '/' + d.database : ''}`;
}

/** The password of a URL connection string, to scrub it from any driver message that might echo it. */
export function passwordOf(connectionString: string): string | undefined {
  const url = tryUrl(connectionString);
  return url?.password ? decodeURIComponent(url.password) : undefined;
}

export function scrub(message: string, connectionString: string): string {
  let out = message.split(connectionString).join(redactConnectionString(connectionString));
  const password = passwordOf(connectionString);
  if (password && password.length >= 3) out = out.split(password).join('***');
  return out;
}

/**
 * Stores driver objects that hold the connection string as non-enumerable properties and gives the
 * connector a custom inspect, so neither util.inspect, console.log nor JSON.stringify can show a password
 * (knex hides `connectionSettings` the same way).
 */
export function hideSecrets(target: object, endpoint: Endpoint, hidden: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(hidden)) {
    Object.defineProperty(target, key, { value, enumerable: false, writable: true, configurable: true });
  }
  const description = describeEndpoint(endpoint);
  Object.defineProperty(target, inspect.custom, {
    value: () => `${target.constructor.name} ${inspect(description)}`,
    enumerable: false,
  });
  Object.defineProperty(target, 'toJSON', { value: () => ({ connector: target.constructor.name, ...description }), enumerable: false });
}
