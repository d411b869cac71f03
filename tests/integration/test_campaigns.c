/* test_campaigns.c - campaign links, insights, the service map, offering
 * pages, sitemaps and admin access through the real programs: the sample
 * network (plus a few offerings of its own: past events, a service) is
 * indexed, vindplaats-server runs with the embedded store and, later, two
 * replicas share a real redis-server; every check is an HTTP request on
 * loopback. Feeds and sitemaps are parsed with libxml2, JSON-LD is taken out
 * of the pages and parsed with jansson. Counts are compared before and after
 * (deltas), so the order of the parts does not matter. */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check.h"
#include "proc.h"
#include "redis.h"

#define KEY_FILE "file-key-0123456789abcdef"
#define KEY_DIGEST "digest-key-0123456789abcd"
#define KEY_ENV "env-key-0123456789abcdefg"
#define AUTH "Bearer " KEY_FILE
#define BROWSER "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"

static char bindir[1024], dir[64], index_dir[1100], network[1100];
static unsigned port;

/* ---- helpers ---- */

static long get(unsigned p, const char *path, const char *const *headers, http_reply *r)
{
    if (http_send(p, "GET", path, headers, NULL, r) != 0) {
        fprintf(stderr, "no answer for %s\n", path);
        return 0;
    }
    return r->status;
}

static json_t *get_json_at(unsigned p, const char *path, long want)
{
    /* The key goes along everywhere: reports need it, public routes ignore it. */
    const char *h[] = {"Accept: application/json", "User-Agent: " BROWSER, "Authorization: " AUTH,
                       NULL};
    http_reply r;
    long st = get(p, path, h, &r);
    if (st != want)
        fprintf(stderr, "%s: status %ld, wanted %ld: %.300s\n", path, st, want, r.body);
    CHECK(st == want);
    json_t *j = json_loads(r.body ? r.body : "", 0, NULL);
    if (!j)
        fprintf(stderr, "%s: not JSON: %.200s\n", path, r.body);
    http_reply_free(&r);
    return j;
}

static json_t *get_json(const char *path, long want)
{
    return get_json_at(port, path, want);
}

/* An error reply with `status`, `code` and (when given) `parameter`. */
static void check_error(http_reply *r, long status, const char *code, const char *parameter)
{
    if (r->status != status)
        fprintf(stderr, "expected %ld, got %ld: %.300s\n", status, r->status, r->body);
    CHECK(r->status == status);
    json_t *j = json_loads(r->body ? r->body : "", 0, NULL);
    json_t *e = json_object_get(j, "error");
    CHECK_STR(json_string_value(json_object_get(e, "code")), code);
    CHECK(json_string_length(json_object_get(e, "message")) > 0);
    if (parameter)
        CHECK_STR(json_string_value(json_object_get(e, "parameter")), parameter);
    json_decref(j);
}

static long put(unsigned p, const char *slug, const char *body, const char *auth, http_reply *r)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/queries/%s", slug);
    if (http_put(p, path, auth, body, r) != 0)
        return 0;
    return r->status;
}

/* PUT that must fail with 400 naming `parameter`, its message holding `fragment`. */
static void put_bad(const char *slug, const char *body, const char *parameter, const char *fragment)
{
    http_reply r;
    put(port, slug, body, AUTH, &r);
    check_error(&r, 400, "invalid_parameter", parameter);
    if (fragment)
        CHECK_CONTAINS(r.body, fragment);
    http_reply_free(&r);
}

static char *escape(const char *s)
{
    char *out = malloc(strlen(s) * 3 + 1), *o = out;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-_.~", c))
            *o++ = (char)c;
        else
            o += sprintf(o, "%%%02X", c);
    }
    *o = '\0';
    return out;
}

/* Every JSON-LD block of a page, parsed, as an array. */
static json_t *jsonld_of(const char *html)
{
    json_t *all = json_array();
    const char *open = "<script type=\"application/ld+json\">";
    for (const char *p = html ? strstr(html, open) : NULL; p; p = strstr(p, open)) {
        p += strlen(open);
        const char *end = strstr(p, "</script>");
        if (!end)
            break;
        json_error_t e;
        json_t *j = json_loadb(p, (size_t)(end - p), 0, &e);
        if (!j)
            fprintf(stderr, "JSON-LD does not parse: %s: %.200s\n", e.text, p);
        CHECK(j != NULL);
        if (j)
            json_array_append_new(all, j);
        p = end;
    }
    return all;
}

/* The exact total of a search (a facet makes the engine count every match). */
static json_int_t total_of(const char *query)
{
    char path[2048];
    snprintf(path, sizeof path, "/v1/search?%s%sfacets=type&per_page=1", query, *query ? "&" : "");
    json_t *j = get_json(path, 200);
    CHECK(json_is_true(json_object_get(j, "total_exact")));
    json_int_t t = json_integer_value(json_object_get(j, "total"));
    json_decref(j);
    return t;
}

/* The offerings a search matches: the sum of its type facet (the total
 * counts results: a work offered by several libraries, or an activity on
 * several dates, once). */
static json_int_t offerings_of(const char *query)
{
    char path[2048];
    snprintf(path, sizeof path, "/v1/search?%s%sfacets=type&per_page=1", query, *query ? "&" : "");
    json_t *j = get_json(path, 200);
    json_int_t sum = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(j, "facets"), "type"), i, v) {
        sum += json_integer_value(json_object_get(v, "count"));
    }
    /* What the search says it counts. */
    CHECK(json_integer_value(json_object_get(j, "total_offerings")) == sum);
    json_decref(j);
    return sum;
}

static xmlDocPtr parse_xml(const char *text)
{
    xmlDocPtr d = xmlReadMemory(text ? text : "", text ? (int)strlen(text) : 0, "x.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!d)
        fprintf(stderr, "not well-formed XML: %.300s\n", text);
    CHECK(d != NULL);
    return d;
}

static xmlNodePtr child(xmlNodePtr n, const char *name)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static char *text_of(xmlNodePtr n)
{
    return n ? (char *)xmlNodeGetContent(n) : NULL;
}

/* extra: more options (NULL-terminated, at most 4), or NULL. */
static unsigned start_server_k(const char *name, const char *store_flag, const char *store_value,
                               const char *now, const char *write_limit,
                               const char *const *extra, pid_t *pid)
{
    char server[1100], portfile[1100], log[1100], keys[1100];
    snprintf(server, sizeof server, "%s/vindplaats-server", bindir);
    snprintf(portfile, sizeof portfile, "%s/%s.port", dir, name);
    snprintf(log, sizeof log, "%s/%s.log", dir, name);
    snprintf(keys, sizeof keys, "%s/admin-keys", dir);
    unlink(portfile);
    char *argv[] = {server, "--index", index_dir, "--port", "0", "--port-file", portfile,
                    "--now", (char *)now, "--threads", "3", "--network", network,
                    "--admin-keys", keys, "--write-limit", (char *)write_limit,
                    (char *)store_flag, (char *)store_value, NULL, NULL, NULL, NULL, NULL};
    for (size_t i = 0; extra && extra[i] && i < 4; i++)
        argv[19 + i] = (char *)extra[i];
    *pid = proc_start(argv, log);
    unsigned p = proc_wait_port(portfile, 30);
    if (!p) {
        char *cat[] = {"/bin/cat", log, NULL};
        char *out = NULL;
        proc_run(cat, &out);
        fprintf(stderr, "server %s did not start:\n%s\n", name, out ? out : "");
        free(out);
    }
    CHECK(p != 0);
    /* Ready: the service map is built beside the requests after a start. */
    CHECK(!p || proc_wait_services(p, 120) == 0);
    return p;
}

/* A server that shows a query's text once one client searched it: the
 * reports' counts are checked with one client here; test_min_clients
 * checks the default threshold with several. */
static unsigned start_server(const char *name, const char *store_flag, const char *store_value,
                             const char *now, const char *write_limit, pid_t *pid)
{
    const char *one[] = {"--query-min-clients", "1", NULL};
    return start_server_k(name, store_flag, store_value, now, write_limit, one, pid);
}

/* ---- access ---- */

static void test_access(void)
{
    http_reply r;
    const char *body = "{\"title\":\"x\"}";
    put(port, "some-slug", body, NULL, &r);
    check_error(&r, 401, "unauthorized", NULL);
    char *www = http_header(&r, "WWW-Authenticate");
    CHECK_CONTAINS(www, "Bearer");
    free(www);
    http_reply_free(&r);
    put(port, "some-slug", body, "Bearer not-the-right-key-at-all", &r);
    check_error(&r, 403, "forbidden", NULL);
    http_reply_free(&r);
    put(port, "some-slug", body, "Basic bm9ib2R5Om5vdGhpbmc=", &r);
    check_error(&r, 403, "forbidden", NULL);
    http_reply_free(&r);
    put(port, "some-slug", body, "Token " KEY_FILE, &r);
    check_error(&r, 401, "unauthorized", NULL);
    http_reply_free(&r);

    get(port, "/v1/queries", NULL, &r);
    check_error(&r, 401, "unauthorized", NULL);
    http_reply_free(&r);
    const char *wrong[] = {"Authorization: Bearer wrong-key-0123456789abc", NULL};
    get(port, "/v1/queries/some-slug", wrong, &r);
    check_error(&r, 403, "forbidden", NULL);
    http_reply_free(&r);
    http_delete(port, "/v1/queries/some-slug", NULL, &r);
    check_error(&r, 401, "unauthorized", NULL);
    http_reply_free(&r);

    /* The staff page asks a browser for the key as a password. */
    get(port, "/insights", NULL, &r);
    check_error(&r, 401, "unauthorized", NULL);
    www = http_header(&r, "WWW-Authenticate");
    CHECK_CONTAINS(www, "Basic realm=");
    free(www);
    /* ...and says so, not the Bearer header that the API takes. */
    CHECK_CONTAINS(r.body, "as the password");
    CHECK(strstr(r.body, "Bearer") == NULL);
    http_reply_free(&r);
    get(port, "/insights", wrong, &r);
    check_error(&r, 403, "forbidden", NULL);
    http_reply_free(&r);

    /* What residents typed is for staff only: every report, JSON and CSV,
     * asks for the key the API way (Bearer); the page the browser way. */
    const char *reports[] = {"/v1/insights/queries", "/v1/insights/queries?format=csv",
                             "/v1/insights/days", "/v1/insights/days?format=csv",
                             "/v1/insights/propositions", "/v1/insights/propositions?format=csv",
                             "/v1/insights/filters", "/v1/insights/filters?format=csv",
                             "/v1/insights/campaigns", "/v1/insights/campaigns?format=csv",
                             "/v1/insights/segments", "/v1/insights/segments?format=csv"};
    const char *right[] = {"Authorization: " AUTH, NULL};
    for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++) {
        get(port, reports[i], NULL, &r);
        check_error(&r, 401, "unauthorized", NULL);
        www = http_header(&r, "WWW-Authenticate");
        CHECK(www && strncmp(www, "Bearer realm=", 13) == 0);
        free(www);
        CHECK_CONTAINS(r.body, "Authorization: Bearer");
        http_reply_free(&r);
        get(port, reports[i], wrong, &r);
        check_error(&r, 403, "forbidden", NULL);
        http_reply_free(&r);
        if (get(port, reports[i], right, &r) != 200)
            fprintf(stderr, "%s with the key: %ld\n", reports[i], r.status);
        CHECK(r.status == 200);
        http_reply_free(&r);
    }
    get(port, "/insights", NULL, &r);
    CHECK_CONTAINS(r.body, "password");
    http_reply_free(&r);

    /* Each source of keys works: the file, a digest in the file, the environment. */
    const char *keys[] = {"Authorization: Bearer " KEY_FILE, "Authorization: bearer " KEY_DIGEST,
                          "Authorization: Bearer " KEY_ENV,
                          /* base64("staff:" KEY_FILE) */
                          "Authorization: Basic c3RhZmY6ZmlsZS1rZXktMDEyMzQ1Njc4OWFiY2RlZg=="};
    for (size_t i = 0; i < 4; i++) {
        const char *h[] = {keys[i], NULL};
        CHECK(get(port, "/v1/queries", h, &r) == 200);
        http_reply_free(&r);
    }
    const char *basic[] = {keys[3], NULL};
    CHECK(get(port, "/insights", basic, &r) == 200);
    http_reply_free(&r);

    /* Read endpoints stay public, from any origin. */
    CHECK(get(port, "/v1/propositions", NULL, &r) == 200);
    char *acao = http_header(&r, "Access-Control-Allow-Origin");
    CHECK_STR(acao, "*");
    free(acao);
    http_reply_free(&r);
}

