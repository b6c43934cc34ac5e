/**
 * Users' validation queries on Oracle and Snowflake: the lexical layer as each reads a query (lib/validation/
 * read-only-sql.ts with connectors/<dialect>/query-lexicon.ts) and the statements the runners send
 * (connectors/<dialect>/user-query.ts). No server runs here: the database-enforced layers (Oracle's read-only
 * transaction, Snowflake's parser inside a FROM) are exercised only by the live tests (SENSEI_TEST_ORACLE_URL,
 * SENSEI_TEST_SNOWFLAKE_URL).
 */
import { READ_ONLY_BEGIN, userQuerySql as oracleQuerySql } from '../../connectors/oracle/user-query';
import { timeoutSql, userQuerySql as snowflakeQuerySql } from '../../connectors/snowflake/user-query';
import { inDatabaseRefusal } from '../../lib/validation/digest';
import { checkReadQuery, isQueryDialect, readQueryProblemInAnyDialect } from '../../lib/validation/read-only-sql';
import { dialectNamed } from '../../connectors/dialects';
import type { TablePlan } from '../../lib/types';

const ok = (sql: string, dialect: 'oracle' | 'snowflake') => checkReadQuery(sql, dialect);
const problem = (sql: string, dialect: 'oracle' | 'snowflake') => {
  const check = checkReadQuery(sql, dialect);
  return check.ok ? null : check.problem;
};

describe('Oracle: the lexical layer', () => {
  test('queries pass, with their words in literals and comments; the statement is handed on without its semicolon', () => {
    expect(isQueryDialect('oracle')).toBe(true);
    expect(ok('select count(*) from "TRACK";', 'oracle')).toEqual({ ok: true, statement: 'select count(*) from "TRACK"' });
    expect(ok("with t as (select 1 a from dual) select a from t -- ; delete from t", 'oracle')).toMatchObject({ ok: true });
    expect(ok("select 'delete from t; drop table t', n'x' from dual /* update */", 'oracle')).toMatchObject({ ok: true });
    // No backslash escapes in Oracle: 'a\' ends at the second quote.
    expect(ok("select 'a\\', 1 from dual", 'oracle')).toMatchObject({ ok: true });
  });

  test('only SELECT or WITH, one statement, nothing that writes, locks, runs PL/SQL or reaches outside', () => {
    expect(problem('delete from t', 'oracle')).toBe('only a query may run (SELECT or WITH), not DELETE');
    expect(problem('values (1)', 'oracle')).toBe('only a query may run (SELECT or WITH), not VALUES');
    expect(problem('begin null; end', 'oracle')).toMatch(/several statements|only a query/);
    expect(problem('select 1 from dual; select 2 from dual', 'oracle')).toMatch(/several statements/);
    expect(problem('select * from t for update', 'oracle')).toMatch(/^UPDATE is refused/);
    expect(problem('select s.nextval from dual', 'oracle')).toBe('NEXTVAL is refused: it advances a sequence');
    expect(problem('with function f return number is begin return 1; end; select f from dual', 'oracle')).toMatch(/several statements|FUNCTION is refused/);
    expect(problem('with function f return number is begin return 1 end select f from dual', 'oracle')).toBe('FUNCTION is refused: a WITH clause may not declare PL/SQL');
    expect(problem('select dbms_lock.sleep(100) from dual', 'oracle')).toMatch(/^DBMS_LOCK is refused/);
    expect(problem('select sys."UTL_HTTP".request(\'http://x\') from dual', 'oracle')).toMatch(/^UTL_HTTP is refused/);
    // A quoted name in lower case is another name in Oracle: not the package.
    expect(ok('select "utl_http" from t', 'oracle')).toMatchObject({ ok: true });
  });

  test("what the layer cannot read as Oracle does is refused: q'…' literals, hints", () => {
    expect(problem("select q'[it's; delete]' from dual", 'oracle')).toBe("q'…' literals are refused in validation queries");
    expect(problem("select nq'{x}' from dual", 'oracle')).toBe("q'…' literals are refused in validation queries");
    expect(problem('select /*+ parallel(8) */ * from t', 'oracle')).toBe('optimizer hints (/*+ … */) are refused');
    // A column named q is still a column.
    expect(ok("select q, 'x' from t", 'oracle')).toMatchObject({ ok: true });
  });

  test('the runner: a read-only transaction, the query inside a FROM, at most cap + 1 rows', () => {
    expect(READ_ONLY_BEGIN).toBe('SET TRANSACTION READ ONLY');
    expect(oracleQuerySql('select * from t order by 1 -- last', 1000)).toBe('SELECT * FROM (\nselect * from t order by 1 -- last\n) sensei_user_query FETCH FIRST 1001 ROWS ONLY');
  });
});

