/* series.c - one activity on several dates is one result (series.h).
 *
 * The key is written at index time, so grouping costs the search nothing
 * beyond the collapse it already does for works; only the page's series
 * are fetched afterwards, in one boolean match on their key terms. That
 * match reads two values of each date (its id and its dates record), not
 * its document: only the date a hit shows is read whole. */
#include "series.h"

#include <inttypes.h>
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

/* ---- the dates record (SLOT_DATES) ----
 * What the series step needs of a date without reading its document, in
 * the document's own words: the JSON's "start" on the first line, then per
 * occurrence whose start is a date-time, in the JSON's order, a line
 * "START_UTC\tUNTIL_UTC\tSTART" plus "\tEND" when it has an end (as
 * vp_offering_json_occurrences gives them). A date-time
 * holds no tab and no line break. */

typedef struct record {
    vp_buf text;
    vp_status st;
    int plain; /* no tab or line break in any date */
} record;

static int add_occurrence(const char *start, const char *end, int64_t start_utc,
                          int64_t until_utc, void *arg)
{
    record *rec = arg;
    rec->plain &= !strpbrk(start, "\t\n") && !(end && strpbrk(end, "\t\n"));
    rec->st = vp_buf_printf(&rec->text, "%" PRId64 "\t%" PRId64 "\t%s%s%s\n", start_utc,
                            until_utc, start, end ? "\t" : "", end ? end : "");
    return rec->st != VP_OK;
}

vp_status vp_series_set_dates(vpx_doc *doc, const vp_offering *o, vp_error *err)
{
    if (!o->json)
        return VP_OK;
    /* The offering's own parsed form; a hand-made offering is parsed here. */
    json_t *root = o->doc ? json_incref(o->doc) : json_loads(o->json, 0, NULL);
    if (!root)
        return VP_ERR_NOMEM; /* json_dumps wrote it: only memory can fail */
    record rec = {.plain = 1};
    vp_buf_init(&rec.text, 1u << 20);
    const char *top = json_string_value(json_object_get(root, "start"));
    rec.plain = !top || !strpbrk(top, "\t\n");
    rec.st = vp_buf_printf(&rec.text, "%s\n", top ? top : "");
    if (rec.st == VP_OK)
        vp_offering_json_occurrences(root, add_occurrence, &rec);
    /* Too long, or not in the record's words: the document is read instead. */
    vp_status st = rec.st;
    if (st == VP_OK && rec.plain)
        st = vpx_doc_set_value(doc, SLOT_DATES, rec.text.data, err);
    else if (st == VP_ERR_TOO_BIG)
        st = VP_OK;
    vp_buf_free(&rec.text);
    json_decref(root);
    return st;
}

/* One fetched date of a series. */
typedef struct series_row {
    const char *key;  /* borrowed from the fetch */
    size_t key_len;
    const char *data; /* the stored JSON, borrowed from the fetch ("" from values) */
    json_t *doc;      /* parsed data; NULL when read from values */
    const char *id;   /* borrowed from doc or the fetch */
    const char *start, *end; /* borrowed likewise; end NULL when it has none */
    size_t start_len, end_len;
    int64_t start_utc;
    uint64_t docid;
} series_row;

struct vp_series_page {
    vpx_mset *fetched;
    int from_values;       /* rows read from SLOT_ID and SLOT_DATES */
    series_row *rows;
    size_t n_rows;
    size_t n_hits;
    size_t *first, *count; /* per hit: its rows; count 0 when it is no series */
    uint64_t *total;       /* per hit: its dates, the shown one included */
    char **shown;          /* per hit: the JSON it shows; NULL for its own */
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
                            size_t n, vpx_query **out, vp_error *err)
{
    vpx_query **terms = calloc(n + 1, sizeof *terms);
    vpx_query *any = NULL;
    vp_buf t;
    vp_buf_init(&t, 512);
    vp_status st = terms ? VP_OK : VP_ERR_NOMEM;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        st = key_term(values[i], lens[i], &t);
        if (st == VP_OK)
            st = vpx_query_term(t.data, &terms[i], err);
    }
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, terms, n, &any, err);
    if (st == VP_OK) {
        vpx_query *parts[2] = {(vpx_query *)full, any};
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, out, err);
    }
    for (size_t i = 0; terms && i < n; i++)
        vpx_query_destroy(terms[i]);
    free(terms);
    vpx_query_destroy(any);
    vp_buf_free(&t);
    return st;
}

static void drop_rows(vp_series_page *sp)
{
    for (size_t i = 0; sp->rows && i < sp->n_rows; i++)
        json_decref(sp->rows[i].doc);
    free(sp->rows);
    sp->rows = NULL;
    sp->n_rows = 0;
    vpx_mset_destroy(sp->fetched);
    sp->fetched = NULL;
}

void vp_series_page_destroy(vp_series_page *sp)
{
    if (!sp)
        return;
    drop_rows(sp);
    for (size_t i = 0; sp->shown && i < sp->n_hits; i++)
        free(sp->shown[i]);
    free(sp->shown);
    free(sp->first);
    free(sp->count);
    free(sp->total);
    free(sp);
}

