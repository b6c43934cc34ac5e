import { dialectNamed } from '../../connectors/dialects';
import { fitName, nameFits } from '../../lib/identifiers';
import { canonicalValueText, toCanonicalValue } from '../../lib/values';

const pg = dialectNamed('postgresql').identifiers;
const maria = dialectNamed('mysql').identifiers;

describe('fitName', () => {
  test('a name that fits is kept as it is', () => {
    expect(fitName('a'.repeat(63), pg)).toBe('a'.repeat(63));
    expect(fitName('ü'.repeat(64), maria)).toBe('ü'.repeat(64));
  });

  test('PostgreSQL counts bytes: 32 two-byte characters (64 bytes) are too long, 31 are not', () => {
    expect(nameFits('é'.repeat(31), pg)).toBe(true);
    expect(nameFits('é'.repeat(32), pg)).toBe(false);
    const fitted = fitName('é'.repeat(32), pg);
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(63);
    // Whole characters only: decoding the bytes gives the same string back.
    expect(Buffer.from(fitted).toString('utf8')).toBe(fitted);
    expect(fitted).toMatch(/^é+_[0-9a-f]{8}$/);
  });

  test('MariaDB counts characters: 64 four-byte-free characters fit, 65 do not', () => {
    expect(fitName('é'.repeat(65), maria)).toMatch(/^é{55}_[0-9a-f]{8}$/);
  });

  test('two long names with the same first 63 bytes get different, stable names', () => {
    const a = 'x'.repeat(70) + '_parent';
    const b = 'x'.repeat(70) + '_child';
    expect(fitName(a, pg)).not.toBe(fitName(b, pg));
    expect(fitName(a, pg)).toBe(fitName(a, pg));
    expect(fitName(a, pg)).toBe('x'.repeat(54) + '_' + fitName(a, pg).slice(-8));
    expect(fitName(a, pg)).toHaveLength(63);
  });

  test('no limit: never shortened', () => {
    expect(fitName('y'.repeat(500), dialectNamed('sqlite').identifiers)).toBe('y'.repeat(500));
  });
});

describe('text read as bytes', () => {
  const text = { kind: 'text' } as const;

  test('valid UTF-8 becomes the string, including a real U+FFFD', () => {
    expect(toCanonicalValue(Buffer.from('Zoë \uFFFD'), text)).toBe('Zoë \uFFFD');
  });

  test('bytes that are not UTF-8 stay bytes, and never compare equal to a string', () => {
    const bad = Buffer.from([0x61, 0x80]);
    expect(Buffer.isBuffer(toCanonicalValue(bad, text))).toBe(true);
    expect(canonicalValueText(bad, text)).toBe('invalid-utf8:\\x6180');
    expect(canonicalValueText(bad, text)).not.toBe(canonicalValueText('a\uFFFD', text));
  });
});
