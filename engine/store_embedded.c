/* store_embedded.c - the in-process signal store back end on SQLite
 * (store_backend.h).
 *
 * Disk, under cfg->dir (a private in-memory database when dir is NULL):
 *   store.db, store.db-wal, store.db-shm   the database, in WAL mode;
 *   lock             held with fcntl() while open: one process per directory;
 *   before-sqlite/   the files of the format before SQLite, moved here by
 *                    the first open that read them (store_migrate.h).
 * Tables (strings are stored as the bytes given, compared as bytes):
 *   signals(kind, scope, member, sum)   kind "all" (scope ''), "segment"
 *                                       (scope the segment) or "co" (scope
 *                                       the offering): raw sums, as the
 *                                       Redis sorted sets hold them;
 *   counters(ns, key, value)            vp_store_count;
 *   journal(id, ops)                    a writing call's numbers (their
 *                                       increments, encoded), one row a
 *                                       call, not yet folded into signals
 *                                       and counters;
 *   records(ns, key, value)             vp_store_put;
 *   meta(name, value)                   "migrated": what was read from the
 *                                       old format, once.
 * Numbers: a call that adds numbers appends one journal row (one page or
 * two a commit, whatever the batch, where adding to every sum in its place
 * dirtied a page a number). Every number is also held in memory
 * (store_memory.h), loaded at open from the tables with the journal added
 * on top, and every read is answered from there, never waiting for SQLite.
 * The fold writes each number changed since the last fold, as memory holds
 * it, into the tables (in key order, an insert or an update as memory knows
 * the row is there) and empties the journal, in one transaction: the
 * checkpointer runs it between two group commits when FOLD_NUMBERS numbers
 * changed or FOLD_BYTES of journal were written, and closing runs it; the
 * writers wait for it, the readers do not. A sum that would stop being
 * finite keeps its value (store_mem_add). The memory-only store keeps its
 * numbers in memory alone (no journal), its records in the database.
 *
 * Durability: a call is answered VP_OK only after the transaction that
 * holds it (its journal row, or its record) has committed, its pages
 * written to the WAL (handed to the OS with write(), synchronous=NORMAL),
 * and only then is it added in memory, so a crash of the process (kill -9)
 * loses nothing that was answered VP_OK and never leaves a call torn: the
 * journal rows not folded yet are read again at open. A crash of the
 * machine or a power cut may lose the last commits since the WAL was last
 * synced (at checkpoints), never leaving a torn one: the promise of the
 * store before SQLite, whose log was written, not synced.
 *
 * Writes: one connection of its own writes (the memory-only store has a
 * single connection for everything). Writing calls queue; the caller at
 * the head of the queue, when no commit is running, commits itself and
 * every call queued behind it in one transaction (a group commit), then
 * wakes them. A call alone commits at once; calls that arrive during a
 * commit share the next one, so concurrent writers write shared pages to
 * the WAL once, and the writer's page cache stays valid between commits.
 * A group that fails is committed again call by call, so each call is
 * whole or absent and fails only for a cause of its own. The busy timeout
 * is left for other processes (the sqlite3 shell).
 *
 * Reads of records: a small pool of connections (POOL_MAX), opened when
 * first needed and checked out for one call under a mutex; a caller
 * finding all busy waits, at most BUSY_TIMEOUT_MS. Readers never wait for writers (WAL). A
 * connection that an error left inside a transaction is closed (memory-only:
 * rolled back).
 * Checkpoints (copying the WAL into store.db, with an fsync of both) run
 * in a thread of their own on a connection of their own, woken when a
 * commit leaves the WAL at CHECKPOINT_PAGES or more, so that callers do not
 * wait for the copy and its disk flush; only when writes that never pause
 * grew the WAL to WAL_MAX_PAGES does a second pass between two group
 * commits copy the rest, so that it starts again from its beginning
 * (checkpoint()); closing the store checkpoints what is left. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store_backend.h"
#include "store_memory.h"
#include "store_migrate.h"

#define DB_NAME "store.db"
#define POOL_MAX 8
#define BUSY_TIMEOUT_MS 5000
#define SCHEMA_VERSION 3
#define CHECKPOINT_PAGES 500    /* WAL pages (2 MiB) that wake the checkpointer */
#define WAL_MAX_PAGES 8192      /* WAL pages (32 MiB) past which writers wait for it to restart */
#define FOLD_NUMBERS 65536      /* changed numbers that wake the fold */
#define FOLD_BYTES (16u << 20)  /* journal bytes that wake the fold */
#define WRITER_CACHE_KIB 16384  /* the page cache of the writer's connection */
#define GROUP_MAX_OPS 20000     /* numbers one group commit takes, at least one call */

/* The prepared statements of a connection. */
enum {
    Q_BEGIN_WRITE,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_SIGNAL_ADD,
    Q_SIGNAL_SET,
    Q_COUNTER_ADD,
    Q_COUNTER_SET,
    Q_SIGNAL_INSERT,
    Q_SIGNAL_UPDATE,
    Q_COUNTER_INSERT,
    Q_COUNTER_UPDATE,
    Q_JOURNAL_ADD,
    Q_JOURNAL_CLEAR,
    Q_PUT,
    Q_GET,
    Q_DEL,
    Q_KEYS,
    Q_COUNT
};

/* ?1 kind or namespace, ?2 scope or key, ?3 member or value, ?4 number. */
#define FINITE_OR_KEEP(col, sum) \
    "CASE WHEN abs(" sum ") < 9e999 THEN " sum " ELSE " col " END"
static const char *const query_sql[Q_COUNT] = {
    [Q_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SIGNAL_ADD] = "INSERT INTO signals(kind, scope, member, sum) VALUES(?1, ?2, ?3, ?4) "
                     "ON CONFLICT(kind, scope, member) DO UPDATE SET sum = "
                     FINITE_OR_KEEP("sum", "sum + excluded.sum"),
    [Q_SIGNAL_SET] = "INSERT INTO signals(kind, scope, member, sum) VALUES(?1, ?2, ?3, ?4) "
                     "ON CONFLICT(kind, scope, member) DO UPDATE SET sum = excluded.sum",
    [Q_COUNTER_ADD] = "INSERT INTO counters(ns, key, value) VALUES(?1, ?3, ?4) "
                      "ON CONFLICT(ns, key) DO UPDATE SET value = "
                      FINITE_OR_KEEP("value", "value + excluded.value"),
    [Q_COUNTER_SET] = "INSERT INTO counters(ns, key, value) VALUES(?1, ?3, ?4) "
                      "ON CONFLICT(ns, key) DO UPDATE SET value = excluded.value",
    /* The fold's: a row is inserted or updated as memory knows it is
     * there or not (one B-tree search, where an upsert takes two). */
    [Q_SIGNAL_INSERT] = "INSERT INTO signals(kind, scope, member, sum) VALUES(?1, ?2, ?3, ?4)",
    [Q_SIGNAL_UPDATE] = "UPDATE signals SET sum = ?4 WHERE kind = ?1 AND scope = ?2 AND member = ?3",
    [Q_COUNTER_INSERT] = "INSERT INTO counters(ns, key, value) VALUES(?1, ?3, ?4)",
    [Q_COUNTER_UPDATE] = "UPDATE counters SET value = ?4 WHERE ns = ?1 AND key = ?3",
    [Q_JOURNAL_ADD] = "INSERT INTO journal(ops) VALUES(?1)",
    [Q_JOURNAL_CLEAR] = "DELETE FROM journal",
    [Q_PUT] = "INSERT INTO records(ns, key, value) VALUES(?1, ?2, ?3) "
              "ON CONFLICT(ns, key) DO UPDATE SET value = excluded.value",
    [Q_GET] = "SELECT value FROM records WHERE ns = ?1 AND key = ?2",
    [Q_DEL] = "DELETE FROM records WHERE ns = ?1 AND key = ?2",
    [Q_KEYS] = "SELECT key FROM records WHERE ns = ?1",
};

