/* structured.c - a boolean tree of field/value nodes as one Xapian query
 * (structured.h).
 *
 * Text fields are analysed by the same Xapian query parser settings as the
 * free-text search (stems, stop words), without any operator syntax: the
 * tree is the structure. Value fields are the boolean terms the indexer
 * writes (schema.h), dates the day, month and year terms of the date filter,
 * and the past is hidden by the same filter as search.c's. Results collapse
 * on the work key like the JSON API's. */
#include "vindplaats/structured.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/offering.h"
#include "xapian_c.h"

#define MAX_WILDCARD_EXPANSION 100
/* As search.c: collapsing, totals are exact for matches up to this. */
#define COLLAPSE_CHECK 1000

static const char *const field_names[VP_SQ_FIELD_COUNT] = {
    [VP_SQ_ANY] = "any",           [VP_SQ_ALL_RECORDS] = "allrecords",
    [VP_SQ_TITLE] = "title",       [VP_SQ_CREATOR] = "creator",
    [VP_SQ_SUBJECT] = "subject",   [VP_SQ_DATE] = "date",
    [VP_SQ_ISBN] = "isbn",         [VP_SQ_IDENTIFIER] = "identifier",
    [VP_SQ_TYPE] = "type",         [VP_SQ_LIBRARY] = "library",
    [VP_SQ_PROPOSITION] = "proposition", [VP_SQ_MUNICIPALITY] = "municipality",
};
static const char *const match_names[] = {"all", "any", "adj", "exact"};

/* ---- describing ---- */

static vp_status describe(vp_buf *b, const vp_sq_node *n, int depth)
{
    if (!n || depth > VP_SQ_MAX_DEPTH)
        return vp_buf_puts(b, "?");
    if (n->kind != VP_SQ_TERM) {
        const char *op = n->kind == VP_SQ_AND ? "and" : n->kind == VP_SQ_OR ? "or" : "not";
        vp_status st = vp_buf_printf(b, "%s(", op);
        if (st == VP_OK)
            st = describe(b, n->left, depth + 1);
        if (st == VP_OK)
            st = vp_buf_puts(b, ", ");
        if (st == VP_OK)
            st = describe(b, n->right, depth + 1);
        return st == VP_OK ? vp_buf_puts(b, ")") : st;
    }
    const char *field = (unsigned)n->field < VP_SQ_FIELD_COUNT ? field_names[n->field] : "?";
    if (n->field == VP_SQ_DATE)
        return vp_buf_printf(b, "date %d..%d", n->from_day, n->to_day);
    if (n->field == VP_SQ_ALL_RECORDS)
        return vp_buf_puts(b, field);
    const char *match = (unsigned)n->match <= VP_SQ_EXACT ? match_names[n->match] : "?";
    return vp_buf_printf(b, "%s %s \"%s\"", field, match, n->text ? n->text : "");
}

char *vp_sq_describe(const vp_sq_node *root)
{
    vp_buf b;
    vp_buf_init(&b, 1 << 20);
    if (describe(&b, root, 0) != VP_OK) {
        vp_buf_free(&b);
        return NULL;
    }
    if (!b.data) /* nothing appended: an empty buffer */
        return strdup("");
    return vp_buf_steal(&b);
}

/* ---- building the query ---- */

typedef struct builder {
    vp_index *idx;
    vpx_parser_opts opts;
    size_t nodes;
} builder;

static vp_status term_query(const char *prefix, const char *value, vpx_query **out, vp_error *err)
{
    vp_buf t;
    vp_buf_init(&t, 4096);
    vp_status st = vp_buf_printf(&t, "%s%s", prefix, value);
    if (st == VP_OK)
        st = vpx_query_term(t.data, out, err);
    vp_buf_free(&t);
    return st;
}

/* One value of a value field as its term(s): an ISBN as the ISBN term or
 * the work key it gives a book, an identifier as an offering id or an ISBN. */
