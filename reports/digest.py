"""The weekly digest of a programme: an email readable in two minutes.

For the Lima week (Monday..Sunday) that ended before ``as_of``: the programme's topics sorted by
the size of their movement (posts against the week before, net sentiment shift, share of voice,
a 12-week sparkline with its numbers in text), the posts and accounts behind the biggest
movements, the week's alerts, the coverage of the data and the topic versions used.

Every figure comes from a named query (``reports/queries/digest_*.sql``) run read-only. The HTML
part is email-safe: table layout, inline styles, at most 600 px wide, no scripts, no external
references, charts as inline SVG with the numbers beside them; the plain-text part says the same.
Sending reuses the SMTP settings and sender of the alerts (:mod:`escucha.alerts.notify`).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from markupsafe import Markup

from escucha.alerts.notify import (
    SEVERITY_COLOURS,
    SmtpSettings,
    clean_address,
    header_text,
    send_email,
)
from escucha.plain_text import DROP_BIDI
from escucha.topics.registry import Programme, config_path, load_config
from reports.email_templates import email_environment
from reports.render import (
    LIMA,
    MISSING,
    MONTHS,
    TEMPLATES_DIR,
    clip,
    connect_readonly,
    fmt_date,
    fmt_datetime,
    fmt_handle,
    fmt_network,
    fmt_num0,
    fmt_pct1,
    is_missing,
    records,
    run_queries,
)
from reports.sparkline import sparkline_svg

SPARK_WEEKS = 12
TOP_MOVERS = 3        # topics whose posts and accounts are shown
TOP_POSTS = 3         # per topic
TOP_ACCOUNTS = 3      # per topic
MAX_ALERTS = 10       # alerts listed; the rest are counted
TEXT_CHARS = 200      # post text clipped to this many characters
HANDLE_CHARS = 40
SPARK_WIDTH, SPARK_HEIGHT = 140, 32
MINUS = "\u2212"

QUERIES = ("digest_topics", "digest_topic_sparkline", "digest_top_posts", "digest_top_accounts",
           "digest_alerts", "digest_coverage")
GAPS_QUERY = "digest_collection_gaps"

LABELS: dict[str, dict[str, str]] = {
    "es": {
        "subject": "[escucha] Resumen semanal — {programme} — {week}",
        "heading": "Resumen semanal",
        "week_line": "Semana {week} (lunes a domingo, hora de Lima)",
        "headline_mover": "Mayor movimiento: {topic}, {posts} publicaciones ({change} frente a la semana anterior).",
        "headline_sentiment": "Mayor cambio de sentimiento neto: {topic}, {shift}.",
        "headline_alerts_0": "Sin alertas esta semana.",
        "headline_alerts_1": "1 alerta esta semana ({detail}).",
        "headline_alerts_n": "{n} alertas esta semana ({detail}).",
        "topics": "Temas",
        "topics_intro": "Ordenados por el tamaño del cambio en publicaciones frente a la semana anterior, "
                        "medido contra su volumen. Todas las redes juntas. Sentimiento neto: publicaciones "
                        "positivas menos negativas sobre el total, de −100 a +100.",
        "no_topics": "Este programa no tiene temas en el almacén.",
        "posts_word": "publicaciones",
        "previous_week": "semana anterior: {n}",
        "net_sentiment": "sentimiento neto {value} ({shift})",
        "share_of_voice": "{value} del programa",
        "spark_text": "Publicaciones por semana (12 semanas): {values}",
        "spark_title": "{topic}: publicaciones por semana",
        "behind": "Lo que hay detrás",
        "top_posts": "Publicaciones con más interacciones",
        "top_accounts": "Cuentas con más interacciones",
        "no_posts": "Sin publicaciones relevantes esta semana.",
        "interactions": "{n} interacciones",
        "account_posts_1": "1 publicación",
        "account_posts_n": "{n} publicaciones",
        "alerts": "Alertas de la semana",
        "no_alerts": "No hubo alertas esta semana.",
        "more_alerts": "y {n} alertas más.",
        "severity": "Severidad {name}",
        "alert_volume_spike": "Pico de volumen en {topic}: {peak} publicaciones en el periodo pico, "
                              "{ratio} veces lo habitual ({baseline}); desde el {onset}{ongoing}.",
        "alert_viral_post": "Publicación viral en {topic}: {who} con {peak} interacciones, "
                            "{ratio} veces lo que la cuenta suele recibir ({baseline}); publicada el {onset}.",
        "an_account": "una cuenta",
        "ongoing": " (empezó antes de esta semana)",
        "coverage": "Cobertura",
        "coverage_sentence": "Esta semana hay publicaciones de {n} redes ({networks}) en {days} de los 7 días.",
        "coverage_none": "El almacén no tiene publicaciones de esta semana.",
        "coverage_partial": "El almacén tiene datos hasta el {last}: esta semana está incompleta.",
        "gaps": "Huecos de recolección (días sin nada recogido, no días sin conversación): {items}.",
        "no_gaps": "Sin huecos de recolección.",
        "versions": "Versiones de los temas usadas: {items}.",
        "version_item": "{topic} v{versions}",
        "footer": "Generado por escucha el {when} (hora de Lima) a partir del almacén de datos. "
                  "Una publicación puede contar en varios temas. Horas en hora de Lima (UTC−5).",
        "new": "nuevo",
        "points": "{value} pts",
        "and": "y",
    },
    "en": {
        "subject": "[escucha] Weekly digest — {programme} — {week}",
        "heading": "Weekly digest",
        "week_line": "Week {week} (Monday to Sunday, Lima time)",
        "headline_mover": "Biggest movement: {topic}, {posts} posts ({change} on the week before).",
        "headline_sentiment": "Biggest net sentiment shift: {topic}, {shift}.",
        "headline_alerts_0": "No alerts this week.",
        "headline_alerts_1": "1 alert this week ({detail}).",
        "headline_alerts_n": "{n} alerts this week ({detail}).",
        "topics": "Topics",
        "topics_intro": "Sorted by the size of the change in posts on the week before, measured against "
                        "their volume. All networks together. Net sentiment: positive minus negative posts "
                        "over all posts, from −100 to +100.",
        "no_topics": "This programme has no topics in the warehouse.",
        "posts_word": "posts",
        "previous_week": "week before: {n}",
        "net_sentiment": "net sentiment {value} ({shift})",
        "share_of_voice": "{value} of the programme",
        "spark_text": "Posts per week (12 weeks): {values}",
        "spark_title": "{topic}: posts per week",
        "behind": "Behind the movements",
        "top_posts": "Most engaged posts",
        "top_accounts": "Most engaged accounts",
        "no_posts": "No relevant posts this week.",
        "interactions": "{n} interactions",
        "account_posts_1": "1 post",
        "account_posts_n": "{n} posts",
        "alerts": "This week's alerts",
        "no_alerts": "There were no alerts this week.",
        "more_alerts": "and {n} more alerts.",
        "severity": "Severity {name}",
        "alert_volume_spike": "Volume spike in {topic}: {peak} posts in the peak period, "
                              "{ratio} times the usual ({baseline}); since {onset}{ongoing}.",
        "alert_viral_post": "Viral post in {topic}: {who} with {peak} interactions, "
                            "{ratio} times what the account usually gets ({baseline}); posted {onset}.",
        "an_account": "an account",
        "ongoing": " (began before this week)",
        "coverage": "Coverage",
        "coverage_sentence": "This week has posts from {n} networks ({networks}) on {days} of the 7 days.",
        "coverage_none": "The warehouse holds no posts for this week.",
        "coverage_partial": "The warehouse has data up to {last}: this week is incomplete.",
        "gaps": "Collection gaps (days with nothing collected, not days without conversation): {items}.",
        "no_gaps": "No collection gaps.",
        "versions": "Topic versions used: {items}.",
        "version_item": "{topic} v{versions}",
        "footer": "Generated by escucha on {when} (Lima time) from the data warehouse. "
                  "A post may count in several topics. Times are Lima time (UTC−5).",
        "new": "new",
        "points": "{value} pts",
        "and": "and",
    },
}
SEVERITY_NAMES = {
    "es": {"low": "baja", "medium": "media", "high": "alta", "critical": "crítica"},
    "en": {"low": "low", "medium": "medium", "high": "high", "critical": "critical"},
}

_TRAILING_JOINERS = "\u200d\ufe0e\ufe0f\u200c"
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


class UnknownProgramme(ValueError):
    """The programme is not in the programmes file."""


@dataclass(frozen=True)
class Digest:
    """One programme's digest for one week, rendered; ``recipients`` from the programmes file."""

    programme: str
    programme_label: str
    week_start: date
    week_end: date
    subject: str
    html: str
    text: str
    recipients: tuple[str, ...]
    lang: str = "es"
    topics: int = 0
    alerts: int = 0


