/**
 * The web console in a real browser (Debian's chromium, driven by playwright-core), end to end against the API,
 * a Temporal dev server with its Web UI, and a worker process: sign in, create a PostgreSQL → PostgreSQL migration
 * from the form, watch its progress move, approve at the gate, pause, resume, download and verify the certificate,
 * and the connections, API keys and webhooks pages. Screenshots of each page go to test-output/screenshots/.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { Client as PgClient } from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { verifyCertificateText } from '../../lib/certificate';
import { WEBHOOK_EVENTS } from '../../lib/webhooks';
import { createTempDatabase, type TempDatabase } from '../helpers/databases';
import { createAndStart } from '../helpers/http';
import { WorkerProcess, startStack, type Stack } from '../helpers/processes';
import { tempDataDir } from '../helpers/temporal';

const CHROMIUM = process.env.SENSEI_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.resolve(__dirname, '../../test-output/screenshots');
/** A password the connection strings carry (PostgreSQL trusts loopback here, so it is never checked): no page may show it. */
const PASSWORD = 'console-s3cret-pw';

let stack: Stack;
let worker: WorkerProcess;
let dataDir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const databases: TempDatabase[] = [];
/** Errors the page logged (a CSP violation is one) and scripts that threw. */
const pageProblems: string[] = [];

function withPassword(url: string): string {
  const u = new URL(url);
  u.password = PASSWORD;
  return u.toString();
}

/**
 * Three small related tables: enough chunks (of 50 rows) for the copy to take a few seconds. Analysed, as a live
 * database is, so that the row estimates (and so the progress percentages) are known from the start.
 */
async function seedSource(url: string): Promise<void> {
  const c = new PgClient({ connectionString: url });
  await c.connect();
  try {
    await c.query(`
      CREATE TABLE customers (id integer PRIMARY KEY, name varchar(120) NOT NULL, email text, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers(id), total numeric(12,2) NOT NULL, placed_on date NOT NULL);
      CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL, flagged boolean NOT NULL DEFAULT false);
      INSERT INTO customers SELECT g, 'Customer ' || g, 'c' || g || '@example.com', now() - g * interval '1 hour' FROM generate_series(1, 2500) g;
      INSERT INTO orders SELECT g, 1 + g % 2500, (g % 997) * 1.25, date '2024-01-01' + (g % 365) FROM generate_series(1, 4500) g;
      INSERT INTO notes SELECT g, repeat('note ', 1 + g % 20), g % 7 = 0 FROM generate_series(1, 1500) g;
      ANALYZE;`);
  } finally {
    await c.end();
  }
}

/** Saves a screenshot of the page, and checks on the way that a screen reader can name every control on it. */
async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const unnamed = await page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea, button, a[href], progress')]
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby') && !e.textContent.trim())
    .map((e) => e.outerHTML.slice(0, 120))`);
  expect({ page: name, unnamed }).toEqual({ page: name, unnamed: [] });
}

/** Signs in unless this tab is signed in already (the key stays in its session storage), on `hash`. */
async function openConsole(hash: string): Promise<void> {
  await page.goto(`${stack.baseUrl}/console/${hash}`);
  const keyField = page.getByLabel('API key');
  await keyField.or(page.getByRole('navigation', { name: 'Main' })).waitFor();
  if (await keyField.isVisible()) {
    await keyField.fill(stack.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
}

/** Follows a link of the main navigation, with the keyboard: focus it, then Enter. */
async function nav(name: string): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  await link.focus();
  await page.keyboard.press('Enter');
}

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(stack.baseUrl + url, {
    method,
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

/** The page's whole text and its form fields' values: where a secret would show. */
async function everythingShown(): Promise<string> {
  // Runs in the page: its DOM types are not this (Node) program's, hence the any.
  return page.evaluate(() => {
    const doc = (globalThis as any).document;
    const values = [...doc.querySelectorAll('input, textarea')].map((e: any) => e.value);
    return `${doc.documentElement.outerHTML}\n${values.join('\n')}`;
  });
}

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  dataDir = tempDataDir();
  // Webhooks to loopback are allowed here so that one can be created against a local receiver address.
  stack = await startStack(dataDir, { temporalUi: true, env: { SENSEI_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  worker = new WorkerProcess({ ...stack.workerEnv, SENSEI_LOG_LEVEL: 'info' });
  worker.start();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // A fresh profile per run: nothing remembered from an earlier one.
  context = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('console', (m) => {
    if (m.type() === 'error') pageProblems.push(m.text());
  });
  page.on('pageerror', (e) => pageProblems.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) pageProblems.push(`${r.request().method()} ${new URL(r.url()).pathname} answered ${r.status()}`);
  });
  await worker.ready();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await worker?.kill('SIGTERM');
  await stack?.close();
  await Promise.allSettled(databases.map((d) => d.drop()));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the console is served with a strict Content-Security-Policy and no inline code', async () => {
  const res = await fetch(`${stack.baseUrl}/console/`);
  expect(res.status).toBe(200);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  const html = await res.text();
  // The one inline script is the import map the policy names by hash; no handler attributes.
  expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toEqual(['<script type="importmap">']);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect((await fetch(`${stack.baseUrl}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
});

