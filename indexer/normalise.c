/* normalise.c - from what a connector found to an offering (normalise.h). */
#include "vindplaats/normalise.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vindplaats/analysis.h"
#include "vindplaats/hash.h"

typedef struct name_entry {
    char *folded;                 /* folded, lower-case, words separated by one space */
    const char *as_written;
    const vp_proposition *prop;
} name_entry;

typedef struct branch_entry {
    char *folded;
    const char *branch;
} branch_entry;

struct vp_normaliser {
    const vp_vocabulary *voc;
    const vp_network *net;
    name_entry *names;            /* longest first */
    size_t n_names;
    branch_entry *branches;       /* longest first */
    size_t n_branches;
};

static int by_length_desc(const void *a, const void *b)
{
    size_t la = strlen(((const name_entry *)a)->folded), lb = strlen(((const name_entry *)b)->folded);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

static int branch_by_length_desc(const void *a, const void *b)
{
    size_t la = strlen(((const branch_entry *)a)->folded), lb = strlen(((const branch_entry *)b)->folded);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

static int add_name(vp_normaliser *n, const char *text, const vp_proposition *p)
{
    char *f = vp_words_fold(text);
    if (!f)
        return -1;
    if (strlen(f) < 2) { /* too short to name anything on a word boundary */
        free(f);
        return 0;
    }
    name_entry *e = realloc(n->names, (n->n_names + 1) * sizeof *e);
    if (!e) {
        free(f);
        return -1;
    }
    n->names = e;
    e[n->n_names].folded = f;
    e[n->n_names].as_written = text;
    e[n->n_names].prop = p;
    n->n_names++;
    return 0;
}

vp_status vp_normaliser_create(const vp_vocabulary *voc, const vp_network *net,
                               const vp_branch_alias *aliases, size_t n_aliases, vp_normaliser **out)
{
    vp_normaliser *n = calloc(1, sizeof *n);
    if (!n)
        return VP_ERR_NOMEM;
    n->voc = voc;
    n->net = net;
    for (size_t i = 0; voc && i < vp_vocabulary_count(voc); i++) {
        const vp_proposition *p = vp_vocabulary_at(voc, i);
        if (add_name(n, p->name, p) != 0)
            goto nomem;
        for (size_t k = 0; p->aliases && p->aliases[k]; k++)
            if (add_name(n, p->aliases[k], p) != 0)
                goto nomem;
    }
    if (n->n_names)
        qsort(n->names, n->n_names, sizeof *n->names, by_length_desc);
    /* Every branch by its own name, then the extra names configured. */
    size_t n_branches = 0;
    for (size_t i = 0; net && i < vp_network_count(net); i++)
        n_branches += vp_network_at(net, i)->n_branches;
    for (size_t i = 0; i < n_branches + n_aliases; i++) {
        const char *text, *branch;
        if (i < n_branches) {
            size_t k = i;
            const vp_library_info *lib = NULL;
            for (size_t l = 0; !lib; l++) {
                const vp_library_info *cand = vp_network_at(net, l);
                if (k < cand->n_branches)
                    lib = cand;
                else
                    k -= cand->n_branches;
            }
            text = lib->branches[k].name;
            branch = lib->branches[k].id;
        } else {
            text = aliases[i - n_branches].text;
            branch = aliases[i - n_branches].branch;
        }
        char *f = vp_words_fold(text);
        if (!f)
            goto nomem;
        if (strlen(f) < 3) {
            free(f);
            continue;
        }
        branch_entry *b = realloc(n->branches, (n->n_branches + 1) * sizeof *b);
        if (!b) {
            free(f);
            goto nomem;
        }
        n->branches = b;
        b[n->n_branches].folded = f;
        b[n->n_branches].branch = branch;
        n->n_branches++;
    }
    if (n->n_branches)
        qsort(n->branches, n->n_branches, sizeof *n->branches, branch_by_length_desc);
    *out = n;
    return VP_OK;
nomem:
    vp_normaliser_destroy(n);
    return VP_ERR_NOMEM;
}

void vp_normaliser_destroy(vp_normaliser *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_names; i++)
        free(n->names[i].folded);
    free(n->names);
    for (size_t i = 0; i < n->n_branches; i++)
        free(n->branches[i].folded);
    free(n->branches);
    free(n);
}

const vp_proposition *vp_normalise_proposition(const vp_normaliser *n, const char *text,
                                               const char **alias)
{
    if (!n || !text)
        return NULL;
    char *f = vp_words_fold(text);
    if (!f)
        return NULL;
    const vp_proposition *found = NULL;
    for (size_t i = 0; i < n->n_names && !found; i++)
        if (vp_words_has(f, n->names[i].folded)) {
            found = n->names[i].prop;
            if (alias)
                *alias = n->names[i].as_written;
        }
    free(f);
    return found;
}

/* The branch whose name or alias the place text names (of `library` when
 * given). With `part`, the other way round: the one branch whose name or
 * alias holds the whole text ("Vathorst" in "Bibliotheek Vathorst"), NULL
 * when more than one do. */
static const char *branch_matching(const vp_normaliser *n, const char *place, const char *library,
                                   int part)
{
    char *f = vp_words_fold(place);
    if (!f)
        return NULL;
    const char *found = NULL;
    int many = 0;
    for (size_t i = 0; *f && i < n->n_branches && !(found && !part); i++) {
        if (!(part ? vp_words_has(n->branches[i].folded, f) : vp_words_has(f, n->branches[i].folded)))
            continue;
        const vp_library_info *lib = NULL;
        if (!vp_network_branch(n->net, n->branches[i].branch, &lib))
            continue;
        if (library && strcmp(lib->id, library) != 0)
            continue;
        if (found && strcmp(found, n->branches[i].branch) != 0)
            many = 1;
        found = n->branches[i].branch;
    }
    free(f);
    return many ? NULL : found;
}

static const char *branch_of_place(const vp_normaliser *n, const char *place, const char *library)
{
    return branch_matching(n, place, library, 0);
}

/* The age groups a range touches: 0-1 baby, 2-3 peuter, 4-5 kleuter,
 * 6-17 jeugd, 18-64 volwassenen, 65+ senioren. */
static void groups_of_range(int min, int max, json_t *groups)
{
    static const struct {
        const char *g;
        int lo, hi;
    } bands[] = {{"baby", 0, 1},        {"peuter", 2, 3},        {"kleuter", 4, 5},
                 {"jeugd", 6, 17},      {"volwassenen", 18, 64}, {"senioren", 65, 200}};
    if (min <= 0 && max < 0) {
        json_array_append_new(groups, json_string("iedereen"));
        return;
    }
    int lo = min < 0 ? 0 : min;
    int hi = max < 0 ? (lo >= 65 ? 200 : 64) : max;
    for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
        if (lo <= bands[i].hi && hi >= bands[i].lo)
            json_array_append_new(groups, json_string(bands[i].g));
}

static int in_array(json_t *a, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    }
    return 0;
}

