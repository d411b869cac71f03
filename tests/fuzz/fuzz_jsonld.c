/* fuzz_jsonld.c - libFuzzer target for vp_jsonld_parse() (JSON-LD
 * documents and HTML pages with ld+json blocks) and vp_sitemap_parse()
 * (XML sitemaps and URL lists). Every input goes through both.
 * Besides the sanitizers, the target checks the parsers' contract and
 * aborts when it does not hold:
 *   - VP_OK leaves err alone; a failure sets it;
 *   - a record has a non-empty local id, an object of fields and a where;
 *     a reject has a where and a message;
 *   - the dates it writes are in the parser's own normal form (reading
 *     them again gives the same string), urls are absolute http(s) URLs
 *     without spaces, a language is two lower-case letters;
 *   - sitemap URLs are http(s).
 * Run: fuzz_jsonld -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/jsonld */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/jsonld.h"
#include "record_contract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_url(void *ctx, const char *url, int is_index)
{
    (void)ctx;
    if (!url || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        (is_index != 0 && is_index != 1))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vp_emit emit = {FUZZ_URLS_AND_LANGUAGES, on_record, on_deleted, on_reject};
    char *err = NULL;
    vp_error err_e = VP_ERROR_INIT;
    vp_status st = vp_jsonld_parse((const char *)data, size, "https://www.example.nl/agenda/x", &emit, &err_e);
    err = err_e.status != VP_OK ? vp_error_text(&err_e) : NULL;
    vp_error_clear(&err_e);
    if ((st == VP_OK) != (err == NULL))
        abort();
    free(err);
    err = NULL;
    st = vp_sitemap_parse((const char *)data, size, on_url, NULL, &err_e);
    err = err_e.status != VP_OK ? vp_error_text(&err_e) : NULL;
    vp_error_clear(&err_e);
    if ((st == VP_OK) != (err == NULL))
        abort();
    free(err);
    return 0;
}
