/**
 * The reach rules of lib/reach.ts applied to an endpoint, dialect by dialect: the files its connection string names
 * and the host it names when that is an IP address (a host name is judged when the socket resolves it). The API
 * checks every endpoint it is given with this, and the worker every endpoint it opens (activities/connections.ts).
 */
import { allowedFile, checkLiteralHost, isNotAllowed, type ReachPolicy } from '../lib/reach';
import { sqlitePath } from './endpoint';
import { parseMysqlUrl } from './mysql/url';
import { parseOracleUrl } from './oracle/url';
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
    default:
      // Dialects without a connector are refused by the registry before anything is opened.
      return endpoint;
  }
}
