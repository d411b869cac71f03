/* test_faults_store.c - the signal store under out-of-memory at every
 * allocation and a failure at every I/O call, the SQLite way.
 *
 * The test binary is linked with --wrap for malloc, calloc, realloc,
 * strdup and strndup (tests/support/faults.h), and for the I/O calls the
 * store makes (tests/support/faults_io.h, and redisGetReply here), so call
 * number N of our own code can be made to fail; each operation runs with
 * N = 0, 1, 2, ... until it completes (fault_loop).
 *
 * The signal store is swept for both back ends (the embedded
 * one in a fresh directory, Redis on a real redis-server started here) and
 * for its three uses: signals (incr), saved queries (records) and the query
 * log (counters). Besides allocations, the I/O calls the store makes are
 * failed in turn: write (torn), open, fopen, fwrite, fsync, rename and
 * ftruncate (the 64-bit offset forms the build uses) of the embedded
 * store's log and snapshot, and each reply read from Redis
 * (redisGetReply). A store operation that fails must say VP_ERR_NOMEM or
 * VP_ERR_IO and leave the store as it was before or as it is after the
 * operation (Redis may have run what was sent), one that succeeds must be
 * whole; and the embedded store, closed under the same faults and opened
 * again, must hold exactly what it held open: whatever it answered OK. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "faults_io.h"
#include "redis.h"
#include "vindplaats/store.h"

int __real_redisGetReply(redisContext *c, void **reply);
int __wrap_redisGetReply(redisContext *c, void **reply);

/* A reply that never comes: the connection broke. */
int __wrap_redisGetReply(redisContext *c, void **reply)
{
    if (fault_io_now()) {
        c->err = REDIS_ERR_IO;
        snprintf(c->errstr, sizeof c->errstr, "injected I/O failure");
        return REDIS_ERR;
    }
    return __real_redisGetReply(c, reply);
}

static int redis_port;
static char store_base[64];
static int store_runs;

/* A fresh store of back end `be` (0 embedded, 1 Redis) with some data in
 * it, opened without faults. */
static vp_store *fresh_store(int be, char *dir, size_t cap)
{
    vp_store_config c = {0};
    char url[64];
    if (be == 0) {
        snprintf(dir, cap, "%s/emb-%d", store_base, store_runs++);
        c.dir = dir;
    } else {
        if (!raw_command(redis_port, "FLUSHALL\r\n", "+OK"))
            return NULL;
        snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", redis_port);
        c.redis_url = url;
        c.timeout_ms = 5000;
    }
    vp_store *st = NULL;
    if (vp_store_open(&c, &st, NULL) != VP_OK)
        return NULL;
    vp_signal base[] = {
        {VP_SIGNAL_VIEW, "lib:a", "senioren", "q1", NULL, VP_STORE_EPOCH + 86400},
        {VP_SIGNAL_CLICK, "lib:b", NULL, "q1", "winter", VP_STORE_EPOCH + 86400},
    };
    vp_store_add_signals(st, base, 2, NULL);
    vp_store_put(st, "queries", "winter", "{\"title\":\"Winter\"}", NULL);
    vp_store_count(st, "iq:20261201", "digicafe", 2, NULL);
    return st;
}

/* Everything the operations below can change, as text. */
static char *dump(vp_store *st)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f)
        return NULL;
    vp_scored *sc = NULL;
    size_t n = 0;
    const char *segments[] = {NULL, "senioren", "jeugd"};
    for (int g = 0; g < 3; g++) {
        if (vp_store_top(st, segments[g], VP_STORE_EPOCH, 100, &sc, &n, NULL) != VP_OK)
            fprintf(f, "top %s: failed\n", segments[g] ? segments[g] : "all");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "top %s %s %.17g\n", segments[g] ? segments[g] : "all", sc[i].key,
                    sc[i].score);
        vp_scored_free(sc, n);
        sc = NULL;
        n = 0;
    }
    const char *offerings[] = {"lib:a", "lib:b", "lib:c"};
    for (int o = 0; o < 3; o++) {
        if (vp_store_co_used(st, offerings[o], VP_STORE_EPOCH, 100, &sc, &n, NULL) != VP_OK)
            fprintf(f, "co %s: failed\n", offerings[o]);
        for (size_t i = 0; i < n; i++)
            fprintf(f, "co %s %s %.17g\n", offerings[o], sc[i].key, sc[i].score);
        vp_scored_free(sc, n);
        sc = NULL;
        n = 0;
    }
    const char *namespaces[] = {"campaign", "iq:20261201", "id:20261201"};
    for (int c = 0; c < 3; c++) {
        if (vp_store_counters(st, namespaces[c], &sc, &n, NULL) != VP_OK)
            fprintf(f, "count %s: failed\n", namespaces[c]);
        /* In no particular order: sort by printing into lines, then sort below. */
        for (size_t i = 0; i < n; i++) {
            size_t min = i;
            for (size_t j = i + 1; j < n; j++)
                if (strcmp(sc[j].key, sc[min].key) < 0)
                    min = j;
            vp_scored t = sc[i];
            sc[i] = sc[min];
            sc[min] = t;
            fprintf(f, "count %s %s %.17g\n", namespaces[c], sc[i].key, sc[i].score);
        }
        vp_scored_free(sc, n);
        sc = NULL;
        n = 0;
    }
    char **keys = NULL;
    if (vp_store_keys(st, "queries", &keys, &n, NULL) != VP_OK)
        fprintf(f, "keys: failed\n");
    for (size_t i = 0; i < n; i++) {
        char *v = NULL;
        vp_store_get(st, "queries", keys[i], &v, NULL);
        fprintf(f, "record %s %s\n", keys[i], v ? v : "(failed)");
        free(v);
        free(keys[i]);
    }
    free(keys);
    fclose(f);
    return out;
}

