import type { Connector, Endpoint } from '../connectors/types';
import { createConnector } from '../connectors/registry';
import type { EndpointRef } from '../lib/migration';
import type { Sealer } from '../lib/secrets';

/**
 * Connectors kept open across activities in one worker process, so a chunk does not pay for a new pool.
 * Keyed by the sealed reference (never by the clear connection string).
 */
export class ConnectorPool {
  private readonly open = new Map<string, Promise<Connector>>();

  constructor(private readonly sealer: Sealer) {}

  unseal(sealed: string): string {
    return this.sealer.unseal(sealed);
  }

  endpoint(ref: EndpointRef): Endpoint {
    return { type: ref.type, connectionString: this.sealer.unseal(ref.sealedConnection), schema: ref.schema };
  }

  /** A SQLite `target` file is created when missing; a `source` must exist. */
  get(ref: EndpointRef, role: 'source' | 'target'): Promise<Connector> {
    const key = `${role}|${ref.sealedConnection}|${ref.schema ?? ''}`;
    const cached = this.open.get(key);
    if (cached) return cached;
    const connector = createConnector(this.endpoint(ref), { role });
    // A failed connect must not be cached: the retry should try again.
    connector.catch(() => this.open.delete(key));
    this.open.set(key, connector);
    return connector;
  }

  /** Drops a connector after an error that may have broken its connections (the retry opens a fresh one). */
  async discard(ref: EndpointRef, role: 'source' | 'target'): Promise<void> {
    const key = `${role}|${ref.sealedConnection}|${ref.schema ?? ''}`;
    const connector = this.open.get(key);
    this.open.delete(key);
    if (connector) await connector.then((c) => c.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map(async (c) => (await c).close()));
  }
}
