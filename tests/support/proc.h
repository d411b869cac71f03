/* proc.h - starting the real programs and talking HTTP to them, for the
 * integration tests. Only loopback addresses are ever used. */
#ifndef VINDPLAATS_TEST_PROC_H
#define VINDPLAATS_TEST_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Runs argv to completion with stdout+stderr captured into *output
 * (malloc()ed). Returns the exit status, or -1 when it could not run. */
int proc_run(char *const argv[], char **output);

/* Starts argv in the background with stdout+stderr appended to `log`. */
pid_t proc_start(char *const argv[], const char *log);
/* Sends SIGTERM and waits; returns the exit status (-1 when killed). */
int proc_stop(pid_t pid);

/* Waits up to `seconds` for `path` to hold a number; returns it or 0. */
unsigned proc_wait_port(const char *path, double seconds);

/* Waits up to `seconds` until the server on `port` has its service map
 * (GET /v1/propositions answers 200; it is built beside the requests after
 * a start). Returns 0 when it has, -1 when not. */
int proc_wait_services(unsigned port, double seconds);

typedef struct http_reply {
    long status;
    char *body;
    char *headers;
} http_reply;

/* One request to http://127.0.0.1:port + path. Returns 0 when the server answered. */
int http_request(unsigned port, const char *method, const char *path, http_reply *out);
/* POST of a JSON body to http://127.0.0.1:port + path. */
int http_post(unsigned port, const char *path, const char *json_body, http_reply *out);
/* Any request: `headers` is a NULL-terminated list of "Name: value" lines
 * (may be NULL), `body` is sent as it is (may be NULL). Redirects are not
 * followed. */
int http_send(unsigned port, const char *method, const char *path, const char *const *headers,
              const char *body, http_reply *out);
/* The same from the loopback address `source` ("127.0.0.2"): a request
 * from another client, as the server sees it. */
int http_send_from(const char *source, unsigned port, const char *method, const char *path,
                   const char *const *headers, const char *body, http_reply *out);
/* PUT and DELETE with an Authorization header value (NULL: none). */
int http_put(unsigned port, const char *path, const char *authorization, const char *json_body,
             http_reply *out);
int http_delete(unsigned port, const char *path, const char *authorization, http_reply *out);
/* The value of header `name` in a reply (case-insensitive, the last one),
 * malloc()ed; NULL when absent. */
char *http_header(const http_reply *r, const char *name);
void http_reply_free(http_reply *r);

#endif
