/* test_faults_store.c - the signal store under out-of-memory at every
 * allocation and a failure at every I/O call, the SQLite way.
 *
 * The test binary is linked with --wrap for malloc, calloc, realloc,
 * strdup and strndup, and for the I/O calls the store makes, so call
 * number N of our own code can be made to fail; each operation runs with
 * N = 0, 1, 2, ... until it completes.
 *
 * The signal store is swept the same way, for both back ends (the embedded
 * one in a fresh directory, Redis on a real redis-server started here) and
 * for its three uses: signals (incr), saved queries (records) and the query
 * log (counters). Besides allocations, the I/O calls the store makes are
 * failed in turn: write, open, fopen, fwrite, fsync, rename and ftruncate (the
 * 64-bit offset forms the build uses) of
 * the embedded store's log and snapshot, and each reply read from Redis
 * (redisGetReply). A store operation that fails must say VP_ERR_NOMEM or
 * VP_ERR_IO and leave the store as it was before or as it is after the
 * operation (Redis may have run what was sent), one that succeeds must be
 * whole; and the embedded store, closed under the same faults and opened
 * again, must hold exactly what it held open: whatever it answered OK.
 *
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "check.h"
#include "redis.h"
#include "vindplaats/store.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
ssize_t __real_write(int fd, const void *p, size_t n);
int __real_open64(const char *path, int flags, ...);
FILE *__real_fopen64(const char *path, const char *mode);
size_t __real_fwrite(const void *p, size_t size, size_t n, FILE *f);
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __real_ftruncate64(int fd, off_t len);
int __real_redisGetReply(redisContext *c, void **reply);

static long countdown = -1; /* allocations left before one fails; -1: never */
static long io_countdown = -1; /* I/O calls left before one fails; -1: never */
static int failed;

static int should_fail(void)
{
    if (countdown < 0)
        return 0;
    if (countdown == 0) {
        failed = 1;
        return 1;
    }
    countdown--;
    return 0;
}

static int io_should_fail(void)
{
    if (io_countdown < 0)
        return 0;
    if (io_countdown == 0) {
        failed = 1;
        return 1;
    }
    io_countdown--;
    return 0;
}

/* The failing write is torn: half of it reaches the file, then the disk
 * is full. */
static int write_torn;

ssize_t __wrap_write(int fd, const void *p, size_t n)
{
    if (write_torn) {
        write_torn = 0;
        errno = ENOSPC;
        return -1;
    }
    if (io_should_fail()) {
        if (n > 1) {
            write_torn = 1;
            return __real_write(fd, p, n / 2);
        }
        errno = ENOSPC;
        return -1;
    }
    return __real_write(fd, p, n);
}

/* The store is built with 64-bit file offsets: these are the calls it makes. */
int __wrap_open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (io_should_fail()) {
        errno = EIO;
        return -1;
    }
    return __real_open64(path, flags, mode);
}

FILE *__wrap_fopen64(const char *path, const char *mode)
{
    if (io_should_fail()) {
        errno = EIO;
        return NULL;
    }
    return __real_fopen64(path, mode);
}

size_t __wrap_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    if (io_should_fail()) {
        errno = ENOSPC;
        return 0;
    }
    return __real_fwrite(p, size, n, f);
}

int __wrap_fsync(int fd)
{
    if (io_should_fail()) {
        errno = EIO;
        return -1;
    }
    return __real_fsync(fd);
}

int __wrap_rename(const char *from, const char *to)
{
    if (io_should_fail()) {
        errno = EIO;
        return -1;
    }
    return __real_rename(from, to);
}

int __wrap_ftruncate64(int fd, off_t len)
{
    if (io_should_fail()) {
        errno = EIO;
        return -1;
    }
    return __real_ftruncate64(fd, len);
}

/* A reply that never comes: the connection broke. */
int __wrap_redisGetReply(redisContext *c, void **reply)
{
    if (io_should_fail()) {
        c->err = REDIS_ERR_IO;
        snprintf(c->errstr, sizeof c->errstr, "injected I/O failure");
        return REDIS_ERR;
    }
    return __real_redisGetReply(c, reply);
}

