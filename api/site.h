/* site.h - what the server's pages share: the templates they are rendered
 * from, the view models of the page frame and of a result card, Dutch
 * dates, and escaping for URLs and JSON-LD. Private to api/.
 *
 * Pages are Mustache templates (include/vindplaats/template.h) under
 * api/templates/, embedded into the program at build time; a directory
 * given with --templates overrides any of them, and the stylesheet
 * site.css, without rebuilding (docs/site.md). A handler builds a jansson
 * view model and hands it to api_render. Every string in a view is text:
 * the template escapes it, except the few fields named *_html or jsonld
 * that the server made itself. */
#ifndef VINDPLAATS_API_SITE_H
#define VINDPLAATS_API_SITE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "api.h"
#include "vindplaats/buf.h"
#include "vindplaats/status.h"

/* The largest page the server renders. */
#define API_PAGE_CAP (4u << 20)

/* One embedded file: its path under api/templates (or api/static), bytes
 * (NUL-terminated) and length. */
typedef struct api_embedded {
    const char *path;
    const unsigned char *data;
    size_t len;
} api_embedded;
extern const api_embedded api_templates[];
extern const size_t api_templates_count;
extern const unsigned char api_asset_site_css[];
extern const size_t api_asset_site_css_len;

/* ---- the templates and the stylesheet ---- */
typedef struct api_site api_site;
/* The embedded templates, then those of `dir` (NULL: none) over them:
 * DIR/NAME.html replaces a page, DIR/partials/NAME.html a partial (or adds
 * one), DIR/site.css the stylesheet. Every template is parsed and every
 * partial checked now: VP_ERR_INVALID with the file and line in *err
 * (may be NULL; filled on failure only) for a malformed one, VP_ERR_NOT_FOUND for a page that does not exist or
 * a partial that is missing, VP_ERR_IO for an unreadable file. */
vp_status api_site_load(const char *dir, api_site **out, vp_error *err);
void api_site_destroy(api_site *site);
/* GET /site.css: the pages' stylesheet. */
void api_handle_site_css(api_request *req, api_reply *reply);

/* ---- rendering ---- */
/* A view model with its "page" (what the frame shows): the title, the
 * canonical link base + `canonical_path` (may be NULL), the description
 * (may be NULL). NULL when out of memory. */
json_t *api_page_view(const api_request *req, const char *title, const char *canonical_path,
                      const char *description);
/* Adds to a view's page: <meta name="robots" content="...">, an alternate
 * link (title may be NULL), JSON-LD data (copied, escaped for <script>),
 * a deferred script from this server. Each returns VP_ERR_NOMEM when the
 * part could not be added (the page is then rendered without it). */
vp_status api_page_robots(json_t *view, const char *content);
/* Marks a page as meant to be shared on social media: partials/head.html
 * then adds Open Graph and Twitter-card tags (type "website") from the
 * page's title, description and canonical address, with a picture
 * (og:image, twitter:image, an absolute URL and a text that says what it
 * shows): that of offering `doc` (may be NULL), else the network file's
 * picture of library `library` (an id; may be NULL), else the site's
 * default picture (/og-default.png, absolute from --public-url or Host). */
vp_status api_page_share(json_t *view, const api_request *req, json_t *doc, const char *library);
vp_status api_page_alternate(json_t *view, const char *type, const char *title, const char *href);
vp_status api_page_jsonld(json_t *view, json_t *ld);
vp_status api_page_script(json_t *view, const char *src);
/* Renders the template `name` with `view` (borrowed) as the reply: HTML
 * with the pages' Content-Security-Policy; a 500 naming the template when
 * it cannot be rendered, 503 when memory runs out. */
void api_render(api_reply *r, const api_request *req, unsigned status, const char *name,
                json_t *view);
/* Renders the template `name` as a 200 document of `content_type` (an
 * Atom feed, a sitemap: the escaping suits XML too) of at most `cap`
 * bytes; errors as api_render. */
void api_render_doc(api_reply *r, const api_request *req, const char *name, json_t *view,
                    const char *content_type, size_t cap);
/* A friendly HTML page for 400/404/410 that offers a search. */
void api_reply_friendly(api_reply *r, const api_request *req, unsigned status,
                        const char *title, const char *message);

/* ---- view models ---- */
/* One result as a card (the widget's markup, so widget.css styles it):
 * `href` overrides the result's url (NULL: the url); `heading_level` 2-6.
 * NULL when out of memory. */
