/* params.c - validating query-string parameters into a search request.
 *
 * Every parameter is checked before anything runs: an unknown name, a
 * repeated single-valued parameter or a bad value is a 400 naming the
 * parameter, so a campaign link with a typo never silently shows
 * everything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vindplaats/buf.h"
#include "vindplaats/geo.h"
#include "vindplaats/offering.h"

void api_error(api_reply *r, unsigned status, const char *code, const char *message,
               const char *parameter)
{
    json_decref(r->json);
    r->status = status;
    r->json = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
    if (r->json && parameter)
        json_object_set_new(json_object_get(r->json, "error"), "parameter",
                            json_string(parameter));
}

static void bad(api_reply *r, const char *param, const char *fmt, const char *arg)
{
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, arg);
    api_error(r, 400, "invalid_parameter", msg, param);
}

/* The single value of `key`, NULL when absent; -1 (reply set) when repeated. */
static int single(api_params *p, const char *key, const char **value, api_reply *r)
{
    *value = NULL;
    for (size_t i = 0; i < p->count; i++) {
        if (strcmp(p->items[i].key, key) != 0)
            continue;
        if (*value) {
            bad(r, key, "%s: given more than once", key);
            return -1;
        }
        *value = p->items[i].value;
        p->items[i].used = 1;
    }
    return 0;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    if (!*s || strlen(s) > 9)
        return -1;
    unsigned v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9')
            return -1;
        v = v * 10 + (unsigned)(*c - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_day(const char *s, int *out)
{
    vp_datetime dt;
    if (strlen(s) != 10 || vp_datetime_parse(s, &dt) != 0)
        return -1;
    *out = vp_datetime_local_day(&dt);
    return 0;
}

static int check_filter_value(vp_field f, const char *v, const vp_vocabulary *voc, api_reply *r)
{
    const char *name = vp_field_name(f);
    const char *const *allowed = NULL;
    const char *allowed_text = NULL;
    if (!*v) {
        bad(r, name, "%s: must not be empty", name);
        return -1;
    }
    if (strlen(v) > 200) {
        bad(r, name, "%s: longer than 200 bytes", name);
        return -1;
    }
    switch (f) {
    case VP_FIELD_TYPE:
        allowed = vp_offering_types;
        allowed_text = "course, event, activity, ebook, audiobook, book, service";
        break;
    case VP_FIELD_CHANNEL:
        allowed = vp_offering_channels;
        allowed_text = "online, offline, hybrid";
        break;
    case VP_FIELD_AUDIENCE:
        allowed = vp_offering_audiences;
        allowed_text = "baby, peuter, kleuter, jeugd, ouders, volwassenen, senioren, "
                       "nieuwkomers, laaggeletterden, werkzoekenden, iedereen";
        break;
    case VP_FIELD_SOCIETAL_TASK:
        allowed = vp_offering_tasks;
        allowed_text = "geletterdheid, informatiesamenleving, leven-lang-ontwikkelen, cultuur";
        break;
    case VP_FIELD_PROPOSITION:
        if (voc && !vp_vocabulary_get(voc, v)) {
            vp_buf m;
            vp_buf_init(&m, 16384);
            vp_buf_printf(&m, "%s: unknown proposition \"%s\" (allowed: %s)", name, v,
                          vp_vocabulary_ids(voc));
            api_error(r, 400, "invalid_parameter", m.data ? m.data : "unknown proposition",
                      name);
            vp_buf_free(&m);
            return -1;
        }
        return 0;
    case VP_FIELD_LANGUAGE:
        if (strlen(v) != 2 || v[0] < 'a' || v[0] > 'z' || v[1] < 'a' || v[1] > 'z') {
            bad(r, name, "%s: must be a two-letter ISO 639-1 code such as nl", name);
            return -1;
        }
        return 0;
    default:
        return 0;
    }
    if (!vp_in_list(v, allowed)) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s: unknown value \"%.100s\" (allowed: %s)", name, v,
                 allowed_text);
        api_error(r, 400, "invalid_parameter", msg, name);
        return -1;
    }
    return 0;
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    if (!*s || strlen(s) > 32)
        return -1;
    double v = strtod(s, &end);
    if (*end || v != v || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, int *out)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = 0;
    else
        return -1;
    return 0;
}

