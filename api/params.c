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



void api_param_error(api_reply *r, const vp_param_error *err)
{
    api_error(r, 400, err->code[0] ? err->code : "invalid_parameter", err->message,
              err->parameter[0] ? err->parameter : NULL);
}

vp_status api_search_request(api_params *p, const vp_vocabulary *voc,
                             const vp_postcodes *postcodes, vp_search_request *req,
                             api_search_storage *storage, api_reply *r)
{
    vp_param_error err;
    vp_status st = vp_search_request_parse(p->items, p->count, voc, postcodes, req, storage, &err);
    if (st != VP_OK)
        api_param_error(r, &err);
    return st;
}

vp_status api_reject_unused(const api_params *p, api_reply *r)
{
    vp_param_error err;
    vp_status st = vp_search_params_reject_unused(p->items, p->count, p->overflow, &err);
    if (st != VP_OK)
        api_param_error(r, &err);
    return st;
}
