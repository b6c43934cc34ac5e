/**
 * The API commands of `sensei`: migrations, mappings, connections, keys, through the TypeScript SDK. Every command
 * takes --json (the API's answer as JSON on stdout, errors as the API's error body on stderr) and the API's address
 * and key from --api-url / --api-key or SENSEI_API_URL / SENSEI_API_KEY.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import { detectDialect } from '../connectors/dialects';
import {
  Sensei,
  SenseiApiError,
  SenseiConnectionError,
  type CreateMigrationRequest,
  type EndpointInput,
  type GateEdits,
  type MigrationDetail,
  type MigrationStatus,
  type MigrationStatusValue,
  type ObjectKind,
  type ObjectMapping,
  type Scope,
  type TableProgress,
} from '../sdk/index';
import { ProgressView } from './progress';
import { formatBytes, formatCount, formatDuration, renderTable } from './format';
import { summaryTable } from './summary';

/** Exit codes (also in `sensei --help` and the README). */
export const EXIT = {
  ok: 0,
  /** The API refused the request (its error body is printed), it could not be reached, or the command was misused. */
  error: 1,
  /** `certificates verify`: intact, but no trusted key was given, so the signer is unknown. */
  unknownSigner: 2,
  /** `migrations watch`: the migration failed. */
  failed: 3,
  /** `migrations watch`: the migration was cancelled. */
  cancelled: 4,
  /** Interrupted (Ctrl-C) while watching; the migration carries on. */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `
Exit codes:
  0    success; for "migrations watch", the migration completed
  1    the API refused the request (its error printed on one line), could not be reached, or bad usage
  2    "certificates verify": the certificate is intact but its signer is unknown (no --public-key)
  3    "migrations watch": the migration failed
  4    "migrations watch": the migration was cancelled
  130  interrupted (Ctrl-C); the migration itself carries on

Environment:
  SENSEI_API_URL   the API's address (default http://localhost:$PORT, PORT defaulting to 8080)
  SENSEI_API_KEY   the API key (default: the key "npm start" generated into $SENSEI_DATA_DIR/api-key)`;

/** A failure the CLI explains itself (bad arguments, a missing key): one line, exit 1. */
export class UsageError extends Error {}

export interface ApiFlags {
  apiUrl?: string;
  apiKey?: string;
  json?: boolean;
}

/** The API's address and key: flags, then the environment, then what a local `npm start` uses. */
export function clientFrom(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env): Sensei {
  const baseUrl = flags.apiUrl ?? env.SENSEI_API_URL ?? `http://localhost:${env.PORT ?? 8080}`;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError('the API address is not a URL: give it as http(s)://host:port');
  }
  // Credentials in the address would be printed with every error that names it: the key has its own place.
  if (url.username || url.password) throw new UsageError('the API address may not hold a user or password: the key goes in SENSEI_API_KEY');
  let apiKey = flags.apiKey ?? env.SENSEI_API_KEY;
  if (!apiKey) {
    const file = path.join(path.resolve(env.SENSEI_DATA_DIR || '.sensei'), 'api-key');
    if (fs.existsSync(file)) apiKey = fs.readFileSync(file, 'utf8').trim();
  }
  if (!apiKey) throw new UsageError('no API key: set SENSEI_API_KEY or pass --api-key');
  return new Sensei({ apiKey, baseUrl });
}

