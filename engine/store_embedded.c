/* store_embedded.c - the in-process signal store back end (store_backend.h).
 *
 * Memory: hash maps of hash maps (seeded SipHash, so keys that clients
 * choose cannot degrade them), guarded by one mutex per store.
 *
 * Disk, under cfg->dir (nothing when dir is NULL):
 *   snapshot      the whole state, written on close and on compaction;
 *   log.<gen>     every operation since that snapshot, one line each,
 *                 appended with one write() per call: a crash of the
 *                 process loses nothing, a crash of the machine what the
 *                 OS had not written yet;
 *   lock          held with fcntl() while open: one process per directory.
 * The snapshot names the generation of the log that follows it. Compaction
 * (when the log passes LOG_COMPACT_BYTES, and on close) creates the next
 * log, writes snapshot.tmp, fsyncs it, renames it over snapshot and only
 * then drops the old log, so a crash at any point leaves a snapshot and the
 * one log that continues it. Open loads the snapshot, replays its log and
 * cuts off a torn tail (an unterminated or unreadable last line, and any
 * unreadable lines after it); an unreadable line followed by good ones is
 * damage, not a torn write, and the open fails with VP_ERR_IO.
 *
 * Lines are space-separated fields; strings are escaped (%XX for bytes up
 * to space, DEL and '%'); doubles are the 16 hex digits of their bits, so
 * replay adds exactly the increments the live store added:
 *   log:      Z <target> <scope|-> <member> <bits>   add to a number
 *             P <ns> <key> <value>                    put
 *             D <ns> <key>                            delete
 *             B <n>                                   the n lines that follow
 *                                                     are one call: replayed
 *                                                     all, or cut off as torn
 *   snapshot: vindplaats-store 1 <gen>, then S <target> <scope|-> <member>
 *             <bits> and K <ns> <key> <value>, then end <lines>. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "store_backend.h"
#include "vindplaats/buf.h"

#define LOG_COMPACT_BYTES ((off_t)4 << 20)
#define MAX_LOG_TEXT ((size_t)256 << 20)   /* one call's log lines */
#define MAX_LINE ((size_t)1 << 20)         /* a line of the log or the snapshot */
#define MAX_FIELDS 6
#define SNAPSHOT_MAGIC "vindplaats-store 1"

typedef enum vkind { V_NUM, V_STR, V_MAP } vkind;

typedef struct entry {
    struct entry *next;
    uint64_t hash;
    union {
        double num;
        char *str;
        struct map *map;
    } v;
    char key[];
} entry;

typedef struct map {
    entry **b;
    size_t nb, count;
    const uint8_t *seed;   /* the store's, 16 bytes */
} map;

typedef struct emb {
    pthread_mutex_t mu;
    uint8_t seed[16];
    map sets[VP_SET_KIND_COUNT];   /* scope ("" for VP_SET_ALL) -> member -> number */
    map kv;                        /* namespace -> key -> string */
    char *dir;                     /* NULL: memory only */
    int log_fd, lock_fd;
    uint64_t gen;
    off_t log_size, compact_at;
    int log_torn;                  /* a failed append could not be cut off */
} emb;

/* ---- hashing ---- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                   \
    do {                                                                           \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                  \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                     \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                     \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                  \
    } while (0)

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* SipHash-2-4 of `len` bytes under a 16-byte key. */
static uint64_t siphash(const uint8_t *key, const char *data, size_t len)
{
    uint64_t k0 = le64(key), k1 = le64(key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    const uint8_t *p = (const uint8_t *)data;
    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = le64(p + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < len % 8; i++)
        b |= (uint64_t)p[whole + i] << (8 * i);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static void make_seed(uint8_t seed[16], const void *salt)
{
    size_t got = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t r = read(fd, seed, 16);
        got = r > 0 ? (size_t)r : 0;
        close(fd);
    }
    if (got < 16) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t a = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)getpid();
        uint64_t b = (uint64_t)(uintptr_t)salt * 0x9e3779b97f4a7c15ULL;
        memcpy(seed, &a, 8);
        memcpy(seed + 8, &b, 8);
    }
}

/* ---- maps ---- */

static void map_init(map *m, const uint8_t *seed)
{
    m->b = NULL;
    m->nb = 0;
    m->count = 0;
    m->seed = seed;
}

