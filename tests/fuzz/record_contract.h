/* record_contract.h - the emit the connectors' fuzz targets share: it
 * checks what connector.h promises of every record and aborts when it does
 * not hold (header-only; each target includes it once).
 *   - a record has a non-empty local id, an object of fields and a where;
 *     a reject has a where and a message; nothing is deleted;
 *   - dates are in normal form (reading them again gives the same string);
 *   - a price is not negative;
 *   - with FUZZ_URLS_AND_LANGUAGES in ctx: a url is an absolute http(s)
 *     URL without spaces and a language two lower-case letters (the CSV
 *     connector passes those cells on as written, for validation). */
#ifndef VINDPLAATS_FUZZ_RECORD_CONTRACT_H
#define VINDPLAATS_FUZZ_RECORD_CONTRACT_H

#include <stdlib.h>
#include <string.h>

#include "vindplaats/connector.h"

#define FUZZ_URLS_AND_LANGUAGES ((void *)1)

static void check_date(json_t *v)
{
    if (!v)
        return;
    const char *s = json_string_value(v);
    char again[32];
    if (!s || vp_local_datetime(s, again, NULL) != VP_OK || strcmp(again, s) != 0)
        abort();
}

static int on_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
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
    json_t *price = json_object_get(fields, "price");
    if (price && !(json_number_value(json_object_get(price, "amount")) >= 0))
        abort();
    if (ctx == FUZZ_URLS_AND_LANGUAGES) {
        const char *url = json_string_value(json_object_get(fields, "url"));
        if (url && ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
                    strpbrk(url, " \t\r\n")))
            abort();
        const char *lang = json_string_value(json_object_get(fields, "language"));
        if (lang && (strlen(lang) != 2 || lang[0] < 'a' || lang[0] > 'z' || lang[1] < 'a' ||
                     lang[1] > 'z'))
            abort();
    }
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

#endif
