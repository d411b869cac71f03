/* jsonld.c - schema.org JSON-LD pages and sitemaps (jsonld.h).
 *
 * A page is either a JSON-LD document or HTML carrying any number of
 * <script type="application/ld+json"> blocks. Each block is decoded with
 * jansson on its own, so one broken block costs only itself (it is
 * rejected with its line). Items of the supported types (any "*Event",
 * Course, CourseInstance, Book, Audiobook) that stand at the top level, in
 * "@graph", or as a page's mainEntity become one record each; what they
 * nest (a Place, an Offer, a Person) only fills their fields. References
 * {"@id": "#x"} to other members of the same document are followed for
 * names (authors, places).
 *
 * Dates without an offset are Europe/Amsterdam wall-clock time
 * (vp_nl_wall_offset, vindplaats/time.h). */
#include "vindplaats/jsonld.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vindplaats/web.h"
#include "vindplaats/xml.h"
#include "vindplaats/offering.h"

/* ---- small JSON helpers ----------------------------------------------- */

typedef struct jctx {
    const vp_emit *emit;
    const char *page_url;
    json_t *ids;     /* "@id" -> node, of the document being read (borrowed) */
    int stop;
    int nomem;
    size_t item;     /* items seen in the page, for messages */
    char where[96];  /* "script 2 (line 14)" or "" */
} jctx;

static const char *str(json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *get(json_t *o, const char *key)
{
    return json_is_object(o) ? json_object_get(o, key) : NULL;
}

/* A node the document names by "@id" in place of `v` ({"@id": x} or a
 * bare string x), or `v` itself. */
static json_t *deref(jctx *c, json_t *v)
{
    const char *id = NULL;
    if (json_is_string(v))
        id = json_string_value(v);
    else if (json_is_object(v) && json_object_size(v) == 1)
        id = str(json_object_get(v, "@id"));
    if (id && c->ids) {
        json_t *n = json_object_get(c->ids, id);
        if (n)
            return n;
    }
    return v;
}

/* The text of a value: a string, a number, {"@value": ...}, an object's
 * "name", or the first such of an array. Borrowed, or NULL. */
static const char *text_of(json_t *v, int depth)
{
    if (depth > 8 || !v)
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            const char *t = text_of(e, depth + 1);
            if (t && *t)
                return t;
        }
        return NULL;
    }
    if (json_is_object(v)) {
        const char *t = str(json_object_get(v, "@value"));
        if (!t)
            t = text_of(json_object_get(v, "name"), depth + 1);
        return t;
    }
    return NULL;
}

/* The local name of a type: "schema:Event", "http://schema.org/Event" and
 * "Event" are all "Event". */
