/* test_works.c - offerings of one work (the same e-book at several
 * libraries, one book in many catalogues) are one search result: the match
 * collapses on the work key, totals and paging count works, and each
 * result lists every offering of its work in `available`. The same holds
 * for one index and for the same offerings split over two shards.
 *
 * Fixture: tests/data/offerings/works.jsonl (argv[2]); a work of 105
 * offerings, past the cap of the list, is added here. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "language_fixture.h"
#include "vindplaats/index.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

#define BIG_WORK 105 /* offerings of "Grootwerk": more than VP_SEARCH_MAX_AVAILABLE */

static vp_vocabulary *voc;
static int64_t now; /* 2026-11-01: between the two Klik & Tik courses */
static char dir[] = "/tmp/vp-test-works-XXXXXX";

/* A book of two catalogues, one of which says where its copies stand. */
static void load_holdings(vp_index *idx)
{
    language_fixture_put_line(idx, voc,
                  "{\"id\":\"cat-utrecht:kb1\",\"type\":\"book\",\"title\":\"Kaartenbakkunde\","
                  "\"creators\":[\"Ria Kaart\"],\"library\":\"bibliotheek-utrecht\","
                  "\"library_name\":\"Bibliotheek Utrecht\",\"work_key\":\"isbn:9789000000001\","
                  "\"source\":\"cat-utrecht\",\"holdings\":[{\"library\":\"bibliotheek-utrecht\","
                  "\"branch\":\"utrecht-neude\",\"branch_name\":\"Neude\",\"call_number\":"
                  "\"025.3 KAAR\",\"shelf\":\"Studiezaal\"}]}");
    language_fixture_put_line(idx, voc,
                  "{\"id\":\"cat-zwolle:kb1\",\"type\":\"book\",\"title\":\"Kaartenbakkunde\","
                  "\"creators\":[\"Ria Kaart\"],\"library\":\"bibliotheek-zwolle\","
                  "\"library_name\":\"Bibliotheek Zwolle\",\"work_key\":\"isbn:9789000000001\","
                  "\"source\":\"cat-zwolle\"}");
}

/* Every offering into shards[k % n]: line k of the fixture, then the big work. */
static void load(vp_index **shards, size_t n, const char *path)
{
    size_t k = 0;
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (f) {
        char line[8192];
        while (fgets(line, sizeof line, f))
            language_fixture_put_line(shards[k++ % n], voc, line);
        fclose(f);
    }
    for (int i = 0; i < BIG_WORK; i++) {
        char line[1024];
        snprintf(line, sizeof line,
                 "{\"id\":\"massa-%03d:gw\",\"type\":\"book\",\"title\":\"Grootwerk\","
                 "\"creators\":[\"Vera Groot\"],\"library\":\"lib-%03d\","
                 "\"library_name\":\"Bibliotheek %03d\",\"url\":\"https://lib%03d.example.nl/gw\","
                 "\"work_key\":\"w:grootwerk|vera groot\",\"source\":\"massa-%03d\"}",
                 i, i, i, i, i);
        language_fixture_put_line(shards[k++ % n], voc, line);
    }
}

static vp_index *build(const char *path, const char *fixture)
{
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return NULL;
    vp_index_set_clock(w, now);
    load(&w, 1, fixture);
    vp_index *idx = language_fixture_reader(w, path, voc);
    return idx;
}

static vp_search_request request(const char *q)
{
    vp_search_request r;
    memset(&r, 0, sizeof r);
    r.q = q;
    r.page = 1;
    r.per_page = 20;
    r.now = now;
    r.list_available = 1;
    return r;
}

static vp_search_result *run(vp_index *idx, const vp_search_request *r)
{
    vp_search_result *res = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_search_execute(idx, r, &res, &e);
    if (st != VP_OK) {
        fprintf(stderr, "search failed: ");
        vp_error_print(stderr, NULL, &e);
    }
    CHECK(st == VP_OK && res);
    vp_error_clear(&e);
    return res;
}

static uint64_t facet_count(const vp_search_result *res, vp_field f, const char *value)
{
    for (size_t i = 0; res && i < res->n_facets[f]; i++)
        if (strcmp(res->facets[f][i].value, value) == 0)
            return res->facets[f][i].count;
    return 0;
}

static int offers_include(const vp_search_hit *h, const char *id)
{
    for (size_t i = 0; i < h->n_available; i++)
        if (strcmp(h->available[i].id, id) == 0)
            return 1;
    return 0;
}

