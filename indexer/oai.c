/* oai.c - OAI-PMH 2.0 responses as records (oai.h).
 *
 * Pure parsers: bytes in, vp_emit calls out. Every lookup goes by local
 * name (xml.h), because repositories disagree on prefixes ("oai_dc:dc",
 * "oaidc:dc", "marc:record", none at all). Values are trimmed: real
 * repositories wrap identifiers, dates and tokens in line breaks.
 *
 * oai_dc mapping: title (first), creator and contributor -> creators,
 * subject -> subjects, description -> description (joined), language ->
 * ISO 639-1, the first http(s) identifier -> url, ISBN identifiers ->
 * isbn, type -> _categories, format/type -> _format; the header datestamp
 * -> updated (a date-time in UTC). MARCXML goes to marc.c. The record's
 * offering type is left to normalisation (the source's default). */
/* strdup, strncasecmp: the build defines this too (CMakeLists.txt) */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "vindplaats/oai.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vindplaats/marc.h"
#include "vindplaats/buf.h"
#include "vindplaats/connector.h"
#include "vindplaats/time.h"
#include "vindplaats/web.h"
#include "vindplaats/xml.h"

/* Longest description we assemble from dc:description elements. */
#define MAX_DESCRIPTION (256u * 1024)



/* The trimmed text of `node`, malloc()ed; NULL for a NULL node or when out
 * of memory (callers that must tell the two apart check `node`). */
static char *text_of(xmlNodePtr node)
{
    return vp_str_trim(vp_xml_text(node));
}

/* Makes every run of white space in `s` one space (in place). */
static void collapse(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (vp_is_blank((unsigned char)*p)) {
            if (w > s && w[-1] != ' ')
                *w++ = ' ';
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    vp_str_trim(s);
}

/* Fails with VP_ERR_INVALID at the line of `node`: `what` + `arg`. */
static vp_status line_msg(vp_error *err, xmlNodePtr node, const char *what, const char *arg)
{
    return vp_xml_fail(err, VP_ERR_INVALID, node ? xmlGetLineNo(node) : 1L, 0, "%s%.200s", what,
                       arg ? arg : "");
}

/* Contains `needle` (ASCII, lower case) ignoring case. */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return 1;
    return 0;
}

/* ---- datestamps ------------------------------------------------------- */

static int digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

/* Reads a UTC datestamp "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ss[.f]Z" into
 * `out` (the date, or the date-time without fraction). Returns 1 for a
 * day, 2 for a date-time, 0 when it is neither. */
static int datestamp(const char *s, char out[21])
{
    int y, mo, d, h, mi, se;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return 0;
    if (!vp_day_valid(y * 10000 + mo * 100 + d))
        return 0;
    if (s[10] == '\0') {
        memcpy(out, s, 10);
        out[10] = '\0';
        return 1;
    }
    if ((s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) || s[13] != ':' ||
        !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
        return 0;
    if (h > 23 || mi > 59 || se > 60)
        return 0;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if ((*p != 'Z' && *p != 'z') || p[1] != '\0')
        return 0;
    memcpy(out, s, 19);
    out[10] = 'T';
    out[19] = 'Z';
    out[20] = '\0';
    return 2;
}

static int is_day_granularity(const char *g)
{
    return g && strcmp(g, "YYYY-MM-DD") == 0;
}

static int is_second_granularity(const char *g)
{
    return g && strcmp(g, "YYYY-MM-DDThh:mm:ssZ") == 0;
}

char *vp_oai_from_value(const char *response_date, const char *granularity)
{
    if (!response_date)
        return NULL;
    char *copy = strdup(response_date);
    if (!copy)
        return NULL;
    char ds[21];
    int kind = datestamp(vp_str_trim(copy), ds);
    free(copy);
    if (!kind)
        return NULL;
    char out[21];
    if (is_day_granularity(granularity)) {
        memcpy(out, ds, 10);
        out[10] = '\0';
    } else if (is_second_granularity(granularity)) {
        if (kind == 1)
            snprintf(out, sizeof out, "%.10sT00:00:00Z", ds);
        else
            memcpy(out, ds, sizeof out);
    } else {
        return NULL;
    }
    return strdup(out);
}

/* ---- Identify --------------------------------------------------------- */

void vp_oai_identify_clear(vp_oai_identify *id)
{
    if (!id)
        return;
    free(id->repository_name);
    free(id->granularity);
    free(id->earliest_datestamp);
    memset(id, 0, sizeof *id);
}

/* Fails with "OAI error code: message" of the first <error> under `root`
 * at its line; VP_OK when there is none. */
static vp_status error_of(vp_error *err, xmlNodePtr root)
{
    xmlNodePtr e = vp_xml_child(root, "error");
    if (!e)
        return VP_OK;
    char *code = vp_xml_attr(e, "code");
    char *text = text_of(e);
    if (text)
        collapse(text);
    vp_xml_fail(err, VP_ERR_INVALID, xmlGetLineNo(e), 0, "OAI error %.100s%s%.300s",
                code && *vp_str_trim(code) ? code : "(no code)", text && *text ? ": " : "",
                text && *text ? text : "");
    free(code);
    free(text);
    return VP_ERR_INVALID;
}

/* The document's OAI-PMH root element, or NULL with *err. */
static xmlNodePtr oai_root(xmlDocPtr doc, vp_error *err)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (!vp_xml_is(root, "OAI-PMH")) {
        line_msg(err, root, "not an OAI-PMH response: root element ",
                 root ? (const char *)root->name : "(none)");
        return NULL;
    }
    return root;
}

