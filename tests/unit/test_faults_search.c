/* test_faults_search.c - searching under out-of-memory at every allocation,
 * the SQLite way.
 *
 * The test binary is linked with --wrap for malloc, calloc, realloc,
 * strdup and strndup (tests/support/faults.h), so allocation number N of
 * the project's C code can be made to fail; Xapian's own C++ allocations
 * are not. A small index is built once, without faults, from the fixture
 * (tests/data/offerings/small.jsonl); then each search (facets, filters, a
 * date range, paging, a corrected spelling, no results) runs with
 * allocation N failing, N = 0, 1, 2, ... until it completes. A run whose
 * allocation failed must end in VP_ERR_NOMEM with no result, never crash
 * and (under ASan) never leak; the run without a failure gives the result
 * the same search gives without faults.
 */
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "vindplaats/index.h"
#include "vindplaats/load.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

static vp_index *idx;
static int64_t now;

/* A first page of 20 for `q_`, at the fixture's clock. */
#define REQUEST(q_) ((vp_search_request){.q = (q_), .page = 1, .per_page = 20, .now = now})

/* What a search's result must hold once memory suffices. */
typedef struct expect {
    uint64_t total;
    size_t n_hits;
    const char *corrected; /* NULL: no correction */
    unsigned facets;       /* these facets have values */
} expect;

typedef struct search_case {
    vp_search_request req;
    expect want;
} search_case;

static int64_t day(const char *iso)
{
    vp_datetime t;
    return vp_datetime_parse(iso, &t) == 0 ? t.utc : 0;
}

/* One search; VP_ERR_INTERNAL when it succeeds with another result than
 * expected, or fails without saying so. */
static vp_status op_search(void *ctx)
{
    const search_case *c = ctx;
    vp_search_result *res = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_search_execute(idx, &c->req, &res, &e);
    if (st != VP_OK && res)
        st = VP_ERR_INTERNAL; /* a failure hands out nothing */
    if (st == VP_OK) {
        const expect *w = &c->want;
        int ok = res && res->total == w->total && res->n_hits == w->n_hits;
        if (ok && w->corrected)
            ok = res->corrected_query && strcmp(res->corrected_query, w->corrected) == 0;
        else if (ok)
            ok = res->corrected_query == NULL;
        for (int f = 0; ok && f < VP_FACET_COUNT; f++)
            if (w->facets & (1u << f))
                ok = res->n_facets[f] > 0;
        for (size_t i = 0; ok && i < res->n_hits; i++)
            ok = res->hits[i].id && res->hits[i].json;
        if (!ok) {
            fprintf(stderr, "search \"%s\": total %llu, %zu hits, corrected %s\n",
                    c->req.q ? c->req.q : "", res ? (unsigned long long)res->total : 0ULL,
                    res ? res->n_hits : 0, res && res->corrected_query ? res->corrected_query
                                                                     : "(none)");
            st = VP_ERR_INTERNAL;
        }
    }
    vp_search_result_destroy(res);
    vp_error_clear(&e);
    return st;
}

static int judge(const char *name, long n, int failed, vp_status st, void *ctx)
{
    (void)ctx;
    int fine = failed ? st == VP_ERR_NOMEM : st == VP_OK;
    if (!fine && failed)
        fprintf(stderr, "%s: allocation %ld failed, status %s\n", name, n, vp_status_str(st));
    else if (!fine)
        fprintf(stderr, "%s: finished with %s\n", name, vp_status_str(st));
    return fine;
}

static void sweep_searches(void)
{
    static const char *const course[] = {"course"};
    static const char *const types[] = {"course", "event"};
    static const char *const offline[] = {"offline"};
    static const char *const senioren[] = {"senioren"};
    const unsigned all_facets = (1u << VP_FACET_COUNT) - 1;

    /* Every facet over everything there is. */
    search_case facets = {REQUEST(NULL), {12, 12, NULL, all_facets}};
    facets.req.facets = all_facets;
    facets.req.include_past = 1;

    /* Words, filters on several fields and the facets of what is left. */
    search_case filters = {REQUEST("computer hulp"), {0, 0, NULL, 0}};
    filters.req.values[VP_FIELD_TYPE] = types;
    filters.req.n_values[VP_FIELD_TYPE] = 2;
    filters.req.values[VP_FIELD_CHANNEL] = offline;
    filters.req.n_values[VP_FIELD_CHANNEL] = 1;
    filters.req.facets = (1u << VP_FIELD_TYPE) | (1u << VP_FIELD_LIBRARY);

    /* A date range, sorted by date. */
    search_case dates = {REQUEST(NULL), {0, 0, NULL, 0}};
    dates.req.from_day = 20261201;
    dates.req.to_day = 20270131;
    dates.req.sort = VP_SORT_DATE;
    dates.req.values[VP_FIELD_AUDIENCE] = senioren;
    dates.req.n_values[VP_FIELD_AUDIENCE] = 1;

    /* The second page of two. */
    search_case paging = {REQUEST(NULL), {12, 5, NULL, 0}};
    paging.req.include_past = 1;
    paging.req.per_page = 5;
    paging.req.page = 2;

    /* A typo: results for the corrected spelling. */
    search_case spelling = {REQUEST("voorleesochtent"), {1, 1, "voorleesochtend", 0}};

    /* Nothing matches, not even with a filter relaxed. */
    search_case none = {REQUEST("xyzzyplugh"), {0, 0, NULL, 0}};
    none.req.values[VP_FIELD_TYPE] = course;
    none.req.n_values[VP_FIELD_TYPE] = 1;

    struct {
        const char *name;
        search_case *c;
    } cases[] = {
        {"search(facets)", &facets},     {"search(filters)", &filters},
        {"search(dates)", &dates},       {"search(paging)", &paging},
        {"search(spelling)", &spelling}, {"search(no results)", &none},
    };
    /* What each gives without faults fills in the totals left open above
     * (0) for the cases whose exact figures the fixture decides. */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        search_case *c = cases[i].c;
        if (c == &filters || c == &dates) {
            vp_search_result *res = NULL;
            CHECK(vp_search_execute(idx, &c->req, &res, NULL) == VP_OK);
            CHECK(res && res->total > 0);
            if (res) {
                c->want.total = res->total;
                c->want.n_hits = res->n_hits;
            }
            vp_search_result_destroy(res);
        }
        fault_sweep(cases[i].name, op_search, c, judge);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_faults_search VOCABULARY OFFERINGS.jsonl\n");
        return 2;
    }
    vp_vocabulary *voc = NULL;
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], &voc, &verr) != VP_OK) {
        vp_error_print(stderr, "test_faults_search: vocabulary", &verr);
        vp_error_clear(&verr);
        return 2;
    }
    now = day("2026-11-01T00:00:00Z");
    char dir[] = "/tmp/vp-test-faults-search-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char path[256];
    snprintf(path, sizeof path, "%s/index", dir);
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    FILE *in = fopen(argv[2], "r");
    CHECK(in != NULL);
    if (w && in) {
        vp_index_set_clock(w, now);
        vp_load_stats stats = {0};
        CHECK(vp_load_jsonl(w, voc, in, argv[2], stderr, &stats, NULL) == VP_OK);
        CHECK(stats.indexed == 12 && stats.rejected == 0);
    }
    if (in)
        fclose(in);
    vp_index_close(w);
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    if (idx)
        sweep_searches();
    vp_index_close(idx);
    char cmd[320];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    vp_vocabulary_destroy(voc);
    return check_done();
}
