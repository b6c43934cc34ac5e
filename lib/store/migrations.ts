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
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name] as Knex.Migration,
};
