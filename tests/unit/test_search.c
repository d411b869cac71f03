/* test_search.c - the engine end to end on a small hand-made network:
 * text analysis, every filter, facets, dates, sorting, paging, snippets,
 * the query syntax and its fallback, replace/delete and fresh readers. */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "language_fixture.h"
#include "vindplaats/analysis.h"
#include "vindplaats/index.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/suggest.h"
#include "vindplaats/vocabulary.h"

static vp_vocabulary *voc;
static vp_lexicon *lex;
static int64_t now; /* 2026-11-01: before every date of the fixture */
static char dir[] = "/tmp/vp-test-search-XXXXXX";

static vp_search_request request(const char *q)
{
    vp_search_request r;
    memset(&r, 0, sizeof r);
    r.q = q;
    r.page = 1;
    r.per_page = 20;
    r.now = now;
    return r;
}

static int has_hit(const vp_search_result *res, const char *id)
{
    for (size_t i = 0; res && i < res->n_hits; i++)
        if (strcmp(res->hits[i].id, id) == 0)
            return 1;
    return 0;
}

static uint64_t total_for(vp_index *idx, const vp_search_request *r)
{
    vp_search_result *res = language_fixture_run(idx, r);
    uint64_t t = res ? res->total : (uint64_t)-1;
    vp_search_result_destroy(res);
    return t;
}

static uint64_t total_q(vp_index *idx, const char *q)
{
    vp_search_request r = request(q);
    return total_for(idx, &r);
}

static uint64_t total_filter(vp_index *idx, vp_field f, const char *v1, const char *v2)
{
    const char *vals[2] = {v1, v2};
    vp_search_request r = request(NULL);
    r.values[f] = vals;
    r.n_values[f] = v2 ? 2 : 1;
    return total_for(idx, &r);
}

static uint64_t facet_count(const vp_search_result *res, vp_field f, const char *value)
{
    for (size_t i = 0; res && i < res->n_facets[f]; i++)
        if (strcmp(res->facets[f][i].value, value) == 0)
            return res->facets[f][i].count;
    return 0;
}

static void test_text(vp_index *idx)
{
    /* "café" in a description, and the compound "Taalcafé". */
    vp_search_request r = request("cafe");
    vp_search_result *res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 2 && has_hit(res, "agenda-utrecht:2") &&
          has_hit(res, "agenda-zwolle:3"));
    /* Each hit comes parsed: its document is the offering shown. */
    for (size_t i = 0; res && i < res->n_hits; i++) {
        const char *id = json_string_value(json_object_get(res->hits[i].doc, "id"));
        CHECK(id && strcmp(id, res->hits[i].id) == 0);
    }
    vp_search_result_destroy(res);

    /* Diacritics folded on both sides. */
    CHECK(total_q(idx, "geïnteresseerd") == 1);
    CHECK(total_q(idx, "geinteresseerd") == 1);
    CHECK(total_q(idx, "CAFÉ") == 2);
    /* Dutch stemming: a plural finds the singular. */
    CHECK(total_q(idx, "telefoons") == 1);
    /* Words are AND-ed; when that finds fewer than three, the offerings with
     * some of the words follow, the one with all of them first. */
    CHECK(total_q(idx, "thriller") == 2);
    vp_search_request r0 = request("thriller luisterboek");
    vp_search_result *r0s = language_fixture_run(idx, &r0);
    CHECK(r0s && r0s->any_words && r0s->total > 1);
    if (r0s && r0s->n_hits)
        CHECK_STR(r0s->hits[0].id, "online-bibliotheek:audio1");
    vp_search_result_destroy(r0s);
    r0.without = VP_WITHOUT_ANY_WORDS;
    CHECK(total_for(idx, &r0) == 1);
    /* Both words are in the index, just never together: none left out. */
    r0.without = 0;
    r0s = language_fixture_run(idx, &r0);
    CHECK(r0s && r0s->any_words && r0s->missing_words == NULL);
    vp_search_result_destroy(r0s);
    /* A word no offering has is named, in the order typed, without the
     * stop words and operators around it. */
    r0 = request("de thriller xylofoon en luisterboek OR zwrtq");
    r0s = language_fixture_run(idx, &r0);
    CHECK(r0s && r0s->any_words && r0s->missing_words && r0s->missing_words[0] &&
          r0s->missing_words[1] && !r0s->missing_words[2]);
    if (r0s && r0s->missing_words && r0s->missing_words[0] && r0s->missing_words[1]) {
        CHECK_STR(r0s->missing_words[0], "xylofoon");
        CHECK_STR(r0s->missing_words[1], "zwrtq");
    }
    vp_search_result_destroy(r0s);
    r0 = request("thriller");
    r0s = language_fixture_run(idx, &r0);
    CHECK(r0s && !r0s->any_words && !r0s->missing_words);
    vp_search_result_destroy(r0s);
    /* Nothing matches a word that is not there. */
    CHECK(total_q(idx, "xylofoonorkest") == 0);

    /* Field weights: a title match weighs more than a match in a compound
     * of the other title and its description (by score: the two are within
     * 5% and both soon, so the sooner one is listed first, ranking.md). */
    vp_ranking by_words = vp_ranking_default;
    by_words.upcoming = 0;
    r = request("smartphone");
    r.ranking = &by_words;
    res = language_fixture_run(idx, &r);
    CHECK(res && res->n_hits == 2);
    if (res && res->n_hits == 2) {
        const vp_search_hit *title = &res->hits[0], *other = &res->hits[1];
        if (strcmp(title->id, "agenda-utrecht:2") != 0) {
            title = &res->hits[1];
            other = &res->hits[0];
        }
        CHECK_STR(title->id, "agenda-utrecht:2");
        CHECK(title->score > other->score);
    }
    vp_search_result_destroy(res);

    /* A snippet marks the matched word, folded and stemmed. */
    r = request("computers");
    res = language_fixture_run(idx, &r);
    CHECK(res && res->n_hits == 1);
    if (res && res->n_hits == 1)
        CHECK_CONTAINS(res->hits[0].snippet, "<mark>computer</mark>");
    vp_search_result_destroy(res);
    r = request("vrijwilligers");
    res = language_fixture_run(idx, &r);
    if (res && res->n_hits == 1)
        CHECK_CONTAINS(res->hits[0].snippet, "<mark>Vrijwilligers</mark>");
    vp_search_result_destroy(res);
}

static void test_quality(vp_index *idx)
{
    /* Compounds split at index time. */
    CHECK(total_q(idx, "ochtend") == 1);
    vp_search_request rv = request("voorlees ochtend");
    rv.without = VP_WITHOUT_ANY_WORDS;
    CHECK(total_for(idx, &rv) == 1);
    CHECK(total_q(idx, "voorleesochtend") == 1);
    /* ...and at query time: "spreekuurhulp" also finds spreekuur + hulp. */
    CHECK(total_q(idx, "smartphonehulp") >= 1);

    /* A local name finds the proposition under every local name. */
    vp_search_request r = request("digicafe");
    vp_search_result *res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 2 && has_hit(res, "agenda-zwolle:1"));
    vp_search_result_destroy(res);
    CHECK(total_q(idx, "Klik en Tik") == 1);
    CHECK(total_q(idx, "ido") == 1);
    /* Synonyms from the data file. */
    CHECK(total_q(idx, "ebook") == 2);
    CHECK(total_q(idx, "audioboek") == 1);

    /* Typos: nothing under the typed spelling, results for the correction. */
    r = request("voorleesochtent");
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 1 && res->corrected_query != NULL);
    if (res && res->corrected_query)
        CHECK_STR(res->corrected_query, "voorleesochtend");
    vp_search_result_destroy(res);
    r = request("thriler");
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 2 && res->corrected_query != NULL);
    vp_search_result_destroy(res);
    r = request("thriller");
    res = language_fixture_run(idx, &r);
    CHECK(res && res->corrected_query == NULL && res->did_you_mean == NULL);
    vp_search_result_destroy(res);
    /* A correction is what a typing slip explains: a neighbouring key for
     * the first letter is one ("rhriller")... */
    r = request("rhriller");
    res = language_fixture_run(idx, &r);
    CHECK(res && res->corrected_query != NULL);
    if (res && res->corrected_query)
        CHECK_STR(res->corrected_query, "thriller");
    vp_search_result_destroy(res);
    /* ...the same again comes from the cache, and says the same. */
    res = language_fixture_run(idx, &r);
    CHECK(res && res->corrected_query && strcmp(res->corrected_query, "thriller") == 0);
    vp_search_result_destroy(res);
    /* ...another first letter two edits away is not ("ipad" is no "stad"),
     * and a word the word list knows is never corrected ("koken" is no
     * "maken", though both are within two edits of the index's words). */
    static const char *const not_corrected[] = {"ipad", "koken", "ipad cursus"};
    for (size_t i = 0; i < sizeof not_corrected / sizeof *not_corrected; i++) {
        r = request(not_corrected[i]);
        res = language_fixture_run(idx, &r);
        CHECK(res && res->corrected_query == NULL && res->did_you_mean == NULL);
        if (res && (res->corrected_query || res->did_you_mean))
            fprintf(stderr, "  %s: corrected to \"%s\"\n", not_corrected[i],
                    res->corrected_query ? res->corrected_query : res->did_you_mean);
        vp_search_result_destroy(res);
    }

    /* A word naming a type ranks that type first without filtering. */
    r = request("thriller boek");
    res = language_fixture_run(idx, &r);
    CHECK(res && res->n_hits >= 2);
    r = request("luisteren OR thriller luisterboek");
    vp_search_result_destroy(res);
    r = request("verborgen luisterboek");
    res = language_fixture_run(idx, &r);
    if (res && res->n_hits)
        CHECK_STR(res->hits[0].id, "online-bibliotheek:audio1");
    vp_search_result_destroy(res);
    r = request("verborgen huis e-book");
    res = language_fixture_run(idx, &r);
    if (res && res->n_hits)
        CHECK_STR(res->hits[0].id, "online-bibliotheek:thriller1");
    vp_search_result_destroy(res);

    /* Only stop words: the browse order. */
    CHECK(total_q(idx, "de het een") == 12);

    /* Zero results say which filter to drop... */
    const char *course[] = {"course"};
    r = request("thriller");
    r.values[VP_FIELD_TYPE] = course;
    r.n_values[VP_FIELD_TYPE] = 1;
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 0 && res->relaxed == VP_FIELD_TYPE && res->relaxed_total == 2);
    vp_search_result_destroy(res);
    r = request(NULL);
    r.from_day = 20270601;
    r.to_day = 20270630;
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 0 && res->relaxed == VP_RELAX_DATES && res->relaxed_total == 12);
    vp_search_result_destroy(res);
    /* ...and which proposition the words point to: the exact word wins over
     * a word that merely starts like one ("taal" of "Punt voor Taal"). */
    const char *ebook[] = {"ebook"};
    r = request("taalcafe");
    r.values[VP_FIELD_TYPE] = ebook;
    r.n_values[VP_FIELD_TYPE] = 1;
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 0 && res->suggested_proposition &&
          strcmp(res->suggested_proposition, "taalcafe") == 0);
    vp_search_result_destroy(res);
    /* Spelling keeps the operators. */
    r = request("thriler OR xylofoon");
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 2 && res->corrected_query);
    vp_search_result_destroy(res);
    r = request("taalhuis");
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 0);
    CHECK(res && res->suggested_proposition && strcmp(res->suggested_proposition, "taalhuis") == 0);
    vp_search_result_destroy(res);
}

