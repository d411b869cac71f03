#!/usr/bin/env bash
# Runs vindplaats-peer-postgres against a throwaway PostgreSQL server.
#
# usage: bench/peers/run-postgres.sh --offerings FILE --queries FILE [other options
#        of vindplaats-peer-postgres, passed through; --conninfo is filled in here]
#
# initdb into a new temporary directory (as the postgres user when run as
# root), start the server with pg_ctl listening only on 127.0.0.1 on a free
# port and on a unix socket in that directory, create a database, run the
# peer (over the unix socket), then stop the server and remove the directory,
# also when something fails. The system's own cluster is never touched.
#
# Environment: PG_BIN (default /usr/lib/postgresql/15/bin, else the newest
# installed), VP_PEER_POSTGRES (default build/vindplaats-peer-postgres of this
# tree, or $BUILD/vindplaats-peer-postgres), VP_PG_SETTINGS (more "-c name=value"
# server options), TMPDIR.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${BUILD:-$repo/build}
[[ $build == /* ]] || build=$repo/$build
peer=${VP_PEER_POSTGRES:-$build/vindplaats-peer-postgres}

for a in "$@"; do
  if [[ $a == --conninfo ]]; then
    echo "run-postgres.sh: --conninfo is set by this script (it starts its own server)" >&2
    exit 2
  fi
done
if [[ ! -x $peer ]]; then
  echo "run-postgres.sh: $peer not found; build it (cmake --build build --target vindplaats-peer-postgres)" >&2
  exit 1
fi

bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [[ ! -x $bin/initdb ]]; then
  for candidate in /usr/lib/postgresql/*/bin; do  # the newest installed (glob order; 9 < 10 aside)
    [[ -x $candidate/initdb ]] && bin=$candidate
  done
fi
if [[ -z $bin || ! -x $bin/initdb || ! -x $bin/pg_ctl ]]; then
  echo "run-postgres.sh: no PostgreSQL server binaries (initdb, pg_ctl); run bench/peers/install-deps.sh" >&2
  exit 1
fi

# Nothing from the environment may point the tools at another server.
unset PGHOST PGHOSTADDR PGPORT PGDATA PGUSER PGDATABASE PGSERVICE PGSERVICEFILE PGOPTIONS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vindplaats-pg.XXXXXX")
data=$tmp/data
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  # initdb and the server refuse to run as root.
  chown postgres:postgres "$tmp"
  as_pg=(runuser -u postgres --)
fi

started=0
peer_pid=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  if [[ -n $peer_pid ]] && kill -0 "$peer_pid" 2>/dev/null; then
    kill "$peer_pid" 2>/dev/null || true
    wait "$peer_pid" 2>/dev/null || true
  fi
  if [[ $started -eq 1 ]]; then
    "${as_pg[@]}" "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! "${as_pg[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$tmp/initdb.log" 2>&1; then
  echo "run-postgres.sh: initdb failed:" >&2
  tail -20 "$tmp/initdb.log" >&2
  exit 1
fi

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Server settings for a benchmark on one machine: memory for the data and
# index builds, no JIT (it costs more than it saves on short queries), and
# wal_level=minimal so that COPY into tables created in the same transaction
# skips the WAL (fsync stays on).
settings="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$tmp"
settings+=" -c shared_buffers=1GB -c work_mem=32MB -c maintenance_work_mem=1GB"
settings+=" -c effective_cache_size=8GB -c random_page_cost=1.1 -c jit=off"
settings+=" -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=8GB"
settings+=" ${VP_PG_SETTINGS:-}"

port=
for _ in 1 2 3 4 5 6 7 8; do
  candidate=$((20000 + RANDOM % 40000))
  port_is_free "$candidate" || continue
  if "${as_pg[@]}" "$bin/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 \
      -o "$settings -c port=$candidate" start >/dev/null 2>&1; then
    port=$candidate
    started=1
    break
  fi
done
if [[ -z $port ]]; then
  echo "run-postgres.sh: the server did not start:" >&2
  tail -20 "$tmp/server.log" >&2 2>/dev/null || true
  exit 1
fi

"$bin/createdb" -h "$tmp" -p "$port" -U postgres vindplaats_bench
echo "run-postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port and $tmp" >&2

# In the background, so that a signal to this script stops it and the server at once.
"$peer" --conninfo "host=$tmp port=$port user=postgres dbname=vindplaats_bench" "$@" &
peer_pid=$!
status=0
wait "$peer_pid" || status=$?
peer_pid=
if [[ $status -ne 0 ]]; then
  echo "run-postgres.sh: vindplaats-peer-postgres exited with status $status; the server's log ends:" >&2
  tail -10 "$tmp/server.log" >&2 2>/dev/null || true
fi
exit "$status"
