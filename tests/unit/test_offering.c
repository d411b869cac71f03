/* test_offering.c - vp_offering_parse and the date helpers of offering.h.
 *
 * Usage: test_offering PROPOSITIONS.tsv
 *
 * Records are written inline; most checks take the smallest valid record
 * (see rec()) and add the one field under test, then expect either VP_OK or
 * VP_ERR_INVALID with one "path: message" line that starts with the exact
 * path and message the parser documents. Only public headers are used. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "error_text.h"
#include "vindplaats/offering.h"
#include "vindplaats/status.h"
#include "vindplaats/vocabulary.h"

static vp_vocabulary *voc;

#define MINIMAL "{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"T\",\"source\":\"t\""

/* The smallest valid record plus `extra` (one or more "key":value members
 * without the leading comma); malloc()ed. */
static char *rec(const char *extra)
{
    size_t n = strlen(MINIMAL) + strlen(extra) + 3;
    char *s = malloc(n);
    if (!s)
        abort();
    snprintf(s, n, "%s%s%s}", MINIMAL, *extra ? "," : "", extra);
    return s;
}

/* `n` copies of `unit` separated by `sep`, wrapped in prefix/suffix. */
static char *repeat(const char *prefix, const char *unit, const char *sep, size_t n,
                    const char *suffix)
{
    size_t len = strlen(prefix) + n * (strlen(unit) + strlen(sep)) + strlen(suffix) + 1;
    char *s = malloc(len);
    if (!s)
        abort();
    char *p = s;
    p += sprintf(p, "%s", prefix);
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s%s", i ? sep : "", unit);
    sprintf(p, "%s", suffix);
    return s;
}

/* A string of `n` copies of byte `c`; malloc()ed. */
static char *fill(char c, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* 1 when some line of `msg` starts with `prefix`. */
static int has_line(const char *msg, const char *prefix)
{
    if (!msg)
        return 0;
    size_t n = strlen(prefix);
    for (const char *line = msg; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, prefix, n) == 0)
            return 1;
    return 0;
}

/* 1 when some line of `msg` is exactly `want`. */
static int has_exact_line(const char *msg, const char *want)
{
    if (!msg)
        return 0;
    size_t n = strlen(want);
    for (const char *line = msg; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, want, n) == 0 && (line[n] == '\n' || line[n] == '\0'))
            return 1;
    return 0;
}

static int count_lines(const char *msg)
{
    if (!msg || !*msg)
        return 0;
    int n = 1;
    for (; *msg; msg++)
        n += *msg == '\n';
    return n;
}

/* Parsing `json` with `v` fails with VP_ERR_INVALID, leaves *out alone,
 * and the message has exactly `lines` lines (0: any number), one of which
 * starts with `prefix`. Prints what it got otherwise. */
static int rejects_with(const char *json, const vp_vocabulary *v, const char *prefix, int lines)
{
    vp_offering *o = (vp_offering *)&o; /* a sentinel: must stay untouched */
    char *msg = NULL;
    vp_status st = offering_parse_text(json, strlen(json), v, &o, &msg);
    int ok = st == VP_ERR_INVALID && o == (vp_offering *)&o && has_line(msg, prefix) &&
             (lines == 0 || count_lines(msg) == lines);
    if (!ok)
        fprintf(stderr, "  record: %.300s\n  status %d (%s), wanted a line \"%s\" (%d lines); got:\n%s\n",
                json, (int)st, vp_status_str(st), prefix, lines, msg ? msg : "(no message)");
    if (st == VP_OK && o != (vp_offering *)&o)
        vp_offering_destroy(o);
    free(msg);
    return ok;
}

/* rec(extra) is rejected with one problem line starting with `prefix`. */
static int rejects1(const char *extra, const char *prefix)
{
    char *json = rec(extra);
    int ok = rejects_with(json, voc, prefix, 1);
    free(json);
    return ok;
}

/* Parses `json` and expects VP_OK with errmsg untouched; returns the
 * offering (NULL on failure, after printing the message). */
static vp_offering *parse_ok(const char *json, const vp_vocabulary *v)
{
    vp_offering *o = NULL;
    char *msg = NULL;
    vp_status st = offering_parse_text(json, strlen(json), v, &o, &msg);
    if (st != VP_OK || msg || !o) {
        fprintf(stderr, "  record: %.300s\n  status %d (%s), message:\n%s\n", json, (int)st,
                vp_status_str(st), msg ? msg : "(none)");
        free(msg);
        if (st == VP_OK)
            vp_offering_destroy(o);
        return NULL;
    }
    return o;
}

/* rec(extra) parses with the vocabulary. */
static int accepts(const char *extra)
{
    char *json = rec(extra);
    vp_offering *o = parse_ok(json, voc);
    free(json);
    vp_offering_destroy(o);
    return o != NULL;
}

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

/* ---- the documented example ---- */

static const char design_example[] =
    "{\n"
    "  \"id\": \"agenda-utrecht:2026-0412\",\n"
    "  \"type\": \"course\",\n"
    "  \"title\": \"Klik & Tik: de basis van de computer\",\n"
    "  \"description\": \"In vier lessen leert u de computer aanzetten, typen en mailen.\",\n"
    "  \"local_name\": \"Klik & Tik\",\n"
    "  \"proposition\": \"klik-en-tik\",\n"
    "  \"societal_task\": \"informatiesamenleving\",\n"
    "  \"creators\": [],\n"
    "  \"subjects\": [\"computer\", \"digitale vaardigheden\"],\n"
    "  \"language\": \"nl\",\n"
    "  \"audience\": {\"min_age\": 18, \"max_age\": null, \"groups\": [\"volwassenen\", \"senioren\"]},\n"
    "  \"channel\": \"offline\",\n"
    "  \"library\": \"bibliotheek-utrecht\",\n"
    "  \"branch\": \"utrecht-neude\",\n"
    "  \"location\": {\"lat\": 52.0927, \"lon\": 5.1186},\n"
    "  \"start\": \"2026-12-03T10:00:00+01:00\",\n"
    "  \"end\": \"2026-12-03T12:00:00+01:00\",\n"
    "  \"occurrences\": [{\"start\": \"2026-12-03T10:00:00+01:00\", \"end\": \"2026-12-03T12:00:00+01:00\"}],\n"
    "  \"price\": {\"amount\": 0, \"currency\": \"EUR\"},\n"
    "  \"url\": \"https://www.example-bibliotheek.nl/agenda/klik-en-tik\",\n"
    "  \"isbn\": [],\n"
    "  \"source\": \"agenda-utrecht\",\n"
    "  \"updated\": \"2026-11-20T08:00:00Z\"\n"
    "}\n";

#define EXAMPLE_START_UTC 1796288400 /* 2026-12-03T09:00:00Z */

static void test_design_example(void)
{
    char *msg = NULL;
    vp_offering *o = NULL;
    vp_status st = offering_parse_text(design_example, strlen(design_example), voc, &o, &msg);
    CHECK(st == VP_OK);
    CHECK(msg == NULL); /* errmsg untouched on success */
    free(msg);
    CHECK(o != NULL);
    if (!o)
        return;
    CHECK_STR(o->id, "agenda-utrecht:2026-0412");
    CHECK_STR(o->type, "course");
    CHECK_STR(o->title, "Klik & Tik: de basis van de computer");
    CHECK_STR(o->description, "In vier lessen leert u de computer aanzetten, typen en mailen.");
    CHECK_STR(o->local_name, "Klik & Tik");
    CHECK_STR(o->proposition, "klik-en-tik");
    CHECK_STR(o->societal_task, "informatiesamenleving");
    CHECK(o->creators.count == 0);
    CHECK(o->subjects.count == 2);
    if (o->subjects.count == 2) {
        CHECK_STR(o->subjects.items[0], "computer");
        CHECK_STR(o->subjects.items[1], "digitale vaardigheden");
    }
    CHECK_STR(o->language, "nl");
    CHECK(o->min_age == 18);
    CHECK(o->max_age == -1);
    CHECK(o->audience_groups.count == 2);
    if (o->audience_groups.count == 2) {
        CHECK_STR(o->audience_groups.items[0], "volwassenen");
        CHECK_STR(o->audience_groups.items[1], "senioren");
    }
    CHECK_STR(o->channel, "offline");
    CHECK_STR(o->library, "bibliotheek-utrecht");
    CHECK_STR(o->branch, "utrecht-neude");
    CHECK(o->library_name == NULL);
    CHECK(o->branch_name == NULL);
    CHECK(o->municipality == NULL);
    CHECK(o->has_location == 1);
    CHECK(near(o->lat, 52.0927));
    CHECK(near(o->lon, 5.1186));
    CHECK(o->start.set == 1);
    CHECK(o->start.all_day == 0);
    CHECK(o->start.utc == EXAMPLE_START_UTC);
    CHECK(o->start.offset_min == 60);
    CHECK(o->end.set == 1);
    CHECK(o->end.utc == EXAMPLE_START_UTC + 7200);
    CHECK(o->end.offset_min == 60);
    CHECK(o->n_occurrences == 1);
    if (o->n_occurrences == 1) {
        CHECK(o->occurrences[0].start.utc == EXAMPLE_START_UTC);
        CHECK(o->occurrences[0].end.set == 1);
        CHECK(o->occurrences[0].end.utc == EXAMPLE_START_UTC + 7200);
    }
    CHECK(o->has_price == 1);
    CHECK(o->price_amount == 0.0);
    CHECK_STR(o->currency, "EUR");
    CHECK_STR(o->url, "https://www.example-bibliotheek.nl/agenda/klik-en-tik");
    CHECK(o->isbn.count == 0);
    CHECK(o->work_key == NULL);
    CHECK_STR(o->source, "agenda-utrecht");
    CHECK_STR(o->updated, "2026-11-20T08:00:00Z");

    /* o->json is the compact form, in the record's order. */
    CHECK(o->json != NULL);
    if (o->json) {
        CHECK(strchr(o->json, '\n') == NULL);
        CHECK(strncmp(o->json, "{\"id\":\"agenda-utrecht:2026-0412\",\"type\":\"course\",", 48) == 0);
        CHECK_CONTAINS(o->json, "\"audience\":{\"min_age\":18,\"max_age\":null,"
                                "\"groups\":[\"volwassenen\",\"senioren\"]}");
        CHECK_CONTAINS(o->json, "\"start\":\"2026-12-03T10:00:00+01:00\","
                                "\"end\":\"2026-12-03T12:00:00+01:00\"");
        CHECK_CONTAINS(o->json, "\"isbn\":[],\"source\":\"agenda-utrecht\"");
        CHECK(strlen(o->json) < strlen(design_example));

        /* It re-parses to the same offering and the same JSON. */
        vp_offering *again = parse_ok(o->json, voc);
        CHECK(again != NULL);
        if (again) {
            CHECK_STR(again->json, o->json);
            CHECK_STR(again->id, o->id);
            CHECK_STR(again->title, o->title);
            CHECK(again->start.utc == o->start.utc);
            CHECK(again->end.utc == o->end.utc);
            CHECK(again->min_age == 18 && again->max_age == -1);
            CHECK(again->audience_groups.count == 2);
            vp_offering_destroy(again);
        }
    }
    vp_offering_destroy(o);
}

