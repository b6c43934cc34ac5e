/**
 * What Sensei may reach for the people who call its API: the files a connection string may name (SQLite databases,
 * TLS certificates and keys) and the network addresses a database connection or a webhook may connect to.
 *
 * The API checks every request with these rules (a 422 that says why), and the worker checks again when it opens a
 * connection or delivers a webhook: a connection or subscription stored before a rule existed, or a host name whose
 * DNS answer changed since, gets no further. Addresses are checked after DNS resolution, in the socket's own `lookup`,
 * so the address checked is the address connected to (no window for DNS rebinding between a check and a connect).
 */
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The settings the rules come from (lib/config reads them; README documents them). */
export interface ReachSettings {
  /** SENSEI_SQLITE_DIR: SQLite files may be named only inside it; unset → no SQLite file may be named. */
  sqliteDir: string | undefined;
  /** SENSEI_TLS_DIR: certificate and key files of connection strings may be named only inside it; unset → none. */
  tlsDir: string | undefined;
  /** SENSEI_DATA_DIR: Sensei's own state and keys; never named, whatever the directories above allow. */
  dataDir: string;
  /** SENSEI_WEBHOOK_ALLOW_PRIVATE: webhooks may go to loopback and private addresses. */
  webhookAllowPrivate: boolean;
  /** SENSEI_WEBHOOK_ALLOW_CIDRS: loopback and private ranges webhooks may go to (`10.1.0.0/16`, `::1/128`). */
  webhookAllowCidrs: string[];
}

export interface ReachPolicy extends ReachSettings {
  /** webhookAllowCidrs as a matcher. */
  readonly webhookAllowed: net.BlockList;
}

export function reachPolicy(settings: ReachSettings): ReachPolicy {
  const webhookAllowed = new net.BlockList();
  for (const cidr of settings.webhookAllowCidrs) {
    const { address, prefix, family } = parseCidr(cidr);
    webhookAllowed.addSubnet(address, prefix, family);
  }
  return {
    ...settings,
    sqliteDir: settings.sqliteDir && path.resolve(settings.sqliteDir),
    tlsDir: settings.tlsDir && path.resolve(settings.tlsDir),
    dataDir: path.resolve(settings.dataDir),
    webhookAllowed,
  };
}

