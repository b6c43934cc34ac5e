/**
 * The Behavioral Equivalence Certificate: a JSON document that says which migration was verified, how,
 * and with which evidence, signed with Ed25519.
 *
 * The signed bytes are the RFC 8785 (JCS) canonical form of the document without its `signature` member.
 * The file Sensei hands out is the canonical form of the whole document (signature included), so a
 * verifier can insist on byte equality: any altered byte — a value, a key, even whitespace — fails.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import canonicalize from 'canonicalize';
import type { CertificateSummary, ValidationTier } from './migration';

export const CERTIFICATE_FORMAT = 'sensei.behavioral-equivalence-certificate/v1';

export type TierName = ValidationTier;
export type { CertificateSummary };

export interface CertificateTable {
  name: string;
  target: string;
  source_rows: number;
  target_rows: number;
  /** sha256 chain over the table's chunk digests of canonical row values (see lib/validation/semantic.ts). */
  source_content_sha256: string;
  target_content_sha256: string;
}

export interface CertificateTier {
  verdict: 'passed';
  /** sha256 of the RFC 8785 form of the tier's full result (checks and findings). */
  evidence_sha256: string;
  checks: number;
  summary: string;
}

/** Everything the certificate states; `signature` is added by signCertificate. */
export interface CertificateBody {
  format: typeof CERTIFICATE_FORMAT;
  certificate_id: string;
  migration: { id: string; name: string; workflow_id: string; run_id: string; validation_attempt: number };
  /** live or test: the environment of the key that created the migration (a test run's certificate says so). */
  environment: 'live' | 'test';
  /** Secret-free descriptions: never a connection string. */
  source: { type: string; description: string; schema: string | null };
  target: { type: string; description: string; schema: string | null };
  /** sha256 of the RFC 8785 form of the migration plan's tables (columns, mapped types, keys, indexes). */
  schema_fingerprint: string;
  tables: CertificateTable[];
  tiers: Record<TierName, CertificateTier>;
  timestamps: { migration_started_at: string | null; validation_started_at: string; validation_completed_at: string; issued_at: string };
}

export interface CertificateSignature {
  algorithm: 'Ed25519';
  /** SPKI DER of the public key, base64. */
  public_key: string;
  /** sha256 (hex) of the SPKI DER: what an operator pins. */
  key_fingerprint: string;
  /** base64 signature over canonical(body). */
  value: string;
}

export interface Certificate extends CertificateBody {
  signature: CertificateSignature;
}

/** RFC 8785 canonical JSON text. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalised as JSON');
  return text;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export function newCertificateId(): string {
  return `cert_${randomUUID().replace(/-/g, '')}`;
}

// ---------------------------------------------------------------- keys

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI DER, base64. */
  publicKeyBase64: string;
  fingerprint: string;
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the signing key must be an Ed25519 key, got ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  }
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { privateKey, publicKey, publicKeyBase64: der.toString('base64'), fingerprint: sha256Hex(der) };
}

/**
 * Reads an Ed25519 private key: PKCS#8 PEM, or base64 / base64url of the PKCS#8 DER
 * (what `openssl genpkey -algorithm ed25519 -outform DER | base64 -w0` prints).
 */
