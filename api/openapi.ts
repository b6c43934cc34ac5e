import { z } from 'zod';
import * as R from './responses';
import { createWebhookBody, webhookEvent } from './webhooks';
import { mappingsQuery, patchMappingBody, patchMappingsBody, patchMigrationBody, resolveErrorBody, cancelBody, createApiKeyBody, createConnectionBody, createMigrationBody, gateDecisionBody, listMigrationsQuery, pageQuery } from './schemas';

/** JSON Schema of a request schema as callers write it (defaults optional), or of a response as the API sends it. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: z.ZodObject) {
  return Object.entries(schemaOf(schema).properties as Record<string, Record<string, unknown>>).map(([name, s]) => ({
    name,
    in: 'query',
    required: false,
    schema: s,
  }));
}

const errorBody = schemaOf(R.errorResponse, 'output');

const json = (schema: Record<string, unknown>) => ({ content: { 'application/json': { schema } } });
const errors = Object.fromEntries(
  [
    ['400', 'Malformed request'],
    ['401', 'Invalid authentication'],
    ['403', 'Insufficient permissions'],
    ['404', 'Resource not found'],
    ['409', 'Conflict with the current state'],
    ['422', 'Validation error'],
    ['429', 'Rate limit exceeded'],
    ['503', 'No worker answered for this migration (Temporal or the workers are unavailable); retry'],
  ].map(([code, description]) => [code, { description, ...json({ $ref: '#/components/schemas/Error' }) }]),
);
const ok = (description: string, response?: z.ZodType) => ({
  '200': { description, ...json(response ? schemaOf(response, 'output') : { type: 'object' }) },
  ...errors,
});
/** 202: the change is accepted and happens in the workflow (start, pause, resume, cancel, re-run). */
const accepted = (description: string, response?: z.ZodType) => ({
  '202': { description, ...json(response ? schemaOf(response, 'output') : { type: 'object' }) },
  ...errors,
});
const created = (response: z.ZodType) => ({ '201': { description: 'Created', ...json(schemaOf(response, 'output')) }, ...errors });
const id = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