/* The row's next date at `now` from its dates record `v` (len bytes), as
 * vp_offering_json_next reads the document: the soonest occurrence not
 * ended, the first in the JSON's order among equals; when all have ended
 * the JSON's start, sorting last. 1 when it has no start (no row), -1 when
 * the record is not one. */
static int record_next(const char *v, size_t len, int64_t now, series_row *r)
{
    const char *end = v + len, *nl = memchr(v, '\n', len);
    if (!nl)
        return -1;
    int found = 0;
    for (const char *p = nl + 1; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        char *q;
        if (!eol)
            return -1;
        long long from = strtoll(p, &q, 10);
        if (*q != '\t')
            return -1;
        long long until = strtoll(q + 1, &q, 10);
        if (*q != '\t' || q >= eol)
            return -1;
        const char *s = q + 1, *tab = memchr(s, '\t', (size_t)(eol - s));
        p = eol + 1;
        if (until < now || (found && from >= r->start_utc))
            continue;
        found = 1;
        r->start = s;
        r->start_len = (size_t)((tab ? tab : eol) - s);
        r->end = tab ? tab + 1 : NULL;
        r->end_len = tab ? (size_t)(eol - tab - 1) : 0;
        r->start_utc = from;
    }
    if (!found) {
        if (nl == v)
            return 1;
        r->start = v;
        r->start_len = (size_t)(nl - v);
        r->end = NULL;
        r->end_len = 0;
        r->start_utc = INT64_MAX;
    }
    return 0;
}

/* Reads the fetched dates into rows sorted by key (their collapse value;
 * with `one_series` all alike), next date, id. A date whose occurrences
 * have all passed (shown with include_past) sorts last. From values,
 * VP_ERR_NOT_FOUND when a date has no dates record (an older writer's): the
 * caller fetches the documents instead. */
static vp_status read_rows(vp_series_page *sp, int64_t now, int one_series)
{
    size_t n = vpx_mset_size(sp->fetched);
    sp->rows = calloc(n + 1, sizeof *sp->rows);
    if (!sp->rows)
        return VP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        series_row *r = &sp->rows[sp->n_rows];
        memset(r, 0, sizeof *r);
        r->key = one_series ? "\x1e-" : vpx_mset_collapse_key(sp->fetched, i, &r->key_len);
        if (one_series)
            r->key_len = 2;
        /* Only a series key is ever looked up. */
        if (r->key_len < 2 || r->key[0] != SERIES_MARK)
            continue;
        r->data = vpx_mset_data(sp->fetched, i);
        r->docid = vpx_mset_docid(sp->fetched, i);
        if (sp->from_values) {
            size_t id_len, len;
            const char *v = vpx_mset_value(sp->fetched, i, 1, &len);
            r->id = vpx_mset_value(sp->fetched, i, 0, &id_len);
            int got = id_len && len ? record_next(v, len, now, r) : -1;
            if (got < 0)
                return VP_ERR_NOT_FOUND;
            if (got == 0)
                sp->n_rows++;
            continue;
        }
        r->doc = json_loads(r->data, 0, NULL);
        if (!r->doc)
            return VP_ERR_NOMEM; /* the index wrote it: only memory can fail */
        r->id = json_string_value(json_object_get(r->doc, "id"));
        if (!r->id) {
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
        r->start_len = strlen(r->start);
        r->end_len = r->end ? strlen(r->end) : 0;
        sp->n_rows++;
    }
    qsort(sp->rows, sp->n_rows, sizeof *sp->rows, cmp_row);
    return VP_OK;
}

/* Runs the fetch `q` into sp->fetched and sp->rows: from each date's id
 * and dates record, or, when a date has none, from the documents. */
static vp_status fetch_rows(vpx_db *db, const vpx_query *q, vpx_enquire_opts *eo,
                            vp_series_page *sp, int64_t now, int one_series, vp_error *err)
{
    static const unsigned slots[2] = {SLOT_ID, SLOT_DATES};
    eo->value_slots = slots;
    eo->n_value_slots = 2;
    eo->without_data = 1;
    sp->from_values = 1;
    vp_status st = vpx_enquire(db, q, eo, &sp->fetched, err);
    if (st == VP_OK)
        st = read_rows(sp, now, one_series);
    if (st != VP_ERR_NOT_FOUND)
        return st;
    drop_rows(sp);
    eo->value_slots = NULL;
    eo->n_value_slots = 0;
    eo->without_data = 0;
    sp->from_values = 0;
    st = vpx_enquire(db, q, eo, &sp->fetched, err);
    if (st == VP_OK)
        st = read_rows(sp, now, one_series);
    return st;
}

/* The JSON hit i shows when the first of its rows is another date than
 * the hit: read from the index when the rows came from values. */
