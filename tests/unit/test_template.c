/* test_template.c - the Mustache renderer (template.h): escaping, values,
 * sections, inverted sections, partials, standalone lines, and the errors a
 * malformed template gets when it is loaded (FILE:LINE). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vindplaats/buf.h"
#include "vindplaats/template.h"

/* Renders `text` as a one-template set with the JSON `view`; NULL when it
 * did not parse or render (the error is printed). Caller frees. */
static char *render(const char *text, const char *view_json)
{
    vp_templates *set = vp_templates_create();
    json_t *view = view_json ? json_loads(view_json, 0, NULL) : NULL;
    vp_error err = VP_ERROR_INIT;
    char *out = NULL;
    vp_buf b;
    vp_buf_init(&b, 1 << 20);
    if (view_json && !view)
        fprintf(stderr, "  bad test view %s\n", view_json);
    else if (vp_templates_add(set, "t", "t.html", text, strlen(text), &err) != VP_OK ||
             vp_templates_render(set, "t", view, &b, &err) != VP_OK)
        fprintf(stderr, "  %s\n", err.message ? err.message : "(no message)");
    else
        out = vp_buf_steal(&b);
    vp_error_clear(&err);
    vp_buf_free(&b);
    json_decref(view);
    vp_templates_destroy(set);
    return out;
}

#define RENDERS(text, view, want)                 \
    do {                                          \
        char *got_ = render(text, view);          \
        CHECK_STR(got_, want);                    \
        free(got_);                               \
    } while (0)

/* The error of adding `text` as file "page.html", in its text form: NULL
 * when it parsed. The file is a field of the error, never only text. */
static char *load_error(const char *text)
{
    vp_templates *set = vp_templates_create();
    vp_error err = VP_ERROR_INIT;
    vp_status st = vp_templates_add(set, "page", "page.html", text, strlen(text), &err);
    char *msg = NULL;
    if (st == VP_OK && err.status != VP_OK)
        msg = strdup("(error set on success)");
    else if (st != VP_OK && (err.status != st || !err.message))
        msg = strdup("(failed without a message)");
    else if (st != VP_OK && (!err.file || strcmp(err.file, "page.html") != 0 || err.line == 0))
        msg = strdup("(the file and line are not fields of the error)");
    else if (st != VP_OK)
        msg = vp_error_text(&err);
    vp_error_clear(&err);
    vp_templates_destroy(set);
    return msg;
}

#define LOAD_FAILS(text, want)                                  \
    do {                                                        \
        char *err_ = load_error(text);                          \
        CHECK_STR(err_, want);                                  \
        free(err_);                                             \
    } while (0)

static void test_variables(void)
{
    RENDERS("Hallo {{name}}!", "{\"name\":\"Utrecht\"}", "Hallo Utrecht!");
    /* Escaped by default, every character HTML cares about. */
    RENDERS("<p title=\"{{t}}\">{{t}}</p>", "{\"t\":\"<a href=\\\"x\\\">K & T's</a>\"}",
            "<p title=\"&lt;a href=&quot;x&quot;&gt;K &amp; T&#39;s&lt;/a&gt;\">"
            "&lt;a href=&quot;x&quot;&gt;K &amp; T&#39;s&lt;/a&gt;</p>");
    /* Control characters that HTML and XML do not allow are left out;
     * tab, line feed and carriage return stay. */
    RENDERS("[{{t}}]", "{\"t\":\"a\\u0001b\\u001fc\\td\\ne\\rf\\u007f\"}", "[abc\td\ne\rf\x7f]");
    /* Raw with triple braces or '&'. */
    RENDERS("{{{m}}}|{{& m}}", "{\"m\":\"<mark>a</mark>\"}", "<mark>a</mark>|<mark>a</mark>");
    /* Missing and null print nothing; blanks inside the braces are fine. */
    RENDERS("[{{ nope }}][{{n}}]", "{\"n\":null}", "[][]");
    RENDERS("[{{x}}]", NULL, "[]");
    /* Numbers: whole ones without decimals, others as they are; true. */
    RENDERS("{{a}} {{b}} {{c}} {{d}} {{e}}", "{\"a\":3,\"b\":2.5,\"c\":4.0,\"d\":-7,\"e\":true}",
            "3 2.5 4 -7 true");
    /* Objects, arrays and false print nothing. */
    RENDERS("[{{o}}{{a}}{{f}}]", "{\"o\":{\"x\":1},\"a\":[1],\"f\":false}", "[]");
    /* Dotted names walk into objects; a missing step is empty. */
    RENDERS("{{a.b.c}}/{{a.x.c}}", "{\"a\":{\"b\":{\"c\":\"diep\"}}}", "diep/");
    /* UTF-8 passes through untouched. */
    RENDERS("{{t}}", "{\"t\":\"caf\\u00e9 \\u2013 \\u00e9\\u00e9n\"}",
            "caf\xc3\xa9 \xe2\x80\x93 \xc3\xa9\xc3\xa9n");
    /* Text without tags, and single braces, stay as they are. */
    RENDERS("a { b } {c}", "{}", "a { b } {c}");
    RENDERS("", "{}", "");
}