/** `10.0.0.0/8`, `fd00::/8`, or a bare address (one host). Throws on anything else. */
export function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address, bits, ...rest] = text.trim().split('/');
  const version = net.isIP(address ?? '');
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!version || rest.length || !/^\d{1,3}$/.test(bits ?? String(max)) || prefix > max) {
    throw new Error(`"${text}" is not an address range like 10.0.0.0/8 or fd00::/8`);
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** A refusal by these rules. The message says why and names no secret; it may be shown to the API caller. */
export class NotAllowed extends Error {
  /** Set on the error so it is recognised after a driver or `net` passed it on. */
  readonly code = NOT_ALLOWED;
  constructor(message: string) {
    super(message);
    this.name = 'NotAllowed';
  }
}

const NOT_ALLOWED = 'ERR_SENSEI_NOT_ALLOWED';

export function isNotAllowed(error: unknown): error is NotAllowed {
  return (error as { code?: unknown } | null)?.code === NOT_ALLOWED;
}

// ---------------------------------------------------------------- files

export type FileKind = 'sqlite' | 'tls';

const SETTING: Record<FileKind, string> = { sqlite: 'SENSEI_SQLITE_DIR', tls: 'SENSEI_TLS_DIR' };

/**
 * The real path (symlinks resolved) of a file a connection string names, when it lies inside the kind's directory
 * and outside Sensei's data directory (and, for SQLite, outside the TLS directory); throws NotAllowed otherwise.
 * A relative path is taken relative to the kind's directory. A file that does not exist yet (a SQLite target) is
 * judged by the real path of its nearest existing ancestor; a TLS file must exist. The caller opens the returned
 * path, not the given one.
 */
export function allowedFile(given: string, kind: FileKind, label: string, policy: ReachPolicy): string {
  const setting = SETTING[kind];
  const dir = kind === 'sqlite' ? policy.sqliteDir : policy.tlsDir;
  if (!dir) {
    const what = kind === 'sqlite' ? 'SQLite files' : 'certificate and key files';
    throw new NotAllowed(`${label}: ${what} are turned off on this server (its operator sets ${setting} to the directory they may be named in)`);
  }
  if (given.includes('\0')) throw new NotAllowed(`${label}: the path contains a NUL byte`);
  // `..` after a symlink means the symlink's parent to the OS but not to path.resolve: refused rather than guessed.
  if (given.split(/[\\/]/).includes('..')) throw new NotAllowed(`${label}: the path may not contain '..'`);
  const root = realPath(dir);
  if (!root) throw new NotAllowed(`${label}: ${setting} does not exist on this server`);
  const file = realPath(path.resolve(root, given), { missingTail: true });
  if (!file) throw new NotAllowed(`${label}: the path leads through a broken or looping symlink`);
  if (!inside(file, root, { strictly: true })) throw new NotAllowed(`${label}: the file lies outside the directory ${setting} allows`);
  const dataDir = realPath(policy.dataDir, { missingTail: true }) ?? policy.dataDir;
  if (inside(file, dataDir)) {
    throw new NotAllowed(`${label}: the file lies in Sensei's data directory (SENSEI_DATA_DIR), which holds its state and keys`);
  }
  const tlsDir = policy.tlsDir && (realPath(policy.tlsDir, { missingTail: true }) ?? policy.tlsDir);
  if (kind === 'sqlite' && tlsDir && inside(file, tlsDir)) {
    throw new NotAllowed(`${label}: the file lies in the TLS directory (SENSEI_TLS_DIR), which holds certificates and keys`);
  }
  // Told only now, so that whether a file exists is never said of a path outside the directory.
  if (kind === 'tls' && !fs.existsSync(file)) throw new NotAllowed(`${label}: no such file in the directory ${setting} allows`);
  return file;
}

/**
 * The real path of `p`; with `missingTail`, the real path of its nearest existing ancestor joined with the names
 * that do not exist yet. Undefined when it cannot be told: missing (without missingTail), a dangling symlink on the
 * way (the OS would follow it wherever it points), a loop, or a file where a directory should be.
 */
function realPath(p: string, options: { missingTail?: boolean } = {}): string | undefined {
  const tail: string[] = [];
  let current = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(current), ...tail);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !options.missingTail) return undefined;
      if (exists(current)) return undefined;
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    tail.unshift(path.basename(current));
    current = parent;
  }
}

/** Whether anything (a dangling symlink included) is at `p`. */
function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function inside(child: string, parent: string, options: { strictly?: boolean } = {}): boolean {
  const rel = path.relative(parent, child);
  if (rel === '') return !options.strictly;
  return rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel);
}

// ---------------------------------------------------------------- addresses

export type Purpose = 'database' | 'webhook';

interface Range {
  /** Why an address of the range is refused. */
  what: string;
  list: net.BlockList;
}

/**
 * IPv4 subnets also match in the IPv6 forms that carry an IPv4 address to it: IPv4-mapped (::ffff:a.b.c.d, which
 * BlockList matches by itself) and NAT64 (64:ff9b::a.b.c.d). The deprecated IPv4-compatible form (::a.b.c.d) is not
 * routed to IPv4 and would swallow ::1.
 */
function range(what: string, subnets: string[]): Range {
  const list = new net.BlockList();
  for (const s of subnets) {
    const { address, prefix, family } = parseCidr(s);
    list.addSubnet(address, prefix, family);
    if (family === 'ipv4') {
      list.addSubnet(`64:ff9b::${address}`, 96 + prefix, 'ipv6');
    }
  }
  return { what, list };
}

/** Never reached, for anyone: cloud metadata services live here, and 0.0.0.0 / :: mean this very host. */
const NEVER: Range[] = [
  range('a link-local address (169.254.0.0/16, fe80::/10), where cloud metadata services answer', ['169.254.0.0/16', 'fe80::/10']),
  // AWS's IPv6 metadata endpoint, Alibaba Cloud's metadata address, Azure's WireServer (platform agent and DNS).
  range('a cloud metadata address', ['fd00:ec2::254/128', '100.100.100.200/32', '168.63.129.16/32']),
  range('an unspecified address (0.0.0.0, ::), which means this host', ['0.0.0.0/8', '::/128']),
];

