/* test_jsonld.c - the schema.org JSON-LD connector, sitemaps and the
 * Europe/Amsterdam time rule (include/vindplaats/jsonld.h).
 *
 * Real input: every JSON: section of the schema.org example corpus
 * (schemaorg-all-examples.txt, 500+ examples, cut out at run time) and the
 * per-topic example files; hand-written: a Dutch library agenda page with a
 * good and a broken ld+json block, sitemaps and a URL list.
 * Usage: test_jsonld REALDATA_DIR FIXTURE_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "connector_text.h"
#include "emit_sink.h"
#include "schemaorg_examples.h"
#include "vindplaats/jsonld.h"
#include "vindplaats/offering.h"

static const char *realdata, *fixtures;

/* The first record whose label is `label` (and title `title` when given). */
static json_t *by_label(sink *s, const char *label, const char *title, const char **id)
{
    size_t i;
    json_t *r;
    json_array_foreach(s->records, i, r) {
        json_t *f = json_object_get(r, "fields");
        if (strcmp(json_string_value(json_object_get(r, "label")), label) != 0)
            continue;
        if (title && (!f_str(f, "title") || strcmp(f_str(f, "title"), title) != 0))
            continue;
        if (id)
            *id = json_string_value(json_object_get(r, "id"));
        return f;
    }
    return NULL;
}

static size_t count_label(sink *s, const char *label)
{
    size_t i, n = 0;
    json_t *r;
    json_array_foreach(s->records, i, r)
        n += strcmp(json_string_value(json_object_get(r, "label")), label) == 0;
    return n;
}

/* ---- the schema.org example corpus ------------------------------------ */

typedef struct examples_run {
    sink *s;
    const vp_emit *e;
    int not_json;
} examples_run;

static void one_example(void *ctx, const char *label, const char *json, size_t n)
{
    examples_run *x = ctx;
    x->s->label = label;
    char *err = NULL;
    vp_status st = jsonld_parse_text(json, n, "https://example.org/agenda/page", x->e, &err);
    if (st != VP_OK) {
        x->not_json++;
        CHECK(st == VP_ERR_INVALID && err != NULL);
    }
    free(err);
    x->s->label = NULL;
}

/* Runs the JSON: section of every example of `file` through the parser,
 * labelled with its "#eg-NNNN" id. Returns the number of examples with a
 * JSON: section; *not_json counts those the parser refused as a whole. */
static int run_examples(const char *file, sink *s, const vp_emit *e, int *not_json)
{
    size_t len;
    char *text = slurp(realdata, file, &len);
    examples_run x = {s, e, 0};
    int examples = examples_each(text, len, "\nJSON:", one_example, &x);
    *not_json = x.not_json;
    free(text);
    return examples;
}

