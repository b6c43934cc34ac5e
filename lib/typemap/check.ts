/**
 * CHECK expressions across dialects. A CHECK read from one database (a domain's `CHECK ((VALUE > 0))`, a table's
 * `CHECK ((qty >= 0))`, `CHECK (\`qty\` >= 0)`) is kept when it uses only what every dialect spells alike: column
 * names, numbers, '…' strings, comparisons, arithmetic, AND/OR/NOT, BETWEEN, IN (…), IS [NOT] NULL. Casts of literals
 * (`(0)::numeric`, `'a'::text`) are dropped; anything else (functions, regular expressions, ANY (ARRAY[…])) makes the
 * CHECK not portable, and the plan says so. The portable form is ANSI SQL: identifiers in double quotes, VALUE for the
 * column of a domain. Pure: no dialect is named here; a target renders it with its own quoting (renderCheck).
 */

type Token = { kind: 'ident'; name: string } | { kind: 'word' | 'number' | 'string' | 'op' | 'paren' | 'comma'; text: string };

const WORDS = new Set(['VALUE', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'BETWEEN', 'IN', 'TRUE', 'FALSE']);
const OPS = ['<=', '>=', '<>', '!=', '=', '<', '>', '+', '-', '*', '/'];

/** The tokens of an expression, or null at the first thing that is not portable. */
function tokenize(text: string, columns: ReadonlySet<string>): Token[] | null {
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
      if (WORDS.has(upper)) out.push({ kind: 'word', text: upper });
      else if (columns.has(word[0])) out.push({ kind: 'ident', name: word[0] });
      else return null;
      i += word[0].length;
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o));
    if (op) {
      out.push({ kind: 'op', text: op === '!=' ? '<>' : op });
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
  for (const t of tokens) {
    const text = t.kind === 'ident' ? quote(t.name) : t.text;
    if (out && !(t.kind === 'paren' && t.text === ')') && t.kind !== 'comma' && !out.endsWith('(')) out += ' ';
    out += text;
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
  const tokens = tokenize(text, new Set(columns));
  if (!tokens || tokens.length === 0) return null;
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
