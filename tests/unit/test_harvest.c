/* test_harvest.c - the harvester's own parts: safe XML reading, the
 * configuration file, normalisation onto the network's propositions,
 * audiences, branches and works, Retry-After, and which addresses a
 * harvest may connect to (checked here on addresses, never by connecting).
 * Usage: test_harvest VOCABULARY NETWORK TMPDIR */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vindplaats/address.h"
#include "check.h"
#include "connector_text.h"
#include "emit_sink.h"
#include "vindplaats/config.h"
#include "vindplaats/fetch.h"
#include "vindplaats/normalise.h"
#include "vindplaats/vocabulary.h"
#include "vindplaats/onix.h"
#include "vindplaats/xml.h"

/* jansson's allocations fail from the next json_fail_after-th on (-1: never). */
static long json_fail_after = -1;

static void *json_failing_alloc(size_t n)
{
    if (json_fail_after == 0)
        return NULL;
    if (json_fail_after > 0)
        json_fail_after--;
    return malloc(n);
}

static const char *tmpdir;

/* The document, or NULL with *err the failure's text form. */
static xmlDocPtr read_xml_len(const char *text, size_t len, int *repaired, char **err)
{
    xmlDocPtr d = NULL;
    vp_error e = VP_ERROR_INIT;
    error_text_of(&e, vp_xml_read(text, len, repaired, &d, &e), err);
    return d;
}

static xmlDocPtr read_xml(const char *text, int *repaired, char **err)
{
    return read_xml_len(text, strlen(text), repaired, err);
}

static void test_xml(void)
{
    char *err = NULL;
    int rep = 0;
    /* Entities declared in a DTD are refused: the billion laughs and a
     * local file through an external entity alike. */
    const char *laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                         "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";
    CHECK(read_xml(laughs, &rep, &err) == NULL);
    CHECK_CONTAINS(err, "declares entities");
    free(err);
    err = NULL;
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                      "<r>&x;</r>";
    CHECK(read_xml(xxe, &rep, &err) == NULL);
    CHECK_CONTAINS(err, "declares entities");
    free(err);
    err = NULL;
    /* An external DTD is never fetched: the document still reads. */
    xmlDocPtr d = read_xml("<?xml version=\"1.0\"?><!DOCTYPE r SYSTEM \"http://127.0.0.1:1/x.dtd\"><r>a</r>",
                           &rep, &err);
    CHECK(d != NULL);
    xmlFreeDoc(d);
    /* Forbidden characters (a raw control byte and a reference to one)
     * are removed, the rest of the page stays. */
    d = read_xml("<r><a>ok\x01" "done</a><b>x&#x1F;y</b></r>", &rep, &err);
    CHECK(d != NULL && rep == 1);
    if (d) {
        char *a = vp_xml_text(vp_xml_child(xmlDocGetRootElement(d), "a"));
        char *b = vp_xml_text(vp_xml_child(xmlDocGetRootElement(d), "b"));
        CHECK_STR(a, "okdone");
        CHECK_STR(b, "xy");
        free(a);
        free(b);
        xmlFreeDoc(d);
    }
    /* Windows-1252 bytes in a document that says UTF-8. */
    d = read_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?><r>Caf\xe9 \x80 5</r>", &rep, &err);
    CHECK(d != NULL && rep == 1);
    if (d) {
        char *t = vp_xml_text(xmlDocGetRootElement(d));
        CHECK_STR(t, "Caf\xc3\xa9 \xe2\x82\xac 5");
        free(t);
        xmlFreeDoc(d);
    }
    /* UTF-16 with a byte order mark. */
    const char u16[] = "\xff\xfe<\0r\0>\0\xe9\0<\0/\0r\0>\0";
    d = read_xml_len(u16, sizeof u16 - 1, &rep, &err);
    CHECK(d != NULL);
    if (d) {
        char *t = vp_xml_text(xmlDocGetRootElement(d));
        CHECK_STR(t, "\xc3\xa9");
        free(t);
        xmlFreeDoc(d);
    }
    /* A bare ampersand in a link is read as the ampersand it means. */
    d = read_xml("<r><link>http://x/?a=1&b=2</link></r>", &rep, &err);
    CHECK(d != NULL);
    if (d) {
        char *t = vp_xml_text(vp_xml_child(xmlDocGetRootElement(d), "link"));
        CHECK_STR(t, "http://x/?a=1&b=2");
        free(t);
        xmlFreeDoc(d);
    }
    /* Broken XML: the position of the problem. */
    err = NULL;
    CHECK(read_xml("<r>\n<a>\n</r>", &rep, &err) == NULL);
    CHECK_CONTAINS(err, "line 3");
    free(err);
    err = NULL;
    CHECK(read_xml("not xml at all", &rep, &err) == NULL);
    CHECK_CONTAINS(err, "line 1, column 1");
    free(err);
}

