/* search.c - from a search request to hits, totals and facet counts.
 *
 * The query is the parsed free text (or everything, for browsing), filtered
 * by boolean terms: values of one field OR-ed, fields AND-ed, and a date
 * range as day and month terms. Facets are counted by value-count match
 * spies; a facet whose own field is filtered is counted in a second match
 * without that filter, so its sibling values keep their counts. */
#include "vindplaats/search.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "snippet.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "xapian_c.h"

#define SNIPPET_WORDS 30
#define MAX_WILDCARD_EXPANSION 100
#define MAX_RANGE_DAYS 3660
#define OPEN_RANGE_DAYS 1830

static const char *const field_names[VP_FIELD_COUNT] = {
    [VP_FIELD_TYPE] = "type",           [VP_FIELD_LIBRARY] = "library",
    [VP_FIELD_PROPOSITION] = "proposition", [VP_FIELD_AUDIENCE] = "audience",
    [VP_FIELD_CHANNEL] = "channel",     [VP_FIELD_BRANCH] = "branch",
    [VP_FIELD_MUNICIPALITY] = "municipality", [VP_FIELD_SOCIETAL_TASK] = "societal_task",
    [VP_FIELD_LANGUAGE] = "language",
};

/* Field prefixes of the query syntax, in Dutch as residents write them. */
static const char *const text_prefixes[] = {"titel", PFX_TITLE, "onderwerp", PFX_SUBJECT,
                                            "maker", PFX_CREATOR, NULL};
static const char *const boolean_prefixes[] = {
    "type", "XT", "bibliotheek", "XL", "propositie", "XP", "vestiging", "XB",
    "taal", "L", "kanaal", "XC", "doelgroep", "XA", NULL};

const char *vp_field_name(vp_field f)
{
    return (unsigned)f < VP_FIELD_COUNT ? field_names[f] : NULL;
}

int vp_field_by_name(const char *name)
{
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        if (strcmp(field_names[f], name) == 0)
            return f;
    return -1;
}

static vp_status fail(char **errmsg, vp_status st, const char *msg)
{
    if (errmsg) {
        char *m = strdup(msg);
        if (m)
            *errmsg = m;
    }
    return st;
}

static vp_status validate(const vp_search_request *req, char **errmsg)
{
    if (req->page < 1)
        return fail(errmsg, VP_ERR_INVALID, "page: must be 1 or more");
    if (req->per_page < 1 || req->per_page > VP_SEARCH_MAX_PER_PAGE)
        return fail(errmsg, VP_ERR_INVALID, "per_page: must be from 1 to 100");
    if ((uint64_t)req->page * req->per_page > VP_SEARCH_MAX_WINDOW)
        return fail(errmsg, VP_ERR_INVALID, "page: page * per_page must not exceed 10000");
    if (req->from_day && !vp_day_valid(req->from_day))
        return fail(errmsg, VP_ERR_INVALID, "from: not a valid date");
    if (req->to_day && !vp_day_valid(req->to_day))
        return fail(errmsg, VP_ERR_INVALID, "to: not a valid date");
    if (req->from_day && req->to_day && req->to_day < req->from_day)
        return fail(errmsg, VP_ERR_INVALID, "to: before from");
    if (req->from_day && req->to_day &&
        vp_day_to_epoch(req->to_day) - vp_day_to_epoch(req->from_day) > MAX_RANGE_DAYS)
        return fail(errmsg, VP_ERR_INVALID, "to: a date range spans at most 3660 days");
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        if (req->n_values[f] > VP_SEARCH_MAX_VALUES)
            return fail(errmsg, VP_ERR_INVALID, "filter: at most 50 values per filter");
    if (req->facets >> VP_FACET_COUNT)
        return fail(errmsg, VP_ERR_INVALID, "facets: unknown facet");
    return VP_OK;
}