static void test_suggest(vp_index *idx)
{
    vp_suggestion *s = NULL;
    size_t n = 0;
    /* Folded and case-insensitive; every kind; counts rank them. */
    const char *prefixes[] = {"voorl", "Vóórl", "VOORL"};
    for (size_t p = 0; p < 3; p++) {
        CHECK(vp_suggest(idx, prefixes[p], 8, &s, &n, NULL) == VP_OK);
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= strcmp(s[i].text, "Voorleesochtend voor peuters") == 0 &&
                     s[i].kind == VP_SUGGEST_TITLE;
        CHECK(found);
        vp_suggestions_free(s, n);
    }
    CHECK(vp_suggest(idx, "digi", 8, &s, &n, NULL) == VP_OK);
    CHECK(n >= 3);
    if (n >= 1) {
        CHECK_STR(s[0].text, "Digitaal spreekuur");
        CHECK(s[0].count == 2 && s[0].kind == VP_SUGGEST_PROPOSITION);
    }
    vp_suggestions_free(s, n);
    CHECK(vp_suggest(idx, "sas", 8, &s, &n, NULL) == VP_OK);
    CHECK(n == 1 && s[0].kind == VP_SUGGEST_CREATOR && s[0].count == 2);
    vp_suggestions_free(s, n);
    /* The limit holds; unknown prefixes find nothing; one character is too few. */
    CHECK(vp_suggest(idx, "di", 2, &s, &n, NULL) == VP_OK);
    CHECK(n == 2);
    vp_suggestions_free(s, n);
    CHECK(vp_suggest(idx, "qqzz", 8, &s, &n, NULL) == VP_OK);
    CHECK(n == 0);
    vp_suggestions_free(s, n);
    /* The parameter refused is a field; the message stays as the API
     * shows it. */
    vp_error err = VP_ERROR_INIT;
    CHECK(vp_suggest(idx, "é", 8, &s, &n, &err) == VP_ERR_INVALID);
    CHECK(err.status == VP_ERR_INVALID && err.parameter && strcmp(err.parameter, "q") == 0);
    CHECK_STR(err.message, "q: type at least 2 characters");
    CHECK_STR(vp_error_code(&err), "invalid_parameter");
    vp_error_clear(&err);
    CHECK(vp_suggest(idx, "a  ", 8, &s, &n, &err) == VP_ERR_INVALID);
    CHECK(err.parameter && strcmp(err.parameter, "q") == 0);
    vp_error_clear(&err);
    CHECK(vp_suggest(idx, "digi", 21, &s, &n, &err) == VP_ERR_INVALID);
    CHECK(err.parameter && strcmp(err.parameter, "limit") == 0);
    CHECK_STR(err.message, "limit: must be from 1 to 20");
    vp_error_clear(&err);
    CHECK(vp_suggest(idx, "digi", 0, &s, &n, NULL) == VP_ERR_INVALID);
}

/* Do handles `a` and `b` answer `prefix` alike, at every limit? */
static int same_suggestions(vp_index *a, vp_index *b, const char *prefix)
{
    int same = 1;
    for (unsigned limit = 1; limit <= VP_SUGGEST_MAX_LIMIT; limit += limit < 8 ? 7 : 12) {
        vp_suggestion *x = NULL, *y = NULL;
        size_t nx = 0, ny = 0;
        vp_status sx = vp_suggest(a, prefix, limit, &x, &nx, NULL);
        vp_status sy = vp_suggest(b, prefix, limit, &y, &ny, NULL);
        same &= sx == sy && nx == ny;
        for (size_t i = 0; same && i < nx; i++)
            same &= strcmp(x[i].text, y[i].text) == 0 && x[i].kind == y[i].kind &&
                    x[i].count == y[i].count;
        if (!same)
            fprintf(stderr, "suggest %s limit %u: the table and the terms differ\n", prefix, limit);
        if (sx == VP_OK)
            vp_suggestions_free(x, nx);
        if (sy == VP_OK)
            vp_suggestions_free(y, ny);
    }
    return same;
}

/* The table answers what reading the terms answers: every prefix of two
 * and three letters or digits, and every prefix of every completion
 * either finds, in any case and with blanks around, at the index `path`
 * (`idx` reads it with the table, a second handle without). */
static void test_suggest_table(vp_index *idx, const char *path)
{
    vp_index *scan = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &scan, NULL) == VP_OK);
    if (!scan)
        return;
    vp_suggest_set_table(scan, 0);
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    size_t compared = 0, differ = 0, found = 0;
    for (size_t i = 0; chars[i]; i++)
        for (size_t j = 0; chars[j]; j++) {
            char two[3] = {chars[i], chars[j], 0};
            differ += !same_suggestions(idx, scan, two);
            compared++;
            vp_suggestion *s = NULL;
            size_t n = 0;
            if (vp_suggest(scan, two, VP_SUGGEST_MAX_LIMIT, &s, &n, NULL) != VP_OK)
                continue;
            for (size_t k = 0; k < n; k++) {
                found++;
                char *folded = vp_text_fold(s[k].text, 1);
                size_t len = folded ? strlen(folded) : 0;
                for (size_t cut = 3; cut <= len && cut <= 24; cut++) {
                    char p[64];
                    snprintf(p, sizeof p, "%.*s", (int)cut, folded);
                    differ += !same_suggestions(idx, scan, p);
                    compared++;
                    if (cut == 4) {
                        snprintf(p, sizeof p, " %.*s ", (int)cut, s[k].text);
                        differ += !same_suggestions(idx, scan, p);
                        compared++;
                    }
                }
                free(folded);
            }
            vp_suggestions_free(s, n);
            for (size_t k = 0; chars[k] && n > 0; k++) {
                char three[4] = {chars[i], chars[j], chars[k], 0};
                differ += !same_suggestions(idx, scan, three);
                compared++;
            }
        }
    CHECK(found >= 30 && compared > 2000);
    CHECK(differ == 0);
    /* The table was there: built once for this version, its short
     * prefixes ranked in advance; the scanning handle holds none. */
    vp_suggest_table_stats ts;
    CHECK(vp_suggest_table_info(idx, &ts) == VP_OK);
    CHECK(ts.terms >= 30 && ts.completions > 0 && ts.completions <= ts.terms && ts.prefixes >= 30 &&
          ts.bytes > 0);
    CHECK(vp_suggest_table_info(scan, &ts) == VP_ERR_NOT_FOUND);
    vp_index_close(scan);
}

/* The same on an index whose completions come in variants: one key in
 * several cases, plurals, hyphens, kinds (fixture `jsonl`, beside
 * `fixture`, and lines of its own). */