/* Schemas 1 and 2 had a ranking index (signals_rank) that every write
 * moved; reads are answered from memory now, and the upgrade to 3 drops
 * it and adds the journal. */
static const char schema_sql[] =
    "DROP INDEX IF EXISTS signals_rank;"
    "CREATE TABLE IF NOT EXISTS signals(kind TEXT NOT NULL, scope TEXT NOT NULL,"
    " member TEXT NOT NULL, sum REAL NOT NULL, PRIMARY KEY(kind, scope, member)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS journal(id INTEGER PRIMARY KEY, ops BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS counters(ns TEXT NOT NULL, key TEXT NOT NULL,"
    " value REAL NOT NULL, PRIMARY KEY(ns, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS records(ns TEXT NOT NULL, key TEXT NOT NULL,"
    " value TEXT NOT NULL, PRIMARY KEY(ns, key)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;";

static const char *const kind_name[VP_SET_KIND_COUNT] = {
    [VP_SET_ALL] = "all", [VP_SET_SEG] = "segment", [VP_SET_CO] = "co", [VP_SET_COUNT] = "",
};

typedef struct conn {
    sqlite3 *db;
    const char *file;       /* the database file; NULL: memory only */
    sqlite3_stmt *q[Q_COUNT];
    int in_use;
} conn;

/* A call's writes, queued for a group commit (submit). */
typedef struct wreq {
    const store_incr *ops;  /* numbers to add, n of them, when ns is NULL */
    size_t n;
    store_num **slots;      /* theirs in memory, once staged */
    const unsigned char *journal;  /* ops encoded for the journal */
    size_t journal_len;
    const char *ns, *key;   /* else a record to put (value) or delete */
    const char *value;
    vp_status rc;           /* the outcome, once done */
    vp_error err;           /* its error, when rc is not VP_OK */
    int done;
    struct wreq *next;
} wreq;

typedef struct emb {
    pthread_mutex_t mu;
    pthread_mutex_t write_mu;  /* guards the queue of writes */
    pthread_cond_t written;    /* a group commit has ended */
    wreq *queue_head, *queue_tail;
    int committing;            /* a caller is committing a group */
    conn writer;               /* file stores: the one connection that writes */
    pthread_cond_t freed;
    char *dir;              /* NULL: memory only */
    char *path;             /* the database: dir/store.db or ":memory:" */
    int lock_fd;
    int pool_max;
    conn pool[POOL_MAX];
    /* The checkpointer (file stores): its own connection and thread. */
    pthread_mutex_t ck_mu;
    pthread_cond_t ck_wake;
    int ck_due, ck_stop, ck_running;
    int ck_backfilled;      /* WAL frames in store.db after the last pass */
    pthread_t ck_thread;
    sqlite3 *ck_db;
    /* Every number, in memory; written by the holder of the commit (the
     * `committing` flag), read by all under mem_lock. */
    store_mem *mem;
    pthread_rwlock_t mem_lock;
    int mem_lock_ok;
    size_t journal_bytes;   /* written to the journal since the last fold */
    int fold_due;           /* under ck_mu: the checkpointer folds */
    int opened;             /* the open completed */
} emb;

/* ---- errors ---- */

/* The status for an SQLite result code of connection `c`, with SQLite's
 * message after `what` (the step that failed) and the database file as
 * the place (none: the memory-only store, "store WHAT: ..."). */
static vp_status sql_fail(const conn *c, int rc, const char *what, vp_error *err)
{
    vp_status st = VP_ERR_IO;
    if (rc == SQLITE_NOMEM || rc == SQLITE_IOERR_NOMEM)
        st = VP_ERR_NOMEM;
    else if (rc == SQLITE_TOOBIG)
        st = VP_ERR_TOO_BIG;
    if (st == VP_ERR_NOMEM)
        return st;
    const char *why = c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
    if (c->file)
        return vp_error_set(err, st, &(vp_where){c->file}, "%s: %s", what, why);
    return vp_error_set(err, st, NULL, "store %s: %s", what, why);
}

/* Hands what `from` holds over to *to (may be NULL: dropped), replacing
 * what *to held; `from` is left cleared. */
static void error_move(vp_error *to, vp_error *from)
{
    if (to) {
        vp_error_clear(to);
        *to = *from;
        *from = (vp_error)VP_ERROR_INIT;
    }
    vp_error_clear(from);
}

/* ---- connections ---- */

static void conn_close(conn *c)
{
    for (int i = 0; i < Q_COUNT; i++) {
        sqlite3_finalize(c->q[i]);
        c->q[i] = NULL;
    }
    sqlite3_close_v2(c->db);
    c->db = NULL;
}

/* ---- checkpoints ---- */

/* After each commit of a pool connection (it replaces SQLite's automatic
 * checkpoint, which would run, fsync included, in the caller's call):
 * wakes the checkpointer when the WAL has grown. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
    emb *s = arg;
    (void)db;
    (void)name;
    if (pages >= CHECKPOINT_PAGES) {
        pthread_mutex_lock(&s->ck_mu);
        s->ck_due = 1;
        pthread_cond_signal(&s->ck_wake);
        pthread_mutex_unlock(&s->ck_mu);
    }
    return SQLITE_OK;
}

static void fold_in_turn(emb *s);
static void checkpoint(emb *s);

/* Folds the journal into the tables when a commit asks (fold_in_turn), and
 * copies the WAL into store.db (PASSIVE: never waits for readers or
 * writers) whenever on_commit asks, so that callers never wait for either,
 * nor for the checkpoint's fsync. A failed fold or checkpoint is tried
 * again after the next commits; closing folds, and the last connection's
 * close checkpoints, whatever is left. */
