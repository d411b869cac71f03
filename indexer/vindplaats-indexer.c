/* vindplaats-indexer - fills the shared index. This main() only parses
 * the command line and wires the indexer library to the engine. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vindplaats/index.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/load.h"
#include "vindplaats/offering.h"
#include "vindplaats/vocabulary.h"

#include "vindplaats/config.h"
#include "vindplaats/fetch.h"
#include "harvest_cmd.h"
#include "segments_cmd.h"

#ifndef VP_DATA_DIR
#define VP_DATA_DIR "data"
#endif
#define VP_DEFAULT_VOCABULARY VP_DATA_DIR "/vocabulary/propositions.tsv"
#define VP_DEFAULT_WORDS "/usr/share/dict/dutch"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vindplaats-indexer load FILE.jsonl [--index DIR] [--vocabulary FILE]\n"
            "                          [--words FILE] [--now DATE-TIME] [--shards N]\n"
            "                          [--switch LINK]\n"
            "       vindplaats-indexer refresh [--index DIR] [--shards N] [--now DATE-TIME]\n"
            "       vindplaats-indexer harvest --config FILE [--source NAME]... [--full] [--json]\n"
            "                          [--deadline DURATION]\n"
            "                          [--index DIR] [--shards N]\n"
            "       vindplaats-indexer harvest --kind oai-pmh|ical|jsonld|feed|csv|onix|marc --url URL\n"
            "                          [--name NAME] [--library ID] [--branch ID] [--type TYPE]\n"
            "                          [--proposition ID] [--option KEY=VALUE]... [--allow-file]\n"
            "                          [--allow-private[=CIDR,...]]\n"
            "                          [--config FILE] [--index DIR]\n"
            "       vindplaats-indexer sources --config FILE [--index DIR] [--json]\n"
            "       vindplaats-indexer segments check|import FILE [--segments FILE]\n"
            "                          [--out FILE] [--vocabulary FILE]\n"
            "\n"
            "Commands:\n"
            "  load FILE   index offerings in their JSON form, one per line ('-' reads\n"
            "              standard input); bad lines are reported as FILE:LINE: field:\n"
            "              message and skipped, the rest is indexed\n"
            "  harvest     pull the configured sources (or one ad-hoc source) into the index\n"
            "              through their connectors (docs/sources.md); a failing source keeps\n"
            "              what it had and never stops the others; a summary per source at\n"
            "              the end (--json for cron and monitoring)\n"
            "  sources     list the configured sources with their last harvest, number of\n"
            "              offerings and last error\n"
            "  segments check FILE   validate a PC4 table of segment shares (docs/segments.md);\n"
            "              bad rows are reported as FILE:LINE: message\n"
            "  segments import FILE  the same, and write the valid rows, normalised, to\n"
            "              --out in one step (see vindplaats-indexer segments --help)\n"
            "\n"
            "Options:\n"
            "  --index DIR        the index directory (default: index)\n"
            "  --vocabulary FILE  the proposition vocabulary (default: %s)\n"
            "  --words FILE       Dutch word list for splitting compounds (default: %s)\n"
            "  --now DATE-TIME    the clock for 'next occurrence' (tests, demos)\n"
            "  --shards N         write DIR as N shards (DIR/shard-K, listed in DIR/XAPIANDB);\n"
            "                     each offering goes to the shard its work or id hashes to\n"
            "                     (give later runs on DIR the same N; docs/deploy.md);\n"
            "                     the shards are written in parallel, a thread each;\n"
            "                     DIR/spelling gets their spelling table for servers that\n"
            "                     reach the shards remotely\n"
            "  --switch LINK      after a load into a fresh DIR, point the symlink LINK at DIR\n"
            "                     in one atomic rename; a server serving LINK picks the new\n"
            "                     index up on its next request (a full rebuild without downtime).\n"
            "                     Skipped when the load failed or indexed nothing\n"
            "\n"
            "  refresh            moves offerings whose next occurrence has passed on to the\n"
            "                     next one, so sort=date stays soonest-first (run daily)\n"
            "  --help             this text\n"
            "\n"
            "Harvest options:\n"
            "  --config FILE      the network and its sources (docs/sources.md)\n"
            "  --source NAME      harvest only this source (repeatable)\n"
            "  --full             ignore checkpoints and validators: fetch everything again\n"
            "  --json             print the summary as JSON\n"
            "  --timeout SECONDS  per request (default 60; no data for 30 s ends it too);\n"
            "                     --retries N (default 3)\n"
            "  --deadline DURATION  per source, all its requests, retries and waits together\n"
            "                     (600, 90s, 10m, 2h; default 10m; a source's deadline = wins)\n"
            "  --name NAME        the ad-hoc source's name (default: from the URL's host,\n"
            "                     path and query, e.g. www.bieb.nl-agenda.ics)\n"
            "  --allow-private[=CIDR,...]  let the ad-hoc source reach loopback, private and\n"
            "                     link-local addresses (all of them, or these ranges);\n"
            "                     refused by default, after every redirect too\n"
            "\n"
            "Exit status: 0 when every line was indexed (load) or every source harvested\n"
            "(harvest; rejected records are counted in the summary), 1 when a line was\n"
            "rejected, the load failed or a source failed, 2 for a usage or config error.\n",
            VP_DEFAULT_VOCABULARY, VP_DEFAULT_WORDS);
}

#define MAX_SHARDS 64

/* Points the symlink `link` at `target` in one step: a new link under a
 * temporary name renamed over the old one, so a reader resolving `link`
 * sees either the old index or the new one, never neither. */
