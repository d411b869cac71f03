/* fuzz_marc.c - libFuzzer target for vp_marc_parse(): binary MARC (ISO
 * 2709) through YAZ, MARC-8 and UTF-8, holdings records, and MARCXML.
 *
 * Besides the sanitizers, it aborts when the contract does not hold:
 * VP_OK leaves err alone and a failure sets it; a record has a
 * non-empty local id and where and a title; "_format" is book, ebook or
 * audiobook; every ISBN holds 10 or 13 digits; "language" is two letters
 * a-z; "holdings" is an array of objects of strings; a holding for a
 * record not in the file names that record; rejects and breaks have a
 * where and a message. Run:
 *   fuzz_marc -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/marc */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/marc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_holdings(json_t *h)
{
    if (!json_is_array(h))
        abort();
    size_t i;
    json_t *one;
    json_array_foreach(h, i, one) {
        if (!json_is_object(one))
            abort();
        const char *key;
        json_t *v;
        json_object_foreach(one, key, v) {
            if (!strcmp(key, "_match")) {
                if (!json_is_array(v))
                    abort();
            } else if (!json_is_string(v) || !json_string_length(v)) {
                abort();
            }
        }
    }
}

static int on_record(void *ctx, const char *local_id, json_t *f, const char *where)
{
    (void)ctx;
    if (!local_id || !*local_id || !where || !*where || !json_is_object(f))
        abort();
    const char *title = json_string_value(json_object_get(f, "title"));
    if (!title || !*title)
        abort();
    const char *fmt = json_string_value(json_object_get(f, "_format"));
    if (fmt && strcmp(fmt, "book") && strcmp(fmt, "ebook") && strcmp(fmt, "audiobook"))
        abort();
    const char *lang = json_string_value(json_object_get(f, "language"));
    if (lang && (strlen(lang) != 2 || !islower((unsigned char)lang[0]) || !islower((unsigned char)lang[1])))
        abort();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(f, "isbn"), i, v) {
        size_t n = 0;
        for (const char *p = json_string_value(v); p && *p; p++)
            n += isdigit((unsigned char)*p) || *p == 'X' || *p == 'x';
        if (n != 10 && n != 13)
            abort();
    }
    json_t *h = json_object_get(f, "holdings");
    if (h)
        check_holdings(h);
    json_decref(f);
    return 0;
}

static int on_deleted(void *ctx, const char *local_id, const char *where)
{
    (void)ctx, (void)local_id, (void)where;
    abort(); /* MARC files have no deletions */
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

static int on_holding(void *ctx, const char *local_id, json_t *holdings, const char *where)
{
    (void)ctx;
    if (!local_id || !*local_id || !where || !*where)
        abort();
    check_holdings(holdings);
    json_decref(holdings);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_emit emit = {NULL, on_record, on_deleted, on_reject, on_broken, on_holding};
    char *msg = NULL;
    vp_error msg_e = VP_ERROR_INIT;
    vp_status st = vp_marc_parse((const char *)data, size, NULL, &emit, &msg_e);
    msg = msg_e.status != VP_OK ? vp_error_text(&msg_e) : NULL;
    vp_error_clear(&msg_e);
    if ((st == VP_OK) != (msg == NULL))
        abort();
    if (msg && !*msg)
        abort();
    free(msg);
    return 0;
}