static const char *type_local(const char *t)
{
    const char *s = strrchr(t, '/');
    if (s)
        t = s + 1;
    s = strrchr(t, ':');
    if (s)
        t = s + 1;
    s = strrchr(t, '#');
    if (s)
        t = s + 1;
    return t;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static int icontains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

enum kind { K_NONE, K_EVENT, K_COURSE, K_INSTANCE, K_BOOK, K_AUDIOBOOK };

static enum kind kind_of_name(const char *t)
{
    t = type_local(t);
    if (strcmp(t, "Course") == 0)
        return K_COURSE;
    if (strcmp(t, "CourseInstance") == 0)
        return K_INSTANCE;
    if (strcmp(t, "Audiobook") == 0)
        return K_AUDIOBOOK;
    if (strcmp(t, "Book") == 0)
        return K_BOOK;
    if (ends_with(t, "Event") && strlen(t) > 0)
        return K_EVENT;
    return K_NONE;
}

static json_t *type_value(json_t *o)
{
    json_t *t = get(o, "@type");
    return t ? t : get(o, "type");
}

/* The item's kind; of several types the most specific one we know. */
static enum kind kind_of(json_t *o)
{
    json_t *t = type_value(o);
    if (json_is_string(t))
        return kind_of_name(json_string_value(t));
    enum kind best = K_NONE;
    static const int rank[] = {0, 2, 4, 3, 1, 5};
    size_t i;
    json_t *e;
    json_array_foreach(t, i, e) {
        if (!json_is_string(e))
            continue;
        enum kind k = kind_of_name(json_string_value(e));
        if (rank[k] > rank[best])
            best = k;
    }
    return best;
}

static int has_type(json_t *o, const char *name)
{
    json_t *t = type_value(o);
    if (json_is_string(t))
        return strcmp(type_local(json_string_value(t)), name) == 0;
    size_t i;
    json_t *e;
    json_array_foreach(t, i, e) {
        if (json_is_string(e) && strcmp(type_local(json_string_value(e)), name) == 0)
            return 1;
    }
    return 0;
}

/* Calls fn for `v`, or for each element when it is an array. */
#define EACH(v, e, body)                                      \
    do {                                                      \
        json_t *each_v_##e = (v);                             \
        if (json_is_array(each_v_##e)) {                      \
            size_t each_i_##e;                                \
            json_t *e;                                        \
            json_array_foreach(each_v_##e, each_i_##e, e) body \
        } else if (each_v_##e) {                              \
            json_t *e = each_v_##e;                           \
            body                                              \
        }                                                     \
    } while (0)

static int looks_like_ref(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0 || s[0] == '/' ||
           s[0] == '#' || strncmp(s, "./", 2) == 0;
}

static void note(jctx *c, int rc)
{
    if (rc != 0)
        c->nomem = 1;
}

/* A list one past the offering's limit is rejected by validation anyway;
 * stopping there keeps the duplicate check of vp_fields_add from turning
 * quadratic on a hostile page. */
static int list_full(json_t *fields, const char *key)
{
    return json_array_size(json_object_get(fields, key)) > VP_OFFERING_MAX_LIST;
}

/* Adds names (strings, or entities' names) of `v` to list `key`. */
static void add_names(jctx *c, json_t *fields, const char *key, json_t *v)
{
    EACH(v, e, {
        if (list_full(fields, key))
            break;
        json_t *n = deref(c, e);
        const char *t = NULL;
        if (json_is_string(n)) {
            t = json_string_value(n);
            if (looks_like_ref(t))
                t = NULL;
        } else if (json_is_object(n)) {
            t = text_of(json_object_get(n, "name"), 0);
            if (!t)
                t = str(json_object_get(n, "@value"));
            const char *given = str(json_object_get(n, "givenName"));
            const char *family = str(json_object_get(n, "familyName"));
            if (!t && (given || family)) {
                char full[512];
                snprintf(full, sizeof full, "%s%s%s", given ? given : "",
                         given && family ? " " : "", family ? family : "");
                note(c, vp_fields_add(fields, key, full));
            }
        }
        if (t)
            note(c, vp_fields_add(fields, key, t));
    });
}

/* keywords: an array, or one string with comma-separated words. */
static void add_keywords(jctx *c, json_t *fields, json_t *v)
{
    if (json_is_string(v)) {
        char *copy = strdup(json_string_value(v));
        if (!copy) {
            c->nomem = 1;
            return;
        }
        char *save = NULL;
        for (char *w = strtok_r(copy, ",", &save); w && !list_full(fields, "subjects");
             w = strtok_r(NULL, ",", &save))
            note(c, vp_fields_add(fields, "subjects", w));
        free(copy);
        return;
    }
    add_names(c, fields, "subjects", v);
}

static void set_html_text(jctx *c, json_t *fields, const char *key, const char *s)
{
    if (!s)
        return;
    if (!strchr(s, '<') && !strchr(s, '&')) {
        note(c, vp_fields_set_text(fields, key, s));
        return;
    }
    char *t = vp_html_to_text(s, strlen(s));
    if (!t) {
        c->nomem = 1;
        return;
    }
    note(c, key[0] == 't' && strcmp(key, "title") == 0 ? vp_fields_set(fields, key, t)
                                                       : vp_fields_set_text(fields, key, t));
    free(t);
}

static void set_url(jctx *c, json_t *fields, const char *key, const char *ref)
{
    char *u = vp_url_resolve(c->page_url, ref);
    if (u) {
        note(c, vp_fields_set(fields, key, u));
        free(u);
    }
}

/* A date or date-time as the offering takes it, into `out`, as
 * vp_local_datetime. */
static vp_status date_of(json_t *v, char out[32], int *has_time)
{
    return vp_local_datetime(text_of(v, 0), out, has_time);
}

/* Adds an occurrence {start, end} unless an equal one is there. */
static void add_occurrence(jctx *c, json_t *fields, const char *start, const char *end)
{
    json_t *occ = json_object_get(fields, "occurrences");
    if (!occ) {
        occ = json_array();
        if (!occ || json_object_set_new(fields, "occurrences", occ) != 0) {
            c->nomem = 1;
            return;
        }
    }
    if (json_array_size(occ) >= VP_OFFERING_MAX_OCCURRENCES)
        return;
    size_t i;
    json_t *o;
    json_array_foreach(occ, i, o) {
        const char *s = str(json_object_get(o, "start"));
        const char *e = str(json_object_get(o, "end"));
        if (s && strcmp(s, start) == 0 && ((!e && !end) || (e && end && strcmp(e, end) == 0)))
            return;
    }
    o = end ? json_pack("{ssss}", "start", start, "end", end) : json_pack("{ss}", "start", start);
    if (!o || json_array_append_new(occ, o) != 0)
        c->nomem = 1;
}

/* start/end of `o` into the record's start/end (when `set_main`) and one
 * occurrence. */
static void dates(jctx *c, json_t *fields, json_t *o, int set_main)
{
    char s[32], e[32];
    if (date_of(get(o, "startDate"), s, NULL) != VP_OK)
        return;
    int has_end = date_of(get(o, "endDate"), e, NULL) == VP_OK;
    if (has_end && strcmp(e, s) < 0 && strlen(e) == strlen(s))
        has_end = 0; /* an end before its start would cost the record */
    if (set_main) {
        note(c, vp_fields_set(fields, "start", s));
        if (has_end)
            note(c, vp_fields_set(fields, "end", e));
    }
    add_occurrence(c, fields, s, has_end ? e : NULL);
}

/* Appends `s` to buf (of `size`, holding a string) after `sep`. */
static void append(char *buf, size_t size, const char *sep, const char *s)
{
    size_t len = strlen(buf);
    if (!s || !*s)
        return;
    if (len == 0)
        sep = "";
    int w = snprintf(buf + len, size - len, "%s%s", sep, s);
    if (w < 0 || (size_t)w >= size - len)
        buf[len] = '\0';
}

/* "Bibliotheek Neude, Oudegracht 1, 3511 AB Utrecht" from a Place, a
 * PostalAddress or a string; several places are joined with "; ". Sets
 * *online for a VirtualLocation, *any_place for anything else. */
static void place_text(jctx *c, json_t *v, char *buf, size_t size, int *online, int *any_place)
{
    EACH(v, e, {
        json_t *n = deref(c, e);
        char one[512] = "";
        if (json_is_string(n)) {
            if (!looks_like_ref(json_string_value(n)))
                append(one, sizeof one, "", json_string_value(n));
        } else if (json_is_object(n)) {
            if (has_type(n, "VirtualLocation")) {
                *online = 1;
                continue;
            }
            json_t *a = deref(c, json_object_get(n, "address"));
            append(one, sizeof one, "", text_of(json_object_get(n, "name"), 0));
            if (json_is_string(a)) {
                append(one, sizeof one, ", ", json_string_value(a));
            } else {
                json_t *addr = json_is_object(a) ? a : n;
                char town[200] = "";
                append(one, sizeof one, ", ", str(json_object_get(addr, "streetAddress")));
                append(town, sizeof town, "", str(json_object_get(addr, "postalCode")));
                append(town, sizeof town, " ", str(json_object_get(addr, "addressLocality")));
                append(one, sizeof one, ", ", town);
            }
        }
        if (!*one)
            continue;
        *any_place = 1;
        append(buf, size, "; ", one);
    });
}

/* A price from a JSON string or number. */
static int price_amount(json_t *v, double *amount)
{
    if (json_is_number(v)) {
        *amount = json_number_value(v);
        return *amount >= 0 && *amount <= 1e9 ? 0 : -1;
    }
    return vp_price_parse(str(v), amount);
}

static void set_price(jctx *c, json_t *fields, double amount, const char *currency)
{
    json_t *p = json_object();
    json_t *a = amount == (double)(long long)amount ? json_integer((json_int_t)amount) : json_real(amount);
    if (!p || json_object_set_new(p, "amount", a) != 0) {
        json_decref(p);
        c->nomem = 1;
        return;
    }
    if (currency && strlen(currency) == 3 && isupper((unsigned char)currency[0]) &&
        isupper((unsigned char)currency[1]) && isupper((unsigned char)currency[2]))
        note(c, json_object_set_new(p, "currency", json_string(currency)));
    note(c, json_object_set_new(fields, "price", p));
}

static void offers(jctx *c, json_t *fields, json_t *o)
{
    if (json_object_get(fields, "price"))
        return;
    json_t *free_ = get(o, "isAccessibleForFree");
    if (json_is_true(free_) || (json_is_string(free_) && ieq(json_string_value(free_), "true"))) {
        set_price(c, fields, 0, NULL);
        return;
    }
    EACH(get(o, "offers"), e, {
        json_t *n = deref(c, e);
        double amount;
        json_t *pv = get(n, "price");
        if (!pv)
            pv = get(n, "lowPrice");
        if (price_amount(pv, &amount) == 0) {
            set_price(c, fields, amount, str(get(n, "priceCurrency")));
            return;
        }
    });
}

/* "nl", "nl-NL", "Dutch", {"@type": "Language", "alternateName": "nl"}. */
static void language(jctx *c, json_t *fields, json_t *v)
{
    static const char *const names[][2] = {
        {"dutch", "nl"}, {"nederlands", "nl"}, {"english", "en"}, {"engels", "en"},
        {"german", "de"}, {"deutsch", "de"}, {"duits", "de"}, {"french", "fr"},
        {"frans", "fr"}, {"spanish", "es"}, {"arabic", "ar"}, {"turkish", "tr"},
    };
    json_t *n = deref(c, json_is_array(v) ? json_array_get(v, 0) : v);
    const char *s = str(n);
    if (!s && json_is_object(n)) {
        s = str(json_object_get(n, "alternateName"));
        if (!s)
            s = text_of(json_object_get(n, "name"), 0);
    }
    if (!s)
        return;
    if (isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]) &&
        (s[2] == '\0' || s[2] == '-' || s[2] == '_')) {
        char code[3] = {(char)tolower((unsigned char)s[0]), (char)tolower((unsigned char)s[1]), 0};
        note(c, vp_fields_set(fields, "language", code));
        return;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (ieq(s, names[i][0])) {
            note(c, vp_fields_set(fields, "language", names[i][1]));
            return;
        }
    }
}

/* "ebook", "audiobook" or "book" from a bookFormat value. */
static const char *format_of(json_t *v)
{
    const char *s = text_of(v, 0);
    if (!s)
        return NULL;
    s = type_local(s);
    if (ieq(s, "EBook"))
        return "ebook";
    if (ieq(s, "AudiobookFormat"))
        return "audiobook";
    return "book";
}

static const char *better_format(const char *a, const char *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (strcmp(a, "ebook") == 0 || strcmp(b, "ebook") == 0)
        return "ebook";
    if (strcmp(a, "audiobook") == 0 || strcmp(b, "audiobook") == 0)
        return "audiobook";
    return "book";
}

static void add_isbns(jctx *c, json_t *fields, json_t *v)
{
    EACH(v, e, {
        if (list_full(fields, "isbn"))
            break;
        const char *s = json_is_number(e) ? NULL : text_of(e, 0);
        char num[32];
        if (json_is_integer(e)) {
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(e));
            s = num;
        }
        if (s)
            note(c, vp_fields_add(fields, "isbn", s));
    });
}

