/* pages.c - server-rendered pages and what makes offerings findable from
 * ordinary web search: /o/{id} with schema.org JSON-LD, /sitemap.xml,
 * /robots.txt, and the helpers every page of the server shares (the page
 * frame, result cards, Dutch dates, escaping for HTML, XML and JSON-LD).
 *
 * Pages work without JavaScript and load no assets from elsewhere: the
 * only stylesheet is /widget.css, scripts come from this server (and the
 * Content-Security-Policy sent with every page says so). Every string from
 * the index, the store or the request goes through vp_buf_html, or
 * api_buf_xml in XML, or api_buf_jsonld inside a <script> data block.
 * Links carry absolute canonical URLs built from --public-url (or the Host
 * header), so a page found through a proxy or a mirror still names one
 * address for search engines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "vindplaats/buf.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"

/* Past offerings keep their page this long after their last date (with a
 * notice and noindex), then answer 410 Gone so search engines drop them. */
#define GONE_AFTER_DAYS 30
#define SITEMAP_PER_PAGE 100
#define PAGE_CAP (4u << 20)

static const char *const PAGE_CSS =
    "body{margin:0;font:100%/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;"
    "color:#1a1a1a;background:#fff}"
    ".w{max-width:70rem;margin:0 auto;padding:0 1rem}"
    ".skip{position:absolute;left:-999px;top:0;background:#fff;color:#0b5394;padding:.5rem 1rem;z-index:2}"
    ".skip:focus{left:1rem}"
    "header.site{background:#0b3d6b;color:#fff;padding:1rem 0}"
    "header.site a{color:#fff;text-decoration:none;font-weight:700;font-size:1.3rem}"
    "header.site p{margin:0}"
    "main{padding:1.25rem 0 2rem;display:block}"
    "main:focus{outline:none}"
    "h1{font-size:1.8rem;line-height:1.25;margin:.5rem 0 .75rem}"
    "h2{font-size:1.25rem;margin:1.75rem 0 .5rem}"
    ".lead{font-size:1.1rem;max-width:46rem;margin:0 0 1.25rem}"
    ".note{background:#eaf1f9;border-left:4px solid #0b5394;padding:.6rem .9rem;margin:0 0 1rem;max-width:46rem}"
    ".act{display:inline-block;background:#0b5394;color:#fff;font-weight:700;padding:.6rem 1.1rem;"
    "border-radius:4px;text-decoration:none;margin:.5rem 0}"
    ".act:hover{filter:brightness(1.15)}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;max-width:46rem}"
    "dl.facts dt{font-weight:700}dl.facts dd{margin:0}"
    "a{color:#0b5394}"
    ":focus-visible{outline:3px solid #b34700;outline-offset:2px}"
    "form.find label{display:block;font-weight:700;margin:.5rem 0 .35rem}"
    ".sr{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap;border:0}"
    "form.find input,form.find button,form.find select{font:inherit;min-height:2.75rem;padding:.4rem .7rem;"
    "border:2px solid #767676;border-radius:4px}"
    "form.find button{background:#0b5394;border-color:#0b5394;color:#fff;font-weight:700}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;font-size:.9rem}"
    "th,td{border:1px solid #c4c4c4;padding:.3rem .45rem;text-align:left;vertical-align:top}"
    "thead th{background:#f3f5f8}"
    "tbody th{background:#fafafa;position:sticky;left:0}"
    "td.no{color:#6b6b6b;text-align:center}"
    "td.yes{background:#e3f0e6}"
    ".chart{max-width:100%;height:auto}"
    ".cards{margin:1rem 0}"
    ".mut{color:#545454;font-size:.9rem}"
    "footer{border-top:1px solid #d6d6d6;color:#545454;font-size:.9rem;padding:1rem 0 2rem}"
    "@media print{header.site,footer,form.find{display:none}}";

/* ---- small helpers ---- */

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

void api_buf_url(vp_buf *b, const char *s, int keep_colon)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || (keep_colon && c == ':')) {
            vp_buf_append(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            vp_buf_append(b, e, 3);
        }
    }
}

void api_buf_xml(vp_buf *b, const char *s)
{
    size_t start = 0, i = 0;
    for (; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            vp_buf_html(b, s + start, i - start);
            start = i + 1;
        }
    }
    vp_buf_html(b, s + start, i - start);
}

void api_buf_jsonld(vp_buf *b, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(10));
    if (!text)
        return;
    /* "</script>" must not end the block early: the three characters that
     * matter become JSON escapes, which mean the same inside strings (the
     * only place JSON can hold them). */
    for (const char *p = text; *p; p++) {
        if (*p == '<')
            vp_buf_puts(b, "\\u003c");
        else if (*p == '>')
            vp_buf_puts(b, "\\u003e");
        else if (*p == '&')
            vp_buf_puts(b, "\\u0026");
        else
            vp_buf_append(b, p, 1);
    }
    free(text);
}

static void html(vp_buf *b, const char *s)
{
    if (s)
        vp_buf_html(b, s, strlen(s));
}

int api_nl_offset(int64_t utc)
{
    return vp_nl_offset(utc);
}

