/* golden.h - golden files for the connectors' parsers (header-only, like
 * check.h).
 *
 * A golden emit writes what a parser emits as JSON lines, in order:
 *   {"id": ..., "where": ..., "fields": {...}}   a record
 *   {"deleted": ..., "where": ...}               a deletion
 *   {"reject": where, "message": ...}            a rejected record
 *   {"broken": where, "message": ...}            the page breaks off
 * golden_normalise() (with GOLDEN_NORMALISE) makes each record the
 * offering the harvester would store.
 * golden_compare() checks them against FILE.expected field by field and
 * prints each difference as "FILE:LINE (id): fields.title: expected "...",
 * got "..."". With VP_UPDATE_GOLDEN=1 in the environment it rewrites the
 * expected file instead (and passes): review the diff with git. */
#ifndef VINDPLAATS_TEST_GOLDEN_H
#define VINDPLAATS_TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vindplaats/connector.h"

typedef struct golden {
    json_t *lines;
    const char *page; /* when set, each line says which part of the input it came from */
} golden;

/* Appends `line` (stolen), with the current page when there is one. */
static inline void golden_add(golden *g, json_t *line)
{
    if (g->page)
        json_object_set_new(line, "page", json_string(g->page));
    json_array_append_new(g->lines, line);
}

static inline int golden_record(void *ctx, const char *local_id, json_t *fields, const char *where)
{
    golden *g = ctx;
    if (!local_id || !*local_id || !json_is_object(fields) || !where || !*where)
        abort(); /* the emit contract */
    golden_add(g, json_pack("{s:s, s:s, s:o}", "id", local_id, "where", where, "fields", fields));
    return 0;
}

static inline int golden_deleted(void *ctx, const char *local_id, const char *where)
{
    golden *g = ctx;
    if (!local_id || !*local_id || !where)
        abort();
    golden_add(g, json_pack("{s:s, s:s}", "deleted", local_id, "where", where));
    return 0;
}

static inline void golden_reject(void *ctx, const char *where, const char *message)
{
    golden *g = ctx;
    if (!where || !*where || !message || !*message)
        abort();
    golden_add(g, json_pack("{s:s, s:s}", "reject", where, "message", message));
}

static inline void golden_broken(void *ctx, const vp_error *why)
{
    golden *g = ctx;
    const char *where = why->path, *message = why->message;
    if (!where || !*where || !message || !*message)
        abort();
    golden_add(g, json_pack("{s:s, s:s}", "broken", where, "message", message));
}

static inline vp_emit golden_emit(golden *g)
{
    g->lines = json_array();
    g->page = NULL;
    vp_emit e = {g, golden_record, golden_deleted, golden_reject, golden_broken};
    return e;
}

static inline void golden_free(golden *g)
{
    json_decref(g->lines);
    g->lines = NULL;
}

#ifdef GOLDEN_NORMALISE
#include "vindplaats/normalise.h"

/* The normalisation golden offerings are made with: the vocabulary and
 * the network at these paths. */
typedef struct golden_norm {
    vp_vocabulary *voc;
    vp_network *net;
    vp_normaliser *n;
} golden_norm;

/* 0 when set up; -1 (with the reason printed) when a file does not load. */
static inline int golden_norm_open(golden_norm *g, const char *vocabulary, const char *network)
{
    memset(g, 0, sizeof *g);
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_vocabulary_load(vocabulary, &g->voc, &err);
    if (st == VP_OK)
        st = vp_network_load(network, &g->net, &err);
    if (st == VP_OK && (st = vp_normaliser_create(g->voc, g->net, NULL, 0, &g->n)) != VP_OK)
        vp_error_set(&err, st, NULL, "the normaliser");
    if (st != VP_OK) {
        vp_error_print(stderr, "cannot set up normalisation", &err);
        vp_error_clear(&err);
        return -1;
    }
    return 0;
}

static inline void golden_norm_close(golden_norm *g)
{
    vp_normaliser_destroy(g->n);
    vp_network_destroy(g->net);
    vp_vocabulary_destroy(g->voc);
}

/* Turns each record line into the offering normalisation makes of it, as
 * the harvester stores it: {"id": offering id, "where", "offering": {...}}
 * (the form docs/offering.md describes), or a reject line with
 * normalisation's message when it is no offering. */
static inline void golden_normalise(golden *g, const vp_normaliser *n, const vp_source *src)
{
    size_t i;
    json_t *l;
    json_array_foreach(g->lines, i, l) {
        json_t *f = json_object_get(l, "fields");
        if (!f)
            continue;
        const char *id = json_string_value(json_object_get(l, "id"));
        vp_offering *o = NULL;
        vp_error err = VP_ERROR_INIT;
        json_t *copy = json_deep_copy(f);
        vp_status st = vp_normalise(n, src, id, copy, &o, &err);
        char *why = st != VP_OK ? vp_error_text(&err) : NULL;
        vp_error_clear(&err);
        json_decref(copy);
        json_t *line;
        if (st == VP_OK)
            line = json_pack("{s:s, s:O, s:o}", "id", o->id, "where", json_object_get(l, "where"),
                             "offering", json_loads(o->json, 0, NULL));
        else
            line = json_pack("{s:O, s:s}", "reject", json_object_get(l, "where"), "message",
                             why ? why : vp_status_str(st));
        json_t *page = json_object_get(l, "page");
        if (page)
            json_object_set(line, "page", page);
        vp_offering_destroy(o);
        free(why);
        json_array_set_new(g->lines, i, line);
    }
}
#endif

