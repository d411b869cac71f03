/* index.c - writing offerings into the Xapian index and reading them back.
 *
 * Each offering becomes one document: its JSON form as data, folded text
 * under field weights (schema.h), boolean terms for every filter, one term
 * per local day and month of every occurrence (date filters on terms stay
 * fast where value ranges do not), and value slots for sorting and facets. */
#include "vindplaats/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "vindplaats/analysis.h"
#include "vindplaats/buf.h"
#include "xapian_c.h"

#define MAX_DAYS_PER_OCCURRENCE 366
#define MAX_DAYS_PER_OFFERING 3660

struct vp_index {
    vpx_db *db;
    int writable;
    const vp_vocabulary *voc;
};

const char *const vp_field_prefix[VP_FIELD_COUNT] = {
    [VP_FIELD_TYPE] = "XT",        [VP_FIELD_LIBRARY] = "XL",
    [VP_FIELD_PROPOSITION] = "XP", [VP_FIELD_AUDIENCE] = "XA",
    [VP_FIELD_CHANNEL] = "XC",     [VP_FIELD_BRANCH] = "XB",
    [VP_FIELD_MUNICIPALITY] = "XM", [VP_FIELD_SOCIETAL_TASK] = "XK",
    [VP_FIELD_LANGUAGE] = "L",
};

vp_status vp_index_open(const char *path, vp_index_mode mode, const vp_vocabulary *voc,
                        vp_index **out, char **errmsg)
{
    vp_index *idx = calloc(1, sizeof *idx);
    if (!idx)
        return VP_ERR_NOMEM;
    vp_status st = vpx_db_open(path, mode == VP_INDEX_WRITE, &idx->db, errmsg);
    if (st != VP_OK) {
        free(idx);
        return st;
    }
    idx->writable = mode == VP_INDEX_WRITE;
    idx->voc = voc;
    *out = idx;
    return VP_OK;
}

void vp_index_close(vp_index *idx)
{
    if (!idx)
        return;
    vpx_db_close(idx->db);
    free(idx);
}

const vp_vocabulary *vp_index_vocabulary(const vp_index *idx)
{
    return idx->voc;
}

static vp_status add_term(vpx_doc *doc, const char *prefix, const char *value, char **errmsg)
{
    if (!value || !*value)
        return VP_OK;
    vp_buf t;
    vp_buf_init(&t, 4096);
    vp_status st = vp_buf_printf(&t, "%s%s", prefix, value);
    if (st == VP_OK)
        st = vpx_doc_add_boolean_term(doc, t.data, errmsg);
    vp_buf_free(&t);
    return st;
}

static vp_status add_text(vpx_doc *doc, const char *text, unsigned weight, const char *prefix,
                          char **errmsg)
{
    if (!text || !*text)
        return VP_OK;
    char *folded = vp_text_fold(text, 0);
    if (!folded)
        return VP_ERR_NOMEM;
    vp_status st = vpx_doc_index_text(doc, folded, weight, prefix, errmsg);
    free(folded);
    return st;
}

/* Day and month terms for every local day an occurrence touches. */
static vp_status add_date_terms(vpx_doc *doc, const vp_offering *o, char **errmsg)
{
    size_t total = 0;
    for (size_t i = 0; i < o->n_occurrences && total < MAX_DAYS_PER_OFFERING; i++) {
        const vp_occurrence *oc = &o->occurrences[i];
        int64_t first = vp_day_to_epoch(vp_datetime_local_day(&oc->start));
        int64_t last = oc->end.set ? vp_day_to_epoch(vp_datetime_local_day(&oc->end)) : first;
        /* An end at local midnight belongs to the day before. */
        if (oc->end.set && !oc->end.all_day && last > first &&
            (oc->end.utc + oc->end.offset_min * 60) % 86400 == 0)
            last--;
        if (last - first >= MAX_DAYS_PER_OCCURRENCE)
            last = first + MAX_DAYS_PER_OCCURRENCE - 1;
        for (int64_t d = first; d <= last && total < MAX_DAYS_PER_OFFERING; d++, total++) {
            char term[16];
            int day = vp_day_from_epoch(d);
            snprintf(term, sizeof term, PFX_DAY "%08d", day);
            vp_status st = vpx_doc_add_boolean_term(doc, term, errmsg);
            if (st == VP_OK) {
                snprintf(term, sizeof term, PFX_MONTH "%06d", day / 100);
                st = vpx_doc_add_boolean_term(doc, term, errmsg);
            }
            if (st != VP_OK)
                return st;
        }
    }
    return VP_OK;
}

