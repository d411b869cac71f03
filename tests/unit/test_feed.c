/* test_feed.c - the RSS / Atom connector and the web-text helpers
 * (include/vindplaats/feed.h).
 *
 * Real input: the feedparser test feeds (encodings: UTF-16LE with BOM,
 * UTF-8 with BOM, Big5, Windows-1252 bytes in a UTF-8 feed, a
 * windows-1255 feed without declaration; ill-formed: unescaped '&', an
 * undeclared prefix, an incomplete CDATA section) and one real 157 KB Atom
 * feed; hand-written: Dutch library agenda feeds in RSS 2.0 (event
 * module), Atom (xCal) and RSS 1.0.
 * Usage: test_feed REALDATA_DIR FIXTURE_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "connector_text.h"
#include "emit_sink.h"
#include "vindplaats/feed.h"
#include "vindplaats/web.h"
#include "vindplaats/offering.h"

static const char *realdata, *fixtures;

static vp_status parse_file(const char *dir, const char *name, const char *feed_url, sink *s,
                            vp_emit *e, char **err)
{
    size_t len;
    char *data = slurp(dir, name, &len);
    sink_init(s, e);
    *err = NULL;
    vp_status st = feed_parse_text(data, len, feed_url, e, err);
    CHECK(st == VP_OK ? *err == NULL : *err != NULL);
    free(data);
    return st;
}

/* ---- hand-written agenda feeds ---------------------------------------- */

