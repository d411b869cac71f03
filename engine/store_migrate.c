/* store_migrate.c - reads the embedded store's files of before SQLite once,
 * so that a directory written by an older server opens with all it held
 * (store_migrate.h). Nothing here writes that format any more.
 *
 * The format, under the store's directory:
 *   snapshot      "vindplaats-store 1 <gen>", then one line per number
 *                 "S <target> <scope|-> <member> <bits>" and per record
 *                 "K <ns> <key> <value>", then "end <lines>";
 *   log.<gen>     what happened after that snapshot, one line each:
 *                 "Z <target> <scope|-> <member> <bits>" (add),
 *                 "P <ns> <key> <value>" (put), "D <ns> <key>" (delete),
 *                 "B <n>" (the n lines that follow are one call);
 *   lock          held with fcntl() by the process that had it open.
 * Fields are separated by single spaces; strings are escaped (%XX for
 * bytes up to space, DEL and '%'); <bits> are the 16 hex digits of a
 * double. Without a snapshot the log is log.0. A crash could leave the
 * log's end torn: an unterminated or unreadable last line, or a "B" call
 * whose lines did not all arrive; such a tail is left out, as the old store
 * did on open. An unreadable line followed by good ones is damage, not a
 * torn write: the read fails and the files stay for a person to look at. */
#include "store_migrate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "vindplaats/buf.h"

#define MAX_LINE ((size_t)1 << 20)   /* a line of the log or the snapshot */
#define MAX_FIELDS 6
#define SNAPSHOT_MAGIC "vindplaats-store 1 "

/* dir/name, malloc()ed; NULL when out of memory. */
static char *join(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/%s", dir, name);
    return p;
}

/* "log.<digits>" */
static int is_log_name(const char *name)
{
    return strncmp(name, "log.", 4) == 0 && name[4] &&
           strspn(name + 4, "0123456789") == strlen(name + 4);
}

static int is_old_name(const char *name)
{
    return strcmp(name, "snapshot") == 0 || strcmp(name, "snapshot.tmp") == 0 ||
           is_log_name(name);
}

int store_old_present(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int found = 0;
    const struct dirent *de;
    while (!found && (de = readdir(d)) != NULL)
        found = is_old_name(de->d_name) && strcmp(de->d_name, "snapshot.tmp") != 0;
    closedir(d);
    return found;
}

/* ---- lines ---- */

/* Decodes %XX in place; -1 for a bad escape, a NUL byte or a raw byte
 * that should have been escaped. */
static int unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        unsigned char c = (unsigned char)*r;
        if (c <= ' ' || c == 0x7f)
            return -1;
        if (c == '%') {
            int hi = vp_hex_digit(r[1]), lo = hi < 0 ? -1 : vp_hex_digit(r[2]);
            if (lo < 0 || (hi == 0 && lo == 0))
                return -1;
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = (char)c;
        }
    }
    *w = '\0';
    return 0;
}

static int parse_bits(const char *s, double *d)
{
    if (strlen(s) != 16)
        return -1;
    uint64_t u = 0;
    for (int i = 0; i < 16; i++) {
        int v = vp_hex_digit(s[i]);
        if (v < 0)
            return -1;
        u = (u << 4) | (uint64_t)v;
    }
    memcpy(d, &u, sizeof *d);
    return isfinite(*d) ? 0 : -1;
}

/* Splits `line` at single spaces; the number of fields, or -1 when there
 * are more than MAX_FIELDS. */
static int split(char *line, char **f)
{
    int n = 0;
    f[n++] = line;
    for (char *p = line; *p; p++) {
        if (*p != ' ')
            continue;
        if (n == MAX_FIELDS)
            return -1;
        *p = '\0';
        f[n++] = p + 1;
    }
    return n;
}

static int good_key(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= VP_STORE_MAX_KEY + 16;
}

typedef struct parsed {
    char op;
    store_set target;
    const char *a, *b, *c;   /* scope member - | ns key value | ns key - */
    double d;
} parsed;

/* Parses one line of the kinds in `ops` ("ZPD" log, "SK" snapshot) in
 * place. -1: malformed. */
static int parse_line(char *line, const char *ops, parsed *p)
{
    char *f[MAX_FIELDS];
    int n = split(line, f);
    if (n < 3 || strlen(f[0]) != 1 || !strchr(ops, f[0][0]))
        return -1;
    for (int i = 1; i < n; i++)
        if (unescape(f[i]) != 0)
            return -1;
    p->op = f[0][0];
    if (p->op == 'Z' || p->op == 'S') {
        if (n != 5 || strlen(f[1]) != 1 || f[1][0] < '0' || f[1][0] >= '0' + VP_SET_KIND_COUNT ||
            !good_key(f[2]) || !good_key(f[3]) || parse_bits(f[4], &p->d) != 0)
            return -1;
        p->target = (store_set)(f[1][0] - '0');
        p->a = p->target == VP_SET_ALL ? NULL : f[2];
        p->b = f[3];
    } else if (p->op == 'P' || p->op == 'K') {
        if (n != 4 || !good_key(f[1]) || !good_key(f[2]) || strlen(f[3]) > STORE_MAX_VALUE)
            return -1;
        p->a = f[1];
        p->b = f[2];
        p->c = f[3];
    } else {
        if (n != 3 || !good_key(f[1]) || !good_key(f[2]))
            return -1;
        p->a = f[1];
        p->b = f[2];
    }
    return 0;
}

