/* test_reply.c - the server's error convention at its bottom layer
 * (api/reply.c, the api_buf_* builders of api/site.c): a function that
 * can fail says so with a vp_status, and a failed piece is never used as
 * if it were whole.
 *
 * A reply header that does not fit is refused (it was cut or dropped
 * without a word before); an error reply replaces a body already set; a
 * URL or date built past its buffer's cap reports VP_ERR_TOO_BIG; a
 * status becomes the 503 or 500 it stands for. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "check.h"
#include "site.h"
#include "vindplaats/geo.h"
#include "vindplaats/offering.h"

static const char *error_code(const api_reply *r)
{
    return json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
}

static void test_reply_header(void)
{
    api_reply r;
    memset(&r, 0, sizeof r);
    const size_t slots = sizeof r.headers / sizeof r.headers[0];
    for (size_t i = 0; i < slots; i++)
        CHECK(api_reply_header(&r, "X-Test", "v") == VP_OK);
    CHECK(r.n_headers == slots);
    CHECK(api_reply_header(&r, "X-One-Too-Many", "v") == VP_ERR_TOO_BIG);
    CHECK(r.n_headers == slots);

    memset(&r, 0, sizeof r);
    char *longv = malloc(sizeof r.headers[0].value + 1);
    memset(longv, 'a', sizeof r.headers[0].value);
    longv[sizeof r.headers[0].value] = '\0';
    CHECK(api_reply_header(&r, "Location", longv) == VP_ERR_TOO_BIG);
    CHECK(r.n_headers == 0);
    longv[sizeof r.headers[0].value - 1] = '\0'; /* the longest that fits */
    CHECK(api_reply_header(&r, "Location", longv) == VP_OK);
    CHECK(strlen(r.headers[0].value) == sizeof r.headers[0].value - 1);
    free(longv);
}

static void test_error_replaces_body(void)
{
    api_reply r;
    memset(&r, 0, sizeof r);
    r.owned_body = strdup("<html>half a page</html>");
    r.body_len = strlen(r.owned_body);
    api_error(&r, 500, "internal_error", "broken", NULL);
    CHECK(r.owned_body == NULL);
    CHECK(r.status == 500);
    CHECK_STR(error_code(&r), "internal_error");
    json_decref(r.json);
}

