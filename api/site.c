/* site.c - the pages' shared parts (site.h): loading the templates, the
 * page frame and result cards as view models, Dutch dates, offering dates,
 * and escaping for URLs and JSON-LD.
 *
 * Pages work without JavaScript and load no assets from elsewhere: the
 * stylesheets are /widget.css and /site.css, scripts come from this server
 * (the Content-Security-Policy sent with every page says so). Links carry
 * absolute canonical URLs built from --public-url (or the Host header), so
 * a page found through a proxy or a mirror still names one address for
 * search engines. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "site.h"
#include "vindplaats/network.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"
#include "vindplaats/template.h"

#define TEMPLATE_FILE_CAP (1u << 20)
#define MAX_OCC 1000

struct api_site {
    vp_templates *set;
    char *css;              /* an override's stylesheet (malloc()ed), or NULL */
    size_t css_len;
};

/* ---- loading ---- */

/* A file's name and what is wrong with it. */
static vp_status site_fail(vp_error *err, vp_status st, const char *file, const char *what)
{
    return vp_error_set(err, st, &(vp_where){file}, "%s", what);
}

/* "partials/head.html" -> "head", "feed.xml" -> "feed"; -1 unless it ends
 * in ".html" or ".xml". */
static int template_name(const char *path, char *out, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || (strcmp(dot, ".html") != 0 && strcmp(dot, ".xml") != 0) ||
        (size_t)(dot - base) >= cap)
        return -1;
    memcpy(out, base, (size_t)(dot - base));
    out[dot - base] = '\0';
    return 0;
}

/* The whole of a file (at most `cap` bytes): VP_OK, or a failure in *err. */
static vp_status read_file(const char *path, size_t cap, char **data, size_t *len, vp_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return site_fail(err, VP_ERR_IO, path, "cannot be read");
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return site_fail(err, VP_ERR_NOMEM, path, "out of memory");
    if (bad || n > cap) {
        free(buf);
        return site_fail(err, bad ? VP_ERR_IO : VP_ERR_TOO_BIG, path,
                         bad ? "read error" : "larger than 1 MiB");
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return VP_OK;
}

static vp_status add_file(api_site *s, const char *name, const char *path, vp_error *err)
{
    char *text = NULL;
    size_t len = 0;
    vp_status st = read_file(path, TEMPLATE_FILE_CAP, &text, &len, err);
    if (st == VP_OK)
        st = vp_templates_add(s->set, name, path, text, len, err);
    free(text);
    return st;
}

static int is_embedded(const char *rel)
{
    for (size_t i = 0; i < api_templates_count; i++)
        if (strcmp(api_templates[i].path, rel) == 0)
            return 1;
    return 0;
}

/* 1 when `name` is a page of the server (pages and partials share names). */
static int is_page(const char *name)
{
    for (size_t i = 0; i < api_templates_count; i++) {
        char n[256];
        if (!strchr(api_templates[i].path, '/') &&
            template_name(api_templates[i].path, n, sizeof n) == 0 && strcmp(n, name) == 0)
            return 1;
    }
    return 0;
}

/* The files of DIR (pages) or DIR/partials (partials). A page must be one
 * the server renders; a partial may be new (a page override includes it). */
static vp_status load_dir(api_site *s, const char *dir, const char *sub, vp_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir, sub ? "/" : "", sub ? sub : "");
    DIR *d = opendir(path);
    if (!d) {
        if (sub && errno == ENOENT)
            return VP_OK;
        return site_fail(err, VP_ERR_IO, path, "not a readable directory (--templates)");
    }
    vp_status st = VP_OK;
    struct dirent *e;
    while (st == VP_OK && (e = readdir(d)) != NULL) {
        char name[256], rel[600], file[4700];
        if (e->d_name[0] == '.' || template_name(e->d_name, name, sizeof name) != 0)
            continue;
        snprintf(rel, sizeof rel, "%s%s%s", sub ? sub : "", sub ? "/" : "", e->d_name);
        snprintf(file, sizeof file, "%s/%s", dir, rel);
        if (!sub && !is_embedded(rel)) {
            st = site_fail(err, VP_ERR_NOT_FOUND, file,
                           "the server has no such page (pages are the .html files of "
                           "api/templates; partials go in partials/)");
            break;
        }
        if (sub && is_page(name)) {
            st = site_fail(err, VP_ERR_INVALID, file,
                           "a partial may not take the name of a page");
            break;
        }
        st = add_file(s, name, file, err);
    }
    closedir(d);
    return st;
}