static void *checkpointer(void *arg)
{
    emb *s = arg;
    pthread_mutex_lock(&s->ck_mu);
    for (;;) {
        while (!s->ck_due && !s->fold_due && !s->ck_stop)
            pthread_cond_wait(&s->ck_wake, &s->ck_mu);
        if (s->ck_stop)
            break;
        if (s->fold_due) {
            s->fold_due = 0;
            pthread_mutex_unlock(&s->ck_mu);
            fold_in_turn(s);
            pthread_mutex_lock(&s->ck_mu);
            continue;
        }
        s->ck_due = 0;
        pthread_mutex_unlock(&s->ck_mu);
        checkpoint(s);
        pthread_mutex_lock(&s->ck_mu);
    }
    pthread_mutex_unlock(&s->ck_mu);
    return NULL;
}

/* Prepares every statement of a connection (the schema must exist). */
static vp_status conn_prepare(conn *c, vp_error *err)
{
    int rc = SQLITE_OK;
    for (int i = 0; i < Q_COUNT && rc == SQLITE_OK; i++)
        rc = sqlite3_prepare_v3(c->db, query_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->q[i],
                                NULL);
    return rc == SQLITE_OK ? VP_OK : sql_fail(c, rc, "prepare", err);
}

/* Opens a connection, its statements prepared when `prepare`. */
static vp_status conn_open(emb *s, conn *c, int prepare, vp_error *err)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    vp_status st = VP_OK;
    c->file = s->dir ? s->path : NULL;
    int rc = sqlite3_open_v2(s->path, &c->db, flags, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_extended_result_codes(c->db, 1);
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    if (rc == SQLITE_OK && s->dir)
        rc = sqlite3_exec(c->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    if (rc == SQLITE_OK && s->dir && prepare)
        sqlite3_wal_hook(c->db, on_commit, s);
    if (rc != SQLITE_OK)
        st = sql_fail(c, rc, "open", err);
    else if (prepare)
        st = conn_prepare(c, err);
    if (st != VP_OK)
        conn_close(c);
    return st;
}

/* Checks a connection out for one call, opening one when none is free and
 * the pool is not full; waits at most BUSY_TIMEOUT_MS for one. */
static vp_status conn_get(emb *s, conn **out, vp_error *err)
{
    vp_status rc = VP_OK;
    conn *c = NULL;
    int64_t deadline = store_now_ms() + BUSY_TIMEOUT_MS;
    pthread_mutex_lock(&s->mu);
    while (!c) {
        conn *empty = NULL;
        for (int i = 0; i < s->pool_max && !c; i++) {
            if (s->pool[i].in_use)
                continue;
            if (s->pool[i].db)
                c = &s->pool[i];
            else if (!empty)
                empty = &s->pool[i];
        }
        if (!c && empty)
            c = empty;
        if (c) {
            c->in_use = 1;
            break;
        }
        if (store_wait_until(&s->freed, &s->mu, deadline) != 0) {
            rc = vp_error_set(err, VP_ERR_IO, NULL, "store: all %d connections busy",
                              s->pool_max);
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    if (rc == VP_OK && !c->db) {
        rc = conn_open(s, c, 1, err);
        if (rc != VP_OK) {
            pthread_mutex_lock(&s->mu);
            c->in_use = 0;
            pthread_cond_signal(&s->freed);
            pthread_mutex_unlock(&s->mu);
        }
    }
    *out = rc == VP_OK ? c : NULL;
    return rc;
}

/* Rolls back a transaction that an error left open; 1 when it is still
 * open after that. */
static int rollback_left(conn *c)
{
    if (sqlite3_get_autocommit(c->db))
        return 0;
    sqlite3_step(c->q[Q_ROLLBACK]);
    sqlite3_reset(c->q[Q_ROLLBACK]);
    return !sqlite3_get_autocommit(c->db);
}

/* Returns a connection. One an error left inside a transaction is rolled
 * back, and closed when that fails too (a file store opens it again). */
static void conn_put(emb *s, conn *c)
{
    if (rollback_left(c) && s->dir)
        conn_close(c);
    pthread_mutex_lock(&s->mu);
    c->in_use = 0;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->mu);
}

/* Runs a statement that returns no rows; resets it. */
static vp_status run(conn *c, sqlite3_stmt *q, const char *what, vp_error *err)
{
    int rc = sqlite3_step(q);
    vp_status st = rc == SQLITE_DONE ? VP_OK : sql_fail(c, rc, what, err);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return st;
}

static int bind_text(sqlite3_stmt *q, int i, const char *s)
{
    return sqlite3_bind_text(q, i, s ? s : "", -1, SQLITE_STATIC);
}

/* Binds ?1 ?2 ?3 ?4 of a statement on numbers. */
static int bind_number(sqlite3_stmt *q, store_set target, const char *scope,
                       const char *member, double value)
{
    int rc = target == VP_SET_COUNT ? bind_text(q, 1, scope) : bind_text(q, 1, kind_name[target]);
    if (rc == SQLITE_OK && target != VP_SET_COUNT)
        rc = bind_text(q, 2, target == VP_SET_ALL ? "" : scope);
    if (rc == SQLITE_OK && member)
        rc = bind_text(q, 3, member);
    if (rc == SQLITE_OK && sqlite3_bind_parameter_count(q) >= 4)
        rc = sqlite3_bind_double(q, 4, value);
    return rc;
}

/* Adds to (or, replace, sets) one number inside the caller's transaction. */
static vp_status put_number(conn *c, store_set target, const char *scope, const char *member,
                            double value, int replace, vp_error *err)
{
    int add = target == VP_SET_COUNT ? Q_COUNTER_ADD : Q_SIGNAL_ADD;
    sqlite3_stmt *q = c->q[add + (replace ? 1 : 0)];
    int rc = bind_number(q, target, scope, member, value);
    if (rc != SQLITE_OK) {
        sqlite3_reset(q);
        return sql_fail(c, rc, "bind", err);
    }
    return run(c, q, "write", err);
}

/* Reads (key, number) rows of a bound query into a list, at most `limit`
 * (over STORE_MAX_LIST is VP_ERR_TOO_BIG); resets the query. */
static vp_status read_list(conn *c, sqlite3_stmt *q, int with_number, store_list *l,
                           vp_error *err)
{
    vp_status st = VP_OK;
    int rc = SQLITE_DONE;
    while (st == VP_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(q, 0);
        double v = with_number ? sqlite3_column_double(q, 1) : 0;
        if (!key)
            st = VP_ERR_NOMEM;
        else
            st = store_list_add(l, key, (size_t)sqlite3_column_bytes(q, 0), v, err);
    }
    if (st == VP_OK && rc != SQLITE_DONE)
        st = sql_fail(c, rc, "read", err);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return st;
}

/* ---- opening: the lock, the schema, the old files ---- */

static vp_status lock_dir(emb *s, vp_error *err)
{
    struct stat sb;
    vp_status rc = VP_OK;
    size_t len = strlen(s->dir) + sizeof "/lock";
    char *lock = malloc(len);
    if (!lock)
        return VP_ERR_NOMEM;
    snprintf(lock, len, "%s/lock", s->dir);
    if (mkdir(s->dir, 0755) != 0 && errno != EEXIST) {
        rc = store_io_fail(err, "create", s->dir, errno);
        goto cleanup;
    }
    if (stat(s->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        rc = vp_error_set(err, VP_ERR_IO, &(vp_where){s->dir}, "not a directory");
        goto cleanup;
    }
    s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        rc = store_io_fail(err, "open", lock, errno);
        goto cleanup;
    }
    struct flock fl = {0};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(s->lock_fd, F_SETLK, &fl) != 0) {
        if (errno == EACCES || errno == EAGAIN)
            rc = vp_error_set(err, VP_ERR_LOCKED, &(vp_where){s->dir},
                              "another process has the store open");
        else
            rc = store_io_fail(err, "lock", lock, errno);
    }
cleanup:
    free(lock);
    return rc;
}

static vp_status exec(conn *c, const char *sql, vp_error *err)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? VP_OK : sql_fail(c, rc, "schema", err);
}