/* --- ISBN and works ---------------------------------------------------- */

int vp_isbn13(const char *isbn, char out[14])
{
    char d[14];
    size_t n = 0;
    for (const char *p = isbn; *p; p++) {
        if (isdigit((unsigned char)*p) || ((*p == 'X' || *p == 'x') && n == 9)) {
            if (n == 13)
                return -1;
            d[n++] = (char)toupper((unsigned char)*p);
        } else if (*p != '-' && *p != ' ') {
            if (n == 10 || n == 13)
                break; /* "0123456789 (pbk.)" */
            if (n)
                return -1;
        }
    }
    if (n == 10) {
        int sum = 0;
        for (int i = 0; i < 10; i++)
            sum += (d[i] == 'X' ? 10 : d[i] - '0') * (10 - i);
        if (sum % 11)
            return -1;
        memmove(d + 3, d, 9);
        memcpy(d, "978", 3);
    } else if (n != 13) {
        return -1;
    } else {
        int sum = 0;
        for (int i = 0; i < 13; i++) {
            if (d[i] == 'X')
                return -1;
            sum += (d[i] - '0') * (i % 2 ? 3 : 1);
        }
        if (sum % 10)
            return -1;
    }
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (d[i] - '0') * (i % 2 ? 3 : 1);
    d[12] = (char)('0' + (10 - sum % 10) % 10);
    memcpy(out, d, 13);
    out[13] = '\0';
    return 0;
}

/* "Tolkien, J.R.R." and "J.R.R. Tolkien" both give "tolkien". */
static char *surname(const char *creator)
{
    const char *comma = strchr(creator, ',');
    char *part = comma ? strndup(creator, (size_t)(comma - creator)) : strdup(creator);
    if (!part)
        return NULL;
    char *f = vp_words_fold(part);
    free(part);
    if (!f || comma)
        return f;
    char *last = strrchr(f, ' ');
    if (last) {
        char *s = strdup(last + 1);
        free(f);
        return s;
    }
    return f;
}

