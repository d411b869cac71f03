/* feed.c - RSS 0.9x/1.0/2.0 and Atom feeds of agenda items (feed.h).
 *
 * The feed is read through vp_xml_read() (no network, no entities, charset
 * repair) and its items are matched by local name, so RSS 1.0 (RDF, items
 * beside the channel), RSS 2.0 (items in the channel) and Atom (entries)
 * go through the same loop, whatever prefixes the extensions use. Text that
 * feeds carry as escaped HTML is turned into plain text with line breaks
 * (web.h). */
#include "vindplaats/feed.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/tree.h>

#include "vindplaats/web.h"
#include "vindplaats/xml.h"
#include "vindplaats/offering.h"

/* ---- dates ------------------------------------------------------------ */

/* RFC 822/1123 "Sat, 07 Sep 2002 00:00:01 GMT" (or "+0100", "CET"), read
 * by curl_getdate, into the offering's form with the offset it was written
 * with ("2002-09-07T00:00:01Z"); a date-time without a zone is Amsterdam
 * wall-clock time. VP_OK, VP_ERR_INVALID when `s` is not one (a day
 * without a time of day is none), VP_ERR_NOMEM. */
static vp_status rfc822(const char *s, char out[32])
{
    if (!strchr(s, ':'))
        return VP_ERR_INVALID;
    time_t at = curl_getdate(s, NULL);
    if (at == -1)
        return VP_ERR_INVALID;
    /* The last word names the zone when it is letters or an offset; the
     * same date read without it (as UTC) tells the offset it names. */
    size_t end = strlen(s);
    while (end && isspace((unsigned char)s[end - 1]))
        end--;
    size_t w = end;
    while (w && !isspace((unsigned char)s[w - 1]))
        w--;
    int zoned = w > 0 && (s[w] == '+' || s[w] == '-' || isalpha((unsigned char)s[w]));
    int64_t wall = at;
    if (zoned) {
        char *bare = strndup(s, w);
        if (!bare)
            return VP_ERR_NOMEM;
        wall = curl_getdate(bare, NULL);
        free(bare);
        if (wall == -1)
            return VP_ERR_INVALID;
    }
    int64_t y;
    int mo, d;
    vp_civil_from_days(vp_epoch_day(wall), &y, &mo, &d);
    int64_t sec = wall - vp_epoch_day(wall) * 86400;
    int h = (int)(sec / 3600), mi = (int)(sec / 60 % 60), off;
    if (zoned)
        off = (int)((wall - (int64_t)at) / 60);
    else
        off = vp_nl_wall_offset((int)y, mo, d, h, mi) / 60;
    if (y < 1000 || y > 9999 || off <= -24 * 60 || off >= 24 * 60)
        return VP_ERR_INVALID;
    char iso[40];
    int a = off < 0 ? -off : off;
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", (int)y, mo, d, h, mi,
             (int)(sec % 60), off < 0 ? '-' : '+', a / 60, a % 60);
    return vp_local_datetime(iso, out, NULL);
}

/* Any date a feed writes: ISO 8601 (with or without offset) or RFC 822
 * (always with a time of day); *has_time as vp_local_datetime. */
static vp_status feed_date(const char *s, char out[32], int *has_time)
{
    if (vp_local_datetime(s, out, has_time) == VP_OK)
        return VP_OK;
    if (!s)
        return VP_ERR_INVALID;
    if (has_time)
        *has_time = 1;
    return rfc822(s, out);
}

/* ---- the feed --------------------------------------------------------- */

typedef struct fctx {
    const vp_emit *emit;
    const char *feed_url;
    int nomem;
} fctx;

static void note(fctx *c, int rc)
{
    if (rc != 0)
        c->nomem = 1;
}