/* The schema, made when missing; a database of a newer version is refused. */
static vp_status make_schema(emb *s, conn *c, vp_error *err)
{
    sqlite3_stmt *q = NULL;
    vp_status st = VP_OK;
    int version = 0;
    if (s->dir) {
        /* journal_mode answers the mode it is in: "wal" when it took. */
        int rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(q);
        if (rc != SQLITE_ROW)
            st = sql_fail(c, rc, "journal mode", err);
        else if (sqlite3_stricmp((const char *)sqlite3_column_text(q, 0), "wal") != 0)
            st = vp_error_set(err, VP_ERR_IO, &(vp_where){s->path},
                              "cannot use write-ahead logging");
        sqlite3_finalize(q);
        q = NULL;
    }
    if (st == VP_OK)
        st = exec(c, "BEGIN IMMEDIATE", err);
    if (st != VP_OK)
        return st;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &q, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        version = sqlite3_column_int(q, 0);
    else
        st = sql_fail(c, rc, "schema", err);
    sqlite3_finalize(q);
    if (st == VP_OK && version > SCHEMA_VERSION)
        st = vp_error_set(err, VP_ERR_IO, &(vp_where){s->path},
                          "made by a newer version (schema %d, this one reads %d)", version,
                          SCHEMA_VERSION);
    if (st == VP_OK && version < SCHEMA_VERSION)
        st = exec(c, schema_sql, err);
    if (st == VP_OK && version < SCHEMA_VERSION) {
        char sql[48];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
        st = exec(c, sql, err);
    }
    if (st == VP_OK)
        st = exec(c, "COMMIT", err);
    else
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

static vp_status old_number(void *ctx, store_set target, const char *scope, const char *member,
                            double value, int replace, vp_error *err)
{
    return put_number(ctx, target, scope, member, value, replace, err);
}

static vp_status record_put(void *ctx, const char *ns, const char *key, const char *value,
                         vp_error *err)
{
    conn *c = ctx;
    sqlite3_stmt *q = c->q[Q_PUT];
    bind_text(q, 1, ns);
    bind_text(q, 2, key);
    bind_text(q, 3, value);
    return run(c, q, "write", err);
}

static vp_status record_del(void *ctx, const char *ns, const char *key, vp_error *err)
{
    conn *c = ctx;
    sqlite3_stmt *q = c->q[Q_DEL];
    bind_text(q, 1, ns);
    bind_text(q, 2, key);
    return run(c, q, "write", err);
}

/* Reads the files of the format before SQLite, when the directory holds
 * some, into the database in one transaction that also notes it in meta,
 * then moves them aside. A crash before the commit leaves the files to be
 * read again; after it, the note keeps them from being read twice. */
static vp_status migrate(emb *s, conn *c, vp_error *err)
{
    sqlite3_stmt *q = NULL;
    int present = store_old_present(s->dir);
    if (present < 0)
        return store_io_fail(err, "read", s->dir, errno);
    if (!present)
        return VP_OK;
    vp_status st = run(c, c->q[Q_BEGIN_WRITE], "migrate", err);
    if (st != VP_OK)
        return st;
    int rc = sqlite3_prepare_v2(c->db, "SELECT 1 FROM meta WHERE name = 'migrated'", -1, &q,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    int done = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = sql_fail(c, rc, "migrate", err);
    sqlite3_finalize(q);
    q = NULL;
    if (st == VP_OK && !done) {
        store_old_sink sink = {c, old_number, record_put, record_del};
        st = store_old_read(s->dir, &sink, err);
        if (st == VP_OK)
            st = exec(c,
                      "INSERT INTO meta(name, value) VALUES('migrated', 'snapshot and log "
                      "of the format before SQLite, read on ' || datetime('now') || ' UTC, "
                      "moved to " STORE_OLD_ASIDE "/')",
                      err);
    }
    if (st == VP_OK)
        st = run(c, c->q[Q_COMMIT], "migrate", err);
    if (st != VP_OK) {
        sqlite3_step(c->q[Q_ROLLBACK]);
        sqlite3_reset(c->q[Q_ROLLBACK]);
        return st;
    }
    return store_old_set_aside(s->dir, err);
}

/* ---- writes: one connection, group commits ---- */

/* The writer's connection keeps a larger cache: it alone changes the
 * database, so its cache stays valid from one commit to the next. */
static vp_status writer_setup(emb *s, conn *c, vp_error *err)
{
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", WRITER_CACHE_KIB);
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        sqlite3_wal_hook(c->db, on_commit, s);
    return rc == SQLITE_OK ? VP_OK : sql_fail(c, rc, "cache size", err);
}

/* The connection that writes: a file store's own (opened again when an
 * error closed it), the memory store's only one. Only the caller that
 * commits a group holds it. */
static vp_status writer_get(emb *s, conn **out, vp_error *err)
{
    vp_status rc = VP_OK;
    *out = NULL;
    if (!s->dir)
        return conn_get(s, out, err);
    if (!s->writer.db) {
        rc = conn_open(s, &s->writer, 1, err);
        if (rc == VP_OK)
            rc = writer_setup(s, &s->writer, err);
        if (rc != VP_OK && s->writer.db)
            conn_close(&s->writer);
    }
    if (rc == VP_OK)
        *out = &s->writer;
    return rc;
}

static void writer_put(emb *s, conn *c)
{
    if (!s->dir)
        conn_put(s, c);
    else if (rollback_left(c))
        conn_close(c);
}

/* ---- the journal and the fold ---- */

/* A call's numbers in the journal, one after another: the target (1 byte),
 * the byte lengths of scope (0: none) and member (4 bytes each, little
 * endian), their bytes each followed by a NUL, and the increment's 8 bytes
 * (its bits, little endian), so that replay adds exactly the doubles the
 * live store added, in the same order. */
static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static vp_status journal_encode(const store_incr *ops, size_t n, unsigned char **out,
                                size_t *len)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += 17 + (ops[i].scope ? strlen(ops[i].scope) + 1 : 0) + strlen(ops[i].member) + 1;
    unsigned char *b = malloc(total ? total : 1), *p = b;
    if (!b)
        return VP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t sl = ops[i].scope ? strlen(ops[i].scope) : 0, ml = strlen(ops[i].member);
        uint64_t bits;
        memcpy(&bits, &ops[i].by, sizeof bits);
        *p++ = (unsigned char)ops[i].target;
        put_le(p, sl, 4);
        put_le(p + 4, ml, 4);
        p += 8;
        if (ops[i].scope) {
            memcpy(p, ops[i].scope, sl + 1);
            p += sl + 1;
        }
        memcpy(p, ops[i].member, ml + 1);
        p += ml + 1;
        put_le(p, bits, 8);
        p += 8;
    }
    *out = b;
    *len = total;
    return VP_OK;
}

