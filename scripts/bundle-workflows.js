#!/usr/bin/env node
// Bundles the compiled workflow code once at build time (dist/workflow-bundle.js), so a worker does not run
// webpack at start (about 240 MB of peak memory). Run after `tsc`; `npm run build` and scripts/setup.sh do.
'use strict';
const path = require('node:path');

const compiled = path.resolve(__dirname, '..', 'dist', 'workers', 'temporal.js');
const { writeWorkflowBundle } = require(compiled);

writeWorkflowBundle().then(
  ({ file, bytes }) => process.stderr.write(`[bundle-workflows] ${path.relative(process.cwd(), file)} (${Math.round(bytes / 1024)} KiB)\n`),
  (err) => {
    process.stderr.write(`[bundle-workflows] failed: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
