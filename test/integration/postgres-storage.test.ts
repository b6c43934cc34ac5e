/**
 * PostgreSQL → PostgreSQL keeps a table's storage as pg_dump does: an UNLOGGED table stays unlogged, and its storage
 * parameters (fillfactor, autovacuum settings, the TOAST table's) stay set, and the privileges granted on it are granted
 * again to the roles that exist on the target. Before, every table was made logged, with the server's defaults and no
 * privileges, without a word.
 */
import { pgRows } from '../helpers/databases';
import { migrateAndValidate, migrationSuite, seededDatabase } from '../helpers/suite';

const suite = migrationSuite();
const source = seededDatabase(
  suite,
  'postgresql',
  `CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY, v text);
   INSERT INTO scratch SELECT g, 'v' || g FROM generate_series(1, 5) g;
   CREATE TABLE tuned (id int PRIMARY KEY, body text) WITH (fillfactor = 70, autovacuum_enabled = false, toast.autovacuum_enabled = false);
   INSERT INTO tuned VALUES (1, repeat('x', 10000));
   CREATE UNLOGGED TABLE both_kinds (id int PRIMARY KEY) WITH (autovacuum_vacuum_scale_factor = 0.05);
   INSERT INTO both_kinds VALUES (1), (2);
   CREATE TABLE plain (id int PRIMARY KEY);
   DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sensei_test_reader') THEN CREATE ROLE sensei_test_reader NOLOGIN; END IF; END $$;
   GRANT SELECT, UPDATE ON tuned TO sensei_test_reader WITH GRANT OPTION;
   GRANT INSERT ON tuned TO sensei_test_reader;
   GRANT SELECT ON plain TO PUBLIC;
   GRANT UPDATE (id), REFERENCES (id) ON plain TO sensei_test_reader;
   GRANT SELECT (v) ON scratch TO sensei_test_reader WITH GRANT OPTION;
   CREATE VIEW tuned_ids AS SELECT id FROM tuned;
   GRANT SELECT ON tuned_ids TO sensei_test_reader;
   CREATE SEQUENCE tickets;
   GRANT USAGE, SELECT ON SEQUENCE tickets TO sensei_test_reader;
   CREATE FUNCTION secret() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 42';
   REVOKE ALL ON FUNCTION secret() FROM PUBLIC;
   GRANT EXECUTE ON FUNCTION secret() TO sensei_test_reader;
   CREATE FUNCTION closed(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
   REVOKE EXECUTE ON FUNCTION closed(int) FROM PUBLIC;
   CREATE FUNCTION open_to_all(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
   CREATE TYPE mood AS ENUM ('calm', 'cross');
   REVOKE USAGE ON TYPE mood FROM PUBLIC;
   GRANT USAGE ON TYPE mood TO sensei_test_reader;
   GRANT USAGE ON SCHEMA public TO sensei_test_reader;
   DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sensei_test_owner') THEN CREATE ROLE sensei_test_owner NOLOGIN; END IF; END $$;
   CREATE TABLE owned (id int PRIMARY KEY, kind text);
   INSERT INTO owned VALUES (1, 'a'), (2, 'b');
   ALTER TABLE owned OWNER TO sensei_test_owner;
   CREATE VIEW owned_ids AS SELECT id FROM owned;
   ALTER VIEW owned_ids OWNER TO sensei_test_owner;
   CREATE SEQUENCE owned_numbers;
   ALTER SEQUENCE owned_numbers OWNER TO sensei_test_owner;
   CREATE FUNCTION owned_twice(x int) RETURNS int LANGUAGE sql AS 'SELECT 2 * x';
   ALTER FUNCTION owned_twice(int) OWNER TO sensei_test_owner;
   CREATE TYPE owned_kind AS ENUM ('a', 'b');
   ALTER TYPE owned_kind OWNER TO sensei_test_owner;
   ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO sensei_test_reader;
   ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO sensei_test_reader WITH GRANT OPTION;`,
);

const storage = `SELECT c.relname AS t, c.relpersistence AS persistence, c.reloptions AS options, t.reloptions AS toast
                   FROM pg_class c LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
                  WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' ORDER BY 1`;