/** One line for any failure, never with a key or a connection string (the API redacts its own messages). */
export function describeError(err: unknown, baseUrl?: string): string {
  if (err instanceof SenseiApiError) {
    return `${err.code} (HTTP ${err.status}): ${err.message}${err.request_id ? ` [request ${err.request_id}]` : ''}`;
  }
  if (err instanceof SenseiConnectionError) return `cannot reach the API${baseUrl ? ` at ${baseUrl}` : ''}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Prints a failure (the API's error body with --json) on stderr and sets exit code 1. */
export function reportError(err: unknown, json: boolean, baseUrl?: string): void {
  if (json) {
    const body =
      err instanceof SenseiApiError
        ? { error: { code: err.code, message: err.message, status: err.status, ...(err.details ? { details: err.details } : {}), ...(err.request_id ? { request_id: err.request_id } : {}) } }
        : { error: { code: err instanceof SenseiConnectionError ? 'connection_error' : 'cli_error', message: describeError(err, baseUrl) } };
    process.stderr.write(`${JSON.stringify(body)}\n`);
  } else {
    process.stderr.write(`sensei: ${describeError(err, baseUrl)}\n`);
  }
  process.exitCode = EXIT.error;
}

const print = (s = ''): void => {
  process.stdout.write(`${s}\n`);
};
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

/** Adds --json, --api-url and --api-key to a command and runs its action with a client, reporting failures. */
function api<A extends unknown[]>(cmd: Command, action: (client: Sensei, flags: ApiFlags & Record<string, unknown>, ...args: A) => Promise<number | void>): Command {
  return cmd
    .addHelpText('after', EXIT_CODES_HELP)
    .option('--json', 'print the API answer as JSON (errors: the API error body on stderr)')
    .option('--api-url <url>', 'API address (env SENSEI_API_URL; default http://localhost:8080)')
    .addOption(new Option('--api-key <key>', 'API key (env SENSEI_API_KEY; prefer the variable: arguments show in ps)').hideHelp(false))
    .action(async (...received: unknown[]) => {
      // commander passes the arguments, then the options, then the command.
      const flags = received[received.length - 2] as ApiFlags & Record<string, unknown>;
      const args = received.slice(0, -2) as A;
      let client: Sensei | undefined;
      try {
        client = clientFrom(flags);
        const code = await action(client, flags, ...args);
        if (typeof code === 'number') process.exitCode = code;
      } catch (err) {
        reportError(err, flags.json === true, client?.baseUrl);
      }
    });
}

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number, got "${v}"`);
  return n;
};

const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

// ---------------------------------------------------------------------------------------------------------------
// migrations
// ---------------------------------------------------------------------------------------------------------------

/** A --source/--target: a saved connection's id (conn_…), or a connection string whose type is told by its form. */
export function endpointFrom(role: 'source' | 'target', value: string, type: string | undefined, schema: string | undefined): EndpointInput {
  const extra = schema ? { schema } : {};
  if (/^conn_[A-Za-z0-9]+$/.test(value)) return { connection_id: value, ...extra };
  const dialect = type ?? detectDialect(value);
  if (!dialect) throw new UsageError(`cannot tell the database type of the ${role} from its connection string: pass --${role}-type`);
  return { type: dialect as never, connection_string: value, ...extra };
}

interface CreateFlags extends ApiFlags {
  name: string;
  source: string;
  target: string;
  sourceType?: string;
  targetType?: string;
  sourceSchema?: string;
  targetSchema?: string;
  tables?: string;
  strategy: CreateMigrationRequest['strategy'];
  autoApprove?: boolean;
  replace?: boolean;
  chunkSize?: number;
  parallelTables?: number;
  options?: string;
  start?: boolean;
}

export function createRequest(flags: CreateFlags): CreateMigrationRequest {
  let options: Record<string, unknown> = {};
  if (flags.options) {
    try {
      options = JSON.parse(flags.options) as Record<string, unknown>;
    } catch (err) {
      throw new UsageError(`--options must be a JSON object: ${(err as Error).message}`);
    }
    if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new UsageError('--options must be a JSON object');
  }
  if (flags.autoApprove) options.auto_approve_high_confidence = true;
  if (flags.replace) options.replace_existing_tables = true;
  if (flags.chunkSize !== undefined) options.chunk_size = flags.chunkSize;
  if (flags.parallelTables !== undefined) options.parallel_tables = flags.parallelTables;
  const source = endpointFrom('source', flags.source, flags.sourceType, flags.sourceSchema);
  const tables = flags.tables?.split(',').map((t) => t.trim()).filter(Boolean);
  return {
    name: flags.name,
    source: tables?.length ? { ...source, tables } : source,
    target: endpointFrom('target', flags.target, flags.targetType, flags.targetSchema),
    strategy: flags.strategy,
    ...(Object.keys(options).length ? { options } : {}),
  };
}

