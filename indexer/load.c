/* load.c - JSONL loading (see load.h). */
#include "vindplaats/load.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vindplaats/hash.h"
#include "vindplaats/offering.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one line of at most `cap` bytes (without its "\n" or "\r\n") into
 * buf. Returns its length, -1 at the end of input, -2 when the line was
 * longer (the rest of it is consumed). NUL bytes are kept and counted. */
static long read_line(FILE *in, char *buf, size_t cap)
{
    size_t n = 0;
    int c, seen = 0, over = 0;
    while ((c = getc_unlocked(in)) != EOF) {
        seen = 1;
        if (c == '\n')
            break;
        if (n < cap + 1)
            buf[n++] = (char)c; /* one more than cap, for a "\r" */
        else
            over = 1;
    }
    if (!seen)
        return -1;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (over || n > cap)
        return -2;
    buf[n] = '\0';
    return (long)n;
}

/* Reports every "path: message" line of `msg` prefixed with NAME:LINE. */
static void report_lines(FILE *report, const char *name, uint64_t line, const char *msg)
{
    if (!report)
        return;
    while (*msg) {
        size_t n = strcspn(msg, "\n");
        fprintf(report, "%s:%llu: %.*s\n", name, (unsigned long long)line, (int)n, msg);
        msg += n;
        if (*msg == '\n')
            msg++;
    }
}

size_t vp_shard_of(const char *work_key, const char *id, size_t n)
{
    const char *key = work_key && *work_key ? work_key : id;
    return n ? (size_t)(vp_hash_str(key) % n) : 0;
}

static vp_status commit_all(vp_index *const *shards, size_t n, char **errmsg)
{
    vp_status st = VP_OK;
    for (size_t i = 0; st == VP_OK && i < n; i++)
        st = vp_index_commit(shards[i], errmsg);
    return st;
}

vp_status vp_load_jsonl(vp_index *idx, const vp_vocabulary *voc, FILE *in, const char *name,
                        FILE *report, vp_load_stats *stats, char **errmsg)
{
    vp_index *one[1] = {idx};
    return vp_load_jsonl_shards(one, 1, voc, in, name, report, stats, errmsg);
}

vp_status vp_load_jsonl_shards(vp_index *const *shards, size_t n_shards, const vp_vocabulary *voc,
                               FILE *in, const char *name, FILE *report, vp_load_stats *stats,
                               char **errmsg)
{
    vp_status st = VP_OK;
    double started = now_seconds();
    uint64_t lineno = 0, since_commit = 0;
    memset(stats, 0, sizeof *stats);
    char *line = malloc(VP_LOAD_MAX_LINE + 2);
    flockfile(in);
    if (!line)
        return VP_ERR_NOMEM;

    long got;
    while ((got = read_line(in, line, VP_LOAD_MAX_LINE)) != -1) {
        lineno++;
        if (got == -2) {
            stats->read++;
            stats->rejected++;
            report_lines(report, name, lineno, "(line): longer than 1048576 bytes");
            continue;
        }
        size_t len = (size_t)got;
        if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            memmove(line, line + 3, len - 2);
            len -= 3;
        }
        if (len == strspn(line, " \t"))
            continue;
        stats->read++;
        if (memchr(line, '\0', len)) {
            stats->rejected++;
            report_lines(report, name, lineno, "(line): contains a NUL byte");
            continue;
        }
        vp_offering *o = NULL;
        char *problems = NULL;
        vp_status pst = vp_offering_parse(line, len, voc, &o, &problems);
        if (pst == VP_ERR_NOMEM) {
            free(problems);
            st = VP_ERR_NOMEM;
            break;
        }
        if (pst != VP_OK) {
            stats->rejected++;
            report_lines(report, name, lineno, problems ? problems : vp_status_str(pst));
            free(problems);
            continue;
        }
        char *why = NULL;
        vp_index *idx = shards[vp_shard_of(o->work_key, o->id, n_shards)];
        pst = vp_index_put(idx, o, &why);
        if (pst == VP_ERR_INVALID) {
            /* The index refused this record (a value it cannot hold). */
            stats->rejected++;
            report_lines(report, name, lineno, why ? why : "rejected by the index");
            free(why);
            vp_offering_destroy(o);
            continue;
        }
        vp_offering_destroy(o);
        if (pst != VP_OK) {
            st = pst;
            if (errmsg)
                *errmsg = why;
            else
                free(why);
            break;
        }
        stats->indexed++;
        if (++since_commit == VP_LOAD_COMMIT_EVERY) {
            since_commit = 0;
            st = commit_all(shards, n_shards, errmsg);
            if (st != VP_OK)
                break;
        }
    }
    if (st == VP_OK && ferror(in)) {
        st = vp_fail(errmsg, VP_ERR_IO, "%s: read error", name);
    }
    funlockfile(in);
    if (st == VP_OK)
        st = commit_all(shards, n_shards, errmsg);
    free(line);
    stats->seconds = now_seconds() - started;
    return st;
}
