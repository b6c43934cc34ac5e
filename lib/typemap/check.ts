/**
 * CHECK expressions across dialects. A CHECK read from one database (a domain's `CHECK ((VALUE > 0))`, a table's
 * `CHECK ((qty >= 0))`, `CHECK (\`qty\` >= 0)`) is kept when it uses only what every dialect spells alike: column
 * names, numbers, '…' strings, comparisons, arithmetic, AND/OR/NOT, BETWEEN, IN (…), IS [NOT] NULL. Casts of literals
 * (`(0)::numeric`, `'a'::text`) are dropped; PostgreSQL's spelling of IN (…), `= ANY (ARRAY[…])` (and of NOT IN,
 * `<> ALL (ARRAY[…])`), is read as the IN it was written as; SQLite's `==` as `=`. Anything else (functions, regular
 * expressions, `x IS 0`) makes the CHECK not portable, and the plan says so. The portable form is ANSI SQL: identifiers in double quotes, VALUE for the
 * column of a domain. Pure: no dialect is named here; a target renders it with its own quoting (renderCheck).
 */

type Token = { kind: 'ident'; name: string } | { kind: 'word' | 'number' | 'string' | 'op' | 'paren' | 'comma' | 'func'; text: string };

/**
 * The functions an index key may call (portableIndexKey), each spelt and meaning alike in PostgreSQL and SQLite, with
 * the class of value its column argument must hold (lower/upper/length of text, abs of a number; coalesce: any). A
 * CHECK may call none: lower() maps letters beyond ASCII in one dialect and not in another, and a CHECK would then
 * refuse in the target rows the source took.
 */
const FUNCTIONS = new Map<string, 'text' | 'number' | 'any'>([
  ['LOWER', 'text'],
  ['UPPER', 'text'],
  ['LENGTH', 'text'],
  ['ABS', 'number'],
  ['COALESCE', 'any'],
]);

const WORDS = new Set(['VALUE', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'BETWEEN', 'IN', 'TRUE', 'FALSE']);
const OPS = ['<=', '>=', '<>', '!=', '==', '=', '<', '>', '+', '-', '*', '/'];

/**
 * PostgreSQL's `x = ANY (ARRAY[a, b])` (how it keeps `x IN (a, b)`; the array perhaps cast, `(ARRAY[…])::text[]`) as
 * `x IN (a, b)`, and `x <> ALL (ARRAY[…])` as `x NOT IN (…)`. An array whose items hold a bracket is left as it is (and
 * is then not portable).
 */
function inLists(text: string): string {
  const cast = String.raw`(?:\s*::\s*[a-z_][a-z0-9_ ]*\[\])?`;
  const array = String.raw`ARRAY\[([^\[\]]*)\]`;
  const quantified = new RegExp(String.raw`(=|<>)\s*(ANY|ALL)\s*\(\s*(?:\(\s*${array}\s*\)${cast}|${array}${cast})\s*\)`, 'gi');
  return text.replace(quantified, (all, op: string, quantifier: string, castItems: string | undefined, items: string | undefined) => {
    const list = castItems ?? items;
    if (op === '=' && quantifier.toUpperCase() === 'ANY') return ` IN (${list})`;
    if (op === '<>' && quantifier.toUpperCase() === 'ALL') return ` NOT IN (${list})`;
    return all;
  });
}

/** Whether each IS is followed by [NOT] NULL, TRUE or FALSE, and NOT NULL follows an IS (`x IS 0`, `x NOT NULL` are SQLite's own). */
function wellFormedTests(tokens: Token[]): boolean {
  const word = (t: Token | undefined) => (t?.kind === 'word' ? t.text : null);
  return tokens.every((t, i) => {
    if (word(t) === 'IS') {
      const next = word(tokens[i + 1]) === 'NOT' ? tokens[i + 2] : tokens[i + 1];
      return ['NULL', 'TRUE', 'FALSE'].includes(word(next) ?? '');
    }
    if (word(t) === 'NULL' && word(tokens[i - 1]) === 'NOT') return word(tokens[i - 2]) === 'IS';
    return true;
  });
}