/* The records (lines with "fields") of `g`, in order. */
static inline size_t golden_count(const golden *g, const char *kind)
{
    size_t n = 0, i;
    json_t *l;
    json_array_foreach(g->lines, i, l) if (json_object_get(l, kind)) n++;
    return n;
}

/* The fields of the first record with local id `id`, or NULL (borrowed). */
static inline json_t *golden_fields(const golden *g, const char *id)
{
    size_t i;
    json_t *l;
    json_array_foreach(g->lines, i, l) {
        const char *lid = json_string_value(json_object_get(l, "id"));
        if (lid && !strcmp(lid, id))
            return json_object_get(l, "fields");
    }
    return NULL;
}

static inline void golden_show_diff(const char *file, size_t line, const char *label,
                                    const char *path, json_t *want, json_t *got)
{
    char *w = want ? json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    fprintf(stderr, "%s:%zu (%s): %s: expected %s, got %s\n", file, line, label, path,
            w ? w : "(absent)", g ? g : "(absent)");
    free(w);
    free(g);
}

/* Compares `want` with `got` down to the values that differ, printing
 * each with its path ("offering.occurrences[2].start"); returns their
 * number. */
static inline int golden_diff_value(const char *file, size_t line, const char *label,
                                    const char *path, json_t *want, json_t *got)
{
    char sub[512];
    int diffs = 0;
    if (json_is_object(want) && json_is_object(got)) {
        const char *key;
        json_t *v;
        json_object_foreach(want, key, v) {
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
            diffs += golden_diff_value(file, line, label, sub, v, json_object_get(got, key));
        }
        json_object_foreach(got, key, v) {
            if (json_object_get(want, key))
                continue;
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
            golden_show_diff(file, line, label, sub, NULL, v);
            diffs++;
        }
        return diffs;
    }
    if (json_is_array(want) && json_is_array(got)) {
        size_t n = json_array_size(want) > json_array_size(got) ? json_array_size(want)
                                                               : json_array_size(got);
        for (size_t i = 0; i < n; i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            diffs += golden_diff_value(file, line, label, sub, json_array_get(want, i),
                                       json_array_get(got, i));
        }
        return diffs;
    }
    if (want && got && json_equal(want, got))
        return 0;
    golden_show_diff(file, line, label, *path ? path : "line", want, got);
    return 1;
}

/* 0 when `g` matches the expected file (or VP_UPDATE_GOLDEN=1 rewrote
 * it), else the number of differences (each printed). */
static inline int golden_compare(const golden *g, const char *expected_path)
{
    const char *update = getenv("VP_UPDATE_GOLDEN");
    if (update && !strcmp(update, "1")) {
        FILE *f = fopen(expected_path, "w");
        if (!f) {
            fprintf(stderr, "cannot write %s\n", expected_path);
            return 1;
        }
        size_t i;
        json_t *l;
        json_array_foreach(g->lines, i, l) {
            char *s = json_dumps(l, JSON_COMPACT | JSON_REAL_PRECISION(15));
            fprintf(f, "%s\n", s ? s : "null");
            free(s);
        }
        fclose(f);
        fprintf(stderr, "rewrote %s\n", expected_path);
        return 0;
    }
    FILE *f = fopen(expected_path, "r");
    if (!f) {
        fprintf(stderr, "%s: missing (VP_UPDATE_GOLDEN=1 writes it)\n", expected_path);
        return 1;
    }
    int diffs = 0;
    size_t n = 0;
    char *buf = NULL;
    size_t cap = 0;
    ssize_t got_len;
    while ((got_len = getline(&buf, &cap, f)) > 0) {
        json_error_t err;
        json_t *want = json_loads(buf, 0, &err);
        json_t *got = json_array_get(g->lines, n);
        n++;
        const char *label = json_string_value(json_object_get(want, "id"));
        if (!label)
            label = json_string_value(json_object_get(want, "reject"));
        if (!label)
            label = json_string_value(json_object_get(want, "deleted"));
        if (!label)
            label = json_string_value(json_object_get(want, "broken"));
        if (!want) {
            fprintf(stderr, "%s:%zu: not JSON: %s\n", expected_path, n, err.text);
            diffs++;
        } else if (!got) {
            golden_show_diff(expected_path, n, label ? label : "-", "line", want, NULL);
            diffs++;
        } else {
            diffs += golden_diff_value(expected_path, n, label ? label : "-", "", want, got);
        }
        json_decref(want);
    }
    free(buf);
    fclose(f);
    for (size_t i = n; i < json_array_size(g->lines); i++) {
        golden_show_diff(expected_path, i + 1, "-", "line", NULL, json_array_get(g->lines, i));
        diffs++;
    }
    return diffs;
}

#endif
