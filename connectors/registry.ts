/**
 * Connectors by `type` name (connectors/dialects.ts lists the dialects), each loaded lazily from its folder, so a
 * machine needs only the drivers it uses.
 */
import { DIALECTS, dialectFolder, dialectNamed, isDialect, type Dialect } from './dialects';
import type { ReadOnlyRunner, UserQueryLimits } from './user-query';
import { ConnectorError, type Connector, type Endpoint, type SessionOptions, type SqlSession } from './types';

export { describeEndpoint, redactConnectionString, type EndpointDescription } from './endpoint';

export interface CreateConnectorOptions {
  /**
   * SQLite only: a `target` file is created when missing; a `source` file must exist (default `source`,
   * so a typo never yields an empty database that "migrates" zero rows).
   */
  role?: 'source' | 'target';
}

/** What a supported dialect's folder (connectors/<folder>/index.ts) exports: its driver-backed parts. */
export interface DialectRuntime {
  createConnector(endpoint: Endpoint, options: CreateConnectorOptions): Connector;
  /** A second, read-only connection for the SQL the validation tiers generate (connectors/<dialect>/session.ts). */
  openValidationSession(endpoint: Endpoint, options?: SessionOptions): Promise<SqlSession>;
  /** A connection (SQLite: a process per run) for one user validation query (connectors/<dialect>/user-query.ts). */
  openUserQueryRunner(endpoint: Endpoint, limits: UserQueryLimits): Promise<ReadOnlyRunner>;
}

/** Loads a dialect's driver-backed part on first use, so a machine needs only the drivers it uses. */
export async function loadDialectRuntime(dialect: Dialect): Promise<DialectRuntime> {
  return (await import(`./${dialectFolder(dialect)}/index`)) as DialectRuntime;
}

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
  if (!isDialect(type)) {
    throw new ConnectorError('UnknownDialect', `unknown database type "${type}"; known: ${DIALECTS.join(', ')}`);
  }
  const dialect = dialectNamed(type);
  if (!dialect.capabilities.supported || !dialect.driver) throw new ConnectorError('NotSupported', `${type} is not supported by this version of Sensei yet`);
  if (typeof endpoint.connectionString !== 'string' || endpoint.connectionString.trim() === '') {
    throw new ConnectorError('InvalidConnectionString', `${type} endpoint has no connection string`);
  }
  if (!driverInstalled(dialect.driver)) {
    throw new ConnectorError('DriverMissing', `the ${type} connector needs the npm package "${dialect.driver}" (npm install ${dialect.driver})`);
  }
  return (await loadDialectRuntime(type)).createConnector(endpoint, options);
}