static void book(jctx *c, json_t *fields, json_t *o, enum kind k)
{
    const char *fmt = k == K_AUDIOBOOK ? "audiobook" : format_of(get(o, "bookFormat"));
    add_isbns(c, fields, get(o, "isbn"));
    EACH(get(o, "workExample"), e, {
        json_t *n = deref(c, e);
        if (!json_is_object(n))
            continue;
        add_isbns(c, fields, get(n, "isbn"));
        const char *f = has_type(n, "Audiobook") ? "audiobook" : format_of(get(n, "bookFormat"));
        fmt = better_format(fmt, f);
    });
    if (!fmt)
        fmt = "book";
    note(c, vp_fields_set(fields, "type", fmt));
    note(c, vp_fields_set(fields, "_format", fmt));
}

static void course_instances(jctx *c, json_t *fields, json_t *o)
{
    EACH(get(o, "hasCourseInstance"), e, {
        json_t *n = deref(c, e);
        if (!json_is_object(n))
            continue;
        dates(c, fields, n, 0);
        EACH(get(n, "courseMode"), m, {
            const char *s = str(m);
            if (s && icontains(s, "online"))
                note(c, json_object_set_new(fields, "_online", json_true()));
        });
        offers(c, fields, n);
        add_names(c, fields, "creators", get(n, "instructor"));
    });
}

