/**
 * PostgreSQL → PostgreSQL: the schema objects besides tables (extensions, enum/domain/composite/range types, sequences
 * no column owns, views), read from the source's catalogs and rendered as the statements that create them on the
 * target. The rendering is pure (unit-tested); the catalog rows come from the connector (./index.ts).
 *
 * Names are unqualified: both connections put their own schema first on the search_path, so the source's catalog
 * text (format_type, pg_get_expr, pg_get_viewdef) names its schema's objects without the schema, and the target
 * creates and resolves them in its own schema.
 */
import { ansiLiteral, doubleQuoted } from '../dialect';
import type { SchemaObject, TableGrant } from '../../lib/types';

const q = doubleQuoted;

/** A user-defined type of the migrated schema as its catalog rows describe it. */
export interface PgTypeRow {
  oid: number;
  name: string;
  /** pg_type.typtype: 'e' enum, 'd' domain, 'c' composite, 'r' range. */
  typtype: string;
  enumLabels: string[];
  /** Domain: format_type of its base type, NOT NULL, default expression, `CONSTRAINT … CHECK (…)` clauses. */
  domainBase: string | null;
  domainNotNull: boolean;
  domainDefault: string | null;
  domainChecks: string[];
  /** Composite: `"name" type` per attribute. */
  attributes: string[];
  /** Range: format_type of the subtype, and the name of its multirange type. */
  rangeSubtype: string | null;
  multirange: string | null;
  /** Types (by oid, arrays read as their element) this one is built on. */
  dependsOn: number[];
  comment: string | null;
  /** Its privileges when its ACL is not the default one (privilegeStatements). */
  grants?: TableGrant[];
  /** Its owner, when not the source's connection user (ownerStatements). */
  owner?: string;
}

const KIND_NAMES: Record<string, string> = { e: 'enum', d: 'domain', c: 'composite type', r: 'range type' };

/** The statement(s) that create one type. */
export function typeStatements(t: PgTypeRow): string[] {
  const name = q(t.name);
  let create: string;
  switch (t.typtype) {
    case 'e':
      create = `CREATE TYPE ${name} AS ENUM (${t.enumLabels.map(ansiLiteral).join(', ')})`;
      break;
    case 'd':
      create =
        `CREATE DOMAIN ${name} AS ${t.domainBase}` +
        (t.domainDefault !== null ? ` DEFAULT ${t.domainDefault}` : '') +
        (t.domainNotNull ? ' NOT NULL' : '') +
        t.domainChecks.map((c) => ` ${c}`).join('');
      break;
    case 'c':
      create = `CREATE TYPE ${name} AS (${t.attributes.join(', ')})`;
      break;
    case 'r':
      create = `CREATE TYPE ${name} AS RANGE (SUBTYPE = ${t.rangeSubtype}${t.multirange ? `, MULTIRANGE_TYPE_NAME = ${q(t.multirange)}` : ''})`;
      break;
    default:
      throw new Error(`type ${t.name}: kind ${t.typtype} cannot be re-created`);
  }
  const out = [create];
  if (t.comment !== null) out.push(`COMMENT ON ${t.typtype === 'd' ? 'DOMAIN' : 'TYPE'} ${name} IS ${ansiLiteral(t.comment)}`);
  out.push(...privilegeStatements(`${t.typtype === 'd' ? 'DOMAIN' : 'TYPE'} ${name}`, t.grants));
  out.push(...ownerStatements(`${t.typtype === 'd' ? 'DOMAIN' : 'TYPE'} ${name}`, t.owner));
  return out;
}

/** Types in an order that creates each after the types it is built on (catalog order otherwise). */
export function orderTypes(types: PgTypeRow[]): PgTypeRow[] {
  const byOid = new Map(types.map((t) => [t.oid, t]));
  const done = new Set<number>();
  const out: PgTypeRow[] = [];
  const visit = (t: PgTypeRow, path: Set<number>) => {
    if (done.has(t.oid) || path.has(t.oid)) return;
    path.add(t.oid);
    for (const dep of t.dependsOn) {
      const d = byOid.get(dep);
      if (d) visit(d, path);
    }
    done.add(t.oid);
    out.push(t);
  };
  for (const t of types) visit(t, new Set());
  return out;
}

