/* connector.c - helpers every connector's parser uses (connector.h). */
#include "vindplaats/connector.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* White space, and the other control characters (which no offering field
 * may hold) taken as white space. */
static int is_space(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

/* A copy of `s` trimmed, with runs of white space made one space, or (when
 * keep_lines) with line breaks kept: a run with one line break becomes one,
 * a run with more becomes a blank line (a paragraph break). */
static char *tidy(const char *s, int keep_lines)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1), *w = out;
    if (!out)
        return NULL;
    int pending = 0; /* 1: a space, 2: a line break, 3: a blank line */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (is_space(*p)) {
            if (keep_lines && *p == '\n')
                pending = pending >= 2 ? 3 : 2;
            else if (!pending)
                pending = 1;
            continue;
        }
        if (pending && w > out) {
            if (pending == 3)
                *w++ = '\n';
            *w++ = pending >= 2 ? '\n' : ' ';
        }
        pending = 0;
        *w++ = (char)*p;
    }
    *w = '\0';
    return out;
}

static int set(json_t *fields, const char *key, const char *s, int keep_lines)
{
    if (!s)
        return 0;
    char *t = tidy(s, keep_lines);
    if (!t)
        return -1;
    int rc = 0;
    if (*t) {
        json_t *v = json_string(t);
        if (!v) {
            /* not valid UTF-8: the record's validation reports it, so keep
             * the bytes for the message rather than dropping the field */
            v = json_stringn_nocheck(t, strlen(t));
        }
        rc = v && json_object_set_new(fields, key, v) == 0 ? 0 : -1;
    }
    free(t);
    return rc;
}

int vp_fields_set(json_t *fields, const char *key, const char *s)
{
    return set(fields, key, s, 0);
}

int vp_fields_set_text(json_t *fields, const char *key, const char *s)
{
    return set(fields, key, s, 1);
}

int vp_fields_add(json_t *fields, const char *list_key, const char *s)
{
    if (!s)
        return 0;
    char *t = tidy(s, 0);
    if (!t)
        return -1;
    int rc = 0;
    if (*t) {
        json_t *list = json_object_get(fields, list_key);
        if (!json_is_array(list)) {
            list = json_array();
            if (!list || json_object_set_new(fields, list_key, list) != 0) {
                free(t);
                return -1;
            }
        }
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) {
            if (json_is_string(v) && strcmp(json_string_value(v), t) == 0) {
                free(t);
                return 0;
            }
        }
        v = json_string(t);
        if (!v)
            v = json_stringn_nocheck(t, strlen(t));
        rc = v && json_array_append_new(list, v) == 0 ? 0 : -1;
    }
    free(t);
    return rc;
}

int vp_is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

char *vp_str_trim(char *s)
{
    if (!s)
        return NULL;
    char *b = s;
    while (vp_is_blank((unsigned char)*b))
        b++;
    size_t n = strlen(b);
    while (n > 0 && vp_is_blank((unsigned char)b[n - 1]))
        n--;
    memmove(s, b, n);
    s[n] = '\0';
    return s;
}

const char *vp_str_find_ci(const char *p, const char *end, const char *needle)
{
    size_t n = strlen(needle);
    for (; p + n <= end; p++) {
        size_t i = 0;
        while (i < n && tolower((unsigned char)p[i]) == needle[i])
            i++;
        if (i == n)
            return p;
    }
    return NULL;
}

void vp_emit_broken(const vp_emit *emit, const char *detail)
{
    /* "line L, column C: message" -> where "line L, column C" */
    char where[64] = "page";
    const char *colon = strstr(detail, ": ");
    const char *message = detail;
    if (colon && strncmp(detail, "line ", 5) == 0 && (size_t)(colon - detail) < sizeof where) {
        memcpy(where, detail, (size_t)(colon - detail));
        where[colon - detail] = '\0';
        message = colon + 2;
    }
    char msg[400];
    snprintf(msg, sizeof msg, "the page breaks off here (%.300s); the records before it are kept",
             message);
    if (emit->broken)
        emit->broken(emit->ctx, where, msg);
    else
        emit->reject(emit->ctx, where, msg);
}
