/** lib/payload-converter.ts: the same payload bytes as Temporal's default converter (so histories replay), both ways. */
import { defaultPayloadConverter } from '@temporalio/common';
import { payloadConverter } from '../../lib/payload-converter';

const values: unknown[] = [
  null,
  0,
  -1.5e-300,
  'plain',
  'Grüße, 東京, emoji 👩‍👩‍👧 and a lone surrogate \ud800 and \udfff',
  { nested: { list: [1, 'two', null, true], text: 'é'.repeat(1000) } },
  new Uint8Array([0, 1, 255]),
  Array.from({ length: 2000 }, (_, i) => ({ table: `t${i}`, column: `c${i}`, note: `naïve ${i}` })),
];

test.each(values.map((v, i) => [i, v]))('value %i: the same payload as the default converter, and back', (_i, value) => {
  const ours = payloadConverter.toPayload(value);
  const theirs = defaultPayloadConverter.toPayload(value);
  expect(ours).toEqual(theirs);
  expect(payloadConverter.fromPayload(ours as never)).toEqual(value);
  expect(payloadConverter.fromPayload(theirs as never)).toEqual(defaultPayloadConverter.fromPayload(theirs as never));
});

test('undefined is the undefined payload; a value JSON cannot hold is refused alike', () => {
  expect(payloadConverter.toPayload(undefined)).toEqual(defaultPayloadConverter.toPayload(undefined));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  expect(() => payloadConverter.toPayload(cyclic)).toThrow();
  expect(() => defaultPayloadConverter.toPayload(cyclic)).toThrow();
});
