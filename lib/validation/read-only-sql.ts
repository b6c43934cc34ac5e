/**
 * The lexical layer of the guard around users' validation queries (options.validation.queries): the text must
 * hold one statement, that statement must be a query (SELECT, WITH, VALUES, TABLE, or one of those in
 * parentheses), and it must not use the words and functions that write, lock, or reach outside the database
 * from inside a query (SELECT … INTO, data-modifying WITH, FOR UPDATE, set_config, lo_export, GET_LOCK, …).
 *
 * It reads the text as each dialect's own lexer does (comments, nested comments in PostgreSQL, quoted literals and
 * identifiers, dollar quotes, MySQL's backslash escapes) so a word inside a literal is not taken for code and code is
 * never hidden inside what looks like a literal; what it cannot read with certainty (MySQL executable comments and
 * optimizer hints, unterminated literals or comments, PostgreSQL U&"…" identifiers) is refused.
 *
 * It is the second layer, not the guard. The guard is the database: activities/user-queries.ts runs each query
 * alone as a prepared / extended-protocol statement, in a read-only transaction that is rolled back, on a
 * connection of its own, under a timeout and a row cap. The API runs this check when a migration is created so
 * an obvious mistake is answered with a 422 rather than a failed validation hours later. Pure: no I/O.
 */

import { DIALECTS, dialectNamed, isDialect, type Dialect, type LexOptions, type QueryLexicon } from '../../connectors/dialects';

export type { LexOptions } from '../../connectors/dialects';

/** A dialect whose lexicon this layer reads (connectors/<dialect>/query-lexicon.ts). */
export type QueryDialect = Dialect;

/** Whether users' validation queries can be read in the dialect. */
export function isQueryDialect(name: string): name is QueryDialect {
  return isDialect(name) && dialectNamed(name).queryLexicon !== undefined;
}

function lexiconOf(dialect: QueryDialect): QueryLexicon {
  const lexicon = dialectNamed(dialect).queryLexicon;
  if (!lexicon) throw new Unreadable(`validation queries are not supported by ${dialect}`);
  return lexicon;
}

export type ReadQueryCheck = { ok: true; statement: string } | { ok: false; problem: string };

interface Token {
  kind: 'word' | 'quoted' | 'literal' | 'symbol';
  /** Words as written; quoted identifiers without their quotes; literals as written. */
  text: string;
  start: number;
  end: number;
}

class Unreadable extends Error {}

/** What may begin a query, after any opening parentheses. */
const QUERY_STARTS = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE']);

/** Word pairs that lock rows or advance a sequence. */
const FORBIDDEN_PAIRS: [string, string, string][] = [
  ['FOR', 'SHARE', 'locking reads are refused'],
  ['FOR', 'KEY', 'locking reads are refused'],
  ['FOR', 'NO', 'locking reads are refused'],
  ['NEXT', 'VALUE', 'it advances a sequence'],
];

/**
 * Whether `sql` is one read query for `dialect`; when it is, `statement` is its text without trailing semicolons
 * and comments (ready to be wrapped or prepared).
 */
