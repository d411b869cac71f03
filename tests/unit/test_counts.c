/* test_counts.c - totals and facet counts of broad matches: counted with
 * every match apart from the page, kept per index version and never
 * answered from an older one (a commit, a rebuild switched in under the
 * same path), equal whether kept or counted anew.
 *
 * Fixture, made here: BOOKS works of two copies each (libraries lib-a and
 * lib-b) and COURSES courses of lib-a, so a browse matches more offerings
 * than a reader keeps counts for (at least 1000). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "language_fixture.h"
#include "vindplaats/index.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

#define BOOKS 520
#define COURSES 40

static vp_vocabulary *voc;
static int64_t now; /* 2026-11-01: before every course date */
static char dir[] = "/tmp/vp-test-counts-XXXXXX";

/* Book `i` at `library`, its work shared with the other copy. */
static void put_book(vp_index *idx, int i, const char *library)
{
    char line[1024];
    snprintf(line, sizeof line,
             "{\"id\":\"cat-%s:%04d\",\"type\":\"book\",\"title\":\"Leesboek nummer %d\","
             "\"library\":\"%s\",\"work_key\":\"w:leesboek-%04d\",\"source\":\"cat-%s\"}",
             library, i, i, library, i, library);
    language_fixture_put_line(idx, voc, line);
}

static void put_course(vp_index *idx, int i, const char *library)
{
    char line[1024];
    snprintf(line, sizeof line,
             "{\"id\":\"agenda-%s:%04d\",\"type\":\"course\",\"title\":\"Cursus nummer %d\","
             "\"library\":\"%s\",\"start\":\"2026-12-%02dT10:00:00+01:00\","
             "\"end\":\"2026-12-%02dT12:00:00+01:00\",\"source\":\"agenda-%s\"}",
             library, i, i, library, 1 + i % 28, 1 + i % 28, library);
    language_fixture_put_line(idx, voc, line);
}

/* A fresh index at `path`: `books` works of two copies, `courses` courses. */
static void build(const char *path, int books, int courses)
{
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    vp_index_set_clock(w, now);
    for (int i = 0; i < books; i++) {
        put_book(w, i, "lib-a");
        put_book(w, i, "lib-b");
    }
    for (int i = 0; i < courses; i++)
        put_course(w, i, "lib-a");
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);
}

static vp_search_request browse(unsigned without)
{
    vp_search_request r;
    memset(&r, 0, sizeof r);
    r.page = 1;
    r.per_page = 10;
    r.now = now;
    r.facets = (1u << VP_FACET_COUNT) - 1;
    r.without = without;
    return r;
}

static uint64_t facet_count(const vp_search_result *res, vp_field f, const char *value)
{
    for (size_t i = 0; res && i < res->n_facets[f]; i++)
        if (strcmp(res->facets[f][i].value, value) == 0)
            return res->facets[f][i].count;
    return 0;
}

/* A browse with every facet finds `works` works of `offerings` offerings,
 * `a`, `b` and `c` of them at lib-a, lib-b and lib-c, `courses` courses. */
