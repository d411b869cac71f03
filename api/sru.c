/* sru.c - SRU 1.2 and 2.0 at /sru (sru.h): reading the request, CQL onto
 * a structured query, and the XML answer.
 *
 * The CQL is parsed by YAZ's parser in strict mode (CQL 1.2 grammar, where
 * "exact" and "within" are relations); its tree is mapped node by node onto
 * a vp_sq_node tree whose strings stay in the parser's or the request's
 * NMEM until the request is destroyed. The first problem found becomes the
 * request's diagnostic, with the standard number. Answers are written with
 * libxml2's text writer; a record is written to its own buffer first, so
 * that recordPacking=string (1.2) or recordXMLEscaping=string (2.0) can
 * send it as escaped text. */
#include "vindplaats/sru.h"

#include <ctype.h>
#include <jansson.h>
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaz/cql.h>
#include <yaz/diagsrw.h>
#include <yaz/nmem.h>
#include <yaz/srw.h>

#include "api.h"
#include "vindplaats/analysis.h"
#include "vindplaats/offering.h"
#include "vindplaats/structured.h"

#define NS_SRU12 "http://www.loc.gov/zing/srw/"
#define NS_DIAG12 "http://www.loc.gov/zing/srw/diagnostic/"
#define NS_SRU20 "http://docs.oasis-open.org/ns/search-ws/sruResponse"
#define NS_DIAG20 "http://docs.oasis-open.org/ns/search-ws/diagnostic"
#define NS_ZEEREX "http://explain.z3950.org/dtd/2.0/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_SRW_DC "info:srw/schema/1/dc-schema"
#define NS_MARC "http://www.loc.gov/MARC21/slim"
#define DIAG_PREFIX "info:srw/diagnostic/1/"
#define SCHEMA_DIAG "info:srw/schema/1/diagnostics-v1.1"
#define MAX_TERM 1000
#define MAX_BOOLEANS 64

/* Diagnostics used here (info:srw/diagnostic/1/N). */
enum {
    D_GENERAL = 1, D_UNSUPPORTED_OPERATION = 4, D_UNSUPPORTED_VERSION = 5,
    D_UNSUPPORTED_VALUE = 6, D_MANDATORY = 7, D_UNSUPPORTED_PARAMETER = 8,
    D_SYNTAX = 10, D_QUERY_TOO_LONG = 12, D_CONTEXT_SET = 15, D_INDEX = 16, D_RELATION = 19,
    D_RELATION_MODIFIER = 20, D_TERM_TOO_LONG = 23, D_EMPTY_TERM = 27, D_MASKING = 28,
    D_ANCHORING = 31, D_TERM_FORMAT = 36, D_BOOLEAN = 37, D_TOO_MANY_BOOLEANS = 38,
    D_BOOLEAN_MODIFIER = 46, D_FIRST_RECORD = 61, D_RECORD_UNAVAILABLE = 64,
    D_UNKNOWN_SCHEMA = 66, D_NOT_IN_SCHEMA = 67, D_PACKING = 71, D_XPATH = 72, D_SORT = 80,
    D_STYLESHEET = 110
};

typedef enum schema { SCHEMA_DC, SCHEMA_MARCXML, SCHEMA_OFFERING, SCHEMA_COUNT } schema;

static const struct {
    const char *name, *uri, *title;
} schemas[SCHEMA_COUNT] = {
    [SCHEMA_DC] = {"dc", "info:srw/schema/1/dc-v1.1", "Dublin Core"},
    [SCHEMA_MARCXML] = {"marcxml", "info:srw/schema/1/marcxml-v1.1",
                        "MARCXML (books, e-books and audiobooks only)"},
    [SCHEMA_OFFERING] = {"offering", "info:srw/schema/vindplaats-offering",
                         "The offering's own JSON form (docs/offering.md)"},
};

/* Context sets: short name and identifier. */
static const struct {
    const char *name, *uri;
} sets[] = {
    {"cql", "info:srw/cql-context-set/1/cql-v1.2"},
    {"dc", "info:srw/cql-context-set/1/dc-v1.1"},
    {"bath", "http://zing.z3950.org/cql/bath/2.0/"},
    {"vp", "info:srw/cql-context-set/vindplaats"},
};
#define N_SETS (sizeof sets / sizeof sets[0])

/* The indexes: set, name, field, and a description for explain. */
static const struct {
    const char *set, *name;
    vp_sq_field field;
    const char *title;
} indexes[] = {
    {"cql", "serverChoice", VP_SQ_ANY, "Any words: title, names, subjects, description, places"},
    {"cql", "anywhere", VP_SQ_ANY, NULL},
    {"cql", "keywords", VP_SQ_ANY, NULL},
    {"cql", "allIndexes", VP_SQ_ANY, NULL},
    {"cql", "allRecords", VP_SQ_ALL_RECORDS, "Every offering (cql.allRecords = 1)"},
    {"dc", "title", VP_SQ_TITLE, "Title"},
    {"dc", "creator", VP_SQ_CREATOR, "Author or maker"},
    {"dc", "subject", VP_SQ_SUBJECT, "Subject"},
    {"dc", "date", VP_SQ_DATE, "Date of any occurrence: YYYY, YYYY-MM or YYYY-MM-DD"},
    {"dc", "identifier", VP_SQ_IDENTIFIER, "Offering id or ISBN"},
    {"dc", "type", VP_SQ_TYPE,
     "Type: course, event, activity, ebook, audiobook, book, service (or text, sound)"},
    {"bath", "isbn", VP_SQ_ISBN, "ISBN-10 or ISBN-13"},
    {"vp", "library", VP_SQ_LIBRARY, "Library organisation id"},
    {"vp", "proposition", VP_SQ_PROPOSITION, "Proposition id (the network's vocabulary)"},
    {"vp", "municipality", VP_SQ_MUNICIPALITY, "Municipality"},
};
#define N_INDEXES (sizeof indexes / sizeof indexes[0])