vp_status vp_oai_parse_identify(const char *body, size_t len, vp_oai_identify *out, vp_error *err)
{
    vp_status st = VP_ERR_INVALID;
    memset(out, 0, sizeof *out);
    xmlDocPtr doc = NULL;
    st = vp_xml_read(body, len, NULL, &doc, err);
    if (st != VP_OK)
        return st;
    st = VP_ERR_INVALID;
    xmlNodePtr root = oai_root(doc, err);
    if (!root || error_of(err, root) != VP_OK)
        goto fail;
    xmlNodePtr idf = vp_xml_child(root, "Identify");
    if (!idf) {
        line_msg(err, root, "not an Identify response: no Identify element", NULL);
        goto fail;
    }
    xmlNodePtr name = vp_xml_child(idf, "repositoryName");
    xmlNodePtr gran = vp_xml_child(idf, "granularity");
    xmlNodePtr earliest = vp_xml_child(idf, "earliestDatestamp");
    out->repository_name = name ? text_of(name) : NULL;
    out->granularity = gran ? text_of(gran) : NULL;
    out->earliest_datestamp = earliest ? text_of(earliest) : NULL;
    if ((name && !out->repository_name) || (gran && !out->granularity) ||
        (earliest && !out->earliest_datestamp)) {
        st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
        goto fail;
    }
    if (!out->granularity) {
        line_msg(err, idf, "Identify: no granularity", NULL);
        goto fail;
    }
    if (!is_day_granularity(out->granularity) && !is_second_granularity(out->granularity)) {
        line_msg(err, gran, "Identify: granularity is neither YYYY-MM-DD nor YYYY-MM-DDThh:mm:ssZ: ",
                 out->granularity);
        goto fail;
    }
    if (!out->earliest_datestamp) {
        line_msg(err, idf, "Identify: no earliestDatestamp", NULL);
        goto fail;
    }
    char ds[21];
    if (!datestamp(out->earliest_datestamp, ds)) {
        line_msg(err, earliest, "Identify: earliestDatestamp is not a UTC datestamp: ",
                 out->earliest_datestamp);
        goto fail;
    }
    xmlFreeDoc(doc);
    return VP_OK;

fail:
    vp_oai_identify_clear(out);
    xmlFreeDoc(doc);
    return st;
}

/* ---- oai_dc ----------------------------------------------------------- */


