/* test_faults_store.c - the signal store under out-of-memory at every
 * allocation and a failure at every I/O call, the SQLite way.
 *
 * The test binary is linked with --wrap for malloc, calloc, realloc,
 * strdup and strndup (tests/support/faults.h), and for the I/O calls the
 * store makes (tests/support/faults_io.h, and redisGetReply here), so call
 * number N of our own code can be made to fail; each operation runs with
 * N = 0, 1, 2, ... until it completes (fault_loop).
 *
 * Usage: test_faults_store OLD-FORMAT-DIR   (tests/data/store/old-format)
 *
 * SQLite, which the embedded store runs on, is a shared library: its
 * memory is routed through the same counted allocator
 * (SQLITE_CONFIG_MALLOC), and its files through a VFS over the default one
 * whose open, write (torn), truncate and sync count as I/O calls, so a
 * sweep fails SQLite's calls as well as ours.
 *
 * The signal store is swept for both back ends (the embedded
 * one in a fresh directory, Redis on a real redis-server started here) and
 * for its three uses: signals (incr), saved queries (records) and the query
 * log (counters). Besides allocations, the I/O calls the store makes are
 * failed in turn: SQLite's (above), ours (open, fopen, fsync and rename of
 * the lock file and of the migration from the format before SQLite), and
 * each reply read from Redis (redisGetReply). Opening a directory of the
 * format before SQLite (the committed fixture) is swept too: it fails
 * cleanly or migrates everything, and the old files are always kept. A
 * store operation that fails must say VP_ERR_NOMEM or
 * VP_ERR_IO and leave the store as it was before or as it is after the
 * operation (Redis may have run what was sent), one that succeeds must be
 * whole; and the embedded store, closed under the same faults and opened
 * again, must hold exactly what it held open: whatever it answered OK.
 *
 * The same VFS counts the embedded store's commits (WAL frames that end a
 * transaction) and checkpoints (syncs of store.db), and can make each
 * commit slow: writers of several threads share group commits, a writer
 * alone commits each call at once, a call of a group fails alone, and
 * writers go on while the checkpointer runs and another connection reads
 * (no "database is locked"). The fold of the journal into the tables, read
 * with SQL beside the open store: exact sums while open, nothing lost by a
 * crash between a call's journal row and its fold, all folded on close.
 * A database of schema 2 opens with all it held; a damaged journal row
 * keeps the store from opening and changes nothing. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <hiredis/hiredis.h>
#include <sqlite3.h>

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

/* ---- SQLite, the embedded store's engine, under the same faults ---- */

/* SQLite's memory from the counted allocator (SQLITE_CONFIG_MALLOC), each
 * block after an 8-byte header that holds its size. */
static void *sq_malloc(int n)
{
    uint64_t *p = fault_now() ? NULL : __real_malloc((size_t)n + 8);
    if (!p)
        return NULL;
    p[0] = (uint64_t)n;
    return p + 1;
}

static void sq_free(void *p)
{
    if (p)
        free((uint64_t *)p - 1);
}

static void *sq_realloc(void *p, int n)
{
    uint64_t *q = fault_now() ? NULL : __real_realloc((uint64_t *)p - 1, (size_t)n + 8);
    if (!q)
        return NULL;
    q[0] = (uint64_t)n;
    return q + 1;
}

static int sq_size(void *p)
{
    return p ? (int)((uint64_t *)p)[-1] : 0;
}

static int sq_roundup(int n)
{
    return (n + 7) & ~7;
}

static int sq_init(void *unused)
{
    (void)unused;
    return SQLITE_OK;
}

static void sq_shutdown(void *unused)
{
    (void)unused;
}

/* A VFS over the default one whose open, write, truncate and sync count as
 * I/O calls (faults_io.h): a failing write is torn as there, half of it
 * written, then the disk is full. */
typedef struct fault_file {
    sqlite3_file base;
    int kind;             /* SQLITE_OPEN_MAIN_DB, SQLITE_OPEN_WAL, ... */
    sqlite3_file *real;   /* right after this struct */
} fault_file;

/* Commits (WAL frame headers that carry the database size, which only the
 * last frame of a transaction does) and syncs of a main database (each
 * checkpoint syncs it), and how long each commit and each such sync is
 * made to take. */
static atomic_long vfs_commits, vfs_db_syncs;
static atomic_int vfs_commit_delay_ms, vfs_db_sync_delay_ms;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static sqlite3_io_methods fault_methods;

#define REAL(f) (((fault_file *)(f))->real)

static int ff_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}