static vp_status apply(const store_old_sink *k, const parsed *p, vp_error *err)
{
    switch (p->op) {
    case 'Z':
    case 'S':
        return k->number(k->ctx, p->target, p->a, p->b, p->d, p->op == 'S', err);
    case 'P':
    case 'K':
        return k->put(k->ctx, p->a, p->b, p->c, err);
    default:
        return k->del(k->ctx, p->a, p->b, err);
    }
}

/* Reads one line into *line (without its newline). 1: a full line, 0: end
 * of file, -1: an unterminated or overlong line, or a read error. */
static int read_line(FILE *f, char **line, size_t *alloc)
{
    ssize_t n = getline(line, alloc, f);
    if (n < 0)
        return ferror(f) ? -1 : 0;
    if ((size_t)n > MAX_LINE || (*line)[n - 1] != '\n' || memchr(*line, '\0', (size_t)n))
        return -1;
    (*line)[n - 1] = '\0';
    return 1;
}

/* One old file being read, line by line. */
typedef struct reader {
    FILE *f;        /* NULL: there is no such file */
    char *path;
    char *line;
    size_t alloc;
} reader;

/* Opens dir/name for reading: VP_OK with r->f NULL when there is no such
 * file. Close with reader_close, also on failure. */
static vp_status reader_open(reader *r, const char *dir, const char *name, vp_error *err)
{
    memset(r, 0, sizeof *r);
    r->path = join(dir, name);
    if (!r->path)
        return VP_ERR_NOMEM;
    r->f = fopen(r->path, "r");
    if (!r->f && errno != ENOENT)
        return store_io_fail(err, "open", r->path, errno);
    return VP_OK;
}

static void reader_close(reader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->line);
    free(r->path);
}

/* ---- the snapshot ---- */

/* Reads the snapshot into `k`; *gen the log generation that continues it
 * (0 when there is no snapshot). */
static vp_status read_snapshot(const char *dir, const store_old_sink *k, uint64_t *gen,
                               vp_error *err)
{
    reader rd;
    size_t lines = 0;
    *gen = 0;
    vp_status rc = reader_open(&rd, dir, "snapshot", err);
    if (!rd.f)
        goto cleanup;
    int r = read_line(rd.f, &rd.line, &rd.alloc);
    char *end = NULL;
    if (r == 1 && strncmp(rd.line, SNAPSHOT_MAGIC, strlen(SNAPSHOT_MAGIC)) == 0) {
        errno = 0;
        *gen = strtoull(rd.line + strlen(SNAPSHOT_MAGIC), &end, 10);
    }
    if (!end || *end || errno) {
        rc = vp_error_set(err, VP_ERR_IO, &(vp_where){rd.path, 1}, "not a store snapshot");
        goto cleanup;
    }
    for (;;) {
        r = read_line(rd.f, &rd.line, &rd.alloc);
        if (r != 1) {
            rc = vp_error_set(err, VP_ERR_IO, &(vp_where){rd.path, (unsigned)(lines + 2)},
                              "truncated");
            goto cleanup;
        }
        if (strncmp(rd.line, "end ", 4) == 0) {
            char buf[32];
            snprintf(buf, sizeof buf, "%zu", lines);
            if (strcmp(rd.line + 4, buf) != 0 || read_line(rd.f, &rd.line, &rd.alloc) != 0)
                rc = vp_error_set(err, VP_ERR_IO, &(vp_where){rd.path, (unsigned)(lines + 2)},
                                  "truncated");
            goto cleanup;
        }
        lines++;
        parsed p;
        if (parse_line(rd.line, "SK", &p) != 0) {
            rc = vp_error_set(err, VP_ERR_IO, &(vp_where){rd.path, (unsigned)(lines + 1)},
                              "malformed line");
            goto cleanup;
        }
        rc = apply(k, &p, err);
        if (rc != VP_OK)
            goto cleanup;
    }
cleanup:
    reader_close(&rd);
    return rc;
}

/* ---- the log ---- */

/* A "B <n>" line: n, else 0. */
static size_t batch_of(const char *line)
{
    if (line[0] != 'B' || line[1] != ' ' || !line[2] ||
        strspn(line + 2, "0123456789") != strlen(line + 2) || strlen(line + 2) > 9)
        return 0;
    return (size_t)strtoul(line + 2, NULL, 10);
}

/* Reads the log once to find where its last whole unit (a line, or a "B"
 * line with all of its lines) ends, then applies everything before that.
 * A good line after a bad one is damage, and the read fails. */