test('sign in, create a migration from the form, approve at the gate, pause, resume and download the certificate', async () => {
  const source = await createTempDatabase('postgresql');
  const target = await createTempDatabase('postgresql');
  databases.push(source, target);
  await seedSource(source.endpoint.connectionString);

  // Sign in with the keyboard alone: the key field has focus, Enter submits.
  await page.goto(`${stack.baseUrl}/console/`);
  await page.getByLabel('API key').waitFor();
  await shot('01-sign-in');
  await page.keyboard.type(stack.apiKey);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Migrations', level: 1 }).waitFor();
  expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('sensei.apiKey'))).toBe(stack.apiKey);
  expect(await page.evaluate(() => (globalThis as any).localStorage.length)).toBe(0);
  expect(await page.evaluate(() => (globalThis as any).document.cookie)).toBe('');
  await shot('02-migrations-empty');

  await page.getByRole('link', { name: 'New migration' }).click();
  await page.getByLabel('Name').fill('Console e2e');
  await page.locator('#source-type').selectOption('postgresql');
  await page.locator('#source-url').fill(withPassword(source.endpoint.connectionString));
  await page.locator('#target-type').selectOption('postgresql');
  await page.locator('#target-url').fill(withPassword(target.endpoint.connectionString));
  await page.getByLabel('Chunk size').fill('50');
  // Typed connection strings are password fields: masked on screen.
  expect(await page.locator('#source-url').getAttribute('type')).toBe('password');
  await shot('03-new-migration');
  await page.getByRole('button', { name: 'Create migration' }).click();

  await page.waitForURL(/#\/migrations\/mig_[0-9a-f]{16}$/);
  const id = page.url().split('/').pop() as string;
  const gateBadge = page.locator('#h-gate + p .badge');
  await gateBadge.filter({ hasText: 'pending' }).waitFor({ timeout: 90_000 });
  await page.getByRole('button', { name: 'Approve' }).waitFor();

  // The mappings, lowest confidence first, editable while the gate waits.
  await page.getByLabel('Target type of customers.email').waitFor();
  const confidences = await page.locator('table.mappings td .confidence').allTextContents();
  expect(confidences.length).toBe(11);
  expect(confidences.map(Number)).toEqual([...confidences.map(Number)].sort((a, b) => a - b));
  // Each save is one PATCH the page waits for; the field shows the saved type at once, so an edit straight back is one too.
  const saveMappings = async () => {
    const [patched] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/v1/migrations/${id}/mappings`),
      page.getByRole('button', { name: 'Save mapping changes' }).click(),
    ]);
    expect(patched.status()).toBe(200);
    await page.getByText('Saved 1 mapping').waitFor();
  };
  // Reloads of the mappings answer slowly here (as on a slow link): the field must show the saved type all the same,
  // and an edit straight back must be saved, not judged against the list from before the save ('Nothing changed').
  const mappingReads = new RegExp(`/v1/migrations/${id}/mappings\\?`);
  await page.route(mappingReads, async (route) => {
    await new Promise((r) => setTimeout(r, 1000));
    await route.continue();
  });
  await page.getByLabel('Target type of customers.email').fill('varchar(320)');
  await saveMappings();
  const mapping = await api('GET', `/v1/migrations/${id}/mappings/customers.email`);
  expect(mapping.body.target_type).toBe('character varying(320)');
  expect(await page.getByLabel('Target type of customers.email').inputValue()).toBe('character varying(320)');
  await page.getByLabel('Target type of customers.email').fill('text');
  await saveMappings();
  expect((await api('GET', `/v1/migrations/${id}/mappings/customers.email`)).body.target_type).toBe('text');
  // The reloads still held back finish before the page goes on unslowed.
  await page.unrouteAll({ behavior: 'wait' });
  await shot('04-migration-gate');

  await page.getByLabel('Comment').fill('checked in the console');
  await page.getByRole('button', { name: 'Approve' }).click();
  await gateBadge.filter({ hasText: 'approved' }).waitFor();
  await page.getByText('“checked in the console”').waitFor();

  // Progress moves: the overall bar takes at least two values between 0 and 100 while the tables copy.
  const seen = new Set<number>();
  const bar = page.getByRole('progressbar', { name: 'Overall progress' });
  const deadline = Date.now() + 60_000;
  while (seen.size < 2 && Date.now() < deadline) {
    const v = await bar.evaluate((e: any) => e.value);
    if (v > 0 && v < 100) seen.add(v);
    await page.waitForTimeout(100);
  }
  expect(seen.size).toBeGreaterThanOrEqual(2);
  await shot('05-migration-copying');

  await page.getByRole('button', { name: 'Pause' }).click();
  await page.getByText(/Paused by an operator/).waitFor();
  expect((await api('GET', `/v1/migrations/${id}/status`)).body.status).toBe('paused');
  await shot('06-migration-paused');
  await page.getByRole('button', { name: 'Resume' }).click();
  await page.getByRole('button', { name: 'Pause' }).waitFor();

  await page.locator('.head-side .badge', { hasText: 'completed' }).waitFor({ timeout: 120_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download and verify the certificate' }).click()]);
  expect(download.suggestedFilename()).toBe(`${id}-certificate.json`);
  const saved = path.join(SHOTS, '..', `${id}-certificate.json`);
  await download.saveAs(saved);
  const publicKey = (await api('GET', '/v1/certificates/public-key')).body.public_key_pem as string;
  const verified = verifyCertificateText(fs.readFileSync(saved), { trustedKey: publicKey });
  expect(verified.problems).toEqual([]);
  expect(verified.valid).toBe(true);
  // The browser checked the same: the signature and that the key is this server's.
  await page.getByText(/Downloaded and verified: Ed25519 signature valid/).waitFor();
  // The same check in the page refuses a certificate with one changed byte (a row count), and says why.
  const summary = (await api('GET', `/v1/migrations/${id}/status`)).body.certificate;
  const tampered = fs.readFileSync(saved, 'utf8').replace(/"source_rows":2500/, '"source_rows":2501');
  expect(tampered).not.toBe(fs.readFileSync(saved, 'utf8'));
  // A string, not a function: the test's compiler would rewrite a function's import() into require().
  const refused = await page.evaluate<{ ok: boolean; message: string }>(
    `import('/console/assets/certificate.js').then((m) => m.verifyCertificate(${JSON.stringify(tampered)}, ${JSON.stringify(summary)}))`,
  );
  expect(refused.ok).toBe(false);
  expect(refused.message).toContain('the Ed25519 signature does not match the content');
  await page.getByText('Evidence').click();
  await page.locator('.evidence h3').first().waitFor();
  expect(await page.locator('.tiers .verdict-passed').count()).toBe(5);
  expect(await page.locator('table.tables tbody tr').count()).toBe(3);

  // The link into Temporal's own UI names the workflow, and that UI answers.
  const link = page.getByRole('link', { name: /Workflow in the Temporal UI/ });
  const href = (await link.getAttribute('href')) as string;
  expect(href).toBe(`${stack.devServer.uiUrl}/namespaces/default/workflows/${id}`);
  expect((await fetch(href)).status).toBe(200);
  await shot('07-migration-completed');

  const shown = await everythingShown();
  expect(shown).not.toContain(PASSWORD);
  expect(shown).not.toContain(stack.apiKey);

  // The list shows it completed at 100%, and filters by status.
  await nav('Migrations');
  const row = page.locator(`tr[data-id="${id}"]`);
  await row.getByText('completed').waitFor();
  expect(await row.getByRole('progressbar').evaluate((e: any) => e.value)).toBe(100);
  await expect(row.textContent()).resolves.toContain('→');
  await page.getByLabel('Status').selectOption('running');
  await page.getByText('No migrations with status running yet').waitFor();
  await page.getByLabel('Status').selectOption('completed');
  await row.waitFor();
  await shot('08-migrations-list');
  expect(pageProblems).toEqual([]);
});

test('connections, API keys and webhooks pages: create, test, revoke, and never show a secret', async () => {
  const db = await createTempDatabase('postgresql');
  databases.push(db);
  await openConsole('#/connections');
  await page.getByRole('heading', { name: 'Connections', level: 1 }).waitFor();
  await page.getByLabel('Name').fill('warehouse');
  await page.getByLabel('Database type').selectOption('postgresql');
  await page.getByLabel('Connection string').fill(withPassword(db.endpoint.connectionString));
  await page.getByRole('button', { name: 'Save connection' }).click();
  await page.getByRole('row', { name: /warehouse/ }).waitFor();
  expect(await page.getByLabel('Connection string').inputValue()).toBe('');
  await page.getByRole('button', { name: 'Test warehouse' }).click();
  await page.getByText(/^OK · /).waitFor();
  await shot('09-connections');
  expect(await everythingShown()).not.toContain(PASSWORD);

  await nav('API keys');
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  await page.getByLabel('Name').fill('ci reader');
  await page.getByLabel('write').uncheck();
  await page.getByRole('button', { name: 'Create key' }).click();
  const once = page.locator('.once input');
  await once.waitFor();
  const key = await once.inputValue();
  expect(key).toMatch(/^sk_/);
  const res = await fetch(`${stack.baseUrl}/v1/migrations`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  await shot('10-api-key-created');
  await page.getByRole('button', { name: 'Done, hide it' }).click();
  expect(await everythingShown()).not.toContain(key);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Revoke ci reader' }).click();
  await page.getByText(/^revoked /).waitFor();
  expect((await fetch(`${stack.baseUrl}/v1/migrations`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
  await shot('11-api-keys');

  // A receiver on loopback; a migration created over the API sends it migration.created.
  const received: string[] = [];
  const receiver = http.createServer((req, res) => {
    received.push(String(req.headers['sensei-event']));
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  try {
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/sensei`;
    await nav('Webhooks');
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    // The form offers every event the API sends, as its OpenAPI document lists them, and "every event" first.
    const eventBoxes = page.getByRole('group', { name: 'Events' }).getByRole('checkbox');
    await eventBoxes.first().waitFor();
    expect(await eventBoxes.evaluateAll((boxes) => boxes.map((b) => (b as unknown as { value: string }).value))).toEqual(['*', ...WEBHOOK_EVENTS]);
    await page.getByLabel('URL').fill(hookUrl);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const secret = await page.locator('.once input').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done, hide it' }).click();
    expect(await everythingShown()).not.toContain(secret);
    await page.getByRole('row', { name: new RegExp(hookUrl.replaceAll('.', '\\.')) }).waitFor();

    const created = await api('POST', '/v1/migrations', {
      name: 'webhook source',
      source: { type: 'postgresql', connection_string: db.endpoint.connectionString },
      target: { type: 'postgresql', connection_string: db.endpoint.connectionString },
    });
    expect(created.status).toBe(201);
    await page.getByRole('button', { name: 'Deliveries' }).click();
    const delivered = page.getByRole('table', { name: /Latest deliveries/ }).getByRole('row', { name: /migration\.created/ });
    await delivered.waitFor({ timeout: 60_000 });
    expect(await delivered.textContent()).toContain('delivered · HTTP 204');
    expect(await delivered.getByRole('link').textContent()).toBe(created.body.id);
    expect(received).toContain('migration.created');
    await api('DELETE', `/v1/migrations/${created.body.id}`);
    await shot('12-webhooks');
    // Signing out forgets the key: the tab asks for one again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('sensei.apiKey'))).toBeNull();
  } finally {
    await new Promise((r) => receiver.close(r));
  }
  expect(pageProblems).toEqual([]);
});