static int switch_link(const char *link, const char *target)
{
    struct stat st;
    if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
        fprintf(stderr,
                "vindplaats-indexer: --switch %s: exists and is not a symlink; move it aside "
                "once and point the server at the symlink\n",
                link);
        return 1;
    }
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.switch-%ld", link, (long)getpid()) >= (int)sizeof tmp) {
        fprintf(stderr, "vindplaats-indexer: --switch %s: path too long\n", link);
        return 1;
    }
    unlink(tmp);
    if (symlink(target, tmp) != 0 || rename(tmp, link) != 0) {
        fprintf(stderr, "vindplaats-indexer: --switch %s: %s\n", link, strerror(errno));
        unlink(tmp);
        return 1;
    }
    fprintf(stderr, "%s now points at %s\n", link, target);
    return 0;
}

/* What every writing command needs: one index, or the shards of one. */
typedef struct writer {
    vp_vocabulary *voc;
    vp_lexicon *lex;
    vp_index *idx[MAX_SHARDS];
    size_t n;
} writer;

static void writer_close(writer *w)
{
    for (size_t i = 0; i < w->n; i++)
        vp_index_close(w->idx[i]);
    vp_lexicon_destroy(w->lex);
    vp_vocabulary_destroy(w->voc);
}

/* DIR/XAPIANDB lists the shards, so a reader opens DIR as one index.
 * Written to a temporary file and renamed: readers never see half a list. */
static int write_shard_list(const char *dir, size_t n)
{
    char tmp[4096], final[4096];
    snprintf(tmp, sizeof tmp, "%s/XAPIANDB.tmp", dir);
    snprintf(final, sizeof final, "%s/XAPIANDB", dir);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "# The shards of this index (vindplaats-indexer --shards %zu).\n", n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "auto shard-%zu\n", i);
    if (fclose(f) != 0 || rename(tmp, final) != 0)
        return -1;
    return 0;
}

/* Loads the vocabulary and word list and takes the index's write lock,
 * saying clearly when another indexer holds it. 0, or -1 after a message. */
