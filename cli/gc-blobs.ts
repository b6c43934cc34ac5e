/**
 * `sensei gc-blobs`: deletes the metadata store's large-payload blobs that no history Temporal keeps names any more and
 * that nobody wrote within the grace period (lib/blob-gc.ts). Reads SENSEI_DATABASE_URL / SENSEI_DATA_DIR,
 * TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE as the API and workers do.
 */
import { collectBlobGarbage, type BlobGcReport } from '../lib/blob-gc';
import { loadConfig, parseDuration } from '../lib/config';
import { MetadataStore } from '../lib/store';
import { connectClient } from '../workers/temporal';

export interface GcBlobsOptions {
  dryRun?: boolean;
  /** A duration (24h, 7d …); default SENSEI_BLOB_GC_GRACE. */
  grace?: string;
  json?: boolean;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function describeReport(report: BlobGcReport): string[] {
  const line = (n: { blobs: number; bytes: number }) => `${n.blobs} blob${n.blobs === 1 ? '' : 's'} (${size(n.bytes)})`;
  return [
    `read ${report.executions} workflow histories${report.vanished ? ` (${report.vanished} more were gone by the time they were read)` : ''}`,
    `kept ${line(report.referenced)} named by a history`,
    `kept ${line(report.fresh)} written within the grace period`,
    `${report.dryRun ? 'would delete' : 'deleted'} ${line(report.deleted)}`,
    ...(report.missing.length ? [`${report.missing.length} blob(s) named by a history are not in the store: ${report.missing.slice(0, 5).join(', ')}`] : []),
  ];
}

export async function gcBlobs(opts: GcBlobsOptions): Promise<number> {
  const config = loadConfig();
  const graceMs = opts.grace === undefined ? config.blobGcGraceMs : parseDuration(opts.grace, '--grace');
  const store = await MetadataStore.open(config);
  try {
    // No payload codec: the collector reads payloads as histories hold them.
    const client = await connectClient(config.temporalAddress ?? '127.0.0.1:7233', config.namespace);
    try {
      const report = await collectBlobGarbage(client, store, { dryRun: opts.dryRun, graceMs });
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else for (const line of describeReport(report)) process.stdout.write(`${line}\n`);
      return 0;
    } finally {
      await client.connection.close();
    }
  } finally {
    await store.close();
  }
}
