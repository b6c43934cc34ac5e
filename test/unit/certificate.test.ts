import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  canonicalJson,
  certificateText,
  loadOrCreateSigningKey,
  parseSigningKey,
  publicKeyPem,
  signCertificate,
  verifyCertificateText,
} from '../../lib/certificate';
import { sampleCertificateBody } from '../helpers/certificate';

const body = sampleCertificateBody();

function freshKey() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return parseSigningKey(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

test('RFC 8785: keys sorted by code unit, no whitespace, numbers in shortest form', () => {
  expect(canonicalJson({ b: 1, a: [1e21, 0.1, 'x'], é: null, A: true })).toBe('{"A":true,"a":[1e+21,0.1,"x"],"b":1,"é":null}');
});

test('a signed certificate verifies; each single altered byte of its text fails', () => {
  const key = freshKey();
  const text = certificateText(signCertificate(body, key));
  expect(verifyCertificateText(text)).toMatchObject({ valid: true, problems: [], key_fingerprint: key.fingerprint });
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const altered = text.slice(0, i) + String.fromCharCode(c === 0x31 ? 0x32 : c === 0x20 ? 0x21 : c ^ 1) + text.slice(i + 1);
    expect(verifyCertificateText(altered).valid).toBe(false);
  }
  // Re-formatting (same JSON, other bytes) fails too: the file must be the canonical bytes.
  expect(verifyCertificateText(JSON.stringify(JSON.parse(text), null, 2)).valid).toBe(false);
});

test('a certificate re-signed with another key passes only without a pinned key', () => {
  const original = freshKey();
  const forger = freshKey();
  const forged = certificateText(signCertificate({ ...body, tables: [{ ...body.tables[0], target_rows: 11 }] }, forger));
  expect(verifyCertificateText(forged).valid).toBe(true);
  const pinned = verifyCertificateText(forged, { trustedKey: publicKeyPem(original) });
  expect(pinned.valid).toBe(false);
  expect(pinned.problems.join(' ')).toContain('not by the trusted key');
  expect(verifyCertificateText(certificateText(signCertificate(body, original)), { trustedKey: original.fingerprint })).toMatchObject({ valid: true, key_trusted: true });
});

test('the signing key is generated once into the data dir and reused; SENSEI_SIGNING_KEY wins', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-key-'));
  try {
    const a = loadOrCreateSigningKey({ dataDir: dir });
    const b = loadOrCreateSigningKey({ dataDir: dir });
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(fs.statSync(path.join(dir, 'signing-key.pem')).mode & 0o077).toBe(0);
    const env = freshKey();
    const der = env.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    expect(loadOrCreateSigningKey({ dataDir: dir, signingKey: der }).fingerprint).toBe(env.fingerprint);
    expect(() => parseSigningKey('not a key')).toThrow(/Ed25519/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
