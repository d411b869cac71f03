/* test_places.c - where a search is: place names resolved with the PC4
 * table and the network file, and the place parameters of a search
 * (place, postcode, near, radius_km, free) as the engine reads them.
 * argv: vocabulary, tests/data/places/pc4.json, tests/data/places/network.json,
 * data/lexicon/plaatsnamen.tsv, data/reference/nl_pc4_geonames.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vindplaats/geo.h"
#include "vindplaats/network.h"
#include "vindplaats/search.h"
#include "vindplaats/vocabulary.h"

static vp_vocabulary *voc;

static int near(double a, double b)
{
    return fabs(a - b) < 0.01;
}

static void test_names(vp_postcodes *pc)
{
    double lat = 0, lon = 0;
    const char *name = NULL;
    char hint[64];
    /* Case, diacritics, dashes and apostrophes do not count. */
    CHECK(vp_postcodes_find_place(pc, "amersfoort", &lat, &lon, &name, hint, sizeof hint) ==
          VP_PLACE_FOUND);
    CHECK_STR(name, "Amersfoort");
    CHECK(near(lat, (52.1557 + 52.1606 + 52.17) / 3));
    CHECK(vp_postcodes_find_place(pc, "  S HERTOGENBOSCH ", &lat, &lon, &name, NULL, 0) ==
          VP_PLACE_FOUND);
    CHECK_STR(name, "'s-Hertogenbosch");
    /* Two places called Elsloo, 220 km apart, one postcode each. */
    CHECK(vp_postcodes_find_place(pc, "Elsloo", &lat, &lon, &name, hint, sizeof hint) ==
          VP_PLACE_AMBIGUOUS);
    CHECK_STR(hint, "6181 or 8424");
    /* Hoorn: three postcodes in Noord-Holland, one on Terschelling. */
    CHECK(vp_postcodes_find_place(pc, "Hoorn", &lat, &lon, &name, hint, sizeof hint) ==
          VP_PLACE_FOUND);
    CHECK(lat < 53);
    CHECK(vp_postcodes_find_place(pc, "Atlantis", &lat, &lon, &name, hint, sizeof hint) ==
          VP_PLACE_UNKNOWN);
    CHECK(vp_postcodes_find_place(pc, "", &lat, &lon, &name, hint, sizeof hint) ==
          VP_PLACE_UNKNOWN);
    CHECK(vp_postcodes_find_place(pc, "Vathorst", &lat, &lon, &name, hint, sizeof hint) ==
          VP_PLACE_UNKNOWN);
}

static void test_network_names(vp_postcodes *pc)
{
    double lat = 0, lon = 0;
    const char *name = NULL;
    char hint[64];
    /* A branch, by its name and without "Bibliotheek". */
    CHECK(vp_postcodes_find_place(pc, "Vathorst", &lat, &lon, &name, hint, sizeof hint) ==
          VP_PLACE_FOUND);
    CHECK(near(lat, 52.1953) && near(lon, 5.4177));
    CHECK(vp_postcodes_find_place(pc, "bibliotheek eemhuis", &lat, &lon, &name, NULL, 0) ==
          VP_PLACE_FOUND);
    CHECK(near(lat, 52.1557));
    /* A municipality the PC4 table does not name: the mean of its branches. */
    CHECK(vp_postcodes_find_place(pc, "Stein", &lat, &lon, &name, NULL, 0) == VP_PLACE_FOUND);
    CHECK_STR(name, "Stein");
    CHECK(near(lat, 50.9497));
    /* The table's own centre stays for a place it knows well. */
    CHECK(vp_postcodes_find_place(pc, "Amersfoort", &lat, &lon, &name, NULL, 0) == VP_PLACE_FOUND);
    CHECK(near(lat, (52.1557 + 52.1606 + 52.17) / 3));
    /* The network's branch in Elsloo says which Elsloo it serves... */
    CHECK(vp_postcodes_find_place(pc, "Elsloo", &lat, &lon, &name, hint, sizeof hint) ==
          VP_PLACE_FOUND);
    CHECK(lat < 51);
    /* ...and leaves the others ambiguous. */
    CHECK(vp_postcodes_find_place(pc, "Buren", &lat, &lon, &name, hint, sizeof hint) ==
          VP_PLACE_AMBIGUOUS);
    /* A branch without a location names no place. */
    CHECK(vp_postcodes_find_place(pc, "Nergenshuizen", &lat, &lon, &name, NULL, 0) ==
          VP_PLACE_UNKNOWN);
}

static const vp_search_request *parse(const char *query, const vp_postcodes *pc,
                                      vp_search_params **sp, vp_error *perr)
{
    *sp = NULL;
    if (vp_search_params_parse_query(query, voc, pc, sp, perr) != VP_OK)
        return NULL;
    return vp_search_params_request(*sp);
}

