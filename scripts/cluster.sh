#!/usr/bin/env bash
# Sensei on a real Temporal cluster, on this machine: the Temporal server (temporal-server, built by
# scripts/install-temporal-server.sh) on PostgreSQL persistence, Sensei's metadata store on PostgreSQL, worker
# processes, API processes and one address in front of the APIs (scripts/cluster-proxy.mjs).
#
#   bash scripts/cluster.sh start     # databases (created once), Temporal server, namespace, workers, APIs, proxy
#   bash scripts/cluster.sh status    # what runs, where, and the environment to reach it
#   bash scripts/cluster.sh stop      # everything it started, in reverse order (databases and keys are kept)
#   bash scripts/cluster.sh destroy   # stop, then drop its databases and remove its run directory
#
# Settings (environment; README "Running on a cluster"):
#   SENSEI_CLUSTER_DIR        run directory: config, keys, pids, logs (./.sensei/cluster)
#   SENSEI_CLUSTER_DB_PREFIX  names of its PostgreSQL databases: <prefix>_temporal, <prefix>_visibility, <prefix>_sensei (sensei_cluster)
#   SENSEI_CLUSTER_PG_HOST, SENSEI_CLUSTER_PG_PORT, SENSEI_CLUSTER_PG_USER, SENSEI_CLUSTER_PG_PASSWORD
#                             the PostgreSQL server (127.0.0.1, 5432, postgres, none)
#   SENSEI_CLUSTER_WORKERS, SENSEI_CLUSTER_APIS   how many worker and API processes (2, 2)
#   SENSEI_CLUSTER_PORT       the proxy's port, the one address of the API (8080; 0 → a free port)
#   SENSEI_CLUSTER_TEMPORAL_PORT   the Temporal frontend's gRPC port (0 → a free port; the server's 8 other
#                             ports are always free ones). Ports chosen at the first start are kept in the run
#                             directory and reused, as the Temporal server records its address in its database.
#   SENSEI_TASK_QUEUE, TEMPORAL_NAMESPACE and the other SENSEI_* settings pass through to workers and APIs.
#   SENSEI_API_KEY, SENSEI_ENCRYPTION_KEY, SENSEI_SIGNING_KEY: unset → generated once into <run dir>/keys.env,
#                             which every process of the cluster reads (they must all share them).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN_DIR="$(mkdir -p "${SENSEI_CLUSTER_DIR:-$ROOT/.sensei/cluster}" && cd "${SENSEI_CLUSTER_DIR:-$ROOT/.sensei/cluster}" && pwd)"
BIN_DIR="${SENSEI_TOOLS_DIR:-$HOME/.cache/sensei/bin}"
PG_HOST="${SENSEI_CLUSTER_PG_HOST:-127.0.0.1}"
PG_PORT="${SENSEI_CLUSTER_PG_PORT:-5432}"
PG_USER="${SENSEI_CLUSTER_PG_USER:-postgres}"
PG_PASSWORD="${SENSEI_CLUSTER_PG_PASSWORD:-}"
DB_PREFIX="${SENSEI_CLUSTER_DB_PREFIX:-sensei_cluster}"
WORKERS="${SENSEI_CLUSTER_WORKERS:-2}"
APIS="${SENSEI_CLUSTER_APIS:-2}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
TASK_QUEUE="${SENSEI_TASK_QUEUE:-sensei-migrations}"
PIDS="$RUN_DIR/pids"
LOGS="$RUN_DIR/logs"

die() { echo "cluster: $*" >&2; exit 1; }
say() { echo "cluster: $*"; }

[[ "$DB_PREFIX" =~ ^[a-z_][a-z0-9_]{0,40}$ ]] || die "SENSEI_CLUSTER_DB_PREFIX must be lower-case letters, digits and _ (got \"$DB_PREFIX\")"
[[ "$WORKERS" =~ ^[1-9][0-9]?$ && "$APIS" =~ ^[1-9][0-9]?$ ]] || die "SENSEI_CLUSTER_WORKERS and SENSEI_CLUSTER_APIS must be 1–99"