static void test_preflight(void)
{
    struct {
        const char *path, *methods, *allow_headers;
        long status;
    } cases[] = {
        {"/v1/search", "GET, HEAD, OPTIONS", "Content-Type", 204},
        {"/v1/signals", "POST, OPTIONS", "Content-Type", 204},
        {"/v1/queries/any-slug", "GET, HEAD, PUT, DELETE, OPTIONS", "Authorization, Content-Type", 204},
        {"/q/any-slug", "GET, HEAD, OPTIONS", "Content-Type", 204},
        {"/v1/insights/queries", "GET, HEAD, OPTIONS", "Authorization, Content-Type", 204},
        {"/v1/nothing", NULL, NULL, 404},
    };
    const char *h[] = {"Origin: https://www.bibliotheek.example.nl",
                       "Access-Control-Request-Method: POST",
                       "Access-Control-Request-Headers: content-type", NULL};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_reply r;
        CHECK(http_send(port, "OPTIONS", cases[i].path, h, NULL, &r) == 0);
        if (r.status != cases[i].status)
            fprintf(stderr, "OPTIONS %s: %ld\n", cases[i].path, r.status);
        CHECK(r.status == cases[i].status);
        if (cases[i].methods) {
            char *m = http_header(&r, "Access-Control-Allow-Methods");
            char *ah = http_header(&r, "Access-Control-Allow-Headers");
            char *o = http_header(&r, "Access-Control-Allow-Origin");
            CHECK_STR(m, cases[i].methods);
            CHECK_STR(ah, cases[i].allow_headers);
            CHECK_STR(o, "*");
            CHECK(r.body && r.body[0] == '\0');
            free(m);
            free(ah);
            free(o);
        }
        http_reply_free(&r);
    }
}

/* ---- saved queries ---- */

static const char *course_id, *pinned_id;
static char course_buf[256], pinned_buf[256];

static void test_saving(void)
{
    /* Offerings to pin: taken from the index, so the sample may change. */
    json_t *j = get_json("/v1/search?type=course&municipality=Amersfoort&per_page=3&sort=date", 200);
    snprintf(course_buf, sizeof course_buf, "%s",
             json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "id")));
    json_decref(j);
    j = get_json("/v1/search?type=ebook&per_page=1", 200);
    snprintf(pinned_buf, sizeof pinned_buf, "%s",
             json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "id")));
    json_decref(j);
    course_id = course_buf;
    pinned_id = pinned_buf;
    CHECK(course_id[0] && pinned_id[0]);

    /* Problems are named when saving, not when a resident clicks. */
    const char *ok_title = "\"title\":\"Cursussen\"";
    char body[2048];
    put_bad("Bad_Slug", "{\"title\":\"x\"}", "slug", "lower-case");
    put_bad("a--b", "{\"title\":\"x\"}", "slug", NULL);
    put_bad("-ab", "{\"title\":\"x\"}", "slug", NULL);
    put_bad("abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij", "{\"title\":\"x\"}",
            "slug", NULL);
    put_bad("goede-slug", "", "body", "empty");
    put_bad("goede-slug", "not json", "body", NULL);
    put_bad("goede-slug", "[1,2]", "body", "not an object");
    put_bad("goede-slug", "{\"intro\":\"x\"}", "title", "required");
    put_bad("goede-slug", "{\"title\":\"   \"}", "title", NULL);
    put_bad("goede-slug", "{\"title\":\"x\",\"colour\":\"red\"}", "colour", "unknown field");
    put_bad("goede-slug", "{\"title\":\"x\",\"slug\":\"andere-slug\"}", "slug", NULL);
    snprintf(body, sizeof body, "{%s,\"search\":{\"type\":\"kursus\"}}", ok_title);
    put_bad("goede-slug", body, "search", "type: unknown value \\\"kursus\\\"");
    snprintf(body, sizeof body, "{%s,\"search\":\"tpye=course\"}", ok_title);
    put_bad("goede-slug", body, "search", "unknown parameter \\\"tpye\\\"");
    snprintf(body, sizeof body, "{%s,\"search\":\"q=x&page=2\"}", ok_title);
    put_bad("goede-slug", body, "search", "page is not part");
    snprintf(body, sizeof body, "{%s,\"search\":{\"postcode\":\"0000\"}}", ok_title);
    put_bad("goede-slug", body, "search", "postcode");
    snprintf(body, sizeof body, "{%s,\"search\":{\"q\":{\"a\":1}}}", ok_title);
    put_bad("goede-slug", body, "search", "search.q");
    snprintf(body, sizeof body, "{%s,\"search\":42}", ok_title);
    put_bad("goede-slug", body, "search", NULL);
    snprintf(body, sizeof body, "{%s,\"pinned\":[\"nope:none\"]}", ok_title);
    put_bad("goede-slug", body, "pinned", "pinned[0]: unknown offering");
    snprintf(body, sizeof body, "{%s,\"pinned\":[\"%s\",\"%s\"]}", ok_title, course_id, course_id);
    put_bad("goede-slug", body, "pinned", "pinned twice");
    snprintf(body, sizeof body, "{%s,\"pinned\":\"%s\"}", ok_title, course_id);
    put_bad("goede-slug", body, "pinned", NULL);
    snprintf(body, sizeof body, "{%s,\"valid_from\":\"volgende week\"}", ok_title);
    put_bad("goede-slug", body, "valid_from", NULL);
    snprintf(body, sizeof body, "{%s,\"valid_from\":\"2027-01-10\",\"valid_until\":\"2027-01-01\"}",
             ok_title);
    put_bad("goede-slug", body, "valid_until", "after valid_from");
    /* Nothing of that was stored. */
    http_reply r;
    const char *auth[] = {"Authorization: " AUTH, NULL};
    CHECK(get(port, "/v1/queries/goede-slug", auth, &r) == 404);
    check_error(&r, 404, "not_found", NULL);
    http_reply_free(&r);

    /* Saved: 201 with a Location, then 200 when replaced. */
    snprintf(body, sizeof body,
             "{\"title\":\"Gratis computercursussen in Amersfoort\",\"intro\":\"Leer <b>mailen</b> "
             "& appen bij de bibliotheek.\",\"search\":{\"type\":[\"course\",\"activity\"],"
             "\"municipality\":\"Amersfoort\",\"societal_task\":\"informatiesamenleving\","
             "\"per_page\":5},\"pinned\":[\"%s\"],\"valid_until\":\"2027-01-31\"}",
             pinned_id);
    CHECK(put(port, "digitaal-amersfoort", body, AUTH, &r) == 201);
    char *loc = http_header(&r, "Location");
    CHECK_STR(loc, "/v1/queries/digitaal-amersfoort");
    free(loc);
    json_t *def = json_loads(r.body, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(def, "status")), "active");
    CHECK_CONTAINS(json_string_value(json_object_get(def, "search")), "municipality=Amersfoort");
    CHECK_CONTAINS(json_string_value(json_object_get(def, "url")), "/q/digitaal-amersfoort");
    const char *created = json_string_value(json_object_get(def, "created"));
    CHECK(created != NULL);
    char created_copy[64];
    snprintf(created_copy, sizeof created_copy, "%s", created ? created : "");
    json_decref(def);
    http_reply_free(&r);
    CHECK(put(port, "digitaal-amersfoort", body, "Bearer " KEY_ENV, &r) == 200);
    def = json_loads(r.body, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(def, "created")), created_copy);
    json_decref(def);
    http_reply_free(&r);

    /* A link copied from the address bar is a search too. */
    CHECK(put(port, "voorlezen-utrecht",
              "{\"title\":\"Voorlezen in Utrecht\",\"search\":\"https://vindplaats.example.nl/"
              "?q=voorlezen&library=bibliotheek-utrecht#top\"}",
              AUTH, &r) == 201);
    def = json_loads(r.body, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(def, "search")),
              "q=voorlezen&library=bibliotheek-utrecht");
    json_decref(def);
    http_reply_free(&r);
    /* Scheduled and expired ones. */
    CHECK(put(port, "kerst-later", "{\"title\":\"Later\",\"valid_from\":\"2027-01-01\"}", AUTH, &r) ==
          201);
    http_reply_free(&r);
    CHECK(put(port, "najaar-voorbij",
              "{\"title\":\"Voorbij\",\"valid_from\":\"2026-09-01T00:00:00+02:00\","
              "\"valid_until\":\"2026-11-15\"}",
              AUTH, &r) == 201);
    def = json_loads(r.body, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(def, "status")), "expired");
    json_decref(def);
    http_reply_free(&r);

    /* The list and one query. */
    json_t *list = NULL;
    CHECK(get(port, "/v1/queries", auth, &r) == 200);
    list = json_loads(r.body, 0, NULL);
    http_reply_free(&r);
    json_t *qs = json_object_get(list, "queries");
    CHECK(json_array_size(qs) == 4);
    size_t i;
    json_t *q;
    int seen = 0;
    json_array_foreach(qs, i, q) {
        const char *slug = json_string_value(json_object_get(q, "slug"));
        const char *st = json_string_value(json_object_get(q, "status"));
        if (strcmp(slug, "kerst-later") == 0) {
            CHECK_STR(st, "scheduled");
            seen++;
        }
        if (strcmp(slug, "najaar-voorbij") == 0) {
            CHECK_STR(st, "expired");
            seen++;
        }
        if (strcmp(slug, "digitaal-amersfoort") == 0) {
            CHECK_STR(st, "active");
            seen++;
        }
    }
    CHECK(seen == 3);
    json_decref(list);
    CHECK(get(port, "/v1/queries/digitaal-amersfoort", auth, &r) == 200);
    def = json_loads(r.body, 0, NULL);
    CHECK_STR(json_string_value(json_array_get(json_object_get(def, "pinned"), 0)), pinned_id);
    CHECK(json_is_object(json_object_get(def, "stats")));
    CHECK_STR(json_string_value(json_object_get(def, "valid_until")), "2027-01-31");
    json_decref(def);
    http_reply_free(&r);
    CHECK(get(port, "/v1/queries/Bad_Slug", auth, &r) == 400);
    http_reply_free(&r);
    CHECK(get(port, "/v1/queries?x=1", auth, &r) == 400);
    check_error(&r, 400, "unknown_parameter", "x");
    http_reply_free(&r);
    CHECK(http_send(port, "POST", "/v1/queries/digitaal-amersfoort", auth, "{}", &r) == 0);
    CHECK(r.status == 405);
    http_reply_free(&r);
}

/* ---- the landing page ---- */

static const char *const SAVED = "type=course&type=activity&municipality=Amersfoort"
                                 "&societal_task=informatiesamenleving";

static json_t *campaign_counts(const char *slug)
{
    json_t *j = get_json("/v1/insights/campaigns", 200);
    json_t *found = NULL;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "campaigns"), i, c) {
        if (strcmp(json_string_value(json_object_get(c, "slug")), slug) == 0)
            found = json_incref(c);
    }
    json_decref(j);
    return found ? found : json_pack("{s:i, s:i, s:i, s:[]}", "visits", 0, "searches", 0,
                                     "clicks", 0, "sources");
}

static json_int_t count(json_t *c, const char *k)
{
    return json_integer_value(json_object_get(c, k));
}

/* Summed over every row of the source (with any medium and campaign). */
static json_int_t source_count(json_t *c, const char *source, const char *k)
{
    size_t i;
    json_t *s;
    json_int_t n = 0;
    json_array_foreach(json_object_get(c, "sources"), i, s) {
        if (strcmp(json_string_value(json_object_get(s, "utm_source")), source) == 0)
            n += json_integer_value(json_object_get(s, k));
    }
    return n;
}

