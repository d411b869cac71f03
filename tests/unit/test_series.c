/* test_series.c - the dates of one activity (same title, same branch or
 * library, from one source or several) are one search result: it shows
 * the date that comes next and lists the others; past dates are left out;
 * the same title at another library stays a result of its own; totals
 * count results, total_offerings and facets count offerings; the works'
 * collapse is untouched; /o/{id} lists the other dates (vp_search_series);
 * an index written before series keys existed still answers.
 * A search reads each date of a series from its dates record, not its
 * document (jansson's allocations do not grow with a series' length), with
 * the same answers as from the documents, which an index written before
 * the record (or a date without one) still gets.
 * The clock is 2026-12-01 10:00 Amsterdam time. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "error_text.h"
#include "language_fixture.h"
#include "vindplaats/index.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

static vp_vocabulary *voc;
static int64_t now;
static char dir[] = "/tmp/vp-test-series-XXXXXX";

/* Puts the offering `line` (its JSON form) of id `id`. */
static void put_line(vp_index *idx, const char *id, const char *line)
{
    vp_offering *o = NULL;
    char *err = NULL;
    vp_status st = offering_parse_text(line, strlen(line), voc, &o, &err);
    if (st != VP_OK)
        fprintf(stderr, "fixture %s: %s\n", id, err);
    CHECK(st == VP_OK);
    if (st == VP_OK)
        CHECK(vp_index_put(idx, o, NULL) == VP_OK);
    vp_offering_destroy(o);
    free(err);
}

/* One dated offering: id, title, library, branch (may be NULL), source, start. */
static void put(vp_index *idx, const char *id, const char *title, const char *library,
                const char *branch, const char *source, const char *start)
{
    char line[2048], branch_json[256] = "";
    if (branch)
        snprintf(branch_json, sizeof branch_json, "\"branch\":\"%s\",", branch);
    snprintf(line, sizeof line,
             "{\"id\":\"%s\",\"type\":\"event\",\"title\":\"%s\",\"description\":\"Voorlezen "
             "in pyjama voor peuters.\",\"library\":\"%s\",%s\"source\":\"%s\",\"start\":\"%s\","
             "\"channel\":\"offline\",\"audience\":{\"groups\":[\"peuter\"]}}",
             id, title, library, branch_json, source, start);
    put_line(idx, id, line);
}

static void put_book(vp_index *idx, const char *id, const char *library)
{
    char line[1024];
    snprintf(line, sizeof line,
             "{\"id\":\"%s\",\"type\":\"ebook\",\"title\":\"Pyjamavoorlezen het boek\","
             "\"library\":\"%s\",\"work_key\":\"w:pyjamaboek\",\"source\":\"ebooks\"}",
             id, library);
    vp_offering *o = NULL;
    CHECK(vp_offering_parse(line, strlen(line), voc, &o, NULL) == VP_OK);
    if (o)
        CHECK(vp_index_put(idx, o, NULL) == VP_OK);
    vp_offering_destroy(o);
}

/* One dated offering with its occurrences (a JSON array) in branch
 * "utrecht-neude" of bibliotheek-utrecht. */
static void put_occurrences(vp_index *idx, const char *id, const char *title,
                            const char *occurrences)
{
    char line[4096];
    snprintf(line, sizeof line,
             "{\"id\":\"%s\",\"type\":\"activity\",\"title\":\"%s\",\"description\":"
             "\"Praten in het Nederlands bij een kop koffie.\",\"library\":\"bibliotheek-utrecht\","
             "\"branch\":\"utrecht-neude\",\"source\":\"agenda-utrecht\",\"occurrences\":%s}",
             id, title, occurrences);
    put_line(idx, id, line);
}

/* A series whose dates have several occurrences each: past ones, one
 * running at the clock, whole days, ends and none, the same moment written
 * two ways, one whose every occurrence has passed. */