/** The tokens of an expression, or null at the first thing that is not portable (a function, unless `functions`). */
function tokenize(text: string, columns: ReadonlySet<string>, functions = false): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    // A cast of what precedes it (PostgreSQL prints literals with theirs): the value is the same without it.
    const cast = /^::\s*[a-z_][a-z0-9_]*( (varying|precision|with time zone|without time zone))?(\(\d+(,\d+)?\))?(\[\])?/i.exec(rest);
    if (cast) {
      i += cast[0].length;
      continue;
    }
    const str = /^'((?:[^'\\]|'')*)'/.exec(rest);
    if (str) {
      out.push({ kind: 'string', text: str[0] });
      i += str[0].length;
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(rest);
    if (num) {
      out.push({ kind: 'number', text: num[0] });
      i += num[0].length;
      continue;
    }
    const quoted = /^"((?:[^"]|"")+)"|^`((?:[^`]|``)+)`/.exec(rest);
    if (quoted) {
      const name = quoted[1] !== undefined ? quoted[1].replace(/""/g, '"') : quoted[2].replace(/``/g, '`');
      if (!columns.has(name)) return null;
      out.push({ kind: 'ident', name });
      i += quoted[0].length;
      continue;
    }
    const word = /^[a-z_][a-z0-9_$]*/i.exec(rest);
    if (word) {
      const upper = word[0].toUpperCase();
      if (functions && FUNCTIONS.has(upper) && /^\s*\(/.test(rest.slice(word[0].length))) out.push({ kind: 'func', text: upper.toLowerCase() });
      else if (WORDS.has(upper)) out.push({ kind: 'word', text: upper });
      else if (columns.has(word[0])) out.push({ kind: 'ident', name: word[0] });
      else return null;
      i += word[0].length;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    // An operator of one dialect (`->>`, `>>`, `<<`, `=>`) is not two of the portable ones, and `--` starts a comment;
    // a sign may follow an operator (`x>-1`, `n*-1`).
    const after = rest.slice(op?.length ?? 0);
    if (op && (/^[<>=!~^&|#@%?*/]/.test(after) || (op === '-' && after.startsWith('-')))) return null;
    if (op) {
      out.push({ kind: 'op', text: op === '!=' ? '<>' : op === '==' ? '=' : op });
      i += op.length;
      continue;
    }
    if (rest[0] === '(' || rest[0] === ')') {
      out.push({ kind: 'paren', text: rest[0] });
      i += 1;
      continue;
    }
    if (rest[0] === ',') {
      out.push({ kind: 'comma', text: ',' });
      i += 1;
      continue;
    }
    return null;
  }
  return out;
}

function render(tokens: Token[], quote: (name: string) => string): string {
  let out = '';
  let prev: Token | undefined;
  for (const t of tokens) {
    const text = t.kind === 'ident' ? quote(t.name) : t.text;
    const call = t.kind === 'paren' && t.text === '(' && prev?.kind === 'func';
    if (out && !(t.kind === 'paren' && t.text === ')') && t.kind !== 'comma' && !out.endsWith('(') && !call) out += ' ';
    out += text;
    prev = t;
  }
  return out;
}

const ansiQuote = (name: string) => '"' + name.replace(/"/g, '""') + '"';

/**
 * A CHECK constraint's definition (`CHECK (…)` or the bare expression) in portable SQL, or null when it is not
 * portable. `columns`: the names it may refer to (a domain's CHECK refers to VALUE only).
 */
export function portableCheck(definition: string, columns: Iterable<string> = []): string | null {
  let text = definition.trim().replace(/\s+NOT VALID$/i, '');
  const m = /^CHECK\s*\(([\s\S]*)\)$/i.exec(text);
  if (m) text = m[1];
  const tokens = tokenize(inLists(text), new Set(columns));
  if (!tokens || tokens.length === 0 || !wellFormedTests(tokens)) return null;
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'paren') depth += t.text === '(' ? 1 : -1;
    if (depth < 0) return null;
  }
  return depth === 0 ? render(tokens, ansiQuote) : null;
}

/** A portable CHECK as a target writes it: identifiers in its quoting, VALUE as the column it applies to. */
export function renderCheck(portable: string, quote: (name: string) => string, column?: string): string {
  const tokens = tokenize(portable, new Set(identifiersOf(portable)));
  if (!tokens) throw new Error(`not a portable CHECK: ${portable}`);
  const withValue = tokens.map((t): Token => (t.kind === 'word' && t.text === 'VALUE' && column !== undefined ? { kind: 'ident', name: column } : t));
  return render(withValue, quote);
}

/** The column names a portable CHECK refers to. */
export function identifiersOf(portable: string): string[] {
  const names: string[] = [];
  const re = /"((?:[^"]|"")+)"|'(?:[^']|'')*'/g;
  for (let m = re.exec(portable); m; m = re.exec(portable)) if (m[1] !== undefined) names.push(m[1].replace(/""/g, '"'));
  return names;
}