static vp_status read_log(const char *dir, uint64_t gen, const store_old_sink *k,
                          vp_error *err)
{
    char name[40];
    reader rd;
    size_t lineno = 0, bad_line = 0, pending = 0;
    off_t bad_at = -1, good_end = 0, unit_at = 0;
    snprintf(name, sizeof name, "log.%llu", (unsigned long long)gen);
    vp_status rc = reader_open(&rd, dir, name, err);
    FILE *f = rd.f;
    const char *path = rd.path;
    if (!f)
        goto cleanup;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && fseeko(f, 0, SEEK_SET) != 0) {
            rc = store_io_fail(err, "read", path, errno);
            goto cleanup;
        }
        lineno = 0;
        pending = 0;
        for (;;) {
            off_t at = ftello(f);
            if (pass == 1 && at >= good_end)
                break;
            int r = read_line(f, &rd.line, &rd.alloc);
            if (r == 0)
                break;
            if (r < 0 && ferror(f)) {
                rc = store_io_fail(err, "read", path, errno);
                goto cleanup;
            }
            lineno++;
            size_t batch = r == 1 ? batch_of(rd.line) : 0;
            parsed p;
            int good = batch || (r == 1 && parse_line(rd.line, "ZPD", &p) == 0);
            if (pass == 1) {
                if (!batch) {
                    rc = apply(k, &p, err);
                    if (rc != VP_OK)
                        goto cleanup;
                }
                continue;
            }
            if (good && bad_at >= 0) {
                rc = vp_error_set(err, VP_ERR_IO, &(vp_where){path, (unsigned)bad_line},
                                  "malformed line");
                goto cleanup;
            }
            if (!good) {
                if (bad_at < 0) {
                    bad_at = at;
                    bad_line = lineno;
                }
                continue;
            }
            if (batch && pending) {
                rc = vp_error_set(err, VP_ERR_IO, &(vp_where){path, (unsigned)lineno},
                                  "short batch");
                goto cleanup;
            }
            if (batch) {
                pending = batch;
                unit_at = at;
                continue;
            }
            if (pending)
                pending--;
            if (!pending)
                good_end = ftello(f);
        }
        if (pass == 0 && pending)
            bad_at = unit_at;    /* torn inside a batch: the whole batch goes */
        if (pass == 0 && bad_at >= 0)
            good_end = bad_at;
    }
cleanup:
    reader_close(&rd);
    return rc;
}

vp_status store_old_read(const char *dir, const store_old_sink *sink, vp_error *err)
{
    uint64_t gen = 0;
    vp_status rc = read_snapshot(dir, sink, &gen, err);
    if (rc == VP_OK)
        rc = read_log(dir, gen, sink, err);
    return rc;
}

/* ---- setting the files aside ---- */

static vp_status sync_dir(const char *dir, vp_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return store_io_fail(err, "open", dir, errno);
    int bad = fsync(fd) != 0;
    int why = errno;
    close(fd);
    return bad ? store_io_fail(err, "sync", dir, why) : VP_OK;
}

/* When *path exists already (files set aside before), makes it
 * "<path>.<n>" with the first n free: nothing aside is ever replaced. */
static vp_status free_name(char **path, vp_error *err)
{
    struct stat sb;
    if (lstat(*path, &sb) != 0)
        return VP_OK;
    size_t len = strlen(*path) + 16;
    char *p = malloc(len);
    if (!p)
        return VP_ERR_NOMEM;
    for (unsigned n = 1; n < 1000; n++) {
        snprintf(p, len, "%s.%u", *path, n);
        if (lstat(p, &sb) != 0) {
            free(*path);
            *path = p;
            return VP_OK;
        }
    }
    free(p);
    return vp_error_set(err, VP_ERR_IO, &(vp_where){*path},
                        "999 files of that name set aside already");
}

vp_status store_old_set_aside(const char *dir, vp_error *err)
{
    char *aside = join(dir, STORE_OLD_ASIDE), *from = NULL, *to = NULL;
    DIR *d = NULL;
    vp_status rc = VP_OK;
    if (!aside)
        return VP_ERR_NOMEM;
    if (mkdir(aside, 0700) != 0 && errno != EEXIST) {
        rc = store_io_fail(err, "create", aside, errno);
        goto cleanup;
    }
    d = opendir(dir);
    if (!d) {
        rc = store_io_fail(err, "read", dir, errno);
        goto cleanup;
    }
    /* Again from the start after each move: a directory that changes
     * while it is read may skip names. */
    for (int moved = 1; moved && rc == VP_OK;) {
        const struct dirent *de;
        moved = 0;
        rewinddir(d);
        while (!moved && (de = readdir(d)) != NULL) {
            if (!is_old_name(de->d_name))
                continue;
            from = join(dir, de->d_name);
            to = join(aside, de->d_name);
            rc = from && to ? free_name(&to, err) : VP_ERR_NOMEM;
            if (rc == VP_OK && rename(from, to) != 0)
                rc = store_io_fail(err, "move aside", from, errno);
            moved = rc == VP_OK;
            free(from);
            free(to);
            from = to = NULL;
            if (rc != VP_OK)
                break;
        }
    }
    if (rc == VP_OK)
        rc = sync_dir(aside, err);
    if (rc == VP_OK)
        rc = sync_dir(dir, err);
cleanup:
    if (d)
        closedir(d);
    free(aside);
    return rc;
}
