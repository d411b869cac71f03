/* test_onix.c - the ONIX connector's parser (include/vindplaats/onix.h).
 *
 * Usage: test_onix REALDATA_DIR DATA_DIR
 *
 * What every input (the real Jonix samples under REALDATA_DIR/onix/jonix,
 * ONIX 3.0/3.1 and 2.1 with reference and short tags; the fixtures under
 * DATA_DIR/onix for e-books, audiobooks, a BOM, a namespace, 2.1 short
 * tags, rejects and a deletion) gives is kept in tests/golden/onix
 * (golden_onix). Here: concrete assertions on fields a librarian checks,
 * and truncated real files keep the products before the break. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "connector_text.h"
#include "emit_sink.h"
#include "golden.h"
#include "vindplaats/onix.h"

static const char *realdata, *datadir;

/* Parses `data` into a golden emit; returns the status. */
static vp_status parse(const char *data, size_t len, golden *g, char **msg)
{
    vp_emit e = golden_emit(g);
    *msg = NULL;
    return onix_parse_text(data, len, &e, msg);
}

static void test_fields(void)
{
    size_t len;
    char *data = slurp(realdata, "onix/jonix/onix3-multiple.xml", &len);
    golden g;
    char *msg;
    CHECK(parse(data, len, &g, &msg) == VP_OK);
    /* 21 products: 18 books, 1 calendar (PD) and... all kept or rejected */
    CHECK(golden_count(&g, "fields") + golden_count(&g, "reject") == 21);
    json_t *f = golden_fields(&g, "9781509854172");
    CHECK(f != NULL);
    CHECK_STR(f_str(f, "title"),
              "147 Things: My user's guide to the universe, from black holes to belly buttons");
    CHECK_STR(f_str(f, "_format"), "book");
    CHECK_STR(f_list(f, "creators", 0), "Jim Chapman");
    CHECK_STR(f_list(f, "isbn", 0), "9781509854172");
    CHECK_STR(f_str(f, "language"), "en");
    CHECK_STR(f_str(f, "publisher"), "Pan Macmillan UK");
    CHECK_STR(f_str(f, "availability"), "forthcoming"); /* ProductAvailability 10 */
    CHECK_STR(f_str(f, "published"), "2019-06-01");
    free(data);
    golden_free(&g);

    /* the fixture with a BOM, a namespace and XHTML */
    data = slurp(datadir, "onix/ebook-30-ns-bom.xml", &len);
    CHECK(parse(data, len, &g, &msg) == VP_OK);
    f = golden_fields(&g, "nl.voorbeeld.eb.0001");
    CHECK_STR(f_str(f, "title"), "De avonden: een winterverhaal");
    CHECK_STR(f_str(f, "_format"), "ebook");
    CHECK_STR(f_list(f, "creators", 0), "Gerard Reve");
    CHECK_STR(f_list(f, "creators", 1), "Kousbroek, Rudy");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(f, "contributors"), 1), "role")),
              "foreword");
    CHECK_STR(f_list(f, "subjects", 0), "Thema FBA");
    CHECK_STR(f_list(f, "subjects", 1), "Literaire roman, novelle");
    CHECK_STR(f_list(f, "subjects", 2), "BISAC FIC019000");
    CHECK_STR(f_list(f, "subjects", 3), "Amsterdam");
    CHECK_STR(f_str(f, "description"),
              "Frits van Egters is drie\xc3\xab" "ntwintig en woont bij zijn ouders in Amsterdam.\n\n"
              "Een klassieker uit 1947 & nog altijd geestig.");
    CHECK_STR(f_str(f, "published"), "2020-09-15");
    CHECK_STR(f_str(f, "availability"), "available");
    CHECK(f_price(f) == 9.99);
    CHECK_STR(f_str(f, "url"), "https://www.debezigebij.nl/boek/de-avonden/");
    f = golden_fields(&g, "nl.voorbeeld.lb.0002");
    CHECK_STR(f_str(f, "_format"), "audiobook");
    CHECK_STR(f_str(f, "availability"), "forthcoming");
    CHECK(f_price(f) == 12.99); /* EUR before the first price */
    CHECK_STR(f_str(f, "language"), "nl"); /* the header's default */
    CHECK(golden_count(&g, "reject") == 2);
    CHECK(golden_count(&g, "deleted") == 1);
    free(data);
    golden_free(&g);

    /* ONIX 2.1 short tags, no namespace */
    data = slurp(datadir, "onix/ebook-21-short.xml", &len);
    CHECK(parse(data, len, &g, &msg) == VP_OK);
    f = golden_fields(&g, "eb21-0101");
    CHECK_STR(f_str(f, "_format"), "ebook");
    CHECK_STR(f_str(f, "title"), "Het gouden ei");
    CHECK_STR(f_list(f, "isbn", 0), "9789029539029");
    CHECK_STR(f_str(f, "description"),
              "Saskia verdwijnt bij een tankstation in Frankrijk.\nRex zoekt haar jarenlang.");
    CHECK_STR(f_str(f, "availability"), "available");
    CHECK_STR(f_str(f, "published"), "2013-06-01");
    f = golden_fields(&g, "eb21-0102");
    CHECK_STR(f_str(f, "title"), "Zonder dat");
    CHECK(golden_count(&g, "reject") == 1);
    free(data);
    golden_free(&g);
}

