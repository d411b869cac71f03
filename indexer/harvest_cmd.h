/* harvest_cmd.h - the harvest and sources commands of vindplaats-indexer. */
#ifndef VINDPLAATS_INDEXER_HARVEST_CMD_H
#define VINDPLAATS_INDEXER_HARVEST_CMD_H

#include <stddef.h>

#include "vindplaats/index.h"
#include "vindplaats/vocabulary.h"

typedef struct vp_harvest_args {
    const char *config;          /* --config FILE */
    const char *only[64];        /* --source NAME (repeatable) */
    size_t n_only;
    int full;                    /* --full */
    int json;                    /* --json */
    /* an ad-hoc source: --kind --url [--name --library --branch --type
     * --proposition --allow-file --allow-private[=CIDR,…] --option KEY=VALUE…] */
    const char *kind, *url, *name, *library, *branch, *type, *proposition;
    int allow_file;
    const char *allow_private;   /* NULL, "yes" (the bare flag) or a list of CIDR ranges */
    const char *options[64];
    size_t n_options;
    long long now;               /* --now: the clock for calendar windows */
    long fetch_timeout_ms;       /* --timeout SECONDS (0: default) */
    long deadline_s;             /* --deadline DURATION: per source without its own (0: default) */
    int retries;                 /* --retries N (-1: default) */
} vp_harvest_args;

/* Harvests into the open writers. 0 when every source was harvested, 1
 * when any failed (the others still ran), 2 for a bad configuration. */
int vp_cmd_harvest(const vp_harvest_args *a, vp_index *const *shards, size_t n_shards,
                   const vp_vocabulary *voc);
/* Lists the configured sources with their last harvest, records and error. */
int vp_cmd_sources(const vp_harvest_args *a, const char *index_path, const vp_vocabulary *voc);

#endif
