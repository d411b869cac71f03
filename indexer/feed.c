/* feed.c - RSS 0.9x/1.0/2.0 and Atom feeds of agenda items (feed.h), and
 * the web-text helpers the page-reading connectors share.
 *
 * The feed is read through vp_xml_read() (no network, no entities, charset
 * repair) and its items are matched by local name, so RSS 1.0 (RDF, items
 * beside the channel), RSS 2.0 (items in the channel) and Atom (entries)
 * go through the same loop, whatever prefixes the extensions use. Text that
 * feeds carry as escaped HTML is turned into plain text with line breaks. */
#include "feed.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "jsonld.h"
#include "xml.h"
#include "vindplaats/offering.h"

/* ---- a growing string with a cap -------------------------------------- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int failed;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *t = realloc(b->s, cap);
        if (!t) {
            b->failed = 1;
            return;
        }
        b->s = t;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_utf8(sbuf *b, uint32_t cp)
{
    char u[4];
    if (cp < 0x80) {
        u[0] = (char)cp;
        sb_add(b, u, 1);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        sb_add(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        sb_add(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        sb_add(b, u, 4);
    }
}

/* ---- HTML to text ----------------------------------------------------- */

/* Windows-1252 0x80-0x9F, the way browsers read those code points. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

unsigned vp_cp1252_char(unsigned char b)
{
    return b >= 0x80 && b <= 0x9F ? cp1252_c1[b - 0x80] : b;
}

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
static size_t entity(const char *p, const char *end, sbuf *out)
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
            cp = cp1252_c1[cp - 0x80];
        if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
            cp = 0xFFFD;
        if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
            cp = ' ';
        sb_utf8(out, cp);
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
                sb_utf8(out, entities[i].cp);
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
    sbuf out = {0};
    const char *p = s, *end = s + n;
    sb_add(&out, "", 0);
    while (p < end && !out.failed) {
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
                sb_add(&out, "\n", 1);
            else if (nlen > 0)
                sb_add(&out, "", 0);
            continue;
        }
        if (ch == '&') {
            size_t used = entity(p + 1, end, &out);
            if (used) {
                p += used + 1;
                continue;
            }
        }
        if (ch == 0xC2 && p + 1 < end && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9F) {
            /* a raw C1 control: Windows-1252 text that was read as Latin-1 */
            sb_utf8(&out, cp1252_c1[(unsigned char)p[1] - 0x80]);
            p += 2;
            continue;
        }
        if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
            ch = ' ';
        char c1 = (char)ch;
        sb_add(&out, &c1, 1);
        p++;
    }
    if (out.failed) {
        free(out.s);
        return NULL;
    }
    return out.s;
}

/* ---- URLs ------------------------------------------------------------- */

