#!/usr/bin/env bash
# Installs the Debian packages the benchmark needs beyond scripts/install-deps.sh:
# the peers' servers and libraries (PostgreSQL with its contrib extensions such as
# unaccent, libpq, SQLite) and wrk for the HTTP load. Touches nothing when they
# are all present (checked with dpkg -s first).
# Usage: bench/peers/install-deps.sh [--print]   (--print lists the packages)
set -euo pipefail

packages=(
  # PostgreSQL server (initdb, pg_ctl; unaccent ships with it) and its client library
  postgresql libpq-dev
  # SQLite with FTS5, and its shell for looking into a peer's database
  libsqlite3-dev sqlite3
  # HTTP load generator for the server benchmark
  wrk
)

if [[ "${1:-}" == "--print" ]]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-deps: not root and no sudo; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
