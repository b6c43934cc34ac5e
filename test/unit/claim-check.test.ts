import { ClaimCheckCodec, type BlobStore } from '../../lib/claim-check';

class MapStore implements BlobStore {
  readonly blobs = new Map<string, Buffer>();
  puts = 0;
  async putBlob(key: string, bytes: Buffer): Promise<void> {
    this.puts += 1;
    this.blobs.set(key, bytes);
  }
  async getBlob(key: string): Promise<Buffer | undefined> {
    return this.blobs.get(key);
  }
}

const payload = (size: number) => ({
  metadata: { encoding: new Uint8Array(Buffer.from('json/plain')), extra: new Uint8Array([0, 255, 7]) },
  data: new Uint8Array(Buffer.alloc(size, 'x')),
});

describe('ClaimCheckCodec', () => {
  test('small payloads pass through untouched', async () => {
    const store = new MapStore();
    const codec = new ClaimCheckCodec(store, 1024);
    const small = payload(1023);
    expect(await codec.encode([small])).toEqual([small]);
    expect(store.blobs.size).toBe(0);
  });

  test('a large payload becomes a reference of 64 hex digits and decodes to the same bytes and metadata', async () => {
    const store = new MapStore();
    const codec = new ClaimCheckCodec(store, 1024);
    const big = payload(5000);
    const [encoded] = await codec.encode([big]);
    expect(Buffer.from(encoded?.metadata?.encoding ?? []).toString()).toBe('sensei/claim-check');
    expect(Buffer.from(encoded?.data ?? []).toString()).toMatch(/^[0-9a-f]{64}$/);
    const [decoded] = await codec.decode([encoded!]);
    expect(Buffer.from(decoded?.data ?? [])).toEqual(Buffer.from(big.data));
    expect(Buffer.from(decoded?.metadata?.encoding ?? []).toString()).toBe('json/plain');
    expect([...(decoded?.metadata?.extra ?? [])]).toEqual([0, 255, 7]);
  });

  test('the same payload twice is stored once; a reference the store lacks is a clear error', async () => {
    const store = new MapStore();
    const codec = new ClaimCheckCodec(store, 10);
    await codec.encode([payload(100), payload(100)]);
    expect(store.blobs.size).toBe(1);
    const [encoded] = await codec.encode([payload(200)]);
    await expect(new ClaimCheckCodec(new MapStore(), 10).decode([encoded!])).rejects.toThrow(/is not in the metadata store/);
  });

  test('a stored key is trusted for a bounded time only: past it, the same payload is put again (the store marks it written)', async () => {
    const store = new MapStore();
    const remembering = new ClaimCheckCodec(store, 10);
    await remembering.encode([payload(100)]);
    await remembering.encode([payload(100)]);
    expect(store.puts).toBe(1);
    const forgetting = new ClaimCheckCodec(store, 10, 0);
    await forgetting.encode([payload(100)]);
    await forgetting.encode([payload(100)]);
    expect(store.puts).toBe(3);
    // A blob deleted meanwhile (lib/blob-gc.ts) is back after the next put, and decodes.
    store.blobs.clear();
    const [encoded] = await forgetting.encode([payload(100)]);
    expect(Buffer.from((await forgetting.decode([encoded!]))[0]?.data ?? [])).toEqual(Buffer.alloc(100, 'x'));
  });
});