export function checkReadQuery(sql: string, dialect: QueryDialect, options: LexOptions = {}): ReadQueryCheck {
  // Servers read text as C strings in places: a NUL could end what one layer sees before another does.
  if (sql.includes('\u0000')) return { ok: false, problem: 'the NUL character is refused' };
  let tokens: Token[];
  let lexicon: QueryLexicon;
  try {
    lexicon = lexiconOf(dialect);
    tokens = lex(sql, lexicon, options);
  } catch (err) {
    if (err instanceof Unreadable) return { ok: false, problem: err.message };
    throw err;
  }
  let last = tokens.length;
  while (last > 0 && tokens[last - 1].text === ';' && tokens[last - 1].kind === 'symbol') last--;
  const body = tokens.slice(0, last);
  if (body.length === 0) return { ok: false, problem: 'no statement: the text is empty or only comments' };
  if (body.some((t) => t.kind === 'symbol' && t.text === ';')) return { ok: false, problem: 'several statements: each query runs alone, one per entry' };
  const first = body.find((t) => !(t.kind === 'symbol' && t.text === '('));
  const start = first?.kind === 'word' ? first.text.toUpperCase() : `"${first?.text ?? '('}"`;
  const starts = lexicon.queryStarts ?? [...QUERY_STARTS];
  if (!starts.includes(start)) return { ok: false, problem: `only a query may run (${starts.slice(0, -1).join(', ')} or ${starts[starts.length - 1]}), not ${start}` };
  const problem = forbiddenUse(body, lexicon);
  if (problem) return { ok: false, problem };
  return { ok: true, statement: sql.slice(0, body[body.length - 1].end) };
}

/**
 * The check the API can make before it knows the dialects (a saved connection, a PATCH): refused only when no
 * dialect would run it, so a query valid in one dialect is never refused for another's reading of it.
 */
export function readQueryProblemInAnyDialect(sql: string): string | null {
  let problem: string | null = null;
  for (const dialect of DIALECTS.filter(isQueryDialect)) {
    const check = checkReadQuery(sql, dialect);
    if (check.ok) return null;
    problem ??= check.problem;
  }
  return problem;
}

/** Word pairs are refused in every dialect; words and functions by the dialect's lexicon. */
function forbiddenUse(tokens: Token[], lexicon: QueryLexicon): string | null {
  const words = lexicon.forbiddenWords;
  for (const [i, token] of tokens.entries()) {
    const next = tokens[i + 1];
    if (token.kind === 'word' || (token.kind === 'quoted' && lexicon.quotedNamesFold)) {
      const upper = token.kind === 'word' ? token.text.toUpperCase() : token.text;
      if (Object.hasOwn(words, upper)) return `${upper} is refused: ${words[upper]}`;
      const pair = next?.kind === 'word' ? FORBIDDEN_PAIRS.find(([a, b]) => a === upper && b === next.text.toUpperCase()) : undefined;
      if (pair) return `${pair[0]} ${pair[1]} is refused: ${pair[2]}`;
    }
    // A quoted name calls the function as well as a bare one ("set_config"(…) in PostgreSQL).
    if ((token.kind === 'word' || token.kind === 'quoted') && next?.kind === 'symbol' && next.text === '(') {
      const name = token.text.toLowerCase();
      if (lexicon.forbiddenFunctions.test(name)) {
        return `${name}() is refused: a validation query may not write, lock, change the session or reach files and other servers`;
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------- the lexer

const WORD_START = /[A-Za-z0-9_\u0080-\uFFFF]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uFFFF]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*)?\$/;

/** The tokens of `sql` outside comments, as the dialect's lexer reads it; throws Unreadable for what it cannot read safely. */
function lex(sql: string, lexicon: QueryLexicon, options: LexOptions): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && next === '-' && (!lexicon.dashDashNeedsSpace || i + 2 >= n || sql.charCodeAt(i + 2) <= 32)) {
      // MySQL: "--" starts a comment only when a space or control character follows (1--1 is 1 - -1).
      i = lineEnd(sql, i);
    } else if (c === '/' && next === '/' && lexicon.slashSlashComments) {
      i = lineEnd(sql, i);
    } else if (c === '#' && lexicon.hashComments) {
      i = lineEnd(sql, i);
    } else if (c === '/' && next === '*') {
      i = blockCommentEnd(sql, i, lexicon);
    } else if (c === "'") {
      const prev = tokens[tokens.length - 1];
      if (lexicon.alternativeQuotes && prev?.kind === 'word' && prev.end === i && /^n?q$/i.test(prev.text)) throw new Unreadable("q'…' literals are refused in validation queries");
      const escapeString = lexicon.escapeStrings && prev?.kind === 'word' && prev.end === i && /^[eE]$/.test(prev.text);
      const backslashes = lexicon.backslashEscapes(options, escapeString);
      i = push(tokens, 'literal', sql, i, quotedEnd(sql, i, "'", backslashes));
    } else if (c === '"') {
      if (lexicon.unicodeIdentifiers && isUnicodePrefix(tokens, i)) throw new Unreadable('U&"…" identifiers are refused in validation queries');
      const identifier = lexicon.doubleQuotedIdentifier(options);
      const end = quotedEnd(sql, i, '"', !identifier && lexicon.backslashEscapes(options, false));
      i = identifier ? pushQuoted(tokens, sql, i, end, '"') : push(tokens, 'literal', sql, i, end);
    } else if (c === '`' && lexicon.backtickIdentifiers) {
      i = pushQuoted(tokens, sql, i, quotedEnd(sql, i, '`', false), '`');
    } else if (c === '[' && lexicon.bracketIdentifiers) {
      const close = sql.indexOf(']', i + 1);
      if (close < 0) throw new Unreadable('unterminated [identifier]');
      tokens.push({ kind: 'quoted', text: sql.slice(i + 1, close), start: i, end: close + 1 });
      i = close + 1;
    } else if (c === '$' && lexicon.dollarQuotes && DOLLAR_TAG.test(sql.slice(i, i + 64))) {
      const tag = (DOLLAR_TAG.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
      const close = sql.indexOf(tag, i + tag.length);
      if (close < 0) throw new Unreadable(`unterminated ${tag}…${tag} literal`);
      i = push(tokens, 'literal', sql, i, close + tag.length);
    } else if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < n && WORD_PART.test(sql[end])) end++;
      i = push(tokens, 'word', sql, i, end);
    } else {
      i = push(tokens, 'symbol', sql, i, i + 1);
    }
  }
  return tokens;
}

