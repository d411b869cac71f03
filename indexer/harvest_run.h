/* harvest_run.h - running one source into the index (harvest.c), for the
 * command line (harvest_cmd.c) and the tests. Private to indexer/. */
#ifndef VINDPLAATS_INDEXER_HARVEST_RUN_H
#define VINDPLAATS_INDEXER_HARVEST_RUN_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "vindplaats/index.h"
#include "vindplaats/fetch.h"
#include "vindplaats/harvest.h"
#include "vindplaats/normalise.h"

/* How long a source may take, all its fetches and retries together,
 * when neither it nor the run says. */
#define VP_DEFAULT_DEADLINE_S 600

typedef struct vp_harvest_options {
    int full;                 /* ignore checkpoints and validators: fetch everything */
    vp_fetch_options fetch;
    long deadline_s;          /* per source, unless it has its own; 0: VP_DEFAULT_DEADLINE_S */
    long long now;            /* the clock for iCalendar windows (0: real time) */
    FILE *report;             /* one line per rejected record or page; may be NULL */
    int progress;             /* a live progress line on stderr */
} vp_harvest_options;

typedef struct vp_harvest_stats {
    const char *source;
    uint64_t fetched;         /* pages fetched */
    uint64_t bytes;
    uint64_t records;         /* records the connector found */
    uint64_t added, updated, unchanged, deleted, rejected;
    uint64_t total;           /* the source's offerings in the index afterwards */
    int not_modified;         /* the platform answered 304 */
    double seconds;
    char *error;              /* why the source stopped (malloc()ed), or NULL */
} vp_harvest_stats;

/* Harvests `src` into the writable `shards` (one for a plain index). A
 * failing source keeps what it had and what its last checkpoint wrote;
 * its error is in stats->error and stored for `vindplaats-indexer sources`.
 * Free stats with vp_harvest_stats_clear(). */
vp_status vp_harvest_source(vp_index *const *shards, size_t n_shards, const vp_normaliser *norm,
                            const vp_source *src, const vp_harvest_options *opt,
                            vp_harvest_stats *stats);
void vp_harvest_stats_clear(vp_harvest_stats *s);
json_t *vp_harvest_stats_json(const vp_harvest_stats *s);

#endif
