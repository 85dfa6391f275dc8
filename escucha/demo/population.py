"""Synthetic authors: people and organisations per network, with communities and influencers.

Each network has its own pool of accounts.  Every account belongs to one of six
communities; each community has 3-5 planted influential accounts per network.
Ground-truth demographics (gender, age band, department, country) come with
profile text (display name, bio, free-text location) that expresses them only
partially, as real profiles do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import numpy as np

from . import vocabulary as V

NETWORKS: tuple[str, ...] = ("x", "facebook", "instagram", "tiktok", "youtube")
X, FACEBOOK, INSTAGRAM, TIKTOK, YOUTUBE = range(5)
NETWORK_AUTHOR_SHARE: tuple[float, ...] = (0.50, 0.22, 0.14, 0.08, 0.06)
ORG_SHARE: tuple[float, ...] = (0.05, 0.16, 0.05, 0.04, 0.12)
#: longest handle per network (X 15, TikTok 24, others 30)
HANDLE_MAX: tuple[int, ...] = (15, 30, 30, 24, 30)
#: extra log-median followers for persons per network (Instagram/TikTok audiences are larger,
#: most YouTube commenters' channels have almost no subscribers)
PERSON_FOLLOWER_SHIFT: tuple[float, ...] = (0.0, 0.0, 0.6, 0.8, -1.6)
_B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
ORG_TYPE_P: dict[str, float] = {"media": 0.30, "government": 0.20, "ngo": 0.15, "business": 0.25, "other": 0.10}
#: P(community | organisation type)
ORG_COMMUNITY_P: dict[str, tuple[float, ...]] = {
    "media": (0.05, 0.10, 0.05, 0.55, 0.22, 0.03),
    "government": (0.55, 0.02, 0.08, 0.05, 0.28, 0.02),
    "ngo": (0.05, 0.10, 0.40, 0.05, 0.20, 0.20),
    "business": (0.15, 0.20, 0.05, 0.15, 0.25, 0.20),
    "other": (0.15, 0.30, 0.10, 0.10, 0.20, 0.15),
}
CAPITALS: dict[str, str] = {
    "Amazonas": "Chachapoyas", "Áncash": "Huaraz", "Apurímac": "Abancay", "Arequipa": "Arequipa",
    "Ayacucho": "Huamanga", "Cajamarca": "Cajamarca", "Callao": "Callao", "Cusco": "Cusco",
    "Huancavelica": "Huancavelica", "Huánuco": "Huánuco", "Ica": "Ica", "Junín": "Huancayo",
    "La Libertad": "Trujillo", "Lambayeque": "Chiclayo", "Lima": "Lima", "Loreto": "Iquitos",
    "Madre de Dios": "Puerto Maldonado", "Moquegua": "Moquegua", "Pasco": "Cerro de Pasco", "Piura": "Piura",
    "Puno": "Puno", "San Martín": "Tarapoto", "Tacna": "Tacna", "Tumbes": "Tumbes", "Ucayali": "Pucallpa",
}
TYPE_ACTIVITY: dict[str, float] = {"person": 1.0, "media": 10.0, "government": 4.0, "ngo": 3.0,
                                   "business": 1.5, "other": 3.0}
#: (log-median followers, sigma) per account type
FOLLOWERS_LOGNORMAL: dict[str, tuple[float, float]] = {
    "person": (np.log(250), 1.4), "media": (np.log(20000), 1.2), "government": (np.log(8000), 1.1),
    "ngo": (np.log(3000), 1.1), "business": (np.log(1500), 1.2), "other": (np.log(6000), 1.3),
}
TWITTER_EPOCH_MS = 1288834974657
REFERENCE_YEAR = 2022


@dataclass
class Authors:
    """Column-oriented author table (one row per account; all lists share the same index)."""

    net: np.ndarray                 # int8 index into NETWORKS
    account_type: list[str]
    gender: list[str | None]
    age_band: list[str | None]
    department: list[str | None]
    country: list[str | None]
    community: np.ndarray           # int8
    is_influencer: np.ndarray       # bool
    handle: list[str]
    display_name: list[str]
    bio: list[str]
    location: list[str]
    native_id: list[str] = field(default_factory=list)
    fb_category: list[str] = field(default_factory=list)
    followers: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    following: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    statuses: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    listed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    verified: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    created: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    activity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    attract: np.ndarray = field(default_factory=lambda: np.zeros(0))
    follower_growth: np.ndarray = field(default_factory=lambda: np.zeros(0))
    qu_speaker: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    en_speaker: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    campaign_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))

    def __len__(self) -> int:
        return len(self.handle)

    def ubigeo(self, i: int) -> str | None:
        """INEI department code of author ``i``."""
        d = self.department[i]
        return None if d is None else V.DEPARTMENTS[V.DEPARTMENT_INDEX[d]][1]


def author_pool_size(expected_posts: float) -> int:
    """Accounts to create: ~27k for a default year (~220k posts), sub-linear in volume."""
    return max(240, int(round(27500 * (expected_posts / 220000.0) ** 0.75)))


class _Picker:
    """Deterministic choices from a pre-drawn block of random integers."""

    def __init__(self, rng: np.random.Generator, n: int):
        self._vals = rng.integers(0, 2**31 - 1, size=n).tolist()
        self._i = 0

    def int(self) -> int:
        v = self._vals[self._i % len(self._vals)]
        self._i += 1
        return v

    def pick(self, seq):
        return seq[self.int() % len(seq)]

    def chance(self, p: float) -> bool:
        return self.int() < p * (2**31 - 1)

    def weighted(self, items: tuple, weights: tuple[float, ...]):
        u = self.int() / (2**31 - 1) * sum(weights)
        acc = 0.0
        for item, w in zip(items, weights):
            acc += w
            if u < acc:
                return item
        return items[-1]


class _HandleRegistry:
    """Makes handles unique per network (case-insensitive) by appending digits."""

    def __init__(self, max_len: int, picker: _Picker):
        self.max_len = max_len
        self.used: set[str] = set()
        self.picker = picker

    def claim(self, base: str) -> str:
        base = base[: self.max_len] or "user"
        cand = base
        while cand.lower() in self.used:
            suffix = str(10 + self.picker.int() % 990)
            cand = base[: self.max_len - len(suffix)] + suffix
        self.used.add(cand.lower())
        return cand


def _residence(community: int, pk: _Picker, account_type: str) -> tuple[str | None, str | None]:
    """(department, country) where the account's owner lives."""
    national = (V.DEPARTMENT_NAMES, tuple(d[2] for d in V.DEPARTMENTS))
    if account_type == "other" and pk.chance(0.3):
        return None, None
    if community == 5:
        if account_type == "person" and pk.chance(0.25):
            return None, pk.weighted(*zip(*V.ABROAD_DIASPORA))
        return pk.weighted(tuple(V.DIASPORA_WEIGHTS), tuple(V.DIASPORA_WEIGHTS.values())), "PE"
    if community == 4 and pk.chance(0.95):
        return pk.weighted(tuple(V.SOUTH_WEIGHTS), tuple(V.SOUTH_WEIGHTS.values())), "PE"
    if account_type == "person" and pk.chance(0.03):
        return None, pk.weighted(*zip(*V.ABROAD_PERUVIANS))
    return pk.weighted(*national), "PE"