/* The work key of a hit (the part of its JSON), or its id; malloc()ed. */
static char *work_of(const vp_search_hit *h)
{
    const char *k = strstr(h->json, "\"work_key\":\"");
    if (!k)
        return strdup(h->id);
    k += strlen("\"work_key\":\"");
    return strndup(k, strcspn(k, "\""));
}

/* Holdings travel with their offering into the work's list. */
static void test_holdings(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/holdings", dir);
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    load_holdings(w);
    vp_index *idx = language_fixture_reader(w, path, voc);
    if (!idx)
        return;
    vp_search_request r = request("kaartenbakkunde");
    vp_search_result *res = run(idx, &r);
    if (!res)
        return;
    CHECK(res->n_hits == 1);
    if (res->n_hits == 1 && res->hits[0].n_available == 2) {
        const vp_search_offer *a = res->hits[0].available;
        CHECK_STR(a[0].id, "cat-utrecht:kb1");
        CHECK(json_is_array(a[0].holdings) && json_array_size(a[0].holdings) == 1);
        json_t *h = json_array_get(a[0].holdings, 0);
        CHECK_STR(json_string_value(json_object_get(h, "branch")), "utrecht-neude");
        CHECK_STR(json_string_value(json_object_get(h, "call_number")), "025.3 KAAR");
        CHECK_STR(json_string_value(json_object_get(h, "shelf")), "Studiezaal");
        CHECK_STR(a[1].id, "cat-zwolle:kb1");
        CHECK(a[1].holdings == NULL);
    } else {
        CHECK(0);
    }
    vp_search_result_destroy(res);
    vp_index_close(idx);
}