const privileges = `SELECT c.relname AS t, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee,
                           a.privilege_type AS privilege, a.is_grantable AS grantable
                      FROM pg_class c, aclexplode(c.relacl) a
                     WHERE c.relnamespace = current_schema()::regnamespace AND a.grantee <> c.relowner ORDER BY 1, 2, 3`;
const columnPrivileges = `SELECT table_name AS t, column_name AS col, grantee, privilege_type AS privilege, is_grantable AS grantable
                            FROM information_schema.column_privileges
                           WHERE table_schema = current_schema() AND grantee = 'sensei_test_reader' ORDER BY 1, 2, 4`;

/** What the source's connection user (postgres, the target's too) does not own. */
const owners = `SELECT 'relation ' || relname AS object, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'v', 'S')
                UNION ALL SELECT 'function ' || proname, pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
                UNION ALL SELECT 'type ' || typname, pg_get_userbyid(typowner) FROM pg_type WHERE typnamespace = current_schema()::regnamespace AND typtype = 'e'
                ORDER BY 1`;

/** The ACLs of the schema's functions, types and the schema itself, and its default privileges: the same owner (the test's user) on both sides. */
const objectPrivileges = `SELECT 'function ' || proname AS object, proacl::text AS acl FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
                          UNION ALL SELECT 'type ' || typname, typacl::text FROM pg_type WHERE typnamespace = current_schema()::regnamespace AND typtype = 'e'
                          UNION ALL SELECT 'schema', array_to_string(ARRAY(SELECT x::text FROM unnest(nspacl) x ORDER BY 1), ',') FROM pg_namespace WHERE oid = current_schema()::regnamespace
                          UNION ALL SELECT 'default ' || defaclobjtype::text, defaclacl::text FROM pg_default_acl WHERE defaclnamespace = current_schema()::regnamespace
                          ORDER BY 1`;