/* A string of the journal at b[*at], `len` bytes and a NUL; NULL when the
 * row ends or the string is not that. */
static const char *journal_string(const unsigned char *b, size_t size, size_t *at, size_t len)
{
    const char *str = (const char *)b + *at;
    if (len == 0 || *at >= size || len > size - *at - 1 || b[*at + len] != 0 ||
        strlen(str) != len)
        return NULL;
    *at += len + 1;
    return str;
}

/* The numbers of one journal row (strings pointing into it) into *ops;
 * VP_ERR_IO (no message) when it is damaged. */
static vp_status journal_decode(const unsigned char *b, size_t size, store_incr **ops, size_t *n)
{
    size_t count = 0, alloc = 0;
    store_incr *o = NULL;
    for (size_t at = 0; at < size;) {
        store_incr x = {0};
        uint64_t bits;
        if (size - at < 9 || b[at] >= VP_SET_KIND_COUNT)
            goto damaged;
        x.target = (store_set)b[at];
        size_t sl = (size_t)get_le(b + at + 1, 4), ml = (size_t)get_le(b + at + 5, 4);
        at += 9;
        if ((sl == 0) != (x.target == VP_SET_ALL))
            goto damaged;
        if (sl && !(x.scope = journal_string(b, size, &at, sl)))
            goto damaged;
        if (!(x.member = journal_string(b, size, &at, ml)) || size - at < 8)
            goto damaged;
        bits = get_le(b + at, 8);
        memcpy(&x.by, &bits, sizeof x.by);
        at += 8;
        if (count == alloc) {
            size_t na = alloc ? alloc * 2 : 64;
            store_incr *p = realloc(o, na * sizeof *p);
            if (!p) {
                free(o);
                return VP_ERR_NOMEM;
            }
            o = p;
            alloc = na;
        }
        o[count++] = x;
    }
    *ops = o;
    *n = count;
    return VP_OK;
damaged:
    free(o);
    return VP_ERR_IO;
}

/* Adds numbers to memory as one committed write (opening: the journal). */
static vp_status mem_replay(emb *s, const store_incr *ops, size_t n)
{
    store_num **slots = malloc((n ? n : 1) * sizeof *slots);
    if (!slots)
        return VP_ERR_NOMEM;
    store_mem_begin(s->mem);
    vp_status rc = store_mem_stage(s->mem, ops, n, slots);
    if (rc == VP_OK) {
        for (size_t i = 0; i < n; i++)
            store_mem_add(s->mem, slots[i], ops[i].by);
        store_mem_commit(s->mem);
    } else {
        store_mem_rollback(s->mem);
    }
    free(slots);
    return rc;
}

/* Opening: every number of the tables into memory, then the journal's
 * rows in order on top (those numbers changed, for the next fold). */
static vp_status load_numbers(emb *s, conn *c, vp_error *err)
{
    static const char *const sql[] = {
        "SELECT kind, scope, member, sum FROM signals",
        "SELECT '', ns, key, value FROM counters",
        "SELECT ops, id FROM journal ORDER BY id",
    };
    vp_status st = VP_OK;
    int rc = SQLITE_OK;
    for (int k = 0; k < 3 && st == VP_OK; k++) {
        sqlite3_stmt *q = NULL;
        rc = sqlite3_prepare_v2(c->db, sql[k], -1, &q, NULL);
        while (rc == SQLITE_OK || rc == SQLITE_ROW) {
            if (st != VP_OK || (rc = sqlite3_step(q)) != SQLITE_ROW)
                break;
            if (k == 2) {
                const unsigned char *b = sqlite3_column_blob(q, 0);
                size_t len = (size_t)sqlite3_column_bytes(q, 0);
                store_incr *ops = NULL;
                size_t n = 0;
                st = b || len == 0 ? journal_decode(b, len, &ops, &n) : VP_ERR_NOMEM;
                if (st == VP_ERR_IO) {
                    char row[48];
                    snprintf(row, sizeof row, "journal row %lld",
                             (long long)sqlite3_column_int64(q, 1));
                    st = vp_error_set(err, VP_ERR_IO, &(vp_where){s->path, 0, row}, "damaged");
                }
                if (st == VP_OK)
                    st = mem_replay(s, ops, n);
                free(ops);
                s->journal_bytes += len;
                continue;
            }
            const char *kind = (const char *)sqlite3_column_text(q, 0);
            const char *scope = (const char *)sqlite3_column_text(q, 1);
            const char *member = (const char *)sqlite3_column_text(q, 2);
            int target = k == 1 ? VP_SET_COUNT : -1;
            for (int t = 0; kind && k == 0 && t < VP_SET_COUNT; t++)
                if (strcmp(kind, kind_name[t]) == 0)
                    target = t;
            if (!kind || !scope || !member)
                st = VP_ERR_NOMEM;
            else if (target < 0)
                st = vp_error_set(err, VP_ERR_IO, &(vp_where){s->path, 0, "signals"},
                                  "a row of an unknown kind '%s'", kind);
            else
                st = store_mem_load(s->mem, (store_set)target,
                                    target == VP_SET_ALL ? NULL : scope, member,
                                    sqlite3_column_double(q, 3));
        }
        if (st == VP_OK && rc != SQLITE_DONE)
            st = sql_fail(c, rc, "load", err);
        sqlite3_finalize(q);
    }
    return st;
}

/* A number to fold, in the tables' key order. */
typedef struct fold_row {
    store_set target;
    const char *scope, *member;
    double value;
    int stored;
} fold_row;

/* Runs the fold's insert (first when the row is not there) or update of
 * a row; the other when memory was wrong about that (a constraint
 * failed, no row changed). */
