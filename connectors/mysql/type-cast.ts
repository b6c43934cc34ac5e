/**
 * mysql2 reads DOUBLE (and FLOAT) text with its own fast number parser, which can miss the last digit:
 * 90.33333333333333 arrives as 90.33333333333331. The server's text is exact, so it is parsed with Number.
 * BIT(n) wider than one bit arrives as its unsigned number in decimal and GEOMETRY as hex of its stored bytes (the
 * forms the loader takes back, see nativeForm in ./types.ts), instead of mysql2's Buffer and parsed shapes.
 * Every other type keeps mysql2's own conversion.
 */
export function exactDoubles(
  field: { type: string; length?: number; string(): string | null; buffer(): Buffer | null },
  next: () => unknown,
): unknown {
  if (field.type === 'BIT' && (field.length ?? 1) > 1) {
    const bytes = field.buffer();
    return bytes === null ? null : BigInt(bytes.length ? '0x' + bytes.toString('hex') : '0').toString();
  }
  if (field.type === 'GEOMETRY') {
    const bytes = field.buffer();
    return bytes === null ? null : bytes.toString('hex');
  }
  if (field.type !== 'DOUBLE' && field.type !== 'FLOAT') return next();
  const text = field.string();
  return text === null ? null : Number(text);
}
