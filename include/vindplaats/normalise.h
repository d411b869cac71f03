/* normalise.h - from what a connector found to an offering of the network.
 *
 * Part of the indexer library (vindplaats_indexer).
 * A connector's record (connector.h) states what the
 * platform says; normalisation adds what the network knows:
 *   - the id ("SOURCE:LOCAL-ID") and source;
 *   - the type (the record's, the work's form, the source's default, or
 *     the connector's usual kind);
 *   - one uniform proposition of the vocabulary, found from the record's
 *     local name, categories, title and subjects by the proposition's names
 *     and aliases (case- and diacritics-insensitive, on word boundaries),
 *     else the source's default; the local name stays as found;
 *   - audience from age phrases ("4-6 jaar", "vanaf 12", "0+",
 *     "volwassenen") and the source's default groups;
 *   - channel: online when the source says so or there is a URL and no
 *     place, offline with a place, hybrid with both;
 *   - library and branch: the source's, or the branch whose name or alias
 *     the LOCATION text names (with its municipality and coordinates);
 *   - the work key: the same ISBN (ISBN-10 or -13, as ISBN-13), or else the
 *     same folded title and first creator, is the same work in every
 *     library.
 * The result is validated by the offering parser, so a record that is
 * still not an offering is rejected with the parser's message. */
#ifndef VINDPLAATS_INDEXER_NORMALISE_H
#define VINDPLAATS_INDEXER_NORMALISE_H

#include <jansson.h>

#include "vindplaats/network.h"
#include "vindplaats/offering.h"
#include "vindplaats/status.h"
#include "vindplaats/vocabulary.h"
#include "vindplaats/config.h"
#include "vindplaats/harvest.h"

typedef struct vp_normaliser vp_normaliser;

/* `voc`, `net` and `aliases` are borrowed and must outlive the normaliser;
 * `net` and `aliases` may be NULL/0. */
vp_status vp_normaliser_create(const vp_vocabulary *voc, const vp_network *net,
                               const vp_branch_alias *aliases, size_t n_aliases,
                               vp_normaliser **out);
void vp_normaliser_destroy(vp_normaliser *n);

/* Normalises `fields` (borrowed; changed in place) of record `local_id`
 * from `src` into an offering, handed to the offering's checks as the
 * object it is (vp_offering_from_json). On VP_OK the caller owns *out
 * (vp_offering_destroy). On VP_ERR_INVALID *err (may be NULL) holds the
 * problems as vp_offering_from_json gives them, each with its path
 * ("title": missing); VP_ERR_NOMEM. */
vp_status vp_normalise(const vp_normaliser *n, const vp_source *src, const char *local_id,
                       json_t *fields, vp_offering **out, vp_error *err);

/* The offering id of record `local_id` of source `source`: "SOURCE:LOCAL"
 * with white space and control characters made '-', or a hash of a local
 * id too long for the offering's 200 bytes. malloc()ed; NULL when out of
 * memory. */
char *vp_normalise_id(const char *source, const char *local_id);

/* The proposition whose name or alias `text` names (folded, on word
 * boundaries; the longest alias wins), or NULL; *alias gets the matched
 * alias as the vocabulary writes it. */
const vp_proposition *vp_normalise_proposition(const vp_normaliser *n, const char *text,
                                               const char **alias);
/* The first valid ISBN of `isbns` as 13 digits into out[14]; 0 when found. */
int vp_isbn13(const char *isbn, char out[14]);

/* Matches each entry of a "holdings" array (connector.h) to the
 * network: its "_match" texts (a catalogue's 852 $b, $a) as a branch id,
 * a branch name or alias, a distinctive part of one ("Vathorst"), or a
 * library's id or name; sets "branch", "branch_name" and "library" where
 * found and removes "_match". vp_normalise() does this to a record's own.
 * `holdings` may be NULL or not an array: nothing to do. VP_ERR_NOMEM
 * (with *err, may be NULL) when a value could not be set: the entries are
 * then matched only in part. */
vp_status vp_normalise_holdings(const vp_normaliser *n, json_t *holdings, vp_error *err);

#endif
