import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type Response } from 'express';

/** Where the console's page and modules are (console/ at the repository root, from api/ or dist/api/). */
const REPO_ROOT = path.resolve(__dirname, '..', fs.existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');
const CONSOLE_DIR = path.join(REPO_ROOT, 'console');

export interface ConsoleOptions {
  /** The Temporal Web UI's base URL (http://127.0.0.1:8233 for the embedded dev server), linked from each migration; none → no link. */
  temporalUiUrl?: string;
  /** The Temporal namespace migrations run in, for the links into the Temporal Web UI. */
  namespace: string;
}

/**
 * The browser modules the console imports by bare name, served from node_modules as they are published: Preact and
 * htm are plain ES modules, so the console needs no build step (no bundler, no JSX compiler).
 */
function vendorFiles(): Record<string, string> {
  // Found through the packages' own entry points (their export maps hide other paths).
  const preact = path.dirname(require.resolve('preact/package.json'));
  const htm = path.dirname(require.resolve('htm'));
  return {
    'preact.mjs': path.join(preact, 'dist', 'preact.mjs'),
    'hooks.mjs': path.join(preact, 'hooks', 'dist', 'hooks.mjs'),
    'htm.mjs': path.join(htm, 'htm.mjs'),
  };
}

/** The import map that names them, in the page itself; the Content-Security-Policy allows it by its hash, and no other inline script. */
function importMap(): string {
  return JSON.stringify({
    imports: { preact: '/console/vendor/preact.mjs', 'preact/hooks': '/console/vendor/hooks.mjs', htm: '/console/vendor/htm.mjs' },
  });
}

function contentSecurityPolicy(scriptHash: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'sha256-${scriptHash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * /console: the operators' web console, a single page over the public API (it signs in with an API key that stays in
 * the tab's sessionStorage). Static files only; every answer carries a strict CSP: scripts from here, no inline code.
 */
export function consoleRoutes(options: ConsoleOptions): Router {
  const router = Router({ caseSensitive: true, strict: false });
  const map = importMap();
  const hash = createHash('sha256').update(map).digest('base64');
  const page = fs.readFileSync(path.join(CONSOLE_DIR, 'index.html'), 'utf8').replace('<!--IMPORTMAP-->', `<script type="importmap">${map}</script>`);
  const csp = contentSecurityPolicy(hash);
  const secure = (res: Response) =>
    res.set({
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-cache',
    });

  router.get('/', (req, res) => {
    // Relative module paths resolve against /console/, so /console (no slash) goes there first.
    if (!req.originalUrl.split('?')[0].endsWith('/')) return res.redirect(301, '/console/');
    secure(res).type('html').send(page);
  });
  router.get('/config.json', (_req, res) => {
    secure(res).json({
      temporal_ui_url: options.temporalUiUrl ?? null,
      namespace: options.namespace,
    });
  });
  for (const [name, file] of Object.entries(vendorFiles())) {
    router.get(`/vendor/${name}`, (_req, res) => {
      secure(res).type('text/javascript').sendFile(file);
    });
  }
  router.use(
    '/assets',
    (_req, res, next) => {
      secure(res);
      next();
    },
    express.static(path.join(CONSOLE_DIR, 'assets'), { index: false, redirect: false, fallthrough: true, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }),
  );
  return router;
}
