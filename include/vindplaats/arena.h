/* arena.h - the reference tables' memory (vocabulary, segments, network,
 * lexicon): every small allocation a loaded table makes is handed to one
 * arena and all are freed together; a table's rows and their lookup by
 * id (vp_table); and the growth of an array.
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

/* Room for `need` items of `size` bytes in a growable array with room
 * for *alloc: `items` itself while they fit, else the array moved to the
 * room doubled (from 64 items) until they do, *alloc updated; NULL when
 * memory runs out, and then `items` is untouched. */
void *vp_grow(void *items, size_t *alloc, size_t need, size_t size) VP_NOEXCEPT;

/* The row of rows[0..n), each `size` bytes, whose `const char *` member at
 * `id_offset` (offsetof) equals `id`; NULL when none, or rows or id is NULL.
 * Linear: the tables are small (tens of rows). */
const void *vp_rows_find(const void *rows, size_t n, size_t size, size_t id_offset,
                         const char *id) VP_NOEXCEPT;

/* A reference table: rows of one struct type, each named by a
 * `const char *` member (its id), and the arena that owns every string and
 * list the rows, or the table's owner, point to. Lookups are linear: the
 * tables are small. Start with VP_TABLE_INIT(row type, id member). */
typedef struct vp_table {
    void *rows;
    size_t n, alloc;
    size_t size, id_offset;
    vp_arena arena;
} vp_table;
#define VP_TABLE_INIT(type, id) {NULL, 0, 0, sizeof(type), offsetof(type, id), {NULL, 0, 0}}

/* A new zeroed row at the end (earlier rows may move); NULL when memory
 * runs out. */
void *vp_table_add(vp_table *t) VP_NOEXCEPT;
/* The number of rows; 0 for NULL. */
size_t vp_table_count(const vp_table *t) VP_NOEXCEPT;
/* Row `i`; NULL past the end or for NULL. */
const void *vp_table_at(const vp_table *t, size_t i) VP_NOEXCEPT;
/* The row whose id is `id`; NULL when none, or for NULL. */
const void *vp_table_get(const vp_table *t, const char *id) VP_NOEXCEPT;
/* Frees the rows and everything the arena owns. */
void vp_table_free(vp_table *t) VP_NOEXCEPT;
/* 1 when `s` is an id of the vocabulary or the segments: not empty,
 * lower-case ASCII letters, digits and '-' only. */
int vp_table_id_ok(const char *s) VP_NOEXCEPT;

/* Defines the public lookups of a module whose handle type `handle` keeps
 * its rows of type `row` in a vp_table member `t`: PREFIX_count,
 * PREFIX_at and PREFIX_get, as vp_table_count, _at and _get, a NULL handle
 * being an empty table. The module's header declares them. */
#define VP_TABLE_LOOKUPS(prefix, handle, row)                                    \
    size_t prefix##_count(const handle *h)                                       \
    {                                                                            \
        return vp_table_count(h ? &h->t : NULL);                                 \
    }                                                                            \
    const row *prefix##_at(const handle *h, size_t i)                            \
    {                                                                            \
        return vp_table_at(h ? &h->t : NULL, i);                                 \
    }                                                                            \
    const row *prefix##_get(const handle *h, const char *id)                     \
    {                                                                            \
        return vp_table_get(h ? &h->t : NULL, id);                               \
    }

#ifdef __cplusplus
}
#endif
#endif
