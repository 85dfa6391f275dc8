"""VADER-style rule scorer for Spanish (also used for Quechua and undetermined posts).

Per text: drop URLs and @mentions, split camel-case hashtags, lower-case, squeeze letters
repeated 3+ times, tokenize (words, emoticons, emoji, punctuation) and walk the tokens once,
folding accents of the tokens that need it; multi-word expressions of the lexicon are merged
into one token on the way.  A sentiment word's valence is boosted by up to three preceding intensifiers, flipped and
dampened (x -0.74) inside a negation scope, weighed by contrast ("pero": before x0.5, after x1.5;
the clause opened by "aunque" x0.5) and emphasised when written in capitals; exclamation marks
add emphasis.  The sum is normalised like VADER's compound score: x / sqrt(x^2 + 15).
"""
from __future__ import annotations

import math
import re

from .emoji import EMOJI_CLASS, emoji_valences
from .lexicon import FOLD, fold, read_lexicon

B_INCR = 0.293      # VADER's booster increment
B_DECR = -0.293
C_INCR = 0.733      # ALL-CAPS emphasis
N_SCALAR = -0.74    # negation flips and dampens
ALPHA = 15.0        # compound normalisation
NEG_SCOPE = 3       # tokens after a negator that it reaches (clitic pronouns do not count)
POCO_SCALAR = -0.5  # "poco útil": little X ~ rather not X
LAUGH_VALENCE = 1.5

NEGATORS = ("no", "nunca", "jamas", "ni", "tampoco", "sin", "nadie", "nada", "ningun", "ninguna",
            "ninguno", "ningunos", "ningunas", "mana")
# "no hay nada mejor / peor que ...": the comparison is not negated
COMPARATIVES = ("mejor", "mejores", "peor", "peores", "mas", "más", "como", "igual")
BOOSTERS = {w: B_INCR for w in (
    "muy", "tan", "super", "demasiado", "demasiada", "demasiados", "demasiadas", "re", "recontra",
    "requete", "sumamente", "totalmente", "bastante", "bastantes", "mucho", "mucha", "muchos", "muchas",
    "muchisimo", "muchisima", "muchisimos", "muchisimas", "extremadamente", "increiblemente",
    "realmente", "verdaderamente", "absolutamente", "completamente", "enormemente", "especialmente",
    "particularmente", "tremendamente", "terriblemente", "altamente", "profundamente", "harto", "harta",
    "bien", "full", "mega", "ultra", "hiper", "archi", "tanto", "tanta", "tantos", "tantas", "mas",
    "excesivamente", "sobremanera", "infinitamente", "de_lo_mas")}
BOOSTERS.update({w: B_DECR for w in (
    "algo", "medio", "un_poco", "un_tanto", "ligeramente", "levemente", "apenas", "casi", "menos",
    "relativamente", "parcialmente", "medianamente", "poquito", "un_poquito")})
POST_BOOSTERS = ("mucho", "muchisimo", "muchísimo", "bastante", "demasiado")
CONTRAST = ("pero", "sin_embargo", "no_obstante", "empero")
CONCESSIVE = ("aunque", "a_pesar_de", "pese_a", "si_bien")
CLITICS = ("me", "te", "se", "lo", "la", "le", "los", "las", "les", "nos", "os")
POCO = ("poco", "poca", "pocos", "pocas")
DISCOURSE = ("bueno", "bien", "vale")  # "Bueno, mañana ..." at a clause start is not praise
PUNCT = ".,;:!?¡¿…"
STRUCTURAL_PHRASES = ("sin embargo", "no obstante", "a pesar de", "pese a", "si bien", "un poco",
                      "un tanto", "un poquito", "para nada", "de lo mas")

# token kinds (bit flags)
SENT, NEG, BOOST, CONTR, CONC, PUN, CLIT, POC, PHR, DISC, NEUT = (1 << k for k in range(11))

