/* fuzz_template.c - libFuzzer target for the page templates
 * (include/vindplaats/template.h): parsing, the partial check, rendering.
 *
 * Each input is a template, added to a set as "t" (file "t.html") beside a
 * partial "p" that includes it again, so partials recurse. Besides the
 * sanitizers, the target aborts when the contract breaks:
 *   - parsing succeeds or fails with VP_ERR_INVALID (or VP_ERR_TOO_BIG for
 *     too many templates, never here) and a message "t.html:LINE: ...";
 *     success leaves *errmsg alone;
 *   - a parsed template renders to VP_OK, VP_ERR_NOT_FOUND (a partial the
 *     set lacks) or VP_ERR_TOO_BIG (the cap, deep partials, too many
 *     steps), with a message on failure;
 *   - no value of the view reaches the output unescaped unless the template
 *     asks for it raw: every string of the view starts with the control
 *     character U+0001, which escaping leaves out; with no "{{{", "{{&" or
 *     U+0001 in the input, none appears in the output.
 * Run: fuzz_template -max_total_time=300 CORPUS_DIR tests/fuzz/corpus/template */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/buf.h"
#include "vindplaats/template.h"

static json_t *view;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    view = json_loads("{\"title\":\"\\u0001<x>\",\"n\":3,\"r\":2.5,\"t\":true,\"f\":false,\"z\":null,"
                      "\"e\":\"\",\"l\":[\"\\u0001<x>\",{\"a\":\"\\u0001<x>\"},[1,2],[]],\"raw\":\"\\u0001<x>\","
                      "\"a\":{\"b\":{\"c\":\"\\u0001<x>\"}},\"x\":{\"l\":[1,2,3]}}",
                      0, NULL);
    return view ? 0 : 1;
}

static int contains(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    vp_templates *set = vp_templates_create();
    if (!set)
        return 0;
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_templates_add(set, "t", "t.html", text, size, &err);
    if (st != VP_OK) {
        /* A malformed template is blamed on its file and a line in it. */
        if (st != VP_ERR_INVALID || err.status != st || !err.file || strcmp(err.file, "t.html") != 0 ||
            err.line == 0 || !err.message)
            abort();
        vp_error_clear(&err);
        vp_templates_destroy(set);
        return 0;
    }
    if (err.status != VP_OK)
        abort();
    static const char partial[] = "[{{> t}}]";
    if (vp_templates_add(set, "p", "p.html", partial, sizeof partial - 1, &err) != VP_OK)
        abort();
    st = vp_templates_check(set, &err);
    if (st != VP_OK && (st != VP_ERR_NOT_FOUND || !err.file || err.line == 0))
        abort();
    vp_error_clear(&err);
    vp_buf out;
    vp_buf_init(&out, 1 << 20);
    st = vp_templates_render(set, "t", view, &out, &err);
    if (st != VP_OK && st != VP_ERR_NOT_FOUND && st != VP_ERR_TOO_BIG)
        abort();
    if (st != err.status)
        abort();
    if (st == VP_OK && !contains(text, size, "{{{") && !contains(text, size, "{{&") &&
        !contains(text, size, "\x01") && out.data && contains(out.data, out.len, "\x01"))
        abort();
    vp_error_clear(&err);
    vp_buf_free(&out);
    vp_templates_destroy(set);
    return 0;
}