static vp_status fold_put(conn *c, const fold_row *r, vp_error *err)
{
    int ins = r->target == VP_SET_COUNT ? Q_COUNTER_INSERT : Q_SIGNAL_INSERT;
    for (int attempt = 0; attempt < 2; attempt++) {
        int update = r->stored ^ attempt;
        sqlite3_stmt *q = c->q[ins + update];
        int rc = bind_number(q, r->target, r->scope, r->member, r->value);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc == SQLITE_DONE && (!update || sqlite3_changes(c->db) > 0))
            return VP_OK;
        if (rc != SQLITE_DONE && rc != SQLITE_CONSTRAINT_PRIMARYKEY)
            return sql_fail(c, rc, "fold", err);
    }
    return vp_error_set(err, VP_ERR_IO, &(vp_where){c->file},
                        "fold: a row neither inserted nor updated");
}

static int cmp_fold(const void *a, const void *b)
{
    const fold_row *x = a, *y = b;
    int c = (x->target == VP_SET_COUNT) - (y->target == VP_SET_COUNT);
    if (c == 0)
        c = strcmp(kind_name[x->target], kind_name[y->target]);
    if (c == 0)
        c = strcmp(x->scope ? x->scope : "", y->scope ? y->scope : "");
    return c ? c : strcmp(x->member, y->member);
}

/* Writes every number changed since the last fold, as memory holds it,
 * into the tables and empties the journal, in one transaction: memory is
 * the tables plus the journal, and the commit holder is the only writer,
 * so the tables then hold what the journal added. The caller holds the
 * commit. */
static vp_status fold(emb *s, vp_error *err)
{
    size_t n;
    store_num *const *changed = store_mem_changed(s->mem, &n);
    if (n == 0 && s->journal_bytes == 0)
        return VP_OK;
    fold_row *rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows)
        return VP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        store_mem_num(changed[i], &rows[i].target, &rows[i].scope, &rows[i].member,
                      &rows[i].value, &rows[i].stored);
    qsort(rows, n, sizeof *rows, cmp_fold);
    conn *c = NULL;
    vp_status rc = writer_get(s, &c, err);
    if (rc == VP_OK)
        rc = run(c, c->q[Q_BEGIN_WRITE], "fold", err);
    for (size_t i = 0; i < n && rc == VP_OK; i++)
        rc = fold_put(c, &rows[i], err);
    if (rc == VP_OK)
        rc = run(c, c->q[Q_JOURNAL_CLEAR], "fold", err);
    if (rc == VP_OK)
        rc = run(c, c->q[Q_COMMIT], "fold", err);
    if (c)
        writer_put(s, c);
    if (rc == VP_OK) {
        pthread_rwlock_wrlock(&s->mem_lock);
        store_mem_folded(s->mem);
        pthread_rwlock_unlock(&s->mem_lock);
        s->journal_bytes = 0;
    }
    free(rows);
    return rc;
}

/* Takes the commit from the writers' queue (waits for the group being
 * committed), and gives it back. */
static void commit_take(emb *s)
{
    pthread_mutex_lock(&s->write_mu);
    while (s->committing)
        pthread_cond_wait(&s->written, &s->write_mu);
    s->committing = 1;
    pthread_mutex_unlock(&s->write_mu);
}

static void commit_give(emb *s)
{
    pthread_mutex_lock(&s->write_mu);
    s->committing = 0;
    pthread_cond_broadcast(&s->written);
    pthread_mutex_unlock(&s->write_mu);
}

/* The checkpointer's fold: between two group commits. */
static void fold_in_turn(emb *s)
{
    commit_take(s);
    fold(s, NULL);
    commit_give(s);
}

/* The checkpointer's checkpoint. A pass copies the WAL into store.db beside
 * the writers. SQLite starts the WAL again from its beginning only at a
 * write that finds it copied whole; under writes that never pause, commits
 * land during every pass (which copies what there was when it began), the
 * WAL is never whole, and it grows without bound, a frame a count at its
 * end (400 MB after 100,000 counts). So when a pass copied frames of a WAL
 * of WAL_MAX_PAGES or more, a second one runs between two group commits
 * (writers wait for it, and for its syncs): it copies what came during the
 * first, and the next commit starts the WAL again. Below that size writers
 * never wait: a pause in the writes lets a pass copy the WAL whole. A
 * reader holding an older snapshot (the sqlite3 shell) keeps both passes
 * short of the end; while it does, a pass copies nothing new and no second
 * one runs. */
