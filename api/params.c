/* params.c - error replies, and the search parameters of a request handed
 * to the engine, which validates them (engine/request.c): one set of rules
 * for the server, saved campaign searches and the benchmark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vindplaats/analysis.h"
#include "vindplaats/geo.h"

/* A text for a reply: `s` itself when valid UTF-8, else a repaired copy in
 * *copy. Messages quote what clients sent; a reply is never lost to it. */
static const char *reply_text(const char *s, char **copy)
{
    *copy = NULL;
    if (!s || vp_utf8_valid(s, strlen(s)))
        return s;
    *copy = strdup(s);
    if (!*copy)
        return "(unprintable)";
    vp_utf8_repair(*copy);
    return *copy;
}

void api_error(api_reply *r, unsigned status, const char *code, const char *message,
               const char *parameter)
{
    char *m_copy, *p_copy;
    const char *m = reply_text(message, &m_copy);
    const char *p = reply_text(parameter, &p_copy);
    json_decref(r->json);
    r->status = status;
    r->json = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", m);
    if (r->json && p)
        json_object_set_new(json_object_get(r->json, "error"), "parameter", json_string(p));
    free(m_copy);
    free(p_copy);
}

void api_param_error(api_reply *r, const vp_param_error *err)
{
    api_error(r, 400, err->code[0] ? err->code : "invalid_parameter", err->message,
              err->parameter[0] ? err->parameter : NULL);
}

int api_search_request(api_params *p, const vp_vocabulary *voc, const vp_postcodes *postcodes,
                       vp_search_request *req, api_search_storage *storage, api_reply *r)
{
    vp_param_error err;
    if (vp_search_request_parse(p->items, p->count, voc, postcodes, req, storage, &err) != VP_OK) {
        api_param_error(r, &err);
        return -1;
    }
    return 0;
}

int api_reject_unused(const api_params *p, api_reply *r)
{
    vp_param_error err;
    if (vp_search_params_reject_unused(p->items, p->count, p->overflow, &err) != VP_OK) {
        api_param_error(r, &err);
        return -1;
    }
    return 0;
}
