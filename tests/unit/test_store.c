/* test_store.c - the signal store (store.h), both back ends.
 *
 * Usage: test_store OLD-FORMAT-DIR   (tests/data/store/old-format)
 *
 * Starts a real redis-server on a free loopback port (persistence off) and
 * runs the same scenario against the embedded store (SQLite in a mkdtemp
 * directory, and in memory) and the Redis store: kinds and weights, decay,
 * co-use, counters, records, bytes, validation, and identical answers from
 * both for the same signals. Then the embedded store's persistence
 * (close/open, a copy taken while open as a crash leaves it, a real kill -9
 * of a writing process, also while its journal is being folded, the
 * directory lock, volume), its migration from the
 * files of before SQLite (the committed fixture: all of it, once, a torn
 * tail left out, damage refused), and Redis going away: every call fails fast with VP_ERR_IO while it is
 * down, and the store reconnects by itself when it is back (with the data
 * of before gone: the test server keeps nothing on disk). A redis-server
 * that is missing is a failure: scripts/install-deps.sh installs it.
 * Only public headers are used. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "check.h"
#include "redis.h"
#include "vindplaats/status.h"
#include "vindplaats/store.h"

#define DAY 86400
#define HL (30 * DAY)                       /* the default half-life */
#define NOW ((int64_t)VP_STORE_EPOCH + 90 * DAY)

static double max_outage_ms;                /* slowest call while Redis was down */