def _location_text(dept: str | None, country: str | None, venezuelan: bool, pk: _Picker) -> str:
    """Free-text profile location consistent with (but vaguer than) the true residence."""
    if country is None:
        return pk.pick(V.VAGUE_LOCATIONS)
    if country != "PE":
        return pk.pick(V.ABROAD_LOCATIONS[country]) if pk.chance(0.85) else pk.pick(V.VAGUE_LOCATIONS)
    if venezuelan and dept == "Lima" and pk.chance(0.25):
        return pk.pick(("Lima 🇻🇪🇵🇪", "Caracas ✈️ Lima", "Lima, Perú 🇻🇪"))
    u = pk.int() % 100
    if u < 60:
        return pk.pick(V.DEPARTMENTS[V.DEPARTMENT_INDEX[dept]][3])
    if u < 85:
        return pk.pick(V.VAGUE_LOCATIONS)
    return ""


def _person_names(gender: str, community: int, venezuelan: bool, pk: _Picker) -> tuple[str, str, str, str]:
    """(first, second first name, surname 1, surname 2)."""
    andean = community == 4 and pk.chance(0.3) or pk.chance(0.04)
    if venezuelan:
        firsts = V.VENEZUELAN_FEMALE if gender == "female" else V.VENEZUELAN_MALE
        surnames = V.VENEZUELAN_SURNAMES
    else:
        if gender == "female":
            firsts = V.ANDEAN_FEMALE if andean else V.FEMALE_NAMES
        else:
            firsts = V.ANDEAN_MALE if andean else V.MALE_NAMES
        surnames = V.ANDEAN_SURNAMES if (andean or (community == 4 and pk.chance(0.4))) else V.SURNAMES
    if gender == "unknown":
        firsts = V.FEMALE_NAMES if pk.chance(0.5) else V.MALE_NAMES
    second_pool = V.FEMALE_NAMES if gender == "female" else V.MALE_NAMES
    return pk.pick(firsts), pk.pick(second_pool), pk.pick(surnames), pk.pick(V.SURNAMES + V.ANDEAN_SURNAMES)


