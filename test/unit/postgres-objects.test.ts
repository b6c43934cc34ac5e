import { indexDefinitionAfterTable, ownIndex, startupOption } from '../../connectors/postgres/index';
import {
  defaultPrivilegesObject,
  extensionObjects,
  functionObjects,
  grantStatements,
  orderTypes,
  ownerStatements,
  privilegeStatements,
  schemaPrivilegesObject,
  triggerObject,
  sequenceObject,
  typeObjects,
  typeStatements,
  viewObject,
  type PgTypeRow,
} from '../../connectors/postgres/objects';

const type = (t: Partial<PgTypeRow> & Pick<PgTypeRow, 'oid' | 'name' | 'typtype'>): PgTypeRow => ({
  enumLabels: [],
  domainBase: null,
  domainNotNull: false,
  domainDefault: null,
  domainChecks: [],
  attributes: [],
  rangeSubtype: null,
  multirange: null,
  dependsOn: [],
  comment: null,
  ...t,
});

describe('PostgreSQL schema objects as the statements that create them', () => {
  test('enum labels are literals, in order, quotes doubled; a comment follows', () => {
    expect(typeStatements(type({ oid: 1, name: 'Mood', typtype: 'e', enumLabels: ['sad', "it's"], comment: 'how it "feels"' }))).toEqual([
      `CREATE TYPE "Mood" AS ENUM ('sad', 'it''s')`,
      `COMMENT ON TYPE "Mood" IS 'how it "feels"'`,
    ]);
  });

  test('a domain keeps its base type, default, NOT NULL and named CHECKs', () => {
    const year = type({ oid: 2, name: 'year', typtype: 'd', domainBase: 'integer', domainDefault: '2000', domainNotNull: true, domainChecks: ['CONSTRAINT r CHECK (VALUE > 1900)'] });
    expect(typeStatements(year)).toEqual(['CREATE DOMAIN "year" AS integer DEFAULT 2000 NOT NULL CONSTRAINT r CHECK (VALUE > 1900)']);
  });

  test('composite and range types', () => {
    expect(typeStatements(type({ oid: 3, name: 'address', typtype: 'c', attributes: ['street text', 'zip integer'] }))).toEqual(['CREATE TYPE "address" AS (street text, zip integer)']);
    expect(typeStatements(type({ oid: 4, name: 'fr', typtype: 'r', rangeSubtype: 'double precision', multirange: 'frm' }))).toEqual([
      'CREATE TYPE "fr" AS RANGE (SUBTYPE = double precision, MULTIRANGE_TYPE_NAME = "frm")',
    ]);
  });

  test('types come after the types they are built on, whatever the catalog order', () => {
    const types = [
      type({ oid: 10, name: 'holder', typtype: 'c', dependsOn: [12, 25] }),
      type({ oid: 11, name: 'mood', typtype: 'e' }),
      type({ oid: 12, name: 'feeling', typtype: 'd', domainBase: 'mood', dependsOn: [11] }),
    ];
    expect(orderTypes(types).map((t) => t.name)).toEqual(['mood', 'feeling', 'holder']);
    expect(typeObjects(types).map((o) => [o.kind, o.stage])).toEqual([
      ['enum', 'before_tables'],
      ['domain', 'before_tables'],
      ['composite type', 'before_tables'],
    ]);
  });

  test('extensions name the columns that need them', () => {
    expect(extensionObjects([{ extension: 'citext', column: 'a.x' }, { extension: 'hstore', column: 'b.y' }, { extension: 'citext', column: 'c.z' }])).toEqual([
      { kind: 'extension', name: 'citext', create: ['CREATE EXTENSION IF NOT EXISTS "citext"'], stage: 'before_tables', neededBy: ['a.x', 'c.z'] },
      { kind: 'extension', name: 'hstore', create: ['CREATE EXTENSION IF NOT EXISTS "hstore"'], stage: 'before_tables', neededBy: ['b.y'] },
    ]);
  });

  test('a sequence is created where the source stands; numbers that are no integers are refused', () => {
    const s = { name: 'shared', type: 'bigint', start: '100', increment: '5', min: '1', max: '9223372036854775807', cache: '1', cycle: false, last: '105' };
    expect(sequenceObject(s).create).toEqual([
      'CREATE SEQUENCE IF NOT EXISTS "shared" AS bigint INCREMENT BY 5 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 100 CACHE 1 NO CYCLE',
      `SELECT setval('"shared"', 105, true)`,
    ]);
    expect(sequenceObject({ ...s, last: null }).create).toHaveLength(1);
    expect(() => sequenceObject({ ...s, start: '1; DROP TABLE x' })).toThrow(/not an integer/);
  });

  test('views after the data, without the definition’s semicolon', () => {
    expect(viewObject({ name: 'v', materialized: false, definition: ' SELECT 1 AS one;', comment: null, reads: ['t'] })).toEqual({
      kind: 'view',
      name: 'v',
      create: ['CREATE OR REPLACE VIEW "v" AS SELECT 1 AS one'],
      stage: 'after_data',
      reads: ['t'],
    });
    expect(viewObject({ name: 'm', materialized: true, definition: 'SELECT 2;', comment: 'c', reads: [] }).create).toEqual([
      'CREATE MATERIALIZED VIEW IF NOT EXISTS "m" AS SELECT 2',
      `COMMENT ON MATERIALIZED VIEW "m" IS 'c'`,
    ]);
  });

  test('a function lands in the target schema (its name unqualified), its body not checked at creation', () => {
    const f = { name: 'Twice', qualified: 'app."Twice"', signature: 'Twice(x integer)', arguments: 'x integer', definition: 'CREATE OR REPLACE FUNCTION app."Twice"(x integer)\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT x * 2$function$\n' };
    const create = ['SET LOCAL check_function_bodies = off', 'CREATE OR REPLACE FUNCTION "Twice"(x integer)\n RETURNS integer\n LANGUAGE sql\nAS $function$SELECT x * 2$function$\n'];
    expect(functionObjects(f)).toEqual([
      { kind: 'function', name: 'Twice(x integer)', create, stage: 'before_tables' },
      { kind: 'function', name: 'Twice(x integer)', create, stage: 'after_data' },
    ]);
    expect(functionObjects({ ...f, definition: f.definition.replace('FUNCTION', 'PROCEDURE') })[0].kind).toBe('procedure');
    expect(() => functionObjects({ ...f, qualified: 'other."Twice"' })).toThrow(/unexpected definition header/);
  });

  test('a trigger after the data, replacing itself on a retry, left out with its table', () => {
    expect(triggerObject({ name: 'touch', table: 't', definition: 'CREATE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()' })).toEqual({
      kind: 'trigger',
      name: 'touch on t',
      create: ['CREATE OR REPLACE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()'],
      stage: 'after_data',
      reads: ['t'],
    });
    expect(() => triggerObject({ name: 'c', table: 't', definition: 'CREATE CONSTRAINT TRIGGER c AFTER INSERT ON t …' })).toThrow(/unexpected definition/);
  });

  test('privileges granted again: to PUBLIC as they are, to a role only where the target has it', () => {
    expect(
      grantStatements('"t"', [
        { grantee: null, privileges: ['SELECT'], grantable: false },
        { grantee: 'app', privileges: ['INSERT', 'SELECT'], grantable: true },
        { grantee: "o'x", privileges: ['UPDATE'], grantable: false, columns: ['a', 'B'] },
        { grantee: 'r$grant$', privileges: ['SELECT', 'select; DROP'], grantable: false },
      ]),
    ).toEqual([
      'GRANT SELECT ON "t" TO PUBLIC',
      `DO $grant$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app') THEN GRANT INSERT, SELECT ON "t" TO "app" WITH GRANT OPTION; END IF; END $grant$`,
      `DO $grant$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'o''x') THEN GRANT UPDATE ("a", "B") ON "t" TO "o'x"; END IF; END $grant$`,
      `DO $grant1$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'r$grant$') THEN GRANT SELECT ON "t" TO "r$grant$"; END IF; END $grant1$`,
    ]);
    expect(grantStatements('"t"', [{ grantee: 'app', privileges: ['MAINTAIN OR'], grantable: false }])).toEqual([]);
  });

  test("a sequence's, function's or type's ACL: nothing when it is the default; else PUBLIC's revoked, then the grants", () => {
    expect(privilegeStatements('FUNCTION "f"(integer)', undefined)).toEqual([]);
    expect(privilegeStatements('FUNCTION "f"(integer)', [])).toEqual(['REVOKE ALL ON FUNCTION "f"(integer) FROM PUBLIC']);
    expect(privilegeStatements('TYPE "t"', [{ grantee: null, privileges: ['USAGE'], grantable: false }])).toEqual(['REVOKE ALL ON TYPE "t" FROM PUBLIC', 'GRANT USAGE ON TYPE "t" TO PUBLIC']);
    const f = { name: 'f', qualified: 'app.f', signature: 'f(x integer)', arguments: 'x integer', definition: 'CREATE OR REPLACE FUNCTION app.f(x integer)\n RETURNS integer\n LANGUAGE sql\nAS $$SELECT x$$\n' };
    const [before, after] = functionObjects({ ...f, grants: [{ grantee: 'app', privileges: ['EXECUTE'], grantable: false }] });
    expect(before.create.slice(2)).toEqual([
      'REVOKE ALL ON FUNCTION "f"(x integer) FROM PUBLIC',
      `DO $grant$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app') THEN GRANT EXECUTE ON FUNCTION "f"(x integer) TO "app"; END IF; END $grant$`,
    ]);
    expect(after.create).toEqual(before.create);
    expect(before.grantees).toEqual(['app']);
    expect(sequenceObject({ name: 's', type: 'bigint', start: '1', increment: '1', min: '1', max: '9', cache: '1', cycle: false, last: null, grants: [] }).create.at(-1)).toBe('REVOKE ALL ON SEQUENCE "s" FROM PUBLIC');
  });

  test('an owner other than the source user: given where the role exists and the target user may act as it', () => {
    expect(ownerStatements('TABLE "t"', undefined)).toEqual([]);
    expect(ownerStatements('FUNCTION "f"(integer)', "o'wner")).toEqual([
      `DO $grant$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'o''wner') THEN IF pg_has_role(current_user, 'o''wner', 'USAGE') THEN ALTER FUNCTION "f"(integer) OWNER TO "o'wner"; END IF; END IF; END $grant$`,
    ]);
    expect(viewObject({ name: 'v', materialized: true, reads: [], definition: 'SELECT 1;', comment: null, owner: 'x' })).toMatchObject({ owner: 'x', create: [expect.any(String), expect.stringContaining('ALTER MATERIALIZED VIEW "v" OWNER TO "x"')] });
  });

  test("the schema's privileges and default privileges name the target's schema through format(), % doubled", () => {
    expect(schemaPrivilegesObject('app', [])).toBeNull();
    expect(schemaPrivilegesObject('app', [{ grantee: 'r%x', privileges: ['CREATE', 'USAGE'], grantable: true }, { grantee: null, privileges: ['USAGE'], grantable: false }])).toEqual({
      kind: 'schema privileges',
      name: 'app',
      stage: 'after_data',
      grantees: ['PUBLIC', 'r%x'],
      create: [
        `DO $grant$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'r%x') THEN EXECUTE format('GRANT CREATE, USAGE ON SCHEMA %I TO "r%%x" WITH GRANT OPTION', current_schema()); END IF; END $grant$`,
        `DO $grant$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO PUBLIC', current_schema()); END $grant$`,
      ],
    });
    const d = defaultPrivilegesObject({ role: 'owner', objectType: 'r', grants: [{ grantee: "it's", privileges: ['SELECT'], grantable: false }] });
    expect(d).toMatchObject({ kind: 'default privileges', name: 'on tables created by owner', stage: 'after_data', grantees: ["it's"] });
    expect(d.create).toEqual([
      `DO $grant$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'owner') AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'it''s') THEN EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE "owner" IN SCHEMA %I GRANT SELECT ON TABLES TO "it''s"', current_schema()); END IF; END $grant$`,
    ]);
    expect(() => defaultPrivilegesObject({ role: 'owner', objectType: 'n', grants: [] })).toThrow(/unexpected object type/);
  });

  test('an index definition without its table; startup options escaped', () => {
    expect(indexDefinitionAfterTable('CREATE INDEX i ON public.t USING btree (lower(code)) WHERE (price < 10)')).toBe('USING btree (lower(code)) WHERE (price < 10)');
    expect(indexDefinitionAfterTable('CREATE UNIQUE INDEX i ON ONLY s.p USING btree (a)')).toBe('USING btree (a)');
    expect(startupOption('"my schema", public')).toBe('"my\\ schema",\\ public');
    expect(startupOption('a\\b')).toBe('a\\\\b');
  });
});

