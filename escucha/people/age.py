"""Age band of a person from what the bio states, relative to a reference year.

Evidence, strongest first:

* a stated age: "34 años", "tengo 34", "34 🎂", "🎂 34", "34 years old", "34yo";
* a birth year: "nací en 1990", "nacida en 1990", "nacido en 1990", "1990 🎂", "🎂 1990",
  "cosecha 1990", "generación 1990" -> reference_year - birth year;
* a life stage, with lower confidence: "estudiante", "universitario/a", "cachimbo/a",
  "estudio ..." -> 18-24; "jubilado/a", "cesante" (retired public servant), "retirado/a",
  "abuelo/a" -> 55+.

The reference year is the year of the posts (pass it in; the demo's posts are of 2021-22).
Ages below 18 are not banded (minors are not profiled) and ages above 100, years of
experience ("20 años de experiencia", "hace 10 años") and founding years ("desde 1998")
are ignored.  Everything else is ``unknown``.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .gender import fold

#: the ground truth's band labels
AGE_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55+")
UNKNOWN = "unknown"
_CAKE = "\U0001F382"          # 🎂
_BIRTHDAY_EMOJI = "\U0001F382\U0001F381\U0001F389\U0001F973"   # 🎂 🎁 🎉 🥳


def band_of(age: int) -> str | None:
    """The band holding ``age`` (None under 18 or above 100)."""
    if age < 18 or age > 100:
        return None
    if age <= 24:
        return "18-24"
    if age <= 34:
        return "25-34"
    if age <= 44:
        return "35-44"
    if age <= 54:
        return "45-54"
    return "55+"


_NOT_AGE_AFTER = r"(?!\s*(?:de\s+(?:experiencia|trayectoria|servicio|carrera|labor|historia|vida\s+institucional|"\
                 r"fundad|aniversario|edad\s+promedio)|en\s+el\s+rubro|informando|trabajando|sirviendo))"
_NOT_AGE_BEFORE = r"(?<!hace )(?<!por )(?<!durante )(?<!mas de )(?<!desde hace )(?<!tras )(?<!cumplimos )"
_AGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_NOT_AGE_BEFORE + r"\b(\d{2})\s*(?:anos|anitos|abriles|primaveras)\b" + _NOT_AGE_AFTER), "stated age"),
    (re.compile(r"\btengo\s+(\d{2})\b"), "stated age"),
    (re.compile(r"\b(\d{2})\s*(?:years?\s*old|y/?o|yrs)\b"), "stated age"),
    (re.compile(r"\b(\d{2})\s*[" + _BIRTHDAY_EMOJI + r"]"), "age next to a birthday emoji"),
    (re.compile(r"[" + _BIRTHDAY_EMOJI + r"]\s*(\d{2})\b(?![/.-]\d)"), "age next to a birthday emoji"),
)
_YEAR_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bnac[ií]\s+(?:en\s+(?:el\s+)?(?:ano\s+)?)?((?:19|20)\d{2})\b"), "birth year"),
    (re.compile(r"\bnacid[oa]\s+(?:en\s+(?:el\s+)?(?:ano\s+)?)?((?:19|20)\d{2})\b"), "birth year"),
    (re.compile(r"\b(?:cosecha|generacion|gen|clase|born\s+in|born)\s+((?:19|20)\d{2})\b"), "birth year"),
    (re.compile(r"\b((?:19|20)\d{2})\s*[" + _BIRTHDAY_EMOJI + r"]"), "birth year next to a birthday emoji"),
    (re.compile(r"[" + _BIRTHDAY_EMOJI + r"]\s*((?:19|20)\d{2})\b"), "birth year next to a birthday emoji"),
)
_STUDENT = re.compile(r"\b(?:estudiante|universitari[oa]|cachimb[oa]|alumn[oa]\s+de|estudio\s+(?:en|derecho|"
                      r"medicina|ingenieria|enfermeria|economia|psicologia|contabilidad|administracion)|"
                      r"student)\b")
_RETIRED = re.compile(r"\b(?:jubilad[oa]|cesante|retirad[oa]|pensionista|abuel[oa]|abuelit[oa]|retired)\b")
_NOT_STUDENT = re.compile(r"\b(?:ex\s+estudiante|egresad[oa]|docente|profesor[a]?|maestr[oa]|padre|madre|mama|papa)\b")


@lru_cache(maxsize=200_000)
def age_band(bio: str | None, reference_year: int) -> tuple[str, float, str]:
    """``(band, confidence, evidence)``; band in 18-24 | 25-34 | 35-44 | 45-54 | 55+ | unknown."""
    if not bio or not bio.strip():
        return UNKNOWN, 0.0, "no bio"
    text = fold(bio)
    for rx, what in _AGE_PATTERNS:
        m = rx.search(text)
        if m:
            age = int(m.group(1))
            band = band_of(age)
            if band is None:
                why = "under 18: not banded" if age < 18 else "implausible age"
                return UNKNOWN, 0.0, f"{what} {age} ({why})"
            return band, 0.9, f"{what}: {age}"
    for rx, what in _YEAR_PATTERNS:
        m = rx.search(text)
        if m:
            year = int(m.group(1))
            age = reference_year - year
            band = band_of(age)
            if band is None:
                why = "under 18: not banded" if 0 <= age < 18 else "implausible"
                return UNKNOWN, 0.0, f"{what} {year} ({why})"
            # the birthday may still be ahead in the reference year: near a band edge, less sure
            edge = band_of(age - 1) != band
            return band, (0.75 if edge else 0.87), f"{what}: {year} -> {age} in {reference_year}"
    if _RETIRED.search(text):
        return "55+", 0.65, f"life stage: '{_RETIRED.search(text).group(0)}'"
    if _STUDENT.search(text) and not _NOT_STUDENT.search(text):
        m = _STUDENT.search(text)
        # "Estudiante de Derecho en la PUCP" says more than a bare "Estudiante"
        detailed = bool(re.search(r"\b(?:de|en)\b", text[m.end():m.end() + 40]))
        return "18-24", (0.6 if detailed else 0.5), f"life stage: '{m.group(0)}'"
    return UNKNOWN, 0.0, "no age, birth year or life stage in bio"
