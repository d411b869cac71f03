/* understand.h - place, day and age words in a query (private to engine/).
 *
 * understand_query() reads the folded words of q and takes out those that
 * name a municipality of the index ("amersfoort", "den haag"), a day or
 * period ("zaterdag", "vanavond", "dit weekend", "in de kerstvakantie") or
 * an age ("peuters", "voor mijn kleinkind van 5"). What they name becomes
 * a boost (search.c), never a filter; the rest of the words are searched
 * as usual. docs/query-understanding.md lists every rule. */
#ifndef VINDPLAATS_UNDERSTAND_H
#define VINDPLAATS_UNDERSTAND_H

#include "vindplaats/index.h"
#include "vindplaats/search.h"

/* Fills out[0..*n) (at most VP_UNDERSTOOD_MAX) and *rest, the words left
 * to match (malloc()ed), when q names something; *rest NULL and *n 0
 * otherwise: a query with syntax (quotes, field:, operators, brackets) is
 * left alone, and so is one whose words would all be taken. `without`
 * holds VP_WITHOUT_* bits; `today` is YYYYMMDD in Europe/Amsterdam.
 * VP_ERR_NOMEM when memory ran out. */
vp_status understand_query(vp_index *idx, const char *q, unsigned without, int today,
                           char **rest, vp_understood *out, size_t *n);

#endif