/** How a target holds the columns a CHECK names (see checkForTarget). */
export interface CheckTarget {
  /**
   * The target's booleans are a type of their own, compared with TRUE/FALSE only, never with numbers (PostgreSQL,
   * Snowflake); else they are numbers 1/0, and TRUE/FALSE are written as those (MariaDB, SQLite, Oracle has none).
   */
  strictBooleans: boolean;
  /** Whether the column is a boolean in the target (its type there, after any mapping edit). */
  isBoolean(column: string): boolean;
  /** Whether the column holds numbers in the target (integers, decimals, floats). */
  isNumeric(column: string): boolean;
  /** Whether the column holds text in the target (a mapping edited to text, say): it is then never compared with numbers. */
  isText?(column: string): boolean;
  /**
   * Whether the column may be compared at all (a partial index's WHERE: only columns whose values compare alike in
   * both dialects, numbers, text and booleans; a timestamp SQLite keeps as ISO-8601 text would not). Absent: all may.
   */
  comparable?(column: string): boolean;
}

const COMPARISONS = new Set(['=', '<>', '<', '>', '<=', '>=']);
const ARITHMETIC = new Set(['+', '-', '*', '/']);

const isWord = (t: Token | undefined, ...words: string[]) => t?.kind === 'word' && words.includes(t.text);
const isParen = (t: Token | undefined, text: '(' | ')') => t?.kind === 'paren' && t.text === text;
const isLiteral = (t: Token | undefined) => t?.kind === 'number' || t?.kind === 'string' || isWord(t, 'TRUE', 'FALSE');

/**
 * A portable CHECK as a target of another dialect can hold it, given the target types of its columns: a column that is
 * a boolean there (a MariaDB TINYINT(1) read as boolean, now PostgreSQL boolean) is compared with TRUE/FALSE, not 0/1;
 * where booleans are numbers, TRUE/FALSE become 1/0 and a boolean column used as a condition becomes `col <> 0`.
 * `{ reason }` when the CHECK cannot mean the same there (a boolean in arithmetic, compared with 2, …): it is then
 * not migrated, and the plan says why. Pure, and the same text twice gives the same answer (the connector runs it
 * again on the final column types).
 */
