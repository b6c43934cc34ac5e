#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import type { Client } from '@temporalio/client';
import { endpointLabel, sqlitePath } from '../connectors/endpoint';
import type { Endpoint } from '../connectors/types';
import { verifyCertificateText } from '../lib/certificate';
import { loadConfig } from '../lib/config';
import type { MigrationInput, MigrationStatus } from '../lib/migration';
import { Sealer } from '../lib/secrets';
import type { Dialect, Strategy } from '../lib/types';
import { freePort, startDevServer, type DevServer } from '../workers/dev-server';
import { createLogger } from '../lib/logger';
import { connectClient, connectWorker, installRuntimeLogging } from '../workers/temporal';
import { createWorker } from '../workers/worker';
import { approveUpdate, certificateQuery, migrationWorkflow, planQuery, startUpdate, statusQuery } from '../workflows/migration';
import { certificateText, loadOrCreateSigningKey, publicKeyPem } from '../lib/certificate';

const REPO_ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');
const CHINOOK = path.join(REPO_ROOT, 'fixtures', 'chinook', 'Chinook_Sqlite.sqlite');

function dialectOf(url: string): Dialect {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  if (/^(mysql|mariadb):\/\//i.test(url)) return 'mysql';
  if (/^(sqlite:|file:)/i.test(url) || /\.(sqlite3?|db)$/i.test(url)) return 'sqlite';
  throw new Error(`cannot tell the database type of the target "${url.split('@').pop()}": use postgresql://, mysql:// or a .sqlite path`);
}

interface DemoOptions {
  target?: string;
  strategy: Strategy;
  replace: boolean;
}

/** Migrates the Chinook sample from SQLite through the real workflow, with a progress bar, and prints the outcome. */
async function demo(opts: DemoOptions): Promise<number> {
  const config = loadConfig();
  // The progress bar owns the terminal: only the SDK's warnings and errors are printed.
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
  const source: Endpoint = { type: 'sqlite', connectionString: sourceFile };
  const targetType = dialectOf(targetUrl);
  // A relative SQLite path means the terminal's working directory (the worker would take it relative to its SQLite dir).
  const target: Endpoint = { type: targetType, connectionString: targetType === 'sqlite' ? path.resolve(sqlitePath(targetUrl)) : targetUrl };

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
  const client = await connectClient(address, config.namespace);
  try {
    const status = await runDemoMigration(client, taskQueue, Sealer.fromConfig(config), source, target, opts);
    printOutcome(status, target);
    const certificate = await client.workflow.getHandle(status.id).query(certificateQuery);
    if (certificate) {
      const file = path.join(demoDir, 'certificate.json');
      fs.writeFileSync(file, certificateText(certificate));
      // The public half of this server's signing key, which the operator trusts (the API serves the same PEM).
      const keyFile = path.join(demoDir, 'signing-public-key.pem');
      fs.writeFileSync(keyFile, publicKeyPem(loadOrCreateSigningKey(config)));
      console.log(`certificate written to ${file}; check it offline with: node dist/cli/sensei.js verify ${file} --public-key ${keyFile}`);
    }
    return status.status === 'completed' ? 0 : 1;
  } finally {
    await worker.shutdown();
    await running.catch(() => undefined);
    await client.connection.close();
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
  console.log(`Sensei demo: Chinook (SQLite) → ${input.target.description}`);
  console.log(`migration ${id}, strategy ${opts.strategy}`);
  await handle.executeUpdate(startUpdate);

  const bar = new cliProgress.SingleBar(
    { format: ' {phase} |{bar}| {percentage}% | {value}/{total} rows | tables {tables}', hideCursor: true, noTTYOutput: true, notTTYSchedule: 1000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { phase: 'starting'.padEnd(16), tables: '0/0' });
  let approved = false;
  for (;;) {
    const status = await handle.query(statusQuery);
    const p = status.progress;
    bar.setTotal(Math.max(1, p.rows_estimated));
    bar.update(p.rows_copied, { phase: (status.phase ?? status.status).padEnd(16), tables: `${p.tables_completed}/${p.tables_total}` });
    if (status.status === 'awaiting_approval' && !approved) {
      bar.stop();
      const plan = await handle.query(planQuery);
      const lossy = plan?.tables.flatMap((t) => t.columns).filter((c) => c.confidence < 1) ?? [];
      console.log(`approval gate: ${status.gate?.reason}. Lossy mappings:`);
      for (const c of lossy) console.log(`  ${c.id}: ${c.sourceType} → ${c.targetType} (confidence ${c.confidence}) ${c.note ?? ''}`);
      console.log('  the demo approves them (a real run waits for POST /v1/migrations/{id}/approve)');
      await handle.executeUpdate(approveUpdate, { args: [{ by: 'sensei demo', comment: 'demo approves lossy mappings it printed' }] });
      approved = true;
      bar.start(Math.max(1, p.rows_estimated), p.rows_copied, { phase: 'approved'.padEnd(16), tables: `${p.tables_completed}/${p.tables_total}` });
    }
    if (['completed', 'failed', 'cancelled'].includes(status.status)) {
      bar.update(status.progress.rows_copied);
      bar.stop();
      return status;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function printOutcome(status: MigrationStatus, target: Endpoint) {
  console.log(`\nstatus: ${status.status}${status.failure ? ` (${status.failure.code}: ${status.failure.message})` : ''}`);
  const counts = new Map(status.validation?.row_counts.map((c) => [c.table, c]) ?? []);
  console.table(
    status.tables.map((t) => ({
      table: t.name,
      rows: t.rows_copied,
      chunks: t.chunks,
      'source rows': counts.get(t.name)?.source_rows ?? '-',
      'target rows': counts.get(t.name)?.target_rows ?? '-',
      match: counts.get(t.name)?.match ?? '-',
    })),
  );
  const seconds = status.duration_ms === null ? '-' : (status.duration_ms / 1000).toFixed(1);
  console.log(`tables: ${status.progress.tables_completed}/${status.progress.tables_total}, rows: ${status.progress.rows_copied}, duration: ${seconds} s`);
  const tiers = status.validation ? Object.entries(status.validation.tiers).map(([tier, t]) => `${tier} ${t.verdict}`) : [];
  console.log(`validation: ${status.validation?.status ?? 'not run'}${tiers.length ? ` (${tiers.join(', ')})` : ''}`);
  for (const [tier, t] of Object.entries(status.validation?.tiers ?? {})) {
    if (t.verdict !== 'passed' && t.summary) console.log(`  ${tier}: ${t.summary}`);
  }
  console.log(
    status.certificate
      ? `certificate: ${status.certificate.certificate_id} (sha256 ${status.certificate.sha256.slice(0, 16)}…), issued ${status.certificate.issued_at}`
      : 'certificate: none (issued only when all five tiers pass)',
  );
  if (target.type === 'sqlite') console.log(`target: ${target.connectionString}`);
}

const program = new Command();
program.name('sensei').description('Sensei database migrations (Temporal workflows)');
program
  .command('demo')
  .description('migrate the Chinook sample database from SQLite into an embedded SQLite file, or a PostgreSQL/MySQL URL')
  .option('-t, --target <url>', 'target database: postgresql://…, mysql://…, or a .sqlite path (default: .sensei-demo/chinook-target.sqlite)')
  .addOption(new Option('-s, --strategy <strategy>', 'migration strategy').choices(['conservative', 'balanced', 'aggressive']).default('balanced'))
  .option('--replace', 'replace target tables that already hold rows', false)
  .action(async (opts: DemoOptions) => {
    process.exitCode = await demo(opts);
  });

program
  .command('verify <certificate>')
  .description(
    'verify a Behavioral Equivalence Certificate offline (exact canonical bytes and Ed25519 signature): exits 0 only when it is intact and signed by the trusted key; 1 on any altered byte; 2 when intact but no trusted key was given (the signer is unknown)',
  )
  .option('-k, --public-key <pem-file-or-sha256>', 'trust only this signing key (PEM file, or the sha256 fingerprint the API serves)')
  .action((file: string, opts: { publicKey?: string }) => {
    const trusted = opts.publicKey && fs.existsSync(opts.publicKey) ? fs.readFileSync(opts.publicKey, 'utf8') : opts.publicKey;
    const result = verifyCertificateText(fs.readFileSync(file), { trustedKey: trusted });
    const cert = result.certificate;
    if (!result.valid) {
      console.error(`INVALID certificate ${file}`);
      for (const problem of result.problems) console.error(`  - ${problem}`);
      process.exitCode = 1;
      return;
    }
    console.log(`${cert?.certificate_id} for migration ${cert?.migration.id} (${cert?.environment ?? 'environment not named'}; ${cert?.source.description} → ${cert?.target.description})`);
    console.log(`issued ${cert?.timestamps.issued_at}; tables ${cert?.tables.length}; all five tiers passed`);
    if (!result.key_trusted) {
      // Anyone can sign a certificate with a key of their own and embed it: without a trusted key, the signer is unknown.
      console.error(`signature valid, but the signer is unknown: key ${result.key_fingerprint} is only the one embedded in the file.`);
      console.error('pass --public-key with the PEM from GET /v1/certificates/public-key (or its sha256 fingerprint) to trust it');
      process.exitCode = 2;
      return;
    }
    console.log(`valid: signed by the trusted key ${result.key_fingerprint}`);
  });

program.parseAsync(process.argv).catch((err: Error) => {
  console.error(`sensei: ${err.message}`);
  process.exitCode = 1;
});
