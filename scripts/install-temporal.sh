#!/usr/bin/env bash
# Builds the Temporal CLI (which contains the dev server) from source with Go, once.
# The binary lives outside the repository so that every fresh clone on this machine finds it.
# Idempotent: exits at once when the pinned version is already installed.
set -euo pipefail

version="${TEMPORAL_CLI_VERSION:-v1.5.1}"
bin_dir="${SENSEI_TOOLS_DIR:-$HOME/.cache/sensei/bin}"
bin="$bin_dir/temporal"
stamp="$bin_dir/.temporal-version"

if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
  echo "temporal $version already installed at $bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin /usr/lib/go/bin; do
    [ -x "$candidate/go" ] && PATH="$candidate:$PATH"
  done
fi
command -v go >/dev/null 2>&1 || { echo "install-temporal: Go is required to build the Temporal CLI (none on PATH)" >&2; exit 1; }

mkdir -p "$bin_dir"
echo "building temporal CLI $version with $(go version) into $bin_dir (takes a few minutes the first time)"
GOBIN="$bin_dir" GOFLAGS="-trimpath" go install "github.com/temporalio/cli/cmd/temporal@$version"
echo "$version" > "$stamp"
"$bin" --version
