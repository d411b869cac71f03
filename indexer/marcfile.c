/* marcfile.c - MARC files: ISO 2709 through YAZ, or MARCXML (marc.h).
 *
 * Both forms become the same thing: one MARCXML <record> node per record,
 * mapped by vp_marc_fields() (marc.c), so binary MARC and MARCXML give the
 * same offering for the same record. ISO 2709 records are read by YAZ's
 * yaz_marc (the library catalogues' own reader): it takes damaged leaders
 * the way YAZ does, converts MARC-8 (and any charset yaz_iconv knows) to
 * UTF-8, and writes the record as a libxml2 node, so nothing is turned
 * into text and parsed again. Where a record ends is found here: by its
 * leader's length when that ends on a record terminator, else at the next
 * terminator (records whose length lies, records over 99,999 bytes).
 *
 * Holdings: a file is read twice. The first pass collects the holdings
 * records (leader/06 x, y, v, u) by the control number of their
 * bibliographic record (004); the second emits the bibliographic records
 * with those holdings attached, so the order of the file does not
 * matter. Holdings left over belong to records the file does not hold. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "vindplaats/marc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaz/marcdisp.h>
#include <yaz/yaz-iconv.h>

#include "vindplaats/xml.h"

/* The most bytes of one ISO 2709 record read (a leader can say at most
 * 99,999; exports of long records write more and a wrong length). */
#define MAX_RECORD (1024u * 1024)

#define RT 0x1D  /* record terminator */
#define ESC 0x1B /* MARC-8 escape */

typedef struct file {
    const vp_emit *emit;
    const vp_marc_options *opt;
    /* ISO 2709 */
    const char *data;
    size_t len;
    yaz_marc_t mt;
    yaz_iconv_t cd_marc8, cd_forced;
    char *copy; /* one record with its length corrected */
    /* MARCXML */
    xmlDocPtr doc;
    xmlNodePtr first;
    int single;
    vp_error broken;
    /* holdings by the 001 of their bibliographic record:
     * {"001": {"where": "...", "holdings": [...]}} */
    json_t *waiting;
    int nomem;
} file;

/* ---- ISO 2709 ----------------------------------------------------------- */

/* 1 when [p, end) is valid UTF-8 with at least one multi-byte character
 * and no MARC-8 escape. */