static void test_landing(void)
{
    json_t *before = campaign_counts("digitaal-amersfoort");
    const char *browser[] = {"User-Agent: " BROWSER, NULL};
    http_reply r;
    CHECK(get(port, "/q/digitaal-amersfoort?utm_source=nieuwsbrief&utm_medium=email"
                    "&utm_campaign=najaar&fbclid=abc123",
              browser, &r) == 200);
    CHECK_CONTAINS(r.headers, "text/html");
    char *csp = http_header(&r, "Content-Security-Policy");
    CHECK_CONTAINS(csp, "default-src 'self'");
    free(csp);
    const char *html = r.body;
    CHECK_CONTAINS(html, "<h1>Gratis computercursussen in Amersfoort</h1>");
    CHECK_CONTAINS(html, "Leer &lt;b&gt;mailen&lt;/b&gt; &amp; appen");
    CHECK(!strstr(html, "<b>mailen</b>"));
    CHECK_CONTAINS(html, "<link rel=\"canonical\" href=\"http://127.0.0.1:");
    CHECK_CONTAINS(html, "/q/digitaal-amersfoort\">");
    CHECK_CONTAINS(html, "href=\"/q/digitaal-amersfoort.atom\"");
    CHECK_CONTAINS(html, "<script src=\"/widget.js\" defer></script>");
    CHECK_CONTAINS(html, "data-vindplaats-campaign=\"digitaal-amersfoort\"");
    CHECK_CONTAINS(html, "<form class=\"vp-form\" role=\"search\" action=\"/q/digitaal-amersfoort\"");
    /* utm_* stay with the visit: in the form and in every result link. */
    CHECK_CONTAINS(html, "name=\"utm_source\" value=\"nieuwsbrief\"");
    CHECK_CONTAINS(html, "/q/digitaal-amersfoort/click?offering=");
    CHECK_CONTAINS(html, "utm_source=nieuwsbrief&amp;utm_medium=email&amp;utm_campaign=najaar");
    CHECK(!strstr(html, "fbclid"));
    CHECK_CONTAINS(html, "Uitgelicht");
    /* The ItemList: the pinned offering first, then the live results. */
    json_t *ld = jsonld_of(html);
    CHECK(json_array_size(ld) == 1);
    json_t *list = json_array_get(ld, 0);
    CHECK_STR(json_string_value(json_object_get(list, "@context")), "https://schema.org");
    CHECK_STR(json_string_value(json_object_get(list, "@type")), "ItemList");
    CHECK_STR(json_string_value(json_object_get(list, "name")), "Gratis computercursussen in Amersfoort");
    json_t *items = json_object_get(list, "itemListElement");
    CHECK((json_int_t)json_array_size(items) == json_integer_value(json_object_get(list, "numberOfItems")));
    CHECK(json_array_size(items) >= 2 && json_array_size(items) <= 6);
    char *pin_esc = escape(pinned_id);
    json_t *first = json_array_get(items, 0);
    CHECK(json_integer_value(json_object_get(first, "position")) == 1);
    CHECK_STR(json_string_value(json_object_get(first, "@type")), "ListItem");
    const char *u = json_string_value(json_object_get(first, "url"));
    CHECK(u && strstr(u, "/o/") && (strstr(u, pinned_id) || strstr(u, pin_esc)));
    free(pin_esc);
    json_decref(ld);
    http_reply_free(&r);

    /* JSON for the same link: live results, the same as /v1/search gives. */
    json_t *j = get_json("/q/digitaal-amersfoort", 200);
    CHECK(json_integer_value(json_object_get(j, "total")) == total_of(SAVED));
    CHECK(json_is_true(json_object_get(j, "total_exact")));
    CHECK(json_integer_value(json_object_get(j, "per_page")) == 5);
    CHECK(json_array_size(json_object_get(j, "pinned")) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(j, "pinned"), 0), "id")),
              pinned_id);
    json_t *results = json_object_get(j, "results");
    char path[1024];
    snprintf(path, sizeof path, "/v1/search?%s&per_page=5", SAVED);
    json_t *s = get_json(path, 200);
    json_t *sres = json_object_get(s, "results");
    CHECK(json_array_size(results) == json_array_size(sres));
    for (size_t i = 0; i < json_array_size(results); i++) {
        json_t *a = json_array_get(results, i);
        CHECK_STR(json_string_value(json_object_get(a, "id")),
                  json_string_value(json_object_get(json_array_get(sres, i), "id")));
        CHECK_CONTAINS(json_string_value(json_object_get(a, "click_url")), "/q/digitaal-amersfoort/click?offering=");
        CHECK(strncmp(json_string_value(json_object_get(a, "page_url")), "/o/", 3) == 0);
        CHECK_STR(json_string_value(json_object_get(a, "municipality")), "Amersfoort");
    }
    json_decref(s);
    const char *next = json_string_value(json_object_get(j, "next"));
    CHECK_CONTAINS(next, "page=2");
    json_decref(j);
    /* Page 2: more of the same, no pinned ones. */
    j = get_json("/q/digitaal-amersfoort?page=2", 200);
    CHECK(json_integer_value(json_object_get(j, "page")) == 2);
    CHECK(json_array_size(json_object_get(j, "pinned")) == 0);
    snprintf(path, sizeof path, "/v1/search?%s&per_page=5&page=2", SAVED);
    s = get_json(path, 200);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "id")),
              json_string_value(json_object_get(json_array_get(json_object_get(s, "results"), 0), "id")));
    json_decref(s);
    json_decref(j);
    /* A resident's own words narrow the campaign's search. */
    j = get_json("/q/digitaal-amersfoort?q=tablet&utm_source=nieuwsbrief", 200);
    CHECK(json_integer_value(json_object_get(j, "total")) <= total_of(SAVED));
    CHECK(json_integer_value(json_object_get(j, "total")) > 0);
    CHECK_STR(json_string_value(json_object_get(j, "q")), "tablet");
    CHECK(json_string_length(json_object_get(j, "query_id")) == 16);
    json_decref(j);
    CHECK(get(port, "/q/digitaal-amersfoort?q=tablet", browser, &r) == 200);
    CHECK_CONTAINS(r.body, "value=\"tablet\"");
    CHECK_CONTAINS(r.body, "noindex");
    CHECK(!strstr(r.body, "Uitgelicht"));
    http_reply_free(&r);
    /* Counted: 2 visits (HTML, JSON), 2 searches; crawlers are not counted. */
    const char *bot[] = {"User-Agent: Googlebot/2.1 (+http://www.google.com/bot.html)", NULL};
    CHECK(get(port, "/q/digitaal-amersfoort?utm_source=nieuwsbrief", bot, &r) == 200);
    http_reply_free(&r);
    CHECK(http_send(port, "HEAD", "/q/digitaal-amersfoort", browser, NULL, &r) == 0);
    CHECK(r.status == 200 && r.body[0] == '\0');
    http_reply_free(&r);
    json_t *after = campaign_counts("digitaal-amersfoort");
    CHECK(count(after, "visits") - count(before, "visits") == 2);
    CHECK(count(after, "searches") - count(before, "searches") == 2);
    CHECK(source_count(after, "nieuwsbrief", "visits") - source_count(before, "nieuwsbrief", "visits") == 1);
    CHECK(source_count(after, "nieuwsbrief", "searches") - source_count(before, "nieuwsbrief", "searches") == 1);
    CHECK_STR(json_string_value(json_object_get(after, "title")), "Gratis computercursussen in Amersfoort");
    json_decref(before);
    before = after;

    /* A click: counted, then redirected to where the resident acts. */
    char *esc = escape(course_id);
    snprintf(path, sizeof path, "/q/digitaal-amersfoort/click?offering=%s&utm_source=nieuwsbrief", esc);
    CHECK(get(port, path, browser, &r) == 302);
    char *where = http_header(&r, "Location");
    char opath[512];
    snprintf(opath, sizeof opath, "/v1/offerings/%s", esc);
    json_t *o = get_json(opath, 200);
    CHECK_STR(where, json_string_value(json_object_get(o, "url")));
    json_decref(o);
    free(where);
    http_reply_free(&r);
    after = campaign_counts("digitaal-amersfoort");
    CHECK(count(after, "clicks") - count(before, "clicks") == 1);
    CHECK(source_count(after, "nieuwsbrief", "clicks") - source_count(before, "nieuwsbrief", "clicks") == 1);
    json_decref(before);
    json_decref(after);
    /* Never a redirect elsewhere: unknown offerings get a page, not a Location. */
    CHECK(get(port, "/q/digitaal-amersfoort/click?offering=https%3A%2F%2Fevil.example", browser, &r) == 404);
    CHECK(http_header(&r, "Location") == NULL);
    CHECK_CONTAINS(r.headers, "text/html");
    http_reply_free(&r);
    free(esc);

    /* Unknown, scheduled, expired, deleted: friendly pages with a search. */
    struct {
        const char *path;
        long status;
        const char *text;
    } gone[] = {
        {"/q/bestaat-niet", 404, "Deze pagina bestaat niet"},
        {"/q/Hoofdletters", 404, "Deze pagina bestaat niet"},
        {"/q/kerst-later", 404, "Deze pagina bestaat niet"},
        {"/q/najaar-voorbij", 410, "Deze actie is afgelopen"},
    };
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        CHECK(get(port, gone[i].path, browser, &r) == gone[i].status);
        CHECK_CONTAINS(r.headers, "text/html");
        CHECK_CONTAINS(r.body, gone[i].text);
        CHECK_CONTAINS(r.body, "<form class=\"find\" action=\"/\" method=\"get\" role=\"search\">");
        CHECK_CONTAINS(r.body, "name=\"q\"");
        CHECK_CONTAINS(r.body, "noindex");
        http_reply_free(&r);
        const char *accept[] = {"Accept: application/json", NULL};
        CHECK(get(port, gone[i].path, accept, &r) == gone[i].status);
        check_error(&r, gone[i].status, gone[i].status == 410 ? "gone" : "not_found", NULL);
        http_reply_free(&r);
    }
    CHECK(get(port, "/q/najaar-voorbij.atom", NULL, &r) == 410);
    http_reply_free(&r);
    CHECK(http_delete(port, "/v1/queries/voorlezen-utrecht", AUTH, &r) == 0);
    CHECK(r.status == 204 && r.body[0] == '\0');
    http_reply_free(&r);
    CHECK(http_delete(port, "/v1/queries/voorlezen-utrecht", AUTH, &r) == 0);
    check_error(&r, 404, "not_found", NULL);
    http_reply_free(&r);
    CHECK(get(port, "/q/voorlezen-utrecht", browser, &r) == 410);
    http_reply_free(&r);
    CHECK(http_send(port, "POST", "/q/digitaal-amersfoort", NULL, "x", &r) == 0);
    CHECK(r.status == 405);
    http_reply_free(&r);
}

/* A campaign for reading to toddlers in pyjamas: each activity once, at
 * its next date, its other dates on the card ("Nog 1 datum"), not twice
 * over ("Voorleesuurtje: pyjamavoorlezen" in Assen in January and March). */
static void test_landing_series(void)
{
    http_reply r;
    const char *body = "{\"title\":\"Pyjamavoorlezen\",\"search\":{\"q\":\"pyjamavoorlezen\","
                       "\"per_page\":20}}";
    CHECK(put(port, "pyjama", body, AUTH, &r) == 201);
    http_reply_free(&r);
    json_t *j = get_json("/q/pyjama", 200);
    json_t *results = json_object_get(j, "results");
    CHECK(json_array_size(results) > 5);
    CHECK(json_integer_value(json_object_get(j, "total_offerings")) >
          json_integer_value(json_object_get(j, "total")));
    size_t i, k;
    json_t *a, *b;
    int series = 0;
    json_array_foreach(results, i, a) {
        json_array_foreach(results, k, b) {
            if (k >= i)
                break;
            int same = strcmp(json_string_value(json_object_get(a, "title")),
                              json_string_value(json_object_get(b, "title"))) == 0 &&
                       json_equal(json_object_get(a, "branch"), json_object_get(b, "branch"));
            if (same)
                fprintf(stderr, "campaign: %s twice\n", json_string_value(json_object_get(a, "title")));
            CHECK(!same);
        }
        series += json_is_object(json_object_get(a, "series"));
    }
    CHECK(series > 0);
    json_decref(j);
    const char *browser[] = {"User-Agent: " BROWSER, NULL};
    CHECK(get(port, "/q/pyjama", browser, &r) == 200);
    CHECK_CONTAINS(r.body, "<li class=\"vp-series\">Nog ");
    http_reply_free(&r);
}

