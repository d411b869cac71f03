/* web.c - text from the web for the connectors that read pages and feeds
 * (web.h): HTML to plain text, and URLs resolved against a page's by
 * libcurl's URL API.
 *
 * Pages are read by libxml2's HTML parser (the tree a browser would
 * build from broken markup too). Every string is built in a vp_buf with
 * sticky appends: the first failed one (out of memory, or the buffer's
 * cap) ends the work and the caller gets NULL. */
#include "vindplaats/web.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <libxml/HTMLparser.h>

#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/connector.h"

static void put_char(vp_buf *b, vp_status *st, uint32_t cp)
{
    char u[4];
    vp_buf_add(b, st, u, vp_utf8_put(u, cp));
}

/* ---- HTML: libxml2's HTML parser ---------------------------------------- */

htmlDocPtr vp_html_read(const char *s, size_t n)
{
    if (n > INT_MAX)
        return NULL;
    /* the bytes are UTF-8 (every caller has decoded them); nothing is
     * fetched, nothing is printed, broken markup is repaired as browsers do */
    return htmlReadMemory(s, (int)n, NULL, "UTF-8",
                          HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                              HTML_PARSE_NONET);
}

static int is_block(const char *name)
{
    static const char *const blocks[] = {
        "p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
        "table", "blockquote", "section", "article", "header", "footer", "dd", "dt", "dl",
        "pre", "hr", "address", "figure", "figcaption", "aside", "main", "nav", "td", "th"};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strcmp(name, blocks[i]) == 0)
            return 1;
    return 0;
}

/* 1 for the elements whose content is no text: script, style, and what a
 * browser does not show. */
static int is_hidden(const char *name)
{
    return !strcmp(name, "script") || !strcmp(name, "style") || !strcmp(name, "template") ||
           !strcmp(name, "noscript") || !strcmp(name, "head");
}

/* Appends the text of a text node: C1 controls read as Windows-1252 (text
 * that was Windows-1252 taken for Latin-1, as browsers do), a no-break
 * space as a space, soft hyphens and zero-width joiners dropped, other
 * control characters made spaces. */
static void put_text(vp_buf *b, vp_status *st, const char *t)
{
    const unsigned char *p = (const unsigned char *)t;
    while (*p && *st == VP_OK) {
        if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
            put_char(b, st, vp_cp1252_char(p[1]));
            p += 2;
        } else if (p[0] == 0xC2 && p[1] == 0xA0) {
            vp_buf_add(b, st, " ", 1);
            p += 2;
        } else if (p[0] == 0xC2 && p[1] == 0xAD) {
            p += 2;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0x8C || p[2] == 0x8D)) {
            p += 3;
        } else if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
            vp_buf_add(b, st, " ", 1);
            p++;
        } else {
            vp_buf_add(b, st, (const char *)p, 1);
            p++;
        }
    }
}

char *vp_html_to_text(const char *s, size_t n)
{
    vp_buf b;
    vp_status st = VP_OK;
    vp_buf_init(&b, 2 * n + 64); /* a reference or a C1 byte never grows by half */
    vp_buf_add(&b, &st, "", 0);
    htmlDocPtr doc = n ? vp_html_read(s, n) : NULL;
    if (n && !doc)
        st = VP_ERR_NOMEM;
    /* a walk without recursion: the depth of a page is the page's to choose */
    xmlNodePtr node = doc ? doc->children : NULL;
    while (node && st == VP_OK) {
        const char *name = node->type == XML_ELEMENT_NODE ? (const char *)node->name : NULL;
        int enter = 0;
        if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
            put_text(&b, &st, (const char *)node->content);
        } else if (name && !is_hidden(name)) {
            if (is_block(name))
                vp_buf_add(&b, &st, "\n", 1);
            enter = node->children != NULL;
        }
        if (enter) {
            node = node->children;
            continue;
        }
        /* leave: the next sibling, or up to where there is one */
        while (node && !node->next) {
            node = node->parent;
            if (!node || node->type != XML_ELEMENT_NODE)
                node = NULL;
            else if (is_block((const char *)node->name))
                vp_buf_add(&b, &st, "\n", 1);
        }
        if (node)
            node = node->next;
    }
    xmlFreeDoc(doc);
    if (st != VP_OK) {
        vp_buf_free(&b);
        return NULL;
    }
    return vp_buf_steal(&b);
}

/* ---- URLs ------------------------------------------------------------- */

/* 1 when s[0..n) is an http(s) URL with a host (either case of scheme). */
static int http_url(const char *s, size_t n)
{
    size_t sch = n >= 8 && strncasecmp(s, "https://", 8) == 0 ? 8
               : n >= 7 && strncasecmp(s, "http://", 7) == 0  ? 7
                                                               : 0;
    return sch && n > sch && s[sch] != '/';
}

int vp_is_http_url(const char *s)
{
    if (!s)
        return 0;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7F)
            return 0;
    return http_url(s, n);
}

char *vp_url_resolve(const char *base, const char *ref)
{
    if (!ref || !*ref)
        ref = base;
    if (!ref)
        return NULL;
    while (isspace((unsigned char)*ref))
        ref++;
    size_t rn = strlen(ref);
    while (rn && isspace((unsigned char)ref[rn - 1]))
        rn--;
    if (rn == 0)
        return base && ref != base ? vp_url_resolve(NULL, base) : NULL;
    for (size_t i = 0; i < rn; i++)
        if ((unsigned char)ref[i] <= 0x20 || ref[i] == 0x7F)
            return NULL;
    /* libcurl's URL API resolves the reference (RFC 3986) and normalises:
     * scheme in lower case, dot segments removed, "/" for an empty path. */
    char *r = strndup(ref, rn), *got = NULL, *scheme = NULL, *out = NULL;
    CURLU *u = curl_url();
    CURLUcode rc;
    if (!r || !u)
        goto done;
    if (http_url(r, rn)) {
        rc = curl_url_set(u, CURLUPART_URL, r, 0);
    } else {
        if (!base || !http_url(base, strlen(base)) ||
            curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK)
            goto done;
        /* (libcurl 7.88 drops the base's path for "#x": set the part.) */
        rc = r[0] == '#' ? curl_url_set(u, CURLUPART_FRAGMENT, r + 1, 0)
                         : curl_url_set(u, CURLUPART_URL, r, 0);
    }
    if (rc != CURLUE_OK || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) ||
        curl_url_get(u, CURLUPART_URL, &got, 0) != CURLUE_OK)
        goto done;
    out = strdup(got);
done:
    curl_free(got);
    curl_free(scheme);
    curl_url_cleanup(u);
    free(r);
    return out;
}