/* The fields the DESIGN.md example leaves out, and non-trivial values. */
static void test_other_fields(void)
{
    const char *json =
        "{\"id\":\"ebook-platform:abc:def/1\",\"type\":\"ebook\",\"title\":\"Het grote voorleesboek\","
        "\"source\":\"ebook-platform\",\"library_name\":\"Bibliotheek Utrecht\","
        "\"branch_name\":\"Bibliotheek Neude\",\"municipality\":\"Utrecht\","
        "\"creators\":[\"Annie M.G. Schmidt\",\"Fiep Westendorp\"],"
        "\"isbn\":[\"0-306-40615-2\",\"978-0-306-40615-7\",\"080442957x\",\"9789044352535\",\"978 90 443 5253 5\"],"
        "\"work_key\":\"work:voorleesboek\",\"price\":{\"amount\":12.5,\"currency\":\"USD\"},"
        "\"audience\":{\"min_age\":0,\"max_age\":120,\"groups\":[\"iedereen\"]},"
        "\"location\":{\"lat\":-90,\"lon\":180},\"description\":\"Regel een\\nregel twee\\ttab\","
        "\"url\":\"http://example.org\",\"channel\":\"hybrid\",\"societal_task\":\"cultuur\","
        "\"proposition\":null,\"language\":null,\"start\":null,\"end\":null,\"occurrences\":null,"
        "\"local_name\":\"\"}";
    vp_offering *o = parse_ok(json, voc);
    CHECK(o != NULL);
    if (!o)
        return;
    CHECK_STR(o->id, "ebook-platform:abc:def/1");
    CHECK_STR(o->library_name, "Bibliotheek Utrecht");
    CHECK_STR(o->branch_name, "Bibliotheek Neude");
    CHECK_STR(o->municipality, "Utrecht");
    CHECK(o->creators.count == 2);
    if (o->creators.count == 2)
        CHECK_STR(o->creators.items[1], "Fiep Westendorp");
    CHECK(o->isbn.count == 5);
    if (o->isbn.count == 5) {
        CHECK_STR(o->isbn.items[0], "9780306406157"); /* ISBN-10 -> ISBN-13 */
        CHECK_STR(o->isbn.items[1], "9780306406157"); /* hyphens dropped */
        CHECK_STR(o->isbn.items[2], "9780804429573"); /* check digit x */
        CHECK_STR(o->isbn.items[3], "9789044352535");
        CHECK_STR(o->isbn.items[4], "9789044352535"); /* spaces dropped */
    }
    CHECK_STR(o->work_key, "work:voorleesboek");
    CHECK_STR(o->local_name, ""); /* empty free text is kept */
    /* The stored JSON keeps each ISBN as written. */
    CHECK_CONTAINS(o->json, "\"isbn\":[\"0-306-40615-2\",\"978-0-306-40615-7\",\"080442957x\",");
    CHECK(o->has_price == 1);
    CHECK(o->price_amount == 12.5);
    CHECK_STR(o->currency, "USD");
    CHECK(o->min_age == 0 && o->max_age == 120);
    CHECK(o->has_location && o->lat == -90.0 && o->lon == 180.0);
    CHECK_STR(o->description, "Regel een\nregel twee\ttab");
    CHECK_STR(o->url, "http://example.org");
    CHECK_STR(o->channel, "hybrid");
    CHECK_STR(o->societal_task, "cultuur");
    CHECK(o->proposition == NULL && o->language == NULL);
    CHECK(o->start.set == 0 && o->end.set == 0 && o->n_occurrences == 0);
    vp_offering_destroy(o);
}

/* ---- required fields ---- */

static void test_required(void)
{
    const char *min =
        "{\"id\": \"ebook-platform:9789044352535\", \"type\": \"ebook\", \"title\": \"Het grote "
        "voorleesboek\", \"source\": \"ebook-platform\"}";
    vp_offering *o = parse_ok(min, voc);
    CHECK(o != NULL);
    if (o) {
        CHECK_STR(o->id, "ebook-platform:9789044352535");
        CHECK_STR(o->type, "ebook");
        CHECK_STR(o->title, "Het grote voorleesboek");
        CHECK_STR(o->source, "ebook-platform");
        CHECK(o->description == NULL && o->proposition == NULL && o->url == NULL);
        CHECK(o->min_age == -1 && o->max_age == -1);
        CHECK(o->has_location == 0 && o->has_price == 0);
        CHECK(o->start.set == 0 && o->end.set == 0 && o->n_occurrences == 0);
        CHECK(o->creators.count == 0 && o->isbn.count == 0 && o->audience_groups.count == 0);
        CHECK_STR(o->json, "{\"id\":\"ebook-platform:9789044352535\",\"type\":\"ebook\","
                           "\"title\":\"Het grote voorleesboek\",\"source\":\"ebook-platform\"}");
        vp_offering_destroy(o);
    }

    const char *missing[][2] = {
        {"{\"type\":\"event\",\"title\":\"T\",\"source\":\"t\"}", "id: required"},
        {"{\"id\":\"t:1\",\"title\":\"T\",\"source\":\"t\"}", "type: required"},
        {"{\"id\":\"t:1\",\"type\":\"event\",\"source\":\"t\"}", "title: required"},
        {"{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"T\"}", "source: required"},
        {"{\"id\":null,\"type\":\"event\",\"title\":\"T\",\"source\":\"t\"}", "id: required"},
        {"{\"id\":\"t:1\",\"type\":null,\"title\":\"T\",\"source\":\"t\"}", "type: required"},
        {"{\"id\":\"t:1\",\"type\":\"event\",\"title\":null,\"source\":\"t\"}", "title: required"},
        {"{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"T\",\"source\":null}", "source: required"},
    };
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        CHECK(rejects_with(missing[i][0], voc, missing[i][1], 1));
        char *msg = NULL;
        vp_offering *x = NULL;
        offering_parse_text(missing[i][0], strlen(missing[i][0]), voc, &x, &msg);
        CHECK(has_exact_line(msg, missing[i][1]));
        free(msg);
        vp_offering_destroy(x);
    }

    /* All four missing: four lines, in a stable order. */
    const char *empty = "{}";
    char *msg = NULL;
    vp_offering *x = NULL;
    CHECK(offering_parse_text(empty, 2, voc, &x, &msg) == VP_ERR_INVALID);
    CHECK(x == NULL);
    CHECK_STR(msg, "id: required\ntype: required\ntitle: required\nsource: required");
    free(msg);
}

/* ---- wrong JSON types ---- */