_URL_MENTION = re.compile(r"(?:https?://|www\.)\S+|@\w+")
_HASHTAG = re.compile(r"#(\w+)")
_UP, _LO = "A-ZÁÉÍÓÚÑÜ", "a-záéíóúñü"
_CAMEL = re.compile(rf"[{_UP}]+(?=[{_UP}][{_LO}])|[{_UP}]?[{_LO}]+|[{_UP}]+|\d+")  # NoALaXenofobia
_CAPS = re.compile(r"\b[A-ZÁÉÍÓÚÑÜ]{2,}\b")
_REPEAT = re.compile(r"([a-zñáéíóúü])\1\1+")  # (Python's re runs \1\1+ twice as fast as \1{2,})
# cheap searches that rule the two above out for most texts (no two capitals in a row, no
# character three times in a row): a search is about half the cost of the full pattern
_CAPS_PAIR = re.compile(r"[A-ZÁÉÍÓÚÑÜ]{2}")
_TRIPLE = re.compile(r"(.)\1\1")
_LAUGH = re.compile(r"[jh]+([aeiou])+(?:[jh]+\1+)+[jh]*|j+s+(?:j+s*)+")


def _split_tag(m: re.Match) -> str:
    return " " + " ".join(_CAMEL.findall(m.group(1))) + " "


# words; emoticons (validated by the lexicon); emoji; clause punctuation.  "D:" comes first
# (a word cannot swallow it: matching never starts inside a word).
_EMOTICON = r"[:;=]['\-]?(?:[)(\]\[/\\|*]+|3(?!\w)|[dpcv](?!\w))|</?3"
TOKEN = re.compile(r"d:(?!\w)|\w+|" + _EMOTICON + "|" + EMOJI_CLASS + "|[" + re.escape(PUNCT) + "]")


class _Tables:
    """Everything the scorer looks up, built once at import."""

    def __init__(self) -> None:
        lexicon, self.version = read_lexicon()
        valence: dict[str, float] = {}
        kind: dict[str, int] = {}
        phrases: dict[tuple[str, str], list[tuple[list[str], str]]] = {}
        entries = list(lexicon.items()) + [(p, None) for p in STRUCTURAL_PHRASES]
        for term, v in entries:
            words = term.split(" ")
            key = "_".join(words)
            if len(words) > 1:
                phrases.setdefault((words[0], words[1]), []).append((words[2:], key))
                kind[words[0]] = kind.get(words[0], 0) | PHR
                if v is not None:
                    kind[key] = kind.get(key, 0) | (SENT if v else NEUT)
            elif not re.fullmatch(r"\w+", term) and TOKEN.fullmatch(term) is None:
                raise ValueError(f"lexicon entry {term!r} is not a single token")
            if v:
                valence[key] = v
                kind[key] = kind.get(key, 0) | SENT
        for cands in phrases.values():
            cands.sort(key=lambda c: -len(c[0]))
        emoji = emoji_valences()
        for ch, v in emoji.items():
            valence[ch] = v
            kind[ch] = kind.get(ch, 0) | SENT
        for words, flag in ((NEGATORS, NEG), (BOOSTERS, BOOST), (CONTRAST, CONTR), (CONCESSIVE, CONC),
                            (CLITICS, CLIT), (POCO, POC), (DISCOURSE, DISC), (PUNCT, PUN), (("para_nada",), NEG)):
            for w in words:
                kind[w] = kind.get(w, 0) | flag
        self.valence, self.kind, self.phrases = valence, kind, phrases


T = _Tables()
LEXICON_VERSION: str = T.version


def _folded(toks: list[str], j: int) -> str:
    """Token j, accent-folded in place (tokens are folded lazily: most are plain ASCII)."""
    t = toks[j]
    if not t.isascii():
        t = toks[j] = t.translate(FOLD)
    return t