int api_nl_day(int64_t utc)
{
    return vp_nl_day(utc);
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

/* ---- the page frame ---- */

void api_page_start(vp_buf *b, const api_request *req, const char *title,
                    const char *canonical_path, const char *description, const char *head_extra)
{
    char base[512];
    api_base_url(req, base, sizeof base);
    vp_buf_puts(b, "<!doctype html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>");
    html(b, title);
    vp_buf_puts(b, " – Vindplaats</title>\n");
    if (description) {
        vp_buf_puts(b, "<meta name=\"description\" content=\"");
        html(b, description);
        vp_buf_puts(b, "\">\n");
    }
    if (canonical_path) {
        vp_buf_puts(b, "<link rel=\"canonical\" href=\"");
        html(b, base);
        html(b, canonical_path);
        vp_buf_puts(b, "\">\n");
    }
    vp_buf_puts(b, "<link rel=\"icon\" href=\"data:,\">\n"
                   "<link rel=\"search\" type=\"application/opensearchdescription+xml\" "
                   "title=\"Vindplaats\" href=\"/opensearch.xml\">\n"
                   "<link rel=\"stylesheet\" href=\"/widget.css\">\n<style>");
    vp_buf_puts(b, PAGE_CSS);
    vp_buf_puts(b, "</style>\n");
    if (head_extra)
        vp_buf_puts(b, head_extra);
    vp_buf_puts(b, "</head>\n<body>\n<a class=\"skip\" href=\"#inhoud\">Naar de inhoud</a>\n"
                   "<header class=\"site\"><div class=\"w\"><a href=\"/\">Vindplaats</a>\n"
                   "<p>Alles wat de openbare bibliotheken aanbieden, in één zoekvak.</p></div>"
                   "</header>\n<main id=\"inhoud\" class=\"w\" tabindex=\"-1\">\n");
}

void api_page_end(vp_buf *b)
{
    vp_buf_puts(b, "</main>\n<footer><div class=\"w\"><a href=\"/\">Zoeken in al het aanbod</a> · "
                   "<a href=\"/services\">Welke bibliotheek biedt wat</a> · Vindplaats bewaart geen "
                   "persoonsgegevens, alleen tellingen.</div></footer>\n</body>\n</html>\n");
}

void api_reply_html(api_reply *r, unsigned status, vp_buf *b)
{
    size_t len = b->len;
    char *body = vp_buf_steal(b);
    if (!body) {
        api_error(r, 503, "unavailable", "out of memory", NULL);
        return;
    }
    r->status = status;
    r->owned_body = body;
    r->body_len = len;
    r->content_type = "text/html; charset=utf-8";
    if (!r->cache_control)
        r->cache_control = "no-cache";
    api_reply_header(r, "Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                     "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                     "frame-ancestors 'self'");
}

static void search_form(vp_buf *b, const char *label)
{
    vp_buf_puts(b, "<form class=\"find\" action=\"/\" method=\"get\" role=\"search\">\n"
                   "<label for=\"find-q\">");
    html(b, label);
    vp_buf_puts(b, "</label>\n<input id=\"find-q\" type=\"search\" name=\"q\"> "
                   "<button type=\"submit\">Zoeken</button>\n</form>\n");
}

void api_reply_friendly(api_reply *r, const api_request *req, unsigned status, const char *title,
                        const char *message)
{
    vp_buf b;
    vp_buf_init(&b, PAGE_CAP);
    api_page_start(&b, req, title, NULL, NULL, "<meta name=\"robots\" content=\"noindex\">\n");
    vp_buf_puts(&b, "<h1>");
    html(&b, title);
    vp_buf_puts(&b, "</h1>\n<p class=\"lead\">");
    html(&b, message);
    vp_buf_puts(&b, "</p>\n");
    search_form(&b, "Zoek in het aanbod van alle bibliotheken");
    vp_buf_puts(&b, "<p><a href=\"/services\">Bekijk welke bibliotheek wat aanbiedt</a></p>\n");
    api_page_end(&b);
    r->cache_control = "no-cache";
    api_reply_html(r, status, &b);
    vp_buf_free(&b);
}

/* ---- dates in Dutch ---- */

static const char *const WEEKDAYS[] = {"zo", "ma", "di", "wo", "do", "vr", "za"};
static const char *const MONTHS[] = {"jan.", "feb.", "mrt.", "apr.", "mei", "jun.",
                                     "jul.", "aug.", "sep.", "okt.", "nov.", "dec."};

/* Local seconds of a parsed date-time (the offering's own offset). */
static int64_t local_of(const vp_datetime *dt)
{
    return dt->utc + (int64_t)dt->offset_min * 60;
}

static void day_text(vp_buf *b, int64_t local)
{
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int ymd = vp_day_from_epoch(days);
    int wd = (int)(((days % 7) + 7 + 4) % 7);
    vp_buf_printf(b, "%s %d %s %d", WEEKDAYS[wd], ymd % 100, MONTHS[ymd / 100 % 100 - 1],
                  ymd / 10000);
}

static void time_text(vp_buf *b, int64_t local)
{
    int64_t s = ((local % 86400) + 86400) % 86400;
    vp_buf_printf(b, "%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60));
}

void api_buf_when(vp_buf *b, const char *start, const char *end)
{
    vp_datetime s, e;
    if (!start || vp_datetime_parse(start, &s) != 0)
        return;
    day_text(b, local_of(&s));
    if (s.all_day)
        return;
    vp_buf_puts(b, ", ");
    time_text(b, local_of(&s));
    if (end && vp_datetime_parse(end, &e) == 0 && !e.all_day && e.utc > s.utc) {
        int64_t ls = local_of(&s), le = local_of(&e);
        if (ls / 86400 == le / 86400) {
            vp_buf_puts(b, "–");
        } else {
            vp_buf_puts(b, " – ");
            day_text(b, le);
            vp_buf_puts(b, ", ");
        }
        time_text(b, le);
    }
}

/* ---- result cards ---- */

static const char *type_label(const char *t)
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

static const char *channel_label(const char *c)
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

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void price_text(vp_buf *b, json_t *price)
{
    json_t *amount = json_object_get(price, "amount");
    if (!json_is_number(amount))
        return;
    double a = json_number_value(amount);
    if (a == 0) {
        vp_buf_puts(b, "Gratis");
        return;
    }
    const char *cur = jstr(price, "currency");
    long cents = (long)(a * 100 + 0.5);
    if (!cur || strcmp(cur, "EUR") == 0)
        vp_buf_printf(b, "€ %ld,%02ld", cents / 100, cents % 100);
    else {
        html(b, cur);
        vp_buf_printf(b, " %ld,%02ld", cents / 100, cents % 100);
    }
}

/* "Bibliotheek Neude, Bibliotheek Utrecht": branch and library, the one
 * left out when it repeats the other. */
static void where_text(vp_buf *b, json_t *r)
{
    const char *branch = jstr(r, "branch_name"), *lib = jstr(r, "library_name");
    if (!branch)
        branch = jstr(r, "branch");
    if (!lib)
        lib = jstr(r, "library");
    if (branch)
        html(b, branch);
    if (lib && (!branch || !strstr(branch, lib))) {
        if (branch)
            vp_buf_puts(b, ", ");
        html(b, lib);
    }
}

void api_buf_series(vp_buf *b, json_t *series, size_t max)
{
    json_t *next = json_object_get(series, "next");
    json_int_t count = json_integer_value(json_object_get(series, "count"));
    if (count <= 0 || !json_array_size(next))
        return;
    vp_buf_printf(b, "<li class=\"vp-series\">Nog %lld %s: ", (long long)count,
                  count == 1 ? "datum" : "data");
    for (size_t i = 0; i < json_array_size(next) && i < max; i++) {
        json_t *d = json_array_get(next, i);
        vp_buf_puts(b, i ? "; <a href=\"/o/" : "<a href=\"/o/");
        api_buf_url(b, jstr(d, "id") ? jstr(d, "id") : "", 1);
        vp_buf_puts(b, "\"><time datetime=\"");
        html(b, jstr(d, "start") ? jstr(d, "start") : "");
        vp_buf_puts(b, "\">");
        api_buf_when(b, jstr(d, "start"), jstr(d, "end"));
        vp_buf_puts(b, "</time></a>");
    }
    vp_buf_puts(b, (size_t)count > max ? " …</li>\n" : "</li>\n");
}

void api_buf_card(vp_buf *b, json_t *r, const char *href, int hl)
{
    const char *id = jstr(r, "id"), *url = href ? href : jstr(r, "url");
    const char *title = jstr(r, "title"), *ln = jstr(r, "local_name");
    const char *pn = jstr(r, "proposition_name"), *channel = channel_label(jstr(r, "channel"));
    if (url && strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0 && url[0] != '/')
        url = NULL;
    vp_buf_puts(b, "<li class=\"vp-card\">\n<p class=\"vp-kick\"><span class=\"vp-badge\">");
    html(b, type_label(jstr(r, "type")));
    vp_buf_puts(b, "</span>");
    if (channel) {
        vp_buf_puts(b, " <span class=\"vp-chan\">");
        html(b, channel);
        vp_buf_puts(b, "</span>");
    }
    vp_buf_printf(b, "</p>\n<h%d class=\"vp-title\">", hl);
    if (url) {
        vp_buf_puts(b, "<a href=\"");
        html(b, url);
        vp_buf_puts(b, "\">");
    }
    html(b, title ? title : "—");
    if (url)
        vp_buf_puts(b, "</a>");
    vp_buf_printf(b, "</h%d>\n", hl);
    if (ln || pn) {
        vp_buf_puts(b, "<p class=\"vp-prop\"><span class=\"vp-sr\">Aanbod: </span><strong>");
        html(b, ln ? ln : pn);
        vp_buf_puts(b, "</strong>");
        if (ln && pn && strcmp(ln, pn) != 0) {
            vp_buf_puts(b, " (");
            html(b, pn);
            vp_buf_puts(b, ")");
        }
        vp_buf_puts(b, "</p>\n");
    }
    /* The engine's snippet is HTML-escaped text with <mark> only. */
    const char *snip = jstr(r, "snippet");
    if (snip && *snip)
        vp_buf_printf(b, "<p class=\"vp-snip\">%s</p>\n", snip);
    vp_buf_puts(b, "<ul class=\"vp-facts\">\n");
    json_t *next = json_object_get(r, "next");
    if (json_is_object(next) && jstr(next, "start")) {
        vp_buf_puts(b, "<li class=\"vp-when\"><span class=\"vp-sr\">Wanneer: </span><time datetime=\"");
        html(b, jstr(next, "start"));
        vp_buf_puts(b, "\">");
        api_buf_when(b, jstr(next, "start"), jstr(next, "end"));
        vp_buf_puts(b, "</time></li>\n");
    }
    api_buf_series(b, json_object_get(r, "series"), 3);
    if (jstr(r, "branch_name") || jstr(r, "library_name") || jstr(r, "branch") ||
        jstr(r, "library")) {
        vp_buf_puts(b, "<li class=\"vp-where\"><span class=\"vp-sr\">Waar: </span>");
        where_text(b, r);
        vp_buf_puts(b, "</li>\n");
    }
    if (json_is_object(json_object_get(r, "price"))) {
        vp_buf_puts(b, "<li class=\"vp-price\"><span class=\"vp-sr\">Prijs: </span>");
        price_text(b, json_object_get(r, "price"));
        vp_buf_puts(b, "</li>\n");
    }
    if (id) {
        vp_buf_puts(b, "<li class=\"vp-more-info\"><a href=\"/o/");
        api_buf_url(b, id, 1);
        vp_buf_puts(b, "\">Alles over <span class=\"vp-sr\">");
        html(b, title ? title : id);
        vp_buf_puts(b, ", </span>dit aanbod</a></li>\n");
    }
    vp_buf_puts(b, "</ul>\n</li>\n");
}

/* ---- offerings: dates, JSON-LD ---- */

/* The occurrences of `doc` (its start/end when it lists none): starts[i]
 * and ends[i] (borrowed; an end may be NULL), at most `cap`. */
static size_t occurrences(json_t *doc, json_t **starts, json_t **ends, size_t cap)
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

/* When an occurrence is over: its end, or the end of its start's day. */
static int64_t until_of(json_t *start, json_t *end)
{
    vp_datetime s, e;
    if (vp_datetime_parse(json_string_value(start), &s) != 0)
        return -1;
    if (json_is_string(end) && vp_datetime_parse(json_string_value(end), &e) == 0)
        return e.all_day ? e.utc + 86400 : e.utc;
    return (vp_day_to_epoch(vp_datetime_local_day(&s)) + 1) * 86400 - (int64_t)s.offset_min * 60;
}

#define MAX_OCC 1000

int api_offering_ended(json_t *doc, int64_t before)
{
    json_t *st[MAX_OCC], *en[MAX_OCC];
    size_t n = occurrences(doc, st, en, MAX_OCC);
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (until_of(st[i], en[i]) >= before)
            return 0;
    return 1;
}

static json_t *library_jsonld(json_t *doc)
{
    const char *name = jstr(doc, "library_name");
    if (!name)
        name = jstr(doc, "library");
    if (!name)
        return NULL;
    return json_pack("{s:s, s:s}", "@type", "Library", "name", name);
}

static json_t *place_jsonld(json_t *doc)
{
    const char *channel = jstr(doc, "channel");
    if (channel && strcmp(channel, "online") == 0)
        return jstr(doc, "url") ? json_pack("{s:s, s:s}", "@type", "VirtualLocation", "url",
                                            jstr(doc, "url"))
                                : NULL;
    const char *name = jstr(doc, "branch_name");
    if (!name)
        name = jstr(doc, "library_name");
    if (!name && !jstr(doc, "municipality"))
        return NULL;
    json_t *p = json_pack("{s:s}", "@type", "Place");
    if (name)
        json_object_set_new(p, "name", json_string(name));
    json_t *addr = json_pack("{s:s, s:s}", "@type", "PostalAddress", "addressCountry", "NL");
    if (jstr(doc, "municipality"))
        json_object_set_new(addr, "addressLocality", json_string(jstr(doc, "municipality")));
    json_object_set_new(p, "address", addr);
    json_t *loc = json_object_get(doc, "location");
    if (json_is_number(json_object_get(loc, "lat")) && json_is_number(json_object_get(loc, "lon")))
        json_object_set_new(p, "geo", json_pack("{s:s, s:O, s:O}", "@type", "GeoCoordinates",
                                                "latitude", json_object_get(loc, "lat"),
                                                "longitude", json_object_get(loc, "lon")));
    return p;
}

static json_t *offer_jsonld(json_t *doc)
{
    json_t *price = json_object_get(doc, "price");
    json_t *amount = json_object_get(price, "amount");
    if (!json_is_number(amount))
        return NULL;
    json_t *o = json_pack("{s:s, s:O, s:s}", "@type", "Offer", "price", amount, "priceCurrency",
                          jstr(price, "currency") ? jstr(price, "currency") : "EUR");
    if (o && jstr(doc, "url"))
        json_object_set_new(o, "url", json_string(jstr(doc, "url")));
    return o;
}

static void set_opt(json_t *o, const char *key, json_t *v)
{
    if (v)
        json_object_set_new(o, key, v);
}

json_t *api_offering_jsonld(json_t *doc, const char *page_url, int64_t now)
{
    const char *type = jstr(doc, "type");
    if (!type)
        type = "service";
    json_t *ld = json_pack("{s:s}", "@context", "https://schema.org");
    if (!ld)
        return NULL;
    json_object_set_new(ld, "@id", json_string(page_url));
    json_object_set_new(ld, "url", json_string(page_url));
    if (jstr(doc, "title"))
        json_object_set_new(ld, "name", json_string(jstr(doc, "title")));
    if (jstr(doc, "description"))
        json_object_set_new(ld, "description", json_string(jstr(doc, "description")));
    if (jstr(doc, "language"))
        json_object_set_new(ld, "inLanguage", json_string(jstr(doc, "language")));
    /* The next occurrence that has not ended (else the last one). */
    json_t *st[MAX_OCC], *en[MAX_OCC];
    size_t n = occurrences(doc, st, en, MAX_OCC), pick = n;
    for (size_t i = 0; i < n && pick == n; i++)
        if (until_of(st[i], en[i]) >= now)
            pick = i;
    if (pick == n && n)
        pick = n - 1;
    const char *channel = jstr(doc, "channel");
    if (strcmp(type, "event") == 0 || strcmp(type, "activity") == 0) {
        json_object_set_new(ld, "@type", json_string("Event"));
        if (pick < n) {
            json_object_set_new(ld, "startDate", json_incref(st[pick]));
            if (json_is_string(en[pick]))
                json_object_set_new(ld, "endDate", json_incref(en[pick]));
        }
        json_object_set_new(ld, "eventStatus", json_string("https://schema.org/EventScheduled"));
        const char *mode = channel && strcmp(channel, "online") == 0
                               ? "https://schema.org/OnlineEventAttendanceMode"
                           : channel && strcmp(channel, "hybrid") == 0
                               ? "https://schema.org/MixedEventAttendanceMode"
                               : "https://schema.org/OfflineEventAttendanceMode";
        json_object_set_new(ld, "eventAttendanceMode", json_string(mode));
        set_opt(ld, "location", place_jsonld(doc));
        set_opt(ld, "organizer", library_jsonld(doc));
        set_opt(ld, "offers", offer_jsonld(doc));
    } else if (strcmp(type, "course") == 0) {
        json_object_set_new(ld, "@type", json_string("Course"));
        set_opt(ld, "provider", library_jsonld(doc));
        json_t *inst = json_pack("{s:s, s:s}", "@type", "CourseInstance", "courseMode",
                                 channel && strcmp(channel, "online") == 0   ? "online"
                                 : channel && strcmp(channel, "hybrid") == 0 ? "blended"
                                                                              : "onsite");
        if (inst && pick < n) {
            json_object_set_new(inst, "startDate", json_incref(st[pick]));
            if (json_is_string(en[n - 1]))
                json_object_set_new(inst, "endDate", json_incref(en[n - 1]));
        }
        set_opt(inst, "location", place_jsonld(doc));
        json_object_set_new(ld, "hasCourseInstance", json_pack("[o]", inst));
        set_opt(ld, "offers", offer_jsonld(doc));
    } else if (strcmp(type, "book") == 0 || strcmp(type, "ebook") == 0 ||
               strcmp(type, "audiobook") == 0) {
        json_object_set_new(ld, "@type", json_string("Book"));
        json_t *authors = json_array();
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(doc, "creators"), i, c) {
            if (json_is_string(c))
                json_array_append_new(authors, json_pack("{s:s, s:O}", "@type", "Person", "name", c));
        }
        if (json_array_size(authors))
            json_object_set_new(ld, "author", authors);
        else
            json_decref(authors);
        json_t *isbn = json_object_get(doc, "isbn");
        if (json_array_size(isbn) == 1)
            json_object_set(ld, "isbn", json_array_get(isbn, 0));
        else if (json_array_size(isbn) > 1)
            json_object_set(ld, "isbn", isbn);
        if (strcmp(type, "ebook") == 0)
            json_object_set_new(ld, "bookFormat", json_string("https://schema.org/EBook"));
        else if (strcmp(type, "audiobook") == 0)
            json_object_set_new(ld, "bookFormat", json_string("https://schema.org/AudiobookFormat"));
        json_t *subjects = json_object_get(doc, "subjects");
        if (json_array_size(subjects))
            json_object_set(ld, "keywords", subjects);
        json_t *lender = library_jsonld(doc);
        if (lender) {
            json_t *borrow = json_pack("{s:s, s:o}", "@type", "BorrowAction", "lender", lender);
            if (borrow && jstr(doc, "url"))
                json_object_set_new(borrow, "target", json_string(jstr(doc, "url")));
            set_opt(ld, "potentialAction", borrow);
        }
    } else {
        json_object_set_new(ld, "@type", json_string("Service"));
        set_opt(ld, "provider", library_jsonld(doc));
        if (jstr(doc, "municipality"))
            json_object_set_new(ld, "areaServed", json_pack("{s:s, s:s}", "@type", "City", "name",
                                                            jstr(doc, "municipality")));
        set_opt(ld, "offers", offer_jsonld(doc));
    }
    return ld;
}

/* ---- /o/{id} ---- */

static void offering_page(api_request *req, api_reply *r, json_t *doc, json_t *res, int ended)
{
    char base[512];
    api_base_url(req, base, sizeof base);
    const char *id = jstr(doc, "id"), *title = jstr(doc, "title");
    vp_buf path, b, head;
    vp_buf_init(&path, 4096);
    vp_buf_init(&b, PAGE_CAP);
    vp_buf_init(&head, 1 << 20);
    vp_buf_puts(&path, "/o/");
    api_buf_url(&path, id, 1);
    char *page_url = malloc(strlen(base) + path.len + 1);
    if (!page_url || !path.data) {
        free(page_url);
        vp_buf_free(&path);
        vp_buf_free(&b);
        vp_buf_free(&head);
        api_error(r, 503, "unavailable", "out of memory", NULL);
        return;
    }
    sprintf(page_url, "%s%s", base, path.data);
    json_t *ld = api_offering_jsonld(doc, page_url, api_clock(req));
    vp_buf_puts(&head, "<link rel=\"alternate\" type=\"application/json\" href=\"/v1/offerings/");
    api_buf_url(&head, id, 1);
    vp_buf_puts(&head, "\">\n");
    if (ended)
        vp_buf_puts(&head, "<meta name=\"robots\" content=\"noindex\">\n");
    vp_buf_puts(&head, "<script type=\"application/ld+json\">");
    api_buf_jsonld(&head, ld);
    vp_buf_puts(&head, "</script>\n");
    char *desc = NULL;
    const char *d = jstr(doc, "description");
    if (d) {
        /* A description for search results: the first 200 characters. */
        size_t n = strlen(d) > 200 ? 200 : strlen(d);
        while (n > 0 && n < strlen(d) && ((unsigned char)d[n] & 0xC0) == 0x80)
            n--;
        desc = malloc(n + 1);
        if (desc) {
            memcpy(desc, d, n);
            desc[n] = '\0';
        }
    }
    api_page_start(&b, req, title ? title : id, path.data, desc, head.data);
    free(desc);
    vp_buf_puts(&b, "<article class=\"vp\">\n<p class=\"vp-kick\"><span class=\"vp-badge\">");
    html(&b, type_label(jstr(doc, "type")));
    vp_buf_puts(&b, "</span>");
    if (channel_label(jstr(doc, "channel"))) {
        vp_buf_puts(&b, " <span class=\"vp-chan\">");
        html(&b, channel_label(jstr(doc, "channel")));
        vp_buf_puts(&b, "</span>");
    }
    vp_buf_puts(&b, "</p>\n<h1>");
    html(&b, title ? title : id);
    vp_buf_puts(&b, "</h1>\n");
    if (ended)
        vp_buf_puts(&b, "<p class=\"note\" role=\"status\">Dit aanbod is voorbij. Zoek hieronder naar "
                        "wat er nu is.</p>\n");
    if (d) {
        vp_buf_puts(&b, "<p class=\"lead\">");
        html(&b, d);
        vp_buf_puts(&b, "</p>\n");
    }
    vp_buf_puts(&b, "<dl class=\"facts\">\n");
    const char *ln = jstr(res, "local_name"), *pn = jstr(res, "proposition_name");
    if (ln || pn) {
        vp_buf_puts(&b, "<dt>Aanbod</dt><dd>");
        html(&b, ln ? ln : pn);
        if (ln && pn && strcmp(ln, pn) != 0) {
            vp_buf_puts(&b, " (");
            html(&b, pn);
            vp_buf_puts(&b, ")");
        }
        vp_buf_puts(&b, "</dd>\n");
    }
    json_t *st[MAX_OCC], *en[MAX_OCC];
    size_t n = occurrences(doc, st, en, MAX_OCC), shown = 0;
    int64_t now = api_clock(req);
    for (size_t i = 0; i < n && shown < 10; i++) {
        if (!ended && until_of(st[i], en[i]) < now)
            continue;
        vp_buf_puts(&b, shown ? "<dd>" : "<dt>Wanneer</dt><dd>");
        vp_buf_puts(&b, "<time datetime=\"");
        html(&b, json_string_value(st[i]));
        vp_buf_puts(&b, "\">");
        api_buf_when(&b, json_string_value(st[i]), json_string_value(en[i]));
        vp_buf_puts(&b, "</time></dd>\n");
        shown++;
    }
    if (json_is_object(json_object_get(res, "series"))) {
        vp_buf_puts(&b, "<dt>Andere data</dt><dd><ul class=\"vp-facts\">");
        api_buf_series(&b, json_object_get(res, "series"), VP_SEARCH_MAX_SERIES);
        vp_buf_puts(&b, "</ul></dd>\n");
    }
    if (jstr(doc, "branch_name") || jstr(doc, "library_name") || jstr(doc, "library")) {
        vp_buf_puts(&b, "<dt>Waar</dt><dd>");
        where_text(&b, doc);
        if (jstr(doc, "municipality") &&
            !(jstr(doc, "branch_name") && strstr(jstr(doc, "branch_name"), jstr(doc, "municipality")))) {
            vp_buf_puts(&b, ", ");
            html(&b, jstr(doc, "municipality"));
        }
        vp_buf_puts(&b, "</dd>\n");
    }
    if (json_is_number(json_object_get(json_object_get(doc, "price"), "amount"))) {
        vp_buf_puts(&b, "<dt>Prijs</dt><dd>");
        price_text(&b, json_object_get(doc, "price"));
        vp_buf_puts(&b, "</dd>\n");
    }
    json_t *creators = json_object_get(doc, "creators");
    if (json_array_size(creators)) {
        vp_buf_puts(&b, "<dt>Door</dt><dd>");
        size_t i;
        json_t *c;
        json_array_foreach(creators, i, c) {
            if (i)
                vp_buf_puts(&b, ", ");
            html(&b, json_string_value(c));
        }
        vp_buf_puts(&b, "</dd>\n");
    }
    vp_buf_puts(&b, "</dl>\n");
    const char *url = jstr(doc, "url");
    if (url && !ended && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0)) {
        const char *lib = jstr(doc, "library_name");
        vp_buf_puts(&b, "<p><a class=\"act\" href=\"");
        html(&b, url);
        vp_buf_puts(&b, "\">");
        if (lib) {
            vp_buf_puts(&b, "Meer informatie en aanmelden bij ");
            html(&b, lib);
        } else {
            vp_buf_puts(&b, "Meer informatie en aanmelden");
        }
        vp_buf_puts(&b, "</a></p>\n");
    }
    vp_buf_puts(&b, "</article>\n");
    search_form(&b, "Zoek meer in het aanbod van alle bibliotheken");
    api_page_end(&b);
    r->cache_control = "public, max-age=300";
    api_reply_html(r, 200, &b);
    json_decref(ld);
    free(page_url);
    vp_buf_free(&path);
    vp_buf_free(&b);
    vp_buf_free(&head);
}