static void expect(vp_index *idx, unsigned without, uint64_t works, uint64_t offerings, uint64_t a,
                   uint64_t b, uint64_t c, uint64_t courses, const char *what)
{
    vp_search_request r = browse(without);
    vp_search_result *res = language_fixture_run(idx, &r);
    if (!res)
        return;
    if (res->total != works || res->total_offerings != offerings ||
        facet_count(res, VP_FIELD_LIBRARY, "lib-a") != a ||
        facet_count(res, VP_FIELD_LIBRARY, "lib-b") != b ||
        facet_count(res, VP_FIELD_LIBRARY, "lib-c") != c ||
        facet_count(res, VP_FIELD_TYPE, "course") != courses)
        fprintf(stderr,
                "%s: total %llu of %llu offerings, lib-a %llu, lib-b %llu, lib-c %llu, "
                "courses %llu\n",
                what, (unsigned long long)res->total, (unsigned long long)res->total_offerings,
                (unsigned long long)facet_count(res, VP_FIELD_LIBRARY, "lib-a"),
                (unsigned long long)facet_count(res, VP_FIELD_LIBRARY, "lib-b"),
                (unsigned long long)facet_count(res, VP_FIELD_LIBRARY, "lib-c"),
                (unsigned long long)facet_count(res, VP_FIELD_TYPE, "course"));
    CHECK(res->total_exact);
    CHECK(res->total == works);
    CHECK(res->total_offerings == offerings);
    CHECK(facet_count(res, VP_FIELD_LIBRARY, "lib-a") == a);
    CHECK(facet_count(res, VP_FIELD_LIBRARY, "lib-b") == b);
    CHECK(facet_count(res, VP_FIELD_LIBRARY, "lib-c") == c);
    CHECK(facet_count(res, VP_FIELD_TYPE, "course") == courses);
    CHECK(facet_count(res, VP_FIELD_TYPE, "book") == offerings - courses);
    CHECK(res->n_hits == 10);
    vp_search_result_destroy(res);
}

/* Kept counts follow every commit the reader sees. */
static void test_commit(const char *path)
{
    build(path, BOOKS, COURSES);
    vp_index *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    if (!idx)
        return;
    uint64_t works = BOOKS + COURSES, offerings = 2 * BOOKS + COURSES;
    expect(idx, 0, works, offerings, BOOKS + COURSES, BOOKS, 0, COURSES, "first");
    expect(idx, 0, works, offerings, BOOKS + COURSES, BOOKS, 0, COURSES, "kept");
    expect(idx, VP_WITHOUT_COUNT_CACHE, works, offerings, BOOKS + COURSES, BOOKS, 0, COURSES,
           "counted anew");

    /* A commit while the reader holds counts: three new works at lib-c,
     * a fourth copy of a lib-a work and one course fewer. */
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (w) {
        vp_index_set_clock(w, now);
        for (int i = 0; i < 3; i++)
            put_book(w, BOOKS + i, "lib-c");
        put_book(w, 0, "lib-c");
        CHECK(vp_index_delete(w, "agenda-lib-a:0000", NULL) == VP_OK);
        CHECK(vp_index_commit(w, NULL) == VP_OK);
        vp_index_close(w);
    }
    expect(idx, 0, works + 3 - 1, offerings + 4 - 1, BOOKS + COURSES - 1, BOOKS, 4, COURSES - 1,
           "after a commit");
    expect(idx, VP_WITHOUT_COUNT_CACHE, works + 3 - 1, offerings + 4 - 1, BOOKS + COURSES - 1,
           BOOKS, 4, COURSES - 1, "after a commit, counted anew");
    vp_index_close(idx);
}

/* Another index switched in under the same path, at the same revision
 * (one commit each) and with as many offerings, is not the one counted. */
