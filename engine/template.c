/* template.c - the Mustache subset of template.h.
 *
 * A template is parsed into a flat list of nodes; a section node records
 * where its body ends, so rendering is a walk over index ranges with a
 * small stack of jansson contexts (borrowed from the view). Nothing of the
 * view is copied or changed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vindplaats/template.h"

#define MAX_DEPTH 32      /* nested sections and partials together */
#define MAX_NAME 128
#define MAX_TEMPLATES 256
/* Nodes one render may visit: nested sections over lists multiply, and a
 * page that would take longer than this is a mistake in its template. */
#define MAX_STEPS 20000000UL

enum kind { TEXT, VAR, RAW, SECTION, INVERTED, PARTIAL };

typedef struct node {
    enum kind kind;
    char *s;        /* text, or the name (NUL-terminated) */
    size_t len;
    size_t end;     /* SECTION/INVERTED: index just past the body */
    unsigned line;
} node;

typedef struct tpl {
    char *name;
    char *file;
    node *nodes;
    size_t n;
} tpl;

struct vp_templates {
    tpl items[MAX_TEMPLATES];
    size_t n;
};

static void tpl_free(tpl *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->nodes[i].s);
    free(t->nodes);
    free(t->name);
    free(t->file);
    memset(t, 0, sizeof *t);
}

vp_templates *vp_templates_create(void)
{
    return calloc(1, sizeof(vp_templates));
}

void vp_templates_destroy(vp_templates *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        tpl_free(&set->items[i]);
    free(set);
}

static const tpl *find(const vp_templates *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->items[i].name, name) == 0)
            return &set->items[i];
    return NULL;
}

int vp_templates_has(const vp_templates *set, const char *name)
{
    return set && name && find(set, name) != NULL;
}

/* ---- parsing ---- */

typedef struct parser {
    tpl *t;
    size_t alloc;
    const char *file;
    vp_error *err;
} parser;