export function checkForTarget(portable: string, target: CheckTarget): { portable: string } | { reason: string } {
  const tokens = tokenize(portable, new Set(identifiersOf(portable)));
  if (!tokens) return { reason: `it is not portable SQL: ${portable}` };
  // The AND of each `x BETWEEN a AND b` (not a condition's AND).
  const betweenAnd = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'BETWEEN')) continue;
    let depth = 0;
    for (let j = i + 1; j < tokens.length; j++) {
      const t = tokens[j];
      if (isParen(t, '(')) depth++;
      else if (isParen(t, ')')) depth--;
      if (depth < 0) break;
      if (depth === 0 && isWord(t, 'AND')) {
        betweenAnd.add(j);
        break;
      }
    }
  }
  // Whether the tokens from start to end stand alone as a condition (`flag`, `NOT flag`, `flag OR x > 0`); in
  // parentheses of their own, whether those do (`(n) < 10`, as PostgreSQL prints a domain's column, does not).
  const isCondition = (start: number, end = start): boolean => {
    const prev = tokens[start - 1];
    const next = tokens[end + 1];
    if (isParen(prev, '(') && isParen(next, ')') && !isWord(tokens[start - 2], 'IN')) return isCondition(start - 1, end + 1);
    const prevOk = prev === undefined || (isParen(prev, '(') && !isWord(tokens[start - 2], 'IN')) || isWord(prev, 'OR', 'NOT') || (isWord(prev, 'AND') && !betweenAnd.has(start - 1));
    const nextOk = next === undefined || isParen(next, ')') || isWord(next, 'OR') || (isWord(next, 'AND') && !betweenAnd.has(end + 1));
    return prevOk && nextOk;
  };
  // The literals a column at i is compared with (`= 1`, `IN (0, 1)`, `BETWEEN 0 AND 1`, `1 = col`), or null when it
  // is compared with anything else or used otherwise.
  const comparedLiterals = (i: number): number[] | null => {
    const next = tokens[i + 1];
    const prev = tokens[i - 1];
    const after = (j: number) => {
      const t = tokens[j];
      return !(t?.kind === 'op' && ARITHMETIC.has(t.text));
    };
    if (next?.kind === 'op' && COMPARISONS.has(next.text) && isLiteral(tokens[i + 2]) && after(i + 3) && !(prev?.kind === 'op')) return [i + 2];
    if (prev?.kind === 'op' && COMPARISONS.has(prev.text) && isLiteral(tokens[i - 2]) && !(tokens[i - 3]?.kind === 'op') && !(next?.kind === 'op')) return [i - 2];
    let j = i + 1;
    if (isWord(tokens[j], 'NOT')) j++;
    if (isWord(tokens[j], 'IN') && isParen(tokens[j + 1], '(')) {
      const out: number[] = [];
      for (let k = j + 2; ; k += 2) {
        if (!isLiteral(tokens[k])) return null;
        out.push(k);
        if (isParen(tokens[k + 1], ')')) return out;
        if (tokens[k + 1]?.kind !== 'comma') return null;
      }
    }
    if (isWord(tokens[j], 'BETWEEN') && isLiteral(tokens[j + 1]) && betweenAnd.has(j + 2) && isLiteral(tokens[j + 3]) && after(j + 4)) return [j + 1, j + 3];
    return null;
  };
  const truthTest = (i: number) => isWord(tokens[i + 1], 'IS') && (isWord(tokens[i + 2], 'TRUE', 'FALSE') || (isWord(tokens[i + 2], 'NOT') && isWord(tokens[i + 3], 'TRUE', 'FALSE')));
  const nullTest = (i: number) => isWord(tokens[i + 1], 'IS') && (isWord(tokens[i + 2], 'NULL') || (isWord(tokens[i + 2], 'NOT') && isWord(tokens[i + 3], 'NULL')));
  const notEqualZero = (column: string): Token[] => [
    { kind: 'paren', text: '(' },
    { kind: 'ident', name: column },
    { kind: 'op', text: '<>' },
    { kind: 'number', text: '0' },
    { kind: 'paren', text: ')' },
  ];
  const asNumber = (t: Token): Token => (isWord(t, 'TRUE', 'FALSE') ? { kind: 'number', text: isWord(t, 'TRUE') ? '1' : '0' } : t);

  const out: Token[][] = tokens.map((t) => [t]);
  const replaced = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== 'ident') continue;
    const name = t.name;
    const boolean = target.isBoolean(name);
    if (truthTest(i)) {
      if (target.strictBooleans && boolean) continue;
      return { reason: `it tests column ${name} with IS TRUE/FALSE, which the target cannot write for a column of its type there` };
    }
    if (nullTest(i)) continue;
    if (target.comparable && !target.comparable(name)) return { reason: `it compares column ${name}, whose values the target may compare otherwise than the source` };
    if (isCondition(i)) {
      if (target.strictBooleans && boolean) continue;
      if (!target.isNumeric(name) && !boolean) return { reason: `it uses column ${name} as a condition, which the target's type for it cannot be` };
      out[i] = notEqualZero(name);
      continue;
    }
    const literals = comparedLiterals(i);
    if (target.strictBooleans && boolean) {
      if (!literals) return { reason: `column ${name} is boolean in the target, and the check uses it as a number or compares it with what is not a literal: ${portable}` };
      for (const k of literals) {
        const lit = tokens[k];
        if (lit.kind === 'number' && (lit.text === '0' || lit.text === '1')) out[k] = [{ kind: 'word', text: lit.text === '1' ? 'TRUE' : 'FALSE' }];
        else if (lit.kind === 'number') return { reason: `column ${name} is boolean in the target, which holds true and false only, and the check compares it with ${lit.text}` };
        replaced.add(k);
      }
    } else if (literals) {
      const number = literals.find((k) => tokens[k].kind === 'number' || isWord(tokens[k], 'TRUE', 'FALSE'));
      if (number !== undefined && target.isText?.(name)) {
        return { reason: `it compares column ${name}, which is text in the target, with a number` };
      }
      for (const k of literals) {
        out[k] = [asNumber(tokens[k])];
        replaced.add(k);
      }
    }
  }
  // TRUE/FALSE compared with no column: where booleans are numbers, 1/0 (a condition of its own: 1 = 1, 1 = 0).
  if (!target.strictBooleans) {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (replaced.has(i) || !isWord(t, 'TRUE', 'FALSE')) continue;
      if (isWord(tokens[i - 1], 'IS') || (isWord(tokens[i - 1], 'NOT') && isWord(tokens[i - 2], 'IS'))) {
        return { reason: `it uses IS TRUE/FALSE, which a target whose booleans are numbers does not read alike` };
      }
      const number = asNumber(t);
      out[i] = isCondition(i) ? [{ kind: 'paren', text: '(' }, { kind: 'number', text: '1' }, { kind: 'op', text: '=' }, number, { kind: 'paren', text: ')' }] : [number];
    }
  }
  return { portable: render(out.flat(), ansiQuote) };
}