describe("a native table's indexes found again by a retried finalisation", () => {
  const renamed = (table: string, name: string) => (n: number) => (n < 2 ? `${table}_${name}` : `${table}_${name}_${n}`);
  const status = { name: 'status_idx', unique: false, definition: 'USING btree (status)' };
  const legacy = { name: 'orders_status_idx', unique: false, definition: 'USING btree (status, placed)' };

  test('another of the source\'s indexes named like the table in front is not this one renamed (it is created)', () => {
    // Created in name order: orders_status_idx first; status_idx must not take it for its own copy.
    const claimed = new Set(['orders_status_idx']);
    expect(ownIndex([{ ...legacy }], status, claimed, renamed('orders', 'status_idx'))).toBeUndefined();
    // Nor when it happens to have the same definition: it is another index's.
    expect(ownIndex([{ ...legacy, definition: status.definition }], status, claimed, renamed('orders', 'status_idx'))).toBeUndefined();
  });

  test('a retry finds each index under its own name, or renamed (the table in front, then a number) with its definition', () => {
    const existing = [
      { ...legacy },
      { name: 'orders_status_idx_2', unique: false, definition: status.definition },
    ];
    const claimed = new Set<string>();
    const first = ownIndex(existing, legacy, claimed, renamed('orders', legacy.name));
    expect(first).toBe('orders_status_idx');
    claimed.add(first as string);
    expect(ownIndex(existing, status, claimed, renamed('orders', 'status_idx'))).toBe('orders_status_idx_2');
    expect(ownIndex([{ name: 'orders_status_idx', unique: false, definition: status.definition }], status, new Set(), renamed('orders', 'status_idx'))).toBe('orders_status_idx');
    // A renamed form with another definition or uniqueness is not this index.
    expect(ownIndex([{ name: 'orders_status_idx_2', unique: true, definition: status.definition }], status, new Set(), renamed('orders', 'status_idx'))).toBeUndefined();
    expect(ownIndex([{ name: 'orders_status_idx_2', unique: false, definition: 'USING hash (status)' }], status, new Set(), renamed('orders', 'status_idx'))).toBeUndefined();
  });
});
