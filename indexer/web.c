/* web.c - text from the web for the connectors that read pages and feeds
 * (web.h): HTML to plain text, and URLs resolved against a page's by
 * libcurl's URL API.
 *
 * Every string is built in a vp_buf with sticky appends: the first failed
 * one (out of memory, or the buffer's cap) ends the work and the caller
 * gets NULL. */
#include "web.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/connector.h"

static void put_char(vp_buf *b, vp_status *st, uint32_t cp)
{
    char u[4];
    vp_buf_add(b, st, u, vp_utf8_put(u, cp));
}

/* ---- HTML to text ----------------------------------------------------- */

static const struct {
    const char *name;
    uint32_t cp;
} entities[] = {
    {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", ' '},
    {"mdash", 0x2014}, {"ndash", 0x2013}, {"hellip", 0x2026}, {"lsquo", 0x2018},
    {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bdquo", 0x201E},
    {"sbquo", 0x201A}, {"laquo", 0xAB}, {"raquo", 0xBB}, {"euro", 0x20AC}, {"copy", 0xA9},
    {"reg", 0xAE}, {"trade", 0x2122}, {"bull", 0x2022}, {"middot", 0xB7}, {"deg", 0xB0},
    {"eacute", 0xE9}, {"egrave", 0xE8}, {"ecirc", 0xEA}, {"euml", 0xEB}, {"aacute", 0xE1},
    {"agrave", 0xE0}, {"acirc", 0xE2}, {"auml", 0xE4}, {"iacute", 0xED}, {"iuml", 0xEF},
    {"oacute", 0xF3}, {"ocirc", 0xF4}, {"ouml", 0xF6}, {"uacute", 0xFA}, {"uuml", 0xFC},
    {"ccedil", 0xE7}, {"ntilde", 0xF1}, {"szlig", 0xDF}, {"Eacute", 0xC9}, {"Euml", 0xCB},
    {"Ouml", 0xD6}, {"Uuml", 0xDC}, {"Auml", 0xC4}, {"shy", 0}, {"zwnj", 0}, {"zwj", 0},
    {"times", 0xD7}, {"frac12", 0xBD}, {"para", 0xB6}, {"sect", 0xA7}, {"pound", 0xA3},
};

/* Decodes the reference at p (just after '&'); returns the bytes it took
 * (up to and including ';'), or 0 when it is not one. */
static size_t entity(const char *p, const char *end, vp_buf *b, vp_status *st)
{
    if (p < end && *p == '#') {
        const char *q = p + 1;
        int hex = 0;
        if (q < end && (*q == 'x' || *q == 'X')) {
            hex = 1;
            q++;
        }
        uint32_t cp = 0;
        const char *d = q;
        while (q < end && (hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q))) {
            int v = isdigit((unsigned char)*q) ? *q - '0' : (tolower((unsigned char)*q) - 'a' + 10);
            if (cp < 0x110000)
                cp = cp * (hex ? 16 : 10) + (uint32_t)v;
            q++;
        }
        if (q == d)
            return 0;
        if (q < end && *q == ';')
            q++;
        if (cp >= 0x80 && cp <= 0x9F)
            cp = vp_cp1252_char((unsigned char)cp);
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
            cp = 0xFFFD;
        if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
            cp = ' ';
        put_char(b, st, cp);
        return (size_t)(q - p);
    }
    const char *q = p;
    while (q < end && q - p < 10 && isalnum((unsigned char)*q))
        q++;
    if (q >= end || *q != ';' || q == p)
        return 0;
    size_t n = (size_t)(q - p);
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
        if (strlen(entities[i].name) == n && memcmp(entities[i].name, p, n) == 0) {
            if (entities[i].cp)
                put_char(b, st, entities[i].cp);
            return n + 1;
        }
    }
    return 0;
}

static int is_block(const char *name, size_t n)
{
    static const char *const blocks[] = {
        "p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
        "table", "blockquote", "section", "article", "header", "footer", "dd", "dt", "dl",
        "pre", "hr", "address", "figure", "figcaption", "aside", "main", "nav", "td", "th"};
    char low[12];
    if (n == 0 || n >= sizeof low)
        return 0;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[n] = '\0';
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strcmp(low, blocks[i]) == 0)
            return 1;
    return 0;
}


char *vp_html_to_text(const char *s, size_t n)
{
    vp_buf b;
    vp_status st = VP_OK;
    const char *p = s, *end = s + n;
    vp_buf_init(&b, 2 * n + 64); /* a reference or a C1 byte never grows by half */
    vp_buf_add(&b, &st, "", 0);
    while (p < end && st == VP_OK) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '<' && p + 1 < end &&
            (isalpha((unsigned char)p[1]) || p[1] == '/' || p[1] == '!' || p[1] == '?')) {
            if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
                const char *c = vp_str_find_ci(p + 4, end, "-->");
                p = c ? c + 3 : end;
                continue;
            }
            const char *name = p + 1 + (p[1] == '/');
            const char *q = name;
            while (q < end && isalnum((unsigned char)*q))
                q++;
            size_t nlen = (size_t)(q - name);
            /* the end of the tag, stepping over quoted attribute values */
            char quote = 0;
            while (q < end && (quote || *q != '>')) {
                if (quote && *q == quote)
                    quote = 0;
                else if (!quote && (*q == '"' || *q == '\'') && q[-1] == '=')
                    quote = *q;
                q++;
            }
            p = q < end ? q + 1 : end;
            if (p[-1] == '>' && p[-2] != '/' && name[-1] != '/' &&
                ((nlen == 6 && strncasecmp(name, "script", 6) == 0) ||
                 (nlen == 5 && strncasecmp(name, "style", 5) == 0))) {
                const char *c = vp_str_find_ci(p, end, nlen == 6 ? "</script" : "</style");
                p = c ? c : end;
                continue;
            }
            if (is_block(name, nlen))
                vp_buf_add(&b, &st, "\n", 1);
            continue;
        }
        if (ch == '&') {
            size_t used = entity(p + 1, end, &b, &st);
            if (used) {
                p += used + 1;
                continue;
            }
        }
        if (ch == 0xC2 && p + 1 < end && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9F) {
            /* a raw C1 control: Windows-1252 text that was read as Latin-1 */
            put_char(&b, &st, vp_cp1252_char((unsigned char)p[1]));
            p += 2;
            continue;
        }
        if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
            ch = ' ';
        char c1 = (char)ch;
        vp_buf_add(&b, &st, &c1, 1);
        p++;
    }
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
