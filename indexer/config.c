/* config.c - the harvest configuration file (config.h). */
#define _DEFAULT_SOURCE /* strcasecmp */
#include "vindplaats/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "vindplaats/buf.h"
#include "vindplaats/offering.h"
#include "vindplaats/csv.h"
#include "vindplaats/connector.h"

const char *const vp_source_kinds[] = {"oai-pmh", "ical", "jsonld", "feed", "csv", "onix", "marc", NULL};

/* What each connector understands as option.KEY (checked, so a typo in a
 * config is an error and not a silently ignored setting). "column." is a
 * prefix for the CSV column mapping. */
static const char *const options_of[][12] = {
    {"oai-pmh", "metadata_prefix", "set", NULL},
    {"ical", "window_days", "timezone", NULL},
    {"jsonld", "sitemap", "urls", "max_pages", NULL},
    {"feed", NULL},
    {"onix", NULL},
    {"marc", "encoding", NULL},
    {"csv", "delimiter", "quote", "encoding", "id", "date_format", "list_separator", "column.", NULL},
};

typedef struct reader {
    FILE *f;
    int line;
    int too_long;
    int section_line;   /* the line of the last [section] header */
} reader;

/* libinih reads through this, so the handler knows the line it is on. */
static char *read_line(char *str, int num, void *arg)
{
    reader *r = arg;
    char *s = fgets(str, num, r->f);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    const char *t = s + strspn(s, " \t");
    if (*t == '[')
        r->section_line = r->line + 1;
    if (n && s[n - 1] == '\n') {
        r->line++;
    } else if (!feof(r->f)) {
        /* Longer than libinih's line buffer: it would split the line. */
        r->too_long = r->line + 1;
        int c;
        while ((c = fgetc(r->f)) != EOF && c != '\n') {
        }
        r->line++;
        str[0] = '\0';
    } else {
        r->line++;
    }
    return s;
}

typedef struct loader {
    vp_harvest_config *cfg;
    const char *path;
    reader *rd;
    vp_error errs;
    json_t *libraries;        /* the network as JSON: {"id","name","branches":[…]} */
    char section[256];
    int section_line;
    vp_source *src;           /* the [source] being read */
    json_t *branch;           /* the [branch] being read */
    char *branch_library;
    json_t *library;          /* the [library] being read */
    char *network_file;
} loader;

/* A problem of the file at `line` (0: of the file as a whole). When
 * memory runs out its detail is lost, never the failure: L->errs holds a
 * status from the first problem on. */
static void problem_at(loader *L, int line, const char *fmt, const char *a, const char *b)
{
    vp_where at = {L->path, line > 0 ? (unsigned)line : 0, NULL};
    vp_error_add(&L->errs, VP_ERR_INVALID, &at, fmt, a ? a : "", b ? b : "");
}

static void too_long(loader *L, int line)
{
    char n[16];
    snprintf(n, sizeof n, "%d", INI_MAX_LINE - 1);
    problem_at(L, line, "line longer than %s bytes%s", n, NULL);
}

/* A problem of the line being read. */
static void problem(loader *L, const char *fmt, const char *a, const char *b)
{
    problem_at(L, L->rd->line, fmt, a, b);
}

static int id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= 100 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

static int yes(const char *v, int *out)
{
    if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
        *out = 1;
    else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
        *out = 0;
    else
        return -1;
    return 0;
}

int vp_source_add_option(vp_source *s, const char *key, const char *value)
{
    char **k = realloc(s->option_keys, (s->n_options + 1) * sizeof *k);
    if (!k)
        return -1;
    s->option_keys = k;
    char **v = realloc(s->option_values, (s->n_options + 1) * sizeof *v);
    if (!v)
        return -1;
    s->option_values = v;
    k[s->n_options] = strdup(key);
    v[s->n_options] = strdup(value);
    if (!k[s->n_options] || !v[s->n_options]) {
        free(k[s->n_options]);
        free(v[s->n_options]);
        return -1;
    }
    s->n_options++;
    return 0;
}