static void test_switch(void)
{
    char a[300], b[300], link[300], tmp[300];
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(link, sizeof link, "%s/current", dir);
    snprintf(tmp, sizeof tmp, "%s/current.new", dir);
    build(a, BOOKS, COURSES);
    build(b, BOOKS + COURSES / 2, 0);
    CHECK(symlink("a", link) == 0);
    vp_index *idx = NULL;
    CHECK(vp_index_open(link, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    if (!idx)
        return;
    expect(idx, 0, BOOKS + COURSES, 2 * BOOKS + COURSES, BOOKS + COURSES, BOOKS, 0, COURSES,
           "before the switch");
    CHECK(symlink("b", tmp) == 0);
    CHECK(rename(tmp, link) == 0);
    expect(idx, 0, BOOKS + COURSES / 2, 2 * BOOKS + COURSES, BOOKS + COURSES / 2,
           BOOKS + COURSES / 2, 0, 0, "after the switch");
    vp_index_close(idx);
}

/* Without facets the page match stops at what can reach the page and the
 * works are counted by a selecting match apart: the same page and the same
 * exact totals as a page match that checks 1,000 candidates itself, for a
 * browse (every copy of a book one work), words, a later page and a match
 * the page holds whole. */
static void test_count_apart(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/apart", dir);
    build(path, BOOKS, COURSES);
    vp_index *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    if (!idx)
        return;
    static const struct {
        const char *q;
        int page;
        uint64_t works, offerings;
    } cases[] = {{NULL, 1, BOOKS + COURSES, 2 * BOOKS + COURSES},
                 {NULL, 5, BOOKS + COURSES, 2 * BOOKS + COURSES},
                 {"leesboek", 1, BOOKS, 2 * BOOKS},
                 {"cursus", 2, COURSES, COURSES},
                 {"leesboek nummer 17", 1, 1, 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vp_search_result *res[2] = {NULL, NULL};
        for (int k = 0; k < 2; k++) {
            vp_search_request r = browse(VP_WITHOUT_SPELLING | VP_WITHOUT_ANY_WORDS |
                                         (k ? VP_WITHOUT_COUNT_APART : 0));
            r.facets = 0;
            r.q = cases[i].q;
            r.page = cases[i].page;
            res[k] = language_fixture_run(idx, &r);
        }
        if (!res[0] || !res[1]) {
            vp_search_result_destroy(res[0]);
            vp_search_result_destroy(res[1]);
            continue;
        }
        if (res[0]->total != cases[i].works || res[0]->total_offerings != cases[i].offerings)
            fprintf(stderr, "apart, %s page %d: total %llu of %llu offerings\n",
                    cases[i].q ? cases[i].q : "browse", cases[i].page,
                    (unsigned long long)res[0]->total,
                    (unsigned long long)res[0]->total_offerings);
        for (int k = 0; k < 2; k++) {
            CHECK(res[k]->total == cases[i].works);
            CHECK(res[k]->total_offerings == cases[i].offerings);
            CHECK(res[k]->total_exact);
        }
        CHECK(res[0]->n_hits == res[1]->n_hits && res[0]->n_hits > 0);
        for (size_t h = 0; h < res[0]->n_hits && h < res[1]->n_hits; h++)
            CHECK(strcmp(res[0]->hits[h].id, res[1]->hits[h].id) == 0);
        vp_search_result_destroy(res[0]);
        vp_search_result_destroy(res[1]);
    }
    vp_index_close(idx);
}

/* Nothing matches: no works and no offerings, whatever Xapian estimates
 * for a conjunction of filters that each match. */
static void test_nothing(const char *path)
{
    vp_index *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    if (!idx)
        return;
    /* Courses at lib-b: both filters match offerings, none both. */
    vp_search_request r = browse(0);
    r.q = "cursus";
    const char *lib[] = {"lib-b"}, *type[] = {"course"};
    r.values[VP_FIELD_LIBRARY] = lib;
    r.n_values[VP_FIELD_LIBRARY] = 1;
    r.values[VP_FIELD_TYPE] = type;
    r.n_values[VP_FIELD_TYPE] = 1;
    r.without = VP_WITHOUT_SPELLING | VP_WITHOUT_ANY_WORDS;
    vp_search_result *res = language_fixture_run(idx, &r);
    if (res) {
        if (res->total_offerings != 0)
            fprintf(stderr, "nothing: total %llu of %llu offerings\n",
                    (unsigned long long)res->total, (unsigned long long)res->total_offerings);
        CHECK(res->total == 0);
        CHECK(res->total_offerings == 0);
        CHECK(res->n_hits == 0);
        /* The library facet, counted without its own filter, still counts. */
        CHECK(facet_count(res, VP_FIELD_LIBRARY, "lib-a") == COURSES - 1);
    }
    vp_search_result_destroy(res);
    vp_index_close(idx);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_counts VOCABULARY\n");
        return 2;
    }
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], &voc, &verr) != VP_OK) {
        vp_error_print(stderr, "test_counts: vocabulary", &verr);
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
    test_commit(path);
    test_nothing(path);
    test_count_apart();
    test_switch();
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    vp_vocabulary_destroy(voc);
    return check_done();
}