static void test_wrong_types(void)
{
    /* Every string field given a number, an array and an object. */
    const char *string_fields[] = {"id", "type", "title", "source", "description", "local_name",
                                   "proposition", "societal_task", "language", "channel",
                                   "library", "library_name", "branch", "branch_name",
                                   "municipality", "url", "work_key", NULL};
    const char *bad_values[] = {"42", "true", "[\"x\"]", "{\"a\":1}", "1.5", NULL};
    for (const char *const *f = string_fields; *f; f++) {
        for (const char *const *v = bad_values; *v; v++) {
            char member[128], want[128];
            snprintf(member, sizeof member, "\"%s\":%s", *f, *v);
            snprintf(want, sizeof want, "%s: must be a string", *f);
            /* Required fields appear in MINIMAL; rebuild without them. */
            char json[512];
            snprintf(json, sizeof json, "{%s%s%s%s%s}",
                     strcmp(*f, "id") ? "\"id\":\"t:1\"," : "",
                     strcmp(*f, "type") ? "\"type\":\"event\"," : "",
                     strcmp(*f, "title") ? "\"title\":\"T\"," : "",
                     strcmp(*f, "source") ? "\"source\":\"t\"," : "", member);
            CHECK(rejects_with(json, voc, want, 1));
        }
    }

    /* String lists. */
    const char *lists[] = {"creators", "subjects", "isbn", NULL};
    for (const char *const *f = lists; *f; f++) {
        char member[128], want[128];
        snprintf(member, sizeof member, "\"%s\":\"x\"", *f);
        snprintf(want, sizeof want, "%s: must be an array of strings", *f);
        CHECK(rejects1(member, want));
        snprintf(member, sizeof member, "\"%s\":{\"a\":\"x\"}", *f);
        CHECK(rejects1(member, want));
        snprintf(member, sizeof member, "\"%s\":[\"9780306406157\",42]", *f);
        snprintf(want, sizeof want, "%s[1]: must be a string", *f);
        CHECK(rejects1(member, want));
        snprintf(member, sizeof member, "\"%s\":[null]", *f);
        snprintf(want, sizeof want, "%s[0]: must be a string", *f);
        CHECK(rejects1(member, want));
        snprintf(member, sizeof member, "\"%s\":[\"9780306406157\",\"\"]", *f);
        snprintf(want, sizeof want, "%s[1]: must not be empty", *f);
        CHECK(rejects1(member, want));
        snprintf(member, sizeof member, "\"%s\":[\"a\\u0001b\"]", *f);
        snprintf(want, sizeof want, "%s[0]: must not contain control characters", *f);
        CHECK(rejects1(member, want));
    }
    CHECK(rejects1("\"audience\":{\"groups\":\"volwassenen\"}",
                   "audience.groups: must be an array of strings"));
    CHECK(rejects1("\"audience\":{\"groups\":[\"jeugd\",[]]}", "audience.groups[1]: must be a string"));
    CHECK(rejects1("\"audience\":{\"groups\":[\"jeugd\",\"\"]}",
                   "audience.groups[1]: must not be empty"));

    /* Objects. */
    CHECK(rejects1("\"audience\":[18]", "audience: must be an object {min_age, max_age, groups}"));
    CHECK(rejects1("\"audience\":\"volwassenen\"", "audience: must be an object"));
    CHECK(rejects1("\"location\":[52.1,5.1]", "location: must be an object {lat, lon}"));
    CHECK(rejects1("\"price\":0", "price: must be an object {amount, currency}"));
    CHECK(rejects1("\"occurrences\":{\"start\":\"2026-12-03\"}",
                   "occurrences: must be an array of {start, end}"));
    CHECK(rejects1("\"occurrences\":[\"2026-12-03\"]", "occurrences[0]: must be an object {start, end}"));

    /* Numbers. */
    CHECK(rejects1("\"audience\":{\"min_age\":\"18\"}",
                   "audience.min_age: must be a whole number from 0 to 120, or null"));
    CHECK(rejects1("\"audience\":{\"max_age\":true}", "audience.max_age: must be a whole number"));
    CHECK(rejects1("\"audience\":{\"min_age\":18.0}", "audience.min_age: must be a whole number"));
    CHECK(rejects1("\"audience\":{\"max_age\":12.5}", "audience.max_age: must be a whole number"));
    CHECK(rejects1("\"location\":{\"lat\":\"52.1\",\"lon\":5.1}",
                   "location.lat: must be a number from -90 to 90"));
    CHECK(rejects1("\"location\":{\"lat\":52.1,\"lon\":null}",
                   "location.lon: must be a number from -180 to 180"));
    CHECK(rejects1("\"price\":{\"amount\":\"0\",\"currency\":\"EUR\"}", "price.amount: must be a number >= 0"));
    CHECK(rejects1("\"price\":{\"currency\":\"EUR\"}", "price.amount: must be a number >= 0"));
    CHECK(rejects1("\"price\":{\"amount\":1,\"currency\":978}",
                   "price.currency: must be a three-letter ISO 4217 code such as EUR"));

    /* Dates. */
    const char *date_fields[] = {"start", "updated", NULL};
    for (const char *const *f = date_fields; *f; f++) {
        char member[128], want[128];
        snprintf(member, sizeof member, "\"%s\":20261203", *f);
        snprintf(want, sizeof want, "%s: must be a string with an ISO 8601 date-time", *f);
        CHECK(rejects1(member, want));
    }
    CHECK(rejects1("\"start\":\"2026-12-03\",\"end\":[\"2026-12-04\"]",
                   "end: must be a string with an ISO 8601 date-time"));
    CHECK(rejects1("\"occurrences\":[{\"start\":1}]",
                   "occurrences[0].start: must be a string with an ISO 8601 date-time"));
    CHECK(rejects1("\"occurrences\":[{\"start\":\"2026-12-03\",\"end\":{}}]",
                   "occurrences[0].end: must be a string with an ISO 8601 date-time"));
}

/* ---- unknown fields ---- */

static void test_unknown_fields(void)
{
    CHECK(rejects1("\"colour\":\"red\"", "colour: unknown field"));
    CHECK(rejects1("\"titel\":\"T\"", "titel: unknown field"));
    CHECK(rejects1("\"audience\":{\"min_age\":1,\"kids\":true}", "audience.kids: unknown field"));
    CHECK(rejects1("\"location\":{\"lat\":1,\"lon\":2,\"alt\":3}", "location.alt: unknown field"));
    CHECK(rejects1("\"price\":{\"amount\":1,\"currency\":\"EUR\",\"vat\":0}",
                   "price.vat: unknown field"));
    CHECK(rejects1("\"occurrences\":[{\"start\":\"2026-12-03\"},{\"start\":\"2026-12-04\",\"room\":\"A\"}]",
                   "occurrences[1].room: unknown field"));
    /* The message is exactly that. */
    char *json = rec("\"colour\":\"red\"");
    char *msg = NULL;
    vp_offering *o = NULL;
    CHECK(offering_parse_text(json, strlen(json), voc, &o, &msg) == VP_ERR_INVALID);
    CHECK_STR(msg, "colour: unknown field");
    free(msg);
    free(json);
}

/* ---- field rules ---- */

static void test_id_title_source(void)
{
    const char *bad_ids[] = {"\"id\":\"abc\"", "\"id\":\":abc\"", "\"id\":\"abc:\"", "\"id\":\"\"",
                             "\"id\":\":\"", NULL};
    for (const char *const *b = bad_ids; *b; b++) {
        char json[256];
        snprintf(json, sizeof json, "{%s,\"type\":\"event\",\"title\":\"T\",\"source\":\"t\"}", *b);
        CHECK(rejects_with(json, voc, "id: must be \"source:local-id\" with both parts non-empty", 1));
    }
    /* Further colons and slashes in the local part are fine. */
    vp_offering *o = parse_ok("{\"id\":\"a:b:c/d e\",\"type\":\"event\",\"title\":\"T\",\"source\":\"a\"}", voc);
    CHECK(o != NULL && strcmp(o->id, "a:b:c/d e") == 0);
    vp_offering_destroy(o);
    CHECK(rejects_with("{\"id\":\"t:a\\u0001\",\"type\":\"event\",\"title\":\"T\",\"source\":\"t\"}", voc,
                       "id: must not contain control characters", 1));

    /* The C1 characters are not control characters here. (DEL: docs
     * and code disagree, no check; see the report.) */
    o = parse_ok("{\"id\":\"t:a\\u0085\",\"type\":\"event\",\"title\":\"T\\u009f\","
                 "\"source\":\"t\"}", voc);
    CHECK(o != NULL && strcmp(o->id, "t:a\xc2\x85") == 0 && strcmp(o->title, "T\xc2\x9f") == 0);
    vp_offering_destroy(o);

    /* Length: at most VP_OFFERING_MAX_ID (200) bytes. */
    char *local = fill('x', VP_OFFERING_MAX_ID - 2);
    char json[2048];
    snprintf(json, sizeof json, "{\"id\":\"t:%s\",\"type\":\"event\",\"title\":\"T\",\"source\":\"t\"}", local);
    o = parse_ok(json, voc);
    CHECK(o != NULL && strlen(o->id) == VP_OFFERING_MAX_ID);
    vp_offering_destroy(o);
    free(local);
    local = fill('x', VP_OFFERING_MAX_ID - 1);
    snprintf(json, sizeof json, "{\"id\":\"t:%s\",\"type\":\"event\",\"title\":\"T\",\"source\":\"t\"}", local);
    CHECK(rejects_with(json, voc, "id: longer than 200 bytes", 1));
    free(local);

    CHECK(rejects_with("{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"\",\"source\":\"t\"}", voc,
                       "title: must not be empty", 1));
    CHECK(rejects_with("{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"   \",\"source\":\"t\"}", voc,
                       "title: must not be empty", 1));
    const char *ctl[] = {"a\\u0001b", "a\\nb", "a\\tb", "a\\rb", "\\u001f", NULL};
    for (const char *const *c = ctl; *c; c++) {
        snprintf(json, sizeof json, "{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"%s\",\"source\":\"t\"}", *c);
        CHECK(rejects_with(json, voc, "title: must not contain control characters", 1));
    }
    char *title = fill('t', VP_OFFERING_MAX_TITLE);
    char *big = malloc(VP_OFFERING_MAX_TITLE + 200);
    snprintf(big, VP_OFFERING_MAX_TITLE + 200, "{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"%s\",\"source\":\"t\"}", title);
    o = parse_ok(big, voc);
    CHECK(o != NULL && strlen(o->title) == VP_OFFERING_MAX_TITLE);
    vp_offering_destroy(o);
    free(title);
    title = fill('t', VP_OFFERING_MAX_TITLE + 1);
    snprintf(big, VP_OFFERING_MAX_TITLE + 200, "{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"%s\",\"source\":\"t\"}", title);
    CHECK(rejects_with(big, voc, "title: longer than 1000 bytes", 1));
    free(title);
    free(big);
    /* Bytes, not characters: 500 two-byte letters fit, 501 do not. */
    char *e500 = repeat("\"title\":\"", "\xc3\xa9", "", 500, "\"");
    char *e501 = repeat("\"title\":\"", "\xc3\xa9", "", 501, "\"");
    char *j500 = repeat("{\"id\":\"t:1\",\"type\":\"event\",\"source\":\"t\",", e500, "", 1, "}");
    char *j501 = repeat("{\"id\":\"t:1\",\"type\":\"event\",\"source\":\"t\",", e501, "", 1, "}");
    o = parse_ok(j500, voc);
    CHECK(o != NULL);
    vp_offering_destroy(o);
    CHECK(rejects_with(j501, voc, "title: longer than 1000 bytes", 1));
    free(e500), free(e501), free(j500), free(j501);

    const char *bad_sources[] = {"Agenda", "agenda utrecht", "agenda/utrecht", "", "caf\xc3\xa9", NULL};
    for (const char *const *s = bad_sources; *s; s++) {
        snprintf(json, sizeof json, "{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"T\",\"source\":\"%s\"}", *s);
        CHECK(rejects_with(json, voc, "source: must be lower-case letters, digits, '-', '_' and '.'", 1));
    }
    o = parse_ok("{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"T\",\"source\":\"a-b_c.d9\"}", voc);
    CHECK(o != NULL);
    vp_offering_destroy(o);
}

