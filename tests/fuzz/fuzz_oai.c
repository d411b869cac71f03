/* fuzz_oai.c - libFuzzer target for the OAI-PMH parsers (oai.h):
 * vp_oai_parse_identify(), vp_oai_parse_page() and vp_oai_from_value() on
 * each input. Besides the sanitizers, it aborts when the contract does not
 * hold:
 *   - VP_OK leaves err alone; a failure sets it (a non-empty message);
 *   - every record is a JSON object with a non-empty local_id and where,
 *     its string fields are strings, "language" is two letters a-z,
 *     "_format" one of book/ebook/audiobook, "updated" a UTC date-time;
 *   - the page's counts equal the emit calls; a token is non-empty and
 *     trimmed; an Identify that parses has a known granularity;
 *   - vp_oai_from_value gives NULL or a datestamp of the granularity's length.
 * Run: fuzz_oai -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/oai */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/oai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct counts {
    size_t records, deleted, rejected;
} counts;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void check_fields(json_t *f)
{
    static const char *const strings[] = {"title", "description", "language", "url", "updated", "_format"};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
        json_t *v = json_object_get(f, strings[i]);
        if (v && (!json_is_string(v) || json_string_length(v) == 0))
            abort();
    }
    static const char *const lists[] = {"creators", "subjects", "isbn", "_categories"};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        json_t *v = json_object_get(f, lists[i]);
        size_t j;
        json_t *e;
        if (!v)
            continue;
        if (!json_is_array(v) || json_array_size(v) == 0)
            abort();
        json_array_foreach(v, j, e) if (!json_is_string(e) || json_string_length(e) == 0) abort();
    }
    if (!json_object_get(f, "title"))
        abort();
    const char *lang = json_string_value(json_object_get(f, "language"));
    if (lang && (strlen(lang) != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z'))
        abort();
    const char *fmt = json_string_value(json_object_get(f, "_format"));
    if (fmt && strcmp(fmt, "book") && strcmp(fmt, "ebook") && strcmp(fmt, "audiobook"))
        abort();
    const char *up = json_string_value(json_object_get(f, "updated"));
    if (up && (strlen(up) != 20 || up[10] != 'T' || up[19] != 'Z'))
        abort();
    const char *url = json_string_value(json_object_get(f, "url"));
    if (url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        abort();
}

static int on_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
    counts *c = ctx;
    if (!local_id || !*local_id || !where || !*where || !json_is_object(fields))
        abort();
    check_fields(fields);
    json_decref(fields);
    c->records++;
    return 0;
}

static int on_deleted(void *ctx, const char *local_id, const char *where)
{
    counts *c = ctx;
    if (!local_id || !*local_id || !where || !*where)
        abort();
    c->deleted++;
    return 0;
}

static void on_reject(void *ctx, const char *where, const char *message)
{
    counts *c = ctx;
    if (!where || !*where || !message || !*message)
        abort();
    c->rejected++;
}

static void check_from(const char *date)
{
    char *d = vp_oai_from_value(date, "YYYY-MM-DD");
    if (d && strlen(d) != 10)
        abort();
    free(d);
    d = vp_oai_from_value(date, "YYYY-MM-DDThh:mm:ssZ");
    if (d && strlen(d) != 20)
        abort();
    free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    char *msg = NULL;
    vp_oai_identify id;
    vp_error msg_e = VP_ERROR_INIT;
    vp_status st = vp_oai_parse_identify(body, size, &id, &msg_e);
    msg = msg_e.status != VP_OK ? vp_error_text(&msg_e) : NULL;
    vp_error_clear(&msg_e);
    if (st == VP_OK) {
        if (msg || !id.granularity || !id.earliest_datestamp)
            abort();
        if (strcmp(id.granularity, "YYYY-MM-DD") && strcmp(id.granularity, "YYYY-MM-DDThh:mm:ssZ"))
            abort();
        check_from(id.earliest_datestamp);
    } else {
        if (!msg || !*msg || id.granularity)
            abort();
        free(msg);
        msg = NULL;
    }
    vp_oai_identify_clear(&id);

    counts c = {0, 0, 0};
    vp_emit emit = {&c, on_record, on_deleted, on_reject};
    vp_oai_page page;
    st = vp_oai_parse_page(body, size, &emit, &page, &msg_e);
    msg = msg_e.status != VP_OK ? vp_error_text(&msg_e) : NULL;
    vp_error_clear(&msg_e);
    if (st == VP_OK) {
        if (msg)
            abort();
        if (page.records != c.records || page.deleted != c.deleted || page.rejected != c.rejected)
            abort();
        if (page.token && (!*page.token || is_blank(page.token[0]) ||
                           is_blank(page.token[strlen(page.token) - 1])))
            abort();
        if (page.error_code && (c.records || c.deleted || c.rejected || page.token))
            abort();
        if (page.response_date)
            check_from(page.response_date);
    } else {
        if (!msg || !*msg)
            abort();
        free(msg);
    }
    vp_oai_page_clear(&page);
    return 0;
}