static void test_status_error(void)
{
    static const struct {
        vp_status st;
        unsigned http;
        const char *code;
    } cases[] = {
        {VP_ERR_NOMEM, 503, "unavailable"},     {VP_ERR_IO, 503, "unavailable"},
        {VP_ERR_MODIFIED, 503, "unavailable"},  {VP_ERR_NOT_FOUND, 503, "unavailable"},
        {VP_ERR_TOO_BIG, 500, "internal_error"}, {VP_ERR_INTERNAL, 500, "internal_error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        api_reply r;
        memset(&r, 0, sizeof r);
        api_status_error(&r, cases[i].st, NULL);
        CHECK(r.status == cases[i].http);
        CHECK_STR(error_code(&r), cases[i].code);
        json_decref(r.json);
    }
}

static void test_builders(void)
{
    vp_buf b;
    vp_buf_init(&b, 64);
    CHECK(api_buf_offering_url(&b, "https://x.nl", "agenda:a b/é") == VP_OK);
    CHECK_STR(b.data, "https://x.nl/o/agenda:a%20b%2F%C3%A9");
    vp_buf_free(&b);

    /* Past the cap: a failure, never a cut address. */
    vp_buf_init(&b, 16);
    CHECK(api_buf_url(&b, "0123456789/0123456789", 0) == VP_ERR_TOO_BIG);
    vp_buf_free(&b);
    vp_buf_init(&b, 16);
    CHECK(api_buf_offering_url(&b, "", "0123456789abcdef") == VP_ERR_TOO_BIG);
    vp_buf_free(&b);

    vp_buf_init(&b, 256);
    CHECK(api_buf_when(&b, "2026-12-02T10:00:00+01:00", "2026-12-02T12:00:00+01:00") == VP_OK);
    CHECK_STR(b.data, "wo 2 dec 2026, 10:00–12:00");
    vp_buf_free(&b);
    vp_buf_init(&b, 8);
    CHECK(api_buf_when(&b, "2026-12-02T10:00:00+01:00", NULL) == VP_ERR_TOO_BIG);
    vp_buf_free(&b);
    vp_buf_init(&b, 256);
    CHECK(api_buf_when(&b, "not a date", NULL) == VP_OK); /* nothing to write */
    CHECK(b.len == 0);
    vp_buf_free(&b);

    json_t *price = json_pack("{s:f, s:s}", "amount", 12.5, "currency", "EUR");
    vp_buf_init(&b, 256);
    CHECK(api_buf_price(&b, price) == VP_OK);
    CHECK_STR(b.data, "€ 12,50");
    vp_buf_free(&b);
    vp_buf_init(&b, 4);
    CHECK(api_buf_price(&b, price) == VP_ERR_TOO_BIG);
    vp_buf_free(&b);
    json_decref(price);

    json_t *where = json_pack("{s:s, s:s}", "branch_name", "Neude", "library_name",
                              "Bibliotheek Utrecht");
    vp_buf_init(&b, 256);
    CHECK(api_buf_where(&b, where) == VP_OK);
    CHECK_STR(b.data, "Neude, Bibliotheek Utrecht");
    vp_buf_free(&b);
    vp_buf_init(&b, 10);
    CHECK(api_buf_where(&b, where) == VP_ERR_TOO_BIG);
    vp_buf_free(&b);
    json_decref(where);

    json_t *ld = json_pack("{s:s}", "name", "</script>");
    vp_buf_init(&b, 256);
    CHECK(api_buf_jsonld(&b, ld) == VP_OK);
    CHECK_STR(b.data, "{\"name\":\"\\u003c/script\\u003e\"}");
    vp_buf_free(&b);
    vp_buf_init(&b, 12);
    CHECK(api_buf_jsonld(&b, ld) == VP_ERR_TOO_BIG);
    vp_buf_free(&b);
    json_decref(ld);
}

static void test_request_checks(void)
{
    api_refusal f;
    size_t args_at;
    char *uri = malloc(API_MAX_URI + 10);
    memset(uri, 'a', API_MAX_URI + 9);
    uri[0] = '/';
    uri[API_MAX_URI + 9] = '\0';
    CHECK(api_uri_check(uri, &f, &args_at) == VP_ERR_TOO_BIG);
    CHECK(f.status == 414);
    free(uri);
    CHECK(api_uri_check("/v1/search?q=x", &f, &args_at) == VP_OK);
    CHECK(api_uri_check("/v1/offerings/%ff", &f, &args_at) == VP_ERR_INVALID);
    CHECK(f.status == 404);
    CHECK(api_query_check("q=ok&type=%00", &f) == VP_ERR_INVALID);
    CHECK_STR(f.parameter, "type");
    CHECK(api_query_check("q=caf%C3%A9", &f) == VP_OK);
}

static void test_engine_statuses(void)
{
    vp_datetime dt;
    CHECK(vp_datetime_parse("2026-12-03T10:00:00+01:00", &dt) == VP_OK);
    CHECK(vp_datetime_parse("2026-12-03T10:00:00", &dt) == VP_ERR_INVALID);
    char isbn[14];
    CHECK(vp_offering_isbn13("978-90-274-3964-2", isbn) == VP_OK);
    CHECK(vp_offering_isbn13("978-90-274-3964-3", isbn) == VP_ERR_INVALID);
    json_t *past = json_pack("{s:s}", "start", "2020-01-01T10:00:00+01:00");
    const char *s, *e;
    int64_t utc;
    CHECK(vp_offering_json_next(past, 1900000000, &s, &e, &utc, NULL) == VP_ERR_NOT_FOUND);
    CHECK(vp_offering_json_next(past, 1500000000, &s, &e, &utc, NULL) == VP_OK);
    json_decref(past);
    double lat, lon;
    CHECK(vp_postcodes_find(NULL, "3511", &lat, &lon) == VP_ERR_NOT_FOUND);
}

/* A refused parameter's 400: the field named from the error's own
 * `parameter`, the words from its message. */
static void test_param_error(void)
{
    vp_error err = VP_ERROR_INIT;
    vp_error_set(&err, VP_ERR_INVALID, &(vp_where){.parameter = "per_page"},
                 "per_page: must be a whole number from 1 to 100");
    api_reply r;
    memset(&r, 0, sizeof r);
    api_param_error(&r, &err);
    json_t *e = json_object_get(r.json, "error");
    CHECK(r.status == 400);
    CHECK_STR(json_string_value(json_object_get(e, "code")), "invalid_parameter");
    CHECK_STR(json_string_value(json_object_get(e, "parameter")), "per_page");
    CHECK_STR(json_string_value(json_object_get(e, "message")),
              "per_page: must be a whole number from 1 to 100");
    json_decref(r.json);
    vp_error_clear(&err);
}

/* A failed engine call becomes its reply from its vp_error: the status
 * chooses the HTTP status, the fields the code, message and parameter (a
 * path leads the message); the file read stays out; a callee that set
 * nothing gives its status's words. */
static void test_error_from(void)
{
    vp_error err = VP_ERROR_INIT;
    api_reply r;
    memset(&r, 0, sizeof r);
    vp_error_set(&err, VP_ERR_IO, &(vp_where){.file = "/srv/index", .line = 3, .path = "shard1"},
                 "cannot read");
    CHECK(api_error_from(&r, VP_ERR_IO, &err) == VP_OK);
    json_t *e = json_object_get(r.json, "error");
    CHECK(r.status == 503);
    CHECK_STR(json_string_value(json_object_get(e, "code")), "unavailable");
    CHECK_STR(json_string_value(json_object_get(e, "message")), "shard1: cannot read");
    CHECK(json_object_size(e) == 2); /* code and message: no file, line, path or parameter */
    json_decref(r.json);

    memset(&r, 0, sizeof r);
    vp_error_set(&err, VP_ERR_INVALID, &(vp_where){.parameter = "exclude"},
                 "exclude: at most 100 offerings");
    api_error_from(&r, VP_ERR_INVALID, &err);
    e = json_object_get(r.json, "error");
    CHECK(r.status == 400);
    CHECK_STR(json_string_value(json_object_get(e, "code")), "invalid_parameter");
    CHECK_STR(json_string_value(json_object_get(e, "parameter")), "exclude");
    json_decref(r.json);

    memset(&r, 0, sizeof r);
    vp_error_set(&err, VP_ERR_NOMEM, NULL, "index: out of memory while sorting");
    api_error_from(&r, VP_ERR_NOMEM, &err);
    CHECK(r.status == 503);
    CHECK_STR(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
              "out of memory");
    json_decref(r.json);

    memset(&r, 0, sizeof r);
    vp_error_set(&err, VP_ERR_INDEX, NULL, "DatabaseCorruptError: bad block");
    api_error_from(&r, VP_ERR_INDEX, &err);
    CHECK(r.status == 500);
    CHECK_STR(error_code(&r), "internal_error");
    json_decref(r.json);
    vp_error_clear(&err);

    /* Nothing filled in: the status alone. */
    memset(&r, 0, sizeof r);
    api_error_from(&r, VP_ERR_MODIFIED, &err);
    CHECK(r.status == 503);
    CHECK_STR(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
              vp_status_str(VP_ERR_MODIFIED));
    json_decref(r.json);

    /* A page that cannot be made: 503 whatever the status. */
    memset(&r, 0, sizeof r);
    vp_error_set(&err, VP_ERR_INDEX, &(vp_where){.file = "/srv/index"}, "no such shard");
    api_unavailable(&r, VP_ERR_INDEX, &err);
    CHECK(r.status == 503);
    CHECK_STR(error_code(&r), "unavailable");
    CHECK_STR(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
              "no such shard");
    json_decref(r.json);
    vp_error_clear(&err);
    memset(&r, 0, sizeof r);
    api_unavailable(&r, VP_ERR_IO, NULL);
    CHECK_STR(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
              vp_status_str(VP_ERR_IO));
    json_decref(r.json);
}

/* jansson's allocations fail from the Nth on (SIZE_MAX: never). */
static size_t alloc_left = (size_t)-1;
static void *failing_malloc(size_t n)
{
    if (alloc_left == 0)
        return NULL;
    if (alloc_left != (size_t)-1)
        alloc_left--;
    return malloc(n);
}

/* The parts a page view is given say when they could not be added,
 * rather than leave them out without a word. */
static void test_page_parts(void)
{
    json_t *view = json_pack("{s:{}}", "page");
    CHECK(api_page_robots(view, "noindex") == VP_OK);
    CHECK(api_page_script(view, "/widget.js") == VP_OK);
    CHECK(api_page_alternate(view, "application/atom+xml", NULL, "/q/x.atom") == VP_OK);
    CHECK_STR(json_string_value(json_object_get(json_object_get(view, "page"), "robots")), "noindex");
    /* A view without a page frame takes nothing and loses nothing. */
    json_t *bare = json_object();
    CHECK(api_page_robots(bare, "noindex") == VP_OK);
    json_decref(bare);
    json_set_alloc_funcs(failing_malloc, free);
    alloc_left = 0;
    CHECK(api_page_robots(view, "index") == VP_ERR_NOMEM);
    CHECK(api_page_script(view, "/other.js") == VP_ERR_NOMEM);
    alloc_left = (size_t)-1;
    json_set_alloc_funcs(malloc, free);
    json_decref(view);

    vp_buf b;
    vp_buf_init(&b, 4);
    CHECK(api_buf_proposition_path(&b, NULL, "leesclub", NULL) == VP_ERR_TOO_BIG);
    vp_buf_free(&b);
    vp_buf_init(&b, 64);
    CHECK(api_buf_proposition_path(&b, NULL, "leesclub", NULL) == VP_OK);
    CHECK_STR(b.data, "/p/leesclub");
    vp_buf_free(&b);
}

int main(void)
{
    test_reply_header();
    test_error_replaces_body();
    test_status_error();
    test_builders();
    test_request_checks();
    test_engine_statuses();
    test_param_error();
    test_error_from();
    test_page_parts();
    return check_done();
}
