/* fuzz_feed.c - libFuzzer target for vp_feed_parse() (RSS 0.9x/1.0/2.0
 * and Atom feeds). Besides the sanitizers, the target checks the parser's
 * contract and aborts when it does not hold:
 *   - VP_OK leaves errmsg alone; a failure sets it;
 *   - a record has a non-empty local id, an object of fields and a where;
 *     a reject has a where and a message;
 *   - the dates it writes are in normal form (reading them again gives the
 *     same string), urls are absolute http(s) URLs without spaces.
 * Run: fuzz_feed -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/feed */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "jsonld.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_date(json_t *v)
{
    if (!v)
        return;
    const char *s = json_string_value(v);
    char again[32];
    if (!s || vp_local_datetime(s, again) < 0 || strcmp(again, s) != 0)
        abort();
}

static int on_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
    (void)ctx;
    if (!local_id || !*local_id || !json_is_object(fields) || !where || !*where)
        abort();
    check_date(json_object_get(fields, "start"));
    check_date(json_object_get(fields, "end"));
    check_date(json_object_get(fields, "updated"));
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(fields, "occurrences"), i, o) {
        check_date(json_object_get(o, "start"));
        check_date(json_object_get(o, "end"));
    }
    const char *url = json_string_value(json_object_get(fields, "url"));
    if (url && ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
                strpbrk(url, " \t\r\n")))
        abort();
    const char *lang = json_string_value(json_object_get(fields, "language"));
    if (lang && (strlen(lang) != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' || lang[1] > 'z'))
        abort();
    /* (json_dumps may fail: text that is not UTF-8 is passed on for the
     * record's validation to report, as connector.h says) */
    json_decref(fields);
    return 0;
}

static int on_deleted(void *ctx, const char *local_id, const char *where)
{
    (void)ctx, (void)local_id, (void)where;
    abort();
}

static void on_reject(void *ctx, const char *where, const char *message)
{
    (void)ctx;
    if (!where || !message || !*message)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_emit emit = {NULL, on_record, on_deleted, on_reject};
    char *err = NULL;
    vp_status st = vp_feed_parse((const char *)data, size, "https://www.example.nl/feed/", &emit, &err);
    if ((st == VP_OK) != (err == NULL))
        abort();
    free(err);
    return 0;
}
