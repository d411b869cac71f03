/* proc.c - see proc.h. */
#include "proc.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int proc_run(char *const argv[], char **output)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0, alloc = 4096;
    char *buf = malloc(alloc);
    ssize_t n;
    while (buf && (n = read(fds[0], buf + len, alloc - len - 1)) > 0) {
        len += (size_t)n;
        if (alloc - len < 1024) {
            alloc *= 2;
            char *p = realloc(buf, alloc);
            if (!p) {
                free(buf);
                buf = NULL;
            }
            buf = p;
        }
    }
    close(fds[0]);
    if (buf)
        buf[len] = '\0';
    int status = 0;
    waitpid(pid, &status, 0);
    if (output)
        *output = buf;
    else
        free(buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

pid_t proc_start(char *const argv[], const char *log)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

int proc_stop(pid_t pid)
{
    int status = 0;
    kill(pid, SIGTERM);
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

unsigned proc_wait_port(const char *path, double seconds)
{
    struct timespec pause = {0, 20 * 1000 * 1000};
    for (double waited = 0; waited < seconds; waited += 0.02) {
        FILE *f = fopen(path, "r");
        unsigned port = 0;
        if (f) {
            if (fscanf(f, "%u", &port) != 1)
                port = 0;
            fclose(f);
            if (port)
                return port;
        }
        nanosleep(&pause, NULL);
    }
    return 0;
}

int proc_wait_services(unsigned port, double seconds)
{
    struct timespec pause = {0, 100 * 1000 * 1000}, start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 > seconds)
            break;
        http_reply r;
        long status = http_request(port, "GET", "/v1/propositions", &r) == 0 ? r.status : 0;
        http_reply_free(&r);
        if (status == 200)
            return 0;
        nanosleep(&pause, NULL);
    }
    return -1;
}

typedef struct grow {
    char *data;
    size_t len;
} grow;

static size_t collect(char *ptr, size_t size, size_t n, void *userdata)
{
    grow *g = userdata;
    size_t add = size * n;
    char *p = realloc(g->data, g->len + add + 1);
    if (!p)
        return 0;
    memcpy(p + g->len, ptr, add);
    g->len += add;
    p[g->len] = '\0';
    g->data = p;
    return add;
}

static int http_call(unsigned port, const char *method, const char *path, const char *payload,
                     http_reply *out);
static int http_call_headers(unsigned port, const char *method, const char *path,
                             const char *const *extra, const char *payload, int json,
                             http_reply *out);
static int http_call_from(const char *source, unsigned port, const char *method, const char *path,
                          const char *const *extra, const char *payload, int json,
                          http_reply *out);

int http_send(unsigned port, const char *method, const char *path, const char *const *headers,
              const char *body, http_reply *out)
{
    return http_call_headers(port, method, path, headers, body, 0, out);
}

int http_send_from(const char *source, unsigned port, const char *method, const char *path,
                   const char *const *headers, const char *body, http_reply *out)
{
    return http_call_from(source, port, method, path, headers, body, 0, out);
}

int http_put(unsigned port, const char *path, const char *authorization, const char *json_body,
             http_reply *out)
{
    char auth[1024];
    snprintf(auth, sizeof auth, "Authorization: %s", authorization ? authorization : "");
    const char *h[] = {authorization ? auth : NULL, NULL};
    return http_call_headers(port, "PUT", path, h, json_body ? json_body : "", 1, out);
}

int http_delete(unsigned port, const char *path, const char *authorization, http_reply *out)
{
    char auth[1024];
    snprintf(auth, sizeof auth, "Authorization: %s", authorization ? authorization : "");
    const char *h[] = {authorization ? auth : NULL, NULL};
    return http_call_headers(port, "DELETE", path, h, NULL, 0, out);
}

char *http_header(const http_reply *r, const char *name)
{
    size_t n = strlen(name);
    char *found = NULL;
    for (const char *line = r->headers; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > n && line[n] == ':' && strncasecmp(line, name, n) == 0) {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(line + len - v);
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
                vl--;
            free(found);
            found = strndup(v, vl);
        }
        line = end ? end + 1 : NULL;
    }
    return found;
}

int http_request(unsigned port, const char *method, const char *path, http_reply *out)
{
    return http_call(port, method, path, NULL, out);
}

int http_post(unsigned port, const char *path, const char *json_body, http_reply *out)
{
    return http_call(port, "POST", path, json_body, out);
}

static int http_call(unsigned port, const char *method, const char *path, const char *payload,
                     http_reply *out)
{
    return http_call_headers(port, method, path, NULL, payload, 1, out);
}

static int http_call_headers(unsigned port, const char *method, const char *path,
                             const char *const *extra, const char *payload, int json,
                             http_reply *out)
{
    return http_call_from(NULL, port, method, path, extra, payload, json, out);
}

static int http_call_from(const char *source, unsigned port, const char *method, const char *path,
                          const char *const *extra, const char *payload, int json,
                          http_reply *out)
{
    memset(out, 0, sizeof *out);
    char iface[64];
    if (source && strncmp(source, "127.", 4) != 0)
        return -1; /* loopback only */
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[4096];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    grow body = {calloc(1, 1), 0}, headers = {calloc(1, 1), 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (source) {
        snprintf(iface, sizeof iface, "host!%s", source);
        curl_easy_setopt(c, CURLOPT_INTERFACE, iface);
    }
    struct curl_slist *headers_out = NULL;
    if (payload && json)
        headers_out = curl_slist_append(headers_out, "Content-Type: application/json");
    for (size_t i = 0; extra && extra[i]; i++)
        headers_out = curl_slist_append(headers_out, extra[i]);
    if (headers_out)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers_out);
    if (payload) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(headers_out);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_cleanup(c);
    out->body = body.data;
    out->headers = headers.data;
    return rc == CURLE_OK ? 0 : -1;
}

void http_reply_free(http_reply *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof *r);
}