/* ---- small helpers ---- */

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int close_rel(double a, double b, double tol)
{
    if (a == b)
        return 1;
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static vp_signal sig(vp_signal_kind k, const char *off, const char *seg, const char *q,
                     const char *camp, int64_t at)
{
    vp_signal s = {k, off, seg, q, camp, at};
    return s;
}

/* ---- the scenario, the same for both back ends ---- */

static void check_kinds(void)
{
    CHECK_STR(vp_signal_kind_name(VP_SIGNAL_VIEW), "view");
    CHECK_STR(vp_signal_kind_name(VP_SIGNAL_SHARE), "share");
    CHECK(vp_signal_kind_name(VP_SIGNAL_KIND_COUNT) == NULL);
    CHECK(vp_signal_kind_by_name("loan") == VP_SIGNAL_LOAN);
    CHECK(vp_signal_kind_by_name("signup") == VP_SIGNAL_SIGNUP);
    CHECK(vp_signal_kind_by_name("like") == -1);
    CHECK(vp_signal_kind_by_name(NULL) == -1);
    CHECK(vp_signal_weight(VP_SIGNAL_VIEW) == 1 && vp_signal_weight(VP_SIGNAL_CLICK) == 2 &&
          vp_signal_weight(VP_SIGNAL_SHARE) == 3 && vp_signal_weight(VP_SIGNAL_SIGNUP) == 5 &&
          vp_signal_weight(VP_SIGNAL_LOAN) == 5);
}

static void add_scenario(vp_store *st)
{
    vp_signal ev[] = {
        sig(VP_SIGNAL_VIEW, "a", "gezin", "q1", "zomer", NOW),
        sig(VP_SIGNAL_CLICK, "b", "gezin", "q1", "zomer", NOW),
        sig(VP_SIGNAL_CLICK, "a", "gezin", "q1", NULL, NOW),
        sig(VP_SIGNAL_LOAN, "c", "senior", NULL, NULL, NOW - HL),
        sig(VP_SIGNAL_VIEW, "old", NULL, NULL, NULL, NOW - HL),
        sig(VP_SIGNAL_VIEW, "new", NULL, NULL, NULL, NOW),
        sig(VP_SIGNAL_SHARE, "c", NULL, "q2", "zomer", NOW),
        sig(VP_SIGNAL_VIEW, "d", NULL, "q2", NULL, NOW),
        sig(VP_SIGNAL_VIEW, "t1", NULL, NULL, NULL, NOW - 2 * HL),
        sig(VP_SIGNAL_VIEW, "t2", NULL, NULL, NULL, NOW - 2 * HL),
    };
    vp_error err = VP_ERROR_INIT;
    vp_status rc = vp_store_add_signals(st, ev, sizeof ev / sizeof *ev, &err);
    CHECK(rc == VP_OK);
    if (rc != VP_OK)
        vp_error_print(stderr, "add_signals", &err);
    vp_error_clear(&err);
}

/* What add_scenario must give, read back. */
static void check_scenario(vp_store *st, const char *name)
{
    vp_scored *top = NULL;
    size_t n = 0;
    fprintf(stderr, "-- scenario: %s\n", name);
    CHECK(vp_store_top(st, NULL, NOW, 100, &top, &n, NULL) == VP_OK);
    static const char *const order[] = {"c", "a", "b", "new", "d", "old", "t2", "t1"};
    static const double want[] = {5.5, 3, 2, 1, 1, 0.5, 0.25, 0.25};
    CHECK(n == 8);
    for (size_t i = 0; i < n && i < 8; i++) {
        CHECK_STR(top[i].key, order[i]);
        CHECK(close_rel(top[i].score, want[i], 1e-12));
    }
    vp_scored_free(top, n);

    /* Limit, and decay: one half-life later everything counts half. */
    CHECK(vp_store_top(st, NULL, NOW + HL, 2, &top, &n, NULL) == VP_OK);
    CHECK(n == 2 && close_rel(top[0].score, 2.75, 1e-12) && close_rel(top[1].score, 1.5, 1e-12));
    vp_scored_free(top, n);
    CHECK(vp_store_top(st, NULL, NOW, 0, &top, &n, NULL) == VP_OK);
    CHECK(n == 0 && top == NULL);

    /* Per segment. */
    CHECK(vp_store_top(st, "gezin", NOW, 10, &top, &n, NULL) == VP_OK);
    CHECK(n == 2 && n >= 2 && strcmp(top[0].key, "a") == 0 && close_rel(top[0].score, 3, 1e-12) &&
          strcmp(top[1].key, "b") == 0 && close_rel(top[1].score, 2, 1e-12));
    vp_scored_free(top, n);
    CHECK(vp_store_top(st, "senior", NOW, 10, &top, &n, NULL) == VP_OK);
    CHECK(n == 1 && strcmp(top[0].key, "c") == 0 && close_rel(top[0].score, 2.5, 1e-12));
    vp_scored_free(top, n);
    CHECK(vp_store_top(st, "niemand", NOW, 10, &top, &n, NULL) == VP_OK);
    CHECK(n == 0);

    /* Scores; unknown and unstorable ids score 0. */
    const char *ids[] = {"old", "new", "nope", NULL, "", "c"};
    double sc[6] = {-1, -1, -1, -1, -1, -1};
    CHECK(vp_store_scores(st, NULL, ids, 6, NOW, sc, NULL) == VP_OK);
    CHECK(close_rel(sc[0], 0.5, 1e-12) && close_rel(sc[1], 1, 1e-12) && sc[2] == 0 &&
          sc[3] == 0 && sc[4] == 0 && close_rel(sc[5], 5.5, 1e-12));
    CHECK(vp_store_scores(st, "senior", ids, 6, NOW - HL, sc, NULL) == VP_OK);
    CHECK(sc[0] == 0 && close_rel(sc[5], 5, 1e-12));

    /* Co-use: b followed a in q1 (click, 2), then a again (click, 2). */
    CHECK(vp_store_co_used(st, "a", NOW, 10, &top, &n, NULL) == VP_OK);
    CHECK(n == 1 && strcmp(top[0].key, "b") == 0 && close_rel(top[0].score, 4, 1e-12));
    vp_scored_free(top, n);
    CHECK(vp_store_co_used(st, "b", NOW, 10, &top, &n, NULL) == VP_OK);
    CHECK(n == 1 && strcmp(top[0].key, "a") == 0 && close_rel(top[0].score, 4, 1e-12));
    vp_scored_free(top, n);
    CHECK(vp_store_co_used(st, "c", NOW, 10, &top, &n, NULL) == VP_OK);
    CHECK(n == 1 && strcmp(top[0].key, "d") == 0 && close_rel(top[0].score, 1, 1e-12));
    vp_scored_free(top, n);
    CHECK(vp_store_co_used(st, "old", NOW, 10, &top, &n, NULL) == VP_OK);
    CHECK(n == 0);

    /* Campaign counts: kinds per campaign, greatest first, ties by key. */
    CHECK(vp_store_counters(st, "campaign", &top, &n, NULL) == VP_OK);
    CHECK(n == 3 && strcmp(top[0].key, "zomer:click") == 0 &&
          strcmp(top[1].key, "zomer:share") == 0 && strcmp(top[2].key, "zomer:view") == 0 &&
          top[0].score == 1 && top[2].score == 1);
    vp_scored_free(top, n);
}

static void check_records(vp_store *st)
{
    char *v = NULL, **keys = NULL;
    vp_error err = VP_ERROR_INIT;
    size_t n = 0;
    const char *tricky = "a b\nc%d\t\xc3\xa9 - %41";
    CHECK(vp_store_put(st, "saved", "k2", tricky, NULL) == VP_OK);
    CHECK(vp_store_put(st, "saved", "k1", "", NULL) == VP_OK);
    CHECK(vp_store_put(st, "saved", "k 3%", "first", NULL) == VP_OK);
    CHECK(vp_store_put(st, "saved", "k 3%", "second", NULL) == VP_OK);
    CHECK(vp_store_get(st, "saved", "k2", &v, NULL) == VP_OK);
    CHECK_STR(v, tricky);
    free(v);
    v = NULL;
    CHECK(vp_store_get(st, "saved", "k1", &v, NULL) == VP_OK);
    CHECK_STR(v, "");
    free(v);
    v = NULL;
    CHECK(vp_store_get(st, "saved", "k 3%", &v, NULL) == VP_OK);
    CHECK_STR(v, "second");
    free(v);
    v = NULL;
    CHECK(vp_store_keys(st, "saved", &keys, &n, NULL) == VP_OK);
    CHECK(n == 3 && strcmp(keys[0], "k 3%") == 0 && strcmp(keys[1], "k1") == 0 &&
          strcmp(keys[2], "k2") == 0);
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    CHECK(vp_store_delete(st, "saved", "k1", NULL) == VP_OK);
    /* The record missing is named as a path, whatever the back end. */
    CHECK(vp_store_delete(st, "saved", "k1", &err) == VP_ERR_NOT_FOUND);
    CHECK(err.status == VP_ERR_NOT_FOUND);
    CHECK_STR(err.path, "saved/k1");
    CHECK_STR(err.message, "not found");
    vp_error_clear(&err);
    CHECK(vp_store_get(st, "saved", "k 3%", &v, &err) == VP_OK && err.status == VP_OK);
    free(v);
    v = NULL;
    CHECK(vp_store_get(st, "saved", "k1", &v, &err) == VP_ERR_NOT_FOUND && v == NULL);
    CHECK_STR(err.path, "saved/k1");
    vp_error_clear(&err);
    CHECK(vp_store_get(st, "nergens", "k1", &v, NULL) == VP_ERR_NOT_FOUND);
    CHECK(vp_store_keys(st, "saved", &keys, &n, NULL) == VP_OK);
    CHECK(n == 2 && strcmp(keys[0], "k 3%") == 0 && strcmp(keys[1], "k2") == 0);
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    CHECK(vp_store_keys(st, "leeg", &keys, &n, NULL) == VP_OK);
    CHECK(n == 0);

    /* Counters. */
    vp_scored *c = NULL;
    CHECK(vp_store_count(st, "insights", "q:fietsen", 2.5, NULL) == VP_OK);
    CHECK(vp_store_count(st, "insights", "q:fietsen", 1, NULL) == VP_OK);
    CHECK(vp_store_count(st, "insights", "q:boeken", 1, NULL) == VP_OK);
    CHECK(vp_store_count(st, "insights", "q:zee", 0.1, NULL) == VP_OK);
    CHECK(vp_store_count(st, "insights", "q:zee", 0.2, NULL) == VP_OK);
    CHECK(vp_store_counters(st, "insights", &c, &n, NULL) == VP_OK);
    CHECK(n == 3 && strcmp(c[0].key, "q:fietsen") == 0 && c[0].score == 3.5 &&
          strcmp(c[1].key, "q:boeken") == 0 && c[1].score == 1 &&
          close_rel(c[2].score, 0.3, 1e-15));
    vp_scored_free(c, n);
    CHECK(vp_store_counters(st, "geen", &c, &n, NULL) == VP_OK);
    CHECK(n == 0);

    /* Several counters in one write: all of them, or with a bad entry
     * (named by its index) none of them. */
    vp_count many[] = {{"batch", "a", 1}, {"batch", "b", 2}, {"batch", "a", 0.5}};
    CHECK(vp_store_count_many(st, many, 3, NULL) == VP_OK);
    CHECK(vp_store_count_many(st, many, 0, NULL) == VP_OK);
    vp_count bad[] = {{"batch", "a", 10}, {"batch", "", 1}};
    vp_error err2 = VP_ERROR_INIT;
    CHECK(vp_store_count_many(st, bad, 2, &err2) == VP_ERR_INVALID);
    CHECK_STR(err2.path, "counts[1].key");
    CHECK_CONTAINS(err2.message, "empty");
    vp_error_clear(&err2);
    bad[1] = (vp_count){"batch", "b", NAN};
    CHECK(vp_store_count_many(st, bad, 2, &err2) == VP_ERR_INVALID);
    CHECK_STR(err2.path, "counts[1].by");
    vp_error_clear(&err2);
    vp_count *too_many = calloc(VP_STORE_MAX_BATCH + 1, sizeof *too_many);
    for (size_t i = 0; too_many && i <= VP_STORE_MAX_BATCH; i++)
        too_many[i] = (vp_count){"batch", "a", 1};
    CHECK(vp_store_count_many(st, too_many, VP_STORE_MAX_BATCH + 1, NULL) == VP_ERR_TOO_BIG);
    free(too_many);
    CHECK(vp_store_counters(st, "batch", &c, &n, NULL) == VP_OK);
    CHECK(n == 2 && strcmp(c[0].key, "b") == 0 && c[0].score == 2 &&
          strcmp(c[1].key, "a") == 0 && c[1].score == 1.5);
    vp_scored_free(c, n);
}

/* Takes the address of the error: C leaves the order of evaluating
 * arguments open, so the call has to have happened before it is read.
 * The argument refused is the path, what is wrong with it the message. */
static void expect_invalid(vp_status rc, vp_error *err, const char *path, const char *msg)
{
    CHECK(rc == VP_ERR_INVALID && err->status == VP_ERR_INVALID);
    CHECK_STR(err->path, path);
    CHECK_CONTAINS(err->message, msg);
    if (!err->path || strcmp(err->path, path) != 0)
        vp_error_print(stderr, "expected the path", err);
    vp_error_clear(err);
}

static void check_validation(vp_store *st)
{
    vp_error err = VP_ERROR_INIT;
    char long_key[VP_STORE_MAX_KEY + 2];
    memset(long_key, 'x', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    char max_key[VP_STORE_MAX_KEY + 1];
    memset(max_key, 'm', sizeof max_key - 1);
    max_key[sizeof max_key - 1] = '\0';

    vp_signal ev[3] = {
        sig(VP_SIGNAL_VIEW, "v1", NULL, NULL, NULL, NOW),
        sig(VP_SIGNAL_VIEW, NULL, NULL, NULL, NULL, NOW),
        sig(VP_SIGNAL_VIEW, "v3", NULL, NULL, NULL, NOW),
    };
    expect_invalid(vp_store_add_signals(st, ev, 3, &err), &err, "events[1].offering", "missing");
    ev[1].offering = "";
    expect_invalid(vp_store_add_signals(st, ev, 3, &err), &err, "events[1].offering", "empty");
    ev[1].offering = "v2";
    ev[2].segment = long_key;
    expect_invalid(vp_store_add_signals(st, ev, 3, &err), &err, "events[2].segment",
                   "longer than 200 bytes");
    ev[2].segment = NULL;
    ev[2].query_id = long_key;
    expect_invalid(vp_store_add_signals(st, ev, 3, &err), &err, "events[2].query_id",
                   "longer than");
    ev[2].query_id = NULL;
    ev[0].campaign = long_key;
    expect_invalid(vp_store_add_signals(st, ev, 3, &err), &err, "events[0].campaign",
                   "longer than");
    ev[0].campaign = NULL;
    ev[1].kind = (vp_signal_kind)99;
    expect_invalid(vp_store_add_signals(st, ev, 3, &err), &err, "events[1].kind", "unknown");
    ev[1].kind = VP_SIGNAL_VIEW;
    ev[1].at = INT64_MAX / 2;
    expect_invalid(vp_store_add_signals(st, ev, 3, &err), &err, "events[1].at", "too far");
    ev[1].at = NOW;

    vp_signal *many = calloc(VP_STORE_MAX_BATCH + 1, sizeof *many);
    for (size_t i = 0; i <= VP_STORE_MAX_BATCH; i++)
        many[i] = sig(VP_SIGNAL_VIEW, "v1", NULL, NULL, NULL, NOW);
    expect_invalid(vp_store_add_signals(st, many, VP_STORE_MAX_BATCH + 1, &err), &err, "events",
                   "1001 in one batch");
    free(many);

    /* Nothing of the rejected batches arrived. */
    const char *ids[] = {"v1", "v2", "v3"};
    double sc[3] = {-1, -1, -1};
    CHECK(vp_store_scores(st, NULL, ids, 3, NOW, sc, NULL) == VP_OK);
    CHECK(sc[0] == 0 && sc[1] == 0 && sc[2] == 0);
    /* A key of exactly the maximum is fine; no events is fine. */
    ev[0].offering = max_key;
    CHECK(vp_store_add_signals(st, ev, 1, NULL) == VP_OK);
    CHECK(vp_store_add_signals(st, NULL, 0, NULL) == VP_OK);
    ids[0] = max_key;
    CHECK(vp_store_scores(st, NULL, ids, 1, NOW, sc, NULL) == VP_OK && close_rel(sc[0], 1, 1e-12));

    vp_scored *s = NULL;
    size_t n = 0;
    expect_invalid(vp_store_top(st, long_key, NOW, 10, &s, &n, &err), &err, "segment", "longer");
    expect_invalid(vp_store_co_used(st, NULL, NOW, 10, &s, &n, &err), &err, "offering", "missing");
    expect_invalid(vp_store_scores(st, "", ids, 1, NOW, sc, &err), &err, "segment", "empty");
    expect_invalid(vp_store_put(st, NULL, "k", "v", &err), &err, "ns", "missing");
    expect_invalid(vp_store_put(st, "ns", long_key, "v", &err), &err, "key", "longer");
    expect_invalid(vp_store_put(st, "ns", "k", NULL, &err), &err, "value", "missing");
    char *v = NULL;
    expect_invalid(vp_store_get(st, "ns", "", &v, &err), &err, "key", "empty");
    expect_invalid(vp_store_delete(st, long_key, "k", &err), &err, "ns", "longer");
    expect_invalid(vp_store_count(st, "ns", "k", NAN, &err), &err, "by", "not a finite number");
    expect_invalid(vp_store_count(st, "ns", "k", INFINITY, &err), &err, "by",
                   "not a finite number");
    char **keys = NULL;
    expect_invalid(vp_store_keys(st, NULL, &keys, &n, &err), &err, "ns", "missing");
    expect_invalid(vp_store_counters(st, "", &s, &n, &err), &err, "ns", "empty");
    /* err may be NULL. */
    CHECK(vp_store_put(st, NULL, "k", "v", NULL) == VP_ERR_INVALID);
    char *big = malloc(70000);
    memset(big, 'v', 69999);
    big[69999] = '\0';
    CHECK(vp_store_put(st, "ns", "k", big, &err) == VP_ERR_TOO_BIG);
    CHECK_STR(err.path, "value");
    vp_error_clear(&err);
    free(big);
}

/* One query_id with far more offerings than a page: co-use stays bounded. */
static void check_co_cap(vp_store *st)
{
    vp_signal *ev = calloc(VP_STORE_MAX_BATCH, sizeof *ev);
    char (*ids)[16] = calloc(VP_STORE_MAX_BATCH, sizeof *ids);
    for (size_t i = 0; i < VP_STORE_MAX_BATCH; i++) {
        snprintf(ids[i], sizeof ids[i], "cap%04zu", i);
        ev[i] = sig(VP_SIGNAL_VIEW, ids[i], NULL, "qcap", NULL, NOW);
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(vp_store_add_signals(st, ev, VP_STORE_MAX_BATCH, NULL) == VP_OK);
    double ms = ms_since(&t0);
    CHECK(ms < 2000);
    vp_scored *s = NULL;
    size_t n = 0;
    CHECK(vp_store_co_used(st, "cap0000", NOW, 1000, &s, &n, NULL) == VP_OK);
    CHECK(n == 31);
    vp_scored_free(s, n);
    CHECK(vp_store_co_used(st, "cap0500", NOW, 1000, &s, &n, NULL) == VP_OK);
    CHECK(n == 0);
    vp_scored_free(s, n);
    free(ev);
    free(ids);
}

/* ---- the same random signals into both: the same answers ---- */

static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

static char offs[60][16], segs[6][16], qids[40][16], camps[4][16];

static void add_random(vp_store *a, vp_store *b)
{
    for (int i = 0; i < 60; i++)
        snprintf(offs[i], sizeof offs[i], "nb:%d", i);
    for (int i = 0; i < 6; i++)
        snprintf(segs[i], sizeof segs[i], "seg%d", i);
    for (int i = 0; i < 40; i++)
        snprintf(qids[i], sizeof qids[i], "q%d", i);
    for (int i = 0; i < 4; i++)
        snprintf(camps[i], sizeof camps[i], "c%d", i);
    rng_state = 42;
    vp_signal *ev = calloc(VP_STORE_MAX_BATCH, sizeof *ev);
    for (int batch = 0; batch < 3; batch++) {
        size_t n = batch == 2 ? 37 : VP_STORE_MAX_BATCH;
        for (size_t i = 0; i < n; i++) {
            /* Skewed popularity, so the top lists are not all ties. */
            unsigned o = rnd(60);
            o = o < 30 ? rnd(o + 1) : o;
            ev[i] = sig((vp_signal_kind)rnd(VP_SIGNAL_KIND_COUNT), offs[o],
                        rnd(3) ? segs[rnd(6)] : NULL, rnd(2) ? qids[rnd(40)] : NULL,
                        rnd(5) == 0 ? camps[rnd(4)] : NULL,
                        (int64_t)VP_STORE_EPOCH + (int64_t)rnd(200 * DAY));
        }
        vp_error err = VP_ERROR_INIT;
        struct timespec t0;
        CHECK(vp_store_add_signals(a, ev, n, &err) == VP_OK);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        vp_status rc = vp_store_add_signals(b, ev, n, &err);
        fprintf(stderr, "random batch %d of %zu events: %.1f ms on redis\n", batch, n,
                ms_since(&t0));
        CHECK(rc == VP_OK);
        if (rc != VP_OK || err.status != VP_OK)
            vp_error_print(stderr, "add_random", &err);
        vp_error_clear(&err);
    }
    free(ev);
}

static int compared, identical;   /* scores compared between back ends, bit for bit equal */

/* Same keys in the same order, scores within 1e-9 relative. */
static int same_list(const vp_scored *x, size_t nx, const vp_scored *y, size_t ny)
{
    if (nx != ny)
        return 0;
    for (size_t i = 0; i < nx; i++) {
        if (strcmp(x[i].key, y[i].key) != 0 || !close_rel(x[i].score, y[i].score, 1e-9))
            return 0;
        compared++;
        identical += x[i].score == y[i].score;
    }
    return 1;
}

static void compare_stores(vp_store *a, vp_store *b, const char *what)
{
    vp_scored *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    int64_t times[] = {NOW, NOW + 400 * DAY};
    int differ = 0, nonempty = 0;
    for (size_t t = 0; t < 2; t++) {
        for (int s = -1; s < 6; s++) {
            const char *seg = s < 0 ? NULL : segs[s];
            CHECK(vp_store_top(a, seg, times[t], 100, &x, &nx, NULL) == VP_OK);
            CHECK(vp_store_top(b, seg, times[t], 100, &y, &ny, NULL) == VP_OK);
            differ += !same_list(x, nx, y, ny);
            nonempty += nx > 0;
            vp_scored_free(x, nx);
            vp_scored_free(y, ny);
        }
        for (int o = 0; o < 60; o++) {
            CHECK(vp_store_co_used(a, offs[o], times[t], 20, &x, &nx, NULL) == VP_OK);
            CHECK(vp_store_co_used(b, offs[o], times[t], 20, &y, &ny, NULL) == VP_OK);
            differ += !same_list(x, nx, y, ny);
            vp_scored_free(x, nx);
            vp_scored_free(y, ny);
        }
        const char *ids[61];
        double sa[61], sb[61];
        for (int o = 0; o < 60; o++)
            ids[o] = offs[o];
        ids[60] = "missing";
        for (int s = -1; s < 6; s++) {
            const char *seg = s < 0 ? NULL : segs[s];
            CHECK(vp_store_scores(a, seg, ids, 61, times[t], sa, NULL) == VP_OK);
            CHECK(vp_store_scores(b, seg, ids, 61, times[t], sb, NULL) == VP_OK);
            for (int o = 0; o < 61; o++) {
                differ += !close_rel(sa[o], sb[o], 1e-9);
                compared++;
                identical += sa[o] == sb[o];
            }
        }
    }
    CHECK(vp_store_counters(a, "campaign", &x, &nx, NULL) == VP_OK);
    CHECK(vp_store_counters(b, "campaign", &y, &ny, NULL) == VP_OK);
    differ += !same_list(x, nx, y, ny);
    CHECK(nx > 0);
    vp_scored_free(x, nx);
    vp_scored_free(y, ny);
    CHECK(differ == 0);
    CHECK(nonempty == 14);
    fprintf(stderr, "%s: %d answers differ; %d scores compared, %d bit for bit equal\n", what,
            differ, compared, identical);
}

/* ---- threads ---- */

typedef struct worker {
    vp_store *st;
    int id, rounds;
    atomic_int ok;
    int io, other;
    double slowest_ms;
    atomic_int *stop;
} worker;

static void worker_init(worker *w, vp_store *st, int id, int rounds, atomic_int *stop)
{
    memset(w, 0, sizeof *w);
    w->st = st;
    w->id = id;
    w->rounds = rounds;
    atomic_init(&w->ok, 0);
    w->stop = stop;
}

static void *work(void *arg)
{
    worker *w = arg;
    char off[32];
    snprintf(off, sizeof off, "thr%d", w->id);
    for (int i = 0; (w->rounds && i < w->rounds) || (!w->rounds && !atomic_load(w->stop)); i++) {
        vp_signal ev[2] = {sig(VP_SIGNAL_CLICK, off, "thr", NULL, NULL, VP_STORE_EPOCH),
                           sig(VP_SIGNAL_VIEW, "thr-all", NULL, NULL, NULL, VP_STORE_EPOCH)};
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        vp_status rc = vp_store_add_signals(w->st, ev, 2, NULL);
        double ms = ms_since(&t0);
        vp_scored *s = NULL;
        size_t n = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        vp_status rc2 = vp_store_top(w->st, "thr", VP_STORE_EPOCH, 10, &s, &n, NULL);
        vp_scored_free(s, n);
        ms = fmax(ms, ms_since(&t0));
        if (ms > w->slowest_ms)
            w->slowest_ms = ms;
        vp_status rcs[2] = {rc, rc2};
        for (int k = 0; k < 2; k++) {
            if (rcs[k] == VP_OK)
                w->ok++;
            else if (rcs[k] == VP_ERR_IO)
                w->io++;
            else
                w->other++;
        }
        if (!w->rounds)
            sleep_ms(2);
    }
    return NULL;
}

/* 4 threads x 200 rounds; the counts add up exactly (increments of 1 and 2). */
static void check_threads(vp_store *st)
{
    pthread_t th[4];
    worker w[4];
    atomic_int stop;
    atomic_init(&stop, 0);
    for (int i = 0; i < 4; i++) {
        worker_init(&w[i], st, i, 200, &stop);
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(w[i].ok == 400 && w[i].io == 0 && w[i].other == 0);
    }
    const char *ids[] = {"thr-all", "thr0", "thr3"};
    double sc[3];
    CHECK(vp_store_scores(st, NULL, ids, 3, VP_STORE_EPOCH, sc, NULL) == VP_OK);
    CHECK(sc[0] == 800 && sc[1] == 400 && sc[2] == 400);
}

/* Keys and values are bytes: not UTF-8, '%' and spaces come back as they
 * went in, and ties order by bytes (unsigned). */
static void check_bytes(vp_store *st)
{
    const char *key = "k\xff\xfe %41", *val = "v\xc0\x80\xff";
    char *v = NULL, **keys = NULL;
    size_t n = 0;
    CHECK(vp_store_put(st, "bytes", key, val, NULL) == VP_OK);
    CHECK(vp_store_get(st, "bytes", key, &v, NULL) == VP_OK);
    CHECK_STR(v, val);
    free(v);
    CHECK(vp_store_keys(st, "bytes", &keys, &n, NULL) == VP_OK);
    CHECK(n == 1 && keys && strcmp(keys[0], key) == 0);
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    vp_signal ev[] = {
        sig(VP_SIGNAL_VIEW, "x\x7f", "seg\xff", NULL, NULL, NOW),
        sig(VP_SIGNAL_VIEW, "x\x80", "seg\xff", NULL, NULL, NOW),
        sig(VP_SIGNAL_VIEW, "x~", "seg\xff", NULL, NULL, NOW),
    };
    CHECK(vp_store_add_signals(st, ev, 3, NULL) == VP_OK);
    vp_scored *top = NULL;
    CHECK(vp_store_top(st, "seg\xff", NOW, 10, &top, &n, NULL) == VP_OK);
    CHECK(n == 3 && top && strcmp(top[0].key, "x\x80") == 0 &&
          strcmp(top[1].key, "x\x7f") == 0 && strcmp(top[2].key, "x~") == 0);
    vp_scored_free(top, n);
    CHECK(vp_store_count(st, "bytes", key, 2, NULL) == VP_OK);
    CHECK(vp_store_counters(st, "bytes", &top, &n, NULL) == VP_OK);
    CHECK(n == 1 && top && strcmp(top[0].key, key) == 0 && top[0].score == 2);
    vp_scored_free(top, n);
}

/* ---- embedded persistence ---- */

static int copy_dir(const char *from, const char *to)
{
    DIR *d = opendir(from);
    if (!d || mkdir(to, 0755) != 0)
        return -1;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/%s", from, de->d_name);
        snprintf(b, sizeof b, "%s/%s", to, de->d_name);
        FILE *in = fopen(a, "rb"), *out = fopen(b, "wb");
        char buf[8192];
        size_t n;
        while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, n, out);
        if (!in || !out)
            rc = -1;
        if (in)
            fclose(in);
        if (out)
            fclose(out);
    }
    closedir(d);
    return rc;
}

/* 1 when the files `a` and `b` hold the same bytes. */
static int same_file(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    char x[8192], y[8192];
    while (same) {
        size_t na = fread(x, 1, sizeof x, fa), nb = fread(y, 1, sizeof y, fb);
        same = na == nb && memcmp(x, y, na) == 0;
        if (na == 0)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

/* What a crash would leave of the directory of an open store: a copy of
 * its files that no checkpoint or fold changed while it was made (file by
 * file, a copy is no snapshot: store.db copied after a checkpoint beside
 * a store.db-wal copied before it mixes two states). Copies again, every
 * 100 ms, until every file still matches its copy afterwards; -1 when that
 * did not happen within 10 s. */
static int copy_dir_still(const char *from, const char *to)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        char cmd[1100];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", to);
        if (attempt && system(cmd) != 0)
            return -1;
        if (copy_dir(from, to) != 0)
            return -1;
        DIR *d = opendir(from);
        struct dirent *de;
        int same = d != NULL;
        while (same && (de = readdir(d)) != NULL) {
            char a[512], b[512];
            if (de->d_name[0] == '.')
                continue;
            snprintf(a, sizeof a, "%s/%s", from, de->d_name);
            snprintf(b, sizeof b, "%s/%s", to, de->d_name);
            same = same_file(a, b);
        }
        if (d)
            closedir(d);
        if (same)
            return 0;
        sleep_ms(100);
    }
    return -1;
}

static int file_exists(const char *dir, const char *name)
{
    char p[512];
    struct stat sb;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &sb) == 0;
}