static void put_taalcafe(vp_index *w)
{
    put_occurrences(w, "taal:1", "Taalcafe",
                    "[{\"start\":\"2026-11-25T10:00:00+01:00\"},"
                    "{\"start\":\"2026-12-09T10:00:00+01:00\",\"end\":\"2026-12-09T12:00:00+01:00\"},"
                    "{\"start\":\"2027-01-13T10:00:00+01:00\"}]");
    put_occurrences(w, "taal:2", "Taalcafe",
                    "[{\"start\":\"2027-02-01\"},"
                    "{\"start\":\"2026-12-01T09:00:00+01:00\",\"end\":\"2026-12-01T11:00:00+01:00\"}]");
    put_occurrences(w, "taal:3", "Taalcafe", "[{\"start\":\"2026-12-09T09:00:00Z\"}]");
    put_occurrences(w, "taal:4", "Taalcafe",
                    "[{\"start\":\"2026-12-02\",\"end\":\"2026-12-04\"},"
                    "{\"start\":\"2026-12-20T14:00:00+01:00\",\"end\":\"2026-12-20\"}]");
    put_occurrences(w, "taal:5", "Taalcafe", "[{\"start\":\"2026-11-02T10:00:00Z\"}]");
    put_occurrences(w, "taal:6", "Taalcafe",
                    "[{\"start\":\"2026-12-09T10:00:00+01:00\",\"end\":\"2026-12-09T11:00:00+01:00\"},"
                    "{\"start\":\"2026-12-09T10:00:00+01:00\"}]");
}

/* With `dates` 0 written as before the dates record existed. */
static vp_index *build_dated(const char *path, int series_keys, int dates)
{
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return NULL;
    vp_index_set_clock(w, now);
    vp_index_set_series_keys(w, series_keys);
    vp_index_set_series_dates(w, dates);
    put_taalcafe(w);
    /* Assen: four dates from two sources, one already past; the title
     * written three ways. */
    put(w, "agenda-drenthe:3", "Voorleesuurtje: pyjamavoorlezen", "bibliotheek-drenthe",
        "drenthe-assen", "agenda-drenthe", "2027-03-10T10:30:00+01:00");
    put(w, "agenda-drenthe:1", "Voorleesuurtje: pyjamavoorlezen", "bibliotheek-drenthe",
        "drenthe-assen", "agenda-drenthe", "2027-01-27T10:30:00+01:00");
    put(w, "site-drenthe:2", "Voorleesuurtje - Pyjamavoorlezen", "bibliotheek-drenthe",
        "drenthe-assen", "site-drenthe", "2027-02-03T10:30:00+01:00");
    put(w, "agenda-drenthe:0", "VOORLEESUURTJE: pyjamavoorlezen!", "bibliotheek-drenthe",
        "drenthe-assen", "agenda-drenthe", "2026-11-20T10:30:00+01:00");
    /* The same title at another branch and at another library. */
    put(w, "agenda-drenthe:9", "Voorleesuurtje: pyjamavoorlezen", "bibliotheek-drenthe",
        "drenthe-emmen", "agenda-drenthe", "2027-01-06T14:00:00+01:00");
    put(w, "agenda-haarlem:1", "Voorleesuurtje: pyjamavoorlezen", "bibliotheek-haarlem", NULL,
        "agenda-haarlem", "2027-01-02T11:00:00+01:00");
    put(w, "agenda-haarlem:2", "Voorleesuurtje: pyjamavoorlezen", "bibliotheek-haarlem", NULL,
        "agenda-haarlem", "2027-05-14T15:30:00+02:00");
    /* A work at two libraries: still one result, listed in `available`. */
    put_book(w, "ebooks:a", "bibliotheek-drenthe");
    put_book(w, "ebooks:b", "bibliotheek-haarlem");
    vp_index *idx = language_fixture_reader(w, path, voc);
    return idx;
}

static vp_index *build(const char *path, int series_keys)
{
    return build_dated(path, series_keys, 1);
}

static vp_search_request request(const char *q)
{
    vp_search_request r;
    memset(&r, 0, sizeof r);
    r.q = q;
    r.page = 1;
    r.per_page = 20;
    r.now = now;
    return r;
}

static vp_search_result *run(vp_index *idx, const char *q, int facets, int sort)
{
    vp_search_request r = request(q);
    r.facets = facets ? (1u << VP_FIELD_LIBRARY) : 0;
    r.sort = sort;
    vp_search_result *res = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_search_execute(idx, &r, &res, &e);
    if (st != VP_OK) {
        fprintf(stderr, "search failed: ");
        vp_error_print(stderr, NULL, &e);
    }
    CHECK(st == VP_OK && res);
    vp_error_clear(&e);
    return res;
}

