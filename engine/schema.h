/* schema.h - how an offering is laid out in the Xapian index: term
 * prefixes, value slots and text weights. Private to engine/; index.c
 * writes this layout and search.c reads it, so both include this file. */
#ifndef VINDPLAATS_ENGINE_SCHEMA_H
#define VINDPLAATS_ENGINE_SCHEMA_H

#include "vindplaats/search.h"

#define VP_STEM_LANGUAGE "dutch"

/* Boolean term prefixes (Xapian's conventions where one exists). */
#define PFX_ID "Q"
#define PFX_DAY "XDD"    /* + YYYYMMDD, local day of any occurrence */
#define PFX_MONTH "XDM"  /* + YYYYMM */
#define PFX_YEAR "XDY"   /* + YYYY */
#define PFX_UNDATED "XDN" /* offerings without dates (never past) */
/* A day term for every day an occurrence spans made a long exhibition
 * hundreds of terms. The days of a whole month it spans are one term
 * instead, and so are those of a whole block of a month (days 1-10, 11-20,
 * 21 to the end) it spans: only the days of a block it covers in part
 * keep day terms. A day, month or year term still marks every day, month
 * and year an occurrence touches in part or whole, so a filter on a day
 * asks for the day, its block or its month (date_filter in search.c); an
 * index written before these terms has a day term for every day. */
#define PFX_WHOLE_MONTH "XDF" /* + YYYYMM: every day of the month */
#define PFX_WHOLE_BLOCK "XDB" /* + YYYYMM + 0|1|2: days 1-10, 11-20, 21 to the end */
/* The last local day an offering takes place, once per offering: hiding
 * the past is then an OR over disjoint lists (each offering in one). */
#define PFX_END_DAY "XDED"   /* + YYYYMMDD */
#define PFX_END_MONTH "XDEM" /* + YYYYMM */
#define PFX_END_YEAR "XDEY"  /* + YYYY */
/* Metadata set on an index begun empty by a writer that adds the PFX_END_*
 * terms: every offering in it has them. An older index keeps hiding the
 * past with its day, month and year terms until it is rebuilt. */
#define META_END_TERMS "vindplaats:end-terms"
/* Hiding the past with one term: PFX_LIVE marks an offering whose last day
 * is on or after the day it was (re)written. META_LIVE_FROM (YYYYMMDD) is a
 * day on or after which every offering with PFX_LIVE ends: a write with an
 * earlier clock lowers it, `vindplaats-indexer refresh` (which rewrites
 * every offering whose date has passed) raises it to its own day. So "not
 * ended today" is PFX_LIVE without the few end days between that day and
 * today. Absent in an index begun by a writer without live terms. */
#define PFX_LIVE "XDL"
#define META_LIVE_FROM "vindplaats:live-from"
/* Offerings that cost nothing (no price, or 0): free=true. Metadata
 * META_FREE_TERMS marks an index whose every offering had the chance to
 * get the term (begun empty by a writer that adds it); an older index
 * refuses free=true until it is rebuilt rather than find nothing. */
#define PFX_FREE "XFREE"
#define META_FREE_TERMS "vindplaats:free-terms"
#define PFX_SUGGEST "XSG" /* + folded key + '\x1f' + kind letter + text as shown */
#define PFX_SOURCE "XSRC" /* + source name: which harvest source wrote it */
#define PFX_WORK "XWK"    /* + work key: the offerings of one work */
#define PFX_ISBN "XI"     /* + ISBN-13 digits, every ISBN of the offering */
#define PFX_SERIES "XSE"  /* + series key (series.h): the dates of one activity */

/* Text prefixes for field queries. */
#define PFX_TITLE "S"
#define PFX_SUBJECT "XS"
#define PFX_CREATOR "A"
#define PFX_PROPOSITION_TEXT "XPW" /* the proposition's token, weighted */

/* Value slots. */
enum {
    SLOT_START = 0,      /* UTC "YYYYMMDDhhmmss" of the first occurrence; "~" undated */
    SLOT_TYPE = 1,
    SLOT_LIBRARY = 2,
    SLOT_PROPOSITION = 3,
    SLOT_CHANNEL = 4,
    SLOT_LOCATION = 5,   /* Xapian LatLongCoord of the branch */
    SLOT_AUDIENCE = 6,   /* the groups, in vp_offering_audiences order, joined by '|' */
    SLOT_ID = 7,         /* the offering id: orders ties the same on every sharding */
    /* What results collapse on: the work key, else for a dated offering
     * SERIES_MARK + its series key (series.h), else the id. */
    SLOT_WORK = 8,
    /* A series member's occurrences as the series step reads them without
     * its document (series.h); absent in an index written before it. */
    SLOT_DATES = 9,
    /* The days the date terms mark (every local day an occurrence touches,
     * within the same caps), as merged spans: pairs of first and last day
     * since 1970-01-01 (vpx_day_span_put, 8 bytes a span). The soon boost
     * reads it instead of the date terms when META_DAY_SPANS is set. */
    SLOT_DAYS = 10
};
/* Metadata set on an index begun empty by a writer that writes SLOT_DAYS
 * in every dated offering; an older index keeps boosting on date terms. */
#define META_DAY_SPANS "vindplaats:day-spans"

/* Starts a SLOT_WORK value that is a series key, never a work key or an id. */
#define SERIES_MARK '\x1e'

/* Term prefix of each filter field, indexed by vp_field. */
extern const char *const vp_field_prefix[VP_FIELD_COUNT];

/* Text weights (wdf increments): title above proposition above
 * subjects/creators above description. */
enum {
    WEIGHT_TITLE = 6,
    WEIGHT_PROPOSITION = 4,
    WEIGHT_SUBJECT = 2,
    WEIGHT_PLACE = 1,
    WEIGHT_DESCRIPTION = 1
};

/* The database behind an index handle, for search.c. */
struct vpx_db;
struct vpx_db *vp_index_db(vp_index *idx);

/* For recommend.c: the filters of `req` (fields, dates, not yet past unless
 * include_past, radius) as one query; *out NULL when there are none. */
struct vpx_query;
vp_status vp_search_filter_query(vp_index *idx, const vp_search_request *req,
                                 struct vpx_query **out, vp_error *err);

/* 1 for a handle opened for writing. */
int vp_index_writable(const vp_index *idx);

/* The handle's suggestion cache (suggest.c owns what it points to). */
typedef struct vp_suggest_cache vp_suggest_cache;
vp_suggest_cache **vp_index_suggest_cache(vp_index *idx);
void vp_suggest_cache_destroy(vp_suggest_cache *c);

/* The handle's cache of spelling corrections (search.c; one block, freed
 * with free()). */
typedef struct vp_spelling_cache vp_spelling_cache;
vp_spelling_cache **vp_index_spelling_cache(vp_index *idx);

#endif
