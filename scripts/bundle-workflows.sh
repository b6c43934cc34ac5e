#!/usr/bin/env bash
# Bundles the compiled workflow code once at build time (dist/workflow-bundle.js), so a worker does not run webpack
# at start (about 240 MB of peak memory). Run after `tsc`: `npm run build` and scripts/setup.sh do.
#   bash scripts/bundle-workflows.sh             # always bundle
#   bash scripts/bundle-workflows.sh --if-stale  # only when the bundle is missing or older than the compiled workflows
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-always}"
node -e '
const { ensureWorkflowBundle, writeWorkflowBundle } = require("./dist/workers/temporal.js");
const work = process.argv[1] === "--if-stale" ? ensureWorkflowBundle().then((made) => (made ? "bundled" : "current")) : writeWorkflowBundle().then(() => "bundled");
work.then(
  (what) => process.stderr.write(`[bundle-workflows] dist/workflow-bundle.js ${what}\n`),
  (err) => { process.stderr.write(`[bundle-workflows] failed: ${err && err.stack ? err.stack : err}\n`); process.exit(1); },
);' -- "$mode"
