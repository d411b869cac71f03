/* test_csv.c - the CSV connector (include/vindplaats/csv.h).
 *
 * Real input: goodbooks-10k books.csv (10,000 rows; quoted commas in
 * authors, ISBN-13 written as floats, non-ASCII titles); hand-written: a
 * Windows-1252 ';' course export, a UTF-8 BOM file with quoted line
 * breaks, a file with bad rows between good ones.
 * Usage: test_csv REALDATA_DIR FIXTURE_DIR */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "connector_text.h"
#include "emit_sink.h"
#include "vindplaats/csv.h"
#include "vindplaats/offering.h"

static const char *realdata, *fixtures;

/* Parses `name` with options given as "key", "value", ... NULL. */
static vp_status parse_with(const char *dir, const char *name, sink *s, vp_emit *e, char **err, ...)
{
    const char *keys[40], *values[40];
    size_t n = 0;
    va_list ap;
    va_start(ap, err);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        keys[n] = k;
        values[n] = va_arg(ap, const char *);
        n++;
    }
    va_end(ap);
    size_t len;
    char *data = slurp(dir, name, &len);
    sink_init(s, e);
    *err = NULL;
    vp_csv_options opt;
    vp_status st = csv_options_from_text(&opt, keys, values, n, err);
    if (st == VP_OK)
        st = csv_parse_text(data, len, &opt, e, err);
    CHECK(st == VP_OK ? *err == NULL : *err != NULL);
    vp_csv_options_clear(&opt);
    free(data);
    return st;
}

static const char *reject_where(sink *s, size_t i)
{
    return f_str(json_array_get(s->rejects, i), "where");
}

static const char *reject_msg(sink *s, size_t i)
{
    return f_str(json_array_get(s->rejects, i), "message");
}

/* ---- hand-written exports --------------------------------------------- */

static void test_cp1252(void)
{
    sink s;
    vp_emit e;
    char *err;
    CHECK(parse_with(fixtures, "csv/cursussen-1252.csv", &s, &e, &err, "delimiter", "semicolon",
                     "encoding", "windows-1252", "id", "Code", "column.title", "Titel",
                     "column.description", "Omschrijving", "column.date", "Datum", "column.time",
                     "Begintijd", "column.end_time", "Eindtijd", "column._location", "Locatie",
                     "column.price", "Prijs", "column._age", "Leeftijd", "column.creators", "Docenten",
                     "column._categories", "Categorie", NULL) == VP_OK);
    CHECK(json_array_size(s.records) == 3);
    CHECK(json_array_size(s.rejects) == 0);
    json_t *f = rec(&s, 0);
    CHECK_STR(rec_id(&s, 0), "TC-01");
    CHECK_STR(f_str(json_array_get(s.records, 0), "where"), "line 2");
    CHECK_STR(f_str(f, "title"), "Taalcaf\xc3\xa9");
    CHECK_STR(f_str(f, "description"), "Samen Nederlands oefenen; iedereen is welkom");
    CHECK_STR(f_str(f, "start"), "2026-12-03T19:30:00+01:00");
    CHECK_STR(f_str(f, "end"), "2026-12-03T21:00:00+01:00");
    CHECK(json_array_size(json_object_get(f, "occurrences")) == 1);
    CHECK_STR(f_str(f, "_location"), "Bibliotheek Neude");
    CHECK(f_price(f) == 0);
    CHECK_STR(f_str(json_object_get(f, "price"), "currency"), "EUR");
    CHECK(json_object_get(f, "_age") == NULL);
    CHECK_STR(f_list(f, "creators", 0), "Ans Vos");
    CHECK_STR(f_list(f, "creators", 1), "Piet Kok");
    CHECK_STR(f_list(f, "_categories", 1), "nieuwkomers");
    json_object_set_new(f, "type", json_string("course"));
    CHECK(valid_offering(f, rec_id(&s, 0)));

    f = rec(&s, 1);
    CHECK_STR(rec_id(&s, 1), "KT-02");
    CHECK_STR(f_str(f, "title"), "Klik & Tik");
    CHECK(f_price(f) == 5); /* "€ 5,00" in Windows-1252 */
    CHECK_STR(f_str(f, "start"), "2026-06-10T10:00:00+02:00"); /* "10.00", summer */
    CHECK_STR(f_str(f, "end"), "2026-06-10T12:00:00+02:00");
    CHECK_STR(f_str(f, "_age"), "18+");
    CHECK(valid_offering(f, rec_id(&s, 1)));

    f = rec(&s, 2);
    CHECK_STR(f_str(f, "start"), "2026-07-05T10:30:00+02:00"); /* d-m-yyyy */
    CHECK(json_object_get(f, "end") == NULL);
    CHECK_STR(f_str(f, "_age"), "2-4 jaar");
    CHECK(json_object_get(f, "creators") == NULL);
    CHECK(valid_offering(f, rec_id(&s, 2)));
    sink_free(&s);

    /* read as UTF-8 the é is not valid UTF-8; the parser passes it on */
    CHECK(parse_with(fixtures, "csv/cursussen-1252.csv", &s, &e, &err, "delimiter", ";", "id", "Code",
                     "column.title", "Titel", NULL) == VP_OK);
    CHECK(json_array_size(s.records) == 3);
    CHECK_STR(f_str(rec(&s, 0), "title"), "Taalcaf\xe9");
    sink_free(&s);

    /* every truncation of the file: no crash */
    size_t len;
    char *data = slurp(fixtures, "csv/cursussen-1252.csv", &len);
    const char *keys[] = {"delimiter", "column.title", "column.date", "column.time", "column.price"};
    const char *values[] = {";", "Titel", "Datum", "Begintijd", "Prijs"};
    vp_csv_options opt;
    CHECK(csv_options_from_text(&opt, keys, values, 5, &err) == VP_OK);
    for (size_t n = 0; n <= len; n += 5) {
        sink_init(&s, &e);
        err = NULL;
        vp_status st = csv_parse_text(data, n, &opt, &e, &err);
        CHECK(st == VP_OK || (st == VP_ERR_INVALID && err != NULL));
        free(err);
        sink_free(&s);
    }
    vp_csv_options_clear(&opt);
    free(data);
}