static char *write_file(const char *name, const char *text)
{
    char *path = malloc(strlen(tmpdir) + strlen(name) + 2);
    sprintf(path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void expect_config_error(const vp_vocabulary *voc, const char *text, const char *needle)
{
    char *path = write_file("bad.ini", text);
    vp_harvest_config *cfg = NULL;
    vp_error e = VP_ERROR_INIT;
    CHECK(vp_config_load(path, voc, &cfg, &e) == VP_ERR_INVALID);
    CHECK(cfg == NULL);
    /* Every problem is at the file read, as a field. */
    for (const vp_error *p = &e; p; p = p->next)
        CHECK(p->file && strstr(p->file, "bad.ini"));
    char *err = vp_error_text(&e);
    CHECK_CONTAINS(err, needle);
    free(err);
    vp_error_clear(&e);
    vp_config_destroy(cfg);
    free(path);
}

static void test_config(const vp_vocabulary *voc, const char *network)
{
    char text[4096];
    snprintf(text, sizeof text,
             "; the sample network\n"
             "[network]\nfile = %s\n\n"
             "[library bibliotheek-test]\nname = Bibliotheek Test\n"
             "[branch test-centrum]\nlibrary = bibliotheek-test\nname = Bibliotheek Test Centrum\n"
             "municipality = Teststad\nlat = 52.1\nlon = 5.1\naliases = Testplein 1 | Het Testhuis\n\n"
             "[source agenda-test]\nkind = ical\nurl = https://agenda.example.nl/agenda.ics\n"
             "library = bibliotheek-test\ntype = event\naudience = jeugd, ouders\n"
             "option.window_days = 90\n"
             "allow_private = 127.0.0.1/32, ::1\ndeadline = 15m\n"
             "[source csv-test]\nkind = csv\nurl = file:///tmp/x.csv\nallow_file = yes\n"
             "allow_private = yes\n"
             "option.delimiter = semicolon\noption.column.title = Titel\n",
             network);
    char *path = write_file("good.ini", text);
    vp_harvest_config *cfg = NULL;
    vp_error cerr = VP_ERROR_INIT;
    vp_status st = vp_config_load(path, voc, &cfg, &cerr);
    CHECK(st == VP_OK && cerr.status == VP_OK);
    if (cerr.status != VP_OK)
        vp_error_print(stderr, NULL, &cerr);
    vp_error_clear(&cerr);
    if (cfg) {
        CHECK(cfg->n_sources == 2);
        const vp_source *s = vp_config_source(cfg, "agenda-test");
        CHECK(s && !strcmp(s->kind, "ical") && !strcmp(s->library, "bibliotheek-test"));
        CHECK_STR(vp_source_option(s, "window_days"), "90");
        CHECK(vp_source_option(s, "nonsense") == NULL);
        CHECK(s && s->config_line > 1);
        /* the network file's libraries and the config's own */
        CHECK(vp_network_get(cfg->network, "bibliotheek-utrecht") != NULL);
        CHECK(vp_network_branch(cfg->network, "test-centrum", NULL) != NULL);
        CHECK(vp_config_source(cfg, "csv-test")->allow_file == 1);
        CHECK(vp_config_source(cfg, "csv-test")->allow_private.all == 1);
        CHECK(s && s->allow_private.n == 2 && !s->allow_private.all);
        CHECK(s && s->deadline_s == 900);
        CHECK(vp_config_source(cfg, "csv-test")->deadline_s == 0);
    }
    vp_config_destroy(cfg);
    free(path);

    /* the catalogue kinds, and the MARC connector's charset option */
    char *cat = write_file("catalogue.ini", "[source onix-test]\nkind = onix\nurl = https://x.nl/onix.xml\n"
                                            "[source marc-test]\nkind = marc\nurl = https://x.nl/export.mrc\n"
                                            "option.encoding = marc8\n");
    cfg = NULL;
    CHECK(vp_config_load(cat, voc, &cfg, &cerr) == VP_OK);
    if (cerr.status != VP_OK)
        vp_error_print(stderr, NULL, &cerr);
    vp_error_clear(&cerr);
    CHECK(cfg && cfg->n_sources == 2);
    if (cfg)
        CHECK_STR(vp_source_option(vp_config_source(cfg, "marc-test"), "encoding"), "marc8");
    vp_config_destroy(cfg);
    free(cat);
    expect_config_error(voc, "[source a]\nkind = onix\nurl = https://x.nl/\noption.encoding = cp1252\n",
                        "option.encoding");
    expect_config_error(voc, "[source a]\nkind = ftp\nurl = https://x.nl/\n", "bad.ini:1: [source a]: kind \"ftp\" unknown");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = https://x.nl/\ncolour = blue\n",
                        "bad.ini:4: [source a]: unknown key \"colour\"");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = ftp://x.nl/\n", "url must be http:// or https://");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = file:///tmp/a.ics\n", "allow_file = yes");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = https://x.nl/\nlibrary = nergens\n",
                        "library \"nergens\" is not in the network");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = https://x.nl/\noption.colour = 1\n",
                        "option.colour is not an option of the ical connector");
    expect_config_error(voc, "[source a]\nkind = csv\nurl = https://x.nl/\noption.delimiter = ab\n",
                        "option delimiter");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = https://x.nl/\nproposition = niets\n",
                        "proposition \"niets\" is not in the vocabulary");
    expect_config_error(voc, "[source Hoofdletters]\nkind = ical\nurl = https://x.nl/\n",
                        "bad.ini:1: [source Hoofdletters]: the id must be");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = https://x.nl/\n[source a]\nkind = ical\nurl = https://y.nl/\n",
                        "defined twice");
    expect_config_error(voc, "[tuin]\nx = 1\n", "unknown section [tuin]");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = https://x.nl/\ndeadline = soon\n",
                        "bad.ini:4: [source a]: deadline must be a duration");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = https://x.nl/\nallow_shrink = misschien\n",
                        "bad.ini:4: [source a]: allow_shrink must be yes or no");
    expect_config_error(voc, "[source a]\nkind = ical\nurl = https://x.nl/\nallow_private = lan\n",
                        "bad.ini:4: [source a]: allow_private: \"lan\" is not an IP address");
    expect_config_error(voc, "[source a]\nthis line has no equals sign\n", "bad.ini:2: not a section header");
    expect_config_error(voc, "[branch b]\nname = B\n", "bad.ini:1: [branch b]: library missing");
    expect_config_error(voc, "[library l]\nname = L\n[branch b]\nlibrary = m\n",
                        "bad.ini:3: [branch b]: library \"m\" is not defined above it");
    vp_harvest_config *none = NULL;
    CHECK(vp_config_load("/nonexistent/x.ini", voc, &none, &cerr) == VP_ERR_IO);
    CHECK_STR(cerr.file, "/nonexistent/x.ini");
    CHECK(cerr.line == 0);
    vp_error_clear(&cerr);
}