static void test_parameters(const vp_postcodes *pc)
{
    vp_search_params *sp;
    vp_error perr = VP_ERROR_INIT;
    const vp_search_request *r = parse("q=taalcafe&place=Amersfoort", pc, &sp, &perr);
    CHECK(r && r->has_near && near(r->near_lat, 52.162));
    /* A place without a radius searches 25 km around it. */
    CHECK(r && r->radius_km == VP_SEARCH_RADIUS_KM && VP_SEARCH_RADIUS_KM == 25.0);
    CHECK(r && r->place && strcmp(r->place, "Amersfoort") == 0);
    vp_search_params_destroy(sp);
    r = parse("place=3811&radius_km=5&sort=distance", pc, &sp, &perr);
    CHECK(r && r->has_near && near(r->near_lat, 52.1557) && r->radius_km == 5);
    CHECK(r && r->place && strcmp(r->place, "Amersfoort") == 0);
    CHECK(r && r->sort == VP_SORT_DISTANCE);
    vp_search_params_destroy(sp);
    r = parse("place=3811+AB", pc, &sp, &perr);
    CHECK(r && near(r->near_lat, 52.1557));
    vp_search_params_destroy(sp);
    r = parse("postcode=3811", pc, &sp, &perr);
    CHECK(r && r->has_near && r->radius_km == 25 && r->place == NULL);
    vp_search_params_destroy(sp);
    r = parse("near=52.1,5.1", pc, &sp, &perr);
    CHECK(r && r->radius_km == 25);
    vp_search_params_destroy(sp);
    /* An empty place (an empty form field) is no place. */
    r = parse("q=a&place=&radius_km=&free=", pc, &sp, &perr);
    CHECK(r && !r->has_near && r->radius_km == 0 && !r->free_only);
    vp_search_params_destroy(sp);
    r = parse("free=true", pc, &sp, &perr);
    CHECK(r && r->free_only == 1);
    vp_search_params_destroy(sp);
    r = parse("free=false", pc, &sp, &perr);
    CHECK(r && r->free_only == 0);
    vp_search_params_destroy(sp);

    static const struct {
        const char *query, *parameter, *message;
    } bad[] = {
        {"place=Atlantis", "place", "place: no place, municipality or library branch called \"Atlantis\""},
        {"place=Buren", "place", "place: \"Buren\" is the name of more than one place; give its "
                                 "postcode (4116 or 9164)"},
        {"place=0000", "place", "place: unknown Dutch postcode \"0000\""},
        {"place=Amersfoort&postcode=3811", "place", "place: give one of near, postcode and place"},
        {"place=Amersfoort&place=Leek", "place", "place: given more than once"},
        {"postcode=Amersfoort", "postcode", "a place name goes in place="},
        {"postcode=38", "postcode", "postcode: unknown Dutch postcode \"38\""},
        {"radius_km=5", "radius_km", "radius_km: needs near, postcode or place"},
        {"place=Amersfoort&radius_km=0", "radius_km", "radius_km: must be a number from 0.1 to 1000"},
        {"sort=distance", "sort", "sort: sort=distance needs near, postcode or place"},
        {"free=yes", "free", "free: must be true or false"},
        {"free=true&free=false", "free", "free: given more than once"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = parse(bad[i].query, pc, &sp, &perr);
        CHECK(r == NULL && sp == NULL);
        CHECK_STR(perr.parameter, bad[i].parameter);
        CHECK_CONTAINS(perr.message, bad[i].message);
    }
    vp_error_clear(&perr);
}

static vp_place_found place_of(const vp_postcodes *pc, const char *text, const char **name,
                               double *lat, double *lon)
{
    *name = NULL;
    return vp_postcodes_find_place(pc, text, lat, lon, name, NULL, 0);
}

/* The everyday names of data/lexicon/plaatsnamen.tsv on the full table:
 * every line names a place the table knows (else loading fails), and the
 * other name finds that place, by its own name. */
static void test_aliases(const char *aliases, const char *table)
{
    vp_postcodes *pc = NULL;
    vp_error err = VP_ERROR_INIT;
    CHECK(vp_postcodes_load(table, &pc, &err) == VP_OK);
    const char *name = NULL;
    double lat = 0, lon = 0, lat2 = 0, lon2 = 0;
    CHECK(pc && place_of(pc, "Den Bosch", &name, &lat, &lon) == VP_PLACE_UNKNOWN);
    CHECK(vp_postcodes_add_aliases(pc, aliases, &err) == VP_OK);
    if (err.message)
        fprintf(stderr, "  %s\n", err.message);
    vp_error_clear(&err);
    static const char *const pairs[][2] = {
        {"Den Bosch", "'s-Hertogenbosch"},  {"den bosch", "'s-Hertogenbosch"},
        {"'s-Gravenhage", "Den Haag"},       {"s gravenhage", "Den Haag"},
        {"Capelle a/d IJssel", "Capelle aan den IJssel"},
        {"Ljouwert", "Leeuwarden"},          {"St. Oedenrode", "Sint-Oedenrode"},
        {"Sint Willebrord", "St. Willebrord"}, {"Gorkum", "Gorinchem"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        int ok = place_of(pc, pairs[i][0], &name, &lat, &lon) == VP_PLACE_FOUND && name &&
                 strcmp(name, pairs[i][1]) == 0 &&
                 place_of(pc, pairs[i][1], &name, &lat2, &lon2) == VP_PLACE_FOUND &&
                 near(lat, lat2) && near(lon, lon2);
        if (!ok)
            fprintf(stderr, "  %s: expected %s\n", pairs[i][0], pairs[i][1]);
        CHECK(ok);
    }
    /* The place's own name still finds it. */
    CHECK(place_of(pc, "'s-Hertogenbosch", &name, &lat, &lon) == VP_PLACE_FOUND);
    vp_postcodes_destroy(pc);

    /* Bad lines name FILE:LINE and what is wrong; nothing is added. */
    char path[] = "/tmp/vp-test-aliases-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    static const struct {
        const char *text;
        unsigned line;
        const char *problem;
    } bad[] = {
        {"# names\nden bosch 's-Hertogenbosch\n", 2, "expected NAME<TAB>PLACE"},
        {"den bosch\tAtlantis\n", 1, "the place is no name of the postcode table"},
        {"\t's-Hertogenbosch\n", 1, "the name is empty"},
        {"utrecht\tAmersfoort\n", 1, "the name is already another place's"},
        {"den bosch\tDen Haag\nden bosch\t's-Hertogenbosch\n", 2, "the name is already another place's"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (!f)
            break;
        fputs(bad[i].text, f);
        fclose(f);
        pc = NULL;
        CHECK(vp_postcodes_load(table, &pc, &err) == VP_OK);
        vp_status st = vp_postcodes_add_aliases(pc, path, &err);
        int ok = st == VP_ERR_INVALID && err.file && strcmp(err.file, path) == 0 &&
                 err.line == bad[i].line && err.message && strstr(err.message, bad[i].problem);
        if (!ok)
            fprintf(stderr, "  alias line %zu: %s:%u: %s\n", i, err.file ? err.file : "(no file)",
                    err.line, err.message ? err.message : "(no error)");
        CHECK(ok);
        CHECK(place_of(pc, "Den Bosch", &name, &lat, &lon) == VP_PLACE_UNKNOWN);
        vp_error_clear(&err);
        vp_postcodes_destroy(pc);
    }
    unlink(path);
    /* A file that is not there is an error too. */
    pc = NULL;
    CHECK(vp_postcodes_load(table, &pc, &err) == VP_OK);
    CHECK(vp_postcodes_add_aliases(pc, "/nonexistent/plaatsnamen.tsv", &err) == VP_ERR_IO &&
          err.file && strcmp(err.file, "/nonexistent/plaatsnamen.tsv") == 0);
    vp_error_clear(&err);
    vp_postcodes_destroy(pc);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: test_places VOCABULARY PC4.json NETWORK.json PLACE-NAMES.tsv "
                        "FULL-PC4.json\n");
        return 2;
    }
    vp_postcodes *pc = NULL;
    vp_network *net = NULL;
    vp_error err = VP_ERROR_INIT;
    if (vp_vocabulary_load(argv[1], &voc, &err) != VP_OK ||
        vp_postcodes_load(argv[2], &pc, &err) != VP_OK ||
        vp_network_load(argv[3], &net, &err) != VP_OK) {
        vp_error_print(stderr, "test_places", &err);
        vp_error_clear(&err);
        return 2;
    }
    test_names(pc);
    CHECK(vp_postcodes_add_network(pc, net) == VP_OK);
    test_network_names(pc);
    test_parameters(pc);
    test_aliases(argv[4], argv[5]);
    /* A postcode file that cannot be read is named as a field, and a
     * network file that is not JSON comes with its file and line. */
    vp_postcodes *none = NULL;
    vp_error gone = VP_ERROR_INIT;
    CHECK(vp_postcodes_load("/nonexistent/pc4.json", &none, &gone) == VP_ERR_INVALID && !none);
    CHECK_STR(gone.file, "/nonexistent/pc4.json");
    CHECK(gone.line == 0 && gone.message != NULL);
    vp_error_clear(&gone);
    vp_network_destroy(net);
    vp_postcodes_destroy(pc);
    vp_vocabulary_destroy(voc);
    return check_done();
}
