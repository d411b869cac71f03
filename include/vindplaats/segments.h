/* segments.h - groups of residents with shared preferences, as data.
 *
 * A segment (a lifestyle group such as those of Mosaic, or a life stage
 * derived from CBS neighbourhood statistics) has affinities: weights from
 * 0 to 1 for propositions, societal tasks, types, audience groups and
 * channels. A postcode table gives each PC4 its share of every segment.
 * Both are files (docs/segments.md): data/segments/segments.json and
 * data/segments/pc4-segments.csv. Immutable once loaded: thread-safe. */
#ifndef VINDPLAATS_SEGMENTS_H
#define VINDPLAATS_SEGMENTS_H

#include <stddef.h>
#include <stdio.h>
#include "vindplaats/status.h"
#include "vindplaats/vocabulary.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vp_affinity_field {
    VP_AFFINITY_PROPOSITION = 0,
    VP_AFFINITY_TASK,
    VP_AFFINITY_TYPE,
    VP_AFFINITY_AUDIENCE,
    VP_AFFINITY_CHANNEL,
    VP_AFFINITY_FIELD_COUNT
} vp_affinity_field;

typedef struct vp_affinity {
    const char *value;   /* a proposition id, task, type, audience group or channel */
    double weight;       /* 0..1 */
} vp_affinity;

typedef struct vp_segment {
    const char *id;
    const char *name;
    const char *description;
    const vp_affinity *affinities[VP_AFFINITY_FIELD_COUNT];
    size_t n_affinities[VP_AFFINITY_FIELD_COUNT];
} vp_segment;

typedef struct vp_segments vp_segments;

/* Loads segments.json and, when `postcodes_csv` is not NULL, the PC4
 * table, into a new *out (the caller's, freed with vp_segments_destroy).
 * Every value is validated against the controlled lists and `voc`. On
 * failure *out is untouched and *err (may be NULL) holds every problem
 * found, one vp_error entry each (vp_error_add) with its place as fields:
 * `file`, with `path` for a value of segments.json
 * ("segments[2].affinities.types.x") and `line` for a row of the PC4
 * table; the first MAX_PROBLEMS (50) are listed, the rest counted in one
 * last entry "(and N more problems)". VP_ERR_INVALID for bad content,
 * VP_ERR_NOT_FOUND / VP_ERR_IO / VP_ERR_TOO_BIG / VP_ERR_NOMEM for a file
 * that could not be read. */
vp_status vp_segments_load(const char *segments_json, const char *postcodes_csv,
                           const vp_vocabulary *voc, vp_segments **out,
                           vp_error *err) VP_NOEXCEPT;
void vp_segments_destroy(vp_segments *s) VP_NOEXCEPT;

size_t vp_segments_count(const vp_segments *s) VP_NOEXCEPT;
const vp_segment *vp_segments_at(const vp_segments *s, size_t i) VP_NOEXCEPT;
const vp_segment *vp_segments_get(const vp_segments *s, const char *id) VP_NOEXCEPT;
/* The affinity of `seg` for `value` in `field`; 0 when it has none. */
double vp_segment_affinity(const vp_segment *seg, vp_affinity_field field,
                           const char *value) VP_NOEXCEPT;

/* The segments of a PC4 with their shares (summing to 1), largest first;
 * returns how many were written (at most `max`), 0 for an unknown PC4. */
size_t vp_segments_for_postcode(const vp_segments *s, const char *pc4,
                                const vp_segment **segments, double *shares,
                                size_t max) VP_NOEXCEPT;

/* Validates a postcode table in the wide shape of a PC4-level export:
 * a header "pc4,<segment id>,<segment id>,..." (',' or ';' separated) and
 * one row per PC4 with the share (0..1 or a percentage 0..100) of each
 * segment. Writes one "FILE:LINE: message" per bad row to `report` (NULL:
 * none), and the rows that are valid, normalised to shares summing to 1,
 * to `out` (NULL: only check). Returns VP_ERR_INVALID when any row was bad
 * (*err: "N of M rows rejected", `file` set; a bad header: its `file` and
 * `line`), VP_ERR_NOT_FOUND / VP_ERR_IO / VP_ERR_TOO_BIG / VP_ERR_NOMEM
 * when a file could not be read or written; *err (may be NULL) is filled
 * on failure only. */
vp_status vp_segments_import_postcodes(const vp_segments *s, const char *path, FILE *out,
                                       FILE *report, size_t *rows_ok, size_t *rows_bad,
                                       vp_error *err) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
