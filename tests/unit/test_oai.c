/* test_oai.c - the OAI-PMH connector's parsers (oai.h) and the MARCXML
 * mapping (marc.h), on captured real responses.
 *
 * Usage: test_oai REALDATA_DIR
 *
 * Every file read here is a byte-exact copy under tests/data/realdata
 * (see its PROVENANCE.md): sickle's ListRecords chain and error files,
 * pyoai's Erasmus University responses, meresco-harvester's TU Delft
 * responses (values and tokens wrapped in line breaks), vufindharvest's
 * MARC21 ListRecords page, pymarc's and YAZ's MARCXML files. Each test
 * asserts concrete fields of concrete records, the counts, the tokens and
 * the error codes, and that broken input is reported with a position and
 * never crashes.
 *
 * Built a second time as test_oai_harvest with -DVP_TEST_HARVEST_LOOP: the
 * protocol loop (oai_harvest.c) then also runs against a fake run (the
 * harvest.h functions defined below) that serves the real files for the
 * exact URLs the loop must ask for, and the checkpoints it writes are
 * checked: resuming from a token, restarting after badResumptionToken,
 * a repeated token, incremental `from`, --full, and every failure. */
/* strdup, strncasecmp: the build defines this too (CMakeLists.txt) */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vindplaats/marc.h"
#include "vindplaats/oai.h"
#include "vindplaats/connector.h"
#include "vindplaats/status.h"

#ifdef VP_TEST_HARVEST_LOOP
#include "vindplaats/harvest.h"
#endif

static const char *realdata;

/* ---- files ------------------------------------------------------------ */

/* The file realdata/rel, malloc()ed and NUL-terminated; aborts when it
 * cannot be read (the test data is part of the tree). */
static char *load(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", realdata, rel);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    for (;;) {
        if (!s)
            abort();
        size_t got = fread(s + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        cap *= 2;
        s = realloc(s, cap);
    }
    fclose(f);
    s[n] = '\0';
    *len = n;
    return s;
}

/* ---- a collecting emit ------------------------------------------------ */

#define MAX_COLLECT 512

typedef struct rec {
    char *id, *where;
    json_t *f;
} rec;

typedef struct coll {
    rec recs[MAX_COLLECT];
    size_t n;
    char *deleted[MAX_COLLECT];
    size_t nd;
    char *rej_where[MAX_COLLECT], *rej_msg[MAX_COLLECT];
    size_t nr;
    size_t stop_after; /* 0: never ask to stop */
} coll;

static int c_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
    coll *c = ctx;
    if (c->n == MAX_COLLECT || !local_id || !*local_id || !json_is_object(fields))
        abort();
    c->recs[c->n].id = strdup(local_id);
    c->recs[c->n].where = strdup(where);
    c->recs[c->n].f = fields;
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static int c_deleted(void *ctx, const char *local_id, const char *where)
{
    coll *c = ctx;
    (void)where;
    if (c->nd == MAX_COLLECT || !local_id || !*local_id)
        abort();
    c->deleted[c->nd++] = strdup(local_id);
    return 0;
}

static void c_reject(void *ctx, const char *where, const char *message)
{
    coll *c = ctx;
    if (c->nr == MAX_COLLECT)
        abort();
    c->rej_where[c->nr] = strdup(where);
    c->rej_msg[c->nr] = strdup(message);
    c->nr++;
}

static coll *coll_new(void)
{
    coll *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    return c;
}

static void coll_free(coll *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->recs[i].id);
        free(c->recs[i].where);
        json_decref(c->recs[i].f);
    }
    for (size_t i = 0; i < c->nd; i++)
        free(c->deleted[i]);
    for (size_t i = 0; i < c->nr; i++) {
        free(c->rej_where[i]);
        free(c->rej_msg[i]);
    }
    free(c);
}

static vp_emit emit_of(coll *c)
{
    vp_emit e = {c, c_record, c_deleted, c_reject};
    return e;
}

static const rec *find(const coll *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->recs[i].id, id) == 0)
            return &c->recs[i];
    return NULL;
}

/* A string field, or NULL when absent (or the record is NULL). */
static const char *fstr(const rec *r, const char *key)
{
    return r ? json_string_value(json_object_get(r->f, key)) : NULL;
}

/* Entry i of a list field, or NULL. */
static const char *fitem(const rec *r, const char *key, size_t i)
{
    return r ? json_string_value(json_array_get(json_object_get(r->f, key), i)) : NULL;
}

static size_t fcount(const rec *r, const char *key)
{
    return r ? json_array_size(json_object_get(r->f, key)) : 0;
}

/* The one text form of *e when `st` failed, malloc()ed (NULL on VP_OK),
 * for the checks that read a message; *e is cleared. */
static char *text_of(vp_error *e, vp_status st)
{
    char *t = st != VP_OK ? vp_error_text(e) : NULL;
    vp_error_clear(e);
    return t;
}

static vp_status parse_page_text(const char *body, size_t len, const vp_emit *emit,
                                 vp_oai_page *page, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_oai_parse_page(body, len, emit, page, &e);
    *msg = text_of(&e, st);
    return st;
}

static vp_status parse_identify_text(const char *body, size_t len, vp_oai_identify *id, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_oai_parse_identify(body, len, id, &e);
    *msg = text_of(&e, st);
    return st;
}

/* Parses realdata/rel as a page into a new collection; *st and page set. */
static coll *page_of(const char *rel, vp_oai_page *page, vp_status *st, char **msg)
{
    size_t len;
    char *body = load(rel, &len);
    coll *c = coll_new();
    vp_emit e = emit_of(c);
    *st = parse_page_text(body, len, &e, page, msg);
    free(body);
    return c;
}

static coll *marc_of(const char *rel, vp_status *st, char **msg)
{
    size_t len;
    char *body = load(rel, &len);
    coll *c = coll_new();
    vp_emit e = emit_of(c);
    vp_error err = VP_ERROR_INIT;
    *st = vp_marcxml_parse(body, len, &e, &err);
    *msg = text_of(&err, *st);
    free(body);
    return c;
}

/* ---- sickle ----------------------------------------------------------- */

static void test_sickle_chain(void)
{
    static const char *const files[] = {"ListRecords.xml", "ListRecords2.xml", "ListRecords3.xml",
                                        "ListRecords4.xml"};
    static const char *const next[] = {"ListRecords2.xml", "ListRecords3.xml", "ListRecords4.xml",
                                       NULL};
    for (size_t i = 0; i < 4; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "oai-pmh/sickle/%s", files[i]);
        vp_oai_page page;
        vp_status st;
        char *msg;
        coll *c = page_of(rel, &page, &st, &msg);
        CHECK(st == VP_OK);
        CHECK(msg == NULL);
        CHECK_STR(page.response_date, "2013-02-27T09:10:56Z");
        CHECK(page.error_code == NULL);
        if (next[i]) {
            CHECK_STR(page.token, next[i]);
            CHECK(page.complete_list_size == 8);
            CHECK(page.deleted == 1 && c->nd == 1);
            CHECK_STR(c->nd ? c->deleted[0] : NULL, "oai:test.example.com:1585310");
            CHECK(page.rejected == 0 && c->nr == 0);
        } else {
            /* the last page: no token; its deleted header lacks both
             * identifier and datestamp, so it is rejected with its place */
            CHECK(page.token == NULL);
            CHECK(page.complete_list_size == -1);
            CHECK(page.deleted == 0 && c->nd == 0);
            CHECK(page.rejected == 1 && c->nr == 1);
            CHECK_STR(c->nr ? c->rej_where[0] : NULL, "record 1 (line 7)");
            CHECK_STR(c->nr ? c->rej_msg[0] : NULL, "deleted header without identifier");
        }
        CHECK(page.records == 1 && c->n == 1);
        const rec *r = find(c, "oai:test.example.com:1585322");
        CHECK(r != NULL);
        CHECK_STR(fstr(r, "title"), "Sample Title");
        /* four identical dc:creator elements are one creator */
        CHECK(fcount(r, "creators") == 1);
        CHECK_STR(fitem(r, "creators", 0), "John Doe");
        CHECK_STR(fstr(r, "language"), "en");
        CHECK_STR(fstr(r, "url"), "http://test.example.com/publication/1585322");
        CHECK_STR(fstr(r, "updated"), "2011-01-10T10:19:23Z");
        CHECK(fcount(r, "_categories") == 3);
        CHECK_STR(fitem(r, "_categories", 2), "text");
        CHECK(strncmp(fstr(r, "description") ? fstr(r, "description") : "", "Lorem ipsum dolor sit amet",
                      26) == 0);
        CHECK(json_object_get(r ? r->f : NULL, "type") == NULL);
        CHECK(json_object_get(r ? r->f : NULL, "isbn") == NULL);
        CHECK_STR(r ? r->where : NULL, "record oai:test.example.com:1585322");
        vp_oai_page_clear(&page);
        coll_free(c);
    }
}