static int ff_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int ff_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    const unsigned char *b = p;
    if (((fault_file *)f)->kind == SQLITE_OPEN_WAL && n == 24 && (b[4] | b[5] | b[6] | b[7])) {
        atomic_fetch_add(&vfs_commits, 1);
        int ms = atomic_load(&vfs_commit_delay_ms);
        struct timespec ts = {0, ms * 1000000L};
        if (ms)
            nanosleep(&ts, NULL);
    }
    if (fault_io_torn) {
        fault_io_torn = 0;
        return SQLITE_FULL;
    }
    if (fault_io_now()) {
        if (n > 1) {
            fault_io_torn = 1;
            REAL(f)->pMethods->xWrite(REAL(f), p, n / 2, off);
        }
        return SQLITE_FULL;
    }
    return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (fault_io_now())
        return SQLITE_IOERR_TRUNCATE;
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

/* A sync that does not fail reaches no disk: the sweeps judge what a
 * failure leaves (in the page cache, as a crash of the process would),
 * durability is test_store's kill -9; real syncs only made them slow. */
static int ff_sync(sqlite3_file *f, int flags)
{
    (void)flags;
    if (((fault_file *)f)->kind == SQLITE_OPEN_MAIN_DB) {
        int ms = atomic_load(&vfs_db_sync_delay_ms);
        struct timespec ts = {0, ms * 1000000L};
        if (ms)
            nanosleep(&ts, NULL);
        atomic_fetch_add(&vfs_db_syncs, 1);
    }
    return fault_io_now() ? SQLITE_IOERR_FSYNC : SQLITE_OK;
}

static int ff_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int ff_lock(sqlite3_file *f, int how)
{
    return REAL(f)->pMethods->xLock(REAL(f), how);
}

static int ff_unlock(sqlite3_file *f, int how)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), how);
}

static int ff_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int ff_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int ff_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int ff_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int ff_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), page, size, extend, p);
}

static int ff_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void ff_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int ff_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int ff_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int ff_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                   int *out_flags)
{
    fault_file *f = (fault_file *)file;
    (void)vfs;
    f->base.pMethods = NULL;
    f->kind = flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL |
                       SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL |
                       SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TRANSIENT_DB);
    f->real = (sqlite3_file *)(f + 1);
    if (fault_io_now())
        return SQLITE_CANTOPEN;
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    if (rc == SQLITE_OK && f->real->pMethods)
        f->base.pMethods = &fault_methods;
    return rc;
}

static int fv_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
    (void)v;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int fv_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int fv_full_path(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int fv_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int fv_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return real_vfs->xSleep(real_vfs, us);
}

static int fv_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int fv_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int fv_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

/* Before any other SQLite call: its memory and its default VFS. */
static int sqlite_under_faults(void)
{
    static const sqlite3_mem_methods mem = {sq_malloc, sq_free, sq_realloc, sq_size,
                                            sq_roundup, sq_init, sq_shutdown, NULL};
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK ||
        sqlite3_initialize() != SQLITE_OK)
        return -1;
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs)
        return -1;
    fault_methods = (sqlite3_io_methods){
        3,           ff_close,   ff_read,        ff_write,     ff_truncate, ff_sync,
        ff_size,     ff_lock,    ff_unlock,      ff_reserved,  ff_control,  ff_sector,
        ff_device,   ff_shm_map, ff_shm_lock,    ff_shm_barrier, ff_shm_unmap, ff_fetch,
        ff_unfetch,
    };
    fault_vfs = *real_vfs;
    fault_vfs.zName = "faults";
    fault_vfs.szOsFile = (int)sizeof(fault_file) + real_vfs->szOsFile;
    fault_vfs.pNext = NULL;
    fault_vfs.xOpen = fv_open;
    fault_vfs.xDelete = fv_delete;
    fault_vfs.xAccess = fv_access;
    fault_vfs.xFullPathname = fv_full_path;
    fault_vfs.xRandomness = fv_randomness;
    fault_vfs.xSleep = fv_sleep;
    fault_vfs.xCurrentTime = fv_time;
    fault_vfs.xGetLastError = fv_last_error;
    fault_vfs.xCurrentTimeInt64 = fv_time64;
    return sqlite3_vfs_register(&fault_vfs, 1) == SQLITE_OK ? 0 : -1;
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
    vp_error err = VP_ERROR_INIT;
    if (vp_store_open(&c, &st, &err) != VP_OK) {
        fprintf(stderr, "crash image %s does not open: ", copy);
        vp_error_print(stderr, NULL, &err);
        vp_error_clear(&err);
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

/* The embedded store in `dir`, opened without faults; the check fails
 * when it does not open. */
static vp_store *open_at(const char *dir)
{
    vp_store_config c = {0};
    vp_store *st = NULL;
    c.dir = dir;
    CHECK(vp_store_open(&c, &st, NULL) == VP_OK);
    return st;
}

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
    if (!io) {
        /* As in a running server, a read connection is open already: the
         * hundreds of allocations of opening one would multiply the runs
         * of every sweep of reads. Opening one that fails is swept with
         * the I/O faults (the file does not open). */
        vp_scored *warm = NULL;
        size_t nw = 0;
        CHECK(vp_store_top(st, NULL, VP_STORE_EPOCH, 1, &warm, &nw, NULL) == VP_OK);
        vp_scored_free(warm, nw);
    }
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
        vp_store *again = open_at(dir);
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

/* The disk fills up in the middle of a write to the write-ahead log, and
 * every write after it fails; then space comes back. The next writes must
 * succeed, and the torn frame must not spoil the log: a crash image and the
 * store reopened hold all that was answered, and nothing of the failed call. */
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
    fault_io_torn = 0;   /* space came back */
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
    vp_error err = VP_ERROR_INIT;
    vp_status rc = vp_store_open(&c, &st, &err);
    if (rc != VP_OK)
        vp_error_print(stderr, "torn log: reopening", &err);
    CHECK(rc == VP_OK);
    vp_error_clear(&err);
    char *again = st ? dump(st) : NULL;
    CHECK(again && live && strcmp(again, live) == 0);
    CHECK(live && strstr(live, "klik en tik") && strstr(live, "zomer") && !strstr(live, "jeugd"));
    free(again);
    free(live);
    vp_store_close(st);
}