/* Parameters every version knows, then those of one version. */
static const char *const known_params[] = {
    "operation", "version", "query", "startRecord", "maximumRecords", "recordPacking",
    "recordSchema", "recordXPath", "resultSetTTL", "sortKeys", "stylesheet",
    "extraRequestData", "queryType", "recordXMLEscaping", "renderedBy", "httpAccept",
    "responseType", NULL};

struct vp_sru_request {
    NMEM nmem;
    CQL_parser parser;
    int version;          /* 12 or 20 */
    int search;           /* searchRetrieve */
    int diag;
    const char *details;
    unsigned start;       /* 1-based */
    unsigned maximum;
    schema schema;
    int as_string;        /* records escaped as text */
    vp_sq_node *root;
    size_t n_nodes;
    int n_booleans;
};

static int set_diag(vp_sru_request *rq, int code, const char *details)
{
    if (!rq->diag) {
        rq->diag = code;
        rq->details = details ? nmem_strdup(rq->nmem, details) : NULL;
    }
    return -1;
}

/* ---- CQL onto the structured query ---- */

static vp_sq_node *new_node(vp_sru_request *rq)
{
    if (rq->n_nodes >= VP_SQ_MAX_NODES) {
        set_diag(rq, D_TOO_MANY_BOOLEANS, "too many terms in one query");
        return NULL;
    }
    rq->n_nodes++;
    vp_sq_node *n = nmem_malloc(rq->nmem, sizeof *n);
    memset(n, 0, sizeof *n);
    return n;
}

/* The field an index names (with its context set resolved from a prefix
 * or a URI the query declared); -1 with the diagnostic set when none. */
static int find_index(vp_sru_request *rq, const char *index, const char *uri)
{
    const char *set = NULL, *name = index;
    const char *dot = strchr(index, '.');
    char prefix[64];
    if (uri) {
        for (size_t i = 0; i < N_SETS && !set; i++)
            if (strcasecmp(uri, sets[i].uri) == 0)
                set = sets[i].name;
        if (!set)
            return set_diag(rq, D_CONTEXT_SET, uri);
        if (dot)
            name = dot + 1;
    } else if (dot) {
        size_t n = (size_t)(dot - index);
        if (n >= sizeof prefix)
            return set_diag(rq, D_CONTEXT_SET, index);
        memcpy(prefix, index, n);
        prefix[n] = '\0';
        for (size_t i = 0; i < N_SETS && !set; i++)
            if (strcasecmp(prefix, sets[i].name) == 0)
                set = sets[i].name;
        if (!set)
            return set_diag(rq, D_CONTEXT_SET, prefix);
        name = dot + 1;
    }
    /* Without a set: the first set that has the name. */
    for (size_t i = 0; i < N_INDEXES; i++)
        if ((!set || strcmp(set, indexes[i].set) == 0) && strcasecmp(name, indexes[i].name) == 0)
            return (int)indexes[i].field;
    return set_diag(rq, D_INDEX, index);
}

/* The relation as a match; -1 when the field does not take it. Dates are
 * settled by the caller. */
static int find_match(vp_sq_field field, const char *rel)
{
    if (strncasecmp(rel, "cql.", 4) == 0)
        rel += 4;
    if (field == VP_SQ_ALL_RECORDS)
        return VP_SQ_ALL_WORDS;
    int text = field == VP_SQ_ANY || field == VP_SQ_TITLE || field == VP_SQ_CREATOR ||
               field == VP_SQ_SUBJECT;
    if (strcmp(rel, "=") == 0)
        return text ? VP_SQ_ALL_WORDS : VP_SQ_EXACT;
    if (strcasecmp(rel, "all") == 0)
        return VP_SQ_ALL_WORDS;
    if (strcasecmp(rel, "any") == 0)
        return VP_SQ_ANY_WORD;
    if (strcasecmp(rel, "adj") == 0)
        return text ? VP_SQ_PHRASE : VP_SQ_EXACT;
    if (strcmp(rel, "==") == 0 || strcasecmp(rel, "exact") == 0)
        return VP_SQ_EXACT;
    return -1;
}

/* Days of "YYYY", "YYYY-MM" or "YYYY-MM-DD": the first and the last. */
static int parse_date(const char *s, int *first, int *last)
{
    int y = 0, m = 0, d = 0;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] == '-' && (i == 4 || i == 7)))
            return -1;
    if (n == 4)
        y = atoi(s);
    else if (n == 7 && s[4] == '-')
        y = atoi(s), m = atoi(s + 5);
    else if (n == 10 && s[4] == '-' && s[7] == '-')
        y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    else
        return -1;
    if (y < 1000 || (n > 4 && (m < 1 || m > 12)))
        return -1;
    *first = y * 10000 + (m ? m : 1) * 100 + (d ? d : 1);
    if (d)
        *last = *first;
    else if (m)
        *last = vp_day_from_epoch(
            vp_day_to_epoch(m == 12 ? (y + 1) * 10000 + 101 : y * 10000 + (m + 1) * 100 + 1) - 1);
    else
        *last = y * 10000 + 1231;
    return vp_day_valid(*first) && vp_day_valid(*last) ? 0 : -1;
}

static int map_date(vp_sru_request *rq, vp_sq_node *n, const char *rel, const char *term)
{
    int first = 0, last = 0;
    if (strncasecmp(rel, "cql.", 4) == 0)
        rel += 4;
    if (strcasecmp(rel, "within") == 0) {
        char a[16], b[16];
        int f2, l1;
        if (sscanf(term, "%15s %15s", a, b) != 2 || parse_date(a, &first, &l1) != 0 ||
            parse_date(b, &f2, &last) != 0 || last < first)
            return set_diag(rq, D_TERM_FORMAT, term);
        n->from_day = first;
        n->to_day = last;
        return 0;
    }
    if (parse_date(term, &first, &last) != 0)
        return set_diag(rq, D_TERM_FORMAT, term);
    if (strcmp(rel, "=") == 0 || strcmp(rel, "==") == 0 || strcasecmp(rel, "exact") == 0) {
        n->from_day = first;
        n->to_day = last;
    } else if (strcmp(rel, "<") == 0) {
        n->to_day = vp_day_from_epoch(vp_day_to_epoch(first) - 1);
    } else if (strcmp(rel, "<=") == 0) {
        n->to_day = last;
    } else if (strcmp(rel, ">") == 0) {
        n->from_day = vp_day_from_epoch(vp_day_to_epoch(last) + 1);
    } else if (strcmp(rel, ">=") == 0) {
        n->from_day = first;
    } else {
        return set_diag(rq, D_RELATION, rel);
    }
    return 0;
}

