/* language_fixture.h - what the search tests share (header-only, like
 * check.h): the vocabulary and lexicon from their usual arguments, and a
 * JSONL fixture of offerings put into an index, every line checked, and
 * searches whose failure fails the test.
 *
 * Tests that include it take the arguments
 *   VOCABULARY FIXTURE.jsonl WORDS SYNONYMS STOPWORDS TYPES [HOLIDAYS]
 * and use CHECK from check.h. */
#ifndef VINDPLAATS_TEST_LANGUAGE_FIXTURE_H
#define VINDPLAATS_TEST_LANGUAGE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vindplaats/index.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

/* Loads argv[1] as the vocabulary and argv[3..7] as the lexicon. Returns
 * 0, or 2 (the exit status) after printing why. */
static inline int language_fixture_load(const char *name, int argc, char **argv, vp_vocabulary **voc,
                                 vp_lexicon **lex)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s VOCABULARY FIXTURE.jsonl WORDS SYNONYMS STOPWORDS TYPES\n", name);
        return 2;
    }
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], voc, &verr) != VP_OK) {
        vp_error_print(stderr, name, &verr);
        vp_error_clear(&verr);
        return 2;
    }
    vp_lexicon_files files = {argv[3], argv[4], argv[5], argv[6], argc > 7 ? argv[7] : NULL};
    vp_error lerr = VP_ERROR_INIT;
    if (vp_lexicon_load(&files, *voc, lex, &lerr) != VP_OK) {
        vp_error_print(stderr, NULL, &lerr);
        vp_error_clear(&lerr);
        return 2;
    }
    return 0;
}

/* Commits and closes the writer `w` and opens the index at `path` for
 * reading: NULL (the test failed) when it does not open. */
static inline vp_index *language_fixture_reader(vp_index *w, const char *path,
                                                const vp_vocabulary *voc)
{
    CHECK(vp_index_commit(w, NULL) == VP_OK);
    vp_index_close(w);
    vp_index *idx = NULL;
    CHECK(vp_index_open(path, VP_INDEX_READ, voc, &idx, NULL) == VP_OK);
    return idx;
}

/* Puts the offering of one JSON line into `idx`; a line that does not
 * parse or cannot be put fails the test. */
static inline void language_fixture_put_line(vp_index *idx, const vp_vocabulary *voc, const char *line)
{
    vp_offering *o = NULL;
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_offering_parse(line, strlen(line), voc, &o, &err);
    if (st != VP_OK)
        vp_error_print(stderr, "fixture", &err);
    CHECK(st == VP_OK);
    if (st == VP_OK)
        CHECK(vp_index_put(idx, o, NULL) == VP_OK);
    vp_offering_destroy(o);
    vp_error_clear(&err);
}

/* Puts every offering of the JSONL file `path` into `idx`, each line as
 * language_fixture_put_line. */
static inline void language_fixture_put(vp_index *idx, const vp_vocabulary *voc, const char *path)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char *line = malloc(1 << 20);
    while (line && fgets(line, 1 << 20, f))
        language_fixture_put_line(idx, voc, line);
    free(line);
    fclose(f);
}

/* Runs `r`; a failed search is a failed check (and NULL). */
static inline vp_search_result *language_fixture_run(vp_index *idx, const vp_search_request *r)
{
    vp_search_result *res = NULL;
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_search_execute(idx, r, &res, &e);
    if (st != VP_OK)
        vp_error_print(stderr, r->q ? r->q : "(browse)", &e);
    CHECK(st == VP_OK && res);
    vp_error_clear(&e);
    return res;
}

/* The first page (10) of `q` at `now`, without the features in `without`
 * (VP_WITHOUT_* bits); a failed search is a failed check. */
static inline vp_search_result *language_fixture_search(vp_index *idx, const char *q, int64_t now,
                                                        unsigned without)
{
    vp_search_request r;
    memset(&r, 0, sizeof r);
    r.q = q;
    r.page = 1;
    r.per_page = 10;
    r.now = now;
    r.without = without;
    return language_fixture_run(idx, &r);
}

#endif