static entry *map_find(const map *m, const char *key)
{
    if (!m->nb)
        return NULL;
    uint64_t h = siphash(m->seed, key, strlen(key));
    for (entry *e = m->b[h & (m->nb - 1)]; e; e = e->next)
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

static int map_grow(map *m)
{
    size_t nb = m->nb ? m->nb * 2 : 8;
    entry **b = calloc(nb, sizeof *b);
    if (!b)
        return -1;
    for (size_t i = 0; i < m->nb; i++) {
        entry *e = m->b[i];
        while (e) {
            entry *next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
            e = next;
        }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
    return 0;
}

/* The entry for `key`, added zeroed when absent (*created set); NULL when
 * out of memory. */
static entry *map_upsert(map *m, const char *key, int *created)
{
    *created = 0;
    entry *e = map_find(m, key);
    if (e)
        return e;
    if (m->count >= m->nb && map_grow(m) != 0)
        return NULL;
    size_t len = strlen(key);
    e = calloc(1, sizeof *e + len + 1);
    if (!e)
        return NULL;
    memcpy(e->key, key, len + 1);
    e->hash = siphash(m->seed, key, len);
    e->next = m->b[e->hash & (m->nb - 1)];
    m->b[e->hash & (m->nb - 1)] = e;
    m->count++;
    *created = 1;
    return e;
}

static void map_clear(map *m, vkind kind, vkind inner);

static void entry_free(entry *e, vkind kind, vkind inner)
{
    if (kind == V_STR) {
        free(e->v.str);
    } else if (kind == V_MAP && e->v.map) {
        map_clear(e->v.map, inner, V_NUM);
        free(e->v.map);
    }
    free(e);
}

/* Removes and frees `key`; 1 when it was there. */
static int map_remove(map *m, const char *key, vkind kind, vkind inner)
{
    if (!m->nb)
        return 0;
    uint64_t h = siphash(m->seed, key, strlen(key));
    for (entry **pe = &m->b[h & (m->nb - 1)]; *pe; pe = &(*pe)->next) {
        entry *e = *pe;
        if (e->hash == h && strcmp(e->key, key) == 0) {
            *pe = e->next;
            m->count--;
            entry_free(e, kind, inner);
            return 1;
        }
    }
    return 0;
}

static void map_clear(map *m, vkind kind, vkind inner)
{
    for (size_t i = 0; i < m->nb; i++) {
        entry *e = m->b[i];
        while (e) {
            entry *next = e->next;
            entry_free(e, kind, inner);
            e = next;
        }
    }
    free(m->b);
    map_init(m, m->seed);
}

/* The inner map of `outer[key]`, created when absent and `create`. */
static map *submap(map *outer, const char *key, int create)
{
    if (!create) {
        entry *e = map_find(outer, key);
        return e ? e->v.map : NULL;
    }
    int created;
    entry *e = map_upsert(outer, key, &created);
    if (!e)
        return NULL;
    if (created) {
        e->v.map = malloc(sizeof *e->v.map);
        if (!e->v.map) {
            map_remove(outer, key, V_MAP, V_NUM);
            return NULL;
        }
        map_init(e->v.map, outer->seed);
    }
    return e->v.map;
}

/* ---- applying operations (live and replayed alike) ---- */

static const char *scope_key(store_set target, const char *scope)
{
    return target == VP_SET_ALL || !scope ? "" : scope;
}

/* A sum that would stop being finite keeps its value, on replay too. */
static vp_status apply_incr(emb *s, store_set target, const char *scope, const char *member,
                            double by, int replace)
{
    map *m = submap(&s->sets[target], scope_key(target, scope), 1);
    if (!m)
        return VP_ERR_NOMEM;
    int created;
    entry *e = map_upsert(m, member, &created);
    if (!e)
        return VP_ERR_NOMEM;
    double v = replace ? by : e->v.num + by;
    if (isfinite(v))
        e->v.num = v;
    return VP_OK;
}

static vp_status apply_put(emb *s, const char *ns, const char *key, const char *value)
{
    map *m = submap(&s->kv, ns, 1);
    if (!m)
        return VP_ERR_NOMEM;
    char *copy = strdup(value);
    if (!copy)
        return VP_ERR_NOMEM;
    int created;
    entry *e = map_upsert(m, key, &created);
    if (!e) {
        free(copy);
        return VP_ERR_NOMEM;
    }
    free(e->v.str);
    e->v.str = copy;
    return VP_OK;
}

/* 1 when it was there. A namespace without keys disappears, as in Redis. */
static int apply_del(emb *s, const char *ns, const char *key)
{
    map *m = submap(&s->kv, ns, 0);
    if (!m || !map_remove(m, key, V_STR, V_NUM))
        return 0;
    if (m->count == 0)
        map_remove(&s->kv, ns, V_MAP, V_STR);
    return 1;
}

/* ---- text ---- */

static vp_status put_escaped(vp_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t start = 0, i = 0;
    vp_status rc = VP_OK;
    for (; s[i] && rc == VP_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c > ' ' && c != 0x7f && c != '%')
            continue;
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        rc = vp_buf_append(b, s + start, i - start);
        if (rc == VP_OK)
            rc = vp_buf_append(b, esc, 3);
        start = i + 1;
    }
    if (rc == VP_OK)
        rc = vp_buf_append(b, s + start, i - start);
    return rc;
}

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

static vp_status put_double(vp_buf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return vp_buf_printf(b, "%016" PRIx64, u);
}

static int parse_double(const char *s, double *d)
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

/* Splits `line` (no newline) at single spaces; the number of fields, or -1
 * when there are more than MAX_FIELDS. */
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
            !good_key(f[2]) || !good_key(f[3]) || parse_double(f[4], &p->d) != 0)
            return -1;
        p->target = (store_set)(f[1][0] - '0');
        p->a = f[2];
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

