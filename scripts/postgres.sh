#!/usr/bin/env bash
# Start the local PostgreSQL cluster for the test suite (run as root on Debian; safe to run repeatedly).
# Progress goes to stderr; the only stdout line is the export to use, so this works:
#   eval "$(bash scripts/postgres.sh)" && .venv/bin/pytest
set -euo pipefail
VERSION=${PG_VERSION:-15}
CLUSTER=${PG_CLUSTER:-main}
WAIT_SECONDS=${PG_WAIT_SECONDS:-30}

log() { echo "postgres.sh: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "pg_ctlcluster not found; installing postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

# Fall back to whichever cluster exists when $VERSION/$CLUSTER does not (apt may bring another version).
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {found = 1} END {exit !found}'; then
  read -r VERSION CLUSTER _ < <(pg_lsclusters -h | head -n 1) || true
  if [ -z "${VERSION:-}" ]; then
    VERSION=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    CLUSTER=main
    log "no cluster found; creating $VERSION/$CLUSTER"
    pg_createcluster "$VERSION" "$CLUSTER" >&2
  fi
fi
PORT=$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c {print $3}')

# The socket directory lives on a tmpfs on some machines and is gone after a reboot.
install -d -o postgres -g postgres -m 2775 /var/run/postgresql

if pg_ctlcluster "$VERSION" "$CLUSTER" status >/dev/null 2>&1; then
  log "cluster $VERSION/$CLUSTER already running"
else
  log "starting cluster $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi

for _ in $(seq "$WAIT_SECONDS"); do
  if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    break
  fi
  sleep 1
done
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
  log "server not ready on 127.0.0.1:$PORT after ${WAIT_SECONDS}s; see /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log"
  exit 1
fi

(cd / && su postgres -c "psql -q -p $PORT -c \"ALTER USER postgres PASSWORD 'postgres'\"") >&2
log "ready on 127.0.0.1:$PORT"
echo "export STARDRIVE_TEST_POSTGRES_URL=postgresql+asyncpg://postgres:postgres@127.0.0.1:$PORT/postgres"
