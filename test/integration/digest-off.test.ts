/**
 * A dialect whose in-database digest the operator has not turned on (Oracle, Snowflake: off until a live server has
 * shown the same bytes) is never logged into for it: the semantic tier asks the switch before it opens a session.
 * The Oracle endpoint below points at a port where nothing listens, so any login attempt fails the call.
 */
import { openDigestSessions } from '../../activities/validation';
import type { Place } from '../../lib/validation/sql';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';

const pp: Place = { dialect: 'postgresql', schema: 'public' };
const oracle = { type: 'oracle' as const, connectionString: 'oracle://scott:tiger@127.0.0.1:1/FREEPDB1' };
const snowflake = { type: 'snowflake' as const, connectionString: 'snowflake://u:p@sensei-test-account/DB/PUBLIC?warehouse=WH' };
let db: TempDatabase;

beforeAll(async () => {
  db = await createTempDatabase('postgresql');
});

afterAll(async () => {
  delete process.env.SENSEI_ORACLE_IN_DATABASE_DIGEST;
  await db?.drop();
});

test('with the switch off, no session is opened on either side and the refusal names the switch', async () => {
  delete process.env.SENSEI_ORACLE_IN_DATABASE_DIGEST;
  delete process.env.SENSEI_SNOWFLAKE_IN_DATABASE_DIGEST;
  const toOracle = await openDigestSessions(db.endpoint, oracle, pp, { dialect: 'oracle', schema: 'SCOTT' });
  expect(toOracle.sessions).toBeNull();
  expect(toOracle.refusal).toBe('the in-database digest on Oracle is off (never checked against a live server; SENSEI_ORACLE_IN_DATABASE_DIGEST=on turns it on)');
  await toOracle.close();
  const fromSnowflake = await openDigestSessions(snowflake, db.endpoint, { dialect: 'snowflake', schema: 'PUBLIC' }, pp);
  expect(fromSnowflake.sessions).toBeNull();
  expect(fromSnowflake.refusal).toMatch(/^the in-database digest on Snowflake is off/);
  await fromSnowflake.close();
});

test('with the switch on, the sessions are opened (here the Oracle login fails: nothing listens there)', async () => {
  process.env.SENSEI_ORACLE_IN_DATABASE_DIGEST = 'on';
  try {
    await expect(openDigestSessions(db.endpoint, oracle, pp, { dialect: 'oracle', schema: 'SCOTT' })).rejects.toThrow();
  } finally {
    delete process.env.SENSEI_ORACLE_IN_DATABASE_DIGEST;
  }
});
