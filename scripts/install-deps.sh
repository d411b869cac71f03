#!/usr/bin/env bash
# Installs the Debian packages Vindplaats needs to build, test and run, and
# touches nothing when they are all present (checked with dpkg -s first).
# Usage: scripts/install-deps.sh [--print]   (--print lists the packages)
set -euo pipefail

packages=(
  # build
  gcc g++ make cmake pkg-config
  # libraries (their -dev packages bring the runtime libraries)
  libxapian-dev libmicrohttpd-dev libjansson-dev libhiredis-dev
  libcurl4-openssl-dev libxml2-dev libical-dev libinih-dev
  # SHA-256 and base64 (admin keys)
  nettle-dev
  # the embedded signal store
  libsqlite3-dev
  # YAZ: the CQL parser and SRU diagnostics of /sru
  libyaz-dev
  # the indexer's allocator
  libjemalloc-dev
  # tools the tests and scripts start
  xapian-tools curl redis-server
  # /sru's test: yaz-client as the library client, xmllint to validate answers
  yaz libxml2-utils
  # load generator for the no-downtime rebuild test; python3 for the bench summaries
  wrk python3
  # data: the Dutch word list the compound splitter reads; the zone data the
  # Amsterdam time rule is checked against (tests/unit/test_base.c)
  wdutch tzdata
  # fuzzing the parsers (make fuzz): clang with its libFuzzer runtime
  clang libclang-rt-14-dev
  # browser tests (tests/browser): the browser, and Node.js with npm for
  # playwright-core and axe-core
  chromium nodejs npm
)

if [[ "${1:-}" == "--print" ]]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

# What is installed, and what installed packages provide, read once. (Not
# piped into grep -q: with pipefail, grep quitting early fails the pipe.)
installed=$(dpkg-query -W -f='${Status}|${Package}|${Provides}\n' 2>/dev/null |
  awk -F'|' '$1 == "install ok installed" {print $2; n = split($3, p, ", *"); for (i = 1; i <= n; i++) {sub(/ .*/, "", p[i]); print p[i]}}')
missing=()
for p in "${packages[@]}"; do
  # a name that an installed package provides counts too (NodeSource's
  # nodejs provides npm and conflicts with Debian's npm package)
  if ! grep -qxF "$p" <<<"$installed"; then
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