void api_handle_offering_page(api_request *req, api_reply *r)
{
    /* Links from elsewhere carry utm_*, fbclid and the like: ignored. */
    char *json = NULL, *err = NULL;
    vp_status st = vp_index_refresh(req->index, &err);
    if (st == VP_OK)
        st = vp_index_get(req->index, req->tail, &json, &err);
    if (st == VP_ERR_NOT_FOUND) {
        api_reply_friendly(r, req, 404, "Dit aanbod bestaat niet (meer)",
                           "We kunnen deze pagina niet vinden. Misschien is het aanbod verplaatst "
                           "of verwijderd. Zoek hieronder naar wat er nu is.");
    } else if (st != VP_OK) {
        api_error(r, 503, "unavailable", err ? err : vp_status_str(st), NULL);
    } else {
        json_t *doc = json_loads(json, 0, NULL);
        int64_t now = api_clock(req);
        json_t *res = doc ? api_result_json(req->tail, json, NULL, 0, -1, req->voc, now) : NULL;
        /* The other dates of the same activity; none when they cannot be had. */
        vp_search_date *dates = NULL;
        size_t n_dates = 0;
        if (res && vp_search_series(req->index, req->tail, now, &dates, &n_dates, NULL) == VP_OK)
            json_object_set_new(res, "series", api_series_json(dates, n_dates, n_dates));
        vp_search_dates_free(dates, n_dates);
        if (!doc || !res)
            api_error(r, 503, "unavailable", "out of memory", NULL);
        else if (api_offering_ended(doc, now - (int64_t)GONE_AFTER_DAYS * 86400))
            api_reply_friendly(r, req, 410, "Dit aanbod is voorbij",
                               "Deze activiteit heeft al plaatsgevonden. Zoek hieronder naar wat er "
                               "nu is.");
        else
            offering_page(req, r, doc, res, api_offering_ended(doc, now));
        json_decref(doc);
        json_decref(res);
    }
    free(json);
    free(err);
}

