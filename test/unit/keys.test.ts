import { isTextBytes, keyPart, keyValue, textBytes } from '../../lib/keys';

describe('key parts: bytes travel as their hex and come back as the same bytes', () => {
  test('bytes round-trip through JSON, text bytes keep their mark; other values are as they were', () => {
    const blob = Buffer.from([0x00, 0x80, 0xff]);
    const part = keyPart(blob);
    expect(part).toEqual({ hex: '0080ff' });
    const back = keyValue(JSON.parse(JSON.stringify(part)));
    expect(Buffer.isBuffer(back) && back.equals(blob)).toBe(true);
    expect(isTextBytes(back)).toBe(false);
    const text = keyPart(textBytes(Buffer.from([0x61, 0x80])));
    expect(text).toEqual({ hex: '6180', text: true });
    expect(isTextBytes(keyValue(text))).toBe(true);
    expect(keyPart(12345678901234567890n)).toBe('12345678901234567890');
    expect([keyPart('a'), keyPart(7), keyPart(null), keyPart(undefined), keyPart(true)]).toEqual(['a', 7, null, null, true]);
    expect(keyValue('a')).toBe('a');
  });

  test("hex orders as the bytes do (a binary key's order: memcmp, a prefix first)", () => {
    const keys = [[0xff], [0x00, 0x00], [], [0x00], [0x10, 0x01], [0x0f, 0xff]].map((b) => Buffer.from(b));
    const byBytes = [...keys].sort(Buffer.compare).map((b) => b.toString('hex'));
    const byHex = keys.map((b) => (keyPart(b) as { hex: string }).hex).sort();
    expect(byHex).toEqual(byBytes);
  });
});
