/**
 * Checks an API answer against the server's own OpenAPI document: the path and method are documented, the status
 * code is one the operation lists, and a JSON body has what the documented schema requires (required properties and
 * their JSON types, recursively through objects and arrays; $refs resolved). Deliberately small: what a client
 * generated from the document relies on.
 */
type Schema = { $ref?: string; type?: string | string[]; required?: string[]; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[] };
type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> }>>; components?: { schemas?: Record<string, Schema> } };

function resolve(doc: Doc, schema: Schema | undefined): Schema | undefined {
  if (schema?.$ref) return doc.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')];
  return schema;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Problems of a value against a schema (empty: it fits). */
function problems(doc: Doc, given: Schema | undefined, value: unknown, at: string): string[] {
  const schema = resolve(doc, given);
  if (!schema) return [];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return alternatives.some((s) => problems(doc, s, value, at).length === 0) ? [] : [`${at}: matches none of its ${alternatives.length} alternatives`];
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = jsonType(value);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number'))) return [`${at}: is ${actual}, documented as ${types.join('|')}`];
  }
  const out: string[] = [];
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) out.push(`${at}.${key}: required, missing`);
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (key in value) out.push(...problems(doc, sub, (value as Record<string, unknown>)[key], `${at}.${key}`));
    }
  }
  if (Array.isArray(value) && schema.items) value.slice(0, 20).forEach((v, i) => out.push(...problems(doc, schema.items, v, `${at}[${i}]`)));
  return out;
}

/** Why this answer does not match the document, or null when it does. */
export function undocumented(doc: Doc, method: string, url: string, status: number, contentType: string | null, body: unknown): string | null {
  const path = new URL(url, 'http://x').pathname;
  // A literal segment wins over a parameter (…/validation/rerun before …/validation/{tier}).
  const placeholders = (t: string) => (t.match(/\{/g) ?? []).length;
  const template = Object.keys(doc.paths)
    .filter((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))
    .sort((a, b) => placeholders(a) - placeholders(b))[0];
  // A path the document does not have must be a 404 (a client probing it, a typo).
  if (!template) return status === 404 ? null : `${method} ${path}: no such path in the OpenAPI document, answered ${status}`;
  const operation = doc.paths[template]?.[method.toLowerCase()];
  if (!operation) return `${method} ${template}: the method is not documented`;
  const response = operation.responses[String(status)] ?? operation.responses.default;
  if (!response) return `${method} ${template} answered ${status}, documented: ${Object.keys(operation.responses).join(', ')}`;
  if (!contentType?.includes('application/json')) return null;
  const found = problems(doc, response.content?.['application/json']?.schema, body, 'body');
  return found.length ? `${method} ${template} ${status}: ${found.slice(0, 5).join('; ')}` : null;
}

/** Base URLs of the APIs this test file started (startStack), whose answers are checked. */
const watched = new Set<string>();
const seen: string[] = [];
let installed = false;

/**
 * Checks every answer the global fetch gets from this API's /v1/ paths against the OpenAPI document it serves
 * (fetched once). A test file calls it after startStack and asserts `answersOffDocument()` is empty in its last test.
 */
export function watchAnswers(baseUrl: string): void {
  watched.add(baseUrl);
  if (installed) return;
  installed = true;
  const original = globalThis.fetch;
  const docs = new Map<string, Promise<Doc>>();
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const res = await original(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const base = [...watched].find((b) => url.startsWith(`${b}/v1/`));
    if (!base || url.startsWith(`${base}/v1/openapi.json`)) return res;
    const type = res.headers.get('content-type');
    if (type?.includes('text/event-stream')) return res;
    if (!docs.has(base)) docs.set(base, original(`${base}/v1/openapi.json`).then((r) => r.json() as Promise<Doc>));
    const doc = await (docs.get(base) as Promise<Doc>);
    const text = await res.clone().text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    const method = (init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
    const problem = undocumented(doc, method, url.slice(base.length), res.status, type, body);
    if (problem) seen.push(problem);
    return res;
  };
}

/** The answers of this test file's APIs that did not match their OpenAPI document, each once. */
export function answersOffDocument(): string[] {
  return [...new Set(seen)];
}