static int writer_open(writer *w, const char *index_path, const char *voc_path,
                       const char *words_path, int64_t now, size_t shards)
{
    memset(w, 0, sizeof *w);
    vp_error verr = VP_ERROR_INIT;
    vp_status st = vp_vocabulary_load(voc_path, &w->voc, &verr);
    if (st != VP_OK) {
        vp_error_print(stderr, "vindplaats-indexer: vocabulary", &verr);
        vp_error_clear(&verr);
        goto fail;
    }
    vp_lexicon_files files = {words_path, NULL, NULL, NULL};
    vp_error lerr = VP_ERROR_INIT;
    st = vp_lexicon_load(&files, w->voc, &w->lex, &lerr);
    if (st != VP_OK) {
        vp_error_print(stderr, "vindplaats-indexer: word list", &lerr);
        vp_error_clear(&lerr);
        goto fail;
    }
    if (shards > 1 && mkdir(index_path, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "vindplaats-indexer: %s: %s\n", index_path, strerror(errno));
        goto fail;
    }
    for (size_t k = 0; k < (shards > 1 ? shards : 1); k++) {
        char path[4096];
        if (shards > 1)
            snprintf(path, sizeof path, "%s/shard-%zu", index_path, k);
        else
            snprintf(path, sizeof path, "%s", index_path);
        vp_error e = VP_ERROR_INIT;
        st = vp_index_open(path, VP_INDEX_WRITE, w->voc, &w->idx[k], &e);
        if (st == VP_ERR_LOCKED) {
            fprintf(stderr,
                    "vindplaats-indexer: %s: another indexer is writing this index; "
                    "try again when it has finished\n",
                    path);
            vp_error_clear(&e);
            goto fail;
        }
        if (st != VP_OK) {
            vp_error_print(stderr, "vindplaats-indexer", &e); /* "PATH: message" */
            vp_error_clear(&e);
            goto fail;
        }
        w->n++;
        vp_index_set_lexicon(w->idx[k], w->lex);
        vp_index_set_clock(w->idx[k], now);
    }
    if (shards > 1 && write_shard_list(index_path, shards) != 0) {
        fprintf(stderr, "vindplaats-indexer: %s: cannot write the shard list\n", index_path);
        goto fail;
    }
    return 0;
fail:
    writer_close(w);
    return -1;
}

/* Prints "vindplaats-indexer: INDEX_PATH`what`: " and the error `e` of a
 * step that failed with `st` (e may hold no detail), clears it; returns
 * the program's exit status 1. */
static int failed_on(const char *index_path, const char *what, vp_status st, vp_error *e)
{
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "vindplaats-indexer: %s%s", index_path, what);
    if (e->status == VP_OK)
        e->status = st;
    vp_error_print(stderr, prefix, e);
    vp_error_clear(e);
    return 1;
}

/* A sharded index's spelling table beside its shard list, for servers that
 * reach the shards through xapian-tcpsrv (which serves no spelling). */
static int write_spelling(const char *index_path, size_t shards)
{
    char paths[MAX_SHARDS][4096];
    const char *list[MAX_SHARDS];
    for (size_t k = 0; k < shards; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/shard-%zu", index_path, k);
        list[k] = paths[k];
    }
    vp_error e = VP_ERROR_INIT;
    vp_status st = vp_index_merge_spelling(list, shards, index_path, &e);
    if (st != VP_OK)
        return failed_on(index_path, "/spelling", st, &e);
    return 0;
}

/* Loads FILE; *usable says whether the index holds a successful load. */
static int cmd_load(const char *file, const writer *w, int *usable)
{
    *usable = 0;
    vp_error err = VP_ERROR_INIT;
    FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (!in) {
        fprintf(stderr, "vindplaats-indexer: %s: %s\n", file, strerror(errno));
        return 1;
    }
    vp_load_stats stats;
    vp_status st = vp_load_jsonl_shards(w->idx, w->n, w->voc, in, file, stderr, &stats, &err);
    if (st != VP_OK) {
        char prefix[600];
        snprintf(prefix, sizeof prefix, "vindplaats-indexer: %.500s: load failed", file);
        vp_error_print(stderr, prefix, &err);
    }
    fprintf(stderr, "%s: read %llu, indexed %llu, rejected %llu, %.2f s\n", file,
            (unsigned long long)stats.read, (unsigned long long)stats.indexed,
            (unsigned long long)stats.rejected, stats.seconds);
    if (in != stdin)
        fclose(in);
    vp_error_clear(&err);
    *usable = st == VP_OK && stats.indexed > 0;
    return st == VP_OK && stats.rejected == 0 ? 0 : 1;
}

