/* marc.c - MARCXML records as offering fields (marc.h).
 *
 * Reads MARC 21 in its XML form (leader, controlfield, datafield/subfield)
 * through the namespace-blind lookups of xml.h, so "marc:record",
 * "ns0:record" and an unprefixed record in the MARC21/slim namespace read
 * the same. Field values are taken as catalogues display them: ISBD
 * punctuation that only separates subfields (" /", " :", " ;", ",", ".")
 * is trimmed from the end of a value. Nothing here knows OAI-PMH; oai.c
 * hands us the <record> inside <metadata>. */
/* strdup, strncasecmp: the build defines this too (CMakeLists.txt) */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "vindplaats/marc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vindplaats/buf.h"
#include "vindplaats/connector.h"
#include "vindplaats/web.h"
#include "vindplaats/xml.h"

/* Longest value we assemble from subfields (a title, a description). */
#define MAX_VALUE (256u * 1024)

/* ---- small strings ---------------------------------------------------- */



/* Removes ISBD end punctuation in place: trailing blanks and '/', ':',
 * ';', '=', ',', '-' and a final '.' (not the last of an ellipsis). */
static char *trim_isbd(char *s)
{
    size_t n = strlen(s);
    for (;;) {
        while (n > 0 && (vp_is_blank((unsigned char)s[n - 1]) || strchr("/:;=,-", s[n - 1])))
            n--;
        if (n > 0 && s[n - 1] == '.' && !(n > 1 && s[n - 2] == '.')) {
            n--;
            continue;
        }
        break;
    }
    s[n] = '\0';
    return vp_str_trim(s);
}

/* The text of `node`, trimmed, malloc()ed; NULL for a NULL node or when
 * out of memory. */
static char *text_of(xmlNodePtr node)
{
    return vp_str_trim(vp_xml_text(node));
}

/* ---- MARC structure --------------------------------------------------- */

/* The tag attribute of a control or data field, or "" ("000" style tags
 * only; anything else never matches). */
static int tag_is(xmlNodePtr field, const char *tag)
{
    char *t = vp_xml_attr(field, "tag");
    int eq = t && strcmp(vp_str_trim(t), tag) == 0;
    free(t);
    return eq;
}

static int code_is(xmlNodePtr subfield, char code)
{
    char *c = vp_xml_attr(subfield, "code");
    int eq = c && c[0] == code && c[1] == '\0';
    free(c);
    return eq;
}

static char code_of(xmlNodePtr subfield)
{
    char *c = vp_xml_attr(subfield, "code");
    char r = c && c[0] && !c[1] ? c[0] : '\0';
    free(c);
    return r;
}

/* The first controlfield `tag`'s text (untrimmed: positions matter), or NULL. */
static char *control(xmlNodePtr record, const char *tag)
{
    for (xmlNodePtr f = vp_xml_child(record, "controlfield"); f; f = vp_xml_next(f, "controlfield"))
        if (tag_is(f, tag))
            return vp_xml_text(f);
    return NULL;
}

/* The next datafield with `tag` after `from` (NULL: from the start). */
static xmlNodePtr datafield(xmlNodePtr record, xmlNodePtr from, const char *tag)
{
    xmlNodePtr f = from ? vp_xml_next(from, "datafield") : vp_xml_child(record, "datafield");
    for (; f; f = vp_xml_next(f, "datafield"))
        if (tag_is(f, tag))
            return f;
    return NULL;
}

/* The trimmed text of the first subfield `code` of `field`, or NULL. */
static char *subfield(xmlNodePtr field, char code)
{
    for (xmlNodePtr s = vp_xml_child(field, "subfield"); s; s = vp_xml_next(s, "subfield"))
        if (code_is(s, code))
            return text_of(s);
    return NULL;
}

char *vp_marc_control(xmlNodePtr record, const char *tag)
{
    char *t = control(record, tag);
    return t ? vp_str_trim(t) : NULL;
}

/* ---- the mapping ------------------------------------------------------ */

/* 245 $a $b $n $p in their order. $h (the medium) is left out, but the
 * separator it ends with (" :", " =", " ;") belongs between $a and $b. */