static void test_suggest_variants(const char *base, const char *fixture)
{
    char path[512], words[1024];
    snprintf(path, sizeof path, "%s/variants", base);
    snprintf(words, sizeof words, "%.*s/words.jsonl", (int)(strrchr(fixture, '/') - fixture), fixture);
    vp_index *w = NULL, *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    language_fixture_put(w, voc, words);
    /* Title, subject, creator, copies: "Zeil-kamp" and "Zeilkamp" are one
     * form used as often, the first in the terms' order shows. */
    static const struct {
        const char *title, *subject, *creator;
        int copies;
    } lines[] = {
        {"E-book lezen", "Thrillers", "E-books", 1},   {"E-Book lezen", "thriller", "Thriller", 2},
        {"e-book lezen", "Thriller", "E-book lezen", 3}, {"Ebook lezen", "e-books", "ebooks", 1},
        {"ebook lezen", "E-books", "Thrillers", 2},    {"E book lezen", "ebooks", "E-books", 3},
        {"Thriller", "e-book lezen", "Thriller", 1},   {"Thrillers", "thrillers", "Spelletje", 2},
        {"E-books", "Spelletjes", "E-books", 3},        {"Spelletje", "spelletjes", "Zeilkamp", 1},
        {"Zeil-kamp", "zeilkampen", "Zeil-kamp", 2},     {"Zeilkamp", "zeil-kampen", "Zeilkamp", 2},
    };
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        for (int k = 0; k < lines[i].copies; k++) {
            char line[512];
            snprintf(line, sizeof line,
                     "{\"id\":\"test:v%zu-%d\",\"type\":\"event\",\"title\":\"%s\",\"source\":\"test\","
                     "\"subjects\":[\"%s\"],\"creators\":[\"%s\"]}",
                     i, k, lines[i].title, lines[i].subject, lines[i].creator);
            language_fixture_put_line(w, voc, line);
        }
    idx = language_fixture_reader(w, path, voc);
    if (!idx)
        return;
    test_suggest_table(idx, path);
    vp_suggest_table_stats ts;
    CHECK(vp_suggest_table_info(idx, &ts) == VP_OK && ts.completions < ts.terms);
    vp_index_close(idx);
}

/* One of the threads of test_suggest_threads: its own handle on `path`,
 * every prefix asked a few times, each answer compared with the scan's. */
typedef struct suggest_thread {
    const char *path;
    const char *const *prefixes;
    size_t n;
    char **expected; /* the scan's answers, "text|text|..." */
    int differ;
} suggest_thread;

static void suggest_texts(vp_index *idx, const char *prefix, char *out, size_t size);

static void *suggest_thread_run(void *arg)
{
    suggest_thread *st = arg;
    vp_index *idx = NULL;
    if (vp_index_open(st->path, VP_INDEX_READ, voc, &idx, NULL) != VP_OK) {
        st->differ = -1;
        return NULL;
    }
    char texts[2048];
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < st->n; i++) {
            suggest_texts(idx, st->prefixes[i], texts, sizeof texts);
            st->differ += strcmp(texts, st->expected[i]) != 0;
        }
    vp_index_close(idx);
    return NULL;
}

/* Handles of several threads meet a version none has a table for yet, at
 * once: one builds it, the others wait for it or find it, and all answer
 * what the terms answer (run under the sanitizers, this is also the test
 * that handing the table over and freeing it is sound). */
static void test_suggest_threads(const char *path)
{
    static const char *const prefixes[] = {"di", "vo", "sas", "digi", "voorl", "thr", "e-b", "klik"};
    size_t n = sizeof prefixes / sizeof *prefixes;
    char *expected[sizeof prefixes / sizeof *prefixes];
    vp_index *scan = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &scan, NULL) == VP_OK);
    if (!scan)
        return;
    vp_suggest_set_table(scan, 0);
    for (size_t i = 0; i < n; i++) {
        expected[i] = malloc(2048);
        if (expected[i])
            suggest_texts(scan, prefixes[i], expected[i], 2048);
    }
    vp_index_close(scan);
    /* A new version: a commit no table was built for. */
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (w) {
        CHECK(vp_index_set_meta(w, "checkpoint:suggest-threads", "1", NULL) == VP_OK);
        CHECK(vp_index_commit(w, NULL) == VP_OK);
        vp_index_close(w);
    }
    uint64_t misses0 = 0, misses1 = 0;
    vp_suggest_cache_counts(NULL, &misses0);
    suggest_thread th[4];
    pthread_t tid[4];
    for (int t = 0; t < 4; t++) {
        th[t] = (suggest_thread){path, prefixes, n, expected, 0};
        CHECK(pthread_create(&tid[t], NULL, suggest_thread_run, &th[t]) == 0);
    }
    for (int t = 0; t < 4; t++) {
        pthread_join(tid[t], NULL);
        CHECK(th[t].differ == 0);
    }
    vp_suggest_cache_counts(NULL, &misses1);
    CHECK(misses1 > misses0); /* the version was new: somebody built its table */
    for (size_t i = 0; i < n; i++)
        free(expected[i]);
}

/* Puts one offering with `title` and commits. */
static void put_title(vp_index *w, const char *id, const char *title)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"id\":\"%s\",\"type\":\"event\",\"title\":\"%s\",\"source\":\"test\","
             "\"start\":\"2045-06-01T10:00:00+02:00\"}",
             id, title);
    language_fixture_put_line(w, voc, json);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
}

/* The completions of `prefix` as "text|text|...". */
static void suggest_texts(vp_index *idx, const char *prefix, char *out, size_t size)
{
    vp_suggestion *s = NULL;
    size_t n = 0;
    out[0] = '\0';
    CHECK(vp_suggest(idx, prefix, 8, &s, &n, NULL) == VP_OK);
    for (size_t i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? "|" : "", s[i].text);
    vp_suggestions_free(s, n);
}

/* A new revision gets its own table: a completion committed after the
 * table was built is found by every reader at its next suggestion, by one
 * that built the old table and by one that borrowed it; and an index
 * switched in at the same path (a new database at the same revision
 * number) never gets the table of the one it replaced. */
static void test_suggest_revisions(const char *base)
{
    char path[512], other[512], texts[1024];
    snprintf(path, sizeof path, "%s/suggest-a", base);
    snprintf(other, sizeof other, "%s/suggest-b", base);
    vp_index *w = NULL, *r1 = NULL, *r2 = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    put_title(w, "test:zep1", "Zeppelinvaart boven de stad");
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &r1, NULL) == VP_OK);
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &r2, NULL) == VP_OK);
    if (!r1 || !r2)
        return;
    suggest_texts(r1, "ze", texts, sizeof texts);
    CHECK_STR(texts, "Zeppelinvaart boven de stad");
    suggest_texts(r2, "zep", texts, sizeof texts);
    CHECK_STR(texts, "Zeppelinvaart boven de stad");
    uint64_t hits0 = 0, misses0 = 0, hits1 = 0, misses1 = 0;
    vp_suggest_cache_counts(&hits0, &misses0);
    suggest_texts(r2, "zep", texts, sizeof texts);
    vp_suggest_cache_counts(&hits1, &misses1);
    CHECK(hits1 >= hits0 + 1);

    put_title(w, "test:zep2", "Zeppelinbouw voor kinderen");
    suggest_texts(r1, "ze", texts, sizeof texts);
    CHECK_STR(texts, "Zeppelinbouw voor kinderen|Zeppelinvaart boven de stad");
    suggest_texts(r2, "zep", texts, sizeof texts);
    CHECK_STR(texts, "Zeppelinbouw voor kinderen|Zeppelinvaart boven de stad");
    suggest_texts(r2, "zeppelinb", texts, sizeof texts);
    CHECK_STR(texts, "Zeppelinbouw voor kinderen");
    CHECK(vp_index_delete(w, "test:zep1", NULL) == VP_OK);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    suggest_texts(r1, "zeppelin", texts, sizeof texts);
    CHECK_STR(texts, "Zeppelinbouw voor kinderen");
    suggest_texts(r2, "ze", texts, sizeof texts);
    CHECK_STR(texts, "Zeppelinbouw voor kinderen");
    /* Prepared after a commit (as the server's builder does), the table is
     * there when the next suggestion asks, on any handle. */
    put_title(w, "test:zep3", "Zeppelinwerf");
    CHECK(vp_suggest_prepare(r2, NULL) == VP_OK);
    vp_suggest_cache_counts(&hits0, &misses0);
    suggest_texts(r1, "zep", texts, sizeof texts);
    CHECK_STR(texts, "Zeppelinbouw voor kinderen|Zeppelinwerf");
    vp_suggest_cache_counts(&hits1, &misses1);
    CHECK(hits1 == hits0 + 1 && misses1 == misses0);
    CHECK(vp_index_delete(w, "test:zep3", NULL) == VP_OK);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);

    /* Another index built the same way, at the same revision, in the
     * place of the first: its own completions, never the first's. */
    vp_index *w2 = NULL;
    CHECK(vp_index_open(other, VP_INDEX_WRITE, voc, &w2, NULL) == VP_OK);
    if (w2) {
        put_title(w2, "test:zep1", "Zeer oude kaarten");
        put_title(w2, "test:zep2", "Zeilen op het meer");
        CHECK(vp_index_delete(w2, "test:zep1", NULL) == VP_OK);
        CHECK(vp_index_commit(w2, NULL) == VP_OK);
        put_title(w2, "test:zep3", "Zeeslag");
        CHECK(vp_index_delete(w2, "test:zep3", NULL) == VP_OK);
        CHECK(vp_index_commit(w2, NULL) == VP_OK);
        vp_index_close(w2);
    }
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mv '%s' '%s'", path, other, path);
    CHECK(system(cmd) == 0);
    suggest_texts(r1, "ze", texts, sizeof texts);
    CHECK_STR(texts, "Zeilen op het meer");
    vp_index *r3 = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &r3, NULL) == VP_OK);
    if (r3) {
        suggest_texts(r3, "ze", texts, sizeof texts);
        CHECK_STR(texts, "Zeilen op het meer");
        vp_index_close(r3);
    }
    vp_index_close(r1);
    vp_index_close(r2);
}