/* Each length limit: over it is rejected with the limit in the message. */
static void test_lengths(void)
{
    static const struct {
        const char *field;
        size_t max;
        const char *ok_prefix; /* a valid value of exactly `max` bytes starts so; NULL: none */
    } limits[] = {
        {"source", 100, ""},
        {"description", VP_OFFERING_MAX_TEXT, ""},
        {"local_name", 1000, ""},
        {"library", 200, ""},
        {"branch", 200, ""},
        {"library_name", 1000, ""},
        {"branch_name", 1000, ""},
        {"municipality", 200, ""},
        {"work_key", 200, ""},
        {"url", 4096, "https://example.org/"},
        {"language", 10, NULL},
        {"type", 100, NULL},
        {"channel", 100, NULL},
        {"societal_task", 100, NULL},
        {"proposition", 100, NULL},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        const char *f = limits[i].field;
        size_t max = limits[i].max;
        char *over = fill('a', max + 1);
        size_t n = max + 300;
        char *json = malloc(n), want[128];
        snprintf(json, n, "{\"id\":\"t:1\",\"title\":\"T\"%s%s,\"%s\":\"%s\"}",
                 strcmp(f, "type") ? ",\"type\":\"event\"" : "",
                 strcmp(f, "source") ? ",\"source\":\"t\"" : "", f, over);
        snprintf(want, sizeof want, "%s: longer than %zu bytes", f, max);
        CHECK(rejects_with(json, voc, want, 1));
        if (limits[i].ok_prefix) {
            const char *pre = limits[i].ok_prefix;
            memcpy(over, pre, strlen(pre));
            over[max] = '\0';
            snprintf(json, n, "{\"id\":\"t:1\",\"title\":\"T\",\"type\":\"event\"%s,\"%s\":\"%s\"}",
                     strcmp(f, "source") ? ",\"source\":\"t\"" : "", f, over);
            vp_offering *o = parse_ok(json, voc);
            if (!o)
                fprintf(stderr, "  (field %s at its limit %zu)\n", f, max);
            CHECK(o != NULL);
            vp_offering_destroy(o);
        }
        free(over);
        free(json);
    }
    /* Proposition at 100 bytes: fine without a vocabulary. */
    char *prop = fill('p', 100);
    char *extra = repeat("\"proposition\":\"", prop, "", 1, "\"");
    char *json = rec(extra);
    vp_offering *o = parse_ok(json, NULL);
    CHECK(o != NULL && o->proposition && strlen(o->proposition) == 100);
    vp_offering_destroy(o);
    free(prop), free(extra), free(json);

    /* List items. */
    static const struct {
        const char *field;
        size_t max;
    } items[] = {{"creators", 1000}, {"subjects", 1000}, {"isbn", 40}};
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        char *s = fill('a', items[i].max + 1);
        size_t n = items[i].max + 300;
        char *j = malloc(n), want[128];
        snprintf(j, n, MINIMAL ",\"%s\":[\"%s\"]}", items[i].field, s);
        snprintf(want, sizeof want, "%s[0]: longer than %zu bytes", items[i].field, items[i].max);
        CHECK(rejects_with(j, voc, want, 1));
        free(s);
        free(j);
    }
    char *g = fill('g', 101);
    char gj[400];
    snprintf(gj, sizeof gj, MINIMAL ",\"audience\":{\"groups\":[\"%s\"]}}", g);
    CHECK(rejects_with(gj, voc, "audience.groups[0]: longer than 100 bytes", 1));
    free(g);
}

static void test_controlled(void)
{
    CHECK(rejects1("\"channel\":\"Online\"",
                   "channel: unknown value \"Online\" (allowed: online, offline, hybrid)"));
    CHECK(rejects1("\"societal_task\":\"cultuurbeleving\"",
                   "societal_task: unknown value \"cultuurbeleving\" (allowed: geletterdheid, "
                   "informatiesamenleving, leven-lang-ontwikkelen, cultuur)"));
    CHECK(rejects_with("{\"id\":\"t:1\",\"type\":\"lecture\",\"title\":\"T\",\"source\":\"t\"}", voc,
                       "type: unknown value \"lecture\" (allowed: course, event, activity, ebook, "
                       "audiobook, book, service)", 1));
    /* Every documented value is accepted. */
    const char *types[] = {"course", "event", "activity", "ebook", "audiobook", "book", "service", NULL};
    for (const char *const *t = types; *t; t++) {
        char json[256];
        snprintf(json, sizeof json, "{\"id\":\"t:1\",\"type\":\"%s\",\"title\":\"T\",\"source\":\"t\"}", *t);
        vp_offering *o = parse_ok(json, voc);
        CHECK(o != NULL && strcmp(o->type, *t) == 0);
        vp_offering_destroy(o);
    }
    CHECK(accepts("\"channel\":\"online\""));
    CHECK(accepts("\"channel\":\"offline\""));
    CHECK(accepts("\"societal_task\":\"geletterdheid\""));
    CHECK(accepts("\"societal_task\":\"leven-lang-ontwikkelen\""));
    CHECK(vp_in_list("hybrid", vp_offering_channels) == 1);
    CHECK(vp_in_list("Hybrid", vp_offering_channels) == 0);
    CHECK(vp_in_list("iedereen", vp_offering_audiences) == 1);
    CHECK(vp_in_list("kids", vp_offering_audiences) == 0);
    CHECK(vp_in_list("informatiesamenleving", vp_offering_tasks) == 1);
    CHECK(vp_in_list("service", vp_offering_types) == 1);

    /* Propositions: checked against the vocabulary when one is given. */
    char *json = rec("\"proposition\":\"computerhulp\"");
    char want[4096];
    snprintf(want, sizeof want, "proposition: unknown proposition \"computerhulp\" (allowed: %s)",
             vp_vocabulary_ids(voc));
    CHECK(rejects_with(json, voc, want, 1));
    CHECK(strlen(vp_vocabulary_ids(voc)) > 100); /* the list really is in there */
    char *msg = NULL;
    vp_offering *o = NULL;
    offering_parse_text(json, strlen(json), voc, &o, &msg);
    CHECK_CONTAINS(msg, "digitaal-spreekuur");
    CHECK_CONTAINS(msg, "klik-en-tik");
    free(msg);
    o = parse_ok(json, NULL); /* no vocabulary: any slug */
    CHECK(o != NULL && o->proposition && strcmp(o->proposition, "computerhulp") == 0);
    vp_offering_destroy(o);
    free(json);
    json = rec("\"proposition\":\"Computer Hulp\"");
    CHECK(rejects_with(json, NULL, "proposition: must be lower-case letters, digits and '-'", 1));
    free(json);
    CHECK(accepts("\"proposition\":\"digitaal-spreekuur\""));
    CHECK(accepts("\"proposition\":\"e-books\""));
}

static void test_language_audience(void)
{
    const char *bad_lang[] = {"nld", "NL", "n", "", "n1", "\xc3\xa9n", NULL};
    for (const char *const *l = bad_lang; *l; l++) {
        char extra[64];
        snprintf(extra, sizeof extra, "\"language\":\"%s\"", *l);
        CHECK(rejects1(extra, "language: must be a two-letter ISO 639-1 code such as nl"));
    }
    CHECK(accepts("\"language\":\"ar\""));

    CHECK(rejects1("\"audience\":{\"min_age\":-1}", "audience.min_age: must be a whole number from 0 to 120, or null"));
    CHECK(rejects1("\"audience\":{\"min_age\":121}", "audience.min_age: must be a whole number from 0 to 120"));
    CHECK(rejects1("\"audience\":{\"max_age\":121}", "audience.max_age: must be a whole number from 0 to 120"));
    CHECK(rejects1("\"audience\":{\"max_age\":-5}", "audience.max_age: must be a whole number from 0 to 120"));
    CHECK(rejects1("\"audience\":{\"min_age\":12,\"max_age\":4}", "audience.max_age: must not be below min_age"));
    CHECK(accepts("\"audience\":{\"min_age\":4,\"max_age\":4}"));
    CHECK(accepts("\"audience\":{\"min_age\":null,\"max_age\":null,\"groups\":null}"));
    CHECK(accepts("\"audience\":{}"));
    CHECK(accepts("\"audience\":null"));

    char *json = rec("\"audience\":{\"min_age\":null,\"max_age\":12}");
    vp_offering *o = parse_ok(json, voc);
    CHECK(o != NULL && o->min_age == -1 && o->max_age == 12);
    vp_offering_destroy(o);
    free(json);

    CHECK(rejects1("\"audience\":{\"groups\":[\"jeugd\",\"kids\"]}",
                   "audience.groups[1]: unknown audience \"kids\" (allowed: baby, peuter, kleuter, "
                   "jeugd, ouders, volwassenen, senioren, nieuwkomers, laaggeletterden, "
                   "werkzoekenden, iedereen)"));
    CHECK(rejects1("\"audience\":{\"groups\":[\"Jeugd\"]}", "audience.groups[0]: unknown audience \"Jeugd\""));
    /* Two unknown groups: both reported at their own index. */
    json = rec("\"audience\":{\"groups\":[\"kids\",\"ouders\",\"teens\"]}");
    CHECK(rejects_with(json, voc, "audience.groups[0]: unknown audience \"kids\"", 2));
    CHECK(rejects_with(json, voc, "audience.groups[2]: unknown audience \"teens\"", 2));
    free(json);
    /* Note: after an item that string_list skipped (non-string, null,
     * empty) the index reported for a later unknown group is wrong; that
     * check is left out (see the report). */
}