/* The term with CQL's escapes undone; masking '*' kept only at the end of
 * a word of a text field, '?' and anchoring '^' refused. */
static const char *map_term(vp_sru_request *rq, const char *term, int text_field)
{
    size_t n = strlen(term);
    if (n > MAX_TERM) {
        set_diag(rq, D_TERM_TOO_LONG, "at most 1000 bytes");
        return NULL;
    }
    char *out = nmem_malloc(rq->nmem, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = term[i];
        if (c == '\\' && i + 1 < n) {
            c = term[++i];
            /* An escaped mask or anchor is a plain character: no word. */
            out[k++] = strchr("*?^", c) ? ' ' : c;
            continue;
        }
        int word_end = i + 1 == n || isspace((unsigned char)term[i + 1]);
        if (c == '?' || (c == '*' && (!text_field || !word_end))) {
            set_diag(rq, D_MASKING, term);
            return NULL;
        }
        if (c == '^') {
            set_diag(rq, D_ANCHORING, term);
            return NULL;
        }
        out[k++] = c;
    }
    out[k] = '\0';
    return out;
}

/* dc.type's words of the DCMI type vocabulary, as our types. */
static const char *dc_type(const char *value)
{
    static const char *const map[][2] = {
        {"text", "book ebook"}, {"sound", "audiobook"}, {"event", "event course activity"},
        {"service", "service"}, {"interactiveresource", "ebook"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(value, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static vp_sq_node *map_node(vp_sru_request *rq, struct cql_node *cn, int depth)
{
    if (!cn)
        return set_diag(rq, D_SYNTAX, NULL), NULL;
    if (depth > VP_SQ_MAX_DEPTH)
        return set_diag(rq, D_TOO_MANY_BOOLEANS, "nested too deeply"), NULL;
    if (cn->which == CQL_NODE_SORT)
        return set_diag(rq, D_SORT, "sortby"), NULL;
    if (cn->which == CQL_NODE_BOOL) {
        const char *op = cn->u.boolean.value;
        vp_sq_kind kind = strcasecmp(op, "and") == 0  ? VP_SQ_AND
                          : strcasecmp(op, "or") == 0 ? VP_SQ_OR
                          : strcasecmp(op, "not") == 0 ? VP_SQ_NOT
                                                       : VP_SQ_TERM;
        if (kind == VP_SQ_TERM)
            return set_diag(rq, D_BOOLEAN, op), NULL;
        if (cn->u.boolean.modifiers)
            return set_diag(rq, D_BOOLEAN_MODIFIER, cn->u.boolean.modifiers->u.st.index), NULL;
        if (++rq->n_booleans > MAX_BOOLEANS)
            return set_diag(rq, D_TOO_MANY_BOOLEANS, "at most 64"), NULL;
        vp_sq_node *n = new_node(rq);
        if (!n)
            return NULL;
        n->kind = kind;
        n->left = map_node(rq, cn->u.boolean.left, depth + 1);
        n->right = n->left ? map_node(rq, cn->u.boolean.right, depth + 1) : NULL;
        return n->left && n->right ? n : NULL;
    }
    if (cn->which != CQL_NODE_ST)
        return set_diag(rq, D_SYNTAX, NULL), NULL;
    int field = find_index(rq, cn->u.st.index, cn->u.st.index_uri);
    if (field < 0)
        return NULL;
    /* Case and accents never matter here, and every answer is ranked. */
    for (struct cql_node *m = cn->u.st.modifiers; m; m = m->u.st.modifiers) {
        const char *name = m->u.st.index ? m->u.st.index : "";
        if (strncasecmp(name, "cql.", 4) == 0)
            name += 4;
        if (strcasecmp(name, "ignoreCase") != 0 && strcasecmp(name, "ignoreAccents") != 0 &&
            strcasecmp(name, "relevant") != 0)
            return set_diag(rq, D_RELATION_MODIFIER, name), NULL;
    }
    vp_sq_node *n = new_node(rq);
    if (!n)
        return NULL;
    n->kind = VP_SQ_TERM;
    n->field = (vp_sq_field)field;
    const char *rel = cn->u.st.relation ? cn->u.st.relation : "=";
    const char *term = cn->u.st.term ? cn->u.st.term : "";
    if (field == VP_SQ_ALL_RECORDS)
        return n;
    if (!term[strspn(term, " \t\r\n")])
        return set_diag(rq, D_EMPTY_TERM, NULL), NULL;
    if (field == VP_SQ_DATE)
        return map_date(rq, n, rel, term) == 0 ? n : NULL;
    int match = find_match(n->field, rel);
    if (match < 0)
        return set_diag(rq, D_RELATION, rel), NULL;
    n->match = (vp_sq_match)match;
    int text = field == VP_SQ_ANY || field == VP_SQ_TITLE || field == VP_SQ_CREATOR ||
               field == VP_SQ_SUBJECT;
    n->text = map_term(rq, term, text);
    if (n->text && field == VP_SQ_TYPE && dc_type(n->text)) {
        n->text = dc_type(n->text);
        n->match = VP_SQ_ANY_WORD;
    }
    return n->text ? n : NULL;
}

/* ---- the request ---- */

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    if (!*s || strlen(s) > 9)
        return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    unsigned long v = strtoul(s, NULL, 10);
    *out = v > max ? max : (unsigned)v;
    return 0;
}

static const char *param(const char *const *names, const char *const *values, size_t n,
                         const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            v = values[i];
    return v;
}

static void read_request(vp_sru_request *rq, const char *const *names,
                         const char *const *values, size_t n)
{
#define P(name) param(names, values, n, name)
    const char *version = P("version"), *operation = P("operation"), *query = P("query");
    rq->version = 20;
    if (version && (strcmp(version, "1.1") == 0 || strcmp(version, "1.2") == 0))
        rq->version = 12;
    else if (version && strcmp(version, "2.0") != 0) {
        /* Answered in the envelope of the major version asked for. */
        rq->version = version[0] == '1' ? 12 : 20;
        set_diag(rq, D_UNSUPPORTED_VERSION, rq->version == 12 ? "1.2" : "2.0");
    }
    rq->search = query != NULL;
    if (operation) {
        if (strcmp(operation, "searchRetrieve") == 0)
            rq->search = 1;
        else if (strcmp(operation, "explain") == 0)
            rq->search = 0;
        else
            set_diag(rq, D_UNSUPPORTED_OPERATION, operation);
    }
    for (size_t i = 0; i < n; i++) {
        if (!vp_utf8_valid(names[i], strlen(names[i])))
            set_diag(rq, D_UNSUPPORTED_PARAMETER, NULL);
        else if (strncmp(names[i], "x-", 2) != 0 && !vp_in_list(names[i], known_params))
            set_diag(rq, D_UNSUPPORTED_PARAMETER, names[i]);
        else if (!vp_utf8_valid(values[i], strlen(values[i])))
            set_diag(rq, D_UNSUPPORTED_VALUE, names[i]); /* and says it is not UTF-8 */
    }
    if (P("stylesheet"))
        set_diag(rq, D_STYLESHEET, P("stylesheet"));
    if (P("recordXPath"))
        set_diag(rq, D_XPATH, P("recordXPath"));
    if (P("sortKeys"))
        set_diag(rq, D_SORT, P("sortKeys"));
    if (!rq->search)
        return;
    const char *query_type = P("queryType");
    if (query_type && strcmp(query_type, "cql") != 0)
        set_diag(rq, D_UNSUPPORTED_VALUE, "queryType");
    rq->start = 1;
    rq->maximum = VP_SRU_DEFAULT_RECORDS;
    if (P("startRecord") &&
        (parse_uint(P("startRecord"), 1u << 30, &rq->start) != 0 || rq->start == 0))
        set_diag(rq, D_UNSUPPORTED_VALUE, "startRecord");
    if (P("maximumRecords") &&
        parse_uint(P("maximumRecords"), VP_SRU_MAX_RECORDS, &rq->maximum) != 0)
        set_diag(rq, D_UNSUPPORTED_VALUE, "maximumRecords");
    const char *sch = P("recordSchema");
    rq->schema = SCHEMA_DC;
    if (sch && *sch) {
        int found = -1;
        for (int s = 0; s < SCHEMA_COUNT; s++)
            if (strcmp(sch, schemas[s].name) == 0 || strcmp(sch, schemas[s].uri) == 0)
                found = s;
        if (found < 0)
            set_diag(rq, D_UNKNOWN_SCHEMA, sch);
        else
            rq->schema = (schema)found;
    }
    /* 1.2: recordPacking xml|string. 2.0: recordXMLEscaping xml|string, and
     * recordPacking packed (unpacked is not offered); a 2.0 request naming
     * xml or string in recordPacking means the escaping, as 1.2 did. */
    const char *packing = P("recordPacking"), *escaping = P("recordXMLEscaping");
    if (rq->version == 20 && packing && strcmp(packing, "packed") == 0)
        packing = NULL;
    const char *as = escaping ? escaping : packing;
    if (as && strcmp(as, "string") == 0)
        rq->as_string = 1;
    else if (as && strcmp(as, "xml") != 0)
        set_diag(rq, D_PACKING, as);
    if (!query || !*query) {
        set_diag(rq, D_MANDATORY, "query");
        return;
    }
    if (strlen(query) > VP_SRU_MAX_QUERY) {
        set_diag(rq, D_QUERY_TOO_LONG, "at most 4096 bytes");
        return;
    }
    if (rq->diag)
        return;
    rq->parser = cql_parser_create();
    if (!rq->parser) {
        set_diag(rq, D_GENERAL, "out of memory");
        return;
    }
    cql_parser_strict(rq->parser, 1);
    if (cql_parser_string(rq->parser, query) != 0) {
        set_diag(rq, D_SYNTAX, query);
        return;
    }
    rq->root = map_node(rq, cql_parser_result(rq->parser), 0);
#undef P
}

vp_status vp_sru_request_parse(const char *const *names, const char *const *values, size_t n,
                               vp_sru_request **out)
{
    vp_sru_request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return VP_ERR_NOMEM;
    rq->nmem = nmem_create();
    if (!rq->nmem) {
        free(rq);
        return VP_ERR_NOMEM;
    }
    if (n > VP_SRU_MAX_PARAMS) {
        rq->version = 20;
        set_diag(rq, D_UNSUPPORTED_PARAMETER, "too many parameters");
    } else {
        read_request(rq, names, values, n);
    }
    *out = rq;
    return VP_OK;
}

vp_status vp_sru_request_parse_form(const char *form, size_t len, vp_sru_request **out)
{
    char *copy = strndup(form, len);
    const char *names[VP_SRU_MAX_PARAMS + 1], *values[VP_SRU_MAX_PARAMS + 1];
    size_t n = 0;
    if (!copy)
        return VP_ERR_NOMEM;
    char *save = NULL;
    for (char *pair = strtok_r(copy, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        if (n == VP_SRU_MAX_PARAMS + 1)
            break; /* one too many is enough to refuse */
        char *eq = strchr(pair, '=');
        char *value = eq ? eq + 1 : pair + strlen(pair);
        if (eq)
            *eq = '\0';
        /* Decoding only shortens: in place. */
        yaz_decode_uri_component(pair, pair, strlen(pair));
        yaz_decode_uri_component(value, value, strlen(value));
        names[n] = pair;
        values[n++] = value;
    }
    vp_status st = vp_sru_request_parse(names, values, n, out);
    free(copy);
    return st;
}

void vp_sru_request_destroy(vp_sru_request *rq)
{
    if (!rq)
        return;
    if (rq->parser) /* YAZ 5.34 does not take NULL */
        cql_parser_destroy(rq->parser);
    nmem_destroy(rq->nmem);
    free(rq);
}

int vp_sru_request_version(const vp_sru_request *rq)
{
    return rq->version;
}

int vp_sru_request_is_search(const vp_sru_request *rq)
{
    return rq->search;
}

int vp_sru_request_diagnostic(const vp_sru_request *rq, const char **details)
{
    if (details)
        *details = rq->details;
    return rq->diag;
}

char *vp_sru_request_describe(const vp_sru_request *rq)
{
    return rq->root && !rq->diag ? vp_sq_describe(rq->root) : NULL;
}

/* ---- writing the answer ---- */

typedef struct out {
    xmlTextWriterPtr w;
    int failed;
    int v20;
} out;

/* Writes `s` as character data. XML 1.0 has no place for control
 * characters other than tab and line ends, nor for U+FFFE and U+FFFF:
 * they are left out (an offering's text may hold them, JSON allows them);
 * text that is not UTF-8 is left out whole. */
static void text(out *o, const char *s)
{
    size_t n = strlen(s);
    if (!vp_utf8_valid(s, n))
        return;
    char *clean = malloc(n + 1);
    if (!clean) {
        o->failed = 1;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            continue;
        if (c == 0xEF && (unsigned char)s[i + 1] == 0xBF &&
            ((unsigned char)s[i + 2] == 0xBE || (unsigned char)s[i + 2] == 0xBF)) {
            i += 2;
            continue;
        }
        clean[k++] = (char)c;
    }
    clean[k] = '\0';
    if (xmlTextWriterWriteString(o->w, BAD_CAST clean) < 0)
        o->failed = 1;
    free(clean);
}

static void el(out *o, const char *prefix, const char *name, const char *s)
{
    if (!s)
        return;
    if (xmlTextWriterStartElementNS(o->w, BAD_CAST prefix, BAD_CAST name, NULL) < 0)
        o->failed = 1;
    text(o, s);
    if (xmlTextWriterEndElement(o->w) < 0)
        o->failed = 1;
}

static void start(out *o, const char *prefix, const char *name, const char *ns)
{
    if (xmlTextWriterStartElementNS(o->w, BAD_CAST prefix, BAD_CAST name, BAD_CAST ns) < 0)
        o->failed = 1;
}

static void end(out *o)
{
    if (xmlTextWriterEndElement(o->w) < 0)
        o->failed = 1;
}

static void attr(out *o, const char *name, const char *value)
{
    if (xmlTextWriterWriteAttribute(o->w, BAD_CAST name, BAD_CAST value) < 0)
        o->failed = 1;
}

static void el_uint(out *o, const char *prefix, const char *name, uint64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    el(o, prefix, name, buf);
}

static const char *sru_prefix(const out *o)
{
    return o->v20 ? "sru" : "srw";
}

/* One diagnostic element (its own namespace declared on it). */
static void diagnostic(out *o, int code, const char *details)
{
    char uri[64];
    snprintf(uri, sizeof uri, DIAG_PREFIX "%d", code);
    const char *message = yaz_diag_srw_str(code);
    start(o, "diag", "diagnostic", o->v20 ? NS_DIAG20 : NS_DIAG12);
    el(o, "diag", "uri", uri);
    if (details)
        el(o, "diag", "details", details);
    el(o, "diag", "message", message ? message : "Unknown diagnostic");
    end(o);
}

/* Writes `xml` (a record written on its own) into recordData, as markup or
 * as escaped text. */
static void record_data(out *o, const char *xml, int as_string)
{
    start(o, sru_prefix(o), "recordData", NULL);
    if (as_string) {
        if (xmlTextWriterWriteString(o->w, BAD_CAST xml) < 0)
            o->failed = 1;
    } else if (xmlTextWriterWriteRaw(o->w, BAD_CAST xml) < 0) {
        o->failed = 1;
    }
    end(o);
}

static void record(out *o, const char *schema_uri, const char *xml, int as_string,
                   uint64_t position)
{
    const char *p = sru_prefix(o);
    start(o, p, "record", NULL);
    el(o, p, "recordSchema", schema_uri);
    el(o, p, o->v20 ? "recordXMLEscaping" : "recordPacking", as_string ? "string" : "xml");
    record_data(o, xml, as_string);
    if (position)
        el_uint(o, p, "recordPosition", position);
    end(o);
}

/* A writer into a memory buffer, for one record. */
typedef struct sub {
    xmlBufferPtr buf;
    out o;
} sub;

static int sub_open(sub *s, int v20)
{
    memset(s, 0, sizeof *s);
    s->buf = xmlBufferCreate();
    s->o.w = s->buf ? xmlNewTextWriterMemory(s->buf, 0) : NULL;
    s->o.v20 = v20;
    return s->o.w ? 0 : -1;
}

/* The record text (borrowed from s until sub_close), NULL when it failed. */
static const char *sub_text(sub *s)
{
    if (xmlTextWriterFlush(s->o.w) < 0 || s->o.failed)
        return NULL;
    return (const char *)xmlBufferContent(s->buf);
}

static void sub_close(sub *s)
{
    if (s->o.w)
        xmlFreeTextWriter(s->o.w);
    if (s->buf)
        xmlBufferFree(s->buf);
}

static const char *str(json_t *doc, const char *key)
{
    const char *v = json_string_value(json_object_get(doc, key));
    return v && *v ? v : NULL;
}

static void each_string(out *o, const char *prefix, const char *name, json_t *list)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (json_string_length(v))
            el(o, prefix, name, json_string_value(v));
    }
}

static void write_dc(out *o, json_t *doc)
{
    start(o, "srw_dc", "dc", NS_SRW_DC);
    if (xmlTextWriterWriteAttributeNS(o->w, BAD_CAST "xmlns", BAD_CAST "dc", NULL,
                                      BAD_CAST NS_DC) < 0)
        o->failed = 1;
    el(o, "dc", "title", str(doc, "title"));
    each_string(o, "dc", "creator", json_object_get(doc, "creators"));
    each_string(o, "dc", "subject", json_object_get(doc, "subjects"));
    el(o, "dc", "description", str(doc, "description"));
    el(o, "dc", "publisher", str(doc, "library_name") ? str(doc, "library_name")
                                                       : str(doc, "library"));
    el(o, "dc", "date", str(doc, "start"));
    el(o, "dc", "type", str(doc, "type"));
    el(o, "dc", "identifier", str(doc, "url"));
    el(o, "dc", "identifier", str(doc, "id"));
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc, "isbn"), i, v) {
        char urn[40], isbn[14];
        if (json_is_string(v) && vp_offering_isbn13(json_string_value(v), isbn) == 0) {
            snprintf(urn, sizeof urn, "urn:isbn:%s", isbn);
            el(o, "dc", "identifier", urn);
        }
    }
    el(o, "dc", "language", str(doc, "language"));
    el(o, "dc", "coverage", str(doc, "branch_name") ? str(doc, "branch_name")
                                                    : str(doc, "municipality"));
    end(o);
}

