import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Connection strings travel through Temporal (workflow input, activity input) only sealed with AES-256-GCM,
 * so neither workflow history nor the Temporal UI ever shows a password. Workers and the API share the key
 * through SENSEI_ENCRYPTION_KEY, or, on one machine, through the file the first process generates.
 */
const PREFIX = 'sealed:v1:';

export function loadOrCreateKeyFile(dataDir: string, name: string, bytes = 32, prefix = ''): string {
  const file = path.join(dataDir, name);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const value = prefix + randomBytes(bytes).toString('base64url');
  try {
    // 'wx' fails if another process created the file first; then we read theirs.
    fs.writeFileSync(file, value + '\n', { mode: 0o600, flag: 'wx' });
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fs.readFileSync(file, 'utf8').trim();
  }
}

export class Sealer {
  private readonly key: Buffer;

  constructor(secret: string) {
    // Any string works as a secret; SHA-256 turns it into a 32-byte key.
    this.key = createHash('sha256').update(secret, 'utf8').digest();
  }

  static fromConfig(config: { encryptionKey?: string; dataDir: string }): Sealer {
    return new Sealer(config.encryptionKey ?? loadOrCreateKeyFile(config.dataDir, 'encryption.key'));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
  }

  unseal(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed value');
    const [iv, tag, body] = sealed.slice(PREFIX.length).split('.').map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !tag || !body) throw new Error('malformed sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new Error('cannot unseal a connection: SENSEI_ENCRYPTION_KEY differs between the API and this worker', {
        cause,
      });
    }
  }
}

/** Constant-time comparison of two secrets (API keys). */
export function secretEquals(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
