/* reply.c - the bottom of the server's files: a reply being prepared
 * (its headers, an error reply), the monotonic clock, query ids, and
 * stopping a worker thread. Every
 * other file of api/ may call these; they call none of them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "api.h"
#include "vindplaats/buf.h"
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

vp_status api_reply_header(api_reply *r, const char *name, const char *value)
{
    size_t len = strlen(value);
    if (r->n_headers == sizeof r->headers / sizeof r->headers[0] ||
        len >= sizeof r->headers[0].value)
        return VP_ERR_TOO_BIG;
    r->headers[r->n_headers].name = name;
    memcpy(r->headers[r->n_headers].value, value, len + 1);
    r->n_headers++;
    return VP_OK;
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

/* Sets the error reply `status` of `e`'s code, message and parameter
 * (borrowed); its place in a file stays out. */
static vp_status reply_error(api_reply *r, unsigned status, const vp_error *e)
{
    char *m_copy, *p_copy;
    vp_error shown = {e->status, e->code, NULL, NULL, NULL, 0, NULL, NULL};
    shown.message = (char *)reply_text(e->message ? e->message : vp_status_str(e->status),
                                       &m_copy);
    shown.parameter = (char *)reply_text(e->parameter, &p_copy);
    json_decref(r->json);
    /* An error replaces whatever body the reply had. */
    free(r->owned_body);
    r->owned_body = NULL;
    r->body = NULL;
    r->body_len = 0;
    r->status = status;
    /* The one JSON form of an error (status.h). */
    json_t *body = vp_error_json(&shown);
    r->json = body ? json_pack("{s:o}", "error", body) : NULL;
    free(m_copy);
    free(p_copy);
    /* Without a body the server answers with its fixed 503 (server.c). */
    return r->json ? VP_OK : VP_ERR_NOMEM;
}

vp_status api_error(api_reply *r, unsigned status, const char *code, const char *message,
                    const char *parameter)
{
    vp_error e = {VP_ERR_INVALID, code, (char *)message, (char *)parameter, NULL, 0, NULL, NULL};
    return reply_error(r, status, &e);
}

vp_status api_status_error(api_reply *r, vp_status st, const char *detail)
{
    vp_error e = {st, NULL, (char *)detail, NULL, NULL, 0, NULL, NULL};
    return api_error_from(r, st, &e);
}

vp_status api_error_from(api_reply *r, vp_status st, const vp_error *e)
{
    /* A callee that failed without filling `e` has only its status. */
    vp_error shown = {st, NULL, NULL, NULL, NULL, 0, NULL, NULL};
    if (e && e->status != VP_OK) {
        shown = *e;
        shown.next = NULL;
    }
    st = shown.status;
    if (shown.parameter)
        return reply_error(r, 400, &shown);
    /* The reply has no "path" of its own: a value's place leads the
     * message, as in the text form. */
    vp_buf m;
    vp_buf_init(&m, 1 << 16);
    if (shown.path && st != VP_ERR_NOMEM &&
        vp_buf_where(&m, &(vp_where){.path = shown.path}) == VP_OK &&
        vp_buf_puts(&m, shown.message ? shown.message : vp_status_str(st)) == VP_OK)
        shown.message = m.data;
    shown.path = NULL;
    if (st == VP_ERR_NOMEM)
        shown.message = (char *)"out of memory";
    unsigned http = 500;
    shown.code = "internal_error";
    if (st == VP_ERR_NOMEM || st == VP_ERR_IO || st == VP_ERR_MODIFIED || st == VP_ERR_NOT_FOUND) {
        http = 503;
        shown.code = "unavailable";
    }
    vp_status done = reply_error(r, http, &shown);
    vp_buf_free(&m);
    return done;
}

vp_status api_unavailable(api_reply *r, vp_status st, const vp_error *e)
{
    const char *m = e && e->status != VP_OK && e->message ? e->message : vp_status_str(st);
    return api_error(r, 503, "unavailable", m, NULL);
}

vp_status api_reply_json(api_reply *r, json_t *j, const char *cache_control)
{
    if (!j) {
        api_error(r, 503, "unavailable", "out of memory", NULL);
        return VP_ERR_NOMEM;
    }
    r->status = 200;
    json_decref(r->json);
    r->json = j;
    if (cache_control)
        r->cache_control = cache_control;
    return VP_OK;
}

vp_status api_reply_buf(api_reply *r, unsigned status, vp_buf *b, const char *content_type,
                        const char *cache_control)
{
    size_t len = b->len;
    char *body = vp_buf_steal(b);
    if (!body) {
        api_error(r, 503, "unavailable", "out of memory", NULL);
        return VP_ERR_NOMEM;
    }
    json_decref(r->json);
    r->json = NULL;
    free(r->owned_body);
    r->status = status;
    r->owned_body = body;
    r->body_len = len;
    r->content_type = content_type;
    if (cache_control)
        r->cache_control = cache_control;
    return VP_OK;
}

void api_thread_stop(pthread_t thread, pthread_mutex_t *lock, pthread_cond_t *wake, int *stop)
{
    pthread_mutex_lock(lock);
    *stop = 1;
    pthread_cond_broadcast(wake);
    pthread_mutex_unlock(lock);
    pthread_join(thread, NULL);
}