static json_t *item_fields(jctx *c, json_t *o, enum kind k)
{
    json_t *fields = json_object();
    if (!fields) {
        c->nomem = 1;
        return NULL;
    }
    if (k == K_EVENT)
        note(c, vp_fields_set(fields, "type", "event"));
    else if (k == K_COURSE || k == K_INSTANCE)
        note(c, vp_fields_set(fields, "type", "course"));

    set_html_text(c, fields, "title", text_of(get(o, "name"), 0));
    set_html_text(c, fields, "description", text_of(get(o, "description"), 0));
    dates(c, fields, o, 1);
    if (k == K_COURSE)
        course_instances(c, fields, o);
    if (k == K_INSTANCE) {
        EACH(get(o, "courseMode"), m, {
            const char *s = str(m);
            if (s && icontains(s, "online"))
                note(c, json_object_set_new(fields, "_online", json_true()));
        });
    }
    if (k == K_BOOK || k == K_AUDIOBOOK)
        book(c, fields, o, k);

    char place[1024] = "";
    int online = 0, any_place = 0;
    place_text(c, get(o, "location"), place, sizeof place, &online, &any_place);
    if (!any_place && k == K_COURSE) {
        EACH(get(o, "hasCourseInstance"), e, {
            place_text(c, get(deref(c, e), "location"), place, sizeof place, &online, &any_place);
            if (any_place)
                break;
        });
    }
    if (*place)
        note(c, vp_fields_set(fields, "_location", place));
    const char *mode = text_of(get(o, "eventAttendanceMode"), 0);
    if ((mode && strcmp(type_local(mode), "OnlineEventAttendanceMode") == 0) || (online && !any_place))
        note(c, json_object_set_new(fields, "_online", json_true()));

    offers(c, fields, o);

    const char *url = text_of(get(o, "url"), 0);
    json_t *uv = get(o, "url");
    if (json_is_object(uv) && !url)
        url = str(json_object_get(uv, "@id"));
    set_url(c, fields, "url", url ? url : c->page_url);
    if (!json_object_get(fields, "url") && c->page_url)
        set_url(c, fields, "url", c->page_url);

    add_names(c, fields, "creators", get(o, "author"));
    add_names(c, fields, "creators", get(o, "creator"));
    add_names(c, fields, "creators", get(o, "performer"));
    if (k == K_AUDIOBOOK)
        add_names(c, fields, "creators", get(o, "readBy"));
    add_keywords(c, fields, get(o, "keywords"));
    add_names(c, fields, "subjects", get(o, "about"));
    add_names(c, fields, "subjects", get(o, "genre"));
    language(c, fields, get(o, "inLanguage"));

    const char *age = text_of(get(o, "typicalAgeRange"), 0);
    EACH(get(o, "audience"), a, {
        json_t *n = deref(c, a);
        if (!age)
            age = str(get(n, "typicalAgeRange"));
        EACH(get(n, "audienceType"), t, {
            if (json_is_string(t) && !list_full(fields, "_categories"))
                note(c, vp_fields_add(fields, "_categories", json_string_value(t)));
        });
    });
    if (age)
        note(c, vp_fields_set(fields, "_age", age));

    char modified[32];
    int timed = 0;
    if (date_of(get(o, "dateModified"), modified, &timed) == VP_OK && timed)
        note(c, vp_fields_set(fields, "updated", modified));
    return fields;
}

