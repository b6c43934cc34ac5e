import type { Connector, Endpoint } from '../connectors/types';
import { allowedEndpoint } from '../connectors/reach';
import { createConnector } from '../connectors/registry';
import type { EndpointRef } from '../lib/migration';
import type { ReachPolicy } from '../lib/reach';
import type { Sealer } from '../lib/secrets';

/**
 * Connectors kept open across activities in one worker process, so a chunk does not pay for a new pool.
 * Keyed by the sealed reference (never by the clear connection string).
 */
export class ConnectorPool {
  private readonly open = new Map<string, Promise<Connector>>();

  /** `reach`: what this worker may open and connect to (lib/reach.ts), whatever the API accepted once. */
  constructor(
    private readonly sealer: Sealer,
    readonly reach: ReachPolicy,
  ) {}

  unseal(sealed: string): string {
    return this.sealer.unseal(sealed);
  }

  /**
   * The endpoint to open, checked against the reach rules: every connector and validation session of the worker is
   * opened from here, so a connection string sealed before a rule existed cannot name a refused file or address.
   */
  endpoint(ref: EndpointRef): Endpoint {
    return allowedEndpoint({ type: ref.type, connectionString: this.sealer.unseal(ref.sealedConnection), schema: ref.schema }, this.reach);
  }

  /** A SQLite `target` file is created when missing; a `source` must exist. */
  get(ref: EndpointRef, role: 'source' | 'target'): Promise<Connector> {
    const key = `${role}|${ref.sealedConnection}|${ref.schema ?? ''}`;
    const cached = this.open.get(key);
    if (cached) return cached;
    const connector = Promise.resolve().then(() => createConnector(this.endpoint(ref), { role }));
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