static void utc_key(int64_t utc, char out[32])
{
    int64_t days = utc >= 0 ? utc / 86400 : -((-utc + 86399) / 86400);
    int64_t secs = utc - days * 86400;
    snprintf(out, 32, "%08d%02d%02d%02d", vp_day_from_epoch(days), (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

static vp_status build_document(const vp_index *idx, const vp_offering *o, vpx_doc *doc,
                                char **errmsg)
{
    vp_status st = vpx_doc_set_data(doc, o->json, errmsg);
    const vp_proposition *prop = vp_vocabulary_get(idx->voc, o->proposition);
    const char *task = o->societal_task ? o->societal_task : prop ? prop->societal_task : NULL;

    /* Text, most important first so its positions are lowest. */
    if (st == VP_OK)
        st = add_text(doc, o->title, WEIGHT_TITLE, "", errmsg);
    if (st == VP_OK)
        st = add_text(doc, o->title, 1, PFX_TITLE, errmsg);
    if (st == VP_OK)
        st = add_text(doc, o->local_name, WEIGHT_PROPOSITION, "", errmsg);
    if (st == VP_OK && prop)
        st = add_text(doc, prop->name, WEIGHT_PROPOSITION, "", errmsg);
    for (size_t i = 0; st == VP_OK && i < o->subjects.count; i++) {
        st = add_text(doc, o->subjects.items[i], WEIGHT_SUBJECT, "", errmsg);
        if (st == VP_OK)
            st = add_text(doc, o->subjects.items[i], 1, PFX_SUBJECT, errmsg);
    }
    for (size_t i = 0; st == VP_OK && i < o->creators.count; i++) {
        st = add_text(doc, o->creators.items[i], WEIGHT_SUBJECT, "", errmsg);
        if (st == VP_OK)
            st = add_text(doc, o->creators.items[i], 1, PFX_CREATOR, errmsg);
    }
    if (st == VP_OK)
        st = add_text(doc, o->description, WEIGHT_DESCRIPTION, "", errmsg);
    const char *places[] = {o->municipality, o->library_name, o->branch_name};
    for (size_t i = 0; st == VP_OK && i < 3; i++)
        st = add_text(doc, places[i], WEIGHT_PLACE, "", errmsg);

    /* Filters. */
    char *municipality = o->municipality ? vp_text_fold(o->municipality, 1) : NULL;
    if (o->municipality && !municipality)
        return VP_ERR_NOMEM;
    const char *single[][2] = {
        {PFX_ID, o->id},
        {vp_field_prefix[VP_FIELD_TYPE], o->type},
        {vp_field_prefix[VP_FIELD_LIBRARY], o->library},
        {vp_field_prefix[VP_FIELD_BRANCH], o->branch},
        {vp_field_prefix[VP_FIELD_MUNICIPALITY], municipality},
        {vp_field_prefix[VP_FIELD_PROPOSITION], o->proposition},
        {vp_field_prefix[VP_FIELD_SOCIETAL_TASK], task},
        {vp_field_prefix[VP_FIELD_CHANNEL], o->channel},
        {vp_field_prefix[VP_FIELD_LANGUAGE], o->language},
    };
    for (size_t i = 0; st == VP_OK && i < sizeof single / sizeof single[0]; i++)
        st = add_term(doc, single[i][0], single[i][1], errmsg);
    free(municipality);
    for (size_t i = 0; st == VP_OK && i < o->audience_groups.count; i++)
        st = add_term(doc, vp_field_prefix[VP_FIELD_AUDIENCE], o->audience_groups.items[i],
                      errmsg);
    if (st == VP_OK)
        st = add_date_terms(doc, o, errmsg);

    /* Values for sorting and facets. */
    char key[32] = "~";
    if (o->start.set)
        utc_key(o->start.utc, key);
    if (st == VP_OK)
        st = vpx_doc_set_value(doc, SLOT_START, key, errmsg);
    const struct {
        unsigned slot;
        const char *value;
    } values[] = {{SLOT_TYPE, o->type},
                  {SLOT_LIBRARY, o->library},
                  {SLOT_PROPOSITION, o->proposition},
                  {SLOT_CHANNEL, o->channel}};
    for (size_t i = 0; st == VP_OK && i < sizeof values / sizeof values[0]; i++)
        if (values[i].value)
            st = vpx_doc_set_value(doc, values[i].slot, values[i].value, errmsg);
    for (size_t g = 0; st == VP_OK && vp_offering_audiences[g]; g++)
        for (size_t i = 0; i < o->audience_groups.count; i++)
            if (strcmp(o->audience_groups.items[i], vp_offering_audiences[g]) == 0) {
                st = vpx_doc_set_value(doc, SLOT_AUDIENCE + (unsigned)g,
                                       vp_offering_audiences[g], errmsg);
                break;
            }
    return st;
}

vp_status vp_index_put(vp_index *idx, const vp_offering *o, char **errmsg)
{
    if (!idx->writable)
        return VP_ERR_INVALID;
    vpx_doc *doc = NULL;
    vp_buf uid;
    vp_buf_init(&uid, 4096);
    vp_status st = vpx_doc_create(VP_STEM_LANGUAGE, &doc, errmsg);
    if (st == VP_OK)
        st = build_document(idx, o, doc, errmsg);
    if (st == VP_OK)
        st = vp_buf_printf(&uid, PFX_ID "%s", o->id);
    if (st == VP_OK)
        st = vpx_db_replace(idx->db, uid.data, doc, errmsg);
    vp_buf_free(&uid);
    vpx_doc_destroy(doc);
    return st;
}

vp_status vp_index_delete(vp_index *idx, const char *id, char **errmsg)
{
    vp_buf uid;
    vp_buf_init(&uid, 4096);
    vp_status st = vp_buf_printf(&uid, PFX_ID "%s", id);
    if (st == VP_OK)
        st = vpx_db_delete(idx->db, uid.data, errmsg);
    vp_buf_free(&uid);
    return st;
}

vp_status vp_index_set_meta(vp_index *idx, const char *key, const char *value, char **errmsg)
{
    return vpx_db_set_metadata(idx->db, key, value, errmsg);
}

vp_status vp_index_commit(vp_index *idx, char **errmsg)
{
    return vpx_db_commit(idx->db, errmsg);
}

vp_status vp_index_get_meta(vp_index *idx, const char *key, char **value, char **errmsg)
{
    return vpx_db_get_metadata(idx->db, key, value, errmsg);
}

vp_status vp_index_get(vp_index *idx, const char *id, char **json, char **errmsg)
{
    vp_buf uid;
    vp_buf_init(&uid, 4096);
    vp_status st = vp_buf_printf(&uid, PFX_ID "%s", id);
    if (st == VP_OK)
        st = vpx_db_get_data(idx->db, uid.data, json, errmsg);
    vp_buf_free(&uid);
    return st;
}

vp_status vp_index_stats(vp_index *idx, uint64_t *revision, uint64_t *documents, char **errmsg)
{
    return vpx_db_stats(idx->db, revision, documents, errmsg);
}

vp_status vp_index_refresh(vp_index *idx, char **errmsg)
{
    return vpx_db_reopen(idx->db, errmsg);
}

vpx_db *vp_index_db(vp_index *idx)
{
    return idx->db;
}