static int looks_utf8(const unsigned char *p, const unsigned char *end)
{
    int multi = 0;
    while (p < end) {
        if (*p == ESC)
            return 0;
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t n = (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (!n || (size_t)(end - p) < n || *p < 0xC2)
            return 0;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        multi = 1;
        p += n;
    }
    return multi;
}

/* The end of the record starting at `start` (one past its last byte);
 * sets *why when the record is cut off. */
static size_t record_end(const file *f, size_t start, const char **why)
{
    const char *d = f->data;
    size_t avail = f->len - start;
    int declared = 0;
    *why = NULL;
    if (avail >= 5 && !atoi_n_check(d + start, 5, &declared))
        declared = 0;
    if (declared >= 25 && (size_t)declared <= avail && d[start + (size_t)declared - 1] == RT)
        return start + (size_t)declared;
    size_t scan = avail < MAX_RECORD ? avail : MAX_RECORD;
    const char *rt = memchr(d + start, RT, scan);
    if (rt)
        return (size_t)(rt - d) + 1;
    if (declared >= 25 && (size_t)declared <= avail)
        return start + (size_t)declared;
    *why = avail > MAX_RECORD ? "longer than 1 MB without a record terminator"
                              : "the file ends inside the record (no record terminator)";
    return start + scan;
}

/* Decodes [start, end) with YAZ into a MARCXML <record> node (free with
 * xmlFreeNode), or NULL with *why. */
static xmlNodePtr decode_iso(file *f, size_t start, size_t end, const char **why)
{
    size_t n = end - start;
    if (n < 25) {
        *why = "too short for a leader";
        return NULL;
    }
    char *copy = realloc(f->copy, n + 1);
    if (!copy) {
        f->nomem = 1;
        *why = "out of memory";
        return NULL;
    }
    f->copy = copy;
    memcpy(copy, f->data + start, n);
    copy[n] = '\0';
    /* the length YAZ goes by is the record's real one */
    char len5[6];
    snprintf(len5, sizeof len5, "%05zu", n > 99999 ? (size_t)99999 : n);
    memcpy(copy, len5, 5);
    yaz_iconv_t cd = f->cd_forced;
    if (!cd) {
        char l9 = copy[9];
        if (l9 != 'a' && !looks_utf8((const unsigned char *)copy + 24, (const unsigned char *)copy + n))
            cd = f->cd_marc8;
    }
    yaz_marc_iconv(f->mt, cd);
    if (yaz_marc_read_iso2709(f->mt, copy, (int)(n > 99999 ? 99999 : n)) <= 0) {
        *why = "not an ISO 2709 record YAZ can read (damaged leader or directory)";
        return NULL;
    }
    /* what is written is UTF-8 now */
    yaz_marc_modify_leader(f->mt, 9, "a");
    xmlNodePtr node = NULL;
    if (yaz_marc_write_xml(f->mt, &node, "http://www.loc.gov/MARC21/slim", NULL, NULL) != 0 || !node) {
        *why = "YAZ could not convert the record";
        return NULL;
    }
    return node;
}

/* ---- records of either form --------------------------------------------- */

typedef struct cursor {
    size_t pos, n;    /* ISO 2709: next byte; records seen */
    xmlNodePtr next;  /* MARCXML: next <record> */
} cursor;

/* A cursor at the file's first record (each pass reads the file anew). */
static cursor first_record(const file *f)
{
    cursor c = {0, 0, f->doc ? f->first : NULL};
    return c;
}

typedef struct one {
    xmlNodePtr rec;   /* NULL: damaged (see why) */
    int owned;        /* rec is ours to free (ISO 2709) */
    int holdings;
    const char *why;
    char where[160];
    size_t n;
} one;

/* The next record; 0 at the end. In the first pass (`holdings_only`)
 * ISO 2709 records that are not holdings are skipped undecoded. */
static int next_record(file *f, cursor *c, one *r, int holdings_only)
{
    memset(r, 0, sizeof *r);
    if (f->doc) {
        while (c->next) {
            xmlNodePtr rec = c->next;
            c->next = f->single ? NULL : vp_xml_next(rec, "record");
            c->n++;
            if (f->broken.status != VP_OK && !vp_xml_complete(rec)) {
                c->next = NULL;
                return 0; /* the record the file broke off in */
            }
            r->holdings = vp_marc_is_holdings(rec);
            if (holdings_only && !r->holdings)
                continue;
            r->rec = rec;
            r->n = c->n;
            snprintf(r->where, sizeof r->where, "record %zu (line %ld)", c->n, xmlGetLineNo(rec));
            return 1;
        }
        return 0;
    }
    for (;;) {
        while (c->pos < f->len && strchr("\r\n \t\x1a", f->data[c->pos]) && f->data[c->pos])
            c->pos++;
        while (c->pos < f->len && f->data[c->pos] == '\0')
            c->pos++;
        if (c->pos >= f->len)
            return 0;
        size_t start = c->pos;
        const char *cut = NULL;
        size_t end = record_end(f, start, &cut);
        c->pos = end;
        c->n++;
        r->n = c->n;
        snprintf(r->where, sizeof r->where, "record %zu (byte %zu)", c->n, start);
        r->holdings = end - start > 6 && strchr("xyvu", f->data[start + 6]) && f->data[start + 6];
        if (holdings_only && !r->holdings)
            continue;
        if (cut) {
            r->why = cut;
            return 1;
        }
        r->rec = decode_iso(f, start, end, &r->why);
        r->owned = r->rec != NULL;
        if (f->nomem)
            return 0;
        return 1;
    }
}

static void done_record(one *r)
{
    if (r->owned)
        xmlFreeNode(r->rec);
    r->rec = NULL;
}

/* "record 3 (byte 2210, 001 ocm123)" */
static void where_with_id(one *r, const char *id)
{
    size_t n = strlen(r->where);
    if (id && *id && n > 1 && r->where[n - 1] == ')')
        snprintf(r->where + n - 1, sizeof r->where - n + 1, ", 001 %.60s)", id);
}

/* ---- the two passes --------------------------------------------------- */

static void collect_holdings(file *f)
{
    cursor c = first_record(f);
    one r;
    while (!f->nomem && next_record(f, &c, &r, 1)) {
        if (!r.rec)
            continue; /* damaged: reported in the second pass */
        char *bib = vp_marc_control(r.rec, "004");
        char *id = vp_marc_control(r.rec, "001");
        where_with_id(&r, id);
        if (!bib || !*bib) {
            f->emit->reject(f->emit->ctx, r.where, "holdings record without 004 (the record it belongs to)");
        } else {
            json_t *h = vp_marc_holdings(r.rec);
            json_t *entry = json_object_get(f->waiting, bib);
            if (!entry) {
                entry = json_pack("{s:s, s:[]}", "where", r.where, "holdings");
                if (!entry || json_object_set_new(f->waiting, bib, entry) != 0)
                    f->nomem = 1;
            }
            if (!h || json_array_extend(json_object_get(entry, "holdings"), h) != 0)
                f->nomem = 1;
            json_decref(h);
        }
        free(bib);
        free(id);
        done_record(&r);
    }
}

/* Emits the bibliographic records; returns non-zero when asked to stop. */
static int emit_records(file *f)
{
    cursor c = first_record(f);
    one r;
    while (!f->nomem && next_record(f, &c, &r, 0)) {
        if (!r.rec) {
            char msg[200];
            snprintf(msg, sizeof msg, "%s; skipped to the next record", r.why ? r.why : "damaged");
            f->emit->reject(f->emit->ctx, r.where, msg);
            continue;
        }
        if (r.holdings) {
            done_record(&r); /* taken in the first pass */
            continue;
        }
        char *id = vp_marc_control(r.rec, "001");
        where_with_id(&r, id);
        vp_error why = VP_ERROR_INIT;
        json_t *fields = NULL;
        vp_status st = vp_marc_fields(r.rec, &fields, &why);
        done_record(&r);
        if (st != VP_OK) {
            if (st == VP_ERR_NOMEM || !why.message)
                f->nomem = 1;
            else
                f->emit->reject(f->emit->ctx, r.where, why.message);
            vp_error_clear(&why);
            free(id);
            continue;
        }
        json_t *entry = id && *id ? json_object_get(f->waiting, id) : NULL;
        if (entry) {
            json_t *list = json_object_get(fields, "holdings");
            if (!list) {
                list = json_array();
                if (!list || json_object_set_new(fields, "holdings", list) != 0)
                    f->nomem = 1;
            }
            if (list && json_array_extend(list, json_object_get(entry, "holdings")) != 0)
                f->nomem = 1;
            json_object_del(f->waiting, id);
        }
        char local[32];
        snprintf(local, sizeof local, "record %zu", r.n);
        int stop = f->nomem ? 1 : f->emit->record(f->emit->ctx, id && *id ? id : local, fields, r.where);
        if (f->nomem)
            json_decref(fields);
        free(id);
        if (stop)
            return 1;
    }
    return 0;
}

/* Holdings whose bibliographic record was not in the file. */
static void leftover_holdings(file *f)
{
    const char *bib;
    json_t *entry;
    json_object_foreach(f->waiting, bib, entry) {
        const char *where = json_string_value(json_object_get(entry, "where"));
        json_t *h = json_object_get(entry, "holdings");
        if (f->emit->holding) {
            json_incref(h);
            if (f->emit->holding(f->emit->ctx, bib, h, where))
                break;
        } else {
            char msg[200];
            snprintf(msg, sizeof msg, "holdings of record %.100s, which this file does not hold", bib);
            f->emit->reject(f->emit->ctx, where, msg);
        }
    }
}

static vp_status open_xml(file *f, const char *data, size_t len, vp_error *err)
{
    vp_status st = vp_xml_read_partial(data, len, NULL, &f->doc, &f->broken, err);
    if (st != VP_OK)
        return st;
    xmlNodePtr root = xmlDocGetRootElement(f->doc);
    if (vp_xml_is(root, "collection")) {
        f->first = vp_xml_child(root, "record");
    } else if (vp_xml_is(root, "record")) {
        f->first = root;
        f->single = 1;
    } else {
        return vp_xml_fail(err, VP_ERR_INVALID, xmlGetLineNo(root), 1,
                           "not MARCXML (root element <%.60s>)", (const char *)root->name);
    }
    return VP_OK;
}

static vp_status open_iso(file *f, const char *data, size_t len, vp_error *err)
{
    f->data = data;
    f->len = len;
    f->mt = yaz_marc_create();
    if (!f->mt)
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    yaz_marc_xml(f->mt, YAZ_MARC_MARCXML);
    f->cd_marc8 = yaz_iconv_open("utf-8", "marc8");
    const char *enc = f->opt ? f->opt->encoding : NULL;
    if (enc && *enc && strcmp(enc, "auto") != 0) {
        f->cd_forced = yaz_iconv_open("utf-8", enc);
        if (!f->cd_forced)
            return vp_error_set(err, VP_ERR_INVALID, NULL, "unknown MARC encoding \"%.60s\"", enc);
    }
    if (!f->cd_marc8)
        return vp_error_set(err, VP_ERR_INTERNAL, NULL, "YAZ cannot convert MARC-8");
    return VP_OK;
}

static void close_file(file *f)
{
    if (f->mt)
        yaz_marc_destroy(f->mt);
    if (f->cd_marc8)
        yaz_iconv_close(f->cd_marc8);
    if (f->cd_forced)
        yaz_iconv_close(f->cd_forced);
    free(f->copy);
    if (f->doc)
        xmlFreeDoc(f->doc);
    vp_error_clear(&f->broken);
    json_decref(f->waiting);
}

static vp_status read_file(const char *data, size_t len, const vp_marc_options *opt,
                           const vp_emit *emit, int want_xml, vp_error *err)
{
    file f;
    memset(&f, 0, sizeof f);
    f.emit = emit;
    f.opt = opt;
    size_t skip = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        skip = 3;
    while (skip < len && strchr(" \t\r\n", data[skip]) && data[skip])
        skip++;
    vp_status st;
    if (len > VP_XML_MAX_BYTES)
        return vp_error_set(err, VP_ERR_TOO_BIG, NULL, "file larger than the limit (64 MB)");
    if (want_xml || (skip < len && data[skip] == '<')) {
        st = open_xml(&f, data, len, err);
    } else if (len - skip >= 24 && atoi_n_check(data + skip, 5, &(int){0})) {
        st = open_iso(&f, data + skip, len - skip, err);
    } else {
        vp_where at = {NULL, 0, "byte 0", NULL};
        return vp_error_set(err, VP_ERR_INVALID, &at,
                            "neither ISO 2709 (a leader starting with the record length) nor MARCXML");
    }
    f.waiting = json_object();
    if (st == VP_OK && !f.waiting)
        st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    if (st == VP_OK) {
        collect_holdings(&f);
        int stop = f.nomem ? 1 : emit_records(&f);
        if (!stop && !f.nomem)
            leftover_holdings(&f);
        if (f.nomem) {
            st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
        } else if (f.broken.status != VP_OK && !stop) {
            vp_emit_broken(emit, &f.broken);
        }
    }
    close_file(&f);
    return st;
}

vp_status vp_marc_parse(const char *data, size_t len, const vp_marc_options *opt,
                        const vp_emit *emit, vp_error *err)
{
    return read_file(data, len, opt, emit, 0, err);
}

vp_status vp_marcxml_parse(const char *body, size_t len, const vp_emit *emit, vp_error *err)
{
    return read_file(body, len, NULL, emit, 1, err);
}