/* ---- /sitemap.xml ---- */

static const char *param(api_request *req, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < req->params->count; i++)
        if (strcmp(req->params->items[i].key, key) == 0) {
            v = req->params->items[i].value;
            req->params->items[i].used = 1;
        }
    return v;
}

static int id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= 200 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

static void xml_reply(api_reply *r, vp_buf *b)
{
    size_t len = b->len;
    char *body = vp_buf_steal(b);
    if (!body) {
        api_error(r, 503, "unavailable", "out of memory", NULL);
        return;
    }
    r->status = 200;
    r->owned_body = body;
    r->body_len = len;
    r->content_type = "application/xml; charset=utf-8";
    r->cache_control = "public, max-age=3600";
}

/* A search over everything current, with a library (and type) filter:
 * every offering, not one per work, since each has its own page. */
static vp_status run(api_request *req, const char *library, const char *type, unsigned facets,
                     unsigned page, unsigned per_page, vp_search_result **res, char **err)
{
    vp_search_request sr;
    memset(&sr, 0, sizeof sr);
    sr.all_offerings = 1;
    const char *lib[1] = {library}, *ty[1] = {type};
    if (library) {
        sr.values[VP_FIELD_LIBRARY] = lib;
        sr.n_values[VP_FIELD_LIBRARY] = 1;
    }
    if (type) {
        sr.values[VP_FIELD_TYPE] = ty;
        sr.n_values[VP_FIELD_TYPE] = 1;
    }
    sr.page = page;
    sr.per_page = per_page;
    sr.facets = facets;
    sr.now = api_clock(req);
    sr.ranking = req->cfg->ranking;
    return vp_search_run(req->index, &sr, res, err);
}

