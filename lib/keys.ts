/**
 * Keys as they travel: a keyset checkpoint, a chunk's key range and a rejected row's name are JSON (workflow state,
 * the metadata store, the API), so a key column's bytes — a binary key (bytea, BINARY(16), BLOB), or SQLite TEXT that
 * is not UTF-8 — travel as their hex ({hex}, with `text` when the bytes were a text value's), and are bound again as
 * those bytes. Hex keeps the bytes' order: two keys compare as their bytes do (memcmp, a binary key's order).
 */
import type { CanonicalValue, KeyBytes, KeyPart } from './types';

/** Marks bytes read from a TEXT value its encoding does not hold (SQLite keeps any bytes in TEXT): written back as TEXT. */
const TEXT_BYTES = Symbol('text bytes');

export function textBytes(bytes: Buffer): Buffer {
  return Object.assign(bytes, { [TEXT_BYTES]: true });
}

export function isTextBytes(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && (value as Buffer & { [TEXT_BYTES]?: boolean })[TEXT_BYTES] === true;
}

export function isKeyBytes(part: unknown): part is KeyBytes {
  return typeof part === 'object' && part !== null && !Buffer.isBuffer(part) && typeof (part as KeyBytes).hex === 'string';
}

/** A key column's value as a key part: bytes as {hex}; a 64-bit integer the driver hands over as a BigInt as its decimal text. */
export function keyPart(value: CanonicalValue | bigint | undefined): KeyPart {
  if (Buffer.isBuffer(value)) return { hex: value.toString('hex'), ...(isTextBytes(value) ? { text: true as const } : {}) };
  if (typeof value === 'bigint') return value.toString();
  return value ?? null;
}

/** A key part as the value a connector binds: {hex} as its bytes again (marked text bytes where they were). */
export function keyValue(part: KeyPart): CanonicalValue {
  if (!isKeyBytes(part)) return part;
  const bytes = Buffer.from(part.hex, 'hex');
  return part.text ? textBytes(bytes) : bytes;
}
