#!/usr/bin/env bash
# The server's pages from their templates (api/templates, docs/site.md):
# every page renders, is HTML that libxml2's parser reads without an error
# (HTML5 element names aside, which its HTML 4 parser does not know) and
# leaves no template tag behind; /site.css is served and cacheable; a
# --templates directory overrides a page, a partial and the stylesheet; a
# broken override stops the server at start with FILE:LINE.
# Usage: test_site.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build=$1
root=$2
. "$root/tests/support/server.sh"
need_tools xmllint curl
server_args=(--admin-keys "$work/keys")

key=site-test-key-0123456789abcdef
echo "$key" > "$work/keys"
chmod 600 "$work/keys"
head -n 400 "$root/data/sample/offerings.jsonl" > "$work/offerings.jsonl"
"$build/vindplaats-indexer" load "$work/offerings.jsonl" --index "$work/index" >/dev/null || {
  echo "cannot build the test index"; echo "0 passed, 1 failed"; exit 1; }

# page NAME STATUS URL [curl args]: fetches an HTML page and checks it.
# (SITE_CSS=0: a page that does not use the shared frame.)
page() {
  local name=$1 want=$2 url=$3
  shift 3
  local got
  got=$(curl -s -o "$work/$name.html" -D "$work/$name.h" -w '%{http_code}' "$@" "$url")
  if [[ $got != "$want" ]]; then bad "$name: status $got, wanted $want"; return; fi
  ok
  if grep -qi '^content-type: text/html; charset=utf-8' "$work/$name.h"; then ok; else
    bad "$name: not text/html"; fi
  grep -v 'application/ld+json' "$work/$name.html" > "$work/$name.text" || true
  if grep -q '{{\|}}' "$work/$name.text"; then bad "$name: a template tag is left in the page"; else ok; fi
  if [[ ${SITE_CSS:-1} == 0 ]] || grep -q '<link rel="stylesheet" href="/site.css">' "$work/$name.html"; then
    ok; else bad "$name: no link to /site.css"; fi
  if grep -qi '^content-security-policy: default-src .self.' "$work/$name.h"; then ok; else
    bad "$name: no Content-Security-Policy"; fi
  local errors
  errors=$(xmllint --html --noout "$work/$name.html" 2>&1 | grep 'parser error' |
    grep -Ev 'Tag (header|main|footer|article|section|nav|time|mark|datalist|figure|figcaption|svg|title|desc|g|line|rect|text|path|polyline|circle|details|summary) invalid')
  if [[ -n $errors ]]; then bad "$name: not valid HTML: $errors"; else ok; fi
}

# ---- the built-in templates ----
if ! start; then
  echo "the server did not start"; echo "0 passed, 1 failed"; exit 1
fi
id=$(curl -s "$base/v1/search?per_page=1&type=course" | sed -n 's/.*"results":\[{"id":"\([^"]*\)".*/\1/p')
[[ -n $id ]] && ok || bad "no course in the test index"
curl -s -o /dev/null -X PUT -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  "$base/v1/queries/computerhulp" \
  -d '{"title":"Computerhulp <&> meer","intro":"Leer \"mailen\" & appen.","search":{"q":"computer","per_page":3}}'
# searches: how many searches the query log holds for the last 7 days.
searches() {
  curl -s -H "Authorization: Bearer $key" "$base/v1/insights/days?days=7" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["totals"]["searches"])'
}
logged=$(searches)
SITE_CSS=0 page home 200 "$base/?q=digicafe&type=course"
[[ $(searches) == $((logged + 1)) ]] && ok || bad "home: a search without JavaScript is not in the query log"
grep -q '<script src="/widget.js" defer></script>' "$work/home.html" && ok || bad "home: no widget"
page offering 200 "$base/o/$id"
# An offering with a place (not only online) links to it on a map.
map=$(python3 - "$work/offerings.jsonl" "$id" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    loc = o.get("location") or {}
    if o["id"] == sys.argv[2] and o.get("channel") != "online" and "lat" in loc:
        print("https://www.openstreetmap.org/?mlat=%.5f&amp;mlon=%.5f#map=17/%.5f/%.5f"
              % (loc["lat"], loc["lon"], loc["lat"], loc["lon"]))
PY
)
[[ -n $map ]] && ok || bad "the test course has no place"
grep -qF "<a href=\"$map\">Bekijk de plek op OpenStreetMap</a>" "$work/offering.html" && ok ||
  bad "offering: no map link to $map"
