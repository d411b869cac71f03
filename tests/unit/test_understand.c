/* test_understand.c - what the words of a query name besides what to
 * match, read with the lexicon's data: the school holidays of
 * data/lexicon/schoolvakanties.tsv (its loader's FILE:LINE errors, the
 * holiday words, the region of the place named) and the network's places
 * and branches ("neude": Bibliotheek Neude in Utrecht), on a small network
 * of its own (tests/data/understand/), and the places of the national list
 * (the postcode table of place=, a few of its entries in pc4.json): each
 * rule of when such a name is a place and when it stays a word. The clock
 * is Tuesday 1 December 2026.
 *
 * usage: test_understand VOCABULARY HOLIDAYS NETWORK OFFERINGS.jsonl PC4.json STOPWORDS */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "language_fixture.h"
#include "vindplaats/analysis.h"
#include "vindplaats/geo.h"
#include "vindplaats/index.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/network.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

static int64_t now;

static vp_search_result *run(vp_index *idx, const char *q, unsigned without)
{
    return language_fixture_search(idx, q, now, without);
}

static size_t rank_of(const vp_search_result *res, const char *id)
{
    for (size_t i = 0; res && i < res->n_hits; i++)
        if (strcmp(res->hits[i].id, id) == 0)
            return i + 1;
    return 99;
}

/* ---- the holiday file's loader ---- */

/* Loads a lexicon whose holiday file is `text`; returns the error message
 * (malloc()ed) or NULL when it loaded. */
static char *load_holidays(const char *path, const char *text, unsigned *line)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return NULL;
    fputs(text, f);
    fclose(f);
    vp_lexicon_files files = {NULL, NULL, NULL, NULL, path};
    vp_lexicon *lex = NULL;
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_lexicon_load(&files, NULL, &lex, &err);
    vp_lexicon_destroy(lex);
    CHECK(st == err.status);
    /* The file is a field of the error, not only words in its text. */
    if (st != VP_OK)
        CHECK_STR(err.file, path);
    *line = err.line;
    char *msg = st == VP_OK ? NULL : vp_error_text(&err);
    vp_error_clear(&err);
    return msg;
}