/* One opening, under failure n, of a copy of a directory of the format
 * before SQLite (the committed fixture), which migrates it. */
typedef struct migrate_sweep {
    int io;
    const char *fixture;
    char *want; /* what the migrated store holds */
} migrate_sweep;

/* The bytes of a file, malloc()ed (through the real allocator, so that
 * no fault hits it); NULL when it cannot be read. */
static char *slurp(const char *dir, const char *sub, const char *name, size_t *len)
{
    char path[600];
    snprintf(path, sizeof path, "%s%s/%s", dir, sub, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = __real_malloc(1 << 16);
    *len = p ? fread(p, 1, 1 << 16, f) : 0;
    fclose(f);
    return p;
}

/* 1 when the fixture's file `name` is in `dir` or set aside in it, byte
 * for byte. */
static int old_file_kept(const char *fixture, const char *dir, const char *name)
{
    size_t a = 0, b = 0;
    int kept = 0;
    char *want = slurp(fixture, "", name, &a);
    for (int i = 0; i < 2 && want && !kept; i++) {
        char *got = slurp(dir, i ? "/before-sqlite" : "", name, &b);
        kept = got && a == b && memcmp(got, want, a) == 0;
        free(got);
    }
    free(want);
    return kept;
}

/* Copies the fixture's files (no subfolders) into a new `dir`. */
static int copy_fixture(const char *fixture, const char *dir)
{
    static const char *const names[] = {"snapshot", "log.1", "lock"};
    if (mkdir(dir, 0755) != 0)
        return -1;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        size_t len = 0;
        char path[600], *data = slurp(fixture, "", names[i], &len);
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = data ? fopen(path, "wb") : NULL;
        int ok = f && fwrite(data, 1, len, f) == len;
        if (f)
            ok = fclose(f) == 0 && ok;
        free(data);
        if (!ok)
            return -1;
    }
    return 0;
}