static long file_size(const char *dir, const char *name)
{
    char p[512];
    struct stat sb;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void append_file(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "ab");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static vp_store *open_dir(const char *dir, vp_status *rc_out)
{
    vp_store_config cfg = {0};
    vp_store *st = NULL;
    vp_error err = VP_ERROR_INIT;
    cfg.dir = dir;
    vp_status rc = vp_store_open(&cfg, &st, &err);
    if (rc_out)
        *rc_out = rc;
    else if (rc != VP_OK)
        vp_error_print(stderr, dir, &err);
    vp_error_clear(&err);
    return st;
}

/* Everything the scenario and the records left, checked again. */
static void check_all_again(vp_store *st, const char *name)
{
    check_scenario(st, name);
    char *v = NULL;
    CHECK(vp_store_get(st, "saved", "k2", &v, NULL) == VP_OK);
    CHECK_STR(v, "a b\nc%d\t\xc3\xa9 - %41");
    free(v);
    CHECK(vp_store_get(st, "saved", "k1", &v, NULL) == VP_ERR_NOT_FOUND);
    vp_scored *c = NULL;
    size_t n = 0;
    CHECK(vp_store_counters(st, "insights", &c, &n, NULL) == VP_OK);
    CHECK(n == 3 && c[0].score == 3.5);
    vp_scored_free(c, n);
}

/* Writes what a store holds for the names of the old-format fixture
 * (tests/data/store/README.md), in the fixture's .expected form. */
static char *dump_fixture(vp_store *st)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return NULL;
    const char *fsegs[] = {NULL, "senioren", "jeugd", "seg met spatie"};
    for (int g = 0; g < 4; g++) {
        vp_scored *sc = NULL;
        size_t n = 0;
        CHECK(vp_store_top(st, fsegs[g], VP_STORE_EPOCH, 100, &sc, &n, NULL) == VP_OK);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "top %s %s %.17g\n", fsegs[g] ? fsegs[g] : "all", sc[i].key, sc[i].score);
        vp_scored_free(sc, n);
    }
    const char *foffs[] = {"lib:a", "lib:b", "lib:c", "lib:d e"};
    for (int o = 0; o < 4; o++) {
        vp_scored *sc = NULL;
        size_t n = 0;
        CHECK(vp_store_co_used(st, foffs[o], VP_STORE_EPOCH, 100, &sc, &n, NULL) == VP_OK);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "co %s %s %.17g\n", foffs[o], sc[i].key, sc[i].score);
        vp_scored_free(sc, n);
    }
    const char *nss[] = {"campaign", "iq:20261201", "id:20261201"};
    for (int c = 0; c < 3; c++) {
        vp_scored *sc = NULL;
        size_t n = 0;
        CHECK(vp_store_counters(st, nss[c], &sc, &n, NULL) == VP_OK);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "count %s %s %.17g\n", nss[c], sc[i].key, sc[i].score);
        vp_scored_free(sc, n);
    }
    const char *kns[] = {"queries", "insights-keys"};
    for (int k = 0; k < 2; k++) {
        char **keys = NULL;
        size_t n = 0;
        CHECK(vp_store_keys(st, kns[k], &keys, &n, NULL) == VP_OK);
        for (size_t i = 0; i < n; i++) {
            char *v = NULL;
            CHECK(vp_store_get(st, kns[k], keys[i], &v, NULL) == VP_OK);
            fprintf(f, "record %s %s %s\n", kns[k], keys[i], v ? v : "(failed)");
            free(v);
            free(keys[i]);
        }
        free(keys);
    }
    fclose(f);
    return out;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    if (!f)
        return NULL;
    FILE *m = open_memstream(&text, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, m);
    fclose(m);
    fclose(f);
    return text;
}