def raw_score(text: str) -> float:
    """Sum of the rule-adjusted valences of a Spanish text (before normalisation)."""
    if "@" in text or "http" in text or "www." in text:
        text = _URL_MENTION.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(_split_tag, text)
    caps = None
    if not text.isupper() and _CAPS_PAIR.search(text):
        found = _CAPS.findall(text)
        if found:
            caps = {fold(w) for w in found}
    low = text.lower()
    if _TRIPLE.search(low):
        low = _REPEAT.sub(r"\1", low)
    toks = TOKEN.findall(low)
    kind_get, valence, boost_get, phrases = T.kind.get, T.valence, BOOSTERS.get, T.phrases
    n = len(toks)
    vals: list[float] = []
    neg = 0
    but_at = -1
    concess = False
    skip = 0
    for i in range(n):
        if skip:
            skip -= 1
            continue
        t = toks[i]
        k = kind_get(t)
        if k is None:
            if not t.isascii():
                t = toks[i] = t.translate(FOLD)
                k = kind_get(t)
            if k is None:
                if len(t) > 3 and t[0] in "jh" and _LAUGH.fullmatch(t):
                    vals.append(LAUGH_VALENCE * (0.5 if concess else 1.0))
                if neg:
                    neg -= 1
                continue
        if k & PHR and i + 1 < n:
            cands = phrases.get((t, _folded(toks, i + 1)))
            if cands:
                for rest, merged in cands:
                    m = len(rest)
                    if not m or [_folded(toks, j) for j in range(i + 2, min(i + 2 + m, n))] == rest:
                        toks[i + 1 + m] = merged
                        skip = m
                        break
                else:
                    cands = None
                if cands:
                    continue
        if k & PUN:
            neg = 0
            concess = False
        elif k & NEG:
            neg = NEG_SCOPE
            if (t == "nada" or t == "nadie") and i + 1 < n and toks[i + 1] in COMPARATIVES:
                neg = 0
        elif k & CONTR:
            neg = 0
            if but_at < 0:
                but_at = len(vals)
        elif k & CONC:
            neg = 0
            concess = True
        elif k & CLIT:
            pass
        elif k & SENT:
            if k & BOOST and i + 1 < n and kind_get(_folded(toks, i + 1), 0) & SENT:
                if neg:  # "bien bonito", "harto bueno": here an intensifier
                    neg -= 1
                continue
            if k & DISC and i + 1 < n and toks[i + 1] == "," and (i == 0 or kind_get(toks[i - 1], 0) & PUN):
                continue
            v = valence[t]
            if caps and t in caps:
                v += C_INCR if v > 0 else -C_INCR
            for d, scale in ((1, 1.0), (2, 0.95), (3, 0.9)):
                if i < d:
                    break
                p = toks[i - d]
                b = boost_get(p)
                if b is not None:
                    if v < 0:
                        b = -b
                    if caps and p in caps:
                        b += C_INCR if v > 0 else -C_INCR
                    v += b * scale
            if i + 1 < n and toks[i + 1] in POST_BOOSTERS:
                v += B_INCR if v > 0 else -B_INCR
            if i and toks[i - 1] in POCO:
                v *= POCO_SCALAR
            if neg:
                v *= N_SCALAR
                neg -= 1
            if concess:
                v *= 0.5
            vals.append(v)
        elif neg and not k & NEUT:
            neg -= 1
    if not vals:
        return 0.0
    if but_at >= 0:
        total = 0.5 * sum(vals[:but_at]) + 1.5 * sum(vals[but_at:])
    else:
        total = sum(vals)
    if total:
        emph = min(text.count("!"), 4) * 0.292
        qm = text.count("?")
        if qm > 1:
            emph += qm * 0.18 if qm <= 3 else 0.96
        total += emph if total > 0 else -emph
    return total


def compound(total: float) -> float:
    """VADER's normalisation of a valence sum into [-1, 1]."""
    score = total / math.sqrt(total * total + ALPHA)
    return -1.0 if score < -1.0 else 1.0 if score > 1.0 else score


def score(text: str) -> float:
    """Compound score in [-1, 1] of a Spanish text."""
    return compound(raw_score(text)) if text else 0.0