static void test_time_and_place(vp_index *idx)
{
    /* On 10 January 2027 everything in December has passed. */
    vp_datetime later;
    CHECK(vp_datetime_parse("2027-01-10T12:00:00+01:00", &later) == 0);
    vp_search_request r = request(NULL);
    r.now = later.utc;
    vp_search_result *res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 7);
    CHECK(!has_hit(res, "agenda-utrecht:1") && !has_hit(res, "agenda-utrecht:2"));
    CHECK(has_hit(res, "agenda-eemland:2") && has_hit(res, "online-bibliotheek:thriller1"));
    vp_search_result_destroy(res);
    r.include_past = 1;
    CHECK(total_for(idx, &r) == 12);
    /* The day itself still counts: the lesson of 10 December, on 10 December. */
    CHECK(vp_datetime_parse("2026-12-10T18:00:00+01:00", &later) == 0);
    r = request("klik");
    r.now = later.utc;
    CHECK(total_for(idx, &r) == 1);

    /* Near Zwolle: its three, plus the online ones, which are near everyone. */
    r = request(NULL);
    r.has_near = 1;
    r.near_lat = 52.5168;
    r.near_lon = 6.0830;
    r.radius_km = 10;
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 7);
    CHECK(has_hit(res, "agenda-zwolle:2") && has_hit(res, "online-bibliotheek:audio1"));
    for (size_t i = 0; res && i < res->n_hits; i++)
        if (strncmp(res->hits[i].id, "agenda-zwolle:", 14) == 0)
            CHECK(res->hits[i].distance_km > 0 && res->hits[i].distance_km < 2);
    vp_search_result_destroy(res);
    const char *offline[] = {"offline"};
    r.values[VP_FIELD_CHANNEL] = offline;
    r.n_values[VP_FIELD_CHANNEL] = 1;
    CHECK(total_for(idx, &r) == 2); /* the third one in Zwolle is hybrid */

    /* Nearest first from Amersfoort; offerings without a place last. */
    r = request(NULL);
    r.has_near = 1;
    r.near_lat = 52.1561;
    r.near_lon = 5.3878;
    r.sort = VP_SORT_DISTANCE;
    res = language_fixture_run(idx, &r);
    CHECK(res && res->n_hits == 12);
    if (res && res->n_hits == 12) {
        CHECK(strncmp(res->hits[0].id, "agenda-eemland:", 15) == 0);
        double last = -1;
        for (size_t i = 0; i < 8; i++) {
            CHECK(res->hits[i].distance_km >= last);
            last = res->hits[i].distance_km;
        }
        CHECK(res->hits[11].distance_km < 0);
    }
    vp_search_result_destroy(res);
    r = request(NULL);
    r.sort = VP_SORT_DISTANCE;
    CHECK(vp_search_execute(idx, &r, &res, NULL) == VP_ERR_INVALID);

    /* What residents use most comes first in the browse order, and a little
     * higher for words (a boost, never a filter). */
    vp_scored popular[2] = {{"agenda-zwolle:1", 8.0}, {"agenda-eemland:2", 4.0}};
    r = request(NULL);
    r.popular = popular;
    r.n_popular = 2;
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 12);
    if (res && res->n_hits >= 2) {
        CHECK_STR(res->hits[0].id, "agenda-zwolle:1");
        CHECK_STR(res->hits[1].id, "agenda-eemland:2");
    }
    vp_search_result_destroy(res);
    r.q = "thriller";
    CHECK(total_for(idx, &r) == 2);

    /* Own library first, without hiding the rest of the network. */
    r = request(NULL);
    r.prefer_library = "bibliotheek-eemland";
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 12);
    if (res && res->n_hits >= 3)
        for (size_t i = 0; i < 3; i++)
            CHECK(strncmp(res->hits[i].id, "agenda-eemland:", 15) == 0);
    vp_search_result_destroy(res);
    r.q = "thriller";
    CHECK(total_for(idx, &r) == 2);
}

static void test_syntax(vp_index *idx)
{
    CHECK(total_q(idx, "\"de basis van de computer\"") == 1);
    CHECK(total_q(idx, "\"computer de basis\"") == 0);
    CHECK(total_q(idx, "titel:huis") == 2);
    CHECK(total_q(idx, "titel:thriller") == 0);
    CHECK(total_q(idx, "onderwerp:roman") == 1);
    CHECK(total_q(idx, "maker:noort") == 2);
    CHECK(total_q(idx, "type:ebook") == 2);
    CHECK(total_q(idx, "bibliotheek:bibliotheek-zwolle") == 3);
    CHECK(total_q(idx, "huis type:audiobook") == 1);
    CHECK(total_q(idx, "thriller NOT luisterboek") == 1);
    CHECK(total_q(idx, "thriller OR roman") == 3);
    CHECK(total_q(idx, "comput*") == 1);

    /* Syntax Xapian rejects falls back to plain words, flagged. */
    vp_search_request r = request("thriller AND OR");
    vp_search_result *res = language_fixture_run(idx, &r);
    CHECK(res && res->query_fallback == 1);
    vp_search_result_destroy(res);
    r = request("thriller");
    res = language_fixture_run(idx, &r);
    CHECK(res && res->query_fallback == 0);
    vp_search_result_destroy(res);

    /* Only punctuation, or nothing: the browse order, everything. */
    CHECK(total_q(idx, "!!! ???") == 12);
    CHECK(total_q(idx, "") == 12);
    CHECK(total_q(idx, NULL) == 12);
}

static void test_filters(vp_index *idx)
{
    CHECK(total_filter(idx, VP_FIELD_TYPE, "activity", NULL) == 2);
    CHECK(total_filter(idx, VP_FIELD_TYPE, "activity", "event") == 5);
    CHECK(total_filter(idx, VP_FIELD_LIBRARY, "bibliotheek-zwolle", NULL) == 3);
    CHECK(total_filter(idx, VP_FIELD_BRANCH, "utrecht-overvecht", NULL) == 1);
    CHECK(total_filter(idx, VP_FIELD_MUNICIPALITY, "Zwolle", NULL) == 3);
    CHECK(total_filter(idx, VP_FIELD_MUNICIPALITY, "zwolle", NULL) == 3);
    CHECK(total_filter(idx, VP_FIELD_PROPOSITION, "e-books", NULL) == 2);
    /* The societal task comes from the vocabulary when a record has none. */
    CHECK(total_filter(idx, VP_FIELD_SOCIETAL_TASK, "informatiesamenleving", NULL) == 5);
    CHECK(total_filter(idx, VP_FIELD_AUDIENCE, "peuter", NULL) == 1);
    CHECK(total_filter(idx, VP_FIELD_AUDIENCE, "peuter", "nieuwkomers") == 2);
    CHECK(total_filter(idx, VP_FIELD_CHANNEL, "online", NULL) == 4);
    CHECK(total_filter(idx, VP_FIELD_LANGUAGE, "en", NULL) == 1);
    CHECK(total_filter(idx, VP_FIELD_LIBRARY, "bibliotheek-nergens", NULL) == 0);

    /* Different fields are AND-ed. */
    const char *type[] = {"activity"}, *lib[] = {"bibliotheek-zwolle"};
    vp_search_request r = request(NULL);
    r.values[VP_FIELD_TYPE] = type;
    r.n_values[VP_FIELD_TYPE] = 1;
    r.values[VP_FIELD_LIBRARY] = lib;
    r.n_values[VP_FIELD_LIBRARY] = 1;
    CHECK(total_for(idx, &r) == 1);
    /* Text and filter together. */
    r.q = "smartphone";
    CHECK(total_for(idx, &r) == 1);
    r.q = "thriller";
    CHECK(total_for(idx, &r) == 0);
}