static void test_ages(void)
{
    int lo, hi;
    const char *g;
    CHECK(vp_age_phrase("4-6 jaar", &lo, &hi, &g) == 0 && lo == 4 && hi == 6);
    CHECK(vp_age_phrase("Voorlezen (2 t/m 4 jaar)", &lo, &hi, &g) == 0 && lo == 2 && hi == 4);
    CHECK(vp_age_phrase("vanaf 12 jaar", &lo, &hi, &g) == 0 && lo == 12 && hi == -1);
    CHECK(vp_age_phrase("Vanaf 8", &lo, &hi, &g) == 0 && lo == 8 && hi == -1);
    CHECK(vp_age_phrase("12+", &lo, &hi, &g) == 0 && lo == 12 && hi == -1);
    CHECK(vp_age_phrase("0+", &lo, &hi, &g) == 0 && lo == 0 && hi == -1);
    CHECK(vp_age_phrase("4-6", &lo, &hi, &g) == 0 && lo == 4 && hi == 6);
    CHECK(vp_age_phrase("18-", &lo, &hi, &g) == 0 && lo == 18 && hi == -1);
    CHECK(vp_age_phrase("Volwassenen", &lo, &hi, &g) == 0 && g && !strcmp(g, "volwassenen") && lo == 18);
    CHECK(vp_age_phrase("voor peuters", &lo, &hi, &g) == 0 && g && !strcmp(g, "peuter"));
    CHECK(vp_age_phrase("Taalcafé", &lo, &hi, &g) != 0);
    /* A time or a date is no age. */
    CHECK(vp_age_phrase("10:00-12:00", &lo, &hi, &g) != 0);
    CHECK(vp_age_phrase("1-2-2027", &lo, &hi, &g) != 0);
    CHECK(vp_age_phrase("6-4 jaar", &lo, &hi, &g) != 0);
    CHECK(vp_age_phrase("4 tot 6 jaar", &lo, &hi, &g) == 0 && lo == 4 && hi == 6 && !g);
    CHECK(vp_age_phrase("Codeclub voor kinderen van 8 t/m 12 jaar", &lo, &hi, &g) == 0 && lo == 8 && hi == 12 &&
          !g); /* numbers win over "kinderen" */
    CHECK(vp_age_phrase("Peuterfeest tot 4 jaar", &lo, &hi, &g) == 0 && lo == -1 && hi == 4);
    CHECK(vp_age_phrase("alle leeftijden", &lo, &hi, &g) == 0 && g && !strcmp(g, "iedereen"));
    /* a number of years alone is no age: an anniversary is no audience */
    CHECK(vp_age_phrase("100 jaar bibliotheek", &lo, &hi, &g) != 0 && lo == -1 && hi == -1 && !g);
    CHECK(vp_age_phrase("8 jaar", &lo, &hi, &g) != 0);
    CHECK(vp_age_phrase(NULL, &lo, &hi, &g) != 0);
    /* the words the grammar matches on */
    char *w = vp_words_fold("  Baby's & Peuters: VOORLEZEN!  ");
    CHECK_STR(w, "baby s peuters voorlezen");
    CHECK(vp_words_has(w, "peuters") && vp_words_has(w, "baby s") && !vp_words_has(w, "peuter"));
    free(w);
}

static void test_isbn(void)
{
    char d[14];
    CHECK(vp_isbn13("90-5892-036-4", d) == 0);
    CHECK_STR(d, "9789058920362");
    CHECK(vp_isbn13("978-90-5892-036-2", d) == 0);
    CHECK_STR(d, "9789058920362");
    CHECK(vp_isbn13("0-306-40615-2 (pbk.)", d) == 0);
    CHECK_STR(d, "9780306406157");
    CHECK(vp_isbn13("0-306-40615-3", d) != 0);  /* wrong check digit */
    CHECK(vp_isbn13("9.78048641425e+12", d) != 0);
    CHECK(vp_isbn13("", d) != 0);
}

static json_t *normalise_ok(const vp_normaliser *n, const vp_source *src, const char *local,
                            const char *fields_json)
{
    json_t *fields = json_loads(fields_json, 0, NULL);
    vp_offering *o = NULL;
    char *err = NULL;
    vp_status st = normalise_text(n, src, local, fields, &o, &err);
    json_decref(fields);
    CHECK(st == VP_OK);
    if (st != VP_OK) {
        fprintf(stderr, "normalise %s: %s\n", local, err ? err : "?");
        free(err);
        return NULL;
    }
    json_t *doc = json_loads(o->json, 0, NULL);
    vp_offering_destroy(o);
    return doc;
}

#define FIELD(doc, key) json_string_value(json_object_get(doc, key))