const char *vp_source_option(const vp_source *s, const char *key)
{
    const char *found = NULL;
    for (size_t i = 0; s && i < s->n_options; i++)
        if (strcmp(s->option_keys[i], key) == 0)
            found = s->option_values[i]; /* the last one wins */
    return found;
}

/* The keys of a source section whose value is kept as it is written. */
static const struct {
    const char *key;
    size_t offset;
} source_texts[] = {
    {"kind", offsetof(vp_source, kind)},
    {"url", offsetof(vp_source, url)},
    {"library", offsetof(vp_source, library)},
    {"branch", offsetof(vp_source, branch)},
    {"type", offsetof(vp_source, type)},
    {"proposition", offsetof(vp_source, proposition)},
    {"audience", offsetof(vp_source, audience)},
};
#define N_SOURCE_TEXTS (sizeof source_texts / sizeof source_texts[0])

static char **source_text(vp_source *s, size_t k)
{
    return (char **)((char *)s + source_texts[k].offset);
}

void vp_source_clear(vp_source *s)
{
    if (!s)
        return;
    free(s->name);
    for (size_t k = 0; k < N_SOURCE_TEXTS; k++)
        free(*source_text(s, k));
    for (size_t i = 0; i < s->n_options; i++) {
        free(s->option_keys[i]);
        free(s->option_values[i]);
    }
    free(s->option_keys);
    free(s->option_values);
    free(s->config_file);
    memset(s, 0, sizeof *s);
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
}

static int finish_section(loader *L)
{
    if (L->branch) {
        const char *lib = L->branch_library;
        json_t *found = NULL;
        size_t i;
        json_t *l;
        json_array_foreach(L->libraries, i, l) {
            if (lib && strcmp(json_string_value(json_object_get(l, "id")), lib) == 0)
                found = l;
        }
        if (!lib) {
            problem_at(L, L->section_line, "[%s]: library missing%s", L->section, NULL);
        } else if (!found) {
            problem_at(L, L->section_line, "[%s]: library \"%s\" is not defined above it", L->section,
                       lib);
        } else {
            json_array_append(json_object_get(found, "branches"), L->branch);
        }
        json_decref(L->branch);
        L->branch = NULL;
        free(L->branch_library);
        L->branch_library = NULL;
    }
    L->library = NULL;
    L->src = NULL;
    return 0;
}