static void marc_field(out *o, const char *tag, const char *ind, const char *const *codes,
                       const char *const *values, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++)
        any |= values[i] != NULL;
    if (!any)
        return;
    start(o, "marc", "datafield", NULL);
    attr(o, "tag", tag);
    char i1[2] = {ind[0], 0}, i2[2] = {ind[1], 0};
    attr(o, "ind1", i1);
    attr(o, "ind2", i2);
    for (size_t i = 0; i < n; i++) {
        if (!values[i])
            continue;
        start(o, "marc", "subfield", NULL);
        attr(o, "code", codes[i]);
        text(o, values[i]);
        end(o);
    }
    end(o);
}

static void marc_one(out *o, const char *tag, const char *ind, const char *code, const char *v)
{
    marc_field(o, tag, ind, &code, &v, 1);
}

/* A MARC 21 bibliographic record built from the offering's fields. */
static void write_marc(out *o, json_t *doc)
{
    const char *type = str(doc, "type");
    char leader[25];
    /* Record length and base address are left zero: this is MARCXML. */
    snprintf(leader, sizeof leader, "00000n%cm a2200000 u 4500",
             type && strcmp(type, "audiobook") == 0 ? 'i' : 'a');
    start(o, "marc", "record", NS_MARC);
    el(o, "marc", "leader", leader);
    start(o, "marc", "controlfield", NULL);
    attr(o, "tag", "001");
    text(o, str(doc, "id") ? str(doc, "id") : "");
    end(o);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(doc, "isbn"), i, v) {
        marc_one(o, "020", "  ", "a", json_string_value(v));
    }
    json_t *creators = json_object_get(doc, "creators");
    json_array_foreach(creators, i, v) {
        marc_one(o, i == 0 ? "100" : "700", "1 ", "a", json_string_value(v));
    }
    marc_one(o, "245", json_array_size(creators) ? "10" : "00", "a", str(doc, "title"));
    marc_one(o, "520", "  ", "a", str(doc, "description"));
    if (str(doc, "language"))
        marc_one(o, "546", "  ", "a", str(doc, "language"));
    json_array_foreach(json_object_get(doc, "subjects"), i, v) {
        marc_one(o, "650", " 4", "a", json_string_value(v));
    }
    marc_one(o, "655", " 4", "a", type);
    const char *codes852[] = {"a", "b"};
    const char *values852[] = {str(doc, "library_name") ? str(doc, "library_name")
                                                        : str(doc, "library"),
                               str(doc, "branch_name") ? str(doc, "branch_name")
                                                       : str(doc, "branch")};
    marc_field(o, "852", "  ", codes852, values852, 2);
    marc_one(o, "856", "40", "u", str(doc, "url"));
    end(o);
}

