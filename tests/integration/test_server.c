/* test_server.c - the real programs end to end: vindplaats-indexer builds an
 * index of the sample network, vindplaats-server serves it on a free
 * loopback port, and every check is a real HTTP request. Expectations are
 * derived from the data (a filter's results all carry the value, facet
 * counts equal filtered totals), so the sample can grow without breaking them. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "proc.h"
#include "vindplaats/analysis.h"
#include "vindplaats/index.h"
#include "vindplaats/offering.h"
#include "vindplaats/server.h"

static unsigned port;
static char bindir[1024];

static json_t *get_json(const char *path, long *status)
{
    http_reply r;
    if (http_request(port, "GET", path, &r) != 0) {
        fprintf(stderr, "no answer for %s\n", path);
        CHECK(0);
        http_reply_free(&r);
        return NULL;
    }
    *status = r.status;
    json_error_t e;
    json_t *j = json_loads(r.body, 0, &e);
    if (!j)
        fprintf(stderr, "%s: not JSON: %.200s\n", path, r.body);
    CHECK(strstr(r.headers, "application/json") != NULL);
    http_reply_free(&r);
    return j;
}

/* GET that must answer 200 with JSON. */
static json_t *ok(const char *path)
{
    long status = 0;
    json_t *j = get_json(path, &status);
    if (status != 200)
        fprintf(stderr, "%s: status %ld\n", path, status);
    CHECK(status == 200 && j);
    return j;
}

/* The exact `total` (or `total_offerings`: the offerings behind the
 * results, which facets count) of a search; asking for a facet makes
 * Xapian count every match instead of estimating. */
static json_int_t count_of(const char *path, const char *field)
{
    char exact[4096];
    snprintf(exact, sizeof exact, "%s%sfacets=type", path, strchr(path, '?') ? "&" : "?");
    json_t *j = ok(exact);
    CHECK(json_is_true(json_object_get(j, "total_exact")));
    CHECK(json_is_integer(json_object_get(j, field)) && json_is_integer(json_object_get(j, "total_offerings")));
    json_int_t t = json_integer_value(json_object_get(j, field));
    CHECK(json_integer_value(json_object_get(j, "total_offerings")) >=
          json_integer_value(json_object_get(j, "total")));
    json_decref(j);
    return t;
}

static json_int_t total(const char *path)
{
    return count_of(path, "total");
}

/* GET that must fail with `status` and an error naming `parameter`. */
static void expect_error(const char *path, long status, const char *code, const char *parameter)
{
    long got = 0;
    json_t *j = get_json(path, &got);
    json_t *err = json_object_get(j, "error");
    if (got != status)
        fprintf(stderr, "%s: expected %ld, got %ld\n", path, status, got);
    CHECK(got == status);
    CHECK_STR(json_string_value(json_object_get(err, "code")), code);
    CHECK(json_string_length(json_object_get(err, "message")) > 0);
    if (parameter)
        CHECK_STR(json_string_value(json_object_get(err, "parameter")), parameter);
    json_decref(j);
}

/* Percent-encodes everything but unreserved characters; malloc()ed. */
static char *curl_escape_id(const char *s)
{
    char *out = malloc(strlen(s) * 3 + 1), *o = out;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            *o++ = (char)c;
        } else {
            sprintf(o, "%%%02X", c);
            o += 3;
        }
    }
    *o = '\0';
    return out;
}

static const char *facet_top(json_t *res, const char *facet)
{
    json_t *vals = json_object_get(json_object_get(res, "facets"), facet);
    return json_string_value(json_object_get(json_array_get(vals, 0), "value"));
}

static json_int_t facet_count(json_t *res, const char *facet, const char *value)
{
    json_t *vals = json_object_get(json_object_get(res, "facets"), facet);
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "value")), value) == 0)
            return json_integer_value(json_object_get(v, "count"));
    }
    return 0;
}

/* The offerings a search matches: the sum of its type facet (totals count
 * works, a work offered by several libraries once; facets count offerings). */
static json_int_t offerings_of(const char *path)
{
    char p[512];
    snprintf(p, sizeof p, "%s%sfacets=type&per_page=1", path, strchr(path, '?') ? "&" : "?");
    json_t *j = ok(p);
    json_int_t sum = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(j, "facets"), "type"), i, v) {
        sum += json_integer_value(json_object_get(v, "count"));
    }
    json_decref(j);
    return sum;
}

static void test_basics(size_t sample_lines)
{
    json_t *h = ok("/healthz");
    CHECK_STR(json_string_value(json_object_get(h, "status")), "ok");
    CHECK((size_t)json_integer_value(json_object_get(h, "documents")) == sample_lines);
    json_decref(h);

    http_reply r;
    CHECK(http_request(port, "GET", "/?q=cursus&type=course", &r) == 0);
    CHECK(r.status == 200);
    CHECK_CONTAINS(r.headers, "text/html");
    CHECK_CONTAINS(r.body, "<form");
    http_reply_free(&r);
    CHECK(http_request(port, "HEAD", "/v1/search?q=boek", &r) == 0);
    CHECK(r.status == 200);
    CHECK(r.body[0] == '\0');
    http_reply_free(&r);
    CHECK(http_request(port, "GET", "/v1/search", &r) == 0);
    CHECK_CONTAINS(r.headers, "Access-Control-Allow-Origin: *");
    http_reply_free(&r);
}


/* The one understood word of the search `path`: *answer is the answer,
 * for the caller to release. */
static json_t *understood_one(const char *path, json_t **answer)
{
    *answer = ok(path);
    json_t *und = json_object_get(json_object_get(*answer, "query"), "understood");
    CHECK(json_array_size(und) == 1);
    return json_array_get(und, 0);
}