test('a narrowed mapping rejects rows: their errors are resolved in the console, the diagnosis shown; a gate is rejected with a comment', async () => {
  const source = await createTempDatabase('postgresql');
  const target = await createTempDatabase('postgresql');
  const other = await createTempDatabase('postgresql');
  databases.push(source, target, other);
  const c = new PgClient({ connectionString: source.endpoint.connectionString });
  await c.connect();
  try {
    // Three codes longer than the 5 characters the mapping will be narrowed to.
    await c.query(`CREATE TABLE people (id integer PRIMARY KEY, code varchar(20) NOT NULL);
      INSERT INTO people SELECT g, CASE WHEN g IN (3, 7, 11) THEN 'TOO-LONG-' || g ELSE 'P' || g END FROM generate_series(1, 20) g;
      ANALYZE;`);
  } finally {
    await c.end();
  }
  const create = async (target: TempDatabase, strategy: string) => {
    const created = await api('POST', '/v1/migrations', {
      name: `people (${strategy})`,
      source: { type: 'postgresql', connection_string: source.endpoint.connectionString },
      target: { type: 'postgresql', connection_string: target.endpoint.connectionString },
      strategy,
    });
    expect(created.status).toBe(201);
    expect((await api('POST', `/v1/migrations/${created.body.id}/start`)).status).toBe(202);
    return created.body.id as string;
  };

  const id = await create(target, 'balanced');
  await openConsole(`#/migrations/${id}`);
  await page.getByLabel('Target type of people.code').waitFor({ timeout: 60_000 });
  await page.getByLabel('Target type of people.code').fill('varchar(5)');
  await page.getByRole('button', { name: 'Save mapping changes' }).click();
  await page.getByText('Saved 1 mapping').waitFor();
  // Narrowed: now the riskiest mapping, first in the table, with the reason.
  await page.locator('table.mappings tbody tr').first().getByText('0.60').waitFor();
  await page.getByRole('button', { name: 'Approve' }).click();

  // The copy rejects the three rows; validation then fails and says which tier caught it.
  await page.getByText(/Caught by the \w+ tier/).waitFor({ timeout: 120_000 });
  const rejected = page.locator('table.errors tbody tr', { hasText: 'RowRejected' });
  await expect(rejected.count()).resolves.toBe(3);
  await rejected.first().getByLabel(/Resolution note/).fill('fixed at the source');
  await rejected.first().getByRole('button', { name: 'Resolve' }).click();
  await page.locator('table.errors tbody tr', { hasText: 'fixed at the source' }).waitFor();
  const errors = (await api('GET', `/v1/migrations/${id}/errors`)).body.data as any[];
  expect(errors.filter((e) => e.resolution_note === 'fixed at the source')).toHaveLength(1);
  expect(await page.locator('table.tables tbody tr').first().textContent()).toMatch(/17.*20.*3$/);
  await page.getByRole('button', { name: 'Re-run validation' }).waitFor();
  await page.getByText('Activity log').click();
  await page.locator('ol.log li', { hasText: 'phase validation failed' }).waitFor();
  await shot('13-migration-errors');

  const second = await create(other, 'conservative');
  await openConsole(`#/migrations/${second}`);
  await page.getByRole('button', { name: 'Reject' }).waitFor({ timeout: 60_000 });
  await page.getByLabel('Comment').fill('codes must stay 20 wide');
  await page.getByRole('button', { name: 'Reject' }).click();
  await page.locator('.head-side .badge', { hasText: 'cancelled' }).waitFor();
  await page.getByText(/MappingRejected/).waitFor();
  await page.getByText('“codes must stay 20 wide”').waitFor();
  await shot('14-migration-rejected');
  expect(pageProblems).toEqual([]);
});