vp_status api_site_load(const char *dir, api_site **out, vp_error *err)
{
    *out = NULL;
    api_site *s = calloc(1, sizeof *s);
    if (!s || !(s->set = vp_templates_create())) {
        free(s);
        return site_fail(err, VP_ERR_NOMEM, "templates", "out of memory");
    }
    vp_status st = VP_OK;
    for (size_t i = 0; i < api_templates_count && st == VP_OK; i++) {
        char name[256], file[300];
        template_name(api_templates[i].path, name, sizeof name);
        snprintf(file, sizeof file, "api/templates/%s", api_templates[i].path);
        st = vp_templates_add(s->set, name, file, (const char *)api_templates[i].data,
                              api_templates[i].len, err);
    }
    if (st == VP_OK && dir) {
        st = load_dir(s, dir, NULL, err);
        if (st == VP_OK)
            st = load_dir(s, dir, "partials", err);
        char css[4096];
        snprintf(css, sizeof css, "%s/site.css", dir);
        struct stat sb;
        if (st == VP_OK && stat(css, &sb) == 0)
            st = read_file(css, TEMPLATE_FILE_CAP, &s->css, &s->css_len, err);
    }
    if (st == VP_OK)
        st = vp_templates_check(s->set, err);
    if (st != VP_OK) {
        api_site_destroy(s);
        return st;
    }
    *out = s;
    return VP_OK;
}

void api_site_destroy(api_site *s)
{
    if (!s)
        return;
    vp_templates_destroy(s->set);
    free(s->css);
    free(s);
}

void api_handle_site_css(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    const api_site *s = req->site;
    r->status = 200;
    r->content_type = "text/css; charset=utf-8";
    r->cache_control = "public, max-age=300";
    if (s && s->css) {
        r->body = s->css;
        r->body_len = s->css_len;
    } else {
        r->body = (const char *)api_asset_site_css;
        r->body_len = api_asset_site_css_len;
    }
}

/* ---- small helpers ---- */

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

vp_status api_search_run(const api_request *req, vp_search_request *sr, vp_search_result **res,
                         vp_error *err)
{
    sr->now = api_clock(req);
    sr->ranking = req->cfg->ranking;
    return vp_search_execute(req->index, sr, res, err);
}

int64_t api_clock(const api_request *req)
{
    return req->cfg->now ? req->cfg->now : (int64_t)time(NULL);
}

static int host_ok(const char *h)
{
    if (!h || !*h || strlen(h) > 255)
        return 0;
    for (const char *c = h; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr(".-:[]", *c)))
            return 0;
    return 1;
}

void api_base_url(const api_request *req, char *out, size_t cap)
{
    const char *pub = req->cfg->public_url;
    if (pub && *pub) {
        size_t n = strlen(pub);
        while (n && pub[n - 1] == '/')
            n--;
        snprintf(out, cap, "%.*s", (int)(n < 400 ? n : 400), pub);
        return;
    }
    snprintf(out, cap, "http://%s", host_ok(req->host) ? req->host : "localhost");
}

vp_status api_buf_url(vp_buf *b, const char *s, int keep_colon)
{
    static const char hex[] = "0123456789ABCDEF";
    vp_status st = VP_OK;
    for (const unsigned char *p = (const unsigned char *)s; *p && st == VP_OK; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (keep_colon && c == ':')) {
            vp_buf_add(b, &st, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            vp_buf_add(b, &st, e, 3);
        }
    }
    return st;
}

vp_status api_buf_offering_url(vp_buf *b, const char *base, const char *id)
{
    vp_status st = VP_OK;
    vp_buf_adds(b, &st, base);
    vp_buf_adds(b, &st, "/o/");
    return st == VP_OK ? api_buf_url(b, id, 1) : st;
}