function showMigration(m: MigrationDetail): void {
  print(`${m.id}  ${m.name}`);
  print(`  status    ${m.status}${m.phase ? ` (phase ${m.phase})` : ''}`);
  print(`  route     ${m.source.description} → ${m.target.description}`);
  print(`  strategy  ${m.strategy}`);
  print(`  progress  tables ${m.progress.tables_completed}/${m.progress.tables_total}, rows ${formatCount(m.progress.rows_copied)}/${formatCount(m.progress.rows_estimated)} (${m.progress.percent}%)`);
  if (m.gate) print(`  gate      ${m.gate.state}: ${m.gate.reason} (lowest confidence ${m.gate.min_confidence})${m.gate.decided_by ? `, by ${m.gate.decided_by}` : ''}`);
  if (m.pause_reason) print(`  paused    by ${m.pause_reason.by}: ${m.pause_reason.message}`);
  if (m.failure) print(`  failure   ${m.failure.code}: ${m.failure.message}`);
  print(`  created   ${when(m.created_at)}   started ${when(m.started_at)}   ended ${when(m.completed_at)}${m.duration_ms === null ? '' : `   took ${formatDuration(m.duration_ms)}`}`);
  if (m.tables.length) {
    print();
    const right = { align: 'right' as const };
    print(
      renderTable(
        [{ header: 'table' }, { header: 'status' }, { header: 'rows', ...right }, { header: 'estimated', ...right }, { header: 'bytes', ...right }, { header: 'rejected', ...right }, { header: 'chunks', ...right }, { header: 'retries', ...right }],
        m.tables.map((t) => [t.name, t.status, formatCount(t.rows_copied), formatCount(t.rows_estimated), t.bytes_copied === undefined ? '-' : formatBytes(t.bytes_copied), formatCount(t.rows_rejected), String(t.chunks), t.chunk_retries === undefined ? '-' : formatCount(t.chunk_retries)]),
      ),
    );
  }
  if (m.validation) {
    print();
    print(`validation ${m.validation.status}: ${Object.entries(m.validation.tiers).map(([tier, t]) => `${tier} ${t.verdict}`).join(', ')}`);
    if (m.validation.diagnosis) print(`  diagnosis: ${JSON.stringify(m.validation.diagnosis)}`);
  }
  if (m.certificate) print(`certificate ${m.certificate.certificate_id} (sha256 ${m.certificate.sha256.slice(0, 16)}…), issued ${when(m.certificate.issued_at)}`);
}

/** Every table of a migration: the status shows at most 100 (those being copied first); GET …/tables pages through all. */
async function allTables(client: Sensei, s: { id: string; tables: TableProgress[]; progress: { tables_total: number } }): Promise<TableProgress[]> {
  if (s.tables.length >= s.progress.tables_total) return s.tables;
  const all: TableProgress[] = [];
  for await (const t of paged((q) => client.migrations.tables(s.id, q))) all.push(t);
  return all;
}

const outcomeCode = (status: MigrationStatusValue) => (status === 'completed' ? EXIT.ok : status === 'cancelled' ? EXIT.cancelled : EXIT.failed);

/** Follows a migration to its end: the progress view (or JSON lines), then its outcome as the exit code. */
/** How long `watch` keeps trying through an unreachable API or a worker that does not answer before it gives up. */
const WATCH_PATIENCE_MS = 5 * 60_000;

/** Failures `watch` waits out: the API unreachable (restarting), or answering 5xx (503: no worker answers now). */
const transient = (err: unknown) => err instanceof SenseiConnectionError || (err instanceof SenseiApiError && err.status >= 500);

