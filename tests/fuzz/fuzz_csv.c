/* fuzz_csv.c - libFuzzer target for vp_csv_parse() with a fixed column
 * mapping (the fields the Dutch exports use), run twice on each input: as
 * UTF-8 with ',' and as Windows-1252 with ';'. Besides the sanitizers, the
 * target checks the parser's contract and aborts when it does not hold:
 *   - VP_OK leaves err alone; a failure sets it;
 *   - a record has a non-empty local id, an object of fields and a where;
 *     a reject has a where and a message;
 *   - the dates it writes are in normal form (reading them again gives the
 *     same string).
 * Run: fuzz_csv -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/csv */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/csv.h"
#include "record_contract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
        vp_error err_e = VP_ERROR_INIT;
        vp_status st = vp_csv_parse((const char *)data, size, &opt, &emit, &err_e);
        err = err_e.status != VP_OK ? vp_error_text(&err_e) : NULL;
        vp_error_clear(&err_e);
        if ((st == VP_OK) != (err == NULL))
            abort();
        free(err);
    }
    return 0;
}