static int push(parser *p, enum kind k, const char *s, size_t len, unsigned line)
{
    if (p->t->n == p->alloc) {
        size_t na = p->alloc ? p->alloc * 2 : 32;
        node *nn = realloc(p->t->nodes, na * sizeof *nn);
        if (!nn)
            return -1;
        p->t->nodes = nn;
        p->alloc = na;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    p->t->nodes[p->t->n++] = (node){k, copy, len, 0, line};
    return 0;
}

static unsigned lines_in(const char *s, size_t len)
{
    unsigned n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == '\n';
    return n;
}

/* The first `nlen` bytes of `needle` in `len` bytes of `hay`, or NULL. */
static const char *find_in(const char *hay, size_t len, const char *needle, size_t nlen)
{
    for (size_t i = 0; i + nlen <= len; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0)
            return hay + i;
    return NULL;
}

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The name of a tag: blanks trimmed; letters, digits and "_-." only. */
static int name_ok(const char *s, size_t len)
{
    if (len == 0 || len > MAX_NAME)
        return 0;
    if (len == 1 && s[0] == '.')
        return 1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return s[0] != '.' && s[len - 1] != '.';
}

static vp_status parse(parser *p, const char *text, size_t len)
{
    size_t open[MAX_DEPTH];
    size_t depth = 0, i = 0;
    unsigned line = 1;
    const char *file = p->file;
    while (i < len) {
        const char *tag = find_in(text + i, len - i, "{{", 2);
        size_t at = tag ? (size_t)(tag - text) : len;
        if (!tag) {
            if (push(p, TEXT, text + i, len - i, line) != 0)
                return vp_error_set(p->err, VP_ERR_NOMEM, &(vp_where){file}, "out of memory");
            break;
        }
        /* What the tag is, and where it ends. */
        size_t c = at + 2;
        char sigil = c < len ? text[c] : '\0';
        const char *closer = "}}";
        enum kind k = VAR;
        int standalone_kind = 0;
        switch (sigil) {
        case '{': k = RAW; closer = "}}}"; c++; break;
        case '&': k = RAW; c++; break;
        case '#': k = SECTION; c++; standalone_kind = 1; break;
        case '^': k = INVERTED; c++; standalone_kind = 1; break;
        case '/': c++; standalone_kind = 1; break;
        case '>': k = PARTIAL; c++; standalone_kind = 1; break;
        case '!': c++; standalone_kind = 1; break;
        case '=':
            return vp_error_set(p->err, VP_ERR_INVALID,
                        &(vp_where){file, line + lines_in(text + i, at - i)},
                        "changing the delimiters ({{=...=}}) is not supported");
        default: break;
        }
        unsigned tag_line = line + lines_in(text + i, at - i);
        const char *endp = find_in(text + c, len - c, closer, strlen(closer));
        if (!endp)
            return vp_error_set(p->err, VP_ERR_INVALID, &(vp_where){file, tag_line},
                        "\"{{\" without a closing \"%s\"", closer);
        size_t name_start = c, name_end = (size_t)(endp - text);
        size_t after = name_end + strlen(closer);
        while (name_start < name_end && blank(text[name_start]))
            name_start++;
        while (name_end > name_start && blank(text[name_end - 1]))
            name_end--;
        const char *name = text + name_start;
        size_t nlen = name_end - name_start;
        if (sigil != '!' && !name_ok(name, nlen))
            return vp_error_set(p->err, VP_ERR_INVALID, &(vp_where){file, tag_line},
                        "\"%.*s\" is not a name (letters, digits, '_', '-', '.' between names)",
                        (int)(nlen > 60 ? 60 : nlen), name);
        /* A standalone tag takes its line with it: the blanks before it on
         * its line and the line end after it. */
        size_t text_end = at, next = after;
        if (standalone_kind) {
            size_t ls = at;
            while (ls > i && blank(text[ls - 1]))
                ls--;
            int line_start = ls == 0 || text[ls - 1] == '\n';
            size_t le = after;
            while (le < len && blank(text[le]))
                le++;
            int line_end = le == len || text[le] == '\n' ||
                           (text[le] == '\r' && le + 1 < len && text[le + 1] == '\n');
            if (line_start && line_end) {
                text_end = ls;
                next = le == len ? le : text[le] == '\r' ? le + 2 : le + 1;
            }
        }
        if (text_end > i && push(p, TEXT, text + i, text_end - i, line) != 0)
            return vp_error_set(p->err, VP_ERR_NOMEM, &(vp_where){file}, "out of memory");
        line = tag_line + lines_in(text + at, next - at);
        i = next;
        if (sigil == '!')
            continue;
        if (sigil == '/') {
            if (depth == 0)
                return vp_error_set(p->err, VP_ERR_INVALID, &(vp_where){file, tag_line},
                            "{{/%.*s}} closes no section", (int)nlen, name);
            node *o = &p->t->nodes[open[depth - 1]];
            if (o->len != nlen || memcmp(o->s, name, nlen) != 0)
                return vp_error_set(p->err, VP_ERR_INVALID, &(vp_where){file, tag_line},
                            "{{/%.*s}} closes the section {{#%s}} opened on line %u",
                            (int)nlen, name, o->s, o->line);
            o->end = p->t->n;
            depth--;
            continue;
        }
        if (push(p, k, name, nlen, tag_line) != 0)
            return vp_error_set(p->err, VP_ERR_NOMEM, &(vp_where){file}, "out of memory");
        if (k == SECTION || k == INVERTED) {
            if (depth == MAX_DEPTH)
                return vp_error_set(p->err, VP_ERR_INVALID, &(vp_where){file, tag_line},
                            "sections nest deeper than %d", MAX_DEPTH);
            open[depth++] = p->t->n - 1;
        }
    }
    if (depth)
        return vp_error_set(p->err, VP_ERR_INVALID,
                    &(vp_where){file, p->t->nodes[open[depth - 1]].line},
                    "the section {{#%s}} is never closed", p->t->nodes[open[depth - 1]].s);
    return VP_OK;
}

vp_status vp_templates_add(vp_templates *set, const char *name, const char *file,
                           const char *text, size_t len, vp_error *err)
{
    if (!set || !name || (!text && len))
        return vp_error_set(err, VP_ERR_INVALID, NULL, "no template");
    if (!file)
        file = name;
    tpl t = {0};
    parser p = {&t, 0, file, err};
    vp_status st = parse(&p, text ? text : "", len);
    if (st == VP_OK) {
        t.name = strdup(name);
        t.file = strdup(file);
        if (!t.name || !t.file)
            st = vp_error_set(err, VP_ERR_NOMEM, &(vp_where){file}, "out of memory");
    }
    tpl *old = (tpl *)find(set, name);
    if (st == VP_OK && !old && set->n == MAX_TEMPLATES)
        st = vp_error_set(err, VP_ERR_TOO_BIG, &(vp_where){file}, "more than %d templates",
                          MAX_TEMPLATES);
    if (st != VP_OK) {
        tpl_free(&t);
        return st;
    }
    if (old) {
        tpl_free(old);
        *old = t;
    } else {
        set->items[set->n++] = t;
    }
    return VP_OK;
}

vp_status vp_templates_check(const vp_templates *set, vp_error *err)
{
    for (size_t i = 0; set && i < set->n; i++) {
        const tpl *t = &set->items[i];
        for (size_t k = 0; k < t->n; k++)
            if (t->nodes[k].kind == PARTIAL && !find(set, t->nodes[k].s))
                return vp_error_set(err, VP_ERR_NOT_FOUND, &(vp_where){t->file, t->nodes[k].line},
                            "no template %s for the partial", t->nodes[k].s);
    }
    return VP_OK;
}

/* ---- rendering ---- */

typedef struct ctx {
    const vp_templates *set;
    json_t *stack[2 * MAX_DEPTH + 2];
    size_t depth;
    unsigned partials;
    unsigned long steps;
    vp_buf *out;
    vp_error *err;
} ctx;

/* The value of `name`: "." is the top; else the first part from the
 * innermost context that has it, the rest walked inside it. */
static json_t *lookup(const ctx *c, const char *name)
{
    if (strcmp(name, ".") == 0)
        return c->depth ? c->stack[c->depth - 1] : NULL;
    const char *dot = strchr(name, '.');
    size_t first = dot ? (size_t)(dot - name) : strlen(name);
    char part[MAX_NAME + 1];
    memcpy(part, name, first);
    part[first] = '\0';
    json_t *v = NULL;
    for (size_t i = c->depth; i-- > 0 && !v;)
        v = json_object_get(c->stack[i], part);
    while (v && dot) {
        const char *s = dot + 1;
        dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        memcpy(part, s, n);
        part[n] = '\0';
        v = json_object_get(v, part);
    }
    return v;
}

static int truthy(json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_NULL: case JSON_FALSE: return 0;
    case JSON_STRING: return json_string_length(v) > 0;
    case JSON_ARRAY: return json_array_size(v) > 0;
    case JSON_INTEGER: return json_integer_value(v) != 0;
    case JSON_REAL: return json_real_value(v) != 0;
    default: return 1;
    }
}

