/* vindplaats-server - serves the index over HTTP. main() parses the
 * command line, loads the vocabulary, starts the server and waits for
 * SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/server.h"
#include "vindplaats/vocabulary.h"

#ifndef VP_DEFAULT_VOCABULARY
#define VP_DEFAULT_VOCABULARY "data/vocabulary/propositions.tsv"
#endif

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vindplaats-server --index DIR [--port 8080] [--bind 127.0.0.1]\n"
            "                         [--threads N] [--vocabulary FILE] [--port-file FILE]\n"
            "                         [--no-access-log]\n"
            "\n"
            "  --index DIR        the index to serve (built by vindplaats-indexer)\n"
            "  --port N           TCP port; 0 picks a free one (default 8080)\n"
            "  --bind ADDR        IPv4 address to listen on (default 127.0.0.1)\n"
            "  --threads N        worker threads, one index handle each (default 2)\n"
            "  --vocabulary FILE  proposition vocabulary (default %s)\n"
            "  --port-file FILE   write the port listened on to FILE once serving\n"
            "  --no-access-log    do not write one line per request to stderr\n",
            VP_DEFAULT_VOCABULARY);
}

static int parse_number(const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    vp_server_config cfg = {0};
    cfg.port = 8080;
    cfg.threads = 2;
    cfg.access_log = stderr;
    const char *voc_path = VP_DEFAULT_VOCABULARY, *port_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--no-access-log") == 0) {
            cfg.access_log = NULL;
        } else if (!v) {
            fprintf(stderr, "vindplaats-server: unknown or incomplete option %s\n", a);
            usage(stderr);
            return 2;
        } else if (strcmp(a, "--index") == 0) {
            cfg.index_path = argv[++i];
        } else if (strcmp(a, "--bind") == 0) {
            cfg.bind_address = argv[++i];
        } else if (strcmp(a, "--vocabulary") == 0) {
            voc_path = argv[++i];
        } else if (strcmp(a, "--port-file") == 0) {
            port_file = argv[++i];
        } else if (strcmp(a, "--port") == 0) {
            if (parse_number(argv[++i], 65535, &cfg.port) != 0) {
                fprintf(stderr, "vindplaats-server: --port: not a port number: %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--threads") == 0) {
            if (parse_number(argv[++i], 256, &cfg.threads) != 0 || cfg.threads == 0) {
                fprintf(stderr, "vindplaats-server: --threads: must be 1 to 256: %s\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "vindplaats-server: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!cfg.index_path) {
        fprintf(stderr, "vindplaats-server: --index DIR is required\n");
        usage(stderr);
        return 2;
    }

    /* Block the stop signals in every thread; main waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    char *err = NULL;
    vp_vocabulary *voc = NULL;
    vp_status st = vp_vocabulary_load(voc_path, &voc, &err);
    if (st != VP_OK) {
        fprintf(stderr, "vindplaats-server: vocabulary: %s\n", err ? err : vp_status_str(st));
        free(err);
        return 1;
    }
    cfg.vocabulary = voc;
    vp_server *srv = NULL;
    st = vp_server_start(&cfg, &srv, &err);
    if (st != VP_OK) {
        fprintf(stderr, "vindplaats-server: %s\n", err ? err : vp_status_str(st));
        free(err);
        vp_vocabulary_destroy(voc);
        return 1;
    }
    unsigned port = vp_server_port(srv);
    fprintf(stderr, "vindplaats-server: serving %s on http://%s:%u/\n", cfg.index_path,
            cfg.bind_address ? cfg.bind_address : "127.0.0.1", port);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
            fprintf(stderr, "vindplaats-server: cannot write %s\n", port_file);
            vp_server_stop(srv);
            vp_vocabulary_destroy(voc);
            return 1;
        }
    }
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "vindplaats-server: stopping (signal %d)\n", sig);
    vp_server_stop(srv);
    vp_vocabulary_destroy(voc);
    return 0;
}
