/**
 * The lexical layer around users' validation queries: what it lets through (queries, words inside literals and
 * comments) and what it refuses (several statements, anything but a query, writes hidden in a query, functions
 * that write or reach outside, text it cannot read the way the server does). The database-enforced layers are
 * tested against real servers in test/integration/user-queries.test.ts.
 */
import { ApiError } from '../../api/errors';
import { createMigrationBody, parse, patchMigrationBody } from '../../api/schemas';
import { checkReadQuery, readQueryProblemInAnyDialect, type QueryDialect } from '../../lib/validation/read-only-sql';

const ALL: QueryDialect[] = ['postgresql', 'mysql', 'sqlite'];

const ACCEPTED: [QueryDialect[], string][] = [
  [ALL, 'select count(*) from victim'],
  [ALL, '  SELECT id FROM victim ORDER BY id;  '],
  [ALL, 'with t as (select 1 as a) select a from t'],
  [ALL, '(select 1) union (select 2)'],
  [ALL, "select 'delete from victim; drop table victim' as text"],
  [ALL, '/* delete */ select 1 -- ; drop table victim'],
  [['postgresql', 'sqlite'], 'select "update" from victim'],
  [['postgresql', 'sqlite'], 'values (1), (2)'],
  [['postgresql'], 'table victim'],
  [['postgresql'], 'select $$;drop table victim$$, $tag$ it$s; $tag$'],
  [['postgresql'], "select E'it\\'s; delete', 'a\\', 1"],
  [['postgresql'], '/* outer /* nested; drop */ still comment */ select 1'],
  [['postgresql'], 'select pg_typeof(1), pg_sleep(0)'],
  [['mysql'], "select 'it\\'s; delete' from dual # ; drop table victim"],
  [['mysql'], 'select `delete` from victim'],
  [['mysql'], 'select 1--1'],
  [['mysql'], 'select replace(name, "a", "b"), sleep(0) from victim'],
  [['sqlite'], 'select [delete] from victim'],
];

test.each(ACCEPTED)('accepted in %j: %s', (dialects, sql) => {
  for (const dialect of dialects) expect({ dialect, check: checkReadQuery(sql, dialect) }).toMatchObject({ dialect, check: { ok: true } });
});

test('the statement handed on has no trailing semicolons or comments, so it can be wrapped or prepared', () => {
  expect(checkReadQuery('select 1 ; ; -- the end', 'postgresql')).toEqual({ ok: true, statement: 'select 1' });
  expect(checkReadQuery("select 'a;' ;", 'mysql')).toEqual({ ok: true, statement: "select 'a;'" });
});