static void test_one_result(vp_index *idx)
{
    vp_search_request r = request("vlinderkoorts");
    r.facets = (1u << VP_FIELD_TYPE) | (1u << VP_FIELD_LIBRARY);
    vp_search_result *res = run(idx, &r);
    if (!res)
        return;
    /* Three offerings, one work: one result, counted once. */
    CHECK(res->total == 1 && res->total_exact);
    CHECK(res->n_hits == 1);
    if (res->n_hits == 1) {
        const vp_search_hit *h = &res->hits[0];
        CHECK(h->n_available == 3 && h->available_count == 3);
        CHECK(offers_include(h, h->id));
        if (h->n_available == 3) {
            /* By library name: "Bibliotheek Utrecht", "Bibliotheek Zwolle",
             * "de Online Bibliotheek" (byte order: capitals first). */
            const vp_search_offer *a = h->available;
            CHECK_STR(a[0].id, "ebooks-utrecht:vk");
            CHECK_STR(a[0].library, "bibliotheek-utrecht");
            CHECK_STR(a[0].library_name, "Bibliotheek Utrecht");
            CHECK_STR(a[0].url, "https://utrecht.example.nl/e-books/vlinderkoorts");
            CHECK_STR(a[0].type, "ebook");
            CHECK(a[0].branch == NULL && a[0].branch_name == NULL);
            CHECK_STR(a[1].id, "ebooks-zwolle:vk");
            CHECK_STR(a[1].library, "bibliotheek-zwolle");
            CHECK_STR(a[1].url, "https://zwolle.example.nl/ebook?id=vk");
            CHECK_STR(a[2].id, "online-bibliotheek:vk");
            CHECK_STR(a[2].library, "de-online-bibliotheek");
            CHECK_STR(a[2].library_name, "de Online Bibliotheek");
            CHECK_STR(a[2].url, "https://www.online-bibliotheek.example.nl/vlinderkoorts");
        }
    }
    /* Facets count offerings: three e-books at three libraries. */
    CHECK(facet_count(res, VP_FIELD_TYPE, "ebook") == 3);
    CHECK(facet_count(res, VP_FIELD_LIBRARY, "bibliotheek-zwolle") == 1);
    CHECK(facet_count(res, VP_FIELD_LIBRARY, "de-online-bibliotheek") == 1);
    CHECK(res->n_facets[VP_FIELD_LIBRARY] == 3);
    vp_search_result_destroy(res);

    /* Without list_available nothing is listed, but still one result. */
    r.list_available = 0;
    res = run(idx, &r);
    CHECK(res && res->total == 1 && res->n_hits == 1);
    if (res && res->n_hits)
        CHECK(res->hits[0].available == NULL && res->hits[0].n_available == 0);
    vp_search_result_destroy(res);

    /* Listing offerings instead (the sitemap): every one, counted. */
    r = request("vlinderkoorts");
    r.all_offerings = 1;
    res = run(idx, &r);
    CHECK(res && res->total == 3 && res->n_hits == 3);
    vp_search_result_destroy(res);

    /* A library filter finds the work as that library's offering. */
    const char *lib[1] = {"bibliotheek-zwolle"};
    r = request("vlinderkoorts");
    r.values[VP_FIELD_LIBRARY] = lib;
    r.n_values[VP_FIELD_LIBRARY] = 1;
    res = run(idx, &r);
    CHECK(res && res->total == 1 && res->n_hits == 1);
    if (res && res->n_hits) {
        CHECK_STR(res->hits[0].id, "ebooks-zwolle:vk");
        CHECK(res->hits[0].n_available == 3);
        CHECK(offers_include(&res->hits[0], "ebooks-utrecht:vk"));
    }
    vp_search_result_destroy(res);

    /* The preferred library's offering is the best-ranked: it stands for the work. */
    const char *prefs[] = {"bibliotheek-utrecht", "bibliotheek-zwolle", "de-online-bibliotheek"};
    const char *ids[] = {"ebooks-utrecht:vk", "ebooks-zwolle:vk", "online-bibliotheek:vk"};
    for (int i = 0; i < 3; i++) {
        r = request("vlinderkoorts");
        r.prefer_library = prefs[i];
        res = run(idx, &r);
        CHECK(res && res->n_hits == 1);
        if (res && res->n_hits == 1)
            CHECK_STR(res->hits[0].id, ids[i]);
        vp_search_result_destroy(res);
    }

    /* An offering without a work key is its own work and lists nothing. */
    r = request("digid");
    res = run(idx, &r);
    CHECK(res && res->n_hits == 1);
    if (res && res->n_hits) {
        CHECK_STR(res->hits[0].id, "website-utrecht:digid");
        CHECK(res->hits[0].available == NULL && res->hits[0].available_count == 0);
    }
    vp_search_result_destroy(res);

    /* Books held by four libraries, with their branches. */
    r = request("zeemansgraf");
    res = run(idx, &r);
    CHECK(res && res->total == 1 && res->n_hits == 1);
    if (res && res->n_hits && res->hits[0].n_available == 4) {
        const vp_search_offer *a = res->hits[0].available;
        CHECK_STR(a[0].library_name, "Bibliotheek Breda");
        CHECK(a[0].url && a[0].branch == NULL);
        CHECK_STR(a[1].library_name, "Bibliotheek Utrecht");
        CHECK_STR(a[1].branch, "utrecht-neude");
        CHECK_STR(a[1].branch_name, "Bibliotheek Neude");
        CHECK_STR(a[2].library_name, "Bibliotheek Zwolle");
        CHECK(a[2].url == NULL);
        CHECK_STR(a[3].library_name, "DOK Delft");
    } else {
        CHECK(!"zeemansgraf: four offerings");
    }
    vp_search_result_destroy(res);
}

static void test_totals(vp_index *idx)
{
    /* Not past: Vlinderkoorts, Zeemansgraf, Stormnacht, the December Klik &
     * Tik, the writing course, DigiD, Grootwerk. */
    vp_search_request r = request(NULL);
    r.facets = 1u << VP_FIELD_TYPE;
    vp_search_result *res = run(idx, &r);
    CHECK(res && res->total == 7 && res->total_exact && res->n_hits == 7);
    /* The type facet counts the offerings behind them. */
    CHECK(facet_count(res, VP_FIELD_TYPE, "ebook") == 3);
    CHECK(facet_count(res, VP_FIELD_TYPE, "book") == 4 + BIG_WORK);
    CHECK(facet_count(res, VP_FIELD_TYPE, "course") == 2);
    vp_search_result_destroy(res);

    /* The estimate without facets is collapsed too. */
    r.facets = 0;
    res = run(idx, &r);
    CHECK(res && res->total == 7);
    vp_search_result_destroy(res);

    const char *book[1] = {"book"};
    r.values[VP_FIELD_TYPE] = book;
    r.n_values[VP_FIELD_TYPE] = 1;
    r.facets = 1u << VP_FIELD_TYPE;
    res = run(idx, &r);
    CHECK(res && res->total == 2);
    vp_search_result_destroy(res);

    /* Ended offerings stay out of the list of their work, unless asked for. */
    r = request("mailen");
    res = run(idx, &r);
    CHECK(res && res->total == 1 && res->n_hits == 1);
    if (res && res->n_hits) {
        CHECK_STR(res->hits[0].id, "agenda-breda:kt-december");
        CHECK(res->hits[0].n_available == 1 && res->hits[0].available_count == 1);
    }
    vp_search_result_destroy(res);
    r.include_past = 1;
    res = run(idx, &r);
    CHECK(res && res->total == 1 && res->n_hits == 1);
    if (res && res->n_hits) {
        CHECK(res->hits[0].n_available == 2 && res->hits[0].available_count == 2);
        CHECK(offers_include(&res->hits[0], "agenda-delft:kt-oktober"));
    }
    vp_search_result_destroy(res);

    /* What a dropped filter would find is counted in works as well. */
    const char *course[1] = {"course"};
    r = request("vlinderkoorts");
    r.values[VP_FIELD_TYPE] = course;
    r.n_values[VP_FIELD_TYPE] = 1;
    res = run(idx, &r);
    CHECK(res && res->total == 0 && res->relaxed == VP_FIELD_TYPE && res->relaxed_total == 1);
    vp_search_result_destroy(res);
}