static void test_rss(void)
{
    sink s;
    vp_emit e;
    char *err;
    CHECK(parse_file(fixtures, "feed/agenda-rss.xml", "https://www.bibliotheekeemland.nl/agenda", &s, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 3);
    CHECK(json_array_size(s.rejects) == 1);
    CHECK_STR(f_str(json_array_get(s.rejects, 0), "where"), "item 4 (line 34)");
    CHECK_CONTAINS(f_str(json_array_get(s.rejects, 0), "message"), "no guid");

    json_t *f = rec(&s, 0);
    CHECK_STR(rec_id(&s, 0), "agenda-4711");
    CHECK_STR(f_str(json_array_get(s.records, 0), "where"), "item 1 (line 10)");
    CHECK_STR(f_str(f, "title"), "Taalcaf\xc3\xa9 Amersfoort");
    CHECK_STR(f_str(f, "description"),
              "Oefen Nederlands in een ontspannen sfeer.\n\nKoffie & thee staan klaar \xe2\x82\xac 0,\xe2\x80\x93");
    CHECK_STR(f_str(f, "url"), "https://www.bibliotheekeemland.nl/agenda/taalcafe-amersfoort");
    CHECK_STR(f_list(f, "_categories", 0), "Taal");
    CHECK_STR(f_list(f, "_categories", 1), "Nieuwkomers");
    CHECK_STR(f_list(f, "creators", 0), "Team Taalhuis");
    CHECK_STR(f_str(f, "updated"), "2026-11-17T09:15:00+01:00"); /* CET */
    CHECK_STR(f_str(f, "start"), "2026-12-03T19:30:00+01:00");
    CHECK_STR(f_str(f, "end"), "2026-12-03T21:00:00+01:00");
    CHECK(json_array_size(json_object_get(f, "occurrences")) == 1);
    CHECK_STR(f_str(f, "_location"), "Bibliotheek Eemhuis, Amersfoort");
    CHECK(valid_offering(f, rec_id(&s, 0)));

    f = rec(&s, 1);
    CHECK_STR(rec_id(&s, 1), "https://www.bibliotheekeemland.nl/agenda/zomerlezen?x=1&y=2");
    CHECK_STR(f_list(f, "creators", 0), "Marieke de Boer");
    CHECK_STR(f_str(f, "updated"), "2026-06-01T08:00:00+02:00");
    CHECK_STR(f_str(f, "start"), "2026-07-15T10:00:00+02:00");
    CHECK(json_object_get(f, "end") == NULL);
    CHECK(valid_offering(f, rec_id(&s, 1)));

    f = rec(&s, 2);
    CHECK(strncmp(rec_id(&s, 2), "h-", 2) == 0); /* no guid, no link: a hash of the title */
    CHECK_STR(f_str(f, "title"), "Alleen een titel");
    CHECK_STR(f_str(f, "updated"), "2026-03-01T12:00:00Z");
    CHECK(json_object_get(f, "url") == NULL);
    sink_free(&s);

    /* the emitter can stop the parse */
    size_t len;
    char *data = slurp(fixtures, "feed/agenda-rss.xml", &len);
    sink_init(&s, &e);
    s.stop_after = 1;
    CHECK(feed_parse_text(data, len, NULL, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 1);
    sink_free(&s);
    /* without a feed url a relative link gives no url */
    sink_init(&s, &e);
    CHECK(feed_parse_text(data, len, NULL, &e, &err) == VP_OK);
    CHECK(json_object_get(rec(&s, 0), "url") == NULL);
    sink_free(&s);
    /* every truncation: an error with a position or records, never a crash */
    for (size_t n = 0; n < len; n += 11) {
        sink_init(&s, &e);
        err = NULL;
        vp_status st = feed_parse_text(data, n, NULL, &e, &err);
        CHECK(st == VP_OK || (st == VP_ERR_INVALID && err != NULL));
        free(err);
        sink_free(&s);
    }
    free(data);
}

static void test_atom(void)
{
    sink s;
    vp_emit e;
    char *err;
    CHECK(parse_file(fixtures, "feed/agenda-atom.xml", "https://www.bibliotheekmb.nl/feed/cursussen.atom", &s, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 2);
    CHECK(json_array_size(s.rejects) == 0);
    json_t *f = rec(&s, 0);
    CHECK_STR(rec_id(&s, 0), "tag:bibliotheekmb.nl,2026:cursus-12");
    CHECK_STR(f_str(f, "title"), "Klik & Tik: de basis");
    CHECK_STR(f_str(f, "url"), "https://www.bibliotheekmb.nl/feed/cursussen/klik-en-tik"); /* rel=alternate */
    CHECK_STR(f_str(f, "description"), "Vier lessen\n\naanzetten\n\ntypen"); /* content before summary */
    CHECK_STR(f_list(f, "creators", 0), "Digitaal Team");
    CHECK_STR(f_list(f, "_categories", 0), "computer");
    CHECK_STR(f_list(f, "_categories", 1), "digitale vaardigheden");
    CHECK_STR(f_str(f, "updated"), "2026-11-20T08:00:00Z");
    CHECK_STR(f_str(f, "start"), "2026-01-15T10:00:00+01:00"); /* xCal basic form, Amsterdam */
    CHECK_STR(f_str(f, "end"), "2026-01-15T12:00:00+01:00");
    CHECK(valid_offering(f, rec_id(&s, 0)));
    f = rec(&s, 1);
    CHECK_STR(rec_id(&s, 1), "https://www.bibliotheekmb.nl/agenda/lezing-brabant");
    CHECK_STR(f_str(f, "description"), "Een lezing <zonder> HTML."); /* type="text" */
    CHECK(json_object_get(f, "updated") == NULL); /* a date is no date-time */
    sink_free(&s);

    CHECK(parse_file(fixtures, "feed/agenda-rdf.xml", NULL, &s, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 1);
    CHECK_STR(rec_id(&s, 0), "https://www.bibliotheekdelft.nl/agenda/codeclub"); /* rdf:about */
    CHECK_STR(f_str(rec(&s, 0), "title"), "CodeClub voor kinderen van 8 tot 12");
    CHECK_STR(f_str(rec(&s, 0), "updated"), "2026-11-14T13:00:00+01:00");
    CHECK_STR(f_list(rec(&s, 0), "_categories", 0), "programmeren");
    sink_free(&s);
}

static void test_inline(void)
{
    sink s;
    vp_emit e;
    char *err = NULL;
    sink_init(&s, &e);
    const char *doc =
        "<rss><channel>"
        "<item><title>a</title><guid>1</guid><pubDate>Wed, 02 Oct 02 08:00:00 EST</pubDate></item>"
        "<item><title>b</title><guid>2</guid><pubDate>2 Oct 2026 08:00 +0000</pubDate></item>"
        "<item><title>c</title><guid>3</guid><pubDate>Fri, 02 Oct 2026 08:00:00</pubDate></item>"
        "<item><title>d</title><guid>4</guid><pubDate>gisteren</pubDate>"
        "<link>javascript:alert(1)</link></item>"
        "<item><title>&lt;b&gt;Vet&lt;/b&gt; &amp;amp; zo</title><guid>5</guid></item>"
        "</channel></rss>";
    CHECK(feed_parse_text(doc, strlen(doc), "https://x.nl/", &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 5);
    CHECK_STR(f_str(rec(&s, 0), "updated"), "2002-10-02T08:00:00-05:00");
    CHECK_STR(f_str(rec(&s, 1), "updated"), "2026-10-02T08:00:00Z");
    CHECK_STR(f_str(rec(&s, 2), "updated"), "2026-10-02T08:00:00+02:00"); /* no zone: Amsterdam */
    CHECK(json_object_get(rec(&s, 3), "updated") == NULL);
    CHECK(json_object_get(rec(&s, 3), "url") == NULL);
    CHECK_STR(f_str(rec(&s, 4), "title"), "Vet & zo");
    sink_free(&s);

    sink_init(&s, &e);
    const char *xhtml = "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>x</id><title>t</title>"
                        "<content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>"
                        "<p>1 &lt; 2</p></div></content></entry></feed>";
    CHECK(feed_parse_text(xhtml, strlen(xhtml), NULL, &e, &err) == VP_OK);
    CHECK_STR(f_str(rec(&s, 0), "description"), "1 < 2");
    sink_free(&s);

    sink_init(&s, &e);
    CHECK(feed_parse_text("<html><body/></html>", 20, NULL, &e, &err) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "not an RSS or Atom feed");
    free(err);
    err = NULL;
    CHECK(feed_parse_text("", 0, NULL, &e, &err) == VP_ERR_INVALID);
    CHECK(err != NULL);
    free(err);
    sink_free(&s);

    /* the helpers */
    char *t = vp_html_to_text("<p>Een<br/>twee</p><script>x<y</script><style>p{}</style>"
                              "&#146;&#x20AC;&bogus; 1 < 2 &#0; <!-- weg -->", 95);
    /* (libxml2's HTML parser drops the reference to NUL) */
    CHECK_STR(t, "\nEen\ntwee\n\xe2\x80\x99\xe2\x82\xac&bogus; 1 < 2  ");
    free(t);
    /* URLs: RFC 3986 through libcurl, in its normal form; NULL for what is
     * no http(s) URL. */
    static const struct {
        const char *base, *ref, *want;
    } urls[] = {
        {"https://a.nl/x/y/z?q=1#f", "../b", "https://a.nl/x/b"},
        {"https://a.nl/x/y", "//c.nl/p", "https://c.nl/p"},
        {"https://a.nl/x/y?q", "?r=2", "https://a.nl/x/y?r=2"},
        {"https://a.nl", "p", "https://a.nl/p"},
        {NULL, "HTTPS://A.nl/Q", "https://A.nl/Q"},
        {"https://a.nl/x?y#z", "#frag", "https://a.nl/x?y#frag"},
        {NULL, " https://a.nl ", "https://a.nl/"},
        {NULL, "https://a.nl/a/../b/./c", "https://a.nl/b/c"},
        {"https://a.nl/x/", "../../../q", "https://a.nl/q"},
        {"https://a.nl/x/y", "   ", "https://a.nl/x/y"},
        {"https://a.nl/x/y", "ftp://b.nl/f", NULL},
        {NULL, "mailto:x@y.nl", NULL},
        {"https://a.nl/", "a b", NULL},
        {NULL, "/relative", NULL},
        {"ftp://a.nl/", "x", NULL},
        {NULL, "http:///x", NULL},
        {"https://a.nl/x", "javascript:alert(1)", NULL},
        {"https://a.nl/x", "https://a.nl/p?q=a b", NULL},
    };
    CHECK(vp_is_http_url("https://a.nl/x") && vp_is_http_url(" HTTP://a.nl"));
    CHECK(!vp_is_http_url("http:///x") && !vp_is_http_url("https://a.nl/a b") &&
          !vp_is_http_url("ftp://a.nl") && !vp_is_http_url("https://") && !vp_is_http_url(NULL));
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        char *u = vp_url_resolve(urls[i].base, urls[i].ref);
        if (urls[i].want)
            CHECK_STR(u, urls[i].want);
        else
            CHECK(u == NULL);
        free(u);
    }
}

/* ---- the feedparser corpus -------------------------------------------- */

static void test_feedparser(void)
{
    sink s;
    vp_emit e;
    char *err;
    /* well-formed feeds without items, in several encodings */
    static const char *const empty[] = {
        "feeds/feedparser/encoding_utf-16le-bom.xml", "feeds/feedparser/encoding_utf-8-bom.xml",
        "feeds/feedparser/encoding_big5.xml", "feeds/feedparser/encoding_http_i18n.xml",
        "feeds/feedparser/illformed_undeclared_namespace.xml"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        vp_status st = parse_file(realdata, empty[i], NULL, &s, &e, &err);
        if (st != VP_OK)
            fprintf(stderr, "%s: %s\n", empty[i], err);
        CHECK(st == VP_OK);
        CHECK(json_array_size(s.records) == 0);
        CHECK(json_array_size(s.rejects) == 0);
        free(err);
        sink_free(&s);
    }

    /* Windows-1252 0x92 written as U+0092 in a UTF-8 feed */
    CHECK(parse_file(realdata, "feeds/feedparser/encoding_demoronize-1.xml", NULL, &s, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 1);
    CHECK_STR(f_str(rec(&s, 0), "description"), "don\xe2\x80\x99t");
    /* neither guid, link nor title: the id is a hash of the description */
    CHECK(strncmp(rec_id(&s, 0), "h-", 2) == 0 && strlen(rec_id(&s, 0)) == 18);
    sink_free(&s);

    /* a Latin-1 byte in a feed without declaration: read as Windows-1252 */
    CHECK(parse_file(realdata, "feeds/feedparser/encoding_bozo_encoding_mismatch_crash.xml", NULL, &s, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) + json_array_size(s.rejects) == 1);
    CHECK_STR(f_str(rec(&s, 0), "description"), "\xc2\xa4");
    sink_free(&s);

    /* double-encoded UTF-8 is kept as it is written (feedparser repairs it) */
    CHECK(parse_file(realdata, "feeds/feedparser/encoding_double-encoded-html.xml", NULL, &s, &e, &err) == VP_OK);
    CHECK_STR(f_str(rec(&s, 0), "description"), "\xc3\xa2\xe2\x82\xac\xc2\xa6");
    sink_free(&s);

    /* windows-1255 without declaration: valid UTF-8 comes out (as Windows-1252 letters) */
    CHECK(parse_file(realdata, "feeds/feedparser/illformed_chardet_windows1255.xml", NULL, &s, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 1);
    CHECK(strncmp(f_str(rec(&s, 0), "description"), "\xc3\xa4\xc3\xa0\xc3\xad", 6) == 0);
    sink_free(&s);

    /* ill-formed: reported with the position, no records */
    CHECK(parse_file(realdata, "feeds/feedparser/illformed_rss_incomplete_cdata.xml", NULL, &s, &e, &err) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "line 14");
    CHECK(json_array_size(s.records) == 0);
    free(err);
    sink_free(&s);
    CHECK(parse_file(realdata, "feeds/feedparser/illformed_rss_item_link_corrupted_ampersands.xml", NULL, &s, &e, &err) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "line 13");
    free(err);
    sink_free(&s);

    /* the real Atom feed: 15 entries */
    CHECK(parse_file(realdata, "feeds/feedparser/wellformed_sanitize_large_atom_feed_that_needs_css_sanitisation.xml",
                     NULL, &s, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 15);
    CHECK(json_array_size(s.rejects) == 0);
    json_t *f = rec(&s, 0);
    CHECK_STR(rec_id(&s, 0), "tag:touchnokia.ru,2009://1.666");
    CHECK_STR(f_str(f, "title"),
              "\xd0\x9d\xd0\xb5\xd0\xb2\xd0\xb8\xd0\xb4\xd0\xb8\xd0\xbc\xd0\xb0\xd1\x8f "
              "\xd0\xb1\xd1\x80\xd0\xbe\xd0\xbd\xd1\x8f \xd0\xb4\xd0\xbb\xd1\x8f "
              "\xd0\x92\xd0\xb0\xd1\x88\xd0\xb5\xd0\xb3\xd0\xbe Nokia 5800");
    CHECK_STR(f_str(f, "url"), "http://touchnokia.ru/2009/09/nevidimaja-bronja-dlja-vashego-nokia-5800.html");
    CHECK_STR(f_str(f, "updated"), "2009-04-08T14:25:12Z");
    CHECK_STR(f_list(f, "creators", 0), "iPod");
    CHECK_STR(f_list(f, "_categories", 0), "\xd0\x9d\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x81\xd1\x82\xd0\xb8");
    f = rec(&s, 4);
    CHECK_STR(rec_id(&s, 4), "tag:touchnokia.ru,2009://1.811");
    CHECK_CONTAINS(f_str(f, "title"), "PowerMP3 v.1.15 Beta");
    CHECK_STR(f_str(f, "updated"), "2009-05-31T09:21:41Z");
    CHECK_CONTAINS(f_str(f, "description"), "\n- \xd0\xbf\xd0\xbe\xd0\xb4\xd0\xb4\xd0\xb5\xd1\x80\xd0\xb6\xd0\xba\xd0\xb0 "); /* list items on lines */
    size_t i;
    json_t *r;
    json_array_foreach(s.records, i, r) {
        json_t *fields = json_object_get(r, "fields");
        const char *d = f_str(fields, "description");
        CHECK(d && !strchr(d, '<')); /* HTML stripped */
        CHECK(valid_offering(fields, json_string_value(json_object_get(r, "id"))));
    }
    sink_free(&s);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_feed REALDATA_DIR FIXTURE_DIR\n");
        return 2;
    }
    realdata = argv[1];
    fixtures = argv[2];
    test_rss();
    test_atom();
    test_inline();
    test_feedparser();
    return check_done();
}