vp_status api_buf_jsonld(vp_buf *b, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (!text)
        return VP_ERR_NOMEM;
    vp_status st = VP_OK;
    /* "</script>" must not end the block early: the three characters that
     * matter become JSON escapes, which mean the same inside strings (the
     * only place JSON can hold them). */
    for (const char *p = text; *p && st == VP_OK; p++) {
        if (*p == '<')
            vp_buf_adds(b, &st, "\\u003c");
        else if (*p == '>')
            vp_buf_adds(b, &st, "\\u003e");
        else if (*p == '&')
            vp_buf_adds(b, &st, "\\u0026");
        else
            vp_buf_add(b, &st, p, 1);
    }
    free(text);
    return st;
}

int api_is_bot(const char *ua)
{
    static const char *const marks[] = {"bot", "crawl", "spider", "slurp", "preview",
                                        "facebookexternalhit", "embedly", "curl/", "wget/"};
    if (!ua || !*ua)
        return 1;
    char low[512];
    size_t n = 0;
    for (; ua[n] && n < sizeof low - 1; n++)
        low[n] = (char)(ua[n] >= 'A' && ua[n] <= 'Z' ? ua[n] - 'A' + 'a' : ua[n]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(low, marks[i]))
            return 1;
    return 0;
}

int api_wants_json(const api_request *req)
{
    const char *a = req->accept;
    return a && strstr(a, "application/json") && !strstr(a, "text/html");
}

/* A vp_buf's text as a JSON string (NULL when empty or out of memory). */
/* The text of `b` as a JSON string when it was built without a failure
 * (`st`) and is not empty; else NULL. */
static json_t *buf_json(vp_buf *b, vp_status st)
{
    return st == VP_OK && b->data && b->len ? json_stringn(b->data, b->len) : NULL;
}

/* Sets `key` to `v` when there is a value: VP_ERR_NOMEM when it could not. */
static vp_status set_opt(json_t *o, const char *key, json_t *v)
{
    return !v || json_object_set_new(o, key, v) == 0 ? VP_OK : VP_ERR_NOMEM;
}

/* ---- the page frame ---- */

json_t *api_page_view(const api_request *req, const char *title, const char *canonical_path,
                      const char *description)
{
    json_t *page = json_object();
    json_t *view = json_object();
    if (!page || !view || json_object_set_new(view, "page", page) != 0) {
        json_decref(view);
        return NULL;
    }
    set_opt(page, "title", title ? json_string(title) : NULL);
    set_opt(page, "description", description ? json_string(description) : NULL);
    if (canonical_path) {
        char base[512];
        api_base_url(req, base, sizeof base);
        vp_buf u;
        vp_buf_init(&u, 8192);
        vp_status st = VP_OK;
        vp_buf_adds(&u, &st, base);
        vp_buf_adds(&u, &st, canonical_path);
        set_opt(page, "canonical", buf_json(&u, st));
        vp_buf_free(&u);
    }
    return view;
}

static json_t *page_list(json_t *view, const char *key)
{
    json_t *page = json_object_get(view, "page");
    json_t *list = json_object_get(page, key);
    if (!list && page) {
        list = json_array();
        if (json_object_set_new(page, key, list) != 0)
            return NULL;
    }
    return list;
}

vp_status api_page_robots(json_t *view, const char *content)
{
    json_t *page = json_object_get(view, "page");
    if (page && content && json_object_set_new(page, "robots", json_string(content)) != 0)
        return VP_ERR_NOMEM;
    return VP_OK;
}

static vp_status page_image(json_t *view, const char *url, const char *alt)
{
    json_t *page = json_object_get(view, "page");
    if (!page || !url || !*url)
        return VP_OK;
    if (json_object_set_new(page, "image", json_string(url)) != 0)
        return VP_ERR_NOMEM;
    return set_opt(page, "image_alt", alt ? json_string(alt) : NULL);
}

/* The picture for a page about offering `doc` (may be NULL) of library
 * `library` (an id; may be NULL): the offering's own image, else the
 * network file's image of the library, else the site's default picture
 * (/og-default.png, absolute from --public-url or Host); onto `b`.
 * Returns what it shows, for og:image:alt (borrowed from doc, the
 * network or static). */
static const char *share_image(vp_buf *b, const api_request *req, json_t *doc,
                               const char *library)
{
    const char *own = jstr(doc, "image");
    if (own && vp_offering_url_ok(own)) {
        vp_buf_puts(b, own);
        return jstr(doc, "title");
    }
    const vp_library_info *li = library ? vp_network_get(req->cfg->network, library) : NULL;
    if (li && li->image) {
        vp_buf_puts(b, li->image);
        return li->name;
    }
    char base[512];
    api_base_url(req, base, sizeof base);
    vp_buf_puts(b, base);
    vp_buf_puts(b, "/og-default.png");
    return "Vindplaats: alles wat de openbare bibliotheken aanbieden";
}

