#!/usr/bin/env python3
"""Writes data/segments/pc4-segments.csv: ILLUSTRATIVE segment shares per PC4.

The shares are invented, not measured: they only have to be plausible enough
to develop and test recommendations on the sample network (city centres have
more students and busy professionals, villages more rural families, the
neighbourhoods of the sample's "wijk" branches more vulnerable households and
newcomers, new-build districts more young families). Real shares come from a
library's licensed Mosaic export or from CBS neighbourhood statistics and are
loaded with `vindplaats-indexer segments import` (docs/segments.md).

Which PC4s: every PC4 of the municipalities that have a branch in
data/sample/network.json. data/reference/nl_pc4_geonames.json names places,
not municipalities, so a municipality is its own place name plus the villages
listed in VILLAGES below, and only PC4s within 30 km of one of the
municipality's branches count (place names such as "Nes" or "Haren" occur in
several provinces).

The output is deterministic (shares come from the PC4's position and a hash,
never from random state): run it again and the file is byte-for-byte the same.

Usage: python3 data/segments/make-illustrative-pc4.py   (from the repository root,
or give the root as the only argument). Standard library only.
"""
import hashlib
import json
import math
import os
import sys

ROOT = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# Villages and districts with their own place name in the geonames file that
# belong to a sample municipality (illustrative; not a complete gazetteer).
VILLAGES = {
    "Utrecht": ["De Meern", "Vleuten", "Haarzuilens"],
    "Amersfoort": ["Hoogland", "Hooglanderveen"],
    "Leusden": ["Achterveld", "Stoutenburg"],
    "Kampen": ["IJsselmuiden", "Grafhorst", "Wilsum", "Zalk", "'s-Heerenbroek", "Kamperveen"],
    "Groningen": ["Haren Gn", "Glimmen", "Onnen", "Noordlaren", "Ten Boer", "Garmerwolde",
                  "Thesinge", "Ten Post", "Sint Annen", "Woltersum", "Lellens", "Winneweer"],
    "Assen": ["Loon"],
    "Hoogeveen": ["Hollandscheveld", "Elim", "Nieuwlande", "Pesse", "Noordscheschut",
                  "Fluitenberg", "Tiendeveen", "Stuifzand", "Nieuweroord"],
    "Emmen": ["Klazienaveen", "Nieuw-Amsterdam", "Erica", "Emmer-Compascuum", "Schoonebeek",
              "Nieuw-Schoonebeek", "Zwartemeer", "Barger-Compascuum", "Nieuw-Dordrecht",
              "Veenoord", "Weiteveen", "Roswinkel", "Nieuw-Weerdinge"],
    "Leeuwarden": ["Stiens", "Goutum", "Wirdum", "Grou", "Jirnsum", "Britsum", "Jelsum", "Hijum",
                   "Lekkum", "Warten", "Wergea", "Reduzum", "Eagum", "Swichum", "Hempens",
                   "Teerns", "Snakkerburen", "Koarnjum", "Wytgaard"],
    "Heerenveen": ["Akkrum", "Oudehaske", "Nieuwehorne", "Jubbega", "Hoornsterzwaag",
                   "Tjalleberd", "Katlijk", "Mildam", "Oranjewoud", "Oudeschoot", "Terband",
                   "De Knipe", "Luinjeberd", "Bontebok", "Nieuwebrug", "Haskerdijken", "Nes",
                   "Aldeboarn", "Gersloot"],
    "Nijmegen": ["Lent"],
    "Wijchen": ["Balgoij", "Batenburg", "Bergharen", "Hernen", "Leur", "Niftrik"],
    "Tilburg": ["Berkel-Enschot", "Udenhout", "Biezenmortel"],
    "Goirle": ["Riel"],
    "Breda": ["Prinsenbeek", "Teteringen", "Ulvenhout", "Bavel"],
    "Rotterdam": ["Hoogvliet Rotterdam", "Pernis Rotterdam", "Rozenburg", "Hoek van Holland"],
    "Haarlem": ["Spaarndam gem. Haarlem"],
    "Alkmaar": ["Oudorp", "Koedijk", "Stompetoren", "De Rijp", "Graft", "Grootschermer",
                "Schermerhorn", "Zuidschermer", "Markenbinnen", "Driehuizen", "Oterleek"],
    "Deventer": ["Bathmen", "Diepenveen", "Schalkhaar", "Okkenbroek", "Lettele"],
    "Apeldoorn": ["Beekbergen", "Loenen", "Ugchelen", "Hoog Soeren", "Uddel", "Lieren",
                  "Wenum Wiesel", "Radio Kootwijk", "Beemte Broekland"],
}

