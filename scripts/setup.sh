#!/usr/bin/env bash
# Everything Sensei needs on a fresh machine of this kind, idempotent and quick when already done:
# build tools for native npm modules, the local PostgreSQL and MariaDB services, npm packages,
# the Temporal CLI and the Temporal server with its SQL schema tool (built with Go), and the compiled TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# 1. Tools that a source build of better-sqlite3 needs (its prebuilt binary cannot be downloaded here), and Debian's
# chromium, the browser the web console's tests drive through playwright-core (which brings no browser of its own),
# and PostGIS for the local PostgreSQL.
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
missing=()
for tool in python3 make g++; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# PostGIS for the local PostgreSQL (geometry columns migrate as PostGIS geometry where a target database has it; tests
# create the extension in databases of their own). Its package is named after the server's major version.
pg_major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || true)
if [ -n "$pg_major" ] && [ ! -f "/usr/share/postgresql/$pg_major/extension/postgis.control" ]; then
  missing+=("postgresql-$pg_major-postgis-3")
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 1b. Public sample databases the tests migrate (test/e2e/sample-databases.test.ts) and the project does not contain:
# Debian ships two of them inside packages, whose files are taken without installing the packages (apt-get download,
# dpkg-deb -x): MariaDB's test-suite data holds the MySQL "world" database (countries, cities, languages) and a dump
# of MariaDB 10.4's own system database (ENUM, SET, unsigned, BLOB, TIMESTAMP, JSON, CSV tables, a view), and R's
# RSQLite package holds R's datasets as an SQLite file (42 tables, none with a primary key).
samples=.cache/sample-databases
# Called where a failure is not fatal (`fetch_samples || log …`), so `set -e` does not apply inside: each step says
# whether it worked. Root's apt-get download fetches as the user _apt, which may write to the download directory only;
# nobody else may write where the packages are unpacked.
fetch_samples() {
  local debs ok=0
  debs=$(mktemp -d) || return 1
  chmod 711 "$debs" && mkdir "$debs/dl" "$debs/x" || { rm -rf "$debs"; return 1; }
  if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$debs/dl"; fi
  fetch() { (cd "$debs/dl" && apt-get download -qq mariadb-test-data r-cran-rsqlite >/dev/null 2>&1); }
  unpack() {
    local deb
    for deb in "$debs"/dl/*.deb; do dpkg-deb -x "$deb" "$debs/x" || return 1; done
  }
  if { fetch || { $SUDO apt-get update -qq && fetch; }; } && unpack && mkdir -p "$samples" &&
    cp "$debs/x/usr/share/mysql/mysql-test/include/world.inc" "$debs/x/usr/share/mysql/mysql-test/include/world_schema.inc" "$samples/" &&
    cp "$debs/x/usr/share/mysql/mysql-test/std_data/mysql_database_10.4.dump" "$samples/mariadb-system-10.4.sql" &&
    cp "$debs/x/usr/lib/R/site-library/RSQLite/db/datasets.sqlite" "$samples/"; then
    ok=1
  fi
  rm -rf "$debs"
  [ "$ok" = 1 ]
}
if [ ! -f "$samples/world.inc" ] || [ ! -f "$samples/world_schema.inc" ] || [ ! -f "$samples/mariadb-system-10.4.sql" ] || [ ! -f "$samples/datasets.sqlite" ]; then
  log "fetching the sample databases from Debian's packages (mariadb-test-data, r-cran-rsqlite)"
  # Only their test needs them: without them the rest of set-up (and the demo) goes on, and that test says what is missing.
  fetch_samples || log "could not fetch the sample databases; test/e2e/sample-databases.test.ts will fail until set-up can"
fi

# PostgreSQL's own regression database: the tables its test suite sets up (inheritance four levels deep, name, point,
# path, box, int4[]/text[], jsonb, tsvector, float extremes) with upstream's data files. They are in the source
# package only, fetched with apt-get source from a sources list of its own (signatures checked against Debian's
# keyring; nothing installed, the machine's sources untouched); only the data files and the SQL that makes the tables
# are kept.
fetch_pg_regress() {
  local work major ok=0
  major=$(psql --version 2>/dev/null | sed -n 's/^psql (PostgreSQL) \([0-9]*\).*/\1/p')
  [ -n "$major" ] && [ -r /etc/os-release ] || return 1
  work=$(mktemp -d) || return 1
  chmod 711 "$work" && mkdir -p "$work/lists/partial" "$work/dl" "$work/x" || { rm -rf "$work"; return 1; }
  if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then chown _apt "$work/dl" "$work/lists/partial"; fi
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $(. /etc/os-release && echo "$VERSION_CODENAME") main" >"$work/sources.list"
  local apt=(apt-get -qq -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$work/lists")
  if "${apt[@]}" update >/dev/null 2>&1 && (cd "$work/dl" && "${apt[@]}" source --download-only "postgresql-$major" >/dev/null 2>&1) &&
    tar -xf "$work"/dl/postgresql-"$major"_*.orig.tar.* -C "$work/x" --wildcards '*/src/test/regress/data/*' '*/src/test/regress/sql/*' &&
    mkdir -p "$samples/pg-regress" && cp -r "$work"/x/*/src/test/regress/data "$work"/x/*/src/test/regress/sql "$samples/pg-regress/"; then
    ok=1
  fi
  rm -rf "$work"
  [ "$ok" = 1 ]
}
if [ ! -f "$samples/pg-regress/sql/test_setup.sql" ]; then
  log "fetching PostgreSQL's regression database (its Debian source package)"
  fetch_pg_regress || log "could not fetch PostgreSQL's regression data; test/e2e/sample-databases.test.ts will fail until set-up can"
fi

# 2. Local services: PostgreSQL, MariaDB, and Redis (shared rate-limit counters; its test needs it).
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if command -v mysqladmin >/dev/null 2>&1 && ! mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1; then
  log "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true
fi
for _ in $(seq 1 60); do
  pg_ok=1; my_ok=1
  command -v pg_isready >/dev/null 2>&1 && { pg_isready -q -h 127.0.0.1 -p 5432 || pg_ok=0; }
  command -v mysqladmin >/dev/null 2>&1 && { mysqladmin -h 127.0.0.1 -u root ping >/dev/null 2>&1 || my_ok=0; }
  command -v redis-cli >/dev/null 2>&1 && { redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || my_ok=0; }
  [ "$pg_ok" = 1 ] && [ "$my_ok" = 1 ] && break
  sleep 1
done

# 3. npm packages, exactly as package-lock.json has them, again only when it changed. Should `npm ci` refuse
# the lock (an older lock lacked other platforms' optional binaries, which `npm ci` calls out of sync),
# `npm install` against the same lock installs the same versions.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.sensei-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  log "installing npm packages from package-lock.json"
  if ! npm ci --no-audit --no-fund --loglevel=error; then
    log "npm ci refused the lock; installing with npm install from the same lock"
    npm install --no-audit --no-fund --loglevel=error
  fi
  echo "$lock_hash" > node_modules/.sensei-lock-hash
fi

# 4. The Temporal CLI and its dev server (skips when present).
bash scripts/install-temporal.sh >&2
# 4b. The Temporal server itself and temporal-sql-tool, for a cluster on PostgreSQL (scripts/cluster.sh; skips when
# present). Most of its packages come from the CLI's build in Go's cache.
bash scripts/install-temporal-server.sh >&2

# 5. Compile (the worker, API and CLI run from dist/).
log "compiling TypeScript"
npx tsc -p tsconfig.json
# 6. The workflow bundle the worker loads instead of running webpack at start (skipped when it is current).
bash scripts/bundle-workflows.sh --if-stale