static int on_entry(void *arg, const char *section, const char *name, const char *value)
{
    loader *L = arg;
    if (L->rd->too_long) {
        too_long(L, L->rd->too_long);
        L->rd->too_long = 0;
    }
    if (L->rd->section_line != L->section_line) {
        finish_section(L);
        snprintf(L->section, sizeof L->section, "%s", section);
        L->section_line = L->rd->section_line;
        char kind[32] = "", id[200] = "";
        if (sscanf(section, "%31s %199s", kind, id) < 1)
            kind[0] = '\0';
        if (!strcmp(section, "network")) {
            /* keys below */
        } else if (!strcmp(kind, "library") || !strcmp(kind, "branch") || !strcmp(kind, "source")) {
            if (!id_ok(id)) {
                problem_at(L, L->section_line,
                           "[%s]: the id must be 1-100 lower-case letters, digits, '-', '_' or '.'%s",
                           section, NULL);
            } else if (!strcmp(kind, "library")) {
                L->library = json_pack("{s:s, s:[]}", "id", id, "branches");
                json_array_append_new(L->libraries, L->library);
            } else if (!strcmp(kind, "branch")) {
                L->branch = json_pack("{s:s}", "id", id);
            } else {
                for (size_t i = 0; i < L->cfg->n_sources; i++)
                    if (!strcmp(L->cfg->sources[i].name, id))
                        problem_at(L, L->section_line, "[%s]: source \"%s\" defined twice", section, id);
                vp_source *s = realloc(L->cfg->sources, (L->cfg->n_sources + 1) * sizeof *s);
                if (!s)
                    return 0;
                L->cfg->sources = s;
                L->src = &s[L->cfg->n_sources++];
                memset(L->src, 0, sizeof *L->src);
                L->src->name = strdup(id);
                L->src->config_file = strdup(L->path);
                L->src->config_line = L->section_line;
            }
        } else {
            problem_at(L, L->section_line,
                       "unknown section [%s] (network, library ID, branch ID, source NAME)%s", section,
                       NULL);
        }
        if (!name)
            return 1;
    }
    if (!name)
        return 1;
    if (!strcmp(section, "network")) {
        if (!strcmp(name, "file"))
            set_str(&L->network_file, value);
        else
            problem(L, "[network]: unknown key \"%s\" (file)%s", name, NULL);
    } else if (L->library) {
        if (!strcmp(name, "name"))
            json_object_set_new(L->library, "name", json_string(value));
        else
            problem(L, "[%s]: unknown key \"%s\" (name)", section, name);
    } else if (L->branch) {
        if (!strcmp(name, "library")) {
            set_str(&L->branch_library, value);
        } else if (!strcmp(name, "name") || !strcmp(name, "municipality") || !strcmp(name, "postcode")) {
            json_object_set_new(L->branch, name, json_string(value));
        } else if (!strcmp(name, "lat") || !strcmp(name, "lon")) {
            char *end;
            errno = 0;
            double d = strtod(value, &end);
            if (errno || end == value || *end)
                problem(L, "[%s]: %s must be a number in degrees", section, name);
            else
                json_object_set_new(L->branch, name, json_real(d));
        } else if (!strcmp(name, "aliases")) {
            const char *id = json_string_value(json_object_get(L->branch, "id"));
            const char *p = value;
            while (*p) {
                size_t n = strcspn(p, "|");
                while (n && p[n - 1] == ' ')
                    n--;
                if (n) {
                    vp_branch_alias *a = realloc(L->cfg->aliases, (L->cfg->n_aliases + 1) * sizeof *a);
                    if (a) {
                        L->cfg->aliases = a;
                        a[L->cfg->n_aliases].branch = strdup(id);
                        a[L->cfg->n_aliases].text = strndup(p, n);
                        L->cfg->n_aliases++;
                    }
                }
                p += strcspn(p, "|");
                while (*p == '|' || *p == ' ')
                    p++;
            }
        } else {
            problem(L, "[%s]: unknown key \"%s\" (library, name, municipality, postcode, lat, lon, aliases)",
                    section, name);
        }
    } else if (L->src) {
        vp_source *s = L->src;
        int b;
        char **text = NULL;
        for (size_t k = 0; k < N_SOURCE_TEXTS && !text; k++)
            if (!strcmp(name, source_texts[k].key))
                text = source_text(s, k);
        int *flag = !strcmp(name, "allow_file")     ? &s->allow_file
                    : !strcmp(name, "allow_shrink") ? &s->allow_shrink
                                                    : NULL;
        if (text) {
            set_str(text, value);
        } else if (flag) {
            if (yes(value, &b) == 0) {
                *flag = b;
            } else {
                char msg[300];
                snprintf(msg, sizeof msg, "%s must be yes or no, not \"%.200s\"", name, value);
                problem(L, "[%s]: %s", section, msg);
            }
        } else if (!strcmp(name, "deadline")) {
            if (vp_duration_parse(value, &s->deadline_s) != 0)
                problem(L, "[%s]: deadline must be a duration such as 600, 90s, 10m or 2h (at most 7 "
                           "days), not \"%s\"", section, value);
        } else if (!strcmp(name, "allow_private")) {
            vp_error why = VP_ERROR_INIT;
            if (yes(value, &b) == 0) {
                memset(&s->allow_private, 0, sizeof s->allow_private);
                s->allow_private.all = b;
            } else if (vp_address_allow_parse(value, &s->allow_private, &why) != VP_OK) {
                problem(L, "[%s]: allow_private: %s (or yes, no)", section,
                        why.message ? why.message : "not understood");
            }
            vp_error_clear(&why);
        } else if (!strncmp(name, "option.", 7) && name[7]) {
            vp_source_add_option(s, name + 7, value);
        } else {
            problem(L, "[%s]: unknown key \"%s\" (kind, url, library, branch, type, proposition, "
                       "audience, allow_file, allow_private, allow_shrink, deadline, option.NAME)",
                    section, name);
        }
    }
    return 1;
}

