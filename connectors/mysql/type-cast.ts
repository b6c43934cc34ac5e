/**
 * mysql2 reads DOUBLE (and FLOAT) text with its own fast number parser, which can miss the last digit:
 * 90.33333333333333 arrives as 90.33333333333331. The server's text is exact, so it is parsed with Number.
 * Every other type keeps mysql2's own conversion.
 */
export function exactDoubles(field: { type: string; string(): string | null }, next: () => unknown): unknown {
  if (field.type !== 'DOUBLE' && field.type !== 'FLOAT') return next();
  const text = field.string();
  return text === null ? null : Number(text);
}
