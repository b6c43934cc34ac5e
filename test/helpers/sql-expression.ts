/**
 * A small evaluator of SQL expressions, for the JavaScript models of databases no server of runs here (Oracle,
 * Snowflake: test/helpers/oracle-sql-model.ts, snowflake-sql-model.ts). It parses what Sensei's digest SQL uses:
 * '…' literals, "…" columns, numbers, function calls (dotted names too), ||, + - * /, comparisons, IS [NOT] NULL,
 * AND, OR, CASE WHEN … THEN … ELSE … END (the branches not taken are not evaluated), CAST(… AS type words) and a
 * typed literal (DATE '…'). What each of them means is the model's: the Semantics it is given. Also the one datetime
 * mask printer both models use.
 */

/** Truth values of conditions. */
export type Truth = 'TRUE' | 'FALSE' | 'UNKNOWN';

export interface Semantics<V> {
  /** A '…' literal (Oracle: '' is NULL). */
  literal(text: string): V;
  /** A numeric literal. */
  number(text: string): V;
  /** A || b. */
  concat(a: V, b: V): V;
  /** a + b, a - b, a * b, a / b; -a is 0 - a. */
  arithmetic(op: '+' | '-' | '*' | '/', a: V, b: V): V;
  /** Negative, zero or positive (neither side NULL). */
  compare(a: V, b: V): number;
  isNull(v: V): boolean;
  /** The NULL value. */
  nullValue: V;
  /** A condition's value, where an expression is used as one (a BOOLEAN column), or where it is returned. */
  truth(v: V): Truth;
  fromTruth(t: Truth): V;
  functions: Readonly<Record<string, (args: V[]) => V>>;
  /** DATE '…' and the like; absent: not modelled. */
  typedLiteral?(type: string, text: string): V;
  /** CAST(v AS type); absent: not modelled. */
  cast?(v: V, type: string): V;
}

type Token = { k: 'str' | 'num' | 'id' | 'qid' | 'op'; v: string };

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new Error('unterminated literal');
        if (sql[i] === "'" && sql[i + 1] === "'") {
          s += "'";
          i += 2;
        } else if (sql[i] === "'") {
          i++;
          break;
        } else s += sql[i++];
      }
      out.push({ k: 'str', v: s });
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      out.push({ k: 'qid', v: sql.slice(i + 1, end) });
      i = end + 1;
    } else if (/\d/.test(c)) {
      const m = /^\d+(\.\d+)?/.exec(sql.slice(i)) as RegExpExecArray;
      out.push({ k: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z_0-9$]*(\.[A-Za-z_][A-Za-z_0-9$]*)?/.exec(sql.slice(i)) as RegExpExecArray;
      out.push({ k: 'id', v: m[0].toUpperCase() });
      i += m[0].length;
    } else {
      const op = ['||', '<=', '>=', '<>', '!='].find((o) => sql.startsWith(o, i)) ?? c;
      if (!'()|,<>=+-*/!'.includes(op[0])) throw new Error(`unexpected ${op} in ${sql}`);
      out.push({ k: 'op', v: op });
      i += op.length;
    }
  }
  return out;
}