/* The record's own id: "@id" (resolved), url, identifier, else a hash. */
static char *local_id(jctx *c, json_t *o, json_t *fields, enum kind k)
{
    const char *id = str(get(o, "@id"));
    if (!id)
        id = str(get(o, "id"));
    if (id && strncmp(id, "_:", 2) == 0)
        id = NULL; /* a blank node: its label changes from page to page */
    if (id && *id) {
        if (id[0] == '#' || id[0] == '.' || id[0] == '/') {
            char *u = vp_url_resolve(c->page_url, id);
            if (u)
                return u;
        }
        return strdup(id);
    }
    const char *url = text_of(get(o, "url"), 0);
    if (url && *url) {
        char *u = vp_url_resolve(c->page_url, url);
        return u ? u : strdup(url);
    }
    json_t *ident = get(o, "identifier");
    const char *s = text_of(ident, 0);
    if (!s && json_is_object(ident))
        s = str(json_object_get(ident, "value"));
    if (!s && json_is_integer(ident)) {
        char num[32];
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(ident));
        return strdup(num);
    }
    if (s && *s)
        return strdup(s);
    static const char *const kinds[] = {"", "event", "course", "course", "book", "audiobook"};
    const char *parts[3] = {kinds[k], str(json_object_get(fields, "title")),
                            str(json_object_get(fields, "start"))};
    char h[19];
    vp_hash_id(h, parts, 3);
    return strdup(h);
}

