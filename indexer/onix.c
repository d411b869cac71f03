/* onix.c - ONIX for Books messages as records (onix.h).
 *
 * One code path reads both versions and both tag sets: every lookup names
 * an element by its reference tag and its short tag ("ProductForm",
 * "b012"); composites, whose short tag is the reference tag in lower
 * case ("DescriptiveDetail" / "descriptivedetail"), match without case.
 * Lookups ignore namespaces (xml.h), so 3.0, 3.1 and the namespace-less
 * 2.1 read alike. Where 3.0 moved an element into a block
 * (DescriptiveDetail, CollateralDetail, PublishingDetail, ProductSupply)
 * and 2.1 has it directly in <Product>, both places are looked at.
 * Codes are those of the ONIX code lists (List 7 product form, 17
 * contributor role, 27 subject scheme, 65 product availability, ...). */
/* strdup, strncasecmp: the build defines this too (CMakeLists.txt) */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "vindplaats/onix.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "vindplaats/connector.h"
#include "vindplaats/offering.h"
#include "vindplaats/web.h"
#include "vindplaats/xml.h"

/* Reference and short tag of each element read. */
#define RECORD_REFERENCE "RecordReference", "a001"
#define NOTIFICATION_TYPE "NotificationType", "a002"
#define PRODUCT_IDENTIFIER "ProductIdentifier", NULL
#define PRODUCT_ID_TYPE "ProductIDType", "b221"
#define ID_VALUE "IDValue", "b244"
#define DESCRIPTIVE_DETAIL "DescriptiveDetail", NULL
#define PRODUCT_FORM "ProductForm", "b012"
#define PRODUCT_FORM_DETAIL "ProductFormDetail", "b333"
#define EPUB_TYPE "EpubType", "b211"
#define TITLE_DETAIL "TitleDetail", NULL
#define TITLE_21 "Title", NULL
#define TITLE_TYPE "TitleType", "b202"
#define TITLE_ELEMENT "TitleElement", NULL
#define TITLE_ELEMENT_LEVEL "TitleElementLevel", "x409"
#define TITLE_TEXT "TitleText", "b203"
#define TITLE_PREFIX "TitlePrefix", "b030"
#define TITLE_WITHOUT_PREFIX "TitleWithoutPrefix", "b031"
#define SUBTITLE "Subtitle", "b029"
#define DISTINCTIVE_TITLE "DistinctiveTitle", "b028"
#define CONTRIBUTOR "Contributor", NULL
#define CONTRIBUTOR_ROLE "ContributorRole", "b035"
#define PERSON_NAME "PersonName", "b036"
#define PERSON_NAME_INVERTED "PersonNameInverted", "b037"
#define NAMES_BEFORE_KEY "NamesBeforeKey", "b039"
#define KEY_NAMES "KeyNames", "b040"
#define CORPORATE_NAME "CorporateName", "b047"
#define LANGUAGE "Language", NULL
#define LANGUAGE_ROLE "LanguageRole", "b253"
#define LANGUAGE_CODE "LanguageCode", "b252"
#define LANGUAGE_OF_TEXT "LanguageOfText", "b059"
#define DEFAULT_LANGUAGE "DefaultLanguageOfText", "m184"
#define HEADER "Header", NULL
#define SUBJECT "Subject", NULL
#define SUBJECT_SCHEME "SubjectSchemeIdentifier", "b067"
#define SUBJECT_CODE "SubjectCode", "b069"
#define SUBJECT_HEADING "SubjectHeadingText", "b070"
#define BASIC_MAIN_SUBJECT "BASICMainSubject", "b064"
#define COLLATERAL_DETAIL "CollateralDetail", NULL
#define TEXT_CONTENT "TextContent", NULL
#define TEXT_TYPE "TextType", "x426"
#define OTHER_TEXT "OtherText", NULL
#define TEXT_TYPE_CODE "TextTypeCode", "d102"
#define TEXT_FORMAT "TextFormat", "d103"
#define TEXT "Text", "d104"
#define PUBLISHING_DETAIL "PublishingDetail", NULL
#define PUBLISHER "Publisher", NULL
#define PUBLISHING_ROLE "PublishingRole", "b291"
#define PUBLISHER_NAME "PublisherName", "b081"
#define PUBLISHING_STATUS "PublishingStatus", "b394"
#define PUBLISHING_DATE "PublishingDate", NULL
#define PUBLISHING_DATE_ROLE "PublishingDateRole", "x448"
#define DATE "Date", "b306"
#define PUBLICATION_DATE "PublicationDate", "b003"
#define PRODUCT_SUPPLY "ProductSupply", NULL
#define SUPPLY_DETAIL "SupplyDetail", NULL
#define PRODUCT_AVAILABILITY "ProductAvailability", "j396"
#define AVAILABILITY_CODE "AvailabilityCode", "j141"
#define PRICE "Price", NULL
#define PRICE_AMOUNT "PriceAmount", "j151"
#define CURRENCY_CODE "CurrencyCode", "j152"
#define WEBSITE "Website", NULL
#define WEBSITE_ROLE "WebsiteRole", "b367"
#define WEBSITE_LINK "WebsiteLink", "b295"

