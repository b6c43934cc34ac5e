import { collectReferences, noReferences, planKeysIn } from '../../lib/blob-gc';
import { parseDuration } from '../../lib/config';

const bytes = (text: string) => new Uint8Array(Buffer.from(text));
const plan = `plan:${'c'.repeat(64)}`;

describe('marking the blobs a history names', () => {
  test('claim-check keys and plan keys anywhere in events, as the service sends them', () => {
    const events = [
      {
        eventId: 1,
        workflowExecutionStartedEventAttributes: {
          input: { payloads: [{ metadata: { encoding: bytes('sensei/claim-check') }, data: bytes('1'.repeat(64)) }] },
          memo: { fields: { note: { metadata: { encoding: bytes('json/plain') }, data: bytes(`{"ref":"${plan}"}`) } } },
        },
      },
      {
        eventId: 2,
        activityTaskScheduledEventAttributes: {
          input: { payloads: [{ metadata: { encoding: bytes('json/plain') }, data: bytes(`{"migrationId":"m","planRef":"plan:${'d'.repeat(64)}"}`) }] },
        },
      },
      // A failure's details: a claim check inside a nested failure.
      { eventId: 3, activityTaskFailedEventAttributes: { failure: { cause: { applicationFailureInfo: { details: { payloads: [{ metadata: { encoding: bytes('sensei/claim-check') }, data: bytes('2'.repeat(64)) }] } } } } } },
      // Not payloads: bytes elsewhere, and a plan key too short to be one.
      { eventId: 4, workflowTaskCompletedEventAttributes: { binaryChecksum: 'x', sdkMetadata: { langUsedFlags: [1] } }, other: bytes(`plan:${'e'.repeat(64)}`) },
      { eventId: 5, activityTaskScheduledEventAttributes: { input: { payloads: [{ metadata: {}, data: bytes('"plan:abc"') }] } } },
    ];
    const refs = noReferences();
    collectReferences(events, refs);
    expect([...refs.claimChecks].sort()).toEqual(['1'.repeat(64), '2'.repeat(64)]);
    expect([...refs.plans].sort()).toEqual([plan, `plan:${'d'.repeat(64)}`]);
  });

  test('plan keys in the stored form of a claim-checked payload (binary header, then JSON)', () => {
    const stored = Buffer.concat([Buffer.from([0, 0, 0, 2, 0xff]), Buffer.from(`{}{"planRef":"${plan}","more":"plan:${'f'.repeat(64)}"}`)]);
    const into = new Set<string>();
    planKeysIn(stored, into);
    expect([...into].sort()).toEqual([plan, `plan:${'f'.repeat(64)}`]);
  });
});

test('durations: units, combinations, and what is refused', () => {
  expect(parseDuration('90s')).toBe(90_000);
  expect(parseDuration('30m')).toBe(1_800_000);
  expect(parseDuration('24h')).toBe(86_400_000);
  expect(parseDuration('1d12h')).toBe(129_600_000);
  expect(() => parseDuration('1.5h', '--grace')).toThrow(/--grace must be a duration, got "1.5h"/);
  expect(() => parseDuration('')).toThrow(/duration/);
});