page offering-missing 404 "$base/o/nope:none"
page landing 200 "$base/q/computerhulp?utm_source=poster"
page landing-refined 200 "$base/q/computerhulp?q=tablet&page=2"
page landing-missing 404 "$base/q/bestaat-niet"
page services 200 "$base/services"
page services-none 200 "$base/services?municipality=Nergens%22dorp%3C"
page insights 200 "$base/insights" -u "staff:$key"
# What each page shows, escaped where it came from outside.
grep -q '<h1>Computerhulp &lt;&amp;&gt; meer</h1>' "$work/landing.html" && ok ||
  bad "landing: the title is not in its h1, escaped"
grep -q '<p class="lead">Leer &quot;mailen&quot; &amp; appen.</p>' "$work/landing.html" && ok ||
  bad "landing: the intro is not escaped"
grep -q '<input type="hidden" name="utm_source" value="poster">' "$work/landing.html" && ok ||
  bad "landing: utm_source is not carried by the form"
grep -q 'class="vp-card"' "$work/landing.html" && ok || bad "landing: no result cards"
grep -q '<meta name="robots" content="noindex, follow">' "$work/landing-refined.html" && ok ||
  bad "landing: a refined search is not noindex"
grep -q 'value="Nergens&quot;dorp&lt;"' "$work/services-none.html" && ok ||
  bad "services: the municipality is not in the form, escaped"
grep -q '<caption id="matrix-cap">Aanbod per bibliotheek in gemeente Nergens&quot;dorp&lt;</caption>' \
  "$work/services-none.html" && ok || bad "services: the caption does not name the municipality"
grep -q '<p>Geen bibliotheek van het netwerk heeft daar een vestiging.' "$work/services-none.html" && ok ||
  bad "services: no notice that nothing is there"
grep -q '<td class="yes">' "$work/services.html" && ok || bad "services: no offered cell"
[[ $(grep -c '<svg class="chart" role="img"' "$work/insights.html") == 5 ]] && ok ||
  bad "insights: not the five charts"
grep -q '<title id="camp-t">Campagnes</title>' "$work/insights.html" && ok ||
  bad "insights: no campaign chart"
grep -q '<a href="/v1/insights/days?format=csv&amp;days=30">Per dag als CSV' "$work/insights.html" && ok ||
  bad "insights: no CSV link for the days, escaped"
grep -q '<script type="application/ld+json">{"@context":"https://schema.org"' "$work/offering.html" && ok ||
  bad "offering: no JSON-LD"
grep -q '<dl class="facts">' "$work/offering.html" && ok || bad "offering: no facts"
# Open Graph and Twitter cards on the pages meant to be shared, escaped, with
# the page's absolute canonical address (utm_* and refinements left out).
# has FILE LINE: the page holds that exact line.
has() { grep -qxF "$2" "$work/$1.html"; }
for line in '<meta property="og:type" content="website">' \
            '<meta property="og:site_name" content="Vindplaats">' \
            '<meta property="og:title" content="Computerhulp &lt;&amp;&gt; meer">' \
            '<meta property="og:description" content="Leer &quot;mailen&quot; &amp; appen.">' \
            "<meta property=\"og:url\" content=\"$base/q/computerhulp\">" \
            "<link rel=\"canonical\" href=\"$base/q/computerhulp\">" \
            '<meta name="twitter:card" content="summary_large_image">' \
            "<meta property=\"og:image\" content=\"$base/og-default.png\">" \
            '<meta name="twitter:title" content="Computerhulp &lt;&amp;&gt; meer">' \
            '<meta name="twitter:description" content="Leer &quot;mailen&quot; &amp; appen.">'; do
  has landing "$line" && ok || bad "landing: no line $line"
  has landing-refined "$line" && ok || bad "landing-refined: no line $line"
