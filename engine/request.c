/* request.c - a search request from its parameters, validated once.
 *
 * The server (a query string decoded by libmicrohttpd), saved campaign
 * searches and the benchmark (a query string as text) all come through
 * here, so a parameter means the same and is refused with the same words
 * everywhere. Every parameter is checked before anything runs: an unknown
 * name, a repeated single-valued parameter or a bad value is an error
 * naming the parameter, so a campaign link with a typo never silently shows
 * everything. Errors are structured ({parameter, code, message}); nothing
 * is handed back as "param: message" text for a caller to take apart.
 *
 * Strings of the request stay borrowed from the parameters. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "vindplaats/geo.h"
#include "vindplaats/offering.h"
#include "vindplaats/search.h"

#define MAX_RANGE_DAYS 3660

/* Fills `err` (when given) and returns VP_ERR_INVALID. */
static vp_status bad(vp_error *err, const char *code, const char *param, const char *fmt, ...)
{
    if (err) {
        char parameter[64], message[2048];
        va_list ap;
        va_start(ap, fmt);
        snprintf(parameter, sizeof parameter, "%s", param ? param : "");
        vsnprintf(message, sizeof message, fmt, ap);
        va_end(ap);
        /* Both quote what the client sent, cut to a byte limit. */
        vp_utf8_repair(parameter);
        vp_utf8_repair(message);
        vp_error_set(err, VP_ERR_INVALID, &(vp_where){.parameter = parameter[0] ? parameter : NULL},
                     "%s", message);
        err->code = code;
    }
    return VP_ERR_INVALID;
}

#define INVALID "invalid_parameter"

/* The single value of `key` in *value, NULL when absent; invalid when repeated. */
static vp_status single(vp_param *p, size_t n, const char *key, const char **value,
                        vp_error *err)
{
    *value = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(p[i].key, key) != 0)
            continue;
        if (*value)
            return bad(err, INVALID, key, "%s: given more than once", key);
        *value = p[i].value;
        p[i].used = 1;
    }
    return VP_OK;
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

static vp_status check_filter_value(vp_field f, const char *v, const vp_vocabulary *voc,
                                    vp_error *err)
{
    const char *name = vp_field_name(f);
    const char *const *allowed = NULL;
    const char *allowed_text = NULL;
    if (!*v)
        return bad(err, INVALID, name, "%s: must not be empty", name);
    if (strlen(v) > 200)
        return bad(err, INVALID, name, "%s: longer than 200 bytes", name);
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
        if (voc && !vp_vocabulary_get(voc, v))
            return bad(err, INVALID, name, "%s: unknown proposition \"%s\" (allowed: %s)", name, v,
                       vp_vocabulary_ids(voc));
        return VP_OK;
    case VP_FIELD_LANGUAGE:
        if (strlen(v) != 2 || v[0] < 'a' || v[0] > 'z' || v[1] < 'a' || v[1] > 'z')
            return bad(err, INVALID, name, "%s: must be a two-letter ISO 639-1 code such as nl",
                       name);
        return VP_OK;
    default:
        return VP_OK;
    }
    if (!vp_in_list(v, allowed))
        return bad(err, INVALID, name, "%s: unknown value \"%.100s\" (allowed: %s)", name, v,
                   allowed_text);
    return VP_OK;
}

/* The four digits of a postcode "3511", "3511AB" or "3511 AB" into
 * digits[5]; -1 when `s` is not written as a postcode. */
static int pc4_of(const char *s, char digits[5])
{
    size_t len = strlen(s);
    if (len < 4 || strspn(s, "0123456789") != 4)
        return -1;
    const char *letters = s + 4 + (len == 7 && s[4] == ' ');
    int full = (len == 6 || (len == 7 && s[4] == ' ')) &&
               ((letters[0] >= 'A' && letters[0] <= 'Z') || (letters[0] >= 'a' && letters[0] <= 'z')) &&
               ((letters[1] >= 'A' && letters[1] <= 'Z') || (letters[1] >= 'a' && letters[1] <= 'z'));
    if (len != 4 && !full)
        return -1;
    memcpy(digits, s, 4);
    digits[4] = '\0';
    return 0;
}

