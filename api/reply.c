/* reply.c - the bottom of the server's files: a reply being prepared
 * (its headers, an error reply), the monotonic clock, and query ids. Every
 * other file of api/ may call these; they call none of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "api.h"
#include "vindplaats/analysis.h"

double api_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double api_took_ms(double started)
{
    double took = (api_now() - started) * 1000.0;
    return (double)(long)(took * 100.0 + 0.5) / 100.0;
}

void api_random_id(char out[17])
{
    unsigned char bytes[8];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        /* No entropy to be had: the clock is unique enough for an id. */
        uint64_t t = (uint64_t)(api_now() * 1e9);
        memcpy(bytes, &t, sizeof bytes);
    }
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

void api_reply_header(api_reply *r, const char *name, const char *value)
{
    if (r->n_headers == sizeof r->headers / sizeof r->headers[0])
        return;
    r->headers[r->n_headers].name = name;
    snprintf(r->headers[r->n_headers].value, sizeof r->headers[r->n_headers].value, "%s", value);
    r->n_headers++;
}

/* A text for a reply: `s` itself when valid UTF-8, else a repaired copy in
 * *copy. Messages quote what clients sent; a reply is never lost to it. */
static const char *reply_text(const char *s, char **copy)
{
    *copy = NULL;
    if (!s || vp_utf8_valid(s, strlen(s)))
        return s;
    *copy = strdup(s);
    if (!*copy)
        return "(unprintable)";
    vp_utf8_repair(*copy);
    return *copy;
}

void api_error(api_reply *r, unsigned status, const char *code, const char *message,
               const char *parameter)
{
    char *m_copy, *p_copy;
    const char *m = reply_text(message, &m_copy);
    const char *p = reply_text(parameter, &p_copy);
    json_decref(r->json);
    r->status = status;
    r->json = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", m);
    if (r->json && p)
        json_object_set_new(json_object_get(r->json, "error"), "parameter", json_string(p));
    free(m_copy);
    free(p_copy);
}