static int scheme_http(const char *s)
{
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

/* A copy of s[0..n) that is a usable URL (no spaces or controls), or NULL. */
static char *url_dup(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7F)
            return NULL;
    char *u = malloc(n + 1);
    if (!u)
        return NULL;
    memcpy(u, s, n);
    u[n] = '\0';
    /* the offering wants the scheme in lower case */
    for (size_t i = 0; i < n && u[i] != ':'; i++)
        u[i] = (char)tolower((unsigned char)u[i]);
    size_t sch = strncmp(u, "https", 5) == 0 ? 8 : 7;
    if (n <= sch || u[sch] == '/') {
        free(u);
        return NULL;
    }
    return u;
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
    if (scheme_http(ref))
        return url_dup(ref, rn);
    /* another scheme (mailto:, javascript:) */
    for (size_t i = 0; i < rn && ref[i] != '/' && ref[i] != '?' && ref[i] != '#'; i++)
        if (ref[i] == ':')
            return NULL;
    if (!base || !scheme_http(base) || rn == 0)
        return rn == 0 && base ? vp_url_resolve(NULL, base) : NULL;
    size_t bn = strlen(base);
    const char *host = strstr(base, "://") + 3;
    const char *path = host + strcspn(host, "/?#");
    size_t scheme_len = (size_t)(host - base) - 3;       /* "http" */
    size_t origin_len = (size_t)(path - base);           /* "http://host" */
    size_t base_path_end = (size_t)(path - base) + strcspn(path, "?#");
    sbuf out = {0};
    if (ref[0] == '/' && rn > 1 && ref[1] == '/') {
        sb_add(&out, base, scheme_len + 1);
        sb_add(&out, ref, rn);
    } else if (ref[0] == '/') {
        sb_add(&out, base, origin_len);
        sb_add(&out, ref, rn);
    } else if (ref[0] == '?') {
        sb_add(&out, base, base_path_end);
        sb_add(&out, ref, rn);
    } else if (ref[0] == '#') {
        sb_add(&out, base, bn - strlen(base + strcspn(base, "#")) );
        sb_add(&out, ref, rn);
    } else {
        /* relative path: the base's directory, then ref without ./ and ../ */
        size_t dir = base_path_end;
        while (dir > origin_len && base[dir - 1] != '/')
            dir--;
        if (dir == origin_len) {
            sb_add(&out, base, origin_len);
            sb_add(&out, "/", 1);
        } else {
            sb_add(&out, base, dir);
        }
        const char *r = ref, *rend = ref + rn;
        for (;;) {
            if (rend - r >= 2 && memcmp(r, "./", 2) == 0) {
                r += 2;
            } else if (rend - r >= 3 && memcmp(r, "../", 3) == 0) {
                r += 3;
                if (!out.failed && out.len > origin_len + 1) {
                    out.len--; /* the '/' at the end */
                    while (out.len > origin_len + 1 && out.s[out.len - 1] != '/')
                        out.len--;
                    out.s[out.len] = '\0';
                }
            } else if (rend - r == 1 && *r == '.') {
                r++;
            } else {
                break;
            }
        }
        sb_add(&out, r, (size_t)(rend - r));
    }
    if (out.failed) {
        free(out.s);
        return NULL;
    }
    char *u = url_dup(out.s, out.len);
    free(out.s);
    return u;
}

void vp_hash_id(char out[19], const char *const *parts, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        for (const unsigned char *p = (const unsigned char *)(parts[i] ? parts[i] : ""); *p; p++) {
            h ^= *p;
            h *= 0x100000001b3ULL;
        }
        h ^= 0;
        h *= 0x100000001b3ULL; /* the separator */
    }
    snprintf(out, 19, "h-%016llx", (unsigned long long)h);
}

/* ---- dates ------------------------------------------------------------ */

/* RFC 822/1123 "Sat, 07 Sep 2002 00:00:01 GMT" (or "+0100", "CET") into
 * "2002-09-07T00:00:01Z". Returns 0, or -1 when `s` is not one. */