static const char *field_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}
static void test_text(void)
{
    /* A Dutch query with a diacritic finds the same as without it. */
    json_int_t with = total("/v1/search?q=caf%C3%A9");
    json_int_t without = total("/v1/search?q=cafe");
    CHECK(with > 0);
    CHECK(with == without);
    json_t *j = ok("/v1/search?q=caf%C3%A9&per_page=5");
    json_t *first = json_array_get(json_object_get(j, "results"), 0);
    CHECK(json_string_value(json_object_get(first, "id")) != NULL);
    CHECK(json_is_number(json_object_get(first, "score")));
    CHECK(json_is_number(json_object_get(j, "took_ms")) && json_number_value(json_object_get(j, "took_ms")) >= 0);
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "query"), "q")), "café");
    json_decref(j);
    /* Something that is nowhere. */
    CHECK(total("/v1/search?q=xylofoonorkestzeppelin") == 0);
    /* Quoted phrase and prefix syntax go through. */
    CHECK(total("/v1/search?q=type%3Aebook") == total("/v1/search?type=ebook"));
    CHECK(total("/v1/search?type=ebook") > 0);
    CHECK(total("/v1/search?q=%22digitaal%20spreekuur%22") > 0);
    /* A correction is said in so many words, and spelling=false searches
     * the words as typed. */
    j = ok("/v1/search?q=digicaffe");
    json_t *corr = json_object_get(j, "corrected");
    CHECK(json_integer_value(json_object_get(j, "total")) > 0);
    CHECK_STR(json_string_value(json_object_get(corr, "from")), "digicaffe");
    CHECK_STR(json_string_value(json_object_get(corr, "to")), "digicafe");
    CHECK_STR(json_string_value(json_object_get(j, "matched")), "all");
    CHECK(json_array_size(json_object_get(j, "missing_words")) == 0);
    json_decref(j);
    j = ok("/v1/search?q=digicaffe&spelling=false");
    CHECK(json_integer_value(json_object_get(j, "total")) == 0);
    CHECK(json_is_null(json_object_get(j, "corrected")));
    json_decref(j);
    expect_error("/v1/search?q=digicaffe&spelling=maybe", 400, "invalid_parameter", "spelling");
    /* Some of the words: which ones no offering has. */
    j = ok("/v1/search?q=kitesurfen%20cursus");
    CHECK(json_integer_value(json_object_get(j, "total")) > 0);
    CHECK_STR(json_string_value(json_object_get(j, "matched")), "some");
    CHECK(json_array_size(json_object_get(j, "missing_words")) == 1);
    CHECK_STR(json_string_value(json_array_get(json_object_get(j, "missing_words"), 0)),
              "kitesurfen");
    CHECK(json_is_null(json_object_get(j, "corrected")));
    json_decref(j);
    /* "ipad" is what many call their tablet (data/lexicon/synonyms.tsv):
     * the tablet courses, all words matched, nothing corrected. */
    j = ok("/v1/search?q=ipad%20cursus");
    CHECK_STR(json_string_value(json_object_get(j, "matched")), "all");
    CHECK(json_is_null(json_object_get(j, "corrected")));
    const char *ipad_top_title =
        json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "title"));
    CHECK(ipad_top_title && strstr(ipad_top_title, "tablet"));
    json_t *ipad_top = json_array_get(json_object_get(j, "results"), 0);
    CHECK_STR(json_string_value(json_object_get(ipad_top, "type")), "course");
    json_decref(j);
    /* Place, day and age words are said back, and understand= turns them off. */
    j = ok("/v1/search?q=taalcafe%20amersfoort%20zaterdag");
    json_t *und = json_object_get(json_object_get(j, "query"), "understood");
    CHECK(json_array_size(und) == 2);
    json_t *u0 = json_array_get(und, 0), *u1 = json_array_get(und, 1);
    CHECK_STR(json_string_value(json_object_get(u0, "kind")), "place");
    CHECK_STR(json_string_value(json_object_get(u0, "text")), "amersfoort");
    CHECK_STR(json_string_value(json_object_get(u0, "value")), "amersfoort");
    CHECK_STR(json_string_value(json_object_get(u1, "kind")), "date");
    CHECK_STR(json_string_value(json_object_get(json_object_get(u1, "value"), "from")), "2026-12-05");
    CHECK_STR(json_string_value(json_object_get(json_object_get(u1, "value"), "to")), "2026-12-05");
    /* The Taalcafé of Amersfoort first; the others still follow. */
    json_t *top = json_array_get(json_object_get(j, "results"), 0);
    CHECK(strcmp(json_string_value(json_object_get(top, "municipality")), "Amersfoort") == 0);
    CHECK(json_integer_value(json_object_get(j, "total")) > 10);
    json_decref(j);
    j = ok("/v1/search?q=taalcafe%20amersfoort%20zaterdag&understand=date");
    und = json_object_get(json_object_get(j, "query"), "understood");
    CHECK(json_array_size(und) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(und, 0), "kind")), "date");
    json_decref(j);
    j = ok("/v1/search?q=taalcafe%20amersfoort&understand=none");
    CHECK(json_array_size(json_object_get(json_object_get(j, "query"), "understood")) == 0);
    json_decref(j);
    expect_error("/v1/search?q=taalcafe&understand=weather", 400, "invalid_parameter", "understand");
    /* The network file's branches are places (the server gives the lexicon
     * the network at start): Neude is Utrecht's, its own offerings first. */
    json_t *u = understood_one("/v1/search?q=digitaal%20spreekuur%20neude", &j);
    CHECK_STR(field_str(u, "text"), "neude");
    CHECK_STR(field_str(u, "value"), "utrecht");
    /* The label is the place's name for people: the network's. */
    CHECK_STR(field_str(u, "label"), "Utrecht");
    top = json_array_get(json_object_get(j, "results"), 0);
    CHECK_STR(json_string_value(json_object_get(top, "branch")), "utrecht-neude");
    json_decref(j);
    /* Everyday names of places (data/lexicon/plaatsnamen.tsv, the server's
     * default --place-names): Den Bosch is 's-Hertogenbosch, 's-Gravenhage
     * Den Haag; the label as the place writes its name. */
    u = understood_one("/v1/search?q=taalcafe%20den%20bosch", &j);
    CHECK_STR(field_str(u, "text"), "den bosch");
    CHECK_STR(field_str(u, "value"), "'s-hertogenbosch");
    CHECK_STR(field_str(u, "label"), "'s-Hertogenbosch");
    json_decref(j);
    u = understood_one("/v1/search?q=voorlezen%20in%20%27s-gravenhage", &j);
    CHECK_STR(field_str(u, "kind"), "place");
    CHECK_STR(field_str(u, "label"), "Den Haag");
    json_decref(j);
    u = understood_one("/v1/search?q=digitaal%20spreekuur%20bergen%20op%20zoom", &j);
    CHECK_STR(field_str(u, "label"), "Bergen op Zoom");
    json_decref(j);
    /* place= knows them too. */
    j = ok("/v1/search?q=taalcafe&place=den%20bosch");
    json_decref(j);
    /* A place without a library in the network, from the place= table the
     * server hands the lexicon at start: Zeist, near Utrecht's libraries. */
    j = ok("/v1/search?q=taalcafe%20zeist");
    und = json_object_get(json_object_get(j, "query"), "understood");
    CHECK(json_array_size(und) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(und, 0), "kind")), "place");
    CHECK_STR(json_string_value(json_object_get(json_array_get(und, 0), "value")), "zeist");
    top = json_array_get(json_object_get(j, "results"), 0);
    CHECK_STR(json_string_value(json_object_get(top, "municipality")), "Utrecht");
    json_decref(j);
    /* School holidays from data/lexicon/schoolvakanties.tsv, in the place's
     * region: Utrecht keeps the middle's spring week, 20-28 February 2027. */
    j = ok("/v1/search?q=taalcafe%20utrecht%20voorjaarsvakantie");
    und = json_object_get(json_object_get(j, "query"), "understood");
    CHECK(json_array_size(und) == 2);
    u1 = json_array_get(und, 1);
    CHECK_STR(json_string_value(json_object_get(u1, "text")), "voorjaarsvakantie");
    CHECK_STR(json_string_value(json_object_get(json_object_get(u1, "value"), "from")), "2027-02-20");
    CHECK_STR(json_string_value(json_object_get(json_object_get(u1, "value"), "to")), "2027-02-28");
    json_decref(j);
    /* Arnhem is in Gelderland (mostly the middle) but keeps the south's
     * weeks: its autumn holiday of 2027 is the south's, 23-31 October. */
    j = ok("/v1/search?q=voorlezen%20arnhem%20herfstvakantie");
    und = json_object_get(json_object_get(j, "query"), "understood");
    CHECK(json_array_size(und) == 2);
    u1 = json_array_get(und, 1);
    CHECK_STR(json_string_value(json_object_get(json_object_get(u1, "value"), "from")), "2027-10-23");
    CHECK_STR(json_string_value(json_object_get(json_object_get(u1, "value"), "to")), "2027-10-31");
    json_decref(j);
    /* An unparsable query falls back instead of failing. */
    j = ok("/v1/search?q=boek%20AND%20OR");
    CHECK(json_string_value(json_object_get(json_object_get(j, "query"), "fallback")) != NULL);
    json_decref(j);
    /* A very long query is cut, with a note. */
    char path[3000] = "/v1/search?q=";
    for (int i = 0; i < 1200; i++)
        strcat(path, "a");
    j = ok(path);
    CHECK(json_is_true(json_object_get(json_object_get(j, "query"), "truncated")));
    json_decref(j);
}

