/* analysis.h - text normalisation shared by indexing, querying and matching.
 *
 * Dutch text is written with and without diacritics ("café"/"cafe",
 * "geïnteresseerd"/"geinteresseerd"), so every word is folded to its base
 * letters before it becomes a term, on both the index and the query side. */
#ifndef VINDPLAATS_ANALYSIS_H
#define VINDPLAATS_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>
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

/* The words of `s` (split at spaces and control bytes, at most 256 kept)
 * joined by single spaces, with what could identify a person replaced:
 *   [e-mail]  an address, also written out: "jan(at)mail.nl",
 *             "jan [at] mail punt nl", "jan at mail.nl", "jan apenstaartje ...";
 *   [nummer]  6 or more digits however grouped ("123.456.782",
 *             "06 1234 5678", "+31 6 12345678") and IBANs ("NL91 ABNA 0417
 *             1643 00");
 *   [adres]   a postcode with a house number ("3811 AB 12", "3811AB12a").
 * Letters are matched without regard to ASCII case; give it folded text to
 * catch the accented forms too. Returns a malloc()ed string, NULL when out
 * of memory. */
char *vp_text_scrub(const char *s) VP_NOEXCEPT;

/* 1 when `s` is valid UTF-8 of `len` bytes. */
int vp_utf8_valid(const char *s, size_t len) VP_NOEXCEPT;

/* Makes the NUL-terminated `s` valid UTF-8 in place: every byte that does not
 * belong to a whole, valid sequence becomes '?'. For messages that quote what
 * a client sent, cut to a byte limit that may split a character. Returns the
 * number of bytes replaced. */
size_t vp_utf8_repair(char *s) VP_NOEXCEPT;

/* Writes code point `cp` (at most U+10FFFF, not a surrogate) as UTF-8 into
 * out and returns its length, 1 to 4. */
size_t vp_utf8_put(char out[4], uint32_t cp) VP_NOEXCEPT;

/* The Unicode code point of byte `b` read as Windows-1252, the way browsers
 * read text labelled Latin-1 (U+FFFD for the five bytes it leaves
 * undefined). */
uint32_t vp_cp1252_char(unsigned char b) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