/** Follows a migration to its end: the progress view (or JSON lines), then its outcome as the exit code. */
async function watch(client: Sensei, id: string, flags: ApiFlags & { interval?: number }): Promise<number> {
  const interval = flags.interval ?? 1000;
  const view = flags.json ? undefined : new ProgressView({ stream: process.stdout });
  const note = (line: string) => (view ? view.note(line) : process.stderr.write(`${line}\n`));
  let gateShown = false;
  let last: MigrationStatus | undefined;
  let failingSince: number | undefined;
  try {
    for (;;) {
      let s: MigrationStatus;
      try {
        s = await client.migrations.status(id);
        if (failingSince !== undefined) note('the API answers again');
        failingSince = undefined;
      } catch (err) {
        if (!transient(err)) throw err;
        if (failingSince === undefined) note(`${describeError(err, client.baseUrl)}; still watching`);
        failingSince ??= Date.now();
        if (Date.now() - failingSince > WATCH_PATIENCE_MS) throw err;
        await new Promise((r) => setTimeout(r, interval));
        continue;
      }
      if (flags.json) {
        if (!last || JSON.stringify(last) !== JSON.stringify(s)) print(JSON.stringify(s));
      } else {
        view?.update(s);
        if (s.status === 'awaiting_approval' && s.gate?.state === 'pending' && !gateShown) {
          view?.note(`approval gate: ${s.gate.reason} (lowest confidence ${s.gate.min_confidence}); review with "sensei migrations show ${id}", then "sensei migrations approve ${id}" or "reject"`);
          gateShown = true;
        }
        if (s.status === 'created' && !last) view?.note(`not started yet: "sensei migrations start ${id}" starts it`);
      }
      last = s;
      if (['completed', 'failed', 'cancelled'].includes(s.status)) break;
      await new Promise((r) => setTimeout(r, interval));
    }
  } finally {
    view?.stop();
  }
  if (!flags.json) {
    const failure = last.failure ? `: ${last.failure.code}: ${last.failure.message}` : '';
    const took = last.duration_ms === null ? '' : ` in ${formatDuration(last.duration_ms)}`;
    print(`migration ${last.id} ${last.status}${took}${failure}; ${last.progress.tables_completed}/${last.progress.tables_total} tables, ${formatCount(last.progress.rows_copied)} rows`);
    if (last.tables.length > 0) print(`\n${summaryTable({ ...last, tables: await allTables(client, last) })}`);
  }
  return outcomeCode(last.status);
}