static void test_sections(void)
{
    /* An array: once per element, "." the element. */
    RENDERS("{{#l}}<li>{{.}}</li>{{/l}}", "{\"l\":[\"a\",\"<b>\",3]}",
            "<li>a</li><li>&lt;b&gt;</li><li>3</li>");
    /* Objects in an array: their fields, and the outer context behind them. */
    RENDERS("{{#l}}{{n}}@{{city}};{{/l}}", "{\"city\":\"Ede\",\"l\":[{\"n\":1},{\"n\":2,\"city\":\"Epe\"}]}",
            "1@Ede;2@Epe;");
    /* An object: pushed once. */
    RENDERS("{{#o}}{{x}}{{/o}}", "{\"o\":{\"x\":\"ja\"}}", "ja");
    /* Other truthy values: once, "." the value. */
    RENDERS("{{#s}}<{{.}}>{{/s}}{{#t}}T{{/t}}{{#n}}#{{.}}{{/n}}", "{\"s\":\"x\",\"t\":true,\"n\":5}",
            "<x>T#5");
    /* Falsy: missing, null, false, "", 0, 0.0, []. */
    RENDERS("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}{{#d}}D{{/d}}{{#e}}E{{/e}}{{#f}}F{{/f}}{{#g}}G{{/g}}",
            "{\"b\":null,\"c\":false,\"d\":\"\",\"e\":0,\"f\":0.0,\"g\":[]}", "");
    /* Inverted: only for falsy. */
    RENDERS("{{^a}}geen{{/a}}|{{^b}}geen{{/b}}|{{^c}}geen{{/c}}|{{^d}}geen{{/d}}",
            "{\"b\":[],\"c\":[1],\"d\":\"x\"}", "geen|geen||");
    /* Nested sections, the same name twice. */
    RENDERS("{{#a}}{{#b}}{{#a}}[{{v}}]{{/a}}{{/b}}{{/a}}", "{\"a\":{\"v\":1,\"b\":{\"a\":{\"v\":2}}}}",
            "[2]");
    /* Dotted section names. */
    RENDERS("{{#x.y}}{{z}}{{/x.y}}", "{\"x\":{\"y\":{\"z\":\"ok\"}}}", "ok");
}

static void test_standalone(void)
{
    /* A line with only a section tag leaves no line behind. */
    RENDERS("<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ul>\n", "{\"l\":[1,2]}",
            "<ul>\n  <li>1</li>\n  <li>2</li>\n</ul>\n");
    RENDERS("a\n{{! a comment\nover lines }}\nb\n", "{}", "a\nb\n");
    RENDERS("a\n{{^x}}\nnone\n{{/x}}\nb", "{}", "a\nnone\nb");
    /* Windows line ends too. */
    RENDERS("a\r\n{{#t}}\r\nb\r\n{{/t}}\r\nc", "{\"t\":true}", "a\r\nb\r\nc");
    /* Not standalone: other text on the line, or a variable tag. */
    RENDERS("x {{#t}}y{{/t}}\n", "{\"t\":true}", "x y\n");
    RENDERS("{{v}}\n", "{\"v\":1}", "1\n");
    /* At the very start and end of the template. */
    RENDERS("{{#t}}\nin\n{{/t}}", "{\"t\":1}", "in\n");
}