static void item(jctx *c, json_t *o, int depth)
{
    if (c->stop || c->nomem || !json_is_object(o) || depth > 2)
        return;
    c->item++;
    enum kind k = kind_of(o);
    if (k == K_NONE) {
        /* a WebPage or ItemPage about one event or book */
        json_t *m = get(o, "mainEntity");
        if (json_is_object(m) || json_is_array(m)) {
            EACH(m, e, { item(c, deref(c, e), depth + 1); });
        }
        return;
    }
    json_t *fields = item_fields(c, o, k);
    if (!fields)
        return;
    char *id = local_id(c, o, fields, k);
    if (!id || c->nomem) {
        free(id);
        json_decref(fields);
        c->nomem = 1;
        return;
    }
    char where[160];
    if (*c->where)
        snprintf(where, sizeof where, "%s, item %zu", c->where, c->item);
    else
        snprintf(where, sizeof where, "item %zu", c->item);
    if (!*id) {
        json_decref(fields);
        c->emit->reject(c->emit->ctx, where, "empty @id");
    } else if (c->emit->record(c->emit->ctx, id, fields, where) != 0) {
        c->stop = 1;
    }
    free(id);
}

static void index_ids(json_t *ids, json_t *v)
{
    EACH(v, e, {
        const char *id = str(get(e, "@id"));
        if (id && json_object_size(e) > 1)
            json_object_set(ids, id, e);
    });
}