/* OR of prefix+value terms; NULL in *out when the field has no values. */
static vp_status field_filter(const vp_search_request *req, int f, vpx_query **out, char **errmsg)
{
    *out = NULL;
    if (req->n_values[f] == 0)
        return VP_OK;
    vp_status st = VP_OK;
    vpx_query **terms = calloc(req->n_values[f], sizeof *terms);
    vp_buf t;
    vp_buf_init(&t, 4096);
    if (!terms)
        return VP_ERR_NOMEM;
    for (size_t i = 0; st == VP_OK && i < req->n_values[f]; i++) {
        char *value = f == VP_FIELD_MUNICIPALITY ? vp_text_fold(req->values[f][i], 1)
                                                 : strdup(req->values[f][i]);
        if (!value) {
            st = VP_ERR_NOMEM;
            break;
        }
        t.len = 0;
        st = vp_buf_printf(&t, "%s%s", vp_field_prefix[f], value);
        free(value);
        if (st == VP_OK)
            st = vpx_query_term(t.data, &terms[i], errmsg);
    }
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, terms, req->n_values[f], out, errmsg);
    for (size_t i = 0; i < req->n_values[f]; i++)
        vpx_query_destroy(terms[i]);
    free(terms);
    vp_buf_free(&t);
    return st;
}

static int last_day_of_month(int yyyymm)
{
    int64_t next = vp_day_to_epoch((yyyymm % 100 == 12 ? (yyyymm / 100 + 1) * 100 + 1
                                                       : yyyymm + 1) * 100 + 1);
    return vp_day_from_epoch(next - 1);
}

/* Whole months as month terms, the ragged ends as day terms. */
static vp_status date_filter(const vp_search_request *req, vpx_query **out, char **errmsg)
{
    *out = NULL;
    if (!req->from_day && !req->to_day)
        return VP_OK;
    int from = req->from_day, to = req->to_day;
    if (!from)
        from = vp_day_from_epoch(vp_day_to_epoch(to) - OPEN_RANGE_DAYS);
    if (!to)
        to = vp_day_from_epoch(vp_day_to_epoch(from) + OPEN_RANGE_DAYS);
    size_t n = 0, alloc = 64;
    vpx_query **parts = calloc(alloc, sizeof *parts);
    if (!parts)
        return VP_ERR_NOMEM;
    vp_status st = VP_OK;
    for (int month = from / 100; st == VP_OK && month <= to / 100;
         month = month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1) {
        int first = month * 100 + 1, last = last_day_of_month(month);
        int lo = from > first ? from : first, hi = to < last ? to : last;
        if (n + 32 > alloc) {
            alloc *= 2;
            vpx_query **p = realloc(parts, alloc * sizeof *p);
            if (!p) {
                st = VP_ERR_NOMEM;
                break;
            }
            parts = p;
        }
        char term[16];
        if (lo == first && hi == last) {
            snprintf(term, sizeof term, PFX_MONTH "%06d", month);
            st = vpx_query_term(term, &parts[n++], errmsg);
            continue;
        }
        for (int64_t d = vp_day_to_epoch(lo); st == VP_OK && d <= vp_day_to_epoch(hi); d++) {
            snprintf(term, sizeof term, PFX_DAY "%08d", vp_day_from_epoch(d));
            st = vpx_query_term(term, &parts[n++], errmsg);
        }
    }
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, parts, n, out, errmsg);
    for (size_t i = 0; i < n; i++)
        vpx_query_destroy(parts[i]);
    free(parts);
    return st;
}

/* The free-text part; match-all when there are no words. */
static vp_status text_query(vpx_db *db, const char *q, vpx_query **out, int *fallback,
                            char **errmsg)
{
    *fallback = 0;
    char *cut = vp_text_cut(q ? q : "", VP_SEARCH_MAX_QUERY);
    char *folded = cut ? vp_text_fold(cut, 0) : NULL;
    free(cut);
    if (!folded)
        return VP_ERR_NOMEM;
    vp_status st;
    if (!folded[strspn(folded, " \t\r\n")]) {
        st = vpx_query_match_all(out, errmsg);
        goto done;
    }
    vpx_parser_opts opts = {VP_STEM_LANGUAGE, text_prefixes, boolean_prefixes,
                            MAX_WILDCARD_EXPANSION};
    char *ignored = NULL;
    st = vpx_query_parse(db, folded, &opts, 0, out, &ignored);
    free(ignored);
    if (st == VP_ERR_INVALID) {
        *fallback = 1;
        st = vpx_query_parse(db, folded, &opts, 1, out, errmsg);
    }
    /* Only stop words or punctuation: browse instead of finding nothing. */
    if (st == VP_OK && vpx_query_is_empty(*out)) {
        vpx_query_destroy(*out);
        *out = NULL;
        st = vpx_query_match_all(out, errmsg);
    }
done:
    free(folded);
    return st;
}

