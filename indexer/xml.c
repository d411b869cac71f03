/* xml.c - reading untrusted XML safely (xml.h). */
#include "vindplaats/xml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "vindplaats/analysis.h"

/* The Unicode code point of a numeric character reference's digits. */
static long ref_value(const char *p, const char *end, size_t *used)
{
    /* p points after "&#" */
    int hex = 0;
    const char *q = p;
    if (q < end && (*q == 'x' || *q == 'X')) {
        hex = 1;
        q++;
    }
    long v = 0;
    const char *digits = q;
    while (q < end && q - digits < 8) {
        char ch = *q;
        int d;
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (hex && ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (hex && ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            break;
        v = v * (hex ? 16 : 10) + d;
        q++;
    }
    if (q == digits || q >= end || *q != ';')
        return -1;
    *used = (size_t)(q + 1 - p);
    return v;
}

static int forbidden_cp(long v)
{
    return (v < 0x20 && v != 0x9 && v != 0xA && v != 0xD) || v == 0xFFFE || v == 0xFFFF ||
           (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF;
}

/* 1 when the '&' at p starts a reference ("&name;", "&#12;", "&#x1F;"). */
static int is_reference(const char *p, const char *end)
{
    const char *q = p + 1;
    if (q < end && *q == '#') {
        q++;
        if (q < end && (*q == 'x' || *q == 'X'))
            q++;
        const char *digits = q;
        while (q < end && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
                           (*q >= 'A' && *q <= 'F')))
            q++;
        return q > digits && q < end && *q == ';';
    }
    const char *name = q;
    while (q < end && q - name < 64 &&
           ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
            *q == '_' || *q == '-' || *q == '.' || *q == ':'))
        q++;
    return q > name && q < end && *q == ';';
}

/* Copies `len` bytes of an 8-bit or UTF-8 document without the characters
 * XML forbids: C0 controls but tab/LF/CR, U+FFFE/U+FFFF, and numeric
 * references to any of them; a bare '&' that starts no reference (a
 * common slip in feeds' links) becomes "&amp;". *removed counts what was
 * changed. */
static char *strip_forbidden(const char *data, size_t len, size_t *out_len, int *removed)
{
    char *out = malloc(len * 5 + 1);
    if (!out)
        return NULL;
    size_t w = 0;
    const char *end = data + len;
    for (const char *p = data; p < end;) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 && c != 0x9 && c != 0xA && c != 0xD) {
            p++;
            (*removed)++;
            continue;
        }
        if (c == 0xEF && end - p >= 3 && (unsigned char)p[1] == 0xBF &&
            ((unsigned char)p[2] == 0xBE || (unsigned char)p[2] == 0xBF)) {
            p += 3;
            (*removed)++;
            continue;
        }
        if (c == '&' && end - p >= 4 && p[1] == '#') {
            size_t used = 0;
            long v = ref_value(p + 2, end, &used);
            if (v >= 0 && forbidden_cp(v)) {
                p += 2 + used;
                (*removed)++;
                continue;
            }
        }
        if (c == '&' && !is_reference(p, end)) {
            memcpy(out + w, "&amp;", 5);
            w += 5;
            p++;
            (*removed)++;
            continue;
        }
        out[w++] = (char)c;
        p++;
    }
    out[w] = '\0';
    *out_len = w;
    return out;
}

/* Length of the valid UTF-8 sequence at p, or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    if (p[0] < 0x80)
        return 1;
    size_t n;
    unsigned cp;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        n = 2;
        cp = p[0] & 0x1F;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        n = 3;
        cp = p[0] & 0x0F;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        n = 4;
        cp = p[0] & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

/* Valid UTF-8 stays; every byte of an invalid sequence is taken as a
 * Windows-1252 character. Returns NULL when out of memory. */
static char *repair_utf8(const char *data, size_t len, size_t *out_len, int *changed)
{
    char *out = malloc(len * 3 + 1);
    if (!out)
        return NULL;
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)data, *end = p + len;
    while (p < end) {
        size_t n = utf8_seq(p, end);
        if (n) {
            memcpy(out + w, p, n);
            w += n;
            p += n;
            continue;
        }
        w += vp_utf8_put(out + w, vp_cp1252_char(*p));
        p++;
        (*changed)++;
    }
    out[w] = '\0';
    *out_len = w;
    return out;
}

