/* geo.c - postcode table, place names and distances (see geo.h). The
 * table is indexed directly by the four digits: 10,000 slots, no hashing
 * needed. Place names are a sorted array of folded keys, searched with
 * bsearch(). */
#include "vindplaats/geo.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/lines.h"
#include "vindplaats/network.h"

/* Postcodes of one name further apart than this are different places. */
#define SPOT_KM 20.0
#define MAX_SPOTS 8

typedef struct place {
    double lat, lon;
    unsigned n;       /* entries averaged; 0 = unknown */
    char *name;
} place;

/* A place name: where it is, or that it is ambiguous. */
typedef struct named {
    char *key;      /* folded: lower case, base letters, words split by one space */
    char *name;     /* as written */
    double lat, lon;
    int ambiguous;
    char hint[40];  /* "1234 or 5678" for an ambiguous one */
} named;

struct vp_postcodes {
    place places[10000];
    named *names;   /* sorted by key */
    size_t n_names;
};

/* "'s-Hertogenbosch" -> "s hertogenbosch": diacritics, case, dashes and
 * apostrophes do not count. malloc()ed; NULL when out of memory. */
static char *name_key(const char *s)
{
    char *f = vp_text_fold(s, 1);
    if (!f)
        return NULL;
    char *o = f;
    int gap = 0;
    for (const char *p = f; *p; p++) {
        unsigned char c = (unsigned char)*p;
        int word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (!word) {
            gap = o != f;
            continue;
        }
        if (gap)
            *o++ = ' ';
        gap = 0;
        *o++ = (char)c;
    }
    *o = '\0';
    return f;
}

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const named *)a)->key, ((const named *)b)->key);
}

static void names_free(named *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].key);
        free(v[i].name);
    }
    free(v);
}

/* One entry of the table while names are gathered. */
typedef struct raw_name {
    char *key;
    const char *name;   /* borrowed from the JSON document */
    double lat, lon;
    int pc4;
} raw_name;

static int cmp_raw(const void *a, const void *b)
{
    const raw_name *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->pc4 > y->pc4) - (x->pc4 < y->pc4);
}

/* The names of raw[0..n) sorted by key: one spot per name when one is
 * clearly the place meant, else ambiguous. */
static vp_status gather_names(vp_postcodes *pc, raw_name *r, size_t n)
{
    qsort(r, n, sizeof *r, cmp_raw);
    named *out = calloc(n ? n : 1, sizeof *out);
    if (!out)
        return VP_ERR_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        struct { double lat0, lon0, lat, lon; unsigned n; int pc4; } spot[MAX_SPOTS];
        size_t spots = 0;
        for (; j < n && strcmp(r[j].key, r[i].key) == 0; j++) {
            size_t s = 0;
            while (s < spots &&
                   vp_geo_distance_km(spot[s].lat0, spot[s].lon0, r[j].lat, r[j].lon) > SPOT_KM)
                s++;
            if (s == spots) {
                if (spots == MAX_SPOTS)
                    continue;
                spot[spots].lat0 = r[j].lat;
                spot[spots].lon0 = r[j].lon;
                spot[spots].lat = spot[spots].lon = 0;
                spot[spots].n = 0;
                spot[spots].pc4 = r[j].pc4;
                spots++;
            }
            spot[s].lat += r[j].lat;
            spot[s].lon += r[j].lon;
            spot[s].n++;
        }
        /* The biggest spot first. */
        size_t best = 0, second = 0;
        for (size_t s = 1; s < spots; s++)
            if (spot[s].n > spot[best].n)
                best = s;
        for (size_t s = 0; s < spots; s++)
            if (s != best && spot[s].n > second)
                second = spot[s].n;
        named *nm = &out[k];
        nm->key = strdup(r[i].key);
        nm->name = strdup(r[i].name);
        if (!nm->key || !nm->name) {
            names_free(out, k + 1);
            return VP_ERR_NOMEM;
        }
        k++;
        nm->lat = spot[best].lat / spot[best].n;
        nm->lon = spot[best].lon / spot[best].n;
        if (second && spot[best].n < 3 * second) {
            nm->ambiguous = 1;
            size_t len = 0;
            for (size_t s = 0; s < spots && s < 3; s++)
                len += (size_t)snprintf(nm->hint + len, sizeof nm->hint - len, "%s%04d",
                                        s == 0 ? "" : s + 1 == spots || s == 2 ? " or " : ", ",
                                        spot[s].pc4);
        }
        i = j;
    }
    pc->names = out;
    pc->n_names = k;
    return VP_OK;
}

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