json_t *api_card_view(json_t *result, const char *href, int heading_level);
/* The other dates of a result's activity (its "series": count, next) as
 * {count, word ("datum"/"data"), dates [{first, href, start, text}], more},
 * at most `max` dates; NULL when there are none. */
json_t *api_series_view(json_t *series, size_t max);
/* "Cursus", "Evenement", ... for an offering type (the type itself when
 * unknown, "Aanbod" for NULL). */
const char *api_type_label(const char *type);
/* "Peuters", "Baby's" for an audience group (the group itself when unknown). */
const char *api_audience_label(const char *audience);
/* What residents read for a facet value of `field` (a vp_field): the Dutch
 * word of a type, channel or audience, the vocabulary's name of a
 * proposition ("Klik & Tik", "E-books"), the network file's name of a
 * library; `value` itself when there is none. Borrowed. */
const char *api_facet_label(const api_request *req, int field, const char *value);
/* "Geletterde samenleving", ... for a societal task id (the id itself
 * when unknown; NULL for NULL). */
const char *api_task_name(const char *task);
/* The schema.org JSON-LD of an offering (Event, Course, Book, Service)
 * whose page is `page_url`, its next date at `now`. NULL when out of memory. */
json_t *api_offering_jsonld(json_t *doc, const char *page_url, int64_t now);
/* "Online", "Op locatie", "Online en op locatie"; NULL for NULL. */
const char *api_channel_label(const char *channel);
/* The api_buf_* functions append to `b` and return VP_OK, or the first
 * failure of the buffer (VP_ERR_TOO_BIG at its cap, VP_ERR_NOMEM); the
 * caller does not use the text then. */
/* "Gratis", "€ 12,50" for a price object onto `b` (nothing without an amount). */
vp_status api_buf_price(struct vp_buf *b, json_t *price);
/* "Bibliotheek Neude, Bibliotheek Utrecht" for a result or offering onto `b`. */
vp_status api_buf_where(struct vp_buf *b, json_t *r);
/* "wo 3 dec. 2026, 10:00–12:00" in the offering's own time for an ISO
 * start and end (end may be NULL) onto `b`; nothing when start is not a
 * date. */
vp_status api_buf_when(struct vp_buf *b, const char *start, const char *end);
/* The same as a new JSON string; json_null() when start is not a date. */
json_t *api_when_json(const char *start, const char *end);

/* ---- offering dates ---- */
/* The occurrences of `doc` (its start/end when it lists none): starts[i]
 * and ends[i] (borrowed; an end may be NULL), at most `cap`. */
size_t api_occurrences(json_t *doc, json_t **starts, json_t **ends, size_t cap);
/* When an occurrence is over: its end, or the end of its start's day. */
int64_t api_occurrence_until(json_t *start, json_t *end);
/* 1 when the offering has dates and all of them ended before `before`. */
int api_offering_ended(json_t *doc, int64_t before);

/* ---- request facts and escaping ---- */
/* "https://host" without a trailing '/': --public-url, else http://HOST. */
void api_base_url(const api_request *req, char *out, size_t cap);
/* Runs `sr` (its values set by the caller) at the request's clock and
 * ranking, as vp_search_execute (*err, may be NULL, filled on failure). */
vp_status api_search_run(const api_request *req, vp_search_request *sr, vp_search_result **res,
                         vp_error *err);
/* The clock of the request: --now when set, else the system's (UTC seconds). */
int64_t api_clock(const api_request *req);
/* Percent-encodes all but unreserved characters (and ':' when keep_colon). */
vp_status api_buf_url(struct vp_buf *b, const char *s, int keep_colon);
/* The address of an offering's page: `base` ("https://host", or "" for
 * the path alone), "/o/" and its id percent-encoded. */
vp_status api_buf_offering_url(struct vp_buf *b, const char *base, const char *id);
/* JSON for a <script type="application/ld+json">: '<', '>' and '&' as \u escapes. */
vp_status api_buf_jsonld(struct vp_buf *b, json_t *j);
/* 1 when a User-Agent names a crawler or link previewer (not counted as visits). */
int api_is_bot(const char *user_agent);
/* 1 when the client wants JSON (Accept names application/json, not text/html). */
int api_wants_json(const api_request *req);

#endif