static vp_status apply_parsed(emb *s, const parsed *p)
{
    switch (p->op) {
    case 'Z':
    case 'S':
        return apply_incr(s, p->target, p->a, p->b, p->d, p->op == 'S');
    case 'P':
    case 'K':
        return apply_put(s, p->a, p->b, p->c);
    default:
        apply_del(s, p->a, p->b);
        return VP_OK;
    }
}

/* ---- files ---- */

static char *path_of(const emb *s, const char *name, uint64_t gen, int with_gen)
{
    size_t len = strlen(s->dir) + strlen(name) + 32;
    char *p = malloc(len);
    if (!p)
        return NULL;
    if (with_gen)
        snprintf(p, len, "%s/%s.%" PRIu64, s->dir, name, gen);
    else
        snprintf(p, len, "%s/%s", s->dir, name);
    return p;
}

static vp_status io_fail(char **errmsg, const char *what, const char *path, int err)
{
    char buf[128];
    if (strerror_r(err, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "error %d", err);
    return vp_fail(errmsg, VP_ERR_IO, "%s: %s: %s", path, what, buf);
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
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

static vp_status load_snapshot(emb *s, char **errmsg)
{
    char *path = path_of(s, "snapshot", 0, 0), *line = NULL;
    size_t alloc = 0, lines = 0;
    FILE *f = NULL;
    vp_status rc = VP_OK;
    if (!path)
        return VP_ERR_NOMEM;
    f = fopen(path, "r");
    if (!f) {
        if (errno != ENOENT)
            rc = io_fail(errmsg, "open", path, errno);
        goto cleanup;
    }
    int r = read_line(f, &line, &alloc);
    const char *magic = SNAPSHOT_MAGIC " ";
    char *end = NULL;
    if (r == 1 && strncmp(line, magic, strlen(magic)) == 0) {
        errno = 0;
        s->gen = strtoull(line + strlen(magic), &end, 10);
    }
    if (!end || *end || errno) {
        rc = vp_fail(errmsg, VP_ERR_IO, "%s: not a store snapshot", path);
        goto cleanup;
    }
    for (;;) {
        r = read_line(f, &line, &alloc);
        if (r != 1) {
            rc = vp_fail(errmsg, VP_ERR_IO, "%s: truncated", path);
            goto cleanup;
        }
        if (strncmp(line, "end ", 4) == 0) {
            char buf[32];
            snprintf(buf, sizeof buf, "%zu", lines);
            if (strcmp(line + 4, buf) != 0 || read_line(f, &line, &alloc) != 0)
                rc = vp_fail(errmsg, VP_ERR_IO, "%s: truncated", path);
            goto cleanup;
        }
        lines++;
        parsed p;
        if (parse_line(line, "SK", &p) != 0) {
            rc = vp_fail(errmsg, VP_ERR_IO, "%s:%zu: malformed line", path, lines + 1);
            goto cleanup;
        }
        rc = apply_parsed(s, &p);
        if (rc != VP_OK)
            goto cleanup;
    }
cleanup:
    if (f)
        fclose(f);
    free(line);
    free(path);
    return rc;
}

/* Replays log.<gen>; cuts off a torn tail. */
/* A "B <n>" line: n, else 0. */
static size_t batch_of(const char *line)
{
    if (line[0] != 'B' || line[1] != ' ' || !line[2] || strspn(line + 2, "0123456789") != strlen(line + 2) ||
        strlen(line + 2) > 9)
        return 0;
    return (size_t)strtoul(line + 2, NULL, 10);
}

/* Reads the log once to find where its last whole unit (a line, or a "B"
 * line with all of its lines) ends, then applies everything before that.
 * What follows is a torn tail, cut off; a good line after a bad one is
 * damage, and the open fails. */
static vp_status replay_log(emb *s, char **errmsg)
{
    char *path = path_of(s, "log", s->gen, 1), *line = NULL;
    size_t alloc = 0, lineno = 0, bad_line = 0, pending = 0;
    off_t bad_at = -1, good_end = 0, unit_at = 0;
    FILE *f = NULL;
    vp_status rc = VP_OK;
    if (!path)
        return VP_ERR_NOMEM;
    f = fopen(path, "r");
    if (!f) {
        if (errno != ENOENT)
            rc = io_fail(errmsg, "open", path, errno);
        goto cleanup;
    }
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && fseeko(f, 0, SEEK_SET) != 0) {
            rc = io_fail(errmsg, "read", path, errno);
            goto cleanup;
        }
        lineno = 0;
        pending = 0;
        for (;;) {
            off_t at = ftello(f);
            if (pass == 1 && at >= good_end)
                break;
            int r = read_line(f, &line, &alloc);
            if (r == 0)
                break;
            if (r < 0 && ferror(f)) {
                rc = io_fail(errmsg, "read", path, errno);
                goto cleanup;
            }
            lineno++;
            size_t batch = r == 1 ? batch_of(line) : 0;
            parsed p;
            int good = batch || (r == 1 && parse_line(line, "ZPD", &p) == 0);
            if (pass == 1) {
                if (!batch) {
                    rc = apply_parsed(s, &p);
                    if (rc != VP_OK)
                        goto cleanup;
                }
                continue;
            }
            if (good && bad_at >= 0) {
                /* A good line after a bad one: the log is damaged, not torn. */
                rc = vp_fail(errmsg, VP_ERR_IO, "%s:%zu: malformed line", path, bad_line);
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
                /* A batch that never finished, and more after it. */
                rc = vp_fail(errmsg, VP_ERR_IO, "%s:%zu: short batch", path, lineno);
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
    if (bad_at >= 0 && truncate(path, bad_at) != 0)
        rc = io_fail(errmsg, "truncate", path, errno);
cleanup:
    if (f)
        fclose(f);
    free(line);
    free(path);
    return rc;
}

/* Appends one "S"/"Z" line for a number to `b`. */
static vp_status put_number_line(vp_buf *b, char op, store_set target, const char *scope,
                                 const char *member, double d)
{
    vp_status rc = vp_buf_printf(b, "%c %d ", op, (int)target);
    if (rc == VP_OK)
        rc = put_escaped(b, target == VP_SET_ALL || !scope || !*scope ? "-" : scope);
    if (rc == VP_OK)
        rc = vp_buf_puts(b, " ");
    if (rc == VP_OK)
        rc = put_escaped(b, member);
    if (rc == VP_OK)
        rc = vp_buf_puts(b, " ");
    if (rc == VP_OK)
        rc = put_double(b, d);
    if (rc == VP_OK)
        rc = vp_buf_puts(b, "\n");
    return rc;
}

/* Appends one "P"/"K"/"D" line to `b`; value NULL for "D". */
static vp_status put_record_line(vp_buf *b, char op, const char *ns, const char *key,
                                 const char *value)
{
    vp_status rc = vp_buf_printf(b, "%c ", op);
    if (rc == VP_OK)
        rc = put_escaped(b, ns);
    if (rc == VP_OK)
        rc = vp_buf_puts(b, " ");
    if (rc == VP_OK)
        rc = put_escaped(b, key);
    if (rc == VP_OK && value)
        rc = vp_buf_puts(b, " ");
    if (rc == VP_OK && value)
        rc = put_escaped(b, value);
    if (rc == VP_OK)
        rc = vp_buf_puts(b, "\n");
    return rc;
}

static vp_status write_snapshot(emb *s, uint64_t gen, char **errmsg)
{
    char *tmp = path_of(s, "snapshot.tmp", 0, 0), *final = path_of(s, "snapshot", 0, 0);
    FILE *f = NULL;
    vp_buf b;
    size_t lines = 0;
    int err = 0;
    vp_status rc = VP_OK;
    vp_buf_init(&b, MAX_LINE);
    if (!tmp || !final) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    f = fopen(tmp, "w");
    if (!f) {
        rc = io_fail(errmsg, "create", tmp, errno);
        goto cleanup;
    }
    fprintf(f, SNAPSHOT_MAGIC " %" PRIu64 "\n", gen);
    for (int t = 0; t < VP_SET_KIND_COUNT && rc == VP_OK; t++) {
        const map *outer = &s->sets[t];
        for (size_t i = 0; i < outer->nb && rc == VP_OK; i++)
            for (const entry *o = outer->b[i]; o && rc == VP_OK; o = o->next)
                for (size_t j = 0; j < o->v.map->nb && rc == VP_OK; j++)
                    for (const entry *e = o->v.map->b[j]; e && rc == VP_OK; e = e->next) {
                        b.len = 0;
                        rc = put_number_line(&b, 'S', (store_set)t, o->key, e->key, e->v.num);
                        if (rc == VP_OK && fwrite(b.data, 1, b.len, f) != b.len) {
                            err = errno;
                            rc = VP_ERR_IO;
                        }
                        lines++;
                    }
    }
    for (size_t i = 0; i < s->kv.nb && rc == VP_OK; i++)
        for (const entry *o = s->kv.b[i]; o && rc == VP_OK; o = o->next)
            for (size_t j = 0; j < o->v.map->nb && rc == VP_OK; j++)
                for (const entry *e = o->v.map->b[j]; e && rc == VP_OK; e = e->next) {
                    b.len = 0;
                    rc = put_record_line(&b, 'K', o->key, e->key, e->v.str);
                    if (rc == VP_OK && fwrite(b.data, 1, b.len, f) != b.len) {
                        err = errno;
                        rc = VP_ERR_IO;
                    }
                    lines++;
                }
    if (rc == VP_OK)
        fprintf(f, "end %zu\n", lines);
    if (rc == VP_OK && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)) {
        err = errno;
        rc = VP_ERR_IO;
    }
    if (fclose(f) != 0 && rc == VP_OK) {
        err = errno;
        rc = VP_ERR_IO;
    }
    if (rc == VP_ERR_IO)
        rc = io_fail(errmsg, "write", tmp, err ? err : EIO);
    f = NULL;
    if (rc == VP_OK && rename(tmp, final) != 0)
        rc = io_fail(errmsg, "rename", tmp, errno);
    if (rc == VP_OK)
        sync_dir(s->dir);
    else
        unlink(tmp);
cleanup:
    vp_buf_free(&b);
    free(tmp);
    free(final);
    return rc;
}

/* Writes a snapshot that the next log generation continues, then drops
 * the current log. On failure everything stays as it was. */
static vp_status compact(emb *s, char **errmsg)
{
    uint64_t next = s->gen + 1;
    char *new_log = path_of(s, "log", next, 1), *old_log = path_of(s, "log", s->gen, 1);
    int fd = -1;
    vp_status rc = VP_OK;
    if (!new_log || !old_log) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    fd = open(new_log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = io_fail(errmsg, "create", new_log, errno);
        goto cleanup;
    }
    rc = write_snapshot(s, next, errmsg);
    if (rc != VP_OK) {
        close(fd);
        fd = -1;
        unlink(new_log);
        goto cleanup;
    }
    close(s->log_fd);
    s->log_fd = fd;
    fd = -1;
    s->gen = next;
    s->log_size = 0;
    s->compact_at = LOG_COMPACT_BYTES;
    unlink(old_log);
cleanup:
    free(new_log);
    free(old_log);
    return rc;
}

/* Appends `b` to the log with one write (under the lock). A failed write is
 * cut off again. */
static vp_status log_append(emb *s, const vp_buf *b, char **errmsg)
{
    if (!s->dir || b->len == 0)
        return VP_OK;
    /* A log whose torn end could not be cut takes nothing more (it would
     * turn into damage): a new snapshot and log must replace it first. */
    if (s->log_torn && compact(s, errmsg) != VP_OK)
        return VP_ERR_IO;
    s->log_torn = 0;
    if (write_all(s->log_fd, b->data, b->len) != 0) {
        int err = errno;
        if (ftruncate(s->log_fd, s->log_size) != 0) {
            err = errno;
            s->log_torn = 1;
        }
        return io_fail(errmsg, "append", "store log", err);
    }
    s->log_size += (off_t)b->len;
    return VP_OK;
}

/* Compacts when the log has grown past the threshold: after the logged
 * operations are applied, or the snapshot would miss them. A failure is
 * not the caller's: the log goes on, and compaction is tried again later. */
static void maybe_compact(emb *s)
{
    if (s->dir && s->log_size >= s->compact_at && compact(s, NULL) != VP_OK)
        s->compact_at = s->log_size + LOG_COMPACT_BYTES;
}

/* Deletes log generations other than the current one, and snapshot.tmp. */
static void remove_stale(emb *s)
{
    DIR *d = opendir(s->dir);
    if (!d)
        return;
    char keep[48];
    snprintf(keep, sizeof keep, "log.%" PRIu64, s->gen);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        int stale = strcmp(name, "snapshot.tmp") == 0;
        if (strncmp(name, "log.", 4) == 0 && name[4] && strcmp(name, keep) != 0 &&
            strspn(name + 4, "0123456789") == strlen(name + 4))
            stale = 1;
        if (!stale)
            continue;
        size_t len = strlen(s->dir) + strlen(name) + 2;
        char *p = malloc(len);
        if (p) {
            snprintf(p, len, "%s/%s", s->dir, name);
            unlink(p);
            free(p);
        }
    }
    closedir(d);
}

static void emb_free(emb *s)
{
    if (!s)
        return;
    if (s->log_fd >= 0)
        close(s->log_fd);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    for (int t = 0; t < VP_SET_KIND_COUNT; t++)
        map_clear(&s->sets[t], V_MAP, V_NUM);
    map_clear(&s->kv, V_MAP, V_STR);
    free(s->dir);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static vp_status open_dir(emb *s, char **errmsg)
{
    char *lock = path_of(s, "lock", 0, 0), *log = NULL;
    vp_status rc = VP_OK;
    struct stat sb;
    if (!lock) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    if (mkdir(s->dir, 0755) != 0 && errno != EEXIST) {
        rc = io_fail(errmsg, "create", s->dir, errno);
        goto cleanup;
    }
    if (stat(s->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        rc = vp_fail(errmsg, VP_ERR_IO, "%s: not a directory", s->dir);
        goto cleanup;
    }
    s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        rc = io_fail(errmsg, "open", lock, errno);
        goto cleanup;
    }
    struct flock fl = {0};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(s->lock_fd, F_SETLK, &fl) != 0) {
        if (errno == EACCES || errno == EAGAIN)
            rc = vp_fail(errmsg, VP_ERR_LOCKED, "%s: another process has the store open",
                               s->dir);
        else
            rc = io_fail(errmsg, "lock", lock, errno);
        goto cleanup;
    }
    rc = load_snapshot(s, errmsg);
    if (rc == VP_OK)
        rc = replay_log(s, errmsg);
    if (rc != VP_OK)
        goto cleanup;
    remove_stale(s);
    log = path_of(s, "log", s->gen, 1);
    if (!log) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    s->log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (s->log_fd < 0 || fstat(s->log_fd, &sb) != 0) {
        rc = io_fail(errmsg, "open", log, errno);
        goto cleanup;
    }
    s->log_size = sb.st_size;
    s->compact_at = LOG_COMPACT_BYTES;
cleanup:
    free(lock);
    free(log);
    return rc;
}

static vp_status emb_open(const vp_store_config *cfg, void **impl, char **errmsg)
{
    vp_status rc = VP_OK;
    emb *s = calloc(1, sizeof *s);
    if (!s)
        return VP_ERR_NOMEM;
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s);
        return VP_ERR_NOMEM;
    }
    s->log_fd = -1;
    s->lock_fd = -1;
    make_seed(s->seed, s);
    for (int t = 0; t < VP_SET_KIND_COUNT; t++)
        map_init(&s->sets[t], s->seed);
    map_init(&s->kv, s->seed);
    if (cfg->dir) {
        s->dir = strdup(cfg->dir);
        rc = s->dir ? open_dir(s, errmsg) : VP_ERR_NOMEM;
    }
    if (rc == VP_OK) {
        *impl = s;
        s = NULL;
    }
    emb_free(s);
    return rc;
}