static void test_facets(vp_index *idx)
{
    vp_search_request r = request(NULL);
    r.facets = (1u << VP_FACET_COUNT) - 1;
    vp_search_result *res = language_fixture_run(idx, &r);
    CHECK(res && res->total_exact);
    CHECK(facet_count(res, VP_FIELD_TYPE, "course") == 3);
    CHECK(facet_count(res, VP_FIELD_TYPE, "event") == 3);
    CHECK(facet_count(res, VP_FIELD_TYPE, "activity") == 2);
    CHECK(facet_count(res, VP_FIELD_TYPE, "ebook") == 2);
    CHECK(facet_count(res, VP_FIELD_LIBRARY, "bibliotheek-utrecht") == 3);
    CHECK(facet_count(res, VP_FIELD_AUDIENCE, "senioren") == 4);
    CHECK(facet_count(res, VP_FIELD_AUDIENCE, "volwassenen") == 6);
    CHECK(facet_count(res, VP_FIELD_CHANNEL, "hybrid") == 1);
    CHECK(facet_count(res, VP_FIELD_PROPOSITION, "digitaal-spreekuur") == 2);
    /* Ordered by count, then value. */
    if (res && res->n_facets[VP_FIELD_AUDIENCE] > 1)
        CHECK_STR(res->facets[VP_FIELD_AUDIENCE][0].value, "volwassenen");
    vp_search_result_destroy(res);

    /* A filtered facet keeps its siblings' counts; the others follow the filter. */
    const char *type[] = {"course"};
    r.values[VP_FIELD_TYPE] = type;
    r.n_values[VP_FIELD_TYPE] = 1;
    res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 3);
    CHECK(facet_count(res, VP_FIELD_TYPE, "activity") == 2);
    CHECK(facet_count(res, VP_FIELD_TYPE, "course") == 3);
    CHECK(facet_count(res, VP_FIELD_LIBRARY, "bibliotheek-utrecht") == 1);
    CHECK(facet_count(res, VP_FIELD_LIBRARY, "de-online-bibliotheek") == 0);
    CHECK(facet_count(res, VP_FIELD_CHANNEL, "hybrid") == 1);
    vp_search_result_destroy(res);

    /* Facets follow the text query. */
    r = request("thriller");
    r.facets = 1u << VP_FIELD_TYPE;
    res = language_fixture_run(idx, &r);
    CHECK(facet_count(res, VP_FIELD_TYPE, "ebook") == 1);
    CHECK(facet_count(res, VP_FIELD_TYPE, "audiobook") == 1);
    CHECK(res && res->n_facets[VP_FIELD_TYPE] == 2);
    CHECK(res && res->n_facets[VP_FIELD_LIBRARY] == 0);
    vp_search_result_destroy(res);
}

static uint64_t total_dates(vp_index *idx, int from, int to)
{
    vp_search_request r = request(NULL);
    r.from_day = from;
    r.to_day = to;
    return total_for(idx, &r);
}

static void test_dates(vp_index *idx)
{
    /* December: two occurrences, one event, one all-day, one across midnight. */
    CHECK(total_dates(idx, 20261201, 20261231) == 4);
    /* Between the two lessons of agenda-utrecht:1 only the codeclub. */
    vp_search_request r = request(NULL);
    r.from_day = 20261204;
    r.to_day = 20261209;
    vp_search_result *res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 1 && has_hit(res, "agenda-utrecht:3"));
    vp_search_result_destroy(res);
    /* The event across midnight touches New Year's Day too. */
    CHECK(total_dates(idx, 20270101, 20270101) == 1);
    /* Between two occurrences of a course there is nothing. */
    CHECK(total_dates(idx, 20270315, 20270320) == 0);
    CHECK(total_dates(idx, 20270329, 20270329) == 1);
    /* Open-ended ranges. */
    CHECK(total_dates(idx, 20270101, 0) == 5);
    CHECK(total_dates(idx, 0, 20261203) == 1);
    /* Spanning a year boundary and whole months. */
    CHECK(total_dates(idx, 20261215, 20270228) == 5);

    /* Validation of the request. */
    r = request(NULL);
    r.from_day = 20270101;
    r.to_day = 20261231;
    vp_error err = VP_ERROR_INIT;
    vp_search_result *none = NULL;
    CHECK(vp_search_execute(idx, &r, &none, &err) == VP_ERR_INVALID);
    CHECK_CONTAINS(err.message, "to:");
    vp_error_clear(&err);
    r.from_day = 20260231;
    r.to_day = 0;
    CHECK(vp_search_execute(idx, &r, &none, &err) == VP_ERR_INVALID);
    CHECK_CONTAINS(err.message, "from:");
    vp_error_clear(&err);
    CHECK(none == NULL);
}

static void test_sort_and_paging(vp_index *idx)
{
    vp_search_request r = request(NULL);
    r.sort = VP_SORT_DATE;
    vp_search_result *res = language_fixture_run(idx, &r);
    CHECK(res && res->n_hits == 12);
    if (res && res->n_hits == 12) {
        CHECK_STR(res->hits[0].id, "agenda-utrecht:1");
        CHECK_STR(res->hits[1].id, "agenda-utrecht:3");
        /* All-day 31 December (midnight UTC) before 23:30 local that day. */
        CHECK_STR(res->hits[2].id, "agenda-eemland:1");
        CHECK_STR(res->hits[3].id, "agenda-zwolle:1");
        /* The undated ones come last. */
        for (size_t i = 8; i < 12; i++) {
            const char *id = res->hits[i].id;
            CHECK(strncmp(id, "online-bibliotheek:", 19) == 0 || strcmp(id, "agenda-eemland:2") == 0);
        }
    }
    vp_search_result_destroy(res);

    /* Pages of 5 cover everything once. */
    int seen = 0;
    char *ids[12] = {0};
    for (unsigned page = 1; page <= 3; page++) {
        r = request(NULL);
        r.per_page = 5;
        r.page = page;
        res = language_fixture_run(idx, &r);
        CHECK(res && res->total == 12);
        CHECK(res && res->n_hits == (page < 3 ? 5u : 2u));
        for (size_t i = 0; res && i < res->n_hits; i++) {
            for (int j = 0; j < seen; j++)
                CHECK(strcmp(ids[j], res->hits[i].id) != 0);
            if (seen < 12)
                ids[seen++] = strdup(res->hits[i].id);
        }
        vp_search_result_destroy(res);
    }
    CHECK(seen == 12);
    for (int j = 0; j < seen; j++)
        free(ids[j]);
    /* Past the end: an empty page, not an error. */
    r = request(NULL);
    r.per_page = 10;
    r.page = 5;
    res = language_fixture_run(idx, &r);
    CHECK(res && res->n_hits == 0 && res->total == 12);
    vp_search_result_destroy(res);

    /* Limits. */
    vp_error perr = VP_ERROR_INIT;
    r.page = 0;
    CHECK(vp_search_execute(idx, &r, &res, &perr) == VP_ERR_INVALID);
    CHECK_CONTAINS(perr.message, "page:");
    vp_error_clear(&perr);
    r.page = 1;
    r.per_page = 101;
    CHECK(vp_search_execute(idx, &r, &res, &perr) == VP_ERR_INVALID);
    CHECK_CONTAINS(perr.message, "per_page:");
    vp_error_clear(&perr);
    r.per_page = 100;
    r.page = 101;
    /* The engine names the parameter itself: no "param: message" text to
     * take apart. */
    CHECK(vp_search_execute(idx, &r, &res, &perr) == VP_ERR_INVALID);
    CHECK_STR(perr.parameter, "page");
    CHECK_STR(perr.code, "invalid_parameter");
    CHECK_CONTAINS(perr.message, "page * per_page");
    vp_error_clear(&perr);
    r = request(NULL);
    r.from_day = 20270301;
    r.to_day = 20270201;
    CHECK(vp_search_execute(idx, &r, &res, &perr) == VP_ERR_INVALID);
    CHECK_STR(perr.parameter, "to");
    /* The API's error object names the field from the same value. */
    json_t *j = vp_error_json(&perr);
    CHECK_STR(json_string_value(json_object_get(j, "parameter")), "to");
    CHECK_STR(json_string_value(json_object_get(j, "code")), "invalid_parameter");
    json_decref(j);
    vp_error_clear(&perr);
}

/* Hiding the past reads the end-of-offering terms of an index begun empty
 * with them, and the day, month and year terms of an older one: both hide
 * the same offerings, whatever the day. */
/* Hiding the past three ways gives the same totals: the live term (with
 * the end days since the index's live day), the end terms, and the day,
 * month and year terms of an index that has neither. */
static void test_past_terms(const char *path)
{
    /* The fixture was written at 2026-11-01: the live term alone on that
     * day, with end days excluded up to a month on, the end terms after. */
    static const char *const days[] = {"2026-01-01T12:00:00Z", "2026-11-01T12:00:00Z",
                                       "2026-11-02T12:00:00Z", "2026-11-15T12:00:00Z",
                                       "2026-11-30T12:00:00Z", "2026-12-31T12:00:00Z",
                                       "2027-06-01T12:00:00Z", "2031-01-01T12:00:00Z"};
    enum { N_DAYS = sizeof days / sizeof days[0] };
    static const char *const marks[] = {"vindplaats:live-from", "vindplaats:end-terms"};
    uint64_t totals[3][N_DAYS];
    char *mark = NULL;
    vp_index *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    CHECK(idx && vp_index_get_meta(idx, "vindplaats:end-terms", &mark, NULL) == VP_OK);
    CHECK(mark && strcmp(mark, "1") == 0);
    free(mark);
    mark = NULL;
    CHECK(idx && vp_index_get_meta(idx, "vindplaats:live-from", &mark, NULL) == VP_OK);
    CHECK(mark && strcmp(mark, "20261101") == 0);
    free(mark);
    for (int k = 0; idx && k < 3; k++) {
        for (size_t i = 0; i < N_DAYS; i++) {
            vp_datetime d;
            vp_datetime_parse(days[i], &d);
            vp_search_request r = request(NULL);
            r.now = d.utc;
            r.per_page = 1;
            r.facets = 1u << VP_FIELD_TYPE; /* exact totals */
            totals[k][i] = total_for(idx, &r);
        }
        if (k == 2)
            break;
        /* The same index as an older writer left it: first without the
         * live day, then without the end terms too. */
        vp_index *w = NULL;
        CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
        CHECK(w && vp_index_set_meta(w, marks[k], "", NULL) == VP_OK &&
              vp_index_commit(w, NULL) == VP_OK);
        vp_index_close(w);
    }
    vp_index_close(idx);
    for (size_t i = 0; i < N_DAYS; i++) {
        CHECK(totals[0][i] == totals[2][i]);
        CHECK(totals[1][i] == totals[2][i]);
    }
    /* ...and the days chosen tell past from upcoming. */
    CHECK(totals[0][0] > totals[0][5] && totals[0][5] > totals[0][7]);
}

