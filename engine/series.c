/* series.c - one activity on several dates is one result (series.h).
 *
 * The key is written at index time, so grouping costs the search nothing
 * beyond the collapse it already does for works; only the page's series
 * are fetched afterwards, in one boolean match on their key terms. */
#include "series.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schema.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"

char *vp_series_key(const vp_offering *o, int *oom)
{
    const char *place = o->branch && *o->branch ? o->branch : o->library;
    if (!o->n_occurrences || !place || !*place || !o->title || strlen(place) > 64)
        return NULL;
    char *folded = vp_text_fold(o->title, 1);
    if (!folded) {
        *oom = 1;
        return NULL;
    }
    /* Words of letters and digits, one space between: "Voorleesuurtje:
     * pyjamavoorlezen" and "Voorleesuurtje - pyjamavoorlezen" are one. */
    size_t n = 0;
    for (const char *p = folded; *p && n < SERIES_TITLE_MAX; p++) {
        unsigned char c = (unsigned char)*p;
        int word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (word)
            folded[n++] = (char)c;
        else if (n && folded[n - 1] != ' ')
            folded[n++] = ' ';
    }
    /* Never end inside a character or on a space. */
    while (n && ((unsigned char)folded[n - 1] & 0xC0) == 0x80)
        n--;
    while (n && ((unsigned char)folded[n - 1] >= 0xC0 || folded[n - 1] == ' '))
        n--;
    folded[n] = '\0';
    /* The programme too: "Voorleesochtend voor peuters" of Boekstart and
     * the one of Voorlezen at one branch are two activities. */
    const char *prop = o->proposition && strlen(o->proposition) <= 64 ? o->proposition : "";
    char *key = NULL;
    if (n) {
        key = malloc(n + strlen(place) + strlen(prop) + 3);
        if (key)
            sprintf(key, "%s\x1f%s\x1f%s", folded, place, prop);
        else
            *oom = 1;
    }
    free(folded);
    return key;
}

/* One fetched date of a series. */
typedef struct series_row {
    const char *key;  /* borrowed from the fetch */
    size_t key_len;
    const char *data; /* the stored JSON, borrowed from the fetch */
    json_t *doc;
    const char *id, *start, *end; /* borrowed from doc */
    int64_t start_utc;
} series_row;

struct vp_series_page {
    vpx_mset *fetched;
    series_row *rows;
    size_t n_rows;
    size_t n_hits;
    size_t *first, *count; /* per hit: its rows; count 0 when it is no series */
    uint64_t *total;       /* per hit: its dates, the shown one included */
};

static int cmp_row(const void *a, const void *b)
{
    const series_row *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c || x->key_len != y->key_len)
        return c ? c : x->key_len < y->key_len ? -1 : 1;
    if (x->start_utc != y->start_utc)
        return x->start_utc < y->start_utc ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The key term of a collapse value that is a series key, into t. */
static vp_status key_term(const char *value, size_t len, vp_buf *t)
{
    t->len = 0;
    vp_status st = vp_buf_puts(t, PFX_SERIES);
    if (st == VP_OK)
        st = vp_buf_append(t, value + 1, len - 1);
    if (st == VP_OK)
        st = vp_buf_append(t, "", 1);
    return st;
}

/* FILTER(`full`, OR of the key terms of values[0..n)). */
static vp_status restricted(const vpx_query *full, const char *const *values, const size_t *lens,
                            size_t n, vpx_query **out, char **errmsg)
{
    vpx_query **terms = calloc(n + 1, sizeof *terms);
    vpx_query *any = NULL;
    vp_buf t;
    vp_buf_init(&t, 512);
    vp_status st = terms ? VP_OK : VP_ERR_NOMEM;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        st = key_term(values[i], lens[i], &t);
        if (st == VP_OK)
            st = vpx_query_term(t.data, &terms[i], errmsg);
    }
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, terms, n, &any, errmsg);
    if (st == VP_OK) {
        vpx_query *parts[2] = {(vpx_query *)full, any};
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, out, errmsg);
    }
    for (size_t i = 0; terms && i < n; i++)
        vpx_query_destroy(terms[i]);
    free(terms);
    vpx_query_destroy(any);
    vp_buf_free(&t);
    return st;
}

void vp_series_page_destroy(vp_series_page *sp)
{
    if (!sp)
        return;
    for (size_t i = 0; i < sp->n_rows; i++)
        json_decref(sp->rows[i].doc);
    free(sp->rows);
    free(sp->first);
    free(sp->count);
    free(sp->total);
    vpx_mset_destroy(sp->fetched);
    free(sp);
}

/* Reads the fetched documents into rows sorted by key (their collapse
 * value; with `one_series` all alike), next date, id. A document whose
 * dates have all passed (shown with include_past) sorts last. */
