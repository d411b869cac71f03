#!/bin/sh
# Runs the browser tests (widget.test.js: the widget, and every page at a phone's
# and a desktop's width) against programs that are already built.
#   run.sh WORKDIR INDEXER SERVER SAMPLE.jsonl
# WORKDIR (in the build tree, e.g. build/browser) receives node_modules, a copy of
# package.json and package-lock.json, and the screenshots under artifacts/. The
# npm packages are installed with `npm ci --ignore-scripts` (nothing else is
# downloaded; the browser is Debian's /usr/bin/chromium, or $VP_CHROMIUM) and again
# only when package-lock.json changes. The source tree is not written to.
set -eu
if [ $# -ne 4 ]; then
  echo "usage: $0 WORKDIR INDEXER SERVER SAMPLE.jsonl" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
work=$1
mkdir -p "$work"
work=$(cd "$work" && pwd)

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "browser tests: $tool is missing; run scripts/install-deps.sh" >&2
    exit 1
  fi
done
chromium=${VP_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "browser tests: $chromium is missing; run scripts/install-deps.sh (package chromium)" >&2
  exit 1
fi

if ! cmp -s "$here/package-lock.json" "$work/node_modules/.vp-lock" 2>/dev/null; then
  echo "browser tests: npm ci in $work" >&2
  rm -rf "$work/node_modules"
  cp "$here/package.json" "$here/package-lock.json" "$work/"
  (cd "$work" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$work/node_modules/.vp-lock"
fi

rm -rf "$work/artifacts"
mkdir -p "$work/artifacts"
status=0
VP_INDEXER=$2 VP_SERVER=$3 VP_SAMPLE=$4 VP_CHROMIUM=$chromium VP_ARTIFACTS="$work/artifacts" \
  VP_FIXTURES="$here/fixtures" NODE_PATH="$work/node_modules" \
  node --test --test-reporter=spec "$here/widget.test.js" || status=$?
for f in "$work"/artifacts/*.png; do
  [ -e "$f" ] && echo "screenshot: $f"
done
exit $status