/* UTF-16 (either byte order, with or without BOM) to UTF-8; NULL when the
 * data is not UTF-16 or out of memory. */
static char *utf16_to_utf8(const char *data, size_t len, size_t *out_len)
{
    const unsigned char *p = (const unsigned char *)data;
    int le;
    size_t i = 0;
    if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        le = 1;
        i = 2;
    } else if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        le = 0;
        i = 2;
    } else if (len >= 4 && p[0] == '<' && p[1] == 0 && p[2] != 0 && p[3] == 0) {
        le = 1;
    } else if (len >= 4 && p[0] == 0 && p[1] == '<' && p[2] == 0 && p[3] != 0) {
        le = 0;
    } else {
        return NULL;
    }
    char *out = malloc(len * 2 + 4);
    if (!out)
        return NULL;
    size_t w = 0;
    while (i + 1 < len) {
        unsigned u = le ? (unsigned)(p[i] | (p[i + 1] << 8)) : (unsigned)((p[i] << 8) | p[i + 1]);
        i += 2;
        unsigned cp = u;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < len) {
            unsigned lo = le ? (unsigned)(p[i] | (p[i + 1] << 8)) : (unsigned)((p[i] << 8) | p[i + 1]);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 2;
            } else {
                cp = 0xFFFD;
            }
        } else if (u >= 0xD800 && u <= 0xDFFF) {
            cp = 0xFFFD;
        }
        w += vp_utf8_put(out + w, cp);
    }
    out[w] = '\0';
    *out_len = w;
    return out;
}

