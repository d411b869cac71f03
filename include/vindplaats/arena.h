/* arena.h - the reference tables' memory (vocabulary, segments, lexicon):
 * every small allocation a loaded table makes is handed to one arena and
 * all are freed together; and the lookup of a table's row by its id.
 *
 * A zeroed vp_arena is empty and ready. */
#ifndef VINDPLAATS_ARENA_H
#define VINDPLAATS_ARENA_H

#include <stddef.h>

#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_arena {
    void **items;
    size_t n, alloc;
} vp_arena;

/* Takes `p` (malloc()ed): VP_OK, or VP_ERR_NOMEM when `p` is NULL (the
 * allocation that made it failed) or memory runs out, and then `p` is
 * freed, so a failed call leaks nothing. */
vp_status vp_arena_own(vp_arena *a, void *p) VP_NOEXCEPT;
/* A copy of `s` that the arena owns; NULL when out of memory. */
char *vp_arena_strdup(vp_arena *a, const char *s) VP_NOEXCEPT;
/* Frees everything the arena owns and empties it. */
void vp_arena_free(vp_arena *a) VP_NOEXCEPT;

/* The row of rows[0..n), each `size` bytes, whose `const char *` member at
 * `id_offset` (offsetof) equals `id`; NULL when none, or rows or id is NULL.
 * Linear: the tables are small (tens of rows). */
const void *vp_rows_find(const void *rows, size_t n, size_t size, size_t id_offset,
                         const char *id) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
