"""Where an author lives: Peru department (and province where the text allows), or the country.

The gazetteer is the dbt seeds under ``dbt_project/seeds/reference`` (INEI ubigeo codes):
``peru_departments.csv`` (25 regions, aliases such as AQP, Qosqo, Cuzco, Ciudad Blanca, and
demonyms), ``peru_provinces.csv`` (196 provinces with the cities and districts that point to
them: Chimbote, Juliaca, Tarapoto, Huacho, Máncora...) and ``lima_districts.csv`` (Lima
Metropolitana's 43 districts and Callao's 7, with SJL, SMP, VES, VMT, SJM, Surco).  Places
abroad come from ``escucha/people/data/world_places.csv`` (countries in Spanish and English, and
the cities where Peruvians and Venezuelans in the data live).

Reading rules, in order:

* Text is folded (case, accents) and split on anything that is not a letter or digit, so
  "LIMA-PERU", "Lima, Perú", "Lambayeque/Chiclayo" and "Arequipa 🇵🇪" read alike.  The longest
  alias wins ("San Juan de Lurigancho" before "San Juan", "Villa El Salvador" before "El Salvador").
* "Caracas ✈️ Lima", "Lima -> Madrid": what comes after the last arrow is where the author is now.
* A department name alone means the department, without a province ("Lima" is department 15;
  "Arequipa" is department 04).  A Lima district gives department 15 and province 1501 (Lima);
  Callao and its districts give department 07 (Callao is its own region).  A city gives its
  province (Chiclayo -> 1401, Juliaca -> 2111 San Román).
* Places in different departments without a department name to decide between them answer
  unknown; a department name decides ("Miraflores, Arequipa" -> Arequipa).
* A foreign country word beats a Peruvian city ("Trujillo, Venezuela" -> VE); "Perú" alone, a
  Peruvian flag or the code PE give the country without a department.  A whole location that is
  an ISO 3166 alpha-2 code (TikTok's region field: "PE", "VE") gives that country; a flag alone
  gives its country with low confidence; several different flags give nothing.
* Only when the location gives no department: the bio, where a place follows a residence cue
  ("Venezolana en Lima", "vivo en Piura") or is a demonym ("Arequipeña de corazón", lower
  confidence); for organisations any place named in the bio or the display name counts
  ("Noticias de Puno las 24 horas", "Municipalidad Distrital de Ate").  Bios use only
  departments, provinces and cities, never Lima districts (Independencia, Comas, Ate, La
  Victoria are also common words).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .gender import fold

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "reference"
DATA_DIR = Path(__file__).with_name("data")

#: ISO 3166-1 alpha-2 codes (officially assigned)
ISO2: frozenset[str] = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI
FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN
IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF
PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE
YT ZA ZM ZW
""".split())

#: province/city aliases that are also ordinary words or drinks: used in locations, not in bios
_BIO_UNSAFE = frozenset({"pisco", "jauja", "chota", "palpa", "barranca", "anta", "calca", "huari", "ilo",
                         "casma", "paita", "colca", "aija", "requena", "tarata", "luya"})
#: place names that are also brands or landmarks in organisation names ("Rímac Seguros", "Diario
#: Nazca", "Gamarra Moda"): not read from display names
_NAME_UNSAFE = _BIO_UNSAFE | frozenset({"nazca", "nasca", "rimac", "gamarra", "ilo", "huari"})
_RESIDENCE_CUES = frozenset({"en", "desde", "vivo", "viviendo", "radicado", "radicada", "resido", "residente",
                             "radico", "living", "based", "in"})
_ARROW = re.compile(r"✈|→|➡|⟶|->|=>|»|>>")
_TOKEN = re.compile(r"[a-z0-9]+")


class Place(NamedTuple):
    level: str                 # department | province | district | country | city
    country: str               # ISO2
    department: str | None = None
    ubigeo: str | None = None  # department code
    province: str | None = None
    province_ubigeo: str | None = None
    label: str = ""


class Region(NamedTuple):
    """Answer of :func:`region`; every field but ``confidence``/``evidence`` may be None."""

    department: str | None
    ubigeo: str | None
    province: str | None
    province_ubigeo: str | None
    country: str | None
    confidence: float
    evidence: str


