/**
 * PostgreSQL → PostgreSQL keeps a table's row-level security and its policies, as pg_dump does: they were left out
 * silently, so the target's table was open to every reader the source's kept out. Made after the data (FORCE would hold
 * the copy's owner to them), each policy as the source declares it.
 */
import { pgRows } from '../helpers/databases';
import { migrateAndValidate, migrateOnce, migrationSuite, seededDatabase } from '../helpers/suite';

const suite = migrationSuite();
const pg = seededDatabase(suite, 'postgresql', `CREATE TABLE accounts (id int PRIMARY KEY, owner name NOT NULL, amount numeric NOT NULL);
     CREATE TABLE notes (id int PRIMARY KEY, body text);
     CREATE TABLE plain (id int PRIMARY KEY);
     ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
     ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
     ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
     CREATE POLICY own_rows ON accounts FOR SELECT TO PUBLIC USING (owner = current_user);
     CREATE POLICY "No Overdraft" ON accounts AS RESTRICTIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (amount >= 0);
     CREATE POLICY add_rows ON accounts FOR INSERT WITH CHECK (owner = current_user);
     INSERT INTO accounts VALUES (1, 'postgres', 10), (2, 'alice', 20);
     INSERT INTO notes VALUES (1, 'hidden');
     INSERT INTO plain VALUES (1);`);

const policies = 'SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies ORDER BY tablename, policyname';
const security = "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname IN ('accounts', 'notes', 'plain') ORDER BY relname";

test('row-level security, forced or not, and every policy are made as the source has them; the rows are all copied', async () => {
  const target = await suite.database('postgresql');
  await migrateAndValidate(suite, pg(), target);
  expect(await pgRows(target.endpoint, security)).toEqual([
    { relname: 'accounts', relrowsecurity: true, relforcerowsecurity: true },
    { relname: 'notes', relrowsecurity: true, relforcerowsecurity: false },
    { relname: 'plain', relrowsecurity: false, relforcerowsecurity: false },
  ]);
  const made = await pgRows(target.endpoint, policies);
  expect(made.map((p) => p.policyname)).toEqual(['No Overdraft', 'add_rows', 'own_rows']);
  expect(made).toEqual(await pgRows(pg().endpoint, policies));
  // Every row copied (the test's user is a superuser, whom no policy holds).
  expect(await pgRows(target.endpoint, 'SELECT count(*)::int AS n FROM accounts')).toEqual([{ n: 2 }]);
}, 300_000);

test('→ MariaDB, which has none: the gate lists the policies and the tables’ row-level security as not migrated', async () => {
  const target = await suite.database('mysql');
  const plan = await migrateAndValidate(suite, pg(), target);
  expect((plan.notes ?? []).filter((n) => /^(policies|row level security)/.test(n))).toEqual([
    'policies not migrated, because their definitions are postgresql SQL that mysql does not read (create them by hand on the target): No Overdraft on accounts, add_rows on accounts, own_rows on accounts',
    'row level security settings (of tables) not migrated, because their definitions are postgresql SQL that mysql does not read (create them by hand on the target): accounts, notes',
  ]);
}, 300_000);

test('a source user a policy holds is refused, saying why, rather than copying (and validating) only the rows it sees', async () => {
  const role = `sensei_rls_${pg().name.slice(-12)}`;
  await pgRows(pg().endpoint, `CREATE ROLE ${role} LOGIN; GRANT USAGE ON SCHEMA public TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
  try {
    const reader = { ...pg(), endpoint: { ...pg().endpoint, connectionString: pg().endpoint.connectionString.replace(/\/\/[^@/]+@/, `//${role}@`) } };
    const target = await suite.database('sqlite');
    const { status } = await migrateOnce(suite, reader, target);
    expect(status.status).toBe('failed');
    expect(status.failure?.code).toBe('NotAllowed');
    expect(status.failure?.message).toMatch(
      /table (accounts|notes) has row-level security, which would show this user only some of its rows: connect as its owner, a superuser or a role with BYPASSRLS$/,
    );
  } finally {
    await pgRows(pg().endpoint, `DROP OWNED BY ${role}; DROP ROLE ${role}`);
  }
}, 300_000);