/** Attempts after the first of every copyChunk that ran, from the workflow's history (Temporal's own count). */
async function chunkRetriesInHistory(id: string): Promise<number> {
  const history = await stack.client.workflow.getHandle(id).fetchHistory();
  const copyChunks = new Set<string>();
  let retries = 0;
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'copyChunk') copyChunks.add(String(event.eventId));
    const started = event.activityTaskStartedEventAttributes;
    if (started && copyChunks.has(String(started.scheduledEventId))) retries += (started.attempt ?? 1) - 1;
  }
  return retries;
}

test('a source table held locked by another session: its chunk times out on the lock, is retried, and the page counts the retries', async () => {
  const source = await createTempDatabase('postgresql');
  const target = await createTempDatabase('postgresql');
  databases.push(source, target);
  const database = new URL(source.endpoint.connectionString).pathname.slice(1);
  const c = new PgClient({ connectionString: source.endpoint.connectionString });
  await c.connect();
  try {
    // Sessions of this database give up waiting for a lock after 250 ms (a statement error, retried by Temporal).
    await c.query(`CREATE TABLE readings (id integer PRIMARY KEY, v text NOT NULL);
      INSERT INTO readings SELECT g, 'r' || g FROM generate_series(1, 3000) g;
      ANALYZE;
      ALTER DATABASE "${database}" SET lock_timeout = '250ms';`);
    const created = await api('POST', '/v1/migrations', {
      name: 'locked readings',
      source: { type: 'postgresql', connection_string: source.endpoint.connectionString },
      target: { type: 'postgresql', connection_string: target.endpoint.connectionString },
      strategy: 'conservative',
      options: { chunk_size: 500 },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
    const until = async (what: string, done: () => Promise<boolean>, timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await until('the gate', async () => (await api('GET', `/v1/migrations/${id}/status`)).body.status === 'awaiting_approval');

    // An operator's session takes the table (as a long ALTER TABLE would) before the copy starts, and holds it until
    // Temporal has retried the first chunk at least once.
    await c.query('BEGIN');
    await c.query('LOCK TABLE readings IN ACCESS EXCLUSIVE MODE');
    expect((await api('POST', `/v1/migrations/${id}/approve`, { comment: 'go' })).status).toBe(200);
    const handle = stack.client.workflow.getHandle(id);
    await until('a retried chunk', async () => ((await handle.describe()).raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'copyChunk' && (a.attempt ?? 1) >= 2));
    await c.query('COMMIT');
    await until('the end', async () => ['completed', 'failed', 'cancelled'].includes((await api('GET', `/v1/migrations/${id}/status`)).body.status), 120_000);

    const status = (await api('GET', `/v1/migrations/${id}/status`)).body;
    expect(status.status).toBe('completed');
    const expected = await chunkRetriesInHistory(id);
    expect(expected).toBeGreaterThanOrEqual(1);
    const tables = (await api('GET', `/v1/migrations/${id}/tables`)).body.data as any[];
    expect(tables.map((t) => [t.name, t.rows_copied, t.chunk_retries])).toEqual([['readings', 3000, expected]]);
    expect(status.tables.map((t: any) => t.chunk_retries)).toEqual([expected]);

    // The page's table of tables has the column, and the row says the same number.
    await openConsole(`#/migrations/${id}`);
    await page.locator('.head-side .badge', { hasText: 'completed' }).waitFor();
    // Text content, not innerText: the headers are shown in capitals (CSS), their text is as written.
    const headers = (await page.locator('table.tables thead th').allTextContents()).map((t) => t.trim());
    const column = headers.indexOf('Chunk retries');
    expect(column).toBeGreaterThan(0);
    const cells = (await page.locator('table.tables tbody tr').first().locator('th, td').allTextContents()).map((t) => t.trim());
    expect({ table: cells[0], retries: cells[column] }).toEqual({ table: 'readings', retries: String(expected) });
    await shot('16-migration-chunk-retries');
    expect(pageProblems).toEqual([]);
  } finally {
    await c.end();
  }
});

test('a migration of more tables than the status carries: every table can be paged through', async () => {
  const source = await createTempDatabase('postgresql');
  const target = await createTempDatabase('postgresql');
  databases.push(source, target);
  const c = new PgClient({ connectionString: source.endpoint.connectionString });
  await c.connect();
  try {
    await c.query(`DO $$ BEGIN FOR i IN 1..105 LOOP
      EXECUTE format('CREATE TABLE t%s (id integer PRIMARY KEY, v text)', lpad(i::text, 3, '0'));
      EXECUTE format('INSERT INTO t%s VALUES (1, ''x'')', lpad(i::text, 3, '0'));
    END LOOP; END $$; ANALYZE;`);
  } finally {
    await c.end();
  }
  const created = await api('POST', '/v1/migrations', {
    name: '105 tables',
    source: { type: 'postgresql', connection_string: source.endpoint.connectionString },
    target: { type: 'postgresql', connection_string: target.endpoint.connectionString },
    strategy: 'aggressive',
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await api('POST', `/v1/migrations/${id}/start`)).status).toBe(202);
  await openConsole(`#/migrations/${id}`);
  await page.getByText('(105 of 105 done)').waitFor({ timeout: 240_000 });
  const rows = page.locator('table.tables tbody tr');
  expect(await rows.count()).toBe(100);
  await page.getByRole('button', { name: 'Show every table' }).click();
  await page.getByText('Tables 1–100 of 105, in plan order.').waitFor();
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByText('Tables 101–105 of 105, in plan order.').waitFor();
  expect(await rows.allInnerTexts()).toEqual(['t101', 't102', 't103', 't104', 't105'].map((t) => expect.stringContaining(t)));
  await shot('15-migration-many-tables');
  expect(pageProblems).toEqual([]);
});

test('a blocker at the gate is shown, approving is refused with why; a CHECK and the blocked table ticked are left out: the rest migrates', async () => {
  const source = await createTempDatabase('postgresql');
  const target = await createTempDatabase('mysql');
  databases.push(source, target);
  const c = new PgClient({ connectionString: source.endpoint.connectionString });
  await c.connect();
  try {
    // Two columns whose names differ only in case: one column name in MariaDB.
    await c.query(`CREATE TABLE people (id integer PRIMARY KEY, "Name" text, name text); INSERT INTO people VALUES (1, 'Ada', 'ada');
      CREATE TABLE pets (id integer PRIMARY KEY, kind text NOT NULL CONSTRAINT pets_kind CHECK (kind <> '')); INSERT INTO pets SELECT g, 'cat ' || g FROM generate_series(1, 12) g; ANALYZE;`);
  } finally {
    await c.end();
  }
  const id = await createAndStart(api, { name: 'blocked people', source, target, strategy: 'aggressive' });
  await openConsole(`#/migrations/${id}`);
  const blocker = 'columns Name and name of people are one column name in MariaDB/MySQL';
  await page.getByRole('alert').filter({ hasText: 'Blockers:' }).getByText(blocker, { exact: false }).waitFor({ timeout: 90_000 });
  await page.locator('#h-gate + p .badge').filter({ hasText: 'pending' }).waitFor();

  // Approving is refused, and the page says why.
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/v1/migrations/${id}/approve`),
    page.getByRole('button', { name: 'Approve' }).click(),
  ]);
  expect(refused.status()).toBe(409);
  await page.locator('form.gate').getByText('must be ended before it can be approved', { exact: false }).waitFor();
  await shot('17-migration-gate-blocked');
  // The refusal is the one problem the page met (its answer, and the browser's line about it).
  expect(pageProblems).toContain(`POST /v1/migrations/${id}/approve answered 409`);
  expect(pageProblems.filter((p) => !p.includes('409'))).toEqual([]);
  pageProblems.splice(0, pageProblems.length);

  // The tables' other objects are listed with what the target gets; the CHECK is left out with its tick box.
  await page.getByRole('checkbox', { name: 'Leave out check:pets.pets_kind' }).check();
  const [leftOut] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/v1/migrations/${id}/mappings`),
    page.getByRole('button', { name: 'Leave the ticked objects out' }).click(),
  ]);
  expect(leftOut.status()).toBe(200);
  await page.getByText('Left out: check:pets.pets_kind').waitFor();
  await page.locator('table.objects tr', { hasText: 'check:pets.pets_kind' }).getByText('not migrated, because it was left out at the gate').waitFor();
  await shot('18-migration-gate-objects');

  await page.getByRole('checkbox', { name: 'people' }).check();
  const [left] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && new URL(r.url()).pathname === `/v1/migrations/${id}/mappings`),
    page.getByRole('button', { name: 'Leave the ticked tables out' }).click(),
  ]);
  expect(left.status()).toBe(200);
  // Nothing blocks any more: the aggressive strategy opens the gate, and the rest migrates.
  await page.locator('.head-side .badge', { hasText: 'completed' }).waitFor({ timeout: 120_000 });
  const status = (await api('GET', `/v1/migrations/${id}/status`)).body;
  expect(status.source.exclude_tables).toEqual(['people']);
  expect(status.tables.map((t: any) => [t.name, t.rows_copied])).toEqual([['pets', 12]]);
  const my = await mysql.createConnection(target.endpoint.connectionString);
  try {
    const [rows] = await my.query('SELECT count(*) AS n, min(kind) AS first FROM pets');
    expect(rows).toEqual([{ n: 12, first: 'cat 1' }]);
    const [tables] = await my.query('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
    expect(tables).toEqual([{ t: 'pets' }]);
    const [checks] = await my.query('SELECT CONSTRAINT_NAME AS n FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()');
    expect(checks).toEqual([]);
  } finally {
    await my.end();
  }
  expect(pageProblems).toEqual([]);
});
