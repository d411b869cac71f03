/* test_sru.c - SRU requests (sru.h): CQL onto the structured query, the
 * diagnostic of every kind of bad request, and answers from a small index
 * (tests/data/sru/offerings.jsonl, argv[2]) with the clock on 2026-12-01,
 * when one of its offerings has ended.
 *
 * Usage: test_sru VOCABULARY OFFERINGS */
#include <jansson.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "error_text.h"
#include "vindplaats/index.h"
#include "vindplaats/offering.h"
#include "vindplaats/sru.h"
#include "vindplaats/structured.h"
#include "vindplaats/vocabulary.h"

static vp_vocabulary *voc;
static vp_index *idx;
static char dir[] = "/tmp/vp-test-sru-XXXXXX";
static const vp_sru_context ctx = {"sru.example.nl", 8080, 1764572400}; /* 2025-12-01 */
static vp_sru_context now_ctx;

/* A request from "name=value&..." (form-encoded). */
static vp_sru_request *req(const char *form)
{
    vp_sru_request *rq = NULL;
    CHECK(vp_sru_request_parse_form(form, strlen(form), &rq) == VP_OK);
    return rq;
}

/* The mapped query of a searchRetrieve of `cql` (no diagnostic expected). */
static void mapped(const char *cql, const char *expected)
{
    const char *names[] = {"version", "query"};
    const char *values[] = {"1.2", cql};
    vp_sru_request *rq = NULL;
    CHECK(vp_sru_request_parse(names, values, 2, &rq) == VP_OK);
    const char *details = NULL;
    int code = vp_sru_request_diagnostic(rq, &details);
    if (code)
        fprintf(stderr, "%s: diagnostic %d (%s)\n", cql, code, details ? details : "");
    CHECK(code == 0);
    char *d = vp_sru_request_describe(rq);
    CHECK_STR(d, expected);
    free(d);
    vp_sru_request_destroy(rq);
}

/* The diagnostic number a request gets, and its details. */
static void diag(const char *form, int expected, const char *details)
{
    vp_sru_request *rq = req(form);
    const char *got = NULL;
    int code = vp_sru_request_diagnostic(rq, &got);
    if (code != expected)
        fprintf(stderr, "%s: diagnostic %d, expected %d\n", form, code, expected);
    CHECK(code == expected);
    if (details)
        CHECK_STR(got, details);
    vp_sru_request_destroy(rq);
}

