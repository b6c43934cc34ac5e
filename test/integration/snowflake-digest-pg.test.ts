/**
 * The other half of test/unit/snowflake-digest.test.ts, against a live PostgreSQL: for every value of the Snowflake
 * cases (test/helpers/snowflake-digest-cases.ts), PostgreSQL's digest SQL prints the normal form that Snowflake's digest
 * SQL gives in the JavaScript model of Snowflake (test/helpers/snowflake-sql-model.ts). No Snowflake account is
 * reachable here: that half is the model; test/integration/snowflake-live.test.ts compares with a real account when
 * SENSEI_TEST_SNOWFLAKE_URL is set.
 */
import { Client } from 'pg';
import { openSession, type SqlSession } from '../../activities/validation';
import { digestSessionSql, rowSql, valueSql } from '../../lib/validation/digest';
import type { Place } from '../../lib/validation/sql';
import { pgType } from '../helpers/oracle-digest-cases';
import { CASES } from '../helpers/snowflake-digest-cases';
import { evaluate } from '../helpers/snowflake-sql-model';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';

const pp: Place = { dialect: 'postgresql', schema: 'public' };
const sf: Place = { dialect: 'snowflake', schema: 'PUBLIC' };
let db: TempDatabase;
let session: SqlSession;

beforeAll(async () => {
  db = await createTempDatabase('postgresql');
  const client = new Client({ connectionString: db.endpoint.connectionString });
  await client.connect();
  await client.query(`CREATE TABLE cases (id integer PRIMARY KEY, ${CASES.map((c, i) => `c${i} ${pgType(c.type)}`).join(', ')})`);
  const values = CASES.map((c) => (typeof c.canonical === 'string' && c.type.kind === 'timestamptz' ? `${c.canonical}+00` : c.canonical));
  await client.query(`INSERT INTO cases VALUES (1, ${CASES.map((_, i) => `$${i + 1}`).join(', ')})`, values);
  await client.end();
  session = await openSession(db.endpoint);
  for (const sql of digestSessionSql(pp)) await session.rows(sql);
});

afterAll(async () => {
  await session?.close();
  await db?.drop();
});

test("PostgreSQL's digest prints, for each value, what Snowflake's digest SQL gives in the model of Snowflake", async () => {
  const selects = CASES.map((c, i) => `COALESCE(${valueSql(pp, { name: `c${i}`, type: c.type, native: pgType(c.type) })}, '~')`);
  const [row] = await session.rows(`SELECT ${selects.join(', ')} FROM cases WHERE id = 1`);
  const snowflake = CASES.map((c) => evaluate(rowSql(sf, [{ name: 'c', type: c.type, native: c.native }]), { c: c.snowflake }));
  expect(CASES.map((c, i) => ({ case: c.what, form: String(row[i]) }))).toEqual(CASES.map((c, i) => ({ case: c.what, form: snowflake[i] })));
});