/* The encoding named in the XML declaration, lower-cased, into buf ("" when none). */
static void declared_encoding(const char *data, size_t len, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (len < 5 || memcmp(data, "<?xml", 5) != 0)
        return;
    const char *end = memchr(data, '>', len < 300 ? len : 300);
    if (!end)
        return;
    const char *e = data;
    while (e < end && (e = memchr(e, 'e', (size_t)(end - e))) != NULL) {
        if ((size_t)(end - e) > 9 && memcmp(e, "encoding", 8) == 0)
            break;
        e++;
    }
    if (!e || e >= end)
        return;
    e += 8;
    while (e < end && (*e == ' ' || *e == '='))
        e++;
    if (e >= end || (*e != '"' && *e != '\''))
        return;
    char q = *e++;
    size_t n = 0;
    while (e < end && *e != q && n + 1 < cap) {
        char c = *e++;
        buf[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    buf[n] = '\0';
}

/* 1 when the document has a DOCTYPE that declares entities. */
static int declares_entities(const char *data, size_t len)
{
    const char *end = data + len;
    const char *d = NULL;
    for (const char *p = data; p + 9 <= end; p++) {
        p = memchr(p, '<', (size_t)(end - p));
        if (!p || p + 9 > end)
            break;
        if (memcmp(p, "<!DOCTYPE", 9) == 0) {
            d = p;
            break;
        }
    }
    if (!d)
        return 0;
    for (const char *p = d; p + 8 <= end; p++) {
        p = memchr(p, '<', (size_t)(end - p));
        if (!p || p + 8 > end)
            break;
        if (memcmp(p, "<!ENTITY", 8) == 0)
            return 1;
    }
    return 0;
}

static int has_entity_decl(xmlDocPtr doc)
{
    if (!doc->intSubset && !doc->extSubset)
        return 0;
    for (xmlDtdPtr dtd = doc->intSubset; dtd; dtd = NULL)
        for (xmlNodePtr n = dtd->children; n; n = n->next)
            if (n->type == XML_ENTITY_DECL)
                return 1;
    return 0;
}

/* What an element's _private holds once its end tag was read while the
 * document was still well-formed (vp_xml_complete). */
static char complete_mark;

/* The tree builder's end-of-element, marking the element first: the
 * parser's first error clears wellFormed, so the elements closed before
 * it are exactly the complete ones. */
static void end_element_ns(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                           const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    if (ctxt->node && ctxt->wellFormed)
        ctxt->node->_private = &complete_mark;
    xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

/* One parse. Returns the document, or NULL with the error's code and
 * *err (the place as "line L, column C"). With `recover`, a document that
 * breaks off or goes wrong is returned as far as libxml2 could read it,
 * with the error in *err all the same. */
static xmlDocPtr parse_once(const char *data, size_t len, const char *encoding, int recover,
                            int *code, vp_error *err)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
        *code = -1;
        return NULL;
    }
    ctxt->sax->endElementNs = end_element_ns;
    /* No NOENT (entities are not substituted), no DTDLOAD/DTDATTR (no
     * external subset is read), NONET; NOCDATA merges CDATA into text. */
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
               XML_PARSE_NOBLANKS | XML_PARSE_COMPACT | (recover ? XML_PARSE_RECOVER : 0);
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, encoding, opts);
    if (!doc || !ctxt->wellFormed) {
        const xmlError *e = &ctxt->lastError;
        char msg[300];
        snprintf(msg, sizeof msg, "%s", e->message ? e->message : "not well-formed XML");
        size_t n = strlen(msg);
        while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
            msg[--n] = '\0';
        *code = e->code;
        vp_xml_fail(err, VP_ERR_INVALID, e->line, e->int2, "%s", msg);
        if (doc && !recover) {
            xmlFreeDoc(doc);
            doc = NULL;
        }
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

static int encoding_error(int code)
{
    return code == XML_ERR_INVALID_CHAR || code == XML_ERR_INVALID_ENCODING ||
           code == XML_ERR_UNKNOWN_ENCODING || code == XML_ERR_UNSUPPORTED_ENCODING ||
           code == XML_I18N_CONV_FAILED;
}

/* The document again, as UTF-8 with every invalid sequence taken as a
 * Windows-1252 character; NULL when that fails too, or when `need_change`
 * and there was nothing to repair. */
static xmlDocPtr reparse_as_utf8(const char *data, size_t len, int need_change)
{
    int changed = 0, code = 0;
    size_t fixed_len = 0;
    char *fixed = repair_utf8(data, len, &fixed_len, &changed);
    xmlDocPtr doc = NULL;
    if (fixed && (changed || !need_change)) {
        doc = parse_once(fixed, fixed_len, "UTF-8", 0, &code, NULL);
    }
    free(fixed);
    return doc;
}

static xmlDocPtr read_doc(const char *data, size_t len, int *repaired, vp_error *broken,
                          vp_error *err);

vp_status vp_xml_fail(vp_error *err, vp_status st, long line, long column, const char *fmt, ...)
{
    if (!err)
        return st;
    char where[64];
    if (column > 0)
        snprintf(where, sizeof where, "line %ld, column %ld", line, column);
    else
        snprintf(where, sizeof where, "line %ld", line);
    vp_where at = {NULL, 0, where, NULL};
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return vp_error_set(err, st, &at, "%s", msg);
}

/* read_doc with its failure handed to *err (when not NULL). */
static vp_status read_into(const char *data, size_t len, int *repaired, xmlDocPtr *out,
                           vp_error *broken, vp_error *err)
{
    vp_error e = VP_ERROR_INIT;
    *out = read_doc(data, len, repaired, broken, &e);
    vp_status st = *out ? VP_OK : e.status ? e.status : VP_ERR_INVALID;
    if (st != VP_OK && err) {
        vp_error_clear(err);
        *err = e;
    } else {
        vp_error_clear(&e);
    }
    return st;
}

vp_status vp_xml_read(const char *data, size_t len, int *repaired, xmlDocPtr *out, vp_error *err)
{
    return read_into(data, len, repaired, out, NULL, err);
}

vp_status vp_xml_read_partial(const char *data, size_t len, int *repaired, xmlDocPtr *out,
                              vp_error *broken, vp_error *err)
{
    vp_error_clear(broken);
    return read_into(data, len, repaired, out, broken, err);
}

int vp_xml_complete(xmlNodePtr node)
{
    return node && node->type == XML_ELEMENT_NODE && node->_private == &complete_mark;
}

static xmlDocPtr read_doc(const char *data, size_t len, int *repaired, vp_error *broken,
                          vp_error *err)
{
    if (repaired)
        *repaired = 0;
    if (len > VP_XML_MAX_BYTES) {
        vp_error_set(err, VP_ERR_TOO_BIG, NULL, "document larger than the XML limit");
        return NULL;
    }
    if (len > (size_t)0x7fffffff) {
        vp_error_set(err, VP_ERR_TOO_BIG, NULL, "document too large");
        return NULL;
    }
    size_t n16 = 0;
    char *utf16 = utf16_to_utf8(data, len, &n16);
    const char *src = utf16 ? utf16 : data;
    size_t srclen = utf16 ? n16 : len;
    char enc[64];
    declared_encoding(src, srclen, enc, sizeof enc);
    /* A UTF-8 BOM wins over the declaration. */
    int bom8 = srclen >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0;
    if (bom8) {
        src += 3;
        srclen -= 3;
    }
    int removed = 0;
    size_t clean_len = 0;
    char *clean = strip_forbidden(src, srclen, &clean_len, &removed);
    if (!clean) {
        free(utf16);
        vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    if (declares_entities(clean, clean_len)) {
        free(utf16);
        free(clean);
        vp_error_set(err, VP_ERR_INVALID, NULL, "the document's DTD declares entities; refused");
        return NULL;
    }
    const char *force = utf16 || bom8 ? "UTF-8" : NULL;
    int code = 0;
    vp_error why = VP_ERROR_INIT;
    xmlDocPtr doc = parse_once(clean, clean_len, force, 0, &code, &why);
    int utf8ish = utf16 || bom8 || !enc[0] || strcmp(enc, "utf-8") == 0 || strcmp(enc, "utf8") == 0;
    if (!doc && encoding_error(code)) {
        /* The bytes are not what the document claims (UTF-8, or another
         * declared charset that libxml2 cannot read them as): take its
         * invalid UTF-8 sequences as Windows-1252 and read it as UTF-8. */
        xmlDocPtr again = reparse_as_utf8(clean, clean_len, utf8ish);
        if (again) {
            doc = again;
            removed++;
            vp_error_clear(&why);
        }
    }
    if (!doc && broken && code > 0) {
        /* Broken off or not well-formed: read what there is; the caller
         * keeps the elements closed before the break (vp_xml_complete). */
        int code2 = 0;
        doc = parse_once(clean, clean_len, force, 1, &code2, NULL);
        if (doc && xmlDocGetRootElement(doc)) {
            *broken = why;
            why = (vp_error)VP_ERROR_INIT;
        } else if (doc) {
            xmlFreeDoc(doc);
            doc = NULL;
        }
    }
    free(clean);
    free(utf16);
    if (!doc) {
        if (why.status == VP_OK)
            vp_error_set(&why, VP_ERR_INVALID, NULL, "not well-formed XML");
        if (err)
            *err = why;
        else
            vp_error_clear(&why);
        return NULL;
    }
    vp_error_clear(&why);
    if (has_entity_decl(doc) || !xmlDocGetRootElement(doc)) {
        vp_error_clear(broken);
    }
    if (has_entity_decl(doc)) {
        xmlFreeDoc(doc);
        vp_error_set(err, VP_ERR_INVALID, NULL, "the document's DTD declares entities; refused");
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        xmlFreeDoc(doc);
        vp_xml_fail(err, VP_ERR_INVALID, 1, 1, "no root element");
        return NULL;
    }
    if (repaired)
        *repaired = removed != 0;
    return doc;
}

int vp_xml_is(xmlNodePtr node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && node->name &&
           strcmp((const char *)node->name, name) == 0;
}

xmlNodePtr vp_xml_next(xmlNodePtr node, const char *name)
{
    for (xmlNodePtr n = node ? node->next : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && (!name || vp_xml_is(n, name)))
            return n;
    return NULL;
}

xmlNodePtr vp_xml_child(xmlNodePtr node, const char *name)
{
    if (!node)
        return NULL;
    for (xmlNodePtr n = node->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && (!name || vp_xml_is(n, name)))
            return n;
    return NULL;
}

char *vp_xml_text(xmlNodePtr node)
{
    if (!node)
        return NULL;
    xmlChar *s = xmlNodeGetContent(node);
    if (!s)
        return strdup("");
    char *out = strdup((const char *)s);
    xmlFree(s);
    return out;
}

char *vp_xml_attr(xmlNodePtr node, const char *name)
{
    if (!node || node->type != XML_ELEMENT_NODE)
        return NULL;
    xmlChar *s = xmlGetProp(node, (const xmlChar *)name);
    if (!s)
        return NULL;
    char *out = strdup((const char *)s);
    xmlFree(s);
    return out;
}
