/* snippet.h - a short passage of a description with the query's words
 * marked. Private to engine/. */
#ifndef VINDPLAATS_ENGINE_SNIPPET_H
#define VINDPLAATS_ENGINE_SNIPPET_H

#include <stddef.h>
#include "vindplaats/status.h"
#include "xapian_c.h"

/* The terms of a query that a snippet marks: plain words and their stems. */
typedef struct vp_snippet_terms {
    char **words;
    size_t n_words;
    char **stems;  /* without Xapian's "Z" */
    size_t n_stems;
} vp_snippet_terms;

/* Picks the unprefixed terms out of a parsed query. */
vp_status vp_snippet_terms_from_query(const vpx_query *q, vp_snippet_terms *out,
                                      vp_error *err);
void vp_snippet_terms_free(vp_snippet_terms *t);

/* The passage of `text` of at most `max_words` words with the most matched
 * words, HTML-escaped, matched words inside <mark>...</mark>, "…" where the
 * text was cut. *out is malloc()ed. */
vp_status vp_snippet_make(const char *text, const vp_snippet_terms *terms, vpx_stemmer *stemmer,
                          size_t max_words, char **out);

#endif