const REFUSED: [QueryDialect[], string, RegExp][] = [
  [ALL, 'delete from victim returning id', /only a query may run .* not DELETE/],
  [ALL, 'drop table victim', /not DROP/],
  [ALL, 'create table x (a int)', /not CREATE/],
  [ALL, 'select 1; delete from victim', /several statements/],
  [ALL, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; DELETE FROM victim', /several statements/],
  [ALL, '', /no statement/],
  [ALL, '-- nothing', /no statement/],
  [ALL, "select 'unterminated", /unterminated/],
  [ALL, 'select 1 /* unterminated', /unterminated/],
  [ALL, 'select 1 into x', /INTO is refused/],
  [ALL, 'select 1\u0000; drop table victim', /NUL/],
  [['postgresql'], 'with d as (delete from victim returning id) select * from d', /DELETE is refused/],
  [['postgresql'], 'with u as (update victim set id = id returning id) select * from u', /UPDATE is refused/],
  [['postgresql'], 'select * from victim for update', /UPDATE is refused/],
  [['postgresql'], 'select * from victim for share', /FOR SHARE is refused/],
  [['postgresql'], 'select * into newtable from victim', /INTO is refused/],
  [['postgresql'], "copy (select 1) to program 'touch /tmp/x'", /not COPY/],
  [['postgresql'], "do $$ begin delete from victim; end $$", /not DO/],
  [['postgresql'], "select set_config('transaction_read_only', 'off', true)", /set_config\(\) is refused/],
  [['postgresql'], "select pg_catalog.\"set_config\"('transaction_read_only', 'off', true)", /set_config\(\) is refused/],
  [['postgresql'], "select nextval('victim_id_seq')", /nextval\(\) is refused/],
  [['postgresql'], "select lo_export(lo_from_bytea(0, 'x'), '/tmp/x')", /lo_export\(\) is refused/],
  [['postgresql'], "select query_to_xml('delete from victim', true, false, '')", /query_to_xml\(\) is refused/],
  [['postgresql'], "select * from dblink('dbname=x', 'select 1') as t(a int)", /dblink\(\) is refused/],
  [['postgresql'], 'select pg_advisory_lock(1)', /pg_advisory_lock\(\) is refused/],
  [['postgresql'], 'select U&"set_config"(1)', /U&/],
  [['postgresql'], '/* /* */ select */ copy (select 1) to program $$touch /tmp/x$$', /not COPY/],
  [['postgresql'], "select 'a\\'; delete from victim; --'", /several statements/],
  [['postgresql'], 'select $q$ unterminated', /unterminated/],
  [['mysql'], 'SET SESSION TRANSACTION READ WRITE', /not SET/],
  [['mysql'], "select 1 into outfile '/tmp/x'", /INTO is refused/],
  [['mysql'], "select 1 /*! into outfile '/tmp/x' */", /executable comments/],
  [['mysql'], "select 1 /*M! into outfile '/tmp/x' */", /executable comments/],
  [['mysql'], 'select /*+ MAX_EXECUTION_TIME(0) */ sleep(600)', /optimizer hints/],
  [['mysql'], 'select * from victim lock in share mode', /LOCK is refused/],
  [['mysql'], "select get_lock('x', 10)", /get_lock\(\) is refused/],
  [['mysql'], "select load_file('/etc/passwd')", /load_file\(\) is refused/],
  [['mysql'], 'select next value for s', /NEXT VALUE is refused/],
  [['mysql'], 'lock tables victim write', /not LOCK/],
  [['mysql'], "select 'it\\'s'; delete from victim", /several statements/],
  [['mysql'], 'select 1 # comment\n; delete from victim', /several statements/],
  [['sqlite'], "attach database '/tmp/x.db' as x", /not ATTACH/],
  [['sqlite'], 'pragma writable_schema = 1', /not PRAGMA/],
  [['sqlite'], "select load_extension('/tmp/evil')", /load_extension\(\) is refused/],
];

test.each(REFUSED)('refused in %j: %s', (dialects, sql, reason) => {
  for (const dialect of dialects) {
    const check = checkReadQuery(sql, dialect);
    expect({ dialect, ok: check.ok }).toEqual({ dialect, ok: false });
    if (!check.ok) expect(check.problem).toMatch(reason);
  }
});

test('MySQL literals are read under the session sql_mode: a backslash hides nothing when NO_BACKSLASH_ESCAPES is on', () => {
  const sql = "select 'a\\' , get_lock('x', 10) -- '";
  // With backslash escapes the whole tail is one literal; without them get_lock is code, as the server would see it.
  expect(checkReadQuery(sql, 'mysql').ok).toBe(true);
  expect(checkReadQuery(sql, 'mysql', { backslashEscapes: false })).toMatchObject({ ok: false, problem: expect.stringMatching(/get_lock/) });
  // ANSI_QUOTES: "…" is an identifier, and a backslash inside it escapes nothing.
  expect(checkReadQuery('select "a\\" , get_lock(1) -- "', 'mysql', { ansiQuotes: true })).toMatchObject({ ok: false });
  // PostgreSQL with standard_conforming_strings off reads backslashes in every literal.
  expect(checkReadQuery("select 'a\\'' , lo_export(1, '/tmp/x') -- '", 'postgresql', { standardStrings: false })).toMatchObject({ ok: false, problem: expect.stringMatching(/lo_export/) });
});

test('before the dialect is known, a query is refused only when no dialect would run it', () => {
  expect(readQueryProblemInAnyDialect('delete from victim returning id')).toMatch(/not DELETE/);
  expect(readQueryProblemInAnyDialect('select 1; drop table victim')).toMatch(/several statements/);
  // PostgreSQL reads $$…$$ as one literal; the other dialects would see two statements.
  expect(readQueryProblemInAnyDialect('select $$;$$')).toBeNull();
  expect(readQueryProblemInAnyDialect('select count(*) from victim')).toBeNull();
});

test('the API refuses such a query when a migration is created or patched: 422 naming the field', () => {
  const options = { validation: { queries: [{ name: 'ok', sql: 'select 1' }, { name: 'bad', sql: 'select 1', target_sql: 'drop table victim' }] } };
  const create = { name: 'm', source: { type: 'sqlite', connection_string: 'a.sqlite' }, target: { type: 'sqlite', connection_string: 'b.sqlite' }, options };
  for (const [schema, body] of [[createMigrationBody, create], [patchMigrationBody, { options }]] as const) {
    let thrown: unknown;
    try {
      parse(schema, body);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    expect(thrown).toMatchObject({ status: 422, code: 'validation_error', details: { field: 'options.validation.queries[1].target_sql', reason: expect.stringMatching(/not a read query: .*not DROP/) } });
  }
  expect(() => parse(createMigrationBody, { ...create, options: { validation: { queries: [{ name: 'ok', sql: 'select 1' }], max_query_rows: 10, query_timeout_seconds: 5 } } })).not.toThrow();
});