export PGHOST="$PG_HOST" PGPORT="$PG_PORT" PGUSER="$PG_USER" PGPASSWORD="$PG_PASSWORD"
psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -d postgres -tA "$@"; }

database_url() {
  local auth="$PG_USER"
  [ -n "$PG_PASSWORD" ] && auth="$PG_USER:$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$PG_PASSWORD")"
  echo "postgresql://$auth@$PG_HOST:$PG_PORT/${DB_PREFIX}_sensei"
}

# ---------------------------------------------------------------- processes

pid_of() { cat "$PIDS/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid="$(pid_of "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

# launch NAME COMMAND…: in the background, output to logs/NAME.log, pid to pids/NAME.pid.
launch() {
  local name="$1"; shift
  if alive "$name"; then die "$name already runs (pid $(pid_of "$name")): bash scripts/cluster.sh stop"; fi
  nohup "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

# wait_for NAME SECONDS TEST…: until TEST succeeds; fails with the log's tail if NAME dies or time runs out.
wait_for() {
  local name="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ! alive "$name"; then tail -n 30 "$LOGS/$name.log" >&2; die "$name exited during start (log: $LOGS/$name.log)"; fi
    if [ $SECONDS -ge $deadline ]; then tail -n 30 "$LOGS/$name.log" >&2; die "$name not ready after ${seconds}s (log: $LOGS/$name.log)"; fi
    sleep 0.5
  done
}

# halt NAME: SIGTERM, then SIGKILL after 20 s (a worker lets in-flight activities finish first).
halt() {
  local name="$1" pid
  pid="$(pid_of "$name")"
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name (pid $pid) did not stop within 20 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$PIDS/$name.pid"
}

# ---------------------------------------------------------------- ports, keys

# free_ports N: N distinct loopback ports nobody listens on now, below 32768 (the Temporal server keeps its
# membership ports in a smallint column, so the kernel's ephemeral ports would not do).
free_ports() {
  node -e '
    const net = require("node:net");
    const want = Number(process.argv[1]);
    const held = [];
    const tryPort = (port) => new Promise((resolve) => {
      const s = net.createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => { held.push(s); resolve(true); });
    });
    (async () => {
      const ports = [];
      for (let tries = 0; ports.length < want && tries < 1000; tries++) {
        const port = 20000 + Math.floor(Math.random() * 12000);
        if (!ports.includes(port) && (await tryPort(port))) ports.push(port);
      }
      held.forEach((s) => s.close());
      if (ports.length < want) process.exit(1);
      console.log(ports.join(" "));
    })();
  ' "$1"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Ports are chosen once and kept in ports.env: the Temporal server stores its frontend address in its database.
load_ports() {
  if [ ! -f "$RUN_DIR/ports.env" ]; then
    local picked; read -r -a picked <<<"$(free_ports $((9 + APIS)))"
    local proxy="${SENSEI_CLUSTER_PORT:-8080}" frontend="${SENSEI_CLUSTER_TEMPORAL_PORT:-0}"
    [ "$proxy" = 0 ] && proxy="${picked[0]}"
    [ "$frontend" = 0 ] && frontend="${picked[1]}"
    {
      echo "PROXY_PORT=$proxy"
      echo "FRONTEND_PORT=$frontend"
      echo "FRONTEND_HTTP_PORT=${picked[2]}"
      echo "FRONTEND_MEMBERSHIP_PORT=${picked[3]}"
      echo "HISTORY_PORT=${picked[4]}"
      echo "HISTORY_MEMBERSHIP_PORT=${picked[5]}"
      echo "MATCHING_PORT=${picked[6]}"
      echo "MATCHING_MEMBERSHIP_PORT=${picked[7]}"
      echo "WORKER_PORT=${picked[8]}"
      echo "WORKER_MEMBERSHIP_PORT=$(free_ports 1)"
      local i; for ((i = 1; i <= APIS; i++)); do echo "API_PORT_$i=${picked[$((8 + i))]}"; done
    } >"$RUN_DIR/ports.env"
  fi
  # shellcheck disable=SC1091
  source "$RUN_DIR/ports.env"
  # The proxy's port is nobody's record: an explicit setting wins over the one kept.
  if [ -n "${SENSEI_CLUSTER_PORT:-}" ] && [ "$SENSEI_CLUSTER_PORT" != 0 ]; then PROXY_PORT="$SENSEI_CLUSTER_PORT"; fi
  local i; for ((i = 1; i <= APIS; i++)); do
    local var="API_PORT_$i"
    [ -n "${!var:-}" ] || { echo "$var=$(free_ports 1)" >>"$RUN_DIR/ports.env"; source "$RUN_DIR/ports.env"; }
  done
}

# API key, encryption key and signing key: from the environment, else generated once into keys.env.
load_keys() {
  if [ ! -f "$RUN_DIR/keys.env" ]; then
    (
      umask 077
      node -e '
        const { randomBytes, generateKeyPairSync } = require("node:crypto");
        const der = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "der" });
        console.log(`GENERATED_API_KEY=sk_live_${randomBytes(24).toString("base64url")}`);
        console.log(`GENERATED_ENCRYPTION_KEY=${randomBytes(32).toString("base64url")}`);
        console.log(`GENERATED_SIGNING_KEY=${der.toString("base64")}`);
      ' >"$RUN_DIR/keys.env"
    )
  fi
  # shellcheck disable=SC1091
  source "$RUN_DIR/keys.env"
  export SENSEI_API_KEY="${SENSEI_API_KEY:-$GENERATED_API_KEY}"
  export SENSEI_ENCRYPTION_KEY="${SENSEI_ENCRYPTION_KEY:-$GENERATED_ENCRYPTION_KEY}"
  export SENSEI_SIGNING_KEY="${SENSEI_SIGNING_KEY:-$GENERATED_SIGNING_KEY}"
}

# ---------------------------------------------------------------- Temporal

schema_dir() {
  local go=go modcache
  command -v go >/dev/null 2>&1 || go=/usr/local/go/bin/go
  modcache="$("$go" env GOMODCACHE 2>/dev/null)" || die "Go is needed to find the Temporal server's schema files (run npm run setup)"
  local version; version="$(awk '$1 == "go.temporal.io/server" { print $2 }' "$ROOT/scripts/temporal-server/go.mod")"
  local dir="$modcache/go.temporal.io/server@$version/schema/postgresql/v12"
  [ -d "$dir" ] || die "no Temporal schema at $dir: run bash scripts/install-temporal-server.sh"
  echo "$dir"
}

sql_tool() {
  "$BIN_DIR/temporal-sql-tool" --plugin postgres12 --endpoint "$PG_HOST" --port "$PG_PORT" --user "$PG_USER" \
    --password "$PG_PASSWORD" "$@"
}

# A Temporal database: created and set up at version 0.0 once, then brought to the newest schema (idempotent).
prepare_temporal_database() {
  local database="$1" versioned="$2"
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$database'")" != 1 ]; then
    sql_tool --database "$database" create-database >"$LOGS/schema-$database.log" 2>&1 &&
      sql_tool --database "$database" setup-schema -v 0.0 >>"$LOGS/schema-$database.log" 2>&1 ||
      { tail -n 20 "$LOGS/schema-$database.log" >&2; die "creating database $database failed"; }
    say "created database $database"
  fi
  sql_tool --database "$database" update-schema -d "$versioned" >"$LOGS/schema-$database.log" 2>&1 ||
    { tail -n 20 "$LOGS/schema-$database.log" >&2; die "schema update of $database failed"; }
}

render_temporal_config() {
  mkdir -p "$RUN_DIR/temporal/config"
  cat >"$RUN_DIR/temporal/dynamicconfig.yaml" <<EOF
# Written by scripts/cluster.sh. Lists by search attribute see new values at once.
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
EOF
  local store
  store() {
    cat <<EOF
      sql:
        pluginName: "postgres12"
        databaseName: "$1"
        connectAddr: "$PG_HOST:$PG_PORT"
        connectProtocol: "tcp"
        user: "$PG_USER"
        password: "$PG_PASSWORD"
        maxConns: $2
        maxIdleConns: $2
        maxConnLifetime: "1h"
EOF
  }
  service() {
    cat <<EOF
  $1:
    rpc:
      grpcPort: $2
      membershipPort: $3
      bindOnLocalHost: true
EOF
  }
  {
    cat <<EOF
# Written by scripts/cluster.sh: a Temporal server on PostgreSQL, every service on loopback.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
EOF
    store "${DB_PREFIX}_temporal" 20
    echo "    visibility:"
    store "${DB_PREFIX}_visibility" 4
    cat <<EOF
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
EOF
    service frontend "$FRONTEND_PORT" "$FRONTEND_MEMBERSHIP_PORT"
    echo "      httpPort: $FRONTEND_HTTP_PORT"
    service history "$HISTORY_PORT" "$HISTORY_MEMBERSHIP_PORT"
    service matching "$MATCHING_PORT" "$MATCHING_MEMBERSHIP_PORT"
    service worker "$WORKER_PORT" "$WORKER_MEMBERSHIP_PORT"
    cat <<EOF
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:$FRONTEND_PORT"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "$RUN_DIR/temporal/dynamicconfig.yaml"
  pollInterval: "10s"
EOF
  } >"$RUN_DIR/temporal/config/development.yaml"
}

temporal_cli() { "$BIN_DIR/temporal" --address "127.0.0.1:$FRONTEND_PORT" "$@"; }

# polls PID: the task queue lists a poller of that process (a worker's identity is pid@host).
polls() {
  temporal_cli task-queue describe --namespace "$NAMESPACE" --task-queue "$TASK_QUEUE" --output json | grep -q "\"identity\": \"$1@"
}

# ---------------------------------------------------------------- commands

# The environment of every Sensei process: one Temporal address, namespace and task queue, one metadata store, the
# same keys (exported by load_keys), and a data dir of its own (nothing is shared through files).
sensei_env() {
  SENSEI_ENV=("TEMPORAL_ADDRESS=127.0.0.1:$FRONTEND_PORT" "TEMPORAL_NAMESPACE=$NAMESPACE" "SENSEI_TASK_QUEUE=$TASK_QUEUE"
    "SENSEI_DATABASE_URL=$(database_url)" "SENSEI_DATA_DIR=$RUN_DIR/data/$1")
}

start() {
  [ -x "$BIN_DIR/temporal-server" ] && [ -x "$BIN_DIR/temporal-sql-tool" ] ||
    die "temporal-server is not built: run bash scripts/install-temporal-server.sh (npm run setup does)"
  [ -f "$ROOT/dist/workers/worker.js" ] && [ -f "$ROOT/dist/workflow-bundle.js" ] || die "Sensei is not built: run npm run build"
  mkdir -p "$PIDS" "$LOGS" "$RUN_DIR/data"
  # A start that fails half-way stops what it started.
  trap 'status=$?; if [ $status -ne 0 ]; then say "start failed: stopping what it started"; stop; fi' EXIT
  load_ports
  load_keys
  local port; for port in "$PROXY_PORT" "$FRONTEND_PORT"; do
    port_free "$port" || die "port $port is taken (set SENSEI_CLUSTER_PORT / SENSEI_CLUSTER_TEMPORAL_PORT, or remove $RUN_DIR/ports.env)"
  done

  # 1. PostgreSQL: Temporal's two databases (schema from the server's own module) and Sensei's metadata store.
  pg_isready -q || die "PostgreSQL does not answer at $PG_HOST:$PG_PORT"
  local schema; schema="$(schema_dir)"
  prepare_temporal_database "${DB_PREFIX}_temporal" "$schema/temporal/versioned"
  prepare_temporal_database "${DB_PREFIX}_visibility" "$schema/visibility/versioned"
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '${DB_PREFIX}_sensei'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE ${DB_PREFIX}_sensei"
    say "created database ${DB_PREFIX}_sensei"
  fi

  # 2. The Temporal server, then the namespace (registered once; kept in its database).
  render_temporal_config
  launch temporal-server "$BIN_DIR/temporal-server" --root "$RUN_DIR/temporal" --config config --env development --allow-no-auth start
  wait_for temporal-server 90 temporal_cli operator cluster health
  if ! temporal_cli operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
    temporal_cli operator namespace create --namespace "$NAMESPACE" --retention 72h >/dev/null
    say "registered namespace $NAMESPACE"
  fi
  # A new namespace reaches every service's cache within seconds: wait until the frontend takes work in it.
  wait_for temporal-server 60 temporal_cli workflow list --namespace "$NAMESPACE" --limit 1
  say "Temporal server on 127.0.0.1:$FRONTEND_PORT (PostgreSQL ${DB_PREFIX}_temporal, ${DB_PREFIX}_visibility)"

  # 3. Workers, then APIs, then the one address in front of the APIs.
  local i backends=()
  for ((i = 1; i <= WORKERS; i++)); do
    sensei_env "worker-$i"
    launch "worker-$i" env "${SENSEI_ENV[@]}" node --max-semi-space-size=4 "$ROOT/dist/workers/worker.js"
  done
  for ((i = 1; i <= WORKERS; i++)); do wait_for "worker-$i" 90 polls "$(pid_of "worker-$i")"; done
  say "$WORKERS workers polling task queue $TASK_QUEUE"
  for ((i = 1; i <= APIS; i++)); do
    local api_port="API_PORT_$i"
    sensei_env "api-$i"
    launch "api-$i" env "${SENSEI_ENV[@]}" PORT="${!api_port}" HOST=127.0.0.1 node "$ROOT/dist/workers/api.js"
    backends+=("127.0.0.1:${!api_port}")
  done
  for ((i = 1; i <= APIS; i++)); do
    local api_port="API_PORT_$i"
    wait_for "api-$i" 90 curl -sf "http://127.0.0.1:${!api_port}/healthz"
  done
  say "$APIS API processes on ${backends[*]}"
  launch proxy node "$ROOT/scripts/cluster-proxy.mjs" "127.0.0.1:$PROXY_PORT" "${backends[@]}"
  wait_for proxy 20 curl -sf "http://127.0.0.1:$PROXY_PORT/healthz"
  trap - EXIT
  say "Sensei API on http://127.0.0.1:$PROXY_PORT/v1 (its key: \$SENSEI_API_KEY if set, else GENERATED_API_KEY in $RUN_DIR/keys.env)"
}

names() {
  local i
  echo proxy
  for ((i = APIS; i >= 1; i--)); do echo "api-$i"; done
  for ((i = WORKERS; i >= 1; i--)); do echo "worker-$i"; done
  echo temporal-server
}

stop() {
  local name
  # Also processes of an earlier start with more workers or APIs than now.
  for name in proxy $(cd "$PIDS" 2>/dev/null && { ls -- api-*.pid; ls -- worker-*.pid; } 2>/dev/null | sed 's/\.pid$//') temporal-server; do
    halt "$name"
  done
}

status() {
  [ -f "$RUN_DIR/ports.env" ] || { echo "no cluster in $RUN_DIR"; return 1; }
  load_ports
  local name down=0
  for name in $(names); do
    if alive "$name"; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: not running"; down=1; fi
  done
  echo "SENSEI_API_URL=http://127.0.0.1:$PROXY_PORT"
  echo "TEMPORAL_ADDRESS=127.0.0.1:$FRONTEND_PORT"
  echo "SENSEI_DATABASE_URL=postgresql://$PG_USER@$PG_HOST:$PG_PORT/${DB_PREFIX}_sensei"
  echo "logs: $LOGS"
  return $down
}

destroy() {
  stop
  local database
  for database in "${DB_PREFIX}_temporal" "${DB_PREFIX}_visibility" "${DB_PREFIX}_sensei"; do
    psql_admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
  done
  say "dropped databases ${DB_PREFIX}_{temporal,visibility,sensei}"
  rm -rf "$RUN_DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  destroy) destroy ;;
  *) echo "usage: bash scripts/cluster.sh start|status|stop|destroy" >&2; exit 2 ;;
esac