static vp_status value_query(vp_sq_field field, const char *value, vpx_query **out, vp_error *err)
{
    char isbn[14];
    int is_isbn = vp_offering_isbn13(value, isbn) == 0;
    vpx_query *parts[3] = {NULL, NULL, NULL};
    size_t n = 0;
    vp_status st = VP_OK;
    char *lower = NULL;
    switch (field) {
    case VP_SQ_ISBN:
    case VP_SQ_IDENTIFIER:
        if (field == VP_SQ_IDENTIFIER)
            st = term_query(PFX_ID, value, &parts[n++], err);
        if (st == VP_OK && is_isbn) {
            char key[32];
            snprintf(key, sizeof key, "isbn:%s", isbn);
            st = term_query(PFX_ISBN, isbn, &parts[n++], err);
            if (st == VP_OK)
                st = term_query(PFX_WORK, key, &parts[n++], err);
        }
        break;
    case VP_SQ_TYPE:
    case VP_SQ_LIBRARY:
    case VP_SQ_PROPOSITION:
    case VP_SQ_MUNICIPALITY: {
        /* Ids are lower-case; place names are folded as the indexer folds them. */
        static const vp_field fields[] = {[VP_SQ_TYPE] = VP_FIELD_TYPE,
                                          [VP_SQ_LIBRARY] = VP_FIELD_LIBRARY,
                                          [VP_SQ_PROPOSITION] = VP_FIELD_PROPOSITION,
                                          [VP_SQ_MUNICIPALITY] = VP_FIELD_MUNICIPALITY};
        lower = vp_text_fold(value, 1);
        if (!lower)
            return VP_ERR_NOMEM;
        st = term_query(vp_field_prefix[fields[field]], lower, &parts[n++], err);
        break;
    }
    default:
        return vp_error_set(err, VP_ERR_INTERNAL, NULL, "not a value field");
    }
    free(lower);
    if (st == VP_OK)
        st = vpx_query_combine(VPX_OP_OR, parts, n, out, err);
    for (size_t i = 0; i < n; i++)
        vpx_query_destroy(parts[i]);
    return st;
}

/* A value field: the whole text (exact), or each space-separated value. */
static vp_status values_query(const vp_sq_node *n, vpx_query **out, vp_error *err)
{
    if (n->match == VP_SQ_EXACT)
        return value_query(n->field, n->text, out, err);
    char *copy = strdup(n->text);
    vpx_query *parts[64];
    size_t k = 0;
    vp_status st = copy ? VP_OK : VP_ERR_NOMEM;
    char *save = NULL;
    for (char *w = copy ? strtok_r(copy, " \t\r\n", &save) : NULL; st == VP_OK && w;
         w = strtok_r(NULL, " \t\r\n", &save)) {
        if (k == sizeof parts / sizeof parts[0]) {
            st = vp_error_set(err, VP_ERR_TOO_BIG, NULL,
                              "too many values in one term (at most 64)");
            break;
        }
        st = value_query(n->field, w, &parts[k++], err);
    }
    if (st == VP_OK)
        st = vpx_query_combine(n->match == VP_SQ_ANY_WORD ? VPX_OP_OR : VPX_OP_AND, parts, k, out,
                               err);
    for (size_t i = 0; i < k; i++)
        vpx_query_destroy(parts[i]);
    free(copy);
    return st;
}

static vp_status text_query(builder *b, const vp_sq_node *n, vpx_query **out, vp_error *err)
{
    const char *prefix = n->field == VP_SQ_TITLE     ? PFX_TITLE
                         : n->field == VP_SQ_CREATOR ? PFX_CREATOR
                         : n->field == VP_SQ_SUBJECT ? PFX_SUBJECT
                                                     : "";
    /* Only the title and the unprefixed text keep word positions. */
    int positions = n->field == VP_SQ_TITLE || n->field == VP_SQ_ANY;
    int phrase = positions && (n->match == VP_SQ_PHRASE || n->match == VP_SQ_EXACT);
    char *folded = vp_text_fold(n->text, 1);
    if (!folded)
        return VP_ERR_NOMEM;
    vp_status st = vpx_query_words(vp_index_db(b->idx), folded, prefix,
                                   n->match == VP_SQ_ANY_WORD, phrase, &b->opts, out, err);
    free(folded);
    return st;
}