/* A real page cut off in the middle keeps the complete records before the
 * cut, says where it broke, and gives no token. */
static void test_truncated_page(void)
{
    size_t len;
    char *body = load("oai-pmh/pyoai-erasmus-eur-nl/fake2/00002.xml", &len);
    coll *whole = coll_new();
    vp_emit e = emit_of(whole);
    vp_oai_page page;
    char *msg = NULL;
    CHECK(parse_page_text(body, len, &e, &page, &msg) == VP_OK);
    CHECK(page.broken.status == VP_OK);
    size_t all = page.records + page.deleted + page.rejected;
    vp_oai_page_clear(&page);
    const char *p = body;
    for (int i = 0; i < 40; i++)
        p = strstr(p + 1, "<record>");
    size_t cut = (size_t)(p - body) + 100;
    coll *c = coll_new();
    e = emit_of(c);
    CHECK(parse_page_text(body, cut, &e, &page, &msg) == VP_OK);
    CHECK(msg == NULL);
    CHECK(page.records + page.deleted + page.rejected == 39);
    CHECK(all == 81);
    /* where it broke, as a field */
    CHECK(page.broken.status == VP_ERR_INVALID && page.broken.path &&
          strncmp(page.broken.path, "line ", 5) == 0 && strstr(page.broken.path, ", column "));
    CHECK(page.broken.message != NULL);
    CHECK(page.token == NULL);
    /* the same records as the whole page gave */
    CHECK(c->n == 39 - page.deleted - page.rejected);
    for (size_t i = 0; i < c->n && i < whole->n; i++)
        CHECK(strcmp(c->recs[i].id, whole->recs[i].id) == 0 && json_equal(c->recs[i].f, whole->recs[i].f));
    vp_oai_page_clear(&page);
    coll_free(c);
    coll_free(whole);
    free(body);
}

static int holding_seen(void *ctx, const char *local_id, json_t *holdings, const char *where)
{
    json_t *seen = ((coll *)ctx)->recs[MAX_COLLECT - 1].f;
    (void)where;
    json_object_set_new(seen, local_id, holdings);
    return 0;
}

/* A MARC holdings record in an OAI-PMH page goes to the harvester as the
 * holdings of the record its 004 names. */
static void test_holdings_record(void)
{
    static const char page_xml[] =
        "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\"><responseDate>2026-12-01T00:00:00Z</responseDate>"
        "<ListRecords><record><header><identifier>oai:cat:h1</identifier><datestamp>2026-12-01</datestamp></header>"
        "<metadata><marc:record xmlns:marc=\"http://www.loc.gov/MARC21/slim\">"
        "<marc:leader>00000nx  a2200000un 4500</marc:leader>"
        "<marc:controlfield tag=\"001\">h1</marc:controlfield><marc:controlfield tag=\"004\">oai:cat:b7</marc:controlfield>"
        "<marc:datafield tag=\"852\" ind1=\" \" ind2=\" \"><marc:subfield code=\"b\">Bibliotheek Neude</marc:subfield>"
        "<marc:subfield code=\"h\">REVE</marc:subfield></marc:datafield></marc:record></metadata></record>"
        "</ListRecords></OAI-PMH>";
    coll *c = coll_new();
    c->recs[MAX_COLLECT - 1].f = json_object();
    vp_emit e = emit_of(c);
    e.holding = holding_seen;
    vp_oai_page page;
    char *msg = NULL;
    CHECK(parse_page_text(page_xml, sizeof page_xml - 1, &e, &page, &msg) == VP_OK);
    json_t *h = json_object_get(c->recs[MAX_COLLECT - 1].f, "oai:cat:b7");
    CHECK(json_array_size(h) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(h, 0), "call_number")), "REVE");
    CHECK(c->n == 0 && c->nr == 0);
    vp_oai_page_clear(&page);
    /* without a holding() the record is rejected, not taken for a title */
    e.holding = NULL;
    CHECK(parse_page_text(page_xml, sizeof page_xml - 1, &e, &page, &msg) == VP_OK);
    CHECK(c->nr == 1);
    CHECK_CONTAINS(c->nr ? c->rej_msg[0] : "", "holdings record");
    vp_oai_page_clear(&page);
    json_decref(c->recs[MAX_COLLECT - 1].f);
    c->recs[MAX_COLLECT - 1].f = NULL;
    coll_free(c);
}

static void test_sickle_broken_and_errors(void)
{
    vp_oai_page page;
    vp_status st;
    char *msg;
    coll *c = page_of("oai-pmh/sickle/ListRecordsBroken.xml", &page, &st, &msg);
    CHECK(st == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "line 1, column 1:");
    CHECK(c->n == 0 && c->nd == 0);
    free(msg);
    vp_oai_page_clear(&page);
    coll_free(c);

    static const struct {
        const char *file, *code, *message;
    } errors[] = {
        {"oai-pmh/sickle/badArgument.xml", "badArgument", ""},
        {"oai-pmh/sickle/badResumptionToken.xml", "badResumptionToken", "This resumptionToken is invalid"},
        {"oai-pmh/sickle/cannotDisseminateFormat.xml", "cannotDisseminateFormat", ""},
        {"oai-pmh/sickle/idDoesNotExist.xml", "idDoesNotExist",
         "oai:lcoa1.loc.gov:loc.rbc/rbpe.00000111 has the structure of a valid LOC identifier, "
         "but it maps to no known item"},
        {"oai-pmh/sickle/noRecordsMatch.xml", "noRecordsMatch", ""},
        {"oai-pmh/sickle/noSetHierarchy.xml", "noSetHierarchy",
         "This repository does not support sets"},
        {"oai-pmh/sickle/undefinedError.xml", "undefinedError", ""},
        {"oai-pmh/vufindharvest/token_error_response.xml", "badResumptionToken",
         "Invalid or expired resumption token"},
        {"oai-pmh/vufindharvest/arbitrary_error_response.xml", "foo", "bar"},
        {"oai-pmh/meresco-harvester-tudelft/emptylist.xml", "noRecordsMatch",
         "The combination of the values of arguments results in an empty set"},
        {"oai-pmh/meresco-harvester-tudelft/badResumptionToken.xml", "badResumptionToken", NULL},
    };
    for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
        c = page_of(errors[i].file, &page, &st, &msg);
        CHECK(st == VP_OK);
        CHECK_STR(page.error_code, errors[i].code);
        if (errors[i].message)
            CHECK_STR(page.error_message, errors[i].message);
        CHECK(page.token == NULL);
        CHECK(page.records == 0 && c->n == 0 && c->nr == 0);
        CHECK(page.response_date != NULL);
        vp_oai_page_clear(&page);
        coll_free(c);
    }
    c = page_of("oai-pmh/sickle/badResumptionToken.xml", &page, &st, &msg);
    CHECK_STR(page.response_date, "2001-06-01T19:20:30Z");
    vp_oai_page_clear(&page);
    coll_free(c);

    /* a ListSets answer is not a page of records */
    c = page_of("oai-pmh/sickle/ListSets.xml", &page, &st, &msg);
    CHECK(st == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "not a ListRecords or GetRecord response: ListSets");
    CHECK_CONTAINS(msg, "line ");
    free(msg);
    vp_oai_page_clear(&page);
    coll_free(c);

    /* GetRecord, with a CJK creator */
    c = page_of("oai-pmh/sickle/GetRecord_utf8test.xml", &page, &st, &msg);
    CHECK(st == VP_OK && page.records == 1);
    const rec *r = find(c, "oai:test.example.com:1996652");
    CHECK_STR(fitem(r, "creators", 0), "\xe6\x9f\x90\xe4\xba\xba");
    CHECK_STR(fstr(r, "updated"), "2011-09-05T12:51:52Z");
    vp_oai_page_clear(&page);
    coll_free(c);
}

