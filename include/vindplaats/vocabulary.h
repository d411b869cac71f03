/* vocabulary.h - the network's uniform propositions and their local names.
 *
 * Loaded from a tab-separated file (data/vocabulary/propositions.tsv):
 * id, name, societal_task, audience (comma list), aliases ('|' list); lines
 * starting with '#' and blank lines are skipped. A vocabulary is immutable
 * once loaded, so any number of threads may read it. */
#ifndef VINDPLAATS_VOCABULARY_H
#define VINDPLAATS_VOCABULARY_H

#include <stddef.h>
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_proposition {
    const char *id;
    const char *name;
    const char *societal_task;
    const char *const *audience; /* NULL-terminated */
    const char *const *aliases;  /* NULL-terminated */
} vp_proposition;

typedef struct vp_vocabulary vp_vocabulary;

/* Loads `path`. On failure returns VP_ERR_IO (unreadable), VP_ERR_INVALID
 * (a bad line: the file and line as the fields of *err, may be NULL) or
 * VP_ERR_NOMEM. The caller owns *out and frees it with
 * vp_vocabulary_destroy(). */
vp_status vp_vocabulary_load(const char *path, vp_vocabulary **out, vp_error *err) VP_NOEXCEPT;
void vp_vocabulary_destroy(vp_vocabulary *voc) VP_NOEXCEPT;

size_t vp_vocabulary_count(const vp_vocabulary *voc) VP_NOEXCEPT;
/* Borrowed pointers, valid while the vocabulary lives. NULL when absent. */
const vp_proposition *vp_vocabulary_at(const vp_vocabulary *voc, size_t i) VP_NOEXCEPT;
const vp_proposition *vp_vocabulary_get(const vp_vocabulary *voc, const char *id) VP_NOEXCEPT;

/* "a, b, c": the ids, for error messages. Borrowed; never NULL. */
const char *vp_vocabulary_ids(const vp_vocabulary *voc) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