/* What an embedded store's directory holds while it is open, as a crash
 * would leave it: opened from a copy. NULL when it does not open. */
static char *crash_image(const char *dir)
{
    char copy[160], cmd[800];
    snprintf(copy, sizeof copy, "%s-crash", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s' && rm -f '%s/lock'", copy, dir,
             copy, copy);
    if (system(cmd) != 0)
        return NULL;
    vp_store_config c = {0};
    c.dir = copy;
    vp_store *st = NULL;
    char *err = NULL;
    if (vp_store_open(&c, &st, &err) != VP_OK) {
        fprintf(stderr, "crash image %s does not open: %s\n", copy, err ? err : "");
        free(err);
        return NULL;
    }
    char *d = dump(st);
    vp_store_close(st);
    return d;
}

/* The operations, each one call of the store. */
static vp_status op_signals(vp_store *st)
{
    vp_signal ev[] = {
        {VP_SIGNAL_CLICK, "lib:c", "jeugd", "q2", NULL, VP_STORE_EPOCH + 2 * 86400},
        {VP_SIGNAL_SIGNUP, "lib:a", "senioren", "q2", "winter", VP_STORE_EPOCH + 2 * 86400},
        {VP_SIGNAL_VIEW, "lib:b", NULL, "q2", NULL, VP_STORE_EPOCH + 2 * 86400},
    };
    return vp_store_add_signals(st, ev, 3, NULL);
}

static vp_status op_saved_query(vp_store *st)
{
    return vp_store_put(st, "queries", "zomer",
                        "{\"title\":\"Zomer\",\"search\":{\"q\":\"zwemmen\"}}", NULL);
}

static vp_status op_saved_query_delete(vp_store *st)
{
    return vp_store_delete(st, "queries", "winter", NULL);
}

static vp_status op_query_log(vp_store *st)
{
    return vp_store_count(st, "iq:20261201", "klik en tik", 1, NULL);
}

/* Reads under faults must fail cleanly or answer what is there. */
static vp_status op_read(vp_store *st)
{
    vp_scored *sc = NULL;
    size_t n = 0;
    vp_status rc = vp_store_counters(st, "iq:20261201", &sc, &n, NULL);
    if (rc == VP_OK && n != 1)
        rc = VP_ERR_INTERNAL;
    vp_scored_free(sc, n);
    char *v = NULL;
    if (rc == VP_OK)
        rc = vp_store_get(st, "queries", "winter", &v, NULL);
    if (rc == VP_OK && strcmp(v, "{\"title\":\"Winter\"}") != 0)
        rc = VP_ERR_INTERNAL;
    free(v);
    char **keys = NULL;
    if (rc == VP_OK)
        rc = vp_store_keys(st, "queries", &keys, &n, NULL);
    if (rc == VP_OK) {
        if (n != 1)
            rc = VP_ERR_INTERNAL;
        for (size_t i = 0; i < n; i++)
            free(keys[i]);
        free(keys);
    }
    if (rc == VP_OK)
        rc = vp_store_top(st, NULL, VP_STORE_EPOCH, 10, &sc, &n, NULL);
    if (rc == VP_OK)
        vp_scored_free(sc, n);
    return rc;
}

static const char *const be_names[] = {"embedded", "redis"};

/* One store operation's sweep: what it runs and what it must find. */
typedef struct store_sweep {
    const char *name;
    int be, io;
    vp_status (*op)(vp_store *);
    char dir[128];
    char *before, *after; /* what the store holds before and after op, without faults */
} store_sweep;