/* What a dc:format or dc:type says about the form of the work. */
static const char *format_hint(const char *s)
{
    if (contains_ci(s, "audiobook") || contains_ci(s, "audio book") ||
        contains_ci(s, "luisterboek") || contains_ci(s, "audio"))
        return "audiobook";
    if (contains_ci(s, "e-book") || contains_ci(s, "ebook") || contains_ci(s, "epub") ||
        contains_ci(s, "pdf") || contains_ci(s, "electronic"))
        return "ebook";
    return NULL;
}

/* Appends a description paragraph; -1 when out of memory, 0 otherwise (a
 * paragraph that would take the description over its cap is left out). */
static int add_paragraph(vp_buf *b, const char *t)
{
    const char *sep = b->len ? "\n\n" : "";
    size_t n = strlen(sep) + strlen(t);
    if (n > b->cap - b->len)
        return 0;
    vp_status st = VP_OK;
    vp_buf_adds(b, &st, sep);
    vp_buf_adds(b, &st, t);
    return st == VP_OK ? 0 : -1;
}

/* The fields of an oai_dc <dc> element, or NULL with *why. */
static json_t *dc_fields(xmlNodePtr dc, vp_error *why)
{
    json_t *fields = json_object();
    vp_buf desc;
    vp_buf_init(&desc, MAX_DESCRIPTION - 1);
    const char *format = NULL;
    if (!fields)
        goto oom;
    for (xmlNodePtr e = dc->children; e; e = e->next) {
        if (e->type != XML_ELEMENT_NODE)
            continue;
        char *t = text_of(e);
        if (!t)
            goto oom;
        int rc = 0;
        if (!*t) {
            /* empty element: nothing to say */
        } else if (vp_xml_is(e, "title")) {
            if (!json_object_get(fields, "title"))
                rc = vp_fields_set(fields, "title", t);
        } else if (vp_xml_is(e, "creator") || vp_xml_is(e, "contributor")) {
            rc = vp_fields_add(fields, "creators", t);
        } else if (vp_xml_is(e, "subject")) {
            rc = vp_fields_add(fields, "subjects", t);
        } else if (vp_xml_is(e, "description")) {
            rc = add_paragraph(&desc, t);
        } else if (vp_xml_is(e, "language")) {
            const char *iso = vp_language_code(t);
            if (iso && !json_object_get(fields, "language"))
                rc = vp_fields_set(fields, "language", iso);
        } else if (vp_xml_is(e, "identifier")) {
            if (vp_is_http_url(t)) {
                if (!json_object_get(fields, "url")) {
                    for (char *q = t; *q && *q != ':'; q++)
                        *q = (char)tolower((unsigned char)*q);
                    rc = vp_fields_set(fields, "url", t);
                }
            } else {
                char *isbn = vp_isbn_dup(t, 0);
                if (isbn)
                    rc = vp_fields_add(fields, "isbn", isbn);
                free(isbn);
            }
        } else if (vp_xml_is(e, "type")) {
            rc = vp_fields_add(fields, "_categories", t);
            if (!format)
                format = format_hint(t);
        } else if (vp_xml_is(e, "format")) {
            if (!format)
                format = format_hint(t);
        }
        free(t);
        if (rc != 0)
            goto oom;
    }
    if (!json_object_get(fields, "title")) {
        vp_error_set(why, VP_ERR_INVALID, NULL, "metadata: no dc:title");
        goto fail;
    }
    if (desc.data && vp_fields_set_text(fields, "description", desc.data) != 0)
        goto oom;
    if (format && vp_fields_set(fields, "_format", format) != 0)
        goto oom;
    vp_buf_free(&desc);
    return fields;

oom:
    vp_error_set(why, VP_ERR_NOMEM, NULL, "out of memory");
fail:
    vp_buf_free(&desc);
    json_decref(fields);
    return NULL;
}

/* ---- ListRecords / GetRecord ----------------------------------------- */

void vp_oai_page_clear(vp_oai_page *p)
{
    if (!p)
        return;
    free(p->response_date);
    free(p->token);
    free(p->error_code);
    free(p->error_message);
    vp_error_clear(&p->broken);
    memset(p, 0, sizeof *p);
    p->complete_list_size = -1;
}

