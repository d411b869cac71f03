/* understand.h - place, day and age words in a query (private to engine/).
 *
 * understand_query() reads the folded words of q and takes out those that
 * name a municipality of the index ("amersfoort", "den haag"), a place of
 * the national list the place= parameter resolves with ("zeist"), a day or
 * period ("zaterdag", "vanavond", "dit weekend", "in de kerstvakantie") or
 * an age ("peuters", "voor mijn kleinkind van 5"). What they name becomes
 * a boost (search.c), never a filter; the rest of the words are searched
 * as usual. docs/query-understanding.md lists every rule. */
#ifndef VINDPLAATS_UNDERSTAND_H
#define VINDPLAATS_UNDERSTAND_H

#include "vindplaats/index.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/network.h"
#include "vindplaats/search.h"

struct vpx_query;

/* School holidays per region, as loaded from a file like
 * data/lexicon/schoolvakanties.tsv (the lexicon owns one). */
typedef struct understand_calendar understand_calendar;
/* Reads `path`; on a bad line VP_ERR_INVALID with the file and line in
 * *err, VP_ERR_IO when unreadable. The caller owns *out. */
vp_status understand_calendar_load(const char *path, understand_calendar **out, vp_error *err);
void understand_calendar_destroy(understand_calendar *cal);

/* The names of the network's municipalities and branches, folded (the
 * lexicon owns one). VP_ERR_NOMEM when memory ran out; *out NULL for a
 * network without branches. */
typedef struct understand_places understand_places;
vp_status understand_places_build(const vp_network *net, understand_places **out);
void understand_places_destroy(understand_places *pl);

/* The lexicon's calendar and places (lexicon.c); NULL when it has none. */
const understand_calendar *vp_lexicon_calendar(const vp_lexicon *lex);
const understand_places *vp_lexicon_places(const vp_lexicon *lex);
/* The lexicon's national list of places (vp_lexicon_set_postcodes), or NULL. */
const struct vp_postcodes *vp_lexicon_postcodes(const vp_lexicon *lex);

/* For a place that names a branch (it->branch set): adds to *boosted, the
 * town's boost, half of `weight` again for that branch's offerings, so they
 * come before the rest of the town's. Otherwise leaves *boosted alone. */
vp_status understood_branch(const vp_understood *it, double weight, struct vpx_query **boosted,
                            vp_error *err);

/* For a place of the national list (it->near set): *boosted gets the
 * offerings' nearness to it, `weight` at the place itself and half of it
 * at `half_km`; offerings without a place (online ones) get nothing and
 * stay. Otherwise leaves *boosted alone. */
vp_status understood_near(const vp_understood *it, double weight, double half_km,
                          struct vpx_query **boosted, vp_error *err);

/* Fills out[0..*n) (at most VP_UNDERSTOOD_MAX) and *rest, the words left
 * to match (malloc()ed), when q names something; *rest NULL and *n 0
 * otherwise: a query with syntax (quotes, field:, operators, brackets) is
 * left alone, and so is one whose words would all be taken. `without`
 * holds VP_WITHOUT_* bits; `today` is YYYYMMDD in Europe/Amsterdam.
 * VP_ERR_NOMEM when memory ran out. */
vp_status understand_query(vp_index *idx, const char *q, unsigned without, int today,
                           char **rest, vp_understood *out, size_t *n);

#endif
