import { z } from 'zod';
import { ApiError } from './errors';
import { DIALECTS, isDialect } from '../connectors/dialects';
import { readQueryProblemInAnyDialect } from '../lib/validation/read-only-sql';
import { OBJECT_KINDS } from '../lib/object-mappings';

const identifier = z.string().min(1).max(128);

const dialect = z.string().refine(isDialect, {
  message: `unknown database type; known: ${DIALECTS.join(', ')}`,
});

/** A source or target: a saved connection by id, or an inline type + connection string. */
const endpointShape = {
  connection_id: z.string().min(1).max(64).optional(),
  type: dialect.optional(),
  connection_string: z.string().min(1).max(4096).optional(),
  schema: identifier.optional(),
};

function oneWayToConnect(v: { connection_id?: string; type?: string; connection_string?: string }, ctx: z.RefinementCtx) {
    if (v.connection_id !== undefined) {
      if (v.type !== undefined || v.connection_string !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['connection_id'], message: 'give either connection_id or type and connection_string, not both' });
      }
      return;
    }
    if (v.type === undefined) ctx.addIssue({ code: 'custom', path: ['type'], message: 'required (or give connection_id)' });
    if (v.connection_string === undefined) ctx.addIssue({ code: 'custom', path: ['connection_string'], message: 'required (or give connection_id)' });
}

const endpoint = z.object(endpointShape).strict().superRefine(oneWayToConnect);
const sourceEndpoint = z
  .object({ ...endpointShape, tables: z.array(identifier).min(1).max(10_000).optional(), exclude_tables: z.array(identifier).min(1).max(10_000).optional() })
  .strict()
  .superRefine(oneWayToConnect);

export const createConnectionBody = z
  .object({
    name: z.string().min(1).max(200),
    type: dialect,
    connection_string: z.string().min(1).max(4096),
    schema: identifier.optional(),
    /** Test the connection before saving it (default true). */
    test: z.boolean().default(true),
  })
  .strict();