static void test_feed(void)
{
    http_reply r;
    CHECK(get(port, "/q/digitaal-amersfoort.atom", NULL, &r) == 200);
    CHECK_CONTAINS(r.headers, "application/atom+xml");
    xmlDocPtr d = parse_xml(r.body);
    xmlNodePtr root = d ? xmlDocGetRootElement(d) : NULL;
    CHECK(root && strcmp((const char *)root->name, "feed") == 0);
    CHECK(root && root->ns && strcmp((const char *)root->ns->href, "http://www.w3.org/2005/Atom") == 0);
    char *title = text_of(child(root, "title"));
    CHECK_STR(title, "Gratis computercursussen in Amersfoort");
    xmlFree(title);
    char *fid = text_of(child(root, "id"));
    CHECK_CONTAINS(fid, "/q/digitaal-amersfoort");
    xmlFree(fid);
    CHECK(child(root, "updated") && child(root, "author"));
    int entries = 0;
    char last[64] = "9999";
    for (xmlNodePtr e = root ? root->children : NULL; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, "entry") != 0)
            continue;
        entries++;
        char *id = text_of(child(e, "id")), *up = text_of(child(e, "updated"));
        char *t = text_of(child(e, "title"));
        CHECK_CONTAINS(id, "/o/");
        CHECK(t && *t);
        CHECK(child(e, "link") != NULL);
        /* Newest first. */
        CHECK(up && strcmp(up, last) <= 0);
        if (up)
            snprintf(last, sizeof last, "%s", up);
        xmlFree(id);
        xmlFree(up);
        xmlFree(t);
    }
    CHECK(entries > 0 && entries <= 20);
    CHECK(entries == (total_of(SAVED) < 20 ? total_of(SAVED) : 20));
    xmlFreeDoc(d);
    http_reply_free(&r);
}

/* ---- offering pages ---- */

static void check_offering_page(const char *type, const char *ld_type)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/search?type=%s&per_page=1&sort=date", type);
    json_t *s = get_json(path, 200);
    json_t *res = json_array_get(json_object_get(s, "results"), 0);
    const char *id = json_string_value(json_object_get(res, "id"));
    CHECK(id != NULL);
    if (!id) {
        json_decref(s);
        return;
    }
    char *esc = escape(id);
    snprintf(path, sizeof path, "/o/%s", esc);
    http_reply r;
    CHECK(get(port, path, NULL, &r) == 200);
    CHECK_CONTAINS(r.headers, "text/html");
    CHECK_CONTAINS(r.body, "<link rel=\"canonical\" href=\"http://127.0.0.1:");
    CHECK_CONTAINS(r.body, "<h1>");
    json_t *ld = jsonld_of(r.body);
    json_t *o = json_array_get(ld, 0);
    CHECK(json_array_size(ld) == 1);
    CHECK_STR(json_string_value(json_object_get(o, "@context")), "https://schema.org");
    CHECK_STR(json_string_value(json_object_get(o, "@type")), ld_type);
    CHECK_STR(json_string_value(json_object_get(o, "name")),
              json_string_value(json_object_get(res, "title")));
    CHECK_CONTAINS(json_string_value(json_object_get(o, "url")), "/o/");
    if (strcmp(ld_type, "Event") == 0) {
        CHECK(json_is_string(json_object_get(o, "startDate")));
        CHECK_STR(json_string_value(json_object_get(o, "startDate")),
                  json_string_value(json_object_get(json_object_get(res, "next"), "start")));
        CHECK(json_is_string(json_object_get(o, "eventAttendanceMode")));
        CHECK(json_is_object(json_object_get(o, "organizer")));
    } else if (strcmp(ld_type, "Course") == 0) {
        json_t *inst = json_array_get(json_object_get(o, "hasCourseInstance"), 0);
        CHECK_STR(json_string_value(json_object_get(inst, "@type")), "CourseInstance");
        CHECK(json_is_string(json_object_get(inst, "startDate")));
        CHECK_STR(json_string_value(json_object_get(json_object_get(o, "provider"), "@type")), "Library");
    } else if (strcmp(ld_type, "Book") == 0) {
        json_t *doc = NULL;
        snprintf(path, sizeof path, "/v1/offerings/%s", esc);
        doc = get_json(path, 200);
        if (json_array_size(json_object_get(doc, "creators")))
            CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(o, "author"), 0), "name")),
                      json_string_value(json_array_get(json_object_get(doc, "creators"), 0)));
        if (strcmp(type, "ebook") == 0)
            CHECK_STR(json_string_value(json_object_get(o, "bookFormat")), "https://schema.org/EBook");
        json_decref(doc);
    }
    json_decref(ld);
    http_reply_free(&r);
    free(esc);
    json_decref(s);
}

static void test_offering_pages(void)
{
    check_offering_page("course", "Course");
    check_offering_page("event", "Event");
    check_offering_page("activity", "Event");
    check_offering_page("book", "Book");
    check_offering_page("ebook", "Book");
    check_offering_page("audiobook", "Book");
    check_offering_page("service", "Service");
    http_reply r;
    /* Our own offerings (extra.jsonl): past long ago, past lately, and a Utrecht service. */
    CHECK(get(port, "/o/test%3Avoorbij-lang", NULL, &r) == 410);
    CHECK_CONTAINS(r.body, "Dit aanbod is voorbij");
    CHECK_CONTAINS(r.body, "name=\"q\"");
    http_reply_free(&r);
    CHECK(get(port, "/o/test:voorbij-kort", NULL, &r) == 200);
    CHECK_CONTAINS(r.body, "Dit aanbod is voorbij");
    CHECK_CONTAINS(r.body, "<meta name=\"robots\" content=\"noindex\">");
    CHECK_CONTAINS(r.body, "Poppenkast &amp; &lt;script&gt;");
    CHECK(!strstr(r.body, "<script>alert"));
    json_t *ld = jsonld_of(r.body);
    CHECK_STR(json_string_value(json_object_get(json_array_get(ld, 0), "name")),
              "Poppenkast & <script>alert(1)</script>");
    json_decref(ld);
    http_reply_free(&r);
    CHECK(get(port, "/o/nope%3Anothing", NULL, &r) == 404);
    CHECK_CONTAINS(r.headers, "text/html");
    CHECK_CONTAINS(r.body, "name=\"q\"");
    http_reply_free(&r);
    CHECK(get(port, "/o/test%3Aspreekuur?utm_source=x", NULL, &r) == 200);
    CHECK_CONTAINS(r.body, "Meer informatie en aanmelden bij Bibliotheek Utrecht");
    http_reply_free(&r);
}

/* ---- sitemaps and robots.txt ---- */

static void test_sitemap(void)
{
    http_reply r;
    CHECK(get(port, "/robots.txt", NULL, &r) == 200);
    CHECK_CONTAINS(r.body, "Sitemap: http://127.0.0.1:");
    CHECK_CONTAINS(r.body, "/sitemap.xml\n");
    http_reply_free(&r);
    CHECK(get(port, "/sitemap.xml", NULL, &r) == 200);
    CHECK_CONTAINS(r.headers, "application/xml");
    xmlDocPtr d = parse_xml(r.body);
    http_reply_free(&r);
    xmlNodePtr root = d ? xmlDocGetRootElement(d) : NULL;
    CHECK(root && strcmp((const char *)root->name, "sitemapindex") == 0);
    json_t *libs = get_json("/v1/search?facets=library&per_page=1", 200);
    size_t n_libs = json_array_size(json_object_get(json_object_get(libs, "facets"), "library"));
    json_decref(libs);
    size_t maps = 0, urls = 0, offering_urls = 0;
    int pages_seen = 0, landing_seen = 0;
    for (xmlNodePtr sm = root ? root->children : NULL; sm; sm = sm->next) {
        if (sm->type != XML_ELEMENT_NODE)
            continue;
        maps++;
        char *loc = text_of(child(sm, "loc"));
        const char *rel = loc ? strstr(loc, "/sitemap.xml") : NULL;
        CHECK(rel != NULL);
        if (!rel) {
            xmlFree(loc);
            continue;
        }
        http_reply part;
        CHECK(get(port, rel, NULL, &part) == 200);
        xmlDocPtr pd = parse_xml(part.body);
        xmlNodePtr set = pd ? xmlDocGetRootElement(pd) : NULL;
        CHECK(set && strcmp((const char *)set->name, "urlset") == 0);
        for (xmlNodePtr u = set ? set->children : NULL; u; u = u->next) {
            if (u->type != XML_ELEMENT_NODE)
                continue;
            urls++;
            char *ul = text_of(child(u, "loc")), *lm = text_of(child(u, "lastmod"));
            if (ul && strstr(ul, "/o/")) {
                offering_urls++;
                CHECK(lm && strlen(lm) >= 10);
            }
            if (ul && strstr(ul, "/q/digitaal-amersfoort")) {
                landing_seen = 1;
                CHECK(lm && strlen(lm) >= 10);
            }
            /* Expired, scheduled and deleted campaigns are not listed. */
            CHECK(!(ul && (strstr(ul, "najaar-voorbij") || strstr(ul, "kerst-later") ||
                           strstr(ul, "voorlezen-utrecht"))));
            xmlFree(ul);
            xmlFree(lm);
        }
        if (strstr(rel, "part=pages"))
            pages_seen = 1;
        xmlFreeDoc(pd);
        http_reply_free(&part);
        xmlFree(loc);
    }
    CHECK(pages_seen && landing_seen);
    CHECK(maps == 1 + n_libs);
    /* Every current offering once (past ones are not listed). */
    CHECK((json_int_t)offering_urls == offerings_of(""));
    CHECK(urls > offering_urls);
    xmlFreeDoc(d);
    CHECK(get(port, "/sitemap.xml?part=nonsense", NULL, &r) == 400);
    http_reply_free(&r);
    CHECK(get(port, "/sitemap.xml?part=offerings&library=bibliotheek-utrecht&type=kursus", NULL, &r) == 400);
    http_reply_free(&r);
    CHECK(get(port, "/sitemap.xml?colour=red", NULL, &r) == 400);
    http_reply_free(&r);
}

/* ---- the service map ---- */

