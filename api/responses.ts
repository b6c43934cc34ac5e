/**
 * Response schemas of API v1, declared once: they type what the routes build (z.infer), go into the OpenAPI
 * document, and the e2e tests parse real answers with them. Where a shape is also a TypeScript interface of the
 * workflow contract (lib/migration.ts), a compile-time check below keeps the two the same.
 */
import { z } from 'zod';
import { DIALECTS } from '../connectors/dialects';
import { VALIDATION_TIERS, type GateState, type MigrationError, type MigrationStatus, type TableProgress } from '../lib/migration';
import type { LogLine } from '../lib/store';
import { OBJECT_KINDS, type ObjectMapping } from '../lib/object-mappings';

const ts = z.string();
const nullableTs = z.string().nullable();
const dialect = z.enum(DIALECTS);
const status = z.enum(['created', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'cancelled']);
const phase = z.enum(['schema_analysis', 'mapping', 'schema_creation', 'data_transfer', 'validation', 'certification']);
const keyPart = z.union([z.string(), z.number(), z.boolean(), z.null(), z.object({ hex: z.string(), text: z.literal(true).optional() })]);

export const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional(), request_id: z.string() }),
});

export const pagination = z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), has_more: z.boolean() });
export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), pagination });

export const gateResponse = z.object({
  required: z.boolean(),
  state: z.enum(['pending', 'approved', 'rejected', 'auto_approved']),
  reason: z.string(),
  min_confidence: z.number(),
  decided_by: z.string().optional(),
  comment: z.string().optional(),
  decided_at: z.string().optional(),
});

export const progressResponse = z.object({
  tables_total: z.number().int(),
  tables_completed: z.number().int(),
  rows_copied: z.number().int(),
  rows_estimated: z.number().int(),
  percent: z.number(),
});

export const tableProgressResponse = z.object({
  name: z.string(),
  status: z.enum(['pending', 'copying', 'completed', 'failed']),
  copy_mode: z.enum(['keyset', 'whole_table']),
  rows_copied: z.number().int(),
  rows_rejected: z.number().int(),
  rows_estimated: z.number().int(),
  bytes_copied: z.number().int().optional(),
  chunks: z.number().int(),
  chunk_retries: z
    .number()
    .int()
    .optional()
    .describe(
      'Times a chunk of this table was tried again after a failed attempt (a dropped connection, a lock that timed out, a worker that died mid-chunk), whether retried at once or on resume after its retries ran out. 0 when every chunk went through at once; absent for migrations from before it was counted.',
    ),
  chunk_size: z.number().int(),
  last_key: z.array(keyPart).nullable(),
  partitions: z
    .array(
      z.object({
        from: z.array(keyPart).nullable(),
        until: z.array(keyPart).nullable(),
        status: z.enum(['pending', 'copying', 'completed']),
        rows_copied: z.number().int(),
        chunks: z.number().int(),
        chunk_size: z.number().int(),
        last_key: z.array(keyPart).nullable(),
      }),
    )
    .optional(),
  started_at: nullableTs,
  completed_at: nullableTs,
});

export const migrationErrorResponse = z.object({
  id: z.string(),
  phase,
  table: z.string().optional(),
  key: z.array(keyPart).optional(),
  code: z.string(),
  message: z.string(),
  at: ts,
  resolved_at: z.string().optional(),
  resolved_by: z.string().optional(),
  resolution_note: z.string().optional(),
});

/** POST …/errors/{error_id}/retry. */
export const retryErrorResponse = z.object({ outcome: z.enum(['copied', 'rejected_again', 'gone_from_source']), error: migrationErrorResponse });

/** GET …/logs: the timeline, with every error in it. */
export const logLineResponse = z.object({ at: ts, level: z.enum(['info', 'warn', 'error']), message: z.string() });

const tierName = z.enum(VALIDATION_TIERS);
const tierSummary = z.object({ verdict: z.enum(['pending', 'running', 'passed', 'failed', 'error']), summary: z.string().nullable(), failures: z.number().int() });
export const validationStateResponse = z.object({
  status: z.enum(['pending', 'running', 'passed', 'failed']),
  method: z.literal('five_tiers'),
  attempt: z.number().int(),
  row_counts: z.array(z.object({ table: z.string(), source_rows: z.number(), target_rows: z.number(), rejected_rows: z.number(), match: z.boolean() })),
  tiers: z.object({ structural: tierSummary, statistical: tierSummary, referential: tierSummary, semantic: tierSummary, behavioral: tierSummary }),
  diagnosis: z.object({ caught_by: tierName, finding: z.string(), also_failed: z.array(tierName) }).nullable().optional(),
  started_at: nullableTs,
  completed_at: nullableTs,
});

export const certificateSummaryResponse = z.object({ certificate_id: z.string(), issued_at: ts, key_fingerprint: z.string(), sha256: z.string() });

