/**
 * What a Snowflake connection string may say:
 *   snowflake://user:password@account/database/schema?warehouse=WH&role=R                       (password)
 *   snowflake://user@account/database/schema?authenticator=SNOWFLAKE_JWT&private_key_path=/k.p8  (key pair, JWT)
 * `private_key` (the PEM itself, URL-encoded) may stand for private_key_path, `private_key_pass` decrypts either.
 * Other options are refused, never ignored. None of it is ever logged (connectors/endpoint.ts redacts the secrets).
 */
import { ConnectorError } from '../types';

export interface SnowflakeUrl {
  account: string;
  user: string;
  database: string;
  schema?: string;
  warehouse?: string;
  role?: string;
  auth: { kind: 'password'; password: string } | { kind: 'key-pair'; privateKey?: string; privateKeyPath?: string; privateKeyPass?: string };
}

const OPTIONS = ['warehouse', 'role', 'authenticator', 'private_key', 'private_key_path', 'private_key_pass'];

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseSnowflakeUrl(connectionString: string): SnowflakeUrl {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new ConnectorError('InvalidConnectionString', 'snowflake connection string must look like snowflake://user:password@account/database/schema?warehouse=WH');
  }
  if (url.protocol !== 'snowflake:') throw new ConnectorError('InvalidConnectionString', `snowflake connection string must start with snowflake://, not ${url.protocol}//`);
  const option = (key: string) => {
    const values = url.searchParams.getAll(key);
    if (values.length > 1) throw new ConnectorError('InvalidConnectionString', `snowflake connection string gives the option ${key} more than once`);
    return values[0];
  };
  for (const key of url.searchParams.keys()) {
    if (!OPTIONS.includes(key)) throw new ConnectorError('InvalidConnectionString', `the snowflake option "${key}" is not supported (supported: ${OPTIONS.join(', ')})`);
  }
  const [database, schema] = url.pathname.replace(/^\//, '').split('/').map(decoded);
  if (!url.hostname || !database) throw new ConnectorError('InvalidConnectionString', 'snowflake connection string must name an account and a database: snowflake://user@account/database/schema');
  const user = decoded(url.username);
  const keyGiven = url.searchParams.has('private_key') || url.searchParams.has('private_key_path');
  const authenticator = (option('authenticator') ?? (keyGiven ? 'SNOWFLAKE_JWT' : 'SNOWFLAKE')).toUpperCase();
  let auth: SnowflakeUrl['auth'];
  if (authenticator === 'SNOWFLAKE') {
    // A missing password is said when connecting (driverOptions), so a connector can be made before it is used.
    auth = { kind: 'password', password: decoded(url.password) };
  } else if (authenticator === 'SNOWFLAKE_JWT') {
    const privateKey = option('private_key');
    const privateKeyPath = option('private_key_path');
    if (!privateKey === !privateKeyPath) throw new ConnectorError('InvalidConnectionString', 'snowflake key-pair authentication needs exactly one of private_key and private_key_path');
    const pass = option('private_key_pass');
    auth = { kind: 'key-pair', ...(privateKey ? { privateKey } : {}), ...(privateKeyPath ? { privateKeyPath } : {}), ...(pass ? { privateKeyPass: pass } : {}) };
  } else {
    throw new ConnectorError('NotSupported', `the snowflake authenticator ${authenticator} is not supported (SNOWFLAKE: password, SNOWFLAKE_JWT: key pair)`);
  }
  const warehouse = option('warehouse');
  const role = option('role');
  // The account identifier, also when the host is written out in full.
  const account = decoded(url.hostname).replace(/\.snowflakecomputing\.com$/i, '');
  return { account, user, database, ...(schema ? { schema } : {}), ...(warehouse ? { warehouse } : {}), ...(role ? { role } : {}), auth };
}

/** The driver's connection options (snowflake-sdk's names). */
export function driverOptions(url: SnowflakeUrl): Record<string, unknown> {
  if (!url.user) throw new ConnectorError('InvalidConnectionString', 'snowflake connection string must name a user');
  if (url.auth.kind === 'password' && !url.auth.password) {
    throw new ConnectorError('InvalidConnectionString', 'snowflake connection string needs a password, or authenticator=SNOWFLAKE_JWT with private_key or private_key_path');
  }
  const auth =
    url.auth.kind === 'password'
      ? { password: url.auth.password }
      : {
          authenticator: 'SNOWFLAKE_JWT',
          ...(url.auth.privateKey ? { privateKey: url.auth.privateKey } : {}),
          ...(url.auth.privateKeyPath ? { privateKeyPath: url.auth.privateKeyPath } : {}),
          ...(url.auth.privateKeyPass ? { privateKeyPass: url.auth.privateKeyPass } : {}),
        };
  return {
    account: url.account,
    username: url.user,
    database: url.database,
    ...(url.schema ? { schema: url.schema } : {}),
    ...(url.warehouse ? { warehouse: url.warehouse } : {}),
    ...(url.role ? { role: url.role } : {}),
    ...auth,
    application: 'Sensei',
  };
}