/* Longest description kept (the offering's own limit is 100,000 bytes). */
#define MAX_DESCRIPTION (64u * 1024)

typedef struct ctx {
    const vp_emit *emit;
    const char *default_language; /* ISO 639-1 from the header, or NULL */
    int nomem;
} ctx;

static void note(ctx *c, int rc)
{
    if (rc != 0)
        c->nomem = 1;
}

static int is_tag(xmlNodePtr n, const char *ref, const char *shrt)
{
    if (!n || n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    const char *name = (const char *)n->name;
    return strcasecmp(name, ref) == 0 || (shrt && strcmp(name, shrt) == 0);
}

static xmlNodePtr next_tag(xmlNodePtr n, const char *ref, const char *shrt)
{
    for (; n; n = n->next)
        if (is_tag(n, ref, shrt))
            return n;
    return NULL;
}

/* The first child of `parent` with the tag, or NULL. */
static xmlNodePtr kid(xmlNodePtr parent, const char *ref, const char *shrt)
{
    return parent ? next_tag(parent->children, ref, shrt) : NULL;
}

/* The next sibling after `n` with the tag, or NULL. */
static xmlNodePtr sib(xmlNodePtr n, const char *ref, const char *shrt)
{
    return n ? next_tag(n->next, ref, shrt) : NULL;
}

/* The trimmed text of `n` (malloc()ed; NULL for a NULL node or no memory). */
static char *text_of(xmlNodePtr n)
{
    return n ? vp_str_trim(vp_xml_text(n)) : NULL;
}

/* The trimmed text of the first child with the tag into buf ("" when
 * absent); for the short codes of code lists. */
static const char *code_of(xmlNodePtr parent, const char *ref, const char *shrt, char *buf,
                           size_t cap)
{
    buf[0] = '\0';
    char *t = text_of(kid(parent, ref, shrt));
    if (t)
        snprintf(buf, cap, "%s", t);
    free(t);
    return buf;
}

/* ---- form ------------------------------------------------------------- */

/* book, ebook or audiobook from ProductForm (List 150; 2.1: List 7),
 * ProductFormDetail and 2.1's EpubType; NULL for other forms. */
static const char *format_of(const char *form, xmlNodePtr product, xmlNodePtr dd)
{
    int audio_detail = 0, ebook_detail = 0;
    for (xmlNodePtr d = kid(dd, PRODUCT_FORM_DETAIL); d; d = sib(d, PRODUCT_FORM_DETAIL)) {
        char *t = text_of(d);
        if (t && t[0] == 'A' && isdigit((unsigned char)t[1]))
            audio_detail = 1;
        if (t && t[0] == 'E' && isdigit((unsigned char)t[1]))
            ebook_detail = 1;
        free(t);
    }
    int epub = kid(product, EPUB_TYPE) != NULL;
    if (form[0] == 'A')
        return "audiobook";
    if (form[0] == 'B')
        return "book";
    if (form[0] == 'E' || form[0] == 'D') {
        /* digital: a downloadable audio file says so in its detail */
        if (audio_detail && !ebook_detail)
            return "audiobook";
        return "ebook";
    }
    if (!form[0] && epub)
        return "ebook";
    return NULL;
}

/* ---- title ------------------------------------------------------------ */

/* "Prefix Title: Subtitle" of a TitleElement (3.0) or Title (2.1). */
static char *title_text(xmlNodePtr t)
{
    char *text = text_of(kid(t, TITLE_TEXT));
    if (!text || !*text) {
        free(text);
        char *prefix = text_of(kid(t, TITLE_PREFIX));
        char *rest = text_of(kid(t, TITLE_WITHOUT_PREFIX));
        if (rest && *rest) {
            size_t n = (prefix ? strlen(prefix) : 0) + strlen(rest) + 2;
            text = malloc(n);
            if (text)
                snprintf(text, n, "%s%s%s", prefix && *prefix ? prefix : "",
                         prefix && *prefix ? " " : "", rest);
        } else {
            text = NULL;
        }
        free(prefix);
        free(rest);
    }
    if (!text)
        return NULL;
    char *sub = text_of(kid(t, SUBTITLE));
    if (sub && *sub) {
        size_t n = strlen(text) + strlen(sub) + 3;
        char *both = malloc(n);
        if (both)
            snprintf(both, n, "%s: %s", text, sub);
        free(text);
        text = both;
    }
    free(sub);
    return text;
}

/* The distinctive title (TitleType 01) of the product. */
static char *product_title(xmlNodePtr product, xmlNodePtr dd)
{
    char code[16];
    /* 3.0: TitleDetail / TitleElement at product level (01) */
    for (xmlNodePtr td = kid(dd, TITLE_DETAIL); td; td = sib(td, TITLE_DETAIL)) {
        if (strcmp(code_of(td, TITLE_TYPE, code, sizeof code), "01") != 0)
            continue;
        xmlNodePtr chosen = NULL;
        for (xmlNodePtr te = kid(td, TITLE_ELEMENT); te; te = sib(te, TITLE_ELEMENT)) {
            const char *lvl = code_of(te, TITLE_ELEMENT_LEVEL, code, sizeof code);
            if (!strcmp(lvl, "01") || (!lvl[0] && !chosen))
                chosen = te;
        }
        char *t = chosen ? title_text(chosen) : NULL;
        if (t)
            return t;
    }
    /* 2.1: Title (01), then DistinctiveTitle */
    xmlNodePtr first = NULL;
    for (xmlNodePtr t = kid(product, TITLE_21); t; t = sib(t, TITLE_21)) {
        if (!strcmp(code_of(t, TITLE_TYPE, code, sizeof code), "01")) {
            first = t;
            break;
        }
        if (!first)
            first = t;
    }
    char *t = first ? title_text(first) : NULL;
    if (t)
        return t;
    t = text_of(kid(product, DISTINCTIVE_TITLE));
    if (t && !*t) {
        free(t);
        t = NULL;
    }
    return t;
}

/* ---- contributors ----------------------------------------------------- */

static const struct {
    const char *code, *role;
} roles[] = {
    {"A01", "author"},       {"A02", "author"},      {"A12", "illustrator"},
    {"A13", "photographer"}, {"A15", "preface"},     {"A23", "foreword"},
    {"A24", "introduction"}, {"A36", "cover design"}, {"B01", "editor"},
    {"B06", "translator"},   {"E07", "narrator"},    {"E08", "performer"},
};

static const char *role_of(const char *code)
{
    for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
        if (!strcmp(roles[i].code, code))
            return roles[i].role;
    return "contributor";
}

/* The display name of a Contributor: PersonName, else NamesBeforeKey +
 * KeyNames, else PersonNameInverted, else CorporateName. */
static char *contributor_name(xmlNodePtr c)
{
    char *n = text_of(kid(c, PERSON_NAME));
    if (n && *n)
        return n;
    free(n);
    char *before = text_of(kid(c, NAMES_BEFORE_KEY)), *key = text_of(kid(c, KEY_NAMES));
    n = NULL;
    if (key && *key) {
        size_t len = strlen(key) + (before ? strlen(before) : 0) + 2;
        n = malloc(len);
        if (n)
            snprintf(n, len, "%s%s%s", before && *before ? before : "", before && *before ? " " : "",
                     key);
    }
    free(before);
    free(key);
    if (n)
        return n;
    n = text_of(kid(c, PERSON_NAME_INVERTED));
    if (n && *n)
        return n;
    free(n);
    n = text_of(kid(c, CORPORATE_NAME));
    if (n && *n)
        return n;
    free(n);
    return NULL;
}

static void add_contributors(ctx *c, json_t *fields, xmlNodePtr product, xmlNodePtr dd)
{
    xmlNodePtr first = kid(dd, CONTRIBUTOR);
    if (!first)
        first = kid(product, CONTRIBUTOR);
    for (xmlNodePtr n = first; n && !c->nomem; n = sib(n, CONTRIBUTOR)) {
        char *name = contributor_name(n);
        if (!name)
            continue;
        vp_str_trim(name);
        char code[16];
        const char *role = role_of(code_of(n, CONTRIBUTOR_ROLE, code, sizeof code));
        note(c, vp_fields_add(fields, "creators", name));
        json_t *list = json_object_get(fields, "contributors");
        if (!list) {
            list = json_array();
            note(c, !list || json_object_set_new(fields, "contributors", list) != 0);
        }
        /* NULL for a name that is not UTF-8: validation reports it on creators */
        json_t *one = json_pack("{s:s, s:s}", "name", name, "role", role);
        if (one)
            note(c, json_array_append_new(list, one));
        free(name);
    }
}

/* ---- subjects --------------------------------------------------------- */

/* The name of a subject scheme (List 27) whose codes are kept. */
static const char *scheme_name(const char *id)
{
    if (!strcmp(id, "10"))
        return "BISAC";
    if (!strcmp(id, "12"))
        return "BIC";
    if (!strcmp(id, "32"))
        return "NUR";
    if (!strcmp(id, "93") || !strcmp(id, "94") || !strcmp(id, "95") || !strcmp(id, "96") ||
        !strcmp(id, "97") || !strcmp(id, "98") || !strcmp(id, "99"))
        return "Thema";
    return NULL;
}

static void add_subject(ctx *c, json_t *fields, const char *scheme, const char *code,
                        const char *heading)
{
    if (heading && *heading) {
        note(c, vp_fields_add(fields, "subjects", heading));
        return;
    }
    if (!scheme || !code || !*code)
        return;
    char buf[200];
    snprintf(buf, sizeof buf, "%s %s", scheme, code);
    note(c, vp_fields_add(fields, "subjects", buf));
}

static void add_subjects(ctx *c, json_t *fields, xmlNodePtr product, xmlNodePtr dd)
{
    xmlNodePtr first = kid(dd, SUBJECT);
    if (!first)
        first = kid(product, SUBJECT);
    char id[16];
    for (xmlNodePtr s = first; s && !c->nomem; s = sib(s, SUBJECT)) {
        code_of(s, SUBJECT_SCHEME, id, sizeof id);
        char *code = text_of(kid(s, SUBJECT_CODE));
        char *heading = text_of(kid(s, SUBJECT_HEADING));
        if (!strcmp(id, "20") && heading) {
            /* keywords: "a; b; c" */
            for (char *tok = strtok(heading, ";"); tok; tok = strtok(NULL, ";"))
                note(c, vp_fields_add(fields, "subjects", vp_str_trim(tok)));
        } else {
            add_subject(c, fields, scheme_name(id), code, heading);
        }
        free(code);
        free(heading);
    }
    /* 2.1: the main BISAC subject on its own */
    char *basic = text_of(kid(product, BASIC_MAIN_SUBJECT));
    if (basic)
        add_subject(c, fields, "BISAC", basic, NULL);
    free(basic);
}

/* ---- language, identifiers -------------------------------------------- */

static void set_language(ctx *c, json_t *fields, xmlNodePtr product, xmlNodePtr dd)
{
    char role[16], code[16];
    xmlNodePtr first = kid(dd, LANGUAGE);
    if (!first)
        first = kid(product, LANGUAGE);
    for (xmlNodePtr l = first; l; l = sib(l, LANGUAGE)) {
        code_of(l, LANGUAGE_ROLE, role, sizeof role);
        if (strcmp(role, "01") != 0)
            continue;
        const char *iso = vp_language_code(code_of(l, LANGUAGE_CODE, code, sizeof code));
        if (iso) {
            note(c, vp_fields_set(fields, "language", iso));
            return;
        }
    }
    const char *iso = vp_language_code(code_of(product, LANGUAGE_OF_TEXT, code, sizeof code));
    if (!iso)
        iso = c->default_language;
    if (iso)
        note(c, vp_fields_set(fields, "language", iso));
}

/* ISBNs of ProductIdentifier 15 (ISBN-13), 02 (ISBN-10) and 03 (GTIN-13,
 * when it is a Bookland 978/979 number), ISBN-13 first. */
static void add_isbns(ctx *c, json_t *fields, xmlNodePtr product)
{
    static const char *const order[] = {"15", "03", "02"};
    char type[16];
    for (size_t k = 0; k < 3; k++)
        for (xmlNodePtr p = kid(product, PRODUCT_IDENTIFIER); p && !c->nomem;
             p = sib(p, PRODUCT_IDENTIFIER)) {
            if (strcmp(code_of(p, PRODUCT_ID_TYPE, type, sizeof type), order[k]) != 0)
                continue;
            char *v = text_of(kid(p, ID_VALUE));
            char *isbn = v ? vp_isbn_dup(v, 0) : NULL;
            if (isbn && (k != 1 || !strncmp(isbn, "978", 3) || !strncmp(isbn, "979", 3)))
                note(c, vp_fields_add(fields, "isbn", isbn));
            free(isbn);
            free(v);
        }
}

/* ---- description ------------------------------------------------------ */

/* The text of a <Text> element: XHTML children serialised and reduced to
 * text, escaped HTML reduced to text, plain text kept. */
static char *text_content(xmlNodePtr text, const char *format21)
{
    int has_elements = 0;
    for (xmlNodePtr n = text->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            has_elements = 1;
    if (has_elements) {
        xmlBufferPtr b = xmlBufferCreate();
        if (!b)
            return NULL;
        for (xmlNodePtr n = text->children; n; n = n->next)
            xmlNodeDump(b, text->doc, n, 0, 0);
        char *t = vp_html_to_text((const char *)xmlBufferContent(b), (size_t)xmlBufferLength(b));
        xmlBufferFree(b);
        return t;
    }
    char *raw = vp_xml_text(text);
    if (!raw)
        return NULL;
    char *fmt = vp_xml_attr(text, "textformat");
    int html = (fmt && (!strcmp(fmt, "02") || !strcmp(fmt, "03") || !strcmp(fmt, "05"))) ||
               (format21 && (!strcmp(format21, "02") || !strcmp(format21, "03") ||
                             !strcmp(format21, "05")));
    free(fmt);
    size_t n = strlen(raw);
    if (!html) {
        /* undeclared markup, as feeds send it: "<i>Millions</i>", "<p>" */
        const char *end = raw + n;
        html = vp_str_find_ci(raw, end, "</") || vp_str_find_ci(raw, end, "<br") ||
               vp_str_find_ci(raw, end, "<p>");
    }
    if (!html)
        return raw;
    char *t = vp_html_to_text(raw, n);
    free(raw);
    return t;
}

/* The description: 3.0 TextContent 03 (description), else 02 (short);
 * 2.1 OtherText 01 (main), 03 (long), 02 (short). */
static void set_description(ctx *c, json_t *fields, xmlNodePtr product)
{
    static const char *const want30[] = {"03", "02"};
    static const char *const want21[] = {"01", "03", "02"};
    char code[16], fmt[16];
    xmlNodePtr cd = kid(product, COLLATERAL_DETAIL);
    xmlNodePtr found = NULL;
    const char *format21 = NULL;
    for (size_t k = 0; cd && !found && k < 2; k++)
        for (xmlNodePtr t = kid(cd, TEXT_CONTENT); t && !found; t = sib(t, TEXT_CONTENT))
            if (!strcmp(code_of(t, TEXT_TYPE, code, sizeof code), want30[k]))
                found = kid(t, TEXT);
    for (size_t k = 0; !found && k < 3; k++)
        for (xmlNodePtr t = kid(product, OTHER_TEXT); t && !found; t = sib(t, OTHER_TEXT))
            if (!strcmp(code_of(t, TEXT_TYPE_CODE, code, sizeof code), want21[k])) {
                found = kid(t, TEXT);
                format21 = code_of(t, TEXT_FORMAT, fmt, sizeof fmt);
            }
    if (!found)
        return;
    char *t = text_content(found, format21);
    if (!t) {
        c->nomem = 1;
        return;
    }
    if (strlen(t) > MAX_DESCRIPTION) {
        /* cut at a character boundary */
        size_t n = MAX_DESCRIPTION;
        while (n > 0 && ((unsigned char)t[n] & 0xC0) == 0x80)
            n--;
        t[n] = '\0';
    }
    note(c, vp_fields_set_text(fields, "description", t));
    free(t);
}

/* ---- publishing and supply -------------------------------------------- */

/* "YYYY-MM-DD" of an ONIX date "YYYYMMDD" (also "YYYY-MM-DD"); 0 when it
 * is not a whole, valid date. */
static int onix_date(const char *s, char out[11])
{
    char d[9];
    size_t n = 0;
    for (const char *p = s; *p && n < 9; p++) {
        if (isdigit((unsigned char)*p))
            d[n++] = *p;
        else if (*p != '-')
            break;
    }
    if (n != 8)
        return 0;
    snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
    int y = atoi(out), m = atoi(out + 5), day = atoi(out + 8);
    return y >= 1000 && m >= 1 && m <= 12 && day >= 1 && day <= 31 &&
           vp_day_valid(y * 10000 + m * 100 + day);
}

static void set_publishing(ctx *c, json_t *fields, xmlNodePtr product)
{
    xmlNodePtr pd = kid(product, PUBLISHING_DETAIL);
    char code[16], date[11];
    /* publisher: role 01 (publisher), else the first */
    xmlNodePtr pub = NULL;
    xmlNodePtr first = kid(pd, PUBLISHER);
    if (!first)
        first = kid(product, PUBLISHER);
    for (xmlNodePtr p = first; p; p = sib(p, PUBLISHER))
        if (!pub || !strcmp(code_of(p, PUBLISHING_ROLE, code, sizeof code), "01")) {
            if (pub && strcmp(code, "01") != 0)
                continue;
            pub = p;
            if (!strcmp(code, "01"))
                break;
        }
    char *name = text_of(kid(pub, PUBLISHER_NAME));
    if (!name || !*name) {
        free(name);
        name = text_of(kid(product, PUBLISHER_NAME));
    }
    note(c, vp_fields_set(fields, "publisher", name));
    free(name);
    /* a product page of the publisher (3.0: WebsiteRole 02), 2.1's Website */
    xmlNodePtr web = NULL;
    for (xmlNodePtr w = kid(pub, WEBSITE); w && !web; w = sib(w, WEBSITE))
        if (!strcmp(code_of(w, WEBSITE_ROLE, code, sizeof code), "02"))
            web = w;
    if (!web)
        web = kid(product, WEBSITE);
    char *link = text_of(kid(web, WEBSITE_LINK));
    char *url = link ? vp_url_resolve(NULL, link) : NULL;
    note(c, vp_fields_set(fields, "url", url));
    free(url);
    free(link);
    /* publication date: 3.0 PublishingDate role 01, 2.1 PublicationDate */
    for (xmlNodePtr d = kid(pd, PUBLISHING_DATE); d; d = sib(d, PUBLISHING_DATE)) {
        if (strcmp(code_of(d, PUBLISHING_DATE_ROLE, code, sizeof code), "01") != 0)
            continue;
        if (onix_date(code_of(d, DATE, code, sizeof code), date))
            note(c, vp_fields_set(fields, "published", date));
        break;
    }
    if (!json_object_get(fields, "published") &&
        onix_date(code_of(product, PUBLICATION_DATE, code, sizeof code), date))
        note(c, vp_fields_set(fields, "published", date));
}

/* availability from ProductAvailability (List 65) */
static const char *availability_65(const char *s)
{
    if (strlen(s) != 2)
        return NULL;
    switch (s[0]) {
    case '1':
        return "forthcoming";
    case '2':
        return "available";
    case '3':
        return "temporarily-unavailable";
    case '4':
    case '5':
        return "unavailable";
    }
    return NULL;
}

/* availability from 2.1's AvailabilityCode (List 54) */
static const char *availability_54(const char *s)
{
    if (!strcmp(s, "IP"))
        return "available";
    if (!strcmp(s, "NP") || !strcmp(s, "NY"))
        return "forthcoming";
    if (!strcmp(s, "TU") || !strcmp(s, "TP") || !strcmp(s, "RP") || !strcmp(s, "MD"))
        return "temporarily-unavailable";
    if (s[0] && strlen(s) == 2)
        return "unavailable";
    return NULL;
}

/* availability from PublishingStatus (List 64) when no supplier says */
static const char *availability_64(const char *s)
{
    if (!strcmp(s, "02"))
        return "forthcoming";
    if (!strcmp(s, "04"))
        return "available";
    if (!strcmp(s, "05") || !strcmp(s, "06") || !strcmp(s, "07") || !strcmp(s, "08") ||
        !strcmp(s, "11"))
        return "unavailable";
    return NULL;
}

/* The price amount of a <Price>, 0 when it has no usable amount. */
static int price_of(xmlNodePtr price, double *amount, char currency[4])
{
    char buf[64], cur[16];
    code_of(price, PRICE_AMOUNT, buf, sizeof buf);
    char *end;
    double v = strtod(buf, &end);
    if (!buf[0] || *end || !(v >= 0) || v > 1e9)
        return 0;
    code_of(price, CURRENCY_CODE, cur, sizeof cur);
    if (strlen(cur) != 3 || !isupper((unsigned char)cur[0]) || !isupper((unsigned char)cur[1]) ||
        !isupper((unsigned char)cur[2]))
        return 0;
    *amount = v;
    memcpy(currency, cur, 4);
    return 1;
}

static void set_supply(ctx *c, json_t *fields, xmlNodePtr product)
{
    char code[16];
    const char *availability = NULL;
    double amount = 0, eur = -1;
    char currency[4] = "";
    int have = 0;
    xmlNodePtr ps = kid(product, PRODUCT_SUPPLY);
    xmlNodePtr first = kid(ps, SUPPLY_DETAIL);
    if (!first)
        first = kid(product, SUPPLY_DETAIL);
    for (xmlNodePtr sd = first; sd; sd = sib(sd, SUPPLY_DETAIL)) {
        if (!availability)
            availability = availability_65(code_of(sd, PRODUCT_AVAILABILITY, code, sizeof code));
        if (!availability)
            availability = availability_54(code_of(sd, AVAILABILITY_CODE, code, sizeof code));
        for (xmlNodePtr p = kid(sd, PRICE); p; p = sib(p, PRICE)) {
            double v;
            char cur[4];
            if (!price_of(p, &v, cur))
                continue;
            if (!strcmp(cur, "EUR") && eur < 0)
                eur = v;
            if (!have) {
                amount = v;
                memcpy(currency, cur, 4);
                have = 1;
            }
        }
    }
    /* ProductSupply may also sit in a second block for another market */
    for (xmlNodePtr more = sib(ps, PRODUCT_SUPPLY); more && !availability;
         more = sib(more, PRODUCT_SUPPLY))
        for (xmlNodePtr sd = kid(more, SUPPLY_DETAIL); sd && !availability; sd = sib(sd, SUPPLY_DETAIL))
            availability = availability_65(code_of(sd, PRODUCT_AVAILABILITY, code, sizeof code));
    if (!availability) {
        xmlNodePtr pd = kid(product, PUBLISHING_DETAIL);
        availability = availability_64(code_of(pd ? pd : product, PUBLISHING_STATUS, code, sizeof code));
    }
    note(c, vp_fields_set(fields, "availability", availability));
    if (eur >= 0) {
        amount = eur;
        memcpy(currency, "EUR", 4);
        have = 1;
    }
    if (have) {
        json_t *price = json_pack("{s:f, s:s}", "amount", amount, "currency", currency);
        note(c, !price || json_object_set_new(fields, "price", price) != 0);
    }
}

/* ---- one product ------------------------------------------------------ */

/* Emits or rejects one <Product>; returns non-zero when the emit asked to
 * stop. */
static int one_product(ctx *c, xmlNodePtr product, size_t n)
{
    const vp_emit *emit = c->emit;
    char where[96], code[16], form[16];
    snprintf(where, sizeof where, "product %zu (line %ld)", n, xmlGetLineNo(product));
    char *ref = text_of(kid(product, RECORD_REFERENCE));
    char *title = NULL;
    json_t *fields = json_object();
    int stop = 0;
    if (!fields || (kid(product, RECORD_REFERENCE) && !ref)) {
        c->nomem = 1;
        goto done;
    }
    if (ref && !*ref) {
        free(ref);
        ref = NULL;
    }
    add_isbns(c, fields, product);
    if (!ref) {
        /* no reference: the ISBN-13 identifies the product */
        const char *isbn = json_string_value(json_array_get(json_object_get(fields, "isbn"), 0));
        if (isbn) {
            char d[20];
            size_t k = 0;
            for (const char *q = isbn; *q && k < sizeof d - 1; q++)
                if (*q != '-' && *q != ' ')
                    d[k++] = *q;
            d[k] = '\0';
            ref = strdup(d);
        }
    }
    if (!ref) {
        emit->reject(emit->ctx, where, "no RecordReference and no ISBN");
        goto done;
    }
    snprintf(where, sizeof where, "product %zu (line %ld, %.40s)", n, xmlGetLineNo(product), ref);
    if (!strcmp(code_of(product, NOTIFICATION_TYPE, code, sizeof code), "05")) {
        stop = emit->deleted(emit->ctx, ref, where) != 0;
        goto done;
    }
    xmlNodePtr dd = kid(product, DESCRIPTIVE_DETAIL);
    code_of(dd ? dd : product, PRODUCT_FORM, form, sizeof form);
    const char *format = format_of(form, product, dd ? dd : product);
    if (!format) {
        char msg[96];
        snprintf(msg, sizeof msg, "product form \"%.16s\" is not a book, e-book or audiobook",
                 form[0] ? form : "(none)");
        emit->reject(emit->ctx, where, msg);
        goto done;
    }
    title = product_title(product, dd ? dd : product);
    if (!title) {
        emit->reject(emit->ctx, where, "no title (TitleDetail or Title)");
        goto done;
    }
    note(c, vp_fields_set(fields, "title", title));
    note(c, vp_fields_set(fields, "_format", format));
    add_contributors(c, fields, product, dd);
    add_subjects(c, fields, product, dd);
    set_language(c, fields, product, dd);
    set_description(c, fields, product);
    set_publishing(c, fields, product);
    set_supply(c, fields, product);
    if (c->nomem)
        goto done;
    stop = emit->record(emit->ctx, ref, fields, where) != 0;
    fields = NULL; /* stolen */
done:
    json_decref(fields);
    free(ref);
    free(title);
    return stop;
}

vp_status vp_onix_parse(const char *data, size_t len, const vp_emit *emit, vp_error *err)
{
    vp_error broken = VP_ERROR_INIT;
    if (len > VP_XML_MAX_BYTES)
        return vp_error_set(err, VP_ERR_TOO_BIG, NULL, "document larger than the XML limit");
    xmlDocPtr doc = NULL;
    vp_status st = vp_xml_read_partial(data, len, NULL, &doc, &broken, err);
    if (st != VP_OK)
        return st;
    ctx c = {emit, NULL, 0};
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr first;
    int single = 0;
    if (is_tag(root, "ONIXMessage", NULL)) {
        first = kid(root, "Product", NULL);
    } else if (is_tag(root, "Product", NULL)) {
        first = root;
        single = 1;
    } else {
        st = vp_xml_fail(err, VP_ERR_INVALID, xmlGetLineNo(root), 1,
                         "not ONIX (root element <%.60s>)", (const char *)root->name);
        goto done;
    }
    char code[16];
    c.default_language = vp_language_code(code_of(kid(root, HEADER), DEFAULT_LANGUAGE, code, sizeof code));
    size_t n = 0;
    for (xmlNodePtr p = first; p; p = single ? NULL : sib(p, "Product", NULL)) {
        n++;
        if (broken.status != VP_OK && !vp_xml_complete(p))
            break; /* the product the page broke off in, and all after it */
        if (one_product(&c, p, n) || c.nomem)
            break;
    }
    if (c.nomem) {
        st = vp_error_set(err, VP_ERR_NOMEM, NULL, "out of memory");
    } else if (broken.status != VP_OK) {
        vp_emit_broken(emit, &broken);
    }
done:
    vp_error_clear(&broken);
    xmlFreeDoc(doc);
    return st;
}
