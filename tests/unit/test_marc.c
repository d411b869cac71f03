/* test_marc.c - MARC files through YAZ (include/vindplaats/marc.h: vp_marc_parse).
 *
 * Usage: test_marc REALDATA_DIR DATA_DIR
 *
 * What every real file (pymarc's ISO 2709 files in UTF-8 and MARC-8, with
 * diacritics, a mislabelled leader/09, broken records and escapes,
 * UNIMARC, Windows-1251; YAZ's marcN.marc in UTF-8, ISO-8859-1, MARC-8 and
 * danmarc, two UTF-8 collections) and the holdings fixture give is kept in
 * tests/golden/marc (golden_marc). Here, cross-checks: each YAZ marcN.marc gives the same fields as its marcN.xml
 * (yaz-marcdump's MARCXML of the same record) read by the MARCXML path;
 * the holdings fixture gives the same in binary and in MARCXML. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "connector_text.h"
#include "emit_sink.h"
#define GOLDEN_NORMALISE
#include "golden.h"
#include "vindplaats/marc.h"

static const char *realdata, *datadir;
static vp_normaliser *norm;

/* The source the golden offerings come from. */
static vp_source golden_source(void)
{
    vp_source s;
    memset(&s, 0, sizeof s);
    s.name = "marc-test";
    s.kind = "marc";
    return s;
}

static vp_status parse(const char *data, size_t len, const char *encoding, golden *g, char **msg)
{
    vp_emit e = golden_emit(g);
    vp_marc_options o = {encoding};
    *msg = NULL;
    return marc_parse_text(data, len, &o, &e, msg);
}

/* The fields of the records of a MARC file (binary or XML), by id. */
static json_t *fields_by_id(const char *dir, const char *rel)
{
    size_t len;
    char *data = slurp(dir, rel, &len);
    golden g;
    char *msg;
    vp_status st = parse(data, len, NULL, &g, &msg);
    CHECK(st == VP_OK);
    json_t *out = json_object();
    size_t i;
    json_t *l;
    json_array_foreach(g.lines, i, l) {
        const char *id = json_string_value(json_object_get(l, "id"));
        if (id)
            json_object_set(out, id, json_object_get(l, "fields"));
    }
    golden_free(&g);
    free(msg);
    free(data);
    return out;
}