static void test_loader(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/vakanties.tsv", dir);
    static const char good[] =
        "# comment\n"
        "holiday\tkerstvakantie\t2026-2027\tnoord\t2026-12-19\t2027-01-03\tadvies\n"
        "holiday\tzomervakantie\t2026-2027\tzuid\t2027-07-24\t2027-09-05\tverplicht\n"
        "alias\tkerst\tkerstvakantie\n"
        "province\tNoord-Brabant\tzuid,midden\n"
        "municipality\tBerg en Dal\tzuid\n";
    unsigned line = 0;
    char *err = load_holidays(path, good, &line);
    CHECK(err == NULL);
    if (err)
        fprintf(stderr, "  good file: %s\n", err);
    free(err);
    /* Each bad line is named by file and line, the problem said. */
    static const struct {
        const char *line, *says;
    } bad[] = {
        {"holiday\tkerstvakantie\t2026-2027\toost\t2026-12-19\t2027-01-03\tadvies\n", "region"},
        {"holiday\tkerstvakantie\t2026-2027\tnoord\t2026-12-32\t2027-01-03\tadvies\n", "YYYY-MM-DD"},
        {"holiday\tkerstvakantie\t2026-2027\tnoord\t2027-01-03\t2026-12-19\tadvies\n", "ends before"},
        {"holiday\tkerstvakantie\t2026-2028\tnoord\t2026-12-19\t2027-01-03\tadvies\n", "school year"},
        {"holiday\tkerstvakantie\t2026-2027\tnoord\t2025-12-19\t2026-01-03\tadvies\n", "not in the school year"},
        {"holiday\tkerstvakantie\t2026-2027\tnoord\t2026-12-19\t2027-01-03\tmisschien\n", "verplicht or advies"},
        {"holiday\tkerstvakantie\t2026-2027\tnoord\t2026-12-19\n", "expected holiday"},
        {"holiday\tKerst Vakantie\t2026-2027\tnoord\t2026-12-19\t2027-01-03\tadvies\n", "lower-case"},
        {"holiday\tkerstvakantie\t2026-2027\tnoord\t2026-12-19\t2027-01-03\tadvies\n", "twice"},
        {"alias\tkrokus\tvoorjaarsvakantie\n", "no holiday above"},
        {"province\tUtrecht\tmidden,west\n", "regions"},
        {"vakantie\tkerstvakantie\n", "expected a line starting with"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[1024];
        /* The bad line is line 4, after a comment and a good holiday. */
        snprintf(text, sizeof text, "# vakanties\n\nholiday\tkerstvakantie\t2026-2027\tnoord\t"
                                    "2026-12-19\t2027-01-03\tadvies\n%s", bad[i].line);
        err = load_holidays(path, text, &line);
        char where[600];
        snprintf(where, sizeof where, "%s:4: ", path);
        int ok = err && line == 4 && strncmp(err, where, strlen(where)) == 0 &&
                 strstr(err, bad[i].says);
        if (!ok)
            fprintf(stderr, "  bad line %zu: %s\n", i, err ? err : "(loaded)");
        CHECK(ok);
        free(err);
    }
    /* A file without holidays, and one that is not there. */
    err = load_holidays(path, "# nothing\n", &line);
    CHECK(err && strstr(err, "no holidays") && line == 0);
    free(err);
    vp_lexicon_files files = {NULL, NULL, NULL, NULL, "/nonexistent/vakanties.tsv"};
    vp_lexicon *lex = NULL;
    vp_error missing = VP_ERROR_INIT;
    CHECK(vp_lexicon_load(&files, NULL, &lex, &missing) == VP_ERR_IO && lex == NULL);
    CHECK_STR(missing.file, "/nonexistent/vakanties.tsv");
    CHECK(missing.line == 0 && missing.status == VP_ERR_IO);
    vp_error_clear(&missing);
}

/* ---- holiday words ---- */

static void date_is(vp_index *idx, const char *q, const char *text, int from, int to,
                    const char *regions)
{
    vp_search_result *res = run(idx, q, 0);
    const vp_understood *d = NULL;
    for (size_t i = 0; res && i < res->n_understood; i++)
        if (res->understood[i].kind == VP_UNDERSTOOD_DATE)
            d = &res->understood[i];
    int ok = d && d->from_day == from && d->to_day == to && strcmp(d->text, text) == 0 &&
             strcmp(d->value, regions) == 0;
    if (!ok)
        fprintf(stderr, "  %s: %s %d..%d (%s), expected \"%s\" %d..%d (%s)\n", q,
                d ? d->text : "(no date)", d ? d->from_day : 0, d ? d->to_day : 0,
                d ? d->value : "", text, from, to, regions);
    CHECK(ok);
    vp_search_result_destroy(res);
}

static void test_holidays(vp_index *idx, vp_index *without_file)
{
    /* No place: the union of the regions. */
    date_is(idx, "knutselen in de kerstvakantie", "in de kerstvakantie", 20261219, 20270103,
            "noord,midden,zuid");
    /* The May holiday: the fixed week and the advised one before it, which
     * the schools keep. */
    date_is(idx, "knutselen meivakantie", "meivakantie", 20270424, 20270509, "noord,midden,zuid");
    date_is(idx, "knutselen tijdens de voorjaarsvakantie", "tijdens de voorjaarsvakantie",
            20270206, 20270228, "noord,midden,zuid");
    /* Another word for it; a holiday that has passed this year is next year's. */
    date_is(idx, "knutselen krokusvakantie", "krokusvakantie", 20270206, 20270228,
            "noord,midden,zuid");
    date_is(idx, "knutselen herfstvakantie", "herfstvakantie", 20271016, 20271031,
            "noord,midden,zuid");
    date_is(idx, "knutselen zomervakantie", "zomervakantie", 20270710, 20270829,
            "noord,midden,zuid");
    /* A place chooses the region: by its province (Utrecht: midden;
     * Zwolle in Overijssel: noord), or the municipality's own line
     * (Nijmegen keeps the south's weeks, Gelderland mostly the middle's). */
    date_is(idx, "knutselen utrecht voorjaarsvakantie", "voorjaarsvakantie", 20270220, 20270228,
            "midden");
    date_is(idx, "knutselen in zwolle in de voorjaarsvakantie", "in de voorjaarsvakantie",
            20270220, 20270228, "noord");
    date_is(idx, "knutselen nijmegen voorjaarsvakantie", "voorjaarsvakantie", 20270206, 20270214,
            "zuid");
    /* 2027-2028 as the government published it: the autumn week of the
     * north and the middle a week before the south's. */
    date_is(idx, "knutselen zwolle herfstvakantie", "herfstvakantie", 20271016, 20271024, "noord");
    date_is(idx, "knutselen nijmegen herfstvakantie", "herfstvakantie", 20271023, 20271031, "zuid");
    /* Christmas is one fortnight for the three regions. */
    date_is(idx, "knutselen zwolle kerstvakantie", "kerstvakantie", 20261219, 20270103, "noord");
    date_is(idx, "knutselen nijmegen kerstvakantie", "kerstvakantie", 20261219, 20270103, "zuid");
    /* A branch's province counts too. */
    date_is(idx, "knutselen neude voorjaarsvakantie", "voorjaarsvakantie", 20270220, 20270228,
            "midden");

    /* The dates are a preference: what is on in the holiday first, the
     * rest still found. */
    vp_search_result *res = run(idx, "knutselen in de kerstvakantie", 0);
    CHECK(res && rank_of(res, "h:kerst") == 1 && rank_of(res, "h:januari") < 99);
    vp_search_result_destroy(res);
    res = run(idx, "knutselen in de kerstvakantie", VP_WITHOUT_DAY_WORDS);
    CHECK(res && res->n_understood == 0);
    vp_search_result_destroy(res);
    /* Utrecht's spring holiday is the middle's week: Neude's clay first,
     * though Nijmegen's (the south's week) is sooner. */
    res = run(idx, "knutselen met klei in de voorjaarsvakantie in utrecht", 0);
    CHECK(res && rank_of(res, "h:voorjaar-midden") == 1);
    vp_search_result_destroy(res);
    res = run(idx, "knutselen met klei in de voorjaarsvakantie in nijmegen", 0);
    CHECK(res && rank_of(res, "h:voorjaar-zuid") == 1);
    vp_search_result_destroy(res);
    res = run(idx, "knutselen meivakantie", 0);
    CHECK(res && rank_of(res, "h:mei") == 1);
    vp_search_result_destroy(res);

    /* Without a holiday file no holiday word is understood: it is a word. */
    res = run(without_file, "knutselen in de kerstvakantie", 0);
    CHECK(res && res->n_understood == 0);
    vp_search_result_destroy(res);
}

/* ---- places and branches of the network ---- */

static void place_is(vp_index *idx, const char *q, const char *text, const char *value,
                     const char *branch)
{
    vp_search_result *res = run(idx, q, 0);
    const vp_understood *p = NULL;
    for (size_t i = 0; res && i < res->n_understood; i++)
        if (res->understood[i].kind == VP_UNDERSTOOD_PLACE)
            p = &res->understood[i];
    int ok = p && strcmp(p->text, text) == 0 && strcmp(p->value, value) == 0 &&
             strcmp(p->branch, branch) == 0;
    if (!ok)
        fprintf(stderr, "  %s: \"%s\" %s %s, expected \"%s\" %s %s\n", q, p ? p->text : "(no place)",
                p ? p->value : "", p ? p->branch : "", text, value, branch);
    CHECK(ok);
    vp_search_result_destroy(res);
}

static void test_places(vp_index *idx, vp_index *without_network)
{
    place_is(idx, "voorlezen neude", "neude", "utrecht", "utrecht-neude");
    place_is(idx, "voorlezen bibliotheek neude", "bibliotheek neude", "utrecht", "utrecht-neude");
    place_is(idx, "voorlezen in de bibliotheek neude", "in de bibliotheek neude", "utrecht",
             "utrecht-neude");
    place_is(idx, "voorlezen neude utrecht", "neude utrecht", "utrecht", "utrecht-neude");
    place_is(idx, "voorlezen leidsche rijn", "leidsche rijn", "utrecht", "utrecht-leidsche-rijn");
    place_is(idx, "voorlezen marienburg", "marienburg", "nijmegen", "nijmegen-marienburg");
    /* A municipality of the network without offerings in the index. */
    place_is(idx, "voorlezen in leusden", "in leusden", "leusden", "");
    /* A municipality of the index stays one. */
    place_is(idx, "voorlezen utrecht", "utrecht", "utrecht", "");

    /* A branch is a boost, not a filter: Neude's first, Overvecht's (which
     * the words alone put before it) still there, and Zwolle's too. */
    vp_search_result *res = run(idx, "voorlezen met muziek neude", VP_WITHOUT_PLACE_WORDS);
    CHECK(res && res->n_understood == 0);
    vp_search_result_destroy(res);
    res = run(idx, "voorlezen", 0);
    CHECK(res && rank_of(res, "u:zwolle-luid") == 1 && rank_of(res, "u:overvecht") < rank_of(res, "u:neude"));
    vp_search_result_destroy(res);
    res = run(idx, "voorlezen neude", 0);
    CHECK(res && rank_of(res, "u:neude") == 1 && rank_of(res, "u:overvecht") < 99 &&
          rank_of(res, "u:zwolle") < 99);
    /* The branch's town comes next: Overvecht before Zwolle's marathon,
     * which the words alone put first. */
    CHECK(res && rank_of(res, "u:overvecht") < rank_of(res, "u:zwolle-luid"));
    vp_search_result_destroy(res);
    res = run(idx, "voorlezen stadkamer", 0);
    CHECK(res && rank_of(res, "u:zwolle") <= 2 && rank_of(res, "u:zwolle-luid") <= 2 &&
          rank_of(res, "u:neude") < 99);
    vp_search_result_destroy(res);

    /* A name two branches share ("Bibliotheek Centrum") names neither. */
    res = run(idx, "voorlezen centrum", 0);
    CHECK(res && res->n_understood == 0);
    vp_search_result_destroy(res);
    /* A branch alone stays a word, as a town does. */
    res = run(idx, "neude", 0);
    CHECK(res && res->n_understood == 0);
    vp_search_result_destroy(res);
    /* Without the network, a branch name is a word to match. */
    res = run(without_network, "voorlezen neude", 0);
    CHECK(res && res->n_understood == 0);
    vp_search_result_destroy(res);
}

/* ---- places of the national list ---- */

/* The place `q` names, or NULL (and the result, to destroy, in *res). */
static const vp_understood *place_of(vp_index *idx, const char *q, unsigned without,
                                     vp_search_result **res)
{
    *res = run(idx, q, without);
    for (size_t i = 0; *res && i < (*res)->n_understood; i++)
        if ((*res)->understood[i].kind == VP_UNDERSTOOD_PLACE)
            return &(*res)->understood[i];
    return NULL;
}

/* `q` names the place `value` of the national list by the words `text`,
 * near (lat, lon). */
static void national_is(vp_index *idx, const char *q, const char *text, const char *value,
                        double lat, double lon)
{
    vp_search_result *res = NULL;
    const vp_understood *p = place_of(idx, q, 0, &res);
    int ok = p && p->near && strcmp(p->text, text) == 0 && strcmp(p->value, value) == 0 &&
             fabs(p->lat - lat) < 0.02 && fabs(p->lon - lon) < 0.02 && !p->branch[0];
    if (!ok)
        fprintf(stderr, "  %s: \"%s\" %s near %d %.4f,%.4f; expected \"%s\" %s %.4f,%.4f\n", q,
                p ? p->text : "(no place)", p ? p->value : "", p ? p->near : 0, p ? p->lat : 0,
                p ? p->lon : 0, text, value, lat, lon);
    CHECK(ok);
    vp_search_result_destroy(res);
}

/* The place `q` names is labelled `label`. */
static void label_is(vp_index *idx, const char *q, const char *label)
{
    vp_search_result *res = NULL;
    const vp_understood *p = place_of(idx, q, 0, &res);
    int ok = p && strcmp(p->label, label) == 0;
    if (!ok)
        fprintf(stderr, "  %s: label \"%s\", expected \"%s\"\n", q, p ? p->label : "(no place)",
                label);
    CHECK(ok);
    vp_search_result_destroy(res);
}

/* `q` names no place: its words are all words to match. */
static void no_place(vp_index *idx, const char *q)
{
    vp_search_result *res = NULL;
    const vp_understood *p = place_of(idx, q, 0, &res);
    if (p)
        fprintf(stderr, "  %s: took \"%s\" as the place %s\n", q, p->text, p->value);
    CHECK(res && !p);
    vp_search_result_destroy(res);
}

static void test_national(vp_index *idx, vp_index *without_table, const vp_postcodes *table)
{
    /* At the end of the words, or after in/bij/rond/omgeving (which go too). */
    national_is(idx, "taalcafe zeist", "zeist", "zeist", 52.088, 5.240);
    national_is(idx, "taalcafe in zeist", "in zeist", "zeist", 52.088, 5.240);
    national_is(idx, "in zeist taalcafe", "in zeist", "zeist", 52.088, 5.240);
    national_is(idx, "taalcafe bij bilthoven", "bij bilthoven", "bilthoven", 52.125, 5.200);
    national_is(idx, "cursus excel houten", "houten", "houten", 52.029, 5.159);
    /* Elsewhere it is a word: "houten speelgoed" is wooden toys. */
    no_place(idx, "zeist taalcafe");
    no_place(idx, "houten speelgoed");
    /* A word the offerings use ("wie het best tekent") is a search word at
     * the end; after "in" it is the place. */
    no_place(idx, "tekenwedstrijd best");
    national_is(idx, "taalcafe in best", "in best", "best", 51.517, 5.400);
    /* Names of several words, with the dashes and apostrophes of the table. */
    national_is(idx, "digitaal spreekuur bergen op zoom", "bergen op zoom", "bergen op zoom",
                51.497, 4.277);
    national_is(idx, "taalcafe 's-hertogenbosch", "'s hertogenbosch", "'s-hertogenbosch", 51.693,
                5.306);
    national_is(idx, "taalcafe s hertogenbosch", "s hertogenbosch", "'s-hertogenbosch", 51.693,
                5.306);
    /* The everyday name of a place (data/lexicon/plaatsnamen.tsv) names it
     * as its own name does. */
    national_is(idx, "taalcafe den bosch", "den bosch", "'s-hertogenbosch", 51.693, 5.306);
    national_is(idx, "taalcafe in den bosch", "in den bosch", "'s-hertogenbosch", 51.693, 5.306);
    national_is(idx, "voorlezen Den Bosch zaterdag", "den bosch", "'s-hertogenbosch", 51.693,
                5.306);
    /* The label is the place's name as the table writes it, for people. */
    label_is(idx, "taalcafe den bosch", "'s-Hertogenbosch");
    label_is(idx, "taalcafe s hertogenbosch", "'s-Hertogenbosch");
    label_is(idx, "digitaal spreekuur bergen op zoom", "Bergen op Zoom");
    /* A town of the network: the network's name. */
    label_is(idx, "voorlezen in leusden", "Leusden");
    label_is(idx, "voorlezen neude", "Utrecht");
    /* The day and age words are taken first: the place still ends the words. */
    national_is(idx, "voorlezen bilthoven van 5", "bilthoven", "bilthoven", 52.125, 5.200);
    national_is(idx, "taalcafe zeist zaterdag", "zeist", "zeist", 52.088, 5.240);
    /* Words of the index's titles and creators stay words: Lies and Stein
     * are villages, and a book and a writer here. */
    no_place(idx, "big little lies");
    no_place(idx, "garth stein");
    /* Fewer than three letters, a stop word, a name of several places. */
    no_place(idx, "taalcafe ee");
    no_place(idx, "taalcafe in ee");
    no_place(idx, "taalcafe een");
    no_place(idx, "taalcafe scherpenzeel");
    /* The network's names are the network's: a town by its municipality,
     * a branch name two branches share is no place at all. */
    vp_search_result *res = NULL;
    const vp_understood *p = place_of(idx, "voorlezen in leusden", 0, &res);
    CHECK(p && !p->near && strcmp(p->value, "leusden") == 0);
    vp_search_result_destroy(res);
    p = place_of(idx, "voorlezen utrecht", 0, &res);
    CHECK(p && !p->near && strcmp(p->value, "utrecht") == 0);
    vp_search_result_destroy(res);
    /* (Centrum is in the place= table through the network's branches.) */
    double lat, lon;
    CHECK(vp_postcodes_find_place(table, "centrum", &lat, &lon, NULL, NULL, 0) == VP_PLACE_FOUND);
    no_place(idx, "voorlezen centrum");
    /* Alone it stays a word, as a town does; switched off or without the
     * table, too. */
    no_place(idx, "zeist");
    p = place_of(idx, "taalcafe zeist", VP_WITHOUT_PLACE_WORDS, &res);
    CHECK(res && !p);
    vp_search_result_destroy(res);
    no_place(without_table, "taalcafe zeist");

    /* A preference by distance, not a filter: the words alone put Zwolle's
     * taalcafe first; near Zeist Utrecht's comes first, Zwolle's and the
     * online one (no place, near everyone) still found. */
    res = run(idx, "taalcafe", 0);
    CHECK(res && rank_of(res, "t:zwolle") == 1);
    vp_search_result_destroy(res);
    res = run(idx, "taalcafe zeist", 0);
    CHECK(res && rank_of(res, "t:utrecht") == 1 && rank_of(res, "t:zwolle") < 99 &&
          rank_of(res, "t:online") < 99);
    vp_search_result_destroy(res);
    res = run(idx, "taalcafe 's-hertogenbosch", 0);
    CHECK(res && res->n_hits == 3 && !res->any_words);
    vp_search_result_destroy(res);
    res = run(idx, "big little lies", 0);
    CHECK(res && rank_of(res, "b:lies") == 1 && !res->any_words);
    vp_search_result_destroy(res);
}

/* Queries made of place names, their pieces, little words, days, ages and
 * odd characters, in every order (a fixed sequence): whatever is taken,
 * at most one of each kind, its text words of the query, its value
 * printable in a JSON reply, a place of the list in the Netherlands. */
static void test_mixtures(vp_index *idx)
{
    static const char *const parts[] = {
        "taalcafe", "zeist", "in", "bij", "'s", "-", "hertogenbosch", "s", "bergen", "op", "zoom",
        "best", "ee", "een", "lies", "stein", "neude", "centrum", "utrecht", "leusden", "van", "5",
        "zaterdag", "kerstvakantie", "de", "\xc3\xa9", "\"", "zeist-", "'", "bilthoven", "houten",
        "scherpenzeel", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    const size_t n_parts = sizeof parts / sizeof *parts;
    uint32_t x = 12345;
    int bad = 0;
    for (int round = 0; round < 800 && bad < 5; round++) {
        char q[512] = "";
        size_t len = 0;
        x = x * 1103515245u + 12345u;
        int words = 1 + (int)((x >> 16) % 40);
        for (int i = 0; i < words; i++) {
            x = x * 1103515245u + 12345u;
            const char *w = parts[(x >> 16) % n_parts];
            x = x * 1103515245u + 12345u;
            const char *sep = (x >> 16) % 5 == 0 ? "" : " ";
            if (len + strlen(w) + 2 < sizeof q)
                len += (size_t)snprintf(q + len, sizeof q - len, "%s%s", i ? sep : "", w);
        }
        vp_search_result *res = run(idx, q, 0);
        int ok = res != NULL;
        unsigned kinds = 0;
        for (size_t i = 0; res && i < res->n_understood; i++) {
            const vp_understood *u = &res->understood[i];
            ok &= !(kinds & (1u << u->kind)) && u->text[0] != '\0' &&
                  vp_utf8_valid(u->text, strlen(u->text)) && vp_utf8_valid(u->value, strlen(u->value));
            kinds |= 1u << u->kind;
            /* Its first word is a word of q. */
            char first[128];
            snprintf(first, sizeof first, "%.*s", (int)strcspn(u->text, " "), u->text);
            ok &= strstr(q, first) != NULL;
            if (u->near)
                ok &= u->kind == VP_UNDERSTOOD_PLACE && u->lat > 50.7 && u->lat < 53.6 &&
                      u->lon > 3.3 && u->lon < 7.3;
        }
        if (!ok) {
            fprintf(stderr, "  mixture \"%s\" broke the contract\n", q);
            bad++;
        }
        CHECK(ok);
        vp_search_result_destroy(res);
    }
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: test_understand VOCABULARY HOLIDAYS NETWORK OFFERINGS.jsonl "
                        "PC4.json STOPWORDS\n");
        return 2;
    }
    vp_datetime start;
    vp_datetime_parse("2026-12-01T08:00:00+01:00", &start);
    now = start.utc;
    vp_vocabulary *voc = NULL;
    vp_network *net = NULL;
    vp_lexicon *lex = NULL, *bare = NULL;
    vp_error lerr = VP_ERROR_INIT;
    vp_lexicon_files files = {NULL, NULL, argv[6], NULL, argv[2]};
    vp_lexicon_files none = {NULL, NULL, NULL, NULL, NULL};
    if (vp_vocabulary_load(argv[1], &voc, &lerr) != VP_OK ||
        vp_network_load(argv[3], &net, &lerr) != VP_OK ||
        vp_lexicon_load(&files, voc, &lex, &lerr) != VP_OK ||
        vp_lexicon_load(&none, voc, &bare, &lerr) != VP_OK) {
        vp_error_print(stderr, "test_understand", &lerr);
        vp_error_clear(&lerr);
        return 2;
    }
    CHECK(vp_lexicon_set_network(lex, net) == VP_OK);
    /* The place= table, with the network's names, as the server has it. */
    vp_postcodes *pc = NULL;
    if (vp_postcodes_load(argv[5], &pc, &lerr) != VP_OK) {
        vp_error_print(stderr, "test_understand", &lerr);
        vp_error_clear(&lerr);
        return 2;
    }
    CHECK(vp_postcodes_add_network(pc, net) == VP_OK);
    vp_lexicon_set_postcodes(lex, pc);
    /* The lexicon keeps its own copy of the names. */
    vp_network_destroy(net);
    net = NULL;

    char dir[] = "/tmp/vp-test-understand-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    test_loader(dir);
    /* An everyday name of a place, as data/lexicon/plaatsnamen.tsv gives them. */
    char aliases[256];
    snprintf(aliases, sizeof aliases, "%s/plaatsnamen.tsv", dir);
    FILE *af = fopen(aliases, "w");
    if (af) {
        fputs("# other names\nden bosch\t's-Hertogenbosch\n", af);
        fclose(af);
    }
    CHECK(vp_postcodes_add_aliases(pc, aliases, &lerr) == VP_OK);
    vp_error_clear(&lerr);

    char path[256];
    snprintf(path, sizeof path, "%s/index", dir);
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (w) {
        vp_index_set_lexicon(w, lex);
        vp_index_set_clock(w, now);
        language_fixture_put(w, voc, argv[4]);
        CHECK(vp_index_commit(w, NULL) == VP_OK);
        vp_index_close(w);
    }
    vp_index *idx = NULL, *plain = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &plain, NULL) == VP_OK);
    if (idx && plain) {
        vp_index_set_lexicon(idx, lex);
        vp_index_set_lexicon(plain, bare);
        test_holidays(idx, plain);
        test_places(idx, plain);
        test_national(idx, plain, pc);
        test_mixtures(idx);
    }
    vp_index_close(idx);
    vp_index_close(plain);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    vp_lexicon_destroy(lex);
    vp_lexicon_destroy(bare);
    vp_postcodes_destroy(pc);
    vp_vocabulary_destroy(voc);
    return check_done();
}
