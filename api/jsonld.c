/* jsonld.c - the schema.org data of an offering (Event, Course, Book,
 * Service) as its page and the proposition pages embed it: the next date
 * that has not ended, the place, the library and the price. Below the
 * pages that use it (pages.c, propositions.c), so they need not call each
 * other. */
#include <string.h>

#include "site.h"

#define MAX_OCC 1000

static const char *jstr(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- building blocks ---- */

static json_t *library_jsonld(json_t *doc)
{
    const char *name = jstr(doc, "library_name");
    if (!name)
        name = jstr(doc, "library");
    if (!name)
        return NULL;
    return json_pack("{s:s, s:s}", "@type", "Library", "name", name);
}

static json_t *place_jsonld(json_t *doc)
{
    const char *channel = jstr(doc, "channel");
    if (channel && strcmp(channel, "online") == 0)
        return jstr(doc, "url") ? json_pack("{s:s, s:s}", "@type", "VirtualLocation", "url",
                                            jstr(doc, "url"))
                                : NULL;
    const char *name = jstr(doc, "branch_name");
    if (!name)
        name = jstr(doc, "library_name");
    if (!name && !jstr(doc, "municipality"))
        return NULL;
    json_t *p = json_pack("{s:s}", "@type", "Place");
    if (name)
        json_object_set_new(p, "name", json_string(name));
    json_t *addr = json_pack("{s:s, s:s}", "@type", "PostalAddress", "addressCountry", "NL");
    if (jstr(doc, "municipality"))
        json_object_set_new(addr, "addressLocality", json_string(jstr(doc, "municipality")));
    json_object_set_new(p, "address", addr);
    json_t *loc = json_object_get(doc, "location");
    if (json_is_number(json_object_get(loc, "lat")) && json_is_number(json_object_get(loc, "lon")))
        json_object_set_new(p, "geo", json_pack("{s:s, s:O, s:O}", "@type", "GeoCoordinates",
                                                "latitude", json_object_get(loc, "lat"),
                                                "longitude", json_object_get(loc, "lon")));
    return p;
}

static json_t *offer_jsonld(json_t *doc)
{
    json_t *price = json_object_get(doc, "price");
    json_t *amount = json_object_get(price, "amount");
    if (!json_is_number(amount))
        return NULL;
    json_t *o = json_pack("{s:s, s:O, s:s}", "@type", "Offer", "price", amount, "priceCurrency",
                          jstr(price, "currency") ? jstr(price, "currency") : "EUR");
    if (o && jstr(doc, "url"))
        json_object_set_new(o, "url", json_string(jstr(doc, "url")));
    return o;
}

static void set_opt(json_t *o, const char *key, json_t *v)
{
    if (v)
        json_object_set_new(o, key, v);
}

json_t *api_offering_jsonld(json_t *doc, const char *page_url, int64_t now)
{
    const char *type = jstr(doc, "type");
    if (!type)
        type = "service";
    json_t *ld = json_pack("{s:s}", "@context", "https://schema.org");
    if (!ld)
        return NULL;
    json_object_set_new(ld, "@id", json_string(page_url));
    json_object_set_new(ld, "url", json_string(page_url));
    if (jstr(doc, "title"))
        json_object_set_new(ld, "name", json_string(jstr(doc, "title")));
    if (jstr(doc, "description"))
        json_object_set_new(ld, "description", json_string(jstr(doc, "description")));
    if (jstr(doc, "language"))
        json_object_set_new(ld, "inLanguage", json_string(jstr(doc, "language")));
    /* The next occurrence that has not ended (else the last one). */
    json_t *st[MAX_OCC], *en[MAX_OCC];
    size_t n = api_occurrences(doc, st, en, MAX_OCC), pick = n;
    for (size_t i = 0; i < n && pick == n; i++)
        if (api_occurrence_until(st[i], en[i]) >= now)
            pick = i;
    if (pick == n && n)
        pick = n - 1;
    const char *channel = jstr(doc, "channel");
    if (strcmp(type, "event") == 0 || strcmp(type, "activity") == 0) {
        json_object_set_new(ld, "@type", json_string("Event"));
        if (pick < n) {
            json_object_set_new(ld, "startDate", json_incref(st[pick]));
            if (json_is_string(en[pick]))
                json_object_set_new(ld, "endDate", json_incref(en[pick]));
        }
        json_object_set_new(ld, "eventStatus", json_string("https://schema.org/EventScheduled"));
        const char *mode = channel && strcmp(channel, "online") == 0
                               ? "https://schema.org/OnlineEventAttendanceMode"
                           : channel && strcmp(channel, "hybrid") == 0
                               ? "https://schema.org/MixedEventAttendanceMode"
                               : "https://schema.org/OfflineEventAttendanceMode";
        json_object_set_new(ld, "eventAttendanceMode", json_string(mode));
        set_opt(ld, "location", place_jsonld(doc));
        set_opt(ld, "organizer", library_jsonld(doc));
        set_opt(ld, "offers", offer_jsonld(doc));
    } else if (strcmp(type, "course") == 0) {
        json_object_set_new(ld, "@type", json_string("Course"));
        set_opt(ld, "provider", library_jsonld(doc));
        json_t *inst = json_pack("{s:s, s:s}", "@type", "CourseInstance", "courseMode",
                                 channel && strcmp(channel, "online") == 0   ? "online"
                                 : channel && strcmp(channel, "hybrid") == 0 ? "blended"
                                                                              : "onsite");
        if (inst && pick < n) {
            json_object_set_new(inst, "startDate", json_incref(st[pick]));
            if (json_is_string(en[n - 1]))
                json_object_set_new(inst, "endDate", json_incref(en[n - 1]));
        }
        set_opt(inst, "location", place_jsonld(doc));
        json_object_set_new(ld, "hasCourseInstance", json_pack("[o]", inst));
        set_opt(ld, "offers", offer_jsonld(doc));
    } else if (strcmp(type, "book") == 0 || strcmp(type, "ebook") == 0 ||
               strcmp(type, "audiobook") == 0) {
        json_object_set_new(ld, "@type", json_string("Book"));
        json_t *authors = json_array();
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(doc, "creators"), i, c) {
            if (json_is_string(c))
                json_array_append_new(authors, json_pack("{s:s, s:O}", "@type", "Person", "name", c));
        }
        if (json_array_size(authors))
            json_object_set_new(ld, "author", authors);
        else
            json_decref(authors);
        json_t *isbn = json_object_get(doc, "isbn");
        if (json_array_size(isbn) == 1)
            json_object_set(ld, "isbn", json_array_get(isbn, 0));
        else if (json_array_size(isbn) > 1)
            json_object_set(ld, "isbn", isbn);
        if (strcmp(type, "ebook") == 0)
            json_object_set_new(ld, "bookFormat", json_string("https://schema.org/EBook"));
        else if (strcmp(type, "audiobook") == 0)
            json_object_set_new(ld, "bookFormat", json_string("https://schema.org/AudiobookFormat"));
        json_t *subjects = json_object_get(doc, "subjects");
        if (json_array_size(subjects))
            json_object_set(ld, "keywords", subjects);
        json_t *lender = library_jsonld(doc);
        if (lender) {
            json_t *borrow = json_pack("{s:s, s:o}", "@type", "BorrowAction", "lender", lender);
            if (borrow && jstr(doc, "url"))
                json_object_set_new(borrow, "target", json_string(jstr(doc, "url")));
            set_opt(ld, "potentialAction", borrow);
        }
    } else {
        json_object_set_new(ld, "@type", json_string("Service"));
        set_opt(ld, "provider", library_jsonld(doc));
        if (jstr(doc, "municipality"))
            json_object_set_new(ld, "areaServed", json_pack("{s:s, s:s}", "@type", "City", "name",
                                                            jstr(doc, "municipality")));
        set_opt(ld, "offers", offer_jsonld(doc));
    }
    return ld;
}