static int cmd_refresh(const char *index_path, const writer *w)
{
    vp_error e = VP_ERROR_INIT;
    uint64_t moved = 0;
    vp_status st = VP_OK;
    for (size_t k = 0; st == VP_OK && k < w->n; k++) {
        uint64_t m = 0;
        st = vp_index_refresh_dates(w->idx[k], &m, &e);
        if (st == VP_OK)
            st = vp_index_commit(w->idx[k], &e);
        moved += m;
    }
    if (st != VP_OK)
        return failed_on(index_path, ": refresh failed", st, &e);
    fprintf(stderr, "%s: %llu offerings moved on to their next occurrence\n", index_path,
            (unsigned long long)moved);
    return 0;
}

int main(int argc, char **argv)
{
    const char *index_path = "index", *voc_path = VP_DEFAULT_VOCABULARY;
    const char *words_path = VP_DEFAULT_WORDS;
    const char *command = NULL, *file = NULL, *switch_path = NULL;
    int64_t now = 0;
    size_t shards = 1;
    vp_harvest_args ha;
    memset(&ha, 0, sizeof ha);
    ha.retries = -1;
    /* The options that take a text as it is. */
    const struct {
        const char *flag;
        const char **value;
    } texts[] = {
        {"--config", &ha.config},   {"--kind", &ha.kind},       {"--url", &ha.url},
        {"--name", &ha.name},       {"--library", &ha.library}, {"--branch", &ha.branch},
        {"--type", &ha.type},       {"--proposition", &ha.proposition},
        {"--index", &index_path},   {"--vocabulary", &voc_path}, {"--words", &words_path},
        {"--switch", &switch_path},
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **text = NULL;
        for (size_t k = 0; k < sizeof texts / sizeof *texts && !text; k++)
            if (strcmp(a, texts[k].flag) == 0)
                text = texts[k].value;
        if (text && i + 1 < argc) {
            *text = argv[++i];
            continue;
        }
        if (strcmp(a, "--source") == 0 && i + 1 < argc && ha.n_only < 64) {
            ha.only[ha.n_only++] = argv[++i];
            continue;
        }
        if (strcmp(a, "--option") == 0 && i + 1 < argc && ha.n_options < 64) {
            ha.options[ha.n_options++] = argv[++i];
            continue;
        }
        if (strcmp(a, "--allow-private") == 0) {
            ha.allow_private = "yes";
            continue;
        }
        if (strncmp(a, "--allow-private=", 16) == 0) {
            ha.allow_private = a + 16;
            continue;
        }
        if (strcmp(a, "--full") == 0 || strcmp(a, "--json") == 0 || strcmp(a, "--allow-file") == 0) {
            *(a[2] == 'f' && a[3] == 'u' ? &ha.full : a[2] == 'j' ? &ha.json : &ha.allow_file) = 1;
            continue;
        }
        if ((strcmp(a, "--timeout") == 0 || strcmp(a, "--retries") == 0) && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0 || v > 3600) {
                fprintf(stderr, "vindplaats-indexer: %s: a number from 0 to 3600: %s\n", a, argv[i]);
                return 2;
            }
            if (a[2] == 't')
                ha.fetch_timeout_ms = v * 1000;
            else
                ha.retries = (int)v;
            continue;
        }
        if (strcmp(a, "--deadline") == 0 && i + 1 < argc) {
            if (vp_duration_parse(argv[++i], &ha.deadline_s) != 0) {
                fprintf(stderr, "vindplaats-indexer: --deadline: a duration such as 600, 90s, 10m or 2h "
                                "(at most 7 days): %s\n", argv[i]);
                return 2;
            }
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--shards") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v < 1 || v > MAX_SHARDS) {
                fprintf(stderr, "vindplaats-indexer: --shards: 1 to %d: %s\n", MAX_SHARDS, argv[i]);
                return 2;
            }
            shards = v;
        } else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
            vp_datetime dt;
            if (vp_datetime_parse(argv[++i], &dt) != 0) {
                fprintf(stderr, "vindplaats-indexer: --now: not an ISO 8601 date-time: %s\n",
                        argv[i]);
                return 2;
            }
            now = dt.utc;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "vindplaats-indexer: unknown or incomplete option %s\n", a);
            usage(stderr);
            return 2;
        } else if (!command) {
            command = a;
            /* segments has options of its own: it reads the command line itself. */
            if (strcmp(command, "segments") == 0)
                return cmd_segments(argc, argv);
        } else if (!file) {
            file = a;
        } else {
            fprintf(stderr, "vindplaats-indexer: unexpected argument %s\n", a);
            return 2;
        }
    }
    if (!command) {
        usage(stderr);
        return 2;
    }
    ha.now = now;
    if (strcmp(command, "sources") == 0) {
        if (!ha.config) {
            fprintf(stderr, "vindplaats-indexer: sources needs --config FILE\n");
            return 2;
        }
        vp_vocabulary *voc = NULL;
        vp_error verr = VP_ERROR_INIT;
        if (vp_vocabulary_load(voc_path, &voc, &verr) != VP_OK) {
            vp_error_print(stderr, "vindplaats-indexer: vocabulary", &verr);
            vp_error_clear(&verr);
            return 1;
        }
        int rc = vp_cmd_sources(&ha, index_path, voc);
        vp_vocabulary_destroy(voc);
        return rc;
    }
    if (strcmp(command, "harvest") == 0) {
        if (!ha.config && !ha.kind) {
            fprintf(stderr, "vindplaats-indexer: harvest needs --config FILE, or --kind and --url\n");
            return 2;
        }
        if (ha.kind && !ha.url) {
            fprintf(stderr, "vindplaats-indexer: harvest --kind needs --url URL\n");
            return 2;
        }
        if (ha.allow_private && !ha.kind) {
            fprintf(stderr, "vindplaats-indexer: --allow-private is for an ad-hoc --kind source; "
                            "a configured source says allow_private in the config\n");
            return 2;
        }
        if (ha.kind && ha.n_only) {
            fprintf(stderr, "vindplaats-indexer: --source picks from --config; an ad-hoc --kind "
                            "source is harvested alone\n");
            return 2;
        }
        vp_fetch_global_init();
        writer w;
        if (writer_open(&w, index_path, voc_path, words_path, now, shards) != 0)
            return 1;
        int rc = vp_cmd_harvest(&ha, w.idx, w.n, w.voc);
        if (shards > 1 && rc != 2 && write_spelling(index_path, shards) != 0)
            rc = 1;
        writer_close(&w);
        return rc;
    }
    int is_load = strcmp(command, "load") == 0, is_refresh = strcmp(command, "refresh") == 0;
    if (is_load && !file) {
        fprintf(stderr, "vindplaats-indexer: load needs a FILE.jsonl\n");
        return 2;
    }
    if (switch_path && !is_load) {
        fprintf(stderr, "vindplaats-indexer: --switch goes with load\n");
        return 2;
    }
    if (is_load || is_refresh) {
        /* Read when a writer opens; a value the operator set stands. */
        if (is_load)
            setenv("XAPIAN_FLUSH_THRESHOLD", VP_LOAD_FLUSH_EVERY, 0);
        writer w;
        if (writer_open(&w, index_path, voc_path, words_path, now, shards) != 0)
            return 1;
        int usable = 0;
        int rc = is_load ? cmd_load(file, &w, &usable) : cmd_refresh(index_path, &w);
        if (shards > 1 && write_spelling(index_path, shards) != 0)
            rc = 1;
        writer_close(&w);
        if (switch_path) {
            if (!usable) {
                fprintf(stderr, "vindplaats-indexer: %s: not switched to %s: the load did not "
                        "succeed\n", switch_path, index_path);
                return 1;
            }
            /* An absolute target: the link may live in another directory. */
            char *target = realpath(index_path, NULL);
            int failed = !target || switch_link(switch_path, target) != 0;
            if (!target)
                fprintf(stderr, "vindplaats-indexer: %s: %s\n", index_path, strerror(errno));
            free(target);
            if (failed)
                return 1;
        }
        return rc;
    }
    fprintf(stderr, "vindplaats-indexer: unknown command %s\n", command);
    usage(stderr);
    return 2;
}