/* A refresh moves the live day on: offerings that ended before it lose
 * their live term, and a writer with an earlier clock moves it back. */
static void test_live_refresh(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/live", dir);
    vp_datetime d1, d20, d25, d40;
    vp_datetime_parse("2026-11-01T12:00:00+01:00", &d1);
    vp_datetime_parse("2026-11-20T12:00:00+01:00", &d20);
    vp_datetime_parse("2026-11-25T12:00:00+01:00", &d25);
    vp_datetime_parse("2026-12-10T12:00:00+01:00", &d40);
    static const char *const docs[] = {
        "{\"id\":\"test:live-1\",\"type\":\"event\",\"title\":\"Ganzenbordmiddag\","
        "\"source\":\"test\",\"start\":\"2026-11-10T14:00:00+01:00\"}",
        "{\"id\":\"test:live-2\",\"type\":\"event\",\"title\":\"Ganzenbordavond\","
        "\"source\":\"test\",\"start\":\"2026-11-22T19:00:00+01:00\"}",
        "{\"id\":\"test:live-3\",\"type\":\"event\",\"title\":\"Ganzenbordochtend\","
        "\"source\":\"test\",\"start\":\"2026-12-20T10:00:00+01:00\"}"};
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    vp_index_set_lexicon(w, lex);
    vp_index_set_clock(w, d1.utc);
    for (size_t i = 0; i < 3; i++) {
        vp_offering *o = NULL;
        CHECK(vp_offering_parse(docs[i], strlen(docs[i]), voc, &o, NULL) == VP_OK);
        CHECK(o && vp_index_put(w, o, NULL) == VP_OK);
        vp_offering_destroy(o);
    }
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_index *r = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &r, NULL) == VP_OK);
    if (!r) {
        vp_index_close(w);
        return;
    }
    vp_index_set_lexicon(r, lex);
    vp_search_request q = request("ganzenbord*");
    q.now = d20.utc; /* the first has ended, on a day the live term still covers */
    CHECK(total_for(r, &q) == 2);
    vp_index_set_clock(w, d25.utc);
    uint64_t moved = 0;
    CHECK(vp_index_refresh_dates(w, &moved, NULL) == VP_OK);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    q.now = d25.utc; /* the live term alone: the second ended on the 22nd */
    CHECK(total_for(r, &q) == 1);
    char *mark = NULL; /* read after the search has reopened the reader */
    CHECK(vp_index_get_meta(r, "vindplaats:live-from", &mark, NULL) == VP_OK);
    CHECK(mark && strcmp(mark, "20261125") == 0);
    free(mark);
    q.now = d40.utc;
    CHECK(total_for(r, &q) == 1);
    q.now = d20.utc; /* before the live day: the end terms answer */
    CHECK(total_for(r, &q) == 2);
    /* A writer whose clock is behind moves the live day back. */
    vp_index_set_clock(w, d1.utc);
    vp_offering *o = NULL;
    CHECK(vp_offering_parse(docs[0], strlen(docs[0]), voc, &o, NULL) == VP_OK);
    CHECK(o && vp_index_put(w, o, NULL) == VP_OK);
    vp_offering_destroy(o);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    q.now = d25.utc;
    CHECK(total_for(r, &q) == 1);
    mark = NULL;
    CHECK(vp_index_get_meta(r, "vindplaats:live-from", &mark, NULL) == VP_OK);
    CHECK(mark && strcmp(mark, "20261101") == 0);
    free(mark);
    vp_index_close(r);
    vp_index_close(w);
}

/* The soon boost from each offering's day spans weighs every offering as
 * the date terms it replaces did: the same hits, in the same order, with
 * the same scores, on the same index with the spans' mark taken away (as
 * an older writer leaves it), at several clocks, with and without the past.
 * Each has a title of its own, so that no two make one series. */
static void test_soon_spans(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/soon", dir);
    static const char *const docs[] = {
        "{\"id\":\"s:early\",\"type\":\"event\",\"title\":\"Schaakles alfa\",\"source\":\"s\","
        "\"start\":\"2026-12-02T14:00:00+01:00\"}",
        "{\"id\":\"s:today\",\"type\":\"event\",\"title\":\"Schaakles bravo\",\"source\":\"s\","
        "\"start\":\"2026-12-10T19:00:00+01:00\"}",
        "{\"id\":\"s:week\",\"type\":\"event\",\"title\":\"Schaakles charlie\",\"source\":\"s\","
        "\"start\":\"2026-12-17T10:00:00+01:00\"}",
        "{\"id\":\"s:eight\",\"type\":\"event\",\"title\":\"Schaakles delta\",\"source\":\"s\","
        "\"start\":\"2026-12-18T10:00:00+01:00\"}",
        "{\"id\":\"s:fortnight\",\"type\":\"event\",\"title\":\"Schaakles echo\",\"source\":\"s\","
        "\"start\":\"2026-12-24T10:00:00+01:00\"}",
        "{\"id\":\"s:january\",\"type\":\"event\",\"title\":\"Schaakles foxtrot\",\"source\":\"s\","
        "\"start\":\"2027-01-31T23:30:00+01:00\"}",
        "{\"id\":\"s:march\",\"type\":\"event\",\"title\":\"Schaakles golf\",\"source\":\"s\","
        "\"start\":\"2027-03-01T00:30:00+01:00\"}",
        "{\"id\":\"s:june\",\"type\":\"event\",\"title\":\"Schaakles hotel\",\"source\":\"s\","
        "\"start\":\"2027-06-12T10:00:00+02:00\"}",
        /* Long: whole months and blocks; an end at midnight. */
        "{\"id\":\"s:exhibition\",\"type\":\"event\",\"title\":\"Schaakles india\",\"source\":\"s\","
        "\"start\":\"2026-11-25T10:00:00+01:00\",\"end\":\"2027-02-14T00:00:00+01:00\"}",
        "{\"id\":\"s:spring\",\"type\":\"event\",\"title\":\"Schaakles juliet\",\"source\":\"s\","
        "\"start\":\"2027-02-11T10:00:00+01:00\",\"end\":\"2027-05-20T17:00:00+02:00\"}",
        /* Recurring: out of order, overlapping, one past. */
        "{\"id\":\"s:weekly\",\"type\":\"course\",\"title\":\"Schaakles kilo\",\"source\":\"s\","
        "\"occurrences\":[{\"start\":\"2027-01-20T19:00:00+01:00\"},"
        "{\"start\":\"2026-11-30T19:00:00+01:00\"},"
        "{\"start\":\"2027-01-06T19:00:00+01:00\",\"end\":\"2027-01-08T21:00:00+01:00\"},"
        "{\"start\":\"2027-01-07T19:00:00+01:00\"},"
        "{\"start\":\"2027-03-31T19:00:00+02:00\"}]}",
        "{\"id\":\"s:undated\",\"type\":\"book\",\"title\":\"Schaakles lima\",\"source\":\"s\"}"};
    enum { N_DOCS = sizeof docs / sizeof docs[0] };
    static const char *const clocks[] = {"2026-12-10T12:00:00+01:00", "2026-12-31T23:30:00+01:00",
                                         "2027-01-01T00:30:00+01:00", "2027-02-27T09:00:00+01:00"};
    enum { N_CLOCKS = sizeof clocks / sizeof clocks[0] };
    vp_datetime written;
    vp_datetime_parse(clocks[0], &written);
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (!w)
        return;
    vp_index_set_lexicon(w, lex);
    vp_index_set_clock(w, written.utc);
    for (size_t i = 0; i < N_DOCS; i++) {
        vp_offering *o = NULL;
        CHECK(vp_offering_parse(docs[i], strlen(docs[i]), voc, &o, NULL) == VP_OK);
        CHECK(o && vp_index_put(w, o, NULL) == VP_OK);
        vp_offering_destroy(o);
    }
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    char ids[2][2 * N_CLOCKS][N_DOCS][32];
    double scores[2][2 * N_CLOCKS][N_DOCS];
    size_t found[2][2 * N_CLOCKS];
    memset(ids, 0, sizeof ids);
    for (int k = 0; k < 2; k++) {
        char *mark = NULL;
        CHECK(vp_index_get_meta(w, "vindplaats:day-spans", &mark, NULL) == VP_OK);
        CHECK(mark && strcmp(mark, k == 0 ? "1" : "") == 0);
        free(mark);
        vp_index *r = NULL;
        CHECK(vp_index_open(path, VP_INDEX_READ, voc, &r, NULL) == VP_OK);
        if (!r)
            break;
        vp_index_set_lexicon(r, lex);
        for (int c = 0; c < 2 * N_CLOCKS; c++) {
            vp_datetime d;
            vp_datetime_parse(clocks[c / 2], &d);
            vp_search_request q = request("schaakles");
            q.now = d.utc;
            q.include_past = c % 2;
            vp_search_result *res = language_fixture_run(r, &q);
            found[k][c] = res ? res->n_hits : 0;
            for (size_t i = 0; res && i < res->n_hits && i < N_DOCS; i++) {
                snprintf(ids[k][c][i], sizeof ids[k][c][i], "%s", res->hits[i].id);
                scores[k][c][i] = res->hits[i].score;
            }
            vp_search_result_destroy(res);
        }
        vp_index_close(r);
        /* The same index as a writer without day spans leaves it. */
        if (k == 0)
            CHECK(vp_index_set_meta(w, "vindplaats:day-spans", "", NULL) == VP_OK &&
                  vp_index_commit(w, NULL) == VP_OK);
    }
    vp_index_close(w);
    for (int c = 0; c < 2 * N_CLOCKS; c++) {
        CHECK(found[0][c] == found[1][c] && found[0][c] > 0);
        for (size_t i = 0; i < found[0][c] && i < N_DOCS; i++) {
            CHECK(strcmp(ids[0][c][i], ids[1][c][i]) == 0);
            double diff = scores[0][c][i] - scores[1][c][i];
            CHECK(diff < 1e-9 && diff > -1e-9);
        }
    }
    /* ...and the boost is there to compare: at the first clock the event of
     * tonight stands above the one in June, the past hidden or not. */
    for (int c = 0; c < 2; c++) {
        int today = -1, june = -1;
        for (size_t i = 0; i < found[0][c] && i < N_DOCS; i++) {
            if (strcmp(ids[0][c][i], "s:today") == 0)
                today = (int)i;
            if (strcmp(ids[0][c][i], "s:june") == 0)
                june = (int)i;
        }
        CHECK(today >= 0 && june >= 0 && scores[0][c][today] > scores[0][c][june]);
    }
}