static void test_identify(void)
{
    static const struct {
        const char *file, *name, *granularity, *earliest;
    } ok[] = {
        {"oai-pmh/sickle/Identify.xml", "A Test Repository", "YYYY-MM-DD", "1970-01-01T00:00:00Z"},
        {"oai-pmh/pyoai-erasmus-eur-nl/fake1/00001.xml", "Erasmus University : Research Online",
         "YYYY-MM-DDThh:mm:ssZ", "2001-01-01T00:00:00Z"},
        {"oai-pmh/meresco-harvester-tudelft/00000.xml", "TU Delft digital repository",
         "YYYY-MM-DDThh:mm:ssZ", "2003-12-01T00:00:00Z"},
        {"oai-pmh/vufindharvest/identify_response.xml", "fake", "YYYY-MM-DDThh:mm:ssZ",
         "2000-01-01T00:00:00Z"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        size_t len;
        char *body = load(ok[i].file, &len);
        vp_oai_identify id;
        char *msg = NULL;
        CHECK(parse_identify_text(body, len, &id, &msg) == VP_OK);
        CHECK(msg == NULL);
        CHECK_STR(id.repository_name, ok[i].name);
        CHECK_STR(id.granularity, ok[i].granularity);
        CHECK_STR(id.earliest_datestamp, ok[i].earliest);
        vp_oai_identify_clear(&id);
        free(body);
    }
    static const struct {
        const char *file, *message;
    } bad[] = {
        /* earliestDatestamp "aaaa-bb-cc" */
        {"oai-pmh/pyoai-erasmus-eur-nl/fake5/00001.xml",
         "line 1: Identify: earliestDatestamp is not a UTC datestamp: aaaa-bb-cc"},
        /* the document ends inside <bogus> */
        {"oai-pmh/pyoai-erasmus-eur-nl/fake3/00001.xml", "line 1, column "},
        /* &bogus; is an undeclared entity */
        {"oai-pmh/pyoai-erasmus-eur-nl/fake4/00001.xml", "line 1, column "},
        {"oai-pmh/sickle/badArgument.xml", "line 12: OAI error badArgument"},
        {"oai-pmh/sickle/ListRecordsBroken.xml", "line 1, column 1: "},
        {"oai-pmh/sickle/ListRecords.xml", "no Identify element"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t len;
        char *body = load(bad[i].file, &len);
        vp_oai_identify id;
        char *msg = NULL;
        CHECK(parse_identify_text(body, len, &id, &msg) == VP_ERR_INVALID);
        CHECK_CONTAINS(msg, bad[i].message);
        CHECK(id.granularity == NULL && id.repository_name == NULL);
        free(msg);
        free(body);
    }
}

/* ---- pyoai: Erasmus University Rotterdam ----------------------------- */

static void test_pyoai(void)
{
    vp_oai_page page;
    vp_status st;
    char *msg;
    coll *c = page_of("oai-pmh/pyoai-erasmus-eur-nl/fake1/00005.xml", &page, &st, &msg);
    CHECK(st == VP_OK);
    CHECK(page.records == 16 && c->n == 16);
    CHECK(page.deleted == 0 && page.rejected == 0);
    CHECK(page.token == NULL);
    CHECK_STR(page.response_date, "2003-04-30T16:08:02Z");
    const rec *r = find(c, "hdl:1765/308");
    CHECK_STR(fstr(r, "title"), "Kijken in het brein: Over de mogelijkheden van neuromarketing");
    CHECK_STR(fitem(r, "creators", 0), "Smidts, A.");
    /* a bare ISBN-10 identifier with a good check digit */
    CHECK(fcount(r, "isbn") == 1);
    CHECK_STR(fitem(r, "isbn", 0), "90-5892-036-4");
    CHECK_STR(fstr(r, "url"), "http://hdl.handle.net/1765/308");
    /* dc:format application/pdf */
    CHECK_STR(fstr(r, "_format"), "ebook");
    /* dc:language "other" cannot be mapped */
    CHECK(fstr(r, "language") == NULL);
    CHECK_STR(fitem(r, "subjects", 0), "neuroimaging");
    CHECK_STR(fstr(r, "updated"), "2003-04-15T10:18:51Z");
    /* two dc:description elements, joined */
    CHECK_CONTAINS(fstr(r, "description"), "Met moderne beeldvormende technieken");
    CHECK_CONTAINS(fstr(r, "description"), "\nModern neuroimaging techniques");
    r = find(c, "hdl:1765/309");
    CHECK_STR(fitem(r, "isbn", 0), "90 - 5892 - 032 - 1");
    r = find(c, "hdl:1765/312");
    CHECK_STR(fstr(r, "language"), "nl");
    CHECK_STR(fstr(r, "title"),
              "Governance voor architecten. De overheid als bouwkundig opdrachtgever in drie historische fasen.");
    r = find(c, "hdl:1765/316");
    CHECK(fcount(r, "creators") == 3);
    CHECK_STR(fitem(r, "creators", 2), "Brito, M.P. de");
    CHECK_STR(fstr(r, "language"), "en");
    CHECK_STR(fitem(r, "_categories", 0), "Working Paper");
    vp_oai_page_clear(&page);
    coll_free(c);

    c = page_of("oai-pmh/pyoai-erasmus-eur-nl/fake2/00002.xml", &page, &st, &msg);
    CHECK(st == VP_OK);
    CHECK(page.records == 79 && c->n == 79);
    CHECK(page.deleted == 2 && c->nd == 2);
    CHECK(page.records + page.deleted == 81);
    CHECK(page.rejected == 0);
    CHECK_STR(c->nd > 0 ? c->deleted[0] : NULL, "hdl:1765/1160");
    CHECK_STR(c->nd > 1 ? c->deleted[1] : NULL, "hdl:1765/1161");
    CHECK(find(c, "hdl:1765/1160") == NULL);
    r = find(c, "hdl:1765/9");
    CHECK_STR(fitem(r, "creators", 0), "Jong, G. de");
    CHECK_STR(fitem(r, "creators", 1), "Nooteboom, B.");
    r = find(c, "hdl:1765/1162");
    CHECK_STR(fitem(r, "creators", 0), "Cavelaars, P.A.D.");
    CHECK_CONTAINS(fstr(r, "description"), "Policymakers\xe2\x80\x99 efforts");
    vp_oai_page_clear(&page);
    coll_free(c);

    /* GetRecord of a deleted record */
    c = page_of("oai-pmh/pyoai-erasmus-eur-nl/fake2/00000.xml", &page, &st, &msg);
    CHECK(st == VP_OK && page.deleted == 1 && page.records == 0);
    CHECK_STR(c->nd ? c->deleted[0] : NULL, "hdl:1765/1160");
    vp_oai_page_clear(&page);
    coll_free(c);

    /* emit asks to stop after two records: parsing stops there */
    size_t len;
    char *body = load("oai-pmh/pyoai-erasmus-eur-nl/fake1/00005.xml", &len);
    c = coll_new();
    c->stop_after = 2;
    vp_emit e = emit_of(c);
    msg = NULL;
    CHECK(parse_page_text(body, len, &e, &page, &msg) == VP_OK);
    CHECK(c->n == 2 && page.records == 2);
    vp_oai_page_clear(&page);
    coll_free(c);

    /* cut short anywhere: an error with a position, or fewer records;
     * never a crash, never a record without id */
    for (size_t cut = 0; cut < len; cut += 997) {
        c = coll_new();
        e = emit_of(c);
        msg = NULL;
        st = parse_page_text(body, cut, &e, &page, &msg);
        CHECK(st == VP_OK || (st == VP_ERR_INVALID && msg && strstr(msg, "line ")));
        free(msg);
        vp_oai_page_clear(&page);
        coll_free(c);
    }
    free(body);
}

/* ---- meresco-harvester: TU Delft ------------------------------------- */

static void test_meresco(void)
{
    vp_oai_page page;
    vp_status st;
    char *msg;
    /* every value wrapped in line breaks */
    coll *c = page_of("oai-pmh/meresco-harvester-tudelft/testxml.xml", &page, &st, &msg);
    CHECK(st == VP_OK);
    CHECK_STR(page.response_date, "2004-12-29T13:19:27Z");
    CHECK_STR(page.token, "TestToken");
    CHECK(page.complete_list_size == 113);
    CHECK(page.records == 2 && c->n == 2);
    const rec *r = find(c, "oai:tudelft.nl:007087");
    CHECK(r != NULL);
    CHECK_STR(fstr(r, "title"),
              "Semi-analytical long-arc satellite orbit computation and the estimation of "
              "time-varying gravity parameters");
    CHECK_STR(fitem(r, "creators", 0), "Bruinsma, S.L.");
    CHECK_STR(fitem(r, "creators", 1), "Wakker, K.F., prof. ir. (promotor)");
    CHECK(fcount(r, "subjects") == 3);
    CHECK_STR(fitem(r, "subjects", 2), "parameter estimation");
    CHECK_STR(fitem(r, "isbn", 0), "90-407-2370-2");
    CHECK_STR(fstr(r, "language"), "en");
    CHECK_STR(fstr(r, "description"), "Abstract not available.");
    CHECK_STR(fstr(r, "updated"), "2003-12-19T12:45:41Z");
    CHECK_STR(fstr(r, "url"),
              "http://content.library.tudelft.nl/intradoc-cgi/nph-idc_cgi.exe/"
              "ae_bruinsma_20030121.pdf?IdcService=GET_FILE&dID=8802&dDocName=007087");
    CHECK_STR(fstr(r, "_format"), "ebook");
    r = find(c, "oai:tudelft.nl:007192");
    CHECK(r != NULL);
    /* an empty dc:description gives no description */
    CHECK(fstr(r, "description") == NULL);
    CHECK(fcount(r, "subjects") == 7);
    CHECK_STR(fitem(r, "isbn", 0), "90-6132-281-2");
    vp_oai_page_clear(&page);
    coll_free(c);

    c = page_of("oai-pmh/meresco-harvester-tudelft/00001.xml", &page, &st, &msg);
    CHECK(st == VP_OK && page.records == 3);
    CHECK_STR(page.token, "TestToken");
    CHECK(page.complete_list_size == 113);
    r = find(c, "oai:tudelft.nl:007193");
    CHECK_STR(fitem(r, "creators", 2), "Van Dyck, D., prof. dr. (promotor)");
    CHECK_STR(fitem(r, "isbn", 0), "90-6464-861-1");
    vp_oai_page_clear(&page);
    coll_free(c);

    /* a token element holding only a line break ends the list */
    c = page_of("oai-pmh/meresco-harvester-tudelft/00002.xml", &page, &st, &msg);
    CHECK(st == VP_OK && page.records == 3);
    CHECK(page.token == NULL);
    CHECK(page.complete_list_size == 113);
    CHECK(find(c, "oai:tudelft.nl:107193") != NULL);
    vp_oai_page_clear(&page);
    coll_free(c);

    c = page_of("oai-pmh/meresco-harvester-tudelft/00003.xml", &page, &st, &msg);
    CHECK(st == VP_OK && page.deleted == 1 && page.records == 0);
    CHECK_STR(c->nd ? c->deleted[0] : NULL, "oai:tudelft.nl:107087");
    vp_oai_page_clear(&page);
    coll_free(c);

    /* no dc:date; a day-granularity datestamp */
    c = page_of("oai-pmh/meresco-harvester-tudelft/recordwithoutdate.xml", &page, &st, &msg);
    CHECK(st == VP_OK && page.records == 1);
    r = find(c, "oai:so:41383");
    CHECK_STR(fstr(r, "title"), "Service discovery at home");
    CHECK_STR(fstr(r, "updated"), "2004-12-09T00:00:00Z");
    CHECK(fcount(r, "creators") == 4);
    CHECK_STR(fitem(r, "creators", 3), "Hartel, P.H.");
    CHECK_STR(fstr(r, "url"), "http://purl.org/utwente/41383");
    vp_oai_page_clear(&page);
    coll_free(c);

    /* LOM metadata is neither oai_dc nor MARCXML */
    c = page_of("oai-pmh/meresco-harvester-tudelft/LOMExampleListRecords.xml", &page, &st, &msg);
    CHECK(st == VP_OK && page.records == 0 && page.rejected == 1);
    CHECK_STR(c->nr ? c->rej_where[0] : NULL, "record oai:lorenet:147");
    CHECK_CONTAINS(c->nr ? c->rej_msg[0] : NULL, "<lom>");
    vp_oai_page_clear(&page);
    coll_free(c);
}

/* ---- vufindharvest: MARC21 over OAI-PMH ------------------------------- */

static void test_vufind(void)
{
    vp_oai_page page;
    vp_status st;
    char *msg;
    coll *c = page_of("oai-pmh/vufindharvest/marc.xml", &page, &st, &msg);
    CHECK(st == VP_OK);
    CHECK(page.records == 100 && c->n == 100);
    CHECK(page.rejected == 0 && page.deleted == 0);
    CHECK_STR(page.token, "fakeresumptiontoken");
    CHECK_STR(page.response_date, "2016-06-01T07:57:34Z");
    const rec *r = find(c, "oai:urm_publish:9925821506101791");
    CHECK_STR(fstr(r, "title"), "Der Soldat, oder, Abhandlung vom Kriegs-Stand");
    CHECK(fcount(r, "creators") == 1);
    CHECK_STR(fitem(r, "creators", 0), "Loen, Johann Michael von");
    CHECK_STR(fstr(r, "language"), "de");
    CHECK_STR(fitem(r, "subjects", 0), "Kriegswissenschaften");
    /* leader/06 'm' and 245 $h [Elektronische Ressource] */
    CHECK_STR(fstr(r, "_format"), "ebook");
    CHECK_STR(fstr(r, "updated"), "2016-05-02T08:06:51Z");
    r = find(c, "oai:urm_publish:9925822181501791");
    CHECK_STR(fstr(r, "language"), "fr");
    CHECK_STR(fitem(r, "creators", 0), "La Croix, Jean-Fran\xc3\xa7ois de");
    r = find(c, "oai:urm_publish:9925823604401791");
    CHECK_STR(fstr(r, "_format"), "book");
    /* $a " :" $b: the separator stays inside, the end is trimmed */
    r = find(c, "oai:urm_publish:9925823991701791");
    CHECK_STR(fstr(r, "title"),
              "Exerzirreglement f\xc3\xbcr die eidgen\xc3\xb6ssische Infanterie : Anleitung f\xc3\xbcr den leichten Dienst");
    r = find(c, "oai:urm_publish:9925824182701791");
    CHECK_STR(fstr(r, "language"), "la");
    /* "Vegetius Renatus, Flavius." and "Vegetius Renatus, Flavius. -" are one creator */
    CHECK(fcount(r, "creators") == 4);
    size_t books = 0, ebooks = 0;
    for (size_t i = 0; i < c->n; i++) {
        const char *f = fstr(&c->recs[i], "_format");
        books += f && strcmp(f, "book") == 0;
        ebooks += f && strcmp(f, "ebook") == 0;
        CHECK(fstr(&c->recs[i], "title") != NULL);
    }
    CHECK(books == 48);
    CHECK(ebooks == 51);
    vp_oai_page_clear(&page);
    coll_free(c);

    /* a deleted header without datestamp, and unknown metadata */
    c = page_of("oai-pmh/vufindharvest/list_records_response.xml", &page, &st, &msg);
    CHECK(st == VP_OK && page.deleted == 1 && page.rejected == 1 && page.records == 0);
    CHECK_STR(c->nd ? c->deleted[0] : NULL, "fake:foo1");
    CHECK_STR(c->nr ? c->rej_where[0] : NULL, "record fake:foo2");
    CHECK_CONTAINS(c->nr ? c->rej_msg[0] : NULL, "<foo>");
    vp_oai_page_clear(&page);
    coll_free(c);

    c = page_of("oai-pmh/vufindharvest/list_records_token_response.xml", &page, &st, &msg);
    CHECK(st == VP_OK && page.rejected == 1);
    CHECK_STR(page.token, "more");
    vp_oai_page_clear(&page);
    coll_free(c);
}

/* ---- MARCXML files ---------------------------------------------------- */

static void test_marcxml(void)
{
    vp_status st;
    char *msg;
    coll *c = marc_of("marc/pymarc/batch.xml", &st, &msg);
    CHECK(st == VP_OK && c->n == 2 && c->nr == 0);
    const rec *r = find(c, "5637241");
    CHECK_STR(fstr(r, "title"), "The Great Ray Charles");
    CHECK_STR(fitem(r, "creators", 0), "Charles, Ray");
    CHECK_STR(fstr(r, "language"), "en");
    CHECK_STR(fitem(r, "subjects", 0), "Jazz");
    /* a music recording (leader/06 'j') is no book, e-book or audiobook */
    CHECK(fstr(r, "_format") == NULL);
    /* the position in the file and the control number */
    CHECK_STR(r ? r->where : NULL, "record 1 (line 5, 001 5637241)");
    r = find(c, "12149120");
    CHECK_STR(fstr(r, "_format"), "ebook");
    CHECK_STR(fitem(r, "creators", 0), "White House Web Team");
    CHECK_CONTAINS(fstr(r, "description"), "Features the White House.");
    coll_free(c);

    c = marc_of("marc/pymarc/utf8.xml", &st, &msg);
    CHECK(st == VP_OK && c->n == 1);
    r = find(c, "ASP925318/clmu");
    CHECK_STR(fstr(r, "title"), "Zen Classics");
    CHECK_STR(fstr(r, "url"), "http://www.aspresolver.com/aspresolver.asp?CLMU;925318");
    coll_free(c);

    /* a single <record> root ("ns0:" prefix), no 001, a second 245 with $h */
    c = marc_of("marc/pymarc/bad_tag.xml", &st, &msg);
    CHECK(st == VP_OK && c->n == 1);
    r = find(c, "record 1");
    CHECK_STR(fstr(r, "title"), "The Untamed");
    CHECK(fcount(r, "creators") == 1);
    CHECK_STR(fitem(r, "creators", 0), "Brand, Max");
    CHECK_STR(fstr(r, "_format"), "ebook");
    CHECK_STR(fstr(r, "url"), "http://www.gutenberg.org/etext/10886");
    coll_free(c);

    /* no 245: rejected with its position */
    c = marc_of("marc/yaz/marc0.xml", &st, &msg);
    CHECK(st == VP_OK && c->n == 0 && c->nr == 1);
    CHECK_STR(c->nr ? c->rej_where[0] : NULL, "record 1 (line 2)");
    CHECK_STR(c->nr ? c->rej_msg[0] : NULL, "no title (245)");
    coll_free(c);

    c = marc_of("marc/yaz/marc5.xml", &st, &msg);
    CHECK(st == VP_OK && c->n == 1);
    r = find(c, "000277485");
    CHECK_STR(fstr(r, "title"),
              "\xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xcf\x8c\xce\xbd "
              "\xce\xba\xcf\x81\xcf\x85\xcf\x80\xcf\x84\xce\xbf\xce\xb3\xcf\x81\xce\xb1\xcf\x86"
              "\xce\xb9\xce\xba\xcf\x8c\xce\xbd \xce\xbb\xce\xb5\xce\xbe\xce\xb9\xce\xba\xcf\x8c\xce\xbd");
    CHECK_STR(fstr(r, "language"), "el");
    CHECK_STR(fitem(r, "subjects", 0), "Greek language, Modern -- Dialects");
    CHECK_STR(fitem(r, "subjects", 1), "Cryptography");
    CHECK_STR(fstr(r, "_format"), "book");
    coll_free(c);

    c = marc_of("marc/yaz/marc12.xml", &st, &msg);
    CHECK(st == VP_OK && c->n == 1);
    r = find(c, "on1183349983");
    CHECK_STR(fstr(r, "title"), "Che piao qu na er le");
    CHECK_STR(fitem(r, "creators", 0), "Liu, Xugong");
    CHECK(fcount(r, "isbn") == 2);
    CHECK_STR(fitem(r, "isbn", 0), "9787572101014");
    CHECK_STR(fitem(r, "isbn", 1), "7572101011");
    CHECK_STR(fstr(r, "language"), "zh");
    coll_free(c);

    c = marc_of("marc/yaz/marc1.xml", &st, &msg);
    CHECK(st == VP_OK && c->n == 1);
    CHECK_STR(fstr(c->n ? &c->recs[0] : NULL, "title"), "On the road with Bob Dylan");
    CHECK_STR(fitem(c->n ? &c->recs[0] : NULL, "creators", 0), "Sloman");
    coll_free(c);

    static const char *const more[] = {"marc/yaz/marc6.xml", "marc/yaz/marc7.xml", "marc/yaz/marc10.xml"};
    for (size_t i = 0; i < 3; i++) {
        c = marc_of(more[i], &st, &msg);
        CHECK(st == VP_OK && c->n == 1 && c->nr == 0);
        coll_free(c);
    }
    c = marc_of("marc/yaz/marc6.xml", &st, &msg);
    r = find(c, "11224466");
    CHECK_STR(fstr(r, "title"), "How to program a computer");
    CHECK_STR(fitem(r, "creators", 0), "Jack Collins");
    coll_free(c);

    /* not MARCXML, not XML */
    c = marc_of("oai-pmh/sickle/Identify.xml", &st, &msg);
    CHECK(st == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "not MARCXML (root element <OAI-PMH>)");
    CHECK_CONTAINS(msg, "line 3, column 1: ");
    free(msg);
    coll_free(c);
    c = marc_of("oai-pmh/sickle/ListRecordsBroken.xml", &st, &msg);
    CHECK(st == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "line 1, column 1");
    free(msg);
    coll_free(c);
}

/* ---- the mapping rules on small inline pages -------------------------- */

static const char inline_page[] =
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    "<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'>\n"
    "<responseDate>2026-11-28T10:00:00Z</responseDate>\n"
    "<ListRecords>\n"
    "<record><header><identifier>oai:x:1</identifier><datestamp>2026-11-27</datestamp></header>\n"
    " <metadata><dc xmlns='http://purl.org/dc/elements/1.1/'>\n"
    "  <title>Luister maar</title><title>Ander</title>\n"
    "  <creator>Jansen, Piet</creator><contributor>Voorlezer, Anna</contributor>\n"
    "  <language>Nederlands</language><format>audio/mpeg</format>\n"
    "  <identifier>urn:isbn:978-0-306-40615-7</identifier>\n"
    "  <identifier>ISBN 0-306-40615-3</identifier>\n"
    "  <identifier>HTTPS://example.org/boek/1</identifier>\n"
    "  <identifier>https://example.org/boek/2</identifier>\n"
    "  <description>Een.</description><description>Twee.</description>\n"
    " </dc></metadata></record>\n"
    "<record><header><identifier>oai:x:2</identifier></header>\n"
    " <metadata><marc:collection xmlns:marc='http://www.loc.gov/MARC21/slim'><marc:record>\n"
    "  <marc:leader>00000cam a2200000 a 4500</marc:leader>\n"
    "  <marc:controlfield tag='001'>X2</marc:controlfield>\n"
    "  <marc:controlfield tag='007'>cr |||</marc:controlfield>\n"
    "  <marc:controlfield tag='008'>200101s2020    ne            000 0 dut d</marc:controlfield>\n"
    "  <marc:datafield tag='020'><marc:subfield code='a'>0306406152 (pbk.)</marc:subfield></marc:datafield>\n"
    "  <marc:datafield tag='020'><marc:subfield code='a'>0306406153 (ebk.)</marc:subfield></marc:datafield>\n"
    "  <marc:datafield tag='245'><marc:subfield code='a'>De titel</marc:subfield>\n"
    "   <marc:subfield code='h'>[electronic resource] :</marc:subfield>\n"
    "   <marc:subfield code='b'>een ondertitel /</marc:subfield><marc:subfield code='c'>door X.</marc:subfield></marc:datafield>\n"
    "  <marc:datafield tag='700'><marc:subfield code='a'>Vries, Jan de,</marc:subfield></marc:datafield>\n"
    "  <marc:datafield tag='520'><marc:subfield code='a'>Over iets.</marc:subfield></marc:datafield>\n"
    "  <marc:datafield tag='856'><marc:subfield code='u'>ftp://example.org/x</marc:subfield>\n"
    "   <marc:subfield code='u'>https://example.org/x</marc:subfield></marc:datafield>\n"
    " </marc:record></marc:collection></metadata></record>\n"
    "<record><header><identifier>oai:x:3</identifier></header></record>\n"
    "<record><header><identifier>oai:x:4</identifier></header><metadata><dc/></metadata></record>\n"
    "<record><metadata/></record>\n"
    "<resumptionToken completeListSize='12' cursor='0'>\n  a b+c  \n</resumptionToken>\n"
    "</ListRecords></OAI-PMH>\n";

static void test_inline(void)
{
    coll *c = coll_new();
    vp_emit e = emit_of(c);
    vp_oai_page page;
    char *msg = NULL;
    CHECK(parse_page_text(inline_page, strlen(inline_page), &e, &page, &msg) == VP_OK);
    CHECK(page.records == 2 && page.rejected == 3 && page.deleted == 0);
    CHECK_STR(page.token, "a b+c");
    CHECK(page.complete_list_size == 12);
    const rec *r = find(c, "oai:x:1");
    CHECK_STR(fstr(r, "title"), "Luister maar");
    CHECK(fcount(r, "creators") == 2);
    CHECK_STR(fitem(r, "creators", 1), "Voorlezer, Anna");
    CHECK_STR(fstr(r, "language"), "nl");
    CHECK_STR(fstr(r, "_format"), "audiobook");
    CHECK(fcount(r, "isbn") == 1);
    CHECK_STR(fitem(r, "isbn", 0), "978-0-306-40615-7");
    CHECK_STR(fstr(r, "url"), "https://example.org/boek/1");
    CHECK_STR(fstr(r, "description"), "Een.\n\nTwee.");
    CHECK_STR(fstr(r, "updated"), "2026-11-27T00:00:00Z");
    r = find(c, "oai:x:2");
    CHECK_STR(fstr(r, "title"), "De titel : een ondertitel");
    CHECK_STR(fitem(r, "creators", 0), "Vries, Jan de");
    CHECK(fcount(r, "isbn") == 1);
    CHECK_STR(fitem(r, "isbn", 0), "0306406152");
    CHECK_STR(fstr(r, "language"), "nl");
    CHECK_STR(fstr(r, "_format"), "ebook");
    CHECK_STR(fstr(r, "description"), "Over iets.");
    CHECK_STR(fstr(r, "url"), "https://example.org/x");
    CHECK(fstr(r, "updated") == NULL);
    CHECK(c->nr == 3);
    CHECK_STR(c->nr > 0 ? c->rej_where[0] : NULL, "record oai:x:3");
    CHECK_STR(c->nr > 0 ? c->rej_msg[0] : NULL, "no metadata");
    CHECK_STR(c->nr > 1 ? c->rej_msg[1] : NULL, "metadata: no dc:title");
    CHECK_STR(c->nr > 2 ? c->rej_where[2] : NULL, "record 5 (line 34)");
    CHECK_STR(c->nr > 2 ? c->rej_msg[2] : NULL, "no header");
    vp_oai_page_clear(&page);
    coll_free(c);

    /* not OAI-PMH */
    c = coll_new();
    e = emit_of(c);
    static const char rss[] = "<?xml version='1.0'?>\n<rss><channel/></rss>";
    CHECK(parse_page_text(rss, strlen(rss), &e, &page, &msg) == VP_ERR_INVALID);
    CHECK_STR(msg, "line 2: not an OAI-PMH response: root element rss");
    free(msg);
    msg = NULL;
    /* a DTD declaring entities is refused (xml.h) */
    static const char lol[] = "<?xml version='1.0'?><!DOCTYPE OAI-PMH [<!ENTITY a 'aaaa'>]>"
                              "<OAI-PMH><responseDate>&a;</responseDate></OAI-PMH>";
    CHECK(parse_page_text(lol, strlen(lol), &e, &page, &msg) == VP_ERR_INVALID);
    CHECK(msg != NULL);
    free(msg);
    vp_oai_page_clear(&page);
    coll_free(c);
}

static void test_helpers(void)
{
    char *v = vp_oai_from_value("2026-11-28T10:00:00Z", "YYYY-MM-DD");
    CHECK_STR(v, "2026-11-28");
    free(v);
    v = vp_oai_from_value("2026-11-28T10:00:00Z", "YYYY-MM-DDThh:mm:ssZ");
    CHECK_STR(v, "2026-11-28T10:00:00Z");
    free(v);
    v = vp_oai_from_value("\n2004-12-29T13:19:27.123Z ", "YYYY-MM-DDThh:mm:ssZ");
    CHECK_STR(v, "2004-12-29T13:19:27Z");
    free(v);
    v = vp_oai_from_value("2004-12-29", "YYYY-MM-DDThh:mm:ssZ");
    CHECK_STR(v, "2004-12-29T00:00:00Z");
    free(v);
    CHECK(vp_oai_from_value("aaaa-bb-cc", "YYYY-MM-DD") == NULL);
    CHECK(vp_oai_from_value("2026-02-30", "YYYY-MM-DD") == NULL);
    CHECK(vp_oai_from_value("2026-11-28T10:00:00+01:00", "YYYY-MM-DD") == NULL);
    CHECK(vp_oai_from_value("2026-11-28", "YYYY") == NULL);
    CHECK(vp_oai_from_value(NULL, "YYYY-MM-DD") == NULL);

    static const struct {
        const char *in;
        int qualifier;
        const char *out;
    } isbns[] = {
        {"urn:isbn:9780306406157", 0, "9780306406157"},
        {"ISBN 90-407-2370-2", 0, "90-407-2370-2"},
        {"ISBN-13: 978-0-306-40615-7", 0, "978-0-306-40615-7"},
        {"0306406152 (pbk.)", 1, "0306406152"},
        {"0306406152 (pbk.)", 0, NULL},
        {"0306406153", 1, NULL},
        {"9780306406158", 0, NULL},
        {"hdl:1765/308", 0, NULL},
        {"12345", 0, NULL},
        {"080442957X", 0, "080442957X"},
        {"", 0, NULL},
    };
    for (size_t i = 0; i < sizeof isbns / sizeof *isbns; i++) {
        char *got = vp_isbn_dup(isbns[i].in, isbns[i].qualifier);
        if (isbns[i].out)
            CHECK_STR(got, isbns[i].out);
        else
            CHECK(got == NULL);
        free(got);
    }
    CHECK_STR(vp_language_code("dut"), "nl");
    CHECK_STR(vp_language_code("nld"), "nl");
    CHECK_STR(vp_language_code("NL"), "nl");
    CHECK_STR(vp_language_code("Dutch"), "nl");
    CHECK_STR(vp_language_code("Nederlands"), "nl");
    CHECK_STR(vp_language_code("eng"), "en");
    CHECK_STR(vp_language_code("English"), "en");
    CHECK_STR(vp_language_code("en-GB"), "en");
    CHECK_STR(vp_language_code("ger"), "de");
    CHECK_STR(vp_language_code("deu"), "de");
    CHECK_STR(vp_language_code("fre"), "fr");
    CHECK_STR(vp_language_code("fra"), "fr");
    CHECK_STR(vp_language_code(" ara "), "ar");
    CHECK_STR(vp_language_code("Nederlands; Engels"), "nl");
    CHECK_STR(vp_language_code("nl_NL"), "nl");
    CHECK(vp_language_code("other") == NULL);
    CHECK(vp_language_code("und") == NULL);
    CHECK(vp_language_code("xx") == NULL);
    CHECK(vp_language_code("") == NULL);
}

#ifdef VP_TEST_HARVEST_LOOP
/* ---- the protocol loop against a fake run ----------------------------- */

typedef struct route {
    const char *url, *file; /* file relative to realdata */
} route;

struct vp_harvest_run {
    const route *routes;
    json_t *state;       /* the last checkpointed state */
    json_t *checkpoints; /* every state checkpointed, in order */
    int full;
    size_t pending, committed, deleted_pending, deleted_committed, rejected;
    size_t discards, reports;
    char *urls[64]; /* fetched, in order */
    size_t n_urls;
    char current[1024];
    vp_emit emit;
};

static int run_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
    vp_harvest_run *run = ctx;
    (void)where;
    if (!local_id || !*local_id || !json_is_object(fields))
        abort();
    json_decref(fields);
    run->pending++;
    return 0;
}

static int run_deleted(void *ctx, const char *local_id, const char *where)
{
    vp_harvest_run *run = ctx;
    (void)where;
    if (!local_id || !*local_id)
        abort();
    run->deleted_pending++;
    return 0;
}

static void run_reject(void *ctx, const char *where, const char *message)
{
    vp_harvest_run *run = ctx;
    (void)where;
    (void)message;
    run->rejected++;
}

const vp_emit *vp_run_emit(vp_harvest_run *run)
{
    return &run->emit;
}

void vp_run_set_url(vp_harvest_run *run, const char *url)
{
    snprintf(run->current, sizeof run->current, "%s", url);
}

vp_status vp_run_fetch(vp_harvest_run *run, const char *url, const char *etag,
                       const char *last_modified, vp_fetch_result *out, vp_error *err)
{
    (void)etag;
    (void)last_modified;
    memset(out, 0, sizeof *out);
    if (run->n_urls == 64)
        abort(); /* the loop did not stop */
    run->urls[run->n_urls++] = strdup(url);
    if (strcmp(url, run->current) != 0)
        abort(); /* set_url must name the page being fetched */
    for (const route *r = run->routes; r->url; r++) {
        if (strcmp(r->url, url) == 0) {
            out->body = load(r->file, &out->len);
            out->status = 200;
            return VP_OK;
        }
    }
    vp_where at = {url, 0, NULL, NULL};
    return vp_error_set(err, VP_ERR_IO, &at, "HTTP 404");
}

void vp_fetch_result_free(vp_fetch_result *r)
{
    free(r->body);
    free(r->etag);
    free(r->last_modified);
    free(r->content_type);
    free(r->final_url);
    memset(r, 0, sizeof *r);
}

json_t *vp_run_state(vp_harvest_run *run)
{
    return run->state;
}

int vp_run_full(vp_harvest_run *run)
{
    return run->full;
}

vp_status vp_run_checkpoint(vp_harvest_run *run, json_t *state, vp_error *err)
{
    (void)err;
    json_decref(run->state);
    run->state = state;
    json_array_append(run->checkpoints, state);
    run->committed += run->pending;
    run->deleted_committed += run->deleted_pending;
    run->pending = run->deleted_pending = 0;
    return VP_OK;
}

void vp_run_discard(vp_harvest_run *run)
{
    run->pending = run->deleted_pending = 0;
    run->discards++;
}

vp_status vp_run_report(vp_harvest_run *run, const char *where, const char *message)
{
    (void)where;
    (void)message;
    run->reports++;
    return VP_OK;
}

const char *vp_source_option(const vp_source *s, const char *key)
{
    for (size_t i = 0; i < s->n_options; i++)
        if (strcmp(s->option_keys[i], key) == 0)
            return s->option_values[i];
    return NULL;
}

/* vp_oai_harvest, with the failure in its one text form (NULL on VP_OK). */
static vp_status harvest_text(vp_harvest_run *run, const vp_source *src, char **msg)
{
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_oai_harvest(run, src, &e);
    *msg = text_of(&e, st);
    return st;
}

static vp_harvest_run *run_new(const route *routes, const char *state_json, int full)
{
    vp_harvest_run *run = calloc(1, sizeof *run);
    if (!run)
        abort();
    run->routes = routes;
    run->state = json_loads(state_json ? state_json : "{}", 0, NULL);
    run->checkpoints = json_array();
    run->full = full;
    run->emit.ctx = run;
    run->emit.record = run_record;
    run->emit.deleted = run_deleted;
    run->emit.reject = run_reject;
    if (!run->state || !run->checkpoints)
        abort();
    return run;
}

static void run_free(vp_harvest_run *run)
{
    json_decref(run->state);
    json_decref(run->checkpoints);
    for (size_t i = 0; i < run->n_urls; i++)
        free(run->urls[i]);
    free(run);
}

/* Member `key` of checkpoint i (-1: the last state), or NULL. */
static const char *cp(vp_harvest_run *run, long i, const char *key)
{
    json_t *st = i < 0 ? run->state : json_array_get(run->checkpoints, (size_t)i);
    return json_string_value(json_object_get(st, key));
}

static vp_source source_of(const char *url, char **keys, char **values, size_t n)
{
    vp_source s;
    memset(&s, 0, sizeof s);
    s.name = "test";
    s.kind = "oai-pmh";
    s.url = (char *)url;
    s.option_keys = keys;
    s.option_values = values;
    s.n_options = n;
    return s;
}

#define SICKLE "http://test.example.com/oai"

static void test_loop(void)
{
    static const route sickle[] = {
        {SICKLE "?verb=Identify", "oai-pmh/sickle/Identify.xml"},
        {SICKLE "?verb=ListRecords&metadataPrefix=oai_dc", "oai-pmh/sickle/ListRecords.xml"},
        {SICKLE "?verb=ListRecords&resumptionToken=ListRecords2.xml", "oai-pmh/sickle/ListRecords2.xml"},
        {SICKLE "?verb=ListRecords&resumptionToken=ListRecords3.xml", "oai-pmh/sickle/ListRecords3.xml"},
        {SICKLE "?verb=ListRecords&resumptionToken=ListRecords4.xml", "oai-pmh/sickle/ListRecords4.xml"},
        {SICKLE "?verb=ListRecords&metadataPrefix=oai_dc&from=2013-02-27", "oai-pmh/sickle/noRecordsMatch.xml"},
        {SICKLE "?verb=ListRecords&resumptionToken=Expired", "oai-pmh/sickle/badResumptionToken.xml"},
        {SICKLE "?verb=ListRecords&metadataPrefix=oai_dc&from=2013-01-01", "oai-pmh/sickle/ListRecords4.xml"},
        {NULL, NULL},
    };
    vp_source src = source_of(SICKLE, NULL, NULL, 0);
    char *msg = NULL;

    /* a first, full harvest of the four-page chain */
    vp_harvest_run *run = run_new(sickle, NULL, 0);
    CHECK(harvest_text(run, &src, &msg) == VP_OK);
    CHECK(msg == NULL);
    CHECK(run->n_urls == 5);
    CHECK_STR(run->n_urls > 1 ? run->urls[1] : NULL, SICKLE "?verb=ListRecords&metadataPrefix=oai_dc");
    CHECK(json_array_size(run->checkpoints) == 4);
    CHECK_STR(cp(run, 0, "token"), "ListRecords2.xml");
    CHECK_STR(cp(run, 0, "list_started"), "2013-02-27T09:10:56Z");
    CHECK_STR(cp(run, 0, "granularity"), "YYYY-MM-DD");
    CHECK(cp(run, 0, "from_of_list") == NULL);
    CHECK(cp(run, 0, "from") == NULL);
    CHECK_STR(cp(run, 2, "token"), "ListRecords4.xml");
    CHECK_STR(cp(run, -1, "from"), "2013-02-27");
    CHECK_STR(cp(run, -1, "granularity"), "YYYY-MM-DD");
    CHECK(cp(run, -1, "token") == NULL);
    CHECK(run->committed == 4 && run->deleted_committed == 3 && run->pending == 0);
    CHECK(run->rejected == 1);

    /* the next run is incremental: from, and noRecordsMatch is success */
    vp_harvest_run *next = run_new(sickle, NULL, 0);
    json_decref(next->state);
    next->state = json_incref(run->state);
    CHECK(harvest_text(next, &src, &msg) == VP_OK);
    CHECK(next->n_urls == 2);
    CHECK_STR(next->n_urls > 1 ? next->urls[1] : NULL,
              SICKLE "?verb=ListRecords&metadataPrefix=oai_dc&from=2013-02-27");
    CHECK(json_array_size(next->checkpoints) == 1);
    CHECK_STR(cp(next, -1, "from"), "2002-02-08");
    run_free(next);

    /* --full ignores the saved from */
    next = run_new(sickle, NULL, 1);
    json_decref(next->state);
    next->state = json_incref(run->state);
    CHECK(harvest_text(next, &src, &msg) == VP_OK);
    CHECK_STR(next->n_urls > 1 ? next->urls[1] : NULL, SICKLE "?verb=ListRecords&metadataPrefix=oai_dc");
    CHECK(next->committed == 4);
    run_free(next);
    run_free(run);

    /* a run killed mid-list goes on from its token */
    run = run_new(sickle,
                  "{\"token\":\"ListRecords3.xml\",\"list_started\":\"2013-02-27T09:10:56Z\","
                  "\"from_of_list\":\"2013-01-01\",\"granularity\":\"YYYY-MM-DD\",\"from\":\"2013-01-01\"}",
                  0);
    CHECK(harvest_text(run, &src, &msg) == VP_OK);
    CHECK(run->n_urls == 3);
    CHECK_STR(run->n_urls > 1 ? run->urls[1] : NULL,
              SICKLE "?verb=ListRecords&resumptionToken=ListRecords3.xml");
    CHECK_STR(cp(run, 0, "token"), "ListRecords4.xml");
    CHECK_STR(cp(run, 0, "from_of_list"), "2013-01-01");
    CHECK_STR(cp(run, 0, "from"), "2013-01-01");
    CHECK_STR(cp(run, -1, "from"), "2013-02-27");
    CHECK(run->committed == 2);
    run_free(run);

    /* an expired token: discard, restart the list from from_of_list */
    run = run_new(sickle,
                  "{\"token\":\"Expired\",\"list_started\":\"2013-02-01T00:00:00Z\","
                  "\"from_of_list\":\"2013-01-01\",\"granularity\":\"YYYY-MM-DD\",\"from\":\"2013-01-01\"}",
                  0);
    CHECK(harvest_text(run, &src, &msg) == VP_OK);
    CHECK(msg == NULL);
    CHECK(run->discards == 1 && run->reports == 1);
    CHECK(run->n_urls == 3);
    CHECK_STR(run->n_urls > 2 ? run->urls[2] : NULL,
              SICKLE "?verb=ListRecords&metadataPrefix=oai_dc&from=2013-01-01");
    /* list_started is the restarted list's first page */
    CHECK_STR(cp(run, -1, "from"), "2013-02-27");
    run_free(run);

    /* twice in one run is an error */
    static const route twice[] = {
        {SICKLE "?verb=Identify", "oai-pmh/sickle/Identify.xml"},
        {SICKLE "?verb=ListRecords&resumptionToken=Expired", "oai-pmh/sickle/badResumptionToken.xml"},
        {SICKLE "?verb=ListRecords&metadataPrefix=oai_dc", "oai-pmh/sickle/ListRecords3.xml"},
        {SICKLE "?verb=ListRecords&resumptionToken=ListRecords4.xml", "oai-pmh/vufindharvest/token_error_response.xml"},
        {NULL, NULL},
    };
    run = run_new(twice, "{\"token\":\"Expired\",\"granularity\":\"YYYY-MM-DD\"}", 0);
    CHECK(harvest_text(run, &src, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "OAI error badResumptionToken: Invalid or expired resumption token");
    CHECK_CONTAINS(msg, SICKLE "?verb=ListRecords&resumptionToken=ListRecords4.xml: ");
    free(msg);
    msg = NULL;
    /* the page before was checkpointed and stays */
    CHECK(json_array_size(run->checkpoints) == 1);
    CHECK_STR(cp(run, -1, "token"), "ListRecords4.xml");
    run_free(run);

    /* TU Delft: second granularity, a set, a repeated token */
#define TUD "http://repository.tudelft.nl/oai?x=1"
    static const route tud[] = {
        {TUD "&verb=Identify", "oai-pmh/meresco-harvester-tudelft/00000.xml"},
        {TUD "&verb=ListRecords&metadataPrefix=oai_dc&set=withfulltext%3Ayes",
         "oai-pmh/meresco-harvester-tudelft/00001.xml"},
        {TUD "&verb=ListRecords&resumptionToken=TestToken", "oai-pmh/meresco-harvester-tudelft/00002.xml"},
        {NULL, NULL},
    };
    char *keys[] = {"set"}, *values[] = {"withfulltext:yes"};
    vp_source tsrc = source_of(TUD, keys, values, 1);
    run = run_new(tud, NULL, 0);
    CHECK(harvest_text(run, &tsrc, &msg) == VP_OK);
    CHECK(run->n_urls == 3);
    CHECK_STR(cp(run, 0, "token"), "TestToken");
    CHECK_STR(cp(run, -1, "from"), "2004-12-29T13:19:27Z");
    CHECK_STR(cp(run, -1, "granularity"), "YYYY-MM-DDThh:mm:ssZ");
    CHECK(run->committed == 6);
    run_free(run);

    static const route repeat[] = {
        {TUD "&verb=Identify", "oai-pmh/meresco-harvester-tudelft/00000.xml"},
        {TUD "&verb=ListRecords&metadataPrefix=marc21", "oai-pmh/meresco-harvester-tudelft/00001.xml"},
        {TUD "&verb=ListRecords&resumptionToken=TestToken", "oai-pmh/meresco-harvester-tudelft/testxml.xml"},
        {NULL, NULL},
    };
    char *mkeys[] = {"metadata_prefix"}, *mvalues[] = {"marc21"};
    vp_source msrc = source_of(TUD, mkeys, mvalues, 1);
    run = run_new(repeat, NULL, 0);
    CHECK(harvest_text(run, &msrc, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "resumption token repeated: TestToken");
    free(msg);
    msg = NULL;
    CHECK(run->n_urls == 3);
    CHECK(json_array_size(run->checkpoints) == 1);
    CHECK(run->committed == 3 && run->pending == 2);
    run_free(run);

    /* a page that breaks off: the records before the break are written
     * with the state it was asked for from, and the harvest stops */
    static const route cutoff[] = {
        {SICKLE "?verb=Identify", "oai-pmh/sickle/Identify.xml"},
        {SICKLE "?verb=ListRecords&metadataPrefix=oai_dc", "oai-pmh/sickle/ListRecords.xml"},
        {SICKLE "?verb=ListRecords&resumptionToken=ListRecords2.xml",
         "../oai/sickle-ListRecords2-truncated.xml"},
        {NULL, NULL},
    };
    run = run_new(cutoff, NULL, 0);
    vp_error cut = VP_ERROR_INIT;
    CHECK(vp_oai_harvest(run, &src, &cut) == VP_ERR_INVALID);
    /* the page and the place in it are fields */
    CHECK_STR(cut.file, SICKLE "?verb=ListRecords&resumptionToken=ListRecords2.xml");
    CHECK(cut.line == 0);
    CHECK(cut.path && strncmp(cut.path, "line ", 5) == 0 && strstr(cut.path, ", column "));
    CHECK_CONTAINS(cut.message, "the page breaks off here (");
    CHECK_CONTAINS(cut.message, "the next harvest asks for this page again");
    vp_error_clear(&cut);
    CHECK(json_array_size(run->checkpoints) == 2);
    CHECK_STR(cp(run, 1, "token"), "ListRecords2.xml");
    CHECK_STR(cp(run, -1, "token"), "ListRecords2.xml");
    CHECK(run->pending == 0);
    run_free(run);

    /* failures: a broken page, a bad Identify, an OAI error, a 404 */
    static const route broken[] = {
        {SICKLE "?verb=Identify", "oai-pmh/sickle/Identify.xml"},
        {SICKLE "?verb=ListRecords&metadataPrefix=oai_dc", "oai-pmh/sickle/ListRecordsBroken.xml"},
        {NULL, NULL},
    };
    run = run_new(broken, NULL, 0);
    CHECK(harvest_text(run, &src, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, SICKLE "?verb=ListRecords&metadataPrefix=oai_dc: line 1, column 1: ");
    free(msg);
    msg = NULL;
    CHECK(json_array_size(run->checkpoints) == 0);
    run_free(run);

    static const route badid[] = {
        {SICKLE "?verb=Identify", "oai-pmh/pyoai-erasmus-eur-nl/fake5/00001.xml"},
        {NULL, NULL},
    };
    run = run_new(badid, NULL, 0);
    CHECK(harvest_text(run, &src, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "earliestDatestamp is not a UTC datestamp: aaaa-bb-cc");
    free(msg);
    msg = NULL;
    CHECK(run->n_urls == 1);
    run_free(run);

    static const route oaierr[] = {
        {SICKLE "?verb=Identify", "oai-pmh/sickle/Identify.xml"},
        {SICKLE "?verb=ListRecords&metadataPrefix=oai_dc", "oai-pmh/sickle/cannotDisseminateFormat.xml"},
        {NULL, NULL},
    };
    run = run_new(oaierr, NULL, 0);
    CHECK(harvest_text(run, &src, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "OAI error cannotDisseminateFormat");
    free(msg);
    msg = NULL;
    run_free(run);

    static const route none[] = {{NULL, NULL}};
    run = run_new(none, NULL, 0);
    CHECK(harvest_text(run, &src, &msg) == VP_ERR_IO);
    CHECK_STR(msg, SICKLE "?verb=Identify: HTTP 404");
    free(msg);
    run_free(run);
}
#endif

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s REALDATA_DIR\n", argv[0]);
        return 2;
    }
    realdata = argv[1];
    test_sickle_chain();
    test_sickle_broken_and_errors();
    test_truncated_page();
    test_holdings_record();
    test_identify();
    test_pyoai();
    test_meresco();
    test_vufind();
    test_marcxml();
    test_inline();
    test_helpers();
#ifdef VP_TEST_HARVEST_LOOP
    test_loop();
#endif
    return check_done();
}