/** GET …/status: everything the workflow reports. */
export const migrationStatusResponse = z.object({
  id: z.string(),
  name: z.string(),
  status,
  phase: phase.nullable(),
  strategy: z.enum(['conservative', 'balanced', 'aggressive']),
  source: z.object({ type: dialect, description: z.string(), schema: z.string().nullable(), tables: z.array(z.string()).nullable(), exclude_tables: z.array(z.string()).nullable() }),
  target: z.object({ type: dialect, description: z.string(), schema: z.string().nullable() }),
  phases: z.array(z.object({ name: phase, status: z.enum(['pending', 'running', 'completed', 'skipped', 'failed', 'cancelled']), started_at: nullableTs, completed_at: nullableTs })),
  gate: gateResponse.nullable(),
  progress: progressResponse,
  tables: z.array(tableProgressResponse),
  validation: validationStateResponse.nullable(),
  certificate: certificateSummaryResponse.nullable(),
  errors: z.array(migrationErrorResponse),
  errors_total: z.number().int(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  pause_reason: z
    .object({ by: z.enum(['operator', 'sensei']), code: z.string(), message: z.string(), at: ts, table: z.string().optional() })
    .nullable(),
  created_at: ts,
  started_at: nullableTs,
  completed_at: nullableTs,
  duration_ms: z.number().nullable(),
});

/** POST /v1/migrations, lifecycle calls, and the summary part of GET /v1/migrations/{id}. */
export const migrationResponse = z.object({
  id: z.string(),
  name: z.string(),
  status,
  phase: phase.nullable(),
  created_at: ts,
  started_at: nullableTs,
  completed_at: nullableTs,
  duration_ms: z.number().nullable(),
  source: migrationStatusResponse.shape.source.extend({ estimated_rows: z.number().nullable() }),
  target: migrationStatusResponse.shape.target,
  strategy: migrationStatusResponse.shape.strategy,
  progress: progressResponse,
  gate: gateResponse.nullable(),
  failure: migrationStatusResponse.shape.failure,
  pause_reason: migrationStatusResponse.shape.pause_reason,
  links: z.record(z.string(), z.string()),
});

export const migrationDetailResponse = migrationResponse.extend({
  phases: migrationStatusResponse.shape.phases,
  tables: migrationStatusResponse.shape.tables,
  validation: migrationStatusResponse.shape.validation,
  certificate: migrationStatusResponse.shape.certificate,
});

export const migrationListItemResponse = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  phase: z.string().nullable(),
  strategy: z.string(),
  source: z.object({ type: z.string() }),
  target: z.object({ type: z.string() }),
  created_at: ts,
  updated_at: ts,
  links: z.object({ self: z.string() }),
});

export const connectionResponse = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  description: z.string(),
  schema: z.string().nullable(),
  environment: z.enum(['live', 'test']),
  created_at: ts,
  links: z.object({ self: z.string(), test: z.string() }),
});

export const apiKeyResponse = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['api_key', 'service_account']),
  environment: z.enum(['live', 'test']),
  prefix: z.string(),
  scopes: z.array(z.enum(['read', 'write', 'admin'])),
  rate_limit_per_second: z.number().int().nullable(),
  created_at: ts,
  last_used_at: nullableTs,
  revoked_at: nullableTs,
});
export const apiKeyCreatedResponse = apiKeyResponse.extend({ key: z.string() });

export const webhookResponse = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  environment: z.enum(['live', 'test']),
  created_at: ts,
});
export const webhookCreatedResponse = webhookResponse.extend({ secret: z.string() });

export const webhookDeliveryResponse = z.object({
  delivery_id: z.string(),
  event: z.string(),
  migration_id: z.string().nullable(),
  attempt: z.number().int(),
  outcome: z.enum(['delivered', 'failed']),
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  at: ts,
});

/** A database Sensei knows (GET /v1/dialects): the `type` a connection or endpoint names, in the one list of dialects. */
export const dialectResponse = z.object({
  type: dialect,
  label: z.string(),
  /** False for a dialect this version accepts by name but cannot migrate yet. */
  supported: z.boolean(),
  url_schemes: z.array(z.string()),
  file_extensions: z.array(z.string()),
});

/** A column's mapping (api/migrations.ts mappingResource): its canonical type's fields in snake_case too. */
export const mappingResponse = z.object({
  id: z.string(),
  table: z.string(),
  column: z.string(),
  source_type: z.string(),
  target_type: z.string(),
  canonical: z.object({ kind: z.string() }).passthrough(),
  nullable: z.boolean(),
  confidence: z.number(),
  note: z.string().nullable(),
});

/** An object mapping (lib/object-mappings.ts): an index, unique constraint, CHECK, foreign key or default of a table. */
export const objectMappingResponse = z.object({
  id: z.string(),
  kind: z.enum(OBJECT_KINDS),
  table: z.string(),
  name: z.string(),
  source: z.string(),
  target: z.string().nullable(),
  migrated: z.boolean(),
  note: z.string().nullable(),
});

/** PATCH …/mappings: the mappings edited and the gate as they left it. */
export const editedMappingsResponse = z.object({
  edited: z.array(mappingResponse),
  /** The object mappings left out at the gate so far. */
  left_out: z.array(z.string()),
  /** The source tables left out of the migration so far (at its creation and at the gate). */
  excluded_tables: z.array(z.string()),
  /** What still keeps the gate from being approved. */
  blockers: z.array(z.string()),
  gate: gateResponse,
});
/** PATCH …/mappings/{mapping_id}: the mapping edited, with the gate. */
export const editedMappingResponse = mappingResponse.extend({ gate: gateResponse });

// ---- the workflow contract and these schemas describe the same shapes (checked when compiling) ----
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(_: T) => undefined;
agree<Same<z.infer<typeof gateResponse>, GateState>>(true);
agree<Same<z.infer<typeof tableProgressResponse>, TableProgress>>(true);
agree<Same<z.infer<typeof migrationErrorResponse>, MigrationError>>(true);
agree<Same<z.infer<typeof migrationStatusResponse>, MigrationStatus>>(true);
agree<Same<z.infer<typeof logLineResponse>, LogLine>>(true);
agree<Same<z.infer<typeof objectMappingResponse>, ObjectMapping>>(true);