vp_status api_page_share(json_t *view, const api_request *req, json_t *doc, const char *library)
{
    json_t *page = json_object_get(view, "page");
    if (!page)
        return VP_OK;
    if (json_object_set_new(page, "og_type", json_string("website")) != 0)
        return VP_ERR_NOMEM;
    vp_buf b;
    vp_buf_init(&b, 8192);
    const char *alt = share_image(&b, req, doc, library);
    vp_status st = b.data ? page_image(view, b.data, alt) : VP_ERR_NOMEM;
    vp_buf_free(&b);
    return st;
}

vp_status api_page_alternate(json_t *view, const char *type, const char *title, const char *href)
{
    json_t *list = page_list(view, "alternates");
    if (!list ||
        json_array_append_new(list, json_pack("{s:s?, s:s?, s:s?}", "type", type, "title", title,
                                              "href", href)) != 0)
        return VP_ERR_NOMEM;
    return VP_OK;
}

vp_status api_page_jsonld(json_t *view, json_t *ld)
{
    json_t *page = json_object_get(view, "page");
    vp_buf b;
    vp_buf_init(&b, API_PAGE_CAP);
    vp_status st = ld ? api_buf_jsonld(&b, ld) : VP_OK;
    if (page && st == VP_OK)
        st = set_opt(page, "jsonld", buf_json(&b, st));
    vp_buf_free(&b);
    return st;
}

vp_status api_page_script(json_t *view, const char *src)
{
    json_t *list = page_list(view, "scripts");
    if (!src)
        return VP_OK;
    if (!list || json_array_append_new(list, json_string(src)) != 0)
        return VP_ERR_NOMEM;
    return VP_OK;
}

/* Hands a rendered page over to the reply, with the pages' Content-Security-Policy. */
static void reply_html(api_reply *r, unsigned status, vp_buf *b)
{
    vp_status st = api_reply_buf(r, status, b, "text/html; charset=utf-8",
                                 r->cache_control ? NULL : "no-cache");
    if (st != VP_OK)
        return;
    st = api_reply_header(
        r, "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'self'");
    /* No page goes out without its policy. */
    if (st != VP_OK)
        api_status_error(r, st, "too many reply headers");
}

static vp_status render_into(vp_buf *b, const api_request *req, const char *name, json_t *view,
                             vp_error *err)
{
    if (!req->site)
        return vp_error_set(err, VP_ERR_INTERNAL, NULL, "no templates loaded");
    return vp_templates_render(req->site->set, name, view, b, err);
}

/* `content_type` NULL: an HTML page (with its policy). */
static void render_reply(api_reply *r, const api_request *req, unsigned status, const char *name,
                         json_t *view, const char *content_type, size_t cap)
{
    vp_buf b;
    vp_buf_init(&b, cap);
    vp_error err = VP_ERROR_INIT;
    vp_status st = view ? render_into(&b, req, name, view, &err) : VP_ERR_NOMEM;
    if (st == VP_OK && !content_type) {
        reply_html(r, status, &b);
    } else if (st == VP_OK) {
        api_reply_buf(r, status, &b, content_type, NULL);
    } else if (st == VP_ERR_NOMEM) {
        api_error(r, 503, "unavailable", "out of memory", NULL);
        r->cache_control = "no-store";
    } else {
        r->cache_control = "no-store";
        char *text = vp_error_text(&err);
        char msg[600];
        snprintf(msg, sizeof msg, "page template %s: %s", name, text ? text : vp_status_str(st));
        free(text);
        fprintf(stderr, "vindplaats-server: %s\n", msg);
        api_error(r, 500, "internal", msg, NULL);
    }
    vp_error_clear(&err);
    vp_buf_free(&b);
}

void api_render(api_reply *r, const api_request *req, unsigned status, const char *name,
                json_t *view)
{
    render_reply(r, req, status, name, view, NULL, API_PAGE_CAP);
}

void api_render_doc(api_reply *r, const api_request *req, const char *name, json_t *view,
                    const char *content_type, size_t cap)
{
    render_reply(r, req, 200, name, view, content_type, cap);
}