def _person_display(gender: str, first: str, second: str, s1: str, s2: str, dept: str | None,
                    pk: _Picker) -> str:
    """Display name: plain, with emoji, abbreviated, nickname, shouty... (unknown gender hides the name)."""
    place = pk.pick(V.DISTRICTS)
    if gender == "unknown":
        pattern = pk.int() % 3
        if pattern == 0:
            return f"{s1} {s2}"
        if pattern == 1:
            return f"{first[0]}. {s1}"
        return pk.pick(V.NEUTRAL_DISPLAY).format(d=place, n=pk.int() % 9000 + 1000)
    u = pk.int() % 100
    if u < 33:
        return f"{first} {s1}"
    if u < 48:
        return f"{first} {s1} {s2}"
    if u < 58:
        return f"{first} {s1} {pk.pick(V.EMOJI_NAME)}"
    if u < 65:
        return f"{first} {s1[0]}."
    if u < 72:
        return f"{first} {pk.pick(V.EMOJI_NAME)}"
    if u < 80:
        return f"{first} {second} {s1}" if second != first else f"{first} {s1}"
    if u < 87:
        nick = V.NICKNAMES_F if gender == "female" else V.NICKNAMES_M
        return pk.pick(nick).format(d=place)
    if u < 93:
        return V.strip_accents(f"{first} {s1}").lower()
    return f"{first} {s1}".upper()


def _person_handle(first: str, s1: str, s2: str, birth_year: int, net: int, gender: str, pk: _Picker) -> str:
    """Handle from name parts; X: [A-Za-z0-9_]{1,15}; other networks: lower case, dots allowed on
    Instagram and TikTok.

    Accounts whose owner's gender is unknown get handles without a first name.
    """
    f, a, b = V.handle_base(first.split()[0]), V.handle_base(s1), V.handle_base(s2)
    yy = f"{birth_year % 100:02d}"
    u = pk.int() % 8
    if gender == "unknown":
        sep = "." if net in (INSTAGRAM, TIKTOK) else "_"
        options = (f"{a}{b}{yy}", f"{a}{sep}{b[:1]}{pk.int() % 1000}", f"{V.handle_base(pk.pick(V.DISTRICTS))}{sep}{yy}",
                   f"{a[:1]}{b}{yy}")
        handle = options[u % 4]
        return handle if net == 0 else handle.lower()
    if net == 0:
        options = (f"{f}{a}{yy}", f"{f}_{a}", f"{f[0]}{a}{b[:1]}", f"{f}{a}", f"{a}{f}{yy}",
                   f"{f}{yy}", f"{f.lower()}_{a.lower()}{pk.int() % 100}", f"{f}{a[:1]}{b}")
        return options[u]
    sep = "." if net in (INSTAGRAM, TIKTOK) else ""
    options = (f"{f}{sep}{a}{yy}", f"{f}_{a}", f"{f}{sep}{a}{sep}{b}", f"{f}{a}", f"{a}{sep}{f}",
               f"{f}{sep}{yy}{sep}{a}", f"soy{f}{a}", f"{f}{a}.oficial")
    return options[u].lower()