/** Whether the tokens' parentheses pair up. */
function balanced(tokens: Token[]): boolean {
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'paren') depth += t.text === '(' ? 1 : -1;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** The tokens without parentheses around the whole of them (`((n + 1))` → `n + 1`). */
function unwrapped(tokens: Token[]): Token[] {
  let out = tokens;
  while (out.length >= 2 && isParen(out[0], '(') && isParen(out[out.length - 1], ')') && balanced(out.slice(1, -1))) out = out.slice(1, -1);
  return out;
}

/**
 * One key part of an expression index (`lower(email)`, `lower((email)::text)`, `(n + 1)`, `lower("name") DESC`) in
 * portable SQL (`lower("email")`, `"n" + 1`), or null when it is not portable: the words of a CHECK, and calls of the
 * functions both dialects spell and mean alike (FUNCTIONS); casts and the parentheses around the whole are dropped, and
 * so are ASC/DESC and NULLS FIRST/LAST (they order the index, not what it holds). An operator class or COLLATE makes
 * it not portable. The same text read back from a target gives the same portable form (the structural tier compares so).
 */
export function portableIndexKey(key: string, columns: Iterable<string>): string | null {
  const text = key.trim().replace(/\s+NULLS\s+(FIRST|LAST)\s*$/i, '').replace(/\s+(ASC|DESC)\s*$/i, '');
  const tokens = tokenize(text, new Set(columns), true);
  if (!tokens || tokens.length === 0 || !wellFormedTests(tokens) || !balanced(tokens)) return null;
  // Nothing but a function is called (`"col"(x)`).
  const called = (t: Token | undefined) => t !== undefined && (t.kind === 'ident' || t.kind === 'number' || t.kind === 'string' || isParen(t, ')'));
  if (tokens.some((t, i) => isParen(t, '(') && called(tokens[i - 1]))) return null;
  // A column or literal in parentheses of its own is itself (`lower((email)::text)`, as PostgreSQL prints a cast).
  // Not an IN list of one (`a IN (1)`), nor a function's argument.
  const lone = (i: number) =>
    isParen(tokens[i], '(') && tokens[i - 1]?.kind !== 'func' && !isWord(tokens[i - 1], 'IN') && ['ident', 'number', 'string'].includes(tokens[i + 1]?.kind ?? '') && isParen(tokens[i + 2], ')');
  const dropped = new Set<number>();
  tokens.forEach((_t, i) => {
    if (lone(i)) dropped.add(i).add(i + 2);
  });
  const bare = tokens.filter((_t, i) => !dropped.has(i));
  return render(unwrapped(bare), ansiQuote);
}