static char *title_of(xmlNodePtr f245, int *electronic)
{
    vp_buf b;
    vp_status st = VP_OK;
    vp_buf_init(&b, MAX_VALUE - 1);
    char carry = '\0';
    for (xmlNodePtr s = vp_xml_child(f245, "subfield"); s; s = vp_xml_next(s, "subfield")) {
        char code = code_of(s);
        if (code != 'a' && code != 'b' && code != 'n' && code != 'p' && code != 'h')
            continue;
        char *t = text_of(s);
        if (!t) {
            st = VP_ERR_NOMEM;
            break;
        }
        if (code == 'h') {
            char *lower = t;
            for (char *q = lower; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            if (strstr(lower, "electronic resource") || strstr(lower, "elektronische ressource") ||
                strstr(lower, "elektronische bron") || strstr(lower, "e-book") ||
                strstr(lower, "ebook"))
                *electronic = 1;
            size_t n = strlen(t);
            while (n > 0 && vp_is_blank((unsigned char)t[n - 1]))
                n--;
            carry = n > 0 && strchr(":=;", t[n - 1]) ? t[n - 1] : '\0';
            free(t);
            continue;
        }
        if (*t) {
            if (b.len > 0) {
                if (carry) {
                    char sep[2] = {' ', carry};
                    vp_buf_add(&b, &st, sep, 2);
                }
                vp_buf_adds(&b, &st, " ");
            }
            vp_buf_adds(&b, &st, t);
            carry = '\0';
        }
        free(t);
    }
    if (st != VP_OK || !b.data) {
        vp_buf_free(&b);
        return NULL;
    }
    return trim_isbd(vp_buf_steal(&b));
}

static int add_trimmed(json_t *fields, const char *key, char *v)
{
    int rc = 0;
    if (v) {
        trim_isbd(v);
        rc = vp_fields_add(fields, key, v);
    }
    free(v);
    return rc;
}

/* 650 $a -- $x -- $x ... */
static int add_topical(json_t *fields, xmlNodePtr f)
{
    vp_buf b;
    vp_status st = VP_OK;
    vp_buf_init(&b, MAX_VALUE - 1);
    for (xmlNodePtr s = vp_xml_child(f, "subfield"); s && st == VP_OK; s = vp_xml_next(s, "subfield")) {
        char code = code_of(s);
        if (code != 'a' && code != 'x')
            continue;
        if (code == 'a' && b.len > 0)
            continue; /* a second $a is not repeated by MARC; keep the first */
        char *t = text_of(s);
        if (!t) {
            st = VP_ERR_NOMEM;
            break;
        }
        trim_isbd(t);
        if (*t) {
            if (b.len > 0)
                vp_buf_adds(&b, &st, " -- ");
            vp_buf_adds(&b, &st, t);
        }
        free(t);
    }
    int rc = st == VP_OK ? 0 : -1;
    if (st == VP_OK && b.data)
        rc = vp_fields_add(fields, "subjects", b.data);
    vp_buf_free(&b);
    return rc;
}

static int set_language(json_t *fields, xmlNodePtr record)
{
    char *f008 = control(record, "008");
    if (f008 && strlen(f008) >= 38) {
        char code[4] = {f008[35], f008[36], f008[37], '\0'};
        const char *iso = vp_language_code(code);
        if (iso) {
            free(f008);
            return vp_fields_set(fields, "language", iso);
        }
    }
    free(f008);
    for (xmlNodePtr f = datafield(record, NULL, "041"); f; f = datafield(record, f, "041")) {
        for (xmlNodePtr s = vp_xml_child(f, "subfield"); s; s = vp_xml_next(s, "subfield")) {
            if (!code_is(s, 'a'))
                continue;
            char *t = text_of(s);
            if (!t)
                return -1;
            /* old records pack several codes in one $a: "engfre" */
            if (strlen(t) > 3 && !strpbrk(t, " -_;,/"))
                t[3] = '\0';
            const char *iso = vp_language_code(t);
            free(t);
            if (iso)
                return vp_fields_set(fields, "language", iso);
        }
    }
    return 0;
}


/* Sets "url" from `s` when it is an http(s) URL, the scheme in lower case. */
static int set_url(json_t *fields, const char *s)
{
    if (!s || !vp_is_http_url(s))
        return 0;
    char *u = strdup(s);
    if (!u)
        return -1;
    for (char *q = u; *q && *q != ':'; q++)
        *q = (char)tolower((unsigned char)*q);
    int rc = vp_fields_set(fields, "url", u);
    free(u);
    return rc;
}

static const char *format_of(xmlNodePtr record, int electronic)
{
    char *leader = vp_xml_text(vp_xml_child(record, "leader"));
    char type = leader && strlen(leader) > 6 ? leader[6] : '\0';
    free(leader);
    char *f007 = control(record, "007");
    if (f007 && vp_str_trim(f007)[0] == 'c')
        electronic = 1;
    free(f007);
    char *f006 = control(record, "006");
    if (f006 && vp_str_trim(f006)[0] == 'm')
        electronic = 1;
    free(f006);
    if (type == 'i')
        return "audiobook";
    if (type == 'm' || electronic)
        return "ebook";
    if (type == 'a' || type == 't')
        return "book";
    return NULL;
}

int vp_marc_is_holdings(xmlNodePtr record)
{
    char *leader = vp_xml_text(vp_xml_child(record, "leader"));
    int yes = leader && strlen(leader) > 6 && strchr("xyvu", leader[6]) && leader[6];
    free(leader);
    return yes;
}

/* Appends `t` (malloc()ed, freed here; NULL when out of memory) after
 * `sep` when it is not empty, sticky as vp_buf_adds. */
static void add_joined(vp_buf *b, vp_status *st, const char *sep, char *t)
{
    if (!t) {
        if (*st == VP_OK)
            *st = VP_ERR_NOMEM;
        return;
    }
    if (*t) {
        if (b->len)
            vp_buf_adds(b, st, sep);
        vp_buf_adds(b, st, t);
    }
    free(t);
}

/* The subfields `codes` of `f` in their order, joined by spaces
 * (malloc()ed; "" when none; NULL when out of memory). */
static char *joined(xmlNodePtr f, const char *codes)
{
    vp_buf b;
    vp_status st = VP_OK;
    vp_buf_init(&b, MAX_VALUE - 1);
    for (xmlNodePtr s = vp_xml_child(f, "subfield"); s && st == VP_OK; s = vp_xml_next(s, "subfield")) {
        char code = code_of(s);
        if (code && strchr(codes, code))
            add_joined(&b, &st, " ", text_of(s));
    }
    if (st != VP_OK) {
        vp_buf_free(&b);
        return NULL;
    }
    return vp_buf_steal(&b);
}

/* Sets key to v when v is not empty; -1 when out of memory. */
static int set_nonempty(json_t *o, const char *key, const char *v)
{
    if (!v || !*v)
        return 0;
    return vp_fields_set(o, key, v);
}

json_t *vp_marc_holdings(xmlNodePtr record)
{
    json_t *list = json_array();
    char *note = NULL;
    if (!list)
        return NULL;
    for (xmlNodePtr f = datafield(record, NULL, "852"); f; f = datafield(record, f, "852")) {
        json_t *h = json_object();
        char *a = subfield(f, 'a'), *b = subfield(f, 'b'), *c = subfield(f, 'c');
        char *call = joined(f, "khim"), *z = joined(f, "z");
        int rc = h ? 0 : -1;
        if (!rc && call && !*call) {
            free(call);
            call = subfield(f, 'j');
        }
        json_t *match = json_array();
        if (match && b && *b)
            rc |= json_array_append_new(match, json_string(b));
        if (match && a && *a)
            rc |= json_array_append_new(match, json_string(a));
        if (!rc) {
            rc |= set_nonempty(h, "branch_name", b && *b ? b : a);
            rc |= set_nonempty(h, "call_number", call);
            rc |= set_nonempty(h, "shelf", c);
            rc |= set_nonempty(h, "note", z);
            if (match && json_array_size(match))
                rc |= json_object_set(h, "_match", match);
        }
        json_decref(match);
        free(a);
        free(b);
        free(c);
        free(call);
        free(z);
        if (rc || !match || json_object_size(h) == 0) {
            json_decref(h);
            if (rc || !match)
                goto oom;
            continue;
        }
        if (json_array_append_new(list, h) != 0)
            goto oom;
    }
    /* 866: textual holdings ("1990-2005", "2 ex.") as a note on the first
     * place (a place of its own when there is none) */
    vp_buf nb;
    vp_status nst = VP_OK;
    vp_buf_init(&nb, MAX_VALUE - 1);
    for (xmlNodePtr f = datafield(record, NULL, "866"); f && nst == VP_OK; f = datafield(record, f, "866"))
        add_joined(&nb, &nst, "; ", joined(f, "az"));
    if (nst != VP_OK) {
        vp_buf_free(&nb);
        goto oom;
    }
    note = nb.data;
    if (note && *note) {
        json_t *first = json_array_get(list, 0);
        if (!first) {
            first = json_object();
            if (!first || json_array_append_new(list, first) != 0)
                goto oom;
        }
        const char *had = json_string_value(json_object_get(first, "note"));
        size_t n = strlen(note) + (had ? strlen(had) : 0) + 3;
        char *both = malloc(n);
        if (!both)
            goto oom;
        snprintf(both, n, "%s%s%s", had ? had : "", had ? "; " : "", note);
        int rc = vp_fields_set(first, "note", both);
        free(both);
        if (rc)
            goto oom;
    }
    free(note);
    return list;
oom:
    free(note);
    json_decref(list);
    return NULL;
}

vp_status vp_marc_fields(xmlNodePtr record, json_t **out, vp_error *why)
{
    json_t *fields = NULL;
    vp_status st = VP_ERR_INVALID;
    *out = NULL;
    char *title = NULL;
    int electronic = 0;

    xmlNodePtr f245 = datafield(record, NULL, "245");
    if (!f245) {
        vp_error_set(why, st, NULL, "no title (245)");
        goto fail;
    }
    title = title_of(f245, &electronic);
    if (!title || !*title) {
        /* a form title (245 $k) stands in for a missing $a */
        free(title);
        title = subfield(f245, 'k');
        if (title)
            trim_isbd(title);
    }
    if (!title || !*title) {
        vp_error_set(why, st, NULL, "245 has no title ($a, $b, $k)");
        goto fail;
    }
    /* later 245s only for the medium ($h) */
    for (xmlNodePtr f = datafield(record, f245, "245"); f; f = datafield(record, f, "245")) {
        char *h = subfield(f, 'h');
        if (h) {
            for (char *q = h; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            if (strstr(h, "electronic resource") || strstr(h, "elektronische"))
                electronic = 1;
        }
        free(h);
    }

    fields = json_object();
    if (!fields || vp_fields_set(fields, "title", title) != 0)
        goto oom;
    if (!json_object_get(fields, "title")) {
        /* nothing but white space and control characters */
        vp_error_set(why, st, NULL, "245 has no title ($a, $b, $k)");
        goto fail;
    }

    static const char *const creator_tags[] = {"100", "110", "700", "710"};
    for (size_t i = 0; i < 4; i++)
        for (xmlNodePtr f = datafield(record, NULL, creator_tags[i]); f;
             f = datafield(record, f, creator_tags[i]))
            if (add_trimmed(fields, "creators", subfield(f, 'a')) != 0)
                goto oom;

    static const char *const subject_tags[] = {"650", "600", "651", "655"};
    for (size_t i = 0; i < 4; i++)
        for (xmlNodePtr f = datafield(record, NULL, subject_tags[i]); f;
             f = datafield(record, f, subject_tags[i])) {
            int rc = i == 0 ? add_topical(fields, f) : add_trimmed(fields, "subjects", subfield(f, 'a'));
            if (rc != 0)
                goto oom;
        }

    for (xmlNodePtr f = datafield(record, NULL, "020"); f; f = datafield(record, f, "020"))
        for (xmlNodePtr s = vp_xml_child(f, "subfield"); s; s = vp_xml_next(s, "subfield")) {
            if (!code_is(s, 'a'))
                continue;
            char *t = vp_xml_text(s);
            char *isbn = vp_isbn_dup(t, 1);
            free(t);
            int rc = isbn ? vp_fields_add(fields, "isbn", isbn) : 0;
            free(isbn);
            if (rc != 0)
                goto oom;
        }

    if (set_language(fields, record) != 0)
        goto oom;

    vp_buf desc;
    vp_status dst = VP_OK;
    vp_buf_init(&desc, MAX_VALUE - 1);
    for (xmlNodePtr f = datafield(record, NULL, "520"); f; f = datafield(record, f, "520")) {
        char *a = subfield(f, 'a');
        if (a && *a) {
            if (desc.len > 0)
                vp_buf_adds(&desc, &dst, "\n\n");
            vp_buf_adds(&desc, &dst, a);
        }
        free(a);
    }
    if (desc.data && dst == VP_OK && vp_fields_set_text(fields, "description", desc.data) != 0) {
        vp_buf_free(&desc);
        goto oom;
    }
    vp_buf_free(&desc);

    for (xmlNodePtr f = datafield(record, NULL, "856"); f && !json_object_get(fields, "url");
         f = datafield(record, f, "856"))
        for (xmlNodePtr s = vp_xml_child(f, "subfield"); s; s = vp_xml_next(s, "subfield")) {
            if (!code_is(s, 'u'))
                continue;
            char *u = text_of(s);
            int rc = set_url(fields, u);
            free(u);
            if (rc != 0)
                goto oom;
            if (json_object_get(fields, "url"))
                break;
        }

    json_t *holdings = vp_marc_holdings(record);
    if (!holdings)
        goto oom;
    if (json_array_size(holdings) && json_object_set_new(fields, "holdings", holdings) != 0)
        goto oom;
    if (!json_array_size(holdings))
        json_decref(holdings);

    const char *format = format_of(record, electronic);
    if (format && vp_fields_set(fields, "_format", format) != 0)
        goto oom;

    free(title);
    *out = fields;
    return VP_OK;

oom:
    st = vp_error_set(why, VP_ERR_NOMEM, NULL, "out of memory");
fail:
    free(title);
    json_decref(fields);
    return st;
}