/* near, postcode, radius_km, include_past, prefer_library. */
static int place_and_preferences(api_params *p, const vp_postcodes *postcodes,
                                 vp_search_request *req, api_reply *r)
{
    const char *near, *postcode, *radius, *include_past, *prefer;
    if (single(p, "near", &near, r) || single(p, "postcode", &postcode, r) ||
        single(p, "radius_km", &radius, r) || single(p, "include_past", &include_past, r) ||
        single(p, "prefer_library", &prefer, r))
        return -1;
    if (near && *near && postcode && *postcode) {
        bad(r, "postcode", "postcode: give near or postcode, not both%s", "");
        return -1;
    }
    if (near && *near) {
        char lat[40], lon[40];
        const char *comma = strchr(near, ',');
        size_t n = comma ? (size_t)(comma - near) : 0;
        if (!comma || n >= sizeof lat || strlen(comma + 1) >= sizeof lon) {
            bad(r, "near", "near: must be LAT,LON in degrees, e.g. 52.09,5.12%s", "");
            return -1;
        }
        memcpy(lat, near, n);
        lat[n] = '\0';
        snprintf(lon, sizeof lon, "%s", comma + 1);
        if (parse_double(lat, -90, 90, &req->near_lat) != 0 ||
            parse_double(lon, -180, 180, &req->near_lon) != 0) {
            bad(r, "near", "near: must be LAT,LON in degrees, e.g. 52.09,5.12%s", "");
            return -1;
        }
        req->has_near = 1;
    }
    if (postcode && *postcode) {
        char digits[8] = "";
        /* "3511", or a full postcode "3511AB" / "3511 AB" of which the PC4 counts. */
        size_t len = strlen(postcode);
        const char *letters = postcode + 4 + (len == 7 && postcode[4] == ' ');
        int full = (len == 6 || (len == 7 && postcode[4] == ' ')) &&
                   ((letters[0] >= 'A' && letters[0] <= 'Z') || (letters[0] >= 'a' && letters[0] <= 'z')) &&
                   ((letters[1] >= 'A' && letters[1] <= 'Z') || (letters[1] >= 'a' && letters[1] <= 'z'));
        if (len == 4 || full)
            memcpy(digits, postcode, 4);
        if (vp_postcodes_find(postcodes, digits, &req->near_lat, &req->near_lon) != 0) {
            bad(r, "postcode", "postcode: unknown Dutch postcode \"%.20s\"", postcode);
            return -1;
        }
        req->has_near = 1;
    }
    if (radius && *radius) {
        if (parse_double(radius, 0.1, 1000, &req->radius_km) != 0) {
            bad(r, "radius_km", "radius_km: must be a number from 0.1 to 1000%s", "");
            return -1;
        }
        if (!req->has_near) {
            bad(r, "radius_km", "radius_km: needs near or postcode%s", "");
            return -1;
        }
    }
    if (include_past && *include_past && parse_bool(include_past, &req->include_past) != 0) {
        bad(r, "include_past", "include_past: must be true or false%s", "");
        return -1;
    }
    if (prefer && *prefer) {
        if (strlen(prefer) > 200 || strspn(prefer, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(prefer)) {
            bad(r, "prefer_library", "prefer_library: must be a library id%s", "");
            return -1;
        }
        req->prefer_library = prefer;
    }
    return 0;
}

int api_search_request(api_params *p, const vp_vocabulary *voc, const vp_postcodes *postcodes,
                       vp_search_request *req, api_search_storage *storage, api_reply *r)
{
    memset(req, 0, sizeof *req);
    req->page = 1;
    req->per_page = 10;
    req->sort = VP_SORT_RELEVANCE;

    const char *q, *from, *to, *sort, *page, *per_page, *facets;
    if (single(p, "q", &q, r) || single(p, "from", &from, r) || single(p, "to", &to, r) ||
        single(p, "sort", &sort, r) || single(p, "page", &page, r) ||
        single(p, "per_page", &per_page, r) || single(p, "facets", &facets, r))
        return -1;
    req->q = q;

    for (size_t i = 0; i < p->count; i++) {
        int f = vp_field_by_name(p->items[i].key);
        if (f < 0)
            continue;
        p->items[i].used = 1;
        if (req->n_values[f] == VP_SEARCH_MAX_VALUES) {
            bad(r, p->items[i].key, "%s: at most 50 values", p->items[i].key);
            return -1;
        }
        if (check_filter_value((vp_field)f, p->items[i].value, voc, r) != 0)
            return -1;
        storage->values[f][req->n_values[f]++] = p->items[i].value;
    }
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        req->values[f] = storage->values[f];

    /* Empty values of the optional controls mean "not given" (HTML forms). */
    if (from && *from && parse_day(from, &req->from_day) != 0) {
        bad(r, "from", "from: must be a date YYYY-MM-DD%s", "");
        return -1;
    }
    if (to && *to && parse_day(to, &req->to_day) != 0) {
        bad(r, "to", "to: must be a date YYYY-MM-DD%s", "");
        return -1;
    }
    if (req->from_day && req->to_day && req->to_day < req->from_day) {
        bad(r, "to", "to: before from%s", "");
        return -1;
    }
    if (req->from_day && req->to_day &&
        vp_day_to_epoch(req->to_day) - vp_day_to_epoch(req->from_day) > 3660) {
        bad(r, "to", "to: a date range spans at most 3660 days%s", "");
        return -1;
    }
    if (sort && *sort) {
        if (strcmp(sort, "relevance") == 0)
            req->sort = VP_SORT_RELEVANCE;
        else if (strcmp(sort, "date") == 0)
            req->sort = VP_SORT_DATE;
        else if (strcmp(sort, "distance") == 0)
            req->sort = VP_SORT_DISTANCE;
        else {
            bad(r, "sort", "sort: must be relevance, date or distance%s", "");
            return -1;
        }
    }
    if (place_and_preferences(p, postcodes, req, r) != 0)
        return -1;
    if (req->sort == VP_SORT_DISTANCE && !req->has_near) {
        bad(r, "sort", "sort: sort=distance needs near or postcode%s", "");
        return -1;
    }
    if (page && *page && (parse_uint(page, VP_SEARCH_MAX_WINDOW, &req->page) != 0 || req->page < 1)) {
        bad(r, "page", "page: must be a whole number from 1 to %s", "10000");
        return -1;
    }
    if (per_page && *per_page &&
        (parse_uint(per_page, VP_SEARCH_MAX_PER_PAGE, &req->per_page) != 0 || req->per_page < 1)) {
        bad(r, "per_page", "per_page: must be a whole number from 1 to %s", "100");
        return -1;
    }
    if ((unsigned long)req->page * req->per_page > VP_SEARCH_MAX_WINDOW) {
        bad(r, "page", "page: page * per_page must not exceed %s", "10000");
        return -1;
    }
    if (facets && *facets) {
        const char *s = facets;
        while (*s) {
            size_t n = strcspn(s, ",");
            char name[32];
            if (n == 0 || n >= sizeof name) {
                bad(r, "facets", "facets: a comma-separated list of %s, or all",
                    "type, library, proposition, audience, channel");
                return -1;
            }
            memcpy(name, s, n);
            name[n] = '\0';
            int f = vp_field_by_name(name);
            if (strcmp(name, "all") == 0) {
                req->facets = (1u << VP_FACET_COUNT) - 1;
            } else if (f < 0 || f >= VP_FACET_COUNT) {
                char msg[256];
                snprintf(msg, sizeof msg,
                         "facets: unknown facet \"%s\" (allowed: type, library, proposition, "
                         "audience, channel, all)",
                         name);
                api_error(r, 400, "invalid_parameter", msg, "facets");
                return -1;
            } else {
                req->facets |= 1u << f;
            }
            s += n;
            if (*s == ',')
                s++;
        }
    }
    return 0;
}

int api_reject_unused(const api_params *p, api_reply *r)
{
    if (p->overflow) {
        api_error(r, 400, "invalid_parameter", "too many parameters (at most 200)", NULL);
        return -1;
    }
    for (size_t i = 0; i < p->count; i++) {
        if (p->items[i].used)
            continue;
        char msg[512];
        snprintf(msg, sizeof msg, "unknown parameter \"%.200s\"", p->items[i].key);
        api_error(r, 400, "unknown_parameter", msg, p->items[i].key);
        return -1;
    }
    return 0;
}

/* ---- a search from a query string, outside a request ---- */

struct vp_search_params {
    api_params params;
    api_search_storage storage;
    vp_search_request request;
    char *text;  /* the decoded keys and values, NUL-separated */
};

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX and '+' in place; returns -1 for a bad escape. */
static int url_decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%') {
            int hi = hex_value(p[1]), lo = hi >= 0 ? hex_value(p[2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            *o++ = (char)(hi * 16 + lo);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return 0;
}

vp_status vp_search_params_parse(const char *query_string, const vp_vocabulary *voc,
                                 const vp_postcodes *postcodes, vp_search_params **out,
                                 char **errmsg)
{
    vp_search_params *sp = calloc(1, sizeof *sp);
    if (!sp)
        return VP_ERR_NOMEM;
    sp->text = strdup(query_string);
    if (!sp->text) {
        free(sp);
        return VP_ERR_NOMEM;
    }
    const char *problem = NULL;
    for (char *pair = strtok(sp->text, "&"); pair && !problem; pair = strtok(NULL, "&")) {
        if (sp->params.count == API_MAX_PARAMS) {
            sp->params.overflow = 1;
            break;
        }
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = '\0';
        if (url_decode(pair) != 0 || (eq && url_decode(eq + 1) != 0))
            problem = "bad percent-encoding in the query string";
        api_param *ap = &sp->params.items[sp->params.count++];
        ap->key = pair;
        ap->value = eq ? eq + 1 : "";
    }
    api_reply reply = {0};
    if (problem)
        api_error(&reply, 400, "invalid_parameter", problem, NULL);
    else if (api_search_request(&sp->params, voc, postcodes, &sp->request, &sp->storage, &reply) ==
                 0 &&
             api_reject_unused(&sp->params, &reply) == 0) {
        *out = sp;
        return VP_OK;
    }
    if (errmsg) {
        const char *m = json_string_value(
            json_object_get(json_object_get(reply.json, "error"), "message"));
        *errmsg = strdup(m ? m : "invalid search parameters");
    }
    json_decref(reply.json);
    vp_search_params_destroy(sp);
    return VP_ERR_INVALID;
}

const vp_search_request *vp_search_params_request(const vp_search_params *p)
{
    return &p->request;
}

void vp_search_params_destroy(vp_search_params *p)
{
    if (!p)
        return;
    free(p->text);
    free(p);
}