UNIVERSITY = {"Utrecht", "Groningen", "Leiden", "Delft", "Nijmegen", "Maastricht", "Enschede",
              "Eindhoven", "Tilburg", "Rotterdam"}
COLLEGE = {"Zwolle", "Arnhem", "Breda", "Leeuwarden", "Den Haag", "Deventer", "Haarlem",
           "Amersfoort", "Alkmaar", "Almere", "Apeldoorn", "Emmen", "Heerenveen", "Assen"}
# Where the region around the towns is rural and older.
RURAL_REGION = {"Emmen", "Hoogeveen", "Kampen", "Heerenveen", "Assen", "Wijchen", "Leusden",
                "Apeldoorn", "Deventer", "Leeuwarden"}
# Branches in districts of a kind: the shares near them lean that way.
NEW_BUILD = {"utrecht-leidsche-rijn", "eemland-vathorst", "zwolle-stadshagen",
             "eindhoven-meerhoven", "tilburg-reeshof", "almere-buiten", "deventer-colmschate",
             "breda-haagse-beemden", "apeldoorn-zevenhuizen"}
DEPRIVED = {"utrecht-overvecht", "utrecht-kanaleneiland", "rotterdam-feijenoord",
            "haarlem-schalkwijk", "arnhem-presikhaaf", "nijmegen-dukenburg",
            "leeuwarden-bilgaard", "groningen-vinkhuizen", "den-haag-escamp", "enschede-zuid",
            "maastricht-west", "groningen-beijum", "almere-haven"}
AFFLUENT = {"rotterdam-hillegersberg", "haarlem-heemstede", "alkmaar-heiloo",
            "eemland-leusden", "den-haag-scheveningen", "tilburg-goirle", "leiden-leiderdorp"}


def km(lat1, lon1, lat2, lon2):
    dy = (lat1 - lat2) * 111.2
    dx = (lon1 - lon2) * 111.2 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def noise(pc4, segment):
    """A factor from 0.74 to 1.35, fixed for (pc4, segment)."""
    h = hashlib.sha256(f"{pc4}/{segment}".encode()).digest()
    u = int.from_bytes(h[:8], "big") / 2**64
    return math.exp((u - 0.5) * 0.6)


def near(lat, lon, branches, ids, scale_km=2.0):
    """1 at a branch of `ids`, falling off with distance."""
    best = 0.0
    for b in branches:
        if b["id"] in ids:
            best = max(best, math.exp(-(km(lat, lon, b["lat"], b["lon"]) / scale_km) ** 2))
    return best