/* The first element child of `node`, whatever its name. */
static xmlNodePtr first_element(xmlNodePtr node)
{
    for (xmlNodePtr c = node ? node->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return NULL;
}

/* The fields of one record's <metadata>, or NULL with *why. */
static json_t *metadata_fields(xmlNodePtr metadata, vp_error *why)
{
    xmlNodePtr m = first_element(metadata);
    if (!m) {
        vp_error_set(why, VP_ERR_INVALID, NULL, "metadata is empty");
        return NULL;
    }
    if (vp_xml_is(m, "dc"))
        return dc_fields(m, why);
    if (vp_xml_is(m, "collection"))
        m = vp_xml_child(m, "record");
    if (m && vp_xml_is(m, "record")) {
        json_t *fields = NULL;
        vp_marc_fields(m, &fields, why);
        return fields;
    }
    vp_error_set(why, VP_ERR_INVALID, NULL, "metadata format <%.60s> is neither oai_dc nor MARCXML",
                 m ? (const char *)m->name : "collection");
    return NULL;
}

/* What one <record> element turned into. */
enum outcome { EMITTED, DELETED, REJECTED, NOMEM };

/* Handles one <record>; *stop is set when the emit asked to stop. */
static enum outcome one_record(xmlNodePtr rec, size_t n, const vp_emit *emit, int *stop)
{
    char where[256];
    char *id = NULL, *status = NULL, *date = NULL;
    vp_error why = VP_ERROR_INIT;
    json_t *fields = NULL;
    enum outcome r = REJECTED;

    xmlNodePtr header = vp_xml_child(rec, "header");
    xmlNodePtr idn = vp_xml_child(header, "identifier");
    snprintf(where, sizeof where, "record %zu (line %ld)", n, xmlGetLineNo(rec));
    if (!header) {
        emit->reject(emit->ctx, where, "no header");
        return REJECTED;
    }
    if (idn) {
        id = text_of(idn);
        if (!id)
            return NOMEM;
    }
    if (!id || !*id) {
        status = vp_xml_attr(header, "status");
        emit->reject(emit->ctx, where,
                     status && strcmp(vp_str_trim(status), "deleted") == 0
                         ? "deleted header without identifier"
                         : "header without identifier");
        goto done;
    }
    snprintf(where, sizeof where, "record %.200s", id);
    status = vp_xml_attr(header, "status");
    if (!status && xmlHasProp(header, (const xmlChar *)"status")) {
        /* out of memory: a deletion taken for a record without metadata
         * would be rejected, and the record never removed */
        r = NOMEM;
        goto done;
    }
    if (status && strcmp(vp_str_trim(status), "deleted") == 0) {
        *stop = emit->deleted(emit->ctx, id, where) != 0;
        r = DELETED;
        goto done;
    }
    xmlNodePtr metadata = vp_xml_child(rec, "metadata");
    if (!metadata) {
        emit->reject(emit->ctx, where, "no metadata");
        goto done;
    }
    xmlNodePtr marc = first_element(metadata);
    if (marc && vp_xml_is(marc, "collection"))
        marc = vp_xml_child(marc, "record");
    if (marc && vp_xml_is(marc, "record") && vp_marc_is_holdings(marc)) {
        /* where the title of record 004 stands: the harvester adds it to
         * that record, now or when it arrives */
        char *bib = vp_marc_control(marc, "004");
        json_t *holdings = bib && *bib ? vp_marc_holdings(marc) : NULL;
        if (bib && *bib && !holdings) {
            free(bib);
            r = NOMEM;
            goto done;
        }
        if (!bib || !*bib)
            emit->reject(emit->ctx, where, "holdings record without 004 (the record it belongs to)");
        else if (emit->holding) {
            *stop = emit->holding(emit->ctx, bib, holdings, where) != 0;
            r = EMITTED;
        } else {
            json_decref(holdings);
            emit->reject(emit->ctx, where, "a holdings record, and this harvest takes no holdings");
        }
        free(bib);
        goto done;
    }
    fields = metadata_fields(metadata, &why);
    if (!fields) {
        if (why.status == VP_ERR_NOMEM || !why.message) {
            r = NOMEM;
            goto done;
        }
        emit->reject(emit->ctx, where, why.message);
        goto done;
    }
    xmlNodePtr dsn = vp_xml_child(header, "datestamp");
    if (dsn) {
        date = text_of(dsn);
        if (!date) {
            r = NOMEM;
            goto done;
        }
        char ds[21], full[32];
        int kind = datestamp(date, ds);
        if (kind) {
            snprintf(full, sizeof full, kind == 1 ? "%sT00:00:00Z" : "%s", ds);
            if (vp_fields_set(fields, "updated", full) != 0) {
                r = NOMEM;
                goto done;
            }
        }
    }
    *stop = emit->record(emit->ctx, id, fields, where) != 0;
    r = EMITTED;
    fields = NULL; /* stolen */
done:
    json_decref(fields);
    free(id);
    free(status);
    free(date);
    vp_error_clear(&why);
    return r;
}

vp_status vp_oai_parse_page(const char *body, size_t len, const vp_emit *emit, vp_oai_page *page,
                            vp_error *err)
{
    memset(page, 0, sizeof *page);
    page->complete_list_size = -1;
    xmlDocPtr doc = NULL;
    vp_status st = vp_xml_read_partial(body, len, NULL, &doc, &page->broken, err);
    if (st != VP_OK)
        return st;
    st = VP_ERR_INVALID;
    xmlNodePtr root = oai_root(doc, err);
    if (!root)
        goto fail;
    xmlNodePtr rd = vp_xml_child(root, "responseDate");
    if (rd) {
        page->response_date = text_of(rd);
        if (!page->response_date)
            goto oom;
    }
    xmlNodePtr oai_error = vp_xml_child(root, "error");
    if (oai_error) {
        page->error_code = vp_xml_attr(oai_error, "code");
        page->error_message = text_of(oai_error);
        if (!page->error_message)
            goto oom;
        collapse(page->error_message);
        if (!page->error_code) {
            page->error_code = strdup("");
            if (!page->error_code)
                goto oom;
        }
        vp_str_trim(page->error_code);
        xmlFreeDoc(doc);
        return VP_OK;
    }
    xmlNodePtr list = vp_xml_child(root, "ListRecords");
    if (!list)
        list = vp_xml_child(root, "GetRecord");
    if (!list) {
        xmlNodePtr first = first_element(root);
        while (first && (vp_xml_is(first, "responseDate") || vp_xml_is(first, "request")))
            first = vp_xml_next(first, NULL);
        line_msg(err, first ? first : root, "not a ListRecords or GetRecord response: ",
                 first ? (const char *)first->name : "no verb element");
        goto fail;
    }
    size_t n = 0;
    for (xmlNodePtr rec = vp_xml_child(list, "record"); rec; rec = vp_xml_next(rec, "record")) {
        if (page->broken.status != VP_OK && !vp_xml_complete(rec))
            break; /* the record the page broke off in, and all after it */
        int stop = 0;
        enum outcome o = one_record(rec, ++n, emit, &stop);
        if (o == NOMEM)
            goto oom;
        if (o == EMITTED)
            page->records++;
        else if (o == DELETED)
            page->deleted++;
        else
            page->rejected++;
        if (stop)
            break; /* the caller knows why; the token is still read */
    }
    /* a broken page's token is not to be trusted: the page is redone */
    xmlNodePtr tok = page->broken.status != VP_OK ? NULL : vp_xml_child(list, "resumptionToken");
    if (tok) {
        char *size = vp_xml_attr(tok, "completeListSize");
        if (size) {
            char *end;
            errno = 0;
            long v = strtol(vp_str_trim(size), &end, 10);
            if (*size && !*end && errno == 0 && v >= 0)
                page->complete_list_size = v;
            free(size);
        }
        page->token = text_of(tok);
        if (!page->token)
            goto oom;
        if (!*page->token) {
            free(page->token);
            page->token = NULL;
        }
    }
    xmlFreeDoc(doc);
    return VP_OK;

oom:
    st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
fail:
    xmlFreeDoc(doc);
    return st;
}
