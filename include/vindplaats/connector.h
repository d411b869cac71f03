/* connector.h - what a connector's parser hands to the harvester.
 *
 * A connector turns the bytes of one fetched page (an OAI-PMH response, an
 * iCalendar file, a JSON-LD document or HTML page, a feed, a CSV file) into
 * records. Its parser knows nothing of HTTP, the index or the network's
 * libraries: it reads bytes and calls the three functions of a vp_emit, so
 * the same code runs in the harvester, in the unit tests and under the
 * fuzzer.
 *
 * A record is a jansson object with the fields of the offering's JSON form
 * (docs/offering.md) that the source states: "title", "description",
 * "type", "local_name", "creators", "subjects", "language", "isbn", "url",
 * "start", "end", "occurrences", "price", "updated". Dates are strings the
 * offering parser accepts (vp_datetime_parse). Fields the source does not
 * give are left out. The parser does not invent ids, libraries or
 * propositions: normalisation (normalise.h) adds those from the source's
 * configuration and the vocabulary. Hints for normalisation go under keys
 * starting with '_':
 *   "_location"   string: place text ("Bibliotheek Neude, Oudegracht 1")
 *   "_age"        string: an age phrase ("4-6 jaar", "vanaf 12", "0+")
 *   "_categories" array of strings: categories or tags of the source
 *   "_online"     true when the source says the offering is online
 *   "_format"     "ebook", "audiobook", "book": the form of a work
 *   "_rrule"      string: kept for diagnostics only
 * and inside each "holdings" entry:
 *   "_match"      array of strings: texts naming the branch (MARC 852 $b,
 *                 $a), matched to the network's branch ids, names, aliases
 * Normalisation removes every '_' key before the record is validated. */
#ifndef VINDPLAATS_CONNECTOR_H
#define VINDPLAATS_CONNECTOR_H

#include <stddef.h>
#include <jansson.h>

#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_emit {
    void *ctx;
    /* One record. `local_id` is the source's own id of it (an OAI
     * identifier, a UID, a GUID, a row key), never empty; `fields` is
     * stolen (the callee decrefs it); `where` says where it was found, for
     * messages ("record oai:x:12", "line 40", "VEVENT 3 (line 40)"). Return
     * 0 to go on, non-zero to stop: the parser then returns at once (with
     * VP_OK; the caller knows why it stopped). */
    int (*record)(void *ctx, const char *local_id, json_t *fields, const char *where);
    /* The source says the record `local_id` is gone (OAI status="deleted"). */
    int (*deleted)(void *ctx, const char *local_id, const char *where);
    /* A malformed record, event, item or row that was skipped. */
    void (*reject)(void *ctx, const char *where, const char *message);
    /* Optional (may be NULL): the page breaks off or stops being
     * well-formed where `why` says (borrowed: its path "line L, column C",
     * and the message to report); the complete records
     * before it were emitted, the rest of the page is lost. A harvest
     * then keeps what the source had instead of taking the page as the
     * whole of it. */
    void (*broken)(void *ctx, const vp_error *why);
    /* Optional (may be NULL): holdings (an array of holdings objects,
     * stolen) for the source's record `local_id`, which this page does not
     * hold: the harvester keeps them until that record arrives. Without
     * it the parser rejects them. Return as record(). */
    int (*holding)(void *ctx, const char *local_id, json_t *holdings, const char *where);
} vp_emit;

/* Reports a broken page (`why` as vp_xml_read_partial fills it: path
 * "line L, column C" and libxml2's message) through emit->broken, or
 * emit->reject (where = that path, "page" without one) when the emit has
 * no broken(), with a message that says the records before it are kept. */
void vp_emit_broken(const vp_emit *emit, const vp_error *why);

/* Small helpers for parsers (connector.c). Each returns 0, or -1 when out
 * of memory. `s` may be NULL or blank: then nothing is set. Values are
 * trimmed of surrounding white space and inner runs of white space (and
 * control characters) are collapsed to one space; descriptions keep their
 * line breaks and paragraph breaks. */
int vp_fields_set(json_t *fields, const char *key, const char *s);
int vp_fields_set_text(json_t *fields, const char *key, const char *s); /* keeps line breaks */
int vp_fields_add(json_t *fields, const char *list_key, const char *s); /* appends, skips duplicates */

