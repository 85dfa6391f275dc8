"""Account type of an author: person, media, government, ngo, business, other, or unknown.

Rules on words, scored per field and added up; the highest score wins if it clears a floor,
otherwise the answer is ``unknown``.

* **Display name** (weight 3): the name an organisation chooses says what it is.
  government: Ministerio, Municipalidad (Muni), Gobierno Regional (GORE), Dirección Regional,
  DIRESA, Presidencia, Congreso, Defensoría del Pueblo, Prefectura, Hospital (Regional,
  Nacional...; public in Peru), Policía/PNP, Fiscalía, Poder Judicial, Embajada, and the acronyms
  of national bodies (PCM, MINSA, MINAM, SUNAT, RENIEC, INEI, ONPE, JNE, INDECI, SENAMHI...).
  media: Diario, Radio, TV, Televisión, Canal, Noticias, Noticiero, Prensa, Periódico, Semanario,
  Revista, Informativo, "en Línea", FM/AM frequencies, and known outlets (RPP, La República,
  El Comercio, Exitosa, Canal N, ATV, Willax, Infobae, Andina, OjoPúblico...).
  ngo: ONG, Asociación, Fundación, Colectivo, Red de, Mesa de Concertación, Cáritas,
  Voluntariado, Comedor(es) (popular kitchens), Observatorio, Iniciativa, Movimiento,
  Coordinadora, Federación, Sindicato, and international bodies (ACNUR, UNICEF, OIM, PNUD,
  Oxfam, Oceana, WWF, Cruz Roja...).
  business: S.A.C., S.A., E.I.R.L., S.R.L., Tienda, Bodega, Pollería, Cevichería, Restaurante,
  Panadería, Ferretería, Minimarket, Boutique, Moda, Gamarra (as a brand), Inmobiliaria,
  Constructora, Agroexportadora, Distribuidora, Importaciones, Clínica, Farmacia, Botica,
  Hotel, Hostal, Tours, Delivery, Store, Shop, Tech...
  other: community and entertainment pages: Memes, Confesiones, Hinchas, Fans, Club, "Vecinos
  de", "Yo amo", "X Antiguo", "X Informa", Curioso, Comunidad, Universidad, Colegio, Iglesia,
  Parroquia, Partido.
* **Handle** (weight 2): the same stems inside the handle ("munidistdeate", "radio_puno_1036",
  "caritaspuno", "agroexportadorachavinsac"), short stems only at the start ("muni", "tv").
* **Bio** (weight 1.5): organisational phrases ("Cuenta oficial", "Canal oficial de
  comunicación", "Organización sin fines de lucro", "Pedidos por DM", "Delivery a todo",
  "Atención de lunes a sábado", "Noticias de ... las 24 horas", "Periodismo independiente",
  "Página no oficial", "Memes").  Organisation words in a person's bio ("Periodista de Radio
  X", "Trabaja en la Municipalidad") are outweighed by the person signals below.
* **Person** signals: a given name opening the display name (see gender.py), titles and
  nicknames, "Initial. Surname" or two surnames, a given name or surname in the handle, and
  personal words in the bio (occupations, "Estudiante", "Mamá de", an age, "Opiniones
  personales", "Hincha de", "Amante de"...).

Floors: an organisation type needs 2 points (one display-name or handle stem), a person 1.5;
a tie is unknown.  When the display name alone scores 3 (a given name, or an organisation word)
the handle is not read.  A person-like name ending in "Perú" ("Mar Limpio Perú") loses 2 points:
that is how brands and pages are named.  Names like "Voz Ciudadana Perú" or "Ciudadanía activa"
give no signal: unknown.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .gender import NICK_F, NICK_M, SURNAMES, fold, handle_tokens, name_info, words

TYPES = ("person", "media", "government", "ngo", "business", "other")
ORG_TYPES = TYPES[1:]
UNKNOWN = "unknown"

# Keywords over folded text (lower case, no accents), whitespace-separated: a plain word must be
# one of the text's words, ``a_b`` is the phrase "a b" (whole words), ``word*`` any word starting
# with "word", and a keyword with a period is a literal phrase ("s.a.c.").
_NAME_RULES: dict[str, str] = {
    "government": """
        ministerio ministerial municipalidad* muni gobierno gore diresa presidencia congreso defensoria
        prefectura subprefectura hospital policia pnp fiscalia embajada consulado contraloria ejercito
        essalud serenazgo cancilleria superintendencia gobierno_regional direccion_regional
        gerencia_regional defensoria_del_pueblo ministerio_publico poder_judicial corte_superior
        marina_de_guerra fuerza_aerea autoridad_nacional gob_pe gobierno_del_peru estado_peruano
        qali_warma pension_65
        pcm minsa minedu minam midis mimp mtc mef minem mininter mindef minjus minjusdh mincetur produce
        midagri minagri mvcs mtpe mincul rree jne onpe reniec sunat sunarp sunedu sunafil inei indeci senamhi
        osinergmin osiptel sunass oefa sernanp serfor devida pronabec bcrp sbs migraciones inpe cenepred
        ingemmet senasa sucamec""",
    "media": """
        diario radio radios tv television televisora canal noticias noticiero noticia news prensa periodico
        semanario revista informativo magazine podcast stereo estereo fm actualidad periodismo en_linea
        al_dia agencia_de_noticias
        rpp exitosa atv panamericana willax peru21 trome ojopublico convoca wayka epicentro infobae
        ideeleradio caretas hildebrandt la_republica el_comercio canal_n america_tv tv_peru peru_21
        ojo_publico idl_reporteros la_mula agencia_andina radio_nacional el_buho el_peruano""",
    "ngo": """
        ong ongs asociacion fundacion colectivo caritas voluntariado voluntarios comedor comedores observatorio
        iniciativa movimiento coordinadora federacion sindicato union red_de mesa_de_concertacion
        frente_de_defensa centro_de_estudios instituto_de_defensa sociedad_civil vaso_de_leche
        rondas_campesinas comunidad_campesina
        acnur unhcr unicef oim iom pnud undp onu oxfam oceana wwf proetica cnddhh demus cooperaccion spda
        cedro techo naciones_unidas care_peru plan_international save_the_children cruz_roja
        amnistia_internacional human_rights_watch flora_tristan manuela_ramos aldeas_infantiles world_vision
        vision_mundial hogar_de_cristo""",
    "business": """
        sac eirl srl saa tienda bodega polleria cevicheria restaurant restaurante restobar panaderia pasteleria
        ferreteria minimarket market boutique moda gamarra inmobiliaria constructora agroexportadora
        exportadora distribuidora importaciones importadora clinica farmacia botica hotel hostal tour tours
        travel delivery store shop tech consultora consultores corporacion empresa grupo barberia spa gym
        academia taller lavanderia imprenta optica veterinaria jugueria chifa cafeteria licoreria joyeria
        zapateria libreria muebleria bazar calzados ventas pizzeria sangucheria salon_de_belleza a_la_brasa
        s.a.c s.a.c. e.i.r.l e.i.r.l. s.r.l s.r.l. s.a.""",
    "other": """
        meme memes confesiones hinchas hinchada fans club antiguo antigua informa curioso curiosidades
        comunidad universidad colegio iglesia parroquia partido humor chistes frases pagina fan_club
        vecinos_de vecinos yo_amo i_love venezolanos_en peruanos_en colombianos_en migrantes_en chilenos_en
        argentinos_en""",
}
_BIO_RULES: dict[str, str] = {
    "government": """gobierno municipalidad ministerio cuenta_oficial canal_oficial
        al_servicio_de_la_ciudadania trabajando_por_el_desarrollo gestion_municipal entidad_publica
        estado_peruano""",
    "media": """noticias periodismo diario prensa informando sintonizanos informacion_y_entretenimiento
        fuente_de_noticias las_24_horas medio_de_comunicacion en_vivo""",
    "ngo": """colectivo voluntariado ong asociacion fundacion protegemos sin_fines_de_lucro accion_social
        trabajamos_por defensa_de_los_derechos agencia_de_la_onu""",
    "business": """pedidos delivery entregas envios horario precios ventas whatsapp cotiza stock tienda
        promociones atencion_de_lunes calidad_desde por_mayor""",
    "other": """memes fan fans humor comunidad pagina_no_oficial la_comunidad_de lo_mejor_de""",
}
#: personal words of bios (occupations, family, life stage, first-person talk)
_PERSONAL_RULES = """
    estudiante universitario universitaria cachimbo cachimba egresado egresada bachiller licenciado licenciada
    abogado abogada ingeniero ingeniera enfermero enfermera contador contadora medico medica doctor doctora
    disenador disenadora psicologo psicologa administrador administradora agricultor agricultora biologo
    biologa profesor profesora docente maestro maestra politologo politologa sociologo sociologa economista
    periodista comunicador comunicadora chef cocinero cocinera taxista comerciante emprendedor emprendedora
    obstetra jubilado jubilada cesante abuelo abuela mama papa madre padre esposo esposa nacido nacida
    hincha creyente cristiano cristiana catolico catolica feminista gamer rockero rockera ciclista viajero
    viajera lector lectora activista analista columnista congresista viceministro viceministra dirigente
    dirigenta defensor defensora influencer bloguero bloguera migrante caraqueno caraquena limeno limena
    cusqueno cusquena arequipeno arequipena puneno punena chalaco chalaca piurano piurana trujillano
    trujillana chiclayano chiclayana huancaino huancaina charapa charapita soy tengo orgulloso orgullosa
    apasionado apasionada hijo_de hija_de opiniones_personales mis_opiniones opinion_personal amante_de
    amante_del fan_de ex_viceministro ex_viceministra creador_de_contenido creadora_de_contenido
    venezolano_en venezolana_en peruano_en peruana_en amo_a me_gusta vivo_en de_corazon"""


class _Lexicon:
    """Keywords of one kind; ``all(text, words)`` lists those present."""

    def __init__(self, spec: str):
        self.words: frozenset[str] = frozenset(w for w in spec.split() if "_" not in w and "." not in w
                                               and not w.endswith("*"))
        self.prefixes: tuple[str, ...] = tuple(w[:-1] for w in spec.split() if w.endswith("*"))
        phrases = sorted((w.replace("_", " ") for w in spec.split() if "_" in w or "." in w), key=len, reverse=True)
        self.phrases = re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, phrases)) + r")(?![a-z0-9])") \
            if phrases else None

    def all(self, text: str, toks: frozenset[str]) -> list[str]:
        hits = sorted(self.words & toks) if not self.words.isdisjoint(toks) else []
        if self.prefixes:
            hits += sorted(t for t in toks if t.startswith(self.prefixes))
        if self.phrases is not None:
            hits += self.phrases.findall(text)
        return hits


_NAME_LEX = {k: _Lexicon(v) for k, v in _NAME_RULES.items()}
_BIO_LEX = {k: _Lexicon(v) for k, v in _BIO_RULES.items()}
_PERSONAL_LEX = _Lexicon(_PERSONAL_RULES)
_FREQUENCY = re.compile(r"\b\d{2,3}[.,]\d\b")          # "Radio X 103.5"
_STATED_AGE = re.compile(r"\b\d{2}\s*(?:anos|years)\b(?! de)")
_WORDS = re.compile(r"[a-z0-9]+")

#: stems searched anywhere inside handles (lower case, accents folded)
_HANDLE_STEMS: dict[str, tuple[str, ...]] = {
    "government": ("ministerio", "municipalidad", "munidist", "muniprov", "gobiernoregional", "gobregional",
                   "gobierno", "direccionregional", "diresa", "presidencia", "congreso", "defensoria",
                   "prefectura", "hospital", "policia", "fiscalia", "embajada", "essalud"),
    "media": ("diario", "radio", "notici", "television", "semanario", "periodico", "revista",
              "informativ", "prensa", "enlinea", "rppnoticias", "larepublica", "elcomercio", "infobae",
              "ojopublico", "willax", "exitosa"),
    "ngo": ("asociacion", "fundacion", "colectivo", "mesadeconcert", "caritas", "voluntariado",
            "comedores", "observatorio", "iniciativa", "acnur", "unicef", "oxfam", "oceana"),
    "business": ("bodega", "polleria", "cevicheria", "restaurant", "panaderia", "pasteleria", "ferreteria",
                 "minimarket", "boutique", "gamarra", "agroexport", "inmobiliaria", "constructora", "farmacia",
                 "botica", "clinica", "delivery", "store", "tienda"),
    "other": ("memes", "confesiones", "hinchas", "vecinosde", "yoamo", "antiguo", "curioso"),
}
#: short stems and acronyms, only at the start of a handle ("MuniLima", "GoreArequipa", "TVCusco",
#: "pcmperu", "MinamPeru")
_HANDLE_PREFIX: dict[str, tuple[str, ...]] = {
    "government": ("muni", "gore", "minam", "pcm", "mef", "mtc", "midis", "mimp", "minem", "mindef", "minjus",
                   "mincul", "jne", "onpe", "inei", "produce", "rree", "cancilleria", "minsa", "minedu", "reniec",
                   "sunat", "senamhi", "indeci", "mininter", "mincetur", "midagri"),
    "media": ("tv", "canal", "rpp", "atv"),
    "business": ("agro", "tech"),
    "ngo": ("oim", "pnud", "wwf", "ong"),
}
_HANDLE_SUFFIX: dict[str, tuple[str, ...]] = {"business": ("sac", "eirl"), "media": ("tv", "fm", "noticias")}

#: professional and courtesy titles that open a person's display name
_TITLES = frozenset("ing lic licda dr dra doc abog arq prof profa mg mag cpc sr sra srta don dona".split())
_NORM = re.compile(r"[^a-z0-9.]+")


def _norm(text: str) -> str:
    """Folded text with punctuation turned into spaces (periods kept for S.A.C. and 103.5)."""
    return _NORM.sub(" ", fold(text)).strip()


@lru_cache(maxsize=200_000)
def _name_scores(display_name: str | None) -> tuple[dict[str, float], list[str]]:
    scores: dict[str, float] = {}
    ev: list[str] = []
    if not display_name:
        return scores, ev
    text = _norm(display_name)
    toks = frozenset(_WORDS.findall(text))
    for kind, lex in _NAME_LEX.items():
        hits = lex.all(text, toks)
        if kind == "media" and not hits and _FREQUENCY.search(text):
            hits = [_FREQUENCY.search(text).group(0)]
        if hits:
            scores[kind] = scores.get(kind, 0.0) + 3.0
            ev.append(f"{kind} word '{hits[0]}' in name")
    # person: a given name opening the name, a title or nickname, 'J. Pérez', two surnames
    toks = words(display_name)
    if toks and not scores:
        folded = [fold(t.rstrip(".")) for t in toks]
        if folded[0] in _TITLES and len(toks) > 1:
            # "Ing. Carlos Pérez", "Lic. Milagros", "Dra. Rosa María Palacios": a title is personal
            scores["person"] = 1.0
            ev.append(f"title '{toks[0]}'")
            toks, folded = toks[1:], folded[1:]
        first = toks[0]
        info = name_info(first) if len(first.rstrip(".")) > 1 else None
        if folded[0] in NICK_F or folded[0] in NICK_M or (
                folded[0] in ("el", "la") and len(folded) > 1 and (folded[1] in NICK_F or folded[1] in NICK_M)):
            scores["person"] = scores.get("person", 0.0) + 2.5
            ev.append(f"title or nickname '{' '.join(toks[:2])}'")
        elif info is not None and info.is_given and info.gender != "unisex" and not info.place:
            scores["person"] = scores.get("person", 0.0) + 3.0
            ev.append(f"given name '{first}' opens the name")
        elif info is not None and info.is_given:
            scores["person"] = scores.get("person", 0.0) + 2.0
            ev.append(f"name '{first}' opens the name")
        elif len(toks) >= 2 and len(toks[0].rstrip(".")) == 1 and folded[1] in SURNAMES:
            scores["person"] = 2.5
            ev.append(f"initial and surname '{toks[0]} {toks[1]}'")
        elif len(toks) >= 2 and folded[0] in SURNAMES and (folded[1] in SURNAMES or name_info(toks[1]).is_given):
            scores["person"] = 2.5
            ev.append(f"surnames '{toks[0]} {toks[1]}'")
        elif (len(toks) >= 2 or "person" in scores) and folded[0] in SURNAMES:
            scores["person"] = scores.get("person", 0.0) + 1.5
            ev.append(f"surname '{toks[0]}' opens the name")
        if "person" in scores and len(toks) >= 2 and folded[-1] in ("peru", "pe"):
            # "Mar Limpio Perú", "Inti Raymi Perú": a name ending in the country is a brand or page
            scores["person"] -= 2.0
            ev.append("name ends with 'Perú' (organisation style)")
    return scores, ev


def _alternation(items: tuple[str, ...]) -> str:
    return "|".join(map(re.escape, sorted(items, key=len, reverse=True)))


# a stem counts at the start of the handle, after a separator or camel-case boundary, or at its
# end (before digits and a trailing "pe"): "radio_puno_1036", "RadioPuno", "perucurioso",
# "rppnoticias" -- but not inside a person's name ("claudiarios", "jazminsalazar")
_STEM_RE = {k: re.compile(r"(?:^|_)(" + _alternation(v) + r")|(" + _alternation(v) + r")_?\d*(?:_?pe)?_?\d*$")
            for k, v in _HANDLE_STEMS.items()}
_PREFIX_RE = {k: re.compile(r"^(" + _alternation(v) + r")[a-z0-9_]{2}") for k, v in _HANDLE_PREFIX.items()}
_SUFFIX_RE = {k: re.compile(r".{5}(" + _alternation(v) + r")$") for k, v in _HANDLE_SUFFIX.items()}
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")
_SEPARATORS = re.compile(r"[^a-z0-9]+")
_TRAILING = re.compile(r"[_\d]+$")


@lru_cache(maxsize=200_000)
def _handle_scores(handle: str | None) -> tuple[dict[str, float], list[str]]:
    scores: dict[str, float] = {}
    ev: list[str] = []
    if not handle:
        return scores, ev
    marked = _SEPARATORS.sub("_", fold(_CAMEL_BOUNDARY.sub("_", handle))).strip("_")
    joined = marked.replace("_", "")
    core = _TRAILING.sub("", marked).replace("_", "")
    core = core[:-2] if core.endswith("pe") and len(core) > 6 else core
    for kind in TYPES[1:]:
        hit = None
        if kind in _STEM_RE:
            m = _STEM_RE[kind].search(marked) or _STEM_RE[kind].search(joined)
            hit = (m.group(1) or m.group(2)) if m else None
        if hit is None and kind in _PREFIX_RE:
            m = _PREFIX_RE[kind].match(joined)
            hit = m.group(1) if m else None
        if hit is None and kind in _SUFFIX_RE:
            m = _SUFFIX_RE[kind].search(core)
            hit = m.group(1) if m else None
        if hit is not None:
            scores[kind] = scores.get(kind, 0.0) + 2.0
            ev.append(f"{kind} stem '{hit}' in handle")
    return scores, ev


@lru_cache(maxsize=200_000)
def _handle_person(handle: str | None) -> tuple[float, str]:
    """Person evidence in a handle: a given name, else surnames."""
    if not handle:
        return 0.0, ""
    toks = handle_tokens(handle)
    for tok in toks[:3]:
        info = name_info(tok)
        if info.is_given and not info.surname and not info.place and len(tok) >= 3:
            return 1.5, f"given name '{tok}' in handle"
    from .gender import from_handle
    g = from_handle(handle)
    if g[0] != "unknown" or g[2].startswith("ambiguous"):
        return 1.5, g[2]
    sur = [t for t in toks if t in SURNAMES]
    if not sur:
        # initials around a surname ('asanchezt', 'jperez') or two surnames run together
        for tok in toks:
            if name_info(tok).place:
                continue
            n = len(tok)
            cands = [tok[i:j] for i in range(0, 3) for j in range(n, n - 3, -1) if j - i >= 4]
            cands += [tok[:k] for k in range(4, n - 3)] + [tok[k:] for k in range(4, n - 3)]
            hit = next((c for c in cands if c in SURNAMES), None)
            if hit is not None:
                sur.append(hit)
                break
    if sur:
        return 1.5, f"surname '{sur[0]}' in handle"
    return 0.0, ""


@lru_cache(maxsize=200_000)
def _bio_scores(bio: str | None) -> tuple[dict[str, float], list[str]]:
    scores: dict[str, float] = {}
    ev: list[str] = []
    if not bio:
        return scores, ev
    text = _norm(bio)
    toks = frozenset(_WORDS.findall(text))
    for kind, lex in _BIO_LEX.items():
        found = lex.all(text, toks)
        if found:
            scores[kind] = 1.5 * min(len(found), 2)
            ev.append(f"{kind} phrase '{found[0]}' in bio")
    personal = set(_PERSONAL_LEX.all(text, toks))
    if _STATED_AGE.search(text):
        personal.add("age")
    if personal:
        scores["person"] = min(2.5, 1.25 * len(personal))
        ev.append("personal words in bio: " + ", ".join(sorted(personal)[:3]))
    return scores, ev


def account_type(display_name: str | None, handle: str | None = None,
                 bio: str | None = None) -> tuple[str, float, str]:
    """``(type, confidence, evidence)``; type in person | media | government | ngo | business |
    other | unknown."""
    display_name, handle, bio = display_name or None, handle or None, bio or None
    name_scores = _name_scores(display_name)[0]
    if name_scores and max(name_scores.values()) >= 3.0:
        # the display name is decisive (a given name, or an organisation word): the handle
        # adds nothing, and results are shared by every account with the same name and bio
        return _decide(display_name, None, bio)
    return _decide(display_name, handle, bio)


@lru_cache(maxsize=200_000)
def _decide(display_name: str | None, handle: str | None, bio: str | None) -> tuple[str, float, str]:
    total: dict[str, float] = {}
    evidence: list[str] = []
    for scores, ev in (_name_scores(display_name), _handle_scores(handle), _bio_scores(bio)):
        for k, v in scores.items():
            total[k] = total.get(k, 0.0) + v
        evidence.extend(ev)
    person = total.get("person", 0.0)
    org_score = max((v for k, v in total.items() if k != "person"), default=0.0)
    if handle is not None and org_score < 2.0 and person < 3.0:
        hp, hev = _handle_person(handle)
        if hp:
            person += hp
            total["person"] = person
            evidence.append(hev)
    if not total:
        return UNKNOWN, 0.0, "no signal in name, handle or bio"
    best = max(total, key=total.__getitem__)
    best_score = total[best]
    runner = max((v for k, v in total.items() if k != best), default=0.0)
    floor = 1.5 if best == "person" else 2.0
    if best_score < floor or best_score == runner:
        return UNKNOWN, 0.0, "weak or tied signals: " + "; ".join(evidence)
    conf = min(0.97, 0.5 + 0.08 * best_score + 0.05 * (best_score - runner))
    if best != "person" and person > 0:
        conf = min(conf, 0.85)
    return best, round(conf, 3), "; ".join(evidence)