def main():
    with open(os.path.join(ROOT, "data/sample/network.json"), encoding="utf-8") as f:
        network = json.load(f)
    with open(os.path.join(ROOT, "data/reference/nl_pc4_geonames.json"), encoding="utf-8") as f:
        geo = json.load(f)
    with open(os.path.join(ROOT, "data/segments/segments.json"), encoding="utf-8") as f:
        segment_ids = [s["id"] for s in json.load(f)["segments"]]

    branches = [b for lib in network["libraries"] for b in lib["branches"]]
    municipalities = []
    for b in branches:
        if b["municipality"] not in municipalities:
            municipalities.append(b["municipality"])

    # PC4 -> (municipality, village?, lat, lon); the first municipality wins.
    places = {}
    for m in municipalities:
        own = [b for b in branches if b["municipality"] == m]
        names = {m} | set(VILLAGES.get(m, []))
        hits = {}
        for r in geo:
            if r["name"] not in names:
                continue
            lat, lon = float(r["latitude"]), float(r["longitude"])
            if min(km(lat, lon, b["lat"], b["lon"]) for b in own) > 30:
                continue
            hits.setdefault(r["zipcode"], []).append((r["name"], lat, lon))
        for pc4, rows in hits.items():
            if pc4 in places:
                continue
            village = all(name != m for name, _, _ in rows)
            lat = sum(r[1] for r in rows) / len(rows)
            lon = sum(r[2] for r in rows) / len(rows)
            places[pc4] = (m, village, lat, lon)

    for b in branches:
        assert b["postcode"] in places, f"branch {b['id']}: PC4 {b['postcode']} not covered"

    size = {m: sum(1 for v in places.values() if v[0] == m and not v[1]) for m in municipalities}
    rows = []
    for pc4 in sorted(places):
        m, village, lat, lon = places[pc4]
        centre = next(b for b in branches if b["municipality"] == m)
        d = km(lat, lon, centre["lat"], centre["lon"])
        cc = 0.0 if village else math.exp(-d / 2.0)       # city centre
        big = min(1.0, size[m] / 40.0)                     # 1 for the big cities
        town = 0.0 if village else 1.0
        suburb = town * min(1.0, max(0.0, (d - 2.5) / 4.0))
        rural_region = 1.0 if m in RURAL_REGION else 0.0
        uni = 1.0 if m in UNIVERSITY else 0.0
        college = 1.0 if m in COLLEGE else 0.0
        newbuild = near(lat, lon, branches, NEW_BUILD)
        deprived = near(lat, lon, branches, DEPRIVED)
        affluent = near(lat, lon, branches, AFFLUENT, 3.0)
        score = {
            "jonge-gezinnen": 0.09 + 0.28 * newbuild + 0.04 * suburb + 0.03 * village - 0.04 * cc,
            "studenten": 0.01 + uni * (0.30 * cc + 0.04 * town) + college * (0.10 * cc + 0.02 * town),
            "alleenstaande-senioren": 0.07 + 0.04 * rural_region + 0.05 * deprived + 0.03 * cc
            + 0.02 * village,
            "nieuwkomers": 0.015 + 0.16 * deprived * (0.5 + big) + 0.03 * big * town,
            "drukke-professionals": 0.03 + 0.15 * cc * (0.4 + big) + 0.05 * affluent + 0.03 * town,
            "plattelandsgezinnen": 0.005 + 0.30 * village + 0.05 * rural_region * suburb,
            "gezinnen-met-tieners": 0.08 + 0.05 * suburb + 0.04 * village + 0.04 * affluent,
            "actieve-vijftigplussers": 0.08 + 0.09 * affluent + 0.03 * village + 0.02 * suburb,
            "kwetsbare-huishoudens": 0.03 + 0.22 * deprived + 0.03 * rural_region * town,
            "cultuurliefhebbers": 0.04 + 0.08 * cc + 0.06 * affluent,
        }
        assert set(score) == set(segment_ids), "segments.json and this script disagree"
        raw = [max(0.005, score[s]) * noise(pc4, s) for s in segment_ids]
        total = sum(raw)
        # Fractions with four decimals that add up to exactly 1.0000.
        units = [round(10000 * v / total) for v in raw]
        units[units.index(max(units))] += 10000 - sum(units)
        rows.append((pc4, units))

    out = os.path.join(ROOT, "data/segments/pc4-segments.csv")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("pc4," + ",".join(segment_ids) + "\n")
        for pc4, units in rows:
            f.write(pc4 + "," + ",".join(fmt(u) for u in units) + "\n")
    print(f"{out}: {len(rows)} PC4s in {len(municipalities)} municipalities")


def fmt(units):
    """1234 -> "0.1234", 2500 -> "0.25", 0 -> "0": as the importer writes shares."""
    if units == 10000:
        return "1"
    s = f"0.{units:04d}".rstrip("0")
    return "0" if s == "0." else s


if __name__ == "__main__":
    main()