/* free=true: offerings without a price or at 0, on an index whose writer
 * marked them; a search that finds nothing only because of it says so. An
 * older index refuses it rather than find nothing. */
static void test_free(const char *path)
{
    static const char *const docs[] = {
        "{\"id\":\"t:paid\",\"type\":\"course\",\"title\":\"Fotografie voor gevorderden\","
        "\"source\":\"t\",\"price\":{\"amount\":15,\"currency\":\"EUR\"}}",
        "{\"id\":\"t:zero\",\"type\":\"course\",\"title\":\"Digicafe\",\"source\":\"t\","
        "\"price\":{\"amount\":0,\"currency\":\"EUR\"}}",
        "{\"id\":\"t:none\",\"type\":\"service\",\"title\":\"Taalhuis\",\"source\":\"t\"}",
    };
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    for (size_t i = 0; w && i < 3; i++) {
        vp_offering *o = NULL;
        CHECK(vp_offering_parse(docs[i], strlen(docs[i]), voc, &o, NULL) == VP_OK);
        CHECK(o && vp_index_put(w, o, NULL) == VP_OK);
        vp_offering_destroy(o);
    }
    CHECK(w && vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);
    vp_index *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    if (!idx)
        return;
    vp_search_request r = request(NULL);
    CHECK(total_for(idx, &r) == 3);
    r.free_only = 1;
    CHECK(total_for(idx, &r) == 2);
    r.q = "fotografie";
    vp_search_result *res = language_fixture_run(idx, &r);
    CHECK(res && res->total == 0 && res->relaxed == VP_RELAX_FREE && res->relaxed_total == 1);
    vp_search_result_destroy(res);
    r.q = "digicafe";
    CHECK(total_for(idx, &r) == 1);
    vp_index_close(idx);
    /* The same index as a writer before free offerings were marked left it. */
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    CHECK(w && vp_index_set_meta(w, "vindplaats:free-terms", "", NULL) == VP_OK &&
          vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    vp_error err = VP_ERROR_INIT;
    res = NULL;
    CHECK(idx && vp_search_execute(idx, &r, &res, &err) == VP_ERR_NOT_FOUND);
    /* The old index cannot answer the parameter free: named as a field. */
    CHECK_STR(err.parameter, "free");
    CHECK_CONTAINS(err.message, "rebuild it to use free=true");
    vp_error_clear(&err);
    vp_search_result_destroy(res);
    vp_index_close(idx);
}

/* Search parameters as a query string, validated once by the engine for
 * the server, saved searches and the benchmark alike. */
static void test_request_parse(void)
{
    static const struct {
        const char *query, *parameter, *code, *message;
    } bad[] = {
        {"q=a&page=0", "page", "invalid_parameter", "page: must be a whole number from 1 to 10000"},
        {"q=a&q=b", "q", "invalid_parameter", "q: given more than once"},
        {"q=a&colour=red", "colour", "unknown_parameter", "unknown parameter \"colour\""},
        {"type=boat", "type", "invalid_parameter", "type: unknown value \"boat\""},
        {"proposition=nope", "proposition", "invalid_parameter", "proposition: unknown proposition"},
        {"from=2027-02-30", "from", "invalid_parameter", "from: must be a date YYYY-MM-DD"},
        {"radius_km=5", "radius_km", "invalid_parameter", "radius_km: needs near, postcode or place"},
        {"facets=type,colour", "facets", "invalid_parameter", "facets: unknown facet \"colour\""},
        {"sort=distance", "sort", "invalid_parameter", "sort: sort=distance needs near, postcode or place"},
        {"q=%zz", "", "invalid_parameter", "bad percent-encoding"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vp_search_params *sp = NULL;
        vp_error perr = VP_ERROR_INIT;
        CHECK(vp_search_params_parse_query(bad[i].query, voc, NULL, &sp, &perr) == VP_ERR_INVALID);
        CHECK(sp == NULL);
        /* The request as a whole at fault names no parameter. */
        CHECK_STR(perr.parameter ? perr.parameter : "", bad[i].parameter);
        CHECK(!perr.parameter || perr.parameter[0]);
        CHECK_STR(vp_error_code(&perr), bad[i].code);
        CHECK_CONTAINS(perr.message, bad[i].message);
        vp_error_clear(&perr);
    }
    vp_search_params *sp = NULL;
    vp_error perr = VP_ERROR_INIT;
    CHECK(vp_search_params_parse_query("q=klik+%26+tik&type=course&type=event&from=2027-01-01"
                                       "&to=2027-01-31&facets=type,audience&page=2&per_page=5",
                                       voc, NULL, &sp, &perr) == VP_OK);
    const vp_search_request *r = sp ? vp_search_params_request(sp) : NULL;
    CHECK(r != NULL);
    if (r) {
        CHECK_STR(r->q, "klik & tik");
        CHECK(r->n_values[VP_FIELD_TYPE] == 2);
        CHECK_STR(r->values[VP_FIELD_TYPE][1], "event");
        CHECK(r->from_day == 20270101 && r->to_day == 20270131);
        CHECK(r->facets == ((1u << VP_FIELD_TYPE) | (1u << VP_FIELD_AUDIENCE)));
        CHECK(r->page == 2 && r->per_page == 5);
    }
    vp_search_params_destroy(sp);
    /* A name or value quoted in a message is cut at a byte limit; the cut
     * never splits a character, so the error can always become JSON. */
    {
        char q[1400] = "y"; /* 1 + 100 * 13 + 2 bytes and the NUL */
        for (int i = 0; i < 100; i++)
            strcat(q, "x%F2%80%80%80");
        strcat(q, "=1");
        sp = NULL;
        CHECK(vp_search_params_parse_query(q, voc, NULL, &sp, &perr) == VP_ERR_INVALID);
        CHECK_STR(perr.code, "unknown_parameter");
        CHECK(perr.message && vp_utf8_valid(perr.message, strlen(perr.message)));
        CHECK(perr.parameter && vp_utf8_valid(perr.parameter, strlen(perr.parameter)));
        CHECK_CONTAINS(perr.message, "unknown parameter \"yx\xF2\x80\x80\x80x");
        vp_error_clear(&perr);
    }
    /* Its text form is the message, for logs. */
    sp = NULL;
    CHECK(vp_search_params_parse_query("per_page=500", voc, NULL, &sp, &perr) == VP_ERR_INVALID);
    CHECK_STR(perr.parameter, "per_page");
    char *text = vp_error_text(&perr);
    CHECK_CONTAINS(text, "per_page: must be a whole number from 1 to 100");
    free(text);
    vp_error_clear(&perr);
}

static void test_documents(const char *path)
{
    vp_index *w = NULL, *reader = NULL;
    vp_error err = VP_ERROR_INIT;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, &err) == VP_OK);
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &reader, &err) == VP_OK);
    CHECK(err.status == VP_OK && err.message == NULL);
    if (!w || !reader)
        return;
    /* A second writer is refused while the first holds the lock; the
     * error names the index as its file. */
    vp_index *second = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &second, &err) == VP_ERR_LOCKED);
    CHECK(err.status == VP_ERR_LOCKED);
    CHECK_STR(err.file, path);
    CHECK_CONTAINS(err.message, "locked");
    vp_error_clear(&err);

    uint64_t docs = 0, rev0 = 0, rev1 = 0;
    CHECK(vp_index_stats(reader, &rev0, &docs, NULL) == VP_OK);
    CHECK(docs == 12);

    const char *json = "{\"id\":\"agenda-utrecht:1\",\"type\":\"course\",\"title\":\"Klik & Tik "
                       "opnieuw\",\"source\":\"agenda-utrecht\"}";
    vp_offering *o = NULL;
    CHECK(vp_offering_parse(json, strlen(json), voc, &o, NULL) == VP_OK);
    CHECK(vp_index_put(w, o, NULL) == VP_OK);
    CHECK(vp_index_put(w, o, NULL) == VP_OK); /* idempotent */
    /* A value the index cannot hold (a term over Xapian's limit) refuses
     * the offering, naming the field. */
    free(o->work_key);
    o->work_key = malloc(301);
    if (o->work_key) {
        memset(o->work_key, 'w', 300);
        o->work_key[300] = '\0';
    }
    CHECK(vp_index_put(w, o, &err) == VP_ERR_INVALID);
    CHECK(err.status == VP_ERR_INVALID);
    CHECK_STR(err.path, "work_key");
    CHECK_CONTAINS(err.message, "term too long");
    vp_error_clear(&err);
    vp_index_doc *doc = NULL;
    CHECK(vp_index_doc_build(w, o, &doc, &err) == VP_ERR_INVALID && doc == NULL);
    CHECK_STR(err.path, "work_key");
    vp_error_clear(&err);
    vp_offering_destroy(o);
    CHECK(vp_index_delete(w, "agenda-zwolle:2", NULL) == VP_OK);
    CHECK(vp_index_delete(w, "agenda-zwolle:2", NULL) == VP_ERR_NOT_FOUND);
    CHECK(vp_index_set_meta(w, "checkpoint:test", "42", NULL) == VP_OK);

    /* Far in the future is not past, and an open range reaches it. */
    const char *future = "{\"id\":\"test:2045\",\"type\":\"event\",\"title\":\"Zeppelinfeest\","
                         "\"source\":\"test\",\"start\":\"2045-06-01T10:00:00+02:00\"}";
    o = NULL;
    CHECK(vp_offering_parse(future, strlen(future), voc, &o, NULL) == VP_OK);
    CHECK(vp_index_put(w, o, NULL) == VP_OK);
    vp_offering_destroy(o);

    /* Not visible to the reader before the commit... */
    CHECK(total_q(reader, "opnieuw") == 0);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    /* ...and visible after it, without reopening by hand. */
    CHECK(total_q(reader, "opnieuw") == 1);
    CHECK(total_q(reader, "voorleesochtend") == 0);
    CHECK(total_q(reader, "zeppelinfeest") == 1);
    vp_search_request fr = request("zeppelinfeest");
    fr.from_day = 20400101;
    CHECK(total_for(reader, &fr) == 1);
    fr.from_day = 0;
    fr.to_day = 20441231;
    CHECK(total_for(reader, &fr) == 0);
    CHECK(vp_index_stats(reader, &rev1, &docs, NULL) == VP_OK);
    CHECK(docs == 12);
    CHECK(rev1 > rev0);
    char *value = NULL;
    CHECK(vp_index_get_meta(reader, "checkpoint:test", &value, NULL) == VP_OK);
    CHECK_STR(value, "42");
    free(value);

    char *data = NULL;
    CHECK(vp_index_get(reader, "agenda-utrecht:1", &data, NULL) == VP_OK);
    CHECK_CONTAINS(data, "\"title\":\"Klik & Tik opnieuw\"");
    free(data);
    data = NULL;
    CHECK(vp_index_get(reader, "agenda-zwolle:2", &data, NULL) == VP_ERR_NOT_FOUND);
    CHECK(data == NULL);
    /* The same parsed once by the engine, for the API's pages and routes. */
    json_t *got = NULL;
    CHECK(vp_index_get_doc(reader, "agenda-utrecht:1", &got, NULL) == VP_OK);
    CHECK_STR(json_string_value(json_object_get(got, "title")), "Klik & Tik opnieuw");
    json_decref(got);
    json_t *before = json_object();
    got = before;
    CHECK(vp_index_get_doc(reader, "agenda-zwolle:2", &got, NULL) == VP_ERR_NOT_FOUND);
    CHECK(got == NULL);
    json_decref(before);

    /* sort=date is soonest upcoming: a series sorts by its next session
     * once refresh has moved it on. */
    const char *series = "{\"id\":\"test:vlinder-a\",\"type\":\"course\",\"title\":\"Vlinderfeest reeks\","
                         "\"source\":\"test\",\"occurrences\":[{\"start\":\"2027-01-01T10:00:00+01:00\"},"
                         "{\"start\":\"2027-02-01T10:00:00+01:00\"}]}";
    const char *single = "{\"id\":\"test:vlinder-b\",\"type\":\"event\",\"title\":\"Vlinderfeest middag\","
                         "\"source\":\"test\",\"start\":\"2027-01-15T14:00:00+01:00\"}";
    const char *both[2] = {series, single};
    for (int i = 0; i < 2; i++) {
        o = NULL;
        CHECK(vp_offering_parse(both[i], strlen(both[i]), voc, &o, NULL) == VP_OK);
        CHECK(vp_index_put(w, o, NULL) == VP_OK);
        vp_offering_destroy(o);
    }
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_datetime jan10;
    vp_datetime_parse("2027-01-10T12:00:00+01:00", &jan10);
    vp_search_request ds = request("vlinderfeest");
    ds.now = jan10.utc;
    ds.sort = VP_SORT_DATE;
    vp_search_result *dr = language_fixture_run(reader, &ds);
    CHECK(dr && dr->n_hits == 2);
    if (dr && dr->n_hits == 2)
        CHECK_STR(dr->hits[0].id, "test:vlinder-a"); /* by its first session: not yet moved */
    vp_search_result_destroy(dr);
    uint64_t moved = 0;
    vp_index_set_clock(w, jan10.utc);
    CHECK(vp_index_refresh_dates(w, &moved, NULL) == VP_OK);
    CHECK(moved >= 1);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    dr = language_fixture_run(reader, &ds);
    if (dr && dr->n_hits == 2) {
        CHECK_STR(dr->hits[0].id, "test:vlinder-b");
        CHECK_STR(dr->hits[1].id, "test:vlinder-a");
    }
    vp_search_result_destroy(dr);
    CHECK(vp_index_delete(w, "test:vlinder-a", NULL) == VP_OK);
    CHECK(vp_index_delete(w, "test:vlinder-b", NULL) == VP_OK);
    CHECK(vp_index_commit(w, NULL) == VP_OK);

    /* Uncommitted changes die with the writer. */
    CHECK(vp_index_delete(w, "agenda-utrecht:1", NULL) == VP_OK);
    vp_index_close(w);
    CHECK(total_q(reader, "opnieuw") == 1);
    vp_index_close(reader);

    /* A reader of a directory without an index gets a clear error. */
    vp_index *missing = NULL;
    CHECK(vp_index_open("/nonexistent/vindplaats", VP_INDEX_READ, voc, &missing, &err) ==
          VP_ERR_NOT_FOUND);
    CHECK(err.status == VP_ERR_NOT_FOUND && missing == NULL);
    CHECK_STR(err.file, "/nonexistent/vindplaats");
    CHECK_CONTAINS(err.message, "no index found");
    vp_error_clear(&err);
}

