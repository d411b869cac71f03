/* template.h - a small Mustache renderer over jansson, for the server's pages.
 *
 * A set holds templates by name; each is parsed once, when it is added, so
 * a malformed template is refused at load time with "NAME:LINE: what".
 * Rendering walks a jansson view model; it never fails on the data (a
 * missing name renders nothing), only on a full buffer or a partial that
 * recurses too deep.
 *
 * The Mustache subset understood:
 *   {{name}}          the value, escaped for HTML and XML alike (& < > " '
 *                     as entities; C0 controls but tab, LF, CR left out)
 *   {{{name}}} {{&name}}  the value as it is (for markup the server made)
 *   {{#name}}…{{/name}}   a section: once per element of a non-empty array,
 *                     once with an object or another truthy value pushed on
 *                     the context; skipped for a falsy value
 *   {{^name}}…{{/name}}   an inverted section: once when the value is falsy
 *   {{>name}}         a partial: another template of the set, rendered with
 *                     the current context (checked to exist by
 *                     vp_templates_check)
 *   {{! comment}}     nothing
 * Names are looked up from the innermost context outwards; "a.b" walks into
 * objects and "." is the current value. Falsy: missing, null, false, "",
 * 0 and an empty array. Numbers print as integers when whole. A line that
 * holds nothing but a section, inverted, closing, comment or partial tag
 * (and blanks) leaves no line in the output, as the Mustache spec says.
 * Not supported (refused at load time): changing the delimiters ({{=…=}}).
 *
 * Ownership: the set copies the text it is given; render output goes to a
 * caller's vp_buf (its cap bounds the page). */
#ifndef VINDPLAATS_TEMPLATE_H
#define VINDPLAATS_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>
#include "vindplaats/buf.h"
#include "vindplaats/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vp_templates vp_templates;

/* An empty set; NULL when out of memory. */
vp_templates *vp_templates_create(void) VP_NOEXCEPT;
void vp_templates_destroy(vp_templates *set) VP_NOEXCEPT;

/* Parses `len` bytes of `text` as the template `name` (replacing one of the
 * same name). `file` names where the text came from in error messages (NULL:
 * `name`). VP_ERR_INVALID when malformed, with the file and line in *err
 * (may be NULL; filled on failure only); the set is then unchanged. */
vp_status vp_templates_add(vp_templates *set, const char *name, const char *file,
                           const char *text, size_t len, vp_error *err) VP_NOEXCEPT;

/* 1 when the set holds a template called `name`. */
int vp_templates_has(const vp_templates *set, const char *name) VP_NOEXCEPT;

/* Checks that every partial named in the set exists: VP_ERR_NOT_FOUND with
 * *err "no template NAME for the partial" at the file and line naming it
 * otherwise. */
vp_status vp_templates_check(const vp_templates *set, vp_error *err) VP_NOEXCEPT;

/* Renders template `name` with `view` (borrowed; may be NULL) onto `out`.
 * VP_ERR_NOT_FOUND when there is no such template, VP_ERR_TOO_BIG when
 * `out` reached its cap, partials nest deeper than 32 or the render visits
 * more than 20 million tags (sections nested over lists), VP_ERR_NOMEM; on
 * failure *err says which (with the file and line of the tag where one is
 * to blame) and `out` may hold part of the page. */
vp_status vp_templates_render(const vp_templates *set, const char *name, json_t *view,
                              vp_buf *out, vp_error *err) VP_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