static vp_status build(builder *b, const vp_sq_node *n, int depth, vpx_query **out, vp_error *err)
{
    *out = NULL;
    if (!n)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "query: a node is missing");
    if (depth > VP_SQ_MAX_DEPTH)
        return vp_error_set(err, VP_ERR_TOO_BIG, NULL, "query: nested too deeply");
    if (++b->nodes > VP_SQ_MAX_NODES)
        return vp_error_set(err, VP_ERR_TOO_BIG, NULL, "query: too many terms");
    if (n->kind != VP_SQ_TERM) {
        vpx_query *sub[2] = {NULL, NULL};
        vp_status st = build(b, n->left, depth + 1, &sub[0], err);
        if (st == VP_OK)
            st = build(b, n->right, depth + 1, &sub[1], err);
        if (st == VP_OK)
            st = vpx_query_combine(n->kind == VP_SQ_AND  ? VPX_OP_AND
                                   : n->kind == VP_SQ_OR ? VPX_OP_OR
                                                         : VPX_OP_AND_NOT,
                                   sub, 2, out, err);
        vpx_query_destroy(sub[0]);
        vpx_query_destroy(sub[1]);
        return st;
    }
    if ((unsigned)n->field >= VP_SQ_FIELD_COUNT || (unsigned)n->match > VP_SQ_EXACT)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "query: unknown field or match");
    if (n->field == VP_SQ_ALL_RECORDS)
        return vpx_query_match_all(out, err);
    if (n->field == VP_SQ_DATE) {
        if (!n->from_day && !n->to_day)
            return vp_error_set(err, VP_ERR_INVALID, NULL, "date: needs a start or an end");
        if ((n->from_day && !vp_day_valid(n->from_day)) || (n->to_day && !vp_day_valid(n->to_day)))
            return vp_error_set(err, VP_ERR_INVALID, NULL, "date: not a valid day");
        if (n->from_day && n->to_day && n->to_day < n->from_day)
            return vp_error_set(err, VP_ERR_INVALID, NULL, "date: the end is before the start");
        /* The date filter of the JSON API, which builds it on terms. */
        vp_search_request req = {.page = 1, .per_page = 1, .include_past = 1,
                                 .from_day = n->from_day, .to_day = n->to_day};
        return vp_search_filter_query(b->idx, &req, out, err);
    }
    if (!n->text)
        return vp_error_set(err, VP_ERR_INVALID, NULL, "query: a term has no text");
    if (n->field == VP_SQ_ANY || n->field == VP_SQ_TITLE || n->field == VP_SQ_CREATOR ||
        n->field == VP_SQ_SUBJECT)
        return text_query(b, n, out, err);
    return values_query(n, out, err);
}

vp_status vp_sq_search(vp_index *idx, const vp_sq_node *root, const vp_sq_options *opt,
                       vp_sq_result **out, vp_error *err)
{
    if (opt->limit > VP_SQ_MAX_LIMIT)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.parameter = "limit"},
                            "limit: at most 100 records");
    if (opt->offset + opt->limit > VP_SQ_MAX_WINDOW)
        return vp_error_set(err, VP_ERR_INVALID, &(vp_where){.parameter = "offset"},
                            "offset: offset + limit must not exceed 10000");
    vpx_db *db = vp_index_db(idx);
    builder b = {idx, {VP_STEM_LANGUAGE, NULL, NULL,
                       vp_lexicon_stopwords(vp_index_lexicon(idx)), MAX_WILDCARD_EXPANSION, 0},
                 0};
    vpx_query *tree = NULL, *upcoming = NULL, *full = NULL;
    vpx_mset *ms = NULL;
    vp_sq_result *res = calloc(1, sizeof *res);
    vp_status st = res ? vpx_db_reopen(db, err) : VP_ERR_NOMEM;
    if (st == VP_OK)
        st = build(&b, root, 0, &tree, err);
    if (st == VP_OK && !opt->include_past) {
        vp_search_request req = {.page = 1, .per_page = 1, .now = opt->now};
        st = vp_search_filter_query(idx, &req, &upcoming, err);
    }
    if (st == VP_OK) {
        vpx_query *parts[2] = {tree, upcoming};
        st = vpx_query_combine(VPX_OP_FILTER, parts, 2, &full, err);
    }
    vpx_enquire_opts eo = {.sort_slot = -1, .tiebreak_slot = SLOT_ID, .offset = opt->offset,
                           .limit = opt->limit, .check_at_least = COLLAPSE_CHECK,
                           .collapse_slot = SLOT_WORK};
    if (st == VP_OK)
        st = vpx_enquire(db, full, &eo, &ms, err);
    if (st == VP_OK) {
        vpx_mset_totals(ms, NULL, &res->total, NULL);
        res->records = calloc(vpx_mset_size(ms) + 1, sizeof *res->records);
        res->docs = calloc(vpx_mset_size(ms) + 1, sizeof *res->docs);
        if (!res->records || !res->docs)
            st = VP_ERR_NOMEM;
    }
    for (size_t i = 0; st == VP_OK && i < vpx_mset_size(ms); i++) {
        res->records[i] = strdup(vpx_mset_data(ms, i));
        res->docs[i] = json_loads(vpx_mset_data(ms, i), 0, NULL);
        res->n_records++;
        if (!res->records[i])
            st = VP_ERR_NOMEM;
    }
    vpx_mset_destroy(ms);
    vpx_query_destroy(full);
    vpx_query_destroy(upcoming);
    vpx_query_destroy(tree);
    if (st == VP_OK)
        *out = res;
    else
        vp_sq_result_destroy(res);
    return st;
}

void vp_sq_result_destroy(vp_sq_result *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n_records; i++) {
        free(res->records[i]);
        json_decref(res->docs[i]);
    }
    free(res->records);
    free(res->docs);
    free(res);
}
