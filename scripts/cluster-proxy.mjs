#!/usr/bin/env node
/**
 * One address in front of several Sensei API processes (scripts/cluster.sh starts it): a TCP proxy that hands each
 * new connection to the next API in turn, and skips an API that refuses the connection (a killed or restarting
 * process), so clients keep one URL while API processes come and go. Requests already on a connection to an API
 * that dies fail as they would behind any load balancer; the client's next connection goes to a live one.
 *
 *   node scripts/cluster-proxy.mjs LISTEN_HOST:PORT BACKEND_HOST:PORT [BACKEND_HOST:PORT …]
 */
import net from 'node:net';

function parseAddress(text) {
  const at = text.lastIndexOf(':');
  const port = Number(text.slice(at + 1));
  if (at < 1 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a host:port address: "${text}"`);
  return { host: text.slice(0, at), port };
}

/** Connects `client` to the first backend that accepts, trying each once from `start`; closes it when none does. */
function forward(client, backends, start, tried = 0) {
  if (tried === backends.length) {
    client.destroy();
    return;
  }
  const backend = backends[(start + tried) % backends.length];
  const upstream = net.connect(backend);
  const refused = () => forward(client, backends, start, tried + 1);
  upstream.once('error', refused);
  upstream.once('connect', () => {
    upstream.off('error', refused);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
}

function main() {
  const [listenText, ...backendTexts] = process.argv.slice(2);
  if (!listenText || backendTexts.length === 0) {
    process.stderr.write('usage: node scripts/cluster-proxy.mjs LISTEN_HOST:PORT BACKEND_HOST:PORT [BACKEND_HOST:PORT …]\n');
    process.exit(2);
  }
  const listen = parseAddress(listenText);
  const backends = backendTexts.map(parseAddress);
  let next = 0;
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    client.on('error', () => {});
    forward(client, backends, next, 0);
    next = (next + 1) % backends.length;
  });
  server.on('error', (err) => {
    process.stderr.write(`cluster-proxy: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(listen.port, listen.host, () => {
    process.stdout.write(`cluster-proxy listening on ${listenText} → ${backendTexts.join(', ')}\n`);
  });
  // Nothing to drain: open connections end with the process, as they would with a killed API.
  process.once('SIGTERM', () => process.exit(0));
  process.once('SIGINT', () => process.exit(0));
}

main();