vp_status vp_postcodes_load(const char *path, vp_postcodes **out, vp_error *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    vp_status st = VP_OK;
    vp_postcodes *pc = NULL;
    raw_name *raw = NULL;
    size_t n_raw = 0;
    if (!root) {
        st = vp_error_set(err, VP_ERR_INVALID,
                          &(vp_where){path, jerr.line > 0 ? (unsigned)jerr.line : 0},
                          "%s", jerr.text);
        goto done;
    }
    if (!json_is_array(root)) {
        st = vp_error_set(err, VP_ERR_INVALID, &(vp_where){path}, "expected a JSON array of postcodes");
        goto done;
    }
    pc = calloc(1, sizeof *pc);
    if (!pc) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    raw = calloc(json_array_size(root) + 1, sizeof *raw);
    if (!raw) {
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
            char entry[40];
            snprintf(entry, sizeof entry, "entry %zu", i);
            st = vp_error_set(err, VP_ERR_INVALID, &(vp_where){path, 0, entry},
                              "needs zipcode (four digits), latitude, longitude");
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
        if (name) {
            raw[n_raw].key = name_key(name);
            if (!raw[n_raw].key) {
                st = VP_ERR_NOMEM;
                goto done;
            }
            if (!*raw[n_raw].key) {
                free(raw[n_raw].key);
                continue;
            }
            raw[n_raw].name = name;
            raw[n_raw].lat = lat;
            raw[n_raw].lon = lon;
            raw[n_raw++].pc4 = k;
        }
    }
    st = gather_names(pc, raw, n_raw);
    if (st != VP_OK)
        goto done;
    *out = pc;
    pc = NULL;
done:
    for (size_t r = 0; r < n_raw; r++)
        free(raw[r].key);
    free(raw);
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
    names_free(pc->names, pc->n_names);
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

static const named *find_name(const vp_postcodes *pc, const char *key)
{
    named probe = {0};
    probe.key = (char *)key;
    return pc->n_names ? bsearch(&probe, pc->names, pc->n_names, sizeof probe, cmp_named) : NULL;
}

/* A name of the network at (lat, lon) into add[*n] (or onto the table's
 * entry when it is ambiguous there). Names already gathered stay. */
static vp_status network_name(vp_postcodes *pc, named *add, size_t *n, const char *name,
                              double lat, double lon)
{
    char *key = name_key(name);
    if (!key)
        return VP_ERR_NOMEM;
    named *have = (named *)find_name(pc, key);
    for (size_t i = 0; !have && i < *n; i++)
        if (strcmp(add[i].key, key) == 0)
            have = &add[i];
    if (have || !*key) {
        /* The network says which of several places it serves. */
        if (have && have->ambiguous) {
            have->ambiguous = 0;
            have->lat = lat;
            have->lon = lon;
        }
        free(key);
        return VP_OK;
    }
    add[*n].key = key;
    add[*n].name = strdup(name);
    if (!add[*n].name) {
        free(key);
        return VP_ERR_NOMEM;
    }
    add[*n].lat = lat;
    add[*n].lon = lon;
    add[*n].ambiguous = 0;
    add[*n].hint[0] = '\0';
    (*n)++;
    return VP_OK;
}

vp_status vp_postcodes_add_network(vp_postcodes *pc, const vp_network *net)
{
    if (!pc || !net)
        return VP_OK;
    size_t cap = 0;
    for (size_t i = 0; i < vp_network_count(net); i++)
        cap += 2 * vp_network_at(net, i)->n_branches;
    named *add = calloc(cap ? cap : 1, sizeof *add);
    if (!add)
        return VP_ERR_NOMEM;
    size_t n = 0;
    vp_status st = VP_OK;
    for (size_t i = 0; st == VP_OK && i < vp_network_count(net); i++) {
        const vp_library_info *lib = vp_network_at(net, i);
        for (size_t b = 0; st == VP_OK && b < lib->n_branches; b++) {
            const vp_branch_info *br = &lib->branches[b];
            if (!br->has_location)
                continue;
            /* A municipality: the mean of its branches with a location. */
            if (br->municipality) {
                double lat = 0, lon = 0;
                unsigned k = 0;
                for (size_t l = 0; l < vp_network_count(net); l++) {
                    const vp_library_info *li = vp_network_at(net, l);
                    for (size_t c = 0; c < li->n_branches; c++) {
                        const vp_branch_info *o = &li->branches[c];
                        if (o->has_location && o->municipality &&
                            strcmp(o->municipality, br->municipality) == 0) {
                            lat += o->lat;
                            lon += o->lon;
                            k++;
                        }
                    }
                }
                st = network_name(pc, add, &n, br->municipality, lat / k, lon / k);
            }
            if (st == VP_OK && br->name)
                st = network_name(pc, add, &n, br->name, br->lat, br->lon);
            /* "Vathorst" for "Bibliotheek Vathorst". */
            if (st == VP_OK && br->name && strncmp(br->name, "Bibliotheek ", 12) == 0)
                st = network_name(pc, add, &n, br->name + 12, br->lat, br->lon);
        }
    }
    named *all = st == VP_OK ? realloc(pc->names, (pc->n_names + n + 1) * sizeof *all) : NULL;
    if (!all) {
        names_free(add, n);
        return VP_ERR_NOMEM;
    }
    memcpy(all + pc->n_names, add, n * sizeof *add);
    free(add);
    pc->names = all;
    pc->n_names += n;
    qsort(pc->names, pc->n_names, sizeof *pc->names, cmp_named);
    return VP_OK;
}

/* The other names of places, gathered while the file is read. */
typedef struct alias_reader {
    vp_postcodes *pc;
    named *add;
    size_t n, cap;
} alias_reader;

static vp_status alias_line(void *ctx, char *line, size_t len, const char **problem)
{
    (void)len;
    alias_reader *r = ctx;
    char *tab = strchr(line, '\t');
    if (!tab || strchr(tab + 1, '\t')) {
        *problem = "expected NAME<TAB>PLACE";
        return VP_ERR_INVALID;
    }
    *tab = '\0';
    char *key = name_key(line), *to_key = name_key(tab + 1);
    vp_status st = VP_OK;
    if (!key || !to_key) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    const named *to = *to_key ? find_name(r->pc, to_key) : NULL;
    if (!*key || !to) {
        *problem = *key ? "the place is no name of the postcode table" : "the name is empty";
        st = VP_ERR_INVALID;
        goto done;
    }
    const named *have = find_name(r->pc, key);
    for (size_t i = 0; !have && i < r->n; i++)
        if (strcmp(r->add[i].key, key) == 0)
            have = &r->add[i];
    if (have) {
        if (strcmp(have->name, to->name) == 0)
            goto done; /* the same place twice: nothing to add */
        *problem = "the name is already another place's";
        st = VP_ERR_INVALID;
        goto done;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;
        named *v = realloc(r->add, cap * sizeof *v);
        if (!v) {
            st = VP_ERR_NOMEM;
            goto done;
        }
        r->add = v;
        r->cap = cap;
    }
    named *nm = &r->add[r->n];
    *nm = *to;
    nm->name = strdup(to->name);
    if (!nm->name) {
        st = VP_ERR_NOMEM;
        goto done;
    }
    nm->key = key;
    key = NULL;
    r->n++;
done:
    free(key);
    free(to_key);
    return st;
}

vp_status vp_postcodes_add_aliases(vp_postcodes *pc, const char *path, vp_error *err)
{
    if (!pc || !path)
        return VP_OK;
    alias_reader r = {pc, NULL, 0, 0};
    vp_status st = vp_lines_read(path, 1024, VP_LINES_SKIP_BLANK | VP_LINES_SKIP_COMMENTS |
                                     VP_LINES_UTF8, alias_line, &r, NULL, err);
    named *all = st == VP_OK ? realloc(pc->names, (pc->n_names + r.n + 1) * sizeof *all) : NULL;
    if (!all) {
        names_free(r.add, r.n);
        return st == VP_OK ? VP_ERR_NOMEM : st;
    }
    if (r.n)
        memcpy(all + pc->n_names, r.add, r.n * sizeof *r.add);
    free(r.add);
    pc->names = all;
    pc->n_names += r.n;
    qsort(pc->names, pc->n_names, sizeof *pc->names, cmp_named);
    return VP_OK;
}

vp_place_found vp_postcodes_find_place(const vp_postcodes *pc, const char *text, double *lat,
                                       double *lon, const char **name, char *hint,
                                       size_t hint_cap)
{
    if (hint && hint_cap)
        hint[0] = '\0';
    if (!pc || !text)
        return VP_PLACE_UNKNOWN;
    char *key = name_key(text);
    const named *nm = key && *key ? find_name(pc, key) : NULL;
    free(key);
    if (!nm)
        return VP_PLACE_UNKNOWN;
    if (nm->ambiguous) {
        if (hint && hint_cap)
            snprintf(hint, hint_cap, "%s", nm->hint);
        return VP_PLACE_AMBIGUOUS;
    }
    *lat = nm->lat;
    *lon = nm->lon;
    if (name)
        *name = nm->name;
    return VP_PLACE_FOUND;
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
