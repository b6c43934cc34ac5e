/**
 * mysql:// and mariadb:// connection strings, read into the five parts Sensei uses. The query string is not
 * handed to mysql2: its URI options would let a connection string turn on multipleStatements, debug logging
 * of packets or other client behaviour that no Sensei session expects.
 */
import { ConnectorError } from '../types';

export interface MysqlUrl {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
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
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined,
  };
}