static void test_services(void)
{
    json_t *props = get_json("/v1/propositions", 200);
    json_t *list = json_object_get(props, "propositions");
    CHECK(json_array_size(list) >= 20);
    CHECK(json_array_size(json_object_get(props, "societal_tasks")) == 4);
    size_t i;
    json_t *p;
    int checked = 0;
    json_array_foreach(list, i, p) {
        const char *id = json_string_value(json_object_get(p, "id"));
        CHECK(json_string_length(json_object_get(p, "name")) > 0);
        CHECK(json_string_length(json_object_get(p, "societal_task")) > 0);
        if (i % 4)
            continue; /* a sample of them in depth */
        char q[256];
        snprintf(q, sizeof q, "proposition=%s", id);
        CHECK(json_integer_value(json_object_get(p, "offerings")) == offerings_of(q));
        char path[300];
        snprintf(path, sizeof path, "/v1/search?proposition=%s&facets=library&per_page=1", id);
        json_t *s = get_json(path, 200);
        json_t *facet = json_object_get(json_object_get(s, "facets"), "library");
        CHECK(json_integer_value(json_object_get(p, "libraries")) == (json_int_t)json_array_size(facet));
        snprintf(path, sizeof path, "/v1/propositions/%s/libraries", id);
        json_t *pl = get_json(path, 200);
        json_t *libs = json_object_get(pl, "libraries");
        CHECK(json_array_size(libs) == json_array_size(facet));
        size_t k;
        json_t *l;
        json_array_foreach(libs, k, l) {
            /* Offerings per library equal the facet's count for it. */
            size_t f;
            json_t *fv;
            json_int_t want = -1;
            json_array_foreach(facet, f, fv) {
                if (json_equal(json_object_get(fv, "value"), json_object_get(l, "id")))
                    want = json_integer_value(json_object_get(fv, "count"));
            }
            CHECK(json_integer_value(json_object_get(l, "offerings")) == want);
            CHECK(json_array_size(json_object_get(l, "local_names")) >= 1);
            CHECK(json_string_length(json_object_get(l, "name")) > 0);
        }
        checked++;
        json_decref(pl);
        json_decref(s);
    }
    CHECK(checked >= 5);
    json_decref(props);
    json_t *one = get_json("/v1/propositions/klik-en-tik/libraries", 200);
    CHECK_STR(json_string_value(json_object_get(json_object_get(one, "proposition"), "name")), "Klik & Tik");
    json_t *first = json_array_get(json_object_get(one, "libraries"), 0);
    CHECK(json_array_size(json_object_get(first, "branches")) >= 1);
    CHECK(json_array_size(json_object_get(first, "next")) >= 1);
    const char *local = json_string_value(json_array_get(json_object_get(first, "local_names"), 0));
    char local_copy[200];
    snprintf(local_copy, sizeof local_copy, "%s", local ? local : "?");
    json_decref(one);
    json_decref(get_json("/v1/propositions/geen-idee/libraries", 404));

    json_t *libs = get_json("/v1/libraries", 200);
    json_t *ll = json_object_get(libs, "libraries");
    CHECK(json_array_size(ll) >= 23);
    int utrecht = 0;
    json_t *l;
    json_array_foreach(ll, i, l) {
        if (strcmp(json_string_value(json_object_get(l, "id")), "bibliotheek-utrecht") == 0) {
            utrecht = 1;
            CHECK_STR(json_string_value(json_object_get(l, "name")), "Bibliotheek Utrecht");
            CHECK(json_integer_value(json_object_get(l, "branches")) == 4);
            CHECK(json_integer_value(json_object_get(l, "offerings")) ==
                  offerings_of("library=bibliotheek-utrecht"));
        }
    }
    CHECK(utrecht);
    json_decref(libs);
    json_t *lib = get_json("/v1/libraries/bibliotheek-eemland", 200);
    CHECK_STR(json_string_value(json_object_get(lib, "name")), "Bibliotheek Eemland");
    CHECK(json_array_size(json_object_get(lib, "branches")) == 3);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(lib, "branches"), 0), "municipality")),
              "Amersfoort");
    size_t offered = json_array_size(json_object_get(lib, "propositions"));
    size_t gaps = json_array_size(json_object_get(lib, "not_offered"));
    CHECK(offered > 5);
    json_t *all = get_json("/v1/propositions", 200);
    CHECK(offered + gaps == json_array_size(json_object_get(all, "propositions")));
    json_decref(all);
    json_decref(lib);
    json_decref(get_json("/v1/libraries/bibliotheek-nergens", 404));

    http_reply r;
    CHECK(get(port, "/services", NULL, &r) == 200);
    CHECK_CONTAINS(r.body, "<table>");
    CHECK_CONTAINS(r.body, "Geletterde samenleving");
    CHECK_CONTAINS(r.body, "Participatie in de informatiesamenleving");
    CHECK_CONTAINS(r.body, "Leven lang ontwikkelen");
    CHECK_CONTAINS(r.body, "<th scope=\"row\">Bibliotheek Utrecht</th>");
    char *needle = malloc(strlen(local_copy) * 6 + 1), *o = needle;
    for (const char *c = local_copy; *c; c++) {
        if (*c == '&')
            o += sprintf(o, "&amp;");
        else if (*c == '\'')
            o += sprintf(o, "&#39;");
        else
            *o++ = *c;
    }
    *o = '\0';
    CHECK_CONTAINS(r.body, needle);
    free(needle);
    http_reply_free(&r);
    CHECK(get(port, "/v1/propositions?x=1", NULL, &r) == 400);
    http_reply_free(&r);

    /* Narrowed to a municipality or a province of the network file's
     * branches (letter case and accents aside), in JSON and on the page. */
    libs = get_json("/v1/libraries?municipality=leusden", 200);
    CHECK(json_array_size(json_object_get(libs, "libraries")) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(libs, "libraries"), 0), "id")),
              "bibliotheek-eemland");
    json_decref(libs);
    libs = get_json("/v1/libraries?province=Noord-Brabant", 200);
    ll = json_object_get(libs, "libraries");
    CHECK(json_array_size(ll) == 3);
    json_array_foreach(ll, i, l) {
        const char *id = json_string_value(json_object_get(l, "id"));
        CHECK(id && (strcmp(id, "bibliotheek-breda") == 0 || strcmp(id, "bibliotheek-eindhoven") == 0 ||
                     strcmp(id, "bibliotheek-tilburg") == 0));
    }
    json_decref(libs);
    libs = get_json("/v1/libraries?province=Utrecht&municipality=Zwolle", 200);
    CHECK(json_array_size(json_object_get(libs, "libraries")) == 0);
    json_decref(libs);
    libs = get_json("/v1/libraries?municipality=&province=", 200);
    CHECK(json_array_size(json_object_get(libs, "libraries")) >= 23);
    json_decref(libs);
    lib = get_json("/v1/libraries/bibliotheek-eemland", 200);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(lib, "branches"), 0), "province")),
              "Utrecht");
    json_decref(lib);
    json_decref(get_json("/v1/libraries?province=Utrecht&province=Drenthe", 400));
    CHECK(get(port, "/services?province=drenthe", NULL, &r) == 200);
    CHECK_CONTAINS(r.body, "<caption id=\"matrix-cap\">Aanbod per bibliotheek in provincie drenthe</caption>");
    CHECK_CONTAINS(r.body, "<th scope=\"row\">Bibliotheek Drenthe</th>");
    CHECK(strstr(r.body, "<th scope=\"row\">Bibliotheek Utrecht</th>") == NULL);
    CHECK_CONTAINS(r.body, "<form class=\"place\" method=\"get\" action=\"/services\">");
    CHECK_CONTAINS(r.body, "<option selected>Drenthe</option>");
    http_reply_free(&r);
    CHECK(get(port, "/services?municipality=Nergenshuizen", NULL, &r) == 200);
    CHECK_CONTAINS(r.body, "Geen bibliotheek van het netwerk heeft daar een vestiging");
    http_reply_free(&r);
    CHECK(get(port, "/services?municipality=Leusden&municipality=Zwolle", NULL, &r) == 400);
    http_reply_free(&r);
}

/* ---- insights ---- */

static json_t *query_row(json_t *report, const char *q)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(report, "queries"), i, row) {
        if (strcmp(json_string_value(json_object_get(row, "query")), q) == 0)
            return row;
    }
    return NULL;
}

static json_int_t q_count(json_t *report, const char *q, const char *k)
{
    return json_integer_value(json_object_get(query_row(report, q), k));
}

static char *search_qid(const char *path, char *first_id, size_t cap)
{
    json_t *j = get_json(path, 200);
    const char *qid = json_string_value(json_object_get(j, "query_id"));
    char *out = strdup(qid ? qid : "");
    const char *id = json_string_value(json_object_get(json_array_get(json_object_get(j, "results"), 0), "id"));
    snprintf(first_id, cap, "%s", id ? id : "");
    json_decref(j);
    return out;
}

static long click(const char *offering, const char *qid, const char *segment)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"events\":[{\"kind\":\"click\",\"offering\":\"%s\",\"query_id\":\"%s\"%s%s%s}]}",
             offering, qid, segment ? ",\"segment\":\"" : "", segment ? segment : "",
             segment ? "\"" : "");
    http_reply r;
    long st = http_post(port, "/v1/signals", body, &r) == 0 ? r.status : 0;
    http_reply_free(&r);
    return st;
}

