/* request.c - what every request must pass at the server's entry, before
 * any route sees it: the size of its URI, the number of its parameters, and
 * the bytes of its path and of every parameter name and value.
 *
 * Text that reaches a reply must be valid UTF-8 (jansson refuses to build a
 * string from anything else) and must not hide a NUL: libmicrohttpd decodes
 * %00 into a key or value and hands it over as a C string, so "q=ab%00cd"
 * would search "ab". Every check here therefore works on lengths, never on
 * strlen(). The functions are plain code over bytes (no connection), so the
 * fuzz target and the fault loop call them as the server does. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "vindplaats/analysis.h"

int api_text_check(const char *s, size_t len, int allow_tab)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && !(allow_tab && c == '\t')) || c == 0x7f)
            return API_TEXT_CONTROL;
    }
    return vp_utf8_valid(s, len) ? API_TEXT_OK : API_TEXT_NOT_UTF8;
}

void api_text_escape(char *out, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    if (cap == 0)
        return;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char piece[5];
        size_t n;
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            snprintf(piece, sizeof piece, "\\x%02x", c);
            n = 4;
        } else {
            piece[0] = (char)c;
            n = 1;
        }
        if (o + n >= cap)
            break;
        memcpy(out + o, piece, n);
        o += n;
    }
    out[o] = '\0';
}

/* Fills `f` and returns what kind of failure it is. */
static vp_status refuse(api_refusal *f, unsigned status, const char *code,
                        const char *parameter, const char *message)
{
    f->status = status;
    f->code = code;
    snprintf(f->parameter, sizeof f->parameter, "%s", parameter ? parameter : "");
    snprintf(f->message, sizeof f->message, "%s", message);
    return status == 503   ? VP_ERR_NOMEM
           : status == 414 || strcmp(code, "too_many_parameters") == 0 ? VP_ERR_TOO_BIG
                                                                    : VP_ERR_INVALID;
}

vp_status api_uri_check(const char *uri, api_refusal *f, size_t *args_at)
{
    memset(f, 0, sizeof *f);
    *args_at = 0;
    vp_status st = VP_OK;
    if (!uri)
        return VP_OK;
    size_t len = strlen(uri);
    const char *q = strchr(uri, '?');
    size_t path_len = q ? (size_t)(q - uri) : len;
    if (len > API_MAX_URI) {
        char msg[160];
        snprintf(msg, sizeof msg, "the address is longer than %d bytes", API_MAX_URI);
        st = refuse(f, 414, "uri_too_long", NULL, msg);
    } else if (q) {
        /* libmicrohttpd makes a parameter of every piece between two '&',
         * empty ones too, and keeps each in the connection's memory pool. */
        size_t pieces = 1, given = 0;
        for (const char *s = q + 1; *s; s++)
            pieces += *s == '&';
        for (const char *s = q + 1; *s;) {
            size_t n = strcspn(s, "&");
            given += n > 0;
            s += n;
            if (*s)
                s++;
        }
        if (given > API_MAX_PARAMS || pieces > 2 * API_MAX_PARAMS) {
            char msg[160];
            snprintf(msg, sizeof msg, "too many parameters (at most %d)", API_MAX_PARAMS);
            st = refuse(f, 400, "too_many_parameters", NULL, msg);
        }
    }
    if (!f->status) {
        /* The path as the routes will see it, decoded, with its length. */
        char *path = malloc(path_len + 1);
        if (!path)
            return refuse(f, 503, "unavailable", NULL, "out of memory");
        memcpy(path, uri, path_len);
        path[path_len] = '\0';
        size_t n = MHD_http_unescape(path);
        int problem = api_text_check(path, n, 0);
        free(path);
        if (problem == API_TEXT_NOT_UTF8)
            st = refuse(f, 404, "not_found", NULL, "no such route: the path is not valid UTF-8");
        else if (problem == API_TEXT_CONTROL)
            st = refuse(f, 404, "not_found", NULL,
                        "no such route: the path holds a control character (such as %00)");
    }
    if (f->status && q && f->status != 404)
        *args_at = (size_t)(q - uri) + 1;
    return st;
}

vp_status api_param_check(const char *key, size_t key_len, const char *value, size_t value_len,
                          api_refusal *f)
{
    int key_problem = api_text_check(key, key_len, 0);
    int value_problem = value ? api_text_check(value, value_len, 1) : API_TEXT_OK;
    if (!key_problem && !value_problem)
        return VP_OK;
    char name[64], msg[200];
    api_text_escape(name, sizeof name, key, key_len);
    int problem = key_problem ? key_problem : value_problem;
    snprintf(msg, sizeof msg, "%s of parameter \"%s\" %s", key_problem ? "the name" : "the value",
             name,
             problem == API_TEXT_NOT_UTF8 ? "is not valid UTF-8"
                                          : "holds a control character (such as %00)");
    return refuse(f, 400, "invalid_parameter", name, msg);
}

int api_param_ignored(const char *key, size_t key_len, const char *value, size_t value_len)
{
    (void)key;
    /* "?&q=x" and "?q=x&&page=2": an empty piece, as after a trailing '&'. */
    return key_len == 0 && (!value || value_len == 0);
}

vp_status api_query_check(const char *query, api_refusal *f)
{
    memset(f, 0, sizeof *f);
    size_t len = strlen(query);
    char *copy = malloc(len + 1);
    if (!copy)
        return refuse(f, 503, "unavailable", NULL, "out of memory");
    memcpy(copy, query, len + 1);
    vp_status rc = VP_OK;
    for (char *s = copy; *s && rc == VP_OK;) {
        size_t n = strcspn(s, "&");
        char *next = s[n] ? s + n + 1 : s + n;
        s[n] = '\0';
        for (char *p = s; *p; p++)
            if (*p == '+')
                *p = ' ';
        char *eq = strchr(s, '=');
        if (eq)
            *eq = '\0';
        size_t kl = MHD_http_unescape(s);
        size_t vl = eq ? MHD_http_unescape(eq + 1) : 0;
        if (!api_param_ignored(s, kl, eq ? eq + 1 : NULL, vl))
            rc = api_param_check(s, kl, eq ? eq + 1 : NULL, vl, f);
        s = next;
    }
    free(copy);
    return rc;
}

void api_refusal_reply(const api_refusal *f, api_reply *r)
{
    api_error(r, f->status, f->code, f->message, f->parameter[0] ? f->parameter : NULL);
}
