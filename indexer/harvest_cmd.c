/* harvest_cmd.c - `vindplaats-indexer harvest` and `sources`. */
#define _DEFAULT_SOURCE /* strndup */
#include "harvest_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vindplaats/config.h"
#include "harvest_run.h"
#include "vindplaats/normalise.h"

static void print_summary(FILE *out, const vp_harvest_stats *s, size_t n, int json)
{
    if (json) {
        json_t *all = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(all, vp_harvest_stats_json(&s[i]));
        json_t *doc = json_pack("{s:o}", "sources", all);
        char *text = json_dumps(doc, JSON_INDENT(2));
        if (text)
            fprintf(out, "%s\n", text);
        free(text);
        json_decref(doc);
        return;
    }
    fprintf(out, "%-24s %8s %8s %8s %8s %9s %8s %8s %8s  %s\n", "source", "fetched", "records",
            "added", "updated", "unchanged", "deleted", "rejected", "seconds", "result");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%-24s %8llu %8llu %8llu %8llu %9llu %8llu %8llu %8.2f  %s\n", s[i].source,
                (unsigned long long)s[i].fetched, (unsigned long long)s[i].records,
                (unsigned long long)s[i].added, (unsigned long long)s[i].updated,
                (unsigned long long)s[i].unchanged, (unsigned long long)s[i].deleted,
                (unsigned long long)s[i].rejected, s[i].seconds,
                s[i].error ? s[i].error : s[i].not_modified ? "not modified" : "ok");
}