/* Strings, for the parsers. */
/* 1 for ASCII white space (space, tab, line feed, CR, form feed, VT). */
int vp_is_blank(unsigned char c);
/* Trims `s` in place of surrounding white space and returns it (NULL for NULL). */
char *vp_str_trim(char *s);
/* The first place in [p, end) where the lower-case `needle` occurs, ASCII
 * letters compared without case; NULL when it does not. */
const char *vp_str_find_ci(const char *p, const char *end, const char *needle);

/* The words of `s`: folded (lower case, diacritics removed), every run
 * of characters other than letters and digits made one space, trimmed.
 * malloc()ed; NULL when out of memory. */
char *vp_words_fold(const char *s);
/* 1 when `needle` occurs in `hay` on word boundaries (both as
 * vp_words_fold gives them). */
int vp_words_has(const char *hay, const char *needle);

/* The one grammar of age phrases, for connectors that look for one and
 * for normalisation that reads it: the first age in `text` as numbers
 * ("4-6 jaar", "2 t/m 4 jaar", "4 tot 6 jaar", "vanaf 12", "12+", "0+",
 * "tot 4 jaar", and "4-6" or "18-" as the whole text, as schema.org's
 * typicalAgeRange writes it; "8 jaar" alone is not one: "100 jaar
 * bibliotheek" is no audience), else a word for a group ("peuters",
 * "volwassenen", "alle leeftijden") with that group's usual ages. Sets
 * *min_age and *max_age (-1: open) and *group (a static string, or NULL
 * for numbers). Returns 0 when `text` holds one, -1 when not (a time such
 * as "10:00-12:00", a date, a range the wrong way round) or out of memory;
 * the outputs are then -1, -1, NULL. */
int vp_age_phrase(const char *text, int *min_age, int *max_age, const char **group);

/* Field values, for the parsers. */
/* Writes into `out` (at least 32 bytes) the form of date or date-time `s`
 * the offering accepts: "YYYY-MM-DD" for a date, and
 * "YYYY-MM-DDThh:mm:ss+hh:mm" for a date-time, taking a date-time without
 * an offset as Europe/Amsterdam wall-clock time. Reads ISO 8601 extended
 * ("2026-12-03T19:30", "2026-12-03 19:30:00.000Z", "...+0100") and basic
 * ("20261203T193000Z", "20261203") forms. VP_OK with *has_time (when not
 * NULL) 1 for a date-time and 0 for a date; VP_ERR_INVALID when `s` is
 * NULL or neither (or an impossible date or time), `out` then undefined. */
vp_status vp_local_datetime(const char *s, char out[32], int *has_time);

/* An amount from a price text: "13.00", "€ 5,00", "EUR 1.234,50",
 * "Gratis", "free", "0". The last '.' or ',' is the decimal separator.
 * Returns 0 and sets *amount, or -1 when `s` holds no amount. */
int vp_price_parse(const char *s, double *amount);

/* A stable local id for a record that has none: "h-" and 16 hex digits of
 * a 64-bit FNV-1a hash of the NUL-separated parts. `out` needs 19 bytes. */
void vp_hash_id(char out[19], const char *const *parts, size_t n);

/* The ISBN written in `s` (hyphens and spaces kept, surrounding blanks and
 * a leading "urn:isbn:" or "ISBN" removed), malloc()ed, or NULL when `s`
 * holds no ISBN-10/13 with a correct check digit (or memory ran out).
 * With `allow_qualifier`, text after the number ("(pbk.)", ": EUR 12.50")
 * is cut off; without it the number must be all there is. */
char *vp_isbn_dup(const char *s, int allow_qualifier);

/* The ISO 639-1 code (a static string) for a language code or name:
 * ISO 639-2/B, 639-2/T, 639-3 for the common languages, 639-1 itself,
 * "nl-NL"/"en_GB" forms and English and Dutch names ("Dutch",
 * "Nederlands", "Engels"). NULL when it cannot be mapped. */
const char *vp_language_code(const char *s);

#ifdef __cplusplus
}
#endif
#endif
