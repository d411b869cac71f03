/* fuzz_marcxml.c - libFuzzer target for vp_marcxml_parse() (marc.h).
 *
 * Besides the sanitizers, it aborts when the contract does not hold:
 * VP_OK leaves err alone and a failure sets it; every record is a JSON
 * object with a non-empty local_id and where and a title; "language" is
 * two letters a-z; "_format" is book/ebook/audiobook; every ISBN holds 10
 * or 13 digits (X last) and at most 40 bytes; "url" is http(s).
 * Run: fuzz_marcxml -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/marcxml */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/marc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_isbn(const char *s)
{
    size_t n = 0, len = strlen(s);
    if (len == 0 || len > 40)
        abort();
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p) || *p == 'X' || *p == 'x')
            n++;
        else if (*p != '-' && *p != ' ')
            abort();
    }
    if (n != 10 && n != 13)
        abort();
}

static int on_record(void *ctx, const char *local_id, json_t *f, const char *where)
{
    (void)ctx;
    if (!local_id || !*local_id || !where || !*where || !json_is_object(f))
        abort();
    const char *title = json_string_value(json_object_get(f, "title"));
    if (!title || !*title)
        abort();
    const char *lang = json_string_value(json_object_get(f, "language"));
    if (lang && (strlen(lang) != 2 || !islower((unsigned char)lang[0]) || !islower((unsigned char)lang[1])))
        abort();
    const char *fmt = json_string_value(json_object_get(f, "_format"));
    if (fmt && strcmp(fmt, "book") && strcmp(fmt, "ebook") && strcmp(fmt, "audiobook"))
        abort();
    const char *url = json_string_value(json_object_get(f, "url"));
    if (url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        abort();
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(f, "isbn"), i, v) check_isbn(json_string_value(v));
    json_array_foreach(json_object_get(f, "creators"), i, v) if (!json_string_length(v)) abort();
    json_array_foreach(json_object_get(f, "subjects"), i, v) if (!json_string_length(v)) abort();
    json_decref(f);
    return 0;
}

static int on_deleted(void *ctx, const char *local_id, const char *where)
{
    (void)ctx;
    (void)local_id;
    (void)where;
    abort(); /* MARCXML files have no deletions */
}

static void on_reject(void *ctx, const char *where, const char *message)
{
    (void)ctx;
    if (!where || !*where || !message || !*message)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_emit emit = {NULL, on_record, on_deleted, on_reject};
    char *msg = NULL;
    vp_error msg_e = VP_ERROR_INIT;
    vp_status st = vp_marcxml_parse((const char *)data, size, &emit, &msg_e);
    msg = msg_e.status != VP_OK ? vp_error_text(&msg_e) : NULL;
    vp_error_clear(&msg_e);
    if (st == VP_OK) {
        if (msg)
            abort();
    } else {
        if (!msg || !*msg)
            abort();
        free(msg);
    }
    return 0;
}