void *__wrap_malloc(size_t n)
{
    return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return should_fail() ? NULL : __real_strndup(s, n);
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

static void arm(int io, long n)
{
    failed = 0;
    write_torn = 0;
    if (io)
        io_countdown = n;
    else
        countdown = n;
}

static void disarm(long *left, int io)
{
    if (left)
        *left = io ? io_countdown : countdown;
    countdown = io_countdown = -1;
}

/* Sweeps one store operation on back end `be` with allocation (io 0) or
 * I/O (io 1) number N failing, N = 0, 1, ... until a run has no failure. */
static void sweep_store(const char *name, int be, int io, vp_status (*op)(vp_store *),
                        int allocates)
{
    static const char *const be_names[] = {"embedded", "redis"};
    char dir[128];
    /* What the store holds before and after the operation, without faults. */
    vp_store *ref = fresh_store(be, dir, sizeof dir);
    CHECK(ref != NULL);
    if (!ref)
        return;
    char *before = dump(ref);
    vp_status ok = op(ref);
    CHECK(ok == VP_OK);
    char *after = dump(ref);
    vp_store_close(ref);
    int runs = 0, done = 0;
    vp_status want_fail = io ? VP_ERR_IO : VP_ERR_NOMEM;
    for (long n = 0; n < 100000 && !done; n++) {
        vp_store *st = fresh_store(be, dir, sizeof dir);
        CHECK(st != NULL);
        if (!st)
            break;
        runs++;
        arm(io, n);
        vp_status rc = op(st);
        long left;
        int failed_in_op = failed;
        disarm(&left, io);
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
                fprintf(stderr, "%s embedded: failure %ld: after a crash:\n%s--- was:\n%s", name,
                        n, crashed ? crashed : "(does not open)\n", live ? live : "");
                CHECK(0);
            }
            free(crashed);
        }
        int same_before = live && strcmp(live, before) == 0;
        int same_after = live && strcmp(live, after) == 0;
        if (!failed_in_op) {
            if (rc != VP_OK)
                fprintf(stderr, "%s %s: finished with %s\n", name, be_names[be], vp_status_str(rc));
            CHECK(rc == VP_OK);
        } else if (rc != want_fail && rc != VP_OK) {
            fprintf(stderr, "%s %s: failure %ld gave %s\n", name, be_names[be], n,
                    vp_status_str(rc));
            CHECK(0);
        }
        if (rc == VP_OK ? !same_after : !(same_before || same_after)) {
            fprintf(stderr, "%s %s: failure %ld (%s) left:\n%s--- before:\n%s--- after:\n%s",
                    name, be_names[be], n, vp_status_str(rc), live, before, after);
            CHECK(0);
        }
        /* Closing under the faults that are left (the embedded store
         * writes its snapshot then), then opening again: the embedded
         * store holds what it held open. */
        failed = 0;
        if (be == 0 && io)
            io_countdown = left;
        else if (be == 0)
            countdown = left;
        vp_store_close(st);
        int failed_in_close = failed;
        disarm(NULL, io);
        if (be == 0) {
            vp_store_config c = {0};
            c.dir = dir;
            vp_store *again = NULL;
            CHECK(vp_store_open(&c, &again, NULL) == VP_OK);
            char *reopened = again ? dump(again) : NULL;
            if (!reopened || !live || strcmp(reopened, live) != 0) {
                fprintf(stderr, "%s embedded: failure %ld%s: reopened:\n%s--- was:\n%s", name,
                        n, failed_in_close ? " (in close)" : "", reopened ? reopened : "",
                        live ? live : "");
                CHECK(0);
            }
            free(reopened);
            vp_store_close(again);
        }
        free(live);
        done = !failed_in_op && !failed_in_close;
    }
    free(before);
    free(after);
    printf("store %s %s (%s faults): %d runs\n", name, be_names[be], io ? "I/O" : "allocation",
           runs);
    /* Some Redis calls allocate nothing of ours (hiredis' own memory is
     * not failed here); everything else must have met a failure. */
    CHECK(runs > 1 || (be == 1 && !io && !allocates));
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
    char *want = dump(st);
    vp_store_close(st);
    /* A log after the snapshot, as a running store leaves it. */
    vp_store_config c = {0};
    c.dir = dir;
    st = NULL;
    CHECK(vp_store_open(&c, &st, NULL) == VP_OK);
    if (st) {
        op_query_log(st);
        free(want);
        want = dump(st);
        vp_store_close(st);
    }
    int runs = 0, done = 0;
    for (long n = 0; n < 100000 && !done; n++) {
        runs++;
        arm(io, n);
        st = NULL;
        vp_status rc = vp_store_open(&c, &st, NULL);
        int failed_open = failed;
        disarm(NULL, io);
        if (failed_open && rc == VP_OK) {
            /* A failure it could live with (a stale file left): it must
             * still hold everything. */
        } else if (failed_open && rc != (io ? VP_ERR_IO : VP_ERR_NOMEM)) {
            fprintf(stderr, "open embedded: failure %ld gave %s\n", n, vp_status_str(rc));
            CHECK(0);
        }
        if (!st)
            CHECK(vp_store_open(&c, &st, NULL) == VP_OK);
        char *got = st ? dump(st) : NULL;
        if (!got || !want || strcmp(got, want) != 0) {
            fprintf(stderr, "open embedded: failure %ld: holds\n%s--- wanted:\n%s", n,
                    got ? got : "", want ? want : "");
            CHECK(0);
        }
        free(got);
        vp_store_close(st);
        done = !failed_open;
    }
    free(want);
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
    arm(1, 0);
    CHECK(op_signals(st) == VP_ERR_IO);
    disarm(NULL, 1);
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
