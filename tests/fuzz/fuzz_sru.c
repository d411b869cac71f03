/* fuzz_sru.c - libFuzzer target for SRU requests (sru.h): the form a
 * request arrives in (GET query or POST body), the reading of its
 * parameters, YAZ's CQL parser and the mapping onto the structured query,
 * and the XML answer written for it without an index (explain, the
 * diagnostics, and diagnostic 1 for a search).
 *
 * Besides the sanitizers, the target checks the module's contract and
 * aborts when it does not hold:
 *   - reading never fails but for memory, and the version is 1.2 or 2.0;
 *   - a mapped query exists exactly when a search has no diagnostic, and
 *     its description is not empty;
 *   - the answer is produced and is well-formed XML whatever the input
 *     (every byte of input that reaches it is escaped or left out).
 * Run: fuzz_sru -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/sru */
#include <libxml/parser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/sru.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlSetGenericErrorFunc(NULL, silent);
    return 0;
}

static void broken(const char *what, const uint8_t *data, size_t size)
{
    fprintf(stderr, "fuzz_sru: contract broken: %s for %.*s\n", what, (int)(size > 300 ? 300 : size),
            (const char *)data);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    vp_sru_request *rq = NULL;
    if (vp_sru_request_parse_form((const char *)data, size, &rq) != VP_OK)
        return 0; /* out of memory */
    int version = vp_sru_request_version(rq);
    if (version != 12 && version != 20)
        broken("version", data, size);
    const char *details = NULL;
    int code = vp_sru_request_diagnostic(rq, &details);
    char *described = vp_sru_request_describe(rq);
    if (vp_sru_request_is_search(rq) && !code && (!described || !*described))
        broken("a search without a diagnostic has no query", data, size);
    if (described && code)
        broken("a query beside a diagnostic", data, size);
    free(described);
    vp_sru_context ctx = {"127.0.0.1", 8080, 0};
    char *body = NULL;
    size_t len = 0;
    if (vp_sru_respond(NULL, rq, &ctx, &body, &len) == VP_OK) {
        xmlDocPtr doc = xmlReadMemory(body, (int)len, "sru.xml", NULL, XML_PARSE_NONET);
        if (!doc)
            broken("the answer is not well-formed XML", data, size);
        xmlFreeDoc(doc);
        free(body);
    }
    vp_sru_request_destroy(rq);
    return 0;
}