static void test_bom_linebreaks(void)
{
    sink s;
    vp_emit e;
    char *err;
    CHECK(parse_with(fixtures, "csv/bom-linebreaks.csv", &s, &e, &err, "id", "id", "column.title", "title",
                     "column.description", "description", "column.date", "date", "column.time", "time",
                     "column.url", "url", NULL) == VP_OK);
    CHECK(json_array_size(s.records) == 3);
    CHECK(json_array_size(s.rejects) == 0);
    json_t *f = rec(&s, 0);
    CHECK_STR(rec_id(&s, 0), "2026-0412"); /* the BOM is not part of the "id" header */
    CHECK_STR(f_str(f, "title"), "Leesclub \"Het Diner\"");
    CHECK_STR(f_str(f, "description"), "Eerste regel\nTweede regel, met komma\n\nDerde alinea");
    CHECK_STR(f_str(f, "start"), "2026-10-25T14:00:00+01:00"); /* after the clocks went back */
    CHECK_STR(f_str(f, "url"), "https://www.example-bibliotheek.nl/agenda/leesclub");
    CHECK(valid_offering(f, rec_id(&s, 0)));
    /* the row after the one with quoted line breaks starts on physical line 6 */
    CHECK_STR(f_str(json_array_get(s.records, 1), "where"), "line 6");
    CHECK_STR(f_str(rec(&s, 1), "title"), "Schrijfcaf\xc3\xa9");
    CHECK_STR(f_str(rec(&s, 1), "start"), "2026-10-25T01:30:00+02:00"); /* before */
    CHECK_STR(f_str(json_array_get(s.records, 2), "where"), "line 7");
    CHECK_STR(f_str(rec(&s, 2), "start"), "2026-03-29T03:30:00+02:00");
    CHECK(json_object_get(rec(&s, 2), "url") == NULL);
    sink_free(&s);
}