/* The hit whose JSON names `branch` (or, without one, `library`), or NULL. */
static const vp_search_hit *hit_at(const vp_search_result *res, const char *place)
{
    char needle[128];
    snprintf(needle, sizeof needle, "\"%s\"", place);
    const vp_search_hit *found = NULL;
    int n = 0;
    for (size_t i = 0; res && i < res->n_hits; i++)
        if (strstr(res->hits[i].json, needle) && strcmp(res->hits[i].id, "ebooks:a") &&
            strcmp(res->hits[i].id, "ebooks:b")) {
            found = &res->hits[i];
            n++;
        }
    CHECK(n <= 1); /* never twice */
    return found;
}

static void test_grouping(vp_index *idx, int sort)
{
    vp_search_result *res = run(idx, "pyjamavoorlezen", 1, sort);
    if (!res)
        return;
    /* Assen, Emmen, Haarlem and the book. */
    CHECK(res->n_hits == 4);
    CHECK(res->total == 4);
    CHECK(res->total_exact);
    CHECK(res->total_offerings == 8); /* the past date is hidden */
    if (res->total_offerings != 8)
        fprintf(stderr, "total_offerings %llu\n", (unsigned long long)res->total_offerings);
    uint64_t drenthe = 0;
    for (size_t i = 0; i < res->n_facets[VP_FIELD_LIBRARY]; i++)
        if (strcmp(res->facets[VP_FIELD_LIBRARY][i].value, "bibliotheek-drenthe") == 0)
            drenthe = res->facets[VP_FIELD_LIBRARY][i].count;
    CHECK(drenthe == 5); /* facets count offerings: 3 Assen + Emmen + the book */

    /* Assen: the next date shown, the others listed soonest first; the
     * past one (20 November) nowhere. */
    const vp_search_hit *assen = hit_at(res, "drenthe-assen");
    CHECK(assen != NULL);
    if (assen) {
        CHECK_STR(assen->id, "agenda-drenthe:1");
        CHECK(assen->n_series == 2);
        CHECK(assen->series_count == 2);
        if (assen->n_series == 2) {
            CHECK_STR(assen->series[0].id, "site-drenthe:2");
            CHECK_STR(assen->series[0].start, "2027-02-03T10:30:00+01:00");
            CHECK_STR(assen->series[1].id, "agenda-drenthe:3");
        }
        for (size_t i = 0; i < assen->n_series; i++)
            CHECK(strcmp(assen->series[i].id, "agenda-drenthe:0") != 0);
    }
    /* Another branch of the same library: a result of its own, no series. */
    const vp_search_hit *emmen = hit_at(res, "drenthe-emmen");
    CHECK(emmen != NULL);
    if (emmen) {
        CHECK_STR(emmen->id, "agenda-drenthe:9");
        CHECK(emmen->n_series == 0 && emmen->series == NULL && emmen->series_count == 0);
    }
    /* A library without branches: grouped by library. */
    const vp_search_hit *haarlem = hit_at(res, "bibliotheek-haarlem");
    CHECK(haarlem != NULL);
    if (haarlem) {
        CHECK_STR(haarlem->id, "agenda-haarlem:1");
        CHECK(haarlem->n_series == 1);
        if (haarlem->n_series == 1)
            CHECK_STR(haarlem->series[0].id, "agenda-haarlem:2");
    }
    vp_search_result_destroy(res);
}

/* Every offering a hit of its own when the caller lists offerings. */
static void test_all_offerings(vp_index *idx)
{
    vp_search_request r = request("pyjamavoorlezen");
    r.all_offerings = 1;
    vp_search_result *res = NULL;
    CHECK(vp_search_execute(idx, &r, &res, NULL) == VP_OK);
    if (res) {
        CHECK(res->n_hits == 8);
        for (size_t i = 0; i < res->n_hits; i++)
            CHECK(res->hits[i].series == NULL);
    }
    vp_search_result_destroy(res);
}