/** The OpenAPI 3.1 document served at /v1/openapi.json; request bodies come from the same zod schemas that validate them. */
export function openApiDocument() {
  const migration = [id('id')];
  const post = (summary: string, body?: z.ZodType, params = migration, response?: z.ZodType, status: '200' | '202' = '200') => ({
    post: {
      summary,
      parameters: params,
      ...(body ? { requestBody: { required: false, ...json(schemaOf(body)) } } : {}),
      responses: status === '202' ? accepted(summary, response) : ok(summary, response),
    },
  });
  const get = (summary: string, params = migration, query: unknown[] = [], response?: z.ZodType) => ({
    get: { summary, parameters: [...params, ...query], responses: ok(summary, response) },
  });
  return {
    openapi: '3.1.0',
    info: { title: 'Sensei API', version: '1.0.0', description: 'Database migrations as durable Temporal workflows.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'sk_live_/sk_test_ API key, sa_ service-account key, or OAuth JWT' } },
      schemas: { Error: errorBody, WebhookEvent: schemaOf(webhookEvent, 'output') },
    },
    paths: {
      '/v1/migrations': {
        get: { summary: 'List migrations', parameters: queryParameters(listMigrationsQuery), responses: ok('A page of migrations', R.listOf(R.migrationListItemResponse)) },
        post: {
          summary: 'Create a migration',
          parameters: [{ name: 'X-Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } }],
          requestBody: { required: true, ...json(schemaOf(createMigrationBody)) },
          responses: created(R.migrationResponse),
        },
      },
      '/v1/migrations/{id}': {
        ...get('Get a migration', migration, [], R.migrationDetailResponse),
        patch: { summary: 'Change name, strategy or options before start', parameters: migration, requestBody: { required: true, ...json(schemaOf(patchMigrationBody)) }, responses: ok('Updated', R.migrationResponse) },
        delete: { summary: 'Cancel a migration', parameters: migration, requestBody: json(schemaOf(cancelBody)), responses: accepted('Cancelling', R.migrationResponse) } },
      '/v1/migrations/{id}/status': get('Current status (Accept: text/event-stream streams changes)', migration, [], R.migrationStatusResponse),
      '/v1/migrations/{id}/start': post('Start', undefined, migration, R.migrationResponse, '202'),
      '/v1/migrations/{id}/pause': post('Pause after the chunks in flight', undefined, migration, R.migrationResponse, '202'),
      '/v1/migrations/{id}/resume': post('Resume from the checkpoint', undefined, migration, R.migrationResponse, '202'),
      '/v1/migrations/{id}/approve': post('Approve the mapping gate', gateDecisionBody),
      '/v1/migrations/{id}/reject': post('Reject the mapping gate', gateDecisionBody),
      '/v1/migrations/{id}/logs': get('Timeline with every error, oldest first (kept in the metadata store: it outlives the workflow)', migration, queryParameters(pageQuery), R.listOf(R.logLineResponse)),
      '/v1/migrations/{id}/schema/source': get('Analysed source schema'),
      '/v1/migrations/{id}/schema/target': get('Planned target schema'),
      '/v1/migrations/{id}/tables': get('Per-table progress, a page at a time, in plan order (the status shows at most 100 tables)', migration, queryParameters(pageQuery), R.listOf(R.tableProgressResponse)),
      '/v1/migrations/{id}/mappings': {
        ...get(
          'Column type mappings (kind=column), or the tables\' other objects (kind=index|unique|check|foreign_key|default, or object for all): what the target gets and why not',
          migration,
          queryParameters(mappingsQuery),
          R.listOf(z.union([R.mappingResponse, R.objectMappingResponse])),
        ),
        patch: { summary: 'Edit mappings while the gate waits', parameters: migration, requestBody: { required: true, ...json(schemaOf(patchMappingsBody)) }, responses: ok('Edited', R.editedMappingsResponse) },
      },
      '/v1/migrations/{id}/mappings/{mapping_id}': {
        ...get('One mapping', [...migration, id('mapping_id')], [], R.mappingResponse),
        patch: { summary: 'Edit one mapping', parameters: [...migration, id('mapping_id')], requestBody: { required: true, ...json(schemaOf(patchMappingBody)) }, responses: ok('Edited', R.editedMappingResponse) },
      },
      '/v1/migrations/{id}/errors/{error_id}/resolve': post('Mark an error resolved', resolveErrorBody, [...migration, id('error_id')], R.migrationErrorResponse),
      '/v1/migrations/{id}/errors/{error_id}/retry': post('Re-copy a rejected row through the workflow (a closed migration is opened again for it)', undefined, [...migration, id('error_id')], R.retryErrorResponse),
      '/v1/migrations/{id}/errors': get('Every error (rejected rows with their keys), in the order recorded, from the metadata store', migration, queryParameters(pageQuery), R.listOf(R.migrationErrorResponse)),
      '/v1/migrations/{id}/errors/{error_id}': get('One error', [...migration, id('error_id')], [], R.migrationErrorResponse),
      '/v1/migrations/{id}/validation': get('Validation report'),
      '/v1/migrations/{id}/validation/{tier}': get('One validation tier', [...migration, id('tier')]),
      '/v1/migrations/{id}/validation/rerun': post('Run validation again (also after the workflow closed: completed, or failed in validation)', cancelBody, migration, undefined, '202'),
      '/v1/migrations/{id}/certificate': get('Download the Behavioral Equivalence Certificate'),
      '/v1/connections': {
        get: { summary: 'List connections', parameters: queryParameters(pageQuery), responses: ok('A page of connections', R.listOf(R.connectionResponse)) },
        post: { summary: 'Save a connection', requestBody: { required: true, ...json(schemaOf(createConnectionBody)) }, responses: created(R.connectionResponse) },
      },
      '/v1/connections/{id}': { ...get('Get a connection', migration, [], R.connectionResponse), delete: { summary: 'Delete a connection', parameters: migration, responses: { '204': { description: 'Deleted' }, ...errors } } },
      '/v1/connections/{id}/test': post('Test a saved connection'),
      '/v1/api-keys': {
        get: { summary: 'List API keys (prefix only)', parameters: queryParameters(pageQuery), responses: ok('A page of keys', R.listOf(R.apiKeyResponse)) },
        post: { summary: 'Create an API key (shown once)', requestBody: { required: true, ...json(schemaOf(createApiKeyBody)) }, responses: created(R.apiKeyCreatedResponse) },
      },
      '/v1/api-keys/{id}': { ...get('Get an API key', migration, [], R.apiKeyResponse), delete: { summary: 'Revoke an API key', parameters: migration, responses: ok('Revoked', R.apiKeyResponse) } },
      '/v1/api-keys/{id}/revoke': post('Revoke an API key', undefined, migration, R.apiKeyResponse),
      '/v1/webhooks': {
        get: { summary: 'List webhook subscriptions', parameters: queryParameters(pageQuery), responses: ok('A page of subscriptions', R.listOf(R.webhookResponse)) },
        post: { summary: 'Subscribe (the secret is shown once)', requestBody: { required: true, ...json(schemaOf(createWebhookBody)) }, responses: created(R.webhookCreatedResponse) },
      },
      '/v1/webhooks/{id}': { ...get('Get a subscription', migration, [], R.webhookResponse), delete: { summary: 'Unsubscribe', parameters: migration, responses: { '204': { description: 'Deleted' }, ...errors } } },
      '/v1/webhooks/{id}/deliveries': get('Delivery attempts of a subscription, newest first', migration, queryParameters(pageQuery), R.listOf(R.webhookDeliveryResponse)),
      '/oauth/token': {
        post: {
          summary: 'OAuth 2.0 client credentials: exchange a key for a short-lived bearer JWT',
          security: [],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['grant_type', 'client_secret'], properties: { grant_type: { const: 'client_credentials' }, client_secret: { type: 'string' }, client_id: { type: 'string' }, scope: { type: 'string' } } } },
            },
          },
          responses: ok('A bearer token', z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number(), scope: z.string() })),
        },
      },
      '/v1/validations': get('Validation summaries of migrations', [], queryParameters(pageQuery)),
      '/v1/dialects': get('The databases this version knows (type, label, whether it can migrate them yet)', [], queryParameters(pageQuery), R.listOf(R.dialectResponse)),
      '/v1/certificates/public-key': get('Public key that verifies certificates', []),
    },
  };
}
