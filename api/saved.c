/* saved.c - saved queries as the store keeps them: their slugs, their
 * definitions and tombstones, and when a definition is live. Below both
 * users of saved queries: the campaign routes (campaigns.c) and the query
 * log's reports (insights.c), which name a campaign by its title.
 *
 * A saved query is a record in the store, namespace API_SAVED_NS, key the
 * slug, value its JSON definition (campaigns.c); deleting one leaves a
 * tombstone in API_SAVED_NS_DELETED. */
#include <stdlib.h>
#include <string.h>

#include "site.h"
#include "vindplaats/offering.h"
#include "vindplaats/store.h"
#include "vindplaats/time.h"

int api_slug_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > API_SAVED_MAX_SLUG || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return 0;
        if (c == '-' && s[i + 1] == '-')
            return 0;
    }
    return 1;
}

int64_t api_saved_bound(const char *s, int end)
{
    vp_datetime dt;
    if (!s || vp_datetime_parse(s, &dt) != 0)
        return -1;
    if (!dt.all_day)
        return dt.utc;
    int64_t day = dt.utc + (end ? 86400 : 0);
    /* The offset of the moment itself, checked once more across a change. */
    int64_t t = day - vp_nl_offset(day);
    return day - vp_nl_offset(t);
}

api_saved_status api_saved_status_at(json_t *def, int64_t now)
{
    int64_t from = api_saved_bound(json_string_value(json_object_get(def, "valid_from")), 0);
    int64_t until = api_saved_bound(json_string_value(json_object_get(def, "valid_until")), 1);
    if (from >= 0 && now < from)
        return API_SAVED_SCHEDULED;
    if (until >= 0 && now >= until)
        return API_SAVED_EXPIRED;
    return API_SAVED_ACTIVE;
}

const char *api_saved_status_name(api_saved_status s)
{
    return s == API_SAVED_SCHEDULED ? "scheduled" : s == API_SAVED_EXPIRED ? "expired" : "active";
}

vp_status api_saved_load(vp_store *store, const char *slug, json_t **def)
{
    char *text = NULL;
    *def = NULL;
    if (!store)
        return VP_ERR_NOT_FOUND;
    vp_status st = vp_store_get(store, API_SAVED_NS, slug, &text, NULL);
    if (st == VP_OK) {
        *def = json_loads(text, 0, NULL);
        if (!*def)
            st = VP_ERR_NOT_FOUND;
    }
    free(text);
    return st;
}

int api_saved_deleted(vp_store *store, const char *slug)
{
    char *v = NULL;
    int yes = store && vp_store_get(store, API_SAVED_NS_DELETED, slug, &v, NULL) == VP_OK;
    free(v);
    return yes;
}

json_t *api_campaign_summary(api_request *req, const char *slug)
{
    json_t *def = NULL;
    if (!api_slug_ok(slug) || api_saved_load(req->cfg->store, slug, &def) != VP_OK)
        return json_pack("{s:n, s:s}", "title", "status",
                         api_saved_deleted(req->cfg->store, slug) ? "deleted" : "unknown");
    json_t *o = json_pack("{s:O, s:s}", "title", json_object_get(def, "title"), "status",
                          api_saved_status_name(api_saved_status_at(def, api_clock(req))));
    json_decref(def);
    return o;
}
