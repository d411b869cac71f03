/* answers.c - GET /v1/search answered from the answer cache
 * (answer_cache.h) when the same search ran before at the same index
 * version.
 *
 * The cache keeps a search's response body without the two members that
 * differ per request, took_ms and query_id: they are added at the end of
 * the object for every request, answered from the cache or not, so both
 * ways give the same bytes. Behind the body and a NUL the cache keeps what
 * the query log needs of a search, so that one answered from the cache is
 * logged like one that ran: its total (with the filter whose removal
 * finds something, and what it finds), the number of results and, for
 * each, its proposition id NUL-terminated (empty without one), which is
 * all insights.c reads of a result's document. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vindplaats/answer_cache.h"

/* The longest key kept: q, every filter value, the popular offerings. */
#define MAX_KEY (256 * 1024)

/* The reply: `body` (a JSON object, `len` bytes) with took_ms and, when
 * `qid` is not NULL, query_id added as its last members. */
static void finish(const api_request *req, api_reply *r, const char *body, size_t len,
                   const char *qid)
{
    /* One allocation of the reply's size and one copy of the body. */
    char tail[128];
    int tl = snprintf(tail, sizeof tail, ",\"took_ms\":%.2f%s%s%s}", api_took_ms(req->started),
                      qid ? ",\"query_id\":\"" : "", qid ? qid : "", qid ? "\"" : "");
    if (len < 2 || body[len - 1] != '}' || tl < 0 || (size_t)tl >= sizeof tail)
        return;
    char *out = malloc(len - 1 + (size_t)tl + 1);
    if (!out)
        return;
    memcpy(out, body, len - 1);
    memcpy(out + len - 1, tail, (size_t)tl + 1);
    r->status = 200;
    r->content_type = "application/json; charset=utf-8";
    r->body_len = len - 1 + (size_t)tl;
    r->owned_body = out;
}

/* The answer under a->key at the version of the newest commit (what the
 * request would read), when the key is complete: 1 with *value malloc()ed. */
static int lookup(api_request *req, api_answer *a, vp_status key_status, int64_t now,
                  char **value, size_t *len)
{
    vp_answer_cache *c = api_state_answers(req->state);
    vp_index_version v;
    if (!c || key_status != VP_OK || vp_index_refresh(req->index, NULL) != VP_OK ||
        vp_index_version_get(req->index, &v, NULL) != VP_OK)
        return 0;
    a->usable = 1;
    return vp_answer_cache_get(c, &v, a->key.data, a->key.len, now, value, len);
}

/* Keeps `blob` under a->key at the version the request has read (which
 * may be newer than the one looked up: a commit in between). */
static void store(api_request *req, api_answer *a, const char *blob, size_t len, int64_t stale_at)
{
    vp_answer_cache *c = api_state_answers(req->state);
    vp_index_version v;
    if (c && a->usable && vp_index_version_get(req->index, &v, NULL) == VP_OK)
        vp_answer_cache_put(c, &v, a->key.data, a->key.len, blob, len, stale_at);
}

int api_answer_find(api_request *req, const vp_search_request *sr, api_answer *a, api_reply *r)
{
    vp_buf_init(&a->key, MAX_KEY);
    a->usable = 0;
    char *value = NULL;
    size_t len = 0;
    if (!lookup(req, a, api_state_answers(req->state) ? vp_answer_key(sr, &a->key) : VP_ERR_INVALID,
                sr->now, &value, &len))
        return 0;
    size_t body_len = strlen(value);
    const char *p = value + body_len + 1, *end = value + len;
    vp_search_result summary;
    memset(&summary, 0, sizeof summary);
    summary.relaxed = -1;
    if (p < end) {
        /* "TOTAL RELAXED RELAXED_TOTAL": the query log tells nothing in the
         * offer from nothing because of a filter. */
        char *e = NULL;
        summary.total = strtoull(p, &e, 10);
        if (e && *e == ' ')
            summary.relaxed = (int)strtol(e + 1, &e, 10);
        if (e && *e == ' ')
            summary.relaxed_total = strtoull(e + 1, &e, 10);
        p += strlen(p) + 1;
    }
    size_t n = p < end ? (size_t)strtoul(p, NULL, 10) : 0;
    if (p < end)
        p += strlen(p) + 1;
    /* The propositions of the results, pointing into the blob. */
    const char **shown = n ? malloc(n * sizeof *shown) : NULL;
    size_t n_shown = 0;
    for (; shown && n_shown < n && p < end; n_shown++) {
        shown[n_shown] = p;
        p += strlen(p) + 1;
    }
    char qid[17];
    api_insights_log_shown(req, sr, &summary, shown, n_shown, NULL, qid);
    free(shown);
    finish(req, r, value, body_len, qid);
    free(value);
    if (!r->owned_body)
        api_error(r, 503, "unavailable", "out of memory", NULL);
    return 1;
}

