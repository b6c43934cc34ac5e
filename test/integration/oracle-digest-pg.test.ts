/**
 * The other half of test/unit/oracle-digest.test.ts, against a live PostgreSQL: for every value of the Oracle cases
 * (test/helpers/oracle-digest-cases.ts), PostgreSQL's digest SQL prints the normal form that Oracle's digest SQL gives
 * in the JavaScript model of Oracle (test/helpers/oracle-sql-model.ts). No Oracle server runs here: that half is the
 * model; test/integration/oracle-live.test.ts compares with a real Oracle when SENSEI_TEST_ORACLE_URL is set.
 */
import { Client } from 'pg';
import { openSession, type SqlSession } from '../../activities/validation';
import { dialectNamed } from '../../connectors/dialects';
import { digestSessionSql, valueSql } from '../../lib/validation/digest';
import type { Place } from '../../lib/validation/sql';
import { CASES, normalForm, pgType, pgValue } from '../helpers/oracle-digest-cases';
import { evaluate } from '../helpers/oracle-sql-model';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';

const pp: Place = { dialect: 'postgresql', schema: 'public' };
const ora: Place = { dialect: 'oracle', schema: 'S' };
let db: TempDatabase;
let session: SqlSession;

beforeAll(async () => {
  db = await createTempDatabase('postgresql');
  const client = new Client({ connectionString: db.endpoint.connectionString });
  await client.connect();
  await client.query(`CREATE TABLE cases (id integer PRIMARY KEY, ${CASES.map((c, i) => `c${i} ${pgType(c.type)}`).join(', ')})`);
  await client.query(`INSERT INTO cases VALUES (1, ${CASES.map((_, i) => `$${i + 1}`).join(', ')})`, CASES.map(pgValue));
  await client.end();
  session = await openSession(db.endpoint);
  for (const sql of digestSessionSql(pp)) await session.rows(sql);
});

afterAll(async () => {
  await session?.close();
  await db?.drop();
});

test("PostgreSQL's digest prints, for each value, what Oracle's digest SQL gives in the model of Oracle", async () => {
  const selects = CASES.map((c, i) => `COALESCE(${valueSql(pp, { name: `c${i}`, type: c.type, native: pgType(c.type) })}, '~')`);
  const [row] = await session.rows(`SELECT ${selects.join(', ')} FROM cases WHERE id = 1`);
  const field = dialectNamed('oracle').validation?.digest?.field;
  if (!field) throw new Error('Oracle has no digest field');
  const oracle = CASES.map((c) => evaluate(field(valueSql(ora, { name: 'c', type: c.type, native: c.native }), '"c"'), { c: c.oracle }) ?? '');
  expect(CASES.map((c, i) => ({ case: c.what, form: String(row[i]) }))).toEqual(CASES.map((c, i) => ({ case: c.what, form: oracle[i] })));
  // The JavaScript normal form the unit tests compare with is PostgreSQL's too.
  expect(CASES.map((c, i) => ({ case: c.what, form: String(row[i]) }))).toEqual(CASES.map((c) => ({ case: c.what, form: normalForm(c.canonical, c.type, c.bc) })));
});
