"""Assemble post texts from phrase fragments: topic core + sentiment cues + hashtags, mentions,
emoji and links, with per-network style (X short with t.co links, Facebook longer, Instagram
hashtag-heavy, TikTok descriptions with platform hashtags and a speech transcript, YouTube
descriptions with a title).  Comments read like replies.  Retweets are ``RT @handle: <original text>``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import re

import numpy as np

from . import phrases as P
from .ids import random_codes
from .population import TIKTOK, YOUTUBE, Authors
from .posts import COMMENT, EN, POST, QU, QUOTE, REPLY, SENTIMENTS, SHARE, PostTable
from .timeline import Event
from .vocabulary import strip_accents

CHUNK = 20000
N_RAND = 20
_MAXR = 2**31 - 1

_CORES = {t: {v: (tuple(map(P.compile_template, kw)), tuple(map(P.compile_template, imp)))
              for v, (kw, imp) in variants.items()} for t, variants in P.CORES.items()}
_OFF = tuple(map(P.compile_template, P.OFF_TOPIC_CORES))
_DECOYS = tuple(map(P.compile_template, P.DECOYS))
_TOPIC_EMOJI = {
    "congreso": ("🏛️", "⚖️"), "elecciones": ("🗳️", "✅"), "informalidad": ("🛒", "💼"),
    "digitalizacion": ("💻", "📱", "📶"), "migracion_venezolana": ("🇻🇪", "🤝"),
    "derrame_petroleo": ("🌊", "🐟", "🛢️", "🐧"), "seguridad_alimentaria": ("🍲", "🥔", "🌽"),
}


@dataclass
class TextExtras:
    """Side products of text generation used by the format writers."""

    tco: dict[str, str] = field(default_factory=dict)           # t.co code -> expanded URL
    link: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # FB post -> (url, title, description)
    image_text: dict[int, str] = field(default_factory=dict)     # FB/IG post -> OCR text
    voice: dict[int, str] = field(default_factory=dict)          # TikTok video -> voice_to_text ("" = no speech)
    title: dict[int, str] = field(default_factory=dict)          # YouTube video -> title


_NOT_SPOKEN = re.compile(r"[^\w\s']")


def _spoken(sentence: str) -> str:
    """What speech-to-text would give for a sentence: lower case, no punctuation or emoji."""
    return " ".join(_NOT_SPOKEN.sub(" ", sentence.lower()).split())


def _title(body: str, limit: int = 100) -> str:
    """A YouTube title: the start of the description, cut at a word boundary (at most 100 chars)."""
    if len(body) <= limit:
        return body
    cut = body[:limit].rsplit(" ", 1)[0]
    return cut or body[:limit]


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:2] != s[:2].upper() else s


def _news_url(topic_key: str, r: int) -> str:
    domain, section = P.NEWS_DOMAINS[r % len(P.NEWS_DOMAINS)]
    slugs = P.URL_SLUGS[topic_key]
    return f"https://{domain}/{section}/{slugs[(r >> 5) % len(slugs)]}-{1_300_000 + (r >> 9) % 400_000}"


def display_url(url: str) -> str:
    """Twitter-style shortened display form of ``url``."""
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= 26 else bare[:25] + "…"


def generate_texts(posts: PostTable, authors: Authors, events: list[Event], fb_types: np.ndarray,
                   rng: np.random.Generator) -> TextExtras:
    """Fill ``posts.text`` (every network) and return links/OCR extras for the writers."""
    n = len(posts)
    texts: list[str] = [""] * n
    extras = TextExtras()
    n_tco = int(((posts.net == 0) & (posts.kind != SHARE)).sum() * 0.3) + 16
    tco_pool = random_codes(n_tco, 10, rng)
    tco_i = 0
    net_l = posts.net.tolist()
    kind_l = posts.kind.tolist()
    lang_l = posts.lang.tolist()
    sent_l = posts.sentiment.tolist()
    t1_l = posts.topic1.tolist()
    t2_l = posts.topic2.tolist()
    ev_l = posts.event.tolist()
    imp_l = posts.implicit.tolist()
    auth_l = posts.author.tolist()
    ref_l = posts.ref.tolist()
    men_l = posts.mention.tolist()
    fbt_l = fb_types.tolist()
    ev_core = [e.core_key for e in events]
    handles = authors.handle
    a_type = authors.account_type

    for c0 in range(0, n, CHUNK):
        rand = rng.integers(0, _MAXR, size=(min(CHUNK, n - c0), N_RAND)).tolist()
        for off, r in enumerate(rand):
            i = c0 + off
            kind = kind_l[i]
            if kind == SHARE:
                continue
            net = net_l[i]
            t1 = t1_l[i]
            topic = P.TOPICS[t1] if t1 >= 0 else None
            tkey = topic or "off"
            sent = SENTIMENTS[sent_l[i]]
            implicit = imp_l[i]
            ev = ev_l[i]
            core_key = ev_core[ev] if ev >= 0 else None
            lang = lang_l[i]
            is_media = a_type[auth_l[i]] == "media"

            if lang == EN or lang == QU:
                cores = (P.EN_CORES if lang == EN else P.QU_CORES)
                offs = (P.EN_OFF_TOPIC if lang == EN else P.QU_OFF_TOPIC)
                cues = (P.EN_CUES if lang == EN else P.QU_CUES)[sent]
                core = cores[topic][r[0] % len(cores[topic])] if topic else offs[r[0] % len(offs)]
                cue = cues[r[1] % len(cues)]
                body = f"{cue} {core}".strip() if r[2] % 2 else f"{core} {cue}".strip()
            else:
                if topic is None:
                    pool = _DECOYS if r[1] % 100 < 3 else _OFF
                    core = P.fill(pool[r[0] % len(pool)], r[2])
                else:
                    variants = _CORES[topic]
                    kw, imp = variants[core_key] if core_key in variants else variants["base"]
                    pool = imp if implicit else kw
                    core = P.fill(pool[r[0] % len(pool)], r[2])
                    if net == 1 and r[3] % 100 < 30 and len(pool) > 1:
                        other = pool[(r[0] + 1 + r[4] % (len(pool) - 1)) % len(pool)]
                        core = f"{core} {P.fill(other, r[5])}"
                    t2 = t2_l[i]
                    if t2 >= 0:
                        clauses = P.SECONDARY_CLAUSES[P.TOPICS[t2]]
                        sep = (", ", " — ", "; ")[r[6] % 3]
                        core = core.rstrip(".!?") + sep + clauses[r[7] % len(clauses)] + "."
                parts = []
                openers = P.OFF_OPENERS if topic is None else P.OPENERS
                closers = P.OFF_CLOSERS if topic is None else P.CLOSERS
                if kind == REPLY or kind == COMMENT:
                    if r[8] % 100 < 55:
                        parts.append(P.REPLY_OPENERS[sent][r[9] % len(P.REPLY_OPENERS[sent])])
                elif r[8] % 100 < 45:
                    parts.append(openers[sent][r[9] % len(openers[sent])])
                if parts and parts[-1].endswith(","):
                    core = _lower_first(core)
                parts.append(core)
                has_opener = len(parts) > 0
                # positive/negative posts always carry at least one lexical cue
                if r[10] % 100 < 50 or (sent != "neutral" and not has_opener):
                    parts.append(closers[sent][r[11] % len(closers[sent])])
                body = " ".join(parts)
                style = r[12] % 1000
                if style < 25:
                    body = strip_accents(body)
                elif style < 60 and sent == "negative":
                    body = body.upper()
                elif style < 90:
                    body = body.lower()
                if is_media and (net <= 1 or (net == YOUTUBE and kind == POST)) and r[13] % 100 < 45:
                    body = f"{P.MEDIA_PREFIXES[r[14] % len(P.MEDIA_PREFIXES)]} {body}"

            tail: list[str] = []
            # emoji
            if r[15] % 100 < 45:
                pool_e = P.EMOJI[sent] + (_TOPIC_EMOJI.get(topic, ()) if topic else ())
                tail.append(pool_e[r[16] % len(pool_e)] * (1 + (r[16] >> 8) % 2))
            # hashtags
            n_tags = 0
            h = r[17] % 100
            video_conv = net >= TIKTOK and kind != POST
            if net == 2:
                n_tags = 2 + (r[17] >> 7) % 4 if h < 90 else 0
            elif net == TIKTOK:
                n_tags = (2 + (r[17] >> 7) % 4 if h < 85 else 0) if kind == POST else int(h < 5)
            elif net == YOUTUBE:
                n_tags = (1 + (r[17] >> 7) % 3 if h < 40 else 0) if kind == POST else int(h < 3)
            elif h < (35 if net == 0 else 28):
                n_tags = 1 + (r[17] >> 7) % 2
            tags: list[str] = []
            if video_conv and (r[16] >> 3) % 100 >= 15:
                pass                     # comments rarely repeat the campaign/event hashtag
            elif core_key == "peru_conectado" and "#PerúConectado" not in body:
                tags.append("#PerúConectado")
            elif core_key and not implicit and r[18] % 100 < 50:
                tag = P.EVENT_HASHTAGS[core_key]
                if tag not in body:
                    tags.append(tag)
            if n_tags:
                tag_pool = (P.PLAIN_HASHTAGS if implicit else P.HASHTAGS)[tkey]
                if topic is not None and not implicit:
                    tag_pool = tag_pool + P.GENERIC_HASHTAGS
                x = r[18] >> 7
                for _ in range(n_tags):
                    tag = tag_pool[x % len(tag_pool)]
                    x //= len(tag_pool)
                    x += 1
                    if tag not in tags and tag not in body:
                        tags.append(tag)
            if net == TIKTOK and kind == POST and r[14] % 100 < 60:
                for k in range(1 + (r[14] >> 7) % 2):
                    tag = P.TIKTOK_HASHTAGS[((r[14] >> 9) + 3 * k) % len(P.TIKTOK_HASHTAGS)]
                    if tag not in tags:
                        tags.append(tag)
            tail.extend(tags)
            # mentions
            m = men_l[i]
            if m >= 0 and handles[m]:
                form = r[19] % 3
                tail.append(("vía @", "cc @", "@")[form] + handles[m] if net == 0 else "@" + handles[m])
            text = body + (" " + " ".join(tail) if tail else "")
            # links
            if net == 0:
                if kind == QUOTE:
                    tgt = ref_l[i]
                    url = f"https://twitter.com/{handles[auth_l[tgt]]}/status/{posts.native_id[tgt]}"
                    code = tco_pool[tco_i % len(tco_pool)]
                    tco_i += 1
                    extras.tco[code] = url
                    text = f"{text} https://t.co/{code}"
                elif (r[19] >> 4) % 100 < (55 if is_media else 10):
                    code = tco_pool[tco_i % len(tco_pool)]
                    tco_i += 1
                    extras.tco[code] = _news_url(tkey, r[19] >> 11)
                    text = f"{text} https://t.co/{code}"
                if kind == REPLY:
                    text = f"@{handles[auth_l[ref_l[i]]]} {text}"
            elif net == 1:
                ftype = fbt_l[i]
                if ftype == "Link":
                    url = _news_url(tkey, r[19] >> 11)
                    title = core.rstrip(".") if lang not in (EN, QU) else body
                    extras.link[i] = (url, title[:120], "")
                    if r[5] % 100 < 30:
                        text = f"{text} {url}"
                elif ftype == "Photo" and r[4] % 100 < 25:
                    its = P.IMAGE_TEXTS[tkey]
                    extras.image_text[i] = its[r[3] % len(its)]
            elif net == 2:
                if is_media and r[13] % 100 < 30:
                    text = f"{body} Más información en el link de la bio 👆 " + " ".join(tail)
                    text = text.rstrip()
            elif net == TIKTOK and kind == POST:
                extras.voice[i] = "" if r[5] % 100 < 40 else _spoken(core if lang not in (EN, QU) else body)
            elif net == YOUTUBE and kind == POST:
                extras.title[i] = _title(body)
                if is_media and r[5] % 100 < 55:
                    text = f"{text}\n\nNota completa: {_news_url(tkey, r[19] >> 11)}"
                if a_type[auth_l[i]] != "person" and r[3] % 100 < 60:
                    text = f"{text}\n\n{P.YOUTUBE_FOOTERS[r[4] % len(P.YOUTUBE_FOOTERS)]}"
            texts[i] = text
    for i in np.flatnonzero(posts.kind == SHARE).tolist():
        tgt = ref_l[i]
        texts[i] = f"RT @{handles[auth_l[tgt]]}: {texts[tgt]}"
    posts.text = texts
    return extras
