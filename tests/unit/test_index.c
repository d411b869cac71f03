/* test_index.c - the date terms index.c writes, read back through date
 * filters: a long exhibition is a few whole-month and whole-block terms
 * instead of a day term for every day it runs, and every date range that
 * overlaps it still finds it, ragged ends included; an index written with
 * a day term for every day (as before) answers the same ranges the same.
 *
 * usage: test_index VOCABULARY */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "error_text.h"
#include "vindplaats/index.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

static const char *const offerings[] = {
    /* 15 January to 10 April 2027: 86 days. */
    "{\"id\":\"museum:expo\",\"type\":\"event\",\"title\":\"Tentoonstelling: de polder\","
    "\"source\":\"museum\",\"occurrences\":[{\"start\":\"2027-01-15T10:00:00+01:00\","
    "\"end\":\"2027-04-10T17:00:00+02:00\"}]}",
    /* One day in February. */
    "{\"id\":\"agenda:lezing\",\"type\":\"event\",\"title\":\"Lezing over dijken\","
    "\"source\":\"agenda\",\"occurrences\":[{\"start\":\"2027-02-04T20:00:00+01:00\","
    "\"end\":\"2027-02-04T22:00:00+01:00\"}]}",
    /* All-day dates across the end of February, ending at midnight. */
    "{\"id\":\"agenda:markt\",\"type\":\"event\",\"title\":\"Boekenmarkt\",\"source\":\"agenda\","
    "\"occurrences\":[{\"start\":\"2027-02-28\",\"end\":\"2027-03-02\"}]}",
    /* A whole year and a day. */
    "{\"id\":\"museum:vast\",\"type\":\"event\",\"title\":\"Vaste collectie\",\"source\":\"museum\","
    "\"occurrences\":[{\"start\":\"2027-01-01T10:00:00+01:00\","
    "\"end\":\"2028-01-01T17:00:00+01:00\"}]}",
};
#define N_OFFERINGS (sizeof offerings / sizeof offerings[0])

/* The ids a date filter [from, to] finds, sorted and joined by spaces. */
static void found(vp_index *idx, int from, int to, char *out, size_t cap)
{
    vp_search_request r;
    memset(&r, 0, sizeof r);
    r.page = 1;
    r.per_page = 20;
    r.include_past = 1;
    r.all_offerings = 1;
    r.from_day = from;
    r.to_day = to;
    vp_search_result *res = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_search_execute(idx, &r, &res, &e);
    if (st != VP_OK) {
        fprintf(stderr, "search %d-%d: ", from, to);
        vp_error_print(stderr, NULL, &e);
    }
    CHECK(st == VP_OK);
    vp_error_clear(&e);
    const char *ids[N_OFFERINGS + 1];
    size_t n = 0;
    for (size_t i = 0; res && i < res->n_hits && n < N_OFFERINGS; i++)
        ids[n++] = res->hits[i].id;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
            const char *t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "", ids[i]);
    vp_search_result_destroy(res);
}

/* Builds an index in `path` with whole-date terms on or off; NULL on failure. */
static vp_index *build(const char *path, const vp_vocabulary *voc, int whole)
{
    vp_index *idx = NULL;
    if (vp_index_open(path, VP_INDEX_WRITE, voc, &idx, NULL) != VP_OK)
        return NULL;
    vp_index_set_clock(idx, 1795000000); /* 2026-11-18 */
    vp_index_set_whole_date_terms(idx, whole);
    for (size_t i = 0; i < N_OFFERINGS; i++) {
        vp_offering *o = NULL;
        char *why = NULL;
        vp_status st = offering_parse_text(offerings[i], strlen(offerings[i]), voc, &o, &why);
        if (st != VP_OK)
            fprintf(stderr, "offering %zu: %s\n", i, why ? why : vp_status_str(st));
        CHECK(st == VP_OK);
        free(why);
        if (o)
            CHECK(vp_index_put(idx, o, NULL) == VP_OK);
        vp_offering_destroy(o);
    }
    CHECK(vp_index_commit(idx, NULL) == VP_OK);
    return idx;
}

/* The terms with `prefix` that xapian-delve lists for the document of
 * museum:expo (the first one written), counted. */
static int expo_terms(const char *path, const char *prefix)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "xapian-delve -1 -r 1 '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char line[512];
    int n = 0, listed = 0;
    size_t len = strlen(prefix);
    while (fgets(line, sizeof line, p)) {
        listed++;
        if (strncmp(line, prefix, len) == 0 && line[len] >= '0' && line[len] <= '9')
            n++;
    }
    return pclose(p) == 0 && listed > 10 ? n : -1;
}

static void test_ranges(vp_index *idx, const char *what)
{
    static const struct {
        int from, to;
        const char *ids;
    } cases[] = {
        {20270203, 20270205, "agenda:lezing museum:expo museum:vast"}, /* inside a whole month */
        {20270125, 20270126, "museum:expo museum:vast"},               /* a whole block */
        {20270115, 20270115, "museum:expo museum:vast"},               /* its first day */
        {20270114, 20270114, "museum:vast"},                           /* the day before */
        {20270410, 20270412, "museum:expo museum:vast"},               /* its last day */
        {20270411, 20270420, "museum:vast"},                           /* the days after */
        {20270301, 20270331, "agenda:markt museum:expo museum:vast"},  /* a whole month */
        {20270302, 20270302, "agenda:markt museum:expo museum:vast"},  /* across a month end */
        {20270303, 20270303, "museum:expo museum:vast"},               /* the day after it */
        {20261201, 20270114, "museum:vast"},                           /* ragged, then a year */
        {20271231, 20280101, "museum:vast"},                           /* into the next year */
        {20280102, 20280110, ""},
        {20270101, 20271231, "agenda:lezing agenda:markt museum:expo museum:vast"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[512];
        found(idx, cases[i].from, cases[i].to, got, sizeof got);
        if (strcmp(got, cases[i].ids) != 0)
            fprintf(stderr, "%s: %d-%d found \"%s\", not \"%s\"\n", what, cases[i].from,
                    cases[i].to, got, cases[i].ids);
        CHECK(strcmp(got, cases[i].ids) == 0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_index VOCABULARY\n");
        return 2;
    }
    char dir[] = "/tmp/vp-test-index-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    vp_vocabulary *voc = NULL;
    CHECK(vp_vocabulary_load(argv[1], &voc, NULL) == VP_OK);
    char path[1200];

    /* Whole months and blocks: 15-20 January as days, 21-31 as a block,
     * February and March whole, 1-10 April a block. */
    snprintf(path, sizeof path, "%s/new", dir);
    vp_index *idx = voc ? build(path, voc, 1) : NULL;
    CHECK(idx != NULL);
    if (idx) {
        test_ranges(idx, "whole-date terms");
        vp_index_close(idx);
        CHECK(expo_terms(path, "XDD") == 6);
        CHECK(expo_terms(path, "XDF") == 2);
        CHECK(expo_terms(path, "XDB") == 2);
        CHECK(expo_terms(path, "XDM") == 4);
    }

    /* An index with a day term for every day, searched the same way. */
    snprintf(path, sizeof path, "%s/old", dir);
    idx = voc ? build(path, voc, 0) : NULL;
    CHECK(idx != NULL);
    if (idx) {
        test_ranges(idx, "day terms");
        vp_index_close(idx);
        CHECK(expo_terms(path, "XDD") == 86);
        CHECK(expo_terms(path, "XDF") == 0);
    }

    vp_vocabulary_destroy(voc);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return check_done();
}