static void expect_dump(vp_store *st, const char *want, const char *what)
{
    char *got = st ? dump_fixture(st) : NULL;
    int same = got && want && strcmp(got, want) == 0;
    if (!same)
        fprintf(stderr, "%s: holds\n%s--- wanted:\n%s", what, got ? got : "(nothing)\n",
                want ? want : "(nothing)\n");
    CHECK(same);
    free(got);
}

static void move_file(const char *from_dir, const char *to_dir, const char *name)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/%s", from_dir, name);
    snprintf(b, sizeof b, "%s/%s", to_dir, name);
    CHECK(rename(a, b) == 0);
}

/* A directory of the format before SQLite opens with everything it held,
 * once; its files are moved aside, never changed; a torn tail is left out
 * (and kept aside), damage is refused with FILE:LINE and touches nothing. */
static void check_migration(const char *base, const char *fixture)
{
    char expected_path[600], dir[300], aside[400], again[300];
    snprintf(expected_path, sizeof expected_path, "%s.expected", fixture);
    char *want = read_file(expected_path);
    char *snap_before = NULL, *log_before = NULL, path[600];
    CHECK(want != NULL);
    snprintf(path, sizeof path, "%s/snapshot", fixture);
    snap_before = read_file(path);
    snprintf(path, sizeof path, "%s/log.1", fixture);
    log_before = read_file(path);
    CHECK(snap_before && log_before);

    snprintf(dir, sizeof dir, "%s/migrate", base);
    snprintf(aside, sizeof aside, "%s/before-sqlite", dir);
    CHECK(copy_dir(fixture, dir) == 0);
    vp_store *st = open_dir(dir, NULL);
    CHECK(st != NULL);
    expect_dump(st, want, "migrated");
    /* The old files are aside, byte for byte as they were. */
    CHECK(!file_exists(dir, "snapshot") && !file_exists(dir, "log.1"));
    CHECK(file_exists(aside, "snapshot") && file_exists(aside, "log.1"));
    snprintf(path, sizeof path, "%s/log.1", aside);
    char *kept = read_file(path);
    CHECK(kept && log_before && strcmp(kept, log_before) == 0);
    free(kept);
    /* New writes go on top. */
    CHECK(vp_store_count(st, "id:20261201", "searches", 1, NULL) == VP_OK);
    vp_store_close(st);
    st = open_dir(dir, NULL);
    vp_scored *c = NULL;
    size_t n = 0;
    CHECK(st && vp_store_counters(st, "id:20261201", &c, &n, NULL) == VP_OK);
    CHECK(n == 1 && c && c[0].score == 8);
    vp_scored_free(c, n);
    vp_store_close(st);

    /* A crash after the rows were committed and before the files were
     * moved: they are not read twice, only moved. */
    snprintf(again, sizeof again, "%s/migrate-again", base);
    CHECK(copy_dir(fixture, again) == 0);
    st = open_dir(again, NULL);
    vp_store_close(st);
    snprintf(aside, sizeof aside, "%s/before-sqlite", again);
    move_file(aside, again, "snapshot");
    move_file(aside, again, "log.1");
    st = open_dir(again, NULL);
    CHECK(st != NULL);
    expect_dump(st, want, "migrated, files found again");
    vp_store_close(st);
    CHECK(!file_exists(again, "snapshot") && file_exists(aside, "snapshot"));
    /* Old files put back by hand beside the ones aside: not read (the
     * store holds them already), set aside under a new name. */
    char copy_back[400];
    snprintf(copy_back, sizeof copy_back, "%s/copy-back", base);
    CHECK(copy_dir(fixture, copy_back) == 0);
    move_file(copy_back, again, "snapshot");
    st = open_dir(again, NULL);
    CHECK(st != NULL);
    expect_dump(st, want, "migrated, old files put back");
    vp_store_close(st);
    CHECK(!file_exists(again, "snapshot") && file_exists(aside, "snapshot") &&
          file_exists(aside, "snapshot.1"));

    /* A torn tail: a whole line before it counts, the torn one and a
     * batch that never finished do not; the tail stays in the file aside. */
    char torn[300];
    snprintf(torn, sizeof torn, "%s/migrate-torn", base);
    CHECK(copy_dir(fixture, torn) == 0);
    append_file(torn, "log.1", "Z 1 late-seg late 3ff0000000000000\nB 2\nZ 1 late-seg torn 3ff0000000000000\nZ 1 late-seg to");
    st = open_dir(torn, NULL);
    CHECK(st != NULL);
    expect_dump(st, want, "migrated with a torn tail");
    const char *ids[] = {"late", "torn"};
    double sc[2] = {-1, -1};
    CHECK(st && vp_store_scores(st, "late-seg", ids, 2, VP_STORE_EPOCH, sc, NULL) == VP_OK);
    CHECK(sc[0] == 1 && sc[1] == 0);
    vp_store_close(st);
    snprintf(path, sizeof path, "%s/before-sqlite/log.1", torn);
    kept = read_file(path);
    CHECK(kept && strstr(kept, "Z 1 late-seg to") != NULL);
    free(kept);

    /* Damage (a bad line with good ones after it): refused, nothing moved,
     * no rows written. */
    char damaged[300];
    snprintf(damaged, sizeof damaged, "%s/migrate-damaged", base);
    CHECK(copy_dir(fixture, damaged) == 0);
    append_file(damaged, "log.1", "Q nonsense\nZ 0 - x 3ff0000000000000\n");
    vp_store_config cfg = {0};
    vp_error err = VP_ERROR_INIT;
    cfg.dir = damaged;
    st = NULL;
    CHECK(vp_store_open(&cfg, &st, &err) == VP_ERR_IO && st == NULL);
    /* The file and line are fields. */
    snprintf(path, sizeof path, "%s/log.1", damaged);
    CHECK_STR(err.file, path);
    CHECK(err.line == 20);
    CHECK_STR(err.message, "malformed line");
    vp_error_clear(&err);
    CHECK(file_exists(damaged, "snapshot") && file_exists(damaged, "log.1") &&
          !file_exists(damaged, "before-sqlite"));
    snprintf(path, sizeof path, "%s/snapshot", damaged);
    kept = read_file(path);
    CHECK(kept && snap_before && strcmp(kept, snap_before) == 0);
    free(kept);
    /* Mended by hand, it opens. */
    snprintf(path, sizeof path, "%s/log.1", damaged);
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(log_before, f);
        fclose(f);
    }
    st = open_dir(damaged, NULL);
    CHECK(st != NULL);
    expect_dump(st, want, "migrated after mending");
    vp_store_close(st);

    /* A store that never wrote a snapshot: its log.0 alone. */
    char only_log[300];
    snprintf(only_log, sizeof only_log, "%s/migrate-log0", base);
    CHECK(mkdir(only_log, 0755) == 0);
    append_file(only_log, "log.0", "Z 0 - only 3ff8000000000000\nP ns k%20k v%0Av\n");
    st = open_dir(only_log, NULL);
    CHECK(st != NULL);
    const char *only[] = {"only"};
    char *v = NULL;
    CHECK(st && vp_store_scores(st, NULL, only, 1, VP_STORE_EPOCH, sc, NULL) == VP_OK);
    CHECK(sc[0] == 1.5);
    CHECK(st && vp_store_get(st, "ns", "k k", &v, NULL) == VP_OK);
    CHECK_STR(v, "v\nv");
    free(v);
    vp_store_close(st);
    free(want);
    free(snap_before);
    free(log_before);
}