/* With the past shown, the past date is one of the series, listed last. */
static void test_include_past(vp_index *idx)
{
    vp_search_request r = request("pyjamavoorlezen");
    r.include_past = 1;
    vp_search_result *res = NULL;
    CHECK(vp_search_execute(idx, &r, &res, NULL) == VP_OK);
    const vp_search_hit *assen = hit_at(res, "drenthe-assen");
    CHECK(assen != NULL);
    if (assen) {
        CHECK_STR(assen->id, "agenda-drenthe:1");
        CHECK(assen->n_series == 3);
        if (assen->n_series == 3)
            CHECK_STR(assen->series[2].id, "agenda-drenthe:0");
    }
    vp_search_result_destroy(res);
}

/* The other dates of one offering, for its page. */
static void test_offering_dates(vp_index *idx)
{
    vp_search_date *d = NULL;
    size_t n = 0;
    CHECK(vp_search_series(idx, "agenda-drenthe:3", now, &d, &n, NULL) == VP_OK);
    CHECK(n == 2);
    if (n == 2) {
        CHECK_STR(d[0].id, "agenda-drenthe:1");
        CHECK_STR(d[1].id, "site-drenthe:2");
    }
    vp_search_dates_free(d, n);
    d = NULL;
    CHECK(vp_search_series(idx, "agenda-drenthe:9", now, &d, &n, NULL) == VP_OK);
    CHECK(n == 0 && d == NULL);
    CHECK(vp_search_series(idx, "ebooks:a", now, &d, &n, NULL) == VP_OK);
    CHECK(n == 0 && d == NULL);
    CHECK(vp_search_series(idx, "nope:1", now, &d, &n, NULL) == VP_ERR_NOT_FOUND);
}

/* Among equally relevant results the sooner first: the same course at
 * three libraries, next week, in January and in March, whichever id sorts
 * first; a clearly weaker match (the word in a long title) stays below
 * them although it is the soonest of all. */
static void test_soonest_first(const char *path)
{
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    vp_index_set_clock(w, now);
    put(w, "a-lib:1", "Klimcursus voor senioren", "bibliotheek-a", NULL, "a-lib",
        "2027-03-10T10:00:00+01:00");
    put(w, "b-lib:1", "Klimcursus voor senioren", "bibliotheek-b", NULL, "b-lib",
        "2026-12-08T10:00:00+01:00");
    put(w, "c-lib:1", "Klimcursus voor senioren", "bibliotheek-c", NULL, "c-lib",
        "2027-01-20T10:00:00+01:00");
    put(w, "d-lib:1",
        "Klimcursus voor senioren en hun kleinkinderen, op zaterdagochtend in de grote zaal "
        "van de bibliotheek aan het plein, met koffie en thee na afloop",
        "bibliotheek-d", NULL, "d-lib", "2026-12-05T10:00:00+01:00");
    /* Other offerings, so the word is rare and weighs as in a real index. */
    for (int i = 0; i < 400; i++) {
        char id[32], title[64];
        snprintf(id, sizeof id, "e-lib:%d", i);
        snprintf(title, sizeof title, "Zwemles nummer %d", i);
        put(w, id, title, "bibliotheek-e", NULL, "e-lib", "2027-02-01T10:00:00+01:00");
    }
    vp_index *idx = language_fixture_reader(w, path, voc);
    vp_search_result *res = idx ? run(idx, "klimcursus", 0, VP_SORT_RELEVANCE) : NULL;
    CHECK(res && res->n_hits == 4);
    if (res && res->n_hits == 4) {
        CHECK_STR(res->hits[0].id, "b-lib:1");
        CHECK_STR(res->hits[1].id, "c-lib:1");
        CHECK_STR(res->hits[2].id, "a-lib:1");
        CHECK_STR(res->hits[3].id, "d-lib:1");
    }
    vp_search_result_destroy(res);
    vp_index_close(idx);
}

/* An index written before series keys existed (no series term, the id as
 * collapse value) still answers: every date is a result of its own, shown
 * once, with no other dates; totals, facets, the date order, the page of
 * one offering and an offering added later with its key all work. */
