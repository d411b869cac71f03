/* params.c - the search parameters of a request handed to the engine,
 * which validates them (engine/request.c): one set of rules for the
 * server, saved campaign searches and the benchmark; a refused parameter
 * as its 400 reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vindplaats/analysis.h"
#include "vindplaats/geo.h"



void api_param_error(api_reply *r, const vp_error *err)
{
    api_error(r, 400, vp_error_code(err), err->message ? err->message : vp_status_str(err->status),
              err->parameter);
}

vp_status api_search_request(api_params *p, const vp_vocabulary *voc,
                             const vp_postcodes *postcodes, vp_search_request *req,
                             api_search_storage *storage, api_reply *r)
{
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_search_request_parse(p->items, p->count, voc, postcodes, req, storage, &err);
    if (st != VP_OK)
        api_param_error(r, &err);
    vp_error_clear(&err);
    return st;
}

vp_status api_reject_unused(const api_params *p, api_reply *r)
{
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_search_params_reject_unused(p->items, p->count, p->overflow, &err);
    if (st != VP_OK)
        api_param_error(r, &err);
    vp_error_clear(&err);
    return st;
}

const char *api_param_take(api_params *p, const char *key, int *twice)
{
    const char *v = NULL;
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->items[i].key, key) == 0) {
            if (v)
                *twice = 1;
            v = p->items[i].value;
            p->items[i].used = 1;
        }
    return v;
}

void api_search_filter(vp_search_request *sr, vp_field field, const char *const *value)
{
    if (*value) {
        sr->values[field] = value;
        sr->n_values[field] = 1;
    }
}

vp_status api_param_limit(const char *s, unsigned max, unsigned *limit, api_reply *r)
{
    if (!s || !*s)
        return VP_OK;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || s[0] < '0' || s[0] > '9' || v < 1 || v > max) {
        char msg[80];
        snprintf(msg, sizeof msg, "limit: must be a whole number from 1 to %u", max);
        api_error(r, 400, "invalid_parameter", msg, "limit");
        return VP_ERR_INVALID;
    }
    *limit = (unsigned)v;
    return VP_OK;
}
