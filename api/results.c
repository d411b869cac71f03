/* results.c - one result as the API shows it (search, recommendations,
 * related offerings, landing pages, the service map): the fields of the
 * offering a client needs to decide, its next occurrence, and the other
 * dates of its activity. Built from the document the engine parsed; no route's
 * logic lives here, so every route shows a result the same way. */
#include <stdio.h>

#include "api.h"
#include "vindplaats/offering.h"

/* Copies `key` of `doc` into `out` (null when absent). */
static void copy_field(json_t *out, json_t *doc, const char *key)
{
    json_t *v = json_object_get(doc, key);
    json_object_set_new(out, key, v ? json_incref(v) : json_null());
}

/* The first occurrence that has not ended at `now`, as {start, end}, or
 * null (undated, or all past). When it ends, before *stale_at, that
 * becomes *stale_at (`stale_at` may be NULL). */
static json_t *next_occurrence(json_t *doc, int64_t now, int64_t *stale_at)
{
    const char *start = NULL, *end = NULL;
    int64_t utc = 0, until = 0;
    if (vp_offering_json_next(doc, now, &start, &end, &utc, &until) != 0)
        return json_null();
    if (stale_at && until < *stale_at)
        *stale_at = until;
    return json_pack("{s:s, s:o}", "start", start, "end", end ? json_string(end) : json_null());
}

json_t *api_result_doc(const char *id, json_t *doc, const char *snippet, double score,
                       double distance_km, const vp_vocabulary *voc, int64_t now,
                       int64_t *stale_at)
{
    json_t *o = doc ? json_object() : NULL;
    if (!o)
        return NULL;
    json_object_set_new(o, "id", json_string(id));
    copy_field(o, doc, "type");
    copy_field(o, doc, "title");
    json_object_set_new(o, "snippet", snippet ? json_string(snippet) : json_null());
    copy_field(o, doc, "proposition");
    const vp_proposition *p =
        vp_vocabulary_get(voc, json_string_value(json_object_get(doc, "proposition")));
    json_object_set_new(o, "proposition_name", p ? json_string(p->name) : json_null());
    static const char *const fields[] = {"local_name", "library", "library_name", "branch",
                                         "branch_name", "municipality", "start", "end",
                                         "channel", "url", "price"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        copy_field(o, doc, fields[i]);
    json_object_set_new(o, "next", next_occurrence(doc, now, stale_at));
    json_object_set_new(o, "distance_km", distance_km >= 0
                                              ? json_real((double)(long)(distance_km * 10 + 0.5) / 10)
                                              : json_null());
    json_object_set_new(o, "score", json_real(score));
    return o;
}

json_t *api_hit_json(const vp_search_hit *h, int snippet, const vp_vocabulary *voc, int64_t now)
{
    return snippet ? api_result_doc(h->id, h->doc, h->snippet, h->score, h->distance_km, voc,
                                    now, NULL)
                   : api_result_doc(h->id, h->doc, NULL, 0, -1, voc, now, NULL);
}

/* json_string() of `s`, or null. */
static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *api_series_json(const vp_search_date *dates, size_t n, uint64_t count)
{
    if (!n)
        return json_null();
    json_t *next = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(next, json_pack("{s:s, s:s, s:o}", "id", dates[i].id, "start",
                                              dates[i].start, "end",
                                              string_or_null(dates[i].end)));
    return json_pack("{s:I, s:o}", "count", (json_int_t)count, "next", next);
}

vp_status api_offering_doc(api_request *req, const char *id, json_t **doc, vp_error *err)
{
    *doc = NULL;
    vp_status st = vp_index_refresh(req->index, err);
    return st == VP_OK ? vp_index_get_doc(req->index, id, doc, err) : st;
}

vp_status api_offering_not_found(api_reply *r, const char *id)
{
    char msg[512];
    snprintf(msg, sizeof msg, "no offering with id \"%.300s\"", id);
    return api_error(r, 404, "not_found", msg, NULL);
}