static char *work_key(json_t *fields, const char *type)
{
    json_t *isbns = json_object_get(fields, "isbn");
    size_t i;
    json_t *v;
    json_array_foreach(isbns, i, v) {
        char d[14];
        if (json_is_string(v) && vp_isbn13(json_string_value(v), d) == 0) {
            char *k = malloc(20);
            if (k)
                snprintf(k, 20, "isbn:%s", d);
            return k;
        }
    }
    if (strcmp(type, "ebook") != 0 && strcmp(type, "audiobook") != 0 && strcmp(type, "book") != 0)
        return NULL;
    const char *title = json_string_value(json_object_get(fields, "title"));
    const char *creator = json_string_value(json_array_get(json_object_get(fields, "creators"), 0));
    if (!title || !creator)
        return NULL;
    char *t = vp_words_fold(title), *c = surname(creator);
    char *k = NULL;
    if (t && c && *t && *c) {
        size_t n = strlen(t) + strlen(c) + 8;
        k = malloc(n);
        if (k)
            snprintf(k, n, "w:%s|%s", t, c);
        if (k && strlen(k) > 200) {
            /* Keep the key within the offering's limit, still unique enough. */
            uint64_t h = vp_hash_str(k);
            char *cut = vp_text_cut(k, 180);
            if (cut) {
                snprintf(k, n, "%s#%016llx", cut, (unsigned long long)h);
                free(cut);
            }
        }
    }
    free(t);
    free(c);
    return k;
}

/* --- the record -------------------------------------------------------- */

static const char *default_type(const char *kind)
{
    if (!kind)
        return "activity";
    if (!strcmp(kind, "oai-pmh") || !strcmp(kind, "onix") || !strcmp(kind, "marc"))
        return "book";
    if (!strcmp(kind, "ical") || !strcmp(kind, "feed") || !strcmp(kind, "jsonld"))
        return "event";
    return "activity";
}

char *vp_normalise_id(const char *source, const char *local)
{
    size_t n = strlen(source) + strlen(local) + 2;
    char *id = malloc(n > 64 ? n : 64);
    if (!id)
        return NULL;
    if (n - 1 <= VP_OFFERING_MAX_ID) {
        snprintf(id, n, "%s:%s", source, local);
        for (char *p = id + strlen(source) + 1; *p; p++)
            if ((unsigned char)*p <= 0x20 || *p == 0x7f)
                *p = '-';
        return id;
    }
    uint64_t h = vp_hash_str(local);
    snprintf(id, 64, "%.40s:h-%016llx", source, (unsigned long long)h);
    return id;
}

static void set_if_absent(json_t *fields, const char *key, const char *value)
{
    if (value && !json_object_get(fields, key))
        json_object_set_new(fields, key, json_string(value));
}

/* 1 when the whole of `text` is the name `alias` (folded). */
static int names_exactly(const char *text, const char *alias)
{
    char *a = vp_words_fold(text), *b = vp_words_fold(alias);
    int same = a && b && strcmp(a, b) == 0;
    free(a);
    free(b);
    return same;
}

/* The proposition of a work by its form when nothing else names one. */
static const char *proposition_of_type(const char *type)
{
    if (type && !strcmp(type, "ebook"))
        return "e-books";
    if (type && !strcmp(type, "audiobook"))
        return "luisterboeken";
    return NULL;
}

static void find_proposition(const vp_normaliser *n, const vp_source *src, json_t *fields)
{
    if (json_object_get(fields, "proposition"))
        return;
    const vp_proposition *p = NULL;
    const char *alias = NULL;
    const char *local = json_string_value(json_object_get(fields, "local_name"));
    if (local)
        p = vp_normalise_proposition(n, local, &alias);
    /* The local name is what the platform calls this kind of offering:
     * a category that is a name of the proposition as a whole, or else the
     * name the vocabulary knows it by. */
    const char *named = NULL;
    json_t *cats = json_object_get(fields, "_categories");
    size_t i;
    json_t *v;
    if (!p)
        json_array_foreach(cats, i, v) {
            if (!p && json_is_string(v)) {
                p = vp_normalise_proposition(n, json_string_value(v), &alias);
                if (p)
                    named = names_exactly(json_string_value(v), alias) ? json_string_value(v) : alias;
            }
        }
    if (!p) {
        p = vp_normalise_proposition(n, json_string_value(json_object_get(fields, "title")), &alias);
        named = alias;
    }
    if (!p)
        json_array_foreach(json_object_get(fields, "subjects"), i, v) {
            if (!p && json_is_string(v)) {
                p = vp_normalise_proposition(n, json_string_value(v), &alias);
                named = NULL; /* a subject heading is not the offering's name */
            }
        }
    const char *fallback = src->proposition;
    if (!p && !fallback)
        fallback = proposition_of_type(json_string_value(json_object_get(fields, "type")));
    if (p) {
        json_object_set_new(fields, "proposition", json_string(p->id));
        if (!local && named)
            set_if_absent(fields, "local_name", named);
    } else if (fallback) {
        json_object_set_new(fields, "proposition", json_string(fallback));
        if (n->voc)
            p = vp_vocabulary_get(n->voc, fallback);
    }
    if (p && p->societal_task && *p->societal_task)
        set_if_absent(fields, "societal_task", p->societal_task);
}