static void test_insights(void)
{
    const char *all = "/v1/insights/queries?limit=10000";
    json_t *b_top = get_json(all, 200);
    json_t *b_zero = get_json("/v1/insights/queries?kind=zero&limit=10000", 200);
    json_t *b_lib = get_json("/v1/insights/queries?limit=10000&library=bibliotheek-utrecht", 200);
    json_t *b_props = get_json("/v1/insights/propositions", 200);
    json_t *b_filters = get_json("/v1/insights/filters", 200);
    json_t *b_segments = get_json("/v1/insights/segments", 200);

    char id[256], id2[256];
    /* Spellings of one query count together; personal details never count. */
    char *qid = search_qid("/v1/search?q=Digicaf%C3%A9&prefer_library=bibliotheek-utrecht", id, sizeof id);
    char *qid2 = search_qid("/v1/search?q=digicafe&type=activity", id2, sizeof id2);
    free(search_qid("/v1/search?q=%20DIGICAFE%20%20", id2, sizeof id2));
    free(search_qid("/v1/search?q=xylofoonorkestzeppelin&library=bibliotheek-utrecht", id2, sizeof id2));
    free(search_qid("/v1/search?q=xylofoonorkestzeppelin", id2, sizeof id2));
    free(search_qid("/v1/search?q=mail%20jan.jansen%40example.nl%20over%20taalcafe", id2, sizeof id2));
    free(search_qid("/v1/search?q=bel%200612345678", id2, sizeof id2));
    free(search_qid("/v1/search?q=bel%2006%201234%205678%20jan(at)mail.nl%203811%20AB%2012",
                    id2, sizeof id2));
    free(search_qid("/v1/search?q=%3DHYPERLINK(1)", id2, sizeof id2));
    CHECK(strlen(qid) == 16 && strspn(qid, "0123456789abcdef") == 16);
    CHECK(strcmp(qid, qid2) != 0);
    /* Two clicks from one search count it once as clicked; with a segment. */
    CHECK(click(id, qid, "jonge-gezinnen") == 202);
    CHECK(click(id, qid, NULL) == 202);

    json_t *a_top = get_json(all, 200);
    json_t *a_zero = get_json("/v1/insights/queries?kind=zero&limit=10000", 200);
    json_t *a_lib = get_json("/v1/insights/queries?limit=10000&library=bibliotheek-utrecht", 200);
    json_t *a_props = get_json("/v1/insights/propositions", 200);
    json_t *a_filters = get_json("/v1/insights/filters", 200);
    json_t *a_segments = get_json("/v1/insights/segments", 200);
    json_int_t seg_b = 0, seg_a = 0;
    json_t *srow;
    size_t si;
    json_array_foreach(json_object_get(b_segments, "segments"), si, srow) {
        if (strcmp(json_string_value(json_object_get(srow, "id")), "jonge-gezinnen") == 0)
            seg_b = json_integer_value(json_object_get(srow, "clicks"));
    }
    json_array_foreach(json_object_get(a_segments, "segments"), si, srow) {
        if (strcmp(json_string_value(json_object_get(srow, "id")), "jonge-gezinnen") == 0) {
            seg_a = json_integer_value(json_object_get(srow, "clicks"));
            CHECK(json_string_length(json_object_get(srow, "name")) > 0);
        }
    }
    CHECK(seg_a - seg_b == 1);
    json_decref(b_segments);
    json_decref(a_segments);
    CHECK(q_count(a_top, "digicafe", "searches") - q_count(b_top, "digicafe", "searches") == 3);
    CHECK(q_count(a_top, "digicafe", "clicked") - q_count(b_top, "digicafe", "clicked") == 1);
    CHECK(q_count(a_zero, "xylofoonorkestzeppelin", "zero_results") -
              q_count(b_zero, "xylofoonorkestzeppelin", "zero_results") == 2);
    CHECK(q_count(a_lib, "xylofoonorkestzeppelin", "searches") -
              q_count(b_lib, "xylofoonorkestzeppelin", "searches") == 1);
    CHECK(q_count(a_lib, "digicafe", "searches") - q_count(b_lib, "digicafe", "searches") == 1);
    CHECK(q_count(a_lib, "digicafe", "clicked") - q_count(b_lib, "digicafe", "clicked") == 1);
    CHECK(query_row(a_top, "mail [e-mail] over taalcafe") != NULL);
    CHECK(query_row(a_top, "bel [nummer]") != NULL);
    CHECK(query_row(a_top, "bel [nummer] [e-mail] [adres]") != NULL);
    json_t *totals_a = json_object_get(a_top, "totals"), *totals_b = json_object_get(b_top, "totals");
    CHECK(json_integer_value(json_object_get(totals_a, "searches")) -
              json_integer_value(json_object_get(totals_b, "searches")) == 9);
    CHECK(json_integer_value(json_object_get(totals_a, "clicked")) -
              json_integer_value(json_object_get(totals_b, "clicked")) == 1);
    CHECK(json_integer_value(json_object_get(a_top, "days")) == 30);
    CHECK_STR(json_string_value(json_object_get(a_top, "to")), "2026-12-01");
    /* Sorted: most searched first; zero list only holds queries that found nothing. */
    json_t *rows = json_object_get(a_top, "queries");
    for (size_t i = 1; i < json_array_size(rows); i++)
        CHECK(json_integer_value(json_object_get(json_array_get(rows, i - 1), "searches")) >=
              json_integer_value(json_object_get(json_array_get(rows, i), "searches")));
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(a_zero, "queries"), i, row) {
        CHECK(json_integer_value(json_object_get(row, "zero_results")) > 0);
    }
    /* Click-through by proposition: shown and clicked. */
    char *prop = NULL;
    json_t *doc = NULL;
    {
        char *esc = escape(id), path[512];
        snprintf(path, sizeof path, "/v1/offerings/%s", esc);
        doc = get_json(path, 200);
        free(esc);
        prop = strdup(json_string_value(json_object_get(doc, "proposition")) ? json_string_value(json_object_get(doc, "proposition")) : "");
    }
    json_int_t clicks_b = 0, clicks_a = 0, imp_b = 0, imp_a = 0;
    json_array_foreach(json_object_get(b_props, "propositions"), i, row) {
        if (strcmp(json_string_value(json_object_get(row, "id")), prop) == 0) {
            clicks_b = json_integer_value(json_object_get(row, "clicks"));
            imp_b = json_integer_value(json_object_get(row, "impressions"));
        }
    }
    json_array_foreach(json_object_get(a_props, "propositions"), i, row) {
        if (strcmp(json_string_value(json_object_get(row, "id")), prop) == 0) {
            clicks_a = json_integer_value(json_object_get(row, "clicks"));
            imp_a = json_integer_value(json_object_get(row, "impressions"));
            CHECK(json_string_length(json_object_get(row, "name")) > 0);
        }
    }
    CHECK(clicks_a - clicks_b == 2);
    CHECK(imp_a > imp_b);
    free(prop);
    json_decref(doc);
    json_int_t f_b = 0, f_a = 0;
    json_t *act = json_string("activity");
    json_array_foreach(json_object_get(b_filters, "filters"), i, row) {
        if (strcmp(json_string_value(json_object_get(row, "filter")), "type") == 0 &&
            json_equal(json_object_get(row, "value"), act))
            f_b = json_integer_value(json_object_get(row, "searches"));
    }
    json_array_foreach(json_object_get(a_filters, "filters"), i, row) {
        if (strcmp(json_string_value(json_object_get(row, "filter")), "type") == 0 &&
            json_equal(json_object_get(row, "value"), act))
            f_a = json_integer_value(json_object_get(row, "searches"));
    }
    json_decref(act);
    CHECK(f_a - f_b == 1);
    json_t *days = get_json("/v1/insights/days?days=7", 200);
    json_t *per_day = json_object_get(days, "per_day");
    CHECK(json_array_size(per_day) == 7);
    CHECK_STR(json_string_value(json_object_get(json_array_get(per_day, 6), "date")), "2026-12-01");
    CHECK_STR(json_string_value(json_object_get(json_array_get(per_day, 0), "date")), "2026-11-25");
    json_t *today = json_array_get(per_day, 6);
    CHECK(json_integer_value(json_object_get(today, "searches")) ==
          json_integer_value(json_object_get(json_object_get(days, "totals"), "searches")));
    /* Every search in one of the sizes: none, 1-9, 10-99, 100 or more. */
    CHECK(json_integer_value(json_object_get(today, "zero_results")) +
              json_integer_value(json_object_get(today, "results_1_9")) +
              json_integer_value(json_object_get(today, "results_10_99")) +
              json_integer_value(json_object_get(today, "results_100_plus")) ==
          json_integer_value(json_object_get(today, "searches")));
    CHECK(json_integer_value(json_object_get(today, "results_100_plus")) > 0);
    json_int_t by_filters = json_integer_value(json_object_get(json_object_get(days, "totals"),
                                                               "zero_by_filters"));
    json_int_t zeros = json_integer_value(json_object_get(json_object_get(days, "totals"),
                                                          "zero_results"));
    json_decref(days);
    /* Nothing found only because of a filter is told from nothing in the
     * offer, also when the answer comes from the cache the second time. */
    json_t *zero_before = get_json("/v1/insights/queries?kind=zero&limit=10000", 200);
    for (int k = 0; k < 2; k++)
        json_decref(get_json("/v1/search?q=taalcafe&type=ebook", 200));
    json_decref(get_json("/v1/search?q=zeppelinxylofoonorkestje", 200));
    /* The list of queries without results holds what the offering lacks,
     * not what a filter hid. */
    json_t *zero_after = get_json("/v1/insights/queries?kind=zero&limit=10000", 200);
    CHECK(q_count(zero_after, "taalcafe", "zero_results") ==
          q_count(zero_before, "taalcafe", "zero_results"));
    CHECK(q_count(zero_after, "zeppelinxylofoonorkestje", "zero_results") -
              q_count(zero_before, "zeppelinxylofoonorkestje", "zero_results") == 1);
    json_decref(zero_before);
    json_decref(zero_after);
    days = get_json("/v1/insights/days?days=7", 200);
    CHECK(json_integer_value(json_object_get(json_object_get(days, "totals"), "zero_by_filters")) ==
          by_filters + 2);
    CHECK(json_integer_value(json_object_get(json_object_get(days, "totals"), "zero_results")) ==
          zeros + 3);
    json_decref(days);

    /* No report ever shows what was scrubbed. */
    const char *staff[] = {"Authorization: " AUTH, NULL};
    const char *reports[] = {"/v1/insights/queries?limit=10000", "/v1/insights/queries?kind=zero",
                             "/v1/insights/filters", "/v1/insights/days",
                             "/v1/insights/queries?format=csv&limit=10000"};
    for (size_t k = 0; k < sizeof reports / sizeof reports[0]; k++) {
        http_reply r;
        CHECK(get(port, reports[k], staff, &r) == 200);
        CHECK(!strstr(r.body, "jansen") && !strstr(r.body, "0612345678"));
        CHECK(!strstr(r.body, "1234") && !strstr(r.body, "mail.nl") && !strstr(r.body, "3811"));
        http_reply_free(&r);
    }

    /* CSV, for researchers: every report. */
    struct {
        const char *path, *header;
    } csv[] = {
        {"/v1/insights/queries?format=csv&limit=10000", "query,searches,zero_results,clicked,click_through\r\n"},
        {"/v1/insights/queries?format=csv&kind=zero", "query,searches,zero_results,clicked,click_through\r\n"},
        {"/v1/insights/days?format=csv&days=3",
         "date,searches,zero_results,zero_by_filters,clicked,results_1_9,results_10_99,"
         "results_100_plus\r\n"},
        {"/v1/insights/days?format=csv&days=3&library=bibliotheek-utrecht",
         "date,searches,zero_results,zero_by_filters,clicked\r\n"},
        {"/v1/insights/segments?format=csv", "id,name,clicks\r\n"},
        {"/v1/insights/propositions?format=csv", "id,name,societal_task,impressions,clicks,click_through\r\n"},
        {"/v1/insights/filters?format=csv", "filter,value,searches\r\n"},
        {"/v1/insights/campaigns?format=csv", "slug,scope,utm_source,utm_medium,utm_campaign,visits,searches,clicks\r\n"},
    };
    for (size_t k = 0; k < sizeof csv / sizeof csv[0]; k++) {
        http_reply r;
        CHECK(get(port, csv[k].path, staff, &r) == 200);
        CHECK_CONTAINS(r.headers, "text/csv");
        char *disp = http_header(&r, "Content-Disposition");
        CHECK_CONTAINS(disp, "attachment; filename=\"vindplaats-");
        free(disp);
        CHECK(r.body && strncmp(r.body, csv[k].header, strlen(csv[k].header)) == 0);
        /* Rows have as many fields as the header (no field here holds a comma). */
        size_t cols = 1;
        for (const char *c = csv[k].header; *c != '\r'; c++)
            cols += *c == ',';
        size_t rows_n = 0;
        for (const char *line = r.body; line && *line;) {
            const char *end = strstr(line, "\r\n");
            CHECK(end != NULL);
            if (!end)
                break;
            size_t f = 1;
            int quoted = 0;
            for (const char *c = line; c < end; c++) {
                if (*c == '"')
                    quoted = !quoted;
                else if (*c == ',' && !quoted)
                    f++;
            }
            CHECK(f == cols);
            rows_n++;
            line = end + 2;
        }
        CHECK(rows_n >= 2);
        if (k == 2)
            CHECK(rows_n == 4);
        if (k == 0) {
            CHECK_CONTAINS(r.body, "\r\ndigicafe,");
            /* A formula is text in a spreadsheet. */
            CHECK_CONTAINS(r.body, "\r\n'=hyperlink(1),");
        }
        if (k == 3)
            CHECK(rows_n == 4);
        if (k == 7) {
            CHECK_CONTAINS(r.body, "\r\ndigitaal-amersfoort,total,,,,");
            CHECK_CONTAINS(r.body, "\r\ndigitaal-amersfoort,source,nieuwsbrief,email,najaar,1,0,0\r\n");
        }
        http_reply_free(&r);
    }

    /* Wrong parameters. */
    struct {
        const char *path, *code, *param;
    } bad[] = {
        {"/v1/insights/queries?kind=best", "invalid_parameter", "kind"},
        {"/v1/insights/queries?days=0", "invalid_parameter", "days"},
        {"/v1/insights/queries?days=400", "invalid_parameter", "days"},
        {"/v1/insights/queries?days=7x", "invalid_parameter", "days"},
        {"/v1/insights/queries?limit=0", "invalid_parameter", "limit"},
        {"/v1/insights/queries?library=Geen%20Id", "invalid_parameter", "library"},
        {"/v1/insights/queries?format=xml", "invalid_parameter", "format"},
        {"/v1/insights/queries?user=42", "unknown_parameter", "user"},
        {"/v1/insights/days?kind=top", "unknown_parameter", "kind"},
        {"/v1/insights/campaigns?days=7", "unknown_parameter", "days"},
        {"/v1/insights/propositions?library=bibliotheek-utrecht", "unknown_parameter", "library"},
        {"/v1/insights/segments?days=-1", "invalid_parameter", "days"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        http_reply r;
        get(port, bad[k].path, staff, &r);
        check_error(&r, 400, bad[k].code, bad[k].param);
        http_reply_free(&r);
    }

    /* The staff page: charts drawn as inline SVG, no assets from elsewhere. */
    const char *auth[] = {"Authorization: " AUTH, NULL};
    http_reply r;
    CHECK(get(port, "/insights?days=30", auth, &r) == 200);
    CHECK_CONTAINS(r.headers, "text/html");
    CHECK_CONTAINS(r.body, "<h1>Wat zoeken inwoners?</h1>");
    size_t svgs = 0;
    for (const char *p = strstr(r.body, "<svg"); p; p = strstr(p + 4, "<svg"))
        svgs++;
    CHECK(svgs == 5);
    CHECK_CONTAINS(r.body, "<title id=\"days-t\">Zoekopdrachten per dag</title>");
    CHECK_CONTAINS(r.body, ">digicafe</text>");
    CHECK_CONTAINS(r.body, ">xylofoonorkestzeppelin</text>");
    CHECK_CONTAINS(r.body, "Gratis computercursussen in");
    CHECK_CONTAINS(r.body, "&lt;script&gt;");
    CHECK(!strstr(r.body, "<script>"));
    CHECK(!strstr(r.body, "src=\"http"));
    CHECK(!strstr(r.body, "jansen"));
    http_reply_free(&r);
    CHECK(get(port, "/insights?library=bibliotheek-utrecht&days=7", auth, &r) == 200);
    CHECK_CONTAINS(r.body, "bij Bibliotheek Utrecht");
    http_reply_free(&r);
    CHECK(get(port, "/insights?days=abc", auth, &r) == 400);
    http_reply_free(&r);

    free(qid);
    free(qid2);
    json_decref(b_top);
    json_decref(b_zero);
    json_decref(b_lib);
    json_decref(b_props);
    json_decref(b_filters);
    json_decref(a_top);
    json_decref(a_zero);
    json_decref(a_lib);
    json_decref(a_props);
    json_decref(a_filters);
}