static int blank(const char *s)
{
    if (!s)
        return 1;
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* Text that may be escaped HTML (RSS description, Atom type="html"). */
static void set_html(fctx *c, json_t *fields, const char *key, const char *s, int keep_lines)
{
    if (blank(s))
        return;
    char *t = vp_html_to_text(s, strlen(s));
    if (!t) {
        c->nomem = 1;
        return;
    }
    note(c, keep_lines ? vp_fields_set_text(fields, key, t) : vp_fields_set(fields, key, t));
    free(t);
}

/* An RSS author "jan@example.nl (Jan Jansen)" gives "Jan Jansen". */
static void add_author(fctx *c, json_t *fields, char *s)
{
    if (blank(s))
        return;
    char *open = strchr(s, '(');
    char *close = open ? strrchr(open, ')') : NULL;
    if (open && close && strchr(s, '@') && strchr(s, '@') < open) {
        *close = '\0';
        note(c, vp_fields_add(fields, "creators", open + 1));
        return;
    }
    note(c, vp_fields_add(fields, "creators", s));
}

static char *atom_link(xmlNodePtr item)
{
    for (xmlNodePtr l = vp_xml_child(item, "link"); l; l = vp_xml_next(l, "link")) {
        char *rel = vp_xml_attr(l, "rel");
        int ok = !rel || strcmp(rel, "alternate") == 0;
        free(rel);
        if (!ok)
            continue;
        char *href = vp_xml_attr(l, "href");
        if (href)
            return href;
        char *t = vp_xml_text(l); /* RSS <link>text</link> */
        if (!blank(t))
            return t;
        free(t);
    }
    return NULL;
}

/* The first child among `names` (NULL-terminated) with non-blank text. */
static char *first_text(xmlNodePtr item, const char *const *names, xmlNodePtr *which)
{
    for (size_t i = 0; names[i]; i++) {
        for (xmlNodePtr n = vp_xml_child(item, names[i]); n; n = vp_xml_next(n, names[i])) {
            char *t = vp_xml_text(n);
            if (!blank(t)) {
                if (which)
                    *which = n;
                return t;
            }
            free(t);
        }
    }
    return NULL;
}

static void event_dates(fctx *c, json_t *fields, xmlNodePtr item)
{
    static const char *const starts[] = {"startdate", "startDate", "dtstart", "start", NULL};
    static const char *const ends[] = {"enddate", "endDate", "dtend", "end", NULL};
    char *s = first_text(item, starts, NULL);
    char *e = first_text(item, ends, NULL);
    char so[32], eo[32];
    int timed;
    if (s && feed_date(s, so, &timed) == VP_OK) {
        int has_end = e && feed_date(e, eo, &timed) == VP_OK && strlen(eo) == strlen(so) &&
                      strcmp(eo, so) >= 0;
        note(c, vp_fields_set(fields, "start", so));
        if (has_end)
            note(c, vp_fields_set(fields, "end", eo));
        json_t *occ = has_end ? json_pack("[{ssss}]", "start", so, "end", eo)
                              : json_pack("[{ss}]", "start", so);
        if (!occ || json_object_set_new(fields, "occurrences", occ) != 0)
            c->nomem = 1;
    }
    free(s);
    free(e);
}

/* One item or entry; returns non-zero when the emitter says stop. */
static int feed_item(fctx *c, xmlNodePtr item, size_t number)
{
    char where[64];
    snprintf(where, sizeof where, "item %zu (line %ld)", number, (long)xmlGetLineNo(item));
    json_t *fields = json_object();
    if (!fields) {
        c->nomem = 1;
        return 1;
    }
    xmlNodePtr tnode = NULL;
    static const char *const title_names[] = {"title", NULL};
    char *title = first_text(item, title_names, &tnode);
    if (title) {
        if (strchr(title, '<') || strchr(title, '&'))
            set_html(c, fields, "title", title, 0);
        else
            note(c, vp_fields_set(fields, "title", title));
    }

    static const char *const desc_names[] = {"encoded", "content", "description", "summary", NULL};
    xmlNodePtr dnode = NULL;
    char *desc = first_text(item, desc_names, &dnode);
    if (desc) {
        char *type = vp_xml_attr(dnode, "type");
        if (type && (strcmp(type, "text") == 0 || strcmp(type, "xhtml") == 0))
            note(c, vp_fields_set_text(fields, "description", desc));
        else
            set_html(c, fields, "description", desc, 1);
        free(type);
    }

    char *link = atom_link(item);
    char *url = blank(link) ? NULL : vp_url_resolve(c->feed_url, link);
    if (url)
        note(c, vp_fields_set(fields, "url", url));

    /* lists stop one past the offering's limit (validation rejects them
     * then anyway): vp_fields_add's duplicate check is quadratic */
    size_t lists = 0;
    for (xmlNodePtr n = vp_xml_child(item, "category"); n && lists++ <= VP_OFFERING_MAX_LIST;
         n = vp_xml_next(n, "category")) {
        char *t = vp_xml_attr(n, "term");
        if (!t)
            t = vp_xml_text(n);
        note(c, vp_fields_add(fields, "_categories", t));
        free(t);
    }
    for (xmlNodePtr n = vp_xml_child(item, "subject"); n && lists++ <= VP_OFFERING_MAX_LIST;
         n = vp_xml_next(n, "subject")) {
        char *t = vp_xml_text(n);
        note(c, vp_fields_add(fields, "_categories", t));
        free(t);
    }
    lists = 0;
    for (xmlNodePtr n = vp_xml_child(item, "author"); n && lists++ <= VP_OFFERING_MAX_LIST;
         n = vp_xml_next(n, "author")) {
        xmlNodePtr name = vp_xml_child(n, "name");
        char *t = vp_xml_text(name ? name : n);
        add_author(c, fields, t);
        free(t);
    }
    for (xmlNodePtr n = vp_xml_child(item, "creator"); n && lists++ <= VP_OFFERING_MAX_LIST;
         n = vp_xml_next(n, "creator")) {
        char *t = vp_xml_text(n);
        add_author(c, fields, t);
        free(t);
    }

    static const char *const date_names[] = {"updated", "modified", "pubDate", "published",
                                             "issued", "date", NULL};
    char *date = first_text(item, date_names, NULL);
    char iso[32];
    int timed = 0;
    if (date && feed_date(date, iso, &timed) == VP_OK && timed)
        note(c, vp_fields_set(fields, "updated", iso));
    free(date);

    event_dates(c, fields, item);
    static const char *const loc_names[] = {"location", NULL};
    char *loc = first_text(item, loc_names, NULL);
    if (loc)
        note(c, vp_fields_set(fields, "_location", loc));
    free(loc);

    /* the id: guid / atom id, rdf:about, the link, else a hash of the title */
    static const char *const id_names[] = {"guid", "id", NULL};
    char *id = first_text(item, id_names, NULL);
    if (!id)
        id = vp_xml_attr(item, "about");
    if (blank(id)) {
        free(id);
        id = url ? strdup(url) : (link && !blank(link) ? strdup(link) : NULL);
    }
    const char *t = json_string_value(json_object_get(fields, "title"));
    if (!t)
        t = json_string_value(json_object_get(fields, "description"));
    if (blank(id) && t) {
        free(id);
        const char *parts[2] = {t, json_string_value(json_object_get(fields, "start"))};
        id = malloc(19);
        if (id)
            vp_hash_id(id, parts, 2);
    }
    int stop = 0;
    if (c->nomem) {
        json_decref(fields);
        stop = 1;
    } else if (blank(id)) {
        json_decref(fields);
        c->emit->reject(c->emit->ctx, where, "no guid, id, link, title or description to identify it");
    } else {
        /* a guid is an id, not text: only its surrounding space goes */
        char *b = id;
        while (isspace((unsigned char)*b))
            b++;
        size_t n = strlen(b);
        while (n && isspace((unsigned char)b[n - 1]))
            b[--n] = '\0';
        stop = c->emit->record(c->emit->ctx, b, fields, where) != 0;
    }
    free(id);
    free(title);
    free(desc);
    free(link);
    free(url);
    return stop;
}

vp_status vp_feed_parse(const char *data, size_t len, const char *feed_url,
                        const vp_emit *emit, vp_error *err)
{
    if (len > VP_XML_MAX_BYTES)
        return vp_error_set(err, VP_ERR_TOO_BIG, NULL, "feed of %zu bytes is over the limit of %u",
                            len, (unsigned)VP_XML_MAX_BYTES);
    xmlDocPtr doc = NULL;
    vp_status st = vp_xml_read(data, len, NULL, &doc, err);
    if (st != VP_OK)
        return st;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    fctx c = {.emit = emit, .feed_url = feed_url};
    size_t number = 0;
    if (vp_xml_is(root, "feed")) {
        for (xmlNodePtr e = vp_xml_child(root, "entry"); e; e = vp_xml_next(e, "entry"))
            if (feed_item(&c, e, ++number))
                break;
    } else if (vp_xml_is(root, "rss") || vp_xml_is(root, "RDF")) {
        /* RSS 2.0 and 0.9x: items in the channel; RSS 1.0: beside it */
        int stop = 0;
        for (xmlNodePtr ch = vp_xml_child(root, "channel"); ch && !stop; ch = vp_xml_next(ch, "channel"))
            for (xmlNodePtr e = vp_xml_child(ch, "item"); e && !stop; e = vp_xml_next(e, "item"))
                stop = feed_item(&c, e, ++number);
        for (xmlNodePtr e = vp_xml_child(root, "item"); e && !stop; e = vp_xml_next(e, "item"))
            stop = feed_item(&c, e, ++number);
    } else {
        st = vp_error_set(err, VP_ERR_INVALID, NULL,
                          "not an RSS or Atom feed: the root element is <%.100s>",
                          root && root->name ? (const char *)root->name : "");
    }
    xmlFreeDoc(doc);
    if (st == VP_OK && c.nomem)
        st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    return st;
}