/* One decoded JSON-LD value: an item, an array of items, or a @graph. */
static void document(jctx *c, json_t *root)
{
    json_t *ids = json_object();
    if (!ids) {
        c->nomem = 1;
        return;
    }
    c->ids = ids;
    json_t *graph = get(root, "@graph");
    index_ids(ids, graph ? graph : root);
    if (graph) {
        if (kind_of(root) != K_NONE)
            item(c, root, 0);
        EACH(graph, e, { item(c, e, 0); });
    } else {
        EACH(root, e, {
            json_t *g = get(e, "@graph");
            if (g) {
                index_ids(ids, g);
                EACH(g, ge, { item(c, ge, 0); });
            } else {
                item(c, e, 0);
            }
        });
    }
    c->ids = NULL;
    json_decref(ids);
}

/* ---- HTML pages ------------------------------------------------------- */

static size_t line_at(const char *data, const char *p)
{
    size_t line = 1;
    for (const char *q = data; q < p; q++)
        if (*q == '\n')
            line++;
    return line;
}

/* Whether `node` is a <script type="application/ld+json"> (the type in
 * any case, blanks around it). */
static int is_ldjson_script(xmlNodePtr node)
{
    if (node->type != XML_ELEMENT_NODE || strcmp((const char *)node->name, "script") != 0)
        return 0;
    xmlChar *type = xmlGetProp(node, (const xmlChar *)"type");
    if (!type)
        return 0;
    const char *v = (const char *)type;
    size_t n = strlen(v);
    while (n && isspace((unsigned char)*v))
        v++, n--;
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    int yes = n == 19 && strncasecmp(v, "application/ld+json", 19) == 0;
    xmlFree(type);
    return yes;
}

static void json_error_text(char *buf, size_t size, const json_error_t *err, size_t line0)
{
    size_t line = err->line > 0 ? (size_t)err->line + line0 - 1 : line0;
    snprintf(buf, size, "line %zu, column %d: %s", line, err->column, err->text);
}

/* One <script type="application/ld+json"> block: its JSON, perhaps
 * wrapped in an HTML comment as some pages do. */