static int option_known(const char *kind, const char *key)
{
    for (size_t i = 0; i < sizeof options_of / sizeof options_of[0]; i++) {
        if (strcmp(options_of[i][0], kind) != 0)
            continue;
        for (size_t k = 1; options_of[i][k]; k++) {
            size_t n = strlen(options_of[i][k]);
            if (options_of[i][k][n - 1] == '.' ? strncmp(key, options_of[i][k], n) == 0 && key[n]
                                               : strcmp(key, options_of[i][k]) == 0)
                return 1;
        }
    }
    return 0;
}

vp_status vp_source_check(const vp_source *s, const vp_network *net, const vp_vocabulary *voc,
                          vp_error *err)
{
    vp_error errs = VP_ERROR_INIT;
    char section[300];
    if (s->config_file)
        snprintf(section, sizeof section, "[source %s]", s->name);
    else
        snprintf(section, sizeof section, "source %s", s->name ? s->name : "(unnamed)");
    /* "FILE:LINE: [source NAME]: ..." or, ad hoc, "source NAME: ..." */
    const vp_where at = {s->config_file, s->config_line > 0 ? (unsigned)s->config_line : 0,
                         section};
    if (!id_ok(s->name))
        vp_error_add(&errs, VP_ERR_INVALID, &at, "the name must be 1-100 lower-case letters, digits, '-', '_' or '.'");
    if (!s->kind)
        vp_error_add(&errs, VP_ERR_INVALID, &at, "kind missing (oai-pmh, ical, jsonld, feed, csv, onix, marc)");
    else if (!vp_in_list(s->kind, vp_source_kinds))
        vp_error_add(&errs, VP_ERR_INVALID, &at, "kind \"%s\" unknown (oai-pmh, ical, jsonld, feed, csv, onix, marc)", s->kind);
    if (!s->url || !*s->url)
        vp_error_add(&errs, VP_ERR_INVALID, &at, "url missing");
    else if (strncasecmp(s->url, "http://", 7) && strncasecmp(s->url, "https://", 8) &&
             !(s->allow_file && !strncasecmp(s->url, "file://", 7)))
        vp_error_add(&errs, VP_ERR_INVALID, &at, "url must be http:// or https:// (file:// only with allow_file = yes)");
    if (s->library && net && !vp_network_get(net, s->library))
        vp_error_add(&errs, VP_ERR_INVALID, &at, "library \"%s\" is not in the network", s->library);
    if (s->branch && net) {
        const vp_library_info *lib = NULL;
        if (!vp_network_branch(net, s->branch, &lib))
            vp_error_add(&errs, VP_ERR_INVALID, &at, "branch \"%s\" is not in the network", s->branch);
        else if (s->library && strcmp(lib->id, s->library) != 0)
            vp_error_add(&errs, VP_ERR_INVALID, &at, "branch \"%s\" belongs to library \"%s\", not \"%s\"", s->branch, lib->id, s->library);
    }
    if (s->type && !vp_in_list(s->type, vp_offering_types))
        vp_error_add(&errs, VP_ERR_INVALID, &at, "type \"%s\" unknown (course, event, activity, ebook, audiobook, book, service)",
                      s->type);
    if (s->proposition && voc && !vp_vocabulary_get(voc, s->proposition))
        vp_error_add(&errs, VP_ERR_INVALID, &at, "proposition \"%s\" is not in the vocabulary", s->proposition);
    if (s->audience) {
        char *copy = strdup(s->audience);
        for (char *save = NULL, *g = copy ? strtok_r(copy, ", ", &save) : NULL; g;
             g = strtok_r(NULL, ", ", &save))
            if (!vp_in_list(g, vp_offering_audiences))
                vp_error_add(&errs, VP_ERR_INVALID, &at, "audience \"%s\" unknown", g);
        free(copy);
    }
    for (size_t i = 0; s->kind && i < s->n_options; i++)
        if (vp_in_list(s->kind, vp_source_kinds) && !option_known(s->kind, s->option_keys[i]))
            vp_error_add(&errs, VP_ERR_INVALID, &at, "option.%s is not an option of the %s connector", s->option_keys[i], s->kind);
    if (s->kind && !strcmp(s->kind, "csv")) {
        /* The CSV connector's options are checked now, not at harvest time. */
        vp_csv_options o;
        memset(&o, 0, sizeof o);
        vp_error why = VP_ERROR_INIT;
        if (vp_csv_options_from(&o, (const char *const *)s->option_keys,
                                (const char *const *)s->option_values, s->n_options, &why) != VP_OK)
            vp_error_add(&errs, VP_ERR_INVALID, &at, "%s", why.message ? why.message : "bad CSV options");
        vp_error_clear(&why);
        vp_csv_options_clear(&o);
    }
    if (errs.status == VP_OK)
        return VP_OK;
    if (err) {
        vp_error_clear(err);
        *err = errs;
    } else {
        vp_error_clear(&errs);
    }
    return VP_ERR_INVALID;
}