export function typeObjects(types: PgTypeRow[]): SchemaObject[] {
  return orderTypes(types).map((t) => ({
    kind: KIND_NAMES[t.typtype] ?? 'type',
    name: t.name,
    create: typeStatements(t),
    stage: 'before_tables',
    ...(t.grants ? { grantees: grantees(t.grants) } : {}),
    ...(t.owner !== undefined ? { owner: t.owner } : {}),
  }));
}

/** The statement that creates an extension, in the first schema of the connection's search path (its own schema). */
export function createExtension(name: string): string {
  return `CREATE EXTENSION IF NOT EXISTS ${q(name)}`;
}

/** The extensions columns' types belong to (citext, hstore, …), each with the columns that need it. */
export function extensionObjects(needs: { extension: string; column: string }[]): SchemaObject[] {
  const byName = new Map<string, string[]>();
  for (const n of needs) byName.set(n.extension, [...(byName.get(n.extension) ?? []), n.column]);
  return [...byName].map(([name, columns]) => ({ kind: 'extension', name, create: [createExtension(name)], stage: 'before_tables', neededBy: columns }));
}

/** A sequence no column owns (a column's default may call nextval on it), created at the source's position. */
export interface PgSequenceRow {
  name: string;
  /** format_type of its data type. */
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  /** The last value handed out; null when none has been. */
  last: string | null;
  /** Its privileges when its ACL is not the default one (privilegeStatements). */
  grants?: TableGrant[];
  /** Its owner, when not the source's connection user (ownerStatements). */
  owner?: string;
}

const INTEGER = /^-?\d+$/;

function integer(value: string, what: string): string {
  if (!INTEGER.test(value)) throw new Error(`sequence ${what} ${JSON.stringify(value)} is not an integer`);
  return value;
}

export function sequenceObject(s: PgSequenceRow): SchemaObject {
  const create =
    `CREATE SEQUENCE IF NOT EXISTS ${q(s.name)} AS ${s.type} INCREMENT BY ${integer(s.increment, 'increment')}` +
    ` MINVALUE ${integer(s.min, 'minimum')} MAXVALUE ${integer(s.max, 'maximum')} START WITH ${integer(s.start, 'start')}` +
    ` CACHE ${integer(s.cache, 'cache')}${s.cycle ? ' CYCLE' : ' NO CYCLE'}`;
  const statements = [create];
  if (s.last !== null) statements.push(`SELECT setval(${ansiLiteral(q(s.name))}, ${integer(s.last, 'last value')}, true)`);
  statements.push(...privilegeStatements(`SEQUENCE ${q(s.name)}`, s.grants), ...ownerStatements(`SEQUENCE ${q(s.name)}`, s.owner));
  return {
    kind: 'sequence',
    name: s.name,
    create: statements,
    stage: 'before_tables',
    ...(s.grants ? { grantees: grantees(s.grants) } : {}),
    ...(s.owner !== undefined ? { owner: s.owner } : {}),
  };
}

export interface PgViewRow {
  name: string;
  materialized: boolean;
  /** The tables and views of the schema it reads. */
  reads: string[];
  /** pg_get_viewdef: the SELECT, usually ending with a semicolon. */
  definition: string;
  comment: string | null;
  /** Privileges on it granted to roles other than its owner. */
  grants?: TableGrant[];
  /** Its owner, when not the source's connection user (ownerStatements). */
  owner?: string;
}

/**
 * The statements that grant `grants` on the relation `on` (quoted) again: each to its role only where the target has
 * that role (roles are not created), as a DO block that asks pg_roles; to PUBLIC as it is. A privilege of a form other
 * than a word is left out.
 */
export function grantStatements(on: string, grants: readonly TableGrant[]): string[] {
  return grants.flatMap((g) => {
    const clause = grantClause(g);
    if (!clause) return [];
    const columns = g.columns ? ` (${g.columns.map(q).join(', ')})` : '';
    const grant = `GRANT ${clause.privileges.map((p) => p + columns).join(', ')} ON ${on} ${clause.to}`;
    return g.grantee === null ? [grant] : [whereRolesExist([g.grantee], grant)];
  });
}

