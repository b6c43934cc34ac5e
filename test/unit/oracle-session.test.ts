/**
 * Oracle's validation session (connectors/oracle/session.ts) as it talks to node-oracledb, with the driver replaced by
 * a recorder: what it sends, in which order. No server runs here: that the server then refuses a write (ORA-01456) is
 * checked only by test/integration/oracle-live.test.ts when SENSEI_TEST_ORACLE_URL is set.
 */
const sent: string[] = [];
let closed = 0;

jest.mock(
  'oracledb',
  () => ({
    OUT_FORMAT_ARRAY: 4001,
    OUT_FORMAT_OBJECT: 4002,
    STRING: 2001,
    BUFFER: 2006,
    getConnection: async () => ({
      execute: async (sql: string) => {
        sent.push(sql);
        if (/nls_database_parameters/i.test(sql)) return { rows: [{ CHARSET: 'AL32UTF8', VERSION: '19.0.0.0.0' }] };
        return { rows: [] };
      },
      close: async () => {
        closed++;
      },
    }),
  }),
  { virtual: true },
);

import { openValidationSession } from '../../connectors/oracle/session';
import { SESSION_SETTINGS } from '../../connectors/oracle/sql';
import { dialectNamed } from '../../connectors/dialects';

beforeEach(() => {
  sent.length = 0;
  closed = 0;
});

test('the session sets UTC, the number and sort settings and the date formats, then SET TRANSACTION READ ONLY before any query', async () => {
  const session = await openValidationSession({ type: 'oracle', connectionString: 'oracle://scott:tiger@127.0.0.1:1521/FREEPDB1' });
  expect(sent).toEqual([...SESSION_SETTINGS, expect.stringMatching(/^ALTER SESSION SET NLS_TIMESTAMP_TZ_FORMAT = /), 'SET TRANSACTION READ ONLY']);
  // The digest's own settings and its check come after, inside the read-only transaction (ALTER SESSION does not end it).
  const digest = dialectNamed('oracle').validation?.digest;
  for (const sql of digest?.session ?? []) await session.rows(sql);
  const row = await session.object(digest?.encodingCheck?.sql ?? '');
  expect(row).toEqual({ charset: 'AL32UTF8', version: '19.0.0.0.0' });
  // This database qualifies (the switch is asked before any session: see test/integration/digest-off.test.ts).
  expect(digest?.encodingCheck?.refusal(row)).toBeNull();
  expect(sent.indexOf('SET TRANSACTION READ ONLY')).toBeLessThan(sent.indexOf("ALTER SESSION SET NLS_CALENDAR = 'GREGORIAN'"));
  expect(sent.filter((s) => /^\s*(COMMIT|ROLLBACK)/i.test(s))).toEqual([]);
  await session.close();
  expect(closed).toBe(1);
});
