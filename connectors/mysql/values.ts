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

/** The inverse of bitsAsDigits: a BIT(n)'s n binary digits ('0101') as its number, or null when the text is not that. */
export function digitsAsBits(text: string, width: number | undefined): bigint | null {
  return width !== undefined && text.length === width && /^[01]+$/.test(text) ? BigInt(`0b${text}`) : null;
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

const EWKB_Z_FLAG = 0x80000000;
const EWKB_M_FLAG = 0x40000000;

/**
 * EWKB (PostGIS: WKB whose type word may carry the SRID flag and the SRID after it) as MariaDB/MySQL store a
 * geometry: the 4-byte little-endian SRID (0 when none), then the WKB without the SRID. The inverse of geometryAsEwkb.
 * Z and M coordinates have no MariaDB/MySQL form: refused with the reason.
 */
export function ewkbAsGeometry(ewkb: Buffer): Buffer {
  if (ewkb.length < 5 || (ewkb[0] !== 0 && ewkb[0] !== 1)) throw new Error(`not EWKB: ${ewkb.length} bytes starting ${ewkb.subarray(0, 5).toString('hex')}`);
  const little = ewkb[0] === 1;
  const type = little ? ewkb.readUInt32LE(1) : ewkb.readUInt32BE(1);
  if (type & (EWKB_Z_FLAG | EWKB_M_FLAG) || (type & 0xffff) > 1000) throw new Error('a geometry with Z or M coordinates has no MariaDB/MySQL form (2D only)');
  const srid = Buffer.alloc(4);
  if (!(type & EWKB_SRID_FLAG)) return Buffer.concat([srid, ewkb]);
  if (ewkb.length < 9) throw new Error(`an EWKB geometry of ${ewkb.length} bytes is too short`);
  srid.writeUInt32LE(little ? ewkb.readUInt32LE(5) : ewkb.readUInt32BE(5), 0);
  const head = Buffer.alloc(5);
  head[0] = ewkb[0];
  if (little) head.writeUInt32LE((type & ~EWKB_SRID_FLAG) >>> 0, 1);
  else head.writeUInt32BE((type & ~EWKB_SRID_FLAG) >>> 0, 1);
  return Buffer.concat([srid, head, ewkb.subarray(9)]);
}
