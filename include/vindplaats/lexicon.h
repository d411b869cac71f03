/* lexicon.h - what the engine knows about Dutch words beyond stemming:
 * a word list for splitting compounds ("computercursus" = computer +
 * cursus, "voorleesochtend" = voorlees + ochtend) and synonym groups (the
 * propositions' local names, plus data/synonyms.tsv), used to rewrite a
 * resident's query into one that finds every local name.
 *
 * A lexicon is immutable once loaded: any number of threads may use it. */
#ifndef VINDPLAATS_LEXICON_H
#define VINDPLAATS_LEXICON_H

#include <stddef.h>
#include "vindplaats/status.h"
#include "vindplaats/vocabulary.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_lexicon vp_lexicon;

#define VP_COMPOUND_MIN_PART 3   /* bytes of the shortest word kept for splitting */
#define VP_COMPOUND_MIN_SPLIT 4  /* bytes of the shortest part of a split */
#define VP_COMPOUND_MAX_PARTS 4

/* The files a lexicon is made of; any may be NULL. */
typedef struct vp_lexicon_files {
    const char *words;      /* one word per line, UTF-8 (a Dutch word list) */
    const char *synonyms;   /* one group per line, members separated by '|', '#' comments */
    const char *stopwords;  /* one word per line */
    const char *types;      /* type<TAB>words separated by '|': words naming a type */
    const char *holidays;   /* school holidays per region (data/lexicon/schoolvakanties.tsv):
                             * without it no holiday word is understood */
} vp_lexicon_files;

/* Loads the files and the names and aliases of `voc` (may be NULL,
 * borrowed only during the call). Words are folded and lower-cased. On a
 * bad file returns VP_ERR_IO or VP_ERR_INVALID with the file and line in
 * *err (may be NULL; filled on failure only). */
vp_status vp_lexicon_load(const vp_lexicon_files *files, const vp_vocabulary *voc,
                          vp_lexicon **out, vp_error *err) VP_NOEXCEPT;
void vp_lexicon_destroy(vp_lexicon *lex) VP_NOEXCEPT;

/* Gives the lexicon the names of the network's municipalities and branches
 * (copied; `net` is only read during the call): they become place words
 * of a query ("neude", "leidsche rijn", "leusden"), and their provinces
 * choose the region of a school holiday. Call it before the lexicon is
 * shared between threads; NULL forgets them. VP_ERR_NOMEM when memory ran
 * out (the lexicon keeps what it had). */
struct vp_network;
vp_status vp_lexicon_set_network(vp_lexicon *lex, const struct vp_network *net) VP_NOEXCEPT;
/* Gives the lexicon the national list of places with their postcode areas
 * (geo.h; borrowed: it must outlive the lexicon's searches), the one the
 * place= parameter resolves with: its names become place words of a query
 * ("taalcafe zeist"), a boost by distance (docs/query-understanding.md).
 * Call it before the lexicon is shared between threads; NULL forgets it. */
struct vp_postcodes;
void vp_lexicon_set_postcodes(vp_lexicon *lex, const struct vp_postcodes *pc) VP_NOEXCEPT;

size_t vp_lexicon_size(const vp_lexicon *lex) VP_NOEXCEPT;
/* 1 when the folded, lower-case `word` is known. */
int vp_lexicon_has(const vp_lexicon *lex, const char *word) VP_NOEXCEPT;

/* The stop words, NULL-terminated (borrowed); never NULL. */
const char *const *vp_lexicon_stopwords(const vp_lexicon *lex) VP_NOEXCEPT;
/* 1 when every word of the folded `query` is a stop word (or it has none). */
int vp_lexicon_only_stopwords(const vp_lexicon *lex, const char *query) VP_NOEXCEPT;

/* The offering types the folded `query` names ("cursus", "luisterboek"), as
 * bits (1u << index in vp_offering_types); 0 when none. */
unsigned vp_lexicon_types_named(const vp_lexicon *lex, const char *query) VP_NOEXCEPT;

/* Splits the folded, lower-case `word` into known parts of at least
 * VP_COMPOUND_MIN_SPLIT letters, the longest head first, allowing the Dutch
 * linking letters -s-, -e- and -en- between them. A head that is a
 * word-forming ending (-schap, -heid, -lijk, -baar, ...) is no part:
 * "zwangerschap" and "vriendschap" are not compounds.
 * Returns the number of parts (0 when it is no compound) and writes them,
 * NUL-terminated, into parts[i] (each VP_COMPOUND_PART_SIZE bytes). */
#define VP_COMPOUND_PART_SIZE 64
size_t vp_lexicon_split(const vp_lexicon *lex, const char *word,
                        char parts[VP_COMPOUND_MAX_PARTS][VP_COMPOUND_PART_SIZE]) VP_NOEXCEPT;

/* The singular of a diminutive plural ("spelletjes" -> "spelletje",
 * "boompjes" -> "boompje"), which the Dutch stemmer does not bring
 * together: 1 and `out` filled, or 0. `word` is folded lower-case. */
int vp_lexicon_diminutive_singular(const char *word, char out[VP_COMPOUND_PART_SIZE]) VP_NOEXCEPT;

/* A proposition id as one word of letters and digits ("klik-en-tik" ->
 * "klikentik"): the index holds it as text under the query field
 * VP_PROPOSITION_FIELD, weighted like the proposition's name. malloc()ed. */
#define VP_PROPOSITION_FIELD "propositieterm"
char *vp_proposition_token(const char *id) VP_NOEXCEPT;

/* Rewrites a folded query for the query parser: a synonym or local name
 * outside quotes and field prefixes becomes "(as typed OR alternatives)"
 * (for a local name: the proposition's own term),
 * and a compound word "(word OR (part part))". Returns a malloc()ed
 * string (NULL when out of memory); `lex` may be NULL (a plain copy). */
char *vp_lexicon_rewrite(const vp_lexicon *lex, const char *query) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