/**
 * What every GRANT made from `g` says: its privileges that are words (a privilege of another form is left out; null
 * when none is left) and `TO role|PUBLIC [WITH GRANT OPTION]`.
 */
function grantClause(g: TableGrant): { privileges: string[]; to: string } | null {
  const privileges = g.privileges.filter((p) => /^[A-Z]+$/.test(p));
  if (privileges.length === 0) return null;
  return { privileges, to: `TO ${g.grantee === null ? 'PUBLIC' : q(g.grantee)}${g.grantable ? ' WITH GRANT OPTION' : ''}` };
}

/** `statement` run only where the target server has every one of `roles`, as a DO block that asks pg_roles. */
function whereRolesExist(roles: readonly string[], statement: string): string {
  const condition = roles.map((r) => `EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${ansiLiteral(r)})`).join(' AND ');
  // A dollar-quote tag the statement does not hold.
  let tag = '$grant$';
  for (let n = 1; statement.includes(tag) || condition.includes(tag); n++) tag = `$grant${n}$`;
  return roles.length === 0 ? `DO ${tag} BEGIN ${statement}; END ${tag}` : `DO ${tag} BEGIN IF ${condition} THEN ${statement}; END IF; END ${tag}`;
}

/** Where the target's schema is named in a statement made before it is known (inTargetSchema). */
const SCHEMA_MARK = '\u0000schema\u0000';

/**
 * `statement` with the target's schema where `SCHEMA_MARK` stands: the plan is made before the target schema is known
 * by name here, so it is the target connection's current_schema(), put in by format()'s %I (every other % doubled).
 */
function inTargetSchema(statement: string): string {
  const template = statement.replaceAll('%', '%%').replaceAll(SCHEMA_MARK, '%I');
  return `EXECUTE format(${ansiLiteral(template)}, current_schema())`;
}


/**
 * The privileges on a sequence, function, procedure or type (`on`: `SEQUENCE "s"`, `FUNCTION "f"(integer)`, …) as
 * the source has them, when its ACL is not the default one (`grants` undefined: nothing to do). PUBLIC's privileges
 * are revoked first: a function's EXECUTE and a type's USAGE are PUBLIC's by default, and a source that revoked them
 * (a SECURITY DEFINER function kept from everyone) must not see them given back on the target.
 */
export function privilegeStatements(on: string, grants: readonly TableGrant[] | undefined): string[] {
  if (grants === undefined) return [];
  return [`REVOKE ALL ON ${on} FROM PUBLIC`, ...grantStatements(on, grants)];
}

/**
 * ALTER … OWNER TO the source's owner (`owner` is set only for an object the source's connection user does not own),
 * where the target has that role and its connection's user may act as it (a superuser, or a member that inherits its
 * privileges: pg_has_role … USAGE), so the user can still write, index and validate what it gave away; elsewhere the
 * object stays the target user's (the plan's notes say so).
 */
export function ownerStatements(on: string, owner: string | undefined): string[] {
  if (owner === undefined) return [];
  return [whereRolesExist([owner], `IF pg_has_role(current_user, ${ansiLiteral(owner)}, 'USAGE') THEN ALTER ${on} OWNER TO ${q(owner)}; END IF`)];
}

/**
 * The privileges granted on the source's schema (USAGE, CREATE), granted on the target's schema to the roles that exist
 * there. Nothing is revoked: the target's schema may be one that others use (public).
 */
export function schemaPrivilegesObject(schema: string, grants: readonly TableGrant[]): SchemaObject | null {
  const statements = grants.flatMap((g) => {
    const clause = grantClause(g);
    if (!clause) return [];
    const grant = inTargetSchema(`GRANT ${clause.privileges.join(', ')} ON SCHEMA ${SCHEMA_MARK} ${clause.to}`);
    return [whereRolesExist(g.grantee === null ? [] : [g.grantee], grant)];
  });
  if (statements.length === 0) return null;
  return { kind: 'schema privileges', name: schema, create: statements, stage: 'after_data', grantees: grantees(grants) };
}

