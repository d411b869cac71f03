/* geo.h - places: Dutch four-digit postcodes (PC4) to coordinates, and
 * distances. A postcode table is immutable once loaded (thread-safe). */
#ifndef VINDPLAATS_GEO_H
#define VINDPLAATS_GEO_H

#include <stddef.h>
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_postcodes vp_postcodes;

/* Loads a JSON array of {"zipcode":"1234","name":…,"latitude":"52.1",
 * "longitude":"5.1"} (coordinates as strings or numbers). A PC4 listed for
 * several places gets the mean of their coordinates. A failure is in *err
 * (may be NULL; filled on failure only): the file, its line when it is not
 * JSON, and for a bad entry its index as the path ("entry 3"). */
vp_status vp_postcodes_load(const char *path, vp_postcodes **out, vp_error *err) VP_NOEXCEPT;
void vp_postcodes_destroy(vp_postcodes *pc) VP_NOEXCEPT;
/* VP_OK and the coordinates when `pc4` ("1234") is known, else
 * VP_ERR_NOT_FOUND. */
vp_status vp_postcodes_find(const vp_postcodes *pc, const char *pc4, double *lat, double *lon) VP_NOEXCEPT;
/* The place name of `pc4` (borrowed), or NULL. */
const char *vp_postcodes_place(const vp_postcodes *pc, const char *pc4) VP_NOEXCEPT;

/* ---- place names: "Amersfoort", "Bibliotheek Neude" ----
 * Every place name of the table (the "name" of its entries) is known, folded
 * (case and diacritics do not count). A name whose postcodes lie in more
 * than one spot (20 km apart: "Elsloo" in Limburg and in Friesland) is
 * that spot when one of them holds at least three times the postcodes of
 * any other ("Hoorn": Noord-Holland, not Terschelling), else ambiguous.
 * The network's municipalities and branch names are added with
 * vp_postcodes_add_network(); they settle a name the table leaves
 * ambiguous and name places it does not know. */
struct vp_network;
/* Adds the municipalities (the mean of their branches' locations) and the
 * branch names of `net`. Call it once, before the table is shared between
 * threads. VP_ERR_NOMEM when memory ran out. */
vp_status vp_postcodes_add_network(vp_postcodes *pc, const struct vp_network *net) VP_NOEXCEPT;
/* Adds the other names residents write for places of the table ("den
 * bosch" for 's-Hertogenbosch, "'s-gravenhage" for Den Haag) from `path`,
 * one a line: NAME<TAB>PLACE, PLACE a name the table (or the network,
 * when added first) knows; '#' starts a comment. The other name finds
 * the place as its own name does, and the place's name is what
 * vp_postcodes_find_place() gives back. Errors name FILE:LINE: a line
 * without the tab, a place the table does not know, a name that is
 * already another place's. Call it once, before the table is shared. */
vp_status vp_postcodes_add_aliases(vp_postcodes *pc, const char *path, vp_error *err) VP_NOEXCEPT;

typedef enum vp_place_found {
    VP_PLACE_FOUND = 0,
    VP_PLACE_UNKNOWN,   /* no place, municipality or branch of that name */
    VP_PLACE_AMBIGUOUS  /* several places of that name: `hint` lists a postcode of each */
} vp_place_found;

/* Resolves a place name: *lat, *lon and *name (the name as the table writes
 * it, borrowed) when found. For an ambiguous name `hint` (may be NULL) gets
 * "1234 or 5678" (a postcode of each place, at most three). */
vp_place_found vp_postcodes_find_place(const vp_postcodes *pc, const char *place, double *lat,
                                       double *lon, const char **name, char *hint,
                                       size_t hint_cap) VP_NOEXCEPT;

/* Great-circle distance in kilometres. */
double vp_geo_distance_km(double lat1, double lon1, double lat2, double lon2) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