/* The writer `pid` reports each batch it had answered as its number on
 * `fd`: after `target` reports it is killed with SIGKILL, and what it
 * still sent is read too. The number of batches answered. */
static uint32_t kill_after(pid_t pid, int fd, uint32_t target)
{
    uint32_t got = 0, acked = 0, last = 0;
    while (got < target && read(fd, &last, sizeof last) == sizeof last) {
        got++;
        acked = last + 1;
    }
    kill(pid, SIGKILL);
    while (read(fd, &last, sizeof last) == sizeof last)
        acked = last + 1;
    close(fd);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    return acked;
}

/* Batch `i` of a writer: the view of a new offering and a click on
 * "kill:all", both in segment k-seg. */
static vp_status two_signals(vp_store *st, uint32_t i)
{
    char off[32];
    snprintf(off, sizeof off, "kill:%u", (unsigned)i);
    vp_signal ev[2] = {
        sig(VP_SIGNAL_VIEW, off, "k-seg", NULL, NULL, VP_STORE_EPOCH),
        sig(VP_SIGNAL_CLICK, "kill:all", "k-seg", NULL, "k", VP_STORE_EPOCH),
    };
    return vp_store_add_signals(st, ev, 2, NULL);
}

/* Batch `i` of a writer: views of 1,000 offerings never seen before, in
 * campaign kf. */