static void test_location_price_url_isbn(void)
{
    CHECK(rejects1("\"location\":{\"lat\":90.5,\"lon\":5}", "location.lat: must be a number from -90 to 90"));
    CHECK(rejects1("\"location\":{\"lat\":-91,\"lon\":5}", "location.lat: must be a number from -90 to 90"));
    CHECK(rejects1("\"location\":{\"lat\":52,\"lon\":180.01}", "location.lon: must be a number from -180 to 180"));
    CHECK(rejects1("\"location\":{\"lat\":52,\"lon\":-181}", "location.lon: must be a number from -180 to 180"));
    CHECK(rejects1("\"location\":{\"lon\":5}", "location.lat: must be a number from -90 to 90"));
    char *json = rec("\"location\":{}");
    CHECK(rejects_with(json, voc, "location.lat:", 2));
    CHECK(rejects_with(json, voc, "location.lon:", 2));
    free(json);
    json = rec("\"location\":{\"lat\":52,\"lon\":5}");
    vp_offering *o = parse_ok(json, voc);
    CHECK(o != NULL && o->has_location && o->lat == 52.0 && o->lon == 5.0);
    vp_offering_destroy(o);
    free(json);

    CHECK(rejects1("\"price\":{\"amount\":-0.01,\"currency\":\"EUR\"}", "price.amount: must be a number >= 0"));
    CHECK(rejects1("\"price\":{\"amount\":-1,\"currency\":\"EUR\"}", "price.amount: must be a number >= 0"));
    const char *bad_cur[] = {"eur", "EURO", "EU", "", "E1R", "eUR", "EUr", "EU1", "\u00c9UR", NULL};
    for (const char *const *c = bad_cur; *c; c++) {
        char extra[128];
        snprintf(extra, sizeof extra, "\"price\":{\"amount\":1,\"currency\":\"%s\"}", *c);
        CHECK(rejects1(extra, "price.currency: must be a three-letter ISO 4217 code such as EUR"));
    }
    /* Without a currency (absent or null) the price is in EUR. */
    const char *no_cur[] = {"\"price\":{\"amount\":3.5}", "\"price\":{\"amount\":3.5,\"currency\":null}", NULL};
    for (const char *const *c = no_cur; *c; c++) {
        json = rec(*c);
        o = parse_ok(json, voc);
        CHECK(o != NULL && o->has_price && o->price_amount == 3.5 && strcmp(o->currency, "EUR") == 0);
        vp_offering_destroy(o);
        free(json);
    }

    const char *bad_urls[] = {"ftp://example.org/x", "/agenda/klik-en-tik", "example.org",
                              "https://example.org/a b", "https://", "https:///path",
                              "mailto:a@example.org", "HTTPS//example.org", NULL};
    for (const char *const *u = bad_urls; *u; u++) {
        char extra[256];
        snprintf(extra, sizeof extra, "\"url\":\"%s\"", *u);
        CHECK(rejects1(extra, "url: must be an absolute http or https URL"));
    }
    CHECK(accepts("\"url\":\"https://example.org/a?b=c#d\""));
    /* A picture for shared links: the same rules as url. */
    for (const char *const *u = bad_urls; *u; u++) {
        char extra[256];
        snprintf(extra, sizeof extra, "\"image\":\"%s\"", *u);
        CHECK(rejects1(extra, "image: must be an absolute http or https URL"));
    }
    CHECK(accepts("\"image\":\"https://example.org/img/a.jpg\""));
    CHECK(accepts("\"image\":null"));
    CHECK(rejects1("\"url\":\"https://example.org/a\\u007fb\"", "url: must")); /* DEL */

    CHECK(rejects1("\"isbn\":[\"0-306-40615-3\"]", "isbn[0]: not a valid ISBN-10 or ISBN-13: \"0-306-40615-3\""));
    CHECK(rejects1("\"isbn\":[\"9780306406157\",\"978-0-306-40615-8\"]",
                   "isbn[1]: not a valid ISBN-10 or ISBN-13: \"978-0-306-40615-8\""));
    const char *bad_isbn[] = {"030640615", "97803064061570", "978030640615X", "X306406152",
                              "0-306-4O615-2", "isbn 0306406152", NULL};
    for (const char *const *b = bad_isbn; *b; b++) {
        char extra[128], want[128];
        snprintf(extra, sizeof extra, "\"isbn\":[\"%s\"]", *b);
        snprintf(want, sizeof want, "isbn[0]: not a valid ISBN-10 or ISBN-13: \"%s\"", *b);
        CHECK(rejects1(extra, want));
    }
}

/* ---- dates in records ---- */

