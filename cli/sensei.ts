#!/usr/bin/env node
/**
 * `sensei`: the operator's command line. `demo` runs a migration on a private worker; everything else talks to a
 * running API through the TypeScript SDK (cli/commands.ts). Exit codes: see EXIT in cli/commands.ts.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import { verifyCertificateText } from '../lib/certificate';
import { EXIT, EXIT_CODES_HELP, certificateCommands, connectionCommands, keyCommands, mappingCommands, migrationCommands, reportError } from './commands';
import type { DemoOptions } from './demo';
import type { GcBlobsOptions } from './gc-blobs';

/** Checks a certificate file offline: 0 intact and signed by the trusted key, 1 altered, 2 intact but signer unknown. */
function verifyCertificate(file: string, opts: { publicKey?: string; json?: boolean }): number {
  const trusted = opts.publicKey && fs.existsSync(opts.publicKey) ? fs.readFileSync(opts.publicKey, 'utf8') : opts.publicKey;
  const result = verifyCertificateText(fs.readFileSync(file), { trustedKey: trusted });
  const cert = result.certificate;
  const code = !result.valid ? EXIT.error : result.key_trusted ? EXIT.ok : EXIT.unknownSigner;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ file, valid: result.valid, key_trusted: result.key_trusted, key_fingerprint: result.key_fingerprint, problems: result.problems, certificate_id: cert?.certificate_id ?? null, migration_id: cert?.migration.id ?? null }, null, 2)}\n`,
    );
    return code;
  }
  if (!result.valid) {
    console.error(`INVALID certificate ${file}`);
    for (const problem of result.problems) console.error(`  - ${problem}`);
    return code;
  }
  console.log(`${cert?.certificate_id} for migration ${cert?.migration.id} (${cert?.environment ?? 'environment not named'}; ${cert?.source.description} → ${cert?.target.description})`);
  console.log(`issued ${cert?.timestamps.issued_at}; tables ${cert?.tables.length}; all five tiers passed`);
  if (!result.key_trusted) {
    // Anyone can sign a certificate with a key of their own and embed it: without a trusted key, the signer is unknown.
    console.error(`signature valid, but the signer is unknown: key ${result.key_fingerprint} is only the one embedded in the file.`);
    console.error('pass --public-key with the PEM from GET /v1/certificates/public-key (or its sha256 fingerprint) to trust it');
    return code;
  }
  console.log(`valid: signed by the trusted key ${result.key_fingerprint}`);
  return code;
}

const VERIFY_HELP =
  'verify a Behavioral Equivalence Certificate offline (exact canonical bytes and Ed25519 signature): exits 0 only when it is intact and signed by the trusted key; 1 on any altered byte; 2 when intact but no trusted key was given (the signer is unknown)';

function addVerify(cmd: Command): Command {
  return cmd
    .option('-k, --public-key <pem-file-or-sha256>', 'trust only this signing key (PEM file, or the sha256 fingerprint the API serves)')
    .option('--json', 'print the verdict as JSON')
    .action((file: string, opts: { publicKey?: string; json?: boolean }) => {
      try {
        process.exitCode = verifyCertificate(file, opts);
      } catch (err) {
        reportError(err, opts.json === true);
      }
    });
}

const program = new Command();
program
  .name('sensei')
  .description('Sensei database migrations (Temporal workflows): run the demo, or drive a running API (npm start)')
  .addHelpText('after', EXIT_CODES_HELP);

program
  .command('demo')
  .description('migrate the Chinook sample database from SQLite into an embedded SQLite file, or a PostgreSQL/MySQL URL')
  .option('-t, --target <url>', 'target database: postgresql://…, mysql://…, or a .sqlite path (default: .sensei-demo/chinook-target.sqlite)')
  .addOption(new Option('-s, --strategy <strategy>', 'migration strategy').choices(['conservative', 'balanced', 'aggressive']).default('balanced'))
  .option('--replace', 'replace target tables that already hold rows', false)
  .option('--json', 'print the final status as JSON instead of the progress view')
  .action(async (opts: DemoOptions) => {
    // Loaded here only: the demo brings in the Temporal worker, which the API commands have no use for.
    const { demo } = await import('./demo');
    process.exitCode = await demo(opts);
  });

program
  .command('gc-blobs')
  .description(
    "delete the metadata store's large-payload blobs that no workflow history Temporal still keeps names and nobody wrote within the grace period (uses TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and SENSEI_DATABASE_URL / SENSEI_DATA_DIR)",
  )
  .option('--dry-run', 'report what would be deleted; delete nothing')
  .option('--grace <duration>', 'keep unreferenced blobs written within this long (at least 1h; default SENSEI_BLOB_GC_GRACE or 24h)')
  .option('--json', 'print the report as JSON')
  .action(async (opts: GcBlobsOptions) => {
    // Loaded here only: it connects to Temporal and the store directly, which the API commands have no use for.
    const { gcBlobs } = await import('./gc-blobs');
    process.exitCode = await gcBlobs(opts);
  });

migrationCommands(program);
mappingCommands(program);
connectionCommands(program);
keyCommands(program);

const certificates = program.command('certificates').alias('certificate').description('Behavioral Equivalence Certificates');
addVerify(certificates.command('verify <certificate>').description(VERIFY_HELP));
certificateCommands(certificates);
// The first spelling of the command, kept for scripts that use it.
addVerify(program.command('verify <certificate>').description(`alias of "certificates verify": ${VERIFY_HELP}`));

program.parseAsync(process.argv).catch((err: unknown) => {
  reportError(err, process.argv.includes('--json'));
});