done
otitle=$(sed -n 's|^<h1>\(.*\)</h1>$|\1|p' "$work/offering.html")
[[ -n $otitle ]] && ok || bad "offering: no h1"
for line in '<meta property="og:type" content="website">' \
            "<meta property=\"og:title\" content=\"$otitle\">" \
            "<meta property=\"og:url\" content=\"$base/o/$id\">" \
            "<link rel=\"canonical\" href=\"$base/o/$id\">" \
            '<meta name="twitter:card" content="summary_large_image">' \
            '<meta property="og:image:alt" content="Vindplaats: alles wat de openbare bibliotheken aanbieden">' \
            "<meta property=\"og:image\" content=\"$base/og-default.png\">"; do
  has offering "$line" && ok || bad "offering: no line $line"
done
grep -q '<meta property="og:description" content="[^"]' "$work/offering.html" && ok ||
  bad "offering: no og:description"
# A short description is whole; a long one is cut after a whole word, and says so.
page offering-short 200 "$base/o/agenda-utrecht:2027-0001"
has offering-short '<meta property="og:description" content="dBos brengt de bibliotheek naar de klas, met een eigen collectie en een leesconsulent. De cursus bestaat uit acht lessen op vrijdagmiddag van 13.30 tot 14.30 uur.">' && ok ||
  bad "offering-short: the description is not whole"
page offering-long 200 "$base/o/online-bibliotheek:ebook-9780439023481"
has offering-long '<meta property="og:description" content="Lees The Hunger Games (The Hunger Games, #1) van Suzanne Collins als e-book, waar en wanneer u maar wilt. Een spannend verhaal voor jongeren vanaf twaalf jaar. Let op: dit is de Engelstalige uitgave.">' && ok ||
  bad "offering-long: the description is not cut after a word"
grep -q 'og:' "$work/services.html" && bad "services: Open Graph on a page not meant for sharing" || ok
grep -q '<h1>Dit aanbod bestaat niet (meer)</h1>' "$work/offering-missing.html" && ok ||
  bad "offering-missing: not the friendly page"
grep -q '<label for="find-q">Zoek in het aanbod van alle bibliotheken</label>' "$work/offering-missing.html" && ok ||
  bad "offering-missing: no search form"
# The OpenSearch description, the Atom feed and the sitemaps from their
# templates: well-formed XML.
for doc in "opensearch.xml" "q/computerhulp.atom" "sitemap.xml" "sitemap.xml?part=pages" \
           "sitemap.xml?part=offerings&library=bibliotheek-utrecht"; do
  code=$(curl -s -o "$work/doc.xml" -w '%{http_code}' "$base/$doc")
  [[ $code == 200 ]] && ok || bad "/$doc: status $code"
  if out=$(xmllint --noout "$work/doc.xml" 2>&1); then ok; else bad "/$doc: not well-formed XML: $out"; fi
done
# (Fetched to a file first: grep -q stops reading early, and with pipefail
# the writer's broken pipe would fail the check.)
curl -s -o "$work/os.xml" "$base/opensearch.xml"
grep -q "template=\"$base/?q={searchTerms}\"" "$work/os.xml" && ok ||
  bad "opensearch: the search address is not this server's"
curl -s -o "$work/feed.xml" "$base/q/computerhulp.atom"
grep -q '<title>Computerhulp &lt;&amp;&gt; meer</title>' "$work/feed.xml" && ok ||
  bad "atom: the title is not escaped"
curl -s -o "$work/pages.xml" "$base/sitemap.xml?part=pages"
grep -q "<loc>$base/q/computerhulp</loc>" "$work/pages.xml" && ok ||
  bad "sitemap: the live landing page is missing"
# The stylesheet: served, cacheable, the one in api/static.
code=$(curl -s -o "$work/site.css" -D "$work/site.css.h" -w '%{http_code}' "$base/site.css")
[[ $code == 200 ]] && ok || bad "/site.css: status $code"
grep -qi '^content-type: text/css' "$work/site.css.h" && ok || bad "/site.css: not text/css"
grep -qi '^cache-control: public, max-age=' "$work/site.css.h" && ok || bad "/site.css: not cacheable"
cmp -s "$work/site.css" "$root/api/static/site.css" && ok || bad "/site.css: not api/static/site.css"
stop