/* One run of sweep_store() with failure n; returns whether anything failed. */
static int store_step(void *ctx, long n)
{
    store_sweep *w = ctx;
    const char *name = w->name;
    int be = w->be, io = w->io;
    char *dir = w->dir;
    vp_status want_fail = io ? VP_ERR_IO : VP_ERR_NOMEM;
    vp_store *st = fresh_store(be, dir, sizeof w->dir);
    CHECK(st != NULL);
    if (!st)
        return 0;
    fault_arm(io, n);
    vp_status rc = w->op(st);
    int failed_in_op = fault_failed;
    long left = fault_disarm(io);
    /* A Redis handle whose connection broke waits before it connects
     * again: read what Redis holds through a new one. */
    vp_store *reader = st;
    if (be == 1) {
        char url[64];
        vp_store_config rc_cfg = {0};
        snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", redis_port);
        rc_cfg.redis_url = url;
        rc_cfg.timeout_ms = 5000;
        reader = NULL;
        CHECK(vp_store_open(&rc_cfg, &reader, NULL) == VP_OK);
    }
    char *live = reader ? dump(reader) : NULL;
    if (reader != st)
        vp_store_close(reader);
    /* A crash now loses nothing that was answered, keeps nothing torn. */
    if (be == 0) {
        char *crashed = crash_image(dir);
        if (!crashed || !live || strcmp(crashed, live) != 0) {
            fprintf(stderr, "%s embedded: failure %ld: after a crash:\n%s--- was:\n%s", name, n,
                    crashed ? crashed : "(does not open)\n", live ? live : "");
            CHECK(0);
        }
        free(crashed);
    }
    int same_before = live && strcmp(live, w->before) == 0;
    int same_after = live && strcmp(live, w->after) == 0;
    if (!failed_in_op) {
        if (rc != VP_OK)
            fprintf(stderr, "%s %s: finished with %s\n", name, be_names[be], vp_status_str(rc));
        CHECK(rc == VP_OK);
    } else if (rc != want_fail && rc != VP_OK) {
        fprintf(stderr, "%s %s: failure %ld gave %s\n", name, be_names[be], n, vp_status_str(rc));
        CHECK(0);
    }
    if (rc == VP_OK ? !same_after : !(same_before || same_after)) {
        fprintf(stderr, "%s %s: failure %ld (%s) left:\n%s--- before:\n%s--- after:\n%s", name,
                be_names[be], n, vp_status_str(rc), live, w->before, w->after);
        CHECK(0);
    }
    /* Closing under the faults that are left (the embedded store writes
     * its snapshot then; a torn write stays torn), then opening again: the
     * embedded store holds what it held open. */
    fault_failed = 0;
    if (be == 0 && io)
        fault_io_countdown = left;
    else if (be == 0)
        fault_countdown = left;
    vp_store_close(st);
    int failed_in_close = fault_failed;
    fault_disarm(io);
    if (be == 0) {
        vp_store_config c = {0};
        c.dir = dir;
        vp_store *again = NULL;
        CHECK(vp_store_open(&c, &again, NULL) == VP_OK);
        char *reopened = again ? dump(again) : NULL;
        if (!reopened || !live || strcmp(reopened, live) != 0) {
            fprintf(stderr, "%s embedded: failure %ld%s: reopened:\n%s--- was:\n%s", name, n,
                    failed_in_close ? " (in close)" : "", reopened ? reopened : "",
                    live ? live : "");
            CHECK(0);
        }
        free(reopened);
        vp_store_close(again);
    }
    free(live);
    return failed_in_op || failed_in_close;
}

/* Sweeps one store operation on back end `be` with allocation (io 0) or
 * I/O (io 1) number N failing, N = 0, 1, ... until a run has no failure. */
static void sweep_store(const char *name, int be, int io, vp_status (*op)(vp_store *),
                        int allocates)
{
    store_sweep w = {.name = name, .be = be, .io = io, .op = op};
    vp_store *ref = fresh_store(be, w.dir, sizeof w.dir);
    CHECK(ref != NULL);
    if (!ref)
        return;
    w.before = dump(ref);
    vp_status ok = op(ref);
    CHECK(ok == VP_OK);
    w.after = dump(ref);
    vp_store_close(ref);
    int runs = fault_loop(store_step, &w);
    free(w.before);
    free(w.after);
    printf("store %s %s (%s faults): %d runs\n", name, be_names[be], io ? "I/O" : "allocation",
           runs);
    /* Some Redis calls allocate nothing of ours (hiredis' own memory is
     * not failed here); everything else must have met a failure. */
    CHECK(runs > 1 || (be == 1 && !io && !allocates));
}

/* One opening of the embedded store in `dir` under failure n. */
typedef struct open_sweep {
    int io;
    vp_store_config c;
    char *want; /* what the store holds */
} open_sweep;