function push(tokens: Token[], kind: Token['kind'], sql: string, start: number, end: number): number {
  tokens.push({ kind, text: sql.slice(start, end), start, end });
  return end;
}

function pushQuoted(tokens: Token[], sql: string, start: number, end: number, quote: string): number {
  tokens.push({ kind: 'quoted', text: sql.slice(start + 1, end - 1).split(quote + quote).join(quote), start, end });
  return end;
}

function isUnicodePrefix(tokens: Token[], at: number): boolean {
  const [u, amp] = tokens.slice(-2);
  return amp?.kind === 'symbol' && amp.text === '&' && amp.end === at && u?.kind === 'word' && /^[uU]$/.test(u.text) && u.end === amp.start;
}

function lineEnd(sql: string, from: number): number {
  const newline = sql.indexOf('\n', from);
  return newline < 0 ? sql.length : newline + 1;
}

/** The index after a literal or quoted identifier opened at `start`: a doubled quote, or a backslash escape, stays inside. */
function quotedEnd(sql: string, start: number, quote: string, backslashes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashes && sql[i] === '\\') {
      i++;
    } else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  throw new Unreadable(`unterminated ${quote}…${quote}`);
}

/** The index after a /* comment *\/: nested in PostgreSQL; in MySQL, executable comments and hints are refused. */
function blockCommentEnd(sql: string, start: number, lexicon: QueryLexicon): number {
  if (lexicon.executableComments) {
    // MySQL runs what /*! … */ (and MariaDB /*M! … */) holds, and /*+ … */ hints may lift the time limit.
    if (sql[start + 2] === '!' || (sql[start + 2] === 'M' && sql[start + 3] === '!')) throw new Unreadable('executable comments (/*! … */) are refused');
    if (sql[start + 2] === '+') throw new Unreadable('optimizer hints (/*+ … */) are refused');
  }
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*' && (depth === 0 || lexicon.nestedComments)) {
      depth++;
      i++;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  throw new Unreadable('unterminated /* comment');
}