int vp_duration_parse(const char *text, long *seconds)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || v <= 0)
        return -1;
    long unit = 1;
    if (*end == 'm')
        unit = 60;
    else if (*end == 'h')
        unit = 3600;
    else if (*end && *end != 's')
        return -1;
    if (*end && end[1])
        return -1;
    if (v > 7L * 86400 / unit)
        return -1;
    *seconds = v * unit;
    return 0;
}

void vp_source_name_from_url(const char *url, char *out)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    /* user:password@ is no part of a name (nor of anything printed) */
    const char *at = strchr(p, '@'), *slash = strchr(p, '/');
    if (at && (!slash || at < slash))
        p = at + 1;
    size_t len = strcspn(p, "#");
    char slug[4096];
    size_t n = 0;
    int dash = 0;
    for (size_t i = 0; i < len && n < sizeof slug - 1; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        /* a dot between letters or digits stays (www.bieb.nl), others separate */
        if (c == '.' && (dash || !n || slug[n - 1] == '.'))
            c = '/';
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.') {
            if (dash && n) {
                if (slug[n - 1] == '.')
                    n--;
                slug[n++] = '-';
            }
            dash = 0;
            slug[n++] = (char)c;
        } else {
            dash = 1;
        }
    }
    while (n && slug[n - 1] == '.')
        n--;
    slug[n] = '\0';
    size_t start = strspn(slug, ".-");
    if (!slug[start]) {
        snprintf(out, VP_SOURCE_NAME_MAX + 1, "adhoc");
        return;
    }
    if (n - start <= VP_SOURCE_NAME_MAX) {
        snprintf(out, VP_SOURCE_NAME_MAX + 1, "%s", slug + start);
        return;
    }
    /* Too long: the beginning, and a hash of the whole so that URLs which
     * differ only at their end keep names of their own. */
    char hash[19];
    const char *whole[] = {url};
    vp_hash_id(hash, whole, 1);
    snprintf(out, VP_SOURCE_NAME_MAX + 1, "%.*s-%s", VP_SOURCE_NAME_MAX - 19, slug + start, hash);
}

/* The directory part of `path` joined with `rel` (unless rel is absolute). */
static char *beside(const char *path, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    char *out = malloc(dir + strlen(rel) + 1);
    if (out) {
        memcpy(out, path, dir);
        strcpy(out + dir, rel);
    }
    return out;
}

