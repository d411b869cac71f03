/* test_threads.c - searches from several threads at once, each on its own
 * reader of one index, as the server's workers run them: every thread sees
 * the answers one thread alone sees, and nothing the threads share is
 * written by two of them at once (built under ASan or TSan, a shared
 * Xapian object whose reference count two threads change shows up here as
 * a use after free or a race).
 *
 * Fixture, made here: COURSES courses and BOOKS books of one library. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "language_fixture.h"
#include "vindplaats/index.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

#define COURSES 30
#define BOOKS 30
#define THREADS 4
#define ROUNDS 1500

static vp_vocabulary *voc;
static int64_t now; /* 2026-11-01: before every course date */
static char dir[] = "/tmp/vp-test-threads-XXXXXX";

static const char *const course_type[] = {"course"};

/* The searches every thread runs: a browse (no words: the whole index,
 * filtered or not) and words. */
typedef struct probe {
    const char *q;
    int courses_only;
    uint64_t total; /* what one thread alone finds */
} probe;

static probe probes[] = {
    {NULL, 0, 0},
    {NULL, 1, 0},
    {"cursus", 0, 0},
    {"leesboek", 0, 0},
    {"", 1, 0},
};
#define N_PROBES (sizeof probes / sizeof probes[0])

/* The total of probe `p` on `idx`; UINT64_MAX when the search failed. */
static uint64_t total_of(vp_index *idx, const probe *p)
{
    vp_search_request r;
    memset(&r, 0, sizeof r);
    r.q = p->q;
    r.page = 1;
    r.per_page = 5;
    r.now = now;
    if (p->courses_only) {
        r.values[VP_FIELD_TYPE] = course_type;
        r.n_values[VP_FIELD_TYPE] = 1;
    }
    vp_search_result *res = NULL;
    if (vp_search_execute(idx, &r, &res, NULL) != VP_OK || !res)
        return UINT64_MAX;
    uint64_t total = res->total;
    vp_search_result_destroy(res);
    return total;
}

typedef struct worker {
    vp_index *idx;
    unsigned wrong; /* answers that differ from one thread's */
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    for (unsigned i = 0; i < ROUNDS; i++) {
        const probe *p = &probes[i % N_PROBES];
        if (total_of(w->idx, p) != p->total)
            w->wrong++;
    }
    return NULL;
}

static void build(const char *path)
{
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    vp_index_set_clock(w, now);
    char line[1024];
    for (int i = 0; i < COURSES; i++) {
        snprintf(line, sizeof line,
                 "{\"id\":\"agenda-a:%04d\",\"type\":\"course\",\"title\":\"Cursus nummer %d\","
                 "\"library\":\"lib-a\",\"start\":\"2026-12-%02dT10:00:00+01:00\","
                 "\"end\":\"2026-12-%02dT12:00:00+01:00\",\"source\":\"agenda-a\"}",
                 i, i, 1 + i % 28, 1 + i % 28);
        language_fixture_put_line(w, voc, line);
    }
    for (int i = 0; i < BOOKS; i++) {
        snprintf(line, sizeof line,
                 "{\"id\":\"cat-a:%04d\",\"type\":\"book\",\"title\":\"Leesboek nummer %d\","
                 "\"library\":\"lib-a\",\"source\":\"cat-a\"}",
                 i, i);
        language_fixture_put_line(w, voc, line);
    }
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s VOCABULARY\n", argv[0]);
        return 2;
    }
    vp_error err = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], &voc, &err) != VP_OK) {
        vp_error_print(stderr, NULL, &err);
        vp_error_clear(&err);
        return 2;
    }
    CHECK(mkdtemp(dir) != NULL);
    now = 1793487600; /* 2026-11-01T00:00:00+01:00 */
    build(dir);

    worker workers[THREADS];
    memset(workers, 0, sizeof workers);
    for (int t = 0; t < THREADS; t++)
        CHECK(vp_index_open(dir, VP_INDEX_READ, voc, &workers[t].idx, NULL) == VP_OK);
    for (size_t p = 0; p < N_PROBES && workers[0].idx; p++) {
        probes[p].total = total_of(workers[0].idx, &probes[p]);
        CHECK(probes[p].total != UINT64_MAX && probes[p].total > 0);
    }
    CHECK(probes[0].total == COURSES + BOOKS);
    CHECK(probes[1].total == COURSES);

    pthread_t threads[THREADS];
    int started[THREADS] = {0};
    for (int t = 0; t < THREADS; t++)
        if (workers[t].idx)
            started[t] = pthread_create(&threads[t], NULL, run_worker, &workers[t]) == 0;
    for (int t = 0; t < THREADS; t++) {
        CHECK(started[t]);
        if (started[t])
            pthread_join(threads[t], NULL);
        if (workers[t].wrong)
            fprintf(stderr, "thread %d: %u of %u answers differ from one thread's\n", t,
                    workers[t].wrong, ROUNDS);
        CHECK(workers[t].wrong == 0);
        vp_index_close(workers[t].idx);
    }

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    vp_vocabulary_destroy(voc);
    return check_done();
}