static void sitemap_entry(vp_buf *b, const char *base, const char *loc_path, const char *extra_query)
{
    vp_buf_puts(b, "<sitemap><loc>");
    api_buf_xml(b, base);
    api_buf_xml(b, loc_path);
    if (extra_query)
        api_buf_xml(b, extra_query);
    vp_buf_puts(b, "</loc></sitemap>\n");
}

static void sitemap_index(api_request *req, api_reply *r, const char *base)
{
    vp_search_result *res = NULL;
    char *err = NULL;
    vp_status st = run(req, NULL, NULL, 1u << VP_FIELD_LIBRARY, 1, 1, &res, &err);
    if (st != VP_OK) {
        api_error(r, 503, "unavailable", err ? err : vp_status_str(st), NULL);
        free(err);
        return;
    }
    vp_buf b, q;
    vp_buf_init(&b, PAGE_CAP);
    vp_buf_init(&q, 1024);
    vp_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    sitemap_entry(&b, base, "/sitemap.xml?part=pages", NULL);
    for (size_t i = 0; i < res->n_facets[VP_FIELD_LIBRARY]; i++) {
        const vp_facet_value *f = &res->facets[VP_FIELD_LIBRARY][i];
        if (!id_ok(f->value))
            continue;
        if (f->count <= VP_SEARCH_MAX_WINDOW) {
            vp_buf_free(&q);
            vp_buf_puts(&q, "&library=");
            api_buf_url(&q, f->value, 0);
            sitemap_entry(&b, base, "/sitemap.xml?part=offerings", q.data);
            continue;
        }
        /* A search shows at most 10,000: a large library gets one per type. */
        vp_search_result *t = NULL;
        if (run(req, f->value, NULL, 1u << VP_FIELD_TYPE, 1, 1, &t, NULL) != VP_OK)
            continue;
        for (size_t k = 0; k < t->n_facets[VP_FIELD_TYPE]; k++) {
            vp_buf_free(&q);
            vp_buf_puts(&q, "&library=");
            api_buf_url(&q, f->value, 0);
            vp_buf_puts(&q, "&type=");
            api_buf_url(&q, t->facets[VP_FIELD_TYPE][k].value, 0);
            sitemap_entry(&b, base, "/sitemap.xml?part=offerings", q.data);
        }
        vp_search_result_destroy(t);
    }
    vp_buf_puts(&b, "</sitemapindex>\n");
    vp_search_result_destroy(res);
    vp_buf_free(&q);
    xml_reply(r, &b);
    vp_buf_free(&b);
}