/* The dates of one activity are one result: on the sample, the top 10 of
 * these queries never hold the same title at the same place twice, and
 * every `series` lists other dates, none before the result's own. */
static void test_series(void)
{
    static const char *const queries[] = {"smartphone", "voorlezen", "cursus%20excel",
                                           "pyjamavoorlezen", NULL};
    int listed = 0;
    for (size_t q = 0; queries[q]; q++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/search?q=%s&per_page=10&facets=type", queries[q]);
        json_t *j = ok(path);
        json_t *results = json_object_get(j, "results");
        CHECK(json_array_size(results) == 10);
        CHECK(json_integer_value(json_object_get(j, "total_offerings")) >=
              json_integer_value(json_object_get(j, "total")));
        char seen[10][512];
        size_t i;
        json_t *r;
        json_array_foreach(results, i, r) {
            const char *branch = json_string_value(json_object_get(r, "branch"));
            const char *library = json_string_value(json_object_get(r, "library"));
            char *title = vp_text_fold(json_string_value(json_object_get(r, "title")), 1);
            snprintf(seen[i], sizeof seen[i], "%s|%s", title ? title : "",
                     branch ? branch : library ? library : "");
            free(title);
            for (size_t k = 0; k < i; k++)
                if (strcmp(seen[k], seen[i]) == 0) {
                    fprintf(stderr, "q=%s: \"%s\" twice in the top 10\n", queries[q], seen[i]);
                    CHECK(0);
                }
            json_t *series = json_object_get(r, "series");
            CHECK(series != NULL);
            if (!json_is_object(series))
                continue;
            listed++;
            json_t *next = json_object_get(series, "next");
            CHECK(json_array_size(next) > 0);
            CHECK(json_integer_value(json_object_get(series, "count")) ==
                  (json_int_t)json_array_size(next));
            const char *own = json_string_value(
                json_object_get(json_object_get(r, "next"), "start"));
            vp_datetime a, b;
            CHECK(own && vp_datetime_parse(own, &a) == 0);
            size_t k;
            json_t *d;
            json_array_foreach(next, k, d) {
                const char *s = json_string_value(json_object_get(d, "start"));
                CHECK(s && vp_datetime_parse(s, &b) == 0 && b.utc >= a.utc);
                CHECK(json_string_value(json_object_get(d, "id")) != NULL);
            }
        }
        json_decref(j);
    }
    CHECK(listed > 0);
}

/* Every result of filter=value carries the value (as a result field or in
 * the stored offering). */
static void check_filter(const char *field, const char *value, const char *doc_field)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/search?%s=%s&per_page=100", field, value);
    json_t *j = ok(path);
    json_t *results = json_object_get(j, "results");
    CHECK(json_array_size(results) > 0);
    size_t i;
    json_t *res;
    json_array_foreach(results, i, res) {
        if (i >= 10)
            break; /* a sample of each is enough */
        char opath[512];
        char *esc = curl_escape_id(json_string_value(json_object_get(res, "id")));
        snprintf(opath, sizeof opath, "/v1/offerings/%s", esc);
        free(esc);
        json_t *o = ok(opath);
        json_t *v = json_object_get(o, doc_field);
        int found = 0;
        if (json_is_string(v)) {
            found = strcmp(json_string_value(v), value) == 0 ||
                    (strcmp(field, "municipality") == 0 &&
                     strcasecmp(json_string_value(v), value) == 0);
        } else if (strcmp(doc_field, "audience") == 0) {
            json_t *g;
            size_t k;
            json_array_foreach(json_object_get(v, "groups"), k, g) {
                found |= strcmp(json_string_value(g), value) == 0;
            }
        }
        if (!found)
            fprintf(stderr, "%s=%s: result %zu lacks it\n", field, value, i);
        CHECK(found);
        json_decref(o);
    }
    json_decref(j);
}