# --------------------------------------------------------------------------- weeks


def week_containing(day: date) -> tuple[date, date]:
    """The Monday..Sunday week holding ``day``."""
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def week_before(as_of: date) -> tuple[date, date]:
    """The last Monday..Sunday week that ended before ``as_of`` (on a Monday: the week just ended)."""
    return week_containing(as_of - timedelta(days=as_of.weekday() + 1))


def fmt_week(start: date, end: date, lang: str = "es") -> str:
    """``10–16 ene 2022``; ``31 ene – 6 feb 2022``; ``27 dic 2021 – 2 ene 2022``."""
    months = MONTHS[lang]
    if start.year != end.year:
        return f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"
    if start.month != end.month:
        return f"{start.day} {months[start.month - 1]} – {fmt_date(end, lang)}"
    return f"{start.day}–{fmt_date(end, lang)}"


# --------------------------------------------------------------------------- formats


def _signed(text: str, negative: bool) -> str:
    return f"{MINUS if negative else '+'}{text}"


def fmt_change(change: Any, posts: Any = None, lang: str = "es") -> str:
    """A relative change as a signed whole percentage: ``+439 %`` (es) / ``+439%`` (en); ``nuevo``
    when the week before had no posts and this one has some; a dash when unknown."""
    if is_missing(change):
        return LABELS[lang]["new"] if not is_missing(posts) and posts and posts > 0 else MISSING
    pct = round(float(change) * 100)
    suffix = "\u00a0%" if lang == "es" else "%"
    return _signed(f"{fmt_num0(abs(pct), lang)}{suffix}", pct < 0)


