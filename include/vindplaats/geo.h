/* geo.h - places: Dutch four-digit postcodes (PC4) to coordinates, and
 * distances. A postcode table is immutable once loaded (thread-safe). */
#ifndef VINDPLAATS_GEO_H
#define VINDPLAATS_GEO_H

#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_postcodes vp_postcodes;

/* Loads a JSON array of {"zipcode":"1234","name":…,"latitude":"52.1",
 * "longitude":"5.1"} (coordinates as strings or numbers). A PC4 listed for
 * several places gets the mean of their coordinates. Bad entries are an
 * error naming the entry's index. */
vp_status vp_postcodes_load(const char *path, vp_postcodes **out, char **errmsg) VP_NOEXCEPT;
void vp_postcodes_destroy(vp_postcodes *pc) VP_NOEXCEPT;
/* VP_OK and the coordinates when `pc4` ("1234") is known, else
 * VP_ERR_NOT_FOUND. */
vp_status vp_postcodes_find(const vp_postcodes *pc, const char *pc4, double *lat, double *lon) VP_NOEXCEPT;
/* The place name of `pc4` (borrowed), or NULL. */
const char *vp_postcodes_place(const vp_postcodes *pc, const char *pc4) VP_NOEXCEPT;

/* Great-circle distance in kilometres. */
double vp_geo_distance_km(double lat1, double lon1, double lat2, double lon2) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