static void test_filters(void)
{
    json_t *all = ok("/v1/search?facets=all&per_page=1");
    json_int_t everything = json_integer_value(json_object_get(all, "total"));
    const char *facets[] = {"type", "library", "proposition", "audience", "channel"};
    for (size_t f = 0; f < 5; f++) {
        const char *top = facet_top(all, facets[f]);
        CHECK(top != NULL);
        if (!top)
            continue;
        /* The facet count is the number of offerings the filter keeps
         * (counted by the type facet, which type=... itself leaves out:
         * a facet counts without its own filter); the filtered total
         * counts their works, never more. */
        char path[256];
        snprintf(path, sizeof path, "/v1/search?%s=%s", facets[f], top);
        if (strcmp(facets[f], "type") != 0)
            CHECK(offerings_of(path) == facet_count(all, facets[f], top));
        CHECK(total(path) <= facet_count(all, facets[f], top));
        CHECK(total(path) < everything);
        check_filter(facets[f], top, facets[f]);
    }
    /* Each facet value has the label residents read: the vocabulary's and
     * the network file's names, the Dutch words of the controlled values. */
    static const char *const labels[][3] = {
        {"proposition", "e-books", "E-books"},       {"proposition", "klik-en-tik", "Klik & Tik"},
        {"type", "ebook", "E-book"},                 {"channel", "offline", "Op locatie"},
        {"audience", "peuter", "Peuters"},           {"library", "bibliotheek-eemland", "Bibliotheek Eemland"},
    };
    for (size_t l = 0; l < sizeof labels / sizeof labels[0]; l++) {
        const char *label = NULL;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(json_object_get(all, "facets"), labels[l][0]), i, v) {
            if (strcmp(json_string_value(json_object_get(v, "value")), labels[l][1]) == 0)
                label = json_string_value(json_object_get(v, "label"));
        }
        CHECK_STR(label, labels[l][2]);
    }
    check_filter("municipality", "Utrecht", "municipality");
    check_filter("municipality", "utrecht", "municipality");
    check_filter("societal_task", "geletterdheid", "societal_task");
    check_filter("language", "nl", "language");

    /* A branch taken from a result. */
    json_t *j = ok("/v1/search?type=course&per_page=1");
    const char *branch =
        json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "branch"));
    CHECK(branch != NULL);
    if (branch)
        check_filter("branch", branch, "branch");
    json_decref(j);

    /* Values of one filter OR-ed, filters AND-ed. */
    json_int_t courses = total("/v1/search?type=course");
    json_int_t events = total("/v1/search?type=event");
    CHECK(total("/v1/search?type=course&type=event") == courses + events);
    const char *lib = facet_top(all, "library");
    char path[256];
    snprintf(path, sizeof path, "/v1/search?type=course&library=%s", lib);
    CHECK(total(path) <= courses);

    /* Facets change with a filter, and the filtered facet keeps its siblings. */
    json_t *filtered = ok("/v1/search?facets=all&type=course&per_page=1");
    CHECK(facet_count(filtered, "type", "event") == facet_count(all, "type", "event"));
    json_int_t course_offerings = count_of("/v1/search?type=course", "total_offerings");
    CHECK(course_offerings >= courses);
    CHECK(facet_count(filtered, "type", "course") == course_offerings);
    json_int_t sum = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(filtered, "facets"), "library"), i, v) {
        sum += json_integer_value(json_object_get(v, "count"));
    }
    CHECK(sum == course_offerings);
    CHECK(facet_count(filtered, "channel", "offline") != facet_count(all, "channel", "offline"));
    json_decref(filtered);
    json_decref(all);
}

/* The UTC seconds of an ISO date-time string, or -1. */
static long long utc_of(json_t *s)
{
    vp_datetime dt;
    if (!json_is_string(s) || vp_datetime_parse(json_string_value(s), &dt) != 0)
        return -1;
    return (long long)dt.utc;
}

static void test_dates_and_sort(void)
{
    json_t *j = ok("/v1/search?from=2027-01-01&to=2027-01-31&per_page=50");
    json_t *results = json_object_get(j, "results");
    CHECK(json_array_size(results) > 0);
    size_t shown_dated = 0;
    size_t i;
    json_t *res;
    json_array_foreach(results, i, res) {
        char *esc = curl_escape_id(json_string_value(json_object_get(res, "id")));
        char path[512];
        snprintf(path, sizeof path, "/v1/offerings/%s", esc);
        free(esc);
        json_t *o = ok(path);
        /* Some occurrence touches January 2027 (local calendar). */
        int inside = 0;
        size_t k;
        json_t *occ;
        json_t *list = json_object_get(o, "occurrences");
        json_array_foreach(list, k, occ) {
            vp_datetime s, e;
            if (vp_datetime_parse(json_string_value(json_object_get(occ, "start")), &s) != 0)
                continue;
            json_t *je = json_object_get(occ, "end");
            e = s;
            if (json_is_string(je))
                vp_datetime_parse(json_string_value(je), &e);
            int a = vp_datetime_local_day(&s), b = vp_datetime_local_day(&e);
            inside |= a <= 20270131 && b >= 20270101;
        }
        if (!json_array_size(list)) {
            vp_datetime s;
            inside = vp_datetime_parse(json_string_value(json_object_get(o, "start")), &s) == 0;
        }
        CHECK(inside);
        /* The date shown is one from the asked days on, not an earlier one
         * of the same offering (a course of weekly lessons from December). */
        json_t *next = json_object_get(res, "next");
        if (json_is_object(next)) {
            vp_datetime s, e;
            int shown = vp_datetime_parse(json_string_value(json_object_get(next, "start")), &s) == 0;
            e = s;
            if (shown && json_is_string(json_object_get(next, "end")))
                vp_datetime_parse(json_string_value(json_object_get(next, "end")), &e);
            shown = shown && vp_datetime_local_day(&e) >= 20270101 &&
                    vp_datetime_local_day(&s) <= 20270131;
            if (!shown)
                fprintf(stderr, "  %s shows %s for January 2027\n",
                        json_string_value(json_object_get(res, "id")),
                        json_string_value(json_object_get(next, "start")));
            CHECK(shown);
            shown_dated++;
        }
        json_decref(o);
    }
    CHECK(shown_dated > 0);
    json_decref(j);
    CHECK(total("/v1/search?from=2027-01-01&to=2027-01-31") < total("/v1/search"));
    CHECK(total("/v1/search?from=2027-01-01&to=2027-01-15") <=
          total("/v1/search?from=2027-01-01&to=2027-01-31"));

    /* sort=date: soonest first, undated last. */
    j = ok("/v1/search?sort=date&per_page=100&type=event");
    long long last = -1;
    json_array_foreach(json_object_get(j, "results"), i, res) {
        long long t = utc_of(json_object_get(res, "start"));
        CHECK(t >= last);
        last = t;
    }
    json_decref(j);

    /* Paging: pages do not overlap and cover the total. */
    json_t *p1 = ok("/v1/search?q=boek&per_page=3&page=1");
    json_t *p2 = ok("/v1/search?q=boek&per_page=3&page=2");
    CHECK(json_integer_value(json_object_get(p2, "page")) == 2);
    const char *a = json_string_value(json_object_get(json_array_get(json_object_get(p1, "results"), 0), "id"));
    const char *b = json_string_value(json_object_get(json_array_get(json_object_get(p2, "results"), 0), "id"));
    CHECK(a && b && strcmp(a, b) != 0);
    json_decref(p1);
    json_decref(p2);
}