static vp_status thousand_new(vp_store *st, uint32_t i)
{
    static char ids[1000][32];
    static vp_signal ev[1000];
    for (int k = 0; k < 1000; k++) {
        snprintf(ids[k], sizeof ids[k], "kf:%u:%d", (unsigned)i, k);
        ev[k] = sig(VP_SIGNAL_VIEW, ids[k], "kf-seg", NULL, "kf", VP_STORE_EPOCH);
    }
    return vp_store_add_signals(st, ev, 1000, NULL);
}

/* A child process that opens the store in `dir` and writes batch after
 * batch with `batch`, sending the number of each answered batch on
 * fds[1]; the parent keeps fds[0]. */
static pid_t start_writer(const char *dir, int fds[2], vp_status (*batch)(vp_store *, uint32_t))
{
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        vp_store *st = open_dir(dir, NULL);
        if (!st)
            _exit(1);
        for (uint32_t i = 0;; i++) {
            if (batch(st, i) != VP_OK)
                _exit(2);
            if (write(fds[1], &i, sizeof i) != sizeof i)
                _exit(3);
        }
    }
    close(fds[1]);
    return pid;
}

/* A real kill -9 while a child process writes batches: every batch it was
 * answered VP_OK for is there, and whole; the one in flight is whole or
 * absent; the store opens. */
static void check_kill9(const char *base)
{
    for (int round = 0; round < 6; round++) {
        char dir[300];
        int fds[2];
        snprintf(dir, sizeof dir, "%s/kill-%d", base, round);
        pid_t pid = start_writer(dir, fds, two_signals);
        uint32_t acked = kill_after(pid, fds[0], 20 + rnd(400));

        vp_store *st = open_dir(dir, NULL);
        CHECK(st != NULL);
        if (!st)
            continue;
        const char *all[] = {"kill:all"};
        double total = -1, seg = -1;
        CHECK(vp_store_scores(st, NULL, all, 1, VP_STORE_EPOCH, &total, NULL) == VP_OK);
        CHECK(vp_store_scores(st, "k-seg", all, 1, VP_STORE_EPOCH, &seg, NULL) == VP_OK);
        /* Committed batches: each added 2 to kill:all, everywhere. */
        uint32_t committed = (uint32_t)(total / 2);
        CHECK(total == 2.0 * committed && seg == total);
        CHECK(committed == acked || committed == acked + 1);
        vp_scored *c = NULL;
        size_t n = 0;
        CHECK(vp_store_counters(st, "campaign", &c, &n, NULL) == VP_OK);
        CHECK(n == 1 && c && c[0].score == committed);
        vp_scored_free(c, n);
        uint32_t bad = 0;
        for (uint32_t i = 0; i <= committed; i++) {
            char off[32];
            const char *id = off;
            double one = -1;
            snprintf(off, sizeof off, "kill:%u", (unsigned)i);
            if (vp_store_scores(st, "k-seg", &id, 1, VP_STORE_EPOCH, &one, NULL) != VP_OK ||
                one != (i < committed ? 1 : 0))
                bad++;
        }
        CHECK(bad == 0);
        fprintf(stderr, "kill -9 after %u answered batches: %u committed, none torn\n",
                (unsigned)acked, (unsigned)committed);
        vp_store_close(st);
    }
}

/* A real kill -9 while a child process writes batches of 1,000 offerings
 * never seen before (2,001 numbers a batch), so that the store folds its
 * journal into the tables every few dozen batches and may be folding when
 * the kill comes: every batch answered VP_OK is there, whole and once; the
 * one in flight is whole or absent. */
static void check_kill9_fold(const char *base)
{
    static char ids[1000][32];
    static const char *idp[1000];
    static double sc[1000];
    for (int round = 0; round < 2; round++) {
        char dir[300];
        int fds[2];
        snprintf(dir, sizeof dir, "%s/kill-fold-%d", base, round);
        pid_t pid = start_writer(dir, fds, thousand_new);
        /* The first fold comes after 33 batches. */
        uint32_t acked = kill_after(pid, fds[0], 34 + rnd(40));

        vp_store *st = open_dir(dir, NULL);
        CHECK(st != NULL);
        if (!st)
            continue;
        vp_scored *c = NULL;
        size_t n = 0;
        CHECK(vp_store_counters(st, "campaign", &c, &n, NULL) == VP_OK);
        uint32_t committed = n == 1 && c ? (uint32_t)(c[0].score / 1000) : 0;
        CHECK(n == 1 && c && c[0].score == 1000.0 * committed);
        CHECK(committed == acked || committed == acked + 1);
        vp_scored_free(c, n);
        uint32_t bad = 0;
        for (uint32_t i = 0; i <= committed; i++) {
            for (int k = 0; k < 1000; k++) {
                snprintf(ids[k], sizeof ids[k], "kf:%u:%d", (unsigned)i, k);
                idp[k] = ids[k];
            }
            for (int g = 0; g < 2; g++) {
                if (vp_store_scores(st, g ? "kf-seg" : NULL, idp, 1000, VP_STORE_EPOCH, sc,
                                    NULL) != VP_OK)
                    bad++;
                for (int k = 0; k < 1000; k++)
                    bad += sc[k] != (i < committed ? 1 : 0);
            }
        }
        CHECK(bad == 0);
        fprintf(stderr, "kill -9 among folds after %u answered batches of 1,000: %u committed, "
                        "none torn\n", (unsigned)acked, (unsigned)committed);
        vp_store_close(st);
    }
}

