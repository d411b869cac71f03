/* store_migrate.h - reading the embedded store's files of before SQLite
 * (private to engine/; store_migrate.c says what the format was).
 *
 * Until the store moved to SQLite, the embedded back end kept its state in
 * a directory as a `snapshot` and an append-only `log.<gen>`. Opening such
 * a directory reads them once (store_old_read), writes what they hold into
 * the database, and then moves them aside (store_old_set_aside), never
 * deleting them. */
#ifndef VINDPLAATS_STORE_MIGRATE_H
#define VINDPLAATS_STORE_MIGRATE_H

#include "store_backend.h"

/* The folder of the store's directory where the old files are moved. */
#define STORE_OLD_ASIDE "before-sqlite"

/* Where the old files' operations go, in the order they were made. A
 * snapshot sets numbers (replace 1), the log adds to them (replace 0); a
 * VP_SET_ALL number has scope NULL. A callback's failure ends the read with
 * its status. */
typedef struct store_old_sink {
    void *ctx;
    vp_status (*number)(void *ctx, store_set target, const char *scope, const char *member,
                        double value, int replace, vp_error *err);
    vp_status (*put)(void *ctx, const char *ns, const char *key, const char *value,
                     vp_error *err);
    vp_status (*del)(void *ctx, const char *ns, const char *key, vp_error *err);
} store_old_sink;

/* 1 when `dir` holds files of the old format (a snapshot or a log), 0 when
 * not, -1 when the directory cannot be read. */
int store_old_present(const char *dir);

/* Reads the snapshot of `dir` and the log that continues it into `sink`;
 * a torn tail of the log (what a crash cut short) is left out. The files
 * are not changed. VP_ERR_IO when they are unreadable or damaged beyond a
 * torn tail, the file and its line as the place in *err (may be NULL);
 * VP_ERR_NOMEM. */
vp_status store_old_read(const char *dir, const store_old_sink *sink, vp_error *err);

/* Moves every old file of `dir` into dir/STORE_OLD_ASIDE/ (created),
 * keeping its name, and syncs both directories. VP_ERR_IO. */
vp_status store_old_set_aside(const char *dir, vp_error *err);

#endif