static void emb_close(void *impl)
{
    emb *s = impl;
    if (s->dir && s->log_fd >= 0 && s->log_size > 0)
        compact(s, NULL);
    emb_free(s);
}

static int emb_available(void *impl)
{
    (void)impl;
    return 1;
}

static vp_status emb_incr(void *impl, const store_incr *ops, size_t n, char **errmsg)
{
    emb *s = impl;
    vp_buf b;
    vp_status rc = VP_OK;
    vp_buf_init(&b, MAX_LOG_TEXT);
    if (s->dir && n > 1)
        rc = vp_buf_printf(&b, "B %zu\n", n);
    for (size_t i = 0; s->dir && i < n && rc == VP_OK; i++)
        rc = put_number_line(&b, 'Z', ops[i].target, ops[i].scope, ops[i].member, ops[i].by);
    if (rc != VP_OK) {
        vp_buf_free(&b);
        return rc == VP_ERR_TOO_BIG ? vp_fail(errmsg, rc, "events: too much to log at once")
                                    : rc;
    }
    /* All or nothing: first every number gets its entry (what can run out
     * of memory), then the log line is written, and only then are the sums
     * added. A failure before that removes the entries it created, so
     * memory and log never disagree. */
    entry **made = n ? calloc(n, sizeof *made) : NULL;
    if (n && !made) {
        vp_buf_free(&b);
        return VP_ERR_NOMEM;
    }
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < n && rc == VP_OK; i++) {
        map *m = submap(&s->sets[ops[i].target], scope_key(ops[i].target, ops[i].scope), 1);
        int created = 0;
        entry *e = m ? map_upsert(m, ops[i].member, &created) : NULL;
        if (!e)
            rc = VP_ERR_NOMEM;
        else if (created)
            made[i] = e;
    }
    if (rc == VP_OK)
        rc = log_append(s, &b, errmsg);
    for (size_t i = 0; i < n; i++) {
        map *m = submap(&s->sets[ops[i].target], scope_key(ops[i].target, ops[i].scope), 0);
        if (rc != VP_OK) {
            if (made[i] && m)
                map_remove(m, ops[i].member, V_NUM, V_NUM);
            continue;
        }
        entry *e = m ? map_find(m, ops[i].member) : NULL;
        double v = e ? e->v.num + ops[i].by : 0;
        if (e && isfinite(v))
            e->v.num = v;
    }
    if (rc == VP_OK)
        maybe_compact(s);
    pthread_mutex_unlock(&s->mu);
    free(made);
    vp_buf_free(&b);
    return rc;
}