static void script_block(jctx *c, xmlNodePtr node, int script)
{
    xmlChar *content = xmlNodeGetContent(node);
    if (!content) {
        c->nomem = node->children != NULL;
        return;
    }
    const char *body = (const char *)content, *b = body, *e = body + strlen(body);
    while (b < e && isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    if (e - b >= 4 && memcmp(b, "<!--", 4) == 0) {
        b += 4;
        if (e - b >= 3 && memcmp(e - 3, "-->", 3) == 0)
            e -= 3;
    }
    size_t tag_line = (size_t)xmlGetLineNo(node);
    size_t line0 = tag_line + line_at(body, b) - 1; /* the start tag on one line */
    snprintf(c->where, sizeof c->where, "script %d (line %zu)", script, tag_line);
    json_error_t err;
    json_t *root = json_loadb(b, (size_t)(e - b), JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!root) {
        char msg[300];
        json_error_text(msg, sizeof msg, &err, line0);
        c->emit->reject(c->emit->ctx, c->where, msg);
    } else {
        document(c, root);
        json_decref(root);
    }
    xmlFree(content);
}

/* Every JSON-LD block of an HTML page, as libxml2's HTML parser reads it. */
static void html(jctx *c, const char *data, size_t len)
{
    htmlDocPtr doc = vp_html_read(data, len);
    if (!doc) {
        c->nomem = 1;
        return;
    }
    int script = 0;
    /* a walk without recursion, in document order */
    xmlNodePtr node = doc->children;
    while (node && !c->stop && !c->nomem) {
        if (is_ldjson_script(node)) {
            script_block(c, node, ++script);
        } else if (node->type == XML_ELEMENT_NODE && node->children) {
            node = node->children;
            continue;
        }
        while (node && !node->next)
            node = node->parent && node->parent->type == XML_ELEMENT_NODE ? node->parent : NULL;
        if (node)
            node = node->next;
    }
    xmlFreeDoc(doc);
    c->where[0] = '\0';
}

vp_status vp_jsonld_parse(const char *data, size_t len, const char *page_url,
                          const vp_emit *emit, vp_error *err)
{
    if (len > VP_JSONLD_MAX_BYTES)
        return vp_error_set(err, VP_ERR_TOO_BIG, NULL, "page of %zu bytes is over the limit of %u",
                            len, (unsigned)VP_JSONLD_MAX_BYTES);
    jctx c = {.emit = emit, .page_url = page_url};
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && isspace((unsigned char)data[i]))
        i++;
    if (i < len && (data[i] == '{' || data[i] == '[')) {
        json_error_t jerr;
        json_t *root = json_loadb(data + i, len - i, JSON_ALLOW_NUL, &jerr);
        if (!root) {
            size_t line0 = line_at(data, data + i);
            return vp_xml_fail(err, VP_ERR_INVALID,
                               jerr.line > 0 ? (long)jerr.line + (long)line0 - 1 : (long)line0,
                               jerr.column, "%s", jerr.text);
        }
        document(&c, root);
        json_decref(root);
    } else if (i < len && data[i] == '<') {
        html(&c, data, len);
    } else {
        return vp_error_set(err, VP_ERR_INVALID, NULL, "neither JSON-LD nor an HTML page");
    }
    if (c.nomem)
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    return VP_OK;
}

/* ---- sitemaps --------------------------------------------------------- */

static int is_http(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}


vp_status vp_sitemap_parse(const char *data, size_t len,
                           int (*on_url)(void *ctx, const char *url, int is_index),
                           void *ctx, vp_error *err)
{
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && isspace((unsigned char)data[i]))
        i++;
    if (i >= len || data[i] != '<') {
        /* a text list: one URL a line */
        const char *p = data + i, *end = data + len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            size_t n = (size_t)(le - p);
            if (n > 0 && n < 8192) {
                char *line = malloc(n + 1);
                if (!line)
                    return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
                memcpy(line, p, n);
                line[n] = '\0';
                char *t = vp_str_trim(line);
                int stop = 0;
                if (*t != '#' && is_http(t) && !memchr(t, '\0', 0))
                    stop = on_url(ctx, t, 0);
                free(line);
                if (stop)
                    return VP_OK;
            }
            p = le + 1;
        }
        return VP_OK;
    }
    xmlDocPtr doc = NULL;
    vp_status read = vp_xml_read(data, len, NULL, &doc, err);
    if (read != VP_OK)
        return read;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    int is_index;
    const char *child;
    if (vp_xml_is(root, "urlset")) {
        is_index = 0;
        child = "url";
    } else if (vp_xml_is(root, "sitemapindex")) {
        is_index = 1;
        child = "sitemap";
    } else {
        vp_error_set(err, VP_ERR_INVALID, NULL, "not a sitemap: the root element is <%.100s>",
                     root && root->name ? (const char *)root->name : "");
        xmlFreeDoc(doc);
        return VP_ERR_INVALID;
    }
    vp_status st = VP_OK;
    for (xmlNodePtr n = vp_xml_child(root, child); n; n = vp_xml_next(n, child)) {
        xmlNodePtr at = vp_xml_child(n, "loc");
        if (!at)
            continue;
        char *loc = vp_xml_text(at);
        if (!loc) {
            /* A page skipped here would be deleted as no longer listed. */
            st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
            break;
        }
        char *t = vp_str_trim(loc);
        int stop = is_http(t) ? on_url(ctx, t, is_index) : 0;
        free(loc);
        if (stop)
            break;
    }
    xmlFreeDoc(doc);
    return st;
}