export function migrationCommands(program: Command): void {
  const migrations = program.command('migrations').alias('migration').description('create, control and follow migrations');

  api(
    migrations
      .command('ls')
      .description('list migrations, newest first')
      .option('--status <status>', 'only this status (created, running, awaiting_approval, paused, completed, failed, cancelled)')
      .option('--sort <field>', 'created_at, name, status, updated_at; a leading - sorts descending', '-created_at')
      .option('--limit <n>', 'at most this many (≤ 100)', int('--limit'), 20)
      .option('--offset <n>', 'skip this many', int('--offset'), 0),
    async (client, f) => {
      const page = await client.migrations.list({ status: f.status as MigrationStatusValue, sort: f.sort as never, limit: f.limit as number, offset: f.offset as number });
      if (f.json) return printJson(page);
      print(
        renderTable(
          [{ header: 'id' }, { header: 'name' }, { header: 'status' }, { header: 'phase' }, { header: 'route' }, { header: 'strategy' }, { header: 'created' }],
          page.data.map((m) => [m.id, m.name, m.status, m.phase ?? '-', `${m.source.type} → ${m.target.type}`, m.strategy, when(m.created_at)]),
        ),
      );
      print(`${page.data.length} of ${page.pagination.total}${page.pagination.has_more ? ` (more: --offset ${page.pagination.offset + page.data.length})` : ''}`);
    },
  );

  api(
    migrations
      .command('create')
      .description('create a migration (it waits for "start" unless --start)')
      .requiredOption('--name <name>', 'a name for people')
      .requiredOption('--source <conn>', 'source: a saved connection id (conn_…) or a connection string')
      .requiredOption('--target <conn>', 'target: a saved connection id (conn_…) or a connection string')
      .option('--source-type <type>', 'the source database type, when its connection string does not tell')
      .option('--target-type <type>', 'the target database type, when its connection string does not tell')
      .option('--source-schema <schema>', 'source schema')
      .option('--target-schema <schema>', 'target schema')
      .option('--tables <list>', 'only these source tables, comma-separated')
      .addOption(new Option('--strategy <strategy>', 'migration strategy').choices(['conservative', 'balanced', 'aggressive']).default('balanced'))
      .option('--auto-approve', 'open the approval gate by itself when every mapping is lossless')
      .option('--replace', 'drop and recreate target tables that already hold rows')
      .option('--chunk-size <rows>', 'rows per chunk', int('--chunk-size'))
      .option('--parallel-tables <n>', 'tables copied at once', int('--parallel-tables'))
      .option('--options <json>', 'further migration options as a JSON object (the API\'s "options")')
      .option('--start', 'start it at once'),
    async (client, f) => {
      const migration = await client.migrations.create(createRequest(f as unknown as CreateFlags));
      const resource = f.start ? await migration.start() : migration.data;
      if (f.json) return printJson(resource);
      print(`${migration.id}  ${resource?.name}: ${resource?.status}${f.start ? '' : ` (start it with: sensei migrations start ${migration.id})`}`);
    },
  );

  api(migrations.command('show <id>').description('a migration in detail: status, gate, tables, validation, certificate'), async (client, f, id: string) => {
    const got = await client.migrations.get(id);
    if (f.json) return printJson(got);
    showMigration({ ...got, tables: await allTables(client, got) });
  });

  for (const [verb, description] of [
    ['start', 'start a created migration'],
    ['pause', 'pause a running migration after its chunks in flight'],
    ['resume', 'resume a paused migration from its last checkpoint'],
  ] as const) {
    api(migrations.command(`${verb} <id>`).description(description), async (client, f, id: string) => {
      const m = await client.migrations[verb](id);
      if (f.json) return printJson(m);
      print(`${m.id}: ${m.status}${m.phase ? ` (phase ${m.phase})` : ''}`);
    });
  }

  api(migrations.command('cancel <id>').description('cancel a migration (it ends "cancelled")').option('--reason <text>', 'why, for the record'), async (client, f, id: string) => {
    const m = await client.migrations.cancel(id, f.reason ? { reason: f.reason as string } : {});
    if (f.json) return printJson(m);
    print(`${m.id}: cancelling (status ${m.status})`);
  });

  for (const verb of ['approve', 'reject'] as const) {
    api(
      migrations
        .command(`${verb} <id>`)
        .description(`${verb} the type mappings at the approval gate (recorded as your key)`)
        .option('--comment <text>', 'a comment kept with the decision'),
      async (client, f, id: string) => {
        const r = await client.migrations[verb](id, f.comment ? { comment: f.comment as string } : {});
        if (f.json) return printJson(r);
        print(`${r.id}: gate ${r.gate.state}${r.gate.decided_by ? ` by ${r.gate.decided_by}` : ''}`);
      },
    );
  }

  api(
    migrations
      .command('watch <id>')
      .description('follow a migration to its end: the phase and one bar per table (rows, rows/s, ETA); exits with its outcome (0 completed, 3 failed, 4 cancelled)')
      .option('--interval <ms>', 'between two looks at the status', int('--interval'), 1000),
    async (client, f, id: string) => watch(client, id, f),
  );

  api(
    migrations.command('logs <id>').description("a migration's log lines, oldest first").option('--limit <n>', 'at most this many (default: all)', int('--limit')),
    async (client, f, id: string) => {
      const lines = [];
      for (let offset = 0; ; ) {
        const page = await client.migrations.logs(id, { limit: 100, offset });
        lines.push(...page.data);
        offset += page.data.length;
        if (!page.pagination.has_more || page.data.length === 0 || (f.limit !== undefined && lines.length >= (f.limit as number))) break;
      }
      const shown = f.limit === undefined ? lines : lines.slice(0, f.limit as number);
      if (f.json) return printJson(shown);
      for (const l of shown) print(`${when(l.at)}  ${l.level.padEnd(5)}  ${l.message}`);
    },
  );

  api(migrations.command('errors <id>').description('errors recorded for a migration: rows the target rejected, with their keys'), async (client, f, id: string) => {
    const errors = [];
    for await (const e of paged((q) => client.migrations.listErrors(id, q))) errors.push(e);
    if (f.json) return printJson(errors);
    if (errors.length === 0) return print('no errors');
    print(
      renderTable(
        [{ header: 'id' }, { header: 'phase' }, { header: 'table' }, { header: 'key' }, { header: 'code' }, { header: 'message' }, { header: 'resolved' }],
        errors.map((e) => [e.id, e.phase, e.table ?? '-', e.key === undefined ? '-' : JSON.stringify(e.key), e.code, e.message, e.resolved_at ? when(e.resolved_at) : '-']),
      ),
    );
  });
}

