/* test_words.c - Dutch word forms and query understanding, end to end on a
 * small hand-made network (tests/data/offerings/words.jsonl): what is and
 * is not a compound, diminutive plurals, compounds of a verb stem, synonym
 * groups weighing as one word. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "language_fixture.h"
#include "vindplaats/index.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/suggest.h"
#include "vindplaats/vocabulary.h"

static vp_vocabulary *voc;
static vp_lexicon *lex;
static int64_t now; /* 2026-12-01T08:00 */

static vp_search_result *run(vp_index *idx, const char *q)
{
    return language_fixture_search(idx, q, now, 0);
}

static int has_hit(const vp_search_result *res, const char *id)
{
    for (size_t i = 0; res && i < res->n_hits; i++)
        if (strcmp(res->hits[i].id, id) == 0)
            return 1;
    return 0;
}

/* The first hit of `q` is `id`. */
static void first_is(vp_index *idx, const char *q, const char *id)
{
    vp_search_result *res = run(idx, q);
    CHECK(res && res->n_hits > 0);
    if (res && res->n_hits) {
        if (strcmp(res->hits[0].id, id) != 0)
            fprintf(stderr, "  %s: first %s, expected %s\n", q, res->hits[0].id, id);
        CHECK_STR(res->hits[0].id, id);
    }
    vp_search_result_destroy(res);
}

/* The 1-based rank of `id` among the hits of `res`, or 99. */
static int rank_of(const vp_search_result *res, const char *id)
{
    for (size_t i = 0; res && i < res->n_hits; i++)
        if (strcmp(res->hits[i].id, id) == 0)
            return (int)i + 1;
    return 99;
}

static void test_splitting(void)
{
    char parts[VP_COMPOUND_MAX_PARTS][VP_COMPOUND_PART_SIZE];
    /* A word-forming ending is no head: not zwanger + schap, vriend + schap. */
    CHECK(vp_lexicon_split(lex, "zwangerschap", parts) == 0);
    CHECK(vp_lexicon_split(lex, "vriendschap", parts) == 0);
    CHECK(vp_lexicon_split(lex, "gezondheid", parts) == 0);
    /* Real compounds still are. */
    CHECK(vp_lexicon_split(lex, "computercursus", parts) == 2);
    CHECK_STR(parts[1], "cursus");
    CHECK(vp_lexicon_split(lex, "voorleesochtend", parts) == 2);
    CHECK_STR(parts[1], "ochtend");
    /* A modifier that is a compound itself splits too: its head is read
     * from the word in place, not past it. */
    CHECK(vp_lexicon_split(lex, "bibliotheekkoffiecursus", parts) == 3);
    CHECK_STR(parts[0], "bibliotheek");
    CHECK_STR(parts[1], "koffie");
    CHECK_STR(parts[2], "cursus");

    char one[VP_COMPOUND_PART_SIZE];
    CHECK(vp_lexicon_diminutive_singular("spelletjes", one) == 1);
    CHECK_STR(one, "spelletje");
    CHECK(vp_lexicon_diminutive_singular("boompjes", one) == 1);
    CHECK_STR(one, "boompje");
    CHECK(vp_lexicon_diminutive_singular("spelletje", one) == 0);
    CHECK(vp_lexicon_diminutive_singular("jes", one) == 0);

    /* The query: a compound's verb stem finds its infinitive, its head its
     * synonyms; a stop word before the head gets no infinitive. */
    char *rw = vp_lexicon_rewrite(lex, "schrijfworkshop");
    CHECK_CONTAINS(rw, "schrijven");
    CHECK_CONTAINS(rw, "cursus");
    free(rw);
    rw = vp_lexicon_rewrite(lex, "spelletjes");
    CHECK_STR(rw, "(spelletjes OR spelletje)");
    free(rw);
    rw = vp_lexicon_rewrite(lex, "zwangerschap");
    CHECK_STR(rw, "zwangerschap");
    free(rw);
    rw = vp_lexicon_rewrite(lex, "voorlees");
    CHECK(rw && !strstr(rw, "voren"));
    free(rw);
}

static void test_word_forms(vp_index *idx)
{
    /* "zwangerschap" does not find friendship novels. */
    vp_search_result *res = run(idx, "zwangerschap");
    CHECK(res && has_hit(res, "w:zwanger") && !has_hit(res, "w:vriendschap"));
    vp_search_result_destroy(res);
    /* The book "De avonden" above an evening with an author, also above
     * the ones this week that say "avond" and "avonden" in their text too:
     * the title as typed counts. */
    first_is(idx, "de avonden", "w:avonden");
    /* Diminutive plurals meet their singulars, both ways. */
    res = run(idx, "spelletjes");
    CHECK(res && has_hit(res, "w:spel") && !res->any_words);
    vp_search_result_destroy(res);
    res = run(idx, "spelletje");
    CHECK(res && has_hit(res, "w:spel") && has_hit(res, "w:spellen"));
    vp_search_result_destroy(res);
    /* A writing workshop is a writing course, not any workshop. */
    res = run(idx, "schrijfworkshop");
    CHECK(res && rank_of(res, "w:schrijven") <= 3 && rank_of(res, "w:schrijfcafe") <= 3 &&
          rank_of(res, "w:schrijven2") <= 3 && rank_of(res, "w:media") > 3 &&
          rank_of(res, "w:vlog") > 3);
    vp_search_result_destroy(res);
    /* Synonyms weigh as one word: a vlog workshop that names "cursus",
     * "workshop" and "training" is not a tablet course. */
    res = run(idx, "tablet cursus");
    CHECK(res && rank_of(res, "w:tablet") <= 2 && rank_of(res, "w:tablet2") <= 2 &&
          rank_of(res, "w:vlog") == 3);
    vp_search_result_destroy(res);
}

