/* fuzz_onix.c - libFuzzer target for vp_onix_parse() (ONIX 3.0/3.1/2.1,
 * reference and short tags).
 *
 * Besides the sanitizers, it aborts when the contract does not hold:
 * VP_OK leaves err alone and a failure sets it; a record has a
 * non-empty local id and where and a title; "_format" is book, ebook or
 * audiobook; and every record, completed the way normalisation does (id,
 * source, type; '_' hints dropped), is a valid offering: so language,
 * price, published, availability, contributors and ISBNs are all in the
 * form docs/offering.md gives (only over-long values are left to
 * validation). Deletions and rejects need an id/where and
 * a message; a break is reported with a line and column.
 * Run: fuzz_onix -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/onix */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/onix.h"
#include "vindplaats/offering.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_record(void *ctx, const char *local_id, json_t *f, const char *where)
{
    (void)ctx;
    if (!local_id || !*local_id || !where || !*where || !json_is_object(f))
        abort();
    const char *title = json_string_value(json_object_get(f, "title"));
    const char *fmt = json_string_value(json_object_get(f, "_format"));
    if (!title || !*title || !fmt ||
        (strcmp(fmt, "book") && strcmp(fmt, "ebook") && strcmp(fmt, "audiobook")))
        abort();
    json_object_set_new(f, "type", json_string(fmt));
    json_object_del(f, "_format");
    json_object_set_new(f, "id", json_string("fuzz:1"));
    json_object_set_new(f, "source", json_string("fuzz"));
    char *text = json_dumps(f, JSON_COMPACT);
    if (text) { /* text that is not UTF-8 is left to validation, as connector.h says */
        vp_offering *o = NULL;
        char *err = NULL;
        vp_error err_e = VP_ERROR_INIT;
        vp_status st = vp_offering_parse(text, strlen(text), NULL, &o, &err_e);
        err = err_e.status != VP_OK ? vp_error_text(&err_e) : NULL;
        vp_error_clear(&err_e);
        /* lengths are validation's to enforce; every form must be right */
        if (st == VP_ERR_INVALID && !strstr(err, "longer than") && !strstr(err, "more than 1000")) {
            fprintf(stderr, "not an offering: %s\n%s\n", err, text);
            abort();
        }
        vp_offering_destroy(o);
        free(err);
        free(text);
    }
    json_decref(f);
    return 0;
}

static int on_deleted(void *ctx, const char *local_id, const char *where)
{
    (void)ctx;
    if (!local_id || !*local_id || !where || !*where)
        abort();
    return 0;
}

static void on_reject(void *ctx, const char *where, const char *message)
{
    (void)ctx;
    if (!where || !*where || !message || !*message)
        abort();
}

static void on_broken(void *ctx, const vp_error *why)
{
    (void)ctx;
    if (!why->path || strncmp(why->path, "line ", 5) || !why->message || !*why->message)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_emit emit = {NULL, on_record, on_deleted, on_reject, on_broken};
    char *msg = NULL;
    vp_error msg_e = VP_ERROR_INIT;
    vp_status st = vp_onix_parse((const char *)data, size, &emit, &msg_e);
    msg = msg_e.status != VP_OK ? vp_error_text(&msg_e) : NULL;
    vp_error_clear(&msg_e);
    if ((st == VP_OK) != (msg == NULL))
        abort();
    if (msg && !*msg)
        abort();
    free(msg);
    return 0;
}