static void url_entry(vp_buf *b, const char *base, const char *path_escaped, const char *lastmod)
{
    vp_buf_puts(b, "<url><loc>");
    api_buf_xml(b, base);
    api_buf_xml(b, path_escaped);
    vp_buf_puts(b, "</loc>");
    vp_datetime dt;
    if (lastmod && vp_datetime_parse(lastmod, &dt) == 0) {
        vp_buf_puts(b, "<lastmod>");
        api_buf_xml(b, lastmod);
        vp_buf_puts(b, "</lastmod>");
    }
    vp_buf_puts(b, "</url>\n");
}

/* The landing pages of saved queries that are live now (campaigns.c). */
void api_campaigns_sitemap(api_request *req, vp_buf *b, const char *base);

static void sitemap_pages(api_request *req, api_reply *r, const char *base)
{
    vp_buf b;
    vp_buf_init(&b, PAGE_CAP);
    vp_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    url_entry(&b, base, "/", NULL);
    url_entry(&b, base, "/services", NULL);
    api_campaigns_sitemap(req, &b, base);
    vp_buf_puts(&b, "</urlset>\n");
    xml_reply(r, &b);
    vp_buf_free(&b);
}

static void sitemap_offerings(api_request *req, api_reply *r, const char *base, const char *library,
                              const char *type)
{
    vp_buf b, path;
    vp_buf_init(&b, 64u << 20);
    vp_buf_init(&path, 4096);
    vp_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    vp_status st = VP_OK;
    char *err = NULL;
    for (unsigned page = 1; page * SITEMAP_PER_PAGE <= VP_SEARCH_MAX_WINDOW; page++) {
        vp_search_result *res = NULL;
        st = run(req, library, type, 0, page, SITEMAP_PER_PAGE, &res, &err);
        if (st != VP_OK)
            break;
        for (size_t i = 0; i < res->n_hits; i++) {
            json_t *doc = json_loads(res->hits[i].json, 0, NULL);
            vp_buf_free(&path);
            vp_buf_puts(&path, "/o/");
            api_buf_url(&path, res->hits[i].id, 1);
            url_entry(&b, base, path.data, jstr(doc, "updated"));
            json_decref(doc);
        }
        size_t got = res->n_hits;
        vp_search_result_destroy(res);
        if (got < SITEMAP_PER_PAGE)
            break;
    }
    vp_buf_free(&path);
    if (st != VP_OK) {
        api_error(r, 503, "unavailable", err ? err : vp_status_str(st), NULL);
        free(err);
        vp_buf_free(&b);
        return;
    }
    vp_buf_puts(&b, "</urlset>\n");
    xml_reply(r, &b);
    vp_buf_free(&b);
}