/** The roles `grants` name, PUBLIC included, sorted. */
function grantees(grants: readonly TableGrant[]): string[] {
  return [...new Set(grants.map((g) => g.grantee ?? 'PUBLIC'))].sort();
}

/** pg_default_acl.defaclobjtype as ALTER DEFAULT PRIVILEGES names it. */
const DEFAULT_ACL_OBJECTS: Record<string, string> = { r: 'TABLES', S: 'SEQUENCES', f: 'FUNCTIONS', T: 'TYPES' };

/** The default privileges of the source's schema for the objects one role creates there (pg_default_acl). */
export interface PgDefaultAclRow {
  /** The role whose new objects get them. */
  role: string;
  /** pg_default_acl.defaclobjtype: r tables, S sequences, f functions, T types. */
  objectType: string;
  grants: TableGrant[];
}

/**
 * A schema's default privileges, as ALTER DEFAULT PRIVILEGES FOR ROLE … IN SCHEMA (the target's) GRANT: after the data,
 * so the tables copied get exactly the source's privileges; where the role and grantee exist on the target. A target
 * user who may not act for that role is refused: an object not created, said at the end.
 */
export function defaultPrivilegesObject(d: PgDefaultAclRow): SchemaObject {
  const objects = DEFAULT_ACL_OBJECTS[d.objectType];
  if (!objects) throw new Error(`default privileges for ${d.role}: unexpected object type ${d.objectType}`);
  const create = d.grants.flatMap((g) => {
    const clause = grantClause(g);
    if (!clause) return [];
    const alter = `ALTER DEFAULT PRIVILEGES FOR ROLE ${q(d.role)} IN SCHEMA ${SCHEMA_MARK} GRANT ${clause.privileges.join(', ')} ON ${objects} ${clause.to}`;
    return [whereRolesExist(g.grantee === null ? [d.role] : [d.role, g.grantee], inTargetSchema(alter))];
  });
  return { kind: 'default privileges', name: `on ${objects.toLowerCase()} created by ${d.role}`, create, stage: 'after_data', grantees: grantees(d.grants) };
}

export function viewObject(v: PgViewRow): SchemaObject {
  const body = v.definition.trim().replace(/;\s*$/, '');
  const create = v.materialized ? `CREATE MATERIALIZED VIEW IF NOT EXISTS ${q(v.name)} AS ${body}` : `CREATE OR REPLACE VIEW ${q(v.name)} AS ${body}`;
  const statements = [create];
  if (v.comment !== null) statements.push(`COMMENT ON ${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${q(v.name)} IS ${ansiLiteral(v.comment)}`);
  statements.push(...grantStatements(q(v.name), v.grants ?? []), ...ownerStatements(`${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${q(v.name)}`, v.owner));
  return {
    kind: v.materialized ? 'materialized view' : 'view',
    name: v.name,
    create: statements,
    stage: 'after_data',
    reads: v.reads,
    ...(v.owner !== undefined ? { owner: v.owner } : {}),
  };
}

/** A trigger as pg_get_triggerdef prints it (pretty: its table named as the search path sees it). */
export interface PgTriggerRow {
  name: string;
  table: string;
  definition: string;
}

/** A trigger, created after the data (so it never fires during the copy), replacing its earlier self on a retry. */
export function triggerObject(t: PgTriggerRow): SchemaObject {
  if (!t.definition.startsWith('CREATE TRIGGER ')) throw new Error(`trigger ${t.name} on ${t.table}: unexpected definition`);
  const create = `CREATE OR REPLACE TRIGGER ${t.definition.slice('CREATE TRIGGER '.length)}`;
  return { kind: 'trigger', name: `${t.name} on ${t.table}`, create: [create], stage: 'after_data', reads: [t.table] };
}

