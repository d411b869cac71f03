/* geo.c - postcode table and distances (see geo.h). The table is indexed
 * directly by the four digits: 10,000 slots, no hashing needed. */
#include "vindplaats/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/buf.h"

typedef struct place {
    double lat, lon;
    unsigned n;       /* entries averaged; 0 = unknown */
    char *name;
} place;

struct vp_postcodes {
    place places[10000];
};

static int pc4_index(const char *s)
{
    if (!s || strlen(s) != 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v >= 1000 ? v : -1; /* Dutch postcodes start at 1000 */
}

static int number(json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    char *end;
    *out = strtod(json_string_value(v), &end);
    return *end == '\0' && end != json_string_value(v) ? 0 : -1;
}

vp_status vp_postcodes_load(const char *path, vp_postcodes **out, char **errmsg)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    vp_buf m;
    vp_buf_init(&m, 4096);
    vp_status st = VP_OK;
    vp_postcodes *pc = NULL;
    if (!root) {
        vp_buf_printf(&m, "%s:%d: %s", path, jerr.line, jerr.text);
        st = VP_ERR_INVALID;
        goto done;
    }
    if (!json_is_array(root)) {
        vp_buf_printf(&m, "%s: expected a JSON array of postcodes", path);
        st = VP_ERR_INVALID;
        goto done;
    }
    pc = calloc(1, sizeof *pc);
    if (!pc) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    size_t i;
    json_t *e;
    json_array_foreach(root, i, e) {
        int k = pc4_index(json_string_value(json_object_get(e, "zipcode")));
        double lat, lon;
        if (k < 0 || number(json_object_get(e, "latitude"), &lat) != 0 ||
            number(json_object_get(e, "longitude"), &lon) != 0 || fabs(lat) > 90 ||
            fabs(lon) > 180) {
            vp_buf_printf(&m, "%s: entry %zu: needs zipcode (four digits), latitude, longitude",
                          path, i);
            st = VP_ERR_INVALID;
            goto done;
        }
        place *p = &pc->places[k];
        p->lat = (p->lat * p->n + lat) / (p->n + 1);
        p->lon = (p->lon * p->n + lon) / (p->n + 1);
        p->n++;
        const char *name = json_string_value(json_object_get(e, "name"));
        if (!p->name && name) {
            p->name = strdup(name);
            if (!p->name) {
                st = VP_ERR_NOMEM;
                goto done;
            }
        }
    }
    *out = pc;
    pc = NULL;
done:
    if (st != VP_OK && errmsg && m.len)
        *errmsg = vp_buf_steal(&m);
    vp_buf_free(&m);
    vp_postcodes_destroy(pc);
    json_decref(root);
    return st;
}

void vp_postcodes_destroy(vp_postcodes *pc)
{
    if (!pc)
        return;
    for (int i = 0; i < 10000; i++)
        free(pc->places[i].name);
    free(pc);
}

vp_status vp_postcodes_find(const vp_postcodes *pc, const char *pc4, double *lat, double *lon)
{
    int k = pc4_index(pc4);
    if (!pc || k < 0 || !pc->places[k].n)
        return VP_ERR_NOT_FOUND;
    *lat = pc->places[k].lat;
    *lon = pc->places[k].lon;
    return VP_OK;
}

const char *vp_postcodes_place(const vp_postcodes *pc, const char *pc4)
{
    int k = pc4_index(pc4);
    return pc && k >= 0 ? pc->places[k].name : NULL;
}

double vp_geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
    /* Haversine on the sphere Xapian's GreatCircleMetric uses. */
    const double r = 6372.7976, rad = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}