/** Sensei's own host and networks: databases may be there, webhooks only when the operator allows it. */
const PRIVATE: Range[] = [
  range('a loopback address', ['127.0.0.0/8', '::1/128']),
  range('a private address', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7', 'fec0::/10']),
];

/** Why a connection to `address` (an IP address) is refused for `purpose`; undefined when it is allowed. */
export function refusedAddress(address: string, purpose: Purpose, policy?: ReachPolicy): string | undefined {
  const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
  const never = NEVER.find((r) => r.list.check(address, family));
  if (never) return never.what;
  if (purpose === 'database') return undefined;
  const local = PRIVATE.find((r) => r.list.check(address, family));
  if (!local || policy?.webhookAllowPrivate || policy?.webhookAllowed.check(address, family)) return undefined;
  return `${local.what} (SENSEI_WEBHOOK_ALLOW_PRIVATE or SENSEI_WEBHOOK_ALLOW_CIDRS on the server would allow it)`;
}

/** `[::1]` → `::1`: URL hosts keep IPv6 brackets, sockets and DNS do not. */
export function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** NotAllowed when `host` is an IP address that is refused for `purpose` (names are judged after resolution). */
export function checkLiteralHost(host: string, purpose: Purpose, policy?: ReachPolicy): void {
  const bare = bareHost(host);
  const refused = net.isIP(bare) ? refusedAddress(bare, purpose, policy) : undefined;
  if (refused) throw new NotAllowed(`the host ${bare} is ${refused}`);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets (net, http, https, tls): resolves as dns.lookup does, refuses when any address of the answer
 * is refused for `purpose`, and hands the socket only addresses it checked. `net` skips `lookup` for IP addresses:
 * callers check those with checkLiteralHost.
 */
export function guardedLookup(purpose: Purpose, policy?: ReachPolicy): net.LookupFunction {
  const lookup = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const refused = addresses.map((a) => refusedAddress(a.address, purpose, policy)).find((r) => r !== undefined);
      if (refused) return callback(new NotAllowed(`the host ${hostname} resolves to ${refused}`), '');
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      return first ? callback(null, first.address, first.family) : callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
    });
  };
  return lookup as unknown as net.LookupFunction;
}

/**
 * A TCP socket for a database driver's `stream` option (pg, mysql2): the driver calls `connect(port, host)` on it, and
 * it connects only to addresses allowed for databases. Unix domain sockets are refused: they are files of this host.
 */
export function databaseSocket(): net.Socket {
  const socket = new net.Socket();
  const connect = socket.connect.bind(socket) as (options: net.TcpNetConnectOpts) => net.Socket;
  const refuse = (error: NotAllowed) => {
    // The driver listens for 'error' once connect() has returned.
    process.nextTick(() => socket.destroy(error));
    return socket;
  };
  socket.connect = ((port: unknown, host?: unknown) => {
    if (typeof port !== 'number' && !/^\d+$/.test(String(port))) {
      return refuse(new NotAllowed('Unix domain sockets are files of the Sensei host and cannot be connected to; name a host and port'));
    }
    const name = bareHost(String(host || 'localhost'));
    try {
      checkLiteralHost(name, 'database');
    } catch (error) {
      return refuse(error as NotAllowed);
    }
    return connect({ port: Number(port), host: name, lookup: guardedLookup('database') });
  }) as typeof socket.connect;
  return socket;
}

/**
 * Whether a webhook URL may be subscribed to: its host, resolved now, has only addresses allowed for webhooks.
 * A name that does not resolve yet is accepted: every delivery resolves and checks it again.
 */
export async function checkWebhookUrl(url: string, policy: ReachPolicy): Promise<void> {
  const host = bareHost(new URL(url).hostname);
  checkLiteralHost(host, 'webhook', policy);
  if (net.isIP(host)) return;
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(host, { all: true });
  } catch {
    return;
  }
  const refused = addresses.map((a) => refusedAddress(a.address, 'webhook', policy)).find((r) => r !== undefined);
  if (refused) throw new NotAllowed(`the host ${host} resolves to ${refused}`);
}
