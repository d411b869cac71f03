/* test_faults.c - out-of-memory at every allocation, the SQLite way.
 *
 * The test binary is linked with --wrap for malloc, calloc, realloc,
 * strdup and strndup (tests/support/faults.h), so allocation number N of
 * our own code can be made to fail. Each operation runs with N = 0, 1,
 * 2, ... until it completes. A run
 * whose allocation failed must report VP_ERR_NOMEM (an invalid record may
 * instead still be reported invalid, with a shorter message), never crash,
 * never accept what it should reject, and (under ASan) never leak.
 *
 * jansson's own allocations are not failed while it decodes: its decoder
 * reports a failed allocation as a syntax error, indistinguishable from bad
 * input. The request path only builds JSON (error replies), so there they
 * are failed too (json_set_alloc_funcs). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "faults.h"
#include "vindplaats/analysis.h"
#include "vindplaats/answer_cache.h"
#include "vindplaats/server.h"
#include "vindplaats/buf.h"
#include "vindplaats/template.h"
#include "vindplaats/offering.h"
#include "vindplaats/vocabulary.h"

static const char *voc_path;

static const char example[] =
    "{\"id\":\"agenda-utrecht:2026-0412\",\"type\":\"course\",\"title\":\"Klik & Tik: de basis van "
    "de computer\",\"description\":\"In vier lessen leert u de computer aanzetten.\","
    "\"local_name\":\"Klik & Tik\",\"proposition\":\"klik-en-tik\",\"societal_task\":"
    "\"informatiesamenleving\",\"creators\":[],\"subjects\":[\"computer\",\"digitale "
    "vaardigheden\"],\"language\":\"nl\",\"audience\":{\"min_age\":18,\"max_age\":null,"
    "\"groups\":[\"volwassenen\",\"senioren\"]},\"channel\":\"offline\",\"library\":"
    "\"bibliotheek-utrecht\",\"branch\":\"utrecht-neude\",\"location\":{\"lat\":52.0927,"
    "\"lon\":5.1186},\"occurrences\":[{\"start\":\"2026-12-03T10:00:00+01:00\",\"end\":"
    "\"2026-12-03T12:00:00+01:00\"}],\"price\":{\"amount\":0,\"currency\":\"EUR\"},\"url\":"
    "\"https://www.example-bibliotheek.nl/agenda/klik-en-tik\",\"isbn\":[\"90-6233-135-1\"],"
    "\"source\":\"agenda-utrecht\",\"updated\":\"2026-11-20T08:00:00Z\"}";

static const char broken[] =
    "{\"id\":\"x\",\"type\":\"kursus\",\"title\":\"\",\"audience\":{\"groups\":[\"kids\"]},"
    "\"start\":\"gisteren\",\"foo\":1,\"proposition\":\"nope\"}";

/* A run whose allocation failed reports VP_ERR_NOMEM (or, for an
 * operation that ends in `final` != VP_OK, still `final`); the run without
 * a failure ends in `final`. */
static int judge(const char *name, long n, int failed, vp_status st, void *ctx)
{
    vp_status final = *(const vp_status *)ctx;
    int fine = failed ? st == VP_ERR_NOMEM || (final != VP_OK && st == final) : st == final;
    if (!fine && failed)
        fprintf(stderr, "%s: allocation %ld failed, status %s\n", name, n, vp_status_str(st));
    else if (!fine)
        fprintf(stderr, "%s: finished with %s\n", name, vp_status_str(st));
    return fine;
}

static vp_status (*current_op)(void);

static vp_status run_current(void *ctx)
{
    (void)ctx;
    return current_op();
}

static void sweep(const char *name, vp_status (*op)(void), vp_status final)
{
    current_op = op;
    fault_sweep(name, run_current, &final, judge);
}

static vp_status op_parse_valid(void)
{
    vp_offering *o = NULL;
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_offering_parse(example, strlen(example), NULL, &o, &err);
    vp_offering_destroy(o);
    vp_error_clear(&err);
    return st;
}

/* A bad record must still end as VP_ERR_INVALID once memory suffices. */
static vp_status op_parse_invalid(void)
{
    vp_offering *o = NULL;
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_offering_parse(broken, strlen(broken), NULL, &o, &err);
    vp_offering_destroy(o);
    vp_error_clear(&err);
    return st;
}

static vp_status op_vocabulary(void)
{
    vp_vocabulary *v = NULL;
    vp_error verr = VP_ERROR_INIT;
    vp_status st = vp_vocabulary_load(voc_path, &v, &verr);
    vp_vocabulary_destroy(v);
    vp_error_clear(&verr);
    return st;
}

static vp_status op_parse_with_vocabulary(void)
{
    vp_vocabulary *v = NULL;
    vp_status st = vp_vocabulary_load(voc_path, &v, NULL);
    if (st != VP_OK)
        return st;
    vp_offering *o = NULL;
    vp_error err = VP_ERROR_INIT;
    st = vp_offering_parse(broken, strlen(broken), v, &o, &err);
    vp_offering_destroy(o);
    vp_error_clear(&err);
    vp_vocabulary_destroy(v);
    return st;
}