UNKNOWN_REGION = Region(None, None, None, None, None, 0.0, "no place found")


def _key(text: str) -> str:
    return " ".join(_TOKEN.findall(fold(text)))


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass
class Gazetteer:
    aliases: dict[str, list[Place]]        # folded alias -> places
    demonyms: dict[str, Place]
    departments: dict[str, Place]          # ubigeo -> department place
    max_len: int


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    aliases: dict[str, list[Place]] = {}

    def add(alias: str, place: Place) -> None:
        k = _key(alias)
        if k and place not in aliases.setdefault(k, []):
            aliases[k].append(place)

    depts: dict[str, Place] = {}
    demonyms: dict[str, Place] = {}
    for r in _read(SEEDS_DIR / "peru_departments.csv"):
        p = Place("department", "PE", r["department"], r["ubigeo"], label=r["department"])
        depts[r["ubigeo"]] = p
        add(r["department"], p)
        for a in filter(None, r["aliases"].split("|")):
            add(a, p)
        for d in filter(None, r["demonyms"].split("|")):
            demonyms[_key(d)] = p
    provinces: dict[str, Place] = {}
    for r in _read(SEEDS_DIR / "peru_provinces.csv"):
        d = depts[r["department_ubigeo"]]
        p = Place("province", "PE", d.department, d.ubigeo, r["province"], r["ubigeo"], r["province"])
        provinces[r["ubigeo"]] = p
        for a in filter(None, r["aliases"].split("|")):
            add(a, p)
        for dm in filter(None, (r.get("demonyms") or "").split("|")):
            demonyms[_key(dm)] = p
    for r in _read(SEEDS_DIR / "lima_districts.csv"):
        prov = provinces[r["province_ubigeo"]]
        p = Place("district", "PE", prov.department, prov.ubigeo, prov.province, prov.province_ubigeo,
                  r["district"])
        for a in filter(None, r["aliases"].split("|")):
            add(a, p)
    # Callao is a single-province region: the department name also fixes the province
    callao = provinces["0701"]
    aliases[_key("Callao")] = [Place("department", "PE", callao.department, callao.ubigeo, callao.province,
                                     callao.province_ubigeo, "Callao")]
    for r in _read(DATA_DIR / "world_places.csv"):
        level = "country" if r["kind"] == "country" else "city"
        add(r["alias"], Place(level, r["country"], label=r["alias"]))
    return Gazetteer(aliases, demonyms, depts, max(len(k.split()) for k in aliases))


def peru_alias_keys() -> frozenset[str]:
    """Folded aliases of Peruvian places (used to keep place names out of given-name lookups)."""
    g = gazetteer()
    return frozenset(k for k, ps in g.aliases.items() if any(p.level in ("department", "province", "district")
                                                             for p in ps))


class _Match(NamedTuple):
    start: int
    places: tuple[Place, ...]
    text: str


def _scan(tokens: list[str], allow: frozenset[str] | None = None) -> list[_Match]:
    """Greedy longest-alias matches, left to right."""
    g = gazetteer()
    out: list[_Match] = []
    i, n = 0, len(tokens)
    while i < n:
        for m in range(min(g.max_len, n - i), 0, -1):
            k = " ".join(tokens[i:i + m])
            places = g.aliases.get(k)
            if places is not None:
                if allow is not None:
                    places = [p for p in places if p.level in allow and k not in _BIO_UNSAFE]
                if places:
                    out.append(_Match(i, tuple(places), k))
                    i += m
                    break
        else:
            i += 1
    return out


def _flags(text: str) -> list[str]:
    """ISO2 codes of flag emoji (pairs of regional indicator symbols)."""
    out: list[str] = []
    chars = [c for c in text if 0x1F1E6 <= ord(c) <= 0x1F1FF]
    for a, b in zip(chars[::2], chars[1::2]):
        out.append(chr(ord(a) - 0x1F1E6 + 65) + chr(ord(b) - 0x1F1E6 + 65))
    return out


_PERU_LEVELS = ("department", "province", "district")