vp_status vp_config_load(const char *path, const vp_vocabulary *voc, vp_harvest_config **out,
                         vp_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vp_error_set(err, VP_ERR_IO, &(vp_where){path}, "%s", strerror(errno));
    vp_harvest_config *cfg = calloc(1, sizeof *cfg);
    reader rd = {f, 0, 0};
    loader L = {0};
    L.cfg = cfg;
    L.path = path;
    L.rd = &rd;
    L.libraries = json_array();
    L.errs = (vp_error)VP_ERROR_INIT;
    cfg->path = strdup(path);
    int rc = ini_parse_stream(read_line, &rd, on_entry, &L);
    finish_section(&L);
    fclose(f);
    if (rd.too_long)
        too_long(&L, rd.too_long);
    if (rc > 0)
        problem_at(&L, rc, "not a section header, key = value, or comment%s%s", NULL, NULL);
    else if (rc < 0)
        problem_at(&L, 0, "could not be read%s%s", NULL, NULL);
    /* The network: the [network] file, then the [library] sections. */
    json_t *doc = NULL;
    if (L.network_file) {
        char *file = beside(path, L.network_file);
        json_error_t jerr;
        doc = file ? json_load_file(file, JSON_REJECT_DUPLICATES, &jerr) : NULL;
        if (!doc)
            vp_error_add(&L.errs, VP_ERR_INVALID,
                         &(vp_where){file ? file : "?", jerr.line > 0 ? (unsigned)jerr.line : 0},
                         "%s (the [network] file of %s)", jerr.text, path);
        free(file);
    }
    if (!doc)
        doc = json_pack("{s:[]}", "libraries");
    json_t *libs = json_object_get(doc, "libraries");
    if (json_is_array(libs))
        json_array_extend(libs, L.libraries);
    json_decref(L.libraries);
    vp_error nerr = VP_ERROR_INIT;
    if (vp_network_from_json(doc, path, &cfg->network, &nerr) != VP_OK) {
        /* The network's problems, each with its path, as the file's. */
        for (vp_error *n = &nerr; n && n->status != VP_OK; n = n->next) {
            char where[300];
            snprintf(where, sizeof where, "the network%s%s", n->path ? ": " : "", n->path ? n->path : "");
            vp_error_add(&L.errs, VP_ERR_INVALID, &(vp_where){path, 0, where}, "%s",
                         n->message ? n->message : "invalid");
        }
        if (nerr.status == VP_OK)
            vp_error_add(&L.errs, VP_ERR_INVALID, &(vp_where){path, 0, "the network"}, "invalid");
        vp_error_clear(&nerr);
        cfg->network = NULL;
    }
    if (L.errs.status == VP_OK) {
        for (size_t i = 0; i < cfg->n_sources; i++) {
            vp_error serr = VP_ERROR_INIT;
            if (vp_source_check(&cfg->sources[i], cfg->network, voc, &serr) != VP_OK)
                vp_error_append(&L.errs, &serr);
        }
    }
    free(L.network_file);
    if (L.errs.status != VP_OK) {
        if (err) {
            vp_error_clear(err);
            *err = L.errs;
        } else {
            vp_error_clear(&L.errs);
        }
        vp_config_destroy(cfg);
        return VP_ERR_INVALID;
    }
    *out = cfg;
    return VP_OK;
}

void vp_config_destroy(vp_harvest_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_sources; i++)
        vp_source_clear(&cfg->sources[i]);
    free(cfg->sources);
    for (size_t i = 0; i < cfg->n_aliases; i++) {
        free(cfg->aliases[i].branch);
        free(cfg->aliases[i].text);
    }
    free(cfg->aliases);
    vp_network_destroy(cfg->network);
    free(cfg->path);
    free(cfg);
}

const vp_source *vp_config_source(const vp_harvest_config *cfg, const char *name)
{
    for (size_t i = 0; cfg && i < cfg->n_sources; i++)
        if (strcmp(cfg->sources[i].name, name) == 0)
            return &cfg->sources[i];
    return NULL;
}
