/* vindplaats-indexer - fills the shared index. This main() only parses
 * the command line and wires the indexer library to the engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/index.h"
#include "vindplaats/lexicon.h"
#include "vindplaats/load.h"
#include "vindplaats/vocabulary.h"

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
            "                          [--words FILE]\n"
            "       vindplaats-indexer segments check|import FILE [--segments FILE]\n"
            "                          [--out FILE] [--vocabulary FILE]\n"
            "\n"
            "Commands:\n"
            "  load FILE   index offerings in their JSON form, one per line ('-' reads\n"
            "              standard input); bad lines are reported as FILE:LINE: field:\n"
            "              message and skipped, the rest is indexed\n"
            "  segments check FILE   validate a PC4 table of segment shares (docs/segments.md);\n"
            "              bad rows are reported as FILE:LINE: message\n"
            "  segments import FILE  the same, and write the valid rows, normalised, to\n"
            "              --out in one step (see vindplaats-indexer segments --help)\n"
            "\n"
            "Options:\n"
            "  --index DIR        the index directory (default: index)\n"
            "  --vocabulary FILE  the proposition vocabulary (default: %s)\n"
            "  --words FILE       Dutch word list for splitting compounds (default: %s)\n"
            "  --help             this text\n"
            "\n"
            "Exit status: 0 when every line was indexed, 1 when any line was rejected or\n"
            "the load failed, 2 for a usage error.\n",
            VP_DEFAULT_VOCABULARY, VP_DEFAULT_WORDS);
}

static int cmd_load(const char *file, const char *index_path, const char *voc_path,
                    const char *words_path)
{
    int rc = 1;
    char *err = NULL;
    vp_vocabulary *voc = NULL;
    vp_lexicon *lex = NULL;
    vp_index *idx = NULL;
    FILE *in = NULL;
    vp_status st = vp_vocabulary_load(voc_path, &voc, &err);
    if (st != VP_OK) {
        fprintf(stderr, "vindplaats-indexer: vocabulary: %s\n", err ? err : vp_status_str(st));
        goto done;
    }
    vp_lexicon_files files = {words_path, NULL, NULL, NULL};
    st = vp_lexicon_load(&files, voc, &lex, &err);
    if (st != VP_OK) {
        fprintf(stderr, "vindplaats-indexer: word list: %s\n", err ? err : vp_status_str(st));
        goto done;
    }
    in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (!in) {
        fprintf(stderr, "vindplaats-indexer: %s: %s\n", file, strerror(errno));
        goto done;
    }
    st = vp_index_open(index_path, VP_INDEX_WRITE, voc, &idx, &err);
    if (st == VP_ERR_LOCKED) {
        fprintf(stderr,
                "vindplaats-indexer: %s: another indexer is writing this index; "
                "try again when it has finished\n",
                index_path);
        goto done;
    }
    if (st != VP_OK) {
        fprintf(stderr, "vindplaats-indexer: %s: %s\n", index_path, err ? err : vp_status_str(st));
        goto done;
    }
    vp_index_set_lexicon(idx, lex);
    vp_load_stats stats;
    st = vp_load_jsonl(idx, voc, in, file, stderr, &stats, &err);
    if (st != VP_OK) {
        fprintf(stderr, "vindplaats-indexer: %s: load failed: %s\n", file,
                err ? err : vp_status_str(st));
    }
    fprintf(stderr, "%s: read %llu, indexed %llu, rejected %llu, %.2f s\n", file,
            (unsigned long long)stats.read, (unsigned long long)stats.indexed,
            (unsigned long long)stats.rejected, stats.seconds);
    rc = st == VP_OK && stats.rejected == 0 ? 0 : 1;
done:
    if (in && in != stdin)
        fclose(in);
    vp_index_close(idx);
    vp_lexicon_destroy(lex);
    vp_vocabulary_destroy(voc);
    free(err);
    return rc;
}

int main(int argc, char **argv)
{
    const char *index_path = "index", *voc_path = VP_DEFAULT_VOCABULARY;
    const char *words_path = VP_DEFAULT_WORDS;
    const char *command = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--index") == 0 && i + 1 < argc) {
            index_path = argv[++i];
        } else if (strcmp(a, "--vocabulary") == 0 && i + 1 < argc) {
            voc_path = argv[++i];
        } else if (strcmp(a, "--words") == 0 && i + 1 < argc) {
            words_path = argv[++i];
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
    if (strcmp(command, "load") == 0) {
        if (!file) {
            fprintf(stderr, "vindplaats-indexer: load needs a FILE.jsonl\n");
            return 2;
        }
        return cmd_load(file, index_path, voc_path, words_path);
    }
    fprintf(stderr, "vindplaats-indexer: unknown command %s\n", command);
    usage(stderr);
    return 2;
}
