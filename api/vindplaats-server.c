/* vindplaats-server - serves the index over HTTP. main() parses the
 * command line, loads the vocabulary, starts the server and waits for
 * SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "api.h"
#include "vindplaats/auth.h"
#include "vindplaats/geo.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/network.h"
#include "vindplaats/offering.h"
#include "vindplaats/server.h"
#include "vindplaats/vocabulary.h"

#ifndef VP_DATA_DIR
#define VP_DATA_DIR "data"
#endif
#define VP_DEFAULT_VOCABULARY VP_DATA_DIR "/vocabulary/propositions.tsv"
#define VP_DEFAULT_SYNONYMS VP_DATA_DIR "/lexicon/synonyms.tsv"
#define VP_DEFAULT_STOPWORDS VP_DATA_DIR "/lexicon/stopwords-nl.txt"
#define VP_DEFAULT_TYPES VP_DATA_DIR "/lexicon/types.tsv"
#define VP_DEFAULT_HOLIDAYS VP_DATA_DIR "/lexicon/schoolvakanties.tsv"
#define VP_DEFAULT_POSTCODES VP_DATA_DIR "/reference/nl_pc4_geonames.json"
#define VP_DEFAULT_PLACE_NAMES VP_DATA_DIR "/lexicon/plaatsnamen.tsv"
#define VP_DEFAULT_WORDS "/usr/share/dict/dutch"
#define VP_DEFAULT_SEGMENTS VP_DATA_DIR "/segments/segments.json"
#define VP_DEFAULT_SEGMENT_POSTCODES VP_DATA_DIR "/segments/pc4-segments.csv"
#define VP_DEFAULT_NETWORK VP_DATA_DIR "/sample/network.json"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vindplaats-server --index DIR [--port 8080] [--bind 127.0.0.1]\n"
            "                         [--threads N] [--vocabulary FILE] [--port-file FILE]\n"
            "                         [--words FILE] [--synonyms FILE] [--stopwords FILE]\n"
            "                         [--types FILE] [--holidays FILE]\n"
            "                         [--postcodes FILE] [--place-names FILE]\n"
            "                         [--now DATE-TIME] [--no-access-log]\n"
            "                         [--redis URL | --data-dir DIR] [--half-life-days N]\n"
            "                         [--segments FILE] [--segment-postcodes FILE]\n"
            "                         [--network FILE] [--admin-keys FILE] [--write-limit N]\n"
            "                         [--public-url URL] [--per-ip-limit N] [--cache-mb N]\n"
            "                         [--query-min-clients K] [--trusted-proxy ADDR[,ADDR...]]\n"
            "                         [--templates DIR]\n"
            "       vindplaats-server --hash-key < KEY\n"
            "\n"
            "  --index DIR        the index to serve (built by vindplaats-indexer)\n"
            "  --port N           TCP port; 0 picks a free one (default 8080)\n"
            "  --bind ADDR        IPv4 address to listen on (default 127.0.0.1)\n"
            "  --threads N        worker threads, one index handle each (default 2)\n"
            "  --vocabulary FILE  proposition vocabulary (default %s)\n"
            "  --port-file FILE   write the port listened on to FILE once serving\n"
            "  --words FILE       Dutch word list for compounds (default %s;\n"
            "                     use the same one as the indexer)\n"
            "  --synonyms FILE    synonym groups (default %s)\n"
            "  --stopwords FILE   stop words (default %s)\n"
            "  --types FILE       words that name an offering type (default %s)\n"
            "  --holidays FILE    school holidays per region (default %s)\n"
            "  --postcodes FILE   PC4 areas and place names for postcode=, place= and the place\n"
            "                     words of q (default %s)\n"
            "  --place-names FILE other names of places (\"den bosch\") (default %s)\n"
            "  --now DATE-TIME    a fixed clock, for demos and tests (ISO 8601)\n"
            "  --redis URL        keep signals, saved queries and the query log in Redis\n"
            "                     (redis://HOST:PORT/DB), shared by every replica\n"
            "  --data-dir DIR     where the embedded store persists (default: INDEX-store)\n"
            "  --half-life-days N how fast signals fade (default 30)\n"
            "  --segments FILE    the segment model (default %s)\n"
            "  --segment-postcodes FILE  PC4 -> segment shares (default %s)\n"
            "  --network FILE     libraries and branches with their names (default %s)\n"
            "  --admin-keys FILE  admin API keys, one a line (or sha256:HEX digests); more\n"
            "                     come from VINDPLAATS_ADMIN_KEYS (comma-separated)\n"
            "  --write-limit N    PUT/POST/DELETE requests a minute per client address\n"
            "                     (default 600)\n"
            "  --public-url URL   the address residents use (https://vindplaats.example.nl),\n"
            "                     for canonical links, sitemaps and feeds (default http://HOST)\n"
            "  --per-ip-limit N   open connections per client address (default 32; 0: no\n"
            "                     limit, for a reverse proxy in front that limits per client)\n"
            "  --cache-mb N       memory for answers of searches and suggestions, kept\n"
            "                     until the index changes (default 32; 0: no answer cache)\n"
            "  --query-min-clients K  show a query's text in the insights only once K\n"
            "                     different clients searched it on one day (1 to 20,\n"
            "                     default 3); counted without keeping addresses\n"
            "  --trusted-proxy ADDR[,ADDR...]  reverse proxies (IPv4 or IPv6 addresses)\n"
            "                     whose last X-Forwarded-For entry names the client\n"
            "                     when counting clients for --query-min-clients\n"
            "  --templates DIR    page templates (NAME.html, partials/NAME.html) and site.css\n"
            "                     that replace the built-in ones (docs/site.md); checked at start\n"
            "  --hash-key         read a key on standard input, print its sha256: digest\n"
            "  --no-access-log    do not write one line per request to stderr\n",
            VP_DEFAULT_VOCABULARY, VP_DEFAULT_WORDS, VP_DEFAULT_SYNONYMS, VP_DEFAULT_STOPWORDS,
            VP_DEFAULT_TYPES, VP_DEFAULT_HOLIDAYS, VP_DEFAULT_POSTCODES, VP_DEFAULT_PLACE_NAMES,
            VP_DEFAULT_SEGMENTS,
            VP_DEFAULT_SEGMENT_POSTCODES, VP_DEFAULT_NETWORK);
}

/* --hash-key: the digest of the key on standard input, for a key file
 * that holds no keys. */