/** A function or procedure of the migrated schema, as pg_get_functiondef prints it (its name qualified with the schema). */
export interface PgFunctionRow {
  name: string;
  /** quote_ident of the schema and of the name, as the definition's header spells them. */
  qualified: string;
  definition: string;
  /** The signature, for people: `f(integer, text)`. */
  signature: string;
  /** pg_get_function_identity_arguments: `integer, text`. */
  arguments: string;
  /** Its privileges when its ACL is not the default one (privilegeStatements). */
  grants?: TableGrant[];
  /** Its owner, when not the source's connection user (ownerStatements). */
  owner?: string;
}

/**
 * A function, its name unqualified so it lands in the target's schema; bodies are not checked at creation (they may
 * read tables not there yet). Twice: before the tables (defaults, checks and views may call it) and, for one whose
 * signature names a table's row type, again after the data (CREATE OR REPLACE: the second is a no-op otherwise).
 * A function that cannot be created is skipped, never failing the migration (see the connector's createObjects).
 */
export function functionObjects(f: PgFunctionRow): SchemaObject[] {
  const header = /^CREATE OR REPLACE (FUNCTION|PROCEDURE) /.exec(f.definition);
  if (!header || !f.definition.startsWith(`${header[0]}${f.qualified}(`)) throw new Error(`function ${f.signature}: unexpected definition header`);
  const definition = `${header[0]}${q(f.name)}${f.definition.slice(header[0].length + f.qualified.length)}`;
  const kind = header[1] === 'PROCEDURE' ? 'procedure' : 'function';
  const on = `${header[1]} ${q(f.name)}(${f.arguments})`;
  const create = ['SET LOCAL check_function_bodies = off', definition, ...privilegeStatements(on, f.grants), ...ownerStatements(on, f.owner)];
  const granted = { ...(f.grants ? { grantees: grantees(f.grants) } : {}), ...(f.owner !== undefined ? { owner: f.owner } : {}) };
  return [
    { kind, name: f.signature, create, stage: 'before_tables', ...granted },
    { kind, name: f.signature, create, stage: 'after_data', ...granted },
  ];
}

/** A table's row-level security and its policies as pg_class and pg_policy hold them. */
export interface PgRowSecurityRow {
  table: string;
  /** relrowsecurity, relforcerowsecurity. */
  enabled: boolean;
  forced: boolean;
  policies: {
    name: string;
    permissive: boolean;
    /** pg_policy.polcmd: '*' all, 'r' select, 'a' insert, 'w' update, 'd' delete. */
    command: string;
    /** The roles it applies to, each quoted (PUBLIC as itself). */
    roles: string[];
    using: string | null;
    withCheck: string | null;
  }[];
}

const POLICY_COMMANDS: Record<string, string> = { '*': 'ALL', r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };

/**
 * A table's row-level security, after the data (the copy writes as the target's owner, whom FORCE would hold to the
 * policies): ENABLE (and FORCE) ROW LEVEL SECURITY, then each policy. A policy naming a role the target server lacks is
 * refused there, said as an object not created.
 */
export function rowSecurityObjects(t: PgRowSecurityRow): SchemaObject[] {
  const objects: SchemaObject[] = [];
  if (t.enabled || t.forced) {
    const create = [
      ...(t.enabled ? [`ALTER TABLE ${q(t.table)} ENABLE ROW LEVEL SECURITY`] : []),
      ...(t.forced ? [`ALTER TABLE ${q(t.table)} FORCE ROW LEVEL SECURITY`] : []),
    ];
    objects.push({ kind: 'row level security', name: t.table, create, stage: 'after_data', reads: [t.table] });
  }
  for (const p of t.policies) {
    const command = POLICY_COMMANDS[p.command];
    if (!command) throw new Error(`policy ${p.name} on ${t.table}: unexpected command ${p.command}`);
    const create =
      `CREATE POLICY ${q(p.name)} ON ${q(t.table)} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${command} TO ${p.roles.join(', ')}` +
      `${p.using === null ? '' : ` USING (${p.using})`}${p.withCheck === null ? '' : ` WITH CHECK (${p.withCheck})`}`;
    objects.push({ kind: 'policy', name: `${p.name} on ${t.table}`, create: [create], stage: 'after_data', reads: [t.table] });
  }
  return objects;
}
