/* analysis.h - text normalisation shared by indexing, querying and matching.
 *
 * Dutch text is written with and without diacritics ("café"/"cafe",
 * "geïnteresseerd"/"geinteresseerd"), so every word is folded to its base
 * letters before it becomes a term, on both the index and the query side. */
#ifndef VINDPLAATS_ANALYSIS_H
#define VINDPLAATS_ANALYSIS_H

#include <stddef.h>
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Latin letters with diacritics become their base letters (é→e, ï→i,
 * ß→ss, ĳ→ij, æ→ae), typographic quotes and dashes become ASCII ones;
 * with `lower` ASCII letters are lower-cased too. Other characters are
 * copied as they are; invalid UTF-8 bytes are dropped. Returns a malloc()ed
 * string, NULL when out of memory. */
char *vp_text_fold(const char *s, int lower) VP_NOEXCEPT;

/* Copies at most `max` bytes of `s` without splitting a UTF-8 character;
 * malloc()ed, NULL when out of memory. */
char *vp_text_cut(const char *s, size_t max) VP_NOEXCEPT;

/* 1 when `s` is valid UTF-8 of `len` bytes. */
int vp_utf8_valid(const char *s, size_t len) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