static void test_place_and_time(void)
{
    /* A postcode works wherever near does. */
    json_int_t everything = total("/v1/search");
    json_int_t near = total("/v1/search?postcode=3511&radius_km=10");
    CHECK(near > 0 && near < everything);
    CHECK(total("/v1/search?near=52.0914,5.1155&radius_km=10") > 0);
    CHECK(total("/v1/search?postcode=3511AB&radius_km=10") == near);
    CHECK(total("/v1/search?postcode=3511%20ab&radius_km=10") == near);
    json_t *j = ok("/v1/search?postcode=3511&radius_km=10&channel=offline&per_page=50");
    size_t i;
    json_t *res;
    json_array_foreach(json_object_get(j, "results"), i, res) {
        json_t *d = json_object_get(res, "distance_km");
        CHECK(json_is_number(d) && json_number_value(d) <= 10.05);
    }
    json_decref(j);
    j = ok("/v1/search?postcode=8011&sort=distance&channel=offline&per_page=20");
    double last = -1;
    json_array_foreach(json_object_get(j, "results"), i, res) {
        double d = json_number_value(json_object_get(res, "distance_km"));
        CHECK(d >= last);
        last = d;
    }
    json_decref(j);

    /* A place by its name (the PC4 table, the network's municipalities and
     * branches): 25 km around it unless radius_km says otherwise. */
    j = ok("/v1/search?place=Amersfoort&channel=offline&per_page=50");
    json_t *qy = json_object_get(j, "query");
    CHECK_STR(json_string_value(json_object_get(qy, "place")), "Amersfoort");
    CHECK(json_number_value(json_object_get(qy, "radius_km")) == 25);
    CHECK(json_array_size(json_object_get(j, "results")) > 0);
    json_array_foreach(json_object_get(j, "results"), i, res) {
        json_t *d = json_object_get(res, "distance_km");
        CHECK(json_is_number(d) && json_number_value(d) <= 25.05);
    }
    json_decref(j);
    CHECK(total("/v1/search?place=amersfoort&radius_km=10") ==
          total("/v1/search?place=Amersfoort&radius_km=10"));
    CHECK(total("/v1/search?place=3811&radius_km=10") == total("/v1/search?postcode=3811&radius_km=10"));
    CHECK(total("/v1/search?place=Vathorst&sort=distance") > 0);
    CHECK(total("/v1/search?place=Amersfoort&radius_km=1000") == everything);
    expect_error("/v1/search?place=Atlantis", 400, "invalid_parameter", "place");
    expect_error("/v1/search?postcode=Amersfoort", 400, "invalid_parameter", "postcode");
    expect_error("/v1/search?place=Amersfoort&postcode=3811", 400, "invalid_parameter", "place");

    /* free=true: only what costs nothing, and the answer says it was asked. */
    json_int_t free_total = total("/v1/search?free=true");
    CHECK(free_total > 0 && free_total < everything);
    j = ok("/v1/search?free=true&per_page=100");
    CHECK(json_is_true(json_object_get(json_object_get(j, "query"), "free")));
    json_array_foreach(json_object_get(j, "results"), i, res) {
        json_t *price = json_object_get(res, "price");
        CHECK(!json_is_object(price) ||
              json_number_value(json_object_get(price, "amount")) == 0);
    }
    json_decref(j);
    expect_error("/v1/search?free=ja", 400, "invalid_parameter", "free");

    /* An empty parameter name is an empty piece, as after a trailing '&'. */
    CHECK(total("/v1/search?&q=taalcafe") == total("/v1/search?q=taalcafe"));
    CHECK(total("/v1/search?q=taalcafe&&free=false&") == total("/v1/search?q=taalcafe"));

    /* Past offerings are hidden unless asked for; a series shows its next date. */
    CHECK(total("/v1/search?include_past=true") >= everything);
    j = ok("/v1/search?type=activity&per_page=10");
    json_array_foreach(json_object_get(j, "results"), i, res) {
        json_t *next = json_object_get(res, "next");
        CHECK(json_is_object(next));
        long long t = utc_of(json_object_get(next, "start"));
        CHECK(t > 0);
    }
    json_decref(j);

    /* Own library first without hiding the rest of the network. */
    json_t *all = ok("/v1/search?facets=library&per_page=1");
    json_t *libs = json_object_get(json_object_get(all, "facets"), "library");
    const char *lib = json_string_value(json_object_get(json_array_get(libs, json_array_size(libs) - 1), "value"));
    char path[300];
    snprintf(path, sizeof path, "/v1/search?prefer_library=%s&per_page=3", lib);
    CHECK(total(path) == everything);
    j = ok(path);
    json_array_foreach(json_object_get(j, "results"), i, res) {
        CHECK_STR(json_string_value(json_object_get(res, "library")), lib);
    }
    json_decref(j);
    json_decref(all);

    /* Zero results come with help. */
    j = ok("/v1/search?q=xylofoonorkestzeppelin");
    CHECK(json_is_object(json_object_get(j, "help")));
    json_decref(j);
    /* The count without the filter is what that search finds, and the
     * message says it in Dutch words, not parameter names. */
    j = ok("/v1/search?q=taalcafe&type=ebook");
    json_int_t plain = total("/v1/search?q=taalcafe");
    CHECK(json_integer_value(json_object_get(j, "total")) == 0);
    json_t *help = json_object_get(j, "help");
    CHECK_STR(json_string_value(json_object_get(json_object_get(help, "without_filter"),
                                                "parameter")), "type");
    CHECK(plain > 0 && json_integer_value(json_object_get(json_object_get(help, "without_filter"),
                                                          "total")) == plain);
    char expect[128];
    snprintf(expect, sizeof expect, "Niets gevonden. Zonder de soort vindt u %lld resultaten.",
             (long long)plain);
    CHECK_STR(json_string_value(json_object_get(help, "message")), expect);
    json_decref(j);
    j = ok("/v1/search?q=taalcafe&from=2035-01-01&to=2035-01-31");
    help = json_object_get(j, "help");
    CHECK_STR(json_string_value(json_object_get(json_object_get(help, "without_filter"),
                                                "parameter")), "from/to");
    CHECK_CONTAINS(json_string_value(json_object_get(help, "message")), "Zonder de datum vindt u");
    json_decref(j);
    j = ok("/v1/search?q=boek&type=service&from=2027-01-01&to=2027-01-02");
    if (json_integer_value(json_object_get(j, "total")) == 0) {
        json_t *wf = json_object_get(json_object_get(j, "help"), "without_filter");
        CHECK(json_integer_value(json_object_get(wf, "total")) > 0);
    }
    json_decref(j);
}

static void test_suggest(void)
{
    json_t *j = ok("/v1/suggest?q=di");
    json_t *list = json_object_get(j, "suggestions");
    CHECK(json_array_size(list) > 0 && json_array_size(list) <= 8);
    json_t *first = json_array_get(list, 0);
    CHECK(json_string_value(json_object_get(first, "text")) != NULL);
    CHECK(json_string_value(json_object_get(first, "kind")) != NULL);
    CHECK(json_integer_value(json_object_get(first, "count")) > 0);
    json_decref(j);
    j = ok("/v1/suggest?q=VOORL&limit=3");
    CHECK(json_array_size(json_object_get(j, "suggestions")) > 0);
    CHECK(json_array_size(json_object_get(j, "suggestions")) <= 3);
    json_decref(j);
    expect_error("/v1/suggest", 400, "invalid_parameter", "q");
    expect_error("/v1/suggest?q=d", 400, "invalid_parameter", "q");
    expect_error("/v1/suggest?q=di&limit=50", 400, "invalid_parameter", "limit");
    expect_error("/v1/suggest?q=di&lang=nl", 400, "unknown_parameter", "lang");
}

