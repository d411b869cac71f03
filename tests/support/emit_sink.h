/* emit_sink.h - a vp_emit that collects what a connector's parser emits,
 * for the connectors' unit tests (header-only, like check.h). Records go
 * to `records` as {"id", "where", "label", "fields"}, rejects to `rejects`
 * as {"where", "message", "label"}; a call that breaks the emit contract
 * (an empty id, no position) aborts. Also: reading a test file, and
 * whether a record, completed the way normalisation does, is an offering. */
#ifndef VINDPLAATS_TEST_EMIT_SINK_H
#define VINDPLAATS_TEST_EMIT_SINK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vindplaats/connector.h"
#include "vindplaats/offering.h"

typedef struct sink {
    json_t *records; /* [{"id", "where", "label", "fields"}] */
    json_t *rejects; /* [{"where", "message", "label"}] */
    const char *label;
    int stop_after;  /* stop after this many records (0: never) */
} sink;

static inline int on_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
    sink *s = ctx;
    if (!local_id || !*local_id || !json_is_object(fields) || !where)
        abort(); /* the contract */
    json_array_append_new(s->records, json_pack("{s:s, s:s, s:s, s:o}", "id", local_id, "where", where,
                                                "label", s->label ? s->label : "", "fields", fields));
    return s->stop_after && json_array_size(s->records) >= (size_t)s->stop_after;
}

static inline int on_deleted(void *ctx, const char *local_id, const char *where)
{
    (void)ctx, (void)local_id, (void)where;
    abort(); /* these connectors have no deletions */
}

static inline void on_reject(void *ctx, const char *where, const char *message)
{
    sink *s = ctx;
    if (!where || !message)
        abort();
    json_array_append_new(s->rejects, json_pack("{s:s, s:s, s:s}", "where", where, "message", message,
                                                "label", s->label ? s->label : ""));
}

static inline void sink_init(sink *s, vp_emit *e)
{
    memset(s, 0, sizeof *s);
    s->records = json_array();
    s->rejects = json_array();
    e->ctx = s;
    e->record = on_record;
    e->deleted = on_deleted;
    e->reject = on_reject;
}

static inline void sink_free(sink *s)
{
    json_decref(s->records);
    json_decref(s->rejects);
}

static inline json_t *rec(sink *s, size_t i)
{
    return json_object_get(json_array_get(s->records, i), "fields");
}

static inline const char *rec_id(sink *s, size_t i)
{
    return json_string_value(json_object_get(json_array_get(s->records, i), "id"));
}

static inline const char *f_str(json_t *fields, const char *key)
{
    return json_string_value(json_object_get(fields, key));
}

static inline const char *f_list(json_t *fields, const char *key, size_t i)
{
    return json_string_value(json_array_get(json_object_get(fields, key), i));
}

static inline double f_price(json_t *fields)
{
    return json_number_value(json_object_get(json_object_get(fields, "price"), "amount"));
}

/* Whether `fields`, completed the way normalisation does (id, source, a
 * type; '_' hints removed), is a valid offering. */
static inline int valid_offering(json_t *fields, const char *local_id)
{
    json_t *o = json_deep_copy(fields);
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(o, tmp, key, v) {
        if (key[0] == '_')
            json_object_del(o, key);
    }
    char id[256];
    snprintf(id, sizeof id, "test:%.200s", local_id);
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "source", json_string("test"));
    if (!json_object_get(o, "type"))
        json_object_set_new(o, "type", json_string("event"));
    char *text = json_dumps(o, JSON_COMPACT);
    vp_offering *off = NULL;
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_offering_parse(text, strlen(text), NULL, &off, &err);
    if (st != VP_OK) {
        vp_error_print(stderr, "not a valid offering", &err);
        fprintf(stderr, "%s\n", text);
    }
    vp_offering_destroy(off);
    vp_error_clear(&err);
    free(text);
    json_decref(o);
    return st == VP_OK;
}

static inline char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

#endif