# ---- --public-url: the shared and canonical addresses are the public ones ----
if start --public-url https://vindplaats.example.nl/; then
  page public-landing 200 "$base/q/computerhulp?utm_source=poster"
  page public-offering 200 "$base/o/$id"
  for line in '<meta property="og:url" content="https://vindplaats.example.nl/q/computerhulp">' \
              '<link rel="canonical" href="https://vindplaats.example.nl/q/computerhulp">'; do
    has public-landing "$line" && ok || bad "public-url landing: no line $line"
  done
  has public-offering "<meta property=\"og:url\" content=\"https://vindplaats.example.nl/o/$id\">" && ok ||
    bad "public-url offering: og:url is not the public address"
  has public-landing '<meta property="og:image" content="https://vindplaats.example.nl/og-default.png">' && ok ||
    bad "public-url landing: og:image is not the public address"
  stop
else
  bad "the server did not start with --public-url"
fi

# ---- an override directory: a page, a partial, the stylesheet ----
mkdir -p "$work/site/partials"
sed 's|<article class="vp">|<article class="vp eigen-huisstijl">|' "$root/api/templates/offering.html" \
  > "$work/site/offering.html"
cat > "$work/site/partials/foot.html" <<'EOF'
</main>
<footer><div class="w">{{> contact}}</div></footer>
</body>
</html>
EOF
echo '<a href="https://bibliotheek.example.nl/contact">Contact met uw bibliotheek</a>' \
  > "$work/site/partials/contact.html"
echo 'body{background:#fffbe6}' > "$work/site/site.css"
if start --templates "$work/site"; then
  page override-offering 200 "$base/o/$id"
  grep -q '<article class="vp eigen-huisstijl">' "$work/override-offering.html" && ok ||
    bad "override: the page is not the directory's"
  grep -q 'Contact met uw bibliotheek' "$work/override-offering.html" && ok ||
    bad "override: the footer partial (with a new partial) is not the directory's"
  page override-missing 404 "$base/o/nope:none"
  grep -q 'Contact met uw bibliotheek' "$work/override-missing.html" && ok ||
    bad "override: other pages do not share the footer"
  [[ $(curl -s "$base/site.css") == 'body{background:#fffbe6}' ]] && ok ||
    bad "override: /site.css is not the directory's"
  stop
else
  bad "the server did not start with a good --templates directory"
fi

# ---- broken overrides stop the start, naming the file and line ----
# refuses DIR_CONTENT... : writes files, expects exit non-zero and the message.
refuses() {
  local want=$1
  "$build/vindplaats-server" --index "$work/index" --port 0 --admin-keys "$work/keys" \
    --data-dir "$work/store" --no-access-log --templates "$work/broken" >"$work/out" 2>&1 &
  local p=$!
  local status=
  for _ in $(seq 100); do
    if ! kill -0 "$p" 2>/dev/null; then wait "$p"; status=$?; break; fi
    sleep 0.1
  done
  if [[ -z $status ]]; then
    kill "$p"; wait "$p" 2>/dev/null
    bad "a broken template did not stop the start ($want)"
    return
  fi
  [[ $status -ne 0 ]] && ok || bad "exit status 0 with a broken template"
  if grep -qF "$want" "$work/out"; then ok; else
    bad "wanted \"$want\" in: $(cat "$work/out")"; fi
}
rm -rf "$work/broken"; mkdir -p "$work/broken"
printf '{{> head}}\n{{#offering}}\n<h1>{{title}}</h1>\n{{> foot}}\n' > "$work/broken/offering.html"
refuses "$work/broken/offering.html:2: the section {{#offering}} is never closed"
rm -rf "$work/broken"; mkdir -p "$work/broken/partials"
printf '<li>\n{{title</li>\n' > "$work/broken/partials/card.html"
refuses "$work/broken/partials/card.html:2: \"{{\" without a closing \"}}\""
rm -rf "$work/broken"; mkdir -p "$work/broken"
printf '{{> head}}\n{{> kop}}\n{{> foot}}\n' > "$work/broken/friendly.html"
refuses "$work/broken/friendly.html:2: no template kop for the partial"
rm -rf "$work/broken"; mkdir -p "$work/broken"
echo '<p>hallo</p>' > "$work/broken/welkom.html"
refuses "$work/broken/welkom.html: the server has no such page"

rm -rf "$work/broken"; mkdir -p "$work/broken/partials"
echo '<p>hallo</p>' > "$work/broken/partials/offering.html"
refuses "$work/broken/partials/offering.html: a partial may not take the name of a page"

finish