def fmt_net(value: Any, lang: str = "es") -> str:
    """Net sentiment (-1..1) on a -100..+100 scale: ``−68``, ``+12``, ``0``."""
    if is_missing(value):
        return MISSING
    n = round(float(value) * 100)
    return "0" if n == 0 else _signed(str(abs(n)), n < 0)


def fmt_points(value: Any, lang: str = "es") -> str:
    """A shift already in points: ``−2 pts``, ``+4 pts``, ``±0 pts``."""
    if is_missing(value):
        return MISSING
    n = round(float(value))
    return LABELS[lang]["points"].format(value="±0" if n == 0 else _signed(str(abs(n)), n < 0))


def safe_text(value: Any, chars: int = TEXT_CHARS) -> str:
    """User text for display: control and bidirectional override characters dropped, whitespace
    collapsed, clipped to ``chars`` (a clip never ends in a dangling joiner). HTML escaping is left
    to the template's autoescape."""
    if is_missing(value):
        return ""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
                   for c in str(value).translate(DROP_BIDI))
    clipped = clip(text, chars)
    if clipped.endswith("…"):
        clipped = clipped[:-1].rstrip(_TRAILING_JOINERS + " ") + "…"
    return clipped


def author_name(handle: Any, display_name: Any) -> str:
    """``@handle``, or the display name when the account has no handle."""
    if not is_missing(handle) and str(handle).strip():
        return safe_handle(handle)
    return safe_text(display_name, 60) or MISSING


