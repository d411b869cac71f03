/* series.h - one activity on several dates is one result. Private to
 * engine/ (index.c writes the key, search.c groups on it).
 *
 * Offerings with dates, the same folded title, the same branch (else
 * library) and the same proposition, from one source or several, are a
 * series. The indexer writes
 * the series key as a term (PFX_SERIES) and, for an offering without a
 * work key, as its collapse value (SERIES_MARK + key in SLOT_WORK): the
 * match that collapses the editions of a work collapses the dates of a
 * series in the same pass. After it one boolean match fetches the dates of
 * the page's series, so each hit shows its series' next date and lists the
 * others; it reads each date's id (SLOT_ID) and its dates record
 * (SLOT_DATES, written by vp_series_set_dates), not its document. An index
 * written before series holds ids in SLOT_WORK: nothing is grouped and
 * nothing more is fetched. One written before the dates record (or a date
 * without one) has its dates' documents read instead, with the same
 * answers. */
#ifndef VINDPLAATS_ENGINE_SERIES_H
#define VINDPLAATS_ENGINE_SERIES_H

#include <stdint.h>

#include "vindplaats/offering.h"
#include "vindplaats/search.h"
#include "xapian_c.h"

#define SERIES_TITLE_MAX 160 /* bytes of the folded title in a key */

/* The series key of `o` (malloc()ed): its folded title, lower-case, words
 * joined by one space, then '\x1f' and the branch (else the library), then
 * '\x1f' and the proposition (empty without one).
 * NULL when it has none (undated, no library, no words in its title) or,
 * setting *oom, when memory ran out. */
char *vp_series_key(const vp_offering *o, int *oom);

/* Sets SLOT_DATES of `doc` for the dated offering `o`: its occurrences as
 * its stored JSON (o->json) writes them, so a search reads a date's next
 * occurrence without reading its document. Nothing when `o` has no stored
 * JSON or its record would not fit. */
vp_status vp_series_set_dates(vpx_doc *doc, const vp_offering *o, vp_error *err);

/* The series of one page of results. */
typedef struct vp_series_page vp_series_page;

/* For the results `ms` of the collapsed match of `full` (its filters and
 * words; weights play no part): the offerings of
 * each hit's series that `full` matches too, by next occurrence at `now`
 * (then id). *out is NULL when no hit is a series, or each is the only
 * offering of its series in the index (no match is run). */
vp_status vp_series_page_build(vpx_db *db, const vpx_query *full, const vpx_mset *ms,
                               int64_t now, uint64_t doccount, vp_series_page **out,
                               vp_error *err);
/* The stored JSON to show for result i (its series' next date, when that
 * is another offering), borrowed; NULL when it is the result itself (or sp
 * is NULL). */
const char *vp_series_page_shown(const vp_series_page *sp, size_t i);
/* Fills h->series, n_series and series_count from result i: the other
 * dates of its series, soonest first. Nothing when it is no series. */
vp_status vp_series_page_fill(const vp_series_page *sp, size_t i, vp_search_hit *h);
void vp_series_page_destroy(vp_series_page *sp);

#endif
