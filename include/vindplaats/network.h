/* network.h - the libraries of the network and their branches, with the
 * names people know them by (data/sample/network.json).
 *
 * The index knows which library and branch offer what, by id; this file
 * gives the names, municipalities and places for the service map, the
 * offering pages and the staff pages. A network is immutable once loaded:
 * any number of threads may read it. */
#ifndef VINDPLAATS_NETWORK_H
#define VINDPLAATS_NETWORK_H

#include <stddef.h>
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_branch_info {
    const char *id;
    const char *name;
    const char *municipality;  /* may be NULL */
    const char *province;      /* may be NULL ("Utrecht", "Noord-Brabant") */
    const char *postcode;      /* may be NULL */
    int has_location;
    double lat, lon;
} vp_branch_info;

typedef struct vp_library_info {
    const char *id;
    const char *name;
    const vp_branch_info *branches;
    size_t n_branches;
    const char *image;  /* a picture or logo (http(s) URL) for shared links; may be NULL */
} vp_library_info;

typedef struct vp_network vp_network;

/* Loads {"libraries":[{"id","name","image","branches":[{"id","name","municipality",
 * "province","postcode","lat","lon"}]}]}. Every problem is in *err (may be
 * NULL; filled on failure only) with the path of the value as its `path`
 * ("libraries[2].branches[0].id", message "missing"; the further ones in
 * `next`); a file that is not JSON has its file and line. Ids must be
 * lower-case letters, digits, '-', '_' or '.', and unique. VP_ERR_IO when
 * unreadable, VP_ERR_INVALID when wrong. The caller owns *out. */
vp_status vp_network_load(const char *path, vp_network **out, vp_error *err) VP_NOEXCEPT;
/* The same from a parsed document (stolen: the network keeps it, or it is
 * released on failure); `path` names it in messages. */
struct json_t;
vp_status vp_network_from_json(struct json_t *doc, const char *path, vp_network **out,
                               vp_error *err) VP_NOEXCEPT;
void vp_network_destroy(vp_network *net) VP_NOEXCEPT;

/* Borrowed pointers, valid while the network lives; NULL when absent. */
size_t vp_network_count(const vp_network *net) VP_NOEXCEPT;
const vp_library_info *vp_network_at(const vp_network *net, size_t i) VP_NOEXCEPT;
const vp_library_info *vp_network_get(const vp_network *net, const char *library_id) VP_NOEXCEPT;
/* The branch with `branch_id` in any library; *library (may be NULL) gets its library. */
const vp_branch_info *vp_network_branch(const vp_network *net, const char *branch_id,
                                        const vp_library_info **library) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