test('UNLOGGED tables, storage parameters and privileges are kept; every row copied and validated', async () => {
  const target = await suite.database('postgresql');
  const plan = await migrateAndValidate(suite, source(), target);
  expect((plan.notes ?? []).filter((n) => /privileges/.test(n))).toEqual([
    "privileges on 3 table(s) granted to PUBLIC, sensei_test_reader are granted on the target to those of these roles that exist there: roles are not created",
    'privileges on 1 enum(s), 1 sequence(s), 2 function(s), the schema granted to PUBLIC, sensei_test_reader are granted on the target to those of these roles that exist there',
    "the schema's default privileges (on sequences created by postgres; on tables created by postgres) are set on the target's schema where those roles exist there",
  ]);
  // Objects the source's user does not own are the same role's on the target (the test's user is a superuser).
  expect((plan.notes ?? []).filter((n) => /own/.test(n))).toEqual([
    "what sensei_test_owner own(s) on the source, and not its connection's user, is given to the same role on the target where it exists and the target's user may act as it (a superuser may); the rest belongs to the target's user",
  ]);
  const owned = (await pgRows(target.endpoint, owners)).filter((r) => r.owner !== 'postgres');
  expect(owned).toEqual((await pgRows(source().endpoint, owners)).filter((r) => r.owner !== 'postgres'));
  expect(owned).toEqual([
    { object: 'function owned_twice', owner: 'sensei_test_owner' },
    { object: 'relation owned', owner: 'sensei_test_owner' },
    { object: 'relation owned_ids', owner: 'sensei_test_owner' },
    { object: 'relation owned_numbers', owner: 'sensei_test_owner' },
    { object: 'type owned_kind', owner: 'sensei_test_owner' },
  ]);
  // Functions, types, the schema and its default privileges: the source's ACLs, to the letter (a function whose
  // EXECUTE the source took from PUBLIC is not open to everyone on the target).
  const objects = await pgRows(target.endpoint, objectPrivileges);
  expect(objects).toEqual(await pgRows(source().endpoint, objectPrivileges));
  expect(objects).toEqual([
    { object: 'default S', acl: '{sensei_test_reader=U*/postgres}' },
    { object: 'default r', acl: '{sensei_test_reader=r/postgres}' },
    { object: 'function closed', acl: '{postgres=X/postgres}' },
    { object: 'function open_to_all', acl: null },
    { object: 'function owned_twice', acl: null },
    { object: 'function secret', acl: '{postgres=X/postgres,sensei_test_reader=X/postgres}' },
    { object: 'schema', acl: '=U/pg_database_owner,pg_database_owner=UC/pg_database_owner,sensei_test_reader=U/pg_database_owner' },
    { object: 'type mood', acl: '{postgres=U/postgres,sensei_test_reader=U/postgres}' },
    { object: 'type owned_kind', acl: null },
  ]);
  expect(await pgRows(target.endpoint, privileges)).toEqual([
    { t: 'plain', grantee: 'PUBLIC', privilege: 'SELECT', grantable: false },
    { t: 'tickets', grantee: 'sensei_test_reader', privilege: 'SELECT', grantable: false },
    { t: 'tickets', grantee: 'sensei_test_reader', privilege: 'USAGE', grantable: false },
    { t: 'tuned', grantee: 'sensei_test_reader', privilege: 'INSERT', grantable: false },
    { t: 'tuned', grantee: 'sensei_test_reader', privilege: 'SELECT', grantable: true },
    { t: 'tuned', grantee: 'sensei_test_reader', privilege: 'UPDATE', grantable: true },
    { t: 'tuned_ids', grantee: 'sensei_test_reader', privilege: 'SELECT', grantable: false },
  ]);
  // Column privileges (information_schema lists a table's privileges under each of its columns too).
  const granted = await pgRows(target.endpoint, columnPrivileges);
  expect(granted).toEqual(await pgRows(source().endpoint, columnPrivileges));
  expect(granted.filter((r) => r.t === 'plain' || r.t === 'scratch')).toEqual([
    { t: 'plain', col: 'id', grantee: 'sensei_test_reader', privilege: 'REFERENCES', grantable: 'NO' },
    { t: 'plain', col: 'id', grantee: 'sensei_test_reader', privilege: 'UPDATE', grantable: 'NO' },
    { t: 'scratch', col: 'v', grantee: 'sensei_test_reader', privilege: 'SELECT', grantable: 'YES' },
  ]);
  const made = await pgRows(target.endpoint, storage);
  expect(made).toEqual(await pgRows(source().endpoint, storage));
  expect(made).toEqual([
    { t: 'both_kinds', persistence: 'u', options: ['autovacuum_vacuum_scale_factor=0.05'], toast: null },
    { t: 'owned', persistence: 'p', options: null, toast: null },
    { t: 'plain', persistence: 'p', options: null, toast: null },
    { t: 'scratch', persistence: 'u', options: null, toast: null },
    { t: 'tuned', persistence: 'p', options: ['fillfactor=70', 'autovacuum_enabled=false'], toast: ['autovacuum_enabled=false'] },
  ]);
  expect(await pgRows(target.endpoint, 'SELECT count(*)::int AS n FROM scratch')).toEqual([{ n: 5 }]);
  // The default privileges hold for what is created on the target from now on.
  await pgRows(target.endpoint, 'CREATE TABLE made_later (id int)');
  expect(await pgRows(target.endpoint, `SELECT has_table_privilege('sensei_test_reader', 'made_later', 'SELECT') AS may`)).toEqual([{ may: true }]);
}, 300_000);

test('→ MariaDB: made as ordinary tables, the privileges said not to be migrated; every row copied and validated', async () => {
  const target = await suite.database('mysql');
  const plan = await migrateAndValidate(suite, source(), target);
  expect((plan.notes ?? []).filter((n) => /privileges/.test(n))).toEqual([
    'privileges on 3 table(s) granted to PUBLIC, sensei_test_reader are not migrated: grant them on the target',
    'privileges on 1 enum(s), 1 sequence(s), 2 function(s), the schema granted to PUBLIC, sensei_test_reader are not migrated: grant them on the target',
    "the schema's default privileges (on sequences created by postgres; on tables created by postgres) are not migrated",
  ]);
  expect((plan.notes ?? []).filter((n) => /ownership/.test(n))).toEqual(["ownership (sensei_test_owner) is not migrated: everything belongs to the target's user"]);
}, 300_000);