static int migrate_step(void *ctx, long n)
{
    migrate_sweep *w = ctx;
    char dir[160];
    snprintf(dir, sizeof dir, "%s/migrate-%d", store_base, store_runs++);
    CHECK(copy_fixture(w->fixture, dir) == 0);
    vp_store_config c = {.dir = dir};
    vp_store *st = NULL;
    fault_arm(w->io, n);
    vp_status rc = vp_store_open(&c, &st, NULL);
    int failed = fault_failed;
    fault_disarm(w->io);
    fault_io_torn = 0;
    if (!failed)
        CHECK(rc == VP_OK);
    else if (rc != VP_OK && rc != (w->io ? VP_ERR_IO : VP_ERR_NOMEM)) {
        fprintf(stderr, "migrate: failure %ld gave %s\n", n, vp_status_str(rc));
        CHECK(0);
    }
    /* Opened under the fault or again after it: everything, once. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            vp_store_close(st);
            st = NULL;
            CHECK(vp_store_open(&c, &st, NULL) == VP_OK);
        }
        if (!st)
            continue;
        char *got = dump(st);
        if (!got || !w->want || strcmp(got, w->want) != 0) {
            fprintf(stderr, "migrate: failure %ld (%s), pass %d: holds\n%s--- wanted:\n%s", n,
                    vp_status_str(rc), pass, got ? got : "", w->want ? w->want : "");
            CHECK(0);
        }
        free(got);
    }
    vp_store_close(st);
    CHECK(old_file_kept(w->fixture, dir, "snapshot") && old_file_kept(w->fixture, dir, "log.1"));
    return failed;
}

/* Migrating under faults: fails cleanly or opens all the old files held;
 * either way the next open holds all of it, once, and the old files are
 * kept (in place or set aside). */
static void sweep_migrate(const char *fixture)
{
    for (int io = 0; io < 2; io++) {
        migrate_sweep w = {.io = io, .fixture = fixture};
        char dir[160], cmd[600];
        snprintf(dir, sizeof dir, "%s/migrate-ref", store_base);
        snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s'", dir, fixture, dir);
        CHECK(system(cmd) == 0);
        vp_store_config c = {.dir = dir};
        vp_store *st = NULL;
        CHECK(vp_store_open(&c, &st, NULL) == VP_OK);
        w.want = st ? dump(st) : NULL;
        CHECK(w.want && strstr(w.want, "record zomer {"));
        vp_store_close(st);
        int runs = fault_loop(migrate_step, &w);
        free(w.want);
        printf("store migrate embedded (%s faults): %d runs\n", io ? "I/O" : "allocation", runs);
        CHECK(runs > 1);
    }
}

/* ---- group commits, counted through the VFS ---- */

static vp_store *open_store(const char *name, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s/%s", store_base, name);
    return open_at(dir);
}

typedef struct writer {
    vp_store *st;
    int id, calls, events;  /* events per vp_store_add_signals */
    int ok, not_found, other;
} writer;

/* `calls` batches of `events` views, offerings "w<id>:<i>" and one that
 * every thread shares; a count per call; a delete of a record that is not
 * there every tenth call. */
static void *write_calls(void *arg)
{
    writer *w = arg;
    vp_signal *ev = calloc((size_t)w->events, sizeof *ev);
    char (*ids)[32] = calloc((size_t)w->events, sizeof *ids);
    char key[32];
    snprintf(key, sizeof key, "w%d", w->id);
    for (int c = 0; ev && ids && c < w->calls; c++) {
        for (int i = 0; i < w->events; i++) {
            if (i == 0)
                snprintf(ids[i], sizeof ids[i], "shared");
            else
                snprintf(ids[i], sizeof ids[i], "w%d:%d", w->id, (c * w->events + i) % 2000);
            ev[i] = (vp_signal){VP_SIGNAL_VIEW, ids[i], "seg", NULL, NULL, VP_STORE_EPOCH};
        }
        vp_status rc[3] = {vp_store_add_signals(w->st, ev, (size_t)w->events, NULL),
                           vp_store_count(w->st, "group", key, 1, NULL),
                           c % 10 ? VP_OK : vp_store_delete(w->st, "group", "absent", NULL)};
        for (int k = 0; k < 2; k++) {
            if (rc[k] == VP_OK)
                w->ok++;
            else
                w->other++;
        }
        if (c % 10 == 0 && rc[2] == VP_ERR_NOT_FOUND)
            w->not_found++;
        else if (rc[2] != VP_OK)
            w->other++;
    }
    free(ev);
    free(ids);
    return NULL;
}

/* Runs `threads` writers at once; every call answered as it should be. */
static void run_writers(vp_store *st, int threads, int calls, int events)
{
    pthread_t th[8];
    writer w[8];
    for (int i = 0; i < threads; i++) {
        w[i] = (writer){st, i, calls, events, 0, 0, 0};
        CHECK(pthread_create(&th[i], NULL, write_calls, &w[i]) == 0);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        CHECK(w[i].ok == 2 * calls && w[i].not_found == (calls + 9) / 10 && w[i].other == 0);
        if (w[i].other)
            fprintf(stderr, "writer %d: %d calls failed\n", i, w[i].other);
    }
}

/* What run_writers wrote is all there, after a close and an open. */
static void check_written(const char *name, char *dir, int threads, int calls, int events)
{
    vp_store *st = open_at(dir);
    if (!st)
        return;
    const char *shared[] = {"shared"};
    double sc = -1;
    CHECK(vp_store_scores(st, "seg", shared, 1, VP_STORE_EPOCH, &sc, NULL) == VP_OK);
    CHECK(sc == (double)threads * calls);
    vp_scored *cn = NULL;
    size_t n = 0;
    CHECK(vp_store_counters(st, "group", &cn, &n, NULL) == VP_OK);
    CHECK(n == (size_t)threads);
    for (size_t i = 0; i < n; i++)
        CHECK(cn[i].score == calls);
    vp_scored_free(cn, n);
    vp_scored *top = NULL;
    size_t nt = 0;
    CHECK(vp_store_top(st, NULL, VP_STORE_EPOCH, 10000, &top, &nt, NULL) == VP_OK);
    double total = 0;
    for (size_t i = 0; i < nt; i++)
        total += top[i].score;
    CHECK(total == (double)threads * calls * events);
    vp_scored_free(top, nt);
    fprintf(stderr, "%s: %d threads x %d calls of %d events all there\n", name, threads, calls,
            events);
    vp_store_close(st);
}

static void check_group_commits(void)
{
    char dir[128];
    /* A writer alone: each call is a commit of its own, made before it is
     * answered. */
    vp_store *st = open_store("alone", dir, sizeof dir);
    if (!st)
        return;
    atomic_store(&vfs_commit_delay_ms, 2);
    long before = atomic_load(&vfs_commits);
    run_writers(st, 1, 40, 3);
    long commits = atomic_load(&vfs_commits) - before;
    fprintf(stderr, "one writer, 80 writing calls: %ld commits\n", commits);
    CHECK(commits == 80);
    vp_store_close(st);
    check_written("alone", dir, 1, 40, 3);

    /* Four writers whose commits are slow (2 ms): calls that come while one
     * commits share the next. Each call alone would be 4 x 80 commits. */
    st = open_store("group", dir, sizeof dir);
    if (!st)
        return;
    before = atomic_load(&vfs_commits);
    run_writers(st, 4, 40, 3);
    commits = atomic_load(&vfs_commits) - before;
    atomic_store(&vfs_commit_delay_ms, 0);
    fprintf(stderr, "four writers, 320 writing calls: %ld commits\n", commits);
    CHECK(commits > 0 && commits <= 240);
    vp_store_close(st);
    check_written("group", dir, 4, 40, 3);
}

/* Four writers of large batches while the checkpointer copies the WAL
 * into store.db and another connection (as the sqlite3 shell would) holds
 * a read transaction for a while: no call fails ("database is locked"),
 * checkpoints run meanwhile, and everything is there afterwards. */
static void check_writers_and_checkpoints(void)
{
    char dir[128], path[160];
    vp_store *st = open_store("checkpoints", dir, sizeof dir);
    if (!st)
        return;
    snprintf(path, sizeof path, "%s/store.db", dir);
    sqlite3 *reader = NULL;
    sqlite3_stmt *q = NULL;
    CHECK(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    CHECK(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(sqlite3_prepare_v2(reader, "SELECT count(*) FROM signals", -1, &q, NULL) ==
          SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW);
    long syncs = atomic_load(&vfs_db_syncs);
    run_writers(st, 4, 30, 200);
    sqlite3_finalize(q);
    sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
    run_writers(st, 4, 30, 200);
    syncs = atomic_load(&vfs_db_syncs) - syncs;
    fprintf(stderr, "checkpoints while four writers wrote: %ld\n", syncs);
    CHECK(syncs >= 1);
    sqlite3_close(reader);
    vp_store_close(st);
    check_written("checkpoints", dir, 4, 60, 200);
}

/* The checkpoint sequence number of a WAL file (its header's bytes 12-15,
 * big endian): how many times the WAL started again from its beginning.
 * 0 when there is no WAL. */
static unsigned long wal_restarts(const char *path)
{
    unsigned char h[16];
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(h, 1, sizeof h, f) : 0;
    if (f)
        fclose(f);
    if (got != sizeof h)
        return 0;
    return (unsigned long)h[12] << 24 | (unsigned long)h[13] << 16 | (unsigned long)h[14] << 8 |
           h[15];
}

/* Counts that never pause while checkpoints are slow (each sync of
 * store.db takes 200 ms, so commits land during every checkpoint): the WAL
 * must still start again from its beginning now and then (at 32 MiB), not
 * grow by a frame a count without bound. */
static void check_wal_restarts(void)
{
    char dir[128], wal[160];
    vp_store *st = open_store("wal-restarts", dir, sizeof dir);
    if (!st)
        return;
    snprintf(wal, sizeof wal, "%s/store.db-wal", dir);
    unsigned long before = wal_restarts(wal);
    long syncs = atomic_load(&vfs_db_syncs);
    int calls = 0, failed = 0;
    atomic_store(&vfs_db_sync_delay_ms, 200);
    unsigned long restarts = 0;
    while (calls < 100000 && restarts < 2) {
        char key[32];
        snprintf(key, sizeof key, "k%d", calls % 100);
        failed += vp_store_count(st, "restarts", key, 1, NULL) != VP_OK;
        if (++calls % 500 == 0)
            restarts = wal_restarts(wal) - before;
    }
    atomic_store(&vfs_db_sync_delay_ms, 0);
    struct stat sb;
    long long size = stat(wal, &sb) == 0 ? (long long)sb.st_size : -1;
    fprintf(stderr, "wal: %d counts, %ld syncs of store.db, %lu restarts, %lld bytes\n", calls,
            atomic_load(&vfs_db_syncs) - syncs, restarts, size);
    CHECK(failed == 0);
    CHECK(restarts >= 2);
    vp_store_close(st);
    vp_scored *c = NULL;
    size_t n = 0;
    double total = 0;
    st = open_at(dir);
    CHECK(st && vp_store_counters(st, "restarts", &c, &n, NULL) == VP_OK);
    for (size_t i = 0; i < n; i++)
        total += c[i].score;
    CHECK(total == calls);
    vp_scored_free(c, n);
    vp_store_close(st);
}

/* ---- the fold: the journal into the tables ---- */

/* The first column of the first row of `sql` on DIR/store.db (as the
 * sqlite3 shell would read it, the store open or not); -1 on failure. */
static double sql_value(const char *dir, const char *sql)
{
    char path[200];
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    double v = -1;
    snprintf(path, sizeof path, "%s/store.db", dir);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* `calls` batches of 1,000 views of offerings never seen before (f:N from
 * f:first*1000 on), in segment "fseg", from campaign "fc". */
static void fold_calls(vp_store *st, int first, int calls)
{
    vp_signal *ev = calloc(1000, sizeof *ev);
    char (*ids)[32] = calloc(1000, sizeof *ids);
    for (int c = first; ev && ids && c < first + calls; c++) {
        for (int i = 0; i < 1000; i++) {
            snprintf(ids[i], sizeof ids[i], "f:%06d", c * 1000 + i);
            ev[i] = (vp_signal){VP_SIGNAL_VIEW, ids[i], "fseg", NULL, "fc", VP_STORE_EPOCH};
        }
        CHECK(vp_store_add_signals(st, ev, 1000, NULL) == VP_OK);
    }
    free(ev);
    free(ids);
}

/* The store in `dir` (or a copy of it, as a crash leaves it) holds
 * exactly `calls` of fold_calls: every offering once, nothing more. */
static void check_fold_calls(vp_store *st, int calls, const char *when)
{
    const char *ids[1000];
    char buf[1000][32];
    double sc[1000];
    int bad = 0;
    for (int c = 0; c <= calls; c++) {
        for (int i = 0; i < 1000; i++) {
            snprintf(buf[i], sizeof buf[i], "f:%06d", c * 1000 + i);
            ids[i] = buf[i];
        }
        if (vp_store_scores(st, "fseg", ids, 1000, VP_STORE_EPOCH, sc, NULL) != VP_OK)
            bad++;
        for (int i = 0; i < 1000; i++)
            bad += sc[i] != (c < calls ? 1 : 0);
    }
    vp_scored *cn = NULL;
    size_t n = 0;
    CHECK(vp_store_counters(st, "campaign", &cn, &n, NULL) == VP_OK);
    CHECK(n == 1 && cn && cn[0].score == 1000.0 * calls);
    vp_scored_free(cn, n);
    if (bad)
        fprintf(stderr, "%s: %d numbers wrong\n", when, bad);
    CHECK(bad == 0);
}

/* Batches that change more numbers than wake the fold: the checkpointer
 * folds the journal into the tables while the store is open, and the
 * tables then hold exact sums (the tables and the journal's rows that are
 * left add up to every call); a crash after more batches, between their
 * journal rows and the next fold, loses nothing; closing folds the rest
 * and empties the journal; the store opens again with everything. */
static void check_fold(void)
{
    char dir[128], copy[160], cmd[800];
    vp_store *st = open_store("fold", dir, sizeof dir);
    if (!st)
        return;
    fold_calls(st, 0, 40);
    double left = -1, folded = -1;
    for (int t = 0; t < 600; t++) {
        left = sql_value(dir, "SELECT count(*) FROM journal");
        folded = sql_value(dir, "SELECT value FROM counters WHERE ns = 'campaign'");
        if (left >= 0 && left < 40 && folded > 0)
            break;
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    }
    fprintf(stderr, "fold: %.0f of 40 calls folded into the tables, %.0f journal rows left\n",
            folded / 1000, left);
    CHECK(folded > 0 && left >= 0 && folded + 1000 * left == 40000);
    CHECK(sql_value(dir, "SELECT count(*) FROM signals WHERE kind = 'all'") == folded);
    CHECK(sql_value(dir, "SELECT count(*) FROM signals WHERE kind = 'segment' AND sum = 1") ==
          folded);
    CHECK(sql_value(dir, "SELECT count(*) FROM signals WHERE sum <> 1") == 0);
    check_fold_calls(st, 40, "fold, open");

    /* A crash between the journal rows of five more calls and their fold. */
    fold_calls(st, 40, 5);
    snprintf(copy, sizeof copy, "%s-crash", dir);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '%s' '%s' && rm -f '%s/lock'", copy, dir,
             copy, copy);
    CHECK(system(cmd) == 0);
    CHECK(sql_value(copy, "SELECT count(*) FROM journal") >= 5);
    vp_store *crashed = open_at(copy);
    if (crashed) {
        check_fold_calls(crashed, 45, "fold, after a crash");
        vp_store_close(crashed);
    }

    /* Closing folds the rest. */
    vp_store_close(st);
    CHECK(sql_value(dir, "SELECT count(*) FROM journal") == 0);
    CHECK(sql_value(dir, "SELECT value FROM counters WHERE ns = 'campaign'") == 45000);
    CHECK(sql_value(dir, "SELECT count(*) FROM signals WHERE kind = 'all' AND sum = 1") == 45000);
    st = open_at(dir);
    if (st) {
        check_fold_calls(st, 45, "fold, reopened");
        vp_store_close(st);
    }
}

/* A store.db of schema 2 (the store before the journal: a ranking index,
 * every read through SQL) opens with all it held, and is of schema 3 after:
 * the index dropped, the journal there. */
static void check_schema2_upgrade(void)
{
    char dir[128], path[200];
    sqlite3 *db = NULL;
    snprintf(dir, sizeof dir, "%s/schema2", store_base);
    snprintf(path, sizeof path, "%s/store.db", dir);
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db,
                       "PRAGMA journal_mode = WAL;"
                       "CREATE TABLE signals(kind TEXT NOT NULL, scope TEXT NOT NULL,"
                       " member TEXT NOT NULL, sum REAL NOT NULL,"
                       " PRIMARY KEY(kind, scope, member)) WITHOUT ROWID;"
                       "CREATE INDEX signals_rank ON signals(kind, scope, sum, member)"
                       " WHERE kind <> 'co';"
                       "CREATE TABLE counters(ns TEXT NOT NULL, key TEXT NOT NULL,"
                       " value REAL NOT NULL, PRIMARY KEY(ns, key)) WITHOUT ROWID;"
                       "CREATE TABLE records(ns TEXT NOT NULL, key TEXT NOT NULL,"
                       " value TEXT NOT NULL, PRIMARY KEY(ns, key)) WITHOUT ROWID;"
                       "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL)"
                       " WITHOUT ROWID;"
                       "INSERT INTO signals VALUES('all', '', 'lib:a', 2.5),"
                       " ('segment', 'senioren', 'lib:a', 1.5), ('co', 'lib:a', 'lib:b', 0.75),"
                       " ('co', 'lib:b', 'lib:a', 0.75);"
                       "INSERT INTO counters VALUES('campaign', 'winter:click', 3);"
                       "INSERT INTO records VALUES('queries', 'winter', '{}');"
                       "PRAGMA user_version = 2;",
                       NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);

    vp_store *st = open_at(dir);
    if (!st)
        return;
    const char *a[] = {"lib:a"};
    double sc = -1, seg = -1;
    CHECK(vp_store_scores(st, NULL, a, 1, VP_STORE_EPOCH, &sc, NULL) == VP_OK && sc == 2.5);
    CHECK(vp_store_scores(st, "senioren", a, 1, VP_STORE_EPOCH, &seg, NULL) == VP_OK &&
          seg == 1.5);
    vp_scored *co = NULL;
    size_t n = 0;
    CHECK(vp_store_co_used(st, "lib:b", VP_STORE_EPOCH, 10, &co, &n, NULL) == VP_OK);
    CHECK(n == 1 && co && strcmp(co[0].key, "lib:a") == 0 && co[0].score == 0.75);
    vp_scored_free(co, n);
    CHECK(vp_store_counters(st, "campaign", &co, &n, NULL) == VP_OK);
    CHECK(n == 1 && co && strcmp(co[0].key, "winter:click") == 0 && co[0].score == 3);
    vp_scored_free(co, n);
    char *v = NULL;
    CHECK(vp_store_get(st, "queries", "winter", &v, NULL) == VP_OK && v && strcmp(v, "{}") == 0);
    free(v);
    CHECK(vp_store_count(st, "campaign", "winter:click", 1, NULL) == VP_OK);
    vp_store_close(st);
    CHECK(sql_value(dir, "PRAGMA user_version") == 3);
    CHECK(sql_value(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'signals_rank'") == 0);
    CHECK(sql_value(dir, "SELECT count(*) FROM journal") == 0);
    CHECK(sql_value(dir, "SELECT value FROM counters WHERE key = 'winter:click'") == 4);
    CHECK(sql_value(dir, "SELECT sum FROM signals WHERE kind = 'all'") == 2.5);
    fprintf(stderr, "schema 2 upgraded to 3 with everything in it\n");
}

/* A journal row that is not what the store writes (cut short, a string
 * without its NUL or running past the end, an unknown set, a scope where
 * none belongs) keeps the store from opening, with VP_ERR_IO naming the
 * row, and changes nothing: the good rows before it stay. */
static void check_damaged_journal(void)
{
    static const struct {
        const char *hex;
        const char *why;
    } bad[] = {
        {"00", "cut short"},
        {"0000000000010000006100", "no increment"},
        {"0000000000010000006162000000000000f03f", "no NUL"},
        {"0000000000200000006100000000000000f03f", "past the end"},
        {"0700000000010000006100000000000000f03f", "unknown set"},
        {"00010000000100000073006100000000000000f03f", "a scope for everyone"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char dir[128], sql[300], name[32];
        snprintf(name, sizeof name, "damaged-%zu", i);
        vp_store *st = open_store(name, dir, sizeof dir);
        if (!st)
            return;
        CHECK(vp_store_count(st, "good", "k", 1, NULL) == VP_OK);
        vp_store_close(st);
        st = NULL;
        vp_store_config c = {0};
        c.dir = dir;
        char path[200];
        sqlite3 *db = NULL;
        snprintf(path, sizeof path, "%s/store.db", dir);
        snprintf(sql, sizeof sql,
                 "INSERT INTO journal(ops) VALUES(X'0000000000010000006100000000000000f03f');"
                 "INSERT INTO journal(ops) VALUES(X'%s');", bad[i].hex);
        CHECK(sqlite3_open(path, &db) == SQLITE_OK &&
              sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK);
        sqlite3_close(db);
        vp_error err = VP_ERROR_INIT;
        CHECK(vp_store_open(&c, &st, &err) == VP_ERR_IO && st == NULL);
        vp_store_close(st);
        /* The place is fields: the database file and the row. */
        int placed = err.status == VP_ERR_IO && err.file && strcmp(err.file, path) == 0 &&
                     err.path && strcmp(err.path, "journal row 2") == 0 && err.message &&
                     strcmp(err.message, "damaged") == 0;
        if (!placed)
            vp_error_print(stderr, bad[i].why, &err);
        CHECK(placed);
        vp_error_clear(&err);
        CHECK(sql_value(dir, "SELECT count(*) FROM journal") == 2);
        CHECK(sql_value(dir, "SELECT value FROM counters WHERE ns = 'good'") == 1);
    }
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

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_faults_store OLD-FORMAT-DIR (tests/data/store/old-format)\n");
        return 2;
    }
    fault_io_real_sync = 0;   /* as ff_sync: the sweeps judge failures, not durability */
    if (sqlite_under_faults() != 0) {
        fprintf(stderr, "cannot set up SQLite for faults\n");
        return 1;
    }
    snprintf(store_base, sizeof store_base, "/tmp/vp-test-faults-XXXXXX");
    if (!mkdtemp(store_base)) {
        perror("mkdtemp");
        return 1;
    }
    redis_proc rp;
    if (redis_up(&rp, store_base, "test_faults_store") != 0)
        return 1;
    redis_port = rp.port;
    check_group_commits();
    check_writers_and_checkpoints();
    check_wal_restarts();
    check_fold();
    check_schema2_upgrade();
    check_damaged_journal();
    sweep_stores();
    sweep_migrate(argv[1]);
    stop_redis(&rp);
    free(rp.bin);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store_base);
    if (check_failed == 0 && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", store_base);
    return check_done();
}
