/**
 * The reach rules of lib/reach.ts applied to an endpoint, dialect by dialect: the files its connection string names
 * and the host it names when that is an IP address (a host name is judged when the socket resolves it). The API
 * checks every endpoint it is given with this, and the worker every endpoint it opens (activities/connections.ts).
 */
import { promises as dns } from 'node:dns';
import { NotAllowed, allowedFile, checkLiteralHost, isNotAllowed, refusedAddress, type ReachPolicy } from '../lib/reach';
import { sqlitePath } from './endpoint';
import { parseMysqlUrl } from './mysql/url';
import { parseOracleUrl } from './oracle/url';
import { parseSnowflakeUrl } from './snowflake/url';
import { parsePostgresUrl } from './postgres/url';
import { ConnectorError, type Endpoint } from './types';

/**
 * The endpoint as it may be opened: files replaced by the real paths that were checked (so what is opened is what
 * was checked). Throws ConnectorError 'NotAllowed' with the reason, or 'InvalidConnectionString' for an option
 * Sensei does not take.
 */
export function allowedEndpoint(endpoint: Endpoint, policy: ReachPolicy): Endpoint {
  try {
    return check(endpoint, policy);
  } catch (err) {
    if (isNotAllowed(err)) throw new ConnectorError('NotAllowed', err.message);
    throw err;
  }
}

function check(endpoint: Endpoint, policy: ReachPolicy): Endpoint {
  const cs = endpoint.connectionString;
  if (typeof cs !== 'string') return endpoint;
  switch (endpoint.type) {
    case 'sqlite': {
      const file = sqlitePath(cs);
      if (file === '' || file === ':memory:') return endpoint;
      return { ...endpoint, connectionString: allowedFile(file, 'database', 'the sqlite file', policy) };
    }
    case 'postgresql': {
      const url = parsePostgresUrl(cs);
      checkLiteralHost(url.host, 'database');
      const files = Object.fromEntries(Object.entries(url.files).map(([option, file]) => [option, allowedFile(file, 'tls', option, policy)]));
      return Object.keys(files).length ? { ...endpoint, connectionString: url.withFiles(files) } : endpoint;
    }
    case 'mysql': {
      const url = parseMysqlUrl(cs);
      checkLiteralHost(url.host, 'database');
      const files = Object.fromEntries(Object.entries(url.files).map(([option, file]) => [option, allowedFile(file, 'tls', option, policy)]));
      return Object.keys(files).length ? { ...endpoint, connectionString: url.withFiles(files) } : endpoint;
    }
    case 'oracle':
      // A host name is resolved and checked again when the connector connects (connectors/oracle/driver.ts).
      checkLiteralHost(parseOracleUrl(cs).host, 'database');
      return endpoint;
    case 'snowflake': {
      // The account's host is resolved and checked when the connector connects; a key file is a file of this host.
      const url = parseSnowflakeUrl(cs);
      const file = url.auth.kind === 'key-pair' ? url.auth.privateKeyPath : undefined;
      if (!file) return endpoint;
      const parsed = new URL(cs);
      parsed.searchParams.set('private_key_path', allowedFile(file, 'tls', 'private_key_path', policy));
      return { ...endpoint, connectionString: parsed.href };
    }
    default:
      // Dialects without a connector are refused by the registry before anything is opened.
      return endpoint;
  }
}

/**
 * A database host's address, checked as lib/reach.ts checks every database's, for drivers that open their own sockets
 * (Oracle Thin mode, Snowflake's HTTPS): Oracle then connects to the very address that was checked.
 */
export async function checkedAddress(host: string): Promise<string> {
  try {
    checkLiteralHost(host, 'database');
    const { address } = await dns.lookup(host);
    const refused = refusedAddress(address, 'database');
    if (refused) throw new NotAllowed(`the host ${host} resolves to ${refused}`);
    return address;
  } catch (error) {
    if (error instanceof NotAllowed) throw new ConnectorError('NotAllowed', error.message);
    throw new ConnectorError('ConnectionFailed', `cannot resolve the database host ${host}: ${(error as Error).message}`, { cause: error });
  }
}