/* Is a better than b in a top list: greater, or equal and greater member. */
static int better(const entry *a, const entry *b)
{
    if (a->v.num != b->v.num)
        return a->v.num > b->v.num;
    return strcmp(a->key, b->key) > 0;
}

/* Min-heap on `better`: the worst kept entry at the root. */
static void sift_down(const entry **h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && better(h[w], h[l]))
            w = l;
        if (r < n && better(h[w], h[r]))
            w = r;
        if (w == i)
            return;
        const entry *t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(const entry **h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!better(h[p], h[i]))
            return;
        const entry *t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

static int cmp_best_first(const void *a, const void *b)
{
    const entry *x = *(const entry *const *)a, *y = *(const entry *const *)b;
    return better(x, y) ? -1 : better(y, x) ? 1 : 0;
}

/* Copies entries into a vp_scored array (key and number). */
static vp_status to_scored(const entry *const *es, size_t n, vp_scored **out, size_t *nout)
{
    vp_scored *r = n ? calloc(n, sizeof *r) : NULL;
    if (n && !r)
        return VP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        r[i].key = strdup(es[i]->key);
        r[i].score = es[i]->v.num;
        if (!r[i].key) {
            vp_scored_free(r, i);
            return VP_ERR_NOMEM;
        }
    }
    *out = r;
    *nout = n;
    return VP_OK;
}