static int is_catalogue(json_t *doc)
{
    const char *t = str(doc, "type");
    return t && (strcmp(t, "book") == 0 || strcmp(t, "ebook") == 0 ||
                 strcmp(t, "audiobook") == 0);
}

/* One hit as a record in the request's schema, or a surrogate diagnostic:
 * `json` is its stored form (the offering schema shows it as it is),
 * `doc` the same as the engine parsed it (NULL when it could not). */
static void write_hit(out *o, const vp_sru_request *rq, const char *json, json_t *doc,
                      uint64_t position)
{
    sub s;
    int code = 0;
    const char *written = NULL;
    if (sub_open(&s, o->v20) != 0) {
        o->failed = 1;
        sub_close(&s);
        return;
    }
    if (!doc) {
        code = D_RECORD_UNAVAILABLE;
    } else if (rq->schema == SCHEMA_MARCXML && !is_catalogue(doc)) {
        code = D_NOT_IN_SCHEMA;
    } else if (rq->schema == SCHEMA_MARCXML) {
        write_marc(&s.o, doc);
    } else if (rq->schema == SCHEMA_OFFERING) {
        start(&s.o, "vp", "offering", schemas[SCHEMA_OFFERING].uri);
        text(&s.o, json);
        end(&s.o);
    } else {
        write_dc(&s.o, doc);
    }
    if (code)
        diagnostic(&s.o, code, code == D_NOT_IN_SCHEMA ? schemas[rq->schema].uri : NULL);
    written = sub_text(&s);
    if (written)
        record(o, code ? SCHEMA_DIAG : schemas[rq->schema].uri, written, code ? 0 : rq->as_string,
               position);
    else
        o->failed = 1;
    sub_close(&s);
}

