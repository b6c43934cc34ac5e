import type { Knex } from 'knex';

/**
 * Versioned schema of the metadata store, applied in order on start (knex's migration table records which ran).
 * Kept in code rather than files so the same list runs from TypeScript sources and from dist/.
 */
const MIGRATIONS: Record<string, { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void> }> = {
  '0001_initial': {
    async up(knex) {
      await knex.schema.createTable('api_keys', (t) => {
        t.string('id', 40).primary();
        t.string('name', 200).notNullable();
        t.string('kind', 20).notNullable(); // api_key | service_account
        t.string('environment', 8).notNullable(); // live | test
        t.string('prefix', 24).notNullable();
        t.string('hash', 64).notNullable().unique(); // sha256 of the key; the key itself is never stored
        t.text('scopes').notNullable(); // JSON array
        t.integer('rate_limit_per_second');
        t.string('created_by', 40);
        t.string('created_at', 32).notNullable();
        t.string('last_used_at', 32);
        t.string('revoked_at', 32);
      });
      await knex.schema.createTable('connections', (t) => {
        t.string('id', 40).primary();
        t.string('environment', 8).notNullable();
        t.string('name', 200).notNullable();
        t.string('type', 20).notNullable();
        t.text('sealed_connection').notNullable(); // AES-256-GCM, SENSEI_ENCRYPTION_KEY
        t.text('description').notNullable(); // secret-free label
        t.string('schema', 128);
        t.string('created_by', 40);
        t.string('created_at', 32).notNullable();
        t.index(['environment', 'created_at']);
      });
      await knex.schema.createTable('migrations', (t) => {
        t.string('id', 40).primary();
        t.string('environment', 8).notNullable();
        t.string('name', 200).notNullable();
        t.string('status', 24).notNullable();
        t.string('phase', 24);
        t.string('strategy', 16).notNullable();
        t.string('source_type', 16).notNullable();
        t.string('target_type', 16).notNullable();
        t.string('created_by', 40);
        t.string('created_at', 32).notNullable();
        t.string('updated_at', 32).notNullable();
        t.index(['environment', 'created_at']);
        t.index(['environment', 'status']);
      });
      await knex.schema.createTable('idempotency_records', (t) => {
        t.string('principal', 64).notNullable();
        t.string('idempotency_key', 255).notNullable();
        t.string('method', 8).notNullable();
        t.string('path', 500).notNullable();
        t.string('body_hash', 64).notNullable();
        t.integer('status'); // null while the first request is still running
        t.text('response');
        t.string('created_at', 32).notNullable();
        t.primary(['principal', 'idempotency_key']);
      });
      await knex.schema.createTable('webhooks', (t) => {
        t.string('id', 40).primary();
        t.string('environment', 8).notNullable();
        t.text('url').notNullable();
        t.text('events').notNullable(); // JSON array
        t.text('sealed_secret').notNullable();
        t.string('description', 500);
        t.string('created_at', 32).notNullable();
      });
    },
    async down(knex) {
      for (const table of ['webhooks', 'idempotency_records', 'migrations', 'connections', 'api_keys']) {
        await knex.schema.dropTableIfExists(table);
      }
    },
  },
  /**
   * What a migration leaves that users keep, written by activities when produced, so it outlives the workflow (Temporal
   * drops closed workflows after the namespace's retention): every error, the timeline, validation reports, certificates
   * (the signed bytes), and the final status with the input a re-opened run carries on from.
   */
  '0002_results': {
    async up(knex) {
      await knex.schema.createTable('migration_errors', (t) => {
        t.increments('seq'); // the order errors were recorded in, which pages follow
        t.string('migration_id', 40).notNullable();
        t.string('error_id', 64).notNullable();
        t.string('phase', 24).notNullable();
        t.text('table_name');
        t.text('row_key'); // JSON array: the primary key of a rejected row
        t.string('code', 80).notNullable();
        t.text('message').notNullable();
        t.string('at', 32).notNullable();
        t.string('resolved_at', 32);
        t.string('resolved_by', 200);
        t.text('resolution_note');
        t.unique(['migration_id', 'error_id']);
        t.index(['migration_id', 'seq']);
      });
      await knex.schema.createTable('migration_timeline', (t) => {
        t.increments('seq');
        t.string('migration_id', 40).notNullable();
        t.string('event_id', 40).notNullable(); // numbered by the workflow: a retried write records an event once
        t.string('at', 32).notNullable();
        t.string('level', 8).notNullable();
        t.text('message').notNullable();
        t.unique(['migration_id', 'event_id']);
        t.index(['migration_id', 'at']);
      });
      await knex.schema.createTable('migration_validations', (t) => {
        t.string('migration_id', 40).notNullable();
        t.integer('attempt').notNullable();
        t.string('status', 16).notNullable();
        t.text('report').notNullable(); // JSON: the validation state and every tier's full result
        t.primary(['migration_id', 'attempt']);
      });
      await knex.schema.createTable('migration_certificates', (t) => {
        t.string('certificate_id', 64).primary();
        t.string('migration_id', 40).notNullable().index();
        t.integer('validation_attempt').notNullable();
        t.string('issued_at', 32).notNullable();
        t.string('sha256', 64).notNullable();
        t.text('document').notNullable(); // the signed RFC 8785 text, byte for byte as served
      });
      await knex.schema.createTable('migration_outcomes', (t) => {
        t.string('migration_id', 40).primary();
        t.string('run_id', 64).notNullable(); // the workflow run that ended so
        t.string('status', 24).notNullable();
        t.text('final_status').notNullable(); // JSON: the status resource as the run ended
        t.text('carry_on').notNullable(); // JSON: the input a re-opened run starts from (sealed references only)
        t.string('closed_at', 32).notNullable();
      });
    },
    async down(knex) {
      for (const table of ['migration_outcomes', 'migration_certificates', 'migration_validations', 'migration_timeline', 'migration_errors']) {
        await knex.schema.dropTableIfExists(table);
      }
    },
  },
  '0003_rate_counters': {
    // Request counts per window, shared by every API process that uses this store (api/rate-limit.ts).
    async up(knex) {
      await knex.schema.createTable('rate_counters', (t) => {
        t.string('bucket', 300).primary();
        t.integer('count').notNullable();
        t.bigInteger('expires_at').notNullable(); // epoch milliseconds
        t.index(['expires_at']);
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('rate_counters');
    },
  },
  '0004_payload_blobs': {
    // Large Temporal payloads (the plan of a schema of thousands of tables …), referenced from histories by their
    // SHA-256 (lib/claim-check.ts); written once, read by any process of the deployment.
    async up(knex) {
      await knex.schema.createTable('payload_blobs', (t) => {
        t.string('key', 64).primary();
        t.binary('bytes').notNullable();
        t.string('created_at', 32).notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('payload_blobs');
    },
  },
  '0005_webhook_deliveries': {
    // Each attempt to deliver a webhook event, as the delivering activity saw it (listed per subscription).
    async up(knex) {
      await knex.schema.createTable('webhook_deliveries', (t) => {
        t.increments('seq');
        t.string('webhook_id', 40).notNullable();
        t.string('delivery_id', 200).notNullable();
        t.string('event', 64).notNullable();
        t.string('migration_id', 40).nullable();
        t.integer('attempt').notNullable();
        t.integer('status_code').nullable();
        t.text('error').nullable();
        t.string('at', 32).notNullable();
        t.index(['webhook_id', 'seq']);
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('webhook_deliveries');
    },
  },
  '0006_payload_blobs_touched': {
    // When a blob was last written (a claim-check codec or planKeeper putting the same bytes again refreshes it): the
    // garbage collector (lib/blob-gc.ts) deletes only blobs no history references that nobody wrote for a long time.
    // And keys of 80: a plan's key is `plan:` and 64 hex digits, which 0004's 64 refused on PostgreSQL (SQLite ignores
    // the length).
    // Blobs kept before are marked written at the upgrade, not at created_at: a put of content already kept changed
    // nothing before, so created_at is the first write only, and a blob a codec put again minutes before the upgrade
    // (and names in a history minutes after) must not look old to the collector. They go a grace period after the
    // upgrade at the soonest. The column's default is that time too: a row a process still at 0005 inserts during
    // the upgrade (without touched_at) is taken, on SQLite as on PostgreSQL, NOT NULL on both.
    async up(knex) {
      const upgradedAt = new Date().toISOString();
      await knex.schema.alterTable('payload_blobs', (t) => {
        t.string('touched_at', 32).notNullable().defaultTo(upgradedAt);
      });
      if (knex.client.config.client === 'pg') {
        await knex.raw('ALTER TABLE payload_blobs ALTER COLUMN key TYPE varchar(80)');
      }
      await knex.schema.alterTable('payload_blobs', (t) => {
        t.index(['touched_at']);
      });
    },
    async down(knex) {
      await knex.schema.alterTable('payload_blobs', (t) => {
        t.dropIndex(['touched_at']);
        t.dropColumn('touched_at');
      });
    },
  },
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name] as Knex.Migration,
};