def safe_handle(value: Any) -> str:
    """An account handle for display: ``@name``, every invisible format character dropped, clipped."""
    if is_missing(value):
        return MISSING
    text = "".join(c for c in str(value) if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    return fmt_handle(safe_text(text, HANDLE_CHARS))


def no_tags(text: str) -> str:
    """Plain-text part: angle brackets become ‹ › so no client can read a tag in it."""
    return text.replace("<", "‹").replace(">", "›")


def _join(items: list[str], lang: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {LABELS[lang]['and']} {items[-1]}"


def _deep_map(value: Any, fn: Callable[[str], str]) -> Any:
    """``fn`` applied to every plain string in nested dicts and lists (Markup left alone)."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _deep_map(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_deep_map(v, fn) for v in value]
    return value


# --------------------------------------------------------------------------- data


def programmes() -> dict[str, Programme]:
    """The programmes of config/programmes.yaml (or $ESCUCHA_PROGRAMMES)."""
    return load_config(config_path())[0]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables "
                            "where table_schema = ? and table_name = ?", [schema, table]).fetchone()[0])


def last_complete_week(con: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    """The last Monday..Sunday week ending on or before the warehouse's last day of topic data."""
    rows = records(run_queries(con, ["digest_data_span"])["digest_data_span"])
    last = rows[0]["last_day"] if rows else None
    if last is None:
        raise ValueError("the warehouse holds no topic data (marts.fct_topic_daily is empty)")
    return week_before(as_day(last) + timedelta(days=1))


def as_day(value: Any) -> date:
    """A query's date value (date, datetime, pandas Timestamp, numpy datetime64) as a ``date``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def load_data(con: duckdb.DuckDBPyConnection, programme_id: str, week_start: date) -> dict[str, Any]:
    """Every query of the digest for one programme and week, as row dicts."""
    week_end = week_start + timedelta(days=6)
    params = {
        "programme_id": programme_id,
        "week_start": week_start,
        "week_end": week_end,
        "previous_start": week_start - timedelta(days=7),
        "spark_start": week_start - timedelta(days=7 * (SPARK_WEEKS - 1)),
        "top_n": max(TOP_POSTS, TOP_ACCOUNTS),
    }
    names = list(QUERIES) + ["digest_data_span"]
    if _has_table(con, "marts", "fct_collection_daily"):
        names.append(GAPS_QUERY)
    data = {name: records(df) for name, df in run_queries(con, names, params).items()}
    data.setdefault(GAPS_QUERY, None)
    return data


# --------------------------------------------------------------------------- views


def _topic_view(row: dict[str, Any], spark: list[Any], show_share: bool, lang: str) -> dict[str, Any]:
    t = LABELS[lang]
    label = safe_text(row["topic_label"], 80)
    values = [None if is_missing(v) else int(v) for v in spark]
    return {
        "id": row["topic_id"],
        "label": label,
        "posts": fmt_num0(row["posts"], lang),
        "change": fmt_change(row["change"], row["posts"], lang),
        "falling": not is_missing(row["posts_change"]) and row["posts_change"] < 0,
        "previous": t["previous_week"].format(n=fmt_num0(row["posts_previous"], lang)),
        "sentiment": t["net_sentiment"].format(value=fmt_net(row["net_sentiment"], lang),
                                               shift=fmt_points(row["net_shift"], lang)),
        "share": t["share_of_voice"].format(value=fmt_pct1(row["share_of_voice"], lang)) if show_share else "",
        "svg": Markup(_XMLNS.sub("", str(sparkline_svg(values, SPARK_WIDTH, SPARK_HEIGHT,
                                                       title=t["spark_title"].format(topic=label))))),
        "spark_text": t["spark_text"].format(
            values=" · ".join(MISSING if v is None else fmt_num0(v, lang) for v in values)),
        "versions": [int(v) for v in (row["topic_versions"] if row["topic_versions"] is not None else [])],
    }


def _post_view(row: dict[str, Any], lang: str) -> dict[str, str]:
    return {
        "handle": author_name(row["handle"], row["display_name"]),
        "network": fmt_network(row["network"]),
        "day": fmt_date(row["day"], lang),
        "engagement": LABELS[lang]["interactions"].format(n=fmt_num0(row["engagement"], lang)),
        "text": safe_text(row["text"]),
    }


def _account_view(row: dict[str, Any], lang: str) -> dict[str, str]:
    t = LABELS[lang]
    posts = int(row["posts"] or 0)
    return {
        "handle": author_name(row["handle"], row["display_name"]),
        "name": safe_text(row["display_name"], 60) if not is_missing(row["handle"]) else "",
        "network": fmt_network(row["network"]),
        "posts": t["account_posts_1"] if posts == 1 else t["account_posts_n"].format(n=fmt_num0(posts, lang)),
        "engagement": t["interactions"].format(n=fmt_num0(row["engagement"], lang)),
    }


def _ratio(value: Any, lang: str) -> str:
    if is_missing(value):
        return MISSING
    text = f"{float(value):,.1f}"
    return text.replace(",", " ").replace(".", "," if lang == "es" else ".").replace(" ", "\u202f")


def _alert_view(row: dict[str, Any], lang: str) -> dict[str, str]:
    t = LABELS[lang]
    kind = row["kind"] if row["kind"] in ("volume_spike", "viral_post") else "volume_spike"
    onset = row["onset"]
    if hasattr(onset, "to_pydatetime"):
        onset = onset.to_pydatetime()
    # onset is naive UTC in the marts: shown in Lima time
    when = fmt_datetime(onset.replace(tzinfo=timezone.utc), lang) if isinstance(onset, datetime) else MISSING
    baseline = row["baseline"]
    line = t[f"alert_{kind}"].format(
        topic=safe_text(row["topic_label"], 80),
        peak=fmt_num0(row["peak_posts"], lang),
        ratio=_ratio(row["ratio"], lang),
        baseline=MISSING if is_missing(baseline) else (
            fmt_num0(baseline, lang) if float(baseline) >= 10 else _ratio(baseline, lang)),
        onset=when,
        ongoing=t["ongoing"] if row["ongoing"] else "",
        who=safe_handle(row["handle"]) if not is_missing(row["handle"]) else t["an_account"],
    )
    severity = row["severity"] if row["severity"] in SEVERITY_COLOURS else "low"
    return {"severity": t["severity"].format(name=SEVERITY_NAMES[lang][severity]),
            "colour": SEVERITY_COLOURS[severity], "line": line}


def _coverage(data: dict[str, Any], week_end: date, lang: str) -> list[str]:
    """Networks and days with data that week, whether the data reaches its end, collection gaps."""
    t = LABELS[lang]
    rows = data["digest_coverage"]
    lines = []
    if rows:
        networks = [fmt_network(r["network"]) for r in rows]
        lines.append(t["coverage_sentence"].format(n=len(rows), networks=_join(networks, lang),
                                                   days=int(rows[0]["week_days_with_data"])))
    else:
        lines.append(t["coverage_none"])
    span = data["digest_data_span"]
    last = span[0]["last_day"] if span else None
    if last is not None and as_day(last) < week_end:
        lines.append(t["coverage_partial"].format(last=fmt_date(last, lang)))
    gaps = data.get(GAPS_QUERY)
    if gaps is not None:
        if gaps:
            items = [f"{fmt_network(g['network'])} ({', '.join(fmt_date(as_day(d), lang) for d in g['gap_days'])})"
                     for g in gaps]
            lines.append(t["gaps"].format(items="; ".join(items)))
        else:
            lines.append(t["no_gaps"])
    return lines


def _headline(topics: list[dict[str, Any]], rows: list[dict[str, Any]], alerts: list[dict[str, Any]],
              lang: str) -> list[str]:
    t = LABELS[lang]
    lines = []
    if topics and (rows[0]["posts"] or rows[0]["posts_previous"]):
        top = topics[0]
        lines.append(t["headline_mover"].format(topic=top["label"], posts=top["posts"], change=top["change"]))
    shifts = [(abs(r["net_shift"]), r) for r in rows if not is_missing(r["net_shift"])]
    if shifts:
        _, r = max(shifts, key=lambda s: s[0])
        lines.append(t["headline_sentiment"].format(topic=safe_text(r["topic_label"], 80),
                                                    shift=fmt_points(r["net_shift"], lang)))
    counts: dict[str, int] = {}
    for a in alerts:
        counts[a["severity"]] = counts.get(a["severity"], 0) + 1
    order = ["critical", "high", "medium", "low"]
    detail = ", ".join(f"{SEVERITY_NAMES[lang].get(s, s)}: {n}" for s, n in
                       sorted(counts.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 9))
    key = "headline_alerts_0" if not alerts else "headline_alerts_1" if len(alerts) == 1 else "headline_alerts_n"
    lines.append(t[key].format(n=len(alerts), detail=detail))
    return lines


def digest_context(data: dict[str, Any], programme_label: str, week_start: date, lang: str,
                   generated_at: datetime) -> dict[str, Any]:
    """Everything the two templates show, as display strings (and the sparklines' SVG)."""
    t = LABELS[lang]
    week_end = week_start + timedelta(days=6)
    rows = data["digest_topics"]
    spark: dict[str, list[Any]] = {}
    for r in data["digest_topic_sparkline"]:
        spark.setdefault(r["topic_id"], []).append(r["posts"])
    topics = [_topic_view(r, spark.get(r["topic_id"], []), len(rows) > 1, lang) for r in rows]
    posts: dict[str, list[dict[str, str]]] = {}
    for r in data["digest_top_posts"]:
        if r["post_rank"] <= TOP_POSTS:
            posts.setdefault(r["topic_id"], []).append(_post_view(r, lang))
    accounts: dict[str, list[dict[str, str]]] = {}
    for r in data["digest_top_accounts"]:
        if r["account_rank"] <= TOP_ACCOUNTS:
            accounts.setdefault(r["topic_id"], []).append(_account_view(r, lang))
    behind = [{"label": tv["label"], "posts": posts.get(tv["id"], []), "accounts": accounts.get(tv["id"], [])}
              for tv in topics[:TOP_MOVERS]]
    alerts = data["digest_alerts"]
    versions = [t["version_item"].format(topic=tv["label"], versions="–v".join(map(str, tv["versions"])))
                for tv in topics if tv["versions"]]
    label = header_text(programme_label)
    return {
        "lang": lang,
        "t": t,
        "subject": digest_subject(label, week_start, week_end, lang),
        "programme": label,
        "heading": t["heading"],
        "week_line": t["week_line"].format(week=fmt_week(week_start, week_end, lang)),
        "headline": _headline(topics, rows, alerts, lang),
        "topics": topics,
        "behind": behind,
        "alerts": [_alert_view(a, lang) for a in alerts[:MAX_ALERTS]],
        "more_alerts": t["more_alerts"].format(n=len(alerts) - MAX_ALERTS) if len(alerts) > MAX_ALERTS else "",
        "coverage": _coverage(data, week_end, lang),
        "versions": t["versions"].format(items="; ".join(versions)) if versions else "",
        "footer": t["footer"].format(when=fmt_datetime(generated_at, lang)),
    }


def digest_subject(programme_label: str, week_start: date, week_end: date, lang: str = "es") -> str:
    """``[escucha] Resumen semanal — Gobernabilidad democrática — 10–16 ene 2022``, header-safe."""
    return header_text(LABELS[lang]["subject"].format(programme=header_text(programme_label),
                                                     week=fmt_week(week_start, week_end, lang)))


# --------------------------------------------------------------------------- render


def render_digest(context: dict[str, Any]) -> tuple[str, str]:
    """(html, text) of a digest context."""
    env = email_environment(TEMPLATES_DIR)
    html = env.get_template("digest_email.html").render(context)
    text = env.get_template("digest_email.txt").render(_deep_map(context, no_tags))
    return html, text


def build_digest(warehouse: Path, programme_id: str, as_of: date | None = None, lang: str = "es", *,
                 generated_at: datetime | None = None,
                 programme_config: Mapping[str, Programme] | None = None) -> Digest:
    """The digest of ``programme_id`` for the Monday..Sunday week (Lima) that ended before
    ``as_of``; without ``as_of``, the last complete week in the warehouse (opened read-only)."""
    if lang not in LABELS:
        raise ValueError(f"unsupported language {lang!r}; choose one of {sorted(LABELS)}")
    config = programmes() if programme_config is None else programme_config
    if programme_id not in config:
        raise UnknownProgramme(f"unknown programme {programme_id!r}; programmes: {', '.join(sorted(config))}")
    programme = config[programme_id]
    con = connect_readonly(Path(warehouse))
    try:
        week_start, week_end = week_before(as_of) if as_of is not None else last_complete_week(con)
        data = load_data(con, programme_id, week_start)
    finally:
        con.close()
    context = digest_context(data, programme.label, week_start, lang, generated_at or datetime.now(LIMA))
    html, text = render_digest(context)
    return Digest(programme=programme_id, programme_label=context["programme"], week_start=week_start,
                  week_end=week_end, subject=context["subject"], html=html, text=text,
                  recipients=tuple(programme.recipients), lang=lang, topics=len(context["topics"]),
                  alerts=len(data["digest_alerts"]))


# --------------------------------------------------------------------------- email


def compose_digest_email(digest: Digest, sender: str, now: datetime | None = None) -> EmailMessage:
    """The digest as a multipart/alternative email (text/plain, then text/html), to the
    programme's recipients; every header is sanitised, the parts are quoted-printable."""
    if not digest.recipients:
        raise ValueError(f"programme {digest.programme!r} has no recipients in the programmes file")
    now = now or datetime.now(timezone.utc)
    msg = EmailMessage()
    msg["Subject"] = header_text(digest.subject)
    msg["From"] = clean_address(sender)
    msg["To"] = ", ".join(clean_address(r) for r in digest.recipients)
    msg["Date"] = format_datetime(now if now.tzinfo else now.replace(tzinfo=timezone.utc))
    msg["Message-ID"] = make_msgid(domain=parseaddr(msg["From"])[1].rpartition("@")[2] or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    # quoted-printable, never 8bit: not every relay announces 8BITMIME
    msg.set_content(digest.text, cte="quoted-printable")
    msg.add_alternative(digest.html, subtype="html", cte="quoted-printable")
    return msg


def send_digest(digest: Digest, settings: SmtpSettings) -> EmailMessage:
    """Compose and send the digest (NotificationError on failure, never with the password)."""
    message = compose_digest_email(digest, settings.sender)
    send_email(message, settings)
    return message