static void write_explain_record(out *o, const vp_sru_context *ctx)
{
    const char *host = ctx && ctx->host ? ctx->host : "localhost";
    char port[16];
    snprintf(port, sizeof port, "%u", ctx && ctx->port ? ctx->port : 80);
    start(o, "zr", "explain", NS_ZEEREX);
    start(o, "zr", "serverInfo", NULL);
    attr(o, "protocol", "SRU");
    attr(o, "version", o->v20 ? "2.0" : "1.2");
    attr(o, "transport", "http");
    el(o, "zr", "host", host);
    el(o, "zr", "port", port);
    el(o, "zr", "database", "sru");
    end(o);
    start(o, "zr", "databaseInfo", NULL);
    start(o, "zr", "title", NULL);
    attr(o, "lang", "en");
    attr(o, "primary", "true");
    if (xmlTextWriterWriteString(o->w, BAD_CAST "Vindplaats: the offerings of the library "
                                                "network") < 0)
        o->failed = 1;
    end(o);
    start(o, "zr", "description", NULL);
    attr(o, "lang", "en");
    if (xmlTextWriterWriteString(o->w, BAD_CAST "Courses, events, activities, e-books, "
                                                "audiobooks, books and services of the "
                                                "network's libraries; offerings that have "
                                                "ended are left out.") < 0)
        o->failed = 1;
    end(o);
    end(o);
    start(o, "zr", "indexInfo", NULL);
    for (size_t i = 0; i < N_SETS; i++) {
        start(o, "zr", "set", NULL);
        attr(o, "name", sets[i].name);
        attr(o, "identifier", sets[i].uri);
        end(o);
    }
    for (size_t i = 0; i < N_INDEXES; i++) {
        if (!indexes[i].title)
            continue; /* another name of the index before it */
        start(o, "zr", "index", NULL);
        attr(o, "search", "true");
        attr(o, "scan", "false");
        attr(o, "sort", "false");
        el(o, "zr", "title", indexes[i].title);
        start(o, "zr", "map", NULL);
        start(o, "zr", "name", NULL);
        attr(o, "set", indexes[i].set);
        if (xmlTextWriterWriteString(o->w, BAD_CAST indexes[i].name) < 0)
            o->failed = 1;
        end(o);
        end(o);
        end(o);
    }
    end(o);
    start(o, "zr", "schemaInfo", NULL);
    for (int s = 0; s < SCHEMA_COUNT; s++) {
        start(o, "zr", "schema", NULL);
        attr(o, "identifier", schemas[s].uri);
        attr(o, "name", schemas[s].name);
        attr(o, "retrieve", "true");
        attr(o, "sort", "false");
        el(o, "zr", "title", schemas[s].title);
        end(o);
    }
    end(o);
    start(o, "zr", "configInfo", NULL);
    static const char *const settings[][3] = {
        {"default", "numberOfRecords", "10"}, {"setting", "maximumRecords", "100"},
        {"default", "contextSet", "dc"},      {"default", "index", "cql.serverChoice"},
        {"default", "relation", "="},         {"default", "retrieveSchema", "dc"},
        {"supports", "relation", "="},        {"supports", "relation", "all"},
        {"supports", "relation", "any"},      {"supports", "relation", "adj"},
        {"supports", "relation", "exact"},    {"supports", "relation", "=="},
        {"supports", "relation", "<"},        {"supports", "relation", "<="},
        {"supports", "relation", ">"},        {"supports", "relation", ">="},
        {"supports", "relation", "within"},   {"supports", "maskingCharacter", "*"},
        {"supports", "resultSetTTL", "0"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        start(o, "zr", settings[i][0], NULL);
        attr(o, "type", settings[i][1]);
        if (xmlTextWriterWriteString(o->w, BAD_CAST settings[i][2]) < 0)
            o->failed = 1;
        end(o);
    }
    end(o);
    end(o);
}

static void write_explain(out *o, const vp_sru_request *rq, const vp_sru_context *ctx)
{
    const char *p = sru_prefix(o);
    start(o, p, "explainResponse", o->v20 ? NS_SRU20 : NS_SRU12);
    el(o, p, "version", o->v20 ? "2.0" : "1.2");
    sub s;
    const char *written = NULL;
    if (sub_open(&s, o->v20) == 0) {
        write_explain_record(&s.o, ctx);
        written = sub_text(&s);
    }
    if (written)
        record(o, NS_ZEEREX, written, rq->as_string, 0);
    else
        o->failed = 1;
    sub_close(&s);
    if (rq->diag) {
        start(o, p, "diagnostics", NULL);
        diagnostic(o, rq->diag, rq->details);
        end(o);
    }
    end(o);
}

static void write_search(out *o, vp_index *idx, const vp_sru_request *rq,
                         const vp_sru_context *ctx)
{
    const char *p = sru_prefix(o);
    vp_sq_result *res = NULL;
    int code = rq->diag;
    const char *details = rq->details;
    vp_error e = VP_ERROR_INIT;
    uint64_t offset = rq->start - 1;
    unsigned limit = rq->maximum;
    if (!code && offset >= VP_SQ_MAX_WINDOW)
        code = D_FIRST_RECORD, details = "startRecord: at most 10000";
    if (!code && offset + limit > VP_SQ_MAX_WINDOW)
        limit = (unsigned)(VP_SQ_MAX_WINDOW - offset);
    if (!code && !idx)
        code = D_GENERAL, details = "no index";
    if (!code) {
        vp_sq_options opt = {.offset = offset, .limit = limit, .now = ctx ? ctx->now : 0};
        vp_status st = vp_sq_search(idx, rq->root, &opt, &res, &e);
        if (st == VP_ERR_TOO_BIG)
            code = D_TOO_MANY_BOOLEANS, details = e.message;
        else if (st == VP_ERR_INVALID)
            code = D_TERM_FORMAT, details = e.message;
        else if (st != VP_OK)
            code = D_GENERAL, details = e.message ? e.message : vp_status_str(st);
    }
    if (!code && res->total && offset >= res->total && limit)
        code = D_FIRST_RECORD, details = "startRecord: beyond the last record";
    start(o, p, "searchRetrieveResponse", o->v20 ? NS_SRU20 : NS_SRU12);
    el(o, p, "version", o->v20 ? "2.0" : "1.2");
    el_uint(o, p, "numberOfRecords", res ? res->total : 0);
    if (res && res->n_records && code != D_FIRST_RECORD) {
        start(o, p, "records", NULL);
        for (size_t i = 0; i < res->n_records; i++)
            write_hit(o, rq, res->records[i], res->docs[i], offset + i + 1);
        end(o);
        if (offset + res->n_records < res->total)
            el_uint(o, p, "nextRecordPosition", offset + res->n_records + 1);
    }
    if (code) {
        start(o, p, "diagnostics", NULL);
        diagnostic(o, code, details);
        end(o);
    }
    end(o);
    vp_sq_result_destroy(res);
    vp_error_clear(&e);
}

vp_status vp_sru_respond(vp_index *idx, const vp_sru_request *rq, const vp_sru_context *ctx,
                         char **body, size_t *len)
{
    xmlBufferPtr buf = xmlBufferCreate();
    out o = {buf ? xmlNewTextWriterMemory(buf, 0) : NULL, 0, rq->version == 20};
    if (!o.w) {
        if (buf)
            xmlBufferFree(buf);
        return VP_ERR_NOMEM;
    }
    if (xmlTextWriterStartDocument(o.w, "1.0", "UTF-8", NULL) < 0)
        o.failed = 1;
    if (rq->search)
        write_search(&o, idx, rq, ctx);
    else
        write_explain(&o, rq, ctx);
    if (xmlTextWriterEndDocument(o.w) < 0)
        o.failed = 1;
    xmlFreeTextWriter(o.w);
    vp_status st = VP_OK;
    if (o.failed) {
        st = VP_ERR_NOMEM;
    } else {
        *len = (size_t)xmlBufferLength(buf);
        *body = malloc(*len + 1);
        if (*body) {
            memcpy(*body, xmlBufferContent(buf), *len);
            (*body)[*len] = '\0';
        } else {
            st = VP_ERR_NOMEM;
        }
    }
    xmlBufferFree(buf);
    return st;
}

vp_status vp_sru_refused(const char *version, const char *parameter, char **body, size_t *len)
{
    vp_sru_request rq = {0};
    rq.nmem = nmem_create();
    if (!rq.nmem)
        return VP_ERR_NOMEM;
    rq.version = version && version[0] == '1' ? 12 : 20;
    rq.search = 1;
    set_diag(&rq, D_UNSUPPORTED_VALUE, parameter && *parameter ? parameter : NULL);
    vp_status st = vp_sru_respond(NULL, &rq, NULL, body, len);
    nmem_destroy(rq.nmem);
    return st;
}

/* ---- the route ---- */

/* Host and port of the explain record: the public URL, else the Host header. */
static void server_address(const api_request *req, char *host, size_t cap, unsigned *port)
{
    const char *h = req->host;
    *port = 80;
    snprintf(host, cap, "localhost");
    if (req->cfg && req->cfg->public_url) {
        const char *u = req->cfg->public_url;
        if (strncmp(u, "https://", 8) == 0)
            h = u + 8, *port = 443;
        else if (strncmp(u, "http://", 7) == 0)
            h = u + 7;
    }
    if (!h)
        return;
    size_t n = strcspn(h, ":/");
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && !strchr(".-", h[i]))
            return;
    if (n == 0 || n >= cap)
        return;
    memcpy(host, h, n);
    host[n] = '\0';
    if (h[n] == ':') {
        unsigned long p = strtoul(h + n + 1, NULL, 10);
        if (p > 0 && p < 65536)
            *port = (unsigned)p;
    }
}

