#!/usr/bin/env bash
# Builds a real Temporal server (temporal-server) and its SQL schema tool (temporal-sql-tool) from source with
# Go, once, for running Sensei against a Temporal cluster on PostgreSQL (scripts/cluster.sh, npm run
# test:cluster). The server version is the one the pinned Temporal CLI embeds; scripts/temporal-server/go.mod
# holds it and the CLI's dependency versions. The binaries live beside the CLI, outside the repository.
# Idempotent: exits at once when binaries built from the current go.mod are installed.
# The CLI embeds this very server with the same dependency versions, so after the CLI's build nearly every package
# comes from Go's build cache (16 s on this 2-core machine); only a machine without that cache compiles it all.
set -euo pipefail
cd "$(dirname "$0")/temporal-server"

bin_dir="${SENSEI_TOOLS_DIR:-$HOME/.cache/sensei/bin}"
stamp="$bin_dir/.temporal-server-version"
want="$(sha256sum go.mod go.sum | sha256sum | cut -c1-16)"
version="$(awk '$1 == "go.temporal.io/server" { print $2 }' go.mod)"

if [ -x "$bin_dir/temporal-server" ] && [ -x "$bin_dir/temporal-sql-tool" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "temporal-server $version and temporal-sql-tool already installed in $bin_dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin /usr/lib/go/bin; do
    [ -x "$candidate/go" ] && PATH="$candidate:$PATH"
  done
fi
command -v go >/dev/null 2>&1 || { echo "install-temporal-server: Go is required to build the Temporal server (none on PATH)" >&2; exit 1; }

mkdir -p "$bin_dir"
echo "building the Temporal server $version (temporal-server, temporal-sql-tool) with $(go version) into $bin_dir"
echo "  (seconds when the CLI's build left its packages in Go's cache; tens of minutes on 2 cores without it)"
start=$SECONDS
# -trimpath as for the CLI, so that packages both builds share come from Go's build cache.
export GOFLAGS="-trimpath"
go build -o "$bin_dir/temporal-server.tmp" go.temporal.io/server/cmd/server
go build -o "$bin_dir/temporal-sql-tool.tmp" go.temporal.io/server/cmd/tools/sql
mv "$bin_dir/temporal-server.tmp" "$bin_dir/temporal-server"
mv "$bin_dir/temporal-sql-tool.tmp" "$bin_dir/temporal-sql-tool"
echo "$want" > "$stamp"
echo "built temporal-server $version and temporal-sql-tool in $((SECONDS - start)) s"