/* Escaped text: & < > " ' as entities, and the C0 control characters that
 * neither HTML nor XML 1.0 allows in text (all but tab, line feed and
 * carriage return) left out. */
static vp_status put_escaped(vp_buf *out, const char *s, size_t len)
{
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r')
            continue;
        vp_status st = vp_buf_html(out, s + start, i - start);
        if (st != VP_OK)
            return st;
        start = i + 1;
    }
    return vp_buf_html(out, s + start, len - start);
}

static vp_status put_value(ctx *c, json_t *v, int raw)
{
    char num[64];
    const char *s = NULL;
    size_t len = 0;
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        s = json_string_value(v);
        len = json_string_length(v);
        break;
    case JSON_INTEGER:
        len = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = num;
        break;
    case JSON_REAL: {
        double d = json_real_value(v);
        if (d == (double)(long long)d && d > -1e15 && d < 1e15)
            len = (size_t)snprintf(num, sizeof num, "%lld", (long long)d);
        else
            len = (size_t)snprintf(num, sizeof num, "%.10g", d);
        s = num;
        break;
    }
    case JSON_TRUE:
        s = "true";
        len = 4;
        break;
    default:
        return VP_OK; /* null, false, objects and arrays print nothing */
    }
    return raw ? vp_buf_append(c->out, s, len) : put_escaped(c->out, s, len);
}