/* SRU answers every request with 200 and says what failed inside. */
static void xml_reply(api_reply *reply, char *body, size_t len)
{
    reply->status = 200;
    reply->owned_body = body;
    reply->body_len = len;
    reply->content_type = "text/xml; charset=utf-8";
    reply->cache_control = "no-cache";
}

void api_handle_sru(api_request *req, api_reply *reply)
{
    vp_sru_request *rq = NULL;
    vp_status st;
    int post = req->method && strcmp(req->method, "POST") == 0;
    if (post) {
        const char *ct = req->content_type ? req->content_type : "";
        if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
            api_error(reply, 415, "unsupported_media_type",
                      "POST to /sru takes application/x-www-form-urlencoded parameters "
                      "(SRW over SOAP is not offered)",
                      NULL);
            return;
        }
        st = vp_sru_request_parse_form(req->body ? req->body : "", req->body ? req->body_len : 0,
                                       &rq);
    } else {
        const char *names[VP_SRU_MAX_PARAMS + 1], *values[VP_SRU_MAX_PARAMS + 1];
        size_t n = 0;
        for (size_t i = 0; i < req->params->count && n <= VP_SRU_MAX_PARAMS; i++, n++) {
            names[n] = req->params->items[i].key;
            values[n] = req->params->items[i].value;
        }
        st = vp_sru_request_parse(names, values, n, &rq);
    }
    char host[256];
    vp_sru_context ctx = {host, 80, req->cfg ? req->cfg->now : 0};
    server_address(req, host, sizeof host, &ctx.port);
    char *body = NULL;
    size_t len = 0;
    if (st == VP_OK)
        st = vp_sru_respond(req->index, rq, &ctx, &body, &len);
    vp_sru_request_destroy(rq);
    if (st != VP_OK) {
        api_error(reply, 503, "unavailable", vp_status_str(st), NULL);
        return;
    }
    xml_reply(reply, body, len);
}

void api_sru_refused(const char *version, const api_refusal *f, api_reply *reply)
{
    char *body = NULL;
    size_t len = 0;
    if (vp_sru_refused(version, f->parameter, &body, &len) != VP_OK) {
        api_refusal_reply(f, reply);
        return;
    }
    xml_reply(reply, body, len);
}
