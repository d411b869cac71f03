/* schemaorg_examples.h - the schema.org example corpus
 * (tests/data/realdata/jsonld/schemaorg-examples/, the .txt files) cut into its
 * examples: "TYPES: #eg-NNNN ..." blocks with PRE-MARKUP:, MICRODATA:,
 * RDFA: and JSON: sections (header-only, like check.h). */
#ifndef VINDPLAATS_TEST_SCHEMAORG_EXAMPLES_H
#define VINDPLAATS_TEST_SCHEMAORG_EXAMPLES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*example_fn)(void *ctx, const char *label, const char *text, size_t n);

/* Calls fn(ctx, "#eg-NNNN", text, n) with the `section` ("\nJSON:",
 * "\nPRE-MARKUP:") of every example that has one (text NUL-terminated at
 * n: up to the example's next section). Returns how many, or -1 when out
 * of memory. */
static inline int examples_each(const char *data, size_t len, const char *section, example_fn fn,
                                void *ctx)
{
    int count = 0;
    char *text = strndup(data, len);
    if (!text)
        return -1;
    size_t slen = strlen(section);
    char *p = text;
    while (p && *p) {
        char *types = strncmp(p, "TYPES:", 6) == 0 ? p : strstr(p, "\nTYPES:");
        if (!types)
            break;
        if (*types == '\n')
            types++;
        char *next = strstr(types + 6, "\nTYPES:");
        p = next ? next + 1 : NULL;
        char *body = strstr(types, section);
        if (!body || (next && body > next))
            continue;
        body += slen;
        /* up to the next section header of this example */
        char *stop = next ? next : text + len;
        static const char *const heads[] = {"\nTYPES:", "\nPRE-MARKUP:", "\nMICRODATA:", "\nRDFA:",
                                            "\nJSON:"};
        for (size_t k = 0; k < sizeof heads / sizeof *heads; k++) {
            char *h = strstr(body, heads[k]);
            if (h && h < stop)
                stop = h;
        }
        char label[64] = "";
        const char *hash = strchr(types, '#');
        if (hash && (!next || hash < next)) {
            size_t k = strcspn(hash, " \n,");
            snprintf(label, sizeof label, "%.*s", (int)k, hash);
        }
        char saved = *stop;
        *stop = '\0';
        fn(ctx, label, body, (size_t)(stop - body));
        count++;
        *stop = saved;
    }
    free(text);
    return count;
}

#endif