static void test_suggestions(vp_index *idx)
{
    vp_suggestion *s = NULL;
    size_t n = 0;
    /* One completion per word whatever its plural: thriller, not also
     * thrillers; counted together. */
    CHECK(vp_suggest(idx, "thr", 10, &s, &n, NULL) == VP_OK);
    size_t thrillers = 0;
    for (size_t i = 0; i < n; i++)
        thrillers += strncmp(s[i].text, "thriller", 8) == 0;
    CHECK(thrillers == 1);
    CHECK(n > 0 && strcmp(s[0].text, "thriller") == 0 && s[0].count == 2);
    vp_suggestions_free(s, n);
    /* A proposition before a subject that more offerings carry. */
    s = NULL;
    CHECK(vp_suggest(idx, "taal", 10, &s, &n, NULL) == VP_OK);
    CHECK(n >= 2);
    if (n >= 2) {
        CHECK_STR(s[0].text, "Taalcafé");
        CHECK(s[0].kind == VP_SUGGEST_PROPOSITION);
    }
    /* Every proposition before every subject, also one that a single
     * offering uses (Taalhuis) against a subject of six. */
    int subject_seen = 0, proposition_after = 0, taalhuis = 0;
    for (size_t i = 0; i < n; i++) {
        subject_seen |= s[i].kind == VP_SUGGEST_SUBJECT;
        proposition_after |= subject_seen && s[i].kind == VP_SUGGEST_PROPOSITION;
        taalhuis |= strcmp(s[i].text, "Taalhuis") == 0;
    }
    CHECK(taalhuis && subject_seen && !proposition_after);
    vp_suggestions_free(s, n);
}

/* Runs q with the VP_WITHOUT_* bits `without`. */
static vp_search_result *run_without(vp_index *idx, const char *q, unsigned without)
{
    vp_search_request r;
    memset(&r, 0, sizeof r);
    r.q = q;
    r.page = 1;
    r.per_page = 10;
    r.now = now;
    r.without = without;
    vp_search_result *res = NULL;
    CHECK(vp_search_execute(idx, &r, &res, NULL) == VP_OK);
    return res;
}

