/**
 * Row values never leave a database through Sensei's messages: a rejected row is named by its key, and the
 * driver's error text (which often quotes the offending value) is kept with the quoted values cut out.
 */

/** Words after which a quoted name is an identifier (a column, key, table …), not a value. */
const IDENTIFIER_BEFORE = /\b(?:column|columns|key|table|relation|constraint|index|schema|database|type|sequence|function|field|trigger|view|domain|enum|collation|encoding|for key|of relation)\s*$/i;

/**
 * Replaces each quoted literal of a database error message with '…' unless it quotes an identifier:
 * MySQL `Incorrect integer value: 'abc' for column 'n' at row 1` → `Incorrect integer value: '…' for column 'n' at row 1`,
 * `Duplicate entry 'a@b.c' for key 'email'` → `Duplicate entry '…' for key 'email'`,
 * PostgreSQL `invalid input syntax for type integer: "abc"` → `… integer: "…"`.
 */
export function withoutQuotedValues(message: string): string {
  let out = '';
  let i = 0;
  const quoted = /'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*"|`[^`]*`/g;
  for (const m of message.matchAll(quoted)) {
    const start = m.index ?? 0;
    out += message.slice(i, start);
    const before = message.slice(Math.max(0, start - 40), start);
    const text = m[0];
    // Backticks are MySQL identifiers; a quote right after an identifier word names one too.
    out += text.startsWith('`') || IDENTIFIER_BEFORE.test(before) ? text : `${text[0]}…${text[0]}`;
    i = start + text.length;
  }
  out += message.slice(i);
  // PostgreSQL's "Key (email)=(a@b.c)" detail names the key's columns, then its values.
  return out.replace(/(\([^()]*\)=)\((?:[^()]|\([^()]*\))*\)/g, '$1(…)');
}