def _resolve_peru(matches: list[_Match]) -> tuple[Place | None, str]:
    """One Peruvian place from several mentions, or None when they disagree."""
    g = gazetteer()
    explicit = {p.ubigeo for m in matches for p in m.places if p.level == "department"}
    if len(explicit) > 1:
        return None, "mentions of several departments: " + ", ".join(sorted(m.text for m in matches))
    if explicit:
        dept = explicit.pop()
        finer = [p for m in matches for p in m.places if p.level != "department" and p.ubigeo == dept]
        if finer:
            best = min(finer, key=lambda p: 0 if p.level == "district" else 1)
            return best, ""
        dp = next(p for m in matches for p in m.places if p.level == "department")
        return dp, ""
    candidates: set[str] | None = None
    for m in matches:
        ds = {p.ubigeo for p in m.places}
        candidates = ds if candidates is None else candidates & ds
    if not candidates or len(candidates) > 1:
        return None, "places in different departments: " + ", ".join(m.text for m in matches)
    dept = candidates.pop()
    finer = [p for m in matches for p in m.places if p.ubigeo == dept]
    provinces = {p.province_ubigeo for p in finer if p.province_ubigeo}
    if len(provinces) == 1:
        return min(finer, key=lambda p: 0 if p.level == "district" else 1), ""
    return g.departments[dept], ""


def _answer(place: Place, confidence: float, evidence: str) -> Region:
    if place.level in _PERU_LEVELS:
        return Region(place.department, place.ubigeo, place.province, place.province_ubigeo, "PE",
                      confidence, evidence)
    return Region(None, None, None, None, place.country, confidence, evidence)


def _where(matches: list[_Match], what: str) -> str:
    return f"{what} '" + "', '".join(m.text for m in matches) + "'"


@lru_cache(maxsize=200_000)
def from_location(location: str | None) -> Region:
    """Region from the free-text profile location alone."""
    if not location or not location.strip():
        return UNKNOWN_REGION._replace(evidence="no location")
    raw = location.strip()
    if re.fullmatch(r"[A-Z]{2}", raw) and raw in ISO2:
        return Region(None, None, None, None, raw, 0.85, f"country code '{raw}' in location")
    parts = _ARROW.split(raw)
    text = parts[-1] if len(parts) > 1 and _scan(_TOKEN.findall(fold(parts[-1]))) else raw
    tokens = _TOKEN.findall(fold(text))
    matches = _scan(tokens)
    flags = _flags(raw)
    arrow = " (after the arrow)" if text is not raw else ""
    peru = [m for m in matches if any(p.level in _PERU_LEVELS for p in m.places)]
    peru = [m._replace(places=tuple(p for p in m.places if p.level in _PERU_LEVELS)) for m in peru]
    peru_word = any(p.level == "country" and p.country == "PE" for m in matches for p in m.places)
    foreign_countries = {p.country for m in matches for p in m.places if p.level == "country" and p.country != "PE"}
    foreign_cities = {p.country for m in matches for p in m.places if p.level == "city"}
    if peru:
        if foreign_countries and not peru_word:
            if len(foreign_countries) == 1:
                c = next(iter(foreign_countries))
                return Region(None, None, None, None, c, 0.8,
                              _where(matches, "foreign country beats Peruvian place in location") + arrow)
            return UNKNOWN_REGION._replace(evidence=_where(matches, "conflicting countries in location"))
        place, why = _resolve_peru(peru)
        if place is None:
            return Region(None, None, None, None, "PE", 0.75, why)
        conf = 0.93 if peru_word else (0.9 if place.level == "department" else 0.88)
        if any(len(m.places) > 1 for m in peru):
            conf = 0.75
        return _answer(place, conf, _where(peru, "location") + arrow)
    if peru_word and foreign_countries:
        return UNKNOWN_REGION._replace(evidence=_where(matches, "Peru and another country in location"))
    if foreign_countries or foreign_cities:
        chosen = foreign_countries or foreign_cities
        if len(chosen) == 1:
            c = next(iter(chosen))
            return Region(None, None, None, None, c, 0.9 if foreign_countries else 0.85,
                          _where(matches, "location abroad") + arrow)
        return UNKNOWN_REGION._replace(evidence=_where(matches, "conflicting places abroad"))
    g = gazetteer()
    dem = {g.demonyms[t].ubigeo: g.demonyms[t] for t in tokens if t in g.demonyms}
    if len(dem) == 1:
        return _answer(next(iter(dem.values())), 0.8, "demonym in location: " +
                       ", ".join(t for t in tokens if t in g.demonyms))
    if peru_word:
        return Region(None, None, None, None, "PE", 0.8, "location names Peru only")
    if flags:
        distinct = set(flags)
        if len(distinct) == 1:
            c = flags[0]
            return Region(None, None, None, None, c, 0.6, f"flag {c} in location")
        return UNKNOWN_REGION._replace(evidence="several flags in location: " + " ".join(flags))
    return UNKNOWN_REGION._replace(evidence="no place in location")


