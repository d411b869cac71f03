/* fuzz_segments.c - libFuzzer target for the segment model's two files
 * (engine/segments.c): each input is read once as segments.json and once
 * as the PC4 table of a fixed valid model, by the strict loader and by the
 * lenient importer. Besides the sanitizers, the target checks the error
 * contract and aborts when it does not hold:
 *   - VP_OK leaves err alone; a failure sets it with the same status;
 *   - every problem has a message and, but for the one entry that counts
 *     the rest, the file read as its place; at most 50 are listed;
 *   - a problem of the table never has a path; one of segments.json has
 *     a path or a line (of a syntax error), never both.
 * Run: fuzz_segments -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/segments */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vindplaats/segments.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MODEL                                                                              \
    "{\"segments\":[{\"id\":\"alfa\",\"name\":\"Alfa\",\"affinities\":{\"types\":"         \
    "{\"book\":0.5}}},{\"id\":\"beta\",\"name\":\"Beta\",\"affinities\":{}}]}"

static char dir[64], input[128], model[128];

static void write_to(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
}

/* Aborts unless `err` tells the failure `st` of reading `file` as the
 * contract says; `table`: the file is a PC4 table. */
static void check(vp_status st, const vp_error *err, const char *file, int table)
{
    if ((st == VP_OK) != (err->status == VP_OK) || (st != VP_OK && err->status != st))
        abort();
    size_t n = 0;
    for (const vp_error *e = err; st != VP_OK && e; e = e->next, n++) {
        int counted = e->next == NULL && e->message && strstr(e->message, "more problems");
        if (!e->message || (!counted && (!e->file || strcmp(e->file, file) != 0)))
            abort();
        if (table ? e->path != NULL : e->line != 0 && e->path != NULL)
            abort();
    }
    if (n > 51)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/vp-fuzz-segments-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        snprintf(input, sizeof input, "%s/input", dir);
        snprintf(model, sizeof model, "%s/model.json", dir);
        write_to(model, MODEL, strlen(MODEL));
    }
    write_to(input, data, size);

    vp_segments *s = NULL;
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_segments_load(input, NULL, NULL, &s, &err);
    check(st, &err, input, 0);
    if ((st == VP_OK) != (s != NULL))
        abort();
    vp_segments_destroy(s);
    vp_error_clear(&err);

    s = NULL;
    st = vp_segments_load(model, input, NULL, &s, &err);
    check(st, &err, input, 1);
    vp_segments_destroy(s);
    vp_error_clear(&err);

    vp_segments *m = NULL;
    if (vp_segments_load(model, NULL, NULL, &m, NULL) != VP_OK)
        abort();
    size_t ok = 0, bad = 0;
    FILE *devnull = fopen("/dev/null", "w");
    st = vp_segments_import_postcodes(m, input, devnull, devnull, &ok, &bad, &err);
    if (devnull)
        fclose(devnull);
    if ((st == VP_OK) != (err.status == VP_OK) || (st == VP_OK && bad != 0))
        abort();
    vp_error_clear(&err);
    vp_segments_destroy(m);
    return 0;
}
