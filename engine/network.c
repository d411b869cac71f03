/* network.c - the network file (see network.h). The parsed JSON is kept:
 * every string of the structs points into it. */
#include "vindplaats/network.h"

#include <jansson.h>
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

/* A required or optional string member; records a problem in `errs`. */
static const char *str_of(json_t *o, const char *key, int required, const char *path, vp_buf *errs)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (required)
            vp_buf_printf(errs, "%s.%s: missing\n", path, key);
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 300) {
        vp_buf_printf(errs, "%s.%s: must be a string of 1 to 300 bytes\n", path, key);
        return NULL;
    }
    return json_string_value(v);
}

/* 1 when the array element `v` is an object; its path "PARENT.MEMBER[i]"
 * goes to `path` either way, and a problem naming it to `errs` when not. */
static int object_at(json_t *v, char *path, size_t cap, const char *parent, const char *member,
                     size_t i, vp_buf *errs)
{
    snprintf(path, cap, "%s%s[%zu]", parent, member, i);
    if (json_is_object(v))
        return 1;
    vp_buf_printf(errs, "%s: must be an object\n", path);
    return 0;
}

vp_status vp_network_load(const char *path, vp_network **out, char **errmsg)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        int missing = jerr.line < 1 && jerr.position == 0;
        return vp_fail(errmsg, missing ? VP_ERR_IO : VP_ERR_INVALID, "%s:%d: %s", path, jerr.line,
                       jerr.text);
    }
    return vp_network_from_json(doc, path, out, errmsg);
}

vp_status vp_network_from_json(json_t *doc, const char *path, vp_network **out, char **errmsg)
{
    vp_status st = VP_OK;
    vp_buf errs;
    vp_buf_init(&errs, 64 * 1024);
    vp_network *net = calloc(1, sizeof *net);
    if (!net) {
        json_decref(doc);
        return VP_ERR_NOMEM;
    }
    net->t = (vp_table)VP_TABLE_INIT(vp_library_info, id);
    net->doc = doc;
    json_t *libs = json_object_get(net->doc, "libraries");
    if (!json_is_array(libs) || json_array_size(libs) > MAX_LIBRARIES) {
        vp_buf_printf(&errs, "%s: libraries: must be an array of at most %d", path, MAX_LIBRARIES);
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
            vp_buf_printf(&errs, "%s.image: must be an absolute http or https URL\n", p);
        if (L->id && !id_ok(L->id))
            vp_buf_printf(&errs, "%s.id: lower-case letters, digits, '-', '_' and '.' only\n", p);
        if (vp_rows_find(net->t.rows, net->t.n - 1, sizeof *L, offsetof(vp_library_info, id),
                         L->id))
            vp_buf_printf(&errs, "%s.id: \"%s\" given twice\n", p, L->id);
        json_t *bs = json_object_get(lib, "branches");
        if (bs && !json_is_array(bs)) {
            vp_buf_printf(&errs, "%s.branches: must be an array\n", p);
            bs = NULL;
        }
        if (json_array_size(bs) > MAX_BRANCHES)
            vp_buf_printf(&errs, "%s.branches: at most %d\n", p, MAX_BRANCHES);
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
                vp_buf_printf(&errs, "%s.id: lower-case letters, digits, '-', '_' and '.' only\n", bp);
            json_t *lat = json_object_get(b, "lat"), *lon = json_object_get(b, "lon");
            if (lat || lon) {
                if (!json_is_number(lat) || !json_is_number(lon) ||
                    json_number_value(lat) < -90 || json_number_value(lat) > 90 ||
                    json_number_value(lon) < -180 || json_number_value(lon) > 180)
                    vp_buf_printf(&errs, "%s: lat and lon must be numbers in degrees\n", bp);
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
    if (errs.len)
        st = VP_ERR_INVALID;
done:
    if (st != VP_OK) {
        if (errmsg) {
            if (errs.len && errs.data[errs.len - 1] == '\n')
                errs.data[--errs.len] = '\0';
            *errmsg = vp_buf_steal(&errs);
        }
        vp_network_destroy(net);
        net = NULL;
    }
    vp_buf_free(&errs);
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
