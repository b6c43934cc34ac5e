import { z } from 'zod';
import { DIALECTS } from '../lib/types';

const identifier = z.string().min(1).max(128);

const endpoint = z.object({
  type: z.string().refine((t): t is (typeof DIALECTS)[number] => (DIALECTS as readonly string[]).includes(t), {
    message: `unknown database type; known: ${DIALECTS.join(', ')}`,
  }),
  connection_string: z.string().min(1).max(4096),
  schema: identifier.optional(),
});

export const createMigrationBody = z.object({
  name: z.string().min(1).max(200),
  source: endpoint.extend({ tables: z.array(identifier).min(1).max(10_000).optional() }),
  target: endpoint,
  strategy: z.enum(['conservative', 'balanced', 'aggressive']).default('balanced'),
  options: z
    .object({
      auto_approve_high_confidence: z.boolean().optional(),
      chunk_size: z.number().int().min(1).max(1_000_000).optional(),
      parallel_tables: z.number().int().min(1).max(64).optional(),
      replace_existing_tables: z.boolean().optional(),
      notify_on_completion: z.array(z.string().email()).max(100).optional(),
    })
    .strict()
    .default({}),
});
export type CreateMigrationBody = z.infer<typeof createMigrationBody>;

export const gateDecisionBody = z
  .object({ comment: z.string().max(2000).optional(), approved_by: z.string().max(200).optional() })
  .strict()
  .default({});

export const cancelBody = z.object({ reason: z.string().max(2000).optional() }).strict().default({});

/** The first problem of a failed parse, as the seeds' error details name it: the field and why. */
export function firstIssue(error: z.ZodError): { field: string; reason: string } {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || '(body)';
  if (issue?.code === 'unrecognized_keys') {
    return { field: [field === '(body)' ? '' : field, issue.keys[0]].filter(Boolean).join('.'), reason: 'unknown field' };
  }
  return { field, reason: issue?.message ?? 'invalid' };
}