static vp_status emb_top(void *impl, store_set target, const char *scope, size_t limit,
                         vp_scored **out, size_t *n, char **errmsg)
{
    emb *s = impl;
    const entry **heap = NULL;
    size_t nh = 0;
    vp_status rc = VP_OK;
    (void)errmsg;
    pthread_mutex_lock(&s->mu);
    const map *m = submap(&s->sets[target], scope_key(target, scope), 0);
    if (!m || m->count == 0)
        goto cleanup;
    if (limit > m->count)
        limit = m->count;
    heap = malloc(limit * sizeof *heap);
    if (!heap) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < m->nb; i++)
        for (const entry *e = m->b[i]; e; e = e->next) {
            if (nh < limit) {
                heap[nh++] = e;
                sift_up(heap, nh - 1);
            } else if (better(e, heap[0])) {
                heap[0] = e;
                sift_down(heap, nh, 0);
            }
        }
    qsort(heap, nh, sizeof *heap, cmp_best_first);
    rc = to_scored(heap, nh, out, n);
cleanup:
    pthread_mutex_unlock(&s->mu);
    free(heap);
    return rc;
}

static vp_status emb_scores(void *impl, store_set target, const char *scope,
                            const char *const *members, size_t n, double *raw, char **errmsg)
{
    emb *s = impl;
    (void)errmsg;
    pthread_mutex_lock(&s->mu);
    const map *m = submap(&s->sets[target], scope_key(target, scope), 0);
    for (size_t i = 0; i < n; i++) {
        const entry *e = m && members[i] ? map_find(m, members[i]) : NULL;
        raw[i] = e ? e->v.num : 0;
    }
    pthread_mutex_unlock(&s->mu);
    return VP_OK;
}

