#!/bin/sh
# docs/embed.md states the sizes of widget.js and widget.css in bytes
# ("`widget.js` is 32,858 bytes and `widget.css` 6,150 bytes"): they must
# be the files' own, so a change to the widget that forgets the docs fails.
#   docs_sizes.sh SOURCE_DIR
set -eu
src=$1
status=0
for f in widget.js widget.css; do
  bytes=$(wc -c < "$src/api/static/$f" | tr -d ' ')
  shown=$(echo "$bytes" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta')
  if ! grep -q "\`$f\` \(is \)\?$shown bytes" "$src/docs/embed.md"; then
    echo "docs/embed.md: $f is $shown bytes; the docs say otherwise" >&2
    status=1
  fi
done
exit $status