static int open_step(void *ctx, long n)
{
    open_sweep *w = ctx;
    int io = w->io;
    fault_arm(io, n);
    vp_store *st = NULL;
    vp_status rc = vp_store_open(&w->c, &st, NULL);
    int failed_open = fault_failed;
    fault_disarm(io);
    if (failed_open && rc == VP_OK) {
        /* A failure it could live with (a stale file left): it must
         * still hold everything. */
    } else if (failed_open && rc != (io ? VP_ERR_IO : VP_ERR_NOMEM)) {
        fprintf(stderr, "open embedded: failure %ld gave %s\n", n, vp_status_str(rc));
        CHECK(0);
    }
    if (!st)
        CHECK(vp_store_open(&w->c, &st, NULL) == VP_OK);
    char *got = st ? dump(st) : NULL;
    if (!got || !w->want || strcmp(got, w->want) != 0) {
        fprintf(stderr, "open embedded: failure %ld: holds\n%s--- wanted:\n%s", n,
                got ? got : "", w->want ? w->want : "");
        CHECK(0);
    }
    free(got);
    vp_store_close(st);
    return failed_open;
}

/* Opening under faults: fails cleanly (VP_ERR_NOMEM, VP_ERR_IO) or opens
 * what is on disk; and a failed open leaves the disk as it was. */
static void sweep_open_with(int io)
{
    char dir[128];
    vp_store *st = fresh_store(0, dir, sizeof dir);
    CHECK(st != NULL);
    if (!st)
        return;
    open_sweep w = {.io = io, .c = {.dir = dir}};
    w.want = dump(st);
    vp_store_close(st);
    /* A log after the snapshot, as a running store leaves it. */
    st = NULL;
    CHECK(vp_store_open(&w.c, &st, NULL) == VP_OK);
    if (st) {
        op_query_log(st);
        free(w.want);
        w.want = dump(st);
        vp_store_close(st);
    }
    int runs = fault_loop(open_step, &w);
    free(w.want);
    printf("store open embedded (%s faults): %d runs\n", io ? "I/O" : "allocation", runs);
    CHECK(runs > 1);
}

static void sweep_open(void)
{
    sweep_open_with(0);
    sweep_open_with(1);
}

/* The disk fills up in the middle of an append and the torn end cannot be
 * cut off; then space comes back. The next write must not land after the
 * torn end (the log would be damaged and the store would not open again). */
static void check_torn_then_recovers(void)
{
    char dir[128];
    vp_store *st = fresh_store(0, dir, sizeof dir);
    CHECK(st != NULL);
    if (!st)
        return;
    fault_arm(1, 0);
    CHECK(op_signals(st) == VP_ERR_IO);
    fault_disarm(1);
    CHECK(op_query_log(st) == VP_OK);
    CHECK(op_saved_query(st) == VP_OK);
    char *live = dump(st);
    char *crashed = crash_image(dir);
    CHECK(crashed && live && strcmp(crashed, live) == 0);
    free(crashed);
    vp_store_close(st);
    vp_store_config c = {0};
    c.dir = dir;
    st = NULL;
    char *err = NULL;
    vp_status rc = vp_store_open(&c, &st, &err);
    if (rc != VP_OK)
        fprintf(stderr, "torn log: reopening: %s\n", err ? err : vp_status_str(rc));
    CHECK(rc == VP_OK);
    free(err);
    char *again = st ? dump(st) : NULL;
    CHECK(again && live && strcmp(again, live) == 0);
    CHECK(live && strstr(live, "klik en tik") && strstr(live, "zomer") && !strstr(live, "jeugd"));
    free(again);
    free(live);
    vp_store_close(st);
}

static void sweep_stores(void)
{
    struct {
        const char *name;
        vp_status (*op)(vp_store *);
        int allocates_on_redis;
    } ops[] = {
        {"signals", op_signals, 1},
        {"saved query", op_saved_query, 0},
        {"saved query delete", op_saved_query_delete, 0},
        {"query log", op_query_log, 0},
        {"reads", op_read, 1},
    };
    for (int be = 0; be < 2; be++)
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
            for (int io = 0; io < 2; io++)
                sweep_store(ops[i].name, be, io, ops[i].op, ops[i].allocates_on_redis);
    /* Opening an embedded store that holds a snapshot and a log. */
    sweep_open();
    check_torn_then_recovers();
}

int main(void)
{
    snprintf(store_base, sizeof store_base, "/tmp/vp-test-faults-XXXXXX");
    if (!mkdtemp(store_base)) {
        perror("mkdtemp");
        return 1;
    }
    redis_proc rp;
    if (redis_up(&rp, store_base, "test_faults_store") != 0)
        return 1;
    redis_port = rp.port;
    sweep_stores();
    stop_redis(&rp);
    free(rp.bin);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store_base);
    if (check_failed == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", store_base);
    return check_done();
}