static vp_status fetch_shown(vpx_db *db, vp_series_page *sp, const vpx_mset *ms, size_t i,
                             vp_error *err)
{
    const series_row *r = &sp->rows[sp->first[i]];
    if (r->docid == vpx_mset_docid(ms, i))
        return VP_OK;
    if (!sp->from_values) {
        sp->shown[i] = strdup(r->data);
        return sp->shown[i] ? VP_OK : VP_ERR_NOMEM;
    }
    vp_buf uid;
    vp_buf_init(&uid, 4096);
    vp_status st = vp_buf_printf(&uid, PFX_ID "%s", r->id);
    if (st == VP_OK)
        st = vpx_db_get_data(db, uid.data, &sp->shown[i], err);
    vp_buf_free(&uid);
    /* Gone since the fetch (a writer's commit overtook this reader): the
     * hit shows itself. */
    return st == VP_ERR_NOT_FOUND ? VP_OK : st;
}

vp_status vp_series_page_build(vpx_db *db, const vpx_query *full, const vpx_mset *ms,
                               int64_t now, uint64_t doccount, vp_series_page **out,
                               vp_error *err)
{
    *out = NULL;
    size_t n = vpx_mset_size(ms), n_keys = 0;
    const char **values = calloc(n + 1, sizeof *values);
    size_t *lens = calloc(n + 1, sizeof *lens);
    vp_series_page *sp = calloc(1, sizeof *sp);
    vpx_query *q = NULL;
    vp_buf t;
    vp_buf_init(&t, 512);
    vp_status st = values && lens && sp ? VP_OK : VP_ERR_NOMEM;
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        size_t len = 0;
        const char *v = vpx_mset_collapse_key(ms, i, &len);
        if (len < 2 || v[0] != SERIES_MARK)
            continue;
        /* A series of one offering in the whole index is the hit alone:
         * nothing to fetch. (A failed count fetches, as before.) */
        uint64_t members = 2;
        st = key_term(v, len, &t);
        if (st == VP_OK && vpx_db_termfreq(db, t.data, &members, NULL) != VP_OK)
            members = 2;
        if (st == VP_OK && members > 1) {
            values[n_keys] = v;
            lens[n_keys++] = len;
        }
    }
    vp_buf_free(&t);
    if (st != VP_OK || n_keys == 0)
        goto done;
    sp->n_hits = n;
    sp->first = calloc(n + 1, sizeof *sp->first);
    sp->count = calloc(n + 1, sizeof *sp->count);
    sp->total = calloc(n + 1, sizeof *sp->total);
    sp->shown = calloc(n + 1, sizeof *sp->shown);
    if (!sp->first || !sp->count || !sp->total || !sp->shown)
        st = VP_ERR_NOMEM;
    /* Soonest first, so a series longer than the cap keeps its next dates. */
    vpx_enquire_opts eo = {.sort_slot = SLOT_START, .limit = n_keys * (VP_SEARCH_MAX_SERIES + 1),
                           .collapse_slot = SLOT_WORK, .collapse_max = VP_SEARCH_MAX_SERIES + 1};
    if (st == VP_OK)
        st = restricted(full, values, lens, n_keys, &q, err);
    if (st == VP_OK)
        st = fetch_rows(db, q, &eo, sp, now, 0, err);
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
        if (k)
            st = fetch_shown(db, sp, ms, i, err);
        if (st == VP_OK && k == VP_SEARCH_MAX_SERIES + 1) {
            /* More dates than listed: count them on their own. */
            vpx_query *one = NULL;
            vpx_mset *counted = NULL;
            vpx_enquire_opts co = {.sort_slot = -1, .check_at_least = doccount};
            st = restricted(full, &v, &len, 1, &one, err);
            if (st == VP_OK)
                st = vpx_enquire(db, one, &co, &counted, err);
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
    if (!sp || i >= sp->n_hits)
        return NULL;
    return sp->shown[i];
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
        d->start = strndup(rows[k].start, rows[k].start_len);
        d->end = rows[k].end ? strndup(rows[k].end, rows[k].end_len) : NULL;
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
                           size_t *n, vp_error *err)
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
    int oom = 0;
    vp_status st = vpx_db_reopen(db, err);
    if (st == VP_OK)
        st = vp_index_get(idx, id, &json, err);
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
    st = vp_search_filter_query(idx, &req, &upcoming, err);
    if (st == VP_OK && !upcoming)
        st = vpx_query_match_all(&upcoming, err);
    vp_buf t;
    vp_buf_init(&t, 512);
    vpx_query *term = NULL;
    if (st == VP_OK)
        st = vp_buf_printf(&t, PFX_SERIES "%s", key);
    if (st == VP_OK)
        st = vpx_query_term(t.data, &term, err);
    vp_buf_free(&t);
    if (st == VP_OK) {
        vpx_query *parts[2] = {upcoming, term};
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, &all, err);
    }
    vpx_query_destroy(term);
    vpx_enquire_opts eo = {.sort_slot = SLOT_START, .limit = VP_SEARCH_MAX_SERIES + 1};
    if (st == VP_OK && !(sp = calloc(1, sizeof *sp)))
        st = VP_ERR_NOMEM;
    if (st == VP_OK)
        st = fetch_rows(db, all, &eo, sp, now, 1, err);
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
    vpx_query_destroy(all);
    vpx_query_destroy(upcoming);
    free(key);
    vp_offering_destroy(o);
    free(json);
    return st;
}
