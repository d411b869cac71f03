/* config.h - the harvest configuration file (docs/sources.md).
 *
 * Part of the indexer library (vindplaats_indexer).
 * An INI file read with libinih: the network's
 * libraries and branches ([library ID], [branch ID], or a [network] file),
 * and its sources ([source NAME]). Every problem is reported in a vp_error
 * with the file and line as fields (the further ones in its `next` list);
 * its text is "FILE:LINE: message", one problem a line. */
#ifndef VINDPLAATS_INDEXER_CONFIG_H
#define VINDPLAATS_INDEXER_CONFIG_H

#include <stddef.h>
#include <jansson.h>

#include "vindplaats/network.h"
#include "vindplaats/status.h"
#include "vindplaats/vocabulary.h"
#include "vindplaats/harvest.h"

/* An extra name by which LOCATION text names a branch (a street, an old
 * name), from a [branch] section's aliases; branches' own names are
 * matched anyway. */
typedef struct vp_branch_alias {
    char *branch;
    char *text;
} vp_branch_alias;

typedef struct vp_harvest_config {
    char *path;
    vp_network *network;      /* never NULL (may be empty) */
    vp_source *sources;
    size_t n_sources;
    vp_branch_alias *aliases;
    size_t n_aliases;
} vp_harvest_config;

/* Reads `path`. `voc` (may be NULL) checks source default propositions. */
vp_status vp_config_load(const char *path, const vp_vocabulary *voc, vp_harvest_config **out,
                         vp_error *err);
void vp_config_destroy(vp_harvest_config *cfg);
const vp_source *vp_config_source(const vp_harvest_config *cfg, const char *name);

/* Checks a source (kind, name, URL, library, branch, type, proposition,
 * options) against `net` and `voc` (either may be NULL): VP_ERR_INVALID with
 * every problem in *err, each at the source's file and line with the path
 * "[source NAME]" (ad hoc: "source NAME"). Used for config sources and
 * ad-hoc ones alike. */
vp_status vp_source_check(const vp_source *s, const vp_network *net, const vp_vocabulary *voc,
                          vp_error *err);
void vp_source_clear(vp_source *s);
/* Adds option KEY=VALUE to `s` (copies both); -1 when out of memory. */
int vp_source_add_option(vp_source *s, const char *key, const char *value);

/* The name of an ad-hoc source harvested without --name, from its URL:
 * host, port, path and query, lower-cased, every run of other characters
 * made one '-' ("https://www.bieb.nl/agenda.ics?soort=jeugd" →
 * "www.bieb.nl-agenda.ics-soort-jeugd"); the scheme, user name, password
 * and fragment are left out. The same URL always gives the same name, a
 * valid one (at most 100 characters: a longer one ends in a hash of the
 * whole). `out` must hold VP_SOURCE_NAME_MAX + 1 bytes. */
#define VP_SOURCE_NAME_MAX 100
void vp_source_name_from_url(const char *url, char *out);

/* Reads a duration: seconds ("90"), or a number with s, m or h ("90s",
 * "10m", "2h"), from 1 second to 7 days. 0 when it is one (*seconds
 * set), -1 otherwise. */
int vp_duration_parse(const char *text, long *seconds);

/* The connector kinds, NULL-terminated. */
extern const char *const vp_source_kinds[];

#endif