static void test_record_dates(void)
{
    const char *bad[] = {"03-12-2026", "2026-12-03T10:00:00", "2026/12/03", "2026-12-3",
                         "2026-02-30", "2026-12-03T25:00:00Z", "tomorrow", "", NULL};
    for (const char *const *b = bad; *b; b++) {
        char extra[128];
        snprintf(extra, sizeof extra, "\"start\":\"%s\"", *b);
        CHECK(rejects1(extra, "start: not an ISO 8601 date-time with offset (2026-12-03T10:00:00+01:00) "
                              "or date (2026-12-03)"));
        snprintf(extra, sizeof extra, "\"updated\":\"%s\"", *b);
        CHECK(rejects1(extra, "updated: not an ISO 8601 date-time"));
        snprintf(extra, sizeof extra, "\"start\":\"2026-01-01\",\"end\":\"%s\"", *b);
        CHECK(rejects1(extra, "end: not an ISO 8601 date-time"));
        snprintf(extra, sizeof extra, "\"occurrences\":[{\"start\":\"%s\"}]", *b);
        CHECK(rejects1(extra, "occurrences[0].start: not an ISO 8601 date-time"));
    }
    CHECK(rejects1("\"start\":\"2026-12-03T12:00:00+01:00\",\"end\":\"2026-12-03T10:00:00+01:00\"",
                   "end: before start"));
    CHECK(rejects1("\"start\":\"2026-12-04\",\"end\":\"2026-12-03\"", "end: before start"));
    CHECK(accepts("\"start\":\"2026-12-03\",\"end\":\"2026-12-03\""));
    /* (A timed start with a plain-date end on the same day: docs and code
     * disagree, no check; see the report.) */
    /* The same instant in another offset is not "before". */
    CHECK(accepts("\"start\":\"2026-12-03T10:00:00+01:00\",\"end\":\"2026-12-03T09:00:00Z\""));
    CHECK(rejects1("\"start\":\"2026-12-03T10:00:00+01:00\",\"end\":\"2026-12-03T08:59:59Z\"",
                   "end: before start"));
    CHECK(rejects1("\"end\":\"2026-12-03T12:00:00+01:00\"", "end: given without start"));
    CHECK(rejects1("\"start\":null,\"end\":\"2026-12-03\"", "end: given without start"));
    CHECK(rejects1("\"occurrences\":[{\"start\":\"2026-12-03T12:00:00Z\",\"end\":\"2026-12-03T11:00:00Z\"}]",
                   "occurrences[0].end: before start"));
    CHECK(rejects1("\"occurrences\":[{\"start\":\"2026-12-03\"},{\"end\":\"2026-12-04\"}]",
                   "occurrences[1].start: required"));
    CHECK(rejects1("\"occurrences\":[{\"start\":null}]", "occurrences[0].start: required"));
    CHECK(rejects1("\"occurrences\":[{\"start\":\"2026-12-03\",\"end\":\"12-04-2026\"}]",
                   "occurrences[0].end: not an ISO 8601 date-time"));
    CHECK(accepts("\"occurrences\":[]"));

    /* 1000 occurrences are fine, 1001 are not. */
    char *occ = repeat("\"occurrences\":[", "{\"start\":\"2026-12-03\"}", ",", VP_OFFERING_MAX_OCCURRENCES, "]");
    char *json = rec(occ);
    vp_offering *o = parse_ok(json, voc);
    CHECK(o != NULL && o->n_occurrences == 1000);
    vp_offering_destroy(o);
    free(occ), free(json);
    occ = repeat("\"occurrences\":[", "{\"start\":\"2026-12-03\"}", ",", VP_OFFERING_MAX_OCCURRENCES + 1, "]");
    json = rec(occ);
    CHECK(rejects_with(json, voc, "occurrences: more than 1000 occurrences", 1));
    free(occ), free(json);

    /* Start and end derived from the occurrences when start is absent;
     * occurrences sorted by start whatever the input order. */
    json = rec("\"occurrences\":["
               "{\"start\":\"2026-12-17T10:00:00+01:00\",\"end\":\"2026-12-17T12:00:00+01:00\"},"
               "{\"start\":\"2026-12-03T10:00:00+01:00\",\"end\":\"2026-12-03T12:00:00+01:00\"},"
               "{\"start\":\"2026-12-10T10:00:00+01:00\",\"end\":\"2026-12-10T12:00:00+01:00\"}]");
    o = parse_ok(json, voc);
    CHECK(o != NULL);
    if (o) {
        CHECK(o->n_occurrences == 3);
        if (o->n_occurrences == 3) {
            CHECK(o->occurrences[0].start.utc == EXAMPLE_START_UTC);
            CHECK(o->occurrences[1].start.utc == EXAMPLE_START_UTC + 7 * 86400);
            CHECK(o->occurrences[2].start.utc == EXAMPLE_START_UTC + 14 * 86400);
            CHECK(o->occurrences[2].end.utc == EXAMPLE_START_UTC + 14 * 86400 + 7200);
        }
        CHECK(o->start.set && o->start.utc == EXAMPLE_START_UTC && o->start.offset_min == 60);
        CHECK(o->end.set && o->end.utc == EXAMPLE_START_UTC + 14 * 86400 + 7200);
        /* Added at the top level, after the occurrences, verbatim. */
        const char *tail = "}],\"start\":\"2026-12-03T10:00:00+01:00\","
                           "\"end\":\"2026-12-17T12:00:00+01:00\"}";
        CHECK(o->json && strlen(o->json) > strlen(tail) &&
              strcmp(o->json + strlen(o->json) - strlen(tail), tail) == 0);
        /* ... and the derived form re-parses to the same dates. */
        vp_offering *again = o->json ? parse_ok(o->json, voc) : NULL;
        CHECK(again != NULL && again->start.utc == o->start.utc && again->end.utc == o->end.utc &&
              again->n_occurrences == 3);
        vp_offering_destroy(again);
        vp_offering_destroy(o);
    }
    free(json);

    /* Start present: nothing derived, nothing added. */
    json = rec("\"start\":\"2026-12-01\",\"occurrences\":[{\"start\":\"2026-12-03\"},{\"start\":\"2026-12-05\"}]");
    o = parse_ok(json, voc);
    CHECK(o != NULL && o->start.utc == 1796256000 - 2 * 86400 && o->end.set == 0 && o->n_occurrences == 2);
    if (o)
        CHECK(strstr(o->json, "\"end\"") == NULL);
    vp_offering_destroy(o);
    free(json);

    /* A start-only record is one occurrence of itself. */
    json = rec("\"start\":\"2026-12-03T10:00:00+01:00\"");
    o = parse_ok(json, voc);
    CHECK(o != NULL && o->n_occurrences == 1);
    if (o && o->n_occurrences == 1) {
        CHECK(o->occurrences[0].start.utc == EXAMPLE_START_UTC);
        CHECK(o->occurrences[0].end.set == 0);
        CHECK(o->end.set == 0);
    }
    vp_offering_destroy(o);
    free(json);
    json = rec("\"start\":\"2026-12-03\",\"end\":\"2026-12-05\"");
    o = parse_ok(json, voc);
    CHECK(o != NULL && o->n_occurrences == 1);
    if (o && o->n_occurrences == 1) {
        CHECK(o->occurrences[0].start.all_day && o->occurrences[0].start.utc == 1796256000);
        CHECK(o->occurrences[0].end.set && o->occurrences[0].end.utc == 1796256000 + 2 * 86400);
    }
    vp_offering_destroy(o);
    free(json);

    /* Occurrences without an end: the derived start is still the earliest
     * start. (What the derived end is then: docs and code disagree, no
     * check; see the report.) */
    json = rec("\"occurrences\":[{\"start\":\"2026-12-10T10:00:00+01:00\"},"
               "{\"start\":\"2026-12-03T10:00:00+01:00\",\"end\":\"2026-12-03T12:00:00+01:00\"}]");
    o = parse_ok(json, voc);
    CHECK(o != NULL && o->start.set && o->start.utc == EXAMPLE_START_UTC && o->n_occurrences == 2);
    if (o)
        CHECK_CONTAINS(o->json, "}],\"start\":\"2026-12-03T10:00:00+01:00\"");
    vp_offering_destroy(o);
    free(json);

    /* updated: a date-time. (A plain date: docs and code disagree, no
     * check; see the report.) */
    json = rec("\"updated\":\"2026-11-20T08:00:00.250+01:00\"");
    o = parse_ok(json, voc);
    CHECK(o != NULL && o->updated && strcmp(o->updated, "2026-11-20T08:00:00.250+01:00") == 0);
    vp_offering_destroy(o);
    free(json);
}

/* ---- whole-record errors ---- */

/* Every problem of a record is one vp_error of the list, its path a
 * field: a loader puts the file and line beside it. */
static void test_problem_paths(void)
{
    const char *json = "{\"id\":\"a:1\",\"type\":\"event\",\"title\":\"\",\"source\":\"a\","
                       "\"audience\":{\"min_age\":200}}";
    vp_error e = VP_ERROR_INIT;
    vp_offering *o = NULL;
    CHECK(vp_offering_parse(json, strlen(json), voc, &o, &e) == VP_ERR_INVALID);
    int title = 0, age = 0;
    for (const vp_error *p = &e; p; p = p->next) {
        CHECK(p->status == VP_ERR_INVALID && p->path && p->message);
        CHECK(p->file == NULL && p->line == 0);
        title += p->path && !strcmp(p->path, "title") && p->message && !strstr(p->message, "title");
        age += p->path && !strcmp(p->path, "audience.min_age");
    }
    CHECK(title == 1 && age == 1);
    vp_error_clear(&e);
    CHECK(vp_offering_parse("{", 1, voc, &o, &e) == VP_ERR_INVALID);
    CHECK(e.path && strncmp(e.path, "(json, column ", 14) == 0);
    vp_error_clear(&e);
}

static void test_record_errors(void)
{
    /* Several problems: all reported, one per line. */
    const char *json =
        "{\"id\":\"nocolon\",\"type\":\"lecture\",\"title\":\"\",\"source\":\"Bad Source\","
        "\"language\":\"dutch\",\"audience\":{\"min_age\":200,\"groups\":[\"kids\"]},"
        "\"location\":{\"lat\":100,\"lon\":0},\"price\":{\"amount\":-1},\"url\":\"ftp://x\","
        "\"isbn\":[\"123\"],\"colour\":1,\"start\":\"2026-12-03\",\"end\":\"2026-12-01\"}";
    char *msg = NULL;
    vp_offering *o = NULL;
    CHECK(offering_parse_text(json, strlen(json), voc, &o, &msg) == VP_ERR_INVALID);
    CHECK(o == NULL);
    const char *expect[] = {"colour: unknown field", "id: must be", "type: unknown value",
                            "title: must not be empty", "source: must be", "language: must be",
                            "audience.min_age: must be", "audience.groups[0]: unknown audience",
                            "location.lat: must be", "end: before start", "price.amount: must be",
                            "url: must be", "isbn[0]: not a valid", NULL};
    int n = 0;
    for (const char *const *e = expect; *e; e++, n++) {
        if (!has_line(msg, *e))
            fprintf(stderr, "  missing \"%s\" in:\n%s\n", *e, msg ? msg : "(null)");
        CHECK(has_line(msg, *e));
    }
    CHECK(count_lines(msg) == n);
    CHECK(msg && msg[strlen(msg) - 1] != '\n');
    free(msg);

    /* Past 50 problems the rest are counted. */
    char members[60][16];
    char big[4096];
    size_t len = (size_t)snprintf(big, sizeof big, "%s", MINIMAL);
    for (int i = 0; i < 60; i++) {
        snprintf(members[i], sizeof members[i], "u%02d", i);
        len += (size_t)snprintf(big + len, sizeof big - len, ",\"%s\":0", members[i]);
    }
    snprintf(big + len, sizeof big - len, "}");
    msg = NULL;
    CHECK(offering_parse_text(big, strlen(big), voc, &o, &msg) == VP_ERR_INVALID);
    CHECK(count_lines(msg) == 51);
    CHECK(has_exact_line(msg, "u49: unknown field"));
    CHECK(!has_line(msg, "u50:"));
    CHECK(has_exact_line(msg, "(record): 10 more problems"));
    free(msg);

    /* Lists over 1000 items. */
    const char *lists[] = {"creators", "subjects", "isbn", NULL};
    for (const char *const *l = lists; *l; l++) {
        char pre[64], want[64];
        snprintf(pre, sizeof pre, "\"%s\":[", *l);
        snprintf(want, sizeof want, "%s: more than 1000 items", *l);
        char *items = repeat(pre, "\"9780306406157\"", ",", VP_OFFERING_MAX_LIST + 1, "]");
        char *j = rec(items);
        CHECK(rejects_with(j, voc, want, 1));
        free(items), free(j);
        items = repeat(pre, "\"9780306406157\"", ",", VP_OFFERING_MAX_LIST, "]");
        j = rec(items);
        vp_offering *ok = parse_ok(j, voc);
        CHECK(ok != NULL);
        vp_offering_destroy(ok);
        free(items), free(j);
    }
    char *groups = repeat("\"audience\":{\"groups\":[", "\"jeugd\"", ",", VP_OFFERING_MAX_LIST + 1, "]}");
    char *j = rec(groups);
    CHECK(rejects_with(j, voc, "audience.groups: more than 1000 items", 1));
    free(groups), free(j);

    /* JSON-level failures. */
    const char *bad_json[] = {"{\"id\":\"t:1\",", "{\"id\" \"t:1\"}", "\"just a string\"", "42", "",
                              "{\"id\":\"t:1\"} {}", "{\"title\":\"\xff\"}", "{\"a\":\"\\ud800\"}",
                              "{\"id\":\"t:\\u0000\"}", NULL};
    for (const char *const *b = bad_json; *b; b++) {
        msg = NULL;
        o = NULL;
        vp_status st = offering_parse_text(*b, strlen(*b), voc, &o, &msg);
        CHECK(st == VP_ERR_INVALID);
        CHECK(o == NULL);
        CHECK(msg != NULL && strncmp(msg, "(json, column ", 14) == 0);
        CHECK(count_lines(msg) == 1); /* only this one problem */
        if (!msg || strncmp(msg, "(json, column ", 14) != 0)
            fprintf(stderr, "  input %s: %s\n", *b, msg ? msg : "(null)");
        free(msg);
    }
    /* Duplicate keys, at the top and nested. */
    const char *dups[] = {MINIMAL ",\"title\":\"U\"}", MINIMAL ",\"location\":{\"lat\":1,\"lat\":2,\"lon\":3}}",
                          NULL};
    for (const char *const *d = dups; *d; d++) {
        msg = NULL;
        CHECK(offering_parse_text(*d, strlen(*d), voc, &o, &msg) == VP_ERR_INVALID);
        CHECK(msg != NULL && strncmp(msg, "(json, column ", 14) == 0);
        CHECK_CONTAINS(msg, "duplicate");
        free(msg);
    }
    /* Valid JSON that is not an object. */
    const char *not_obj[] = {"[]", "[{\"id\":\"t:1\"}]", NULL};
    for (const char *const *x = not_obj; *x; x++) {
        msg = NULL;
        o = NULL;
        CHECK(offering_parse_text(*x, strlen(*x), voc, &o, &msg) == VP_ERR_INVALID);
        CHECK(o == NULL);
        CHECK_STR(msg, "(record): must be a JSON object");
        free(msg);
    }
    /* The length given is what counts, not a NUL. */
    const char *two = MINIMAL "}garbage";
    o = NULL;
    msg = NULL;
    CHECK(offering_parse_text(two, strlen(MINIMAL) + 1, voc, &o, &msg) == VP_OK);
    CHECK(msg == NULL && o != NULL);
    vp_offering_destroy(o);

    /* Too big: rejected before parsing, whatever the bytes. */
    size_t n_big = VP_OFFERING_MAX_JSON + 1;
    char *huge = malloc(n_big);
    if (huge) {
        memset(huge, ' ', n_big);
        memcpy(huge, MINIMAL "}", strlen(MINIMAL) + 1);
        o = NULL;
        msg = NULL;
        CHECK(offering_parse_text(huge, n_big, voc, &o, &msg) == VP_ERR_TOO_BIG);
        CHECK(o == NULL);
        CHECK_CONTAINS(msg, "larger than 1048576 bytes");
        free(msg);
        /* Exactly the limit is parsed (trailing white space is fine). */
        msg = NULL;
        CHECK(offering_parse_text(huge, VP_OFFERING_MAX_JSON, voc, &o, &msg) == VP_OK);
        CHECK(msg == NULL);
        vp_offering_destroy(o);
        free(huge);
    }

    /* errmsg may be NULL. */
    o = NULL;
    CHECK(vp_offering_parse("{}", 2, voc, &o, NULL) == VP_ERR_INVALID);
    CHECK(o == NULL);
}