/* Past the cap: 100 listed, all counted, the result itself among them. */
static void test_big_work(vp_index *idx)
{
    vp_search_request r = request("grootwerk");
    r.prefer_library = "lib-104";
    vp_search_result *res = run(idx, &r);
    CHECK(res && res->total == 1 && res->n_hits == 1);
    if (res && res->n_hits) {
        const vp_search_hit *h = &res->hits[0];
        CHECK_STR(h->id, "massa-104:gw");
        CHECK(h->n_available == VP_SEARCH_MAX_AVAILABLE);
        CHECK(h->available_count == BIG_WORK);
        CHECK(offers_include(h, "massa-104:gw"));
        CHECK(offers_include(h, "massa-000:gw"));
        CHECK(!offers_include(h, "massa-099:gw")); /* made room for the result */
        int sorted = 1;
        for (size_t i = 1; i < h->n_available; i++)
            sorted &= strcmp(h->available[i - 1].library_name, h->available[i].library_name) < 0;
        CHECK(sorted);
    }
    vp_search_result_destroy(res);
}

/* Every work once over all pages, whatever the page size and order. */
static void check_paging(vp_index *idx, const char *q, vp_sort sort, uint64_t works)
{
    for (unsigned per_page = 1; per_page <= 4; per_page++) {
        char *seen[64];
        size_t n_seen = 0;
        int dup = 0;
        uint64_t total = 0;
        for (unsigned page = 1; page <= 20; page++) {
            vp_search_request r = request(q);
            r.sort = sort;
            r.page = page;
            r.per_page = per_page;
            vp_search_result *res = run(idx, &r);
            if (!res)
                break;
            total = res->total;
            size_t n = res->n_hits;
            for (size_t i = 0; i < n && n_seen < 64; i++) {
                char *w = work_of(&res->hits[i]);
                for (size_t k = 0; w && k < n_seen; k++)
                    dup |= strcmp(seen[k], w) == 0;
                seen[n_seen++] = w;
            }
            vp_search_result_destroy(res);
            if (n < per_page)
                break;
        }
        if (dup || n_seen != works || total != works)
            fprintf(stderr, "paging q=%s sort=%d per_page=%u: %zu seen, total %llu, dup %d\n",
                    q ? q : "", (int)sort, per_page, n_seen, (unsigned long long)total, dup);
        CHECK(!dup);
        CHECK(n_seen == works);
        CHECK(total == works);
        for (size_t k = 0; k < n_seen; k++)
            free(seen[k]);
    }
}

static void test_paging(vp_index *idx)
{
    check_paging(idx, NULL, VP_SORT_RELEVANCE, 7);
    check_paging(idx, NULL, VP_SORT_DATE, 7);
    check_paging(idx, "vlinderkoorts OR zeemansgraf OR stormnacht OR grootwerk", VP_SORT_RELEVANCE, 4);
    check_paging(idx, "roman OR thriller OR luisterboek OR mailen OR DigiD", VP_SORT_RELEVANCE, 5);
}

