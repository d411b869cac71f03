/* vocabulary.c - the proposition vocabulary loaded from its TSV file.
 *
 * Everything a vocabulary holds lives in one arena of strings owned by the
 * vocabulary, so the borrowed pointers it hands out stay valid until
 * vp_vocabulary_destroy(). Lookups are linear: the vocabulary has tens of
 * rows, not thousands. */
#include "vindplaats/vocabulary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/arena.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"

#define MAX_LINE 65536
#define MAX_ROWS 10000

struct vp_vocabulary {
    vp_proposition *rows;
    size_t count;
    vp_arena owned;     /* every string and list this vocabulary allocated */
    char *ids;          /* "a, b, c" */
};

static int own(vp_vocabulary *v, void *p)
{
    return vp_arena_own(&v->owned, p);
}

/* Splits `s` on `sep` into a NULL-terminated list of trimmed, non-empty
 * strings owned by `v`. */
static const char *const *split_list(vp_vocabulary *v, const char *s, char sep)
{
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == sep;
    const char **list = calloc(n + 1, sizeof *list);
    if (own(v, (void *)list) != 0)
        return NULL;
    size_t k = 0;
    const char *p = s;
    while (1) {
        const char *end = strchr(p, sep);
        if (!end)
            end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (b > a) {
            char *item = strndup(a, (size_t)(b - a));
            if (own(v, item) != 0)
                return NULL;
            list[k++] = item;
        }
        if (!*end)
            break;
        p = end + 1;
    }
    return list;
}

static int valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return 0;
    return 1;
}

vp_status vp_vocabulary_load(const char *path, vp_vocabulary **out, char **errmsg)
{
    vp_status st = VP_OK;
    char *line = NULL;
    vp_buf ids;
    vp_buf_init(&ids, 1 << 20);
    vp_vocabulary *v = calloc(1, sizeof *v);
    FILE *f = NULL;
    if (!v) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    f = fopen(path, "r");
    if (!f) {
        st = VP_ERR_IO;
        if (errmsg) {
            vp_buf m;
            vp_buf_init(&m, 4096);
            vp_buf_printf(&m, "%s: %s", path, strerror(errno));
            *errmsg = vp_buf_steal(&m);
        }
        goto done;
    }
    line = malloc(MAX_LINE);
    if (!line) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    size_t alloc_rows = 0;
    unsigned lineno = 0;
    const char *problem = NULL;
    while (fgets(line, MAX_LINE, f)) {
        lineno++;
        size_t len = strlen(line);
        if (len == MAX_LINE - 1 && line[len - 1] != '\n') {
            problem = "line too long";
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (!vp_utf8_valid(line, len)) {
            problem = "not valid UTF-8";
            break;
        }
        char *cols[5] = {0};
        int ncol = 0;
        char *p = line;
        while (ncol < 5) {
            cols[ncol++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        if (ncol < 4) {
            problem = "expected at least 4 tab-separated columns: id, name, societal_task, audience";
            break;
        }
        if (!valid_id(cols[0])) {
            problem = "id must be lower-case letters, digits and '-'";
            break;
        }
        if (vp_vocabulary_get(v, cols[0])) {
            problem = "duplicate id";
            break;
        }
        if (v->count == MAX_ROWS) {
            problem = "too many propositions";
            break;
        }
        if (v->count == alloc_rows) {
            size_t n = alloc_rows ? alloc_rows * 2 : 32;
            vp_proposition *r = realloc(v->rows, n * sizeof *r);
            if (!r) {
                st = VP_ERR_NOMEM;
                goto done;
            }
            v->rows = r;
            alloc_rows = n;
        }
        vp_proposition *row = &v->rows[v->count];
        /* own() takes each string at once, so a failure leaks none. */
        char *id = strdup(cols[0]);
        if (own(v, id) != 0) {
            st = VP_ERR_NOMEM;
            goto done;
        }
        char *name = strdup(cols[1]);
        if (own(v, name) != 0) {
            st = VP_ERR_NOMEM;
            goto done;
        }
        char *task = strdup(cols[2]);
        if (own(v, task) != 0) {
            st = VP_ERR_NOMEM;
            goto done;
        }
        row->id = id;
        row->name = name;
        row->societal_task = task;
        row->audience = split_list(v, cols[3], ',');
        row->aliases = split_list(v, ncol > 4 ? cols[4] : "", '|');
        if (!row->audience || !row->aliases) {
            st = VP_ERR_NOMEM;
            goto done;
        }
        v->count++;
        if (vp_buf_printf(&ids, "%s%s", v->count > 1 ? ", " : "", id) != VP_OK) {
            st = VP_ERR_NOMEM;
            goto done;
        }
    }
    if (!problem && ferror(f)) {
        st = VP_ERR_IO;
        if (errmsg) {
            vp_buf m;
            vp_buf_init(&m, 4096);
            vp_buf_printf(&m, "%s: read error", path);
            *errmsg = vp_buf_steal(&m);
        }
        goto done;
    }
    if (!problem && v->count == 0)
        problem = "no propositions";
    if (problem) {
        st = VP_ERR_INVALID;
        if (errmsg) {
            vp_buf m;
            vp_buf_init(&m, 4096);
            vp_buf_printf(&m, "%s:%u: %s", path, lineno, problem);
            *errmsg = vp_buf_steal(&m);
        }
        goto done;
    }
    v->ids = vp_buf_steal(&ids);
    if (!v->ids) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    *out = v;
    v = NULL;
done:
    if (f)
        fclose(f);
    free(line);
    vp_buf_free(&ids);
    vp_vocabulary_destroy(v);
    return st;
}

void vp_vocabulary_destroy(vp_vocabulary *v)
{
    if (!v)
        return;
    vp_arena_free(&v->owned);
    free(v->rows);
    free(v->ids);
    free(v);
}

size_t vp_vocabulary_count(const vp_vocabulary *v)
{
    return v ? v->count : 0;
}

const vp_proposition *vp_vocabulary_at(const vp_vocabulary *v, size_t i)
{
    return v && i < v->count ? &v->rows[i] : NULL;
}

const vp_proposition *vp_vocabulary_get(const vp_vocabulary *v, const char *id)
{
    return v ? vp_rows_find(v->rows, v->count, sizeof *v->rows, offsetof(vp_proposition, id), id)
             : NULL;
}

const char *vp_vocabulary_ids(const vp_vocabulary *v)
{
    return v && v->ids ? v->ids : "";
}