/* The ad-hoc source of --kind/--url/... */
static int adhoc_source(const vp_harvest_args *a, vp_source *s)
{
    memset(s, 0, sizeof *s);
    char name[VP_SOURCE_NAME_MAX + 1];
    if (a->name)
        snprintf(name, sizeof name, "%s", a->name);
    else
        vp_source_name_from_url(a->url, name);
    s->name = strdup(name);
    s->kind = strdup(a->kind);
    s->url = strdup(a->url);
    s->library = a->library ? strdup(a->library) : NULL;
    s->branch = a->branch ? strdup(a->branch) : NULL;
    s->type = a->type ? strdup(a->type) : NULL;
    s->proposition = a->proposition ? strdup(a->proposition) : NULL;
    s->allow_file = a->allow_file;
    if (a->allow_private && !strcmp(a->allow_private, "yes")) {
        s->allow_private.all = 1;
    } else if (a->allow_private) {
        vp_error why = VP_ERROR_INIT;
        if (vp_address_allow_parse(a->allow_private, &s->allow_private, &why) != VP_OK) {
            vp_error_print(stderr, "vindplaats-indexer: --allow-private", &why);
            vp_error_clear(&why);
            return -1;
        }
    }
    for (size_t i = 0; i < a->n_options; i++) {
        const char *eq = strchr(a->options[i], '=');
        if (!eq || eq == a->options[i]) {
            fprintf(stderr, "vindplaats-indexer: --option %s: expected KEY=VALUE\n", a->options[i]);
            return -1;
        }
        char *key = strndup(a->options[i], (size_t)(eq - a->options[i]));
        int rc = key ? vp_source_add_option(s, key, eq + 1) : -1;
        free(key);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int vp_cmd_harvest(const vp_harvest_args *a, vp_index *const *shards, size_t n_shards,
                   const vp_vocabulary *voc)
{
    vp_harvest_config *cfg = NULL;
    vp_source adhoc;
    memset(&adhoc, 0, sizeof adhoc);
    const vp_source **run = NULL;
    size_t n_run = 0;
    int rc = 0;
    if (a->config) {
        vp_error cerr = VP_ERROR_INIT;
        vp_status st = vp_config_load(a->config, voc, &cfg, &cerr);
        if (st != VP_OK) {
            cerr.status = st;
            vp_error_print(stderr, NULL, &cerr);
            vp_error_clear(&cerr);
            return 2;
        }
    }
    if (a->kind) {
        if (adhoc_source(a, &adhoc) != 0) {
            vp_source_clear(&adhoc);
            vp_config_destroy(cfg);
            return 2;
        }
        vp_error serr = VP_ERROR_INIT;
        if (vp_source_check(&adhoc, cfg ? cfg->network : NULL, voc, &serr) != VP_OK) {
            vp_error_print(stderr, "vindplaats-indexer", &serr);
            vp_error_clear(&serr);
            vp_source_clear(&adhoc);
            vp_config_destroy(cfg);
            return 2;
        }
        run = malloc(sizeof *run);
        run[n_run++] = &adhoc;
        if (!a->name && !a->json)
            fprintf(stderr, "vindplaats-indexer: source name %s (from the URL; --name NAME sets "
                            "another)\n", adhoc.name);
    } else {
        run = calloc(cfg->n_sources + 1, sizeof *run);
        for (size_t i = 0; i < a->n_only; i++) {
            const vp_source *s = vp_config_source(cfg, a->only[i]);
            if (!s) {
                fprintf(stderr, "vindplaats-indexer: %s: no source named \"%s\"\n", a->config, a->only[i]);
                rc = 2;
            }
            run[n_run++] = s;
        }
        if (!a->n_only)
            for (size_t i = 0; i < cfg->n_sources; i++)
                run[n_run++] = &cfg->sources[i];
    }
    vp_normaliser *norm = NULL;
    if (rc == 0 && vp_normaliser_create(voc, cfg ? cfg->network : NULL, cfg ? cfg->aliases : NULL,
                                        cfg ? cfg->n_aliases : 0, &norm) != VP_OK) {
        fprintf(stderr, "vindplaats-indexer: out of memory\n");
        rc = 1;
    }
    vp_harvest_stats *stats = calloc(n_run + 1, sizeof *stats);
    vp_harvest_options opt;
    memset(&opt, 0, sizeof opt);
    opt.full = a->full;
    opt.now = a->now;
    opt.report = stderr;
    opt.progress = !a->json && isatty(2);
    vp_fetch_options_default(&opt.fetch);
    if (a->fetch_timeout_ms > 0) {
        opt.fetch.total_timeout_ms = a->fetch_timeout_ms;
        if (opt.fetch.stall_timeout_ms > a->fetch_timeout_ms)
            opt.fetch.stall_timeout_ms = a->fetch_timeout_ms;
    }
    opt.deadline_s = a->deadline_s;
    if (a->retries >= 0) {
        opt.fetch.retries = a->retries ? a->retries : -1;
        opt.fetch.backoff_ms = 200;
    }
    size_t done = 0;
    for (size_t i = 0; rc == 0 && i < n_run; i++) {
        /* One failing source never stops the others. */
        if (vp_harvest_source(shards, n_shards, norm, run[i], &opt, &stats[i]) != VP_OK) {
            fprintf(stderr, "vindplaats-indexer: source %s failed: %s\n", run[i]->name,
                    stats[i].error ? stats[i].error : "error");
            rc = 1;
            for (size_t k = i + 1; k < n_run; k++) {
                if (vp_harvest_source(shards, n_shards, norm, run[k], &opt, &stats[k]) != VP_OK)
                    fprintf(stderr, "vindplaats-indexer: source %s failed: %s\n", run[k]->name,
                            stats[k].error ? stats[k].error : "error");
            }
            done = n_run;
            break;
        }
        done = i + 1;
    }
    if (done)
        print_summary(stdout, stats, done, a->json);
    for (size_t i = 0; i < n_run; i++)
        vp_harvest_stats_clear(&stats[i]);
    free(stats);
    vp_normaliser_destroy(norm);
    free(run);
    vp_source_clear(&adhoc);
    vp_config_destroy(cfg);
    return rc;
}

int vp_cmd_sources(const vp_harvest_args *a, const char *index_path, const vp_vocabulary *voc)
{
    vp_harvest_config *cfg = NULL;
    char *err = NULL;
    vp_error cerr = VP_ERROR_INIT;
    vp_status st = vp_config_load(a->config, voc, &cfg, &cerr);
    if (st != VP_OK) {
        cerr.status = st;
        vp_error_print(stderr, NULL, &cerr);
        vp_error_clear(&cerr);
        return 2;
    }
    vp_index *idx = NULL;
    vp_error e = VP_ERROR_INIT;
    st = vp_index_open(index_path, VP_INDEX_READ, voc, &idx, &e);
    if (st != VP_OK && st != VP_ERR_NOT_FOUND) {
        vp_error_print(stderr, "vindplaats-indexer", &e); /* "PATH: message" */
        vp_error_clear(&e);
        free(err);
        vp_config_destroy(cfg);
        return 1;
    }
    vp_error_clear(&e);
    free(err);
    json_t *all = json_array();
    if (!a->json)
        printf("%-24s %-8s %-21s %9s  %s\n", "source", "kind", "last harvest", "records", "last error");
    for (size_t i = 0; i < cfg->n_sources; i++) {
        const vp_source *s = &cfg->sources[i];
        char key[300], *value = NULL;
        snprintf(key, sizeof key, "harvest:%s", s->name);
        json_t *rec = NULL;
        if (idx && vp_index_get_meta(idx, key, &value, NULL) == VP_OK && value && *value)
            rec = json_loads(value, 0, NULL);
        free(value);
        const char *when = json_string_value(json_object_get(rec, "last_harvest"));
        const char *error = json_string_value(json_object_get(rec, "last_error"));
        json_int_t records = json_integer_value(json_object_get(rec, "records"));
        if (a->json) {
            json_array_append_new(all, json_pack("{s:s, s:s, s:s, s:s?, s:I, s:s?}", "source", s->name,
                                                 "kind", s->kind, "url", s->url, "last_harvest", when,
                                                 "records", records, "last_error", error));
        } else {
            printf("%-24s %-8s %-21s %9lld  %s\n", s->name, s->kind, when ? when : "never",
                   (long long)records, error ? error : "");
        }
        json_decref(rec);
    }
    if (a->json) {
        char *text = json_dumps(all, JSON_INDENT(2));
        if (text)
            printf("%s\n", text);
        free(text);
    }
    json_decref(all);
    vp_index_close(idx);
    vp_config_destroy(cfg);
    return 0;
}