/** Evaluates one expression with these column values (by name, as quoted in the SQL). */
export function evaluateWith<V>(s: Semantics<V>, sql: string, columns: Record<string, V>): V {
  const tokens = tokenize(sql);
  let pos = 0;
  const peek = (v?: string) => (v === undefined ? tokens[pos] : tokens[pos] && tokens[pos].v === v && tokens[pos].k !== 'str' && tokens[pos].k !== 'qid' ? tokens[pos] : undefined);
  const expect = (v: string) => {
    if (!peek(v)) throw new Error(`expected ${v} at ${tokens.slice(pos, pos + 5).map((t) => t.v).join(' ')} in ${sql}`);
    pos++;
  };
  // Each parse function returns a thunk, so CASE evaluates only the branch it takes.
  type Thunk = () => V;
  const truth = (t: Thunk) => s.truth(t());

  function or(): Thunk {
    let left = and();
    while (peek('OR')) {
      pos++;
      const [l, r] = [left, and()];
      left = () => s.fromTruth(truth(l) === 'TRUE' || truth(r) === 'TRUE' ? 'TRUE' : 'FALSE');
    }
    return left;
  }
  function and(): Thunk {
    let left = comparison();
    while (peek('AND')) {
      pos++;
      const [l, r] = [left, comparison()];
      left = () => s.fromTruth(truth(l) === 'TRUE' && truth(r) === 'TRUE' ? 'TRUE' : 'FALSE');
    }
    return left;
  }
  function comparison(): Thunk {
    const left = additive();
    if (peek('IS')) {
      pos++;
      const not = !!peek('NOT');
      if (not) pos++;
      expect('NULL');
      return () => s.fromTruth(s.isNull(left()) !== not ? 'TRUE' : 'FALSE');
    }
    const op = ['<=', '>=', '<>', '!=', '<', '>', '='].find((o) => peek(o));
    if (!op) return left;
    pos++;
    const right = additive();
    return () => {
      const [a, b] = [left(), right()];
      if (s.isNull(a) || s.isNull(b)) return s.fromTruth('UNKNOWN');
      const c = s.compare(a, b);
      const ok = { '<=': c <= 0, '>=': c >= 0, '<>': c !== 0, '!=': c !== 0, '<': c < 0, '>': c > 0, '=': c === 0 }[op];
      return s.fromTruth(ok ? 'TRUE' : 'FALSE');
    };
  }
  function additive(): Thunk {
    let left = multiplicative();
    for (;;) {
      const op = (['||', '+', '-'] as const).find((o) => peek(o));
      if (!op) return left;
      pos++;
      const [l, r] = [left, multiplicative()];
      left = op === '||' ? () => s.concat(l(), r()) : () => s.arithmetic(op, l(), r());
    }
  }
  function multiplicative(): Thunk {
    let left = unary();
    for (;;) {
      const op = (['*', '/'] as const).find((o) => peek(o));
      if (!op) return left;
      pos++;
      const [l, r] = [left, unary()];
      left = () => s.arithmetic(op, l(), r());
    }
  }
  function unary(): Thunk {
    if (peek('-')) {
      pos++;
      const v = unary();
      return () => s.arithmetic('-', s.number('0'), v());
    }
    return primary();
  }
  function primary(): Thunk {
    const t = tokens[pos++];
    if (!t) throw new Error(`unexpected end of ${sql}`);
    if (t.k === 'str') return () => s.literal(t.v);
    if (t.k === 'num') return () => s.number(t.v);
    if (t.k === 'qid') {
      if (!(t.v in columns)) throw new Error(`no column "${t.v}"`);
      return () => columns[t.v];
    }
    if (t.k === 'op' && t.v === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (t.k !== 'id') throw new Error(`unexpected ${t.v} in ${sql}`);
    if (t.v === 'NULL') return () => s.nullValue;
    if (tokens[pos]?.k === 'str' && s.typedLiteral && /^(DATE|TIME|TIMESTAMP)$/.test(t.v)) {
      const lit = tokens[pos++].v;
      const typed = s.typedLiteral;
      return () => typed(t.v, lit);
    }
    if (t.v === 'CASE') {
      const arms: [Thunk, Thunk][] = [];
      let otherwise: Thunk = () => s.nullValue;
      while (peek('WHEN')) {
        pos++;
        const cond = or();
        expect('THEN');
        arms.push([cond, or()]);
      }
      if (peek('ELSE')) {
        pos++;
        otherwise = or();
      }
      expect('END');
      return () => {
        for (const [cond, value] of arms) if (truth(cond) === 'TRUE') return value();
        return otherwise();
      };
    }
    if (t.v === 'CAST') {
      expect('(');
      const inner = or();
      expect('AS');
      const words: string[] = [];
      while (!peek(')')) words.push(tokens[pos++].v);
      pos++;
      const cast = s.cast;
      if (!cast) throw new Error('CAST is not modelled');
      return () => cast(inner(), words.join(' '));
    }
    const fn = s.functions[t.v];
    if (!fn) throw new Error(`function ${t.v} is not modelled`);
    expect('(');
    const args: Thunk[] = [];
    if (!peek(')')) {
      args.push(or());
      while (peek(',')) {
        pos++;
        args.push(or());
      }
    }
    expect(')');
    return () => fn(args.map((a) => a()));
  }

  const result = or();
  if (pos !== tokens.length) throw new Error(`trailing ${tokens.slice(pos).map((x) => x.v).join(' ')} in ${sql}`);
  return result();
}

/** A date and time's fields, as the models hold them (nine fraction digits). */
export interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  frac: string;
}

/**
 * A date and time printed by a mask of YYYY, MM, DD, HH24, MI, SS, FF6 (the first six fraction digits) and the
 * punctuation - : . and space, as Oracle's TO_CHAR and Snowflake's TO_VARCHAR read these elements; `year` prints the
 * year (the models differ on years before 1 AD).
 */
export function formatDateTime(v: DateTimeFields, mask: string, year: (y: number) => string = (y) => String(y).padStart(4, '0')): string {
  let out = '';
  let rest = mask;
  const two = (n: number) => String(n).padStart(2, '0');
  while (rest.length > 0) {
    const token = ['YYYY', 'HH24', 'FF6', 'MM', 'DD', 'MI', 'SS'].find((t) => rest.startsWith(t));
    if (token) {
      out += { YYYY: year(v.year), HH24: two(v.hour), FF6: v.frac.slice(0, 6), MM: two(v.month), DD: two(v.day), MI: two(v.minute), SS: two(v.second) }[token];
      rest = rest.slice(token.length);
    } else if ('-:. '.includes(rest[0])) {
      out += rest[0];
      rest = rest.slice(1);
    } else {
      throw new Error(`mask ${mask} is not modelled`);
    }
  }
  return out;
}
