import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

/** Settings of temporal-dev.yaml (see the comments in that file). */
export interface DevServerSettings {
  ip: string;
  port: number;
  ui: boolean;
  ui_port: number;
  namespace: string;
  db_filename: string;
  log_level: string;
  search_attributes: Record<string, string>;
  dynamic_config: Record<string, unknown>;
}

const REPO_ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');

export function readDevServerSettings(file = path.join(REPO_ROOT, 'temporal-dev.yaml')): DevServerSettings {
  return YAML.parse(fs.readFileSync(file, 'utf8')) as DevServerSettings;
}

/** The Web UI of the dev server `npm run temporal` / `npm start` would start (temporal-dev.yaml), when it is on. */
export function embeddedUiUrl(): string | undefined {
  const s = readDevServerSettings();
  return s.ui ? `http://${s.ip}:${s.ui_port}` : undefined;
}

/** The Temporal CLI built by scripts/install-temporal.sh (or SENSEI_TEMPORAL_BIN, or one on PATH). */
export function temporalBinary(): string {
  const candidates = [
    process.env.SENSEI_TEMPORAL_BIN,
    path.join(process.env.SENSEI_TOOLS_DIR ?? path.join(os.homedir(), '.cache', 'sensei', 'bin'), 'temporal'),
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'temporal')),
  ];
  const found = candidates.find((c): c is string => !!c && fs.existsSync(c));
  if (!found) throw new Error('the Temporal CLI is not installed: run `bash scripts/install-temporal.sh` (or set TEMPORAL_ADDRESS)');
  return found;
}

export interface DevServer {
  address: string;
  namespace: string;
  /** The Temporal Web UI (http://127.0.0.1:<ui_port>) when it is on. */
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevServerOverrides {
  port?: number;
  /** Absolute path of the state file, or '' for in-memory. */
  dbFile?: string;
  ui?: boolean;
  /** The Web UI's port when it is on (temporal-dev.yaml's ui_port otherwise). */
  uiPort?: number;
}

/** Starts `temporal server start-dev` and resolves once its frontend accepts connections. */
export async function startDevServer(dataDir: string, overrides: DevServerOverrides = {}): Promise<DevServer> {
  const s = readDevServerSettings();
  const port = overrides.port ?? s.port;
  const dbFile = overrides.dbFile ?? (s.db_filename ? path.resolve(dataDir, s.db_filename) : '');
  const args = ['server', 'start-dev', '--ip', s.ip, '--port', String(port), '--namespace', s.namespace, '--log-level', s.log_level];
  if (dbFile) {
    fs.mkdirSync(path.dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
  }
  const ui = overrides.ui ?? s.ui;
  const uiPort = overrides.uiPort ?? s.ui_port;
  // The UI listens on the server's address (loopback in temporal-dev.yaml), never on every interface.
  if (ui) args.push('--ui-ip', s.ip, '--ui-port', String(uiPort));
  else args.push('--headless');
  for (const [key, type] of Object.entries(s.search_attributes ?? {})) args.push('--search-attribute', `${key}=${type}`);
  for (const [key, value] of Object.entries(s.dynamic_config ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);

  // A server still listening here is most often one whose parent was killed a moment ago and that is shutting
  // down: wait for it, but never take another process's server for ours (its state would not be this data dir's).
  if (!(await portFreeWithin(s.ip, port, 15_000))) {
    throw new Error(`something already listens on ${s.ip}:${port}: stop it, or set TEMPORAL_ADDRESS to use it as the Temporal server`);
  }
  const [command, ...commandArgs] = [...diesWithParent(), temporalBinary(), ...args];
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `${s.ip}:${port}`;
  const ready = await Promise.race([waitForPort(s.ip, port, 60_000).then(() => true), exited.then(() => false)]);
  if (!ready) throw new Error(`the Temporal dev server exited at start: ${stderr.trim() || 'no output'}`);

  return {
    address,
    namespace: s.namespace,
    ...(ui ? { uiUrl: `http://${s.ip}:${uiPort}` } : {}),
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The command prefix that makes the server get SIGTERM when the process that started it dies, even by kill -9
 * (util-linux setpriv sets the parent-death signal, then execs it); without setpriv the server is spawned as is.
 */
function diesWithParent(): string[] {
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
  return setpriv ? [setpriv, '--pdeathsig', 'SIGTERM', '--'] : [];
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function portFreeWithin(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await listening(host, port)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}

export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await listening(host, port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A free TCP port on loopback (for tests and the demo's private server). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}