static vp_status op_fold(void)
{
    char *s = vp_text_fold("Geïnteresseerd in het Taalcafé? Ĳsselmonde", 1);
    if (!s)
        return VP_ERR_NOMEM;
    vp_status st = strcmp(s, "geinteresseerd in het taalcafe? ijsselmonde") == 0 ? VP_OK
                                                                                : VP_ERR_INTERNAL;
    free(s);
    return st;
}

static vp_status op_buf(void)
{
    vp_buf b;
    vp_buf_init(&b, 1 << 20);
    vp_status st = VP_OK;
    for (int i = 0; st == VP_OK && i < 200; i++)
        st = vp_buf_printf(&b, "%d <&> ", i);
    if (st == VP_OK)
        st = vp_buf_html(&b, "<a href=\"x\">", 12);
    char *s = st == VP_OK ? vp_buf_steal(&b) : NULL;
    if (st == VP_OK && !s)
        st = VP_ERR_NOMEM;
    free(s);
    vp_buf_free(&b);
    return st;
}

/* The page renderer: loading a page and its partial, checking the set,
 * rendering sections, escaped and raw values into a buffer. */
static vp_status op_template(void)
{
    static const char page[] = "<h1>{{title}}</h1>\n{{#items}}\n{{> item}}\n{{/items}}\n"
                               "{{^items}}geen{{/items}}{{{raw}}}\n";
    static const char item[] = "<li>{{name}} &amp; {{n}}</li>";
    vp_templates *set = vp_templates_create();
    if (!set)
        return VP_ERR_NOMEM;
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_templates_add(set, "page", "page.html", page, sizeof page - 1, &err);
    if (st == VP_OK)
        st = vp_templates_add(set, "item", "partials/item.html", item, sizeof item - 1, &err);
    if (st == VP_OK)
        st = vp_templates_check(set, &err);
    json_t *view = json_loads("{\"title\":\"<T>\",\"raw\":\"<b>\",\"items\":"
                              "[{\"name\":\"a&b\",\"n\":1},{\"name\":\"c\",\"n\":2.5}]}",
                              0, NULL);
    vp_buf b;
    vp_buf_init(&b, 1 << 16);
    if (st == VP_OK && !view)
        st = VP_ERR_NOMEM;
    if (st == VP_OK)
        st = vp_templates_render(set, "page", view, &b, &err);
    if (st == VP_OK && (!b.data || !strstr(b.data, "<li>a&amp;b &amp; 1</li>")))
        st = VP_ERR_INTERNAL;
    vp_buf_free(&b);
    json_decref(view);
    vp_error_clear(&err);
    vp_templates_destroy(set);
    return st;
}

/* ---- the request path: the server's entry checks, parameter validation
 * and the JSON error reply they build ---- */

static void *json_alloc(size_t n)
{
    return __wrap_malloc(n);
}

/* A refusal's reply: VP_ERR_NOMEM when memory failed on the way (a 503
 * refusal, or no JSON), else VP_ERR_INVALID for the 4xx it should be. */
static vp_status refusal_status(const api_refusal *f, unsigned want)
{
    if (f->status == 503)
        return VP_ERR_NOMEM;
    if (f->status != want)
        return VP_ERR_INTERNAL;
    api_reply r = {0};
    api_refusal_reply(f, &r);
    vp_status st = !r.json ? VP_ERR_NOMEM : r.status == want ? VP_ERR_INVALID : VP_ERR_INTERNAL;
    char *text = r.json ? json_dumps(r.json, JSON_COMPACT) : NULL;
    if (r.json && !text)
        st = VP_ERR_NOMEM;
    free(text);
    json_decref(r.json);
    return st;
}

static vp_status op_uri_check(void)
{
    json_set_alloc_funcs(json_alloc, free);
    api_refusal f;
    size_t args_at;
    vp_status st = api_uri_check("/v1/offerings/caf%c3%a9%ff?q=x", &f, &args_at) == 0
                       ? VP_ERR_INTERNAL
                       : refusal_status(&f, 404);
    json_set_alloc_funcs(malloc, free);
    return st;
}

static vp_status op_query_check(void)
{
    json_set_alloc_funcs(json_alloc, free);
    api_refusal f;
    vp_status st = api_query_check("q=caf%c3%a9&&type=course&audience=%00", &f) == 0
                       ? VP_ERR_INTERNAL
                       : refusal_status(&f, 400);
    json_set_alloc_funcs(malloc, free);
    return st;
}