void api_reply_friendly(api_reply *r, const api_request *req, unsigned status, const char *title,
                        const char *message)
{
    json_t *view = api_page_view(req, title, NULL, NULL);
    api_page_robots(view, "noindex");
    if (view)
    {
        json_object_set_new(view, "message", json_pack("{s:s?, s:s?}", "title", title, "text",
                                                       message));
        json_object_set_new(view, "find_label",
                            json_string("Zoek in het aanbod van alle bibliotheken"));
    }
    r->cache_control = "no-cache";
    api_render(r, req, status, "friendly", view);
    json_decref(view);
}

/* ---- dates in Dutch ---- */

static const char *const WEEKDAYS[] = {"zo", "ma", "di", "wo", "do", "vr", "za"};
/* As browsers write them (Intl.DateTimeFormat, "nl", month "short"), so a
 * date on a page reads the same as one the widget draws: "vr 18 dec 2026". */
static const char *const MONTHS[] = {"jan", "feb", "mrt", "apr", "mei", "jun",
                                     "jul", "aug", "sep", "okt", "nov", "dec"};

/* Local seconds of a parsed date-time (the offering's own offset). */
static int64_t local_of(const vp_datetime *dt)
{
    return dt->utc + (int64_t)dt->offset_min * 60;
}

static vp_status day_text(vp_buf *b, int64_t local)
{
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int ymd = vp_day_from_epoch(days);
    int wd = (int)(((days % 7) + 7 + 4) % 7);
    return vp_buf_printf(b, "%s %d %s %d", WEEKDAYS[wd], ymd % 100, MONTHS[ymd / 100 % 100 - 1],
                  ymd / 10000);
}

