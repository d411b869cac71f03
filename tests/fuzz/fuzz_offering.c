/* fuzz_offering.c - libFuzzer target for vp_offering_parse().
 *
 * Each input is one record, as a line of a .jsonl file would be. The
 * vocabulary is loaded once (libFuzzer's API leaves no other place for it
 * than a static): from $VP_VOCABULARY when set, else the compile-time
 * VP_FUZZ_VOCABULARY. Besides the sanitizers, the target checks the
 * parser's contract and aborts when it does not hold:
 *   - VP_OK gives an offering and leaves err alone; failure gives no
 *     offering and, for VP_ERR_INVALID/VP_ERR_TOO_BIG, a message;
 *   - an accepted record has its required fields, its occurrences sorted,
 *     and its compact JSON parses again to the very same JSON.
 * Run: fuzz_offering -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/offering */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/offering.h"
#include "vindplaats/vocabulary.h"

#ifndef VP_FUZZ_VOCABULARY
#define VP_FUZZ_VOCABULARY "data/vocabulary/propositions.tsv"
#endif

static vp_vocabulary *voc;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *path = getenv("VP_VOCABULARY");
    if (!path || !*path)
        path = VP_FUZZ_VOCABULARY;
    vp_error verr = VP_ERROR_INIT;
    if (vp_vocabulary_load(path, &voc, &verr) != VP_OK) {
        vp_error_print(stderr, "fuzz_offering: cannot load the vocabulary", &verr);
        vp_error_clear(&verr);
        exit(2);
    }
    return 0;
}

static void check_accepted(const vp_offering *o)
{
    if (!o->id || !o->type || !o->title || !o->source || !o->json)
        abort();
    if (!strchr(o->id, ':') || !vp_in_list(o->type, vp_offering_types))
        abort();
    if (o->start.set && o->n_occurrences == 0)
        abort();
    for (size_t i = 1; i < o->n_occurrences; i++)
        if (o->occurrences[i - 1].start.utc > o->occurrences[i].start.utc)
            abort();
    if (o->min_age > 120 || o->max_age > 120 ||
        (o->min_age >= 0 && o->max_age >= 0 && o->min_age > o->max_age))
        abort();
    for (size_t i = 0; i < o->isbn.count; i++)
        if (strlen(o->isbn.items[i]) != 13)
            abort();

    /* The stored form is a fixed point. */
    size_t len = strlen(o->json);
    if (len > VP_OFFERING_MAX_JSON)
        return; /* derived start/end may push a record at the limit over it */
    vp_offering *again = NULL;
    char *msg = NULL;
    vp_error msg_e = VP_ERROR_INIT;
    vp_status st = vp_offering_parse(o->json, len, voc, &again, &msg_e);
    msg = msg_e.status != VP_OK ? vp_error_text(&msg_e) : NULL;
    vp_error_clear(&msg_e);
    if (st != VP_OK) {
        fprintf(stderr, "stored JSON rejected (%s):\n%s\n%s\n", vp_status_str(st), o->json,
                msg ? msg : "");
        abort();
    }
    if (strcmp(again->json, o->json) != 0 || again->start.utc != o->start.utc ||
        again->end.utc != o->end.utc || again->n_occurrences != o->n_occurrences) {
        fprintf(stderr, "stored JSON not stable:\n%s\n%s\n", o->json, again->json);
        abort();
    }
    vp_offering_destroy(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_offering *o = NULL;
    char *msg = NULL;
    vp_error msg_e = VP_ERROR_INIT;
    vp_status st = vp_offering_parse((const char *)data, size, voc, &o, &msg_e);
    msg = msg_e.status != VP_OK ? vp_error_text(&msg_e) : NULL;
    vp_error_clear(&msg_e);
    if (st == VP_OK) {
        if (!o || msg)
            abort();
        check_accepted(o);
        vp_offering_destroy(o);
    } else {
        if (o)
            abort();
        if ((st == VP_ERR_INVALID || st == VP_ERR_TOO_BIG) && (!msg || !*msg))
            abort();
        free(msg);
    }
    return 0;
}