int main(int argc, char **argv)
{
    if (language_fixture_load("test_search", argc, argv, &voc, &lex) != 0)
        return 2;
    vp_datetime start;
    vp_datetime_parse("2026-11-01T00:00:00Z", &start);
    now = start.utc;
    if (!mkdtemp(dir))
        return 2;
    char path[256];
    snprintf(path, sizeof path, "%s/index", dir);
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    vp_index_set_lexicon(w, lex);
    vp_index_set_clock(w, now);
    language_fixture_put(w, voc, argv[2]);
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);

    vp_index *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    if (idx) {
        vp_index_set_lexicon(idx, lex);
        test_text(idx);
        test_quality(idx);
        test_time_and_place(idx);
        test_suggest(idx);
        test_suggest_table(idx, path);
        test_syntax(idx);
        test_filters(idx);
        test_facets(idx);
        test_dates(idx);
        test_sort_and_paging(idx);
        vp_index_close(idx);
    }
    test_past_terms(path);
    test_suggest_revisions(dir);
    test_suggest_variants(dir, argv[2]);
    test_suggest_threads(path);
    test_live_refresh();
    test_soon_spans();
    test_request_parse();
    test_documents(path);
    snprintf(path, sizeof path, "%s/free", dir);
    test_free(path);

    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    vp_lexicon_destroy(lex);
    vp_vocabulary_destroy(voc);
    return check_done();
}
