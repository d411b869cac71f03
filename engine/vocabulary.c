/* vocabulary.c - the proposition vocabulary loaded from its TSV file.
 *
 * The propositions are a vp_table (arena.h): everything a vocabulary holds
 * lives in its arena, so the borrowed pointers it hands out stay valid
 * until vp_vocabulary_destroy(). Lookups are linear: the vocabulary has
 * tens of rows, not thousands. */
#include "vindplaats/vocabulary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/arena.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/lines.h"

#define MAX_LINE 65536
#define MAX_ROWS 10000

struct vp_vocabulary {
    vp_table t;         /* the propositions, and every string and list they hold */
    char *ids;          /* "a, b, c", in the arena */
};

static vp_status own(vp_vocabulary *v, void *p)
{
    return vp_arena_own(&v->t.arena, p);
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

/* What loading holds between lines. */
typedef struct load_ctx {
    vp_vocabulary *v;
    vp_buf ids;
} load_ctx;

/* One line: id, name, societal task, audience[, aliases], tab-separated. */
static vp_status row_line(void *ctx, char *line, size_t len, const char **problem)
{
    (void)len;
    load_ctx *lc = ctx;
    vp_vocabulary *v = lc->v;
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
    if (ncol < 4)
        *problem = "expected at least 4 tab-separated columns: id, name, societal_task, audience";
    else if (!vp_table_id_ok(cols[0]))
        *problem = "id must be lower-case letters, digits and '-'";
    else if (vp_vocabulary_get(v, cols[0]))
        *problem = "duplicate id";
    else if (v->t.n == MAX_ROWS)
        *problem = "too many propositions";
    if (*problem)
        return VP_ERR_INVALID;
    /* The arena takes each string at once, so a failure leaks none; a row
     * left half made is gone with the vocabulary. */
    vp_proposition *row = vp_table_add(&v->t);
    if (!row)
        return VP_ERR_NOMEM;
    row->id = vp_arena_strdup(&v->t.arena, cols[0]);
    row->name = row->id ? vp_arena_strdup(&v->t.arena, cols[1]) : NULL;
    row->societal_task = row->name ? vp_arena_strdup(&v->t.arena, cols[2]) : NULL;
    row->audience = row->societal_task ? split_list(v, cols[3], ',') : NULL;
    row->aliases = row->audience ? split_list(v, ncol > 4 ? cols[4] : "", '|') : NULL;
    if (!row->aliases)
        return VP_ERR_NOMEM;
    return vp_buf_printf(&lc->ids, "%s%s", v->t.n > 1 ? ", " : "", row->id) == VP_OK
               ? VP_OK
               : VP_ERR_NOMEM;
}

vp_status vp_vocabulary_load(const char *path, vp_vocabulary **out, vp_error *err)
{
    load_ctx lc = {malloc(sizeof *lc.v), {0}};
    if (lc.v)
        *lc.v = (vp_vocabulary){VP_TABLE_INIT(vp_proposition, id), NULL};
    vp_buf_init(&lc.ids, 1 << 20);
    unsigned lines = 0;
    vp_error e = VP_ERROR_INIT;
    vp_status st = lc.v ? vp_lines_read(path, MAX_LINE,
                                        VP_LINES_SKIP_BLANK | VP_LINES_SKIP_COMMENTS | VP_LINES_UTF8,
                                        row_line, &lc, &lines, &e)
                        : VP_ERR_NOMEM;
    if (st == VP_OK && lc.v->t.n == 0)
        st = vp_error_set(&e, VP_ERR_INVALID, &(vp_where){path, lines}, "no propositions");
    if (st != VP_OK && err) {
        if (e.status == VP_OK)
            vp_error_set(&e, st, &(vp_where){path, 0}, "%s", vp_status_str(st));
        vp_error_clear(err);
        *err = e;
        e = (vp_error)VP_ERROR_INIT;
    }
    vp_error_clear(&e);
    if (st == VP_OK) {
        lc.v->ids = vp_buf_steal(&lc.ids);
        st = own(lc.v, lc.v->ids);
        if (st != VP_OK)
            vp_error_set(err, st, NULL, "out of memory");
    }
    if (st == VP_OK) {
        *out = lc.v;
        lc.v = NULL;
    }
    vp_buf_free(&lc.ids);
    vp_vocabulary_destroy(lc.v);
    return st;
}

void vp_vocabulary_destroy(vp_vocabulary *v)
{
    if (v)
        vp_table_free(&v->t);
    free(v);
}

VP_TABLE_LOOKUPS(vp_vocabulary, vp_vocabulary, vp_proposition)

const char *vp_vocabulary_ids(const vp_vocabulary *v)
{
    return v && v->ids ? v->ids : "";
}