/* A search for an XSS-looking query: escaped on the staff page. */
static void search_script(void)
{
    json_decref(get_json("/v1/search?q=%3Cscript%3Ealert(2)%3C%2Fscript%3E", 200));
}

/* ---- rate limit ---- */

static void test_rate_limit(unsigned p)
{
    http_reply r;
    long statuses[5];
    for (int i = 0; i < 5; i++) {
        CHECK(http_post(p, "/v1/signals", "not json", &r) == 0);
        statuses[i] = r.status;
        if (i == 3) {
            check_error(&r, 429, "too_many_requests", NULL);
            char *ra = http_header(&r, "Retry-After");
            CHECK(ra && atoi(ra) >= 1 && atoi(ra) <= 60);
            free(ra);
        }
        http_reply_free(&r);
    }
    CHECK(statuses[0] == 400 && statuses[1] == 400 && statuses[2] == 400);
    CHECK(statuses[3] == 429 && statuses[4] == 429);
    /* Writes of every kind share the limit; reads are not limited. */
    CHECK(put(p, "nog-een", "{\"title\":\"x\"}", AUTH, &r) == 429);
    http_reply_free(&r);
    CHECK(http_delete(p, "/v1/queries/nog-een", AUTH, &r) == 0 && r.status == 429);
    http_reply_free(&r);
    for (int i = 0; i < 5; i++) {
        CHECK(get(p, "/v1/propositions", NULL, &r) == 200);
        http_reply_free(&r);
    }
}

/* ---- persistence and shared stores ---- */

static void check_survived(unsigned p, const char *expect_campaign_visits_at_least)
{
    const char *auth[] = {"Authorization: " AUTH, NULL};
    http_reply r;
    CHECK(get(p, "/v1/queries/digitaal-amersfoort", auth, &r) == 200);
    json_t *def = json_loads(r.body, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(def, "title")), "Gratis computercursussen in Amersfoort");
    CHECK_STR(json_string_value(json_array_get(json_object_get(def, "pinned"), 0)), pinned_id);
    json_int_t visits = json_integer_value(json_object_get(json_object_get(def, "stats"), "visits"));
    CHECK(visits >= atoi(expect_campaign_visits_at_least));
    json_decref(def);
    http_reply_free(&r);
    const char *browser[] = {"User-Agent: " BROWSER, NULL};
    CHECK(get(p, "/q/digitaal-amersfoort", browser, &r) == 200);
    http_reply_free(&r);
    CHECK(get(p, "/q/voorlezen-utrecht", browser, &r) == 410);
    http_reply_free(&r);
}

static json_int_t digicafe_searches(unsigned p)
{
    json_t *j = get_json_at(p, "/v1/insights/queries?limit=10000", 200);
    json_int_t n = q_count(j, "digicafe", "searches");
    json_decref(j);
    return n;
}

/* Searches `q` from the loopback address `from` (another client), with an
 * X-Forwarded-For header when `forwarded` is not NULL. */
static void search_via(unsigned p, const char *from, const char *forwarded, const char *q)
{
    char path[512], xff[256];
    snprintf(path, sizeof path, "/v1/search?q=%s", q);
    snprintf(xff, sizeof xff, "X-Forwarded-For: %s", forwarded ? forwarded : "");
    const char *h[] = {forwarded ? xff : NULL, NULL};
    http_reply r;
    CHECK(http_send_from(from, p, "GET", path, h, NULL, &r) == 0);
    CHECK(r.status == 200);
    http_reply_free(&r);
}

/* Searches `q` from the loopback address `from` (another client). */
static void search_from(unsigned p, const char *from, const char *q)
{
    search_via(p, from, NULL, q);
}

/* 1 when a file of directory `d` holds `needle`. */
static int dir_contains(const char *d, const char *needle)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "grep -rqF '%s' '%s'", needle, d);
    return system(cmd) == 0;
}

/* What the query reports say, without the dates of the window. */
static json_t *query_reports(unsigned p)
{
    json_t *all = json_object();
    json_object_set_new(all, "top", get_json_at(p, "/v1/insights/queries?limit=10000", 200));
    json_object_set_new(all, "zero",
                        get_json_at(p, "/v1/insights/queries?kind=zero&limit=10000", 200));
    return all;
}

/* A query's text is shown once 3 different clients (the default) searched
 * it on one day; before that it only counts in other_queries, in every
 * form of every report. `store_flag`/`store_value` choose the back end (a
 * fresh one); the answers are returned to compare the back ends. */
static json_t *test_min_clients(const char *name, const char *store_flag, const char *store_value)
{
    pid_t pid;
    unsigned p = start_server_k(name, store_flag, store_value, "2026-12-01T08:00:00+01:00",
                                "1000", NULL, &pid);
    if (!p)
        return json_null();
    const char *secret = "mijn%20buurman%20piet%20jansen%20schuldhulp";
    const char *nothing = "xylofoonorkestzeppelin%20jansen";
    /* Two clients, one of them twice: not shown. */
    search_from(p, "127.0.0.2", secret);
    search_from(p, "127.0.0.2", secret);
    search_from(p, "127.0.0.3", secret);
    search_from(p, "127.0.0.2", nothing);
    search_from(p, "127.0.0.3", nothing);
    json_t *before = query_reports(p);
    json_t *top = json_object_get(before, "top");
    CHECK(json_integer_value(json_object_get(top, "min_clients")) == 3);
    CHECK(query_row(top, "mijn buurman piet jansen schuldhulp") == NULL);
    CHECK(json_array_size(json_object_get(top, "queries")) == 0);
    CHECK(json_array_size(json_object_get(json_object_get(before, "zero"), "queries")) == 0);
    json_t *other = json_object_get(top, "other_queries");
    CHECK(json_integer_value(json_object_get(other, "searches")) == 5);
    CHECK(json_integer_value(json_object_get(other, "zero_results")) == 2);
    CHECK(json_integer_value(json_object_get(json_object_get(top, "totals"), "searches")) == 5);
    const char *staff[] = {"Authorization: " AUTH, NULL};
    const char *pages[] = {"/v1/insights/queries?format=csv&limit=10000",
                           "/v1/insights/queries?format=csv&kind=zero", "/insights"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        http_reply r;
        CHECK(get(p, pages[i], staff, &r) == 200);
        if (r.body && strstr(r.body, "jansen"))
            fprintf(stderr, "%s shows a query of two clients\n", pages[i]);
        CHECK(r.body && !strstr(r.body, "jansen"));
        if (i == 2)
            CHECK_CONTAINS(r.body, "5 zoekopdrachten met andere woorden");
        http_reply_free(&r);
    }
    /* The text of a query below k is not even stored. */
    if (strcmp(store_flag, "--data-dir") == 0)
        CHECK(!dir_contains(store_value, "jansen"));
    /* The third client: shown, with every search of the day. */
    search_from(p, "127.0.0.4", secret);
    json_t *after = query_reports(p);
    top = json_object_get(after, "top");
    json_t *row = query_row(top, "mijn buurman piet jansen schuldhulp");
    CHECK(row != NULL);
    CHECK(json_integer_value(json_object_get(row, "searches")) == 4);
    CHECK(query_row(json_object_get(after, "zero"), "xylofoonorkestzeppelin jansen") == NULL);
    other = json_object_get(top, "other_queries");
    CHECK(json_integer_value(json_object_get(other, "searches")) == 2);
    CHECK(proc_stop(pid) == 0);
    /* What was shown stays shown after a restart (the mark is in the store). */
    char again[64];
    snprintf(again, sizeof again, "%s-again", name);
    p = start_server_k(again, store_flag, store_value, "2026-12-01T08:00:00+01:00", "1000", NULL,
                       &pid);
    if (p) {
        json_t *later = query_reports(p);
        CHECK(json_equal(later, after));
        json_decref(later);
        CHECK(proc_stop(pid) == 0);
    }
    json_t *both = json_pack("{s:o, s:o}", "before", before, "after", after);
    return both;
}

/* Behind a reverse proxy every search comes from the proxy: with
 * --trusted-proxy the last X-Forwarded-For entry it adds names the client;
 * from any other peer the header is ignored (anyone can send one). The
 * forwarded addresses are header text only: nothing connects to them. */
static void test_trusted_proxy(void)
{
    char store[1100];
    snprintf(store, sizeof store, "%s/proxy-store", dir);
    const char *proxy[] = {"--trusted-proxy", "127.0.0.5", NULL};
    pid_t pid;
    unsigned p = start_server_k("proxy", "--data-dir", store, "2026-12-01T08:00:00+01:00", "1000",
                                proxy, &pid);
    if (!p)
        return;
    const char *spoofed = "vrijwilligerswerk%20bibliotheek";
    search_via(p, "127.0.0.6", "203.0.113.1", spoofed);
    search_via(p, "127.0.0.6", "203.0.113.2", spoofed);
    search_via(p, "127.0.0.6", "203.0.113.3", spoofed);
    const char *proxied = "voorleesochtend%20peuters";
    search_via(p, "127.0.0.5", "203.0.113.1", proxied);
    search_via(p, "127.0.0.5", "198.51.100.7, 203.0.113.2", proxied);
    search_via(p, "127.0.0.5", "203.0.113.2", proxied);
    json_t *j = get_json_at(p, "/v1/insights/queries?limit=10000", 200);
    CHECK(query_row(j, "vrijwilligerswerk bibliotheek") == NULL);
    CHECK(query_row(j, "voorleesochtend peuters") == NULL);
    json_decref(j);
    search_via(p, "127.0.0.5", "2001:db8::1", proxied);
    j = get_json_at(p, "/v1/insights/queries?limit=10000", 200);
    CHECK(query_row(j, "vrijwilligerswerk bibliotheek") == NULL);
    CHECK(json_integer_value(json_object_get(query_row(j, "voorleesochtend peuters"), "searches")) == 4);
    json_decref(j);
    CHECK(proc_stop(pid) == 0);
}

