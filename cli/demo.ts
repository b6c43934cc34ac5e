/**
 * `sensei demo`: migrates the Chinook sample from SQLite through the real workflow on a private worker and dev
 * server, with the same progress view as `sensei migrations watch`, and ends with a pgloader-style summary table.
 * Loaded only by the demo command (it brings the Temporal worker in).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { endpointLabel, sqlitePath } from '../connectors/endpoint';
import type { Endpoint } from '../connectors/types';
import { ClaimCheckCodec } from '../lib/claim-check';
import { loadConfig } from '../lib/config';
import { MetadataStore } from '../lib/store';
import type { MigrationInput, MigrationStatus } from '../lib/migration';
import { Sealer } from '../lib/secrets';
import type { Dialect, Strategy } from '../lib/types';
import { detectDialect, dialectNamed, supportedDialects } from '../connectors/dialects';
import { freePort, startDevServer, type DevServer } from '../workers/dev-server';
import { createLogger } from '../lib/logger';
import { connectClient, connectWorker, installRuntimeLogging } from '../workers/temporal';
import { createWorker } from '../workers/worker';
import { approveUpdate, certificateQuery, migrationWorkflow, planQuery, startUpdate, statusQuery } from '../workflows/migration';
import { certificateText, loadOrCreateSigningKey, publicKeyPem } from '../lib/certificate';
import { ProgressView } from './progress';
import { summaryTable } from './summary';

const REPO_ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');
const CHINOOK = path.join(REPO_ROOT, 'fixtures', 'chinook', 'Chinook_Sqlite.sqlite');

function dialectOf(url: string): Dialect {
  const dialect = detectDialect(url);
  if (dialect && dialectNamed(dialect).capabilities.supported) return dialect;
  const forms = supportedDialects().map((d) => {
    const { urlSchemes, fileExtensions } = dialectNamed(d);
    return [...urlSchemes.slice(0, 1).map((s) => `${s}://`), ...fileExtensions.slice(0, 1).map((e) => `a .${e} path`)].join(' or ');
  });
  throw new Error(`cannot tell the database type of the target "${url.split('@').pop()}": use ${forms.join(', ')}`);
}

export interface DemoOptions {
  target?: string;
  strategy: Strategy;
  replace: boolean;
  /** Print the final status as JSON on stdout (and the running commentary on stderr) instead of the progress view. */
  json?: boolean;
}

/** Lines for people: stdout, or stderr when stdout carries JSON. */
const say = (opts: DemoOptions) => (line: string) => (opts.json ? console.error(line) : console.log(line));

/** Migrates the Chinook sample from SQLite through the real workflow, with the progress view, and prints the outcome. */
export async function demo(opts: DemoOptions): Promise<number> {
  const config = loadConfig();
  // The progress view owns the terminal: only the SDK's warnings and errors are printed.
  installRuntimeLogging(createLogger('sensei-demo', 'warn'), 'WARN');
  // Beside the data dir, not in it: no connector may open a file in Sensei's data dir (lib/reach.ts).
  const demoDir = `${config.dataDir}-demo`;
  fs.mkdirSync(demoDir, { recursive: true });
  // The fixture stays untouched: the demo reads a copy.
  const sourceFile = path.join(demoDir, 'chinook-source.sqlite');
  fs.copyFileSync(CHINOOK, sourceFile);
  let targetUrl = opts.target;
  if (!targetUrl) {
    targetUrl = path.join(demoDir, 'chinook-target.sqlite');
    fs.rmSync(targetUrl, { force: true });
  }
  const source: Endpoint = { type: dialectOf(sourceFile), connectionString: sourceFile };
  const targetType = dialectOf(targetUrl);
  // A relative SQLite path means the terminal's working directory (the worker would take it relative to its SQLite dir).
  const target: Endpoint = { type: targetType, connectionString: dialectNamed(targetType).capabilities.fileBased ? path.resolve(sqlitePath(targetUrl)) : targetUrl };

  let devServer: DevServer | undefined;
  if (!config.temporalAddress) {
    // A private, in-memory server on a free port: the demo never collides with a running `npm start`.
    devServer = await startDevServer(config.dataDir, { port: await freePort(), dbFile: '', ui: false });
  }
  const address = config.temporalAddress ?? (devServer as DevServer).address;
  const taskQueue = `sensei-demo-${randomBytes(4).toString('hex')}`;
  const connection = await connectWorker(address);
  // The demo's private worker runs only what this command starts, on files the person at the terminal named: any
  // SQLite file but those of the data and TLS dirs, whatever SENSEI_SQLITE_DIR says for the API's workers.
  const worker = await createWorker(connection, { ...config, taskQueue, sqliteDir: path.parse(demoDir).root });
  const running = worker.run();
  // The worker keeps large payloads in the metadata store (lib/claim-check.ts): this client reads them there.
  const store = await MetadataStore.open(config);
  const client = await connectClient(address, config.namespace, undefined, { payloadCodecs: [new ClaimCheckCodec(store)] });
  try {
    const status = await runDemoMigration(client, taskQueue, Sealer.fromConfig(config), source, target, opts);
    if (!opts.json) printOutcome(status, target);
    const certificate = await patiently(() => client.workflow.getHandle(status.id).query(certificateQuery));
    const files: { certificate?: string; public_key?: string } = {};
    if (certificate) {
      const file = path.join(demoDir, 'certificate.json');
      fs.writeFileSync(file, certificateText(certificate));
      // The public half of this server's signing key, which the operator trusts (the API serves the same PEM).
      const keyFile = path.join(demoDir, 'signing-public-key.pem');
      fs.writeFileSync(keyFile, publicKeyPem(loadOrCreateSigningKey(config)));
      Object.assign(files, { certificate: file, public_key: keyFile });
      say(opts)(`certificate written to ${file}; check it offline with: node dist/cli/sensei.js certificates verify ${file} --public-key ${keyFile}`);
    }
    if (opts.json) console.log(JSON.stringify({ ...status, files }, null, 2));
    return status.status === 'completed' ? 0 : 1;
  } finally {
    await worker.shutdown();
    await running.catch(() => undefined);
    await client.connection.close();
    await store.close();
    await connection.close();
    await devServer?.stop();
  }
}

