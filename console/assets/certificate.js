// Checks a downloaded certificate in the browser, as `sensei verify` does on a terminal: the exact bytes the status
// names (sha256), their canonical (RFC 8785) form, the Ed25519 signature over the body, and that the signing key is
// this server's (GET /v1/certificates/public-key).
import { api } from './api.js';

/** RFC 8785 canonical JSON: keys sorted by UTF-16 code units, ECMAScript number and string forms, no whitespace. */
export function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}

const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (data) => hex(await crypto.subtle.digest('SHA-256', data));

/** Answers {ok, message}: what was checked, or the first thing that failed. */
export async function verifyCertificate(text, summary) {
  const problems = [];
  if ((await sha256(new TextEncoder().encode(text))) !== summary.sha256) problems.push('the file is not the one the status names (sha256 differs)');
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Not verified: the file is not JSON' };
  }
  if (canonicalJson(doc) !== text) problems.push('the file is not in canonical form');
  const sig = doc.signature || {};
  try {
    const der = bytes(sig.public_key);
    const fingerprint = await sha256(der);
    const { public_key_pem: pem } = await api('GET', '/v1/certificates/public-key');
    const serverDer = bytes(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
    if (fingerprint !== sig.key_fingerprint) problems.push('the key fingerprint does not match the embedded key');
    if (fingerprint !== (await sha256(serverDer))) problems.push('it was not signed by this server’s key');
    const key = await crypto.subtle.importKey('spki', der, { name: 'Ed25519' }, false, ['verify']);
    const unsigned = { ...doc };
    delete unsigned.signature;
    const good = await crypto.subtle.verify({ name: 'Ed25519' }, key, bytes(sig.value), new TextEncoder().encode(canonicalJson(unsigned)));
    if (!good) problems.push('the Ed25519 signature does not match the content');
  } catch (err) {
    problems.push(`the signature could not be checked (${err.message || err.name})`);
  }
  if (problems.length) return { ok: false, message: `Not verified: ${problems.join('; ')}` };
  return { ok: true, message: `Downloaded and verified: Ed25519 signature valid, signed by this server’s key ${summary.key_fingerprint.slice(0, 16)}…` };
}