static void test_bad_rows(void)
{
    sink s;
    vp_emit e;
    char *err;
    CHECK(parse_with(fixtures, "csv/badrow.csv", &s, &e, &err, "id", "id", "column.title", "title",
                     "column.start", "start", "column.end", "end", "column.price", "price", NULL) == VP_OK);
    CHECK(json_array_size(s.records) == 3);
    CHECK_STR(rec_id(&s, 0), "r1");
    CHECK_STR(rec_id(&s, 1), "r3");
    CHECK_STR(rec_id(&s, 2), "r5");
    CHECK_STR(f_str(rec(&s, 0), "start"), "2026-12-03T10:00:00+01:00");
    CHECK_STR(f_str(rec(&s, 0), "end"), "2026-12-03T12:00:00+01:00");
    CHECK(f_price(rec(&s, 0)) == 5.5);
    CHECK_STR(f_str(rec(&s, 1), "start"), "2026-12-05");
    CHECK(json_object_get(rec(&s, 1), "price") == NULL);
    CHECK_STR(f_str(rec(&s, 2), "title"), "Goed \"eind\"");
    CHECK_STR(f_str(rec(&s, 2), "start"), "2026-12-06T14:00:00+01:00");
    CHECK(f_price(rec(&s, 2)) == 1234.5);
    CHECK(json_array_size(s.rejects) == 4);
    CHECK_STR(reject_where(&s, 0), "line 3");
    CHECK_STR(reject_msg(&s, 0), "3 fields where the header has 5");
    CHECK_STR(reject_where(&s, 1), "line 5");
    CHECK_STR(reject_msg(&s, 1), "start: not a date ('31-02-2026')");
    CHECK_STR(reject_where(&s, 2), "line 7");
    CHECK_STR(reject_msg(&s, 2), "price: not an amount ('veel')");
    CHECK_STR(reject_where(&s, 3), "line 9");
    CHECK_CONTAINS(reject_msg(&s, 3), "not closed");
    size_t i;
    json_t *r;
    json_array_foreach(s.records, i, r)
        CHECK(valid_offering(json_object_get(r, "fields"), json_string_value(json_object_get(r, "id"))));
    sink_free(&s);

    /* without an id column: a hash of title and start, the same each run */
    CHECK(parse_with(fixtures, "csv/badrow.csv", &s, &e, &err, "column.title", "title",
                     "column.start", "start", NULL) == VP_OK);
    sink t;
    vp_emit e2;
    CHECK(parse_with(fixtures, "csv/badrow.csv", &t, &e2, &err, "column.title", "title",
                     "column.start", "start", NULL) == VP_OK);
    CHECK(json_array_size(s.records) == 4); /* the bad price is not mapped now */
    CHECK(strncmp(rec_id(&s, 0), "h-", 2) == 0);
    CHECK_STR(rec_id(&s, 0), rec_id(&t, 0));
    CHECK(strcmp(rec_id(&s, 0), rec_id(&s, 1)) != 0);
    sink_free(&s);
    sink_free(&t);
}

static vp_status parse_text(const char *text, sink *s, vp_emit *e, char **err, const char *const *kv, size_t n)
{
    const char *keys[20], *values[20];
    for (size_t i = 0; i < n; i++) {
        keys[i] = kv[2 * i];
        values[i] = kv[2 * i + 1];
    }
    sink_init(s, e);
    *err = NULL;
    vp_csv_options opt;
    vp_status st = csv_options_from_text(&opt, keys, values, n, err);
    if (st == VP_OK)
        st = csv_parse_text(text, strlen(text), &opt, e, err);
    vp_csv_options_clear(&opt);
    return st;
}

static void test_options_and_forms(void)
{
    sink s;
    vp_emit e;
    char *err;
    const char *title_map[] = {"column.title", "Titel"};
    CHECK(parse_text("Naam,Datum\nx,2026-01-01\n", &s, &e, &err, title_map, 1) == VP_ERR_INVALID);
    CHECK_STR(err, "column 'Titel' (for title) not in the header");
    free(err);
    sink_free(&s);
    const char *bad_key[] = {"delimeter", ";"};
    CHECK(parse_text("a\n", &s, &e, &err, bad_key, 1) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "delimeter");
    free(err);
    sink_free(&s);
    const char *bad_field[] = {"column.titel", "Titel"};
    CHECK(parse_text("a\n", &s, &e, &err, bad_field, 1) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "column.titel");
    free(err);
    sink_free(&s);
    const char *bad_delim[] = {"delimiter", "ab"};
    CHECK(parse_text("a\n", &s, &e, &err, bad_delim, 1) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "delimiter");
    free(err);
    sink_free(&s);
    const char *bad_enc[] = {"encoding", "ebcdic"};
    CHECK(parse_text("a\n", &s, &e, &err, bad_enc, 1) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "ebcdic");
    free(err);
    sink_free(&s);
    const char *bad_fmt[] = {"date_format", "yy-mm-dd"};
    CHECK(parse_text("a\n", &s, &e, &err, bad_fmt, 1) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "yy-mm-dd");
    free(err);
    sink_free(&s);
    const char *no_id[] = {"id", "Nummer"};
    CHECK(parse_text("a\n", &s, &e, &err, no_id, 1) == VP_ERR_INVALID);
    CHECK_STR(err, "column 'Nummer' (for the id) not in the header");
    free(err);
    sink_free(&s);
    CHECK(parse_text("", &s, &e, &err, NULL, 0) == VP_ERR_INVALID);
    CHECK_CONTAINS(err, "no header");
    free(err);
    sink_free(&s);
    CHECK(parse_text("\n\nkop\n\n", &s, &e, &err, NULL, 0) == VP_OK);
    CHECK(json_array_size(s.records) == 0);
    sink_free(&s);

    /* tab delimiter, no quoting, a time range, a US date format, an end past midnight */
    const char *tabs[] = {"delimiter", "tab", "quote", "none", "id", "nr", "column.title", "wat",
                          "column.date", "dag", "column.time", "tijd", "date_format", "mm/dd/yyyy",
                          "column.subjects", "tags", "list_separator", ";|"};
    CHECK(parse_text("nr\twat\tdag\ttijd\ttags\n"
                     "1\t\"Film\"\t12/03/2026\t19:30 - 21:00 uur\ta;b|c\n"
                     "2\tNachtlezen\t06/20/2026\t23:00\t\n",
                     &s, &e, &err, tabs, 9) == VP_OK);
    CHECK(json_array_size(s.records) == 2);
    CHECK_STR(f_str(rec(&s, 0), "title"), "\"Film\"");
    CHECK_STR(f_str(rec(&s, 0), "start"), "2026-12-03T19:30:00+01:00");
    CHECK_STR(f_str(rec(&s, 0), "end"), "2026-12-03T21:00:00+01:00");
    CHECK(json_array_size(json_object_get(rec(&s, 0), "subjects")) == 3);
    CHECK_STR(f_str(rec(&s, 1), "start"), "2026-06-20T23:00:00+02:00");
    sink_free(&s);

    const char *late[] = {"column.title", "t", "column.date", "d", "column.time", "b", "column.end_time", "e"};
    CHECK(parse_text("t,d,b,e\r\nNacht,31-12-2026,22:00,01:00\r\nLaat,31-12-2026,25:00,\r\n", &s, &e, &err, late, 4) == VP_OK);
    CHECK(json_array_size(s.records) == 1);
    CHECK_STR(f_str(rec(&s, 0), "end"), "2027-01-01T01:00:00+01:00");
    CHECK(json_array_size(s.rejects) == 1);
    CHECK_STR(reject_where(&s, 0), "line 3");
    CHECK_CONTAINS(reject_msg(&s, 0), "time: not a time");
    sink_free(&s);

    /* an empty id cell is rejected, a quote after a closing quote too */
    const char *ids[] = {"id", "id", "column.title", "t"};
    CHECK(parse_text("id,t\n,zonder id\n\"a\"x,b\n\"ok\",\"goed\"\n", &s, &e, &err, ids, 2) == VP_OK);
    CHECK(json_array_size(s.records) == 1);
    CHECK_STR(rec_id(&s, 0), "ok");
    CHECK(json_array_size(s.rejects) == 2);
    CHECK_CONTAINS(reject_msg(&s, 0), "no id");
    CHECK_CONTAINS(reject_msg(&s, 1), "after the closing quote");
    sink_free(&s);

    /* NULL options: defaults, nothing mapped */
    sink_init(&s, &e);
    err = NULL;
    CHECK(csv_parse_text("a,b\n1,2\n", 8, NULL, &e, &err) == VP_OK);
    CHECK(json_array_size(s.records) == 1);
    sink_free(&s);
}