async function runDemoMigration(
  client: Client,
  taskQueue: string,
  sealer: Sealer,
  source: Endpoint,
  target: Endpoint,
  opts: DemoOptions,
): Promise<MigrationStatus> {
  const id = `mig_${randomBytes(8).toString('hex')}`;
  const ref = (e: Endpoint) => ({ type: e.type, sealedConnection: sealer.seal(e.connectionString), description: endpointLabel(e) });
  const input: MigrationInput = {
    id,
    name: 'Chinook demo',
    source: ref(source),
    target: ref(target),
    strategy: opts.strategy,
    options: { auto_approve_high_confidence: true, replace_existing_tables: opts.replace },
    createdAt: new Date().toISOString(),
  };
  const handle = await client.workflow.start(migrationWorkflow, { taskQueue, workflowId: id, args: [input] });
  say(opts)(`Sensei demo: Chinook (SQLite) → ${input.target.description}`);
  say(opts)(`migration ${id}, strategy ${opts.strategy}`);
  await handle.executeUpdate(startUpdate);

  const view = opts.json ? undefined : new ProgressView({ stream: process.stdout });
  const note = (line: string) => (view ? view.note(line) : console.error(line));
  let approved = false;
  try {
    for (;;) {
      const status = await patiently(() => handle.query(statusQuery));
      view?.update(status);
      if (status.status === 'awaiting_approval' && !approved) {
        const plan = await patiently(() => handle.query(planQuery));
        const lossy = plan?.tables.flatMap((t) => t.columns).filter((c) => c.confidence < 1) ?? [];
        note(`approval gate: ${status.gate?.reason}. Lossy mappings:`);
        for (const c of lossy) note(`  ${c.id}: ${c.sourceType} → ${c.targetType} (confidence ${c.confidence}) ${c.note ?? ''}`);
        note('  the demo approves them (a real run waits for "sensei migrations approve <id>")');
        await handle.executeUpdate(approveUpdate, { args: [{ by: 'sensei demo', comment: 'demo approves lossy mappings it printed' }] });
        approved = true;
      }
      if (['completed', 'failed', 'cancelled'].includes(status.status)) return status;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    view?.stop();
  }
}

/** How long the demo keeps asking a worker that does not answer (a busy machine) before it gives up. */
const QUERY_PATIENCE_MS = 60_000;

/**
 * A query, asked again while the worker does not answer in time (a loaded machine: the worker is busy copying or
 * the query's deadline passed). A workflow that does not exist is no reason to wait.
 */
async function patiently<T>(query: () => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + QUERY_PATIENCE_MS;
  for (let wait = 250; ; wait = Math.min(wait * 2, 4_000)) {
    try {
      return await query();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || Date.now() + wait > giveUpAt) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function printOutcome(status: MigrationStatus, target: Endpoint) {
  console.log(`\nstatus: ${status.status}${status.failure ? ` (${status.failure.code}: ${status.failure.message})` : ''}\n`);
  console.log(summaryTable(status));
  const tiers = status.validation ? Object.entries(status.validation.tiers).map(([tier, t]) => `${tier} ${t.verdict}`) : [];
  console.log(`\nvalidation: ${status.validation?.status ?? 'not run'}${tiers.length ? ` (${tiers.join(', ')})` : ''}`);
  for (const [tier, t] of Object.entries(status.validation?.tiers ?? {})) {
    if (t.verdict !== 'passed' && t.summary) console.log(`  ${tier}: ${t.summary}`);
  }
  console.log(
    status.certificate
      ? `certificate: ${status.certificate.certificate_id} (sha256 ${status.certificate.sha256.slice(0, 16)}…), issued ${status.certificate.issued_at}`
      : 'certificate: none (issued only when all five tiers pass)',
  );
  if (dialectNamed(target.type).capabilities.fileBased) console.log(`target: ${target.connectionString}`);
}