static int hash_key(void)
{
    char key[VP_ADMIN_KEY_MAX + 2];
    if (!fgets(key, sizeof key, stdin)) {
        fprintf(stderr, "vindplaats-server: --hash-key: give the key on standard input\n");
        return 2;
    }
    size_t n = strcspn(key, "\r\n");
    key[n] = '\0';
    vp_admin_keys *k = NULL;
    vp_error err = VP_ERROR_INIT;
    int rc = 2;
    if (vp_admin_keys_create(&k) == VP_OK && vp_admin_keys_add_list(k, key, "key", &err) == VP_OK &&
        vp_admin_keys_count(k) == 1 && strchr(key, ',') == NULL) {
        char digest[VP_ADMIN_DIGEST_TEXT];
        vp_admin_key_digest(key, n, digest);
        printf("%s\n", digest);
        rc = 0;
    } else if (err.status != VP_OK) {
        vp_error_print(stderr, "vindplaats-server: --hash-key", &err);
    } else {
        fprintf(stderr, "vindplaats-server: --hash-key: give one key of 16 to 256 visible characters\n");
    }
    vp_error_clear(&err);
    vp_admin_keys_destroy(k);
    memset(key, 0, sizeof key);
    return rc;
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
    const char *postcodes_path = VP_DEFAULT_POSTCODES, *place_names_path = VP_DEFAULT_PLACE_NAMES;
    const char *segments_path = VP_DEFAULT_SEGMENTS, *segment_pc_path = VP_DEFAULT_SEGMENT_POSTCODES;
    const char *network_path = VP_DEFAULT_NETWORK, *admin_keys_path = NULL;
    vp_store_config store_cfg = {NULL, NULL, 30, 200};
    vp_lexicon_files lexfiles = {VP_DEFAULT_WORDS, VP_DEFAULT_SYNONYMS, VP_DEFAULT_STOPWORDS,
                                 VP_DEFAULT_TYPES, VP_DEFAULT_HOLIDAYS};
    /* The options that name a file, a folder or an address, taken as given. */
    const struct {
        const char *option;
        const char **value;
    } paths[] = {
        {"--index", &cfg.index_path},       {"--bind", &cfg.bind_address},
        {"--vocabulary", &voc_path},        {"--port-file", &port_file},
        {"--words", &lexfiles.words},       {"--synonyms", &lexfiles.synonyms},
        {"--stopwords", &lexfiles.stopwords}, {"--types", &lexfiles.types},
        {"--holidays", &lexfiles.holidays},
        {"--postcodes", &postcodes_path},   {"--place-names", &place_names_path},   {"--redis", &store_cfg.redis_url},
        {"--data-dir", &store_cfg.dir},     {"--segments", &segments_path},
        {"--network", &network_path},       {"--admin-keys", &admin_keys_path},
        {"--templates", &cfg.templates_dir}, {"--segment-postcodes", &segment_pc_path},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t path = 0;
        while (path < sizeof paths / sizeof paths[0] && strcmp(a, paths[path].option) != 0)
            path++;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--hash-key") == 0) {
            return hash_key();
        } else if (strcmp(a, "--no-access-log") == 0) {
            cfg.access_log = NULL;
        } else if (!v) {
            fprintf(stderr, "vindplaats-server: unknown or incomplete option %s\n", a);
            usage(stderr);
            return 2;
        } else if (path < sizeof paths / sizeof paths[0]) {
            *paths[path].value = argv[++i];
        } else if (strcmp(a, "--write-limit") == 0) {
            if (parse_number(argv[++i], 1000000, &cfg.write_limit) != 0 || cfg.write_limit == 0) {
                fprintf(stderr, "vindplaats-server: --write-limit: 1 to 1000000: %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--query-min-clients") == 0) {
            if (parse_number(argv[++i], VP_QUERY_MIN_CLIENTS_MAX, &cfg.query_min_clients) != 0 ||
                cfg.query_min_clients == 0) {
                fprintf(stderr, "vindplaats-server: --query-min-clients: 1 to %d: %s\n",
                        VP_QUERY_MIN_CLIENTS_MAX, argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--trusted-proxy") == 0) {
            cfg.trusted_proxies = argv[++i];
            const char *why = api_trusted_proxies_problem(cfg.trusted_proxies);
            if (why) {
                fprintf(stderr, "vindplaats-server: --trusted-proxy: %s: %s\n", why,
                        cfg.trusted_proxies);
                return 2;
            }
        } else if (strcmp(a, "--public-url") == 0) {
            cfg.public_url = argv[++i];
            if ((strncmp(cfg.public_url, "http://", 7) != 0 &&
                 strncmp(cfg.public_url, "https://", 8) != 0) ||
                strlen(cfg.public_url) > 300 || strpbrk(cfg.public_url, "\"'<> ?#")) {
                fprintf(stderr, "vindplaats-server: --public-url: an http:// or https:// address "
                                "without a query: %s\n", cfg.public_url);
                return 2;
            }
        } else if (strcmp(a, "--half-life-days") == 0) {
            char *end;
            store_cfg.half_life_days = strtod(argv[++i], &end);
            if (*end || store_cfg.half_life_days <= 0 || store_cfg.half_life_days > 3650) {
                fprintf(stderr, "vindplaats-server: --half-life-days: more than 0, at most 3650: %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--now") == 0) {
            vp_datetime now;
            if (vp_datetime_parse(argv[++i], &now) != 0) {
                fprintf(stderr, "vindplaats-server: --now: not an ISO 8601 date-time: %s\n",
                        argv[i]);
                return 2;
            }
            cfg.now = now.utc;
        } else if (strcmp(a, "--port") == 0) {
            if (parse_number(argv[++i], 65535, &cfg.port) != 0) {
                fprintf(stderr, "vindplaats-server: --port: not a port number: %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--per-ip-limit") == 0) {
            if (parse_number(argv[++i], 100000, &cfg.per_ip_limit) != 0) {
                fprintf(stderr, "vindplaats-server: --per-ip-limit: 0 to 100000: %s\n", argv[i]);
                return 2;
            }
            if (cfg.per_ip_limit == 0)
                cfg.per_ip_limit = VP_SERVER_PER_IP_UNLIMITED;
        } else if (strcmp(a, "--cache-mb") == 0) {
            if (parse_number(argv[++i], VP_SERVER_CACHE_MAX_MB, &cfg.cache_mb) != 0) {
                fprintf(stderr, "vindplaats-server: --cache-mb: 0 to %u: %s\n",
                        VP_SERVER_CACHE_MAX_MB, argv[i]);
                return 2;
            }
            if (cfg.cache_mb == 0)
                cfg.cache_mb = VP_SERVER_CACHE_OFF;
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

    /* Every connection is a descriptor: the server keeps up to 1024 open
     * besides its index and store files, more than the usual soft limit. */
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < 4096 &&
        files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max < 4096 ? files.rlim_max : 4096;
        setrlimit(RLIMIT_NOFILE, &files);
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
    vp_error verr = VP_ERROR_INIT;
    vp_status st = vp_vocabulary_load(voc_path, &voc, &verr);
    if (st != VP_OK) {
        vp_error_print(stderr, "vindplaats-server: vocabulary", &verr);
        vp_error_clear(&verr);
        return 1;
    }
    cfg.vocabulary = voc;
    vp_lexicon *lex = NULL;
    vp_postcodes *postcodes = NULL;
    vp_segments *segments = NULL;
    vp_store *store = NULL;
    vp_server *srv = NULL;
    vp_network *network = NULL;
    vp_admin_keys *admin_keys = NULL;
    char *default_dir = NULL;
    int rc = 1;
    vp_error lerr = VP_ERROR_INIT;
    st = vp_lexicon_load(&lexfiles, voc, &lex, &lerr);
    if (st != VP_OK) {
        vp_error_print(stderr, "vindplaats-server: lexicon", &lerr);
        vp_error_clear(&lerr);
        goto done;
    }
    vp_error perr = VP_ERROR_INIT;
    st = vp_postcodes_load(postcodes_path, &postcodes, &perr);
    if (st == VP_OK)
        st = vp_postcodes_add_aliases(postcodes, place_names_path, &perr);
    if (st != VP_OK) {
        vp_error_print(stderr, "vindplaats-server: postcodes", &perr);
        vp_error_clear(&perr);
        goto done;
    }
    vp_error segerr = VP_ERROR_INIT;
    st = vp_segments_load(segments_path, segment_pc_path, voc, &segments, &segerr);
    if (st != VP_OK) {
        vp_error_print(stderr, "vindplaats-server: segments", &segerr);
        vp_error_clear(&segerr);
        goto done;
    }
    vp_error nerr = VP_ERROR_INIT;
    st = vp_network_load(network_path, &network, &nerr);
    st = st == VP_OK ? vp_lexicon_set_network(lex, network) : st; /* its places are query words */
    if (st != VP_OK) {
        if (nerr.status == VP_OK)
            nerr.status = st;
        vp_error_print(stderr, "vindplaats-server: network", &nerr);
        vp_error_clear(&nerr);
        goto done;
    }
    /* place= also knows the network's municipalities and branches. */
    st = vp_postcodes_add_network(postcodes, network);
    if (st != VP_OK) {
        fprintf(stderr, "vindplaats-server: network: %s\n", vp_status_str(st));
        goto done;
    }
    vp_lexicon_set_postcodes(lex, postcodes); /* and the words of q ("taalcafe zeist") */
    vp_error kerr = VP_ERROR_INIT;
    st = vp_admin_keys_create(&admin_keys);
    if (st == VP_OK && admin_keys_path)
        st = vp_admin_keys_load(admin_keys, admin_keys_path, &kerr);
    if (st == VP_OK && getenv("VINDPLAATS_ADMIN_KEYS"))
        st = vp_admin_keys_add_list(admin_keys, getenv("VINDPLAATS_ADMIN_KEYS"),
                                    "VINDPLAATS_ADMIN_KEYS", &kerr);
    if (st != VP_OK) {
        if (kerr.status == VP_OK)
            kerr.status = st;
        vp_error_print(stderr, "vindplaats-server: admin keys", &kerr);
        vp_error_clear(&kerr);
        goto done;
    }
    if (!store_cfg.redis_url && !store_cfg.dir) {
        size_t n = strlen(cfg.index_path) + 16;
        default_dir = malloc(n);
        if (default_dir)
            snprintf(default_dir, n, "%s-store", cfg.index_path);
        store_cfg.dir = default_dir;
    }
    vp_error serr = VP_ERROR_INIT;
    st = vp_store_open(&store_cfg, &store, &serr);
    if (st != VP_OK) {
        vp_error_print(stderr, "vindplaats-server: store", &serr);
        vp_error_clear(&serr);
        goto done;
    }
    cfg.lexicon = lex;
    cfg.postcodes = postcodes;
    cfg.segments = segments;
    cfg.store = store;
    cfg.network = network;
    cfg.admin_keys = admin_keys;
    vp_error start_err = VP_ERROR_INIT;
    st = vp_server_start(&cfg, &srv, &start_err);
    if (st != VP_OK) {
        vp_error_print(stderr, "vindplaats-server", &start_err);
        vp_error_clear(&start_err);
        goto done;
    }
    unsigned port = vp_server_port(srv);
    fprintf(stderr, "vindplaats-server: serving %s on http://%s:%u/ (signals: %s)\n",
            cfg.index_path, cfg.bind_address ? cfg.bind_address : "127.0.0.1", port,
            vp_store_backend(store));
    if (vp_admin_keys_count(admin_keys) == 0)
        fprintf(stderr, "vindplaats-server: no admin keys (--admin-keys, VINDPLAATS_ADMIN_KEYS): "
                        "saved queries and /insights refuse every request\n");
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
            fprintf(stderr, "vindplaats-server: cannot write %s\n", port_file);
            goto done;
        }
    }
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "vindplaats-server: stopping (signal %d)\n", sig);
    rc = 0;
done:
    free(err);
    vp_server_stop(srv);
    vp_store_close(store);
    free(default_dir);
    vp_admin_keys_destroy(admin_keys);
    vp_network_destroy(network);
    vp_segments_destroy(segments);
    vp_postcodes_destroy(postcodes);
    vp_lexicon_destroy(lex);
    vp_vocabulary_destroy(voc);
    return rc;
}