export const createApiKeyBody = z
  .object({
    name: z.string().min(1).max(200),
    kind: z.enum(['api_key', 'service_account']).default('api_key'),
    environment: z.enum(['live', 'test']).optional(),
    scopes: z.array(z.enum(['read', 'write', 'admin'])).min(1).max(3).default(['read', 'write']),
    rate_limit_per_second: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();

export const listMigrationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
  status: z.enum(['created', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled']).optional(),
  created_after: z.string().refine((d) => !Number.isNaN(Date.parse(d)), 'not a date').optional(),
  created_before: z.string().refine((d) => !Number.isNaN(Date.parse(d)), 'not a date').optional(),
  sort: z.enum(['created_at', '-created_at', 'name', '-name', 'status', '-status', 'updated_at', '-updated_at']).default('-created_at'),
});

/**
 * A user's validation query: refused here when no dialect would run it as one read query (a DELETE, a DROP, two
 * statements, SET …), so the mistake is a 422 now rather than a failed validation later. Not the guard: the
 * dialects are not known yet (a saved connection, a PATCH), and the worker checks again, strictly, with the
 * database enforcing read-only on top (activities/user-queries.ts).
 */
const readQuery = z
  .string()
  .min(1)
  .max(20_000)
  .superRefine((sql, ctx) => {
    const problem = readQueryProblemInAnyDialect(sql);
    if (problem) ctx.addIssue({ code: 'custom', message: `not a read query: ${problem}` });
  });

const migrationOptions = z
  .object({
    auto_approve_high_confidence: z.boolean().optional(),
    chunk_size: z.number().int().min(1).max(1_000_000).optional(),
    parallel_tables: z.number().int().min(1).max(64).optional(),
    table_partitions: z.number().int().min(1).max(64).optional(),
    max_rejected_rows: z.number().int().min(0).max(1_000_000).optional(),
    replace_existing_tables: z.boolean().optional(),
    notify_on_completion: z.array(z.string().email()).max(100).optional(),
    validation: z
      .object({
        queries: z
          .array(z.object({ name: z.string().min(1).max(200), sql: readQuery, target_sql: readQuery.optional() }).strict())
          .max(200)
          .optional(),
        query_timeout_seconds: z.number().int().min(1).max(3_600).optional(),
        max_query_rows: z.number().int().min(1).max(1_000_000).optional(),
        failed_hold_seconds: z.number().int().min(0).max(30 * 86_400).optional(),
        completed_hold_seconds: z.number().int().min(0).max(30 * 86_400).optional(),
      })
      .strict()
      .optional(),
    copy_retry: z
      .object({
        max_attempts: z.number().int().min(1).max(100).optional(),
        max_interval_seconds: z.number().int().min(1).max(3_600).optional(),
        on_exhausted: z.enum(['pause', 'fail']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const createMigrationBody = z.object({
  name: z.string().min(1).max(200),
  source: sourceEndpoint,
  target: endpoint,
  strategy: z.enum(['conservative', 'balanced', 'aggressive']).default('balanced'),
  options: migrationOptions.default({}),
});

export type CreateMigrationBody = z.infer<typeof createMigrationBody>;

export const patchMigrationBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    strategy: z.enum(['conservative', 'balanced', 'aggressive']).optional(),
    options: migrationOptions.optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.strategy !== undefined || b.options !== undefined, { message: 'nothing to change' });

const targetType = z.string().min(1).max(100);
/**
 * Mapping edits, tables to leave out, or both (one change of the plan); or, alone, object mappings (an index, a CHECK,
 * …: GET …/mappings?kind=object) to leave out.
 */
export const patchMappingsBody = z
  .object({
    mappings: z.array(z.object({ id: z.string().min(1).max(300), target_type: targetType }).strict()).min(1).max(10_000).optional(),
    exclude_tables: z.array(identifier).min(1).max(10_000).optional(),
    leave_out: z.array(z.string().min(1).max(600)).min(1).max(10_000).optional(),
  })
  .strict()
  .refine((body) => body.mappings !== undefined || body.exclude_tables !== undefined || body.leave_out !== undefined, { message: 'give mappings, exclude_tables or leave_out' })
  .refine((body) => body.leave_out === undefined || (body.mappings === undefined && body.exclude_tables === undefined), {
    message: 'leave_out is given alone (one request for the objects, another for mappings and tables)',
    path: ['leave_out'],
  });

export const patchMappingBody = z.object({ target_type: targetType }).strict();
export const resolveErrorBody = z.object({ note: z.string().max(2000).optional() }).strict().default({});

/** The decider is the authenticated principal; a body that names one (approved_by) is refused as an unknown field. */
export const gateDecisionBody = z
  .object({ comment: z.string().max(2000).optional() })
  .strict()
  .default({});

export const cancelBody = z.object({ reason: z.string().max(2000).optional() }).strict().default({});

/** A field's path as clients write it: options.validation.queries[0].sql. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`)).join('');
}

/** The first problem of a failed parse, as the seeds' error details name it: the field and why. */
export function firstIssue(error: z.ZodError): { field: string; reason: string } {
  const issue = error.issues[0];
  const field = fieldPath(issue?.path ?? []) || '(body)';
  if (issue?.code === 'unrecognized_keys') {
    return { field: [field === '(body)' ? '' : field, issue.keys[0]].filter(Boolean).join('.'), reason: 'unknown field' };
  }
  return { field, reason: issue?.message ?? 'invalid' };
}

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

/** GET …/mappings: a page of one kind of mapping (the columns' types by default; kind=object: every other kind). */
export const mappingsQuery = pageQuery.extend({ kind: z.enum(['column', 'object', ...OBJECT_KINDS]).default('column') });

/** The seeds' list envelope around one page already cut: {data, pagination: {total, limit, offset, has_more}}. */
export function envelope<T>(data: T[], total: number, q: { limit: number; offset: number }) {
  return { data, pagination: { total, limit: q.limit, offset: q.offset, has_more: q.offset + data.length < total } };
}

/** The envelope of one page of a list held in memory. */
export function page<T>(all: T[], total: number, q: z.infer<typeof pageQuery>) {
  return envelope(all.slice(q.offset, q.offset + q.limit), total, q);
}

/** Parses a body or query string; a failure is a 422 naming the first bad field. */
export function parse<T extends z.ZodType>(schema: T, input: unknown, where: 'body' | 'query' = 'body'): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const issue = firstIssue(result.error);
    throw new ApiError(422, 'validation_error', `Invalid request ${where}: ${issue.field}: ${issue.reason}`, issue);
  }
  return result.data;
}