static void find_audience(const vp_source *src, json_t *fields)
{
    if (json_object_get(fields, "audience"))
        return;
    /* The texts that may say who it is for, the most specific first. */
    const char *texts[VP_OFFERING_MAX_LIST + 3];
    size_t n_texts = 0;
    texts[n_texts++] = json_string_value(json_object_get(fields, "_age"));
    texts[n_texts++] = json_string_value(json_object_get(fields, "title"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(fields, "_categories"), i, v) {
        if (n_texts < sizeof texts / sizeof texts[0])
            texts[n_texts++] = json_string_value(v);
    }
    /* Ages in numbers ("2-4 jaar") win over a word ("Jeugd"). */
    int min = -1, max = -1, found = 0;
    const char *group = NULL;
    for (int pass = 0; pass < 2 && !found; pass++)
        for (size_t t = 0; t < n_texts && !found; t++) {
            int lo, hi;
            const char *g = NULL;
            if (!texts[t] || vp_age_phrase(texts[t], &lo, &hi, &g) != 0)
                continue;
            if (pass == 0 && g)
                continue;
            min = lo;
            max = hi;
            group = g;
            found = 1;
        }
    json_t *groups = json_array();
    if (found && group)
        json_array_append_new(groups, json_string(group));
    else if (found)
        groups_of_range(min, max, groups);
    if (src->audience) {
        char *copy = strdup(src->audience);
        for (char *save = NULL, *g = copy ? strtok_r(copy, ", ", &save) : NULL; g;
             g = strtok_r(NULL, ", ", &save))
            if (!in_array(groups, g))
                json_array_append_new(groups, json_string(g));
        free(copy);
    }
    if (!found && json_array_size(groups) == 0) {
        json_decref(groups);
        return;
    }
    json_t *a = json_object();
    json_object_set_new(a, "min_age", min >= 0 ? json_integer(min) : json_null());
    json_object_set_new(a, "max_age", max >= 0 ? json_integer(max) : json_null());
    json_object_set_new(a, "groups", groups);
    json_object_set_new(fields, "audience", a);
}

static void find_place(const vp_normaliser *n, const vp_source *src, json_t *fields)
{
    const char *place = json_string_value(json_object_get(fields, "_location"));
    const char *library = json_string_value(json_object_get(fields, "library"));
    if (!library)
        library = src->library;
    const char *branch = json_string_value(json_object_get(fields, "branch"));
    if (!branch && place && n->net)
        branch = branch_of_place(n, place, library);
    if (!branch)
        branch = src->branch;
    const vp_library_info *lib = NULL;
    const vp_branch_info *b = branch && n->net ? vp_network_branch(n->net, branch, &lib) : NULL;
    if (b && (!library || strcmp(lib->id, library) == 0)) {
        library = lib->id;
        set_if_absent(fields, "branch", b->id);
        set_if_absent(fields, "branch_name", b->name);
        set_if_absent(fields, "municipality", b->municipality);
        if (b->has_location && !json_object_get(fields, "location"))
            json_object_set_new(fields, "location", json_pack("{s:f, s:f}", "lat", b->lat, "lon", b->lon));
    }
    if (library) {
        set_if_absent(fields, "library", library);
        const vp_library_info *l = n->net ? vp_network_get(n->net, library) : NULL;
        if (l)
            set_if_absent(fields, "library_name", l->name);
    }
    if (!json_object_get(fields, "channel")) {
        int online = json_is_true(json_object_get(fields, "_online"));
        int has_place = place != NULL || b != NULL;
        int has_url = json_object_get(fields, "url") != NULL;
        const char *type = json_string_value(json_object_get(fields, "type"));
        int work = type && (!strcmp(type, "ebook") || !strcmp(type, "audiobook"));
        const char *channel = NULL;
        if (online && has_place && !work)
            channel = "hybrid";
        else if (online || work || (has_url && !has_place && strcmp(type ? type : "", "book") != 0))
            channel = "online";
        else if (has_place)
            channel = "offline";
        if (channel)
            json_object_set_new(fields, "channel", json_string(channel));
    }
    /* The place text, when no branch was recognised, keeps the offering
     * findable by it. */
    if (place && !b) {
        const char *d = json_string_value(json_object_get(fields, "description"));
        if (!d || !strstr(d, place)) {
            size_t len = (d ? strlen(d) + 2 : 0) + strlen(place) + 1;
            char *nd = malloc(len);
            if (nd) {
                snprintf(nd, len, "%s%s%s", d ? d : "", d ? "\n\n" : "", place);
                json_object_set_new(fields, "description", json_string(nd));
                free(nd);
            }
        }
    }
}

/* The library a text names by its id or its name, or NULL. */
static const vp_library_info *library_named(const vp_normaliser *n, const char *text)
{
    const vp_library_info *lib = vp_network_get(n->net, text);
    for (size_t j = 0; !lib && j < vp_network_count(n->net); j++)
        if (!strcasecmp(vp_network_at(n->net, j)->name, text))
            lib = vp_network_at(n->net, j);
    return lib;
}

/* Each holdings entry's "_match" texts (a catalogue's 852 $b and $a)
 * against the network: a branch id, else a branch name or alias the text
 * names; the branch's id, library and name are set when one is found, and
 * a library named by its id or name sets the library. */
vp_status vp_normalise_holdings(const vp_normaliser *n, json_t *holdings, vp_error *err)
{
    size_t i;
    json_t *h;
    json_array_foreach(holdings, i, h) {
        json_t *match = json_object_get(h, "_match");
        const vp_branch_info *b = NULL;
        const vp_library_info *lib = NULL, *named = NULL;
        size_t k;
        json_t *t;
        /* a library named by one text narrows the branches of the others */
        json_array_foreach(match, k, t) {
            if (n->net && json_string_value(t) && !named)
                named = library_named(n, json_string_value(t));
        }
        json_array_foreach(match, k, t) {
            const char *text = json_string_value(t);
            if (!text || !n->net || b)
                continue;
            b = vp_network_branch(n->net, text, &lib);
            const char *id = NULL;
            if (!b)
                id = branch_of_place(n, text, named ? named->id : NULL);
            if (!b && !id)
                id = branch_matching(n, text, named ? named->id : NULL, 1);
            if (id)
                b = vp_network_branch(n->net, id, &lib);
        }
        if (!lib)
            lib = named;
        if ((b && (json_object_set_new(h, "branch", json_string(b->id)) != 0 ||
                   json_object_set_new(h, "branch_name", json_string(b->name)) != 0)) ||
            (lib && json_object_set_new(h, "library", json_string(lib->id)) != 0))
            return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
        json_object_del(h, "_match");
    }
    return VP_OK;
}

vp_status vp_normalise(const vp_normaliser *n, const vp_source *src, const char *local_id,
                       json_t *fields, vp_offering **out, vp_error *err)
{
    if (!local_id || !*local_id) {
        vp_where at = {NULL, 0, "id", NULL};
        return vp_error_set(err, VP_ERR_INVALID, &at, "the record has no id of its own");
    }
    char *id = vp_normalise_id(src->name, local_id);
    if (!id)
        return vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    json_object_set_new(fields, "id", json_string(id));
    json_object_set_new(fields, "source", json_string(src->name));
    free(id);
    /* The type: the record's, the work's form, the source's, the kind's. */
    if (!json_object_get(fields, "type")) {
        const char *format = json_string_value(json_object_get(fields, "_format"));
        const char *type = NULL;
        if (format && vp_in_list(format, vp_offering_types) &&
            (!src->type || !strcmp(src->type, "book") || !strcmp(src->type, "ebook") ||
             !strcmp(src->type, "audiobook")))
            type = format;
        if (!type)
            type = src->type ? src->type : default_type(src->kind);
        json_object_set_new(fields, "type", json_string(type));
    }
    find_proposition(n, src, fields);
    find_audience(src, fields);
    find_place(n, src, fields);
    vp_status st = vp_normalise_holdings(n, json_object_get(fields, "holdings"), err);
    if (st != VP_OK)
        return st;
    if (!json_object_get(fields, "work_key")) {
        char *k = work_key(fields, json_string_value(json_object_get(fields, "type")));
        if (k)
            json_object_set_new(fields, "work_key", json_string(k));
        free(k);
    }
    /* The hints have done their work. */
    const char *key;
    json_t *value;
    void *tmp;
    json_object_foreach_safe(fields, tmp, key, value) {
        if (key[0] == '_')
            json_object_del(fields, key);
    }
    /* the record is handed over as it is: no text in between */
    return vp_offering_from_json(fields, n->voc, out, err);
}