static void test_understanding(vp_index *idx)
{
    /* A municipality of the index is a place: its offerings first, the
     * others still there; the word is not matched as text. */
    vp_search_result *res = run(idx, "taalcafe amersfoort");
    CHECK(res && res->n_understood == 1);
    if (res && res->n_understood == 1) {
        CHECK(res->understood[0].kind == VP_UNDERSTOOD_PLACE);
        CHECK_STR(res->understood[0].value, "amersfoort");
        CHECK_STR(res->understood[0].text, "amersfoort");
    }
    CHECK(res && rank_of(res, "w:taal-ams") == 1 && rank_of(res, "w:taal-goi") < 99);
    vp_search_result_destroy(res);
    /* "in" goes with the place; without place words it is a word again. */
    res = run(idx, "taalcafe in amersfoort");
    CHECK(res && res->n_understood == 1 && strcmp(res->understood[0].text, "in amersfoort") == 0);
    vp_search_result_destroy(res);
    res = run_without(idx, "taalcafe amersfoort", VP_WITHOUT_PLACE_WORDS);
    CHECK(res && res->n_understood == 0 && rank_of(res, "w:taal-ams") == 1);
    vp_search_result_destroy(res);
    /* A place alone stays a word; query syntax is left alone. */
    res = run(idx, "amersfoort");
    CHECK(res && res->n_understood == 0);
    vp_search_result_destroy(res);
    res = run(idx, "taalcafe AND amersfoort");
    CHECK(res && res->n_understood == 0);
    vp_search_result_destroy(res);

    /* Days: the clock is Tuesday 1 December 2026. */
    res = run(idx, "taalcafe zaterdag");
    CHECK(res && res->n_understood == 1 && res->understood[0].kind == VP_UNDERSTOOD_DATE &&
          res->understood[0].from_day == 20261205 && res->understood[0].to_day == 20261205);
    CHECK(res && rank_of(res, "w:taal-goi") == 1 && rank_of(res, "w:taal-ams") < 99);
    vp_search_result_destroy(res);
    static const struct {
        const char *q, *text;
        int from, to;
    } days[] = {
        {"taalcafe vandaag", "vandaag", 20261201, 20261201},
        {"taalcafe vanavond", "vanavond", 20261201, 20261201},
        {"taalcafe morgen", "morgen", 20261202, 20261202},
        {"taalcafe op dinsdag", "op dinsdag", 20261201, 20261201},
        {"taalcafe maandagavond", "maandagavond", 20261207, 20261207},
        {"taalcafe dit weekend", "dit weekend", 20261205, 20261206},
        {"taalcafe deze week", "deze week", 20261201, 20261206},
        {"taalcafe volgende week", "volgende week", 20261207, 20261213},
        {"taalcafe in de kerstvakantie", "in de kerstvakantie", 20261219, 20270103},
        {"taalcafe meivakantie", "meivakantie", 20270424, 20270509},
    };
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
        res = run(idx, days[i].q);
        int ok = res && res->n_understood == 1 && res->understood[0].kind == VP_UNDERSTOOD_DATE &&
                 res->understood[0].from_day == days[i].from &&
                 res->understood[0].to_day == days[i].to &&
                 strcmp(res->understood[0].text, days[i].text) == 0;
        if (!ok)
            fprintf(stderr, "  %s: not understood as %d..%d\n", days[i].q, days[i].from, days[i].to);
        CHECK(ok);
        vp_search_result_destroy(res);
    }
    /* The words left are kept as typed: a word too long to look at is
     * still a word to match, not dropped. */
    res = run(idx, "taalcafe zaterdag xylofoonorkestrepetitieruimteverhuurbedrijfsleidersassistentenopleiding");
    CHECK(res && res->n_understood == 1 && res->any_words && res->missing_words &&
          res->missing_words[0] && !res->missing_words[1]);
    vp_search_result_destroy(res);
    /* A correction is said as the whole query, the place kept. */
    res = run(idx, "taalcafee amersfoort");
    CHECK(res && res->n_understood == 1 && res->corrected_query &&
          strcmp(res->corrected_query, "taalcafe amersfoort") == 0 &&
          rank_of(res, "w:taal-ams") == 1);
    vp_search_result_destroy(res);
    /* A day alone browses what is on then. */
    res = run(idx, "zaterdag");
    CHECK(res && res->n_understood == 1 && res->n_hits > 0);
    if (res && res->n_hits)
        CHECK_STR(res->hits[0].id, "w:taal-goi");
    vp_search_result_destroy(res);

    /* Ages: a number with "van" or "jaar", or an audience word. */
    res = run(idx, "voorlezen voor mijn kleinkind van 5");
    CHECK(res && res->n_understood == 1 && res->understood[0].kind == VP_UNDERSTOOD_AUDIENCE);
    if (res && res->n_understood == 1) {
        CHECK_STR(res->understood[0].value, "kleuter");
        CHECK_STR(res->understood[0].text, "voor mijn kleinkind van 5");
    }
    CHECK(res && rank_of(res, "w:voorlees-kleuter") == 1 && rank_of(res, "w:voorlees-baby") < 99 &&
          !res->any_words);
    vp_search_result_destroy(res);
    res = run(idx, "voorlezen baby's");
    CHECK(res && res->n_understood == 1 && rank_of(res, "w:voorlees-baby") == 1);
    vp_search_result_destroy(res);
    res = run(idx, "voorlezen 1 jaar");
    CHECK(res && res->n_understood == 1 && strcmp(res->understood[0].value, "baby") == 0);
    vp_search_result_destroy(res);
    /* A number without "van" or "jaar" is a word ("1984"). */
    res = run(idx, "voorlezen 5");
    CHECK(res && res->n_understood == 0);
    vp_search_result_destroy(res);
    /* All three at once. */
    res = run(idx, "taalcafe in amersfoort zaterdag voor peuters");
    CHECK(res && res->n_understood == 3);
    vp_search_result_destroy(res);
}

int main(int argc, char **argv)
{
    if (language_fixture_load("test_words", argc, argv, &voc, &lex) != 0)
        return 2;
    vp_datetime start;
    vp_datetime_parse("2026-12-01T08:00:00+01:00", &start);
    now = start.utc;
    char dir[] = "/tmp/vp-test-words-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char path[256];
    snprintf(path, sizeof path, "%s/index", dir);
    vp_index *w = NULL;
    CHECK(vp_index_open(path, VP_INDEX_WRITE, voc, &w, NULL) == VP_OK);
    if (w) {
        vp_index_set_lexicon(w, lex);
        vp_index_set_clock(w, now);
        language_fixture_put(w, voc, argv[2]);
        CHECK(vp_index_commit(w, NULL) == VP_OK);
        vp_index_close(w);
    }
    test_splitting();
    vp_index *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    if (idx) {
        vp_index_set_lexicon(idx, lex);
        test_word_forms(idx);
        test_suggestions(idx);
        test_understanding(idx);
        vp_index_close(idx);
    }
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    vp_lexicon_destroy(lex);
    vp_vocabulary_destroy(voc);
    return check_done();
}