/** Every item of a limit/offset listing. */
async function* paged<T>(list: (q: { limit: number; offset: number }) => Promise<{ data: T[]; pagination: { has_more: boolean } }>): AsyncGenerator<T> {
  for (let offset = 0; ; ) {
    const page = await list({ limit: 100, offset });
    yield* page.data;
    offset += page.data.length;
    if (!page.pagination.has_more || page.data.length === 0) return;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// mappings, connections, keys
// ---------------------------------------------------------------------------------------------------------------

export function mappingCommands(program: Command): void {
  const mappings = program.command('mappings').alias('mapping').description("a migration's column type mappings");

  api(mappings.command('ls <migration>').description('the type mappings, lowest confidence first'), async (client, f, id: string) => {
    const all = [];
    let meta: { min_confidence: number; blockers: string[] } | undefined;
    for (let offset = 0; ; ) {
      const page = await client.migrations.listMappings(id, { limit: 100, offset });
      meta = { min_confidence: page.min_confidence, blockers: page.blockers };
      all.push(...page.data);
      offset += page.data.length;
      if (!page.pagination.has_more || page.data.length === 0) break;
    }
    if (f.json) return printJson({ data: all, ...meta });
    const sorted = [...all].sort((a, b) => a.confidence - b.confidence);
    print(
      renderTable(
        [{ header: 'mapping' }, { header: 'source type' }, { header: 'target type' }, { header: 'confidence', align: 'right' }, { header: 'note' }],
        sorted.map((m) => [m.id, m.source_type, m.target_type, m.confidence.toFixed(2), m.note ?? '']),
      ),
    );
    print(`${all.length} mappings, lowest confidence ${meta?.min_confidence ?? '-'}${meta?.blockers.length ? `; blockers: ${meta.blockers.join('; ')}` : ''}`);
  });

  api(
    mappings
      .command('set <migration> <edits...>')
      .description('change target types while the approval gate waits: each edit is <table>.<column>=<target type>'),
    async (client, f, id: string, edits: string[]) => {
      const parsed = edits.map((e) => {
        const eq = e.indexOf('=');
        if (eq <= 0 || eq === e.length - 1) throw new UsageError(`an edit is <mapping id>=<target type>, got "${e}"`);
        return { id: e.slice(0, eq), target_type: e.slice(eq + 1) };
      });
      const r = await client.migrations.editMappings(id, parsed);
      if (f.json) return printJson(r);
      for (const m of r.edited) print(`${m.id}: ${m.source_type} → ${m.target_type} (confidence ${m.confidence.toFixed(2)})${m.note ? ` ${m.note}` : ''}`);
      print(`gate ${r.gate.state}: ${r.gate.reason} (lowest confidence ${r.gate.min_confidence})`);
    },
  );

  api(
    mappings
      .command('objects <migration>')
      .description("the tables' indexes, unique constraints, CHECKs, foreign keys and defaults: what the target gets, and why not")
      .option('--kind <kind>', 'only one kind: index, unique, check, foreign_key or default'),
    async (client, f, id: string) => {
      const kind = f.kind as ObjectKind | undefined;
      const all: ObjectMapping[] = [];
      for await (const o of paged((q) => client.migrations.listObjectMappings(id, { ...q, ...(kind ? { kind } : {}) }))) all.push(o);
      if (f.json) return printJson(all);
      print(
        renderTable(
          [{ header: 'mapping' }, { header: 'source' }, { header: 'target' }, { header: 'note' }],
          all.map((o) => [o.id, o.source, o.target ?? '-', o.note ?? '']),
        ),
      );
      print(`${all.length} objects, ${all.filter((o) => !o.migrated).length} not migrated`);
    },
  );

  api(
    mappings
      .command('leave-out <migration> <objects...>')
      .description('leave schema objects out while the approval gate waits: each is an id of `mappings objects` (index:<table>.<name>, …)'),
    async (client, f, id: string, objects: string[]) => {
      const r = await client.migrations.leaveOut(id, objects);
      if (f.json) return printJson(r);
      printGateEdits(`left out: ${r.left_out.join(', ')}`, r);
    },
  );

  api(
    mappings
      .command('exclude <migration> <tables...>')
      .description('leave source tables out while the approval gate waits (the mapping is planned again without them)'),
    async (client, f, id: string, tables: string[]) => {
      const r = await client.migrations.excludeTables(id, tables);
      if (f.json) return printJson(r);
      printGateEdits(`left out: ${r.excluded_tables.join(', ')}`, r);
    },
  );
}

/** What a change at the gate left: its first line, the blockers that remain, the gate. */
function printGateEdits(first: string, r: GateEdits): void {
  print(first);
  print(r.blockers.length ? `blockers left: ${r.blockers.join('; ')}` : 'no blockers left');
  print(`gate ${r.gate.state}: ${r.gate.reason} (lowest confidence ${r.gate.min_confidence})`);
}

export function connectionCommands(program: Command): void {
  const connections = program.command('connections').alias('connection').description('saved connections (their connection strings are never shown back)');

  api(connections.command('ls').description('list saved connections'), async (client, f) => {
    const all = [];
    for await (const c of paged((q) => client.connections.list(q))) all.push(c);
    if (f.json) return printJson(all);
    if (all.length === 0) return print('no saved connections');
    print(renderTable([{ header: 'id' }, { header: 'name' }, { header: 'type' }, { header: 'description' }, { header: 'schema' }, { header: 'created' }], all.map((c) => [c.id, c.name, c.type, c.description, c.schema ?? '-', when(c.created_at)])));
  });

  api(
    connections
      .command('add <name> <connection-string>')
      .description('save a connection (tested first unless --no-test)')
      .option('--type <type>', 'database type, when the connection string does not tell')
      .option('--schema <schema>', 'schema to use')
      .option('--no-test', 'save without connecting first'),
    async (client, f, name: string, connectionString: string) => {
      const type = (f.type as string | undefined) ?? detectDialect(connectionString);
      if (!type) throw new UsageError('cannot tell the database type from the connection string: pass --type');
      const c = await client.connections.create({ name, type: type as never, connection_string: connectionString, ...(f.schema ? { schema: f.schema as string } : {}), test: f.test !== false });
      if (f.json) return printJson(c);
      print(`${c.id}  ${c.name} (${c.description})`);
    },
  );

  api(connections.command('test <id>').description('connect with a saved connection (exit 1 when it fails)'), async (client, f, id: string) => {
    const r = await client.connections.test(id);
    if (f.json) printJson(r);
    else if (r.success) print(`${r.id}: ok, ${r.server_version}, ${r.latency_ms} ms`);
    else process.stderr.write(`sensei: ${r.id}: connection failed: ${r.error}\n`);
    return r.success ? EXIT.ok : EXIT.error;
  });

  api(connections.command('rm <id>').alias('delete').description('delete a saved connection'), async (client, f, id: string) => {
    await client.connections.delete(id);
    if (f.json) return printJson({ id, deleted: true });
    print(`${id}: deleted`);
  });
}

export function keyCommands(program: Command): void {
  const keys = program.command('keys').alias('key').description('API keys (admin scope); a key is shown once, when created');

  api(keys.command('ls').description('list API keys (their prefixes only)'), async (client, f) => {
    const all = [];
    for await (const k of paged((q) => client.apiKeys.list(q))) all.push(k);
    if (f.json) return printJson(all);
    if (all.length === 0) return print('no API keys but the bootstrap key (SENSEI_API_KEY of the API)');
    print(
      renderTable(
        [{ header: 'id' }, { header: 'name' }, { header: 'prefix' }, { header: 'kind' }, { header: 'env' }, { header: 'scopes' }, { header: 'last used' }, { header: 'revoked' }],
        all.map((k) => [k.id, k.name, `${k.prefix}…`, k.kind, k.environment, k.scopes.join(','), when(k.last_used_at), when(k.revoked_at)]),
      ),
    );
  });

  api(
    keys
      .command('create <name>')
      .description('create an API key; the key is printed this once')
      .option('--scopes <list>', 'comma-separated: read, write, admin', 'read,write')
      .addOption(new Option('--kind <kind>', 'key kind').choices(['api_key', 'service_account']).default('api_key'))
      .addOption(new Option('--environment <env>', 'live or test (default: your key\'s)').choices(['live', 'test']))
      .option('--rate-limit <n>', 'requests per second for this key', int('--rate-limit')),
    async (client, f, name: string) => {
      const k = await client.apiKeys.create({
        name,
        kind: f.kind as 'api_key' | 'service_account',
        scopes: (f.scopes as string).split(',').map((s) => s.trim()) as Scope[],
        ...(f.environment ? { environment: f.environment as 'live' | 'test' } : {}),
        ...(f.rateLimit !== undefined ? { rate_limit_per_second: f.rateLimit as number } : {}),
      });
      if (f.json) return printJson(k);
      print(`${k.id}  ${k.name} (${k.scopes.join(',')}, ${k.environment})`);
      print(`key: ${k.key}`);
      print('this is the only time the key is shown: keep it now');
    },
  );

  api(keys.command('revoke <id>').description('revoke an API key (its record stays, for audit)'), async (client, f, id: string) => {
    const k = await client.apiKeys.revoke(id);
    if (f.json) return printJson(k);
    print(`${k.id}: revoked ${when(k.revoked_at)}`);
  });
}

/** `certificates download|public-key`: the signed bytes of a migration's certificate, and the key that verifies them. */
export function certificateCommands(certificates: Command): void {
  const write = (out: string | undefined, text: string, what: string) => {
    if (!out) return process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    fs.writeFileSync(out, text);
    process.stderr.write(`${what} written to ${out}\n`);
  };
  api(
    certificates
      .command('download <migration>')
      .description("a migration's Behavioral Equivalence Certificate, its exact signed bytes (stdout, or --out)")
      .option('-o, --out <file>', 'write it to this file'),
    async (client, f, id: string) => {
      write(f.out as string | undefined, await client.migrations.certificate(id), 'certificate');
    },
  );
  api(
    certificates
      .command('public-key')
      .description('the PEM of the key the API signs certificates with (for "certificates verify --public-key")')
      .option('-o, --out <file>', 'write it to this file'),
    async (client, f) => {
      const key = await client.publicKey();
      if (f.json) return printJson(key);
      write(f.out as string | undefined, key.public_key_pem, 'public key');
    },
  );
}