static vp_status search_params(const char *query)
{
    vp_vocabulary *v = NULL;
    json_set_alloc_funcs(json_alloc, free);
    vp_status st = vp_vocabulary_load(voc_path, &v, NULL);
    vp_search_params *sp = NULL;
    vp_error err = VP_ERROR_INIT;
    if (st == VP_OK)
        st = vp_search_params_parse_query(query, v, NULL, &sp, &err);
    if (st == VP_OK && !vp_search_params_request(sp)->q)
        st = VP_ERR_INTERNAL;
    vp_search_params_destroy(sp);
    vp_error_clear(&err);
    vp_vocabulary_destroy(v);
    json_set_alloc_funcs(malloc, free);
    return st;
}

static vp_status op_search_params_valid(void)
{
    return search_params("q=klik+en+tik&type=course&type=event&facets=all&per_page=20&"
                         "from=2026-12-01&to=2027-01-31&sort=date");
}

/* An unknown proposition: its message lists the vocabulary (a vp_buf). */
static vp_status op_search_params_invalid(void)
{
    return search_params("q=cursus&proposition=geen-propositie");
}

/* The answer cache: made, a request's key, an answer kept and read back. A
 * lookup that cannot copy its answer is a miss. */
static vp_status op_answer_cache(void)
{
    vp_answer_cache *c = vp_answer_cache_create(1 << 16);
    if (!c)
        return VP_ERR_NOMEM;
    const char *types[] = {"event", "course"};
    vp_search_request req;
    memset(&req, 0, sizeof req);
    req.q = "klik en tik";
    req.page = 1;
    req.per_page = 10;
    req.now = 1796100000;
    req.values[VP_FIELD_TYPE] = types;
    req.n_values[VP_FIELD_TYPE] = 2;
    vp_index_version v = {1, 2, 3};
    vp_buf key;
    vp_buf_init(&key, 4096);
    char *value = NULL;
    size_t len = 0;
    vp_status st = vp_answer_key(&req, &key);
    if (st == VP_OK)
        st = vp_answer_cache_put(c, &v, key.data, key.len, "{\"total\":1}", 11,
                                 VP_ANSWER_NEVER_STALE);
    if (st == VP_OK && !vp_answer_cache_get(c, &v, key.data, key.len, 0, &value, &len))
        st = VP_ERR_NOMEM;
    if (st == VP_OK && (len != 11 || strcmp(value, "{\"total\":1}") != 0))
        st = VP_ERR_INTERNAL;
    free(value);
    vp_buf_free(&key);
    vp_answer_cache_destroy(c);
    return st;
}

/* An error reply that cannot be built: VP_ERR_NOMEM and a reply with no
 * body at all (neither the JSON nor the body it had), which the server
 * answers with its fixed 503; never the old body under the new status. */
static vp_status op_api_error(void)
{
    json_set_alloc_funcs(json_alloc, free);
    api_reply r = {0};
    r.status = 200;
    r.body = "<p>the page</p>";
    r.body_len = strlen(r.body);
    vp_status st = api_error(&r, 400, "invalid_parameter", "caf\xc3\xa9 is not a type", "type");
    CHECK(st == VP_OK ? r.json != NULL && r.status == 400 : r.json == NULL);
    CHECK(r.body == NULL && r.body_len == 0 && r.owned_body == NULL);
    json_decref(r.json);
    json_set_alloc_funcs(malloc, free);
    return st;
}

/* api_reply_json of a value that could not be made: VP_ERR_NOMEM and the
 * 503 (or no body, as api_error leaves it). */
static vp_status op_api_reply_json(void)
{
    json_set_alloc_funcs(json_alloc, free);
    api_reply r = {0};
    vp_status st = api_reply_json(&r, json_pack("{s:s}", "ok", "yes"), "no-store");
    if (st == VP_ERR_NOMEM)
        CHECK(r.json == NULL || r.status == 503);
    else
        CHECK(r.status == 200 && r.json != NULL);
    json_decref(r.json);
    json_set_alloc_funcs(malloc, free);
    return st;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_faults VOCABULARY\n");
        return 2;
    }
    voc_path = argv[1];
    sweep("offering_parse(valid)", op_parse_valid, VP_OK);
    sweep("offering_parse(invalid)", op_parse_invalid, VP_ERR_INVALID);
    sweep("vocabulary_load", op_vocabulary, VP_OK);
    sweep("offering_parse(vocabulary)", op_parse_with_vocabulary, VP_ERR_INVALID);
    sweep("text_fold", op_fold, VP_OK);
    sweep("buf", op_buf, VP_OK);
    sweep("template", op_template, VP_OK);
    sweep("uri_check", op_uri_check, VP_ERR_INVALID);
    sweep("query_check", op_query_check, VP_ERR_INVALID);
    sweep("search_params(valid)", op_search_params_valid, VP_OK);
    sweep("search_params(invalid)", op_search_params_invalid, VP_ERR_INVALID);
    sweep("answer_cache", op_answer_cache, VP_OK);
    sweep("api_error", op_api_error, VP_OK);
    sweep("api_reply_json", op_api_reply_json, VP_OK);
    return check_done();
}