static vp_status render_range(ctx *c, const tpl *t, size_t from, size_t to);

static vp_status render_pushed(ctx *c, const tpl *t, json_t *v, size_t from, size_t to)
{
    if (c->depth == sizeof c->stack / sizeof c->stack[0])
        return vp_error_set(c->err, VP_ERR_TOO_BIG, &(vp_where){t->file}, "sections nest too deep");
    c->stack[c->depth++] = v;
    vp_status st = render_range(c, t, from, to);
    c->depth--;
    return st;
}

static vp_status render_range(ctx *c, const tpl *t, size_t from, size_t to)
{
    vp_status st = VP_OK;
    for (size_t i = from; i < to && st == VP_OK; i++) {
        const node *n = &t->nodes[i];
        if (++c->steps > MAX_STEPS)
            return vp_error_set(c->err, VP_ERR_TOO_BIG, &(vp_where){t->file, n->line},
                        "rendering takes more than %lu steps (sections nested over long lists?)",
                        MAX_STEPS);
        switch (n->kind) {
        case TEXT:
            st = vp_buf_append(c->out, n->s, n->len);
            break;
        case VAR:
        case RAW:
            st = put_value(c, lookup(c, n->s), n->kind == RAW);
            break;
        case SECTION: {
            json_t *v = lookup(c, n->s);
            if (json_is_array(v)) {
                size_t k;
                json_t *item;
                json_array_foreach(v, k, item) {
                    st = render_pushed(c, t, item, i + 1, n->end);
                    if (st != VP_OK)
                        break;
                }
            } else if (truthy(v)) {
                st = render_pushed(c, t, v, i + 1, n->end);
            }
            i = n->end - 1;
            break;
        }
        case INVERTED:
            if (!truthy(lookup(c, n->s)))
                st = render_range(c, t, i + 1, n->end);
            i = n->end - 1;
            break;
        case PARTIAL: {
            const tpl *p = find(c->set, n->s);
            if (!p)
                return vp_error_set(c->err, VP_ERR_NOT_FOUND, &(vp_where){t->file, n->line},
                            "no template %s for the partial", n->s);
            if (c->partials == MAX_DEPTH)
                return vp_error_set(c->err, VP_ERR_TOO_BIG, &(vp_where){t->file, n->line},
                            "partials nest deeper than %d", MAX_DEPTH);
            c->partials++;
            st = render_range(c, p, 0, p->n);
            c->partials--;
            break;
        }
        }
    }
    if (st != VP_OK && c->err->status == VP_OK)
        vp_error_set(c->err, st, &(vp_where){t->file}, "%s",
             st == VP_ERR_TOO_BIG ? "the page is larger than its limit" : vp_status_str(st));
    return st;
}

vp_status vp_templates_render(const vp_templates *set, const char *name, json_t *view,
                              vp_buf *out, vp_error *err)
{
    const tpl *t = set && name ? find(set, name) : NULL;
    if (!t)
        return vp_error_set(err, VP_ERR_NOT_FOUND, NULL, "no template %s", name ? name : "(null)");
    vp_error e = VP_ERROR_INIT;
    ctx c = {.set = set, .depth = 0, .partials = 0, .steps = 0, .out = out, .err = &e};
    if (view)
        c.stack[c.depth++] = view;
    vp_status st = render_range(&c, t, 0, t->n);
    if (st != VP_OK && err) {
        vp_error_clear(err);
        *err = e;
    } else {
        vp_error_clear(&e);
    }
    return st;
}
