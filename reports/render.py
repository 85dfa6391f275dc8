"""Render Evidence-style report pages: jinja2 templates + named SQL queries + static SVG charts.

A page is prose plus named queries (``reports/queries/<name>.sql``), run read-only against
the DuckDB warehouse, and a few component macros (``reports/templates/components.html``).
The output is a single self-contained HTML file: inline CSS, inline SVG, no scripts and no
external references, so it opens offline and in mail clients.
"""
from __future__ import annotations

import functools
import io
import itertools
import math
import re
import sys
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from html import unescape
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pandas as pd
from markupsafe import Markup, escape

from reports.sparkline import sparkline_svg

PACKAGE_DIR = Path(__file__).resolve().parent
QUERIES_DIR = PACKAGE_DIR / "queries"
TEMPLATES_DIR = PACKAGE_DIR / "templates"

# Peru has kept UTC-5 all year since 1994: a fixed offset avoids depending on tzdata.
LIMA = timezone(timedelta(hours=-5), "America/Lima")

# Numbers are grouped with a narrow no-break space (SI / RAE): "12 345". In Peru both
# "12.345" and "12,345" are read as thousands *or* decimals depending on the reader;
# the space is unambiguous. Decimals use a comma in Spanish: "12,3 %".
GROUP_SEP = {"es": "\u202f", "en": ","}
DECIMAL_SEP = {"es": ",", "en": "."}
PERCENT_SUFFIX = {"es": "\u00a0%", "en": "%"}
MONTHS = {
    "es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
MISSING = "—"

NETWORK_NAMES = {
    "x": "X",
    "twitter": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "reddit": "Reddit",
    "telegram": "Telegram",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
}

LABELS: dict[str, dict[str, str]] = {
    "es": {
        "title": "escucha — resumen de conversaciones",
        "index_title": "escucha — informes",
        "index_intro": "Informes generados en esta carpeta.",
        "index_empty": "Todavía no hay informes.",
        "intro": "Resumen de las publicaciones públicas recogidas en el almacén de datos.",
        "totals": "Totales",
        "posts": "Publicaciones",
        "authors": "Autores distintos",
        "engagement": "Interacciones",
        "engagement_hint": "me gusta + compartidos + comentarios",
        "networks": "Redes",
        "period": "Periodo",
        "period_range": "del {first} al {last}",
        "coverage": "Cobertura",
        "coverage_sentence": "Los datos van del {first} al {last} ({days} días) y vienen de {networks} redes.",
        "coverage_network": "{network} tiene datos en {days} de esos días ({share}), del {first} al {last}.",
        "coverage_none": "No hay publicaciones en el almacén para este periodo.",
        "network": "Red",
        "first_day": "Primer día",
        "last_day": "Último día",
        "days_with_data": "Días con datos",
        "share_of_period": "% del periodo",
        "topic_weekly": "Volumen por tema",
        "topic_weekly_intro": "Publicaciones por semana y tema, sumando todas las redes.",
        "topic_weekly_caption": "Semanas ISO, de lunes a domingo; la primera y la última pueden estar incompletas.",
        "top_topics": "Temas principales por mes",
        "top_topics_intro": "Los {k} temas con más publicaciones cada mes y su parte de las publicaciones de todos los temas de ese mes. El primer y el último mes pueden estar incompletos.",
        "month": "Mes",
        "topic": "Tema",
        "share_month": "% del mes",
        "network_totals": "Publicaciones por red",
        "top_posts": "Las {n} publicaciones con más interacciones",
        "top_posts_intro": "Texto recortado a {chars} caracteres.",
        "date": "Fecha",
        "handle": "Cuenta",
        "text": "Texto",
        "no_data": "Sin datos.",
        "generated": "Generado el {when} (hora de Lima) a partir del almacén {warehouse}.",
        "provenance": "Cada cifra proviene de una consulta con nombre",
        "chart_weekly": "Publicaciones por semana y tema",
        "chart_networks": "Publicaciones por red",
        "at": "a las",
        "other": "Otros",
        "coverage_full": "Todas las redes tienen datos todos los días del periodo.",
    },
    "en": {
        "title": "escucha — conversation overview",
        "index_title": "escucha — reports",
        "index_intro": "Reports generated in this folder.",
        "index_empty": "No reports yet.",
        "intro": "Overview of the public posts collected in the warehouse.",
        "totals": "Totals",
        "posts": "Posts",
        "authors": "Distinct authors",
        "engagement": "Engagement",
        "engagement_hint": "likes + shares + comments",
        "networks": "Networks",
        "period": "Period",
        "period_range": "{first} to {last}",
        "coverage": "Coverage",
        "coverage_sentence": "Data runs from {first} to {last} ({days} days) and comes from {networks} networks.",
        "coverage_network": "{network} has data on {days} of those days ({share}), from {first} to {last}.",
        "coverage_none": "The warehouse holds no posts for this period.",
        "network": "Network",
        "first_day": "First day",
        "last_day": "Last day",
        "days_with_data": "Days with data",
        "share_of_period": "% of period",
        "topic_weekly": "Volume per topic",
        "topic_weekly_intro": "Posts per week and topic, all networks together.",
        "topic_weekly_caption": "ISO weeks, Monday to Sunday; the first and last week may be partial.",
        "top_topics": "Top topics per month",
        "top_topics_intro": "The {k} topics with most posts each month and their share of that month's posts over all topics. The first and last month may be partial.",
        "month": "Month",
        "topic": "Topic",
        "share_month": "% of month",
        "network_totals": "Posts per network",
        "top_posts": "The {n} most engaged posts",
        "top_posts_intro": "Text cut to {chars} characters.",
        "date": "Date",
        "handle": "Account",
        "text": "Text",
        "no_data": "No data.",
        "generated": "Generated on {when} (Lima time) from the warehouse {warehouse}.",
        "provenance": "Every figure comes from a named query",
        "chart_weekly": "Posts per week and topic",
        "chart_networks": "Posts per network",
        "at": "at",
        "other": "Other",
        "coverage_full": "Every network has data on every day of the period.",
    },
}

# The conversation-evolution page's labels (merged into LABELS below).
EVOLUTION_LABELS: dict[str, dict[str, str]] = {
    "es": {
        "evolution_title": "Evolución de la conversación",
        "all_programmes": "Todos los programas",
        "scope_topics": "Temas: {topics}.",
        "period_dates": "Del {first} al {last} ({days} días).",
        "previous_period": "Los cambios se comparan con el periodo anterior, del {first} al {last}.",
        "previous_uncovered": "El periodo anterior ({first} al {last}) no está cubierto por completo por los datos: no se muestran cambios.",
        "summary": "Resumen",
        "posts_distinct": "Publicaciones",
        "posts_distinct_hint": "distintas, sobre algún tema del informe",
        "net_sentiment": "Sentimiento neto",
        "net_sentiment_hint": "(positivas − negativas) / publicaciones, de −1 a 1",
        "alerts": "Alertas",
        "vs_previous": "antes: {previous}",
        "change": "Cambio",
        "coverage_period": "Hay datos de {networks} redes en este periodo, del {first} al {last}.",
        "coverage_incomplete": "Periodo incompleto: los datos cubren del {first} al {last}, no todo el periodo pedido ({start} al {end}).",
        "coverage_gaps": "Hubo días sin ninguna recolección (vacíos de recolección, no silencio): {days} días-red en total.",
        "coverage_no_gaps": "Todas las redes recolectaron todos los días que cubren.",
        "days_collected": "Días recolectados",
        "gap_days": "Días sin recolección",
        "gaps": "Vacíos de recolección",
        "gap_start": "Desde",
        "gap_end": "Hasta",
        "days": "Días",
        "topic_versions": "Versiones de los temas",
        "topic_versions_intro": "Las cifras de cada tema salen de estas versiones de su definición (consulta y, si lo tiene, modelo).",
        "topic_versions_mixed": "Algún tema combina varias versiones en este periodo, o usa una que ya no es la vigente: sus cifras antes y después del cambio no se miden igual.",
        "version": "Versión",
        "model_version": "Modelo",
        "decided_by": "Decide",
        "changed_by": "Cambiada por",
        "note": "Nota",
        "volume": "Volumen y cuota de voz",
        "volume_intro": "Publicaciones relevantes por tema (una publicación sobre dos temas cuenta en ambos). La cuota de voz es la parte de cada tema en las publicaciones de todos los temas del informe.",
        "share_of_voice": "Cuota de voz",
        "weekly": "Por semana",
        "chart_volume": "Publicaciones por semana y tema",
        "chart_share": "Cuota de voz por semana",
        "weekly_caption": "Semanas ISO (de lunes a domingo); solo cuentan los días del periodo, así que la primera y la última semana pueden estar incompletas.",
        "events_marked": "Eventos marcados",
        "event_dates": "del {first} al {last}",
        "sentiment": "Sentimiento",
        "sentiment_intro": "Sentimiento de las publicaciones relevantes de cada tema: parte positiva, neutra y negativa, y sentimiento neto.",
        "positive": "Positivas",
        "neutral": "Neutras",
        "negative": "Negativas",
        "chart_sentiment": "Sentimiento de las publicaciones por semana",
        "chart_net_sentiment": "Sentimiento neto por semana y tema",
        "events": "Eventos declarados",
        "events_intro": "Eventos de config/events.yaml que tocan el periodo y su efecto en el volumen de los temas que nombran: publicaciones frente a las esperadas sin el evento (contrafactual), con su intervalo del 95 %.",
        "events_none": "Ningún evento declarado toca este periodo.",
        "event": "Evento",
        "per_day_before": "Por día antes",
        "per_day_during": "Durante",
        "per_day_after": "Después",
        "net_before": "Sentimiento neto antes",
        "relative_effect": "Efecto relativo (IC 95 %)",
        "significant": "Significativo",
        "event_callout": "{effect} de publicaciones respecto a lo esperado sin el evento (IC 95 %: {low} a {high}) en «{topic}», del {first} al {last}.",
        "event_demo": "{name} es un evento inventado para los datos de demostración: no ocurrió.",
        "methods": "Cómo se estimó",
        "alerts_title": "Alertas del periodo",
        "alerts_intro": "{total} alertas empezaron en el periodo; se listan las {shown} más graves, con la publicación con más interacciones detrás de cada una.",
        "alerts_none": "Ninguna alerta empezó en este periodo.",
        "onset": "Inicio",
        "severity": "Gravedad",
        "leaders": "Quién lideró el debate",
        "leaders_intro": "Por tema y trimestre, las cuentas que más meses estuvieron entre las {top} primeras del ranking mensual de influencia, con la evidencia del ranking en su mejor mes.",
        "quarter": "Trimestre",
        "rank": "N.º",
        "months_leading": "Meses en el top {top}",
        "best_rank": "Mejor puesto",
        "evidence": "Evidencia (mejor mes)",
        "communities": "Comunidades y puentes",
        "communities_intro": "Comunidades de cuentas que interactúan entre sí en cada tema, por trimestre completo (el que contiene el periodo). La exposición cruzada compara la interacción entre comunidades con la esperada si las comunidades no importaran: 1 = sin cámaras de eco, cerca de 0 = cerradas.",
        "exposure": "Exposición entre comunidades",
        "accounts": "Cuentas",
        "communities_n": "Comunidades",
        "cross_share": "Interacción cruzada",
        "expected_cross_share": "Esperada",
        "exposure_ratio": "Razón",
        "largest_communities": "Comunidades más grandes",
        "share_across": "Hacia fuera",
        "top_handles": "Cuentas centrales",
        "top_hashtags": "Etiquetas",
        "bridges": "Cuentas puente",
        "participation": "Participación",
        "communities_reached": "Comunidades alcanzadas",
        "interactions": "Interacciones",
        "demographics": "Quién participa",
        "demographics_intro": "Autores de cada tema en {month}, el último mes del periodo con cifras, por tipo de cuenta, género y edad (de las personas) y región. Son inferencias agregadas; ninguna se muestra por cuenta.",
        "demographics_suppressed": "«—» es una celda retenida: menos de 10 autores (o una que permitiría deducir otra retenida). No se muestra ni se calcula nada a partir de ella.",
        "demographics_topic": "{topic}: {authors} autores",
        "demographics_none": "No hay cifras de participantes publicables para este periodo.",
        "dimension": "Dimensión",
        "value": "Valor",
        "share_of_group": "% de la dimensión",
        "suppressed_note": "menos de 10 autores",
        "yes": "sí",
        "no": "no",
        "of": "de",
        "dates": "Fechas",
        "placebos": "Placebos: {significant} de {tested} temas de control muestran un efecto significativo (deberían ser 0).",
        "peak": "Pico",
        "index_group_overview": "Resumen",
        "index_group_evolution": "Evolución de la conversación",
        "index_group_digest": "Boletines (vista previa)",
        "index_group_other": "Otros informes",
    },
    "en": {
        "evolution_title": "Conversation evolution",
        "all_programmes": "All programmes",
        "scope_topics": "Topics: {topics}.",
        "period_dates": "From {first} to {last} ({days} days).",
        "previous_period": "Changes compare with the previous period, {first} to {last}.",
        "previous_uncovered": "The data do not fully cover the previous period ({first} to {last}): no changes are shown.",
        "summary": "Summary",
        "posts_distinct": "Posts",
        "posts_distinct_hint": "distinct, on any topic of the report",
        "net_sentiment": "Net sentiment",
        "net_sentiment_hint": "(positive − negative) / posts, from −1 to 1",
        "alerts": "Alerts",
        "vs_previous": "before: {previous}",
        "change": "Change",
        "coverage_period": "{networks} networks have data in this period, from {first} to {last}.",
        "coverage_incomplete": "Incomplete period: the data cover {first} to {last}, not the whole period asked for ({start} to {end}).",
        "coverage_gaps": "Some days had no collection at all (collection gaps, not silence): {days} network-days in all.",
        "coverage_no_gaps": "Every network collected on every day it covers.",
        "days_collected": "Days collected",
        "gap_days": "Days without collection",
        "gaps": "Collection gaps",
        "gap_start": "From",
        "gap_end": "To",
        "days": "Days",
        "topic_versions": "Topic versions",
        "topic_versions_intro": "Each topic's figures come from these versions of its definition (query and, where it has one, model).",
        "topic_versions_mixed": "Some topic mixes versions in this period, or uses one that is no longer current: its figures before and after the change are not measured alike.",
        "version": "Version",
        "model_version": "Model",
        "decided_by": "Decided by",
        "changed_by": "Changed by",
        "note": "Note",
        "volume": "Volume and share of voice",
        "volume_intro": "Relevant posts per topic (a post on two topics counts in both). Share of voice is each topic's part of the posts of all the report's topics.",
        "share_of_voice": "Share of voice",
        "weekly": "Weekly",
        "chart_volume": "Posts per week and topic",
        "chart_share": "Share of voice per week",
        "weekly_caption": "ISO weeks (Monday to Sunday); only the period's days count, so the first and last week may be partial.",
        "events_marked": "Events marked",
        "event_dates": "{first} to {last}",
        "sentiment": "Sentiment",
        "sentiment_intro": "Sentiment of each topic's relevant posts: positive, neutral and negative shares, and net sentiment.",
        "positive": "Positive",
        "neutral": "Neutral",
        "negative": "Negative",
        "chart_sentiment": "Sentiment of the posts per week",
        "chart_net_sentiment": "Net sentiment per week and topic",
        "events": "Declared events",
        "events_intro": "Events of config/events.yaml that touch the period and their effect on the volume of the topics they name: posts against those expected without the event (counterfactual), with its 95% interval.",
        "events_none": "No declared event touches this period.",
        "event": "Event",
        "per_day_before": "Per day before",
        "per_day_during": "During",
        "per_day_after": "After",
        "net_before": "Net sentiment before",
        "relative_effect": "Relative effect (95% CI)",
        "significant": "Significant",
        "event_callout": "{effect} posts against those expected without the event (95% CI: {low} to {high}) on “{topic}”, {first} to {last}.",
        "event_demo": "{name} is an event invented for the demo data: it did not happen.",
        "methods": "How it was estimated",
        "alerts_title": "Alerts of the period",
        "alerts_intro": "{total} alerts started in the period; the {shown} most severe are listed, with the most engaged post behind each.",
        "alerts_none": "No alert started in this period.",
        "onset": "Onset",
        "severity": "Severity",
        "leaders": "Who led the debate",
        "leaders_intro": "Per topic and quarter, the accounts most often among the first {top} of the monthly influence ranking, with the ranking's evidence from their best month.",
        "quarter": "Quarter",
        "rank": "#",
        "months_leading": "Months in the top {top}",
        "best_rank": "Best rank",
        "evidence": "Evidence (best month)",
        "communities": "Communities and bridges",
        "communities_intro": "Communities of accounts that interact with each other on each topic, per whole quarter (the one holding the period). Cross exposure compares interaction between communities with what it would be if communities did not matter: 1 = no echo chambers, near 0 = closed ones.",
        "exposure": "Exposure across communities",
        "accounts": "Accounts",
        "communities_n": "Communities",
        "cross_share": "Cross interaction",
        "expected_cross_share": "Expected",
        "exposure_ratio": "Ratio",
        "largest_communities": "Largest communities",
        "share_across": "Outward",
        "top_handles": "Central accounts",
        "top_hashtags": "Hashtags",
        "bridges": "Bridging accounts",
        "participation": "Participation",
        "communities_reached": "Communities reached",
        "interactions": "Interactions",
        "demographics": "Who takes part",
        "demographics_intro": "Authors of each topic in {month}, the period's last month with figures, by account type, gender and age (of persons) and region. These are aggregate inferences; none is shown per account.",
        "demographics_suppressed": "“—” is a withheld cell: fewer than 10 authors (or one that would reveal another withheld cell). Nothing is shown or computed from it.",
        "demographics_topic": "{topic}: {authors} authors",
        "demographics_none": "No publishable participant figures for this period.",
        "dimension": "Dimension",
        "value": "Value",
        "share_of_group": "% of dimension",
        "suppressed_note": "fewer than 10 authors",
        "yes": "yes",
        "no": "no",
        "of": "of",
        "dates": "Dates",
        "placebos": "Placebos: {significant} of {tested} control topics show a significant effect (there should be 0).",
        "peak": "Peak",
        "index_group_overview": "Overview",
        "index_group_evolution": "Conversation evolution",
        "index_group_digest": "Digests (preview)",
        "index_group_other": "Other reports",
    },
}
for _lang, _extra in EVOLUTION_LABELS.items():
    LABELS[_lang].update(_extra)

# Codes stored in the marts, as shown to readers (unknown codes pass through unchanged).
CODE_LABELS: dict[str, dict[str, str]] = {
    "es": {
        "positive": "positivo", "neutral": "neutro", "negative": "negativo",
        "account_type": "tipo de cuenta", "gender": "género", "age_band": "edad", "region": "región",
        "person": "persona", "media": "medio", "government": "gobierno", "ngo": "ONG",
        "business": "empresa", "other": "otro", "unknown": "desconocido",
        "female": "mujer", "male": "hombre", "abroad": "extranjero",
        "volume_spike": "pico de volumen", "viral_post": "publicación viral",
        "low": "baja", "medium": "media", "high": "alta", "critical": "crítica",
        "active": "activa", "closed": "cerrada",
        "crisis": "crisis", "campaign": "campaña", "national_event": "evento nacional",
        "real": "real", "demo": "ficticio (demo)",
        "rules": "reglas", "model": "modelo", "config": "configuración",
    },
    "en": {
        "positive": "positive", "neutral": "neutral", "negative": "negative",
        "account_type": "account type", "gender": "gender", "age_band": "age", "region": "region",
        "person": "person", "media": "media", "government": "government", "ngo": "NGO",
        "business": "business", "other": "other", "unknown": "unknown",
        "female": "female", "male": "male", "abroad": "abroad",
        "volume_spike": "volume spike", "viral_post": "viral post",
        "low": "low", "medium": "medium", "high": "high", "critical": "critical",
        "active": "active", "closed": "closed",
        "crisis": "crisis", "campaign": "campaign", "national_event": "national event",
        "real": "real", "demo": "invented (demo)",
        "rules": "rules", "model": "model", "config": "configuration",
    },
}
MONTH_NAMES = {
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
}
QUARTER_PREFIX = {"es": "T", "en": "Q"}

# The overview page: its named queries, in page order, and its parameters.
OVERVIEW_QUERIES = (
    "overview_totals",
    "overview_coverage",
    "topic_weekly",
    "top_topics_monthly",
    "network_totals",
    "top_posts",
)
TOP_TOPICS_PER_MONTH = 3
TOP_POSTS = 10
TEXT_CHARS = 180

# Okabe–Ito: distinguishable for the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

_QUERY_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SQL_COMMENT = re.compile(r"--[^\n]*")


# --------------------------------------------------------------------------- queries


@functools.cache
def load_query(name: str) -> str:
    """The SQL text of the named query ``reports/queries/<name>.sql``."""
    if not _QUERY_NAME.match(name):
        raise ValueError(f"invalid query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query named {name!r} ({path})")
    return path.read_text(encoding="utf-8")


def query_params(sql: str) -> list[str]:
    """The ``$name`` parameters a query uses (comments ignored), in first-use order."""
    return list(dict.fromkeys(_PARAM.findall(_SQL_COMMENT.sub("", sql))))


def run_queries(
    con: duckdb.DuckDBPyConnection, names: Iterable[str], params: Mapping[str, Any] | None = None
) -> dict[str, pd.DataFrame]:
    """Run each named query with its ``$name`` parameters bound from ``params``.

    Values are always bound by DuckDB, never pasted into the SQL. Each query gets only the
    parameters it uses (DuckDB rejects extra ones); a missing one raises ``KeyError``.
    """
    params = dict(params or {})
    results: dict[str, pd.DataFrame] = {}
    for name in names:
        sql = load_query(name)
        wanted = query_params(sql)
        missing = [p for p in wanted if p not in params]
        if missing:
            raise KeyError(f"query {name!r} needs parameters {missing}")
        results[name] = con.execute(sql, {p: params[p] for p in wanted}).df()
    return results


def connect_readonly(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse DuckDB file read-only (fails if it does not exist)."""
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        raise FileNotFoundError(f"warehouse not found: {warehouse}")
    return duckdb.connect(str(warehouse), read_only=True)


# --------------------------------------------------------------------------- formats


def is_missing(value: Any) -> bool:
    """True for None, NULL-likes from pandas (NA, NaT) and NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _check_lang(lang: str) -> str:
    if lang not in LABELS:
        raise ValueError(f"unsupported language {lang!r}; choose one of {sorted(LABELS)}")
    return lang


def fmt_num0(value: Any, lang: str = "es") -> str:
    """Whole number with thousands grouping: ``12 345`` (es) / ``12,345`` (en)."""
    if is_missing(value):
        return MISSING
    return f"{round(float(value)):,}".replace(",", GROUP_SEP[_check_lang(lang)])


def fmt_pct1(value: Any, lang: str = "es") -> str:
    """A fraction as a percentage with one decimal: ``0.1234`` -> ``12,3 %`` (es) / ``12.3%`` (en)."""
    if is_missing(value):
        return MISSING
    text = f"{float(value) * 100:,.1f}"
    whole, dec = text.split(".")
    whole = whole.replace(",", GROUP_SEP[_check_lang(lang)])
    return f"{whole}{DECIMAL_SEP[lang]}{dec}{PERCENT_SUFFIX[lang]}"


def _as_date(value: Any) -> date | None:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise TypeError(f"not a date: {value!r}")


def fmt_date(value: Any, lang: str = "es") -> str:
    """A calendar day: ``15 ene 2022`` (es) / ``15 Jan 2022`` (en)."""
    day = _as_date(value)
    if day is None:
        return MISSING
    return f"{day.day} {MONTHS[_check_lang(lang)][day.month - 1]} {day.year}"


def fmt_month(value: Any, lang: str = "es") -> str:
    """A month: ``ene 2022`` (es) / ``Jan 2022`` (en)."""
    day = _as_date(value)
    if day is None:
        return MISSING
    return f"{MONTHS[_check_lang(lang)][day.month - 1]} {day.year}"


def fmt_datetime(value: datetime, lang: str = "es") -> str:
    """A moment in Lima time: ``15 ene 2022 a las 14:03`` (es)."""
    local = value.astimezone(LIMA) if value.tzinfo else value
    return f"{fmt_date(local, lang)} {LABELS[lang]['at']} {local:%H:%M}"


def fmt_network(value: Any) -> str:
    """Display name of a network code (``x`` -> ``X``); unknown codes pass through."""
    if is_missing(value):
        return MISSING
    return NETWORK_NAMES.get(str(value).lower(), str(value))


def fmt_handle(value: Any) -> str:
    """An account handle with a leading ``@``."""
    if is_missing(value) or not str(value).strip():
        return MISSING
    return "@" + str(value).strip().lstrip("@")


def fmt_text(value: Any) -> str:
    """Plain text (NULL as a dash). Escaping is left to jinja's autoescape."""
    return MISSING if is_missing(value) else str(value)


def clip(value: Any, chars: int = TEXT_CHARS) -> str:
    """Collapse whitespace and cut to at most ``chars`` characters, on a word if possible."""
    if is_missing(value):
        return ""
    text = " ".join(str(value).split())
    if len(text) <= chars:
        return text
    cut = text[: chars - 1]
    space = cut.rfind(" ")
    if space > chars * 0.6:
        cut = cut[:space]
    return cut.rstrip(" .,;:") + "…"


def fmt_num2(value: Any, lang: str = "es") -> str:
    """A number with two decimals: ``-0.256`` -> ``-0,26`` (es) / ``-0.26`` (en)."""
    if is_missing(value):
        return MISSING
    whole, dec = f"{float(value):,.2f}".split(".")
    return f"{whole.replace(',', GROUP_SEP[_check_lang(lang)])}{DECIMAL_SEP[lang]}{dec}"


def fmt_ratio(value: Any, lang: str = "es") -> str:
    """A multiple with one decimal: ``20.88`` -> ``20,9×``."""
    if is_missing(value):
        return MISSING
    whole, dec = f"{float(value):,.1f}".split(".")
    return f"{whole.replace(',', GROUP_SEP[_check_lang(lang)])}{DECIMAL_SEP[lang]}{dec}\u00d7"


def fmt_quarter(value: Any, lang: str = "es") -> str:
    """A calendar quarter from any of its days: ``T1 2022`` (es) / ``Q1 2022`` (en)."""
    day = _as_date(value)
    if day is None:
        return MISSING
    return f"{QUARTER_PREFIX[_check_lang(lang)]}{(day.month - 1) // 3 + 1} {day.year}"


def fmt_yesno(value: Any, lang: str = "es") -> str:
    """A boolean as ``sí``/``no`` (es) or ``yes``/``no`` (en)."""
    if is_missing(value):
        return MISSING
    return LABELS[_check_lang(lang)]["yes" if bool(value) else "no"]


def fmt_code(value: Any, lang: str = "es") -> str:
    """A code stored in the marts (``viral_post``, ``female``) in words; unknown codes pass through."""
    if is_missing(value):
        return MISSING
    return CODE_LABELS[_check_lang(lang)].get(str(value), str(value))


FORMATS: dict[str, Callable[[Any, str], str]] = {
    "num0": fmt_num0,
    "pct1": fmt_pct1,
    "date": fmt_date,
    "month": fmt_month,
    "network": lambda v, lang="es": fmt_network(v),
    "handle": lambda v, lang="es": fmt_handle(v),
    "text": lambda v, lang="es": fmt_text(v),
    "num2": fmt_num2,
    "ratio": fmt_ratio,
    "quarter": fmt_quarter,
    "yesno": fmt_yesno,
    "code": fmt_code,
}


def format_value(value: Any, fmt: str = "text", lang: str = "es") -> str:
    """Format ``value`` with the named format (``num0``, ``num2``, ``pct1``, ``ratio``, ``date``, ``month``,
    ``quarter``, ``network``, ``handle``, ``code``, ``yesno``, ``text``)."""
    try:
        formatter = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {sorted(FORMATS)}") from None
    return formatter(value, lang)


def format_signed(value: Any, fmt: str = "pct1", lang: str = "es") -> str:
    """Like ``format_value`` with an explicit ``+`` on positive values (``+12,3 %``); 0 has no sign."""
    text = format_value(value, fmt, lang)
    if not is_missing(value) and float(value) > 0:
        return "+" + text
    return text


def change_between(value: Any, previous: Any, kind: str = "relative") -> float | None:
    """The change from ``previous`` to ``value``: ``relative`` (value / previous - 1; None when
    previous is 0) or ``absolute`` (value - previous). None when either is missing."""
    if kind not in ("relative", "absolute"):
        raise ValueError(f"unknown change kind {kind!r}; choose relative or absolute")
    if is_missing(value) or is_missing(previous):
        return None
    if kind == "absolute":
        return float(value) - float(previous)
    return None if float(previous) == 0 else float(value) / float(previous) - 1


def direction(change: Any) -> str:
    """``up``, ``down`` or ``flat`` for a change (``flat`` when missing)."""
    if is_missing(change) or float(change) == 0:
        return "flat"
    return "up" if float(change) > 0 else "down"


def records(df: pd.DataFrame | Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """A query result as a list of row dicts (NULLs as None), for templates; a list of rows passes through."""
    if isinstance(df, Sequence):
        return [dict(row) for row in df]
    if df is None or df.empty:
        return []
    return [{k: (None if is_missing(v) else v) for k, v in row.items()} for row in df.to_dict("records")]


def first_row(df: pd.DataFrame | None) -> dict[str, Any]:
    """The first row of a query result as a dict ({} when empty)."""
    rows = records(df)
    return rows[0] if rows else {}


# --------------------------------------------------------------------------- charts


@functools.cache
def _chart_rc() -> dict[str, Any]:
    """Matplotlib settings for every chart (built once)."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        # Headless backend before any pyplot import; if pyplot is already loaded (e.g. a
        # notebook) its backend is left alone: charts are drawn on Figure objects anyway.
        matplotlib.use("Agg")
    return {
        "svg.fonttype": "none",  # text stays text: searchable, small, no embedded glyphs
        "svg.hashsalt": "escucha",  # deterministic clip-path ids
        "text.parse_math": False,  # a "$" in a topic label is just a dollar sign
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib; used only for layout
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#888888",
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "grid.color": "#e3e3e3",
        "grid.linewidth": 0.6,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "xtick.color": "#444444",
        "ytick.color": "#444444",
        "legend.frameon": False,
    }


_SVG_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.DOTALL)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SVG_STYLE = re.compile(r"<style[^>]*>.*?</style>\s*", re.DOTALL)
_SVG_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_HREF = re.compile(r'href="#([^"]+)"')
_SVG_URL = re.compile(r"url\(#([^)]+)\)")


def clean_svg(svg: str, chart_id: str, title: str = "") -> Markup:
    """Make matplotlib's SVG safe to inline several times in one HTML page.

    Drops the XML prolog/doctype, the RDF metadata and namespace URLs (HTML parsers
    put inline ``<svg>`` in the SVG namespace themselves), the global ``*{}`` style,
    and prefixes every id and reference with ``chart_id`` so charts cannot clash.
    Text inside comes escaped from matplotlib's SVG writer.
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", chart_id):
        raise ValueError(f"invalid chart id {chart_id!r}")
    svg = _SVG_PROLOG.sub("", svg, count=1)
    svg = _SVG_METADATA.sub("", svg)
    svg = _SVG_STYLE.sub("", svg)
    svg = _SVG_XMLNS.sub("", svg)
    svg = _SVG_ID.sub(lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = _SVG_HREF.sub(lambda m: f'href="#{chart_id}-{m.group(1)}"', svg)
    svg = _SVG_URL.sub(lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = svg.replace(
        "<svg ", f'<svg class="chart" role="img" aria-label="{escape(title)}" ', 1
    )
    return Markup(svg.strip())


def _figure_to_svg(fig: Any, chart_id: str, title: str) -> Markup:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return clean_svg(buf.getvalue(), chart_id, title)


def _date_ticks(days: Sequence[date], lang: str, max_ticks: int = 8) -> tuple[list[date], list[str]]:
    """At most ``max_ticks`` of ``days`` as ticks, labelled "3 ene", with the year on the first and on year changes."""
    step = max(1, math.ceil(len(days) / max_ticks))
    ticks = list(days[::step])
    labels, last_year = [], None
    for d in ticks:
        label = f"{d.day} {MONTHS[lang][d.month - 1]}"
        if d.year != last_year:
            label += f"\n{d.year}"
            last_year = d.year
        labels.append(label)
    return ticks, labels


def _series_groups(
    frame: pd.DataFrame, x: str, y: str, series: str | None, max_series: int, other_label: str
) -> list[tuple[str | None, pd.DataFrame]]:
    """Split ``frame`` into lines, largest total first; beyond ``max_series`` the rest are summed as one line."""
    if series is None:
        return [(None, frame)]
    totals = frame.groupby(series, sort=False)[y].sum()
    order = sorted(totals.index, key=lambda k: (-totals[k], str(k)))
    if len(order) > max_series:
        keep, rest = order[: max_series - 1], order[max_series - 1:]
    else:
        keep, rest = order, []
    groups = [(str(k), frame[frame[series] == k]) for k in keep]
    if rest:
        other = frame[frame[series].isin(rest)].groupby(x, as_index=False)[y].sum()
        groups.append((other_label, other))
    return groups


def _event_list(events: Iterable[Mapping[str, Any]] | None) -> list[tuple[date, date, str]]:
    """Event markers as (start, end, label), end defaulting to start."""
    found = []
    for ev in events or ():
        start = _as_date(ev["start"])
        end = _as_date(ev.get("end")) or start
        if start is not None:
            found.append((start, end, str(ev.get("label", ""))))
    return found


def _draw_events(ax: Any, events: Iterable[Mapping[str, Any]] | None, first: date, last: date) -> None:
    """Mark events on a date axis: a dashed line on the first day, a light band to the last, a label on top.

    Only events touching [first, last + 6 days] are drawn (weekly points stand for their week)."""
    horizon = last + timedelta(days=6)
    for start, end, label in _event_list(events):
        if end < first or start > horizon:
            continue
        start, end = max(start, first), min(end, horizon)
        if end > start:
            ax.axvspan(start, end + timedelta(days=1), color="#8c959f", alpha=0.15, linewidth=0, zorder=0)
        ax.axvline(start, color="#57606a", linestyle="--", linewidth=0.9, zorder=1)
        ax.annotate(label, xy=(start, 1), xycoords=("data", "axes fraction"), xytext=(2, -2),
                    textcoords="offset points", ha="left", va="top", fontsize=7.5, fontweight="bold",
                    color="#1f2328")


def _y_axis(ax: Any, y_fmt: str, lang: str, y_min: float | None, y_max: float | None) -> None:
    """Tick labels in the chart's format; whole-number ticks for counts; fixed bounds when given."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=y_fmt == "num0"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_value(v, y_fmt, lang)))
    if y_min is not None:
        ax.set_ylim(bottom=y_min)
    if y_max is not None:
        ax.set_ylim(top=y_max)


def line_chart_svg(
    data: pd.DataFrame,
    x: str,
    y: str,
    series: str | None = None,
    *,
    chart_id: str,
    title: str = "",
    y_fmt: str = "num0",
    lang: str = "es",
    max_series: int = len(PALETTE),
    width: float = 7.5,
    height: float = 3.4,
    events: Iterable[Mapping[str, Any]] | None = None,
    y_min: float | None = 0,
    y_max: float | None = None,
    series_order: Sequence[Any] | None = None,
) -> Markup:
    """A line chart of ``y`` over dates in ``x``, one line per value of ``series``, as inline SVG.

    Lines are ordered by total, largest first; with more than ``max_series`` series the
    smallest ones are summed into one "other" line so no colour is reused. With
    ``series_order`` (for values that do not add up, such as rates) lines follow that order
    and only the first ``max_series`` are drawn. ``events``: markers ``{start, end, label}``
    drawn as vertical lines (see ``_draw_events``). ``y_min=None`` lets the axis go below 0
    (a zero line is drawn then).
    """
    import matplotlib
    from matplotlib.figure import Figure

    frame = data.copy()
    frame[x] = [_as_date(v) for v in frame[x]]
    if series is not None and series_order is not None:
        present = [k for k in series_order if (frame[series] == k).any()][:max_series]
        groups = [(str(k), frame[frame[series] == k]) for k in present]
    else:
        groups = _series_groups(frame, x, y, series, max_series, LABELS[lang]["other"])
    with matplotlib.rc_context(_chart_rc()):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        for label, part in groups:
            part = part.sort_values(x)
            ax.plot(part[x], part[y], marker="o", markersize=2.5, linewidth=1.6, label=label)
        days = sorted(set(frame[x]))
        ticks, tick_labels = _date_ticks(days, lang)
        ax.set_xticks(ticks, tick_labels)
        if y_min is None:
            ax.axhline(0, color="#888888", linewidth=0.8)
        _y_axis(ax, y_fmt, lang, y_min, y_max)
        if days:
            _draw_events(ax, events, days[0], days[-1])
        if series is not None:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=min(len(groups), 3),
                      fontsize=8, handlelength=1.5)
        return _figure_to_svg(fig, chart_id, title)


def area_chart_svg(
    data: pd.DataFrame,
    x: str,
    y: str,
    series: str,
    *,
    chart_id: str,
    title: str = "",
    y_fmt: str = "num0",
    series_fmt: str = "text",
    series_order: Sequence[Any] | None = None,
    colors: Mapping[Any, str] | None = None,
    lang: str = "es",
    max_series: int = len(PALETTE),
    width: float = 7.5,
    height: float = 3.4,
    events: Iterable[Mapping[str, Any]] | None = None,
) -> Markup:
    """A stacked area chart of ``y`` over dates in ``x``, one band per value of ``series``, as inline SVG.

    Bands follow ``series_order`` when given (bottom first), else the largest total at the
    bottom, with the smallest summed into "other" beyond ``max_series``. Missing points are 0.
    With ``y_fmt='pct1'`` (shares that add up to 1) the axis runs from 0 to 100 %.
    """
    import matplotlib
    from matplotlib.figure import Figure

    frame = data.copy()
    frame[x] = [_as_date(v) for v in frame[x]]
    frame[y] = [0.0 if is_missing(v) else float(v) for v in frame[y]]
    if series_order is None:
        groups = _series_groups(frame, x, y, series, max_series, LABELS[lang]["other"])
    else:
        groups = [(k, frame[frame[series] == k]) for k in series_order if (frame[series] == k).any()]
    days = sorted(set(frame[x]))
    bands = [part.groupby(x)[y].sum().reindex(days, fill_value=0.0).to_numpy() for _, part in groups]
    labels = [format_value(k, series_fmt, lang) for k, _ in groups]
    colours = [(colors or {}).get(k, PALETTE[i % len(PALETTE)]) for i, (k, _) in enumerate(groups)]
    with matplotlib.rc_context(_chart_rc()):
        fig = Figure(figsize=(width, height))
        ax = fig.add_subplot()
        ax.stackplot(days, bands, labels=labels, colors=colours, alpha=0.9, linewidth=0)
        ticks, tick_labels = _date_ticks(days, lang)
        ax.set_xticks(ticks, tick_labels)
        _y_axis(ax, y_fmt, lang, 0, 1 if y_fmt == "pct1" else None)
        if days:
            ax.set_xlim(days[0], days[-1])
            _draw_events(ax, events, days[0], days[-1])
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], names[::-1], loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncol=min(len(groups), 3), fontsize=8, handlelength=1.5)
        return _figure_to_svg(fig, chart_id, title)


def sparkline(values: Iterable[Any], title: str = "", width: int = 110, height: int = 24) -> Markup:
    """A sparkline (``reports/sparkline.py``) for inlining in a page: namespace URL dropped, as for charts."""
    clean = [None if is_missing(v) else float(v) for v in values]
    svg = str(sparkline_svg(clean, width=width, height=height, stroke=PALETTE[0], title=title))
    svg = _SVG_XMLNS.sub("", svg, count=1).replace("<svg ", '<svg class="sparkline" ', 1)
    return Markup(svg)


def bar_chart_svg(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    chart_id: str,
    title: str = "",
    x_fmt: str = "text",
    y_fmt: str = "num0",
    lang: str = "es",
    width: float = 7.5,
) -> Markup:
    """A horizontal bar chart of ``y`` per category ``x`` (largest on top), values labelled, as inline SVG."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    frame = data.sort_values(y, ascending=True)
    labels = [format_value(v, x_fmt, lang) for v in frame[x]]
    values = [0 if is_missing(v) else float(v) for v in frame[y]]
    with matplotlib.rc_context(_chart_rc() | {"axes.grid.axis": "x"}):
        fig = Figure(figsize=(width, 0.45 * len(values) + 0.8))
        ax = fig.add_subplot()
        bars = ax.barh(range(len(values)), values, color=PALETTE[0], height=0.6)
        ax.set_yticks(range(len(values)), labels)
        ax.bar_label(bars, labels=[format_value(v, y_fmt, lang) for v in values], padding=3, fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_value(v, y_fmt, lang)))
        ax.set_xlim(0, (max(values) if values else 1) * 1.15 or 1)
        return _figure_to_svg(fig, chart_id, title)


# --------------------------------------------------------------------------- templates


def make_environment(lang: str = "es") -> jinja2.Environment:
    """A jinja2 environment for one page render: autoescape on, formats and chart helpers bound to ``lang``."""
    _check_lang(lang)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    chart_ids = itertools.count(1)

    def next_chart_id(prefix: str = "chart") -> str:
        return f"{prefix}{next(chart_ids)}"

    for name in FORMATS:
        env.filters[name] = functools.partial(format_value, fmt=name, lang=lang)
    env.filters["fmt"] = lambda value, fmt="text": format_value(value, fmt, lang)
    env.filters["signed"] = lambda value, fmt="pct1": format_signed(value, fmt, lang)
    env.filters["clip"] = clip
    env.filters["records"] = records
    env.filters["series_by"] = series_by
    env.filters["as_date"] = _as_date
    env.globals.update(
        lang=lang,
        t=LABELS[lang],
        line_chart_svg=functools.partial(line_chart_svg, lang=lang),
        bar_chart_svg=functools.partial(bar_chart_svg, lang=lang),
        area_chart_svg=functools.partial(area_chart_svg, lang=lang),
        sparkline_svg=sparkline,
        change_between=change_between,
        direction=direction,
        callout_kind=callout_kind,
        next_chart_id=next_chart_id,
    )
    return env


CALLOUT_KINDS = ("info", "warning", "event")


def callout_kind(kind: str) -> str:
    """Check a callout's kind (``info``, ``warning``, ``event``)."""
    if kind not in CALLOUT_KINDS:
        raise ValueError(f"unknown callout kind {kind!r}; choose one of {CALLOUT_KINDS}")
    return kind


def series_by(df: pd.DataFrame | None, key: str, value: str) -> dict[Any, list[Any]]:
    """The values of column ``value`` per value of ``key``, in row order (for sparklines)."""
    found: dict[Any, list[Any]] = {}
    for row in records(df):
        found.setdefault(row[key], []).append(row[value])
    return found


def overview_params(start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """Parameters of the overview queries (``start``/``end``: optional inclusive Lima-day bounds)."""
    return {"start": start, "end": end, "top_k": TOP_TOPICS_PER_MONTH, "top_n": TOP_POSTS}


def render_overview(
    warehouse: Path,
    out_dir: Path,
    lang: str = "es",
    *,
    start: date | None = None,
    end: date | None = None,
    generated_at: datetime | None = None,
) -> Path:
    """Render the overview page from the warehouse (opened read-only) to ``out_dir/overview.html``."""
    env = make_environment(lang)
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    con = connect_readonly(warehouse)
    try:
        data = run_queries(con, OVERVIEW_QUERIES, overview_params(start, end))
    finally:
        con.close()
    html = env.get_template("overview.html").render(
        data=data,
        totals=first_row(data["overview_totals"]),
        query_names=OVERVIEW_QUERIES,
        warehouse_name=str(warehouse),
        generated_at=fmt_datetime(generated_at or datetime.now(LIMA), lang),
        top_k=TOP_TOPICS_PER_MONTH,
        top_n=TOP_POSTS,
        text_chars=TEXT_CHARS,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "overview.html"
    path.write_text(html, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- conversation evolution

# The evolution page: its named queries, in page order, and its list sizes.
EVOLUTION_QUERIES = (
    "evolution_scope",
    "evolution_totals",
    "evolution_coverage",
    "evolution_gaps",
    "evolution_topic_versions",
    "evolution_topics",
    "evolution_weekly",
    "evolution_sentiment_weekly",
    "evolution_events",
    "evolution_alerts",
    "evolution_leaders",
    "evolution_exposure",
    "evolution_communities",
    "evolution_bridges",
    "evolution_demographics",
)
TOP_ALERTS = 15
TOP_RANK = 10  # "leading" a month = among the first TOP_RANK of fct_author_influence
TOP_LEADERS = 3
TOP_COMMUNITIES = 3
TOP_BRIDGES = 3
SENTIMENT_COLORS = {"positive": "#009E73", "neutral": "#B8BEC4", "negative": "#D55E00"}

_PERIOD_SPEC = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])))?$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _add_months(first: date, months: int) -> date:
    """The first day of the month ``months`` after (or before) the month of ``first``."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_bounds(spec: str) -> tuple[date, date]:
    """First and last day of a period: a month ``2022-01``, a quarter ``2022-Q1`` or a year ``2022``."""
    match = _PERIOD_SPEC.match(spec.strip()) if isinstance(spec, str) else None
    if not match or int(match[1]) < 1:
        raise ValueError(f"not a period: {spec!r}; use a month (2022-01), a quarter (2022-Q1) or a year (2022)")
    year, month, quarter = int(match[1]), match[2], match[3]
    if month:
        start, months = date(year, int(month), 1), 1
    elif quarter:
        start, months = date(year, 3 * int(quarter) - 2, 1), 3
    else:
        start, months = date(year, 1, 1), 12
    return start, _add_months(start, months) - timedelta(days=1)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period just before [start, end]: as many whole months when it is whole months, else as many days."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return _add_months(start, -months), start - timedelta(days=1)
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def latest_periods(last_day: date) -> list[str]:
    """The periods to report given the data's last day: the latest complete month, the latest
    complete quarter, and the calendar year of the last day (complete or not)."""
    next_day = last_day + timedelta(days=1)
    month_start = _add_months(date(next_day.year, next_day.month, 1), -1)
    quarter_first = date(next_day.year, 3 * ((next_day.month - 1) // 3) + 1, 1)
    quarter_start = _add_months(quarter_first, -3)
    return [
        f"{month_start.year}-{month_start.month:02d}",
        f"{quarter_start.year}-Q{(quarter_start.month - 1) // 3 + 1}",
        f"{last_day.year}",
    ]


def period_title(label: str, lang: str = "es") -> str:
    """A period spec in words (``2022-01`` -> ``enero 2022``, ``2022-Q1`` -> ``T1 2022``); other labels as given."""
    match = _PERIOD_SPEC.match(label.strip())
    if not match:
        return label
    year, month, quarter = match[1], match[2], match[3]
    if month:
        return f"{MONTH_NAMES[_check_lang(lang)][int(month) - 1]} {year}"
    if quarter:
        return f"{QUARTER_PREFIX[_check_lang(lang)]}{quarter} {year}"
    return year


def evolution_filename(programme_id: str | None, period_label: str, lang: str = "es") -> str:
    """``evolution-<programme|all>-<period>.html`` (``-en`` before ``.html`` for English)."""
    for part in (programme_id or "all", period_label):
        if not _SLUG.match(part):
            raise ValueError(f"not usable in a file name: {part!r}")
    suffix = "" if _check_lang(lang) == "es" else f"-{lang}"
    return f"evolution-{programme_id or 'all'}-{period_label}{suffix}.html"


def evolution_params(programme_id: str | None, start: date, end: date) -> dict[str, Any]:
    """Parameters of the evolution queries: the scope, the period, the previous period and list sizes."""
    prev_start, prev_end = previous_period(start, end)
    return {
        "programme": programme_id,
        "start": start,
        "end": end,
        "prev_start": prev_start,
        "prev_end": prev_end,
        "top_alerts": TOP_ALERTS,
        "top_rank": TOP_RANK,
        "top_leaders": TOP_LEADERS,
        "top_communities": TOP_COMMUNITIES,
        "top_bridges": TOP_BRIDGES,
    }


def event_markers(events: pd.DataFrame | None) -> list[dict[str, Any]]:
    """One numbered marker per event (first row of each event_id, in row order) for charts and captions."""
    markers: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in records(events):
        if row["event_id"] in seen:
            continue
        seen.add(row["event_id"])
        markers.append({"label": str(len(markers) + 1), "event_id": row["event_id"], "name": row["event_name"],
                        "start": row["start_date"], "end": row["end_date"] or row["start_date"],
                        "origin": row["origin"]})
    return markers


def render_evolution(
    warehouse: Path,
    out_dir: Path,
    programme_id: str | None,
    start: date,
    end: date,
    period_label: str,
    lang: str = "es",
    *,
    generated_at: datetime | None = None,
) -> Path:
    """Render the conversation-evolution page of one programme (None: all) over [start, end] to
    ``out_dir/evolution-<programme|all>-<period_label>.html``, from the warehouse opened read-only."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    name = evolution_filename(programme_id, period_label, lang)
    env = make_environment(lang)
    warehouse, out_dir = Path(warehouse), Path(out_dir)
    params = evolution_params(programme_id, start, end)
    con = connect_readonly(warehouse)
    try:
        data = run_queries(con, EVOLUTION_QUERIES, params)
    finally:
        con.close()
    if programme_id is not None and data["evolution_scope"].empty:
        raise ValueError(f"unknown programme {programme_id!r}")
    html = env.get_template("evolution.html").render(
        data=data,
        totals=first_row(data["evolution_totals"]),
        programme_id=programme_id,
        start=start,
        end=end,
        prev_start=params["prev_start"],
        prev_end=params["prev_end"],
        period_title=period_title(period_label, lang),
        markers=event_markers(data["evolution_events"]),
        sentiment_colors=SENTIMENT_COLORS,
        top_rank=TOP_RANK,
        query_names=EVOLUTION_QUERIES,
        warehouse_name=str(warehouse),
        generated_at=fmt_datetime(generated_at or datetime.now(LIMA), lang),
        text_chars=TEXT_CHARS,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    path.write_text(html, encoding="utf-8")
    return path


def warehouse_last_day(warehouse: Path) -> date | None:
    """The last Lima day with any collection in the warehouse (query ``evolution_last_day``)."""
    con = connect_readonly(warehouse)
    try:
        row = first_row(run_queries(con, ["evolution_last_day"])["evolution_last_day"])
    finally:
        con.close()
    return _as_date(row.get("last_day"))


def programme_ids(warehouse: Path) -> list[str]:
    """Every programme of the warehouse (query ``evolution_scope`` over all programmes)."""
    con = connect_readonly(warehouse)
    try:
        scope = run_queries(con, ["evolution_scope"], {"programme": None})["evolution_scope"]
    finally:
        con.close()
    return [row["programme_id"] for row in records(scope)]


def render_evolution_set(warehouse: Path, out_dir: Path, lang: str = "es") -> list[Path]:
    """Render the evolution pages of every programme and of all programmes together for the
    latest complete month, the latest complete quarter and the year of the data's last day."""
    last_day = warehouse_last_day(warehouse)
    if last_day is None:
        return []
    paths = []
    for spec in latest_periods(last_day):
        start, end = period_bounds(spec)
        for programme in [None, *programme_ids(warehouse)]:
            paths.append(render_evolution(warehouse, out_dir, programme, start, end, spec, lang))
    return paths

_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)


def page_title(path: Path) -> str:
    """The text of a page's ``<title>`` (the file stem if it has none)."""
    match = _TITLE.search(path.read_text(encoding="utf-8", errors="replace"))
    return " ".join(unescape(match.group(1)).split()) if match else path.stem


INDEX_GROUPS = (
    ("overview", "overview"),
    ("evolution", "evolution-"),
    ("digest", "digest-"),
    ("other", ""),
)


def report_kind(name: str) -> str:
    """The index group of a report file, from its name (``overview``, ``evolution``, ``digest`` or ``other``)."""
    return next(kind for kind, prefix in INDEX_GROUPS if name.startswith(prefix))


def render_index(out_dir: Path, lang: str = "es") -> Path:
    """Write ``out_dir/index.html`` linking (relatively) every other ``*.html`` report in ``out_dir``,
    grouped: the overview, the evolution pages, digest previews (``digest-*.html``), then any other."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = [
        {"href": urllib.parse.quote(p.name), "title": page_title(p), "name": p.name, "kind": report_kind(p.name)}
        for p in sorted(out_dir.glob("*.html"))
        if p.name != "index.html" and p.is_file()
    ]
    groups = [
        {"kind": kind, "pages": [p for p in pages if p["kind"] == kind]}
        for kind, _prefix in INDEX_GROUPS
    ]
    html = make_environment(lang).get_template("index.html").render(
        pages=pages, groups=[g for g in groups if g["pages"]])
    path = out_dir / "index.html"
    path.write_text(html, encoding="utf-8")
    return path