@lru_cache(maxsize=200_000)
def from_bio(bio: str | None, organisation: bool = False) -> Region:
    """Department from a bio: a residence cue or a demonym (persons), any place (organisations)."""
    if not bio:
        return UNKNOWN_REGION._replace(evidence="no bio")
    tokens = _TOKEN.findall(fold(bio))
    matches = _scan(tokens, allow=frozenset({"department", "province", "country", "city"}))
    if organisation:
        peru = [m for m in matches if any(p.level in _PERU_LEVELS for p in m.places)]
        if peru:
            place, why = _resolve_peru(peru)
            if place is not None:
                return _answer(place, 0.65, _where(peru, "organisation bio names"))
            return UNKNOWN_REGION._replace(evidence=why)
    else:
        cued = [m for m in matches if m.start > 0 and tokens[m.start - 1] in _RESIDENCE_CUES]
        peru = [m for m in cued if any(p.level in _PERU_LEVELS for p in m.places)]
        abroad = {p.country for m in cued for p in m.places if p.level in ("country", "city") and p.country != "PE"}
        if peru:
            place, why = _resolve_peru(peru)
            if place is not None:
                return _answer(place, 0.7, _where(peru, "bio says lives in"))
        elif len(abroad) == 1:
            return Region(None, None, None, None, abroad.pop(), 0.65, _where(cued, "bio says lives in"))
    g = gazetteer()
    dem = [g.demonyms[t] for t in tokens if t in g.demonyms]
    if dem and len({p.ubigeo for p in dem}) == 1:
        place = dem[0]
        return _answer(place, 0.55, "demonym in bio: " + ", ".join(t for t in tokens if t in g.demonyms))
    return UNKNOWN_REGION._replace(evidence="no place in bio")


@lru_cache(maxsize=200_000)
def from_display_name(display_name: str | None) -> Region:
    """Place in an organisation's name ("Radio Puno 103.6", "Municipalidad Distrital de VMT")."""
    if not display_name:
        return UNKNOWN_REGION._replace(evidence="no display name")
    tokens = _TOKEN.findall(fold(display_name))
    peru = [m for m in _scan(tokens) if any(p.level in _PERU_LEVELS for p in m.places) and m.text not in _NAME_UNSAFE]
    peru = [m._replace(places=tuple(p for p in m.places if p.level in _PERU_LEVELS)) for m in peru]
    if not peru:
        return UNKNOWN_REGION._replace(evidence="no place in name")
    place, why = _resolve_peru(peru)
    if place is None:
        return UNKNOWN_REGION._replace(evidence=why)
    return _answer(place, 0.6, _where(peru, "organisation name names"))


def region(location: str | None, bio: str | None = None, display_name: str | None = None,
           account_type: str | None = None) -> Region:
    """Department/province/country of an author, with confidence and evidence.

    ``account_type`` other than person/unknown lets the bio and display name of organisations
    name their place without a residence cue.
    """
    org = account_type not in (None, "person", "unknown")
    loc = from_location(location)
    if loc.department is not None or (loc.country not in (None, "PE")):
        return loc
    extra = from_bio(bio, org)
    if extra.department is None and extra.country is None and org:
        extra = from_display_name(display_name)
    if extra.department is not None:
        if loc.country == "PE":
            return extra._replace(confidence=round(min(0.95, extra.confidence + 0.05), 3),
                                  evidence=f"{extra.evidence}; {loc.evidence}")
        return extra
    if loc.country is not None:
        return loc
    if extra.country is not None:
        return extra
    return loc if loc.evidence != "no location" else extra._replace(evidence="no place in location or bio")