/* ---- date helpers ---- */

static int parses_to(const char *s, int64_t utc, int offset, int all_day)
{
    vp_datetime dt = {0, 0, 0, 0};
    int r = vp_datetime_parse(s, &dt);
    int ok = r == 0 && dt.set == 1 && dt.utc == utc && dt.offset_min == offset && dt.all_day == all_day;
    if (!ok)
        fprintf(stderr, "  %s: r=%d set=%d utc=%lld offset=%d all_day=%d\n", s, r, dt.set,
                (long long)dt.utc, dt.offset_min, dt.all_day);
    return ok;
}

static int rejected(const char *s)
{
    vp_datetime dt = {0, 0, 0, 0};
    return vp_datetime_parse(s, &dt) == VP_ERR_INVALID;
}

static int local_day(const char *s)
{
    vp_datetime dt = {0, 0, 0, 0};
    if (vp_datetime_parse(s, &dt) != 0)
        return -1;
    return vp_datetime_local_day(&dt);
}

static void test_datetime(void)
{
    CHECK(parses_to("2026-12-03T10:00:00+01:00", EXAMPLE_START_UTC, 60, 0));
    CHECK(parses_to("2026-12-03T09:00:00Z", EXAMPLE_START_UTC, 0, 0));
    CHECK(parses_to("2026-12-03T09:00:00+00:00", EXAMPLE_START_UTC, 0, 0));
    CHECK(parses_to("2026-12-03T03:30:00-0530", EXAMPLE_START_UTC, -330, 0));
    CHECK(parses_to("2026-12-03T03:30:00-05:30", EXAMPLE_START_UTC, -330, 0));
    CHECK(parses_to("2026-12-03T23:00:00+14:00", EXAMPLE_START_UTC, 840, 0));
    CHECK(parses_to("2026-12-03T09:00:00.000Z", EXAMPLE_START_UTC, 0, 0));
    CHECK(parses_to("2026-12-03T10:00:00.999999+01:00", EXAMPLE_START_UTC, 60, 0));
    CHECK(parses_to("2026-12-03t09:00:00z", EXAMPLE_START_UTC, 0, 0));
    CHECK(parses_to("2026-12-03T09:00:01Z", EXAMPLE_START_UTC + 1, 0, 0));
    /* The lenient forms docs/offering.md lists. */
    CHECK(parses_to("2026-12-03 10:00+0100", EXAMPLE_START_UTC, 60, 0));
    CHECK(parses_to("2026-12-03T10:00+01:00", EXAMPLE_START_UTC, 60, 0));
    CHECK(parses_to("2026-12-03T10:00:00+0100", EXAMPLE_START_UTC, 60, 0));
    CHECK(parses_to("2026-12-03T09:00:00,5Z", EXAMPLE_START_UTC, 0, 0));
    CHECK(parses_to("2026-12-03T09:00:60Z", EXAMPLE_START_UTC + 59, 0, 0)); /* leap second */
    CHECK(parses_to("2026-12-03", EXAMPLE_START_UTC - 9 * 3600, 0, 1));
    CHECK(parses_to("1970-01-01T00:00:00Z", 0, 0, 0));
    CHECK(parses_to("1970-01-01T01:00:00+01:00", 0, 60, 0));
    CHECK(parses_to("1969-12-31T23:59:59Z", -1, 0, 0));
    CHECK(parses_to("1970-01-01", 0, 0, 1));
    CHECK(parses_to("2000-01-01T00:00:00Z", 946684800, 0, 0));
    CHECK(parses_to("2038-01-19T03:14:08Z", INT64_C(2147483648), 0, 0)); /* past 32 bits */
    CHECK(parses_to("2028-02-29", (int64_t)21243 * 86400, 0, 1));
    CHECK(parses_to("2000-02-29", (int64_t)(10957 + 59) * 86400, 0, 1));
    CHECK(parses_to("2026-11-20T08:00:00Z", 1795161600, 0, 0));

    const char *bad[] = {"2027-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-12-00",
                         "2026-12-32", "2026-04-31", "2026-12-03T10:00:00", "2026-12-03T10:00:00+01:00x",
                         "2026-12-03x", "2026-12-03T09:00:00Zjunk", "2026-12-03T09:00:00Z ",
                         " 2026-12-03", "2026-12-03T24:00:00Z", "2026-12-03T10:60:00Z",
                         "2026-12-03T10:00:61Z", "2026-12-03T10:00:00.Z", "2026-12-03T10:00:00+1:00",
                         "2026-12-03T10:00:00+24:00", "2026-12-03T10:00:00+01:60",
                         "2026-12-03T10:00:00+01", "2026-12-03T10", "2026-12-03T", "20261203",
                         "2026-1-03", "26-12-03", "0999-12-31", "2026_12_03", "", "2026-12-03X10:00:00Z",
                         "2026-12-03T1a:00:00Z", NULL};
    for (const char *const *b = bad; *b; b++) {
        if (!rejected(*b))
            fprintf(stderr, "  accepted \"%s\"\n", *b);
        CHECK(rejected(*b));
    }

    /* The local calendar day, in the record's own offset. */
    CHECK(local_day("2026-12-03T00:30:00+01:00") == 20261203); /* 2026-12-02 in UTC */
    CHECK(local_day("2026-12-02T23:30:00-05:00") == 20261202); /* 2026-12-03 in UTC */
    CHECK(local_day("2026-12-03T23:59:59+14:00") == 20261203);
    CHECK(local_day("2026-12-03T00:00:00-12:00") == 20261203);
    CHECK(local_day("2026-12-03T23:30:00Z") == 20261203);
    CHECK(local_day("2026-12-31T23:30:00-01:00") == 20261231); /* 2027 in UTC */
    CHECK(local_day("2026-12-03") == 20261203);
    CHECK(local_day("1970-01-01T00:30:00+01:00") == 19700101); /* negative utc */
    CHECK(local_day("1969-12-31T23:30:00-01:00") == 19691231); /* positive utc */
    CHECK(local_day("1969-12-31T00:00:00Z") == 19691231);
    CHECK(local_day("1969-12-31T23:59:59Z") == 19691231);
    CHECK(local_day("2028-02-29T23:00:00+02:00") == 20280229);
}