static void test_normalise(const vp_vocabulary *voc, const char *network_path)
{
    vp_network *net = NULL;
    CHECK(vp_network_load(network_path, &net, NULL) == VP_OK);
    vp_branch_alias aliases[] = {{"utrecht-neude", "Oudegracht 167"}};
    vp_normaliser *n = NULL;
    CHECK(vp_normaliser_create(voc, net, aliases, 1, &n) == VP_OK);
    vp_source utrecht = {.name = "agenda-utrecht", .kind = "ical", .url = "https://x.nl/a.ics",
                         .library = "bibliotheek-utrecht"};
    vp_source zwolle = {.name = "agenda-zwolle", .kind = "feed", .url = "https://x.nl/f.xml",
                        .library = "bibliotheek-zwolle"};
    /* The same service under two local names becomes one proposition;
     * the local name stays. */
    json_t *a = normalise_ok(n, &utrecht, "e1",
                             "{\"title\":\"Digicafé\",\"_location\":\"Bibliotheek Neude, Utrecht\","
                             "\"start\":\"2026-12-03T10:00:00+01:00\",\"_categories\":[\"Digitaal\"]}");
    json_t *b = normalise_ok(n, &zwolle, "e2",
                             "{\"title\":\"Tablet- en smartphonespreekuur\",\"_location\":\"Stadkamer\","
                             "\"start\":\"2026-12-04T14:00:00+01:00\"}");
    if (a && b) {
        CHECK_STR(FIELD(a, "id"), "agenda-utrecht:e1");
        CHECK_STR(FIELD(a, "source"), "agenda-utrecht");
        CHECK_STR(FIELD(a, "type"), "event");
        CHECK_STR(FIELD(a, "proposition"), "digitaal-spreekuur");
        CHECK_STR(FIELD(b, "proposition"), "digitaal-spreekuur");
        CHECK_STR(FIELD(a, "local_name"), "Digicafé");
        CHECK_STR(FIELD(b, "local_name"), "Tablet- en smartphonespreekuur");
        CHECK_STR(FIELD(a, "societal_task"), "informatiesamenleving");
        /* the branch from the LOCATION text, with its place */
        CHECK_STR(FIELD(a, "branch"), "utrecht-neude");
        CHECK_STR(FIELD(a, "municipality"), "Utrecht");
        CHECK(json_object_get(a, "location") != NULL);
        CHECK_STR(FIELD(a, "channel"), "offline");
        CHECK(json_object_get(a, "_location") == NULL);  /* hints are gone */
        CHECK(json_object_get(a, "_categories") == NULL);
    }
    json_decref(a);
    json_decref(b);
    /* A configured alias names the branch; word boundaries matter. */
    a = normalise_ok(n, &utrecht, "e3", "{\"title\":\"Lezing\",\"_location\":\"Oudegracht 167, Utrecht\"}");
    if (a) {
        CHECK_STR(FIELD(a, "branch"), "utrecht-neude");
        CHECK_STR(FIELD(a, "proposition"), "lezing-en-debat");
    }
    json_decref(a);
    a = normalise_ok(n, &utrecht, "e4", "{\"title\":\"Taalcafetaria\"}");
    if (a)
        CHECK(json_object_get(a, "proposition") == NULL);
    json_decref(a);
    /* Ages become an audience. */
    a = normalise_ok(n, &utrecht, "e5", "{\"title\":\"Voorlezen\",\"_age\":\"2-4 jaar\"}");
    if (a) {
        json_t *aud = json_object_get(a, "audience");
        CHECK(json_integer_value(json_object_get(aud, "min_age")) == 2);
        CHECK(json_integer_value(json_object_get(aud, "max_age")) == 4);
        char *groups = json_dumps(json_object_get(aud, "groups"), JSON_COMPACT);
        CHECK_STR(groups, "[\"peuter\",\"kleuter\"]");
        free(groups);
    }
    json_decref(a);
    /* Ages in numbers win over a group word; a word alone names its group. */
    a = normalise_ok(n, &utrecht, "e5b", "{\"title\":\"Voorlezen voor peuters (2-4 jaar)\",\"_age\":\"Jeugd\"}");
    b = normalise_ok(n, &utrecht, "e5c", "{\"title\":\"Leesclub\",\"_categories\":[\"Volwassenen\"]}");
    if (a && b) {
        char *ga = json_dumps(json_object_get(json_object_get(a, "audience"), "groups"), JSON_COMPACT);
        char *gb = json_dumps(json_object_get(json_object_get(b, "audience"), "groups"), JSON_COMPACT);
        CHECK_STR(ga, "[\"peuter\",\"kleuter\"]");
        CHECK_STR(gb, "[\"volwassenen\"]");
        CHECK(json_integer_value(json_object_get(json_object_get(b, "audience"), "min_age")) == 18);
        free(ga);
        free(gb);
    }
    json_decref(a);
    json_decref(b);
    /* Online: a URL and no place; the source's own default groups. */
    vp_source online = {.name = "cursussen", .kind = "csv", .url = "https://x.nl/c.csv",
                        .type = "course", .audience = "volwassenen"};
    a = normalise_ok(n, &online, "c1", "{\"title\":\"Gratis online cursussen: Excel\",\"url\":\"https://leren.example.nl/excel\"}");
    if (a) {
        CHECK_STR(FIELD(a, "type"), "course");
        CHECK_STR(FIELD(a, "channel"), "online");
        CHECK_STR(FIELD(a, "proposition"), "online-leren");
        CHECK_STR(json_string_value(json_array_get(json_object_get(json_object_get(a, "audience"), "groups"), 0)),
                  "volwassenen");
    }
    json_decref(a);
    /* Works: the same ISBN in ISBN-10 and -13 is one work, and so are the
     * same title and first creator however the name is written. */
    vp_source cat1 = {.name = "catalogus-a", .kind = "oai-pmh", .url = "https://a.nl/oai", .library = "bibliotheek-utrecht"};
    vp_source cat2 = {.name = "catalogus-b", .kind = "csv", .url = "https://b.nl/b.csv", .library = "bibliotheek-zwolle", .type = "book"};
    a = normalise_ok(n, &cat1, "oai:a:1", "{\"title\":\"De avonden\",\"creators\":[\"Reve, Gerard\"],\"isbn\":[\"90-5892-036-4\"],\"_format\":\"ebook\"}");
    b = normalise_ok(n, &cat2, "9789058920362", "{\"title\":\"De Avonden\",\"creators\":[\"Gerard Reve\"],\"isbn\":[\"978-90-5892-036-2\"]}");
    if (a && b) {
        CHECK_STR(FIELD(a, "type"), "ebook");
        CHECK_STR(FIELD(a, "proposition"), "e-books");
        CHECK_STR(FIELD(a, "channel"), "online");
        CHECK_STR(FIELD(b, "type"), "book");
        CHECK_STR(FIELD(a, "work_key"), "isbn:9789058920362");
        CHECK_STR(FIELD(b, "work_key"), "isbn:9789058920362");
    }
    json_decref(a);
    json_decref(b);
    a = normalise_ok(n, &cat1, "oai:a:2", "{\"title\":\"Max Havelaar\",\"creators\":[\"Multatuli\"],\"_format\":\"audiobook\"}");
    b = normalise_ok(n, &cat2, "mh", "{\"title\":\"Max  Havelaar.\",\"creators\":[\"Multatuli\"]}");
    if (a && b) {
        CHECK_STR(FIELD(a, "work_key"), "w:max havelaar|multatuli");
        CHECK_STR(FIELD(b, "work_key"), "w:max havelaar|multatuli");
        CHECK_STR(FIELD(a, "proposition"), "luisterboeken");
    }
    json_decref(a);
    json_decref(b);
    /* Events are no works. */
    a = normalise_ok(n, &utrecht, "e6", "{\"title\":\"Leesclub\",\"creators\":[\"Gerard Reve\"]}");
    if (a)
        CHECK(json_object_get(a, "work_key") == NULL);
    json_decref(a);
    /* What is still not an offering is rejected with the field. */
    json_t *bad = json_loads("{\"description\":\"geen titel\"}", 0, NULL);
    vp_offering *o = NULL;
    char *err = NULL;
    CHECK(normalise_text(n, &utrecht, "x", bad, &o, &err) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "title");
    free(err);
    json_decref(bad);
    bad = json_loads("{\"title\":\"t\"}", 0, NULL);
    err = NULL;
    CHECK(normalise_text(n, &utrecht, "", bad, &o, &err) == VP_ERR_INVALID);
    free(err);
    json_decref(bad);
    /* An id with spaces and a very long one stay valid and stable. */
    char longid[400];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    a = normalise_ok(n, &utrecht, "met spaties", "{\"title\":\"t\"}");
    b = normalise_ok(n, &utrecht, longid, "{\"title\":\"t\"}");
    if (a && b) {
        CHECK_STR(FIELD(a, "id"), "agenda-utrecht:met-spaties");
        CHECK(strlen(FIELD(b, "id")) <= 200);
        CHECK_CONTAINS(FIELD(b, "id"), "agenda-utrecht:h-");
    }
    json_decref(a);
    json_decref(b);
    /* Holdings find their branch: by id, by name, by an alias, by a part
     * of one branch's name within the library another text names; an
     * ambiguous part finds none and keeps the text as written. */
    json_t *h = json_loads("["
                           "{\"_match\":[\"zwolle-stadkamer\"]},"
                           "{\"_match\":[\"Bibliotheek Overvecht\"]},"
                           "{\"_match\":[\"Oudegracht 167\"]},"
                           "{\"_match\":[\"Vathorst\",\"Bibliotheek Eemland\"]},"
                           "{\"branch_name\":\"Bibliotheek\",\"_match\":[\"Bibliotheek\"]},"
                           "{\"branch_name\":\"Depot\",\"_match\":[\"Depot\",\"bibliotheek-zwolle\"]}]",
                           0, NULL);
    /* Out of memory while the matches are set: VP_ERR_NOMEM, at each
     * allocation jansson makes, until there is enough. */
    int done = 0, failures = 0;
    for (long k = 0; k < 500 && !done; k++) {
        json_t *copy = json_deep_copy(h);
        json_fail_after = k;
        json_set_alloc_funcs(json_failing_alloc, free);
        vp_error e = VP_ERROR_INIT;
        vp_status hst = vp_normalise_holdings(n, copy, &e);
        json_set_alloc_funcs(malloc, free);
        json_fail_after = -1;
        done = hst == VP_OK;
        failures += !done;
        if (!done)
            CHECK(hst == VP_ERR_NOMEM && e.status == VP_ERR_NOMEM);
        vp_error_clear(&e);
        json_decref(copy);
    }
    CHECK(done && failures > 0);
    CHECK(vp_normalise_holdings(n, h, NULL) == VP_OK);
    CHECK_STR(FIELD(json_array_get(h, 0), "branch"), "zwolle-stadkamer");
    CHECK_STR(FIELD(json_array_get(h, 0), "library"), "bibliotheek-zwolle");
    CHECK_STR(FIELD(json_array_get(h, 0), "branch_name"), "Bibliotheek Stadkamer");
    CHECK_STR(FIELD(json_array_get(h, 1), "branch"), "utrecht-overvecht");
    CHECK_STR(FIELD(json_array_get(h, 2), "branch"), "utrecht-neude");
    CHECK_STR(FIELD(json_array_get(h, 3), "branch"), "eemland-vathorst");
    CHECK(json_object_get(json_array_get(h, 4), "branch") == NULL);
    CHECK_STR(FIELD(json_array_get(h, 4), "branch_name"), "Bibliotheek");
    CHECK(json_object_get(json_array_get(h, 5), "branch") == NULL);
    CHECK_STR(FIELD(json_array_get(h, 5), "library"), "bibliotheek-zwolle");
    CHECK_STR(FIELD(json_array_get(h, 5), "branch_name"), "Depot");
    size_t hi;
    json_t *one;
    json_array_foreach(h, hi, one) CHECK(json_object_get(one, "_match") == NULL);
    json_decref(h);
    vp_normaliser_destroy(n);
    vp_network_destroy(net);
}

