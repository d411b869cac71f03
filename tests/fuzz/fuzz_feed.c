/* fuzz_feed.c - libFuzzer target for vp_feed_parse() (RSS 0.9x/1.0/2.0
 * and Atom feeds). Besides the sanitizers, the target checks the parser's
 * contract and aborts when it does not hold:
 *   - VP_OK leaves err alone; a failure sets it;
 *   - a record has a non-empty local id, an object of fields and a where;
 *     a reject has a where and a message;
 *   - the dates it writes are in normal form (reading them again gives the
 *     same string), urls are absolute http(s) URLs without spaces.
 * Run: fuzz_feed -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/feed */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/feed.h"
#include "record_contract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_emit emit = {FUZZ_URLS_AND_LANGUAGES, on_record, on_deleted, on_reject};
    char *err = NULL;
    vp_error err_e = VP_ERROR_INIT;
    vp_status st = vp_feed_parse((const char *)data, size, "https://www.example.nl/feed/", &emit, &err_e);
    err = err_e.status != VP_OK ? vp_error_text(&err_e) : NULL;
    vp_error_clear(&err_e);
    if ((st == VP_OK) != (err == NULL))
        abort();
    free(err);
    return 0;
}