static void check_embedded_persistence(const char *base, const char *fixture)
{
    char dir[256], crash[256];
    snprintf(dir, sizeof dir, "%s/emb", base);
    snprintf(crash, sizeof crash, "%s/crash", base);

    vp_store *st = open_dir(dir, NULL);
    CHECK(st != NULL);
    if (!st)
        return;
    CHECK_STR(vp_store_backend(st), "embedded");
    CHECK(vp_store_available(st) == 1);
    add_scenario(st);
    check_records(st);
    check_all_again(st, "embedded, before close");

    /* Another process cannot open the same directory. */
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        vp_status rc;
        vp_store *other = open_dir(dir, &rc);
        if (other)
            vp_store_close(other);
        _exit(rc == VP_ERR_LOCKED ? 0 : 1);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* A crash: the directory as it is while the store is open (what was
     * committed is in the write-ahead log). Closing checkpoints it. */
    CHECK(copy_dir_still(dir, crash) == 0);
    CHECK(file_exists(crash, "store.db") && file_exists(crash, "store.db-wal"));
    vp_store_close(st);
    CHECK(file_exists(dir, "store.db") && !file_exists(dir, "store.db-wal"));

    st = open_dir(dir, NULL);
    CHECK(st != NULL);
    if (st) {
        check_all_again(st, "embedded, reopened");
        /* A sum that would stop being finite keeps its value. */
        CHECK(vp_store_count(st, "huge", "n", 1e308, NULL) == VP_OK);
        CHECK(vp_store_count(st, "huge", "n", 1e308, NULL) == VP_OK);
        vp_scored *c = NULL;
        size_t n = 0;
        CHECK(vp_store_counters(st, "huge", &c, &n, NULL) == VP_OK);
        CHECK(n == 1 && c && c[0].score == 1e308);
        vp_scored_free(c, n);
        vp_store_close(st);
    }
    st = open_dir(crash, NULL);
    CHECK(st != NULL);
    if (st) {
        check_all_again(st, "embedded, after a crash");
        vp_store_close(st);
    }

    /* A file where the directory should be. */
    char file[300];
    vp_status rc;
    snprintf(file, sizeof file, "%s/emb/store.db", base);
    st = open_dir(file, &rc);
    CHECK(st == NULL && rc == VP_ERR_IO);

    check_kill9(base);
    check_kill9_fold(base);
    check_migration(base, fixture);

    /* Volume: 200,000 signals in 200 calls (enough WAL pages to wake the
     * checkpointer), the write-ahead log checkpointed on the way; a copy
     * while open and the closed store agree. */
    st = open_dir(dir, NULL);
    CHECK(st != NULL);
    if (!st)
        return;
    vp_signal *ev = calloc(VP_STORE_MAX_BATCH, sizeof *ev);
    char (*ids)[32] = calloc(VP_STORE_MAX_BATCH, sizeof *ids);
    for (size_t i = 0; i < VP_STORE_MAX_BATCH; i++) {
        snprintf(ids[i], sizeof ids[i], "bulk:%04zu", i);
        ev[i] = sig(VP_SIGNAL_VIEW, ids[i], "bulk-segment-with-a-long-name", NULL, NULL,
                    VP_STORE_EPOCH);
    }
    long db_before = file_size(dir, "store.db");
    for (int round = 0; round < 200; round++)
        CHECK(vp_store_add_signals(st, ev, VP_STORE_MAX_BATCH, NULL) == VP_OK);
    /* The WAL is checkpointed into store.db while the store is open (in
     * the background: wait for it, at most 20 s). */
    long db_after = file_size(dir, "store.db");
    for (int wait = 0; wait < 200 && db_after < db_before + 100000; wait++) {
        sleep_ms(100);
        db_after = file_size(dir, "store.db");
    }
    fprintf(stderr, "store.db while open: %ld bytes before 200,000 signals, %ld after\n",
            db_before, db_after);
    CHECK(db_after >= db_before + 100000);
    char crash2[300];
    snprintf(crash2, sizeof crash2, "%s/crash2", base);
    CHECK(copy_dir_still(dir, crash2) == 0);
    vp_scored *before = NULL, *after = NULL;
    size_t nb = 0, na = 0;
    CHECK(vp_store_top(st, NULL, NOW, 2000, &before, &nb, NULL) == VP_OK);
    CHECK(nb == 1000 + 8);
    vp_store_close(st);
    const char *probe[] = {"bulk:0000", "bulk:0999"};
    double sc[2];
    for (int k = 0; k < 2; k++) {
        st = open_dir(k ? crash2 : dir, NULL);
        CHECK(st != NULL);
        if (!st)
            continue;
        CHECK(vp_store_scores(st, "bulk-segment-with-a-long-name", probe, 2, VP_STORE_EPOCH, sc,
                              NULL) == VP_OK);
        CHECK(sc[0] == 200 && sc[1] == 200);
        if (sc[0] != 200)
            fprintf(stderr, "bulk (%s): %g %g\n", k ? "copy" : "closed", sc[0], sc[1]);
        CHECK(vp_store_top(st, NULL, NOW, 2000, &after, &na, NULL) == VP_OK);
        CHECK(same_list(before, nb, after, na));
        vp_scored_free(after, na);
        vp_store_close(st);
    }
    vp_scored_free(before, nb);
    free(ev);
    free(ids);
}

/* ---- Redis ---- */

static void check_urls(void)
{
    static const char *const bad[] = {
        "redis://127.0.0.1:6379",        "redis://127.0.0.1/0",      "redis://:6379/0",
        "redis://[::1]:6379/0",          "redis://user@host:6379/0", "http://127.0.0.1:6379/0",
        "redis://127.0.0.1:6379/0?x=1",  "redis://127.0.0.1:0/0",    "redis://127.0.0.1:65536/0",
        "redis://1.2.3:6379/0",          "redis://1.2.3.456:6379/0", "redis://h_st:6379/0",
        "redis://127.0.0.1:6379/",       "redis://127.0.0.1:6379/0/", "rediss://127.0.0.1:6379/0",
        "redis://-h:6379/0",             "redis://127.0.0.1:63a9/0", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        vp_store_config cfg = {0};
        vp_store *st = NULL;
        vp_error err = VP_ERROR_INIT;
        cfg.redis_url = bad[i];
        vp_status rc = vp_store_open(&cfg, &st, &err);
        CHECK(rc == VP_ERR_INVALID && st == NULL);
        if (rc != VP_ERR_INVALID)
            fprintf(stderr, "accepted %s\n", bad[i]);
        CHECK_STR(err.path, "redis_url");
        CHECK_CONTAINS(err.message, "expected redis://HOST:PORT/DB");
        vp_error_clear(&err);
        vp_store_close(st);
    }
    vp_store_config cfg = {0};
    cfg.half_life_days = -1;
    vp_store *st = NULL;
    CHECK(vp_store_open(&cfg, &st, NULL) == VP_ERR_INVALID);
    CHECK(vp_store_open(NULL, &st, NULL) == VP_ERR_INVALID);
}

/* A server that accepts connections and never answers: calls time out. */
static void check_silent_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    socklen_t len = sizeof a;
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        CHECK(!"silent server");
        return;
    }
    char url[64];
    snprintf(url, sizeof url, "redis://localhost:%d/2", ntohs(a.sin_port));
    vp_store_config cfg = {0};
    cfg.redis_url = url;
    cfg.timeout_ms = 150;
    vp_store *st = NULL;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(vp_store_open(&cfg, &st, NULL) == VP_OK);
    double open_ms = ms_since(&t0);
    CHECK(vp_store_available(st) == 0);
    double worst = 0;
    for (int i = 0; i < 6; i++) {
        vp_scored *s = NULL;
        size_t n = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CHECK(vp_store_top(st, NULL, NOW, 10, &s, &n, NULL) == VP_ERR_IO);
        double ms = ms_since(&t0);
        worst = ms > worst ? ms : worst;
        sleep_ms(200);
    }
    fprintf(stderr, "silent server: open %.0f ms, slowest call %.0f ms (timeout 150 ms)\n",
            open_ms, worst);
    CHECK(open_ms < 400 && worst < 400);
    vp_store_close(st);
    close(fd);
}

typedef vp_status (*store_call)(vp_store *st);

static vp_status c_add(vp_store *st)
{
    vp_signal ev = sig(VP_SIGNAL_VIEW, "x", "s", "q", "c", NOW);
    return vp_store_add_signals(st, &ev, 1, NULL);
}
static vp_status c_top(vp_store *st)
{
    vp_scored *s = NULL;
    size_t n = 0;
    vp_status rc = vp_store_top(st, "s", NOW, 10, &s, &n, NULL);
    vp_scored_free(s, n);
    return rc;
}
static vp_status c_scores(vp_store *st)
{
    const char *ids[] = {"x", "y"};
    double sc[2];
    return vp_store_scores(st, NULL, ids, 2, NOW, sc, NULL);
}
static vp_status c_co(vp_store *st)
{
    vp_scored *s = NULL;
    size_t n = 0;
    vp_status rc = vp_store_co_used(st, "x", NOW, 10, &s, &n, NULL);
    vp_scored_free(s, n);
    return rc;
}
static vp_status c_put(vp_store *st)
{
    return vp_store_put(st, "ns", "k", "v", NULL);
}
static vp_status c_get(vp_store *st)
{
    char *v = NULL;
    vp_status rc = vp_store_get(st, "ns", "k", &v, NULL);
    free(v);
    return rc;
}
static vp_status c_delete(vp_store *st)
{
    return vp_store_delete(st, "ns", "k", NULL);
}
static vp_status c_keys(vp_store *st)
{
    char **k = NULL;
    size_t n = 0;
    vp_status rc = vp_store_keys(st, "ns", &k, &n, NULL);
    for (size_t i = 0; i < n; i++)
        free(k[i]);
    free(k);
    return rc;
}
static vp_status c_count(vp_store *st)
{
    return vp_store_count(st, "ns", "k", 1, NULL);
}
static vp_status c_counters(vp_store *st)
{
    vp_scored *s = NULL;
    size_t n = 0;
    vp_status rc = vp_store_counters(st, "ns", &s, &n, NULL);
    vp_scored_free(s, n);
    return rc;
}