static unsigned facet_slots(int f, unsigned slots[16])
{
    switch (f) {
    case VP_FIELD_TYPE: slots[0] = SLOT_TYPE; return 1;
    case VP_FIELD_LIBRARY: slots[0] = SLOT_LIBRARY; return 1;
    case VP_FIELD_PROPOSITION: slots[0] = SLOT_PROPOSITION; return 1;
    case VP_FIELD_CHANNEL: slots[0] = SLOT_CHANNEL; return 1;
    case VP_FIELD_AUDIENCE: {
        unsigned n = 0;
        while (vp_offering_audiences[n] && n < 16) {
            slots[n] = SLOT_AUDIENCE + n;
            n++;
        }
        return n;
    }
    default: return 0;
    }
}

static int cmp_facet(const void *a, const void *b)
{
    const vp_facet_value *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->value, y->value);
}

/* Copies the counts of spies [first, first+n) of `ms` into facet f. */
static vp_status collect_facet(vp_search_result *res, int f, const vpx_mset *ms, size_t first,
                               size_t n)
{
    size_t total = 0;
    for (size_t s = first; s < first + n; s++)
        total += vpx_mset_spy_size(ms, s);
    vp_facet_value *vals = calloc(total + 1, sizeof *vals);
    if (!vals)
        return VP_ERR_NOMEM;
    size_t k = 0;
    for (size_t s = first; s < first + n; s++)
        for (size_t i = 0; i < vpx_mset_spy_size(ms, s); i++) {
            uint64_t count;
            const char *v = vpx_mset_spy_value(ms, s, i, &count);
            vals[k].value = strdup(v);
            vals[k].count = count;
            if (!vals[k].value) {
                for (size_t j = 0; j < k; j++)
                    free(vals[j].value);
                free(vals);
                return VP_ERR_NOMEM;
            }
            k++;
        }
    qsort(vals, k, sizeof *vals, cmp_facet);
    res->facets[f] = vals;
    res->n_facets[f] = k;
    return VP_OK;
}

static vp_status make_hits(vp_search_result *res, const vpx_mset *ms, const vpx_query *text,
                           int browsing)
{
    vp_status st = VP_OK;
    vp_snippet_terms terms;
    vpx_stemmer *stemmer = NULL;
    memset(&terms, 0, sizeof terms);
    size_t n = vpx_mset_size(ms);
    res->hits = calloc(n + 1, sizeof *res->hits);
    if (!res->hits)
        return VP_ERR_NOMEM;
    if (!browsing) {
        st = vp_snippet_terms_from_query(text, &terms, NULL);
        if (st == VP_OK)
            st = vpx_stemmer_create(VP_STEM_LANGUAGE, &stemmer, NULL);
    }
    for (size_t i = 0; st == VP_OK && i < n; i++) {
        vp_search_hit *h = &res->hits[i];
        const char *data = vpx_mset_data(ms, i);
        json_t *doc = json_loads(data, 0, NULL);
        const char *id = json_string_value(json_object_get(doc, "id"));
        const char *desc = json_string_value(json_object_get(doc, "description"));
        h->score = vpx_mset_weight(ms, i);
        h->id = strdup(id ? id : "");
        h->json = strdup(data);
        if (!h->id || !h->json)
            st = VP_ERR_NOMEM;
        else if (desc)
            st = vp_snippet_make(desc, &terms, stemmer, SNIPPET_WORDS, &h->snippet);
        json_decref(doc);
        res->n_hits++;
    }
    vp_snippet_terms_free(&terms);
    vpx_stemmer_destroy(stemmer);
    return st;
}