static vp_status read_rows(vp_series_page *sp, int64_t now, int one_series)
{
    size_t n = vpx_mset_size(sp->fetched);
    sp->rows = calloc(n + 1, sizeof *sp->rows);
    if (!sp->rows)
        return VP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        series_row *r = &sp->rows[sp->n_rows];
        r->key = one_series ? "\x1e-" : vpx_mset_collapse_key(sp->fetched, i, &r->key_len);
        if (one_series)
            r->key_len = 2;
        r->data = vpx_mset_data(sp->fetched, i);
        r->doc = json_loads(r->data, 0, NULL);
        if (!r->doc)
            return VP_ERR_NOMEM; /* the index wrote it: only memory can fail */
        r->id = json_string_value(json_object_get(r->doc, "id"));
        if (!r->id || r->key_len < 2) {
            json_decref(r->doc);
            continue;
        }
        if (vp_offering_json_next(r->doc, now, &r->start, &r->end, &r->start_utc, NULL) != 0) {
            r->start = json_string_value(json_object_get(r->doc, "start"));
            r->end = NULL;
            r->start_utc = INT64_MAX;
        }
        if (!r->start) {
            json_decref(r->doc);
            continue;
        }
        sp->n_rows++;
    }
    qsort(sp->rows, sp->n_rows, sizeof *sp->rows, cmp_row);
    return VP_OK;
}

vp_status vp_series_page_build(vpx_db *db, const vpx_query *full, const vpx_mset *ms,
                               int64_t now, uint64_t doccount, vp_series_page **out,
                               char **errmsg)
{
    *out = NULL;
    size_t n = vpx_mset_size(ms), n_keys = 0;
    const char **values = calloc(n + 1, sizeof *values);
    size_t *lens = calloc(n + 1, sizeof *lens);
    vp_series_page *sp = calloc(1, sizeof *sp);
    vpx_query *q = NULL;
    vp_status st = values && lens && sp ? VP_OK : VP_ERR_NOMEM;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        size_t len = 0;
        const char *v = vpx_mset_collapse_key(ms, i, &len);
        if (len > 1 && v[0] == SERIES_MARK) {
            values[n_keys] = v;
            lens[n_keys++] = len;
        }
    }
    if (st != VP_OK || n_keys == 0)
        goto done;
    sp->n_hits = n;
    sp->first = calloc(n + 1, sizeof *sp->first);
    sp->count = calloc(n + 1, sizeof *sp->count);
    sp->total = calloc(n + 1, sizeof *sp->total);
    if (!sp->first || !sp->count || !sp->total)
        st = VP_ERR_NOMEM;
    /* Soonest first, so a series longer than the cap keeps its next dates. */
    vpx_enquire_opts eo = {.sort_slot = SLOT_START, .limit = n_keys * (VP_SEARCH_MAX_SERIES + 1),
                           .collapse_slot = SLOT_WORK, .collapse_max = VP_SEARCH_MAX_SERIES + 1};
    if (st == VP_OK)
        st = restricted(full, values, lens, n_keys, &q, errmsg);
    if (st == VP_OK)
        st = vpx_enquire(db, q, &eo, &sp->fetched, errmsg);
    if (st == VP_OK)
        st = read_rows(sp, now, 0);
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        size_t len = 0;
        const char *v = vpx_mset_collapse_key(ms, i, &len);
        if (len < 2 || v[0] != SERIES_MARK)
            continue;
        size_t lo = 0, hi = sp->n_rows;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            const series_row *r = &sp->rows[mid];
            size_t m = r->key_len < len ? r->key_len : len;
            int c = memcmp(r->key, v, m);
            if (c < 0 || (c == 0 && r->key_len < len))
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t k = 0;
        while (lo + k < sp->n_rows && sp->rows[lo + k].key_len == len &&
               memcmp(sp->rows[lo + k].key, v, len) == 0)
            k++;
        sp->first[i] = lo;
        sp->count[i] = k;
        sp->total[i] = k;
        if (k == VP_SEARCH_MAX_SERIES + 1) {
            /* More dates than listed: count them on their own. */
            vpx_query *one = NULL;
            vpx_mset *counted = NULL;
            vpx_enquire_opts co = {.sort_slot = -1, .check_at_least = doccount};
            st = restricted(full, &v, &len, 1, &one, errmsg);
            if (st == VP_OK)
                st = vpx_enquire(db, one, &co, &counted, errmsg);
            if (st == VP_OK)
                vpx_mset_totals(counted, NULL, &sp->total[i], NULL);
            vpx_mset_destroy(counted);
            vpx_query_destroy(one);
        }
    }
done:
    vpx_query_destroy(q);
    free(values);
    free(lens);
    if (st == VP_OK && sp && sp->n_hits)
        *out = sp;
    else
        vp_series_page_destroy(sp);
    return st;
}

const char *vp_series_page_shown(const vp_series_page *sp, size_t i)
{
    if (!sp || i >= sp->n_hits || !sp->count[i])
        return NULL;
    return sp->rows[sp->first[i]].data;
}

