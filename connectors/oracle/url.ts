/**
 * What an Oracle connection string may say: oracle://user:password@host:1521/service_name (Easy Connect: host,
 * port, service). Options are refused, never ignored; TLS (tcps) and wallets are not supported yet.
 */
import { ConnectorError } from '../types';

export interface OracleUrl {
  host: string;
  port: number;
  service: string;
  user: string;
  password: string;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseOracleUrl(connectionString: string): OracleUrl {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new ConnectorError('InvalidConnectionString', 'oracle connection string must look like oracle://user:password@host:1521/service_name');
  }
  if (url.protocol !== 'oracle:') throw new ConnectorError('InvalidConnectionString', `oracle connection string must start with oracle://, not ${url.protocol}//`);
  const service = decoded(url.pathname.replace(/^\//, ''));
  if (!url.hostname || !service) throw new ConnectorError('InvalidConnectionString', 'oracle connection string must name a host and a service: oracle://user:password@host:1521/service_name');
  const options = [...new Set(url.searchParams.keys())];
  if (options.length) throw new ConnectorError('InvalidConnectionString', `the oracle options ${options.join(', ')} are not supported (the URL takes user, password, host, port and service only)`);
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : 1521, service, user: decoded(url.username), password: decoded(url.password) };
}

/** The schema an Oracle user works in by default: its own, whose unquoted name Oracle folds to upper case. */
export function defaultOracleSchema(user: string): string {
  return /^[A-Za-z][A-Za-z0-9_$#]*$/.test(user) ? user.toUpperCase() : user;
}