static void test_examples(void)
{
    sink s;
    vp_emit e;
    sink_init(&s, &e);
    int not_json;
    int n = run_examples("jsonld/schemaorg-examples/schemaorg-all-examples.txt", &s, &e, &not_json);
    CHECK(n == 507);
    CHECK(not_json == 30); /* "No JSON-LD", "This example is in microdata only." */
    CHECK(json_array_size(s.rejects) == 0);
    CHECK(json_array_size(s.records) == 56);

    const char *id = NULL;
    json_t *f;

    /* an online ChildrensEvent with a free offer and a performer */
    f = by_label(&s, "#eg-0014", NULL, &id);
    CHECK(f != NULL);
    CHECK_STR(f_str(f, "title"), "Story Time Reading");
    CHECK_STR(f_str(f, "type"), "event");
    CHECK_STR(f_str(f, "start"), "2020-07-24T16:00:00Z");
    CHECK_STR(f_str(f, "end"), "2020-07-24T16:30:00Z");
    CHECK(json_is_true(json_object_get(f, "_online")));
    CHECK(f_price(f) == 0);
    CHECK_STR(f_list(f, "creators", 0), "Darren R Story");
    CHECK(strncmp(id, "h-", 2) == 0 && strlen(id) == 18);
    CHECK(valid_offering(f, id));

    /* Place with a PostalAddress; a date-time without offset is Amsterdam time */
    f = by_label(&s, "#eg-0012", NULL, &id);
    CHECK_STR(f_str(f, "title"), "Typhoon with Radiation City");
    CHECK_STR(f_str(f, "_location"), "The Hi-Dive, 7 S. Broadway, 80209 Denver");
    CHECK_STR(f_str(f, "start"), "2013-09-14T21:30:00+02:00");
    CHECK(f_price(f) == 13);
    CHECK_STR(f_str(json_object_get(f, "price"), "currency"), "USD");
    CHECK_STR(f_str(f, "url"), "https://example.org/agenda/page"); /* the fallback */
    CHECK(valid_offering(f, id));

    /* October: still summer time */
    f = by_label(&s, "#eg-0444", NULL, &id);
    CHECK_STR(f_str(f, "start"), "2014-10-12T21:00:00+02:00");
    CHECK_STR(f_str(f, "language"), "en");

    /* Course with three instances, two of them the same dates; "@id": "./" */
    f = by_label(&s, "#eg-0333", NULL, &id);
    CHECK_STR(f_str(f, "title"), "HNC Accounting");
    CHECK_STR(f_str(f, "type"), "course");
    CHECK_STR(id, "https://example.org/agenda/");
    CHECK(json_array_size(json_object_get(f, "occurrences")) == 2);
    CHECK_STR(f_str(json_array_get(json_object_get(f, "occurrences"), 0), "start"), "2016-08-31");
    CHECK_STR(f_str(json_array_get(json_object_get(f, "occurrences"), 0), "end"), "2017-06-21");
    CHECK_STR(f_str(f, "_location"), "St Brycedale Campus Kirkcaldy");
    CHECK(valid_offering(f, id));

    /* a MOOC: courseMode online */
    f = by_label(&s, "#eg-0332", NULL, NULL);
    CHECK(json_is_true(json_object_get(f, "_online")));
    CHECK(f_str(f, "title") == NULL); /* the example has no name: nothing invented */
    CHECK_STR(f_str(json_array_get(json_object_get(f, "occurrences"), 0), "start"), "2019-02-15");

    /* price of the first instance's offer */
    f = by_label(&s, "#eg-0334", NULL, NULL);
    CHECK(f_price(f) == 395);
    CHECK(json_is_true(json_object_get(f, "_online")));

    /* Book work with workExample editions: one record, both ISBNs */
    f = by_label(&s, "#eg-0402", NULL, &id);
    CHECK_STR(f_str(f, "title"), "The Fellowship of the Ring");
    CHECK_STR(id, "http://www.freebase.com/m/0h35m");
    CHECK(json_array_size(json_object_get(f, "isbn")) == 2);
    CHECK_STR(f_list(f, "isbn", 0), "0007149212");
    CHECK_STR(f_list(f, "isbn", 1), "0345296052");
    CHECK_STR(f_list(f, "creators", 0), "J.R.R Tolkien");
    CHECK(valid_offering(f, id));

    /* @graph: a Book whose author is a reference to another member */
    f = by_label(&s, "#eg-0400", NULL, &id);
    CHECK_STR(f_str(f, "title"), "Lord of the Rings");
    CHECK_STR(id, "https://example.org/agenda/page#trilogy");
    CHECK_STR(f_list(f, "creators", 0), "Tolkien, J. R. R. (John Ronald Reuel)");
    CHECK(count_label(&s, "#eg-0400") == 1); /* the volumes in hasPart are nested */

    /* bookFormat EBook */
    f = by_label(&s, "#eg-0175", NULL, NULL);
    CHECK_STR(f_str(f, "type"), "ebook");
    CHECK_STR(f_str(f, "_format"), "ebook");
    CHECK_STR(f_list(f, "isbn", 0), "9780030426599");

    /* Audiobook typed with the "type" alias, author and reader */
    f = by_label(&s, "#eg-0282", NULL, &id);
    CHECK_STR(f_str(f, "type"), "audiobook");
    CHECK_STR(id, "https://archive.org/details/TheTwoTowersAudiobook");
    CHECK_STR(f_list(f, "creators", 0), "J.R.R. Tolkien");
    CHECK_STR(f_list(f, "creators", 1), "Rob Inglis");

    /* a WebPage whose mainEntity is a Book; inLanguage "English" */
    f = by_label(&s, "#eg-0462", NULL, NULL);
    CHECK_STR(f_str(f, "title"), "The Catcher in the Rye");
    CHECK_STR(f_list(f, "isbn", 0), "0316769487");
    CHECK_STR(f_str(f, "language"), "en");

    /* "type"/"id" aliases, offset given */
    f = by_label(&s, "#eg-4468a", NULL, &id);
    CHECK_STR(id, "http://kg.artsdata.ca/resource/K43-1500");
    CHECK_STR(f_str(f, "start"), "2026-04-28T19:00:00-04:00");

    /* HTML entity in a description */
    f = by_label(&s, "#eg-4468b", NULL, NULL);
    CHECK_CONTAINS(f_str(f, "description"), "on stage\xe2\x80\x94recounting");

    /* date-only events stay dates */
    f = by_label(&s, "#eg-0349", NULL, &id);
    CHECK_STR(f_str(f, "title"), "Shoes: Pleasure and Pain");
    CHECK_STR(f_str(f, "start"), "2015-06-13");
    CHECK_STR(f_str(f, "end"), "2016-01-31");
    CHECK_STR(f_str(f, "_location"), "Victoria and Albert Museum");
    CHECK(valid_offering(f, id));

    /* an Event nested in a TouristAttraction, and a MusicGroup's events, are not records */
    CHECK(count_label(&s, "#eg-0436") == 0);
    CHECK(count_label(&s, "#eg-0009") == 0);
    /* two MusicEvents in an array */
    CHECK(count_label(&s, "#eg-0201") == 2);
    sink_free(&s);

    /* the per-topic files */
    sink_init(&s, &e);
    CHECK(run_examples("jsonld/schemaorg-examples/sdo-course-examples.txt", &s, &e, &not_json) > 5);
    CHECK(by_label(&s, "#eg-0337", "The Data Scientist's Toolbox", NULL) != NULL);
    CHECK_STR(f_list(by_label(&s, "#eg-0337", NULL, NULL), "creators", 0), "Jeff Leek, PhD");
    sink_free(&s);

    sink_init(&s, &e);
    run_examples("jsonld/schemaorg-examples/bsdo-audiobook-examples.txt", &s, &e, &not_json);
    f = by_label(&s, "#eg-0215", NULL, &id);
    CHECK_STR(f_str(f, "title"), "Alice's Adventures in Wonderland");
    CHECK_STR(f_str(f, "type"), "audiobook");
    CHECK_STR(f_list(f, "creators", 0), "Lewis Carroll");
    CHECK_STR(f_list(f, "creators", 1), "Eric Leach");
    CHECK(valid_offering(f, id));
    sink_free(&s);

    sink_init(&s, &e);
    run_examples("jsonld/schemaorg-examples/sdo-screeningevent-examples.txt", &s, &e, &not_json);
    CHECK(json_array_size(s.records) == 1); /* the Movie is not an offering */
    CHECK_STR(f_str(rec(&s, 0), "title"), "Jaws 3-D");
    CHECK_STR(f_str(rec(&s, 0), "_location"), "ACME Cinemas 10");
    sink_free(&s);

    sink_init(&s, &e);
    run_examples("jsonld/schemaorg-examples/sdo-book-series-examples.txt", &s, &e, &not_json);
    CHECK(json_array_size(s.records) == 0); /* BookSeries: not supported, skipped */
    sink_free(&s);

    sink_init(&s, &e);
    run_examples("jsonld/schemaorg-examples/sdo-library-examples.txt", &s, &e, &not_json);
    CHECK(json_array_size(s.records) == 0); /* Library opening hours */
    CHECK(json_array_size(s.rejects) == 0);
    sink_free(&s);
}