vp_status vp_search_run(vp_index *idx, const vp_search_request *req, vp_search_result **out,
                        char **errmsg)
{
    vp_status st = validate(req, errmsg);
    if (st != VP_OK)
        return st;
    vpx_db *db = vp_index_db(idx);
    vpx_query *text = NULL, *date = NULL, *full = NULL;
    vpx_query *filters[VP_FIELD_COUNT] = {0};
    vpx_mset *ms = NULL;
    vp_search_result *res = calloc(1, sizeof *res);
    uint64_t doccount = 0;
    if (!res)
        return VP_ERR_NOMEM;

    st = vpx_db_reopen(db, errmsg);
    if (st == VP_OK)
        st = vpx_db_stats(db, NULL, &doccount, errmsg);
    if (st == VP_OK)
        st = text_query(db, req->q, &text, &res->query_fallback, errmsg);
    for (int f = 0; st == VP_OK && f < VP_FIELD_COUNT; f++)
        st = field_filter(req, f, &filters[f], errmsg);
    if (st == VP_OK)
        st = date_filter(req, &date, errmsg);
    if (st != VP_OK)
        goto done;

    /* FILTER(text, every field filter, date). */
    vpx_query *parts[VP_FIELD_COUNT + 2];
    parts[0] = text;
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        parts[1 + f] = filters[f];
    parts[VP_FIELD_COUNT + 1] = date;
    st = vpx_query_combine(VPX_OP_FILTER, parts, VP_FIELD_COUNT + 2, &full, errmsg);
    if (st != VP_OK)
        goto done;

    /* Facets of unfiltered fields are counted by the main match. */
    unsigned spy_slots[64];
    size_t n_spies = 0, spy_first[VP_FACET_COUNT], spy_count[VP_FACET_COUNT];
    for (int f = 0; f < VP_FACET_COUNT; f++) {
        spy_first[f] = n_spies;
        spy_count[f] = 0;
        if ((req->facets & (1u << f)) && !filters[f]) {
            spy_count[f] = facet_slots(f, spy_slots + n_spies);
            n_spies += spy_count[f];
        }
    }
    vpx_enquire_opts eo = {
        .sort_slot = req->sort == VP_SORT_DATE ? SLOT_START : -1,
        .offset = (uint64_t)(req->page - 1) * req->per_page,
        .limit = req->per_page,
        .check_at_least = req->facets ? doccount : 0,
        .spy_slots = spy_slots,
        .n_spy_slots = n_spies,
    };
    st = vpx_enquire(db, full, &eo, &ms, errmsg);
    if (st != VP_OK)
        goto done;
    uint64_t lower, estimated, upper;
    vpx_mset_totals(ms, &lower, &estimated, &upper);
    res->total = estimated;
    res->total_exact = lower == upper;
    for (int f = 0; st == VP_OK && f < VP_FACET_COUNT; f++)
        if (spy_count[f])
            st = collect_facet(res, f, ms, spy_first[f], spy_count[f]);
    if (st == VP_OK)
        st = make_hits(res, ms, text, text == NULL);
    vpx_mset_destroy(ms);
    ms = NULL;

    /* Facets of filtered fields: count without their own filter. */
    for (int f = 0; st == VP_OK && f < VP_FACET_COUNT; f++) {
        if (!(req->facets & (1u << f)) || !filters[f])
            continue;
        vpx_query *without = NULL;
        parts[1 + f] = NULL;
        st = vpx_query_combine(VPX_OP_FILTER, parts, VP_FIELD_COUNT + 2, &without, errmsg);
        parts[1 + f] = filters[f];
        unsigned slots[16];
        vpx_enquire_opts fo = {.sort_slot = -1, .offset = 0, .limit = 0,
                               .check_at_least = doccount, .spy_slots = slots,
                               .n_spy_slots = facet_slots(f, slots)};
        if (st == VP_OK)
            st = vpx_enquire(db, without, &fo, &ms, errmsg);
        if (st == VP_OK)
            st = collect_facet(res, f, ms, 0, fo.n_spy_slots);
        vpx_mset_destroy(ms);
        ms = NULL;
        vpx_query_destroy(without);
    }
done:
    vpx_query_destroy(text);
    vpx_query_destroy(date);
    vpx_query_destroy(full);
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        vpx_query_destroy(filters[f]);
    if (st == VP_OK) {
        *out = res;
    } else {
        vp_search_result_destroy(res);
    }
    return st;
}

void vp_search_result_destroy(vp_search_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n_hits; i++) {
        free(res->hits[i].id);
        free(res->hits[i].json);
        free(res->hits[i].snippet);
    }
    free(res->hits);
    for (int f = 0; f < VP_FACET_COUNT; f++) {
        for (size_t i = 0; i < res->n_facets[f]; i++)
            free(res->facets[f][i].value);
        free(res->facets[f]);
    }
    free(res);
}