/* The blob the cache keeps: the body, then what the query log reads. */
static vp_status blob_of(const char *text, size_t len, const vp_search_result *res,
                         json_t *results, vp_buf *b)
{
    vp_status st = vp_buf_append(b, text, len + 1);
    if (st == VP_OK)
        st = vp_buf_printf(b, "%" PRIu64 " %d %" PRIu64 "%c%zu%c", res->total, res->relaxed,
                           res->relaxed_total, 0, json_array_size(results), 0);
    for (size_t i = 0; st == VP_OK && i < json_array_size(results); i++) {
        const char *p =
            json_string_value(json_object_get(json_array_get(results, i), "proposition"));
        st = vp_buf_append(b, p ? p : "", (p ? strlen(p) : 0) + 1);
    }
    return st;
}

void api_answer_keep(api_request *req, const vp_search_request *sr, const vp_search_result *res,
                     api_answer *a, int64_t stale_at, api_reply *r)
{
    char qid[17];
    /* Signals of clicks on these results name this id, nothing personal. */
    api_insights_log(req, sr, res, NULL, qid);
    if (!r->json)
        return;
    char *text = json_dumps(r->json, JSON_COMPACT | JSON_REAL_PRECISION(15));
    size_t len = text ? strlen(text) : 0;
    /* A partial answer (a shard did not answer) is not kept. */
    int partial = res->missing_shards && res->missing_shards[0];
    if (text && a->usable && !partial && stale_at > sr->now) {
        vp_buf blob;
        vp_buf_init(&blob, (size_t)-1 / 2);
        if (blob_of(text, len, res, json_object_get(r->json, "results"), &blob) == VP_OK)
            store(req, a, blob.data, blob.len, stale_at);
        vp_buf_free(&blob);
    }
    json_decref(r->json);
    r->json = NULL;
    if (!text)
        return;
    finish(req, r, text, len, qid);
    free(text);
}

int api_answer_find_suggest(api_request *req, const char *q, unsigned limit, api_answer *a,
                            api_reply *r)
{
    vp_buf_init(&a->key, MAX_KEY);
    a->usable = 0;
    char *value = NULL;
    size_t len = 0;
    vp_status st = vp_buf_printf(&a->key, "suggest|limit=%u|q=", limit);
    if (st == VP_OK)
        st = vp_buf_puts(&a->key, q);
    if (!lookup(req, a, st, 0, &value, &len))
        return 0;
    finish(req, r, value, len, NULL);
    free(value);
    if (!r->owned_body)
        api_error(r, 503, "unavailable", "out of memory", NULL);
    return 1;
}

void api_answer_keep_suggest(api_request *req, api_answer *a, api_reply *r)
{
    if (!r->json)
        return;
    char *text = json_dumps(r->json, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(r->json);
    r->json = NULL;
    if (!text)
        return;
    size_t len = strlen(text);
    if (a->usable)
        store(req, a, text, len, VP_ANSWER_NEVER_STALE);
    finish(req, r, text, len, NULL);
    free(text);
}

void api_answer_done(api_answer *a)
{
    vp_buf_free(&a->key);
}