static void test_errors(void)
{
    expect_error("/v1/search?page=0", 400, "invalid_parameter", "page");
    expect_error("/v1/search?page=abc", 400, "invalid_parameter", "page");
    expect_error("/v1/search?per_page=101", 400, "invalid_parameter", "per_page");
    expect_error("/v1/search?page=200&per_page=100", 400, "invalid_parameter", "page");
    expect_error("/v1/search?type=kursus", 400, "invalid_parameter", "type");
    expect_error("/v1/search?channel=tv", 400, "invalid_parameter", "channel");
    expect_error("/v1/search?audience=kids", 400, "invalid_parameter", "audience");
    expect_error("/v1/search?proposition=nope", 400, "invalid_parameter", "proposition");
    expect_error("/v1/search?societal_task=x", 400, "invalid_parameter", "societal_task");
    expect_error("/v1/search?language=dutch", 400, "invalid_parameter", "language");
    expect_error("/v1/search?library=", 400, "invalid_parameter", "library");
    expect_error("/v1/search?from=2026-13-01", 400, "invalid_parameter", "from");
    expect_error("/v1/search?to=tomorrow", 400, "invalid_parameter", "to");
    expect_error("/v1/search?from=2027-02-01&to=2027-01-01", 400, "invalid_parameter", "to");
    expect_error("/v1/search?sort=price", 400, "invalid_parameter", "sort");
    expect_error("/v1/search?facets=colour", 400, "invalid_parameter", "facets");
    expect_error("/v1/search?near=52.1", 400, "invalid_parameter", "near");
    expect_error("/v1/search?near=95,5", 400, "invalid_parameter", "near");
    expect_error("/v1/search?postcode=0000", 400, "invalid_parameter", "postcode");
    expect_error("/v1/search?postcode=35119", 400, "invalid_parameter", "postcode");
    expect_error("/v1/search?postcode=3511-zz", 400, "invalid_parameter", "postcode");
    expect_error("/v1/suggest?q=di&limit=%2B5", 400, "invalid_parameter", "limit");
    expect_error("/v1/search?postcode=3511&near=52,5", 400, "invalid_parameter", "postcode");
    expect_error("/v1/search?radius_km=5", 400, "invalid_parameter", "radius_km");
    expect_error("/v1/search?near=52.1,5.1&radius_km=-1", 400, "invalid_parameter", "radius_km");
    expect_error("/v1/search?sort=distance", 400, "invalid_parameter", "sort");
    expect_error("/v1/search?include_past=maybe", 400, "invalid_parameter", "include_past");
    expect_error("/v1/search?prefer_library=Not%20An%20Id", 400, "invalid_parameter", "prefer_library");
    expect_error("/v1/search?q=a&q=b", 400, "invalid_parameter", "q");
    expect_error("/v1/search?tpye=course", 400, "unknown_parameter", "tpye");
    expect_error("/healthz?verbose=1", 400, "unknown_parameter", "verbose");
    expect_error("/v1/offerings/nope%3Anothing", 404, "not_found", NULL);
    expect_error("/v1/nothing-here", 404, "not_found", NULL);
    expect_error("/v1/offerings/", 404, "not_found", NULL);

    http_reply r;
    CHECK(http_request(port, "POST", "/v1/search", &r) == 0);
    CHECK(r.status == 405);
    CHECK_CONTAINS(r.headers, "Allow: GET, HEAD");
    CHECK_CONTAINS(r.body, "\"method_not_allowed\"");
    http_reply_free(&r);
    CHECK(http_request(port, "DELETE", "/v1/offerings/x%3Ay", &r) == 0);
    CHECK(r.status == 405);
    http_reply_free(&r);
    /* Empty optional controls (as an HTML form sends them) are no error. */
    CHECK(total("/v1/search?q=&from=&to=&sort=&page=&per_page=") > 0);
}

/* The value of the /metrics series `series` (name and labels, up to the
 * closing brace) once it has stopped moving (two reads 100 ms apart
 * agree), or once it equals `want` when want >= 0; gives up after about
 * two seconds and returns the last read (-1: no such series). */
static long settled_metric(const char *series, long want)
{
    long last = -2;
    for (int tries = 0; tries < 20; tries++) {
        http_reply r;
        if (http_request(port, "GET", "/metrics", &r) != 0)
            return -1;
        const char *at = r.body ? strstr(r.body, series) : NULL;
        long now = at ? atol(at + strlen(series) + 1) : -1;
        http_reply_free(&r);
        if (want >= 0 ? now == want : now == last)
            return now;
        last = now;
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return last;
}

/* The /v1/search 200 count, settled (see settled_metric). */
static long settled_search_count(long want)
{
    return settled_metric("vindplaats_requests_total{route=\"/v1/search\",status=\"200\"}", want);
}

/* A cache's hits or misses, settled (see settled_metric). */
static long settled_cache(const char *cache, const char *result)
{
    char series[128];
    snprintf(series, sizeof series, "vindplaats_cache_requests_total{cache=\"%s\",result=\"%s\"}",
             cache, result);
    return settled_metric(series, -1);
}

/* GET /metrics: Prometheus text with what this test has asked so far. */
static void test_metrics(void)
{
    http_reply r;
    CHECK(http_request(port, "GET", "/metrics", &r) == 0);
    CHECK(r.status == 200);
    CHECK_CONTAINS(r.headers, "text/plain; version=0.0.4");
    CHECK_CONTAINS(r.body, "vindplaats_requests_total{route=\"/v1/search\",status=\"200\"} ");
    CHECK_CONTAINS(r.body, "vindplaats_requests_total{route=\"/v1/search\",status=\"400\"} ");
    CHECK_CONTAINS(r.body, "vindplaats_requests_total{route=\"none\",status=\"404\"} ");
    CHECK_CONTAINS(r.body, "vindplaats_request_duration_seconds_bucket{route=\"/v1/search\",le=\"+Inf\"} ");
    CHECK_CONTAINS(r.body, "vindplaats_index_up 1\n");
    CHECK_CONTAINS(r.body, "vindplaats_shards{state=\"down\"} 0\n");
    CHECK_CONTAINS(r.body, "vindplaats_store_up 1\n");
    CHECK_CONTAINS(r.body, "# TYPE vindplaats_cache_requests_total counter\n");
    CHECK_CONTAINS(r.body, "vindplaats_cache_requests_total{cache=\"suggest\",result=\"hit\"} ");
    CHECK_CONTAINS(r.body, "vindplaats_cache_requests_total{cache=\"suggest\",result=\"miss\"} ");
    CHECK_CONTAINS(r.body, "vindplaats_cache_requests_total{cache=\"services\",result=\"hit\"} ");
    CHECK_CONTAINS(r.body, "vindplaats_cache_requests_total{cache=\"services\",result=\"miss\"} ");
    /* One index, no shards: no per-shard series. */
    CHECK(strstr(r.body, "vindplaats_shard_") == NULL);
    http_reply_free(&r);
    /* A short prefix asked five times (with five limits, so that the
     * answer cache in front has none of them), after another one: every
     * ask is one lookup, and a hit, whichever worker takes it, since the
     * table of this index version is built once for the process (by the
     * first suggestion at it), not per worker or per prefix. */
    json_decref(ok("/v1/suggest?q=vo&limit=7"));
    long hits = settled_cache("suggest", "hit"), misses = settled_cache("suggest", "miss");
    CHECK(hits >= 0 && misses >= 0 && hits + misses > 0);
    for (int i = 0; i < 5; i++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/suggest?q=kl&limit=%d", i + 1);
        json_decref(ok(path));
    }
    long dh = settled_cache("suggest", "hit") - hits, dm = settled_cache("suggest", "miss") - misses;
    CHECK(dh == 5 && dm == 0);
    hits += dh;
    misses += dm;
    /* Prefixes of four characters and more are not looked up. */
    json_decref(ok("/v1/suggest?q=klik"));
    CHECK(settled_cache("suggest", "hit") == hits);
    CHECK(settled_cache("suggest", "miss") == misses);
    /* The service map: built beside the requests when the server started;
     * once it is there, every request finds it. */
    CHECK(proc_wait_services(port, 120) == 0);
    hits = settled_cache("services", "hit");
    misses = settled_cache("services", "miss");
    json_decref(ok("/v1/libraries"));
    json_decref(ok("/v1/libraries"));
    long h2 = settled_cache("services", "hit"), m2 = settled_cache("services", "miss");
    if (h2 != hits + 2 || m2 != misses)
        fprintf(stderr, "services cache: hits %ld -> %ld, misses %ld -> %ld\n", hits, h2, misses, m2);
    CHECK(h2 == hits + 2);
    CHECK(m2 == misses);
    /* A request is counted when its answer has gone out, which may be a
     * moment after the client has it: let the count settle first, so an
     * earlier request counted late does not pass for this one. */
    long before = settled_search_count(-1);
    CHECK(before > 10);
    CHECK(total("/v1/search?q=boek") > 0);
    long after = settled_search_count(before + 1);
    CHECK(after == before + 1);
    expect_error("/metrics?x=1", 400, "unknown_parameter", "x");
}

static void test_openapi(void)
{
    http_reply r;
    CHECK(http_request(port, "GET", "/v1/openapi.yaml", &r) == 0);
    CHECK(r.status == 200);
    CHECK_CONTAINS(r.body, "openapi: 3.");
    size_t n = 0;
    const vp_route_info *routes = vp_server_routes(&n);
    CHECK(n >= 5);
    for (size_t i = 0; i < n; i++) {
        char needle[256];
        snprintf(needle, sizeof needle, "\n  %s:", routes[i].path);
        if (!r.body || !strstr(r.body, needle))
            fprintf(stderr, "route %s is missing from docs/openapi.yaml\n", routes[i].path);
        CHECK(r.body && strstr(r.body, needle));
    }
    http_reply_free(&r);
}

/* 1 when the first result of `path` is the offering `id`. */
static int first_is(const char *path, const char *id)
{
    json_t *j = ok(path);
    const char *got =
        json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "id"));
    int is = got && strcmp(got, id) == 0;
    json_decref(j);
    return is;
}

