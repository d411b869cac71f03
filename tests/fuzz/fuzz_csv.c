/* fuzz_csv.c - libFuzzer target for vp_csv_parse() with a fixed column
 * mapping (the fields the Dutch exports use), run twice on each input: as
 * UTF-8 with ',' and as Windows-1252 with ';'. Besides the sanitizers, the
 * target checks the parser's contract and aborts when it does not hold:
 *   - VP_OK leaves errmsg alone; a failure sets it;
 *   - a record has a non-empty local id, an object of fields and a where;
 *     a reject has a where and a message;
 *   - the dates it writes are in normal form (reading them again gives the
 *     same string).
 * Run: fuzz_csv -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/csv */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
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
    json_t *price = json_object_get(fields, "price");
    if (price && !(json_number_value(json_object_get(price, "amount")) >= 0))
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

static const char *const fields_[] = {"title", "description", "date", "time", "end_time", "start",
                                      "end", "url", "_location", "price", "creators", "isbn",
                                      "subjects", "_age", "type"};
static const char *const columns_[] = {"titel", "omschrijving", "datum", "begintijd", "eindtijd",
                                       "start", "eind", "url", "locatie", "prijs", "auteurs", "isbn",
                                       "onderwerpen", "leeftijd", "soort"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_emit emit = {NULL, on_record, on_deleted, on_reject};
    for (int pass = 0; pass < 2; pass++) {
        vp_csv_options opt = {
            .delimiter = pass ? ';' : ',',
            .quote = '"',
            .encoding = pass ? "windows-1252" : "utf-8",
            .id_column = pass ? NULL : "id",
            .map_fields = fields_,
            .map_columns = columns_,
            .n_map = pass ? 5 : sizeof fields_ / sizeof fields_[0],
            .date_format = "auto",
            .list_separator = pass ? ";|" : "|",
        };
        char *err = NULL;
        vp_status st = vp_csv_parse((const char *)data, size, &opt, &emit, &err);
        if ((st == VP_OK) != (err == NULL))
            abort();
        free(err);
    }
    return 0;
}