/* A real message cut off in the middle of a product keeps the products
 * before the cut and reports where it broke off. */
static void test_truncated(void)
{
    size_t len;
    char *data = slurp(realdata, "onix/jonix/onix3-multiple.xml", &len);
    golden whole;
    char *msg;
    CHECK(parse(data, len, &whole, &msg) == VP_OK);
    size_t all = json_array_size(whole.lines);
    /* cut inside the 6th product: the first five stay */
    const char *p = data;
    for (int i = 0; i < 6; i++)
        p = strstr(p + 1, "<Product>");
    size_t cut = (size_t)(p - data) + 300;
    golden g;
    CHECK(parse(data, cut, &g, &msg) == VP_OK);
    CHECK(json_array_size(g.lines) == 6); /* five products and the break */
    for (size_t i = 0; i < 5; i++)
        CHECK(json_equal(json_array_get(g.lines, i), json_array_get(whole.lines, i)));
    json_t *last = json_array_get(g.lines, 5);
    const char *where = json_string_value(json_object_get(last, "broken"));
    CHECK(where && !strncmp(where, "line ", 5) && strstr(where, ", column "));
    CHECK(all > 6);
    golden_free(&g);
    /* an unterminated tag inside the 3rd product: the first two stay */
    char *bad = strdup(data);
    p = bad;
    for (int i = 0; i < 3; i++)
        p = strstr(p + 1, "<TitleWithoutPrefix>");
    char *close = strstr(p, "</TitleWithoutPrefix>");
    memcpy(close, "</TitleWithoutPrefiX>", 21);
    CHECK(parse(bad, len, &g, &msg) == VP_OK);
    CHECK(golden_count(&g, "broken") == 1);
    CHECK(json_array_size(g.lines) == 3);
    golden_free(&g);
    free(bad);
    golden_free(&whole);
    free(data);
}

static void test_not_onix(void)
{
    golden g;
    char *msg;
    const char *feed = "<rss><channel/></rss>";
    CHECK(parse(feed, strlen(feed), &g, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "not ONIX");
    free(msg);
    golden_free(&g);
    CHECK(parse("garbage", 7, &g, &msg) == VP_ERR_INVALID);
    CHECK_CONTAINS(msg, "line 1");
    free(msg);
    golden_free(&g);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s REALDATA_DIR DATA_DIR\n", argv[0]);
        return 2;
    }
    realdata = argv[1];
    datadir = argv[2];
    test_fields();
    test_truncated();
    test_not_onix();
    return check_done();
}
