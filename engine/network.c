/* network.c - the network file (see network.h). The parsed JSON is kept:
 * every string of the structs points into it. */
#include "vindplaats/network.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/arena.h"
#include "vindplaats/buf.h"
#include "vindplaats/offering.h"

#define MAX_LIBRARIES 10000
#define MAX_BRANCHES 1000

struct vp_network {
    vp_table t;                /* the libraries; the arena holds `branches` */
    json_t *doc;               /* every string of the rows points into it */
    vp_branch_info *branches;  /* all of them, each library a run */
    size_t n_branches;
};

static int id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= 200 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

/* A problem with the value at "PATH.KEY" (key NULL: at "PATH"). When
 * memory runs out the problem's detail is lost, never the failure: the
 * first problem has set errs->status already or sets it now. */
VP_PRINTF(4, 5) static void problem(vp_error *errs, const char *path, const char *key,
                                    const char *fmt, ...)
{
    char at[256], msg[512];
    snprintf(at, sizeof at, "%s%s%s", path, key ? "." : "", key ? key : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vp_error_add(errs, VP_ERR_INVALID, &(vp_where){.path = at}, "%s", msg);
}

/* A required or optional string member; records a problem in `errs`. */
static const char *str_of(json_t *o, const char *key, int required, const char *path,
                          vp_error *errs)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required)
            problem(errs, path, key, "missing");
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 300) {
        problem(errs, path, key, "must be a string of 1 to 300 bytes");
        return NULL;
    }
    return json_string_value(v);
}

/* 1 when the array element `v` is an object; its path "PARENT.MEMBER[i]"
 * goes to `path` either way, and a problem naming it to `errs` when not. */
static int object_at(json_t *v, char *path, size_t cap, const char *parent, const char *member,
                     size_t i, vp_error *errs)
{
    snprintf(path, cap, "%s%s[%zu]", parent, member, i);
    if (json_is_object(v))
        return 1;
    problem(errs, path, NULL, "must be an object");
    return 0;
}

vp_status vp_network_load(const char *path, vp_network **out, vp_error *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        int missing = jerr.line < 1 && jerr.position == 0;
        return vp_error_set(err, missing ? VP_ERR_IO : VP_ERR_INVALID,
                            &(vp_where){path, jerr.line > 0 ? (unsigned)jerr.line : 0}, "%s",
                            jerr.text);
    }
    return vp_network_from_json(doc, path, out, err);
}

vp_status vp_network_from_json(json_t *doc, const char *path, vp_network **out, vp_error *err)
{
    vp_status st = VP_OK;
    vp_error errs = VP_ERROR_INIT;
    vp_network *net = calloc(1, sizeof *net);
    if (!net) {
        json_decref(doc);
        return VP_ERR_NOMEM;
    }
    net->t = (vp_table)VP_TABLE_INIT(vp_library_info, id);
    net->doc = doc;
    json_t *libs = json_object_get(net->doc, "libraries");
    if (!json_is_array(libs) || json_array_size(libs) > MAX_LIBRARIES) {
        vp_error_add(&errs, VP_ERR_INVALID, &(vp_where){path, 0, "libraries"},
                     "must be an array of at most %d", MAX_LIBRARIES);
        st = VP_ERR_INVALID;
        goto done;
    }
    size_t total = 0, i;
    json_t *lib;
    json_array_foreach(libs, i, lib) {
        json_t *b = json_object_get(lib, "branches");
        total += json_is_array(b) ? json_array_size(b) : 0;
    }
    net->branches = calloc(total + 1, sizeof *net->branches);
    if (vp_arena_own(&net->t.arena, net->branches) != VP_OK) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    json_array_foreach(libs, i, lib) {
        char p[64];
        if (!object_at(lib, p, sizeof p, "libraries", "", i, &errs))
            continue;
        vp_library_info *L = vp_table_add(&net->t);
        if (!L) {
            st = VP_ERR_NOMEM;
            goto done;
        }
        L->id = str_of(lib, "id", 1, p, &errs);
        L->name = str_of(lib, "name", 1, p, &errs);
        L->image = str_of(lib, "image", 0, p, &errs);
        if (L->image && !vp_offering_url_ok(L->image))
            problem(&errs, p, "image", "must be an absolute http or https URL");
        if (L->id && !id_ok(L->id))
            problem(&errs, p, "id", "lower-case letters, digits, '-', '_' and '.' only");
        if (vp_rows_find(net->t.rows, net->t.n - 1, sizeof *L, offsetof(vp_library_info, id),
                         L->id))
            problem(&errs, p, "id", "\"%s\" given twice", L->id);
        json_t *bs = json_object_get(lib, "branches");
        if (bs && !json_is_array(bs)) {
            problem(&errs, p, "branches", "must be an array");
            bs = NULL;
        }
        if (json_array_size(bs) > MAX_BRANCHES)
            problem(&errs, p, "branches", "at most %d", MAX_BRANCHES);
        L->branches = &net->branches[net->n_branches];
        size_t k;
        json_t *b;
        json_array_foreach(bs, k, b) {
            char bp[128];
            if (!object_at(b, bp, sizeof bp, p, ".branches", k, &errs))
                continue;
            vp_branch_info *B = &net->branches[net->n_branches];
            B->id = str_of(b, "id", 1, bp, &errs);
            B->name = str_of(b, "name", 1, bp, &errs);
            B->municipality = str_of(b, "municipality", 0, bp, &errs);
            B->province = str_of(b, "province", 0, bp, &errs);
            B->postcode = str_of(b, "postcode", 0, bp, &errs);
            if (B->id && !id_ok(B->id))
                problem(&errs, bp, "id", "lower-case letters, digits, '-', '_' and '.' only");
            json_t *lat = json_object_get(b, "lat"), *lon = json_object_get(b, "lon");
            if (lat || lon) {
                if (!json_is_number(lat) || !json_is_number(lon) ||
                    json_number_value(lat) < -90 || json_number_value(lat) > 90 ||
                    json_number_value(lon) < -180 || json_number_value(lon) > 180)
                    problem(&errs, bp, NULL, "lat and lon must be numbers in degrees");
                else {
                    B->has_location = 1;
                    B->lat = json_number_value(lat);
                    B->lon = json_number_value(lon);
                }
            }
            net->n_branches++;
            L->n_branches++;
        }
    }
    if (errs.status != VP_OK)
        st = VP_ERR_INVALID;
done:
    if (st != VP_OK) {
        if (err && errs.status != VP_OK) {
            vp_error_clear(err);
            *err = errs;
            errs = (vp_error)VP_ERROR_INIT;
        }
        vp_network_destroy(net);
        net = NULL;
    }
    vp_error_clear(&errs);
    if (net)
        *out = net;
    return st;
}

void vp_network_destroy(vp_network *net)
{
    if (net) {
        vp_table_free(&net->t);
        json_decref(net->doc);
    }
    free(net);
}

VP_TABLE_LOOKUPS(vp_network, vp_network, vp_library_info)

const vp_branch_info *vp_network_branch(const vp_network *net, const char *branch_id,
                                        const vp_library_info **library)
{
    for (size_t i = 0; branch_id && i < vp_network_count(net); i++) {
        const vp_library_info *L = vp_network_at(net, i);
        for (size_t k = 0; k < L->n_branches; k++)
            if (L->branches[k].id && strcmp(L->branches[k].id, branch_id) == 0) {
                if (library)
                    *library = L;
                return &L->branches[k];
            }
    }
    return NULL;
}
