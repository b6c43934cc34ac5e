/**
 * `sensei verify` as an operator runs it (the compiled CLI): exit 0 only for an intact certificate signed by the key
 * the operator trusts; 2 for an intact one whose signer is unknown (no key given: anyone can embed a key of their
 * own); 1 for an altered file or another signer than the trusted one.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { certificateText, parseSigningKey, publicKeyPem, signCertificate } from '../../lib/certificate';
import { sampleCertificateBody } from '../helpers/certificate';

const CLI = path.resolve(__dirname, '../../dist/cli/sensei.js');
const body = sampleCertificateBody({ certificate_id: 'cert_cli', environment: 'live' });

const freshKey = () => parseSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const verify = (...args: string[]) => spawnSync(process.execPath, [CLI, 'verify', ...args], { encoding: 'utf8' });

test('exit 0 with the trusted key, 2 without one, 1 when altered or signed by another key', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sensei-verify-'));
  try {
    const key = freshKey();
    const file = path.join(dir, 'cert.json');
    fs.writeFileSync(file, certificateText(signCertificate(body, key)));
    const pem = path.join(dir, 'public.pem');
    fs.writeFileSync(pem, publicKeyPem(key));

    const unknown = verify(file);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('the signer is unknown');
    expect(unknown.stdout).toContain('live');

    const trusted = verify(file, '--public-key', pem);
    expect(trusted.status).toBe(0);
    expect(trusted.stdout).toContain(`valid: signed by the trusted key ${key.fingerprint}`);
    expect(verify(file, '--public-key', key.fingerprint).status).toBe(0);

    const other = freshKey();
    expect(verify(file, '--public-key', other.fingerprint).status).toBe(1);
    const altered = path.join(dir, 'altered.json');
    fs.writeFileSync(altered, fs.readFileSync(file, 'utf8').replace('"target_rows":12', '"target_rows":13'));
    const refused = verify(altered, '--public-key', pem);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('INVALID');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