static vp_status emb_all(void *impl, store_set target, const char *scope, vp_scored **out,
                         size_t *n, char **errmsg)
{
    emb *s = impl;
    const entry **es = NULL;
    size_t k = 0;
    vp_status rc = VP_OK;
    pthread_mutex_lock(&s->mu);
    const map *m = submap(&s->sets[target], scope_key(target, scope), 0);
    if (!m || m->count == 0)
        goto cleanup;
    if (m->count > STORE_MAX_LIST) {
        rc = vp_fail(errmsg, VP_ERR_TOO_BIG, "%s: more than %d entries", scope,
                           STORE_MAX_LIST);
        goto cleanup;
    }
    es = malloc(m->count * sizeof *es);
    if (!es) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < m->nb; i++)
        for (const entry *e = m->b[i]; e; e = e->next)
            es[k++] = e;
    rc = to_scored(es, k, out, n);
cleanup:
    pthread_mutex_unlock(&s->mu);
    free(es);
    return rc;
}

static vp_status emb_put(void *impl, const char *ns, const char *key, const char *value,
                         char **errmsg)
{
    emb *s = impl;
    vp_buf b;
    vp_status rc = VP_OK;
    vp_buf_init(&b, MAX_LINE);
    if (s->dir)
        rc = put_record_line(&b, 'P', ns, key, value);
    /* As in emb_incr: memory is made ready, the log written, then the
     * value swapped in; a failure undoes what was made. */
    char *copy = rc == VP_OK ? strdup(value) : NULL;
    if (rc == VP_OK && !copy)
        rc = VP_ERR_NOMEM;
    if (rc == VP_OK) {
        pthread_mutex_lock(&s->mu);
        map *m = submap(&s->kv, ns, 1);
        int created = 0;
        entry *e = m ? map_upsert(m, key, &created) : NULL;
        rc = e ? log_append(s, &b, errmsg) : VP_ERR_NOMEM;
        if (rc == VP_OK) {
            free(e->v.str);
            e->v.str = copy;
            copy = NULL;
            maybe_compact(s);
        } else if (e && created) {
            map_remove(m, key, V_STR, V_NUM);
        }
        pthread_mutex_unlock(&s->mu);
    }
    free(copy);
    vp_buf_free(&b);
    return rc;
}