/** A portable index key as a target writes it, in its quoting. */
export function renderIndexKey(portable: string, quote: (name: string) => string): string {
  const tokens = tokenize(portable, new Set(identifiersOf(portable)), true);
  if (!tokens) throw new Error(`not a portable index key: ${portable}`);
  return render(tokens, quote);
}

/**
 * Why a portable index key cannot mean the same in a target, or null when it can. Only what keeps one type is taken:
 * each column it names must compare alike there (`comparable`, as a partial index's WHERE) and not be a boolean (a
 * number in one dialect, its own type in another); a function's column argument must hold what the function takes
 * (lower(n) of a number is refused by PostgreSQL), a column in arithmetic a number, the arguments of coalesce one kind;
 * a key that compares or tests values (`(active = 1)`) is refused, its result's type being the target's to decide.
 */
export function indexKeyProblem(portable: string, target: Pick<CheckTarget, 'isBoolean' | 'isNumeric' | 'isText' | 'comparable'>): string | null {
  const tokens = tokenize(portable, new Set(identifiersOf(portable)), true);
  if (!tokens) return `it is not portable SQL: ${portable}`;
  const classOf = (t: Token | undefined): 'text' | 'number' | null =>
    t?.kind === 'string' ? 'text' : t?.kind === 'number' ? 'number' : t?.kind === 'ident' ? (target.isNumeric(t.name) ? 'number' : target.isText?.(t.name) ? 'text' : null) : null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if ((t.kind === 'op' && COMPARISONS.has(t.text)) || isWord(t, 'AND', 'OR', 'NOT', 'IS', 'IN', 'BETWEEN', 'TRUE', 'FALSE')) return 'it compares or tests values, whose result each dialect types its own way';
    if (t.kind === 'ident') {
      if (target.comparable && !target.comparable(t.name)) return `it uses column ${t.name}, whose values the target may compare otherwise than the source`;
      if (target.isBoolean(t.name)) return `it uses column ${t.name}, a boolean in the target`;
      const arithmetic = (u: Token | undefined) => u?.kind === 'op' && ARITHMETIC.has(u.text);
      if ((arithmetic(tokens[i - 1]) || arithmetic(tokens[i + 1])) && !target.isNumeric(t.name)) return `it computes with column ${t.name}, which is not a number in the target`;
    }
    if (t.kind !== 'func') continue;
    const wants = FUNCTIONS.get(t.text.toUpperCase());
    // The arguments at the call's own depth, each a single token where it is one (a column, a literal).
    const args: (Token | null)[] = [];
    let depth = 0;
    let start = i + 2;
    for (let j = i + 1; j < tokens.length; j++) {
      const u = tokens[j];
      if (isParen(u, '(')) depth++;
      else if (isParen(u, ')')) depth--;
      if ((depth === 1 && u.kind === 'comma') || depth === 0) {
        args.push(j - start === 1 ? (tokens[start] as Token) : null);
        start = j + 1;
      }
      if (depth === 0) break;
    }
    if (wants === 'any') {
      const kinds = new Set(args.map((arg) => classOf(arg ?? undefined)));
      if (kinds.size !== 1 || kinds.has(null)) return `coalesce() takes arguments of one kind, columns or literals, in the target: ${portable}`;
      continue;
    }
    const arg = args[0];
    if (arg?.kind !== 'ident') continue;
    // Only a column alone as the argument is looked at (`lower("email")`; an expression's type is the target's to check).
    if (classOf(arg) !== wants) return `${t.text}() takes ${wants === 'text' ? 'text' : 'a number'}, and column ${arg.name} is not so in the target`;
  }
  return null;
}

/** Whether a portable index key calls lower() or upper(), whose letters differ between dialects (asciiCaseMapping). */
export function mapsCase(portable: string): boolean {
  const tokens = tokenize(portable, new Set(identifiersOf(portable)), true);
  return (tokens ?? []).some((t) => t.kind === 'func' && (t.text === 'lower' || t.text === 'upper'));
}