static void test_old_index(const char *path)
{
    vp_index *idx = build(path, 0);
    if (!idx)
        return;
    for (int sort = VP_SORT_RELEVANCE; sort <= VP_SORT_DATE; sort++) {
        vp_search_result *res = run(idx, "pyjamavoorlezen", 1, sort);
        if (!res)
            continue;
        /* Assen's three upcoming dates, Emmen, Haarlem's two, the book. */
        CHECK(res->n_hits == 7);
        CHECK(res->total == 7);
        CHECK(res->total_offerings == 8);
        for (size_t i = 0; i < res->n_hits; i++) {
            CHECK(res->hits[i].n_series == 0 && res->hits[i].series == NULL &&
                  res->hits[i].series_count == 0);
            for (size_t k = 0; k < i; k++)
                CHECK(strcmp(res->hits[i].id, res->hits[k].id) != 0);
            CHECK(strcmp(res->hits[i].id, "agenda-drenthe:0") != 0); /* past */
        }
        uint64_t drenthe = 0;
        for (size_t i = 0; i < res->n_facets[VP_FIELD_LIBRARY]; i++)
            if (strcmp(res->facets[VP_FIELD_LIBRARY][i].value, "bibliotheek-drenthe") == 0)
                drenthe = res->facets[VP_FIELD_LIBRARY][i].count;
        CHECK(drenthe == 5);
        if (sort == VP_SORT_DATE && res->n_hits == 7) {
            CHECK_STR(res->hits[0].id, "agenda-haarlem:1"); /* 2 January */
            CHECK_STR(res->hits[1].id, "agenda-drenthe:9"); /* 6 January */
        }
        vp_search_result_destroy(res);
    }
    /* A page of results past the first, and the page of one offering. */
    vp_search_request r = request("pyjamavoorlezen");
    r.page = 2;
    r.per_page = 3;
    vp_search_result *res = NULL;
    CHECK(vp_search_execute(idx, &r, &res, NULL) == VP_OK && res && res->n_hits == 3);
    vp_search_result_destroy(res);
    vp_search_date *d = NULL;
    size_t n = 0;
    CHECK(vp_search_series(idx, "agenda-drenthe:3", now, &d, &n, NULL) == VP_OK);
    CHECK(n == 0 && d == NULL);
    vp_search_dates_free(d, n);
    vp_index_close(idx);

    /* A writer of today adds a date to the old index: it is grouped with
     * no old one (they have no key), so nothing is lost or shown twice. */
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    vp_index_set_clock(w, now);
    put(w, "agenda-haarlem:3", "Voorleesuurtje: pyjamavoorlezen", "bibliotheek-haarlem", NULL,
        "agenda-haarlem", "2027-03-05T11:00:00+01:00");
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    res = idx ? run(idx, "pyjamavoorlezen", 0, VP_SORT_RELEVANCE) : NULL;
    CHECK(res && res->n_hits == 8 && res->total_offerings == 9);
    for (size_t i = 0; res && i < res->n_hits; i++)
        for (size_t k = 0; k < i; k++)
            CHECK(strcmp(res->hits[i].id, res->hits[k].id) != 0);
    vp_search_result_destroy(res);
    vp_index_close(idx);
}

static size_t compared; /* hits compared by same_answers */

/* The same answers from two indexes: hits, what each shows, its dates
 * and their count, and the page of each offering. */
static void same_answers(vp_index *a, vp_index *b, const char *q, int64_t clock, int past)
{
    vp_search_request r = request(q);
    r.now = clock;
    r.include_past = past;
    vp_search_result *x = NULL, *y = NULL;
    CHECK(vp_search_execute(a, &r, &x, NULL) == VP_OK);
    CHECK(vp_search_execute(b, &r, &y, NULL) == VP_OK);
    CHECK(x && y && x->n_hits == y->n_hits);
    compared += x && y ? x->n_hits : 0;
    for (size_t i = 0; x && y && i < x->n_hits && i < y->n_hits; i++) {
        const vp_search_hit *h = &x->hits[i], *k = &y->hits[i];
        CHECK_STR(h->id, k->id);
        CHECK_STR(h->json, k->json);
        CHECK(h->n_series == k->n_series && h->series_count == k->series_count);
        for (size_t d = 0; h->n_series == k->n_series && d < h->n_series; d++) {
            CHECK_STR(h->series[d].id, k->series[d].id);
            CHECK_STR(h->series[d].start, k->series[d].start);
            CHECK((h->series[d].end == NULL) == (k->series[d].end == NULL));
            if (h->series[d].end && k->series[d].end)
                CHECK_STR(h->series[d].end, k->series[d].end);
        }
        vp_search_date *dx = NULL, *dy = NULL;
        size_t nx = 0, ny = 0;
        CHECK(vp_search_series(a, h->id, clock, &dx, &nx, NULL) == VP_OK);
        CHECK(vp_search_series(b, h->id, clock, &dy, &ny, NULL) == VP_OK);
        CHECK(nx == ny);
        for (size_t d = 0; nx == ny && d < nx; d++) {
            CHECK_STR(dx[d].id, dy[d].id);
            CHECK_STR(dx[d].start, dy[d].start);
            CHECK((dx[d].end == NULL) == (dy[d].end == NULL));
        }
        vp_search_dates_free(dx, nx);
        vp_search_dates_free(dy, ny);
    }
    vp_search_result_destroy(x);
    vp_search_result_destroy(y);
}