describe('Snowflake: the lexical layer (Snowflake has no read-only transaction)', () => {
  test('queries pass; backslash escapes, $$…$$ and // comments are read as Snowflake reads them', () => {
    expect(isQueryDialect('snowflake')).toBe(true);
    expect(ok('SELECT COUNT(*) FROM "TRACK";', 'snowflake')).toEqual({ ok: true, statement: 'SELECT COUNT(*) FROM "TRACK"' });
    expect(ok("select 'it\\'s; delete', $$;drop table t$$ // ; delete from t", 'snowflake')).toMatchObject({ ok: true });
    expect(ok('with t as (select 1 as a) select a from t', 'snowflake')).toMatchObject({ ok: true });
  });

  test('one SELECT or WITH only: no other statement, no word that writes, no SYSTEM$ function', () => {
    expect(problem('insert into t values (1)', 'snowflake')).toBe('only a query may run (SELECT or WITH), not INSERT');
    expect(problem('call p()', 'snowflake')).toBe('only a query may run (SELECT or WITH), not CALL');
    expect(problem('show tables', 'snowflake')).toBe('only a query may run (SELECT or WITH), not SHOW');
    expect(problem('alter session set timezone = \'UTC\'', 'snowflake')).toBe('only a query may run (SELECT or WITH), not ALTER');
    expect(problem('select 1; delete from t', 'snowflake')).toMatch(/several statements/);
    expect(problem('select system$cancel_all_queries(1)', 'snowflake')).toMatch(/^system\$cancel_all_queries\(\) is refused/);
    expect(problem('select s.nextval', 'snowflake')).toBe('NEXTVAL is refused: it advances a sequence');
    // Code after a // comment's line is read as code: a literal cannot hide it.
    expect(problem("select 1 // '\n; delete from t --'", 'snowflake')).toMatch(/several statements/);
    // What Oracle and Snowflake refuse is still accepted when another dialect would run it (the API's early check).
    expect(readQueryProblemInAnyDialect("select 1 // '\n; delete from t --'")).toBeNull();
  });

  test('the runner: the query inside a FROM, at most cap + 1 rows, the session timeout in whole seconds', () => {
    expect(snowflakeQuerySql('select 1 // last', 5)).toBe('SELECT * FROM (\nselect 1 // last\n) AS sensei_user_query LIMIT 6');
    expect(timeoutSql({ timeoutMs: 30_000, maxRows: 1 })).toBe('ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 30');
    expect(timeoutSql({ timeoutMs: 200, maxRows: 1 })).toBe('ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 1');
  });
});

describe('in-database digests: declared on Oracle and Snowflake (never run live: oracle-digest.test.ts, snowflake-digest.test.ts)', () => {
  test('both claim the capability and carry digest SQL; SQLite neither', () => {
    for (const dialect of ['oracle', 'snowflake'] as const) {
      expect(dialectNamed(dialect).capabilities.inDatabaseDigest).toBe(true);
      expect(dialectNamed(dialect).validation?.digest).toBeDefined();
    }
    const plan = { keyColumns: ['ID'], copyMode: 'keyset', columns: [], source: { columns: [] } } as unknown as TablePlan;
    expect(inDatabaseRefusal(plan, { dialect: 'postgresql', schema: 'public' }, { dialect: 'sqlite', schema: 'main' })).toBe('sqlite has no in-database digest');
  });
});