static const store_call calls[] = {c_add, c_top,    c_scores, c_co,    c_put,
                                   c_get, c_delete, c_keys,   c_count, c_counters};

static void check_outage(vp_store *st, redis_proc *rp)
{
    size_t nc = sizeof calls / sizeof *calls;
    for (size_t i = 0; i < nc; i++)
        CHECK(calls[i](st) == VP_OK);
    CHECK(vp_store_available(st) == 1);

    stop_redis(rp);
    int io = 0, total = 0;
    /* Three rounds, more than the reconnect interval apart: each round meets
     * both a reconnect attempt and calls refused at once. */
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < nc; i++) {
            struct timespec t0;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            vp_status rc = calls[i](st);
            double ms = ms_since(&t0);
            if (ms > max_outage_ms)
                max_outage_ms = ms;
            total++;
            io += rc == VP_ERR_IO;
            CHECK(ms < 1000);
            CHECK(vp_store_available(st) == 0);
        }
        sleep_ms(600);
    }
    CHECK(io == total);
    fprintf(stderr, "redis down: %d calls, all VP_ERR_IO, slowest %.1f ms\n", total,
            max_outage_ms);

    rp->pid = start_redis(rp);
    CHECK(rp->pid > 0);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vp_status rc = VP_ERR_IO;
    int tries = 0;
    while (rc != VP_OK && ms_since(&t0) < 5000) {
        rc = c_top(st);
        tries++;
        if (rc != VP_OK)
            sleep_ms(50);
    }
    fprintf(stderr, "redis back: reconnected after %.0f ms (%d tries)\n", ms_since(&t0), tries);
    CHECK(rc == VP_OK);
    CHECK(vp_store_available(st) == 1);
    /* The restarted server kept nothing (persistence is off); it works again. */
    vp_scored *s = NULL;
    size_t n = 0;
    CHECK(vp_store_top(st, NULL, NOW, 10, &s, &n, NULL) == VP_OK);
    CHECK(n == 0);
    vp_scored_free(s, n);
    for (size_t i = 0; i < nc; i++) {
        rc = calls[i](st);
        CHECK(rc == VP_OK || (calls[i] == c_delete && rc == VP_ERR_NOT_FOUND));
    }
    CHECK(vp_store_top(st, NULL, NOW, 10, &s, &n, NULL) == VP_OK);
    CHECK(n == 1 && strcmp(s[0].key, "x") == 0);
    vp_scored_free(s, n);
}

/* Stop and restart Redis while four threads keep calling. */
static void check_outage_under_traffic(vp_store *st, redis_proc *rp)
{
    pthread_t th[4];
    worker w[4];
    atomic_int stop;
    atomic_init(&stop, 0);
    for (int i = 0; i < 4; i++) {
        worker_init(&w[i], st, i, 0, &stop);
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    sleep_ms(300);
    stop_redis(rp);
    sleep_ms(1200);
    rp->pid = start_redis(rp);
    CHECK(rp->pid > 0);
    sleep_ms(1500);
    int before[4];
    for (int i = 0; i < 4; i++)
        before[i] = atomic_load(&w[i].ok);
    sleep_ms(500);
    atomic_store(&stop, 1);
    double slowest = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(w[i].other == 0);
        CHECK(w[i].io > 0);
        CHECK(w[i].ok > before[i]);   /* working again after the restart */
        slowest = w[i].slowest_ms > slowest ? w[i].slowest_ms : slowest;
    }
    fprintf(stderr, "under traffic: ok %d/%d/%d/%d, io %d/%d/%d/%d, slowest call %.1f ms\n",
            atomic_load(&w[0].ok), atomic_load(&w[1].ok), atomic_load(&w[2].ok),
            atomic_load(&w[3].ok), w[0].io, w[1].io, w[2].io, w[3].io, slowest);
    CHECK(slowest < 1000);
    CHECK(vp_store_available(st) == 1);
}

/* The embedded store's open names the file at fault as a field: a path
 * that is not a directory, a store.db that is not a database. */
static void check_open_places(const char *base)
{
    char dir[300], db[320];
    vp_error err = VP_ERROR_INIT;
    vp_store_config cfg = {0};
    vp_store *st = NULL;

    snprintf(dir, sizeof dir, "%s/a-file", base);
    append_file(base, "a-file", "not a directory\n");
    cfg.dir = dir;
    CHECK(vp_store_open(&cfg, &st, &err) == VP_ERR_IO && st == NULL);
    CHECK(err.status == VP_ERR_IO);
    CHECK_STR(err.file, dir);
    CHECK_STR(err.message, "not a directory");
    vp_error_clear(&err);

    snprintf(dir, sizeof dir, "%s/not-a-database", base);
    CHECK(mkdir(dir, 0755) == 0);
    char junk[4096];
    memset(junk, 'j', sizeof junk - 1);
    junk[sizeof junk - 1] = '\0';
    append_file(dir, "store.db", junk);
    snprintf(db, sizeof db, "%s/store.db", dir);
    CHECK(vp_store_open(&cfg, &st, &err) == VP_ERR_IO && st == NULL);
    CHECK(err.status == VP_ERR_IO);
    CHECK_STR(err.file, db);
    CHECK(err.line == 0 && err.path == NULL);
    CHECK_CONTAINS(err.message, "not a database");
    char *text = vp_error_text(&err);
    fprintf(stderr, "a store.db that is not a database: %s\n", text ? text : "?");
    free(text);
    vp_error_clear(&err);
    vp_store_close(st);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_store OLD-FORMAT-DIR (tests/data/store/old-format)\n");
        return 2;
    }
    signal(SIGPIPE, SIG_DFL);   /* the store must cope without SIG_IGN */
    char base[] = "/tmp/vp-test-store-XXXXXX";
    if (!mkdtemp(base)) {
        perror("mkdtemp");
        return 1;
    }
    redis_proc rp;
    if (redis_up(&rp, base, "test_store") != 0)
        return 1;
    fprintf(stderr, "redis-server on 127.0.0.1:%d\n", rp.port);

    check_kinds();
    check_urls();

    char dir[300], url[64];
    snprintf(dir, sizeof dir, "%s/compare", base);
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/3", rp.port);
    vp_store_config ec = {0}, rc_cfg = {0};
    ec.dir = dir;
    rc_cfg.redis_url = url;
    /* Generous for the functional checks (a test host may be busy); the
     * outage checks below use the default timeout, as the server does. */
    rc_cfg.timeout_ms = 5000;
    vp_store *emb = NULL, *red = NULL, *mem = NULL;
    CHECK(vp_store_open(&ec, &emb, NULL) == VP_OK);
    CHECK(vp_store_open(&rc_cfg, &red, NULL) == VP_OK);
    vp_store_config mc = {0};
    CHECK(vp_store_open(&mc, &mem, NULL) == VP_OK);
    if (!emb || !red || !mem) {
        stop_redis(&rp);
        return check_done();
    }
    CHECK_STR(vp_store_backend(red), "redis");
    CHECK_STR(vp_store_backend(mem), "embedded");
    CHECK(vp_store_available(red) == 1);

    vp_store *stores[] = {emb, red, mem};
    const char *names[] = {"embedded", "redis", "memory"};
    for (int i = 0; i < 3; i++) {
        add_scenario(stores[i]);
        check_scenario(stores[i], names[i]);
        check_records(stores[i]);
        check_validation(stores[i]);
        check_co_cap(stores[i]);
        check_bytes(stores[i]);
    }
    add_random(emb, red);
    compare_stores(emb, red, "embedded vs redis");
    check_threads(emb);
    check_threads(red);
    vp_store_close(mem);
    vp_store_close(emb);

    check_embedded_persistence(base, argv[1]);
    check_open_places(base);
    vp_store_close(red);
    check_silent_server();
    rc_cfg.timeout_ms = 0;
    red = NULL;
    CHECK(vp_store_open(&rc_cfg, &red, NULL) == VP_OK);
    if (red) {
        check_outage(red, &rp);
        check_outage_under_traffic(red, &rp);
        vp_store_close(red);
    }

    stop_redis(&rp);
    free(rp.bin);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (check_failed == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", base);
    return check_done();
}