/* A commit made while the server runs is searchable without a restart. */
static void test_live_commit(const char *dir, const char *index, const char *voc)
{
    char file[1100];
    snprintf(file, sizeof file, "%s/extra.jsonl", dir);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("{\"id\":\"test:zeppelin\",\"type\":\"event\",\"title\":\"Zeppelinworkshop in de "
          "bibliotheek\",\"source\":\"test\",\"start\":\"2027-01-09T10:00:00+01:00\"}\n",
          f);
    fclose(f);
    CHECK(!first_is("/v1/search?q=zeppelinworkshop", "test:zeppelin"));
    long status = 0;
    json_t *j = get_json("/v1/offerings/test%3Azeppelin", &status);
    CHECK(status == 404);
    json_decref(j);

    char indexer[1100];
    snprintf(indexer, sizeof indexer, "%s/vindplaats-indexer", bindir);
    char *argv[] = {indexer, "load", file, "--index", (char *)index, "--vocabulary", (char *)voc, NULL};
    char *out = NULL;
    CHECK(proc_run(argv, &out) == 0);
    free(out);
    CHECK(first_is("/v1/search?q=zeppelinworkshop", "test:zeppelin"));
    j = ok("/v1/offerings/test%3Azeppelin");
    CHECK_STR(json_string_value(json_object_get(j, "title")), "Zeppelinworkshop in de bibliotheek");
    json_decref(j);
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The service map is built beside the requests, never on their time: while
 * a slow build runs (held back 15 s by a test hook, as a build at 1,000,000
 * offerings takes that long), its routes answer 503 with Retry-After after
 * a short wait, searches are not held up, and the map comes when ready. */
static void test_services_cold(const char *dir, const char *index, const char *voc)
{
    char portfile[1100], log[1100], server[1100], store[1100];
    snprintf(portfile, sizeof portfile, "%s/port-cold", dir);
    snprintf(store, sizeof store, "%s/store-cold", dir);
    snprintf(log, sizeof log, "%s/server-cold.log", dir);
    snprintf(server, sizeof server, "%s/vindplaats-server", bindir);
    char *serve[] = {server, "--index", (char *)index, "--port", "0", "--port-file", portfile,
                     "--vocabulary", (char *)voc, "--threads", "2", "--no-access-log",
                     "--data-dir", store, "--now", "2026-12-01T08:00:00+01:00", NULL};
    setenv("VINDPLAATS_SERVICES_BUILD_DELAY_MS", "15000", 1);
    pid_t pid = proc_start(serve, log);
    unsetenv("VINDPLAATS_SERVICES_BUILD_DELAY_MS");
    unsigned saved = port;
    port = proc_wait_port(portfile, 20);
    CHECK(port != 0);
    if (port) {
        double t0 = seconds_now();
        static const char *const routes[] = {"/v1/libraries", "/services"};
        for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
            http_reply r;
            double t = seconds_now();
            CHECK(http_request(port, "GET", routes[i], &r) == 0);
            double took = seconds_now() - t;
            if (r.status != 503 || took > 8)
                fprintf(stderr, "%s during the build: %ld after %.1f s\n", routes[i], r.status, took);
            CHECK(r.status == 503);
            CHECK(took < 8);
            char *retry = http_header(&r, "Retry-After");
            CHECK(retry && atoi(retry) > 0);
            free(retry);
            CHECK_CONTAINS(r.body, "\"code\":\"unavailable\"");
            CHECK_CONTAINS(r.body, "service map is being built");
            http_reply_free(&r);
        }
        double t = seconds_now();
        json_decref(ok("/v1/search?q=boek"));
        CHECK(seconds_now() - t < 8);
        /* Still within the held-back build: nothing above waited for it. */
        CHECK(seconds_now() - t0 < 15);
        long status = 0;
        for (int i = 0; i < 120 && status != 200; i++) {
            json_t *j = get_json("/v1/libraries", &status);
            json_decref(j);
            if (status != 200)
                sleep(1);
        }
        CHECK(status == 200);
    }
    CHECK(proc_stop(pid) == 0);
    port = saved;
}

/* The indexer's command line: bad lines reported and skipped, exit status,
 * and a clear message when another writer holds the index. */
