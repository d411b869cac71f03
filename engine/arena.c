/* arena.c - one owner for a table's allocations, and rows by id (arena.h). */
#include "vindplaats/arena.h"

#include <stdlib.h>
#include <string.h>

vp_status vp_arena_own(vp_arena *a, void *p)
{
    if (!p)
        return VP_ERR_NOMEM;
    if (a->n == a->alloc) {
        size_t n = a->alloc ? a->alloc * 2 : 64;
        void **q = realloc(a->items, n * sizeof *q);
        if (!q) {
            free(p);
            return VP_ERR_NOMEM;
        }
        a->items = q;
        a->alloc = n;
    }
    a->items[a->n++] = p;
    return VP_OK;
}

char *vp_arena_strdup(vp_arena *a, const char *s)
{
    char *d = strdup(s);
    return vp_arena_own(a, d) == VP_OK ? d : NULL;
}

void vp_arena_free(vp_arena *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->items[i]);
    free(a->items);
    a->items = NULL;
    a->n = a->alloc = 0;
}

const void *vp_rows_find(const void *rows, size_t n, size_t size, size_t id_offset,
                         const char *id)
{
    const char *row = rows;
    for (size_t i = 0; row && id && i < n; i++, row += size) {
        const char *key;
        memcpy(&key, row + id_offset, sizeof key);
        if (key && strcmp(key, id) == 0)
            return row;
    }
    return NULL;
}

void *vp_grow(void *items, size_t *alloc, size_t need, size_t size)
{
    if (need <= *alloc)
        return items;
    size_t m = *alloc ? *alloc : 64;
    while (m < need && m <= (size_t)-1 / 2)
        m *= 2;
    if (m < need || m > (size_t)-1 / size)
        return NULL;
    void *p = realloc(items, m * size);
    if (p)
        *alloc = m;
    return p;
}

void *vp_table_add(vp_table *t)
{
    char *rows = vp_grow(t->rows, &t->alloc, t->n + 1, t->size);
    if (!rows)
        return NULL;
    t->rows = rows;
    memset(rows + t->n * t->size, 0, t->size);
    return rows + t->n++ * t->size;
}

size_t vp_table_count(const vp_table *t)
{
    return t ? t->n : 0;
}

const void *vp_table_at(const vp_table *t, size_t i)
{
    return t && i < t->n ? (const char *)t->rows + i * t->size : NULL;
}

const void *vp_table_get(const vp_table *t, const char *id)
{
    return t ? vp_rows_find(t->rows, t->n, t->size, t->id_offset, id) : NULL;
}

void vp_table_free(vp_table *t)
{
    free(t->rows);
    t->rows = NULL;
    t->n = t->alloc = 0;
    vp_arena_free(&t->arena);
}

int vp_table_id_ok(const char *s)
{
    if (!*s)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return 0;
    return 1;
}