static void checkpoint(emb *s)
{
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(s->ck_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
                                       &copied);
    int progress = rc == SQLITE_OK && copied > 0 && copied != s->ck_backfilled;
    s->ck_backfilled = copied;
    if (!progress || log < WAL_MAX_PAGES)
        return;
    commit_take(s);
    rc = sqlite3_wal_checkpoint_v2(s->ck_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    commit_give(s);
    if (rc == SQLITE_OK)
        s->ck_backfilled = copied;
}

/* A record's put or delete, inside the group's transaction. */
static vp_status apply_record(conn *c, const wreq *r, vp_error *err)
{
    vp_status rc;
    if (r->value)
        return record_put(c, r->ns, r->key, r->value, err);
    rc = record_del(c, r->ns, r->key, err);
    if (rc == VP_OK && sqlite3_changes(c->db) == 0)
        rc = store_not_found(err, r->ns, r->key);
    return rc;
}

/* Runs a group of calls (a list ended by NULL) as one transaction: the
 * numbers are staged in memory, their journal rows and the records written
 * and committed, and only then are the numbers added in memory. VP_OK when
 * it committed (a call's own outcome, a record to delete that is not
 * there, is in its rc); else the error, with *err, and nothing of the
 * group is written, in memory or on disk. */
static vp_status run_group(emb *s, wreq *group, vp_error *err)
{
    conn *c = NULL;
    vp_status rc = VP_OK;
    int numbers = 0, records = 0;
    size_t journal = 0, changed = 0;
    for (wreq *r = group; r; r = r->next) {
        numbers += !r->ns;
        records += r->ns != NULL;
    }
    if (numbers) {
        pthread_rwlock_wrlock(&s->mem_lock);
        store_mem_begin(s->mem);
        for (wreq *r = group; r && rc == VP_OK; r = r->next)
            if (!r->ns)
                rc = store_mem_stage(s->mem, r->ops, r->n, r->slots);
        if (rc != VP_OK)
            store_mem_rollback(s->mem);
        pthread_rwlock_unlock(&s->mem_lock);
        if (rc != VP_OK)
            return rc;
    }
    if (s->dir || records) {
        rc = writer_get(s, &c, err);
        if (rc == VP_OK)
            rc = run(c, c->q[Q_BEGIN_WRITE], "begin", err);
        for (wreq *r = group; r && rc == VP_OK; r = r->next) {
            if (!r->ns) {
                if (!s->dir)
                    continue;
                sqlite3_stmt *q = c->q[Q_JOURNAL_ADD];
                int brc = sqlite3_bind_blob(q, 1, r->journal, (int)r->journal_len,
                                            SQLITE_STATIC);
                rc = brc == SQLITE_OK ? run(c, q, "write", err) : sql_fail(c, brc, "bind", err);
                journal += r->journal_len;
                continue;
            }
            r->rc = apply_record(c, r, &r->err);
            if (r->rc != VP_OK && r->rc != VP_ERR_NOT_FOUND) {
                rc = r->rc;
                error_move(err, &r->err);
            }
        }
        if (rc == VP_OK)
            rc = run(c, c->q[Q_COMMIT], "commit", err);
        if (c)
            writer_put(s, c);
    }
    if (numbers) {
        pthread_rwlock_wrlock(&s->mem_lock);
        if (rc == VP_OK) {
            for (wreq *r = group; r; r = r->next)
                for (size_t i = 0; !r->ns && i < r->n; i++)
                    store_mem_add(s->mem, r->slots[i], r->ops[i].by);
            store_mem_commit(s->mem);
        } else {
            store_mem_rollback(s->mem);
        }
        store_mem_changed(s->mem, &changed);
        pthread_rwlock_unlock(&s->mem_lock);
    }
    if (rc == VP_OK && journal) {
        s->journal_bytes += journal;
        if (s->journal_bytes >= FOLD_BYTES || changed >= FOLD_NUMBERS) {
            pthread_mutex_lock(&s->ck_mu);
            s->fold_due = 1;
            pthread_cond_signal(&s->ck_wake);
            pthread_mutex_unlock(&s->ck_mu);
        }
    }
    return rc;
}

/* Commits a group. When it fails and holds more than one call, each is
 * committed again alone, so that a call fails only for a cause of its
 * own and each is whole or absent, as when every call was a transaction
 * of its own. */
static void commit_group(emb *s, wreq *group)
{
    vp_error err = VP_ERROR_INIT;
    vp_status rc = run_group(s, group, &err);
    if (rc == VP_OK)
        return;
    if (!group->next) {
        error_move(&group->err, &err);
        group->rc = rc;
        return;
    }
    vp_error_clear(&err);
    for (wreq *r = group; r; r = r->next) {
        wreq *next = r->next;
        r->next = NULL;
        vp_error_clear(&r->err);
        r->rc = VP_OK;
        commit_group(s, r);
        r->next = next;
    }
}

/* Queues a call's writes and returns their outcome. The caller at the head
 * of the queue, while no group is being committed, takes the calls queued
 * so far (itself first, GROUP_MAX_OPS numbers at most) and commits them as
 * one group; the others wait until theirs is done. A call alone commits at
 * once; calls that come while a commit runs share the next one: one
 * transaction, its pages written to the WAL once, for all of them. */
static vp_status submit(emb *s, wreq *r, vp_error *err)
{
    r->rc = VP_OK;
    r->err = (vp_error)VP_ERROR_INIT;
    r->done = 0;
    r->next = NULL;
    pthread_mutex_lock(&s->write_mu);
    if (s->queue_tail)
        s->queue_tail->next = r;
    else
        s->queue_head = r;
    s->queue_tail = r;
    while (!r->done && (s->committing || s->queue_head != r))
        pthread_cond_wait(&s->written, &s->write_mu);
    if (!r->done) {
        /* The group leaves the queue: later calls queue behind it. */
        wreq *last = r;
        size_t ops = r->ns ? 1 : r->n;
        while (last->next && ops + (last->next->ns ? 1 : last->next->n) <= GROUP_MAX_OPS) {
            last = last->next;
            ops += last->ns ? 1 : last->n;
        }
        s->queue_head = last->next;
        if (!s->queue_head)
            s->queue_tail = NULL;
        last->next = NULL;
        s->committing = 1;
        pthread_mutex_unlock(&s->write_mu);
        commit_group(s, r);
        pthread_mutex_lock(&s->write_mu);
        for (wreq *q = r; q; q = q->next)
            q->done = 1;
        s->committing = 0;
        pthread_cond_broadcast(&s->written);
    }
    pthread_mutex_unlock(&s->write_mu);
    if (r->rc != VP_OK)
        error_move(err, &r->err);
    vp_error_clear(&r->err);
    return r->rc;
}

/* ---- the back end ---- */

static vp_status start_checkpointer(emb *s, vp_error *err)
{
    conn c = {0};
    vp_status rc = conn_open(s, &c, 0, err);
    if (rc != VP_OK)
        return rc;
    s->ck_db = c.db;
    if (pthread_create(&s->ck_thread, NULL, checkpointer, s) != 0)
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "store: cannot start the checkpointer");
    s->ck_running = 1;
    return VP_OK;
}