static void test_same_as_marcxml(void)
{
    static const char *const pairs[][2] = {
        {"marc/yaz/marc5.marc", "marc/yaz/marc5.xml"},
        {"marc/yaz/marc6.marc", "marc/yaz/marc6.xml"}, {"marc/yaz/marc7.marc", "marc/yaz/marc7.xml"},
        {"marc/yaz/marc12.marc", "marc/yaz/marc12.xml"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        json_t *bin = fields_by_id(realdata, pairs[i][0]);
        json_t *xml = fields_by_id(realdata, pairs[i][1]);
        CHECK(json_object_size(bin) > 0);
        CHECK(json_equal(bin, xml));
        if (!json_equal(bin, xml)) {
            char *a = json_dumps(bin, JSON_SORT_KEYS), *b = json_dumps(xml, JSON_SORT_KEYS);
            fprintf(stderr, "%s:\n  binary: %s\n  xml:    %s\n", pairs[i][0], a, b);
            free(a);
            free(b);
        }
        json_decref(bin);
        json_decref(xml);
    }
    /* the holdings fixture, binary (written by yaz-marcdump) and MARCXML */
    json_t *bin = fields_by_id(datadir, "marc/holdings.mrc");
    json_t *xml = fields_by_id(datadir, "marc/holdings.xml");
    CHECK(json_object_size(bin) == 1);
    CHECK(json_equal(bin, xml));
    json_decref(bin);
    json_decref(xml);
}

static void test_fields(void)
{
    size_t len;
    golden g;
    char *msg;
    /* the same record in MARC-8 and in UTF-8 gives the same fields */
    json_t *marc8 = fields_by_id(realdata, "marc/pymarc/marc8.dat");
    json_t *utf8 = fields_by_id(realdata, "marc/pymarc/utf8_with_leader_flag.dat");
    CHECK(json_object_size(marc8) == 1);
    CHECK(json_equal(marc8, utf8));
    json_decref(marc8);
    json_decref(utf8);
    /* the same record in UTF-8 with and without leader/09 'a' reads alike */
    json_t *with = fields_by_id(realdata, "marc/pymarc/utf8_with_leader_flag.dat");
    json_t *without = fields_by_id(realdata, "marc/pymarc/utf8_without_leader_flag.dat");
    CHECK(json_object_size(with) == 1);
    CHECK(json_equal(with, without));
    json_decref(with);
    json_decref(without);
    /* a forced charset: Windows-1251 Cyrillic */
    char *data = slurp(realdata, "marc/pymarc/1251.dat", &len);
    CHECK(parse(data, len, "cp1251", &g, &msg) == VP_OK);
    json_t *f = json_object_get(json_array_get(g.lines, 0), "fields");
    CHECK(f != NULL);
    const char *t = f_str(f, "title");
    CHECK(t && strstr(t, "\xd0") != NULL); /* Cyrillic letters (U+04xx: 0xD0/0xD1 lead bytes) */
    golden_free(&g);
    CHECK(parse(data, len, "no-such-charset", &g, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "unknown MARC encoding");
    free(msg);
    golden_free(&g);
    free(data);
    /* damaged records are rejected with their number and byte offset, the
     * rest kept */
    data = slurp(realdata, "marc/pymarc/bad_records.mrc", &len);
    CHECK(parse(data, len, NULL, &g, &msg) == VP_OK);
    size_t i;
    json_t *l;
    json_array_foreach(g.lines, i, l) {
        const char *w = json_string_value(json_object_get(l, "reject"));
        if (w)
            CHECK(!strncmp(w, "record ", 7) && strstr(w, "(byte "));
    }
    golden_free(&g);
    free(data);
    /* not MARC at all */
    CHECK(parse("hello world, not a record", 25, NULL, &g, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "neither ISO 2709");
    free(msg);
    golden_free(&g);
}

static void test_holdings(void)
{
    for (int bin = 0; bin < 2; bin++) {
        size_t len;
        char *data = slurp(datadir, bin ? "marc/holdings.mrc" : "marc/holdings.xml", &len);
        golden g;
        char *msg;
        CHECK(parse(data, len, NULL, &g, &msg) == VP_OK);
        json_t *f = golden_fields(&g, "b-0001");
        json_t *h = json_object_get(f, "holdings");
        /* its own 852, then the records before and after it */
        CHECK(json_array_size(h) == 3);
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 0), "branch_name")), "Vathorst");
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 0), "call_number")), "R REVE");
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 0), "note")), "Op de leestafel");
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 1), "shelf")), "Romans");
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 1), "call_number")), "REVE AVON");
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 1), "note")), "2 ex.");
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 2), "call_number")), "JEUGD REVE");
        /* no emit->holding here: the orphan is rejected, as is the record
         * without 004 */
        CHECK(golden_count(&g, "reject") == 2);
        /* normalised: the places found in the sample network */
        vp_source src = golden_source();
        golden_normalise(&g, norm, &src);
        json_t *o = json_object_get(json_array_get(g.lines, 1), "offering");
        h = json_object_get(o, "holdings");
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 0), "branch")), "eemland-vathorst");
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 1), "branch")), "utrecht-neude");
        CHECK_STR(json_string_value(json_object_get(json_array_get(h, 2), "library")), "bibliotheek-zwolle");
        golden_free(&g);
        free(data);
    }
}

static int held(void *ctx, const char *local_id, json_t *holdings, const char *where)
{
    json_t *seen = ctx;
    (void)where;
    json_object_set_new(seen, local_id, holdings);
    return 0;
}

static int drop_record(void *ctx, const char *id, json_t *f, const char *where)
{
    (void)ctx, (void)id, (void)where;
    json_decref(f);
    return 0;
}

static void drop_reject(void *ctx, const char *where, const char *message)
{
    (void)ctx, (void)where, (void)message;
}

static void test_waiting_holdings(void)
{
    size_t len;
    char *data = slurp(datadir, "marc/holdings.mrc", &len);
    json_t *seen = json_object();
    vp_emit e = {seen, drop_record, NULL, drop_reject, NULL, held};
    char *msg = NULL;
    CHECK(marc_parse_text(data, len, NULL, &e, &msg) == VP_OK);
    json_t *h = json_object_get(seen, "b-0099");
    CHECK(json_array_size(h) == 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(h, 0), "shelf")), "Informatieve boeken");
    CHECK(json_object_size(seen) == 1);
    json_decref(seen);
    free(data);
}