static void test_days(void)
{
    CHECK(vp_day_to_epoch(19700101) == 0);
    CHECK(vp_day_to_epoch(19691231) == -1);
    CHECK(vp_day_to_epoch(20000101) == 10957);
    CHECK(vp_day_to_epoch(20280229) == 21243);
    CHECK(vp_day_to_epoch(21000301) == 47541);
    CHECK(vp_day_to_epoch(20261203) == 20790);
    CHECK(vp_day_to_epoch(10000101) == -354285);
    CHECK(vp_day_to_epoch(99991231) == 2932896);
    CHECK(vp_day_from_epoch(0) == 19700101);
    CHECK(vp_day_from_epoch(-1) == 19691231);
    CHECK(vp_day_from_epoch(47541) == 21000301);
    CHECK(vp_day_from_epoch(47540) == 21000228); /* 2100 is no leap year */
    CHECK(vp_day_from_epoch(21243) == 20280229);

    /* Every day from 1000-01-01 to 9999-12-31: a valid day, one after the
     * previous one, and back to the same count. */
    int bad_valid = 0, bad_round = 0, bad_order = 0, prev = 0;
    int64_t first = -354285, last = 2932896;
    for (int64_t d = first; d <= last; d++) {
        int day = vp_day_from_epoch(d);
        if (!vp_day_valid(day))
            bad_valid++;
        if (vp_day_to_epoch(day) != d)
            bad_round++;
        if (d > first && day <= prev)
            bad_order++;
        prev = day;
    }
    CHECK(bad_valid == 0);
    CHECK(bad_round == 0);
    CHECK(bad_order == 0);
    CHECK(prev == 99991231);

    CHECK(vp_day_valid(20280229) == 1);
    CHECK(vp_day_valid(20000229) == 1);
    CHECK(vp_day_valid(20270229) == 0);
    CHECK(vp_day_valid(21000229) == 0);
    CHECK(vp_day_valid(20261301) == 0);
    CHECK(vp_day_valid(20260001) == 0);
    CHECK(vp_day_valid(20261200) == 0);
    CHECK(vp_day_valid(20261131) == 0);
    CHECK(vp_day_valid(20261231) == 1);
    CHECK(vp_day_valid(10000101) == 1);
    CHECK(vp_day_valid(9991231) == 0);
    CHECK(vp_day_valid(100000101) == 0);
    CHECK(vp_day_valid(0) == 0);
    CHECK(vp_day_valid(-20260101) == 0);
}

/* Behaviour fixed after review: each problem at its own index, every
 * problem of an occurrence, the derived end, the stricter text rules. */
static void test_review_fixes(void)
{
    CHECK(rejects1("\"audience\":{\"groups\":[\"volwassenen\",\"kids\"]}",
                   "audience.groups[1]: unknown audience \"kids\""));
    CHECK(rejects_with("{\"id\":\"a:1\",\"type\":\"event\",\"title\":\"T\",\"source\":\"a\","
                       "\"audience\":{\"groups\":[null,\"kids\"]}}",
                       voc, "audience.groups[1]: unknown audience", 2));
    CHECK(rejects_with("{\"id\":\"a:1\",\"type\":\"book\",\"title\":\"T\",\"source\":\"a\","
                       "\"isbn\":[\"\",\"123\"]}",
                       voc, "isbn[1]: not a valid ISBN", 2));
    CHECK(rejects_with("{\"id\":\"a:1\",\"type\":\"event\",\"title\":\"T\",\"source\":\"a\","
                       "\"occurrences\":[{\"start\":\"bad\",\"end\":\"worse\"}]}",
                       voc, "occurrences[0].end: not an ISO 8601", 2));
    /* The derived end is the latest moment, an occurrence without end counting by its start. */
    vp_offering *o = parse_ok("{\"id\":\"a:1\",\"type\":\"course\",\"title\":\"T\",\"source\":\"a\","
                              "\"occurrences\":[{\"start\":\"2026-12-03T10:00:00+01:00\",\"end\":"
                              "\"2026-12-03T12:00:00+01:00\"},{\"start\":\"2026-12-10T10:00:00+01:00\"}]}",
                              voc);
    CHECK(o != NULL);
    if (o) {
        CHECK_CONTAINS(o->json, "\"end\":\"2026-12-10T10:00:00+01:00\"");
        CHECK(o->end.set && o->end.utc == o->occurrences[1].start.utc);
    }
    vp_offering_destroy(o);
    /* A plain-date end means the whole day. */
    CHECK(accepts("\"start\":\"2026-12-03T10:00:00+01:00\",\"end\":\"2026-12-03\""));
    /* updated is a moment, not a day; DEL and other control bytes are refused. */
    CHECK(rejects1("\"updated\":\"2026-11-20\"", "updated: must be a date-time"));
    CHECK(rejects1("\"local_name\":\"a\\u007fb\"", "local_name: must not contain control characters"));
    CHECK(rejects1("\"description\":\"a\\u0001b\"", "description: must not contain control"));
    CHECK(accepts("\"description\":\"regel een\\nregel twee\\tmet tab\""));
    /* Coordinates come back as written, not with 17 digits. */
    o = parse_ok("{\"id\":\"a:1\",\"type\":\"event\",\"title\":\"T\",\"source\":\"a\","
                 "\"location\":{\"lat\":52.0927,\"lon\":0.1}}", voc);
    if (o)
        CHECK_CONTAINS(o->json, "{\"lat\":52.0927,\"lon\":0.1}");
    vp_offering_destroy(o);
}

/* ---- catalogue fields: publisher, published, availability, contributors, holdings ---- */

static void test_catalogue_fields(void)
{
    CHECK(accepts("\"publisher\":\"Querido\",\"published\":\"2018-06-21\",\"availability\":\"available\","
                  "\"contributors\":[{\"name\":\"Jim Chapman\",\"role\":\"author\"}],"
                  "\"holdings\":[{\"library\":\"bibliotheek-utrecht\",\"branch\":\"utrecht-neude\","
                  "\"call_number\":\"823 CHAP\",\"shelf\":\"Volwassenen\",\"note\":\"2 ex.\"}]"));
    CHECK(accepts("\"holdings\":[{\"call_number\":\"QA76\"}]"));
    CHECK(rejects1("\"availability\":\"in stock\"", "availability: unknown value \"in stock\""));
    CHECK(rejects1("\"published\":\"21-06-2018\"", "published: not an ISO 8601"));
    CHECK(rejects1("\"publisher\":7", "publisher: must be a string"));
    CHECK(rejects1("\"contributors\":[{\"role\":\"author\"}]", "contributors[0].name: required"));
    CHECK(rejects1("\"contributors\":[\"Jim\"]", "contributors[0]: must be an object"));
    CHECK(rejects1("\"holdings\":[{\"shelf\":\"A\",\"floor\":2}]", "holdings[0].floor: unknown field"));
    CHECK(rejects1("\"holdings\":[{\"shelf\":2}]", "holdings[0].shelf: must be a string"));
    CHECK(rejects1("\"holdings\":{}", "holdings: must be an array of objects"));
}

/* An object in memory is taken as it is: the same offering as its text,
 * the stored form with start and end from the occurrences, problems by
 * path, and a string jansson was told not to check refused by name. */
static void test_from_json(void)
{
    const char *text = "{\"id\":\"a:1\",\"type\":\"event\",\"title\":\"Voorlezen\",\"source\":\"a\","
                       "\"occurrences\":[{\"start\":\"2026-12-09T10:00:00+01:00\",\"end\":\"2026-12-09T11:00:00+01:00\"},"
                       "{\"start\":\"2026-12-02T10:00:00+01:00\"}]}";
    vp_offering *a = NULL, *b = NULL;
    char *msg = NULL;
    CHECK(offering_parse_text(text, strlen(text), voc, &a, &msg) == VP_OK);
    json_t *root = json_loads(text, 0, NULL);
    CHECK(offering_from_json_text(root, voc, &b, &msg) == VP_OK);
    CHECK(a && b && !strcmp(a->json, b->json) && a->start.utc == b->start.utc && a->n_occurrences == 2);
    CHECK_STR(json_string_value(json_object_get(root, "start")), "2026-12-02T10:00:00+01:00");
    /* Each keeps its stored form parsed: what it stores, without a second
     * parse; the object in memory is that form itself. */
    char *dumped = a && a->doc ? json_dumps(a->doc, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    CHECK(dumped && a && !strcmp(dumped, a->json));
    free(dumped);
    CHECK(b && b->doc == root);
    vp_offering_destroy(a);
    vp_offering_destroy(b);
    CHECK(root->refcount == 1);
    json_decref(root);

    root = json_pack("{s:s, s:s, s:i}", "id", "a:1", "type", "event", "title", 3);
    b = NULL;
    CHECK(offering_from_json_text(root, voc, &b, &msg) == VP_ERR_INVALID && b == NULL);
    CHECK_CONTAINS(msg, "title");
    free(msg);
    json_decref(root);

    root = json_pack("{s:s, s:s, s:s, s:o}", "id", "a:1", "type", "book", "source", "a", "title",
                     json_stringn_nocheck("Caf\xe9", 4));
    msg = NULL;
    CHECK(offering_from_json_text(root, voc, &b, &msg) == VP_ERR_INVALID);
    CHECK_STR(msg, "(record): a field is not valid UTF-8 text");
    free(msg);
    json_decref(root);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PROPOSITIONS.tsv\n", argv[0]);
        return 2;
    }
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], &voc, &verr) != VP_OK) {
        vp_error_print(stderr, "cannot load the vocabulary", &verr);
        vp_error_clear(&verr);
        return 2;
    }
    test_design_example();
    test_other_fields();
    test_required();
    test_wrong_types();
    test_unknown_fields();
    test_id_title_source();
    test_lengths();
    test_controlled();
    test_language_audience();
    test_location_price_url_isbn();
    test_record_dates();
    test_record_errors();
    test_problem_paths();
    test_datetime();
    test_days();
    test_review_fixes();
    test_catalogue_fields();
    test_from_json();
    vp_vocabulary_destroy(voc);
    return check_done();
}
