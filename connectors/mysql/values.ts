/**
 * Values of types only MariaDB/MySQL declares, in the portable forms other dialects keep (CanonicalType.portable):
 * a SET as a JSON array of its labels, BIT(n) as its n binary digits, GEOMETRY as EWKB. Pure.
 */

/** 'read,admin' → '["read","admin"]' (the empty set: []). Labels cannot hold commas, so the split is exact. */
export function setAsJson(text: string): string {
  return JSON.stringify(text === '' ? [] : text.split(','));
}

/** A BIT(n)'s unsigned number (decimal text, as ./type-cast.ts reads it) as its n binary digits: 5 in BIT(4) → '0101'. */
export function bitsAsDigits(value: string | number | bigint, width: number | undefined): string {
  const digits = BigInt(value).toString(2);
  return width === undefined ? digits : digits.padStart(width, '0');
}

const EWKB_SRID_FLAG = 0x20000000;

/**
 * MariaDB's stored geometry (4-byte little-endian SRID, then WKB) as EWKB, the WKB PostGIS reads with its SRID: the
 * SRID flag set in the type word and the SRID after it, in the WKB's own byte order. SRID 0 gives plain WKB.
 */
export function geometryAsEwkb(stored: Buffer): Buffer {
  if (stored.length < 9) throw new Error(`a stored geometry of ${stored.length} bytes is too short`);
  const srid = stored.readUInt32LE(0);
  const wkb = stored.subarray(4);
  if (srid === 0) return Buffer.from(wkb);
  const little = wkb[0] === 1;
  const type = little ? wkb.readUInt32LE(1) : wkb.readUInt32BE(1);
  const head = Buffer.alloc(9);
  head[0] = wkb[0];
  if (little) {
    head.writeUInt32LE((type | EWKB_SRID_FLAG) >>> 0, 1);
    head.writeUInt32LE(srid, 5);
  } else {
    head.writeUInt32BE((type | EWKB_SRID_FLAG) >>> 0, 1);
    head.writeUInt32BE(srid, 5);
  }
  return Buffer.concat([head, wkb.subarray(5)]);
}
