/**
 * Maps `type` names to lazily loaded connectors, so a machine needs only the drivers it uses.
 */
import { DIALECTS, type Dialect } from '../lib/types';
import { ConnectorError, type Connector, type Endpoint } from './types';

export { describeEndpoint, redactConnectionString, type EndpointDescription } from './endpoint';

export interface CreateConnectorOptions {
  /**
   * SQLite only: a `target` file is created when missing; a `source` file must exist (default `source`,
   * so a typo never yields an empty database that "migrates" zero rows).
   */
  role?: 'source' | 'target';
}

interface Loader {
  /** npm package the dialect needs. */
  driver: string;
  load: () => Promise<(endpoint: Endpoint, options: CreateConnectorOptions) => Connector>;
}

const LOADERS: Partial<Record<Dialect, Loader>> = {
  postgresql: { driver: 'pg', load: async () => (await import('./postgres')).createPostgresConnector },
  mysql: { driver: 'mysql2', load: async () => (await import('./mysql')).createMysqlConnector },
  sqlite: { driver: 'better-sqlite3', load: async () => (await import('./sqlite')).createSqliteConnector },
};

function driverInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** A connector for the endpoint. Nothing connects until the first call (testConnection, introspect, …). */
export async function createConnector(endpoint: Endpoint, options: CreateConnectorOptions = {}): Promise<Connector> {
  const type = String(endpoint?.type ?? '');
  if (!(DIALECTS as readonly string[]).includes(type)) {
    throw new ConnectorError('UnknownDialect', `unknown database type "${type}"; known: ${DIALECTS.join(', ')}`);
  }
  const loader = LOADERS[type as Dialect];
  if (!loader) throw new ConnectorError('NotSupported', `${type} is not supported by this version of Sensei yet`);
  if (typeof endpoint.connectionString !== 'string' || endpoint.connectionString.trim() === '') {
    throw new ConnectorError('InvalidConnectionString', `${type} endpoint has no connection string`);
  }
  if (!driverInstalled(loader.driver)) {
    throw new ConnectorError('DriverMissing', `the ${type} connector needs the npm package "${loader.driver}" (npm install ${loader.driver})`);
  }
  const factory = await loader.load();
  return factory(endpoint, options);
}