void api_handle_sitemap(api_request *req, api_reply *r)
{
    const char *part = param(req, "part"), *library = param(req, "library"),
               *type = param(req, "type");
    if (api_reject_unused(req->params, r) != 0)
        return;
    char base[512];
    api_base_url(req, base, sizeof base);
    char *err = NULL;
    if (vp_index_refresh(req->index, &err) != VP_OK) {
        api_error(r, 503, "unavailable", err ? err : "index unavailable", NULL);
        free(err);
        return;
    }
    if (!part && !library && !type) {
        sitemap_index(req, r, base);
    } else if (part && strcmp(part, "pages") == 0 && !library && !type) {
        sitemap_pages(req, r, base);
    } else if (part && strcmp(part, "offerings") == 0 && library && id_ok(library)) {
        if (type && !vp_in_list(type, vp_offering_types)) {
            api_error(r, 400, "invalid_parameter",
                      "type: one of course, event, activity, ebook, audiobook, book, service",
                      "type");
            return;
        }
        sitemap_offerings(req, r, base, library, type);
    } else {
        api_error(r, 400, "invalid_parameter",
                  "part: pages, or offerings with library=ID (and type=TYPE); "
                  "/sitemap.xml without parameters lists them all",
                  "part");
    }
}

void api_handle_robots(api_request *req, api_reply *r)
{
    if (api_reject_unused(req->params, r) != 0)
        return;
    char base[512];
    api_base_url(req, base, sizeof base);
    vp_buf b;
    vp_buf_init(&b, 4096);
    vp_buf_printf(&b,
                  "# Vindplaats: offerings (/o/) and campaign pages (/q/) are for everyone.\n"
                  "User-agent: *\n"
                  "Disallow: /v1/\n"
                  "Disallow: /opensearch/\n"
                  "Disallow: /insights\n"
                  "Disallow: /q/*/click\n"
                  "Allow: /\n"
                  "\n"
                  "Sitemap: %s/sitemap.xml\n",
                  base);
    size_t len = b.len;
    r->owned_body = vp_buf_steal(&b);
    if (!r->owned_body) {
        api_error(r, 503, "unavailable", "out of memory", NULL);
        return;
    }
    r->status = 200;
    r->body_len = len;
    r->content_type = "text/plain; charset=utf-8";
    r->cache_control = "public, max-age=3600";
}