def _person_bio(gender: str, age: int, band: str, dept: str | None, venezuelan: bool, pk: _Picker) -> str:
    """Spanish bio that sometimes states age, occupation, origin and interests."""
    g = 0 if gender == "female" else 1
    parts: list[str] = []
    if pk.chance(0.6):
        if band == "18-24" and pk.chance(0.7):
            parts.append(pk.pick(V.STUDENT_BIOS))
        elif gender == "unknown":
            parts.append(pk.pick(V.NEUTRAL_OCCUPATIONS))
        elif band == "55+":
            parts.append(pk.pick(V.SENIOR_OCCUPATIONS)[g])
        else:
            parts.append(pk.pick(V.ADULT_OCCUPATIONS)[g])
    if pk.chance(0.25):
        form = pk.int() % 3
        if form == 0 or gender == "unknown":
            parts.append(f"{age} años")
        elif form == 1:
            parts.append(f"{'Nacida' if g == 0 else 'Nacido'} en {REFERENCE_YEAR - age}")
        else:
            parts.append(f"{age} 🎂")
    if venezuelan and pk.chance(0.5):
        parts.append(pk.pick(V.DIASPORA_BIO)[g])
    elif dept in V.DEMONYMS and gender != "unknown" and pk.chance(0.2):
        parts.append(V.DEMONYMS[dept][g])
    if pk.chance(0.5):
        parts.append(pk.pick(V.INTERESTS_F if g == 0 else V.INTERESTS_M))
    sep = pk.pick((" | ", ". ", " · ", " 🔹 ", ", "))
    return sep.join(parts)


def _org_name(kind: str, dept: str | None, pk: _Picker) -> str:
    dept = dept or pk.pick(V.DEPARTMENT_NAMES)
    tpl = pk.pick(V.ORG_TEMPLATES[kind])
    return tpl.format(c=CAPITALS[dept], d=dept, x=pk.pick(V.ORG_WORDS), k=pk.pick(V.DISTRICTS),
                      f=f"{88 + pk.int() % 20}.{pk.int() % 10}", m=pk.pick(V.MALE_NAMES),
                      u=pk.pick(V.UNIVERSITIES))


def _org_handle(name: str, net: int, pk: _Picker) -> str:
    words = [V.handle_base(w) for w in name.split()]
    words = [w for w in words if w]
    if net == 0:
        style = pk.int() % 3
        if style == 0:
            return "".join(w[:1].upper() + w[1:] for w in words)
        if style == 1:
            return "".join(w[:4] for w in words).lower() + "pe"
        return "_".join(words).lower()
    sep = "." if net in (INSTAGRAM, TIKTOK) else ""
    return sep.join(words).lower()


def _vanity_fb(base: str, pk: _Picker) -> str:
    """Facebook vanity user name; a third of pages never set one."""
    return "" if pk.chance(0.33) else base