static void test_redis(void)
{
    redis_proc rp;
    memset(&rp, 0, sizeof rp);
    rp.bin = find_redis_server();
    if (!rp.bin) {
        fprintf(stderr, "redis-server not found: the Redis part is skipped\n");
        CHECK(0);
        return;
    }
    snprintf(rp.dir, sizeof rp.dir, "%s", dir);
    rp.port = free_port();
    if (start_redis(&rp) < 0) {
        fprintf(stderr, "redis-server did not start\n");
        CHECK(0);
        free(rp.bin);
        return;
    }
    char url[128], url1[128];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", rp.port);
    snprintf(url1, sizeof url1, "redis://127.0.0.1:%d/1", rp.port);
    /* The embedded and the Redis store give the same answers. */
    char store_k[1100];
    snprintf(store_k, sizeof store_k, "%s/k-store", dir);
    json_t *embedded = test_min_clients("k-embedded", "--data-dir", store_k);
    json_t *redis = test_min_clients("k-redis", "--redis", url1);
    if (!json_equal(embedded, redis)) {
        char *a = json_dumps(embedded, JSON_COMPACT), *b = json_dumps(redis, JSON_COMPACT);
        fprintf(stderr, "embedded: %s\nredis:    %s\n", a, b);
        free(a);
        free(b);
    }
    CHECK(json_equal(embedded, redis));
    json_decref(embedded);
    json_decref(redis);
    pid_t a, b;
    unsigned pa = start_server("redis-a", "--redis", url, "2026-12-01T08:00:00+01:00", "1000", &a);
    unsigned pb = start_server("redis-b", "--redis", url, "2026-12-01T08:00:00+01:00", "1000", &b);
    if (pa && pb) {
        http_reply r;
        char body[512];
        snprintf(body, sizeof body,
                 "{\"title\":\"Winter in de bibliotheek\",\"search\":{\"type\":\"event\"},"
                 "\"valid_until\":\"2027-01-31\",\"pinned\":[\"%s\"]}",
                 pinned_id);
        CHECK(put(pa, "winter", body, AUTH, &r) == 201);
        http_reply_free(&r);
        /* The other replica sees it, counts into the same store. */
        const char *browser[] = {"User-Agent: " BROWSER, NULL};
        CHECK(get(pb, "/q/winter?utm_source=poster", browser, &r) == 200);
        CHECK_CONTAINS(r.body, "<h1>Winter in de bibliotheek</h1>");
        http_reply_free(&r);
        json_t *j = get_json_at(pa, "/v1/insights/campaigns", 200);
        json_t *c = json_array_get(json_object_get(j, "campaigns"), 0);
        CHECK_STR(json_string_value(json_object_get(c, "slug")), "winter");
        CHECK(json_integer_value(json_object_get(c, "visits")) == 1);
        json_decref(j);
        json_int_t before = digicafe_searches(pa);
        json_decref(get_json_at(pb, "/v1/search?q=digicafe", 200));
        /* pb's report writes what pb queued; pa reads the same counters. */
        CHECK(digicafe_searches(pb) == before + 1);
        CHECK(digicafe_searches(pa) == before + 1);
        CHECK(proc_stop(a) == 0);
        CHECK(proc_stop(b) == 0);
        /* Both replicas gone, Redis kept everything. */
        pa = start_server("redis-a2", "--redis", url, "2026-12-01T08:00:00+01:00", "1000", &a);
        if (pa) {
            const char *auth[] = {"Authorization: " AUTH, NULL};
            CHECK(get(pa, "/v1/queries/winter", auth, &r) == 200);
            json_t *def = json_loads(r.body, 0, NULL);
            CHECK(json_integer_value(json_object_get(json_object_get(def, "stats"), "visits")) == 1);
            json_decref(def);
            http_reply_free(&r);
            CHECK(digicafe_searches(pa) == before + 1);
            CHECK(proc_stop(a) == 0);
        }
        /* Weeks later the campaign has ended: 410, and out of the sitemap. */
        pa = start_server("redis-later", "--redis", url, "2027-02-03T09:00:00+01:00", "1000", &a);
        if (pa) {
            CHECK(get(pa, "/q/winter", browser, &r) == 410);
            CHECK_CONTAINS(r.body, "Deze actie is afgelopen");
            http_reply_free(&r);
            const char *auth[] = {"Authorization: " AUTH, NULL};
            CHECK(get(pa, "/v1/queries/winter", auth, &r) == 200);
            CHECK_CONTAINS(r.body, "\"status\":\"expired\"");
            http_reply_free(&r);
            CHECK(get(pa, "/sitemap.xml?part=pages", NULL, &r) == 200);
            CHECK(!strstr(r.body, "/q/winter"));
            http_reply_free(&r);
            CHECK(proc_stop(a) == 0);
        }
        /* The store gone (a Redis port nothing listens on): no sitemap
         * that would leave its landing pages out (crawlers would drop
         * them), a 503 to come back. */
        char gone[128];
        snprintf(gone, sizeof gone, "redis://127.0.0.1:%d/0", free_port());
        pa = start_server("redis-gone", "--redis", gone, "2026-12-01T08:00:00+01:00", "1000", &a);
        CHECK(pa != 0);
        if (pa) {
            CHECK(get(pa, "/sitemap.xml?part=pages", NULL, &r) == 503);
            CHECK_CONTAINS(r.body, "\"unavailable\"");
            http_reply_free(&r);
            CHECK(proc_stop(a) == 0);
        }
    }
    stop_redis(&rp);
    free(rp.bin);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: test_campaigns BINDIR SAMPLE.jsonl VOCABULARY NETWORK.json\n");
        return 2;
    }
    snprintf(bindir, sizeof bindir, "%s", argv[1]);
    const char *sample = argv[2], *voc = argv[3];
    snprintf(network, sizeof network, "%s", argv[4]);
    snprintf(dir, sizeof dir, "/tmp/vp-test-campaigns-XXXXXX");
    if (!mkdtemp(dir))
        return 2;
    snprintf(index_dir, sizeof index_dir, "%s/index", dir);
    char extra[1100], keys[1100], indexer[1100];
    snprintf(extra, sizeof extra, "%s/extra.jsonl", dir);
    snprintf(keys, sizeof keys, "%s/admin-keys", dir);
    snprintf(indexer, sizeof indexer, "%s/vindplaats-indexer", bindir);
    FILE *f = fopen(extra, "w");
    fputs("{\"id\":\"test:voorbij-lang\",\"type\":\"event\",\"title\":\"Zomerlezing\",\"source\":\"test\","
          "\"library\":\"bibliotheek-utrecht\",\"start\":\"2026-08-20T19:00:00+02:00\","
          "\"end\":\"2026-08-20T21:00:00+02:00\"}\n"
          "{\"id\":\"test:voorbij-kort\",\"type\":\"activity\",\"title\":\"Poppenkast & "
          "<script>alert(1)</script>\",\"source\":\"test\",\"library\":\"bibliotheek-utrecht\","
          "\"library_name\":\"Bibliotheek Utrecht\",\"start\":\"2026-11-20T14:00:00+01:00\","
          "\"end\":\"2026-11-20T15:00:00+01:00\",\"updated\":\"2026-11-01T10:00:00Z\"}\n"
          "{\"id\":\"test:spreekuur\",\"type\":\"service\",\"title\":\"Spreekuur digitale overheid\","
          "\"source\":\"test\",\"library\":\"bibliotheek-utrecht\",\"library_name\":\"Bibliotheek "
          "Utrecht\",\"municipality\":\"Utrecht\",\"url\":\"https://www.bibliotheek-utrecht.example.nl/"
          "spreekuur\",\"updated\":\"2026-11-02T10:00:00Z\"}\n",
          f);
    fclose(f);
    char digest_line[128];
    {
        /* The digest of KEY_DIGEST, written by the server itself. */
        char server[1100], cmd[2400], out_path[1100];
        snprintf(server, sizeof server, "%s/vindplaats-server", bindir);
        snprintf(out_path, sizeof out_path, "%s/digest", dir);
        snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' | '%s' --hash-key > '%s'", KEY_DIGEST, server,
                 out_path);
        CHECK(system(cmd) == 0);
        FILE *d = fopen(out_path, "r");
        CHECK(d && fgets(digest_line, sizeof digest_line, d));
        if (d)
            fclose(d);
        CHECK(strncmp(digest_line, "sha256:", 7) == 0 && strlen(digest_line) == 7 + 64 + 1);
    }
    f = fopen(keys, "w");
    fprintf(f, "# staff keys\n%s\n%s", KEY_FILE, digest_line);
    fclose(f);
    setenv("VINDPLAATS_ADMIN_KEYS", KEY_ENV, 1);

    char *load1[] = {indexer, "load", (char *)sample, "--index", index_dir, "--vocabulary", (char *)voc, NULL};
    char *load2[] = {indexer, "load", extra, "--index", index_dir, "--vocabulary", (char *)voc, NULL};
    char *out = NULL;
    int rc = proc_run(load1, &out);
    if (rc != 0)
        fprintf(stderr, "indexer: %s\n", out ? out : "");
    CHECK(rc == 0);
    free(out);
    rc = proc_run(load2, &out);
    if (rc != 0)
        fprintf(stderr, "indexer: %s\n", out ? out : "");
    CHECK(rc == 0);
    free(out);

    char store_a[1100];
    snprintf(store_a, sizeof store_a, "%s/a-store", dir);
    pid_t pid;
    port = start_server("a", "--data-dir", store_a, "2026-12-01T08:00:00+01:00", "1000", &pid);
    if (port) {
        test_access();
        test_preflight();
        test_saving();
        test_landing();
        test_landing_series();
        test_feed();
        test_offering_pages();
        test_sitemap();
        test_services();
        search_script();
        test_insights();
        test_trusted_proxy();
        json_int_t before = digicafe_searches(port);
        CHECK(proc_stop(pid) == 0);
        /* The embedded store keeps it all across a restart. */
        port = start_server("a-again", "--data-dir", store_a, "2026-12-01T08:00:00+01:00", "1000", &pid);
        if (port) {
            check_survived(port, "2");
            CHECK(digicafe_searches(port) == before);
            CHECK(proc_stop(pid) == 0);
        }
    }
    /* The write limit: 3 a minute for this one. */
    char store_c[1100];
    snprintf(store_c, sizeof store_c, "%s/c-store", dir);
    unsigned pc = start_server("limited", "--data-dir", store_c, "2026-12-01T08:00:00+01:00", "3", &pid);
    if (pc) {
        test_rate_limit(pc);
        CHECK(proc_stop(pid) == 0);
    }
    test_redis();

    /* Wrong start-up options fail with a clear message. */
    {
        char server[1100], badkeys[1100];
        snprintf(server, sizeof server, "%s/vindplaats-server", bindir);
        snprintf(badkeys, sizeof badkeys, "%s/bad-keys", dir);
        f = fopen(badkeys, "w");
        fputs("too-short\n", f);
        fclose(f);
        char *bad1[] = {server, "--index", index_dir, "--admin-keys", badkeys, "--port", "0", NULL};
        CHECK(proc_run(bad1, &out) == 1);
        CHECK_CONTAINS(out, "bad-keys:1: a key must be at least 16");
        CHECK(!strstr(out, "too-short"));
        free(out);
        char *bad2[] = {server, "--index", index_dir, "--network", "/nonexistent.json", "--port", "0", NULL};
        CHECK(proc_run(bad2, &out) == 1);
        CHECK_CONTAINS(out, "network");
        free(out);
        char *bad3[] = {server, "--index", index_dir, "--public-url", "ftp://x", NULL};
        CHECK(proc_run(bad3, &out) == 2);
        free(out);
        char *bad4[] = {server, "--index", index_dir, "--write-limit", "0", NULL};
        CHECK(proc_run(bad4, &out) == 2);
        free(out);
        char *bad5[] = {server, "--index", index_dir, "--query-min-clients", "0", NULL};
        CHECK(proc_run(bad5, &out) == 2);
        CHECK_CONTAINS(out, "--query-min-clients: 1 to 20");
        free(out);
        char *bad6[] = {server, "--index", index_dir, "--query-min-clients", "21", NULL};
        CHECK(proc_run(bad6, &out) == 2);
        free(out);
        char *bad7[] = {server, "--index", index_dir, "--trusted-proxy", "10.0.0.10,nginx", NULL};
        CHECK(proc_run(bad7, &out) == 2);
        CHECK_CONTAINS(out, "--trusted-proxy: not an IPv4 or IPv6 address");
        free(out);
        char *help[] = {server, "--help", NULL};
        proc_run(help, &out);
        CHECK_CONTAINS(out, "--query-min-clients K");
        free(out);
    }

    char *rm[] = {"/bin/rm", "-rf", dir, NULL};
    proc_run(rm, NULL);
    return check_done();
}