static void test_indexer_cli(const char *dir, const char *voc)
{
    char indexer[1100], file[1100], index[1100];
    snprintf(indexer, sizeof indexer, "%s/vindplaats-indexer", bindir);
    snprintf(file, sizeof file, "%s/bad.jsonl", dir);
    snprintf(index, sizeof index, "%s/cli-index", dir);
    FILE *f = fopen(file, "w");
    if (!f)
        return;
    fputs("{\"id\":\"t:1\",\"type\":\"event\",\"title\":\"Goed\",\"source\":\"t\"}\n"
          "{\"id\":\"t:2\",\"type\":\"kursus\",\"title\":\"Fout\",\"source\":\"t\"}\n"
          "\n"
          "{\"id\":\"t:3\",\"type\":\"event\",\"title\":\"Ook goed\",\"source\":\"t\",\"start\":\"morgen\"}\n"
          "niet eens json\n"
          "{\"id\":\"t:4\",\"type\":\"book\",\"title\":\"Nog een\",\"source\":\"t\"}\n",
          f);
    fclose(f);
    char *argv[] = {indexer, "load", file, "--index", index, "--vocabulary", (char *)voc, NULL};
    char *out = NULL;
    CHECK(proc_run(argv, &out) == 1);
    char expect[1200];
    snprintf(expect, sizeof expect, "%s:2: type: unknown value \"kursus\"", file);
    CHECK_CONTAINS(out, expect);
    snprintf(expect, sizeof expect, "%s:4: start: not an ISO 8601 date-time", file);
    CHECK_CONTAINS(out, expect);
    snprintf(expect, sizeof expect, "%s:5: (json", file);
    CHECK_CONTAINS(out, expect);
    CHECK_CONTAINS(out, "read 5, indexed 2, rejected 3");
    free(out);

    vp_index *idx = NULL;
    CHECK(vp_index_open(index, VP_INDEX_READ, NULL, &idx, NULL) == VP_OK);
    uint64_t docs = 0;
    if (idx)
        vp_index_stats(idx, NULL, &docs, NULL);
    CHECK(docs == 2);
    vp_index_close(idx);

    /* A second writer is refused with a clear message, and the index keeps its data. */
    vp_index *w = NULL;
    CHECK(vp_index_open(index, VP_INDEX_WRITE, NULL, &w, NULL) == VP_OK);
    CHECK(proc_run(argv, &out) == 1);
    CHECK_CONTAINS(out, "another indexer is writing this index");
    free(out);
    vp_index_close(w);

    /* refresh: the daily move of series on to their next occurrence. */
    char *refresh[] = {indexer, "refresh", "--index", index, "--vocabulary", (char *)voc, "--now",
                       "2030-01-01T00:00:00Z", NULL};
    CHECK(proc_run(refresh, &out) == 0);
    CHECK_CONTAINS(out, "moved on to their next occurrence");
    free(out);
    char *bad_now[] = {indexer, "refresh", "--index", index, "--now", "soon", NULL};
    CHECK(proc_run(bad_now, &out) == 2);
    free(out);

    char *missing[] = {indexer, "load", "/nonexistent.jsonl", "--index", index, NULL};
    CHECK(proc_run(missing, &out) == 1);
    CHECK_CONTAINS(out, "/nonexistent.jsonl");
    free(out);
    char *usage[] = {indexer, "frobnicate", NULL};
    CHECK(proc_run(usage, &out) == 2);
    free(out);
}

/* A bad line in the holiday file stops the server at start, naming the
 * file and the line. */
static void test_bad_holidays(const char *dir, const char *index, const char *voc)
{
    char bad[1100], portfile[1100], server[1100];
    snprintf(server, sizeof server, "%s/vindplaats-server", bindir);
    snprintf(bad, sizeof bad, "%s/vakanties.tsv", dir);
    snprintf(portfile, sizeof portfile, "%s/bad-port", dir);
    FILE *f = fopen(bad, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("# vakanties\nholiday\tkerstvakantie\t2026-2027\twest\t2026-12-19\t2027-01-03\tadvies\n", f);
    fclose(f);
    char *serve[] = {server, "--index", (char *)index, "--port", "0", "--port-file", portfile,
                     "--vocabulary", (char *)voc, "--holidays", bad, NULL};
    char *out = NULL;
    CHECK(proc_run(serve, &out) == 1);
    char where[1200];
    snprintf(where, sizeof where, "%s:2: ", bad);
    CHECK_CONTAINS(out, where);
    CHECK_CONTAINS(out, "region");
    free(out);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: test_server BINDIR SAMPLE.jsonl VOCABULARY\n");
        return 2;
    }
    snprintf(bindir, sizeof bindir, "%s", argv[1]);
    const char *sample = argv[2], *voc = argv[3];
    char dir[] = "/tmp/vp-test-server-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char index[1100], portfile[1100], log[1100], indexer[1100], server[1100];
    snprintf(index, sizeof index, "%s/index", dir);
    snprintf(portfile, sizeof portfile, "%s/port", dir);
    snprintf(log, sizeof log, "%s/server.log", dir);
    snprintf(indexer, sizeof indexer, "%s/vindplaats-indexer", bindir);
    snprintf(server, sizeof server, "%s/vindplaats-server", bindir);

    size_t lines = 0;
    FILE *f = fopen(sample, "r");
    for (int c; f && (c = fgetc(f)) != EOF;)
        lines += c == '\n';
    if (f)
        fclose(f);

    char *load[] = {indexer, "load", (char *)sample, "--index", index, "--vocabulary", (char *)voc, NULL};
    char *out = NULL;
    int rc = proc_run(load, &out);
    if (rc != 0)
        fprintf(stderr, "indexer: %s\n", out ? out : "");
    CHECK(rc == 0);
    free(out);

    /* A fixed clock: the sample network is dated from December 2026 on. */
    char *serve[] = {server, "--index", index, "--port", "0", "--port-file", portfile,
                     "--vocabulary", (char *)voc, "--threads", "2",
                     "--now", "2026-12-01T08:00:00+01:00", NULL};
    pid_t pid = proc_start(serve, log);
    port = proc_wait_port(portfile, 20);
    CHECK(port != 0);
    if (port) {
        test_basics(lines);
        test_text();
        test_series();
        test_filters();
        test_dates_and_sort();
        test_place_and_time();
        test_suggest();
        test_errors();
        test_openapi();
        test_metrics();
        test_live_commit(dir, index, voc);
    }
    test_services_cold(dir, index, voc);
    CHECK(proc_stop(pid) == 0);
    /* One access log line per request. */
    char *cat[] = {"/bin/cat", log, NULL};
    CHECK(proc_run(cat, &out) == 0);
    CHECK_CONTAINS(out, "GET /v1/search 200 ");
    CHECK_CONTAINS(out, "POST /v1/search 405 ");
    free(out);
    test_indexer_cli(dir, voc);
    test_bad_holidays(dir, index, voc);

    char *rm[] = {"/bin/rm", "-rf", dir, NULL};
    proc_run(rm, NULL);
    return check_done();
}