def build_authors(n_total: int, start: date, rng: np.random.Generator) -> Authors:
    """Create ``n_total`` accounts across networks (persons, organisations, planted influencers)."""
    pk = _Picker(rng, 64 * n_total + 4096)
    rows: list[dict] = []
    for net, share in enumerate(NETWORK_AUTHOR_SHARE):
        n_net = max(60, int(round(n_total * share)))
        registry = _HandleRegistry(HANDLE_MAX[net], pk)
        net_rows: list[dict] = []
        # planted influencers: 3-5 per community; the campaign owner is always present
        for comm, candidates in V.INFLUENCERS.items():
            k = 3 + pk.int() % 3
            order = sorted(range(len(candidates)), key=lambda _: pk.int())
            chosen = [i for i in order if candidates[i][1] == "PeruConectadoPE"]
            chosen += [i for i in order if i not in chosen][: k - len(chosen)]
            for i in sorted(chosen):
                name, handle, kind, dept, gender, bio = candidates[i]
                h = handle.lower() if net in (INSTAGRAM, TIKTOK) else handle
                band = "45-54" if pk.chance(0.5) else "35-44"
                net_rows.append(dict(
                    net=net, type=kind, gender=gender if kind == "person" else None,
                    age_band=band if kind == "person" else None,
                    age=(47 if band == "45-54" else 39) if kind == "person" else -1,
                    dept=dept, country="PE", community=comm, influencer=True, handle=registry.claim(h),
                    display=name, bio=bio, location=f"{CAPITALS[dept]}, Perú" if pk.chance(0.5) else CAPITALS[dept],
                    venezuelan=False, campaign=handle == "PeruConectadoPE",
                ))
        n_org = max(6, int(round(n_net * ORG_SHARE[net]))) - sum(r["type"] != "person" for r in net_rows)
        org_types = tuple(ORG_TYPE_P)
        for _ in range(max(0, n_org)):
            kind = pk.weighted(org_types, tuple(ORG_TYPE_P.values()))
            comm = pk.weighted(tuple(range(6)), ORG_COMMUNITY_P[kind])
            dept, country = _residence(comm, pk, kind)
            name = _org_name(kind, dept, pk)
            city = CAPITALS[dept] if dept else ""
            net_rows.append(dict(
                net=net, type=kind, gender=None, age_band=None, age=-1, dept=dept, country=country,
                community=comm, influencer=False, handle=registry.claim(_org_handle(name, net, pk)),
                display=name,
                bio=pk.pick(V.ORG_BIOS[kind]).format(c=city or "el Perú", d=dept or "el Perú"),
                location=(pk.pick((city, f"{city}, Perú", f"{city} - Perú", "Perú")) if dept
                          else pk.pick(V.VAGUE_LOCATIONS)),
                venezuelan=False, campaign=False,
            ))
        comm_p = tuple(c[2] for c in V.COMMUNITIES)
        for _ in range(max(0, n_net - len(net_rows))):
            comm = pk.weighted(tuple(range(6)), comm_p)
            u = pk.int() % 100
            gender = "female" if u < 48 else ("male" if u < 96 else "unknown")
            band_i = pk.weighted(tuple(range(5)), V.AGE_BAND_P)
            lo, hi = V.AGE_BAND_RANGE[band_i]
            age = lo + pk.int() % (hi - lo + 1)
            venezuelan = comm == 5 and pk.chance(0.85)
            dept, country = _residence(comm, pk, "person")
            first, second, s1, s2 = _person_names(gender, comm, venezuelan, pk)
            display = _person_display(gender, first, second, s1, s2, dept, pk)
            handle = registry.claim(_person_handle(first, s1, s2, REFERENCE_YEAR - age, net, gender, pk))
            net_rows.append(dict(
                net=net, type="person", gender=gender, age_band=V.AGE_BANDS[band_i], age=age, dept=dept,
                country=country, community=comm, influencer=False, handle=handle, display=display,
                bio=_person_bio(gender, age, V.AGE_BANDS[band_i], dept, venezuelan, pk),
                location=_location_text(dept, country, venezuelan, pk), venezuelan=venezuelan, campaign=False,
            ))
        rows.extend(net_rows)
    return _finish(rows, start, rng, pk)