static void all_same(vp_index *a, vp_index *b)
{
    static const int64_t days[] = {0, 1, 8, 9, 19, 45, 70, 200};
    compared = 0;
    for (size_t d = 0; d < sizeof days / sizeof days[0]; d++)
        for (int past = 0; past <= 1; past++) {
            same_answers(a, b, "taalcafe", now + days[d] * 86400, past);
            same_answers(a, b, "pyjamavoorlezen", now + days[d] * 86400, past);
        }
    CHECK(compared >= 50); /* past the last date, nothing is found but with the past */
}

/* The dates of a series read from their records answer as the documents
 * they were read from did: an index written before the records, and one
 * where only some dates have one, agree with one where all have. */
static void test_records(const char *with, const char *without)
{
    vp_index *a = build_dated(with, 1, 1);
    vp_index *b = build_dated(without, 1, 0);
    if (!a || !b) {
        vp_index_close(a);
        vp_index_close(b);
        return;
    }
    /* The taalcafe at the clock: taal:2 runs (9-11), then taal:4 (2-4
     * December, whole days), then 9 December three times over. */
    vp_search_result *res = run(a, "taalcafe", 0, VP_SORT_RELEVANCE);
    CHECK(res && res->n_hits == 1);
    if (res && res->n_hits == 1) {
        CHECK(strstr(res->hits[0].json, "\"taal:2\"") != NULL);
        CHECK(res->hits[0].n_series == 4 && res->hits[0].series_count == 4);
        if (res->hits[0].n_series == 4) {
            CHECK_STR(res->hits[0].series[0].id, "taal:4");
            CHECK_STR(res->hits[0].series[0].start, "2026-12-02");
            CHECK_STR(res->hits[0].series[0].end, "2026-12-04");
            CHECK_STR(res->hits[0].series[1].id, "taal:1");
            CHECK_STR(res->hits[0].series[1].end, "2026-12-09T12:00:00+01:00");
            CHECK_STR(res->hits[0].series[2].id, "taal:3");
            CHECK_STR(res->hits[0].series[2].start, "2026-12-09T09:00:00Z");
            CHECK(res->hits[0].series[2].end == NULL);
            CHECK_STR(res->hits[0].series[3].id, "taal:6");
            CHECK_STR(res->hits[0].series[3].end, "2026-12-09T11:00:00+01:00");
        }
    }
    vp_search_result_destroy(res);
    all_same(a, b);
    vp_index_close(a);
    vp_index_close(b);

    /* A writer of today adds a date to both: the index without records now
     * has one date with a record among dates without. */
    const char *paths[2] = {with, without};
    for (int i = 0; i < 2; i++) {
        vp_index *w = NULL;
        CHECK(vp_index_open(paths[i], VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
        if (!w)
            return;
        vp_index_set_clock(w, now);
        put_occurrences(w, "taal:7", "Taalcafe", "[{\"start\":\"2026-12-05T10:00:00+01:00\"}]");
        CHECK(vp_index_commit(w, NULL) == VP_OK);
        vp_index_close(w);
    }
    CHECK(vp_index_open(with, VP_INDEX_READ, voc, &a, NULL) == VP_OK);
    CHECK(vp_index_open(without, VP_INDEX_READ, voc, &b, NULL) == VP_OK);
    if (a && b) {
        res = run(b, "taalcafe", 0, VP_SORT_RELEVANCE);
        CHECK(res && res->n_hits == 1 && res->hits[0].n_series == 5);
        vp_search_result_destroy(res);
        all_same(a, b);
    }
    vp_index_close(a);
    vp_index_close(b);
}

/* Allocations by jansson (parsing documents) while counting. */
static size_t json_allocs;
static void *counting_malloc(size_t n)
{
    json_allocs++;
    return malloc(n);
}

static size_t allocs_of(vp_index *idx, const char *q, size_t *n_series)
{
    vp_search_request r = request(q);
    vp_search_result *res = NULL;
    json_allocs = 0;
    json_set_alloc_funcs(counting_malloc, free);
    CHECK(vp_search_execute(idx, &r, &res, NULL) == VP_OK);
    json_set_alloc_funcs(malloc, free);
    size_t n = json_allocs;
    *n_series = res && res->n_hits == 1 ? res->hits[0].n_series : 0;
    vp_search_result_destroy(res);
    return n;
}

/* A search parses the documents of its page, not the dates of their
 * series: a series of 40 dates costs jansson no more than one of 2. On an
 * index without dates records each date's document is parsed, which the
 * count sees. */
static void test_no_member_parsed(const char *path, int dates)
{
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    vp_index_set_clock(w, now);
    vp_index_set_series_dates(w, dates);
    for (int i = 0; i < 40; i++) {
        char id[32], start[64];
        snprintf(id, sizeof id, "schaak:%02d", i);
        snprintf(start, sizeof start, "2027-%02d-%02dT19:00:00+01:00", 1 + i / 20, 1 + i % 20);
        put(w, id, "Schaakclub", "bibliotheek-drenthe", "drenthe-assen", "agenda-drenthe", start);
    }
    put(w, "dam:1", "Damclubjes", "bibliotheek-drenthe", "drenthe-assen", "agenda-drenthe",
        "2027-01-05T19:00:00+01:00");
    put(w, "dam:2", "Damclubjes", "bibliotheek-drenthe", "drenthe-assen", "agenda-drenthe",
        "2027-01-12T19:00:00+01:00");
    vp_index *idx = language_fixture_reader(w, path, voc);
    if (!idx)
        return;
    size_t n_long = 0, n_short = 0;
    size_t long_allocs = allocs_of(idx, "schaakclub", &n_long);
    size_t short_allocs = allocs_of(idx, "damclubjes", &n_short);
    CHECK(n_long == 39 && n_short == 1);
    if (dates) {
        CHECK(long_allocs <= short_allocs + 8);
        if (long_allocs > short_allocs + 8)
            fprintf(stderr, "jansson allocations: %zu for 40 dates, %zu for 2\n", long_allocs,
                    short_allocs);
    } else {
        CHECK(long_allocs > short_allocs + 38 * 5);
    }
    vp_index_close(idx);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_series VOCABULARY\n");
        return 2;
    }
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], &voc, &verr) != VP_OK) {
        vp_error_print(stderr, "test_series: vocabulary", &verr);
        vp_error_clear(&verr);
        return 2;
    }
    vp_datetime t;
    vp_datetime_parse("2026-12-01T10:00:00+01:00", &t);
    now = t.utc;
    if (!mkdtemp(dir))
        return 2;
    char path[300];
    snprintf(path, sizeof path, "%s/index", dir);
    vp_index *idx = build(path, 1);
    if (idx) {
        test_grouping(idx, VP_SORT_RELEVANCE);
        test_grouping(idx, VP_SORT_DATE);
        test_all_offerings(idx);
        test_include_past(idx);
        test_offering_dates(idx);
        vp_index_close(idx);
    }
    snprintf(path, sizeof path, "%s/soon", dir);
    test_soonest_first(path);
    snprintf(path, sizeof path, "%s/old", dir);
    test_old_index(path);
    char other[300];
    snprintf(path, sizeof path, "%s/records", dir);
    snprintf(other, sizeof other, "%s/no-records", dir);
    test_records(path, other);
    snprintf(path, sizeof path, "%s/parsed", dir);
    test_no_member_parsed(path, 1);
    snprintf(path, sizeof path, "%s/parsed-old", dir);
    test_no_member_parsed(path, 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    vp_vocabulary_destroy(voc);
    return check_done();
}