static vp_status time_text(vp_buf *b, int64_t local)
{
    int64_t s = ((local % 86400) + 86400) % 86400;
    return vp_buf_printf(b, "%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60));
}

vp_status api_buf_when(vp_buf *b, const char *start, const char *end)
{
    vp_datetime s, e;
    if (!start || vp_datetime_parse(start, &s) != VP_OK)
        return VP_OK;
    vp_status st = day_text(b, local_of(&s));
    if (st != VP_OK || s.all_day)
        return st;
    vp_buf_adds(b, &st, ", ");
    if (st == VP_OK)
        st = time_text(b, local_of(&s));
    if (st == VP_OK && end && vp_datetime_parse(end, &e) == VP_OK && !e.all_day &&
        e.utc > s.utc) {
        int64_t ls = local_of(&s), le = local_of(&e);
        if (ls / 86400 == le / 86400) {
            vp_buf_adds(b, &st, "–");
        } else {
            vp_buf_adds(b, &st, " – ");
            if (st == VP_OK)
                st = day_text(b, le);
            vp_buf_adds(b, &st, ", ");
        }
        if (st == VP_OK)
            st = time_text(b, le);
    }
    return st;
}

json_t *api_when_json(const char *start, const char *end)
{
    vp_buf b;
    vp_buf_init(&b, 256);
    json_t *s = buf_json(&b, api_buf_when(&b, start, end));
    vp_buf_free(&b);
    return s ? s : json_null();
}

/* ---- offering dates ---- */

size_t api_occurrences(json_t *doc, json_t **starts, json_t **ends, size_t cap)
{
    json_t *occ = json_object_get(doc, "occurrences");
    size_t n = 0, i;
    json_t *o;
    json_array_foreach(occ, i, o) {
        if (n == cap)
            break;
        if (!json_is_string(json_object_get(o, "start")))
            continue;
        starts[n] = json_object_get(o, "start");
        ends[n] = json_object_get(o, "end");
        n++;
    }
    if (n == 0 && json_is_string(json_object_get(doc, "start")) && cap) {
        starts[0] = json_object_get(doc, "start");
        ends[0] = json_object_get(doc, "end");
        n = 1;
    }
    return n;
}

int64_t api_occurrence_until(json_t *start, json_t *end)
{
    vp_datetime s, e;
    if (vp_datetime_parse(json_string_value(start), &s) != 0)
        return -1;
    if (json_is_string(end) && vp_datetime_parse(json_string_value(end), &e) == 0)
        return e.all_day ? e.utc + 86400 : e.utc;
    return (vp_day_to_epoch(vp_datetime_local_day(&s)) + 1) * 86400 - (int64_t)s.offset_min * 60;
}

int api_offering_ended(json_t *doc, int64_t before)
{
    json_t *st[MAX_OCC], *en[MAX_OCC];
    size_t n = api_occurrences(doc, st, en, MAX_OCC);
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (api_occurrence_until(st[i], en[i]) >= before)
            return 0;
    return 1;
}

/* ---- result cards ---- */

const char *api_type_label(const char *t)
{
    static const char *const k[] = {"course", "event", "activity", "ebook", "audiobook", "book",
                                    "service"};
    static const char *const v[] = {"Cursus", "Evenement", "Activiteit", "E-book", "Luisterboek",
                                    "Boek", "Dienst"};
    for (size_t i = 0; t && i < sizeof k / sizeof k[0]; i++)
        if (strcmp(t, k[i]) == 0)
            return v[i];
    return t ? t : "Aanbod";
}

const char *api_audience_label(const char *a)
{
    static const char *const k[] = {"baby", "peuter", "kleuter", "jeugd", "ouders", "volwassenen",
                                    "senioren", "nieuwkomers", "laaggeletterden",
                                    "werkzoekenden", "iedereen"};
    static const char *const v[] = {"Baby's", "Peuters", "Kleuters", "Jeugd", "Ouders",
                                    "Volwassenen", "Senioren", "Nieuwkomers", "Laaggeletterden",
                                    "Werkzoekenden", "Iedereen"};
    for (size_t i = 0; a && i < sizeof k / sizeof k[0]; i++)
        if (strcmp(a, k[i]) == 0)
            return v[i];
    return a;
}

const char *api_facet_label(const api_request *req, int field, const char *value)
{
    const vp_proposition *p;
    const vp_library_info *lib;
    switch (field) {
    case VP_FIELD_TYPE:
        return api_type_label(value);
    case VP_FIELD_CHANNEL:
        return api_channel_label(value);
    case VP_FIELD_AUDIENCE:
        return api_audience_label(value);
    case VP_FIELD_PROPOSITION:
        p = vp_vocabulary_get(req->voc, value);
        return p && p->name ? p->name : value;
    case VP_FIELD_LIBRARY:
        lib = req->cfg->network ? vp_network_get(req->cfg->network, value) : NULL;
        return lib && lib->name ? lib->name : value;
    default:
        return value;
    }
}

const char *api_task_name(const char *task)
{
    static const char *const k[] = {"geletterdheid", "informatiesamenleving",
                                    "leven-lang-ontwikkelen", "cultuur"};
    static const char *const v[] = {"Geletterde samenleving",
                                    "Participatie in de informatiesamenleving",
                                    "Leven lang ontwikkelen", "Cultuur en leesplezier"};
    for (size_t i = 0; task && i < sizeof k / sizeof k[0]; i++)
        if (strcmp(task, k[i]) == 0)
            return v[i];
    return task;
}

const char *api_channel_label(const char *c)
{
    if (!c)
        return NULL;
    if (strcmp(c, "online") == 0)
        return "Online";
    if (strcmp(c, "offline") == 0)
        return "Op locatie";
    if (strcmp(c, "hybrid") == 0)
        return "Online en op locatie";
    return c;
}

vp_status api_buf_price(vp_buf *b, json_t *price)
{
    json_t *amount = json_object_get(price, "amount");
    if (!json_is_number(amount))
        return VP_OK;
    double a = json_number_value(amount);
    if (a == 0)
        return vp_buf_puts(b, "Gratis");
    const char *cur = jstr(price, "currency");
    long cents = (long)(a * 100 + 0.5);
    if (!cur || strcmp(cur, "EUR") == 0)
        return vp_buf_printf(b, "€ %ld,%02ld", cents / 100, cents % 100);
    return vp_buf_printf(b, "%s %ld,%02ld", cur, cents / 100, cents % 100);
}

vp_status api_buf_where(vp_buf *b, json_t *r)
{
    const char *branch = jstr(r, "branch_name"), *lib = jstr(r, "library_name");
    if (!branch)
        branch = jstr(r, "branch");
    if (!lib)
        lib = jstr(r, "library");
    vp_status st = VP_OK;
    if (branch)
        vp_buf_adds(b, &st, branch);
    if (lib && (!branch || !strstr(branch, lib))) {
        if (branch)
            vp_buf_adds(b, &st, ", ");
        vp_buf_adds(b, &st, lib);
    }
    return st;
}

/* {"name": local name or proposition name, "also": the proposition name
 * when it differs}, or NULL when the result has neither. */
static json_t *prop_view(json_t *r)
{
    const char *ln = jstr(r, "local_name"), *pn = jstr(r, "proposition_name");
    if (!ln && !pn)
        return NULL;
    return json_pack("{s:s, s:s?}", "name", ln ? ln : pn, "also",
                     ln && pn && strcmp(ln, pn) != 0 ? pn : NULL);
}

json_t *api_series_view(json_t *series, size_t max)
{
    json_t *next = json_object_get(series, "next");
    json_int_t count = json_integer_value(json_object_get(series, "count"));
    if (count <= 0 || !json_array_size(next))
        return NULL;
    json_t *dates = json_array();
    for (size_t i = 0; dates && i < json_array_size(next) && i < max; i++) {
        json_t *d = json_array_get(next, i);
        const char *start = jstr(d, "start");
        vp_buf b;
        vp_buf_init(&b, 4096);
        json_t *href = buf_json(&b, api_buf_offering_url(&b, "", jstr(d, "id") ? jstr(d, "id") : ""));
        vp_buf_free(&b);
        json_array_append_new(dates, json_pack("{s:b, s:o?, s:s, s:o}", "first", i == 0, "href",
                                               href, "start", start ? start : "", "text",
                                               api_when_json(start, jstr(d, "end"))));
    }
    return json_pack("{s:I, s:s, s:o, s:b}", "count", count, "word", count == 1 ? "datum" : "data",
                     "dates", dates, "more", (size_t)count > max);
}

json_t *api_card_view(json_t *r, const char *href, int hl)
{
    const char *id = jstr(r, "id"), *url = href ? href : jstr(r, "url");
    const char *title = jstr(r, "title");
    if (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0 && url[0] != '/')
        url = NULL;
    if (hl < 2 || hl > 6)
        hl = 3;
    json_t *c = json_pack("{s:s, s:s?, s:i, s:s?, s:s}", "type_label",
                          api_type_label(jstr(r, "type")), "channel_label",
                          api_channel_label(jstr(r, "channel")), "level", hl, "href", url,
                          "title", title ? title : "—");
    if (!c)
        return NULL;
    set_opt(c, "prop", prop_view(r));
    /* The engine's snippet is HTML-escaped text with <mark> only. */
    const char *snip = jstr(r, "snippet");
    if (snip && *snip)
        json_object_set_new(c, "snippet_html", json_string(snip));
    json_t *next = json_object_get(r, "next");
    if (json_is_object(next) && jstr(next, "start"))
        json_object_set_new(c, "when", json_pack("{s:s, s:o}", "start", jstr(next, "start"),
                                                 "text", api_when_json(jstr(next, "start"),
                                                                       jstr(next, "end"))));
    set_opt(c, "series", api_series_view(json_object_get(r, "series"), 3));
    vp_buf b;
    vp_buf_init(&b, 4096);
    vp_status where = api_buf_where(&b, r);
    /* How far from the place searched around, for what is not only online. */
    json_t *km = json_object_get(r, "distance_km");
    const char *chan = jstr(r, "channel");
    if (json_is_number(km) && !(chan && strcmp(chan, "online") == 0)) {
        double d = json_number_value(km);
        char text[48];
        if (d < 1)
            snprintf(text, sizeof text, "minder dan 1 km van de gekozen plaats");
        else
            snprintf(text, sizeof text, "%.0f km van de gekozen plaats", d);
        vp_buf_puts(&b, b.len ? " · " : "");
        vp_buf_puts(&b, text);
    }
    set_opt(c, "where", buf_json(&b, where));
    vp_buf_free(&b);
    vp_buf_init(&b, 256);
    set_opt(c, "price", buf_json(&b, api_buf_price(&b, json_object_get(r, "price"))));
    vp_buf_free(&b);
    if (id) {
        vp_buf_init(&b, 4096);
        set_opt(c, "page_path", buf_json(&b, api_buf_offering_url(&b, "", id)));
        vp_buf_free(&b);
        json_object_set_new(c, "more_label", json_string(title ? title : id));
    }
    return c;
}