/* ---- goodbooks-10k ---------------------------------------------------- */

static void test_goodbooks(void)
{
    sink s;
    vp_emit e;
    char *err;
    CHECK(parse_with(realdata, "ratings/goodbooks-10k/books.csv", &s, &e, &err, "id", "book_id",
                     "column.title", "title", "column.creators", "authors", "column.isbn", "isbn13",
                     "list_separator", ",", NULL) == VP_OK);
    CHECK(json_array_size(s.records) == 10000);
    CHECK(json_array_size(s.rejects) == 0);
    json_t *f = rec(&s, 0);
    CHECK_STR(rec_id(&s, 0), "1");
    CHECK_STR(f_str(f, "title"), "The Hunger Games (The Hunger Games, #1)");
    CHECK_STR(f_list(f, "creators", 0), "Suzanne Collins");
    CHECK_STR(f_list(f, "isbn", 0), "9.78043902348e+12"); /* passed as written */
    f = rec(&s, 1);
    CHECK_STR(f_str(f, "title"), "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)");
    CHECK(json_array_size(json_object_get(f, "creators")) == 2);
    CHECK_STR(f_list(f, "creators", 1), "Mary GrandPr\xc3\xa9");
    f = rec(&s, 1866);
    CHECK_STR(rec_id(&s, 1866), "1867");
    CHECK_STR(f_list(f, "creators", 0), "Oliver P\xc3\xb6tzsch");
    CHECK(json_object_get(f, "isbn") == NULL); /* an empty cell */
    CHECK_STR(f_str(rec(&s, 2957), "title"), "G\xc3\xb6" "del, Escher, Bach: An Eternal Golden Braid");
    CHECK_STR(rec_id(&s, 9999), "10000");
    CHECK_STR(f_str(json_array_get(s.records, 9999), "where"), "line 10001");
    CHECK_STR(f_str(rec(&s, 9999), "title"), "The First World War");
    sink_free(&s);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test_csv REALDATA_DIR FIXTURE_DIR\n");
        return 2;
    }
    realdata = argv[1];
    fixtures = argv[2];
    test_cp1252();
    test_bom_linebreaks();
    test_bad_rows();
    test_options_and_forms();
    test_goodbooks();
    return check_done();
}
