/* harvest.h - the harvester: sources, runs, checkpoints.
 *
 * Part of the indexer library (vindplaats_indexer).
 * A run harvests one source into the writable index.
 * Connectors with a protocol of their own (OAI-PMH) drive the run
 * themselves through the functions below; file-like sources (iCalendar,
 * JSON-LD, feeds, CSV, ONIX, MARC) are fetched by harvest.c and handed to
 * the connector's parser.
 *
 * Safety: every record a connector emits goes through normalisation into
 * a pending batch; vp_run_checkpoint() writes the batch and the source's
 * new state in one Xapian commit. A run killed at any moment therefore
 * restarts from its last checkpoint with exactly the documents written up
 * to it, and writing a record again replaces it by id. */
#ifndef VINDPLAATS_INDEXER_HARVEST_H
#define VINDPLAATS_INDEXER_HARVEST_H

#include <stddef.h>
#include <jansson.h>

#include "vindplaats/connector.h"
#include "vindplaats/status.h"
#include "vindplaats/fetch.h"

typedef struct vp_source {
    char *name;          /* lower-case letters, digits, '-', '_', '.' (the offering's "source") */
    char *kind;          /* "oai-pmh", "ical", "jsonld", "feed", "csv", "onix", "marc" */
    char *url;
    char *library;       /* the owning library's id, or NULL */
    char *branch;        /* a default branch id, or NULL */
    char *type;          /* default offering type, or NULL */
    char *proposition;   /* default proposition id, or NULL */
    char *audience;      /* default audience group(s), comma-separated, or NULL */
    char **option_keys;  /* connector options (option.KEY = VALUE in the config) */
    char **option_values;
    size_t n_options;
    int allow_file;      /* file:// URLs allowed for this source */
    vp_address_allow allow_private; /* loopback, private, ... addresses it may reach */
    int allow_shrink;    /* a snapshot with under half the records it had replaces them */
    long deadline_s;     /* every fetch of a harvest of it ends by then; 0: the run's default */
    char *config_file;   /* where it was defined, and on which line, for messages */
    int config_line;
} vp_source;

/* The value of connector option `key`, or NULL when not set. */
const char *vp_source_option(const vp_source *s, const char *key);

typedef struct vp_harvest_run vp_harvest_run;

/* The emit that takes records into the pending batch (normalised,
 * validated; bad ones are reported with the source and URL and counted). */
const vp_emit *vp_run_emit(vp_harvest_run *run);
/* Tells the run which URL (and so which page) the next records come from,
 * for messages. */
void vp_run_set_url(vp_harvest_run *run, const char *url);
/* Fetches with the run's options (and the source's allow_file,
 * allow_private and deadline). */
vp_status vp_run_fetch(vp_harvest_run *run, const char *url, const char *etag,
                       const char *last_modified, vp_fetch_result *out, vp_error *err);
/* The state saved with this source's last checkpoint: a JSON object,
 * borrowed, never NULL ({} for a source never harvested, or with --full). */
json_t *vp_run_state(vp_harvest_run *run);
/* 1 when a full harvest was asked for (--full): ignore incremental state. */
int vp_run_full(vp_harvest_run *run);
/* Writes every record emitted since the last checkpoint together with
 * `state` (stolen; becomes vp_run_state()) in one commit. An error with
 * *err (may be NULL) when the index could not be written, or when the run
 * had to stop in a callback (out of memory, the report not written). */
vp_status vp_run_checkpoint(vp_harvest_run *run, json_t *state, vp_error *err);
/* Drops the records emitted since the last checkpoint (nothing is written). */
void vp_run_discard(vp_harvest_run *run);
/* Reports a problem that is not one record's ("page 3: ...") and counts it
 * as rejected, the way emit->reject does. VP_ERR_IO when the report (the
 * run's report file) could not be written: the run then stops, as when
 * memory runs out (its next checkpoint fails with that error). */
vp_status vp_run_report(vp_harvest_run *run, const char *where, const char *message);

/* A connector that drives its own protocol. Returns VP_OK when the source
 * was harvested to its end (possibly with rejected records); an error with
 * *err (may be NULL; the request URL as its file, the place in the page as
 * its path) when the harvest had to stop (what was checkpointed stays). */
vp_status vp_oai_harvest(vp_harvest_run *run, const vp_source *src, vp_error *err);

#endif
