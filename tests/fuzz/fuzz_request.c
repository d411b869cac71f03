/* fuzz_request.c - libFuzzer target for the request path: the checks at the
 * server's entry (api_uri_check, api_param_check through api_query_check)
 * and the parameter validation behind them (vp_search_params_parse_query, which
 * validates exactly as GET /v1/search does).
 *
 * Each input is a raw request URI as a client sends it ("/v1/search?q=…"),
 * up to its first NUL (libmicrohttpd hands the URI over as a C string).
 * Besides the sanitizers, the target aborts when the contract breaks:
 *   - a refusal has a 4xx/503 status, a code, a message that is UTF-8, and
 *     its JSON error reply can be built;
 *   - a URI that passes has a path and parameters that are UTF-8 without
 *     control characters, so every reply that repeats them can be built:
 *     when the search parameters are valid, the request's q and filter
 *     values become JSON strings; when they are not, the error message does.
 * Run: fuzz_request -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/request */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vindplaats/analysis.h"
#include "vindplaats/geo.h"
#include "vindplaats/network.h"
#include "vindplaats/server.h"
#include "vindplaats/vocabulary.h"

#ifndef VP_FUZZ_VOCABULARY
#define VP_FUZZ_VOCABULARY "data/vocabulary/propositions.tsv"
#endif

#ifndef VP_FUZZ_POSTCODES
#define VP_FUZZ_POSTCODES "data/reference/nl_pc4_geonames.json"
#endif
#ifndef VP_FUZZ_NETWORK
#define VP_FUZZ_NETWORK "data/sample/network.json"
#endif

static vp_vocabulary *voc;
/* place= and postcode= resolve with the real tables, names of the network too. */
static vp_postcodes *postcodes;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *path = getenv("VP_VOCABULARY");
    if (!path || !*path)
        path = VP_FUZZ_VOCABULARY;
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(path, &voc, &verr) != VP_OK) {
        vp_error_print(stderr, "fuzz_request: cannot load the vocabulary", &verr);
        vp_error_clear(&verr);
        exit(2);
    }
    vp_network *net = NULL;
    if (vp_postcodes_load(VP_FUZZ_POSTCODES, &postcodes, &verr) != VP_OK ||
        vp_network_load(VP_FUZZ_NETWORK, &net, &verr) != VP_OK ||
        (vp_postcodes_add_network(postcodes, net) != VP_OK &&
         vp_error_set(&verr, VP_ERR_NOMEM, NULL, "adding the network's names"))) {
        vp_error_print(stderr, "fuzz_request: cannot load the places", &verr);
        vp_error_clear(&verr);
        exit(2);
    }
    vp_network_destroy(net);
    return 0;
}

static void check_refusal(const api_refusal *f)
{
    if (!(f->status == 400 || f->status == 404 || f->status == 414 || f->status == 503))
        abort();
    if (!f->code || !f->message[0] || !vp_utf8_valid(f->message, strlen(f->message)) ||
        !vp_utf8_valid(f->parameter, strlen(f->parameter)))
        abort();
    api_reply r = {0};
    api_refusal_reply(f, &r);
    if (!r.json || r.status != f->status)
        abort();
    json_decref(r.json);
}

/* A string that passed the entry checks can be put into a reply. */
static void must_become_json(const char *s)
{
    if (!s)
        return;
    json_t *j = json_string(s);
    if (!j)
        abort();
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len = strnlen((const char *)data, size);
    char *uri = malloc(len + 1);
    if (!uri)
        return 0;
    memcpy(uri, data, len);
    uri[len] = '\0';
    api_refusal f;
    size_t args_at = 0;
    if (api_uri_check(uri, &f, &args_at) != 0) {
        check_refusal(&f);
        if (args_at && (args_at > len || uri[args_at - 1] != '?'))
            abort();
        free(uri);
        return 0;
    }
    const char *q = strchr(uri, '?');
    if (!q) {
        free(uri);
        return 0;
    }
    if (api_query_check(q + 1, &f) != 0) {
        check_refusal(&f);
        free(uri);
        return 0;
    }
    vp_search_params *sp = NULL;
    vp_error perr = VP_ERROR_INIT;
    vp_status st = vp_search_params_parse_query(q + 1, voc, postcodes, &sp, &perr);
    char *err = perr.status != VP_OK ? vp_error_text(&perr) : NULL;
    vp_error_clear(&perr);
    if (st == VP_OK) {
        const vp_search_request *req = vp_search_params_request(sp);
        must_become_json(req->q);
        if (req->place)
            must_become_json(req->place);
        for (int fld = 0; fld < VP_FIELD_COUNT; fld++)
            for (size_t i = 0; i < req->n_values[fld]; i++)
                must_become_json(req->values[fld][i]);
        if (err)
            abort();
    } else if (st == VP_ERR_INVALID) {
        if (!err || !vp_utf8_valid(err, strlen(err)))
            abort();
        api_reply r = {0};
        api_error(&r, 400, "invalid_parameter", err, NULL);
        if (!r.json)
            abort();
        json_decref(r.json);
    } else if (st != VP_ERR_NOMEM) {
        abort();
    }
    vp_search_params_destroy(sp);
    free(err);
    free(uri);
    return 0;
}