/* place=: a postcode, a place name, a municipality or a branch of the network. */
static vp_status resolve_place(const char *place, const vp_postcodes *postcodes,
                               vp_search_request *req, vp_error *err)
{
    char digits[5], hint[64];
    if (strlen(place) > 100)
        return bad(err, INVALID, "place", "place: longer than 100 bytes");
    if (pc4_of(place, digits) == 0) {
        if (vp_postcodes_find(postcodes, digits, &req->near_lat, &req->near_lon) != 0)
            return bad(err, INVALID, "place", "place: unknown Dutch postcode \"%.20s\"", place);
        req->place = vp_postcodes_place(postcodes, digits);
        return VP_OK;
    }
    switch (vp_postcodes_find_place(postcodes, place, &req->near_lat, &req->near_lon, &req->place,
                                    hint, sizeof hint)) {
    case VP_PLACE_FOUND:
        return VP_OK;
    case VP_PLACE_AMBIGUOUS:
        return bad(err, INVALID, "place",
                   "place: \"%.100s\" is the name of more than one place; give its postcode "
                   "(%s)", place, hint);
    default:
        return bad(err, INVALID, "place",
                   "place: no place, municipality or library branch called \"%.100s\"; "
                   "give a postcode such as 3811", place);
    }
}

/* near, postcode, place, radius_km, include_past, prefer_library. */
static vp_status place_and_preferences(vp_param *p, size_t n, const vp_postcodes *postcodes,
                                       vp_search_request *req, vp_error *err)
{
    const char *near, *postcode, *place, *radius, *include_past, *prefer;
    if (single(p, n, "near", &near, err) || single(p, n, "postcode", &postcode, err) ||
        single(p, n, "place", &place, err) || single(p, n, "radius_km", &radius, err) ||
        single(p, n, "include_past", &include_past, err) ||
        single(p, n, "prefer_library", &prefer, err))
        return VP_ERR_INVALID;
    int given = (near && *near) + (postcode && *postcode) + (place && *place);
    if (given > 1)
        return bad(err, INVALID, place && *place ? "place" : "postcode",
                   "%s: give one of near, postcode and place", place && *place ? "place" : "postcode");
    if (near && *near) {
        char lat[40], lon[40];
        const char *comma = strchr(near, ',');
        size_t len = comma ? (size_t)(comma - near) : 0;
        if (!comma || len >= sizeof lat || strlen(comma + 1) >= sizeof lon)
            return bad(err, INVALID, "near", "near: must be LAT,LON in degrees, e.g. 52.09,5.12");
        memcpy(lat, near, len);
        lat[len] = '\0';
        snprintf(lon, sizeof lon, "%s", comma + 1);
        if (parse_double(lat, -90, 90, &req->near_lat) != 0 ||
            parse_double(lon, -180, 180, &req->near_lon) != 0)
            return bad(err, INVALID, "near", "near: must be LAT,LON in degrees, e.g. 52.09,5.12");
        req->has_near = 1;
    }
    if (postcode && *postcode) {
        /* "3511", or a full postcode "3511AB" / "3511 AB" of which the PC4 counts. */
        char digits[5] = "";
        int written = pc4_of(postcode, digits) == 0;
        if (!written && strspn(postcode, "0123456789") == 0 && strlen(postcode) <= 100)
            return bad(err, INVALID, "postcode",
                       "postcode: \"%.100s\" is not a postcode; a place name goes in place=",
                       postcode);
        if (!written || vp_postcodes_find(postcodes, digits, &req->near_lat, &req->near_lon) != 0)
            return bad(err, INVALID, "postcode", "postcode: unknown Dutch postcode \"%.20s\"",
                       postcode);
        req->has_near = 1;
    }
    if (place && *place) {
        if (resolve_place(place, postcodes, req, err) != VP_OK)
            return VP_ERR_INVALID;
        req->has_near = 1;
    }
    if (radius && *radius) {
        if (parse_double(radius, 0.1, 1000, &req->radius_km) != 0)
            return bad(err, INVALID, "radius_km", "radius_km: must be a number from 0.1 to 1000");
        if (!req->has_near)
            return bad(err, INVALID, "radius_km", "radius_km: needs near, postcode or place");
    } else if (req->has_near) {
        req->radius_km = VP_SEARCH_RADIUS_KM;
    }
    if (include_past && *include_past && parse_bool(include_past, &req->include_past) != 0)
        return bad(err, INVALID, "include_past", "include_past: must be true or false");
    if (prefer && *prefer) {
        if (strlen(prefer) > 200 ||
            strspn(prefer, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(prefer))
            return bad(err, INVALID, "prefer_library", "prefer_library: must be a library id");
        req->prefer_library = prefer;
    }
    return VP_OK;
}

static vp_status parse_facets(const char *facets, vp_search_request *req, vp_error *err)
{
    const char *s = facets;
    while (*s) {
        size_t len = strcspn(s, ",");
        char name[32];
        if (len == 0 || len >= sizeof name)
            return bad(err, INVALID, "facets", "facets: a comma-separated list of %s, or all",
                       "type, library, proposition, audience, channel");
        memcpy(name, s, len);
        name[len] = '\0';
        int f = vp_field_by_name(name);
        if (strcmp(name, "all") == 0)
            req->facets = (1u << VP_FACET_COUNT) - 1;
        else if (f < 0 || f >= VP_FACET_COUNT)
            return bad(err, INVALID, "facets",
                       "facets: unknown facet \"%s\" (allowed: type, library, proposition, "
                       "audience, channel, all)",
                       name);
        else
            req->facets |= 1u << f;
        s += len;
        if (*s == ',')
            s++;
    }
    return VP_OK;
}

/* from and to in order, at most MAX_RANGE_DAYS apart. */
static vp_status range_check(const vp_search_request *req, vp_error *err)
{
    if (req->from_day && req->to_day && req->to_day < req->from_day)
        return bad(err, INVALID, "to", "to: before from");
    if (req->from_day && req->to_day &&
        vp_day_to_epoch(req->to_day) - vp_day_to_epoch(req->from_day) > MAX_RANGE_DAYS)
        return bad(err, INVALID, "to", "to: a date range spans at most 3660 days");
    return VP_OK;
}

vp_status vp_search_request_parse(vp_param *p, size_t n, const vp_vocabulary *voc,
                                  const vp_postcodes *postcodes, vp_search_request *req,
                                  vp_search_values *storage, vp_error *err)
{
    memset(req, 0, sizeof *req);
    req->page = 1;
    req->per_page = 10;
    req->sort = VP_SORT_RELEVANCE;

    const char *q, *from, *to, *sort, *page, *per_page, *facets, *spelling, *understand, *free_;
    if (single(p, n, "q", &q, err) || single(p, n, "spelling", &spelling, err) ||
        single(p, n, "free", &free_, err) ||
        single(p, n, "understand", &understand, err) ||
        single(p, n, "from", &from, err) ||
        single(p, n, "to", &to, err) || single(p, n, "sort", &sort, err) ||
        single(p, n, "page", &page, err) || single(p, n, "per_page", &per_page, err) ||
        single(p, n, "facets", &facets, err))
        return VP_ERR_INVALID;
    req->q = q;
    /* spelling=false: the words exactly as typed ("search for ipda instead"). */
    int spell = 1;
    if (spelling && *spelling && parse_bool(spelling, &spell) != 0)
        return bad(err, INVALID, "spelling", "spelling: must be true or false");
    if (!spell)
        req->without |= VP_WITHOUT_SPELLING;
    /* free=true: what costs nothing (no price, or 0); free=false is everything. */
    if (free_ && *free_ && parse_bool(free_, &req->free_only) != 0)
        return bad(err, INVALID, "free", "free: must be true or false");
    /* understand=place,date,audience (the default), a part of it, or none:
     * which kinds of words of q are taken for what they name. */
    if (understand && *understand) {
        static const char *const kinds[] = {"place", "date", "audience"};
        static const unsigned bits[] = {VP_WITHOUT_PLACE_WORDS, VP_WITHOUT_DAY_WORDS,
                                        VP_WITHOUT_AGE_WORDS};
        unsigned keep = 0;
        for (const char *s = understand; *s;) {
            size_t len = strcspn(s, ",");
            int k = -1;
            for (int i = 0; i < 3; i++)
                if (len == strlen(kinds[i]) && strncmp(s, kinds[i], len) == 0)
                    k = i;
            if (k < 0 && !(len == 4 && strncmp(s, "none", 4) == 0))
                return bad(err, INVALID, "understand",
                           "understand: a comma-separated list of place, date, audience, or none");
            if (k >= 0)
                keep |= bits[k];
            s += len + (s[len] == ',');
        }
        req->without |= VP_WITHOUT_UNDERSTANDING & ~keep;
    }

    for (size_t i = 0; i < n; i++) {
        int f = vp_field_by_name(p[i].key);
        if (f < 0)
            continue;
        p[i].used = 1;
        if (req->n_values[f] == VP_SEARCH_MAX_VALUES)
            return bad(err, INVALID, p[i].key, "%s: at most 50 values", p[i].key);
        if (check_filter_value((vp_field)f, p[i].value, voc, err) != VP_OK)
            return VP_ERR_INVALID;
        storage->values[f][req->n_values[f]++] = p[i].value;
    }
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        req->values[f] = storage->values[f];

    /* Empty values of the optional controls mean "not given" (HTML forms). */
    if (from && *from && parse_day(from, &req->from_day) != 0)
        return bad(err, INVALID, "from", "from: must be a date YYYY-MM-DD");
    if (to && *to && parse_day(to, &req->to_day) != 0)
        return bad(err, INVALID, "to", "to: must be a date YYYY-MM-DD");
    if (range_check(req, err) != VP_OK)
        return VP_ERR_INVALID;
    if (sort && *sort) {
        if (strcmp(sort, "relevance") == 0)
            req->sort = VP_SORT_RELEVANCE;
        else if (strcmp(sort, "date") == 0)
            req->sort = VP_SORT_DATE;
        else if (strcmp(sort, "distance") == 0)
            req->sort = VP_SORT_DISTANCE;
        else
            return bad(err, INVALID, "sort", "sort: must be relevance, date or distance");
    }
    if (place_and_preferences(p, n, postcodes, req, err) != VP_OK)
        return VP_ERR_INVALID;
    if (req->sort == VP_SORT_DISTANCE && !req->has_near)
        return bad(err, INVALID, "sort", "sort: sort=distance needs near, postcode or place");
    if (page && *page && (parse_uint(page, VP_SEARCH_MAX_WINDOW, &req->page) != 0 || req->page < 1))
        return bad(err, INVALID, "page", "page: must be a whole number from 1 to %s", "10000");
    if (per_page && *per_page &&
        (parse_uint(per_page, VP_SEARCH_MAX_PER_PAGE, &req->per_page) != 0 || req->per_page < 1))
        return bad(err, INVALID, "per_page", "per_page: must be a whole number from 1 to %s", "100");
    if ((unsigned long)req->page * req->per_page > VP_SEARCH_MAX_WINDOW)
        return bad(err, INVALID, "page", "page: page * per_page must not exceed %s", "10000");
    if (facets && *facets && parse_facets(facets, req, err) != VP_OK)
        return VP_ERR_INVALID;
    return VP_OK;
}

vp_status vp_search_request_check(const vp_search_request *req, vp_error *err)
{
    if (req->page < 1)
        return bad(err, INVALID, "page", "page: must be 1 or more");
    if (req->per_page < 1 || req->per_page > VP_SEARCH_MAX_PER_PAGE)
        return bad(err, INVALID, "per_page", "per_page: must be from 1 to 100");
    if ((uint64_t)req->page * req->per_page > VP_SEARCH_MAX_WINDOW)
        return bad(err, INVALID, "page", "page: page * per_page must not exceed 10000");
    if (req->from_day && !vp_day_valid(req->from_day))
        return bad(err, INVALID, "from", "from: not a valid date");
    if (req->to_day && !vp_day_valid(req->to_day))
        return bad(err, INVALID, "to", "to: not a valid date");
    if (range_check(req, err) != VP_OK)
        return VP_ERR_INVALID;
    for (int f = 0; f < VP_FIELD_COUNT; f++)
        if (req->n_values[f] > VP_SEARCH_MAX_VALUES)
            return bad(err, INVALID, vp_field_name((vp_field)f), "%s: at most 50 values",
                       vp_field_name((vp_field)f));
    if (req->facets >> VP_FACET_COUNT)
        return bad(err, INVALID, "facets", "facets: unknown facet");
    if (req->sort == VP_SORT_DISTANCE && !req->has_near)
        return bad(err, INVALID, "sort", "sort: sort=distance needs a place (near, postcode or place)");
    return VP_OK;
}

vp_status vp_search_params_reject_unused(const vp_param *p, size_t n, int overflow,
                                         vp_error *err)
{
    if (overflow)
        return bad(err, INVALID, NULL, "too many parameters (at most %d)", VP_SEARCH_MAX_PARAMS);
    for (size_t i = 0; i < n; i++)
        if (!p[i].used)
            return bad(err, "unknown_parameter", p[i].key, "unknown parameter \"%.200s\"", p[i].key);
    return VP_OK;
}

/* ---- a search from a query string, outside a request ---- */

struct vp_search_params {
    vp_param params[VP_SEARCH_MAX_PARAMS];
    vp_search_values storage;
    vp_search_request request;
    char *text; /* the decoded keys and values, NUL-separated */
};

/* Decodes %XX and '+' in place; returns -1 for a bad escape. */
static int url_decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%') {
            int hi = vp_hex_digit(p[1]), lo = hi >= 0 ? vp_hex_digit(p[2]) : -1;
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

vp_status vp_search_params_parse_query(const char *query_string, const vp_vocabulary *voc,
                                       const vp_postcodes *postcodes, vp_search_params **out,
                                       vp_error *err)
{
    vp_search_params *sp = calloc(1, sizeof *sp);
    if (!sp)
        return VP_ERR_NOMEM;
    sp->text = strdup(query_string);
    if (!sp->text) {
        free(sp);
        return VP_ERR_NOMEM;
    }
    size_t n = 0;
    int overflow = 0;
    vp_status st = VP_OK;
    char *save = NULL;
    for (char *pair = strtok_r(sp->text, "&", &save); pair && st == VP_OK;
         pair = strtok_r(NULL, "&", &save)) {
        if (n == VP_SEARCH_MAX_PARAMS) {
            overflow = 1;
            break;
        }
        char *eq = strchr(pair, '=');
        if (eq)
            *eq = '\0';
        if (url_decode(pair) != 0 || (eq && url_decode(eq + 1) != 0))
            st = bad(err, INVALID, NULL, "bad percent-encoding in the query string");
        sp->params[n].key = pair;
        sp->params[n++].value = eq ? eq + 1 : "";
    }
    if (st == VP_OK)
        st = vp_search_request_parse(sp->params, n, voc, postcodes, &sp->request, &sp->storage, err);
    if (st == VP_OK)
        st = vp_search_params_reject_unused(sp->params, n, overflow, err);
    if (st == VP_OK) {
        *out = sp;
        return VP_OK;
    }
    vp_search_params_destroy(sp);
    return st;
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