def _finish(rows: list[dict], start: date, rng: np.random.Generator, pk: _Picker) -> Authors:
    """Numeric attributes (followers, activity, ids...) drawn vectorised over all rows."""
    n = len(rows)
    types = [r["type"] for r in rows]
    net = np.array([r["net"] for r in rows], dtype=np.int8)
    infl = np.array([r["influencer"] for r in rows], dtype=bool)
    is_person = np.array([t == "person" for t in types])
    a = Authors(
        net=net, account_type=types, gender=[r["gender"] for r in rows], age_band=[r["age_band"] for r in rows],
        department=[r["dept"] for r in rows], country=[r["country"] for r in rows],
        community=np.array([r["community"] for r in rows], dtype=np.int8), is_influencer=infl,
        handle=[r["handle"] for r in rows], display_name=[r["display"] for r in rows],
        bio=[r["bio"] for r in rows], location=[r["location"] for r in rows],
    )
    mu = (np.array([FOLLOWERS_LOGNORMAL[t][0] for t in types])
          + np.where(is_person, np.asarray(PERSON_FOLLOWER_SHIFT)[net], 0.0))
    sigma = np.array([FOLLOWERS_LOGNORMAL[t][1] for t in types])
    followers = np.exp(rng.normal(mu, sigma))
    followers = np.where(infl, 10 ** rng.uniform(5.0, 6.3, n), followers)
    a.followers = np.maximum(3, followers).astype(np.int64)
    a.following = np.maximum(0, np.exp(rng.normal(np.where(is_person, np.log(400), np.log(200)), 0.9))).astype(np.int64)
    type_act = np.array([TYPE_ACTIVITY[t] for t in types])
    a.activity = np.exp(rng.normal(0.0, 1.25, n)) * type_act * np.where(infl, 4.0, 1.0)
    a.attract = a.followers ** 0.4 * np.where(infl, 12.0, 1.0) * np.where(np.array(types) == "media", 1.3, 1.0)
    a.statuses = (np.exp(rng.normal(np.log(1500), 1.2, n)) * np.sqrt(a.activity)).astype(np.int64) + 1
    a.listed = (a.followers * rng.uniform(0.0005, 0.01, n)).astype(np.int64)
    p_verified = np.where(infl, 0.85, np.select(
        [np.array(types) == "media", np.array(types) == "government"], [0.3, 0.4], 0.003))
    a.verified = rng.random(n) < p_verified
    a.follower_growth = rng.normal(0.10, 0.12, n)

    t_lo = int(datetime(2008, 6, 1, tzinfo=timezone.utc).timestamp())
    t_hi = int(datetime(start.year, start.month, start.day, tzinfo=timezone.utc).timestamp()) - 45 * 86400
    u = rng.random(n) ** np.where(is_person, 0.6, 1.6)
    a.created = (t_lo + (1.0 - u) * (t_hi - t_lo)).astype(np.int64)

    comm = a.community
    a.qu_speaker = is_person & (comm == 4) & (rng.random(n) < 0.16)
    abroad = np.array([r["country"] not in ("PE", None) for r in rows])
    a.en_speaker = (rng.random(n) < np.where(abroad, 0.35, 0.06))
    a.campaign_owner = np.array([r["campaign"] for r in rows], dtype=bool)

    a.native_id = _native_ids(a, rng)
    a.fb_category = [pk.pick(V.FB_CATEGORIES[t]) for t in types]
    for i in np.flatnonzero(net == 1):
        a.handle[i] = _vanity_fb(a.handle[i], pk)
    return a


def _native_ids(a: Authors, rng: np.random.Generator) -> list[str]:
    """X: numeric user ids (sequential before 2014, snowflakes after); Facebook: 15-digit page
    ids; Instagram: the username (CrowdTangle exports expose no numeric id); TikTok: the username
    (what the Research API returns); YouTube: 24-character channel ids ``UC`` + 22 base64url."""
    n = len(a)
    out = [""] * n
    x = np.flatnonzero(a.net == 0)
    ms = a.created[x] * 1000
    cut = int(datetime(2014, 1, 1, tzinfo=timezone.utc).timestamp()) * 1000
    old = 10_000_000 + ((ms - 1_167_609_600_000) / (cut - 1_167_609_600_000) * 2.3e9).astype(np.int64)
    old = old + rng.integers(0, 100_000, len(x))
    snow = ((ms - TWITTER_EPOCH_MS) << 22) | rng.integers(0, 2**22, len(x))
    xid = np.where(ms < cut, old, snow)
    xid = _make_unique(xid)
    for i, v in zip(x.tolist(), xid.tolist()):
        out[i] = str(v)
    fb = np.flatnonzero(a.net == 1)
    fid = _make_unique(rng.integers(100_000_000_000_000, 999_999_999_999_999, len(fb)))
    for i, v in zip(fb.tolist(), fid.tolist()):
        out[i] = str(v)
    for i in np.flatnonzero((a.net == INSTAGRAM) | (a.net == TIKTOK)).tolist():
        out[i] = a.handle[i]
    yt = np.flatnonzero(a.net == YOUTUBE)
    seen: set[str] = set()
    for i, row in zip(yt.tolist(), rng.integers(0, 64, size=(len(yt), 22)).tolist()):
        row[-1] &= 0x30        # 128-bit ids: the last character carries 2 bits (A, Q, g or w)
        cid = "UC" + "".join(_B64URL[v] for v in row)
        while cid in seen:
            cid = cid[:2] + cid[3:-1] + "A" + cid[-1]
        seen.add(cid)
        out[i] = cid
    return out


def _make_unique(ids: np.ndarray) -> np.ndarray:
    """Bump duplicate ids by one until all are distinct (keeps order of magnitude)."""
    ids = ids.copy()
    while True:
        order = np.argsort(ids, kind="stable")
        dup = np.flatnonzero(np.diff(ids[order]) == 0)
        if len(dup) == 0:
            return ids
        ids[order[dup + 1]] += 1