static vp_status emb_get(void *impl, const char *ns, const char *key, char **value,
                         char **errmsg)
{
    emb *s = impl;
    vp_status rc = VP_OK;
    pthread_mutex_lock(&s->mu);
    const map *m = submap(&s->kv, ns, 0);
    const entry *e = m ? map_find(m, key) : NULL;
    char *copy = e ? strdup(e->v.str) : NULL;
    if (!e)
        rc = vp_fail(errmsg, VP_ERR_NOT_FOUND, "%s/%s: not found", ns, key);
    else if (!copy)
        rc = VP_ERR_NOMEM;
    else
        *value = copy;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static vp_status emb_del(void *impl, const char *ns, const char *key, char **errmsg)
{
    emb *s = impl;
    vp_buf b;
    vp_status rc = VP_OK;
    vp_buf_init(&b, MAX_LINE);
    if (s->dir)
        rc = put_record_line(&b, 'D', ns, key, NULL);
    if (rc != VP_OK)
        goto cleanup;
    pthread_mutex_lock(&s->mu);
    const map *m = submap(&s->kv, ns, 0);
    if (!m || !map_find(m, key))
        rc = vp_fail(errmsg, VP_ERR_NOT_FOUND, "%s/%s: not found", ns, key);
    if (rc == VP_OK)
        rc = log_append(s, &b, errmsg);
    if (rc == VP_OK) {
        apply_del(s, ns, key);
        maybe_compact(s);
    }
    pthread_mutex_unlock(&s->mu);
cleanup:
    vp_buf_free(&b);
    return rc;
}

static vp_status emb_keys(void *impl, const char *ns, char ***keys, size_t *n, char **errmsg)
{
    emb *s = impl;
    char **r = NULL;
    size_t k = 0;
    vp_status rc = VP_OK;
    pthread_mutex_lock(&s->mu);
    const map *m = submap(&s->kv, ns, 0);
    if (!m || m->count == 0)
        goto cleanup;
    if (m->count > STORE_MAX_LIST) {
        rc = vp_fail(errmsg, VP_ERR_TOO_BIG, "%s: more than %d keys", ns, STORE_MAX_LIST);
        goto cleanup;
    }
    r = calloc(m->count, sizeof *r);
    if (!r) {
        rc = VP_ERR_NOMEM;
        goto cleanup;
    }
    for (size_t i = 0; i < m->nb && rc == VP_OK; i++)
        for (const entry *e = m->b[i]; e && rc == VP_OK; e = e->next) {
            r[k] = strdup(e->key);
            if (!r[k])
                rc = VP_ERR_NOMEM;
            else
                k++;
        }
cleanup:
    pthread_mutex_unlock(&s->mu);
    if (rc == VP_OK) {
        *keys = r;
        *n = k;
    } else {
        for (size_t i = 0; i < k; i++)
            free(r[i]);
        free(r);
    }
    return rc;
}

const store_backend vp_store_embedded_backend = {
    .name = "embedded",
    .open = emb_open,
    .close = emb_close,
    .available = emb_available,
    .incr = emb_incr,
    .top = emb_top,
    .scores = emb_scores,
    .all = emb_all,
    .put = emb_put,
    .get = emb_get,
    .del = emb_del,
    .keys = emb_keys,
};