/* Copies of rows[0..n) as dates into *out. */
static vp_status copy_dates(const series_row *rows, size_t n, vp_search_date **out)
{
    *out = calloc(n + 1, sizeof **out);
    if (!*out)
        return VP_ERR_NOMEM;
    int oom = 0;
    for (size_t k = 0; k < n; k++) {
        vp_search_date *d = &(*out)[k];
        d->id = strdup(rows[k].id);
        d->start = strdup(rows[k].start);
        d->end = rows[k].end ? strdup(rows[k].end) : NULL;
        oom |= !d->id || !d->start || (rows[k].end && !d->end);
    }
    if (oom) {
        vp_search_dates_free(*out, n);
        *out = NULL;
        return VP_ERR_NOMEM;
    }
    return VP_OK;
}

vp_status vp_series_page_fill(const vp_series_page *sp, size_t i, vp_search_hit *h)
{
    if (!sp || i >= sp->n_hits || sp->count[i] < 2)
        return VP_OK;
    size_t n = sp->count[i] - 1;
    if (n > VP_SEARCH_MAX_SERIES)
        n = VP_SEARCH_MAX_SERIES;
    vp_status st = copy_dates(&sp->rows[sp->first[i] + 1], n, &h->series);
    if (st != VP_OK)
        return st;
    h->n_series = n;
    h->series_count = sp->total[i] - 1;
    return VP_OK;
}

void vp_search_dates_free(vp_search_date *d, size_t n)
{
    for (size_t k = 0; d && k < n; k++) {
        free(d[k].id);
        free(d[k].start);
        free(d[k].end);
    }
    free(d);
}

vp_status vp_search_series(vp_index *idx, const char *id, int64_t now, vp_search_date **out,
                           size_t *n, char **errmsg)
{
    *out = NULL;
    *n = 0;
    if (!now)
        now = (int64_t)time(NULL);
    vpx_db *db = vp_index_db(idx);
    char *json = NULL;
    vp_offering *o = NULL;
    char *key = NULL;
    vp_series_page *sp = NULL;
    vpx_query *upcoming = NULL, *all = NULL;
    vpx_mset *ms = NULL;
    int oom = 0;
    vp_status st = vpx_db_reopen(db, errmsg);
    if (st == VP_OK)
        st = vp_index_get(idx, id, &json, errmsg);
    /* Stored by this engine: it parses, unless written by an older one. */
    if (st == VP_OK && vp_offering_parse(json, strlen(json), NULL, &o, NULL) != VP_OK)
        goto done;
    if (st == VP_OK)
        key = vp_series_key(o, &oom);
    if (oom)
        st = VP_ERR_NOMEM;
    if (st != VP_OK || !key)
        goto done;
    /* The same fetch as a page's, over every date not yet past. */
    vp_search_request req;
    memset(&req, 0, sizeof req);
    req.now = now;
    req.page = 1;
    req.per_page = 1;
    st = vp_search_filter_query(idx, &req, &upcoming, errmsg);
    if (st == VP_OK && !upcoming)
        st = vpx_query_match_all(&upcoming, errmsg);
    vp_buf t;
    vp_buf_init(&t, 512);
    vpx_query *term = NULL;
    if (st == VP_OK)
        st = vp_buf_printf(&t, PFX_SERIES "%s", key);
    if (st == VP_OK)
        st = vpx_query_term(t.data, &term, errmsg);
    vp_buf_free(&t);
    if (st == VP_OK) {
        vpx_query *parts[2] = {upcoming, term};
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, &all, errmsg);
    }
    vpx_query_destroy(term);
    vpx_enquire_opts eo = {.sort_slot = SLOT_START, .limit = VP_SEARCH_MAX_SERIES + 1};
    if (st == VP_OK)
        st = vpx_enquire(db, all, &eo, &ms, errmsg);
    if (st == VP_OK && !(sp = calloc(1, sizeof *sp)))
        st = VP_ERR_NOMEM;
    if (st == VP_OK) {
        sp->fetched = ms;
        ms = NULL;
        st = read_rows(sp, now, 1);
    }
    /* Every row has the same key: read_rows sorted them by date. */
    size_t k = 0;
    for (size_t i = 0; st == VP_OK && i < sp->n_rows; i++)
        if (strcmp(sp->rows[i].id, id) != 0)
            sp->rows[k++] = sp->rows[i];
        else
            json_decref(sp->rows[i].doc);
    if (sp)
        sp->n_rows = st == VP_OK ? k : sp->n_rows;
    if (k > VP_SEARCH_MAX_SERIES)
        k = VP_SEARCH_MAX_SERIES;
    if (st == VP_OK && k) {
        st = copy_dates(sp->rows, k, out);
        *n = st == VP_OK ? k : 0;
    }
done:
    vp_series_page_destroy(sp);
    vpx_mset_destroy(ms);
    vpx_query_destroy(all);
    vpx_query_destroy(upcoming);
    free(key);
    vp_offering_destroy(o);
    free(json);
    return st;
}