/* ---- the agenda page -------------------------------------------------- */

static void test_agenda_html(void)
{
    sink s;
    vp_emit e;
    sink_init(&s, &e);
    size_t len;
    char *page = slurp(fixtures, "jsonld/agenda.html", &len);
    char *err = NULL;
    vp_status st = jsonld_parse_text(page, len, "https://www.bibliotheekrivierenland.nl/agenda", &e, &err);
    CHECK(st == VP_OK);
    CHECK(err == NULL);
    CHECK(json_array_size(s.records) == 3);
    CHECK(json_array_size(s.rejects) == 1);
    json_t *rj = json_array_get(s.rejects, 0);
    CHECK_STR(f_str(rj, "where"), "script 2 (line 66)");
    CHECK_CONTAINS(f_str(rj, "message"), "line 72, column");

    json_t *f = rec(&s, 0);
    CHECK_STR(rec_id(&s, 0), "https://www.bibliotheekrivierenland.nl/agenda/voorlezen-dikkertje-dap");
    CHECK_STR(f_str(f, "title"), "Voorlezen: Dikkertje Dap");
    CHECK_STR(f_str(f, "type"), "event");
    CHECK_STR(f_str(f, "description"), "Voorleesmoment voor peuters en kleuters.\n\nKom & luister!");
    CHECK_STR(f_str(f, "start"), "2026-12-05T10:30:00+01:00");
    CHECK_STR(f_str(f, "end"), "2026-12-05T11:15:00+01:00");
    CHECK_STR(f_str(f, "_location"), "Bibliotheek Tiel, Varkensmarkt 1, 4001 LV Tiel");
    CHECK(f_price(f) == 0);
    CHECK_STR(f_str(f, "_age"), "2-6");
    CHECK_STR(f_str(f, "language"), "nl");
    CHECK_STR(f_list(f, "creators", 0), "Juf Anja");
    CHECK(json_array_size(json_object_get(f, "creators")) == 1); /* the organizer is no creator */
    CHECK_STR(f_str(json_array_get(s.records, 0), "where"), "script 1 (line 7), item 2");
    CHECK(valid_offering(f, rec_id(&s, 0)));

    f = rec(&s, 1);
    CHECK_STR(f_str(f, "title"), "Digicaf\xc3\xa9: veilig internetbankieren");
    CHECK_STR(rec_id(&s, 1), "https://www.bibliotheekrivierenland.nl/agenda/digicafe-juni");
    CHECK_STR(f_str(f, "url"), "https://www.bibliotheekrivierenland.nl/agenda/digicafe-juni");
    CHECK_STR(f_str(f, "start"), "2026-06-10T14:00:00+02:00");
    CHECK(f_price(f) == 2.5);
    CHECK_STR(f_str(json_object_get(f, "price"), "currency"), "EUR");
    CHECK_STR(f_str(f, "_location"), "Bibliotheek Culemborg");
    CHECK_STR(f_list(f, "_categories", 0), "senioren");
    CHECK(json_array_size(json_object_get(f, "subjects")) == 3);
    CHECK_STR(f_list(f, "subjects", 2), "digitale vaardigheden");
    CHECK(valid_offering(f, rec_id(&s, 1)));

    f = rec(&s, 2);
    CHECK_STR(rec_id(&s, 2), "lezing-2026-03");
    CHECK_STR(f_str(f, "type"), "event");
    CHECK_STR(f_str(f, "start"), "2026-03-29T20:00:00+02:00"); /* summer time began that night */
    CHECK(json_is_true(json_object_get(f, "_online")));
    CHECK(json_object_get(f, "_location") == NULL);
    CHECK(f_price(f) == 0);
    CHECK_STR(f_list(f, "creators", 0), "Dr. P. de Vries");
    CHECK_STR(f_list(f, "creators", 1), "M. Jansen");
    CHECK_STR(f_str(f, "url"), "https://www.bibliotheekrivierenland.nl/agenda");
    CHECK(valid_offering(f, rec_id(&s, 2)));
    sink_free(&s);

    /* the emitter can stop the parse */
    sink_init(&s, &e);
    s.stop_after = 1;
    CHECK(jsonld_parse_text(page, len, NULL, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 1);
    CHECK(json_array_size(s.rejects) == 0);
    sink_free(&s);

    /* every prefix of the page: no crash, no error (it is HTML) */
    for (size_t n = 0; n <= len; n += 7) {
        sink_init(&s, &e);
        err = NULL;
        st = jsonld_parse_text(page, n, NULL, &e, &err);
        CHECK(st == VP_OK || (st == VP_ERR_INVALID && err));
        free(err);
        sink_free(&s);
    }
    free(page);
}

/* ---- JSON documents --------------------------------------------------- */

static void test_documents(void)
{
    sink s;
    vp_emit e;
    char *err = NULL;
    sink_init(&s, &e);
    const char *doc =
        "[{\"@type\": \"CourseInstance\", \"name\": \"Klik & Tik\", \"courseMode\": \"Online\","
        "  \"startDate\": \"2026-01-12T10:00\", \"identifier\": {\"@type\": \"PropertyValue\", \"value\": \"kt-1\"}},"
        " {\"@type\": \"Book\", \"name\": \"Het diner\", \"author\": {\"@type\": \"Person\", \"givenName\": \"Herman\", \"familyName\": \"Koch\"},"
        "  \"workExample\": [{\"@type\": \"Book\", \"isbn\": \"9789026337185\", \"bookFormat\": \"https://schema.org/Hardcover\"},"
        "                    {\"@type\": \"Book\", \"isbn\": \"9789041420275\", \"bookFormat\": \"http://schema.org/EBook\"}]},"
        " {\"@type\": \"Book\", \"name\": \"Luisterboek\", \"bookFormat\": \"AudiobookFormat\", \"isbn\": [\"9789047616825\"], \"url\": \"https://example.nl/luister\"},"
        " {\"@type\": \"Place\", \"name\": \"geen record\"},"
        " {\"@type\": \"http://schema.org/TheaterEvent\", \"name\": \"Toneel\", \"startDate\": \"2026-10-25T02:30\"}]";
    CHECK(jsonld_parse_text(doc, strlen(doc), NULL, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 4);
    CHECK_STR(rec_id(&s, 0), "kt-1");
    CHECK_STR(f_str(rec(&s, 0), "type"), "course");
    CHECK(json_is_true(json_object_get(rec(&s, 0), "_online")));
    CHECK_STR(f_str(rec(&s, 0), "start"), "2026-01-12T10:00:00+01:00");
    CHECK_STR(f_str(rec(&s, 1), "type"), "ebook");
    CHECK_STR(f_str(rec(&s, 1), "_format"), "ebook");
    CHECK(json_array_size(json_object_get(rec(&s, 1), "isbn")) == 2);
    CHECK_STR(f_list(rec(&s, 1), "creators", 0), "Herman Koch");
    CHECK(valid_offering(rec(&s, 1), rec_id(&s, 1)));
    CHECK_STR(f_str(rec(&s, 2), "type"), "audiobook");
    CHECK_STR(rec_id(&s, 2), "https://example.nl/luister");
    CHECK_STR(f_str(rec(&s, 3), "start"), "2026-10-25T02:30:00+02:00"); /* the first 02:30 */
    sink_free(&s);

    /* the same item twice gives the same hash id */
    sink_init(&s, &e);
    const char *twice = "{\"@graph\": [{\"@type\": \"Event\", \"@id\": \"_:b0\", \"name\": \"A\", \"startDate\": \"2026-05-01\"},"
                        "{\"@type\": \"Event\", \"name\": \"A\", \"startDate\": \"2026-05-01\"},"
                        "{\"@type\": \"Event\", \"name\": \"A\", \"startDate\": \"2026-05-02\"}]}";
    CHECK(jsonld_parse_text(twice, strlen(twice), NULL, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 3);
    CHECK_STR(rec_id(&s, 0), rec_id(&s, 1)); /* a blank node id is no id */
    CHECK(strncmp(rec_id(&s, 0), "h-", 2) == 0);
    CHECK(strcmp(rec_id(&s, 0), rec_id(&s, 2)) != 0);
    sink_free(&s);

    /* a broken JSON document is an error with its position */
    sink_init(&s, &e);
    const char *broken = "{\n  \"@type\": \"Event\",\n  \"name\": \"x\"\n  \"startDate\": 1\n}";
    CHECK(jsonld_parse_text(broken, strlen(broken), NULL, &e, &err) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "line 4, column");
    free(err);
    err = NULL;
    CHECK(jsonld_parse_text("hello", 5, NULL, &e, &err) == VP_ERR_INVALID);
    CHECK(err != NULL);
    free(err);
    err = NULL;
    CHECK(jsonld_parse_text("", 0, NULL, &e, &err) == VP_ERR_INVALID);
    free(err);
    err = NULL;
    /* a BOM and a page without any ld+json */
    /* a block wrapped in an HTML comment, and one that is empty */
    const char *wrapped = "<html>\n<script type=\"application/ld+json\">\n<!--\n"
                          "{\"@type\": \"Event\", \"name\": \"In commentaar\", \"url\": \"https://a.nl/e\"}\n-->\n"
                          "</script><script type=\"application/ld+json\"></script>";
    CHECK(jsonld_parse_text(wrapped, strlen(wrapped), NULL, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 1);
    CHECK_STR(f_str(rec(&s, 0), "title"), "In commentaar");
    CHECK(json_array_size(s.rejects) == 1);
    CHECK_STR(f_str(json_array_get(s.rejects, 0), "where"), "script 2 (line 6)");
    json_array_clear(s.records);
    json_array_clear(s.rejects);
    const char *plain = "\xef\xbb\xbf<html><script>x</script></html>";
    CHECK(jsonld_parse_text(plain, strlen(plain), NULL, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 0);
    sink_free(&s);
}

/* ---- Amsterdam time (the rule itself: test_base.c) ----------------------- */

static void test_amsterdam(void)
{
    /* The id of a record without one (connector.h): fixed, it is stored. */
    const char *parts[] = {"title", NULL, "https://x"};
    char id[19];
    vp_hash_id(id, parts, 3);
    CHECK_STR(id, "h-be80be9d46319832");

    char out[32];
    int timed = -1;
    CHECK(vp_local_datetime("2026-12-03T19:30", out, &timed) == VP_OK && timed == 1);
    CHECK_STR(out, "2026-12-03T19:30:00+01:00");
    CHECK(vp_local_datetime(" 2026-06-03 19:30:15.250 ", out, &timed) == VP_OK && timed == 1);
    CHECK_STR(out, "2026-06-03T19:30:15+02:00");
    CHECK(vp_local_datetime("20261203T193000Z", out, &timed) == VP_OK && timed == 1);
    CHECK_STR(out, "2026-12-03T19:30:00Z");
    CHECK(vp_local_datetime("2026-12-03T19:30-0500", out, NULL) == VP_OK);
    CHECK_STR(out, "2026-12-03T19:30:00-05:00");
    CHECK(vp_local_datetime("2026-12-03", out, &timed) == VP_OK && timed == 0);
    CHECK_STR(out, "2026-12-03");
    CHECK(vp_local_datetime("20261203", out, &timed) == VP_OK && timed == 0);
    CHECK_STR(out, "2026-12-03");
    CHECK(vp_local_datetime("20260229", out, &timed) == VP_ERR_INVALID);
    CHECK(vp_local_datetime("2026-02-30", out, NULL) == VP_ERR_INVALID);
    CHECK(vp_local_datetime("2026-12-03T24:00", out, NULL) == VP_ERR_INVALID);
    CHECK(vp_local_datetime("3 december", out, NULL) == VP_ERR_INVALID);
    CHECK(vp_local_datetime("2026-12-03Tx", out, NULL) == VP_ERR_INVALID);
    CHECK(vp_local_datetime(NULL, out, &timed) == VP_ERR_INVALID);

    double a;
    CHECK(vp_price_parse("\xe2\x82\xac 5,00", &a) == 0 && a == 5.0);
    CHECK(vp_price_parse("EUR 1.234,50", &a) == 0 && a == 1234.5);
    CHECK(vp_price_parse("5.50", &a) == 0 && a == 5.5);
    CHECK(vp_price_parse("Gratis", &a) == 0 && a == 0);
    CHECK(vp_price_parse("7,- per les", &a) == 0 && a == 7);
    CHECK(vp_price_parse("-3", &a) == -1);
    CHECK(vp_price_parse("op aanvraag", &a) == -1);
}

/* ---- sitemaps --------------------------------------------------------- */

typedef struct urls {
    char got[8][200];
    int index[8];
    int n;
} urls;

static int on_url(void *ctx, const char *url, int is_index)
{
    urls *u = ctx;
    if (u->n < 8) {
        snprintf(u->got[u->n], sizeof u->got[0], "%s", url);
        u->index[u->n] = is_index;
    }
    u->n++;
    return 0;
}

static void test_sitemaps(void)
{
    size_t len;
    char *err = NULL;
    urls u = {0};
    char *data = slurp(fixtures, "jsonld/sitemap.xml", &len);
    CHECK(sitemap_parse_text(data, len, on_url, &u, &err) == VP_OK);
    CHECK(u.n == 2);
    CHECK_STR(u.got[0], "https://www.bibliotheekrivierenland.nl/agenda/voorlezen-dikkertje-dap");
    CHECK_STR(u.got[1], "https://www.bibliotheekrivierenland.nl/agenda/digicafe-juni?a=1&b=2");
    CHECK(u.index[0] == 0 && u.index[1] == 0);
    free(data);

    memset(&u, 0, sizeof u);
    data = slurp(fixtures, "jsonld/sitemapindex.xml", &len);
    CHECK(sitemap_parse_text(data, len, on_url, &u, &err) == VP_OK);
    CHECK(u.n == 2);
    CHECK_STR(u.got[1], "https://www.bibliotheekrivierenland.nl/sitemap-cursussen.xml");
    CHECK(u.index[0] == 1 && u.index[1] == 1);
    free(data);

    memset(&u, 0, sizeof u);
    data = slurp(fixtures, "jsonld/urls.txt", &len);
    CHECK(sitemap_parse_text(data, len, on_url, &u, &err) == VP_OK);
    CHECK(u.n == 3);
    CHECK_STR(u.got[1], "https://www.bibliotheekrivierenland.nl/agenda/digicafe-juni");
    CHECK_STR(u.got[2], "https://www.bibliotheekrivierenland.nl/agenda/lezing");
    free(data);

    memset(&u, 0, sizeof u);
    const char *html = "<html><body>404</body></html>";
    CHECK(sitemap_parse_text(html, strlen(html), on_url, &u, &err) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "not a sitemap");
    free(err);
    err = NULL;
    const char *bad = "<urlset><url><loc>https://a.nl/</loc></url>";
    CHECK(sitemap_parse_text(bad, strlen(bad), on_url, &u, &err) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "line");
    free(err);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_jsonld REALDATA_DIR FIXTURE_DIR\n");
        return 2;
    }
    realdata = argv[1];
    fixtures = argv[2];
    test_amsterdam();
    test_examples();
    test_agenda_html();
    test_documents();
    test_sitemaps();
    return check_done();
}