static void emb_free(emb *s)
{
    if (!s)
        return;
    if (s->ck_running) {
        pthread_mutex_lock(&s->ck_mu);
        s->ck_stop = 1;
        pthread_cond_signal(&s->ck_wake);
        pthread_mutex_unlock(&s->ck_mu);
        pthread_join(s->ck_thread, NULL);
    }
    sqlite3_close_v2(s->ck_db);
    /* What the journal holds since the last fold goes into the tables, so
     * that store.db alone holds the sums (a failure leaves the journal for
     * the next open). Not after a failed open: memory may be partial. */
    if (s->opened && s->dir)
        fold(s, NULL);
    if (s->writer.db)
        conn_close(&s->writer);
    for (int i = 0; i < POOL_MAX; i++)
        if (s->pool[i].db)
            conn_close(&s->pool[i]);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s->dir);
    free(s->path);
    store_mem_free(s->mem);
    if (s->mem_lock_ok)
        pthread_rwlock_destroy(&s->mem_lock);
    pthread_cond_destroy(&s->ck_wake);
    pthread_mutex_destroy(&s->ck_mu);
    pthread_mutex_destroy(&s->write_mu);
    pthread_cond_destroy(&s->written);
    pthread_cond_destroy(&s->freed);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static vp_status emb_open(const vp_store_config *cfg, void **impl, vp_error *err)
{
    vp_status rc = VP_OK;
    pthread_condattr_t ca;
    emb *s = calloc(1, sizeof *s);
    if (!s)
        return VP_ERR_NOMEM;
    s->lock_fd = -1;
    if (pthread_condattr_init(&ca) != 0) {
        free(s);
        return VP_ERR_NOMEM;
    }
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int ok = pthread_cond_init(&s->freed, &ca) == 0;
    int ck_ok = pthread_cond_init(&s->ck_wake, NULL) == 0;
    int wr_ok = pthread_cond_init(&s->written, NULL) == 0;
    pthread_condattr_destroy(&ca);
    int mu_ok = pthread_mutex_init(&s->mu, NULL) == 0;
    int ck_mu_ok = pthread_mutex_init(&s->ck_mu, NULL) == 0;
    int w_ok = pthread_mutex_init(&s->write_mu, NULL) == 0;
    if (!ok || !ck_ok || !wr_ok || !mu_ok || !ck_mu_ok || !w_ok) {
        if (ok)
            pthread_cond_destroy(&s->freed);
        if (wr_ok)
            pthread_cond_destroy(&s->written);
        if (ck_ok)
            pthread_cond_destroy(&s->ck_wake);
        if (mu_ok)
            pthread_mutex_destroy(&s->mu);
        if (ck_mu_ok)
            pthread_mutex_destroy(&s->ck_mu);
        if (w_ok)
            pthread_mutex_destroy(&s->write_mu);
        free(s);
        return VP_ERR_NOMEM;
    }
    s->mem_lock_ok = pthread_rwlock_init(&s->mem_lock, NULL) == 0;
    if (!s->mem_lock_ok || store_mem_new(&s->mem) != VP_OK) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    s->pool_max = cfg->dir ? POOL_MAX : 1;
    if (cfg->dir) {
        size_t len = strlen(cfg->dir) + sizeof "/" DB_NAME;
        s->dir = strdup(cfg->dir);
        s->path = malloc(len);
        if (s->path)
            snprintf(s->path, len, "%s/%s", cfg->dir, DB_NAME);
    } else {
        s->path = strdup(":memory:");
    }
    if (!s->path || (cfg->dir && !s->dir)) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    if (s->dir)
        rc = lock_dir(s, err);
    if (rc == VP_OK)
        rc = conn_open(s, &s->pool[0], 0, err);
    if (rc == VP_OK)
        rc = make_schema(s, &s->pool[0], err);
    if (rc == VP_OK)
        rc = conn_prepare(&s->pool[0], err);
    if (rc == VP_OK && s->dir)
        rc = migrate(s, &s->pool[0], err);
    if (rc == VP_OK && s->dir)
        rc = load_numbers(s, &s->pool[0], err);
    if (rc == VP_OK && s->dir) {
        /* The connection that made the schema becomes the writer; readers
         * open their own as they need them. */
        s->writer = s->pool[0];
        memset(&s->pool[0], 0, sizeof s->pool[0]);
        rc = writer_setup(s, &s->writer, err);
    }
    if (rc == VP_OK && s->dir)
        rc = start_checkpointer(s, err);
cleanup:
    if (rc == VP_OK) {
        s->opened = 1;
        *impl = s;
        s = NULL;
    }
    emb_free(s);
    return rc;
}

/* Closing the last connection checkpoints the WAL into store.db. */
static void emb_close(void *impl)
{
    emb_free(impl);
}

static int emb_available(void *impl)
{
    (void)impl;
    return 1;
}

static vp_status emb_incr(void *impl, const store_incr *ops, size_t n, vp_error *err)
{
    emb *s = impl;
    wreq r = {0};
    unsigned char *journal = NULL;
    vp_status rc = VP_OK;
    if (n == 0)
        return VP_OK;
    r.ops = ops;
    r.n = n;
    r.slots = malloc(n * sizeof *r.slots);
    if (!r.slots)
        return VP_ERR_NOMEM;
    if (s->dir)
        rc = journal_encode(ops, n, &journal, &r.journal_len);
    r.journal = journal;
    if (rc == VP_OK)
        rc = submit(s, &r, err);
    free(journal);
    free(r.slots);
    return rc;
}

static vp_status emb_top(void *impl, store_set target, const char *scope, size_t limit,
                         vp_scored **out, size_t *n, vp_error *err)
{
    emb *s = impl;
    store_list l = {0};
    pthread_rwlock_rdlock(&s->mem_lock);
    vp_status rc = store_mem_top(s->mem, target, scope, limit, &l, err);
    pthread_rwlock_unlock(&s->mem_lock);
    return store_list_done(&l, rc, out, n);
}

static vp_status emb_all(void *impl, store_set target, const char *scope, vp_scored **out,
                         size_t *n, vp_error *err)
{
    emb *s = impl;
    store_list l = {0};
    pthread_rwlock_rdlock(&s->mem_lock);
    vp_status rc = store_mem_all(s->mem, target, scope, &l, err);
    pthread_rwlock_unlock(&s->mem_lock);
    return store_list_done(&l, rc, out, n);
}

static vp_status emb_scores(void *impl, store_set target, const char *scope,
                            const char *const *members, size_t n, double *raw, vp_error *err)
{
    emb *s = impl;
    (void)err;
    pthread_rwlock_rdlock(&s->mem_lock);
    store_mem_scores(s->mem, target, scope, members, n, raw);
    pthread_rwlock_unlock(&s->mem_lock);
    return VP_OK;
}

/* Puts (value) or deletes (value NULL) one record, in a group commit. */
static vp_status record_write(emb *s, const char *ns, const char *key, const char *value,
                              vp_error *err)
{
    wreq r = {0};
    r.ns = ns;
    r.key = key;
    r.value = value;
    return submit(s, &r, err);
}

static vp_status emb_put(void *impl, const char *ns, const char *key, const char *value,
                         vp_error *err)
{
    return record_write(impl, ns, key, value, err);
}

static vp_status emb_get(void *impl, const char *ns, const char *key, char **value,
                         vp_error *err)
{
    emb *s = impl;
    conn *c;
    vp_status rc = conn_get(s, &c, err);
    if (rc != VP_OK)
        return rc;
    sqlite3_stmt *q = c->q[Q_GET];
    bind_text(q, 1, ns);
    bind_text(q, 2, key);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(q, 0);
        char *copy = v ? strndup(v, (size_t)sqlite3_column_bytes(q, 0)) : NULL;
        if (copy)
            *value = copy;
        else
            rc = VP_ERR_NOMEM;
    } else if (r == SQLITE_DONE) {
        rc = store_not_found(err, ns, key);
    } else {
        rc = sql_fail(c, r, "read", err);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    conn_put(s, c);
    return rc;
}

static vp_status emb_del(void *impl, const char *ns, const char *key, vp_error *err)
{
    return record_write(impl, ns, key, NULL, err);
}

static vp_status emb_keys(void *impl, const char *ns, store_list *keys, vp_error *err)
{
    emb *s = impl;
    conn *c;
    vp_status rc = conn_get(s, &c, err);
    if (rc != VP_OK)
        return rc;
    bind_text(c->q[Q_KEYS], 1, ns);
    rc = read_list(c, c->q[Q_KEYS], 0, keys, err);
    conn_put(s, c);
    return rc;
}

const store_backend vp_store_embedded_backend = {
    "embedded", emb_open, emb_close, emb_available, emb_incr, emb_top,
    emb_scores, emb_all, emb_put, emb_get, emb_del, emb_keys,
};