/* The answer to `form`, checked to be well-formed XML (malloc()ed). */
static char *answer(const char *form)
{
    vp_sru_request *rq = req(form);
    char *body = NULL;
    size_t len = 0;
    CHECK(vp_sru_respond(idx, rq, &now_ctx, &body, &len) == VP_OK);
    CHECK(body && strlen(body) == len);
    xmlDocPtr doc = body ? xmlReadMemory(body, (int)len, "sru.xml", NULL, XML_PARSE_NONET) : NULL;
    CHECK(doc != NULL);
    xmlFreeDoc(doc);
    vp_sru_request_destroy(rq);
    return body;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay ? strstr(hay, needle) : NULL; p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_mapping(void)
{
    mapped("klik", "any all \"klik\"");
    mapped("\"klik tik\"", "any all \"klik tik\"");
    mapped("cql.serverChoice any \"klik spreekuur\"", "any any \"klik spreekuur\"");
    mapped("dc.title = klik", "title all \"klik\"");
    mapped("title adj \"de storm\"", "title adj \"de storm\"");
    mapped("dc.title exact \"de storm over de polder\"", "title exact \"de storm over de polder\"");
    mapped("dc.title == vlinderkoorts", "title exact \"vlinderkoorts\"");
    mapped("dc.creator all \"anna verbeek\"", "creator all \"anna verbeek\"");
    mapped("DC.Subject = tuinieren", "subject all \"tuinieren\"");
    mapped("bath.isbn = 90-5637-123-1", "isbn exact \"90-5637-123-1\"");
    mapped("dc.identifier = ebooks-utrecht:vk", "identifier exact \"ebooks-utrecht:vk\"");
    mapped("dc.type = ebook", "type exact \"ebook\"");
    mapped("dc.type = Text", "type any \"book ebook\"");
    mapped("vp.library any \"bibliotheek-zwolle bibliotheek-utrecht\"",
           "library any \"bibliotheek-zwolle bibliotheek-utrecht\"");
    mapped("vp.proposition = klik-en-tik", "proposition exact \"klik-en-tik\"");
    mapped("vp.municipality = \"Den Haag\"", "municipality exact \"Den Haag\"");
    mapped("dc.date = 2026-12", "date 20261201..20261231");
    mapped("dc.date = 2028-02", "date 20280201..20280229");
    mapped("dc.date = 2026", "date 20260101..20261231");
    mapped("dc.date >= 2027-01-12", "date 20270112..0");
    mapped("dc.date > 2026", "date 20270101..0");
    mapped("dc.date < 2026-12-10", "date 0..20261209");
    mapped("dc.date <= 2026-12", "date 0..20261231");
    mapped("dc.date within \"2026-12-01 2027-01\"", "date 20261201..20270131");
    mapped("cql.allRecords = 1", "allrecords");
    mapped("klik and vp.library = bibliotheek-utrecht",
           "and(any all \"klik\", library exact \"bibliotheek-utrecht\")");
    mapped("a or b not c", "not(or(any all \"a\", any all \"b\"), any all \"c\")");
    mapped("a or (b not c)", "or(any all \"a\", not(any all \"b\", any all \"c\"))");
    mapped("comput*", "any all \"comput*\"");
    mapped("dc.title = \"50\\% korting\"", "title all \"50% korting\"");
    mapped("dc.title = \"ster\\*\"", "title all \"ster \"");
    mapped("dc.title =/ignoreCase klik", "title all \"klik\"");
    mapped("> dc = \"info:srw/cql-context-set/1/dc-v1.1\" dc.title = klik", "title all \"klik\"");
}

static void test_diagnostics(void)
{
    diag("version=1.2&query=klik", 0, NULL);
    diag("version=1.3&query=klik", 5, "1.2");
    diag("version=3.0&query=klik", 5, "2.0");
    diag("version=1.2&operation=scan&scanClause=x", 4, "scan");
    diag("version=1.2&operation=update", 4, "update");
    diag("version=1.2&query=klik&foo=1", 8, "foo");
    diag("version=1.2&query=klik&x-anything=1", 0, NULL);
    diag("version=1.2&operation=searchRetrieve", 7, "query");
    diag("version=1.2&operation=searchRetrieve&query=", 7, "query");
    diag("version=1.2&query=klik&startRecord=0", 6, "startRecord");
    diag("version=1.2&query=klik&startRecord=abc", 6, "startRecord");
    diag("version=1.2&query=klik&maximumRecords=-1", 6, "maximumRecords");
    diag("version=1.2&query=klik&maximumRecords=0", 0, NULL);
    diag("version=1.2&query=klik&maximumRecords=5000", 0, NULL);
    diag("version=1.2&query=klik&recordSchema=mods", 66, "mods");
    diag("version=1.2&query=klik&recordSchema=info:srw/schema/1/marcxml-v1.1", 0, NULL);
    diag("version=1.2&query=klik&recordPacking=json", 71, "json");
    diag("version=2.0&query=klik&recordXMLEscaping=json", 71, "json");
    diag("version=2.0&query=klik&recordPacking=packed&recordXMLEscaping=string", 0, NULL);
    diag("version=2.0&query=klik&queryType=pqf", 6, "queryType");
    diag("version=1.2&query=klik&stylesheet=a.xsl", 110, NULL);
    diag("version=1.2&query=klik&recordXPath=/a", 72, NULL);
    diag("version=1.2&query=klik&sortKeys=title", 80, NULL);
    diag("version=1.2&query=klik%20sortby%20dc.date", 80, "sortby");
    diag("version=1.2&query=klik%20and", 10, NULL);
    diag("version=1.2&query=klik%20tik", 10, NULL);
    diag("version=1.2&query=(klik", 10, NULL);
    diag("version=1.2&query=foo.title%3Dklik", 15, "foo");
    diag("version=1.2&query=dc.format%3Dklik", 16, "dc.format");
    diag("version=1.2&query=dc.title%3C%3Eklik", 19, "<>");
    diag("version=1.2&query=dc.title%20within%20%22a%20b%22", 19, "within");
    diag("version=1.2&query=vp.library%3Ca", 19, "<");
    diag("version=1.2&query=dc.title%20%3D%2Fstem%20klik", 20, "stem");
    diag("version=1.2&query=dc.title%3D%22%22", 27, NULL);
    diag("version=1.2&query=kl*k", 28, NULL);
    diag("version=1.2&query=kl%3Fk", 28, NULL);
    diag("version=1.2&query=vp.library%3Dbib*", 28, NULL);
    diag("version=1.2&query=%22%5Eklik%22", 31, NULL);
    diag("version=1.2&query=dc.date%3D2026-13", 36, "2026-13");
    diag("version=1.2&query=dc.date%3Dmorgen", 36, "morgen");
    diag("version=1.2&query=dc.date%20within%20%222027%202026%22", 36, NULL);
    diag("version=1.2&query=a%20prox%20b", 37, "prox");
    diag("version=1.2&query=a%20and%2Ffoo%20b", 46, NULL);
    diag("version=1.2&query=dc.title%3D%22%FF%FE%22", 6, "query");
    diag("version=1.2&query=a&x-%FF=1", 8, NULL);
    /* The first problem wins; explain needs no query. */
    diag("version=9&operation=scan", 5, NULL);
    diag("", 0, NULL);
    diag("operation=explain&version=1.1", 0, NULL);

    /* A query past the limits. */
    char big[VP_SRU_MAX_QUERY + 64];
    strcpy(big, "version=1.2&query=");
    size_t n = strlen(big);
    memset(big + n, 'a', VP_SRU_MAX_QUERY + 1);
    big[n + VP_SRU_MAX_QUERY + 1] = '\0';
    diag(big, 12, NULL);
    char many[8192] = "version=1.2&query=a";
    for (int i = 0; i < 70; i++)
        strcat(many, "%20or%20a");
    diag(many, 38, NULL);
    char params[4096] = "version=1.2&query=a";
    for (int i = 0; i < 70; i++)
        strcat(params, "&x-p=1");
    diag(params, 8, NULL);

    /* Versions and operations. */
    vp_sru_request *rq = req("version=1.1&query=a");
    CHECK(vp_sru_request_version(rq) == 12 && vp_sru_request_is_search(rq));
    vp_sru_request_destroy(rq);
    rq = req("query=a");
    CHECK(vp_sru_request_version(rq) == 20 && vp_sru_request_is_search(rq));
    vp_sru_request_destroy(rq);
    rq = req("version=2.0");
    CHECK(vp_sru_request_version(rq) == 20 && !vp_sru_request_is_search(rq));
    vp_sru_request_destroy(rq);
    rq = req("version=1.2&operation=explain&query=a");
    CHECK(!vp_sru_request_is_search(rq));
    vp_sru_request_destroy(rq);
}

static void test_answers(void)
{
    /* Explain, in both versions. */
    char *b = answer("version=1.2");
    CHECK_CONTAINS(b, "<srw:explainResponse xmlns:srw=\"http://www.loc.gov/zing/srw/\">");
    CHECK_CONTAINS(b, "<zr:explain xmlns:zr=\"http://explain.z3950.org/dtd/2.0/\">");
    CHECK_CONTAINS(b, "<zr:host>sru.example.nl</zr:host><zr:port>8080</zr:port>");
    CHECK_CONTAINS(b, "<zr:name set=\"vp\">municipality</zr:name>");
    CHECK_CONTAINS(b, "<zr:setting type=\"maximumRecords\">100</zr:setting>");
    CHECK_CONTAINS(b, "identifier=\"info:srw/schema/vindplaats-offering\"");
    free(b);
    b = answer("");
    CHECK_CONTAINS(b, "<sru:explainResponse xmlns:sru=\"http://docs.oasis-open.org/ns/search-ws/sruResponse\">");
    CHECK_CONTAINS(b, "<sru:version>2.0</sru:version>");
    free(b);

    /* Words, fields, the past hidden, works collapsed. */
    b = answer("version=1.2&query=klik");
    CHECK_CONTAINS(b, "<srw:numberOfRecords>1</srw:numberOfRecords>");
    CHECK_CONTAINS(b, "<dc:title>Klik &amp; Tik: de basis van de computer</dc:title>");
    CHECK(!strstr(b, "terugblik"));
    free(b);
    b = answer("version=1.2&query=vlinderkoorts");
    CHECK_CONTAINS(b, "<srw:numberOfRecords>1</srw:numberOfRecords>");
    free(b);
    b = answer("version=1.2&query=dc.title%3D%22tuinieren%20balkon%22&maximumRecords=0");
    CHECK_CONTAINS(b, "<srw:numberOfRecords>1</srw:numberOfRecords>");
    CHECK(!strstr(b, "<srw:records>"));
    free(b);
    static const struct {
        const char *cql;
        int hits;
    } cases[] = {
        {"dc.title = balkon", 1},
        {"dc.title = verbeek", 0},
        {"dc.creator = verbeek", 1},
        {"dc.creator all \"pieter wit\"", 1},
        {"dc.subject = tuinieren", 1},
        {"dc.subject = balkon", 0},
        {"dc.title adj \"storm over\"", 1},
        {"dc.title adj \"over storm\"", 0},
        {"dc.title exact \"de storm over de polder\"", 1},
        {"cql.serverChoice any \"balkon vlinderkoorts\"", 2},
        {"cql.serverChoice all \"balkon vlinderkoorts\"", 0},
        {"bath.isbn = 9789000000012", 1},
        {"bath.isbn = 978-90-5637-123-4", 1},
        {"bath.isbn = 9056371231", 1},
        {"dc.identifier = catalogus-zwolle:tuin", 1},
        {"dc.identifier = 9056371231", 1},
        {"dc.type = ebook", 1},
        {"dc.type = text", 2},
        {"dc.type = sound", 1},
        {"dc.type any \"course activity\"", 2},
        {"vp.library = bibliotheek-zwolle", 3},
        {"vp.library = Bibliotheek-Zwolle", 3},
        {"vp.proposition = klik-en-tik", 1},
        {"vp.municipality = \"den haag\"", 1},
        {"vp.municipality = zwolle", 2},
        {"dc.date = 2026-12", 2},
        {"dc.date = 2026-12-19", 1},
        {"dc.date >= 2027", 1},
        {"dc.date < 2026-12-10", 1},
        {"dc.date within \"2026-12-11 2026-12-18\"", 0},
        {"dc.date within \"2026-12-04 2026-12-18\"", 1},
        {"cql.allRecords = 1", 6},
        {"cql.allRecords = 1 not dc.type = ebook", 5},
        {"vp.library = bibliotheek-zwolle and dc.type = book", 1},
        {"vp.library = bibliotheek-zwolle or vp.library = bibliotheek-den-haag", 4},
        {"comput*", 1},
        {"dc.title = tuin*", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char form[512], *enc = NULL, expect[128];
        size_t k = 0;
        enc = calloc(strlen(cases[i].cql) * 3 + 1, 1);
        for (const char *p = cases[i].cql; *p; p++)
            k += (size_t)sprintf(enc + k, (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
                                              ? "%c" : "%%%02X", (unsigned char)*p);
        snprintf(form, sizeof form, "version=1.2&maximumRecords=0&query=%s", enc);
        free(enc);
        b = answer(form);
        snprintf(expect, sizeof expect, "<srw:numberOfRecords>%d</srw:numberOfRecords>",
                 cases[i].hits);
        if (!b || !strstr(b, expect))
            fprintf(stderr, "%s: expected %d hits\n", cases[i].cql, cases[i].hits);
        CHECK_CONTAINS(b, expect);
        CHECK(!strstr(b, "diagnostic"));
        free(b);
    }

    /* Paging. */
    b = answer("version=1.2&query=cql.allRecords%3D1&startRecord=3&maximumRecords=2");
    CHECK(count(b, "<srw:record>") == 2);
    CHECK_CONTAINS(b, "<srw:recordPosition>3</srw:recordPosition>");
    CHECK_CONTAINS(b, "<srw:nextRecordPosition>5</srw:nextRecordPosition>");
    free(b);
    b = answer("version=1.2&query=cql.allRecords%3D1&startRecord=6&maximumRecords=2");
    CHECK(count(b, "<srw:record>") == 1);
    CHECK(!strstr(b, "nextRecordPosition"));
    free(b);
    b = answer("version=1.2&query=cql.allRecords%3D1&startRecord=7");
    CHECK_CONTAINS(b, "<srw:numberOfRecords>6</srw:numberOfRecords>");
    CHECK_CONTAINS(b, "<diag:uri>info:srw/diagnostic/1/61</diag:uri>");
    CHECK(!strstr(b, "<srw:records>"));
    free(b);
    b = answer("version=1.2&query=cql.allRecords%3D1&startRecord=10001");
    CHECK_CONTAINS(b, "info:srw/diagnostic/1/61");
    free(b);
    b = answer("version=1.2&query=nergens&startRecord=5");
    CHECK_CONTAINS(b, "<srw:numberOfRecords>0</srw:numberOfRecords>");
    CHECK(!strstr(b, "diagnostic"));
    free(b);

    /* Schemas and packing. */
    b = answer("version=1.2&query=dc.title%3Dbalkon&recordSchema=marcxml");
    CHECK_CONTAINS(b, "<srw:recordSchema>info:srw/schema/1/marcxml-v1.1</srw:recordSchema>");
    CHECK_CONTAINS(b, "<marc:record xmlns:marc=\"http://www.loc.gov/MARC21/slim\">");
    CHECK_CONTAINS(b, "<marc:leader>00000nam a2200000 u 4500</marc:leader>");
    CHECK_CONTAINS(b, "<marc:datafield tag=\"245\" ind1=\"1\" ind2=\"0\"><marc:subfield code=\"a\">"
                      "Tuinieren op het balkon</marc:subfield>");
    CHECK_CONTAINS(b, "<marc:subfield code=\"a\">Groenten en kruiden &lt;op&gt; een klein balkon "
                      "&amp; meer.</marc:subfield>");
    CHECK_CONTAINS(b, "tag=\"852\"");
    free(b);
    b = answer("version=1.2&query=dc.creator%3Dwit&recordSchema=marcxml");
    CHECK_CONTAINS(b, "<marc:leader>00000nim a2200000 u 4500</marc:leader>");
    CHECK_CONTAINS(b, "<marc:datafield tag=\"700\" ind1=\"1\" ind2=\" \"><marc:subfield code=\"a\">Sanne Bos");
    free(b);
    /* A course has no MARC record: a surrogate diagnostic in its place. */
    b = answer("version=1.2&query=klik&recordSchema=marcxml");
    CHECK_CONTAINS(b, "<srw:recordSchema>info:srw/schema/1/diagnostics-v1.1</srw:recordSchema>");
    CHECK_CONTAINS(b, "<diag:uri>info:srw/diagnostic/1/67</diag:uri>");
    CHECK_CONTAINS(b, "<srw:numberOfRecords>1</srw:numberOfRecords>");
    free(b);
    /* ISBNs as URNs of their 13 digits, whatever form the source gave. */
    b = answer("version=1.2&query=dc.creator%3Dwit");
    CHECK_CONTAINS(b, "<dc:identifier>urn:isbn:9789056371234</dc:identifier>");
    free(b);
    b = answer("version=1.2&query=klik&recordSchema=offering");
    CHECK_CONTAINS(b, "<vp:offering xmlns:vp=\"info:srw/schema/vindplaats-offering\">{&quot;id&quot;:&quot;agenda-utrecht:klik&quot;");
    free(b);
    b = answer("version=1.2&query=klik&recordPacking=string");
    CHECK_CONTAINS(b, "<srw:recordPacking>string</srw:recordPacking>");
    CHECK_CONTAINS(b, "<srw:recordData>&lt;srw_dc:dc xmlns:dc=");
    CHECK_CONTAINS(b, "Klik &amp;amp; Tik");
    free(b);
    b = answer("version=2.0&query=klik&recordXMLEscaping=string");
    CHECK_CONTAINS(b, "<sru:searchRetrieveResponse xmlns:sru=\"http://docs.oasis-open.org/ns/search-ws/sruResponse\">");
    CHECK_CONTAINS(b, "<sru:recordXMLEscaping>string</sru:recordXMLEscaping>");
    CHECK_CONTAINS(b, "<sru:recordData>&lt;srw_dc:dc");
    free(b);

    /* Diagnostics in both versions' namespaces. */
    b = answer("version=1.2&query=dc.format%3Dx");
    CHECK_CONTAINS(b, "<srw:diagnostics><diag:diagnostic xmlns:diag=\"http://www.loc.gov/zing/srw/diagnostic/\">"
                      "<diag:uri>info:srw/diagnostic/1/16</diag:uri><diag:details>dc.format</diag:details>"
                      "<diag:message>Unsupported index</diag:message>");
    CHECK_CONTAINS(b, "<srw:numberOfRecords>0</srw:numberOfRecords>");
    free(b);
    b = answer("version=2.0&query=dc.format%3Dx");
    CHECK_CONTAINS(b, "<diag:diagnostic xmlns:diag=\"http://docs.oasis-open.org/ns/search-ws/diagnostic\">");
    free(b);
    /* Details that are not UTF-8 are left out, the answer stays XML. */
    b = answer("version=1.2&query=%FF%FE%3D");
    CHECK_CONTAINS(b, "info:srw/diagnostic/1/");
    free(b);
    b = answer("version=1.2&query=dc.title%3D%22%FF%FE%22");
    CHECK_CONTAINS(b, "<diag:uri>info:srw/diagnostic/1/6</diag:uri><diag:details>query</diag:details>");
    free(b);

    /* Characters XML cannot carry are left out (found by fuzz_sru). */
    b = answer("version=1.2&%12=1");
    CHECK_CONTAINS(b, "<diag:uri>info:srw/diagnostic/1/8</diag:uri><diag:details></diag:details>");
    free(b);

    /* Without an index: explain still answers, a search is diagnostic 1. */
    vp_sru_request *rq = req("version=1.2&query=klik");
    char *body = NULL;
    size_t len = 0;
    CHECK(vp_sru_respond(NULL, rq, &ctx, &body, &len) == VP_OK);
    CHECK_CONTAINS(body, "info:srw/diagnostic/1/1<");
    free(body);
    vp_sru_request_destroy(rq);
}

static void test_structured(void)
{
    /* Trees the SRU module never builds are refused, not crashed on. */
    vp_sq_node date = {.kind = VP_SQ_TERM, .field = VP_SQ_DATE};
    vp_sq_options opt = {.limit = 10, .now = now_ctx.now};
    vp_sq_result *res = NULL;
    vp_error err = VP_ERROR_INIT;
    CHECK(vp_sq_search(idx, &date, &opt, &res, &err) == VP_ERR_INVALID);
    CHECK(err.status == VP_ERR_INVALID);
    CHECK_CONTAINS(err.message, "date");
    vp_error_clear(&err);
    vp_sq_node and = {.kind = VP_SQ_AND, .left = &date, .right = NULL};
    CHECK(vp_sq_search(idx, &and, &opt, &res, &err) == VP_ERR_INVALID);
    vp_error_clear(&err);
    vp_sq_node word = {.kind = VP_SQ_TERM, .field = VP_SQ_ANY, .text = "balkon"};
    opt.limit = 101;
    /* A bad window names its parameter as a field, the message unchanged. */
    CHECK(vp_sq_search(idx, &word, &opt, &res, &err) == VP_ERR_INVALID);
    CHECK_STR(err.parameter, "limit");
    CHECK_STR(err.message, "limit: at most 100 records");
    vp_error_clear(&err);
    /* A chain deeper than the limit. */
    vp_sq_node chain[VP_SQ_MAX_DEPTH + 2];
    for (int i = 0; i < VP_SQ_MAX_DEPTH + 2; i++)
        chain[i] = (vp_sq_node){.kind = VP_SQ_OR, .left = &word,
                                .right = i + 1 < VP_SQ_MAX_DEPTH + 2 ? &chain[i + 1] : &word};
    opt.limit = 10;
    CHECK(vp_sq_search(idx, &chain[0], &opt, &res, &err) == VP_ERR_TOO_BIG);
    CHECK(err.status == VP_ERR_TOO_BIG && err.parameter == NULL);
    vp_error_clear(&err);
    CHECK(vp_sq_search(idx, &word, &opt, &res, &err) == VP_OK);
    CHECK(res && res->total == 1 && res->n_records == 1);
    CHECK_CONTAINS(res ? res->records[0] : NULL, "\"catalogus-zwolle:tuin\"");
    /* Each record comes parsed too, so the SRU writer reads no JSON text. */
    CHECK(res && res->docs && json_is_object(res->docs[0]));
    CHECK_STR(res && res->docs ? json_string_value(json_object_get(res->docs[0], "id")) : NULL,
              "catalogus-zwolle:tuin");
    vp_sq_result_destroy(res);
    /* include_past shows what has ended. */
    vp_sq_node old = {.kind = VP_SQ_TERM, .field = VP_SQ_TITLE, .text = "terugblik"};
    res = NULL;
    CHECK(vp_sq_search(idx, &old, &opt, &res, NULL) == VP_OK && res && res->total == 0);
    vp_sq_result_destroy(res);
    opt.include_past = 1;
    res = NULL;
    CHECK(vp_sq_search(idx, &old, &opt, &res, NULL) == VP_OK && res && res->total == 1);
    vp_sq_result_destroy(res);
    char *d = vp_sq_describe(&and);
    CHECK_STR(d, "and(date 0..0, ?)");
    free(d);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_sru VOCABULARY OFFERINGS\n");
        return 2;
    }
    CHECK(vp_vocabulary_load(argv[1], &voc, NULL) == VP_OK);
    CHECK(mkdtemp(dir) != NULL);
    vp_index *w = NULL;
    CHECK(vp_index_open(dir, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    FILE *f = fopen(argv[2], "r");
    CHECK(f != NULL);
    char line[8192];
    while (f && fgets(line, sizeof line, f)) {
        vp_offering *o = NULL;
        char *err = NULL;
        CHECK(offering_parse_text(line, strlen(line), voc, &o, &err) == VP_OK);
        if (err)
            fprintf(stderr, "fixture: %s\n", err);
        if (o)
            CHECK(vp_index_put(w, o, NULL) == VP_OK);
        vp_offering_destroy(o);
        free(err);
    }
    if (f)
        fclose(f);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);
    CHECK(vp_index_open(dir, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    now_ctx = ctx;
    now_ctx.now = 1764572400 + 365 * 86400; /* 2026-12-01 */

    test_mapping();
    test_diagnostics();
    if (idx) {
        test_answers();
        test_structured();
    }

    vp_index_close(idx);
    vp_vocabulary_destroy(voc);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return check_done();
}