/* A hit's list as one string, for comparing two indexes. */
static void describe(const vp_search_result *res, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    len += (size_t)snprintf(out + len, size - len, "%llu:", (unsigned long long)res->total);
    for (size_t i = 0; i < res->n_hits && len < size; i++) {
        const vp_search_hit *h = &res->hits[i];
        len += (size_t)snprintf(out + len, size - len, " %s[%llu", h->id,
                                (unsigned long long)h->available_count);
        for (size_t k = 0; k < h->n_available && len < size; k++)
            len += (size_t)snprintf(out + len, size - len, " %s", h->available[k].id);
        if (len < size)
            len += (size_t)snprintf(out + len, size - len, "]");
    }
}

/* The same offerings over two shards (a work's offerings split between
 * them, which the indexer would not do) answer as one index does. */
static void test_shards(vp_index *single, const char *fixture)
{
    char p0[300], p1[300], stub[300];
    snprintf(p0, sizeof p0, "%s/shard0", dir);
    snprintf(p1, sizeof p1, "%s/shard1", dir);
    snprintf(stub, sizeof stub, "%s/shards", dir);
    vp_index *w[2] = {NULL, NULL};
    CHECK(vp_index_open(p0, VP_INDEX_WRITE, voc, &w[0], NULL) == VP_OK);
    CHECK(vp_index_open(p1, VP_INDEX_WRITE, voc, &w[1], NULL) == VP_OK);
    if (!w[0] || !w[1])
        return;
    vp_index_set_clock(w[0], now);
    vp_index_set_clock(w[1], now);
    load(w, 2, fixture);
    for (int i = 0; i < 2; i++) {
        CHECK(vp_index_commit(w[i], NULL) == VP_OK);
        vp_index_close(w[i]);
    }
    FILE *f = fopen(stub, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fprintf(f, "auto shard0\nauto shard1\n");
    fclose(f);
    vp_index *sharded = NULL;
    CHECK(vp_index_open(stub, VP_INDEX_READ, voc, &sharded, NULL) == VP_OK);
    if (!sharded)
        return;
    const char *queries[] = {"vlinderkoorts", "zeemansgraf", "grootwerk", "stormnacht", "mailen",
                             "", "roman OR thriller OR grootwerk", NULL};
    for (size_t i = 0; queries[i]; i++)
        for (unsigned per_page = 1; per_page <= 20; per_page += 19) {
            vp_search_request r = request(queries[i]);
            r.per_page = per_page;
            r.page = per_page == 1 ? 2 : 1;
            r.facets = (1u << VP_FACET_COUNT) - 1;
            vp_search_result *a = run(single, &r), *b = run(sharded, &r);
            static char da[65536], db[65536];
            if (a && b) {
                describe(a, da, sizeof da);
                describe(b, db, sizeof db);
                if (strcmp(da, db) != 0)
                    fprintf(stderr, "q=%s: one index %s\nshards %s\n", queries[i], da, db);
                CHECK(strcmp(da, db) == 0);
                /* One index counts apart from the page, shards on it. */
                CHECK(a->total_exact == b->total_exact);
                CHECK(a->total_offerings == b->total_offerings);
                for (int fc = 0; fc < VP_FACET_COUNT; fc++) {
                    CHECK(a->n_facets[fc] == b->n_facets[fc]);
                    for (size_t k = 0; k < a->n_facets[fc] && k < b->n_facets[fc]; k++) {
                        CHECK_STR(a->facets[fc][k].value, b->facets[fc][k].value);
                        CHECK(a->facets[fc][k].count == b->facets[fc][k].count);
                    }
                }
            }
            vp_search_result_destroy(a);
            vp_search_result_destroy(b);
        }
    vp_index_close(sharded);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_works VOCABULARY works.jsonl\n");
        return 2;
    }
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], &voc, &verr) != VP_OK) {
        vp_error_print(stderr, "test_works: vocabulary", &verr);
        vp_error_clear(&verr);
        return 2;
    }
    vp_datetime start;
    vp_datetime_parse("2026-11-01T00:00:00Z", &start);
    now = start.utc;
    if (!mkdtemp(dir))
        return 2;
    char path[300];
    snprintf(path, sizeof path, "%s/index", dir);
    vp_index *idx = build(path, argv[2]);
    if (idx) {
        test_one_result(idx);
        test_totals(idx);
        test_big_work(idx);
        test_paging(idx);
        test_shards(idx, argv[2]);
        vp_index_close(idx);
    }
    test_holdings();
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    vp_vocabulary_destroy(voc);
    return check_done();
}