/* A MARCXML file that breaks off keeps the records before the break. */
static void test_truncated_marcxml(void)
{
    size_t len;
    char *data = slurp(realdata, "marc/pymarc/batch.xml", &len);
    golden whole, g;
    char *msg;
    CHECK(parse(data, len, NULL, &whole, &msg) == VP_OK);
    size_t all = golden_count(&whole, "fields");
    CHECK(all == 2);
    const char *p = data;
    for (int i = 0; i < 2; i++)
        p = strstr(p + 1, "<marc:record>");
    CHECK(p != NULL);
    size_t cut = (size_t)(p - data) + 200;
    CHECK(parse(data, cut, NULL, &g, &msg) == VP_OK);
    CHECK(golden_count(&g, "fields") == 1);
    CHECK(golden_count(&g, "broken") == 1);
    CHECK(json_equal(json_array_get(g.lines, 0), json_array_get(whole.lines, 0)));
    const char *where = json_string_value(json_object_get(json_array_get(g.lines, 1), "broken"));
    CHECK(where && !strncmp(where, "line ", 5) && strstr(where, "column"));
    golden_free(&g);
    golden_free(&whole);
    free(data);
}

/* A leader whose record length lies (too small, too large, the 99999 of
 * exporters that write longer records) is read by its record terminator;
 * a file cut inside a record keeps the records before it. */
static void test_lengths(void)
{
    size_t len;
    char *data = slurp(realdata, "marc/pymarc/marc.dat", &len);
    golden whole, g;
    char *msg;
    CHECK(parse(data, len, NULL, &whole, &msg) == VP_OK);
    CHECK(golden_count(&whole, "fields") >= 8);
    static const char *const lies[] = {"01234", "99999", "00030", "00000"};
    for (size_t i = 0; i < 4; i++) {
        char *copy = malloc(len);
        memcpy(copy, data, len);
        memcpy(copy, lies[i], 5); /* the first record's length */
        CHECK(parse(copy, len, NULL, &g, &msg) == VP_OK);
        CHECK(json_equal(g.lines, whole.lines));
        golden_free(&g);
        free(copy);
    }
    /* cut 100 bytes into the third record */
    size_t second = 1060 + 979; /* marc.dat: records of 1060 and 979 bytes */
    CHECK(parse(data, second + 100, NULL, &g, &msg) == VP_OK);
    CHECK(golden_count(&g, "fields") == 2);
    CHECK(golden_count(&g, "reject") == 1);
    json_t *last = json_array_get(g.lines, 2);
    CHECK_STR(json_string_value(json_object_get(last, "reject")), "record 3 (byte 2039)");
    CHECK_CONTAINS(json_string_value(json_object_get(last, "message")), "the file ends inside the record");
    for (size_t i = 0; i < 2; i++)
        CHECK(json_equal(json_array_get(g.lines, i), json_array_get(whole.lines, i)));
    golden_free(&g);
    golden_free(&whole);
    free(data);
}

/* A record whose 245 holds only characters that tidying drops (found by
 * fuzz_marc; tests/data/marc/control-title.mrc is its input) is rejected as
 * one without a title: no record is emitted with an empty title. */
static void test_control_title(void)
{
    size_t len;
    char *data = slurp(datadir, "marc/control-title.mrc", &len);
    golden g;
    char *msg;
    CHECK(parse(data, len, NULL, &g, &msg) == VP_OK);
    size_t i, n_fields = 0, n_untitled = 0;
    json_t *line;
    json_array_foreach(g.lines, i, line) {
        json_t *f = json_object_get(line, "fields");
        if (!f)
            continue;
        n_fields++;
        n_untitled += json_string_length(json_object_get(f, "title")) == 0;
    }
    CHECK(n_untitled == 0);
    CHECK(golden_count(&g, "reject") >= 1);
    golden_free(&g);
    free(msg);
    free(data);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s REALDATA_DIR DATA_DIR PROPOSITIONS.tsv NETWORK.json\n", argv[0]);
        return 2;
    }
    realdata = argv[1];
    datadir = argv[2];
    golden_norm gn;
    if (golden_norm_open(&gn, argv[3], argv[4]) != 0)
        return 2;
    norm = gn.n;
    test_same_as_marcxml();
    test_fields();
    test_holdings();
    test_waiting_holdings();
    test_truncated_marcxml();
    test_lengths();
    test_control_title();
    golden_norm_close(&gn);
    return check_done();
}