static void test_partials(void)
{
    vp_templates *set = vp_templates_create();
    vp_error err = VP_ERROR_INIT;
    const char *page = "<main>\n{{> card}}\n{{#items}}{{>card}}{{/items}}</main>";
    const char *card = "<p>{{title}}</p>\n";
    CHECK(vp_templates_add(set, "page", "page.html", page, strlen(page), &err) == VP_OK);
    /* Before its partial exists the set is incomplete, and says where. */
    CHECK(vp_templates_check(set, &err) == VP_ERR_NOT_FOUND);
    CHECK_STR(err.file, "page.html");
    CHECK(err.line == 2);
    CHECK_STR(err.message, "no template card for the partial");
    char *text = vp_error_text(&err);
    CHECK_STR(text, "page.html:2: no template card for the partial");
    free(text);
    vp_error_clear(&err);
    CHECK(vp_templates_add(set, "card", "partials/card.html", card, strlen(card), &err) == VP_OK);
    CHECK(vp_templates_check(set, &err) == VP_OK);
    CHECK(vp_templates_has(set, "card") && !vp_templates_has(set, "kaart"));
    json_t *view = json_loads("{\"title\":\"Top & <1>\",\"items\":[{\"title\":\"a\"},{}]}", 0, NULL);
    vp_buf b;
    vp_buf_init(&b, 1 << 16);
    CHECK(vp_templates_render(set, "page", view, &b, &err) == VP_OK);
    /* The partial sees the current context, the outer one behind it. */
    CHECK_STR(b.data, "<main>\n<p>Top &amp; &lt;1&gt;</p>\n<p>a</p>\n<p>Top &amp; &lt;1&gt;</p>\n</main>");
    vp_buf_free(&b);

    /* Replacing a template by name (a --templates override). */
    const char *card2 = "[{{title}}]";
    CHECK(vp_templates_add(set, "card", "site/card.html", card2, strlen(card2), &err) == VP_OK);
    vp_buf_init(&b, 1 << 16);
    CHECK(vp_templates_render(set, "card", view, &b, &err) == VP_OK);
    CHECK_STR(b.data, "[Top &amp; &lt;1&gt;]");
    vp_buf_free(&b);

    /* A failed add leaves the old template in place. */
    const char *bad = "{{#x}}";
    CHECK(vp_templates_add(set, "card", "site/card.html", bad, strlen(bad), &err) == VP_ERR_INVALID);
    CHECK_STR(err.file, "site/card.html");
    CHECK(err.line == 1);
    vp_error_clear(&err);
    vp_buf_init(&b, 1 << 16);
    CHECK(vp_templates_render(set, "card", view, &b, &err) == VP_OK);
    CHECK_STR(b.data, "[Top &amp; &lt;1&gt;]");
    vp_buf_free(&b);

    /* A partial that includes itself stops with an error, not a crash. */
    const char *loop = "x{{>loop}}";
    CHECK(vp_templates_add(set, "loop", "loop.html", loop, strlen(loop), &err) == VP_OK);
    vp_buf_init(&b, 1 << 16);
    CHECK(vp_templates_render(set, "loop", view, &b, &err) == VP_ERR_TOO_BIG);
    CHECK_STR(err.file, "loop.html");
    CHECK(err.line == 1);
    CHECK_CONTAINS(err.message, "partials nest deeper than");
    vp_error_clear(&err);
    vp_buf_free(&b);

    /* Sections nested over lists multiply: a render that would visit
     * billions of tags stops with an error instead of hanging. */
    const char *blowup = "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}"
                         "{{#l}}{{#l}}{{#l}}.{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}"
                         "{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}";
    CHECK(vp_templates_add(set, "blowup", "blowup.html", blowup, strlen(blowup), &err) == VP_OK);
    json_t *ten = json_loads("{\"l\":[1,2,3,4,5,6,7,8,9,10]}", 0, NULL);
    vp_buf_init(&b, 1 << 30);
    CHECK(vp_templates_render(set, "blowup", ten, &b, &err) == VP_ERR_TOO_BIG);
    CHECK_STR(err.file, "blowup.html");
    CHECK(err.line == 1);
    CHECK_CONTAINS(err.message, "rendering takes more than");
    vp_error_clear(&err);
    vp_buf_free(&b);
    json_decref(ten);

    /* Rendering a template the set does not have. */
    vp_buf_init(&b, 1 << 16);
    CHECK(vp_templates_render(set, "nope", view, &b, &err) == VP_ERR_NOT_FOUND);
    CHECK_STR(err.message, "no template nope");
    CHECK(err.file == NULL);
    vp_error_clear(&err);
    vp_buf_free(&b);

    /* A page larger than the buffer's cap. */
    vp_buf_init(&b, 8);
    CHECK(vp_templates_render(set, "page", view, &b, &err) == VP_ERR_TOO_BIG);
    CHECK(err.status == VP_ERR_TOO_BIG && err.message != NULL);
    vp_error_clear(&err);
    vp_buf_free(&b);
    json_decref(view);
    vp_templates_destroy(set);
}

static void test_malformed(void)
{
    LOAD_FAILS("<p>\n{{title</p>\n", "page.html:2: \"{{\" without a closing \"}}\"");
    LOAD_FAILS("{{{raw}}\n", "page.html:1: \"{{\" without a closing \"}}}\"");
    LOAD_FAILS("a\nb\n{{#list}}\n<li>\n", "page.html:3: the section {{#list}} is never closed");
    LOAD_FAILS("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}",
               "page.html:3: {{/a}} closes the section {{#b}} opened on line 2");
    LOAD_FAILS("x\n\n{{/a}}", "page.html:3: {{/a}} closes no section");
    LOAD_FAILS("{{}}", "page.html:1: \"\" is not a name (letters, digits, '_', '-', '.' between names)");
    LOAD_FAILS("\n{{a b}}", "page.html:2: \"a b\" is not a name (letters, digits, '_', '-', '.' between names)");
    LOAD_FAILS("{{=<% %>=}}", "page.html:1: changing the delimiters ({{=...=}}) is not supported");
    LOAD_FAILS("{{> }}", "page.html:1: \"\" is not a name (letters, digits, '_', '-', '.' between names)");
    /* Lines are counted across multi-line comments. */
    LOAD_FAILS("{{! one\ntwo\nthree }}\n{{oops", "page.html:4: \"{{\" without a closing \"}}\"");
    /* Well-formed ones load. */
    char *err = load_error("{{#a}}{{^b}}{{c}}{{/b}}{{/a}}{{! fine }}{{{d}}}{{&e}}{{>f}}");
    CHECK(err == NULL);
    free(err);
}

int main(void)
{
    test_variables();
    test_sections();
    test_standalone();
    test_partials();
    test_malformed();
    return check_done();
}
