/**
 * Claim checks for large Temporal payloads. A schema of thousands of tables makes payloads of megabytes (the source
 * schema, the plan, a continue-as-new's carried state), past Temporal's limits (2 MB a payload, 4 MB a gRPC message):
 * the workflow task then fails forever. This codec, run by every worker and client (never inside the workflow
 * sandbox), keeps each payload above a threshold in the metadata store, which every Sensei process of a deployment
 * shares, and sends Temporal a small reference instead: the SHA-256 of the payload's bytes (the same payload stored
 * twice is one row). Workflow code sees the same values either way, so no workflow change and no patch is involved.
 */
import { createHash } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

/** Where the payloads live (the metadata store implements it). */
export interface BlobStore {
  putBlob(key: string, bytes: Buffer): Promise<void>;
  getBlob(key: string): Promise<Buffer | undefined>;
}

/** The encoding of a claim-checked payload in a history; its data is the key. */
export const CLAIM_CHECK_ENCODING = 'sensei/claim-check';
/** Payloads from this size on are kept in the store (Temporal warns at 512 kB and refuses 2 MB). */
export const CLAIM_CHECK_THRESHOLD = 256 * 1024;

/** One payload as bytes: a length-prefixed JSON header holding its metadata (base64), then its data. */
function serialize(payload: Payload): Buffer {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]));
  const header = Buffer.from(JSON.stringify(metadata), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return Buffer.concat([length, header, Buffer.from(payload.data ?? [])]);
}

function deserialize(bytes: Buffer): Payload {
  const headerLength = bytes.readUInt32BE(0);
  const metadata = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as Record<string, string>;
  return {
    metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
    data: new Uint8Array(bytes.subarray(4 + headerLength)),
  };
}

/** Keys a codec remembers having stored (it forgets them all past this many). */
const KEYS_REMEMBERED = 10_000;
/**
 * How long a codec trusts that a key it stored is still in the store (10 minutes). Past it, the same payload is put
 * again, which marks the blob written now: the garbage collector (lib/blob-gc.ts) deletes only blobs no history
 * references AND nobody wrote for far longer than this (24 hours by default), so a payload encoded to a remembered key
 * always names a blob the collector leaves alone.
 */
export const CLAIM_CHECK_REMEMBER_MS = 10 * 60_000;

export class ClaimCheckCodec implements PayloadCodec {
  /**
   * Keys this codec has stored already, with when. The same payload comes back often (a migration's plan and schema at
   * every continue-as-new and in every validation activity's input): sending its megabytes to the store again would
   * only have them ignored there.
   */
  private readonly stored = new Map<string, number>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly threshold = CLAIM_CHECK_THRESHOLD,
    private readonly rememberMs = CLAIM_CHECK_REMEMBER_MS,
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if ((payload.data?.length ?? 0) < this.threshold) return payload;
        const bytes = serialize(payload);
        const key = createHash('sha256').update(bytes).digest('hex');
        const storedAt = this.stored.get(key);
        if (storedAt === undefined || Date.now() - storedAt >= this.rememberMs) {
          const at = Date.now();
          await this.blobs.putBlob(key, bytes);
          if (this.stored.size >= KEYS_REMEMBERED) this.stored.clear();
          this.stored.set(key, at);
        }
        return { metadata: { encoding: new Uint8Array(Buffer.from(CLAIM_CHECK_ENCODING)) }, data: new Uint8Array(Buffer.from(key)) };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        const encoding = payload.metadata?.encoding;
        if (!encoding || Buffer.from(encoding).toString() !== CLAIM_CHECK_ENCODING) return payload;
        const key = Buffer.from(payload.data ?? []).toString();
        const bytes = await this.blobs.getBlob(key);
        if (!bytes) throw new Error(`payload ${key} is not in the metadata store (claim check): the store this run wrote to is not the one configured`);
        return deserialize(bytes);
      }),
    );
  }
}