static int rfc822(const char *s, char out[32])
{
    static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec"};
    static const struct {
        const char *name;
        int off;
    } zones[] = {{"GMT", 0}, {"UT", 0}, {"UTC", 0}, {"Z", 0}, {"CET", 60}, {"CEST", 120},
                 {"MET", 60}, {"MEST", 120}, {"WET", 0}, {"WEST", 60}, {"BST", 60},
                 {"EST", -300}, {"EDT", -240}, {"CST", -360}, {"CDT", -300}, {"MST", -420},
                 {"MDT", -360}, {"PST", -480}, {"PDT", -420}};
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    if (isalpha((unsigned char)*p)) { /* the day name */
        while (isalpha((unsigned char)*p))
            p++;
        if (*p == ',')
            p++;
        while (isspace((unsigned char)*p))
            p++;
    }
    char *e;
    long d = strtol(p, &e, 10);
    if (e == p || d < 1 || d > 31)
        return -1;
    p = e;
    while (isspace((unsigned char)*p) || *p == '-')
        p++;
    int mo = 0;
    for (int i = 0; i < 12; i++)
        if (strncasecmp(p, months[i], 3) == 0)
            mo = i + 1;
    if (!mo)
        return -1;
    while (isalpha((unsigned char)*p))
        p++;
    while (isspace((unsigned char)*p) || *p == '-')
        p++;
    long y = strtol(p, &e, 10);
    if (e == p)
        return -1;
    if (e - p == 2)
        y += y < 50 ? 2000 : 1900;
    p = e;
    int h = 0, mi = 0, sec = 0;
    while (isspace((unsigned char)*p))
        p++;
    if (sscanf(p, "%2d:%2d:%2d", &h, &mi, &sec) < 2)
        return -1;
    while (*p && !isspace((unsigned char)*p))
        p++;
    while (isspace((unsigned char)*p))
        p++;
    int off = 0, have_zone = 0;
    if (*p == '+' || *p == '-') {
        int v;
        if (sscanf(p + 1, "%4d", &v) != 1 || !isdigit((unsigned char)p[4]))
            return -1;
        off = (v / 100) * 60 + v % 100;
        if (*p == '-')
            off = -off;
        have_zone = 1;
    } else if (*p) {
        char z[8] = "";
        size_t i = 0;
        while (isalpha((unsigned char)p[i]) && i < sizeof z - 1) {
            z[i] = (char)toupper((unsigned char)p[i]);
            i++;
        }
        z[i] = '\0';
        for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++)
            if (strcmp(z, zones[k].name) == 0) {
                off = zones[k].off;
                have_zone = 1;
            }
    }
    char iso[40];
    if (!have_zone) {
        snprintf(iso, sizeof iso, "%04ld-%02d-%02ldT%02d:%02d:%02d", y, mo, d, h, mi, sec);
    } else {
        int a = off < 0 ? -off : off;
        snprintf(iso, sizeof iso, "%04ld-%02d-%02ldT%02d:%02d:%02d%c%02d:%02d", y, mo, d, h, mi,
                 sec, off < 0 ? '-' : '+', a / 60, a % 60);
    }
    return vp_local_datetime(iso, out) == 1 ? 0 : -1;
}

/* Any date a feed writes: ISO 8601 (with or without offset) or RFC 822.
 * 1 for a date-time, 0 for a date, -1 for neither. */
static int feed_date(const char *s, char out[32])
{
    if (!s)
        return -1;
    int r = vp_local_datetime(s, out);
    if (r >= 0)
        return r;
    return rfc822(s, out) == 0 ? 1 : -1;
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
    if (s && feed_date(s, so) >= 0) {
        int has_end = e && feed_date(e, eo) >= 0 && strlen(eo) == strlen(so) && strcmp(eo, so) >= 0;
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
    if (date && feed_date(date, iso) == 1)
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
                        const vp_emit *emit, char **errmsg)
{
    char *msg = NULL;
    vp_status st = VP_OK;
    if (len > VP_XML_MAX_BYTES) {
        char buf[120];
        snprintf(buf, sizeof buf, "feed of %zu bytes is over the limit of %u", len,
                 (unsigned)VP_XML_MAX_BYTES);
        msg = strdup(buf);
        st = VP_ERR_TOO_BIG;
        goto done;
    }
    xmlDocPtr doc = vp_xml_read(data, len, NULL, &msg);
    if (!doc) {
        if (!msg)
            msg = strdup("not XML");
        st = VP_ERR_INVALID;
        goto done;
    }
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
        char buf[200];
        snprintf(buf, sizeof buf, "not an RSS or Atom feed: the root element is <%.100s>",
                 root && root->name ? (const char *)root->name : "");
        msg = strdup(buf);
        st = VP_ERR_INVALID;
    }
    xmlFreeDoc(doc);
    if (st == VP_OK && c.nomem) {
        msg = strdup("out of memory");
        st = VP_ERR_NOMEM;
    }
done:
    if (st != VP_OK) {
        if (errmsg)
            *errmsg = msg;
        else
            free(msg);
    }
    return st;
}