export function parseSigningKey(text: string): SigningKey {
  const s = text.trim();
  try {
    if (s.startsWith('-----BEGIN')) return fromPrivate(createPrivateKey(s));
    const der = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return fromPrivate(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  } catch (cause) {
    throw new Error('SENSEI_SIGNING_KEY is not an Ed25519 private key (PKCS#8 PEM, or base64 of its DER)', { cause });
  }
}

/**
 * The key that signs certificates: SENSEI_SIGNING_KEY when set, otherwise `signing-key.pem` in the data dir,
 * generated on first use (mode 0600; a second process that races us reads the first one's file).
 */
export function loadOrCreateSigningKey(config: { signingKey?: string; dataDir: string }): SigningKey {
  if (config.signingKey) return parseSigningKey(config.signingKey);
  const file = path.join(config.dataDir, 'signing-key.pem');
  try {
    return parseSigningKey(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
    return fromPrivate(privateKey);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return parseSigningKey(fs.readFileSync(file, 'utf8'));
  }
}

/** The public key as PEM (what the API serves). */
export function publicKeyPem(key: SigningKey): string {
  return key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

// ---------------------------------------------------------------- sign and verify

export function signCertificate(body: CertificateBody, key: SigningKey): Certificate {
  const { signature: _ignored, ...unsigned } = body as CertificateBody & { signature?: unknown };
  const value = sign(null, Buffer.from(canonicalJson(unsigned), 'utf8'), key.privateKey).toString('base64');
  return { ...unsigned, signature: { algorithm: 'Ed25519', public_key: key.publicKeyBase64, key_fingerprint: key.fingerprint, value } };
}

/** The bytes to write to a file or send over HTTP: the canonical form of the whole signed document. */
export function certificateText(cert: Certificate): string {
  return canonicalJson(cert);
}

export function summarizeCertificate(cert: Certificate): CertificateSummary {
  return {
    certificate_id: cert.certificate_id,
    issued_at: cert.timestamps.issued_at,
    key_fingerprint: cert.signature.key_fingerprint,
    sha256: sha256Hex(certificateText(cert)),
  };
}

export interface VerifyOptions {
  /** Trusted public key (PEM, or base64 SPKI DER) or its sha256 fingerprint; without it the embedded key is used and reported. */
  trustedKey?: string;
}

export interface VerifyResult {
  valid: boolean;
  /** Each reason the certificate is not valid; empty when valid. */
  problems: string[];
  certificate?: Certificate;
  key_fingerprint?: string;
  /** True when the key was matched against a trusted key or fingerprint, not only the embedded one. */
  key_trusted: boolean;
}

function fingerprintOf(key: string): string {
  const s = key.trim();
  if (/^[0-9a-f]{64}$/i.test(s)) return s.toLowerCase();
  const der = s.startsWith('-----BEGIN')
    ? createPublicKey(s).export({ type: 'spki', format: 'der' })
    : Buffer.from(s, 'base64');
  return sha256Hex(der);
}

/** Verifies the exact bytes of a certificate file, offline. */
export function verifyCertificateText(text: string | Buffer, options: VerifyOptions = {}): VerifyResult {
  const raw = Buffer.isBuffer(text) ? text.toString('utf8') : text;
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch (err) {
    return { valid: false, problems: [`not JSON: ${(err as Error).message}`], key_trusted: false };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return { valid: false, problems: ['not a JSON object'], key_trusted: false };
  const cert = doc as Certificate;
  if (cert.format !== CERTIFICATE_FORMAT) problems.push(`format is ${JSON.stringify(cert.format)}, expected ${CERTIFICATE_FORMAT}`);
  const sig = cert.signature;
  if (!sig || sig.algorithm !== 'Ed25519' || typeof sig.value !== 'string' || typeof sig.public_key !== 'string') {
    problems.push('signature is missing or is not an Ed25519 signature');
    return { valid: false, problems, certificate: cert, key_trusted: false };
  }
  // Base64 leaves spare bits in its last character: insist on the one canonical spelling, so no altered byte decodes alike.
  for (const [field, value] of [['signature.value', sig.value], ['signature.public_key', sig.public_key]] as const) {
    if (Buffer.from(value, 'base64').toString('base64') !== value) problems.push(`${field} is not canonical base64: it was altered`);
  }
  if (canonicalJson(doc) !== raw) {
    problems.push('the file is not the canonical (RFC 8785) form Sensei issues: bytes were added, removed or changed');
  }
  let keyFingerprint: string | undefined;
  let keyTrusted = false;
  try {
    const der = Buffer.from(sig.public_key, 'base64');
    const publicKey = createPublicKey({ key: der, format: 'der', type: 'spki' });
    keyFingerprint = sha256Hex(der);
    if (sig.key_fingerprint !== keyFingerprint) problems.push('key_fingerprint does not match the embedded public key');
    if (options.trustedKey) {
      keyTrusted = fingerprintOf(options.trustedKey) === keyFingerprint;
      if (!keyTrusted) problems.push(`signed by key ${keyFingerprint}, not by the trusted key`);
    }
    const { signature: _sig, ...unsigned } = cert;
    const ok = verify(null, Buffer.from(canonicalJson(unsigned), 'utf8'), publicKey, Buffer.from(sig.value, 'base64'));
    if (!ok) problems.push('the Ed25519 signature does not match the content: the certificate was altered');
  } catch (err) {
    problems.push(`cannot check the signature: ${(err as Error).message}`);
  }
  const verdicts = cert.tiers ? Object.entries(cert.tiers).filter(([, t]) => t?.verdict !== 'passed') : [];
  if (verdicts.length > 0) problems.push(`tiers not passed: ${verdicts.map(([n]) => n).join(', ')}`);
  return { valid: problems.length === 0, problems, certificate: cert, key_fingerprint: keyFingerprint, key_trusted: keyTrusted };
}