static void test_retry_after(void)
{
    CHECK(vp_retry_after_seconds("120", 0) == 120);
    CHECK(vp_retry_after_seconds(" 5 ", 0) == 5);
    /* Sun, 06 Nov 1994 08:49:37 GMT is 784111777 */
    CHECK(vp_retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", 784111777LL - 30) == 30);
    CHECK(vp_retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", 784111777LL + 30) == 0);
    CHECK(vp_retry_after_seconds("soon", 0) == -1);
    CHECK(vp_retry_after_seconds("-3", 0) == -1);
    CHECK(vp_retry_after_seconds(NULL, 0) == -1);
    /* The defaults end a platform that accepts and never answers within
     * 150 s: every attempt given up after the stall limit, and the waits
     * between them. */
    vp_fetch_options d;
    vp_fetch_options_default(&d);
    long worst_ms = (d.retries + 1) * d.stall_timeout_ms;
    for (int i = 0; i < d.retries; i++)
        worst_ms += d.backoff_ms << i;
    CHECK(worst_ms <= 150000);
    CHECK(d.stall_timeout_ms < d.total_timeout_ms);
    /* Durations for deadline = and --deadline. */
    long secs = 0;
    CHECK(vp_duration_parse("600", &secs) == 0 && secs == 600);
    CHECK(vp_duration_parse("90s", &secs) == 0 && secs == 90);
    CHECK(vp_duration_parse("10m", &secs) == 0 && secs == 600);
    CHECK(vp_duration_parse("2h", &secs) == 0 && secs == 7200);
    CHECK(vp_duration_parse("168h", &secs) == 0 && secs == 604800);
    CHECK(vp_duration_parse("169h", &secs) != 0);
    CHECK(vp_duration_parse("0", &secs) != 0);
    CHECK(vp_duration_parse("-5", &secs) != 0);
    CHECK(vp_duration_parse("10 m", &secs) != 0);
    CHECK(vp_duration_parse("10min", &secs) != 0);
    CHECK(vp_duration_parse("", &secs) != 0);
    /* Schemes other than http(s) are refused before any connection. */
    vp_fetch_result r;
    char *err = NULL;
    CHECK(fetch_text("ftp://127.0.0.1/x", NULL, NULL, NULL, &r, &err) == VP_ERR_IO);
    CHECK_CONTAINS(err, "scheme not allowed");
    free(err);
    err = NULL;
    CHECK(fetch_text("file:///etc/hostname", NULL, NULL, NULL, &r, &err) == VP_ERR_IO);
    CHECK_CONTAINS(err, "allow_file");
    free(err);
    vp_fetch_options o;
    vp_fetch_options_default(&o);
    o.allow_file = 1;
    o.retries = -1;
    err = NULL;
    char *path = write_file("page.txt", "inhoud");
    char url[4200];
    snprintf(url, sizeof url, "file://%s", path);
    CHECK(fetch_text(url, &o, NULL, NULL, &r, &err) == VP_OK);
    CHECK(r.len == 6 && !strcmp(r.body, "inhoud"));
    vp_fetch_result_free(&r);
    o.max_bytes = 3;
    CHECK(fetch_text(url, &o, NULL, NULL, &r, &err) == VP_ERR_IO);
    CHECK_CONTAINS(err, "larger than 3 bytes");
    free(err);
    free(path);
}

/* The address check on `text` (IPv4 or IPv6) under `allow`: 0 allowed,
 * -1 refused with *why. */
static int check_address(const char *text, const vp_address_allow *allow, const char **why)
{
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    char shown[64];
    *why = NULL;
    if (inet_pton(AF_INET, text, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        return vp_address_check((struct sockaddr *)&v4, allow, shown, sizeof shown, why);
    }
    if (inet_pton(AF_INET6, text, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        return vp_address_check((struct sockaddr *)&v6, allow, shown, sizeof shown, why);
    }
    fprintf(stderr, "not an address: %s\n", text);
    return 2;
}

static void expect_refused(const char *addr, const vp_address_allow *allow, const char *kind)
{
    const char *why = NULL;
    int rc = check_address(addr, allow, &why);
    if (rc != -1 || !why || strcmp(why, kind) != 0)
        fprintf(stderr, "%s: expected refused as %s, got %d (%s)\n", addr, kind, rc, why ? why : "-");
    CHECK(rc == -1 && why && !strcmp(why, kind));
}

static void expect_allowed(const char *addr, const vp_address_allow *allow)
{
    const char *why = NULL;
    int rc = check_address(addr, allow, &why);
    if (rc != 0)
        fprintf(stderr, "%s: expected allowed, refused as %s\n", addr, why ? why : "-");
    CHECK(rc == 0);
}

static void test_addresses(void)
{
    const char *const loopback[] = {"127.0.0.1", "127.0.0.2", "127.255.255.254", "::1",
                                    "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", NULL};
    const char *const private_[] = {"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
                                    "192.168.1.1", "::ffff:10.1.2.3", "::ffff:192.168.0.10", NULL};
    for (size_t i = 0; loopback[i]; i++)
        expect_refused(loopback[i], NULL, "loopback");
    for (size_t i = 0; private_[i]; i++)
        expect_refused(private_[i], NULL, "private");
    expect_refused("100.64.0.1", NULL, "private (shared address space)");
    expect_refused("100.127.255.255", NULL, "private (shared address space)");
    expect_refused("fd00::1", NULL, "private");
    expect_refused("fc00::", NULL, "private");
    expect_refused("169.254.169.254", NULL, "link-local");
    expect_refused("::ffff:169.254.169.254", NULL, "link-local");
    expect_refused("2002:a9fe:a9fe::1", NULL, "link-local"); /* 6to4 around 169.254.169.254 */
    expect_refused("fe80::1", NULL, "link-local");
    expect_refused("febf:ffff::1", NULL, "link-local");
    expect_refused("0.0.0.0", NULL, "unspecified");
    expect_refused("0.1.2.3", NULL, "unspecified");
    expect_refused("::", NULL, "unspecified");
    expect_refused("::ffff:0.0.0.0", NULL, "unspecified");
    expect_refused("224.0.0.1", NULL, "multicast");
    expect_refused("ff02::1", NULL, "multicast");
    expect_refused("255.255.255.255", NULL, "reserved");
    /* Their neighbours are public. */
    const char *const public_[] = {"1.1.1.1", "9.255.255.255", "11.0.0.0", "100.63.255.255",
                                   "100.128.0.0", "169.253.255.255", "172.15.255.255", "172.32.0.0",
                                   "192.167.255.255", "192.169.0.0", "126.255.255.255", "128.0.0.0",
                                   "2001:db8::1", "2a00:1450:400e:80c::200e", "fbff::1", "::ffff:145.97.39.155",
                                   NULL};
    for (size_t i = 0; public_[i]; i++)
        expect_allowed(public_[i], NULL);
    expect_refused("fec0::1", NULL, "private (site-local)");
    /* Allowed ranges open exactly themselves, in mapped form too. */
    vp_address_allow allow;
    char *err = NULL;
    CHECK(address_allow_parse_text("127.0.0.1/32, ::1/128", &allow, &err) == VP_OK);
    CHECK(allow.n == 2 && !allow.all);
    expect_allowed("127.0.0.1", &allow);
    expect_allowed("::1", &allow);
    expect_allowed("::ffff:127.0.0.1", &allow);
    expect_refused("127.0.0.2", &allow, "loopback");
    expect_refused("::ffff:127.0.0.2", &allow, "loopback");
    expect_refused("169.254.169.254", &allow, "link-local");
    expect_refused("10.0.0.1", &allow, "private");
    CHECK(address_allow_parse_text("10.0.0.0/8,fd00::/8", &allow, &err) == VP_OK);
    expect_allowed("10.20.30.40", &allow);
    expect_allowed("fd12::1", &allow);
    expect_refused("fc12::1", &allow, "private");
    expect_refused("127.0.0.1", &allow, "loopback");
    CHECK(address_allow_parse_text("172.16.0.0/13", &allow, &err) == VP_OK);
    expect_allowed("172.23.255.255", &allow);
    expect_refused("172.24.0.0", &allow, "private");
    CHECK(address_allow_parse_text("192.168.1.7", &allow, &err) == VP_OK);
    CHECK(allow.n == 1 && allow.ranges[0].prefix == 32);
    vp_address_allow all = {.all = 1};
    expect_allowed("169.254.169.254", &all);
    expect_allowed("::", &all);
    /* A family other than IP is refused. */
    struct sockaddr other = {.sa_family = AF_UNIX};
    const char *why = NULL;
    CHECK(vp_address_check(&other, &all, NULL, 0, &why) == -1);
    /* Bad ranges name the item. */
    const char *const bad[][2] = {{"127.0.0.1/33", "prefix length"}, {"localhost", "\"localhost\""},
                                  {"10.0.0.0/8,", "comma"}, {"", "empty"}, {"::1/129", "prefix"},
                                  {"1.2.3.4/x", "prefix"}, {"1.2.3.4,,5.6.7.8", "empty item"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = NULL;
        CHECK(address_allow_parse_text(bad[i][0], &allow, &err) == VP_ERR_INVALID);
        CHECK_CONTAINS(err, bad[i][1]);
        CHECK(allow.n == 0 && !allow.all);
        free(err);
    }
}

static void expect_name(const char *url, const char *name)
{
    char out[VP_SOURCE_NAME_MAX + 1];
    vp_source_name_from_url(url, out);
    CHECK_STR(out, name);
}

/* Ad-hoc sources without --name are named after their URL. */
static void test_adhoc_names(void)
{
    expect_name("https://www.bieb.nl/agenda.ics", "www.bieb.nl-agenda.ics");
    expect_name("HTTPS://WWW.Bieb.NL/Agenda.ics", "www.bieb.nl-agenda.ics");
    expect_name("http://127.0.0.1:8079/files/agenda-eemland.ics", "127.0.0.1-8079-files-agenda-eemland.ics");
    expect_name("https://www.bieb.nl/agenda.ics?soort=jeugd#boven", "www.bieb.nl-agenda.ics-soort-jeugd");
    expect_name("https://jan:geheim@bieb.nl/feed/", "bieb.nl-feed");
    expect_name("file:///srv/export/Cursussen%20Utrecht.csv", "srv-export-cursussen-20utrecht.csv");
    expect_name("https://bieb.nl/oai?verb=ListRecords&set=a", "bieb.nl-oai-verb-listrecords-set-a");
    expect_name("http:///", "adhoc");
    expect_name("file:///srv/build/../data/./a..b.csv", "srv-build-data-a-b.csv");
    /* Different URLs, different names; a long one stays valid, stable
     * and distinct from one that differs only at its end. */
    char a[VP_SOURCE_NAME_MAX + 1], b[VP_SOURCE_NAME_MAX + 1], c[VP_SOURCE_NAME_MAX + 1];
    char long_a[400], long_b[400];
    snprintf(long_a, sizeof long_a, "https://bieb.nl/%0300d/a.ics", 0);
    snprintf(long_b, sizeof long_b, "https://bieb.nl/%0300d/b.ics", 0);
    vp_source_name_from_url(long_a, a);
    vp_source_name_from_url(long_b, b);
    vp_source_name_from_url(long_a, c);
    CHECK(strlen(a) <= VP_SOURCE_NAME_MAX && strlen(b) <= VP_SOURCE_NAME_MAX);
    CHECK(strcmp(a, b) != 0);
    CHECK_STR(a, c);
    CHECK(strncmp(a, "bieb.nl-000", 11) == 0);
    vp_source s = {.name = a, .kind = "ical", .url = long_a};
    vp_error err = VP_ERROR_INIT;
    CHECK(vp_source_check(&s, NULL, NULL, &err) == VP_OK);
    CHECK(err.status == VP_OK);
    /* An ad-hoc source's problem names it as the path, with no file. */
    s.kind = NULL;
    CHECK(vp_source_check(&s, NULL, NULL, &err) == VP_ERR_INVALID);
    CHECK(err.file == NULL && err.path && strncmp(err.path, "source ", 7) == 0);
    CHECK_CONTAINS(err.message, "kind missing");
    vp_error_clear(&err);
}

/* Where a failure is, as the fields of its vp_error: each test here fails
 * when the place is dropped or only written into the message. */
static void test_error_places(void)
{
    /* a page that is not well-formed: the place in it is the path */
    vp_error e = VP_ERROR_INIT;
    xmlDocPtr d = NULL;
    CHECK(vp_xml_read("<r>\n<a>\n</r>", 12, NULL, &d, &e) == VP_ERR_INVALID && d == NULL);
    CHECK(e.path && strncmp(e.path, "line 3, column ", 15) == 0);
    CHECK(e.message && !strstr(e.message, "line 3"));
    CHECK(e.file == NULL && e.line == 0);
    vp_error_clear(&e);
    /* a page that breaks off: the broken() callback gets the place as a field */
    sink s;
    vp_emit emit;
    sink_init(&s, &emit);
    const char cut[] = "<ONIXMessage><Product><RecordReference>a</RecordReference>"
                       "<DescriptiveDetail><TitleDetail><TitleElement><TitleText>Een"
                       "</TitleText></TitleElement></TitleDetail></DescriptiveDetail></Product>"
                       "\n<Product><RecordReference>b</Record";
    CHECK(vp_onix_parse(cut, sizeof cut - 1, &emit, &e) == VP_OK);
    json_t *r = json_array_get(s.rejects, json_array_size(s.rejects) - 1);
    const char *where = json_string_value(json_object_get(r, "where"));
    CHECK(where && strncmp(where, "line 2, column ", 15) == 0);
    CHECK_CONTAINS(json_string_value(json_object_get(r, "message")), "the page breaks off here (");
    sink_free(&s);
    /* a fetch that fails: the URL is the file */
    vp_fetch_result res;
    CHECK(vp_fetch("ftp://127.0.0.1/x", NULL, NULL, NULL, &res, &e) == VP_ERR_IO);
    CHECK_STR(e.file, "ftp://127.0.0.1/x");
    CHECK(e.message && !strstr(e.message, "ftp://"));
    vp_fetch_result_free(&res);
    vp_error_clear(&e);
    /* a CSV header with a defect: its line is the path */
    sink_init(&s, &emit);
    const char csv[] = "\n\n\"titel,datum\n";
    CHECK(vp_csv_parse(csv, sizeof csv - 1, NULL, &emit, &e) == VP_ERR_INVALID);
    CHECK_STR(e.path, "line 3");
    sink_free(&s);
    vp_error_clear(&e);
    /* a JSON-LD document that does not parse: line and column of it */
    sink_init(&s, &emit);
    const char json[] = "\n{\"@type\": \"Event\",\n \"name\": }";
    CHECK(vp_jsonld_parse(json, sizeof json - 1, NULL, &emit, &e) == VP_ERR_INVALID);
    CHECK(e.path && strncmp(e.path, "line 3, column ", 15) == 0);
    sink_free(&s);
    vp_error_clear(&e);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: test_harvest VOCABULARY NETWORK TMPDIR\n");
        return 2;
    }
    tmpdir = argv[3];
    vp_vocabulary *voc = NULL;
    if (vp_vocabulary_load(argv[1], &voc, NULL) != VP_OK)
        return 2;
    vp_fetch_global_init();
    test_xml();
    test_config(voc, argv[2]);
    test_ages();
    test_isbn();
    test_normalise(voc, argv[2]);
    test_retry_after();
    test_addresses();
    test_adhoc_names();
    test_error_places();
    vp_vocabulary_destroy(voc);
    return check_done();
}
